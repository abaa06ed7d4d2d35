# frozen_string_literal: true

require "ffi"
require_relative "version"

module AuthToken
  # Finds libauthtoken for AuthToken::Native and explains, when it cannot be used, what was
  # tried, what was found there and what to do. Internal; pure functions (no library is opened
  # here), so that every failure can be tested on any machine.
  module Loader
    # The C ABI version this gem is written for (AUTHTOKEN_ABI_VERSION of include/authtoken.h,
    # the N of the soname libauthtoken.so.N). A library of another ABI is refused.
    ABI_VERSION = 0

    # The platforms a platform gem (authtoken-VERSION-PLATFORM.gem, with the library) exists for.
    PACKAGED_PLATFORMS = %w[x86_64-linux].freeze

    # ELF e_machine values, for saying what a library of the wrong architecture was built for.
    ELF_MACHINES = {
      3 => "x86 (32-bit)", 40 => "arm (32-bit)", 62 => "x86_64", 183 => "aarch64",
      20 => "ppc", 21 => "ppc64", 22 => "s390x", 243 => "riscv"
    }.freeze

    # Raised with a message that names the path tried, what was found and what to do.
    class Error < LoadError; end

    module_function

    # This process's platform as gems name it: "x86_64-linux", "arm64-darwin", ...
    def platform
      cpu = FFI::Platform::ARCH
      cpu = "arm64" if cpu == "aarch64" && FFI::Platform::OS == "darwin"
      "#{cpu}-#{FFI::Platform::OS}"
    end

    # The file name of the library on +os+ (libauthtoken.so on Linux).
    def library_name(os = FFI::Platform::OS)
      case os
      when "darwin" then "libauthtoken.dylib"
      when "windows" then "authtoken.dll"
      else "libauthtoken.so"
      end
    end

    # Where the library is looked for, in order: +AUTHTOKEN_LIB+ alone when it is set; else the
    # copy a platform gem vendors (lib/authtoken/native/PLATFORM/), then, when the gem is used
    # from a checkout of the repository, cargo's output (target/release, then target/debug).
    def candidates(platform: self.platform, env: ENV, gem_dir: __dir__)
      explicit = env.fetch("AUTHTOKEN_LIB", "")
      return [File.expand_path(explicit)] unless explicit.empty?

      name = library_name(platform.split("-", 2).last)
      repository = File.expand_path("../../../..", gem_dir)
      checkout = File.file?(File.join(repository, "Cargo.toml"))
      [File.join(gem_dir, "native", platform, name)] +
        (checkout ? %w[release debug].map { |profile| File.join(repository, "target", profile, name) } : [])
    end

    # The message for "no candidate exists": which gems have a library, how to get one.
    def not_found_message(tried, platform: self.platform, env: ENV)
      unless env.fetch("AUTHTOKEN_LIB", "").empty?
        return "authtoken: AUTHTOKEN_LIB is #{tried.first}, which is not a file. Point it at a " \
               "libauthtoken.so.#{ABI_VERSION} (the C tarball authtoken-VERSION-x86_64-linux-gnu.tar.gz " \
               "has one under lib/), or unset it to use the library of a platform gem."
      end
      packaged = PACKAGED_PLATFORMS.include?(platform)
      advice = if packaged
                 "This installed gem has no library for #{platform}: install the platform gem " \
                   "(`gem install authtoken --platform #{platform}`; with Bundler, " \
                   "`bundle lock --add-platform #{platform}`)"
               else
                 "No authtoken gem ships a library for #{platform} (platform gems exist for " \
                   "#{PACKAGED_PLATFORMS.join(", ")}): build libauthtoken for it from source " \
                   "(`cargo build --release -p authtoken`)"
               end
      "authtoken: the native library was not found (looked in #{tried.join(", ")}). #{advice}, " \
        "or set AUTHTOKEN_LIB to the path of a libauthtoken built for #{platform}."
    end

    # The message for a library that exists but could not be opened (+reason+: the loader's).
    def open_failed_message(path, reason)
      "authtoken: could not load #{path}: #{describe(path)}; the loader said: #{reason}. " \
        "Set AUTHTOKEN_LIB to a libauthtoken built for #{platform}, or install the authtoken gem " \
        "for this platform."
    end

    # The message for a library of another ABI version (+found+ nil: it has no version at all).
    def abi_mismatch_message(path, found)
      what = found.nil? ? "has no authtoken_abi_version(), so it predates ABI versions" : "has ABI version #{found}"
      "authtoken: #{path} #{what}, but this gem (#{AuthToken::VERSION}) needs ABI version " \
        "#{ABI_VERSION} (libauthtoken.so.#{ABI_VERSION}). Install the authtoken release that " \
        "matches the library, or point AUTHTOKEN_LIB at a library of ABI #{ABI_VERSION}."
    end

    # What the file at +path+ is, from its first bytes: "an ELF 64-bit shared library for
    # aarch64, while this process is x86_64", "a Mach-O file (macOS)", "an empty file".
    def describe(path)
      head = File.binread(path, 20) || ""
      return "an empty file" if head.empty?
      return describe_elf(head) if head.start_with?("\x7FELF".b)
      return "a Mach-O file (a macOS library)" if ["\xCF\xFA\xED\xFE".b, "\xCE\xFA\xED\xFE".b].include?(head[0, 4])
      return "a Windows PE file (a DLL)" if head.start_with?("MZ")

      "not a shared library (it starts with #{head[0, 8].inspect})"
    rescue SystemCallError => e
      "unreadable (#{e.message})"
    end

    def describe_elf(head)
      return "a truncated ELF file" if head.bytesize < 20

      bits = { 1 => "32-bit", 2 => "64-bit" }.fetch(head.getbyte(4), "unknown-class")
      order = head.getbyte(5) == 2 ? "n" : "v"
      machine_code = head.byteslice(18, 2).unpack1(order)
      machine = ELF_MACHINES.fetch(machine_code, "machine #{machine_code}")
      "an ELF #{bits} file for #{machine}, while this process is #{FFI::Platform::ARCH}"
    end
    private_class_method :describe_elf
  end
end
