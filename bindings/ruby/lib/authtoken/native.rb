# frozen_string_literal: true

require "ffi"
require_relative "loader"

module AuthToken
  # The C ABI of libauthtoken (include/authtoken.h), attached with the ffi gem.
  #
  # Internal: use AuthToken::Client. The library is opened when this file is loaded, from
  # +AUTHTOKEN_LIB+ when set, else from the platform gem's lib/authtoken/native/PLATFORM/
  # (see Loader.candidates). A missing library, one of another architecture or of another
  # ABI version raises LoadError naming the path, what was found and what to do.
  #
  # Functions that may touch the network, a lock or the token store are attached with
  # <tt>blocking: true</tt>: the ffi gem releases the GVL around them, so other Ruby threads
  # run while one waits for a login or a response. The rest are quick and keep the GVL.
  #
  # The library keeps a last error per native thread. Every Ruby thread is a native thread
  # and a blocking call returns on the thread that made it, so the error is read right after
  # the failed call, on the same thread (Native.check). The library's _free functions leave
  # the last error alone, so an AutoPointer finalizer running in between does not disturb it.
  module Native
    extend FFI::Library

    # The file name of the shared library on this platform (libauthtoken.so on Linux).
    LIBRARY_NAME = Loader.library_name

    # Where the library is looked for, in order (see Loader.candidates).
    def self.candidates
      Loader.candidates
    end

    # Opens the first candidate that exists and checks its ABI version. Raises LoadError
    # (Loader::Error) naming the paths tried, what was found and what to do when none can be
    # used.
    def self.open_library
      tried = candidates
      path = tried.find { |candidate| File.file?(candidate) }
      raise Loader::Error, Loader.not_found_message(tried) if path.nil?

      begin
        ffi_lib(path)
      rescue LoadError => e
        raise Loader::Error, Loader.open_failed_message(path, e.message)
      end
      check_abi(path)
      path
    end

    # Refuses a library of another C ABI (or one older than ABI versions) before any other
    # function is attached: its functions might not mean what this gem expects.
    def self.check_abi(path)
      begin
        attach_function :authtoken_abi_version, [], :uint32
      rescue FFI::NotFoundError
        raise Loader::Error, Loader.abi_mismatch_message(path, nil)
      end
      found = authtoken_abi_version
      raise Loader::Error, Loader.abi_mismatch_message(path, found) unless found == Loader::ABI_VERSION
    end

    # The path the library was opened from.
    PATH = open_library.freeze

    attach_function :authtoken_version, [], :string
    attach_function :authtoken_noop, [], :uint32
    attach_function :authtoken_config_keys, [:pointer], :uint32
    attach_function :authtoken_string_free, [:pointer], :void
    attach_function :authtoken_error_kind_name, [:uint32], :string

    attach_function :authtoken_last_error_code, [], :uint32
    attach_function :authtoken_last_error_status, [], :uint16
    attach_function :authtoken_last_error_message_dup, [], :pointer
    attach_function :authtoken_last_error_server_message_dup, [], :pointer
    attach_function :authtoken_last_error_error_code_dup, [], :pointer
    attach_function :authtoken_last_error_retry_after_ms, [], :int64

    # Creating a client may open the store (a Redis connection): blocking.
    attach_function :authtoken_client_new, %i[string pointer], :uint32, blocking: true
    attach_function :authtoken_client_free, [:pointer], :void
    attach_function :authtoken_client_token, %i[pointer pointer], :uint32, blocking: true
    attach_function :authtoken_client_authorization_header, %i[pointer pointer], :uint32, blocking: true
    attach_function :authtoken_client_authorization_header_and_serial, %i[pointer pointer pointer], :uint32,
                    blocking: true
    # Reads the client's memory only (no lock wait, no I/O): keeps the GVL.
    attach_function :authtoken_client_token_serial, [:pointer], :uint64
    attach_function :authtoken_client_request,
                    %i[pointer string string string pointer size_t pointer], :uint32, blocking: true
    attach_function :authtoken_client_logout, [:pointer], :uint32, blocking: true
    attach_function :authtoken_client_forget, [:pointer], :uint32, blocking: true
    attach_function :authtoken_client_invalidate, %i[pointer string pointer], :uint32, blocking: true
    attach_function :authtoken_client_base_url, %i[pointer pointer], :uint32
    # The core's decisions, for adapters of other HTTP clients (pure, quick).
    attach_function :authtoken_client_is_refused, %i[pointer uint16 pointer size_t pointer], :uint32
    attach_function :authtoken_client_check_url, %i[pointer string], :uint32

    # Everything a response holds, filled by one authtoken_response_read() (the pointers are
    # borrowed from the response; see authtoken_response_parts in authtoken.h).
    class ResponseParts < FFI::Struct
      layout :body, :pointer,
             :body_len, :size_t,
             :headers, :pointer,
             :headers_len, :size_t,
             :header_count, :size_t,
             :url, :pointer,
             :url_len, :size_t,
             :status, :uint16,
             :status_result, :uint32
    end

    attach_function :authtoken_response_read, [:pointer, ResponseParts.by_ref], :uint32
    attach_function :authtoken_response_error_for_status, [:pointer], :uint32
    attach_function :authtoken_response_free, [:pointer], :void

    # The release function of a client's AutoPointer. It is safe in a forked child too: the
    # library leaves the HTTP stack inherited from the parent alone there. A plain object, so
    # that a finalizer keeps no other object alive.
    class ClientRelease
      # Called by FFI::AutoPointer with the raw handle, once.
      def call(pointer)
        Native.authtoken_client_free(pointer)
      end
    end

    module_function

    # Raises the calling thread's last error as an AuthToken::Error subclass unless +result+
    # is 0 (OK). Call it right after the failed function, on the same thread.
    def check(result)
      raise last_error(result) unless result.zero?
    end

    # The calling thread's last error as an exception (not raised). +result+ is the code the
    # failed call returned; +response+ is attached to the error (Response#raise_for_status).
    def last_error(result = authtoken_last_error_code, response: nil)
      message = take_string(authtoken_last_error_message_dup) || "authtoken error #{result}"
      status = authtoken_last_error_status
      retry_after_ms = authtoken_last_error_retry_after_ms
      AuthToken.error_class(result).new(
        message,
        code: result,
        status: status.zero? ? nil : status,
        server_message: take_string(authtoken_last_error_server_message_dup),
        error_code: take_string(authtoken_last_error_error_code_dup),
        retry_after: retry_after_ms.negative? ? nil : retry_after_ms / 1000.0,
        response: response
      )
    end

    # Copies an owned C string into a new UTF-8 Ruby String and frees (wipes) the C copy;
    # nil for NULL.
    def take_string(pointer)
      return nil if pointer.null?

      begin
        pointer.read_string.force_encoding(Encoding::UTF_8)
      ensure
        authtoken_string_free(pointer)
      end
    end

    # Calls a function that writes one owned string to its last argument; returns the copy.
    def string_out(function, *args)
      out = FFI::MemoryPointer.new(:pointer)
      check(public_send(function, *args, out))
      take_string(out.read_pointer)
    end

    # Creates a native client from a configuration JSON; returns the raw handle pointer, owned
    # by the caller (wrap it at once in an AutoPointer released by ClientRelease).
    def client_new(config_json)
      out = FFI::MemoryPointer.new(:pointer)
      check(authtoken_client_new(config_json, out))
      out.read_pointer
    end
  end
end
