/* fuzz-pdf.c - libFuzzer target: arbitrary bytes through the PDF path of the extractor. */
#include "tracuu-extract.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The name and declared type say PDF, so bytes libmagic cannot place still reach poppler; a PDF
 * header in the input takes the same path by content. Whatever comes back must be either a
 * document with valid UTF-8 text or an error of our domain.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gboolean ready;
    GError *error = NULL;
    tracuu_extracted *doc;

    if (!ready) {
        if (!tracuu_extract_init(&error))
            abort();
        ready = TRUE;
    }
    doc = tracuu_extract_buffer((const char *)data, size, "fuzz.pdf", "application/pdf", &error);
    if (doc == NULL) {
        if (error == NULL || error->domain != TRACUU_EXTRACT_ERROR)
            abort();
        g_error_free(error);
        return 0;
    }
    if (doc->text == NULL || !g_utf8_validate(doc->text, -1, NULL))
        abort();
    if (doc->title != NULL && !g_utf8_validate(doc->title, -1, NULL))
        abort();
    if (doc->pages != NULL) {
        for (guint i = 0; i < doc->pages->len; i++) {
            if (g_array_index(doc->pages, guint64, i) > strlen(doc->text))
                abort();
        }
    }
    tracuu_extracted_free(doc);
    return 0;
}
