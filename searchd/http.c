/* http.c - tracuu-searchd's HTTP JSON API: GET requests mapped onto the socket protocol. */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "http-assets.h"
#include "http.h"
#include "identity.h"
#include "metrics.h"
#include "original.h"
#include "protocol.h"
#include "session.h"
#include "tracuu-log.h"

/*
 * libmicrohttpd reads and checks the request line and headers (within the memory limit), runs
 * the connections on a pool of threads and calls handle() once per request. handle() answers
 * what needs no engine (errors, login, the page, a download) at once, on that thread; it
 * suspends the connection of a request for the engine and queues it for the workers that all
 * connections share (job_run()), and of a failed authentication, which the timer thread
 * resumes when the peer's delay has passed (auth-delay.h), so that a guesser waits without
 * holding a thread that serves others. A resumed connection's answer is in its state.
 */

/* Failed-auth answers held back at once; past that, more are answered 429 "busy" at once. */
#define MAX_HELD 1024

/* The login form's body is two short fields: anything longer is refused (413), unread when its
 * length is announced, else dropped as it comes. */
#define MAX_FORM 4096
/* Password verifications under way at once: each takes ~64 MiB and tens of milliseconds
 * (tracuu_password_verify), so that a burst of logins cannot take the machine's memory; more
 * are answered 429 "busy" at once. */
#define MAX_VERIFYING 2
/* Live sessions kept at most; past that, the oldest is dropped (session.h). */
#define MAX_SESSIONS 10000
/* [searchd] session-hours when not set. */
#define DEFAULT_SESSION_HOURS 8.0
#define COOKIE_NAME "tracuu_session"
#define LOGIN_PATH "/api/login"
#define LOGOUT_PATH "/api/logout"
#define WHOAMI_PATH "/api/whoami"

typedef struct {
    tracuu_engine *engine;
    gint reloads; /* the daemon's reload count when it was opened */
} pooled;

/* The endpoints, for the metrics: what a request's path names (tracuu_http_request_for()
 * maps it onto the protocol). */
typedef enum {
    EP_SEARCH,
    EP_DOC,
    EP_FILE,
    EP_STATS,
    EP_HEALTHZ,
    EP_METRICS,
    EP_OTHER,
    N_ENDPOINTS
} endpoint;

static const struct {
    const char *name, *path;
    gboolean prefix; /* path is followed by an argument (the id) */
} endpoint_table[N_ENDPOINTS] = {
    [EP_SEARCH] = {"search", "/api/search", FALSE}, [EP_DOC] = {"doc", "/api/doc/", TRUE},
    [EP_FILE] = {"file", "/api/doc/", TRUE}, /* and "/file" at the end: is_file_path() */
    [EP_STATS] = {"stats", "/api/stats", FALSE},    [EP_HEALTHZ] = {"healthz", "/healthz", FALSE},
    [EP_METRICS] = {"metrics", "/metrics", FALSE},  [EP_OTHER] = {"other", NULL, FALSE},
};

/* "/api/doc/ID/file": the original bytes of ID (which may hold '/': "PARENT/N"). */
static const char file_suffix[] = "/file";

/* "/api/doc/ID/trace": the relations around ID (op trace); counted with the doc endpoint. */
static const char trace_suffix[] = "/trace";

static gboolean
is_trace_path(const char *path)
{
    gsize len = strlen(path), pre = strlen(endpoint_table[EP_DOC].path);
    return g_str_has_prefix(path, endpoint_table[EP_DOC].path) &&
           len > pre + strlen(trace_suffix) && g_str_has_suffix(path, trace_suffix);
}

static gboolean
is_file_path(const char *path)
{
    gsize len = strlen(path), pre = strlen(endpoint_table[EP_FILE].path);
    return g_str_has_prefix(path, endpoint_table[EP_FILE].path) &&
           len > pre + strlen(file_suffix) && g_str_has_suffix(path, file_suffix);
}

static endpoint
endpoint_of(const char *path)
{
    if (is_file_path(path))
        return EP_FILE;
    for (int e = 0; e < EP_OTHER; e++) {
        const char *p = endpoint_table[e].path;
        if (endpoint_table[e].prefix ? g_str_has_prefix(path, p) : strcmp(path, p) == 0)
            return (endpoint)e;
    }
    return EP_OTHER;
}

/* The statuses counted apart in the metrics; any other is counted as the last, "other". */
static const char *const metric_statuses[] = {"200", "400", "401", "403", "404", "405",
                                              "410", "413", "429", "500", "503", "other"};

struct tracuu_http_server {
    struct MHD_Daemon *mhd;
    tracuu_http_options opts;
    GRWLock conf_lock;    /* opts.conf: read by requests, replaced by a reload */
    GAsyncQueue *engines; /* pooled *, idle */
    gint next_number;     /* atomic: requests, for the logs */
    GMutex held_lock;
    GCond held_cond;
    GQueue held; /* answer *: failed auth answers waiting for their time */
    gboolean stopping;
    GThread *timer;
    GThreadPool *workers; /* job *: the engine's requests, from every connection */
    tracuu_session_table *sessions;
    gint verifying;                          /* atomic: password verifications under way */
    const char *endpoint_names[N_ENDPOINTS]; /* endpoint_table's, for metrics_spec */
    tracuu_metrics_spec metrics_spec;
    tracuu_metrics *metrics;
};

/* A request's state in *con_cls: a body once its answer is held back (suspended). */
typedef struct {
    endpoint endpoint;
    gint64 t0; /* when the request came in, for the latency */
    struct MHD_Connection *connection;
    gint64 release_at;
    unsigned status;
    char *body;
    gsize len;
    const char *content_type; /* of body; NULL: JSON */
    gboolean is_post;
    GString *form;       /* a POST's body, up to MAX_FORM */
    gboolean form_large; /* more than MAX_FORM came: dropped, answered 413 */
} answer;

/* ---- Mapping a GET onto a protocol request (no I/O) ---- */

static const struct {
    const char *code;
    unsigned status;
} status_table[] = {
    {"bad_json", MHD_HTTP_BAD_REQUEST},
    {"bad_request", MHD_HTTP_BAD_REQUEST},
    {"unknown_op", MHD_HTTP_BAD_REQUEST},
    {"bad_query", MHD_HTTP_BAD_REQUEST},
    {"unauthorized", MHD_HTTP_UNAUTHORIZED},
    {"forbidden", MHD_HTTP_FORBIDDEN},
    {"not_found", MHD_HTTP_NOT_FOUND},
    {"gone", MHD_HTTP_GONE},
    {"method_not_allowed", MHD_HTTP_METHOD_NOT_ALLOWED},
    {"too_large", MHD_HTTP_CONTENT_TOO_LARGE},
    {"busy", MHD_HTTP_TOO_MANY_REQUESTS},
    {"timeout", MHD_HTTP_SERVICE_UNAVAILABLE},
    {"index", MHD_HTTP_SERVICE_UNAVAILABLE},
};

unsigned
tracuu_http_status_for_code(const char *code)
{
    for (guint i = 0; i < G_N_ELEMENTS(status_table); i++)
        if (strcmp(status_table[i].code, code) == 0)
            return status_table[i].status;
    return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

static gboolean
bad_request(GError **error, const char *fmt, const char *arg)
{
    g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST, fmt, arg);
    return FALSE;
}

/* A number where the protocol wants one; anything else goes to the engine as a string, which
 * refuses it with the socket's own message ("limit" must be an integer...). */
static void
set_number_or_string(JsonObject *o, const char *name, const char *v)
{
    gint64 n = 0;
    if (g_ascii_string_to_signed(v, 10, G_MININT64, G_MAXINT64, &n, NULL))
        json_object_set_int_member(o, name, n);
    else
        json_object_set_string_member(o, name, v);
}

/* Adds one search parameter to @req; FALSE with @error for one given twice. */
static gboolean
add_search_param(JsonObject *req, JsonObject *filters, const char *name, const char *v,
                 GError **error)
{
    static const char *const single[] = {"q", "offset", "limit", "sort", "prefer", "as_of"};
    if (name[0] == '\0')
        return bad_request(error, "search: a parameter without a name%s", "");
    for (guint i = 0; i < G_N_ELEMENTS(single); i++) {
        if (strcmp(name, single[i]) != 0)
            continue;
        if (json_object_has_member(req, name))
            return bad_request(error, "search: parameter \"%s\" given twice", name);
        /* An empty field of a form is a field left out, except the query itself. */
        if (v[0] == '\0' && strcmp(name, "q") != 0)
            return TRUE;
        if (strcmp(name, "offset") == 0 || strcmp(name, "limit") == 0)
            set_number_or_string(req, name, v);
        else
            json_object_set_string_member(req, name, v);
        return TRUE;
    }
    if (strcmp(name, "facets") == 0) {
        if (!json_object_has_member(req, "facets"))
            json_object_set_array_member(req, "facets", json_array_new());
        JsonArray *facets = json_object_get_array_member(req, "facets");
        g_auto(GStrv) parts = g_strsplit(v, ",", -1);
        for (char **p = parts; *p; p++)
            if (**p)
                json_array_add_string_element(facets, *p);
        return TRUE;
    }
    /* Every other parameter is a filter: the engine knows the fields, and refuses an unknown
     * one with the socket's message. Given twice, a filter takes any of its values. */
    if (v[0] == '\0')
        return TRUE;
    JsonNode *old = json_object_get_member(filters, name);
    if (!old) {
        json_object_set_string_member(filters, name, v);
    } else if (JSON_NODE_HOLDS_ARRAY(old)) {
        json_array_add_string_element(json_node_get_array(old), v);
    } else {
        JsonArray *any = json_array_new();
        json_array_add_string_element(any, json_node_get_string(old));
        json_array_add_string_element(any, v);
        json_object_set_array_member(filters, name, any);
    }
    return TRUE;
}

JsonObject *
tracuu_http_request_for(const char *path, const char *const *names, const char *const *values,
                        gsize n, gboolean *needs_auth, GError **error)
{
    static const char doc_prefix[] = "/api/doc/";
    g_autoptr(JsonObject) req = json_object_new();
    *needs_auth = TRUE;

    if (strcmp(path, "/healthz") == 0) {
        *needs_auth = FALSE;
        json_object_set_string_member(req, "op", "ping");
    } else if (strcmp(path, "/api/stats") == 0 || strcmp(path, "/metrics") == 0) {
        /* /metrics shows the figures of stats, as the caller may see them. */
        json_object_set_string_member(req, "op", "stats");
    } else if (is_file_path(path)) {
        /* Not a protocol op: handle() answers it with the original bytes (original.h). */
        const char *id = path + sizeof doc_prefix - 1;
        g_autofree char *doc = g_strndup(id, strlen(id) - strlen(file_suffix));
        json_object_set_string_member(req, "op", "file");
        json_object_set_string_member(req, "doc", doc);
    } else if (is_trace_path(path)) {
        /* ?depth=N&as_of=YYYY-MM-DD; the engine checks them as it checks the socket's. */
        const char *id = path + sizeof doc_prefix - 1;
        g_autofree char *doc = g_strndup(id, strlen(id) - strlen(trace_suffix));
        json_object_set_string_member(req, "op", "trace");
        json_object_set_string_member(req, "doc", doc);
        for (gsize i = 0; i < n; i++) {
            const char *v = values[i] ? values[i] : "";
            if (strcmp(names[i], "depth") == 0) {
                char *end = NULL;
                guint64 d = g_ascii_strtoull(v, &end, 10);
                if (*v == '\0' || *end != '\0' || d > 1000) {
                    g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                                "trace: depth must be a number from 0 to 1000");
                    return NULL;
                }
                json_object_set_int_member(req, "depth", (gint64)d);
            } else if (strcmp(names[i], "as_of") == 0) {
                json_object_set_string_member(req, "as_of", v);
            }
        }
    } else if (g_str_has_prefix(path, doc_prefix) && path[sizeof doc_prefix - 1] != '\0') {
        /* The id is the rest of the path: an attachment's holds '/' ("PARENT/N"). */
        json_object_set_string_member(req, "op", "get");
        json_object_set_string_member(req, "doc", path + sizeof doc_prefix - 1);
    } else if (strcmp(path, "/api/search") == 0) {
        json_object_set_string_member(req, "op", "search");
        g_autoptr(JsonObject) filters = json_object_new();
        for (gsize i = 0; i < n; i++)
            if (!add_search_param(req, filters, names[i], values[i] ? values[i] : "", error))
                return NULL;
        if (json_object_get_size(filters) > 0)
            json_object_set_object_member(req, "filters", g_steal_pointer(&filters));
    } else {
        g_autofree char *shown = g_utf8_make_valid(path, (gssize)MIN(strlen(path), 200));
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_NOT_FOUND,
                    "no such endpoint: %s (see docs/http-api.md)", shown);
        return NULL;
    }
    return g_steal_pointer(&req);
}

/* ---- Engines: a pool, one per thread at most, reopened after a reload ---- */

static pooled *
engine_take(tracuu_http_server *s, GError **error)
{
    gint now = g_atomic_int_get(s->opts.reloads);
    pooled *p = g_async_queue_try_pop(s->engines);
    if (p && p->reloads != now) {
        g_autoptr(GError) reopen_error = NULL;
        tracuu_engine *fresh = s->opts.open_engine(s->opts.open_engine_data, &reopen_error);
        if (fresh) {
            tracuu_engine_free(p->engine);
            p->engine = fresh;
        } else {
            /* As the socket's workers do: a reload must not take the service down. */
            tracuu_log_warning("http: cannot reopen the index: %s; keeping the reader it has",
                               reopen_error->message);
        }
        p->reloads = now;
    }
    if (p)
        return p;
    tracuu_engine *engine = s->opts.open_engine(s->opts.open_engine_data, error);
    if (!engine)
        return NULL;
    p = g_new0(pooled, 1);
    p->engine = engine;
    p->reloads = now;
    return p;
}

static void
pooled_free(gpointer data)
{
    pooled *p = data;
    tracuu_engine_free(p->engine);
    g_free(p);
}

/* ---- Answering ---- */

typedef struct {
    GPtrArray *names, *values; /* borrowed strings of libmicrohttpd's */
    gsize total;               /* bytes of names and values */
    gboolean bad_utf8, has_nul;
} args;

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
            size_t value_size)
{
    (void)kind;
    args *a = cls;
    a->total += key_size + value_size + 2;
    if (strlen(key) != key_size || (value && strlen(value) != value_size))
        a->has_nul = TRUE;
    if (!g_utf8_validate(key, (gssize)key_size, NULL) ||
        (value && !g_utf8_validate(value, (gssize)value_size, NULL)))
        a->bad_utf8 = TRUE;
    g_ptr_array_add(a->names, (gpointer)key);
    g_ptr_array_add(a->values, (gpointer)value);
    return MHD_YES;
}

static void
count_answer(tracuu_http_server *s, endpoint e, unsigned status, gint64 t0)
{
    char text[16];
    g_snprintf(text, sizeof text, "%u", status);
    tracuu_metrics_count(s->metrics, e, tracuu_metrics_index(s->metrics, 1, text), t0);
}

/* The metrics in the Prometheus text format: the HTTP API's, the socket's, and the figures of
 * @stats (the caller's). */
static char *
format_metrics(tracuu_http_server *s, JsonObject *stats, gsize *len)
{
    GString *out = g_string_new(NULL);
    tracuu_metrics_append(s->metrics, out);
    if (s->opts.socket_metrics)
        tracuu_metrics_append(s->opts.socket_metrics, out);
    tracuu_metrics_append_index(stats, out);
    *len = out->len;
    return g_string_free(out, FALSE);
}

/* Queues the answer, counted in the metrics under @e from @t0, with a Set-Cookie header when
 * @cookie is not NULL; @allow is the Allow header of a 405 (NULL: GET, HEAD). */
static enum MHD_Result
send_full(tracuu_http_server *s, endpoint e, gint64 t0, struct MHD_Connection *connection,
          unsigned status, const char *body, gsize len, const char *content_type,
          const char *cookie, const char *allow)
{
    count_answer(s, e, status, t0);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"tracuu\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow ? allow : "GET, HEAD");
    if (cookie)
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
    if (status == MHD_HTTP_TOO_MANY_REQUESTS || status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ok = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result
send_typed(tracuu_http_server *s, endpoint e, gint64 t0, struct MHD_Connection *connection,
           unsigned status, const char *body, gsize len, const char *content_type)
{
    return send_full(s, e, t0, connection, status, body, len, content_type, NULL, NULL);
}

static enum MHD_Result
send_answer(tracuu_http_server *s, const answer *st, struct MHD_Connection *connection,
            unsigned status, const char *body, gsize len)
{
    return send_typed(s, st->endpoint, st->t0, connection, status, body, len,
                      "application/json; charset=utf-8");
}

static enum MHD_Result
send_error(tracuu_http_server *s, const answer *st, struct MHD_Connection *connection,
           const char *code, const char *message)
{
    gsize len = 0;
    g_autofree char *body = tracuu_protocol_format_error(NULL, code, message, &len);
    return send_answer(s, st, connection, tracuu_http_status_for_code(code), body, len);
}

static void
bytes_release(void *bytes)
{
    g_bytes_unref(bytes);
}

/* The original bytes of a document: streamed from its file (from @o's fd, which the response
 * takes), or its attachment's bytes; for HEAD, libmicrohttpd sends the headers alone. */
static enum MHD_Result
send_original(tracuu_http_server *s, const answer *st, struct MHD_Connection *connection,
              tracuu_original *o)
{
    struct MHD_Response *r;
    if (o->bytes != NULL) {
        gsize len = 0;
        const void *data = g_bytes_get_data(o->bytes, &len);
        r = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)data, bytes_release,
                                                                   o->bytes);
        if (r)
            o->bytes = NULL;
    } else {
        r = MHD_create_response_from_fd_at_offset64(o->length, o->fd, o->offset);
        if (r)
            o->fd = -1;
    }
    if (!r)
        return send_error(s, st, connection, "internal", "file: cannot make the answer");
    count_answer(s, st->endpoint, MHD_HTTP_OK, st->t0);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, o->content_type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, o->disposition);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* An HTML or SVG attachment opened anyway runs nothing in the daemon's origin. */
    MHD_add_response_header(r, "Content-Security-Policy", "sandbox; default-src 'none'");
    enum MHD_Result ok = MHD_queue_response(connection, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

static char *
peer_of(struct MHD_Connection *connection, const struct sockaddr **sa_out)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    *sa_out = sa;
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (sa &&
        getnameinfo(sa,
                    sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in),
                    host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        return g_strdup_printf(strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
    return g_strdup("tcp");
}

/* The audit line, as the socket writes it: every get and every refused request. */
static void
audit(guint64 number, const char *peer, const char *user, const char *code, const char *op,
      const char *doc, const char *message, const char *url)
{
    g_autofree char *num = g_strdup_printf("http-%" G_GUINT64_FORMAT, number);
    /* A file download is audited as a get is, under its own name. */
    gboolean is_get = op && (strcmp(op, "get") == 0 || strcmp(op, "file") == 0);
    const GLogField fields[] = {{"TRACUU_CLIENT", num, -1},
                                {"TRACUU_PEER", peer, -1},
                                {"TRACUU_USER", user, -1},
                                {"TRACUU_CODE", code, -1},
                                {"TRACUU_AUDIT", is_get ? op : "refused", -1},
                                {"TRACUU_DOC", doc ? doc : "-", -1}};
    gsize n_fields = G_N_ELEMENTS(fields) - (is_get ? 0 : 1);
    g_autofree char *shown = g_utf8_make_valid(url, (gssize)MIN(strlen(url), 200));
    for (char *p = shown; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    if (strcmp(code, "ok") == 0)
        tracuu_log_fields(G_LOG_LEVEL_INFO, fields, n_fields, "client %s (%s): %s %s: ok", num,
                          peer, op, doc ? doc : "-");
    else
        tracuu_log_fields(G_LOG_LEVEL_INFO, fields, n_fields, "client %s (%s): %s: %s; request: %s",
                          num, peer, code, message, shown);
}

/* Reads "Authorization: Bearer TOKEN". Returns FALSE when there is no such header; otherwise
 * TRUE, with the token's hash in @hash, or *@malformed when it is not a bearer token. */
static gboolean
bearer_hash(struct MHD_Connection *connection, guint8 hash[TRACUU_TOKEN_HASH_LEN],
            gboolean *malformed)
{
    const char *h =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    *malformed = FALSE;
    if (!h)
        return FALSE;
    if (g_ascii_strncasecmp(h, "Bearer ", 7) != 0) {
        *malformed = TRUE;
        return TRUE;
    }
    const char *t = h + 7;
    while (*t == ' ')
        t++;
    gsize len = strlen(t);
    while (len > 0 && t[len - 1] == ' ')
        len--;
    if (len == 0 || len > TRACUU_PROTOCOL_MAX_TOKEN) {
        *malformed = TRUE;
        return TRUE;
    }
    tracuu_token_hash(t, len, hash);
    return TRUE;
}

/* Holds @connection's 401 back for @delay_ms; FALSE when too many are held already. */
static gboolean
hold(tracuu_http_server *s, struct MHD_Connection *connection, answer *a, gint64 delay_ms,
     const char *body, gsize len)
{
    g_mutex_lock(&s->held_lock);
    gboolean room = !s->stopping && s->held.length < MAX_HELD;
    g_mutex_unlock(&s->held_lock);
    if (!room)
        return FALSE;
    a->connection = connection;
    a->release_at = g_get_monotonic_time() + delay_ms * 1000;
    a->status = MHD_HTTP_UNAUTHORIZED;
    a->body = g_memdup2(body, len);
    a->len = len;
    /* Suspended before the timer can see it, so that its resume always follows. */
    MHD_suspend_connection(connection);
    g_mutex_lock(&s->held_lock);
    g_queue_push_tail(&s->held, a);
    g_cond_signal(&s->held_cond);
    g_mutex_unlock(&s->held_lock);
    return TRUE;
}

/* ---- Identity: the bearer token, else the session cookie, else the channel ---- */

/* The identity of the session whose token is @cookie, read under the configuration lock: its
 * user must still be in the configuration, with the password the session was opened with, so
 * that a reload that removes a user or changes a password closes their sessions. */
static tracuu_identity *
identity_for_cookie(tracuu_http_server *s, const char *cookie)
{
    guint8 stamp[TRACUU_SESSION_STAMP_LEN], now[TRACUU_SESSION_STAMP_LEN];
    g_autofree char *user = tracuu_session_table_lookup(s->sessions, cookie, stamp);
    if (!user)
        return NULL;
    const tracuu_conf_user *u = tracuu_conf_find_user(s->opts.conf, user);
    if (u && u->password) {
        tracuu_session_stamp(u->password, now);
        if (sodium_memcmp(stamp, now, sizeof now) == 0)
            return tracuu_identity_new_for_user(s->opts.conf, u, TRACUU_IDENTITY_VIA_SESSION);
    }
    /* Dropped, so that a user put back with the same line does not revive it. */
    tracuu_session_table_close(s->sessions, cookie);
    return NULL;
}

/* The session cookie of the request, or NULL (none, or not the shape of one of ours). */
static const char *
session_cookie(struct MHD_Connection *connection)
{
    const char *c = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, COOKIE_NAME);
    return c && *c && strlen(c) <= 64 ? c : NULL;
}

typedef struct {
    tracuu_identity *identity; /* NULL: none */
    gboolean has_token;        /* an Authorization header came */
    gboolean malformed;        /* ... that is no bearer token */
    gboolean login_required;   /* users are configured */
} caller;

/* Who asks, in the order of docs/http-api.md: "Authorization: Bearer", else the session
 * cookie, else what the channel gives (the local owner when no user is configured); read under
 * the lock that a reload takes to swap the configuration. A bad cookie is no identity, not a
 * failed authentication: browsers send stale cookies on their own. */
static void
resolve_caller(tracuu_http_server *s, struct MHD_Connection *connection, caller *c)
{
    guint8 hash[TRACUU_TOKEN_HASH_LEN];
    c->has_token = bearer_hash(connection, hash, &c->malformed);
    const char *cookie = c->has_token ? NULL : session_cookie(connection);
    c->identity = NULL;
    g_rw_lock_reader_lock(&s->conf_lock);
    c->login_required = tracuu_conf_get_n_users(s->opts.conf) > 0;
    if (c->has_token && !c->malformed)
        c->identity = tracuu_identity_for_token_hash(s->opts.conf, hash);
    else if (!c->has_token && cookie)
        c->identity = identity_for_cookie(s, cookie);
    if (!c->has_token && !c->identity)
        c->identity = tracuu_identity_for_peer(s->opts.conf, FALSE, 0);
    g_rw_lock_reader_unlock(&s->conf_lock);
    sodium_memzero(hash, sizeof hash);
}

/* A failed authentication (a bad bearer token, a wrong password): logged, counted for the
 * peer, and answered 401 after the peer's delay. */
static enum MHD_Result
refuse_auth(tracuu_http_server *s, answer *state, struct MHD_Connection *connection,
            const struct sockaddr *sa, const char *peer, guint64 number, const char *why)
{
    g_autofree char *key = tracuu_auth_delay_peer_key(sa, peer);
    guint count = 0;
    gint64 delay = tracuu_auth_delay_note_failure(s->opts.failures, key, &count);
    const GLogField fields[] = {{"TRACUU_PEER", peer, -1},
                                {"TRACUU_USER", "-", -1},
                                {"TRACUU_AUDIT", "refused", -1},
                                {"TRACUU_CODE", "unauthorized", -1}};
    tracuu_log_fields(G_LOG_LEVEL_WARNING, fields, G_N_ELEMENTS(fields),
                      "http client %" G_GUINT64_FORMAT " (%s): authentication failed: %s "
                      "(failure %u from %s; answer held back %" G_GINT64_FORMAT " ms)",
                      number, peer, why, count, key, delay);
    gsize len = 0;
    g_autofree char *body = tracuu_protocol_format_error(NULL, "unauthorized", why, &len);
    if (delay > 0 && !hold(s, connection, state, delay, body, len))
        return send_error(s, state, connection, "busy", "too many failed authentications waiting");
    if (delay > 0)
        return MHD_YES;
    return send_answer(s, state, connection, MHD_HTTP_UNAUTHORIZED, body, len);
}

/* ---- POST: the login form and logging out ---- */

static gboolean
is_post_path(const char *url)
{
    return strcmp(url, LOGIN_PATH) == 0 || strcmp(url, LOGOUT_PATH) == 0;
}

/*
 * Whether a POST may be a form of our own page and not one another site makes a browser send
 * (cross-site request forgery): a form's content type, which a cross-site fetch() cannot send
 * with credentials without asking first, and, when the browser names the page it came from
 * (Origin), this very server. SameSite=Strict already keeps the cookie off cross-site
 * requests; this also keeps a hostile page from logging a browser in as someone else.
 */
static gboolean
post_is_same_origin(tracuu_http_server *s, struct MHD_Connection *connection, char **why)
{
    static const char form_type[] = "application/x-www-form-urlencoded";
    const char *type =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    gsize n = sizeof form_type - 1;
    if (!type || g_ascii_strncasecmp(type, form_type, n) != 0 ||
        (type[n] != '\0' && type[n] != ';' && type[n] != ' ')) {
        *why = g_strdup("a POST must be a form: Content-Type: application/x-www-form-urlencoded");
        return FALSE;
    }
    const char *origin =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN);
    if (!origin)
        return TRUE;
    const char *host =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    g_autofree char *want =
        g_strdup_printf("%s://%s", s->opts.tls_cert_pem ? "https" : "http", host ? host : "");
    if (host && g_ascii_strcasecmp(origin, want) == 0)
        return TRUE;
    *why = g_strdup("a POST from another site (its Origin is not this server)");
    return FALSE;
}

/* The expired cookie that makes a browser forget the session. */
#define COOKIE_GONE COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

static enum MHD_Result
logout(tracuu_http_server *s, answer *state, struct MHD_Connection *connection, guint64 number,
       const char *peer)
{
    const char *cookie = session_cookie(connection);
    gboolean had = cookie && tracuu_session_table_close(s->sessions, cookie);
    if (had)
        tracuu_log_info("http client %" G_GUINT64_FORMAT " (%s): logged out", number, peer);
    g_autofree char *gone = g_strconcat(COOKIE_GONE, s->opts.tls_cert_pem ? "; Secure" : "", NULL);
    static const char body[] = "{\"ok\":true}\n";
    return send_full(s, state->endpoint, state->t0, connection, MHD_HTTP_OK, body, sizeof body - 1,
                     "application/json; charset=utf-8", gone, NULL);
}

/* The hash verified when the user is unknown or has no password, so that the answer takes as
 * long as for a wrong password and does not tell which user names exist. Made at the first
 * need (it costs what a verification costs); kept for the process. */
static const char *
dummy_hash(void)
{
    static gsize once;
    static char *hash;
    if (g_once_init_enter(&once)) {
        hash = tracuu_password_hash("tracuu: no such user", 20);
        g_once_init_leave(&once, 1);
    }
    return hash;
}

static enum MHD_Result
login(tracuu_http_server *s, answer *state, struct MHD_Connection *connection, const char *url,
      guint64 number, const char *peer, const struct sockaddr *sa)
{
    const char *text = state->form ? state->form->str : "";
    gsize text_len = state->form ? state->form->len : 0;
    g_autoptr(GHashTable) form = NULL;
    if (g_utf8_validate(text, (gssize)text_len, NULL) && !memchr(text, '\0', text_len))
        form = g_uri_parse_params(text, (gssize)text_len, "&", G_URI_PARAMS_WWW_FORM, NULL);
    const char *user = form ? g_hash_table_lookup(form, "user") : NULL;
    char *password = form ? g_hash_table_lookup(form, "password") : NULL;
    if (!user || !password || !g_utf8_validate(password, -1, NULL)) {
        const char *m = "the login form is user=NAME&password=PASSWORD, "
                        "application/x-www-form-urlencoded, in UTF-8";
        audit(number, peer, "-", "bad_request", NULL, NULL, m, url);
        return send_error(s, state, connection, "bad_request", m);
    }
    if (g_atomic_int_add(&s->verifying, 1) >= MAX_VERIFYING) {
        g_atomic_int_add(&s->verifying, -1);
        sodium_memzero(password, strlen(password));
        const char *m = "too many logins at once; try again in a moment";
        audit(number, peer, "-", "busy", NULL, NULL, m, url);
        return send_error(s, state, connection, "busy", m);
    }
    g_autofree char *hash = NULL;
    double hours = DEFAULT_SESSION_HOURS;
    g_rw_lock_reader_lock(&s->conf_lock);
    const tracuu_conf_user *u =
        tracuu_conf_user_name_is_valid(user) ? tracuu_conf_find_user(s->opts.conf, user) : NULL;
    hash = u && u->password ? g_strdup(u->password) : NULL;
    tracuu_conf_get_double(s->opts.conf, "searchd", "session-hours", &hours);
    g_rw_lock_reader_unlock(&s->conf_lock);
    /* Outside every lock: a verification takes tens of milliseconds. */
    const char *against = hash ? hash : dummy_hash();
    gboolean ok = against && tracuu_password_verify(against, password, strlen(password)) && hash;
    g_atomic_int_add(&s->verifying, -1);
    sodium_memzero(password, strlen(password));
    if (!ok)
        return refuse_auth(s, state, connection, sa, peer, number, "wrong user name or password");

    guint8 stamp[TRACUU_SESSION_STAMP_LEN];
    tracuu_session_stamp(hash, stamp);
    double secs = hours * 3600.0;
    g_autofree char *token =
        tracuu_session_table_open(s->sessions, user, stamp, (gint64)(secs * G_USEC_PER_SEC));
    g_autofree char *cookie = g_strdup_printf(
        COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%" G_GINT64_FORMAT "%s", token,
        MAX((gint64)secs, (gint64)1), s->opts.tls_cert_pem ? "; Secure" : "");
    sodium_memzero(token, strlen(token));
    const GLogField fields[] = {
        {"TRACUU_PEER", peer, -1}, {"TRACUU_USER", user, -1}, {"TRACUU_AUDIT", "login", -1}};
    tracuu_log_fields(G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS(fields),
                      "http client %" G_GUINT64_FORMAT " (%s): logged in as %s (session of %g h)",
                      number, peer, user, hours);
    g_autoptr(JsonObject) resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_string_member(resp, "user", user);
    gsize len = 0;
    g_autofree char *body = tracuu_protocol_format_response(NULL, resp, &len);
    enum MHD_Result r = send_full(s, state->endpoint, state->t0, connection, MHD_HTTP_OK, body, len,
                                  "application/json; charset=utf-8", cookie, NULL);
    sodium_memzero(cookie, strlen(cookie));
    return r;
}

static enum MHD_Result
handle_post(tracuu_http_server *s, answer *state, struct MHD_Connection *connection,
            const char *url, guint64 number, const char *peer, const struct sockaddr *sa)
{
    g_autofree char *why = NULL;
    const char *code = NULL;
    if (state->form_large) {
        code = "too_large";
        why = g_strdup_printf("a form of more than %d bytes", MAX_FORM);
    } else if (!post_is_same_origin(s, connection, &why)) {
        code = "forbidden";
    }
    if (code) {
        audit(number, peer, "-", code, NULL, NULL, why, url);
        return send_error(s, state, connection, code, why);
    }
    if (strcmp(url, LOGOUT_PATH) == 0)
        return logout(s, state, connection, number, peer);
    return login(s, state, connection, url, number, peer, sa);
}

/* GET /api/whoami: who the page is, and whether it needs the login form. */
static enum MHD_Result
whoami(tracuu_http_server *s, answer *state, struct MHD_Connection *connection, const caller *c)
{
    g_autoptr(JsonObject) resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    /* The local owner is nobody who logged in: null, as for no identity. */
    if (c->identity && c->identity->via != TRACUU_IDENTITY_VIA_LOCAL_OWNER)
        json_object_set_string_member(resp, "user", c->identity->user);
    else
        json_object_set_null_member(resp, "user");
    json_object_set_boolean_member(resp, "login_required", c->login_required);
    gsize len = 0;
    g_autofree char *body = tracuu_protocol_format_response(NULL, resp, &len);
    return send_answer(s, state, connection, MHD_HTTP_OK, body, len);
}

/* ---- The engine's requests, answered by a pool of workers of their own ---- */

/*
 * libmicrohttpd ties each connection to one thread of its pool, so that a request answered on
 * that thread waits behind the others of that thread while another thread may be idle (32
 * clients on 2 threads gave 0.64 of the socket's throughput, bench/http-bench.md). So the
 * connection is suspended and its request queued for workers shared by every connection, as
 * the socket's are; the worker leaves the answer in the request's state and resumes it, and
 * handle() then sends it (the path of a held-back 401).
 */
typedef struct {
    tracuu_http_server *s;
    answer *state;
    struct MHD_Connection *connection;
    tracuu_identity *identity; /* NULL: the endpoint needs none (healthz) */
    JsonObject *req;
    guint64 number;
    char *peer, *url;
} job;

static void
job_free(job *j)
{
    tracuu_identity_unref(j->identity);
    json_object_unref(j->req);
    g_free(j->peer);
    g_free(j->url);
    g_free(j);
}

/* Gives @p back to the pool, or drops it when the index could not be read (it may have been
 * rebuilt: a fresh reader next time). */
static void
engine_give_back(tracuu_http_server *s, pooled *p, const GError *error)
{
    if (error && error->domain == TRACUU_ENGINE_ERROR && error->code == TRACUU_ENGINE_ERROR_INDEX)
        pooled_free(p);
    else
        g_async_queue_push(s->engines, p);
}

/* The protocol's error code for @error (docs/protocol.md): an engine error's own, else
 * "internal" (a failure that is not the request's fault). */
static const char *
error_code_of(const GError *error)
{
    return error && error->domain == TRACUU_ENGINE_ERROR
               ? tracuu_engine_error_code_name(error->code)
               : "internal";
}

/* Sets @state's answer: @code's error object with its status. */
static void
set_error_answer(answer *state, const char *code, const char *message)
{
    state->status = tracuu_http_status_for_code(code);
    state->body = tracuu_protocol_format_error(NULL, code, message, &state->len);
}

static void
job_run(gpointer data, gpointer user_data)
{
    (void)user_data;
    job *j = data;
    tracuu_http_server *s = j->s;
    answer *state = j->state;
    gint64 t0 = g_get_monotonic_time();
    const char *op = json_object_get_string_member(j->req, "op");
    const char *doc = json_object_get_string_member_with_default(j->req, "doc", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) resp = NULL;
    pooled *p = engine_take(s, &error);
    if (p) {
        /* Counted with the socket's busy workers: a search is split over the cores only while
         * some core has no request of either channel (or splitting costs more than it gives). */
        if (s->opts.busy)
            g_atomic_int_inc(s->opts.busy);
        resp = j->identity ? tracuu_engine_handle_as(p->engine, j->identity, j->req, &error)
                           : tracuu_engine_handle(p->engine, j->req, &error);
        if (s->opts.busy)
            g_atomic_int_add(s->opts.busy, -1);
        engine_give_back(s, p, error);
    }
    const char *user = tracuu_identity_get_log_name(j->identity);
    if (resp) {
        if (strcmp(op, "get") == 0)
            audit(j->number, j->peer, user, "ok", op, doc, NULL, j->url);
        state->status = MHD_HTTP_OK;
        if (state->endpoint == EP_METRICS) {
            state->body = format_metrics(s, resp, &state->len);
            state->content_type = "text/plain; version=0.0.4; charset=utf-8";
        } else {
            state->body = tracuu_protocol_format_response(NULL, resp, &state->len);
        }
    } else {
        const char *code = error_code_of(error);
        const char *m = error ? error->message : "the request failed";
        audit(j->number, j->peer, user, code, op, doc, m, j->url);
        set_error_answer(state, code, m);
    }
    double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    if (ms > s->opts.slow_ms) {
        g_autofree char *shown = g_utf8_make_valid(j->url, (gssize)MIN(strlen(j->url), 200));
        tracuu_log_info("slow request (%.1f ms) from http client %" G_GUINT64_FORMAT ": %s", ms,
                        j->number, shown);
    }
    MHD_resume_connection(j->connection);
    job_free(j);
}

/* /api/doc/ID/file, on the connection's own thread: the bytes are streamed from the file by
 * libmicrohttpd, and only an attachment costs more than a get. */
static enum MHD_Result
send_file(tracuu_http_server *s, answer *state, struct MHD_Connection *connection,
          const tracuu_identity *identity, const char *doc, guint64 number, const char *peer,
          const char *url)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_original) original = NULL;
    pooled *p = engine_take(s, &error);
    if (p) {
        /* The fields come through the engine's own visibility filter: a hidden document is
         * not found, with the message of an id that no document has. */
        g_autoptr(JsonObject) fields =
            tracuu_engine_doc_fields_as(p->engine, identity, "file", doc, &error);
        if (fields)
            original = tracuu_original_open(fields, &error);
        engine_give_back(s, p, fields ? NULL : error);
    }
    const char *user = tracuu_identity_get_log_name(identity);
    if (original) {
        audit(number, peer, user, "ok", "file", doc, NULL, url);
        return send_original(s, state, connection, original);
    }
    const char *code = error_code_of(error);
    const char *m = error ? error->message : "the request failed";
    audit(number, peer, user, code, "file", doc, m, url);
    return send_error(s, state, connection, code, m);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    tracuu_http_server *s = cls;
    answer *state = *con_cls;
    gboolean is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    gboolean post_path = is_post_path(url);
    gboolean allowed = post_path ? is_post
                                 : strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
                                       strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    /* Answered at the last call, once the whole request is in: an answer queued before
     * would make libmicrohttpd close the connection after it (no keep-alive). */
    if (!state && allowed) {
        answer *fresh = g_new0(answer, 1);
        fresh->endpoint = endpoint_of(url);
        fresh->t0 = g_get_monotonic_time();
        fresh->is_post = is_post;
        *con_cls = fresh;
        /* A form announced as too long is refused before it is read: the answer goes at
         * once, and libmicrohttpd closes the connection rather than read the body. */
        const char *cl = is_post ? MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                               MHD_HTTP_HEADER_CONTENT_LENGTH)
                                 : NULL;
        guint64 announced = 0;
        if (cl && g_ascii_string_to_unsigned(cl, 10, 0, G_MAXUINT64, &announced, NULL) &&
            announced > MAX_FORM) {
            g_autofree char *msg = g_strdup_printf("a form of more than %d bytes", MAX_FORM);
            return send_error(s, fresh, connection, "too_large", msg);
        }
        return MHD_YES;
    }
    if (state && *upload_data_size) {
        /* A POST's form is kept up to MAX_FORM; a GET's body, and what passes the limit, are
         * dropped as they come. */
        if (state->is_post && !state->form_large) {
            if (!state->form)
                state->form = g_string_new(NULL);
            if (state->form->len + *upload_data_size > MAX_FORM) {
                state->form_large = TRUE;
                sodium_memzero(state->form->str, state->form->len);
                g_string_truncate(state->form, 0);
            } else {
                g_string_append_len(state->form, upload_data, (gssize)*upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (state && state->body) {
        /* Resumed: the held answer's time has come, or a worker has answered. */
        return send_typed(
            s, state->endpoint, state->t0, connection, state->status, state->body, state->len,
            state->content_type ? state->content_type : "application/json; charset=utf-8");
    }
    guint64 number = (guint)g_atomic_int_add(&s->next_number, 1) + 1u;
    const struct sockaddr *sa = NULL;
    g_autofree char *peer = peer_of(connection, &sa);

    if (!allowed) {
        /* Answered at the first call, so without a state of its own: libmicrohttpd then
         * closes the connection rather than read a body it was not asked to. */
        const answer refused = {.endpoint = endpoint_of(url), .t0 = g_get_monotonic_time()};
        const char *allow = post_path ? "POST" : "GET, HEAD";
        g_autofree char *msg = g_strdup_printf("%s is not allowed here: only %s",
                                               g_utf8_validate(method, -1, NULL) ? method : "?",
                                               post_path ? "POST" : "GET and HEAD");
        audit(number, peer, "-", "method_not_allowed", NULL, NULL, msg, url);
        gsize len = 0;
        g_autofree char *body = tracuu_protocol_format_error(NULL, "method_not_allowed", msg, &len);
        return send_full(s, refused.endpoint, refused.t0, connection, MHD_HTTP_METHOD_NOT_ALLOWED,
                         body, len, "application/json; charset=utf-8", NULL, allow);
    }
    if (state->is_post)
        return handle_post(s, state, connection, url, number, peer, sa);
    if (tracuu_http_assets_owns(url)) {
        /* The page (http-assets.h): static, no identity needed; the API it calls wants one. */
        unsigned status = 0;
        enum MHD_Result ok = tracuu_http_assets_answer(connection, method, url, &status);
        count_answer(s, state->endpoint, status, state->t0);
        return ok;
    }

    args a = {g_ptr_array_new(), g_ptr_array_new(), strlen(url), FALSE, FALSE};
    MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    const char *code = NULL;
    g_autofree char *msg = NULL;
    if (a.total > TRACUU_HTTP_MAX_QUERY) {
        code = "too_large";
        msg = g_strdup_printf("the request is longer than %d bytes", TRACUU_HTTP_MAX_QUERY);
    } else if (a.bad_utf8 || !g_utf8_validate(url, -1, NULL)) {
        code = "bad_request";
        msg = g_strdup("the path and the query parameters must be UTF-8 (percent-encoded)");
    } else if (a.has_nul) {
        code = "bad_request";
        msg = g_strdup("a query parameter holds a NUL byte (%00)");
    }
    g_autoptr(GError) error = NULL;
    gboolean is_whoami = strcmp(url, WHOAMI_PATH) == 0;
    gboolean needs_auth = !is_whoami;
    g_autoptr(JsonObject) req = NULL;
    if (!code && !is_whoami) {
        req = tracuu_http_request_for(url, (const char *const *)a.names->pdata,
                                      (const char *const *)a.values->pdata, a.names->len,
                                      &needs_auth, &error);
        if (!req) {
            code = tracuu_engine_error_code_name(error->code);
            msg = g_strdup(error->message);
            g_clear_error(&error);
        }
    }
    g_ptr_array_unref(a.names);
    g_ptr_array_unref(a.values);
    if (code) {
        audit(number, peer, "-", code, NULL, NULL, msg, url);
        return send_error(s, state, connection, code, msg);
    }
    const char *op = req ? json_object_get_string_member(req, "op") : "whoami";
    const char *doc = req ? json_object_get_string_member_with_default(req, "doc", NULL) : NULL;

    caller c;
    resolve_caller(s, connection, &c);
    g_autoptr(tracuu_identity) identity = c.identity;
    if (c.has_token && !identity)
        return refuse_auth(s, state, connection, sa, peer, number,
                           c.malformed ? "not a bearer token" : "unknown token");
    if (is_whoami)
        return whoami(s, state, connection, &c);
    if (!identity && needs_auth) {
        msg = g_strdup("log in first (POST /api/login) or send the header Authorization: "
                       "Bearer TOKEN");
        audit(number, peer, "-", "unauthorized", op, doc, msg, url);
        return send_error(s, state, connection, "unauthorized", msg);
    }

    if (strcmp(op, "file") == 0)
        return send_file(s, state, connection, identity, doc, number, peer, url);
    job *j = g_new0(job, 1);
    *j = (job){.s = s,
               .state = state,
               .connection = connection,
               .identity = g_steal_pointer(&identity),
               .req = g_steal_pointer(&req),
               .number = number,
               .peer = g_steal_pointer(&peer),
               .url = g_strdup(url)};
    /* Suspended before a worker can see it, so that its resume always follows. */
    MHD_suspend_connection(connection);
    g_mutex_lock(&s->held_lock);
    gboolean queued = !s->stopping && g_thread_pool_push(s->workers, j, NULL);
    g_mutex_unlock(&s->held_lock);
    if (!queued) {
        MHD_resume_connection(connection);
        job_free(j);
        return send_error(s, state, connection, "busy", "tracuu-searchd is stopping");
    }
    return MHD_YES;
}

static void
completed(void *cls, struct MHD_Connection *connection, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    answer *a = *con_cls;
    if (a) {
        g_free(a->body);
        if (a->form) {
            sodium_memzero(a->form->str, a->form->len); /* it held a password */
            g_string_free(a->form, TRUE);
        }
        g_free(a);
        *con_cls = NULL;
    }
}

/* Resumes the held connections whose time has come (all when stopping). */
static gpointer
timer_main(gpointer data)
{
    tracuu_http_server *s = data;
    g_mutex_lock(&s->held_lock);
    for (;;) {
        gint64 now = g_get_monotonic_time();
        GSList *due = NULL;
        gint64 next = G_MAXINT64;
        for (GList *l = s->held.head; l;) {
            GList *following = l->next;
            answer *a = l->data;
            if (s->stopping || a->release_at <= now) {
                due = g_slist_prepend(due, a->connection);
                g_queue_delete_link(&s->held, l);
            } else {
                next = MIN(next, a->release_at);
            }
            l = following;
        }
        gboolean stop = s->stopping;
        if (due) {
            /* Not under the lock: a request being handled takes it to hold its answer. */
            g_mutex_unlock(&s->held_lock);
            for (GSList *l = due; l; l = l->next)
                MHD_resume_connection(l->data);
            g_slist_free(due);
            g_mutex_lock(&s->held_lock);
            continue;
        }
        if (stop)
            break;
        if (next == G_MAXINT64)
            g_cond_wait(&s->held_cond, &s->held_lock);
        else
            g_cond_wait_until(&s->held_cond, &s->held_lock, next);
    }
    g_mutex_unlock(&s->held_lock);
    return NULL;
}

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    g_strchomp(buf);
    tracuu_log_warning("http: %s", buf);
}

tracuu_http_server *
tracuu_http_server_new(const tracuu_http_options *opts, GError **error)
{
    tracuu_http_server *s = g_new0(tracuu_http_server, 1);
    s->opts = *opts;
    g_rw_lock_init(&s->conf_lock);
    s->engines = g_async_queue_new_full(pooled_free);
    g_mutex_init(&s->held_lock);
    g_cond_init(&s->held_cond);
    g_queue_init(&s->held);
    s->sessions = tracuu_session_table_new(MAX_SESSIONS);
    for (int e = 0; e < N_ENDPOINTS; e++)
        s->endpoint_names[e] = endpoint_table[e].name;
    s->metrics_spec = (tracuu_metrics_spec){
        .prefix = "tracuu_http",
        .what = "HTTP requests",
        .label = {"endpoint", "status"},
        .values = {s->endpoint_names, metric_statuses},
        .n_values = {N_ENDPOINTS, G_N_ELEMENTS(metric_statuses)},
    };
    s->metrics = tracuu_metrics_new(&s->metrics_spec);
    s->timer = g_thread_new("tracuu-http-timer", timer_main, s);
    s->workers = g_thread_pool_new(job_run, NULL, (gint)MAX(opts->threads, 1u), TRUE, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    gboolean tls = opts->tls_cert_pem != NULL;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "--tls-cert: this libmicrohttpd (%s) was built without TLS (GnuTLS)",
                    MHD_get_version());
        close(opts->listen_fd);
        tracuu_http_server_free(s);
        return NULL;
    }
    if (tls)
        flags |= MHD_USE_TLS;
    /* Without TLS the two key options are given no value: MHD_OPTION_ARRAY lets the list of
     * options be the same either way. */
    struct MHD_OptionItem tls_options[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)opts->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opts->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, s,
        MHD_OPTION_LISTEN_SOCKET, opts->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)MAX(opts->threads, 1u), MHD_OPTION_CONNECTION_LIMIT, MAX(opts->max_clients, 1u),
        MHD_OPTION_CONNECTION_TIMEOUT, opts->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)TRACUU_HTTP_MAX_HEAD, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        TRACUU_HTTP_ASSETS_PATH_OPTIONS, MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
    if (!s->mhd) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    tls ? "cannot start the HTTP server over TLS (libmicrohttpd %s): are "
                          "--tls-cert and --tls-key a PEM certificate and its key?"
                        : "cannot start the HTTP server (libmicrohttpd %s)",
                    MHD_get_version());
        close(opts->listen_fd);
        tracuu_http_server_free(s);
        return NULL;
    }
    return s;
}

void
tracuu_http_server_set_conf(tracuu_http_server *server, const tracuu_conf *conf)
{
    g_rw_lock_writer_lock(&server->conf_lock);
    server->opts.conf = conf;
    g_rw_lock_writer_unlock(&server->conf_lock);
}

void
tracuu_http_server_free(tracuu_http_server *server)
{
    if (!server)
        return;
    /* The held answers go out first (a suspended connection must be resumed before the
     * daemon stops); then the threads finish the requests in hand and stop. */
    g_mutex_lock(&server->held_lock);
    server->stopping = TRUE;
    g_cond_signal(&server->held_cond);
    g_mutex_unlock(&server->held_lock);
    /* The queued requests are answered (their connections resumed) while the daemon runs. */
    if (server->workers)
        g_thread_pool_free(server->workers, FALSE, TRUE);
    g_thread_join(server->timer);
    if (server->mhd)
        MHD_stop_daemon(server->mhd);
    g_async_queue_unref(server->engines);
    g_mutex_clear(&server->held_lock);
    g_cond_clear(&server->held_cond);
    g_rw_lock_clear(&server->conf_lock);
    tracuu_session_table_free(server->sessions);
    tracuu_metrics_free(server->metrics);
    g_free(server);
}
