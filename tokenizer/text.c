/* text.c - normalising whole metadata values (issuer, type) the way terms are normalised. */
#include "tokenizer-private.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* Longest value normalised, in bytes; the rest is cut (documented in the header). */
#define MAX_VALUE (16u << 20)

/* Valid UTF-8 with runs of white space as one space and the ends trimmed. */
static GString *
clean_spaces(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    GString *out = g_string_sized_new(n + 1);
    bool pending_space = false;
    size_t i = 0;
    while (i < n) {
        uint32_t cp = tok_decode(s, n, i, &i);
        if (cp == 0 || u_isUWhiteSpace((UChar32)cp) || (cp < 0x20) || cp == 0x7F || cp == 0x200B) {
            pending_space = out->len > 0;
            continue;
        }
        if (tracuu_tok_is_invisible(cp))
            continue; /* as in terms: a soft hyphen or a joiner is not part of the text */
        if (pending_space) {
            g_string_append_c(out, ' ');
            pending_space = false;
        }
        char buf[4];
        g_string_append_len(out, buf, (gssize)tok_encode(cp, buf));
    }
    return out;
}

/* Case-folds and NFC-normalises valid UTF-8 into code points; returns them, *@n their count. */
static uint32_t *
fold_to_cps(const GString *str, size_t *n)
{
    *n = 0;
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    int32_t ulen = 0;
    u_strFromUTF8WithSub(NULL, 0, &ulen, str->str, (int32_t)str->len, 0xFFFD, NULL, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        return g_new0(uint32_t, 1);
    err = U_ZERO_ERROR;
    UChar *a = g_new(UChar, (gsize)ulen + 1);
    u_strFromUTF8WithSub(a, ulen + 1, NULL, str->str, (int32_t)str->len, 0xFFFD, NULL, &err);
    /* Full case folding can triple the length; NFC can again, in theory. */
    int32_t cap = ulen * 3 + 16;
    UChar *b = g_new(UChar, (gsize)cap);
    int32_t blen = u_strFoldCase(b, cap, a, ulen, U_FOLD_CASE_DEFAULT, &err);
    int32_t ccap = blen * 3 + 16;
    UChar *c = g_new(UChar, (gsize)ccap);
    int32_t clen = U_SUCCESS(err) ? unorm2_normalize(nfc, b, blen, c, ccap, &err) : 0;
    uint32_t *cps = g_new(uint32_t, (gsize)clen + 1);
    if (U_SUCCESS(err)) {
        for (int32_t k = 0; k < clen;) {
            UChar32 cp;
            U16_NEXT(c, k, clen, cp);
            cps[(*n)++] = (uint32_t)cp;
        }
    }
    g_free(a);
    g_free(b);
    g_free(c);
    return cps;
}

/* Moves tone marks into their canonical place in every Latin word of @cps. */
static void
fix_all_tones(uint32_t *cps, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (tracuu_tok_class_of(cps[i]) != TOK_LETTER) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && tracuu_tok_class_of(cps[j]) == TOK_LETTER)
            j++;
        tracuu_tok_fix_tones(cps + i, j - i);
        i = j;
    }
}

static char *
normalize(const char *text, gssize len, bool fold)
{
    if (!text)
        return g_strdup("");
    if (!tracuu_tok_tables_init())
        return g_strdup("");
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    GString *clean = clean_spaces(text, n);
    if (clean->len > MAX_VALUE) {
        /* ICU counts in int32_t; a metadata value is never this long. Cut at a character. */
        size_t cut = MAX_VALUE;
        while (cut > 0 && (clean->str[cut] & 0xC0) == 0x80)
            cut--;
        g_string_truncate(clean, cut);
    }
    size_t m;
    uint32_t *cps = fold_to_cps(clean, &m);
    g_string_free(clean, TRUE);
    fix_all_tones(cps, m);
    GString *out = g_string_sized_new(m + 1);
    char buf[4];
    for (size_t i = 0; i < m; i++) {
        uint32_t cp = cps[i];
        if (fold && !(cp = tracuu_tok_fold_cp(cp)))
            continue;
        g_string_append_len(out, buf, (gssize)tok_encode(cp, buf));
    }
    g_free(cps);
    return g_string_free(out, FALSE);
}

/* Pieces normalised at a time: cut at white space, where no composition can cross the cut. */
#define NFC_PIECE (64u << 10)
/* A piece without white space is cut here anyway, at a character, to bound memory. */
#define NFC_PIECE_MAX (16u << 20)

/* Appends @n bytes at @s, made valid and NFC, to @out. */
static void
nfc_piece(GString *out, const char *s, size_t n)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    int32_t ulen = 0, subs = 0;
    u_strFromUTF8WithSub(NULL, 0, &ulen, s, (int32_t)n, 0xFFFD, &subs, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) {
        g_autofree char *valid = g_utf8_make_valid(s, (gssize)n);
        g_string_append(out, valid);
        return;
    }
    err = U_ZERO_ERROR;
    UChar *u = g_new(UChar, (gsize)ulen + 1);
    u_strFromUTF8WithSub(u, ulen + 1, NULL, s, (int32_t)n, 0xFFFD, &subs, &err);
    /* Most text is NFC already: then the bytes are kept as they came. */
    if (U_SUCCESS(err) && subs == 0 && unorm2_spanQuickCheckYes(nfc, u, ulen, &err) == ulen &&
        U_SUCCESS(err)) {
        g_string_append_len(out, s, (gssize)n);
        g_free(u);
        return;
    }
    err = U_ZERO_ERROR;
    int32_t cap = ulen * 3 + 16;
    UChar *c = g_new(UChar, (gsize)cap);
    int32_t clen = unorm2_normalize(nfc, u, ulen, c, cap, &err);
    if (U_SUCCESS(err)) {
        int32_t blen = 0;
        UErrorCode e2 = U_ZERO_ERROR;
        u_strToUTF8(NULL, 0, &blen, c, clen, &e2);
        gsize at = out->len;
        g_string_set_size(out, at + (gsize)blen);
        e2 = U_ZERO_ERROR;
        u_strToUTF8(out->str + at, blen + 1, NULL, c, clen, &e2);
        out->str[at + (gsize)blen] = '\0';
    } else {
        g_autofree char *valid = g_utf8_make_valid(s, (gssize)n);
        g_string_append(out, valid);
    }
    g_free(u);
    g_free(c);
}

char *
tracuu_text_nfc(const char *text, gssize len)
{
    if (!text)
        return g_strdup("");
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    GString *out = g_string_sized_new(n + 1);
    size_t pos = 0;
    while (pos < n) {
        size_t end = pos + MIN(n - pos, (size_t)NFC_PIECE);
        while (end < n && end - pos < NFC_PIECE_MAX && text[end] != ' ' && text[end] != '\n' &&
               text[end] != '\t' && text[end] != '\r')
            end++;
        while (end < n && ((unsigned char)text[end] & 0xC0) == 0x80)
            end--; /* no white space in 16 MiB: cut before a character, not inside one */
        if (end <= pos)
            end = n;
        nfc_piece(out, text + pos, end - pos);
        pos = end;
    }
    return g_string_free(out, FALSE);
}

char *
tracuu_text_fix_tones(const char *text, gssize len)
{
    if (!text)
        return g_strdup("");
    if (!tracuu_tok_tables_init())
        return g_strdup("");
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    if (n > MAX_VALUE)
        n = MAX_VALUE;
    g_autofree char *nfc = tracuu_text_nfc(text, (gssize)n);
    /* Tone placement is decided on lowercase letters; each letter gets its case back after. */
    size_t m = 0, cap = strlen(nfc) + 1;
    uint32_t *cps = g_new(uint32_t, cap);
    gboolean *upper = g_new(gboolean, cap);
    const unsigned char *s = (const unsigned char *)nfc;
    for (size_t i = 0, end = strlen(nfc); i < end;) {
        uint32_t cp = tok_decode(s, end, i, &i);
        upper[m] = u_isupper((UChar32)cp);
        cps[m] = upper[m] ? (uint32_t)u_tolower((UChar32)cp) : cp;
        m++;
    }
    fix_all_tones(cps, m);
    GString *out = g_string_sized_new(cap);
    char buf[4];
    for (size_t i = 0; i < m; i++) {
        uint32_t cp = upper[i] ? (uint32_t)u_toupper((UChar32)cps[i]) : cps[i];
        g_string_append_len(out, buf, (gssize)tok_encode(cp, buf));
    }
    g_free(cps);
    g_free(upper);
    return g_string_free(out, FALSE);
}

char *
tracuu_text_normalize(const char *text, gssize len)
{
    return normalize(text, len, false);
}

char *
tracuu_text_fold(const char *text, gssize len)
{
    return normalize(text, len, true);
}

gunichar
tracuu_char_fold(gunichar c)
{
    if (!tracuu_tok_tables_init())
        return c;
    /* tracuu_tok_fold_cp() takes a case-folded code point, as terms hold. A character without
       a simple case folding may decompose to a capital (İ to I and a dot), folded once more. */
    uint32_t f = tracuu_tok_fold_cp((uint32_t)u_foldCase((UChar32)c, U_FOLD_CASE_DEFAULT));
    return f ? (gunichar)u_foldCase((UChar32)f, U_FOLD_CASE_DEFAULT) : 0;
}

gboolean
tracuu_char_is_dash(gunichar c)
{
    return tok_is_dash(c);
}
