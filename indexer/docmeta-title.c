/* docmeta-title.c - the trích yếu of an official document: the lines under its type. */
#include "docmeta-private.h"

#include "tracuu-tokenizer.h"

#include <string.h>

/* ---------------------------------------------------------------------------------------- */
/* Trích yếu. */

gboolean
docmeta_starts_body(const char *text, const char *folded)
{
    static const char *const words[] = {
        "can cu",       "kinh gui",    "dieu 1",    "chuong i", "phan i",
        "theo de nghi", "xet de nghi", "thuc hien", "noi nhan",
    };
    if (!g_unichar_isupper(g_utf8_get_char(text)))
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (docmeta_has_prefix_word(folded, words[i]))
            return TRUE;
    return FALSE;
}

gboolean
docmeta_is_authority(const char *folded)
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
        if (docmeta_has_prefix_word(folded, words[i]) ||
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
        if (docmeta_has_digit(words[i])) {
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
            found = docmeta_find_mixed_case(text, region, run, FALSE);
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

const char *
docmeta_after_vv(const char *c)
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
    g_autofree char *f = tracuu_text_fold(line, -1);
    return docmeta_type_for_prefix(f) != NULL || docmeta_starts_organ(f);
}

char *
docmeta_collect_title(GArray *cells, guint i, guint end, const char *first, gboolean vv,
                      const char *text, size_t len)
{
    GString *t = g_string_new(first);
    gboolean upper = docmeta_is_upper_text(first);
    int col = g_array_index(cells, cell, i).col;
    for (guint k = i + 1; k < end && k < i + 12; k++) {
        const cell *c = &g_array_index(cells, cell, k);
        g_autofree char *f = tracuu_text_fold(c->text, -1);
        char *place = NULL;
        g_autofree char *date = docmeta_parse_date_cell(c->text, &place);
        g_free(place);
        if (c->blank_before || date || docmeta_is_separator(c->text) ||
            docmeta_starts_body(c->text, f) || docmeta_is_motto(c->text, f) ||
            g_str_has_prefix(f, "so:") ||
            (docmeta_is_upper_text(c->text) && docmeta_is_authority(f)))
            break;
        gboolean cu = docmeta_is_upper_text(c->text);
        if (cu != upper && !(cu && docmeta_has_digit(c->text)))
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
