#!/usr/bin/env bash
# Runs a command with a private redis-server (Debian's package) on a free loopback port, with
# no persistence, then stops it. The command sees AUTHTOKEN_REDIS_URL (redis://127.0.0.1:PORT)
# and AUTHTOKEN_REDIS_SERVER (the binary, for tests that start servers of their own).
# Usage: scripts/with-redis.sh COMMAND [ARG...]
set -euo pipefail
bin=${AUTHTOKEN_REDIS_SERVER:-$(command -v redis-server || true)}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "with-redis.sh: redis-server not found; install it with: make deps-redis" >&2
  exit 1
fi
workdir=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Answers PING on 127.0.0.1:$1 (bash's /dev/tcp: no redis-cli needed).
pong() {
  local reply=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 1 reply <&3 || true
  exec 3<&- 3>&-
  [[ "$reply" == +PONG* ]]
}

for _ in 1 2 3 4 5; do
  port=$(free_port)
  "$bin" --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no \
    --dir "$workdir" --logfile "$workdir/redis.log" </dev/null >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    pong "$port" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if pong "$port"; then
    break
  fi
  # The port was taken between the probe and the start: try another.
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
if [ -z "$pid" ]; then
  cat "$workdir/redis.log" >&2 || true
  echo "with-redis.sh: redis-server did not start" >&2
  exit 1
fi
export AUTHTOKEN_REDIS_URL="redis://127.0.0.1:$port"
export AUTHTOKEN_REDIS_SERVER="$bin"
"$@"
