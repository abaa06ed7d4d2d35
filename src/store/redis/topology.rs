//! Highly available Redis deployments: parsing `redis+sentinel://` and `redis+cluster://`
//! URLs (and their `rediss+` TLS forms), and making the redis-rs clients that find the
//! primary through the sentinels or route by slot in a cluster.
//!
//! ```text
//! redis+sentinel://[user:password@]host:port[,host:port...]/SERVICE_NAME[/DB]
//! redis+cluster://[user:password@]host:port[,host:port...]
//! ```
//!
//! The hosts of a sentinel URL are sentinels (port 26379 when omitted); those of a cluster
//! URL are any nodes of the cluster (port 6379 when omitted). The user name and password are
//! those of the data nodes (the primary and replicas, or the cluster's nodes); sentinels are
//! reached without authentication.

use std::time::Duration;

use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{IntoConnectionInfo, TlsCertificates, TlsMode};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The longest list of hosts a URL may name.
const MAX_HOSTS: usize = 64;

/// Which kind of highly available deployment a URL names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Deployment {
    /// Sentinel-managed primary and replicas: the primary of `service`, database `db`.
    Sentinel { service: String, db: i64 },
    /// A Redis Cluster.
    Cluster,
}

/// A parsed `redis+sentinel://` or `redis+cluster://` URL (or `rediss+…`).
pub(crate) struct HaUrl {
    pub(crate) deployment: Deployment,
    /// `rediss+…`: TLS to every node (and to the sentinels).
    pub(crate) tls: bool,
    /// The sentinels, or the cluster's seed nodes.
    pub(crate) hosts: Vec<(String, u16)>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<Zeroizing<String>>,
    /// The password as written in the URL (percent-encoded), to scrub from messages.
    pub(crate) raw_password: Option<Zeroizing<String>>,
}

/// Whether `url` starts with one of the schemes of this module.
pub(crate) fn is_ha_url(url: &str) -> bool {
    ha_scheme(url).is_some()
}

/// `(tls, sentinel?)` for a URL of this module, with the rest after `://`.
fn ha_scheme(url: &str) -> Option<(bool, bool, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    match scheme.to_ascii_lowercase().as_str() {
        "redis+sentinel" => Some((false, true, rest)),
        "rediss+sentinel" => Some((true, true, rest)),
        "redis+cluster" => Some((false, false, rest)),
        "rediss+cluster" => Some((true, false, rest)),
        _ => None,
    }
}

/// The URL for messages: scheme, hosts and path, never the user name or password.
pub(crate) fn display_ha_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<not a URL>".into();
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let hosts = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    format!("{}://{hosts}{path}", scheme.to_ascii_lowercase())
}

impl HaUrl {
    /// Parses a sentinel or cluster URL.
    ///
    /// # Errors
    /// `InvalidConfig` naming what is wrong: the scheme, an empty host list, a host or port
    /// that cannot be used, a missing or malformed service name, a database that is not a
    /// number, a path on a cluster URL, a query string, or credentials that are not valid
    /// percent-encoded UTF-8. Messages never show the password.
    pub(crate) fn parse(url: &str) -> Result<HaUrl> {
        let bad = |what: String| {
            Error::config(format!(
                "config key `cache`: {} is not a usable Redis URL: {what}",
                display_ha_url(url)
            ))
        };
        let (tls, sentinel, rest) = ha_scheme(url).ok_or_else(|| {
            bad("it must start with redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster://".into())
        })?;
        if rest.contains(['?', '#']) {
            return Err(bad(
                "query strings and fragments are not supported in sentinel and cluster URLs".into(),
            ));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let (userinfo, host_list) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let decode = |field: &str, s: &str| -> Result<String> {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .map_err(|_| bad(format!("the {field} is not valid percent-encoded UTF-8")))
        };
        let (mut username, mut password, mut raw_password) = (None, None, None);
        if let Some(info) = userinfo {
            let (user, pass) = match info.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (info, None),
            };
            if !user.is_empty() {
                username = Some(decode("user name", user)?);
            }
            if let Some(p) = pass {
                raw_password = Some(Zeroizing::new(p.to_string()));
                password = Some(Zeroizing::new(decode("password", p)?));
            }
        }
        let default_port = if sentinel { 26379 } else { 6379 };
        let mut hosts = Vec::new();
        for item in host_list.split(',') {
            hosts.push(parse_host(item, default_port).map_err(&bad)?);
        }
        if hosts.len() > MAX_HOSTS {
            return Err(bad(format!("more than {MAX_HOSTS} hosts")));
        }
        let segments: Vec<&str> = if path.is_empty() {
            Vec::new()
        } else {
            path.trim_end_matches('/').split('/').collect()
        };
        let deployment = if sentinel {
            let service = match segments.first() {
                Some(s) if !s.is_empty() => decode("service name", s)?,
                _ => return Err(bad(
                    "the service name is missing (redis+sentinel://host:port/SERVICE_NAME[/DB])"
                        .into(),
                )),
            };
            if service.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(bad(
                    "the service name contains spaces or control characters".into(),
                ));
            }
            let db = match segments.get(1) {
                None => 0,
                Some(s) => s.parse::<i64>().ok().filter(|d| *d >= 0).ok_or_else(|| {
                    bad(format!("the database `{s}` is not a number of 0 or more"))
                })?,
            };
            if segments.len() > 2 {
                return Err(bad(
                    "too many path segments (redis+sentinel://host:port/SERVICE_NAME[/DB])".into(),
                ));
            }
            Deployment::Sentinel { service, db }
        } else {
            if !segments.is_empty() {
                return Err(bad(
                    "a cluster URL has no path: a Redis Cluster has one database and no service name"
                        .into(),
                ));
            }
            Deployment::Cluster
        };
        Ok(HaUrl {
            deployment,
            tls,
            hosts,
            username,
            password,
            raw_password,
        })
    }

    fn node_url(&self, host: &str, port: u16) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        if host.contains(':') {
            format!("{scheme}://[{host}]:{port}")
        } else {
            format!("{scheme}://{host}:{port}")
        }
    }

    /// The sentinel client that finds the primary of the service (its `ROLE` checked on
    /// every connection), with TLS and `ca_pem` for the sentinels and the data nodes when
    /// the URL is `rediss+sentinel://`.
    ///
    /// # Errors
    /// `InvalidConfig` when redis-rs refuses the settings (the message is redis-rs's).
    pub(crate) fn sentinel_client(&self, ca_pem: Option<Vec<u8>>) -> Result<SentinelClient> {
        let Deployment::Sentinel { service, db } = &self.deployment else {
            return Err(Error::config("config key `cache`: not a sentinel URL"));
        };
        let refused = |e: redis::RedisError| {
            Error::config(format!(
                "config key `cache`: the sentinel settings were refused: {e}"
            ))
        };
        let mut addrs = Vec::new();
        for (host, port) in &self.hosts {
            let info = self
                .node_url(host, *port)
                .into_connection_info()
                .map_err(refused)?;
            addrs.push(info.addr().clone());
        }
        let mut builder = SentinelClientBuilder::new(addrs, service, SentinelServerType::Master)
            .map_err(refused)?
            .set_client_to_redis_db(*db);
        if let Some(user) = &self.username {
            builder = builder.set_client_to_redis_username(user);
        }
        if let Some(password) = &self.password {
            builder = builder.set_client_to_redis_password(password.as_str());
        }
        if self.tls {
            builder = builder
                .set_client_to_redis_tls_mode(TlsMode::Secure)
                .set_client_to_sentinel_tls_mode(TlsMode::Secure);
            if let Some(pem) = ca_pem {
                let certs = || TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem.clone()),
                };
                builder = builder
                    .set_client_to_redis_certificates(certs())
                    .set_client_to_sentinel_certificates(certs());
            }
        }
        builder.build().map_err(refused)
    }

    /// The cluster client for the seed nodes, with the store's timeouts. Its own retries are
    /// few and short (MOVED and ASK are followed within them); waiting out a failover is the
    /// store's job, bounded by `connect_timeout_ms`.
    ///
    /// # Errors
    /// `InvalidConfig` when redis-rs refuses the settings (the message is redis-rs's).
    pub(crate) fn cluster_client(
        &self,
        ca_pem: Option<Vec<u8>>,
        connect_timeout: Duration,
        command_timeout: Duration,
    ) -> Result<redis::cluster::ClusterClient> {
        let nodes: Vec<String> = self
            .hosts
            .iter()
            .map(|(h, p)| self.node_url(h, *p))
            .collect();
        let mut builder = redis::cluster::ClusterClientBuilder::new(nodes)
            .connection_timeout(connect_timeout.max(Duration::from_millis(1)))
            .response_timeout(command_timeout.max(Duration::from_millis(1)))
            .retries(4)
            .min_retry_wait(20)
            .max_retry_wait(200);
        if let Some(user) = &self.username {
            builder = builder.username(user);
        }
        if let Some(password) = &self.password {
            builder = builder.password(password.as_str());
        }
        if self.tls {
            builder = builder.tls(TlsMode::Secure);
            if let Some(pem) = ca_pem {
                builder = builder.certs(TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                });
            }
        }
        builder.build().map_err(|e| {
            Error::config(format!(
                "config key `cache`: the cluster settings were refused: {e}"
            ))
        })
    }
}

/// One `host[:port]` (or `[v6]:port`) of a host list.
fn parse_host(item: &str, default_port: u16) -> std::result::Result<(String, u16), String> {
    if item.is_empty() {
        return Err("a host is missing (an empty entry in the host list)".into());
    }
    let (host, port) = if let Some(v6) = item.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("the host `{item}` has `[` without `]`"))?;
        match after {
            "" => (host, None),
            p if p.starts_with(':') => (host, Some(&p[1..])),
            _ => return Err(format!("the host `{item}` has text after `]`")),
        }
    } else {
        match item.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (item, None),
        }
    };
    if host.is_empty() {
        return Err(format!("the host of `{item}` is empty"));
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "@/[]".contains(c))
    {
        return Err(format!(
            "the host `{host}` contains characters a host cannot have"
        ));
    }
    let port =
        match port {
            None => default_port,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                format!("the port `{p}` of `{item}` is not a number from 1 to 65535")
            })?,
        };
    Ok((host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(url: &str) -> String {
        match HaUrl::parse(url) {
            Ok(_) => panic!("{url} was accepted"),
            Err(e) => e.message().to_string(),
        }
    }

    #[test]
    fn sentinel_urls() {
        let u =
            HaUrl::parse("redis+sentinel://app:p%40ss@10.0.0.1:26380,[::1],s3/mymaster/2").unwrap();
        assert_eq!(
            u.deployment,
            Deployment::Sentinel {
                service: "mymaster".into(),
                db: 2
            }
        );
        assert!(!u.tls);
        assert_eq!(
            u.hosts,
            [
                ("10.0.0.1".to_string(), 26380),
                ("::1".to_string(), 26379),
                ("s3".to_string(), 26379)
            ]
        );
        assert_eq!(u.username.as_deref(), Some("app"));
        assert_eq!(u.password.as_deref().map(String::as_str), Some("p@ss"));
        assert_eq!(
            u.raw_password.as_deref().map(String::as_str),
            Some("p%40ss")
        );
        let u = HaUrl::parse("rediss+sentinel://:pw@h:1/svc").unwrap();
        assert!(u.tls);
        assert_eq!(u.username, None);
        assert_eq!(
            u.deployment,
            Deployment::Sentinel {
                service: "svc".into(),
                db: 0
            }
        );
    }

    #[test]
    fn cluster_urls() {
        let u = HaUrl::parse("rediss+cluster://a:7000,b:7001,c").unwrap();
        assert_eq!(u.deployment, Deployment::Cluster);
        assert!(u.tls);
        assert_eq!(u.hosts[2], ("c".to_string(), 6379));
        assert!(HaUrl::parse("redis+cluster://a:7000/").is_ok());
    }

    #[test]
    fn bad_urls_name_what_is_wrong() {
        assert!(err("redis+sentinel://h:1").contains("service name is missing"));
        assert!(err("redis+sentinel://h:1/").contains("service name is missing"));
        assert!(err("redis+sentinel://h:1/svc/x").contains("database `x`"));
        assert!(err("redis+sentinel://h:1/svc/-1").contains("database `-1`"));
        assert!(err("redis+sentinel://h:1/svc/0/9").contains("too many path segments"));
        assert!(err("redis+sentinel://h:1,,h:2/svc").contains("empty entry"));
        assert!(err("redis+sentinel:///svc").contains("empty entry"));
        assert!(err("redis+sentinel://h:99999/svc").contains("port `99999`"));
        assert!(err("redis+sentinel://h:0/svc").contains("port `0`"));
        assert!(err("redis+sentinel://[::1/svc").contains("without `]`"));
        assert!(err("redis+cluster://h:1/0").contains("a cluster URL has no path"));
        assert!(err("redis+cluster://h:1?timeout=3").contains("query strings"));
        assert!(err("redis+cluster://:%ff@h:1").contains("password is not valid"));
        assert!(err("redis+quorum://h:1").contains("must start with"));
    }

    #[test]
    fn messages_never_show_the_password() {
        let e = err("redis+sentinel://u:hunter2@h:1");
        assert!(!e.contains("hunter2"), "{e}");
        assert!(e.contains("redis+sentinel://h:1"), "{e}");
        assert_eq!(
            display_ha_url("REDISS+CLUSTER://u:p@w@a:1,b:2/x?q=1"),
            "rediss+cluster://a:1,b:2/x"
        );
    }

    #[test]
    fn clients_are_built() {
        let u = HaUrl::parse("redis+sentinel://u:p@127.0.0.1:1,127.0.0.1:2/svc/1").unwrap();
        u.sentinel_client(None).unwrap();
        let u = HaUrl::parse("rediss+sentinel://127.0.0.1:1/svc").unwrap();
        u.sentinel_client(None).unwrap();
        let u = HaUrl::parse("redis+cluster://127.0.0.1:1,127.0.0.1:2").unwrap();
        u.cluster_client(None, Duration::from_secs(1), Duration::from_secs(1))
            .unwrap();
    }
}
