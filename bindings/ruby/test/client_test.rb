# frozen_string_literal: true

require_relative "test_helper"

# The client against the emulator: providers, headers, signed requests, logout, the 401
# re-login, the token limit and the errors a user sees.
class ClientTest < AuthTokenTest
  def echo(response)
    assert_equal 200, response.status, response.text
    response.json
  end

  SCHEMES.each do |service, scheme|
    define_method(:"test_#{service.tr("-", "_")}_logs_in_once_and_signs_with_its_exact_header") do
      client = make_client(service)
      header = client.authorization_header
      assert_equal "#{scheme} #{client.token}", header
      sent = echo(client.get("/api/echo/"))
      assert_equal header, sent["headers"]["authorization"]
      assert_equal "/#{service}/api/echo/", sent["path"]
      3.times do
        client.get("/api/echo/")
        assert_equal header, client.authorization_header
      end
      assert_equal 1, emulator.logins(service, username)
    end
  end

  def test_provider_symbols_take_underscores
    client = make_client("tpstreams-legacy", provider: :tpstreams_legacy)
    assert_equal "tpstreams-legacy", client.provider
    assert_match(/\Atoken [0-9a-f]{64}\z/, client.authorization_header)
  end

  def test_custom_provider_profile
    client = make_client(
      "custom",
      base_url: emulator.base_url("tpstreams"),
      login_path: "/api/auth/login/",
      logout_path: "/api/auth/logout/",
      extra_fields: { organization_id: org },
      token_field: "token",
      expiry_field: "expiry",
      scheme: "Token"
    )
    header = client.authorization_header
    assert_match(/\AToken [0-9a-f]{64}\z/, header)
    assert_equal header, echo(client.get("/api/echo/"))["headers"]["authorization"]
    client.logout
    assert_equal 1, emulator.logins("tpstreams", username)
    assert_equal 1, emulator.logouts("tpstreams", username)
  end

  def test_signed_get_sends_query_and_extra_headers
    client = make_client
    response = client.get("/api/echo/items", query: { page: 2, tag: %w[a b] }, headers: { "X-Trace" => "t1" })
    sent = echo(response)
    assert_equal "GET", sent["method"]
    assert_equal "page=2&tag=a&tag=b", sent["query"]
    assert_equal "t1", sent["headers"]["x-trace"]
    assert response.url.end_with?("/tpstreams/api/echo/items?page=2&tag=a&tag=b"), response.url
    assert_predicate response, :success?
    assert response["Content-Type"].start_with?("application/json")
    assert_equal response["content-type"], response.headers["content-type"]
    assert_equal Encoding::BINARY, response.body.encoding
    assert_equal Encoding::UTF_8, response.text.encoding
    assert_predicate response, :frozen?

    absolute = "#{emulator.base_url("tpstreams")}/api/echo/?a=1"
    assert_equal "a=1&b=2", echo(client.get(absolute, query: { b: 2 }))["query"]
    assert_equal "x=1", echo(client.request("options", "/api/echo/", query: "x=1"))["query"]
  end

  def test_signed_post_put_patch_delete_send_their_bodies
    client = make_client
    sent = echo(client.post("/api/echo/", json: { name: "clip", n: 1, "ü" => true }))
    assert_equal "POST", sent["method"]
    assert_equal({ "name" => "clip", "n" => 1, "ü" => true }, JSON.parse(sent["body"]))
    assert_equal "application/json", sent["headers"]["content-type"]

    sent = echo(client.put("/api/echo/", body: "raw-bytes", headers: [["Content-Type", "text/plain"]]))
    assert_equal %w[PUT raw-bytes text/plain], [sent["method"], sent["body"], sent["headers"]["content-type"]]

    sent = echo(client.patch("/api/echo/", body: { a: "1", b: "x y" }))
    assert_equal %w[PATCH a=1&b=x+y], [sent["method"], sent["body"]]
    assert_equal "application/x-www-form-urlencoded", sent["headers"]["content-type"]

    sent = echo(client.post("/api/echo/", body: StringIO.new("from an IO"),
                                          headers: { "Content-Type" => "text/plain" }))
    assert_equal "from an IO", sent["body"]

    sent = echo(client.post("/api/echo/", json: [1], headers: { "content-type" => "application/vnd.x+json" }))
    assert_equal "application/vnd.x+json", sent["headers"]["content-type"]

    sent = echo(client.delete("/api/echo/", headers: [%w[X-Rep 1], %w[X-Rep 2]]))
    assert_equal "DELETE", sent["method"]
    assert_equal "1, 2", sent["headers"]["x-rep"]
  end

  def test_raise_for_status_maps_the_status_to_an_error
    client = make_client
    ok = client.get("/api/echo/")
    assert_same ok, ok.raise_for_status

    missing = client.get("/api/missing/")
    assert_equal 404, missing.status
    refute_predicate missing, :success?
    error = assert_raises(AuthToken::HttpStatusError) { missing.raise_for_status }
    assert_equal [15, "http_status", 404], [error.code, error.kind, error.status]
    assert_equal "Not found.", error.server_message
    assert_same missing, error.response
    assert_includes error.message, "404"

    emulator.fault(service: "tpstreams", path: "/api/echo/", kind: "status", status: 503, retry_after: 7, count: 1)
    unavailable = client.get("/api/echo/")
    assert_equal 503, unavailable.status
    error = assert_raises(AuthToken::ServerError) { unavailable.raise_for_status }
    assert_equal [10, 503, 7.0], [error.code, error.status, error.retry_after]
  end

  def test_logout_revokes_the_token_for_everyone
    client = make_client
    old = client.authorization_header
    assert_equal 200, emulator.raw_get("tpstreams", "/api/echo/", old)
    client.logout
    assert_equal 1, emulator.logouts("tpstreams", username)
    assert_equal 401, emulator.raw_get("tpstreams", "/api/echo/", old)
    fresh = client.get("/api/echo/").json["headers"]["authorization"]
    refute_equal old, fresh
    assert_equal 2, emulator.logins("tpstreams", username)
  end

  def test_logout_without_a_token_sends_nothing
    make_client.logout
    assert_equal 0, emulator.logouts("tpstreams", username)
  end

  def test_logout_where_the_service_has_no_endpoint_forgets_locally
    client = make_client("tpstreams-legacy")
    old = client.authorization_header
    client.logout
    refute_equal old, client.authorization_header
    assert_equal 2, emulator.logins("tpstreams-legacy", username)
  end

  def test_forget_drops_the_token_locally_without_revoking_it
    client = make_client
    old = client.authorization_header
    client.forget
    refute_equal old, client.authorization_header
    assert_equal 200, emulator.raw_get("tpstreams", "/api/echo/", old)
    assert_equal [2, 0], [emulator.logins("tpstreams", username), emulator.logouts("tpstreams", username)]
  end

  def test_the_header_follows_every_new_token
    # A re-login made by a request (the server refused the token) ...
    client = make_client
    old = client.authorization_header
    assert_predicate old, :frozen?
    assert_same old, client.authorization_header, "the same String while warm"
    emulator.revoke("tpstreams", username)
    sent = echo(client.get("/api/echo/"))
    fresh = client.authorization_header
    refute_equal old, fresh
    assert_equal fresh, sent["headers"]["authorization"]
    assert_equal 2, emulator.logins("tpstreams", username)

    # ... and a refresh when the token's lifetime runs out.
    user = "#{username}-lifetime"
    expiring = make_client("tpstreams-legacy", username: user, token_lifetime_s: 1, refresh_margin_s: 0)
    first = expiring.authorization_header
    sleep 1.1
    refute_equal first, expiring.authorization_header
    assert_equal 200, expiring.get("/api/echo/").status
    assert_equal 2, emulator.logins("tpstreams-legacy", user)
    expiring.close
    error = assert_raises(AuthToken::InvalidArgumentError) { expiring.authorization_header }
    assert_match(/closed/, error.message)
  end

  def test_invalidate_forgets_only_the_token_that_was_refused
    client = make_client
    old = client.authorization_header
    emulator.revoke("tpstreams", username)
    assert_equal 401, emulator.raw_get("tpstreams", "/api/echo/", old)
    assert client.invalidate(old), "the refused token was the current one"
    fresh = client.authorization_header
    refute_equal old, fresh
    refute client.invalidate(old), "a late report keeps the fresh token"
    assert_equal fresh, client.authorization_header
    assert_equal 2, emulator.logins("tpstreams", username)
    error = assert_raises(AuthToken::InvalidArgumentError) { client.invalidate("") }
    assert_equal 14, error.code
  end

  def test_refused_is_the_cores_rule
    tpstreams = make_client
    testpress = make_client("testpress")
    expired = '{"detail": "Signature has expired."}'
    assert tpstreams.refused?(401, "")
    assert testpress.refused?(401, nil)
    refute tpstreams.refused?(403, expired)
    assert testpress.refused?(403, expired)
    # The Faraday middleware's former copy read only `detail`; the core finds the message in
    # `message` too, as for its own requests.
    assert testpress.refused?(403, '{"message": "Signature has expired."}')
    refute testpress.refused?(403, '{"detail": "You do not have permission."}')
    refute testpress.refused?(200, expired)
  end

  def test_check_url_is_the_cores_origin_rule
    client = make_client
    assert_nil client.check_url("#{client.base_url}/api/echo/?page=2")
    error = assert_raises(AuthToken::InvalidArgumentError) { client.check_url("http://localhost:1/api/") }
    assert_match(%r{\Arefusing to send the Authorization header to http://localhost: this client is for },
                 error.message)
    # The former copy compared scheme, host and port only; the core names a foreign scheme.
    error = assert_raises(AuthToken::InvalidArgumentError) { client.check_url("ftp://127.0.0.1/") }
    assert_equal "refusing to send the Authorization header to a ftp: URL: only http:// and https:// URLs " \
                 "are supported", error.message
    assert_raises(AuthToken::InvalidArgumentError) { client.check_url("/relative/") }
  end

  def test_a_revoked_token_is_replaced_and_the_request_resent
    client = make_client
    old = client.authorization_header
    assert_equal 1, emulator.revoke("tpstreams", username)
    sent = echo(client.post("/api/echo/", json: { resent: true }))
    assert_equal({ "resent" => true }, JSON.parse(sent["body"]))
    refute_equal old, sent["headers"]["authorization"]
    assert_equal 2, emulator.logins("tpstreams", username)
  end

  def test_a_second_401_raises_unauthorized
    client = make_client
    client.authorization_header
    emulator.fault(service: "tpstreams", path: "/api/echo/", kind: "status", status: 401, count: 2)
    error = assert_raises(AuthToken::UnauthorizedError) { client.get("/api/echo/") }
    assert_equal [4, "unauthorized", 401], [error.code, error.kind, error.status]
    assert_equal 2, emulator.logins("tpstreams", username)
  end

  def test_the_token_limit_is_reported_as_such
    holders = Array.new(20) { |i| make_client(user: "limit-#{i}-#{org}@example.com") }
    holders.each(&:authorization_header)
    extra = make_client(user: "limit-20-#{org}@example.com")
    error = assert_raises(AuthToken::TokenLimitError) { extra.get("/api/echo/") }
    assert_equal [3, "token_limit", 403], [error.code, error.kind, error.status]
    assert_equal "Maximum amount of tokens allowed per user exceeded.", error.server_message
    assert_includes error.message, "log out tokens that are no longer used"
    holders.first.logout
    extra.forget # the refusal is remembered for the identity (login_cooloff_s); forget lifts it
    assert_match(/\AToken /, extra.authorization_header)
  end

  def test_bad_credentials
    client = make_client(password: "wrong-password-123")
    error = assert_raises(AuthToken::InvalidCredentialsError) { client.authorization_header }
    assert_kind_of AuthToken::Error, error
    assert_equal [2, "invalid_credentials", 400], [error.code, error.kind, error.status]
    assert_equal "Unable to log in with provided credentials.", error.server_message
    refute_includes error.message, "wrong-password-123"
    refute_includes error.inspect, "wrong-password-123"
    refute_includes client.inspect, "wrong-password-123"
    assert_equal 0, emulator.logins("tpstreams", username)
    assert_equal 1, emulator.login_attempts("tpstreams", username)
  end

  def test_an_unreachable_host_is_a_network_error
    client = make_client(base_url: "http://127.0.0.1:9/tpstreams")
    error = assert_raises(AuthToken::NetworkError) { client.authorization_header }
    assert_equal [7, "network", nil], [error.code, error.kind, error.status]
  end

  def test_an_unknown_config_key_is_named
    error = assert_raises(AuthToken::InvalidConfigError) do
      AuthToken::Client.new(provider: :tpstreams, username: "u", pasword: "p", organization_id: "o")
    end
    assert_equal 1, error.code
    assert_includes error.message, "unknown config key `pasword`"
    assert_includes error.message, "did you mean `password`"
  end

  {
    { timeout_ms: "soon" } => "timeout_ms",
    { timeout_ms: 0 } => "timeout_ms",
    { subdomain: "demo" } => "subdomain",
    { organization_id: nil } => "organization_id",
    { cache: "floppy" } => "cache",
    { base_url: "ftp://example.com" } => "base_url",
    { max_retries: 99 } => "max_retries"
  }.each_with_index do |(overrides, key), i|
    define_method(:"test_an_invalid_value_names_its_key_#{i}_#{key}") do
      error = assert_raises(AuthToken::InvalidConfigError) { make_client(**overrides) }
      assert_includes error.message, "`#{key}`"
      assert_equal 1, error.code
      refute_includes error.message, PASSWORD
    end
  end

  def test_config_values_json_cannot_carry_are_type_errors
    assert_raises(TypeError) { make_client(cache_dir: Object.new) }
    assert_raises(TypeError) { make_client(timeout_ms: Float::NAN) }
    client = make_client(cache: "file", cache_dir: Pathname(Dir.mktmpdir("authtoken-rb")))
    assert_match(/\AToken /, client.authorization_header)
  end

  def test_invalid_request_arguments_send_nothing
    client = make_client
    error = assert_raises(AuthToken::InvalidArgumentError) { client.request("BREW", "/api/echo/") }
    assert_equal 14, error.code
    assert_includes error.message, "method"
    error = assert_raises(AuthToken::InvalidArgumentError) { client.get("http://localhost:1/api/echo/") }
    assert_includes error.message, "refusing to send"
    error = assert_raises(AuthToken::InvalidArgumentError) do
      client.get("/api/echo/", headers: { "Authorization" => "Token mine" })
    end
    assert_includes error.message, "Authorization"
    assert_raises(ArgumentError) { client.post("/api/echo/", json: {}, body: "") }
    assert_raises(TypeError) { client.get("/api/echo/", headers: { "X-Count" => 3.5 }) }
    assert_raises(TypeError) { client.post("/api/echo/", body: Object.new) }
    assert_raises(TypeError) { client.get("/api/echo/", query: 42) }
    assert_raises(ArgumentError) { client.get("/api/echo/\0") }
    stats = emulator.stats
    assert_equal 0, stats.dig("login_attempts", "tpstreams", username).to_i
    assert_equal 0, stats.dig("requests", "tpstreams", username).to_i
  end

  def test_from_config_takes_json_or_a_hash_with_overrides
    config = client_config.transform_keys(&:to_s)
    from_hash = AuthToken::Client.from_config(config)
    from_json = AuthToken::Client.from_config(JSON.generate(config))
    @clients = [from_hash, from_json]
    assert_equal from_hash.authorization_header, from_json.authorization_header
    assert_equal 1, emulator.logins("tpstreams", username)

    without_password = config.except("password")
    overridden = AuthToken::Client.from_config(JSON.generate(without_password), password: PASSWORD)
    @clients << overridden
    assert_equal from_hash.authorization_header, overridden.authorization_header

    error = assert_raises(AuthToken::InvalidConfigError) do
      AuthToken::Client.from_config('{"provider": "tpstreams", "password": "hunter22"')
    end
    refute_includes error.message, "hunter22"
    assert_raises(AuthToken::InvalidConfigError) { AuthToken::Client.from_config("[1, 2]") }
    assert_raises(TypeError) { AuthToken::Client.from_config(42) }
  end

  def test_the_password_may_come_from_the_environment
    config = client_config.except(:password)
    ENV["AUTHTOKEN_PASSWORD"] = PASSWORD
    client = AuthToken::Client.new(**config)
    @clients = [client]
    assert_match(/\AToken /, client.authorization_header)
  ensure
    ENV.delete("AUTHTOKEN_PASSWORD")
  end

  def test_inspect_never_shows_secrets
    client = make_client
    token = client.token
    text = client.inspect
    assert_includes text, username
    refute_includes text, PASSWORD
    refute_includes text, token
    assert_equal ["tpstreams", username, emulator.base_url("tpstreams")],
                 [client.provider, client.username, client.base_url]
  end

  def test_error_classes_carry_the_c_abi_codes
    names = %w[InvalidConfigError InvalidCredentialsError TokenLimitError UnauthorizedError ForbiddenError
               RateLimitedError NetworkError TimeoutError TlsError ServerError ProtocolError StoreError
               LockTimeoutError InvalidArgumentError HttpStatusError InternalError]
    names.each.with_index(1) do |name, code|
      klass = AuthToken.const_get(name)
      assert_operator klass, :<, AuthToken::Error
      assert_equal code, klass.code
      assert_equal AuthToken.kind_name(code), klass.kind, "kind of #{name}"
      assert_same klass, AuthToken.error_class(code)
      assert_equal code, klass.new("x").code
    end
    assert_operator AuthToken::Error, :<, StandardError
    assert_same AuthToken::Error, AuthToken.error_class(99)
    assert_nil AuthToken.kind_name(99)
  end

  def test_library_facts
    assert_equal AuthToken::VERSION, AuthToken.library_version
    assert_includes AuthToken.config_keys, "organization_id"
    assert File.file?(AuthToken.library_path)
  end
end
