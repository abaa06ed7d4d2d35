package authtoken;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer to a signed request: status, headers, body and final URL.
 *
 * <p>Everything is copied out of the native response when it is built (the native handle is
 * freed at once), so a Response is an immutable Java value: it may be shared between threads
 * and outlives its client. Any status is a Response (a 404 does not throw);
 * {@link #raiseForStatus()} turns 4xx and 5xx into the matching {@link AuthTokenException}.
 */
public final class Response {
    private final int status;
    private final String url;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final AuthTokenException failure;

    // authtoken_response_parts (include/authtoken.h) on a 64-bit target, read by offset: a JNA
    // Structure would fill its fields by reflection on every response.
    private static final int BODY = 0;
    private static final int BODY_LEN = 8;
    private static final int HEADERS = 16;
    private static final int HEADERS_LEN = 24;
    private static final int HEADER_COUNT = 32;
    private static final int URL = 40;
    private static final int URL_LEN = 48;
    private static final int STATUS = 56;
    private static final int STATUS_RESULT = 60;
    private static final int PARTS_SIZE = 64;
    private static final ThreadLocal<Memory> PARTS = ThreadLocal.withInitial(() -> new Memory(PARTS_SIZE));

    /** Copies a live native response (one native call); the caller frees it afterwards. */
    Response(Pointer handle) {
        Memory parts = PARTS.get();
        Lib.check(Lib.authtoken_response_read(handle, parts));
        status = parts.getShort(STATUS) & 0xffff;
        url = new String(parts.getPointer(URL).getByteArray(0, length(parts, URL_LEN)), StandardCharsets.UTF_8);
        headers = headers(parts.getPointer(HEADERS), length(parts, HEADERS_LEN), length(parts, HEADER_COUNT));
        body = parts.getPointer(BODY).getByteArray(0, length(parts, BODY_LEN));
        failure = parts.getInt(STATUS_RESULT) == 0 ? null
                : Lib.lastError(Lib.authtoken_response_error_for_status(handle), this);
    }

    private static int length(Memory parts, int offset) {
        long n = parts.getLong(offset);
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new ProtocolException("a response part is too large: " + n + " bytes");
        }
        return (int) n;
    }

    /** Splits {@code count} pairs "name NUL value NUL" out of {@code length} bytes. */
    private static Map<String, List<String>> headers(Pointer block, int length, int count) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        byte[] bytes = length == 0 ? new byte[0] : block.getByteArray(0, length);
        int start = 0;
        for (int i = 0; i < count && start <= length; i++) {
            int nameEnd = nulOrEnd(bytes, start);
            int valueStart = Math.min(nameEnd + 1, length);
            int valueEnd = nulOrEnd(bytes, valueStart);
            String name = new String(bytes, start, nameEnd - start, StandardCharsets.UTF_8);
            String value = new String(bytes, valueStart, valueEnd - valueStart, StandardCharsets.UTF_8);
            all.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            start = valueEnd + 1;
        }
        all.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Collections.unmodifiableMap(all);
    }

    private static int nulOrEnd(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length && bytes[i] != 0) {
            i++;
        }
        return i;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** True for a 2xx status. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The final URL (after redirects). */
    public String url() {
        return url;
    }

    /** Every header: lower-case name to its values, in the order received. Unmodifiable. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of a header (name looked up case-insensitively), or null. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? null : values.get(0);
    }

    /** The body (a new copy). */
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Returns this response for a status below 400; otherwise throws the error the core maps the
     * status to (401 UnauthorizedException, 403 ForbiddenException, 429 RateLimitedException, 5xx
     * ServerException, other 4xx HttpStatusException) with the status, the server's message, any
     * Retry-After and this response.
     */
    public Response raiseForStatus() {
        if (failure != null) {
            throw failure;
        }
        return this;
    }

    /** The status and the URL (never a header or the body). */
    @Override
    public String toString() {
        return "Response[" + status + " " + url + "]";
    }
}
