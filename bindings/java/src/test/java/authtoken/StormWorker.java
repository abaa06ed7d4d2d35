package authtoken;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One JVM of the storm test (ProcessesTest). Reads the client configuration (JSON, without the
 * password: it comes from AUTHTOKEN_PASSWORD) from args[0] and a thread count from args[1];
 * waits until stdin reaches end-of-file (the parent closes it to start every process at once);
 * then each thread sends one signed GET. Prints one JSON line, as the Ruby worker does:
 * {"headers": [the Authorization headers the server saw], "errors": [...]}.
 */
public final class StormWorker {
    private StormWorker() {}

    /** Runs one storm process. */
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[1]);
        try (Client client = Client.fromJson(args[0])) {
            System.in.readAllBytes(); // the start signal
            List<String> headers = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(() -> {
                    try {
                        String h = TestSupport.sentHeader(TestSupport.echo(client.get("/api/echo/")), "authorization");
                        synchronized (headers) {
                            headers.add(h);
                        }
                    } catch (RuntimeException | AssertionError e) {
                        synchronized (errors) {
                            errors.add(e.toString());
                        }
                    }
                });
                t.start();
                workers.add(t);
            }
            for (Thread t : workers) {
                t.join();
            }
            System.out.println(Json.write(Map.of("headers", headers, "errors", errors)));
        }
    }
}
