# frozen_string_literal: true

require "faraday"
require "json"
require "uri"
require_relative "../authtoken"

# (AuthToken itself is described in lib/authtoken.rb.)
module AuthToken
  # A Faraday middleware that signs requests with an AuthToken::Client's token:
  #
  #   require "authtoken/faraday"
  #
  #   http = Faraday.new(url: client.base_url) do |f|
  #     f.request :authtoken, client
  #     f.response :raise_error
  #   end
  #   http.get("/api/v1/auhf2k/assets/")
  #
  # It sets the Authorization header (logging in only when there is no valid token). When the
  # server refuses the token (401, or Testpress' 403 for a bad JWT) it forgets the token if it
  # is still the client's current one, takes a fresh one and sends the request once more; a
  # second refusal is returned (or raised by +raise_error+) as it is.
  #
  # Raises AuthToken::InvalidArgumentError for a URL of another origin than the client's (the
  # header is never sent elsewhere), and the client's login errors.
  #
  # Thread-safety: one middleware stack may be used from many threads. Threads and processes
  # refused together replace the token once (Client#invalidate is a compare-and-invalidate).
  class FaradayMiddleware < ::Faraday::Middleware
    # The messages a Testpress (JWT) view sends, with 403, for a token it will not accept.
    JWT_REJECTIONS = ["Invalid signature.", "Signature has expired.", "Error decoding signature."].freeze

    # +client+ is an AuthToken::Client; the middleware does not close it.
    def initialize(app, client)
      super(app)
      @client = client
      @origin = self.class.origin(URI(client.base_url))
    end

    # Signs and sends the request; resends once with a fresh token when it was refused.
    def call(env)
      check_origin(env.url)
      request_body = env.body
      sent = sign(env)
      begin
        response = @app.call(env)
      rescue ::Faraday::ClientError => e
        raise unless e.response && refused?(e.response[:status], e.response[:body])

        return resend(env, request_body, sent)
      end
      return response unless refused?(response.status, response.body)

      resend(env, request_body, sent)
    end

    # The scheme, host and port of +uri+ (default ports made explicit).
    def self.origin(uri)
      [uri.scheme.to_s.downcase, uri.host.to_s.downcase, uri.port]
    end

    private

    def sign(env)
      env.request_headers["Authorization"] = @client.authorization_header
    end

    def resend(env, request_body, sent)
      replace_token(sent)
      env.body = request_body # Faraday put the first response's body here
      sign(env)
      @app.call(env)
    end

    # Forgets the token that was refused if it is still the current one, so that threads and
    # processes refused together cause one login.
    def replace_token(sent)
      @client.invalidate(sent)
    end

    def refused?(status, body)
      return true if status == 401
      return false unless status == 403 && @client.provider == "testpress"

      detail = JSON.parse(body.to_s)
      detail.is_a?(Hash) && JWT_REJECTIONS.include?(detail["detail"])
    rescue JSON::ParserError
      false
    end

    def check_origin(url)
      return if self.class.origin(url) == @origin

      raise InvalidArgumentError,
            "refusing to send the Authorization header to #{url.scheme}://#{url.host}:#{url.port}: " \
            "this client is for #{@client.base_url}"
    end
  end

  ::Faraday::Request.register_middleware(authtoken: FaradayMiddleware)
end
