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
