//! `authtoken-emulator`: run the emulator until SIGINT or SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use authtoken_emulator::{Emulator, Options, Service};
use clap::Parser;

/// A local stand-in for the TPStreams, Testpress and CruxConnect token-auth APIs.
///
/// Prints `authtoken-emulator listening on http://HOST:PORT` as its first line of stdout,
/// then logs one line per request to stderr. Services live under /tpstreams,
/// /tpstreams-legacy, /testpress and /cruxconnect; the admin API under /_emulator/.
#[derive(Parser, Debug)]
#[command(name = "authtoken-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,

    /// The password that logs in any username [default: $AUTHTOKEN_TEST_PASSWORD if set, else
    /// demo-password].
    #[arg(long)]
    password: Option<String>,

    /// Append every token issued to this file, one per line (for the secrets audit: the file
    /// holds live tokens) [default: $AUTHTOKEN_EMULATOR_TOKEN_LOG if set].
    #[arg(long, value_name = "PATH")]
    token_log: Option<PathBuf>,

    /// Token lifetime of one service, e.g. `testpress=5` or `tpstreams=none`. Repeatable.
    #[arg(long = "token-lifetime", value_name = "SERVICE=SECONDS", value_parser = parse_lifetime)]
    token_lifetime: Vec<(Service, Option<Duration>)>,

    /// Live TPStreams tokens allowed per organization.
    #[arg(long, default_value_t = 20)]
    max_tokens_per_org: usize,

    /// Live Testpress tokens allowed per username (no limit by default).
    #[arg(long)]
    testpress_max_logins: Option<usize>,

    /// Write the base URL (`http://HOST:PORT`) to this file once listening (atomically).
    #[arg(long, value_name = "PATH")]
    addr_file: Option<PathBuf>,

    /// Allow binding to an address that is not loopback.
    #[arg(long)]
    allow_non_loopback: bool,

    /// Do not log requests to stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_lifetime(s: &str) -> Result<(Service, Option<Duration>), String> {
    let (name, secs) = s
        .split_once('=')
        .ok_or_else(|| format!("expected SERVICE=SECONDS, got {s:?}"))?;
    let service: Service = name.trim().parse().map_err(|e| format!("{e}"))?;
    let secs = secs.trim();
    if secs.eq_ignore_ascii_case("none") {
        return Ok((service, None));
    }
    match secs.parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..1e12).contains(&n) => {
            Ok((service, Some(Duration::from_secs_f64(n))))
        }
        _ => Err(format!(
            "expected a non-negative number of seconds or `none`, got {secs:?}"
        )),
    }
}

fn write_addr_file(path: &Path, url: &str) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "addr".into());
    let tmp = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(url.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let defaults = Options::default();
    let mut opts = Options {
        bind: args.bind,
        password: args.password.unwrap_or(defaults.password.clone()),
        token_log: args.token_log.or(defaults.token_log.clone()),
        max_tokens_per_org: args.max_tokens_per_org,
        testpress_max_parallel_logins: args.testpress_max_logins,
        allow_non_loopback: args.allow_non_loopback,
        log_requests: !args.quiet,
        ..defaults
    };
    for (service, lifetime) in args.token_lifetime {
        opts.set_token_lifetime(service, lifetime);
    }

    // Install the signal handlers before announcing readiness, so that a signal sent right
    // after the first line is seen.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("authtoken-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let signals = std::thread::spawn(move || {
        rt.block_on(async move {
            let wait = wait_for_signal();
            tokio::pin!(wait);
            // Poll once so that the handlers are registered.
            tokio::select! {
                biased;
                _ = &mut wait => return,
                _ = std::future::ready(()) => {}
            }
            let _ = ready_tx.send(());
            wait.await;
        })
    });
    let _ = ready_rx.recv();

    let emu = match Emulator::start(opts) {
        Ok(emu) => emu,
        Err(e) => {
            eprintln!("authtoken-emulator: cannot listen on {}: {e}", args.bind);
            return ExitCode::FAILURE;
        }
    };
    let url = emu.root_url();
    if let Some(path) = &args.addr_file {
        if let Err(e) = write_addr_file(path, &url) {
            eprintln!(
                "authtoken-emulator: cannot write --addr-file {}: {e}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
    }
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "authtoken-emulator listening on {url}");
        let _ = out.flush();
    }

    let _ = signals.join();
    // No direct write to stderr from here on: nobody may be reading it (see the logger).
    drop(emu);
    if let Some(path) = &args.addr_file {
        let _ = std::fs::remove_file(path);
    }
    ExitCode::SUCCESS
}
