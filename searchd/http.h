/* http.h - tracuu-searchd's HTTP JSON API (docs/http-api.md), served with libmicrohttpd. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "auth-delay.h"
#include "metrics.h"
#include "tracuu-conf.h"
#include "tracuu-engine.h"

G_BEGIN_DECLS

/*
 * The HTTP API maps each GET to one request of the socket protocol ({"op": "search", ...}),
 * hands it to the engine with the caller's identity, and answers with the very bytes the
 * socket would write for it (tracuu_protocol_format_response()), with a status that fits the
 * protocol's error code. libmicrohttpd parses HTTP and runs a pool of threads; each request
 * takes an engine from a pool kept here (one per thread at most), so that nothing of the
 * socket's event loop is shared beyond the configuration and the table of failed logins.
 */

/* A request string (path and query together, as decoded) longer than this is refused with 413. */
#define TRACUU_HTTP_MAX_QUERY (64 * 1024)
/* Room for the request line and headers of one connection (MHD_OPTION_CONNECTION_MEMORY_LIMIT):
 * a longer head is refused by libmicrohttpd itself (431 or 414). */
#define TRACUU_HTTP_MAX_HEAD (128 * 1024)

/* Opens an engine with the daemon's settings (time limit, splitting), or NULL with @error. */
typedef tracuu_engine *(*tracuu_http_open_engine)(gpointer user_data, GError **error);

typedef struct {
    int listen_fd;         /* a bound, listening TCP socket; the server takes it over */
    unsigned threads;      /* libmicrohttpd's thread pool */
    unsigned max_clients;  /* connections at once; more are refused */
    unsigned idle_timeout; /* seconds a connection may stay silent (0: none) */
    int slow_ms;           /* requests slower than this are logged */
    tracuu_http_open_engine open_engine;
    gpointer open_engine_data;
    const gint *reloads;         /* bumped (atomically) at each SIGHUP: engines are reopened */
    gint *busy; /* requests at an engine, the socket's too (atomic; may be NULL): open_engine's
                 * split test reads it */
    tracuu_auth_delay *failures; /* borrowed: shared with the socket */
    const tracuu_conf *conf;     /* borrowed until replaced by tracuu_http_server_set_conf() */
    /* TLS (libmicrohttpd's, with GnuTLS): the PEM certificate and key, borrowed for the
     * server's life; both NULL for plain HTTP. Session cookies are then Secure. */
    const char *tls_cert_pem, *tls_key_pem;
    tracuu_metrics *socket_metrics; /* borrowed: the socket's counts, shown in /metrics; or NULL */
} tracuu_http_options;

typedef struct tracuu_http_server tracuu_http_server;

/*
 * Starts serving on @opts->listen_fd (closed on failure too). Returns the server, or NULL with
 * @error (G_IO_ERROR). Caller stops it with tracuu_http_server_free().
 */
tracuu_http_server *tracuu_http_server_new(const tracuu_http_options *opts, GError **error);

/*
 * Replaces the configuration the server reads users from (SIGHUP); @conf is borrowed. Returns
 * once no request uses the old one any more, so that the caller may free it.
 */
void tracuu_http_server_set_conf(tracuu_http_server *server, const tracuu_conf *conf);

/* Stops listening, answers the requests under way and frees the server. NULL accepted. */
void tracuu_http_server_free(tracuu_http_server *server);

/*
 * The protocol request for a GET of @path with the query parameters @names/@values (@n of
 * them, in order, decoded; a value may be NULL for "?name" without "="), or NULL with
 * @error (TRACUU_ENGINE_ERROR_BAD_REQUEST, or TRACUU_ENGINE_ERROR_NOT_FOUND for a path that
 * is no endpoint). *@needs_auth says whether the endpoint is refused without an identity
 * (/healthz is not, as ping is not). No I/O, for tests and fuzzing. Caller frees with
 * json_object_unref().
 */
JsonObject *tracuu_http_request_for(const char *path, const char *const *names,
                                    const char *const *values, gsize n, gboolean *needs_auth,
                                    GError **error);

/* The HTTP status that answers the protocol's error @code ("bad_query": 400...). */
unsigned tracuu_http_status_for_code(const char *code);

G_END_DECLS
