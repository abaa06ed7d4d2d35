# frozen_string_literal: true

# One process of the storm test (processes_test.rb). Reads the client configuration (JSON,
# without the password: it comes from AUTHTOKEN_PASSWORD) from ARGV[0] and a thread count
# from ARGV[1]; waits until stdin reaches end-of-file (the parent closes it to start every
# process at once); then each thread sends one signed GET. Prints one JSON line:
# {"headers": [the Authorization headers the server saw], "errors": [...]}.

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))
require "json"
require "authtoken"

config = JSON.parse(ARGV.fetch(0))
threads = Integer(ARGV.fetch(1))
client = AuthToken::Client.from_config(config)
$stdin.read # the start signal
results = Array.new(threads) do
  Thread.new do
    client.get("/api/echo/").json.dig("headers", "authorization")
  rescue StandardError => e
    e
  end
end.map(&:value)
errors, headers = results.partition { |r| r.is_a?(Exception) }
puts JSON.generate(headers: headers, errors: errors.map { |e| "#{e.class}: #{e.message}" })
