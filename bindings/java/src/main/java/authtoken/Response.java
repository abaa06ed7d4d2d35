package authtoken;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
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

    /** Copies a live native response; the caller frees it afterwards. */
    Response(Pointer handle) {
        status = Lib.authtoken_response_status(handle) & 0xffff;
        PointerByReference out = new PointerByReference();
        Lib.check(Lib.authtoken_response_url(handle, out));
        url = Lib.borrowed(out.getValue());
        Lib.check(Lib.authtoken_response_headers_json(handle, out));
        Map<String, List<String>> all = new LinkedHashMap<>();
        for (Object pair : (List<?>) Json.parse(Lib.borrowed(out.getValue()))) {
            List<?> p = (List<?>) pair;
            all.computeIfAbsent((String) p.get(0), k -> new ArrayList<>()).add((String) p.get(1));
        }
        all.replaceAll((k, v) -> Collections.unmodifiableList(v));
        headers = Collections.unmodifiableMap(all);
        LongByReference length = new LongByReference();
        Lib.check(Lib.authtoken_response_body(handle, out, length));
        body = out.getValue().getByteArray(0, (int) length.getValue());
        failure = status < 400 ? null : Lib.lastError(Lib.authtoken_response_error_for_status(handle), this);
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
