# frozen_string_literal: true

# The Ruby rows of `make bench-http` (scripts/bench-http.sh): signed keep-alive GETs of a small
# JSON answered by a local nginx, on one connection, the body read. Prints figures; asserts
# nothing about time.
#
# Rows: Net::HTTP on one persistent connection with a fixed Authorization header (the native
# client), then the binding's Client#get. Each prints
# "row<TAB>ruby<TAB>native|binding<TAB>label<TAB>req/s".
#
# Environment (the script sets it): BENCH_HTTP_BASE (the client's base_url, nginx's /tpstreams
# prefix, whose logins nginx passes on to the emulator), BENCH_HTTP_PATH (/api/bench/),
# BENCH_HTTP_S (seconds per row), BENCH_HTTP_ROUNDS (interleaved rounds the seconds are split
# into, 3), BENCH_HTTP_PASSWORD, AUTHTOKEN_LIB.

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "authtoken"
require "net/http"

BASE = ENV.fetch("BENCH_HTTP_BASE") { abort "set BENCH_HTTP_BASE (make bench-http runs this benchmark)" }
PASSWORD = ENV.fetch("BENCH_HTTP_PASSWORD") { abort "set BENCH_HTTP_PASSWORD" }
PATH = ENV.fetch("BENCH_HTTP_PATH", "/api/bench/")
SECONDS = Float(ENV.fetch("BENCH_HTTP_S", "3"))
ROUNDS = [Integer(ENV.fetch("BENCH_HTTP_ROUNDS", "3")), 1].max

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

# Requests per second of the block over about +seconds+, after a 0.2 s warm-up.
def rate(seconds, &request)
  warm = now + 0.2
  request.call while now < warm
  count = 0
  start = now
  loop do
    64.times { request.call }
    count += 64
    elapsed = now - start
    return count / elapsed if elapsed >= seconds
  end
end

def row(role, label, value)
  puts format("row\truby\t%<role>s\t%<label>s\t%<value>.1f", role: role, label: label, value: value)
  $stdout.flush
end

tag = "bench-http-ruby-#{Process.pid}"
client = AuthToken::Client.new(provider: :tpstreams, base_url: BASE, username: "#{tag}@example.com",
                               password: PASSWORD, organization_id: tag, cache: "memory")
header = client.authorization_header

uri = URI("#{BASE.chomp("/")}#{PATH}")
http = Net::HTTP.new(uri.host, uri.port)
http.start
native = lambda do
  response = http.request(Net::HTTP::Get.new(uri.request_uri, "Authorization" => header))
  raise "Net::HTTP: HTTP #{response.code}" unless response.code == "200" && !response.body.empty?
end
ours = lambda do
  response = client.get(PATH)
  raise "authtoken: HTTP #{response.status}" unless response.status == 200 && !response.body.empty?
end

# The rows in turns: ROUNDS rounds of SECONDS / ROUNDS each, interleaved, each row's best round
# kept (a burst of load from elsewhere on the machine then does not favour one row).
rows = [["native", "Net::HTTP, persistent connection, fixed header", native],
        ["binding", "authtoken Client#get", ours]]
best = Array.new(rows.size, 0.0)
ROUNDS.times do
  rows.each_with_index { |(_, _, request), i| best[i] = [best[i], rate(SECONDS / ROUNDS, &request)].max }
end
rows.each_with_index { |(role, label, _), i| row(role, label, best[i]) }
http.finish
client.close
