//! Helpers shared by the fuzz targets: the sentinel secrets every target checks for, clients
//! that can never reach a real server, and the splitting of one fuzzer input into fields.

use std::net::TcpListener;
use std::sync::{Arc, OnceLock};

use authtoken::store::MemoryStore;
use authtoken::{Client, Config};
use serde_json::{json, Value};

/// The password of every client a target builds: no error message, `Debug` output or log
/// line may contain it.
pub const SENTINEL_PASSWORD: &str = "fuzz-Sentinel-Passw0rd-5b1e";

/// A token seeded into stores: it may appear only in an `Authorization` header.
pub const SENTINEL_TOKEN: &str = "fuzzSentinelToken0123456789abcdef5b1e";

/// The providers, in the order a selector byte picks them.
pub const PROVIDERS: [&str; 5] = [
    "tpstreams",
    "tpstreams-legacy",
    "testpress",
    "cruxconnect",
    "custom",
];

/// Statuses worth trying, picked by a selector byte (the rest map to 100..=999).
pub const STATUSES: [u16; 16] = [
    200, 201, 204, 299, 302, 400, 401, 403, 404, 418, 429, 500, 502, 503, 504, 999,
];

/// A loopback port nothing listens on (bound once, then closed): a request to it fails at
/// connect, so no target ever reaches a server.
pub fn closed_port() -> u16 {
    static PORT: OnceLock<u16> = OnceLock::new();
    *PORT.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.local_addr().expect("local address").port()
    })
}

/// Routes any request that would leave the machine to the closed port (reqwest honours the
/// proxy variables): a bug that sent a request elsewhere still reaches no server.
pub fn no_network() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let proxy = format!("http://127.0.0.1:{}", closed_port());
        for var in [
            "ALL_PROXY",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "all_proxy",
            "http_proxy",
            "https_proxy",
        ] {
            std::env::set_var(var, &proxy);
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
        std::env::remove_var("AUTHTOKEN_PASSWORD");
        std::env::remove_var("AUTHTOKEN_USERNAME");
    });
}

/// The configuration document of `provider` pointed at the closed loopback port, kept in
/// memory, with the sentinel password and no retries.
pub fn config_doc(provider: &str) -> Value {
    let mut doc = json!({
        "provider": provider,
        "username": "fuzz@example.com",
        "password": SENTINEL_PASSWORD,
        "base_url": format!("http://127.0.0.1:{}/{provider}", closed_port()),
        "cache": "memory",
        "max_retries": 0,
        "timeout_ms": 2000,
        "connect_timeout_ms": 500,
    });
    match provider {
        "tpstreams" => doc["organization_id"] = json!("org-fuzz"),
        "custom" => {
            doc["login_path"] = json!("/auth/login");
            doc["logout_path"] = json!("/auth/logout");
            doc["token_field"] = json!("data.access");
            doc["expiry_field"] = json!("data.expires");
            doc["scheme"] = json!("Bearer");
        }
        _ => {}
    }
    doc
}

/// One client per provider (built once: building one sets up TLS), each with a private
/// in-memory store, in the order of [`PROVIDERS`]; their base URLs have a path prefix.
pub fn clients() -> &'static [Client] {
    static CLIENTS: OnceLock<Vec<Client>> = OnceLock::new();
    CLIENTS.get_or_init(|| build_clients(true))
}

/// As [`clients`], with base URLs without a path (`http://127.0.0.1:PORT`).
pub fn clients_without_prefix() -> &'static [Client] {
    static CLIENTS: OnceLock<Vec<Client>> = OnceLock::new();
    CLIENTS.get_or_init(|| build_clients(false))
}

fn build_clients(prefix: bool) -> Vec<Client> {
    no_network();
    PROVIDERS
        .iter()
        .map(|p| {
            let mut doc = config_doc(p);
            if !prefix {
                doc["base_url"] = json!(format!("http://127.0.0.1:{}", closed_port()));
            }
            let config = Config::from_value(&doc).expect("the fuzz config is valid");
            Client::with_store(config, Arc::new(MemoryStore::new())).expect("client")
        })
        .collect()
}

/// Splits `data` at `sep` into at most `n` fields (missing fields are empty).
pub fn fields(data: &[u8], sep: u8, n: usize) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = data.splitn(n, |b| *b == sep).collect();
    out.resize(n, &[]);
    out
}

/// The first line of `data` (without its newline) and the rest.
pub fn line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// What the fake Redis server answers to the next `GET`.
#[derive(Clone, Debug)]
pub enum RedisReply {
    /// A bulk string (the stored entry).
    Bulk(Vec<u8>),
    /// No such key.
    Nil,
    /// An error reply (`-ERR ...`), as an ACL or a read-only replica would send.
    Error(String),
    /// A reply of the wrong type (an integer).
    Integer(i64),
}

/// A loopback server that speaks enough of the Redis protocol (RESP2) for the store to read an
/// entry: `GET` answers the current [`RedisReply`], any other command `+OK` (`PING`: `+PONG`).
/// One thread per connection; it lives as long as the process.
pub struct FakeRedis {
    port: u16,
    reply: Arc<std::sync::Mutex<RedisReply>>,
}

impl FakeRedis {
    /// The process's fake server (started on first use).
    pub fn get() -> &'static FakeRedis {
        static SERVER: OnceLock<FakeRedis> = OnceLock::new();
        SERVER.get_or_init(|| {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
            let port = listener.local_addr().expect("local address").port();
            let reply = Arc::new(std::sync::Mutex::new(RedisReply::Nil));
            let shared = Arc::clone(&reply);
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    // Small replies, one per command: no Nagle delay.
                    let _ = stream.set_nodelay(true);
                    let reply = Arc::clone(&shared);
                    std::thread::spawn(move || serve(stream, &reply));
                }
            });
            FakeRedis { port, reply }
        })
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sets what the next `GET` answers.
    pub fn set_reply(&self, reply: RedisReply) {
        *self
            .reply
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = reply;
    }
}

fn serve(stream: std::net::TcpStream, reply: &std::sync::Mutex<RedisReply>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let mut header = String::new();
    loop {
        // One command: *<n>\r\n then n times $<len>\r\n<bytes>\r\n.
        header.clear();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return;
        }
        let Some(n) = header
            .trim_end()
            .strip_prefix('*')
            .and_then(|n| n.parse::<usize>().ok())
        else {
            return;
        };
        let mut args: Vec<Vec<u8>> = Vec::with_capacity(n);
        for _ in 0..n {
            header.clear();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let Some(len) = header
                .trim_end()
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
            else {
                return;
            };
            let mut arg = vec![0; len + 2];
            if reader.read_exact(&mut arg).is_err() {
                return;
            }
            arg.truncate(len);
            args.push(arg);
        }
        let command = args
            .first()
            .map(|c| c.to_ascii_uppercase())
            .unwrap_or_default();
        let out: Vec<u8> = match command.as_slice() {
            b"GET" => match reply
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
            {
                RedisReply::Bulk(b) => {
                    let mut out = format!("${}\r\n", b.len()).into_bytes();
                    out.extend_from_slice(&b);
                    out.extend_from_slice(b"\r\n");
                    out
                }
                RedisReply::Nil => b"$-1\r\n".to_vec(),
                RedisReply::Error(e) => {
                    format!("-{}\r\n", e.replace(['\r', '\n'], " ")).into_bytes()
                }
                RedisReply::Integer(i) => format!(":{i}\r\n").into_bytes(),
            },
            b"PING" => b"+PONG\r\n".to_vec(),
            _ => b"+OK\r\n".to_vec(),
        };
        if writer.write_all(&out).is_err() {
            return;
        }
    }
}

/// What every error must hold: a one-line message (no control character: C reads up to the
/// first NUL, logs split at newlines) that contains none of `secrets`, also in `Debug`.
pub fn check_error(e: &authtoken::Error, secrets: &[&str]) {
    let message = e.message();
    assert!(
        !message.chars().any(char::is_control),
        "control characters in {message:?}"
    );
    let shown = format!("{e} {e:?}");
    for s in secrets {
        assert!(!shown.contains(s), "a secret in: {shown}");
    }
}

/// The sentinels an error must not show, given the fuzzer `input` it came from: none that the
/// input itself holds (a caller's own text may be echoed back: an unknown method, a path).
pub fn secrets_absent_from(input: &[u8]) -> Vec<&'static str> {
    [SENTINEL_PASSWORD, SENTINEL_TOKEN]
        .into_iter()
        .filter(|s| !input.windows(s.len()).any(|w| w == s.as_bytes()))
        .collect()
}
