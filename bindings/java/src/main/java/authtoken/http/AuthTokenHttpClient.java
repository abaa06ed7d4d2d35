package authtoken.http;

import authtoken.Client;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLSession;

/**
 * Signs requests sent with a {@link java.net.http.HttpClient}:
 *
 * <pre>{@code
 * AuthTokenHttpClient http = new AuthTokenHttpClient(HttpClient.newHttpClient(), client);
 * HttpResponse<String> r = http.send(
 *     HttpRequest.newBuilder(URI.create(client.baseUrl() + "/api/v1/auhf2k/assets/")).build(),
 *     HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>{@link #send} asks the core whether the URL may carry the header
 * ({@link Client#checkUrl}, which throws {@link authtoken.InvalidArgumentException} otherwise),
 * sets the Authorization header, and when the core says the answer is a refused token
 * ({@link Client#isRefused}) invalidates the header it sent, takes a fresh one and sends the
 * request once more (the request's BodyPublisher is used again); a second refusal is returned as
 * it is. To let the core read the answer, the body is received whole, then handed to your
 * BodyHandler: streaming handlers see it only once it has arrived.
 *
 * <p>Thread-safe, like the HttpClient and the Client it wraps.
 */
public final class AuthTokenHttpClient {
    private final HttpClient http;
    private final Client client;

    /** Sends with {@code http}, signs with {@code client}; closes neither. */
    public AuthTokenHttpClient(HttpClient http, Client client) {
        this.http = http;
        this.client = client;
    }

    /** The wrapped HttpClient. */
    public HttpClient httpClient() {
        return http;
    }

    /** Sends {@code request} signed, resending once with a fresh token when it was refused. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        client.checkUrl(request.uri().toString());
        String sent = client.authorizationHeader();
        HttpResponse<byte[]> response = http.send(sign(request, sent), HttpResponse.BodyHandlers.ofByteArray());
        if (client.isRefused(response.statusCode(), response.body())) {
            client.invalidate(sent);
            response = http.send(sign(request, client.authorizationHeader()), HttpResponse.BodyHandlers.ofByteArray());
        }
        return convert(response, handler);
    }

    private static HttpRequest sign(HttpRequest request, String header) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", header)
                .build();
    }

    /** Feeds the received bytes to the caller's handler; the response keeps everything else. */
    private static <T> HttpResponse<T> convert(HttpResponse<byte[]> raw, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        HttpResponse.BodySubscriber<T> subscriber = handler.apply(new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return raw.statusCode();
            }

            @Override
            public HttpHeaders headers() {
                return raw.headers();
            }

            @Override
            public HttpClient.Version version() {
                return raw.version();
            }
        });
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        subscriber.onNext(List.of(ByteBuffer.wrap(raw.body())));
        subscriber.onComplete();
        T body;
        try {
            body = subscriber.getBody().toCompletableFuture().join();
        } catch (CompletionException e) {
            throw new IOException("the body handler failed", e.getCause());
        }
        return new Converted<>(raw, body);
    }

    private static final class Converted<T> implements HttpResponse<T> {
        private final HttpResponse<byte[]> raw;
        private final T body;

        Converted(HttpResponse<byte[]> raw, T body) {
            this.raw = raw;
            this.body = body;
        }

        @Override
        public int statusCode() {
            return raw.statusCode();
        }

        @Override
        public HttpRequest request() {
            return raw.request();
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public HttpHeaders headers() {
            return raw.headers();
        }

        @Override
        public T body() {
            return body;
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return raw.sslSession();
        }

        @Override
        public URI uri() {
            return raw.uri();
        }

        @Override
        public HttpClient.Version version() {
            return raw.version();
        }
    }
}
