package authtoken;

import java.time.Duration;

/**
 * Code 6, kind {@code rate_limited}: The server answered 429 and retrying within the allowed wait did not help (see
 * {@link #retryAfter()}).
 */
public class RateLimitedException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 6;

    /** The kind's stable name. */
    public static final String KIND = "rate_limited";

    /** An error of this kind with only a message. */
    public RateLimitedException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public RateLimitedException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
