package authtoken;

import java.time.Duration;

/**
 * Code 7, kind {@code network}: The server could not be reached, or the connection broke.
 */
public class NetworkException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 7;

    /** The kind's stable name. */
    public static final String KIND = "network";

    /** An error of this kind with only a message. */
    public NetworkException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public NetworkException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
