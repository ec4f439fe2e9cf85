/* text-decode.c - detects the encoding of Vietnamese text (UTF-8 and legacy ones) and converts it. */
#include "extract-formats.h"

#include <string.h>

char *
tracuu_text_decode(const char *data, gsize len, const char **charset)
{
    char *out;

    if (g_utf8_validate(data, (gssize)len, NULL)) {
        if (charset)
            *charset = "UTF-8";
        return g_strndup(data, len);
    }
    out = g_convert(data, (gssize)len, "UTF-8", "WINDOWS-1258", NULL, NULL, NULL);
    if (out != NULL) {
        char *nfc = g_utf8_normalize(out, -1, G_NORMALIZE_NFC);
        g_free(out);
        if (charset)
            *charset = "windows-1258";
        return nfc;
    }
    if (charset)
        *charset = NULL;
    return g_utf8_make_valid(data, (gssize)len);
}
