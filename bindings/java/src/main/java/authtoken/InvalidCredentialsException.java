package authtoken;

import java.time.Duration;

/**
 * Code 2, kind {@code invalid_credentials}: The server refused the username and password at login (status 400 or 401).
 */
public class InvalidCredentialsException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 2;

    /** The kind's stable name. */
    public static final String KIND = "invalid_credentials";

    /** An error of this kind with only a message. */
    public InvalidCredentialsException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public InvalidCredentialsException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
