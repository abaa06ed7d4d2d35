/*
 * The cost of a warm header call through the C ABI, next to the floor: a no-op exported
 * function that does only what every call does (clear the last error, the panic guard).
 * Prints figures; asserts nothing about time.
 *
 * Usage: bench BASE_URL [ITERATIONS]   (BASE_URL: the emulator's /tpstreams prefix)
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authtoken.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Best of `rounds` rounds of `n` calls, in ns per call. */
#define MEASURE(result, rounds, n, body)                                   \
    do {                                                                   \
        double best = 1e30;                                                \
        for (int r_ = 0; r_ < (rounds); r_++) {                            \
            double t0_ = now_ns();                                         \
            for (long i_ = 0; i_ < (n); i_++) {                            \
                body;                                                      \
            }                                                              \
            double per_ = (now_ns() - t0_) / (double)(n);                  \
            if (per_ < best) best = per_;                                  \
        }                                                                  \
        (result) = best;                                                   \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s BASE_URL [ITERATIONS]\n", argv[0]);
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 200000;
    char config[512];
    snprintf(config, sizeof config,
             "{\"provider\": \"tpstreams\", \"username\": \"bench-%ld@example.com\", "
             "\"password\": \"demo-password\", \"organization_id\": \"bench-%ld\", "
             "\"base_url\": \"%s\", \"cache\": \"memory\"}",
             (long)getpid(), (long)getpid(), argv[1]);
    authtoken_client *client = NULL;
    if (authtoken_client_new(config, &client) != AUTHTOKEN_RESULT_OK) {
        char m[512];
        authtoken_last_error_message(m, sizeof m);
        fprintf(stderr, "client_new: %s\n", m);
        return 1;
    }
    char *header = NULL;
    if (authtoken_client_authorization_header(client, &header) != AUTHTOKEN_RESULT_OK) {
        char m[512];
        authtoken_last_error_message(m, sizeof m);
        fprintf(stderr, "first login: %s\n", m);
        return 1;
    }
    authtoken_string_free(header);

    volatile uint32_t sink = 0;
    double noop_ns, header_ns, header_into_ns, token_ns, kind_ns, serial_ns;
    MEASURE(noop_ns, 5, n, sink += authtoken_noop());
    MEASURE(kind_ns, 5, n, sink += (uint32_t)(uintptr_t)authtoken_error_kind_name(3));
    MEASURE(header_ns, 5, n, {
        char *h = NULL;
        sink += authtoken_client_authorization_header(client, &h);
        authtoken_string_free(h);
    });
    MEASURE(header_into_ns, 5, n, {
        char buf[512];
        size_t len = 0;
        sink += authtoken_client_authorization_header_into(client, buf, sizeof buf, &len);
        sink += (uint32_t)len;
    });
    MEASURE(serial_ns, 5, n, sink += (uint32_t)authtoken_client_token_serial(client));
    MEASURE(token_ns, 5, n, {
        char *t = NULL;
        sink += authtoken_client_token(client, &t);
        authtoken_string_free(t);
    });
    (void)sink;

    printf("authtoken C ABI benchmark (%s, %ld calls per round, best of 5 rounds)\n",
           authtoken_version(), n);
    printf("  %-52s %9.1f ns/call   1.00x (floor)\n", "authtoken_noop()", noop_ns);
    printf("  %-52s %9.1f ns/call  %5.2fx\n", "authtoken_error_kind_name() (pure: no last error)", kind_ns,
           kind_ns / noop_ns);
    printf("  %-52s %9.1f ns/call  %5.2fx\n", "authtoken_client_authorization_header() + free (warm)",
           header_ns, header_ns / noop_ns);
    printf("  %-52s %9.1f ns/call  %5.2fx\n", "authtoken_client_authorization_header_into() (warm)",
           header_into_ns, header_into_ns / noop_ns);
    printf("  %-52s %9.1f ns/call  %5.2fx\n", "authtoken_client_token_serial() (warm)",
           serial_ns, serial_ns / noop_ns);
    printf("  %-52s %9.1f ns/call  %5.2fx\n", "authtoken_client_token() + free (warm)", token_ns,
           token_ns / noop_ns);

    authtoken_client_logout(client);
    authtoken_client_free(client);
    return 0;
}
