# frozen_string_literal: true

# Shared by every test: the emulator (AUTHTOKEN_EMULATOR, or one started here), its admin API,
# and clients for a username and organization no other test uses.

$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))

# A warning raised by the gem's own code fails the run (the suite runs with ruby -w).
module GemWarningsAreErrors
  LIB = File.expand_path("../lib", __dir__)

  def warn(message, *args, **options)
    raise "warning from the gem: #{message}" if message.include?(LIB)

    super
  end
end
Warning.singleton_class.prepend(GemWarningsAreErrors)

require "fileutils"
require "json"
require "net/http"
require "pathname"
require "securerandom"
require "stringio"
require "tmpdir"
require "uri"
require "minitest/autorun"
require "authtoken"

module EmulatorSupport
  # The emulator's password: AUTHTOKEN_TEST_PASSWORD (the secrets audit's sentinel), else the
  # default of scripts/with-emulator.sh and of the emulator.
  PASSWORD = ENV.fetch("AUTHTOKEN_TEST_PASSWORD", "").then { |pw| pw.empty? ? "demo-password" : pw }.freeze
  ROOT = File.expand_path("../../..", __dir__)
  SCHEMES = {
    "tpstreams" => "Token",
    "tpstreams-legacy" => "token",
    "testpress" => "JWT",
    "cruxconnect" => "Token"
  }.freeze

  # The emulator's admin API (emulator/README.md), over plain Net::HTTP.
  class Emulator
    attr_reader :root

    def initialize(root)
      @root = root.chomp("/")
    end

    def base_url(service)
      "#{root}/#{service}"
    end

    def admin(method, path, body = nil)
      uri = URI("#{root}/_emulator/#{path}")
      request = Net::HTTP.const_get(method.capitalize).new(uri)
      unless body.nil?
        request["Content-Type"] = "application/json"
        request.body = JSON.generate(body)
      end
      response = Net::HTTP.start(uri.host, uri.port, read_timeout: 30) { |http| http.request(request) }
      raise "emulator admin #{method} #{path}: #{response.code} #{response.body}" unless response.code == "200"

      JSON.parse(response.body)
    end

    def stats
      admin(:get, "stats")
    end

    def logins(service, username)
      stats.dig("logins", service, username) || 0
    end

    def login_attempts(service, username)
      stats.dig("login_attempts", service, username) || 0
    end

    def logouts(service, username)
      stats.dig("logouts", service, username) || 0
    end

    def requests(service, username)
      stats.dig("requests", service, username) || 0
    end

    def fault(**fault)
      admin(:post, "faults", fault)
    end

    def revoke(service, username)
      admin(:post, "revoke", { service: service, username: username }).fetch("revoked")
    end

    # A plain GET with the given Authorization header (no library involved): the status.
    def raw_get(service, path, authorization)
      uri = URI("#{base_url(service)}#{path}")
      request = Net::HTTP::Get.new(uri)
      request["Authorization"] = authorization
      Net::HTTP.start(uri.host, uri.port, read_timeout: 30) { |http| http.request(request) }.code.to_i
    end
  end

  # Starts a private emulator for this test process (when AUTHTOKEN_EMULATOR is not set) and
  # stops it at exit.
  def self.start_emulator
    binary = ENV.fetch("AUTHTOKEN_EMULATOR_BIN", File.join(ROOT, "target", "debug", "authtoken-emulator"))
    unless File.executable?(binary)
      system("cargo", "build", "-q", "-p", "authtoken-emulator", chdir: ROOT,
                                                                 exception: true)
    end
    dir = Dir.mktmpdir("authtoken-ruby-emulator")
    addr_file = File.join(dir, "addr")
    pid = Process.spawn(binary, "--bind", "127.0.0.1:0", "--addr-file", addr_file, "--quiet", out: File::NULL)
    at_exit do
      Process.kill("TERM", pid)
      Process.wait(pid)
      FileUtils.remove_entry(dir)
    end
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 30
    until File.exist?(addr_file)
      raise "the emulator did not start" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.02
    end
    File.read(addr_file).strip
  end

  EMULATOR = Emulator.new(ENV.fetch("AUTHTOKEN_EMULATOR") { start_emulator })

  def emulator
    EMULATOR
  end

  # A username no other test uses (the emulator counts logins per username).
  def username
    @username ||= "rb-#{SecureRandom.hex(6)}@example.com"
  end

  # An organization id no other test uses (TPStreams counts live tokens per organization).
  def org
    @org ||= "org-#{SecureRandom.hex(5)}"
  end

  def client_config(service = "tpstreams", user: username, **overrides)
    config = {
      provider: service,
      username: user,
      password: PASSWORD,
      base_url: emulator.base_url(service),
      cache: "memory",
      max_retries: 0
    }
    config[:organization_id] = org if service == "tpstreams"
    config.merge(overrides)
  end

  # A client for this test's username and organization, closed after the test.
  def make_client(service = "tpstreams", **overrides)
    client = AuthToken::Client.new(**client_config(service, **overrides))
    (@clients ||= []) << client
    client
  end

  # The monotonic clock, in seconds.
  def now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  # Runs the block in +count+ threads released together; returns their values in order and
  # re-raises the first error.
  def run_threads(count)
    gate = Queue.new
    threads = Array.new(count) do |i|
      Thread.new do
        Thread.current.report_on_exception = false # re-raised by #value below
        gate.pop
        yield i
      end
    end
    count.times { gate << :go }
    threads.map(&:value)
  end

  def teardown
    (@clients || []).each(&:close)
    super
  end
end

# The base of every test class here.
class AuthTokenTest < Minitest::Test
  include EmulatorSupport
end
