/* docmeta.c - the metadata of a Vietnamese official document, read from its header and end. */
#include "docmeta-private.h"

#include "tracuu-conf.h"
#include "tracuu-schema-rules.h"
#include "tracuu-tokenizer.h"

#include <string.h>

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

static void
cell_clear(gpointer data)
{
    cell *c = data;
    g_free(c->text);
}

/* ---------------------------------------------------------------------------------------- */
/* Small helpers on characters and strings. */

gboolean
docmeta_has_prefix_word(const char *folded, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(folded, prefix, n) != 0)
        return FALSE;
    char next = folded[n];
    return next == '\0' || !g_ascii_isalnum(next);
}

gboolean
docmeta_is_upper_text(const char *s)
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

gboolean
docmeta_has_digit(const char *s)
{
    for (; *s; s++)
        if (g_ascii_isdigit(*s))
            return TRUE;
    return FALSE;
}

gboolean
docmeta_is_separator(const char *s)
{
    int n = 0;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c))
            continue;
        if (!(tracuu_char_is_dash(c) || c == '_' || c == '*' || c == '=' || c == '.' || c == '~' ||
              c == 0x00B7 || c == 0x2026))
            return FALSE;
        n++;
    }
    return n >= 3;
}

char *
docmeta_squeeze_spaces(const char *s, gssize len)
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
        char *text = docmeta_squeeze_spaces(line + start, last - start);
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

const char *
docmeta_type_for_prefix(const char *folded)
{
    for (size_t i = 0; i < G_N_ELEMENTS(type_names); i++)
        if (docmeta_has_prefix_word(folded, type_names[i].folded))
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
    if (d && n == 2 && !docmeta_has_digit(last))
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
    GRegex *passed_self; /* "Nghị quyết này được ... thông qua ... ngày ...", anywhere */
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
    /* "thông qua tại Phiên họp thứ 49 ngày ..." (Ủy ban Thường vụ Quốc hội) */
    r->date_passed = g_regex_new("thông\\s+qua(?:\\s+tại\\s+[^.\\n]{1,80}?)?\\s+ngày\\s+(\\d{1,2})\\s+tháng\\s+(\\d{1,2})\\s+"
                                 "năm\\s+(\\d{4})",
                                 f, 0, NULL);
    r->passed_self = g_regex_new("\\bnày\\s+được\\s+[^.\\n]{1,200}?thông\\s+qua(?:\\s+tại\\s+"
                                 "[^.\\n]{1,80}?)?\\s+ngày\\s+(\\d{1,2})\\s+tháng\\s+(\\d{1,2})\\s+"
                                 "năm\\s+(\\d{4})",
                                 f, 0, NULL);
    g_assert(r->number_cell && r->number_text && r->date_words && r->date_slash && r->date_passed &&
             r->passed_self);
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
    g_autofree char *written = tracuu_schema_number_written(raw, -1);
    GString *out = g_string_new(written);
    while (out->len > 0 && out->str[out->len - 1] == '.')
        g_string_truncate(out, out->len - 1);
    gboolean sep = strchr(out->str, '/') || strchr(out->str, '-');
    if (!sep || !g_ascii_isdigit(out->str[0]) || !docmeta_has_digit(out->str)) {
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

char *
docmeta_parse_date_cell(const char *c, char **place)
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
        if (!docmeta_has_digit(words[i]))
            continue;
        if (strspn(words[i], "0123456789") != strlen(words[i]) || i == 0 ||
            !(docmeta_word_is(words[i - 1], "quận") || docmeta_word_is(words[i - 1], "phường")))
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
            g_autofree char *pf = tracuu_text_fold(prev->text, -1);
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
    docmeta_split_motto_cells(cells);

    /* The header ends where the body starts. */
    guint end = MIN(cells->len, HEAD_MAX_CELLS);
    for (guint i = 0; i < end; i++) {
        const char *ct = g_array_index(cells, cell, i).text;
        g_autofree char *f = tracuu_text_fold(ct, -1);
        if (docmeta_starts_body(ct, f)) {
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
        g_autofree char *f = tracuu_text_fold(c->text, -1);
        gboolean motto = docmeta_is_motto(c->text, f);
        motto_seen |= motto;
        party |= motto && strstr(f, "dang cong san viet nam") != NULL;
        if (!meta->number) {
            g_autoptr(GMatchInfo) m = NULL;
            if (g_regex_match(r->number_cell, c->text, 0, &m)) {
                g_autofree char *prefix = g_match_info_fetch(m, 1);
                g_autofree char *rest = g_match_info_fetch(m, 2);
                g_autofree char *pf = tracuu_text_fold(prefix ? prefix : "", -1);
                const char *pt = *pf ? docmeta_type_for_prefix(pf) : NULL;
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
            meta->date = docmeta_parse_date_cell(c->text, &place);
            /* "Thừa Thiên Huế, ngày 12 tháng 4 năm" with the year alone on the next line. */
            if (!meta->date && g_str_has_suffix(f, " nam") && i + 1 < end) {
                const char *next = g_array_index(cells, cell, i + 1).text;
                if (strlen(next) == 4 && docmeta_has_digit(next) &&
                    strspn(next, "0123456789") == 4) {
                    g_autofree char *joined = g_strconcat(c->text, " ", next, NULL);
                    meta->date = docmeta_parse_date_cell(joined, &place);
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
        if (heading_at < 0 && docmeta_is_upper_text(c->text)) {
            const char *t = type_for_heading(f);
            if (t) {
                meta->doc_type = g_strdup(t);
                heading_at = i;
                continue;
            }
        }
        if (vv_at < 0 && docmeta_after_vv(c->text))
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
        g_autofree char *f = tracuu_text_fold(c->text, -1);
        if (docmeta_is_motto(c->text, f)) {
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
        if (docmeta_is_separator(c->text) || !docmeta_is_upper_text(c->text) ||
            (docmeta_has_digit(c->text) && !is_numbered_unit(c->text)))
            continue;
        /* A right-hand column on a side-by-side line is never the issuer. */
        if (c->col > 30 && organs->len > 0)
            continue;
        const char *prev = organs->len ? g_ptr_array_index(organs, organs->len - 1) : NULL;
        g_autofree char *pf = prev ? tracuu_text_fold(prev, -1) : NULL;
        gboolean cont = prev && (!docmeta_starts_organ(f) || g_str_has_suffix(pf, "thuong vu"));
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
                g_autofree char *part =
                    docmeta_case_organs(text, region, g_ptr_array_index(organs, k));
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
                char *next = docmeta_qualify_organ(text, region, parent_upper, name, upper, party);
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
        const char *s = docmeta_after_vv(g_array_index(cells, cell, vv_at).text);
        if (*s)
            meta->title = docmeta_collect_title(cells, vv_at, end, s, TRUE, text, len);
    } else if (heading_at >= 0) {
        guint i = heading_at + 1;
        while (i < end && docmeta_is_separator(g_array_index(cells, cell, i).text))
            i++;
        if (i < end) {
            const cell *c = &g_array_index(cells, cell, i);
            g_autofree char *f = tracuu_text_fold(c->text, -1);
            char *place = NULL;
            g_autofree char *date = docmeta_parse_date_cell(c->text, &place);
            g_free(place);
            if (!date && !docmeta_is_motto(c->text, f) && !g_str_has_prefix(f, "so:") &&
                !(docmeta_is_upper_text(c->text) && docmeta_is_authority(f)))
                meta->title = docmeta_collect_title(cells, i, end, c->text, FALSE, text, len);
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
        meta->signer = docmeta_find_signer(cells);

    /* A law carries no date in its header: it was passed on the date its last lines give. */
    if (!meta->date) {
        const regexes *r = get_regexes();
        g_autoptr(GMatchInfo) m = NULL;
        g_autofree char *tail = g_strndup(text + start, len - start);
        /* An appendix after the signature pushes the sentence out of the tail; then only the
           sentence about the document itself ("... này được ... thông qua") is trusted. */
        gboolean found = g_regex_match(r->date_passed, tail, 0, &m);
        if (!found) {
            g_clear_pointer(&m, g_match_info_free);
            found = g_regex_match_full(r->passed_self, text, (gssize)len, 0, 0, &m, NULL);
        }
        if (found) {
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
    meta->relations = g_ptr_array_new_with_free_func(docmeta_relation_free);
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
    meta->signer = docmeta_find_signer_anywhere(valid, vlen);
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
    docmeta_read_relations(meta, valid, vlen);
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
    g_ptr_array_unref(meta->relations);
    g_free(meta->effective_date);
    g_free(meta->end_date);
    g_free(meta);
}
