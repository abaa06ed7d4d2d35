//! The in-process store: one map per process, shared by every client in it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use once_cell::sync::Lazy;

use super::{CacheKey, Entry, LockGuard, NoLock, Refusal, TokenStore};
use crate::error::Result;

static GLOBAL: Lazy<Arc<Mutex<HashMap<CacheKey, Entry>>>> = Lazy::new(Default::default);
static GLOBAL_REFUSALS: Lazy<Arc<Mutex<HashMap<CacheKey, Refusal>>>> = Lazy::new(Default::default);

/// Tokens kept in this process only. Cloning shares the same map.
///
/// Single-flight inside a process is the client's job (one login gate per identity), so this
/// store's lock is immediate.
#[derive(Clone, Default)]
pub struct MemoryStore {
    entries: Arc<Mutex<HashMap<CacheKey, Entry>>>,
    refusals: Arc<Mutex<HashMap<CacheKey, Refusal>>>,
}

impl MemoryStore {
    /// The map shared by every client of this process.
    pub fn global() -> MemoryStore {
        MemoryStore {
            entries: Arc::clone(&GLOBAL),
            refusals: Arc::clone(&GLOBAL_REFUSALS),
        }
    }

    /// A private, empty map (for tests and embedding).
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn refusals(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, Refusal>> {
        self.refusals.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TokenStore for MemoryStore {
    fn load(&self, key: &CacheKey) -> Result<Option<Entry>> {
        Ok(self.map().get(key).cloned())
    }

    fn save(&self, key: &CacheKey, entry: &Entry) -> Result<()> {
        self.map().insert(key.clone(), entry.clone());
        Ok(())
    }

    fn remove(&self, key: &CacheKey, only_token: Option<&str>) -> Result<bool> {
        let mut map = self.map();
        let matches = match (map.get(key), only_token) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(e), Some(t)) => e.token.as_str() == t,
        };
        if matches {
            map.remove(key);
        }
        Ok(matches)
    }

    fn lock(&self, _key: &CacheKey, _timeout: Duration) -> Result<Box<dyn LockGuard>> {
        Ok(Box::new(NoLock))
    }

    fn list(&self) -> Result<Vec<Entry>> {
        Ok(self.map().values().cloned().collect())
    }

    fn load_refusal(&self, key: &CacheKey) -> Result<Option<Refusal>> {
        Ok(self.refusals().get(key).cloned())
    }

    fn save_refusal(&self, key: &CacheKey, refusal: &Refusal) -> Result<()> {
        self.refusals().insert(key.clone(), refusal.clone());
        Ok(())
    }

    fn remove_refusal(&self, key: &CacheKey) -> Result<bool> {
        Ok(self.refusals().remove(key).is_some())
    }

    fn list_refusals(&self) -> Result<Vec<Refusal>> {
        Ok(self.refusals().values().cloned().collect())
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}
