/* fuzz-mail-decode.c - libFuzzer target for the mail decoders alone (indexer/mail-decode.c). */
#include "mail-decode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every decoder must give valid UTF-8 whatever the bytes, and warnings in valid UTF-8 too. */
static void
check(const char *s)
{
    if (s != NULL && !g_utf8_validate(s, -1, NULL))
        abort();
}

/*
 * The input is split at its first newline: the first line names a charset (declared or
 * fallback), the rest is a header value, a Content-Disposition value or a body. So the fuzzer
 * reaches charset names, encoded-words and RFC 2231 sections without needing GMime's parser.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *bytes = (const char *)data;
    const char *nl = memchr(bytes, '\n', MIN(size, (size_t)64));
    g_autofree char *charset = nl != NULL ? g_strndup(bytes, (gsize)(nl - bytes)) : NULL;
    const char *rest = nl != NULL ? nl + 1 : bytes;
    gsize rest_len = size - (gsize)(rest - bytes);
    g_autofree char *value = g_strndup(rest, MIN(rest_len, (gsize)65536));
    tracuu_extracted *doc = tracuu_extracted_new("mail", "message/rfc822");
    tracuu_mail_warn warn = {doc, "Subject"};
    const char *used = NULL;

    g_autofree char *plain = tracuu_mail_decode_header(value);
    if (plain == NULL)
        abort();
    check(plain);
    g_autofree char *header = tracuu_mail_header_decode(value, strlen(value), charset, warn);
    check(header);
    warn.header = "Content-Disposition";
    g_autofree char *filename = tracuu_mail_param_get(value, "filename", charset, warn);
    check(filename);
    g_autofree char *body = tracuu_mail_to_utf8(rest, rest_len, charset, NULL, TRUE, &used);
    check(body);
    g_autofree char *lossy = tracuu_mail_to_utf8(rest, rest_len, charset, "TCVN3", FALSE, &used);
    check(lossy);
    for (guint i = 0; doc->warnings != NULL && i < doc->warnings->len; i++)
        check(g_ptr_array_index(doc->warnings, i));
    tracuu_extracted_free(doc);
    return 0;
}
