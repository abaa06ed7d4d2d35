package authtoken;

import java.time.Duration;

/**
 * Code 13, kind {@code lock_timeout}: Another process held the login lock for longer than {@code lock_timeout_ms}.
 */
public class LockTimeoutException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 13;

    /** The kind's stable name. */
    public static final String KIND = "lock_timeout";

    /** An error of this kind with only a message. */
    public LockTimeoutException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public LockTimeoutException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
