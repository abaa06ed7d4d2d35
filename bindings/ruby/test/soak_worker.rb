# frozen_string_literal: true

# One long-running Ruby worker of `make soak` (scripts/soak.py). Reads the client
# configuration (JSON without the password, which comes from AUTHTOKEN_PASSWORD) from
# SOAK_CONFIG, then sends signed GETs to /api/echo/ until the file SOAK_STOP exists,
# SOAK_PAUSE_MS apart. Prints one JSON line per request, with wall-clock milliseconds:
# {"ok": true, "t0": ..., "t1": ...}, or "ok": false with "kind" (the error's kind, or
# http_<status> for an answer other than 200) and "msg"; then {"end": <requests>}.

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "json"
require "authtoken"

def now_ms
  Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)
end

def one_request(client)
  response = client.get("/api/echo/")
  return { ok: true } if response.status == 200

  { ok: false, kind: "http_#{response.status}", msg: response.body.byteslice(0, 200).scrub }
rescue AuthToken::Error => e
  { ok: false, kind: e.kind, msg: e.message[0, 300] }
end

client = AuthToken::Client.from_config(JSON.parse(ENV.fetch("SOAK_CONFIG")))
stop = ENV.fetch("SOAK_STOP")
pause = Integer(ENV.fetch("SOAK_PAUSE_MS", "20")) / 1000.0
$stdout.sync = true
count = 0
until File.exist?(stop)
  t0 = now_ms
  record = one_request(client)
  record[:t0] = t0
  record[:t1] = now_ms
  puts JSON.generate(record)
  count += 1
  sleep(pause)
end
puts JSON.generate(end: count)
