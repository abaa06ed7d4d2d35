# frozen_string_literal: true

require "faraday"
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
    # +client+ is an AuthToken::Client; the middleware does not close it.
    def initialize(app, client)
      super(app)
      @client = client
    end

    # Signs and sends the request; resends once with a fresh token when it was refused.
    def call(env)
      @client.check_url(env.url)
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

    # The core's rule (Client#refused?), the one its own requests follow.
    def refused?(status, body)
      @client.refused?(status, body)
    end
  end

  ::Faraday::Request.register_middleware(authtoken: FaradayMiddleware)
end
