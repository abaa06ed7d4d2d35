package authtoken;

import java.time.Duration;

/**
 * Code 10, kind {@code server}: The server answered 5xx at login or logout, or {@link Response#raiseForStatus()} saw a 5xx.
 */
public class ServerException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 10;

    /** The kind's stable name. */
    public static final String KIND = "server";

    /** An error of this kind with only a message. */
    public ServerException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public ServerException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
