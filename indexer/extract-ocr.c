/* extract-ocr.c - text out of page images with Tesseract, cached by the file's content hash. */
#include "extract-ocr.h"

#include "extract-private.h"

#include <allheaders.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <tesseract/capi.h>

static tracuu_ocr_options options = {.mode = TRACUU_OCR_NEVER};

/* The process's engine, made at the first page, for the languages it was made with. */
static TessBaseAPI *engine;
static char *engine_languages;
static char *engine_failure; /* why it cannot be made: said once, for every page after */

void
tracuu_ocr_configure(const tracuu_ocr_options *opts)
{
    g_free(options.languages);
    g_free(options.cache_dir);
    options = *opts;
    options.languages = g_strdup(opts->languages != NULL ? opts->languages : "vie");
    options.cache_dir = g_strdup(opts->cache_dir);
}

static gboolean deferring;

void
tracuu_ocr_set_deferring(gboolean defer)
{
    deferring = defer;
}

gboolean
tracuu_ocr_is_deferring(void)
{
    return deferring;
}

const tracuu_ocr_options *
tracuu_ocr_get_options(void)
{
    return &options;
}

char *
tracuu_ocr_languages_from_list(const char *list)
{
    g_auto(GStrv) parts = g_strsplit_set(list != NULL ? list : "", ";,+ ", -1);
    GString *out = g_string_new(NULL);
    for (char **p = parts; *p != NULL; p++) {
        if (**p == '\0')
            continue;
        if (out->len > 0)
            g_string_append_c(out, '+');
        g_string_append(out, *p);
    }
    if (out->len == 0)
        g_string_append(out, "vie");
    return g_string_free(out, FALSE);
}

gboolean
tracuu_ocr_mode_parse(const char *s, tracuu_ocr_mode *out)
{
    static const char *const names[] = {[TRACUU_OCR_NEVER] = "never", [TRACUU_OCR_AUTO] = "auto",
                                        [TRACUU_OCR_ALWAYS] = "always"};
    for (guint i = 0; s != NULL && i < G_N_ELEMENTS(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (tracuu_ocr_mode)i;
            return TRUE;
        }
    }
    return FALSE;
}

/* The engine for the configured languages, or NULL with @error. */
static TessBaseAPI *
get_engine(GError **error)
{
    if (engine != NULL && g_strcmp0(engine_languages, options.languages) == 0)
        return engine;
    if (engine_failure != NULL && g_strcmp0(engine_languages, options.languages) == 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_NO_TEXT, "%s",
                    engine_failure);
        return NULL;
    }
    if (engine != NULL)
        TessBaseAPIDelete(engine);
    g_clear_pointer(&engine_failure, g_free);
    g_free(engine_languages);
    engine_languages = g_strdup(options.languages);
    engine = TessBaseAPICreate();
    /* LSTM only (OEM 1): the legacy engine has no data for Vietnamese in Debian's packages. */
    if (TessBaseAPIInit3(engine, NULL, options.languages) != 0) {
        TessBaseAPIDelete(engine);
        engine = NULL;
        engine_failure = g_strdup_printf("OCR: cannot load Tesseract's language data \"%s\" "
                                         "(is tesseract-ocr-vie installed?)",
                                         options.languages);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_NO_TEXT, "%s",
                    engine_failure);
        return NULL;
    }
    /* Tesseract's notes ("Estimating resolution...") are noise in the worker's log. */
    TessBaseAPISetVariable(engine, "debug_file", "/dev/null");
    return engine;
}

struct tracuu_ocr_file {
    const char *data;
    gsize len;
    guint n_pages;
    char *sha1; /* hex SHA-1 of the content, taken at the first page that needs it */
    guint n_read, n_cached;
};

tracuu_ocr_file *
tracuu_ocr_file_new(const char *data, gsize len, guint n_pages)
{
    tracuu_ocr_file *f = g_new0(tracuu_ocr_file, 1);
    f->data = data;
    f->len = len;
    f->n_pages = n_pages;
    return f;
}

void
tracuu_ocr_file_free(tracuu_ocr_file *f)
{
    if (f == NULL)
        return;
    g_free(f->sha1);
    g_free(f);
}

gboolean
tracuu_ocr_file_may_read(const tracuu_ocr_file *f)
{
    return options.max_pages == 0 || f->n_read + f->n_cached < options.max_pages;
}

guint
tracuu_ocr_file_get_n_read(const tracuu_ocr_file *f)
{
    return f->n_read;
}

guint
tracuu_ocr_file_get_n_cached(const tracuu_ocr_file *f)
{
    return f->n_cached;
}

/*
 * The cache file of @page: CACHE/ab/abcdef...-vie+eng-3.txt. The languages are in the name
 * because they change what is read; the content hash, not the path, names the file, so that
 * a copy or a renamed file is not read again.
 */
static char *
cache_path(tracuu_ocr_file *f, guint page)
{
    if (options.cache_dir == NULL)
        return NULL;
    if (f->sha1 == NULL)
        f->sha1 = g_compute_checksum_for_data(G_CHECKSUM_SHA1, (const guchar *)f->data, f->len);
    char sub[3] = {f->sha1[0], f->sha1[1], '\0'};
    g_autofree char *name = g_strdup_printf("%s-%s-%u.txt", f->sha1, options.languages, page + 1);
    return g_build_filename(options.cache_dir, sub, name, NULL);
}

char *
tracuu_ocr_file_cached(tracuu_ocr_file *f, guint page)
{
    g_autofree char *path = cache_path(f, page);
    char *text = NULL;
    gsize len = 0;
    if (path == NULL || !g_file_get_contents(path, &text, &len, NULL))
        return NULL;
    if (!g_utf8_validate(text, (gssize)len, NULL) || memchr(text, '\0', len) != NULL) {
        g_free(text); /* not ours, or damaged: read the page again */
        return NULL;
    }
    f->n_cached++;
    return text;
}

/*
 * Keeps @text for @page. The file is written whole under another name and renamed
 * (g_file_set_contents), so that a worker killed in the middle leaves no half page; a cache
 * that cannot be written costs only the time of a second reading.
 */
static void
cache_store(tracuu_ocr_file *f, guint page, const char *text)
{
    g_autofree char *path = cache_path(f, page);
    if (path == NULL)
        return;
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) != 0)
        return;
    g_file_set_contents(path, text, -1, NULL);
}

/* What Tesseract reads of the image it was given, valid UTF-8. */
static char *
recognize(tracuu_ocr_file *f, guint page, TessBaseAPI *api)
{
    if (options.page_started != NULL)
        options.page_started(options.data, page, f->n_pages);
    char *raw = TessBaseAPIGetUTF8Text(api);
    char *text = g_utf8_make_valid(raw != NULL ? raw : "", -1);
    if (raw != NULL)
        TessDeleteText(raw);
    TessBaseAPIClear(api);
    f->n_read++;
    cache_store(f, page, text);
    return text;
}

char *
tracuu_ocr_file_read_pixels(tracuu_ocr_file *f, guint page, const guchar *pixels, int width,
                            int height, int bytes_per_pixel, int stride, int ppi, GError **error)
{
    TessBaseAPI *api = get_engine(error);
    if (api == NULL)
        return NULL;
    TessBaseAPISetImage(api, pixels, width, height, bytes_per_pixel, stride);
    TessBaseAPISetSourceResolution(api, ppi);
    return recognize(f, page, api);
}

char *
tracuu_ocr_file_read_image(tracuu_ocr_file *f, guint page, GError **error)
{
    TessBaseAPI *api = get_engine(error);
    if (api == NULL)
        return NULL;
    l_int32 format = IFF_UNKNOWN;
    findFileFormatBuffer((const l_uint8 *)f->data, &format);
    PIX *pix = format == IFF_TIFF || format == IFF_TIFF_G4 || format == IFF_TIFF_G3 ||
                       format == IFF_TIFF_LZW || format == IFF_TIFF_ZIP ||
                       format == IFF_TIFF_PACKBITS || format == IFF_TIFF_RLE ||
                       format == IFF_TIFF_JPEG
                   ? pixReadMemTiff((const l_uint8 *)f->data, f->len, (l_int32)page)
                   : pixReadMem((const l_uint8 *)f->data, f->len);
    if (pix == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "damaged image: page %u cannot be decoded", page + 1);
        return NULL;
    }
    TessBaseAPISetImage2(api, pix);
    /* Scans often carry no resolution, or a wrong 72 dpi; Tesseract then guesses worse. */
    l_int32 xres = pixGetXRes(pix);
    TessBaseAPISetSourceResolution(api, xres >= 150 && xres <= 1200 ? xres : TRACUU_OCR_DPI);
    char *text = recognize(f, page, api);
    pixDestroy(&pix);
    return text;
}

guint
tracuu_ocr_image_count_pages(const char *data, gsize len, const char *mime)
{
    if (g_strcmp0(mime, "image/tiff") != 0)
        return 1;
    FILE *fp = fmemopen((void *)data, len, "rb");
    if (fp == NULL)
        return 0;
    l_int32 n = 0;
    if (tiffGetCount(fp, &n) != 0)
        n = 0;
    fclose(fp);
    return n > 0 ? (guint)n : 0;
}
