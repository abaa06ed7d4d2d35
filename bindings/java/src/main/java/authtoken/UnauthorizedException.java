package authtoken;

import java.time.Duration;

/**
 * Code 4, kind {@code unauthorized}: A signed request was refused with 401 even after logging in again.
 */
public class UnauthorizedException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 4;

    /** The kind's stable name. */
    public static final String KIND = "unauthorized";

    /** An error of this kind with only a message. */
    public UnauthorizedException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public UnauthorizedException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
