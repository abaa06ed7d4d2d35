/*
 * authtoken from C: log in to TPStreams (once, whatever the number of threads or processes),
 * print the Authorization header, list assets, create one, and log out.
 *
 *   cc example.c $(pkg-config --cflags --libs authtoken) -o example
 *   AUTHTOKEN_PASSWORD=... ./example                     # https://app.tpstreams.com
 *   AUTHTOKEN_PASSWORD=demo-password ./example "$AUTHTOKEN_EMULATOR/tpstreams"   # the emulator
 */
#include <authtoken.h>
#include <stdio.h>
#include <string.h>

/* Prints the calling thread's last error and returns 1. */
static int fail(const char *what, authtoken_result rc) {
    char message[512];
    authtoken_last_error_message(message, sizeof message);
    fprintf(stderr, "%s failed: %s [%s, HTTP %u]\n", what, message, authtoken_error_kind_name(rc),
            (unsigned)authtoken_last_error_status());
    return 1;
}

int main(int argc, char **argv) {
    /* One JSON document configures every language. The password comes from the
     * AUTHTOKEN_PASSWORD environment variable when the document has none. */
    char config[1024];
    snprintf(config, sizeof config,
             "{\"provider\": \"tpstreams\", \"username\": \"hari@example.com\", "
             "\"organization_id\": \"auhf2k\"%s%s%s}",
             argc > 1 ? ", \"base_url\": \"" : "", argc > 1 ? argv[1] : "", argc > 1 ? "\"" : "");

    authtoken_client *client = NULL;
    authtoken_result rc = authtoken_client_new(config, &client);
    if (rc != AUTHTOKEN_RESULT_OK) return fail("authtoken_client_new", rc);

    /* Logs in on first use, then reuses the token (shared with other processes). */
    char *header = NULL;
    rc = authtoken_client_authorization_header(client, &header);
    if (rc != AUTHTOKEN_RESULT_OK) {
        authtoken_client_free(client);
        return fail("authtoken_client_authorization_header", rc);
    }
    printf("Authorization: %.12s...\n", header); /* it is a secret: print only its start */
    authtoken_string_free(header);

    /* A signed GET; a 401 makes the library log in again and resend, once. */
    authtoken_response *response = NULL;
    rc = authtoken_client_request(client, "GET", "/api/v1/auhf2k/assets/", NULL, NULL, 0,
                                  &response);
    if (rc != AUTHTOKEN_RESULT_OK) {
        authtoken_client_free(client);
        return fail("GET assets", rc);
    }
    const uint8_t *body = NULL;
    size_t len = 0;
    authtoken_response_body(response, &body, &len);
    printf("GET assets: HTTP %u, %zu bytes: %.60s\n", (unsigned)authtoken_response_status(response),
           len, (const char *)body); /* the body is always followed by a NUL */
    authtoken_response_free(response);

    /* A signed POST with a JSON body; error_for_status turns 4xx/5xx into an error. */
    const char *video = "{\"title\": \"Intro\", \"url\": \"https://example.com/intro.mp4\"}";
    rc = authtoken_client_request(client, "POST", "/api/v1/auhf2k/assets/videos/",
                                  "{\"Content-Type\": \"application/json\"}",
                                  (const uint8_t *)video, strlen(video), &response);
    if (rc == AUTHTOKEN_RESULT_OK) rc = authtoken_response_error_for_status(response);
    if (rc != AUTHTOKEN_RESULT_OK) {
        authtoken_response_free(response);
        authtoken_client_free(client);
        return fail("POST video", rc);
    }
    printf("POST video: HTTP %u\n", (unsigned)authtoken_response_status(response));
    authtoken_response_free(response);

    /* Revoke the token on the server and remove it from the shared cache. */
    rc = authtoken_client_logout(client);
    authtoken_client_free(client);
    if (rc != AUTHTOKEN_RESULT_OK) return fail("authtoken_client_logout", rc);
    printf("logged out\n");
    return 0;
}
