# frozen_string_literal: true

require_relative "test_helper"
require "authtoken/faraday"

# The Faraday middleware: the header, one login, the re-login on 401, the origin rule.
class FaradayTest < AuthTokenTest
  def connection(client, raise_error: false)
    Faraday.new(url: client.base_url) do |f|
      f.request :authtoken, client
      f.response :raise_error if raise_error
      f.adapter :net_http
    end
  end

  def test_signs_requests_with_one_login
    client = make_client
    http = connection(client)
    response = http.get("api/echo/", { q: "1" })
    assert_equal 200, response.status
    sent = JSON.parse(response.body)
    assert_equal client.authorization_header, sent["headers"]["authorization"]
    assert_equal "q=1", sent["query"]
    3.times do |i|
      posted = http.post("api/echo/", JSON.generate(i: i), "Content-Type" => "application/json")
      assert_equal({ "i" => i }, JSON.parse(JSON.parse(posted.body)["body"]))
    end
    assert_equal 1, emulator.logins("tpstreams", username)
  end

  def test_a_refused_token_is_replaced_and_the_request_resent
    [false, true].each do |raise_error|
      user = "faraday-#{raise_error}-#{username}"
      client = make_client(user: user)
      old = client.authorization_header
      emulator.revoke("tpstreams", user)
      response = connection(client, raise_error: raise_error).post("api/echo/", "payload",
                                                                   "Content-Type" => "text/plain")
      assert_equal 200, response.status
      sent = JSON.parse(response.body)
      assert_equal "payload", sent["body"]
      refute_equal old, sent["headers"]["authorization"]
      assert_equal 2, emulator.logins("tpstreams", user), "raise_error: #{raise_error}"
    end
  end

  def test_a_second_refusal_is_returned_as_it_is
    client = make_client
    client.authorization_header
    emulator.fault(service: "tpstreams", path: "/api/echo/", kind: "status", status: 401, count: 2)
    assert_equal 401, connection(client).get("api/echo/").status
    assert_equal 2, emulator.logins("tpstreams", username)
    emulator.fault(service: "tpstreams", path: "/api/echo/", kind: "status", status: 401, count: 2)
    assert_raises(Faraday::UnauthorizedError) { connection(client, raise_error: true).get("api/echo/") }
  end

  def test_threads_refused_together_cause_one_login
    client = make_client
    http = connection(client)
    old = client.authorization_header
    emulator.revoke("tpstreams", username)
    seen = run_threads(8) { JSON.parse(http.get("api/echo/").body)["headers"]["authorization"] }
    assert_equal 1, seen.uniq.size
    refute_equal old, seen.first
    assert_equal 2, emulator.logins("tpstreams", username)
  end

  def test_testpress_403_for_a_revoked_jwt_is_a_refusal
    client = make_client("testpress")
    old = client.authorization_header
    emulator.revoke("testpress", username)
    response = connection(client).get("api/v2.5/exams/")
    assert_equal 200, response.status, response.body
    refute_equal old, client.authorization_header
    assert_equal 2, emulator.logins("testpress", username)
  end

  def test_the_header_is_never_sent_to_another_origin
    client = make_client
    http = connection(client)
    error = assert_raises(AuthToken::InvalidArgumentError) { http.get("http://localhost:1/api/echo/") }
    assert_includes error.message, "refusing to send the Authorization header"
    assert_equal 0, emulator.login_attempts("tpstreams", username)
  end
end
