//! Keep-alive connections the server closes while they sit idle in the pool (a short
//! `keepalive_timeout`, a proxy's idle timeout), and requests made from inside a caller's own
//! async runtime. No request may fail for either, even with retries turned off.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::client_from;
use serde_json::json;

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";

/// How many connections and requests a [`ClosingServer`] has seen.
#[derive(Default)]
struct Counts {
    connections: AtomicUsize,
    requests: AtomicUsize,
}

/// A CruxConnect-shaped server on 127.0.0.1 that answers every request with keep-alive and
/// then closes the connection once it has been idle for `idle`.
struct ClosingServer {
    port: u16,
    counts: Arc<Counts>,
}

impl ClosingServer {
    fn start(idle: Duration) -> ClosingServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Counts::default());
        let shared = Arc::clone(&counts);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let counts = Arc::clone(&shared);
                thread::spawn(move || serve(stream, idle, &counts));
            }
        });
        ClosingServer { port, counts }
    }

    fn client(&self) -> authtoken::Client {
        client_from(&json!({
            "provider": "cruxconnect", "username": "u", "password": "p",
            "base_url": format!("http://127.0.0.1:{}", self.port), "cache": "memory",
            "max_retries": 0,
        }))
    }

    fn connections(&self) -> usize {
        self.counts.connections.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.counts.requests.load(Ordering::SeqCst)
    }
}

/// Serves requests on one connection until it has been idle for `idle`, then closes it.
fn serve(stream: TcpStream, idle: Duration, counts: &Counts) {
    stream.set_read_timeout(Some(idle)).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) | Err(_) => return, // closed by the client, or idle for too long
            Ok(_) => {}
        }
        let mut content_length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body).unwrap();
        counts.requests.fetch_add(1, Ordering::SeqCst);
        let answer = if request_line.starts_with("POST /timp/organizations/user-login/") {
            format!(r#"{{"auth_token":"{TOKEN}"}}"#)
        } else {
            r#"{"ok":true}"#.to_string()
        };
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: keep-alive\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn a_connection_the_server_closed_while_idle_is_not_reused() {
    let server = ClosingServer::start(Duration::from_millis(30));
    let client = server.client();
    assert_eq!(client.token().unwrap().secret(), TOKEN);
    for round in 1..=3 {
        // Longer than the server's idle timeout: the pooled connection is closed by now.
        thread::sleep(Duration::from_millis(150));
        let get = client.get("/api/items/").unwrap();
        assert_eq!(get.status(), 200, "GET in round {round}");
        let post = client
            .request("POST", "/api/items/", &[], Some(b"{}".as_slice()))
            .unwrap();
        assert_eq!(post.status(), 200, "POST in round {round}");
    }
    // The login, then a GET and a POST per round, the GET on a new connection each time.
    assert_eq!(server.requests(), 7);
    assert_eq!(server.connections(), 4);
}

#[test]
fn back_to_back_requests_share_one_connection() {
    let server = ClosingServer::start(Duration::from_secs(5));
    let client = server.client();
    for _ in 0..50 {
        assert_eq!(client.get("/api/items/").unwrap().status(), 200);
    }
    assert_eq!(server.requests(), 51);
    assert_eq!(server.connections(), 1);
}

#[test]
fn requests_from_inside_a_callers_async_runtime_work() {
    let server = ClosingServer::start(Duration::from_secs(5));
    let client = server.client();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let status = runtime.block_on(async { client.get("/api/items/").unwrap().status() });
    assert_eq!(status, 200);
    // A client dropped inside an async task does not panic either.
    runtime.block_on(async move { drop(client) });
    assert_eq!(server.requests(), 2);
}

#[test]
fn an_empty_body_is_sent_with_a_content_length_of_zero() {
    let emu = common::emulator();
    let client = common::client(&emu, "tpstreams", "empty-put");
    let put = client
        .request("PUT", "/api/echo/", &[], Some(b"".as_slice()))
        .unwrap();
    let sent = common::echo(&put);
    assert_eq!(sent["method"], "PUT");
    assert_eq!(sent["body"], "");
    assert_eq!(sent["headers"]["content-length"], "0", "{sent}");
    let get = common::echo(&client.get("/api/echo/").unwrap());
    assert!(get["headers"].get("content-length").is_none(), "{get}");
}
