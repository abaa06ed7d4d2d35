package authtoken;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;

/**
 * Shared by every test: the emulator (AUTHTOKEN_EMULATOR, from scripts/with-emulator.sh), its
 * admin API, and clients for a username and organization no other test uses.
 */
abstract class TestSupport {
    /** The emulator's password: AUTHTOKEN_TEST_PASSWORD, else demo-password. */
    static final String PASSWORD = envOr("AUTHTOKEN_TEST_PASSWORD", "demo-password");
    static final String EMULATOR = stripSlash(envOr("AUTHTOKEN_EMULATOR", ""));
    static final Path ROOT = Paths.get(envOr("AUTHTOKEN_ROOT", "../..")).toAbsolutePath().normalize();
    /** The classpath of the suite, for child JVMs (the launcher's own is just its jar). */
    static final String CLASSPATH = envOr("AUTHTOKEN_JAVA_CP", System.getProperty("java.class.path"));
    static final Map<String, String> SCHEMES = Map.of(
            "tpstreams", "Token", "tpstreams-legacy", "token", "testpress", "JWT", "cruxconnect", "Token");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final SecureRandom RANDOM = new SecureRandom();

    final String username = "java-" + hex(6) + "@example.com";
    final String org = "org-" + hex(5);
    private final List<Client> clients = new ArrayList<>();

    static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        StringBuilder out = new StringBuilder();
        for (byte x : b) {
            out.append(String.format("%02x", x));
        }
        return out.toString();
    }

    static String baseUrl(String service) {
        if (EMULATOR.isEmpty()) {
            throw new IllegalStateException("set AUTHTOKEN_EMULATOR (run through scripts/with-emulator.sh)");
        }
        return EMULATOR + "/" + service;
    }

    /** The configuration of this test's client for {@code service}, with overrides. */
    Map<String, Object> config(String service, String user) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("provider", service);
        c.put("username", user);
        c.put("password", PASSWORD);
        c.put("base_url", baseUrl(service));
        c.put("cache", "memory");
        c.put("max_retries", 0);
        if (service.equals("tpstreams")) {
            c.put("organization_id", org);
        }
        return c;
    }

    Client client(String service) {
        return client(service, Map.of());
    }

    Client client(String service, Map<String, ?> overrides) {
        return client(service, username, overrides);
    }

    Client client(String service, String user, Map<String, ?> overrides) {
        Map<String, Object> c = config(service, user);
        c.putAll(overrides);
        Client.Builder b = Client.builder();
        c.forEach(b::set);
        Client client = b.build();
        clients.add(client);
        return client;
    }

    Client track(Client client) {
        clients.add(client);
        return client;
    }

    @AfterEach
    void closeClients() {
        clients.forEach(Client::close);
    }

    // --- The emulator's admin API -----------------------------------------------------------

    static Object admin(String method, String path, Object body) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(EMULATOR + "/_emulator/" + path));
        if (body == null) {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            r.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        try {
            HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("emulator admin " + path + ": " + response.statusCode() + " "
                        + response.body());
            }
            return Json.parse(response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> stats() {
        return (Map<String, Object>) admin("GET", "stats", null);
    }

    static long count(String what, String service, String user) {
        Object perService = stats().get(what);
        if (!(perService instanceof Map<?, ?>)) {
            return 0;
        }
        Object perUser = ((Map<?, ?>) perService).get(service);
        if (!(perUser instanceof Map<?, ?>)) {
            return 0;
        }
        Object n = ((Map<?, ?>) perUser).get(user);
        return n == null ? 0 : ((Number) n).longValue();
    }

    long logins(String service) {
        return count("logins", service, username);
    }

    long logouts(String service) {
        return count("logouts", service, username);
    }

    static void fault(Map<String, Object> fault) {
        admin("POST", "faults", fault);
    }

    static long revoke(String service, String user) {
        return ((Number) ((Map<?, ?>) admin("POST", "revoke", Map.of("service", service, "username", user)))
                .get("revoked")).longValue();
    }

    /** A plain GET with the given Authorization header (no library involved): the status. */
    static int rawGet(String service, String path, String authorization) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(baseUrl(service) + path))
                .header("Authorization", authorization).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The parsed body of an echo answer (asserts 200). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> echo(Response response) {
        if (response.status() != 200) {
            throw new AssertionError("status " + response.status() + ": " + response.text());
        }
        return (Map<String, Object>) Json.parse(response.text());
    }

    @SuppressWarnings("unchecked")
    static String sentHeader(Map<String, Object> echo, String name) {
        return (String) ((Map<String, Object>) echo.get("headers")).get(name);
    }

    /** Runs {@code task} in {@code count} threads released together; their values in order. */
    static <T> List<T> runThreads(int count, ThreadTask<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        CountDownLatch gate = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    gate.await();
                    return task.run(n);
                }));
            }
            gate.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    interface ThreadTask<T> {
        T run(int index) throws Exception;
    }
}
