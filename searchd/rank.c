/* rank.c - the ranking: weights' defaults, passes, accent guess, document-number tiers. */
#include <string.h>

#include "legal.h"
#include "rank.h"
#include "tracuu-schema.h"

/*
 * Everything that decides the order of hits is here or in compile.c, which builds the
 * weighted query (docs/ranking.md says why each piece is there). A ranking weight is added in
 * one place: a member of tracuu_rank_params (engine-private.h) with its default in
 * tracuu_rank_params_init() below, applied where compile.c builds the terms it weighs;
 * bench/alqac-eval then measures it. The engine (engine.c) opens the index, reads requests,
 * runs what this file decides and turns the results into hits and facets.
 */

void
tracuu_rank_params_init(tracuu_rank_params *params)
{
    params->accent_weight = 1.0;
    params->folded_weight = 1.0;
    params->folded_accented = 1.0;
    params->title_weight = 0.2;
    params->bigram_weight = 0.4;
    params->bigram_accent = 0.5;
    params->phrase_weight = 1.0;
    params->bm25_k1 = 1.0;
    params->bm25_b = 0.5;
    params->all_words_max = 4;
    params->restore_weight = 0.7;
    params->restore_docs = 10;
    params->rerank_pool = 20;
    params->suggest = TRUE;
    params->suggest_absent = FALSE; /* bench/suggest-eval.md: 7.4% false alarms when on */
    params->question_words = tracuu_question_words_default();
}

/* Documents with the number asked for, and documents citing it, ranked ahead of the rest. */
#define RANK_TIER_MAX 10000
/* Hits past restore_docs read to find those tied with the last one (see guess_accents()). */
#define RANK_GUESS_TIES 10
/* Pages ending past this hit are ranked in one pass (see ranked_search()). */
#define RANK_RERANK_MAX 2000

/* The documents of @r's hits, weightless. */
static tracuu_query *
pool_filter(const tracuu_results *r)
{
    g_autofree uint32_t *ids = g_new(uint32_t, MAX(r->n_hits, 1));
    for (size_t i = 0; i < r->n_hits; i++)
        ids[i] = r->hits[i].docid;
    return tracuu_query_new_docids(ids, r->n_hits);
}

/*
 * The same by the hits' ids (their "Q" terms), read from their data: for a sharded index,
 * where a filter by document number cannot run (each shard of a union would read the numbers
 * as its own, and xapian-tcpsrv knows no posting source of tracuu's). NULL when a hit has no
 * id or the query cannot be made.
 */
static tracuu_query *
pool_filter_by_id(const tracuu_results *r)
{
    g_autoptr(GPtrArray) terms = g_ptr_array_new();
    for (size_t i = 0; i < r->n_hits; i++) {
        g_autoptr(JsonObject) d = tracuu_engine_parse_data(r->hits[i].data, r->hits[i].data_len);
        const char *id = d != NULL ? json_object_get_string_member_with_default(d, "id", NULL)
                                   : NULL;
        g_autofree char *term = id != NULL ? g_strconcat(TRACUU_PREFIX_ID, id, NULL) : NULL;
        if (term == NULL || strlen(term) > TRACUU_STORE_MAX_TERM) {
            for (guint j = 0; j < terms->len; j++)
                tracuu_query_free(terms->pdata[j]);
            return NULL;
        }
        g_ptr_array_add(terms, tracuu_query_new_term(term, strlen(term), 1, 0));
    }
    return tracuu_query_scale(
        tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)terms->pdata, terms->len, 0), 0.0);
}

/*
 * Runs @full ranked by relevance, in two passes when @base (the same match without the
 * adjacent-pair bonuses) is given. The pair bonuses are positional checks, and a common pair
 * ("quy định") would be checked in most of the archive; so @base, whose terms Xapian can prune
 * by weight, finds the total, the facets and the best rerank_pool (or offset + limit)
 * hits, and @full then scores only those documents, which gives them exactly the weights the
 * one-pass search would have. A hit that only the pair bonus would lift into the page from
 * beyond the pool is missed: docs/ranking.md measures what that costs.
 */
static tracuu_store_status
ranked_search(tracuu_engine *e, const tracuu_query *full, const tracuu_query *base,
              const tracuu_search_options *opts, tracuu_results **out)
{
    if (base == NULL || opts->sort_slot >= 0)
        return tracuu_engine_search(e, full, opts, out);
    if (opts->limit == 0) /* totals and facets only: weights do not matter */
        return tracuu_engine_search(e, base, opts, out);
    uint64_t want = (uint64_t)opts->offset + opts->limit;
    if (want > RANK_RERANK_MAX) /* pass one would copy the data of every hit up to the page */
        return tracuu_engine_search(e, full, opts, out);
    tracuu_search_options o1 = *opts;
    o1.offset = 0;
    o1.limit = (uint32_t)MIN(MAX(want, (uint64_t)tracuu_engine_get_rank_params(e)->rerank_pool), (uint64_t)G_MAXUINT32);
    /* Pass two reads the data of the page's hits only; over shards it filters by the ids of
     * pass one's hits, which their data give. */
    gboolean sharded = tracuu_engine_is_sharded(e);
    o1.no_data = !sharded;
    tracuu_results *r1 = NULL;
    tracuu_store_status st = tracuu_engine_search(e, base, &o1, &r1);
    if (st != TRACUU_STORE_OK || r1->n_hits == 0) {
        if (st == TRACUU_STORE_OK) {
            *out = r1;
            return st;
        }
        tracuu_results_free(r1);
        *out = NULL;
        return st;
    }
    tracuu_query *pool = sharded ? pool_filter_by_id(r1) : pool_filter(r1);
    if (pool == NULL) {
        tracuu_results_free(r1);
        return tracuu_engine_search(e, full, opts, out);
    }
    tracuu_query *subs[2] = {tracuu_query_copy(full), pool};
    tracuu_query *q2 = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
    tracuu_search_options o2 = *opts;
    o2.facet_slots = NULL;
    o2.n_facet_slots = 0;
    o2.check_at_least = (uint32_t)r1->n_hits;
    tracuu_results *r2 = NULL;
    st = q2 != NULL ? tracuu_engine_search(e, q2, &o2, &r2) : TRACUU_STORE_ERROR;
    tracuu_query_free(q2);
    if (st == TRACUU_STORE_OK && r2->total_lower != r1->n_hits) {
        /* Every document of the pool matches @full too (the same match, more weight); if
         * not, a writer changed them between the passes: rank in one pass. */
        tracuu_results_free(r2);
        tracuu_results_free(r1);
        return tracuu_engine_search(e, full, opts, out);
    }
    if (st != TRACUU_STORE_OK) {
        tracuu_results_free(r2);
        tracuu_results_free(r1);
        *out = NULL;
        return st;
    }
    /* The total and facets of pass one, the hits of pass two. */
    tracuu_hit *hits = r1->hits;
    size_t n_hits = r1->n_hits;
    r1->hits = r2->hits;
    r1->n_hits = r2->n_hits;
    r2->hits = hits;
    r2->n_hits = n_hits;
    tracuu_results_free(r2);
    *out = r1;
    return TRACUU_STORE_OK;
}


/*
 * A query typed without diacritics matches every accent of its syllables; the best hits show
 * which accents its words have in the archive. Each adjacent pair of query words is looked up
 * in the text of the first hits: the accented pair seen most often there is the guess for both
 * words (a lone word takes its most frequent form). The guessed forms then weigh like typed
 * accents, a little less (restore_weight), so "thu dien tu" ranks like "thư điện tử" when the
 * archive says that is what is meant.
 */
typedef struct {
    GHashTable *wanted;  /* folded forms of the query words */
    GHashTable *pairs;   /* "fa\tfb" of adjacent query words -> (GHashTable "ta\ttb" -> count) */
    GHashTable *singles; /* folded -> (GHashTable term -> count) */
    char *prev_term, *prev_folded;
    uint32_t prev_pos;
    gboolean have_prev;
    tracuu_tokenizer *tk;
} guess_ctx;

static void
bump(GHashTable *outer, const char *key, const char *inner_key)
{
    GHashTable *inner = g_hash_table_lookup(outer, key);
    if (inner == NULL) {
        inner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(outer, g_strdup(key), inner);
    }
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(inner, inner_key));
    g_hash_table_insert(inner, g_strdup(inner_key), GUINT_TO_POINTER(n + 1));
}

static gboolean
guess_token(const tracuu_token *t, gpointer user_data)
{
    guess_ctx *g = user_data;
    if (t->flags & TRACUU_TOKEN_PART)
        return TRUE;
    if (t->kind != TRACUU_TOKEN_WORD || !g_hash_table_contains(g->wanted, t->folded)) {
        g->have_prev = FALSE;
        return TRUE;
    }
    bump(g->singles, t->folded, t->term);
    if (g->have_prev && g->prev_pos + 1 == t->pos) {
        g_autofree char *key = g_strconcat(g->prev_folded, "\t", t->folded, NULL);
        if (g_hash_table_contains(g->pairs, key)) {
            g_autofree char *val = g_strconcat(g->prev_term, "\t", t->term, NULL);
            bump(g->pairs, key, val);
        }
    }
    g_free(g->prev_term);
    g_free(g->prev_folded);
    g->prev_term = g_strdup(t->term);
    g->prev_folded = g_strdup(t->folded);
    g->prev_pos = t->pos;
    g->have_prev = TRUE;
    return TRUE;
}

/* The title, then the text, of one of the best hits (the first 64 KiB are enough). */
static void
guess_read(const char *text, size_t len, gpointer user_data)
{
    guess_ctx *g = user_data;
    g->have_prev = FALSE;
    tracuu_tokenizer_run(g->tk, text, MIN(len, (size_t)65536), 0, guess_token, g);
}

/* Adds the counts of @pair_key whose side @side (0 left, 1 right) is @term. */
static guint
pair_votes(guess_ctx *g, const char *pair_key, int side, const char *term)
{
    GHashTable *inner = g_hash_table_lookup(g->pairs, pair_key);
    if (inner == NULL)
        return 0;
    guint votes = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inner);
    size_t tl = strlen(term);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *tab = strchr(k, '\t');
        const char *part = side == 0 ? k : tab + 1;
        size_t pl = side == 0 ? (size_t)(tab - (const char *)k) : strlen(part);
        if (pl == tl && memcmp(part, term, tl) == 0)
            votes += GPOINTER_TO_UINT(v);
    }
    return votes;
}

static GHashTable *
guess_accents(tracuu_engine *e, const tracuu_compiled *c, const tracuu_query *base_query,
              const tracuu_search_options *base)
{
    GArray *words = c->words;
    tracuu_search_options o = *base;
    o.offset = 0;
    /* The best hits and those tied with the last of them: Xapian orders ties by document
     * number, which differs between one index and shards of it (and after a rebuild), and
     * the guess must not depend on it. A few more are fetched to see the ties. */
    guint want = tracuu_engine_get_rank_params(e)->restore_docs;
    o.limit = want + RANK_GUESS_TIES;
    o.facet_slots = NULL;
    o.n_facet_slots = 0;
    o.sort_slot = -1;
    o.check_at_least = 0;
    tracuu_results *r = NULL;
    /* The hits without the pair bonuses are enough to read accents from (ALQAC: the same
     * nDCG@10 within 0.003), and they cost one search instead of two. */
    const tracuu_query *q = base_query != NULL ? base_query : c->query;
    if (tracuu_engine_search(e, q, &o, &r) != TRACUU_STORE_OK || r->n_hits == 0) {
        tracuu_results_free(r);
        return NULL;
    }
    guess_ctx g = {
        .wanted = g_hash_table_new(g_str_hash, g_str_equal),
        .pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_hash_table_unref),
        .singles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_hash_table_unref),
    };
    for (guint i = 0; i < words->len; i++) {
        const tracuu_qword *w = &g_array_index(words, tracuu_qword, i);
        g_hash_table_add(g.wanted, w->folded);
        if (i > 0 && w->after_word) {
            const tracuu_qword *p = &g_array_index(words, tracuu_qword, i - 1);
            g_autofree char *key = g_strconcat(p->folded, "\t", w->folded, NULL);
            if (!g_hash_table_contains(g.pairs, key))
                g_hash_table_insert(g.pairs, g_steal_pointer(&key),
                                    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL));
        }
    }
    g.tk = tracuu_engine_get_tokenizer(e);
    size_t n = MIN(r->n_hits, (size_t)want);
    while (n > 0 && n < r->n_hits && r->hits[n - 1].score - r->hits[n].score < 1e-9)
        n++;
    for (size_t h = 0; h < n; h++)
        tracuu_engine_read_hit(&r->hits[h], guess_read, &g);
    tracuu_results_free(r);

    GHashTable *restore = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    for (guint i = 0; i < words->len; i++) {
        const tracuu_qword *w = &g_array_index(words, tracuu_qword, i);
        GHashTable *forms = g_hash_table_lookup(g.singles, w->folded);
        if (forms == NULL)
            continue;
        g_autofree char *left = NULL, *right = NULL;
        if (w->after_word)
            left = g_strconcat(g_array_index(words, tracuu_qword, i - 1).folded, "\t",
                               w->folded, NULL);
        if (i + 1 < words->len && g_array_index(words, tracuu_qword, i + 1).after_word)
            right = g_strconcat(w->folded, "\t",
                                g_array_index(words, tracuu_qword, i + 1).folded, NULL);
        /* Pairs decide; the form's own count only breaks ties (and decides lone words). */
        const char *best = NULL;
        double best_score = 0;
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, forms);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            double score = 0.01 * GPOINTER_TO_UINT(v);
            if (left != NULL)
                score += pair_votes(&g, left, 1, k);
            if (right != NULL)
                score += pair_votes(&g, right, 0, k);
            if (score > best_score || (score == best_score && best != NULL && strcmp(k, best) < 0)) {
                best_score = score;
                best = k;
            }
        }
        if (best != NULL)
            g_hash_table_insert(restore, GUINT_TO_POINTER(w->index + 1), g_strdup(best));
    }
    g_free(g.prev_term);
    g_free(g.prev_folded);
    g_hash_table_unref(g.wanted);
    g_hash_table_unref(g.pairs);
    g_hash_table_unref(g.singles);
    return restore;
}


static tracuu_query *
filtered(tracuu_query *q, const tracuu_query *filter)
{
    if (filter == NULL)
        return q;
    tracuu_query *subs[2] = {q, tracuu_query_copy(filter)};
    return tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
}

/* Documents indexed by any of @terms (prefix + each docnum), as a weightless query. */
static tracuu_query *
docnum_terms(GPtrArray *docnums, const char *prefix)
{
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    for (guint i = 0; i < docnums->len; i++) {
        g_autofree char *t = g_strconcat(prefix, (char *)g_ptr_array_index(docnums, i), NULL);
        g_ptr_array_add(subs, tracuu_query_new_term(t, MIN(strlen(t), (size_t)TRACUU_STORE_MAX_TERM), 1, 0));
    }
    tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)subs->pdata,
                                           subs->len, 0);
    g_ptr_array_set_size(subs, 0);
    return q;
}

/*
 * A document number in the query ranks that document first and the documents citing it next:
 * three tiers, each ordered by the query's weight, paged as one list.
 * Tier 1: documents with the number, whether or not the text matches (AND_MAYBE).
 * Tier 2: documents citing it, not in tier 1. Tier 3: the rest of the match.
 */
static void
make_tiers(const tracuu_compiled *c, const tracuu_query *query, tracuu_query *tiers[3])
{
    tracuu_query *xn = docnum_terms(c->docnums, TRACUU_PREFIX_NUMBER);
    tracuu_query *xc = docnum_terms(c->docnums, TRACUU_PREFIX_CITES);
    tracuu_query *s1[2] = {tracuu_query_copy(xn), tracuu_query_copy(query)};
    tiers[0] = filtered(tracuu_query_combine(TRACUU_QUERY_AND_MAYBE, s1, 2, 0), c->filter);
    tracuu_query *n2[2] = {tracuu_query_copy(xc), tracuu_query_copy(xn)};
    tracuu_query *s2[2] = {tracuu_query_combine(TRACUU_QUERY_AND_NOT, n2, 2, 0),
                           tracuu_query_copy(query)};
    tiers[1] = filtered(tracuu_query_combine(TRACUU_QUERY_AND_MAYBE, s2, 2, 0), c->filter);
    tracuu_query *either[2] = {xn, xc};
    tracuu_query *s3[2] = {tracuu_query_copy(query),
                           tracuu_query_combine(TRACUU_QUERY_OR, either, 2, 0)};
    tiers[2] = tracuu_query_combine(TRACUU_QUERY_AND_NOT, s3, 2, 0);
}


/*
 * Compiles @ast into @c and, when its ranking holds adjacent-pair bonuses and the order is by
 * relevance, sets *@base to the same query without them (for ranked_search(); caller frees
 * with tracuu_query_free()), else to NULL. Sorted by a value, @c has no pair bonuses (unless
 * rerank_pool is 0, the one-pass engine). FALSE with @error when the query cannot be built.
 */
static gboolean
compile_ranked(tracuu_engine *e, const tracuu_qnode *ast, gboolean relaxed, GHashTable *restore,
               int sort_slot, tracuu_compiled *c, tracuu_query **base, GError **error)
{
    *base = NULL;
    const tracuu_rank_params *rp0 = tracuu_engine_get_rank_params(e);
    tracuu_rank_params flat = *rp0;
    flat.bigram_weight = 0;
    flat.bigram_accent = 0;
    /* Sorted by date, weights only order documents of the same date; the pair bonuses would
     * cost their positional checks in every match for that. */
    const tracuu_rank_params *rp = sort_slot >= 0 && rp0->rerank_pool > 0 ? &flat : rp0;
    if (!tracuu_query_compile(ast, rp, relaxed, restore, c, error))
        return FALSE;
    if (!c->has_pairs || sort_slot >= 0 || rp0->rerank_pool == 0)
        return TRUE;
    tracuu_compiled b;
    if (!tracuu_query_compile(ast, &flat, relaxed, restore, &b, NULL))
        return TRUE; /* one pass, as before */
    *base = b.query;
    b.query = NULL;
    tracuu_compiled_clear(&b);
    return TRUE;
}


gboolean
tracuu_rank_compile(tracuu_engine *e, const tracuu_qnode *ast, gboolean relaxed, int sort_slot,
                    const tracuu_search_options *opts, tracuu_ranked *out, GError **error)
{
    const tracuu_rank_params *rp = tracuu_engine_get_rank_params(e);
    out->base = NULL;
    out->restore = NULL;
    if (!compile_ranked(e, ast, relaxed, NULL, sort_slot, &out->c, &out->base, error))
        return FALSE;
    if (out->c.accented || out->c.words->len == 0 || rp->restore_weight <= 0 ||
        rp->restore_docs == 0 || sort_slot >= 0)
        return TRUE;
    GHashTable *guess = guess_accents(e, &out->c, out->base, opts);
    if (guess == NULL || g_hash_table_size(guess) == 0) {
        g_clear_pointer(&guess, g_hash_table_unref);
        return TRUE;
    }
    tracuu_ranked_clear(out);
    out->restore = guess; /* kept for the suggestion (suggest.c) */
    if (compile_ranked(e, ast, relaxed, guess, sort_slot, &out->c, &out->base, error))
        return TRUE;
    g_clear_pointer(&out->restore, g_hash_table_unref);
    return FALSE;
}

void
tracuu_ranked_clear(tracuu_ranked *r)
{
    tracuu_compiled_clear(&r->c);
    g_clear_pointer(&r->base, tracuu_query_free);
    g_clear_pointer(&r->restore, g_hash_table_unref);
}

gboolean
tracuu_rank_run(tracuu_engine *e, const tracuu_ranked *rk, tracuu_search_options *opts,
                uint64_t offset, uint64_t limit, int sort_slot, tracuu_results **whole_out,
                GPtrArray *pages, GError **error)
{
    const tracuu_compiled *c = &rk->c;
    const tracuu_query *base = rk->base;
    tracuu_results *r = NULL;
    *whole_out = NULL;
    opts->offset = (uint32_t)offset;
    opts->limit = (uint32_t)limit;
    gboolean tiered = c->docnums->len > 0 && sort_slot < 0;
    if (tiered)
        opts->limit = 0; /* hits come from the tiers below */
    tracuu_query *whole = c->query;
    if (tiered) {
        /* The whole match includes the numbered and citing documents even if no word matches;
         * it gives no hits here, so no pair bonus is needed for it. */
        tracuu_query *subs[3] = {tracuu_query_copy(base != NULL ? base : c->query),
                                 filtered(docnum_terms(c->docnums, TRACUU_PREFIX_NUMBER), c->filter),
                                 filtered(docnum_terms(c->docnums, TRACUU_PREFIX_CITES), c->filter)};
        whole = tracuu_query_combine(TRACUU_QUERY_OR, subs, 3, 0);
    }
    tracuu_store_status st = ranked_search(e, whole, tiered ? NULL : base, opts, &r);
    if (whole != c->query)
        tracuu_query_free(whole);
    if (st != TRACUU_STORE_OK) {
        tracuu_engine_store_error(e, st, error, "search");
        tracuu_results_free(r);
        return FALSE;
    }
    if (tiered) {
        tracuu_query *tiers[3], *base_tiers[3] = {NULL, NULL, NULL};
        make_tiers(c, c->query, tiers);
        if (base != NULL)
            make_tiers(c, base, base_tiers);
        uint64_t skip = offset, want = limit;
        for (int t = 0; t < 3 && st == TRACUU_STORE_OK; t++) {
            tracuu_search_options to = *opts;
            to.facet_slots = NULL;
            to.n_facet_slots = 0;
            to.offset = (uint32_t)skip;
            to.limit = (uint32_t)want;
            to.check_at_least = t < 2 ? RANK_TIER_MAX : opts->check_at_least;
            tracuu_results *tr = NULL;
            st = ranked_search(e, tiers[t], base_tiers[t], &to, &tr);
            if (st != TRACUU_STORE_OK) {
                tracuu_engine_store_error(e, st, error, "search");
                tracuu_results_free(tr);
                break;
            }
            want -= MIN(want, tr->n_hits);
            skip -= MIN(skip, tr->total);
            g_ptr_array_add(pages, tr);
        }
        for (int t = 0; t < 3; t++) {
            tracuu_query_free(tiers[t]);
            tracuu_query_free(base_tiers[t]);
        }
        if (st != TRACUU_STORE_OK) {
            tracuu_results_free(r);
            return FALSE;
        }
    }
    *whole_out = r;
    return TRUE;
}
