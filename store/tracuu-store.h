/* tracuu-store.h - C API over Xapian for the tracuu archive. */
#pragma once

/*
 * The only door to Xapian. It is thin and has no policy: callers hand over every term,
 * position, value and filter; the store adds nothing of its own. No C++ exception crosses
 * this boundary: every call that can fail returns a tracuu_store_status, and the message of
 * the last failure is kept on the handle (tracuu_store_get_error()).
 *
 * Not thread-safe: use one tracuu_store per thread (Xapian database handles are not shared).
 * No GLib here: strings returned are allocated with malloc() and freed with free().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    TRACUU_STORE_OK = 0,
    TRACUU_STORE_NOT_FOUND,   /* no such database, document or key */
    TRACUU_STORE_LOCKED,      /* another writer holds the database */
    TRACUU_STORE_CORRUPT,     /* the database is damaged or not a Xapian database */
    TRACUU_STORE_INVALID,     /* a bad argument: term too long, bad query, bad slot... */
    TRACUU_STORE_READ_ONLY,   /* a write on a handle opened for reading */
    TRACUU_STORE_IO,          /* the file system failed: permissions, disk full... */
    TRACUU_STORE_TIMEOUT,     /* the search ran out of its time limit */
    TRACUU_STORE_ERROR,       /* anything else Xapian or the C++ runtime threw */
} tracuu_store_status;

/* Longest term Xapian accepts, in bytes. Longer terms make tracuu_store_replace() fail. */
#define TRACUU_STORE_MAX_TERM 245

typedef enum {
    TRACUU_STORE_READ = 0,     /* open an existing database for reading */
    TRACUU_STORE_WRITE,        /* open an existing database for writing */
    TRACUU_STORE_CREATE,       /* open for writing, creating it if missing */
} tracuu_store_mode;

typedef struct tracuu_store tracuu_store;

/* Short English name of @status ("locked", "not found"...). Static string. */
const char *tracuu_store_status_name(tracuu_store_status status);

/*
 * Opens the database at @path. On success sets *@out to a handle (free with
 * tracuu_store_free()). On failure sets *@out to NULL and, when @error is not NULL, *@error to
 * a malloc()ed message that names the path and the cause (caller frees with free()).
 * A missing database opened with READ or WRITE gives TRACUU_STORE_NOT_FOUND; a database held by
 * another writer gives TRACUU_STORE_LOCKED.
 *
 * Test hook: with TRACUU_STORE_FAULT=enospc-after:N in the environment, a handle opened for
 * writing fails its (N+1)-th tracuu_store_replace() and every later commit as a full disk does
 * (TRACUU_STORE_IO, "No space left on device"), and drops what was not committed.
 */
tracuu_store_status tracuu_store_open(const char *path, tracuu_store_mode mode, tracuu_store **out,
                                      char **error);

/* ---- Shards: an index that is a Xapian stub file listing several databases ---- */

/*
 * A stub file (given as @path, or DIR/XAPIANDB when @path is a folder holding one) lists the
 * shards of one index, a line each: "auto PATH" or "glass PATH" for a local database (a
 * relative PATH is taken against the stub's folder), "remote HOST:PORT" for one served by
 * xapian-tcpsrv; blank lines and lines starting with "#" are skipped (docs/scaling.md).
 * tracuu_store_open() with TRACUU_STORE_READ opens each and searches them as one database:
 * the same hits, scores, totals and facets as one index holding the same documents. Opening
 * one for writing fails with TRACUU_STORE_INVALID: shards are written one by one.
 *
 * A shard that cannot be opened, or fails with a network error during a search, is left out:
 * the search is answered by the others (tracuu_store_shard_ok() then says false for it), and
 * tracuu_store_reopen() tries it again, at most every 3 seconds. Document numbers do not move
 * while a shard is missing. Opening fails only when no shard at all can be opened.
 */

/* Default time limits of remote shards, in milliseconds: for each exchange, and to connect. */
#define TRACUU_STORE_REMOTE_TIMEOUT_MS 10000
#define TRACUU_STORE_CONNECT_TIMEOUT_MS 2000

/* Whether @path is a sharded index: a stub file, or a folder holding XAPIANDB. */
bool tracuu_store_is_sharded_path(const char *path);

/*
 * The local shards of the sharded index at @path, resolved as the store opens them, in the
 * stub's order (remote lines are skipped): a malloc()ed NULL-terminated array of malloc()ed
 * strings (free each, then the array), its length in *@n (if not NULL). NULL (and *@n 0) when
 * @path is not a sharded index or its stub cannot be read.
 */
char **tracuu_store_shard_paths(const char *path, size_t *n);

/* Whether @store was opened from a stub file (even of one line). */
bool tracuu_store_is_sharded(tracuu_store *store);

/* Number of shards of @store (1 for a plain index). */
size_t tracuu_store_get_shard_count(tracuu_store *store);

/*
 * Name of shard @i as its stub line gives it (the path as written, or HOST:PORT); the path of
 * a plain index for @i 0. NULL when @i is out of range. Valid while @store is open.
 */
const char *tracuu_store_get_shard_name(tracuu_store *store, size_t i);

/* Whether shard @i is being searched (false while it is left out; true for a plain index). */
bool tracuu_store_shard_ok(tracuu_store *store, size_t i);

/* Documents of shard @i (0 while it is missing, or when @i is out of range). */
uint64_t tracuu_store_get_shard_doc_count(tracuu_store *store, size_t i);

/*
 * Time limits for the remote shards of @store, in milliseconds (0 keeps the current value):
 * @timeout_ms for each exchange with a server (past it the shard is left out of that search),
 * @connect_timeout_ms to connect. Open remote shards are connected again with them.
 */
void tracuu_store_set_remote_timeouts(tracuu_store *store, unsigned timeout_ms,
                                      unsigned connect_timeout_ms);

/*
 * Closes @store; NULL is accepted. A writable store commits what was added since the last
 * commit first (as Xapian does); call tracuu_store_commit() to know whether that worked.
 */
void tracuu_store_free(tracuu_store *store);

/*
 * The message of the last call on @store if it failed, or "" (each call clears it first, so
 * that after tracuu_store_get_doc_count() or tracuu_store_get_term_freq() returned 0 a caller
 * can tell "none" from a failure). Valid until the next call on @store.
 *
 * Reads that meet Xapian's DatabaseModifiedError (a writer has committed so often that the
 * revision being read is gone) reopen the database and retry, a few times, by themselves:
 * such a read then sees the newer revision. Only if that keeps failing do they return
 * TRACUU_STORE_ERROR.
 */
const char *tracuu_store_get_error(const tracuu_store *store);

/*
 * Makes every change since the last commit durable and visible to readers, atomically. While a
 * backup holds the index (tracuu-store-backup.h) it first waits for the backup to finish, at
 * most TRACUU_STORE_HOLD_MAX_SECONDS, or until the callback of tracuu_store_set_cancel() says
 * to stop waiting: a backup of an index that commits often then still reads one revision whole.
 */
tracuu_store_status tracuu_store_commit(tracuu_store *store);

#define TRACUU_STORE_HOLD_MAX_SECONDS 900

/* @cancelled (may be NULL) is polled while a commit of @store waits for a backup. */
void tracuu_store_set_cancel(tracuu_store *store, bool (*cancelled)(void *user_data),
                             void *user_data);

/* The seconds the commits of @store have waited for backups in all. */
double tracuu_store_get_held_seconds(const tracuu_store *store);

/*
 * For a reading handle: moves to the latest committed revision, so a long-running reader sees
 * what writers committed. Cheap when nothing changed.
 */
tracuu_store_status tracuu_store_reopen(tracuu_store *store);

/*
 * Number of documents, and the revision last committed (0 for an empty new database). The
 * revision of a sharded store is the sum of its open shards' revisions: it grows with every
 * commit to any of them.
 */
uint64_t tracuu_store_get_doc_count(tracuu_store *store);
uint64_t tracuu_store_get_revision(tracuu_store *store);

/* The highest document number in use (0 for an empty database): documents are 1 to that. */
uint32_t tracuu_store_get_last_docid(tracuu_store *store);

/* Number of documents indexed by @term (0 when absent or on error). */
uint64_t tracuu_store_get_term_freq(tracuu_store *store, const char *term, size_t len);

/* ---- Metadata: small key/value strings kept with the index, committed with it. ---- */

/*
 * Sets *@value to a malloc()ed, NUL-terminated copy of the value of @key ("" when the key is
 * absent; Xapian does not tell absent from empty). *@len, if not NULL, gets its length.
 * A sharded store gives the value of the first shard that has one.
 */
tracuu_store_status tracuu_store_get_metadata(tracuu_store *store, const char *key,
                                              char **value, size_t *len);

/* Sets @key to @value (@len bytes); an empty value removes the key. Keys: at most 245 bytes. */
tracuu_store_status tracuu_store_set_metadata(tracuu_store *store, const char *key,
                                              const char *value, size_t len);

/*
 * Calls @func for every metadata key starting with @prefix, in key order, with its value.
 * The strings are valid only during the call. @func returns false to stop early. It may use
 * other handles, but must not change @store. If writers discard the revision being read
 * midway, the listing goes on in the newest one after the last key given (each key once).
 * A sharded store lists each shard's keys in turn, in the stub's order.
 */
typedef bool (*tracuu_store_metadata_func)(const char *key, const char *value, size_t len,
                                           void *user_data);
tracuu_store_status tracuu_store_list_metadata(tracuu_store *store, const char *prefix,
                                               tracuu_store_metadata_func func, void *user_data);

/*
 * Calls @func for every term starting with @prefix that indexes at least one document, in term
 * order, with its document frequency. The string is valid only during the call. The listing
 * streams (nothing is copied first) and behaves as tracuu_store_list_metadata() above.
 */
typedef bool (*tracuu_store_term_func)(const char *term, size_t len, uint64_t doc_freq,
                                       void *user_data);
tracuu_store_status tracuu_store_list_terms(tracuu_store *store, const char *prefix,
                                            tracuu_store_term_func func, void *user_data);

/* ---- Documents ---- */

/* A document being built in memory. Not tied to any store. */
typedef struct tracuu_store_doc tracuu_store_doc;

/* Returns a new empty document (never NULL); free with tracuu_store_doc_free(). */
tracuu_store_doc *tracuu_store_doc_new(void);
void tracuu_store_doc_free(tracuu_store_doc *doc); /* NULL accepted */

/*
 * Adds @term at position @pos (positions start at 1 in Xapian; 0 is taken as 1), raising its
 * within-document frequency by @wdf_inc (usually 1).
 *
 * The document builders return nothing: an empty term, a term longer than
 * TRACUU_STORE_MAX_TERM or a bad slot is remembered on @doc, and tracuu_store_replace() then
 * fails with TRACUU_STORE_INVALID and that message, storing nothing of @doc.
 */
void tracuu_store_doc_add_posting(tracuu_store_doc *doc, const char *term, size_t len,
                                  uint32_t pos, uint32_t wdf_inc);

/* Adds @term without a position; @wdf_inc 0 makes a boolean (filter) term. */
void tracuu_store_doc_add_term(tracuu_store_doc *doc, const char *term, size_t len,
                               uint32_t wdf_inc);

/* Sets value slot @slot (used for sorting, ranges and facets) to @len bytes of @value. */
void tracuu_store_doc_set_value(tracuu_store_doc *doc, unsigned slot, const char *value,
                                size_t len);

/* Sets the document's data: an opaque blob (tracuu stores JSON) given back with each hit. */
void tracuu_store_doc_set_data(tracuu_store_doc *doc, const char *data, size_t len);

/*
 * Stores @doc in @store in place of every document indexed by @unique_term (adds it when there
 * is none). The document must itself carry @unique_term to be found again by it. Does not
 * commit. Sets *@docid (if not NULL) to the document's number. Terms longer than
 * TRACUU_STORE_MAX_TERM make this fail with TRACUU_STORE_INVALID and store nothing.
 */
tracuu_store_status tracuu_store_replace(tracuu_store *store, const char *unique_term,
                                         const tracuu_store_doc *doc, uint32_t *docid);

/* Deletes every document indexed by @term (none is not an error). Does not commit. */
tracuu_store_status tracuu_store_delete(tracuu_store *store, const char *term);

/*
 * Finds the first document indexed by @term and sets *@data to a malloc()ed copy of its data
 * (NUL-terminated; *@len its length) and *@docid (if not NULL). TRACUU_STORE_NOT_FOUND if none.
 */
tracuu_store_status tracuu_store_get_data(tracuu_store *store, const char *term, char **data,
                                          size_t *len, uint32_t *docid);

/* The same by document number. */
tracuu_store_status tracuu_store_get_data_by_id(tracuu_store *store, uint32_t docid,
                                                char **data, size_t *len);

/* Sets *@value to a malloc()ed copy of value slot @slot of document @docid ("" when unset). */
tracuu_store_status tracuu_store_get_value(tracuu_store *store, uint32_t docid, unsigned slot,
                                           char **value, size_t *len);

/*
 * Called by tracuu_store_retag() once for each document it changes, with the document's number
 * and data (valid only during the call). The callback adds the document's new terms to @edit
 * (an empty document of the store's own: tracuu_store_doc_add_term(), usually with wdf 0 for
 * boolean terms) and may give it new data (tracuu_store_doc_set_data()); data left unset stays
 * as it was. Values and positions set on @edit are ignored. Returns false to refuse the
 * document: the retag then stops with TRACUU_STORE_INVALID.
 */
typedef bool (*tracuu_store_retag_func)(uint32_t docid, const char *data, size_t len,
                                        tracuu_store_doc *edit, void *user_data);

/*
 * Changes some boolean terms and the data of every document indexed by @filter_term, in place
 * (the other terms, positions and values are kept): what relabelling needs, without the text
 * that made the document. For each document, first every term of one of the prefixes in
 * @drop_prefixes (NULL-terminated) is removed; a term counts as of prefix P when it starts with
 * P and the byte after P is not an upper-case ASCII letter, since by Xapian's convention "XAB"
 * would be a prefix of its own, not "XA" followed by a value. Then @func is called, and the
 * terms it added to its edit are added, and its data set. Sets *@n_changed (if not NULL) to the
 * number of documents replaced. Does not commit: a caller commits the change with whatever
 * must go with it. On failure the documents changed before it stay changed in the uncommitted
 * revision, and the status (TRACUU_STORE_INVALID when @func refused one or its edit holds a bad
 * term) and message say which.
 */
tracuu_store_status tracuu_store_retag(tracuu_store *store, const char *filter_term,
                                       const char *const *drop_prefixes,
                                       tracuu_store_retag_func func, void *user_data,
                                       uint32_t *n_changed);

/* ---- Queries: trees built from C, then run by tracuu_store_search(). ---- */

typedef struct tracuu_query tracuu_query;

typedef enum {
    TRACUU_QUERY_AND = 0,
    TRACUU_QUERY_OR,
    TRACUU_QUERY_AND_NOT,   /* first sub-query, without documents matching any of the others */
    TRACUU_QUERY_AND_MAYBE, /* first sub-query; the others only add weight */
    TRACUU_QUERY_FILTER,    /* first sub-query, restricted to the others, which add no weight */
    TRACUU_QUERY_PHRASE,    /* in order, within @window positions (0: number of sub-queries) */
    TRACUU_QUERY_NEAR,      /* any order, within @window positions */
    TRACUU_QUERY_SYNONYM,   /* one term for weighting: variants of one word */
    TRACUU_QUERY_MAX,       /* weight of the best-matching sub-query */
} tracuu_query_op;

/*
 * Every constructor returns a new query (free with tracuu_query_free()) or NULL when it cannot
 * be made (a bad argument, no memory). Combining functions take ownership of the sub-queries
 * they are given, also when they fail, so that a tree is built without temporaries to free.
 */

/* A term, with query frequency @wqf (weight multiplier, usually 1) and query position @pos. */
tracuu_query *tracuu_query_new_term(const char *term, size_t len, uint32_t wqf, uint32_t pos);

/* Every document, or none. */
tracuu_query *tracuu_query_new_match_all(void);
tracuu_query *tracuu_query_new_match_nothing(void);

/*
 * Documents with a term starting with @prefix, expanded over at most @max_terms terms (0: no
 * limit); past the limit the most frequent terms are kept. The expansions are weighted as one
 * SYNONYM (Xapian's default); scale by 0 for a pure filter. Cannot be put in a PHRASE/NEAR.
 */
tracuu_query *tracuu_query_new_wildcard(const char *prefix, uint32_t max_terms);

/*
 * Documents whose value in @slot lies in [@lo, @hi], compared as byte strings (store dates as
 * "YYYYMMDD"). Either end may be NULL (or "" for @lo) for an open range. A range, even with
 * both ends open, matches only documents that have a value in @slot.
 */
tracuu_query *tracuu_query_new_value_range(unsigned slot, const char *lo, const char *hi);

/*
 * Combines @n sub-queries with @op (see tracuu_query_op); takes ownership of them all, and
 * returns NULL if any of them is NULL (a constructor upstream failed).
 *
 * PHRASE and NEAR (Xapian 1.4.22) accept only terms and OR of terms as sub-queries, so
 * "accented OR folded" per syllable works: PHRASE(OR(quyết, Fquyet), OR(định, Fdinh)).
 * Any other sub-query (AND, SYNONYM, MAX, a scaled term, a wildcard, a value range, a nested
 * PHRASE) is refused when the query is made: this returns NULL. A match-all sub-query is
 * accepted but has no positions, so such a phrase matches nothing.
 */
tracuu_query *tracuu_query_combine(tracuu_query_op op, tracuu_query **subs, size_t n,
                                   uint32_t window);

/* Multiplies the weight of @q by @factor (0 makes it a pure filter); takes ownership of @q. */
tracuu_query *tracuu_query_scale(tracuu_query *q, double factor);

/* A copy of @q (cheap: Xapian queries share their trees). */
tracuu_query *tracuu_query_copy(const tracuu_query *q);

/*
 * A copy of @q that shares nothing with it, so that another thread may use it while this one
 * uses @q (Xapian's queries count their shared parts without atomics, so tracuu_query_copy()
 * results must stay on one thread). Costs a serialisation of the tree.
 */
tracuu_query *tracuu_query_clone(const tracuu_query *q);

/*
 * Documents numbered @first to @last (both included), weightless: to run a query over a part
 * of the index with FILTER, e.g. each half on its own thread. Numbers with no document match
 * nothing. NULL when @first is 0 or @first > @last.
 */
tracuu_query *tracuu_query_new_docid_range(uint32_t first, uint32_t last);

/*
 * The documents numbered in @docids (@n of them, any order, repeats allowed), weightless: to
 * score a known set of documents with FILTER. NULL when @n is 0 or a number is 0.
 */
tracuu_query *tracuu_query_new_docids(const uint32_t *docids, size_t n);

/* A readable description of @q for logs and tests; malloc()ed, free with free(). */
char *tracuu_query_describe(const tracuu_query *q);

void tracuu_query_free(tracuu_query *q); /* NULL accepted */

/* ---- Search ---- */

typedef struct {
    uint32_t offset;           /* first hit to return */
    uint32_t limit;            /* hits to return; 0 returns none (totals and facets only) */
    int sort_slot;             /* -1 for relevance; else the value slot to sort by */
    bool sort_descending;      /* with sort_slot: largest first */
    double bm25_k1;            /* BM25 parameters; 0 and 0 use Xapian's defaults */
    double bm25_b;
    const unsigned *facet_slots; /* value slots to count over the whole match set */
    size_t n_facet_slots;
    uint32_t facet_limit;      /* most frequent values to return per facet; 0 for all */
    uint32_t check_at_least;   /* match at least this many documents (exact totals, facets) */
    double time_limit;         /* seconds, 0 for none: past it, TRACUU_STORE_TIMEOUT (below) */
    bool no_data;              /* hits without their data (data NULL, data_len 0): the caller
                                  only needs numbers and scores, e.g. to merge partial results */
} tracuu_search_options;

/* Sets @opts to defaults: offset 0, limit 10, relevance, no facets, no time limit. */
void tracuu_search_options_init(tracuu_search_options *opts);

typedef struct {
    uint32_t docid;
    double score;
    uint32_t rank;       /* 0-based rank in the whole result list */
    char *data;          /* the document's data, NUL-terminated */
    size_t data_len;
    char *sort_key;      /* sorted by a value: the document's value in that slot ("" when
                            unset), NUL-terminated; NULL for relevance order */
    size_t sort_key_len;
} tracuu_hit;

typedef struct {
    char *value;         /* a value as stored in the slot, NUL-terminated */
    size_t value_len;
    uint64_t count;      /* matching documents with that value */
} tracuu_facet_value;

typedef struct {
    unsigned slot;
    tracuu_facet_value *values; /* most frequent first; ties by value */
    size_t n_values;
} tracuu_facet;

typedef struct {
    uint64_t total;       /* Xapian's best estimate of matching documents */
    uint64_t total_lower; /* bounds of that estimate (equal when exact) */
    uint64_t total_upper;
    tracuu_hit *hits;
    size_t n_hits;
    tracuu_facet *facets; /* one per requested slot, in request order */
    size_t n_facets;
} tracuu_results;

/*
 * Runs @query on @store with @opts (NULL for defaults) and sets *@out to the results (free
 * with tracuu_results_free()). Scores are BM25 with the given parameters. The data of every
 * returned hit is copied, so no Xapian object outlives the call. Sorting by a value sorts
 * documents without one as "" and breaks ties by relevance.
 *
 * Time limit: Xapian 1.4 (Enquire::set_time_limit) does not stop a match; when the limit
 * passes it stops checking documents beyond those needed for the requested hits (it turns
 * check_at_least off). The store returns TRACUU_STORE_TIMEOUT when the search took at least
 * the limit and its totals or facets are then not exact. *@out is set then too, with the hits
 * found, estimated totals and the facets counted so far: the caller frees it either way. On
 * any other failure *@out is NULL. Xapian's timer runs on a thread of its own, so a limit far
 * below a millisecond may not cut anything.
 */
tracuu_store_status tracuu_store_search(tracuu_store *store, const tracuu_query *query,
                                        const tracuu_search_options *opts,
                                        tracuu_results **out);

void tracuu_results_free(tracuu_results *results); /* NULL accepted */

#ifdef __cplusplus
}
#endif
