/* split.c - one search run over parts of the index at once, on helper threads, then merged. */
#include <stdlib.h>
#include <string.h>

#include "engine-private.h"
#include "tracuu-engine.h"

/*
 * Why: a query of common syllables ("quy định tại điều") matches most of the archive, and
 * Xapian walks all of it on one thread; at one client the other cores sit idle. Cut by
 * document number, each part is a FILTER of the same query on its own Xapian reader, on its
 * own thread. The readers are at the same revision, so every document gets exactly the weight
 * the whole-index search would give it (BM25's statistics are the index's, not the part's),
 * and merging the parts' best hits by (weight, then document number, Xapian's tie order)
 * gives the same list. Totals and facet counts are sums over the parts.
 *
 * The rule for totals: each part is given the whole search's check_at_least, so a part with no
 * more matches than that counts them all, and a sum of exact counts is exact: a total within
 * the engine's exact count (protocol.md) is exact split or not, wherever deleted and re-added
 * documents left holes among the numbers. Past it, a part stops early and Xapian estimates its
 * share from the store's docid range, which counts documents (holes spread evenly), not
 * document numbers; the sum is then an estimate, as the one search's is, and within the sums
 * of the parts' bounds. All readers are at one revision for the whole search (checked after
 * the parts ran: a reader reopened by a retry makes it run again on one thread), else a
 * document re-added between revisions could be counted in two parts or in none.
 */

typedef struct {
    tracuu_store *store; /* this helper's own reader */
    GThread *thread;
    GMutex lock;
    GCond cond;
    gboolean has_job, done, quit;
    /* The job: owned by the caller of tracuu_split_search() until done. */
    const tracuu_query *query;
    tracuu_search_options opts;
    tracuu_results *results;
    tracuu_store_status status;
    char *error; /* g_malloc'ed copy of the store's message on failure */
} helper;

/* Parts of one search at most: more threads than this would only queue on the cores. */
#define SPLIT_MAX_PARTS 16

/*
 * tracuu_results_free() releases with free(), so merged results are allocated the way the
 * store allocates them; like g_malloc(), running out of memory aborts.
 */
static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n > 0 ? n : 1, size);
    if (p == NULL)
        g_error("split: out of memory");
    return p;
}

struct tracuu_split {
    char *path;      /* the index, to open a helper's reader afresh */
    helper *helpers; /* parts - 1 of them: part 0 runs on the caller's thread */
    unsigned n_helpers;
    uint64_t n_split; /* searches really split, for tests */
};

static gpointer
helper_main(gpointer data)
{
    helper *h = data;
    g_mutex_lock(&h->lock);
    for (;;) {
        while (!h->has_job && !h->quit)
            g_cond_wait(&h->cond, &h->lock);
        if (h->quit)
            break;
        g_mutex_unlock(&h->lock);
        tracuu_results *r = NULL;
        tracuu_store_status st = tracuu_store_search(h->store, h->query, &h->opts, &r);
        char *err = st != TRACUU_STORE_OK ? g_strdup(tracuu_store_get_error(h->store)) : NULL;
        g_mutex_lock(&h->lock);
        h->results = r;
        h->status = st;
        h->error = err;
        h->has_job = FALSE;
        h->done = TRUE;
        g_cond_broadcast(&h->cond);
    }
    g_mutex_unlock(&h->lock);
    return NULL;
}

tracuu_split *
tracuu_split_new(const char *db_path, unsigned parts, GError **error)
{
    g_return_val_if_fail(parts >= 2 && parts <= SPLIT_MAX_PARTS, NULL);
    tracuu_split *s = g_new0(tracuu_split, 1);
    s->path = g_strdup(db_path);
    s->helpers = g_new0(helper, parts - 1);
    for (unsigned i = 0; i < parts - 1; i++) {
        helper *h = &s->helpers[i];
        char *msg = NULL;
        if (tracuu_store_open(db_path, TRACUU_STORE_READ, &h->store, &msg) != TRACUU_STORE_OK) {
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                        "cannot open %s for a helper thread: %s", db_path, msg ? msg : "?");
            free(msg);
            tracuu_split_free(s);
            return NULL;
        }
        g_mutex_init(&h->lock);
        g_cond_init(&h->cond);
        h->thread = g_thread_new("tracuu-split", helper_main, h);
        s->n_helpers++;
    }
    return s;
}

void
tracuu_split_free(tracuu_split *s)
{
    if (s == NULL)
        return;
    for (unsigned i = 0; i < s->n_helpers; i++) {
        helper *h = &s->helpers[i];
        g_mutex_lock(&h->lock);
        h->quit = TRUE;
        g_cond_broadcast(&h->cond);
        g_mutex_unlock(&h->lock);
        g_thread_join(h->thread);
        g_mutex_clear(&h->lock);
        g_cond_clear(&h->cond);
    }
    for (unsigned i = 0; i < s->n_helpers; i++)
        tracuu_store_free(s->helpers[i].store);
    g_free(s->helpers);
    g_free(s->path);
    g_free(s);
}

uint64_t
tracuu_split_count(const tracuu_split *s)
{
    return s != NULL ? s->n_split : 0;
}

unsigned
tracuu_split_parts(const tracuu_split *s)
{
    return s != NULL ? s->n_helpers + 1 : 1;
}

gboolean
tracuu_split_sync(tracuu_split *s, tracuu_store *main)
{
    /* An indexer may commit between two reopens; a few rounds catch up with it. */
    for (int round = 0; round < 3; round++) {
        uint64_t want = tracuu_store_get_revision(main);
        gboolean same = TRUE;
        for (unsigned i = 0; i < s->n_helpers; i++) {
            helper *h = &s->helpers[i];
            if (tracuu_store_reopen(h->store) != TRACUU_STORE_OK) {
                /* The index may have been replaced (compacted, rebuilt): a new reader, as
                 * the caller's was given, rather than never splitting again. The helper
                 * thread is idle here, so its store may be swapped. */
                tracuu_store *fresh = NULL;
                char *msg = NULL;
                if (tracuu_store_open(s->path, TRACUU_STORE_READ, &fresh, &msg) !=
                    TRACUU_STORE_OK) {
                    free(msg);
                    return FALSE;
                }
                tracuu_store_free(h->store);
                h->store = fresh;
            }
            same = same && tracuu_store_get_revision(h->store) == want;
        }
        if (same)
            return TRUE;
        if (tracuu_store_reopen(main) != TRACUU_STORE_OK)
            return FALSE;
    }
    return FALSE;
}

/* Bytewise, then shorter first: std::string's order, Xapian's for sort keys. */
static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, MIN(an, bn));
    return c != 0 ? c : (an > bn) - (an < bn);
}

/*
 * Xapian's order: by the sort key when sorted by a value (@data points to the descending
 * flag, NULL for relevance order), then by weight, then by document number.
 */
static int
hit_order(gconstpointer a, gconstpointer b, gpointer data)
{
    const tracuu_hit *x = a, *y = b;
    if (data != NULL) {
        int c = bytes_cmp(x->sort_key ? x->sort_key : "", x->sort_key_len,
                          y->sort_key ? y->sort_key : "", y->sort_key_len);
        if (c != 0)
            return *(const gboolean *)data ? -c : c;
    }
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

typedef struct {
    char *value;
    size_t len;
    uint64_t count;
} facet_count;

static int
facet_order(const void *a, const void *b)
{
    const facet_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return bytes_cmp(x->value, x->len, y->value, y->len);
}

/* Adds the facets of @parts (all with the same slots) into one list, cut to @limit values. */
static void
merge_facets(tracuu_results *out, tracuu_results **parts, unsigned n, uint32_t limit)
{
    size_t n_facets = parts[0]->n_facets;
    out->facets = xcalloc(n_facets, sizeof(tracuu_facet));
    for (size_t f = 0; f < n_facets; f++) {
        g_autoptr(GHashTable) counts =
            g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                  g_free);
        for (unsigned p = 0; p < n; p++) {
            const tracuu_facet *pf = &parts[p]->facets[f];
            for (size_t k = 0; k < pf->n_values; k++) {
                GBytes *key = g_bytes_new(pf->values[k].value, pf->values[k].value_len);
                uint64_t *c = g_hash_table_lookup(counts, key);
                if (c == NULL) {
                    c = g_new0(uint64_t, 1);
                    g_hash_table_insert(counts, g_bytes_ref(key), c);
                }
                *c += pf->values[k].count;
                g_bytes_unref(key);
            }
        }
        size_t nv = g_hash_table_size(counts), i = 0;
        facet_count *all = g_new(facet_count, nv);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, counts);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            gsize len = 0;
            const char *data = g_bytes_get_data(k, &len);
            all[i++] = (facet_count){(char *)data, len, *(uint64_t *)v};
        }
        if (nv > 0) /* qsort's array may not be NULL, which g_new(, 0) gives */
            qsort(all, nv, sizeof *all, facet_order);
        if (limit > 0 && nv > limit)
            nv = limit;
        tracuu_facet *of = &out->facets[f];
        of->slot = parts[0]->facets[f].slot;
        of->values = xcalloc(nv, sizeof(tracuu_facet_value));
        for (size_t j = 0; j < nv; j++) {
            char *copy = xcalloc(all[j].len + 1, 1);
            memcpy(copy, all[j].value, all[j].len);
            copy[all[j].len] = '\0';
            of->values[j] = (tracuu_facet_value){copy, all[j].len, all[j].count};
            of->n_values++;
        }
        out->n_facets++;
        g_free(all);
    }
}

/* Frees the @n parts' queries, results and messages (NULL ones too). */
static void
free_parts(tracuu_query **queries, tracuu_results **results, char **errors, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        tracuu_query_free(queries[i]);
        tracuu_results_free(results[i]);
        g_free(errors[i]);
    }
}

tracuu_store_status
tracuu_split_search(tracuu_split *s, tracuu_store *main, const tracuu_query *query,
                    const tracuu_search_options *opts, tracuu_results **out, char **error)
{
    *out = NULL;
    *error = NULL;
    unsigned n = s->n_helpers + 1;
    uint32_t last = tracuu_store_get_last_docid(main);
    uint64_t want = (uint64_t)opts->offset + opts->limit;
    if (last < n || want > G_MAXUINT32)
        return tracuu_store_search(main, query, opts, out);

    /* Each part finds its best offset + limit, without data (only the page's is read), and
     * every facet value (the cut to facet_limit is made on the sums). */
    tracuu_search_options po = *opts;
    po.offset = 0;
    po.limit = opts->limit > 0 ? (uint32_t)want : 0; /* limit 0: totals and facets only */
    po.no_data = TRUE;
    po.facet_limit = 0;
    tracuu_query *queries[SPLIT_MAX_PARTS] = {0};
    tracuu_results *results[SPLIT_MAX_PARTS] = {0};
    tracuu_store_status status[SPLIT_MAX_PARTS];
    char *errors[SPLIT_MAX_PARTS] = {0};
    gboolean ok = TRUE;
    for (unsigned i = 0; i < n; i++) {
        uint32_t first = (uint32_t)((uint64_t)last * i / n) + 1;
        uint32_t end = (uint32_t)((uint64_t)last * (i + 1) / n);
        /* A copy sharing nothing, because Xapian's queries are not thread-safe. */
        tracuu_query *subs[2] = {i == 0 ? tracuu_query_copy(query) : tracuu_query_clone(query),
                                 tracuu_query_new_docid_range(first, end)};
        queries[i] = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
        ok = ok && queries[i] != NULL;
        results[i] = NULL;
        status[i] = TRACUU_STORE_OK;
        errors[i] = NULL;
    }
    if (!ok) {
        free_parts(queries, results, errors, n);
        return tracuu_store_search(main, query, opts, out);
    }
    s->n_split++;
    for (unsigned i = 1; i < n; i++) {
        helper *h = &s->helpers[i - 1];
        g_mutex_lock(&h->lock);
        h->query = queries[i];
        h->opts = po;
        h->results = NULL;
        h->error = NULL;
        h->done = FALSE;
        h->has_job = TRUE;
        g_cond_broadcast(&h->cond);
        g_mutex_unlock(&h->lock);
    }
    status[0] = tracuu_store_search(main, queries[0], &po, &results[0]);
    if (status[0] != TRACUU_STORE_OK)
        errors[0] = g_strdup(tracuu_store_get_error(main));
    for (unsigned i = 1; i < n; i++) {
        helper *h = &s->helpers[i - 1];
        g_mutex_lock(&h->lock);
        while (!h->done)
            g_cond_wait(&h->cond, &h->lock);
        results[i] = h->results;
        status[i] = h->status;
        errors[i] = h->error;
        h->results = NULL;
        h->error = NULL;
        g_mutex_unlock(&h->lock);
    }

    /* A part's reader retried at a later revision (DatabaseModifiedError): the parts no
     * longer show one index, so the one search answers instead. */
    gboolean same = TRUE;
    uint64_t rev = tracuu_store_get_revision(main);
    for (unsigned i = 1; i < n; i++)
        same = same && tracuu_store_get_revision(s->helpers[i - 1].store) == rev;
    tracuu_store_status st = TRACUU_STORE_OK;
    for (unsigned i = 0; i < n && st == TRACUU_STORE_OK; i++) {
        if (status[i] != TRACUU_STORE_OK) {
            st = status[i];
            *error = g_strdup(errors[i] != NULL ? errors[i] : "");
        }
    }
    tracuu_results *r = NULL;
    if (st == TRACUU_STORE_OK && !same) {
        free_parts(queries, results, errors, n);
        return tracuu_store_search(main, query, opts, out);
    }
    if (st == TRACUU_STORE_OK) {
        r = xcalloc(1, sizeof *r);
        size_t n_all = 0;
        for (unsigned i = 0; i < n; i++) {
            r->total += results[i]->total;
            r->total_lower += results[i]->total_lower;
            r->total_upper += results[i]->total_upper;
            n_all += results[i]->n_hits;
        }
        tracuu_hit *all = g_new(tracuu_hit, MAX(n_all, 1));
        size_t k = 0;
        for (unsigned i = 0; i < n; i++)
            for (size_t j = 0; j < results[i]->n_hits; j++)
                all[k++] = results[i]->hits[j];
        gboolean descending = opts->sort_descending;
        g_qsort_with_data(all, (gint)n_all, sizeof *all, hit_order,
                          opts->sort_slot >= 0 ? &descending : NULL);
        size_t from = MIN((size_t)opts->offset, n_all);
        size_t count = MIN((size_t)opts->limit, n_all - from);
        r->hits = xcalloc(count, sizeof(tracuu_hit));
        for (size_t j = 0; j < count && st == TRACUU_STORE_OK; j++) {
            tracuu_hit *h = &r->hits[j];
            *h = all[from + j];
            h->rank = (uint32_t)(from + j);
            h->data = NULL;
            h->data_len = 0;
            if (h->sort_key != NULL) { /* the parts' copy is freed with them */
                char *key = xcalloc(h->sort_key_len + 1, 1);
                memcpy(key, h->sort_key, h->sort_key_len);
                h->sort_key = key;
            }
            r->n_hits++;
            if (!opts->no_data) {
                st = tracuu_store_get_data_by_id(main, h->docid, &h->data, &h->data_len);
                if (st != TRACUU_STORE_OK)
                    *error = g_strdup(tracuu_store_get_error(main));
            }
        }
        g_free(all);
        if (opts->n_facet_slots > 0)
            merge_facets(r, results, n, opts->facet_limit);
    }
    free_parts(queries, results, errors, n);
    if (st != TRACUU_STORE_OK) {
        tracuu_results_free(r);
        return st;
    }
    *out = r;
    return TRACUU_STORE_OK;
}
