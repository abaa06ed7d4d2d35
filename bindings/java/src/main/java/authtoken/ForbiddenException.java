package authtoken;

import java.time.Duration;

/**
 * Code 5, kind {@code forbidden}: The server answered 403 at login or logout, or {@link Response#raiseForStatus()} saw a 403.
 */
public class ForbiddenException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 5;

    /** The kind's stable name. */
    public static final String KIND = "forbidden";

    /** An error of this kind with only a message. */
    public ForbiddenException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public ForbiddenException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
