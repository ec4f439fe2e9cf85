/* tables.c - character tables for the fast path, and the Vietnamese tone-mark placement. */
#include "tokenizer-private.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include <stdlib.h>
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

/*
 * Cyrillic and Greek letters drawn like a Latin letter of the same case, which turn up in
 * document numbers copied from portals ("TT-BTС" with a Cyrillic Es, typed on a Russian
 * keyboard layout, or from OCR). These are the letters of the two scripts whose confusable
 * skeleton (Unicode TR #39, ICU's uspoof) is that of a single ASCII letter of the same case;
 * test-tokenizer checks each row against ICU. A fixed table rather than uspoof at run time:
 * a skeleton is a key for comparing strings, not a spelling (it makes 'I' and '1' "l", 'm'
 * "rn"), it would tie the terms of an index to the ICU version, and it costs a UTF-16 round
 * trip per character. Left out: ͺ (a subscript, no letter of its own).
 */
const tok_lookalike tracuu_tok_lookalikes[] = {
    {0x037F, 'J'}, /* Ϳ GREEK CAPITAL LETTER YOT */
    {0x0391, 'A'}, /* Α GREEK CAPITAL LETTER ALPHA */
    {0x0392, 'B'}, /* Β GREEK CAPITAL LETTER BETA */
    {0x0395, 'E'}, /* Ε GREEK CAPITAL LETTER EPSILON */
    {0x0396, 'Z'}, /* Ζ GREEK CAPITAL LETTER ZETA */
    {0x0397, 'H'}, /* Η GREEK CAPITAL LETTER ETA */
    {0x0399, 'I'}, /* Ι GREEK CAPITAL LETTER IOTA */
    {0x039A, 'K'}, /* Κ GREEK CAPITAL LETTER KAPPA */
    {0x039C, 'M'}, /* Μ GREEK CAPITAL LETTER MU */
    {0x039D, 'N'}, /* Ν GREEK CAPITAL LETTER NU */
    {0x039F, 'O'}, /* Ο GREEK CAPITAL LETTER OMICRON */
    {0x03A1, 'P'}, /* Ρ GREEK CAPITAL LETTER RHO */
    {0x03A4, 'T'}, /* Τ GREEK CAPITAL LETTER TAU */
    {0x03A5, 'Y'}, /* Υ GREEK CAPITAL LETTER UPSILON */
    {0x03A7, 'X'}, /* Χ GREEK CAPITAL LETTER CHI */
    {0x03B1, 'a'}, /* α GREEK SMALL LETTER ALPHA */
    {0x03B3, 'y'}, /* γ GREEK SMALL LETTER GAMMA */
    {0x03B9, 'i'}, /* ι GREEK SMALL LETTER IOTA */
    {0x03BD, 'v'}, /* ν GREEK SMALL LETTER NU */
    {0x03BF, 'o'}, /* ο GREEK SMALL LETTER OMICRON */
    {0x03C1, 'p'}, /* ρ GREEK SMALL LETTER RHO */
    {0x03C3, 'o'}, /* σ GREEK SMALL LETTER SIGMA */
    {0x03C5, 'u'}, /* υ GREEK SMALL LETTER UPSILON */
    {0x03D2, 'Y'}, /* ϒ GREEK UPSILON WITH HOOK SYMBOL */
    {0x03DC, 'F'}, /* Ϝ GREEK LETTER DIGAMMA */
    {0x03F1, 'p'}, /* ϱ GREEK RHO SYMBOL */
    {0x03F2, 'c'}, /* ϲ GREEK LUNATE SIGMA SYMBOL */
    {0x03F3, 'j'}, /* ϳ GREEK LETTER YOT */
    {0x03F9, 'C'}, /* Ϲ GREEK CAPITAL LUNATE SIGMA SYMBOL */
    {0x03FA, 'M'}, /* Ϻ GREEK CAPITAL LETTER SAN */
    {0x0405, 'S'}, /* Ѕ CYRILLIC CAPITAL LETTER DZE */
    {0x0406, 'I'}, /* І CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I */
    {0x0408, 'J'}, /* Ј CYRILLIC CAPITAL LETTER JE */
    {0x0410, 'A'}, /* А CYRILLIC CAPITAL LETTER A */
    {0x0412, 'B'}, /* В CYRILLIC CAPITAL LETTER VE */
    {0x0415, 'E'}, /* Е CYRILLIC CAPITAL LETTER IE */
    {0x041A, 'K'}, /* К CYRILLIC CAPITAL LETTER KA */
    {0x041C, 'M'}, /* М CYRILLIC CAPITAL LETTER EM */
    {0x041D, 'H'}, /* Н CYRILLIC CAPITAL LETTER EN */
    {0x041E, 'O'}, /* О CYRILLIC CAPITAL LETTER O */
    {0x0420, 'P'}, /* Р CYRILLIC CAPITAL LETTER ER */
    {0x0421, 'C'}, /* С CYRILLIC CAPITAL LETTER ES */
    {0x0422, 'T'}, /* Т CYRILLIC CAPITAL LETTER TE */
    {0x0423, 'Y'}, /* У CYRILLIC CAPITAL LETTER U */
    {0x0425, 'X'}, /* Х CYRILLIC CAPITAL LETTER HA */
    {0x0430, 'a'}, /* а CYRILLIC SMALL LETTER A */
    {0x0433, 'r'}, /* г CYRILLIC SMALL LETTER GHE */
    {0x0435, 'e'}, /* е CYRILLIC SMALL LETTER IE */
    {0x043E, 'o'}, /* о CYRILLIC SMALL LETTER O */
    {0x0440, 'p'}, /* р CYRILLIC SMALL LETTER ER */
    {0x0441, 'c'}, /* с CYRILLIC SMALL LETTER ES */
    {0x0443, 'y'}, /* у CYRILLIC SMALL LETTER U */
    {0x0445, 'x'}, /* х CYRILLIC SMALL LETTER HA */
    {0x0455, 's'}, /* ѕ CYRILLIC SMALL LETTER DZE */
    {0x0456, 'i'}, /* і CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I */
    {0x0458, 'j'}, /* ј CYRILLIC SMALL LETTER JE */
    {0x0461, 'w'}, /* ѡ CYRILLIC SMALL LETTER OMEGA */
    {0x0474, 'V'}, /* Ѵ CYRILLIC CAPITAL LETTER IZHITSA */
    {0x0475, 'v'}, /* ѵ CYRILLIC SMALL LETTER IZHITSA */
    {0x04AE, 'Y'}, /* Ү CYRILLIC CAPITAL LETTER STRAIGHT U */
    {0x04AF, 'y'}, /* ү CYRILLIC SMALL LETTER STRAIGHT U */
    {0x04BB, 'h'}, /* һ CYRILLIC SMALL LETTER SHHA */
    {0x04BD, 'e'}, /* ҽ CYRILLIC SMALL LETTER ABKHASIAN CHE */
    {0x04C0, 'I'}, /* Ӏ CYRILLIC LETTER PALOCHKA */
    {0x04CF, 'i'}, /* ӏ CYRILLIC SMALL LETTER PALOCHKA */
    {0x0501, 'd'}, /* ԁ CYRILLIC SMALL LETTER KOMI DE */
    {0x050C, 'G'}, /* Ԍ CYRILLIC CAPITAL LETTER KOMI SJE */
    {0x051B, 'q'}, /* ԛ CYRILLIC SMALL LETTER QA */
    {0x051C, 'W'}, /* Ԝ CYRILLIC CAPITAL LETTER WE */
    {0x051D, 'w'}, /* ԝ CYRILLIC SMALL LETTER WE */
};
const size_t tracuu_tok_n_lookalikes = G_N_ELEMENTS(tracuu_tok_lookalikes);

static int
cmp_lookalike(const void *key, const void *row)
{
    uint32_t cp = *(const uint32_t *)key;
    uint32_t r = ((const tok_lookalike *)row)->cp;
    return cp < r ? -1 : cp > r;
}

uint32_t
tracuu_tok_docnum_char(uint32_t cp, bool *lookalike)
{
    *lookalike = false;
    if (cp < 0x80)
        return cp;
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0; /* full-width ASCII: ３４／２００８／ＣＴ－ＴＴｇ */
    if (tok_is_dash(cp))
        return '-';
    switch (cp) {
    case 0x2044: /* fraction slash */
    case 0x2215: /* division slash */
    case 0x29F8: /* big solidus */
        return '/';
    case 0xA0:   /* no-break space */
    case 0x202F: /* narrow no-break space */
    case 0x205F: /* medium mathematical space */
    case 0x3000: /* ideographic space */
        return ' ';
    case 0xD0: /* Ð and ð: Đ and đ of Windows-1258 text decoded as Windows-1252 */
    case TOK_DN_D_UPPER:
        return TOK_DN_D_UPPER;
    case 0xF0:
    case TOK_DN_D_LOWER:
        return TOK_DN_D_LOWER;
    }
    if (cp >= 0x2000 && cp <= 0x200A)
        return ' '; /* en quad to hair space */
    if (cp >= 0x37F && cp <= 0x51D) {
        const tok_lookalike *r =
            bsearch(&cp, tracuu_tok_lookalikes, tracuu_tok_n_lookalikes, sizeof *r, cmp_lookalike);
        if (r) {
            *lookalike = true;
            return (uint32_t)r->latin;
        }
    }
    return cp;
}
