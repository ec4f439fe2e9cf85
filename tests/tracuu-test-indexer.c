/* tracuu-test-indexer.c - running the real tracuu-indexer from a test and reading what it did. */
#include "tracuu-test-indexer.h"

#include "tracuu-test.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

/*
 * The processes whose parent is @ppid, with their states ('R', 'S', 'Z'...), from /proc: pids
 * in @pids, states in @states (both may be NULL).
 */
guint
tracuu_test_children_of(pid_t ppid, GArray *pids, GString *states)
{
    GDir *dir = g_dir_open("/proc", 0, NULL);
    g_assert_nonnull(dir);
    guint n = 0;
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL) {
        if (!g_ascii_isdigit(name[0]))
            continue;
        g_autofree char *path = g_build_filename("/proc", name, "stat", NULL);
        g_autofree char *stat = NULL;
        if (!g_file_get_contents(path, &stat, NULL, NULL))
            continue; /* gone meanwhile */
        /* "pid (comm) S ppid ...": comm may hold spaces and parentheses, the last ')' ends it. */
        const char *end = strrchr(stat, ')');
        char state;
        int parent;
        if (end == NULL || sscanf(end + 1, " %c %d", &state, &parent) != 2 || parent != ppid)
            continue;
        n++;
        if (pids != NULL) {
            pid_t pid = (pid_t)atoi(name);
            g_array_append_val(pids, pid);
        }
        if (states != NULL)
            g_string_append_c(states, state);
    }
    g_dir_close(dir);
    return n;
}

/*
 * Makes this test the reaper of the processes orphaned below it: a killed indexer's children
 * come here instead of to init (which, in a container, may not reap them for a while and so
 * leaves zombies that look like survivors to ps), and the test tells a worker that lives on
 * from one that ended and waits to be reaped.
 */
void
tracuu_test_become_subreaper(gboolean on)
{
    g_assert_cmpint(prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0), ==, 0);
}

/*
 * After the indexer was killed and reaped: within @ms milliseconds, every process it left
 * (re-parented to this test, a subreaper) has ended. The ones that still live are named and
 * killed, and the test fails.
 */
void
tracuu_test_assert_orphans_end(guint ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        g_autoptr(GString) states = g_string_new(NULL);
        tracuu_test_children_of(getpid(), pids, states);
        guint live = 0;
        for (guint i = 0; i < pids->len; i++)
            live += states->str[i] != 'Z';
        if (live == 0)
            return;
        if (g_get_monotonic_time() > deadline) {
            for (guint i = 0; i < pids->len; i++) {
                pid_t pid = g_array_index(pids, pid_t, i);
                g_autofree char *cmd_path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
                g_autofree char *cmd = NULL;
                gsize len = 0;
                if (g_file_get_contents(cmd_path, &cmd, &len, NULL))
                    for (gsize j = 0; j + 1 < len; j++)
                        if (cmd[j] == '\0')
                            cmd[j] = ' ';
                g_test_message("left alive %u ms after the indexer: %d (%c) %s", ms, (int)pid,
                               states->str[i], cmd != NULL ? cmd : "?");
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
            }
            g_assert_cmpuint(live, ==, 0);
        }
        g_usleep(10000);
    }
}

void
tracuu_test_docs_init(tracuu_test_docs *f, const char *tmpl)
{
    GError *error = NULL;
    f->dir = g_dir_make_tmp(tmpl, &error);
    g_assert_no_error(error);
    f->docs = g_build_filename(f->dir, "docs", NULL);
    f->db = g_build_filename(f->dir, "db", NULL);
    g_assert_cmpint(g_mkdir(f->docs, 0755), ==, 0);
}

void
tracuu_test_docs_clear(tracuu_test_docs *f)
{
    tracuu_test_rm_rf(f->dir);
    g_clear_pointer(&f->dir, g_free);
    g_clear_pointer(&f->docs, g_free);
    g_clear_pointer(&f->db, g_free);
}

guint
tracuu_test_kill_slow_indexer(const char *const *argv, guint delay_ms, guint orphans_ms)
{
    GPid pid;
    GError *error = NULL;
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "TRACUU_INDEXER_FAULT", "slow:vb-", TRUE);
    g_spawn_async(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, &pid, &error);
    g_assert_no_error(error);
    g_usleep(delay_ms * 1000);
    guint children = tracuu_test_children_of(pid, NULL, NULL);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    g_spawn_close_pid(pid);
    g_test_message("killed after %u ms with %u children", delay_ms, children);
    tracuu_test_assert_orphans_end(orphans_ms);
    return children;
}
