package authtoken;

import java.time.Duration;

/**
 * Code 8, kind {@code timeout}: The server did not answer within {@code timeout_ms} / {@code connect_timeout_ms}.
 */
public class TimeoutException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 8;

    /** The kind's stable name. */
    public static final String KIND = "timeout";

    /** An error of this kind with only a message. */
    public TimeoutException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public TimeoutException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
