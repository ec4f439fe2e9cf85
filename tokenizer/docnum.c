/* docnum.c - recognising Vietnamese document numbers (số ký hiệu) and their normal form. */
#include "tokenizer-private.h"

#include <string.h>

/*
 * Nghị định 30/2020/NĐ-CP (Phụ lục I, 3) writes a number as "Số/Ký hiệu": the number in Arabic
 * digits, a slash, then the abbreviations of the document type and the issuer joined by
 * hyphens, without spaces ("15/QĐ-BNV"); legal documents put the year between them
 * ("34/2008/CT-TTg", "01/2026/QH16"); Party documents put the type before the slash
 * ("64-TB/VPTW"). In practice people also write en dashes, spaces around the dash or slash,
 * dashes for every separator ("34-2008-CT-TTg"), a letter after the number ("36a/NQ-CP"),
 * full-width forms or a Cyrillic letter for a Latin one (pasted from portals), and lowercase
 * when typing a query.
 *
 * What is not a number: dates (3/12/2008), fractions (1/2), scores (7/10), "1/Ban": the part
 * after the slash must be a group of letters (with digits after the first letter), followed by
 * something that is not a letter.
 */

#define MAX_SPACES 3 /* spaces allowed around a slash or a dash */
#define MAX_GROUP 24 /* letters in one group of the ký hiệu */
#define MAX_GROUPS 24

/*
 * The text is read through tok_docnum_at(): every dash is '-', every slash '/', full-width
 * forms are ASCII and Cyrillic or Greek look-alikes are the Latin letters they look like. A
 * number must still have a Latin letter of its own: look-alikes only mend a Latin number, so
 * Russian or Greek text ("5/ТС-ВК") is never read as one.
 */
typedef struct {
    const unsigned char *s;
    size_t len;
    tok_docnum *m;
    bool overflow;
    bool whole;    /* the caller says the whole text is a number: lowercase is no doubt */
    int latin;     /* letters of the number in the Latin script */
    int lookalike; /* letters read as the Latin letters they look like */
} builder;

/* The code point at @i as the scanner reads it (see above). */
static inline uint32_t
char_at(const unsigned char *s, size_t len, size_t i, size_t *next)
{
    bool lookalike;
    return tok_docnum_at(s, len, i, next, &lookalike);
}

static bool
is_upper(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || c == TOK_DN_D_UPPER;
}

static bool
is_lower(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || c == TOK_DN_D_LOWER;
}

static bool
is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

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

/* Skips up to MAX_SPACES spaces (a space, a tab, a no-break or other Unicode space) from @i. */
static size_t
skip_spaces(const unsigned char *s, size_t len, size_t i)
{
    for (int k = 0; k < MAX_SPACES && i < len; k++) {
        size_t next;
        uint32_t c = char_at(s, len, i, &next);
        if (c != ' ' && c != '\t')
            break;
        i = next;
    }
    return i;
}

/* If the code point at @i reads as @want ('-' for any dash, '/' for any slash), returns the
 * offset past it, else @i. */
static size_t
skip_char(const unsigned char *s, size_t len, size_t i, uint32_t want)
{
    if (i >= len)
        return i;
    size_t next;
    return char_at(s, len, i, &next) == want ? next : i;
}

static size_t
skip_dash(const unsigned char *s, size_t len, size_t i)
{
    return skip_char(s, len, i, '-');
}

static size_t
skip_slash(const unsigned char *s, size_t len, size_t i)
{
    return skip_char(s, len, i, '/');
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
    int n;                   /* characters of the group */
    char low[MAX_GROUP + 1]; /* the group in lowercase, đ as 'D' (for looks_abbreviated) */
} group;

/* Scans one group of the ký hiệu at @i: a letter, then letters and digits ("TTg", "QH15", "CĐN").
 */
static bool
scan_group(const unsigned char *s, size_t len, size_t i, group *g)
{
    memset(g, 0, sizeof *g);
    int n = 0;
    while (i < len && n <= MAX_GROUP) {
        size_t next;
        uint32_t c = char_at(s, len, i, &next);
        if (is_upper(c)) {
            g->upper++;
            if (n == 0)
                g->first_upper = true;
        } else if (is_lower(c)) {
            g->lower++;
        } else if (is_digit(c) && n > 0) {
            /* "QH15": digits after the first letter */
        } else if (c == '&' && n > 0 && next < len) {
            /* "BGD&ĐT", "SNN&PTNT": local offices abbreviate "và" so */
            size_t after;
            if (!is_upper(char_at(s, len, next, &after)))
                break;
        } else {
            break;
        }
        if (n < MAX_GROUP) {
            if (c == TOK_DN_D_UPPER || c == TOK_DN_D_LOWER)
                g->low[n] = 'D';
            else
                g->low[n] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        }
        i = next;
        n++;
    }
    if (n == 0 || n > MAX_GROUP || word_continues(s, len, i))
        return false;
    g->n = n;
    g->end = i;
    return true;
}

static bool
group_is_upper(const group *g)
{
    return g->first_upper && g->upper >= g->lower;
}

static bool
in_list(const char *s, size_t n, const char *const *list, size_t count)
{
    for (size_t k = 0; k < count; k++)
        if (strlen(list[k]) == n && memcmp(list[k], s, n) == 0)
            return true;
    return false;
}

/*
 * Whether a group in lowercase looks like the abbreviation of a ký hiệu ("ttg", "ubnd", "qh15")
 * rather than a word: it has at most one vowel letter and cannot be read as a Vietnamese
 * syllable written without its diacritics ("ha", "ca", "ban" can; "byt" cannot, as a y alone
 * takes no final consonant). Used where the text gives weak evidence of a number: a group in
 * lowercase after a spaced dash ("34/2008/ct - ttg", but "34/2008/ct - ha noi"), or a dash where
 * the slash belongs ("1115-qđ-ttg", but "5-nam-qua", "3-way-handshake").
 */
static bool
looks_abbreviated(const group *g)
{
    static const char *const onsets[] = {"",   "b",  "c", "ch", "d",  "D",  "g",   "gh", "h",
                                         "k",  "kh", "l", "m",  "n",  "ng", "ngh", "nh", "p",
                                         "ph", "r",  "s", "t",  "th", "tr", "v",   "x"};
    static const char *const codas[] = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"};
    int vowels = 0, at = -1;
    bool letters = true;
    for (int k = 0; k < g->n; k++) {
        char c = g->low[k];
        if (strchr("aeiouy", c)) {
            vowels++;
            at = k;
        } else if (!((c >= 'a' && c <= 'z') || c == 'D')) {
            letters = false; /* digits or "&": no syllable */
        }
    }
    if (vowels > 1)
        return false;
    if (vowels == 0 || !letters)
        return true;
    size_t coda = (size_t)(g->n - at - 1);
    if (g->low[at] == 'y' && coda > 0)
        return true;
    return !(in_list(g->low, (size_t)at, onsets, G_N_ELEMENTS(onsets)) &&
             in_list(g->low + at + 1, coda, codas, G_N_ELEMENTS(codas)));
}

/* Appends [from, to) lowercased: Đ/đ as "đ" in the term and "d" in the folded form; counts its
 * letters as Latin or look-alike. */
static void
put_text(builder *b, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        size_t next;
        bool lookalike;
        uint32_t c = tok_docnum_at(b->s, b->len, i, &next, &lookalike);
        i = next;
        if (is_upper(c) || is_lower(c)) {
            if (lookalike)
                b->lookalike++;
            else
                b->latin++;
        }
        if (c == TOK_DN_D_UPPER || c == TOK_DN_D_LOWER) {
            if (b->m->term_len + 2 > TRACUU_TOKENIZER_MAX_TERM) {
                b->overflow = true;
                return;
            }
            b->m->term[b->m->term_len++] = (char)0xC4;
            b->m->term[b->m->term_len++] = (char)0x91;
            b->m->folded[b->m->folded_len++] = 'd';
        } else {
            char l = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
            put_byte(b, l, l);
        }
    }
}

/* Scans digits at @i; returns how many (0 if none) and sets *@end past them. */
static size_t
scan_digits(const unsigned char *s, size_t len, size_t i, size_t *end)
{
    size_t k = 0, next;
    while (i < len && is_digit(char_at(s, len, i, &next))) {
        i = next;
        k++;
    }
    *end = i;
    return k;
}

enum {
    CODE_STRICT = 1 << 0,     /* the first group follows spaces: it must be in capitals */
    CODE_STRUCTURED = 1 << 1, /* the form already shows a number (a year, a colon, a dash
                                 before the slash): one lowercase group is enough */
    CODE_DASHED = 1 << 2,     /* a dash stands where the slash belongs ("1115-QĐ-TTg") */
};

/*
 * Scans the ký hiệu (groups joined by dashes) at @i and appends it. Without CODE_STRUCTURED, a
 * lowercase ký hiệu needs two groups ("qđ-ttg"), as "5/kg" is no number; with CODE_DASHED it
 * needs two groups, or one of three capitals ("164-HĐTVĐX"), as "5-A" and "3-TK" are none.
 * Returns the end offset, or 0 if there is no valid ký hiệu.
 */
static size_t
scan_code(builder *b, size_t i, unsigned flags)
{
    const unsigned char *s = b->s;
    size_t len = b->len;
    bool dashed = flags & CODE_DASHED;
    group g;
    if (!scan_group(s, len, i, &g))
        return 0;
    bool upper = group_is_upper(&g);
    if (!upper && (g.upper > 0 ||
                   (!b->whole && ((flags & CODE_STRICT) || (dashed && !looks_abbreviated(&g))))))
        return 0;
    size_t save_t = b->m->term_len, save_f = b->m->folded_len;
    int save_latin = b->latin, save_lookalike = b->lookalike;
    put_text(b, i, g.end);
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
        bool join;
        if (b->whole || (!spaced && upper))
            join = group_is_upper(&h) || h.upper == 0;
        else if (upper)
            join = group_is_upper(&h); /* "CT - TTg", not "CP - Về việc" */
        else /* typed in lowercase: across spaces, "ct - ttg" but not "ct - ha noi" */
            join = group_is_upper(&h) ||
                   (h.upper == 0 && (!(spaced || dashed) || looks_abbreviated(&h)));
        if (!join)
            break;
        put_byte(b, '-', '-');
        put_text(b, k, h.end);
        end = h.end;
        groups++;
    }
    bool enough = upper || (flags & CODE_STRUCTURED) || b->whole || groups >= 2;
    if (dashed && groups < 2 && g.upper + g.lower < 3)
        enough = false;
    if (dashed && groups < 2 && !b->whole && !(upper && g.upper >= 3))
        enough = false;
    /* A chain longer than any real ký hiệu is something else; its words are still tokens. */
    if (groups > MAX_GROUPS || !enough) {
        b->m->term_len = save_t;
        b->m->folded_len = save_f;
        b->latin = save_latin;
        b->lookalike = save_lookalike;
        return 0;
    }
    return end;
}

bool
tracuu_tok_docnum_match(const unsigned char *s, size_t len, size_t i, bool whole, tok_docnum *m)
{
    builder b = {s, len, m, false, whole, 0, 0};
    m->term_len = m->folded_len = 0;

    size_t p;
    size_t nd = scan_digits(s, len, i, &p);
    if (nd == 0 || nd > 6)
        return false;
    put_text(&b, i, p);
    /* A letter right after the number ("36a/NQ-CP"). */
    size_t num_end = p, next = p;
    uint32_t c = p < len ? char_at(s, len, p, &next) : 0;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        put_text(&b, p, next);
        num_end = next;
    }
    size_t end;

    /* "QCVN 01:2025/BTNMT": a technical standard, number, colon, year, slash, issuer. */
    if (num_end == p && c == ':') {
        size_t ye, sl;
        if (scan_digits(s, len, next, &ye) == 4 && (sl = skip_slash(s, len, ye)) != ye) {
            put_byte(&b, ':', ':');
            put_text(&b, next, ye);
            put_byte(&b, '/', '/');
            end = scan_code(&b, sl, CODE_STRUCTURED);
            goto out;
        }
    }

    size_t d = skip_dash(s, len, num_end);
    if (d != num_end) {
        /* "34-2008-CT-TTg": every separator a dash, the year between them. */
        size_t ye;
        if (scan_digits(s, len, d, &ye) == 4) {
            size_t d2 = skip_dash(s, len, ye);
            if (d2 == ye)
                return false;
            put_byte(&b, '/', '/');
            put_text(&b, d, ye);
            put_byte(&b, '/', '/');
            end = scan_code(&b, d2, CODE_STRUCTURED);
            goto out;
        }
        group g;
        if (!scan_group(s, len, d, &g))
            return false;
        size_t sl = skip_slash(s, len, g.end);
        if (sl != g.end) {
            /* "64-TB/VPTW": number, dash, type, slash, issuer. */
            if (!group_is_upper(&g) && g.upper != 0)
                return false;
            put_byte(&b, '-', '-');
            put_text(&b, d, g.end);
            put_byte(&b, '/', '/');
            end = scan_code(&b, sl, CODE_STRUCTURED);
            goto out;
        }
        /* "1115-QĐ-TTg": a dash where the slash belongs. */
        put_byte(&b, '/', '/');
        end = scan_code(&b, d, CODE_DASHED);
        goto out;
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
    size_t ye;
    if (scan_digits(s, len, k, &ye) == 4) {
        size_t y2 = skip_spaces(s, len, ye);
        size_t sl2 = skip_slash(s, len, y2);
        if (sl2 != y2) {
            put_text(&b, k, ye);
            put_byte(&b, '/', '/');
            has_year = true;
            k = skip_spaces(s, len, sl2);
        }
    }
    end = scan_code(&b, k, (spaced ? CODE_STRICT : 0) | (has_year ? CODE_STRUCTURED : 0));
out:
    /* Look-alike letters mend a Latin number; a number of them alone is another script. */
    if (!end || b.overflow || (b.lookalike > 0 && b.latin == 0))
        return false;
    m->end = end;
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
