//! The tests that re-run their own executable as other processes (other PHP workers, other
//! machines): on the child side a storm of threads released together and one-line replies;
//! on the parent side an [`Agent`] that drives one child line by line.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command};
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

/// A child process answering one line per command. Killed when dropped.
pub struct Agent {
    child: Child,
    stdin: ChildStdin,
    out: BufReader<ChildStdout>,
}

impl Agent {
    /// Spawns `cmd` (with piped stdin and stdout); returns the child and its first line.
    pub fn start(mut cmd: Command) -> (Agent, String) {
        let mut child = cmd.spawn().expect("spawn child");
        let stdin = child.stdin.take().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut agent = Agent { child, stdin, out };
        let first = agent.read_line();
        (agent, first)
    }

    /// Spawns `cmd` and checks that the child says `ready`.
    pub fn start_ready(cmd: Command) -> Agent {
        let (agent, first) = Agent::start(cmd);
        assert_eq!(first, "ready", "the child could not start");
        agent
    }

    /// The child's next line, without its line end.
    pub fn read_line(&mut self) -> String {
        let mut line = String::new();
        self.out.read_line(&mut line).expect("read from child");
        assert!(!line.is_empty(), "the child exited early");
        line.trim_end().to_string()
    }

    /// Sends one line to the child.
    pub fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends one line and reads the answer.
    pub fn ask(&mut self, line: &str) -> String {
        self.send(line);
        self.read_line()
    }

    /// The value of an `ok` answer.
    pub fn ok(&mut self, line: &str) -> String {
        let answer = self.ask(line);
        match answer.strip_prefix("ok ") {
            Some(v) => v.to_string(),
            None => panic!("`{line}` failed in the child: {answer}"),
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no destructor, no lock release, no renewal any more.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
