/* docnum.c - recognising Vietnamese document numbers (số ký hiệu) and their normal form. */
#include "tokenizer-private.h"

#include <string.h>

/*
 * Nghị định 30/2020/NĐ-CP (Phụ lục I, 3) writes a number as "Số/Ký hiệu": the number in Arabic
 * digits, a slash, then the abbreviations of the document type and the issuer joined by
 * hyphens, without spaces ("15/QĐ-BNV"); legal documents put the year between them
 * ("34/2008/CT-TTg", "01/2026/QH16"); Party documents put the type before the slash
 * ("64-TB/VPTW"). In practice people also write en dashes, spaces around the dash or slash,
 * a letter after the number ("36a/NQ-CP") and lowercase when typing a query.
 *
 * What is not a number: dates (3/12/2008), fractions (1/2), scores (7/10), "1/Ban": the part
 * after the slash must be a group of letters (with digits after the first letter), followed by
 * something that is not a letter.
 */

#define MAX_SPACES 3 /* spaces allowed around a slash or a dash */
#define MAX_GROUP 24 /* letters in one group of the ký hiệu */
#define MAX_GROUPS 24

typedef struct {
    const unsigned char *s;
    size_t len;
    tok_docnum *m;
    bool overflow;
    bool whole; /* the caller says the whole text is a number: lowercase is no doubt */
} builder;

static void
put_byte(builder *b, char c, char f)
{
    if (b->m->term_len + 1 > TRACUU_TOKENIZER_MAX_TERM) {
        b->overflow = true;
        return;
    }
    b->m->term[b->m->term_len++] = c;
    b->m->folded[b->m->folded_len++] = f;
}

/* Skips up to MAX_SPACES spaces (ASCII space, tab, no-break space) from @i. */
static size_t
skip_spaces(const unsigned char *s, size_t len, size_t i)
{
    for (int k = 0; k < MAX_SPACES && i < len; k++) {
        if (s[i] == ' ' || s[i] == '\t')
            i++;
        else if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0)
            i += 2;
        else
            break;
    }
    return i;
}

/* If a dash starts at @i, returns the offset past it, else @i. */
static size_t
skip_dash(const unsigned char *s, size_t len, size_t i)
{
    if (i >= len)
        return i;
    size_t next;
    uint32_t cp = tok_decode(s, len, i, &next);
    return tok_is_dash(cp) ? next : i;
}

/* If a slash (/, ∕, ／) starts at @i, returns the offset past it, else @i. */
static size_t
skip_slash(const unsigned char *s, size_t len, size_t i)
{
    if (i >= len)
        return i;
    size_t next;
    uint32_t cp = tok_decode(s, len, i, &next);
    return (cp == '/' || cp == 0x2215 || cp == 0xFF0F) ? next : i;
}

/* Whether the code point at @i continues a word (so that a group cannot end there). */
static bool
word_continues(const unsigned char *s, size_t len, size_t i)
{
    if (i >= len)
        return false;
    size_t next;
    uint32_t cp = tok_decode(s, len, i, &next);
    return tracuu_tok_class_of(cp) != TOK_SEP;
}

typedef struct {
    size_t end;
    int upper; /* letters in uppercase (Đ included) */
    int lower;
    bool first_upper;
} group;

/* Scans one group of the ký hiệu at @i: a letter, then letters and digits ("TTg", "QH15", "CĐN").
 */
static bool
scan_group(const unsigned char *s, size_t len, size_t i, group *g)
{
    memset(g, 0, sizeof *g);
    int n = 0;
    while (i < len && n <= MAX_GROUP) {
        unsigned c = s[i];
        if (c >= 'A' && c <= 'Z') {
            g->upper++;
            if (n == 0)
                g->first_upper = true;
            i++;
        } else if (c >= 'a' && c <= 'z') {
            g->lower++;
            i++;
        } else if (c == 0xC4 && i + 1 < len && (s[i + 1] == 0x90 || s[i + 1] == 0x91)) {
            if (s[i + 1] == 0x90) {
                g->upper++;
                if (n == 0)
                    g->first_upper = true;
            } else {
                g->lower++;
            }
            i += 2;
        } else if (c >= '0' && c <= '9' && n > 0) {
            i++;
        } else if (c == '&' && n > 0 && i + 1 < len &&
                   ((s[i + 1] >= 'A' && s[i + 1] <= 'Z') ||
                    (s[i + 1] == 0xC4 && i + 2 < len && s[i + 2] == 0x90))) {
            i++; /* "BGD&ĐT", "SNN&PTNT": local offices abbreviate "và" so */
        } else {
            break;
        }
        n++;
    }
    if (n == 0 || n > MAX_GROUP || word_continues(s, len, i))
        return false;
    g->end = i;
    return true;
}

static bool
group_is_upper(const group *g)
{
    return g->first_upper && g->upper >= g->lower;
}

/* Appends the group [from, to) lowercased: Đ/đ as "đ" in the term and "d" in the folded form. */
static void
put_group(builder *b, size_t from, size_t to)
{
    const unsigned char *s = b->s;
    for (size_t i = from; i < to; i++) {
        unsigned c = s[i];
        if (c == 0xC4) {
            if (b->m->term_len + 2 > TRACUU_TOKENIZER_MAX_TERM) {
                b->overflow = true;
                return;
            }
            b->m->term[b->m->term_len++] = (char)0xC4;
            b->m->term[b->m->term_len++] = (char)0x91;
            b->m->folded[b->m->folded_len++] = 'd';
            i++;
        } else {
            char l = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
            put_byte(b, l, l);
        }
    }
}

/* Scans digits at @i; returns how many (0 if none). */
static size_t
scan_digits(const unsigned char *s, size_t len, size_t i)
{
    size_t k = 0;
    while (i + k < len && s[i + k] >= '0' && s[i + k] <= '9')
        k++;
    return k;
}

/*
 * Scans the ký hiệu (groups joined by dashes) at @i and appends it. @strict: the first group
 * must be in capitals (it follows spaces). @structured: the form already shows a number (a
 * year, a colon, a dash before the slash), so one lowercase group is enough; otherwise a
 * lowercase ký hiệu needs two groups ("qđ-ttg"), as "5/kg" is no number.
 * Returns the end offset, or 0 if there is no valid ký hiệu.
 */
static size_t
scan_code(builder *b, size_t i, bool strict, bool structured)
{
    const unsigned char *s = b->s;
    size_t len = b->len;
    group g;
    if (!scan_group(s, len, i, &g))
        return 0;
    bool upper = group_is_upper(&g);
    if (!upper && ((strict && !b->whole) || g.upper > 0))
        return 0;
    size_t save_t = b->m->term_len, save_f = b->m->folded_len;
    put_group(b, i, g.end);
    size_t end = g.end;
    int groups = 1;
    for (;;) {
        size_t j = skip_spaces(s, len, end);
        bool spaced = j != end;
        size_t d = skip_dash(s, len, j);
        if (d == j)
            break;
        size_t k = skip_spaces(s, len, d);
        spaced = spaced || k != d;
        group h;
        if (!scan_group(s, len, k, &h))
            break;
        /* Across spaces only an uppercase group joins ("CT - TTg", not "CP - Về việc"). */
        if (spaced && !b->whole ? !group_is_upper(&h) : !(group_is_upper(&h) || h.upper == 0))
            break;
        put_byte(b, '-', '-');
        put_group(b, k, h.end);
        end = h.end;
        groups++;
    }
    /* A chain longer than any real ký hiệu is something else; its words are still tokens. */
    if (groups > MAX_GROUPS || (!upper && !structured && !b->whole && groups < 2)) {
        b->m->term_len = save_t;
        b->m->folded_len = save_f;
        return 0;
    }
    return end;
}

bool
tracuu_tok_docnum_match(const unsigned char *s, size_t len, size_t i, bool whole, tok_docnum *m)
{
    builder b = {s, len, m, false, whole};
    m->term_len = m->folded_len = 0;

    size_t nd = scan_digits(s, len, i);
    if (nd == 0 || nd > 6)
        return false;
    size_t p = i + nd;
    /* A letter right after the number ("36a/NQ-CP"). */
    size_t num_end = p;
    if (p < len && ((s[p] >= 'a' && s[p] <= 'z') || (s[p] >= 'A' && s[p] <= 'Z')))
        num_end = p + 1;
    for (size_t k = i; k < num_end; k++)
        put_byte(&b, (char)g_ascii_tolower(s[k]), (char)g_ascii_tolower(s[k]));

    /* "QCVN 01:2025/BTNMT": a technical standard, number, colon, year, slash, issuer. */
    if (num_end == p && p + 6 < len && s[p] == ':' && scan_digits(s, len, p + 1) == 4 &&
        s[p + 5] == '/') {
        put_byte(&b, ':', ':');
        for (size_t q = p + 1; q < p + 5; q++)
            put_byte(&b, (char)s[q], (char)s[q]);
        put_byte(&b, '/', '/');
        size_t end = scan_code(&b, p + 6, false, true);
        if (!end || b.overflow)
            return false;
        m->end = end;
        goto done;
    }

    /* "64-TB/VPTW": number, dash, type, slash, issuer. */
    size_t d = skip_dash(s, len, num_end);
    if (d != num_end) {
        group g;
        if (scan_group(s, len, d, &g) && (group_is_upper(&g) || g.upper == 0)) {
            size_t sl = skip_slash(s, len, g.end);
            if (sl != g.end) {
                size_t save = m->term_len;
                put_byte(&b, '-', '-');
                put_group(&b, d, g.end);
                put_byte(&b, '/', '/');
                size_t end = scan_code(&b, sl, false, true);
                if (end && !b.overflow) {
                    m->end = end;
                    goto done;
                }
                m->term_len = m->folded_len = save;
            }
        }
        return false;
    }

    size_t j = skip_spaces(s, len, num_end);
    bool spaced = j != num_end;
    size_t sl = skip_slash(s, len, j);
    if (sl == j)
        return false;
    put_byte(&b, '/', '/');
    size_t k = skip_spaces(s, len, sl);
    spaced = spaced || k != sl;

    /* The year: four digits, then a slash. */
    bool has_year = false;
    size_t ny = scan_digits(s, len, k);
    if (ny == 4) {
        size_t y2 = skip_spaces(s, len, k + 4);
        size_t sl2 = skip_slash(s, len, y2);
        if (sl2 != y2) {
            for (size_t q = k; q < k + 4; q++)
                put_byte(&b, (char)s[q], (char)s[q]);
            put_byte(&b, '/', '/');
            has_year = true;
            k = skip_spaces(s, len, sl2);
        }
    }
    size_t end = scan_code(&b, k, spaced, has_year);
    if (!end || b.overflow)
        return false;
    m->end = end;
done:
    m->term[m->term_len] = '\0';
    m->folded[m->folded_len] = '\0';
    return true;
}

gboolean
tracuu_docnum_normalize(const char *text, gssize len, char **term, char **folded)
{
    if (term)
        *term = NULL;
    if (folded)
        *folded = NULL;
    if (!text || !tracuu_tok_tables_init())
        return FALSE;
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    const unsigned char *s = (const unsigned char *)text;
    size_t a = 0, z = n;
    while (a < z && g_ascii_isspace(s[a]))
        a++;
    while (z > a && g_ascii_isspace(s[z - 1]))
        z--;
    tok_docnum m;
    /* Matching on the trimmed slice: the number must fill it, nothing before or after. */
    if (a == z || !tracuu_tok_docnum_match(s + a, z - a, 0, true, &m) || m.end != z - a)
        return FALSE;
    if (term)
        *term = g_strndup(m.term, m.term_len);
    if (folded)
        *folded = g_strndup(m.folded, m.folded_len);
    return TRUE;
}
