/* tracuu-test.c - helpers shared by the unit and integration tests. */
#include "tracuu-test.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

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

GHashTable *
tracuu_test_vbpl_texts(void)
{
    static GHashTable *texts;
    if (texts != NULL)
        return texts;
    g_autofree char *path = tracuu_test_shared_or_skip("vbpl/docs.jsonl");
    if (path == NULL)
        return NULL;
    g_autofree char *contents = NULL;
    g_assert_true(g_file_get_contents(path, &contents, NULL, NULL));
    texts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        if (*lines[i] == '\0')
            continue;
        g_autoptr(JsonObject) o = tracuu_test_parse_object(lines[i]);
        g_hash_table_insert(texts, g_strdup(json_object_get_string_member(o, "id")),
                            g_strdup(json_object_get_string_member(o, "text")));
    }
    return texts;
}

void
tracuu_test_assert_vbpl_excerpt(const char *id, const char *excerpt)
{
    GHashTable *texts = tracuu_test_vbpl_texts();
    if (texts == NULL)
        return;
    const char *text = g_hash_table_lookup(texts, id);
    if (text == NULL || strstr(text, excerpt) == NULL)
        g_test_message("not verbatim in %s of vbpl/docs.jsonl: %s", id, excerpt);
    g_assert_nonnull(text);
    g_assert_nonnull(strstr(text, excerpt));
}

char *
tracuu_test_source_path(const char *rel)
{
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    return g_build_filename(src != NULL ? src : ".", rel, NULL);
}

JsonObject *
tracuu_test_parse_object(const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = json_from_string(text, &error);
    g_assert_no_error(error);
    g_assert_nonnull(node);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
    return json_object_ref(json_node_get_object(node));
}

gint64
tracuu_test_int_member(JsonObject *o, const char *name)
{
    g_assert_true(json_object_has_member(o, name));
    return json_object_get_int_member(o, name);
}

int
tracuu_test_wait_exit(GPid pid, double seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    do {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        g_usleep(20000);
    } while (g_get_monotonic_time() < end);
    return -1;
}

void
tracuu_test_die_with_parent(gpointer data)
{
    (void)data;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

void
tracuu_test_new_token(const char *searchd, const char *name, char **token, char **conf_line)
{
    const char *argv[] = {searchd, "--new-token", name, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = -1;
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 3);
    g_assert_true(g_str_has_prefix(lines[1], "token-sha256 = "));
    *token = g_strdup(lines[0]);
    *conf_line = g_strdup(lines[1]);
}
