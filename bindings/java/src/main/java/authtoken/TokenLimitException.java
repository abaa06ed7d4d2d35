package authtoken;

import java.time.Duration;

/**
 * Code 3, kind {@code token_limit}: The service refused to issue another token (TPStreams' 20 live tokens per organization,
 * Testpress' parallel-login limits). Log out tokens that are no longer used.
 */
public class TokenLimitException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 3;

    /** The kind's stable name. */
    public static final String KIND = "token_limit";

    /** An error of this kind with only a message. */
    public TokenLimitException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public TokenLimitException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
