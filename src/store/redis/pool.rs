//! The process-wide pools of idle Redis connections: one per deployment (URL and CA file),
//! shared by every store of the process and never by a forked child; and how a new
//! connection is made for each kind of deployment (one server, the primary found through
//! sentinels, or a cluster).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use once_cell::sync::Lazy;
use redis::cluster::{ClusterClient, ClusterConnection};
use redis::sentinel::SentinelClient;
use redis::{Connection, ConnectionLike, RedisResult};

use crate::error::Result;

/// Idle connections kept for reuse.
const MAX_IDLE_CONNECTIONS: usize = 4;

/// Where new connections go.
pub(super) enum Target {
    /// One server.
    Server(redis::Client),
    /// The current primary, asked of the sentinels for every new connection (the sentinel
    /// client checks the answer with `ROLE`). A mutex because redis-rs's sentinel client
    /// needs `&mut` to query.
    Sentinel(Mutex<SentinelClient>),
    /// A Redis Cluster: one connection holds a link to each node it needs, routes by slot
    /// and follows `MOVED`/`ASK`.
    Cluster(ClusterClient),
}

impl Target {
    /// Whether the deployment can fail over, so that a lost connection, `READONLY` or
    /// `CLUSTERDOWN` is worth waiting out.
    pub(super) fn is_ha(&self) -> bool {
        !matches!(self, Target::Server(_))
    }
}

/// A connection of any kind of deployment.
pub(super) enum Conn {
    Server(Connection),
    Cluster(Box<ClusterConnection>),
}

impl Conn {
    /// The connection, for `redis::cmd(..).query` and scripts.
    pub(super) fn link(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Conn::Server(c) => c,
            Conn::Cluster(c) => c.as_mut(),
        }
    }

    /// The cluster connection, for commands routed to a given node.
    pub(super) fn cluster(&mut self) -> Option<&mut ClusterConnection> {
        match self {
            Conn::Server(_) => None,
            Conn::Cluster(c) => Some(c.as_mut()),
        }
    }

    /// Sets the read and write timeouts of every socket of the connection.
    pub(super) fn set_timeouts(&self, timeout: Option<Duration>) -> RedisResult<()> {
        match self {
            Conn::Server(c) => {
                c.set_read_timeout(timeout)?;
                c.set_write_timeout(timeout)
            }
            Conn::Cluster(c) => {
                c.set_read_timeout(timeout)?;
                c.set_write_timeout(timeout)
            }
        }
    }
}

/// The idle connections to one deployment (one URL and CA), shared by every store of the
/// process, so that a new client does not connect again. Connections are never shared with
/// a forked child: the pool forgets those of another process id before lending any.
pub(super) struct Pool {
    pub(super) target: Target,
    idle: Mutex<Idle>,
}

struct Idle {
    pid: u32,
    connections: Vec<Conn>,
}

static POOLS: Lazy<Mutex<HashMap<String, Arc<Pool>>>> = Lazy::new(Default::default);

impl Pool {
    /// The pool for `id` (the URL and CA file), made with `target` when it does not exist.
    pub(super) fn shared(id: String, target: impl FnOnce() -> Result<Target>) -> Result<Arc<Pool>> {
        let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pool) = pools.get(&id) {
            return Ok(Arc::clone(pool));
        }
        let pool = Arc::new(Pool {
            target: target()?,
            idle: Mutex::new(Idle {
                pid: std::process::id(),
                connections: Vec::new(),
            }),
        });
        pools.insert(id, Arc::clone(&pool));
        Ok(pool)
    }

    /// A new connection: to the server, to the primary the sentinels name now, or to the
    /// cluster (its slot map fetched afresh).
    pub(super) fn connect(&self, timeout: Duration) -> RedisResult<Conn> {
        match &self.target {
            Target::Server(client) => client
                .get_connection_with_timeout(timeout)
                .map(Conn::Server),
            Target::Sentinel(sentinel) => {
                let client = sentinel
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get_client()?;
                client
                    .get_connection_with_timeout(timeout)
                    .map(Conn::Server)
            }
            Target::Cluster(client) => client.get_connection().map(|c| Conn::Cluster(Box::new(c))),
        }
    }

    pub(super) fn take(&self) -> Option<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let pid = std::process::id();
        if idle.pid != pid {
            // Inherited through fork: the parent may be using these sockets.
            idle.connections.clear();
            idle.pid = pid;
        }
        idle.connections.pop()
    }

    pub(super) fn give_back(&self, conn: Conn) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.pid == std::process::id() && idle.connections.len() < MAX_IDLE_CONNECTIONS {
            idle.connections.push(conn);
        }
    }

    /// Drops every idle connection: after a failover they may lead to a demoted primary.
    pub(super) fn forget_idle(&self) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .connections
            .clear();
    }
}
