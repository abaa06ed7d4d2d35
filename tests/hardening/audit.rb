# frozen_string_literal: true

# The secrets audit's Ruby scenario, run by scripts/secrets-audit.sh, which scans everything
# this program prints (and the disk): inspect/pp of clients, responses and exceptions, full
# messages with backtraces, Marshal of a client, for logins, signed requests, re-logins, logouts
# and failures with every provider and the file cache. The tokens it obtains go to
# $AUDIT_TOKENS only; the password is $AUDIT_PASSWORD, which the emulator at
# $AUTHTOKEN_EMULATOR was started with.
#
# Not an example of good practice: it prints what a careless program might print.

require "json"
require "net/http"
require "authtoken"

ROOT = ENV.fetch("AUTHTOKEN_EMULATOR")
PASSWORD = ENV.fetch("AUDIT_PASSWORD")
TOKENS = File.open(ENV.fetch("AUDIT_TOKENS"), "a")

def admin(path, body)
  uri = URI("#{ROOT}/_emulator/#{path}")
  response = Net::HTTP.post(uri, JSON.generate(body), "Content-Type" => "application/json")
  raise "admin #{path}: #{response.code}" unless response.is_a?(Net::HTTPSuccess)
end

def config(provider, user, password: PASSWORD, **extra)
  config = { provider: provider, username: user, password: password, base_url: "#{ROOT}/#{provider}", **extra }
  config[:organization_id] = "audit-ruby" if provider == "tpstreams"
  config
end

def client(config)
  client = AuthToken::Client.from_config(config)
  puts "show: client #{client.inspect} #{client}"
  pp client
  begin
    puts "show: marshal #{Marshal.dump(client).inspect}"
  rescue TypeError => e
    puts "show: marshal refused: #{e.message}"
  end
  client
end

def record(client)
  TOKENS.puts(client.token)
  TOKENS.flush
end

def show(what, error)
  puts "show: #{what} -> #{error.class}: #{error.message} | #{error.inspect}"
  puts error.full_message(highlight: false)
  pp error
  error.instance_variables.each { |v| puts "show: #{v} = #{error.instance_variable_get(v).inspect}" }
end

def expect_error(what, klass)
  yield
rescue klass => e
  show(what, e)
else
  raise "#{what}: no #{klass}"
end

%w[tpstreams tpstreams-legacy testpress cruxconnect].each do |provider|
  puts "# #{provider}"
  c = client(config(provider, "audit-ruby"))
  record(c)
  r = c.get("/api/echo/")
  # The echo endpoint returns the request's headers in its body, by design: not shown.
  puts "show: #{r.inspect} #{r.status} #{r.headers.inspect}"
  admin("revoke", { service: provider, username: "audit-ruby" })
  puts "show: after a revocation: #{c.get("/api/echo/").inspect}"
  record(c)
  admin("faults", { service: provider, path: "/api/echo/", kind: "status", status: 401, count: 2 })
  expect_error("persistent 401", AuthToken::UnauthorizedError) { c.get("/api/echo/") }
  record(c)
  admin("faults", { service: provider, path: "/api/echo/", kind: "status", status: 400 })
  response = c.get("/api/echo/")
  expect_error("raise_for_status", AuthToken::HttpStatusError) { response.raise_for_status }
  expect_error("a header with a newline", AuthToken::InvalidArgumentError) do
    c.get("/api/echo/", headers: { "X-Bad" => "a\nb" })
  end
  expect_error("another origin", AuthToken::InvalidArgumentError) { c.get("https://elsewhere.example/") }
  if %w[tpstreams testpress].include?(provider)
    admin("faults", { service: provider, path: "logout", kind: "status", status: 500 })
    expect_error("logout answered 500", AuthToken::ServerError) { c.logout }
  end
  c.logout
  c.close
end

puts "# failures at login"
bad = client(config("cruxconnect", "audit-ruby-wrong", password: "#{PASSWORD}-wrong"))
expect_error("wrong password", AuthToken::InvalidCredentialsError) { bad.token }
[
  { kind: "malformed" },
  { kind: "oversized", bytes: 2 << 20 },
  { kind: "drop" },
  { kind: "status", status: 503, retry_after: 1 },
  { kind: "delay", delay_ms: 1500 }
].each do |fault|
  admin("faults", { service: "cruxconnect", path: "login", **fault })
  failing = client(config("cruxconnect", "audit-ruby-fault", timeout_ms: 300))
  expect_error(fault.to_json, AuthToken::Error) { failing.token }
end

puts "# configuration errors"
[
  { provider: "cruxconnect", username: "u", pasword: PASSWORD },
  { provider: "cruxconnect", username: "u", password: PASSWORD, base_url: "http://u:#{PASSWORD}@127.0.0.1:1/" },
  { provider: "cruxconnect", username: "u", password: PASSWORD, colour: PASSWORD }
].each do |bad_config|
  expect_error("invalid config", AuthToken::InvalidConfigError) { AuthToken::Client.from_config(bad_config) }
end
redis = client(config("cruxconnect", "audit-ruby-redis", cache: "redis://:#{PASSWORD}@127.0.0.1:1/0",
                                                         connect_timeout_ms: 300))
expect_error("unreachable Redis with a password", AuthToken::StoreError) { redis.token }
TOKENS.close
puts "audit: done"
