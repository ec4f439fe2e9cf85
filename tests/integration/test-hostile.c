/* test-hostile.c - tracuu-indexer on hostile inputs: it finishes, reports each, indexes the rest.
 */
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads the index with python3-xapian: document count, the frequency of the terms given, and
 * the status of every file's state record, by path. */
static const char inspect_py[] = "import sys, json, xapian\n"
                                 "db = xapian.Database(sys.argv[1])\n"
                                 "out = {'doccount': db.get_doccount(), 'freq': {}, 'state': {}}\n"
                                 "for a in sys.argv[2:]:\n"
                                 "    out['freq'][a] = db.get_termfreq(a)\n"
                                 "for k in db.metadata_keys(b'file:'):\n"
                                 "    st = json.loads(db.get_metadata(k).decode())\n"
                                 "    out['state'][st['path']] = st['status']\n"
                                 "print(json.dumps(out))\n";

static char *
read_source_file(const char *rel, gsize *len)
{
    g_autofree char *path = g_build_filename(g_getenv("TRACUU_SOURCE_ROOT"), rel, NULL);
    char *data = NULL;
    GError *error = NULL;
    g_file_get_contents(path, &data, len, &error);
    g_assert_no_error(error);
    return data;
}

/*
 * Tests run as root, and root reads a file whatever its mode says (CAP_DAC_OVERRIDE), so a
 * chmod 000 file is not unreadable for root. To make the unreadable case real, the indexer runs
 * as "nobody" when the test is root: the child drops its groups and ids before exec. The
 * folders of the test are opened to everyone so that nobody can walk them and write the index.
 */
static void
drop_to_nobody(gpointer data)
{
    if (geteuid() != 0)
        return;
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        _exit(126);
}

typedef struct {
    int status;
    JsonObject *summary;
    char *out;
} run_result;

static void
run_indexer(const char *db, const char *docs, gboolean follow, run_result *r)
{
    const char *args[] = {
        "--db", db, "--json", "--timeout", "60", docs, follow ? "--follow-symlinks" : NULL, NULL};
    r->status = tracuu_test_run_indexer(args, NULL, drop_to_nobody, &r->out, NULL);
    g_test_message("summary: %s", r->out);
    r->summary = tracuu_test_parse_object(r->out);
}

static JsonObject *
inspect(const char *db, const char *const *terms)
{
    return tracuu_test_run_python(inspect_py, db, terms);
}

typedef enum {
    EXPECT_INDEXED,  /* its documents are in the index */
    EXPECT_FAILED,   /* listed under "failures" with a reason */
    EXPECT_SKIPPED,  /* listed under "skips" with a reason */
    EXPECT_ACCOUNTED /* either indexed or reported failed: what matters is the run goes on */
} expectation;

typedef struct {
    const char *name; /* file name in the test folder */
    expectation expect;
    expectation expect_follow; /* with --follow-symlinks */
    const char *reason;        /* a word the reason must contain, or NULL */
} hostile_case;

#define NON_UTF8_NAME "b\xe1o-c\xe1o-\xff.txt"

static const hostile_case cases[] = {
    {"empty.pdf", EXPECT_FAILED, EXPECT_FAILED, "empty"},
    {"truncated.pdf", EXPECT_ACCOUNTED, EXPECT_ACCOUNTED, NULL},
    {"encrypted.pdf", EXPECT_FAILED, EXPECT_FAILED, "password"},
    {"junk.pdf", EXPECT_FAILED, EXPECT_FAILED, NULL},
    {"junk.eml", EXPECT_FAILED, EXPECT_FAILED, NULL},
    /* Named as a format of the table (formats.c): a failure, as for every format it reads. */
    {"junk.doc", EXPECT_FAILED, EXPECT_FAILED, "named .doc"},
    {"long-header.eml", EXPECT_ACCOUNTED, EXPECT_ACCOUNTED, NULL},
    {"nested.eml", EXPECT_ACCOUNTED, EXPECT_ACCOUNTED, NULL},
    {"bad-charset.eml", EXPECT_INDEXED, EXPECT_INDEXED, NULL},
    {"bad-bytes.txt", EXPECT_INDEXED, EXPECT_INDEXED, NULL},
    {"secret.txt", EXPECT_FAILED, EXPECT_FAILED, "Permission denied"},
    {"loop", EXPECT_SKIPPED, EXPECT_SKIPPED, NULL},
    {"self", EXPECT_SKIPPED, EXPECT_FAILED, NULL},
    {"fifo.pdf", EXPECT_SKIPPED, EXPECT_SKIPPED, "regular"},
    {NON_UTF8_NAME, EXPECT_INDEXED, EXPECT_INDEXED, NULL},
    {"good.txt", EXPECT_INDEXED, EXPECT_INDEXED, NULL},
};

static void
make_hostile(const char *docs)
{
    tracuu_test_write_file(docs, "empty.pdf", "", 0);
    gsize len = 0;
    g_autofree char *memo = read_source_file("tests/data/extract/memo.pdf", &len);
    tracuu_test_write_file(docs, "truncated.pdf", memo, len / 2);
    g_autofree char *enc = read_source_file("tests/data/extract/encrypted.pdf", &len);
    tracuu_test_write_file(docs, "encrypted.pdf", enc, len);

    /* Junk bytes, the same on every run. */
    GRand *rand = g_rand_new_with_seed(42);
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)g_rand_int_range(rand, 0, 256);
    g_rand_free(rand);
    tracuu_test_write_file(docs, "junk.pdf", junk, sizeof junk);
    tracuu_test_write_file(docs, "junk.eml", junk + 100, sizeof junk - 100);
    tracuu_test_write_file(docs, "junk.doc", junk + 200, sizeof junk - 200);

    /* A 2 MB header line. */
    GString *m = g_string_new("From: a@b.vn\r\nSubject: ");
    while (m->len < 2 * 1024 * 1024)
        g_string_append(m, "dài ");
    g_string_append(m, "\r\n\r\nNội dung thư sau một tiêu đề rất dài.\r\n");
    tracuu_test_write_file(docs, "long-header.eml", m->str, m->len);
    g_string_free(m, TRUE);

    /* 200 levels of nested multipart. */
    m = g_string_new("From: a@b.vn\r\nSubject: lồng nhau\r\nMIME-Version: 1.0\r\n");
    for (int i = 0; i < 200; i++)
        g_string_append_printf(
            m, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i);
    g_string_append(m, "Content-Type: text/plain; charset=utf-8\r\n\r\nđáy sâu\r\n");
    for (int i = 199; i >= 0; i--)
        g_string_append_printf(m, "--b%d--\r\n", i);
    tracuu_test_write_file(docs, "nested.eml", m->str, m->len);
    g_string_free(m, TRUE);

    /* A charset nobody knows, and bytes that are valid in none. */
    static const char bad_charset[] = "From: =?x-unknown-charset?B?//79?= <a@b.vn>\r\n"
                                      "Subject: =?utf-8?Q?b=E1=BA=A3n_tin_=FF=FE?=\r\n"
                                      "Content-Type: text/plain; charset=\"x-no-such-charset\"\r\n"
                                      "\r\n"
                                      "Th\xff\xfe\xc3 ng\xe1o b\xc3\xa1o khẩn.\r\n";
    tracuu_test_write_file(docs, "bad-charset.eml", bad_charset, sizeof bad_charset - 1);
    static const char bad_bytes[] =
        "Công văn \xc3\x28 số \xed\xa0\x80 12 \xf8\x88\x80\x80\x80 khẩn";
    tracuu_test_write_file(docs, "bad-bytes.txt", bad_bytes, sizeof bad_bytes - 1);

    /* Unreadable: see drop_to_nobody(). */
    tracuu_test_write_file(docs, "secret.txt", "bí mật", strlen("bí mật"));
    g_autofree char *secret = g_build_filename(docs, "secret.txt", NULL);
    g_assert_cmpint(g_chmod(secret, 0), ==, 0);

    /* A loop of folders through a symbolic link, and a link to itself. */
    g_autofree char *loop = g_build_filename(docs, "loop", NULL);
    g_assert_cmpint(symlink(".", loop), ==, 0);
    g_autofree char *self = g_build_filename(docs, "self", NULL);
    g_assert_cmpint(symlink("self", self), ==, 0);

    /* A FIFO would block a reader forever. */
    g_autofree char *fifo = g_build_filename(docs, "fifo.pdf", NULL);
    g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);

    /* A file name that is not UTF-8, with good content. */
    tracuu_test_write_file(docs, NON_UTF8_NAME, "Báo cáo tổng kết năm tênlạ",
                           strlen("Báo cáo tổng kết năm tênlạ"));
    tracuu_test_write_file(docs, "good.txt", "Quyết định phê duyệt đườngtốt",
                           strlen("Quyết định phê duyệt đườngtốt"));
}

/* The entry of @list whose path ends with /@name, or NULL. */
static JsonObject *
find_entry(JsonObject *summary, const char *list, const char *name)
{
    g_autofree char *shown = g_utf8_make_valid(name, -1);
    g_autofree char *suffix = g_strconcat("/", shown, NULL);
    JsonArray *a = json_object_get_array_member(summary, list);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);
        if (g_str_has_suffix(json_object_get_string_member(o, "path"), suffix))
            return o;
    }
    return NULL;
}

static gboolean
is_indexed(JsonObject *ix, const char *docs, const char *name)
{
    g_autofree char *path = g_build_filename(docs, name, NULL);
    g_autofree char *shown = g_utf8_make_valid(path, -1);
    JsonObject *state = json_object_get_object_member(ix, "state");
    return json_object_has_member(state, shown) &&
           g_strcmp0(json_object_get_string_member(state, shown), "ok") == 0;
}

static void
check_run(const char *dir, gboolean follow)
{
    g_autofree char *docs = g_build_filename(dir, follow ? "docs-follow" : "docs", NULL);
    g_autofree char *db = g_build_filename(dir, follow ? "db-follow" : "db", NULL);
    g_assert_cmpint(g_mkdir(docs, 0777), ==, 0);
    g_assert_cmpint(g_chmod(docs, 0777), ==, 0);
    make_hostile(docs);
    g_autofree char *real_docs = realpath(docs, NULL);

    run_result r = {0};
    gint64 t0 = g_get_monotonic_time();
    run_indexer(db, docs, follow, &r);
    g_test_message("run took %.2f s", (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
    g_assert_cmpint(r.status, ==, 1);
    JsonObject *s = r.summary;
    const char *terms[] = {"Fduongtot", "đườngtốt", "tênlạ", NULL};
    g_autoptr(JsonObject) ix = inspect(db, terms);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const hostile_case *c = &cases[i];
        expectation want = follow ? c->expect_follow : c->expect;
        JsonObject *failed = find_entry(s, "failures", c->name);
        JsonObject *skipped = find_entry(s, "skips", c->name);
        gboolean indexed = is_indexed(ix, real_docs, c->name);
        g_autofree char *shown = g_utf8_make_valid(c->name, -1);
        g_test_message("%s: %s", shown,
                       indexed   ? "indexed"
                       : failed  ? json_object_get_string_member(failed, "reason")
                       : skipped ? json_object_get_string_member(skipped, "reason")
                                 : "NOT REPORTED");
        JsonObject *entry = NULL;
        switch (want) {
        case EXPECT_INDEXED:
            g_assert_true(indexed);
            g_assert_null(failed);
            break;
        case EXPECT_FAILED:
            g_assert_nonnull(failed);
            g_assert_false(indexed);
            entry = failed;
            break;
        case EXPECT_SKIPPED:
            g_assert_nonnull(skipped);
            entry = skipped;
            break;
        case EXPECT_ACCOUNTED:
            g_assert_true(indexed || failed != NULL);
            entry = failed;
            break;
        }
        if (entry != NULL) {
            const char *reason = json_object_get_string_member(entry, "reason");
            g_assert_cmpstr(reason, !=, "");
            if (c->reason != NULL)
                g_assert_nonnull(strcasestr(reason, c->reason));
        }
    }
    /* Every file met is counted once. */
    g_assert_cmpint(json_object_get_int_member(s, "seen"), ==,
                    json_object_get_int_member(s, "indexed") +
                        json_object_get_int_member(s, "failed") +
                        json_object_get_int_member(s, "skipped"));
    /* And the good ones are searchable. */
    JsonObject *freq = json_object_get_object_member(ix, "freq");
    g_assert_cmpint(json_object_get_int_member(freq, "Fduongtot"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(freq, "đườngtốt"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(freq, "tênlạ"), ==, 1);

    /* A second run retries none of the failures (they have not changed) and reports them. */
    run_result r2 = {0};
    run_indexer(db, docs, follow, &r2);
    g_assert_cmpint(r2.status, ==, 1);
    g_assert_cmpint(json_object_get_int_member(r2.summary, "indexed"), ==, 0);
    g_assert_nonnull(find_entry(r2.summary, "unchanged_failures", "encrypted.pdf"));
    json_object_unref(r.summary);
    json_object_unref(r2.summary);
    g_free(r.out);
    g_free(r2.out);
}

static char *
make_dir(void)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp("tracuu-hostile-XXXXXX", &error);
    g_assert_no_error(error);
    g_assert_cmpint(g_chmod(dir, 0777), ==, 0);
    return dir;
}

static void
test_hostile(void)
{
    g_autofree char *dir = make_dir();
    check_run(dir, FALSE);
    g_assert_true(tracuu_test_rm_rf(dir));
}

static void
test_hostile_follow(void)
{
    g_autofree char *dir = make_dir();
    check_run(dir, TRUE);
    g_assert_true(tracuu_test_rm_rf(dir));
}

/* A folder that cannot be read hides its files for a run; it does not make them "gone". */
static void
test_unreadable_folder(void)
{
    g_autofree char *dir = make_dir();
    g_autofree char *docs = g_build_filename(dir, "docs", NULL);
    g_autofree char *sub = g_build_filename(docs, "sub", NULL);
    g_autofree char *db = g_build_filename(dir, "db", NULL);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
    tracuu_test_write_file(sub, "a.txt", "Công văn trong thư mục conxyz",
                           strlen("Công văn trong thư mục conxyz"));
    tracuu_test_write_file(docs, "b.txt", "Công văn ngoài", strlen("Công văn ngoài"));
    const char *terms[] = {"conxyz", NULL};

    run_result r1 = {0};
    run_indexer(db, docs, FALSE, &r1);
    g_assert_cmpint(r1.status, ==, 0);
    g_assert_cmpint(json_object_get_int_member(r1.summary, "indexed"), ==, 2);

    g_assert_cmpint(g_chmod(sub, 0), ==, 0);
    run_result r2 = {0};
    run_indexer(db, docs, FALSE, &r2);
    g_assert_cmpint(g_chmod(sub, 0755), ==, 0);
    g_assert_cmpint(r2.status, ==, 1);
    g_assert_cmpint(json_object_get_int_member(r2.summary, "removed"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(r2.summary, "unchanged"), ==, 1);
    JsonObject *failed = find_entry(r2.summary, "failures", "sub");
    g_assert_nonnull(failed);
    g_assert_nonnull(strstr(json_object_get_string_member(failed, "reason"), "Permission denied"));
    g_autoptr(JsonObject) ix2 = inspect(db, terms);
    g_assert_cmpint(
        json_object_get_int_member(json_object_get_object_member(ix2, "freq"), "conxyz"), ==, 1);

    /* Readable again and the file really gone: now it is removed. */
    g_autofree char *a = g_build_filename(sub, "a.txt", NULL);
    g_assert_cmpint(g_unlink(a), ==, 0);
    run_result r3 = {0};
    run_indexer(db, docs, FALSE, &r3);
    g_assert_cmpint(r3.status, ==, 0);
    g_assert_cmpint(json_object_get_int_member(r3.summary, "removed"), ==, 1);
    g_autoptr(JsonObject) ix3 = inspect(db, terms);
    g_assert_cmpint(
        json_object_get_int_member(json_object_get_object_member(ix3, "freq"), "conxyz"), ==, 0);
    run_result *rs[] = {&r1, &r2, &r3};
    for (size_t i = 0; i < G_N_ELEMENTS(rs); i++) {
        json_object_unref(rs[i]->summary);
        g_free(rs[i]->out);
    }
    g_assert_true(tracuu_test_rm_rf(dir));
}

static void
test_not_built(void)
{
    g_test_skip("tracuu-indexer is not built yet");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_file_test(tracuu_test_indexer_path(), G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_add_func("/hostile/not-built", test_not_built);
        return g_test_run();
    }
    g_test_add_func("/hostile/inputs", test_hostile);
    g_test_add_func("/hostile/inputs-follow-symlinks", test_hostile_follow);
    g_test_add_func("/hostile/unreadable-folder", test_unreadable_folder);
    return g_test_run();
}
