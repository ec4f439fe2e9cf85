/* question-words.c - how much each word of a question carries its content, learned from questions. */
#include <gio/gio.h>
#include <string.h>

#include "engine-private.h"
#include "tracuu-rank-resources.h"

/*
 * A question says what it asks about and how it asks: "Thủ tục đăng ký kết hôn như thế nào?"
 * is about "thủ tục đăng ký kết hôn"; "như thế nào" only makes it a question, and an article
 * that happens to say "như thế nào" answers it no better. BM25 cannot tell the two apart (the
 * IDF of "nào" is that of any rare enough syllable), so the engine weighs each syllable of a
 * long run of words (a question or a pasted sentence, see all_words_max) by a factor learned
 * from training questions with their judgements (bench/question-words.c): over the questions
 * where a syllable stands in a given context, how much more often than chance the relevant
 * article holds it. A syllable that the answers hold as often as any article does (or less)
 * carries only the question's form and weighs little; content words keep their weight.
 *
 * The context matters: "bao" of "bao nhiêu" asks, "bao" of "bao gồm" does not. So the table
 * keys a syllable with its left or right neighbour where the questions had it often enough,
 * and alone otherwise. A query typed with diacritics is looked up as written ("dung" of "nội
 * dung" is not "đúng" of "đúng hay sai"), one typed without in the folded entries.
 *
 * The table's text, one entry a line, '#' starts a comment:
 *   FORM <TAB> LEFT <TAB> SYLLABLE <TAB> RIGHT <TAB> FACTOR [<TAB> anything, for the reader]
 * FORM "exact" (terms as the tokenizer makes them: NFC, one tone placement, lower case) or
 * "folded" (without diacritics); LEFT or RIGHT "*" for any neighbour, at most one of them given. The default table is
 * searchd/question-words.tsv, compiled in (searchd/meson.build) and learned from the ALQAC
 * training questions; docs/ranking.md says how, and what it does on questions it has not seen.
 */

struct tracuu_question_words {
    GHashTable *factors; /* key (see key()) -> double factor in [0, 1], g_new()'d */
};

static char *
key(gboolean exact, const char *left, const char *syllable, const char *right)
{
    return g_strconcat(exact ? "exact" : "folded", "\t", left != NULL ? left : "*", "\t",
                       syllable, "\t", right != NULL ? right : "*", NULL);
}

tracuu_question_words *
tracuu_question_words_parse(const char *text, gsize len, GError **error)
{
    tracuu_question_words *qw = g_new0(tracuu_question_words, 1);
    qw->factors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autofree char *copy = g_strndup(text, len);
    g_auto(GStrv) lines = g_strsplit(copy, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        g_strchomp(lines[i]);
        if (lines[i][0] == '\0' || lines[i][0] == '#')
            continue;
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", 6);
        guint n = g_strv_length(f);
        char *end = NULL;
        double factor = n >= 5 ? g_ascii_strtod(f[4], &end) : -1;
        gboolean exact = n >= 5 && strcmp(f[0], "exact") == 0;
        if (n < 5 || (!exact && strcmp(f[0], "folded") != 0) || end == f[4] || *end != '\0' ||
            !(factor >= 0 && factor <= 1) || f[2][0] == '\0' || strcmp(f[2], "*") == 0 ||
            (strcmp(f[1], "*") != 0 && strcmp(f[3], "*") != 0)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "question words, line %u: want FORM (exact or folded), LEFT, SYLLABLE, "
                        "RIGHT (one of LEFT and RIGHT \"*\") and a FACTOR from 0 to 1, "
                        "separated by tabs: \"%s\"",
                        i + 1, lines[i]);
            tracuu_question_words_free(qw);
            return NULL;
        }
        /* Keys as the tokenizer makes terms, whatever the file's spelling. */
        const char *const parts[3] = {f[1], f[2], f[3]};
        char *norm[3];
        for (guint k = 0; k < 3; k++)
            norm[k] = strcmp(parts[k], "*") == 0 ? g_strdup("*")
                      : exact                     ? tracuu_text_normalize(parts[k], -1)
                                                  : tracuu_text_fold(parts[k], -1);
        double *v = g_new(double, 1);
        *v = factor;
        g_hash_table_replace(qw->factors, key(exact, norm[0], norm[1], norm[2]), v);
        for (guint k = 0; k < 3; k++)
            g_free(norm[k]);
    }
    return qw;
}

tracuu_question_words *
tracuu_question_words_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, error))
        return NULL;
    g_autoptr(GError) err = NULL;
    tracuu_question_words *qw = tracuu_question_words_parse(text, len, &err);
    if (qw == NULL)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, err->message);
    return qw;
}

void
tracuu_question_words_free(tracuu_question_words *qw)
{
    if (qw == NULL)
        return;
    g_hash_table_unref(qw->factors);
    g_free(qw);
}

guint
tracuu_question_words_size(const tracuu_question_words *qw)
{
    return qw != NULL ? g_hash_table_size(qw->factors) : 0;
}

static const double *
lookup(const tracuu_question_words *qw, gboolean exact, const char *left, const char *syllable,
       const char *right)
{
    g_autofree char *k = key(exact, left, syllable, right);
    return g_hash_table_lookup(qw->factors, k);
}

double
tracuu_question_words_factor(const tracuu_question_words *qw, gboolean exact, const char *left,
                             const char *syllable, const char *right)
{
    if (qw == NULL)
        return 1.0;
    /* The contexts with a neighbour tell more than the syllable alone; where both neighbours
     * have one, the lower factor wins: either neighbour can make the syllable part of the
     * question's form ("là bao nhiêu"). */
    const double *l = left != NULL ? lookup(qw, exact, left, syllable, NULL) : NULL;
    const double *r = right != NULL ? lookup(qw, exact, NULL, syllable, right) : NULL;
    if (l != NULL || r != NULL)
        return MIN(l != NULL ? *l : 1.0, r != NULL ? *r : 1.0);
    const double *s = lookup(qw, exact, NULL, syllable, NULL);
    return s != NULL ? *s : 1.0;
}

const tracuu_question_words *
tracuu_question_words_default(void)
{
    static gsize once = 0;
    static tracuu_question_words *table = NULL;
    if (g_once_init_enter(&once)) {
        /* Looked up in the resource itself, not the global list: a static library's
         * constructor that registers it is not linked unless something calls into it. */
        g_autoptr(GBytes) b = g_resource_lookup_data(tracuu_rank_get_resource(),
                                                     "/tracuu/rank/question-words.tsv",
                                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
        g_autoptr(GError) error = NULL;
        gsize len = 0;
        const char *text = b != NULL ? g_bytes_get_data(b, &len) : "";
        table = tracuu_question_words_parse(text, len, &error);
        /* The table is compiled in and checked by the unit tests: a parse error is a build
         * defect, and ranking without the table is still ranking. */
        if (table == NULL)
            g_warning("compiled-in question words: %s", error->message);
        g_once_init_leave(&once, 1);
    }
    return table;
}
