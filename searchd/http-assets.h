/* http-assets.h - the web page (searchd/web/), compiled into tracuu-searchd, served over HTTP. */
#pragma once

#include <glib.h>
#include <microhttpd.h>

/*
 * The page is static: index.html, app.js and app.css live in a GResource bundle linked into
 * the daemon (searchd/web/tracuu-web.gresource.xml), so that a closed office network needs
 * nothing but the daemon. Only names in that bundle are served; no file system is read.
 */

/* The Content-Security-Policy of every page answer: scripts, styles and requests to the
 * daemon itself only, no inline script or style, no frames, no plugins. */
#define TRACUU_HTTP_ASSETS_CSP                                                                     \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/*
 * libmicrohttpd decodes the path before the handler sees it, as a C string without its length:
 * "/assets/app.js%00.png" would arrive as "/assets/app.js". These two callbacks, given to
 * MHD_start_daemon() with TRACUU_HTTP_ASSETS_PATH_OPTIONS, decode as libmicrohttpd does but
 * turn a NUL decoded in the path (only there: a parameter's %00 is still refused by http.c)
 * into a byte no path of ours holds, so that such a path names nothing and answers 404.
 * The URI log callback returns NULL, leaving the handler's *con_cls as it was.
 */
void *tracuu_http_assets_uri_log(void *cls, const char *uri, struct MHD_Connection *connection);
size_t tracuu_http_assets_unescape(void *cls, struct MHD_Connection *connection, char *s);
#define TRACUU_HTTP_ASSETS_PATH_OPTIONS                                                            \
    MHD_OPTION_URI_LOG_CALLBACK, tracuu_http_assets_uri_log, NULL, MHD_OPTION_UNESCAPE_CALLBACK,   \
        tracuu_http_assets_unescape, NULL

/* TRUE when @path (the decoded path, without the query string) is the page's: anything that
 * is not /api/..., /healthz or /metrics. http.c hands such requests to
 * tracuu_http_assets_answer() before it reads any parameter or identity: the page itself needs
 * no authentication (its login form must show), the API it calls does. */
gboolean tracuu_http_assets_owns(const char *path);

/*
 * Queues the answer to @method @path on @connection: "/" (whatever the query string) is
 * index.html, "/assets/NAME" the bundle's file NAME when NAME is one of its names (a name with
 * "/", a leading ".", or anything else is 404), any other path 404; a method other than GET and
 * HEAD 405. Every answer carries the CSP above, X-Content-Type-Options, Referrer-Policy and a
 * Cache-Control; files carry an ETag and answer 304 to a matching If-None-Match.
 * Sets *@status to the status queued (for the metrics). Returns libmicrohttpd's result.
 */
enum MHD_Result tracuu_http_assets_answer(struct MHD_Connection *connection, const char *method,
                                          const char *path, unsigned *status);
