package authtoken;

import java.time.Duration;

/**
 * Code 9, kind {@code tls}: TLS failed (certificate, handshake), or {@code ca_file} could not be read.
 */
public class TlsException extends AuthTokenException {
    private static final long serialVersionUID = 1L;

    /** The C ABI's result code of this kind. */
    public static final int CODE = 9;

    /** The kind's stable name. */
    public static final String KIND = "tls";

    /** An error of this kind with only a message. */
    public TlsException(String message) {
        super(CODE, message);
    }

    /** An error of this kind with every detail the core gives. */
    public TlsException(String message, int status, String serverMessage, String errorCode,
            Duration retryAfter, Response response) {
        super(CODE, message, status, serverMessage, errorCode, retryAfter, response);
    }
}
