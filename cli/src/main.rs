//! `authtoken`: one cached token per identity for shell scripts, cron jobs, curl and HTTPie.
//!
//! Every command goes through the authtoken library: a token is reused from the cache shared
//! by every process (and every language) of the user, and a login happens only when there is
//! no valid token. See docs/cli.md.

mod commands;
mod failure;
mod session;
mod settings;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Args, Parser, Subcommand};
use zeroize::Zeroize;

use crate::failure::Failure;
use crate::session::{Password, Session};
use crate::settings::{Flags, SettingsError};

const MAIN_AFTER_HELP: &str = "\
Settings, highest precedence first:
  1. flags (--provider, --username, ..., --set KEY=VALUE for any config key)
  2. environment variables AUTHTOKEN_<KEY> (AUTHTOKEN_PROVIDER, AUTHTOKEN_USERNAME,
     AUTHTOKEN_ORGANIZATION_ID, AUTHTOKEN_BASE_URL, AUTHTOKEN_CACHE_DIR, ...)
  3. a profile of the config file, $XDG_CONFIG_HOME/authtoken/config.toml
     (default ~/.config/authtoken/config.toml; --config FILE or AUTHTOKEN_CONFIG to change),
     chosen by --profile NAME, AUTHTOKEN_PROFILE, the file's `default_profile`, or [profiles.default]

The password is never a flag: it comes from AUTHTOKEN_PASSWORD, --password-stdin, or a
prompt without echo when stdin is a terminal, and only when a login is needed.

Exit status: 0 ok; 1 local I/O failure; 2 usage; 4 / 5 `request` got HTTP 4xx / 5xx;
10 + error code for library errors: 11 invalid_config, 12 invalid_credentials, 13 token_limit,
14 unauthorized, 15 forbidden, 16 rate_limited, 17 network, 18 timeout, 19 tls, 20 server,
21 protocol, 22 store, 23 lock_timeout, 24 invalid_argument, 25 http_status, 26 internal.

Examples:
  export AUTHTOKEN_PROVIDER=tpstreams AUTHTOKEN_USERNAME=hari@example.com AUTHTOKEN_ORGANIZATION_ID=auhf2k
  authtoken login                      # asks for the password once, caches the token
  curl -H \"Authorization: $(authtoken header)\" https://app.tpstreams.com/api/v1/auhf2k/assets/
  authtoken request GET /api/v1/auhf2k/assets/ --query page=2
  authtoken --profile work status
  authtoken logout";

/// Tokens for shell scripts, curl and HTTPie: log in once, reuse the token everywhere.
///
/// Logs in to TPStreams, Testpress, CruxConnect (or a `custom` service) only when no valid
/// token is cached, shares the token with every other process of the user, signs requests
/// with it, and revokes it on logout.
#[derive(Parser)]
#[command(name = "authtoken", version, after_help = MAIN_AFTER_HELP, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,

    #[command(subcommand)]
    command: Command,
}

/// No `Debug`: it holds a refused `--password` value until it is wiped.
#[derive(Args)]
struct GlobalArgs {
    /// Use this profile of the config file [env: AUTHTOKEN_PROFILE]
    #[arg(long, short = 'p', global = true, value_name = "NAME")]
    profile: Option<String>,

    /// Read profiles from this file instead of ~/.config/authtoken/config.toml [env: AUTHTOKEN_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Service: tpstreams, tpstreams-legacy, testpress, cruxconnect, custom [env: AUTHTOKEN_PROVIDER]
    #[arg(long, global = true, value_name = "NAME", help_heading = "Settings")]
    provider: Option<String>,

    /// Username (for TPStreams an e-mail address) [env: AUTHTOKEN_USERNAME]
    #[arg(
        long,
        short = 'u',
        global = true,
        value_name = "USER",
        help_heading = "Settings"
    )]
    username: Option<String>,

    /// TPStreams organization id [env: AUTHTOKEN_ORGANIZATION_ID]
    #[arg(
        long,
        visible_alias = "org",
        global = true,
        value_name = "ID",
        help_heading = "Settings"
    )]
    organization_id: Option<String>,

    /// Testpress institute subdomain (`demo` for demo.testpress.in) [env: AUTHTOKEN_SUBDOMAIN]
    #[arg(long, global = true, value_name = "NAME", help_heading = "Settings")]
    subdomain: Option<String>,

    /// Base URL of the service, instead of the provider's own [env: AUTHTOKEN_BASE_URL]
    #[arg(long, global = true, value_name = "URL", help_heading = "Settings")]
    base_url: Option<String>,

    /// Where tokens are kept: file (default), memory, or a redis:// URL [env: AUTHTOKEN_CACHE]
    #[arg(long, global = true, value_name = "SPEC", help_heading = "Settings")]
    cache: Option<String>,

    /// Directory of the file cache [env: AUTHTOKEN_CACHE_DIR]
    #[arg(long, global = true, value_name = "DIR", help_heading = "Settings")]
    cache_dir: Option<String>,

    /// Any config key, e.g. --set timeout_ms=5000 (an empty VALUE unsets it) [env: AUTHTOKEN_<KEY>]
    #[arg(
        long = "set",
        short = 's',
        global = true,
        value_name = "KEY=VALUE",
        help_heading = "Settings"
    )]
    set: Vec<String>,

    /// Read the password from stdin (one line; a trailing newline is dropped)
    #[arg(long, global = true, help_heading = "Password")]
    password_stdin: bool,

    /// Refused: use AUTHTOKEN_PASSWORD, --password-stdin, or the prompt
    #[arg(long, global = true, hide = true, value_name = "PASSWORD")]
    password: Option<String>,

    /// Log more to stderr (-v: what the library does, -vv: debug)
    #[arg(long, short = 'v', global = true, action = ArgAction::Count)]
    verbose: u8,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the Authorization header value (`Token 3f…`), logging in only if needed
    #[command(after_help = "\
Examples:
  curl -H \"Authorization: $(authtoken header)\" https://app.tpstreams.com/api/v1/auhf2k/assets/
  http https://app.tpstreams.com/api/v1/auhf2k/assets/ \"Authorization:$(authtoken header)\"
  AUTHTOKEN_PASSWORD=… authtoken --profile work header")]
    Header,

    /// Print the bare token, logging in only if needed
    #[command(after_help = "\
Examples:
  TOKEN=$(authtoken token)
  authtoken --provider cruxconnect -u ops@example.com token")]
    Token,

    /// Make a signed request and print the response body
    #[command(after_help = "\
The body is pretty-printed JSON on a terminal and left as received otherwise (--pretty, --raw
to choose). The exit status is 4 for a 4xx answer and 5 for a 5xx answer; the body is printed
all the same. On a 401 the token is replaced once (a new login) and the request sent again.

Examples:
  authtoken request GET /api/v1/auhf2k/assets/ --query page=2
  authtoken request POST /api/v1/auhf2k/assets/videos/ --json '{\"title\": \"Intro\"}'
  authtoken request PUT /api/items/7/ --data @item.json -H 'Content-Type: application/json'
  authtoken request GET https://app.tpstreams.com/api/v1/auhf2k/assets/ --include")]
    Request(RequestArgs),

    /// Obtain a token (or reuse the cached one) and say who and until when
    #[command(after_help = "\
Examples:
  authtoken --provider tpstreams -u hari@example.com --org auhf2k login
  printf '%s\\n' \"$PASSWORD\" | authtoken --profile work --password-stdin login")]
    Login,

    /// Revoke the token on the server and remove it from the cache
    #[command(after_help = "\
Services without a logout endpoint (TPStreams legacy, CruxConnect) keep accepting the token
until it expires; it is removed from the cache all the same. No password is needed.

Examples:
  authtoken logout
  authtoken --profile work logout")]
    Logout,

    /// List the cached identities: provider, user, organization, expiry (never the tokens)
    #[command(after_help = "\
Examples:
  authtoken status
  authtoken status --json | jq '.[].username'
  authtoken --cache-dir /var/cache/myapp/authtoken status")]
    Status(StatusArgs),

    /// Manage the token cache
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Args, Debug)]
struct RequestArgs {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS
    method: String,

    /// A path below the base URL (/api/v1/…) or a full URL on the same origin
    path_or_url: String,

    /// JSON body (text, @FILE, or @- for stdin); sets Content-Type: application/json
    #[arg(long, value_name = "BODY", conflicts_with = "data")]
    json: Option<String>,

    /// Raw body (text, @FILE, or @- for stdin), sent as it is
    #[arg(long, short = 'd', value_name = "DATA")]
    data: Option<String>,

    /// Extra header, repeatable: -H 'Accept: application/json'
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// Query parameter, repeatable and URL-encoded: --query search='a b'
    #[arg(long, short = 'q', value_name = "NAME=VALUE")]
    query: Vec<String>,

    /// Print the status line and the response headers before the body
    #[arg(long, short = 'i')]
    include: bool,

    /// Pretty-print a JSON body even when stdout is not a terminal
    #[arg(long, conflicts_with = "raw")]
    pretty: bool,

    /// Print the body exactly as received, even on a terminal
    #[arg(long)]
    raw: bool,
}

#[derive(Args, Debug)]
struct StatusArgs {
    /// Print a JSON array instead of a table
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum CacheCommand {
    /// Remove the cached token of this identity (or of every identity) without revoking it
    #[command(after_help = "\
The tokens are not revoked on the server (use `authtoken logout` for that); the next command
logs in again.

Examples:
  authtoken --profile work cache clear
  authtoken cache clear --all")]
    Clear(ClearArgs),
}

#[derive(Args, Debug)]
struct ClearArgs {
    /// Remove every identity's token from the cache, not only this one's
    #[arg(long)]
    all: bool,
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    init_logging(cli.global.verbose);
    match run(&mut cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let _ = writeln!(std::io::stderr(), "{}", failure.line());
            ExitCode::from(failure.exit_status())
        }
    }
}

fn run(cli: &mut Cli) -> Result<(), Failure> {
    if let Some(mut refused) = cli.global.password.take() {
        refused.zeroize();
        return Err(Failure::Usage(settings::password_refusal("--password")));
    }
    let g = &cli.global;
    let mut keys = Vec::new();
    for (key, flag, value) in [
        ("provider", "--provider", &g.provider),
        ("username", "--username", &g.username),
        ("organization_id", "--organization-id", &g.organization_id),
        ("subdomain", "--subdomain", &g.subdomain),
        ("base_url", "--base-url", &g.base_url),
        ("cache", "--cache", &g.cache),
        ("cache_dir", "--cache-dir", &g.cache_dir),
    ] {
        if let Some(v) = value {
            keys.push((key, flag, v.clone()));
        }
    }
    let flags = Flags {
        profile: g.profile.clone(),
        config: g.config.clone(),
        keys,
        set: g.set.clone(),
    };
    let env = |name: &str| std::env::var(name).ok();
    let settings = settings::load(&flags, &env).map_err(|e| match e {
        SettingsError::Usage(m) => Failure::Usage(m),
        SettingsError::Invalid(m) => Failure::Lib(authtoken::Error::new(
            authtoken::ErrorKind::InvalidConfig,
            m,
        )),
    })?;

    if let Command::Request(args) = &cli.command {
        let reads_stdin = [&args.json, &args.data]
            .iter()
            .any(|b| b.as_deref() == Some("@-"));
        if reads_stdin && g.password_stdin {
            return Err(Failure::Usage(
                "--password-stdin and a body from @- both read stdin; put the body in a file or the password in AUTHTOKEN_PASSWORD".into(),
            ));
        }
    }
    let needs_password = matches!(
        cli.command,
        Command::Header | Command::Token | Command::Login | Command::Request(_)
    );
    let password = if needs_password || g.password_stdin {
        Password::detect(g.password_stdin)?
    } else {
        Password::Missing
    };
    let mut session = Session::new(settings, password);
    match &cli.command {
        Command::Header => commands::header(&mut session),
        Command::Token => commands::token(&mut session),
        Command::Request(args) => commands::request(
            &mut session,
            &commands::RequestOptions {
                method: &args.method,
                path_or_url: &args.path_or_url,
                json: args.json.as_deref(),
                data: args.data.as_deref(),
                headers: &args.headers,
                query: &args.query,
                include: args.include,
                pretty: args.pretty,
                raw: args.raw,
            },
        ),
        Command::Login => commands::login(&mut session),
        Command::Logout => commands::logout(&mut session),
        Command::Status(args) => commands::status(&session, args.json),
        Command::Cache(CacheCommand::Clear(args)) => commands::cache_clear(&session, args.all),
    }
}

/// Library log lines (warnings by default) go to stderr as `authtoken: warning: …`.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Off)
        .filter_module("authtoken", level)
        .format(|buf, record| {
            let message = record.args().to_string();
            let message = message.strip_prefix("authtoken: ").unwrap_or(&message);
            let level = match record.level() {
                log::Level::Error => "error",
                log::Level::Warn => "warning",
                log::Level::Info => "info",
                log::Level::Debug | log::Level::Trace => "debug",
            };
            writeln!(buf, "authtoken: {level}: {message}")
        })
        .init();
}
