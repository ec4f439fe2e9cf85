/* test-relabel.c - the indexer's access map: labels and levels applied, and relabelled in place. */
#include "tracuu-engine.h"
#include "tracuu-schema.h"
#include "tracuu-store.h"
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/*
 * A folder of texts and an mbox, indexed by the real tracuu-indexer with one access map and
 * then another; the index is read with the store (terms) and the engine (stored fields, and
 * what a user's search sees), as tracuu-searchd would read it.
 */

typedef struct {
    char *dir;  /* temporary folder, real path (the map's globs are absolute) */
    char *docs; /* the documents */
    char *db;
    char *map;
} fixture;

/* An official text whose word "mãN" is found in it alone; @stamp (NULL: none) printed on it.
 * Its one provision is not an article ("Điều 1."), so that the counts below are of these
 * documents alone, without article units (which carry their file's labels as its documents
 * do: store/tracuu-schema.h). */
static char *
doc_text(guint n, const char *stamp)
{
    return g_strdup_printf("BỘ CÔNG AN\n-------\n"
                           "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
                           "Số: %u/QĐ-BCA\nHà Nội, ngày 3 tháng 4 năm 2024\n%s%s"
                           "QUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch\n"
                           "Phê duyệt kế hoạch mã%u.\n",
                           n, stamp != NULL ? stamp : "", stamp != NULL ? "\n" : "", n);
}

/* Two messages, the second with a text attachment: three documents from one file. */
static const char mbox[] =
    "From a@x.vn Mon Mar  1 08:00:00 2021\n"
    "From: An <a@x.vn>\nTo: b@x.vn\nSubject: Thư một\nDate: Mon, 1 Mar 2021 08:00:00 +0700\n"
    "Message-ID: <m1@x.vn>\nContent-Type: text/plain; charset=utf-8\n\n"
    "Nội dung thư mãthuone.\n\n"
    "From a@x.vn Tue Mar  2 08:00:00 2021\n"
    "From: An <a@x.vn>\nTo: b@x.vn\nSubject: Thư hai\nDate: Tue, 2 Mar 2021 08:00:00 +0700\n"
    "Message-ID: <m2@x.vn>\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"BB\"\n\n"
    "--BB\nContent-Type: text/plain; charset=utf-8\n\nThư có phụ lục mãthutwo.\n"
    "--BB\nContent-Type: text/plain; charset=utf-8; name=\"phu-luc.txt\"\n"
    "Content-Disposition: attachment; filename=\"phu-luc.txt\"\n\n"
    "Phụ lục kèm theo mãphuluc.\n"
    "--BB--\n";

static void
fixture_setup(fixture *f, gconstpointer data)
{
    GError *error = NULL;
    g_autofree char *tmp = g_dir_make_tmp("tracuu-relabel-XXXXXX", &error);
    g_assert_no_error(error);
    char *real = realpath(tmp, NULL);
    g_assert_nonnull(real);
    f->dir = g_strdup(real);
    free(real);
    f->docs = g_build_filename(f->dir, "docs", NULL);
    f->db = g_build_filename(f->dir, "db", NULL);
    f->map = g_build_filename(f->dir, "access.map", NULL);
    g_autofree char *t1 = doc_text(1, NULL);
    g_autofree char *t2 = doc_text(2, "MẬT");
    g_autofree char *t3 = doc_text(3, NULL);
    tracuu_test_write_file(f->docs, "so-tttt/a.txt", t1, -1);
    tracuu_test_write_file(f->docs, "so-tttt/mat.txt", t2, -1);
    tracuu_test_write_file(f->docs, "public/b.txt", t3, -1);
    tracuu_test_write_file(f->docs, "mail/box.mbox", mbox, -1);
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
    tracuu_test_rm_rf(f->dir);
    g_free(f->dir);
    g_free(f->docs);
    g_free(f->db);
    g_free(f->map);
}

/* Writes the access map: @text with "@" replaced by the documents' folder. */
static void
write_map(fixture *f, const char *text)
{
    g_auto(GStrv) parts = g_strsplit(text, "@", -1);
    g_autofree char *body = g_strjoinv(f->docs, parts);
    GError *error = NULL;
    g_file_set_contents(f->map, body, -1, &error);
    g_assert_no_error(error);
}

/* An indexing run over the documents with the map; its --json summary. Asserts exit 0. */
static JsonObject *
index_with_map(fixture *f)
{
    const char *args[] = {"--db",         f->db,  "--json", "--jobs", "2",
                          "--access-map", f->map, f->docs,  NULL};
    g_autofree char *out = NULL, *err = NULL;
    int rc = tracuu_test_run_indexer(args, NULL, NULL, &out, &err);
    if (rc != 0)
        g_error("tracuu-indexer exited %d: %s\n%s", rc, out, err);
    return tracuu_test_parse_object(out);
}

static guint64
freq(const fixture *f, const char *term)
{
    tracuu_store *s = NULL;
    g_assert_cmpint(tracuu_store_open(f->db, TRACUU_STORE_READ, &s, NULL), ==, TRACUU_STORE_OK);
    guint64 n = tracuu_store_get_term_freq(s, term, strlen(term));
    tracuu_store_free(s);
    return n;
}

/* The number of documents that came from the file @rel (under the documents' folder). */
static guint64
file_docs(const fixture *f, const char *rel)
{
    g_autofree char *path = g_build_filename(f->docs, rel, NULL);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA1, path, -1);
    g_autofree char *term = g_strconcat(TRACUU_PREFIX_FILE, sum, NULL);
    return freq(f, term);
}

/* The id of the document of the file @rel: 16 hex of the SHA-1 of its path. */
static char *
file_id(const fixture *f, const char *rel)
{
    g_autofree char *path = g_build_filename(f->docs, rel, NULL);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA1, path, -1);
    return g_strndup(sum, 16);
}

static JsonObject *
request(tracuu_engine *e, const tracuu_identity *id, const char *json, GError **error)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    return tracuu_engine_handle_as(e, id, json_node_get_object(json_parser_get_root(p)), error);
}

/* The stored fields of @doc as "get" answers them (unrestricted). */
static JsonObject *
get_doc(tracuu_engine *e, const char *doc)
{
    g_autofree char *json = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}", doc);
    GError *error = NULL;
    JsonObject *r = request(e, NULL, json, &error);
    g_assert_no_error(error);
    JsonObject *d = json_object_ref(json_object_get_object_member(r, "doc"));
    json_object_unref(r);
    return d;
}

/* The labels of a stored document, joined by ";" ("" for none). */
static char *
labels_of(JsonObject *doc)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    if (json_object_has_member(doc, "access")) {
        JsonArray *a = json_object_get_array_member(doc, "access");
        for (guint i = 0; i < json_array_get_length(a); i++)
            g_ptr_array_add(out, (gpointer)json_array_get_string_element(a, i));
    }
    g_ptr_array_add(out, NULL);
    return g_strjoinv(";", (char **)out->pdata);
}

static const char *
secrecy_of(JsonObject *doc)
{
    return json_object_get_string_member_with_default(doc, "secrecy", "none");
}

/* How many documents a search for @q finds for @user of the configuration below. */
static gint64
total_for(tracuu_engine *e, const tracuu_conf *conf, const char *user, const char *q)
{
    const tracuu_conf_user *u = tracuu_conf_find_user(conf, user);
    g_assert_nonnull(u);
    g_autoptr(tracuu_identity) id =
        tracuu_identity_new_for_user(conf, u, TRACUU_IDENTITY_VIA_TOKEN);
    g_autofree char *json = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":10}", q);
    GError *error = NULL;
    JsonObject *r = request(e, id, json, &error);
    g_assert_no_error(error);
    gint64 total = json_object_get_int_member(r, "total");
    json_object_unref(r);
    return total;
}

static const char users_conf[] = "[user anh]\nlabels = so-tttt\nclearance = tuyet-mat\n"
                                 "[user binh]\nlabels = van-phong\nclearance = tuyet-mat\n"
                                 "[user chi]\nlabels = van-phong\n";

/* The first map: the first matching rule wins, a rule without a level keeps the stamp. */
static const char map1[] = "# the first rule that matches wins\n"
                           "@/so-tttt/mat.txt -\n"
                           "@/so-tttt so-tttt\n"
                           "@/so-tttt/a.txt van-phong   # never reached\n"
                           "@/mail so-tttt;van-phong toi-mat\n";

/* The second: mat.txt raised, a.txt moved to another unit, the mail lowered; b.txt as it was. */
static const char map2[] = "@/so-tttt/mat.txt van-phong toi-mat\n"
                           "@/so-tttt van-phong\n"
                           "@/mail so-tttt\n";

static void
test_map_and_relabel(fixture *f, gconstpointer data)
{
    write_map(f, map1);
    g_autoptr(JsonObject) s1 = index_with_map(f);
    g_assert_cmpint(tracuu_test_int_member(s1, "indexed"), ==, 4);
    g_assert_cmpint(tracuu_test_int_member(s1, "relabelled"), ==, 0);
    guint64 nmail = file_docs(f, "mail/box.mbox");
    g_assert_cmpuint(nmail, ==, 3); /* two messages and an attachment */
    g_assert_cmpuint(freq(f, "Kattachment"), ==, 1);

    /* Labels and levels as the map says, the messages and the attachment as their file. */
    g_assert_cmpuint(freq(f, "XAso-tttt"), ==, 1 + nmail);
    g_assert_cmpuint(freq(f, "XAvan-phong"), ==, nmail);
    g_assert_cmpuint(freq(f, TRACUU_TERM_UNLABELLED), ==, 2); /* mat.txt ("-") and b.txt */
    g_assert_cmpuint(freq(f, "XLtoi-mat"), ==, nmail);
    g_assert_cmpuint(freq(f, "XLmat"), ==, 1); /* the printed stamp, kept by a rule of none */
    g_assert_cmpuint(freq(f, "XLnone"), ==, 2);

    GError *error = NULL;
    g_autoptr(tracuu_conf) conf =
        tracuu_conf_load_data(users_conf, strlen(users_conf), "users.conf", NULL, &error);
    g_assert_no_error(error);
    tracuu_engine *e = tracuu_engine_open(f->db, &error);
    g_assert_no_error(error);
    g_autofree char *id_a = file_id(f, "so-tttt/a.txt");
    g_autofree char *id_mat = file_id(f, "so-tttt/mat.txt");
    {
        g_autoptr(JsonObject) a = get_doc(e, id_a);
        g_autofree char *la = labels_of(a);
        g_assert_cmpstr(la, ==, "so-tttt");
        g_autoptr(JsonObject) m = get_doc(e, id_mat);
        g_assert_cmpstr(secrecy_of(m), ==, "mat");
        g_assert_cmpstr(json_object_get_string_member(m, "stamp"), ==, "mat");
    }
    g_assert_cmpint(total_for(e, conf, "anh", "mã1"), ==, 1);
    g_assert_cmpint(total_for(e, conf, "binh", "mã1"), ==, 0);
    g_assert_cmpint(total_for(e, conf, "binh", "mãphuluc"), ==, 1);
    g_assert_cmpint(total_for(e, conf, "chi", "mãphuluc"), ==, 0); /* toi-mat, chi: none */

    /* Unchanged files, another map: relabelled in place, nothing read again. */
    write_map(f, map2);
    g_autoptr(JsonObject) s2 = index_with_map(f);
    g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "unchanged"), ==, 4);
    g_assert_cmpint(tracuu_test_int_member(s2, "documents"), ==, 0);
    /* a.txt, mat.txt, the mbox; not b.txt */
    g_assert_cmpint(tracuu_test_int_member(s2, "relabelled"), ==, 3);
    g_assert_cmpint(tracuu_test_int_member(s2, "relabelled_documents"), ==, 2 + nmail);
    g_assert_cmpuint(freq(f, "XAso-tttt"), ==, nmail);
    g_assert_cmpuint(freq(f, "XAvan-phong"), ==, 2);
    g_assert_cmpuint(freq(f, TRACUU_TERM_UNLABELLED), ==, 1);
    g_assert_cmpuint(freq(f, "XLtoi-mat"), ==, 1); /* mat.txt, raised */
    g_assert_cmpuint(freq(f, "XLmat"), ==, 0);
    g_assert_cmpuint(freq(f, "XLnone"), ==, 2 + nmail); /* a, b, the mail lowered */
    g_assert_cmpuint(freq(f, "XLnone") + freq(f, "XLtoi-mat"), ==, 3 + nmail);
    g_assert_cmpuint(file_docs(f, "mail/box.mbox"), ==, nmail);
    /* The text and the other terms were left alone. */
    g_assert_cmpuint(freq(f, "mã1"), ==, 1);
    g_assert_cmpuint(freq(f, "Kattachment"), ==, 1);
    g_assert_cmpuint(freq(f, "XVa@x.vn"), ==, nmail);

    /* The same engine, as a running searchd, sees the change at its next request. */
    {
        g_autoptr(JsonObject) a = get_doc(e, id_a);
        g_autofree char *la = labels_of(a);
        g_assert_cmpstr(la, ==, "van-phong");
        g_assert_cmpstr(secrecy_of(a), ==, "none");
        g_assert_false(json_object_has_member(a, "secrecy"));
        g_assert_nonnull(strstr(json_object_get_string_member(a, "text"), "mã1"));
        g_autoptr(JsonObject) m = get_doc(e, id_mat);
        g_autofree char *lm = labels_of(m);
        g_assert_cmpstr(lm, ==, "van-phong");
        g_assert_cmpstr(secrecy_of(m), ==, "toi-mat");
        g_assert_cmpstr(json_object_get_string_member(m, "stamp"), ==, "mat");
    }
    g_assert_cmpint(total_for(e, conf, "anh", "mã1"), ==, 0);
    g_assert_cmpint(total_for(e, conf, "binh", "mã1"), ==, 1);
    g_assert_cmpint(total_for(e, conf, "binh", "mãphuluc"), ==, 0);
    g_assert_cmpint(total_for(e, conf, "anh", "mãphuluc"), ==, 1);
    g_assert_cmpint(total_for(e, conf, "chi", "mã1"), ==, 1);
    g_assert_cmpint(total_for(e, conf, "chi", "mã2"), ==, 0); /* toi-mat now */
    g_assert_cmpint(total_for(e, conf, "binh", "mã2"), ==, 1);
    tracuu_engine_free(e);

    /* Again with the same map: nothing to relabel. */
    g_autoptr(JsonObject) s3 = index_with_map(f);
    g_assert_cmpint(tracuu_test_int_member(s3, "relabelled"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "indexed"), ==, 0);

    /* A map that lowers the printed stamp cannot: a rule of none leaves mat.txt at "mat". */
    write_map(f, "@/so-tttt/mat.txt van-phong none\n");
    g_autoptr(JsonObject) s4 = index_with_map(f);
    g_assert_cmpint(tracuu_test_int_member(s4, "indexed"), ==, 0);
    /* b.txt had no rule, and has none */
    g_assert_cmpint(tracuu_test_int_member(s4, "relabelled"), ==, 3);
    g_assert_cmpuint(freq(f, "XLmat"), ==, 1);
    g_assert_cmpuint(freq(f, "XLtoi-mat"), ==, 0);
    g_assert_cmpuint(freq(f, TRACUU_TERM_UNLABELLED), ==, 2 + nmail);

    /* A changed file gets the current rule when it is read again. */
    g_autofree char *t = doc_text(1, "TỐI MẬT");
    tracuu_test_write_file(f->docs, "so-tttt/a.txt", t, -1);
    g_autoptr(JsonObject) s5 = index_with_map(f);
    g_assert_cmpint(tracuu_test_int_member(s5, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s5, "relabelled"), ==, 0);
    g_assert_cmpuint(freq(f, "XLtoi-mat"), ==, 1);
}

/* [index] db and [access] map from --config; --access-map overrides the map. */
static void
test_config(fixture *f, gconstpointer data)
{
    write_map(f, "@/public pub\n");
    g_autofree char *conf_path = g_build_filename(f->dir, "tracuu.conf", NULL);
    g_autofree char *conf = g_strdup_printf("[index]\ndb = db\n[access]\nmap = access.map\n");
    g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
    const char *args[] = {"--config", conf_path, "--jobs", "1", "-q", f->docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, &out, &err), ==, 0);
    g_assert_cmpuint(freq(f, "XApub"), ==, 1);

    g_autofree char *other = g_build_filename(f->dir, "other.map", NULL);
    g_autofree char *text = g_strdup_printf("%s/public other\n", f->docs);
    g_assert_true(g_file_set_contents(other, text, -1, NULL));
    const char *args2[] = {"--config", conf_path, "--access-map", other, "--json", f->docs, NULL};
    g_autofree char *out2 = NULL, *err2 = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args2, NULL, NULL, &out2, &err2), ==, 0);
    g_assert_nonnull(strstr(out2, "\"relabelled\" : 1"));
    g_assert_cmpuint(freq(f, "XApub"), ==, 0);
    g_assert_cmpuint(freq(f, "XAother"), ==, 1);
}

/* A bad map or configuration stops the run with the file and line, before the index exists. */
static void
test_bad_map(fixture *f, gconstpointer data)
{
    write_map(f, "# fine\n@/so-tttt so-tttt\nrelative/glob x\n");
    const char *args[] = {"--db", f->db, "--access-map", f->map, f->docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, &out, &err), ==, 2);
    g_autofree char *where = g_strdup_printf("%s:3:", f->map);
    if (strstr(err, where) == NULL)
        g_error("no %s in: %s", where, err);
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));

    write_map(f, "@/so-tttt Not-A-Label\n");
    g_autofree char *out2 = NULL, *err2 = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, &out2, &err2), ==, 2);
    g_autofree char *where2 = g_strdup_printf("%s:1:", f->map);
    g_assert_nonnull(strstr(err2, where2));

    g_autofree char *conf_path = g_build_filename(f->dir, "tracuu.conf", NULL);
    g_assert_true(g_file_set_contents(conf_path, "[index]\ndb = db\nno-such-key = 1\n", -1, NULL));
    const char *args3[] = {"--config", conf_path, f->docs, NULL};
    g_autofree char *out3 = NULL, *err3 = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args3, NULL, NULL, &out3, &err3), ==, 2);
    g_autofree char *where3 = g_strdup_printf("%s:3:", conf_path);
    g_assert_nonnull(strstr(err3, where3));

    const char *args4[] = {"--db", f->db, "--access-map", "/no/such/map", f->docs, NULL};
    g_autofree char *out4 = NULL, *err4 = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args4, NULL, NULL, &out4, &err4), ==, 2);
    g_assert_nonnull(strstr(err4, "/no/such/map"));
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));
}

/* --from-jsonl keeps the access and secrecy its lines give: the map is for files. */
static void
test_jsonl_keeps_its_own(fixture *f, gconstpointer data)
{
    write_map(f, "** everyone toi-mat\n");
    g_autofree char *jsonl = g_build_filename(f->dir, "in.jsonl", NULL);
    g_autofree char *lines = g_strdup_printf(
        "{\"id\":\"j1\",\"text\":\"một\",\"path\":\"%s/public/b.txt\",\"access\":[\"so-tttt\"],"
        "\"secrecy\":\"mat\"}\n{\"id\":\"j2\",\"text\":\"hai\"}\n",
        f->docs);
    g_assert_true(g_file_set_contents(jsonl, lines, -1, NULL));
    const char *args[] = {"--db", f->db, "--access-map", f->map, "--from-jsonl", jsonl, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, &out, &err), ==, 0);
    g_assert_cmpuint(freq(f, "XAso-tttt"), ==, 1);
    g_assert_cmpuint(freq(f, "XAeveryone"), ==, 0);
    g_assert_cmpuint(freq(f, "XLmat"), ==, 1);
    g_assert_cmpuint(freq(f, "XLnone"), ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_file_test(tracuu_test_indexer_path(), G_FILE_TEST_IS_EXECUTABLE)) {
        g_printerr("tracuu-indexer is not built\n");
        return 1;
    }
#define ADD(name, fn) g_test_add(name, fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/relabel/map and relabel", test_map_and_relabel);
    ADD("/relabel/config", test_config);
    ADD("/relabel/bad map", test_bad_map);
    ADD("/relabel/jsonl keeps its own", test_jsonl_keeps_its_own);
    return g_test_run();
}
