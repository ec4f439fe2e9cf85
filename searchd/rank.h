/* rank.h - the engine's ranking (rank.c): passes, accent guess, document-number tiers. */
#pragma once

#include "engine-private.h"

G_BEGIN_DECLS

/* What rank.c needs of the engine (engine.c gives it). */
typedef struct tracuu_engine tracuu_engine;

/* The ranking knobs of @e (tracuu_engine_set_rank_params()), borrowed. */
const tracuu_rank_params *tracuu_engine_get_rank_params(tracuu_engine *e);

/* Whether @e searches a sharded index (whose shards cannot run tracuu's posting sources). */
gboolean tracuu_engine_is_sharded(tracuu_engine *e);

/* The tokenizer of @e, borrowed: for reading the words of hits. */
tracuu_tokenizer *tracuu_engine_get_tokenizer(tracuu_engine *e);

/* Whether the current request's caller sees only some documents (a visibility filter). */
gboolean tracuu_engine_is_restricted(tracuu_engine *e);

/*
 * Runs one search of the request on @e, split when the request is, within what is left of its
 * time limit. Returns the store's status; *@out is the caller's (tracuu_results_free()).
 */
tracuu_store_status tracuu_engine_search(tracuu_engine *e, const tracuu_query *q,
                                         const tracuu_search_options *opts,
                                         tracuu_results **out);

/* Sets @error for a search of @e that failed with @st (@what names the operation). */
/* How many documents, visible to the caller or not, @term indexes (0 on error too): only to skip
   a search that cannot find anything, never to show or count. */
uint64_t tracuu_engine_term_freq(tracuu_engine *e, const char *term);

void tracuu_engine_store_error(tracuu_engine *e, tracuu_store_status st, GError **error,
                               const char *what);

/* Calls @read with the title, then the text, of @hit's stored data (those it has). */
void tracuu_engine_read_hit(const tracuu_hit *hit,
                            void (*read)(const char *text, size_t len, gpointer user_data),
                            gpointer user_data);

/* A query compiled for one run: the ranked query and, for two passes, its base. */
typedef struct {
    tracuu_compiled c;
    tracuu_query *base; /* the same match without the pair bonuses, or NULL: one pass */
    GHashTable *restore; /* the accents guessed for an accent-free query (the @restore table
                            of tracuu_query_compile(), owned), or NULL: none guessed */
} tracuu_ranked;

/*
 * Compiles the prepared @ast for a search of @e ordered by @sort_slot (-1: relevance), with
 * @relaxed as tracuu_query_compile() takes it; for an accent-free query ranked by relevance,
 * guesses its accents from the best hits (a search with @opts) and compiles again with them.
 * FALSE with @error when the query cannot be built. The caller clears @out with
 * tracuu_ranked_clear().
 */
gboolean tracuu_rank_compile(tracuu_engine *e, const tracuu_qnode *ast, gboolean relaxed,
                             int sort_slot, const tracuu_search_options *opts,
                             tracuu_ranked *out, GError **error);

void tracuu_ranked_clear(tracuu_ranked *r);

/*
 * Runs @rk with @opts (its facets and check_at_least; offset and limit are set here) for the
 * hits [@offset, @offset + @limit) in their order: document-number tiers when the words hold
 * one and the order is by relevance, two passes for pair bonuses. *@whole gets the run over the
 * whole match (total, facets, and the hits unless tiers give them); @pages gets the tiers'
 * results (tracuu_results *, to free with tracuu_results_free()), whose hits follow those of
 * *@whole. FALSE with @error (timeout, index) when a search fails; *@whole is then NULL.
 */
gboolean tracuu_rank_run(tracuu_engine *e, const tracuu_ranked *rk, tracuu_search_options *opts,
                         uint64_t offset, uint64_t limit, int sort_slot,
                         tracuu_results **whole, GPtrArray *pages, GError **error);

G_END_DECLS
