/*
 * The leak check's C program, run by scripts/leak-check.sh: resident memory (VmRSS) after a
 * warm-up, after 100,000 warm authtoken_client_authorization_header() calls (each string freed
 * with authtoken_string_free), and after 10,000 signed GETs (each response freed) against the
 * emulator at $AUTHTOKEN_EMULATOR. Prints one RESULT line for the driver. (The C suite's
 * exact accounting of every allocation is valgrind's, in make test-c.)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authtoken.h"

enum { HEADERS = 100000, REQUESTS = 10000 };

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, authtoken_result rc) {
    char *message = authtoken_last_error_message_dup();
    fprintf(stderr, "leaks: %s failed (%u): %s\n", what, (unsigned)rc, message ? message : "");
    authtoken_string_free(message);
    exit(1);
}

static void headers(const authtoken_client *c, int n) {
    for (int i = 0; i < n; i++) {
        char *header = NULL;
        authtoken_result rc = authtoken_client_authorization_header(c, &header);
        if (rc != AUTHTOKEN_RESULT_OK || strncmp(header, "Token ", 6) != 0) {
            die("authorization_header", rc);
        }
#ifndef LEAK_SELF_TEST /* the leak check's self-test: this build must fail the bounds */
        authtoken_string_free(header);
#endif
    }
}

static void requests(const authtoken_client *c, int n) {
    for (int i = 0; i < n; i++) {
        authtoken_response *r = NULL;
        authtoken_result rc = authtoken_client_request(c, "GET", "/api/echo/", NULL, NULL, 0, &r);
        if (rc != AUTHTOKEN_RESULT_OK || authtoken_response_status(r) != 200) {
            die("request", rc);
        }
        const uint8_t *body = NULL;
        size_t len = 0;
        authtoken_response_body(r, &body, &len);
        if (len == 0) {
            die("body", rc);
        }
#ifndef LEAK_SELF_TEST
        authtoken_response_free(r);
#endif
    }
}

int main(void) {
    const char *root = getenv("AUTHTOKEN_EMULATOR");
    char *config = NULL;
    if (!root || asprintf(&config,
                          "{\"provider\": \"tpstreams\", \"username\": \"leak-c\", "
                          "\"password\": \"demo-password\", \"organization_id\": \"leak-c\", "
                          "\"base_url\": \"%s/tpstreams\"}",
                          root) < 0) {
        fprintf(stderr, "leaks: AUTHTOKEN_EMULATOR must be set\n");
        return 2;
    }
    authtoken_client *c = NULL;
    authtoken_result rc = authtoken_client_new(config, &c);
    free(config);
    if (rc != AUTHTOKEN_RESULT_OK) {
        die("client_new", rc);
    }
    headers(c, 10000);
    requests(c, 1000);
    long warm = rss_kib();
    double t = now();
    headers(c, HEADERS);
    long after_headers = rss_kib();
    double header_s = now() - t;
    t = now();
    requests(c, REQUESTS);
    long after_requests = rss_kib();
    double request_s = now() - t;
    authtoken_client_free(c);
    printf("RESULT c %ld %ld %ld %.2f %.2f\n", warm, after_headers, after_requests, header_s, request_s);
    return 0;
}
