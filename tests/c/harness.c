#define _GNU_SOURCE
#include "harness.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed;
static int failed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long counter;

void h_init(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "curl_global_init failed\n");
        exit(2);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
}

void h_check(int ok, const char *file, int line, const char *fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&lock);
    if (ok) {
        passed++;
        printf("ok - %s\n", what);
    } else {
        failed++;
        printf("FAIL - %s (%s:%d)\n", what, file, line);
    }
    pthread_mutex_unlock(&lock);
}

const char *h_last_message(void) {
    static __thread char buf[1024];
    authtoken_last_error_message(buf, sizeof buf);
    return buf;
}

void h_check_rc(authtoken_result got, authtoken_result expected, const char *file, int line,
                const char *what) {
    const char *got_name = authtoken_error_kind_name(got);
    const char *want_name = authtoken_error_kind_name(expected);
    if (got == expected) {
        h_check(1, file, line, "%s -> %s", what, got_name ? got_name : "?");
    } else {
        h_check(0, file, line, "%s -> %s (%u), expected %s (%u); last error: %s", what,
                got_name ? got_name : "?", (unsigned)got, want_name ? want_name : "?",
                (unsigned)expected, h_last_message());
    }
}

void h_check_str(const char *got, const char *expected, const char *file, int line,
                 const char *what) {
    int ok = got && expected ? strcmp(got, expected) == 0 : got == expected;
    if (ok) {
        h_check(1, file, line, "%s is \"%s\"", what, got ? got : "(null)");
    } else {
        h_check(0, file, line, "%s is \"%s\", expected \"%s\"", what, got ? got : "(null)",
                expected ? expected : "(null)");
    }
}

void h_check_secret_str(const char *got, const char *expected, const char *file, int line,
                        const char *what) {
    int ok = got && expected ? strcmp(got, expected) == 0 : got == expected;
    if (ok) {
        h_check(1, file, line, "%s is as expected (not shown: it holds a token)", what);
    } else {
        h_check(0, file, line, "%s is \"%s\", expected \"%s\"", what, got ? got : "(null)",
                expected ? expected : "(null)");
    }
}

void h_check_contains(const char *haystack, const char *needle, const char *file, int line,
                      const char *what) {
    int ok = haystack && needle && strstr(haystack, needle) != NULL;
    if (ok) {
        h_check(1, file, line, "%s contains \"%s\"", what, needle);
    } else {
        h_check(0, file, line, "%s (\"%s\") contains \"%s\"", what,
                haystack ? haystack : "(null)", needle ? needle : "(null)");
    }
}

void h_section(const char *title) { printf("# %s\n", title); }

int h_finish(const char *program) {
    curl_global_cleanup();
    printf("%s: %d passed, %d failed\n", program, passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

const char *h_emulator(void) {
    const char *e = getenv("AUTHTOKEN_EMULATOR");
    if (!e || !*e) {
        fprintf(stderr,
                "AUTHTOKEN_EMULATOR is not set: run under scripts/with-emulator.sh\n");
        exit(2);
    }
    return e;
}

const char *h_password(void) {
    const char *p = getenv("AUTHTOKEN_TEST_PASSWORD");
    return p && *p ? p : "demo-password";
}

char *h_unique(const char *prefix) {
    pthread_mutex_lock(&lock);
    unsigned long n = ++counter;
    pthread_mutex_unlock(&lock);
    char *out = NULL;
    if (asprintf(&out, "%s-%ld-%lu", prefix, (long)getpid(), n) < 0) abort();
    return out;
}

const char *h_prefix(const char *provider) {
    if (strcmp(provider, "custom") == 0) return "cruxconnect";
    return provider;
}

char *h_config(const char *provider, const char *username, const char *password,
               const char *extra) {
    char *out = NULL;
    if (asprintf(&out,
                 "{\"provider\": \"%s\", \"username\": \"%s\", \"password\": \"%s\", "
                 "\"base_url\": \"%s/%s\", \"cache\": \"memory\", \"max_retries\": 0%s%s}",
                 provider, username, password, h_emulator(), h_prefix(provider),
                 extra ? ", " : "", extra ? extra : "") < 0)
        abort();
    return out;
}

struct buffer {
    char *data;
    size_t len;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct buffer *b = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown) return 0;
    b->data = grown;
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = 0;
    return n;
}

json_object *h_admin(const char *method, const char *path, const char *body) {
    char url[512];
    snprintf(url, sizeof url, "%s%s", h_emulator(), path);
    CURL *curl = curl_easy_init();
    if (!curl) return NULL;
    struct buffer b = {NULL, 0};
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    if (body) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    json_object *out = NULL;
    if (rc == CURLE_OK && status >= 200 && status < 300 && b.data) {
        out = json_tokener_parse(b.data);
    } else {
        fprintf(stderr, "admin %s %s failed: curl %d, HTTP %ld: %s\n", method, path, (int)rc,
                status, b.data ? b.data : "");
    }
    free(b.data);
    return out;
}

long h_stat(const char *table, const char *service, const char *key) {
    json_object *stats = h_admin("GET", "/_emulator/stats", NULL);
    long n = 0;
    json_object *t, *s, *v;
    if (stats && json_object_object_get_ex(stats, table, &t) &&
        json_object_object_get_ex(t, service, &s)) {
        if (key == NULL)
            n = json_object_get_int64(s);
        else if (json_object_object_get_ex(s, key, &v))
            n = json_object_get_int64(v);
    }
    json_object_put(stats);
    return n;
}

void h_fault(const char *fault_json) {
    json_object *r = h_admin("POST", "/_emulator/faults", fault_json);
    if (!r) {
        fprintf(stderr, "could not inject fault %s\n", fault_json);
        exit(2);
    }
    json_object_put(r);
}

json_object *h_body_json(const authtoken_response *response) {
    const uint8_t *data = NULL;
    size_t len = 0;
    if (authtoken_response_body(response, &data, &len) != AUTHTOKEN_RESULT_OK) return NULL;
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, (const char *)data, (int)len);
    json_tokener_free(tok);
    return obj;
}

const char *h_json_str(json_object *obj, const char *key1, const char *key2) {
    json_object *a, *b;
    if (!obj || !json_object_object_get_ex(obj, key1, &a)) return NULL;
    if (key2) {
        if (!json_object_object_get_ex(a, key2, &b)) return NULL;
        a = b;
    }
    return json_object_is_type(a, json_type_string) ? json_object_get_string(a) : NULL;
}
