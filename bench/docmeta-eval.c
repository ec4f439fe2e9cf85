/* docmeta-eval.c - measures tracuu_docmeta_extract() against the vbpl documents' own metadata. */
#include "tracuu-docmeta.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Where the truth comes from (printed with the results, so that a reader can judge it):
 *
 * - number and type: the document's "title" field, the portal's breadcrumb, which the data's
 *   README calls reliable for both ("Nghị định số 249/2025/NĐ-CP ...", "Luật ... số
 *   121/2025/QH15"). "so_hieu" is not used: the collector regex-extracted it and it is sometimes
 *   empty or wrong.
 * - date: "effective_date" is the date a document enters into force, often weeks after it is
 *   signed, so it is not the issue date. The truth is read the way a person reads it: the
 *   place-and-date line of the header ("Hà Nội, ngày 19 tháng 09 năm 2025", a line of its own
 *   among the first 15 lines), or for a law, which has none, the "thông qua ngày ..." sentence
 *   at its end. Documents whose text has neither have no date truth and are left out of the
 *   date figure (counted and printed). How often effective_date equals that date is printed too.
 * - title (trích yếu): the breadcrumb title without its leading "<type> số <number>".
 * - issuer: the enacting sentence of the body ("Bộ trưởng Bộ Tài chính ban hành Thông tư ..."),
 *   without the office of the person ("Bộ trưởng", "Thống đốc"...), where there is one.
 * Numbers are compared case-insensitively with spaces dropped and dashes made "-"; the
 * breadcrumb's Cyrillic look-alike letters (a "С" in "TT-BTС") are read as the Latin letters
 * they stand for. Texts are compared folded (no diacritics, lower case, single spaces).
 */

#define MAX_MISSES 15
#define MAX_MISSES_ENV "DOCMETA_EVAL_MISSES"

typedef struct {
    const char *name;
    int total, right;
    GPtrArray *misses;
} field_stat;

static void
stat_add(field_stat *s, const char *id, const char *want, const char *got, gboolean ok)
{
    s->total++;
    if (ok) {
        s->right++;
        return;
    }
    g_ptr_array_add(s->misses,
                    g_strdup_printf("%s: want \"%s\" got \"%s\"", id, want, got ? got : "(null)"));
}

static gunichar
fold_char(gunichar c)
{
    if (c == 0x0110 || c == 0x0111)
        return 'd';
    gunichar buf[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    if (g_unichar_fully_decompose(c, FALSE, buf, G_N_ELEMENTS(buf)) > 0)
        c = buf[0];
    return g_unichar_tolower(c);
}

/* Folded, punctuation at the ends dropped, white space runs made one space. */
static char *
fold(const char *s)
{
    GString *out = g_string_new(NULL);
    gboolean space = FALSE;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c)) {
            space = out->len > 0;
            continue;
        }
        /* Some breadcrumbs come decomposed (NFD): their combining marks go with the rest, and
           so do invisible format characters (U+200E). */
        if (g_unichar_ismark(c) || g_unichar_type(c) == G_UNICODE_FORMAT)
            continue;
        if (space)
            g_string_append_c(out, ' ');
        space = FALSE;
        g_string_append_unichar(out, fold_char(c));
    }
    while (out->len && strchr(".,;: ", out->str[out->len - 1]))
        g_string_truncate(out, out->len - 1);
    return g_string_free(out, FALSE);
}

static gunichar
latin_lookalike(gunichar c)
{
    static const struct {
        gunichar cyr, lat;
    } map[] = {{0x0421, 'C'}, {0x0441, 'c'}, {0x0410, 'A'}, {0x0430, 'a'}, {0x0415, 'E'},
               {0x0435, 'e'}, {0x041E, 'O'}, {0x043E, 'o'}, {0x0420, 'P'}, {0x0440, 'p'},
               {0x0422, 'T'}, {0x041D, 'H'}, {0x041A, 'K'}, {0x041C, 'M'}, {0x0412, 'B'},
               {0x0425, 'X'}, {0x0445, 'x'}};
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
        if (map[i].cyr == c)
            return map[i].lat;
    return c;
}

/* A number for comparison: lower case, no spaces, dashes made "-", look-alikes made Latin. */
static char *
number_key(const char *s)
{
    GString *out = g_string_new(NULL);
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = latin_lookalike(g_utf8_get_char(p));
        if (g_unichar_isspace(c))
            continue;
        if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212)
            c = '-';
        g_string_append_unichar(out, g_unichar_tolower(c));
    }
    return g_string_free(out, FALSE);
}

static const char *const type_names[] = {
    "Thông tư liên tịch",
    "Nghị quyết liên tịch",
    "Bộ luật",
    "Luật",
    "Pháp lệnh",
    "Lệnh",
    "Nghị quyết",
    "Nghị định",
    "Thông tư",
    "Quyết định",
    "Chỉ thị",
    "Thông báo",
    "Công văn",
    "Hiến pháp",
    "Văn bản hợp nhất",
};

/* The type the title starts with, or NULL. */
static const char *
title_type(const char *title, size_t *len)
{
    g_autofree char *ft = fold(title);
    for (size_t i = 0; i < G_N_ELEMENTS(type_names); i++) {
        g_autofree char *fn = fold(type_names[i]);
        size_t n = strlen(fn);
        if (strncmp(ft, fn, n) == 0 && (ft[n] == ' ' || ft[n] == '\0')) {
            *len = g_utf8_strlen(type_names[i], -1);
            return type_names[i];
        }
    }
    return NULL;
}

typedef struct {
    GRegex *title_number;
    GRegex *header_date;
    GRegex *passed_date;
    GRegex *enacting;
} regexes;

static regexes rx;

static void
regexes_init(void)
{
    GRegexCompileFlags f = G_REGEX_CASELESS;
    /* "số 81 /2025/TT- NHNN" or "Quyết định 1408/QĐ-BXD": a digit first, then "/" or "-"
       pieces, spaces allowed around the separators. */
    rx.title_number = g_regex_new("(?:\\bsố\\s*|^\\p{L}+(?:\\s+\\p{L}+){0,3}\\s+)"
                                  "(\\d[\\p{L}\\p{N}.]*(?:\\s*[/\\-\\x{2013}\\x{2014}]\\s*"
                                  "[\\p{L}\\p{N}.]+)+)",
                                  f, 0, NULL);
    rx.header_date = g_regex_new("^(?:([^\\d,]{2,40}),\\s*)?ngày\\s+(\\d{1,2})\\s+tháng\\s+"
                                 "(\\d{1,2})\\s+năm\\s+(\\d{4})\\.?$",
                                 f, 0, NULL);
    rx.passed_date = g_regex_new("thông qua ngày\\s+(\\d{1,2})\\s+tháng\\s+(\\d{1,2})\\s+năm"
                                 "\\s+(\\d{4})",
                                 f, 0, NULL);
    rx.enacting = g_regex_new("^(?:.*;\\s*)?(\\p{Lu}[^;]{2,120}?)\\s+ban hành\\b", f, 0, NULL);
    g_assert(rx.title_number && rx.header_date && rx.passed_date && rx.enacting);
}

/* The number the title gives: the first "số N" (the last one for a law, whose title names the
   law it amends first). Caller frees. */
static char *
truth_number(const char *title, const char *type)
{
    g_autoptr(GMatchInfo) m = NULL;
    char *found = NULL;
    gboolean last = type && (strcmp(type, "Luật") == 0 || strcmp(type, "Bộ luật") == 0);
    g_regex_match(rx.title_number, title, 0, &m);
    while (g_match_info_matches(m)) {
        g_free(found);
        found = g_match_info_fetch(m, 1);
        if (!last)
            break;
        g_match_info_next(m, NULL);
    }
    return found;
}

static char *
ymd(GMatchInfo *m, int first)
{
    g_autofree char *d = g_match_info_fetch(m, first);
    g_autofree char *mo = g_match_info_fetch(m, first + 1);
    g_autofree char *y = g_match_info_fetch(m, first + 2);
    int dd = atoi(d), mm = atoi(mo), yy = atoi(y);
    if (!g_date_valid_dmy(dd, mm, yy))
        return NULL;
    return g_strdup_printf("%04d-%02d-%02d", yy, mm, dd);
}

/* The issue date as a person reads it (see the comment at the top), and in *@place the place
   written before it on the same line (NULL if none). Caller frees both. */
static char *
truth_date(const char *text, char **place)
{
    *place = NULL;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    int seen = 0;
    for (int i = 0; lines[i] && seen < 15; i++) {
        /* Some texts come decomposed (NFD); a reader sees the same letters. */
        g_autofree char *nfc = g_utf8_normalize(lines[i], -1, G_NORMALIZE_NFC);
        if (!nfc)
            continue;
        char *l = g_strstrip(nfc);
        if (!*l)
            continue;
        seen++;
        g_autoptr(GMatchInfo) m = NULL;
        if (g_regex_match(rx.header_date, l, 0, &m)) {
            char *p = g_match_info_fetch(m, 1);
            if (p && *g_strstrip(p))
                *place = p;
            else
                g_free(p);
            return ymd(m, 2);
        }
    }
    guint n = g_strv_length(lines);
    for (guint i = n > 10 ? n - 10 : 0; i < n; i++) {
        g_autofree char *nfc = g_utf8_normalize(lines[i], -1, G_NORMALIZE_NFC);
        g_autoptr(GMatchInfo) m = NULL;
        if (nfc && g_regex_match(rx.passed_date, nfc, 0, &m))
            return ymd(m, 1);
    }
    return NULL;
}

/* "dd/mm/yyyy" to ISO, or NULL. */
static char *
iso_from_dmy(const char *s)
{
    int d, m, y;
    if (!s || sscanf(s, "%d/%d/%d", &d, &m, &y) != 3 || !g_date_valid_dmy(d, m, y))
        return NULL;
    return g_strdup_printf("%04d-%02d-%02d", y, m, d);
}

/* The trích yếu the breadcrumb gives: the title after "<type> số <number>". Caller frees. */
static char *
truth_title(const char *title, const char *type, size_t type_chars)
{
    if (!type || strcmp(type, "Luật") == 0 || strcmp(type, "Bộ luật") == 0)
        return NULL; /* a law's title is its name, with the number at the end */
    const char *p = g_utf8_offset_to_pointer(title, type_chars);
    g_autoptr(GMatchInfo) m = NULL;
    if (!g_regex_match(rx.title_number, title, 0, &m))
        return NULL;
    int s, e;
    g_match_info_fetch_pos(m, 1, &s, &e);
    p = title + e;
    while (*p == ' ' || *p == ',' || *p == ':')
        p++;
    return *p ? g_strdup(p) : NULL;
}

/* The issuer the enacting sentence names. Caller frees. */
static char *
truth_issuer(const char *text)
{
    /* The person's office before the organ's name; "Tổng Thanh tra Chính phủ" heads the
       Thanh tra Chính phủ and "Tổng Kiểm toán nhà nước" the Kiểm toán nhà nước. */
    static const char *const offices[] = {
        "Bộ trưởng ", "Thống đốc ", "Tổng ", "Chánh án ", "Viện trưởng ", "Chủ tịch ",
    };
    g_auto(GStrv) lines = g_strsplit(text, "\n", 80);
    gboolean after_basis = FALSE;
    for (int i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if (g_str_has_prefix(l, "Điều 1") || g_str_has_prefix(l, "Chương I"))
            break;
        /* The enacting sentence follows the "Căn cứ" lines; a "ban hành" before them is in
           the trích yếu. */
        if (g_str_has_prefix(l, "Căn cứ")) {
            after_basis = TRUE;
            continue;
        }
        if (!after_basis)
            continue;
        g_autoptr(GMatchInfo) m = NULL;
        if (!g_regex_match(rx.enacting, l, 0, &m))
            continue;
        g_autofree char *who = g_match_info_fetch(m, 1);
        if (g_str_has_prefix(who, "Theo "))
            continue;
        const char *p = who;
        for (size_t k = 0; k < G_N_ELEMENTS(offices); k++) {
            if (g_str_has_prefix(p, offices[k])) {
                p += strlen(offices[k]);
                break;
            }
        }
        return g_strdup(p);
    }
    return NULL;
}

static gboolean
same_folded(const char *a, const char *b)
{
    if (!a || !b)
        return FALSE;
    g_autofree char *fa = fold(a);
    g_autofree char *fb = fold(b);
    return strcmp(fa, fb) == 0;
}

/* TRUE if @s starts with @prefix (folded, at a word boundary): the breadcrumb cuts long
   titles short, mid-word at times. A prefix under 30 characters proves too little. */
static gboolean
starts_folded(const char *s, const char *prefix)
{
    if (!s)
        return FALSE;
    g_autofree char *fs = fold(s);
    g_autofree char *fp = fold(prefix);
    size_t n = strlen(fp);
    return n >= 30 && strncmp(fs, fp, n) == 0;
}

static void
print_stat(const field_stat *s)
{
    double pct = s->total ? 100.0 * s->right / s->total : 0.0;
    printf("%-8s %4d / %4d  %6.2f%%\n", s->name, s->right, s->total, pct);
}

static void
print_misses(const field_stat *s)
{
    if (s->misses->len == 0)
        return;
    /* Limited so that the output stays readable; DOCMETA_EVAL_MISSES=n shows more. */
    const char *env = g_getenv(MAX_MISSES_ENV);
    guint max = env ? (guint)atoi(env) : MAX_MISSES;
    printf("\nmisses for %s (%u):\n", s->name, s->misses->len);
    for (guint i = 0; i < s->misses->len && i < max; i++)
        printf("  %s\n", (char *)g_ptr_array_index(s->misses, i));
    if (s->misses->len > max)
        printf("  ... and %u more\n", s->misses->len - max);
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    const char *path = argc > 1 ? argv[1] : NULL;
    g_autofree char *default_path = NULL;
    if (!path) {
        const char *shared = g_getenv("TRACUU_SHARED_DATA");
        default_path = shared ? g_build_filename(shared, "vbpl", "docs.jsonl", NULL)
                              : g_strdup("../shared/data/vbpl/docs.jsonl");
        path = default_path;
    }
    g_autofree char *data = NULL;
    gsize data_len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &data, &data_len, &error)) {
        fprintf(stderr, "docmeta-eval: %s\n", error->message);
        return 2;
    }
    regexes_init();

    field_stat number = {"number", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    field_stat type = {"type", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    field_stat date = {"date", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    field_stat place = {"place", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    field_stat title = {"title", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    field_stat title_prefix = {"title~", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    field_stat issuer = {"issuer", 0, 0, g_ptr_array_new_with_free_func(g_free)};
    int docs = 0, no_date_truth = 0, eff_same = 0, eff_total = 0, signers = 0;
    int dates_unchecked = 0;
    gint64 t0 = g_get_monotonic_time();
    gint64 extract_us = 0;

    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        if (!*lines[i])
            continue;
        g_autoptr(JsonParser) parser = json_parser_new();
        if (!json_parser_load_from_data(parser, lines[i], -1, &error)) {
            fprintf(stderr, "docmeta-eval: line %d: %s\n", i + 1, error->message);
            return 2;
        }
        JsonObject *o = json_node_get_object(json_parser_get_root(parser));
        const char *id = json_object_get_string_member_with_default(o, "id", "?");
        const char *t = json_object_get_string_member_with_default(o, "title", "");
        const char *text = json_object_get_string_member_with_default(o, "text", "");
        const char *eff = json_object_get_string_member_with_default(o, "effective_date", "");
        docs++;

        gint64 s = g_get_monotonic_time();
        g_autoptr(tracuu_docmeta) meta = tracuu_docmeta_extract(text, -1);
        extract_us += g_get_monotonic_time() - s;
        signers += meta->signer != NULL;

        size_t type_chars = 0;
        const char *want_type = title_type(t, &type_chars);
        if (want_type)
            stat_add(&type, id, want_type, meta->doc_type, same_folded(want_type, meta->doc_type));

        g_autofree char *want_number = truth_number(t, want_type);
        if (want_number) {
            g_autofree char *a = number_key(want_number);
            g_autofree char *b = meta->number ? number_key(meta->number) : NULL;
            stat_add(&number, id, want_number, meta->number, b && strcmp(a, b) == 0);
        }

        g_autofree char *want_place = NULL;
        g_autofree char *want_date = truth_date(text, &want_place);
        if (want_place)
            stat_add(&place, id, want_place, meta->place, same_folded(want_place, meta->place));
        if (want_date) {
            stat_add(&date, id, want_date, meta->date,
                     meta->date && strcmp(want_date, meta->date) == 0);
            g_autofree char *e = iso_from_dmy(eff);
            if (e) {
                eff_total++;
                eff_same += strcmp(e, want_date) == 0;
            }
        } else {
            no_date_truth++;
            /* A date where a person finds none is a guess: count and show them. */
            if (meta->date) {
                dates_unchecked++;
                printf("date without truth: %s gave %s\n", id, meta->date);
            }
        }

        g_autofree char *want_title = truth_title(t, want_type, type_chars);
        if (want_title) {
            gboolean exact = same_folded(want_title, meta->title);
            stat_add(&title, id, want_title, meta->title, exact);
            stat_add(&title_prefix, id, want_title, meta->title,
                     exact || starts_folded(meta->title, want_title));
        }

        g_autofree char *want_issuer = truth_issuer(text);
        if (want_issuer)
            stat_add(&issuer, id, want_issuer, meta->issuer,
                     same_folded(want_issuer, meta->issuer));
    }
    gint64 total_us = g_get_monotonic_time() - t0;

    printf("docmeta-eval: %d documents from %s\n", docs, path);
    printf(
        "truth: number and type from the title field; date from the header's place-and-date "
        "line (or a law's \"thông qua ngày\"), %d documents without one left out; title from "
        "the title field after \"<type> số <number>\"; issuer from the enacting sentence "
        "(\"... ban hành\"); title~ also counts a title that starts with a breadcrumb cut short\n",
        no_date_truth);
    printf("effective_date equals that date in %d of %d documents, so it is not used as the "
           "issue date\n",
           eff_same, eff_total);
    printf("dates given for the %d documents without a date truth: %d (listed above)\n\n",
           no_date_truth, dates_unchecked);
    print_stat(&number);
    print_stat(&type);
    print_stat(&date);
    print_stat(&place);
    print_stat(&title);
    print_stat(&title_prefix);
    print_stat(&issuer);
    /* Cites are the document writer's now (indexer/docwriter.c): not measured here. */
    printf("\nsigner found in %d of %d documents\n", signers, docs);
    printf("time: %.1f ms extracting, %.1f ms in all\n", extract_us / 1000.0, total_us / 1000.0);
    print_misses(&number);
    print_misses(&type);
    print_misses(&date);
    print_misses(&place);
    print_misses(&title_prefix);
    print_misses(&issuer);

    gboolean pass = TRUE;
    const field_stat *gated[] = {&number, &type, &date};
    for (size_t k = 0; k < G_N_ELEMENTS(gated); k++)
        if (gated[k]->total == 0 || gated[k]->right * 100 < gated[k]->total * 95)
            pass = FALSE;
    printf("\n%s: number, type and date must each be at least 95%%\n", pass ? "PASS" : "FAIL");

    field_stat *all[] = {&number, &type, &date, &place, &title, &title_prefix, &issuer};
    for (size_t k = 0; k < G_N_ELEMENTS(all); k++)
        g_ptr_array_unref(all[k]->misses);
    return pass ? 0 : 1;
}
