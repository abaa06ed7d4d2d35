# frozen_string_literal: true

module AuthToken
  # The gem's version; the native library reports its own with AuthToken.library_version.
  VERSION = "0.1.0"
end
