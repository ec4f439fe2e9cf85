/* extract-util.c - what every extractor uses: the document record, warnings, titles. */
#include "extract-private.h"

#include <stdarg.h>

/*
 * Apart from the dispatcher (extract.c) so that an extractor, which the dispatcher calls, never
 * calls back into it: mail, the one extractor that needs the dispatcher for its attachments,
 * is handed it as a function.
 */

G_DEFINE_QUARK(tracuu - extract - error - quark, tracuu_extract_error)

tracuu_extracted *
tracuu_extracted_new(const char *kind, const char *mime)
{
    tracuu_extracted *doc = g_new0(tracuu_extracted, 1);
    doc->kind = g_strdup(kind);
    doc->mime = g_strdup(mime);
    doc->text = g_strdup("");
    doc->span_offset = -1;
    return doc;
}

void
tracuu_extracted_add_ocr_page(tracuu_extracted *doc, guint index)
{
    if (doc->ocr_pages == NULL)
        doc->ocr_pages = g_array_new(FALSE, FALSE, sizeof(guint64));
    guint64 number = (guint64)index + 1;
    g_array_append_val(doc->ocr_pages, number);
    doc->ocr = TRUE;
}

void
tracuu_extracted_warn(tracuu_extracted *doc, const char *format, ...)
{
    va_list ap;
    if (doc->warnings == NULL)
        doc->warnings = g_ptr_array_new_with_free_func(g_free);
    va_start(ap, format);
    g_ptr_array_add(doc->warnings, g_strdup_vprintf(format, ap));
    va_end(ap);
}

void
tracuu_extracted_free(tracuu_extracted *doc)
{
    if (doc == NULL)
        return;
    g_free(doc->kind);
    g_free(doc->mime);
    g_free(doc->title);
    g_free(doc->text);
    if (doc->pages != NULL)
        g_array_unref(doc->pages);
    if (doc->ocr_pages != NULL)
        g_array_unref(doc->ocr_pages);
    g_free(doc->created);
    g_free(doc->subject);
    g_clear_pointer(&doc->from, g_array_unref);
    g_clear_pointer(&doc->to, g_array_unref);
    g_clear_pointer(&doc->cc, g_array_unref);
    g_free(doc->message_id);
    g_free(doc->in_reply_to);
    g_free(doc->references);
    g_free(doc->attachment);
    g_free(doc->part);
    if (doc->children != NULL)
        g_ptr_array_unref(doc->children);
    if (doc->warnings != NULL)
        g_ptr_array_unref(doc->warnings);
    g_free(doc);
}

char *
tracuu_extract_clean_title(const char *raw)
{
    g_autofree char *valid = NULL;
    GString *out;

    if (raw == NULL)
        return NULL;
    valid = g_utf8_make_valid(raw, -1);
    out = g_string_new(NULL);
    for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c) || c == 0x00A0) {
            if (out->len > 0 && out->str[out->len - 1] != ' ')
                g_string_append_c(out, ' ');
        } else if (!g_unichar_iscntrl(c)) {
            g_string_append_unichar(out, c);
        }
    }
    if (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}
