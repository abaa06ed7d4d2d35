//! A client created before `fork()` works in the child (PHP-FPM, gunicorn --preload, Ruby
//! and Python multiprocessing all fork after loading): the child builds its own HTTP stack
//! instead of waiting forever on the parent's runtime thread.

mod common;

use std::time::{Duration, Instant};

use common::*;

#[test]
fn a_client_created_before_fork_works_in_the_child() {
    let emu = emulator();
    let c = client(&emu, "tpstreams", "forker");
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    // SAFETY: fork() in a test process; the child only uses the client, then _exit()s
    // without running destructors or returning into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = c
            .get("/api/echo/")
            .map(|r| r.status() == 200)
            .unwrap_or(false);
        drop(c); // dropping the inherited client must not hang or abort either
                 // SAFETY: _exit is async-signal-safe and ends the child at once.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let started = Instant::now();
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child with a valid status pointer.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            // SAFETY: killing and reaping our own child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!("the forked child hung using its parent's client");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(libc::WIFEXITED(status), "child died: status {status}");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "the child's signed request failed"
    );
    // The parent's client still works, and the token was shared (one login).
    assert_eq!(c.get("/api/echo/").unwrap().status(), 200);
    assert_eq!(emu.login_count("tpstreams", "forker"), 1);
    assert_eq!(emu.request_count("tpstreams", "forker"), 3);
}
