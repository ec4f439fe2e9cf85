/* tracuu-test.h - helpers shared by the unit and integration tests. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/*
 * Removes @path and everything below it, without following symbolic links (a test folder may
 * hold symlink loops) and without a shell (paths may hold quotes). Folders a test made
 * unreadable are opened up first. A missing @path is not an error. Returns TRUE when nothing
 * is left.
 */
gboolean tracuu_test_rm_rf(const char *path);

/*
 * The data the tests share with the benchmarks is kept outside the project, in ../shared/data
 * beside the source tree: a fresh copy of the project has none of it, and every test must
 * still run. These find it under TRACUU_SHARED_DATA, which meson sets from -Dshared_data
 * (default <source root>/../shared/data; outside meson, $TRACUU_SOURCE_ROOT/../shared/data).
 */

/*
 * The path of @rel (a file or a folder, relative to the shared data) when it is there, else
 * NULL. Caller frees with g_free().
 */
char *tracuu_test_shared_path(const char *rel);

/*
 * The same, but when @rel is missing the running test is marked skipped with a message that
 * names what it needs ("needs <dir>/@rel (TRACUU_SHARED_DATA)") and NULL is returned: the
 * caller returns at once. Only for use inside a test function.
 */
char *tracuu_test_shared_or_skip(const char *rel);

/*
 * The texts of the shared vbpl/docs.jsonl, id => text, read once per process; NULL (and the
 * running test marked skipped, as tracuu_test_shared_or_skip()) when the file is missing. The
 * table is owned by the helpers and lives until the process ends. Only inside a test function.
 */
GHashTable *tracuu_test_vbpl_texts(void);

/*
 * Asserts that @excerpt occurs in the text of the vbpl document @id, so that a test case said
 * to be copied verbatim from that document cannot drift from it. Skips the running test when
 * the shared data is missing.
 */
void tracuu_test_assert_vbpl_excerpt(const char *id, const char *excerpt);

/* The path of @rel under the source tree (TRACUU_SOURCE_ROOT). Caller frees with g_free(). */
char *tracuu_test_source_path(const char *rel);

/*
 * Parses @text, which must be one JSON object (an answer line, a --json summary, what a script
 * printed): the test fails otherwise. Caller frees with json_object_unref().
 */
JsonObject *tracuu_test_parse_object(const char *text);

/* The integer member @name of @o; the test fails when @o has no such member. */
gint64 tracuu_test_int_member(JsonObject *o, const char *name);

/*
 * Waits up to @seconds for the child @pid (spawned with G_SPAWN_DO_NOT_REAP_CHILD) to exit and
 * reaps it. Returns its exit status (128 + the signal when a signal ended it), or -1 when it
 * was still running.
 */
int tracuu_test_wait_exit(GPid pid, double seconds);

/*
 * A GSpawnChildSetupFunc that has the child get SIGTERM when the test dies, so that a daemon
 * does not outlive a test that aborted on a failed assertion. @data is unused.
 */
void tracuu_test_die_with_parent(gpointer data);

/*
 * A user's token and its configuration line ("token-sha256 = ..."), from the real
 * `@searchd --new-token @name`; the test fails when it does not give them. Caller frees both.
 */
void tracuu_test_new_token(const char *searchd, const char *name, char **token, char **conf_line);
