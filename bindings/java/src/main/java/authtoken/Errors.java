package authtoken;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Builds the exception of a result code from the calling thread's last error. Internal. */
final class Errors {
    private Errors() {}

    /** The kind names of the codes this version knows (the core's, checked by the tests). */
    static final Map<Integer, String> KINDS = new HashMap<>();

    static {
        KINDS.put(1, "invalid_config");
        KINDS.put(2, "invalid_credentials");
        KINDS.put(3, "token_limit");
        KINDS.put(4, "unauthorized");
        KINDS.put(5, "forbidden");
        KINDS.put(6, "rate_limited");
        KINDS.put(7, "network");
        KINDS.put(8, "timeout");
        KINDS.put(9, "tls");
        KINDS.put(10, "server");
        KINDS.put(11, "protocol");
        KINDS.put(12, "store");
        KINDS.put(13, "lock_timeout");
        KINDS.put(14, "invalid_argument");
        KINDS.put(15, "http_status");
        KINDS.put(16, "internal");
    }

    /** The exception class of {@code code}; AuthTokenException itself for an unknown code. */
    static AuthTokenException create(int code, String message, int status, String serverMessage,
                                     String errorCode, Duration retryAfter, Response response) {
        switch (code) {
            case 1: return new InvalidConfigException(message, status, serverMessage, errorCode, retryAfter, response);
            case 2: return new InvalidCredentialsException(message, status, serverMessage, errorCode, retryAfter, response);
            case 3: return new TokenLimitException(message, status, serverMessage, errorCode, retryAfter, response);
            case 4: return new UnauthorizedException(message, status, serverMessage, errorCode, retryAfter, response);
            case 5: return new ForbiddenException(message, status, serverMessage, errorCode, retryAfter, response);
            case 6: return new RateLimitedException(message, status, serverMessage, errorCode, retryAfter, response);
            case 7: return new NetworkException(message, status, serverMessage, errorCode, retryAfter, response);
            case 8: return new TimeoutException(message, status, serverMessage, errorCode, retryAfter, response);
            case 9: return new TlsException(message, status, serverMessage, errorCode, retryAfter, response);
            case 10: return new ServerException(message, status, serverMessage, errorCode, retryAfter, response);
            case 11: return new ProtocolException(message, status, serverMessage, errorCode, retryAfter, response);
            case 12: return new StoreException(message, status, serverMessage, errorCode, retryAfter, response);
            case 13: return new LockTimeoutException(message, status, serverMessage, errorCode, retryAfter, response);
            case 14: return new InvalidArgumentException(message, status, serverMessage, errorCode, retryAfter, response);
            case 15: return new HttpStatusException(message, status, serverMessage, errorCode, retryAfter, response);
            case 16: return new InternalException(message, status, serverMessage, errorCode, retryAfter, response);
            default: return new AuthTokenException(code, message, status, serverMessage, errorCode, retryAfter, response);
        }
    }
}
