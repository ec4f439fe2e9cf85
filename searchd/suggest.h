/* suggest.h - "did you mean": a better reading of a query, from the archive's own words. */
#pragma once

#include "rank.h"

G_BEGIN_DECLS

/* Below this many matches a query "finds little", and misspellings are looked for. */
#define TRACUU_SUGGEST_FEW 3

/* Candidates within one edit of a misspelled word or number counted under the caller's filter
 * (one small search each, in term order), and the most frequent of those that are then weighed
 * beside the neighbouring words (two more each). */
#define TRACUU_SUGGEST_CHECK_MAX 256
#define TRACUU_SUGGEST_CANDIDATES 16

/* Corrections looked for in one query at most (the first words and numbers that need one), so
 * that a long query of made-up words costs little more than a short one. */
#define TRACUU_SUGGEST_MAX_WORDS 8

/*
 * The archive's vocabulary for corrections: its words as written (the unprefixed terms) and
 * its document numbers (the "XN" terms), listed once per revision of the index and kept by the
 * engine between requests. Free with tracuu_suggest_vocab_free() (NULL accepted).
 */
typedef struct tracuu_suggest_vocab tracuu_suggest_vocab;
void tracuu_suggest_vocab_free(tracuu_suggest_vocab *vocab);

/*
 * The suggestion for @query (the request's query text, NUL-terminated) that @rk answered
 * with @total matches, or NULL when there is none; caller frees with g_free(). @ast is the
 * prepared tree @rk was compiled from; @relaxed says the strict run (all words) found nothing.
 *
 * The suggestion is @query with some words or numbers replaced, and nothing else changed
 * (field names, operators, quotes and spacing stay as typed):
 * - a word typed without diacritics takes the accents the engine guessed for it from the best
 *   hits (@rk->restore, rank.c);
 * - when the query finds little (@relaxed, or fewer than TRACUU_SUGGEST_FEW matches), a word
 *   (typed with diacritics: as typed; without: in any accent) or a document number that the
 *   caller's documents lack is replaced by the most likely one within one edit of it (a letter
 *   or tone changed, dropped, added or two letters swapped; a number's year added):
 *   "13/2020/nđ-cp" by "12/2020/nđ-cp", "12/nđ-cp" by "12/2020/nđ-cp". With the rank knob
 *   suggest_absent, a word no document has is replaced so whatever the query finds, for a
 *   caller who sees every document.
 * Candidates come from @vocab (built or renewed here from @store when the index changed) and
 * are ranked by how often they stand beside the query's neighbouring words, then by how many
 * documents have them, both counted by tracuu_engine_search(), under the caller's visibility
 * filter: a word or number only hidden documents have is never suggested.
 * NULL too when the suggestion would be @query itself, or @query is not valid UTF-8.
 */
char *tracuu_suggest_make(tracuu_engine *e, tracuu_store *store, tracuu_suggest_vocab **vocab,
                          const char *query, const tracuu_qnode *ast, const tracuu_ranked *rk,
                          gboolean relaxed, uint64_t total);

/*
 * Whether @a and @b (@na and @nb characters) are one edit apart: one character changed,
 * dropped, added, or two neighbours swapped (not equal). For tests and the bench.
 */
gboolean tracuu_suggest_one_edit(const gunichar *a, size_t na, const gunichar *b, size_t nb);

G_END_DECLS
