/* question-words.c - learns the question words' factors (searchd/question-words.c) from ALQAC. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alqac-data.h"
#include "tracuu-tokenizer.h"

/*
 * For every syllable of the training questions, in three contexts (alone, after its left
 * neighbour, before its right one), as written and folded: over its occurrences, how much more often than chance
 * the question's relevant articles hold it. One occurrence scores
 *   lift = (y - p) / (1 - p)
 * with y 1 when a relevant article holds the syllable (as written) and p the share of all
 * articles that do, and 0 where that is below 0: the mean is 1 for a word every answer holds,
 * about 0 for one the answers hold no more often than any article. A context's factor is the mean lift,
 * smoothed toward full weight by --prior pseudo-occurrences and divided by --full (the mean lift
 * that earns full weight), cut to [0, 1]. Contexts seen at least --min times with a factor
 * below --keep are printed, in the table format of searchd/question-words.c.
 *
 *   question-words [--data DIR] [--split NAME]... [--min N] [--full X] [--prior A]
 *                  [--keep X] [--out FILE]
 *
 * Without --split, both training splits. The default table (searchd/question-words.tsv) is
 * made with the defaults from both; docs/ranking.md reports tables learned on one split and
 * measured on the other.
 */

typedef struct {
    double sum; /* of the lifts */
    guint n;    /* occurrences */
    guint held; /* of them, held by a relevant article */
} stat;

typedef struct {
    GPtrArray *terms, *folded;
    GArray *pos;
} words;

static gboolean
collect(const tracuu_token *t, gpointer user_data)
{
    words *w = user_data;
    if (t->kind != TRACUU_TOKEN_WORD || (t->flags & TRACUU_TOKEN_PART))
        return TRUE;
    g_ptr_array_add(w->terms, g_strndup(t->term, t->term_len));
    g_ptr_array_add(w->folded, g_strndup(t->folded, t->folded_len));
    g_array_append_val(w->pos, t->pos);
    return TRUE;
}

static void
words_run(tracuu_tokenizer *tk, const char *text, words *w)
{
    w->terms = g_ptr_array_new_with_free_func(g_free);
    w->folded = g_ptr_array_new_with_free_func(g_free);
    w->pos = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    tracuu_tokenizer_run(tk, text, strlen(text), 0, collect, w);
}

static void
words_clear(words *w)
{
    g_ptr_array_unref(w->terms);
    g_ptr_array_unref(w->folded);
    g_array_unref(w->pos);
}

static void
add(GHashTable *stats, const char *form, const char *left, const char *syl, const char *right,
    double lift, gboolean held)
{
    g_autofree char *k = g_strconcat(form, "\t", left ? left : "*", "\t", syl, "\t",
                                     right ? right : "*", NULL);
    stat *s = g_hash_table_lookup(stats, k);
    if (s == NULL) {
        s = g_new0(stat, 1);
        g_hash_table_insert(stats, g_steal_pointer(&k), s);
    }
    s->sum += lift;
    s->n++;
    s->held += held;
}

static gint
cmp_keys(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
die(const char *msg)
{
    fprintf(stderr, "question-words: %s\n", msg);
    exit(1);
}

int
main(int argc, char **argv)
{
    const char *data = NULL, *out = NULL;
    g_autoptr(GPtrArray) splits = g_ptr_array_new();
    guint min = 3;
    double full = 0.5, prior = 2, keep = 0.95;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            die("usage: question-words [--data DIR] [--split NAME]... [--min N] [--full X] "
                "[--prior A] [--keep X] [--out FILE]");
        if (strcmp(a, "--data") == 0)
            data = v;
        else if (strcmp(a, "--split") == 0)
            g_ptr_array_add(splits, (gpointer)v);
        else if (strcmp(a, "--min") == 0)
            min = (guint)atoi(v);
        else if (strcmp(a, "--full") == 0)
            full = g_ascii_strtod(v, NULL);
        else if (strcmp(a, "--prior") == 0)
            prior = g_ascii_strtod(v, NULL);
        else if (strcmp(a, "--keep") == 0)
            keep = g_ascii_strtod(v, NULL);
        else if (strcmp(a, "--out") == 0)
            out = v;
        else
            die("usage: question-words [--data DIR] [--split NAME]... [--min N] [--full X] "
                "[--prior A] [--keep X] [--out FILE]");
        i++;
    }
    if (!(full > 0))
        die("--full must be above 0");
    if (splits->len == 0) {
        g_ptr_array_add(splits, "train_verified");
        g_ptr_array_add(splits, "train_unverified");
    }
    g_autofree char *dir = alqac_data_dir(data);
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) qrels = alqac_load_qrels(dir, &error);
    GArray *queries = qrels != NULL ? alqac_load_queries(dir, &error) : NULL;
    if (queries == NULL)
        die(error->message);
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    if (tk == NULL)
        die(error->message);

    /* Each article's syllables as written, and in how many articles each stands. */
    g_autofree char *corpus_path = g_build_filename(dir, "corpus.jsonl", NULL);
    g_autofree char *corpus = NULL;
    if (!g_file_get_contents(corpus_path, &corpus, NULL, &error))
        die(error->message);
    g_autoptr(GHashTable) articles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify)g_hash_table_unref);
    g_autoptr(GHashTable) df = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_auto(GStrv) lines = g_strsplit(corpus, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        g_autoptr(JsonObject) o = *lines[i] ? alqac_parse_line(lines[i]) : NULL;
        if (o == NULL)
            continue;
        g_autofree char *text = g_strconcat(json_object_get_string_member(o, "title"), "\n",
                                            json_object_get_string_member(o, "text"), NULL);
        words w;
        words_run(tk, text, &w);
        GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint k = 0; k < w.terms->len; k++)
            g_hash_table_add(set, g_strdup(g_ptr_array_index(w.terms, k)));
        GHashTableIter it;
        gpointer term;
        g_hash_table_iter_init(&it, set);
        while (g_hash_table_iter_next(&it, &term, NULL)) {
            guint n = GPOINTER_TO_UINT(g_hash_table_lookup(df, term));
            g_hash_table_replace(df, g_strdup(term), GUINT_TO_POINTER(n + 1));
        }
        g_hash_table_insert(articles, g_strdup(json_object_get_string_member(o, "id")), set);
        words_clear(&w);
    }
    double n_articles = g_hash_table_size(articles);
    if (n_articles == 0)
        die("no articles in corpus.jsonl");

    g_autoptr(GHashTable) stats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint n_questions = 0;
    for (guint i = 0; i < queries->len; i++) {
        alqac_query *q = &g_array_index(queries, alqac_query, i);
        GHashTable *rel = g_hash_table_lookup(qrels, q->id);
        gboolean chosen = FALSE;
        for (guint s = 0; s < splits->len && !chosen; s++)
            chosen = strcmp(q->split, g_ptr_array_index(splits, s)) == 0;
        if (!chosen || rel == NULL)
            continue;
        n_questions++;
        words w;
        words_run(tk, q->text, &w);
        for (guint k = 0; k < w.terms->len; k++) {
            const char *term = g_ptr_array_index(w.terms, k);
            gboolean held = FALSE;
            GHashTableIter it;
            gpointer id;
            g_hash_table_iter_init(&it, rel);
            while (!held && g_hash_table_iter_next(&it, &id, NULL)) {
                GHashTable *set = g_hash_table_lookup(articles, id);
                held = set != NULL && g_hash_table_contains(set, term);
            }
            double p = GPOINTER_TO_UINT(g_hash_table_lookup(df, term)) / n_articles;
            p = MIN(p, 0.98); /* a word nearly every article holds tells nothing either way */
            /* Not held, a common word would score far below 0 (-p / (1 - p)) and outweigh the
             * times it is held; the answers not holding it says only that it is no sign. */
            double lift = held ? 1.0 : 0.0;
            lift = MAX(0, (lift - p) / (1 - p));
            uint32_t pos = g_array_index(w.pos, uint32_t, k);
            gboolean has_left = k > 0 && g_array_index(w.pos, uint32_t, k - 1) + 1 == pos;
            gboolean has_right =
                k + 1 < w.terms->len && g_array_index(w.pos, uint32_t, k + 1) == pos + 1;
            /* As written, for queries typed with diacritics ("dung" of "nội dung" is not
             * "đúng" of "đúng hay sai"), and folded, for those typed without. */
            static const char *const forms[] = {"exact", "folded"};
            for (guint f = 0; f < 2; f++) {
                GPtrArray *a = f == 0 ? w.terms : w.folded;
                const char *syl = g_ptr_array_index(a, k);
                add(stats, forms[f], NULL, syl, NULL, lift, held);
                if (has_left)
                    add(stats, forms[f], g_ptr_array_index(a, k - 1), syl, NULL, lift, held);
                if (has_right)
                    add(stats, forms[f], NULL, syl, g_ptr_array_index(a, k + 1), lift, held);
            }
        }
        words_clear(&w);
    }

    g_autoptr(GPtrArray) keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, stats);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        stat *s = v;
        double factor = CLAMP((s->sum + prior * full) / (s->n + prior) / full, 0, 1);
        if (s->n >= min && factor < keep)
            g_ptr_array_add(keys, k);
    }
    g_ptr_array_sort(keys, cmp_keys);
    FILE *f = out != NULL ? fopen(out, "w") : stdout;
    if (f == NULL)
        die("cannot write the output file");
    fprintf(f, "# question-words.tsv - how much each syllable of a question carries its content\n"
               "# (searchd/question-words.c). Made by bench/question-words from %u ALQAC "
               "questions (",
            n_questions);
    for (guint s = 0; s < splits->len; s++)
        fprintf(f, "%s%s", s ? ", " : "", (const char *)g_ptr_array_index(splits, s));
    fprintf(f, ")\n# over %.0f articles: --min %u --full %g --prior %g --keep %g.\n"
               "# form\tleft\tsyllable\tright\tfactor\toccurrences\theld by a relevant "
               "article\n",
            n_articles, min, full, prior, keep);
    for (guint i = 0; i < keys->len; i++) {
        const stat *s = g_hash_table_lookup(stats, g_ptr_array_index(keys, i));
        double factor = CLAMP((s->sum + prior * full) / (s->n + prior) / full, 0, 1);
        fprintf(f, "%s\t%.2f\t%u\t%u\n", (const char *)g_ptr_array_index(keys, i), factor, s->n,
                s->held);
    }
    if (out != NULL && fclose(f) != 0)
        die("cannot write the output file");
    fprintf(stderr, "question-words: %u questions, %u contexts kept\n", n_questions, keys->len);
    g_array_unref(queries);
    tracuu_tokenizer_free(tk);
    return 0;
}
