/* text-decode.c - detects the encoding of Vietnamese text (UTF-8 or legacy) and converts it. */
#include "extract-formats.h"

#include <string.h>

/*
 * Vietnamese text from before Unicode came in several 8-bit encodings that all reuse the same
 * byte values for different letters, so no byte tells them apart. Each candidate is decoded and
 * scored by how much of the result is made of valid Vietnamese syllables; the best one wins.
 */

/* Bytes scored for the decision: enough words to decide, cheap even for a 64 MB file. */
#define DETECT_SAMPLE 65536

/*
 * TCVN3 (TCVN 5712:1993 VN3, the "ABC" encoding of the .VnTime fonts): lowercase precomposed
 * letters and seven base capitals in 0xA1-0xFE. Capitals with tones do not exist in VN3: they
 * were typed with the lowercase codes in a capitals-only font (.VnTimeH), so text can only be
 * recovered as lowercase. Zero marks a byte VN3 leaves unassigned; it is read as windows-1252.
 * Checked against glibc's TCVN5712-1 (VN1, which agrees on these positions) and xvnkb's table.
 */
static const gunichar tcvn3_high[96] = {
    /* 0xA0 */ 0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110,
    /* 0xA8 */ 0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0,
    /* 0xB0 */ 0,      0,      0,      0,      0,      0x00E0, 0x1EA3, 0x00E3,
    /* 0xB8 */ 0x00E1, 0x1EA1, 0,      0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0,
    /* 0xC0 */ 0,      0,      0,      0,      0,      0,      0x1EB7, 0x1EA7,
    /* 0xC8 */ 0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0,      0x1EBB, 0x1EBD,
    /* 0xD0 */ 0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC,
    /* 0xD8 */ 0x1EC9, 0,      0,      0,      0x0129, 0x00ED, 0x1ECB, 0x00F2,
    /* 0xE0 */ 0,      0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7,
    /* 0xE8 */ 0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9,
    /* 0xF0 */ 0,      0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF,
    /* 0xF8 */ 0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0,
};

gunichar
tracuu_text_cp1252_char(guchar b)
{
    /* Filled once from glibc's iconv, the one windows-1252 table of the program. */
    static gunichar c1[32];
    static gsize ready;

    if (b < 0x80 || b >= 0xA0)
        return b;
    if (g_once_init_enter(&ready)) {
        for (guint k = 0; k < 32; k++) {
            char in = (char)(0x80 + k);
            g_autofree char *out = g_convert(&in, 1, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
            c1[k] = out != NULL ? g_utf8_get_char(out) : 0;
        }
        g_once_init_leave(&ready, 1);
    }
    return c1[b - 0x80];
}

/* A byte outside the tables of TCVN3 and VNI, read as windows-1252 (Latin-1 above 0x9F); a byte
 * windows-1252 leaves undefined is U+FFFD. */
static gunichar
cp1252_char(guchar b)
{
    gunichar c = tracuu_text_cp1252_char(b);
    return c != 0 ? c : 0xFFFD;
}

/* Appends @c to @out, writing control characters other than white space as U+FFFD. */
static void
put_char(GString *out, gunichar c)
{
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
        c = 0xFFFD;
    g_string_append_unichar(out, c);
}

static char *
decode_tcvn3(const guchar *d, gsize len)
{
    GString *out = g_string_sized_new(len + len / 2);
    for (gsize i = 0; i < len; i++) {
        gunichar c = d[i] >= 0xA0 ? tcvn3_high[d[i] - 0xA0] : 0;
        put_char(out, c != 0 ? c : cp1252_char(d[i]));
    }
    return g_string_free(out, FALSE);
}

/*
 * VNI (the VNI-Times fonts) writes a letter as an ASCII base followed by 8-bit mark bytes:
 * "Vieät" is V-i-e-ä-t, ä being circumflex and dot below. Marks are decoded to Unicode
 * combining marks and composed by NFC. Capitals take the mark byte minus 0x20, but mixed case
 * occurs in the wild, so both forms are accepted after any letter.
 */
typedef struct {
    guchar byte;
    gunichar mark1, mark2;
} vni_mark;

static const vni_mark vni_marks[] = {
    {0xF9, 0x0301, 0},      {0xF8, 0x0300, 0},      {0xFB, 0x0309, 0},      {0xF5, 0x0303, 0},
    {0xEF, 0x0323, 0},      {0xE2, 0x0302, 0},      {0xE1, 0x0302, 0x0301}, {0xE0, 0x0302, 0x0300},
    {0xE5, 0x0302, 0x0309}, {0xE3, 0x0302, 0x0303}, {0xE4, 0x0302, 0x0323}, {0xEA, 0x0306, 0},
    {0xE9, 0x0306, 0x0301}, {0xE8, 0x0306, 0x0300}, {0xFA, 0x0306, 0x0309}, {0xFC, 0x0306, 0x0303},
    {0xEB, 0x0306, 0x0323},
};

/* Letters VNI writes in one byte (lowercase; the capital is the byte minus 0x20). */
static const struct {
    guchar byte;
    gunichar lower, upper;
} vni_letters[] = {
    {0xF4, 0x01A1, 0x01A0}, /* ơ */
    {0xF6, 0x01B0, 0x01AF}, /* ư */
    {0xF1, 0x0111, 0x0110}, /* đ */
    {0xED, 0x00ED, 0x00CD}, /* í */
    {0xEC, 0x00EC, 0x00CC}, /* ì */
    {0xE6, 0x1EC9, 0x1EC8}, /* ỉ */
    {0xF3, 0x0129, 0x0128}, /* ĩ */
    {0xF2, 0x1ECB, 0x1ECA}, /* ị */
    {0xEE, 0x1EF5, 0x1EF4}, /* ỵ */
};

/* TRUE when @c can carry a VNI mark: a vowel, or ơ and ư written as one byte. */
static gboolean
vni_takes_mark(gunichar c)
{
    c = g_unichar_tolower(c);
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' || c == 0x01A1 ||
           c == 0x01B0;
}

static char *
decode_vni(const guchar *d, gsize len)
{
    GString *out = g_string_sized_new(len + len / 2);
    gunichar prev = 0;
    char *nfc;

    for (gsize i = 0; i < len; i++) {
        guchar b = d[i];
        gunichar c = 0;
        gboolean done = FALSE;

        if (b >= 0xC0) {
            guchar low = b | 0x20;
            for (gsize k = 0; k < G_N_ELEMENTS(vni_letters) && !done; k++) {
                if (vni_letters[k].byte == low) {
                    c = b == low ? vni_letters[k].lower : vni_letters[k].upper;
                    put_char(out, c);
                    prev = c;
                    done = TRUE;
                }
            }
            for (gsize k = 0; k < G_N_ELEMENTS(vni_marks) && !done; k++) {
                if (vni_marks[k].byte == low && vni_takes_mark(prev)) {
                    g_string_append_unichar(out, vni_marks[k].mark1);
                    if (vni_marks[k].mark2 != 0)
                        g_string_append_unichar(out, vni_marks[k].mark2);
                    prev = 0; /* one mark byte per letter */
                    done = TRUE;
                }
            }
        }
        if (!done) {
            c = cp1252_char(b);
            put_char(out, c);
            prev = c;
        }
    }
    nfc = tracuu_text_nfc(out->str, (gssize)out->len);
    g_string_free(out, TRUE);
    return nfc;
}

/* Converts with glibc's iconv, bytes it cannot convert replaced; NFC because windows-1258
 * writes tones as combining marks. */
static char *
decode_iconv(const char *d, gsize len, const char *charset)
{
    GIConv cd = g_iconv_open("UTF-8", charset);
    GString *out;
    char *nfc;
    char *in = (char *)d;
    gsize in_left = len;
    char buf[4096];

    if (cd == (GIConv)-1)
        return NULL;
    out = g_string_sized_new(len + len / 2);
    while (in_left > 0) {
        char *o = buf;
        gsize o_left = sizeof buf;
        gsize r = g_iconv(cd, &in, &in_left, &o, &o_left);
        g_string_append_len(out, buf, (gssize)(o - buf));
        if (r == (gsize)-1 && o_left == sizeof buf && in_left > 0) {
            /* An unconvertible or truncated byte, not a full buffer: skip it. */
            put_char(out, 0xFFFD);
            in++;
            in_left--;
            g_iconv(cd, NULL, NULL, NULL, NULL);
        }
    }
    {
        char *o = buf;
        gsize o_left = sizeof buf;
        g_iconv(cd, NULL, NULL, &o, &o_left); /* flush a held base letter (windows-1258) */
        g_string_append_len(out, buf, (gssize)(o - buf));
    }
    g_iconv_close(cd);
    nfc = tracuu_text_nfc(out->str, (gssize)out->len);
    g_string_free(out, TRUE);
    return nfc;
}

/* --- How Vietnamese a text looks --------------------------------------------------------- */

/* Vowel nuclei, without tone, including the ones that follow "gi" and "qu". */
static const char *const vowel_clusters[] = {
    "a",   "ă",   "â",   "e",   "ê",   "i",   "o",   "ô",   "ơ",   "u",   "ư",   "y",   "ai",
    "ao",  "au",  "ay",  "âu",  "ây",  "eo",  "êu",  "ia",  "iê",  "iu",  "oa",  "oă",  "oe",
    "oi",  "oo",  "ôi",  "ơi",  "ua",  "uâ",  "uă",  "uê",  "ui",  "uô",  "uơ",  "uy",  "ưa",
    "ưi",  "ưu",  "ươ",  "yê",  "ie",  "io",  "iô",  "iơ",  "iư",  "iâ",  "iă",  "iêu", "yêu",
    "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "iươ", "iây",
    "iâu", "iai", "iao", "iau", "iay", "ieo", "iưa", "ioi", "iôi", "iơi", "uyê",
};

static const char *const initials[] = {
    "",   "b",   "c",  "ch", "d",  "đ", "g", "gh", "h", "k",  "kh", "l", "m", "n",
    "ng", "ngh", "nh", "p",  "ph", "q", "r", "s",  "t", "th", "tr", "v", "x",
};

static const char *const finals[] = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"};

static gboolean
in_list(const char *s, gsize n, const char *const *list, gsize count)
{
    for (gsize i = 0; i < count; i++) {
        if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
            return TRUE;
    }
    return FALSE;
}

static gboolean
is_vowel(gunichar c)
{
    switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
    case 0x0103:
    case 0x00E2:
    case 0x00EA:
    case 0x00F4:
    case 0x01A1:
    case 0x01B0:
        return TRUE;
    default:
        return FALSE;
    }
}

/*
 * TRUE when @word (lowercase NFC UTF-8) is a well-formed Vietnamese syllable: an initial
 * consonant, a known vowel nucleus, a final consonant and at most one tone, with the rule that
 * syllables ending in c, ch, p or t take only the acute or dot-below tone.
 */
static gboolean
is_syllable(const char *word)
{
    g_autofree char *nfd = g_utf8_normalize(word, -1, G_NORMALIZE_NFD);
    g_autofree char *bare = NULL;
    GString *rest;
    gunichar tone = 0;
    const char *p, *v, *f;

    if (nfd == NULL)
        return FALSE;
    rest = g_string_new(NULL);
    for (p = nfd; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == 0x0300 || c == 0x0301 || c == 0x0303 || c == 0x0309 || c == 0x0323) {
            if (tone != 0) {
                g_string_free(rest, TRUE);
                return FALSE;
            }
            tone = c;
        } else {
            g_string_append_unichar(rest, c);
        }
    }
    bare = g_utf8_normalize(rest->str, -1, G_NORMALIZE_NFC);
    g_string_free(rest, TRUE);
    if (bare == NULL)
        return FALSE;

    /* Initial: consonant letters up to the first vowel. */
    for (v = bare; *v != '\0' && !is_vowel(g_utf8_get_char(v)); v = g_utf8_next_char(v))
        ;
    if (*v == '\0' || !in_list(bare, (gsize)(v - bare), initials, G_N_ELEMENTS(initials)))
        return FALSE;
    for (f = v; *f != '\0' && is_vowel(g_utf8_get_char(f)); f = g_utf8_next_char(f))
        ;
    if (!in_list(v, (gsize)(f - v), vowel_clusters, G_N_ELEMENTS(vowel_clusters)))
        return FALSE;
    if (v - bare == 1 && bare[0] == 'q' && *v != 'u')
        return FALSE;
    if (!in_list(f, strlen(f), finals, G_N_ELEMENTS(finals)))
        return FALSE;
    if ((strcmp(f, "c") == 0 || strcmp(f, "ch") == 0 || strcmp(f, "p") == 0 ||
         strcmp(f, "t") == 0) &&
        tone != 0x0301 && tone != 0x0323)
        return FALSE;
    return TRUE;
}

/*
 * Scores @text: +1 per valid Vietnamese syllable holding a non-ASCII letter, -2 per word with
 * non-ASCII characters that is not one, -1 per stray non-ASCII symbol or replacement character.
 * Words of plain ASCII read the same in every candidate and do not count.
 */
static long
vietnamese_score(const char *text)
{
    long score = 0;
    const char *p = text;

    while (*p != '\0') {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isalpha(c) || g_unichar_ismark(c)) {
            const char *start = p;
            gboolean non_ascii = FALSE;
            while (*p != '\0') {
                c = g_utf8_get_char(p);
                if (!g_unichar_isalpha(c) && !g_unichar_ismark(c))
                    break;
                if (c >= 0x80)
                    non_ascii = TRUE;
                p = g_utf8_next_char(p);
            }
            if (non_ascii) {
                g_autofree char *lower = g_utf8_strdown(start, p - start);
                score += (p - start < 32 && is_syllable(lower)) ? 1 : -2;
            }
        } else {
            /* Typographic punctuation is normal in any text; other 8-bit symbols are what
             * a wrong table makes of letters (TCVN3 read as windows-1258 gives "B¸o"). */
            if (c >= 0x80 && !g_unichar_isspace(c) && !(c >= 0x2010 && c <= 0x2027) &&
                c != 0x00AB && c != 0x00BB && c != 0x00B0 && c != 0x00A7)
                score -= 1;
            p = g_utf8_next_char(p);
        }
    }
    return score;
}

/* --- Candidates and the decision --------------------------------------------------------- */

/*
 * Candidates in order of preference on a tie. TCVN5712-1 (VN1) is TCVN3 plus accented capitals
 * in 0x80-0x9F and the C0 range; it comes after TCVN3 so that text without such capitals, the
 * same bytes in both, keeps its windows-1252 quotes.
 */
typedef enum { ENC_UTF8, ENC_CP1258, ENC_TCVN3, ENC_VNI, ENC_VISCII, ENC_VN1, N_ENC } encoding;

static const char *const enc_names[N_ENC] = {"UTF-8", "windows-1258", "TCVN3",
                                             "VNI",   "VISCII",       "TCVN5712-1"};

static char *
decode_as(encoding enc, const char *data, gsize len)
{
    char *out = NULL;

    switch (enc) {
    case ENC_UTF8:
        out = tracuu_text_nfc(data, (gssize)len);
        break;
    case ENC_CP1258:
        out = decode_iconv(data, len, "WINDOWS-1258");
        break;
    case ENC_TCVN3:
        out = decode_tcvn3((const guchar *)data, len);
        break;
    case ENC_VNI:
        out = decode_vni((const guchar *)data, len);
        break;
    case ENC_VISCII:
        out = decode_iconv(data, len, "VISCII");
        break;
    case ENC_VN1:
        out = decode_iconv(data, len, "TCVN5712-1");
        break;
    default:
        break;
    }
    /* Without iconv's table the candidate falls back to Latin-1 rather than failing. */
    if (out == NULL)
        out = g_convert(data, (gssize)len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
    return out != NULL ? out : g_strdup("");
}

/* The length of the longest prefix of @len bytes at @data that does not cut a line, for
 * scoring: a word cut in half would count against the encoding that is right. */
static gsize
sample_length(const char *data, gsize len)
{
    gsize n = MIN(len, (gsize)DETECT_SAMPLE);
    if (n < len) {
        const char *nl = memrchr(data, '\n', n);
        if (nl != NULL && nl > data)
            n = (gsize)(nl - data);
    }
    return n;
}

/* The 8-bit encoding under which a sample of @len bytes at @data reads most like Vietnamese. */
static encoding
detect_8bit(const char *data, gsize len, long *margin)
{
    gsize sample = sample_length(data, len);
    long best_score = G_MINLONG, as_is = 0;
    encoding best = ENC_CP1258;

    for (encoding e = 0; e < N_ENC; e++) {
        g_autofree char *text = decode_as(e, data, sample);
        long s = vietnamese_score(text);
        if (e == ENC_CP1258)
            as_is = s;
        /* Ties keep the earlier candidate: UTF-8 with a few bad bytes, then windows-1258. */
        if (s > best_score) {
            best_score = s;
            best = e;
        }
    }
    /* How much better than the Western reading: the evidence for a legacy encoding. */
    if (margin != NULL)
        *margin = best_score - as_is;
    return best;
}

char *
tracuu_text_decode(const char *data, gsize len, const char **charset)
{
    encoding best;

    if (data == NULL)
        len = 0;
    /* Valid UTF-8 with 8-bit bytes is almost never a legacy encoding by chance. */
    if (len == 0 || g_utf8_validate(data, (gssize)len, NULL)) {
        const char *d = len > 0 ? data : "";
        gsize skip = len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* BOM */
        if (charset != NULL)
            *charset = "UTF-8";
        return tracuu_text_nfc(d + skip, (gssize)(len - skip));
    }

    /* Windows Notepad's "Unicode" is UTF-16 with a byte order mark. */
    if (len >= 2 && ((guchar)data[0] == 0xFF && (guchar)data[1] == 0xFE)) {
        char *out = decode_iconv(data + 2, len - 2, "UTF-16LE");
        if (out != NULL) {
            if (charset != NULL)
                *charset = "UTF-16LE";
            return out;
        }
    }
    if (len >= 2 && ((guchar)data[0] == 0xFE && (guchar)data[1] == 0xFF)) {
        char *out = decode_iconv(data + 2, len - 2, "UTF-16BE");
        if (out != NULL) {
            if (charset != NULL)
                *charset = "UTF-16BE";
            return out;
        }
    }

    best = detect_8bit(data, len, NULL);
    if (charset != NULL)
        *charset = enc_names[best];
    return decode_as(best, data, len);
}

/*
 * The bytes a legacy font's text stands for: Latin-1 characters as themselves, windows-1252
 * punctuation as its byte. NULL when @utf8 holds anything else (then it is real Unicode text)
 * or no 8-bit character at all (then there is nothing to reinterpret).
 */
static GByteArray *
legacy_font_bytes(const char *utf8, gssize len)
{
    GByteArray *bytes = g_byte_array_new();
    const char *end = utf8 + (len < 0 ? strlen(utf8) : (gsize)len);
    gboolean high = FALSE;

    for (const char *p = utf8; p < end; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        guint8 b = 0;
        if (c < 0x100) {
            b = (guint8)c;
            high |= c >= 0x80;
        } else if (c == 0xFFFD) {
            /* PDFDocEncoding leaves 0xAD undefined, and 0xAD is TCVN3's "ư": a PDF title
             * typed in .VnTime shows it as a replacement character. */
            b = 0xAD;
        } else {
            for (guint k = 0; k < 32 && b == 0; k++) {
                if (tracuu_text_cp1252_char((guchar)(0x80 + k)) == c)
                    b = (guint8)(0x80 + k);
            }
            if (b == 0) {
                g_byte_array_free(bytes, TRUE);
                return NULL;
            }
        }
        g_byte_array_append(bytes, &b, 1);
    }
    if (!high) {
        g_byte_array_free(bytes, TRUE);
        return NULL;
    }
    return bytes;
}

/* Score points a legacy reading must win by over the text as it stands. */
#define LEGACY_FONT_MARGIN 4

const char *
tracuu_text_legacy_font(const char *utf8, gssize len)
{
    GByteArray *bytes = legacy_font_bytes(utf8, len);
    long margin = 0;
    encoding e;

    if (bytes == NULL)
        return NULL;
    e = detect_8bit((const char *)bytes->data, bytes->len, &margin);
    g_byte_array_free(bytes, TRUE);
    /*
     * The text as extracted is a valid reading too (an English PDF with "©" and "café"), so a
     * legacy font needs clear evidence: several syllables more than the Western reading.
     * windows-1258 reads Latin-1 letters as themselves: nothing to change.
     */
    if (margin < LEGACY_FONT_MARGIN)
        return NULL;
    return e == ENC_TCVN3 || e == ENC_VNI || e == ENC_VISCII || e == ENC_VN1 ? enc_names[e] : NULL;
}

/*
 * TCVN3 writes "ư" as 0xAD, which Latin-1 calls a soft hyphen: PDF text extraction turns it
 * into "-" ("th-ởng"). A hyphen inside a run of letters becomes "ư" when that makes the run a
 * valid syllable; "QĐ-UBND" or "Hà-Nội" do not become syllables and keep their hyphen.
 */
static char *
restore_tcvn3_u(char *text)
{
    GString *out;
    const char *p;

    if (strchr(text, '-') == NULL)
        return text;
    out = g_string_sized_new(strlen(text) + 16);
    for (p = text; *p != '\0'; p = g_utf8_next_char(p)) {
        if (*p == '-' && p > text) {
            const char *a = p, *b = p + 1;
            const char *prev = g_utf8_prev_char(p);
            gboolean done = FALSE;
            if (g_unichar_isalpha(g_utf8_get_char(prev)) && g_unichar_isalpha(g_utf8_get_char(b))) {
                while (a > text && g_unichar_isalpha(g_utf8_get_char(g_utf8_prev_char(a))))
                    a = g_utf8_prev_char(a);
                while (*b != '\0' && g_unichar_isalpha(g_utf8_get_char(b)))
                    b = g_utf8_next_char(b);
                if (b - a < 32) {
                    g_autofree char *word =
                        g_strdup_printf("%.*s\u01b0%.*s", (int)(p - a), a, (int)(b - p - 1), p + 1);
                    g_autofree char *lower = g_utf8_strdown(word, -1);
                    if (is_syllable(lower)) {
                        g_string_append(out, "\u01b0");
                        done = TRUE;
                    }
                }
            }
            if (!done)
                g_string_append_c(out, '-');
            continue;
        }
        g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    g_free(text);
    return g_string_free(out, FALSE);
}

char *
tracuu_text_from_legacy_font(const char *utf8, gssize len, const char *charset)
{
    GByteArray *bytes = legacy_font_bytes(utf8, len);
    char *out;

    if (bytes == NULL)
        return len < 0 ? g_strdup(utf8) : g_strndup(utf8, (gsize)len);
    for (encoding e = 0; e < N_ENC; e++) {
        if (charset != NULL && strcmp(charset, enc_names[e]) == 0) {
            out = decode_as(e, (const char *)bytes->data, bytes->len);
            g_byte_array_free(bytes, TRUE);
            return e == ENC_TCVN3 || e == ENC_VN1 ? restore_tcvn3_u(out) : out;
        }
    }
    g_byte_array_free(bytes, TRUE);
    return len < 0 ? g_strdup(utf8) : g_strndup(utf8, (gsize)len);
}
