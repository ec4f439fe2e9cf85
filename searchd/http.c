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
#include "protocol.h"
#include "tracuu-log.h"

/*
 * libmicrohttpd reads and checks the request line and headers (within the memory limit), runs
 * the connections on a pool of threads and calls handle() once per request; handle() answers
 * at once, on that thread, except a failed authentication, whose connection is suspended and
 * resumed by the timer thread when the peer's delay has passed (auth-delay.h), so that a
 * guesser waits without holding a thread that serves others.
 */

/* Failed-auth answers held back at once; past that, more are answered 429 "busy" at once. */
#define MAX_HELD 1024

typedef struct {
    tracuu_engine *engine;
    gint reloads; /* the daemon's reload count when it was opened */
} pooled;

/* The endpoints, for the metrics: what a request's path names (tracuu_http_request_for()
 * maps it onto the protocol). */
typedef enum {
    EP_SEARCH,
    EP_DOC,
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
    [EP_STATS] = {"stats", "/api/stats", FALSE},    [EP_HEALTHZ] = {"healthz", "/healthz", FALSE},
    [EP_METRICS] = {"metrics", "/metrics", FALSE},  [EP_OTHER] = {"other", NULL, FALSE},
};

static endpoint
endpoint_of(const char *path)
{
    for (int e = 0; e < EP_OTHER; e++) {
        const char *p = endpoint_table[e].path;
        if (endpoint_table[e].prefix ? g_str_has_prefix(path, p) : strcmp(path, p) == 0)
            return (endpoint)e;
    }
    return EP_OTHER;
}

/* The statuses counted apart in the metrics; any other is counted as the last, "other". */
static const unsigned metric_statuses[] = {200, 400, 401, 404, 405, 413, 429, 500, 503};
#define N_STATUSES (G_N_ELEMENTS(metric_statuses) + 1)
/* Upper bounds of the latency histogram's buckets, in seconds (Prometheus' own defaults). */
static const double latency_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,    1,     2.5,  5,     10};

typedef struct {
    GMutex lock;
    guint64 requests[N_ENDPOINTS][N_STATUSES];
    guint64 buckets[G_N_ELEMENTS(latency_bounds)]; /* not cumulative: each its own range */
    guint64 count;
    double sum; /* seconds */
} metrics;

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
    metrics m;
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
    {"not_found", MHD_HTTP_NOT_FOUND},
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
    static const char *const single[] = {"q", "offset", "limit", "sort"};
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
    } else if (g_str_has_prefix(path, doc_prefix) && path[sizeof doc_prefix - 1] != '\0') {
        /* The id may hold "/": an attachment's is its mail's id and its number ("f92416fd/1"),
         * which the page sends as f92416fd%2F1. The engine knows the ids; any other is 404. */
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
    double secs = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    guint si = 0;
    while (si < G_N_ELEMENTS(metric_statuses) && metric_statuses[si] != status)
        si++;
    g_mutex_lock(&s->m.lock);
    s->m.requests[e][si]++;
    for (guint b = 0; b < G_N_ELEMENTS(latency_bounds); b++)
        if (secs <= latency_bounds[b]) {
            s->m.buckets[b]++;
            break;
        }
    s->m.count++;
    s->m.sum += secs;
    g_mutex_unlock(&s->m.lock);
}

/* The metrics in the Prometheus text format, with the figures of @stats (the caller's). */
static char *
format_metrics(tracuu_http_server *s, JsonObject *stats, gsize *len)
{
    GString *out = g_string_new(NULL);
    g_string_append(out, "# HELP tracuu_http_requests_total HTTP requests answered, by endpoint "
                         "and status.\n# TYPE tracuu_http_requests_total counter\n");
    g_mutex_lock(&s->m.lock);
    for (int e = 0; e < N_ENDPOINTS; e++)
        for (guint si = 0; si < N_STATUSES; si++) {
            char status[16];
            if (si < G_N_ELEMENTS(metric_statuses))
                g_snprintf(status, sizeof status, "%u", metric_statuses[si]);
            else
                g_strlcpy(status, "other", sizeof status);
            g_string_append_printf(out,
                                   "tracuu_http_requests_total{endpoint=\"%s\",status=\"%s\"} "
                                   "%" G_GUINT64_FORMAT "\n",
                                   endpoint_table[e].name, status, s->m.requests[e][si]);
        }
    g_string_append(out, "# HELP tracuu_http_request_duration_seconds Time from a request's "
                         "arrival to its answer.\n"
                         "# TYPE tracuu_http_request_duration_seconds histogram\n");
    guint64 cumulative = 0;
    for (guint b = 0; b < G_N_ELEMENTS(latency_bounds); b++) {
        cumulative += s->m.buckets[b];
        char le[TRACUU_PROTOCOL_DOUBLE_BUF];
        tracuu_protocol_format_double(latency_bounds[b], le);
        g_string_append_printf(out,
                               "tracuu_http_request_duration_seconds_bucket{le=\"%s\"} "
                               "%" G_GUINT64_FORMAT "\n",
                               le, cumulative);
    }
    char sum[TRACUU_PROTOCOL_DOUBLE_BUF];
    tracuu_protocol_format_double(s->m.sum, sum);
    g_string_append_printf(out,
                           "tracuu_http_request_duration_seconds_bucket{le=\"+Inf\"} "
                           "%" G_GUINT64_FORMAT "\n"
                           "tracuu_http_request_duration_seconds_sum %s\n"
                           "tracuu_http_request_duration_seconds_count %" G_GUINT64_FORMAT "\n",
                           s->m.count, sum, s->m.count);
    g_mutex_unlock(&s->m.lock);
    g_string_append_printf(out,
                           "# HELP tracuu_documents Documents in the index that the caller may "
                           "see.\n# TYPE tracuu_documents gauge\ntracuu_documents %" G_GINT64_FORMAT
                           "\n",
                           json_object_get_int_member_with_default(stats, "docs", 0));
    /* The revision is the whole index's: stats gives it to admins only, and so do these. */
    if (json_object_has_member(stats, "revision"))
        g_string_append_printf(out,
                               "# HELP tracuu_index_revision The revision of the index read.\n"
                               "# TYPE tracuu_index_revision gauge\n"
                               "tracuu_index_revision %" G_GINT64_FORMAT "\n",
                               json_object_get_int_member(stats, "revision"));
    *len = out->len;
    return g_string_free(out, FALSE);
}

/* Queues the answer, counted in the metrics under @e from @t0. */
static enum MHD_Result
send_typed(tracuu_http_server *s, endpoint e, gint64 t0, struct MHD_Connection *connection,
           unsigned status, const char *body, gsize len, const char *content_type)
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
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    if (status == MHD_HTTP_TOO_MANY_REQUESTS || status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ok = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    return ok;
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
    gboolean is_get = op && strcmp(op, "get") == 0;
    const GLogField fields[] = {{"TRACUU_CLIENT", num, -1},
                                {"TRACUU_PEER", peer, -1},
                                {"TRACUU_USER", user, -1},
                                {"TRACUU_CODE", code, -1},
                                {"TRACUU_AUDIT", is_get ? "get" : "refused", -1},
                                {"TRACUU_DOC", doc ? doc : "-", -1}};
    gsize n_fields = G_N_ELEMENTS(fields) - (is_get ? 0 : 1);
    g_autofree char *shown = g_utf8_make_valid(url, (gssize)MIN(strlen(url), 200));
    for (char *p = shown; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    if (strcmp(code, "ok") == 0)
        tracuu_log_fields(G_LOG_LEVEL_INFO, fields, n_fields, "client %s (%s): get %s: ok", num,
                          peer, doc ? doc : "-");
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

static enum MHD_Result
handle(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    tracuu_http_server *s = cls;
    answer *state = *con_cls;
    gboolean allowed =
        strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    /* Answered at the last call, once the whole request is in: an answer queued before
     * would make libmicrohttpd close the connection after it (no keep-alive). */
    if (!state && allowed) {
        answer *fresh = g_new0(answer, 1);
        fresh->endpoint = endpoint_of(url);
        fresh->t0 = g_get_monotonic_time();
        *con_cls = fresh;
        return MHD_YES;
    }
    if (state && *upload_data_size) {
        *upload_data_size = 0; /* a GET with a body: the body is dropped */
        return MHD_YES;
    }
    if (state && state->body) {
        /* Resumed: the held answer's time has come. */
        return send_answer(s, state, connection, state->status, state->body, state->len);
    }
    gint64 t0 = g_get_monotonic_time();
    guint64 number = (guint)g_atomic_int_add(&s->next_number, 1) + 1u;
    const struct sockaddr *sa = NULL;
    g_autofree char *peer = peer_of(connection, &sa);

    if (!allowed) {
        /* Answered at the first call, so without a state of its own: libmicrohttpd then
         * closes the connection rather than read a body it was not asked to. */
        const answer refused = {.endpoint = endpoint_of(url), .t0 = g_get_monotonic_time()};
        state = (answer *)&refused;
        g_autofree char *msg = g_strdup_printf("%s is not allowed here: only GET and HEAD",
                                               g_utf8_validate(method, -1, NULL) ? method : "?");
        audit(number, peer, "-", "method_not_allowed", NULL, NULL, msg, url);
        return send_error(s, state, connection, "method_not_allowed", msg);
    }
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
    gboolean needs_auth = TRUE;
    g_autoptr(JsonObject) req = NULL;
    if (!code) {
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
    const char *op = json_object_get_string_member(req, "op");
    const char *doc = json_object_get_string_member_with_default(req, "doc", NULL);

    /* Who asks: the bearer token's user, else what the channel gives (the local owner when no
     * user is configured), read under the lock that a reload takes to swap the configuration. */
    guint8 hash[TRACUU_TOKEN_HASH_LEN];
    gboolean malformed = FALSE;
    gboolean has_token = bearer_hash(connection, hash, &malformed);
    g_autoptr(tracuu_identity) identity = NULL;
    g_rw_lock_reader_lock(&s->conf_lock);
    if (has_token && !malformed)
        identity = tracuu_identity_for_token_hash(s->opts.conf, hash);
    else if (!has_token)
        identity = tracuu_identity_for_peer(s->opts.conf, FALSE, 0);
    g_rw_lock_reader_unlock(&s->conf_lock);
    sodium_memzero(hash, sizeof hash);

    if (has_token && !identity) {
        g_autofree char *key = tracuu_auth_delay_peer_key(sa, peer);
        guint count = 0;
        gint64 delay = tracuu_auth_delay_note_failure(s->opts.failures, key, &count);
        const char *why = malformed ? "not a bearer token" : "unknown token";
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
            return send_error(s, state, connection, "busy",
                              "too many failed authentications waiting");
        if (delay > 0)
            return MHD_YES;
        return send_answer(s, state, connection, MHD_HTTP_UNAUTHORIZED, body, len);
    }
    if (!identity && needs_auth) {
        msg = g_strdup("authenticate first: send the header Authorization: Bearer TOKEN");
        audit(number, peer, "-", "unauthorized", op, doc, msg, url);
        return send_error(s, state, connection, "unauthorized", msg);
    }

    g_autoptr(JsonObject) resp = NULL;
    pooled *p = engine_take(s, &error);
    if (p) {
        resp = identity ? tracuu_engine_handle_as(p->engine, identity, req, &error)
                        : tracuu_engine_handle(p->engine, req, &error);
        if (!resp && error && error->domain == TRACUU_ENGINE_ERROR &&
            error->code == TRACUU_ENGINE_ERROR_INDEX) {
            /* The index may have been rebuilt: a fresh reader next time. */
            pooled_free(p);
        } else {
            g_async_queue_push(s->engines, p);
        }
    }
    enum MHD_Result ok;
    const char *user = tracuu_identity_get_log_name(identity);
    if (resp) {
        gsize len = 0;
        if (strcmp(op, "get") == 0)
            audit(number, peer, user, "ok", op, doc, NULL, url);
        if (state->endpoint == EP_METRICS) {
            g_autofree char *text = format_metrics(s, resp, &len);
            ok = send_typed(s, state->endpoint, state->t0, connection, MHD_HTTP_OK, text, len,
                            "text/plain; version=0.0.4; charset=utf-8");
        } else {
            g_autofree char *body = tracuu_protocol_format_response(NULL, resp, &len);
            ok = send_answer(s, state, connection, MHD_HTTP_OK, body, len);
        }
    } else {
        code = error && error->domain == TRACUU_ENGINE_ERROR
                   ? tracuu_engine_error_code_name(error->code)
                   : "internal";
        const char *m = error ? error->message : "the request failed";
        audit(number, peer, user, code, op, doc, m, url);
        ok = send_error(s, state, connection, code, m);
    }
    double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    if (ms > s->opts.slow_ms) {
        g_autofree char *shown = g_utf8_make_valid(url, (gssize)MIN(strlen(url), 200));
        tracuu_log_info("slow request (%.1f ms) from http client %" G_GUINT64_FORMAT ": %s", ms,
                        number, shown);
    }
    return ok;
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
    g_mutex_init(&s->m.lock);
    s->timer = g_thread_new("tracuu-http-timer", timer_main, s);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, s,
        MHD_OPTION_LISTEN_SOCKET, opts->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)MAX(opts->threads, 1u), MHD_OPTION_CONNECTION_LIMIT, MAX(opts->max_clients, 1u),
        MHD_OPTION_CONNECTION_TIMEOUT, opts->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)TRACUU_HTTP_MAX_HEAD, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
        TRACUU_HTTP_ASSETS_PATH_OPTIONS, MHD_OPTION_END);
    if (!s->mhd) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "cannot start the HTTP server (libmicrohttpd %s)", MHD_get_version());
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
    g_thread_join(server->timer);
    if (server->mhd)
        MHD_stop_daemon(server->mhd);
    g_async_queue_unref(server->engines);
    g_mutex_clear(&server->held_lock);
    g_cond_clear(&server->held_cond);
    g_rw_lock_clear(&server->conf_lock);
    g_mutex_clear(&server->m.lock);
    g_free(server);
}
