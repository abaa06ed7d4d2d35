/*
 * A small test harness for the C ABI tests: one line per check, a summary line, and helpers
 * that talk to the emulator's admin API (libcurl + json-c, independent of the library under
 * test) so that tests can assert what the server saw.
 */
#ifndef AUTHTOKEN_TEST_HARNESS_H
#define AUTHTOKEN_TEST_HARNESS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "authtoken.h"

/* Records one check: prints "ok - <what>" or "FAIL - <what>" (with the file and line). */
void h_check(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define CHECK(cond, ...) h_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Checks that a call returned `expected`; on a mismatch also prints the last error. */
void h_check_rc(authtoken_result got, authtoken_result expected, const char *file, int line,
                const char *what);
#define CHECK_RC(got, expected, what) h_check_rc((got), (expected), __FILE__, __LINE__, (what))

/* Checks that a string equals `expected` (NULL-safe). */
void h_check_str(const char *got, const char *expected, const char *file, int line,
                 const char *what);
#define CHECK_STR(got, expected, what) h_check_str((got), (expected), __FILE__, __LINE__, (what))

/* CHECK_STR for values holding a token (an Authorization header): a passing check does not
 * print the value (the secrets audit of the suites fails on any token in the output); a failing
 * one shows both, to debug. */
void h_check_secret_str(const char *got, const char *expected, const char *file, int line,
                        const char *what);
#define CHECK_SECRET_STR(got, expected, what) \
    h_check_secret_str((got), (expected), __FILE__, __LINE__, (what))

/* Checks that `haystack` contains `needle` (NULL-safe). */
void h_check_contains(const char *haystack, const char *needle, const char *file, int line,
                      const char *what);
#define CHECK_CONTAINS(h, n, what) h_check_contains((h), (n), __FILE__, __LINE__, (what))

/* Prints "<program>: N passed, M failed" and returns the process exit status. */
int h_finish(const char *program);

/* Prints a section title. */
void h_section(const char *title);

/* The emulator's root URL (AUTHTOKEN_EMULATOR); exits when it is not set. */
const char *h_emulator(void);

/* The emulator's password: AUTHTOKEN_TEST_PASSWORD (the secrets audit's sentinel), else
 * "demo-password" (what scripts/with-emulator.sh gives the emulator). */
const char *h_password(void);

/* A new unique name "<prefix>-<pid>-<n>" (static buffer per call site is not enough across
 * threads, so the caller owns the result: free() it). */
char *h_unique(const char *prefix);

/* A client configuration for `provider` against the emulator, with an in-memory store and no
 * retries. `extra` is NULL or more JSON members without braces (`"timeout_ms": 500`). Caller
 * frees the result with free(). */
char *h_config(const char *provider, const char *username, const char *password,
               const char *extra);

/* The emulator's path prefix for a provider (`custom` uses CruxConnect's). */
const char *h_prefix(const char *provider);

/* Calls the admin API; returns the parsed JSON answer (json_object_put() it), or NULL. */
json_object *h_admin(const char *method, const char *path, const char *body);

/* stats[table][service][key], or 0 when absent (tables: logins, logouts, requests, ...). */
long h_stat(const char *table, const char *service, const char *key);

/* Injects one fault (a JSON object, see emulator/README.md). */
void h_fault(const char *fault_json);

/* Parses a response body as JSON (json_object_put() it), or NULL. */
json_object *h_body_json(const authtoken_response *response);

/* The string at obj[key1][key2] (key2 may be NULL), or NULL. Borrowed from obj. */
const char *h_json_str(json_object *obj, const char *key1, const char *key2);

/* The last error message of this thread (a static per-thread buffer). */
const char *h_last_message(void);

/* Initializes libcurl; call once at the start of main(). h_finish() cleans up. */
void h_init(void);

#endif
