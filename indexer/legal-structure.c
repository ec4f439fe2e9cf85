/* legal-structure.c - finds Phần, Chương, Mục, Điều, Khoản, Điểm in a legal text. */
#include "tracuu-legal-structure.h"

#include <string.h>

/* Bounds against hostile input: a heading or title is at most this many bytes and lines. */
#define MAX_TITLE_BYTES 600
#define MAX_TITLE_LINES 4
#define MAX_NUMBER_BYTES 16

/* One line of the text: [start, end) without its line break, the content trimmed of leading
   and trailing blanks as [cs, ce), valid UTF-8 up to ce. */
typedef struct {
    gsize start, end;
    gsize cs, ce;
} line;

typedef struct {
    const char *text;
    gsize len;
    GArray *lines; /* of line */
    GArray *units; /* of tracuu_legal_unit */
    gboolean truncated;
    int open[TRACUU_LEGAL_POINT + 1]; /* index of the open unit per level, -1 */
    gsize last_content_end;
    guint block;            /* see tracuu_legal_unit.block */
    guint last_article_num; /* the last article's number, for a restart */
    char last_article_letter;
    gboolean any_article;
} parser;

static gboolean
is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Splits the text into lines, each trimmed, each cut at its first invalid UTF-8 byte. */
static void
split_lines(parser *p)
{
    gsize i = 0;
    while (i < p->len) {
        gsize s = i;
        while (i < p->len && p->text[i] != '\n')
            i++;
        line l = {.start = s, .end = i};
        const char *valid_end = NULL;
        g_utf8_validate_len(p->text + s, i - s, &valid_end);
        gsize ve = (gsize)(valid_end - p->text);
        gsize cs = s, ce = ve;
        /* Blanks, and the no-break space (C2 A0) that PDF text is full of. */
        for (;;) {
            if (cs < ce && is_blank((unsigned char)p->text[cs]))
                cs++;
            else if (cs + 1 < ce && (unsigned char)p->text[cs] == 0xC2 &&
                     (unsigned char)p->text[cs + 1] == 0xA0)
                cs += 2;
            else
                break;
        }
        for (;;) {
            if (ce > cs && is_blank((unsigned char)p->text[ce - 1]))
                ce--;
            else if (ce >= cs + 2 && (unsigned char)p->text[ce - 2] == 0xC2 &&
                     (unsigned char)p->text[ce - 1] == 0xA0)
                ce -= 2;
            else
                break;
        }
        l.cs = cs;
        l.ce = ce;
        g_array_append_val(p->lines, l);
        if (i < p->len)
            i++;
    }
}

static gboolean
line_is_empty(const line *l)
{
    return l->cs >= l->ce;
}

/* A page number alone on its line ("12", "- 12 -", "Trang 3"), which PDF text puts between
   a heading and its continuation. */
static gboolean
line_is_page_number(const parser *p, const line *l)
{
    const char *s = p->text + l->cs;
    gsize n = l->ce - l->cs, digits = 0;
    if (n >= 6 && g_ascii_strncasecmp(s, "Trang ", 6) == 0) {
        s += 6;
        n -= 6;
    }
    for (gsize i = 0; i < n; i++) {
        if (g_ascii_isdigit(s[i]))
            digits++;
        else if (s[i] != '-' && s[i] != ' ' && s[i] != '/')
            return FALSE;
    }
    return digits > 0 && digits <= 4;
}

/* If [s, e) starts with one of @words (followed by a non-letter), returns the byte after it. */
static const char *
skip_word(const char *s, const char *e, const char *const *words)
{
    for (; *words; words++) {
        gsize n = strlen(*words);
        if ((gsize)(e - s) >= n && memcmp(s, *words, n) == 0) {
            const char *after = s + n;
            if (after == e)
                return after;
            gunichar c = g_utf8_get_char(after);
            if (!g_unichar_isalpha(c))
                return after;
        }
    }
    return NULL;
}

static gboolean
is_nbsp(const char *p, const char *e)
{
    return e - p >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0;
}

/* Skips blanks and no-break spaces. */
static const char *
skip_blanks(const char *s, const char *e)
{
    for (;;) {
        if (s < e && is_blank((unsigned char)*s))
            s++;
        else if (is_nbsp(s, e))
            s += 2;
        else
            return s;
    }
}

/* A word made only of Roman numeral letters, upper case: "II", "XIV". */
static const char *
skip_roman(const char *s, const char *e)
{
    const char *p = s;
    while (p < e && p - s < 8 && strchr("IVXLC", *p) && *p)
        p++;
    if (p == s || (p < e && g_ascii_isalnum(*p)))
        return NULL;
    return p;
}

static const char *
skip_digits(const char *s, const char *e, int max)
{
    const char *p = s;
    while (p < e && p - s < max && g_ascii_isdigit(*p))
        p++;
    if (p == s || (p < e && g_ascii_isdigit(*p)))
        return NULL;
    return p;
}

/* Whether [s, e) holds no lower case letter: a title in capitals. */
static gboolean
is_upper_text(const char *s, const char *e)
{
    gboolean letter = FALSE;
    for (const char *p = s; p < e; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_islower(c))
            return FALSE;
        if (g_unichar_isalpha(c))
            letter = TRUE;
    }
    return letter;
}

static gboolean
starts_lower(const char *s, const char *e)
{
    return s < e && g_unichar_islower(g_utf8_get_char(s));
}

/* Opening quotes of an amending text's quoted provisions. */
static const char *
skip_open_quote(const char *s, const char *e)
{
    static const char *const quotes[] = {
        "\xE2\x80\x9C", "\xE2\x80\x98", "\"", "'", "\xC2\xAB", NULL};
    for (const char *const *q = quotes; *q; q++) {
        gsize n = strlen(*q);
        if ((gsize)(e - s) >= n && memcmp(s, *q, n) == 0)
            return s + n;
    }
    return NULL;
}

/* Whether a quote opened at the start of [s, e) is still open at its end. Curly quotes pair
   “ with ”; a straight quote toggles. */
static gboolean
quote_left_open(const char *s, const char *e)
{
    int depth = 0, straight = 0;
    for (const char *p = s; p < e; p++) {
        if (e - p >= 3 && memcmp(p, "\xE2\x80\x9C", 3) == 0)
            depth++;
        else if (e - p >= 3 && memcmp(p, "\xE2\x80\x9D", 3) == 0)
            depth = depth > 0 ? depth - 1 : 0;
        else if (e - p >= 2 && memcmp(p, "\xC2\xAB", 2) == 0)
            depth++;
        else if (e - p >= 2 && memcmp(p, "\xC2\xBB", 2) == 0)
            depth = depth > 0 ? depth - 1 : 0;
        else if (*p == '"')
            straight ^= 1;
    }
    return depth > 0 || straight;
}

static gboolean
closes_quote(const char *s, const char *e)
{
    for (const char *p = s; p < e; p++)
        if ((e - p >= 3 && memcmp(p, "\xE2\x80\x9D", 3) == 0) ||
            (e - p >= 2 && memcmp(p, "\xC2\xBB", 2) == 0) || *p == '"')
            return TRUE;
    return FALSE;
}

/* Appends [s, e) to @out with runs of blanks and control characters made one space. */
static void
append_clean(GString *out, const char *s, const char *e)
{
    gboolean space = out->len > 0;
    for (const char *p = s; p < e && out->len < MAX_TITLE_BYTES;) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == ' ' || is_nbsp(p, e)) {
            space = out->len > 0;
            p += c == 0xC2 ? 2 : 1;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (next > e || out->len + (gsize)(next - p) + (space ? 1 : 0) > MAX_TITLE_BYTES)
            break;
        if (space) {
            g_string_append_c(out, ' ');
            space = FALSE;
        }
        g_string_append_len(out, p, next - p);
        p = next;
    }
    /* A cut at MAX_TITLE_BYTES falls between characters, so the string stays valid. */
    while (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
}

static gboolean structural_line(const parser *p, gsize li);

/* The next line after @li that is neither empty nor a page number, or G_MAXSIZE. */
static gsize
next_content_line(const parser *p, gsize li)
{
    for (gsize j = li + 1; j < p->lines->len; j++) {
        const line *l = &g_array_index(p->lines, line, j);
        if (!line_is_empty(l) && !line_is_page_number(p, l))
            return j;
    }
    return G_MAXSIZE;
}

/* Closes the open units of @level and deeper at the end of the last content seen. */
static void
close_from(parser *p, tracuu_legal_level level)
{
    for (int lv = TRACUU_LEGAL_POINT; lv >= (int)level; lv--) {
        if (p->open[lv] >= 0) {
            tracuu_legal_unit *u = &g_array_index(p->units, tracuu_legal_unit, p->open[lv]);
            u->end = MAX(p->last_content_end, u->start);
            p->open[lv] = -1;
        }
    }
}

static void
add_unit(parser *p, tracuu_legal_level level, const char *num, gsize num_len, char *title,
         gsize start)
{
    close_from(p, level);
    if (p->units->len >= TRACUU_LEGAL_MAX_UNITS) {
        p->truncated = TRUE;
        g_free(title);
        return;
    }
    tracuu_legal_unit u = {.level = level, .start = start, .end = start, .parent = -1};
    /* Cut between characters: an ordinal word of a part may be long and not ASCII. */
    gsize n = MIN(num_len, MAX_NUMBER_BYTES);
    while (n > 0 && !g_utf8_validate_len(num, n, NULL))
        n--;
    u.number = g_strndup(num, n);
    u.title = title;
    if (level == TRACUU_LEGAL_ARTICLE) {
        /* "12" < "12a" < "13": a number that does not go up starts an attached text. */
        guint value = (guint)g_ascii_strtoull(u.number, NULL, 10);
        char letter =
            g_ascii_islower(u.number[strlen(u.number) - 1]) ? u.number[strlen(u.number) - 1] : 0;
        if (p->any_article && (value < p->last_article_num ||
                               (value == p->last_article_num && letter <= p->last_article_letter)))
            p->block++;
        p->any_article = TRUE;
        p->last_article_num = value;
        p->last_article_letter = letter;
    }
    u.block = p->block;
    for (int lv = (int)level - 1; lv >= 0; lv--)
        if (p->open[lv] >= 0) {
            u.parent = p->open[lv];
            break;
        }
    g_array_append_val(p->units, u);
    p->open[level] = (int)p->units->len - 1;
}

/* The heading after an article's marker: the rest of the line, with following lines joined
   while the heading plainly goes on (a PDF line break: the next line starts in lower case).
   Returns the index of the last line used. */
static gsize
read_heading(const parser *p, gsize li, const char *rest, GString *out)
{
    const line *l = &g_array_index(p->lines, line, li);
    const char *e = p->text + l->ce;
    append_clean(out, rest, e);
    gsize last = li;
    for (int n = 1; n < MAX_TITLE_LINES && out->len > 0; n++) {
        char end = out->str[out->len - 1];
        if (end == '.' || end == ':' || end == ';')
            break;
        gsize j = next_content_line(p, last);
        if (j == G_MAXSIZE || structural_line(p, j))
            break;
        const line *nl = &g_array_index(p->lines, line, j);
        if (!starts_lower(p->text + nl->cs, p->text + nl->ce))
            break;
        append_clean(out, p->text + nl->cs, p->text + nl->ce);
        last = j;
    }
    return last;
}

/* The title of a part, chapter or section: the rest of its line, or else the next line(s);
   lines in capitals go on while the next line is in capitals too. Returns the last line used. */
static gsize
read_title(const parser *p, gsize li, const char *rest, GString *out)
{
    const line *l = &g_array_index(p->lines, line, li);
    const char *e = p->text + l->ce;
    while (rest < e && strchr(".:-", *rest) && *rest)
        rest = skip_blanks(rest + 1, e);
    append_clean(out, rest, e);
    gsize last = li;
    for (int n = 0; n < MAX_TITLE_LINES; n++) {
        gsize j = next_content_line(p, last);
        if (j == G_MAXSIZE || structural_line(p, j))
            break;
        const line *nl = &g_array_index(p->lines, line, j);
        const char *s = p->text + nl->cs, *ne = p->text + nl->ce;
        gboolean go_on =
            out->len == 0 || (is_upper_text(out->str, out->str + out->len) && is_upper_text(s, ne));
        if (!go_on)
            break;
        append_clean(out, s, ne);
        last = j;
    }
    return last;
}

/* Lines after which the provisions are over: the signature block and the annexes. */
static const char *const end_words[] = {"Nơi nhận", "NƠI NHẬN", "PHỤ LỤC", "MẪU SỐ", NULL};
/* These only when the line holds little else ("Phụ lục II"), not "Phụ lục kèm theo ...". */
static const char *const short_end_words[] = {"Phụ lục", "Mẫu số", NULL};

static gboolean
ends_provisions(const char *s, const char *e)
{
    const char *w = skip_word(s, e, short_end_words);
    return skip_word(s, e, end_words) || (w && e - w <= 12);
}

static const char *const article_words[] = {"Điều", "ĐIỀU", "Ðiều", "ÐIỀU", "điều", NULL};
static const char *const chapter_words[] = {"Chương", "CHƯƠNG", NULL};
static const char *const part_words[] = {"Phần", "PHẦN", NULL};
static const char *const section_words[] = {"Mục", "MỤC", NULL};

/* "Điều 12." / "Điều 12a:" at [s, e): sets the number and returns the byte after the mark. */
static const char *
match_article(const char *s, const char *e, const char **num, gsize *num_len)
{
    const char *p = skip_word(s, e, article_words);
    if (!p)
        return NULL;
    p = skip_blanks(p, e);
    const char *d = skip_digits(p, e, 4);
    if (!d)
        return NULL;
    /* "Điều 12a.": digits then at most one letter. */
    const char *n_end = d;
    if (n_end < e && g_ascii_islower(*n_end) && (n_end + 1 == e || !g_ascii_isalnum(n_end[1])))
        n_end++;
    if (n_end < e && *n_end != '.' && *n_end != ':')
        return NULL;
    *num = p;
    *num_len = (gsize)(n_end - p);
    return n_end < e ? skip_blanks(n_end + 1, e) : e;
}

/* "Chương II", "Phần thứ nhất", "Mục 2" at [s, e), nothing but a title after it. */
static const char *
match_division(const char *s, const char *e, const char *const *words, gboolean ordinal,
               const char **num, gsize *num_len)
{
    const char *p = skip_word(s, e, words);
    if (!p)
        return NULL;
    p = skip_blanks(p, e);
    const char *d = skip_roman(p, e);
    if (!d)
        d = skip_digits(p, e, 3);
    if (!d && ordinal) {
        static const char *const ordinals[] = {"thứ", "THỨ", NULL};
        const char *w = skip_word(p, e, ordinals);
        if (w) {
            w = skip_blanks(w, e);
            d = w;
            while (d < e && !is_blank((unsigned char)*d) && *d != '.' && *d != ':')
                d = g_utf8_next_char(d);
            if (d == w)
                d = NULL;
        }
    }
    if (!d)
        return NULL;
    const char *rest = skip_blanks(d, e);
    /* "Chương II của Luật này": a reference, not a heading. */
    if (rest < e && !strchr(".:-", *rest) && !is_upper_text(rest, e))
        return NULL;
    *num = p;
    *num_len = (gsize)(d - p);
    return rest;
}

/* Whether line @li opens an article, chapter, part or section (for the end of a title). */
static gboolean
structural_line(const parser *p, gsize li)
{
    const line *l = &g_array_index(p->lines, line, li);
    const char *s = p->text + l->cs, *e = p->text + l->ce, *num;
    gsize n;
    return match_article(s, e, &num, &n) || match_division(s, e, chapter_words, FALSE, &num, &n) ||
           match_division(s, e, part_words, TRUE, &num, &n) ||
           match_division(s, e, section_words, FALSE, &num, &n);
}

/* Whether the last content line before @li ends so that a line starting "Điều 5." goes on the
   same sentence: "... quy định tại" / "Điều 5." is a reference broken by a line end. */
static gboolean
continues_sentence(const parser *p, gsize li)
{
    for (gsize j = li; j-- > 0;) {
        const line *l = &g_array_index(p->lines, line, j);
        if (line_is_empty(l) || line_is_page_number(p, l))
            continue;
        const char *s = p->text + l->cs, *e = p->text + l->ce;
        /* Not a comma alone: vbpl texts end a clause with "," before the next article. */
        const char *w = e;
        while (w > s && !is_blank((unsigned char)w[-1]))
            w--;
        static const char *const linking[] = {"tại", "theo", "của", "và",  "hoặc", "với",
                                              "các", "từ",   "đến", "như", NULL};
        for (const char *const *k = linking; *k; k++)
            if ((gsize)(e - w) == strlen(*k) && memcmp(w, *k, (gsize)(e - w)) == 0)
                return TRUE;
        return FALSE;
    }
    return FALSE;
}

/* Khoản "1. ..." or điểm "a) ..." at [s, e). */
static gboolean
match_clause(const char *s, const char *e, const char **num, gsize *num_len)
{
    const char *d = skip_digits(s, e, 3);
    if (!d || d >= e || *d != '.' || (d + 1 < e && !is_blank((unsigned char)d[1])))
        return FALSE;
    *num = s;
    *num_len = (gsize)(d - s);
    return TRUE;
}

static gboolean
match_point(const char *s, const char *e, const char **num, gsize *num_len)
{
    const char *p = s;
    if (p < e && g_ascii_islower(*p))
        p++;
    else if (e - p >= 2 && memcmp(p, "đ", 2) == 0)
        p += 2;
    else
        return FALSE;
    if (p >= e || *p != ')')
        return FALSE;
    *num = s;
    *num_len = (gsize)(p - s);
    return TRUE;
}

static void
parse(parser *p)
{
    gboolean in_quote = FALSE;
    for (gsize li = 0; li < p->lines->len; li++) {
        const line *l = &g_array_index(p->lines, line, li);
        if (line_is_empty(l))
            continue;
        const char *s = p->text + l->cs, *e = p->text + l->ce, *num = NULL;
        gsize num_len = 0;
        if (in_quote) {
            if (closes_quote(s, e))
                in_quote = FALSE;
            p->last_content_end = l->ce;
            continue;
        }
        if (skip_open_quote(s, e)) {
            /* A quoted provision of an amending text belongs to the document it amends. */
            in_quote = quote_left_open(s, e);
            p->last_content_end = l->ce;
            continue;
        }
        if (line_is_page_number(p, l))
            continue;
        const char *rest;
        gsize last = li;
        if (ends_provisions(s, e)) {
            close_from(p, TRACUU_LEGAL_PART);
        } else if ((rest = match_article(s, e, &num, &num_len)) && !continues_sentence(p, li)) {
            GString *h = g_string_new(NULL);
            last = read_heading(p, li, rest, h);
            add_unit(p, TRACUU_LEGAL_ARTICLE, num, num_len, g_string_free(h, FALSE), l->cs);
        } else if ((rest = match_division(s, e, chapter_words, FALSE, &num, &num_len))) {
            GString *t = g_string_new(NULL);
            last = read_title(p, li, rest, t);
            add_unit(p, TRACUU_LEGAL_CHAPTER, num, num_len, g_string_free(t, FALSE), l->cs);
        } else if ((rest = match_division(s, e, part_words, TRUE, &num, &num_len))) {
            GString *t = g_string_new(NULL);
            last = read_title(p, li, rest, t);
            add_unit(p, TRACUU_LEGAL_PART, num, num_len, g_string_free(t, FALSE), l->cs);
        } else if (p->open[TRACUU_LEGAL_CHAPTER] >= 0 &&
                   (rest = match_division(s, e, section_words, FALSE, &num, &num_len))) {
            GString *t = g_string_new(NULL);
            last = read_title(p, li, rest, t);
            add_unit(p, TRACUU_LEGAL_SECTION, num, num_len, g_string_free(t, FALSE), l->cs);
        } else if (p->open[TRACUU_LEGAL_ARTICLE] >= 0 && match_clause(s, e, &num, &num_len)) {
            add_unit(p, TRACUU_LEGAL_CLAUSE, num, num_len, NULL, l->cs);
        } else if (p->open[TRACUU_LEGAL_ARTICLE] >= 0 && match_point(s, e, &num, &num_len)) {
            add_unit(p, TRACUU_LEGAL_POINT, num, num_len, NULL, l->cs);
        }
        p->last_content_end = g_array_index(p->lines, line, last).ce;
        li = last;
    }
    close_from(p, TRACUU_LEGAL_PART);
}

tracuu_legal_structure *
tracuu_legal_structure_parse(const char *text, gssize len)
{
    tracuu_legal_structure *s = g_new0(tracuu_legal_structure, 1);
    if (!text)
        return s;
    parser p = {.text = text, .len = len < 0 ? strlen(text) : (gsize)len};
    for (gsize i = 0; i < G_N_ELEMENTS(p.open); i++)
        p.open[i] = -1;
    p.lines = g_array_new(FALSE, FALSE, sizeof(line));
    p.units = g_array_new(FALSE, FALSE, sizeof(tracuu_legal_unit));
    split_lines(&p);
    parse(&p);
    g_array_free(p.lines, TRUE);
    s->n_units = p.units->len;
    s->truncated = p.truncated;
    s->units = (tracuu_legal_unit *)g_array_free(p.units, FALSE);
    return s;
}

void
tracuu_legal_structure_free(tracuu_legal_structure *s)
{
    if (!s)
        return;
    for (gsize i = 0; i < s->n_units; i++) {
        g_free(s->units[i].number);
        g_free(s->units[i].title);
    }
    g_free(s->units);
    g_free(s);
}

char *
tracuu_legal_structure_dup_label(const tracuu_legal_structure *s, gsize i)
{
    if (!s || i >= s->n_units || s->units[i].level != TRACUU_LEGAL_CHAPTER)
        return NULL;
    const tracuu_legal_unit *u = &s->units[i];
    if (!u->title || !*u->title)
        return g_strdup_printf("Chương %s", u->number);
    return g_strdup_printf("Chương %s. %s", u->number, u->title);
}

int
tracuu_legal_structure_get_enclosing(const tracuu_legal_structure *s, gsize i,
                                     tracuu_legal_level level)
{
    if (!s || i >= s->n_units)
        return -1;
    int j = (int)i;
    while (j >= 0 && s->units[j].level > level)
        j = s->units[j].parent;
    return j >= 0 && s->units[j].level == level ? j : -1;
}
