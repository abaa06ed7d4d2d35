#!/usr/bin/env bash
# `make bench-http`: signed keep-alive GETs of a small JSON, one connection, the body read,
# measured side by side in one run, from wrk (the limit) and from each language's native HTTP
# client (a fixed Authorization header) next to authtoken's own request call. One table.
#
# A private nginx on a free 127.0.0.1 port answers GET .../api/bench/ itself (a fixed JSON)
# and passes every other path (the login and logout endpoints) to the emulator, so clients
# whose base_url is nginx's /tpstreams prefix log in through nginx and their signed GETs are
# answered by nginx alone. Run it through scripts/with-emulator.sh (the Makefile does); the
# nginx it starts is stopped on exit, failure included.
#
# Environment: AUTHTOKEN_EMULATOR (set by with-emulator.sh), BENCH_HTTP_S (seconds per row,
# default 3; the runners split it into BENCH_HTTP_ROUNDS interleaved rounds and keep each
# row's best), BENCH_HTTP_LANGS (default "rust c php ruby python"), BENCH_HTTP_RUST and
# BENCH_HTTP_C (the built Rust and C runners), AUTHTOKEN_LIB (the release library, for PHP and Ruby), BENCH_HTTP_PYTHON (the
# venv's python with the wheel installed), PHP, RUBY.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${AUTHTOKEN_EMULATOR:?run through scripts/with-emulator.sh (make bench-http)}"
seconds=${BENCH_HTTP_S:-3}
langs=${BENCH_HTTP_LANGS:-rust c php ruby python}
password=${AUTHTOKEN_TEST_PASSWORD:-demo-password}
bench_path=/api/bench/

work=$(mktemp -d /tmp/authtoken-bench-http.XXXXXX)
chmod 755 "$work"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
upstream=${AUTHTOKEN_EMULATOR#http://}
upstream=${upstream%/}
mkdir -p "$work/tmp"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    # One connection lasts the whole run.
    keepalive_requests 1000000000;
    keepalive_timeout 600s;
    server {
        listen 127.0.0.1:$port;
        # /api/bench/ under any service prefix (/tpstreams/api/bench/): answered here.
        location ~ /api/bench/\$ {
            default_type application/json;
            return 200 '{"id":"bench","ok":true,"items":[1,2,3],"n":42}';
        }
        # Everything else (login, logout): the emulator.
        location / {
            proxy_pass http://$upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
nginx -e "$work/error.log" -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
base="http://127.0.0.1:$port/tpstreams"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$base$bench_path" 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/error.log" >&2; echo "nginx failed to start" >&2; exit 1; }
  sleep 0.05
done
curl -fsS -o /dev/null "$base$bench_path" || { cat "$work/error.log" >&2; echo "nginx does not answer" >&2; exit 1; }

export BENCH_HTTP_BASE=$base BENCH_HTTP_PATH=$bench_path BENCH_HTTP_S=$seconds BENCH_HTTP_PASSWORD=$password

# wrk's fixed header: a real token, logged in through nginx (the emulator issues it).
wrk_user="bench-http-wrk-$$"
token=$(curl -fsS -H 'Content-Type: application/json' \
  --data "{\"username\": \"$wrk_user@example.com\", \"password\": \"$password\", \"organization_id\": \"$wrk_user\"}" \
  "$base/api/auth/login/" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

results="$work/results"
: >"$results"
failed=()
# wrk runs twice, before the languages and after them, for half the row's seconds each (at
# least 1); its best run is the limit, so that one slow moment of the machine does not move
# every ratio.
wrk_seconds=$(python3 -c "import sys; print(max(1, round(float(sys.argv[1]) / 2)))" "$seconds")
wrk_rates=()
run_wrk() {
  local out rate
  out=$(wrk -t1 -c1 -d"${wrk_seconds}s" -H "Authorization: Token $token" "$base$bench_path")
  rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  if [ -n "$rate" ] && ! grep -q "Non-2xx" <<<"$out"; then
    wrk_rates+=("$rate")
  else
    echo "$out" >&2
    failed+=(wrk)
  fi
}
run_wrk

# Runs one language's runner; keeps its row/mem lines, lets its stderr through.
run() {
  local lang=$1
  shift
  local out
  if out=$("$@"); then
    grep -E '^(row|mem)	' <<<"$out" >>"$results" || true
  else
    grep -E '^(row|mem)	' <<<"$out" >>"$results" || true
    echo "bench-http: the $lang rows failed" >&2
    failed+=("$lang")
  fi
}

for lang in $langs; do
  case $lang in
    rust)
      run rust "${BENCH_HTTP_RUST:?BENCH_HTTP_RUST: the built Rust runner}"
      run rust env BENCH_HTTP_MODE=mem "$BENCH_HTTP_RUST"
      ;;
    c)
      run c "${BENCH_HTTP_C:?BENCH_HTTP_C: the built C runner}" rate
      run c "$BENCH_HTTP_C" mem
      ;;
    php) run php "${PHP:-php}" "$root/bindings/php/bench/bench_http.php" ;;
    ruby) run ruby "${RUBY:-ruby}" "$root/bindings/ruby/bench/bench_http.rb" ;;
    python) run python "${BENCH_HTTP_PYTHON:?BENCH_HTTP_PYTHON: the venv python}" "$root/bindings/python/bench/bench_http.py" ;;
    *) echo "BENCH_HTTP_LANGS: unknown language $lang (rust c php ruby python)" >&2; failed+=("$lang") ;;
  esac
done

run_wrk
if [ ${#wrk_rates[@]} -gt 0 ]; then
  best=$(printf '%s\n' "${wrk_rates[@]}" | sort -g | tail -n1)
  # The limit goes first in the table.
  { printf 'row\twrk\tlimit\twrk -t1 -c1, fixed header (best of 2)\t%s\n' "$best"; cat "$results"; } >"$results.tmp"
  mv "$results.tmp" "$results"
fi

echo
echo "Signed keep-alive GET $base$bench_path: a 47-byte JSON answered by nginx $(nginx -v 2>&1 | sed 's|.*/||'),"
echo "one connection per row, the body read"
echo "(${seconds} s per row in ${BENCH_HTTP_ROUNDS:-3} rounds, a language's rows taking turns, each row's best round;"
echo " wrk before and after the languages, best of the two: $(printf '%.0f ' "${wrk_rates[@]}")req/s;"
echo " the languages one after another on this shared machine: compare ratios)"
echo
awk -F'\t' '
  $1 == "row" { n++; lang[n] = $2; role[n] = $3; label[n] = $4; rate[n] = $5
                if ($3 == "limit") limit = $5
                if ($3 == "native") { natives[$2] = natives[$2] (natives[$2] == "" ? "" : SUBSEP) n } }
  $1 == "mem" { m++; mem[m] = sprintf("  %-6s %-80s %s", $2, $3, $4) }
  END {
    printf "| %-6s | %-48s | %10s | %7s | %-52s |\n", "lang", "client", "req/s", "vs wrk", "vs native"
    printf "|%s|%s|%s|%s|%s|\n", "--------", "--------------------------------------------------", "------------:", "--------:", "------------------------------------------------------"
    for (i = 1; i <= n; i++) {
      vsn = "-"
      if (role[i] == "binding" && natives[lang[i]] != "") {
        vsn = ""
        k = split(natives[lang[i]], idx, SUBSEP)
        for (j = 1; j <= k; j++) {
          short = label[idx[j]]; sub(/,.*/, "", short)
          vsn = vsn (j > 1 ? ", " : "") sprintf("%.2fx %s", rate[i] / rate[idx[j]], short)
        }
      }
      vsw = limit > 0 ? sprintf("%.2f", rate[i] / limit) : "n/a"
      printf "| %-6s | %-48s | %10s | %7s | %-52s |\n", lang[i], label[i], sprintf("%.0f", rate[i]), vsw, vsn
    }
    if (m > 0) {
      print ""
      print "Memory (VmRSS from /proc/self/status, fresh processes, cache: memory)"
      for (i = 1; i <= m; i++) print mem[i]
    }
  }' "$results"

if [ ${#failed[@]} -gt 0 ]; then
  echo "bench-http: FAILED rows: ${failed[*]}" >&2
  exit 1
fi
