/* snippet.c - the passage of a hit around its best match, with matches marked. */
#include <string.h>

#include "engine-private.h"

/*
 * The stored text is tokenized again with the indexing tokenizer, so that what is marked is
 * exactly what matched: a token is a match when its folded form is a folded query term, which
 * also marks "thư" for the query "thu". A query word typed with diacritics is marked only as
 * typed in a document that has it so ("thư" does not mark "Thủ tướng" beside "thư"), and in
 * every accent in a document that has not (found through the accent-free form, which must show
 * its match). The window with the most distinct query terms wins.
 */

/* Snippets look only this far into a document, so a huge text costs a bounded time. */
#define SNIPPET_SCAN_BYTES (2u * 1024 * 1024)
#define SNIPPET_MAX_MATCHES 20000

typedef struct {
    size_t start, end;
    guint term;     /* index of the distinct query term (its folded form) */
    gboolean typed; /* written as one of the forms typed of that term */
} match;

/* A folded form of the query: its index, and the forms typed that it prefers, if any. */
typedef struct {
    guint id;
    GPtrArray *forms; /* char *, borrowed from the caller's table; NULL: every accent */
    guint unseen;     /* forms not yet met in the text */
} term_info;

typedef struct {
    GHashTable *marks; /* folded form -> nothing */
    GHashTable *exact; /* folded form -> GPtrArray of forms typed, or NULL */
    GHashTable *terms; /* folded form -> term_info */
    GHashTable *seen;  /* forms typed met in the text (borrowed strings) */
    guint unseen;      /* forms typed not met yet, over all terms */
    GArray *matches;
} scan_ctx;

static term_info *
term_of(scan_ctx *s, const char *folded)
{
    term_info *ti = g_hash_table_lookup(s->terms, folded);
    if (ti != NULL)
        return ti;
    ti = g_new0(term_info, 1);
    ti->id = g_hash_table_size(s->terms);
    ti->forms = s->exact != NULL ? g_hash_table_lookup(s->exact, folded) : NULL;
    ti->unseen = ti->forms != NULL ? ti->forms->len : 0;
    s->unseen += ti->unseen;
    g_hash_table_insert(s->terms, g_strdup(folded), ti);
    return ti;
}

/* Whether @token is written as one of the forms of @ti, noting the form as met. */
static gboolean
is_typed(scan_ctx *s, term_info *ti, const tracuu_token *token)
{
    if (ti->forms == NULL)
        return FALSE;
    for (guint i = 0; i < ti->forms->len; i++) {
        const char *form = g_ptr_array_index(ti->forms, i);
        if (strcmp(form, token->term) != 0)
            continue;
        if (g_hash_table_add(s->seen, (gpointer)form)) {
            ti->unseen--;
            s->unseen--;
        }
        return TRUE;
    }
    return FALSE;
}

static gboolean
scan_token(const tracuu_token *token, gpointer user_data)
{
    scan_ctx *s = user_data;
    if (!g_hash_table_contains(s->marks, token->folded))
        return TRUE;
    term_info *ti = term_of(s, token->folded);
    gboolean typed = is_typed(s, ti, token);
    if (s->matches->len >= SNIPPET_MAX_MATCHES)
        return s->unseen > 0; /* only to learn which forms typed the text has */
    /* A piece of a docnum sits inside the docnum token already marked. */
    if ((token->flags & TRACUU_TOKEN_PART) && s->matches->len > 0) {
        const match *last = &g_array_index(s->matches, match, s->matches->len - 1);
        if (token->start >= last->start && token->end <= last->end)
            return TRUE;
    }
    match m = {token->start, token->end, ti->id, typed};
    g_array_append_val(s->matches, m);
    return s->matches->len < SNIPPET_MAX_MATCHES || s->unseen > 0;
}

/*
 * Keeps the matches to mark: of a term with forms typed, only those written so, when the text
 * has every one of them (each query word had its own form; one missing means that word was
 * found by its folded form, which is then marked in every accent).
 */
static void
keep_marked(scan_ctx *s)
{
    if (s->exact == NULL || g_hash_table_size(s->exact) == 0)
        return;
    g_autofree gboolean *strict = g_new0(gboolean, g_hash_table_size(s->terms) + 1);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->terms);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const term_info *ti = v;
        strict[ti->id] = ti->forms != NULL && ti->unseen == 0;
    }
    guint n = 0;
    for (guint i = 0; i < s->matches->len; i++) {
        const match *m = &g_array_index(s->matches, match, i);
        if (!strict[m->term] || m->typed)
            g_array_index(s->matches, match, n++) = *m;
    }
    g_array_set_size(s->matches, n);
}

/* Moves @at back to the start of a UTF-8 character. */
static size_t
utf8_floor(const char *text, size_t at)
{
    while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
        at--;
    return at;
}

/* Appends @len bytes of @text HTML-escaped, with runs of white space made one space. */
static void
append_escaped(GString *out, const char *text, size_t len)
{
    gboolean space = FALSE;
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
            space = TRUE;
            continue;
        }
        if (space && out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c(out, ' ');
        space = FALSE;
        switch (ch) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&#39;"); break;
        default: g_string_append_c(out, ch); break;
        }
    }
    if (space && out->len > 0 && out->str[out->len - 1] != ' ')
        g_string_append_c(out, ' ');
}

/* The byte offset @n characters after @at (or the end). */
static size_t
forward_chars(const char *text, size_t len, size_t at, size_t n)
{
    while (at < len && n > 0) {
        at = (size_t)(g_utf8_next_char(text + at) - text);
        n--;
    }
    return MIN(at, len);
}

/* The byte offset @n characters before @at (or 0). */
static size_t
back_chars(const char *text, size_t at, size_t n)
{
    while (at > 0 && n > 0) {
        at = utf8_floor(text, at - 1);
        n--;
    }
    return at;
}

char *
tracuu_snippet_make(tracuu_tokenizer *tk, const char *text, size_t len, GHashTable *marks,
                    GHashTable *exact, size_t max_chars, size_t *at)
{
    if (at != NULL)
        *at = 0;
    if (text == NULL || len == 0)
        return g_strdup("");
    /* Text from the index is valid UTF-8 (it came through JSON); the copy makes sure. */
    g_autofree char *valid = g_utf8_make_valid(text, (gssize)len);
    text = valid;
    len = strlen(valid);
    if (max_chars < 16)
        max_chars = 16;
    /* Windows are compared in bytes; Vietnamese text is mostly under two bytes a character. */
    size_t max_bytes = max_chars * 3 / 2;

    g_autoptr(GArray) matches = g_array_new(FALSE, FALSE, sizeof(match));
    if (marks != NULL && g_hash_table_size(marks) > 0) {
        g_autoptr(GHashTable) terms =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
        scan_ctx s = {.marks = marks, .exact = exact, .terms = terms, .seen = seen,
                      .matches = matches};
        tracuu_tokenizer_run(tk, text, MIN(len, (size_t)SNIPPET_SCAN_BYTES), 0, scan_token, &s);
        keep_marked(&s);
    }

    /*
     * The window of matches [i, j) fitting in max_bytes with the most distinct terms; among
     * equals, the one whose distinct terms stand closest together (a phrase beats the same
     * words spread over a page), then the one with most matches.
     */
    size_t best_i = 0, best_j = 0, best_tight = G_MAXSIZE;
    guint best_distinct = 0, best_total = 0;
    if (matches->len > 0) {
        g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
        for (guint i = 0; i < matches->len; i++) {
            const match *mi = &g_array_index(matches, match, i);
            g_hash_table_remove_all(seen);
            guint j = i;
            size_t tight = 0;
            while (j < matches->len) {
                const match *mj = &g_array_index(matches, match, j);
                if (mj->end - mi->start > max_bytes)
                    break;
                if (g_hash_table_add(seen, GUINT_TO_POINTER(mj->term + 1)))
                    tight = mj->end - mi->start; /* where the last new term was reached */
                j++;
                if (j - i > 64)
                    break; /* enough to judge a window; keeps this linear */
            }
            guint distinct = g_hash_table_size(seen);
            gboolean better = distinct > best_distinct ||
                              (distinct == best_distinct &&
                               (tight < best_tight || (tight == best_tight && j - i > best_total)));
            if (better) {
                best_distinct = distinct;
                best_tight = tight;
                best_total = j - i;
                best_i = i;
                best_j = j;
            }
        }
    }

    size_t w_start = 0;
    if (best_j > best_i) {
        const match *first = &g_array_index(matches, match, best_i);
        const match *last = &g_array_index(matches, match, best_j - 1);
        size_t span = g_utf8_strlen(text + first->start, (gssize)(last->end - first->start));
        /* A third of what the matches leave goes before them, the rest after. */
        size_t lead = (max_chars - MIN(span, max_chars)) / 3;
        w_start = back_chars(text, first->start, lead);
        /* Near the end of the text, fill the window from before instead. */
        if (forward_chars(text, len, w_start, max_chars) == len)
            w_start = MIN(back_chars(text, len, max_chars), first->start);
    }
    size_t w_end = forward_chars(text, len, w_start, max_chars);
    /* Cut on white space when there is some close by. */
    if (w_start > 0) {
        size_t k = w_start;
        while (k < w_start + 24 && k < w_end && text[k] != ' ' && text[k] != '\n')
            k++;
        if (k < w_end && (text[k] == ' ' || text[k] == '\n') &&
            (best_j == best_i || k < g_array_index(matches, match, best_i).start))
            w_start = k + 1;
    }
    if (w_end < len) {
        size_t k = w_end;
        while (k > w_start + 1 && k + 24 > w_end && text[k] != ' ' && text[k] != '\n')
            k--;
        if (text[k] == ' ' || text[k] == '\n')
            w_end = k;
    }

    GString *out = g_string_new(NULL);
    if (w_start > 0)
        g_string_append(out, "… ");
    size_t cur = w_start;
    /* The page shown with the snippet is the page of its first mark, which can come before
     * the window's best match (the text led into it), or of its start when it has none. */
    gboolean marked = FALSE;
    if (at != NULL)
        *at = w_start;
    for (guint i = 0; i < matches->len; i++) {
        const match *m = &g_array_index(matches, match, i);
        if (m->start < cur || m->end > w_end)
            continue;
        if (at != NULL && !marked)
            *at = m->start;
        marked = TRUE;
        append_escaped(out, text + cur, m->start - cur);
        g_string_append(out, "<mark>");
        append_escaped(out, text + m->start, m->end - m->start);
        g_string_append(out, "</mark>");
        cur = m->end;
    }
    append_escaped(out, text + cur, w_end - cur);
    /* Leading white space of the text is not worth a character of the snippet. */
    if (out->len > 0 && out->str[0] == ' ')
        g_string_erase(out, 0, 1);
    if (w_end < len) {
        if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c(out, ' ');
        g_string_append(out, "…");
    }
    return g_string_free(out, FALSE);
}
