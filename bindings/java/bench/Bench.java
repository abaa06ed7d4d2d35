// Figures for the Java binding, printed side by side (no assertions; `make bench-java`): a warm
// Client.authorizationHeader() per call, next to the bare cost of crossing into the library
// through the same JNA binding (authtoken_noop). The one login goes to a tiny in-process server
// (the JDK's com.sun.net.httpserver), so no emulator is needed; the store is memory.
import authtoken.AuthToken;
import authtoken.Client;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

public final class Bench {
    private Bench() {}

    interface Body {
        void run();
    }

    /** Nanoseconds per call of {@code body}, best of {@code rounds} rounds of {@code calls}. */
    static double perCall(int calls, int rounds, Body body) {
        for (int i = 0; i < calls; i++) {
            body.run(); // warm-up (JIT)
        }
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                body.run();
            }
            best = Math.min(best, (System.nanoTime() - start) / (double) calls);
        }
        return best;
    }

    static HttpServer loginServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/login/", exchange -> {
            byte[] answer = "{\"token\": \"0123456789abcdef0123456789abcdef\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        return server;
    }

    public static void main(String[] args) throws IOException {
        int calls = Integer.parseInt(System.getenv().getOrDefault("BENCH_CALLS", "200000"));
        HttpServer server = loginServer();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (Client client = Client.builder().provider("custom").baseUrl(base).set("login_path", "/login/")
                .username("bench").password("bench-password").cache("memory").build()) {
            client.authorizationHeader(); // the one login
            double noop = perCall(calls, 5, AuthToken::noop);
            double header = perCall(calls, 5, client::authorizationHeader);
            System.out.printf("library: %s%n", AuthToken.libraryPath());
            System.out.printf("authtoken_noop() through JNA:        %8.1f ns/call%n", noop);
            System.out.printf("warm authorizationHeader():          %8.1f ns/call%n", header);
            System.out.printf("ratio header / noop:                 %8.1fx%n", header / noop);
        } finally {
            server.stop(0);
        }
    }
}
