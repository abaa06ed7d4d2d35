# frozen_string_literal: true

require_relative "lib/authtoken/version"

Gem::Specification.new do |spec|
  spec.name = "authtoken"
  spec.version = AuthToken::VERSION
  spec.summary = "Log in to TPStreams, Testpress and CruxConnect once; share the token; sign requests."
  spec.description = <<~TEXT
    Ruby bindings (the ffi gem over the C ABI) to libauthtoken, one Rust core that logs in to the
    token-auth APIs of TPStreams, Testpress and CruxConnect, shares one token across threads,
    processes and machines, signs requests, logs in again on a 401, and logs out.
  TEXT
  spec.authors = ["authtoken developers"]
  spec.licenses = ["MIT", "Apache-2.0"] # either, at your option
  spec.homepage = "https://github.com/authtoken/authtoken"
  spec.required_ruby_version = ">= 3.0"
  spec.metadata["rubygems_mfa_required"] = "true"

  # The native library is not built by the gem: set AUTHTOKEN_LIB, or copy a libauthtoken.so
  # built for the target platform into lib/authtoken/native/ before `gem build`.
  spec.files = Dir["lib/**/*.rb", "lib/authtoken/native/*.{so,dylib,dll}", "authtoken.gemspec"]
  spec.require_paths = ["lib"]

  spec.add_dependency "ffi", ">= 1.15", "< 2"
end
