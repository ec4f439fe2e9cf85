/* suggest.c - "did you mean": accents guessed, misspelled words and numbers corrected. */
#include <string.h>

#include "suggest.h"
#include "tracuu-schema.h"

/*
 * A suggestion is the query as typed with a few spans replaced (edits), so that whatever the
 * user wrote around the words (field names, quotes, operators) stays as it was. The accents
 * come from the guess the ranking made anyway (rank.c); corrections look the archive's words
 * up in a vocabulary listed once per revision, and every candidate is counted through the
 * caller's visibility filter before it may be shown.
 */

typedef struct {
    char *term;       /* the word as indexed (unprefixed term), or a number without "XN" */
    gunichar *chars;  /* @term as characters (words: tone_last()) */
    gunichar *folded; /* without diacritics (words; for numbers the same as @chars) */
    guint n, nf;
} entry;

struct tracuu_suggest_vocab {
    uint64_t revision, docs; /* of the index listed */
    GArray *words;           /* entry */
    GArray *numbers;         /* entry */
};

static void
entry_clear(gpointer p)
{
    entry *en = p;
    if (en->folded != en->chars)
        g_free(en->folded);
    g_free(en->chars);
    g_free(en->term);
}

void
tracuu_suggest_vocab_free(tracuu_suggest_vocab *v)
{
    if (v == NULL)
        return;
    g_array_unref(v->words);
    g_array_unref(v->numbers);
    g_free(v);
}

gboolean
tracuu_suggest_one_edit(const gunichar *a, size_t na, const gunichar *b, size_t nb)
{
    if (na + 1 < nb || nb + 1 < na)
        return FALSE;
    size_t i = 0;
    while (i < na && i < nb && a[i] == b[i])
        i++;
    if (na == nb) {
        if (i == na)
            return FALSE; /* equal */
        size_t rest = na - i - 1;
        if (memcmp(a + i + 1, b + i + 1, rest * sizeof(gunichar)) == 0)
            return TRUE; /* one changed */
        return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               memcmp(a + i + 2, b + i + 2, (na - i - 2) * sizeof(gunichar)) == 0;
    }
    /* One longer by a character: the rest after it must be the same. */
    if (na > nb)
        return memcmp(a + i + 1, b + i, (nb - i) * sizeof(gunichar)) == 0;
    return memcmp(a + i, b + i + 1, (na - i) * sizeof(gunichar)) == 0;
}

/*
 * @text as characters to compare: decomposed, with the tone mark (if any) moved to the end, so
 * that a tone placed on another vowel, or a syllable whose tone the tokenizer placed anew
 * because a letter changed ("cáoo" is written "caóo"), is one edit away, not two or three.
 * NULL when @text is not UTF-8. Caller frees with g_free().
 */
static gunichar *
tone_last(const char *text, glong *n)
{
    g_autofree char *nfd = g_utf8_normalize(text, -1, G_NORMALIZE_NFD);
    glong len = 0;
    gunichar *c = nfd != NULL ? g_utf8_to_ucs4(nfd, -1, NULL, &len, NULL) : NULL;
    if (c == NULL)
        return NULL;
    gunichar tone = 0;
    glong w = 0;
    for (glong i = 0; i < len; i++) {
        switch (c[i]) {
        case 0x0300:
        case 0x0301:
        case 0x0303:
        case 0x0309:
        case 0x0323:
            tone = c[i];
            break;
        default:
            c[w++] = c[i];
        }
    }
    if (tone != 0)
        c[w++] = tone;
    c[w] = 0;
    *n = w;
    return c;
}

typedef struct {
    GArray *to;
    size_t skip; /* bytes of prefix to drop */
    gboolean fold;
} list_ctx;

static bool
add_entry(const char *term, size_t len, uint64_t freq, void *user_data)
{
    /* @freq counts hidden documents too: candidates are ordered by what the caller sees. */
    (void)freq;
    list_ctx *l = user_data;
    entry en = {.term = g_strndup(term + l->skip, len - l->skip)};
    glong n = 0;
    en.chars = l->fold ? tone_last(en.term, &n) : g_utf8_to_ucs4(en.term, -1, NULL, &n, NULL);
    if (en.chars == NULL) {
        g_free(en.term);
        return true; /* not text: no word to suggest */
    }
    en.n = (guint)n;
    en.folded = en.chars;
    en.nf = en.n;
    if (l->fold) {
        g_autofree char *f = tracuu_text_fold(en.term, -1);
        glong nf = 0;
        gunichar *fc = f != NULL ? g_utf8_to_ucs4(f, -1, NULL, &nf, NULL) : NULL;
        if (fc != NULL) {
            en.folded = fc;
            en.nf = (guint)nf;
        }
    }
    g_array_append_val(l->to, en);
    return true;
}

/* The words (unprefixed terms start with a lowercase letter, ASCII or not) and numbers. */
static tracuu_suggest_vocab *
vocab_build(tracuu_store *store)
{
    tracuu_suggest_vocab *v = g_new0(tracuu_suggest_vocab, 1);
    v->revision = tracuu_store_get_revision(store);
    v->docs = tracuu_store_get_doc_count(store);
    v->words = g_array_new(FALSE, TRUE, sizeof(entry));
    v->numbers = g_array_new(FALSE, TRUE, sizeof(entry));
    g_array_set_clear_func(v->words, entry_clear);
    g_array_set_clear_func(v->numbers, entry_clear);
    list_ctx w = {v->words, 0, TRUE};
    char first[2] = {0, 0};
    for (char c = 'a'; c <= 'z'; c++) {
        first[0] = c;
        tracuu_store_list_terms(store, first, add_entry, &w);
    }
    /* The lead bytes of the letters with diacritics that can start a Vietnamese syllable
     * (à-ý, ă đ ĩ, ũ, ơ ư, and U+1EA0-U+1EF9 ạ-ỹ). */
    static const char *const leads[] = {"\xc3", "\xc4", "\xc5", "\xc6", "\xe1"};
    for (size_t i = 0; i < G_N_ELEMENTS(leads); i++)
        tracuu_store_list_terms(store, leads[i], add_entry, &w);
    list_ctx n = {v->numbers, strlen(TRACUU_PREFIX_NUMBER), FALSE};
    tracuu_store_list_terms(store, TRACUU_PREFIX_NUMBER, add_entry, &n);
    return v;
}

/* Documents the caller sees that match @q (taken), up to @at_least exactly (then an
 * estimate); 0 when none or on failure. */
static uint64_t
count_upto(tracuu_engine *e, tracuu_query *q, uint32_t at_least)
{
    if (q == NULL)
        return 0;
    tracuu_search_options o;
    tracuu_search_options_init(&o);
    o.limit = 0;
    o.check_at_least = at_least;
    o.no_data = true;
    tracuu_results *r = NULL;
    uint64_t n = 0;
    if (tracuu_engine_search(e, q, &o, &r) == TRACUU_STORE_OK && r->total_lower > 0)
        n = r->total;
    tracuu_results_free(r);
    tracuu_query_free(q);
    return n;
}

/* Exact up to 100: enough to tell candidates apart. */
static uint64_t
count(tracuu_engine *e, tracuu_query *q)
{
    return count_upto(e, q, 100);
}

/* Whether the caller sees any document matching @q (taken): 0 or at least 1. */
static uint64_t
count_some(tracuu_engine *e, tracuu_query *q)
{
    return count_upto(e, q, 1);
}

static tracuu_query *
term(const char *prefix, const char *value)
{
    g_autofree char *t = g_strconcat(prefix, value, NULL);
    size_t len = strlen(t);
    return len <= TRACUU_STORE_MAX_TERM ? tracuu_query_new_term(t, len, 1, 0) : NULL;
}

static tracuu_query *
pair(tracuu_query *a, tracuu_query *b)
{
    if (a == NULL || b == NULL) {
        tracuu_query_free(a);
        tracuu_query_free(b);
        return NULL;
    }
    tracuu_query *subs[2] = {a, b};
    return tracuu_query_combine(TRACUU_QUERY_PHRASE, subs, 2, 0);
}

typedef struct {
    const entry *en;
    uint64_t docs; /* documents the caller sees with it */
} cand;

static gint
by_docs(gconstpointer a, gconstpointer b)
{
    const cand *x = a, *y = b;
    if (x->docs != y->docs)
        return x->docs > y->docs ? -1 : 1;
    return strcmp(x->en->term, y->en->term);
}

/*
 * The candidates of @found (entry *) that the caller's documents have, counted under its
 * filter (@prefix + term), most frequent first, at most TRACUU_SUGGEST_CANDIDATES. Nothing of
 * the order depends on documents the caller cannot see. Caller frees with g_array_unref().
 */
static GArray *
visible_candidates(tracuu_engine *e, GPtrArray *found, const char *prefix)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(cand));
    for (guint k = 0; k < found->len && k < TRACUU_SUGGEST_CHECK_MAX; k++) {
        cand c = {g_ptr_array_index(found, k), 0};
        c.docs = count(e, term(prefix, c.en->term));
        if (c.docs > 0)
            g_array_append_val(out, c);
    }
    g_array_sort(out, by_docs);
    if (out->len > TRACUU_SUGGEST_CANDIDATES)
        g_array_set_size(out, TRACUU_SUGGEST_CANDIDATES);
    return out;
}

/* Whether @c is @t with a year group ("/2020") added: "12/nd-cp" and "12/2020/nd-cp". */
static gboolean
adds_year(const gunichar *c, guint nc, const gunichar *t, guint nt)
{
    if (nc != nt + 5)
        return FALSE;
    for (guint i = 0; i + 5 <= nc; i++) {
        if (c[i] != '/' || !g_unichar_isdigit(c[i + 1]) || !g_unichar_isdigit(c[i + 2]) ||
            !g_unichar_isdigit(c[i + 3]) || !g_unichar_isdigit(c[i + 4]))
            continue;
        if (i + 5 < nc && c[i + 5] != '/')
            continue;
        if (memcmp(c, t, i * sizeof(gunichar)) == 0 &&
            memcmp(c + i + 5, t + i, (nt - i) * sizeof(gunichar)) == 0)
            return TRUE;
    }
    return FALSE;
}

/* One replacement of the query's bytes [start, end). */
typedef struct {
    size_t start, end;
    char *text;
    int prio; /* corrections (0) win over accents (1) where both touch a word */
} edit;

static void
edit_clear(gpointer p)
{
    g_free(((edit *)p)->text);
}

static gint
by_start(gconstpointer a, gconstpointer b)
{
    const edit *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->prio - y->prio;
}

/* @repl written in the case of @raw: all capitals, a capital first, or as it is. */
static char *
in_case_of(const char *raw, size_t raw_len, const char *repl, gboolean any_upper)
{
    gboolean upper = FALSE, lower = FALSE;
    for (const char *p = raw; p < raw + raw_len; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        upper |= g_unichar_isupper(c);
        lower |= g_unichar_islower(c);
    }
    if (upper && (any_upper || !lower))
        return g_utf8_strup(repl, -1);
    if (upper && g_unichar_isupper(g_utf8_get_char(raw))) {
        const char *rest = g_utf8_next_char(repl);
        g_autofree char *head = g_utf8_strup(repl, rest - repl);
        return g_strconcat(head, rest, NULL);
    }
    return g_strdup(repl);
}

typedef struct {
    tracuu_engine *e;
    tracuu_store *store;
    tracuu_suggest_vocab **vocab;
    const char *query;
    size_t qlen;
    gboolean few;        /* the query finds little: look for misspellings */
    gboolean restricted; /* the caller sees only some documents */
    guint looked;        /* words and numbers corrections were looked for */
    gboolean absent;     /* rank knob suggest_absent */
    GArray *edits;
} sctx;

static const tracuu_suggest_vocab *
get_vocab(sctx *s)
{
    tracuu_suggest_vocab *v = *s->vocab;
    if (v != NULL && v->revision == tracuu_store_get_revision(s->store) &&
        v->docs == tracuu_store_get_doc_count(s->store))
        return v;
    tracuu_suggest_vocab_free(v);
    *s->vocab = vocab_build(s->store);
    return *s->vocab;
}

static void
add_edit(sctx *s, size_t start, size_t end, const char *repl, int prio, gboolean any_upper)
{
    edit ed = {start, end, in_case_of(s->query + start, end - start, repl, any_upper), prio};
    g_array_append_val(s->edits, ed);
}

/*
 * The best word for the @i-th token of @toks, within one edit of it as typed (@accented) or of
 * its accent-free form: the candidate seen most often beside its neighbours in the caller's
 * documents, then in most of them. NULL when no candidate is in any document the caller sees.
 */
static const char *
best_word(sctx *s, const GArray *toks, guint i, gboolean accented)
{
    const tracuu_qtoken *t = &g_array_index(toks, tracuu_qtoken, i);
    const tracuu_suggest_vocab *v = get_vocab(s);
    glong n = 0;
    g_autofree gunichar *typed =
        accented ? tone_last(t->term, &n) : g_utf8_to_ucs4(t->folded, -1, NULL, &n, NULL);
    if (typed == NULL)
        return NULL;
    g_autoptr(GPtrArray) found = g_ptr_array_new();
    for (guint k = 0; k < v->words->len; k++) {
        const entry *en = &g_array_index(v->words, entry, k);
        if (accented ? tracuu_suggest_one_edit(en->chars, en->n, typed, (size_t)n)
                     : tracuu_suggest_one_edit(en->folded, en->nf, typed, (size_t)n))
            g_ptr_array_add(found, (gpointer)en);
    }
    g_autoptr(GArray) cands = visible_candidates(s->e, found, "");
    const tracuu_qtoken *prev = NULL, *next = NULL;
    if (i > 0 && g_array_index(toks, tracuu_qtoken, i - 1).pos + 1 == t->pos &&
        g_array_index(toks, tracuu_qtoken, i - 1).kind == TRACUU_TOKEN_WORD)
        prev = &g_array_index(toks, tracuu_qtoken, i - 1);
    if (i + 1 < toks->len && g_array_index(toks, tracuu_qtoken, i + 1).pos == t->pos + 1 &&
        g_array_index(toks, tracuu_qtoken, i + 1).kind == TRACUU_TOKEN_WORD)
        next = &g_array_index(toks, tracuu_qtoken, i + 1);
    const char *best = NULL;
    uint64_t best_pairs = 0, best_docs = 0;
    for (guint k = 0; k < cands->len; k++) {
        const entry *en = g_array_index(cands, cand, k).en;
        uint64_t docs = g_array_index(cands, cand, k).docs;
        uint64_t pairs = 0;
        if (prev != NULL)
            pairs +=
                count(s->e, pair(term(TRACUU_PREFIX_FOLDED, prev->folded), term("", en->term)));
        if (next != NULL)
            pairs +=
                count(s->e, pair(term("", en->term), term(TRACUU_PREFIX_FOLDED, next->folded)));
        if (best == NULL || pairs > best_pairs || (pairs == best_pairs && docs > best_docs)) {
            best = en->term;
            best_pairs = pairs;
            best_docs = docs;
        }
    }
    return best;
}

/*
 * The number closest to @folded (a document number's folded form) that the caller's documents
 * have: one character off, or the same with a year. NULL when none.
 */
static const char *
best_number(sctx *s, const char *folded)
{
    const tracuu_suggest_vocab *v = get_vocab(s);
    glong n = 0;
    g_autofree gunichar *typed = g_utf8_to_ucs4(folded, -1, NULL, &n, NULL);
    if (typed == NULL)
        return NULL;
    g_autoptr(GPtrArray) found = g_ptr_array_new();
    for (guint k = 0; k < v->numbers->len; k++) {
        const entry *en = &g_array_index(v->numbers, entry, k);
        if (tracuu_suggest_one_edit(en->chars, en->n, typed, (size_t)n) ||
            adds_year(en->chars, en->n, typed, (guint)n))
            g_ptr_array_add(found, (gpointer)en);
    }
    g_autoptr(GArray) cands = visible_candidates(s->e, found, TRACUU_PREFIX_NUMBER);
    return cands->len > 0 ? g_array_index(cands, cand, 0).en->term : NULL;
}

/*
 * @cand (a folded number) written like @term, the typed number's normal form whose folded form
 * is @folded: the characters they share at both ends are taken from @term, so "nđ" stays.
 */
static char *
number_like(const char *term, const char *folded, const char *cand)
{
    glong nt = 0, nf = 0, nc = 0;
    g_autofree gunichar *t = g_utf8_to_ucs4(term, -1, NULL, &nt, NULL);
    g_autofree gunichar *f = g_utf8_to_ucs4(folded, -1, NULL, &nf, NULL);
    g_autofree gunichar *c = g_utf8_to_ucs4(cand, -1, NULL, &nc, NULL);
    if (t == NULL || f == NULL || c == NULL || nt != nf)
        return g_strdup(cand);
    glong p = 0, q = 0;
    while (p < nf && p < nc && f[p] == c[p])
        p++;
    while (q < nf - p && q < nc - p && f[nf - 1 - q] == c[nc - 1 - q])
        q++;
    g_autofree gunichar *out = g_new(gunichar, nc + 1);
    memcpy(out, t, p * sizeof(gunichar));
    memcpy(out + p, c + p, (nc - p - q) * sizeof(gunichar));
    memcpy(out + nc - q, t + nt - q, q * sizeof(gunichar));
    out[nc] = 0;
    return g_ucs4_to_utf8(out, nc, NULL, NULL, NULL);
}

/* Where @n's text starts in the query (the text of a TEXT, inside the quotes of a PHRASE). */
static gssize
text_base(const sctx *s, const tracuu_qnode *n, size_t from)
{
    if (n->text == NULL || *n->text == '\0' || n->end > s->qlen || n->end <= from)
        return -1;
    const char *at = g_strstr_len(s->query + from, (gssize)(n->end - from), n->text);
    return at != NULL ? at - s->query : -1;
}

static void
check_number(sctx *s, size_t start, size_t end, const char *prefix, const char *nterm,
             const char *nfolded)
{
    tracuu_query *either[2] = {term(prefix, nfolded), term(TRACUU_PREFIX_CITES, nfolded)};
    tracuu_query *q = either[0] != NULL && either[1] != NULL
                          ? tracuu_query_combine(TRACUU_QUERY_OR, either, 2, 0)
                          : NULL;
    if (q == NULL) {
        tracuu_query_free(either[0]);
        tracuu_query_free(either[1]);
        return;
    }
    if (count_some(s->e, q) > 0 || s->looked >= TRACUU_SUGGEST_MAX_WORDS)
        return;
    s->looked++;
    const char *best = best_number(s, nfolded);
    if (best == NULL)
        return;
    g_autofree char *written = number_like(nterm, nfolded, best);
    add_edit(s, start, end, written, 0, TRUE);
}

/* The words and numbers of a TEXT or PHRASE node. */
static void
check_text(sctx *s, const tracuu_qnode *n)
{
    gssize base = text_base(s, n, n->start);
    if (base < 0 || n->tokens == NULL)
        return;
    for (guint i = 0; i < n->tokens->len; i++) {
        const tracuu_qtoken *t = &g_array_index(n->tokens, tracuu_qtoken, i);
        size_t start = (size_t)base + t->start, end = (size_t)base + t->end;
        if (end > s->qlen)
            continue;
        if (t->kind == TRACUU_TOKEN_DOCNUM) {
            if (s->few)
                check_number(s, start, end, TRACUU_PREFIX_NUMBER, t->term, t->folded);
            continue;
        }
        if (t->kind != TRACUU_TOKEN_WORD)
            continue;
        /* A word that no document has (as typed, or without diacritics when typed so) is a
         * slip; for a caller who sees everything that is one term lookup, and with the knob
         * suggest_absent it is made whatever the query finds. For one who sees only some
         * documents, the index's own counts would tell which words hidden documents hold, so
         * a word is looked up under the filter, as every candidate, and only when the query
         * finds little. */
        gboolean wrong = FALSE;
        if (!s->restricted && (s->few || s->absent)) {
            g_autofree char *f = g_strconcat(TRACUU_PREFIX_FOLDED, t->folded, NULL);
            const char *w = t->accented ? t->term : f;
            wrong = tracuu_store_get_term_freq(s->store, w, strlen(w)) == 0;
        } else if (t->accented && s->few) {
            wrong = count_some(s->e, term("", t->term)) == 0;
        }
        if (!wrong && s->few && s->restricted)
            wrong = count_some(s->e, term(TRACUU_PREFIX_FOLDED, t->folded)) == 0;
        if (!wrong || s->looked >= TRACUU_SUGGEST_MAX_WORDS)
            continue;
        s->looked++;
        const char *best = best_word(s, n->tokens, i, t->accented);
        if (best != NULL)
            add_edit(s, start, end, best, 0, FALSE);
    }
}

/* A number: or cites: filter with a number that the caller's documents do not have. */
static void
check_field(sctx *s, const tracuu_qnode *n)
{
    if (!s->few || (n->field != TRACUU_QFIELD_NUMBER && n->field != TRACUU_QFIELD_CITES) ||
        n->text == NULL || n->end > s->qlen || n->end <= n->start)
        return;
    /* Only a filter typed in the query ("so:..."), not one the request gave apart. */
    const char *colon = memchr(s->query + n->start, ':', n->end - n->start);
    if (colon == NULL)
        return;
    const char *name = s->query + n->start;
    while (name < colon && (*name == '+' || *name == '-'))
        name++;
    if (tracuu_qfield_lookup(name, (size_t)(colon - name)) != n->field)
        return;
    gssize base = text_base(s, n, (size_t)(colon + 1 - s->query));
    if (base < 0)
        return;
    g_autofree char *nterm = NULL, *nfolded = NULL;
    if (!tracuu_docnum_normalize(n->text, -1, &nterm, &nfolded))
        return;
    check_number(s, (size_t)base, (size_t)base + strlen(n->text),
                 n->field == TRACUU_QFIELD_NUMBER ? TRACUU_PREFIX_NUMBER : TRACUU_PREFIX_CITES,
                 nterm, nfolded);
}

static void
walk(sctx *s, const tracuu_qnode *n)
{
    if (n->mode == TRACUU_QMODE_EXCLUDED)
        return; /* what the user does not want is not corrected */
    switch (n->kind) {
    case TRACUU_QNODE_TEXT:
    case TRACUU_QNODE_PHRASE:
        check_text(s, n);
        break;
    case TRACUU_QNODE_FIELD:
        check_field(s, n);
        break;
    default:
        break;
    }
    if (n->children != NULL)
        for (guint i = 0; i < n->children->len; i++)
            walk(s, g_ptr_array_index(n->children, i));
}

/* The accents guessed for the words typed without (rank.c), where they change the word. */
static void
add_accents(sctx *s, const tracuu_ranked *rk)
{
    if (rk->restore == NULL)
        return;
    for (guint i = 0; i < rk->c.words->len; i++) {
        const tracuu_qword *w = &g_array_index(rk->c.words, tracuu_qword, i);
        const char *guess = g_hash_table_lookup(rk->restore, GUINT_TO_POINTER(w->index + 1));
        if (guess == NULL || w->node == NULL || w->node->tokens == NULL ||
            w->token >= w->node->tokens->len)
            continue;
        const tracuu_qtoken *t = &g_array_index(w->node->tokens, tracuu_qtoken, w->token);
        gssize base = text_base(s, w->node, w->node->start);
        if (base < 0 || t->accented || strcmp(guess, t->term) == 0 ||
            (size_t)base + t->end > s->qlen)
            continue;
        add_edit(s, (size_t)base + t->start, (size_t)base + t->end, guess, 1, FALSE);
    }
}

char *
tracuu_suggest_make(tracuu_engine *e, tracuu_store *store, tracuu_suggest_vocab **vocab,
                    const char *query, const tracuu_qnode *ast, const tracuu_ranked *rk,
                    gboolean relaxed, uint64_t total)
{
    if (query == NULL || ast == NULL || !tracuu_engine_get_rank_params(e)->suggest ||
        !g_utf8_validate(query, -1, NULL))
        return NULL;
    sctx s = {
        .e = e,
        .store = store,
        .vocab = vocab,
        .query = query,
        .qlen = strlen(query),
        .few = relaxed || total < TRACUU_SUGGEST_FEW,
        .restricted = tracuu_engine_is_restricted(e),
        .absent = tracuu_engine_get_rank_params(e)->suggest_absent,
        .edits = g_array_new(FALSE, TRUE, sizeof(edit)),
    };
    g_array_set_clear_func(s.edits, edit_clear);
    walk(&s, ast);
    add_accents(&s, rk);
    char *out = NULL;
    if (s.edits->len > 0) {
        g_array_sort(s.edits, by_start);
        GString *b = g_string_new(NULL);
        size_t at = 0;
        for (guint i = 0; i < s.edits->len; i++) {
            const edit *ed = &g_array_index(s.edits, edit, i);
            if (ed->start < at)
                continue; /* overlaps one taken */
            g_string_append_len(b, query + at, (gssize)(ed->start - at));
            g_string_append(b, ed->text);
            at = ed->end;
        }
        g_string_append(b, query + at);
        if (strcmp(b->str, query) != 0)
            out = g_string_free(b, FALSE);
        else
            g_string_free(b, TRUE);
    }
    g_array_unref(s.edits);
    return out;
}
