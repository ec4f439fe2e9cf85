/* extract-ocr.h - text out of page images with Tesseract, cached by the file's content hash. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * OCR runs in the extraction workers, one Tesseract engine per process (loading the language
 * data takes a few tenths of a second, so it is loaded once, at the first page that needs it).
 * The options are the process's: the worker sets them once from its command line, before any
 * file, and the extractors of PDF and images read them.
 */

typedef enum {
    TRACUU_OCR_NEVER,  /* image-only pages stay without text: "needs OCR", images skipped */
    TRACUU_OCR_AUTO,   /* image pages without a text layer (TRACUU_OCR_MIN_CHARS), and images */
    TRACUU_OCR_ALWAYS, /* every page, its text layer replaced by what Tesseract reads */
} tracuu_ocr_mode;

/*
 * A page that draws an image and whose text layer has fewer letters and digits than this is
 * read by OCR in auto mode (a short typed page, without an image, is not a scan).
 * A typed page of an official document has hundreds; what a scan carries in its text layer is
 * a page number, a scanner's footer ("Scanned with CamScanner": 21) or a stamp's date.
 */
#define TRACUU_OCR_MIN_CHARS 32

/* Pages are rendered at this resolution: Tesseract reads body text best at 300 dpi. */
#define TRACUU_OCR_DPI 300

/*
 * Called before each page that Tesseract reads (not for pages from the cache), with the page
 * (from 0) and the number of pages of the file: the worker gives the file more time for it.
 */
typedef void (*tracuu_ocr_page_fn)(void *data, guint page, guint n_pages);

typedef struct {
    tracuu_ocr_mode mode;
    char *languages;  /* Tesseract's form: "vie+eng" */
    guint max_pages;  /* pages read by OCR per file at most; 0: no limit */
    char *cache_dir;  /* where page texts are kept by content hash; NULL: no cache */
    tracuu_ocr_page_fn page_started; /* may be NULL */
    void *data;
} tracuu_ocr_options;

/* Sets the process's OCR options (copied; the callback data is borrowed). */
void tracuu_ocr_configure(const tracuu_ocr_options *opts);

/* The process's OCR options: by default mode NEVER. Valid until the next configure. */
const tracuu_ocr_options *tracuu_ocr_get_options(void);

/*
 * While deferring, a file that needs a page read by OCR that the cache does not have fails
 * at once with TRACUU_EXTRACT_ERROR_OCR_DEFERRED: the indexer reads such files after all the
 * others, so that text documents are searchable first.
 */
void tracuu_ocr_set_deferring(gboolean defer);
gboolean tracuu_ocr_is_deferring(void);

/* "vie;eng" (the configuration's form, also "vie+eng" or "vie,eng") as "vie+eng"; g_free(). */
char *tracuu_ocr_languages_from_list(const char *list);

/* Parses "auto", "always" or "never"; FALSE for anything else. */
gboolean tracuu_ocr_mode_parse(const char *s, tracuu_ocr_mode *out);

/*
 * The OCR of one file, @len bytes at @data (borrowed; valid while it lives): its content hash
 * is taken once, when a page first needs it, and names its pages in the cache. It counts the
 * pages read and those taken from the cache. Free with tracuu_ocr_file_free().
 */
typedef struct tracuu_ocr_file tracuu_ocr_file;

tracuu_ocr_file *tracuu_ocr_file_new(const char *data, gsize len, guint n_pages);
void tracuu_ocr_file_free(tracuu_ocr_file *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_ocr_file, tracuu_ocr_file_free)

/*
 * TRUE when one more page may be read by OCR under max_pages (pages from the cache count too,
 * so that a file gives the same text whether its pages were cached or not).
 */
gboolean tracuu_ocr_file_may_read(const tracuu_ocr_file *f);

/* The cached text of @page (from 0), or NULL when the cache has none; g_free(). */
char *tracuu_ocr_file_cached(tracuu_ocr_file *f, guint page);

/*
 * Reads @page from pixels: @bytes_per_pixel 1 (gray), 3 (RGB) or 4 (cairo's RGB24, the fourth
 * byte ignored), rows @stride bytes apart, at @ppi. Stores the text in the cache. Returns the
 * text (UTF-8, may be "": a blank page) or NULL with @error (TRACUU_EXTRACT_ERROR_NO_TEXT:
 * Tesseract or its language data cannot be loaded). g_free().
 */
char *tracuu_ocr_file_read_pixels(tracuu_ocr_file *f, guint page, const guchar *pixels, int width,
                                  int height, int bytes_per_pixel, int stride, int ppi,
                                  GError **error);

/*
 * Reads @page from an image file in memory (PNG, JPEG, TIFF; @page is the TIFF page), decoded
 * by leptonica. Errors: DAMAGED (the image cannot be decoded), NO_TEXT (as above).
 */
char *tracuu_ocr_file_read_image(tracuu_ocr_file *f, guint page, GError **error);

/* Pages read by Tesseract, and pages taken from the cache, so far. */
guint tracuu_ocr_file_get_n_read(const tracuu_ocr_file *f);
guint tracuu_ocr_file_get_n_cached(const tracuu_ocr_file *f);

/* The number of pages of a TIFF in memory (1 for other images, 0 when it cannot be read). */
guint tracuu_ocr_image_count_pages(const char *data, gsize len, const char *mime);

G_END_DECLS
