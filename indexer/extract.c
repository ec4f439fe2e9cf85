/* extract.c - detects a file's type by content and hands it to the extractor of its format. */
#include "extract-formats.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(tracuu - extract - error - quark, tracuu_extract_error)

/* libmagic's cookie is not thread-safe; the indexer extracts in processes, one cookie each. */
static magic_t magic_cookie;

tracuu_extracted *
tracuu_extracted_new(const char *kind, const char *mime)
{
    tracuu_extracted *doc = g_new0(tracuu_extracted, 1);
    doc->kind = g_strdup(kind);
    doc->mime = g_strdup(mime);
    doc->text = g_strdup("");
    return doc;
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
    g_free(doc->created);
    g_free(doc->subject);
    g_clear_pointer(&doc->from, g_array_unref);
    g_clear_pointer(&doc->to, g_array_unref);
    g_clear_pointer(&doc->cc, g_array_unref);
    g_free(doc->message_id);
    g_free(doc->in_reply_to);
    g_free(doc->references);
    g_free(doc->attachment);
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

gboolean
tracuu_extract_init(GError **error)
{
    static gboolean gmime_ready;

    if (!gmime_ready) {
        g_mime_init();
        gmime_ready = TRUE;
    }
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

/* The header names that make a text file an RFC 822 message rather than prose. */
static const char *const mail_headers[] = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
    "content-type",
    "reply-to",
    "in-reply-to",
    "references",
    "delivered-to",
    "x-mailer",
    "sender",
    "user-agent",
    "dkim-signature",
    "content-transfer-encoding",
};

/*
 * TRUE when @data opens with a block of RFC 822 header lines: libmagic calls many Maildir files
 * text/plain, and a file opening with "Subject: ..." alone could be prose, so at least
 * @min_known known headers must appear, and nothing but header lines, before the blank line.
 */
static gboolean
looks_like_mail(const char *data, gsize len, guint min_known)
{
    gsize pos = 0;
    guint known = 0, lines = 0;

    while (pos < len && lines < 64) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        gsize line_len = nl ? (gsize)(nl - line) : len - pos;
        gsize colon;

        if (line_len == 0 || (line_len == 1 && line[0] == '\r'))
            break; /* the blank line that ends the headers */
        lines++;
        if (line[0] == ' ' || line[0] == '\t') {
            if (lines == 1)
                return FALSE; /* a continuation cannot come first */
        } else {
            for (colon = 0; colon < line_len; colon++) {
                guchar c = (guchar)line[colon];
                if (c == ':' || c <= ' ' || c >= 127)
                    break;
            }
            if (colon == 0 || colon == line_len || line[colon] != ':')
                return FALSE;
            for (gsize i = 0; i < G_N_ELEMENTS(mail_headers); i++) {
                if (strlen(mail_headers[i]) == colon &&
                    g_ascii_strncasecmp(line, mail_headers[i], colon) == 0) {
                    known++;
                    break;
                }
            }
        }
        if (nl == NULL)
            break;
        pos += line_len + 1;
    }
    return known >= min_known;
}

/* TRUE when @data opens like an mbox: a "From " separator line followed by a message. */
static gboolean
looks_like_mbox(const char *data, gsize len)
{
    const char *nl;

    if (len < 6 || memcmp(data, "From ", 5) != 0)
        return FALSE;
    nl = memchr(data, '\n', MIN(len, (gsize)1024));
    if (nl == NULL)
        return FALSE;
    /* "From sender date": the separator names a sender and a time. */
    if (memchr(data, ':', (gsize)(nl - data)) == NULL)
        return FALSE;
    nl++;
    return looks_like_mail(nl, len - (gsize)(nl - data), 1);
}

/* TRUE when @name ends with @suffix, ignoring case. */
static gboolean
has_suffix(const char *name, const char *suffix)
{
    gsize n, s;
    if (name == NULL)
        return FALSE;
    n = strlen(name);
    s = strlen(suffix);
    return n >= s && g_ascii_strcasecmp(name + n - s, suffix) == 0;
}

/*
 * TRUE when bytes libmagic could not name still read as text: legacy Vietnamese encodings
 * (TCVN3 puts capitals in the C0 control range) often make libmagic give up and say
 * application/octet-stream. No NUL bytes and mostly printable bytes in the first 64 KiB.
 */
static gboolean
looks_like_text(const char *data, gsize len)
{
    gsize n = MIN(len, (gsize)65536), odd = 0;

    if (n == 0)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        guchar c = (guchar)data[i];
        if (c == 0)
            return FALSE;
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            odd++;
    }
    return odd * 10 < n;
}

/* Text or HTML: kinds of content that are text, whatever libmagic's exact subtype. */
static gboolean
is_text_mime(const char *mime)
{
    /* RTF is text to libmagic, but its control words would flood the index with noise. */
    if (strcmp(mime, "text/rtf") == 0)
        return FALSE;
    return g_str_has_prefix(mime, "text/") || strcmp(mime, "application/json") == 0 ||
           strcmp(mime, "application/xml") == 0 || strcmp(mime, "application/csv") == 0;
}

static tracuu_extracted *
extract_text(const char *data, gsize len, const char *mime, GError **error)
{
    const char *charset = NULL;
    tracuu_extracted *doc;

    if (len > TRACUU_EXTRACT_MAX_TEXT) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "text of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT, len,
                    TRACUU_EXTRACT_MAX_TEXT);
        return NULL;
    }
    doc = tracuu_extracted_new("text", mime);

    g_free(doc->text);
    doc->text = tracuu_text_decode(data, len, &charset);
    return doc;
}

#ifdef TRACUU_HAVE_MAIL
/* An mbox in memory (an attached mbox): written to a temporary file for the mbox reader. */
static tracuu_extracted *
extract_mbox_buffer(const char *data, gsize len, GError **error)
{
    g_autofree char *tmp = NULL;
    tracuu_extracted *doc;
    int fd = g_file_open_tmp("tracuu-mbox-XXXXXX", &tmp, error);

    if (fd < 0)
        return NULL;
    close(fd);
    if (!g_file_set_contents(tmp, data, (gssize)len, error)) {
        g_unlink(tmp);
        return NULL;
    }
    doc = tracuu_extract_mbox_file(tmp, error);
    g_unlink(tmp);
    return doc;
}
#endif

/*
 * Dispatches @len bytes at @data whose content type libmagic named @mime. @path, when not NULL,
 * is the file the bytes came from (an mbox is read from it rather than from memory); @hint_name
 * and @hint_mime are what the caller declared, used only when the content does not tell.
 */
static tracuu_extracted *
dispatch(const char *data, gsize len, const char *mime, const char *path, const char *hint_name,
         const char *hint_mime, GError **error)
{
    gboolean hint_pdf =
        has_suffix(hint_name, ".pdf") ||
        (hint_mime != NULL && g_ascii_strcasecmp(hint_mime, "application/pdf") == 0);
    gboolean ole;

    if (len > TRACUU_EXTRACT_MAX_FILE) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "file of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT, len,
                    TRACUU_EXTRACT_MAX_FILE);
        return NULL;
    }
    if (len == 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR,
                    hint_pdf ? TRACUU_EXTRACT_ERROR_DAMAGED : TRACUU_EXTRACT_ERROR_NO_TEXT,
                    "empty file (0 bytes)");
        return NULL;
    }

    if (strcmp(mime, "application/pdf") == 0)
        return tracuu_extract_pdf(data, len, error);

    if (strcmp(mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") ==
            0 ||
        ((strcmp(mime, "application/zip") == 0 || strcmp(mime, "application/octet-stream") == 0) &&
         tracuu_extract_is_docx(data, len)))
        return tracuu_extract_docx(data, len, error);

    /*
     * Compound documents (OLE2): Word 97-2003, or an Office 2007+ file encrypted with a
     * password, which is a compound document holding an EncryptedPackage stream.
     */
    ole = strcmp(mime, "application/vnd.ms-office") == 0 ||
          strcmp(mime, "application/x-ole-storage") == 0 ||
          strcmp(mime, "application/CDFV2") == 0 || strcmp(mime, "application/encrypted") == 0 ||
          strcmp(mime, "application/CDFV2-encrypted") == 0 ||
          strcmp(mime, "application/octet-stream") == 0;
    if ((ole || strcmp(mime, "application/msword") == 0) &&
        tracuu_extract_cfb_has_stream(data, len, "EncryptedPackage")) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_ENCRYPTED,
                    "encrypted Office document: a password is needed to read it");
        return NULL;
    }
    /* A compound document named or declared .doc is parsed, so that its damage is reported. */
    if (strcmp(mime, "application/msword") == 0 ||
        (ole &&
         (tracuu_extract_cfb_has_stream(data, len, "WordDocument") ||
          (len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0 &&
           (has_suffix(hint_name, ".doc") ||
            (hint_mime != NULL && g_ascii_strcasecmp(hint_mime, "application/msword") == 0))))))
        return tracuu_extract_doc(data, len, error);

    if (strcmp(mime, "application/mbox") == 0 ||
        (is_text_mime(mime) && looks_like_mbox(data, len))) {
#ifdef TRACUU_HAVE_MAIL
        return path != NULL ? tracuu_extract_mbox_file(path, error)
                            : extract_mbox_buffer(data, len, error);
#else
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "mbox files are not supported by this build");
        return NULL;
#endif
    }
    if (strcmp(mime, "message/rfc822") == 0 || strcmp(mime, "message/news") == 0 ||
        (is_text_mime(mime) && looks_like_mail(data, len, 2))) {
#ifdef TRACUU_HAVE_MAIL
        return tracuu_extract_mail_message(data, len, 0, error);
#else
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "mail messages are not supported by this build");
        return NULL;
#endif
    }

    if (strcmp(mime, "text/html") == 0 || strcmp(mime, "application/xhtml+xml") == 0)
        return tracuu_extract_html(data, len, error);
    if (is_text_mime(mime))
        return extract_text(data, len, "text/plain", error);

    /* The content did not tell: a declared PDF is parsed so that its damage is reported. */
    if (strcmp(mime, "application/octet-stream") == 0) {
        if (hint_pdf)
            return tracuu_extract_pdf(data, len, error);
        if (looks_like_text(data, len))
            return dispatch(data, len, "text/plain", path, hint_name, hint_mime, error);
    }

    {
        /* Junk under a known name: say that the content, not the name, decided. */
        static const char *const known[] = {".eml", ".msg",  ".mbox", ".docx",
                                            ".doc", ".html", ".htm",  ".txt"};
        for (gsize i = 0; i < G_N_ELEMENTS(known); i++) {
            if (has_suffix(hint_name, known[i])) {
                g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                            "content is not what the name %s says: %s", known[i], mime);
                return NULL;
            }
        }
    }
    g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                "unsupported content type %s", mime);
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
#ifdef TRACUU_HAVE_MAIL
        char head[4096];
        gsize got = 0;
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            got = fread(head, 1, sizeof head, f);
            fclose(f);
        }
        if ((m != NULL && strcmp(m, "application/mbox") == 0) || looks_like_mbox(head, got))
            return tracuu_extract_mbox_file(path, error);
#endif
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
    return dispatch(data, len, mime, path, path, NULL, error);
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
    return dispatch(len > 0 ? data : "", len, sniffed, NULL, name, mime, error);
}
