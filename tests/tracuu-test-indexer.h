/* tracuu-test-indexer.h - running the real tracuu-indexer from a test and reading what it did. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sys/types.h>

/* A test's temporary folder, with an empty folder for the documents to index and the path of an
   index (not made), both inside it. */
typedef struct {
    char *dir;  /* temporary folder of the test */
    char *docs; /* documents to index, inside dir */
    char *db;   /* the index, inside dir */
} tracuu_test_docs;

/* Makes @f's folders from the g_dir_make_tmp() template @tmpl; the test fails if it cannot. */
void tracuu_test_docs_init(tracuu_test_docs *f, const char *tmpl);

/* Removes @f's folder and all in it, and frees its paths. */
void tracuu_test_docs_clear(tracuu_test_docs *f);

/* The path of the tracuu-indexer program in the build tree (TRACUU_BUILD_ROOT). Never freed. */
const char *tracuu_test_indexer_path(void);

/*
 * Writes @len bytes of @content (-1: up to its NUL) to @dir/@name, making the folders @name
 * names on the way; the test fails if it cannot.
 */
void tracuu_test_write_file(const char *dir, const char *name, const char *content, gssize len);

/*
 * Runs tracuu-indexer with @args (NULL-terminated, after the program name) to completion, in
 * the environment @env (NULL: the test's own), with @setup (NULL: none) run in the child before
 * exec. Its output goes to *@out and its standard error to *@err when they are not NULL (caller
 * frees with g_free()); a non-empty standard error is also given as a test message. Returns its
 * exit status; the test fails when it cannot run or a signal ends it.
 */
int tracuu_test_run_indexer(const char *const *args, char **env, GSpawnChildSetupFunc setup,
                            char **out, char **err);

/*
 * Runs the Python program @script (python3 -c, so that it can import Debian's python3-xapian)
 * with the arguments @db and @terms (NULL-terminated; NULL: none), and returns the JSON object it
 * prints. The test fails, with Python's standard error as a message, when it does not exit 0.
 * Caller frees with json_object_unref().
 */
JsonObject *tracuu_test_run_python(const char *script, const char *db, const char *const *terms);

/*
 * The processes whose parent is @ppid, with their states ('R', 'S', 'Z'...), from /proc: pids
 * in @pids, states in @states (both may be NULL). Returns how many.
 */
guint tracuu_test_children_of(pid_t ppid, GArray *pids, GString *states);

/*
 * Makes this test the reaper of the processes orphaned below it (@on) or not: a killed
 * indexer's children come here instead of to init, and the test tells one that lives on from
 * one that ended and waits to be reaped.
 */
void tracuu_test_become_subreaper(gboolean on);

/*
 * After the indexer was killed and reaped: within @ms milliseconds, every process it left
 * (re-parented to this test, a subreaper) has ended. The ones that still live are named and
 * killed, and the test fails.
 */
void tracuu_test_assert_orphans_end(guint ms);

/*
 * Starts tracuu-indexer with @argv (whole, the program first) slowed by the fault "slow:vb-"
 * (20 ms for each file whose name starts with "vb-"), kills it with SIGKILL after @delay_ms,
 * reaps it, and checks that every process it left ends within @orphans_ms (the test must be a
 * subreaper: tracuu_test_become_subreaper()). Returns how many children it had when killed.
 */
guint tracuu_test_kill_slow_indexer(const char *const *argv, guint delay_ms, guint orphans_ms);
