#!/usr/bin/env bash
# The main job of authtoken, watched from a shell: one login, a token shared by separate
# processes, a signed request, a logout that revokes the token for good.
# Runs against the local emulator, never a real service:
#   scripts/with-emulator.sh scripts/demo.sh      (what `make demo` does)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${AUTHTOKEN_EMULATOR:?run this through scripts/with-emulator.sh (it starts the emulator)}"
export PATH="${AUTHTOKEN_BIN_DIR:-$root/target/debug}:$PATH"
command -v authtoken >/dev/null || { echo "demo: build the CLI first: cargo build -p authtoken-cli" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only this demo's settings: a private config file and token cache, no AUTHTOKEN_* from outside.
for var in $(compgen -e | grep '^AUTHTOKEN_' | grep -v '^AUTHTOKEN_EMULATOR'); do unset "$var"; done
export XDG_CONFIG_HOME="$work/config" AUTHTOKEN_CACHE_DIR="$work/cache"
user="demo@example.com"
org="demo-org"
base="$AUTHTOKEN_EMULATOR/tpstreams"

if [ -t 1 ]; then bold=$'\e[1m' green=$'\e[32m' dim=$'\e[2m' off=$'\e[0m'; else bold='' green='' dim='' off=''; fi
step() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
show() { printf '%s$ %s%s\n' "$green" "$*" "$off"; }
note() { printf '%s# %s%s\n' "$dim" "$*" "$off"; }
fail() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }
stat() { curl -fsS "$AUTHTOKEN_EMULATOR/_emulator/stats" | jq --arg u "$user" "$1 // 0"; }
logins() { stat '.logins.tpstreams[$u]'; }
shorten() { sed -E 's/([0-9a-f]{8})[0-9a-f]{56}/\1…/g'; }   # tokens shown as their first 8 characters

step "1. The emulator: a local stand-in for TPStreams"
note "listening on $AUTHTOKEN_EMULATOR; any username logs in with the password demo-password"

step "2. A profile in ~/.config/authtoken/config.toml (no password in it)"
mkdir -p "$XDG_CONFIG_HOME/authtoken"
cat >"$XDG_CONFIG_HOME/authtoken/config.toml" <<EOF
default_profile = "demo"

[profiles.demo]
provider = "tpstreams"
base_url = "$base"
username = "$user"
organization_id = "$org"
EOF
show "cat ~/.config/authtoken/config.toml"
cat "$XDG_CONFIG_HOME/authtoken/config.toml"

step "3. Process 1 logs in (the password comes from stdin, never from the command line)"
show "printf '%s\\n' \"\$PASSWORD\" | authtoken --password-stdin login"
printf '%s\n' demo-password | authtoken --password-stdin login
note "logins counted by the emulator: $(logins)"
[ "$(logins)" -eq 1 ] || fail "expected 1 login"

step "4. Process 2 prints the header: no password given, the cached token is reused"
show "authtoken header"
header=$(authtoken header)
printf '%s\n' "$header" | shorten
note "logins counted by the emulator: $(logins)"

step "5. Process 3: curl with the header, as the service's docs show"
show "curl -s -H \"Authorization: \$(authtoken header)\" $base/api/v1/$org/assets/"
curl -fsS -H "Authorization: $(authtoken header)" "$base/api/v1/$org/assets/" | jq -c .
show "curl -s $AUTHTOKEN_EMULATOR/_emulator/stats | jq -c .logins.tpstreams"
curl -fsS "$AUTHTOKEN_EMULATOR/_emulator/stats" | jq -c .logins.tpstreams
note "three processes, one login"
[ "$(logins)" -eq 1 ] || fail "the second and third process logged in again"

step "6. A signed request made by authtoken itself"
note "the emulator's echo endpoint answers with what it received: the header and the user it belongs to"
show "authtoken request POST /api/echo/ --json '{\"title\": \"Intro\"}' --pretty"
authtoken request POST /api/echo/ --json '{"title": "Intro"}' --pretty | shorten

step "7. What is cached (tokens are never printed)"
show "authtoken status"
authtoken status

step "8. Log out: the token is revoked on the server and removed from the cache"
show "authtoken logout"
authtoken logout

step "9. The old token is refused"
show "curl -s -H \"Authorization: <the old header>\" $base/api/echo/"
body=$(curl -sS -o - -w '\n%{http_code}' -H "Authorization: $header" "$base/api/echo/")
code=${body##*$'\n'}
printf '%s\n' "${body%$'\n'*}"
note "HTTP $code"
[ "$code" = 401 ] || fail "the revoked token was not refused (HTTP $code)"

step "Done"
note "emulator counted $(logins) login and $(stat '.logouts.tpstreams[$u]') logout for $user"
