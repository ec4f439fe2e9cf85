/* http-assets.c - serves the web page's files from the GResource bundle linked into the daemon. */
#include <string.h>

#include <gio/gio.h>

#include "http-assets.h"
#include "protocol.h"

/* Where glib-compile-resources puts the files of searchd/web/ (tracuu-web.gresource.xml). */
#define RESOURCE_ROOT "/tracuu/web/"
#define ASSETS_PREFIX "/assets/"

/* Content types by extension: the page's own files, all known in advance. */
static const struct {
    const char *ext, *type;
} type_table[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".png", "image/png"},
    {".svg", "image/svg+xml"},
    {".ico", "image/x-icon"},
    {".json", "application/json; charset=utf-8"},
};

static const char *
type_for(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(type_table); i++)
        if (g_str_has_suffix(name, type_table[i].ext))
            return type_table[i].type;
    return "application/octet-stream";
}

/* The request target being parsed on this thread: libmicrohttpd calls the URI log callback with
 * it, then unescapes the parameters, then the path at that same address, all in one call. */
static _Thread_local const char *target_of_thread;

void *
tracuu_http_assets_uri_log(void *cls, const char *uri, struct MHD_Connection *connection)
{
    (void)cls;
    (void)connection;
    target_of_thread = uri;
    return NULL;
}

size_t
tracuu_http_assets_unescape(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    size_t len = MHD_http_unescape(s);
    if (s == target_of_thread) {
        target_of_thread = NULL;
        /* DEL: no name of the bundle, no endpoint and no document id holds it. */
        for (size_t i = 0; i < len; i++)
            if (s[i] == '\0')
                s[i] = '\x7f';
    }
    return len;
}

gboolean
tracuu_http_assets_owns(const char *path)
{
    return !(g_str_has_prefix(path, "/api/") || strcmp(path, "/api") == 0 ||
             strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0);
}

/* The bundle's bytes for @path, NULL when it names none. A NAME is one path segment of
 * letters, digits, "-", "_" and "." not starting with "." (so never ".." nor a hidden file):
 * libmicrohttpd has decoded the path already, so %2e%2e and %2f arrive here as "." and "/". */
static GBytes *
lookup(const char *path, const char **name_out)
{
    const char *name = NULL;
    if (strcmp(path, "/") == 0)
        name = "index.html";
    else if (g_str_has_prefix(path, ASSETS_PREFIX))
        name = path + strlen(ASSETS_PREFIX);
    if (!name || name[0] == '\0' || name[0] == '.')
        return NULL;
    for (const char *p = name; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return NULL;
    g_autofree char *rpath = g_strconcat(RESOURCE_ROOT, name, NULL);
    *name_out = name;
    return g_resources_lookup_data(rpath, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

static void
add_page_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", TRACUU_HTTP_ASSETS_CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    /* The page is framed by nobody (also said by frame-ancestors, for older browsers). */
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result
queue(struct MHD_Connection *connection, unsigned status, struct MHD_Response *r,
      unsigned *status_out)
{
    *status_out = status;
    if (!r)
        return MHD_NO;
    add_page_headers(r);
    enum MHD_Result ok = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result
queue_error(struct MHD_Connection *connection, unsigned status, const char *code,
            const char *message, unsigned *status_out)
{
    gsize len = 0;
    g_autofree char *body = tracuu_protocol_format_error(NULL, code, message, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_COPY);
    if (r) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
            MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    }
    return queue(connection, status, r, status_out);
}

enum MHD_Result
tracuu_http_assets_answer(struct MHD_Connection *connection, const char *method, const char *path,
                          unsigned *status)
{
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return queue_error(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                           "the page answers GET and HEAD only", status);
    const char *name = NULL;
    g_autoptr(GBytes) bytes = lookup(path, &name);
    if (!bytes) {
        g_autofree char *shown = g_utf8_make_valid(path, (gssize)MIN(strlen(path), 200));
        g_autofree char *msg = g_strdup_printf("no such page: %s (see docs/web.md)", shown);
        return queue_error(connection, MHD_HTTP_NOT_FOUND, "not_found", msg, status);
    }
    /* The files change only with the daemon: their hash is a strong validator, so a browser
     * revalidates each time (no-cache) and mostly gets a 304 without the body. */
    gsize len = 0;
    const void *data = g_bytes_get_data(bytes, &len);
    g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
    g_autofree char *etag = g_strdup_printf("\"%.32s\"", sum);
    const char *inm =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    gboolean fresh = inm && strstr(inm, etag) != NULL;
    struct MHD_Response *r =
        fresh ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
              : MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (r) {
        if (!fresh)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type_for(name));
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    }
    return queue(connection, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r, status);
}
