/* test-store.c - the C API over Xapian, driven from C as its users drive it. */

#include "tracuu-test.h"
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracuu-store.h"

/* ---- Helpers ---- */

static char *
make_tmpdir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("tracuu-store-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

static tracuu_store *
open_ok(const char *path, tracuu_store_mode mode)
{
    tracuu_store *store = NULL;
    char *error = NULL;
    tracuu_store_status st = tracuu_store_open(path, mode, &store, &error);
    if (st != TRACUU_STORE_OK)
        g_error("open %s: %s: %s", path, tracuu_store_status_name(st), error);
    g_assert_null(error);
    g_assert_nonnull(store);
    return store;
}

static void
check_ok(tracuu_store *store, tracuu_store_status st)
{
    if (st != TRACUU_STORE_OK)
        g_error("store: %s: %s", tracuu_store_status_name(st), tracuu_store_get_error(store));
}

/* ---- A small sample index ---- */

/*
 * Each word of text is indexed at its position, accented and with "F" + its folded form at the
 * same position, as the document writer does; the id is "Q" + id, the kind a boolean term.
 */
typedef struct {
    const char *id;
    const char *text;
    const char *folded; /* the same words without diacritics */
    const char *date;   /* slot 0, NULL for none */
    const char *type;   /* slot 1 */
    const char *kind;   /* boolean "K" term */
    const char *number; /* boolean "XN" term, NULL for none */
} sample_doc;

static const sample_doc samples[] = {
    {"d1", "quyết định số 34 về đường bộ", "quyet dinh so 34 ve duong bo", "20081203",
     "Quyết định", "pdf", "34/2008/ct-ttg"},
    {"d2", "nghị định về đường sắt", "nghi dinh ve duong sat", "20200315", "Nghị định", "mail",
     NULL},
    {"d3", "định quyết xong rồi về", "dinh quyet xong roi ve", "20150101", "Quyết định", "pdf",
     NULL},
    {"d4", "thông tư hướng dẫn đường thủy", "thong tu huong dan duong thuy", NULL, "Thông tư",
     "pdf", NULL},
};

static tracuu_store_doc *
build_sample(const sample_doc *s)
{
    tracuu_store_doc *doc = tracuu_store_doc_new();
    g_auto(GStrv) words = g_strsplit(s->text, " ", -1);
    g_auto(GStrv) folded = g_strsplit(s->folded, " ", -1);
    g_assert_cmpuint(g_strv_length(words), ==, g_strv_length(folded));
    for (guint i = 0; words[i]; i++) {
        g_autofree char *f = g_strconcat("F", folded[i], NULL);
        tracuu_store_doc_add_posting(doc, words[i], strlen(words[i]), i + 1, 1);
        tracuu_store_doc_add_posting(doc, f, strlen(f), i + 1, 1);
    }
    g_autofree char *q = g_strconcat("Q", s->id, NULL);
    g_autofree char *k = g_strconcat("K", s->kind, NULL);
    tracuu_store_doc_add_term(doc, q, strlen(q), 0);
    tracuu_store_doc_add_term(doc, k, strlen(k), 0);
    if (s->number) {
        g_autofree char *n = g_strconcat("XN", s->number, NULL);
        tracuu_store_doc_add_term(doc, n, strlen(n), 0);
    }
    if (s->date)
        tracuu_store_doc_set_value(doc, 0, s->date, strlen(s->date));
    tracuu_store_doc_set_value(doc, 1, s->type, strlen(s->type));
    tracuu_store_doc_set_data(doc, s->id, strlen(s->id));
    return doc;
}

typedef struct {
    char *dir;
    char *path;
    tracuu_store *store; /* a writer holding the samples, committed */
} Fixture;

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    fx->dir = make_tmpdir();
    fx->path = g_build_filename(fx->dir, "index", NULL);
    fx->store = open_ok(fx->path, TRACUU_STORE_CREATE);
    for (gsize i = 0; i < G_N_ELEMENTS(samples); i++) {
        tracuu_store_doc *doc = build_sample(&samples[i]);
        g_autofree char *q = g_strconcat("Q", samples[i].id, NULL);
        uint32_t docid = 0;
        check_ok(fx->store, tracuu_store_replace(fx->store, q, doc, &docid));
        g_assert_cmpuint(docid, ==, i + 1);
        tracuu_store_doc_free(doc);
    }
    check_ok(fx->store, tracuu_store_commit(fx->store));
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    tracuu_store_free(fx->store);
    tracuu_test_rm_rf(fx->dir);
    g_free(fx->path);
    g_free(fx->dir);
}

/* ---- A tiny prefix notation for query trees, so that the query table stays readable ----
 *   word            a term          *prefix        a wildcard
 *   all, none       match all/nothing
 *   (and|or|not|maybe|filter|synonym|max q...)
 *   (phrase|near WINDOW q...)     (scale FACTOR q)     (range SLOT LO|- HI|-)
 */

static char *
next_atom(const char **p)
{
    while (**p == ' ')
        (*p)++;
    const char *start = *p;
    while (**p && **p != ' ' && **p != '(' && **p != ')')
        (*p)++;
    return g_strndup(start, *p - start);
}

static tracuu_query *
parse_query(const char **p)
{
    while (**p == ' ')
        (*p)++;
    if (**p != '(') {
        g_autofree char *atom = next_atom(p);
        g_assert_cmpuint(strlen(atom), >, 0);
        if (strcmp(atom, "all") == 0)
            return tracuu_query_new_match_all();
        if (strcmp(atom, "none") == 0)
            return tracuu_query_new_match_nothing();
        if (atom[0] == '*')
            return tracuu_query_new_wildcard(atom + 1, 0);
        return tracuu_query_new_term(atom, strlen(atom), 1, 0);
    }
    (*p)++;
    g_autofree char *op = next_atom(p);
    static const struct {
        const char *name;
        tracuu_query_op op;
    } ops[] = {
        {"and", TRACUU_QUERY_AND},          {"or", TRACUU_QUERY_OR},
        {"not", TRACUU_QUERY_AND_NOT},      {"maybe", TRACUU_QUERY_AND_MAYBE},
        {"filter", TRACUU_QUERY_FILTER},    {"phrase", TRACUU_QUERY_PHRASE},
        {"near", TRACUU_QUERY_NEAR},        {"synonym", TRACUU_QUERY_SYNONYM},
        {"max", TRACUU_QUERY_MAX},
    };
    tracuu_query *result = NULL;
    if (strcmp(op, "range") == 0) {
        g_autofree char *slot = next_atom(p);
        g_autofree char *lo = next_atom(p);
        g_autofree char *hi = next_atom(p);
        result = tracuu_query_new_value_range(atoi(slot), strcmp(lo, "-") ? lo : NULL,
                                              strcmp(hi, "-") ? hi : NULL);
    } else if (strcmp(op, "scale") == 0) {
        g_autofree char *factor = next_atom(p);
        result = tracuu_query_scale(parse_query(p), g_ascii_strtod(factor, NULL));
    } else {
        int found = -1;
        for (gsize i = 0; i < G_N_ELEMENTS(ops); i++)
            if (strcmp(ops[i].name, op) == 0)
                found = (int)i;
        if (found < 0)
            g_error("unknown operator %s", op);
        uint32_t window = 0;
        if (ops[found].op == TRACUU_QUERY_PHRASE || ops[found].op == TRACUU_QUERY_NEAR) {
            g_autofree char *w = next_atom(p);
            window = (uint32_t)atoi(w);
        }
        GPtrArray *subs = g_ptr_array_new();
        while (**p == ' ')
            (*p)++;
        while (**p && **p != ')') {
            g_ptr_array_add(subs, parse_query(p));
            while (**p == ' ')
                (*p)++;
        }
        result = tracuu_query_combine(ops[found].op, (tracuu_query **)subs->pdata, subs->len,
                                      window);
        g_ptr_array_free(subs, TRUE);
    }
    while (**p == ' ')
        (*p)++;
    g_assert_cmpint(**p, ==, ')');
    (*p)++;
    return result;
}

static tracuu_query *
query_from(const char *text)
{
    const char *p = text;
    tracuu_query *q = parse_query(&p);
    g_assert_nonnull(q);
    return q;
}

/* The ids of the hits (their data), joined by commas, in rank order or sorted. */
static char *
hit_ids(const tracuu_results *r, gboolean sorted)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    for (size_t i = 0; i < r->n_hits; i++)
        g_ptr_array_add(ids, r->hits[i].data);
    if (sorted) {
        for (guint i = 1; i < ids->len; i++)
            for (guint j = i; j > 0 && strcmp(ids->pdata[j - 1], ids->pdata[j]) > 0; j--) {
                gpointer t = ids->pdata[j];
                ids->pdata[j] = ids->pdata[j - 1];
                ids->pdata[j - 1] = t;
            }
    }
    g_ptr_array_add(ids, NULL);
    return g_strjoinv(",", (char **)ids->pdata);
}

/* ---- Queries ---- */

typedef struct {
    const char *query;
    const char *expect; /* ids of the matching documents, sorted */
} query_case;

static const query_case query_cases[] = {
    {"quyết", "d1,d3"},
    {"Fduong", "d1,d2,d4"},
    {"Kpdf", "d1,d3,d4"},
    {"(and quyết định)", "d1,d3"},
    {"(and định về)", "d1,d2,d3"},
    {"(and quyết nothere)", ""},
    {"(or sắt thủy)", "d2,d4"},
    {"(not Fduong bộ)", "d2,d4"},
    {"(maybe Fduong quyết)", "d1,d2,d4"},
    {"(filter Fduong Kpdf)", "d1,d4"},
    {"(synonym sắt thủy)", "d2,d4"},
    {"(max sắt bộ)", "d1,d2"},
    {"(scale 0 Fduong)", "d1,d2,d4"},
    {"(scale 2.5 sắt)", "d2"},
    /* Positions: d1 has "quyết định", d3 "định quyết". */
    {"(phrase 0 quyết định)", "d1"},
    {"(phrase 0 định quyết)", "d3"},
    {"(phrase 0 đường bộ)", "d1"},
    {"(phrase 0 bộ đường)", ""},
    {"(near 2 quyết định)", "d1,d3"},
    {"(near 2 quyết về)", ""},
    {"(near 5 quyết về)", "d1,d3"},
    {"(phrase 3 Fquyet Fso)", "d1"},
    /* What the engine does with a syllable typed either way: phrase over OR/SYNONYM. */
    {"(phrase 0 (or quyết Fquyet) (or định Fdinh))", "d1"},
    {"(phrase 0 (or quyet Fquyet) (or dinh Fdinh))", "d1"},
    {"(phrase 0 (or định Fdinh) (or quyết Fquyet))", "d3"},
    {"(phrase 0 (or (or quyết quyet) Fquyet) định)", "d1"},
    {"(near 2 (or Fquyet x) (or Fdinh y))", "d1,d3"},
    {"(phrase 0 (or Fduong Fbo) (or Fsat Fthuy))", "d2,d4"},
    {"(phrase 0 (or Fbo Fsat) (or Fduong Fthuy))", ""},
    /* Values, compared as bytes; d4 has no date and never matches a date range. */
    {"(range 0 20100101 20201231)", "d2,d3"},
    {"(range 0 - 20150101)", "d1,d3"},
    {"(range 0 20150101 -)", "d2,d3"},
    {"(range 0 - -)", "d1,d2,d3"},
    {"(range 1 Quyết Quyết~)", "d1,d3"},
    {"(filter all (range 0 2009 2016))", "d3"},
    {"*đư", "d1,d2,d4"},
    {"*XN34", "d1"},
    {"*Fqu", "d1,d3"},
    {"*zzz", ""},
    {"all", "d1,d2,d3,d4"},
    {"none", ""},
    {"(or none sắt)", "d2"},
    {"(not all Kpdf)", "d2"},
};

static void
test_query(Fixture *fx, gconstpointer data)
{
    const query_case *c = data;
    tracuu_query *q = query_from(c->query);
    tracuu_results *r = NULL;
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = 100;
    check_ok(fx->store, tracuu_store_search(fx->store, q, &opts, &r));
    g_autofree char *ids = hit_ids(r, TRUE);
    g_autofree char *desc = tracuu_query_describe(q);
    if (strcmp(ids, c->expect) != 0)
        g_test_message("query %s (%s)", c->query, desc);
    g_assert_cmpstr(ids, ==, c->expect);
    g_assert_cmpuint(r->total, ==, r->n_hits);
    for (size_t i = 0; i < r->n_hits; i++) {
        g_assert_cmpuint(r->hits[i].rank, ==, i);
        g_assert_cmpuint(r->hits[i].data_len, ==, strlen(r->hits[i].data));
    }
    tracuu_results_free(r);
    tracuu_query_free(q);
}

/* Weights: boolean terms and scale 0 give nothing; AND_MAYBE lets the second part rank. */
static void
test_weights(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *query;
        const char *first; /* id of the best hit */
        gboolean zero;     /* every score is 0 */
    } cases[] = {
        {"Kpdf", NULL, TRUE},
        {"(scale 0 Fduong)", NULL, TRUE},
        {"(filter sắt Kmail)", "d2", FALSE},
        {"(maybe Fduong quyết)", "d1", FALSE},
        {"(maybe Fduong thủy)", "d4", FALSE},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_query *q = query_from(cases[i].query);
        tracuu_results *r = NULL;
        check_ok(fx->store, tracuu_store_search(fx->store, q, NULL, &r));
        g_assert_cmpuint(r->n_hits, >, 0);
        if (cases[i].first)
            g_assert_cmpstr(r->hits[0].data, ==, cases[i].first);
        for (size_t j = 0; j < r->n_hits; j++) {
            if (cases[i].zero)
                g_assert_cmpfloat(r->hits[j].score, ==, 0.0);
            else
                g_assert_cmpfloat(r->hits[0].score, >, 0.0);
        }
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
}

/* The BM25 parameters reach Xapian: b changes how document length counts. */
static void
test_bm25(Fixture *fx, gconstpointer data)
{
    static const struct {
        double k1, b;
    } params[] = {{0, 0}, {1.2, 0.0}, {1.2, 1.0}, {1.0, 0.5}};
    double scores[G_N_ELEMENTS(params)][2];
    for (gsize i = 0; i < G_N_ELEMENTS(params); i++) {
        tracuu_query *q = query_from("Fduong");
        tracuu_search_options opts;
        tracuu_search_options_init(&opts);
        opts.bm25_k1 = params[i].k1;
        opts.bm25_b = params[i].b;
        opts.sort_slot = 1; /* a fixed order: Nghị định (d2) before Quyết định (d1) */
        tracuu_results *r = NULL;
        check_ok(fx->store, tracuu_store_search(fx->store, q, &opts, &r));
        g_assert_cmpuint(r->n_hits, ==, 3);
        g_assert_cmpstr(r->hits[0].data, ==, "d2");
        g_assert_cmpstr(r->hits[1].data, ==, "d1");
        scores[i][0] = r->hits[0].score;
        scores[i][1] = r->hits[1].score;
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
    /* Without length normalisation the same wdf gives the same score; with it the shorter
     * d2 (5 words) beats d1 (7 words). Xapian's defaults are k1 1, b 0.5. */
    g_assert_cmpfloat_with_epsilon(scores[1][0], scores[1][1], 1e-9);
    g_assert_cmpfloat(scores[2][0], >, scores[2][1]);
    g_assert_cmpfloat_with_epsilon(scores[0][0], scores[3][0], 1e-9);
    g_assert_cmpfloat(scores[0][0] - scores[2][0], !=, 0.0);
}

/*
 * Xapian 1.4 runs a phrase or near over terms and over OR of terms only; other sub-queries
 * (AND, SYNONYM, wildcard...) are refused when the query is made, so combine returns NULL.
 */
static void
test_bad_query(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *query;
        gboolean ok;
        guint hits;
    } cases[] = {
        {"(phrase 0 quyết (or định Fdinh))", TRUE, 1},
        {"(near 3 quyết (or định Fdinh))", TRUE, 2},
        {"(phrase 0 (and quyết định) về)", FALSE, 0},
        {"(phrase 0 (synonym quyết Fquyet) định)", FALSE, 0},
        {"(near 3 (synonym quyết Fquyet) định)", FALSE, 0},
        {"(phrase 0 quyết *đ)", FALSE, 0},
        {"(phrase 0 quyết (phrase 0 định số))", FALSE, 0},
        {"(phrase 0 quyết (range 0 2000 2020))", FALSE, 0},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *p = cases[i].query;
        tracuu_query *q = parse_query(&p);
        if ((q != NULL) != cases[i].ok)
            g_error("%s: %s", cases[i].query, q ? "accepted" : "refused");
        if (q) {
            tracuu_results *r = NULL;
            check_ok(fx->store, tracuu_store_search(fx->store, q, NULL, &r));
            g_assert_cmpuint(r->n_hits, ==, cases[i].hits);
            tracuu_results_free(r);
        }
        tracuu_query_free(q);
    }

    /* A search that fails leaves a message; the handle works on and the message is cleared. */
    tracuu_results *r = NULL;
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.n_facet_slots = 2; /* without slots */
    tracuu_query *q = query_from("quyết");
    g_assert_cmpint(tracuu_store_search(fx->store, q, &opts, &r), ==, TRACUU_STORE_INVALID);
    g_assert_null(r);
    g_assert_cmpstr(tracuu_store_get_error(fx->store), !=, "");
    check_ok(fx->store, tracuu_store_search(fx->store, q, NULL, &r));
    g_assert_cmpuint(r->n_hits, ==, 2);
    g_assert_cmpstr(tracuu_store_get_error(fx->store), ==, "");
    tracuu_results_free(r);
    tracuu_query_free(q);
    g_assert_cmpint(tracuu_store_search(fx->store, NULL, NULL, &r), ==, TRACUU_STORE_INVALID);
    g_assert_null(r);

    /* Constructors refuse bad arguments; combine frees what it was given even then. */
    g_assert_null(tracuu_query_new_term("", 0, 1, 0));
    g_assert_null(tracuu_query_new_term(NULL, 3, 1, 0));
    g_assert_null(tracuu_query_scale(tracuu_query_new_term("a", 1, 1, 0), -1.0));
    g_assert_null(tracuu_query_scale(NULL, 2.0));
    tracuu_query *subs[3] = {tracuu_query_new_term("a", 1, 1, 0), NULL,
                             tracuu_query_new_term("b", 1, 1, 0)};
    g_assert_null(tracuu_query_combine(TRACUU_QUERY_AND, subs, 3, 0));
    tracuu_query *subs2[1] = {tracuu_query_new_term("a", 1, 1, 0)};
    g_assert_null(tracuu_query_combine((tracuu_query_op)99, subs2, 1, 0));
}

/* A wildcard over more terms than allowed keeps the most frequent ones. */
static void
test_wildcard_limit(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *prefix;
        uint32_t max_terms;
        const char *expect;
    } cases[] = {
        {"K", 0, "d1,d2,d3,d4"},
        {"K", 1, "d1,d3,d4"}, /* Kpdf (3) before Kmail (1) */
        {"K", 2, "d1,d2,d3,d4"},
        {"Fs", 1, "d1"},      /* Fsat and Fso tie at 1: either, but only one */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_query *q = tracuu_query_new_wildcard(cases[i].prefix, cases[i].max_terms);
        tracuu_results *r = NULL;
        check_ok(fx->store, tracuu_store_search(fx->store, q, NULL, &r));
        g_autofree char *ids = hit_ids(r, TRUE);
        if (strcmp(cases[i].prefix, "Fs") == 0)
            g_assert_true(strcmp(ids, "d1") == 0 || strcmp(ids, "d2") == 0);
        else
            g_assert_cmpstr(ids, ==, cases[i].expect);
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
}

static void
test_describe(void)
{
    static const struct {
        const char *query;
        const char *contains;
    } cases[] = {
        {"(phrase 0 a b)", "PHRASE 2"},
        {"(near 4 a b)", "NEAR 4"},
        {"(scale 2 a)", "2 * a"},
        {"(range 0 2008 -)", "VALUE_GE 0 2008"},
        {"*abc", "WILDCARD"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_query *q = query_from(cases[i].query);
        tracuu_query *copy = tracuu_query_copy(q);
        tracuu_query_free(q);
        g_autofree char *desc = tracuu_query_describe(copy);
        if (!strstr(desc, cases[i].contains))
            g_error("%s: %s lacks %s", cases[i].query, desc, cases[i].contains);
        tracuu_query_free(copy);
    }
    tracuu_query_free(NULL);
}

/* ---- Document-number queries, clones, hits without data (for split searches) ---- */

/* Runs @q FILTERed by @restrict (taken) and returns the ids of the hits in rank order. */
static char *
filtered_ids(Fixture *fx, const char *query, tracuu_query *restrict_to)
{
    g_assert_nonnull(restrict_to);
    tracuu_query *subs[2] = {query_from(query), restrict_to};
    tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
    g_assert_nonnull(q);
    tracuu_results *r = NULL;
    check_ok(fx->store, tracuu_store_search(fx->store, q, NULL, &r));
    char *ids = hit_ids(r, TRUE);
    tracuu_results_free(r);
    tracuu_query_free(q);
    return ids;
}

static void
test_docids(Fixture *fx, gconstpointer data)
{
    static const struct {
        uint32_t first, last;
        const char *expect;
    } ranges[] = {
        {1, 4, "d1,d2,d3,d4"}, {1, 2, "d1,d2"}, {3, 4, "d3,d4"},
        {2, 2, "d2"},          {4, 99, "d4"},   {5, 9, ""},
    };
    g_assert_cmpuint(tracuu_store_get_last_docid(fx->store), ==, G_N_ELEMENTS(samples));
    for (gsize i = 0; i < G_N_ELEMENTS(ranges); i++) {
        g_autofree char *ids =
            filtered_ids(fx, "all", tracuu_query_new_docid_range(ranges[i].first, ranges[i].last));
        g_assert_cmpstr(ids, ==, ranges[i].expect);
    }
    /* A range cuts a weighted query too, and its parts add up to the whole. */
    g_autofree char *lo = filtered_ids(fx, "Fduong", tracuu_query_new_docid_range(1, 2));
    g_autofree char *hi = filtered_ids(fx, "Fduong", tracuu_query_new_docid_range(3, 4));
    g_assert_cmpstr(lo, ==, "d1,d2");
    g_assert_cmpstr(hi, ==, "d4");
    g_assert_null(tracuu_query_new_docid_range(0, 3));
    g_assert_null(tracuu_query_new_docid_range(3, 2));

    static const uint32_t list[] = {4, 1, 4, 9};
    g_autofree char *some = filtered_ids(fx, "all", tracuu_query_new_docids(list, 4));
    g_assert_cmpstr(some, ==, "d1,d4");
    g_autofree char *w = filtered_ids(fx, "(or Fduong Fdinh)", tracuu_query_new_docids(list, 3));
    g_assert_cmpstr(w, ==, "d1,d4");
    static const uint32_t zero[] = {2, 0};
    g_assert_null(tracuu_query_new_docids(zero, 2));
    g_assert_null(tracuu_query_new_docids(list, 0));

    /* A clone (also of a tree holding docid sources) finds the same, with the same weights;
     * hits without data carry only numbers and scores. */
    tracuu_query *subs[2] = {query_from("(and Fduong (maybe Fve Fquyet))"),
                             tracuu_query_new_docids(list, 4)};
    tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
    tracuu_query *c = tracuu_query_clone(q);
    g_assert_nonnull(c);
    g_autofree char *qd = tracuu_query_describe(q);
    g_autofree char *cd = tracuu_query_describe(c);
    g_assert_cmpstr(qd, ==, cd);
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    tracuu_results *a = NULL, *b = NULL;
    check_ok(fx->store, tracuu_store_search(fx->store, q, &opts, &a));
    opts.no_data = true;
    check_ok(fx->store, tracuu_store_search(fx->store, c, &opts, &b));
    g_assert_cmpuint(a->n_hits, ==, 1);
    g_assert_cmpuint(b->n_hits, ==, a->n_hits);
    for (size_t i = 0; i < a->n_hits; i++) {
        g_assert_cmpuint(b->hits[i].docid, ==, a->hits[i].docid);
        g_assert_cmpfloat(b->hits[i].score, ==, a->hits[i].score);
        g_assert_nonnull(a->hits[i].data);
        g_assert_null(b->hits[i].data);
        g_assert_null(a->hits[i].sort_key); /* relevance order: no sort key */
        g_assert_cmpuint(b->hits[i].data_len, ==, 0);
    }
    tracuu_results_free(a);
    tracuu_results_free(b);
    tracuu_query_free(q);
    tracuu_query_free(c);
    g_assert_null(tracuu_query_clone(NULL));
}

/* ---- Sorting and facets ---- */

static void
test_sort(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *query;
        int slot;
        gboolean descending;
        uint32_t offset;
        const char *expect;
    } cases[] = {
        {"all", 0, FALSE, 0, "d4,d1,d3,d2"}, /* no date sorts as "" */
        {"all", 0, TRUE, 0, "d2,d3,d1,d4"},
        {"all", 0, TRUE, 1, "d3,d1,d4"},
        {"Fduong", 0, FALSE, 0, "d4,d1,d2"},
        {"Fduong", 0, TRUE, 0, "d2,d1,d4"},
        {"(range 0 2009 -)", 0, TRUE, 0, "d2,d3"},
        {"all", 1, FALSE, 0, NULL}, /* checked below: by type, then relevance */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_query *q = query_from(cases[i].query);
        tracuu_search_options opts;
        tracuu_search_options_init(&opts);
        opts.sort_slot = cases[i].slot;
        opts.sort_descending = cases[i].descending;
        opts.offset = cases[i].offset;
        tracuu_results *r = NULL;
        check_ok(fx->store, tracuu_store_search(fx->store, q, &opts, &r));
        g_autofree char *ids = hit_ids(r, FALSE);
        if (cases[i].expect)
            g_assert_cmpstr(ids, ==, cases[i].expect);
        else
            g_assert_true(g_str_has_prefix(ids, "d2,") && g_str_has_suffix(ids, ",d4"));
        for (size_t j = 0; j < r->n_hits; j++) {
            g_assert_cmpuint(r->hits[j].rank, ==, j + cases[i].offset);
            /* The sort key is the document's value in the slot ("" when unset). */
            const sample_doc *sd = NULL;
            for (gsize k = 0; k < G_N_ELEMENTS(samples); k++)
                if (strcmp(samples[k].id, r->hits[j].data) == 0)
                    sd = &samples[k];
            g_assert_nonnull(sd);
            const char *want = cases[i].slot == 0 ? (sd->date ? sd->date : "") : sd->type;
            g_assert_nonnull(r->hits[j].sort_key);
            g_assert_cmpstr(r->hits[j].sort_key, ==, want);
            g_assert_cmpuint(r->hits[j].sort_key_len, ==, strlen(want));
        }
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
}

static void
test_facets(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *query;
        uint32_t limit;       /* hits */
        uint32_t facet_limit;
        const char *types;    /* slot 1: value=count in order */
        const char *dates;    /* slot 0 */
    } cases[] = {
        {"all", 10, 0, "Quyết định=2,Nghị định=1,Thông tư=1",
         "20081203=1,20150101=1,20200315=1"},
        {"all", 0, 0, "Quyết định=2,Nghị định=1,Thông tư=1",
         "20081203=1,20150101=1,20200315=1"},
        {"all", 1, 2, "Quyết định=2,Nghị định=1", "20081203=1,20150101=1"},
        {"Fduong", 10, 0, "Nghị định=1,Quyết định=1,Thông tư=1", "20081203=1,20200315=1"},
        {"(filter all Kpdf)", 10, 0, "Quyết định=2,Thông tư=1", "20081203=1,20150101=1"},
        {"none", 10, 0, "", ""},
    };
    const unsigned slots[] = {1, 0};
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_query *q = query_from(cases[i].query);
        tracuu_search_options opts;
        tracuu_search_options_init(&opts);
        opts.limit = cases[i].limit;
        opts.facet_slots = slots;
        opts.n_facet_slots = 2;
        opts.facet_limit = cases[i].facet_limit;
        opts.check_at_least = 100;
        tracuu_results *r = NULL;
        check_ok(fx->store, tracuu_store_search(fx->store, q, &opts, &r));
        g_assert_cmpuint(r->n_facets, ==, 2);
        g_assert_cmpuint(r->n_hits, ==, MIN(cases[i].limit, r->total));
        g_assert_cmpuint(r->total_lower, ==, r->total_upper);
        const char *expect[] = {cases[i].types, cases[i].dates};
        for (int f = 0; f < 2; f++) {
            g_assert_cmpuint(r->facets[f].slot, ==, slots[f]);
            g_autoptr(GString) s = g_string_new(NULL);
            for (size_t j = 0; j < r->facets[f].n_values; j++)
                g_string_append_printf(s, "%s%s=%" G_GUINT64_FORMAT, j ? "," : "",
                                       r->facets[f].values[j].value,
                                       r->facets[f].values[j].count);
            g_assert_cmpstr(s->str, ==, expect[f]);
        }
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
}

/* ---- Documents ---- */

static void
test_documents(Fixture *fx, gconstpointer data)
{
    tracuu_store *s = fx->store;
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 4);

    char *d = NULL;
    size_t len = 0;
    uint32_t docid = 0;
    check_ok(s, tracuu_store_get_data(s, "Qd3", &d, &len, &docid));
    g_assert_cmpstr(d, ==, "d3");
    g_assert_cmpuint(len, ==, 2);
    g_assert_cmpuint(docid, ==, 3);
    free(d);

    /* Values by slot; an unset slot is "". */
    static const struct {
        uint32_t docid;
        unsigned slot;
        const char *value;
    } values[] = {
        {1, 0, "20081203"}, {1, 1, "Quyết định"}, {4, 0, ""}, {4, 1, "Thông tư"}, {2, 7, ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(values); i++) {
        char *v = NULL;
        check_ok(s, tracuu_store_get_value(s, values[i].docid, values[i].slot, &v, &len));
        g_assert_cmpstr(v, ==, values[i].value);
        g_assert_cmpuint(len, ==, strlen(values[i].value));
        free(v);
    }

    /* Missing documents. */
    g_assert_cmpint(tracuu_store_get_data(s, "Qnope", &d, &len, &docid), ==,
                    TRACUU_STORE_NOT_FOUND);
    g_assert_null(d);
    g_assert_cmpuint(docid, ==, 0);
    g_assert_cmpint(tracuu_store_get_data_by_id(s, 99, &d, &len), ==, TRACUU_STORE_NOT_FOUND);
    g_assert_null(d);
    g_assert_cmpint(tracuu_store_get_data_by_id(s, 0, &d, &len), ==, TRACUU_STORE_NOT_FOUND);
    g_assert_cmpint(tracuu_store_get_value(s, 99, 0, &d, &len), ==, TRACUU_STORE_NOT_FOUND);
    g_assert_cmpstr(tracuu_store_get_error(s), !=, "");

    /* Replace by unique term: same docid, new content; the old terms are gone. */
    tracuu_store_doc *doc = tracuu_store_doc_new();
    tracuu_store_doc_add_term(doc, "Qd3", 3, 0);
    tracuu_store_doc_add_posting(doc, "mới", strlen("mới"), 1, 1);
    tracuu_store_doc_set_data(doc, "d3 again", 8);
    check_ok(s, tracuu_store_replace(s, "Qd3", doc, &docid));
    tracuu_store_doc_free(doc);
    g_assert_cmpuint(docid, ==, 3);
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 4);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "quyết", strlen("quyết")), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "mới", strlen("mới")), ==, 1);
    check_ok(s, tracuu_store_get_data_by_id(s, 3, &d, &len));
    g_assert_cmpstr(d, ==, "d3 again");
    free(d);

    /* Adding under a new unique term makes a new document. */
    doc = tracuu_store_doc_new();
    tracuu_store_doc_add_term(doc, "Qd5", 3, 0);
    tracuu_store_doc_add_term(doc, "Kpdf", 4, 0);
    check_ok(s, tracuu_store_replace(s, "Qd5", doc, &docid));
    tracuu_store_doc_free(doc);
    g_assert_cmpuint(docid, ==, 5);
    /* d1, d4 and d5: the new d3 has no kind. */
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "Kpdf", 4), ==, 3);

    /* Delete by term: every document with it; a term nobody has is not an error. */
    check_ok(s, tracuu_store_delete(s, "Kpdf"));
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 2);
    check_ok(s, tracuu_store_delete(s, "Qnobody"));
    g_assert_cmpint(tracuu_store_delete(s, ""), ==, TRACUU_STORE_INVALID);
    check_ok(s, tracuu_store_commit(s));
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 2);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "Qd2", 3), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "Qd1", 3), ==, 0);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "", 0), ==, 0);
}

/* Positional and boolean terms: wdf and positions as given, position 0 taken as 1. */
static void
test_postings(Fixture *fx, gconstpointer data)
{
    tracuu_store *s = fx->store;
    tracuu_store_doc *doc = tracuu_store_doc_new();
    tracuu_store_doc_add_term(doc, "Qp", 2, 0);
    tracuu_store_doc_add_posting(doc, "alpha", 5, 0, 1);  /* position 1 */
    tracuu_store_doc_add_posting(doc, "beta", 4, 2, 1);
    tracuu_store_doc_add_posting(doc, "alpha", 5, 3, 1);
    tracuu_store_doc_add_posting(doc, "gamma", 5, 3, 1); /* colocated with alpha */
    tracuu_store_doc_add_term(doc, "XTquyet dinh", strlen("XTquyet dinh"), 0);
    check_ok(s, tracuu_store_replace(s, "Qp", doc, NULL));
    tracuu_store_doc_free(doc);
    check_ok(s, tracuu_store_commit(s));

    static const struct {
        const char *query;
        const char *expect;
    } cases[] = {
        {"(phrase 0 alpha beta)", "Qp"},     {"(phrase 0 beta alpha)", "Qp"},
        {"(phrase 0 beta gamma)", "Qp"},     {"(phrase 0 gamma alpha)", ""},
        {"(phrase 0 alpha gamma)", ""},      {"(phrase 0 alpha beta gamma)", "Qp"},
        {"(filter alpha XTquyet dinh)", ""}, /* the parser splits at spaces: no such term */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_query *q = query_from(cases[i].query);
        tracuu_query *qf = tracuu_query_new_term("Qp", 2, 1, 0);
        tracuu_query *both[] = {q, qf};
        q = tracuu_query_combine(TRACUU_QUERY_FILTER, both, 2, 0);
        tracuu_results *r = NULL;
        check_ok(s, tracuu_store_search(s, q, NULL, &r));
        g_assert_cmpuint(r->n_hits, ==, cases[i].expect[0] ? 1 : 0);
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
    /* A boolean term with a space in it is one term. */
    tracuu_query *subs[] = {tracuu_query_new_term("alpha", 5, 1, 0),
                            tracuu_query_new_term("XTquyet dinh", 12, 1, 0)};
    tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
    tracuu_results *r = NULL;
    check_ok(s, tracuu_store_search(s, q, NULL, &r));
    g_assert_cmpuint(r->n_hits, ==, 1);
    g_assert_cmpfloat(r->hits[0].score, >, 0.0);
    tracuu_results_free(r);
    tracuu_query_free(q);
}

/* A term longer than Xapian takes fails the whole replace and stores nothing. */
static void
test_term_too_long(Fixture *fx, gconstpointer data)
{
    tracuu_store *s = fx->store;
    static const struct {
        size_t len;
        gboolean positional;
        gboolean value_bad;
        tracuu_store_status expect;
    } cases[] = {
        {TRACUU_STORE_MAX_TERM, TRUE, FALSE, TRACUU_STORE_OK},
        {TRACUU_STORE_MAX_TERM + 1, TRUE, FALSE, TRACUU_STORE_INVALID},
        {TRACUU_STORE_MAX_TERM + 1, FALSE, FALSE, TRACUU_STORE_INVALID},
        {1000, FALSE, FALSE, TRACUU_STORE_INVALID},
        {0, TRUE, FALSE, TRACUU_STORE_INVALID}, /* empty term */
        {5, TRUE, TRUE, TRACUU_STORE_INVALID},  /* bad slot */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *unique = g_strdup_printf("Qlong%" G_GSIZE_FORMAT, i);
        char *term = g_malloc(cases[i].len + 1);
        memset(term, 'x', cases[i].len);
        term[cases[i].len] = '\0';
        uint64_t before = tracuu_store_get_doc_count(s);
        tracuu_store_doc *doc = tracuu_store_doc_new();
        tracuu_store_doc_add_term(doc, unique, strlen(unique), 0);
        tracuu_store_doc_add_posting(doc, "ok", 2, 1, 1);
        if (cases[i].positional)
            tracuu_store_doc_add_posting(doc, term, cases[i].len, 2, 1);
        else
            tracuu_store_doc_add_term(doc, term, cases[i].len, 0);
        if (cases[i].value_bad)
            tracuu_store_doc_set_value(doc, 0xffffffffu, "v", 1);
        tracuu_store_status st = tracuu_store_replace(s, unique, doc, NULL);
        tracuu_store_doc_free(doc);
        g_assert_cmpint(st, ==, cases[i].expect);
        check_ok(s, tracuu_store_commit(s));
        uint64_t want = before + (cases[i].expect == TRACUU_STORE_OK);
        g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, want);
        g_assert_cmpuint(tracuu_store_get_term_freq(s, unique, strlen(unique)), ==,
                         cases[i].expect == TRACUU_STORE_OK);
        if (cases[i].len)
            g_assert_cmpuint(tracuu_store_get_term_freq(s, term, cases[i].len), ==,
                             cases[i].expect == TRACUU_STORE_OK && !cases[i].value_bad);
        g_free(term);
    }
    /* An over-long unique term is refused too. */
    char big[300];
    memset(big, 'Q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tracuu_store_doc *doc = tracuu_store_doc_new();
    g_assert_cmpint(tracuu_store_replace(s, big, doc, NULL), ==, TRACUU_STORE_INVALID);
    g_assert_cmpint(tracuu_store_replace(s, "", doc, NULL), ==, TRACUU_STORE_INVALID);
    tracuu_store_doc_free(doc);
}

/* ---- Metadata and term lists ---- */

static bool
collect_meta(const char *key, const char *value, size_t len, void *user_data)
{
    GString *s = user_data;
    g_assert_cmpuint(strlen(value), ==, len);
    g_string_append_printf(s, "%s%s=%s", s->len ? "," : "", key, value);
    return strcmp(key, "stop") != 0;
}

static bool
collect_terms(const char *term, size_t len, uint64_t freq, void *user_data)
{
    GString *s = user_data;
    g_assert_cmpuint(strlen(term), ==, len);
    g_string_append_printf(s, "%s%s:%" G_GUINT64_FORMAT, s->len ? "," : "", term, freq);
    return s->len < 40;
}

static void
test_metadata(Fixture *fx, gconstpointer data)
{
    tracuu_store *s = fx->store;
    static const struct {
        const char *key;
        const char *value;
    } sets[] = {
        {"tracuu.schema_version", "1"}, {"tracuu.tokenizer_version", "1"},
        {"file:abc", "{\"path\":\"/a\"}"}, {"file:abd", "{}"}, {"file:zzz", "gone"},
        {"file:zzz", ""}, /* removes it */
        {"stop", "x"},     {"tail", "y"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(sets); i++)
        check_ok(s, tracuu_store_set_metadata(s, sets[i].key, sets[i].value,
                                              strlen(sets[i].value)));
    check_ok(s, tracuu_store_commit(s));

    static const struct {
        const char *key;
        const char *value;
    } gets[] = {
        {"tracuu.schema_version", "1"}, {"file:abc", "{\"path\":\"/a\"}"}, {"file:zzz", ""},
        {"absent", ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(gets); i++) {
        char *v = NULL;
        size_t len = 99;
        check_ok(s, tracuu_store_get_metadata(s, gets[i].key, &v, &len));
        g_assert_cmpstr(v, ==, gets[i].value);
        g_assert_cmpuint(len, ==, strlen(gets[i].value));
        free(v);
    }

    static const struct {
        const char *prefix;
        const char *expect;
    } lists[] = {
        {"file:", "file:abc={\"path\":\"/a\"},file:abd={}"},
        {"tracuu.", "tracuu.schema_version=1,tracuu.tokenizer_version=1"},
        {"", "file:abc={\"path\":\"/a\"},file:abd={},stop=x"}, /* the callback stops at "stop" */
        {"nothing", ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(lists); i++) {
        g_autoptr(GString) out = g_string_new(NULL);
        check_ok(s, tracuu_store_list_metadata(s, lists[i].prefix, collect_meta, out));
        g_assert_cmpstr(out->str, ==, lists[i].expect);
    }

    /* Keys Xapian refuses. */
    g_assert_cmpint(tracuu_store_set_metadata(s, "", "v", 1), ==, TRACUU_STORE_INVALID);
    char big[300];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    g_assert_cmpint(tracuu_store_set_metadata(s, big, "v", 1), ==, TRACUU_STORE_INVALID);
}

static void
test_terms(Fixture *fx, gconstpointer data)
{
    tracuu_store *s = fx->store;
    static const struct {
        const char *prefix;
        const char *expect;
    } cases[] = {
        {"K", "Kmail:1,Kpdf:3"},
        {"Q", "Qd1:1,Qd2:1,Qd3:1,Qd4:1"},
        {"Fd", "Fdan:1,Fdinh:3,Fduong:3"},
        {"F", "F34:1,Fbo:1,Fdan:1,Fdinh:3,Fduong:3,Fhuong:1"}, /* the callback stops past 40 bytes */
        {"XN", "XN34/2008/ct-ttg:1"},
        {"zz", ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GString) out = g_string_new(NULL);
        check_ok(s, tracuu_store_list_terms(s, cases[i].prefix, collect_terms, out));
        g_assert_cmpstr(out->str, ==, cases[i].expect);
    }
    static const struct {
        const char *term;
        uint64_t freq;
    } freqs[] = {{"Fduong", 3}, {"đường", 3}, {"Kpdf", 3}, {"về", 3}, {"nothere", 0}};
    for (gsize i = 0; i < G_N_ELEMENTS(freqs); i++)
        g_assert_cmpuint(tracuu_store_get_term_freq(s, freqs[i].term, strlen(freqs[i].term)),
                         ==, freqs[i].freq);

    /* Deleted documents' terms are not listed, even before the commit. */
    check_ok(s, tracuu_store_delete(s, "Kmail"));
    g_autoptr(GString) out = g_string_new(NULL);
    check_ok(s, tracuu_store_list_terms(s, "K", collect_terms, out));
    g_assert_cmpstr(out->str, ==, "Kpdf:3");
}

/* ---- Opening, locking, readers and writers ---- */

typedef enum { DB_MISSING, DB_MISSING_PARENT, DB_EMPTY_DIR, DB_JUNK, DB_JUNK_GLASS, DB_GOOD,
               DB_FILE, DB_HALF_CREATED } db_setup;

static void
make_db(const char *path, db_setup setup)
{
    switch (setup) {
    case DB_MISSING:
    case DB_MISSING_PARENT:
        break;
    case DB_EMPTY_DIR:
        g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
        break;
    case DB_JUNK: {
        g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
        g_autofree char *f = g_build_filename(path, "junk.bin", NULL);
        g_assert_true(g_file_set_contents(f, "\x01\x02garbage", -1, NULL));
        break;
    }
    case DB_JUNK_GLASS: {
        /* Files with Xapian's names but garbage inside. */
        g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
        static const char *names[] = {"iamglass", "postlist.glass", "termlist.glass",
                                      "record.glass"};
        for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
            g_autofree char *f = g_build_filename(path, names[i], NULL);
            g_assert_true(g_file_set_contents(f, "not a xapian file at all, just junk", -1,
                                              NULL));
        }
        break;
    }
    case DB_GOOD: {
        tracuu_store *s = open_ok(path, TRACUU_STORE_CREATE);
        check_ok(s, tracuu_store_commit(s));
        tracuu_store_free(s);
        break;
    }
    case DB_FILE:
        g_assert_true(g_file_set_contents(path, "a plain file", -1, NULL));
        break;
    case DB_HALF_CREATED: {
        /* What a writer killed while creating the database leaves: tables, no "iamglass". */
        g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
        static const char *names[] = {"flintlock", "postlist.glass", "termlist.glass"};
        for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
            g_autofree char *f = g_build_filename(path, names[i], NULL);
            g_assert_true(g_file_set_contents(f, "", 0, NULL));
        }
        break;
    }
    }
}

static void
test_open(void)
{
    static const struct {
        db_setup setup;
        tracuu_store_mode mode;
        tracuu_store_status expect;
    } cases[] = {
        {DB_MISSING, TRACUU_STORE_READ, TRACUU_STORE_NOT_FOUND},
        {DB_MISSING, TRACUU_STORE_WRITE, TRACUU_STORE_NOT_FOUND},
        {DB_MISSING, TRACUU_STORE_CREATE, TRACUU_STORE_OK},
        {DB_MISSING_PARENT, TRACUU_STORE_READ, TRACUU_STORE_NOT_FOUND},
        {DB_MISSING_PARENT, TRACUU_STORE_WRITE, TRACUU_STORE_NOT_FOUND},
        {DB_MISSING_PARENT, TRACUU_STORE_CREATE, TRACUU_STORE_OK},
        {DB_EMPTY_DIR, TRACUU_STORE_READ, TRACUU_STORE_CORRUPT},
        {DB_EMPTY_DIR, TRACUU_STORE_CREATE, TRACUU_STORE_OK},
        {DB_JUNK, TRACUU_STORE_READ, TRACUU_STORE_CORRUPT},
        {DB_JUNK, TRACUU_STORE_WRITE, TRACUU_STORE_CORRUPT},
        {DB_JUNK_GLASS, TRACUU_STORE_READ, TRACUU_STORE_CORRUPT},
        {DB_JUNK_GLASS, TRACUU_STORE_WRITE, TRACUU_STORE_CORRUPT},
        {DB_JUNK_GLASS, TRACUU_STORE_CREATE, TRACUU_STORE_CORRUPT},
        {DB_GOOD, TRACUU_STORE_READ, TRACUU_STORE_OK},
        {DB_GOOD, TRACUU_STORE_WRITE, TRACUU_STORE_OK},
        {DB_GOOD, TRACUU_STORE_CREATE, TRACUU_STORE_OK},
        {DB_FILE, TRACUU_STORE_READ, TRACUU_STORE_CORRUPT},
        {DB_JUNK, TRACUU_STORE_CREATE, TRACUU_STORE_OK},
        {DB_HALF_CREATED, TRACUU_STORE_READ, TRACUU_STORE_CORRUPT},
        {DB_HALF_CREATED, TRACUU_STORE_WRITE, TRACUU_STORE_CORRUPT},
        {DB_HALF_CREATED, TRACUU_STORE_CREATE, TRACUU_STORE_OK},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = make_tmpdir();
        g_autofree char *path = cases[i].setup == DB_MISSING_PARENT
                                    ? g_build_filename(dir, "no", "such", "index", NULL)
                                    : g_build_filename(dir, "index", NULL);
        make_db(path, cases[i].setup);
        tracuu_store *s = (tracuu_store *)0x1;
        char *error = (char *)0x1;
        tracuu_store_status st = tracuu_store_open(path, cases[i].mode, &s, &error);
        g_test_message("case %" G_GSIZE_FORMAT ": %s: %s", i, tracuu_store_status_name(st),
                       error ? error : "");
        g_assert_cmpint(st, ==, cases[i].expect);
        if (st == TRACUU_STORE_OK) {
            g_assert_nonnull(s);
            g_assert_null(error);
            g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 0);
            g_assert_cmpstr(tracuu_store_get_error(s), ==, "");
        } else {
            g_assert_null(s);
            g_assert_nonnull(error);
            g_assert_nonnull(strstr(error, path)); /* the message names the path */
        }
        tracuu_store_free(s);
        free(error);
        tracuu_test_rm_rf(dir);
    }
    /* No path; and the error pointer may be NULL. */
    tracuu_store *s = NULL;
    g_assert_cmpint(tracuu_store_open("", TRACUU_STORE_READ, &s, NULL), ==,
                    TRACUU_STORE_INVALID);
    g_assert_cmpint(tracuu_store_open("/nonexistent/tracuu", TRACUU_STORE_READ, &s, NULL), ==,
                    TRACUU_STORE_NOT_FOUND);
    /* A folder that cannot be made: under a plain file. */
    g_autofree char *dir = make_tmpdir();
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_assert_true(g_file_set_contents(file, "x", 1, NULL));
    g_autofree char *under = g_build_filename(file, "index", NULL);
    char *error = NULL;
    g_assert_cmpint(tracuu_store_open(under, TRACUU_STORE_CREATE, &s, &error), ==, TRACUU_STORE_IO);
    g_assert_null(s);
    g_assert_nonnull(strstr(error, under));
    free(error);
    tracuu_test_rm_rf(dir);
    g_assert_null(s);
    tracuu_store_free(NULL);
}

static void
test_status_names(void)
{
    static const struct {
        tracuu_store_status st;
        const char *name;
    } cases[] = {
        {TRACUU_STORE_OK, "ok"},         {TRACUU_STORE_NOT_FOUND, "not found"},
        {TRACUU_STORE_LOCKED, "locked"}, {TRACUU_STORE_CORRUPT, "corrupt"},
        {TRACUU_STORE_TIMEOUT, "timeout"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpstr(tracuu_store_status_name(cases[i].st), ==, cases[i].name);
}

static void
test_locked(Fixture *fx, gconstpointer data)
{
    /* The fixture's writer holds the lock. */
    tracuu_store *second = NULL;
    char *error = NULL;
    g_assert_cmpint(tracuu_store_open(fx->path, TRACUU_STORE_WRITE, &second, &error), ==,
                    TRACUU_STORE_LOCKED);
    g_assert_null(second);
    g_assert_nonnull(error);
    free(error);
    error = NULL;
    g_assert_cmpint(tracuu_store_open(fx->path, TRACUU_STORE_CREATE, &second, &error), ==,
                    TRACUU_STORE_LOCKED);
    free(error);

    /* Readers are not blocked, and cannot write. */
    tracuu_store *reader = open_ok(fx->path, TRACUU_STORE_READ);
    g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, 4);
    tracuu_store_doc *doc = tracuu_store_doc_new();
    g_assert_cmpint(tracuu_store_replace(reader, "Qx", doc, NULL), ==, TRACUU_STORE_READ_ONLY);
    g_assert_cmpint(tracuu_store_delete(reader, "Qd1"), ==, TRACUU_STORE_READ_ONLY);
    g_assert_cmpint(tracuu_store_commit(reader), ==, TRACUU_STORE_READ_ONLY);
    g_assert_cmpint(tracuu_store_set_metadata(reader, "k", "v", 1), ==,
                    TRACUU_STORE_READ_ONLY);
    g_assert_cmpstr(tracuu_store_get_error(reader), !=, "");
    tracuu_store_doc_free(doc);
    tracuu_store_free(reader);

    /* Once the writer is gone, another can open. */
    tracuu_store_free(fx->store);
    fx->store = open_ok(fx->path, TRACUU_STORE_WRITE);
    g_assert_cmpuint(tracuu_store_get_doc_count(fx->store), ==, 4);
}

static void
test_reopen(Fixture *fx, gconstpointer data)
{
    tracuu_store *reader = open_ok(fx->path, TRACUU_STORE_READ);
    uint64_t rev = tracuu_store_get_revision(reader);
    g_assert_cmpuint(rev, >, 0);
    g_assert_cmpuint(tracuu_store_get_revision(fx->store), ==, rev);
    g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, 4);

    static const char *adds[] = {"Qn1", "Qn2", "Qn3"};
    for (gsize i = 0; i < G_N_ELEMENTS(adds); i++) {
        tracuu_store_doc *doc = tracuu_store_doc_new();
        tracuu_store_doc_add_term(doc, adds[i], 3, 0);
        tracuu_store_doc_set_data(doc, adds[i], 3);
        check_ok(fx->store, tracuu_store_replace(fx->store, adds[i], doc, NULL));
        tracuu_store_doc_free(doc);
        /* Uncommitted changes and commits stay invisible until the reader reopens. */
        g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, 4 + i);
        check_ok(fx->store, tracuu_store_commit(fx->store));
        g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, 4 + i);
        check_ok(reader, tracuu_store_reopen(reader));
        g_assert_cmpuint(tracuu_store_get_doc_count(reader), ==, 5 + i);
        g_assert_cmpuint(tracuu_store_get_revision(reader), ==, rev + i + 1);
        char *d = NULL;
        check_ok(reader, tracuu_store_get_data(reader, adds[i], &d, NULL, NULL));
        g_assert_cmpstr(d, ==, adds[i]);
        free(d);
    }
    check_ok(reader, tracuu_store_reopen(reader)); /* nothing new: fine */
    tracuu_store_free(reader);
}

static void
fill_round(tracuu_store *s, int round, int n)
{
    for (int i = 0; i < n; i++) {
        g_autofree char *q = g_strdup_printf("Qr%d", i);
        g_autofree char *w = g_strdup_printf("w%d", round);
        char text[201];
        memset(text, 'A' + round, 200);
        text[200] = '\0';
        tracuu_store_doc *doc = tracuu_store_doc_new();
        tracuu_store_doc_add_term(doc, q, strlen(q), 0);
        tracuu_store_doc_add_posting(doc, w, strlen(w), 1, 1);
        tracuu_store_doc_set_data(doc, text, 200);
        check_ok(s, tracuu_store_replace(s, q, doc, NULL));
        tracuu_store_doc_free(doc);
    }
    check_ok(s, tracuu_store_commit(s));
}

/*
 * A reader several commits behind finds the blocks of its revision reused (Xapian's
 * DatabaseModifiedError); the store reopens and retries by itself, so the read succeeds and
 * returns the newest data although the test never calls tracuu_store_reopen().
 */
static void
test_modified_retry(Fixture *fx, gconstpointer data)
{
    const int n = 3000, rounds = 5;
    fill_round(fx->store, 0, n);
    tracuu_store *reader = open_ok(fx->path, TRACUU_STORE_READ);
    tracuu_store *searcher = open_ok(fx->path, TRACUU_STORE_READ);
    for (int round = 1; round < rounds; round++)
        fill_round(fx->store, round, n);

    /* A search, too, retries on the newest revision: every hit's data is the last round's. */
    tracuu_query *all = query_from("(filter all *Qr)");
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = (uint32_t)n;
    tracuu_results *res = NULL;
    check_ok(searcher, tracuu_store_search(searcher, all, &opts, &res));
    g_assert_cmpuint(res->n_hits, ==, (size_t)n);
    for (size_t i = 0; i < res->n_hits; i++)
        g_assert_cmpint(res->hits[i].data[0], ==, 'A' + rounds - 1);
    tracuu_results_free(res);
    tracuu_query_free(all);
    tracuu_store_free(searcher);

    int newest = 0;
    for (uint32_t id = 5; id < 5 + (uint32_t)n; id++) {
        char *d = NULL;
        size_t len = 0;
        check_ok(reader, tracuu_store_get_data_by_id(reader, id, &d, &len));
        g_assert_cmpuint(len, ==, 200);
        g_assert_true(d[0] == 'A' || d[0] == 'A' + rounds - 1);
        newest += d[0] == 'A' + rounds - 1;
        free(d);
    }
    g_test_message("%d of %d reads saw the newest revision", newest, n);
    g_assert_cmpint(newest, >, 0);

    tracuu_query *q = query_from("w4");
    tracuu_results *r = NULL;
    check_ok(reader, tracuu_store_search(reader, q, NULL, &r));
    g_assert_cmpuint(r->total, ==, n);
    tracuu_results_free(r);
    tracuu_query_free(q);
    tracuu_store_free(reader);
}

typedef struct {
    tracuu_store *writer;
    GString *last;
    int count;
    int dupes;
} listing;

/*
 * Halfway through the listing, a writer rewrites every listed entry four times, committing each
 * time, so that the blocks of the revision being read are discarded: documents move to new
 * numbers (delete, then add) and metadata values change.
 */
static bool
list_and_write(const char *term, size_t len, uint64_t freq, void *user_data)
{
    listing *l = user_data;
    if (l->count > 0 && strcmp(term, l->last->str) <= 0)
        l->dupes++;
    g_string_assign(l->last, term);
    if (++l->count == 100) {
        for (int round = 5; round < 9; round++) {
            for (int i = 0; i < 3000; i++) {
                char q[32], key[32], value[32];
                snprintf(q, sizeof q, "Qr%d", i);
                snprintf(key, sizeof key, "k%05d", i);
                snprintf(value, sizeof value, "round %d value %d", round, i);
                check_ok(l->writer, tracuu_store_delete(l->writer, q));
                check_ok(l->writer, tracuu_store_set_metadata(l->writer, key, value,
                                                              strlen(value)));
            }
            fill_round(l->writer, round, 3000);
        }
    }
    return true;
}

static bool
list_meta_and_write(const char *key, const char *value, size_t len, void *user_data)
{
    return list_and_write(key, strlen(key), 1, user_data);
}

/* A listing interrupted by DatabaseModifiedError goes on after the last entry it gave. */
static void
test_modified_listing(Fixture *fx, gconstpointer data)
{
    const int n = 3000;
    fill_round(fx->store, 0, n);
    for (int i = 0; i < n; i++) {
        char key[32], value[32];
        snprintf(key, sizeof key, "k%05d", i);
        snprintf(value, sizeof value, "v%d", i);
        check_ok(fx->store, tracuu_store_set_metadata(fx->store, key, value, strlen(value)));
    }
    check_ok(fx->store, tracuu_store_commit(fx->store));

    static const gboolean meta[] = {FALSE, TRUE};
    for (gsize i = 0; i < G_N_ELEMENTS(meta); i++) {
        tracuu_store *reader = open_ok(fx->path, TRACUU_STORE_READ);
        listing l = {.writer = fx->store, .last = g_string_new(NULL)};
        if (meta[i])
            check_ok(reader, tracuu_store_list_metadata(reader, "k", list_meta_and_write, &l));
        else
            check_ok(reader, tracuu_store_list_terms(reader, "Qr", list_and_write, &l));
        g_assert_cmpint(l.dupes, ==, 0);
        g_assert_cmpint(l.count, ==, n);
        g_string_free(l.last, TRUE);
        tracuu_store_free(reader);
    }
}

/* ---- Time limit ---- */

static void
test_time_limit(void)
{
    g_autofree char *dir = make_tmpdir();
    g_autofree char *path = g_build_filename(dir, "index", NULL);
    tracuu_store *s = open_ok(path, TRACUU_STORE_CREATE);
    /* Enough documents that an exhaustive match with facets takes well over a microsecond:
     * "a" in every second document, "b" in every third. */
    const unsigned n = 20000;
    for (unsigned i = 0; i < n; i++) {
        char q[32], v[16];
        tracuu_store_doc *doc = tracuu_store_doc_new();
        snprintf(q, sizeof q, "Q%u", i);
        snprintf(v, sizeof v, "%u", i % 7);
        tracuu_store_doc_add_term(doc, q, strlen(q), 0);
        if (i % 2 == 0)
            tracuu_store_doc_add_posting(doc, "a", 1, 1, 1 + i % 5);
        if (i % 3 == 0)
            tracuu_store_doc_add_posting(doc, "b", 1, 2, 1 + i % 4);
        tracuu_store_doc_add_posting(doc, "c", 1, 3, 1);
        tracuu_store_doc_set_value(doc, 1, v, strlen(v));
        check_ok(s, tracuu_store_replace(s, q, doc, NULL));
        tracuu_store_doc_free(doc);
    }
    check_ok(s, tracuu_store_commit(s));
    const uint64_t expect = n / 2 + (n + 2) / 3 - (n + 5) / 6; /* |a or b| */

    /* Xapian's timer runs on a thread of its own, which a busy machine may start late; so
     * the tiny limit gets a few tries and must cut the match at least once. */
    static const struct {
        double limit;
        int tries;
        tracuu_store_status expect;
    } cases[] = {
        {0, 1, TRACUU_STORE_OK},
        {60, 1, TRACUU_STORE_OK},
        {1e-6, 20, TRACUU_STORE_TIMEOUT},
    };
    const unsigned slot = 1;
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        tracuu_store_status st = TRACUU_STORE_ERROR;
        for (int t = 0; t < cases[i].tries && st != cases[i].expect; t++) {
            tracuu_query *subs[] = {tracuu_query_new_term("a", 1, 1, 0),
                                    tracuu_query_new_term("b", 1, 1, 0)};
            tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_OR, subs, 2, 0);
            tracuu_search_options opts;
            tracuu_search_options_init(&opts);
            opts.check_at_least = n;
            opts.facet_slots = &slot;
            opts.n_facet_slots = 1;
            opts.time_limit = cases[i].limit;
            tracuu_results *r = NULL;
            st = tracuu_store_search(s, q, &opts, &r);
            g_test_message("limit %g: %s, total %" G_GUINT64_FORMAT " [%" G_GUINT64_FORMAT
                           ", %" G_GUINT64_FORMAT "]",
                           cases[i].limit, tracuu_store_status_name(st), r ? r->total : 0,
                           r ? r->total_lower : 0, r ? r->total_upper : 0);
            /* Results come back either way: on a timeout, what was matched in time. */
            g_assert_nonnull(r);
            g_assert_cmpuint(r->n_hits, ==, 10);
            uint64_t counted = 0;
            for (size_t j = 0; j < r->facets[0].n_values; j++)
                counted += r->facets[0].values[j].count;
            if (st == TRACUU_STORE_OK) {
                g_assert_cmpuint(r->total, ==, expect);
                g_assert_cmpuint(r->total_lower, ==, r->total_upper);
                g_assert_cmpuint(counted, ==, expect);
            } else {
                g_assert_cmpint(st, ==, TRACUU_STORE_TIMEOUT);
                g_assert_true(r->total_lower != r->total_upper || counted < expect);
                g_assert_cmpstr(tracuu_store_get_error(s), !=, "");
            }
            tracuu_results_free(r);
            tracuu_query_free(q);
        }
        g_assert_cmpint(st, ==, cases[i].expect);
    }
    tracuu_store_free(s);
    tracuu_test_rm_rf(dir);
}

/* ---- tracuu_store_retag ---- */

typedef struct {
    guint calls;
    gboolean refuse;
} retag_ctx;

static bool
retag_cb(uint32_t docid, const char *data, size_t len, tracuu_store_doc *edit, void *user_data)
{
    retag_ctx *c = user_data;
    c->calls++;
    if (c->refuse)
        return false;
    tracuu_store_doc_add_term(edit, "XAnew", 5, 0);
    tracuu_store_doc_add_term(edit, "XLmat", 5, 0);
    /* The data of the document "one" only: the other keeps its own. */
    if (len == 3 && memcmp(data, "one", 3) == 0)
        tracuu_store_doc_set_data(edit, "ONE", 3);
    return true;
}

static void
add_retag_doc(tracuu_store *s, const char *id, const char *file, const char *data)
{
    tracuu_store_doc *d = tracuu_store_doc_new();
    g_autofree char *q = g_strconcat("Q", id, NULL);
    tracuu_store_doc_add_term(d, q, strlen(q), 0);
    tracuu_store_doc_add_term(d, file, strlen(file), 0);
    tracuu_store_doc_add_posting(d, "word", 4, 1, 1);
    tracuu_store_doc_add_term(d, "XAold", 5, 0);
    tracuu_store_doc_add_term(d, "XA-", 3, 0);
    tracuu_store_doc_add_term(d, "XABkept", 7, 0); /* another prefix that starts with XA */
    tracuu_store_doc_add_term(d, "XLnone", 6, 0);
    tracuu_store_doc_set_value(d, 3, "2024", 4);
    tracuu_store_doc_set_data(d, data, strlen(data));
    check_ok(s, tracuu_store_replace(s, q, d, NULL));
    tracuu_store_doc_free(d);
}

static void
test_retag(void)
{
    g_autofree char *dir = make_tmpdir();
    tracuu_store *s = open_ok(dir, TRACUU_STORE_CREATE);
    add_retag_doc(s, "1", "XFa", "one");
    add_retag_doc(s, "2", "XFa", "two");
    add_retag_doc(s, "3", "XFb", "three");
    check_ok(s, tracuu_store_commit(s));

    const char *const drop[] = {"XA", "XL", NULL};
    retag_ctx c = {0};
    uint32_t n = 0;
    check_ok(s, tracuu_store_retag(s, "XFa", drop, retag_cb, &c, &n));
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(c.calls, ==, 2);
    check_ok(s, tracuu_store_commit(s));

    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XAnew", 5), ==, 2);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XLmat", 5), ==, 2);
    /* Dropped only where retagged; the other prefix and the other terms stay everywhere. */
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XAold", 5), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XA-", 3), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XLnone", 6), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XABkept", 7), ==, 3);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "word", 4), ==, 3);
    g_assert_cmpuint(tracuu_store_get_term_freq(s, "XFa", 3), ==, 2);
    g_assert_cmpuint(tracuu_store_get_doc_count(s), ==, 3);

    char *data = NULL;
    size_t len = 0;
    uint32_t docid = 0;
    check_ok(s, tracuu_store_get_data(s, "Q1", &data, &len, &docid));
    g_assert_cmpstr(data, ==, "ONE");
    free(data);
    char *value = NULL;
    check_ok(s, tracuu_store_get_value(s, docid, 3, &value, &len));
    g_assert_cmpstr(value, ==, "2024");
    free(value);
    check_ok(s, tracuu_store_get_data(s, "Q2", &data, &len, NULL));
    g_assert_cmpstr(data, ==, "two");
    free(data);

    /* No document with the term: nothing to do, no call. */
    c.calls = 0;
    check_ok(s, tracuu_store_retag(s, "XFnone", drop, retag_cb, &c, &n));
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpuint(c.calls, ==, 0);

    /* A refusal is an error that names the document. */
    c.refuse = TRUE;
    g_assert_cmpint(tracuu_store_retag(s, "XFb", drop, retag_cb, &c, &n), ==, TRACUU_STORE_INVALID);
    g_assert_nonnull(strstr(tracuu_store_get_error(s), "refused"));
    tracuu_store_free(s);

    /* A reader cannot retag. */
    s = open_ok(dir, TRACUU_STORE_READ);
    c.refuse = FALSE;
    g_assert_cmpint(tracuu_store_retag(s, "XFa", drop, retag_cb, &c, &n), ==,
                    TRACUU_STORE_READ_ONLY);
    tracuu_store_free(s);
    tracuu_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/store/status-names", test_status_names);
    g_test_add_func("/store/open", test_open);
    g_test_add_func("/store/describe", test_describe);
    g_test_add_func("/store/time-limit", test_time_limit);
    g_test_add_func("/store/retag", test_retag);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/store/docids", test_docids);
    ADD("/store/documents", test_documents);
    ADD("/store/postings", test_postings);
    ADD("/store/term-too-long", test_term_too_long);
    ADD("/store/metadata", test_metadata);
    ADD("/store/terms", test_terms);
    ADD("/store/locked", test_locked);
    ADD("/store/reopen", test_reopen);
    ADD("/store/modified-retry", test_modified_retry);
    ADD("/store/modified-listing", test_modified_listing);
    ADD("/store/weights", test_weights);
    ADD("/store/bm25", test_bm25);
    ADD("/store/bad-query", test_bad_query);
    ADD("/store/sort", test_sort);
    ADD("/store/wildcard-limit", test_wildcard_limit);
    ADD("/store/facets", test_facets);
#undef ADD
    for (gsize i = 0; i < G_N_ELEMENTS(query_cases); i++) {
        g_autofree char *name = g_strdup_printf("/store/query/%" G_GSIZE_FORMAT, i);
        g_test_add(name, Fixture, &query_cases[i], fixture_setup, test_query,
                   fixture_teardown);
    }
    return g_test_run();
}
