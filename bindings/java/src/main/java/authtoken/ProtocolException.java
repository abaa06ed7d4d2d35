package authtoken;

import java.time.Duration;

/**
 * Code 11, kind {@code protocol}: The server's answer could not be understood (bad JSON, no token, too large).
 */
public class ProtocolException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 11;

    /** The kind's stable name. */
    public static final String KIND = "protocol";

    /** An error of this kind with only a message. */
    public ProtocolException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public ProtocolException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
