package authtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Threads: one client shared by many threads logs in once; close waits for calls. */
class ThreadsTest extends TestSupport {
    static final int THREADS = 16;

    @Test
    void sixteenThreadsShareOneLogin() throws Exception {
        Client client = client("tpstreams");
        List<List<String>> seen = runThreads(THREADS, i -> {
            List<String> headers = new java.util.ArrayList<>();
            for (int n = 0; n < 5; n++) {
                headers.add(sentHeader(echo(client.get("/api/echo/")), "authorization"));
            }
            return headers;
        });
        HashSet<String> distinct = new HashSet<>();
        seen.forEach(distinct::addAll);
        assertEquals(1, distinct.size());
        assertEquals(THREADS * 5, seen.stream().mapToInt(List::size).sum());
        assertEquals(1, logins("tpstreams"));
    }

    @Test
    void sixteenThreadsSeeingARevokedTokenLogInOnceMore() throws Exception {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        revoke("tpstreams", username);
        List<String> seen = runThreads(THREADS, i -> sentHeader(echo(client.get("/api/echo/")), "authorization"));
        assertEquals(1, new HashSet<>(seen).size());
        assertNotEquals(old, seen.get(0));
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void closeWaitsForACallInProgress() throws Exception {
        Client client = client("tpstreams");
        client.authorizationHeader();
        fault(Map.of("service", "tpstreams", "path", "/api/echo/", "kind", "delay", "delay_ms", 600, "count", 1));
        CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> client.get("/api/echo/").status());
        while (((Number) stats().get("pending_faults")).longValue() != 0) {
            Thread.sleep(20); // until the request reached the server
        }
        client.close();
        assertEquals(200, call.get(), "the call in progress finished on a live handle");
        assertTrue(client.isClosed());
    }
}
