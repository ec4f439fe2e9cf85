/* watch.c - tracuu-indexer --watch: follows the roots with inotify and indexes what changes. */
#include "watch.h"

#include "tracuu-log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* A batch starts this long after the last event (a burst is one batch), but no later than
 * MAX_DELAY after its first event (a steady trickle is not held back for ever). */
#define QUIET_USEC (1 * G_USEC_PER_SEC)
#define MAX_DELAY_USEC (5 * G_USEC_PER_SEC)
/* A file written without being closed (IN_MODIFY alone) is taken once its size and mtime have
 * not changed for this long. */
#define STABLE_USEC (2 * G_USEC_PER_SEC)
/* Longest sleep in poll(): a signal that lands between the check and poll() is seen this late. */
#define TICK_MSEC 250
/* A batch that found the index locked by another writer is tried again this much later. */
#define RETRY_USEC (1 * G_USEC_PER_SEC)

#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_CREATE | IN_MODIFY |            \
     IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

static volatile sig_atomic_t reload_requested;

static void
on_hup(int sig)
{
    reload_requested = sig;
}

/* A file seen written (IN_MODIFY, or IN_CREATE of a link) and not yet closed. */
typedef struct {
    gint64 last_event; /* monotonic time of its last IN_MODIFY */
    gint64 size, mtime_ns;
    gboolean stat_known;
} writing_file;

typedef struct {
    const tracuu_indexer_options *opts;
    tracuu_walk_options wopts; /* the excludes, as the walk applies them */
    int fd;
    GHashTable *wd_path;     /* GINT_TO_POINTER(wd) -> char * folder */
    GHashTable *path_wd;     /* char * folder -> GINT_TO_POINTER(wd) */
    GPtrArray *abs_roots;    /* char *, NULL-terminated: the roots made absolute */
    char *db;                /* the index folder, absolute: never watched nor indexed */
    GHashTable *changed;     /* char * paths to look at in the next batch */
    GHashTable *writing;     /* char * path -> writing_file * */
    gboolean rescan;         /* the next batch is an ordinary run over the roots */
    guint events;            /* events read since the last batch */
    guint queue_limit;       /* TRACUU_WATCH_QUEUE_LIMIT: more events than this are an overflow */
    guint max_watches;       /* TRACUU_WATCH_MAX_WATCHES: a test's stand-in for the sysctl */
    gint64 first_event, last_event, not_before;
    char *fatal;
} watcher;

static gboolean
is_root_or_under(watcher *w, const char *path)
{
    for (guint i = 0; i + 1 < w->abs_roots->len; i++)
        if (tracuu_walk_path_is_under(path, w->abs_roots->pdata[i]))
            return TRUE;
    return FALSE;
}

/* The index (with its lock), the folders --compact makes beside it and the OCR cache beside it
 * (DIR.ocr-cache): tracuu's own writes, which must not wake the watcher. */
static gboolean
is_index(watcher *w, const char *path)
{
    if (w->db == NULL)
        return FALSE;
    size_t n = strlen(w->db);
    return strncmp(path, w->db, n) == 0 &&
           (path[n] == '\0' || path[n] == '/' || g_str_has_prefix(path + n, ".compacting") ||
            g_str_has_prefix(path + n, ".ocr-cache"));
}

static char *
join_path(const char *dir, const char *name)
{
    if (strcmp(dir, "/") == 0)
        return g_strconcat("/", name, NULL);
    return g_strconcat(dir, "/", name, NULL);
}

/* Sets w->fatal when the kernel's limit of watches is reached, naming the sysctl to raise. */
static void
limit_reached(watcher *w, const char *dir, const char *sysctl)
{
    if (w->fatal != NULL)
        return;
    g_autofree char *proc = g_strconcat("/proc/sys/", sysctl, NULL);
    for (char *c = proc + strlen("/proc/sys/"); *c != '\0'; c++)
        if (*c == '.')
            *c = '/';
    g_autofree char *value = NULL;
    if (g_file_get_contents(proc, &value, NULL, NULL))
        g_strstrip(value);
    w->fatal = g_strdup_printf(
        "cannot watch %s: the limit of inotify watches is reached (%s = %s); raise it, e.g. "
        "sysctl -w %s=524288, and for good in a file of /etc/sysctl.d/",
        dir, sysctl, value != NULL ? value : "?", sysctl);
}

/* Forgets the watch descriptor @wd (its folder's name stays with a newer watch of that name). */
static void
forget_wd(watcher *w, int wd)
{
    const char *path = g_hash_table_lookup(w->wd_path, GINT_TO_POINTER(wd));
    if (path == NULL)
        return;
    gpointer cur;
    if (g_hash_table_lookup_extended(w->path_wd, path, NULL, &cur) && GPOINTER_TO_INT(cur) == wd)
        g_hash_table_remove(w->path_wd, path);
    g_hash_table_remove(w->wd_path, GINT_TO_POINTER(wd));
}

/* add_watch() answers: watched, not watched, or the folder is watched already under another
 * name (a symbolic link to it, maybe a loop): not entered again. */
typedef enum { WATCH_FAILED, WATCH_ADDED, WATCH_ALIAS } watch_added;

static watch_added
add_watch(watcher *w, const char *dir, gboolean via_link)
{
    int wd = -1;
    if (w->max_watches > 0 && g_hash_table_size(w->wd_path) >= w->max_watches) {
        errno = ENOSPC;
    } else {
        wd = inotify_add_watch(w->fd, dir, WATCH_MASK);
    }
    if (wd < 0) {
        if (errno == ENOSPC)
            limit_reached(w, dir, "fs.inotify.max_user_watches");
        else if (errno != ENOENT && errno != ENOTDIR)
            tracuu_log_warning("cannot watch %s: %s (its changes are seen at the next rescan)",
                               dir, g_strerror(errno));
        return WATCH_FAILED;
    }
    /* inotify gives a folder one descriptor whatever the name it was reached by: a link to a
     * folder watched under another name would loop (a link to an ancestor) or watch it twice.
     * The walk skips it the same way (its folders seen by device and inode). */
    const char *known = g_hash_table_lookup(w->wd_path, GINT_TO_POINTER(wd));
    if (via_link && known != NULL && strcmp(known, dir) != 0)
        return WATCH_ALIAS;
    /* A folder watched again (a rescan), or under another name (a rename we missed), keeps its
     * descriptor; a name whose old folder's watch is not yet gone (IN_IGNORED) is this one's. */
    gpointer other;
    if (g_hash_table_lookup_extended(w->path_wd, dir, NULL, &other))
        forget_wd(w, GPOINTER_TO_INT(other));
    forget_wd(w, wd);
    char *copy = g_strdup(dir);
    g_hash_table_insert(w->wd_path, GINT_TO_POINTER(wd), copy);
    g_hash_table_insert(w->path_wd, copy, GINT_TO_POINTER(wd));
    return WATCH_ADDED;
}

/* TRUE when @path (of dirent type @d_type) is a folder the walk enters: a symbolic link to a
 * folder only with --follow-symlinks, as walk.c does (*@link is then TRUE). */
static gboolean
is_dir_for_walk(watcher *w, const char *path, unsigned char d_type, gboolean *link)
{
    struct stat st;
    *link = FALSE;
    if (d_type == DT_DIR)
        return TRUE;
    if (d_type != DT_UNKNOWN && d_type != DT_LNK)
        return FALSE;
    if (lstat(path, &st) != 0)
        return FALSE;
    if (S_ISDIR(st.st_mode))
        return TRUE;
    if (!S_ISLNK(st.st_mode) || !w->wopts.follow_symlinks)
        return FALSE;
    *link = TRUE;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode); /* not when dangling or ELOOP */
}

/* Watches @dir (reached through a symbolic link when @via_link) and the folders below it that
 * the walk would enter. FALSE once w->fatal. */
static gboolean
add_tree(watcher *w, const char *dir, gboolean via_link)
{
    if (is_index(w, dir) || tracuu_walk_is_excluded(&w->wopts, dir))
        return TRUE;
    g_autofree char *parent = g_path_get_dirname(dir);
    g_autofree char *base = g_path_get_basename(dir);
    if (strcmp(base, "tmp") == 0 && tracuu_walk_is_maildir(parent))
        return TRUE; /* messages being delivered: they arrive in new/ by a rename */
    watch_added added = add_watch(w, dir, via_link);
    if (added == WATCH_FAILED)
        return w->fatal == NULL;
    if (added == WATCH_ALIAS)
        return TRUE;
    DIR *d = opendir(dir);
    if (d == NULL)
        return TRUE;
    struct dirent *e;
    gboolean ok = TRUE;
    while (ok && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        g_autofree char *child = join_path(dir, e->d_name);
        gboolean link = FALSE;
        if (is_dir_for_walk(w, child, e->d_type, &link))
            ok = add_tree(w, child, link);
    }
    closedir(d);
    return ok;
}

/* Watches every root (a file root: its folder, whose other entries are ignored). */
static gboolean
add_roots(watcher *w)
{
    for (guint i = 0; i + 1 < w->abs_roots->len; i++) {
        const char *root = w->abs_roots->pdata[i];
        struct stat st;
        if (stat(root, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!add_tree(w, root, FALSE))
                return FALSE;
        } else {
            g_autofree char *parent = g_path_get_dirname(root);
            add_watch(w, parent, FALSE);
            if (w->fatal != NULL)
                return FALSE;
        }
    }
    return TRUE;
}

/* Forgets the watches of @dir and of the folders below it (removed, or moved away). */
static void
drop_tree(watcher *w, const char *dir)
{
    g_autoptr(GPtrArray) gone = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, w->path_wd);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (tracuu_walk_path_is_under(k, dir))
            g_ptr_array_add(gone, v);
    for (guint i = 0; i < gone->len; i++) {
        int wd = GPOINTER_TO_INT(gone->pdata[i]);
        forget_wd(w, wd);
        inotify_rm_watch(w->fd, wd); /* fails for a folder already gone: no matter */
    }
}

static void
mark_changed(watcher *w, const char *path)
{
    gint64 now = g_get_monotonic_time();
    if (g_hash_table_size(w->changed) == 0 && !w->rescan)
        w->first_event = now;
    w->last_event = now;
    g_hash_table_add(w->changed, g_strdup(path));
    g_hash_table_remove(w->writing, path);
}

static void
mark_rescan(watcher *w, const char *why)
{
    tracuu_log_info("%s: rescanning the roots", why);
    gint64 now = g_get_monotonic_time();
    if (g_hash_table_size(w->changed) == 0 && !w->rescan)
        w->first_event = now;
    w->last_event = now;
    w->rescan = TRUE;
    g_hash_table_remove_all(w->changed); /* the rescan sees them all */
}

static void
mark_writing(watcher *w, const char *path)
{
    writing_file *f = g_hash_table_lookup(w->writing, path);
    if (f == NULL) {
        f = g_new0(writing_file, 1);
        g_hash_table_insert(w->writing, g_strdup(path), f);
    }
    f->last_event = g_get_monotonic_time();
}

static void
handle_event(watcher *w, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW) {
        mark_rescan(w, "the inotify queue overflowed");
        return;
    }
    const char *dir = g_hash_table_lookup(w->wd_path, GINT_TO_POINTER(ev->wd));
    if (dir == NULL)
        return;
    if (ev->mask & IN_IGNORED) {
        forget_wd(w, ev->wd);
        return;
    }
    g_autofree char *path = ev->len > 0 ? join_path(dir, ev->name) : g_strdup(dir);
    if (!is_root_or_under(w, path) || is_index(w, path))
        return;
    if (ev->len == 0) {
        /* The folder itself. A root that goes is a disk unmounted as much as an archive
         * emptied: the ordinary run decides (it keeps the documents and reports it). Other
         * folders are handled by the event of their parent. */
        if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))
            for (guint i = 0; i + 1 < w->abs_roots->len; i++)
                if (strcmp(path, w->abs_roots->pdata[i]) == 0)
                    mark_rescan(w, "a root folder was removed or moved");
        return;
    }
    if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
            /* Files may have landed in it before its watch: the batch walks it. */
            add_tree(w, path, FALSE);
            mark_changed(w, path);
        } else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
            drop_tree(w, path);
            mark_changed(w, path);
        }
        return;
    }
    /* A rename needs no pairing of IN_MOVED_FROM with IN_MOVED_TO by cookie: the old path is
     * gone and the new one is there, both in the same batch, one run and one commit; a Maildir
     * message keeps its key (walk.c), so it is the same document under its new name. */
    gboolean link = FALSE;
    if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && is_dir_for_walk(w, path, DT_UNKNOWN, &link) &&
        link) {
        /* A symbolic link to a folder, followed: its folder is watched, the batch walks it. */
        add_tree(w, path, TRUE);
        mark_changed(w, path);
    } else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB)) {
        if (ev->mask & (IN_MOVED_FROM | IN_DELETE))
            drop_tree(w, path); /* a followed link to a folder: its watches go with it */
        mark_changed(w, path);
    } else if (ev->mask & (IN_MODIFY | IN_CREATE)) {
        mark_writing(w, path);
    }
}

/* Reads the events waiting; FALSE when the inotify descriptor fails. */
static gboolean
read_events(watcher *w)
{
    char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            return TRUE;
        if (n < 0 && errno == EAGAIN)
            return TRUE;
        if (n <= 0) {
            w->fatal = g_strdup_printf("inotify: %s", n < 0 ? g_strerror(errno) : "end of file");
            return FALSE;
        }
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            w->events++;
            if (w->queue_limit > 0 && w->events == w->queue_limit + 1)
                mark_rescan(w, "more inotify events than TRACUU_WATCH_QUEUE_LIMIT");
            else if (w->queue_limit == 0 || w->events <= w->queue_limit)
                handle_event(w, ev);
            p += sizeof(struct inotify_event) + ev->len;
        }
    }
}

/* Files written without a close: those whose size and mtime held still are taken. */
static void
check_writing(watcher *w)
{
    gint64 now = g_get_monotonic_time();
    g_autoptr(GPtrArray) ready = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, w->writing);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        writing_file *f = v;
        struct stat st;
        if (lstat(k, &st) != 0) {
            g_ptr_array_add(ready, g_strdup(k)); /* gone: let the batch say so */
            continue;
        }
        gint64 mtime = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) +
                       st.st_mtim.tv_nsec;
        if (!f->stat_known || f->size != (gint64)st.st_size || f->mtime_ns != mtime) {
            f->stat_known = TRUE;
            f->size = (gint64)st.st_size;
            f->mtime_ns = mtime;
            f->last_event = MAX(f->last_event, now - STABLE_USEC / 2);
            continue;
        }
        if (now - f->last_event >= STABLE_USEC)
            g_ptr_array_add(ready, g_strdup(k));
    }
    for (guint i = 0; i < ready->len; i++)
        mark_changed(w, ready->pdata[i]);
}

static int
compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The changed paths in order, without those below another one (walked with it). */
static GPtrArray *
take_changed(watcher *w)
{
    GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, w->changed);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(all, g_strdup(k));
    g_ptr_array_sort(all, compare_paths);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *last = NULL;
    for (guint i = 0; i < all->len; i++) {
        char *p = all->pdata[i];
        if (last != NULL && tracuu_walk_path_is_under(p, last))
            continue;
        g_ptr_array_add(out, g_strdup(p));
        last = out->pdata[out->len - 1];
    }
    g_ptr_array_free(all, TRUE);
    g_ptr_array_add(out, NULL);
    return out;
}

/* Runs the batch due; returns -1 to go on, or the exit status to stop with. */
static int
run_batch(watcher *w, tracuu_watch_batch_fn batch, void *user_data)
{
    tracuu_watch_stats stats = {0};
    gboolean rescan = w->rescan;
    g_autoptr(GPtrArray) paths = NULL;
    if (rescan) {
        /* Folders made while events were lost have no watch yet. */
        if (!add_roots(w))
            return EXIT_INDEX;
    } else {
        paths = take_changed(w);
    }
    guint n = paths != NULL ? paths->len - 1 : 0;
    guint events = w->events;
    w->rescan = FALSE;
    w->events = 0;
    g_hash_table_remove_all(w->changed);
    int status = batch(rescan ? NULL : (const char *const *)paths->pdata,
                       (const char *const *)w->abs_roots->pdata, &stats, user_data);
    if (stats.locked) {
        /* Another writer (a manual run, --compact) holds the index: the batch waits for it. */
        tracuu_log_info("the index is locked by another writer: trying again in 1 s");
        w->rescan = rescan;
        for (guint i = 0; paths != NULL && i < n; i++)
            g_hash_table_add(w->changed, g_strdup(paths->pdata[i]));
        w->events += events;
        w->not_before = g_get_monotonic_time() + RETRY_USEC;
        return -1;
    }
    if (status == EXIT_INDEX || status == EXIT_USAGE)
        return status;
    if (rescan)
        tracuu_log_info("scan of the roots: %u files seen, %u indexed (%" G_GUINT64_FORMAT
                        " documents), %u removed, %u failed, %u commits in %.2f s",
                        stats.seen, stats.indexed, stats.documents, stats.removed, stats.failed,
                        stats.commits, stats.elapsed);
    else
        tracuu_log_info("batch of %u changed paths (%u events): %u indexed (%" G_GUINT64_FORMAT
                        " documents), %u removed, %u failed, %u commits in %.2f s",
                        n, events, stats.indexed, stats.documents, stats.removed, stats.failed,
                        stats.commits, stats.elapsed);
    return -1;
}

/* The absolute path of the index folder, which need not exist yet. */
static char *
absolute_db(const char *db)
{
    char *abs = realpath(db, NULL);
    if (abs != NULL) {
        char *copy = g_strdup(abs);
        free(abs);
        return copy;
    }
    g_autofree char *parent = g_path_get_dirname(db);
    g_autofree char *base = g_path_get_basename(db);
    char *p = realpath(parent, NULL);
    if (p == NULL)
        return NULL;
    char *out = join_path(p, base);
    free(p);
    return out;
}

static guint
env_uint(const char *name)
{
    const char *v = g_getenv(name);
    return v != NULL ? (guint)g_ascii_strtoull(v, NULL, 10) : 0;
}

int
tracuu_watch_main(const tracuu_indexer_options *opts, const char *const *roots,
                  tracuu_watch_batch_fn batch, tracuu_watch_reload_fn reload, void *user_data)
{
    watcher w = {0};
    w.opts = opts;
    w.wopts.excludes = opts->excludes;
    w.wopts.follow_symlinks = opts->follow;
    w.wd_path = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    w.path_wd = g_hash_table_new(g_str_hash, g_str_equal);
    w.changed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    w.writing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    w.abs_roots = g_ptr_array_new_with_free_func(g_free);
    w.db = absolute_db(opts->top_db != NULL ? opts->top_db : opts->db);
    w.queue_limit = env_uint("TRACUU_WATCH_QUEUE_LIMIT");
    w.max_watches = env_uint("TRACUU_WATCH_MAX_WATCHES");
    int status = -1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);

    for (const char *const *r = roots; *r != NULL; r++) {
        char *abs = realpath(*r, NULL);
        if (abs == NULL) {
            /* The ordinary run reports it; a root made later is seen at a rescan (SIGHUP). */
            tracuu_log_warning("cannot watch %s: %s", *r, g_strerror(errno));
            continue;
        }
        g_ptr_array_add(w.abs_roots, g_strdup(abs));
        free(abs);
    }
    g_ptr_array_add(w.abs_roots, NULL);

    w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w.fd < 0) {
        if (errno == EMFILE)
            limit_reached(&w, "the roots", "fs.inotify.max_user_instances");
        else
            w.fatal = g_strdup_printf("inotify: %s", g_strerror(errno));
        status = EXIT_INDEX;
        goto out;
    }
    /* The watches first, then the first run: what lands during it is an event. */
    if (!add_roots(&w)) {
        status = EXIT_INDEX;
        goto out;
    }
    tracuu_log_info("watching %u folders", g_hash_table_size(w.wd_path));
    w.rescan = TRUE;
    w.first_event = w.last_event = G_MININT64 / 2; /* the first run is due at once */

    while (!tracuu_indexer_interrupted) {
        if (reload_requested) {
            reload_requested = 0;
            if (reload != NULL && reload(user_data))
                mark_rescan(&w, "configuration read again (SIGHUP)");
            else if (reload == NULL)
                mark_rescan(&w, "SIGHUP");
        }
        gint64 now = g_get_monotonic_time();
        gboolean pending = w.rescan || g_hash_table_size(w.changed) > 0;
        gint64 due = MIN(w.last_event + QUIET_USEC, w.first_event + MAX_DELAY_USEC);
        due = MAX(due, w.not_before);
        if (pending && now >= due) {
            status = run_batch(&w, batch, user_data);
            if (status >= 0)
                goto out;
            continue;
        }
        int timeout = TICK_MSEC;
        if (pending)
            timeout = (int)MIN((gint64)TICK_MSEC, (due - now) / 1000 + 1);
        struct pollfd pfd = {.fd = w.fd, .events = POLLIN};
        int rc = poll(&pfd, 1, timeout);
        if (rc < 0 && errno != EINTR) {
            w.fatal = g_strdup_printf("poll: %s", g_strerror(errno));
            status = EXIT_INDEX;
            goto out;
        }
        if (rc > 0 && !read_events(&w)) {
            status = EXIT_INDEX;
            goto out;
        }
        if (w.fatal != NULL) {
            status = EXIT_INDEX;
            goto out;
        }
        if (g_hash_table_size(w.writing) > 0)
            check_writing(&w);
    }
    /* Stopped by SIGINT or SIGTERM: the batch under way committed what it had done. */
    tracuu_log_info("stopped by signal %d", (int)tracuu_indexer_interrupted);
    status = EXIT_ALL_OK;

out:
    if (w.fatal != NULL)
        tracuu_log_warning("%s", w.fatal);
    if (w.fd >= 0)
        close(w.fd);
    g_free(w.fatal);
    g_free(w.db);
    g_hash_table_destroy(w.path_wd);
    g_hash_table_destroy(w.wd_path);
    g_hash_table_destroy(w.changed);
    g_hash_table_destroy(w.writing);
    g_ptr_array_free(w.abs_roots, TRUE);
    return status;
}
