/* extract.c - detects a file's type by content and hands it to the extractor of its format. */
#include "extract-formats.h"
#include "extract-mail.h"
#include "extract-ocr.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libmagic's cookie is not thread-safe; the indexer extracts in processes, one cookie each. */
static magic_t magic_cookie;

gboolean
tracuu_extract_init(GError **error)
{
    tracuu_mail_init();
    if (magic_cookie != NULL)
        return TRUE;
    magic_cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
    if (magic_cookie == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO,
                    "cannot start libmagic: %s", g_strerror(errno));
        return FALSE;
    }
    if (magic_load(magic_cookie, NULL) != 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO,
                    "cannot load the libmagic database: %s", magic_error(magic_cookie));
        magic_close(magic_cookie);
        magic_cookie = NULL;
        return FALSE;
    }
    return TRUE;
}

/*
 * Hands @in to the first format of the table that takes its content. A file the content does
 * not place is refused, and the error says when its name promised a format tracuu reads.
 */
static tracuu_extracted *
dispatch(const tracuu_extract_input *in, GError **error)
{
    const tracuu_format *named = tracuu_format_for_name(in->hint_name);
    const tracuu_format *hinted = named != NULL ? named : tracuu_format_for_mime(in->hint_mime);
    const tracuu_format *f;

    if (in->len > TRACUU_EXTRACT_MAX_FILE) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "file of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT,
                    in->len, TRACUU_EXTRACT_MAX_FILE);
        return NULL;
    }
    if (in->len == 0) {
        /* Nothing to read is damage in a format that is parsed by its name (an empty .pdf). */
        g_set_error(error, TRACUU_EXTRACT_ERROR,
                    hinted != NULL && hinted->by_name ? TRACUU_EXTRACT_ERROR_DAMAGED
                                                      : TRACUU_EXTRACT_ERROR_NO_TEXT,
                    "empty file (0 bytes)");
        return NULL;
    }

    f = tracuu_format_for_content(in);
    if (f != NULL && f->extract != NULL)
        return f->extract(in, error);
    if (f != NULL && f->refusal != TRACUU_EXTRACT_ERROR_UNSUPPORTED) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, f->refusal, "%s", f->refusal_reason);
        return NULL;
    }
    if (tracuu_format_is_indexed(named)) {
        /* Junk under a known name: say that the content, not the name, decided. */
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "content is not what the name %s says: %s", strrchr(in->hint_name, '.'),
                    in->mime);
        return NULL;
    }
    if (f != NULL && f->refusal_reason != NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, f->refusal, "%s", f->refusal_reason);
        return NULL;
    }
    g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                "unsupported content type %s", in->mime);
    return NULL;
}

/* The content type of @len bytes at @data by libmagic; a static or cookie-owned string. */
static const char *
sniff(const char *data, gsize len)
{
    const char *mime = magic_buffer(magic_cookie, data, len);
    return mime != NULL ? mime : "application/octet-stream";
}

tracuu_extracted *
tracuu_extract_file(const char *path, GError **error)
{
    g_autoptr(GMappedFile) map = NULL;
    g_autofree char *mime = NULL;
    GError *local = NULL;
    struct stat st;
    const char *data;
    gsize len;

    if (!tracuu_extract_init(error))
        return NULL;
    if (stat(path, &st) != 0) {
        int e = errno;
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO, "%s: %s", path,
                    g_strerror(e));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "%s: not a regular file", path);
        return NULL;
    }
    if ((guint64)st.st_size > TRACUU_EXTRACT_MAX_FILE) {
        /* An mbox may be as large as it likes: it is read message by message. */
        const char *m = magic_file(magic_cookie, path);
        char head[4096];
        gsize got = 0;
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            got = fread(head, 1, sizeof head, f);
            fclose(f);
        }
        if ((m != NULL && strcmp(m, "application/mbox") == 0) ||
            tracuu_format_looks_like_mbox(head, got))
            return tracuu_mail_read_mbox(path, tracuu_extract_buffer, error);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "%s: %" G_GUINT64_FORMAT " bytes (%s) is over the limit of %" G_GSIZE_FORMAT,
                    path, (guint64)st.st_size, m ? m : "unknown type", TRACUU_EXTRACT_MAX_FILE);
        return NULL;
    }

    map = g_mapped_file_new(path, FALSE, &local);
    if (map == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO, "%s", local->message);
        g_error_free(local);
        return NULL;
    }
    data = g_mapped_file_get_contents(map);
    len = g_mapped_file_get_length(map);
    if (data == NULL)
        data = ""; /* an empty file maps to NULL */
    mime = g_strdup(len > 0 ? sniff(data, len) : "application/x-empty");
    return dispatch(
        &(tracuu_extract_input){data, len, mime, path, path, NULL, tracuu_extract_buffer}, error);
}

tracuu_extracted *
tracuu_extract_buffer(const char *data, gsize len, const char *name, const char *mime,
                      GError **error)
{
    g_autofree char *sniffed = NULL;

    if (!tracuu_extract_init(error))
        return NULL;
    if (data == NULL)
        len = 0;
    sniffed = g_strdup(len > 0 ? sniff(data, len) : "application/x-empty");
    /* A scan attached to a message is read with the message: deferring it would leave the
     * message indexed without it. */
    gboolean deferring = tracuu_ocr_is_deferring();
    tracuu_ocr_set_deferring(FALSE);
    tracuu_extracted *ex = dispatch(&(tracuu_extract_input){len > 0 ? data : "", len, sniffed,
                                                            NULL, name, mime,
                                                            tracuu_extract_buffer},
                                    error);
    tracuu_ocr_set_deferring(deferring);
    return ex;
}

tracuu_extracted *
tracuu_extract_mail_message(const char *data, gsize len, guint depth, GError **error)
{
    if (!tracuu_extract_init(error))
        return NULL;
    return tracuu_mail_read_message(data, len, depth, tracuu_extract_buffer, error);
}

tracuu_extracted *
tracuu_extract_mbox_file(const char *path, GError **error)
{
    if (!tracuu_extract_init(error))
        return NULL;
    return tracuu_mail_read_mbox(path, tracuu_extract_buffer, error);
}
