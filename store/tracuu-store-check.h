/* tracuu-store-check.h - reads a whole index for its check: Xapian's own, and every document. */
#pragma once

/*
 * What tracuu-indexer --check needs from Xapian, with the conventions of tracuu-store.h: C
 * linkage, no C++ exception crosses this boundary, malloc()ed strings, no GLib, no policy (the
 * caller says which term prefixes it wants and judges what it gets).
 */

#include "tracuu-store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Runs Xapian's own consistency check (Xapian::Database::check()) on the index in the folder
 * @path: every table's B-tree, and the tables against each other. Sets *@n_errors to the number
 * of errors Xapian counted and *@report (if not NULL) to a malloc()ed copy of the lines it wrote
 * about them (caller frees with free()). A table so damaged that Xapian stops reading it gives
 * TRACUU_STORE_CORRUPT with Xapian's message in *@error (and *@n_errors 1): that is a finding
 * too, not a failure of the check. Other failures (no index at @path: NOT_FOUND, the file system:
 * IO) set *@error (caller frees with free()).
 * On a live index the check reads the newest revision while a writer may be writing the next:
 * check a copy (tracuu-indexer --backup checks its own) for an answer that cannot race.
 */
tracuu_store_status tracuu_store_check_xapian(const char *path, uint64_t *n_errors,
                                              char **report, char **error);

/*
 * Called by tracuu_store_each_doc() once per document, in document number order, with its data
 * and its terms of the prefixes asked for (in term order; a term counts for the first prefix it
 * starts with). Everything is valid only during the call. Returns false to stop.
 */
typedef bool (*tracuu_store_doc_func)(uint32_t docid, const char *data, size_t len,
                                      const char *const *terms, const size_t *term_lens,
                                      size_t n_terms, void *user_data);

/*
 * Calls @func for every document of the index in the folder @path, all read at one revision
 * (set in *@revision, if not NULL, as *@n_docs to the number of documents there). @prefixes is
 * NULL-terminated; a prefix "" would give every term, so it is refused (INVALID). If writers
 * discard that revision while it is read (Xapian's DatabaseModifiedError), the listing fails
 * with TRACUU_STORE_ERROR and a message that says so: run it again, or on a copy. On failure
 * *@error (if not NULL) gets a malloc()ed message (caller frees with free()).
 */
tracuu_store_status tracuu_store_each_doc(const char *path, const char *const *prefixes,
                                          tracuu_store_doc_func func, void *user_data,
                                          uint64_t *revision, uint64_t *n_docs, char **error);

#ifdef __cplusplus
}
#endif
