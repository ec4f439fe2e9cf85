/* tracuu-test-client.h - a line client for the tests that talk to tracuu-searchd on a socket. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * One connection to the daemon and the bytes read from it that do not yet make a whole line.
 * The fields are open so that a test can do to the socket what a client of the daemon might
 * (half-close it, send without waiting, make it non-blocking).
 */
typedef struct {
    int fd;      /* the connected socket, closed by tracuu_test_client_free() */
    GString *in; /* read but not yet returned: the start of the next line */
} tracuu_test_client;

/*
 * Connects a stream socket to the Unix socket @path, once. Returns the descriptor (close-on-exec;
 * the caller closes it or hands it to tracuu_test_client_new_fd()), or -1 when nothing listens.
 */
int tracuu_test_connect_unix(const char *path);

/*
 * A client on the connected socket @fd, which it takes over. Asserts that @fd is not negative,
 * so that a failed connect fails the test here. Caller frees with tracuu_test_client_free().
 */
tracuu_test_client *tracuu_test_client_new_fd(int fd);

/*
 * A client on the Unix socket @path of a daemon that may still be starting: tries for up to
 * 10 seconds, then fails the test. Caller frees with tracuu_test_client_free().
 */
tracuu_test_client *tracuu_test_client_wait_unix(const char *path);

/*
 * A client on 127.0.0.1:@port; the test fails when @port is not positive or the connect fails.
 * Caller frees with tracuu_test_client_free().
 */
tracuu_test_client *tracuu_test_client_new_tcp(int port);

/* Closes the socket and frees @c; NULL is allowed. */
void tracuu_test_client_free(tracuu_test_client *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_test_client, tracuu_test_client_free)

/* Sends all @len bytes of @data (retrying short writes); the test fails if the socket does. */
void tracuu_test_client_send(tracuu_test_client *c, const char *data, gsize len);

/*
 * The next line from the daemon without its "\n", or NULL when the stream ends or no whole line
 * came within @timeout_ms. Caller frees with g_free().
 */
char *tracuu_test_client_recv_line(tracuu_test_client *c, int timeout_ms);

/*
 * Sends @request (one line, without "\n") and returns the answer line; the test fails when none
 * comes within 30 seconds. Caller frees with g_free().
 */
char *tracuu_test_client_ask_line(tracuu_test_client *c, const char *request);

/*
 * The same, with the answer parsed: the test fails unless it is a JSON object. Caller frees
 * with json_object_unref().
 */
JsonObject *tracuu_test_client_ask(tracuu_test_client *c, const char *request);
