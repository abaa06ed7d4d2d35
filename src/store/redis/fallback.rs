//! What the store does with its fallback store (`redis_fallback: true`): the operation runs
//! on it while Redis cannot be reached, and it mirrors what this machine last read from Redis.

use super::connection::{Failure, Shared};
use crate::error::Result;
use crate::store::{CacheKey, Entry, TokenStore};

/// After `failure`: `local` on the fallback store when Redis could not be reached and
/// there is one, else the error.
pub(super) fn fall_back<T>(
    shared: &Shared,
    failure: Failure,
    local: impl FnOnce(&dyn TokenStore) -> Result<T>,
) -> Result<T> {
    match (failure, &shared.options.fallback) {
        (Failure::Unreachable(e), Some(store)) => {
            shared.report_outage(&e, store.as_ref());
            local(store.as_ref())
        }
        (failure, _) => Err(failure.into_error()),
    }
}

/// Keeps the fallback store's entry the same as what this machine last read from Redis,
/// so that its processes carry on with the fleet's token (and never with one logged out
/// elsewhere) should Redis go down. Failures are logged: the fallback is best effort.
pub(super) fn mirror(local: &dyn TokenStore, key: &CacheKey, entry: Option<&Entry>) {
    let current = match local.load(key) {
        Ok(current) => current,
        Err(e) => {
            log::warn!(
                "authtoken: the fallback store {} cannot be read: {e}",
                local.describe()
            );
            return;
        }
    };
    let result = match (entry, current) {
        (Some(e), Some(c)) if c == *e => Ok(()),
        (Some(e), _) => local.save(key, e),
        (None, Some(_)) => local.remove(key, None).map(drop),
        (None, None) => Ok(()),
    };
    if let Err(e) = result {
        log::warn!(
            "authtoken: could not update the fallback store {}: {e}",
            local.describe()
        );
    }
}
