/* tracuu-tokenizer.h - Vietnamese text to search terms, shared by indexing and querying. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/*
 * Bumped whenever a change to this module can make a different term from the same text.
 * The indexer stores it in the index metadata; an index made with another version must be
 * rebuilt, because a query would be tokenized differently from the documents.
 */
#define TRACUU_TOKENIZER_VERSION 2

/*
 * Longest term the tokenizer gives, in bytes. Longer runs are cut at a character boundary
 * (Xapian limits terms): one token whose start and end still cover the whole run, and whose
 * folded form is that of the cut term.
 */
#define TRACUU_TOKENIZER_MAX_TERM 120

typedef enum {
    TRACUU_TOKEN_WORD = 0, /* letters: a Vietnamese syllable or a word of another script */
    TRACUU_TOKEN_NUMBER,   /* digits, with inner separators kept: 1.000.000, 3,5 */
    TRACUU_TOKEN_DOCNUM,   /* a document number (số ký hiệu): 34/2008/ct-ttg */
    TRACUU_TOKEN_EMAIL,    /* vanthu@chinhphu.gov.vn */
    TRACUU_TOKEN_URL,      /* https://vbpl.vn/..., www.x.vn, or a bare host with a known
                              top-level domain (vn, com, net, org, gov, edu, ...): vbpl.vn */
} tracuu_token_kind;

/*
 * Token flags. TRACUU_TOKEN_PART marks a piece of the preceding docnum, e-mail or URL token
 * ("ct", "ttg", "2008" of 34/2008/CT-TTg), given at the same position as that token (colocated,
 * as FTS5 does for synonyms) so that the pieces are searchable without moving later positions.
 * The pieces are the words and numbers of the token's text, made exactly as anywhere else
 * (kind word or number): 34, 2008, ct, ttg; vanthu, chinhphu, gov, vn. Those of a document
 * number are read as the number is (see tracuu_docnum_normalize): "btc" from "BTС" with a
 * Cyrillic Es, "34" from the full-width "３４".
 */
#define TRACUU_TOKEN_PART (1u << 0)

typedef struct {
    const char *term;   /* NUL-terminated: NFC, tone marks in one placement, case-folded */
    size_t term_len;    /* bytes, without the NUL */
    const char *folded; /* NUL-terminated: term without diacritics, đ as d ("duong") */
    size_t folded_len;
    tracuu_token_kind kind;
    unsigned flags; /* TRACUU_TOKEN_* flags */
    uint32_t pos;   /* position: counts tokens without TRACUU_TOKEN_PART */
    size_t start;   /* byte offset of the token's first byte in the input */
    size_t end;     /* byte offset one past its last byte in the input */
} tracuu_token;

/*
 * Called once per token, in order of position. The strings in @token are valid only during
 * the call. Return TRUE to go on, FALSE to stop tokenizing.
 */
typedef gboolean (*tracuu_token_func)(const tracuu_token *token, gpointer user_data);

typedef struct tracuu_tokenizer tracuu_tokenizer;

/*
 * Makes a tokenizer. It holds ICU state, so use one per thread.
 * Returns NULL and sets @error if ICU cannot be set up. Free with tracuu_tokenizer_free().
 */
tracuu_tokenizer *tracuu_tokenizer_new(GError **error);

/* Frees @tk; NULL is accepted. */
void tracuu_tokenizer_free(tracuu_tokenizer *tk);

/*
 * Tokenizes @len bytes of @text (any bytes: invalid UTF-8 is replaced, never a reason to stop)
 * and calls @func for every token. The first token gets position @first_pos. @text may be NULL
 * when @len is 0.
 *
 * How text becomes tokens:
 * - Invalid UTF-8 (a stray byte, a truncated or overlong sequence, a surrogate) becomes U+FFFD,
 *   one per bad byte, and U+FFFD separates tokens like any punctuation; so does NUL.
 * - Document numbers, e-mail addresses and URLs are recognised first, as one token each (then
 *   their pieces, see TRACUU_TOKEN_PART). Digits written right after ".", ",", "/" or a dash
 *   (any of the slashes and dashes of tracuu_docnum_normalize) or "<digit>:" continue something
 *   else and do not start a document number.
 * - Words of alphabetic scripts (Vietnamese syllables, but also Greek, Cyrillic...) and numbers
 *   are split as ICU's word break rules split them (UAX #29), by a faster scanner of our own:
 *   letters, digits and combining marks join, and so do invisible format characters (a soft
 *   hyphen, a zero width joiner), which the term leaves out; "." and "," join digits
 *   (1.000.000, 3,5); an apostrophe joins letters (don't). Unlike UAX #29, a full stop between
 *   letters splits ("TP.HCM" gives tp, hcm) so that each part can be found, an apostrophe does
 *   not join digits (24’40,0 gives 24, 40,0) and underscores ("____") are not words. On the
 *   vbpl texts 99.9% of ICU's words are ours exactly, and the rest are (but for two) these cases.
 *   Runs of scripts written without
 *   spaces (Thai, Lao, Khmer, Myanmar, Chinese, Japanese) go to ICU's word break iterator,
 *   which splits them by dictionary.
 * - A token's term: full case folding, NFC, then, for a Vietnamese syllable with one tone mark,
 *   the mark moved to its canonical vowel, the "new" placement: hòa, thúy, khỏe, ủy (from hoà,
 *   thuý, khoẻ, uỷ); the vowel after qu and gi carries it (quý, già); a vowel with its own
 *   diacritic carries it (thuở, người); before a final consonant, the last vowel (hoàng).
 *   Anything else is kept as written. ’ in a word becomes '.
 * - Its folded form: the term without combining diacritics (U+0300..U+036F, after canonical
 *   decomposition) and with đ as d. Marks of other scripts (Thai vowels) stay.
 *
 * Returns the position after the last token given, so that a caller can tokenize several
 * fields into one position space (leaving a gap between them if it wants).
 */
uint32_t tracuu_tokenizer_run(tracuu_tokenizer *tk, const char *text, size_t len,
                              uint32_t first_pos, tracuu_token_func func, gpointer user_data);

/* The name of @kind as used in JSON: "word", "number", "docnum", "email", "url". */
const char *tracuu_token_kind_name(tracuu_token_kind kind);

/*
 * Normalises a piece of text the way terms are normalised (valid UTF-8, NFC, one tone-mark
 * placement, case-folded), keeping spaces and punctuation, with runs of white space made one
 * space and the ends trimmed. For metadata values that are compared whole (issuer, type);
 * invalid UTF-8 becomes U+FFFD, invisible format characters (soft hyphen) are left out, and a
 * value longer than 16 MiB is cut there.
 * Returns a newly allocated string; caller frees with g_free(). @len may be -1 for NUL-terminated.
 */
char *tracuu_text_normalize(const char *text, gssize len);

/*
 * Like tracuu_text_normalize(), then removes every diacritic and maps đ to d:
 * "Bộ Tài chính" gives "bo tai chinh". Caller frees with g_free().
 */
char *tracuu_text_fold(const char *text, gssize len);

/*
 * One character folded as tracuu_text_fold() folds it, for code that compares text with a
 * keyword character by character and must keep its place in the original: lower case, without
 * diacritics, đ as d ("Ộ" gives 'o', "Đ" gives 'd'). A character whose case folding is several
 * characters ("ß") gets its simple case folding; a lone combining diacritic gives 0, since
 * tracuu_text_fold() leaves it out.
 */
gunichar tracuu_char_fold(gunichar c);

/*
 * Whether @c is one of the dashes a document number may be written with (- ‐ ‑ ‒ – — ― − ⸺ ⸻
 * ﹘ ﹣ －, see tracuu_docnum_normalize), which all read as "-".
 */
gboolean tracuu_char_is_dash(gunichar c);

/*
 * @text as valid UTF-8 (invalid sequences replaced by U+FFFD) in Unicode NFC, nothing else
 * changed. Linear in the length (ICU, in pieces cut at white space), unlike g_utf8_normalize(),
 * which slows down badly on long strings: use it for whole extracted texts. Returns a newly
 * allocated string; caller frees with g_free(). @len may be -1 for NUL-terminated.
 */
char *tracuu_text_nfc(const char *text, gssize len);

/*
 * For text shown to people (an issuer, a title, a facet value): valid UTF-8, NFC, and tone marks
 * moved to the one placement terms use ("Uỷ ban" gives "Ủy ban", "hoà" gives "hòa"), keeping
 * case, spaces and punctuation as they are, so that two spellings of one name are one value.
 * Returns a newly allocated string; caller frees with g_free(). @len may be -1.
 */
char *tracuu_text_fix_tones(const char *text, gssize len);

/*
 * If @text (trimmed) is one Vietnamese document number in any of the ways people write it
 * ("34/2008/CT–TTg", "34/2008/CT - TTg", "34-2008-CT-TTg", "1115/QD-TTg"), sets *@term to its
 * normal form ("34/2008/ct-ttg") and *@folded to that form with đ as d, both newly allocated
 * (g_free), and returns TRUE. Otherwise returns FALSE and sets both to NULL. Either out-parameter
 * may be NULL.
 *
 * Forms recognised (Nghị định 30/2020/NĐ-CP, Phụ lục I; and what the Công báo and vbpl.vn
 * texts show): NUMBER[letter]/[YEAR/]KÝ-HIỆU ("36a/NQ-CP", "01/2021/TT-BTTTT", "01/2026/QH16"),
 * NUMBER-TYPE/KÝ-HIỆU ("64-TB/VPTW") and NUMBER:YEAR/KÝ-HIỆU of technical standards
 * ("QCVN 01:2025/BTNMT" gives "01:2025/btnmt"). The ký hiệu is one or more groups of letters
 * (A-Z, Đ), digits and "&" before a capital ("GD&ĐT"), each starting with a letter, joined by
 * any dash (- ‐ ‑ ‒ – — ― − ⸺ ⸻ －), with up to three spaces around a dash or slash when the
 * group after it is in capitals ("CT - TTg", "45/2025 /TT-BXD", but not "CP - Về việc"); a group
 * must not run on into other letters ("1/Điều" is not a number). Any slash counts (/ ∕ ⁄ ／),
 * and any space (no-break, thin, ideographic).
 *
 * Dashes for every separator ("34-2008-CT-TTg", "1115-QĐ-TTg") give the same number as the
 * slashes would ("34/2008/ct-ttg", "1115/qđ-ttg"), when the year stands between the dashes or
 * the ký hiệu has two groups, or one of three capitals or more ("164-HĐTVĐX"): "5-A", "3-TK",
 * "12-05-2020", "2019-2020", "0912-345-678" and "COVID-19" are no numbers. "64-TB-VPTW" is read
 * as the state form, "64/tb-vptw": a Party number must keep its slash.
 *
 * Lowercase is accepted where the form shows a number (a year, or two groups: "1115/qđ-ttg"),
 * so that queries typed without capitals match. Where the evidence is weak, a spaced dash or a
 * dash where the slash belongs, a lowercase group must look like an abbreviation: at most one
 * vowel letter, and no Vietnamese syllable without its diacritics ("34/2008/ct - ttg" and
 * "1115-qđ-ttg" are numbers; in "34/2008/ct - ha noi" the number ends before "ha", and
 * "5-nam-qua" is none). So "594/qđ - ca" (ca reads as a word) stays "594", "qđ", "ca" in
 * running text. Here, where the whole text is meant as a number, any lowercase ký hiệu is
 * ("10/cp", "34/2008/ct - ha"), while in running text tracuu_tokenizer_run() does not make
 * "5/kg" a number. Dates (3/12/2008), fractions (1/2), scores, times and phone numbers have no
 * letters after the slash and are never numbers.
 *
 * Characters that look alike are read as the Latin ones inside a number: full-width forms
 * ("３４／２００８／ＣＴ－ＴＴｇ"), Ð for Đ (Windows-1258 text read as Windows-1252), and
 * Cyrillic or Greek letters drawn like a Latin letter ("TT-BTС" with a Cyrillic Es, "CΤ" with
 * a Greek Tau; a fixed table of the letters ICU's confusables data maps to one ASCII letter).
 * A number must keep at least one Latin letter of its own: Russian or Greek text ("5/ТС-ВК")
 * is not read as a number.
 *
 * Normal form: lowercase, every dash "-", no spaces, digits and letters as written (leading
 * zeros kept). A number longer than TRACUU_TOKENIZER_MAX_TERM bytes or with more than 24 groups
 * is not one.
 */
gboolean tracuu_docnum_normalize(const char *text, gssize len, char **term, char **folded);

G_END_DECLS
