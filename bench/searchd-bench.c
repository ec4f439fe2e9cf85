/* searchd-bench.c - load generator for tracuu-searchd and the SQLite FTS5 server beside it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "protocol.h"
#include "tracuu-engine.h"

/*
 * Modes (bench/searchd-bench.sh drives them):
 *   load SOCKET QUERIES CONCURRENCY N      N search requests over CONCURRENCY connections
 *   fts5-serve DB SOCKET MODE              the same protocol answered by SQLite FTS5
 *   fts5-inproc DB QUERIES N MODE          FTS5 queries in this process, one thread
 *   engine-inproc DB QUERIES N             tracuu_engine_handle() in this process, one thread
 * MODE is "and" (every word required, FTS5's own default) or "or".
 * Each mode that measures prints one line:
 *   RESULT <label> conc=<C> n=<N> p50_ms=<..> p99_ms=<..> mean_ms=<..> qps=<..> errors=<E>
 * and, over a socket, took_p50_ms=<..>: the median of the servers' own "took_ms".
 * Both servers get the same request, {"op":"search","q":...,"limit":10}, and both answer with
 * the total, the ten best hits and a highlighted snippet for each, so the work is alike.
 */

#define LIMIT 10

static GPtrArray *
read_queries(const char *path)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        fprintf(stderr, "searchd-bench: %s\n", error->message);
        exit(1);
    }
    GPtrArray *qs = g_ptr_array_new_with_free_func(g_free);
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        if (**l)
            g_ptr_array_add(qs, g_strdup(*l));
    g_strfreev(lines);
    if (qs->len == 0) {
        fprintf(stderr, "searchd-bench: no queries in %s\n", path);
        exit(1);
    }
    return qs;
}

static char *
search_request(const char *q)
{
    g_autoptr(JsonObject) o = json_object_new();
    json_object_set_string_member(o, "op", "search");
    json_object_set_string_member(o, "q", q);
    json_object_set_int_member(o, "limit", LIMIT);
    return tracuu_protocol_format_response(NULL, o, NULL);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/*
 * Prints the RESULT line; @took (or NULL) holds the servers' own "took_ms" of each answer, whose
 * median is printed too (took_p50_ms), to tell the time spent answering from the transport.
 */
static void
report(const char *label, int conc, GArray *lat, GArray *took, double wall_s, int errors)
{
    g_array_sort(lat, cmp_double);
    double took_p50 = -1;
    if (took != NULL && took->len > 0) {
        g_array_sort(took, cmp_double);
        took_p50 = g_array_index(took, double, (took->len - 1) / 2);
    }
    double sum = 0;
    for (guint i = 0; i < lat->len; i++)
        sum += g_array_index(lat, double, i);
    guint n = lat->len;
    double p50 = n ? g_array_index(lat, double, (guint)((n - 1) * 0.50)) : 0;
    double p99 = n ? g_array_index(lat, double, (guint)ceil((n - 1) * 0.99)) : 0;
    printf("RESULT %s conc=%d n=%u p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f qps=%.1f errors=%d",
           label, conc, n, p50, p99, n ? sum / n : 0, wall_s > 0 ? n / wall_s : 0, errors);
    if (took_p50 >= 0)
        printf(" took_p50_ms=%.3f", took_p50);
    printf("\n");
    fflush(stdout);
}

/* ---- load: clients over a socket ---- */

typedef struct {
    const char *socket_path;
    GPtrArray *queries;
    gint next;
    gint total;
    GMutex lock;
    GArray *lat;
    GArray *took;
    int errors;
} load_state;

static int
connect_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static gpointer
load_client(gpointer data)
{
    load_state *s = data;
    int fd = connect_unix(s->socket_path);
    GArray *mine = g_array_new(FALSE, FALSE, sizeof(double));
    GArray *mine_took = g_array_new(FALSE, FALSE, sizeof(double));
    int errors = 0;
    GString *in = g_string_new(NULL);
    char buf[65536];

    if (fd < 0) {
        fprintf(stderr, "searchd-bench: cannot connect to %s: %s\n", s->socket_path,
                g_strerror(errno));
        errors = 1;
        goto out;
    }
    for (;;) {
        gint i = g_atomic_int_add(&s->next, 1);
        if (i >= s->total)
            break;
        g_autofree char *req = search_request(g_ptr_array_index(s->queries, i % s->queries->len));
        gint64 t0 = g_get_monotonic_time();
        gsize len = strlen(req), off = 0;
        while (off < len) {
            ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
            if (n <= 0)
                goto broken;
            off += (gsize)n;
        }
        char *nl = NULL;
        while (!(nl = memchr(in->str, '\n', in->len))) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                goto broken;
            g_string_append_len(in, buf, n);
        }
        double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
        *nl = '\0';
        /* Both servers put "ok" first; an error answer is counted, not timed. */
        if (strstr(in->str, "\"ok\":true")) {
            g_array_append_val(mine, ms);
            const char *t = strstr(in->str, "\"took_ms\":");
            if (t != NULL) {
                double v = g_ascii_strtod(t + strlen("\"took_ms\":"), NULL);
                g_array_append_val(mine_took, v);
            }
        } else
            errors++;
        g_string_erase(in, 0, (gssize)(nl - in->str) + 1);
    }
    goto out;
broken:
    errors++;
    fprintf(stderr, "searchd-bench: connection lost\n");
out:
    if (fd >= 0)
        close(fd);
    g_mutex_lock(&s->lock);
    g_array_append_vals(s->lat, mine->data, mine->len);
    g_array_append_vals(s->took, mine_took->data, mine_took->len);
    s->errors += errors;
    g_mutex_unlock(&s->lock);
    g_array_free(mine, TRUE);
    g_array_free(mine_took, TRUE);
    g_string_free(in, TRUE);
    return NULL;
}

static int
run_load(const char *label, const char *socket_path, const char *queries, int conc, int n)
{
    load_state s = {.socket_path = socket_path, .total = n};
    s.queries = read_queries(queries);
    s.lat = g_array_new(FALSE, FALSE, sizeof(double));
    s.took = g_array_new(FALSE, FALSE, sizeof(double));
    g_mutex_init(&s.lock);
    GThread **t = g_new(GThread *, conc);
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < conc; i++)
        t[i] = g_thread_new("load", load_client, &s);
    for (int i = 0; i < conc; i++)
        g_thread_join(t[i]);
    double wall = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    report(label, conc, s.lat, s.took, wall, s.errors);
    g_free(t);
    g_array_free(s.lat, TRUE);
    g_array_free(s.took, TRUE);
    g_ptr_array_unref(s.queries);
    g_mutex_clear(&s.lock);
    return s.errors ? 1 : 0;
}

/* ---- FTS5 ---- */

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *count;
    sqlite3_stmt *top;
    gboolean or_mode;
} fts;

static fts *
fts_open(const char *path, gboolean or_mode)
{
    fts *f = g_new0(fts, 1);
    f->or_mode = or_mode;
    if (sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "SELECT count(*) FROM docs WHERE docs MATCH ?1", -1,
                           &f->count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db,
                           "SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 24), "
                           "rank FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2",
                           -1, &f->top, NULL) != SQLITE_OK) {
        fprintf(stderr, "searchd-bench: %s: %s\n", path, sqlite3_errmsg(f->db));
        exit(1);
    }
    return f;
}

static void
fts_close(fts *f)
{
    sqlite3_finalize(f->count);
    sqlite3_finalize(f->top);
    sqlite3_close(f->db);
    g_free(f);
}

/* The query's words, each quoted (so that no word is read as FTS5 syntax), joined by AND or
 * OR. */
static char *
fts_query(const char *q, gboolean or_mode)
{
    GString *s = g_string_new(NULL);
    char **words = g_strsplit_set(q, " \t", -1);
    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        if (s->len)
            g_string_append(s, or_mode ? " OR " : " ");
        g_string_append_c(s, '"');
        for (const char *p = *w; *p; p++) {
            if (*p == '"')
                g_string_append_c(s, '"');
            g_string_append_c(s, *p);
        }
        g_string_append_c(s, '"');
    }
    g_strfreev(words);
    return g_string_free(s, FALSE);
}

/* Answers a search like the engine: total, hits with id, title, snippet and score. */
static JsonObject *
fts_search(fts *f, const char *q, GError **error)
{
    g_autofree char *m = fts_query(q, f->or_mode);
    JsonObject *resp = json_object_new();
    JsonArray *hits = json_array_new();
    gint64 t0 = g_get_monotonic_time();
    gint64 total = 0;

    sqlite3_bind_text(f->count, 1, m, -1, SQLITE_STATIC);
    if (sqlite3_step(f->count) == SQLITE_ROW)
        total = sqlite3_column_int64(f->count, 0);
    sqlite3_reset(f->count);
    sqlite3_bind_text(f->top, 1, m, -1, SQLITE_STATIC);
    sqlite3_bind_int(f->top, 2, LIMIT);
    int rc;
    while ((rc = sqlite3_step(f->top)) == SQLITE_ROW) {
        JsonObject *h = json_object_new();
        json_object_set_string_member(h, "id", (const char *)sqlite3_column_text(f->top, 0));
        json_object_set_string_member(h, "title", (const char *)sqlite3_column_text(f->top, 1));
        json_object_set_string_member(h, "snippet",
                                      (const char *)sqlite3_column_text(f->top, 2));
        json_object_set_double_member(h, "score", -sqlite3_column_double(f->top, 3));
        json_array_add_object_element(hits, h);
    }
    sqlite3_reset(f->top);
    if (rc != SQLITE_DONE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", sqlite3_errmsg(f->db));
        json_array_unref(hits);
        json_object_unref(resp);
        return NULL;
    }
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_int_member(resp, "total", total);
    json_object_set_double_member(resp, "took_ms", (g_get_monotonic_time() - t0) / 1000.0);
    json_object_set_array_member(resp, "hits", hits);
    return resp;
}

typedef struct {
    int fd;
    const char *db;
    gboolean or_mode;
} fts_conn;

/* One thread per connection, each with its own read-only SQLite connection: the simplest
 * fair server for a handful of benchmark clients. */
static gpointer
fts_serve_conn(gpointer data)
{
    fts_conn *c = data;
    fts *f = fts_open(c->db, c->or_mode);
    tracuu_protocol_reader *r = tracuu_protocol_reader_new(0);
    char buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        const char *p = buf;
        gsize left = (gsize)n;
        while (left > 0) {
            gsize used = 0, len = 0;
            char *line = NULL;
            tracuu_protocol_status st = tracuu_protocol_reader_feed(r, p, left, &used, &line, &len);
            p += used;
            left -= used;
            if (st != TRACUU_PROTOCOL_LINE)
                continue;
            g_autoptr(GError) error = NULL;
            JsonNode *id = NULL;
            JsonObject *req = tracuu_protocol_parse_request(line, len, &id, &error);
            char *out;
            gsize olen = 0;
            JsonObject *resp = NULL;
            if (req) {
                const char *q = json_object_get_string_member_with_default(req, "q", "");
                resp = fts_search(f, q, &error);
            }
            if (resp)
                out = tracuu_protocol_format_response(id, resp, &olen);
            else
                out = tracuu_protocol_format_error(id, "error", error->message, &olen);
            gsize off = 0;
            while (off < olen) {
                ssize_t w = send(c->fd, out + off, olen - off, MSG_NOSIGNAL);
                if (w <= 0)
                    break;
                off += (gsize)w;
            }
            g_free(out);
            g_free(line);
            if (resp)
                json_object_unref(resp);
            if (req)
                json_object_unref(req);
            if (id)
                json_node_unref(id);
        }
    }
    tracuu_protocol_reader_free(r);
    fts_close(f);
    close(c->fd);
    g_free(c);
    return NULL;
}

static int
run_fts5_serve(const char *db, const char *path, gboolean or_mode)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
    unlink(path);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 128) < 0) {
        fprintf(stderr, "searchd-bench: cannot listen on %s: %s\n", path, g_strerror(errno));
        return 1;
    }
    fts_close(fts_open(db, or_mode)); /* fail now, not in a client's thread */
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        fts_conn *c = g_new0(fts_conn, 1);
        c->fd = fd;
        c->db = db;
        c->or_mode = or_mode;
        g_thread_unref(g_thread_new("fts5", fts_serve_conn, c));
    }
    return 0;
}

static int
run_fts5_inproc(const char *db, const char *queries, int n, gboolean or_mode)
{
    GPtrArray *qs = read_queries(queries);
    fts *f = fts_open(db, or_mode);
    GArray *lat = g_array_new(FALSE, FALSE, sizeof(double));
    int errors = 0;
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        gint64 a = g_get_monotonic_time();
        g_autoptr(GError) error = NULL;
        JsonObject *r = fts_search(f, g_ptr_array_index(qs, i % qs->len), &error);
        /* The answer is formatted as the server would, so only the socket is left out. */
        g_autofree char *line = r ? tracuu_protocol_format_response(NULL, r, NULL) : NULL;
        (void)line; /* made only to time it */
        double ms = (double)(g_get_monotonic_time() - a) / 1000.0;
        if (r) {
            g_array_append_val(lat, ms);
            json_object_unref(r);
        } else {
            errors++;
        }
    }
    report(or_mode ? "fts5-or-inproc" : "fts5-inproc", 1, lat, NULL,
           (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC, errors);
    fts_close(f);
    g_array_free(lat, TRUE);
    g_ptr_array_unref(qs);
    return errors ? 1 : 0;
}

static int
run_engine_inproc(const char *db, const char *queries, int n)
{
    GPtrArray *qs = read_queries(queries);
    g_autoptr(GError) error = NULL;
    tracuu_engine *e = tracuu_engine_open(db, &error);
    if (!e) {
        fprintf(stderr, "searchd-bench: %s\n", error->message);
        return 1;
    }
    /* The daemon's defaults at one client, so that both run the engine alike: a 5 s limit,
     * and searches split over the cores (TRACUU_BENCH_PARTS=1: one thread). */
    tracuu_engine_set_time_limit(e, 5.0);
    const char *parts = g_getenv("TRACUU_BENCH_PARTS");
    if (!tracuu_engine_set_parallel(e, parts ? (unsigned)atoi(parts) : g_get_num_processors(),
                                    NULL, NULL, &error)) {
        fprintf(stderr, "searchd-bench: %s\n", error->message);
        tracuu_engine_free(e);
        return 1;
    }
    GArray *lat = g_array_new(FALSE, FALSE, sizeof(double));
    int errors = 0;
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        g_autofree char *req = search_request(g_ptr_array_index(qs, i % qs->len));
        gint64 a = g_get_monotonic_time();
        g_autoptr(JsonNode) id = NULL;
        g_autoptr(GError) err = NULL;
        g_autoptr(JsonObject) ro = tracuu_protocol_parse_request(req, strlen(req), &id, &err);
        JsonObject *r = ro ? tracuu_engine_handle(e, ro, &err) : NULL;
        g_autofree char *line = r ? tracuu_protocol_format_response(NULL, r, NULL) : NULL;
        (void)line; /* made only to time it */
        double ms = (double)(g_get_monotonic_time() - a) / 1000.0;
        if (r) {
            g_array_append_val(lat, ms);
            json_object_unref(r);
        } else {
            errors++;
        }
    }
    report("tracuu-inproc", 1, lat, NULL, (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC,
           errors);
    tracuu_engine_free(e);
    g_array_free(lat, TRUE);
    g_ptr_array_unref(qs);
    return errors ? 1 : 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: searchd-bench load LABEL SOCKET QUERIES CONCURRENCY N\n"
                    "       searchd-bench fts5-serve DB SOCKET and|or\n"
                    "       searchd-bench fts5-inproc DB QUERIES N and|or\n"
                    "       searchd-bench engine-inproc DB QUERIES N\n");
    return 2;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *mode = argv[1];
    if (!strcmp(mode, "load") && argc == 7)
        return run_load(argv[2], argv[3], argv[4], atoi(argv[5]), atoi(argv[6]));
    if (!strcmp(mode, "fts5-serve") && argc == 5)
        return run_fts5_serve(argv[2], argv[3], !strcmp(argv[4], "or"));
    if (!strcmp(mode, "fts5-inproc") && argc == 6)
        return run_fts5_inproc(argv[2], argv[3], atoi(argv[4]), !strcmp(argv[5], "or"));
    if (!strcmp(mode, "engine-inproc") && argc == 5)
        return run_engine_inproc(argv[2], argv[3], atoi(argv[4]));
    return usage();
}
