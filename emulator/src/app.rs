//! The handle every connection and handler shares ([`App`]): the emulator's state under its
//! lock, the JWT secret, the request logger and the token log.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::state::State as EmuState;

/// State shared by every connection of one emulator instance.
#[derive(Debug)]
pub(crate) struct Shared {
    pub state: Mutex<EmuState>,
    pub secret: [u8; 32],
    pub log: Option<Logger>,
    /// Where every issued token is appended ([`crate::Options::token_log`]).
    pub token_log: Option<std::path::PathBuf>,
}

impl Shared {
    /// Appends `token` to the token log, if any (one `write` of a line with O_APPEND, so
    /// concurrent emulators may share the file). A failure is reported once per token on
    /// stderr without the token.
    pub(crate) fn record_token(&self, token: &str) {
        let Some(path) = &self.token_log else { return };
        let res = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{token}\n").as_bytes()));
        if let Err(e) = res {
            eprintln!(
                "authtoken-emulator: cannot append to the token log {}: {e}",
                path.display()
            );
        }
    }
}

/// Request logging that never blocks a request: lines go through a bounded queue to a
/// thread that writes them to stderr (dropping lines when stderr is not being read).
#[derive(Debug)]
pub(crate) struct Logger(std::sync::mpsc::SyncSender<LogMsg>);

#[derive(Debug)]
pub(crate) enum LogMsg {
    Line(String),
    Flush(std::sync::mpsc::Sender<()>),
}

impl Logger {
    pub fn start() -> std::io::Result<Logger> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<LogMsg>(4096);
        std::thread::Builder::new()
            .name("authtoken-emulator-log".into())
            .spawn(move || {
                use std::io::Write;
                for msg in rx {
                    match msg {
                        LogMsg::Line(line) => {
                            let mut err = std::io::stderr().lock();
                            let _ = writeln!(err, "{line}");
                        }
                        LogMsg::Flush(ack) => {
                            let _ = std::io::stderr().flush();
                            let _ = ack.send(());
                        }
                    }
                }
            })?;
        Ok(Logger(tx))
    }

    fn line(&self, line: String) {
        let _ = self.0.try_send(LogMsg::Line(line));
    }

    /// Wait (at most `timeout`) until the lines queued so far are written.
    pub fn flush(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let (ack_tx, ack_rx) = std::sync::mpsc::channel();
        let mut msg = LogMsg::Flush(ack_tx);
        loop {
            match self.0.try_send(msg) {
                Ok(()) => break,
                Err(std::sync::mpsc::TrySendError::Full(m)) if Instant::now() < deadline => {
                    msg = m;
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return,
            }
        }
        let _ = ack_rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
    }
}

impl Shared {
    /// Log one line (when logging is on).
    pub fn log(&self, line: String) {
        if let Some(l) = &self.log {
            l.line(line);
        }
    }

    /// Wait briefly for queued log lines to reach stderr.
    pub fn flush_log(&self) {
        if let Some(l) = &self.log {
            l.flush(Duration::from_millis(500));
        }
    }

    /// Lock the state; a poisoned lock is still usable (the state stays consistent).
    pub fn lock(&self) -> MutexGuard<'_, EmuState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) type App = Arc<Shared>;
