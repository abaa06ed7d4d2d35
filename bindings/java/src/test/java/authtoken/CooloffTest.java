package authtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The login cool-off: a refused login is remembered for the identity, so that every thread asks
 * the server once; a corrected password or forget() lifts it.
 */
class CooloffTest extends TestSupport {
    private static final String REFUSED = "Unable to log in with provided credentials.";

    @Test
    void aWrongPasswordCostsOneAttemptFromSixteenThreads() throws Exception {
        Client wrong = client("tpstreams", Map.of("password", "wrong-password-123"));
        List<String> kinds = runThreads(16, i -> {
            try {
                wrong.authorizationHeader();
                return "ok";
            } catch (AuthTokenException e) {
                return e.kind() + "|" + e.status() + "|" + e.serverMessage();
            }
        });
        assertEquals(List.of("invalid_credentials|400|" + REFUSED), kinds.stream().distinct().toList());
        assertEquals(1, count("login_attempts", "tpstreams", username));

        InvalidCredentialsException e = assertThrows(InvalidCredentialsException.class, wrong::authorizationHeader);
        assertTrue(e.getMessage().contains("remembered"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-password-123"));
        Duration left = e.retryAfter();
        assertTrue(left != null && !left.isNegative() && !left.isZero() && left.compareTo(Duration.ofSeconds(61)) <= 0,
                String.valueOf(left));
        assertEquals(1, count("login_attempts", "tpstreams", username));

        Client fixed = client("tpstreams");
        assertTrue(fixed.authorizationHeader().startsWith("Token "));
        assertEquals(2, count("login_attempts", "tpstreams", username));
    }

    @Test
    void forgetLiftsTheCooloff() {
        Client client = client("tpstreams", Map.of("password", "wrong-password-123"));
        for (int i = 0; i < 3; i++) {
            assertThrows(InvalidCredentialsException.class, client::authorizationHeader);
        }
        assertEquals(1, count("login_attempts", "tpstreams", username));
        client.forget();
        assertThrows(InvalidCredentialsException.class, client::authorizationHeader);
        assertEquals(2, count("login_attempts", "tpstreams", username));
    }

    @Test
    void a429WithRetryAfterStopsEveryCallerUntilItPasses() throws Exception {
        fault(Map.of("service", "tpstreams", "path", "login", "kind", "status", "status", 429, "retry_after", 2));
        Client client = client("tpstreams", Map.of("login_cooloff_s", 1)); // the longer Retry-After wins
        long refusedAt = System.nanoTime();
        List<String> kinds = runThreads(8, i -> {
            try {
                client.authorizationHeader();
                return "ok";
            } catch (AuthTokenException e) {
                return e.kind();
            }
        });
        assertEquals(List.of("rate_limited"), kinds.stream().distinct().toList());
        assertEquals(1, count("login_attempts", "tpstreams", username));
        long waitedMs = (System.nanoTime() - refusedAt) / 1_000_000;
        Thread.sleep(Math.max(0, 3200 - waitedMs)); // whole seconds, the end rounded up
        assertTrue(client.authorizationHeader().startsWith("Token "));
        assertEquals(2, count("login_attempts", "tpstreams", username));
    }
}
