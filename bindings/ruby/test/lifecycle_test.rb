# frozen_string_literal: true

require "open3"
require "English"
require "rbconfig"
require_relative "test_helper"

# The native handles' lifecycle: #close, AutoPointers released by the garbage collector, a
# GC.stress run, forked children, loading the library, and panics turned into errors.
class LifecycleTest < AuthTokenTest
  # Each native client holds file descriptors of its own (its HTTP runtime's epoll instance
  # and waker, then its connections), so the number of open descriptors of this process
  # shows whether handles were really freed.
  def native_fds
    Dir.children("/proc/self/fd").size
  end

  def unreachable_config
    { provider: :custom, base_url: "http://127.0.0.1:9", login_path: "/login/", username: "nobody",
      password: "secret-password", cache: "memory" }
  end

  def test_close_frees_at_once_is_idempotent_and_does_not_log_out
    before = native_fds
    client = make_client
    header = client.authorization_header
    assert_operator native_fds, :>, before
    refute_predicate client, :closed?
    assert_nil client.close
    assert_predicate client, :closed?
    assert_equal before, native_fds, "close freed the native client"
    assert_nil client.close
    assert_includes client.inspect, "(closed)"
    error = assert_raises(AuthToken::InvalidArgumentError) { client.get("/api/echo/") }
    assert_equal [14, "the client is closed"], [error.code, error.message]
    assert_raises(AuthToken::InvalidArgumentError) { client.authorization_header }
    assert_equal 0, emulator.logouts("tpstreams", username)
    assert_equal header, make_client.authorization_header, "the token stays in the store"
    assert_equal 1, emulator.logins("tpstreams", username)
  end

  def test_a_client_cannot_be_copied
    client = make_client
    assert_raises(TypeError) { client.dup }
    assert_raises(TypeError) { client.clone }
    assert_equal 200, client.get("/api/echo/").status
  end

  def test_open_with_a_block_closes_the_client
    kept = nil
    value = AuthToken::Client.open(**client_config) do |client|
      kept = client
      client.get("/api/echo/").status
    end
    assert_equal 200, value
    assert_predicate kept, :closed?
    assert_equal 0, emulator.logouts("tpstreams", username)
  end

  def test_close_waits_for_a_call_in_progress
    client = make_client
    client.authorization_header
    emulator.fault(service: "tpstreams", path: "/api/echo/", kind: "delay", delay_ms: 600, count: 1)
    call = Thread.new { client.get("/api/echo/").status }
    sleep 0.05 until emulator.stats["pending_faults"].zero? # the request reached the server
    client.close
    assert_equal 200, call.value, "the call in progress finished on a live handle"
    assert_predicate client, :closed?
  end

  def abandon_clients(count)
    count.times { AuthToken::Client.new(**unreachable_config) }
    nil
  end

  def test_clients_nobody_references_are_freed_by_the_garbage_collector
    GC.start
    before = native_fds
    abandon_clients(10)
    assert_operator native_fds, :>=, before + 20
    20.times do
      break if native_fds <= before + 4

      GC.start(full_mark: true, immediate_sweep: true)
      sleep 0.05
    end
    # A conservative collector may still see one handle (two descriptors) on the stack; the
    # others are freed.
    assert_operator native_fds, :<=, before + 4
  end

  def test_gc_stress_over_the_handle_lifecycle
    headers = []
    GC.stress = true
    begin
      2.times do
        client = AuthToken::Client.new(**client_config)
        headers << client.authorization_header
        headers << client.get("/api/echo/", query: { i: 1 }).json["headers"]["authorization"]
        client.close
        AuthToken::Client.new(**client_config).token # left for the collector
        error = assert_raises(AuthToken::InvalidConfigError) { AuthToken::Client.new(provider: :nope) }
        assert_equal 1, error.code
      end
    ensure
      GC.stress = false
    end
    GC.start
    assert_equal 1, headers.uniq.size
    assert_equal 1, emulator.logins("tpstreams", username)
  end

  def wait_child(pid, seconds)
    deadline = now + seconds
    until Process.waitpid(pid, Process::WNOHANG)
      if now > deadline
        Process.kill("KILL", pid)
        Process.wait(pid)
        return nil
      end
      sleep 0.02
    end
    $CHILD_STATUS
  end

  def test_a_forked_child_exits_cleanly_with_its_parents_clients_alive
    client = make_client
    client.authorization_header
    pid = fork do
      GC.start
      exit(0) # runs finalizers, as a worker's normal exit does
    end
    status = wait_child(pid, 20)
    refute_nil status, "the child hung at exit"
    assert_predicate status, :success?, "the child exited with #{status.inspect}"
    assert_equal 200, client.get("/api/echo/").status
  end

  def test_a_forked_child_uses_its_parents_client
    client = make_client(cache: "file", cache_dir: Dir.mktmpdir("authtoken-rb-fork"))
    header = client.authorization_header
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      writer.write(client.get("/api/echo/").json["headers"]["authorization"])
      writer.close
      exit!(0)
    end
    writer.close
    status = wait_child(pid, 20)
    refute_nil status, "the child hung"
    assert_equal header, reader.read
    assert_equal 1, emulator.logins("tpstreams", username)
  end

  def ruby(*code, env: {})
    Open3.capture3(env, RbConfig.ruby, "-I", File.expand_path("../lib", __dir__), "-e", *code)
  end

  def test_a_missing_library_is_a_load_error_that_says_what_to_set
    out, err, status = ruby(<<~RUBY, env: { "AUTHTOKEN_LIB" => "/nonexistent/libauthtoken.so" })
      begin
        require "authtoken"
      rescue LoadError => e
        puts e.message
        exit 3
      end
    RUBY
    assert_equal 3, status.exitstatus, err
    assert_includes out, "AUTHTOKEN_LIB"
    assert_includes out, "/nonexistent/libauthtoken.so"
  end

  def test_the_library_path_comes_from_authtoken_lib
    out, err, status = ruby('require "authtoken"; print AuthToken.library_path, " ", AuthToken::Native.authtoken_noop',
                            env: { "AUTHTOKEN_LIB" => AuthToken.library_path })
    assert_predicate status, :success?, err
    assert_equal "#{AuthToken.library_path} 0", out
  end

  # The debug library exports a test hook that panics inside the boundary (run in a child
  # process: Rust's panic hook prints the panic on stderr).
  def test_a_panic_inside_the_library_is_an_internal_error
    out, err, status = ruby(<<~RUBY, env: { "AUTHTOKEN_LIB" => AuthToken.library_path, "RUST_BACKTRACE" => "0" })
      require "authtoken"
      module Hooks
        extend FFI::Library
        ffi_lib AuthToken.library_path
        begin
          attach_function :authtoken_testing_panic, [], :uint32
        rescue FFI::NotFoundError
          puts "release"
          exit 0
        end
      end
      begin
        AuthToken::Native.check(Hooks.authtoken_testing_panic)
      rescue AuthToken::InternalError => e
        puts JSON.generate([e.code, e.kind, e.message, AuthToken::Native.authtoken_noop])
      end
    RUBY
    assert_predicate status, :success?, err
    skip "the library is a release build (no test hooks)" if out.strip == "release"
    code, kind, message, after = JSON.parse(out)
    assert_equal [16, "internal", 0], [code, kind, after]
    assert_includes message, "authtoken_testing_panic was called"
  end
end
