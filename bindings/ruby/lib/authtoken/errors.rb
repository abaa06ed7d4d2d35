# frozen_string_literal: true

# (AuthToken itself is described in lib/authtoken.rb.)
module AuthToken
  # The base of every error the library raises: one subclass per error kind, each with the
  # numeric code the C ABI, Python and PHP use for the same kind (AuthToken::Error::CODE is nil;
  # each subclass sets its own CODE and KIND).
  #
  # Messages never contain a password or a token.
  #
  #   begin
  #     client.get("/api/v1/org/assets/")
  #   rescue AuthToken::InvalidCredentialsError => e
  #     warn "#{e.message} (HTTP #{e.status}: #{e.server_message})"
  #   end
  class Error < StandardError
    CODE = nil
    KIND = "error"

    # The stable numeric code of the kind (1..16), as in the C ABI's authtoken_result.
    attr_reader :code
    # The HTTP status of the answer that caused the error, or nil (no answer, e.g. a refused
    # connection).
    attr_reader :status
    # The server's own message (+detail+, +message+, +error+ or +non_field_errors+), or nil.
    attr_reader :server_message
    # The server's +error_code+ (Testpress: +parallel_login_restriction+,
    # +max_login_exceeded+), or nil.
    attr_reader :error_code
    # How long the server asked to wait (Retry-After), in seconds as a Float, or nil.
    attr_reader :retry_after
    # The AuthToken::Response when raised by Response#raise_for_status, else nil.
    attr_reader :response

    class << self
      # The kind's numeric code (nil for AuthToken::Error itself).
      def code
        self::CODE
      end

      # The kind's stable snake_case name (+invalid_credentials+, ...), as in every binding.
      def kind
        self::KIND
      end
    end

    # The keyword arguments default to the class's own code and to nil.
    def initialize(message = nil, code: self.class.code, status: nil, server_message: nil,
                   error_code: nil, retry_after: nil, response: nil)
      super(message || self.class.name)
      @code = code
      @status = status
      @server_message = server_message
      @error_code = error_code
      @retry_after = retry_after
      @response = response
    end

    # The kind's snake_case name.
    def kind
      self.class.kind
    end
  end

  # One class per error kind; CODE is the C ABI's AUTHTOKEN_RESULT_* value.

  # Code 1, kind +invalid_config+:
  # The configuration is malformed, or a key is missing, unknown, mistyped or not valid for the
  # provider (the message names the key).
  class InvalidConfigError < Error
    CODE = 1
    KIND = "invalid_config"
  end

  # Code 2, kind +invalid_credentials+:
  # The server refused the username and password at login (status 400 or 401).
  class InvalidCredentialsError < Error
    CODE = 2
    KIND = "invalid_credentials"
  end

  # Code 3, kind +token_limit+:
  # The service refused to issue another token (TPStreams' 20 live tokens per organization,
  # Testpress' parallel-login limits). Log out tokens that are no longer used.
  class TokenLimitError < Error
    CODE = 3
    KIND = "token_limit"
  end

  # Code 4, kind +unauthorized+:
  # A signed request was refused with 401 even after logging in again.
  class UnauthorizedError < Error
    CODE = 4
    KIND = "unauthorized"
  end

  # Code 5, kind +forbidden+:
  # The server answered 403 at login or logout, or Response#raise_for_status saw a 403.
  class ForbiddenError < Error
    CODE = 5
    KIND = "forbidden"
  end

  # Code 6, kind +rate_limited+:
  # The server answered 429 and retrying within the allowed wait did not help (see #retry_after).
  class RateLimitedError < Error
    CODE = 6
    KIND = "rate_limited"
  end

  # Code 7, kind +network+:
  # The server could not be reached, or the connection broke.
  class NetworkError < Error
    CODE = 7
    KIND = "network"
  end

  # Code 8, kind +timeout+:
  # The server did not answer within +timeout_ms+ / +connect_timeout_ms+.
  class TimeoutError < Error
    CODE = 8
    KIND = "timeout"
  end

  # Code 9, kind +tls+:
  # TLS failed (certificate, handshake), or +ca_file+ could not be read.
  class TlsError < Error
    CODE = 9
    KIND = "tls"
  end

  # Code 10, kind +server+:
  # The server answered 5xx at login or logout, or Response#raise_for_status saw a 5xx.
  class ServerError < Error
    CODE = 10
    KIND = "server"
  end

  # Code 11, kind +protocol+:
  # The server's answer could not be understood (bad JSON, no token, too large).
  class ProtocolError < Error
    CODE = 11
    KIND = "protocol"
  end

  # Code 12, kind +store+:
  # The token store (file cache, Redis) failed or refused an unsafe entry.
  class StoreError < Error
    CODE = 12
    KIND = "store"
  end

  # Code 13, kind +lock_timeout+:
  # Another process held the login lock for longer than +lock_timeout_ms+.
  class LockTimeoutError < Error
    CODE = 13
    KIND = "lock_timeout"
  end

  # Code 14, kind +invalid_argument+:
  # An argument was invalid: an unknown HTTP method, a bad header, a URL of another origin, or a
  # closed client.
  class InvalidArgumentError < Error
    CODE = 14
    KIND = "invalid_argument"
  end

  # Code 15, kind +http_status+:
  # Response#raise_for_status saw a 4xx status other than 401, 403 and 429.
  class HttpStatusError < Error
    CODE = 15
    KIND = "http_status"
  end

  # Code 16, kind +internal+:
  # A bug inside the library (a panic, caught at the boundary). Please report the message.
  class InternalError < Error
    CODE = 16
    KIND = "internal"
  end

  ERROR_CLASSES = [
    InvalidConfigError, InvalidCredentialsError, TokenLimitError, UnauthorizedError,
    ForbiddenError, RateLimitedError, NetworkError, TimeoutError, TlsError, ServerError,
    ProtocolError, StoreError, LockTimeoutError, InvalidArgumentError, HttpStatusError,
    InternalError
  ].to_h { |klass| [klass::CODE, klass] }.freeze
  private_constant :ERROR_CLASSES

  # The error class of a numeric code (1..16); AuthToken::Error for a code this version does
  # not know (a newer library).
  def self.error_class(code)
    ERROR_CLASSES.fetch(code, Error)
  end
end
