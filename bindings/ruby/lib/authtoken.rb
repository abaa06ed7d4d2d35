# frozen_string_literal: true

require_relative "authtoken/version"
require_relative "authtoken/errors"
require_relative "authtoken/native"
require_relative "authtoken/response"
require_relative "authtoken/request_encoding"
require_relative "authtoken/client"

# Log in to TPStreams, Testpress and CruxConnect once; share the token; sign requests.
#
# One Rust core (libauthtoken, through its C ABI and the ffi gem) does the work for every
# language: it logs in only when there is no valid token, shares that token across threads,
# processes (file cache) and machines (Redis), signs requests, logs in again on a 401, and
# logs out.
#
#   require "authtoken"
#
#   AuthToken::Client.open(provider: :tpstreams, username: "hari@example.com",
#                          password: ENV.fetch("TPSTREAMS_PASSWORD"), organization_id: "auhf2k") do |client|
#     assets = client.get("/api/v1/auhf2k/assets/").raise_for_status.json
#   end
#
# Errors are subclasses of AuthToken::Error, one per kind, with the same numeric code in every
# language. The native library is found through AUTHTOKEN_LIB (see AuthToken::Native).
module AuthToken
  # The native library's version, e.g. "0.1.0".
  def self.library_version
    Native.authtoken_version.dup.force_encoding(Encoding::UTF_8)
  end

  # The path the native library was loaded from.
  def self.library_path
    Native::PATH
  end

  # The name of every configuration key Client.new accepts (the same in every binding).
  def self.config_keys
    JSON.parse(Native.string_out(:authtoken_config_keys))
  end

  # The stable snake_case name the library gives a numeric error code (nil when unknown).
  def self.kind_name(code)
    Native.authtoken_error_kind_name(code)&.dup&.force_encoding(Encoding::UTF_8)
  end
end
