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
