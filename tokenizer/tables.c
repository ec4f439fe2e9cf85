/* tables.c - character tables for the fast path, and the Vietnamese tone-mark placement. */
#include "tokenizer-private.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include <string.h>

tok_cpinfo tracuu_tok_table[TOK_TABLE_SIZE];

/*
 * The 72 lowercase Vietnamese vowels, one row per base, tones in the order: none, huyền (grave),
 * sắc (acute), hỏi (hook above), ngã (tilde), nặng (dot below).
 */
static const char *const vn_vowel_rows[TOK_VN_BASES] = {
    "aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
    "oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
};
enum { VN_A, VN_AW, VN_AA, VN_E, VN_EE, VN_I, VN_O, VN_OO, VN_OW, VN_U, VN_UW, VN_Y };

static uint32_t vn_vowels[TOK_VN_BASES][6];
static const UNormalizer2 *nfd_instance;

static bool
is_latin_letter_range(uint32_t cp)
{
    return cp < 0x370 || (cp >= 0x1E00 && cp < 0x1F00);
}

static bool
is_letter_type(int8_t t)
{
    return t == U_UPPERCASE_LETTER || t == U_LOWERCASE_LETTER || t == U_TITLECASE_LETTER ||
           t == U_MODIFIER_LETTER || t == U_OTHER_LETTER;
}

/*
 * Scripts written without spaces, which ICU splits by dictionary or by its own rules (Thai,
 * Lao, Khmer, Myanmar: line break class SA; Chinese and Japanese). Letters of every other
 * script join as UAX #29 joins them, which our scanner does: "ngµy" (µ folds to Greek μ) stays
 * one word, as ICU would keep it.
 */
static bool
is_complex_script(uint32_t cp)
{
    int32_t lb = u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK);
    if (lb == U_LB_COMPLEX_CONTEXT || lb == U_LB_IDEOGRAPHIC ||
        lb == U_LB_CONDITIONAL_JAPANESE_STARTER ||
        u_getIntPropertyValue((UChar32)cp, UCHAR_WORD_BREAK) == U_WB_KATAKANA ||
        u_hasBinaryProperty((UChar32)cp, UCHAR_IDEOGRAPHIC))
        return true;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript((UChar32)cp, &err);
    return U_SUCCESS(err) && (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA ||
                              sc == USCRIPT_KATAKANA || sc == USCRIPT_BOPOMOFO);
}

static int
class_by_icu(uint32_t cp)
{
    int8_t t = u_charType((UChar32)cp);
    if (is_letter_type(t))
        return is_latin_letter_range(cp) || !is_complex_script(cp) ? TOK_LETTER : TOK_COMPLEX;
    /* Invisible format characters inside a word (a soft hyphen, a zero width joiner) keep
     * it whole, as in UAX #29; the term leaves them out (tracuu_tok_is_invisible). */
    if (t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK ||
        (t == U_FORMAT_CHAR && cp != 0x200B))
        return TOK_MARK;
    if (t == U_DECIMAL_DIGIT_NUMBER)
        return TOK_DIGIT;
    return TOK_SEP;
}

int
tracuu_tok_class_of(uint32_t cp)
{
    if (cp < TOK_TABLE_SIZE)
        return tracuu_tok_table[cp].cls;
    return class_by_icu(cp);
}

static bool
fill_tables(void)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
    if (U_FAILURE(err))
        return false;
    nfd_instance = nfd;

    for (unsigned b = 0; b < TOK_VN_BASES; b++) {
        const unsigned char *p = (const unsigned char *)vn_vowel_rows[b];
        size_t len = strlen(vn_vowel_rows[b]), i = 0;
        for (unsigned t = 0; t < 6; t++)
            vn_vowels[b][t] = tok_decode(p, len, i, &i);
    }

    for (uint32_t cp = 0; cp < TOK_TABLE_SIZE; cp++) {
        tok_cpinfo *e = &tracuu_tok_table[cp];
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
                e->cls = TOK_LETTER;
            else if (cp >= '0' && cp <= '9')
                e->cls = TOK_DIGIT;
            else
                e->cls = TOK_SEP;
        } else {
            e->cls = (uint8_t)class_by_icu(cp);
        }
        if (cp < 0x80) {
            /* ASCII needs no ICU: separators inside numbers and URLs ("3,5") keep as they are. */
            e->fast = 1;
            e->lower = e->fold = (uint16_t)g_ascii_tolower((gchar)cp);
            continue;
        }
        if (e->cls != TOK_LETTER)
            continue;

        /* The fast path may use a code point only if folding it gives exactly what the slow
         * path (u_strFoldCase, then NFC) would: one NFC-stable code point. */
        UChar src[1] = {(UChar)cp}, low[8], dec[8];
        err = U_ZERO_ERROR;
        int32_t n = u_strFoldCase(low, 8, src, 1, U_FOLD_CASE_DEFAULT, &err);
        /* The folded letter must have its own entry too (Georgian U+10A0 folds to U+2D00). */
        if (U_FAILURE(err) || n != 1 || U16_IS_SURROGATE(low[0]) || low[0] >= TOK_TABLE_SIZE)
            continue;
        if (unorm2_quickCheck(nfc, src, 1, &err) != UNORM_YES ||
            unorm2_quickCheck(nfc, low, 1, &err) != UNORM_YES || U_FAILURE(err))
            continue;
        e->fast = 1;
        e->lower = low[0];
        e->fold = low[0];
        if (low[0] == 0x111) {
            e->fold = 'd';
        } else {
            int32_t m = unorm2_normalize(nfd, low, 1, dec, 8, &err);
            if (U_SUCCESS(err) && m >= 1) {
                /* The base letter stays if everything after it is a combining diacritic. */
                bool all_marks = true;
                for (int32_t k = 1; k < m; k++)
                    if (dec[k] < 0x300 || dec[k] > 0x36F)
                        all_marks = false;
                if (all_marks && !U16_IS_SURROGATE(dec[0]))
                    e->fold = dec[0];
            }
        }
    }

    for (unsigned b = 0; b < TOK_VN_BASES; b++)
        for (unsigned t = 0; t < 6; t++)
            tracuu_tok_table[vn_vowels[b][t]].vowel = (uint8_t)(((b + 1) << 3) | t);
    return true;
}

bool
tracuu_tok_tables_init(void)
{
    static gsize once = 0;
    static bool ok = false;
    if (g_once_init_enter(&once)) {
        ok = fill_tables();
        g_once_init_leave(&once, 1);
    }
    return ok;
}

static bool
is_vn_consonant(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z' && cp != 'a' && cp != 'e' && cp != 'i' && cp != 'o' &&
            cp != 'u' && cp != 'y') ||
           cp == 0x111;
}

static unsigned
vowel_base(uint32_t cp)
{
    return cp < TOK_TABLE_SIZE ? (unsigned)(tracuu_tok_table[cp].vowel >> 3)
                               : 0; /* 0: not a vowel */
}

static unsigned
vowel_tone(uint32_t cp)
{
    return tracuu_tok_table[cp].vowel & 7u;
}

void
tracuu_tok_fix_tones(uint32_t *cps, size_t n)
{
    if (n < 2 || n > 8) /* The longest syllable, "nghiêng", has 7 letters. */
        return;
    unsigned tone = 0, ntones = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned b = vowel_base(cps[i]);
        if (b) {
            if (vowel_tone(cps[i])) {
                tone = vowel_tone(cps[i]);
                ntones++;
            }
        } else if (!is_vn_consonant(cps[i])) {
            return;
        }
    }
    if (ntones != 1)
        return;

    /* The vowel cluster; the u of "qu" and the i of "gi" before another vowel are part of the
     * initial consonant ("quý", "già", but "gìn"). */
    size_t v0 = 0;
    while (v0 < n && !vowel_base(cps[v0]))
        v0++;
    if (v0 == n)
        return;
    if (v0 == 1 && cps[0] == 'q' && vowel_base(cps[1]) == VN_U + 1 && n > 2 && vowel_base(cps[2]))
        v0 = 2;
    else if (v0 == 1 && cps[0] == 'g' && vowel_base(cps[1]) == VN_I + 1 && n > 2 &&
             vowel_base(cps[2]))
        v0 = 2;
    size_t v1 = v0;
    while (v1 < n && vowel_base(cps[v1]))
        v1++;
    for (size_t i = v1; i < n; i++)
        if (vowel_base(cps[i]))
            return; /* two vowel groups: not one syllable */
    size_t len = v1 - v0;
    if (len > 3)
        return;

    /* A vowel with its own diacritic carries the tone (ơ of ươ); else, before a final
     * consonant, the last vowel (hoàng); else the middle of three (hoài, khuỷu) or the first
     * of two (hòa, thúy, khỏe, ủy, mùa). */
    size_t at = SIZE_MAX;
    for (size_t i = v0; i < v1; i++) {
        unsigned b = vowel_base(cps[i]) - 1;
        if (b == VN_OW) {
            at = i;
            break;
        }
        if (at == SIZE_MAX && (b == VN_AW || b == VN_AA || b == VN_EE || b == VN_OO || b == VN_UW))
            at = i;
    }
    if (at == SIZE_MAX) {
        if (v1 < n)
            at = v1 - 1;
        else if (len == 3)
            at = v0 + 1;
        else
            at = v0;
    }

    for (size_t i = 0; i < n; i++) {
        unsigned b = vowel_base(cps[i]);
        if (b)
            cps[i] = vn_vowels[b - 1][i == at ? tone : 0];
    }
}

uint32_t
tracuu_tok_fold_cp(uint32_t cp)
{
    if (cp < TOK_TABLE_SIZE && tracuu_tok_table[cp].fast)
        return tracuu_tok_table[cp].fold;
    if (cp >= 0x300 && cp <= 0x36F)
        return 0;
    UChar d[8];
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = unorm2_getDecomposition(nfd_instance, (UChar32)cp, d, 8, &err);
    if (U_FAILURE(err) || n <= 0)
        return cp;
    /* Only a base followed by diacritics loses them; other decompositions (Hangul) stay whole. */
    UChar32 base;
    int32_t k = 0;
    U16_NEXT(d, k, n, base);
    for (; k < n; k++)
        if (d[k] < 0x300 || d[k] > 0x36F)
            return cp;
    return base == 0x111 ? 'd' : (uint32_t)base;
}

bool
tracuu_tok_is_invisible(uint32_t cp)
{
    if (cp < 0xAD)
        return false;
    return cp != 0x200B && u_charType((UChar32)cp) == U_FORMAT_CHAR;
}
