/* tracuu-store-backup.h - a consistent copy of a live index, and putting one back in place. */
#pragma once

/*
 * Same conventions as tracuu-store.h: C linkage, no C++ exception crosses this boundary,
 * malloc()ed strings, no GLib. Both calls copy with Xapian's compaction in a child process
 * (tracuu-store-compact.h says why a child), which reads one revision of its source from start
 * to end: Xapian's readers see a committed revision whole, whatever a writer does meanwhile.
 */

#include "tracuu-store-compact.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The file a backup folder holds beside Xapian's tables: "revision N", "date ISO-8601",
 * "source PATH", "documents N", one per line. Xapian ignores files it does not know. */
#define TRACUU_STORE_BACKUP_FILE "tracuu-backup"

typedef struct {
    uint64_t revision;  /* the revision of the source that was copied */
    uint64_t doc_count; /* documents in the copy */
    uint64_t size;      /* bytes of the copy's files */
    double seconds;
    int held; /* 1 if a writer's commits had to wait for the copy (see tracuu_store_backup()) */
} tracuu_store_backup_stats;

/*
 * Copies the index in the folder @path to the new folder @dest, at one revision, while readers
 * go on reading and a writer may go on writing @path (no lock is taken). @dest must not exist,
 * or be an empty folder. The copy is written into "@dest.tmp" (with a marker file, so that one
 * left by a killed backup is known and removed by the next), synced, and renamed to @dest: a
 * @dest that exists is whole. Document numbers are kept and the metadata (versions, file
 * states) copied, so the copy is an index tracuu-indexer can go on with. The revision copied
 * and the date are written to @dest/TRACUU_STORE_BACKUP_FILE. If the writer commits so much
 * during the copy that the revision being read is discarded, the copy starts again (up to 5
 * times), holding the index meanwhile: the file "tracuu-backup-hold.PID" in @path, which makes
 * the commits of tracuu_store_commit() wait until the copy is made (its reader survives the
 * one commit that may have been under way). @opts (may be NULL) as for tracuu_store_compact().
 *
 * Returns OK, or NOT_FOUND (no index at @path), CORRUPT (not an index), IO (@dest exists and is
 * not an empty folder, the disk is full, permissions), INVALID (no path), ERROR (cancelled,
 * anything else). On failure nothing is left at @dest or "@dest.tmp" and *@error (if not NULL)
 * gets a malloc()ed message (caller frees with free()). @stats (if not NULL) is filled on
 * success.
 */
tracuu_store_status tracuu_store_backup(const char *path, const char *dest,
                                        const tracuu_store_compact_options *opts,
                                        tracuu_store_backup_stats *stats, char **error);

/*
 * Puts a copy of the index in the folder @src (a backup) in place of the index in @path, which
 * may be missing. The write lock of @path is held throughout (another writer: LOCKED), so no
 * indexer writes meanwhile. The copy is made in "@path.restoring" beside @path, brought to a
 * revision above @path's (so that readers reopening by revision number cannot mistake it for
 * what they hold), synced, and swapped with @path in one atomic renameat2(RENAME_EXCHANGE), or
 * two renames through "@path.restoring-old" where the file system cannot (the rules of
 * tracuu_store_compact()); the old index is then removed. @src is left as it was. The metadata
 * (versions and file states) is @src's, so the next run of the indexer reads again what changed
 * since the backup. On failure @path is as it was.
 *
 * Returns as tracuu_store_backup(); *@error likewise.
 */
tracuu_store_status tracuu_store_restore(const char *path, const char *src,
                                         const tracuu_store_compact_options *opts,
                                         tracuu_store_backup_stats *stats, char **error);

#ifdef __cplusplus
}
#endif
