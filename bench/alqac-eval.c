/* alqac-eval.c - ranking quality of the engine on ALQAC legal retrieval, with and without accents. */
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alqac-data.h"
#include "engine-private.h"
#include "tracuu-config.h"
#include "tracuu-engine.h"
#include "tracuu-schema.h"

/*
 * Builds (once) an index of ../shared/data/alqac/corpus.jsonl with the document writer, runs the
 * questions of each split through tracuu_engine_handle() as written and with every diacritic
 * removed, and prints nDCG@10, MRR@10, Recall@10 and Recall@100. A reference line runs plain
 * BM25 (k1=1, b=0.5) over the accented syllables, as the data README describes, on the same
 * index. Ranking knobs can be set on the command line to tune them (see docs/ranking.md).
 *
 *   alqac-eval [--data DIR] [--index DIR] [--rebuild] [--split NAME] [--no-reference]
 *              [--written-only] [--accent W] [--folded W] [--folded-accented W] [--title W]
 *              [--bigram W] [--bigram-accent W]
 *              [--k1 X] [--b X] [--restore W] [--restore-docs N] [--pool N]
 *   alqac-eval --latency DB QUERIES N [--time-limit S] [--fold] [--sort S] [knobs as above]
 *
 * --latency times tracuu_engine_handle() (top 10, snippets, total) on the first N lines of
 * QUERIES against the index DB, one at a time, and prints p50/p99/mean: a quick way to see what
 * a ranking knob or an engine change costs on the 100,000-document benchmark index without the
 * daemon (bench/searchd-bench.sh measures the whole path). --fold removes the diacritics first.
 * Searches are split over the cores as the daemon splits them at one client
 * (TRACUU_BENCH_PARTS=1: one thread).
 */


typedef struct {
    double ndcg10, mrr10, r10, r100;
    int n;
} metrics;

static void
die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

static void
die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Adds the metrics of one ranked list against the relevant set. */
static void
score(metrics *m, GPtrArray *ranked, GHashTable *relevant)
{
    double dcg = 0, idcg = 0, rr = 0;
    guint found10 = 0, found100 = 0;
    guint nrel = g_hash_table_size(relevant);
    for (guint i = 0; i < ranked->len && i < 100; i++) {
        if (!g_hash_table_contains(relevant, g_ptr_array_index(ranked, i)))
            continue;
        if (i < 10) {
            dcg += 1.0 / log2(i + 2.0);
            found10++;
            if (rr == 0)
                rr = 1.0 / (i + 1);
        }
        found100++;
    }
    for (guint i = 0; i < nrel && i < 10; i++)
        idcg += 1.0 / log2(i + 2.0);
    m->ndcg10 += idcg > 0 ? dcg / idcg : 0;
    m->mrr10 += rr;
    m->r10 += nrel ? (double)found10 / nrel : 0;
    m->r100 += nrel ? (double)found100 / nrel : 0;
    m->n++;
}

static void
print_line(const char *split, const char *mode, const metrics *m)
{
    int n = m->n > 0 ? m->n : 1;
    printf("%-18s %-22s %4d  nDCG@10 %.3f  MRR@10 %.3f  R@10 %.3f  R@100 %.3f\n", split, mode,
           m->n, m->ndcg10 / n, m->mrr10 / n, m->r10 / n, m->r100 / n);
    fflush(stdout);
}

/* The hits' ids of one request for @limit hits of @q, appended to @ids unless already there. */
static void
engine_ids(tracuu_engine *e, const char *q, int limit, GPtrArray *ids)
{
    g_autoptr(JsonObject) req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", q);
    json_object_set_int_member(req, "limit", limit);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) r = tracuu_engine_handle(e, req, &error);
    if (r == NULL) {
        fprintf(stderr, "alqac-eval: query failed: %s: %s\n", q, error->message);
        return;
    }
    JsonArray *hits = json_object_get_array_member(r, "hits");
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        const char *id = json_object_get_string_member(json_array_get_object_element(hits, i),
                                                       "id");
        gboolean seen = FALSE;
        for (guint k = 0; k < ids->len && !seen; k++)
            seen = strcmp(g_ptr_array_index(ids, k), id) == 0;
        if (!seen)
            g_ptr_array_add(ids, g_strdup(id));
    }
}

/*
 * The engine's ranking: the whole request path, as a client would see it. The first ten come
 * from a request for ten hits, as a user's first page would (the engine re-ranks a pool that
 * depends on the page size), the rest from a request for 100, for Recall@100.
 */
static GPtrArray *
run_engine(tracuu_engine *e, const char *q)
{
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    engine_ids(e, q, 10, ids);
    engine_ids(e, q, 100, ids);
    return ids;
}

typedef struct {
    GPtrArray *subs;
} ref_ctx;

static gboolean
ref_token(const tracuu_token *t, gpointer user_data)
{
    ref_ctx *c = user_data;
    if (t->flags & TRACUU_TOKEN_PART)
        return TRUE;
    g_ptr_array_add(c->subs, tracuu_query_new_term(t->term, t->term_len, 1, c->subs->len + 1));
    return TRUE;
}

/* The README's reference: BM25 (k1=1, b=0.5), OR of the query's syllables as written. */
static GPtrArray *
run_reference(tracuu_store *store, tracuu_tokenizer *tk, const char *q)
{
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    ref_ctx c = {g_ptr_array_new()};
    tracuu_tokenizer_run(tk, q, strlen(q), 0, ref_token, &c);
    if (c.subs->len == 0) {
        g_ptr_array_unref(c.subs);
        return ids;
    }
    tracuu_query *query = tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)c.subs->pdata,
                                               c.subs->len, 0);
    g_ptr_array_unref(c.subs);
    tracuu_search_options o;
    tracuu_search_options_init(&o);
    o.limit = 100;
    o.bm25_k1 = 1.0;
    o.bm25_b = 0.5;
    tracuu_results *r = NULL;
    if (tracuu_store_search(store, query, &o, &r) == TRACUU_STORE_OK) {
        for (size_t i = 0; i < r->n_hits; i++) {
            g_autoptr(JsonObject) d = alqac_parse_line(r->hits[i].data);
            g_ptr_array_add(ids, g_strdup(d ? json_object_get_string_member(d, "id") : ""));
        }
    }
    tracuu_results_free(r);
    tracuu_query_free(query);
    return ids;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The --latency mode: per-query time of the whole request path, as the daemon would see it. */
static int
run_latency(const char *db, const char *queries, int n, double time_limit, gboolean fold,
            const char *sort, const tracuu_rank_params *rp)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *qs = NULL;
    if (!g_file_get_contents(queries, &qs, NULL, &error))
        die("alqac-eval: %s", error->message);
    g_auto(GStrv) lines = g_strsplit(qs, "\n", -1);
    tracuu_engine *e = tracuu_engine_open(db, &error);
    if (e == NULL)
        die("alqac-eval: %s", error->message);
    tracuu_engine_set_rank_params(e, rp);
    tracuu_engine_set_time_limit(e, time_limit);
    /* Searches split over the cores, as the daemon does at one client (TRACUU_BENCH_PARTS=1:
     * one thread). */
    const char *parts = g_getenv("TRACUU_BENCH_PARTS");
    if (!tracuu_engine_set_parallel(e, parts ? (unsigned)atoi(parts) : g_get_num_processors(),
                                    NULL, NULL, &error))
        die("alqac-eval: %s", error->message);
    g_autoptr(GArray) ms = g_array_new(FALSE, FALSE, sizeof(double));
    int errors = 0;
    for (int i = 0; lines[i] != NULL && (int)ms->len + errors < n; i++) {
        if (*lines[i] == '\0')
            continue;
        g_autofree char *q = fold ? tracuu_text_fold(lines[i], -1) : g_strdup(lines[i]);
        g_autoptr(JsonObject) req = json_object_new();
        json_object_set_string_member(req, "op", "search");
        json_object_set_string_member(req, "q", q);
        json_object_set_int_member(req, "limit", 10);
        if (sort != NULL)
            json_object_set_string_member(req, "sort", sort);
        g_autoptr(GError) err = NULL;
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(JsonObject) r = tracuu_engine_handle(e, req, &err);
        double t = (g_get_monotonic_time() - t0) / 1000.0;
        if (r == NULL) {
            errors++;
            continue;
        }
        g_array_append_val(ms, t);
    }
    tracuu_engine_free(e);
    if (ms->len == 0)
        die("alqac-eval: no query answered (%d errors)", errors);
    double sum = 0;
    for (guint i = 0; i < ms->len; i++)
        sum += g_array_index(ms, double, i);
    qsort(ms->data, ms->len, sizeof(double), cmp_double);
    double *v = (double *)ms->data;
    printf("latency n=%u errors=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f "
           "time_limit=%g fold=%d\n",
           ms->len, errors, v[ms->len / 2], v[ms->len * 9 / 10], v[ms->len * 99 / 100],
           v[ms->len - 1], sum / ms->len, time_limit, fold);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *lat_db = NULL, *lat_queries = NULL;
    int lat_n = 0;
    double lat_limit = 0;
    gboolean lat_fold = FALSE;
    const char *lat_sort = NULL;
    const char *data = NULL, *index = NULL, *only_split = NULL;
    gboolean rebuild = FALSE, no_reference = FALSE, written_only = FALSE;
    tracuu_rank_params rp;
    tracuu_rank_params_init(&rp);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT_D(name, field)                                                                       \
    if (strcmp(a, name) == 0 && v != NULL) {                                                     \
        rp.field = g_ascii_strtod(v, NULL);                                                      \
        i++;                                                                                     \
        continue;                                                                                \
    }
        OPT_D("--accent", accent_weight)
        OPT_D("--folded", folded_weight)
        OPT_D("--folded-accented", folded_accented)
        OPT_D("--title", title_weight)
        OPT_D("--bigram", bigram_weight)
        OPT_D("--bigram-accent", bigram_accent)
        OPT_D("--k1", bm25_k1)
        OPT_D("--restore", restore_weight)
        if (strcmp(a, "--pool") == 0 && v != NULL) {
            rp.rerank_pool = (unsigned)atoi(v);
            i++;
            continue;
        }
        if (strcmp(a, "--restore-docs") == 0 && v != NULL) {
            rp.restore_docs = (unsigned)atoi(v);
            i++;
            continue;
        }
        OPT_D("--b", bm25_b)
        if (strcmp(a, "--question-words") == 0 && v != NULL) {
            /* "none": without; else a table in the format of searchd/question-words.c */
            if (strcmp(v, "none") == 0) {
                rp.question_words = NULL;
            } else {
                g_autoptr(GError) err = NULL;
                tracuu_question_words *qw = tracuu_question_words_load(v, &err);
                if (qw == NULL)
                    die("alqac-eval: %s", err->message);
                rp.question_words = qw; /* kept to the end of the run */
            }
            i++;
            continue;
        }
        if (strcmp(a, "--data") == 0 && v != NULL) {
            data = v;
            i++;
        } else if (strcmp(a, "--index") == 0 && v != NULL) {
            index = v;
            i++;
        } else if (strcmp(a, "--split") == 0 && v != NULL) {
            only_split = v;
            i++;
        } else if (strcmp(a, "--latency") == 0 && i + 3 < argc) {
            lat_db = argv[i + 1];
            lat_queries = argv[i + 2];
            lat_n = atoi(argv[i + 3]);
            i += 3;
        } else if (strcmp(a, "--time-limit") == 0 && v != NULL) {
            lat_limit = g_ascii_strtod(v, NULL);
            i++;
        } else if (strcmp(a, "--sort") == 0 && v != NULL) {
            lat_sort = v;
            i++;
        } else if (strcmp(a, "--fold") == 0) {
            lat_fold = TRUE;
        } else if (strcmp(a, "--rebuild") == 0) {
            rebuild = TRUE;
        } else if (strcmp(a, "--written-only") == 0) {
            written_only = TRUE;
        } else if (strcmp(a, "--no-reference") == 0) {
            no_reference = TRUE;
        } else {
            die("usage: alqac-eval [--data DIR] [--index DIR] [--rebuild] [--split NAME] "
                "[--no-reference] [--written-only] [--accent W] [--folded W] "
                "[--folded-accented W] [--title W] [--bigram W] "
                "[--bigram-accent W] [--k1 X] [--b X] [--restore W] [--restore-docs N] "
                "[--pool N] [--question-words FILE|none]");
        }
    }
    if (lat_db != NULL)
        return run_latency(lat_db, lat_queries, lat_n, lat_limit, lat_fold, lat_sort, &rp);
    g_autofree char *data_dir = alqac_data_dir(data);
    g_autoptr(GError) error = NULL;
    g_autofree char *index_dir = alqac_open_index(data_dir, index, rebuild, &error);
    if (index_dir == NULL)
        die("alqac-eval: %s", error->message);

    /* Relevance judgements and queries. */
    g_autoptr(GHashTable) qrels = alqac_load_qrels(data_dir, &error);
    if (qrels == NULL)
        die("alqac-eval: %s", error->message);
    GArray *queries = alqac_load_queries(data_dir, &error);
    if (queries == NULL)
        die("alqac-eval: %s", error->message);

    tracuu_engine *engine = tracuu_engine_open(index_dir, &error);
    if (engine == NULL)
        die("alqac-eval: %s", error->message);
    tracuu_engine_set_rank_params(engine, &rp);
    tracuu_engine_set_snippets(engine, FALSE); /* ranking only: snippets are not measured */
    tracuu_store *store = NULL;
    char *msg = NULL;
    if (tracuu_store_open(index_dir, TRACUU_STORE_READ, &store, &msg) != TRACUU_STORE_OK)
        die("alqac-eval: %s", msg);
    tracuu_tokenizer *tk = tracuu_tokenizer_new(NULL);

    printf("# params: accent %.2f folded %.2f title %.2f bigram %.2f bigram-accent %.2f "
           "folded-accented %.2f k1 %.2f b %.2f restore %.2f restore-docs %u all-words-max %u "
           "question-words %u\n",
           rp.accent_weight, rp.folded_weight, rp.title_weight, rp.bigram_weight,
           rp.bigram_accent, rp.folded_accented, rp.bm25_k1, rp.bm25_b, rp.restore_weight, rp.restore_docs,
           rp.all_words_max, tracuu_question_words_size(rp.question_words));
    const char *splits[] = {"train_verified", "train_unverified"};
    gint64 t0 = g_get_monotonic_time();
    int nq = 0;
    for (size_t s = 0; s < G_N_ELEMENTS(splits); s++) {
        if (only_split != NULL && strcmp(only_split, splits[s]) != 0)
            continue;
        metrics m[4] = {{0}};
        for (guint i = 0; i < queries->len; i++) {
            alqac_query *q = &g_array_index(queries, alqac_query, i);
            GHashTable *rel = g_hash_table_lookup(qrels, q->id);
            if (strcmp(q->split, splits[s]) != 0 || rel == NULL)
                continue;
            g_autofree char *folded = tracuu_text_fold(q->text, -1);
            const char *texts[2] = {q->text, folded};
            for (int mode = 0; mode < (written_only ? 1 : 2); mode++) {
                g_autoptr(GPtrArray) ids = run_engine(engine, texts[mode]);
                score(&m[mode], ids, rel);
                nq++;
                if (!no_reference) {
                    g_autoptr(GPtrArray) ref = run_reference(store, tk, texts[mode]);
                    score(&m[2 + mode], ref, rel);
                }
            }
        }
        print_line(splits[s], "engine as written", &m[0]);
        if (!written_only)
            print_line(splits[s], "engine no diacritics", &m[1]);
        if (!no_reference) {
            print_line(splits[s], "BM25 ref as written", &m[2]);
            if (!written_only)
                print_line(splits[s], "BM25 ref no diacritics", &m[3]);
        }
    }
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    printf("# %d engine queries, %.1f ms per query%s\n", nq, nq ? secs * 1000 / nq : 0,
           no_reference ? "" : " (counting the reference runs too)");

    g_array_unref(queries);
    tracuu_tokenizer_free(tk);
    tracuu_store_free(store);
    tracuu_engine_free(engine);
    return 0;
}
