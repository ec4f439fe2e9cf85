/* extract-image.c - scanned pages as PNG, JPEG or TIFF files, read by OCR page by page. */
#include "extract-formats.h"
#include "extract-ocr.h"

#include <string.h>

tracuu_extracted *
tracuu_extract_image(const char *data, gsize len, const char *mime, GError **error)
{
    const tracuu_ocr_options *opts = tracuu_ocr_get_options();
    if (opts->mode == TRACUU_OCR_NEVER) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "image (%s) not read: OCR is off", mime);
        return NULL;
    }
    guint n_pages = tracuu_ocr_image_count_pages(data, len, mime);
    if (n_pages == 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "damaged image: %s that cannot be decoded", mime);
        return NULL;
    }
    g_autoptr(tracuu_extracted) doc = tracuu_extracted_new("image", mime);
    g_autoptr(tracuu_ocr_file) ocr = tracuu_ocr_file_new(data, len, n_pages);
    g_autoptr(GString) text = g_string_new(NULL);
    gboolean any_text = FALSE;
    guint skipped = 0;
    doc->pages = g_array_new(FALSE, FALSE, sizeof(guint64));
    for (guint i = 0; i < n_pages; i++) {
        guint64 start = text->len;
        g_array_append_val(doc->pages, start);
        if (!tracuu_ocr_file_may_read(ocr)) {
            skipped++;
            continue;
        }
        char *page = tracuu_ocr_file_cached(ocr, i);
        if (page == NULL && tracuu_ocr_is_deferring()) {
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_OCR_DEFERRED,
                        "page %u needs OCR", i + 1);
            return NULL;
        }
        if (page == NULL)
            page = tracuu_ocr_file_read_image(ocr, i, error);
        if (page == NULL)
            return NULL;
        if (text->len + strlen(page) > TRACUU_EXTRACT_MAX_TEXT) {
            g_free(page);
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                        "image text is over the limit of %" G_GSIZE_FORMAT " bytes at page %u",
                        TRACUU_EXTRACT_MAX_TEXT, i + 1);
            return NULL;
        }
        for (const char *p = page; *p != '\0' && !any_text; p = g_utf8_next_char(p))
            any_text = !g_unichar_isspace(g_utf8_get_char(p));
        g_string_append(text, page);
        g_free(page);
        tracuu_extracted_add_ocr_page(doc, i);
        /* Pages are kept apart so that the last word of one does not join the first of next. */
        if (text->len > start && text->str[text->len - 1] != '\n')
            g_string_append_c(text, '\n');
    }
    if (!any_text) {
        /* A photograph among the documents: skipped, as images were before OCR. */
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "image (%s, %u page%s): OCR read no text on it", mime, n_pages,
                    n_pages == 1 ? "" : "s");
        return NULL;
    }
    if (skipped > 0)
        tracuu_extracted_warn(doc, "%u pages not read by OCR: over the limit of %u per file",
                              skipped, opts->max_pages);
    g_free(doc->text);
    doc->text = g_string_free(g_steal_pointer(&text), FALSE);
    return g_steal_pointer(&doc);
}
