/* suggest-eval.c - "did you mean" on ALQAC: accents restored, misspellings corrected, cost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alqac-data.h"
#include "engine-private.h"
#include "tracuu-engine.h"

/*
 * Over the ALQAC index and questions that bench/alqac-eval uses (bench/alqac-data.c):
 * 1. every question with its diacritics removed is searched, and its "suggest" (or the query
 *    itself when there is none) compared with the question as written, syllable by syllable:
 *    the share of questions restored exactly, and of syllables;
 * 2. one syllable of every question is misspelled by a seeded generator (a letter changed,
 *    dropped or two swapped, or the tone mark moved to the next syllable), and the share of
 *    questions whose suggestion gives back the question as written is counted per kind;
 * 3. the cost: each question searched as written, accent-free and misspelled, with the
 *    suggestion on and off (the rank knob "suggest"), mean time per query.
 *
 *   suggest-eval [--data DIR] [--index DIR] [--rebuild] [--seed N] [--max N] [--absent]
 *                [--words N]
 *
 * --words N misspells the first N syllables of each question only, as typed in a search box
 * (the whole questions always find enough, so only --absent corrects them). *
 * --absent turns the rank knob suggest_absent on: a word no document has is corrected even
 * where the question finds enough (every ALQAC question does, being long).
 */

static void G_GNUC_NORETURN
die(const char *what, const char *why)
{
    fprintf(stderr, "suggest-eval: %s: %s\n", what, why);
    exit(1);
}

/* The words of @text as the engine reads them (normalised, case-folded). */
static gboolean
collect(const tracuu_token *t, gpointer user_data)
{
    if (t->kind == TRACUU_TOKEN_WORD && !(t->flags & TRACUU_TOKEN_PART))
        g_ptr_array_add(user_data, g_strndup(t->term, t->term_len));
    return TRUE;
}

static GPtrArray *
words_of(tracuu_tokenizer *tk, const char *text)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    tracuu_tokenizer_run(tk, text, strlen(text), 0, collect, w);
    return w;
}

/* The suggestion for @q (or @q itself when none) and the time the search took, in ms. */
static char *
ask(tracuu_engine *e, const char *q, double *ms)
{
    g_autoptr(JsonObject) req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", q);
    json_object_set_int_member(req, "limit", 10);
    g_autoptr(GError) error = NULL;
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(JsonObject) r = tracuu_engine_handle(e, req, &error);
    if (ms != NULL)
        *ms = (g_get_monotonic_time() - t0) / 1000.0;
    if (r == NULL)
        die(q, error->message);
    return g_strdup(
        json_object_has_member(r, "suggest") ? json_object_get_string_member(r, "suggest") : q);
}

/* Syllables of @got equal to those of @want at the same place; *@all when every one is. */
static guint
same_words(tracuu_tokenizer *tk, const char *want, const char *got, gboolean *all)
{
    g_autoptr(GPtrArray) a = words_of(tk, want);
    g_autoptr(GPtrArray) b = words_of(tk, got);
    guint same = 0;
    for (guint i = 0; i < a->len && i < b->len; i++)
        same += strcmp(g_ptr_array_index(a, i), g_ptr_array_index(b, i)) == 0;
    *all = a->len == b->len && same == a->len;
    return same;
}

typedef enum { MIS_CHANGE, MIS_DROP, MIS_SWAP, MIS_TONE, MIS_KINDS } mis_kind;
static const char *const mis_names[] = {"letter changed", "letter dropped", "letters swapped",
                                        "tone moved"};

static gboolean
is_tone(gunichar c)
{
    return c == 0x0300 || c == 0x0301 || c == 0x0303 || c == 0x0309 || c == 0x0323;
}

static gboolean
is_vowel(gunichar c)
{
    return strchr("aeiouy", (int)g_unichar_tolower(c)) != NULL && c < 128;
}

/* The byte spans of the syllables (word tokens) of @text. */
typedef struct {
    size_t start, end;
} span;

static gboolean
collect_span(const tracuu_token *t, gpointer user_data)
{
    if (t->kind == TRACUU_TOKEN_WORD && !(t->flags & TRACUU_TOKEN_PART)) {
        span s = {t->start, t->end};
        g_array_append_val(user_data, s);
    }
    return TRUE;
}

/* @text's bytes [@s.start, @s.end) decomposed, as characters. */
static gunichar *
nfd_chars(const char *text, span s, glong *n)
{
    g_autofree char *nfd =
        g_utf8_normalize(text + s.start, (gssize)(s.end - s.start), G_NORMALIZE_NFD);
    return g_utf8_to_ucs4(nfd, -1, NULL, n, NULL);
}

static char *
chars_nfc(const gunichar *c, glong n)
{
    g_autofree char *u = g_ucs4_to_utf8(c, n, NULL, NULL, NULL);
    return g_utf8_normalize(u, -1, G_NORMALIZE_NFC);
}

/*
 * @text with one syllable misspelled by @kind, chosen with @rand; NULL when the question has
 * no syllable the kind can change. Letters and tones are edited on the decomposed form, so
 * that "ạ" is a letter with a tone, as typists see it.
 */
static char *
misspell(tracuu_tokenizer *tk, GRand *rand, const char *text, mis_kind kind)
{
    g_autoptr(GArray) spans = g_array_new(FALSE, FALSE, sizeof(span));
    tracuu_tokenizer_run(tk, text, strlen(text), 0, collect_span, spans);
    if (spans->len == 0)
        return NULL;
    for (int tries = 0; tries < 20; tries++) {
        guint w = (guint)g_rand_int_range(rand, 0, (gint32)spans->len);
        span s = g_array_index(spans, span, w);
        glong n = 0;
        g_autofree gunichar *c = nfd_chars(text, s, &n);
        /* The letters (base characters) of the syllable. */
        g_autoptr(GArray) letters = g_array_new(FALSE, FALSE, sizeof(glong));
        glong tone_at = -1;
        for (glong i = 0; i < n; i++) {
            if (is_tone(c[i]))
                tone_at = i;
            else if (g_unichar_isalpha(c[i]))
                g_array_append_val(letters, i);
        }
        if (letters->len < 2)
            continue;
        g_autofree char *repl = NULL, *next_repl = NULL;
        span next = s;
        switch (kind) {
        case MIS_CHANGE: {
            static const char alphabet[] = "abcdeghiklmnopqrstuvxy";
            glong at =
                g_array_index(letters, glong, g_rand_int_range(rand, 0, (gint32)letters->len));
            gunichar to = (gunichar)alphabet[g_rand_int_range(rand, 0, sizeof alphabet - 1)];
            if (g_unichar_tolower(c[at]) == to)
                continue;
            c[at] = to;
            repl = chars_nfc(c, n);
            break;
        }
        case MIS_DROP: {
            glong at =
                g_array_index(letters, glong, g_rand_int_range(rand, 0, (gint32)letters->len));
            /* The letter and the marks on it go. */
            glong end = at + 1;
            while (end < n && g_unichar_ismark(c[end]))
                end++;
            memmove(c + at, c + end, (n - end) * sizeof(gunichar));
            repl = chars_nfc(c, n - (end - at));
            break;
        }
        case MIS_SWAP: {
            guint k = (guint)g_rand_int_range(rand, 0, (gint32)letters->len - 1);
            glong a = g_array_index(letters, glong, k), b = g_array_index(letters, glong, k + 1);
            if (c[a] == c[b] || b != a + 1)
                continue; /* only neighbours without marks between them */
            gunichar t = c[a];
            c[a] = c[b];
            c[b] = t;
            repl = chars_nfc(c, n);
            break;
        }
        case MIS_TONE: {
            /* The tone of this syllable onto the next one, which has none. */
            if (tone_at < 0 || w + 1 >= spans->len)
                continue;
            next = g_array_index(spans, span, w + 1);
            glong m = 0;
            g_autofree gunichar *d = nfd_chars(text, next, &m);
            glong vowel = -1;
            gboolean toned = FALSE;
            for (glong i = 0; i < m; i++) {
                toned |= is_tone(d[i]);
                if (vowel < 0 && is_vowel(d[i]))
                    vowel = i;
            }
            if (toned || vowel < 0)
                continue;
            gunichar tone = c[tone_at];
            memmove(c + tone_at, c + tone_at + 1, (n - tone_at - 1) * sizeof(gunichar));
            repl = chars_nfc(c, n - 1);
            g_autofree gunichar *d2 = g_new(gunichar, m + 1);
            memcpy(d2, d, (vowel + 1) * sizeof(gunichar));
            d2[vowel + 1] = tone;
            memcpy(d2 + vowel + 2, d + vowel + 1, (m - vowel - 1) * sizeof(gunichar));
            /* The tokenizer places the tone on the right vowel of the syllable itself. */
            next_repl = chars_nfc(d2, m + 1);
            break;
        }
        case MIS_KINDS:
            break;
        }
        if (repl == NULL || *repl == '\0')
            continue;
        GString *out = g_string_new_len(text, (gssize)s.start);
        g_string_append(out, repl);
        if (next_repl != NULL) {
            g_string_append_len(out, text + s.end, (gssize)(next.start - s.end));
            g_string_append(out, next_repl);
            g_string_append(out, text + next.end);
        } else {
            g_string_append(out, text + s.end);
        }
        return g_string_free(out, FALSE);
    }
    return NULL;
}

/* The first @n syllables of @text (all of it for 0), as written. Caller frees with g_free(). */
static char *
first_words(tracuu_tokenizer *tk, const char *text, int n)
{
    g_autoptr(GArray) spans = g_array_new(FALSE, FALSE, sizeof(span));
    tracuu_tokenizer_run(tk, text, strlen(text), 0, collect_span, spans);
    if (n <= 0 || (guint)n >= spans->len)
        return g_strdup(text);
    return g_strndup(text, g_array_index(spans, span, n - 1).end);
}

typedef struct {
    double on, off;
    int n;
} cost;

static void
print_cost(const char *what, const cost *c)
{
    printf("cost %-34s %4d queries: %.2f ms with, %.2f ms without, %+.2f ms per query\n", what,
           c->n, c->n ? c->on / c->n : 0, c->n ? c->off / c->n : 0,
           c->n ? (c->on - c->off) / c->n : 0);
}

/* Times @q with the suggestion on and off (the better of two runs each, after a warm-up). */
static void
time_both(tracuu_engine *e, tracuu_rank_params *rp, const char *q, cost *c)
{
    double best[2] = {1e9, 1e9};
    for (int round = 0; round < 3; round++) {
        for (int on = 0; on < 2; on++) {
            rp->suggest = on;
            tracuu_engine_set_rank_params(e, rp);
            double ms = 0;
            g_free(ask(e, q, &ms));
            if (round > 0 && ms < best[on])
                best[on] = ms;
        }
    }
    rp->suggest = TRUE;
    tracuu_engine_set_rank_params(e, rp);
    c->on += best[1];
    c->off += best[0];
    c->n++;
}

int
main(int argc, char **argv)
{
    const char *data = NULL, *index = NULL;
    gboolean rebuild = FALSE, absent = FALSE;
    int words = 0;
    guint32 seed = 16;
    int max = -1;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--data") == 0 && v != NULL)
            data = argv[++i];
        else if (strcmp(argv[i], "--index") == 0 && v != NULL)
            index = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && v != NULL)
            seed = (guint32)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--max") == 0 && v != NULL)
            max = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rebuild") == 0)
            rebuild = TRUE;
        else if (strcmp(argv[i], "--absent") == 0)
            absent = TRUE;
        else if (strcmp(argv[i], "--words") == 0 && v != NULL)
            words = atoi(argv[++i]);
        else
            die("usage", "suggest-eval [--data DIR] [--index DIR] [--rebuild] [--seed N] "
                         "[--max N] [--absent] [--words N]");
    }
    g_autofree char *data_dir = alqac_data_dir(data);
    g_autoptr(GError) error = NULL;
    g_autofree char *index_dir = alqac_open_index(data_dir, index, rebuild, &error);
    if (index_dir == NULL)
        die(data_dir, error->message);
    g_autoptr(GArray) queries = alqac_load_queries(data_dir, &error);
    if (queries == NULL)
        die(data_dir, error->message);
    tracuu_engine *e = tracuu_engine_open(index_dir, &error);
    if (e == NULL)
        die(index_dir, error->message);
    tracuu_engine_set_snippets(e, FALSE);
    tracuu_rank_params rp;
    tracuu_rank_params_init(&rp);
    rp.suggest_absent = absent;
    tracuu_engine_set_rank_params(e, &rp);
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    if (tk == NULL)
        die("tokenizer", error->message);
    guint nq = max >= 0 ? MIN((guint)max, queries->len) : queries->len;

    /* 1. Accents restored. */
    guint exact = 0, syl_same = 0, syl_all = 0, false_alarms = 0;
    for (guint i = 0; i < nq; i++) {
        const alqac_query *q = &g_array_index(queries, alqac_query, i);
        /* As written, a question needs nothing: a suggestion there is a false alarm. */
        g_autofree char *as_is = ask(e, q->text, NULL);
        false_alarms += strcmp(as_is, q->text) != 0;
        g_autofree char *folded = tracuu_text_fold(q->text, -1);
        g_autofree char *got = ask(e, folded, NULL);
        gboolean all = FALSE;
        syl_same += same_words(tk, q->text, got, &all);
        g_autoptr(GPtrArray) w = words_of(tk, q->text);
        syl_all += w->len;
        exact += all;
    }
    printf("# suggest-eval over %u ALQAC questions (%s), seed %u%s", nq, data_dir, seed,
           absent ? ", --absent (suggest_absent)" : "");
    if (words > 0)
        printf(", misspellings in their first %d syllables", words);
    printf("\n");
    printf("accents restored: questions exactly %.1f%% (%u/%u), syllables %.1f%% (%u/%u)\n",
           100.0 * exact / MAX(nq, 1), exact, nq, 100.0 * syl_same / MAX(syl_all, 1), syl_same,
           syl_all);
    printf("questions as written that get a suggestion (false alarms): %.1f%% (%u/%u)\n",
           100.0 * false_alarms / MAX(nq, 1), false_alarms, nq);

    /* 2. Misspellings corrected, written with diacritics, and the same without. */
    GRand *rand = g_rand_new_with_seed(seed);
    tracuu_store *store = NULL;
    char *msg = NULL;
    if (tracuu_store_open(index_dir, TRACUU_STORE_READ, &store, &msg) != TRACUU_STORE_OK)
        die(index_dir, msg);
    g_autoptr(GPtrArray) wrong_texts = g_ptr_array_new_with_free_func(g_free);
    for (int k = 0; k < MIS_KINDS; k++) {
        /* Without diacritics a moved tone is no misspelling at all. */
        for (int folded = 0; folded < (k == MIS_TONE ? 1 : 2); folded++) {
            guint made = 0, fixed = 0, real = 0, suggested = 0;
            for (guint i = 0; i < nq; i++) {
                const alqac_query *full = &g_array_index(queries, alqac_query, i);
                g_autofree char *text = first_words(tk, full->text, words);
                const alqac_query cut = {full->id, text, full->split}, *q = &cut;
                g_autofree char *bad = misspell(tk, rand, q->text, (mis_kind)k);
                if (bad == NULL)
                    continue;
                g_autoptr(GPtrArray) bw = words_of(tk, bad);
                g_autoptr(GPtrArray) gw = words_of(tk, q->text);
                gboolean all = FALSE;
                same_words(tk, q->text, bad, &all);
                if (all)
                    continue; /* the change made no other word */
                /* A real-word error: every syllable of the misspelt question is a word of
                 * the archive, so only the neighbours can tell it is wrong. */
                gboolean words = TRUE;
                for (guint j = 0; j < bw->len; j++) {
                    const char *t = g_ptr_array_index(bw, j);
                    words &= tracuu_store_get_term_freq(store, t, strlen(t)) > 0;
                }
                real += words;
                made++;
                g_autofree char *typed = folded ? tracuu_text_fold(bad, -1) : g_strdup(bad);
                g_autofree char *want = folded ? tracuu_text_fold(q->text, -1) : g_strdup(q->text);
                g_autofree char *got = ask(e, typed, NULL);
                suggested += strcmp(got, typed) != 0;
                /* Without diacritics, right means every syllable as in the question, its
                 * accents aside (they are part 1). */
                gboolean ok = FALSE;
                g_autofree char *got_folded = folded ? tracuu_text_fold(got, -1) : NULL;
                same_words(tk, want, folded ? got_folded : got, &ok);
                fixed += ok;
                if (k == MIS_CHANGE && folded == 0 && wrong_texts->len < 200)
                    g_ptr_array_add(wrong_texts, g_strdup(bad));
            }
            printf("misspelt, %-15s %-19s %4u questions: corrected %.1f%% (%u), a suggestion "
                   "%.1f%%, real-word errors %.1f%%\n",
                   mis_names[k], folded ? "without diacritics:" : "with diacritics:", made,
                   100.0 * fixed / MAX(made, 1), fixed, 100.0 * suggested / MAX(made, 1),
                   100.0 * real / MAX(made, 1));
        }
    }
    g_rand_free(rand);
    tracuu_store_free(store);

    /* 3. What it costs: a new engine, so that the first correction lists the vocabulary. */
    tracuu_engine_free(e);
    e = tracuu_engine_open(index_dir, &error);
    if (e == NULL)
        die(index_dir, error->message);
    tracuu_engine_set_snippets(e, FALSE);
    tracuu_engine_set_rank_params(e, &rp);
    if (wrong_texts->len > 0) {
        double first = 0, again = 0;
        g_free(ask(e, g_ptr_array_index(wrong_texts, 0), &first));
        g_free(ask(e, g_ptr_array_index(wrong_texts, 0), &again));
        printf("cost of the first correction, which lists the vocabulary: %.1f ms (then %.1f)\n",
               first, again);
    }
    guint nt = MIN(nq, 200u);
    cost written = {0}, bare = {0}, wrong = {0};
    for (guint i = 0; i < nt; i++) {
        const alqac_query *q = &g_array_index(queries, alqac_query, i);
        g_autofree char *folded = tracuu_text_fold(q->text, -1);
        time_both(e, &rp, q->text, &written);
        time_both(e, &rp, folded, &bare);
    }
    for (guint i = 0; i < wrong_texts->len; i++)
        time_both(e, &rp, g_ptr_array_index(wrong_texts, i), &wrong);
    print_cost("as written (finds enough)", &written);
    print_cost("without diacritics (accents)", &bare);
    print_cost("a letter changed (corrections)", &wrong);
    tracuu_engine_free(e);
    tracuu_tokenizer_free(tk);
    return 0;
}
