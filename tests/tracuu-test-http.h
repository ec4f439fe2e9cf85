/* tracuu-test-http.h - a small HTTP/1.1 client for the tests of tracuu-searchd --http. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * The tests speak HTTP over a plain socket with a client of their own, so that they can also
 * send what no well-behaved client would (a wrong Origin, a body longer than it says, garbage).
 * Each exchange is one connection: the request is sent whole and the answer read until the
 * server closes (requests carry "Connection: close"). Over TLS the bytes go through Python's
 * ssl module (/usr/bin/python3), which checks the server's certificate against a given CA.
 */

typedef struct {
    int status; /* 0: no answer (the connection was closed without one) */
    char *head; /* the status line and headers, without the blank line */
    char *body;
    gsize body_len;
} tracuu_test_http_reply;

void tracuu_test_http_reply_free(tracuu_test_http_reply *r); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_test_http_reply, tracuu_test_http_reply_free)

/* Connects to 127.0.0.1:@port (the test fails if it cannot), with a 20 s receive timeout. */
int tracuu_test_http_connect(int port);

/* Sends the @len bytes of @raw (a whole request) on a fresh connection to @port and reads the
 * answer until the server closes. Caller frees with tracuu_test_http_reply_free(). */
tracuu_test_http_reply *tracuu_test_http_exchange(int port, const char *raw, gsize len);

/*
 * @method @target with "Host: 127.0.0.1:@port", "Connection: close", @headers (each ending in
 * "\r\n", or NULL) and @body (NULL: none; else sent with its Content-Length). Caller frees.
 */
tracuu_test_http_reply *tracuu_test_http_request(int port, const char *method, const char *target,
                                                 const char *headers, const char *body);

/* Whether the TLS client can run (/usr/bin/python3 is there). */
gboolean tracuu_test_http_has_tls_client(void);

/*
 * The same exchange over TLS, trusting the certificates of @cafile only, through
 * /usr/bin/python3; a failed handshake or certificate check gives status 0. The test fails
 * when python3 cannot run: call tracuu_test_http_has_tls_client() first. Caller frees.
 */
tracuu_test_http_reply *tracuu_test_http_exchange_tls(int port, const char *cafile, const char *raw,
                                                      gsize len);

/* The raw request tracuu_test_http_request() sends. Caller frees with g_free(). */
char *tracuu_test_http_format(int port, const char *method, const char *target, const char *headers,
                              const char *body);

/* The value of the first header @name (case-insensitive) of @r, or NULL. Caller frees. */
char *tracuu_test_http_header(const tracuu_test_http_reply *r, const char *name);

/* @r's body, which must be a JSON object (the test fails otherwise). Caller unrefs. */
JsonObject *tracuu_test_http_body_object(const tracuu_test_http_reply *r);

/*
 * Asserts @r's status and, for JSON answers, that the body is {"ok": true...} when @code is
 * NULL, else the protocol's error object with that code. Shows the answer when they differ.
 */
void tracuu_test_http_assert_reply(const tracuu_test_http_reply *r, int status, const char *code);

/* ---- A tracuu-searchd serving HTTP ---- */

typedef struct {
    GPid pid; /* 0 once it has stopped */
    int port;     /* the HTTP port it logged */
    int tcp_port; /* the port of its --listen when it has one (logged before --http's), else 0 */
    char *log;
} tracuu_test_http_daemon;

/*
 * Starts @searchd with @args (NULL-terminated) in @dir, its standard error in DIR/NAME.log
 * (@d->log), tied to the test (it dies with it), and waits up to 10 s until it logs the port of
 * its --http (@d->port; and @d->tcp_port, that of a --listen). Returns -1 when it runs, else its exit status (it stopped at once;
 * @d->pid is then 0). The test fails when it neither listens nor stops in that time.
 */
int tracuu_test_http_daemon_start(tracuu_test_http_daemon *d, const char *searchd, const char *dir,
                                  const char *name, const char *const *args);

/* What @d has logged so far, "" when nothing. Caller frees. */
char *tracuu_test_http_daemon_log(const tracuu_test_http_daemon *d);
