/* test-shards.c - one index against the same documents in 2 and 3 shards, local and remote. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-client.h"
#include "tracuu-test-http.h"
#include "tracuu-test.h"

/*
 * The corpus is indexed whole into one folder, and in disjoint parts (its letters and its
 * documents; the documents again cut in two) into shard folders joined by a stub written by
 * hand, so that this test does not depend on the indexer's --shards. A tracuu-searchd over
 * each must answer every query alike: the same hits with the same scores, totals, facets and
 * snippets. Then the shards are served by two xapian-tcpsrv on loopback, and one is killed.
 *
 * Xapian ranks hits of equal weight by document number, and the numbers differ between one
 * index and shards (Xapian interleaves them), so hits are compared in the order of their
 * scores with ties by id.
 */

#define TCPSRV "/usr/bin/xapian-tcpsrv"

typedef struct {
    const char *name;
    tracuu_test_http_daemon d;
    char *sock;
} daemon_t;

enum { D_ONE, D_TWO, D_THREE, D_REMOTE, N_DAEMONS };

static struct {
    char *tmp, *indexer, *searchd, *archive, *map;
    char *tokens[2], *conf_lines[2]; /* "boss" (admin), "u" (labels van-thu) */
    daemon_t daemons[N_DAEMONS];
    GPid tcpsrv[2];
    int tcp_port[2];
    GError *setup_error;
} F;

static gboolean
index_into(const char *db, GPtrArray *paths, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *head[] = {F.indexer, "--db", db, "-q", "-j", "2", "--access-map", F.map};
    for (gsize i = 0; i < G_N_ELEMENTS(head); i++)
        g_ptr_array_add(argv, (gpointer)head[i]);
    for (guint i = 0; i < paths->len; i++)
        g_ptr_array_add(argv, paths->pdata[i]);
    g_ptr_array_add(argv, NULL);
    int status = -1;
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                      &status, error))
        return FALSE;
    /* 1: indexed, with some files of the corpus failing on purpose. */
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer on %s failed: %d", db,
                    status);
        return FALSE;
    }
    return TRUE;
}

static gboolean
index_one(const char *db, const char *path, GError **error)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    g_ptr_array_add(paths, (gpointer)path);
    return index_into(db, paths, error);
}

static gboolean
start_daemon(daemon_t *d, const char *db, GError **error)
{
    d->sock = g_strdup_printf("%s/%s.sock", F.tmp, d->name);
    g_autofree char *text = g_strdup_printf(
        "[index]\ndb = %s\n[searchd]\nsocket = %s\n[access]\ndefault = public\n"
        "[user boss]\nadmin = true\n%s\n[user u]\nlabels = van-thu\n%s\n",
        db, d->sock, F.conf_lines[0], F.conf_lines[1]);
    g_autofree char *conf = g_strdup_printf("%s/%s.conf", F.tmp, d->name);
    if (!g_file_set_contents(conf, text, -1, error))
        return FALSE;
    /* A killed server refuses at once; the time limit is for a slow one, and generous so
     * that a loaded machine (or a sanitizer build) does not make a live shard miss it. */
    const char *args[] = {"--config", conf, "--threads", "2", "--timeout", "20",
                          "--http", "127.0.0.1:0", NULL};
    if (tracuu_test_http_daemon_start(&d->d, F.searchd, F.tmp, d->name, args) != -1) {
        g_autofree char *log = tracuu_test_http_daemon_log(&d->d);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-searchd on %s stopped: %s",
                    db, log);
        return FALSE;
    }
    return TRUE;
}

/* A port nothing listens on now (the kernel's choice of a free one). */
static int
free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* xapian-tcpsrv answers SIGTERM with kill(0, SIGTERM): it gets a session of its own, and is
 * ended by its process group (the connections it forked are in it too). */
static void
tcpsrv_setup(gpointer data)
{
    setsid();
    tracuu_test_die_with_parent(data);
}

static gboolean
start_tcpsrv(int i, const char *dir, GError **error)
{
    g_autofree char *port = g_strdup_printf("%d", F.tcp_port[i]);
    const char *argv[] = {TCPSRV, "--quiet", "--interface", "127.0.0.1", "--port", port, dir,
                          NULL};
    if (!g_spawn_async(NULL, (char **)argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, tcpsrv_setup,
                       NULL, &F.tcpsrv[i], error))
        return FALSE;
    /* Ready when it accepts a connection. */
    for (int n = 0; n < 200; n++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)F.tcp_port[i]),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (rc == 0)
            return TRUE;
        g_usleep(50000);
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "xapian-tcpsrv on port %d did not listen",
                F.tcp_port[i]);
    return FALSE;
}

static void
stop_tcpsrv(int i)
{
    if (F.tcpsrv[i] == 0)
        return;
    kill(-F.tcpsrv[i], SIGKILL);
    tracuu_test_wait_exit(F.tcpsrv[i], 10);
    F.tcpsrv[i] = 0;
}

/* ---- Answers ---- */

/* A client of user 0 ("boss", admin) or 1 ("u"), on daemon @d's socket. */
static tracuu_test_client *
client_of(int d, int user)
{
    tracuu_test_client *c = tracuu_test_client_wait_unix(F.daemons[d].sock);
    g_autofree char *auth = g_strdup_printf("{\"op\":\"auth\",\"token\":\"%s\"}", F.tokens[user]);
    g_autoptr(JsonObject) r = tracuu_test_client_ask(c, auth);
    g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
    return c;
}

typedef struct {
    const char *id;
    double score;
    JsonObject *hit;
} hit_ref;

static int
cmp_hits(gconstpointer a, gconstpointer b)
{
    const hit_ref *x = a, *y = b;
    /* Equal to 1e-7: the scores compared below must agree far closer than that. */
    gint64 sx = (gint64)(x->score * 1e7 + 0.5), sy = (gint64)(y->score * 1e7 + 0.5);
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return strcmp(x->id, y->id);
}

static GArray *
hits_by_score(JsonObject *r)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(hit_ref));
    JsonArray *hits = json_object_get_array_member(r, "hits");
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        JsonObject *h = json_array_get_object_element(hits, i);
        hit_ref ref = {json_object_get_string_member(h, "id"),
                       json_object_get_double_member(h, "score"), h};
        g_array_append_val(out, ref);
    }
    g_array_sort(out, cmp_hits);
    return out;
}

static char *
to_json(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, node);
    return json_generator_to_data(gen, NULL);
}

/* @o's member @name as JSON text, or "" when absent. */
static char *
member_json(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    return n != NULL ? to_json(n) : g_strdup("");
}

typedef struct {
    const char *req;
    /* Scores compared too (else the same hits, totals, facets and snippets). Some queries
     * score some hits differently over shards, measured in docs/scaling.md: one index ranks
     * adjacent-pair bonuses in two passes (the second filtered by document numbers, which
     * shards cannot run), shards in one; and Xapian 1.4 weighs some queries per shard. */
    gboolean scores;
    /* A page that may start or end inside a tie: which of the tied hits are on it depends on
     * document numbers, which differ (and vary from run to run with the order the workers
     * finish), so its hits are compared by their scores alone. */
    gboolean paged;
} query_case;

static int
cmp_ids(gconstpointer a, gconstpointer b)
{
    return strcmp(((const hit_ref *)a)->id, ((const hit_ref *)b)->id);
}

/* Asserts that @got (from daemon @what) answers as @want: totals, facets, hits (with
 * @q->scores, in the order of their scores, to 1e-9), snippets, titles and pages. */
static void
assert_same(JsonObject *want, JsonObject *got, const char *what, const query_case *q)
{
    g_test_message("%s: %s", what, q->req);
    g_assert_true(json_object_get_boolean_member_with_default(got, "ok", FALSE));
    g_assert_false(json_object_has_member(got, "partial"));
    g_assert_cmpint(json_object_get_int_member(got, "total"), ==,
                    json_object_get_int_member(want, "total"));
    g_autofree char *fw = member_json(want, "facets"), *fg = member_json(got, "facets");
    g_assert_cmpstr(fg, ==, fw);
    g_autoptr(GArray) hw = hits_by_score(want);
    g_autoptr(GArray) hg = hits_by_score(got);
    if (!q->scores) {
        g_array_sort(hw, cmp_ids);
        g_array_sort(hg, cmp_ids);
    }
    g_assert_cmpuint(hg->len, ==, hw->len);
    for (guint i = 0; i < hw->len; i++) {
        hit_ref *a = &g_array_index(hw, hit_ref, i), *b = &g_array_index(hg, hit_ref, i);
        if (q->scores)
            g_assert_cmpfloat_with_epsilon(b->score, a->score, 1e-9);
        if (q->paged)
            continue;
        g_assert_cmpstr(b->id, ==, a->id);
        const char *fields[] = {"snippet", "title", "page", "path", "status"};
        for (gsize f = 0; f < G_N_ELEMENTS(fields); f++) {
            g_autofree char *x = member_json(a->hit, fields[f]);
            g_autofree char *y = member_json(b->hit, fields[f]);
            g_assert_cmpstr(y, ==, x);
        }
    }
}

/* Queries with and without diacritics, phrases, filters and facets; limits large enough for
 * every hit, so that ties at the end of a page cannot differ. */
static const query_case queries[] = {
    {"{\"op\":\"search\",\"q\":\"quyết định\",\"limit\":100,\"facets\":[\"kind\",\"year\"]}",
     TRUE},
    {"{\"op\":\"search\",\"q\":\"quyet dinh\",\"limit\":100}", TRUE},
    {"{\"op\":\"search\",\"q\":\"thu dien tu cong vu\",\"limit\":100,\"facets\":[\"doc_type\"]}",
     FALSE},
    {"{\"op\":\"search\",\"q\":\"\\\"ủy ban nhân dân\\\"\",\"limit\":100}", TRUE},
    {"{\"op\":\"search\",\"q\":\"bao cao tinh hinh\",\"limit\":100,\"facets\":[\"issuer\"]}",
     TRUE},
    {"{\"op\":\"search\",\"q\":\"công văn\",\"limit\":100,\"filters\":{\"kind\":[\"mail\","
     "\"attachment\"]},\"facets\":[\"kind\"]}",
     FALSE},
    {"{\"op\":\"search\",\"q\":\"\",\"limit\":100,\"sort\":\"-date\",\"facets\":[\"year\"]}",
     TRUE},
    {"{\"op\":\"search\",\"q\":\"thư điện tử công vụ\",\"limit\":100}", FALSE},
    {"{\"op\":\"search\",\"q\":\"ủy ban\",\"limit\":100}", FALSE},
    {"{\"op\":\"search\",\"q\":\"văn bản\",\"limit\":100}", FALSE},
    {"{\"op\":\"search\",\"q\":\"nghi dinh\",\"limit\":3,\"offset\":2}", TRUE, TRUE},
    {"{\"op\":\"search\",\"q\":\"kiwiquaz\",\"limit\":10}", TRUE},
};

/* Each query over the daemons @from..@to, for both users, against the one index. */
static void
compare_daemons(int from, int to)
{
    for (int user = 0; user < 2; user++) {
        g_autoptr(tracuu_test_client) one = client_of(D_ONE, user);
        for (int d = from; d <= to; d++) {
            g_autoptr(tracuu_test_client) c = client_of(d, user);
            for (gsize q = 0; q < G_N_ELEMENTS(queries); q++) {
                g_autoptr(JsonObject) want = tracuu_test_client_ask(one, queries[q].req);
                g_autoptr(JsonObject) got = tracuu_test_client_ask(c, queries[q].req);
                g_assert_true(json_object_get_boolean_member_with_default(want, "ok", FALSE));
                g_assert_false(json_object_has_member(want, "partial"));
                /* Every query but the last finds something. */
                if (q + 1 < G_N_ELEMENTS(queries))
                    g_assert_cmpint(json_object_get_int_member(want, "total"), >, 0);
                assert_same(want, got, F.daemons[d].name, &queries[q]);
            }
            /* A get by id through a shard, and the same document. */
            g_autoptr(JsonObject) s =
                tracuu_test_client_ask(one, "{\"op\":\"search\",\"q\":\"ủy ban\",\"limit\":1}");
            JsonObject *h = json_array_get_object_element(json_object_get_array_member(s, "hits"), 0);
            g_autofree char *get = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}",
                                                   json_object_get_string_member(h, "id"));
            g_autoptr(JsonObject) g1 = tracuu_test_client_ask(one, get);
            g_autoptr(JsonObject) g2 = tracuu_test_client_ask(c, get);
            g_autofree char *j1 = member_json(g1, "doc"), *j2 = member_json(g2, "doc");
            g_assert_cmpstr(j2, ==, j1);
        }
    }
}

/* The hidden documents: user "u" sees fewer than the admin, over shards too. */
static void
test_access(void)
{
    if (F.setup_error) {
        g_test_fail_printf("setup: %s", F.setup_error->message);
        return;
    }
    const char *req = "{\"op\":\"search\",\"q\":\"quyết định\",\"limit\":0}";
    for (int d = D_ONE; d <= D_THREE; d++) {
        g_autoptr(tracuu_test_client) boss = client_of(d, 0);
        g_autoptr(tracuu_test_client) u = client_of(d, 1);
        g_autoptr(JsonObject) rb = tracuu_test_client_ask(boss, req);
        g_autoptr(JsonObject) ru = tracuu_test_client_ask(u, req);
        g_assert_cmpint(json_object_get_int_member(ru, "total"), <,
                        json_object_get_int_member(rb, "total"));
    }
}

static void
test_local(void)
{
    if (F.setup_error) {
        g_test_fail_printf("setup: %s", F.setup_error->message);
        return;
    }
    compare_daemons(D_TWO, D_THREE);
}

/* stats: the shards, their documents adding up to the one index's. */
static void
test_stats(void)
{
    if (F.setup_error) {
        g_test_fail_printf("setup: %s", F.setup_error->message);
        return;
    }
    g_autoptr(tracuu_test_client) one = client_of(D_ONE, 0);
    g_autoptr(JsonObject) s1 = tracuu_test_client_ask(one, "{\"op\":\"stats\"}");
    g_assert_false(json_object_has_member(s1, "shards"));
    static const char *const names[][3] = {{"a", "b", NULL}, {"s3/a", "s3/b", "s3/c"}};
    for (int d = D_TWO; d <= D_THREE; d++) {
        g_autoptr(tracuu_test_client) c = client_of(d, 0);
        g_autoptr(JsonObject) st = tracuu_test_client_ask(c, "{\"op\":\"stats\"}");
        g_assert_true(json_object_get_boolean_member_with_default(st, "ok", FALSE));
        g_assert_cmpint(json_object_get_int_member(st, "docs"), ==,
                        json_object_get_int_member(s1, "docs"));
        g_autofree char *k1 = member_json(s1, "kinds"), *k2 = member_json(st, "kinds");
        g_assert_cmpstr(k2, ==, k1);
        g_assert_cmpint(json_object_get_int_member(st, "files"), ==,
                        json_object_get_int_member(s1, "files"));
        g_assert_cmpint(json_object_get_int_member(st, "schema_version"), ==,
                        json_object_get_int_member(s1, "schema_version"));
        g_assert_cmpint(json_object_get_int_member(st, "revision"), >, 0);
        JsonArray *shards = json_object_get_array_member(st, "shards");
        g_assert_nonnull(shards);
        gint64 sum = 0;
        guint n = d == D_TWO ? 2 : 3;
        g_assert_cmpuint(json_array_get_length(shards), ==, n);
        for (guint i = 0; i < n; i++) {
            JsonObject *o = json_array_get_object_element(shards, i);
            g_assert_cmpstr(json_object_get_string_member(o, "name"), ==, names[d - D_TWO][i]);
            g_assert_true(json_object_get_boolean_member(o, "ok"));
            g_assert_cmpint(json_object_get_int_member(o, "documents"), >, 0);
            sum += json_object_get_int_member(o, "documents");
        }
        g_assert_cmpint(sum, ==, json_object_get_int_member(s1, "docs"));
        /* A user who sees less is not told how many documents each shard holds. */
        g_autoptr(tracuu_test_client) u = client_of(d, 1);
        g_autoptr(JsonObject) su = tracuu_test_client_ask(u, "{\"op\":\"stats\"}");
        JsonObject *o = json_array_get_object_element(json_object_get_array_member(su, "shards"), 0);
        g_assert_false(json_object_has_member(o, "documents"));
    }
}

/* Every search answers partial, without the killed shard's documents, and names it. */
static void
assert_partial(JsonObject *r, const char *missing)
{
    g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
    g_assert_true(json_object_get_boolean_member_with_default(r, "partial", FALSE));
    JsonArray *m = json_object_get_array_member(r, "shards_missing");
    g_assert_nonnull(m);
    g_assert_cmpuint(json_array_get_length(m), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(m, 0), ==, missing);
    JsonArray *hits = json_object_get_array_member(r, "hits");
    g_assert_cmpuint(json_array_get_length(hits), >, 0);
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        const char *path =
            json_object_get_string_member(json_array_get_object_element(hits, i), "path");
        g_assert_nonnull(strstr(path, "/van-ban/"));
    }
}

static void
test_remote(void)
{
    if (F.setup_error) {
        g_test_fail_printf("setup: %s", F.setup_error->message);
        return;
    }
    if (!g_file_test(TCPSRV, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("needs " TCPSRV " (Debian package xapian-tools)");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autofree char *a = g_build_filename(F.tmp, "s2", "a", NULL);
    g_autofree char *b = g_build_filename(F.tmp, "s2", "b", NULL);
    F.tcp_port[0] = free_port();
    F.tcp_port[1] = free_port();
    g_assert_true(start_tcpsrv(0, a, &error));
    g_assert_true(start_tcpsrv(1, b, &error));
    g_autofree char *stub = g_build_filename(F.tmp, "remote.stub", NULL);
    g_autofree char *text = g_strdup_printf("# the letters and the documents, by xapian-tcpsrv\n"
                                            "remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n",
                                            F.tcp_port[0], F.tcp_port[1]);
    g_assert_true(g_file_set_contents(stub, text, -1, NULL));
    F.daemons[D_REMOTE].name = "remote";
    g_assert_true(start_daemon(&F.daemons[D_REMOTE], stub, &error));
    compare_daemons(D_REMOTE, D_REMOTE);

    /* One server killed: the next searches answer from the other, saying which is missing,
     * on the socket and over HTTP. */
    stop_tcpsrv(1);
    g_autofree char *missing = g_strdup_printf("127.0.0.1:%d", F.tcp_port[1]);
    g_autoptr(tracuu_test_client) c = client_of(D_REMOTE, 0);
    for (int round = 0; round < 2; round++) {
        g_autoptr(JsonObject) r = tracuu_test_client_ask(c, queries[0].req);
        assert_partial(r, missing);
    }
    g_autofree char *bearer = g_strdup_printf("Authorization: Bearer %s\r\n", F.tokens[0]);
    g_autoptr(tracuu_test_http_reply) h = tracuu_test_http_request(
        F.daemons[D_REMOTE].d.port, "GET", "/api/search?q=quyet+dinh&limit=50", bearer, NULL);
    g_assert_cmpint(h->status, ==, 200);
    g_autoptr(JsonObject) hr = tracuu_test_http_body_object(h);
    assert_partial(hr, missing);
    g_autoptr(JsonObject) st = tracuu_test_client_ask(c, "{\"op\":\"stats\"}");
    JsonArray *shards = json_object_get_array_member(st, "shards");
    g_assert_true(json_object_get_boolean_member(json_array_get_object_element(shards, 0), "ok"));
    g_assert_false(json_object_get_boolean_member(json_array_get_object_element(shards, 1), "ok"));

    /* Back: after the pause between tries, the shard is searched again. */
    g_assert_true(start_tcpsrv(1, b, &error));
    g_usleep(3500000);
    compare_daemons(D_REMOTE, D_REMOTE);
}

/* A shard added: indexed on its own, then a new stub renamed over the old one. */
static void
test_add_shard(void)
{
    if (F.setup_error) {
        g_test_fail_printf("setup: %s", F.setup_error->message);
        return;
    }
    const char *req = "{\"op\":\"search\",\"q\":\"zyxquokka\",\"limit\":10}";
    g_autoptr(tracuu_test_client) c = client_of(D_THREE, 0);
    g_autoptr(JsonObject) before = tracuu_test_client_ask(c, req);
    g_assert_cmpint(json_object_get_int_member(before, "total"), ==, 0);
    g_autofree char *dir = g_build_filename(F.tmp, "extra", NULL);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_autofree char *file = g_build_filename(dir, "new.txt", NULL);
    g_assert_true(g_file_set_contents(file, "Công văn mới về zyxquokka\n", -1, NULL));
    g_autofree char *db = g_build_filename(F.tmp, "s3", "d", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(index_one(db, file, &error));
    g_autofree char *tmp = g_build_filename(F.tmp, "three.stub.new", NULL);
    g_autofree char *stub = g_build_filename(F.tmp, "three.stub", NULL);
    g_assert_true(g_file_set_contents(tmp, "auto s3/a\nauto s3/b\nauto s3/c\nauto s3/d\n", -1,
                                      NULL));
    g_assert_cmpint(g_rename(tmp, stub), ==, 0);
    g_autoptr(JsonObject) after = tracuu_test_client_ask(c, req);
    g_assert_cmpint(json_object_get_int_member(after, "total"), ==, 1);
    g_assert_false(json_object_has_member(after, "partial"));
    g_autoptr(JsonObject) st = tracuu_test_client_ask(c, "{\"op\":\"stats\"}");
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(st, "shards")), ==, 4);
}

/* ---- main ---- */

static gboolean
setup(GError **error)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    if (!build || !src) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "run through meson test");
        return FALSE;
    }
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    F.indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.archive = g_build_filename(src, "corpus", "archive", NULL);
    F.tmp = g_dir_make_tmp("tracuu-shards-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    /* Some documents hidden from user "u": the decisions, labelled for others. */
    F.map = g_build_filename(F.tmp, "access.map", NULL);
    if (!g_file_set_contents(F.map, "**/qd-*.pdf phap-che\n**/*.eml van-thu\n", -1, error))
        return FALSE;
    tracuu_test_new_token(F.searchd, "boss", &F.tokens[0], &F.conf_lines[0]);
    tracuu_test_new_token(F.searchd, "u", &F.tokens[1], &F.conf_lines[1]);

    g_autofree char *one = g_build_filename(F.tmp, "one", NULL);
    g_autofree char *docs = g_build_filename(F.archive, "van-ban", NULL);
    g_autofree char *mail = g_build_filename(F.archive, "thu", NULL);
    g_autofree char *s2 = g_build_filename(F.tmp, "s2", NULL);
    g_autofree char *s2a = g_build_filename(s2, "a", NULL);
    g_autofree char *s2b = g_build_filename(s2, "b", NULL);
    if (!index_one(one, F.archive, error) || !index_one(s2a, docs, error) ||
        !index_one(s2b, mail, error))
        return FALSE;
    g_autofree char *stub2 = g_build_filename(s2, "XAPIANDB", NULL);
    if (!g_file_set_contents(stub2, "auto a\nauto b\n", -1, error))
        return FALSE;

    /* Three shards: the documents taken one of two by name, and the letters; the stub is a
     * file of its own beside them, with a comment, a blank line and each kind of local line. */
    g_autoptr(GPtrArray) even = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) odd = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) dir = g_dir_open(docs, 0, error);
    if (!dir)
        return FALSE;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(dir)) != NULL;)
        g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(i % 2 ? odd : even, g_build_filename(docs, names->pdata[i], NULL));
    g_autofree char *s3a = g_build_filename(F.tmp, "s3", "a", NULL);
    g_autofree char *s3b = g_build_filename(F.tmp, "s3", "b", NULL);
    g_autofree char *s3c = g_build_filename(F.tmp, "s3", "c", NULL);
    if (!index_into(s3a, even, error) || !index_into(s3b, odd, error) ||
        !index_one(s3c, mail, error))
        return FALSE;
    g_autofree char *stub3 = g_build_filename(F.tmp, "three.stub", NULL);
    if (!g_file_set_contents(stub3, "# three shards\n\nauto s3/a\n  glass s3/b\nauto s3/c\n", -1,
                             error))
        return FALSE;

    const char *dbs[] = {one, s2, stub3};
    const char *dnames[] = {"one", "two", "three"};
    for (int d = D_ONE; d <= D_THREE; d++) {
        F.daemons[d].name = dnames[d];
        if (!start_daemon(&F.daemons[d], dbs[d], error))
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
    g_test_add_func("/shards/2 and 3 local shards answer as one index", test_local);
    g_test_add_func("/shards/hidden documents stay hidden over shards", test_access);
    g_test_add_func("/shards/stats of each shard", test_stats);
    g_test_add_func("/shards/remote shards, one killed", test_remote);
    g_test_add_func("/shards/a shard added", test_add_shard);
    int rc = g_test_run();
    for (int i = 0; i < 2; i++)
        stop_tcpsrv(i);
    for (int d = 0; d < N_DAEMONS; d++) {
        if (F.daemons[d].d.pid == 0)
            continue;
        /* A clean exit: under the sanitizers, a leak or an error in the daemon fails here. */
        kill(F.daemons[d].d.pid, SIGTERM);
        int st = tracuu_test_wait_exit(F.daemons[d].d.pid, 20);
        if (st != 0) {
            g_printerr("# tracuu-searchd %s exited with %d\n", F.daemons[d].name, st);
            rc = 1;
        }
        g_free(F.daemons[d].sock);
        g_free(F.daemons[d].d.log);
    }
    if (F.tmp && rc == 0)
        tracuu_test_rm_rf(F.tmp);
    g_clear_error(&F.setup_error);
    return rc;
}
