/* walk.c - finds the files under the paths given to tracuu-indexer. */
#include "indexer-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    const tracuu_walk_options *opts;
    GPtrArray *files;
    GPtrArray *problems;
    GHashTable *dirs_seen; /* "dev:ino" of every folder entered: no folder is walked twice */
} walk_ctx;

void
tracuu_walk_file_free(tracuu_walk_file *file)
{
    if (file == NULL)
        return;
    g_free(file->access);
    g_free(file->path);
    g_free(file);
}

void
tracuu_walk_problem_free(tracuu_walk_problem *problem)
{
    if (problem == NULL)
        return;
    g_free(problem->path);
    g_free(problem->reason);
    g_free(problem);
}

gboolean
tracuu_walk_path_is_under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void
add_problem(walk_ctx *ctx, const char *path, gboolean failed, const char *reason)
{
    tracuu_walk_problem *p = g_new0(tracuu_walk_problem, 1);
    p->path = g_strdup(path);
    p->reason = g_strdup(reason);
    p->failed = failed;
    g_ptr_array_add(ctx->problems, p);
}

char *
tracuu_walk_maildir_identity(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash - path < 4)
        return g_strdup(path);
    const char *name = slash + 1;
    /* The folder: "cur" or "new"; both become "cur", where a message read once is moved. */
    gboolean in_new = strncmp(slash - 4, "/new", 4) == 0;
    if (!in_new && strncmp(slash - 4, "/cur", 4) != 0)
        return g_strdup(path);
    /* The info after the unique name: ":2,FLAGS" (or ":1,..."); the unique part has no colon. */
    const char *colon = strrchr(name, ':');
    size_t name_len = strlen(name);
    if (colon != NULL && (strncmp(colon, ":2,", 3) == 0 || strncmp(colon, ":1,", 3) == 0))
        name_len = (size_t)(colon - name);
    return g_strdup_printf("%.*scur/%.*s", (int)(slash - 3 - path), path, (int)name_len, name);
}

static void
add_file(walk_ctx *ctx, const char *path, const struct stat *st, gboolean maildir)
{
    tracuu_walk_file *f = g_new0(tracuu_walk_file, 1);
    f->path = g_strdup(path);
    if (maildir) {
        /* A message is moved from new/ to cur/ and renamed for each flag: the same message,
         * so the same key, document id and state, whatever its name of the moment. */
        g_autofree char *identity = tracuu_walk_maildir_identity(path);
        tracuu_state_key(identity, f->key);
    } else {
        tracuu_state_key(path, f->key);
    }
    f->mtime_ns = (gint64)st->st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_mtim.tv_nsec;
    f->size = (guint64)st->st_size;
    f->ino = (guint64)st->st_ino;
    f->maildir = maildir;
    /* Content decides how it is read; the name, how it is reported when it cannot be. */
    f->named = tracuu_format_for_name(path);
    g_ptr_array_add(ctx->files, f);
}

static gboolean
is_excluded(const walk_ctx *ctx, const char *path, const char *name)
{
    if (ctx->opts->excludes == NULL)
        return FALSE;
    for (char **g = ctx->opts->excludes; *g != NULL; g++) {
        /* A glob with a slash names a path, as in rsync; one without names a file or folder. */
        const char *subject = strchr(*g, '/') != NULL ? path : name;
        if (fnmatch(*g, subject, 0) == 0)
            return TRUE;
    }
    return FALSE;
}

static char *
join_path(const char *dir, const char *name)
{
    if (strcmp(dir, "/") == 0)
        return g_strconcat("/", name, NULL);
    return g_strconcat(dir, "/", name, NULL);
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void walk_dir(walk_ctx *ctx, const char *path, const struct stat *st, int maildir_part);

/* Looks at @path (found in a folder, or given as a root when @is_root) and dispatches it. */
static void
walk_entry(walk_ctx *ctx, const char *path, gboolean is_root, int maildir_part)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        /* Gone between readdir() and here, or a name the kernel refuses: report, go on. */
        add_problem(ctx, path, TRUE, g_strerror(errno));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        if (!is_root && !ctx->opts->follow_symlinks) {
            add_problem(ctx, path, FALSE, "symbolic link (not followed; see --follow-symlinks)");
            return;
        }
        if (stat(path, &st) != 0) {
            /* A dangling link or a loop of links (ELOOP). */
            add_problem(ctx, path, TRUE, g_strerror(errno));
            return;
        }
    }
    if (S_ISDIR(st.st_mode)) {
        walk_dir(ctx, path, &st, maildir_part);
    } else if (S_ISREG(st.st_mode)) {
        add_file(ctx, path, &st, maildir_part == 1);
    } else {
        /* Opening a FIFO would block and a device could be endless: never read them. */
        add_problem(ctx, path, FALSE, "not a regular file");
    }
}

/*
 * @maildir_part: 0 for an ordinary folder, 1 for the cur/ or new/ folder of a Maildir (its
 * files are messages whatever libmagic says of them).
 */
static void
walk_dir(walk_ctx *ctx, const char *path, const struct stat *st, int maildir_part)
{
    if (ctx->opts->has_skip_dir && st->st_dev == ctx->opts->skip_dev &&
        st->st_ino == ctx->opts->skip_ino)
        return; /* the index itself, when it lies inside what is indexed */

    char *id = g_strdup_printf("%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
    if (g_hash_table_contains(ctx->dirs_seen, id)) {
        g_free(id);
        add_problem(ctx, path, FALSE, "folder already walked (a cycle of symbolic links?)");
        return;
    }
    g_hash_table_add(ctx->dirs_seen, id);

    DIR *d = opendir(path);
    if (d == NULL) {
        add_problem(ctx, path, TRUE, g_strerror(errno));
        return;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    gboolean has_cur = FALSE, has_new = FALSE, has_tmp = FALSE;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        g_ptr_array_add(names, g_strdup(e->d_name));
        if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
            has_cur |= strcmp(e->d_name, "cur") == 0;
            has_new |= strcmp(e->d_name, "new") == 0;
            has_tmp |= strcmp(e->d_name, "tmp") == 0;
        }
    }
    closedir(d);
    /* Sorted, so that runs and their reports come in a stable order. */
    g_ptr_array_sort(names, compare_names);
    gboolean is_maildir = has_cur && has_new && has_tmp;

    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        char *child = join_path(path, name);
        if (is_excluded(ctx, child, name)) {
            g_free(child);
            continue;
        }
        /* The files of a Maildir's cur/ and new/ are messages. */
        int part = maildir_part;
        if (is_maildir) {
            if (strcmp(name, "tmp") == 0) {
                /* Messages being delivered: incomplete by definition. */
                g_free(child);
                continue;
            }
            if (strcmp(name, "cur") == 0 || strcmp(name, "new") == 0)
                part = 1;
        }
        walk_entry(ctx, child, FALSE, part);
        g_free(child);
    }
    g_ptr_array_free(names, TRUE);
}

void
tracuu_walk_run(const char *const *roots, const tracuu_walk_options *opts, GPtrArray *files,
                GPtrArray *problems, GPtrArray *roots_out)
{
    walk_ctx ctx = {opts, files, problems,
                    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    for (const char *const *r = roots; *r != NULL; r++) {
        char *abs = realpath(*r, NULL);
        if (abs == NULL) {
            add_problem(&ctx, *r, TRUE, g_strerror(errno));
            continue;
        }
        g_ptr_array_add(roots_out, g_strdup(abs));
        walk_entry(&ctx, abs, TRUE, 0);
        free(abs);
    }
    g_hash_table_destroy(ctx.dirs_seen);
}

gboolean
tracuu_walk_is_maildir(const char *dir)
{
    static const char *const parts[] = {"cur", "new", "tmp"};
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
        g_autofree char *p = join_path(dir, parts[i]);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
            return FALSE;
    }
    return TRUE;
}

void
tracuu_walk_below(const char *const *roots, const char *const *paths,
                  const tracuu_walk_options *opts, GPtrArray *files, GPtrArray *problems,
                  GPtrArray *paths_out)
{
    walk_ctx ctx = {opts, files, problems,
                    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    for (const char *const *p = paths; *p != NULL; p++) {
        const char *path = *p;
        const char *root = NULL;
        for (const char *const *r = roots; *r != NULL && root == NULL; r++)
            if (tracuu_walk_path_is_under(path, *r))
                root = *r;
        if (root == NULL)
            continue;
        /* What the index knew at or under it and the walk does not find is gone. */
        g_ptr_array_add(paths_out, g_strdup(path));
        /* The walk from the root would not have entered an excluded folder on the way. */
        gboolean excluded = FALSE;
        for (const char *c = path + strlen(root); *c != '\0' && !excluded; c++) {
            if (*c != '/')
                continue;
            const char *end = strchr(c + 1, '/');
            g_autofree char *partial = end != NULL ? g_strndup(path, (gsize)(end - path))
                                                   : g_strdup(path);
            g_autofree char *name = g_path_get_basename(partial);
            excluded = is_excluded(&ctx, partial, name);
        }
        if (excluded)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue; /* gone: its state is removed */
        /* The Maildir of a message, of a cur/ or new/ folder, or of a tmp/ left alone. */
        g_autofree char *parent = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *pbase = g_path_get_basename(parent);
        g_autofree char *grand = g_path_get_dirname(parent);
        int part = 0;
        if (strcmp(path, root) != 0 && tracuu_walk_is_maildir(parent) &&
            (strcmp(base, "cur") == 0 || strcmp(base, "new") == 0))
            part = 1;
        else if (strcmp(path, root) != 0 && tracuu_walk_is_maildir(parent) && strcmp(base, "tmp") == 0)
            continue;
        else if (strcmp(parent, root) != 0 && tracuu_walk_path_is_under(parent, root) &&
                 tracuu_walk_is_maildir(grand) &&
                 (strcmp(pbase, "cur") == 0 || strcmp(pbase, "new") == 0))
            part = 1;
        else if (strcmp(parent, root) != 0 && tracuu_walk_path_is_under(parent, root) &&
                 tracuu_walk_is_maildir(grand) && strcmp(pbase, "tmp") == 0)
            continue;
        walk_entry(&ctx, path, strcmp(path, root) == 0, part);
    }
    g_hash_table_destroy(ctx.dirs_seen);
}

gboolean
tracuu_walk_is_excluded(const tracuu_walk_options *opts, const char *path)
{
    walk_ctx ctx = {opts, NULL, NULL, NULL};
    g_autofree char *name = g_path_get_basename(path);
    return is_excluded(&ctx, path, name);
}
