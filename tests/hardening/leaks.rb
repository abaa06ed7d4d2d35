# frozen_string_literal: true

# The leak check's Ruby program, run by scripts/leak-check.sh: resident memory (VmRSS) after a
# warm-up, after 100,000 warm authorization_header calls, and after 10,000 signed GETs (each
# response dropped) against the emulator at $AUTHTOKEN_EMULATOR. Prints one RESULT line for the
# driver, which holds the growth to its bounds.

require "authtoken"

HEADERS = 100_000
REQUESTS = 10_000

def rss_kib
  GC.start
  File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i
end

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

client = AuthToken::Client.new(provider: "tpstreams", username: "leak-ruby", password: "demo-password",
                               organization_id: "leak-ruby", base_url: "#{ENV.fetch("AUTHTOKEN_EMULATOR")}/tpstreams")
headers = lambda do |n|
  n.times { raise "bad header" unless client.authorization_header.start_with?("Token ") }
end
requests = lambda do |n|
  n.times do
    r = client.get("/api/echo/")
    raise "HTTP #{r.status}" unless r.status == 200 && !r.body.empty?
  end
end
headers.call(10_000)
requests.call(1_000)
warm = rss_kib
t = now
headers.call(HEADERS)
after_headers = rss_kib
header_s = now - t
t = now
requests.call(REQUESTS)
after_requests = rss_kib
request_s = now - t
client.close
puts "RESULT ruby #{warm} #{after_headers} #{after_requests} #{header_s.round(2)} #{request_s.round(2)}"
