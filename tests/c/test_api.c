/*
 * The boundary itself: result codes and names, the last error, NULL / invalid UTF-8 /
 * malformed JSON / bad lengths, _free(NULL), and a panic inside the library. No login happens
 * here (the only client points at a closed port and is never asked for a token).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Test-only exports of debug builds (src/ffi/testing.rs), not in the public header. */
extern authtoken_result authtoken_testing_panic(void);
extern int64_t authtoken_testing_panic_value(void);

#ifndef EXPECTED_VERSION
#error "compile with -DEXPECTED_VERSION=\"x.y.z\""
#endif

static const char *CLOSED = "{\"provider\": \"tpstreams-legacy\", \"username\": \"api-user\", "
                            "\"password\": \"hunter2-not-shown\", \"base_url\": "
                            "\"http://127.0.0.1:9/tpstreams-legacy/\", \"cache\": \"memory\"}";

static void version_and_names(void) {
    h_section("version, no-op, result codes and kind names");
    CHECK_STR(authtoken_version(), EXPECTED_VERSION, "authtoken_version()");
    CHECK_RC(authtoken_noop(), AUTHTOKEN_RESULT_OK, "authtoken_noop()");

    static const char *names[] = {
        "ok",        "invalid_config", "invalid_credentials", "token_limit", "unauthorized",
        "forbidden", "rate_limited",   "network",             "timeout",     "tls",
        "server",    "protocol",       "store",               "lock_timeout",
        "invalid_argument", "http_status", "internal"};
    for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "authtoken_error_kind_name(%u)", (unsigned)i);
        CHECK_STR(authtoken_error_kind_name(i), names[i], what);
    }
    CHECK(authtoken_error_kind_name(17) == NULL, "authtoken_error_kind_name(17) is NULL");
    CHECK(AUTHTOKEN_RESULT_INVALID_CONFIG == 1 && AUTHTOKEN_RESULT_TOKEN_LIMIT == 3 &&
              AUTHTOKEN_RESULT_INVALID_ARGUMENT == 14 && AUTHTOKEN_RESULT_PANIC == 16,
          "result values are the core's ErrorKind codes (1, 3, 14, 16)");
    CHECK(sizeof(authtoken_result) == sizeof(uint32_t), "authtoken_result is 32 bits wide");

    char *keys = NULL;
    CHECK_RC(authtoken_config_keys(&keys), AUTHTOKEN_RESULT_OK, "authtoken_config_keys()");
    CHECK_CONTAINS(keys, "\"organization_id\"", "config keys JSON");
    CHECK_CONTAINS(keys, "\"cache_dir\"", "config keys JSON");
    authtoken_string_free(keys);
    CHECK_RC(authtoken_config_keys(NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "authtoken_config_keys(NULL)");
}

static void client_new_errors(void) {
    h_section("authtoken_client_new: NULL, invalid UTF-8, malformed JSON, invalid config");
    authtoken_client *const sentinel = (authtoken_client *)(uintptr_t)0x1;
    authtoken_client *client = sentinel;

    CHECK_RC(authtoken_client_new(NULL, &client), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "client_new(NULL config)");
    CHECK_STR(h_last_message(), "argument `config_json` is NULL", "message");
    CHECK(client == sentinel, "client_out untouched on failure");

    CHECK_RC(authtoken_client_new(CLOSED, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "client_new(NULL client_out)");
    CHECK_STR(h_last_message(), "argument `client_out` is NULL", "message");

    CHECK_RC(authtoken_client_new("{\"provider\": \"tpstreams\xff\"}", &client),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "client_new(invalid UTF-8)");
    CHECK_CONTAINS(h_last_message(), "`config_json` is not valid UTF-8", "message");

    CHECK_RC(authtoken_client_new("{\"provider\": \"tpstreams\", \"password\": \"s3cret-pw\"",
                                  &client),
             AUTHTOKEN_RESULT_INVALID_CONFIG, "client_new(truncated JSON)");
    CHECK_CONTAINS(h_last_message(), "config is not valid JSON", "message");
    CHECK(strstr(h_last_message(), "s3cret-pw") == NULL, "the message does not echo the password");
    CHECK(authtoken_last_error_status() == 0, "no HTTP status for a config error");

    CHECK_RC(authtoken_client_new("[1, 2]", &client), AUTHTOKEN_RESULT_INVALID_CONFIG,
             "client_new(JSON array)");
    CHECK_RC(authtoken_client_new("{\"provider\": \"tpstreams\", \"username\": \"u\", "
                                  "\"password\": \"s3cret-pw\", \"organization_id\": \"o\", "
                                  "\"colour\": \"blue\"}",
                                  &client),
             AUTHTOKEN_RESULT_INVALID_CONFIG, "client_new(unknown key)");
    CHECK_CONTAINS(h_last_message(), "colour", "message names the key");
    CHECK(strstr(h_last_message(), "s3cret-pw") == NULL, "the message does not echo the password");
    CHECK_RC(authtoken_client_new("{\"provider\": \"myspace\", \"username\": \"u\", "
                                  "\"password\": \"p\"}",
                                  &client),
             AUTHTOKEN_RESULT_INVALID_CONFIG, "client_new(unknown provider)");
    CHECK(client == sentinel, "client_out still untouched");
}

static void last_error_accessors(void) {
    h_section("the last error: code, kind, message copies, clearing");
    authtoken_client *client = NULL;
    CHECK_RC(authtoken_client_new("{", &client), AUTHTOKEN_RESULT_INVALID_CONFIG,
             "client_new(\"{\")");
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_INVALID_CONFIG,
          "authtoken_last_error_code() is INVALID_CONFIG");
    CHECK_STR(authtoken_last_error_kind(), "invalid_config", "authtoken_last_error_kind()");

    size_t full = authtoken_last_error_message(NULL, 0);
    CHECK(full > 10, "message length query with NULL buffer: %zu", full);
    char small[8];
    memset(small, 'x', sizeof small);
    size_t n = authtoken_last_error_message(small, sizeof small);
    CHECK(n == full, "truncated copy returns the full length (%zu)", n);
    CHECK(strlen(small) == 7 && strncmp(small, "config ", 7) == 0,
          "truncated copy is 7 bytes and NUL-terminated: \"%s\"", small);
    char one[1] = {'x'};
    authtoken_last_error_message(one, 1);
    CHECK(one[0] == 0, "a 1-byte buffer receives the empty string");

    char *dup = authtoken_last_error_message_dup();
    CHECK(dup && strlen(dup) == full, "authtoken_last_error_message_dup() is the whole message");
    authtoken_string_free(dup);
    CHECK(authtoken_last_error_server_message_dup() == NULL, "no server message for a config error");
    CHECK(authtoken_last_error_error_code_dup() == NULL, "no error_code for a config error");
    CHECK(authtoken_last_error_retry_after_ms() == -1, "no Retry-After for a config error");
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_INVALID_CONFIG,
          "reading the last error did not clear it");

    /* The _free functions and the pure functions leave it alone. */
    authtoken_client_free(NULL);
    authtoken_response_free(NULL);
    authtoken_string_free(NULL);
    (void)authtoken_version();
    (void)authtoken_error_kind_name(3);
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_INVALID_CONFIG,
          "_free(NULL), version and kind_name leave the last error alone");

    /* The next call clears it. */
    CHECK_RC(authtoken_noop(), AUTHTOKEN_RESULT_OK, "authtoken_noop()");
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_OK, "a successful call clears the last error");
    CHECK_STR(authtoken_last_error_kind(), "ok", "authtoken_last_error_kind() after success");
    char buf[16] = "junk";
    CHECK(authtoken_last_error_message(buf, sizeof buf) == 0 && buf[0] == 0,
          "no message after success");
    CHECK(authtoken_last_error_message_dup() == NULL, "authtoken_last_error_message_dup() is NULL");
}

static void client_argument_errors(void) {
    h_section("client functions: NULL handles and outputs, bad method, body and headers");
    authtoken_client *client = NULL;
    CHECK_RC(authtoken_client_new(CLOSED, &client), AUTHTOKEN_RESULT_OK, "client_new(valid config)");
    CHECK(client != NULL, "client handle written");
    if (!client) return;

    char *s = (char *)(uintptr_t)0x1;
    CHECK_RC(authtoken_client_token(NULL, &s), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "token(NULL client)");
    CHECK_STR(h_last_message(), "argument `client` is NULL", "message");
    CHECK_RC(authtoken_client_token(client, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "token(NULL out)");
    CHECK_STR(h_last_message(), "argument `token_out` is NULL", "message");
    CHECK_RC(authtoken_client_authorization_header(NULL, &s), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "authorization_header(NULL client)");
    CHECK_RC(authtoken_client_authorization_header(client, NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "authorization_header(NULL out)");
    {
        char buf[8];
        size_t len = 7;
        CHECK_RC(authtoken_client_authorization_header_into(NULL, buf, sizeof buf, &len),
                 AUTHTOKEN_RESULT_INVALID_ARGUMENT, "header_into(NULL client)");
        CHECK_RC(authtoken_client_authorization_header_into(client, buf, sizeof buf, NULL),
                 AUTHTOKEN_RESULT_INVALID_ARGUMENT, "header_into(NULL len_out)");
        CHECK_STR(h_last_message(), "argument `len_out` is NULL", "message");
        CHECK_RC(authtoken_client_authorization_header_into(client, NULL, 16, &len),
                 AUTHTOKEN_RESULT_INVALID_ARGUMENT, "header_into(NULL buf, 16)");
        CHECK_STR(h_last_message(), "argument `buf` is NULL but `buf_len` is 16", "message");
        CHECK(len == 7, "len_out untouched when the arguments are refused");
    }
    CHECK_RC(authtoken_client_logout(NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "logout(NULL)");
    CHECK_RC(authtoken_client_forget(NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "forget(NULL)");
    CHECK_RC(authtoken_client_base_url(NULL, &s), AUTHTOKEN_RESULT_INVALID_ARGUMENT, "base_url(NULL)");
    CHECK(s == (char *)(uintptr_t)0x1, "outputs untouched on failure");

    char *base = NULL;
    CHECK_RC(authtoken_client_base_url(client, &base), AUTHTOKEN_RESULT_OK, "base_url()");
    CHECK_STR(base, "http://127.0.0.1:9/tpstreams-legacy", "base URL (no trailing slash)");
    authtoken_string_free(base);

    authtoken_response *resp = NULL;
    static const uint8_t body[] = "{}";
    CHECK_RC(authtoken_client_request(NULL, "GET", "/", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(NULL client)");
    CHECK_RC(authtoken_client_request(client, NULL, "/", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(NULL method)");
    CHECK_STR(h_last_message(), "argument `method` is NULL", "message");
    CHECK_RC(authtoken_client_request(client, "GET", NULL, NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(NULL path)");
    CHECK_RC(authtoken_client_request(client, "GET", "/", NULL, NULL, 0, NULL),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(NULL response_out)");
    CHECK_RC(authtoken_client_request(client, "G\xc3\x28T", "/", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(method not UTF-8)");
    CHECK_CONTAINS(h_last_message(), "`method` is not valid UTF-8", "message");
    CHECK_RC(authtoken_client_request(client, "GET", "/caf\xe9", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(path not UTF-8)");
    CHECK_RC(authtoken_client_request(client, "FETCH", "/", NULL, NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(unknown method FETCH)");
    CHECK_CONTAINS(h_last_message(), "unknown HTTP method `FETCH`", "message");
    CHECK_RC(authtoken_client_request(client, "POST", "/", NULL, NULL, 5, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(NULL body, body_len 5)");
    CHECK_STR(h_last_message(), "argument `body` is NULL but `body_len` is 5", "message");
    CHECK_RC(authtoken_client_request(client, "POST", "/", NULL, body, SIZE_MAX, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(body_len SIZE_MAX)");
    CHECK_RC(authtoken_client_request(client, "GET", "/", "{\"Accept\": ", NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(malformed headers JSON)");
    CHECK_CONTAINS(h_last_message(), "argument `headers_json`: not valid JSON", "message");
    CHECK_RC(authtoken_client_request(client, "GET", "/", "[[\"X-A\", 1]]", NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(headers pair with a number)");
    CHECK_RC(authtoken_client_request(client, "GET", "/", "{\"Bad Name\": \"v\"}", NULL, 0, &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(invalid header name)");
    CHECK_RC(authtoken_client_request(client, "GET", "https://evil.example/steal", NULL, NULL, 0,
                                      &resp),
             AUTHTOKEN_RESULT_INVALID_ARGUMENT, "request(URL of another origin)");
    CHECK_CONTAINS(h_last_message(), "refusing to send the Authorization header", "message");
    CHECK(resp == NULL, "response_out untouched by every failure");

    authtoken_client_free(client);
}

static void response_argument_errors(void) {
    h_section("response functions: NULL handles and outputs");
    const char *p = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK(authtoken_response_status(NULL) == 0, "response_status(NULL) is 0");
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_INVALID_ARGUMENT,
          "response_status(NULL) sets INVALID_ARGUMENT");
    CHECK_RC(authtoken_response_header(NULL, "x", &p), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_header(NULL)");
    CHECK_RC(authtoken_response_headers_json(NULL, &p), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_headers_json(NULL)");
    CHECK_RC(authtoken_response_body(NULL, &data, &len), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_body(NULL)");
    CHECK_RC(authtoken_response_url(NULL, &p), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_url(NULL)");
    CHECK_RC(authtoken_response_error_for_status(NULL), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_error_for_status(NULL)");
    authtoken_response_parts parts;
    CHECK_RC(authtoken_response_read(NULL, &parts), AUTHTOKEN_RESULT_INVALID_ARGUMENT,
             "response_read(NULL)");
    CHECK_CONTAINS(h_last_message(), "response", "the message names the argument");
}

static void panics(void) {
    h_section("a panic inside the library becomes AUTHTOKEN_RESULT_PANIC");
    CHECK_RC(authtoken_testing_panic(), AUTHTOKEN_RESULT_PANIC, "authtoken_testing_panic()");
    CHECK_STR(authtoken_last_error_kind(), "internal", "kind of a caught panic");
    CHECK_CONTAINS(h_last_message(), "authtoken_testing_panic was called", "message");
    CHECK(authtoken_testing_panic_value() == -1, "a panic in a value-returning function gives its fallback");
    CHECK(authtoken_last_error_code() == AUTHTOKEN_RESULT_PANIC, "and sets the last error to PANIC");
    authtoken_client *client = NULL;
    CHECK_RC(authtoken_client_new(CLOSED, &client), AUTHTOKEN_RESULT_OK,
             "the library still works after a panic");
    authtoken_client_free(client);
}

int main(void) {
    h_init();
    version_and_names();
    client_new_errors();
    last_error_accessors();
    client_argument_errors();
    response_argument_errors();
    panics();
    return h_finish("test_api");
}
