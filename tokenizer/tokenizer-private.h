/* tokenizer-private.h - internals shared by the tokenizer's files: character tables, decoding. */
#pragma once

#include "tracuu-tokenizer.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Character classes. Letters of alphabetic scripts (Latin above all, but also Greek, Cyrillic,
 * Arabic...) and digits are segmented by our own scanner: it follows UAX #29 for them and is
 * several times faster than ICU's iterator. Scripts written without spaces (Thai, Lao, Khmer,
 * Myanmar, Chinese, Japanese) go to ICU's word break iterator, which splits them by dictionary.
 */
enum {
    TOK_SEP = 0, /* anything that separates tokens: space, punctuation, U+FFFD */
    TOK_LETTER,  /* letter of an alphabetic script */
    TOK_DIGIT,   /* decimal digit of any script */
    TOK_MARK,    /* combining mark: it continues the run it follows */
    TOK_COMPLEX, /* letter of a script without spaces: segmented by ICU */
};

/* Code points below this have a precomputed entry in tracuu_tok_table. */
#define TOK_TABLE_SIZE 0x2000

/* Number of Vietnamese vowel bases: a ă â e ê i o ô ơ u ư y. */
#define TOK_VN_BASES 12

typedef struct {
    uint8_t cls;   /* TOK_* class */
    uint8_t fast;  /* 1 if lower and fold below are exact: NFC-stable, one code point */
    uint8_t vowel; /* Vietnamese vowel (lowercase only): base index + 1 in bits 3.., tone in 0..2 */
    uint16_t lower; /* full case folding of the code point (when fast) */
    uint16_t fold;  /* lower without diacritics, đ as d (when fast) */
} tok_cpinfo;

extern tok_cpinfo tracuu_tok_table[TOK_TABLE_SIZE];

/* Fills tracuu_tok_table and the vowel tables once per process; thread-safe. Returns false if ICU
 * fails.
 */
bool tracuu_tok_tables_init(void);

/* The class of any code point (tracuu_tok_table for the small ones, ICU for the rest). */
int tracuu_tok_class_of(uint32_t cp);

/*
 * The accent-free form of one code point of a term (case-folded, NFC): diacritics removed,
 * đ as d; 0 for a lone combining diacritic, which is dropped.
 */
uint32_t tracuu_tok_fold_cp(uint32_t cp);

/* Whether @cp is an invisible format character (soft hyphen, ZWJ, BOM...) left out of terms. */
bool tracuu_tok_is_invisible(uint32_t cp);

/*
 * Moves the tone mark of one lowercase Vietnamese syllable in @cps to its canonical vowel
 * (the "new" placement: hòa, thúy, khỏe, ủy; quý, già, hoàng unchanged). Leaves anything that
 * is not a plain Vietnamese syllable with exactly one tone mark unchanged.
 */
void tracuu_tok_fix_tones(uint32_t *cps, size_t n);

/*
 * Decodes one code point of @s at @i (< @len) and sets *@next past it. An invalid or truncated
 * sequence gives U+FFFD and consumes one byte, so decoding never stops early.
 */
static inline uint32_t
tok_decode(const unsigned char *s, size_t len, size_t i, size_t *next)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *next = i + 1;
        return c;
    }
    uint32_t cp;
    size_t n;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1F;
        n = 1;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0F;
        n = 2;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        n = 3;
        min = 0x10000;
    } else {
        *next = i + 1;
        return 0xFFFD;
    }
    if (len - i <= n) {
        /* Truncated: only the continuation bytes actually present matter. */
        for (size_t k = 1; i + k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                break;
        *next = i + 1;
        return 0xFFFD;
    }
    for (size_t k = 1; k <= n; k++) {
        unsigned d = s[i + k];
        if ((d & 0xC0) != 0x80) {
            *next = i + 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *next = i + 1;
        return 0xFFFD;
    }
    *next = i + n + 1;
    return cp;
}

/* Writes @cp as UTF-8 to @out (room for 4 bytes) and returns the number of bytes. */
static inline size_t
tok_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Whether @cp is one of the dashes people put in document numbers (-, ‐, ‑, ‒, –, —, −, ...). */
static inline bool
tok_is_dash(uint32_t cp)
{
    return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0x2E3A ||
           cp == 0x2E3B || cp == 0xFE58 || cp == 0xFE63 || cp == 0xFF0D;
}

/* What the document-number scanner reads for Đ and đ (and for Ð, which legacy charsets give). */
#define TOK_DN_D_UPPER 0x110u
#define TOK_DN_D_LOWER 0x111u

/* A letter of another script that looks like a Latin one (Cyrillic С, Greek Τ). */
typedef struct {
    uint16_t cp;
    char latin;
} tok_lookalike;

/* The look-alikes read as Latin inside a document number, sorted by code point. */
extern const tok_lookalike tracuu_tok_lookalikes[];
extern const size_t tracuu_tok_n_lookalikes;

/*
 * How the document-number scanner reads the non-ASCII code point @cp: every dash as '-', every
 * slash (∕ ⁄ ／) as '/', spaces (no-break, thin, ideographic) as ' ', the full-width forms of
 * ASCII (３４／ＣＴ) as ASCII, Đ and đ (and Ð) as TOK_DN_D_UPPER and TOK_DN_D_LOWER, a
 * Cyrillic or Greek look-alike of a Latin letter as that letter (and *@lookalike set true);
 * anything else as itself. Only the scanner reads text this way: elsewhere these stay as they
 * are.
 */
uint32_t tracuu_tok_docnum_char(uint32_t cp, bool *lookalike);

/* The code point at @i (< @len) as the document-number scanner reads it; see above. */
static inline uint32_t
tok_docnum_at(const unsigned char *s, size_t len, size_t i, size_t *next, bool *lookalike)
{
    *lookalike = false;
    if (s[i] < 0x80) {
        *next = i + 1;
        return s[i];
    }
    return tracuu_tok_docnum_char(tok_decode(s, len, i, next), lookalike);
}

/* A document number recognised at some offset of the input. */
typedef struct {
    char term[TRACUU_TOKENIZER_MAX_TERM + 8];
    size_t term_len;
    char folded[TRACUU_TOKENIZER_MAX_TERM + 8];
    size_t folded_len;
    size_t end; /* byte offset one past its last byte */
} tok_docnum;

/*
 * If a document number starts at byte @i of @s (@len bytes), fills @m and returns true.
 * The caller guarantees that @i is at the start of a token (not inside a word). @whole: the
 * caller knows the text is meant as a number (a metadata value, a number: filter), so a ký hiệu
 * in lowercase is taken even where running text would need more evidence ("10/cp").
 */
bool tracuu_tok_docnum_match(const unsigned char *s, size_t len, size_t i, bool whole,
                             tok_docnum *m);
