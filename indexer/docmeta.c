/* docmeta.c - the metadata of a Vietnamese official document, read from its header and end. */
#include "tracuu-docmeta.h"

#include "tracuu-conf.h"
#include "tracuu-schema-rules.h"
#include "tracuu-tokenizer.h"

#include <string.h>

/*
 * The header of a document in the layout of Nghị định 30/2020/NĐ-CP comes to us in two shapes:
 * one field per line (HTML, DOCX, poppler's reading order), or the two header columns side by
 * side on the same lines (pdftotext -layout). Both are turned into one list of "cells": a cell is
 * a line, or a piece of a line cut at a wide run of spaces. Every rule below works on cells, so
 * the same rules read both shapes.
 */

/* How much of the text the header and the signature block can take. */
#define HEAD_LINES 60
#define HEAD_BYTES (24 * 1024)
#define TAIL_LINES 40
#define TAIL_BYTES (16 * 1024)
/* The header ends at the first cell of the body; past this many cells it is not a header. */
#define HEAD_MAX_CELLS 40
/* Texts longer than this are cut before the work starts (cites past the cut are not read). */
#define MAX_TEXT (64 * 1024 * 1024)
/* Where to look for the issuer's name written in mixed case. */
#define CASE_SEARCH_BYTES (64 * 1024)

typedef struct {
    char *text;            /* trimmed, NUL-terminated */
    int line;              /* index of its line among the lines scanned */
    int col;               /* column (characters) where it starts in its line */
    gboolean blank_before; /* an empty line comes before its line */
} cell;

static void
cell_clear(gpointer data)
{
    cell *c = data;
    g_free(c->text);
}

/* ---------------------------------------------------------------------------------------- */
/* Small helpers on characters and strings. */

/* A letter without its diacritics and in lower case; đ becomes d. Only for matching keywords. */
static gunichar
fold_char(gunichar c)
{
    if (c == 0x0110 || c == 0x0111)
        return 'd';
    gunichar buf[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    gsize n = g_unichar_fully_decompose(c, FALSE, buf, G_N_ELEMENTS(buf));
    if (n > 0)
        c = buf[0];
    return g_unichar_tolower(c);
}

/*
 * @s folded (see fold_char) with white space runs made one space and the ends trimmed.
 * Caller frees with g_free().
 */
static char *
fold_str(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    gboolean space = FALSE;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c)) {
            space = out->len > 0;
            continue;
        }
        if (space)
            g_string_append_c(out, ' ');
        space = FALSE;
        g_string_append_unichar(out, fold_char(c));
    }
    return g_string_free(out, FALSE);
}

static gboolean
has_prefix_word(const char *folded, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(folded, prefix, n) != 0)
        return FALSE;
    char next = folded[n];
    return next == '\0' || !g_ascii_isalnum(next);
}

/* TRUE if @s has at least two letters and no lower-case letter ("BỘ TÀI CHÍNH"). */
static gboolean
is_upper_text(const char *s)
{
    int letters = 0;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_islower(c))
            return FALSE;
        if (g_unichar_isalpha(c))
            letters++;
    }
    return letters >= 2;
}

static gboolean
has_digit(const char *s)
{
    for (; *s; s++)
        if (g_ascii_isdigit(*s))
            return TRUE;
    return FALSE;
}

static gboolean
is_dash(gunichar c)
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE58 || c == 0xFE63 ||
           c == 0xFF0D;
}

/* A rule drawn under a header block: "-------", "_____", "*******", "———". */
static gboolean
is_separator(const char *s)
{
    int n = 0;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c))
            continue;
        if (!(is_dash(c) || c == '_' || c == '*' || c == '=' || c == '.' || c == '~' ||
              c == 0x00B7 || c == 0x2026))
            return FALSE;
        n++;
    }
    return n >= 3;
}

/* Copies @s with every white space run made one space and the ends trimmed. */
static char *
squeeze_spaces(const char *s, gssize len)
{
    if (len < 0)
        len = strlen(s);
    GString *out = g_string_sized_new(len);
    gboolean space = FALSE;
    const char *end = s + len;
    for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c) || c == 0x00A0) {
            space = out->len > 0;
            continue;
        }
        /* Invisible format characters (a byte order mark, U+200E from a web page, a soft
           hyphen) would stand between a rule and the text it looks for ("Số:", a capital). */
        if (g_unichar_type(c) == G_UNICODE_FORMAT)
            continue;
        if (space)
            g_string_append_c(out, ' ');
        space = FALSE;
        g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* Lines and cells. */

/*
 * Cuts @line (@len bytes) into cells at runs of three or more spaces or at a tab, which is how
 * pdftotext -layout separates the left and right header columns.
 */
static void
add_line_cells(GArray *cells, const char *line, size_t len, int line_no, gboolean blank_before)
{
    size_t i = 0;
    int col = 0;
    while (i < len) {
        /* Skip the gap before a cell, counting columns. */
        while (i < len && (line[i] == ' ' || line[i] == '\t')) {
            i++;
            col++;
        }
        if (i >= len)
            break;
        size_t start = i;
        int start_col = col;
        size_t last = i; /* one past the last non-space byte */
        int spaces = 0;
        while (i < len) {
            if (line[i] == '\t')
                break;
            if (line[i] == ' ') {
                spaces++;
                if (spaces >= 3)
                    break;
                i++;
                col++;
                continue;
            }
            spaces = 0;
            size_t n = g_utf8_next_char(line + i) - (line + i);
            i += n;
            col++;
            last = i;
        }
        char *text = squeeze_spaces(line + start, last - start);
        if (*text) {
            cell c = {text, line_no, start_col, blank_before};
            g_array_append_val(cells, c);
        } else {
            g_free(text);
        }
    }
}

/*
 * Adds the cells of the lines of @text between @start and @end (byte offsets at line starts).
 * Stops after @max_lines lines that hold something.
 */
static void
add_cells(GArray *cells, const char *text, size_t start, size_t end, int max_lines)
{
    int line_no = 0;
    gboolean blank = FALSE;
    size_t p = start;
    while (p < end && line_no < max_lines) {
        size_t q = p;
        while (q < end && text[q] != '\n' && text[q] != '\f' && text[q] != '\r')
            q++;
        gboolean empty = TRUE;
        for (size_t k = p; k < q; k++)
            if (!g_ascii_isspace(text[k]))
                empty = FALSE;
        if (empty) {
            /* A "\r\n" pair is one line end, not a blank line. */
            if (!(q == p && p > start && text[p - 1] == '\r' && text[p] == '\n'))
                blank = TRUE;
        } else {
            guint before = cells->len;
            add_line_cells(cells, text + p, q - p, line_no, blank);
            if (cells->len > before) {
                line_no++;
                blank = FALSE;
            }
        }
        p = q < end ? q + 1 : q;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Document types. */

typedef struct {
    const char *folded; /* the heading, folded */
    const char *name;   /* how the type is written in running text */
} type_name;

/* Longest first wherever one name starts another. */
static const type_name type_names[] = {
    {"hien phap", "Hiến pháp"},
    {"bo luat", "Bộ luật"},
    {"luat", "Luật"},
    {"phap lenh", "Pháp lệnh"},
    {"lenh", "Lệnh"},
    {"nghi quyet lien tich", "Nghị quyết liên tịch"},
    {"nghi quyet", "Nghị quyết"},
    {"nghi dinh", "Nghị định"},
    {"thong tu lien tich", "Thông tư liên tịch"},
    {"thong tu", "Thông tư"},
    {"quyet dinh", "Quyết định"},
    {"chi thi", "Chỉ thị"},
    {"quy che", "Quy chế"},
    {"quy dinh", "Quy định"},
    {"thong cao", "Thông cáo"},
    {"thong bao", "Thông báo"},
    {"huong dan", "Hướng dẫn"},
    {"chuong trinh", "Chương trình"},
    {"ke hoach", "Kế hoạch"},
    {"phuong an", "Phương án"},
    {"de an", "Đề án"},
    {"du an", "Dự án"},
    {"bao cao", "Báo cáo"},
    {"bien ban", "Biên bản"},
    {"to trinh", "Tờ trình"},
    {"hop dong", "Hợp đồng"},
    {"cong van", "Công văn"},
    {"cong dien", "Công điện"},
    {"ban ghi nho", "Bản ghi nhớ"},
    {"ban thoa thuan", "Bản thỏa thuận"},
    {"giay uy quyen", "Giấy ủy quyền"},
    {"giay moi", "Giấy mời"},
    {"giay gioi thieu", "Giấy giới thiệu"},
    {"giay nghi phep", "Giấy nghỉ phép"},
    {"phieu gui", "Phiếu gửi"},
    {"phieu chuyen", "Phiếu chuyển"},
    {"phieu bao", "Phiếu báo"},
    {"thu cong", "Thư công"},
    {"van ban hop nhat", "Văn bản hợp nhất"},
};

/* The type whose folded heading is exactly @folded, or NULL. */
static const char *
type_for_heading(const char *folded)
{
    for (size_t i = 0; i < G_N_ELEMENTS(type_names); i++)
        if (strcmp(folded, type_names[i].folded) == 0)
            return type_names[i].name;
    return NULL;
}

/* The type whose name starts @folded ("luat so: ..."), or NULL. */
static const char *
type_for_prefix(const char *folded)
{
    for (size_t i = 0; i < G_N_ELEMENTS(type_names); i++)
        if (has_prefix_word(folded, type_names[i].folded))
            return type_names[i].name;
    return NULL;
}

/* The abbreviation table is the schema's: the query's type: filter reads the same one. */
static const char *
type_for_abbr(const char *piece, size_t len)
{
    return tracuu_schema_doc_type_for_abbr(piece, (gssize)len);
}

/*
 * The type that the ký hiệu of @number names: "34/2008/CT-TTg" -> Chỉ thị, "64-TB/VPTW" ->
 * Thông báo. A number with a ký hiệu but no type in it ("2154/BGDĐT-CNTT") is a công văn,
 * which Nghị định 30 numbers without a type; @is_cong_van says so. Returns NULL otherwise.
 */
static const char *
type_for_number(const char *number, gboolean *is_cong_van)
{
    *is_cong_van = FALSE;
    g_auto(GStrv) parts = g_strsplit(number, "/", -1);
    guint n = g_strv_length(parts);
    if (n < 2)
        return NULL;
    /* Party style "64-TB/VPTW": the type follows the serial number. */
    const char *dash = strchr(parts[0], '-');
    if (dash) {
        const char *t = type_for_abbr(dash + 1, strlen(dash + 1));
        if (t)
            return t;
    }
    const char *last = parts[n - 1];
    const char *d = strchr(last, '-');
    const char *t = type_for_abbr(last, d ? (size_t)(d - last) : strlen(last));
    if (t)
        return t;
    /* Serial/ISSUER-UNIT with no type, and no year: how a công văn is numbered. */
    if (d && n == 2 && !has_digit(last))
        *is_cong_van = TRUE;
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Numbers and dates. */

typedef struct {
    GRegex *number_cell; /* "Số: ...", "Luật số: ..." */
    GRegex *number_text; /* the number itself at the start of the rest of that cell */
    GRegex *date_words;  /* "Hà Nội, ngày 19 tháng 09 năm 2025" (whole cell) */
    GRegex *date_slash;  /* "Hà Nội, ngày 3/12/2008" (whole cell) */
    GRegex *date_passed; /* "... thông qua ngày 10 tháng 12 năm 2025" (laws) */
} regexes;

static gpointer
regexes_init(gpointer unused)
{
    regexes *r = g_new0(regexes, 1);
    GRegexCompileFlags f = G_REGEX_CASELESS | G_REGEX_OPTIMIZE;
    r->number_cell = g_regex_new("^(?:([\\p{L} ]{2,24}?)\\s+)?số\\s*[:.]?\\s*(.*)$", f, 0, NULL);
    r->number_text = g_regex_new("^[\\p{L}\\p{N}.]+(?:\\s*[/\\-\\x{2010}-\\x{2015}\\x{2212}]\\s*"
                                 "[\\p{L}\\p{N}.]+)*",
                                 f, 0, NULL);
    r->date_words = g_regex_new("^(.*?)\\bngày\\s+(\\d{1,2})\\s+tháng\\s+(\\d{1,2})\\s+năm\\s+"
                                "(\\d{4})\\s*[.;]?$",
                                f, 0, NULL);
    r->date_slash = g_regex_new("^(.*?)\\bngày\\s+(\\d{1,2})\\s*([/.\\-])\\s*(\\d{1,2})\\s*\\3\\s*"
                                "(\\d{4})\\s*[.;]?$",
                                f, 0, NULL);
    r->date_passed = g_regex_new("thông\\s+qua\\s+ngày\\s+(\\d{1,2})\\s+tháng\\s+(\\d{1,2})\\s+"
                                 "năm\\s+(\\d{4})",
                                 f, 0, NULL);
    g_assert(r->number_cell && r->number_text && r->date_words && r->date_slash && r->date_passed);
    return r;
}

static const regexes *
get_regexes(void)
{
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, regexes_init, NULL);
}

/*
 * The number at the start of @s as written, with the spaces around its separators dropped and
 * every kind of dash made "-": "81 /2025/TT– NHNN" -> "81/2025/TT-NHNN". NULL if @s does not
 * start with something shaped like a số ký hiệu (a digit, and a "/" or a "-").
 */
static char *
clean_number(const char *s)
{
    const regexes *r = get_regexes();
    g_autoptr(GMatchInfo) m = NULL;
    if (!g_regex_match(r->number_text, s, 0, &m))
        return NULL;
    g_autofree char *raw = g_match_info_fetch(m, 0);
    GString *out = g_string_new(NULL);
    for (const char *p = raw; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c))
            continue;
        if (is_dash(c))
            g_string_append_c(out, '-');
        else
            g_string_append_unichar(out, c);
    }
    while (out->len > 0 && out->str[out->len - 1] == '.')
        g_string_truncate(out, out->len - 1);
    gboolean sep = strchr(out->str, '/') || strchr(out->str, '-');
    if (!sep || !g_ascii_isdigit(out->str[0]) || !has_digit(out->str)) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

static char *
iso_date(const char *d, const char *m, const char *y)
{
    int day = atoi(d), month = atoi(m), year = atoi(y);
    if (year < 1900 || year > 2199 || !g_date_valid_dmy(day, month, year))
        return NULL;
    return g_strdup_printf("%04d-%02d-%02d", year, month, day);
}

/*
 * If @c is a place-and-date cell ("Hà Nội, ngày 19 tháng 09 năm 2025", "Ngày 8 tháng 12 năm
 * 2025", "TP. Hồ Chí Minh, ngày 3/12/2008"), returns the ISO date and sets *@place (NULL when no
 * place is written). Text before the place is allowed when pdftotext put "Số: ..." on the same
 * line. A date inside a trích yếu ("... Nghị định số 22/2019/NĐ-CP ngày 25 tháng 02 năm 2019")
 * has neither a comma before "ngày" nor "ngày" first, so it is not taken.
 */
static char *
parse_date_cell(const char *c, char **place)
{
    const regexes *r = get_regexes();
    *place = NULL;
    g_autoptr(GMatchInfo) m = NULL;
    g_autofree char *before = NULL, *d = NULL, *mo = NULL, *y = NULL;
    if (g_regex_match(r->date_words, c, 0, &m)) {
        before = g_match_info_fetch(m, 1);
        d = g_match_info_fetch(m, 2);
        mo = g_match_info_fetch(m, 3);
        y = g_match_info_fetch(m, 4);
    } else {
        g_clear_pointer(&m, g_match_info_free);
        if (!g_regex_match(r->date_slash, c, 0, &m))
            return NULL;
        before = g_match_info_fetch(m, 1);
        d = g_match_info_fetch(m, 2);
        mo = g_match_info_fetch(m, 4);
        y = g_match_info_fetch(m, 5);
    }
    g_strchomp(before);
    size_t n = strlen(before);
    if (n > 0) {
        if (before[n - 1] != ',')
            return NULL;
        before[n - 1] = '\0';
        g_strchomp(before);
        /* The place is what follows the last word holding a digit or a slash. */
        char *start = before;
        for (char *p = before; *p; p++) {
            if (*p == ' ' || p == before) {
                char *w = *p == ' ' ? p + 1 : p;
                size_t wl = strcspn(w, " ");
                for (size_t k = 0; k < wl; k++)
                    if (g_ascii_isdigit(w[k]) || w[k] == '/' || w[k] == ':')
                        start = w + wl;
            }
        }
        g_strchug(start);
        if (*start && strlen(start) <= 60 && g_unichar_isupper(g_utf8_get_char(start)))
            *place = g_strdup(start);
    }
    char *iso = iso_date(d, mo, y);
    if (!iso)
        g_clear_pointer(place, g_free);
    return iso;
}

/* ---------------------------------------------------------------------------------------- */
/* Issuer. */

/* Words that start the name of an organ, folded. A header line starting with none of them
   continues the name on the line before ("NGÂN HÀNG NHÀ NƯỚC" / "VIỆT NAM"). */
static const char *const organ_words[] = {
    "bo",
    "cuc",
    "vu",
    "so",
    "uy ban",
    "ubnd",
    "ban",
    "tong cuc",
    "vien",
    "trung tam",
    "phong",
    "cong ty",
    "tap doan",
    "tong cong ty",
    "truong",
    "dai hoc",
    "hoc vien",
    "hoi dong",
    "chinh phu",
    "thu tuong",
    "quoc hoi",
    "van phong",
    "ngan hang",
    "toa an",
    "kiem toan",
    "bao hiem",
    "benh vien",
    "chi cuc",
    "thanh tra",
    "doan",
    "dang uy",
    "chu tich nuoc",
    "kho bac",
    "hoi",
    "lien doan",
    "to chuc",
    "chi nhanh",
    "khoi",
    "dai su quan",
    "tinh uy",
    "thanh uy",
    "huyen uy",
    "bo chinh tri",
    "ban chap hanh",
    "ban bi thu",
    "mat tran",
    "cong an",
    "bo chi huy",
    "quan khu",
    "hoi lien hiep",
    "lien hiep",
    "uy ban nhan dan",
    "toa an nhan dan",
    "vien kiem sat nhan dan",
    "hoi dong nhan dan",
};

/* Organ names complete in themselves, after which come lower-case words ("Tòa án nhân dân tối
   cao", "Ủy ban nhân dân tỉnh ..."), not a proper name. */
static const char *const generic_organs[] = {
    "uy ban nhan dan",
    "toa an nhan dan",
    "vien kiem sat nhan dan",
    "hoi dong nhan dan",
};

static gboolean
starts_organ(const char *folded)
{
    for (size_t i = 0; i < G_N_ELEMENTS(organ_words); i++)
        if (has_prefix_word(folded, organ_words[i]))
            return TRUE;
    return FALSE;
}

/* Part of the national motto: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (always in capitals, which
   keeps "Cộng hòa Xã hội chủ nghĩa Việt Nam" in a trích yếu out), "Độc lập - Tự do - Hạnh
   phúc". Found inside a cell too, for lines where the issuer and the motto run together. */
static gboolean
is_motto(const char *text, const char *folded)
{
    gboolean upper = is_upper_text(text);
    return (upper && (strstr(folded, "cong hoa xa hoi") || g_str_has_prefix(folded, "chu nghia") ||
                      strcmp(folded, "dang cong san viet nam") == 0)) ||
           (strstr(folded, "doc lap") && strstr(folded, "tu do")) ||
           g_str_has_prefix(folded, "hanh phuc") || strstr(folded, "- hanh phuc");
}

/*
 * Where the folded form of @s starts with @needle (folded ASCII, single spaces), at a word
 * start, or NULL. For cells in which poppler ran the issuer and the motto together:
 * "TRƯỜNG CAO ĐẲNG NGHỀ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".
 */
static const char *
find_folded(const char *s, const char *needle)
{
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        if (p > s && !g_unichar_isspace(g_utf8_get_char(g_utf8_prev_char(p))))
            continue;
        const char *t = p, *n = needle;
        while (*n && *t) {
            gunichar c = g_utf8_get_char(t);
            if (*n == ' ') {
                if (!g_unichar_isspace(c))
                    break;
                while (*t && g_unichar_isspace(g_utf8_get_char(t)))
                    t = g_utf8_next_char(t);
                n++;
                continue;
            }
            if (fold_char(c) != (gunichar)(guchar)*n)
                break;
            t = g_utf8_next_char(t);
            n++;
        }
        if (!*n)
            return p;
    }
    return NULL;
}

/* Splits every capital cell that runs into the motto ("X CỘNG HÒA XÃ HỘI ...") in two. */
static void
split_motto_cells(GArray *cells)
{
    for (guint i = 0; i < cells->len; i++) {
        cell *c = &g_array_index(cells, cell, i);
        if (!is_upper_text(c->text))
            continue;
        const char *m = find_folded(c->text, "cong hoa xa hoi chu nghia");
        if (!m)
            m = find_folded(c->text, "dang cong san viet nam");
        if (!m || m == c->text)
            continue;
        cell right = {g_strdup(m), c->line, c->col + (int)g_utf8_strlen(c->text, m - c->text),
                      FALSE};
        char *left = g_strndup(c->text, m - c->text);
        g_strchomp(left);
        g_free(c->text);
        c->text = left;
        g_array_insert_val(cells, i + 1, right);
        i++;
    }
}

static gboolean
utf8_is_word_char(const char *p)
{
    gunichar c = g_utf8_get_char(p);
    return g_unichar_isalnum(c) || g_unichar_ismark(c);
}

/*
 * Finds @needle in @text written in mixed case ("Bộ Tài chính" for "BỘ TÀI CHÍNH"), comparing
 * letters case-insensitively and any white space run with any other, at word boundaries.
 * Returns a copy of the text found, or NULL.
 */
static char *
find_mixed_case(const char *text, size_t len, const char *needle, gboolean initial_upper)
{
    g_autofree char *low = g_utf8_strdown(needle, -1);
    const char *end = text + len;
    for (const char *p = text; p < end; p = g_utf8_next_char(p)) {
        if (p > text && utf8_is_word_char(g_utf8_prev_char(p)))
            continue;
        const char *t = p, *n = low;
        gboolean has_lower = FALSE;
        while (*n && t < end) {
            gunichar nc = g_utf8_get_char(n);
            gunichar tc = g_utf8_get_char(t);
            if (nc == ' ') {
                if (!g_unichar_isspace(tc))
                    break;
                while (t < end && g_unichar_isspace(g_utf8_get_char(t)))
                    t = g_utf8_next_char(t);
                n++;
                continue;
            }
            if (g_unichar_tolower(tc) != nc)
                break;
            if (g_unichar_islower(tc))
                has_lower = TRUE;
            t = g_utf8_next_char(t);
            n = g_utf8_next_char(n);
        }
        if (*n == '\0' && has_lower && (t >= end || !utf8_is_word_char(t)) &&
            (!initial_upper || g_unichar_isupper(g_utf8_get_char(p))))
            return squeeze_spaces(p, t - p);
    }
    return NULL;
}

/* "BỘ TÀI CHÍNH" -> "Bộ Tài chính": the organ word and the word after it capitalised. Used
   only when the text never writes the name in mixed case. */
static char *
capitalise_organ(const char *upper)
{
    g_autofree char *low = g_utf8_strdown(upper, -1);
    g_auto(GStrv) words = g_strsplit(low, " ", -1);
    guint n = g_strv_length(words);
    /* The first word, and the first word of the proper name after the longest organ word:
       "Thủ tướng Chính phủ", "Ủy ban nhân dân Tỉnh ...", "Bộ Tài chính". */
    guint second = 1;
    size_t best = 0;
    g_autofree char *folded = fold_str(low);
    for (size_t i = 0; i < G_N_ELEMENTS(organ_words); i++) {
        size_t len = strlen(organ_words[i]);
        if (len > best && has_prefix_word(folded, organ_words[i])) {
            guint w = 1;
            for (const char *q = organ_words[i]; *q; q++)
                w += *q == ' ';
            second = w;
            best = len;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(generic_organs); i++)
        if (has_prefix_word(folded, generic_organs[i]))
            second = G_MAXUINT;
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        if (i)
            g_string_append_c(out, ' ');
        /* Each field of a name joined to the one before takes a capital too (Phụ lục II of
           Nghị định 30, IV.1.a): "Bộ Văn hóa, Thể thao và Du lịch", "Sở Giáo dục và Đào tạo". */
        gboolean next_field = second != G_MAXUINT && i > second &&
                              (strcmp(words[i - 1], "và") == 0 || strcmp(words[i - 1], "-") == 0 ||
                               g_str_has_suffix(words[i - 1], ","));
        if ((i == 0 || i == second || next_field) && *words[i]) {
            gunichar c = g_unichar_totitle(g_utf8_get_char(words[i]));
            g_string_append_unichar(out, c);
            g_string_append(out, g_utf8_next_char(words[i]));
        } else {
            g_string_append(out, words[i]);
        }
    }
    return g_string_free(out, FALSE);
}

/*
 * The issuer's name in the case the text writes its parts: "THỦ TƯỚNG CHÍNH PHỦ" -> "Thủ tướng
 * Chính phủ" when the text has "Chính phủ" but never the whole name. Starts from the organ rule
 * and takes, left to right, the longest run of words the text writes in mixed case starting
 * with a capital (so that "công nghệ thông tin" in prose does not undo "Công nghệ thông tin").
 */
static char *
case_issuer(const char *text, size_t len, const char *upper)
{
    char *whole = find_mixed_case(text, len, upper, FALSE);
    if (whole)
        return whole;
    g_autofree char *organ = capitalise_organ(upper);
    g_auto(GStrv) base = g_strsplit(organ, " ", -1);
    g_auto(GStrv) up = g_strsplit(upper, " ", -1);
    guint n = g_strv_length(up);
    if (n != g_strv_length(base) || n > 12)
        return g_strdup(organ);
    size_t region = MIN(len, 16 * 1024);
    GString *out = g_string_new(NULL);
    guint i = 0;
    while (i < n) {
        char *found = NULL;
        guint j = n;
        for (; j > i && !found; j--) {
            g_autofree char *run = g_strjoinv(" ", (char **)(up + i));
            /* g_strjoinv joins to the end: cut the run at word j. */
            char *cut = run;
            for (guint w = i; w < j; w++)
                cut += strlen(up[w]) + 1;
            if (cut > run)
                cut[-1] = '\0';
            found = find_mixed_case(text, region, run, TRUE);
        }
        if (out->len)
            g_string_append_c(out, ' ');
        if (found) {
            g_string_append(out, found);
            g_free(found);
            i = j + 1;
        } else {
            g_string_append(out, base[i]);
            i++;
        }
    }
    /* The name starts with a capital whatever the text had before it. */
    if (out->len) {
        gunichar c = g_utf8_get_char(out->str);
        if (!g_unichar_isupper(c)) {
            char buf[8];
            int k = g_unichar_to_utf8(g_unichar_totitle(c), buf);
            g_string_erase(out, 0, g_utf8_next_char(out->str) - out->str);
            g_string_insert_len(out, 0, buf, k);
        }
    }
    return g_string_free(out, FALSE);
}

/* ---------------------------------------------------------------------------------------- */
/* Issuer names as Nghị định 30/2020/NĐ-CP, Phụ lục II, sections III and IV, writes them. */

/*
 * Words that say what kind of organ a name is, in the case Phụ lục II writes them: the type of
 * the organ and, for schools, its level take capitals ("Trường Cao đẳng nghề", "Ủy ban"). The
 * word after one of them starts the field or the proper name and takes a capital too ("Bộ Tài
 * nguyên và Môi trường", "Trường Cao đẳng nghề Công nghệ cao Hà Nội"), except after the generic
 * names, which lower-case words follow ("Tòa án nhân dân tối cao", "Ủy ban nhân dân tỉnh").
 * Folded first, for matching; the longest match wins.
 */
static const struct {
    const char *folded;
    const char *display;
    gboolean generic;
} organ_heads[] = {
    {"uy ban nhan dan", "Ủy ban nhân dân", TRUE},
    {"hoi dong nhan dan", "Hội đồng nhân dân", TRUE},
    {"toa an nhan dan", "Tòa án nhân dân", TRUE},
    {"vien kiem sat nhan dan", "Viện kiểm sát nhân dân", TRUE},
    {"kiem toan nha nuoc", "Kiểm toán nhà nước", TRUE},
    {"bao hiem xa hoi", "Bảo hiểm xã hội", TRUE},
    {"thong tan xa", "Thông tấn xã", TRUE},
    {"truong cao dang nghe", "Trường Cao đẳng nghề", FALSE},
    {"truong cao dang", "Trường Cao đẳng", FALSE},
    {"truong dai hoc", "Trường Đại học", FALSE},
    {"truong trung cap nghe", "Trường Trung cấp nghề", FALSE},
    {"truong trung cap", "Trường Trung cấp", FALSE},
    {"truong trung hoc pho thong", "Trường Trung học phổ thông", FALSE},
    {"truong trung hoc co so", "Trường Trung học cơ sở", FALSE},
    {"truong tieu hoc", "Trường Tiểu học", FALSE},
    {"truong mam non", "Trường Mầm non", FALSE},
    {"truong", "Trường", FALSE},
    {"dai hoc", "Đại học", FALSE},
    {"hoc vien", "Học viện", FALSE},
    {"vien", "Viện", FALSE},
    {"bo chi huy", "Bộ Chỉ huy", FALSE},
    {"bo tu lenh", "Bộ Tư lệnh", FALSE},
    {"bo", "Bộ", FALSE},
    {"tong cuc", "Tổng cục", FALSE},
    {"chi cuc", "Chi cục", FALSE},
    {"cuc", "Cục", FALSE},
    {"vu", "Vụ", FALSE},
    {"so", "Sở", FALSE},
    {"uy ban", "Ủy ban", FALSE},
    {"ban", "Ban", FALSE},
    {"van phong", "Văn phòng", FALSE},
    {"trung tam", "Trung tâm", FALSE},
    {"phong", "Phòng", FALSE},
    {"tong cong ty", "Tổng công ty", FALSE},
    {"cong ty", "Công ty", FALSE},
    {"tap doan", "Tập đoàn", FALSE},
    {"hoi dong", "Hội đồng", FALSE},
    {"ngan hang", "Ngân hàng", FALSE},
    {"kho bac", "Kho bạc", FALSE},
    {"benh vien", "Bệnh viện", FALSE},
    {"thanh tra", "Thanh tra", FALSE},
    {"thu tuong", "Thủ tướng", FALSE},
    {"chu tich nuoc", "Chủ tịch nước", FALSE},
    {"tinh uy", "Tỉnh ủy", FALSE},
    {"thanh uy", "Thành ủy", FALSE},
    {"huyen uy", "Huyện ủy", FALSE},
    {"quan uy", "Quận ủy", FALSE},
    {"thi uy", "Thị ủy", FALSE},
    {"dang uy", "Đảng ủy", FALSE},
    {"tong lien doan", "Tổng Liên đoàn", FALSE},
    {"lien doan", "Liên đoàn", FALSE},
    {"lien minh", "Liên minh", FALSE},
    {"hoi", "Hội", FALSE},
    {"doan", "Đoàn", FALSE},
    {"mat tran", "Mặt trận", FALSE},
    {"cong an", "Công an", FALSE},
    {"chi nhanh", "Chi nhánh", FALSE},
};

/* Party committees named after their place ("Tỉnh ủy Quảng Nam"), folded. */
static const char *const party_committees[] = {
    "tinh uy", "thanh uy", "huyen uy", "quan uy", "thi uy", "dang uy",
};

/* Nouns of administrative units, in lower case (Phụ lục II, III.1.a). Two words first. */
static const char *const admin_nouns[] = {
    "thành phố", "thị xã", "thị trấn", "thủ đô", "tỉnh", "huyện", "quận", "xã", "phường",
};

/* @w in lower case, the first letter a capital. Caller frees. */
static char *
title_word(const char *w)
{
    g_autofree char *low = g_utf8_strdown(w, -1);
    if (!*low)
        return g_steal_pointer(&low);
    GString *out = g_string_new(NULL);
    g_string_append_unichar(out, g_unichar_totitle(g_utf8_get_char(low)));
    g_string_append(out, g_utf8_next_char(low));
    return g_string_free(out, FALSE);
}

static void
replace_word(char **words, guint i, char *w)
{
    g_free(words[i]);
    words[i] = w;
}

static gboolean
word_is(const char *w, const char *lower)
{
    g_autofree char *low = g_utf8_strdown(w, -1);
    return strcmp(low, lower) == 0;
}

/*
 * How many words (1 or 2) of @words, from @i, are the noun of an administrative unit followed
 * by its name or number ("tỉnh Nghệ An", "thành phố Hà Nội", "Quận 1"); 0 if none. Not the same
 * words in other senses: "Tỉnh ủy", "Tỉnh đoàn", "tỉnh lộ", "xã hội", "hợp tác xã".
 */
static guint
admin_noun_at(char **words, guint n, guint i)
{
    static const char *const not_places[] = {"ủy", "uỷ", "đoàn", "đội", "hội", "lộ", "lỵ"};
    for (size_t k = 0; k < G_N_ELEMENTS(admin_nouns); k++) {
        g_auto(GStrv) noun = g_strsplit(admin_nouns[k], " ", -1);
        guint len = g_strv_length(noun);
        if (i + len >= n)
            continue;
        gboolean same = TRUE;
        for (guint w = 0; w < len && same; w++)
            same = word_is(words[i + w], noun[w]);
        if (!same)
            continue;
        for (size_t x = 0; x < G_N_ELEMENTS(not_places); x++)
            if (word_is(words[i + len], not_places[x]))
                return 0;
        if (strcmp(admin_nouns[k], "xã") == 0 && i >= 2 && word_is(words[i - 2], "hợp") &&
            word_is(words[i - 1], "tác"))
            return 0;
        return len;
    }
    return 0;
}

/*
 * Phụ lục II, III.1: the noun of an administrative unit in lower case before its proper name,
 * every syllable of which takes a capital ("tỉnh Quảng Nam", "thành phố Hà Nội"); a capital on
 * the noun before a number ("Quận 1") and in the special cases "Thành phố Hồ Chí Minh", "Thủ đô
 * Hà Nội". Works on @words in place, from word @from (a name's first word keeps its capital).
 */
static void
case_admin_units(char **words, guint n, guint from)
{
    for (guint i = from; i < n; i++) {
        guint len = admin_noun_at(words, n, i);
        if (!len)
            continue;
        guint j = i + len;
        gboolean number = g_unichar_isdigit(g_utf8_get_char(words[j]));
        gboolean special = word_is(words[i], "thủ") ||
                           (word_is(words[i], "thành") && j + 2 < n && word_is(words[j], "hồ") &&
                            word_is(words[j + 1], "chí") && word_is(words[j + 2], "minh"));
        for (guint k = i; k < j; k++)
            replace_word(words, k,
                         k == i && (number || special) ? title_word(words[k])
                                                       : g_utf8_strdown(words[k], -1));
        if (number) {
            i = j;
            continue;
        }
        /* The proper name runs to the end, a list ("và", a comma) or the next unit. */
        guint k = j;
        for (; k < n; k++) {
            if (admin_noun_at(words, n, k) || word_is(words[k], "và") || words[k][0] == '(')
                break;
            gboolean comma = g_str_has_suffix(words[k], ",");
            if (strcmp(words[k], "-") != 0)
                replace_word(words, k, title_word(words[k]));
            if (comma) {
                k++;
                break;
            }
        }
        i = k - 1;
    }
}

/*
 * The organ name @cased (from case_issuer()) with its type words as Phụ lục II, IV.1 writes
 * them, the word after them capitalised, and its administrative units cased as III.1 says.
 * Caller frees.
 */
static char *
fix_organ_case(const char *cased)
{
    g_auto(GStrv) words = g_strsplit(cased, " ", -1);
    guint n = g_strv_length(words);
    g_autofree char *folded = fold_str(cased);
    guint head_words = 0;
    size_t best = 0;
    int head = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(organ_heads); i++) {
        size_t len = strlen(organ_heads[i].folded);
        if (len > best && has_prefix_word(folded, organ_heads[i].folded)) {
            best = len;
            head = (int)i;
        }
    }
    if (head >= 0) {
        g_auto(GStrv) shown = g_strsplit(organ_heads[head].display, " ", -1);
        head_words = g_strv_length(shown);
        if (head_words <= n) {
            for (guint i = 0; i < head_words; i++)
                replace_word(words, i, g_strdup(shown[i]));
            if (!organ_heads[head].generic && head_words < n &&
                g_unichar_islower(g_utf8_get_char(words[head_words])))
                replace_word(words, head_words, title_word(words[head_words]));
            /* A party committee is named by its place, every syllable of which takes a
               capital: "Tỉnh ủy Quảng Nam" ("Đảng ủy xã ..." names its unit's noun). */
            gboolean committee = FALSE;
            for (size_t i = 0; i < G_N_ELEMENTS(party_committees); i++)
                committee |= strcmp(organ_heads[head].folded, party_committees[i]) == 0 &&
                             strcmp(party_committees[i], "dang uy") != 0;
            for (guint i = head_words; committee && i < n && strcmp(words[i], "-") != 0; i++)
                replace_word(words, i, title_word(words[i]));
        }
    }
    /* Proper names as they are written, wherever the rule left them in lower case: the
       country, and the bodies of the State that other organs are named after ("Ủy ban Thường
       vụ Quốc hội"). */
    static const char *const proper[][4] = {
        {"việt", "nam", "Việt", "Nam"},
        {"quốc", "hội", "Quốc", "hội"},
        {"chính", "phủ", "Chính", "phủ"},
    };
    for (guint i = 0; i + 1 < n; i++) {
        g_autofree char *second = g_utf8_strdown(words[i + 1], -1);
        gboolean comma = g_str_has_suffix(second, ",");
        if (comma)
            second[strlen(second) - 1] = '\0';
        for (size_t k = 0; k < G_N_ELEMENTS(proper); k++)
            if (word_is(words[i], proper[k][0]) && strcmp(second, proper[k][1]) == 0) {
                replace_word(words, i, g_strdup(proper[k][2]));
                replace_word(words, i + 1, g_strconcat(proper[k][3], comma ? "," : "", NULL));
            }
    }
    case_admin_units(words, n, 1);
    return g_strjoinv(" ", words);
}

/* @upper with the abbreviations of organ names written out, so that "UBND TỈNH X" and "ỦY BAN
   NHÂN DÂN TỈNH X" are one issuer. Caller frees. */
static char *
expand_organ_abbrevs(const char *upper)
{
    static const struct {
        const char *folded, *full;
    } abbrevs[] = {
        {"ubnd", "ỦY BAN NHÂN DÂN"},
        {"hdnd", "HỘI ĐỒNG NHÂN DÂN"},
        {"tp.", "THÀNH PHỐ"},
        {"tp", "THÀNH PHỐ"},
        {"tp.hcm", "THÀNH PHỐ HỒ CHÍ MINH"},
        {"tphcm", "THÀNH PHỐ HỒ CHÍ MINH"},
    };
    g_auto(GStrv) words = g_strsplit(upper, " ", -1);
    for (guint i = 0; words[i]; i++) {
        g_autofree char *f = fold_str(words[i]);
        for (size_t k = 0; k < G_N_ELEMENTS(abbrevs); k++)
            if (strcmp(f, abbrevs[k].folded) == 0) {
                replace_word(words, i, g_strdup(abbrevs[k].full));
                break;
            }
    }
    return g_strjoinv(" ", words);
}

/* The name of one organ (capitals in @upper) for display: abbreviations written out, the case
   the text gives it, the rules of Phụ lục II. Caller frees. */
static char *
case_organ_name(const char *text, size_t len, const char *upper)
{
    g_autofree char *full = expand_organ_abbrevs(upper);
    g_autofree char *cased = case_issuer(text, len, full);
    return fix_organ_case(cased);
}

/*
 * Like case_organ_name(), for a header line that may name several organs ("BỘ TƯ PHÁP - BỘ CÔNG
 * AN - ..."): each is cased on its own. A dash inside one name ("TRUNG TÂM THÔNG TIN - THƯ
 * VIỆN") is not a list, since "THƯ VIỆN" starts no organ.
 */
static char *
case_organs(const char *text, size_t len, const char *upper)
{
    g_auto(GStrv) parts = g_strsplit(upper, " - ", -1);
    guint n = g_strv_length(parts);
    gboolean list = n > 1;
    for (guint i = 0; i < n && list; i++) {
        g_autofree char *f = fold_str(parts[i]);
        list = starts_organ(f);
    }
    if (!list)
        return case_organ_name(text, len, upper);
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        g_autofree char *one = case_organ_name(text, len, parts[i]);
        if (out->len)
            g_string_append(out, " - ");
        g_string_append(out, one);
    }
    return g_string_free(out, FALSE);
}

/*
 * If @upper (abbreviations written out) is a provincial or district authority, "ỦY BAN NHÂN DÂN
 * TỈNH QUẢNG NAM" or "HỘI ĐỒNG NHÂN DÂN HUYỆN ...", returns its place ("TỈNH QUẢNG NAM"); else
 * NULL. Caller frees.
 */
static char *
local_authority_place(const char *upper)
{
    static const char *const authorities[] = {"uy ban nhan dan", "hoi dong nhan dan"};
    g_autofree char *f = fold_str(upper);
    for (size_t i = 0; i < G_N_ELEMENTS(authorities); i++) {
        if (!has_prefix_word(f, authorities[i]))
            continue;
        /* Both are four words; the place is what follows. */
        g_auto(GStrv) words = g_strsplit(upper, " ", 5);
        if (g_strv_length(words) < 5 || !*words[4])
            return NULL;
        return g_strdup(words[4]);
    }
    return NULL;
}

/* The proper name of the place @upper ("TỈNH QUẢNG NAM" -> "QUẢNG NAM"): without its noun,
   which is kept in the special cases ("THÀNH PHỐ HỒ CHÍ MINH"). Caller frees. */
static char *
place_name_only(const char *upper)
{
    g_auto(GStrv) words = g_strsplit(upper, " ", -1);
    guint n = g_strv_length(words);
    guint len = admin_noun_at(words, n, 0);
    if (len == 0 || g_unichar_isdigit(g_utf8_get_char(words[len])))
        return g_strdup(upper);
    g_autofree char *f = fold_str(upper);
    if (strcmp(f, "thanh pho ho chi minh") == 0)
        return g_strdup(upper);
    return g_strjoinv(" ", words + len);
}

/* A place in capitals for display: "TỈNH QUẢNG NAM" -> "tỉnh Quảng Nam", "THÀNH PHỐ HỒ CHÍ
   MINH" -> "Thành phố Hồ Chí Minh", "QUẬN 1" -> "Quận 1", "QUẢNG NAM" -> "Quảng Nam". */
static char *
case_place(const char *upper)
{
    g_auto(GStrv) words = g_strsplit(upper, " ", -1);
    guint n = g_strv_length(words);
    if (admin_noun_at(words, n, 0)) {
        case_admin_units(words, n, 0);
    } else {
        for (guint i = 0; i < n; i++)
            if (strcmp(words[i], "-") != 0)
                replace_word(words, i, title_word(words[i]));
    }
    return g_strjoinv(" ", words);
}

/* Whether the organ @upper names a place of its own: an administrative unit, the place
   @place_name ("SỞ Y TẾ HÀ NỘI"), or the authority of one. */
static gboolean
names_place(const char *upper, const char *place_name)
{
    g_auto(GStrv) words = g_strsplit(upper, " ", -1);
    guint n = g_strv_length(words);
    for (guint i = 0; i < n; i++)
        if (admin_noun_at(words, n, i))
            return TRUE;
    g_autofree char *pf = fold_str(place_name);
    if (*pf && find_folded(upper, pf))
        return TRUE;
    g_autofree char *own = local_authority_place(upper);
    return own != NULL;
}

/*
 * The display name of the organ @upper on the header line under @parent_upper, whose own
 * display name is @parent (both NULL at the top). The issuing body is the lower line; the line
 * above adds to its name only where the lower line alone does not say which body it is:
 * - under a provincial or district authority, the place: "Sở Nội vụ tỉnh Nghệ An", unless the
 *   lower line names one ("Sở Y tế Hà Nội");
 * - under the Party's Central Committee (@party: the header has the Party's motto), "Trung
 *   ương": "Ban Tuyên giáo Trung ương", and "Văn phòng Trung ương Đảng" (Phụ lục II, IV.1.b);
 * - under "ĐẢNG BỘ TỈNH X", the committee's place: "Tỉnh ủy X", "Đảng ủy xã Y";
 * - under a party committee, the committee: "Ban Tuyên giáo Tỉnh ủy Quảng Nam";
 * - a bare "VĂN PHÒNG" is the office of its parent: "Văn phòng Bộ Tài chính".
 * Any other unit is named alone: "BỘ TÀI CHÍNH / TỔNG CỤC THUẾ" is "Tổng cục Thuế".
 * Caller frees.
 */
static char *
qualify_organ(const char *text, size_t len, const char *parent_upper, const char *parent,
              const char *upper, gboolean party)
{
    g_autofree char *own = expand_organ_abbrevs(upper);
    g_autofree char *name = case_organ_name(text, len, own);
    if (!parent_upper)
        return g_steal_pointer(&name);
    g_autofree char *pu = expand_organ_abbrevs(parent_upper);
    g_autofree char *pf = fold_str(pu);
    g_autofree char *f = fold_str(own);

    if (party && has_prefix_word(pf, "ban chap hanh trung uong")) {
        if (strcmp(f, "van phong") == 0)
            return g_strdup("Văn phòng Trung ương Đảng");
        /* Its departments are "of the Centre"; a body with a name of its own ("Đảng ủy Ngoài
           nước") is not renamed. */
        gboolean department = has_prefix_word(f, "ban") || has_prefix_word(f, "uy ban kiem tra") ||
                              has_prefix_word(f, "hoi dong");
        if (department && !strstr(f, "trung uong"))
            return g_strconcat(name, " Trung ương", NULL);
        return g_steal_pointer(&name);
    }
    if (has_prefix_word(pf, "dang bo")) {
        g_auto(GStrv) pw = g_strsplit(pu, " ", 3);
        const char *place = g_strv_length(pw) == 3 ? pw[2] : "";
        g_auto(GStrv) placew = g_strsplit(place, " ", -1);
        gboolean unit = admin_noun_at(placew, g_strv_length(placew), 0) > 0;
        for (size_t i = 0; unit && i < G_N_ELEMENTS(party_committees); i++) {
            if (strcmp(f, party_committees[i]) != 0)
                continue;
            /* "Đảng ủy xã Y" keeps the unit's noun; "Tỉnh ủy Quảng Nam" says it already. */
            g_autofree char *where =
                strcmp(f, "dang uy") == 0 ? g_strdup(place) : place_name_only(place);
            g_autofree char *shown = case_place(where);
            return g_strconcat(name, " ", shown, NULL);
        }
    }
    gboolean committee = FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(party_committees); i++)
        committee |= has_prefix_word(pf, party_committees[i]);
    if (committee && (has_prefix_word(f, "ban") || strcmp(f, "van phong") == 0 ||
                      has_prefix_word(f, "uy ban kiem tra")))
        return g_strconcat(name, " ", parent, NULL);
    if (strcmp(f, "van phong") == 0)
        return g_strconcat(name, " ", parent, NULL);
    g_autofree char *place = local_authority_place(pu);
    if (place) {
        g_autofree char *pname = place_name_only(place);
        if (!names_place(own, pname)) {
            g_autofree char *shown = case_place(place);
            return g_strconcat(name, " ", shown, NULL);
        }
    }
    return g_steal_pointer(&name);
}

/* ---------------------------------------------------------------------------------------- */
/* Trích yếu. */

/* Cells that open the body, so the header (and the trích yếu) ends before them. A body
   sentence starts with a capital; "thực hiện Quy chế ..." in lower case is a trích yếu. */
static gboolean
starts_body(const char *text, const char *folded)
{
    static const char *const words[] = {
        "can cu",       "kinh gui",    "dieu 1",    "chuong i", "phan i",
        "theo de nghi", "xet de nghi", "thuc hien", "noi nhan",
    };
    if (!g_unichar_isupper(g_utf8_get_char(text)))
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (has_prefix_word(folded, words[i]))
            return TRUE;
    return FALSE;
}

/* The authority line between the trích yếu and "Căn cứ" ("CHỦ TỊCH ỦY BAN NHÂN DÂN ...",
   "ỦY BAN THƯỜNG VỤ QUỐC HỘI", "BỘ TRƯỞNG BỘ TÀI CHÍNH"). */
static gboolean
is_authority(const char *folded)
{
    static const char *const words[] = {
        "uy ban thuong vu",
        "quoc hoi",
        "chinh phu",
        "thu tuong",
        "bo truong",
        "chu tich",
        "pho chu tich",
        "giam doc",
        "thong doc",
        "tong giam doc",
        "hoi dong",
        "uy ban nhan dan",
        "tong kiem toan",
        "chanh an",
        "vien truong",
        "cuc truong",
        "vu truong",
        "hieu truong",
        "truong ban",
        "chanh van phong",
        "tong cuc truong",
        "ban thuong vu",
        "ban chap hanh",
        "tm.",
        "kt.",
        "tl.",
        "tuq.",
        "q.",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (has_prefix_word(folded, words[i]) ||
            (strchr(words[i], '.') && g_str_has_prefix(folded, words[i])))
            return TRUE;
    return FALSE;
}

/* "QUY ĐỊNH VỀ QUẢN LÝ ..." -> "Quy định về quản lý ...", keeping words with digits
   ("70/2025/UBTVQH15") as written. */
static char *
sentence_case(const char *s)
{
    g_auto(GStrv) words = g_strsplit(s, " ", -1);
    GString *out = g_string_new(NULL);
    for (guint i = 0; words[i]; i++) {
        if (i)
            g_string_append_c(out, ' ');
        if (has_digit(words[i])) {
            g_string_append(out, words[i]);
            continue;
        }
        g_autofree char *low = g_utf8_strdown(words[i], -1);
        if (out->len == 0 && *low) {
            g_string_append_unichar(out, g_unichar_totitle(g_utf8_get_char(low)));
            g_string_append(out, g_utf8_next_char(low));
        } else {
            g_string_append(out, low);
        }
    }
    return g_string_free(out, FALSE);
}

/*
 * A trích yếu written in capitals, in the case the text writes it: the enacting sentence or the
 * body usually repeat it ("... ban hành Luật sửa đổi, bổ sung một số điều của Luật Giá"), and
 * sentence case would lose "Giá". Takes, left to right, the longest run of two or more words
 * that the text writes in mixed case; other words are in sentence case. The searches are
 * bounded, for they scan the text.
 */
static char *
title_case_from_text(const char *text, size_t len, const char *upper)
{
    g_autofree char *fallback = sentence_case(upper);
    g_auto(GStrv) up = g_strsplit(upper, " ", -1);
    g_auto(GStrv) base = g_strsplit(fallback, " ", -1);
    guint n = g_strv_length(up);
    if (n != g_strv_length(base))
        return g_steal_pointer(&fallback);
    size_t region = MIN(len, 32 * 1024);
    int budget = 24;
    GString *out = g_string_new(NULL);
    guint i = 0;
    while (i < n) {
        char *found = NULL;
        guint end_word = i + 1;
        for (guint j = n; j >= i + 2 && budget > 0; j--, budget--) {
            g_autofree char *run = g_strjoinv(" ", up + i);
            /* Cut the run after word j. */
            char *cut = run;
            for (guint w = i; w < j; w++)
                cut += strlen(up[w]) + 1;
            cut[-1] = '\0';
            found = find_mixed_case(text, region, run, FALSE);
            if (found) {
                end_word = j;
                break;
            }
        }
        if (out->len)
            g_string_append_c(out, ' ');
        if (found) {
            g_string_append(out, found);
            g_free(found);
        } else {
            g_string_append(out, base[i]);
        }
        i = end_word;
    }
    if (out->len) {
        gunichar c = g_utf8_get_char(out->str);
        if (g_unichar_islower(c)) {
            char buf[8];
            int k = g_unichar_to_utf8(g_unichar_totitle(c), buf);
            g_string_erase(out, 0, g_utf8_next_char(out->str) - out->str);
            g_string_insert_len(out, 0, buf, k);
        }
    }
    return g_string_free(out, FALSE);
}

/* If @c starts with "V/v" (về việc), returns where the subject starts after it, else NULL. */
static const char *
after_vv(const char *c)
{
    if (g_ascii_strncasecmp(c, "v/v", 3) != 0)
        return NULL;
    const char *p = c + 3;
    while (*p == ' ' || *p == ':' || *p == '.')
        p++;
    return p;
}

/*
 * Whether a line of a mixed-case trích yếu that starts with a capital goes on from @before:
 * a name cut over two lines ("tỉnh Gia" / "Lai", "Hiệp định" / "Thương mại"), a line that ends
 * on a connecting word, a verb or a comma, or a line that starts with a type or an organ ("Thông
 * báo 64-TB/VPTW", "Chính phủ nước ..."). Anything else is the body's first sentence, which in
 * poppler's text follows the trích yếu with nothing between them ("... cơ quan nhà nước" /
 * "Trong những năm qua, ...").
 */
static gboolean
continues_with_capital(const char *before, const char *line)
{
    /* Compared with their diacritics: folded, "tử" (điện tử) would pass for "từ". */
    static const char *const connectors[] = {
        "và",
        "của",
        "về",
        "cho",
        "tại",
        "với",
        "theo",
        "trong",
        "giữa",
        "các",
        "những",
        "hoặc",
        "thuộc",
        "từ",
        "đến",
        "năm",
        "ngày",
        "tháng",
        "số",
        "là",
        "do",
        "kèm",
        "tỉnh",
        "huyện",
        "xã",
        "phường",
        "quận",
        /* Verbs that want an object, often a named document: "cấp" / "Chứng chỉ hành nghề",
           "phê duyệt" / "Đề án", "thực hiện" / "Chương trình". */
        "cấp",
        "hành",
        "duyệt",
        "hiện",
        "dẫn",
        "sung",
        "đổi",
        "bỏ",
        "dụng",
        "giao",
    };
    size_t bl = strlen(before);
    if (bl == 0)
        return FALSE;
    char last_char = before[bl - 1];
    if (last_char == ',' || last_char == '-' || last_char == '(')
        return TRUE;
    g_auto(GStrv) words = g_strsplit(before, " ", -1);
    guint n = g_strv_length(words);
    if (n == 0)
        return FALSE;
    g_autofree char *last = g_utf8_strdown(words[n - 1], -1);
    for (size_t i = 0; i < G_N_ELEMENTS(connectors); i++)
        if (strcmp(last, connectors[i]) == 0)
            return TRUE;
    for (guint k = n >= 2 ? n - 2 : 0; k < n; k++)
        if (g_unichar_isupper(g_utf8_get_char(words[k])))
            return TRUE;
    g_autofree char *f = fold_str(line);
    return type_for_prefix(f) != NULL || starts_organ(f);
}

/*
 * Joins the trích yếu that starts at cell @i: the cells that follow in the header until the
 * body, an authority line, a rule, a blank line or a change from capitals to mixed case.
 * @first is where the first cell's text starts (after "V/v" for a công văn).
 */
static char *
collect_title(GArray *cells, guint i, guint end, const char *first, gboolean vv, const char *text,
              size_t len)
{
    GString *t = g_string_new(first);
    gboolean upper = is_upper_text(first);
    int col = g_array_index(cells, cell, i).col;
    for (guint k = i + 1; k < end && k < i + 12; k++) {
        const cell *c = &g_array_index(cells, cell, k);
        g_autofree char *f = fold_str(c->text);
        char *place = NULL;
        g_autofree char *date = parse_date_cell(c->text, &place);
        g_free(place);
        if (c->blank_before || date || is_separator(c->text) || starts_body(c->text, f) ||
            is_motto(c->text, f) || g_str_has_prefix(f, "so:") ||
            (is_upper_text(c->text) && is_authority(f)))
            break;
        gboolean cu = is_upper_text(c->text);
        if (cu != upper && !(cu && has_digit(c->text)))
            break;
        /* A mixed-case trích yếu goes on in a line that starts in lower case ("một số điều
           của ..."), or in a line that ends no sentence ("Lai, tỉnh Đắk Lắk và ..."); a line
           with a capital that ends in ".", ":" or ";" is the first sentence of the body. */
        if (!upper) {
            gunichar first_char = g_utf8_get_char(c->text);
            size_t tl = strlen(c->text);
            int words = 1;
            for (const char *q = c->text; *q; q++)
                words += *q == ' ';
            if (!g_unichar_islower(first_char) && !g_unichar_isdigit(first_char) &&
                (words > 40 || strchr(".:;", c->text[tl - 1]) ||
                 !continues_with_capital(t->str, c->text)))
                break;
        }
        /* A column to the right on a line of the left column is not part of it. */
        if (vv && c->col > col + 20)
            break;
        /* A number cut at its dash ("18/2025/TT-" / "BTC") is joined back whole. */
        gboolean cut_number =
            t->len >= 2 && t->str[t->len - 1] == '-' &&
            g_unichar_isalnum(g_utf8_get_char(g_utf8_prev_char(t->str + t->len - 1)));
        if (!cut_number)
            g_string_append_c(t, ' ');
        g_string_append(t, c->text);
    }
    char *s = g_string_free(t, FALSE);
    if (upper) {
        char *cased = title_case_from_text(text, len, s);
        g_free(s);
        s = cased;
    }
    /* A công văn's trích yếu keeps its "V/v" as written (without the colon some put after
       it), as the sample archive's expected metadata has it. */
    if (vv) {
        char *full = g_strconcat("V/v ", s, NULL);
        g_free(s);
        s = full;
    }
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Signer. */

/* A title that signs ("KT. BỘ TRƯỞNG", "PHÓ THỦ TƯỚNG", "Giám đốc", "(Đã ký)"), folded. */
static gboolean
is_signing_word(const char *folded)
{
    static const char *const words[] = {
        "tm.",
        "kt.",
        "tl.",
        "tuq.",
        "q.",
        "bo truong",
        "thu truong",
        "chu tich",
        "pho chu tich",
        "giam doc",
        "pho giam doc",
        "thu tuong",
        "pho thu tuong",
        "tong giam doc",
        "truong ban",
        "pho truong ban",
        "truong phong",
        "chanh van phong",
        "thong doc",
        "pho thong doc",
        "vien truong",
        "hieu truong",
        "chanh an",
        "tong kiem toan",
        "cuc truong",
        "vu truong",
        "chu nhiem",
        "pho chu nhiem",
        "tong thu ky",
        "bi thu",
        "chu tich quoc hoi",
        "(da ky)",
        "[ ky boi",
        "nguoi ky",
        "tong cuc truong",
        "chanh thanh tra",
        "tong thanh tra",
        "pho tong",
        "pho cuc truong",
        "pho vu truong",
        "pho chanh",
        "giam doc trung tam",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (g_str_has_prefix(folded, words[i]))
            return TRUE;
    return FALSE;
}

/* The signature block: "TM. CHÍNH PHỦ", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Giám đốc". */
static gboolean
is_signing_title(const char *text, const char *folded)
{
    return is_signing_word(folded) || (is_upper_text(text) && !has_digit(text));
}

/* Academic and professional titles written before a signer's name. */
static const char *const name_titles[] = {
    "GS.TSKH.", "GS.TSKH", "GS.TS.", "GS.TS",       "PGS.TS.",     "PGS.TS",       "GS.",
    "PGS.",     "TSKH.",   "TS.",    "ThS.",        "KS.",         "BS.",          "LS.",
    "NGƯT.",    "NGND.",   "Đại tá", "Thiếu tướng", "Trung tướng", "Thượng tướng", "Đại tướng",
};

/* If @s is a person's name ("Nguyễn Tấn Dũng", "PGS.TS Nguyễn Hoàng Hải", "Trần Đình B"),
   returns it without its titles; NULL otherwise. */
static char *
person_name(const char *s)
{
    const char *p = s;
    gboolean again = TRUE;
    while (again) {
        again = FALSE;
        for (size_t i = 0; i < G_N_ELEMENTS(name_titles); i++) {
            size_t n = strlen(name_titles[i]);
            if (strncmp(p, name_titles[i], n) == 0 && (p[n] == ' ' || p[n - 1] == '.')) {
                p += n;
                while (*p == ' ')
                    p++;
                again = TRUE;
                break;
            }
        }
    }
    if (strlen(p) > 60)
        return NULL;
    g_auto(GStrv) words = g_strsplit(p, " ", -1);
    guint n = g_strv_length(words);
    if (n < 2 || n > 6)
        return NULL;
    /* No given name is one letter: "Nguyễn Văn A" is a form's placeholder. */
    if (g_utf8_strlen(words[n - 1], -1) < 2)
        return NULL;
    /* An office written in title case ("Phó Thống Đốc") is not a name. */
    g_autofree char *folded = fold_str(p);
    if (is_signing_title(p, folded) || g_str_has_prefix(folded, "pho ") ||
        g_str_has_prefix(folded, "thu truong"))
        return NULL;
    for (guint i = 0; i < n; i++) {
        const char *w = words[i];
        if (!*w)
            return NULL;
        gunichar c = g_utf8_get_char(w);
        if (!g_unichar_isupper(c))
            return NULL;
        for (const char *q = g_utf8_next_char(w); *q; q = g_utf8_next_char(q))
            if (!g_unichar_islower(g_utf8_get_char(q)))
                return NULL;
    }
    return g_strdup(p);
}

/* A line that only a signature block has: "TM. CHÍNH PHỦ", "KT. BỘ TRƯỞNG", "(Đã ký)", or a
   signing title in capitals ("THỨ TRƯỞNG", "CHỦ TỊCH QUỐC HỘI"). */
static gboolean
is_strong_signing(const char *text, const char *folded)
{
    static const char *const marks[] = {"tm.", "kt.", "tl.", "tuq.", "(da ky)", "[ ky boi"};
    for (size_t i = 0; i < G_N_ELEMENTS(marks); i++)
        if (g_str_has_prefix(folded, marks[i]))
            return TRUE;
    return is_upper_text(text) && strlen(folded) < 60 && is_signing_word(folded) &&
           !has_digit(text);
}

/*
 * When the end of the text is an appendix (tables, forms), the signature sits where the body
 * ends. Looks through the whole text for the first person's name within four short lines under
 * a line that only a signature block has.
 */
static char *
find_signer_anywhere(const char *text, size_t len)
{
    int since_mark = 100;
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *q = memchr(p, '\n', end - p);
        if (!q)
            q = end;
        const char *a = p, *b = q;
        while (a < b && g_ascii_isspace(*a))
            a++;
        while (b > a && g_ascii_isspace(b[-1]))
            b--;
        p = q < end ? q + 1 : q;
        if (a == b)
            continue;
        if (b - a > 120) {
            since_mark = 100;
            continue;
        }
        /* Names, titles and "(Đã ký)" start with a capital or a bracket: other lines only
           count, without the cost of normalising them. */
        gunichar first = g_utf8_get_char(a);
        if (!g_unichar_isupper(first) && first != '(' && first != '[') {
            since_mark++;
            continue;
        }
        g_autofree char *line = tracuu_text_nfc(a, (gssize)(b - a));
        g_autofree char *folded = fold_str(line);
        if (since_mark <= 4) {
            char *name = person_name(line);
            if (name)
                return name;
        }
        since_mark = is_strong_signing(line, folded) ? 0 : since_mark + 1;
    }
    return NULL;
}

static char *
find_signer(GArray *tail)
{
    for (guint k = tail->len; k-- > 0;) {
        const cell *c = &g_array_index(tail, cell, k);
        char *name = person_name(c->text);
        if (!name)
            continue;
        /* A name counts only under a signing title a few cells above it. */
        for (guint j = k; j-- > 0 && j + 12 > k;) {
            const cell *t = &g_array_index(tail, cell, j);
            g_autofree char *f = fold_str(t->text);
            if (is_signing_title(t->text, f))
                return name;
        }
        g_free(name);
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Cites are not read here: the document writer takes them from the document-number tokens
   it makes while it indexes the text (indexer/docwriter.c), so the text is tokenized once. */

/* ---------------------------------------------------------------------------------------- */

/* Byte offset of the start of the @n-th line from the end of @text (@len bytes). */
static size_t
tail_start(const char *text, size_t len, int n, size_t max_bytes)
{
    size_t p = len;
    int lines = 0;
    while (p > 0 && len - p < max_bytes) {
        if (text[p - 1] == '\n' && p < len && !g_ascii_isspace(text[p])) {
            if (++lines >= n)
                return p;
        }
        p--;
    }
    if (p > 0) {
        /* Cut at a line start so the first line is whole. */
        while (p < len && text[p - 1] != '\n')
            p++;
    }
    return p;
}

/* Whether the digits of the capital line @s all number an administrative unit ("ỦY BAN NHÂN
   DÂN QUẬN 1", "PHƯỜNG 12"), so that the line can name an issuer; a line with any other digit
   ("SỐ: 12/QĐ", a date) cannot. */
static gboolean
is_numbered_unit(const char *s)
{
    g_auto(GStrv) words = g_strsplit(s, " ", -1);
    guint n = g_strv_length(words);
    for (guint i = 0; i < n; i++) {
        if (!has_digit(words[i]))
            continue;
        if (strspn(words[i], "0123456789") != strlen(words[i]) || i == 0 ||
            !(word_is(words[i - 1], "quận") || word_is(words[i - 1], "phường")))
            return FALSE;
    }
    return TRUE;
}

/*
 * The level of a độ mật stamp (Nghị định 30/2020, Phụ lục I, ô 10a: "MẬT", "TỐI MẬT" or
 * "TUYỆT MẬT" in capitals, a cell of its own, often in a box whose lines come out as
 * punctuation), or NULL. Only the whole cell counts and only in capitals with their
 * diacritics, so that "bí mật" in a sentence, "MẶT" (another word) or a heading holding the
 * word are never a stamp; @prev, the cell before it, stops a capital title cut after "BÍ"
 * ("BẢO VỆ BÍ" / "MẬT NHÀ NƯỚC" is cut at the line end, not a stamp).
 */
static const char *
stamp_level(const char *text, const cell *prev, int line)
{
    static const struct {
        const char *stamp;
        tracuu_level level;
    } stamps[] = {
        {"MẬT", TRACUU_LEVEL_MAT},
        {"TỐI MẬT", TRACUU_LEVEL_TOI_MAT},
        {"TUYỆT MẬT", TRACUU_LEVEL_TUYET_MAT},
    };
    const char *start = text;
    while (*start && !g_unichar_isalpha(g_utf8_get_char(start)))
        start = g_utf8_next_char(start);
    const char *end = start + strlen(start);
    while (end > start) {
        const char *before = g_utf8_find_prev_char(start, end);
        if (before == NULL || g_unichar_isalpha(g_utf8_get_char(before)))
            break;
        end = before;
    }
    size_t n = (size_t)(end - start);
    for (size_t i = 0; i < G_N_ELEMENTS(stamps); i++) {
        if (n != strlen(stamps[i].stamp) || memcmp(start, stamps[i].stamp, n) != 0)
            continue;
        if (prev != NULL && prev->line == line - 1) {
            g_autofree char *pf = fold_str(prev->text);
            if (strcmp(pf, "bi") == 0 || g_str_has_suffix(pf, " bi"))
                return NULL;
        }
        return tracuu_level_name(stamps[i].level);
    }
    return NULL;
}

static void
read_header(tracuu_docmeta *meta, const char *text, size_t len)
{
    const regexes *r = get_regexes();
    g_autoptr(GArray) cells = g_array_new(FALSE, FALSE, sizeof(cell));
    g_array_set_clear_func(cells, cell_clear);
    add_cells(cells, text, 0, MIN(len, HEAD_BYTES), HEAD_LINES);
    split_motto_cells(cells);

    /* The header ends where the body starts. */
    guint end = MIN(cells->len, HEAD_MAX_CELLS);
    for (guint i = 0; i < end; i++) {
        const char *ct = g_array_index(cells, cell, i).text;
        g_autofree char *f = fold_str(ct);
        if (starts_body(ct, f)) {
            end = i;
            break;
        }
    }

    int number_at = -1, heading_at = -1, date_at = -1, vv_at = -1;
    gboolean motto_seen = FALSE, party = FALSE;
    const char *number_type = NULL; /* from "Luật số:", "Nghị quyết số:" */
    /* The highest stamp of the header (a stamp is no issuer line: see the issuer below). */
    tracuu_level stamp = TRACUU_LEVEL_NONE;
    for (guint i = 0; i < end; i++) {
        const cell *c = &g_array_index(cells, cell, i);
        const char *sl = stamp_level(c->text, i > 0 ? &g_array_index(cells, cell, i - 1) : NULL,
                                     c->line);
        tracuu_level level;
        if (sl != NULL && tracuu_level_parse(sl, &level)) {
            stamp = MAX(stamp, level);
            continue;
        }
        g_autofree char *f = fold_str(c->text);
        gboolean motto = is_motto(c->text, f);
        motto_seen |= motto;
        party |= motto && strstr(f, "dang cong san viet nam") != NULL;
        if (!meta->number) {
            g_autoptr(GMatchInfo) m = NULL;
            if (g_regex_match(r->number_cell, c->text, 0, &m)) {
                g_autofree char *prefix = g_match_info_fetch(m, 1);
                g_autofree char *rest = g_match_info_fetch(m, 2);
                g_autofree char *pf = fold_str(prefix ? prefix : "");
                const char *pt = *pf ? type_for_prefix(pf) : NULL;
                if (!*pf || pt) {
                    /* "Số:" alone on its line, the number on the next. */
                    if (!*rest && i + 1 < end) {
                        g_free(rest);
                        rest = g_strdup(g_array_index(cells, cell, i + 1).text);
                    }
                    meta->number = clean_number(rest);
                    if (meta->number) {
                        number_at = i;
                        number_type = pt;
                    }
                }
            }
        }
        if (!meta->date) {
            char *place = NULL;
            meta->date = parse_date_cell(c->text, &place);
            /* "Thừa Thiên Huế, ngày 12 tháng 4 năm" with the year alone on the next line. */
            if (!meta->date && g_str_has_suffix(f, " nam") && i + 1 < end) {
                const char *next = g_array_index(cells, cell, i + 1).text;
                if (strlen(next) == 4 && has_digit(next) && strspn(next, "0123456789") == 4) {
                    g_autofree char *joined = g_strconcat(c->text, " ", next, NULL);
                    meta->date = parse_date_cell(joined, &place);
                }
            }
            if (meta->date) {
                meta->place = place;
                date_at = i;
                continue;
            }
        }
        if (motto)
            continue;
        if (heading_at < 0 && is_upper_text(c->text)) {
            const char *t = type_for_heading(f);
            if (t) {
                meta->doc_type = g_strdup(t);
                heading_at = i;
                continue;
            }
        }
        if (vv_at < 0 && after_vv(c->text))
            vv_at = i;
    }

    if (stamp > TRACUU_LEVEL_NONE)
        meta->secrecy = g_strdup(tracuu_level_name(stamp));

    /* The type: the heading, else the word before "số:", else the ký hiệu, else "V/v". */
    if (!meta->doc_type) {
        gboolean cong_van = FALSE;
        const char *t = number_type;
        if (!t && meta->number)
            t = type_for_number(meta->number, &cong_van);
        if (!t && (cong_van || vv_at >= 0) && meta->number)
            t = "Công văn";
        if (t)
            meta->doc_type = g_strdup(t);
    }

    /* The issuer: the capital lines at the top left, before the number, date and heading. */
    /* Poppler's reading order can put the place and date before the issuing unit
       ("TẬP ĐOÀN ... / Hà Nội, ngày ... / BAN CÔNG NGHỆ THÔNG TIN / Số: ..."), so the date
       ends the issuer's lines only when there is no number; date cells are skipped anyway. */
    int first_field = end;
    if (number_at >= 0)
        first_field = MIN(first_field, number_at);
    else if (date_at >= 0)
        first_field = MIN(first_field, date_at);
    if (heading_at >= 0)
        first_field = MIN(first_field, heading_at);
    GPtrArray *organs = g_ptr_array_new_with_free_func(g_free);
    gboolean motto_needs_vn = FALSE;
    for (int i = 0; i < first_field; i++) {
        const cell *c = &g_array_index(cells, cell, i);
        g_autofree char *f = fold_str(c->text);
        if (is_motto(c->text, f)) {
            /* "CỘNG HÒA XÃ HỘI CHỦ NGHĨA" may leave "VIỆT NAM" for the next line. */
            motto_needs_vn = !strstr(f, "viet nam") && strstr(f, "chu nghia");
            continue;
        }
        if (motto_needs_vn && strcmp(f, "viet nam") == 0 && c->col > 20) {
            motto_needs_vn = FALSE;
            continue;
        }
        if (stamp_level(c->text, i > 0 ? &g_array_index(cells, cell, i - 1) : NULL, c->line))
            continue;
        if (is_separator(c->text) || !is_upper_text(c->text) ||
            (has_digit(c->text) && !is_numbered_unit(c->text)))
            continue;
        /* A right-hand column on a side-by-side line is never the issuer. */
        if (c->col > 30 && organs->len > 0)
            continue;
        const char *prev = organs->len ? g_ptr_array_index(organs, organs->len - 1) : NULL;
        g_autofree char *pf = prev ? fold_str(prev) : NULL;
        gboolean cont = prev && (!starts_organ(f) || g_str_has_suffix(pf, "thuong vu"));
        if (cont) {
            char *joined = g_strconcat(prev, " ", c->text, NULL);
            g_ptr_array_index(organs, organs->len - 1) = joined;
            g_free((char *)prev);
        } else {
            g_ptr_array_add(organs, g_strdup(c->text));
        }
    }
    /* Capitals alone are no issuer: some part of the header layout must be there too. */
    if (organs->len > 0 && (number_at >= 0 || heading_at >= 0 || date_at >= 0 || motto_seen)) {
        size_t region = MIN(len, CASE_SEARCH_BYTES);
        /* A joint document (liên tịch) is issued by every organ of its header; any other by
           the last, the one under its parent, which may take a place or a name from the
           lines above it (qualify_organ). Three levels are the most a header has. */
        gboolean joint = meta->doc_type && strstr(meta->doc_type, "liên tịch");
        if (joint) {
            GString *issuer = g_string_new(NULL);
            for (guint k = 0; k < organs->len; k++) {
                g_autofree char *part = case_organs(text, region, g_ptr_array_index(organs, k));
                if (issuer->len)
                    g_string_append(issuer, " - ");
                g_string_append(issuer, part);
            }
            meta->issuer = g_string_free(issuer, FALSE);
        } else {
            char *name = NULL;
            const char *parent_upper = NULL;
            for (guint k = organs->len > 3 ? organs->len - 3 : 0; k < organs->len; k++) {
                const char *upper = g_ptr_array_index(organs, k);
                char *next = qualify_organ(text, region, parent_upper, name, upper, party);
                g_free(name);
                name = next;
                parent_upper = upper;
            }
            meta->issuer = name;
        }
    }
    g_ptr_array_unref(organs);

    /* The trích yếu: after the heading, or the "V/v" of a công văn. */
    if (vv_at >= 0 && (heading_at < 0 || vv_at > heading_at)) {
        const char *s = after_vv(g_array_index(cells, cell, vv_at).text);
        if (*s)
            meta->title = collect_title(cells, vv_at, end, s, TRUE, text, len);
    } else if (heading_at >= 0) {
        guint i = heading_at + 1;
        while (i < end && is_separator(g_array_index(cells, cell, i).text))
            i++;
        if (i < end) {
            const cell *c = &g_array_index(cells, cell, i);
            g_autofree char *f = fold_str(c->text);
            char *place = NULL;
            g_autofree char *date = parse_date_cell(c->text, &place);
            g_free(place);
            if (!date && !is_motto(c->text, f) && !g_str_has_prefix(f, "so:") &&
                !(is_upper_text(c->text) && is_authority(f)))
                meta->title = collect_title(cells, i, end, c->text, FALSE, text, len);
        }
    }
}

static void
read_tail(tracuu_docmeta *meta, const char *text, size_t len)
{
    size_t start = tail_start(text, len, TAIL_LINES, TAIL_BYTES);
    g_autoptr(GArray) cells = g_array_new(FALSE, FALSE, sizeof(cell));
    g_array_set_clear_func(cells, cell_clear);
    add_cells(cells, text, start, len, TAIL_LINES + 1);
    if (!meta->signer)
        meta->signer = find_signer(cells);

    /* A law carries no date in its header: it was passed on the date its last lines give. */
    if (!meta->date) {
        const regexes *r = get_regexes();
        g_autoptr(GMatchInfo) m = NULL;
        g_autofree char *tail = g_strndup(text + start, len - start);
        if (g_regex_match(r->date_passed, tail, 0, &m)) {
            g_autofree char *d = g_match_info_fetch(m, 1);
            g_autofree char *mo = g_match_info_fetch(m, 2);
            g_autofree char *y = g_match_info_fetch(m, 3);
            meta->date = iso_date(d, mo, y);
        }
    }
}

tracuu_docmeta *
tracuu_docmeta_extract(const char *text, gssize len)
{
    tracuu_docmeta *meta = g_new0(tracuu_docmeta, 1);
    if (!text)
        return meta;
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    n = MIN(n, MAX_TEXT);

    /* One valid NFC copy, so that every rule sees "ế" as one character whatever came in. */
    g_autofree char *valid = g_utf8_make_valid(text, n);
    size_t vlen = strlen(valid);

    /* Only the header and the end are read by rules, so only they are made NFC. */
    /* Both pieces end at a line end when one is near, else at a character boundary: a text
       without line ends must not make them the whole text. */
    size_t head_len = MIN(vlen, CASE_SEARCH_BYTES);
    size_t stop = MIN(vlen, head_len + 4096);
    while (head_len < stop && valid[head_len] != '\n')
        head_len++;
    while (head_len < vlen && ((guchar)valid[head_len] & 0xC0) == 0x80)
        head_len++;
    g_autofree char *head = tracuu_text_nfc(valid, (gssize)head_len);
    read_header(meta, head, strlen(head));

    size_t from = vlen > TAIL_BYTES ? vlen - TAIL_BYTES : 0;
    size_t floor = from > 4096 ? from - 4096 : 0;
    while (from > floor && valid[from - 1] != '\n')
        from--;
    while (from > 0 && from < vlen && ((guchar)valid[from] & 0xC0) == 0x80)
        from++;
    /* The signature block is where the body ends, which is not the end of the text when
       appendices follow; the last lines are read as cells only when no block is found, for
       pdftotext -layout puts "Nơi nhận:" and the signing title on one line. */
    meta->signer = find_signer_anywhere(valid, vlen);
    g_autofree char *tail = tracuu_text_nfc(valid + from, (gssize)(vlen - from));
    read_tail(meta, tail, strlen(tail));

    /* One spelling per value shown to people ("Uỷ ban" and "Ủy ban" are one issuer), so that
       facets do not split on the tone placement a text happens to use. */
    char **shown[] = {&meta->issuer, &meta->doc_type, &meta->title, &meta->signer, &meta->place};
    for (size_t i = 0; i < G_N_ELEMENTS(shown); i++) {
        if (!*shown[i])
            continue;
        char *fixed = tracuu_text_fix_tones(*shown[i], -1);
        g_free(*shown[i]);
        *shown[i] = fixed;
    }
    return meta;
}

void
tracuu_docmeta_free(tracuu_docmeta *meta)
{
    if (!meta)
        return;
    g_free(meta->number);
    g_free(meta->doc_type);
    g_free(meta->issuer);
    g_free(meta->date);
    g_free(meta->place);
    g_free(meta->title);
    g_free(meta->signer);
    g_free(meta->secrecy);
    g_free(meta);
}
