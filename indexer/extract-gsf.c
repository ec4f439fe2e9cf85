/* extract-gsf.c - zip archives and compound documents (OLE2) in memory, read with libgsf. */
#include "extract-gsf.h"

#include <gsf/gsf-infile-msole.h>
#include <gsf/gsf-infile-zip.h>
#include <gsf/gsf-input-memory.h>
#include <gsf/gsf-msole-utils.h>
#include <gsf/gsf-utils.h>
#include <string.h>

/*
 * Office files are containers: DOCX, XLSX, ODT and ODS are zip archives, DOC a compound
 * document. libgsf reads both; what it does not do is distrust the sizes a hostile file
 * declares, so every entry is checked against the limits here before a byte is inflated.
 */

/* Inflated bytes per byte of the archive: deflate cannot pack more than 1032 to 1. */
#define ZIP_MAX_RATIO 1000

/* The log domains of libgsf's readers. */
static const char *const gsf_domains[] = {"libgsf", "libgsf:msole", "libgsf:zip"};

/* Drops what libgsf says while it reads: see gsf_guard_begin(). */
static void
gsf_log_drop(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

static void
gsf_ready(void)
{
    static gsize ready;
    if (g_once_init_enter(&ready)) {
        gsf_init();
        for (gsize i = 0; i < G_N_ELEMENTS(gsf_domains); i++)
            g_log_set_handler(gsf_domains[i], G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL, gsf_log_drop,
                              NULL);
        g_once_init_leave(&ready, 1);
    }
}

/*
 * libgsf reports a hostile file (a block outside the file, a broken chain) with g_critical()
 * or g_warning() from the check that then makes it return its error, which it does. Under
 * G_DEBUG=fatal-criticals (the tests) that would abort the worker, so while libgsf reads, only
 * errors are fatal, and its messages are dropped (gsf_ready()): the error it returns is what
 * the user sees. Extraction is single-threaded (one worker process per file), so the window
 * holds no other code. Returns what gsf_guard_end() restores.
 */
typedef struct {
    GLogLevelFlags fatal;
    guint glib_handler; /* libgsf's own misuse of GLib on hostile data (a NULL GDateTime) */
    guint bare_handler; /* libgsf's property set reader logs without a domain */
    GPrintFunc print;   /* and dumps unknown sections with g_print(), onto the worker's stdout */
} gsf_guard;

static void
gsf_print_drop(const char *text)
{
}

static gsf_guard
gsf_guard_begin(void)
{
    gsf_guard g;
    gsf_ready();
    g.fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK);
    g.glib_handler =
        g_log_set_handler("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, gsf_log_drop, NULL);
    g.bare_handler =
        g_log_set_handler(NULL, G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING, gsf_log_drop, NULL);
    g.print = g_set_print_handler(gsf_print_drop);
    return g;
}

static void
gsf_guard_end(gsf_guard g)
{
    g_log_remove_handler("GLib", g.glib_handler);
    g_log_remove_handler(NULL, g.bare_handler);
    g_set_print_handler(g.print);
    g_log_set_always_fatal(g.fatal);
}

static GsfInfile *
zip_open(const char *data, gsize len, GError **error)
{
    g_autoptr(GsfInput) input = NULL;
    GsfInfile *zip;
    GError *local = NULL;

    gsf_ready();
    if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED, "not a zip archive");
        return NULL;
    }
    input = gsf_input_memory_new((const guint8 *)data, (gsf_off_t)len, FALSE);
    zip = gsf_infile_zip_new(input, &local);
    if (zip == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "damaged zip archive: %s", local != NULL ? local->message : "unreadable");
        g_clear_error(&local);
    }
    return zip;
}

/* The member at @path ("word/document.xml") of @dir, or NULL. Caller unrefs. */
static GsfInput *
child_at(GsfInfile *dir, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    return gsf_infile_child_by_aname(dir, (const char **)parts);
}

static char *
zip_read(GsfInfile *zip, gsize archive_len, const char *entry, gsize max_size, gsize *out_len,
         GError **error)
{
    g_autoptr(GsfInput) in = NULL;
    gsf_off_t size;
    gsize ratio_limit = archive_len > (G_MAXSIZE - 4096) / ZIP_MAX_RATIO
                            ? G_MAXSIZE
                            : archive_len * ZIP_MAX_RATIO + 4096;
    char *out;

    *out_len = 0;
    in = child_at(zip, entry);
    if (in == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "zip archive has no readable entry %s", entry);
        return NULL;
    }
    /* The size the archive declares: all libgsf knows before inflating, so it is judged here. */
    size = gsf_input_size(in);
    if (size < 0 || (guint64)size > max_size) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "zip entry %s: %" G_GINT64_FORMAT
                    " bytes is over the limit of %" G_GSIZE_FORMAT,
                    entry, (gint64)size, max_size);
        return NULL;
    }
    if ((guint64)size > ratio_limit) {
        /* A zip bomb, or at least not a document. */
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "zip entry %s: %" G_GINT64_FORMAT
                    " bytes out of an archive of %" G_GSIZE_FORMAT,
                    entry, (gint64)size, archive_len);
        return NULL;
    }
    /*
     * Zeroed, because libgsf stops at the end of a deflate stream shorter than its declared
     * size without saying so, leaving the rest of the buffer as it was.
     */
    out = g_malloc0((gsize)size + 1);
    if (size > 0 && gsf_input_read(in, (size_t)size, (guint8 *)out) == NULL) {
        g_free(out);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "zip entry %s: compressed data is damaged", entry);
        return NULL;
    }
    *out_len = strnlen(out, (gsize)size);
    return out;
}

gboolean
tracuu_zip_has_entry(const char *data, gsize len, const char *entry)
{
    g_autoptr(GsfInfile) zip = NULL;
    g_autoptr(GsfInput) in = NULL;

    if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0)
        return FALSE;
    gsf_guard saved = gsf_guard_begin();
    zip = zip_open(data, len, NULL);
    if (zip != NULL)
        in = child_at(zip, entry);
    gsf_guard_end(saved);
    return in != NULL;
}

static GsfInfile *
ole_open(const char *data, gsize len, GError **error)
{
    static const guchar magic[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    g_autoptr(GsfInput) input = NULL;
    GsfInfile *ole;
    GError *local = NULL;

    gsf_ready();
    if (len < 512 || memcmp(data, magic, 8) != 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "not a compound document");
        return NULL;
    }
    input = gsf_input_memory_new((const guint8 *)data, (gsf_off_t)len, FALSE);
    ole = gsf_infile_msole_new(input, &local);
    if (ole == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "damaged compound document: %s", local != NULL ? local->message : "unreadable");
        g_clear_error(&local);
    }
    return ole;
}

GsfInput *
tracuu_ole_stream(GsfInfile *ole, const char *name)
{
    gsf_guard saved = gsf_guard_begin();
    GsfInput *in = gsf_infile_child_by_name(ole, name);
    gsf_guard_end(saved);
    return in;
}

static guchar *
ole_read(GsfInfile *ole, const char *name, gsize max_size, gsize *out_len)
{
    g_autoptr(GsfInput) in = tracuu_ole_stream(ole, name);
    gsf_off_t size;
    guchar *out;

    *out_len = 0;
    if (in == NULL)
        return NULL;
    size = gsf_input_size(in);
    if (size < 0 || (guint64)size > max_size)
        return NULL;
    out = g_malloc((gsize)size + 1);
    if (size > 0 && gsf_input_read(in, (size_t)size, out) == NULL) {
        g_free(out);
        return NULL;
    }
    *out_len = (gsize)size;
    return out;
}

gboolean
tracuu_ole_has_stream(const char *data, gsize len, const char *name)
{
    g_autoptr(GsfInfile) ole = tracuu_ole_open(data, len, NULL);
    g_autoptr(GsfInput) in = ole != NULL ? tracuu_ole_stream(ole, name) : NULL;
    return in != NULL;
}

GsfInfile *
tracuu_zip_open(const char *data, gsize len, GError **error)
{
    gsf_guard saved = gsf_guard_begin();
    GsfInfile *result = zip_open(data, len, error);
    gsf_guard_end(saved);
    return result;
}

char *
tracuu_zip_read(GsfInfile *zip, gsize archive_len, const char *entry, gsize max_size,
                gsize *out_len, GError **error)
{
    gsf_guard saved = gsf_guard_begin();
    char *result = zip_read(zip, archive_len, entry, max_size, out_len, error);
    gsf_guard_end(saved);
    return result;
}

GsfInfile *
tracuu_ole_open(const char *data, gsize len, GError **error)
{
    gsf_guard saved = gsf_guard_begin();
    GsfInfile *result = ole_open(data, len, error);
    gsf_guard_end(saved);
    return result;
}

guchar *
tracuu_ole_read(GsfInfile *ole, const char *name, gsize max_size, gsize *out_len)
{
    gsf_guard saved = gsf_guard_begin();
    guchar *result = ole_read(ole, name, max_size, out_len);
    gsf_guard_end(saved);
    return result;
}

GsfDocMetaData *
tracuu_ole_read_summary(GsfInfile *ole)
{
    gsf_guard saved = gsf_guard_begin();
    GsfInput *in = gsf_infile_child_by_name(ole, "\005SummaryInformation");
    GsfDocMetaData *meta = NULL;

    /* A property set is a few kilobytes; a larger one is not worth reading. */
    if (in != NULL && gsf_input_size(in) <= 1024 * 1024) {
        GError *err;
        meta = gsf_doc_meta_data_new();
        err = gsf_doc_meta_data_read_from_msole(meta, in);
        if (err != NULL) {
            g_error_free(err);
            g_clear_object(&meta);
        }
    }
    g_clear_object(&in);
    gsf_guard_end(saved);
    return meta;
}
