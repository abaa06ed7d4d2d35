/*
 * One long-running C worker of `make soak` (scripts/soak.py). Reads the client configuration
 * (JSON without the password, which comes from AUTHTOKEN_PASSWORD) from SOAK_CONFIG, then
 * sends signed GETs to /api/echo/ until the file SOAK_STOP exists, SOAK_PAUSE_MS apart.
 * Prints one JSON line per request, with wall-clock milliseconds: {"ok": true, "t0": ...,
 * "t1": ...}, or "ok": false with "kind" (the error's kind, or http_<status> for an answer
 * other than 200) and "msg"; then {"end": <requests>}. Exits 2 on a missing setting, 1 when
 * the client cannot be created.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "authtoken.h"

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes s as a JSON string (quotes included); NULL as "". */
static void put_json_string(const char *s) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if (*p < 0x20) {
            printf("\\u%04x", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

int main(void) {
    const char *config = getenv("SOAK_CONFIG");
    const char *stop = getenv("SOAK_STOP");
    const char *pause_env = getenv("SOAK_PAUSE_MS");
    if (config == NULL || stop == NULL) {
        fprintf(stderr, "soak_worker: SOAK_CONFIG and SOAK_STOP must be set\n");
        return 2;
    }
    long pause_ms = pause_env ? strtol(pause_env, NULL, 10) : 20;
    struct timespec pause = {pause_ms / 1000, (pause_ms % 1000) * 1000000L};

    authtoken_client *client = NULL;
    if (authtoken_client_new(config, &client) != AUTHTOKEN_RESULT_OK) {
        char *msg = authtoken_last_error_message_dup();
        fprintf(stderr, "soak_worker: cannot create the client: %s\n", msg ? msg : "?");
        authtoken_string_free(msg);
        return 1;
    }
    long count = 0;
    while (access(stop, F_OK) != 0) {
        long long t0 = now_ms();
        authtoken_response *response = NULL;
        authtoken_result rc =
            authtoken_client_request(client, "GET", "/api/echo/", NULL, NULL, 0, &response);
        long long t1 = now_ms();
        if (rc == AUTHTOKEN_RESULT_OK) {
            uint16_t status = authtoken_response_status(response);
            if (status == 200) {
                printf("{\"ok\": true, \"t0\": %lld, \"t1\": %lld}\n", t0, t1);
            } else {
                printf("{\"ok\": false, \"kind\": \"http_%u\", \"msg\": \"\", \"t0\": %lld, "
                       "\"t1\": %lld}\n",
                       (unsigned)status, t0, t1);
            }
            authtoken_response_free(response);
        } else {
            char *msg = authtoken_last_error_message_dup();
            printf("{\"ok\": false, \"kind\": ");
            put_json_string(authtoken_last_error_kind());
            printf(", \"msg\": ");
            put_json_string(msg);
            printf(", \"t0\": %lld, \"t1\": %lld}\n", t0, t1);
            authtoken_string_free(msg);
        }
        fflush(stdout);
        count++;
        nanosleep(&pause, NULL);
    }
    printf("{\"end\": %ld}\n", count);
    authtoken_client_free(client);
    return 0;
}
