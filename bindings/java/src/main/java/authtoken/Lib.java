package authtoken;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The C ABI of libauthtoken (include/authtoken.h), bound with JNA's direct mapping. Internal:
 * use {@link Client}.
 *
 * <p>The library is opened on first use ({@link #load()}): the ABI version is checked before
 * any other function is bound. A failure is kept and thrown again, as the same
 * {@link LibraryLoadError}, on every later use.
 *
 * <p>Strings go in as NUL-terminated UTF-8 byte arrays (never through JNA's default encoding,
 * which follows the platform's locale), and come out as owned pointers that are copied, then
 * freed (and wiped) with authtoken_string_free. The library keeps a last error per native
 * thread; a JNA call returns on the thread that made it, so the error is read right after the
 * failed call ({@link #check}).
 */
final class Lib {
    private Lib() {}

    private static volatile Path path;
    private static volatile LibraryLoadError failure;

    /** Opens the library once; returns its path or throws the (remembered) load error. */
    static Path load() {
        Path p = path;
        if (p != null) {
            return p;
        }
        synchronized (Lib.class) {
            if (path != null) {
                return path;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                path = open(Loader.locate());
                return path;
            } catch (LibraryLoadError e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Opens {@code library}, checks its ABI, binds the functions of this class. */
    static Path open(Path library) {
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance(library.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new LibraryLoadError(Loader.openFailedMessage(library, e.getMessage()));
        }
        checkAbi(library, lib);
        Native.register(Lib.class, lib);
        return library;
    }

    /** Refuses a library of another ABI (or from before ABI versions). */
    static void checkAbi(Path library, NativeLibrary lib) {
        Function abi;
        try {
            abi = lib.getFunction("authtoken_abi_version");
        } catch (UnsatisfiedLinkError e) {
            throw new LibraryLoadError(Loader.abiMismatchMessage(library, null));
        }
        int found = abi.invokeInt(new Object[0]);
        if (found != Loader.ABI_VERSION) {
            throw new LibraryLoadError(Loader.abiMismatchMessage(library, found));
        }
    }

    static native Pointer authtoken_version();
    static native int authtoken_abi_version();
    static native int authtoken_noop();
    static native int authtoken_config_keys(PointerByReference out);
    static native void authtoken_string_free(Pointer s);
    static native Pointer authtoken_error_kind_name(int code);

    static native int authtoken_last_error_code();
    static native short authtoken_last_error_status();
    static native Pointer authtoken_last_error_message_dup();
    static native Pointer authtoken_last_error_server_message_dup();
    static native Pointer authtoken_last_error_error_code_dup();
    static native long authtoken_last_error_retry_after_ms();

    static native int authtoken_client_new(byte[] config, PointerByReference out);
    static native void authtoken_client_free(Pointer client);
    static native int authtoken_client_token(Pointer client, PointerByReference out);
    static native int authtoken_client_authorization_header_and_serial(Pointer client, PointerByReference header,
                                                                       Pointer serial);
    static native long authtoken_client_token_serial(Pointer client);
    static native int authtoken_client_request(Pointer client, byte[] method, byte[] target, byte[] headers,
                                               byte[] body, long bodyLen, PointerByReference out);
    static native int authtoken_client_logout(Pointer client);
    static native int authtoken_client_forget(Pointer client);
    static native int authtoken_client_invalidate(Pointer client, byte[] failed, ByteByReference out);
    static native int authtoken_client_base_url(Pointer client, PointerByReference out);
    static native int authtoken_client_is_refused(Pointer client, short status, byte[] body, long len,
                                                  ByteByReference out);
    static native int authtoken_client_check_url(Pointer client, byte[] url);

    static native int authtoken_response_read(Pointer response, Pointer parts);
    static native int authtoken_response_error_for_status(Pointer response);
    static native void authtoken_response_free(Pointer response);

    /** A NUL-terminated UTF-8 copy of {@code s} (null for null). */
    static byte[] cstr(String s) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a string passed to authtoken may not contain NUL");
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    /** Copies a borrowed C string (null for NULL). */
    static String borrowed(Pointer p) {
        return p == null ? null : p.getString(0, StandardCharsets.UTF_8.name());
    }

    /** Copies an owned C string and frees (wipes) it; null for NULL. */
    static String take(Pointer p) {
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            authtoken_string_free(p);
        }
    }

    /** Throws the calling thread's last error unless {@code result} is 0. */
    static void check(int result) {
        if (result != 0) {
            throw lastError(result, null);
        }
    }

    /** The calling thread's last error as an exception (not thrown). */
    static AuthTokenException lastError(int result, Response response) {
        String message = take(authtoken_last_error_message_dup());
        if (message == null) {
            message = "authtoken error " + result;
        }
        int status = authtoken_last_error_status() & 0xffff;
        long retryMs = authtoken_last_error_retry_after_ms();
        return Errors.create(result, message, status, take(authtoken_last_error_server_message_dup()),
                take(authtoken_last_error_error_code_dup()), retryMs < 0 ? null : Duration.ofMillis(retryMs),
                response);
    }
}
