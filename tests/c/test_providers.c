/*
 * Against the emulator, for every provider: log in, print the header, make a signed GET and
 * POST, read the response (status, a header, all headers, the body, the URL), log out, and
 * check what the server counted.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct provider {
    const char *name;
    const char *scheme; /* the Authorization scheme, with its space */
    int has_logout;
    const char *extra; /* provider-specific config members; %s is a unique organization id */
};

static const struct provider PROVIDERS[] = {
    {"tpstreams", "Token ", 1, "\"organization_id\": \"%s\""},
    {"tpstreams-legacy", "token ", 0, NULL},
    {"testpress", "JWT ", 1, "\"api_version\": \"v2.5\""},
    {"cruxconnect", "Token ", 0, NULL},
    /* `custom` describes CruxConnect's API through configuration alone. */
    {"custom", "Token ", 0,
     "\"login_path\": \"/timp/organizations/user-login/\", \"token_field\": \"auth_token\", "
     "\"scheme\": \"Token\""},
};

static void run(const struct provider *p) {
    char title[128];
    snprintf(title, sizeof title, "provider %s", p->name);
    h_section(title);
    const char *service = h_prefix(p->name);
    char *user = h_unique("c-providers");
    char *org = h_unique("c-org");
    char extra[512] = "";
    if (p->extra) snprintf(extra, sizeof extra, p->extra, org);
    char *config = h_config(p->name, user, h_password(), p->extra ? extra : NULL);

    authtoken_client *client = NULL;
    CHECK_RC(authtoken_client_new(config, &client), AUTHTOKEN_RESULT_OK, "client_new");
    if (!client) goto out;
    CHECK(h_stat("login_attempts", service, user) == 0, "creating a client does not log in");

    char *header = NULL;
    CHECK_RC(authtoken_client_authorization_header(client, &header), AUTHTOKEN_RESULT_OK,
             "authorization_header");
    /* The scheme and the token's first 6 characters only: passing tests print no token. */
    if (header && strlen(header) > strlen(p->scheme) + 6)
        printf("   Authorization: %.*s...\n", (int)strlen(p->scheme) + 6, header);
    else
        printf("   Authorization: %s\n", header ? "(too short to show)" : "(none)");
    CHECK(header && strncmp(header, p->scheme, strlen(p->scheme)) == 0,
          "the header starts with \"%s\"", p->scheme);
    char *token = NULL;
    CHECK_RC(authtoken_client_token(client, &token), AUTHTOKEN_RESULT_OK, "token");
    CHECK(header && token && strcmp(header + strlen(p->scheme), token) == 0,
          "the header is the scheme followed by the token");

    /* The same value written into a caller's buffer; a short one gets the length it needs. */
    size_t len = 0;
    CHECK_RC(authtoken_client_authorization_header_into(client, NULL, 0, &len),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "header_into(NULL, 0): the length only");
    CHECK(header && len == strlen(header), "the length needed is the header's (%zu)", len);
    char exact[4096];
    memset(exact, 'x', sizeof exact);
    size_t written = 0;
    CHECK_RC(authtoken_client_authorization_header_into(client, exact, len, &written),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "header_into: no room for the NUL");
    CHECK(written == len && exact[0] == 'x', "nothing written to a buffer one byte short");
    CHECK(strstr(h_last_message(), "needs") != NULL, "the message says what is needed: %s",
          h_last_message());
    CHECK_RC(authtoken_client_authorization_header_into(client, exact, len + 1, &written),
             AUTHTOKEN_RESULT_OK, "header_into: exactly enough room");
    CHECK(header && written == len && strcmp(exact, header) == 0,
          "the buffer holds the header and its NUL");

    /* The serial names the token the header came from, while it is fresh. */
    char *with_serial = NULL;
    uint64_t serial = 0;
    CHECK_RC(authtoken_client_authorization_header_and_serial(client, &with_serial, &serial),
             AUTHTOKEN_RESULT_OK, "authorization_header_and_serial");
    CHECK(header && with_serial && strcmp(with_serial, header) == 0 && serial != 0,
          "the same header, and a serial that is not 0");
    CHECK(authtoken_client_token_serial(client) == serial, "token_serial gives it back");
    authtoken_string_free(with_serial);
    CHECK_RC(authtoken_client_authorization_header_and_serial(client, &with_serial, NULL),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "header_and_serial(serial_out NULL)");
    CHECK_CONTAINS(h_last_message(), "serial_out", "the message names serial_out");
    CHECK(authtoken_client_token_serial(NULL) == 0 &&
              authtoken_last_error_code() == AUTHTOKEN_RESULT_INVALID_ARGUMENT,
          "token_serial(NULL) is 0 and says INVALID_ARGUMENT");

    /* A signed GET with a query string. */
    authtoken_response *resp = NULL;
    CHECK_RC(authtoken_client_request(client, "GET", "/api/echo/?page=2", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_OK, "GET /api/echo/?page=2");
    CHECK(authtoken_response_status(resp) == 200, "status 200 (got %u)",
          (unsigned)authtoken_response_status(resp));
    json_object *echo = h_body_json(resp);
    CHECK_STR(h_json_str(echo, "method", NULL), "GET", "the server saw method");
    CHECK_STR(h_json_str(echo, "query", NULL), "page=2", "the server saw query");
    CHECK_SECRET_STR(h_json_str(echo, "headers", "authorization"), header,
                     "the server saw the Authorization header");
    json_object_put(echo);
    const char *content_type = NULL;
    CHECK_RC(authtoken_response_header(resp, "Content-Type", &content_type), AUTHTOKEN_RESULT_OK,
             "response_header(Content-Type)");
    CHECK_CONTAINS(content_type, "application/json", "content-type");
    const char *missing = "unchanged";
    CHECK_RC(authtoken_response_header(resp, "X-Not-There", &missing), AUTHTOKEN_RESULT_OK,
             "response_header(X-Not-There)");
    CHECK(missing == NULL, "an absent header gives NULL");
    const char *headers = NULL;
    CHECK_RC(authtoken_response_headers_json(resp, &headers), AUTHTOKEN_RESULT_OK,
             "response_headers_json");
    json_object *hs = headers ? json_tokener_parse(headers) : NULL;
    CHECK(hs && json_object_is_type(hs, json_type_array) && json_object_array_length(hs) > 0,
          "headers JSON is a non-empty array of pairs: %s", headers ? headers : "(null)");
    json_object_put(hs);
    const char *url = NULL;
    CHECK_RC(authtoken_response_url(resp, &url), AUTHTOKEN_RESULT_OK, "response_url");
    CHECK_CONTAINS(url, "/api/echo/?page=2", "url");
    CHECK_RC(authtoken_response_error_for_status(resp), AUTHTOKEN_RESULT_OK,
             "error_for_status on 200");

    /* The same answer read in one call: every part agrees with its own accessor. */
    authtoken_response_parts parts;
    memset(&parts, 0xAB, sizeof parts);
    CHECK_RC(authtoken_response_read(resp, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_read(resp, NULL)");
    CHECK_CONTAINS(h_last_message(), "parts_out", "the message names parts_out");
    CHECK_RC(authtoken_response_read(resp, &parts), AUTHTOKEN_RESULT_OK, "response_read");
    CHECK(parts.status == 200 && parts.status_result == AUTHTOKEN_RESULT_OK,
          "parts: status 200, result OK (got %u, %u)", (unsigned)parts.status,
          (unsigned)parts.status_result);
    const uint8_t *body_data = NULL;
    size_t body_len = 0;
    CHECK_RC(authtoken_response_body(resp, &body_data, &body_len), AUTHTOKEN_RESULT_OK,
             "response_body");
    CHECK(parts.body == body_data && parts.body_len == body_len && parts.body[body_len] == 0,
          "parts: the body and its length, NUL after it");
    CHECK(parts.url_len == strlen(url) && memcmp(parts.url, url, parts.url_len) == 0,
          "parts: the URL and its length");
    /* Walk the NUL-separated block: header_count pairs, and the content type among them. */
    size_t pairs_seen = 0, at = 0;
    const char *block_type = NULL;
    while (at < parts.headers_len) {
        const char *name = parts.headers + at;
        const char *value = name + strlen(name) + 1;
        at = (size_t)(value - parts.headers) + strlen(value) + 1;
        pairs_seen++;
        if (strcmp(name, "content-type") == 0) block_type = value;
    }
    CHECK(at == parts.headers_len + 1 && parts.headers[parts.headers_len] == 0,
          "parts: the block ends with a NUL that headers_len does not count");
    CHECK(pairs_seen == parts.header_count && pairs_seen > 0,
          "parts: %zu name/value pairs, header_count %zu", pairs_seen, parts.header_count);
    CHECK(block_type && content_type && strcmp(block_type, content_type) == 0,
          "parts: the content type as response_header gives it (%s)",
          block_type ? block_type : "(missing)");
    authtoken_response_free(resp);

    /* A signed POST with headers (object form) and a JSON body. */
    static const char body[] = "{\"title\": \"Hello from C\", \"n\": 1}";
    resp = NULL;
    CHECK_RC(authtoken_client_request(
                 client, "post", "/api/echo/items",
                 "{\"Content-Type\": \"application/json\", \"X-Trace\": \"c-test\"}",
                 (const uint8_t *)body, strlen(body), &resp),
             AUTHTOKEN_RESULT_OK, "POST /api/echo/items");
    CHECK(authtoken_response_status(resp) == 200, "status 200");
    echo = h_body_json(resp);
    CHECK_STR(h_json_str(echo, "method", NULL), "POST", "the server saw method");
    CHECK_STR(h_json_str(echo, "body", NULL), body, "the server saw the body");
    CHECK_STR(h_json_str(echo, "headers", "x-trace"), "c-test", "the server saw X-Trace");
    CHECK_SECRET_STR(h_json_str(echo, "headers", "authorization"), header,
                     "the POST was signed with the same token");
    json_object_put(echo);
    authtoken_response_free(resp);

    /* Headers as [name, value] pairs, repeated; an empty non-NULL body. */
    resp = NULL;
    CHECK_RC(authtoken_client_request(client, "PUT", "/api/echo/",
                                      "[[\"X-Tag\", \"a\"], [\"X-Tag\", \"b\"]]",
                                      (const uint8_t *)"", 0, &resp),
             AUTHTOKEN_RESULT_OK, "PUT with repeated headers and an empty body");
    echo = h_body_json(resp);
    CHECK_STR(h_json_str(echo, "headers", "x-tag"), "a, b", "both X-Tag values arrived");
    CHECK_STR(h_json_str(echo, "body", NULL), "", "the body was empty");
    json_object_put(echo);
    authtoken_response_free(resp);

    CHECK(h_stat("logins", service, user) == 1, "the emulator counted one login (got %ld)",
          h_stat("logins", service, user));
    CHECK(h_stat("requests", service, user) == 3, "and three signed requests (got %ld)",
          h_stat("requests", service, user));

    CHECK_RC(authtoken_client_logout(client), AUTHTOKEN_RESULT_OK, "logout");
    CHECK(h_stat("logouts", service, user) == (p->has_logout ? 1 : 0),
          "the emulator counted %d logout(s)", p->has_logout);
    CHECK_RC(authtoken_client_logout(client), AUTHTOKEN_RESULT_OK,
             "a second logout (no token) succeeds without a request");
    CHECK(h_stat("logouts", service, user) == (p->has_logout ? 1 : 0), "no second logout request");

    char *again = NULL;
    CHECK_RC(authtoken_client_authorization_header(client, &again), AUTHTOKEN_RESULT_OK,
             "authorization_header after logout");
    CHECK(again && header && strcmp(again, header) != 0, "a new token after logout");
    CHECK(h_stat("logins", service, user) == 2, "which took a second login");
    CHECK_RC(authtoken_client_logout(client), AUTHTOKEN_RESULT_OK, "logout again");

    authtoken_string_free(again);
    authtoken_string_free(token);
    authtoken_string_free(header);
    authtoken_client_free(client);
out:
    free(config);
    free(org);
    free(user);
}

/* Two handles of one identity share one token (one login), and a response outlives its
 * client. */
static void shared_identity(void) {
    h_section("two handles, one identity");
    char *user = h_unique("c-shared");
    char *org = h_unique("c-org");
    char extra[128];
    snprintf(extra, sizeof extra, "\"organization_id\": \"%s\"", org);
    char *config = h_config("tpstreams", user, h_password(), extra);
    authtoken_client *a = NULL, *b = NULL;
    CHECK_RC(authtoken_client_new(config, &a), AUTHTOKEN_RESULT_OK, "client a");
    CHECK_RC(authtoken_client_new(config, &b), AUTHTOKEN_RESULT_OK, "client b");
    char *ha = NULL, *hb = NULL;
    CHECK_RC(authtoken_client_authorization_header(a, &ha), AUTHTOKEN_RESULT_OK, "header via a");
    CHECK_RC(authtoken_client_authorization_header(b, &hb), AUTHTOKEN_RESULT_OK, "header via b");
    CHECK(ha && hb && strcmp(ha, hb) == 0, "both handles use the same token");
    CHECK(h_stat("logins", "tpstreams", user) == 1, "one login for two handles");

    authtoken_response *resp = NULL;
    CHECK_RC(authtoken_client_request(a, "GET", "/api/echo/", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_OK, "GET via a");
    authtoken_client_free(a);
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK_RC(authtoken_response_body(resp, &data, &len), AUTHTOKEN_RESULT_OK,
             "the response is readable after its client was freed");
    CHECK(data && len > 0 && data[len] == 0, "the body (%zu bytes) is followed by a NUL", len);
    authtoken_response_free(resp);
    CHECK_RC(authtoken_client_logout(b), AUTHTOKEN_RESULT_OK, "logout via b");
    authtoken_client_free(b);
    authtoken_string_free(ha);
    authtoken_string_free(hb);
    free(config);
    free(org);
    free(user);
}

/* The decisions the library exports for callers with their own HTTP client: what counts as
 * a refused token, and where the header may go. No network: both are pure. */
static void exported_decisions(void) {
    h_section("is_refused and check_url");
    char *tp_config = h_config("tpstreams", "decisions", h_password(), "\"organization_id\": \"o\"");
    char *jwt_config = h_config("testpress", "decisions", h_password(), NULL);
    authtoken_client *tp = NULL, *jwt = NULL;
    CHECK_RC(authtoken_client_new(tp_config, &tp), AUTHTOKEN_RESULT_OK, "client_new tpstreams");
    CHECK_RC(authtoken_client_new(jwt_config, &jwt), AUTHTOKEN_RESULT_OK, "client_new testpress");
    if (!tp || !jwt) goto out;
    static const char expired_detail[] = "{\"detail\": \"Signature has expired.\"}";
    static const char expired_message[] = "{\"message\": \"Signature has expired.\"}";
    static const char forbidden[] = "{\"detail\": \"You do not have permission.\"}";
    const uint8_t *b = (const uint8_t *)expired_detail;
    bool refused = false;
    CHECK_RC(authtoken_client_is_refused(tp, 401, NULL, 0, &refused), AUTHTOKEN_RESULT_OK, "401");
    CHECK(refused, "a 401 is a refused token");
    CHECK_RC(authtoken_client_is_refused(tp, 403, b, strlen(expired_detail), &refused),
             AUTHTOKEN_RESULT_OK, "403 tpstreams");
    CHECK(!refused, "TPStreams' 403 is not a refused token, whatever it says");
    CHECK_RC(authtoken_client_is_refused(jwt, 403, b, strlen(expired_detail), &refused),
             AUTHTOKEN_RESULT_OK, "403 testpress");
    CHECK(refused, "Testpress' 403 \"Signature has expired.\" in detail is a refused token");
    CHECK_RC(authtoken_client_is_refused(jwt, 403, (const uint8_t *)expired_message,
                                         strlen(expired_message), &refused),
             AUTHTOKEN_RESULT_OK, "403 testpress, message");
    CHECK(refused, "... and in message");
    CHECK_RC(authtoken_client_is_refused(jwt, 403, (const uint8_t *)forbidden, strlen(forbidden),
                                         &refused),
             AUTHTOKEN_RESULT_OK, "403 testpress, permission");
    CHECK(!refused, "Testpress' 403 for a permission is not a refused token");
    CHECK_RC(authtoken_client_is_refused(jwt, 200, NULL, 0, &refused), AUTHTOKEN_RESULT_OK, "200");
    CHECK(!refused, "a 200 is not a refusal");
    CHECK_RC(authtoken_client_is_refused(jwt, 403, NULL, 5, &refused),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "NULL body with a length");
    CHECK_STR(h_last_message(), "argument `body` is NULL but `body_len` is 5", "message");
    CHECK_RC(authtoken_client_is_refused(jwt, 401, NULL, 0, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "NULL refused_out");
    CHECK_RC(authtoken_client_is_refused(NULL, 401, NULL, 0, &refused),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "NULL client");

    char same[512];
    char *base = NULL;
    CHECK_RC(authtoken_client_base_url(tp, &base), AUTHTOKEN_RESULT_OK, "base_url");
    snprintf(same, sizeof same, "%s/api/v1/o/assets/?page=2", base ? base : "");
    CHECK_RC(authtoken_client_check_url(tp, same), AUTHTOKEN_RESULT_OK, "its own origin");
    CHECK_RC(authtoken_client_check_url(tp, "https://evil.example/api/"),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "another host");
    CHECK_CONTAINS(h_last_message(),
                   "refusing to send the Authorization header to https://evil.example: this client is for",
                   "message names both origins");
    CHECK_RC(authtoken_client_check_url(tp, "ftp://127.0.0.1/"), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "another scheme");
    CHECK_STR(h_last_message(),
              "refusing to send the Authorization header to a ftp: URL: only http:// and https:// URLs "
              "are supported",
              "message names the scheme");
    CHECK_RC(authtoken_client_check_url(tp, "/api/v1/"), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "not an absolute URL");
    CHECK_CONTAINS(h_last_message(), "invalid URL `/api/v1/`", "message");
    CHECK_RC(authtoken_client_check_url(tp, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "NULL url");
    authtoken_string_free(base);
out:
    authtoken_client_free(tp);
    authtoken_client_free(jwt);
    free(tp_config);
    free(jwt_config);
}

int main(void) {
    h_init();
    for (size_t i = 0; i < sizeof PROVIDERS / sizeof PROVIDERS[0]; i++) run(&PROVIDERS[i]);
    shared_identity();
    exported_decisions();
    return h_finish("test_providers");
}
