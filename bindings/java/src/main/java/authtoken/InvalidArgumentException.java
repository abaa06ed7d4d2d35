package authtoken;

import java.time.Duration;

/**
 * Code 14, kind {@code invalid_argument}: An argument was invalid: an unknown HTTP method, a bad header, a URL of another origin, or a
 * closed client.
 */
public class InvalidArgumentException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 14;

    /** The kind's stable name. */
    public static final String KIND = "invalid_argument";

    /** An error of this kind with only a message. */
    public InvalidArgumentException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public InvalidArgumentException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
