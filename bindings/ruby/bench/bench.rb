# frozen_string_literal: true

# Figures for the Ruby binding, printed side by side (no assertions). Needs a running emulator
# (AUTHTOKEN_EMULATOR); `make bench-ruby` builds the release library and emulator and runs it.
#
#   1. A warm #authorization_header per call, next to the bare cost of crossing into the
#      library (authtoken_noop).
#   2. Signed GETs per second through Client#get, next to Net::HTTP on one persistent
#      connection sending the same header (taken once, and taken from the client per request),
#      in one thread and in THREADS threads.

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "authtoken"
require "net/http"

ROOT = ENV.fetch("AUTHTOKEN_EMULATOR") { abort "set AUTHTOKEN_EMULATOR (run through scripts/with-emulator.sh)" }
CALLS = Integer(ENV.fetch("BENCH_CALLS", "200000"))
REQUESTS = Integer(ENV.fetch("BENCH_REQUESTS", "3000"))
THREADS = Integer(ENV.fetch("BENCH_THREADS", "4"))
PATH = "/tpstreams/api/echo/"

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

# Seconds per call of the block, over +count+ calls (after count / 10 warm-up calls).
def per_call(count, &block)
  (count / 10).times(&block)
  started = now
  count.times(&block)
  (now - started) / count
end

# Requests per second: +threads+ threads each running the block +count+ / +threads+ times.
def rate(count, threads)
  per_thread = count / threads
  gate = Queue.new
  workers = Array.new(threads) do
    Thread.new do
      state = yield # per-thread setup, e.g. a connection
      gate.pop
      per_thread.times { state.call }
    end
  end
  started = now
  threads.times { gate << :go }
  workers.each(&:join)
  per_thread * threads / (now - started)
end

client = AuthToken::Client.new(provider: :tpstreams, base_url: "#{ROOT}/tpstreams",
                               username: "bench-#{Process.pid}@example.com", password: "demo-password",
                               organization_id: "bench-#{Process.pid}", cache: "memory")
header = client.authorization_header
uri = URI(ROOT)

def net_http(uri)
  http = Net::HTTP.new(uri.host, uri.port)
  http.start
  http
end

puts "authtoken #{AuthToken.library_version} (#{AuthToken.library_path}), ruby #{RUBY_VERSION}, ffi #{FFI::VERSION}"
puts

noop = per_call(CALLS) { AuthToken::Native.authtoken_noop }
warm = per_call(CALLS) { client.authorization_header }
puts "warm header, per call (#{CALLS} calls)"
puts format("  %-44<name>s %8.2<us>f us", name: "authtoken_noop (crossing the boundary)", us: noop * 1e6)
puts format("  %-44<name>s %8.2<us>f us  (%<x>.1fx the crossing)", name: "Client#authorization_header",
                                                                   us: warm * 1e6, x: warm / noop)
puts

[1, THREADS].each do |threads|
  ours = rate(REQUESTS, threads) do
    -> { client.get(PATH.delete_prefix("/tpstreams")).body }
  end
  fixed = rate(REQUESTS, threads) do
    http = net_http(uri)
    request = -> { Net::HTTP::Get.new(PATH, "Authorization" => header) }
    -> { http.request(request.call).body }
  end
  fresh = rate(REQUESTS, threads) do
    http = net_http(uri)
    -> { http.request(Net::HTTP::Get.new(PATH, "Authorization" => client.authorization_header)).body }
  end
  puts "signed GET #{PATH}, #{threads} thread#{"s" if threads > 1}, #{REQUESTS} requests"
  puts format("  %-44<name>s %8.0<r>f req/s", name: "Net::HTTP keep-alive, header taken once", r: fixed)
  puts format("  %-44<name>s %8.0<r>f req/s  (%<x>.2fx)", name: "Net::HTTP keep-alive + #authorization_header",
                                                          r: fresh, x: fresh / fixed)
  puts format("  %-44<name>s %8.0<r>f req/s  (%<x>.2fx)", name: "Client#get", r: ours, x: ours / fixed)
  puts
end
client.close
