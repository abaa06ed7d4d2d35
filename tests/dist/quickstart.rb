# frozen_string_literal: true

# The Ruby install quickstart (README "Install"), as make test-dist runs it: an installed gem,
# no repository. Prints the scheme of the header, the status of a signed GET and the library's
# version. The emulator is AUTHTOKEN_EMULATOR, the password AUTHTOKEN_PASSWORD; the token is
# shared through AUTHTOKEN_CACHE_DIR with the other quickstarts (no logout here).
require "authtoken"

AuthToken::Client.open(provider: :tpstreams, username: "hari@example.com", organization_id: "auhf2k",
                       base_url: "#{ENV.fetch("AUTHTOKEN_EMULATOR")}/tpstreams") do |client|
  scheme = client.authorization_header.split.first
  status = client.get("/api/v1/auhf2k/assets/").raise_for_status.status
  puts "ruby #{RUBY_VERSION}: scheme #{scheme}, GET assets #{status}, authtoken #{AuthToken.library_version}, " \
       "library #{AuthToken::Native::PATH}"
end
