/*
 * Every error path a C caller can meet against the emulator: bad credentials, the token limit,
 * an unreachable host, timeouts, 5xx, 429 with Retry-After, a malformed login answer, a 401
 * that survives a fresh login, and error statuses turned into errors.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static authtoken_client *client_for(const char *provider, const char *user, const char *password,
                                    const char *extra) {
    char *config = h_config(provider, user, password, extra);
    authtoken_client *client = NULL;
    authtoken_result rc = authtoken_client_new(config, &client);
    free(config);
    if (rc != AUTHTOKEN_RESULT_OK) {
        CHECK_RC(rc, AUTHTOKEN_RESULT_OK, "client_new");
        return NULL;
    }
    return client;
}

static char *org_extra(char **org_out) {
    *org_out = h_unique("c-err-org");
    char *extra = NULL;
    if (asprintf(&extra, "\"organization_id\": \"%s\"", *org_out) < 0) abort();
    return extra;
}

static void bad_credentials(void) {
    h_section("bad credentials");
    char *user = h_unique("c-badpw");
    authtoken_client *c = client_for("tpstreams-legacy", user, "wrong-password-123", NULL);
    char *header = (char *)"untouched";
    CHECK_RC(authtoken_client_authorization_header(c, &header),
             AUTHTOKEN_RESULT_INVALID_CREDENTIALS, "authorization_header with a wrong password");
    CHECK(strcmp(header, "untouched") == 0, "header_out untouched on failure");
    CHECK(authtoken_last_error_status() == 400, "status 400 (got %u)",
          (unsigned)authtoken_last_error_status());
    CHECK_STR(authtoken_last_error_kind(), "invalid_credentials", "kind");
    char *server = authtoken_last_error_server_message_dup();
    CHECK_STR(server, "Unable to log in with provided credentials.", "server message");
    authtoken_string_free(server);
    CHECK_CONTAINS(h_last_message(), "Unable to log in with provided credentials.", "message");
    CHECK(strstr(h_last_message(), "wrong-password-123") == NULL,
          "the message does not contain the password");
    authtoken_client_free(c);
    free(user);
}

static void remembered_refusal(void) {
    h_section("a refused login is remembered (login_cooloff_s)");
    char *user = h_unique("c-cooloff");
    authtoken_client *first = client_for("tpstreams-legacy", user, "wrong-password-123", NULL);
    authtoken_client *second = client_for("tpstreams-legacy", user, "wrong-password-123", NULL);
    char *header = NULL;
    CHECK_RC(authtoken_client_authorization_header(first, &header),
             AUTHTOKEN_RESULT_INVALID_CREDENTIALS, "the first client is refused by the server");
    for (int i = 0; i < 5; i++) {
        CHECK_RC(authtoken_client_authorization_header(second, &header),
                 AUTHTOKEN_RESULT_INVALID_CREDENTIALS, "another client: the same error at once");
    }
    CHECK(authtoken_last_error_status() == 400, "status 400 (got %u)",
          (unsigned)authtoken_last_error_status());
    char *server = authtoken_last_error_server_message_dup();
    CHECK_STR(server, "Unable to log in with provided credentials.", "the server's message");
    authtoken_string_free(server);
    CHECK_CONTAINS(h_last_message(), "remembered", "the message says it is remembered");
    long long left = (long long)authtoken_last_error_retry_after_ms();
    /* Whole seconds, the end rounded up: at most 1 s over the 60 s cool-off. */
    CHECK(left > 0 && left <= 61000, "retry_after is the time left (got %lld ms)", left);
    CHECK(h_stat("login_attempts", "tpstreams-legacy", user) == 1,
          "six calls, one login attempt (got %ld)", h_stat("login_attempts", "tpstreams-legacy", user));
    CHECK_RC(authtoken_client_forget(second), AUTHTOKEN_RESULT_OK, "forget() lifts it");
    CHECK_RC(authtoken_client_authorization_header(second, &header),
             AUTHTOKEN_RESULT_INVALID_CREDENTIALS, "refused again, by the server");
    CHECK(h_stat("login_attempts", "tpstreams-legacy", user) == 2, "one more attempt");
    authtoken_client *fixed = client_for("tpstreams-legacy", user, h_password(), NULL);
    CHECK_RC(authtoken_client_authorization_header(fixed, &header), AUTHTOKEN_RESULT_OK,
             "the corrected password logs in at once");
    authtoken_string_free(header);
    CHECK(h_stat("login_attempts", "tpstreams-legacy", user) == 3, "one more attempt");
    authtoken_client_free(fixed);
    authtoken_client_free(second);
    authtoken_client_free(first);
    free(user);
}

static void token_limit(void) {
    h_section("TPStreams token limit (20 live tokens per organization)");
    char *org = NULL;
    char *extra = org_extra(&org);
    char *user = h_unique("c-limit");
    authtoken_client *c = client_for("tpstreams", user, h_password(), extra);
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        char *t = NULL;
        if (authtoken_client_token(c, &t) == AUTHTOKEN_RESULT_OK) ok++;
        authtoken_string_free(t);
        /* Forget locally without revoking: the server keeps the token live. */
        authtoken_client_forget(c);
    }
    CHECK(ok == 20, "20 logins succeed (got %d)", ok);
    char *t = NULL;
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_TOKEN_LIMIT, "the 21st login");
    CHECK(t == NULL, "token_out untouched");
    CHECK(authtoken_last_error_status() == 403, "status 403");
    char *server = authtoken_last_error_server_message_dup();
    CHECK_STR(server, "Maximum amount of tokens allowed per user exceeded.", "server message");
    authtoken_string_free(server);
    CHECK(h_stat("logins", "tpstreams", user) == 20, "the emulator issued 20 tokens");

    /* Clean up the organization's tokens. */
    char body[256];
    snprintf(body, sizeof body, "{\"service\": \"tpstreams\", \"organization_id\": \"%s\"}", org);
    json_object_put(h_admin("POST", "/_emulator/revoke", body));
    authtoken_client_free(c);
    free(user);
    free(extra);
    free(org);
}

static void testpress_parallel_logins(void) {
    h_section("Testpress parallel-login limit: error_code");
    json_object_put(h_admin("POST", "/_emulator/config",
                            "{\"service\": \"testpress\", \"max_parallel_logins\": 1}"));
    char *user = h_unique("c-parallel");
    authtoken_client *c = client_for("testpress", user, h_password(), NULL);
    char *t = NULL;
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_OK, "first login");
    authtoken_string_free(t);
    t = NULL;
    authtoken_client_forget(c);
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_TOKEN_LIMIT, "second parallel login");
    char *code = authtoken_last_error_error_code_dup();
    CHECK_STR(code, "parallel_login_restriction", "error_code");
    authtoken_string_free(code);
    json_object_put(h_admin("POST", "/_emulator/config",
                            "{\"service\": \"testpress\", \"max_parallel_logins\": null}"));
    authtoken_client_free(c);
    free(user);
}

static void unreachable(void) {
    h_section("unreachable host");
    char config[512];
    snprintf(config, sizeof config,
             "{\"provider\": \"cruxconnect\", \"username\": \"nobody\", \"password\": \"x\", "
             "\"base_url\": \"http://127.0.0.1:1/\", \"cache\": \"memory\", \"max_retries\": 0, "
             "\"connect_timeout_ms\": 2000}");
    authtoken_client *c = NULL;
    CHECK_RC(authtoken_client_new(config, &c), AUTHTOKEN_RESULT_OK, "client_new (no traffic yet)");
    char *h = NULL;
    CHECK_RC(authtoken_client_authorization_header(c, &h), AUTHTOKEN_RESULT_NETWORK,
             "authorization_header against a closed port");
    CHECK(authtoken_last_error_status() == 0, "no HTTP status");
    authtoken_response *r = NULL;
    CHECK_RC(authtoken_client_request(c, "GET", "/api/echo/", NULL, NULL, 0, &r),
             AUTHTOKEN_RESULT_NETWORK, "request against a closed port");
    CHECK(r == NULL, "response_out untouched");
    authtoken_client_free(c);
}

static void faults(void) {
    h_section("injected faults: 5xx, 429, malformed, timeout, 403 at login");
    char *user = h_unique("c-faults");
    /* Each refusal below is followed by a login that must reach the server: no cool-off. */
    authtoken_client *c = client_for("cruxconnect", user, h_password(),
                                     "\"timeout_ms\": 500, \"login_cooloff_s\": 0");
    char *t = NULL;

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"login\", \"kind\": \"status\", \"status\": 503}");
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_SERVER, "login answered 503");
    CHECK(authtoken_last_error_status() == 503, "status 503");

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"login\", \"kind\": \"status\", "
            "\"status\": 429, \"retry_after\": 30}");
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_RATE_LIMITED, "login answered 429");
    CHECK(authtoken_last_error_retry_after_ms() == 30000, "Retry-After 30 s (got %lld ms)",
          (long long)authtoken_last_error_retry_after_ms());

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"login\", \"kind\": \"status\", \"status\": 403}");
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_FORBIDDEN, "login answered 403");

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"login\", \"kind\": \"malformed\"}");
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_PROTOCOL, "login answered bad JSON");

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"login\", \"kind\": \"delay\", "
            "\"delay_ms\": 2000}");
    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_TIMEOUT,
             "login slower than timeout_ms");
    CHECK(t == NULL, "no token was written by any failure");

    CHECK_RC(authtoken_client_token(c, &t), AUTHTOKEN_RESULT_OK, "the next login works");
    authtoken_string_free(t);
    authtoken_client_free(c);
    free(user);
}

static void unauthorized_and_statuses(void) {
    h_section("401 after a fresh login; error statuses");
    char *user = h_unique("c-401");
    authtoken_client *c = client_for("cruxconnect", user, h_password(), NULL);
    authtoken_response *r = NULL;

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"/api/echo/\", \"kind\": \"status\", "
            "\"status\": 401, \"count\": 2}");
    CHECK_RC(authtoken_client_request(c, "GET", "/api/echo/", NULL, NULL, 0, &r),
             AUTHTOKEN_RESULT_UNAUTHORIZED, "a 401 that survives one re-login");
    CHECK(authtoken_last_error_status() == 401, "status 401");
    CHECK(h_stat("logins", "cruxconnect", user) == 2, "one login, then one re-login (got %ld)",
          h_stat("logins", "cruxconnect", user));

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"/api/echo/\", \"kind\": \"status\", "
            "\"status\": 401, \"count\": 1}");
    CHECK_RC(authtoken_client_request(c, "GET", "/api/echo/", NULL, NULL, 0, &r),
             AUTHTOKEN_RESULT_OK, "a single 401 is healed by a re-login");
    CHECK(authtoken_response_status(r) == 200, "status 200 after the re-login");
    CHECK(h_stat("logins", "cruxconnect", user) == 3, "one more login");
    authtoken_response_free(r);
    r = NULL;

    CHECK_RC(authtoken_client_request(c, "GET", "/api/nope/", NULL, NULL, 0, &r),
             AUTHTOKEN_RESULT_OK, "a 404 is a response, not a failure");
    CHECK(authtoken_response_status(r) == 404, "status 404");
    CHECK_RC(authtoken_response_error_for_status(r), AUTHTOKEN_RESULT_HTTP_STATUS,
             "error_for_status on 404");
    CHECK(authtoken_last_error_status() == 404, "last error status 404");
    authtoken_response_parts parts;
    CHECK_RC(authtoken_response_read(r, &parts), AUTHTOKEN_RESULT_OK, "response_read on 404");
    CHECK(parts.status == 404 && parts.status_result == AUTHTOKEN_RESULT_HTTP_STATUS,
          "parts: status 404 maps to HTTP_STATUS (got %u)", (unsigned)parts.status_result);
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_OK,
          "response_read succeeded, so the last error is clear");
    CHECK_RC(authtoken_response_error_for_status(r), AUTHTOKEN_RESULT_HTTP_STATUS,
             "error_for_status again, for the details");
    char *server = authtoken_last_error_server_message_dup();
    CHECK_STR(server, "Not found.", "server message");
    authtoken_string_free(server);
    authtoken_response_free(r);
    r = NULL;

    h_fault("{\"service\": \"cruxconnect\", \"path\": \"/api/echo/\", \"kind\": \"status\", "
            "\"status\": 502}");
    CHECK_RC(authtoken_client_request(c, "GET", "/api/echo/", NULL, NULL, 0, &r),
             AUTHTOKEN_RESULT_OK, "a 502 is a response");
    CHECK_RC(authtoken_response_error_for_status(r), AUTHTOKEN_RESULT_SERVER,
             "error_for_status on 502");
    authtoken_response_free(r);

    authtoken_client_free(c);
    free(user);
}

static void own_client_reports_a_401(void) {
    h_section("a 401 seen by the caller's own HTTP client: compare-and-invalidate");
    char *user = h_unique("c-invalidate");
    authtoken_client *c = client_for("cruxconnect", user, h_password(), NULL);
    char *old = NULL;
    CHECK_RC(authtoken_client_authorization_header(c, &old), AUTHTOKEN_RESULT_OK, "header");
    uint64_t old_serial = authtoken_client_token_serial(c);
    CHECK(old_serial != 0, "a fresh token has a serial");
    char body[256];
    snprintf(body, sizeof body, "{\"service\": \"cruxconnect\", \"username\": \"%s\"}", user);
    json_object_put(h_admin("POST", "/_emulator/revoke", body));
    bool forgotten = false;
    CHECK_RC(authtoken_client_invalidate(c, old, &forgotten), AUTHTOKEN_RESULT_OK, "invalidate(old)");
    CHECK(forgotten, "the refused token was the current one");
    CHECK(authtoken_client_token_serial(c) == 0, "no serial once the token is invalidated");
    char *fresh = NULL;
    CHECK_RC(authtoken_client_authorization_header(c, &fresh), AUTHTOKEN_RESULT_OK, "header again");
    uint64_t fresh_serial = authtoken_client_token_serial(c);
    CHECK(fresh_serial != 0 && fresh_serial != old_serial, "the new token has a new serial");
    CHECK(old && fresh && strcmp(old, fresh) != 0, "a new token");
    forgotten = true;
    CHECK_RC(authtoken_client_invalidate(c, old, &forgotten), AUTHTOKEN_RESULT_OK, "a late report");
    CHECK(!forgotten, "a late report keeps the new token");
    CHECK_RC(authtoken_client_invalidate(c, "", NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "invalidate(\"\")");
    CHECK_RC(authtoken_client_invalidate(c, NULL, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "invalidate(NULL)");
    CHECK_RC(authtoken_client_invalidate(NULL, fresh, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "invalidate(NULL client)");
    CHECK(h_stat("logins", "cruxconnect", user) == 2, "one login, one re-login");
    authtoken_string_free(old);
    authtoken_string_free(fresh);
    authtoken_client_free(c);
    free(user);
}

int main(void) {
    h_init();
    json_object_put(h_admin("DELETE", "/_emulator/faults", NULL));
    bad_credentials();
    remembered_refusal();
    token_limit();
    testpress_parallel_logins();
    unreachable();
    faults();
    unauthorized_and_statuses();
    own_client_reports_a_401();
    json_object_put(h_admin("DELETE", "/_emulator/faults", NULL));
    return h_finish("test_errors");
}
