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

  # `make dist` builds two gems from a staged copy of this directory (scripts/dist/ruby-gems.sh):
  # with AUTHTOKEN_GEM_PLATFORM set (x86_64-linux), a platform gem carrying the library in
  # lib/authtoken/native/PLATFORM/; without it, the plain gem, which carries none and whose
  # load error says which gem to install or where to point AUTHTOKEN_LIB.
  platform = ENV.fetch("AUTHTOKEN_GEM_PLATFORM", "")
  unless platform.empty?
    spec.platform = Gem::Platform.new(platform)
    library = "lib/authtoken/native/#{platform}/libauthtoken.so"
    raise "#{library} is missing: stage the library before building the #{platform} gem" unless File.file?(library)
  end
  spec.files = Dir["lib/**/*.rb", "*.md", "LICENSE-*", "authtoken.gemspec"] +
               (platform.empty? ? [] : Dir["lib/authtoken/native/#{platform}/*"])
  spec.require_paths = ["lib"]

  spec.add_dependency "ffi", ">= 1.15", "< 2"
end
