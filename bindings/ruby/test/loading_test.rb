# frozen_string_literal: true

require_relative "test_helper"
require "open3"
require "rbconfig"

# How the gem finds libauthtoken and what it says when it cannot use what it found: each case
# loads the gem in a fresh Ruby process (the library is opened at require time), or asks
# AuthToken::Loader directly for a platform this machine is not.
class LoadingTest < Minitest::Test
  LIB = File.expand_path("../lib", __dir__)
  LIBRARY = AuthToken::Native::PATH
  PROBE = <<~RUBY
    require "authtoken"
    puts "loaded " + AuthToken::Native::PATH
  RUBY

  def setup
    @dir = Dir.mktmpdir("authtoken-loading-")
  end

  def teardown
    FileUtils.rm_rf(@dir)
  end

  # Requires the gem in a new process with +env+; returns [success, stdout + stderr].
  def load_gem(env)
    out, status = Open3.capture2e(env, RbConfig.ruby, "-I", LIB, "-e", PROBE)
    [status.success?, out]
  end

  def test_the_library_named_by_authtoken_lib_is_used
    ok, out = load_gem("AUTHTOKEN_LIB" => LIBRARY)
    assert ok, out
    assert_includes out, "loaded #{LIBRARY}"
  end

  def test_a_missing_library_named_by_authtoken_lib
    ok, out = load_gem("AUTHTOKEN_LIB" => "/nonexistent/libauthtoken.so")
    refute ok
    assert_includes out, "authtoken: AUTHTOKEN_LIB is /nonexistent/libauthtoken.so, which is not a file. " \
                         "Point it at a libauthtoken.so.0"
    assert_includes out, "(AuthToken::Loader::Error)"
  end

  def test_a_library_for_another_architecture_says_what_it_is_for
    foreign = File.join(@dir, "libauthtoken.so")
    bytes = File.binread(LIBRARY)
    bytes[18, 2] = [183].pack("v") # ELF e_machine: aarch64
    File.binwrite(foreign, bytes)
    ok, out = load_gem("AUTHTOKEN_LIB" => foreign)
    refute ok
    assert_includes out, "authtoken: could not load #{foreign}: an ELF 64-bit file for aarch64, " \
                         "while this process is x86_64; the loader said:"
    assert_includes out, "Set AUTHTOKEN_LIB to a libauthtoken built for x86_64-linux"
  end

  def test_a_file_that_is_not_a_library
    bogus = File.join(@dir, "libauthtoken.so")
    File.write(bogus, "not an ELF file")
    ok, out = load_gem("AUTHTOKEN_LIB" => bogus)
    refute ok
    assert_includes out, "authtoken: could not load #{bogus}: not a shared library (it starts with \"not an E\")"
  end

  def test_a_library_of_another_abi_version_is_refused
    other = stub_library("other", "unsigned authtoken_abi_version(void) { return 99; }\n")
    ok, out = load_gem("AUTHTOKEN_LIB" => other)
    refute ok
    assert_includes out, "authtoken: #{other} has ABI version 99, but this gem (#{AuthToken::VERSION}) " \
                         "needs ABI version 0 (libauthtoken.so.0). Install the authtoken release that " \
                         "matches the library, or point AUTHTOKEN_LIB at a library of ABI 0."
  end

  def test_a_library_from_before_abi_versions_is_refused
    old = stub_library("old", "int authtoken_noop(void) { return 0; }\n")
    ok, out = load_gem("AUTHTOKEN_LIB" => old)
    refute ok
    assert_includes out, "authtoken: #{old} has no authtoken_abi_version(), so it predates ABI versions"
  end

  def test_without_authtoken_lib_an_installed_gem_looks_in_its_platform_directory
    gem_dir = File.join(@dir, "gems", "authtoken-1.0.0", "lib", "authtoken")
    tried = AuthToken::Loader.candidates(platform: "x86_64-linux", env: {}, gem_dir: gem_dir)
    assert_equal [File.join(gem_dir, "native", "x86_64-linux", "libauthtoken.so")], tried
    message = AuthToken::Loader.not_found_message(tried, platform: "x86_64-linux", env: {})
    assert_includes message, "This installed gem has no library for x86_64-linux: install the platform gem " \
                             "(`gem install authtoken --platform x86_64-linux`"
  end

  def test_an_unsupported_platform_names_the_platforms_that_have_a_gem
    gem_dir = File.join(@dir, "gems", "authtoken-1.0.0", "lib", "authtoken")
    tried = AuthToken::Loader.candidates(platform: "arm64-darwin", env: {}, gem_dir: gem_dir)
    assert_equal [File.join(gem_dir, "native", "arm64-darwin", "libauthtoken.dylib")], tried
    assert_equal "authtoken: the native library was not found (looked in #{tried.first}). No authtoken gem " \
                 "ships a library for arm64-darwin (platform gems exist for x86_64-linux): build libauthtoken " \
                 "for it from source (`cargo build --release -p authtoken`), or set AUTHTOKEN_LIB to the path " \
                 "of a libauthtoken built for arm64-darwin.",
                 AuthToken::Loader.not_found_message(tried, platform: "arm64-darwin", env: {})
  end

  private

  # A stand-in for libauthtoken built with cc from +source+.
  def stub_library(name, source)
    c_file = File.join(@dir, "#{name}.c")
    File.write(c_file, source)
    library = File.join(@dir, name, "libauthtoken.so")
    FileUtils.mkdir_p(File.dirname(library))
    out, status = Open3.capture2e("cc", "-shared", "-fPIC", "-o", library, c_file)
    assert status.success?, out
    library
  end
end
