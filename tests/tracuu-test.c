/* tracuu-test.c - helpers shared by the unit and integration tests. */
#include "tracuu-test.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

gboolean
tracuu_test_rm_rf(const char *path)
{
    GStatBuf st;
    if (g_lstat(path, &st) != 0)
        return TRUE;
    if (S_ISDIR(st.st_mode)) {
        g_chmod(path, 0700);
        GDir *dir = g_dir_open(path, 0, NULL);
        if (dir != NULL) {
            const char *name;
            while ((name = g_dir_read_name(dir)) != NULL) {
                g_autofree char *child = g_build_filename(path, name, NULL);
                tracuu_test_rm_rf(child);
            }
            g_dir_close(dir);
        }
        return g_rmdir(path) == 0;
    }
    return g_unlink(path) == 0;
}

/* Where the shared data should be, set or not: for the path and for the skip message. */
static char *
shared_dir(void)
{
    const char *dir = g_getenv("TRACUU_SHARED_DATA");
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    if (dir != NULL && *dir != '\0')
        return g_strdup(dir);
    return g_build_filename(src != NULL ? src : ".", "..", "shared", "data", NULL);
}

char *
tracuu_test_shared_path(const char *rel)
{
    g_autofree char *dir = shared_dir();
    char *path = g_build_filename(dir, rel, NULL);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        g_clear_pointer(&path, g_free);
    return path;
}

char *
tracuu_test_shared_or_skip(const char *rel)
{
    char *path = tracuu_test_shared_path(rel);
    if (path == NULL) {
        g_autofree char *dir = shared_dir();
        g_autofree char *want = g_build_filename(dir, rel, NULL);
        g_autofree char *message = g_strdup_printf("needs %s (TRACUU_SHARED_DATA)", want);
        g_test_skip(message);
    }
    return path;
}

char *
tracuu_test_source_path(const char *rel)
{
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    return g_build_filename(src != NULL ? src : ".", rel, NULL);
}
