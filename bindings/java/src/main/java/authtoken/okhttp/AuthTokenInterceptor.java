package authtoken.okhttp;

import authtoken.AuthTokenException;
import authtoken.Client;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * An OkHttp interceptor that signs requests with a {@link Client}'s token:
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient.Builder()
 *     .addInterceptor(new AuthTokenInterceptor(client))
 *     .build();
 * }</pre>
 *
 * <p>It asks the core whether the URL may carry the header ({@link Client#checkUrl}), sets the
 * Authorization header (logging in only when there is no valid token), and when the core says
 * the answer is a refused token ({@link Client#isRefused}: a 401, or Testpress' 403 for a bad
 * JWT) it invalidates the header it sent, takes a fresh one and sends the request once more; a
 * second refusal is returned as it is. The request body must be replayable (OkHttp's usual
 * bodies are).
 *
 * <p>The core's errors (another origin, a failed login) are thrown as an IOException whose
 * cause is the {@link AuthTokenException}, as OkHttp expects of an interceptor.
 *
 * <p>Thread-safe: one interceptor may serve every call of an OkHttpClient.
 */
public final class AuthTokenInterceptor implements Interceptor {
    /** At most this much of an answer's body is read to ask whether the token was refused. */
    public static final long PEEK_BYTES = 1 << 20;

    private final Client client;

    /** Signs with {@code client}'s token; the interceptor does not close the client. */
    public AuthTokenInterceptor(Client client) {
        this.client = client;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        String sent;
        try {
            client.checkUrl(request.url().toString());
            sent = client.authorizationHeader();
        } catch (AuthTokenException e) {
            throw new IOException(e.getMessage(), e);
        }
        Response response = chain.proceed(sign(request, sent));
        if (!refused(response)) {
            return response;
        }
        response.close();
        String fresh;
        try {
            client.invalidate(sent);
            fresh = client.authorizationHeader();
        } catch (AuthTokenException e) {
            throw new IOException(e.getMessage(), e);
        }
        return chain.proceed(sign(request, fresh));
    }

    private static Request sign(Request request, String header) {
        return request.newBuilder().header("Authorization", header).build();
    }

    /** The core's rule, the one its own requests follow. */
    private boolean refused(Response response) throws IOException {
        byte[] body = response.peekBody(PEEK_BYTES).bytes();
        try {
            return client.isRefused(response.code(), body);
        } catch (AuthTokenException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
