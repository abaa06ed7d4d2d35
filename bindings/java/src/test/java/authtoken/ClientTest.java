package authtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client against the emulator: providers, headers, signed requests, logout, the 401
 * re-login, the token limit and the errors a user sees (the scenarios of every binding).
 */
class ClientTest extends TestSupport {
    @ParameterizedTest
    @ValueSource(strings = {"tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"})
    void everyProviderLogsInOnceAndSignsWithItsExactHeader(String service) {
        Client client = client(service);
        String header = client.authorizationHeader();
        assertEquals(SCHEMES.get(service) + " " + client.token(), header);
        Map<String, Object> sent = echo(client.get("/api/echo/"));
        assertEquals(header, sentHeader(sent, "authorization"));
        assertEquals("/" + service + "/api/echo/", sent.get("path"));
        for (int i = 0; i < 3; i++) {
            client.get("/api/echo/");
            assertEquals(header, client.authorizationHeader());
        }
        assertEquals(1, logins(service));
    }

    @Test
    void customProviderProfile() {
        Client client = client("custom", Map.of(
                "base_url", baseUrl("tpstreams"),
                "login_path", "/api/auth/login/",
                "logout_path", "/api/auth/logout/",
                "extra_fields", Map.of("organization_id", org),
                "token_field", "token",
                "expiry_field", "expiry",
                "scheme", "Token"));
        String header = client.authorizationHeader();
        assertTrue(header.matches("Token [0-9a-f]{64}"), header);
        assertEquals(header, sentHeader(echo(client.get("/api/echo/")), "authorization"));
        client.logout();
        assertEquals(1, logins("tpstreams"));
        assertEquals(1, logouts("tpstreams"));
    }

    @Test
    void requestsSendTheirMethodHeadersAndBody() {
        Client client = client("tpstreams");
        Map<String, Object> sent = echo(client.get("/api/echo/items?page=2", Map.of("X-Trace", "t1")));
        assertEquals("GET", sent.get("method"));
        assertEquals("page=2", sent.get("query"));
        assertEquals("t1", sentHeader(sent, "x-trace"));

        Response posted = client.request("POST", "/api/echo/", Map.of("Content-Type", "application/json"),
                "{\"name\":\"clip\",\"ü\":true}".getBytes(StandardCharsets.UTF_8));
        sent = echo(posted);
        assertEquals("POST", sent.get("method"));
        assertEquals("{\"name\":\"clip\",\"ü\":true}", sent.get("body"));
        assertEquals("application/json", sentHeader(sent, "content-type"));
        assertTrue(posted.header("Content-Type").startsWith("application/json"));
        assertEquals(posted.header("content-type"), posted.headers().get("content-type").get(0));
        assertTrue(posted.url().endsWith("/tpstreams/api/echo/"), posted.url());
        assertTrue(posted.isSuccess());

        for (String method : List.of("put", "PATCH", "DELETE")) {
            sent = echo(client.request(method, "/api/echo/", Map.of("Content-Type", "text/plain"),
                    "raw".getBytes(StandardCharsets.UTF_8)));
            assertEquals(method.toUpperCase(java.util.Locale.ROOT), sent.get("method"));
            assertEquals("raw", sent.get("body"));
        }
        String absolute = baseUrl("tpstreams") + "/api/echo/?a=1";
        assertEquals("a=1", echo(client.get(absolute)).get("query"));
        assertEquals("OPTIONS", echo(client.request("options", "/api/echo/", null, null)).get("method"));
        assertEquals(1, logins("tpstreams"));
    }

    @Test
    void raiseForStatusMapsTheStatusToAnError() {
        Client client = client("tpstreams");
        Response ok = client.get("/api/echo/");
        assertSame(ok, ok.raiseForStatus());

        Response missing = client.get("/api/missing/");
        assertEquals(404, missing.status());
        assertFalse(missing.isSuccess());
        HttpStatusException e = assertThrows(HttpStatusException.class, missing::raiseForStatus);
        assertEquals(List.of(15, "http_status", 404), List.of(e.code(), e.kind(), e.status()));
        assertEquals("Not found.", e.serverMessage());
        assertSame(missing, e.response());
        assertTrue(e.getMessage().contains("404"), e.getMessage());

        fault(Map.of("service", "tpstreams", "path", "/api/echo/", "kind", "status", "status", 503,
                "retry_after", 7, "count", 1));
        Response unavailable = client.get("/api/echo/");
        assertEquals(503, unavailable.status());
        ServerException s = assertThrows(ServerException.class, unavailable::raiseForStatus);
        assertEquals(10, s.code());
        assertEquals(503, s.status());
        assertEquals(Duration.ofSeconds(7), s.retryAfter());
    }

    @Test
    void logoutRevokesTheTokenForEveryone() throws Exception {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        assertEquals(200, rawGet("tpstreams", "/api/echo/", old));
        client.logout();
        assertEquals(1, logouts("tpstreams"));
        assertEquals(401, rawGet("tpstreams", "/api/echo/", old));
        String fresh = sentHeader(echo(client.get("/api/echo/")), "authorization");
        assertNotEquals(old, fresh);
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void logoutWithoutATokenSendsNothing() {
        client("tpstreams").logout();
        assertEquals(0, logouts("tpstreams"));
    }

    @Test
    void logoutWhereTheServiceHasNoEndpointForgetsLocally() {
        Client client = client("tpstreams-legacy");
        String old = client.authorizationHeader();
        client.logout();
        assertNotEquals(old, client.authorizationHeader());
        assertEquals(2, logins("tpstreams-legacy"));
    }

    @Test
    void forgetDropsTheTokenLocallyWithoutRevokingIt() throws Exception {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        client.forget();
        assertNotEquals(old, client.authorizationHeader());
        assertEquals(200, rawGet("tpstreams", "/api/echo/", old));
        assertEquals(2, logins("tpstreams"));
        assertEquals(0, logouts("tpstreams"));
    }

    @Test
    void invalidateForgetsOnlyTheTokenThatWasRefused() throws Exception {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        revoke("tpstreams", username);
        assertEquals(401, rawGet("tpstreams", "/api/echo/", old));
        assertTrue(client.invalidate(old), "the refused token was the current one");
        String fresh = client.authorizationHeader();
        assertNotEquals(old, fresh);
        assertFalse(client.invalidate(old), "a late report keeps the fresh token");
        assertEquals(fresh, client.authorizationHeader());
        assertEquals(2, logins("tpstreams"));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> client.invalidate(""));
        assertEquals(14, e.code());
    }

    @Test
    void isRefusedIsTheCoresRule() {
        Client tpstreams = client("tpstreams");
        Client testpress = client("testpress");
        String expired = "{\"detail\": \"Signature has expired.\"}";
        assertTrue(tpstreams.isRefused(401, ""));
        assertTrue(testpress.isRefused(401, (byte[]) null));
        assertFalse(tpstreams.isRefused(403, expired));
        assertTrue(testpress.isRefused(403, expired));
        assertTrue(testpress.isRefused(403, "{\"message\": \"Signature has expired.\"}"));
        assertFalse(testpress.isRefused(403, "{\"detail\": \"You do not have permission.\"}"));
        assertFalse(testpress.isRefused(200, expired));
    }

    @Test
    void checkUrlIsTheCoresOriginRule() {
        Client client = client("tpstreams");
        client.checkUrl(client.baseUrl() + "/api/echo/?page=2");
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> client.checkUrl("http://localhost:1/api/"));
        assertTrue(e.getMessage().startsWith(
                "refusing to send the Authorization header to http://localhost: this client is for "), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> client.checkUrl("ftp://127.0.0.1/"));
        assertEquals("refusing to send the Authorization header to a ftp: URL: only http:// and https:// URLs "
                + "are supported", e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> client.checkUrl("/relative/"));
    }

    @Test
    void aRevokedTokenIsReplacedAndTheRequestResent() {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        assertEquals(1, revoke("tpstreams", username));
        Map<String, Object> sent = echo(client.request("POST", "/api/echo/",
                Map.of("Content-Type", "application/json"), "{\"resent\":true}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("{\"resent\":true}", sent.get("body"));
        assertNotEquals(old, sentHeader(sent, "authorization"));
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void theHeaderFollowsEveryNewToken() {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        assertSame(old, client.authorizationHeader());
        assertEquals(old, sentHeader(echo(client.get("/api/echo/")), "authorization"));
        assertSame(old, client.authorizationHeader());
        assertEquals(1, revoke("tpstreams", username));
        String sent = sentHeader(echo(client.get("/api/echo/")), "authorization");
        String fresh = client.authorizationHeader();
        assertNotEquals(old, fresh);
        assertEquals(sent, fresh);
        assertSame(fresh, client.authorizationHeader());
        assertEquals(2, logins("tpstreams"));
        client.close();
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, client::authorizationHeader);
        assertEquals("the client is closed", e.getMessage());
    }

    @Test
    void aSecond401RaisesUnauthorized() {
        Client client = client("tpstreams");
        client.authorizationHeader();
        fault(Map.of("service", "tpstreams", "path", "/api/echo/", "kind", "status", "status", 401, "count", 2));
        UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> client.get("/api/echo/"));
        assertEquals(List.of(4, "unauthorized", 401), List.of(e.code(), e.kind(), e.status()));
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void theTokenLimitIsReportedAsSuch() {
        Client first = null;
        for (int i = 0; i < 20; i++) {
            Client holder = client("tpstreams", "limit-" + i + "-" + org + "@example.com", Map.of());
            holder.authorizationHeader();
            if (first == null) {
                first = holder;
            }
        }
        Client extra = client("tpstreams", "limit-20-" + org + "@example.com", Map.of());
        TokenLimitException e = assertThrows(TokenLimitException.class, () -> extra.get("/api/echo/"));
        assertEquals(List.of(3, "token_limit", 403), List.of(e.code(), e.kind(), e.status()));
        assertEquals("Maximum amount of tokens allowed per user exceeded.", e.serverMessage());
        assertTrue(e.getMessage().contains("log out tokens that are no longer used"), e.getMessage());
        first.logout();
        extra.forget(); // the refusal is remembered for the identity (login_cooloff_s); forget() lifts it
        assertTrue(extra.authorizationHeader().startsWith("Token "));
    }

    @Test
    void badCredentials() {
        Client client = client("tpstreams", Map.of("password", "wrong-password-123"));
        InvalidCredentialsException e = assertThrows(InvalidCredentialsException.class, client::authorizationHeader);
        assertEquals(List.of(2, "invalid_credentials", 400), List.of(e.code(), e.kind(), e.status()));
        assertEquals("Unable to log in with provided credentials.", e.serverMessage());
        assertFalse(e.getMessage().contains("wrong-password-123"));
        assertFalse(e.toString().contains("wrong-password-123"));
        assertFalse(client.toString().contains("wrong-password-123"));
        assertEquals(0, logins("tpstreams"));
        assertEquals(1, count("login_attempts", "tpstreams", username));
    }

    @Test
    void anUnreachableHostIsANetworkError() {
        Client client = client("tpstreams", Map.of("base_url", "http://127.0.0.1:9/tpstreams"));
        NetworkException e = assertThrows(NetworkException.class, client::authorizationHeader);
        assertEquals(List.of(7, "network", 0), List.of(e.code(), e.kind(), e.status()));
        assertNull(e.serverMessage());
    }

    @Test
    void anUnknownConfigKeyIsNamed() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> Client.builder()
                .provider("tpstreams").username("u").set("pasword", "p").set("organization_id", "o").build());
        assertEquals(1, e.code());
        assertTrue(e.getMessage().contains("unknown config key `pasword`"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean `password`"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"timeout_ms=\"soon\"", "timeout_ms=0", "subdomain=\"demo\"", "organization_id=null",
            "cache=\"floppy\"", "base_url=\"ftp://example.com\"", "max_retries=99"})
    void anInvalidValueNamesItsKey(String assignment) {
        String key = assignment.substring(0, assignment.indexOf('='));
        Object value = Json.parse(assignment.substring(assignment.indexOf('=') + 1));
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put(key, value);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> client("tpstreams", overrides));
        assertTrue(e.getMessage().contains("`" + key + "`"), e.getMessage());
        assertEquals(1, e.code());
        assertFalse(e.getMessage().contains(PASSWORD));
    }

    @Test
    void valuesJsonCannotCarryAreRefusedAndPathsAreStrings() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> client("tpstreams", Map.of("cache_dir", new Object())));
        assertThrows(IllegalArgumentException.class, () -> client("tpstreams", Map.of("timeout_ms", Double.NaN)));
        Client client = client("tpstreams", Map.of("cache", "file",
                "cache_dir", Files.createTempDirectory("authtoken-java")));
        assertTrue(client.authorizationHeader().startsWith("Token "));
    }

    @Test
    void invalidRequestArgumentsSendNothing() {
        Client client = client("tpstreams");
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> client.request("BREW", "/api/echo/", null, null));
        assertEquals(14, e.code());
        assertTrue(e.getMessage().contains("method"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class, () -> client.get("http://localhost:1/api/echo/"));
        assertTrue(e.getMessage().contains("refusing to send"), e.getMessage());
        e = assertThrows(InvalidArgumentException.class,
                () -> client.get("/api/echo/", Map.of("Authorization", "Token mine")));
        assertTrue(e.getMessage().contains("Authorization"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client.get("/api/echo/\0"));
        assertEquals(0, count("login_attempts", "tpstreams", username));
        assertEquals(0, count("requests", "tpstreams", username));
    }

    @Test
    void fromJsonAndTheBuilderTakeTheSameKeys() {
        Map<String, Object> config = config("tpstreams", username);
        Client fromJson = track(Client.fromJson(Json.write(config)));
        Client.Builder builder = Client.builder();
        config.forEach(builder::set);
        Client built = track(builder.build());
        assertEquals(fromJson.authorizationHeader(), built.authorizationHeader());
        assertEquals(1, logins("tpstreams"));
        assertEquals("tpstreams", fromJson.provider());
        assertEquals(username, fromJson.username());

        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Client.fromJson("{\"provider\": \"tpstreams\", \"password\": \"hunter22\""));
        assertFalse(e.getMessage().contains("hunter22"));
        assertThrows(InvalidConfigException.class, () -> Client.fromJson("[1, 2]"));
    }

    @Test
    void toStringNeverShowsSecrets() {
        Client client = client("tpstreams");
        String token = client.token();
        String text = client.toString();
        assertTrue(text.contains(username));
        assertFalse(text.contains(PASSWORD));
        assertFalse(text.contains(token));
        assertEquals(List.of("tpstreams", username, baseUrl("tpstreams")),
                List.of(client.provider(), client.username(), client.baseUrl()));
    }

    @Test
    void aClosedClientRefusesCallsAndKeepsTheToken() {
        Client client = client("tpstreams");
        String header = client.authorizationHeader();
        client.close();
        client.close();
        assertTrue(client.isClosed());
        assertTrue(client.toString().contains("(closed)"));
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> client.get("/api/echo/"));
        assertEquals(List.of(14, "the client is closed"), List.of(e.code(), e.getMessage()));
        assertEquals(0, logouts("tpstreams"));
        assertNotEquals("", header);
    }

    @Test
    void errorClassesCarryTheCAbiCodesAndTheCoresKindNames() {
        List<Class<? extends AuthTokenException>> classes = List.of(InvalidConfigException.class,
                InvalidCredentialsException.class, TokenLimitException.class, UnauthorizedException.class,
                ForbiddenException.class, RateLimitedException.class, NetworkException.class,
                TimeoutException.class, TlsException.class, ServerException.class, ProtocolException.class,
                StoreException.class, LockTimeoutException.class, InvalidArgumentException.class,
                HttpStatusException.class, InternalException.class);
        for (int code = 1; code <= classes.size(); code++) {
            AuthTokenException e = Errors.create(code, "x", 0, null, null, null, null);
            assertSame(classes.get(code - 1), e.getClass(), "class of code " + code);
            assertEquals(code, e.code());
            assertEquals(AuthToken.kindName(code), e.kind(), "kind of code " + code);
        }
        AuthTokenException unknown = Errors.create(99, "x", 0, null, null, null, null);
        assertSame(AuthTokenException.class, unknown.getClass());
        assertNull(AuthToken.kindName(99));
        assertEquals("ok", AuthToken.kindName(0));
    }

    @Test
    void libraryFacts() {
        assertEquals(AuthToken.version(), AuthToken.libraryVersion());
        assertTrue(AuthToken.configKeys().contains("organization_id"));
        assertTrue(Files.isRegularFile(AuthToken.libraryPath()));
        assertEquals(0, AuthToken.noop());
    }
}
