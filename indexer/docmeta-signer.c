/* docmeta-signer.c - the signer of an official document, from its signature block. */
#include "docmeta-private.h"

#include "tracuu-tokenizer.h"

#include <string.h>

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
    return is_signing_word(folded) || (docmeta_is_upper_text(text) && !docmeta_has_digit(text));
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
    g_autofree char *folded = tracuu_text_fold(p, -1);
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
    return docmeta_is_upper_text(text) && strlen(folded) < 60 && is_signing_word(folded) &&
           !docmeta_has_digit(text);
}

char *
docmeta_find_signer_anywhere(const char *text, size_t len)
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
        g_autofree char *folded = tracuu_text_fold(line, -1);
        if (since_mark <= 4) {
            char *name = person_name(line);
            if (name)
                return name;
        }
        since_mark = is_strong_signing(line, folded) ? 0 : since_mark + 1;
    }
    return NULL;
}

char *
docmeta_find_signer(GArray *tail)
{
    for (guint k = tail->len; k-- > 0;) {
        const cell *c = &g_array_index(tail, cell, k);
        char *name = person_name(c->text);
        if (!name)
            continue;
        /* A name counts only under a signing title a few cells above it. */
        for (guint j = k; j-- > 0 && j + 12 > k;) {
            const cell *t = &g_array_index(tail, cell, j);
            g_autofree char *f = tracuu_text_fold(t->text, -1);
            if (is_signing_title(t->text, f))
                return name;
        }
        g_free(name);
    }
    return NULL;
}
