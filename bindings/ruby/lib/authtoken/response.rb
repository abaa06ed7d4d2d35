# frozen_string_literal: true

require "json"

module AuthToken
  # The answer to a signed request: status, headers, body and final URL.
  #
  # Returned by Client#request and its shortcuts. Everything is copied out of the native
  # response when it is built (the native handle is freed at once), so a Response is a plain,
  # frozen Ruby value: it may be shared between threads and outlives its client.
  #
  # Any HTTP status is a Response (a 404 does not raise); #raise_for_status turns 4xx and 5xx
  # into the matching AuthToken::Error.
  class Response
    # The HTTP status code (Integer).
    attr_reader :status
    # The body as a binary (ASCII-8BIT) String; see #text for UTF-8.
    attr_reader :body
    # The final URL (after redirects), a String.
    attr_reader :url
    # Every header as <tt>[name, value]</tt> pairs, names in lower case, in the order received
    # (a repeated header appears once per value).
    attr_reader :header_pairs

    private_class_method :new

    # Internal: copies a native response, read with one call. +handle+ must be a live
    # authtoken_response pointer; the caller frees it afterwards.
    def initialize(handle)
      parts = Native::ResponseParts.new
      Native.check(Native.authtoken_response_read(handle, parts))
      @status = parts[:status]
      @url = parts[:url].read_bytes(parts[:url_len]).force_encoding(Encoding::UTF_8).freeze
      @header_pairs = header_block(parts)
      @body = parts[:body].read_bytes(parts[:body_len]).freeze
      @headers = nil
      @failure = parts[:status_result].zero? ? nil : failure(handle)
      headers
      freeze
    end

    # The headers as a Hash of lower-case name => value; the values of a repeated header are
    # joined with ", " (as Net::HTTP does).
    def headers
      @headers ||= header_pairs.each_with_object({}) do |(name, value), all|
        all[name] = all.key?(name) ? "#{all[name]}, #{value}" : value
      end.freeze
    end

    # The value of one header, looked up case-insensitively (repeated values joined with
    # ", "), or nil.
    def [](name)
      headers[name.to_s.downcase]
    end

    # Every value of one header (case-insensitive), e.g. each Set-Cookie; [] when absent.
    def header_values(name)
      wanted = name.to_s.downcase
      header_pairs.filter_map { |key, value| value if key == wanted }
    end

    # The body as a UTF-8 String (a new copy).
    def text
      body.dup.force_encoding(Encoding::UTF_8)
    end

    # The body parsed as JSON. Raises JSON::ParserError when it is not JSON. Options are
    # JSON.parse's (e.g. <tt>symbolize_names: true</tt>).
    def json(**options)
      JSON.parse(text, **options)
    end

    # True for a 2xx status.
    def success?
      status >= 200 && status < 300
    end

    # Returns self for a status below 400; otherwise raises the error that matches the status
    # (401 UnauthorizedError, 403 ForbiddenError, 429 RateLimitedError, 5xx ServerError,
    # other 4xx HttpStatusError) with the status, the server's message, any Retry-After and
    # this response (Error#response).
    def raise_for_status
      raise @failure if @failure

      self
    end

    # A short description: the status and the URL (never a header or the body).
    def inspect
      "#<#{self.class.name} #{status} #{url}>"
    end

    private

    # The error #raise_for_status raises: the library maps the status (and sets the details).
    def failure(handle)
      Native.last_error(Native.authtoken_response_error_for_status(handle), response: self)
    end

    # The <tt>name NUL value NUL ...</tt> block as frozen <tt>[name, value]</tt> pairs.
    def header_block(parts)
      return [].freeze if parts[:header_count].zero?

      fields = parts[:headers].read_bytes(parts[:headers_len]).force_encoding(Encoding::UTF_8).split("\0", -1)
      fields.each(&:freeze).each_slice(2).map(&:freeze).freeze
    end
  end
end
