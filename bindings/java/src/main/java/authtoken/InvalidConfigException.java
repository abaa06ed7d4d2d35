package authtoken;

import java.time.Duration;

/**
 * Code 1, kind {@code invalid_config}: The configuration is malformed, or a key is missing, unknown, mistyped or not valid for the
 * provider (the message names the key).
 */
public class InvalidConfigException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 1;

    /** The kind's stable name. */
    public static final String KIND = "invalid_config";

    /** An error of this kind with only a message. */
    public InvalidConfigException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public InvalidConfigException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
