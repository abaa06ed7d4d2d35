//! The emulator's mutable state: configuration, issued tokens, counters and pending faults.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use serde_json::{json, Map, Value};

use crate::fault::{Fault, FaultKind};
use crate::service::Service;

/// Run-time configuration (changeable through the admin API).
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub password: String,
    pub lifetimes: [Option<Duration>; 4],
    pub max_tokens_per_org: usize,
    pub max_parallel_logins: Option<usize>,
    /// Testpress' lockout: after this many failed logins in a row, a user is locked out.
    pub lockout_after: Option<u32>,
    /// How long a lockout lasts.
    pub lockout: Duration,
    /// Error answers of the login endpoints are JSON sent as `text/html` (as some servers do).
    pub html_errors: bool,
}

impl Config {
    pub fn lifetime(&self, svc: Service) -> Option<Duration> {
        self.lifetimes[svc.index()]
    }

    pub fn to_json(&self) -> Value {
        let mut lifetimes = Map::new();
        for svc in Service::ALL {
            lifetimes.insert(
                svc.as_str().into(),
                self.lifetime(svc)
                    .map_or(Value::Null, |d| json!(d.as_secs_f64())),
            );
        }
        json!({
            "token_lifetime_s": lifetimes,
            "max_tokens_per_org": self.max_tokens_per_org,
            "max_parallel_logins": self.max_parallel_logins,
            "lockout_after": self.lockout_after,
            "lockout_s": self.lockout.as_secs_f64(),
            "html_errors": self.html_errors,
        })
    }
}

/// One issued token.
#[derive(Clone, Debug)]
pub(crate) struct TokenRec {
    pub service: Service,
    pub username: String,
    pub org: Option<String>,
    pub expires: Option<SystemTime>,
    /// Set by the admin `expire` call: the token is treated as expired whatever its expiry.
    pub forced_expired: bool,
}

impl TokenRec {
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.forced_expired || self.expires.is_some_and(|e| e <= now)
    }
}

/// Per-service, per-user counters.
#[derive(Clone, Debug, Default)]
pub(crate) struct Counters {
    pub logins: [BTreeMap<String, u64>; 4],
    pub attempts: [BTreeMap<String, u64>; 4],
    pub logouts: [BTreeMap<String, u64>; 4],
    pub requests: [BTreeMap<String, u64>; 4],
    pub unauthorized: [u64; 4],
}

pub(crate) fn bump(map: &mut [BTreeMap<String, u64>; 4], svc: Service, user: &str) {
    *map[svc.index()].entry(user.to_owned()).or_insert(0) += 1;
}

fn per_service(map: &[BTreeMap<String, u64>; 4]) -> Value {
    let mut out = Map::new();
    for svc in Service::ALL {
        let inner: Map<String, Value> = map[svc.index()]
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        out.insert(svc.as_str().into(), Value::Object(inner));
    }
    Value::Object(out)
}

/// A token selector used by the admin `revoke` / `expire` calls.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selector {
    pub service: Option<Service>,
    pub username: Option<String>,
    pub org: Option<String>,
}

impl Selector {
    fn matches(&self, rec: &TokenRec) -> bool {
        self.service.is_none_or(|s| s == rec.service)
            && self.username.as_deref().is_none_or(|u| u == rec.username)
            && self
                .org
                .as_deref()
                .is_none_or(|o| rec.org.as_deref() == Some(o))
    }
}

/// Everything behind the emulator's mutex.
#[derive(Debug)]
pub(crate) struct State {
    pub cfg: Config,
    pub tokens: HashMap<String, TokenRec>,
    pub counters: Counters,
    pub faults: VecDeque<Fault>,
    /// Failed logins in a row, per service and user (for the lockout).
    pub failures: HashMap<(Service, String), u32>,
    /// Locked-out users and when their lockout ends.
    pub locked_until: HashMap<(Service, String), SystemTime>,
}

impl State {
    pub fn new(cfg: Config) -> State {
        State {
            cfg,
            tokens: HashMap::new(),
            counters: Counters::default(),
            faults: VecDeque::new(),
            failures: HashMap::new(),
            locked_until: HashMap::new(),
        }
    }

    /// Forget tokens, counters and faults (configuration stays).
    pub fn reset(&mut self) {
        self.tokens.clear();
        self.counters = Counters::default();
        self.faults.clear();
        self.failures.clear();
        self.locked_until.clear();
    }

    /// Live (unexpired, unrevoked) TPStreams tokens of one organization.
    pub fn live_for_org(&self, org: &str, now: SystemTime) -> usize {
        self.tokens
            .values()
            .filter(|t| {
                t.service == Service::Tpstreams
                    && t.org.as_deref() == Some(org)
                    && !t.is_expired(now)
            })
            .count()
    }

    /// Live tokens of one user of one service.
    pub fn live_for_user(&self, svc: Service, user: &str, now: SystemTime) -> usize {
        self.tokens
            .values()
            .filter(|t| t.service == svc && t.username == user && !t.is_expired(now))
            .count()
    }

    /// Remove matching tokens; returns how many were live.
    pub fn revoke(&mut self, sel: &Selector) -> usize {
        let now = SystemTime::now();
        let mut n = 0;
        self.tokens.retain(|_, t| {
            if sel.matches(t) {
                if !t.is_expired(now) {
                    n += 1;
                }
                false
            } else {
                true
            }
        });
        n
    }

    /// Mark matching live tokens expired; returns how many.
    pub fn expire(&mut self, sel: &Selector) -> usize {
        let now = SystemTime::now();
        let mut n = 0;
        for t in self.tokens.values_mut() {
            if sel.matches(t) && !t.is_expired(now) {
                t.forced_expired = true;
                t.expires = Some(now);
                n += 1;
            }
        }
        n
    }

    /// Consume one use of the first pending fault that matches the request.
    pub fn take_fault(&mut self, svc: Service, path: &str) -> Option<Fault> {
        let idx = self.faults.iter().position(|f| f.matches(svc, path))?;
        Some(self.consume(idx))
    }

    /// Consume one use of the first pending `reset` fault.
    pub fn take_reset(&mut self) -> bool {
        match self.faults.iter().position(|f| f.kind == FaultKind::Reset) {
            Some(idx) => {
                self.consume(idx);
                true
            }
            None => false,
        }
    }

    fn consume(&mut self, idx: usize) -> Fault {
        let f = &mut self.faults[idx];
        let taken = Fault {
            count: 1,
            ..f.clone()
        };
        f.count = f.count.saturating_sub(1);
        if f.count == 0 {
            self.faults.remove(idx);
        }
        taken
    }

    /// The JSON served by `GET /_emulator/stats`.
    pub fn stats(&self) -> Value {
        let now = SystemTime::now();
        let mut unauthorized = Map::new();
        for svc in Service::ALL {
            unauthorized.insert(
                svc.as_str().into(),
                json!(self.counters.unauthorized[svc.index()]),
            );
        }
        let mut live: [BTreeMap<String, u64>; 4] = Default::default();
        for t in self.tokens.values() {
            if t.is_expired(now) {
                continue;
            }
            let key = match (t.service, &t.org) {
                (Service::Tpstreams, Some(org)) => org.clone(),
                _ => t.username.clone(),
            };
            *live[t.service.index()].entry(key).or_insert(0) += 1;
        }
        json!({
            "logins": per_service(&self.counters.logins),
            "login_attempts": per_service(&self.counters.attempts),
            "logouts": per_service(&self.counters.logouts),
            "requests": per_service(&self.counters.requests),
            "unauthorized": unauthorized,
            "live_tokens": per_service(&live),
            "pending_faults": self.faults.len(),
        })
    }
}

/// `n` random lowercase hex characters.
pub(crate) fn random_hex(n: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..n).map(|_| HEX[fastrand::usize(..16)] as char).collect()
}
