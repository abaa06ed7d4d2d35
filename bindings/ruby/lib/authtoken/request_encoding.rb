# frozen_string_literal: true

require "json"
require "uri"

module AuthToken
  # Internal: turns Client#request's Ruby arguments into what the native request takes. Pure
  # functions; they raise TypeError for arguments of the wrong shape.
  module RequestEncoding
    module_function

    # +headers+ (nil, a Hash, or an Array of pairs) as <tt>[name, value]</tt> String pairs.
    def header_pairs(headers)
      pairs =
        case headers
        when nil then []
        when Hash, Array then headers.to_a
        else raise TypeError, "headers must be a Hash or an Array of [name, value] pairs"
        end
      pairs.map do |pair|
        unless pair.is_a?(Array) && pair.size == 2
          raise TypeError, "headers must be a Hash or an Array of [name, value] pairs"
        end

        name, value = pair
        unless name.is_a?(String) || name.is_a?(Symbol)
          raise TypeError, "header name #{name.inspect} must be a String or a Symbol"
        end
        unless value.is_a?(String) || value.is_a?(Integer)
          raise TypeError, "header #{name} must have a String or Integer value, not #{value.class}"
        end

        [name.to_s, value.to_s]
      end
    end

    # The body to send and the Content-Type it implies (nil: none implied).
    def encode_body(json, body)
      return [JSON.generate(json), "application/json"] unless json.nil?

      case body
      when nil then [nil, nil]
      when String then [body.b, nil]
      when Hash, Array then [URI.encode_www_form(body), "application/x-www-form-urlencoded"]
      else
        return [body.read.to_s.b, nil] if body.respond_to?(:read)

        raise TypeError, "body must be a String, an IO, or a Hash / Array of form fields, not #{body.class}"
      end
    end

    # +url+ with +query+ (a String, a Hash or an Array of pairs) appended to its own query.
    def with_query(url, query)
      return url if query.nil?

      encoded =
        case query
        when String then query.delete_prefix("?")
        when Hash, Array then URI.encode_www_form(query)
        else raise TypeError, "query must be a Hash, an Array of pairs or a String, not #{query.class}"
        end
      return url if encoded.empty?

      url.include?("?") ? "#{url}&#{encoded}" : "#{url}?#{encoded}"
    end
  end
end
