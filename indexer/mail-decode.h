/* mail-decode.h - the charset, RFC 2047 and RFC 2231 decoding of mail (mail-decode.c). */
#pragma once

#include "extract-private.h"

G_BEGIN_DECLS

/* Where a decoder reports charsets that did not read: warnings on @doc naming @header. */
typedef struct {
    tracuu_extracted *doc; /* NULL: nothing reported */
    const char *header;    /* "Subject", "Content-Disposition"... */
} tracuu_mail_warn;

/*
 * Decodes an RFC 2047 header value to UTF-8, including what GMime 3.2.13 loses (consecutive
 * base64 encoded-words after a padded one, jstedfast/gmime#133) and undeclared 8-bit bytes in
 * legacy Vietnamese charsets. Returns a newly allocated string (g_free).
 */
char *tracuu_mail_decode_header(const char *raw);

/*
 * Converts @len bytes to NFC UTF-8, trying @declared (may be NULL), then UTF-8, then @fallback
 * (may be NULL). Then, with @detect, the shared legacy Vietnamese detector decides (a body is
 * long enough for that); else windows-1258, and if nothing reads every byte, what can be read
 * is kept. Control characters but tab and newline become spaces. Sets *@used (may be NULL) to
 * the charset that read the bytes (@declared itself when it did), or NULL when the result is
 * lossy. Never fails; caller g_free()s.
 */
char *tracuu_mail_to_utf8(const char *data, gsize len, const char *declared, const char *fallback,
                          gboolean detect, const char **used);

/*
 * Decodes @len bytes of a raw header value: RFC 2047 words of any charset, whitespace between
 * adjacent words dropped, undeclared 8-bit bytes read as UTF-8, then @fallback, then
 * windows-1258; white space runs made one space. Reports charsets that did not read to @warn.
 * Returns NFC UTF-8 (g_free), never NULL.
 */
char *tracuu_mail_header_decode(const char *raw, gsize len, const char *fallback,
                                tracuu_mail_warn warn);

/*
 * Finds parameter @name in the raw value @raw (may be NULL) of a Content-Type or
 * Content-Disposition header and decodes it: RFC 2231 (name*=charset''%XX, name*0*=, ...),
 * RFC 2047 words inside quotes (which Outlook writes) and raw 8-bit bytes. NULL when absent or
 * empty; else UTF-8, caller g_free()s.
 */
char *tracuu_mail_param_get(const char *raw, const char *name, const char *fallback,
                            tracuu_mail_warn warn);

/*
 * A copy of @s cut to @max bytes with every byte outside printable ASCII made '?', for charset
 * names and content types that go into warnings and fields. Caller g_free()s.
 */
char *tracuu_mail_ascii_safe(const char *s, gsize max);

G_END_DECLS
