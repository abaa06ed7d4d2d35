//! The child side of the tests that re-run their own executable as other processes (other
//! PHP workers, other machines): a storm of threads released together, and one-line replies
//! the parent parses.

use std::io::Write;
use std::sync::{Arc, Barrier};

use authtoken::Client;

/// `ok <value>` or `err <kind> <message>`, on one line.
pub fn reply(result: Result<String, authtoken::Error>) -> String {
    match result {
        Ok(v) => format!("ok {v}"),
        Err(e) => format!("err {} {}", e.kind().name(), e.message().replace('\n', " ")),
    }
}

/// Starts `threads` threads that each ask `client` for the header at the same moment: prints
/// `ready`, waits for a line on stdin (the parent releases every process at once), then
/// prints one reply per thread.
pub fn storm(client: &Client, threads: usize) {
    let start = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (client, start) = (client.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                reply(client.authorization_header())
            })
        })
        .collect();
    println!("ready");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    start.wait();
    let mut out = std::io::stdout().lock();
    for h in handles {
        writeln!(out, "{}", h.join().unwrap()).unwrap();
    }
}
