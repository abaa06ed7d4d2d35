package authtoken;

import java.time.Duration;

/**
 * Code 12, kind {@code store}: The token store (file cache, Redis) failed or refused an unsafe entry.
 */
public class StoreException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 12;

    /** The kind's stable name. */
    public static final String KIND = "store";

    /** An error of this kind with only a message. */
    public StoreException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public StoreException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
