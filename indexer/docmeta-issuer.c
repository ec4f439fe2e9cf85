/* docmeta-issuer.c - the issuer of an official document, named as Nghị định 30/2020 names it. */
#include "docmeta-private.h"

#include "tracuu-tokenizer.h"

#include <string.h>

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

gboolean
docmeta_starts_organ(const char *folded)
{
    for (size_t i = 0; i < G_N_ELEMENTS(organ_words); i++)
        if (docmeta_has_prefix_word(folded, organ_words[i]))
            return TRUE;
    return FALSE;
}

gboolean
docmeta_is_motto(const char *text, const char *folded)
{
    gboolean upper = docmeta_is_upper_text(text);
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
            if (tracuu_char_fold(c) != (gunichar)(guchar)*n)
                break;
            t = g_utf8_next_char(t);
            n++;
        }
        if (!*n)
            return p;
    }
    return NULL;
}

void
docmeta_split_motto_cells(GArray *cells)
{
    for (guint i = 0; i < cells->len; i++) {
        cell *c = &g_array_index(cells, cell, i);
        if (!docmeta_is_upper_text(c->text))
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

char *
docmeta_find_mixed_case(const char *text, size_t len, const char *needle, gboolean initial_upper)
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
            return docmeta_squeeze_spaces(p, t - p);
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
    g_autofree char *folded = tracuu_text_fold(low, -1);
    for (size_t i = 0; i < G_N_ELEMENTS(organ_words); i++) {
        size_t len = strlen(organ_words[i]);
        if (len > best && docmeta_has_prefix_word(folded, organ_words[i])) {
            guint w = 1;
            for (const char *q = organ_words[i]; *q; q++)
                w += *q == ' ';
            second = w;
            best = len;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(generic_organs); i++)
        if (docmeta_has_prefix_word(folded, generic_organs[i]))
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
    char *whole = docmeta_find_mixed_case(text, len, upper, FALSE);
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
            found = docmeta_find_mixed_case(text, region, run, TRUE);
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

gboolean
docmeta_word_is(const char *w, const char *lower)
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
            same = docmeta_word_is(words[i + w], noun[w]);
        if (!same)
            continue;
        for (size_t x = 0; x < G_N_ELEMENTS(not_places); x++)
            if (docmeta_word_is(words[i + len], not_places[x]))
                return 0;
        if (strcmp(admin_nouns[k], "xã") == 0 && i >= 2 && docmeta_word_is(words[i - 2], "hợp") &&
            docmeta_word_is(words[i - 1], "tác"))
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
        gboolean special =
            docmeta_word_is(words[i], "thủ") ||
            (docmeta_word_is(words[i], "thành") && j + 2 < n && docmeta_word_is(words[j], "hồ") &&
             docmeta_word_is(words[j + 1], "chí") && docmeta_word_is(words[j + 2], "minh"));
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
            if (admin_noun_at(words, n, k) || docmeta_word_is(words[k], "và") || words[k][0] == '(')
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
    g_autofree char *folded = tracuu_text_fold(cased, -1);
    guint head_words = 0;
    size_t best = 0;
    int head = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(organ_heads); i++) {
        size_t len = strlen(organ_heads[i].folded);
        if (len > best && docmeta_has_prefix_word(folded, organ_heads[i].folded)) {
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
            if (docmeta_word_is(words[i], proper[k][0]) && strcmp(second, proper[k][1]) == 0) {
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
        g_autofree char *f = tracuu_text_fold(words[i], -1);
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

char *
docmeta_case_organs(const char *text, size_t len, const char *upper)
{
    g_auto(GStrv) parts = g_strsplit(upper, " - ", -1);
    guint n = g_strv_length(parts);
    gboolean list = n > 1;
    for (guint i = 0; i < n && list; i++) {
        g_autofree char *f = tracuu_text_fold(parts[i], -1);
        list = docmeta_starts_organ(f);
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
    g_autofree char *f = tracuu_text_fold(upper, -1);
    for (size_t i = 0; i < G_N_ELEMENTS(authorities); i++) {
        if (!docmeta_has_prefix_word(f, authorities[i]))
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
    g_autofree char *f = tracuu_text_fold(upper, -1);
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
    g_autofree char *pf = tracuu_text_fold(place_name, -1);
    if (*pf && find_folded(upper, pf))
        return TRUE;
    g_autofree char *own = local_authority_place(upper);
    return own != NULL;
}

char *
docmeta_qualify_organ(const char *text, size_t len, const char *parent_upper, const char *parent,
                      const char *upper, gboolean party)
{
    g_autofree char *own = expand_organ_abbrevs(upper);
    g_autofree char *name = case_organ_name(text, len, own);
    if (!parent_upper)
        return g_steal_pointer(&name);
    g_autofree char *pu = expand_organ_abbrevs(parent_upper);
    g_autofree char *pf = tracuu_text_fold(pu, -1);
    g_autofree char *f = tracuu_text_fold(own, -1);

    if (party && docmeta_has_prefix_word(pf, "ban chap hanh trung uong")) {
        if (strcmp(f, "van phong") == 0)
            return g_strdup("Văn phòng Trung ương Đảng");
        /* Its departments are "of the Centre"; a body with a name of its own ("Đảng ủy Ngoài
           nước") is not renamed. */
        gboolean department = docmeta_has_prefix_word(f, "ban") ||
                              docmeta_has_prefix_word(f, "uy ban kiem tra") ||
                              docmeta_has_prefix_word(f, "hoi dong");
        if (department && !strstr(f, "trung uong"))
            return g_strconcat(name, " Trung ương", NULL);
        return g_steal_pointer(&name);
    }
    if (docmeta_has_prefix_word(pf, "dang bo")) {
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
        committee |= docmeta_has_prefix_word(pf, party_committees[i]);
    if (committee && (docmeta_has_prefix_word(f, "ban") || strcmp(f, "van phong") == 0 ||
                      docmeta_has_prefix_word(f, "uy ban kiem tra")))
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
