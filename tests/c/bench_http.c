/*
 * The C rows of `make bench-http` (scripts/bench-http.sh): signed keep-alive GETs of a small
 * JSON answered by a local nginx, on one connection, the body read. Prints figures; asserts
 * nothing about time.
 *
 * Environment (the script sets it): BENCH_HTTP_BASE (the client's base_url, nginx's
 * /tpstreams prefix, whose logins nginx passes on to the emulator), BENCH_HTTP_PATH
 * (/api/bench/), BENCH_HTTP_S (seconds per row), BENCH_HTTP_ROUNDS (interleaved rounds the
 * seconds are split into, 3), BENCH_HTTP_PASSWORD, BENCH_HTTP_CLIENTS (extra clients of the
 * memory figure, 100 by default).
 *
 * Usage: bench_http rate   prints  row<TAB>c<TAB>native|binding<TAB>label<TAB>req/s
 *        bench_http mem    prints  mem<TAB>c<TAB>label<TAB>value
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authtoken.h"

static const char *env_or(const char *name, const char *fallback) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        if (fallback != NULL) return fallback;
        fprintf(stderr, "set %s (make bench-http runs this benchmark)\n", name);
        exit(2);
    }
    return v;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_authtoken(const char *what, authtoken_result rc) {
    char message[512];
    authtoken_last_error_message(message, sizeof message);
    fprintf(stderr, "%s failed: %s [%s]\n", what, message, authtoken_error_kind_name(rc));
    exit(1);
}

/* A client on its own identity (its own token, its own connection pool), in memory only. */
static authtoken_client *new_client(const char *tag) {
    char config[2048];
    int n = snprintf(config, sizeof config,
                     "{\"provider\": \"tpstreams\", \"username\": \"bench-http-c-%s-%ld@example.com\", "
                     "\"password\": \"%s\", \"organization_id\": \"bench-http-c-%s-%ld\", "
                     "\"base_url\": \"%s\", \"cache\": \"memory\"}",
                     tag, (long)getpid(), env_or("BENCH_HTTP_PASSWORD", NULL), tag, (long)getpid(),
                     env_or("BENCH_HTTP_BASE", NULL));
    if (n < 0 || (size_t)n >= sizeof config) {
        fprintf(stderr, "config too long\n");
        exit(1);
    }
    authtoken_client *client = NULL;
    authtoken_result rc = authtoken_client_new(config, &client);
    if (rc != AUTHTOKEN_RESULT_OK) die_authtoken("authtoken_client_new", rc);
    return client;
}

/* One signed GET through the C ABI, the body read. */
static void signed_get(const authtoken_client *client, const char *path) {
    authtoken_response *response = NULL;
    authtoken_result rc = authtoken_client_request(client, "GET", path, NULL, NULL, 0, &response);
    if (rc != AUTHTOKEN_RESULT_OK) die_authtoken("authtoken_client_request", rc);
    if (authtoken_response_status(response) != 200) {
        fprintf(stderr, "GET %s: HTTP %u\n", path, (unsigned)authtoken_response_status(response));
        exit(1);
    }
    const uint8_t *body = NULL;
    size_t len = 0;
    rc = authtoken_response_body(response, &body, &len);
    if (rc != AUTHTOKEN_RESULT_OK || body == NULL || len == 0) die_authtoken("authtoken_response_body", rc);
    authtoken_response_free(response);
}

/* libcurl's write callback: counts the bytes (the body is read, not kept). */
static size_t count_body(char *data, size_t size, size_t nmemb, void *userdata) {
    (void)data;
    *(size_t *)userdata += size * nmemb;
    return size * nmemb;
}

typedef void (*request_fn)(void *state);

/* Requests per second of fn over about `seconds`, after a 0.2 s warm-up. */
static double rate(double seconds, request_fn fn, void *state) {
    double warm = now_s();
    while (now_s() - warm < 0.2) fn(state);
    double start = now_s();
    long count = 0;
    for (;;) {
        for (int i = 0; i < 64; i++) fn(state);
        count += 64;
        double elapsed = now_s() - start;
        if (elapsed >= seconds) return (double)count / elapsed;
    }
}

struct curl_state {
    CURL *curl;
    size_t received;
};

static void curl_get(void *p) {
    struct curl_state *s = p;
    s->received = 0;
    CURLcode rc = curl_easy_perform(s->curl);
    long status = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status != 200 || s->received == 0) {
        fprintf(stderr, "curl: %s, HTTP %ld\n", curl_easy_strerror(rc), status);
        exit(1);
    }
}

struct authtoken_state {
    const authtoken_client *client;
    const char *path;
};

static void authtoken_get(void *p) {
    const struct authtoken_state *s = p;
    signed_get(s->client, s->path);
}

/* The rows, measured in turns: `rounds` rounds of `seconds / rounds` each, the rows
 * interleaved, each row's best round kept (a burst of load from elsewhere on the machine then
 * does not favour one row). */
struct row {
    const char *role, *label;
    request_fn fn;
    void *state;
    double best;
};

static void interleaved(double seconds, int rounds, struct row *rows, int n) {
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            double v = rate(seconds / rounds, rows[i].fn, rows[i].state);
            if (v > rows[i].best) rows[i].best = v;
        }
    }
    for (int i = 0; i < n; i++) printf("row\tc\t%s\t%s\t%.1f\n", rows[i].role, rows[i].label, rows[i].best);
}

static void rates(double seconds, int rounds, const char *base, const char *path) {
    authtoken_client *client = new_client("rate");
    char *header = NULL;
    authtoken_result rc = authtoken_client_authorization_header(client, &header);
    if (rc != AUTHTOKEN_RESULT_OK) die_authtoken("authtoken_client_authorization_header", rc);

    char url[1024], line[1024];
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(line, sizeof line, "Authorization: %s", header);
    authtoken_string_free(header);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_state cs = {curl_easy_init(), 0};
    if (cs.curl == NULL) {
        fprintf(stderr, "curl_easy_init failed\n");
        exit(1);
    }
    struct curl_slist *headers = curl_slist_append(NULL, line);
    curl_easy_setopt(cs.curl, CURLOPT_URL, url);
    curl_easy_setopt(cs.curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(cs.curl, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(cs.curl, CURLOPT_WRITEDATA, &cs.received);

    struct authtoken_state as = {client, path};
    struct row rows[] = {
        {"native", "libcurl easy handle, fixed header", curl_get, &cs, 0},
        {"binding", "authtoken_client_request (C ABI)", authtoken_get, &as, 0},
    };
    interleaved(seconds, rounds, rows, (int)(sizeof rows / sizeof rows[0]));

    curl_easy_cleanup(cs.curl);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    authtoken_client_free(client);
}

/* VmRSS of this process, in KiB. */
static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) {
        perror("/proc/self/status");
        exit(1);
    }
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    if (kib < 0) {
        fprintf(stderr, "no VmRSS in /proc/self/status\n");
        exit(1);
    }
    return kib;
}

static void memory(const char *path) {
    long extra = strtol(env_or("BENCH_HTTP_CLIENTS", "100"), NULL, 10);
    if (extra < 1) extra = 1;
    authtoken_client *first = new_client("mem-0");
    signed_get(first, path);
    long one = rss_kib();
    authtoken_client **more = calloc((size_t)extra, sizeof *more);
    if (more == NULL) {
        perror("calloc");
        exit(1);
    }
    for (long i = 0; i < extra; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "mem-%ld", i + 1);
        more[i] = new_client(tag);
        signed_get(more[i], path);
    }
    long all = rss_kib();
    printf("mem\tc\tVmRSS, one client after its first request\t%ld KiB\n", one);
    printf("mem\tc\tper extra client (%ld more, own identity and connection, one request each)\t%.1f KiB\n",
           extra, (double)(all - one) / (double)extra);
    for (long i = 0; i < extra; i++) authtoken_client_free(more[i]);
    free(more);
    authtoken_client_free(first);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "rate";
    const char *base = env_or("BENCH_HTTP_BASE", NULL);
    const char *path = env_or("BENCH_HTTP_PATH", "/api/bench/");
    double seconds = strtod(env_or("BENCH_HTTP_S", "3"), NULL);
    if (seconds <= 0) seconds = 3;
    int rounds = (int)strtol(env_or("BENCH_HTTP_ROUNDS", "3"), NULL, 10);
    if (rounds < 1) rounds = 1;
    if (strcmp(mode, "rate") == 0) {
        rates(seconds, rounds, base, path);
    } else if (strcmp(mode, "mem") == 0) {
        memory(path);
    } else {
        fprintf(stderr, "usage: bench_http rate|mem\n");
        return 2;
    }
    return 0;
}
