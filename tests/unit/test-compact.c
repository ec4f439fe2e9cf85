/* test-compact.c - compacting an index in place: what it keeps, and what a failure leaves. */

#include "tracuu-test.h"
#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracuu-store-compact.h"
#include "tracuu-store.h"

/* ---- Helpers ---- */

static void
check_ok(tracuu_store *store, tracuu_store_status st)
{
    if (st != TRACUU_STORE_OK)
        g_error("store: %s: %s", tracuu_store_status_name(st), tracuu_store_get_error(store));
}

static tracuu_store *
open_ok(const char *path, tracuu_store_mode mode)
{
    tracuu_store *store = NULL;
    char *error = NULL;
    tracuu_store_status st = tracuu_store_open(path, mode, &store, &error);
    if (st != TRACUU_STORE_OK)
        g_error("open %s: %s: %s", path, tracuu_store_status_name(st), error);
    return store;
}

static const char *const words[] = {"quyết", "định", "nghị", "thông", "tư", "đường",
                                    "bộ",    "sắt",  "ủy",   "ban",   "công", "văn"};

/*
 * Makes an index of @ndocs documents in @commits commits, then deletes every seventh one, so
 * that the document ids have gaps (a renumbering compaction would close them) and the blocks
 * are half full (a compaction has something to save). The metadata is what tracuu-indexer
 * keeps: versions, and a JSON state per file.
 */
static void
make_index(const char *path, guint ndocs, guint commits)
{
    tracuu_store *s = open_ok(path, TRACUU_STORE_CREATE);
    check_ok(s, tracuu_store_set_metadata(s, "tracuu.schema_version", "1", 1));
    check_ok(s, tracuu_store_set_metadata(s, "tracuu.tokenizer_version", "3", 1));
    guint per_commit = MAX(1, ndocs / MAX(commits, 1));
    for (guint i = 1; i <= ndocs; i++) {
        tracuu_store_doc *d = tracuu_store_doc_new();
        g_autofree char *q = g_strdup_printf("Qdoc%u", i);
        tracuu_store_doc_add_term(d, q, strlen(q), 0);
        for (guint p = 1; p <= 30; p++) {
            const char *w = words[(i * 7 + p * 3) % G_N_ELEMENTS(words)];
            tracuu_store_doc_add_posting(d, w, strlen(w), p, 1);
        }
        g_autofree char *data = g_strdup_printf("{\"id\":\"doc%u\",\"text\":\"văn bản %u\"}", i, i);
        tracuu_store_doc_set_data(d, data, strlen(data));
        check_ok(s, tracuu_store_replace(s, q, d, NULL));
        tracuu_store_doc_free(d);
        /* Keys as the indexer makes them, SHA-1s of paths: in no order, so that even one
         * commit leaves half-full blocks. */
        g_autofree char *path = g_strdup_printf("/a/%u.pdf", i);
        g_autofree char *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA1, path, -1);
        g_autofree char *key = g_strconcat("file:", sha, NULL);
        g_autofree char *state = g_strdup_printf("{\"path\":\"/a/%u.pdf\",\"status\":\"ok\"}", i);
        check_ok(s, tracuu_store_set_metadata(s, key, state, strlen(state)));
        if (i % per_commit == 0)
            check_ok(s, tracuu_store_commit(s));
    }
    check_ok(s, tracuu_store_commit(s));
    if (commits > 1) {
        for (guint i = 7; i <= ndocs; i += 7) {
            g_autofree char *q = g_strdup_printf("Qdoc%u", i);
            check_ok(s, tracuu_store_delete(s, q));
        }
        check_ok(s, tracuu_store_commit(s));
    }
    tracuu_store_free(s);
}

static bool
add_meta_line(const char *key, const char *value, size_t len, void *user_data)
{
    g_string_append_printf(user_data, "meta %s=%.*s\n", key, (int)len, value);
    return true;
}

typedef struct {
    tracuu_store *store;
    GString *out;
} term_walk;

static bool
add_doc_line(const char *term, size_t len, uint64_t freq, void *user_data)
{
    term_walk *w = user_data;
    g_autofree char *t = g_strndup(term, len);
    char *data = NULL;
    uint32_t docid = 0;
    check_ok(w->store, tracuu_store_get_data(w->store, t, &data, NULL, &docid));
    g_string_append_printf(w->out, "%s #%u x%" G_GUINT64_FORMAT " %s\n", t, docid, freq, data);
    free(data);
    return true;
}

/*
 * Everything a user of the index sees, as text: the document count, every metadata key and
 * value, every document's id, number and data, and the hits of a phrase search. Equal before
 * and after a compaction; any difference shows in the assertion message.
 */
static char *
snapshot(const char *path)
{
    tracuu_store *s = open_ok(path, TRACUU_STORE_READ);
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "docs %" G_GUINT64_FORMAT "\n", tracuu_store_get_doc_count(s));
    check_ok(s, tracuu_store_list_metadata(s, "", add_meta_line, out));
    term_walk w = {s, out};
    check_ok(s, tracuu_store_list_terms(s, "Q", add_doc_line, &w));
    tracuu_query *subs[2] = {tracuu_query_new_term("đường", strlen("đường"), 1, 1),
                             tracuu_query_new_term("bộ", strlen("bộ"), 1, 2)};
    tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_PHRASE, subs, 2, 0);
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = 50;
    tracuu_results *r = NULL;
    check_ok(s, tracuu_store_search(s, q, &opts, &r));
    g_string_append_printf(out, "phrase total %" G_GUINT64_FORMAT ":", r->total);
    for (size_t i = 0; i < r->n_hits; i++)
        g_string_append_printf(out, " %u", r->hits[i].docid);
    g_string_append_c(out, '\n');
    tracuu_results_free(r);
    tracuu_query_free(q);
    tracuu_store_free(s);
    return g_string_free(out, FALSE);
}

static uint64_t
revision(const char *path)
{
    tracuu_store *s = open_ok(path, TRACUU_STORE_READ);
    uint64_t rev = tracuu_store_get_revision(s);
    tracuu_store_free(s);
    return rev;
}

/* Open files of this process under @dir that were deleted: a reader kept on the old index. */
static guint
deleted_fds_under(const char *dir)
{
    guint n = 0;
    DIR *d = opendir("/proc/self/fd");
    g_assert_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        g_autofree char *link = g_strdup_printf("/proc/self/fd/%s", e->d_name);
        char target[4096];
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        if (g_str_has_prefix(target, dir) && g_str_has_suffix(target, " (deleted)"))
            n++;
    }
    closedir(d);
    return n;
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names in @dir, sorted and joined: to show that nothing was left beside the index. */
static char *
list_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    char *out = g_strjoinv(" ", (char **)names->pdata);
    g_ptr_array_free(names, TRUE);
    return out;
}

typedef struct {
    char *dir; /* the test's folder */
    char *db;  /* the index in it */
} fixture;

static void
fixture_setup(fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    f->dir = g_dir_make_tmp("tracuu-compact-XXXXXX", &error);
    g_assert_no_error(error);
    f->db = g_build_filename(f->dir, "db", NULL);
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
    g_unsetenv("TRACUU_COMPACT_FAULT");
    tracuu_test_rm_rf(f->dir);
    g_free(f->dir);
    g_free(f->db);
}

/* ---- What a compaction keeps ---- */

static void
test_keeps_everything(fixture *f, gconstpointer data)
{
    make_index(f->db, 3000, 12);
    g_autofree char *before = snapshot(f->db);
    uint64_t rev_before = revision(f->db);
    g_assert_cmpuint(rev_before, >, 1);
    struct stat st_before;
    g_assert_cmpint(stat(f->db, &st_before), ==, 0);

    tracuu_store_compact_stats stats;
    char *error = NULL;
    tracuu_store_status st = tracuu_store_compact(f->db, NULL, &stats, &error);
    g_assert_cmpstr(error, ==, NULL);
    g_assert_cmpint(st, ==, TRACUU_STORE_OK);
    g_test_message("%" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " bytes in %.3f s",
                   stats.size_before, stats.size_after, stats.seconds);

    /* The same documents under the same numbers, the same metadata, the same hits. */
    g_autofree char *after = snapshot(f->db);
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpuint(stats.doc_count, ==, 3000 - 3000 / 7);
    g_assert_cmpuint(stats.metadata_keys, ==, 3000 + 2);
    /* Smaller, and really a new folder in place of the old one. */
    g_assert_true(stats.replaced);
    g_assert_cmpuint(stats.size_after, <, stats.size_before);
    g_assert_cmpuint(stats.size_after, >, 0);
    g_assert_cmpfloat(stats.seconds, >, 0);
    struct stat st_after;
    g_assert_cmpint(stat(f->db, &st_after), ==, 0);
    g_assert_cmpuint(st_after.st_ino, !=, st_before.st_ino);
    g_assert_cmpuint(st_after.st_mode, ==, st_before.st_mode);
    g_assert_cmpuint(revision(f->db), !=, rev_before);
    /* Nothing left beside it, nothing of ours in it. */
    g_autofree char *names = list_dir(f->dir);
    g_assert_cmpstr(names, ==, "db");
    g_autofree char *marker = g_build_filename(f->db, "tracuu-compact-leftover", NULL);
    g_assert_false(g_file_test(marker, G_FILE_TEST_EXISTS));

    /* Still an index a writer goes on with: the next document takes the next number. */
    tracuu_store *w = open_ok(f->db, TRACUU_STORE_WRITE);
    tracuu_store_doc *d = tracuu_store_doc_new();
    tracuu_store_doc_add_term(d, "Qnew", 4, 0);
    uint32_t docid = 0;
    check_ok(w, tracuu_store_replace(w, "Qnew", d, &docid));
    tracuu_store_doc_free(d);
    check_ok(w, tracuu_store_commit(w));
    tracuu_store_free(w);
    g_assert_cmpuint(docid, ==, 3001);
}

/* A compacted index, unchanged since: the copy gains nothing, so the index is left alone. */
static void
test_already_compact(fixture *f, gconstpointer data)
{
    make_index(f->db, 1000, 4);
    tracuu_store_compact_stats first, second;
    g_assert_cmpint(tracuu_store_compact(f->db, NULL, &first, NULL), ==, TRACUU_STORE_OK);
    g_assert_true(first.replaced);
    g_autofree char *before = snapshot(f->db);
    uint64_t rev = revision(f->db);
    struct stat st1, st2;
    g_assert_cmpint(stat(f->db, &st1), ==, 0);
    char *error = NULL;
    g_assert_cmpint(tracuu_store_compact(f->db, NULL, &second, &error), ==, TRACUU_STORE_OK);
    g_assert_null(error);
    g_assert_false(second.replaced);
    g_assert_cmpuint(second.size_before, ==, first.size_after);
    g_assert_cmpuint(second.size_after, ==, second.size_before);
    g_assert_cmpint(stat(f->db, &st2), ==, 0);
    g_assert_cmpuint(st2.st_ino, ==, st1.st_ino);
    g_assert_cmpuint(revision(f->db), ==, rev);
    g_autofree char *after = snapshot(f->db);
    g_assert_cmpstr(after, ==, before);
    g_autofree char *names = list_dir(f->dir);
    g_assert_cmpstr(names, ==, "db");
}

static void
progress_count(const char *table, const char *status, void *user_data)
{
    GString *seen = user_data;
    if (status[0] == '\0')
        g_string_append_printf(seen, "%s ", table);
}

static void
test_progress(fixture *f, gconstpointer data)
{
    make_index(f->db, 200, 2);
    g_autoptr(GString) seen = g_string_new(NULL);
    tracuu_store_compact_options opts = {.progress = progress_count, .user_data = seen};
    char *error = NULL;
    g_assert_cmpint(tracuu_store_compact(f->db, &opts, NULL, &error), ==, TRACUU_STORE_OK);
    g_assert_null(error);
    g_test_message("tables: %s", seen->str);
    g_assert_nonnull(strstr(seen->str, "postlist"));
    g_assert_nonnull(strstr(seen->str, "docdata"));
}

/*
 * A reader open across the swap (tracuu-searchd keeps one per worker and calls reopen() before
 * each request) moves to the new files at its next reopen(), and the old ones are then really
 * gone. Xapian numbers a compacted index's revisions from 1, and a reader whose revision is
 * the same does not reopen: so an index at revision 1 (one commit) is the case that needs the
 * empty commit of tracuu_store_compact().
 */
typedef struct {
    const char *name;
    guint commits;
    gboolean change_while_idle; /* a writer commits between the reader's open and the compaction */
} reader_case;

static const reader_case reader_cases[] = {
    {"many commits", 10, FALSE},
    {"one commit (revision 1)", 1, FALSE},
    {"compacted, then changed", 0, FALSE}, /* 0: compacted and changed before the reader opens */
    /* The reader stays at revision 1 while the index goes to 2; a compaction numbered from 1
     * again would look unchanged to it. */
    {"idle at revision 1 while the index changed", 1, TRUE},
};

/* Deletes every third document from the second on, in one commit: enough for a compaction
 * to be worth its swap. */
static void
delete_some(const char *db)
{
    tracuu_store *w = open_ok(db, TRACUU_STORE_WRITE);
    for (guint i = 2; i <= 12000; i += 3) {
        g_autofree char *q = g_strdup_printf("Qdoc%u", i);
        check_ok(w, tracuu_store_delete(w, q));
    }
    check_ok(w, tracuu_store_commit(w));
    tracuu_store_free(w);
}

static void
test_reader_follows(fixture *f, gconstpointer data)
{
    const reader_case *c = data;
    make_index(f->db, 12000, c->commits ? c->commits : 5);
    if (c->commits == 0) {
        g_assert_cmpint(tracuu_store_compact(f->db, NULL, NULL, NULL), ==, TRACUU_STORE_OK);
        delete_some(f->db);
    }
    tracuu_store *reader = open_ok(f->db, TRACUU_STORE_READ);
    uint64_t docs = tracuu_store_get_doc_count(reader);
    uint64_t rev = tracuu_store_get_revision(reader);
    g_assert_cmpuint(deleted_fds_under(f->dir), ==, 0);
    if (c->change_while_idle) {
        delete_some(f->db);
        tracuu_store *now = open_ok(f->db, TRACUU_STORE_READ);
        g_assert_cmpuint(tracuu_store_get_doc_count(now), <, docs);
        docs = tracuu_store_get_doc_count(now);
        tracuu_store_free(now);
    }

    tracuu_store_compact_stats stats;
    g_assert_cmpint(tracuu_store_compact(f->db, NULL, &stats, NULL), ==, TRACUU_STORE_OK);
    g_test_message("%s: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " bytes", c->name,
                   stats.size_before, stats.size_after);
    g_assert_true(stats.replaced); /* else there would be nothing to follow */
    g_assert_cmpuint(stats.doc_count, ==, docs);
    /* Revision numbers go on from the old index's. */
    g_assert_cmpuint(revision(f->db), >, rev);
    /* Before its reopen the reader still reads the old, deleted files, and answers. */
    if (!c->change_while_idle)
        g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, docs);
    check_ok(reader, tracuu_store_reopen(reader));
    g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, docs);
    char *doc = NULL;
    check_ok(reader, tracuu_store_get_data(reader, "Qdoc1", &doc, NULL, NULL));
    g_assert_nonnull(strstr(doc, "doc1"));
    free(doc);
    g_test_message("%s: deleted files still open after reopen: %u", c->name,
                   deleted_fds_under(f->dir));
    g_assert_cmpuint(deleted_fds_under(f->dir), ==, 0);
    tracuu_store_free(reader);
}

/* Through a symbolic link: the link stays, and names the compacted index. */
static void
test_symlink(fixture *f, gconstpointer data)
{
    make_index(f->db, 300, 3);
    g_autofree char *before = snapshot(f->db);
    g_autofree char *link = g_build_filename(f->dir, "link", NULL);
    g_assert_cmpint(symlink("db", link), ==, 0);
    g_assert_cmpint(tracuu_store_compact(link, NULL, NULL, NULL), ==, TRACUU_STORE_OK);
    GStatBuf st;
    g_assert_cmpint(g_lstat(link, &st), ==, 0);
    g_assert_true(S_ISLNK(st.st_mode));
    g_autofree char *after = snapshot(link);
    g_assert_cmpstr(after, ==, before);
    g_autofree char *names = list_dir(f->dir);
    g_assert_cmpstr(names, ==, "db link");
}

/* ---- What a failure leaves: the index as it was, and nothing beside it ---- */

static bool
cancel_now(void *user_data)
{
    return true;
}

/* Cancels once the first table is written (its progress says how much it saved): the copy is
 * then half made. */
static void
note_table_done(const char *table, const char *status, void *user_data)
{
    if (status[0] != '\0')
        *(int *)user_data = 1;
}

static bool
cancel_after_a_table(void *user_data)
{
    return *(int *)user_data != 0;
}

typedef enum {
    SETUP_NONE,
    SETUP_FOREIGN_TMP, /* somebody's folder "db.compacting" */
    SETUP_STALE_TMP,   /* ours, left by a killed compaction */
    SETUP_STALE_ASIDE, /* "db.compacting-old", left between the two renames of a swap */
    SETUP_LOCKED,      /* another writer holds the index */
    SETUP_FSIZE,       /* files may not grow past 32 KiB: writes fail with EFBIG */
} setup_kind;

typedef struct {
    const char *name;
    setup_kind setup;
    const char *fault; /* TRACUU_COMPACT_FAULT */
    int cancel;        /* 1: cancel at once, 2: once the first table is written */
    tracuu_store_status expect;
    const char *message; /* a part of the error message */
    const char *left;    /* what the test folder holds afterwards */
} failure_case;

static const failure_case failure_cases[] = {
    {"foreign folder in the way", SETUP_FOREIGN_TMP, NULL, 0, TRACUU_STORE_IO,
     "was not left by tracuu-indexer", "db db.compacting"},
    {"interrupted at once", SETUP_NONE, NULL, 1, TRACUU_STORE_ERROR, "interrupted", "db"},
    {"interrupted midway", SETUP_NONE, NULL, 2, TRACUU_STORE_ERROR, "interrupted", "db"},
    {"file size limit", SETUP_FSIZE, NULL, 0, TRACUU_STORE_IO, "too large", "db"},
    {"failure before the swap", SETUP_NONE, "before-swap", 0, TRACUU_STORE_IO, "before the swap",
     "db"},
    {"copy differs", SETUP_NONE, "differ", 0, TRACUU_STORE_CORRUPT,
     "changed the metadata key tracuu.schema_version", "db"},
    {"failure between two renames", SETUP_NONE, "mid-swap", 0, TRACUU_STORE_IO,
     "cannot move the compacted copy", "db"},
    {"another writer", SETUP_LOCKED, NULL, 0, TRACUU_STORE_LOCKED, "lock", "db"},
    /* These succeed: what a killed compaction left is cleared first. */
    {"stale leftover", SETUP_STALE_TMP, NULL, 0, TRACUU_STORE_OK, NULL, "db"},
    {"two renames", SETUP_NONE, "no-exchange", 0, TRACUU_STORE_OK, NULL, "db"},
    /* Never removed: it may hold the only copy of an index. */
    {"two renames, an index left aside", SETUP_STALE_ASIDE, "no-exchange", 0, TRACUU_STORE_IO,
     "may hold the index", "db db.compacting-old"},
};

static void
make_leftover(const char *path, gboolean ours)
{
    g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
    g_autofree char *file = g_build_filename(path, ours ? "tracuu-compact-leftover" : "mine", NULL);
    g_assert_true(g_file_set_contents(file, "x", -1, NULL));
    g_autofree char *half = g_build_filename(path, "postlist.glass", NULL);
    g_assert_true(g_file_set_contents(half, "half a table", -1, NULL));
}

static void
test_failure(fixture *f, gconstpointer data)
{
    const failure_case *c = data;
    make_index(f->db, 2000, 8);
    g_autofree char *before = snapshot(f->db);
    uint64_t rev_before = revision(f->db);
    g_autofree char *tmp = g_strconcat(f->db, ".compacting", NULL);
    g_autofree char *aside = g_strconcat(f->db, ".compacting-old", NULL);
    tracuu_store *holder = NULL;
    struct rlimit old_fsize;
    getrlimit(RLIMIT_FSIZE, &old_fsize);
    switch (c->setup) {
    case SETUP_NONE:
        break;
    case SETUP_FOREIGN_TMP:
        make_leftover(tmp, FALSE);
        break;
    case SETUP_STALE_TMP:
        make_leftover(tmp, TRUE);
        break;
    case SETUP_STALE_ASIDE:
        make_leftover(aside, TRUE);
        break;
    case SETUP_LOCKED:
        holder = open_ok(f->db, TRACUU_STORE_WRITE);
        break;
    case SETUP_FSIZE: {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = {32 * 1024, old_fsize.rlim_max};
        g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &small), ==, 0);
        break;
    }
    }
    if (c->fault)
        g_setenv("TRACUU_COMPACT_FAULT", c->fault, TRUE);
    int table_done = 0;
    tracuu_store_compact_options opts = {0};
    if (c->cancel == 1)
        opts.cancelled = cancel_now;
    if (c->cancel == 2) {
        opts.progress = note_table_done;
        opts.cancelled = cancel_after_a_table;
        opts.user_data = &table_done;
    }

    tracuu_store_compact_stats stats = {.size_before = 1};
    char *error = NULL;
    tracuu_store_status st = tracuu_store_compact(f->db, &opts, &stats, &error);

    setrlimit(RLIMIT_FSIZE, &old_fsize);
    g_unsetenv("TRACUU_COMPACT_FAULT");
    tracuu_store_free(holder);
    g_test_message("%s: %s: %s", c->name, tracuu_store_status_name(st), error ? error : "");
    g_assert_cmpint(st, ==, c->expect);
    if (c->message) {
        g_assert_nonnull(error);
        g_assert_nonnull(strstr(error, c->message));
        g_assert_nonnull(strstr(error, f->db));
        g_assert_cmpuint(stats.size_before, ==, 0); /* zeroed on failure */
    } else {
        g_assert_null(error);
    }
    free(error);

    /* The index answers as before; on failure it is the very same revision. */
    g_autofree char *after = snapshot(f->db);
    g_assert_cmpstr(after, ==, before);
    if (c->expect != TRACUU_STORE_OK)
        g_assert_cmpuint(revision(f->db), ==, rev_before);
    g_autofree char *names = list_dir(f->dir);
    g_assert_cmpstr(names, ==, c->left);
    if (c->setup == SETUP_FOREIGN_TMP) {
        g_autofree char *mine = g_build_filename(tmp, "mine", NULL);
        g_assert_true(g_file_test(mine, G_FILE_TEST_EXISTS));
    }
    /* And a writer can open it (no lock left behind). */
    tracuu_store *w = open_ok(f->db, TRACUU_STORE_WRITE);
    tracuu_store_free(w);
}

/* ---- Bad arguments ---- */

typedef struct {
    const char *name;
    const char *path; /* "@FILE", "@EMPTY", "@MISSING" are made in the test folder */
    tracuu_store_status expect;
} arg_case;

static const arg_case arg_cases[] = {
    {"no path", NULL, TRACUU_STORE_INVALID},
    {"empty path", "", TRACUU_STORE_INVALID},
    {"missing", "@MISSING", TRACUU_STORE_NOT_FOUND},
    {"a file", "@FILE", TRACUU_STORE_CORRUPT},
    {"an empty folder", "@EMPTY", TRACUU_STORE_CORRUPT},
    {"the root", "/", TRACUU_STORE_INVALID},
};

static void
test_bad_args(fixture *f, gconstpointer data)
{
    g_autofree char *file = g_build_filename(f->dir, "file", NULL);
    g_assert_true(g_file_set_contents(file, "not an index", -1, NULL));
    g_autofree char *empty = g_build_filename(f->dir, "empty", NULL);
    g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
    g_autofree char *missing = g_build_filename(f->dir, "missing", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(arg_cases); i++) {
        const arg_case *c = &arg_cases[i];
        const char *path = c->path;
        if (path && strcmp(path, "@FILE") == 0)
            path = file;
        else if (path && strcmp(path, "@EMPTY") == 0)
            path = empty;
        else if (path && strcmp(path, "@MISSING") == 0)
            path = missing;
        char *error = NULL;
        tracuu_store_status st = tracuu_store_compact(path, NULL, NULL, &error);
        g_test_message("%s: %s: %s", c->name, tracuu_store_status_name(st), error);
        g_assert_cmpint(st, ==, c->expect);
        g_assert_nonnull(error);
        free(error);
    }
    /* Nothing was made beside them. */
    g_autofree char *names = list_dir(f->dir);
    g_assert_cmpstr(names, ==, "empty file");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn, data) g_test_add(name, fixture, data, fixture_setup, fn, fixture_teardown)
    ADD("/compact/keeps everything", test_keeps_everything, NULL);
    ADD("/compact/progress", test_progress, NULL);
    ADD("/compact/already compact", test_already_compact, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(reader_cases); i++) {
        g_autofree char *name = g_strdup_printf("/compact/reader follows/%s", reader_cases[i].name);
        ADD(name, test_reader_follows, &reader_cases[i]);
    }
    ADD("/compact/through a symlink", test_symlink, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(failure_cases); i++) {
        g_autofree char *name = g_strdup_printf("/compact/failure/%s", failure_cases[i].name);
        ADD(name, test_failure, &failure_cases[i]);
    }
    ADD("/compact/bad arguments", test_bad_args, NULL);
    return g_test_run();
}
