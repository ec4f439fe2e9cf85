/* mail-decode.c - charsets, RFC 2047 encoded-words and RFC 2231 parameters of mail, to UTF-8. */
#include "mail-decode.h"
#include "extract-formats.h"

#include <string.h>

/*
 * Everything that turns the bytes of a message into text, apart from the MIME walk in
 * extract-mail.c: GMime 3.2.13 loses encoded-words (jstedfast/gmime#133) and gives up on
 * charsets it does not know, where an archive must keep every word it can. No GMime here, so
 * that tests/fuzz/fuzz-mail-decode.c reaches this code directly.
 */

/* Sections of one RFC 2231 parameter (filename*0*, filename*1*, ...) that are kept. */
#define MAIL_PARAM_SECTIONS_MAX 64

/* --- Charsets --- */

/*
 * Maps the charset names mailers write to names glibc's iconv knows. Vietnamese mailers of the
 * 1990s and 2000s used several private spellings of the same three legacy charsets.
 */
static const struct {
    const char *alias;
    const char *iconv_name;
} charset_aliases[] = {
    {"utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"us-ascii", "UTF-8"}, /* 8-bit bytes under us-ascii are mislabelled, not binary */
    {"ascii", "UTF-8"},
    {"cp1258", "WINDOWS-1258"},
    {"x-cp1258", "WINDOWS-1258"},
    {"windows-1258", "WINDOWS-1258"},
    {"x-viet-windows", "WINDOWS-1258"},
    {"tcvn", "TCVN5712-1"},
    {"tcvn3", "TCVN5712-1"},
    {"tcvn-3", "TCVN5712-1"},
    {"tcvn5712", "TCVN5712-1"},
    {"tcvn-5712", "TCVN5712-1"},
    {"tcvn5712-1", "TCVN5712-1"},
    {"x-viet-tcvn", "TCVN5712-1"},
    {"x-viet-tcvn5712", "TCVN5712-1"},
    {"viscii", "VISCII"},
    {"x-viet-viscii", "VISCII"},
    {"viscii1.1-1", "VISCII"},
    /* Mailers write iso-8859-1 for text typed in windows-1252 (curly quotes, euro). */
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"ks_c_5601-1987", "CP949"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
};

/* Returns the iconv name for the charset @name (a static string or @name itself). */
static const char *
charset_iconv_name(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(charset_aliases); i++) {
        if (g_ascii_strcasecmp(name, charset_aliases[i].alias) == 0)
            return charset_aliases[i].iconv_name;
    }
    return name;
}

/* TRUE when @name looks like a charset name at all (iconv is not fed arbitrary bytes). */
static gboolean
charset_name_is_plausible(const char *name)
{
    gsize n = strlen(name);
    if (n == 0 || n > 40)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isalnum(name[i]) && !strchr("-_.:+()", name[i]))
            return FALSE;
    }
    return TRUE;
}

/*
 * Converts exactly @len bytes from @charset to UTF-8. Returns NULL when iconv does not know the
 * charset or when any byte is invalid in it: the caller then tries the next candidate.
 */
static char *
convert_strict(const char *data, gsize len, const char *charset, gsize *out_len)
{
    const char *iconv_name = charset_iconv_name(charset);
    if (g_ascii_strcasecmp(iconv_name, "UTF-8") == 0) {
        if (!g_utf8_validate_len(data, len, NULL))
            return NULL;
        *out_len = len;
        return g_strndup(data, len);
    }
    if (!charset_name_is_plausible(iconv_name))
        return NULL;
    gsize read = 0;
    gsize written = 0;
    char *out = g_convert(data, len, "UTF-8", iconv_name, &read, &written, NULL);
    if (out == NULL || read != len) {
        g_free(out);
        return NULL;
    }
    *out_len = written;
    return out;
}

/*
 * TRUE when @data is mostly UTF-8 with a few damaged bytes (more valid multi-byte sequences than
 * invalid bytes): then U+FFFD for the damage loses less than reading it all as windows-1258.
 */
static gboolean
mostly_utf8(const char *data, gsize len)
{
    gsize good = 0;
    gsize bad = 0;
    const char *p = data;
    const char *end = data + len;
    while (p < end) {
        const char *stop = NULL;
        if (g_utf8_validate_len(p, end - p, &stop))
            stop = end;
        for (const char *q = p; q < stop; q++) {
            if ((guchar)*q >= 0xC0)
                good++;
        }
        if (stop >= end)
            break;
        bad++;
        p = stop + 1;
    }
    return good > bad;
}

/* Windows-1258 leaves a few bytes undefined; they become '?' so that the rest is kept. */
static char *
convert_windows_1258_lossy(const char *data, gsize len, gsize *out_len)
{
    static const guchar undefined[] = {0x81, 0x8A, 0x8D, 0x8E, 0x8F, 0x90, 0x9A, 0x9D, 0x9E};
    g_autofree char *copy = g_memdup2(data, len);
    for (gsize i = 0; i < len; i++) {
        if (memchr(undefined, (guchar)copy[i], sizeof undefined))
            copy[i] = '?';
    }
    return convert_strict(copy, len, "WINDOWS-1258", out_len);
}

/*
 * Replaces NUL and other control characters (but tab and newline) by spaces so that the text is
 * one C string, and normalises to NFC: windows-1258 and TCVN give combining tone marks.
 */
static char *
utf8_finish(char *s, gsize len)
{
    gsize w = 0;
    for (gsize i = 0; i < len; i++) {
        guchar c = (guchar)s[i];
        if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
            continue; /* mail lines end in CRLF: one line break, not two */
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
            c = c == '\r' ? '\n' : ' ';
        s[w++] = (char)c;
    }
    len = w;
    /* Not g_utf8_normalize(): it is quadratic on long bodies (see tracuu_text_nfc). */
    char *nfc = tracuu_text_nfc(s, (gssize)len);
    g_free(s);
    return nfc;
}

/*
 * Converts @len bytes to NFC UTF-8, trying @declared (may be NULL), then UTF-8, then @fallback
 * (may be NULL). Then, with @detect, the shared legacy Vietnamese detector decides (it scores
 * windows-1258, TCVN3, VNI and VISCII: a body is long enough for that); else windows-1258, and
 * if nothing reads every byte, what can be read is kept. Sets *@used (may be NULL) to the
 * charset that read the bytes, or NULL when the result is lossy. Never fails.
 */
char *
tracuu_mail_to_utf8(const char *data, gsize len, const char *declared, const char *fallback,
                    gboolean detect, const char **used)
{
    const char *candidates[] = {declared, "UTF-8", fallback};
    gsize out_len = 0;
    if (len == 0 || data == NULL) {
        /* An empty GByteArray has no data pointer at all. */
        if (used)
            *used = declared;
        return g_strdup("");
    }
    for (gsize i = 0; i < G_N_ELEMENTS(candidates); i++) {
        if (candidates[i] == NULL || *candidates[i] == '\0')
            continue;
        char *out = convert_strict(data, len, candidates[i], &out_len);
        if (out != NULL) {
            if (used)
                *used = candidates[i];
            return utf8_finish(out, out_len);
        }
    }
    if (detect) {
        const char *detected = NULL;
        char *out = tracuu_text_decode(data, len, &detected);
        if (used)
            *used = detected;
        return utf8_finish(out, strlen(out));
    }
    /* UTF-8 cut or damaged in a few places reads better as UTF-8 than as windows-1258. */
    char *out = NULL;
    if (!mostly_utf8(data, len)) {
        out = convert_strict(data, len, "WINDOWS-1258", &out_len);
        if (out != NULL) {
            if (used)
                *used = "WINDOWS-1258";
            return utf8_finish(out, out_len);
        }
        out = convert_windows_1258_lossy(data, len, &out_len);
    }
    if (used)
        *used = NULL;
    if (out == NULL) {
        out = g_utf8_make_valid(data, len);
        out_len = strlen(out);
    }
    return utf8_finish(out, out_len);
}

/*
 * A copy of @s cut to @max bytes with every byte outside printable ASCII made '?': charset
 * names and content types come from the message and go into warnings and fields that must be
 * valid UTF-8.
 */
char *
tracuu_mail_ascii_safe(const char *s, gsize max)
{
    char *out = g_strndup(s, max);
    for (char *p = out; *p; p++) {
        if ((guchar)*p < 0x21 || (guchar)*p > 0x7E)
            *p = '?';
    }
    return out;
}

/* --- Header decoding (RFC 2047) --- */

/* One RFC 2047 encoded-word found in a header: pointers into the header. */
typedef struct {
    const char *charset;
    gsize charset_len;
    char encoding; /* 'B' or 'Q' */
    const char *text;
    gsize text_len;
    gsize length; /* of the whole word, "=?" to "?=" */
} encoded_word;

/*
 * Reads an encoded-word "=?charset[*lang]?B|Q?text?=" at @p (at most @n bytes). Whitespace is
 * not allowed inside, so an unterminated word cannot swallow the rest of the header.
 */
static gboolean
encoded_word_parse(const char *p, gsize n, encoded_word *w)
{
    if (n < 8 || p[0] != '=' || p[1] != '?')
        return FALSE;
    gsize i = 2;
    while (i < n && p[i] != '?' && !g_ascii_isspace(p[i]) && i < 80)
        i++;
    if (i >= n || p[i] != '?' || i == 2)
        return FALSE;
    w->charset = p + 2;
    w->charset_len = i - 2;
    /* RFC 2231 section 5: "charset*language"; the language is of no use here. */
    const char *star = memchr(w->charset, '*', w->charset_len);
    if (star != NULL)
        w->charset_len = star - w->charset;
    if (i + 3 >= n || p[i + 2] != '?')
        return FALSE;
    w->encoding = g_ascii_toupper(p[i + 1]);
    if (w->encoding != 'B' && w->encoding != 'Q')
        return FALSE;
    gsize start = i + 3;
    for (gsize j = start; j + 1 < n; j++) {
        if (g_ascii_isspace(p[j]))
            return FALSE;
        if (p[j] == '?' && p[j + 1] == '=') {
            w->text = p + start;
            w->text_len = j - start;
            w->length = j + 2;
            return TRUE;
        }
    }
    return FALSE;
}

/* Appends the bytes encoded in @w to @out. Each word is decoded on its own, as RFC 2047 says. */
static void
encoded_word_decode(const encoded_word *w, GByteArray *out)
{
    if (w->encoding == 'B') {
        guint8 *buf = g_malloc(w->text_len * 3 / 4 + 4);
        gint state = 0;
        guint save = 0;
        gsize got = g_base64_decode_step(w->text, w->text_len, buf, &state, &save);
        g_byte_array_append(out, buf, got);
        g_free(buf);
        return;
    }
    for (gsize i = 0; i < w->text_len; i++) {
        char c = w->text[i];
        if (c == '_') {
            g_byte_array_append(out, (const guint8 *)" ", 1);
        } else if (c == '=' && i + 2 < w->text_len && g_ascii_isxdigit(w->text[i + 1]) &&
                   g_ascii_isxdigit(w->text[i + 2])) {
            guint8 b =
                (g_ascii_xdigit_value(w->text[i + 1]) << 4) | g_ascii_xdigit_value(w->text[i + 2]);
            g_byte_array_append(out, &b, 1);
            i += 2;
        } else {
            g_byte_array_append(out, (const guint8 *)&c, 1);
        }
    }
}

/* The state of one header decoding: text so far, and bytes of words waiting for conversion. */
typedef struct {
    GString *out;
    GByteArray *word_bytes;
    char *word_charset;
    GByteArray *plain;
    const char *fallback;
    tracuu_mail_warn warn;
} header_decoder;

/*
 * Converts the bytes of consecutive encoded-words of one charset together: mailers split a
 * multi-byte UTF-8 character across two words, which is why GMime joins them too.
 */
static void
header_decoder_flush_words(header_decoder *d)
{
    if (d->word_charset == NULL)
        return;
    const char *used = NULL;
    char *text = tracuu_mail_to_utf8((const char *)d->word_bytes->data, d->word_bytes->len,
                                     d->word_charset, d->fallback, FALSE, &used);
    if (d->warn.doc != NULL && (used == NULL || used != d->word_charset)) {
        g_autofree char *name = tracuu_mail_ascii_safe(d->word_charset, 40);
        tracuu_extracted_warn(d->warn.doc, "header %s: text in charset \"%s\" %s", d->warn.header,
                              name, used ? "read as another charset" : "partly unreadable");
    }
    g_string_append(d->out, text);
    g_free(text);
    g_byte_array_set_size(d->word_bytes, 0);
    g_clear_pointer(&d->word_charset, g_free);
}

/* Text outside encoded-words: 8-bit bytes there are undeclared, so try UTF-8 and fallbacks. */
static void
header_decoder_flush_plain(header_decoder *d)
{
    if (d->plain->len == 0)
        return;
    char *text = tracuu_mail_to_utf8((const char *)d->plain->data, d->plain->len, NULL, d->fallback,
                                     FALSE, NULL);
    g_string_append(d->out, text);
    g_free(text);
    g_byte_array_set_size(d->plain, 0);
}

static gboolean
bytes_are_space(const GByteArray *b)
{
    for (guint i = 0; i < b->len; i++) {
        if (!g_ascii_isspace(b->data[i]))
            return FALSE;
    }
    return TRUE;
}

/* Collapses runs of whitespace (folding, tabs, newlines) to one space and trims. */
static char *
collapse_space(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    gboolean space = FALSE;
    for (const char *p = s; *p; p++) {
        if (g_ascii_isspace(*p)) {
            space = TRUE;
            continue;
        }
        if (space && out->len > 0)
            g_string_append_c(out, ' ');
        space = FALSE;
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

/*
 * Decodes @len bytes of a raw header value: RFC 2047 words of any charset, whitespace between
 * adjacent words dropped, undeclared 8-bit bytes read as UTF-8, then @fallback, then
 * windows-1258. Reports charsets that did not read to @warn. Returns NFC UTF-8 (g_free).
 */
char *
tracuu_mail_header_decode(const char *raw, gsize len, const char *fallback, tracuu_mail_warn warn)
{
    header_decoder d = {
        .out = g_string_sized_new(len),
        .word_bytes = g_byte_array_new(),
        .plain = g_byte_array_new(),
        .fallback = fallback,
        .warn = warn,
    };
    gboolean after_word = FALSE;
    gsize i = 0;
    while (i < len) {
        encoded_word w;
        if (raw[i] == '=' && encoded_word_parse(raw + i, len - i, &w)) {
            g_autofree char *charset = g_strndup(w.charset, w.charset_len);
            if (after_word && bytes_are_space(d.plain))
                g_byte_array_set_size(d.plain, 0);
            if (d.plain->len > 0) {
                header_decoder_flush_words(&d);
                header_decoder_flush_plain(&d);
            }
            if (d.word_charset != NULL && g_ascii_strcasecmp(d.word_charset, charset) != 0)
                header_decoder_flush_words(&d);
            if (d.word_charset == NULL)
                d.word_charset = g_steal_pointer(&charset);
            encoded_word_decode(&w, d.word_bytes);
            i += w.length;
            after_word = TRUE;
            continue;
        }
        g_byte_array_append(d.plain, (const guint8 *)raw + i, 1);
        i++;
    }
    header_decoder_flush_words(&d);
    header_decoder_flush_plain(&d);
    g_byte_array_unref(d.word_bytes);
    g_byte_array_unref(d.plain);
    char *joined = g_string_free(d.out, FALSE);
    char *result = collapse_space(joined);
    g_free(joined);
    return result;
}

char *
tracuu_mail_decode_header(const char *raw)
{
    if (raw == NULL)
        return g_strdup("");
    return tracuu_mail_header_decode(raw, strlen(raw), NULL, (tracuu_mail_warn){NULL, NULL});
}

/* --- Parameters (RFC 2231) --- */

/* Appends @len bytes of %XX-encoded @s to @out, decoded. */
static void
percent_decode(const char *s, gsize len, GByteArray *out)
{
    for (gsize i = 0; i < len; i++) {
        guint8 b = (guint8)s[i];
        if (s[i] == '%' && i + 2 < len && g_ascii_isxdigit(s[i + 1]) &&
            g_ascii_isxdigit(s[i + 2])) {
            b = (g_ascii_xdigit_value(s[i + 1]) << 4) | g_ascii_xdigit_value(s[i + 2]);
            i += 2;
        }
        g_byte_array_append(out, &b, 1);
    }
}

/* One section of an RFC 2231 parameter: its raw value and whether it is %-encoded. */
typedef struct {
    char *value;
    gboolean extended;
} param_section;

/*
 * Finds parameter @name in the raw value of a Content-Type or Content-Disposition header and
 * decodes it: RFC 2231 (name*=charset''%XX, name*0*=, name*1=...), RFC 2047 words inside quotes
 * (which RFC 2047 forbids but Outlook writes) and raw 8-bit bytes. NULL when absent.
 */
char *
tracuu_mail_param_get(const char *raw, const char *name, const char *fallback,
                      tracuu_mail_warn warn)
{
    if (raw == NULL)
        return NULL;
    gsize name_len = strlen(name);
    param_section sections[MAIL_PARAM_SECTIONS_MAX] = {{0}};
    char *plain = NULL;
    const char *p = raw;
    gboolean in_quote = FALSE;
    /* Skip the type ("attachment", "application/pdf") up to the first ';' outside quotes. */
    for (; *p && (in_quote || *p != ';'); p++) {
        if (*p == '"')
            in_quote = !in_quote;
    }
    while (*p) {
        while (*p == ';' || g_ascii_isspace(*p))
            p++;
        const char *attr = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        const char *attr_end = p;
        while (attr_end > attr && g_ascii_isspace(attr_end[-1]))
            attr_end--;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        GString *value = g_string_new(NULL);
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                if (*p != '\r' && *p != '\n')
                    g_string_append_c(value, *p);
            }
            if (*p == '"')
                p++;
            while (*p && *p != ';')
                p++;
        } else {
            /* Unquoted values with spaces (raw 8-bit file names) are read up to the ';'. */
            for (; *p && *p != ';'; p++) {
                if (*p != '\r' && *p != '\n')
                    g_string_append_c(value, *p);
            }
            while (value->len > 0 && g_ascii_isspace(value->str[value->len - 1]))
                g_string_truncate(value, value->len - 1);
        }
        gsize alen = attr_end - attr;
        if (alen < name_len || g_ascii_strncasecmp(attr, name, name_len) != 0) {
            g_string_free(value, TRUE);
            continue;
        }
        const char *rest = attr + name_len;
        gsize rest_len = alen - name_len;
        if (rest_len == 0) {
            if (plain == NULL)
                plain = g_string_free(g_steal_pointer(&value), FALSE);
        } else if (rest[0] == '*') {
            /* "*" alone, "*N" or "*N*". */
            guint index = 0;
            gsize k = 1;
            gboolean numbered = FALSE;
            while (k < rest_len && g_ascii_isdigit(rest[k]) && index < 1000) {
                index = index * 10 + (rest[k] - '0');
                numbered = TRUE;
                k++;
            }
            gboolean extended = !numbered || (k < rest_len && rest[k] == '*');
            if (k + (numbered && extended ? 1 : 0) == rest_len && index < MAIL_PARAM_SECTIONS_MAX &&
                sections[index].value == NULL) {
                sections[index].value = g_string_free(g_steal_pointer(&value), FALSE);
                sections[index].extended = extended;
            }
        }
        if (value != NULL)
            g_string_free(value, TRUE);
    }

    char *result = NULL;
    if (sections[0].value != NULL) {
        GByteArray *bytes = g_byte_array_new();
        g_autofree char *charset = NULL;
        for (guint i = 0; i < MAIL_PARAM_SECTIONS_MAX && sections[i].value != NULL; i++) {
            const char *v = sections[i].value;
            if (sections[i].extended) {
                if (i == 0) {
                    /* charset'language'text: both may be empty. */
                    const char *q1 = strchr(v, '\'');
                    const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
                    if (q2 != NULL) {
                        charset = g_strndup(v, q1 - v);
                        v = q2 + 1;
                    }
                }
                percent_decode(v, strlen(v), bytes);
            } else {
                g_byte_array_append(bytes, (const guint8 *)v, strlen(v));
            }
        }
        const char *used = NULL;
        const char *declared = charset && *charset ? charset : NULL;
        result = tracuu_mail_to_utf8((const char *)bytes->data, bytes->len, declared, fallback,
                                     FALSE, &used);
        if (declared && used != declared && warn.doc != NULL) {
            g_autofree char *shown = tracuu_mail_ascii_safe(declared, 40);
            tracuu_extracted_warn(warn.doc, "parameter %s: charset \"%s\" did not read", name,
                                  shown);
        }
        g_byte_array_unref(bytes);
    } else if (plain != NULL) {
        result = tracuu_mail_header_decode(plain, strlen(plain), fallback, warn);
    }
    for (guint i = 0; i < MAIL_PARAM_SECTIONS_MAX; i++)
        g_free(sections[i].value);
    g_free(plain);
    if (result != NULL && *result == '\0')
        g_clear_pointer(&result, g_free);
    return result;
}
