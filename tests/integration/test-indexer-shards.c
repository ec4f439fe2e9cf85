/* test-indexer-shards.c - tracuu-indexer --shards N: every document once, in the shard of its
 * file, through re-runs, changes, deletions, --from-jsonl and kill -9. */
#include "tracuu-schema.h"
#include "tracuu-shard.h"
#include "tracuu-store.h"
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef tracuu_test_docs fixture;

static void
fixture_setup(fixture *f, gconstpointer data)
{
    tracuu_test_docs_init(f, "tracuu-shards-XXXXXX");
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
    tracuu_test_docs_clear(f);
}

/* A short official text; @n makes each one different. */
static char *
doc_text(guint n, const char *extra)
{
    return g_strdup_printf("ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n"
                           "Số: %u/QĐ-UBND\n"
                           "QUYẾT ĐỊNH\n"
                           "Về việc phê duyệt kế hoạch số %u năm 2021 %s\n",
                           n, n, extra != NULL ? extra : "");
}

/* A mail with one attachment; @n makes its Message-ID and its words its own. */
static char *
mail_text(guint n)
{
    return g_strdup_printf("From: Văn thư <vanthu@quangnam.gov.vn>\r\n"
                           "Subject: Gửi quyết định %u\r\n"
                           "Date: Fri, 12 Mar 2021 09:00:00 +0700\r\n"
                           "Message-ID: <qd-%u@quangnam.gov.vn>\r\n"
                           "MIME-Version: 1.0\r\n"
                           "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                           "\r\n"
                           "--b1\r\n"
                           "Content-Type: text/plain; charset=utf-8\r\n"
                           "\r\n"
                           "Kính gửi, xin gửi quyết định số %u đính kèm.\r\n"
                           "--b1\r\n"
                           "Content-Type: text/plain; charset=utf-8\r\n"
                           "Content-Disposition: attachment; filename=\"phuluc-%u.txt\"\r\n"
                           "\r\n"
                           "Phụ lục %u: danh mục công trình.\r\n"
                           "--b1--\r\n",
                           n, n, n, n, n);
}

/* Runs the indexer on @f->db with --json and @extra; the parsed summary, *@status its exit. */
static JsonObject *
run_json(const char *db, const char *const *extra, int *status, char **err)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, (gpointer) "--db");
    g_ptr_array_add(a, (gpointer)db);
    g_ptr_array_add(a, (gpointer) "--json");
    for (const char *const *e = extra; e != NULL && *e != NULL; e++)
        g_ptr_array_add(a, (gpointer)*e);
    g_ptr_array_add(a, NULL);
    g_autofree char *out = NULL;
    int st = tracuu_test_run_indexer((const char *const *)a->pdata, NULL, NULL, &out, err);
    g_ptr_array_free(a, TRUE);
    *status = st;
    g_test_message("summary: %s", out);
    return tracuu_test_parse_object(out);
}

static tracuu_store *
open_read(const char *path)
{
    tracuu_store *store = NULL;
    char *error = NULL;
    tracuu_store_status st = tracuu_store_open(path, TRACUU_STORE_READ, &store, &error);
    if (st != TRACUU_STORE_OK)
        g_test_message("cannot open %s: %s", path, error != NULL ? error : "?");
    free(error);
    g_assert_cmpint(st, ==, TRACUU_STORE_OK);
    return store;
}

static bool
add_term(const char *term, size_t len, uint64_t doc_freq, void *user_data)
{
    g_hash_table_insert(user_data, g_strndup(term, len), GSIZE_TO_POINTER((gsize)doc_freq));
    return true;
}

/* The terms of @prefix in the index @path, with their frequencies (term => count). */
static GHashTable *
terms_of(const char *path, const char *prefix)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    tracuu_store *store = open_read(path);
    g_assert_cmpint(tracuu_store_list_terms(store, prefix, add_term, t), ==, TRACUU_STORE_OK);
    tracuu_store_free(store);
    return t;
}

static guint64
doc_count(const char *path)
{
    tracuu_store *store = open_read(path);
    guint64 n = tracuu_store_get_doc_count(store);
    tracuu_store_free(store);
    return n;
}

static char *
shard_path(fixture *f, guint k)
{
    g_autofree char *name = g_strdup_printf("shard-%02u", k);
    return g_build_filename(f->db, name, NULL);
}

/*
 * The sharded index in f->db of @n shards is sound: every id term and every file term is in
 * one shard only, once, each file's in the shard its key hashes to; the documents of the shards
 * add up to what the folder opened as one index holds. Returns that number.
 */
static guint64
assert_sharded(fixture *f, guint n)
{
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint64 sum = 0;
    for (guint k = 0; k < n; k++) {
        g_autofree char *path = shard_path(f, k);
        guint64 docs = doc_count(path);
        sum += docs;
        g_autoptr(GHashTable) q = terms_of(path, TRACUU_PREFIX_ID);
        g_assert_cmpuint(g_hash_table_size(q), ==, docs);
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init(&it, q);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            g_assert_cmpuint(GPOINTER_TO_SIZE(value), ==, 1);
            g_assert_false(g_hash_table_contains(ids, key));
            g_hash_table_add(ids, g_strdup(key));
        }
        g_autoptr(GHashTable) xf = terms_of(path, TRACUU_PREFIX_FILE);
        g_hash_table_iter_init(&it, xf);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            const char *hex = (const char *)key + strlen(TRACUU_PREFIX_FILE);
            g_assert_cmpuint(strlen(hex), ==, 40);
            g_assert_cmpuint(tracuu_shard_of(hex, 40, n), ==, k);
            g_assert_false(g_hash_table_contains(files, hex));
            g_hash_table_add(files, g_strdup(hex));
        }
    }
    /* Xapian's own stub file: the folder opens as the union of its shards. */
    g_assert_cmpuint(doc_count(f->db), ==, sum);
    return sum;
}

/* The member @name of the summary's "jsonl" object. */
static gint64
jsonl_member(JsonObject *summary, const char *name)
{
    return json_object_get_int_member(json_object_get_object_member(summary, "jsonl"), name);
}

/*
 * corpus/archive into 2 shards: the same documents as one index, each once, both shards used;
 * the summary counts them all and says "shards": 2; a second run changes nothing.
 */
static void
test_corpus(fixture *f, gconstpointer data)
{
    g_autofree char *archive = tracuu_test_source_path("corpus/archive");
    g_autofree char *plain = g_build_filename(f->dir, "plain", NULL);
    int st;
    const char *args_plain[] = {archive, NULL};
    g_autoptr(JsonObject) one = run_json(plain, args_plain, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    const char *args[] = {"--shards", "2", archive, NULL};
    g_autoptr(JsonObject) two = run_json(f->db, args, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(two, "shards"), ==, 2);
    const char *same[] = {"seen", "indexed", "failed", "skipped", "documents"};
    for (gsize i = 0; i < G_N_ELEMENTS(same); i++)
        g_assert_cmpint(tracuu_test_int_member(two, same[i]), ==,
                        tracuu_test_int_member(one, same[i]));
    guint64 want = doc_count(plain);
    g_assert_cmpuint(want, >, 10);
    g_assert_cmpuint(assert_sharded(f, 2), ==, want);
    g_autoptr(GHashTable) ids_plain = terms_of(plain, TRACUU_PREFIX_ID);
    g_autoptr(GHashTable) ids_sharded = terms_of(f->db, TRACUU_PREFIX_ID);
    g_assert_cmpuint(g_hash_table_size(ids_sharded), ==, g_hash_table_size(ids_plain));
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ids_plain);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_assert_true(g_hash_table_contains(ids_sharded, key));
    for (guint k = 0; k < 2; k++) {
        g_autofree char *path = shard_path(f, k);
        g_assert_cmpuint(doc_count(path), >, 0);
    }
    JsonArray *per = json_object_get_array_member(two, "per_shard");
    g_assert_cmpuint(json_array_get_length(per), ==, 2);

    /* Again, without --shards: the index keeps its 2, and nothing changes. */
    const char *again[] = {archive, NULL};
    g_autoptr(JsonObject) three = run_json(f->db, again, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(three, "shards"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(three, "indexed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(three, "removed"), ==, 0);
    g_assert_cmpint(tracuu_test_int_member(three, "unchanged"), ==,
                    tracuu_test_int_member(one, "seen") - tracuu_test_int_member(one, "skipped"));
    g_assert_cmpuint(assert_sharded(f, 2), ==, want);

    /* --check and --compact work shard by shard, and say so for the whole. */
    g_autofree char *out = NULL;
    const char *check[] = {"--db", f->db, "--check", NULL};
    g_assert_cmpint(tracuu_test_run_indexer(check, NULL, NULL, &out, NULL), ==, 0);
    g_assert_nonnull(strstr(out, "shard-00: sound"));
    g_assert_nonnull(strstr(out, "shard-01: sound"));
    g_assert_nonnull(strstr(out, "2 shards"));
    const char *compact[] = {"--compact", NULL};
    g_autoptr(JsonObject) c = run_json(f->db, compact, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    JsonObject *co = json_object_get_object_member(c, "compact");
    g_assert_true(json_object_get_boolean_member(co, "done"));
    g_assert_cmpint(json_object_get_int_member(co, "documents"), ==, (gint64)want);
    g_assert_cmpuint(assert_sharded(f, 2), ==, want);
}

/* The shard of the file @rel in f->docs, by its key. */
static guint
shard_of_file(fixture *f, const char *rel, guint n)
{
    g_autofree char *path = g_build_filename(f->docs, rel, NULL);
    char *real = realpath(path, NULL);
    g_assert_nonnull(real);
    g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA1, real, -1);
    free(real);
    return tracuu_shard_of(key, 40, n);
}

/* The frequency of @term in shard @k of f->db. */
static guint64
term_freq(fixture *f, guint k, const char *term)
{
    g_autofree char *path = shard_path(f, k);
    tracuu_store *store = open_read(path);
    guint64 n = tracuu_store_get_term_freq(store, term, strlen(term));
    tracuu_store_free(store);
    return n;
}

/*
 * A changed file is indexed again in its own shard, a deleted one leaves its shard, and the
 * others are untouched; mails keep their attachments in their own shard.
 */
static void
test_update(fixture *f, gconstpointer data)
{
    /* Files until each shard has 2 text files and 2 mails: which shard a file goes to depends
     * on its path, and so on the name of the test's temporary folder. */
    guint n_txt = 0, n_mail = 0, txt_in[2] = {0}, mail_in[2] = {0};
    const char *changed[2] = {NULL, NULL}, *deleted[2] = {NULL, NULL};
    static char names[200][16];
    while (MIN(txt_in[0], txt_in[1]) < 2 && n_txt < G_N_ELEMENTS(names)) {
        char *name = names[n_txt++];
        g_snprintf(name, sizeof names[0], "vb-%03u.txt", n_txt);
        g_autofree char *text = doc_text(n_txt, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
        guint k = shard_of_file(f, name, 2);
        if (txt_in[k]++ == 0)
            changed[k] = name;
        else if (deleted[k] == NULL)
            deleted[k] = name;
    }
    while (MIN(mail_in[0], mail_in[1]) < 2 && n_mail < 200) {
        g_autofree char *name = g_strdup_printf("thu/m-%u.eml", ++n_mail);
        g_autofree char *text = mail_text(n_mail);
        tracuu_test_write_file(f->docs, name, text, -1);
        mail_in[shard_of_file(f, name, 2)]++;
    }
    g_assert_nonnull(deleted[0]);
    g_assert_nonnull(deleted[1]);
    int st;
    const char *args[] = {"--shards", "2", f->docs, NULL};
    g_autoptr(JsonObject) first = run_json(f->db, args, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(first, "indexed"), ==, n_txt + n_mail);
    g_assert_cmpuint(assert_sharded(f, 2), ==, n_txt + 2 * n_mail);
    /* Each mail and its attachment: two documents of the mail's file, in the mail's shard. */
    for (guint i = 1; i <= n_mail; i++) {
        g_autofree char *rel = g_strdup_printf("thu/m-%u.eml", i);
        g_autofree char *path = g_build_filename(f->docs, rel, NULL);
        char *real = realpath(path, NULL);
        g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA1, real, -1);
        free(real);
        g_autofree char *xf = g_strconcat(TRACUU_PREFIX_FILE, key, NULL);
        guint k = shard_of_file(f, rel, 2);
        g_assert_cmpuint(term_freq(f, k, xf), ==, 2);
        g_assert_cmpuint(term_freq(f, 1 - k, xf), ==, 0);
    }

    /* One file of each shard changed, one deleted. */
    char *xf_deleted[2] = {NULL, NULL};
    for (guint k = 0; k < 2; k++) {
        g_autofree char *text = doc_text(1000 + k, k == 0 ? "zqwexa" : "zqwexb");
        tracuu_test_write_file(f->docs, changed[k], text, -1);
        g_autofree char *path = g_build_filename(f->docs, deleted[k], NULL);
        char *real = realpath(path, NULL);
        g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA1, real, -1);
        free(real);
        xf_deleted[k] = g_strconcat(TRACUU_PREFIX_FILE, key, NULL);
        g_assert_cmpuint(term_freq(f, k, xf_deleted[k]), ==, 1);
        g_assert_cmpint(g_unlink(path), ==, 0);
    }
    const char *again[] = {f->docs, NULL};
    g_autoptr(JsonObject) second = run_json(f->db, again, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(second, "indexed"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(second, "removed"), ==, 2);
    g_assert_cmpint(tracuu_test_int_member(second, "unchanged"), ==, n_txt + n_mail - 4);
    JsonArray *per = json_object_get_array_member(second, "per_shard");
    for (guint k = 0; k < 2; k++) {
        JsonObject *o = json_array_get_object_element(per, k);
        g_assert_cmpint(json_object_get_int_member(o, "indexed"), ==, 1);
        g_assert_cmpint(json_object_get_int_member(o, "removed"), ==, 1);
        g_assert_cmpuint(term_freq(f, k, xf_deleted[k]), ==, 0);
        g_assert_cmpuint(term_freq(f, k, k == 0 ? "zqwexa" : "zqwexb"), ==, 1);
        g_assert_cmpuint(term_freq(f, 1 - k, k == 0 ? "zqwexa" : "zqwexb"), ==, 0);
    }
    g_assert_cmpuint(assert_sharded(f, 2), ==, n_txt - 2 + 2 * n_mail);
    g_free(xf_deleted[0]);
    g_free(xf_deleted[1]);
}

/* --shards cannot change an index: a sharded one keeps its N, a plain one stays plain. */
static void
test_mismatch(fixture *f, gconstpointer data)
{
    for (guint i = 1; i <= 4; i++) {
        g_autofree char *name = g_strdup_printf("vb-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    const char *make[] = {"--db", f->db, "-q", "--shards", "2", f->docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(make, NULL, NULL, NULL, NULL), ==, 0);
    g_autofree char *err = NULL;
    const char *three[] = {"--db", f->db, "--shards", "3", f->docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(three, NULL, NULL, NULL, &err), ==, 2);
    g_assert_nonnull(strstr(err, "2 shards"));
    g_autofree char *shard2 = g_build_filename(f->db, "shard-02", NULL);
    g_assert_false(g_file_test(shard2, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(assert_sharded(f, 2), ==, 4);

    g_autofree char *plain = g_build_filename(f->dir, "plain", NULL);
    const char *make_plain[] = {"--db", plain, "-q", f->docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(make_plain, NULL, NULL, NULL, NULL), ==, 0);
    g_autofree char *err2 = NULL;
    const char *shard_plain[] = {"--db", plain, "--shards", "2", f->docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(shard_plain, NULL, NULL, NULL, &err2), ==, 2);
    g_assert_nonnull(strstr(err2, "not sharded"));
    g_autofree char *stub = g_build_filename(plain, "XAPIANDB", NULL);
    g_assert_false(g_file_test(stub, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(doc_count(plain), ==, 4);
}

/* --from-jsonl over 2 shards: each line's document in the shard of its id, a bad line counted
 * once; the same file again changes nothing. */
static void
test_jsonl(fixture *f, gconstpointer data)
{
    GString *lines = g_string_new(NULL);
    for (guint i = 0; i < 30; i++)
        g_string_append_printf(lines,
                               "{\"id\": \"doc-%u\", \"title\": \"Quyết định %u\", "
                               "\"text\": \"Nội dung số %u\"}\n",
                               i, i, i);
    g_string_append(lines, "{not json\n");
    tracuu_test_write_file(f->dir, "in.jsonl", lines->str, -1);
    g_string_free(lines, TRUE);
    g_autofree char *jsonl = g_build_filename(f->dir, "in.jsonl", NULL);
    int st;
    const char *args[] = {"--shards", "2", "--from-jsonl", jsonl, NULL};
    g_autoptr(JsonObject) s = run_json(f->db, args, &st, NULL);
    g_assert_cmpint(st, ==, 1); /* the bad line */
    g_assert_cmpint(jsonl_member(s, "lines"), ==, 31);
    g_assert_cmpint(jsonl_member(s, "imported"), ==, 30);
    g_assert_cmpint(jsonl_member(s, "bad"), ==, 1);
    g_assert_cmpuint(assert_sharded(f, 2), ==, 30);
    for (guint k = 0; k < 2; k++) {
        g_autofree char *path = shard_path(f, k);
        g_autoptr(GHashTable) q = terms_of(path, TRACUU_PREFIX_ID);
        g_assert_cmpuint(g_hash_table_size(q), >, 0);
        GHashTableIter it;
        gpointer key;
        g_hash_table_iter_init(&it, q);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            const char *id = (const char *)key + strlen(TRACUU_PREFIX_ID);
            g_assert_cmpuint(tracuu_shard_of(id, strlen(id), 2), ==, k);
        }
    }
    g_autoptr(JsonObject) again = run_json(f->db, args, &st, NULL);
    g_assert_cmpint(st, ==, 1);
    g_assert_cmpuint(assert_sharded(f, 2), ==, 30);
}

/* --shard NAME: a named shard is made and listed, and the index opens with it. */
static void
test_named(fixture *f, gconstpointer data)
{
    for (guint i = 1; i <= 6; i++) {
        g_autofree char *name = g_strdup_printf("%s/vb-%u.txt", i <= 3 ? "a" : "b", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    g_autofree char *a = g_build_filename(f->docs, "a", NULL);
    g_autofree char *b = g_build_filename(f->docs, "b", NULL);
    const char *one[] = {"--db", f->db, "-q", "--shard", "quang-nam", a, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(one, NULL, NULL, NULL, NULL), ==, 0);
    const char *two[] = {"--db", f->db, "-q", "--shard", "ha-noi", b, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(two, NULL, NULL, NULL, NULL), ==, 0);
    g_autofree char *stub = g_build_filename(f->db, "XAPIANDB", NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(stub, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "auto quang-nam\n"));
    g_assert_nonnull(strstr(text, "auto ha-noi\n"));
    g_autofree char *qn = g_build_filename(f->db, "quang-nam", NULL);
    g_autofree char *hn = g_build_filename(f->db, "ha-noi", NULL);
    g_assert_cmpuint(doc_count(qn), ==, 3);
    g_assert_cmpuint(doc_count(hn), ==, 3);
    g_assert_cmpuint(doc_count(f->db), ==, 6);
    /* Without --shard, an index of named shards only has no shard to hash into. */
    g_autofree char *err = NULL;
    const char *none[] = {"--db", f->db, a, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(none, NULL, NULL, NULL, &err), ==, 2);
    g_assert_nonnull(strstr(err, "--shard NAME"));
}

/*
 * kill -9 of the indexer while it writes 2 shards in parallel, at several moments: its
 * children (and their workers) end with it, every shard opens with no document twice, and the
 * next run completes the work.
 */
static void
test_kill9(fixture *f, gconstpointer data)
{
    const guint n_files = 300;
    for (guint i = 0; i < n_files; i++) {
        g_autofree char *name = g_strdup_printf("k%02u/vb-%u.txt", i % 20, i);
        g_autofree char *text = doc_text(i, "Nội dung dài hơn một chút.");
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    const guint delays_ms[] = {5, 300, 1500, 2500, 3500};
    guint children_seen = 0;
    tracuu_test_become_subreaper(TRUE);
    for (guint k = 0; k < G_N_ELEMENTS(delays_ms); k++) {
        const char *argv[] = {tracuu_test_indexer_path(),
                              "--db",
                              f->db,
                              "--shards",
                              "2",
                              "--jobs",
                              "2",
                              "--batch",
                              "20",
                              "-q",
                              f->docs,
                              NULL};
        /* 20 ms per file, so that the run is killed in its middle. */
        children_seen += tracuu_test_kill_slow_indexer(argv, delays_ms[k], 2000);
        g_autofree char *stub = g_build_filename(f->db, "XAPIANDB", NULL);
        if (!g_file_test(stub, G_FILE_TEST_EXISTS))
            continue;
        gboolean made = TRUE;
        for (guint s = 0; s < 2; s++) {
            g_autofree char *path = shard_path(f, s);
            g_autofree char *iam = g_build_filename(path, "iamglass", NULL);
            made = made && g_file_test(iam, G_FILE_TEST_EXISTS);
        }
        if (made) {
            guint64 mid = assert_sharded(f, 2);
            g_test_message("killed after %u ms: %" G_GUINT64_FORMAT " documents", delays_ms[k],
                           mid);
            g_assert_cmpuint(mid, <=, n_files);
        }
    }
    tracuu_test_become_subreaper(FALSE);
    /* The children were there to be killed with their parent. */
    g_assert_cmpuint(children_seen, >, 0);
    int st;
    const char *args[] = {f->docs, NULL};
    g_autoptr(JsonObject) last = run_json(f->db, args, &st, NULL);
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpuint(assert_sharded(f, 2), ==, n_files);
}

/* The documents of the index @path, or 0 while it cannot be opened (a shard not made yet). */
static guint64
doc_count_or_0(const char *path)
{
    tracuu_store *store = NULL;
    if (tracuu_store_open(path, TRACUU_STORE_READ, &store, NULL) != TRACUU_STORE_OK)
        return 0;
    guint64 n = tracuu_store_get_doc_count(store);
    tracuu_store_free(store);
    return n;
}

/* Waits (up to a minute: not a measure of speed) for f->db to hold @n documents. */
static void
wait_for_docs(fixture *f, guint64 n)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    while (doc_count_or_0(f->db) != n && g_get_monotonic_time() < deadline)
        g_usleep(100000);
    g_assert_cmpuint(doc_count_or_0(f->db), ==, n);
}

/* --watch over 2 shards: each shard's child follows the folder and takes its own files; a file
 * added and one deleted reach the right shards; SIGTERM ends all with status 0. */
static void
test_watch(fixture *f, gconstpointer data)
{
    for (guint i = 1; i <= 4; i++) {
        g_autofree char *name = g_strdup_printf("vb-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    const char *argv[] = {
        tracuu_test_indexer_path(), "--db", f->db, "--shards", "2", "--watch", f->docs, NULL};
    GPid pid;
    GError *error = NULL;
    g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                  tracuu_test_die_with_parent, NULL, &pid, &error);
    g_assert_no_error(error);
    wait_for_docs(f, 4);
    for (guint i = 5; i <= 10; i++) {
        g_autofree char *name = g_strdup_printf("vb-%u.txt", i);
        g_autofree char *text = doc_text(i, NULL);
        tracuu_test_write_file(f->docs, name, text, -1);
    }
    wait_for_docs(f, 10);
    g_autofree char *gone = g_build_filename(f->docs, "vb-1.txt", NULL);
    g_assert_cmpint(g_unlink(gone), ==, 0);
    wait_for_docs(f, 9);
    kill(pid, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 60), ==, 0);
    g_spawn_close_pid(pid);
    g_assert_cmpuint(assert_sharded(f, 2), ==, 9);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/indexer-shards/corpus", fixture, NULL, fixture_setup, test_corpus,
               fixture_teardown);
    g_test_add("/indexer-shards/update", fixture, NULL, fixture_setup, test_update,
               fixture_teardown);
    g_test_add("/indexer-shards/mismatch", fixture, NULL, fixture_setup, test_mismatch,
               fixture_teardown);
    g_test_add("/indexer-shards/jsonl", fixture, NULL, fixture_setup, test_jsonl, fixture_teardown);
    g_test_add("/indexer-shards/named", fixture, NULL, fixture_setup, test_named, fixture_teardown);
    g_test_add("/indexer-shards/watch", fixture, NULL, fixture_setup, test_watch, fixture_teardown);
    g_test_add("/indexer-shards/kill9", fixture, NULL, fixture_setup, test_kill9, fixture_teardown);
    return g_test_run();
}
