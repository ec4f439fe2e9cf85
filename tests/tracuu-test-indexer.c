/* tracuu-test-indexer.c - running the real tracuu-indexer from a test and reading what it did. */
#include "tracuu-test-indexer.h"

#include "tracuu-test.h"

#include <glib/gstdio.h>
#include <sys/wait.h>

const char *
tracuu_test_indexer_path(void)
{
    static char *path;
    if (path == NULL) {
        const char *root = g_getenv("TRACUU_BUILD_ROOT");
        g_assert_nonnull(root);
        path = g_build_filename(root, "indexer", "tracuu-indexer", NULL);
    }
    return path;
}

void
tracuu_test_write_file(const char *dir, const char *name, const char *content, gssize len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *parent = g_path_get_dirname(path);
    g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
    g_autoptr(GError) error = NULL;
    g_file_set_contents(path, content, len, &error);
    g_assert_no_error(error);
}

int
tracuu_test_run_indexer(const char *const *args, char **env, GSpawnChildSetupFunc setup, char **out,
                        char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)tracuu_test_indexer_path());
    for (const char *const *a = args; *a != NULL; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    int status = -1;
    g_autoptr(GError) error = NULL;
    char *o = NULL, *e = NULL;
    g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, setup, NULL, &o, &e, &status,
                 &error);
    g_assert_no_error(error);
    if (e != NULL && e[0] != '\0')
        g_test_message("stderr: %s", e);
    if (out != NULL)
        *out = o;
    else
        g_free(o);
    if (err != NULL)
        *err = e;
    else
        g_free(e);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

JsonObject *
tracuu_test_run_python(const char *script, const char *db, const char *const *terms)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer) "/usr/bin/python3");
    g_ptr_array_add(argv, (gpointer) "-c");
    g_ptr_array_add(argv, (gpointer)script);
    g_ptr_array_add(argv, (gpointer)db);
    for (const char *const *t = terms; t != NULL && *t != NULL; t++)
        g_ptr_array_add(argv, (gpointer)*t);
    g_ptr_array_add(argv, NULL);
    g_autofree char *out = NULL, *err = NULL;
    int status = -1;
    g_autoptr(GError) error = NULL;
    g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                 &error);
    g_assert_no_error(error);
    if (status != 0)
        g_test_message("python: %s", err);
    g_assert_cmpint(status, ==, 0);
    return tracuu_test_parse_object(out);
}
