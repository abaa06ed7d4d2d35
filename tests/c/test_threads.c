/*
 * One client handle shared by 16 threads: they start together, cold, and the emulator counts
 * one login. Each thread's last error is its own.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define THREADS 16

static pthread_barrier_t barrier;
static const authtoken_client *shared;

struct job {
    int index;
    authtoken_result header_rc;
    authtoken_result request_rc;
    char *header;     /* owned by the library: authtoken_string_free() */
    char *seen;       /* the Authorization the server saw (strdup) */
    int own_error_ok; /* the thread's last error was its own, even after the others failed */
};

static void *work(void *arg) {
    struct job *job = arg;
    pthread_barrier_wait(&barrier);
    job->header_rc = authtoken_client_authorization_header(shared, &job->header);
    authtoken_response *r = NULL;
    job->request_rc = authtoken_client_request(shared, "GET", "/api/echo/", NULL, NULL, 0, &r);
    json_object *echo = h_body_json(r);
    const char *seen = h_json_str(echo, "headers", "authorization");
    job->seen = seen ? strdup(seen) : NULL;
    json_object_put(echo);
    authtoken_response_free(r);

    /* Every thread fails differently, then waits for the others to have failed too. */
    char method[16];
    snprintf(method, sizeof method, "BAD%d", job->index);
    authtoken_result rc = authtoken_client_request(shared, method, "/", NULL, NULL, 0, &r);
    pthread_barrier_wait(&barrier);
    char expected[64];
    snprintf(expected, sizeof expected, "unknown HTTP method `BAD%d`", job->index);
    job->own_error_ok = rc == AUTHTOKEN_RESULT_INVALID_ARGUMENT &&
                        authtoken_last_error_code() == AUTHTOKEN_RESULT_INVALID_ARGUMENT &&
                        strstr(h_last_message(), expected) != NULL;
    return NULL;
}

int main(void) {
    h_init();
    h_section("16 threads, one client handle, cold start");
    char *user = h_unique("c-threads");
    char *org = h_unique("c-threads-org");
    char extra[128];
    snprintf(extra, sizeof extra, "\"organization_id\": \"%s\"", org);
    char *config = h_config("tpstreams", user, h_password(), extra);
    authtoken_client *client = NULL;
    CHECK_RC(authtoken_client_new(config, &client), AUTHTOKEN_RESULT_OK, "client_new");
    shared = client;

    pthread_barrier_init(&barrier, NULL, THREADS);
    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < THREADS; i++) {
        jobs[i].index = i;
        pthread_create(&threads[i], NULL, work, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&barrier);

    int headers_ok = 0, requests_ok = 0, same = 0, signed_ok = 0, errors_ok = 0;
    for (int i = 0; i < THREADS; i++) {
        headers_ok += jobs[i].header_rc == AUTHTOKEN_RESULT_OK;
        requests_ok += jobs[i].request_rc == AUTHTOKEN_RESULT_OK;
        same += jobs[i].header && jobs[0].header && strcmp(jobs[i].header, jobs[0].header) == 0;
        signed_ok += jobs[i].seen && jobs[i].header && strcmp(jobs[i].seen, jobs[i].header) == 0;
        errors_ok += jobs[i].own_error_ok;
    }
    CHECK(headers_ok == THREADS, "%d/%d threads got a header", headers_ok, THREADS);
    CHECK(requests_ok == THREADS, "%d/%d signed GETs succeeded", requests_ok, THREADS);
    CHECK(same == THREADS, "%d/%d threads got the same header", same, THREADS);
    CHECK(signed_ok == THREADS, "%d/%d requests carried that header", signed_ok, THREADS);
    long logins = h_stat("logins", "tpstreams", user);
    CHECK(logins == 1, "the emulator counted 1 login for 16 threads (got %ld)", logins);
    CHECK(h_stat("requests", "tpstreams", user) == THREADS, "and 16 signed requests");
    CHECK(errors_ok == THREADS, "%d/%d threads read their own last error", errors_ok, THREADS);

    CHECK_RC(authtoken_client_logout(client), AUTHTOKEN_RESULT_OK, "logout");
    CHECK(h_stat("logouts", "tpstreams", user) == 1, "one logout");
    for (int i = 0; i < THREADS; i++) {
        authtoken_string_free(jobs[i].header);
        free(jobs[i].seen);
    }
    authtoken_client_free(client);
    free(config);
    free(org);
    free(user);
    return h_finish("test_threads");
}
