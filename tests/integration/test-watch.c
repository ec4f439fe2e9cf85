/* test-watch.c - tracuu-indexer --watch on a folder and a Maildir, searched through tracuu-searchd. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-client.h"
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"

/*
 * One watcher and one daemon serve the tests in order (each leaves the folder as the next
 * expects): the watcher is started in main() on F.docs, whose first scan makes the index, and
 * the daemon then serves that index. Every wait polls the daemon (or the log) with a deadline.
 */

typedef struct {
    char *tmp, *docs, *db, *sock, *log, *dlog;
    GPid watcher, daemon;
} fixture;

static fixture F;

/* The files of the burst test, which the tests after it still find. */
#define BURST_FILES 3000

/* Starts @argv with stderr into @log (and the extra environment @env, NULL: none). */
static GPid
start(const char *const *argv, const char *log, const char *const *env)
{
    int errfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_assert_cmpint(errfd, >=, 0);
    char **envp = g_get_environ();
    for (gsize i = 0; env != NULL && env[i] != NULL; i += 2)
        envp = g_environ_setenv(envp, env[i], env[i + 1], TRUE);
    g_autoptr(GError) error = NULL;
    GPid pid = 0;
    g_spawn_async_with_pipes_and_fds(NULL, argv, (const char *const *)envp,
                                     G_SPAWN_DO_NOT_REAP_CHILD, tracuu_test_die_with_parent, NULL,
                                     -1, -1, errfd, NULL, NULL, 0, &pid, NULL, NULL, NULL, &error);
    g_assert_no_error(error);
    close(errfd);
    g_strfreev(envp);
    return pid;
}

static char *
read_log(const char *log)
{
    char *text = NULL;
    if (!g_file_get_contents(log, &text, NULL, NULL))
        return g_strdup("");
    return text;
}

/* Waits up to @seconds for @log to hold @needle @count times (at least); FALSE if it does not. */
static gboolean
wait_log(const char *log, const char *needle, guint count, double seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    do {
        g_autofree char *text = read_log(log);
        guint n = 0;
        for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
            n++;
        if (n >= count)
            return TRUE;
        g_usleep(50000);
    } while (g_get_monotonic_time() < end);
    g_autofree char *text = read_log(log);
    g_test_message("log %s without %u of \"%s\":\n%s", log, count, needle, text);
    return FALSE;
}

/* The daemon's answer to a search for @q (its first hit, if any, in *@first). */
static gint64
search_total(const char *sock, const char *q, JsonObject **first)
{
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_fd(tracuu_test_connect_unix(sock));
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "op");
    json_builder_add_string_value(b, "search");
    json_builder_set_member_name(b, "q");
    json_builder_add_string_value(b, q);
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autofree char *req = json_to_string(root, FALSE);
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, req);
    g_assert_true(json_object_get_boolean_member_with_default(o, "ok", FALSE));
    JsonArray *hits = json_object_get_array_member(o, "hits");
    if (first != NULL)
        *first = json_array_get_length(hits) > 0
                     ? json_object_ref(json_array_get_object_element(hits, 0))
                     : NULL;
    return json_object_get_int_member(o, "total");
}

/*
 * Waits up to @seconds until a search for @q has @total hits and, when @path_end is not NULL,
 * its first hit's path ends with it. Returns the first hit (NULL when none), or fails.
 */
static JsonObject *
wait_search(const char *sock, const char *q, gint64 total, const char *path_end, double seconds)
{
    gint64 t0 = g_get_monotonic_time();
    gint64 got = -1;
    for (;;) {
        JsonObject *first = NULL;
        got = search_total(sock, q, &first);
        const char *path =
            first != NULL ? json_object_get_string_member_with_default(first, "path", "") : "";
        if (got == total && (path_end == NULL || g_str_has_suffix(path, path_end))) {
            g_test_message("\"%s\": %" G_GINT64_FORMAT " hits after %.0f ms", q, got,
                           (g_get_monotonic_time() - t0) / 1000.0);
            return first;
        }
        if (first != NULL)
            json_object_unref(first);
        if (g_get_monotonic_time() - t0 > (gint64)(seconds * G_USEC_PER_SEC))
            break;
        g_usleep(100000);
    }
    g_autofree char *log = read_log(F.log);
    g_test_message("watcher log:\n%s", log);
    g_assert_cmpint(got, ==, total);
    g_assert_not_reached(); /* the path did not end as expected */
    return NULL;
}

static guint
count_in(const char *text, const char *needle)
{
    guint n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Writes @text to @path with a plain open, write, close (IN_CREATE, IN_MODIFY, IN_CLOSE_WRITE). */
static void
write_plain(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    g_assert_nonnull(f);
    g_assert_cmpint(fputs(text, f), >=, 0);
    g_assert_cmpint(fclose(f), ==, 0);
}

static char *
in_docs(const char *name)
{
    return g_build_filename(F.docs, name, NULL);
}

static void
test_add_change_rename_remove(void)
{
    g_autofree char *a = in_docs("a.txt");
    g_autofree char *b = in_docs("b.txt");
    write_plain(a, "Công văn về quả kiwiwatch.\n");
    json_object_unref(wait_search(F.sock, "kiwiwatch", 1, "/a.txt", 15));

    write_plain(a, "Công văn về quả mangowatch.\n");
    json_object_unref(wait_search(F.sock, "mangowatch", 1, "/a.txt", 15));
    g_assert_cmpint(search_total(F.sock, "kiwiwatch", NULL), ==, 0);

    g_assert_cmpint(rename(a, b), ==, 0);
    json_object_unref(wait_search(F.sock, "mangowatch", 1, "/b.txt", 15));

    g_assert_cmpint(unlink(b), ==, 0);
    g_assert_null(wait_search(F.sock, "mangowatch", 0, NULL, 15));
}

/* A folder made later is watched, and what landed in it before its watch is found. */
static void
test_new_folder(void)
{
    g_autofree char *dir = in_docs("later/deeper");
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_autofree char *f = in_docs("later/deeper/c.txt");
    write_plain(f, "papayawatch\n");
    json_object_unref(wait_search(F.sock, "papayawatch", 1, "/c.txt", 15));
    /* And the watch of the new folder works for what comes after. */
    g_autofree char *g = in_docs("later/deeper/d.txt");
    write_plain(g, "durianwatch\n");
    json_object_unref(wait_search(F.sock, "durianwatch", 1, "/d.txt", 15));
}

/* new/ -> cur/ with a flag, then another flag: one document, the same id, the new name. */
static void
test_maildir_flags(void)
{
    g_autofree char *msg = in_docs("Mail/new/1700000000.M1P1.host");
    g_autofree char *cur = in_docs("Mail/cur/1700000000.M1P1.host:2,S");
    g_autofree char *cur2 = in_docs("Mail/cur/1700000000.M1P1.host:2,RS");
    g_autofree char *tmp = in_docs("Mail/tmp/1700000000.M1P1.host");
    /* Delivered as a mail program does: written in tmp/, renamed into new/. */
    write_plain(tmp, "From: vanthu@example.vn\nSubject: guavawatch\n"
                     "Date: Thu, 4 Jan 2024 09:00:00 +0700\n\nThư về guavawatch.\n");
    g_assert_cmpint(rename(tmp, msg), ==, 0);
    g_autoptr(JsonObject) h1 = wait_search(F.sock, "guavawatch", 1, "/new/1700000000.M1P1.host", 15);
    g_autofree char *id = g_strdup(json_object_get_string_member(h1, "id"));

    g_assert_cmpint(rename(msg, cur), ==, 0);
    g_autoptr(JsonObject) h2 = wait_search(F.sock, "guavawatch", 1, ":2,S", 15);
    g_assert_cmpstr(json_object_get_string_member(h2, "id"), ==, id);

    g_assert_cmpint(rename(cur, cur2), ==, 0);
    g_autoptr(JsonObject) h3 = wait_search(F.sock, "guavawatch", 1, ":2,RS", 15);
    g_assert_cmpstr(json_object_get_string_member(h3, "id"), ==, id);
}

/* A file written and held open (IN_MODIFY, no close) is taken once it stops changing. */
static void
test_held_open(void)
{
    g_autofree char *path = in_docs("held.txt");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    const char *text = "lycheewatch ghi dở\n";
    g_assert_cmpint(write(fd, text, strlen(text)), ==, (gssize)strlen(text));
    json_object_unref(wait_search(F.sock, "lycheewatch", 1, "/held.txt", 20));
    close(fd);
}

/*
 * A large file written slowly in chunks (pauses shorter than the settle time), over longer
 * than a batch is ever held back (5 s), is not indexed half-written: it is not found while
 * open, and once closed all of it is found.
 */
static void
test_slow_large_write(void)
{
    g_autofree char *path = in_docs("slow.txt");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    g_autoptr(GString) chunk = g_string_new(NULL);
    while (chunk->len < 128 * 1024)
        g_string_append(chunk, "Điều khoản thi hành của văn bản, ghi từng phần một.\n");
    gint64 found_open = 0;
    for (int i = 0; i < 20; i++) {
        g_autofree char *head = g_strdup_printf("phần %d: %s\n", i, i == 0 ? "headslowwatch" : "");
        g_assert_cmpint(write(fd, head, strlen(head)), ==, (gssize)strlen(head));
        g_assert_cmpint(write(fd, chunk->str, chunk->len), ==, (gssize)chunk->len);
        g_usleep(400000);
        found_open = MAX(found_open, search_total(F.sock, "headslowwatch", NULL));
    }
    const char *tail = "tailslowwatch\n";
    g_assert_cmpint(write(fd, tail, strlen(tail)), ==, (gssize)strlen(tail));
    g_assert_cmpint(close(fd), ==, 0);
    g_assert_cmpint(found_open, ==, 0);
    json_object_unref(wait_search(F.sock, "tailslowwatch", 1, "/slow.txt", 20));
    g_assert_cmpint(search_total(F.sock, "headslowwatch", NULL), ==, 1);
}

/* A manual run gets the lock between batches: watch mode holds it only during one. */
static void
test_manual_run_between(void)
{
    const char *args[] = {"--db", F.db, "-q", "-j", "1", F.docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int st = -1;
    /* Tried a few times: a batch may be running at the moment (its rescan of a test before). */
    for (int i = 0; i < 10 && st != 0; i++) {
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        st = tracuu_test_run_indexer(args, NULL, NULL, &out, &err);
        if (st != 0)
            g_usleep(300000);
    }
    g_assert_cmpint(st, ==, 0);
}

/* The commits the batches logged after offset @from of the log. */
static guint
commits_since(gsize from, guint *batches)
{
    g_autofree char *text = read_log(F.log);
    guint commits = 0;
    *batches = 0;
    g_auto(GStrv) lines = g_strsplit(text + MIN(from, strlen(text)), "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *c = strstr(lines[i], " commits in ");
        if (c == NULL)
            continue;
        const char *p = c;
        while (p > lines[i] && g_ascii_isdigit(p[-1]))
            p--;
        commits += (guint)g_ascii_strtoull(p, NULL, 10);
        (*batches)++;
    }
    return commits;
}

/* BURST_FILES files at once: all indexed, in a few batches, each one run and one commit. The
 * batches are counted from the watcher's log ("batch of N changed paths ... C commits"). */
static void
test_burst(void)
{
    g_autofree char *before = read_log(F.log);
    gsize from = strlen(before);
    g_autofree char *dir = in_docs("burst");
    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    for (int i = 0; i < BURST_FILES; i++) {
        g_autofree char *name = g_strdup_printf("burst/f%04d.txt", i);
        g_autofree char *path = in_docs(name);
        g_autofree char *text = g_strdup_printf("burstwatch tệp số w%04dx\n", i);
        write_plain(path, text);
    }
    g_autoptr(JsonObject) h = wait_search(F.sock, "burstwatch", BURST_FILES, NULL, 180);
    g_assert_cmpint(search_total(F.sock, "w0000x", NULL), ==, 1);
    g_assert_cmpint(search_total(F.sock, "w2999x", NULL), ==, 1);
    guint batches = 0;
    guint commits = commits_since(from, &batches);
    g_test_message("%d files: %u batches, %u commits", BURST_FILES, batches, commits);
    g_assert_cmpuint(batches, >=, 1);
    /* The writer commits once per run with a large --batch (and every 5 s of a long run). */
    g_assert_cmpuint(batches, <=, 8);
    g_assert_cmpuint(commits, <=, 16);
}

/* More events than TRACUU_WATCH_QUEUE_LIMIT are an overflow: a rescan finds them all. */
static void
test_overflow(void)
{
    g_autofree char *docs = g_build_filename(F.tmp, "ovf", NULL);
    g_autofree char *db = g_build_filename(F.tmp, "ovf-db", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "ovf.log", NULL);
    g_autofree char *sock = g_build_filename(F.tmp, "ovf.sock", NULL);
    g_autofree char *dlog = g_build_filename(F.tmp, "ovf-searchd.log", NULL);
    g_assert_cmpint(g_mkdir_with_parents(docs, 0755), ==, 0);
    const char *argv[] = {tracuu_test_indexer_path(), "--db", db, "--watch", "-j", "1", docs, NULL};
    const char *env[] = {"TRACUU_WATCH_QUEUE_LIMIT", "20", NULL};
    GPid w = start(argv, log, env);
    g_assert_true(wait_log(log, "scan of the roots", 1, 60));
    for (int i = 0; i < 100; i++) {
        g_autofree char *path = g_strdup_printf("%s/o%03d.txt", docs, i);
        g_autofree char *text = g_strdup_printf("overflowwatch %d\n", i);
        write_plain(path, text);
    }
    g_assert_true(wait_log(log, "TRACUU_WATCH_QUEUE_LIMIT: rescanning", 1, 30));
    g_assert_true(wait_log(log, "scan of the roots", 2, 60));
    g_autofree char *searchd = g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "searchd",
                                                "tracuu-searchd", NULL);
    const char *dargv[] = {searchd, "--db", db, "--socket", sock, NULL};
    GPid d = start(dargv, dlog, NULL);
    tracuu_test_client_free(tracuu_test_client_wait_unix(sock));
    g_autoptr(JsonObject) h = NULL;
    gint64 total = 0;
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while ((total = search_total(sock, "overflowwatch", NULL)) != 100 &&
           g_get_monotonic_time() < end)
        g_usleep(100000);
    g_assert_cmpint(total, ==, 100);
    kill(d, SIGTERM);
    kill(w, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(d, 10), ==, 0);
    g_assert_cmpint(tracuu_test_wait_exit(w, 10), ==, 0);
}

/* The changed paths the batches logged ("batch of N changed paths") in @log after @from. */
static guint
changed_paths_since(const char *log, gsize from)
{
    g_autofree char *text = read_log(log);
    guint n = 0;
    const char *needle = "batch of ";
    for (const char *p = text + MIN(from, strlen(text)); (p = strstr(p, needle)) != NULL;
         p += strlen(needle))
        n += (guint)g_ascii_strtoull(p + strlen(needle), NULL, 10);
    return n;
}

/*
 * With --follow-symlinks a linked folder is watched as the walk enters it, a link back to the
 * root does not loop; the index and its OCR cache inside the root never wake the watcher.
 */
static void
test_symlinks_and_own_files(void)
{
    g_autofree char *docs = g_build_filename(F.tmp, "lnk", NULL);
    g_autofree char *outside = g_build_filename(F.tmp, "lnk-target", NULL);
    g_autofree char *db = g_build_filename(docs, "idx", NULL);
    g_autofree char *cache = g_build_filename(docs, "idx.ocr-cache", NULL);
    g_autofree char *log = g_build_filename(F.tmp, "lnk.log", NULL);
    g_autofree char *sock = g_build_filename(F.tmp, "lnk.sock", NULL);
    g_autofree char *dlog = g_build_filename(F.tmp, "lnk-searchd.log", NULL);
    g_autofree char *sub = g_build_filename(outside, "sub", NULL);
    g_assert_cmpint(g_mkdir_with_parents(docs, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
    g_autofree char *link = g_build_filename(docs, "linked", NULL);
    g_autofree char *loop = g_build_filename(docs, "loop", NULL);
    g_assert_cmpint(symlink(outside, link), ==, 0);
    g_assert_cmpint(symlink(docs, loop), ==, 0);
    tracuu_test_write_file(docs, "first.txt", "firstlinkwatch\n", -1);
    const char *argv[] = {tracuu_test_indexer_path(), "--db", db, "--watch", "-j", "1",
                          "--follow-symlinks", docs, NULL};
    GPid w = start(argv, log, NULL);
    g_assert_true(wait_log(log, "scan of the roots", 1, 60));
    g_autofree char *searchd = g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "searchd",
                                                "tracuu-searchd", NULL);
    const char *dargv[] = {searchd, "--db", db, "--socket", sock, NULL};
    GPid d = start(dargv, dlog, NULL);
    tracuu_test_client_free(tracuu_test_client_wait_unix(sock));

    /* A file in a folder below the link, made after the watcher started. */
    g_autofree char *f = g_build_filename(sub, "s.txt", NULL);
    write_plain(f, "Tệp sau liên kết: starfruitwatch.\n");
    gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    gint64 total = 0;
    while ((total = search_total(sock, "starfruitwatch", NULL)) != 1 &&
           g_get_monotonic_time() < end)
        g_usleep(100000);
    if (total != 1) {
        g_autofree char *text = read_log(log);
        g_test_message("watcher log:\n%s", text);
    }
    g_assert_cmpint(total, ==, 1);

    /* Tracuu's own writes (an OCR cache entry, the index) are no change: only t.txt is. */
    g_autofree char *before = read_log(log);
    gsize from = strlen(before);
    g_assert_cmpint(g_mkdir_with_parents(cache, 0755), ==, 0);
    /* Written in place (no temporary name renamed, which would be a second changed path). */
    g_autofree char *entry = g_build_filename(cache, "entry.txt", NULL);
    g_autofree char *t = g_build_filename(docs, "t.txt", NULL);
    write_plain(entry, "cachewatch\n");
    write_plain(t, "tamarindwatch\n");
    end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while ((total = search_total(sock, "tamarindwatch", NULL)) != 1 &&
           g_get_monotonic_time() < end)
        g_usleep(100000);
    g_assert_cmpint(total, ==, 1);
    g_assert_true(wait_log(log, "batch of ", 1, 10));
    g_assert_cmpuint(changed_paths_since(log, from), ==, 1);
    g_assert_cmpint(search_total(sock, "cachewatch", NULL), ==, 0);

    kill(d, SIGTERM);
    kill(w, SIGTERM);
    g_assert_cmpint(tracuu_test_wait_exit(d, 10), ==, 0);
    g_assert_cmpint(tracuu_test_wait_exit(w, 10), ==, 0);
}

/* inotify's limit of watches stops the watcher with the sysctl to raise (a test's stand-in). */
static void
test_watch_limit(void)
{
    g_autofree char *docs = g_build_filename(F.tmp, "limit", NULL);
    g_autofree char *db = g_build_filename(F.tmp, "limit-db", NULL);
    g_autofree char *sub = g_build_filename(docs, "a", "b", NULL);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
    const char *args[] = {"--db", db, "--watch", docs, NULL};
    char **env = g_environ_setenv(g_get_environ(), "TRACUU_WATCH_MAX_WATCHES", "2", TRUE);
    g_autofree char *err = NULL;
    int st = tracuu_test_run_indexer(args, env, NULL, NULL, &err);
    g_strfreev(env);
    g_assert_cmpint(st, ==, 3);
    g_assert_nonnull(strstr(err, "fs.inotify.max_user_watches"));
}

/* SIGHUP reads the configuration again and rescans. */
static void
test_sighup(void)
{
    g_autofree char *before = read_log(F.log);
    guint scans = count_in(before, "scan of the roots");
    kill(F.watcher, SIGHUP);
    g_assert_true(wait_log(F.log, "configuration read again (SIGHUP)", 1, 10));
    g_assert_true(wait_log(F.log, "scan of the roots", scans + 1, 30));
}

/* The total and first id of a search for @q straight on the index @db (the tracuu client). */
static gint64
client_search(const char *db, const char *q, char **id)
{
    g_autofree char *client = g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "client", "tracuu",
                                               NULL);
    const char *argv[] = {client, "--db", db, "--json", "search", q, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = -1;
    g_autoptr(GError) error = NULL;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                 &error);
    g_assert_no_error(error);
    g_autoptr(JsonObject) o = tracuu_test_parse_object(out);
    JsonArray *hits = json_object_get_array_member(o, "hits");
    *id = json_array_get_length(hits) > 0
              ? g_strdup(json_object_get_string_member(json_array_get_object_element(hits, 0),
                                                       "id"))
              : NULL;
    return json_object_get_int_member(o, "total");
}

/* Ordinary runs too: a message moved from new/ to cur/ with a flag keeps its id. */
static void
test_maildir_identity_plain_runs(void)
{
    g_autofree char *docs = g_build_filename(F.tmp, "plain", NULL);
    g_autofree char *db = g_build_filename(F.tmp, "plain-db", NULL);
    for (int i = 0; i < 2; i++) {
        g_autofree char *d = g_build_filename(docs, i == 0 ? "Mail/tmp" : "Mail/cur", NULL);
        g_assert_cmpint(g_mkdir_with_parents(d, 0755), ==, 0);
    }
    tracuu_test_write_file(docs, "Mail/new/1700000001.M2P2.host",
                           "From: a@example.vn\nSubject: plumwatch\n\nplumwatch\n", -1);
    const char *args[] = {"--db", db, "-q", "-j", "1", docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, NULL, NULL), ==, 0);
    g_autofree char *id1 = NULL, *id2 = NULL;
    g_assert_cmpint(client_search(db, "plumwatch", &id1), ==, 1);
    g_autofree char *from = g_build_filename(docs, "Mail/new/1700000001.M2P2.host", NULL);
    g_autofree char *to = g_build_filename(docs, "Mail/cur/1700000001.M2P2.host:2,S", NULL);
    g_assert_cmpint(rename(from, to), ==, 0);
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint(client_search(db, "plumwatch", &id2), ==, 1);
    g_assert_cmpstr(id1, ==, id2);
}

static void
test_sigterm(void)
{
    gint64 t0 = g_get_monotonic_time();
    kill(F.watcher, SIGTERM);
    int st = tracuu_test_wait_exit(F.watcher, 10);
    double secs = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    F.watcher = 0;
    if (st != 0) {
        g_autofree char *log = read_log(F.log);
        g_test_message("watcher exited with %d; its log:\n%s", st, log);
    }
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpfloat(secs, <, 3.0);
    /* What was indexed stays: the daemon still finds it. */
    g_assert_cmpint(search_total(F.sock, "burstwatch", NULL), ==, BURST_FILES);
    g_autofree char *log = read_log(F.log);
    g_assert_cmpuint(count_in(log, "stopped by signal 15"), ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    F.tmp = g_dir_make_tmp("tracuu-watch-XXXXXX", NULL);
    g_assert_nonnull(F.tmp);
    F.docs = g_build_filename(F.tmp, "docs", NULL);
    F.db = g_build_filename(F.tmp, "db", NULL);
    F.sock = g_build_filename(F.tmp, "searchd.sock", NULL);
    F.log = g_build_filename(F.tmp, "watch.log", NULL);
    F.dlog = g_build_filename(F.tmp, "searchd.log", NULL);
    tracuu_test_write_file(F.docs, "start.txt", "Tệp có từ trước: startwatch.\n", -1);
    for (int i = 0; i < 3; i++) {
        static const char *const parts[] = {"Mail/cur", "Mail/new", "Mail/tmp"};
        g_autofree char *d = in_docs(parts[i]);
        g_assert_cmpint(g_mkdir_with_parents(d, 0755), ==, 0);
    }
    /* A large --batch: one commit per batch, which the burst test counts. */
    const char *argv_w[] = {tracuu_test_indexer_path(), "--db", F.db, "--watch", "-j", "1",
                            "--batch", "100000", F.docs, NULL};
    F.watcher = start(argv_w, F.log, NULL);
    g_assert_true(wait_log(F.log, "scan of the roots", 1, 60));
    g_autofree char *searchd = g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "searchd",
                                                "tracuu-searchd", NULL);
    const char *argv_d[] = {searchd, "--db", F.db, "--socket", F.sock, NULL};
    F.daemon = start(argv_d, F.dlog, NULL);
    tracuu_test_client_free(tracuu_test_client_wait_unix(F.sock));
    g_assert_cmpint(search_total(F.sock, "startwatch", NULL), ==, 1);

    g_test_add_func("/watch/add change rename remove", test_add_change_rename_remove);
    g_test_add_func("/watch/folder made later", test_new_folder);
    g_test_add_func("/watch/maildir flags", test_maildir_flags);
    g_test_add_func("/watch/held open", test_held_open);
    g_test_add_func("/watch/slow large write", test_slow_large_write);
    g_test_add_func("/watch/manual run between batches", test_manual_run_between);
    g_test_add_func("/watch/burst", test_burst);
    g_test_add_func("/watch/overflow", test_overflow);
    g_test_add_func("/watch/symlinks and own files", test_symlinks_and_own_files);
    g_test_add_func("/watch/watch limit", test_watch_limit);
    g_test_add_func("/watch/sighup", test_sighup);
    g_test_add_func("/watch/maildir identity in ordinary runs", test_maildir_identity_plain_runs);
    g_test_add_func("/watch/sigterm", test_sigterm);
    int rc = g_test_run();

    if (F.watcher != 0) {
        kill(F.watcher, SIGTERM);
        tracuu_test_wait_exit(F.watcher, 10);
    }
    kill(F.daemon, SIGTERM);
    tracuu_test_wait_exit(F.daemon, 10);
    if (rc == 0)
        tracuu_test_rm_rf(F.tmp);
    return rc;
}
