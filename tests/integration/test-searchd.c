/* test-searchd.c - a real tracuu-searchd on a socket in a temporary folder over the corpus. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-client.h"
#include "tracuu-test.h"

/*
 * One daemon serves all the tests: it is started once in main() over an index that the real
 * tracuu-indexer builds from corpus/archive, and the last test stops it with SIGTERM. Anything
 * that goes wrong while setting up is kept in setup_error, and every test then fails on it.
 */

typedef struct {
    char *tmp;
    char *db;
    char *sock;
    char *log;
    char *indexer;
    char *searchd;
    GPid pid;
    int tcp_port;
} fixture;

static fixture F;
static GError *setup_error;

/* ---- processes ---- */

/* Runs @argv to completion; returns its exit status (-1 if it could not run), stderr into
 * *@err_out when not NULL. */
static int
run_sync(const char *const *argv, char **err_out)
{
    int status = -1;
    g_autoptr(GError) error = NULL;
    char *out = NULL, *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                      &error)) {
        g_printerr("# cannot run %s: %s\n", argv[0], error->message);
        return -1;
    }
    g_free(out);
    if (err_out)
        *err_out = err;
    else
        g_free(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Starts tracuu-searchd on the index @db with @extra arguments, stderr to @log; returns its pid
 * or 0. */
static GPid
start_daemon_on(const char *db, const char *socket_path, const char *log,
                const char *const *extra)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, F.searchd);
    g_ptr_array_add(argv, (char *)"--db");
    g_ptr_array_add(argv, (char *)db);
    g_ptr_array_add(argv, (char *)"--socket");
    g_ptr_array_add(argv, (char *)socket_path);
    for (gsize i = 0; extra && extra[i]; i++)
        g_ptr_array_add(argv, (char *)extra[i]);
    g_ptr_array_add(argv, NULL);
    int errfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_autoptr(GError) error = NULL;
    GPid pid = 0;
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv->pdata, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD, tracuu_test_die_with_parent,
                                          NULL, -1, -1, errfd, NULL, NULL, 0, &pid, NULL, NULL,
                                          NULL, &error)) {
        g_printerr("# cannot start %s: %s\n", F.searchd, error->message);
        pid = 0;
    }
    close(errfd);
    return pid;
}

/* Starts tracuu-searchd on the shared index. */
static GPid
start_daemon(const char *socket_path, const char *log, const char *const *extra)
{
    return start_daemon_on(F.db, socket_path, log, extra);
}

/* ---- clients ---- */

/* A client of the shared daemon. */
static tracuu_test_client *
client_new(void)
{
    return tracuu_test_client_new_fd(tracuu_test_connect_unix(F.sock));
}

static gboolean
is_ok(JsonObject *o)
{
    return json_object_get_boolean_member_with_default(o, "ok", FALSE);
}

static const char *
error_code(JsonObject *o)
{
    if (!json_object_has_member(o, "error"))
        return NULL;
    JsonObject *e = json_object_get_object_member(o, "error");
    return json_object_get_string_member_with_default(e, "code", NULL);
}

static void
require_daemon(void)
{
    g_assert_no_error(setup_error);
}

static void
assert_ping(tracuu_test_client *c)
{
    g_autoptr(JsonObject) o =
        tracuu_test_client_ask(c, "{\"op\":\"ping\",\"id\":\"still there?\"}");
    g_assert_true(is_ok(o));
    g_assert_cmpstr(json_object_get_string_member(o, "id"), ==, "still there?");
}

/* ---- tests ---- */

static void
test_ping(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    static const char *const ids[] = {"1", "\"abc\"", "{\"a\":[1,null,\"x\"]}", "null", "-2.5"};
    for (gsize i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autofree char *req = g_strdup_printf("{\"op\":\"ping\",\"id\":%s}", ids[i]);
        g_autoptr(JsonObject) o = tracuu_test_client_ask(c, req);
        g_assert_true(is_ok(o));
        g_assert_true(json_object_has_member(o, "id"));
        g_autoptr(JsonNode) want = json_from_string(ids[i], NULL);
        g_assert_true(json_node_equal(json_object_get_member(o, "id"), want));
    }
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, "{\"op\":\"ping\"}");
    g_assert_true(is_ok(o));
    g_assert_false(json_object_has_member(o, "id"));
}

static JsonArray *
hits_of(JsonObject *o)
{
    if (!is_ok(o)) {
        g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), o);
        g_autofree char *s = json_to_string(n, FALSE);
        g_test_message("answer: %s", s);
    }
    g_assert_true(is_ok(o));
    g_assert_true(json_object_has_member(o, "total"));
    g_assert_true(json_object_has_member(o, "took_ms"));
    g_assert_true(json_object_has_member(o, "hits"));
    return json_object_get_array_member(o, "hits");
}

static const char *
hit_str(JsonArray *hits, guint i, const char *name)
{
    JsonObject *h = json_array_get_object_element(hits, i);
    return json_object_get_string_member_with_default(h, name, "");
}

typedef struct {
    const char *q;
    const char *number; /* must be among the first @within hits */
    guint within;
} ranking_case;

static const ranking_case ranking_cases[] = {
    {"34/2008/CT-TTg", "34/2008/CT-TTg", 1},
    {"bão Yagi", "3456/UBND-NLN", 1},
    {"chuyển đổi số quốc gia", "749/QĐ-TTg", 1},
    {"chuyen doi so quoc gia", "749/QĐ-TTg", 1},
    {"thể thức và kỹ thuật trình bày văn bản", "01/2011/TT-BNV", 1},
    {"phòng chống lụt bão", "14/2010/NĐ-CP", 3},
    /* Several documents of the corpus are about these; the one named for it is near the top. */
    {"thư điện tử công vụ", "25/2010/TT-BTTTT", 5},
    {"thu dien tu cong vu", "25/2010/TT-BTTTT", 5},
    {"công tác văn thư", "30/2020/NĐ-CP", 5},
};

static void
test_ranking(gconstpointer data)
{
    const ranking_case *rc = data;
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "op");
    json_builder_add_string_value(b, "search");
    json_builder_set_member_name(b, "q");
    json_builder_add_string_value(b, rc->q);
    json_builder_set_member_name(b, "limit");
    json_builder_add_int_value(b, 5);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autofree char *req = json_to_string(root, FALSE);
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, req);
    JsonArray *hits = hits_of(o);
    gboolean found = FALSE;
    GString *seen = g_string_new(NULL);
    for (guint i = 0; i < MIN(rc->within, json_array_get_length(hits)); i++) {
        g_string_append_printf(seen, " %s", hit_str(hits, i, "number"));
        found = found || g_strcmp0(hit_str(hits, i, "number"), rc->number) == 0;
    }
    if (!found)
        g_test_message("query \"%s\": wanted %s in the first %u, got%s", rc->q, rc->number,
                       rc->within, seen->str);
    g_string_free(seen, TRUE);
    g_assert_true(found);
}

static void
test_snippets(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    g_autoptr(JsonObject) o =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"thư điện tử\",\"limit\":3}");
    JsonArray *hits = hits_of(o);
    g_assert_cmpuint(json_array_get_length(hits), >=, 1);
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        const char *s = hit_str(hits, i, "snippet");
        g_assert_nonnull(strstr(s, "<mark>"));
        g_assert_nonnull(strstr(s, "</mark>"));
        g_assert_true(g_utf8_validate(s, -1, NULL));
    }
}

static void
test_filters_and_sort(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();

    g_autoptr(JsonObject) all =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\"}");
    gint64 total_all = json_object_get_int_member(all, "total");
    g_assert_cmpint(total_all, >, 1);

    g_autoptr(JsonObject) o =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"limit\":50,"
                                  "\"filters\":{\"type\":\"Thông tư\"}}");
    JsonArray *hits = hits_of(o);
    g_assert_cmpint(json_object_get_int_member(o, "total"), >=, 1);
    g_assert_cmpint(json_object_get_int_member(o, "total"), <, total_all);
    for (guint i = 0; i < json_array_get_length(hits); i++)
        g_assert_cmpstr(hit_str(hits, i, "doc_type"), ==, "Thông tư");

    g_autoptr(JsonObject) y =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"chính phủ điện tử\",\"limit\":50,"
                                  "\"filters\":{\"year\":2019}}");
    hits = hits_of(y);
    g_assert_cmpuint(json_array_get_length(hits), >=, 1);
    for (guint i = 0; i < json_array_get_length(hits); i++)
        g_assert_true(g_str_has_prefix(hit_str(hits, i, "date"), "2019"));

    g_autoptr(JsonObject) s = tracuu_test_client_ask(
        c, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"limit\":50,\"sort\":\"-date\"}");
    hits = hits_of(s);
    g_assert_cmpuint(json_array_get_length(hits), >=, 2);
    for (guint i = 1; i < json_array_get_length(hits); i++) {
        const char *a = hit_str(hits, i - 1, "date"), *b = hit_str(hits, i, "date");
        if (*a && *b)
            g_assert_cmpstr(a, >=, b);
    }
}

static void
test_facets(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    g_autoptr(JsonObject) o = tracuu_test_client_ask(
        c, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"facets\":[\"doc_type\",\"year\"]}");
    hits_of(o);
    gint64 total = json_object_get_int_member(o, "total");
    JsonObject *facets = json_object_get_object_member(o, "facets");
    g_assert_nonnull(facets);
    JsonObject *types = json_object_get_object_member(facets, "doc_type");
    g_assert_nonnull(types);
    g_autoptr(GList) names = json_object_get_members(types);
    g_assert_cmpuint(g_list_length(names), >=, 2);
    gint64 sum = 0;
    for (GList *l = names; l; l = l->next) {
        gint64 n = json_object_get_int_member(types, l->data);
        g_assert_cmpint(n, >, 0);
        sum += n;
    }
    g_assert_cmpint(sum, <=, total);
    g_assert_true(json_object_has_member(types, "Thông tư"));
    g_assert_nonnull(json_object_get_object_member(facets, "year"));
}

static void
test_get_and_stats(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    g_autoptr(JsonObject) o =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"30/2020/NĐ-CP\",\"limit\":1}");
    JsonArray *hits = hits_of(o);
    g_assert_cmpuint(json_array_get_length(hits), ==, 1);
    g_autofree char *id = g_strdup(hit_str(hits, 0, "id"));
    g_assert_cmpstr(id, !=, "");

    g_autofree char *req = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\",\"id\":9}", id);
    g_autoptr(JsonObject) g = tracuu_test_client_ask(c, req);
    g_assert_true(is_ok(g));
    g_assert_cmpint(json_object_get_int_member(g, "id"), ==, 9);
    JsonObject *doc = json_object_get_object_member(g, "doc");
    g_assert_nonnull(doc);
    g_assert_cmpstr(json_object_get_string_member(doc, "number"), ==, "30/2020/NĐ-CP");
    g_assert_nonnull(strstr(json_object_get_string_member(doc, "text"), "văn thư"));

    g_autoptr(JsonObject) nf =
        tracuu_test_client_ask(c, "{\"op\":\"get\",\"doc\":\"no-such-document\"}");
    g_assert_false(is_ok(nf));
    g_assert_cmpstr(error_code(nf), ==, "not_found");

    g_autoptr(JsonObject) st = tracuu_test_client_ask(c, "{\"op\":\"stats\"}");
    g_assert_true(is_ok(st));
    g_assert_cmpint(json_object_get_int_member(st, "docs"), >=, 20);
}

typedef struct {
    const char *line;
    const char *code;
    const char *id;          /* expected "id" as JSON, NULL: none */
    const char *message_has; /* part of the message, or NULL */
} error_case;

static const error_case error_cases[] = {
    {"{\"op\":\"search\",", "bad_json", NULL},
    {"not json at all", "bad_json", NULL},
    {"{\"op\":\"search\",\"q\":\"\xff\xfe\"}", "bad_json", NULL},
    {"[1,2,3]", "bad_request", NULL},
    {"\"ping\"", "bad_request", NULL},
    {"{\"id\":4}", "bad_request", "4"},
    {"{\"op\":\"nope\",\"id\":5}", "unknown_op", "5"},
    {"{\"op\":\"search\",\"q\":5,\"id\":\"six\"}", "bad_request", "\"six\""},
    {"{\"op\":\"search\",\"q\":\"x\",\"limit\":\"ten\",\"id\":[7]}", "bad_request", "[7]"},
    {"{\"op\":\"search\",\"q\":\"x\",\"sort\":\"size\"}", "bad_request", NULL},
    {"{\"op\":\"search\",\"q\":\"date:2008-13-45\",\"id\":8}", "bad_query", "8"},
    {"{\"op\":\"get\"}", "bad_request", NULL},
    /* Served as the last "op" until the request was refused. */
    {"{\"op\":\"ping\",\"op\":\"search\",\"q\":\"x\",\"id\":9}", "bad_request", "9",
     "duplicate key \"op\""},
    {"{\"op\":\"search\",\"q\":\"\\ud800\",\"id\":10}", "bad_json", NULL,
     "lone UTF-16 surrogate \\ud800; JSON strings must be valid Unicode"},
    /* json-glib dropped the second request without a word. */
    {"{\"op\":\"ping\"}{\"op\":\"stats\"}", "bad_json", NULL, "one request per line"},
    {"{\"op\":\"search\",\"q\":\"x\",\"limit\":18446744073709551621}", "bad_request", NULL,
     "does not fit in 64 bits"},
};

static void
test_errors(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    for (gsize i = 0; i < G_N_ELEMENTS(error_cases); i++) {
        const error_case *e = &error_cases[i];
        g_autoptr(JsonObject) o = tracuu_test_client_ask(c, e->line);
        g_autofree char *shown = g_utf8_make_valid(e->line, -1);
        g_test_message("%s -> %s", shown, error_code(o));
        g_assert_false(is_ok(o));
        g_assert_cmpstr(error_code(o), ==, e->code);
        JsonObject *err = json_object_get_object_member(o, "error");
        g_assert_cmpstr(json_object_get_string_member(err, "message"), !=, "");
        if (e->message_has)
            g_assert_nonnull(strstr(json_object_get_string_member(err, "message"), e->message_has));
        if (e->id) {
            g_autoptr(JsonNode) want = json_from_string(e->id, NULL);
            g_assert_true(json_object_has_member(o, "id"));
            g_assert_true(json_node_equal(json_object_get_member(o, "id"), want));
        } else {
            g_assert_false(json_object_has_member(o, "id"));
        }
        /* The connection stays usable after each error. */
        assert_ping(c);
    }
    /* bad_json says where. */
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, "{\"op\" \"ping\"}");
    JsonObject *err = json_object_get_object_member(o, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "message"), ==,
                    "invalid JSON at byte 6: expected \":\" after the member name, found a string");
}

/* The text of the number after "@name": in @line, or NULL. */
static char *
raw_number(const char *line, const char *name)
{
    g_autofree char *key = g_strdup_printf("\"%s\":", name);
    const char *p = strstr(line, key);
    if (!p)
        return NULL;
    p += strlen(key);
    return g_strndup(p, strspn(p, "-+.0123456789eE"));
}

/* took_ms is written as milliseconds to the microsecond, without json-glib's float noise
 * ("0.65200000000000002"), in every answer. */
static void
test_numbers_clean(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    static const char *const queries[] = {"thư điện tử", "cơ quan nhà nước", "34/2008/CT-TTg",
                                          "chuyen doi so", "bão Yagi"};
    for (int i = 0; i < 20; i++) {
        g_autofree char *req = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":3}\n",
                                               queries[i % G_N_ELEMENTS(queries)]);
        tracuu_test_client_send(c, req, strlen(req));
        g_autofree char *line = tracuu_test_client_recv_line(c, 20000);
        g_assert_nonnull(line);
        g_autofree char *took = raw_number(line, "took_ms");
        g_assert_nonnull(took);
        const char *dot = strchr(took, '.');
        g_test_message("took_ms %s", took);
        g_assert_null(strpbrk(took, "eE"));
        g_assert_true(dot == NULL || strlen(dot + 1) <= 3);
        g_autofree char *score = raw_number(line, "score");
        g_assert_nonnull(score);
        g_assert_cmpuint(strlen(score), <=, 24);
    }
}

static void
test_pipelined(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    GString *batch = g_string_new(NULL);
    const int n = 60;
    for (int i = 0; i < n; i++) {
        switch (i % 4) {
        case 0:
            g_string_append_printf(batch, "{\"op\":\"search\",\"q\":\"thư điện tử\",\"id\":%d}\n", i);
            break;
        case 1:
            g_string_append_printf(batch, "{\"op\":\"ping\",\"id\":%d}\n", i);
            break;
        case 2:
            g_string_append_printf(batch, "{\"op\":\"nope\",\"id\":%d}\n", i);
            break;
        default:
            g_string_append_printf(batch, "{\"op\":\"stats\",\"id\":%d}\r\n\n", i);
            break;
        }
    }
    /* All in one write: the answers come back one per request, in order. */
    tracuu_test_client_send(c, batch->str, batch->len);
    g_string_free(batch, TRUE);
    for (int i = 0; i < n; i++) {
        g_autofree char *line = tracuu_test_client_recv_line(c, 20000);
        g_assert_nonnull(line);
        g_autoptr(JsonObject) o = tracuu_test_parse_object(line);
        g_assert_cmpint(json_object_get_int_member(o, "id"), ==, i);
        g_assert_true(is_ok(o) == (i % 4 != 2));
    }
}

static void
test_long_line(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    /* A 2 MiB request that is valid JSON: refused for its size, not parsed. */
    gsize n = 2 * 1024 * 1024;
    GString *big = g_string_sized_new(n + 64);
    g_string_append(big, "{\"op\":\"search\",\"id\":1,\"q\":\"");
    while (big->len < n)
        g_string_append(big, "thư điện tử ");
    g_string_append(big, "\"}\n{\"op\":\"ping\",\"id\":2}\n");
    tracuu_test_client_send(c, big->str, big->len);
    g_string_free(big, TRUE);
    g_autofree char *a = tracuu_test_client_recv_line(c, 20000);
    g_assert_nonnull(a);
    g_autoptr(JsonObject) oa = tracuu_test_parse_object(a);
    g_assert_false(is_ok(oa));
    g_assert_cmpstr(error_code(oa), ==, "line_too_long");
    g_autofree char *b = tracuu_test_client_recv_line(c, 20000);
    g_assert_nonnull(b);
    g_autoptr(JsonObject) ob = tracuu_test_parse_object(b);
    g_assert_true(is_ok(ob));
    g_assert_cmpint(json_object_get_int_member(ob, "id"), ==, 2);
    /* Exactly one answer for the long line. */
    g_assert_null(tracuu_test_client_recv_line(c, 300));
    assert_ping(c);
}

typedef struct {
    int index;
    gint64 expect_total;
    int failures;
} concurrent_arg;

static gpointer
concurrent_client(gpointer data)
{
    concurrent_arg *a = data;
    int fd = tracuu_test_connect_unix(F.sock);
    if (fd < 0) {
        a->failures = 1000;
        return NULL;
    }
    tracuu_test_client *c = tracuu_test_client_new_fd(fd);
    for (int i = 0; i < 20; i++) {
        g_autofree char *req = g_strdup_printf(
            "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"id\":%d}\n", a->index * 100 + i);
        tracuu_test_client_send(c, req, strlen(req));
        g_autofree char *line = tracuu_test_client_recv_line(c, 30000);
        g_autoptr(JsonNode) node = line ? json_from_string(line, NULL) : NULL;
        JsonObject *o = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
        if (!o || !is_ok(o) || json_object_get_int_member(o, "id") != a->index * 100 + i ||
            json_object_get_int_member(o, "total") != a->expect_total)
            a->failures++;
    }
    tracuu_test_client_free(c);
    return NULL;
}

static void
test_concurrent(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = client_new();
    g_autoptr(JsonObject) o =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\"}");
    gint64 total = json_object_get_int_member(o, "total");
    g_assert_cmpint(total, >, 0);

    enum { N = 20 };
    concurrent_arg args[N];
    GThread *threads[N];
    for (int i = 0; i < N; i++) {
        args[i] = (concurrent_arg){.index = i, .expect_total = total};
        threads[i] = g_thread_new("client", concurrent_client, &args[i]);
    }
    int failures = 0;
    for (int i = 0; i < N; i++) {
        g_thread_join(threads[i]);
        failures += args[i].failures;
    }
    g_assert_cmpint(failures, ==, 0);
}

static void
test_tcp(void)
{
    require_daemon();
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(F.tcp_port);
    assert_ping(c);
    g_autoptr(JsonObject) o =
        tracuu_test_client_ask(c, "{\"op\":\"search\",\"q\":\"34/2008/CT-TTg\"}");
    g_assert_cmpstr(hit_str(hits_of(o), 0, "number"), ==, "34/2008/CT-TTg");
}

static void
test_vanished_clients(void)
{
    require_daemon();
    /* Clients that leave with requests queued or under way, or halfway through a line. */
    for (int i = 0; i < 10; i++) {
        int fd = tracuu_test_connect_unix(F.sock);
        g_assert_cmpint(fd, >=, 0);
        GString *s = g_string_new(NULL);
        for (int k = 0; k < 30; k++)
            g_string_append(s, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"facets\":[\"year\"]}\n");
        if (i % 2)
            g_string_append(s, "{\"op\":\"search\",\"q\":\"half a li");
        g_assert_cmpint(send(fd, s->str, s->len, MSG_NOSIGNAL), ==, (ssize_t)s->len);
        g_string_free(s, TRUE);
        close(fd);
    }
    /* A client that shuts down its sending side still gets its answers. */
    g_autoptr(tracuu_test_client) h = client_new();
    const char *two = "{\"op\":\"ping\",\"id\":1}\n{\"op\":\"ping\",\"id\":2}\n";
    tracuu_test_client_send(h, two, strlen(two));
    shutdown(h->fd, SHUT_WR);
    g_autofree char *a1 = tracuu_test_client_recv_line(h, 10000);
    g_autofree char *a2 = tracuu_test_client_recv_line(h, 10000);
    g_assert_cmpstr(a1, ==, "{\"id\":1,\"ok\":true}");
    g_assert_cmpstr(a2, ==, "{\"id\":2,\"ok\":true}");
    g_assert_null(tracuu_test_client_recv_line(h, 5000)); /* then the daemon closes */

    g_autoptr(tracuu_test_client) c = client_new();
    assert_ping(c);
    g_assert_cmpint(kill(F.pid, 0), ==, 0);
}

static void
test_slow_reader(void)
{
    require_daemon();
    /* A client that asks for much and reads nothing must not hold up the others. */
    g_autoptr(tracuu_test_client) slow = client_new();
    GString *s = g_string_new(NULL);
    for (int k = 0; k < 2000; k++)
        g_string_append(s, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"limit\":100}\n");
    int flags = fcntl(slow->fd, F_GETFL);
    fcntl(slow->fd, F_SETFL, flags | O_NONBLOCK);
    gsize off = 0;
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    while (off < s->len && g_get_monotonic_time() < end) {
        ssize_t n = send(slow->fd, s->str + off, s->len - off, MSG_NOSIGNAL);
        if (n > 0)
            off += (gsize)n;
        else
            g_usleep(10000);
    }
    g_string_free(s, TRUE);
    g_autoptr(tracuu_test_client) c = client_new();
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < 10; i++)
        assert_ping(c);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
}

static void
test_idle_timeout(void)
{
    require_daemon();
    /* Started with --idle-timeout 2: a silent client is let go, a talking one is not. */
    g_autoptr(tracuu_test_client) idle = client_new();
    g_autoptr(tracuu_test_client) busy = client_new();
    for (int i = 0; i < 6; i++) {
        g_usleep(G_USEC_PER_SEC / 2);
        assert_ping(busy);
    }
    g_assert_null(tracuu_test_client_recv_line(idle, 3000));
    char b;
    g_assert_cmpint(recv(idle->fd, &b, 1, MSG_DONTWAIT), ==, 0);
    assert_ping(busy);
}

static void
test_update_seen(void)
{
    require_daemon();
    const char *q = "{\"op\":\"search\",\"q\":\"xylophon quokka\"}";
    g_autoptr(tracuu_test_client) b = client_new();
    g_autoptr(JsonObject) before = tracuu_test_client_ask(b, q);
    g_assert_cmpint(json_object_get_int_member(before, "total"), ==, 0);

    g_autofree char *jsonl = g_build_filename(F.tmp, "update.jsonl", NULL);
    const char *doc = "{\"id\":\"update-1\",\"title\":\"Công văn về xylophon quokka\","
                      "\"number\":\"999/UBND-TEST\",\"doc_type\":\"Công văn\",\"date\":\"2024-05-06\","
                      "\"text\":\"Ủy ban nhân dân đề nghị kiểm tra xylophon quokka.\"}\n";
    g_assert_true(g_file_set_contents(jsonl, doc, -1, NULL));
    const char *argv[] = {F.indexer, "--db", F.db, "--from-jsonl", jsonl, "-q", NULL};
    g_autofree char *err = NULL;
    int st = run_sync(argv, &err);
    if (st != 0)
        g_test_message("indexer: %s", err);
    g_assert_cmpint(st, ==, 0);

    /* Seen by the running daemon within a few seconds, without a restart. (A new connection:
     * the first may have been idle longer than the daemon's --idle-timeout meanwhile.) */
    g_autoptr(tracuu_test_client) c = client_new();
    gint64 t0 = g_get_monotonic_time();
    gint64 total = 0;
    while (g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC) {
        g_autoptr(JsonObject) o = tracuu_test_client_ask(c, q);
        total = json_object_get_int_member(o, "total");
        if (total == 1)
            break;
        g_usleep(100000);
    }
    g_assert_cmpint(total, ==, 1);
    g_test_message("update seen after %.0f ms", (g_get_monotonic_time() - t0) / 1000.0);
    g_autoptr(JsonObject) got = tracuu_test_client_ask(c, "{\"op\":\"get\",\"doc\":\"update-1\"}");
    g_assert_true(is_ok(got));
}

static void
test_second_daemon_refused(void)
{
    require_daemon();
    g_autofree char *log = g_build_filename(F.tmp, "second.log", NULL);
    GPid pid = start_daemon(F.sock, log, NULL);
    g_assert_cmpint(pid, >, 0);
    int st = tracuu_test_wait_exit(pid, 10);
    g_assert_cmpint(st, ==, 1);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "another server"));
    /* The first one is untouched. */
    g_autoptr(tracuu_test_client) c = client_new();
    assert_ping(c);
}


/*
 * --question-words: a table that cannot be read or parsed stops the daemon at start, naming
 * the file (and the line); "none" and a good table start it.
 */
static void
test_question_words_option(void)
{
    require_daemon();
    g_autofree char *bad = g_build_filename(F.tmp, "qw-bad.tsv", NULL);
    g_assert_true(g_file_set_contents(bad, "folded\t*\tnao\t*\t0.1\nfolded\t*\tgi\t*\t7\n",
                                      -1, NULL));
    g_autofree char *good = g_build_filename(F.tmp, "qw-good.tsv", NULL);
    g_assert_true(g_file_set_contents(good, "folded\t*\tnao\t*\t0.1\n", -1, NULL));
    g_autofree char *missing = g_build_filename(F.tmp, "qw-missing.tsv", NULL);
    g_autofree char *sock = g_build_filename(F.tmp, "qw.sock", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "qw.log", NULL);
    const struct {
        const char *table, *says;
    } refused[] = {{bad, "line 2"}, {missing, "qw-missing.tsv"}};
    for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
        const char *extra[] = {"--question-words", refused[i].table, NULL};
        GPid pid = start_daemon(sock, log, extra);
        g_assert_cmpint(pid, >, 0);
        g_assert_cmpint(tracuu_test_wait_exit(pid, 10), ==, 1);
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
        g_assert_nonnull(strstr(text, refused[i].says));
    }
    const char *const started[] = {"none", good};
    for (gsize i = 0; i < G_N_ELEMENTS(started); i++) {
        const char *extra[] = {"--question-words", started[i], NULL};
        GPid pid = start_daemon(sock, log, extra);
        g_assert_cmpint(pid, >, 0);
        g_autoptr(tracuu_test_client) c = tracuu_test_client_wait_unix(sock);
        g_autoptr(JsonObject) o = tracuu_test_client_ask(
            c, "{\"op\":\"search\",\"q\":\"thủ tục gửi thư điện tử như thế nào\"}");
        g_assert_true(is_ok(o));
        kill(pid, SIGTERM);
        g_assert_cmpint(tracuu_test_wait_exit(pid, 15), ==, 0);
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
        if (i == 1)
            g_assert_nonnull(strstr(text, "question words: 1 entries"));
    }
}

static void
test_stale_socket_replaced(void)
{
    require_daemon();
    /* A socket file left by a dead process: bound, then closed without unlinking. */
    g_autofree char *path = g_build_filename(F.tmp, "stale.sock", NULL);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    close(fd);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

    g_autofree char *log = g_build_filename(F.tmp, "stale.log", NULL);
    GPid pid = start_daemon(path, log, NULL);
    g_assert_cmpint(pid, >, 0);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_wait_unix(path);
    assert_ping(c);
    kill(pid, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 15), ==, 0);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

    /* A path that is not a socket is never replaced. */
    g_autofree char *plain = g_build_filename(F.tmp, "plain-file", NULL);
    g_assert_true(g_file_set_contents(plain, "keep me", -1, NULL));
    pid = start_daemon(plain, log, NULL);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 10), ==, 1);
    g_autofree char *kept = NULL;
    g_assert_true(g_file_get_contents(plain, &kept, NULL, NULL));
    g_assert_cmpstr(kept, ==, "keep me");
}

static void
test_limits(void)
{
    require_daemon();
    /* A second daemon with tight limits: two clients at most, a query time limit of 1 µs. */
    g_autofree char *path = g_build_filename(F.tmp, "limits.sock", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "limits.log", NULL);
    static const char *const extra[] = {"--max-clients", "2", "--timeout", "0.000001", NULL};
    GPid pid = start_daemon(path, log, extra);
    g_assert_cmpint(pid, >, 0);
    g_autoptr(tracuu_test_client) a = tracuu_test_client_wait_unix(path);
    g_autoptr(tracuu_test_client) b = tracuu_test_client_new_fd(tracuu_test_connect_unix(path));
    assert_ping(a);
    assert_ping(b);
    g_autoptr(tracuu_test_client) third = tracuu_test_client_new_fd(tracuu_test_connect_unix(path));
    g_autofree char *line = tracuu_test_client_recv_line(third, 5000);
    g_assert_nonnull(line);
    g_autoptr(JsonObject) o = tracuu_test_parse_object(line);
    g_assert_cmpstr(error_code(o), ==, "busy");
    g_assert_null(tracuu_test_client_recv_line(third, 2000)); /* and closed */

    /* Past its time limit a query answers "timeout", and the connection goes on. */
    g_autoptr(JsonObject) t =
        tracuu_test_client_ask(a, "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"id\":1}");
    g_assert_false(is_ok(t));
    g_assert_cmpstr(error_code(t), ==, "timeout");
    assert_ping(a);

    kill(pid, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 15), ==, 0);
}

static void
test_sigterm(void)
{
    require_daemon();
    /* A request under way when SIGTERM comes is still answered; then exit 0, socket gone. */
    g_autoptr(tracuu_test_client) c = client_new();
    const char *req = "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"id\":\"last\"}\n";
    tracuu_test_client_send(c, req, strlen(req));
    g_usleep(1000);
    g_assert_cmpint(kill(F.pid, SIGTERM), ==, 0);
    g_autofree char *line = tracuu_test_client_recv_line(c, 10000);
    if (line) {
        g_autoptr(JsonObject) o = tracuu_test_parse_object(line);
        g_assert_cmpstr(json_object_get_string_member(o, "id"), ==, "last");
    }
    int st = tracuu_test_wait_exit(F.pid, 15);
    F.pid = 0;
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(F.log, &log, NULL, NULL));
    /* A sanitizer's abort at exit is only understood with its report: show the daemon's log. */
    if (st != 0)
        g_test_message("tracuu-searchd exited with %d; its log:\n%s", st, log);
    g_assert_cmpint(st, ==, 0);
    g_assert_false(g_file_test(F.sock, G_FILE_TEST_EXISTS));
    g_assert_nonnull(strstr(log, "stopping"));
    /* The sanitizer builds report leaks and errors on stderr at exit. */
    g_assert_null(strstr(log, "ERROR: AddressSanitizer"));
    g_assert_null(strstr(log, "ERROR: LeakSanitizer"));
    g_assert_null(strstr(log, "runtime error:"));
}

/* ---- signals and the socket file ---- */

/* Waits up to @seconds for the file @path to contain @text. */
static gboolean
wait_for_text(const char *path, const char *text, double seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    do {
        g_autofree char *s = NULL;
        if (g_file_get_contents(path, &s, NULL, NULL) && strstr(s, text))
            return TRUE;
        g_usleep(20000);
    } while (g_get_monotonic_time() < end);
    return FALSE;
}

static gint64
total_of(tracuu_test_client *c, const char *q)
{
    g_autofree char *req = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":0}", q);
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, req);
    g_assert_true(is_ok(o));
    return json_object_get_int_member(o, "total");
}

/* Indexes one document that holds @word into a new index @db. */
static void
index_one(const char *db, const char *word)
{
    g_autofree char *jsonl = g_strconcat(db, ".jsonl", NULL);
    g_autofree char *doc = g_strdup_printf(
        "{\"id\":\"hup-%s\",\"title\":\"Công văn %s\",\"text\":\"Nội dung về %s.\"}\n", word,
        word, word);
    g_assert_true(g_file_set_contents(jsonl, doc, -1, NULL));
    const char *argv[] = {F.indexer, "--db", db, "--from-jsonl", jsonl, "-q", NULL};
    g_assert_cmpint(run_sync(argv, NULL), ==, 0);
}

/*
 * SIGHUP is a reload, not a stop: the daemon lives on, keeps its socket, answers, logs it,
 * and every worker opens the index afresh. The index is replaced here file by file inside the
 * same folder with one of the same revision, which a reader's own reopen cannot tell from the
 * old one: only a fresh open serves it.
 */
static void
test_sighup_reloads(void)
{
    require_daemon();
    g_autofree char *db = g_build_filename(F.tmp, "hup-db", NULL);
    g_autofree char *other = g_build_filename(F.tmp, "hup-other", NULL);
    index_one(db, "alphaquokka");
    index_one(other, "betaquokka");

    g_autofree char *sock = g_build_filename(F.tmp, "hup.sock", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "hup.log", NULL);
    static const char *const extra[] = {"--threads", "2", NULL};
    GPid pid = start_daemon_on(db, sock, log, extra);
    g_assert_cmpint(pid, >, 0);
    g_autoptr(tracuu_test_client) a = tracuu_test_client_wait_unix(sock);
    g_autoptr(tracuu_test_client) b = tracuu_test_client_new_fd(tracuu_test_connect_unix(sock));
    g_assert_cmpint(total_of(a, "alphaquokka"), ==, 1);
    g_assert_cmpint(total_of(b, "alphaquokka"), ==, 1);

    /* The other index's files take the place of these, one rename each. */
    g_autoptr(GDir) dir = g_dir_open(other, 0, NULL);
    g_assert_nonnull(dir);
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *from = g_build_filename(other, name, NULL);
        g_autofree char *tmp = g_strdup_printf("%s/.%s.new", db, name);
        g_autofree char *to = g_build_filename(db, name, NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(from, &data, &len, NULL));
        g_assert_true(g_file_set_contents(tmp, data, (gssize)len, NULL));
        g_assert_cmpint(rename(tmp, to), ==, 0);
    }
    g_test_message("before SIGHUP: alphaquokka %" G_GINT64_FORMAT ", betaquokka %" G_GINT64_FORMAT,
                   total_of(a, "alphaquokka"), total_of(a, "betaquokka"));

    g_assert_cmpint(kill(pid, SIGHUP), ==, 0);
    g_assert_true(wait_for_text(log, "SIGHUP", 10));
    g_assert_cmpint(tracuu_test_wait_exit(pid, 0.2), ==, -1); /* still running */
    g_assert_true(g_file_test(sock, G_FILE_TEST_EXISTS));

    /* Both workers serve the new index: two connections, several requests each. */
    for (int i = 0; i < 4; i++) {
        tracuu_test_client *cs[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            g_assert_cmpint(total_of(cs[k], "betaquokka"), ==, 1);
            g_assert_cmpint(total_of(cs[k], "alphaquokka"), ==, 0);
        }
    }
    assert_ping(a);
    g_autoptr(tracuu_test_client) fresh = tracuu_test_client_new_fd(tracuu_test_connect_unix(sock));
    assert_ping(fresh);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "reopened the index"));

    /* SIGTERM still stops it as before. */
    kill(pid, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 15), ==, 0);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
}

/* The socket's mode is the daemon's choice, not the umask's: 0600 unless --socket-mode says
 * otherwise, and never open to other users. */
static void
test_socket_mode(void)
{
    require_daemon();
    g_autofree char *sock = g_build_filename(F.tmp, "mode.sock", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "mode.log", NULL);
    static const char *const modes[] = {NULL, "0660", "640"};
    static const unsigned want[] = {0600, 0660, 0640};
    for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
        const char *extra[] = {"--socket-mode", modes[i], NULL};
        mode_t old = umask(0);
        GPid pid = start_daemon(sock, log, modes[i] ? extra : NULL);
        umask(old);
        g_assert_cmpint(pid, >, 0);
        g_autoptr(tracuu_test_client) c = tracuu_test_client_wait_unix(sock);
        assert_ping(c);
        struct stat st;
        g_assert_cmpint(stat(sock, &st), ==, 0);
        g_test_message("--socket-mode %s: %04o", modes[i] ? modes[i] : "(default)",
                       (unsigned)(st.st_mode & 07777));
        g_assert_cmpuint(st.st_mode & 07777, ==, want[i]);
        kill(pid, SIGTERM);
        g_assert_cmpint(tracuu_test_wait_exit(pid, 15), ==, 0);
    }
    /* A mode that lets other users in, or that is not octal, is a usage error. */
    static const char *const refused[] = {"0666", "0604", "0602", "8", "0600x", "01600", ""};
    for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
        const char *extra[] = {"--socket-mode", refused[i], NULL};
        GPid pid = start_daemon(sock, log, extra);
        g_assert_cmpint(pid, >, 0);
        g_assert_cmpint(tracuu_test_wait_exit(pid, 10), ==, 2);
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
        g_test_message("--socket-mode \"%s\": %s", refused[i], text);
        g_assert_nonnull(strstr(text, "--socket-mode"));
        g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    }
}

/* ---- compaction under a running daemon ---- */

/* Files of process @pid under @dir that are open but deleted: a reader kept on an old index. */
static guint
deleted_fds_under(GPid pid, const char *dir)
{
    g_autofree char *fds = g_strdup_printf("/proc/%d/fd", (int)pid);
    g_autoptr(GDir) d = g_dir_open(fds, 0, NULL);
    g_assert_nonnull(d);
    guint n = 0;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *link = g_build_filename(fds, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        if (target && g_str_has_prefix(target, dir) && g_str_has_suffix(target, " (deleted)"))
            n++;
    }
    return n;
}

static const char *const compact_queries[] = {
    "{\"op\":\"search\",\"q\":\"cơ quan nhà nước\",\"limit\":20}",
    "{\"op\":\"search\",\"q\":\"thu dien tu cong vu\",\"limit\":5}",
    "{\"op\":\"search\",\"q\":\"34/2008/CT-TTg\"}",
    "{\"op\":\"search\",\"q\":\"phòng chống lụt bão\",\"filters\":{\"type\":\"Nghị định\"}}",
    "{\"op\":\"stats\"}",
};

/* What an answer says, without its timing: equal before, during and after a compaction. */
static char *
answer_key(JsonObject *o)
{
    if (!is_ok(o))
        return g_strdup_printf("error %s", error_code(o));
    GString *k = g_string_new(NULL);
    if (!json_object_has_member(o, "hits")) {
        /* stats: all but the revision, which a compaction changes. The file counts and the
         * versions come from the metadata, which must survive it. */
        static const char *const members[] = {"docs", "files", "files_failed", "schema_version",
                                              "tokenizer_version"};
        for (gsize i = 0; i < G_N_ELEMENTS(members); i++)
            g_string_append_printf(k, "%s %" G_GINT64_FORMAT " ", members[i],
                                   json_object_get_int_member_with_default(o, members[i], -1));
        return g_string_free(k, FALSE);
    }
    g_string_append_printf(k, "total %" G_GINT64_FORMAT ":",
                           json_object_get_int_member(o, "total"));
    JsonArray *hits = json_object_get_array_member(o, "hits");
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        JsonObject *h = json_array_get_object_element(hits, i);
        g_string_append_printf(k, " %s@%.4f", json_object_get_string_member(h, "id"),
                               json_object_get_double_member(h, "score"));
    }
    return g_string_free(k, FALSE);
}

typedef struct {
    guint asked, errors, wrong;
} compact_tally;

/* Asks every query on both clients at once (so that both workers are busy) and checks each
 * answer against @want. */
static void
ask_round(tracuu_test_client *a, tracuu_test_client *b, char **want, compact_tally *t)
{
    for (gsize i = 0; i < G_N_ELEMENTS(compact_queries); i++) {
        g_autofree char *line = g_strconcat(compact_queries[i], "\n", NULL);
        tracuu_test_client_send(a, line, strlen(line));
        tracuu_test_client_send(b, line, strlen(line));
        tracuu_test_client *cs[2] = {a, b};
        for (int j = 0; j < 2; j++) {
            g_autofree char *answer = tracuu_test_client_recv_line(cs[j], 20000);
            g_assert_nonnull(answer);
            g_autoptr(JsonObject) o = tracuu_test_parse_object(answer);
            g_autofree char *key = answer_key(o);
            t->asked++;
            if (!is_ok(o)) {
                t->errors++;
                g_test_message("error during compaction: %s", answer);
            } else if (want && strcmp(key, want[i]) != 0) {
                t->wrong++;
                g_test_message("wrong answer to %s: %s, wanted %s", compact_queries[i], key,
                               want[i]);
            }
        }
    }
}

/*
 * tracuu-indexer --compact swaps the index folder under a running daemon, which must go on
 * answering, and answering right, through it: at most one error in all (a client would retry
 * it), and no answer that differs from before. Afterwards its workers read the new files, not
 * the deleted old ones. The compaction waits 3 s on each side of its swap
 * (TRACUU_COMPACT_FAULT=slow), so that many requests are answered across it.
 */
static void
test_compact_under_load(void)
{
    require_daemon();
    g_autofree char *db = g_build_filename(F.tmp, "compact-db", NULL);
    g_autofree char *archive =
        g_build_filename(g_getenv("TRACUU_SOURCE_ROOT"), "corpus", "archive", NULL);
    const char *index[] = {F.indexer, "--db", db, "-q", archive, NULL};
    int st = run_sync(index, NULL);
    g_assert_true(st == 0 || st == 1);

    g_autofree char *sock = g_build_filename(F.tmp, "compact.sock", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "compact.log", NULL);
    static const char *const extra[] = {"--threads", "2", NULL};
    GPid pid = start_daemon_on(db, sock, log, extra);
    g_assert_cmpint(pid, >, 0);
    g_autoptr(tracuu_test_client) a = tracuu_test_client_wait_unix(sock);
    g_autoptr(tracuu_test_client) b = tracuu_test_client_new_fd(tracuu_test_connect_unix(sock));

    char *want[G_N_ELEMENTS(compact_queries)];
    for (gsize i = 0; i < G_N_ELEMENTS(compact_queries); i++) {
        g_autoptr(JsonObject) o = tracuu_test_client_ask(a, compact_queries[i]);
        g_assert_true(is_ok(o));
        want[i] = answer_key(o);
    }
    g_assert_true(g_str_has_prefix(want[0], "total "));
    g_assert_false(g_str_has_prefix(want[0], "total 0:"));
    compact_tally before = {0};
    ask_round(a, b, want, &before);
    g_assert_cmpuint(before.errors + before.wrong, ==, 0);

    const char *compact[] = {F.indexer, "--db", db, "--compact", "--json", NULL};
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "TRACUU_COMPACT_FAULT", "slow", TRUE);
    GPid cpid;
    int out_fd;
    g_autoptr(GError) error = NULL;
    g_spawn_async_with_pipes(NULL, (char **)compact, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                             &cpid, NULL, &out_fd, NULL, &error);
    g_assert_no_error(error);
    compact_tally during = {0};
    int cst = -1;
    while (waitpid(cpid, &cst, WNOHANG) == 0)
        ask_round(a, b, want, &during);
    g_spawn_close_pid(cpid);
    char summary[4096] = {0};
    ssize_t n = read(out_fd, summary, sizeof summary - 1);
    close(out_fd);
    g_test_message("compaction: %s", n > 0 ? summary : "");
    g_assert_true(WIFEXITED(cst));
    g_assert_cmpint(WEXITSTATUS(cst), ==, 0);
    g_assert_nonnull(strstr(summary, "\"replaced\" : true"));

    /* Both workers move to the new files within a few requests each. */
    compact_tally after = {0};
    guint left = 0;
    for (int i = 0; i < 50; i++) {
        ask_round(a, b, want, &after);
        left = deleted_fds_under(pid, db);
        if (left == 0 && i >= 4)
            break;
    }
    g_test_message("%u requests during the compaction: %u errors, %u wrong; after: %u, %u, %u; "
                   "deleted files still open: %u",
                   during.asked, during.errors, during.wrong, after.asked, after.errors,
                   after.wrong, left);
    g_assert_cmpuint(during.asked, >, 20);
    g_assert_cmpuint(during.wrong + after.wrong, ==, 0);
    g_assert_cmpuint(during.errors + after.errors, <=, 1);
    g_assert_cmpuint(left, ==, 0);

    for (gsize i = 0; i < G_N_ELEMENTS(compact_queries); i++)
        g_free(want[i]);
    kill(pid, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 15), ==, 0);
}

/* ---- setup ---- */

static gboolean
setup(GError **error)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    if (!build || !src) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "TRACUU_BUILD_ROOT and TRACUU_SOURCE_ROOT must be set (meson test does)");
        return FALSE;
    }
    F.indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    for (int i = 0; i < 2; i++) {
        const char *p = i ? F.searchd : F.indexer;
        if (!g_file_test(p, G_FILE_TEST_IS_EXECUTABLE)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s is not built", p);
            return FALSE;
        }
    }
    F.tmp = g_dir_make_tmp("tracuu-searchd-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.db = g_build_filename(F.tmp, "db", NULL);
    F.sock = g_build_filename(F.tmp, "searchd.sock", NULL);
    F.log = g_build_filename(F.tmp, "searchd.log", NULL);

    g_autofree char *archive = g_build_filename(src, "corpus", "archive", NULL);
    const char *argv[] = {F.indexer, "--db", F.db, "-q", archive, NULL};
    g_autofree char *err = NULL;
    int st = run_sync(argv, &err);
    /* 1: indexed, but some files failed (the corpus holds a few on purpose). */
    if (st != 0 && st != 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer exited with %d: %s",
                    st, err ? err : "");
        return FALSE;
    }

    static const char *const extra[] = {"--listen", "127.0.0.1:0", "--threads", "2",
                                        "--idle-timeout", "2", NULL};
    F.pid = start_daemon(F.sock, F.log, extra);
    if (!F.pid) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot start tracuu-searchd");
        return FALSE;
    }
    for (int i = 0; i < 300; i++) {
        int fd = tracuu_test_connect_unix(F.sock);
        if (fd >= 0) {
            close(fd);
            break;
        }
        if (tracuu_test_wait_exit(F.pid, 0.05) >= 0) {
            g_autofree char *log = NULL;
            g_file_get_contents(F.log, &log, NULL, NULL);
            F.pid = 0;
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-searchd exited: %s",
                        log ? log : "");
            return FALSE;
        }
    }
    g_autofree char *log = NULL;
    g_file_get_contents(F.log, &log, NULL, NULL);
    const char *tcp = log ? strstr(log, "listening on tcp:127.0.0.1:") : NULL;
    if (tcp)
        F.tcp_port = atoi(tcp + strlen("listening on tcp:127.0.0.1:"));
    return TRUE;
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    setup(&setup_error);

    g_test_add_func("/searchd/ping", test_ping);
    for (gsize i = 0; i < G_N_ELEMENTS(ranking_cases); i++) {
        /* Flat names ("/" in a query would open a sub-suite, run after the SIGTERM test). */
        g_autofree char *q = g_strdelimit(g_strdup(ranking_cases[i].q), "/", '-');
        g_autofree char *path = g_strdup_printf("/searchd/ranking %s", q);
        g_test_add_data_func(path, &ranking_cases[i], test_ranking);
    }
    g_test_add_func("/searchd/snippets", test_snippets);
    g_test_add_func("/searchd/filters and sort", test_filters_and_sort);
    g_test_add_func("/searchd/facets", test_facets);
    g_test_add_func("/searchd/get and stats", test_get_and_stats);
    g_test_add_func("/searchd/errors keep the connection", test_errors);
    g_test_add_func("/searchd/numbers without float noise", test_numbers_clean);
    g_test_add_func("/searchd/pipelined in order", test_pipelined);
    g_test_add_func("/searchd/2 MiB line refused", test_long_line);
    g_test_add_func("/searchd/20 concurrent clients", test_concurrent);
    g_test_add_func("/searchd/tcp", test_tcp);
    g_test_add_func("/searchd/vanished clients", test_vanished_clients);
    g_test_add_func("/searchd/slow reader", test_slow_reader);
    g_test_add_func("/searchd/idle timeout", test_idle_timeout);
    g_test_add_func("/searchd/update seen without restart", test_update_seen);
    g_test_add_func("/searchd/second daemon refused", test_second_daemon_refused);
    g_test_add_func("/searchd/stale socket replaced", test_stale_socket_replaced);
    g_test_add_func("/searchd/question words table", test_question_words_option);
    g_test_add_func("/searchd/max clients and time limit", test_limits);
    g_test_add_func("/searchd/compaction under load", test_compact_under_load);
    g_test_add_func("/searchd/SIGHUP reopens the index", test_sighup_reloads);
    g_test_add_func("/searchd/socket mode not from the umask", test_socket_mode);
    g_test_add_func("/searchd/SIGTERM exits 0", test_sigterm);
    int rc = g_test_run();

    if (F.pid) {
        kill(F.pid, SIGKILL);
        tracuu_test_wait_exit(F.pid, 5);
    }
    if (F.tmp && rc == 0) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", F.tmp);
        if (system(cmd) != 0)
            g_printerr("# could not remove %s\n", F.tmp);
    } else if (F.tmp) {
        g_printerr("# kept %s for a look\n", F.tmp);
    }
    g_clear_error(&setup_error);
    return rc;
}
