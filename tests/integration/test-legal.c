/* test-legal.c - relations, status and trace over a --from-jsonl archive, per caller. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-client.h"
#include "tracuu-test-http.h"
#include "tracuu-test.h"

/*
 * The archive: a is amended (articles 5, 7) by b; c is replaced by d (d rests on a law not in
 * the archive); f is repealed by g, which is secret ("mat", label phap-che): user "mat" sees
 * it, user "thuong" does not; e is not yet in force. Everything else is public.
 */
static const char legal_jsonl[] =
    "{\"id\":\"a\",\"text\":\"Thông tư quy định phí\",\"number\":\"13/2015/TT-BTC\","
    "\"date\":\"2015-01-20\",\"effective_date\":\"2015-03-01\"}\n"
    "{\"id\":\"b\",\"text\":\"Thông tư sửa đổi phí\",\"number\":\"20/2018/TT-BTC\","
    "\"date\":\"2018-02-01\",\"effective_date\":\"2018-03-01\",\"relations\":[{\"kind\":"
    "\"amends\",\"number\":\"13/2015/TT-BTC\",\"articles\":[\"5\",\"7\"]}]}\n"
    "{\"id\":\"c\",\"text\":\"Nghị định lệ phí\",\"number\":\"10/2010/NĐ-CP\","
    "\"date\":\"2010-01-01\"}\n"
    "{\"id\":\"d\",\"text\":\"Nghị định thay thế\",\"number\":\"20/2020/NĐ-CP\","
    "\"date\":\"2020-01-01\",\"effective_date\":\"2020-02-01\",\"relations\":[{\"kind\":"
    "\"replaces\",\"number\":\"10/2010/NĐ-CP\"},{\"kind\":\"based_on\",\"number\":"
    "\"83/2015/QH13\"}]}\n"
    "{\"id\":\"e\",\"text\":\"Thông tư tương lai\",\"number\":\"99/2030/TT-BTC\","
    "\"date\":\"2026-01-01\",\"effective_date\":\"2030-01-01\"}\n"
    "{\"id\":\"f\",\"text\":\"Thông tư cũ\",\"number\":\"50/2012/TT-BTC\",\"date\":\"2012-01-01\"}\n"
    "{\"id\":\"g\",\"text\":\"Thông tư mật\",\"number\":\"60/2019/TT-BTC\",\"date\":\"2019-01-01\","
    "\"access\":[\"phap-che\"],\"secrecy\":\"mat\",\"relations\":[{\"kind\":\"repeals\","
    "\"number\":\"50/2012/TT-BTC\"}]}\n";

/* The later run: d again, without its relations (it no longer replaces c). */
static const char later_jsonl[] =
    "{\"id\":\"d\",\"text\":\"Nghị định thay thế\",\"number\":\"20/2020/NĐ-CP\","
    "\"date\":\"2020-01-01\",\"effective_date\":\"2020-02-01\"}\n";

static struct {
    char *tmp, *db, *indexer, *searchd, *client, *conf, *tokens[2];
    tracuu_test_http_daemon d;
    GError *setup_error;
} F;

static gboolean
import(const char *text, GError **error)
{
    g_autofree char *path = g_build_filename(F.tmp, "in.jsonl", NULL);
    if (!g_file_set_contents(path, text, -1, error))
        return FALSE;
    const char *argv[] = {F.indexer, "--db", F.db, "--from-jsonl", path, "-q", NULL};
    int status = -1;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                      error))
        return FALSE;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer failed: %d", status);
        return FALSE;
    }
    return TRUE;
}

/* A client of user 0 ("mat") or 1 ("thuong"), authenticated over TCP. */
static tracuu_test_client *
client_of(int user)
{
    tracuu_test_client *c = tracuu_test_client_new_tcp(F.d.tcp_port);
    g_assert_nonnull(c);
    g_autofree char *auth = g_strdup_printf("{\"op\":\"auth\",\"token\":\"%s\"}", F.tokens[user]);
    g_autoptr(JsonObject) r = tracuu_test_client_ask(c, auth);
    g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
    return c;
}

static int
cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static JsonObject *
ask(tracuu_test_client *c, const char *req)
{
    JsonObject *r = tracuu_test_client_ask(c, req);
    g_assert_nonnull(r);
    return r;
}

/* The doc of a get, or NULL with its error code in *code. */
static JsonObject *
get(tracuu_test_client *c, const char *id, const char *as_of, char **code)
{
    g_autofree char *req =
        g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"%s%s%s}", id, as_of ? ",\"as_of\":\"" : "",
                        as_of ? as_of : "", as_of ? "\"" : "");
    g_autoptr(JsonObject) r = ask(c, req);
    if (!json_object_get_boolean_member_with_default(r, "ok", FALSE)) {
        if (code)
            *code = g_strdup(json_object_get_string_member(
                json_object_get_object_member(r, "error"), "code"));
        return NULL;
    }
    return json_object_ref(json_object_get_object_member(r, "doc"));
}

/* "status because1,because2" of @id. */
static char *
status_of(tracuu_test_client *c, const char *id, const char *as_of)
{
    g_autoptr(JsonObject) d = get(c, id, as_of, NULL);
    g_assert_nonnull(d);
    JsonArray *b = json_object_get_array_member(d, "status_because");
    GString *s = g_string_new(json_object_get_string_member(d, "status"));
    g_string_append_c(s, ' ');
    for (guint i = 0; i < json_array_get_length(b); i++)
        g_string_append_printf(s, "%s%s", i ? "," : "", json_array_get_string_element(b, i));
    return g_string_free(s, FALSE);
}

/* The sorted ids of a search (limit 50) and its total, "a,b"; *@facet gets the status facet
 * as "expired=1,in_force=3" (sorted) when not NULL. */
static char *
search(tracuu_test_client *c, const char *q, char **facet)
{
    g_autofree char *req = g_strdup_printf(
        "{\"op\":\"search\",\"q\":\"%s\",\"limit\":50,\"facets\":[\"status\"]}", q);
    g_autoptr(JsonObject) r = ask(c, req);
    g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
    JsonArray *hits = json_object_get_array_member(r, "hits");
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < json_array_get_length(hits); i++)
        g_ptr_array_add(ids, g_strdup(json_object_get_string_member(
                                 json_array_get_object_element(hits, i), "id")));
    g_assert_cmpint(json_object_get_int_member(r, "total"), ==, ids->len);
    g_ptr_array_sort(ids, cmp_strp);
    if (facet != NULL) {
        JsonObject *counts =
            json_object_get_object_member(json_object_get_object_member(r, "facets"), "status");
        GList *names = g_list_sort(json_object_get_members(counts), (GCompareFunc)g_strcmp0);
        GString *s = g_string_new(NULL);
        for (GList *l = names; l != NULL; l = l->next)
            g_string_append_printf(s, "%s%s=%" G_GINT64_FORMAT, s->len ? "," : "",
                                   (char *)l->data, json_object_get_int_member(counts, l->data));
        g_list_free(names);
        *facet = g_string_free(s, FALSE);
    }
    g_ptr_array_add(ids, NULL);
    return g_strjoinv(",", (char **)ids->pdata);
}

/* A trace as "nodes|edges": node ids (numbers for outside ones, "+" when in the archive),
 * edges "from>to:kind[articles]", each sorted. */
static char *
trace(tracuu_test_client *c, const char *id, int depth, char **code)
{
    g_autofree char *req =
        g_strdup_printf("{\"op\":\"trace\",\"doc\":\"%s\",\"depth\":%d}", id, depth);
    g_autoptr(JsonObject) r = ask(c, req);
    if (!json_object_get_boolean_member_with_default(r, "ok", FALSE)) {
        *code = g_strdup(
            json_object_get_string_member(json_object_get_object_member(r, "error"), "code"));
        return NULL;
    }
    g_autoptr(GPtrArray) ns = g_ptr_array_new_with_free_func(g_free);
    JsonArray *nodes = json_object_get_array_member(r, "nodes");
    for (guint i = 0; i < json_array_get_length(nodes); i++) {
        JsonObject *n = json_array_get_object_element(nodes, i);
        gboolean in = json_object_get_boolean_member(n, "in_archive");
        g_ptr_array_add(ns, g_strdup_printf("%s%s",
                                            in ? json_object_get_string_member(n, "id")
                                               : json_object_get_string_member(n, "number"),
                                            in ? "+" : ""));
    }
    g_autoptr(GPtrArray) es = g_ptr_array_new_with_free_func(g_free);
    JsonArray *edges = json_object_get_array_member(r, "edges");
    for (guint i = 0; i < json_array_get_length(edges); i++) {
        JsonObject *e = json_array_get_object_element(edges, i);
        JsonArray *arts = json_object_get_array_member(e, "articles");
        GString *s = g_string_new(NULL);
        g_string_printf(s, "%s>%s:%s[", json_object_get_string_member(e, "from"),
                        json_object_get_string_member(e, "to"),
                        json_object_get_string_member(e, "kind"));
        for (guint k = 0; k < json_array_get_length(arts); k++)
            g_string_append_printf(s, "%s%s", k ? "," : "", json_array_get_string_element(arts, k));
        g_string_append_c(s, ']');
        g_ptr_array_add(es, g_string_free(s, FALSE));
    }
    g_ptr_array_sort(ns, cmp_strp);
    g_ptr_array_sort(es, cmp_strp);
    g_ptr_array_add(ns, NULL);
    g_ptr_array_add(es, NULL);
    g_autofree char *n = g_strjoinv(",", (char **)ns->pdata);
    g_autofree char *e = g_strjoinv(",", (char **)es->pdata);
    return g_strdup_printf("%s|%s", n, e);
}

/* ---- tests ---- */

static void
test_status(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    static const struct {
        const char *id, *as_of, *want;
    } cases[] = {
        {"a", NULL, "partly_expired b"},   {"b", NULL, "in_force "},
        {"c", NULL, "expired d"},          {"d", NULL, "in_force "},
        {"e", NULL, "not_yet_in_force "},  {"f", NULL, "expired g"},
        {"e", "2031-01-01", "in_force "},  /* as_of moves the day */
        {"a", "2017-01-01", "in_force "},  /* before b was in force */
        {"c", "2019-12-31", "in_force "},  /* before d was issued */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = status_of(c, cases[i].id, cases[i].as_of);
        g_test_message("%s as of %s: %s", cases[i].id, cases[i].as_of, got);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    g_autoptr(JsonObject) b = get(c, "b", NULL, NULL);
    JsonObject *rel = json_array_get_object_element(json_object_get_array_member(b, "relations"), 0);
    g_assert_cmpstr(json_object_get_string_member(rel, "doc"), ==, "a");
    g_autoptr(JsonObject) a = get(c, "a", NULL, NULL);
    JsonObject *by = json_array_get_object_element(json_object_get_array_member(a, "related_by"), 0);
    g_assert_cmpstr(json_object_get_string_member(by, "kind"), ==, "amended_by");
    g_assert_cmpstr(json_object_get_string_member(by, "doc"), ==, "b");
    g_assert_cmpstr(json_object_get_string_member(a, "effective_date"), ==, "2015-03-01");
    g_autoptr(JsonObject) d = get(c, "d", NULL, NULL);
    JsonObject *outside =
        json_array_get_object_element(json_object_get_array_member(d, "relations"), 1);
    g_assert_false(json_object_has_member(outside, "doc")); /* 83/2015/QH13 is not here */
    char *code = NULL;
    g_assert_null(get(c, "a", "2021-02-31", &code));
    g_assert_cmpstr(code, ==, "bad_request");
    g_free(code);
    tracuu_test_client_free(c);
}

static void
test_search(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    static const struct {
        const char *q, *want, *facet;
    } cases[] = {
        {"amends:13/2015/TT-BTC", "b", "in_force=1"},
        {"amended_by:20/2018/TT-BTC", "a", "partly_expired=1"},
        {"amended_by:b", "a", "partly_expired=1"}, /* by id too */
        {"replaces:10/2010/nd-cp", "d", "in_force=1"},
        {"replaced_by:20/2020/NĐ-CP", "c", "expired=1"},
        {"repealed_by:60/2019/TT-BTC", "f", "expired=1"},
        {"based_on:83/2015/QH13", "d", "in_force=1"},
        {"cites:10/2010/NĐ-CP", "d", "in_force=1"},
        {"status:expired", "c,f", "expired=2"},
        {"status:partly_expired", "a", "partly_expired=1"},
        {"status:not_yet_in_force", "e", "not_yet_in_force=1"},
        {"status:in_force", "b,d,g", "in_force=3"},
        {"thông tư", "a,b,e,f,g", "expired=1,in_force=2,not_yet_in_force=1,partly_expired=1"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *facet = NULL;
        g_autofree char *got = search(c, cases[i].q, &facet);
        g_test_message("%s: %s (%s)", cases[i].q, got, facet);
        g_assert_cmpstr(got, ==, cases[i].want);
        g_assert_cmpstr(facet, ==, cases[i].facet);
    }
    g_autoptr(JsonObject) bad = ask(c, "{\"op\":\"search\",\"q\":\"status:dead\"}");
    g_assert_false(json_object_get_boolean_member(bad, "ok"));
    tracuu_test_client_free(c);
}

static void
test_trace(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    static const struct {
        const char *id;
        int depth;
        const char *want;
    } cases[] = {
        {"a", 1, "a+,b+|b>a:amends[5,7]"},
        {"c", 1, "c+,d+|d>c:replaces[]"},
        {"c", 2, "83/2015/QH13,c+,d+|d>83/2015/QH13:based_on[],d>c:replaces[]"},
        {"f", 1, "f+,g+|g>f:repeals[]"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *code = NULL;
        g_autofree char *got = trace(c, cases[i].id, cases[i].depth, &code);
        g_test_message("trace %s %d: %s", cases[i].id, cases[i].depth, got);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    tracuu_test_client_free(c);
}

/* prefer=in_force: the page starts with the documents in force, total unchanged. */
static void
test_prefer(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    for (int off = 0; off < 5; off++) {
        g_autofree char *req = g_strdup_printf("{\"op\":\"search\",\"q\":\"thông tư\","
                                               "\"prefer\":\"in_force\",\"sort\":\"date\","
                                               "\"offset\":%d,\"limit\":2}",
                                               off);
        g_autoptr(JsonObject) r = ask(c, req);
        g_assert_cmpint(json_object_get_int_member(r, "total"), ==, 5);
        JsonArray *hits = json_array_ref(json_object_get_array_member(r, "hits"));
        /* In force by date: b (2018), g (2019); then a, f, e by date. */
        static const char *const order[] = {"b", "g", "f", "a", "e"};
        g_assert_cmpuint(json_array_get_length(hits), ==, MIN(2, 5 - off));
        for (guint i = 0; i < json_array_get_length(hits); i++)
            g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(hits, i),
                                                          "id"),
                            ==, order[off + i]);
        json_array_unref(hits);
    }
    g_autoptr(JsonObject) bad = ask(c, "{\"op\":\"search\",\"q\":\"x\",\"prefer\":\"old\"}");
    g_assert_false(json_object_get_boolean_member(bad, "ok"));
    tracuu_test_client_free(c);
}

/* GET /api/doc/ID/trace, with the access rules of /api/doc/ID; and the client's trace. */
static void
test_http_and_client(void)
{
    g_assert_no_error(F.setup_error);
    static const struct {
        int user;
        const char *target;
        int status;
        const char *has;
    } cases[] = {
        {0, "/api/doc/f/trace?depth=1", 200, "\"from\":\"g\""},
        {1, "/api/doc/f/trace?depth=1", 200, "\"edges\":[]"},
        {1, "/api/doc/g/trace", 404, "not_found"},
        {0, "/api/doc/nothing/trace", 404, "not_found"},
        {0, "/api/doc/f/trace?depth=x", 400, "bad_request"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *h =
            g_strdup_printf("Authorization: Bearer %s\r\n", F.tokens[cases[i].user]);
        g_autoptr(tracuu_test_http_reply) r =
            tracuu_test_http_request(F.d.port, "GET", cases[i].target, h, NULL);
        g_test_message("%s: %d %s", cases[i].target, r->status, r->body);
        g_assert_cmpint(r->status, ==, cases[i].status);
        g_assert_nonnull(strstr(r->body, cases[i].has));
    }
    /* The client, by number, over the socket as user "mat". */
    g_autofree char *token_file = g_build_filename(F.tmp, "mat.token", NULL);
    g_assert_true(g_file_set_contents(token_file, F.tokens[0], -1, NULL));
    g_autofree char *sock = g_build_filename(F.tmp, "s.sock", NULL);
    const char *argv[] = {F.client, "--socket", sock, "--token-file", token_file,
                          "trace", "13/2015/TT-BTC", NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = -1;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, NULL));
    g_test_message("tracuu trace: %s%s", out, err);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_cmpstr(out, ==, "b (20/2018/TT-BTC) --amends [Điều 5, 7]--> a (13/2015/TT-BTC)\n");
}

/* User "thuong" cannot see g: nothing of it shows, anywhere. */
static void
test_hidden(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(1);
    g_autofree char *f = status_of(c, "f", NULL);
    g_assert_cmpstr(f, ==, "in_force ");
    g_autoptr(JsonObject) fd = get(c, "f", NULL, NULL);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(fd, "related_by")), ==, 0);
    static const struct {
        const char *q, *want, *facet;
    } cases[] = {
        {"repealed_by:60/2019/TT-BTC", "", ""},
        {"repeals:50/2012/TT-BTC", "", ""},
        {"status:expired", "c", "expired=1"},
        {"status:in_force", "b,d,f", "in_force=3"},
        {"thông tư", "a,b,e,f", "in_force=2,not_yet_in_force=1,partly_expired=1"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *facet = NULL;
        g_autofree char *got = search(c, cases[i].q, &facet);
        g_test_message("thuong %s: %s (%s)", cases[i].q, got, facet);
        g_assert_cmpstr(got, ==, cases[i].want);
        g_assert_cmpstr(facet, ==, cases[i].facet);
    }
    char *code = NULL;
    g_autofree char *tf = trace(c, "f", 2, &code);
    g_assert_cmpstr(tf, ==, "f+|");
    g_assert_null(trace(c, "g", 1, &code));
    g_assert_cmpstr(code, ==, "not_found");
    g_free(code);
    code = NULL;
    g_assert_null(get(c, "g", NULL, &code));
    g_assert_cmpstr(code, ==, "not_found");
    g_free(code);
    tracuu_test_client_free(c);
}

/* A relation of an unknown kind, without a number, or not an object is a bad line, with the
 * reason; the good line beside it is imported. */
static void
test_bad_relations(void)
{
    g_assert_no_error(F.setup_error);
    static const char bad[] =
        "{\"id\":\"x1\",\"text\":\"x\",\"relations\":[{\"kind\":\"hates\",\"number\":\"1/2020/TT\"}]}\n"
        "{\"id\":\"x2\",\"text\":\"x\",\"relations\":[{\"kind\":\"amends\"}]}\n"
        "{\"id\":\"x3\",\"text\":\"x\",\"relations\":[\"1/2020/TT\"]}\n"
        "{\"id\":\"x4\",\"text\":\"x\",\"relations\":[{\"kind\":\"amends\",\"number\":\"1/2020/TT\","
        "\"articles\":[5]}]}\n"
        "{\"id\":\"x5\",\"text\":\"x\",\"effective_date\":\"2021-02-31\"}\n"
        "{\"id\":\"ok\",\"text\":\"x\",\"relations\":[]}\n";
    g_autofree char *path = g_build_filename(F.tmp, "bad.jsonl", NULL);
    g_autofree char *db = g_build_filename(F.tmp, "bad-db", NULL);
    g_assert_true(g_file_set_contents(path, bad, -1, NULL));
    const char *argv[] = {F.indexer, "--db", db, "--from-jsonl", path, NULL};
    g_autofree char *out = NULL;
    int status = -1;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, NULL));
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, "1 imported, 5 bad"));
    g_assert_nonnull(strstr(out, "line 1: \"relations\" must be an array of {\"kind\""));
    g_assert_nonnull(strstr(out, "line 5: \"effective_date\" must be a date"));
}

/* Runs last: d no longer replaces c, and c is in force again. */
static void
test_later_run(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    g_autofree char *before = status_of(c, "c", NULL);
    g_assert_cmpstr(before, ==, "expired d");
    g_autoptr(GError) error = NULL;
    g_assert_true(import(later_jsonl, &error));
    g_assert_no_error(error);
    g_autofree char *after = status_of(c, "c", NULL);
    g_assert_cmpstr(after, ==, "in_force ");
    g_autofree char *rb = search(c, "replaced_by:20/2020/NĐ-CP", NULL);
    g_assert_cmpstr(rb, ==, "");
    tracuu_test_client_free(c);
}

/*
 * The same graph read from the texts themselves (docmeta, not JSONL): a folder of letters where
 * 05/2021/TT-BNV replaces 01/2016/TT-BNV, 07/2022/TT-BNV amends Điều 3 of 02/2017/TT-BNV and
 * 09/2023/TT-BNV repeals 03/2018/TT-BNV; then the replacing letter's file is removed and a
 * later run puts 01/2016/TT-BNV back in force.
 */
static void
write_letter(const char *dir, const char *name, const char *number, const char *year,
             const char *title, const char *body)
{
    g_autofree char *text = g_strdup_printf(
        "BỘ NỘI VỤ\nSố: %s\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Hà Nội, ngày 10 tháng 01 năm %s\nTHÔNG TƯ\n%s\n%s\nThông tư này có hiệu lực thi hành "
        "kể từ ngày 01 tháng 03 năm %s.\nBỘ TRƯỞNG\nNguyễn Văn A\n",
        number, year, title, body, year);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static gboolean
index_folder(const char *dir)
{
    const char *argv[] = {F.indexer, "--db", F.db, dir, "-q", NULL};
    int status = -1;
    return g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                        &status, NULL) &&
           WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The status of the whole document with @number, "status because-numbers". */
static char *
status_of_number(tracuu_test_client *c, const char *number)
{
    g_autofree char *q = g_strdup_printf("so:%s unit:document", number);
    g_autofree char *ids = search(c, q, NULL);
    g_assert_cmpstr(ids, !=, "");
    g_assert_null(strchr(ids, ','));
    return status_of(c, ids, "2026-06-01");
}

static void
test_from_text(void)
{
    g_assert_no_error(F.setup_error);
    g_autofree char *dir = g_build_filename(F.tmp, "letters", NULL);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    write_letter(dir, "old.txt", "01/2016/TT-BNV", "2016", "Quy định về lưu trữ", "Điều 1.");
    write_letter(dir, "new.txt", "05/2021/TT-BNV", "2021", "Quy định mới về lưu trữ",
                 "Thông tư này thay thế Thông tư số 01/2016/TT-BNV của Bộ trưởng Bộ Nội vụ.");
    write_letter(dir, "base.txt", "02/2017/TT-BNV", "2017", "Quy định về văn thư",
                 "Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\nThông tư này quy định "
                 "về văn thư.\nĐiều 3. Lập hồ sơ điện tử\nHồ sơ được lập trên hệ thống quản lý "
                 "văn bản.");
    write_letter(dir, "amend.txt", "07/2022/TT-BNV", "2022",
                 "Sửa đổi, bổ sung Điều 3 của Thông tư số 02/2017/TT-BNV", "Điều 1. Sửa đổi.");
    write_letter(dir, "gone.txt", "03/2018/TT-BNV", "2018", "Quy định về con dấu", "Điều 2.");
    write_letter(dir, "repeal.txt", "09/2023/TT-BNV", "2023", "Bãi bỏ một văn bản",
                 "Bãi bỏ Thông tư số 03/2018/TT-BNV của Bộ trưởng Bộ Nội vụ.");
    g_assert_true(index_folder(dir));

    tracuu_test_client *c = client_of(0);
    g_autofree char *old = status_of_number(c, "01/2016/TT-BNV");
    g_autofree char *base = status_of_number(c, "02/2017/TT-BNV");
    g_autofree char *gone = status_of_number(c, "03/2018/TT-BNV");
    g_assert_true(g_str_has_prefix(old, "expired "));
    g_assert_true(g_str_has_prefix(base, "partly_expired "));
    g_assert_true(g_str_has_prefix(gone, "expired "));
    g_autofree char *amended = search(c, "amends:02/2017/TT-BNV unit:document", NULL);
    g_assert_cmpstr(amended, !=, "");

    /* Its articles are units of their own: so: dieu: answers the article first, with its
     * heading, chapter and document; unit:document leaves them out. */
    g_autoptr(JsonObject) r = ask(c, "{\"op\":\"search\",\"q\":\"so:02/2017/TT-BNV dieu:3 hồ "
                                     "sơ\",\"limit\":5}");
    JsonArray *hits = json_object_get_array_member(r, "hits");
    g_assert_cmpint(json_array_get_length(hits), >=, 1);
    JsonObject *first = json_array_get_object_element(hits, 0);
    g_assert_cmpstr(json_object_get_string_member(first, "kind"), ==, "article");
    g_assert_cmpstr(json_object_get_string_member(first, "article"), ==, "3");
    g_assert_cmpstr(json_object_get_string_member(first, "title"), ==,
                    "Điều 3. Lập hồ sơ điện tử");
    g_assert_cmpstr(json_object_get_string_member(first, "chapter"), ==,
                    "Chương I. QUY ĐỊNH CHUNG");
    g_assert_cmpstr(json_object_get_string_member(first, "number"), ==, "02/2017/TT-BNV");
    g_assert_true(g_str_has_suffix(json_object_get_string_member(first, "id"), "#dieu-3"));
    g_autoptr(JsonObject) art = get(c, json_object_get_string_member(first, "id"), NULL, NULL);
    g_assert_nonnull(art);
    g_assert_nonnull(strstr(json_object_get_string_member(art, "text"), "quản lý văn bản"));
    g_assert_null(strstr(json_object_get_string_member(art, "text"), "Phạm vi"));

    g_autofree char *new_path = g_build_filename(dir, "new.txt", NULL);
    g_assert_cmpint(g_unlink(new_path), ==, 0);
    g_assert_true(index_folder(dir));
    g_autofree char *back = status_of_number(c, "01/2016/TT-BNV");
    g_assert_cmpstr(back, ==, "in_force ");
    tracuu_test_client_free(c);
}

/* ---- main ---- */

static gboolean
setup(GError **error)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    if (!build) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "run through meson test");
        return FALSE;
    }
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    F.indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.client = g_build_filename(build, "client", "tracuu", NULL);
    F.tmp = g_dir_make_tmp("tracuu-legal-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.db = g_build_filename(F.tmp, "db", NULL);
    if (!import(legal_jsonl, error))
        return FALSE;
    g_autofree char *l0 = NULL, *l1 = NULL;
    tracuu_test_new_token(F.searchd, "mat", &F.tokens[0], &l0);
    tracuu_test_new_token(F.searchd, "thuong", &F.tokens[1], &l1);
    g_autofree char *conf_text = g_strdup_printf(
        "[index]\ndb = db\n[searchd]\nsocket = s.sock\nlisten = 127.0.0.1:0\n"
        "[access]\ndefault = public\n"
        "[user mat]\nlabels = phap-che\nclearance = mat\n%s\n"
        "[user thuong]\nlabels = phap-che\n%s\n",
        l0, l1);
    g_autofree char *conf = g_build_filename(F.tmp, "s.conf", NULL);
    if (!g_file_set_contents(conf, conf_text, -1, error))
        return FALSE;
    F.conf = g_strdup(conf);
    const char *args[] = {"--config", conf, "--threads", "2", "--http", "127.0.0.1:0", NULL};
    if (tracuu_test_http_daemon_start(&F.d, F.searchd, F.tmp, "s", args) != -1 ||
        F.d.tcp_port == 0) {
        g_autofree char *log = tracuu_test_http_daemon_log(&F.d);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-searchd did not listen: %s",
                    log);
        return FALSE;
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    setup(&F.setup_error);
    g_test_add_func("/legal/status and relations of a document", test_status);
    g_test_add_func("/legal/search by relation, status filter and facet", test_search);
    g_test_add_func("/legal/trace", test_trace);
    g_test_add_func("/legal/a hidden document shows nowhere", test_hidden);
    g_test_add_func("/legal/prefer in force", test_prefer);
    g_test_add_func("/legal/HTTP trace and tracuu trace", test_http_and_client);
    g_test_add_func("/legal/bad relations are bad lines", test_bad_relations);
    g_test_add_func("/legal/a later run changes the status back", test_later_run);
    g_test_add_func("/legal/relations read from the texts, a removed file", test_from_text);
    int rc = g_test_run();
    if (F.d.pid) {
        /* A clean exit: under the sanitizers, a leak or an error in the daemon fails here. */
        kill(F.d.pid, SIGTERM);
        int st = tracuu_test_wait_exit(F.d.pid, 20);
        if (st != 0) {
            g_printerr("# tracuu-searchd exited with %d\n", st);
            rc = 1;
        }
    }
    if (F.tmp && rc == 0)
        tracuu_test_rm_rf(F.tmp);
    g_clear_error(&F.setup_error);
    return rc;
}
