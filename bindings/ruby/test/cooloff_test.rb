# frozen_string_literal: true

require "open3"
require "rbconfig"
require_relative "test_helper"

# The login cool-off: a refused login is remembered for the identity, so that every thread
# and process asks the server once, and a corrected password logs in at once.
class CooloffTest < AuthTokenTest
  REFUSED = "Unable to log in with provided credentials."
  WORKER = File.expand_path("storm_worker.rb", __dir__)

  def test_a_wrong_password_costs_one_attempt_from_every_thread_and_process
    cache_dir = Dir.mktmpdir("authtoken-rb-cooloff")
    config = client_config(cache: "file", cache_dir: cache_dir).except(:password)
    workers = Array.new(4) do
      Open3.popen3({ "AUTHTOKEN_PASSWORD" => "wrong-password-123" }, RbConfig.ruby, WORKER,
                   JSON.generate(config), "8")
    end
    sleep 0.5 # let every interpreter start; they wait for end-of-file on stdin
    workers.each { |stdin, _, _, _| stdin.close }
    errors = workers.flat_map do |_, stdout, stderr, thread|
      out = stdout.read
      err = stderr.read
      assert_predicate thread.value, :success?, err
      JSON.parse(out)["errors"]
    end
    assert_equal 32, errors.size
    errors.each do |e|
      assert e.start_with?("AuthToken::InvalidCredentialsError: "), e
      assert_includes e, REFUSED
      refute_includes e, "wrong-password-123"
    end
    assert_equal 1, emulator.login_attempts("tpstreams", username)

    wrong = make_client(cache: "file", cache_dir: cache_dir, password: "wrong-password-123")
    error = assert_raises(AuthToken::InvalidCredentialsError) { wrong.authorization_header }
    assert_equal ["invalid_credentials", 400, REFUSED], [error.kind, error.status, error.server_message]
    assert_includes error.message, "remembered"
    assert_operator error.retry_after, :>, 0
    assert_operator error.retry_after, :<=, 61 # whole seconds, the end rounded up
    assert_equal 1, emulator.login_attempts("tpstreams", username)

    fixed = make_client(cache: "file", cache_dir: cache_dir)
    assert_match(/\AToken /, fixed.authorization_header)
    assert_equal 2, emulator.login_attempts("tpstreams", username)
  ensure
    FileUtils.remove_entry(cache_dir) if cache_dir
  end

  def test_a_429_with_retry_after_is_honoured_by_every_caller
    emulator.fault(service: "tpstreams", path: "login", kind: "status", status: 429, retry_after: 3, count: 1)
    client = make_client(login_cooloff_s: 1) # the longer Retry-After wins
    refused_at = now
    kinds = run_threads(16) do
      client.authorization_header
      "ok"
    rescue AuthToken::Error => e
      e.kind
    end
    assert_equal ["rate_limited"] * 16, kinds
    while now - refused_at < 2.5
      assert_raises(AuthToken::RateLimitedError) { client.authorization_header }
      sleep 0.2
    end
    assert_equal 1, emulator.login_attempts("tpstreams", username)
    sleep [0, 4.2 - (now - refused_at)].max # whole seconds, the end rounded up
    assert_match(/\AToken /, client.authorization_header)
    assert_equal 2, emulator.login_attempts("tpstreams", username)
  end

  def test_forget_lifts_the_cooloff
    client = make_client(password: "wrong-password-123")
    3.times { assert_raises(AuthToken::InvalidCredentialsError) { client.authorization_header } }
    assert_equal 1, emulator.login_attempts("tpstreams", username)
    client.forget
    assert_raises(AuthToken::InvalidCredentialsError) { client.authorization_header }
    assert_equal 2, emulator.login_attempts("tpstreams", username)
  end
end
