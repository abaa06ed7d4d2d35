package authtoken;

import java.time.Duration;

/**
 * The base of every error the library throws: one subclass per error kind, each with the
 * numeric code of the C ABI's {@code authtoken_result} (the same number in every binding).
 *
 * <p>Messages never contain a password or a token.
 *
 * <pre>{@code
 * try {
 *     client.get("/api/v1/org/assets/");
 * } catch (InvalidCredentialsException e) {
 *     System.err.println(e.getMessage() + " (HTTP " + e.status() + ": " + e.serverMessage() + ")");
 * }
 * }</pre>
 */
public class AuthTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final int status;
    private final String serverMessage;
    private final String errorCode;
    private final Duration retryAfter;
    private final transient Response response;

    /** An error of {@code code} with only a message (status 0, nothing else). */
    public AuthTokenException(int code, String message) {
        this(code, message, 0, null, null, null, null);
    }

    /** An error with every detail the core gives; {@code null} where there is none. */
    public AuthTokenException(int code, String message, int status, String serverMessage,
                              String errorCode, Duration retryAfter, Response response) {
        super(message);
        this.code = code;
        this.status = status;
        this.serverMessage = serverMessage;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
        this.response = response;
    }

    /** The stable numeric code of the kind (1..16), as in the C ABI's authtoken_result. */
    public int code() {
        return code;
    }

    /** The kind's stable snake_case name ({@code invalid_credentials}, ...), as in every binding. */
    public String kind() {
        String name = Errors.KINDS.get(code);
        return name == null ? "error" : name;
    }

    /** The HTTP status of the answer that caused the error, or 0 when there was none. */
    public int status() {
        return status;
    }

    /** The server's own message ({@code detail}, {@code message}, {@code error}, ...), or null. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The server's {@code error_code} (Testpress' login limits), or null. */
    public String errorCode() {
        return errorCode;
    }

    /** How long the server asked to wait ({@code Retry-After}), or null when it did not say. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The response, when thrown by {@link Response#raiseForStatus()}; else null. */
    public Response response() {
        return response;
    }
}
