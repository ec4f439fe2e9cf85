/* extract-pdf.c - text page by page and document info out of PDF files with poppler-glib. */
#include "extract-formats.h"
#include "extract-ocr.h"

#include <cairo.h>
#include <math.h>
#include <poppler.h>
#include <string.h>

/*
 * Poppler prints parse errors on stderr through its global error callback; poppler-glib offers
 * no way to catch them, and the GError it returns carries the reason we report, so they are
 * left as they are.
 */

/* The date of the document info as "YYYY-MM-DD", in the PDF's own time zone, or NULL. */
static char *
pdf_created(PopplerDocument *pdf)
{
    GDateTime *dt = poppler_document_get_creation_date_time(pdf);
    char *out;

    /* Some producers write only the modification date; it is the closest date we have. */
    if (dt == NULL)
        dt = poppler_document_get_modification_date_time(pdf);
    if (dt == NULL)
        return NULL;
    out = g_date_time_format(dt, "%Y-%m-%d");
    g_date_time_unref(dt);
    return out;
}

/*
 * The document info title as a title, or NULL when it is not one: the placeholders PDF
 * generators write when nobody gave a title, and the "Microsoft Word - qd15.doc" that printing
 * from Word leaves, which names a file rather than the document.
 */
static char *
pdf_title(const char *raw)
{
    static const char *const placeholders[] = {"(anonymous)", "untitled", "(untitled)",
                                               "untitled document"};
    static const char *const file_suffixes[] = {".doc", ".docx", ".rtf", ".odt",
                                                ".xls", ".xlsx", ".txt", ".pdf"};
    g_autofree char *title = tracuu_extract_clean_title(raw);
    const char *t = title;

    if (title == NULL)
        return NULL;
    for (gsize i = 0; i < G_N_ELEMENTS(placeholders); i++) {
        if (g_ascii_strcasecmp(title, placeholders[i]) == 0)
            return NULL;
    }
    if (g_str_has_prefix(t, "Microsoft Word - "))
        t += strlen("Microsoft Word - ");
    for (gsize i = 0; i < G_N_ELEMENTS(file_suffixes); i++) {
        gsize n = strlen(t), k = strlen(file_suffixes[i]);
        if (n >= k && g_ascii_strcasecmp(t + n - k, file_suffixes[i]) == 0)
            return NULL;
    }
    return *t != '\0' ? g_strdup(t) : NULL;
}

/* TRUE when @s holds at least one character that is not white space. */
static gboolean
has_visible_text(const char *s)
{
    for (; *s != '\0'; s = g_utf8_next_char(s)) {
        if (!g_unichar_isspace(g_utf8_get_char(s)))
            return TRUE;
    }
    return FALSE;
}

/* The letters and digits of @s: what tells a typed page from a scan's stray text layer. */
static guint
count_word_chars(const char *s)
{
    guint n = 0;
    for (; *s != '\0'; s = g_utf8_next_char(s))
        if (g_unichar_isalnum(g_utf8_get_char(s)))
            n++;
    return n;
}

/* TRUE when @page draws an image: a short typed page (a title page, a memo) is no scan. */
static gboolean
page_has_image(PopplerPage *page)
{
    GList *images = poppler_page_get_image_mapping(page);
    gboolean any = images != NULL;
    poppler_page_free_image_mapping(images);
    return any;
}

/* Largest page image, in pixels: an A0 poster at 300 dpi would need 600 MB; A4 needs 8.7 M. */
#define OCR_MAX_PIXELS (40u * 1000u * 1000u)

/*
 * The text Tesseract reads on @page (the @index-th, from 0), from the cache when it has it,
 * else rendered by poppler (through cairo) at TRACUU_OCR_DPI, lowered for pages too large.
 */
static char *
ocr_page(tracuu_ocr_file *ocr, PopplerPage *page, guint index, GError **error)
{
    char *text = tracuu_ocr_file_cached(ocr, index);
    if (text != NULL)
        return text;
    if (tracuu_ocr_is_deferring()) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_OCR_DEFERRED,
                    "page %u needs OCR", index + 1);
        return NULL;
    }
    double pw = 0, ph = 0;
    poppler_page_get_size(page, &pw, &ph);
    double dpi = TRACUU_OCR_DPI;
    if (pw <= 0 || ph <= 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "page %u has no size", index + 1);
        return NULL;
    }
    if (pw / 72 * dpi * ph / 72 * dpi > OCR_MAX_PIXELS)
        dpi = 72 * sqrt(OCR_MAX_PIXELS / (pw * ph));
    int w = MAX(1, (int)ceil(pw / 72 * dpi)), h = MAX(1, (int)ceil(ph / 72 * dpi));
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "page %u: cannot make an image of %dx%d pixels", index + 1, w, h);
        return NULL;
    }
    cairo_t *cr = cairo_create(surface);
    /* An RGB24 surface starts black, and poppler paints only what the page draws. */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, dpi / 72, dpi / 72);
    poppler_page_render_for_printing(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    /* Cairo's RGB24 is B, G, R, unused in memory: swapped red and blue barely change the gray
     * Tesseract makes of them, and black text on white paper not at all. */
    text = tracuu_ocr_file_read_pixels(ocr, index, cairo_image_surface_get_data(surface), w, h, 4,
                                       cairo_image_surface_get_stride(surface), (int)dpi, error);
    cairo_surface_destroy(surface);
    return text;
}

tracuu_extracted *
tracuu_extract_pdf(const char *data, gsize len, GError **error)
{
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GString) text = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    PopplerDocument *pdf;
    GError *local = NULL;
    gboolean any_text = FALSE;
    int n_pages, blank_pages = 0, skipped_ocr = 0, deferred_ocr = 0;
    const tracuu_ocr_options *ocr_opts = tracuu_ocr_get_options();
    g_autoptr(tracuu_ocr_file) ocr = NULL;
    g_autofree char *ocr_failure = NULL;
    const char *legacy;
    char *title;

    /* Poppler keeps a reference to the bytes; static bytes are safe because @data outlives us. */
    bytes = g_bytes_new_static(data, len);
    pdf = poppler_document_new_from_bytes(bytes, NULL, &local);
    if (pdf == NULL) {
        if (g_error_matches(local, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_ENCRYPTED,
                        "encrypted PDF: a password is needed to read it");
        else
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                        "damaged PDF: %s", local ? local->message : "unreadable");
        g_clear_error(&local);
        return NULL;
    }

    doc = tracuu_extracted_new("pdf", "application/pdf");
    doc->pages = g_array_new(FALSE, FALSE, sizeof(guint64));
    text = g_string_new(NULL);
    n_pages = poppler_document_get_n_pages(pdf);
    if (ocr_opts->mode != TRACUU_OCR_NEVER)
        ocr = tracuu_ocr_file_new(data, len, (guint)MAX(n_pages, 0));
    for (int i = 0; i < n_pages; i++) {
        PopplerPage *page = poppler_document_get_page(pdf, i);
        guint64 start = text->len;
        char *page_text;

        g_array_append_val(doc->pages, start);
        if (page == NULL) {
            tracuu_extracted_warn(doc, "page %d: cannot be read", i + 1);
            continue;
        }
        page_text = poppler_page_get_text(page);
        /*
         * A page with little or no text layer that draws an image is a scan (see
         * TRACUU_OCR_MIN_CHARS): its text
         * is what OCR reads, unless OCR finds nothing there either. The page limit is counted
         * in pages read by OCR, so that a long scan still gives its first pages.
         */
        if (ocr != NULL && ocr_failure == NULL &&
            (ocr_opts->mode == TRACUU_OCR_ALWAYS ||
             (count_word_chars(page_text != NULL ? page_text : "") < TRACUU_OCR_MIN_CHARS &&
              page_has_image(page)))) {
            if (!tracuu_ocr_file_may_read(ocr)) {
                skipped_ocr++;
            } else {
                GError *ocr_error = NULL;
                char *read = ocr_page(ocr, page, (guint)i, &ocr_error);
                if (read == NULL &&
                    g_error_matches(ocr_error, TRACUU_EXTRACT_ERROR,
                                    TRACUU_EXTRACT_ERROR_OCR_DEFERRED)) {
                    /* Left for the OCR pass: the typed pages are indexed now, without it. */
                    deferred_ocr++;
                    g_error_free(ocr_error);
                } else if (read == NULL) {
                    ocr_failure = g_strdup(ocr_error->message);
                    g_error_free(ocr_error);
                } else if (ocr_opts->mode == TRACUU_OCR_ALWAYS || has_visible_text(read)) {
                    g_free(page_text);
                    page_text = read;
                    tracuu_extracted_add_ocr_page(doc, (guint)i);
                } else {
                    g_free(read);
                }
            }
        }
        g_object_unref(page);
        if (page_text == NULL)
            continue;
        if (text->len + strlen(page_text) > TRACUU_EXTRACT_MAX_TEXT) {
            g_free(page_text);
            g_object_unref(pdf);
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                        "PDF text is over the limit of %" G_GSIZE_FORMAT " bytes at page %d",
                        TRACUU_EXTRACT_MAX_TEXT, i + 1);
            return NULL;
        }
        if (has_visible_text(page_text))
            any_text = TRUE;
        else
            blank_pages++;
        /* Poppler promises UTF-8, but a broken ToUnicode map can still produce bad sequences. */
        if (g_utf8_validate(page_text, -1, NULL)) {
            g_string_append(text, page_text);
        } else {
            char *valid = g_utf8_make_valid(page_text, -1);
            g_string_append(text, valid);
            g_free(valid);
        }
        g_free(page_text);
        /* Pages are kept apart so that the last word of one does not join the first of next. */
        if (text->len > start && text->str[text->len - 1] != '\n')
            g_string_append_c(text, '\n');
    }

    if (!any_text) {
        if (deferred_ocr > 0)
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_OCR_DEFERRED,
                        "image-only PDF (%d page%s), needs OCR", n_pages, n_pages == 1 ? "" : "s");
        else if (ocr_failure != NULL)
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_NO_TEXT,
                        "image-only PDF (%d page%s), and %s", n_pages, n_pages == 1 ? "" : "s",
                        ocr_failure);
        else if (ocr != NULL)
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_NO_TEXT,
                        "image-only PDF (%d page%s), and OCR read no text on it", n_pages,
                        n_pages == 1 ? "" : "s");
        else
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_NO_TEXT,
                        "image-only PDF (%d page%s), needs OCR", n_pages,
                        n_pages == 1 ? "" : "s");
        g_object_unref(pdf);
        return NULL;
    }

    /*
     * PDFs printed from documents typed in .VnTime or VNI fonts carry the fonts' Latin-1
     * characters ("B¸o c¸o"). The whole text decides the encoding; each page is
     * converted alone so that the page offsets stay right.
     */
    legacy = tracuu_text_legacy_font(text->str, (gssize)text->len);
    if (legacy != NULL) {
        GString *fixed = g_string_sized_new(text->len + text->len / 4);
        for (guint i = 0; i < doc->pages->len; i++) {
            guint64 from = g_array_index(doc->pages, guint64, i);
            guint64 to =
                i + 1 < doc->pages->len ? g_array_index(doc->pages, guint64, i + 1) : text->len;
            char *page =
                tracuu_text_from_legacy_font(text->str + from, (gssize)(to - from), legacy);
            g_array_index(doc->pages, guint64, i) = fixed->len;
            g_string_append(fixed, page);
            g_free(page);
        }
        g_string_free(text, TRUE);
        text = fixed;
    }

    /* Its pages read later say the rest; a warning now would stay in the index if the run
     * were killed before. */
    doc->ocr_pending = deferred_ocr > 0;
    if (ocr_failure != NULL)
        tracuu_extracted_warn(doc, "%s", ocr_failure);
    if (skipped_ocr > 0)
        tracuu_extracted_warn(doc, "%d pages not read by OCR: over the limit of %u per file",
                              skipped_ocr, ocr_opts->max_pages);
    /* A scan with a typed cover page: the user should know most of it is not searchable. */
    if (blank_pages > 0 && !doc->ocr_pending)
        tracuu_extracted_warn(doc, "%d of %d pages have no text layer (scanned images?)",
                              blank_pages, n_pages);

    title = poppler_document_get_title(pdf);
    if (title != NULL) {
        const char *title_legacy = tracuu_text_legacy_font(title, -1);
        doc->title = pdf_title(title);
        if (doc->title != NULL && title_legacy != NULL) {
            char *fixed = tracuu_text_from_legacy_font(doc->title, -1, title_legacy);
            g_free(doc->title);
            doc->title = fixed;
        }
        g_free(title);
    }
    doc->created = pdf_created(pdf);
    g_object_unref(pdf);

    g_free(doc->text);
    doc->text = g_string_free(g_steal_pointer(&text), FALSE);
    return g_steal_pointer(&doc);
}
