//! The process-wide pools of idle Redis connections: one per server (URL and CA file), shared
//! by every store of the process and never by a forked child.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use once_cell::sync::Lazy;
use redis::Connection;

use crate::error::Result;

/// Idle connections kept for reuse.
const MAX_IDLE_CONNECTIONS: usize = 4;

/// The idle connections to one server (one URL and CA), shared by every store of the process,
/// so that a new client does not connect again. Connections are never shared with a forked
/// child: the pool forgets those of another process id before lending any.
pub(super) struct Pool {
    pub(super) client: redis::Client,
    idle: Mutex<Idle>,
}

struct Idle {
    pid: u32,
    connections: Vec<Connection>,
}

static POOLS: Lazy<Mutex<HashMap<String, Arc<Pool>>>> = Lazy::new(Default::default);

impl Pool {
    /// The pool for `id` (the URL and CA file), made with `client` when it does not exist.
    pub(super) fn shared(
        id: String,
        client: impl FnOnce() -> Result<redis::Client>,
    ) -> Result<Arc<Pool>> {
        let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pool) = pools.get(&id) {
            return Ok(Arc::clone(pool));
        }
        let pool = Arc::new(Pool {
            client: client()?,
            idle: Mutex::new(Idle {
                pid: std::process::id(),
                connections: Vec::new(),
            }),
        });
        pools.insert(id, Arc::clone(&pool));
        Ok(pool)
    }

    pub(super) fn take(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let pid = std::process::id();
        if idle.pid != pid {
            // Inherited through fork: the parent may be using these sockets.
            idle.connections.clear();
            idle.pid = pid;
        }
        idle.connections.pop()
    }

    pub(super) fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.pid == std::process::id() && idle.connections.len() < MAX_IDLE_CONNECTIONS {
            idle.connections.push(conn);
        }
    }
}
