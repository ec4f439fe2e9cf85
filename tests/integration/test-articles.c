/* test-articles.c - article units (each Điều) of text and DOCX files, through the real indexer. */
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
 * The archive: pub/luat.txt, a law in two chapters with Điều 1, 2 and 3; pub/luat.docx (from
 * tests/data/extract: Luật 24/2018/QH14, Điều 1 to 3); mat/mat.txt, a law of label phap-che
 * that user "mat" sees and user "thuong" does not. Everything else is public.
 */
#define LAW_NUMBER "50/2024/QH15"
#define SECRET_NUMBER "51/2024/QH15"

static const char law_head[] = "QUỐC HỘI\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                               "Độc lập - Tự do - Hạnh phúc\nLuật số: %s\nLUẬT\n%s\n"
                               "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n";

static const char law_body[] = "Chương I\nQUY ĐỊNH CHUNG\n"
                               "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về kho thử nghiệm.\n"
                               "Điều 2. Đối tượng áp dụng\nLuật này áp dụng đối với cơ quan "
                               "lưu trữ.\n"
                               "Chương II\nLƯU TRỮ ĐIỆN TỬ\n"
                               "Điều 3. Sao lưu dữ liệu\nDữ liệu được sao lưu hằng ngày.\n";

/* The same law later: Điều 3 (and its chapter) is gone. */
static const char law_body_later[] = "Chương I\nQUY ĐỊNH CHUNG\n"
                                     "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về kho thử "
                                     "nghiệm.\n"
                                     "Điều 2. Đối tượng áp dụng\nLuật này áp dụng đối với cơ quan "
                                     "lưu trữ.\n";

static const char secret_body[] = "Chương I\nQUY ĐỊNH CHUNG\n"
                                  "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về khóa lượng "
                                  "tử.\n";

static struct {
    char *tmp, *db, *map, *indexer, *searchd, *tokens[2];
    GPid pid;
    int port, http_port;
    GError *setup_error;
} F;

static void
write_law(const char *rel, const char *number, const char *title, const char *body)
{
    g_autofree char *head = g_strdup_printf(law_head, number, title);
    g_autofree char *text = g_strconcat(head, body, "CHỦ TỊCH QUỐC HỘI\nNguyễn Văn A\n", NULL);
    g_autofree char *path = g_build_filename(F.tmp, "archive", rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static gboolean
index_archive(GError **error)
{
    g_autofree char *dir = g_build_filename(F.tmp, "archive", NULL);
    const char *argv[] = {F.indexer, "--db", F.db, "--access-map", F.map, dir, "-q", NULL};
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
    tracuu_test_client *c = tracuu_test_client_new_tcp(F.port);
    g_assert_nonnull(c);
    g_autofree char *auth = g_strdup_printf("{\"op\":\"auth\",\"token\":\"%s\"}", F.tokens[user]);
    g_autoptr(JsonObject) r = tracuu_test_client_ask(c, auth);
    g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
    return c;
}

static JsonObject *
ask(tracuu_test_client *c, const char *req)
{
    JsonObject *r = tracuu_test_client_ask(c, req);
    g_assert_nonnull(r);
    return r;
}

/* The answer of a search for @q (limit 50, facets kind and doc_type); it must be ok. */
static JsonObject *
search(tracuu_test_client *c, const char *q)
{
    g_autofree char *req = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":50,"
                                           "\"facets\":[\"kind\",\"doc_type\"]}",
                                           q);
    JsonObject *r = ask(c, req);
    g_assert_true(json_object_get_boolean_member_with_default(r, "ok", FALSE));
    return r;
}

/* The hits' ids, in order, with the part before '#' written "D" when it is @doc: "D,D#dieu-1". */
static char *
hit_ids(JsonObject *r, const char *doc)
{
    JsonArray *hits = json_object_get_array_member(r, "hits");
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        const char *id =
            json_object_get_string_member(json_array_get_object_element(hits, i), "id");
        size_t n = strlen(doc);
        if (doc != NULL && strncmp(id, doc, n) == 0 && (id[n] == '\0' || id[n] == '#'))
            g_string_append_printf(s, "%sD%s", i ? "," : "", id + n);
        else
            g_string_append_printf(s, "%s%s", i ? "," : "", id);
    }
    return g_string_free(s, FALSE);
}

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted "a,b" of a comma-separated list. */
static char *
sorted(const char *list)
{
    g_auto(GStrv) parts = g_strsplit(list, ",", -1);
    guint n = g_strv_length(parts);
    qsort(parts, n, sizeof *parts, cmp_strp);
    return g_strjoinv(",", parts);
}

/* The facet @name of @r as "a=1,b=2", sorted by name. */
static char *
facet_of(JsonObject *r, const char *name)
{
    JsonObject *counts =
        json_object_get_object_member(json_object_get_object_member(r, "facets"), name);
    g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
    GList *names = json_object_get_members(counts);
    for (GList *l = names; l != NULL; l = l->next)
        g_ptr_array_add(parts, g_strdup_printf("%s=%" G_GINT64_FORMAT, (char *)l->data,
                                               json_object_get_int_member(counts, l->data)));
    g_list_free(names);
    g_ptr_array_sort(parts, cmp_strp);
    g_ptr_array_add(parts, NULL);
    return g_strjoinv(",", (char **)parts->pdata);
}

/* The id of the whole document numbered @number, as @c sees it (NULL: none). */
static char *
doc_of(tracuu_test_client *c, const char *number)
{
    g_autofree char *q = g_strdup_printf("so:%s unit:document", number);
    g_autoptr(JsonObject) r = search(c, q);
    JsonArray *hits = json_object_get_array_member(r, "hits");
    if (json_array_get_length(hits) == 0)
        return NULL;
    g_assert_cmpuint(json_array_get_length(hits), ==, 1);
    return g_strdup(json_object_get_string_member(json_array_get_object_element(hits, 0), "id"));
}

/* The doc of a get, or NULL with its error code in *code. */
static JsonObject *
get(tracuu_test_client *c, const char *id, char **code)
{
    g_autofree char *req = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}", id);
    g_autoptr(JsonObject) r = ask(c, req);
    if (!json_object_get_boolean_member_with_default(r, "ok", FALSE)) {
        *code = g_strdup(
            json_object_get_string_member(json_object_get_object_member(r, "error"), "code"));
        return NULL;
    }
    return json_object_ref(json_object_get_object_member(r, "doc"));
}

/* ---- tests ---- */

/* so:NUMBER dieu:N answers the article first, with its heading, chapter and document. */
static void
test_dieu(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    static const struct {
        const char *q, *number, *article, *title, *chapter;
    } cases[] = {
        {"so:" LAW_NUMBER " dieu:3", LAW_NUMBER, "3", "Điều 3. Sao lưu dữ liệu",
         "Chương II. LƯU TRỮ ĐIỆN TỬ"},
        {"so:" LAW_NUMBER " article:1", LAW_NUMBER, "1", "Điều 1. Phạm vi điều chỉnh",
         "Chương I. QUY ĐỊNH CHUNG"},
        {"so:24/2018/QH14 dieu:2", "24/2018/QH14", "2", "Điều 2. Giải thích từ ngữ",
         "Chương I. NHỮNG QUY ĐỊNH CHUNG"},
        {"so:24/2018/QH14 dieu:3 hiệu lực", "24/2018/QH14", "3", "Điều 3. Hiệu lực thi hành",
         "Chương I. NHỮNG QUY ĐỊNH CHUNG"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) r = search(c, cases[i].q);
        g_autofree char *ids = hit_ids(r, "");
        g_test_message("%s: %s", cases[i].q, ids);
        JsonArray *hits = json_object_get_array_member(r, "hits");
        g_assert_cmpuint(json_array_get_length(hits), >=, 1);
        JsonObject *first = json_array_get_object_element(hits, 0);
        g_assert_cmpstr(json_object_get_string_member(first, "kind"), ==, "article");
        g_assert_cmpstr(json_object_get_string_member(first, "article"), ==, cases[i].article);
        g_assert_cmpstr(json_object_get_string_member(first, "title"), ==, cases[i].title);
        g_assert_cmpstr(json_object_get_string_member(first, "chapter"), ==, cases[i].chapter);
        g_assert_cmpstr(json_object_get_string_member(first, "number"), ==, cases[i].number);
        g_autofree char *doc = doc_of(c, cases[i].number);
        g_assert_nonnull(doc);
        g_autofree char *want = g_strdup_printf("%s#dieu-%s", doc, cases[i].article);
        g_assert_cmpstr(json_object_get_string_member(first, "id"), ==, want);
    }
    tracuu_test_client_free(c);
}

/* unit:article and unit:document split a law into its articles and itself. */
static void
test_units(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    g_autofree char *law = doc_of(c, LAW_NUMBER);
    g_autofree char *docx = doc_of(c, "24/2018/QH14");
    g_assert_nonnull(law);
    g_assert_nonnull(docx);
    static const struct {
        const char *q, *want;
    } cases[] = {
        {"so:" LAW_NUMBER " unit:article", "D#dieu-1,D#dieu-2,D#dieu-3"},
        {"so:" LAW_NUMBER " unit:document", "D"},
        {"so:" LAW_NUMBER, "D,D#dieu-1,D#dieu-2,D#dieu-3"},
        {"so:" LAW_NUMBER " kind:article", "D#dieu-1,D#dieu-2,D#dieu-3"},
        {"so:24/2018/QH14 unit:article", "D#dieu-1,D#dieu-2,D#dieu-3"},
        {"so:24/2018/QH14 unit:document", "D"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) r = search(c, cases[i].q);
        g_autofree char *ids = hit_ids(r, strstr(cases[i].q, "24/2018") ? docx : law);
        g_autofree char *got = sorted(ids);
        g_test_message("%s: %s", cases[i].q, got);
        g_assert_cmpstr(got, ==, cases[i].want);
        g_assert_cmpint(json_object_get_int_member(r, "total"), ==,
                        json_array_get_length(json_object_get_array_member(r, "hits")));
    }
    tracuu_test_client_free(c);
}

/* get of an article answers that article alone, with its document. */
static void
test_get(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    g_autofree char *law = doc_of(c, LAW_NUMBER);
    g_autofree char *id = g_strdup_printf("%s#dieu-2", law);
    char *code = NULL;
    g_autoptr(JsonObject) art = get(c, id, &code);
    g_assert_nonnull(art);
    const char *text = json_object_get_string_member(art, "text");
    g_test_message("%s: %s", id, text);
    g_assert_nonnull(strstr(text, "cơ quan lưu trữ"));
    g_assert_null(strstr(text, "kho thử nghiệm"));
    g_assert_null(strstr(text, "sao lưu"));
    g_assert_cmpstr(json_object_get_string_member(art, "kind"), ==, "article");
    g_assert_cmpstr(json_object_get_string_member(art, "parent"), ==, law);
    g_assert_cmpstr(json_object_get_string_member(art, "number"), ==, LAW_NUMBER);
    g_autofree char *none = g_strdup_printf("%s#dieu-9", law);
    g_assert_null(get(c, none, &code));
    g_assert_cmpstr(code, ==, "not_found");
    g_free(code);
    tracuu_test_client_free(c);
}

/* The articles of a document "thuong" may not see never show: hits, totals, facets, get. */
static void
test_access(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *mat = client_of(0);
    tracuu_test_client *thuong = client_of(1);
    g_autofree char *secret = doc_of(mat, SECRET_NUMBER);
    g_assert_nonnull(secret);
    g_autofree char *hidden = doc_of(thuong, SECRET_NUMBER);
    g_assert_null(hidden);
    static const struct {
        int user;
        const char *q;
        gint64 total;
        const char *kind;
    } cases[] = {
        {0, "so:" SECRET_NUMBER " unit:article", 1, "article=1"},
        {1, "so:" SECRET_NUMBER " unit:article", 0, ""},
        {1, "so:" SECRET_NUMBER " dieu:1", 0, ""},
        {0, "dieu:1 phạm vi", 3, "article=3"},
        {1, "dieu:1 phạm vi", 2, "article=2"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) r = search(cases[i].user ? thuong : mat, cases[i].q);
        g_autofree char *ids = hit_ids(r, secret);
        g_autofree char *kind = facet_of(r, "kind");
        g_test_message("%d %s: %s (%s)", cases[i].user, cases[i].q, ids, kind);
        g_assert_cmpint(json_object_get_int_member(r, "total"), ==, cases[i].total);
        g_assert_cmpstr(kind, ==, cases[i].kind);
        if (cases[i].user == 1)
            g_assert_null(strchr(ids, 'D'));
    }
    /* Words only the secret law holds: "thuong" gets other (relaxed) hits, never its units. */
    g_autoptr(JsonObject) all = search(mat, "khóa lượng tử");
    g_autoptr(JsonObject) some = search(thuong, "khóa lượng tử");
    g_autofree char *all_ids = hit_ids(all, secret);
    g_autofree char *some_ids = hit_ids(some, secret);
    g_test_message("mat: %s; thuong: %s", all_ids, some_ids);
    g_assert_true(g_str_has_prefix(all_ids, "D")); /* the secret law ranks first */
    g_assert_null(strchr(some_ids, 'D'));

    g_autofree char *art = g_strdup_printf("%s#dieu-1", secret);
    char *code = NULL;
    g_autoptr(JsonObject) seen = get(mat, art, &code);
    g_assert_nonnull(seen);
    g_assert_null(get(thuong, art, &code));
    g_assert_cmpstr(code, ==, "not_found");
    g_free(code);
    tracuu_test_client_free(mat);
    tracuu_test_client_free(thuong);
}

/* Facets count what the total counts, article units too (a law with three articles is four
 * matches of its type), so that a facet's count is the total its filter gives; unit:document
 * counts documents. */
static void
test_facets(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    static const struct {
        const char *q;
        gint64 total;
        const char *doc_type, *kind;
    } cases[] = {
        {"so:" LAW_NUMBER, 4, "Luật=4", "article=3,text=1"},
        {"so:" LAW_NUMBER " unit:document", 1, "Luật=1", "text=1"},
        {"so:" LAW_NUMBER " unit:article", 3, "Luật=3", "article=3"},
        {"so:24/2018/QH14 unit:document", 1, "Luật=1", "docx=1"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) r = search(c, cases[i].q);
        g_autofree char *doc_type = facet_of(r, "doc_type");
        g_autofree char *kind = facet_of(r, "kind");
        g_test_message("%s: %" G_GINT64_FORMAT " (%s; %s)", cases[i].q,
                       json_object_get_int_member(r, "total"), doc_type, kind);
        g_assert_cmpint(json_object_get_int_member(r, "total"), ==, cases[i].total);
        g_assert_cmpstr(doc_type, ==, cases[i].doc_type);
        g_assert_cmpstr(kind, ==, cases[i].kind);
    }
    tracuu_test_client_free(c);
}

/* What the web page's document view asks over HTTP: the articles of a document in their order
 * (unit:article parent=ID), its other children (unit:document parent=ID: none), an article by
 * its id ("#" written %23), a hidden document's article as not found. */
static void
test_http(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    g_autofree char *law = doc_of(c, LAW_NUMBER);
    g_autofree char *secret = doc_of(c, SECRET_NUMBER);
    tracuu_test_client_free(c);
    g_autofree char *articles =
        g_strdup_printf("/api/search?q=unit%%3Aarticle&parent=%s&limit=1000", law);
    g_autofree char *children =
        g_strdup_printf("/api/search?q=unit%%3Adocument&parent=%s&limit=50", law);
    g_autofree char *one = g_strdup_printf("/api/doc/%s%%23dieu-2", law);
    g_autofree char *hidden = g_strdup_printf("/api/doc/%s%%23dieu-1", secret);
    g_autofree char *hidden_list =
        g_strdup_printf("/api/search?q=unit%%3Aarticle&parent=%s", secret);
    static const char *const order = "\"title\":\"Điều 1. Phạm vi điều chỉnh\"";
    const struct {
        int user;
        const char *target;
        int status;
        const char *has, *lacks;
    } cases[] = {
        {0, articles, 200, order, NULL},
        {0, articles, 200, "\"chapter\":\"Chương II. LƯU TRỮ ĐIỆN TỬ\"", NULL},
        {0, children, 200, "\"total\":0", NULL},
        {0, one, 200, "\"heading\":\"Đối tượng áp dụng\"", "kho thử nghiệm"},
        {0, hidden, 200, "\"article\":\"1\"", NULL},
        {1, hidden, 404, "not_found", "Phạm vi"},
        {1, hidden_list, 200, "\"total\":0", "dieu-1"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *h =
            g_strdup_printf("Authorization: Bearer %s\r\n", F.tokens[cases[i].user]);
        g_autoptr(tracuu_test_http_reply) r =
            tracuu_test_http_request(F.http_port, "GET", cases[i].target, h, NULL);
        g_test_message("%d %s: %d %.300s", cases[i].user, cases[i].target, r->status, r->body);
        g_assert_cmpint(r->status, ==, cases[i].status);
        g_assert_nonnull(strstr(r->body, cases[i].has));
        if (cases[i].lacks != NULL)
            g_assert_null(strstr(r->body, cases[i].lacks));
    }
    /* The articles come in their order in the text. */
    g_autofree char *h0 = g_strdup_printf("Authorization: Bearer %s\r\n", F.tokens[0]);
    g_autoptr(tracuu_test_http_reply) r =
        tracuu_test_http_request(F.http_port, "GET", articles, h0, NULL);
    const char *a1 = strstr(r->body, "#dieu-1\"");
    const char *a2 = strstr(r->body, "#dieu-2\"");
    const char *a3 = strstr(r->body, "#dieu-3\"");
    g_assert_true(a1 != NULL && a2 != NULL && a3 != NULL && a1 < a2 && a2 < a3);
}

/* Runs last: a re-index after Điều 3 is removed drops it; deleting the file drops all. */
static void
test_later_runs(void)
{
    g_assert_no_error(F.setup_error);
    tracuu_test_client *c = client_of(0);
    g_autofree char *law = doc_of(c, LAW_NUMBER);
    write_law("pub/luat.txt", LAW_NUMBER, "KHO THỬ NGHIỆM", law_body_later);
    g_autoptr(GError) error = NULL;
    g_assert_true(index_archive(&error));
    g_assert_no_error(error);
    g_autoptr(JsonObject) r = search(c, "so:" LAW_NUMBER);
    g_autofree char *ids = hit_ids(r, law);
    g_autofree char *got = sorted(ids);
    g_assert_cmpstr(got, ==, "D,D#dieu-1,D#dieu-2");
    g_autofree char *gone = g_strdup_printf("%s#dieu-3", law);
    char *code = NULL;
    g_assert_null(get(c, gone, &code));
    g_assert_cmpstr(code, ==, "not_found");
    g_clear_pointer(&code, g_free);

    g_autofree char *path = g_build_filename(F.tmp, "archive", "pub", "luat.txt", NULL);
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_true(index_archive(&error));
    g_assert_no_error(error);
    g_autoptr(JsonObject) after = search(c, "so:" LAW_NUMBER);
    g_assert_cmpint(json_object_get_int_member(after, "total"), ==, 0);
    g_autofree char *one = g_strdup_printf("%s#dieu-1", law);
    g_assert_null(get(c, one, &code));
    g_assert_cmpstr(code, ==, "not_found");
    g_free(code);
    g_autoptr(JsonObject) others = search(c, "so:24/2018/QH14 unit:article");
    g_assert_cmpint(json_object_get_int_member(others, "total"), ==, 3);
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
    F.tmp = g_dir_make_tmp("tracuu-articles-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.db = g_build_filename(F.tmp, "db", NULL);
    F.map = g_build_filename(F.tmp, "access.map", NULL);
    g_autofree char *map = g_strdup_printf("%s/archive/mat phap-che\n", F.tmp);
    if (!g_file_set_contents(F.map, map, -1, error))
        return FALSE;
    write_law("pub/luat.txt", LAW_NUMBER, "KHO THỬ NGHIỆM", law_body);
    write_law("mat/mat.txt", SECRET_NUMBER, "KHÓA LƯỢNG TỬ", secret_body);
    g_autofree char *docx_src = tracuu_test_source_path("tests/data/extract/luat.docx");
    g_autofree char *docx = NULL;
    gsize docx_len = 0;
    if (!g_file_get_contents(docx_src, &docx, &docx_len, error))
        return FALSE;
    g_autofree char *docx_dst = g_build_filename(F.tmp, "archive", "pub", "luat.docx", NULL);
    if (!g_file_set_contents(docx_dst, docx, (gssize)docx_len, error))
        return FALSE;
    if (!index_archive(error))
        return FALSE;
    g_autofree char *l0 = NULL, *l1 = NULL;
    tracuu_test_new_token(F.searchd, "mat", &F.tokens[0], &l0);
    tracuu_test_new_token(F.searchd, "thuong", &F.tokens[1], &l1);
    g_autofree char *conf_text =
        g_strdup_printf("[index]\ndb = db\n[searchd]\nsocket = s.sock\nlisten = 127.0.0.1:0\n"
                        "[access]\ndefault = public\n"
                        "[user mat]\nlabels = phap-che\n%s\n"
                        "[user thuong]\nlabels = van-phong\n%s\n",
                        l0, l1);
    g_autofree char *conf = g_build_filename(F.tmp, "s.conf", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "s.log", NULL);
    if (!g_file_set_contents(conf, conf_text, -1, error))
        return FALSE;
    g_autofree char *cmd = g_strdup_printf(
        "exec '%s' --config '%s' --threads 2 --http 127.0.0.1:0 2>'%s'", F.searchd, conf, log);
    const char *argv[] = {"sh", "-c", cmd, NULL};
    if (!g_spawn_async(F.tmp, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                       tracuu_test_die_with_parent, NULL, &F.pid, error))
        return FALSE;
    for (int i = 0; i < 600 && (F.port == 0 || F.http_port == 0); i++) {
        g_usleep(50000);
        g_autofree char *text = NULL;
        if (!g_file_get_contents(log, &text, NULL, NULL))
            continue;
        const char *marks[] = {"listening on tcp:", "listening on http:"};
        int *ports[] = {&F.port, &F.http_port};
        for (int k = 0; k < 2; k++) {
            char *at = strstr(text, marks[k]);
            char *nl = at != NULL ? strchr(at, '\n') : NULL;
            if (nl != NULL) {
                g_autofree char *line = g_strndup(at, (gsize)(nl - at));
                *ports[k] = atoi(strrchr(line, ':') + 1);
            }
        }
    }
    if (F.port == 0 || F.http_port == 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-searchd did not listen");
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
    g_test_add_func("/articles/so: dieu: answers the article first", test_dieu);
    g_test_add_func("/articles/unit:article and unit:document", test_units);
    g_test_add_func("/articles/get of an article", test_get);
    g_test_add_func("/articles/a hidden document's articles show nowhere", test_access);
    g_test_add_func("/articles/facets count what the total counts", test_facets);
    g_test_add_func("/articles/HTTP answers of the document view", test_http);
    g_test_add_func("/articles/a re-index drops removed articles, a deletion all", test_later_runs);
    int rc = g_test_run();
    if (F.pid) {
        /* A clean exit: under the sanitizers, a leak or an error in the daemon fails here. */
        kill(F.pid, SIGTERM);
        int st = tracuu_test_wait_exit(F.pid, 20);
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
