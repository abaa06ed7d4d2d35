# frozen_string_literal: true

require "socket"
require_relative "test_helper"

# Threads: one client shared by many threads logs in once, and its network calls release the
# GVL, so Ruby threads overlap while they wait.
class ThreadsTest < AuthTokenTest
  THREADS = 16

  def test_sixteen_threads_share_one_login
    client = make_client
    seen = run_threads(THREADS) do
      Array.new(5) do
        response = client.get("/api/echo/")
        assert_equal 200, response.status
        response.json["headers"]["authorization"]
      end
    end
    assert_equal 1, seen.flatten.uniq.size
    assert_equal THREADS * 5, seen.flatten.size
    assert_equal 1, emulator.logins("tpstreams", username)
  end

  def test_sixteen_threads_seeing_a_revoked_token_log_in_once_more
    client = make_client
    old = client.authorization_header
    emulator.revoke("tpstreams", username)
    seen = run_threads(THREADS) { client.get("/api/echo/").json["headers"]["authorization"] }
    assert_equal 1, seen.uniq.size
    refute_equal old, seen.first
    assert_equal 2, emulator.logins("tpstreams", username)
  end

  DELAY_MS = 1000
  OVERLAPPING = 8

  # Eight signed requests to an endpoint that answers after one delay each: with the GVL
  # released they wait together (about one delay), holding it they would queue (eight).
  def test_requests_release_the_gvl_so_delayed_calls_overlap
    client = make_client
    client.authorization_header
    emulator.fault(service: "tpstreams", path: "/api/echo/", kind: "delay", delay_ms: DELAY_MS, count: OVERLAPPING)
    started = now
    statuses = run_threads(OVERLAPPING) { client.get("/api/echo/").status }
    elapsed = now - started
    assert_equal [200] * OVERLAPPING, statuses
    assert_equal 0, emulator.stats["pending_faults"], "every request met the delay"
    puts format("\nGVL: %<n>d threads, one signed GET each, server delay %<d>d ms: %<t>.0f ms in all " \
                "(%<r>.1f delays; queued calls would take %<q>d ms)",
                n: OVERLAPPING, d: DELAY_MS, t: elapsed * 1000, r: elapsed * 1000 / DELAY_MS, q: OVERLAPPING * DELAY_MS)
    assert_operator elapsed, :<, 4 * DELAY_MS / 1000.0, "the calls did not overlap"
  end

  # A service run by Ruby threads of this very process: it can only accept and answer while
  # the client's calls (the login, the threads waiting for it, the requests) have released the
  # GVL, and its API call answers 200 only once all requests are in flight together.
  def test_a_service_in_this_process_answers_while_sixteen_calls_wait
    with_rendezvous_server(THREADS) do |base_url, server|
      client = AuthToken::Client.new(provider: :custom, base_url: base_url, login_path: "/login/",
                                     username: "rendezvous", password: "secret-password", cache: "memory",
                                     max_retries: 0, timeout_ms: 5_000)
      @clients = [client]
      statuses = run_threads(THREADS) { client.get("/together/").status }
      assert_equal [200] * THREADS, statuses
      assert_equal 1, server.logins
    end
  end

  # The state of the rendezvous service.
  class Rendezvous
    attr_reader :token

    def initialize(parties)
      @parties = parties
      @arrived = 0
      @lock = Mutex.new
      @all_here = ConditionVariable.new
      @logins = 0
      @token = SecureRandom.hex(20)
    end

    def logins
      @lock.synchronize { @logins }
    end

    def login!
      @lock.synchronize { @logins += 1 }
    end

    # Waits until every party arrived (true) or 10 s passed (false).
    def arrive
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 10
      @lock.synchronize do
        @arrived += 1
        @all_here.broadcast
        while @arrived < @parties
          left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          return false if left <= 0

          @all_here.wait(@lock, left)
        end
        true
      end
    end
  end

  def with_rendezvous_server(parties)
    state = Rendezvous.new(parties)
    server = TCPServer.new("127.0.0.1", 0)
    acceptor = Thread.new do
      loop do
        socket = server.accept
        Thread.new(socket) { |s| serve(s, state) }
      end
    rescue IOError, Errno::EBADF
      nil # the server was closed
    end
    yield "http://127.0.0.1:#{server.addr[1]}", state
  ensure
    server&.close
    acceptor&.join(5)
  end

  def serve(socket, state)
    request_line = socket.gets.to_s
    headers = {}
    while (line = socket.gets) && line != "\r\n"
      name, value = line.split(":", 2)
      headers[name.downcase] = value.strip
    end
    socket.read(headers.fetch("content-length", "0").to_i)
    status, body =
      if request_line.start_with?("POST /login/")
        sleep 0.3 # the other threads wait for this login inside the library
        state.login!
        [200, { token: state.token }]
      elsif headers["authorization"] != "Token #{state.token}"
        [401, { detail: "Invalid token." }]
      elsif state.arrive
        [200, { together: true }]
      else
        [500, { detail: "the calls did not overlap" }]
      end
    payload = JSON.generate(body)
    socket.write("HTTP/1.1 #{status} X\r\nContent-Type: application/json\r\nContent-Length: #{payload.bytesize}\r\n" \
                 "Connection: close\r\n\r\n#{payload}")
  ensure
    socket.close
  end
end
