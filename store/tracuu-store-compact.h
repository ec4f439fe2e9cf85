/* tracuu-store-compact.h - compacts an index and swaps the result in place of it. */
#pragma once

/*
 * A freshly built Xapian index has half-full blocks; compacting it after a bulk load makes it
 * smaller and faster to search (Xapian's own advice). Same conventions as tracuu-store.h: C
 * linkage, no C++ exception crosses this boundary, malloc()ed strings, no GLib.
 */

#include "tracuu-store.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    /*
     * Called, if not NULL, when Xapian starts a table (@status "") and when it is done with it
     * (@status says how much it saved). The strings are valid only during the call.
     */
    void (*progress)(const char *table, const char *status, void *user_data);
    /*
     * Called, if not NULL, about ten times a second while Xapian compacts, after each
     * progress call, and last just before the swap: returning true stops the compaction at
     * once (Xapian runs in a child process, which is killed), leaves the index as it was, and
     * makes tracuu_store_compact() return TRACUU_STORE_ERROR ("interrupted").
     */
    bool (*cancelled)(void *user_data);
    void *user_data;
} tracuu_store_compact_options;

typedef struct {
    uint64_t size_before;   /* bytes of the index files before, and after */
    uint64_t size_after;
    uint64_t doc_count;     /* documents, the same before and after */
    uint64_t metadata_keys; /* metadata keys found equal in both copies */
    double seconds;         /* wall-clock time of the whole call */
    bool replaced;          /* false: the copy was not 1% (and 64 kB) smaller, so it was
                               dropped and the index left untouched (size_after = before) */
} tracuu_store_compact_stats;

/*
 * Compacts the index in the folder @path with Xapian's Database::compact() (document ids kept:
 * ids and the metadata that names them stay valid) and puts the result in its place.
 *
 * How, and why it is safe:
 * - The index's write lock is held from the start to the end (a WritableDatabase is open on
 *   it), so another writer fails with TRACUU_STORE_LOCKED meanwhile, as it would during any
 *   indexing run; and if another writer holds it, this call fails with TRACUU_STORE_LOCKED.
 * - Xapian writes the copy in a child process (fork()): Xapian 1.4 leaks what it was writing
 *   when its compaction fails midway, and cannot be stopped midway; a process can.
 * - The copy is written to the folder "@path.compacting" beside @path (the same parent, so
 *   that renames are atomic). Before the swap the copy is checked against the index: the same
 *   document count and last document id, every metadata key with the same value (schema and
 *   tokenizer versions, the indexer's file states), the same data for the first documents.
 *   Its files are synced to disk.
 * - A copy that is not smaller than the index by at least 1% and 64 kB (an index compacted
 *   already and changed little since) is dropped: little would be gained, and readers keep
 *   their files.
 * - The swap exchanges the two folders in one atomic renameat2(RENAME_EXCHANGE), so @path
 *   always names a whole index; where the file system cannot, @path is renamed to
 *   "@path.compacting-old" and the copy to @path (if the second rename fails the first is
 *   undone). The old copy is then removed.
 * - Xapian numbers the revisions of a compacted database from 1, and a reader's reopen()
 *   compares revision numbers only: one that holds the same number keeps its old, deleted
 *   files. So the copy is brought to the old revision + 1 by empty commits that leave no
 *   trace (about 0.2 ms each): revision numbers only ever grow, across compactions too, and
 *   no reader can be fooled by an old one.
 * - On any failure (Xapian throws, the disk is full, the copy differs, @cancelled) @path is
 *   left as it was and the temporary folder is removed.
 * - A folder "@path.compacting" left by a compaction that was killed is removed first: it is
 *   recognised by a marker file in it. One without the marker is not ours: the call then
 *   fails with TRACUU_STORE_IO and leaves both alone. "@path.compacting-old" is never removed
 *   (a kill between the two renames leaves the only copy of the index there): if it exists
 *   when the two-rename swap needs it, the call fails with TRACUU_STORE_IO.
 *
 * @opts may be NULL. @stats, if not NULL, is filled on success (zeroed otherwise).
 *
 * Returns TRACUU_STORE_OK, or: NOT_FOUND (no index at @path), LOCKED (another writer),
 * CORRUPT (not a Xapian index, or the copy differs from it), IO (the file system: permissions,
 * disk full, a foreign folder in the way), INVALID (no path, or "/"), ERROR (cancelled, or
 * anything else). On failure *@error (if @error is not NULL) gets a malloc()ed message naming
 * the path and the cause (caller frees with free()); on success it is NULL, except when the old
 * copy could not be removed after the swap: the index is then compacted and in place, and the
 * message names the folder left behind.
 *
 * Test hook: the environment variable TRACUU_COMPACT_FAULT, if set, makes the call take the
 * two-rename swap ("no-exchange"), change a metadata value in the copy before it is checked
 * ("differ"), fail just before the swap ("before-swap"), fail between the two renames of that
 * swap ("mid-swap"), to check that the index survives each; or wait
 * 3 s before and 3 s after the swap ("slow"), to check what other writers and readers see
 * meanwhile.
 */
tracuu_store_status tracuu_store_compact(const char *path, const tracuu_store_compact_options *opts,
                                         tracuu_store_compact_stats *stats, char **error);

#ifdef __cplusplus
}
#endif
