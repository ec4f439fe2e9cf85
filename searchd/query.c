/* query.c - the query language: a recursive-descent parser from a query string to an AST. */
#include <string.h>

#include "engine-private.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"

/*
 * Users paste whole sentences and questions, so the parser is forgiving: anything it cannot
 * read as an operator is text. It only refuses what is over a hard limit or a field value that
 * has a fixed form (dates, years), and then says where. The grammar is in docs/query-language.md.
 */

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    int depth;
    unsigned n_nodes;
    size_t *error_pos;
    GError **error;
    gboolean failed;
} parser;

static const struct {
    const char *name;
    tracuu_qfield field;
} field_names[] = {
    {"number", TRACUU_QFIELD_NUMBER},   {"so", TRACUU_QFIELD_NUMBER},
    {"sohieu", TRACUU_QFIELD_NUMBER},   {"type", TRACUU_QFIELD_TYPE},
    {"loai", TRACUU_QFIELD_TYPE},       {"issuer", TRACUU_QFIELD_ISSUER},
    {"coquan", TRACUU_QFIELD_ISSUER},   {"date", TRACUU_QFIELD_DATE},
    {"ngay", TRACUU_QFIELD_DATE},       {"year", TRACUU_QFIELD_YEAR},
    {"nam", TRACUU_QFIELD_YEAR},        {"kind", TRACUU_QFIELD_KIND},
    {"from", TRACUU_QFIELD_FROM},       {"to", TRACUU_QFIELD_TO},
    {"subject", TRACUU_QFIELD_SUBJECT}, {"cites", TRACUU_QFIELD_CITES},
    {"signer", TRACUU_QFIELD_SIGNER},   {"nguoiky", TRACUU_QFIELD_SIGNER},
    {"id", TRACUU_QFIELD_ID},           {"parent", TRACUU_QFIELD_PARENT},
    {"amends", TRACUU_QFIELD_AMENDS},   {"replaces", TRACUU_QFIELD_REPLACES},
    {"repeals", TRACUU_QFIELD_REPEALS}, {"guides", TRACUU_QFIELD_GUIDES},
    {"based_on", TRACUU_QFIELD_BASED_ON}, {"corrects", TRACUU_QFIELD_CORRECTS},
    {"suspends", TRACUU_QFIELD_SUSPENDS},
    {"amended_by", TRACUU_QFIELD_AMENDED_BY}, {"replaced_by", TRACUU_QFIELD_REPLACED_BY},
    {"repealed_by", TRACUU_QFIELD_REPEALED_BY}, {"guided_by", TRACUU_QFIELD_GUIDED_BY},
    {"basis_of", TRACUU_QFIELD_BASIS_OF}, {"corrected_by", TRACUU_QFIELD_CORRECTED_BY},
    {"suspended_by", TRACUU_QFIELD_SUSPENDED_BY}, {"cited_by", TRACUU_QFIELD_CITED_BY},
    {"status", TRACUU_QFIELD_STATUS}, {"hieuluc", TRACUU_QFIELD_STATUS},
    {"dieu", TRACUU_QFIELD_ARTICLE},    {"article", TRACUU_QFIELD_ARTICLE},
    {"unit", TRACUU_QFIELD_UNIT},
};

const char *
tracuu_qfield_name(tracuu_qfield field)
{
    static const char *const names[] = {
        [TRACUU_QFIELD_NONE] = "none",       [TRACUU_QFIELD_NUMBER] = "number",
        [TRACUU_QFIELD_TYPE] = "type",       [TRACUU_QFIELD_ISSUER] = "issuer",
        [TRACUU_QFIELD_DATE] = "date",       [TRACUU_QFIELD_YEAR] = "year",
        [TRACUU_QFIELD_KIND] = "kind",       [TRACUU_QFIELD_FROM] = "from",
        [TRACUU_QFIELD_TO] = "to",           [TRACUU_QFIELD_SUBJECT] = "subject",
        [TRACUU_QFIELD_CITES] = "cites",     [TRACUU_QFIELD_SIGNER] = "signer",
        [TRACUU_QFIELD_ID] = "id",           [TRACUU_QFIELD_PARENT] = "parent",
        [TRACUU_QFIELD_AMENDS] = "amends",   [TRACUU_QFIELD_REPLACES] = "replaces",
        [TRACUU_QFIELD_REPEALS] = "repeals", [TRACUU_QFIELD_GUIDES] = "guides",
        [TRACUU_QFIELD_BASED_ON] = "based_on", [TRACUU_QFIELD_CORRECTS] = "corrects",
        [TRACUU_QFIELD_SUSPENDS] = "suspends",
        [TRACUU_QFIELD_AMENDED_BY] = "amended_by", [TRACUU_QFIELD_REPLACED_BY] = "replaced_by",
        [TRACUU_QFIELD_REPEALED_BY] = "repealed_by", [TRACUU_QFIELD_GUIDED_BY] = "guided_by",
        [TRACUU_QFIELD_BASIS_OF] = "basis_of", [TRACUU_QFIELD_CORRECTED_BY] = "corrected_by",
        [TRACUU_QFIELD_SUSPENDED_BY] = "suspended_by", [TRACUU_QFIELD_CITED_BY] = "cited_by",
        [TRACUU_QFIELD_STATUS] = "status",
        [TRACUU_QFIELD_ARTICLE] = "article", [TRACUU_QFIELD_UNIT] = "unit",
    };
    if ((unsigned)field >= G_N_ELEMENTS(names))
        return "none";
    return names[field];
}

void
tracuu_qnode_free(tracuu_qnode *node)
{
    if (node == NULL)
        return;
    g_free(node->text);
    g_free(node->lo);
    g_free(node->hi);
    if (node->tokens != NULL)
        g_array_unref(node->tokens);
    tracuu_query_free(node->filter);
    if (node->children != NULL)
        g_ptr_array_unref(node->children);
    g_free(node);
}

static tracuu_qnode *
node_new(parser *p, tracuu_qnode_kind kind, size_t start, size_t end)
{
    tracuu_qnode *n = g_new0(tracuu_qnode, 1);
    n->kind = kind;
    n->start = start;
    n->end = end;
    if (kind == TRACUU_QNODE_SEQ || kind == TRACUU_QNODE_OR || kind == TRACUU_QNODE_AND ||
        kind == TRACUU_QNODE_NEAR)
        n->children = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_qnode_free);
    p->n_nodes++;
    return n;
}

static void
fail(parser *p, size_t at, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
fail(parser *p, size_t at, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = TRUE;
    if (p->error_pos != NULL)
        *p->error_pos = at;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Show a little of the query at the place, so the user sees where without counting. */
    size_t n = MIN(p->len - MIN(at, p->len), 20);
    g_autofree char *near = g_utf8_make_valid(p->s + MIN(at, p->len), (gssize)n);
    g_set_error(p->error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                "%s at byte %zu (near \"%s\")", what, at, near);
}

static gboolean
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Characters that end a bare word: white space and parentheses. */
static gboolean
ends_word(char c)
{
    return c == '\0' || is_space(c) || c == '(' || c == ')';
}

static void
skip_space(parser *p)
{
    while (p->pos < p->len && is_space(p->s[p->pos]))
        p->pos++;
}

static char
peek_at(const parser *p, size_t at)
{
    return at < p->len ? p->s[at] : '\0';
}

/* Length of the bare word at @at. */
static size_t
word_len(const parser *p, size_t at)
{
    size_t e = at;
    while (e < p->len && !ends_word(p->s[e]))
        e++;
    return e - at;
}

/* Is the word at @at exactly the operator @kw (upper case only: "or" is a word)? */
static gboolean
is_keyword_at(const parser *p, size_t at, const char *kw)
{
    size_t n = strlen(kw);
    return word_len(p, at) == n && memcmp(p->s + at, kw, n) == 0;
}

/*
 * The length of the NEAR operator at @at, "NEAR" or "NEAR/n" (capitals only: "near" is a word,
 * as "or" is), or 0 when the word there is not one. *@n gets the n written (G_MAXUINT when too
 * large to read), or -1 for a plain NEAR.
 */
static size_t
near_at(const parser *p, size_t at, gint64 *n)
{
    size_t wl = word_len(p, at);
    *n = -1;
    if (wl < 4 || memcmp(p->s + at, "NEAR", 4) != 0)
        return 0;
    if (wl == 4)
        return wl;
    if (p->s[at + 4] != '/' || wl == 5)
        return 0; /* "NEARBY", "NEAR/": words */
    gint64 v = 0;
    for (size_t i = at + 5; i < at + wl; i++) {
        if (!g_ascii_isdigit(p->s[i]))
            return 0; /* "NEAR/x" is a word */
        v = MIN(v * 10 + (p->s[i] - '0'), (gint64)G_MAXUINT);
    }
    *n = v;
    return wl;
}

/* Whether something that can be an operand starts at @at (after white space). */
static gboolean
operand_follows(const parser *p, size_t at)
{
    while (at < p->len && is_space(p->s[at]))
        at++;
    if (at >= p->len || p->s[at] == ')')
        return FALSE;
    gint64 n;
    return !is_keyword_at(p, at, "OR") && !is_keyword_at(p, at, "AND") && near_at(p, at, &n) == 0;
}

tracuu_qfield
tracuu_qfield_lookup(const char *name, size_t n)
{
    for (size_t i = 0; i < G_N_ELEMENTS(field_names); i++) {
        if (strlen(field_names[i].name) == n &&
            g_ascii_strncasecmp(field_names[i].name, name, n) == 0)
            return field_names[i].field;
    }
    return TRACUU_QFIELD_NONE;
}

/* The number in the @n digits at @s, or -1 when they are not all digits. */
static int
digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Reads "YYYY", "YYYY-MM", "YYYY-MM-DD" or "D/M/YYYY" into "YYYY[MM[DD]]". */
static char *
parse_date(const char *s, size_t n)
{
    int y = -1, m = 0, d = 0;
    if (n == 4) {
        y = digits(s, 4);
    } else if (n == 7 && s[4] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
    } else if (n == 10 && s[4] == '-' && s[7] == '-') {
        y = digits(s, 4);
        m = digits(s + 5, 2);
        d = digits(s + 8, 2);
    } else if (n >= 8 && n <= 10) {
        /* D/M/YYYY as Vietnamese write dates, with / - or . between. */
        const char *sep1 = NULL, *sep2 = NULL;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '/' || s[i] == '.' || s[i] == '-') {
                if (sep1 == NULL)
                    sep1 = s + i;
                else if (sep2 == NULL)
                    sep2 = s + i;
                else
                    return NULL;
            }
        }
        if (sep1 == NULL || sep2 == NULL || sep1 == s || sep2 - sep1 < 2 || sep2 - sep1 > 3 ||
            sep1 - s > 2 || (s + n) - sep2 != 5)
            return NULL;
        d = digits(s, (size_t)(sep1 - s));
        m = digits(sep1 + 1, (size_t)(sep2 - sep1 - 1));
        y = digits(sep2 + 1, 4);
        if (d < 1)
            return NULL;
    } else {
        return NULL;
    }
    /* What a real date is, the schema says: the indexer validates with the same function. */
    if ((m == 0 && n > 4) || (d == 0 && n > 7) || !tracuu_schema_date_valid(y, m, d))
        return NULL;
    if (m == 0)
        return g_strdup_printf("%04d", y);
    if (d == 0)
        return g_strdup_printf("%04d%02d", y, m);
    return g_strdup_printf("%04d%02d%02d", y, m, d);
}

/* The upper end of a date given as a prefix: "2009" covers up to "20091299". */
static char *
date_upper(const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 4)
        return g_strconcat(prefix, "9999", NULL);
    if (n == 6)
        return g_strconcat(prefix, "99", NULL);
    return g_strdup(prefix);
}

/* Fills lo/hi of a date or year filter; fails with the position of the bad part. */
static gboolean
parse_range(parser *p, tracuu_qnode *n, size_t value_at)
{
    const char *v = n->text;
    size_t len = strlen(v);
    const char *dots = strstr(v, "..");
    size_t a_len = dots != NULL ? (size_t)(dots - v) : len;
    const char *b = dots != NULL ? dots + 2 : NULL;
    size_t b_len = b != NULL ? len - (size_t)(b - v) : 0;

    if (n->field == TRACUU_QFIELD_YEAR) {
        /* A year is four digits; a range of years becomes a date range. */
        const char *parts[2] = {v, b};
        size_t lens[2] = {a_len, b_len};
        for (int i = 0; i < 2; i++) {
            if (parts[i] == NULL || lens[i] == 0)
                continue;
            gboolean ok = lens[i] == 4;
            for (size_t k = 0; ok && k < 4; k++)
                ok = g_ascii_isdigit(parts[i][k]);
            if (!ok) {
                fail(p, value_at + (size_t)(parts[i] - v),
                     "year: wants a year of four digits (year:2008 or year:2008..2010)");
                return FALSE;
            }
        }
        if (a_len > 0)
            n->lo = g_strndup(v, 4);
        if (b != NULL && b_len > 0)
            n->hi = g_strdup_printf("%.4s9999", b);
        else if (b == NULL)
            n->hi = g_strconcat(n->lo, "9999", NULL);
    } else {
        if (a_len > 0) {
            n->lo = parse_date(v, a_len);
            if (n->lo == NULL) {
                fail(p, value_at,
                     "date: wants YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY, or a range A..B");
                return FALSE;
            }
        }
        if (b != NULL && b_len > 0) {
            g_autofree char *hb = parse_date(b, b_len);
            if (hb == NULL) {
                fail(p, value_at + (size_t)(b - v),
                     "date: wants YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY, or a range A..B");
                return FALSE;
            }
            n->hi = date_upper(hb);
        } else if (b == NULL) {
            n->hi = date_upper(n->lo);
        }
    }
    if (n->lo == NULL && n->hi == NULL) {
        fail(p, value_at, "%s: the range has no end", tracuu_qfield_name(n->field));
        return FALSE;
    }
    if (n->lo != NULL && n->hi != NULL && strcmp(n->lo, n->hi) > 0) {
        fail(p, value_at, "%s: the range ends before it starts", tracuu_qfield_name(n->field));
        return FALSE;
    }
    return TRUE;
}

static tracuu_qnode *parse_seq(parser *p, gboolean in_group);

tracuu_qnode *
tracuu_qnode_new(tracuu_qnode_kind kind, tracuu_qmode mode)
{
    parser p = {0};
    tracuu_qnode *n = node_new(&p, kind, 0, 0);
    n->mode = mode;
    return n;
}

tracuu_qnode *
tracuu_qnode_new_filter(tracuu_qfield field, const char *value, GError **error)
{
    g_return_val_if_fail(field != TRACUU_QFIELD_NONE && value != NULL, NULL);
    g_autofree char *valid = g_utf8_make_valid(value, -1);
    parser p = {.s = valid, .len = strlen(valid), .error = error};
    size_t v_start = 0, v_end = p.len;
    /* The ends are trimmed as inside quotes; an empty value is no filter, as type:"" is not. */
    while (v_start < v_end && is_space(p.s[v_start]))
        v_start++;
    while (v_end > v_start && is_space(p.s[v_end - 1]))
        v_end--;
    if (v_end == v_start)
        return NULL;
    tracuu_qnode *n = node_new(&p, TRACUU_QNODE_FIELD, 0, 0);
    n->field = field;
    n->mode = TRACUU_QMODE_REQUIRED;
    n->text = g_strndup(p.s + v_start, v_end - v_start);
    if ((field == TRACUU_QFIELD_DATE || field == TRACUU_QFIELD_YEAR) &&
        !parse_range(&p, n, v_start)) {
        tracuu_qnode_free(n);
        return NULL;
    }
    return n;
}

/*
 * A field filter at p->pos, if the word there is "name:value" with a known name and a value;
 * otherwise NULL and nothing consumed (the word is then text).
 */
static tracuu_qnode *
parse_field(parser *p)
{
    size_t at = p->pos;
    size_t wl = word_len(p, at);
    const char *colon = memchr(p->s + at, ':', wl);
    if (colon == NULL || colon == p->s + at)
        return NULL;
    size_t name_len = (size_t)(colon - (p->s + at));
    tracuu_qfield field = tracuu_qfield_lookup(p->s + at, name_len);
    if (field == TRACUU_QFIELD_NONE)
        return NULL;
    size_t v = at + name_len + 1;
    size_t v_start, v_end, next;
    if (peek_at(p, v) == '"') {
        const char *close = memchr(p->s + v + 1, '"', p->len - v - 1);
        if (close != NULL) {
            v_start = v + 1;
            v_end = (size_t)(close - p->s);
            next = v_end + 1;
        } else {
            /* An unbalanced quote is punctuation: the value is the rest of the word. */
            v_start = v + 1;
            v_end = at + wl;
            next = v_end;
        }
    } else {
        v_start = v;
        v_end = at + wl;
        next = v_end;
    }
    /* Trim white space inside quotes; an empty value leaves the word as text ("Nam: ..."). */
    while (v_start < v_end && is_space(p->s[v_start]))
        v_start++;
    while (v_end > v_start && is_space(p->s[v_end - 1]))
        v_end--;
    if (v_end == v_start)
        return NULL;
    tracuu_qnode *n = node_new(p, TRACUU_QNODE_FIELD, at, next);
    n->field = field;
    n->mode = TRACUU_QMODE_REQUIRED;
    n->text = g_strndup(p->s + v_start, v_end - v_start);
    p->pos = next;
    if ((field == TRACUU_QFIELD_DATE || field == TRACUU_QFIELD_YEAR) &&
        !parse_range(p, n, v_start)) {
        tracuu_qnode_free(n);
        return NULL;
    }
    return n;
}

/* primary = "(" seq [")"] | '"' words '"' | field | word */
static tracuu_qnode *
parse_primary(parser *p)
{
    skip_space(p);
    if (p->pos >= p->len)
        return NULL;
    char c = p->s[p->pos];
    if (c == '(') {
        if (p->depth >= TRACUU_QUERY_MAX_DEPTH) {
            fail(p, p->pos, "parentheses nested deeper than %d", TRACUU_QUERY_MAX_DEPTH);
            return NULL;
        }
        size_t start = p->pos++;
        p->depth++;
        tracuu_qnode *g = parse_seq(p, TRUE);
        p->depth--;
        if (g == NULL)
            return NULL;
        /* A missing ")" is closed at the end, as a reader would. */
        if (p->pos < p->len && p->s[p->pos] == ')')
            p->pos++;
        g->start = start;
        g->end = p->pos;
        if (g->children->len == 0) {
            tracuu_qnode_free(g);
            return NULL;
        }
        return g;
    }
    if (c == '"') {
        const char *close = memchr(p->s + p->pos + 1, '"', p->len - p->pos - 1);
        if (close == NULL) {
            p->pos++; /* an unbalanced quote is punctuation */
            return NULL;
        }
        size_t start = p->pos;
        size_t end = (size_t)(close - p->s) + 1;
        g_autofree char *inner = g_strndup(p->s + start + 1, end - start - 2);
        p->pos = end;
        g_strstrip(inner);
        if (*inner == '\0')
            return NULL;
        tracuu_qnode *n = node_new(p, TRACUU_QNODE_PHRASE, start, end);
        n->mode = TRACUU_QMODE_REQUIRED;
        n->text = g_steal_pointer(&inner);
        return n;
    }
    tracuu_qnode *f = parse_field(p);
    if (f != NULL || p->failed)
        return f;
    size_t wl = word_len(p, p->pos);
    if (wl == 0) {
        p->pos++; /* a stray ')' at the top level is punctuation */
        return NULL;
    }
    tracuu_qnode *n = node_new(p, TRACUU_QNODE_TEXT, p->pos, p->pos + wl);
    n->text = g_strndup(p->s + p->pos, wl);
    p->pos += wl;
    return n;
}

/*
 * Whether @n may stand beside NEAR: a word or a quoted phrase. The compiler, which tokenizes,
 * refuses those of more than one word (see near_query() in compile.c).
 */
static gboolean
near_operand(const tracuu_qnode *n)
{
    return n->kind == TRACUU_QNODE_TEXT || n->kind == TRACUU_QNODE_PHRASE;
}

/*
 * near = primary { ("NEAR" | "NEAR/n") primary }: NEAR binds tighter than AND and OR, and joins
 * words and phrases only, as in Xapian's QueryParser; a chain takes the largest n written
 * (10 when none is). A NEAR with nothing after it is a stray operator, as "a OR" is.
 */
static tracuu_qnode *
parse_near(parser *p)
{
    tracuu_qnode *left = parse_primary(p);
    tracuu_qnode *near = NULL;
    gint64 distance = -1;
    while (left != NULL && !p->failed) {
        size_t kw = p->pos;
        while (kw < p->len && is_space(p->s[kw]))
            kw++;
        gint64 n;
        size_t after = kw + near_at(p, kw, &n);
        if (after == kw)
            break;
        gint64 widest = n;
        /* "a NEAR NEAR/5 b" reads as "a NEAR/5 b", as "a OR OR b" is "a OR b". */
        while (TRUE) {
            size_t q = after;
            while (q < p->len && is_space(p->s[q]))
                q++;
            size_t l = near_at(p, q, &n);
            if (l == 0)
                break;
            widest = MAX(widest, n);
            after = q + l;
        }
        if (!operand_follows(p, after))
            break;
        if (widest == 0 || widest > TRACUU_QUERY_NEAR_MAX) {
            fail(p, kw, "NEAR/n wants n from 1 to %d (words apart)", TRACUU_QUERY_NEAR_MAX);
            break;
        }
        size_t r = after;
        while (r < p->len && is_space(p->s[r]))
            r++;
        char c = p->s[r];
        if ((c == '-' || c == '+') && !ends_word(peek_at(p, r + 1))) {
            fail(p, r, "NEAR joins words and quoted phrases: a sign goes before the first of "
                       "them (-a NEAR b)");
            break;
        }
        if (near == NULL && !near_operand(left)) {
            fail(p, kw, "NEAR joins words and quoted phrases, not filters or groups");
            break;
        }
        p->pos = after;
        tracuu_qnode *right = parse_primary(p);
        if (right == NULL)
            break; /* a lone quote: punctuation */
        if (!near_operand(right)) {
            fail(p, right->start, "NEAR joins words and quoted phrases, not filters or groups");
            tracuu_qnode_free(right);
            break;
        }
        distance = MAX(distance, widest);
        if (near == NULL) {
            near = node_new(p, TRACUU_QNODE_NEAR, left->start, right->end);
            near->mode = TRACUU_QMODE_REQUIRED;
            left->mode = TRACUU_QMODE_OPTIONAL;
            g_ptr_array_add(near->children, left);
            left = near;
        }
        right->mode = TRACUU_QMODE_OPTIONAL;
        g_ptr_array_add(near->children, right);
        near->end = right->end;
    }
    if (near != NULL)
        near->distance = distance > 0 ? (unsigned)distance : TRACUU_QUERY_NEAR_DEFAULT;
    return left;
}

/* unary = ("-" | "+" | "NOT") near | near; stray operators are skipped. */
static tracuu_qnode *
parse_unary(parser *p)
{
    skip_space(p);
    if (p->pos >= p->len)
        return NULL;
    gint64 distance;
    if (is_keyword_at(p, p->pos, "OR") || is_keyword_at(p, p->pos, "AND") ||
        near_at(p, p->pos, &distance) > 0) {
        p->pos += word_len(p, p->pos); /* nothing on its left: a stray operator */
        return NULL;
    }
    tracuu_qmode mode = TRACUU_QMODE_OPTIONAL;
    gboolean explicit_mode = FALSE;
    char c = p->s[p->pos];
    if ((c == '-' || c == '+') && !ends_word(peek_at(p, p->pos + 1))) {
        mode = c == '-' ? TRACUU_QMODE_EXCLUDED : TRACUU_QMODE_REQUIRED;
        explicit_mode = TRUE;
        p->pos++;
    } else if (is_keyword_at(p, p->pos, "NOT")) {
        p->pos += 3;
        if (!operand_follows(p, p->pos))
            return NULL;
        mode = TRACUU_QMODE_EXCLUDED;
        explicit_mode = TRUE;
    }
    size_t start = p->pos;
    tracuu_qnode *n = parse_near(p);
    if (n == NULL)
        return NULL;
    if (explicit_mode) {
        /* Keep the sign in the span so that merged text runs do not swallow it. */
        n->start = MIN(n->start, start > 0 ? start - 1 : 0);
        n->mode = mode;
    }
    return n;
}

static tracuu_qnode *
combine(parser *p, tracuu_qnode_kind kind, tracuu_qnode *left, tracuu_qnode *right)
{
    if (left->kind != kind) {
        tracuu_qnode *op = node_new(p, kind, left->start, right->end);
        g_ptr_array_add(op->children, left);
        left = op;
    }
    g_ptr_array_add(left->children, right);
    left->end = right->end;
    return left;
}

/* and = unary { "AND" unary } */
static tracuu_qnode *
parse_and(parser *p)
{
    tracuu_qnode *left = parse_unary(p);
    while (left != NULL && !p->failed) {
        skip_space(p);
        if (!is_keyword_at(p, p->pos, "AND") || !operand_follows(p, p->pos + 3))
            break;
        p->pos += 3;
        tracuu_qnode *right = parse_unary(p);
        if (right == NULL)
            break;
        gboolean fresh = left->kind != TRACUU_QNODE_AND;
        left = combine(p, TRACUU_QNODE_AND, left, right);
        if (fresh)
            left->mode = TRACUU_QMODE_REQUIRED;
    }
    return left;
}

/* or = and { "OR" and }; OR binds tighter than side by side: "a b OR c d" is a (b OR c) d. */
static tracuu_qnode *
parse_or(parser *p)
{
    tracuu_qnode *left = parse_and(p);
    gboolean own = FALSE;
    while (left != NULL && !p->failed) {
        skip_space(p);
        if (!is_keyword_at(p, p->pos, "OR"))
            break;
        size_t after = p->pos + 2;
        /* "a OR OR b" reads as "a OR b". */
        while (TRUE) {
            size_t q = after;
            while (q < p->len && is_space(p->s[q]))
                q++;
            if (!is_keyword_at(p, q, "OR"))
                break;
            after = q + 2;
        }
        if (!operand_follows(p, after))
            break;
        p->pos = after;
        tracuu_qnode *right = parse_and(p);
        if (right == NULL)
            break;
        if (!own) {
            tracuu_qnode *op = node_new(p, TRACUU_QNODE_OR, left->start, right->end);
            /* The OR is required only when each side is (phrases, filters). */
            op->mode = left->mode == TRACUU_QMODE_EXCLUDED ? TRACUU_QMODE_OPTIONAL : left->mode;
            g_ptr_array_add(op->children, left);
            left = op;
            own = TRUE;
        }
        if (right->mode != TRACUU_QMODE_REQUIRED)
            left->mode = TRACUU_QMODE_OPTIONAL;
        g_ptr_array_add(left->children, right);
        left->end = right->end;
    }
    return left;
}

/* seq = { or }, until the end or the ")" of the group. Adjacent plain words make one run. */
static tracuu_qnode *
parse_seq(parser *p, gboolean in_group)
{
    tracuu_qnode *seq = node_new(p, TRACUU_QNODE_SEQ, p->pos, p->pos);
    while (!p->failed) {
        skip_space(p);
        if (p->pos >= p->len)
            break;
        if (in_group && p->s[p->pos] == ')')
            break;
        if (p->n_nodes > TRACUU_QUERY_MAX_NODES) {
            fail(p, p->pos, "more than %d terms, phrases and filters", TRACUU_QUERY_MAX_NODES);
            break;
        }
        size_t before = p->pos;
        tracuu_qnode *item = parse_or(p);
        if (item == NULL) {
            if (p->pos == before && !p->failed)
                p->pos++; /* cannot happen, but never loop forever */
            continue;
        }
        tracuu_qnode *last =
            seq->children->len > 0 ? g_ptr_array_index(seq->children, seq->children->len - 1)
                                   : NULL;
        if (last != NULL && last->kind == TRACUU_QNODE_TEXT && item->kind == TRACUU_QNODE_TEXT &&
            last->mode == TRACUU_QMODE_OPTIONAL && item->mode == TRACUU_QMODE_OPTIONAL) {
            /* One raw span, so that the tokenizer sees "34/2008/CT - TTg" whole. */
            g_free(last->text);
            last->end = item->end;
            last->text = g_strndup(p->s + last->start, last->end - last->start);
            tracuu_qnode_free(item);
            p->n_nodes--; /* a run of words is one item, however long */
        } else {
            g_ptr_array_add(seq->children, item);
        }
        seq->end = p->pos;
    }
    if (p->failed) {
        tracuu_qnode_free(seq);
        return NULL;
    }
    return seq;
}

tracuu_qnode *
tracuu_query_parse(const char *query, gssize len, size_t *error_pos, GError **error)
{
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (query == NULL)
        query = "";
    size_t n = len < 0 ? strlen(query) : (size_t)len;
    if (error_pos != NULL)
        *error_pos = 0;
    if (n > TRACUU_QUERY_MAX_BYTES) {
        if (error_pos != NULL)
            *error_pos = TRACUU_QUERY_MAX_BYTES;
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                    "the query is %zu bytes long; the limit is %d", n, TRACUU_QUERY_MAX_BYTES);
        return NULL;
    }
    /* Invalid bytes become U+FFFD, which the tokenizer ignores like any symbol. */
    g_autofree char *valid = g_utf8_make_valid(query, (gssize)n);
    parser p = {.s = valid, .len = strlen(valid), .error_pos = error_pos, .error = error};
    tracuu_qnode *root = parse_seq(&p, FALSE);
    return root;
}

static void
describe(GString *out, const tracuu_qnode *n)
{
    if (n->mode == TRACUU_QMODE_REQUIRED && n->kind != TRACUU_QNODE_PHRASE &&
        n->kind != TRACUU_QNODE_FIELD)
        g_string_append_c(out, '+');
    else if (n->mode == TRACUU_QMODE_EXCLUDED)
        g_string_append_c(out, '-');
    switch (n->kind) {
    case TRACUU_QNODE_TEXT:
    case TRACUU_QNODE_PHRASE:
        g_string_append_printf(out, "%s:\"%s\"", n->kind == TRACUU_QNODE_TEXT ? "text" : "phrase",
                               n->text);
        break;
    case TRACUU_QNODE_FIELD:
        if (n->field == TRACUU_QFIELD_DATE || n->field == TRACUU_QFIELD_YEAR)
            g_string_append_printf(out, "%s:%s..%s", tracuu_qfield_name(n->field),
                                   n->lo ? n->lo : "", n->hi ? n->hi : "");
        else
            g_string_append_printf(out, "%s:\"%s\"", tracuu_qfield_name(n->field), n->text);
        break;
    case TRACUU_QNODE_SEQ:
    case TRACUU_QNODE_OR:
    case TRACUU_QNODE_AND:
    case TRACUU_QNODE_NEAR:
        g_string_append_c(out, '(');
        if (n->kind == TRACUU_QNODE_NEAR)
            g_string_append_printf(out, "NEAR/%u ", n->distance);
        else if (n->kind != TRACUU_QNODE_SEQ)
            g_string_append(out, n->kind == TRACUU_QNODE_OR ? "OR " : "AND ");
        for (guint i = 0; i < n->children->len; i++) {
            if (i > 0)
                g_string_append_c(out, ' ');
            describe(out, g_ptr_array_index(n->children, i));
        }
        g_string_append_c(out, ')');
        break;
    }
}

char *
tracuu_qnode_describe(const tracuu_qnode *node)
{
    GString *out = g_string_new(NULL);
    if (node != NULL)
        describe(out, node);
    return g_string_free(out, FALSE);
}
