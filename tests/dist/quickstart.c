/*
 * The C install quickstart (README "Install"), as make test-dist runs it: compiled against the
 * unpacked SDK tarball with `cc quickstart.c $(pkg-config --cflags --libs authtoken)`. Checks
 * that the library it loaded has the ABI of the header it was compiled with, then prints the
 * scheme of the header, the status of a signed GET and the library's version. The emulator is
 * argv[1]; the password comes from AUTHTOKEN_PASSWORD; the token is shared through
 * AUTHTOKEN_CACHE_DIR with the other quickstarts (no logout here).
 */
#include <authtoken.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, authtoken_result rc) {
    char message[512];
    authtoken_last_error_message(message, sizeof message);
    fprintf(stderr, "%s failed: %s [%s]\n", what, message, authtoken_error_kind_name(rc));
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s EMULATOR_URL\n", argv[0]);
        return 2;
    }
    if (authtoken_abi_version() != AUTHTOKEN_ABI_VERSION) {
        fprintf(stderr, "libauthtoken has ABI %u, this program was built for %u\n",
                (unsigned)authtoken_abi_version(), (unsigned)AUTHTOKEN_ABI_VERSION);
        return 1;
    }
    char config[512];
    snprintf(config, sizeof config,
             "{\"provider\": \"tpstreams\", \"username\": \"hari@example.com\", "
             "\"organization_id\": \"auhf2k\", \"base_url\": \"%s/tpstreams\"}",
             argv[1]);
    authtoken_client *client = NULL;
    authtoken_result rc = authtoken_client_new(config, &client);
    if (rc != AUTHTOKEN_RESULT_OK) return fail("authtoken_client_new", rc);

    char *header = NULL;
    rc = authtoken_client_authorization_header(client, &header);
    if (rc != AUTHTOKEN_RESULT_OK) {
        authtoken_client_free(client);
        return fail("authtoken_client_authorization_header", rc);
    }
    char scheme[16] = "";
    sscanf(header, "%15s", scheme);
    authtoken_string_free(header);

    authtoken_response *response = NULL;
    rc = authtoken_client_request(client, "GET", "/api/v1/auhf2k/assets/", NULL, NULL, 0,
                                  &response);
    if (rc != AUTHTOKEN_RESULT_OK) {
        authtoken_client_free(client);
        return fail("GET assets", rc);
    }
    printf("c: scheme %s, GET assets %u, authtoken %s\n", scheme,
           (unsigned)authtoken_response_status(response), authtoken_version());
    authtoken_response_free(response);
    authtoken_client_free(client);
    return 0;
}
