/*
 * The secrets audit's C scenario (run by scripts/secrets-audit.sh, which scans everything
 * this program prints): every error a C caller can read -- messages, server messages, error
 * codes, kind names -- for logins, signed requests, re-logins, logouts and failures, printed
 * in full. The tokens it obtains go to $AUDIT_TOKENS (one per line) and nowhere else, so the
 * audit knows what must not appear. The password is $AUDIT_PASSWORD; the emulator was started
 * with it. Tokens are kept in the file cache ($AUTHTOKEN_CACHE_DIR).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *password;
static FILE *tokens;

/* Prints everything the calling thread's last error holds. */
static void show_error(const char *what, authtoken_result rc) {
    char *message = authtoken_last_error_message_dup();
    char *server = authtoken_last_error_server_message_dup();
    char *code = authtoken_last_error_error_code_dup();
    printf("show: %s -> %u %s: %s | server: %s | code: %s | status %u | retry_after_ms %lld\n", what,
           (unsigned)rc, authtoken_error_kind_name(rc), message ? message : "(null)",
           server ? server : "(null)", code ? code : "(null)",
           (unsigned)authtoken_last_error_status(), (long long)authtoken_last_error_retry_after_ms());
    authtoken_string_free(message);
    authtoken_string_free(server);
    authtoken_string_free(code);
}

static authtoken_client *client_for(const char *provider, const char *user, const char *pw,
                                    const char *extra) {
    char *config = NULL;
    int n = asprintf(&config,
                     "{\"provider\": \"%s\", \"username\": \"%s\", \"password\": \"%s\", "
                     "\"base_url\": \"%s/%s\"%s%s%s}",
                     provider, user, pw, h_emulator(), h_prefix(provider),
                     strcmp(provider, "tpstreams") == 0 ? ", \"organization_id\": \"audit-c\"" : "",
                     extra ? ", " : "", extra ? extra : "");
    if (n < 0) {
        exit(2);
    }
    authtoken_client *client = NULL;
    authtoken_result rc = authtoken_client_new(config, &client);
    free(config);
    if (rc != AUTHTOKEN_RESULT_OK) {
        show_error("client_new", rc);
        return NULL;
    }
    return client;
}

static void record_token(authtoken_client *client) {
    char *token = NULL;
    authtoken_result rc = authtoken_client_token(client, &token);
    CHECK_RC(rc, AUTHTOKEN_RESULT_OK, "token");
    if (rc == AUTHTOKEN_RESULT_OK) {
        fprintf(tokens, "%s\n", token);
        fflush(tokens);
        authtoken_string_free(token);
    }
}

/* A signed GET of the echo endpoint; prints the status and the response's own headers (the
 * body echoes the request, Authorization included, by design of the endpoint: not shown). */
static authtoken_result echo(authtoken_client *client, const char *what) {
    authtoken_response *response = NULL;
    authtoken_result rc =
        authtoken_client_request(client, "GET", "/api/echo/", NULL, NULL, 0, &response);
    if (rc != AUTHTOKEN_RESULT_OK) {
        show_error(what, rc);
        return rc;
    }
    const char *headers = NULL;
    authtoken_response_headers_json(response, &headers);
    printf("show: %s -> HTTP %u, headers %s\n", what, (unsigned)authtoken_response_status(response),
           headers ? headers : "(null)");
    authtoken_response_free(response);
    return rc;
}

static void fault(const char *service, const char *path, const char *rest) {
    char *json = NULL;
    if (asprintf(&json, "{\"service\": \"%s\", \"path\": \"%s\", %s}", service, path, rest) < 0) {
        exit(2);
    }
    h_fault(json);
    free(json);
}

int main(void) {
    h_init();
    password = getenv("AUDIT_PASSWORD");
    const char *tokens_path = getenv("AUDIT_TOKENS");
    if (!password || !tokens_path || !(tokens = fopen(tokens_path, "a"))) {
        fprintf(stderr, "audit: AUDIT_PASSWORD and AUDIT_TOKENS must be set\n");
        return 2;
    }
    const char *providers[] = {"tpstreams", "tpstreams-legacy", "testpress", "cruxconnect"};
    for (size_t i = 0; i < sizeof providers / sizeof *providers; i++) {
        const char *p = providers[i];
        h_section(p);
        authtoken_client *c = client_for(p, "audit-c", password, NULL);
        CHECK(c != NULL, "%s: client", p);
        if (!c) {
            continue;
        }
        record_token(c);
        char *header = NULL;
        CHECK_RC(authtoken_client_authorization_header(c, &header), AUTHTOKEN_RESULT_OK, "header");
        authtoken_string_free(header);
        CHECK_RC(echo(c, "signed GET"), AUTHTOKEN_RESULT_OK, "signed GET");

        char *revoke = NULL;
        if (asprintf(&revoke, "{\"service\": \"%s\", \"username\": \"audit-c\"}", h_prefix(p)) < 0) {
            return 2;
        }
        json_object_put(h_admin("POST", "revoke", revoke));
        free(revoke);
        CHECK_RC(echo(c, "signed GET after a revocation"), AUTHTOKEN_RESULT_OK, "re-login on 401");
        record_token(c);

        fault(h_prefix(p), "/api/echo/", "\"kind\": \"status\", \"status\": 401, \"count\": 2");
        CHECK_RC(echo(c, "signed GET refused twice"), AUTHTOKEN_RESULT_UNAUTHORIZED, "persistent 401");
        record_token(c);

        authtoken_response *response = NULL;
        authtoken_result rc = authtoken_client_request(c, "GET", "/api/echo/",
                                                       "{\"X-Bad\": \"a\\nb\"}", NULL, 0, &response);
        show_error("a header with a newline", rc);
        rc = authtoken_client_request(c, "GET", "https://elsewhere.example/", NULL, NULL, 0, &response);
        show_error("another origin", rc);

        if (strcmp(p, "tpstreams") == 0 || strcmp(p, "testpress") == 0) {
            fault(h_prefix(p), "logout", "\"kind\": \"status\", \"status\": 500");
            rc = authtoken_client_logout(c);
            show_error("logout answered 500", rc);
        }
        CHECK_RC(authtoken_client_logout(c), AUTHTOKEN_RESULT_OK, "logout");
        authtoken_client_free(c);
    }

    h_section("failures at login");
    char *wrong = NULL;
    if (asprintf(&wrong, "%s-wrong", password) < 0) {
        return 2;
    }
    authtoken_client *c = client_for("cruxconnect", "audit-c-wrong", wrong, NULL);
    char *token = NULL;
    CHECK_RC(authtoken_client_token(c, &token), AUTHTOKEN_RESULT_INVALID_CREDENTIALS, "wrong password");
    show_error("wrong password", AUTHTOKEN_RESULT_INVALID_CREDENTIALS);
    authtoken_client_free(c);
    free(wrong);
    const char *faults[] = {"\"kind\": \"malformed\"", "\"kind\": \"oversized\", \"bytes\": 2097152",
                            "\"kind\": \"drop\"", "\"kind\": \"status\", \"status\": 503, \"retry_after\": 1",
                            "\"kind\": \"delay\", \"delay_ms\": 1500"};
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++) {
        fault("cruxconnect", "login", faults[i]);
        c = client_for("cruxconnect", "audit-c-fault", password, "\"timeout_ms\": 300");
        authtoken_result rc = authtoken_client_token(c, &token);
        CHECK(rc != AUTHTOKEN_RESULT_OK, "login with fault %s fails", faults[i]);
        show_error(faults[i], rc);
        authtoken_client_free(c);
    }

    h_section("configuration errors");
    char *bad = NULL;
    if (asprintf(&bad, "{\"provider\": \"cruxconnect\", \"username\": \"u\", \"pasword\": \"%s\"}",
                 password) < 0) {
        return 2;
    }
    authtoken_client *none = NULL;
    CHECK_RC(authtoken_client_new(bad, &none), AUTHTOKEN_RESULT_INVALID_CONFIG, "misspelt password key");
    show_error("misspelt password key", AUTHTOKEN_RESULT_INVALID_CONFIG);
    free(bad);
    if (asprintf(&bad, "{\"provider\": \"cruxconnect\", \"username\": \"u\", \"password\": \"%s\", "
                       "\"base_url\": \"http://u:%s@127.0.0.1:1/\"}", password, password) < 0) {
        return 2;
    }
    CHECK_RC(authtoken_client_new(bad, &none), AUTHTOKEN_RESULT_INVALID_CONFIG, "credentials in base_url");
    show_error("credentials in base_url", AUTHTOKEN_RESULT_INVALID_CONFIG);
    free(bad);
    char *redis = NULL;
    if (asprintf(&redis, "\"cache\": \"redis://:%s@127.0.0.1:1/0\", \"connect_timeout_ms\": 300", password) < 0) {
        return 2;
    }
    c = client_for("cruxconnect", "audit-c-redis", password, redis);
    free(redis);
    if (c) {
        authtoken_result rc = authtoken_client_token(c, &token);
        CHECK(rc == AUTHTOKEN_RESULT_STORE, "an unreachable Redis is a store error");
        show_error("unreachable Redis with a password", rc);
        authtoken_client_free(c);
    }
    fclose(tokens);
    int status = h_finish("audit");
    if (status == 0) {
        puts("audit: done");
    }
    return status;
}
