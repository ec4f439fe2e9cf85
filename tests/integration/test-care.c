/* test-care.c - tracuu-indexer --check, --backup and --restore, and a disk that fills up. */
#include "tracuu-schema.h"
#include "tracuu-store-backup.h"
#include "tracuu-store-check.h"
#include "tracuu-store.h"
#include "tracuu-test-client.h"
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The real tracuu-indexer and tracuu-searchd on indexes in a temporary folder: sound ones, ones
 * damaged on purpose (a table cut short or overwritten, a document deleted behind the state's
 * back with python3-xapian, other versions recorded), a backup taken while an indexer writes and
 * a daemon serves, restored under the daemon, and a real full disk (a small tmpfs).
 */

typedef struct {
    char *dir;
    char *docs;
    char *db;
} fixture;

/* Two messages, the second with a text attachment: three documents from one file. */
static const char mbox[] =
    "From a@x.vn Mon Mar  1 08:00:00 2021\n"
    "From: An <a@x.vn>\nTo: b@x.vn\nSubject: Thư một\nDate: Mon, 1 Mar 2021 08:00:00 +0700\n"
    "Message-ID: <m1@x.vn>\nContent-Type: text/plain; charset=utf-8\n\n"
    "Nội dung thư một.\n\n"
    "From a@x.vn Tue Mar  2 08:00:00 2021\n"
    "From: An <a@x.vn>\nTo: b@x.vn\nSubject: Thư hai\nDate: Tue, 2 Mar 2021 08:00:00 +0700\n"
    "Message-ID: <m2@x.vn>\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"BB\"\n\n"
    "--BB\nContent-Type: text/plain; charset=utf-8\n\nThư có phụ lục.\n"
    "--BB\nContent-Type: text/plain; charset=utf-8; name=\"phu-luc.txt\"\n"
    "Content-Disposition: attachment; filename=\"phu-luc.txt\"\n\n"
    "Phụ lục kèm theo.\n"
    "--BB--\n";

static void
write_docs(const char *dir, guint from, guint to)
{
    for (guint i = from; i <= to; i++) {
        g_autofree char *name = g_strdup_printf("qd-%03u.txt", i);
        g_autofree char *text = g_strdup_printf(
            "Số: %u/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc thử nghiệm sao lưu văn bản %u\n", i, i);
        tracuu_test_write_file(dir, name, text, -1);
    }
}

static void
fixture_setup(fixture *f, gconstpointer data)
{
    GError *error = NULL;
    g_autofree char *tmp = g_dir_make_tmp("tracuu-care-XXXXXX", &error);
    g_assert_no_error(error);
    f->dir = realpath(tmp, NULL);
    f->docs = g_build_filename(f->dir, "docs", NULL);
    f->db = g_build_filename(f->dir, "db", NULL);
    write_docs(f->docs, 1, 10);
    tracuu_test_write_file(f->docs, "thu.mbox", mbox, -1);
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
    tracuu_test_rm_rf(f->dir);
    free(f->dir);
    g_free(f->docs);
    g_free(f->db);
}

/* Runs the indexer with @args; its output in *@out (may be NULL). Returns the exit status. */
static int
indexer(const char *const *args, char **out, char **err)
{
    return tracuu_test_run_indexer(args, NULL, NULL, out, err);
}

static void
index_docs(fixture *f)
{
    const char *args[] = {"--db", f->db, "-q", f->docs, NULL};
    g_assert_cmpint(indexer(args, NULL, NULL), ==, 0);
}

/* --check on @db: its exit status, and its output in *@out (caller g_free()s; may be NULL). */
static int
check(const char *db, char **out)
{
    const char *args[] = {"--db", db, "--check", NULL};
    g_autofree char *o = NULL;
    int st = indexer(args, &o, NULL);
    g_test_message("--check %s: %d\n%s", db, st, o);
    if (out != NULL)
        *out = g_steal_pointer(&o);
    return st;
}

/* Runs @script with /usr/bin/python3 and python3-xapian on @db. */
static void
python(const char *db, const char *script)
{
    g_autofree char *full = g_strdup_printf("import sys, json, xapian\n"
                                            "db = xapian.WritableDatabase(sys.argv[1], "
                                            "xapian.DB_OPEN)\n%s\ndb.commit()\nprint('{}')\n",
                                            script);
    g_autoptr(JsonObject) o = tracuu_test_run_python(full, db, NULL);
}

/* ---- --check ---- */

static void
test_check_sound(fixture *f, gconstpointer data)
{
    index_docs(f);
    g_autofree char *out = NULL;
    g_assert_cmpint(check(f->db, &out), ==, 0);
    g_assert_nonnull(strstr(out, ": sound (13 documents, 11 file states"));
    /* Only the summary line: no problem listed. */
    g_assert_true(strchr(out, '\n') == out + strlen(out) - 1);
}

/* Xapian's own check finds the damage a table file suffered. */
static void
test_check_damaged_table(fixture *f, gconstpointer data)
{
    index_docs(f);
    g_autofree char *cut = g_build_filename(f->db, "postlist.glass", NULL);
    g_assert_cmpint(truncate(cut, 8192), ==, 0);
    g_autofree char *out = NULL;
    g_assert_cmpint(check(f->db, &out), ==, 1);
    g_assert_nonnull(strstr(out, "xapian: "));
    g_assert_nonnull(strstr(out, "NOT sound"));

    /* Garbage over a block of another table. */
    tracuu_test_rm_rf(f->db);
    index_docs(f);
    g_autofree char *tl = g_build_filename(f->db, "termlist.glass", NULL);
    int fd = open(tl, O_WRONLY);
    g_assert_cmpint(fd, >=, 0);
    /* Every block but the first (which the table may not use). */
    struct stat st;
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7 + 13);
    for (off_t at = 8192; at < st.st_size; at += 8192)
        g_assert_cmpint(pwrite(fd, junk, sizeof junk, at), ==, (ssize_t)sizeof junk);
    g_assert_cmpint(st.st_size, >, 8192);
    close(fd);
    g_free(out);
    out = NULL;
    g_assert_cmpint(check(f->db, &out), ==, 1);
    g_assert_nonnull(strstr(out, "xapian: "));
}

/* The key of the state of the file @name of the docs folder. */
static char *
state_key(fixture *f, const char *name)
{
    g_autofree char *path = g_build_filename(f->docs, name, NULL);
    return g_compute_checksum_for_string(G_CHECKSUM_SHA1, path, -1);
}

static void
test_check_tracuu(fixture *f, gconstpointer data)
{
    index_docs(f);
    g_autofree char *key = state_key(f, "qd-003.txt");
    g_autofree char *mkey = state_key(f, "thu.mbox");
    g_autofree char *path3 = g_build_filename(f->docs, "qd-003.txt", NULL);
    g_autofree char *path5 = g_build_filename(f->docs, "qd-005.txt", NULL);
    g_autofree char *key5 = state_key(f, "qd-005.txt");
    /* A document deleted behind the state's back; a state removed under its documents; the
     * first message of the mbox, parent of nothing, kept; the second, parent of the
     * attachment, deleted; a document whose data has no text part; wrong versions. */
    g_autofree char *script = g_strdup_printf(
        "db.delete_document('XF%s')\n"
        "db.set_metadata('file:%s', '')\n"
        "m = [p.docid for p in db.postlist('XF%s')]\n"
        "docs = sorted((db.get_document(d).get_data().split(b'\\0')[0], d) for d in m)\n"
        "ids = [json.loads(x)['id'] for x, d in docs]\n"
        "parents = [json.loads(x).get('parent') for x, d in docs]\n"
        "victim = [p for p in parents if p][0]\n"
        "db.delete_document('Q' + victim)\n"
        "d = xapian.Document(); d.set_data('{\"id\":\"zz\"}'); d.add_boolean_term('Qzz')\n"
        "db.add_document(d)\n"
        "d = xapian.Document(); d.set_data('{\"id\":\"yy\"}\\0text'); d.add_boolean_term('Qxx')\n"
        "db.add_document(d)\n"
        "db.set_metadata('tracuu.tokenizer_version', '999')\n",
        key, key5, mkey);
    python(f->db, script);
    g_autofree char *out = NULL;
    g_assert_cmpint(check(f->db, &out), ==, 1);
    g_autofree char *missing =
        g_strdup_printf("file %s: its state names 1 document, and none is in the index", path3);
    g_assert_nonnull(strstr(out, missing));
    g_autofree char *stateless = g_strdup_printf("1 documents of the file %s have no file state",
                                                 path5);
    g_assert_nonnull(strstr(out, stateless));
    g_assert_nonnull(strstr(out, "its parent message"));
    g_assert_nonnull(strstr(out, "is not in the index"));
    g_assert_nonnull(strstr(out, "its stored data has no NUL byte"));
    g_assert_nonnull(strstr(out, "its id term Qxx does not match its stored id yy"));
    g_assert_nonnull(strstr(out, "tokenizer version 999"));
    g_assert_nonnull(strstr(out, "--rebuild"));
    /* The mbox's state names 3 documents, 2 are left. */
    g_assert_nonnull(strstr(out, "thu.mbox: its state names 3 documents, the index has 2"));
    g_assert_nonnull(strstr(out, "NOT sound"));
}

/* A tokenizer change: --check says so, a run refuses and says why, --rebuild reads every file
 * again from the originals and the index is sound. */
static void
test_tokenizer_changed(fixture *f, gconstpointer data)
{
    index_docs(f);
    python(f->db, "db.set_metadata('tracuu.tokenizer_version', '1')\n");
    g_autofree char *out = NULL;
    g_assert_cmpint(check(f->db, &out), ==, 1);
    g_assert_nonnull(strstr(out, "tokenizer version 1"));
    g_assert_nonnull(strstr(out, "must be rebuilt from the original files"));
    const char *run[] = {"--db", f->db, "-q", f->docs, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(indexer(run, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "needs a full rebuild from the original files"));
    const char *rebuild[] = {"--db", f->db, "--rebuild", "--json", f->docs, NULL};
    g_autofree char *json = NULL;
    g_assert_cmpint(indexer(rebuild, &json, NULL), ==, 0);
    g_autoptr(JsonObject) o = tracuu_test_parse_object(json);
    g_assert_cmpint(tracuu_test_int_member(o, "indexed"), ==, 11);
    g_assert_cmpint(check(f->db, NULL), ==, 0);
}

static void
test_check_usage(fixture *f, gconstpointer data)
{
    g_autofree char *nothing = g_build_filename(f->dir, "none", NULL);
    g_autofree char *err = NULL;
    const char *missing[] = {"--db", nothing, "--check", NULL};
    g_assert_cmpint(indexer(missing, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "cannot check"));
    g_assert_false(g_file_test(nothing, G_FILE_TEST_EXISTS)); /* --check creates nothing */
    const char *both[] = {"--db", f->db, "--check", "--backup", nothing, NULL};
    g_assert_cmpint(indexer(both, NULL, NULL), ==, 2);
    const char *paths[] = {"--db", f->db, "--check", f->docs, NULL};
    g_assert_cmpint(indexer(paths, NULL, NULL), ==, 2);
}

/* ---- the documents of an index, to compare two ---- */

static bool
collect_doc(uint32_t docid, const char *data, size_t len, const char *const *terms,
            const size_t *term_lens, size_t n_terms, void *user_data)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < n_terms; i++)
        g_string_append_printf(s, "%s\n", terms[i]);
    g_string_append_len(s, data, (gssize)len);
    g_hash_table_insert(user_data, GUINT_TO_POINTER(docid), g_string_free(s, FALSE));
    return true;
}

/* docid -> its "Q" terms and data, for every document of @db; *@rev its revision. */
static GHashTable *
documents_of(const char *db, guint64 *rev)
{
    GHashTable *docs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    const char *const prefixes[] = {TRACUU_PREFIX_ID, NULL};
    char *err = NULL;
    uint64_t r = 0;
    tracuu_store_status st = tracuu_store_each_doc(db, prefixes, collect_doc, docs, &r, NULL, &err);
    if (err != NULL)
        g_test_message("%s", err);
    free(err);
    g_assert_cmpint(st, ==, TRACUU_STORE_OK);
    if (rev != NULL)
        *rev = r;
    return docs;
}

/* The value of "@name N" in the backup file of @dir. */
static guint64
backup_field(const char *dir, const char *name)
{
    g_autofree char *p = g_build_filename(dir, TRACUU_STORE_BACKUP_FILE, NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
    g_autofree char *key = g_strdup_printf("%s ", name);
    char *at = strstr(text, key);
    g_assert_nonnull(at);
    return g_ascii_strtoull(at + strlen(key), NULL, 10);
}

/* ---- a daemon ---- */

typedef struct {
    GPid pid;
    char *sock;
    char *log;
} daemon_t;

static void
daemon_start(daemon_t *d, fixture *f)
{
    d->sock = g_build_filename(f->dir, "s.sock", NULL);
    d->log = g_build_filename(f->dir, "searchd.log", NULL);
    g_autofree char *searchd =
        g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "searchd", "tracuu-searchd", NULL);
    const char *argv[] = {searchd, "--db", f->db, "--socket", d->sock, "--threads", "2", NULL};
    int errfd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_async_with_pipes_and_fds(
        NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, tracuu_test_die_with_parent, NULL, -1, -1,
        errfd, NULL, NULL, 0, &d->pid, NULL, NULL, NULL, &error));
    close(errfd);
    g_assert_no_error(error);
}

static void
daemon_stop(daemon_t *d)
{
    kill(d->pid, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(d->pid, 20), ==, 0);
    g_free(d->sock);
    g_free(d->log);
}

/* The number of documents the daemon says the index holds. */
static gint64
daemon_docs(tracuu_test_client *c)
{
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, "{\"op\":\"stats\"}");
    g_assert_true(json_object_get_boolean_member_with_default(o, "ok", FALSE));
    return tracuu_test_int_member(o, "docs");
}

/* @n JSON lines, ids "j00000"..., each with its own words. */
static char *
write_jsonl(fixture *f, guint n)
{
    g_autofree char *name = g_strdup_printf("import-%u.jsonl", n);
    char *path = g_build_filename(f->dir, name, NULL);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        g_string_append_printf(s, "{\"id\":\"j%05u\",\"text\":\"Quyết định số %u/QĐ-UBND", i, i);
        for (guint w = 0; w < 40; w++)
            g_string_append_printf(s, " từ%u", (i * 31 + w * 7) % 5000);
        g_string_append(s, "\"}\n");
    }
    g_assert_true(g_file_set_contents(path, s->str, (gssize)s->len, NULL));
    g_string_free(s, TRUE);
    return path;
}

/*
 * A backup taken while an indexer imports thousands of documents in small commits and a daemon
 * answers: the copy holds exactly the documents of one revision of the source (a prefix of the
 * import, each document equal to the source's), is sound, and restored under the running
 * daemon, which then answers from it; the next run reads again what changed since the backup.
 */
static void
test_backup_under_load_and_restore(fixture *f, gconstpointer data)
{
    index_docs(f);
    const guint n = 20000;
    g_autofree char *jsonl = write_jsonl(f, n);
    daemon_t d = {0};
    daemon_start(&d, f);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_wait_unix(d.sock);
    g_assert_cmpint(daemon_docs(c), ==, 13);

    /* The import, in the background, committing every 50 documents. */
    g_autofree char *indexer_path = g_strdup(tracuu_test_indexer_path());
    const char *argv[] = {indexer_path, "--db", f->db, "--from-jsonl", jsonl, "--batch", "50",
                          "-q", NULL};
    GPid pid = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                tracuu_test_die_with_parent, NULL, &pid, &error));
    g_assert_no_error(error);
    /* Wait until the import has committed some, then back up while it goes on. */
    tracuu_store *rd = NULL;
    g_assert_cmpint(tracuu_store_open(f->db, TRACUU_STORE_READ, &rd, NULL), ==, TRACUU_STORE_OK);
    gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    while (tracuu_store_get_doc_count(rd) < 13 + 200 && g_get_monotonic_time() < end) {
        g_usleep(10000);
        tracuu_store_reopen(rd);
    }
    tracuu_store_free(rd);
    g_autofree char *bk = g_build_filename(f->dir, "backup", NULL);
    const char *backup[] = {"--db", f->db, "--backup", bk, NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(indexer(backup, &out, NULL), ==, 0);
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, ": sound ("));
    /* The daemon answered all along, and the import is still under way or just done. */
    gint64 during = daemon_docs(c);
    g_assert_cmpint(during, >=, 13 + 200);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 120), ==, 0);
    g_assert_cmpint(daemon_docs(c), ==, 13 + n);

    /* The backup is one revision of the source: the source's first documents, each equal. */
    guint64 rev_backup = backup_field(bk, "revision");
    guint64 n_backup = backup_field(bk, "documents");
    g_autoptr(GHashTable) src = documents_of(f->db, NULL);
    g_autoptr(GHashTable) copy = documents_of(bk, NULL);
    g_test_message("backup at revision %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
                   " documents of %u",
                   rev_backup, n_backup, 13 + n);
    g_assert_cmpuint(g_hash_table_size(copy), ==, n_backup);
    g_assert_cmpuint(n_backup, >=, 13 + 200);
    g_assert_cmpuint(n_backup, <, 13 + n); /* taken under load, not after it */
    for (guint32 id = 1; id <= n_backup; id++) {
        const char *a = g_hash_table_lookup(copy, GUINT_TO_POINTER(id));
        const char *b = g_hash_table_lookup(src, GUINT_TO_POINTER(id));
        g_assert_nonnull(a);
        g_assert_nonnull(b);
        g_assert_cmpstr(a, ==, b);
    }
    /* A second backup to the same place is refused and leaves the first alone. */
    g_autofree char *err = NULL;
    g_assert_cmpint(indexer(backup, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "already exists"));
    g_assert_cmpuint(backup_field(bk, "documents"), ==, n_backup);
    g_autofree char *bk_marker = g_build_filename(bk, "tracuu-compact-leftover", NULL);
    g_assert_false(g_file_test(bk_marker, G_FILE_TEST_EXISTS));

    /* Files changed since the backup: one added, one removed. */
    write_docs(f->docs, 11, 11);
    g_autofree char *gone = g_build_filename(f->docs, "qd-001.txt", NULL);
    index_docs(f);

    /* Restore under the running daemon: its next request answers from the backup. */
    const char *restore[] = {"--db", f->db, "--restore", bk, NULL};
    g_free(out);
    out = NULL;
    g_assert_cmpint(indexer(restore, &out, NULL), ==, 0);
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, "restored: "));
    g_assert_cmpint(daemon_docs(c), ==, (gint64)n_backup);
    g_autoptr(GHashTable) restored = documents_of(f->db, NULL);
    g_assert_cmpuint(g_hash_table_size(restored), ==, n_backup);
    for (guint32 id = 1; id <= n_backup; id++)
        g_assert_cmpstr(g_hash_table_lookup(restored, GUINT_TO_POINTER(id)), ==,
                        g_hash_table_lookup(copy, GUINT_TO_POINTER(id)));
    g_assert_true(g_file_test(bk, G_FILE_TEST_IS_DIR)); /* the backup stays */
    g_assert_cmpint(check(f->db, NULL), ==, 0);

    /* The file states came back with the documents: the next run reads the file added since
     * the backup, and only it. */
    g_assert_cmpint(g_unlink(gone), ==, 0);
    const char *run[] = {"--db", f->db, "--json", f->docs, NULL};
    g_autofree char *json = NULL;
    g_assert_cmpint(indexer(run, &json, NULL), ==, 0);
    g_autoptr(JsonObject) o = tracuu_test_parse_object(json);
    g_assert_cmpint(tracuu_test_int_member(o, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(o, "removed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(o, "unchanged"), ==, 10);
    g_assert_cmpint(check(f->db, NULL), ==, 0);
    g_assert_cmpint(daemon_docs(c), ==, (gint64)n_backup);
    daemon_stop(&d);
}

/* Puts a backup's hold for @pid on the index @db; returns its path (caller g_free()s). */
static char *
hold_index(const char *db, GPid pid)
{
    g_autofree char *name = g_strdup_printf("tracuu-backup-hold.%d", (int)pid);
    char *path = g_build_filename(db, name, NULL);
    g_assert_true(g_file_set_contents(path, "", 0, NULL));
    return path;
}

/* Starts an import of @jsonl into @db committing every 10 documents, its JSON summary on the
 * pipe *@out_fd; returns its pid. */
static GPid
import_async(const char *db, const char *jsonl, int *out_fd)
{
    const char *argv[] = {tracuu_test_indexer_path(), "--db", db, "--from-jsonl", jsonl,
                          "--batch", "10", "--json", NULL};
    GPid pid = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           tracuu_test_die_with_parent, NULL, &pid, NULL, out_fd,
                                           NULL, &error));
    g_assert_no_error(error);
    return pid;
}

/* The JSON object an import started by import_async() printed on @fd, once it has ended. */
static JsonObject *
import_summary(int fd)
{
    g_autoptr(GIOChannel) ch = g_io_channel_unix_new(fd);
    g_io_channel_set_close_on_unref(ch, TRUE);
    g_autofree char *text = NULL;
    g_assert_cmpint(g_io_channel_read_to_end(ch, &text, NULL, NULL), ==, G_IO_STATUS_NORMAL);
    return tracuu_test_parse_object(text);
}

static guint64
doc_count(const char *db)
{
    tracuu_store *rd = NULL;
    g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_READ, &rd, NULL), ==, TRACUU_STORE_OK);
    guint64 n = tracuu_store_get_doc_count(rd);
    tracuu_store_free(rd);
    return n;
}

/*
 * The hold a backup takes when a writer commits too often for its copy: while a live process
 * holds the index, an indexer's commits wait (nothing of its import shows) and go on when the
 * hold goes; SIGTERM stops the waiting and keeps what was done; the hold of a process that is
 * gone holds nothing and is removed. A backup whose first copy was spoilt by the writer holds
 * the index for the next and leaves no hold behind.
 */
static void
test_backup_hold(fixture *f, gconstpointer data)
{
    index_docs(f);
    g_assert_cmpuint(doc_count(f->db), ==, 13);

    /* Stale: the hold of a process that has ended. */
    GPid gone = 0;
    const char *true_argv[] = {"/bin/true", NULL};
    g_assert_true(g_spawn_async(NULL, (char **)true_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &gone, NULL));
    g_assert_cmpint(tracuu_test_wait_exit(gone, 20), ==, 0);
    g_autofree char *stale = hold_index(f->db, gone);
    g_autofree char *j100 = write_jsonl(f, 100);
    int fd = -1;
    GPid pid = import_async(f->db, j100, &fd);
    g_assert_cmpint(tracuu_test_wait_exit(pid, 60), ==, 0);
    g_autoptr(JsonObject) o1 = import_summary(fd);
    g_assert_cmpfloat(json_object_get_double_member(o1, "backup_wait"), <, 1.0);
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(doc_count(f->db), ==, 13 + 100);

    /* Live: this test's own hold. The import's first commit waits. */
    g_autofree char *hold = hold_index(f->db, getpid());
    g_autofree char *j300 = write_jsonl(f, 300);
    gint64 spawned = g_get_monotonic_time();
    pid = import_async(f->db, j300, &fd);
    for (guint i = 0; i < 15; i++) {
        g_usleep(100000);
        g_assert_cmpuint(doc_count(f->db), ==, 13 + 100);
    }
    g_assert_cmpint(g_unlink(hold), ==, 0);
    double held = (g_get_monotonic_time() - spawned) / 1e6;
    g_assert_cmpint(tracuu_test_wait_exit(pid, 60), ==, 0);
    g_autoptr(JsonObject) o2 = import_summary(fd);
    /* The wait starts at the first commit, after the indexer's start-up and first batch,
     * which a loaded machine or a sanitizer build can make last a good part of the hold: so
     * the wait is reported, and no longer than the hold, rather than a fixed 1.4 s. */
    double waited = json_object_get_double_member(o2, "backup_wait");
    g_test_message("held %.2f s, the import waited %.2f s", held, waited);
    g_assert_cmpfloat(waited, >, 0.1);
    g_assert_cmpfloat(waited, <=, held + 1.0);
    g_assert_cmpuint(doc_count(f->db), ==, 13 + 300);

    /* SIGTERM while a commit waits: it stops waiting, and what was read is kept. */
    g_free(hold);
    hold = hold_index(f->db, getpid());
    g_autofree char *j400 = write_jsonl(f, 400);
    pid = import_async(f->db, j400, &fd);
    g_usleep(1000000);
    g_assert_cmpuint(doc_count(f->db), ==, 13 + 300);
    kill(pid, SIGTERM);
    int st = tracuu_test_wait_exit(pid, 20);
    g_autoptr(JsonObject) o3 = import_summary(fd);
    g_assert_cmpint(st, ==, tracuu_test_int_member(o3, "exit_status"));
    g_assert_true(json_object_get_boolean_member_with_default(o3, "interrupted", FALSE));
    g_assert_cmpuint(doc_count(f->db), >, 13 + 300);
    g_assert_cmpint(g_unlink(hold), ==, 0);

    /* A backup whose first copy meets DatabaseModifiedError (injected) holds the index for the
     * next, and lets go of it. */
    g_autofree char *bk = g_build_filename(f->dir, "backup", NULL);
    const char *backup[] = {"--db", f->db, "--backup", bk, NULL};
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "TRACUU_COMPACT_FAULT", "modified",
                                         TRUE);
    g_autofree char *out = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(backup, env, NULL, &out, NULL), ==, 0);
    g_assert_nonnull(strstr(out, "a writer committing often was held"));
    g_assert_cmpuint(backup_field(bk, "documents"), ==, doc_count(f->db));
    g_autoptr(GDir) dir = g_dir_open(f->db, 0, NULL);
    g_assert_nonnull(dir);
    for (const char *name; (name = g_dir_read_name(dir)) != NULL;)
        g_assert_false(g_str_has_prefix(name, "tracuu-backup-hold."));
}

/* Restore takes the index's write lock: refused while an indexer writes, index untouched. */
static void
test_restore_locked(fixture *f, gconstpointer data)
{
    index_docs(f);
    g_autofree char *bk = g_build_filename(f->dir, "backup", NULL);
    const char *backup[] = {"--db", f->db, "--backup", bk, NULL};
    g_assert_cmpint(indexer(backup, NULL, NULL), ==, 0);
    tracuu_store *w = NULL;
    g_assert_cmpint(tracuu_store_open(f->db, TRACUU_STORE_WRITE, &w, NULL), ==, TRACUU_STORE_OK);
    const char *restore[] = {"--db", f->db, "--restore", bk, NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(indexer(restore, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "locked"));
    g_assert_nonnull(strstr(err, "the index is as it was"));
    tracuu_store_free(w);
    g_autofree char *aside = g_strconcat(f->db, ".restoring", NULL);
    g_assert_false(g_file_test(aside, G_FILE_TEST_EXISTS));
    /* A damaged backup is refused before anything is touched. */
    g_autofree char *cut = g_build_filename(bk, "postlist.glass", NULL);
    g_assert_cmpint(truncate(cut, 100), ==, 0);
    g_free(err);
    err = NULL;
    g_assert_cmpint(indexer(restore, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "not sound"));
    g_assert_cmpint(check(f->db, NULL), ==, 0);

    /* An index that is gone (a lost disk) is restored too, from a sound backup. */
    g_autofree char *bk2 = g_build_filename(f->dir, "backup2", NULL);
    const char *backup2[] = {"--db", f->db, "--backup", bk2, NULL};
    g_assert_cmpint(indexer(backup2, NULL, NULL), ==, 0);
    g_assert_true(tracuu_test_rm_rf(f->db));
    const char *restore2[] = {"--db", f->db, "--restore", bk2, NULL};
    g_assert_cmpint(indexer(restore2, NULL, NULL), ==, 0);
    g_autofree char *marker = g_build_filename(f->db, "tracuu-compact-leftover", NULL);
    g_assert_false(g_file_test(marker, G_FILE_TEST_EXISTS));
    g_autofree char *out = NULL;
    g_assert_cmpint(check(f->db, &out), ==, 0);
    g_assert_nonnull(strstr(out, "sound (13 documents, 11 file states"));
    /* The next run finds every file as the backup left it. */
    const char *run[] = {"--db", f->db, "--json", f->docs, NULL};
    g_autofree char *json = NULL;
    g_assert_cmpint(indexer(run, &json, NULL), ==, 0);
    g_autoptr(JsonObject) o = tracuu_test_parse_object(json);
    g_assert_cmpint(tracuu_test_int_member(o, "unchanged"), ==, 11);
}

/* ---- a full disk ---- */

/* Mounts a tmpfs of @mib MiB on @dir; FALSE (with the reason as a skip) when not allowed. */
static gboolean
mount_small(const char *dir, unsigned mib)
{
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_autofree char *opts = g_strdup_printf("size=%um", mib);
    if (mount("tmpfs", dir, "tmpfs", 0, opts) != 0) {
        g_autofree char *why =
            g_strdup_printf("cannot mount a small tmpfs to fill (%s): needs root in a "
                            "container that allows mount",
                            g_strerror(errno));
        g_test_skip(why);
        return FALSE;
    }
    return TRUE;
}

static void
test_disk_full(fixture *f, gconstpointer data)
{
    g_autofree char *mnt = g_build_filename(f->dir, "small", NULL);
    if (!mount_small(mnt, 1))
        return;
    const guint n = 3000;
    g_autofree char *jsonl = write_jsonl(f, n);
    g_autofree char *db = g_build_filename(mnt, "db", NULL);
    const char *run[] = {"--db", db, "--from-jsonl", jsonl, "--batch", "100", "-q", NULL};
    g_autofree char *err = NULL;
    g_assert_cmpint(indexer(run, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "disk full: "));
    g_assert_nonnull(strstr(err, "the index is as it was at the last commit; run again when "
                                 "there is room"));
    /* What was committed is whole. */
    g_assert_cmpint(check(db, NULL), ==, 0);
    guint64 kept = 0;
    g_autoptr(GHashTable) some = documents_of(db, &kept);
    g_assert_cmpuint(g_hash_table_size(some), <, n);

    /* Room again: the next run finishes the work, every document there once. */
    g_assert_cmpint(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, "size=64m"), ==, 0);
    g_assert_cmpint(indexer(run, NULL, NULL), ==, 0);
    g_autoptr(GHashTable) all = documents_of(db, NULL);
    g_assert_cmpuint(g_hash_table_size(all), ==, n);
    g_assert_cmpint(check(db, NULL), ==, 0);

    /* No room for a compacted copy: refused before anything is written. */
    struct statvfs vfs;
    g_assert_cmpint(statvfs(mnt, &vfs), ==, 0);
    guint64 used = (guint64)(vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize;
    guint64 index_size = 0;
    const char *tables[] = {"postlist.glass", "termlist.glass", "position.glass",
                            "docdata.glass"};
    for (gsize i = 0; i < G_N_ELEMENTS(tables); i++) {
        g_autofree char *p = g_build_filename(db, tables[i], NULL);
        struct stat st;
        if (stat(p, &st) == 0)
            index_size += (guint64)st.st_size;
    }
    /* Free: half the index's size. */
    g_autofree char *size = g_strdup_printf("size=%" G_GUINT64_FORMAT "k",
                                            (used + index_size / 2) / 1024 + 1);
    g_assert_cmpint(mount("tmpfs", mnt, "tmpfs", MS_REMOUNT, size), ==, 0);
    const char *compact[] = {"--db", db, "--compact", NULL};
    g_free(err);
    err = NULL;
    g_assert_cmpint(indexer(compact, NULL, &err), ==, 3);
    g_assert_nonnull(strstr(err, "not enough room to compact"));
    g_autofree char *tmp = g_strconcat(db, ".compacting", NULL);
    g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
    g_assert_cmpint(check(db, NULL), ==, 0);
    g_assert_cmpint(umount2(mnt, MNT_DETACH), ==, 0);
}

/* The same with the store's fault hook, where no tmpfs can be mounted: the 451st document
 * meets a full disk. */
static void
test_disk_full_fault(fixture *f, gconstpointer data)
{
    const guint n = 1000;
    g_autofree char *jsonl = write_jsonl(f, n);
    const char *run[] = {"--db", f->db, "--from-jsonl", jsonl, "--batch", "100", "-q", NULL};
    char **env = g_environ_setenv(g_get_environ(), "TRACUU_STORE_FAULT", "enospc-after:450", TRUE);
    g_autofree char *err = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(run, env, NULL, NULL, &err), ==, 3);
    g_strfreev(env);
    g_assert_nonnull(strstr(err, "disk full: "));
    g_assert_nonnull(strstr(err, "No space left on device"));
    g_assert_nonnull(strstr(err, "the index is as it was at the last commit; run again when "
                                 "there is room"));
    g_assert_cmpint(check(f->db, NULL), ==, 0);
    g_autoptr(GHashTable) some = documents_of(f->db, NULL);
    /* Whole batches of 100 (or what the 5-second commit took), never the failed one's. */
    g_test_message("%u documents kept", g_hash_table_size(some));
    g_assert_cmpuint(g_hash_table_size(some), >, 0);
    g_assert_cmpuint(g_hash_table_size(some), <=, 450);
    g_assert_cmpint(indexer(run, NULL, NULL), ==, 0);
    g_autoptr(GHashTable) all = documents_of(f->db, NULL);
    g_assert_cmpuint(g_hash_table_size(all), ==, n);
    g_assert_cmpint(check(f->db, NULL), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/care/check/sound", test_check_sound);
    ADD("/care/check/damaged-table", test_check_damaged_table);
    ADD("/care/check/tracuu", test_check_tracuu);
    ADD("/care/check/usage", test_check_usage);
    ADD("/care/tokenizer-changed", test_tokenizer_changed);
    ADD("/care/backup-under-load-and-restore", test_backup_under_load_and_restore);
    ADD("/care/backup-hold", test_backup_hold);
    ADD("/care/restore-locked", test_restore_locked);
    ADD("/care/disk-full", test_disk_full);
    ADD("/care/disk-full-fault", test_disk_full_fault);
    return g_test_run();
}
