/* tokenizer.c - splitting text into normalised tokens: words, numbers, document numbers, URLs. */
#include "tokenizer-private.h"

#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/*
 * A term is made from at most this many bytes of a token's text: the term is cut at
 * TRACUU_TOKENIZER_MAX_TERM bytes anyway, and NFC can shrink text by at most a factor of three
 * (Hangul jamo), so this is enough while keeping the work per token bounded.
 */
#define NORM_INPUT_MAX 1024
#define UBUF_CAP (NORM_INPUT_MAX * 12)

struct tracuu_tokenizer {
    UBreakIterator *bi;
    const UNormalizer2 *nfc;
    UChar ua[UBUF_CAP];
    UChar ub[UBUF_CAP];
    uint32_t cps[UBUF_CAP];
    /* A run of a script without spaces, as UTF-16 for ICU, with each unit's byte offset. */
    UChar *run;
    uint32_t *run_off;
    size_t run_cap;
    char term[TRACUU_TOKENIZER_MAX_TERM + 8];
    size_t term_len;
    char folded[TRACUU_TOKENIZER_MAX_TERM + 8];
    size_t folded_len;
};

/* The state of one call of tracuu_tokenizer_run(). */
typedef struct {
    tracuu_tokenizer *tk;
    const unsigned char *s;
    size_t len;
    tracuu_token_func func;
    gpointer user_data;
    uint32_t pos;
    bool stop;
} run_state;

static GQuark
tokenizer_error_quark(void)
{
    return g_quark_from_static_string("tracuu-tokenizer-error-quark");
}

tracuu_tokenizer *
tracuu_tokenizer_new(GError **error)
{
    if (!tracuu_tok_tables_init()) {
        g_set_error(error, tokenizer_error_quark(), 1, "ICU normalisation data is not available");
        return NULL;
    }
    UErrorCode err = U_ZERO_ERROR;
    tracuu_tokenizer *tk = g_new0(tracuu_tokenizer, 1);
    tk->nfc = unorm2_getNFCInstance(&err);
    if (U_SUCCESS(err))
        tk->bi = ubrk_open(UBRK_WORD, "vi", NULL, 0, &err);
    if (U_FAILURE(err)) {
        g_set_error(error, tokenizer_error_quark(), 1, "cannot set up ICU: %s", u_errorName(err));
        tracuu_tokenizer_free(tk);
        return NULL;
    }
    return tk;
}

void
tracuu_tokenizer_free(tracuu_tokenizer *tk)
{
    if (!tk)
        return;
    if (tk->bi)
        ubrk_close(tk->bi);
    g_free(tk->run);
    g_free(tk->run_off);
    g_free(tk);
}

const char *
tracuu_token_kind_name(tracuu_token_kind kind)
{
    switch (kind) {
    case TRACUU_TOKEN_WORD:
        return "word";
    case TRACUU_TOKEN_NUMBER:
        return "number";
    case TRACUU_TOKEN_DOCNUM:
        return "docnum";
    case TRACUU_TOKEN_EMAIL:
        return "email";
    case TRACUU_TOKEN_URL:
        return "url";
    }
    return "unknown";
}

/* Writes the term and folded form of @cps to tk->term and tk->folded, each cut at MAX_TERM. */
static void
set_terms(tracuu_tokenizer *tk, uint32_t *cps, size_t n, bool tones, bool invisible)
{
    if (invisible) {
        /* "trư\u00ADờng" (a soft hyphen) is "trường": the term leaves such characters out. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!tracuu_tok_is_invisible(cps[i]))
                cps[k++] = cps[i];
        n = k;
    }
    if (tones)
        tracuu_tok_fix_tones(cps, n);
    /* The folded form is that of the term as given (cut included), so that it never holds
     * letters the term does not. */
    size_t t = 0, f = 0;
    char tmp[4];
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = cps[i] == 0x2019 ? '\'' : cps[i];
        size_t k = tok_encode(cp, tmp);
        if (t + k > TRACUU_TOKENIZER_MAX_TERM)
            break;
        memcpy(tk->term + t, tmp, k);
        t += k;
        uint32_t fc = tracuu_tok_fold_cp(cp);
        if (fc) {
            k = tok_encode(fc, tmp);
            if (f + k <= TRACUU_TOKENIZER_MAX_TERM) {
                memcpy(tk->folded + f, tmp, k);
                f += k;
            }
        }
    }
    tk->term[t] = '\0';
    tk->folded[f] = '\0';
    tk->term_len = t;
    tk->folded_len = f;
}

/*
 * Makes the term and folded form of the token text [@s, @s + @n): case folding, NFC, tone
 * placement (@tones, for words). Text where every code point has a table entry takes the fast
 * path; anything else goes through ICU.
 */
static void
normalize_token(tracuu_tokenizer *tk, const unsigned char *s, size_t n, bool tones)
{
    if (n > NORM_INPUT_MAX) {
        n = NORM_INPUT_MAX;
        while (n > 0 && (s[n] & 0xC0) == 0x80)
            n--; /* cut at a code point boundary */
    }
    size_t m = 0, i = 0;
    bool fast = true;
    unsigned vowels = 0, toned = 0;
    while (i < n) {
        uint32_t cp = tok_decode(s, n, i, &i);
        if (cp >= TOK_TABLE_SIZE || !tracuu_tok_table[cp].fast) {
            fast = false;
            break;
        }
        uint32_t low = tracuu_tok_table[cp].lower;
        tk->cps[m++] = low;
        unsigned v = tracuu_tok_table[low].vowel;
        vowels += v != 0;
        toned |= v & 7u;
    }
    /* A tone mark can only move between two vowels: most syllables need no work. */
    if (fast && (vowels < 2 || !toned))
        tones = false;
    if (!fast) {
        UErrorCode err = U_ZERO_ERROR;
        int32_t ulen = 0;
        u_strFromUTF8WithSub(tk->ua, UBUF_CAP, &ulen, (const char *)s, (int32_t)n, 0xFFFD, NULL,
                             &err);
        int32_t flen = U_SUCCESS(err) ? u_strFoldCase(tk->ub, UBUF_CAP, tk->ua, ulen,
                                                      U_FOLD_CASE_DEFAULT, &err)
                                      : 0;
        int32_t nlen =
            U_SUCCESS(err) ? unorm2_normalize(tk->nfc, tk->ub, flen, tk->ua, UBUF_CAP, &err) : 0;
        m = 0;
        if (U_SUCCESS(err)) {
            for (int32_t k = 0; k < nlen;) {
                UChar32 c;
                U16_NEXT(tk->ua, k, nlen, c);
                tk->cps[m++] = (uint32_t)c;
            }
        }
    }
    set_terms(tk, tk->cps, m, tones, !fast);
}

/* Gives one token to the callback. */
static void
give(run_state *st, tracuu_token_kind kind, size_t start, size_t end, bool part)
{
    tracuu_tokenizer *tk = st->tk;
    if (st->stop || tk->term_len == 0)
        return;
    tracuu_token t = {
        .term = tk->term,
        .term_len = tk->term_len,
        .folded = tk->folded,
        .folded_len = tk->folded_len,
        .kind = kind,
        .flags = part ? TRACUU_TOKEN_PART : 0,
        .pos = part ? st->pos - 1 : st->pos,
        .start = start,
        .end = end,
    };
    if (!part)
        st->pos++;
    if (!st->func(&t, st->user_data))
        st->stop = true;
}

static void
emit(run_state *st, tracuu_token_kind kind, size_t start, size_t end, bool part)
{
    if (st->stop)
        return;
    normalize_token(st->tk, st->s + start, end - start, kind == TRACUU_TOKEN_WORD);
    give(st, kind, start, end, part);
}

static int
class_at(const unsigned char *s, size_t len, size_t i, uint32_t *cp, size_t *next)
{
    *cp = tok_decode(s, len, i, next);
    return *cp < TOK_TABLE_SIZE ? tracuu_tok_table[*cp].cls : tracuu_tok_class_of(*cp);
}

/* Scans a word of an alphabetic script or a number from @i (a letter or digit) to at most
 * @lim; emits it. */
static size_t
scan_word(run_state *st, size_t i, size_t lim, bool part)
{
    const unsigned char *s = st->s;
    size_t j = i, next;
    bool letters = false;
    int prev = TOK_SEP;
    while (j < lim) {
        uint32_t cp;
        int cls = class_at(s, lim, j, &cp, &next);
        if (cls == TOK_LETTER || cls == TOK_DIGIT || cls == TOK_MARK) {
            if (cls == TOK_LETTER)
                letters = true;
            if (cls != TOK_MARK)
                prev = cls;
            j = next;
            continue;
        }
        /* Inner separators as in UAX #29: 1.000.000 and 3,5 are one number, don't one word.
         * Unlike UAX #29, a full stop between letters splits ("TP.HCM" gives tp, hcm), so that
         * each part can be found. */
        if (next < lim && (cp == '.' || cp == ',' || cp == '\'' || cp == 0x2019)) {
            uint32_t ncp;
            size_t nn;
            int ncls = class_at(s, lim, next, &ncp, &nn);
            bool digits = (cp == '.' || cp == ',') && prev == TOK_DIGIT && ncls == TOK_DIGIT;
            bool apos = (cp == '\'' || cp == 0x2019) && prev == TOK_LETTER && ncls == TOK_LETTER;
            if (digits || apos) {
                j = next;
                continue;
            }
        }
        break;
    }
    emit(st, letters ? TRACUU_TOKEN_WORD : TRACUU_TOKEN_NUMBER, i, j, part);
    return j;
}

/* Segments a run of another script from @i with ICU's word break iterator; emits its words. */
static size_t
scan_complex(run_state *st, size_t i, size_t lim, bool part)
{
    tracuu_tokenizer *tk = st->tk;
    const unsigned char *s = st->s;
    size_t j = i, next, n = 0;
    while (j < lim) {
        uint32_t cp;
        int cls = class_at(s, lim, j, &cp, &next);
        if (cls != TOK_COMPLEX && cls != TOK_MARK)
            break;
        if (n + 3 > tk->run_cap) {
            tk->run_cap = MAX(1024, tk->run_cap * 2);
            tk->run = g_renew(UChar, tk->run, tk->run_cap);
            tk->run_off = g_renew(uint32_t, tk->run_off, tk->run_cap);
        }
        if (n >= (1u << 30))
            break; /* ICU counts in int32_t, run_off in uint32_t: the rest is the next run */
        if (cp < 0x10000) {
            tk->run[n] = (UChar)cp;
            tk->run_off[n++] = (uint32_t)(j - i);
        } else {
            tk->run[n] = U16_LEAD(cp);
            tk->run_off[n++] = (uint32_t)(j - i);
            tk->run[n] = U16_TRAIL(cp);
            tk->run_off[n++] = (uint32_t)(j - i);
        }
        j = next;
    }
    tk->run_off[n] = (uint32_t)(j - i);

    UErrorCode err = U_ZERO_ERROR;
    ubrk_setText(tk->bi, tk->run, (int32_t)n, &err);
    if (U_FAILURE(err)) {
        emit(st, TRACUU_TOKEN_WORD, i, j, part);
        return j;
    }
    int32_t a = ubrk_first(tk->bi);
    for (int32_t b = ubrk_next(tk->bi); b != UBRK_DONE && !st->stop; a = b, b = ubrk_next(tk->bi)) {
        int32_t status = ubrk_getRuleStatus(tk->bi);
        if (status < UBRK_WORD_NONE_LIMIT)
            continue;
        tracuu_token_kind kind =
            status < UBRK_WORD_NUMBER_LIMIT ? TRACUU_TOKEN_NUMBER : TRACUU_TOKEN_WORD;
        emit(st, kind, i + tk->run_off[a], i + tk->run_off[b], part);
    }
    /* The iterator must not keep a pointer into a buffer that may be reallocated. */
    ubrk_setText(tk->bi, NULL, 0, &err);
    return j;
}

static bool
is_ascii_alnum(unsigned c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
has_prefix_ci(const unsigned char *s, size_t len, size_t i, const char *p)
{
    size_t n = strlen(p);
    return len - i >= n && g_ascii_strncasecmp((const char *)s + i, p, n) == 0;
}

/* Longest host name (RFC 1035), and most labels we look at in one (congbao.chinhphu.vn has 3). */
#define MAX_HOST 253
#define MAX_LABELS 8

/* If a URL (http://, https://, ftp://, www.) starts at @i, returns its end, else 0. */
static size_t
match_url(const unsigned char *s, size_t len, size_t i)
{
    static const char *const prefixes[] = {"https://", "http://", "ftp://", "www."};
    size_t j = 0;
    for (size_t k = 0; k < G_N_ELEMENTS(prefixes); k++) {
        if (has_prefix_ci(s, len, i, prefixes[k])) {
            j = i + strlen(prefixes[k]);
            break;
        }
    }
    /* Checked before scanning, so that a failed attempt costs nothing: "http://-http://-..."
     * must not be scanned again from every "http". */
    if (!j || j >= len)
        return 0;
    size_t body = j, next;
    int first = tracuu_tok_class_of(tok_decode(s, len, j, &next));
    if (first != TOK_LETTER && first != TOK_DIGIT) /* a letter: "http://ôtô.vn" as well */
        return 0;
    int parens = 0;
    while (j < len) {
        uint32_t cp = tok_decode(s, len, j, &next);
        if (cp <= 0x20 || cp == '"' || cp == '<' || cp == '>' || cp == '`' || cp == '{' ||
            cp == '}' || cp == '|' || cp == '\\' || cp == '^')
            break;
        if (cp >= 0x80 && tracuu_tok_class_of(cp) == TOK_SEP)
            break; /* Unicode spaces, quotes, U+FFFD */
        if (cp == '(')
            parens++;
        else if (cp == ')' && --parens < 0)
            break;
        j = next;
    }
    /* Punctuation that ends a sentence is not part of the URL. */
    while (j > body && strchr(".,;:!?'*", s[j - 1]) && s[j - 1] != '\0')
        j--;
    if (j == body)
        return 0;
    return j;
}

/* If an e-mail address starts at @i, returns its end, else 0. */
static size_t
match_email(const unsigned char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && j - i < 64 &&
           (is_ascii_alnum(s[j]) || s[j] == '.' || s[j] == '_' || s[j] == '-' || s[j] == '+' ||
            s[j] == '%'))
        j++;
    if (j == i || j >= len || s[j] != '@' || s[j - 1] == '.')
        return 0;
    size_t d = j + 1, end = 0;
    int labels = 0;
    /* A host name has at most 253 bytes; the bound also keeps a failed attempt cheap, as the
     * next token starts inside what was scanned. */
    while (d < len && d - (j + 1) < MAX_HOST && labels < MAX_LABELS) {
        size_t l = d;
        bool letters_only = true;
        while (l < len && l - d < 63 && (is_ascii_alnum(s[l]) || s[l] == '-')) {
            if (!g_ascii_isalpha(s[l]))
                letters_only = false;
            l++;
        }
        if (l == d || s[d] == '-' || s[l - 1] == '-')
            break;
        labels++;
        if (labels >= 2 && letters_only && l - d >= 2)
            end = l;
        if (l + 1 < len && s[l] == '.' && is_ascii_alnum(s[l + 1]))
            d = l + 1;
        else
            break;
    }
    return end;
}

/*
 * Whether the digits at @i continue a number or code written just before them ("1.2/CP",
 * "1-2/CP", "1–2/CP", "01:2025"): a document number does not start there. The code point before
 * is read as the number scanner reads it, so that any dash or slash counts.
 */
static bool
continues_number(const unsigned char *s, size_t i)
{
    if (i == 0)
        return false;
    size_t a = i - 1, next;
    while (a > 0 && i - a < 4 && (s[a] & 0xC0) == 0x80)
        a--;
    bool lookalike;
    uint32_t p = tok_docnum_at(s, i, a, &next, &lookalike);
    if (next != i)
        return false; /* a stray byte: no separator */
    if (p == '.' || p == ',' || p == '/' || p == '-')
        return true;
    if (p != ':' || a == 0)
        return false;
    size_t b = a - 1;
    while (b > 0 && a - b < 4 && (s[b] & 0xC0) == 0x80)
        b--;
    uint32_t q = tok_docnum_at(s, a, b, &next, &lookalike);
    return next == a && q >= '0' && q <= '9';
}

/* Top-level domains that mark a bare host name ("vbpl.vn", "moj.gov.vn") as a URL. */
static bool
is_known_tld(const unsigned char *s, size_t n)
{
    static const char *const tlds[] = {"vn",  "com", "net",  "org", "gov",
                                       "edu", "int", "info", "biz", "io"};
    for (size_t k = 0; k < G_N_ELEMENTS(tlds); k++)
        if (strlen(tlds[k]) == n && g_ascii_strncasecmp((const char *)s, tlds[k], n) == 0)
            return true;
    return false;
}

/*
 * If a bare host name with a known top-level domain starts at @i ("chinhphu.vn",
 * "dichvucong.gov.vn/portal"), returns its end (path included), else 0.
 */
static size_t
match_domain(const unsigned char *s, size_t len, size_t i)
{
    size_t d = i, end = 0;
    int labels = 0;
    while (d < len && d - i < MAX_HOST && labels < MAX_LABELS) {
        size_t l = d;
        while (l < len && l - d < 63 && (is_ascii_alnum(s[l]) || s[l] == '-'))
            l++;
        if (l == d || s[d] == '-' || s[l - 1] == '-')
            break;
        labels++;
        if (labels >= 2 && is_known_tld(s + d, l - d))
            end = l;
        if (l + 1 < len && s[l] == '.' && is_ascii_alnum(s[l + 1]))
            d = l + 1;
        else
            break;
    }
    if (!end)
        return 0;
    /* The host must end there, not run on into a longer word ("abc.vnx"). */
    if (end < len) {
        size_t next;
        uint32_t cp = tok_decode(s, len, end, &next);
        if (tracuu_tok_class_of(cp) != TOK_SEP || cp == '@')
            return 0;
        if (cp == '/' || cp == ':') {
            /* A path or port: the rest as in a URL. */
            size_t j = end;
            while (j < len) {
                uint32_t c = tok_decode(s, len, j, &next);
                if (c <= 0x20 || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' ||
                    c == '}' || c == '|' || c == '\\' || c == '^' || c == '(' || c == ')' ||
                    (c >= 0x80 && tracuu_tok_class_of(c) == TOK_SEP))
                    break;
                j = next;
            }
            while (j > end && strchr(".,;:!?'*", s[j - 1]))
                j--;
            if (j > end + 1)
                end = j;
        }
    }
    return end;
}

/* Emits the pieces of an e-mail or URL at the position just given. */
static void emit_parts(run_state *st, size_t from, size_t to);

/*
 * Emits the pieces of the document number [@from, @to) just given: its runs of letters and
 * digits, read as the number was (a Cyrillic С as C, ３４ as 34), so that each piece is the
 * word or number of its Latin form. For a number in ASCII they are what scan_word() makes.
 */
static void
emit_docnum_parts(run_state *st, size_t from, size_t to)
{
    tracuu_tokenizer *tk = st->tk;
    const unsigned char *s = st->s;
    size_t i = from;
    while (i < to && !st->stop) {
        size_t start = i, t = 0, f = 0, next = i;
        bool letters = false;
        while (i < to) {
            bool lookalike;
            uint32_t c = tok_docnum_at(s, to, i, &next, &lookalike);
            if (t + 2 > TRACUU_TOKENIZER_MAX_TERM)
                break;
            if (c == TOK_DN_D_UPPER || c == TOK_DN_D_LOWER) {
                tk->term[t++] = (char)0xC4;
                tk->term[t++] = (char)0x91;
                tk->folded[f++] = 'd';
                letters = true;
            } else if (c < 0x80 && is_ascii_alnum(c)) {
                char l = (char)g_ascii_tolower((gchar)c);
                tk->term[t++] = l;
                tk->folded[f++] = l;
                letters = letters || g_ascii_isalpha((gchar)c);
            } else {
                break;
            }
            i = next;
        }
        if (i == start) {
            i = next; /* a separator: dash, slash, space, colon, "&" */
            continue;
        }
        tk->term[t] = '\0';
        tk->folded[f] = '\0';
        tk->term_len = t;
        tk->folded_len = f;
        give(st, letters ? TRACUU_TOKEN_WORD : TRACUU_TOKEN_NUMBER, start, i, true);
    }
}

static void
segment(run_state *st, size_t i, size_t lim, bool part)
{
    const unsigned char *s = st->s;
    while (i < lim && !st->stop) {
        size_t next;
        uint32_t cp;
        int cls = class_at(s, lim, i, &cp, &next);
        if (cls == TOK_SEP || cls == TOK_MARK) {
            i = next;
            continue;
        }
        if (cls == TOK_COMPLEX) {
            i = scan_complex(st, i, lim, part);
            continue;
        }
        /* Document numbers start with digits, ASCII or full width (３４／２００８). */
        if (!part && cls == TOK_DIGIT && (cp < 0x80 || (cp >= 0xFF10 && cp <= 0xFF19))) {
            tok_docnum m;
            if (!continues_number(s, i) && tracuu_tok_docnum_match(s, lim, i, false, &m)) {
                tracuu_tokenizer *tk = st->tk;
                memcpy(tk->term, m.term, m.term_len + 1);
                tk->term_len = m.term_len;
                memcpy(tk->folded, m.folded, m.folded_len + 1);
                tk->folded_len = m.folded_len;
                give(st, TRACUU_TOKEN_DOCNUM, i, m.end, false);
                emit_docnum_parts(st, i, m.end);
                i = m.end;
                continue;
            }
        }
        if (!part && cp < 0x80) {
            size_t e;
            if ((cp == 'h' || cp == 'H' || cp == 'f' || cp == 'F' || cp == 'w' || cp == 'W') &&
                (e = match_url(s, lim, i))) {
                emit(st, TRACUU_TOKEN_URL, i, e, false);
                emit_parts(st, i, e);
                i = e;
                continue;
            }
            if ((e = match_email(s, lim, i))) {
                emit(st, TRACUU_TOKEN_EMAIL, i, e, false);
                emit_parts(st, i, e);
                i = e;
                continue;
            }
            if ((e = match_domain(s, lim, i))) {
                emit(st, TRACUU_TOKEN_URL, i, e, false);
                emit_parts(st, i, e);
                i = e;
                continue;
            }
        }
        i = scan_word(st, i, lim, part);
    }
}

static void
emit_parts(run_state *st, size_t from, size_t to)
{
    segment(st, from, to, true);
}

uint32_t
tracuu_tokenizer_run(tracuu_tokenizer *tk, const char *text, size_t len, uint32_t first_pos,
                     tracuu_token_func func, gpointer user_data)
{
    g_return_val_if_fail(tk != NULL && func != NULL, first_pos);
    run_state st = {tk,   (const unsigned char *)text, text ? len : 0, func, user_data, first_pos,
                    false};
    segment(&st, 0, st.len, false);
    return st.pos;
}
