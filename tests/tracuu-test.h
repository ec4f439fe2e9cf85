/* tracuu-test.h - helpers shared by the unit and integration tests. */
#pragma once

#include <glib.h>

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

/* The path of @rel under the source tree (TRACUU_SOURCE_ROOT). Caller frees with g_free(). */
char *tracuu_test_source_path(const char *rel);
