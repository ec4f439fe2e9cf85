/* watch.h - tracuu-indexer --watch: follows the roots with inotify and indexes what changes. */
#pragma once

#include "indexer-private.h"

G_BEGIN_DECLS

/* What one batch did, for the log line watch mode writes after it. */
typedef struct {
    guint seen, indexed, removed, failed;
    guint64 documents;
    guint commits;
    gboolean locked; /* the index was locked by another writer: nothing done, try again */
    double elapsed;
} tracuu_watch_stats;

/*
 * Runs one incremental run and returns its exit status (docs/tracuu-indexer.md), filling
 * @stats. With @changed NULL it is an ordinary run over the roots (the first one, and the
 * rescan after an inotify overflow); else @changed (NULL-terminated) are the absolute paths
 * below @abs_roots (the roots made absolute) that changed, were added or are gone.
 */
typedef int (*tracuu_watch_batch_fn)(const char *const *changed, const char *const *abs_roots,
                                     tracuu_watch_stats *stats, void *user_data);

/* Reads the configuration again (SIGHUP). FALSE when it could not: the old one stays. */
typedef gboolean (*tracuu_watch_reload_fn)(void *user_data);

/*
 * Watch mode: an ordinary run over @roots (NULL-terminated, as given), then for as long as no
 * SIGINT or SIGTERM comes (tracuu_indexer_interrupted), the paths inotify reports changed are
 * gathered until 1 s passes without an event (at most 5 s after the first), and @batch runs
 * once on them: one run, its commits, for the whole burst. A folder created later is watched
 * and walked; an overflow of the inotify queue (or more than TRACUU_WATCH_QUEUE_LIMIT events
 * in one batch, a test hook) makes the next batch an ordinary run over the roots. The index is
 * opened by each batch and closed after it, so that its lock is held only while a batch runs
 * and other writers (a manual run, --compact) get in between; a batch that finds the index
 * locked is tried again a second later. SIGHUP calls @reload, then rescans. Logs with
 * tracuu-log.h. Returns the exit status: 0 when stopped by a signal, EXIT_INDEX when the index
 * cannot be used or the roots cannot be watched (the message names the sysctl to raise when
 * inotify's limit of watches is reached).
 */
int tracuu_watch_main(const tracuu_indexer_options *opts, const char *const *roots,
                      tracuu_watch_batch_fn batch, tracuu_watch_reload_fn reload,
                      void *user_data);

G_END_DECLS
