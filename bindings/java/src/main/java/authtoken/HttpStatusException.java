package authtoken;

import java.time.Duration;

/**
 * Code 15, kind {@code http_status}: {@link Response#raiseForStatus()} saw a 4xx status other than 401, 403 and 429.
 */
public class HttpStatusException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 15;

    /** The kind's stable name. */
    public static final String KIND = "http_status";

    /** An error of this kind with only a message. */
    public HttpStatusException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public HttpStatusException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
