package authtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import authtoken.http.AuthTokenHttpClient;
import authtoken.okhttp.AuthTokenInterceptor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;

/**
 * The OkHttp interceptor and the java.net.http helper: the header, one login, the resend on a
 * refused token (the core's decision), a second refusal returned as it is, the origin rule.
 */
class AdaptersTest extends TestSupport {
    static OkHttpClient okhttp(Client client) {
        return new OkHttpClient.Builder().addInterceptor(new AuthTokenInterceptor(client)).build();
    }

    static AuthTokenHttpClient httpClient(Client client) {
        return new AuthTokenHttpClient(HttpClient.newHttpClient(), client);
    }

    static Map<?, ?> okGet(OkHttpClient http, String url) throws IOException {
        try (okhttp3.Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
            assertEquals(200, r.code());
            return (Map<?, ?>) Json.parse(r.body().string());
        }
    }

    static String header(Map<?, ?> echo) {
        return (String) ((Map<?, ?>) echo.get("headers")).get("authorization");
    }

    @Test
    void okhttpSignsRequestsWithOneLogin() throws Exception {
        Client client = client("tpstreams");
        OkHttpClient http = okhttp(client);
        Map<?, ?> sent = okGet(http, client.baseUrl() + "/api/echo/?q=1");
        assertEquals(client.authorizationHeader(), header(sent));
        assertEquals("q=1", sent.get("query"));
        for (int i = 0; i < 3; i++) {
            RequestBody body = RequestBody.create(MediaType.get("application/json"), "{\"i\":" + i + "}");
            try (okhttp3.Response r = http.newCall(new Request.Builder().url(client.baseUrl() + "/api/echo/")
                    .post(body).build()).execute()) {
                assertEquals("{\"i\":" + i + "}", ((Map<?, ?>) Json.parse(r.body().string())).get("body"));
            }
        }
        assertEquals(1, logins("tpstreams"));
    }

    @Test
    void okhttpReplacesARefusedTokenAndResends() throws Exception {
        Client client = client("tpstreams");
        String old = client.authorizationHeader();
        revoke("tpstreams", username);
        RequestBody body = RequestBody.create(MediaType.get("text/plain"), "payload");
        try (okhttp3.Response r = okhttp(client).newCall(new Request.Builder().url(client.baseUrl() + "/api/echo/")
                .post(body).build()).execute()) {
            assertEquals(200, r.code());
            Map<?, ?> sent = (Map<?, ?>) Json.parse(r.body().string());
            assertEquals("payload", sent.get("body"));
            assertNotEquals(old, header(sent));
        }
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void okhttpReturnsASecondRefusalAsItIs() throws Exception {
        Client client = client("tpstreams");
        client.authorizationHeader();
        fault(Map.of("service", "tpstreams", "path", "/api/echo/", "kind", "status", "status", 401, "count", 2));
        try (okhttp3.Response r = okhttp(client).newCall(new Request.Builder().url(client.baseUrl() + "/api/echo/")
                .build()).execute()) {
            assertEquals(401, r.code());
        }
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void okhttpThreadsRefusedTogetherCauseOneLogin() throws Exception {
        Client client = client("tpstreams");
        OkHttpClient http = okhttp(client);
        String old = client.authorizationHeader();
        revoke("tpstreams", username);
        List<String> seen = runThreads(8, i -> header(okGet(http, client.baseUrl() + "/api/echo/")));
        assertEquals(1, new HashSet<>(seen).size());
        assertNotEquals(old, seen.get(0));
        assertEquals(2, logins("tpstreams"));
    }

    @Test
    void okhttpTreatsTestpress403ForARevokedJwtAsARefusal() throws Exception {
        Client client = client("testpress");
        String old = client.authorizationHeader();
        revoke("testpress", username);
        try (okhttp3.Response r = okhttp(client).newCall(new Request.Builder()
                .url(client.baseUrl() + "/api/v2.5/exams/").build()).execute()) {
            assertEquals(200, r.code(), r.body().string());
        }
        assertNotEquals(old, client.authorizationHeader());
        assertEquals(2, logins("testpress"));
    }

    @Test
    void okhttpNeverSendsTheHeaderToAnotherOrigin() {
        Client client = client("tpstreams");
        IOException e = assertThrows(IOException.class, () -> okhttp(client)
                .newCall(new Request.Builder().url("http://localhost:1/api/echo/").build()).execute());
        assertInstanceOf(InvalidArgumentException.class, e.getCause());
        assertTrue(e.getMessage().contains("refusing to send the Authorization header"), e.getMessage());
        assertEquals(0, count("login_attempts", "tpstreams", username));
    }

    @Test
    void httpClientSignsResendsOnceAndKeepsTheOriginRule() throws Exception {
        Client client = client("tpstreams");
        AuthTokenHttpClient http = httpClient(client);
        URI echoUri = URI.create(client.baseUrl() + "/api/echo/");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(echoUri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        String first = header((Map<?, ?>) Json.parse(r.body()));
        assertEquals(client.authorizationHeader(), first);

        revoke("tpstreams", username);
        r = http.send(HttpRequest.newBuilder(echoUri).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("again")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Map<?, ?> sent = (Map<?, ?>) Json.parse(r.body());
        assertEquals("again", sent.get("body"));
        assertNotEquals(first, header(sent));
        assertEquals(2, logins("tpstreams"));

        fault(Map.of("service", "tpstreams", "path", "/api/echo/", "kind", "status", "status", 401, "count", 2));
        assertEquals(401, http.send(HttpRequest.newBuilder(echoUri).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(3, logins("tpstreams"));

        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:1/api/echo/")).build(),
                HttpResponse.BodyHandlers.discarding()));
        assertTrue(e.getMessage().contains("refusing to send the Authorization header"), e.getMessage());
    }

    @Test
    void httpClientTreatsTestpress403ForARevokedJwtAsARefusal() throws Exception {
        Client client = client("testpress");
        String old = client.authorizationHeader();
        revoke("testpress", username);
        HttpResponse<String> r = httpClient(client).send(
                HttpRequest.newBuilder(URI.create(client.baseUrl() + "/api/v2.5/exams/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertNotEquals(old, client.authorizationHeader());
        assertEquals(2, logins("testpress"));
    }
}
