/* test-store-shards.c - the store over a Xapian stub file: shards, metadata, bad stubs. */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracuu-store.h"
#include "tracuu-test.h"

/* A shard at @dir/@name with @n documents "Qname-i" (term "x"), metadata "k" = @meta (or
 * none), committed @commits times. */
static void
make_shard(const char *dir, const char *name, int n, const char *meta, int commits)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    tracuu_store *s = NULL;
    g_assert_cmpint(tracuu_store_open(path, TRACUU_STORE_CREATE, &s, NULL), ==, TRACUU_STORE_OK);
    for (int c = 0; c < commits; c++) {
        for (int i = 0; i < n; i++) {
            g_autofree char *q = g_strdup_printf("Q%s-%d", name, i);
            tracuu_store_doc *d = tracuu_store_doc_new();
            tracuu_store_doc_add_term(d, q, strlen(q), 0);
            tracuu_store_doc_add_posting(d, "x", 1, 1, 1);
            tracuu_store_doc_set_data(d, q, strlen(q));
            g_assert_cmpint(tracuu_store_replace(s, q, d, NULL), ==, TRACUU_STORE_OK);
            tracuu_store_doc_free(d);
        }
        g_autofree char *key = g_strdup_printf("own-%s", name);
        g_assert_cmpint(tracuu_store_set_metadata(s, key, "1", 1), ==, TRACUU_STORE_OK);
        if (meta != NULL)
            g_assert_cmpint(tracuu_store_set_metadata(s, "k", meta, strlen(meta)), ==,
                            TRACUU_STORE_OK);
        g_assert_cmpint(tracuu_store_commit(s), ==, TRACUU_STORE_OK);
    }
    tracuu_store_free(s);
}

static void
write_stub(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static bool
collect_key(const char *key, const char *value, size_t len, void *user_data)
{
    (void)value;
    (void)len;
    g_string_append_printf(user_data, "%s;", key);
    return true;
}

static void
test_open(void)
{
    g_autofree char *dir = g_dir_make_tmp("tracuu-store-shards-XXXXXX", NULL);
    make_shard(dir, "a", 3, NULL, 1);
    make_shard(dir, "b", 2, "from-b", 2);
    /* A folder with XAPIANDB; a comment, a blank line, both local kinds, and a shard that is
     * not there. */
    write_stub(dir, "XAPIANDB", "# shards\n\nauto a\n  glass b  \nauto gone\n");
    g_assert_true(tracuu_store_is_sharded_path(dir));
    g_autofree char *a = g_build_filename(dir, "a", NULL);
    g_assert_false(tracuu_store_is_sharded_path(a));

    size_t n = 0;
    char **paths = tracuu_store_shard_paths(dir, &n);
    g_assert_nonnull(paths);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpstr(paths[0], ==, a);
    g_assert_null(paths[3]);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    g_assert_null(tracuu_store_shard_paths(a, &n));
    g_assert_cmpuint(n, ==, 0);

    tracuu_store *s = NULL;
    char *err = NULL;
    g_assert_cmpint(tracuu_store_open(dir, TRACUU_STORE_READ, &s, &err), ==, TRACUU_STORE_OK);
    g_assert_null(err);
    g_assert_true(tracuu_store_is_sharded(s));
    g_assert_cmpuint(tracuu_store_get_shard_count(s), ==, 3);
    g_assert_cmpstr(tracuu_store_get_shard_name(s, 1), ==, "b");
    g_assert_cmpstr(tracuu_store_get_shard_name(s, 2), ==, "gone");
    g_assert_null(tracuu_store_get_shard_name(s, 3));
    g_assert_true(tracuu_store_shard_ok(s, 0));
    g_assert_false(tracuu_store_shard_ok(s, 2));
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 5);
    g_assert_cmpuint(tracuu_store_get_shard_doc_count(s, 1), ==, 2);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "x", 1), ==, 5);
    /* The sum of the shards' revisions (Xapian gives none for a union). */
    g_assert_cmpuint(tracuu_store_get_revision(s), ==, 3);
    g_assert_cmpstr(tracuu_store_get_error(s), ==, "");
    /* The first shard with a value, not only the first shard. */
    char *v = NULL;
    g_assert_cmpint(tracuu_store_get_metadata(s, "k", &v, NULL), ==, TRACUU_STORE_OK);
    g_assert_cmpstr(v, ==, "from-b");
    free(v);
    g_autoptr(GString) keys = g_string_new("");
    g_assert_cmpint(tracuu_store_list_metadata(s, "own-", collect_key, keys), ==,
                    TRACUU_STORE_OK);
    g_assert_cmpstr(keys->str, ==, "own-a;own-b;");
    /* Every document is found by its term, through the union. */
    char *data = NULL;
    g_assert_cmpint(tracuu_store_get_data(s, "Qb-1", &data, NULL, NULL), ==, TRACUU_STORE_OK);
    g_assert_cmpstr(data, ==, "Qb-1");
    free(data);
    tracuu_query *q = tracuu_query_new_term("x", 1, 1, 0);
    tracuu_results *r = NULL;
    g_assert_cmpint(tracuu_store_search(s, q, NULL, &r), ==, TRACUU_STORE_OK);
    g_assert_cmpuint(r->total, ==, 5);
    tracuu_results_free(r);
    tracuu_query_free(q);
    /* The missing shard, made, is searched after its pause between tries. */
    make_shard(dir, "gone", 4, NULL, 1);
    g_usleep(3200000);
    g_assert_cmpint(tracuu_store_reopen(s), ==, TRACUU_STORE_OK);
    g_assert_true(tracuu_store_shard_ok(s, 2));
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 9);
    tracuu_store_free(s);

    /* A stub cannot be written to as one. */
    g_assert_cmpint(tracuu_store_open(dir, TRACUU_STORE_WRITE, &s, &err), ==,
                    TRACUU_STORE_INVALID);
    g_assert_nonnull(strstr(err, "shard"));
    free(err);
    tracuu_test_rm_rf(dir);
}

typedef struct {
    const char *stub;
    const char *message; /* a part of the error */
} bad_stub;

static const bad_stub bad_stubs[] = {
    {"", "names no database"},
    {"# only a comment\n", "names no database"},
    {"auto\n", "line 1"},
    {"flint old\n", "unknown kind"},
    {"remote :xapian-progsrv db\n", "HOST:PORT"},
    {"remote host\n", "HOST:PORT"},
    {"remote 127.0.0.1:99999\n", "bad port"},
    {"remote 127.0.0.1:x\n", "bad port"},
    {"auto missing-a\nauto missing-b\n", "no shard can be opened"},
};

static void
test_bad(void)
{
    g_autofree char *dir = g_dir_make_tmp("tracuu-store-shards-XXXXXX", NULL);
    g_autofree char *stub = g_build_filename(dir, "stub", NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(bad_stubs); i++) {
        g_test_message("stub: %s", bad_stubs[i].stub);
        g_assert_true(g_file_set_contents(stub, bad_stubs[i].stub, -1, NULL));
        tracuu_store *s = NULL;
        char *err = NULL;
        g_assert_cmpint(tracuu_store_open(stub, TRACUU_STORE_READ, &s, &err), !=,
                        TRACUU_STORE_OK);
        g_assert_null(s);
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err, bad_stubs[i].message));
        free(err);
    }
    tracuu_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/store-shards/open a stub", test_open);
    g_test_add_func("/store-shards/bad stubs", test_bad);
    return g_test_run();
}
