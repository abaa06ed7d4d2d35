package authtoken;

import java.time.Duration;

/**
 * Code 16, kind {@code internal}: A bug inside the library (a panic, caught at the boundary). Please report the message.
 */
public class InternalException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 16;

    /** The kind's stable name. */
    public static final String KIND = "internal";

    /** An error of this kind with only a message. */
    public InternalException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public InternalException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
