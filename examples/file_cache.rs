//! One token shared by every process: run this twice and the second run logs in no more.
//!
//! ```sh
//! scripts/with-emulator.sh sh -c 'cargo run -q --example file_cache; cargo run -q --example file_cache'
//! ```
//!
//! It talks to the local emulator (`AUTHTOKEN_EMULATOR`, set by `scripts/with-emulator.sh`)
//! and keeps its token where every authtoken user does: `cache_dir`, else
//! `$AUTHTOKEN_CACHE_DIR`, else `$XDG_CACHE_HOME/authtoken`, else `~/.cache/authtoken`.

use authtoken::Client;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = std::env::var("AUTHTOKEN_EMULATOR")
        .map_err(|_| "run me with scripts/with-emulator.sh (AUTHTOKEN_EMULATOR is not set)")?;
    let client = Client::from_json(
        &json!({
            "provider": "tpstreams",
            "username": "example@example.com",
            "password": "demo-password",
            "organization_id": "example-org",
            "base_url": format!("{emulator}/tpstreams"),
        })
        .to_string(),
    )?;
    let reused = client.cached_token()?.is_some();
    let status = client.get("/api/echo/")?.status();
    println!(
        "pid {}: {} ({}), GET /api/echo/ -> {status}",
        std::process::id(),
        if reused {
            "reused the cached token"
        } else {
            "logged in"
        },
        client.store_description(),
    );
    let stats: serde_json::Value = serde_json::from_slice(
        &reqwest::blocking::get(format!("{emulator}/_emulator/stats"))?.bytes()?,
    )?;
    println!(
        "logins counted by the emulator: {}",
        stats["logins"]["tpstreams"]["example@example.com"]
    );
    Ok(())
}
