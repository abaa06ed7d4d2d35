# frozen_string_literal: true

require "json"
require "uri"

module AuthToken
  # A client for one identity (provider, base URL, username, organization) on one service.
  #
  #   client = AuthToken::Client.new(provider: :tpstreams, username: "hari@example.com",
  #                                  password: ENV.fetch("TPSTREAMS_PASSWORD"),
  #                                  organization_id: "auhf2k")
  #   client.get("/api/v1/auhf2k/assets/").raise_for_status.json
  #
  # It logs in on first use, only when no valid token is in memory or in the store (by default
  # a file cache shared with every process of the user, in any language), signs requests,
  # logs in again once on a 401 and resends, and logs out (#logout) on request.
  #
  # Thread-safety: one client may be used from many threads at once; threads that need a
  # token wait for one login. Calls that may wait (login, request, logout, the store) release
  # the GVL, so other threads run meanwhile. #close waits for calls in progress.
  #
  # Ownership: the native handle is an FFI::AutoPointer, freed when the client is garbage
  # collected, or earlier by #close. Neither revokes the token: it stays in the store for the
  # next client of the same identity.
  #
  # Secrets: #inspect and error messages never show the password or the token.
  class Client
    # The provider name given in the configuration (e.g. "tpstreams").
    attr_reader :provider
    # The username given in the configuration (nil when it comes from AUTHTOKEN_USERNAME).
    attr_reader :username
    # The base URL requests are sent to, without a trailing slash.
    attr_reader :base_url

    # Creates a client, runs the block with it and closes it (without logging out); returns
    # the block's value. Without a block, the same as Client.new.
    def self.open(**config)
      client = new(**config)
      return client unless block_given?

      begin
        yield client
      ensure
        client.close
      end
    end

    # Creates a client from a configuration document (a JSON String, or a Hash with String or
    # Symbol keys), with keyword arguments overriding its keys:
    #
    #   AuthToken::Client.from_config(File.read("authtoken.json"), password: ENV.fetch("PW"))
    def self.from_config(config, **overrides)
      document =
        case config
        when String
          begin
            JSON.parse(config)
          rescue JSON::ParserError
            raise InvalidConfigError, "the configuration is not valid JSON"
          end
        when Hash then config
        else raise TypeError, "config must be a JSON String or a Hash, not #{config.class}"
        end
      raise InvalidConfigError, "the configuration must be a JSON object" unless document.is_a?(Hash)

      new(**document.transform_keys(&:to_sym), **overrides)
    end

    # Creates a client. The keywords are the configuration keys shared by every binding
    # (AuthToken.config_keys): +provider+ (<tt>:tpstreams</tt>, <tt>:tpstreams_legacy</tt>,
    # <tt>:testpress</tt>, <tt>:cruxconnect</tt>, <tt>:custom</tt>), +username+, +password+,
    # +organization_id+, +subdomain+, +base_url+, +cache+, +cache_dir+, +timeout_ms+, ...
    # Values may be Strings, Symbols, Integers, Floats, true/false, nil, paths (anything with
    # +to_path+), and Hashes/Arrays of those.
    #
    # No network traffic happens here: the first login is on first use.
    #
    # Raises InvalidConfigError for an unknown key, a missing or mistyped value (the message
    # names the key, never the password), TypeError for a value that cannot be expressed in
    # JSON, TlsError for an unreadable +ca_file+, StoreError when the store cannot be opened.
    def initialize(**config)
      document = config.to_h { |key, value| [key.to_s, self.class.send(:config_value, key.to_s, value)] }
      @provider = document["provider"].is_a?(String) ? document["provider"] : nil
      @username = document["username"].is_a?(String) ? document["username"] : nil
      json = JSON.generate(document)
      begin
        @handle = FFI::AutoPointer.new(Native.client_new(json), Native::ClientRelease.new)
      ensure
        # Best effort: the JSON held the password; overwrite it before it is garbage.
        json.bytesize.times { |i| json.setbyte(i, 0) }
      end
      @lock = Mutex.new
      @idle = ConditionVariable.new
      @in_flight = 0
      @header_cache = nil
      @base_url = Native.string_out(:authtoken_client_base_url, @handle).freeze
    end

    # The raw token (without the scheme). Logs in only if no valid token is in memory or in the
    # store. It is a secret: do not log it. Raises the login's errors (InvalidCredentialsError,
    # TokenLimitError, NetworkError, ...).
    def token
      with_handle { |handle| Native.string_out(:authtoken_client_token, handle) }
    end

    # The Authorization header value exactly as the service wants it (<tt>Token 3f…</tt>,
    # <tt>token 3f…</tt>, <tt>JWT eyJ…</tt>), for sending requests with another HTTP library:
    # a frozen String. A warm call does not touch the network; while the token it came from is
    # fresh, it returns the same String again (one quick native call checks that). Raises the
    # login's errors.
    def authorization_header
      cached = @header_cache
      return cached[1] if cached && token_serial == cached[0]

      with_handle do |handle|
        out = FFI::MemoryPointer.new(:pointer)
        serial = FFI::MemoryPointer.new(:uint64)
        Native.check(Native.authtoken_client_authorization_header_and_serial(handle, out, serial))
        header = Native.take_string(out.read_pointer).freeze
        # One frozen pair, replaced whole: a reader on another thread sees a header and the
        # serial of its own token, never one with the other's.
        @header_cache = [serial.read(:uint64), header].freeze
        header
      end
    end

    # Sends a signed request and returns its Response (any status; see
    # Response#raise_for_status). On a 401 the client logs in again, once, and resends.
    #
    # - +method+: :get, "POST", ... (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS).
    # - +url+: a path below #base_url (<tt>"/api/v1/org/assets/"</tt>) or an absolute URL of
    #   the same origin; the Authorization header is never sent to another origin.
    # - +json+: an object sent as JSON (with <tt>Content-Type: application/json</tt>).
    # - +body+: a String sent as is, an IO (read whole), or a Hash / Array of pairs sent as a
    #   form (<tt>application/x-www-form-urlencoded</tt>). Not together with +json+.
    # - +headers+: a Hash or an Array of <tt>[name, value]</tt> pairs (repeated names allowed);
    #   values are Strings or Integers. An Authorization header is refused.
    # - +query+: a Hash or Array of pairs (a value may be an Array: repeated keys), or a String;
    #   appended to the URL's own query.
    #
    # Raises InvalidArgumentError (unknown method, bad header, other origin, closed client),
    # UnauthorizedError (a fresh token refused too), NetworkError, TimeoutError, the login's
    # errors; ArgumentError / TypeError for arguments of the wrong shape.
    def request(method, url, json: nil, body: nil, headers: nil, query: nil)
      raise ArgumentError, "give json: or body:, not both" if !json.nil? && !body.nil?

      header_list = RequestEncoding.header_pairs(headers)
      payload, content_type = RequestEncoding.encode_body(json, body)
      if content_type && header_list.none? { |name, _| name.casecmp?("content-type") }
        header_list << ["Content-Type", content_type]
      end
      target = RequestEncoding.with_query(url.to_s, query)
      with_handle do |handle|
        send_request(handle, method.to_s.upcase, target, header_list.empty? ? nil : JSON.generate(header_list),
                     payload)
      end
    end

    # Sends a signed GET (see #request for the options).
    def get(url, **options)
      request(:get, url, **options)
    end

    # Sends a signed POST (see #request for the options).
    def post(url, **options)
      request(:post, url, **options)
    end

    # Sends a signed PUT (see #request for the options).
    def put(url, **options)
      request(:put, url, **options)
    end

    # Sends a signed PATCH (see #request for the options).
    def patch(url, **options)
      request(:patch, url, **options)
    end

    # Sends a signed DELETE (see #request for the options).
    def delete(url, **options)
      request(:delete, url, **options)
    end

    # Logs out: revokes the token on the server (TPStreams, Testpress; services without a
    # logout endpoint only forget it) and removes it from the store, so that every process
    # sharing it logs in again on its next use. Without a token nothing is sent. The client
    # stays usable. Raises NetworkError, ServerError, ... when the server fails to revoke (the
    # token is then kept, so that logout can be retried); StoreError. Returns nil.
    def logout
      with_handle { |handle| Native.check(Native.authtoken_client_logout(handle)) }
      nil
    end

    # Forgets the token here and in the store without revoking it on the server; the next
    # call that needs a token logs in again. Raises StoreError. Returns nil.
    def forget
      with_handle { |handle| Native.check(Native.authtoken_client_forget(handle)) }
      nil
    end

    # Compare-and-invalidate, for code that sends requests with its own HTTP client (Net::HTTP,
    # Faraday) and got a 401: forgets +failed+ (the token, or the whole header value) only while
    # it is still the current token, in this process and in the shared cache. Many threads or
    # processes reporting the same refused token cause one login, and a token another process
    # has just obtained is kept. Take #authorization_header again afterwards. Returns whether
    # this call forgot it. Raises InvalidArgumentError for an empty +failed+.
    def invalidate(failed)
      forgotten = FFI::MemoryPointer.new(:bool)
      with_handle do |handle|
        Native.check(Native.authtoken_client_invalidate(handle, failed.to_s, forgotten))
      end
      forgotten.read(:bool)
    end

    # Whether an answer with +status+ and +body+ (a String, or nil) to a request signed with
    # this client's token says the token was refused: a 401, or, for Testpress, a 403 whose
    # message is one of its JWT views' rejections. The core decides, by the rule its own
    # requests follow; then #invalidate the header that was sent, take a fresh one and resend
    # once. Thread-safe.
    def refused?(status, body)
      bytes = body.to_s.b
      buffer = FFI::MemoryPointer.new(:uint8, bytes.bytesize + 1)
      buffer.put_bytes(0, bytes)
      refused = FFI::MemoryPointer.new(:bool)
      with_handle do |handle|
        Native.check(Native.authtoken_client_is_refused(handle, Integer(status), buffer, bytes.bytesize, refused))
      end
      refused.read(:bool)
    end

    # Raises InvalidArgumentError unless this client's Authorization header may be sent to
    # +url+ (a String or URI): an absolute http:// or https:// URL with the base URL's scheme,
    # host and port, the one origin the token is ever sent to. The message says what was wrong.
    # Returns nil. Thread-safe.
    def check_url(url)
      with_handle { |handle| Native.check(Native.authtoken_client_check_url(handle, url.to_s)) }
      nil
    end

    # Frees the native handle now, after waiting for calls in progress on other threads.
    # Does not log out. Idempotent. Later calls raise InvalidArgumentError. Returns nil.
    def close
      handle = @lock.synchronize do
        current = @handle
        @handle = nil
        @header_cache = nil
        @idle.wait(@lock) while @in_flight.positive?
        current
      end
      handle&.free
      nil
    end

    # True once #close was called.
    def closed?
      @lock.synchronize { @handle.nil? }
    end

    # A copy would share the native handle and free it twice: refused. Share the one client
    # between threads instead (it is thread-safe).
    def initialize_copy(_other)
      raise TypeError, "an AuthToken::Client cannot be copied; share the same client between threads"
    end

    # The provider, username and base URL; never the password or the token.
    def inspect
      state = closed? ? " (closed)" : ""
      "#<#{self.class.name} #{provider} #{username.inspect} #{base_url}#{state}>"
    end
    alias to_s inspect

    # A value for the configuration JSON; raises TypeError for what JSON cannot carry.
    def self.config_value(key, value)
      case value
      when String, Integer, true, false, nil then value
      when Float
        raise TypeError, "config key `#{key}` must be a finite number" unless value.finite?

        value
      when Symbol then key == "provider" ? value.to_s.tr("_", "-") : value.to_s
      when Hash then value.to_h { |k, v| [k.to_s, config_value(key, v)] }
      when Array then value.map { |v| config_value(key, v) }
      else
        return value.to_path.to_s if value.respond_to?(:to_path)

        raise TypeError, "config key `#{key}` cannot be a #{value.class}"
      end
    end
    private_class_method :config_value

    private

    CLOSED_MESSAGE = "the client is closed"
    private_constant :CLOSED_MESSAGE

    # The serial of the fresh token the native client holds (0 for none): quick, so it is
    # called under the lock that #close takes, instead of being counted as in flight.
    def token_serial
      @lock.synchronize do
        raise InvalidArgumentError, CLOSED_MESSAGE if @handle.nil?

        Native.authtoken_client_token_serial(@handle)
      end
    end

    # Runs the block with the live handle, counting the call so that #close waits for it.
    def with_handle
      handle = @lock.synchronize do
        raise InvalidArgumentError, CLOSED_MESSAGE if @handle.nil?

        @in_flight += 1
        @handle
      end
      begin
        yield handle
      ensure
        @lock.synchronize do
          @in_flight -= 1
          @idle.broadcast if @in_flight.zero?
        end
      end
    end

    def send_request(handle, method, target, headers_json, payload)
      body_pointer = nil
      unless payload.nil?
        # One spare byte so that an empty body still has a non-NULL pointer.
        body_pointer = FFI::MemoryPointer.new(:uint8, payload.bytesize + 1)
        body_pointer.put_bytes(0, payload)
      end
      out = FFI::MemoryPointer.new(:pointer)
      Native.check(Native.authtoken_client_request(handle, method, target, headers_json, body_pointer,
                                                   payload.nil? ? 0 : payload.bytesize, out))
      # The response handle never outlives this call: everything is copied out of it, then it
      # is freed (in +ensure+, so an exception cannot leak it; no finalizer is needed).
      response = out.read_pointer
      begin
        Response.send(:new, response)
      ensure
        Native.authtoken_response_free(response)
      end
    end
  end
end
