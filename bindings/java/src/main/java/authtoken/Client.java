package authtoken;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByteByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A client for one identity (provider, base URL, username, organization) on one service.
 *
 * <pre>{@code
 * try (Client client = Client.builder()
 *         .provider("tpstreams")
 *         .username("hari@example.com")
 *         .password(System.getenv("TPSTREAMS_PASSWORD"))
 *         .set("organization_id", "auhf2k")
 *         .build()) {
 *     System.out.println(client.get("/api/v1/auhf2k/assets/").raiseForStatus().text());
 * }
 * }</pre>
 *
 * <p>It logs in on first use, only when no valid token is in memory or in the store (by
 * default a file cache shared with every process of the user, in any language), signs
 * requests, logs in again once on a 401 and resends, and logs out ({@link #logout()}) on
 * request.
 *
 * <p>Thread-safety: one client may be used from many threads at once; threads that need a
 * token wait for one login. {@link #close()} waits for calls in progress on other threads.
 *
 * <p>Ownership: the native handle is freed by {@link #close()}, or by a {@link Cleaner} when an
 * unclosed client becomes unreachable. Neither revokes the token: it stays in the store for the
 * next client of the same identity.
 *
 * <p>Secrets: {@link #toString()} and error messages never show the password or the token.
 */
public final class Client implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final String CLOSED = "the client is closed";
    private static final ThreadLocal<PointerByReference> OUT = ThreadLocal.withInitial(PointerByReference::new);
    private static final ThreadLocal<Memory> SERIAL_OUT = ThreadLocal.withInitial(() -> new Memory(Long.BYTES));

    /**
     * A header with the serial of the token it holds: one immutable object, so that a reader
     * never pairs one token's header with another token's serial.
     */
    private static final class CachedHeader {
        final String value;
        final long serial;

        CachedHeader(String value, long serial) {
            this.value = value;
            this.serial = serial;
        }
    }

    /** Frees the handle; holds no reference to the Client, so that it can be collected. */
    private static final class Handle implements Runnable {
        volatile Pointer pointer;

        Handle(Pointer pointer) {
            this.pointer = pointer;
        }

        @Override
        public void run() {
            Pointer p = pointer;
            pointer = null;
            if (p != null) {
                Lib.authtoken_client_free(p);
            }
        }
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile CachedHeader cachedHeader;
    private final String provider;
    private final String username;
    private final String baseUrl;

    private Client(String json, String provider, String username) {
        Lib.load();
        byte[] config = Lib.cstr(json);
        PointerByReference out = new PointerByReference();
        try {
            Lib.check(Lib.authtoken_client_new(config, out));
        } finally {
            Arrays.fill(config, (byte) 0); // the JSON held the password
        }
        handle = new Handle(out.getValue());
        cleanable = CLEANER.register(this, handle);
        this.provider = provider;
        this.username = username;
        baseUrl = stringOut(p -> Lib.authtoken_client_base_url(p, OUT.get()));
    }

    /**
     * Creates a client from a configuration JSON document, with the keys shared by every
     * binding ({@code provider}, {@code username}, {@code password}, {@code organization_id},
     * {@code base_url}, {@code cache}, ...). No network traffic happens here.
     *
     * @throws InvalidConfigException for malformed JSON, an unknown key, a missing or mistyped
     *     value (the message names the key, never the password)
     */
    public static Client fromJson(String json) {
        String provider = null;
        String username = null;
        try {
            Object doc = Json.parse(json);
            if (doc instanceof Map<?, ?>) {
                Map<?, ?> map = (Map<?, ?>) doc;
                provider = map.get("provider") instanceof String ? (String) map.get("provider") : null;
                username = map.get("username") instanceof String ? (String) map.get("username") : null;
            }
        } catch (IllegalArgumentException e) {
            // The core reports malformed JSON itself (without echoing the document).
        }
        return new Client(json, provider, username);
    }

    /** A builder with the same keys as {@link #fromJson(String)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a client key by key. Values may be String, Number, Boolean, null, a Path, and Maps
     * or Lists of those; the core validates them.
     */
    public static final class Builder {
        private final Map<String, Object> config = new LinkedHashMap<>();

        private Builder() {}

        /** {@code provider}: tpstreams, tpstreams-legacy, testpress, cruxconnect, custom. */
        public Builder provider(String provider) {
            return set("provider", provider);
        }

        /** {@code username} (else AUTHTOKEN_USERNAME). */
        public Builder username(String username) {
            return set("username", username);
        }

        /** {@code password} (else AUTHTOKEN_PASSWORD). */
        public Builder password(String password) {
            return set("password", password);
        }

        /** {@code organization_id} (TPStreams). */
        public Builder organizationId(String organizationId) {
            return set("organization_id", organizationId);
        }

        /** {@code base_url}: overrides the service's host. */
        public Builder baseUrl(String baseUrl) {
            return set("base_url", baseUrl);
        }

        /** {@code cache}: file, memory, or a redis:// URL. */
        public Builder cache(String cache) {
            return set("cache", cache);
        }

        /** Any configuration key, as it is spelled in the JSON document. */
        public Builder set(String key, Object value) {
            config.put(key, value);
            return this;
        }

        /**
         * Creates the client. Throws InvalidConfigException (the message names the key),
         * IllegalArgumentException for a value JSON cannot carry, TlsException for an unreadable
         * {@code ca_file}, StoreException when the store cannot be opened.
         */
        public Client build() {
            StringBuilder json = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, Object> entry : config.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                Json.quote(json, entry.getKey());
                json.append(':');
                Json.write(json, entry.getValue(), entry.getKey());
            }
            json.append('}');
            Object provider = config.get("provider");
            Object username = config.get("username");
            String text = json.toString();
            json.setLength(0);
            return new Client(text, provider instanceof String ? (String) provider : null,
                    username instanceof String ? (String) username : null);
        }
    }

    /** The provider given in the configuration, or null. */
    public String provider() {
        return provider;
    }

    /** The username given in the configuration, or null (e.g. from AUTHTOKEN_USERNAME). */
    public String username() {
        return username;
    }

    /** The base URL requests are sent to, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The raw token (without the scheme); a secret: do not log it. Logs in if needed. */
    public String token() {
        return stringOut(p -> Lib.authtoken_client_token(p, OUT.get()));
    }

    /**
     * The Authorization header value exactly as the service wants it ({@code Token 3f…},
     * {@code token 3f…}, {@code JWT eyJ…}), for sending requests with another HTTP library. A
     * warm call does not touch the network, and returns the same String while the token is
     * the same (one native call: the token's serial is compared with the cached header's).
     * Thread-safe. Throws the login's errors; InvalidArgumentException once closed.
     */
    public String authorizationHeader() {
        return withHandle(p -> {
            CachedHeader cached = cachedHeader;
            // Serial 0 (no token in memory) never matches: a cached serial is never 0.
            if (cached != null && Lib.authtoken_client_token_serial(p) == cached.serial) {
                return cached.value;
            }
            PointerByReference out = OUT.get();
            Memory serialOut = SERIAL_OUT.get();
            Lib.check(Lib.authtoken_client_authorization_header_and_serial(p, out, serialOut));
            String header = Lib.take(out.getValue());
            long serial = serialOut.getLong(0);
            if (serial != 0) {
                cachedHeader = new CachedHeader(header, serial);
            }
            return header;
        });
    }

    /** Sends a signed GET (see {@link #request}). */
    public Response get(String pathOrUrl) {
        return request("GET", pathOrUrl, null, null);
    }

    /** Sends a signed GET with extra headers (see {@link #request}). */
    public Response get(String pathOrUrl, Map<String, String> headers) {
        return request("GET", pathOrUrl, headers, null);
    }

    /**
     * Sends a signed request and returns its Response (any status; see
     * {@link Response#raiseForStatus()}). On a refused token the core logs in again, once, and
     * resends the same request.
     *
     * @param method GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS (any case)
     * @param pathOrUrl a path below {@link #baseUrl()} ({@code /api/v1/org/assets/}, query
     *     allowed) or an absolute URL of the same origin: the header is never sent elsewhere
     * @param headers extra request headers, or null; an Authorization header is refused. Set a
     *     Content-Type yourself for a body.
     * @param body the body, or null for none (an empty array sends an empty body)
     * @throws InvalidArgumentException unknown method, bad header, other origin, closed client
     * @throws UnauthorizedException a fresh token was refused too
     */
    public Response request(String method, String pathOrUrl, Map<String, String> headers, byte[] body) {
        byte[] headersJson = null;
        if (headers != null && !headers.isEmpty()) {
            List<List<String>> pairs = new ArrayList<>();
            for (Map.Entry<String, String> e : headers.entrySet()) {
                pairs.add(List.of(e.getKey(), e.getValue()));
            }
            headersJson = Lib.cstr(Json.write(pairs));
        }
        byte[] m = Lib.cstr(method);
        byte[] target = Lib.cstr(pathOrUrl);
        // One spare byte so that an empty body still has a non-NULL pointer.
        byte[] payload = body == null ? null : Arrays.copyOf(body, body.length + 1);
        long length = body == null ? 0 : body.length;
        byte[] h = headersJson;
        return withHandle(p -> {
            PointerByReference out = new PointerByReference();
            Lib.check(Lib.authtoken_client_request(p, m, target, h, payload, length, out));
            Pointer response = out.getValue();
            try {
                return new Response(response);
            } finally {
                Lib.authtoken_response_free(response);
            }
        });
    }

    /**
     * Logs out: revokes the token on the server (TPStreams, Testpress; services without a logout
     * endpoint only forget it) and removes it from the store, so that every process sharing it
     * logs in again. Without a token nothing is sent. The client stays usable. When the server
     * fails to revoke, the token is kept and the error thrown.
     */
    public void logout() {
        withHandle(p -> {
            Lib.check(Lib.authtoken_client_logout(p));
            return null;
        });
    }

    /** Forgets the token here and in the store without revoking it on the server. */
    public void forget() {
        withHandle(p -> {
            Lib.check(Lib.authtoken_client_forget(p));
            return null;
        });
    }

    /**
     * Compare-and-invalidate, for code that sends requests with its own HTTP client and had the
     * token refused: forgets {@code failed} (the token, or the whole header value) only while it
     * is still the current token, here and in the store, so that many threads or processes
     * reporting the same refusal cause one login. Take {@link #authorizationHeader()} again
     * afterwards. Returns whether this call forgot it.
     *
     * @throws InvalidArgumentException for an empty {@code failed}
     */
    public boolean invalidate(String failed) {
        byte[] token = Lib.cstr(failed == null ? "" : failed);
        try {
            return withHandle(p -> {
                ByteByReference forgotten = new ByteByReference();
                Lib.check(Lib.authtoken_client_invalidate(p, token, forgotten));
                return forgotten.getValue() != 0;
            });
        } finally {
            Arrays.fill(token, (byte) 0);
        }
    }

    /**
     * Whether an answer with {@code status} and {@code body} (null for none) to a request signed
     * with this client's token says the token was refused. The core decides, by the rule its own
     * requests follow (a 401; for Testpress, a 403 with one of its JWT views' messages); then
     * {@link #invalidate} the header that was sent, take a fresh one and resend once.
     */
    public boolean isRefused(int status, byte[] body) {
        if (status < 0 || status > 0xffff) {
            throw new IllegalArgumentException("status out of range: " + status);
        }
        byte[] bytes = body == null ? new byte[0] : body;
        byte[] buffer = Arrays.copyOf(bytes, bytes.length + 1);
        return withHandle(p -> {
            ByteByReference refused = new ByteByReference();
            Lib.check(Lib.authtoken_client_is_refused(p, (short) status, buffer, bytes.length, refused));
            return refused.getValue() != 0;
        });
    }

    /** {@link #isRefused(int, byte[])} with a text body (UTF-8), or null. */
    public boolean isRefused(int status, String body) {
        return isRefused(status, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Throws InvalidArgumentException unless this client's Authorization header may be sent to
     * {@code url}: an absolute http:// or https:// URL with the base URL's scheme, host and port.
     * The core decides; the message says what was wrong.
     */
    public void checkUrl(String url) {
        byte[] u = Lib.cstr(url);
        withHandle(p -> {
            Lib.check(Lib.authtoken_client_check_url(p, u));
            return null;
        });
    }

    /**
     * Frees the native handle now, after waiting for calls in progress on other threads. Does
     * not log out. Idempotent. Later calls throw InvalidArgumentException.
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            cachedHeader = null; // the token's header should not outlive the client in memory
            cleanable.clean();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return handle.pointer == null;
    }

    /** The provider, username and base URL; never the password or the token. */
    @Override
    public String toString() {
        return "Client[" + provider + " " + username + " " + baseUrl + (isClosed() ? " (closed)" : "") + "]";
    }

    private interface Call<T> {
        T apply(Pointer handle);
    }

    /** Runs {@code call} with the live handle; close() waits for it. */
    private <T> T withHandle(Call<T> call) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            Pointer p = handle.pointer;
            if (p == null) {
                throw new InvalidArgumentException(CLOSED);
            }
            return call.apply(p);
        } finally {
            read.unlock();
        }
    }

    /** Calls a function that writes one owned string to this thread's OUT; returns the copy. */
    private String stringOut(Call<Integer> call) {
        return withHandle(p -> {
            Lib.check(call.apply(p));
            return Lib.take(OUT.get().getValue());
        });
    }
}
