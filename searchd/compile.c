/* compile.c - query AST to store queries: the ranking model and the field filters. */
#include <string.h>

#include "engine-private.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"

/*
 * The ranking model (docs/ranking.md): BM25 over syllables, where each query syllable matches
 * its folded form ("F" term, so an accent-free query finds everything) and, when the query is
 * typed with diacritics, also its exact form weighted up; title terms weigh more; adjacent
 * query syllables that stand together in a document add a phrase bonus, because Vietnamese
 * words are mostly two or three syllables and "thư điện tử" means little as separate syllables.
 * Document numbers are ranked in tiers (rank.c), not by weight: a boolean term
 * has no BM25 weight to scale.
 */

static void
qword_clear(gpointer p)
{
    g_free(((tracuu_qword *)p)->folded);
}

void
tracuu_compiled_clear(tracuu_compiled *c)
{
    if (c->words != NULL)
        g_array_unref(c->words);
    tracuu_query_free(c->query);
    tracuu_query_free(c->filter);
    if (c->docnums != NULL)
        g_ptr_array_unref(c->docnums);
    if (c->marks != NULL)
        g_hash_table_unref(c->marks);
    if (c->exact_marks != NULL)
        g_hash_table_unref(c->exact_marks);
    memset(c, 0, sizeof *c);
}

/* The tokens of the prepared tree are tracuu_qtoken; this short name is for reading them. */
typedef tracuu_qtoken qtoken;

/*
 * A token as one compilation uses it: the prepared token's strings (borrowed from the tree, or
 * from the @restore table for a guessed accent), and how much its exact form counts.
 */
typedef struct {
    const char *term;   /* accented (normalised) form, or the accent guessed for it */
    const char *folded; /* folded form */
    tracuu_token_kind kind;
    uint32_t pos;
    double exact; /* weight factor of the exact term: 0 when only the folded form counts */
    double weight; /* factor on all its weights: how much it carries the query's content */
} ctoken;

typedef struct {
    const tracuu_rank_params *rp;
    gboolean accented; /* the query as a whole was typed with diacritics */
    gboolean relaxed;  /* every run of words needs only one of them */
    GHashTable *restore; /* word index -> accented form guessed for an accent-free query */
    guint word_index;    /* positive words seen so far, the key of @restore */
    tracuu_compiled *out;
    GError **error;
    gboolean failed;
    uint32_t qpos; /* query positions, so Xapian's wqf/positions stay distinct */
    GHashTable *folded_marks; /* folded forms some query word marks in every accent */
} compiler;

static void
qtoken_clear(gpointer p)
{
    qtoken *t = p;
    g_free(t->term);
    g_free(t->folded);
}

/* What tracuu_query_prepare() carries down the tree. */
typedef struct {
    tracuu_tokenizer *tk;
    guint runs; /* tokenizer runs made */
} prep;

typedef struct {
    GArray *toks;
    gboolean accented; /* some token, a piece or one past the limit too, has a diacritic */
} collect_ctx;

static gboolean
collect_token(const tracuu_token *token, gpointer user_data)
{
    collect_ctx *c = user_data;
    /* Whether the query was typed with diacritics looks at every token of its text, as far
     * as it goes; the tokens kept stop at the limit. */
    if (token->term_len != token->folded_len ||
        memcmp(token->term, token->folded, token->term_len) != 0)
        c->accented = TRUE;
    gboolean full = c->toks->len >= TRACUU_QUERY_MAX_TOKENS;
    if (full)
        return !c->accented; /* nothing more to learn from the rest */
    if (token->flags & TRACUU_TOKEN_PART)
        return TRUE; /* see tracuu_qtoken */
    qtoken t = {
        .term = g_strndup(token->term, token->term_len),
        .folded = g_strndup(token->folded, token->folded_len),
        .kind = token->kind,
        .pos = token->pos,
        .accented = token->term_len != token->folded_len ||
                    memcmp(token->term, token->folded, token->term_len) != 0,
        .start = token->start,
        .end = token->end,
    };
    g_array_append_val(c->toks, t);
    return TRUE;
}

/*
 * The one place where query text meets the tokenizer. Sets *@accented (if not NULL) when a
 * token has a diacritic.
 */
static GArray *
tokenize_full(prep *p, const char *text, gboolean *accented)
{
    collect_ctx c = {.toks = g_array_new(FALSE, TRUE, sizeof(qtoken))};
    g_array_set_clear_func(c.toks, qtoken_clear);
    p->runs++;
    tracuu_tokenizer_run(p->tk, text, strlen(text), 0, collect_token, &c);
    if (accented != NULL)
        *accented = c.accented;
    return c.toks;
}

static GArray *
tokenize(prep *p, const char *text)
{
    return tokenize_full(p, text, NULL);
}

static tracuu_query *
term_q(compiler *c, const char *prefix, const char *term, double weight)
{
    g_autofree char *t = g_strconcat(prefix, term, NULL);
    size_t len = strlen(t);
    if (len > TRACUU_STORE_MAX_TERM)
        len = TRACUU_STORE_MAX_TERM; /* the index cut it the same way... or never has it */
    tracuu_query *q = tracuu_query_new_term(t, len, 1, ++c->qpos);
    if (q != NULL && weight != 1.0)
        q = tracuu_query_scale(q, weight);
    return q;
}

static tracuu_query *
bool_term(const char *prefix, const char *value)
{
    g_autofree char *t = g_strconcat(prefix, value, NULL);
    return tracuu_query_new_term(t, MIN(strlen(t), (size_t)TRACUU_STORE_MAX_TERM), 1, 0);
}

/* A filter on a boolean term made by the schema's rule, as the document writer makes it. */
static tracuu_query *
schema_filter(tracuu_schema_term term, const char *value)
{
    g_autofree char *t = tracuu_schema_bool_term(term, value);
    if (t == NULL)
        return tracuu_query_new_match_nothing();
    return tracuu_query_new_term(t, strlen(t), 1, 0);
}

static tracuu_query *
combine(tracuu_query_op op, GPtrArray *subs, uint32_t window)
{
    /* The store takes ownership of every sub-query, so the array only lends the pointers. */
    if (subs->len == 1 && op != TRACUU_QUERY_PHRASE && op != TRACUU_QUERY_NEAR) {
        tracuu_query *q = g_ptr_array_index(subs, 0);
        g_ptr_array_set_size(subs, 0);
        return q;
    }
    tracuu_query *q = tracuu_query_combine(op, (tracuu_query **)subs->pdata, subs->len, window);
    g_ptr_array_set_size(subs, 0);
    return q;
}

static tracuu_query *
combine2(tracuu_query_op op, tracuu_query *a, tracuu_query *b)
{
    tracuu_query *subs[2] = {a, b};
    return tracuu_query_combine(op, subs, 2, 0);
}

/*
 * Marks @t in snippets. A word of a query typed with diacritics is marked as typed where a
 * document has it so (tracuu_snippet_make() decides per document), since that is what ranks
 * it first; @as_typed FALSE marks every accent of @t, as for a query typed without diacritics.
 * Document numbers are compared folded everywhere, so they are marked folded too.
 */
static void
add_mark(compiler *c, const ctoken *t, gboolean as_typed)
{
    g_hash_table_add(c->out->marks, g_strdup(t->folded));
    if (!as_typed || !c->accented || t->kind != TRACUU_TOKEN_WORD) {
        g_hash_table_add(c->folded_marks, g_strdup(t->folded));
        return;
    }
    GPtrArray *forms = g_hash_table_lookup(c->out->exact_marks, t->folded);
    if (forms == NULL) {
        forms = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(c->out->exact_marks, g_strdup(t->folded), forms);
    }
    for (guint i = 0; i < forms->len; i++)
        if (strcmp(g_ptr_array_index(forms, i), t->term) == 0)
            return;
    g_ptr_array_add(forms, g_strdup(t->term));
}

/*
 * One query syllable: its folded term, and its exact term when the query has diacritics.
 * Every document with the exact or a title term also has the folded term (the document writer
 * indexes the folded form of every token, title words included), so the others only add weight
 * to it: AND_MAYBE gives the same matches and weights as OR, and lets Xapian look them up only
 * in the documents the folded terms leave, instead of walking all their posting lists.
 */
static tracuu_query *
word_query(compiler *c, const ctoken *t, gboolean with_title)
{
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    double fw = c->rp->folded_weight * (c->accented ? c->rp->folded_accented : 1.0) * t->weight;
    double aw = c->rp->accent_weight * t->exact * t->weight;
    tracuu_query *folded = term_q(c, TRACUU_PREFIX_FOLDED, t->folded, fw);
    if (t->exact > 0)
        g_ptr_array_add(subs, term_q(c, "", t->term, aw));
    if (with_title && c->rp->title_weight > 0) {
        g_ptr_array_add(subs, term_q(c, TRACUU_PREFIX_TITLE_FOLDED, t->folded,
                                     c->rp->title_weight * fw));
        if (t->exact > 0)
            g_ptr_array_add(subs, term_q(c, TRACUU_PREFIX_TITLE, t->term,
                                         c->rp->title_weight * aw));
    }
    if (subs->len == 0)
        return folded;
    return combine2(TRACUU_QUERY_AND_MAYBE, folded, combine(TRACUU_QUERY_OR, subs, 0));
}

/*
 * Words in order (PHRASE) or together in any order (NEAR) within @window positions, each word
 * as typed (@exact[i] TRUE: its exact term) or in any accent (its folded term). Only the folded
 * terms have positions (store/tracuu-schema.h), so they place the words, and when some word is
 * exact, the AND of the chosen terms weighs and requires it: FILTER(AND(chosen), op(folded)).
 * That is op(chosen) as it was when exact terms had positions, weights included, but for a
 * document holding the words as typed elsewhere and in other accents where they stand
 * together, which costs a much larger index to tell apart.
 */
static tracuu_query *
placed_query(compiler *c, tracuu_query_op op, GArray *toks, const gboolean *exact, uint32_t window)
{
    g_autoptr(GPtrArray) placed = g_ptr_array_new();
    g_autoptr(GPtrArray) chosen = g_ptr_array_new();
    gboolean any_exact = FALSE;
    for (guint i = 0; i < toks->len; i++)
        any_exact = any_exact || exact[i];
    for (guint i = 0; i < toks->len; i++) {
        const ctoken *t = &g_array_index(toks, ctoken, i);
        g_ptr_array_add(placed, term_q(c, TRACUU_PREFIX_FOLDED, t->folded, 1.0));
        if (any_exact)
            g_ptr_array_add(chosen, exact[i] ? term_q(c, "", t->term, 1.0)
                                             : term_q(c, TRACUU_PREFIX_FOLDED, t->folded, 1.0));
    }
    tracuu_query *q = combine(op, placed, window);
    if (!any_exact)
        return q;
    return combine2(TRACUU_QUERY_FILTER, combine(TRACUU_QUERY_AND, chosen, 0), q);
}

/* Two syllables side by side, in order (window 2), in any accent or (@exact) as typed. */
static tracuu_query *
pair_query(compiler *c, const ctoken *a, const ctoken *b, gboolean exact, double weight)
{
    g_autoptr(GArray) toks = g_array_sized_new(FALSE, FALSE, sizeof(ctoken), 2);
    g_array_append_vals(toks, a, 1);
    g_array_append_vals(toks, b, 1);
    const gboolean both[2] = {exact, exact};
    tracuu_query *q = placed_query(c, TRACUU_QUERY_PHRASE, toks, both, 2);
    return q != NULL ? tracuu_query_scale(q, weight) : NULL;
}

/*
 * The tokens of @n as this compilation uses them. Decides for each token whether its exact
 * form counts: always when the query was typed with diacritics; for an accent-free query, when
 * the engine guessed its accents (@restore), with less weight. Positive words are numbered in
 * query order and listed for that guess. The prepared tokens are only read: each compilation
 * of the same tree starts from them. Caller frees with g_array_unref().
 */
static GArray *
prepare_tokens(compiler *c, const tracuu_qnode *n, gboolean positive)
{
    const GArray *toks = n->tokens;
    guint len = toks != NULL ? toks->len : 0;
    GArray *out = g_array_sized_new(FALSE, TRUE, sizeof(ctoken), len);
    for (guint i = 0; i < len; i++) {
        const qtoken *q = &g_array_index(toks, qtoken, i);
        ctoken t = {q->term, q->folded, q->kind, q->pos, c->accented ? 1.0 : 0.0, 1.0};
        if (!positive) {
            /* An excluded word typed with diacritics means exactly that word; one typed
             * without means it in every accent, even when the rest of the query has accents
             * ("thư -dinh" excludes "định"). */
            t.exact = q->accented ? 1.0 : 0.0;
            g_array_append_val(out, t);
            continue;
        }
        guint index = c->word_index++;
        if (t.kind == TRACUU_TOKEN_WORD) {
            tracuu_qword w = {g_strdup(t.folded), index, t.pos,
                              i > 0 && g_array_index(toks, qtoken, i - 1).pos + 1 == t.pos &&
                                  g_array_index(toks, qtoken, i - 1).kind == TRACUU_TOKEN_WORD,
                              n, i};
            g_array_append_val(c->out->words, w);
        }
        const char *guess =
            c->restore != NULL ? g_hash_table_lookup(c->restore, GUINT_TO_POINTER(index + 1))
                               : NULL;
        if (!c->accented && guess != NULL && t.kind == TRACUU_TOKEN_WORD) {
            t.term = guess;
            t.exact = c->rp->restore_weight;
        }
        g_array_append_val(out, t);
    }
    return out;
}

/*
 * Excluded words and phrases: exactly as typed when typed with diacritics ("-thư" keeps
 * "thu thuế"), any accent when typed without.
 */
static tracuu_query *
excluded_query(compiler *c, GArray *toks, gboolean phrase)
{
    if (phrase && toks->len > 1) {
        g_autofree gboolean *exact = g_new(gboolean, toks->len);
        for (guint i = 0; i < toks->len; i++)
            exact[i] = g_array_index(toks, ctoken, i).exact > 0;
        return placed_query(c, TRACUU_QUERY_PHRASE, toks, exact, toks->len);
    }
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    for (guint i = 0; i < toks->len; i++) {
        const ctoken *t = &g_array_index(toks, ctoken, i);
        g_ptr_array_add(subs, t->exact > 0 ? term_q(c, "", t->term, 1.0)
                                           : term_q(c, TRACUU_PREFIX_FOLDED, t->folded, 1.0));
    }
    return combine(TRACUU_QUERY_OR, subs, 0);
}

/* Whether @a and @b are words standing side by side. */
static gboolean
adjacent_words(const ctoken *a, const ctoken *b)
{
    return a->pos + 1 == b->pos && a->kind == TRACUU_TOKEN_WORD && b->kind == TRACUU_TOKEN_WORD;
}

/*
 * The question words' factors (question-words.c) on the syllables of @toks, a run of words
 * long enough to be a question (a few words typed are all content and all needed).
 */
static void
weigh_question_words(compiler *c, GArray *toks)
{
    for (guint i = 0; i < toks->len; i++) {
        ctoken *t = &g_array_index(toks, ctoken, i);
        if (t->kind != TRACUU_TOKEN_WORD)
            continue;
        const ctoken *l = i > 0 ? &g_array_index(toks, ctoken, i - 1) : NULL;
        const ctoken *r = i + 1 < toks->len ? &g_array_index(toks, ctoken, i + 1) : NULL;
        /* As written where the word has its accents, typed or guessed ("nội dung" is not "đúng
         * hay sai"); else folded. A neighbour without a guess is as typed, without accents. */
        gboolean ex = t->exact > 0;
        const char *left = l != NULL && adjacent_words(l, t) ? (ex ? l->term : l->folded) : NULL;
        const char *right = r != NULL && adjacent_words(t, r) ? (ex ? r->term : r->folded) : NULL;
        t->weight = tracuu_question_words_factor(c->rp->question_words, ex, left,
                                                 ex ? t->term : t->folded, right);
    }
}

/* A run of plain words: OR of the syllables, plus the bonus of adjacent pairs. */
static tracuu_query *
text_query(compiler *c, const tracuu_qnode *n, gboolean mark)
{
    if (n->tokens == NULL || n->tokens->len == 0)
        return NULL;
    g_autoptr(GArray) toks = prepare_tokens(c, n, mark);
    if (!mark)
        return excluded_query(c, toks, FALSE);
    /* A few words typed are all meant ("giao ban" is not "ban"); a pasted sentence is not. */
    gboolean all = !c->relaxed && toks->len > 1 && toks->len <= c->rp->all_words_max;
    if (toks->len > c->rp->all_words_max && c->rp->question_words != NULL)
        weigh_question_words(c, toks);
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    g_autoptr(GPtrArray) pairs = g_ptr_array_new();
    for (guint i = 0; i < toks->len; i++) {
        const ctoken *t = &g_array_index(toks, ctoken, i);
        g_ptr_array_add(words, word_query(c, t, TRUE));
        add_mark(c, t, TRUE);
        if (t->kind == TRACUU_TOKEN_DOCNUM)
            g_ptr_array_add(c->out->docnums, g_strdup(t->folded));
        if (i == 0)
            continue;
        const ctoken *prev = &g_array_index(toks, ctoken, i - 1);
        if (!adjacent_words(prev, t))
            continue;
        /* A pair weighs as much as its weaker syllable carries: "thế nào" nothing. */
        double w = MIN(prev->weight, t->weight);
        if (w <= 0)
            continue;
        if (c->rp->bigram_weight > 0)
            g_ptr_array_add(pairs, pair_query(c, prev, t, FALSE, c->rp->bigram_weight * w));
        if (prev->exact > 0 && t->exact > 0 && c->rp->bigram_accent > 0)
            g_ptr_array_add(pairs, pair_query(c, prev, t, TRUE,
                                              c->rp->bigram_accent * MIN(prev->exact, t->exact) *
                                                  w));
    }
    if (all)
        c->out->relaxable = TRUE;
    tracuu_query *q = combine(all ? TRACUU_QUERY_AND : TRACUU_QUERY_OR, words, 0);
    if (pairs->len > 0) {
        c->out->has_pairs = TRUE;
        q = combine2(TRACUU_QUERY_AND_MAYBE, q, combine(TRACUU_QUERY_OR, pairs, 0));
    }
    return q;
}

/* "quoted words": the folded phrase must match; the exact phrase adds weight. */
static tracuu_query *
phrase_query(compiler *c, const tracuu_qnode *n, gboolean mark)
{
    if (n->tokens == NULL || n->tokens->len == 0)
        return NULL;
    g_autoptr(GArray) toks = prepare_tokens(c, n, mark);
    if (!mark)
        return excluded_query(c, toks, TRUE);
    if (toks->len == 1) {
        const ctoken *t = &g_array_index(toks, ctoken, 0);
        add_mark(c, t, TRUE);
        if (t->kind == TRACUU_TOKEN_DOCNUM)
            g_ptr_array_add(c->out->docnums, g_strdup(t->folded));
        return word_query(c, t, TRUE);
    }
    g_autoptr(GPtrArray) folded = g_ptr_array_new();
    g_autoptr(GPtrArray) exact = g_ptr_array_new();
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    gboolean all_exact = TRUE;
    for (guint i = 0; i < toks->len; i++) {
        const ctoken *t = &g_array_index(toks, ctoken, i);
        all_exact = all_exact && t->exact > 0;
    }
    for (guint i = 0; i < toks->len; i++) {
        const ctoken *t = &g_array_index(toks, ctoken, i);
        g_ptr_array_add(folded, term_q(c, TRACUU_PREFIX_FOLDED, t->folded, 1.0));
        if (all_exact)
            g_ptr_array_add(exact, term_q(c, "", t->term, 1.0));
        g_ptr_array_add(words, word_query(c, t, TRUE));
        add_mark(c, t, TRUE);
    }
    uint32_t len = toks->len;
    tracuu_query *q = combine(TRACUU_QUERY_PHRASE, folded, len);
    if (q != NULL)
        q = tracuu_query_scale(q, c->rp->phrase_weight);
    g_autoptr(GPtrArray) extra = g_ptr_array_new();
    g_ptr_array_add(extra, combine(TRACUU_QUERY_OR, words, 0));
    /* The exact words only weigh here, where the folded phrase already matched: what the
     * exact phrase gave when exact terms had positions (see placed_query()). */
    if (all_exact)
        g_ptr_array_add(extra, tracuu_query_scale(combine(TRACUU_QUERY_AND, exact, 0),
                                                  c->rp->bigram_accent));
    return combine2(TRACUU_QUERY_AND_MAYBE, q, combine(TRACUU_QUERY_OR, extra, 0));
}

/* Frees the queries of @subs (which hold no free function, see combine()). */
static void
free_queries(GPtrArray *subs)
{
    for (guint i = 0; i < subs->len; i++)
        tracuu_query_free(g_ptr_array_index(subs, i));
    g_ptr_array_set_size(subs, 0);
}

/*
 * a NEAR b NEAR/n c: the words at most n positions apart, in any order: Xapian's OP_NEAR with
 * a window of n + k - 1 positions for k words, as Xapian's QueryParser reads "within n words".
 * A word typed with diacritics matches as typed, one typed without in every accent. Xapian 1.4
 * takes only terms (and OR of terms) inside NEAR, so an operand of several words (a phrase,
 * "thư-điện-tử") is refused with a message rather than read as something it is not. The words
 * add their weights as a phrase's do.
 */
static tracuu_query *
near_query(compiler *c, const tracuu_qnode *n, gboolean positive)
{
    g_autoptr(GArray) placed = g_array_new(FALSE, FALSE, sizeof(ctoken));
    g_autoptr(GArray) typed = g_array_new(FALSE, FALSE, sizeof(gboolean));
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    for (guint i = 0; i < n->children->len; i++) {
        const tracuu_qnode *ch = g_ptr_array_index(n->children, i);
        guint n_toks = ch->tokens != NULL ? ch->tokens->len : 0;
        if (n_toks == 0)
            continue; /* punctuation: no word to place */
        if (n_toks > 1) {
            g_set_error(c->error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                        "NEAR joins single words; \"%s\" at byte %zu is %u words, and the "
                        "index cannot look for a phrase near another word",
                        ch->text, ch->start, n_toks);
            c->failed = TRUE;
            free_queries(words);
            return NULL;
        }
        gboolean as_typed = g_array_index(ch->tokens, qtoken, 0).accented;
        g_autoptr(GArray) toks = prepare_tokens(c, ch, positive);
        /* The token's strings are the tree's (or the guess table's), not @toks'. */
        const ctoken *t = &g_array_index(toks, ctoken, 0);
        g_array_append_vals(placed, t, 1);
        g_array_append_val(typed, as_typed);
        if (positive) {
            g_ptr_array_add(words, word_query(c, t, TRUE));
            add_mark(c, t, as_typed);
        }
    }
    guint k = placed->len;
    if (k == 0)
        return NULL;
    tracuu_query *q;
    if (k > 1) {
        q = placed_query(c, TRACUU_QUERY_NEAR, placed, (const gboolean *)(void *)typed->data,
                         n->distance + k - 1);
    } else {
        const ctoken *t = &g_array_index(placed, ctoken, 0);
        q = g_array_index(typed, gboolean, 0) ? term_q(c, "", t->term, 1.0)
                                              : term_q(c, TRACUU_PREFIX_FOLDED, t->folded, 1.0);
    }
    if (!positive)
        return q;
    if (q != NULL)
        q = tracuu_query_scale(q, c->rp->phrase_weight);
    return combine2(TRACUU_QUERY_AND_MAYBE, q, combine(TRACUU_QUERY_OR, words, 0));
}

/* The folded words of a value, for the "...W" word terms of issuer and mail names. */
static tracuu_query *
words_filter(prep *c, const char *prefix, const char *value)
{
    g_autoptr(GArray) toks = tokenize(c, value);
    if (toks->len == 0)
        return NULL;
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    for (guint i = 0; i < toks->len; i++)
        g_ptr_array_add(subs, bool_term(prefix, g_array_index(toks, qtoken, i).folded));
    return combine(TRACUU_QUERY_AND, subs, 0);
}

static tracuu_query *
field_query(prep *c, const tracuu_qnode *n)
{
    const char *v = n->text;
    switch (n->field) {
    case TRACUU_QFIELD_NUMBER:
        return schema_filter(TRACUU_TERM_NUMBER, v);
    case TRACUU_QFIELD_CITES:
        return schema_filter(TRACUU_TERM_CITES, v);
    case TRACUU_QFIELD_AMENDS:
    case TRACUU_QFIELD_REPLACES:
    case TRACUU_QFIELD_REPEALS:
    case TRACUU_QFIELD_GUIDES:
    case TRACUU_QFIELD_BASED_ON:
    case TRACUU_QFIELD_CORRECTS:
    case TRACUU_QFIELD_SUSPENDS: {
        g_autofree char *t = tracuu_schema_relation_term(tracuu_qfield_name(n->field), v);
        return t != NULL ? tracuu_query_new_term(t, strlen(t), 1, 0)
                         : tracuu_query_new_match_nothing();
    }
    default:
        /* The reverse fields and status: are resolved by the engine (legal.c) into n->filter
         * before this; a tree compiled without the engine finds nothing for them. */
        return tracuu_query_new_match_nothing();
    case TRACUU_QFIELD_TYPE: {
        const char *name = tracuu_schema_doc_type_for_abbr(v, -1); /* type:qd */
        return schema_filter(TRACUU_TERM_TYPE, name != NULL ? name : v);
    }
    case TRACUU_QFIELD_ISSUER: {
        /* The whole name, or all its words: issuer:"tài chính" finds "Bộ Tài chính". */
        tracuu_query *whole = schema_filter(TRACUU_TERM_ISSUER, v);
        tracuu_query *words = words_filter(c, TRACUU_PREFIX_ISSUER_WORD, v);
        return words != NULL ? combine2(TRACUU_QUERY_OR, whole, words) : whole;
    }
    case TRACUU_QFIELD_SIGNER:
        return schema_filter(TRACUU_TERM_SIGNER, v);
    case TRACUU_QFIELD_DATE:
        return tracuu_query_new_value_range(TRACUU_SLOT_DATE, n->lo, n->hi);
    case TRACUU_QFIELD_YEAR:
        if (n->lo != NULL && n->hi != NULL && strlen(n->lo) == 4 &&
            strncmp(n->lo, n->hi, 4) == 0)
            return schema_filter(TRACUU_TERM_YEAR, n->lo);
        return tracuu_query_new_value_range(TRACUU_SLOT_DATE, n->lo, n->hi);
    case TRACUU_QFIELD_KIND:
        return schema_filter(TRACUU_TERM_KIND, v);
    case TRACUU_QFIELD_FROM:
    case TRACUU_QFIELD_TO: {
        gboolean from = n->field == TRACUU_QFIELD_FROM;
        if (strchr(v, '@') != NULL)
            return schema_filter(from ? TRACUU_TERM_FROM : TRACUU_TERM_TO, v);
        tracuu_query *q = words_filter(c, from ? TRACUU_PREFIX_FROM_WORD : TRACUU_PREFIX_TO_WORD,
                                       v);
        return q != NULL ? q : tracuu_query_new_match_nothing();
    }
    case TRACUU_QFIELD_SUBJECT: {
        g_autoptr(GArray) toks = tokenize(c, v);
        if (toks->len == 0)
            return tracuu_query_new_match_nothing();
        g_autoptr(GPtrArray) subs = g_ptr_array_new();
        for (guint i = 0; i < toks->len; i++)
            g_ptr_array_add(subs, bool_term(TRACUU_PREFIX_SUBJECT,
                                            g_array_index(toks, qtoken, i).folded));
        if (subs->len == 1)
            return combine(TRACUU_QUERY_OR, subs, 0);
        return combine(TRACUU_QUERY_PHRASE, subs, toks->len);
    }
    case TRACUU_QFIELD_ID:
        return schema_filter(TRACUU_TERM_ID, v);
    case TRACUU_QFIELD_PARENT:
        return schema_filter(TRACUU_TERM_PARENT, v);
    case TRACUU_QFIELD_ARTICLE:
        return schema_filter(TRACUU_TERM_ARTICLE, v);
    case TRACUU_QFIELD_UNIT: {
        /* unit:article: the article units; unit:document: every other document (a whole
         * document is one without "Karticle", store/tracuu-schema.h). */
        g_autofree char *u = tracuu_text_fold(v, -1);
        if (u != NULL && (strcmp(u, "article") == 0 || strcmp(u, "dieu") == 0))
            return schema_filter(TRACUU_TERM_KIND, TRACUU_KIND_ARTICLE);
        if (u == NULL || (strcmp(u, "document") != 0 && strcmp(u, "van ban") != 0))
            return tracuu_query_new_match_nothing();
        return combine2(TRACUU_QUERY_AND_NOT, tracuu_query_new_match_all(),
                        schema_filter(TRACUU_TERM_KIND, TRACUU_KIND_ARTICLE));
    }
    case TRACUU_QFIELD_NONE:
        break;
    }
    return tracuu_query_new_match_nothing();
}

static tracuu_query *compile_node(compiler *c, const tracuu_qnode *n, gboolean positive);

/* Field filters, alone or in an OR of filters only: they restrict and add no weight. */
static gboolean
is_filter(const tracuu_qnode *n)
{
    if (n->kind == TRACUU_QNODE_FIELD)
        return TRUE;
    if (n->kind != TRACUU_QNODE_OR && n->kind != TRACUU_QNODE_AND)
        return FALSE;
    for (guint i = 0; i < n->children->len; i++)
        if (!is_filter(g_ptr_array_index(n->children, i)))
            return FALSE;
    return TRUE;
}

/* Items side by side: required AND, optional AND_MAYBE, filters FILTER, exclusions AND_NOT. */
static tracuu_query *
compile_seq(compiler *c, const tracuu_qnode *n, gboolean positive, gboolean root)
{
    g_autoptr(GPtrArray) req = g_ptr_array_new();
    g_autoptr(GPtrArray) opt = g_ptr_array_new();
    g_autoptr(GPtrArray) filt = g_ptr_array_new();
    g_autoptr(GPtrArray) excl = g_ptr_array_new();
    for (guint i = 0; i < n->children->len && !c->failed; i++) {
        const tracuu_qnode *ch = g_ptr_array_index(n->children, i);
        gboolean excluded = ch->mode == TRACUU_QMODE_EXCLUDED;
        tracuu_query *q = compile_node(c, ch, positive && !excluded);
        if (q == NULL)
            continue;
        if (excluded)
            g_ptr_array_add(excl, q);
        else if (is_filter(ch))
            g_ptr_array_add(filt, q);
        else if (ch->mode == TRACUU_QMODE_REQUIRED)
            g_ptr_array_add(req, q);
        else
            g_ptr_array_add(opt, q);
    }
    if (req->len + opt->len > 0 && positive)
        c->out->has_text = TRUE;
    tracuu_query *base = NULL;
    if (req->len > 0) {
        base = combine(TRACUU_QUERY_AND, req, 0);
        if (opt->len > 0)
            base = combine2(TRACUU_QUERY_AND_MAYBE, base, combine(TRACUU_QUERY_OR, opt, 0));
    } else if (opt->len > 0) {
        base = combine(TRACUU_QUERY_OR, opt, 0);
    }
    tracuu_query *filter = filt->len > 0 ? combine(TRACUU_QUERY_AND, filt, 0) : NULL;
    if (root && (filter != NULL || excl->len > 0)) {
        /* What the filters and exclusions allow, for the engine's docnum tiers. */
        tracuu_query *allow = filter != NULL ? tracuu_query_copy(filter)
                                             : tracuu_query_new_match_all();
        if (excl->len > 0) {
            g_autoptr(GPtrArray) copies = g_ptr_array_new();
            for (guint i = 0; i < excl->len; i++)
                g_ptr_array_add(copies, tracuu_query_copy(g_ptr_array_index(excl, i)));
            allow = combine2(TRACUU_QUERY_AND_NOT, allow, combine(TRACUU_QUERY_OR, copies, 0));
        }
        c->out->filter = allow;
    }
    if (base == NULL && (filter != NULL || excl->len > 0 || root))
        base = tracuu_query_new_match_all(); /* only filters or exclusions: browse */
    if (base == NULL)
        return NULL;
    if (filter != NULL)
        base = combine2(TRACUU_QUERY_FILTER, base, filter);
    if (excl->len > 0)
        base = combine2(TRACUU_QUERY_AND_NOT, base, combine(TRACUU_QUERY_OR, excl, 0));
    return base;
}

static tracuu_query *
compile_node(compiler *c, const tracuu_qnode *n, gboolean positive)
{
    switch (n->kind) {
    case TRACUU_QNODE_TEXT:
        return text_query(c, n, positive);
    case TRACUU_QNODE_PHRASE:
        return phrase_query(c, n, positive);
    case TRACUU_QNODE_NEAR:
        return near_query(c, n, positive);
    case TRACUU_QNODE_FIELD:
        /* Built once by tracuu_query_prepare(); each compilation gets its own copy. */
        return n->filter != NULL ? tracuu_query_copy(n->filter) : NULL;
    case TRACUU_QNODE_SEQ:
        return compile_seq(c, n, positive, FALSE);
    case TRACUU_QNODE_OR:
    case TRACUU_QNODE_AND: {
        /* An excluded operand excludes from the whole group, as in Lucene and Elasticsearch
         * ("a OR -b" is a without b): an OR of "not b" alone would match nearly everything. */
        g_autoptr(GPtrArray) subs = g_ptr_array_new();
        g_autoptr(GPtrArray) excl = g_ptr_array_new();
        for (guint i = 0; i < n->children->len && !c->failed; i++) {
            const tracuu_qnode *ch = g_ptr_array_index(n->children, i);
            gboolean excluded = ch->mode == TRACUU_QMODE_EXCLUDED;
            tracuu_query *q = compile_node(c, ch, positive && !excluded);
            if (q != NULL)
                g_ptr_array_add(excluded ? excl : subs, q);
        }
        tracuu_query *q = NULL;
        if (subs->len > 0)
            q = combine(n->kind == TRACUU_QNODE_OR ? TRACUU_QUERY_OR : TRACUU_QUERY_AND, subs,
                        0);
        else if (excl->len > 0)
            q = tracuu_query_new_match_all(); /* "-a OR -b": everything without them */
        if (q != NULL && excl->len > 0)
            q = combine2(TRACUU_QUERY_AND_NOT, q, combine(TRACUU_QUERY_OR, excl, 0));
        return q;
    }
    }
    return NULL;
}

/* Reads the text of @n and of the nodes below it, once, for every compilation. */
static void
prepare_node(prep *p, tracuu_qnode *n)
{
    switch (n->kind) {
    case TRACUU_QNODE_TEXT:
    case TRACUU_QNODE_PHRASE:
        if (n->tokens == NULL)
            n->tokens = tokenize_full(p, n->text, &n->accented);
        break;
    case TRACUU_QNODE_FIELD:
        if (n->filter == NULL)
            n->filter = field_query(p, n);
        break;
    default:
        break;
    }
    if (n->children != NULL)
        for (guint i = 0; i < n->children->len; i++)
            prepare_node(p, g_ptr_array_index(n->children, i));
}

guint
tracuu_query_prepare(tracuu_tokenizer *tk, tracuu_qnode *root)
{
    g_return_val_if_fail(tk != NULL && root != NULL, 0);
    prep p = {.tk = tk};
    prepare_node(&p, root);
    root->prepared = TRUE;
    return p.runs;
}

/* Whether any positive text of the query carries a diacritic (or đ). */
static gboolean
has_accents(const tracuu_qnode *n)
{
    if (n->mode == TRACUU_QMODE_EXCLUDED)
        return FALSE;
    if ((n->kind == TRACUU_QNODE_TEXT || n->kind == TRACUU_QNODE_PHRASE) && n->accented)
        return TRUE;
    if (n->children != NULL)
        for (guint i = 0; i < n->children->len; i++)
            if (has_accents(g_ptr_array_index(n->children, i)))
                return TRUE;
    return FALSE;
}

gboolean
tracuu_query_compile(const tracuu_qnode *ast, const tracuu_rank_params *params,
                     gboolean relaxed, GHashTable *restore, tracuu_compiled *out,
                     GError **error)
{
    g_return_val_if_fail(ast != NULL && ast->prepared, FALSE);
    tracuu_rank_params defaults;
    if (params == NULL) {
        tracuu_rank_params_init(&defaults);
        params = &defaults;
    }
    memset(out, 0, sizeof *out);
    out->docnums = g_ptr_array_new_with_free_func(g_free);
    out->marks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    out->exact_marks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GHashTable) folded_marks =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* A query typed with diacritics is taken as written, also its bare syllables ("ma" is not
     * "mà"); a query typed without any is folded throughout. */
    gboolean accented = has_accents(ast);
    out->accented = accented;
    out->words = g_array_new(FALSE, TRUE, sizeof(tracuu_qword));
    g_array_set_clear_func(out->words, qword_clear);
    compiler c = {.rp = params,   .accented = accented, .relaxed = relaxed, .out = out,
                  .error = error, .restore = restore, .folded_marks = folded_marks};
    if (ast->kind == TRACUU_QNODE_SEQ)
        out->query = compile_seq(&c, ast, TRUE, TRUE);
    else
        out->query = compile_node(&c, ast, TRUE);
    /* A folded form that one query word marks in every accent is marked so for all. */
    GHashTableIter it;
    gpointer folded;
    g_hash_table_iter_init(&it, folded_marks);
    while (g_hash_table_iter_next(&it, &folded, NULL))
        g_hash_table_remove(out->exact_marks, folded);
    if (c.failed) { /* @error says why */
        tracuu_compiled_clear(out);
        return FALSE;
    }
    if (out->query == NULL) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                    "the query could not be built");
        tracuu_compiled_clear(out);
        return FALSE;
    }
    return TRUE;
}
