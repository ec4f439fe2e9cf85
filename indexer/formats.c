/* formats.c - the one table of file formats: content types, names, extractor or refusal. */
#include "extract-formats.h"
#include "extract-mail.h"
#include "extract-office.h"

#include <string.h>

/*
 * The dispatcher (extract.c), the walker (walk.c) and the run summary (tracuu-indexer.c) all
 * read this table, so that what is indexed, what is refused and what a file's name promises are
 * said once. A file is recognised by its content (libmagic's type, then each format's sniffer),
 * never by its name; the name only decides how a file that cannot be read is reported: junk
 * under the name of a format in the table that has an extractor is a failure, an image among
 * documents is only skipped.
 */

/* --- Recognising content ----------------------------------------------------------------- */

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

gboolean
tracuu_format_looks_like_mbox(const char *data, gsize len)
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

/* TRUE when libmagic's @mime says nothing of the content. */
static gboolean
is_octet(const char *mime)
{
    return strcmp(mime, "application/octet-stream") == 0;
}

/* TRUE for the content types under which libmagic reports a zip archive it cannot place. */
static gboolean
is_generic_zip(const char *mime)
{
    return strcmp(mime, "application/zip") == 0 || is_octet(mime);
}

/*
 * TRUE for the content types libmagic gives a compound document (OLE2): Word 97-2003, or an
 * Office 2007+ file encrypted with a password, which is a compound document too.
 */
static gboolean
is_ole_mime(const char *mime)
{
    return strcmp(mime, "application/vnd.ms-office") == 0 ||
           strcmp(mime, "application/x-ole-storage") == 0 ||
           strcmp(mime, "application/CDFV2") == 0 || strcmp(mime, "application/encrypted") == 0 ||
           strcmp(mime, "application/CDFV2-encrypted") == 0 ||
           strcmp(mime, "application/msword") == 0 || is_octet(mime);
}

/* The format named by @in's declared name or declared type, or NULL. */
static const tracuu_format *
hinted_format(const tracuu_extract_input *in)
{
    const tracuu_format *f = tracuu_format_for_name(in->hint_name);
    return f != NULL ? f : tracuu_format_for_mime(in->hint_mime);
}

/* Text to libmagic, or bytes it could not name that read as text. RTF has its own entry. */
static gboolean
reads_as_text(const tracuu_extract_input *in)
{
    if (g_str_has_prefix(in->mime, "text/") || strcmp(in->mime, "application/json") == 0 ||
        strcmp(in->mime, "application/xml") == 0 || strcmp(in->mime, "application/csv") == 0)
        return TRUE;
    return is_octet(in->mime) && looks_like_text(in->data, in->len);
}

/* --- Sniffers: content a generic content type hides -------------------------------------- */

static gboolean
sniff_pdf(const tracuu_extract_input *in)
{
    /* The content did not tell: a declared PDF is parsed so that its damage is reported. */
    return is_octet(in->mime) && hinted_format(in) == tracuu_format_for_name(".pdf");
}

static gboolean
sniff_docx(const tracuu_extract_input *in)
{
    return is_generic_zip(in->mime) && tracuu_extract_is_docx(in->data, in->len);
}

static gboolean
sniff_xlsx(const tracuu_extract_input *in)
{
    return is_generic_zip(in->mime) && tracuu_zip_has_entry(in->data, in->len, "xl/workbook.xml");
}

static gboolean
sniff_odt(const tracuu_extract_input *in)
{
    return is_generic_zip(in->mime) &&
           tracuu_odf_has_mimetype(in->data, in->len, "application/vnd.oasis.opendocument.text");
}

static gboolean
sniff_ods(const tracuu_extract_input *in)
{
    return is_generic_zip(in->mime) &&
           tracuu_odf_has_mimetype(in->data, in->len,
                                   "application/vnd.oasis.opendocument.spreadsheet");
}

static gboolean
sniff_encrypted_office(const tracuu_extract_input *in)
{
    return is_ole_mime(in->mime) && tracuu_ole_has_stream(in->data, in->len, "EncryptedPackage");
}

static gboolean
sniff_doc(const tracuu_extract_input *in)
{
    static const char ole_magic[8] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if (!is_ole_mime(in->mime))
        return FALSE;
    if (tracuu_ole_has_stream(in->data, in->len, "WordDocument"))
        return TRUE;
    /* A compound document named or declared .doc is parsed, so that its damage is reported. */
    return in->len >= 8 && memcmp(in->data, ole_magic, 8) == 0 &&
           hinted_format(in) == tracuu_format_for_name(".doc");
}

static gboolean
sniff_mbox(const tracuu_extract_input *in)
{
    return reads_as_text(in) && tracuu_format_looks_like_mbox(in->data, in->len);
}

static gboolean
sniff_mail(const tracuu_extract_input *in)
{
    return reads_as_text(in) && looks_like_mail(in->data, in->len, 2);
}

/* --- Extractors as the table calls them --------------------------------------------------- */

static tracuu_extracted *
run_pdf(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_pdf(in->data, in->len, error);
}

static tracuu_extracted *
run_docx(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_docx(in->data, in->len, error);
}

static tracuu_extracted *
run_xlsx(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_xlsx(in->data, in->len, error);
}

static tracuu_extracted *
run_odt(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_odt(in->data, in->len, error);
}

static tracuu_extracted *
run_ods(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_ods(in->data, in->len, error);
}

static tracuu_extracted *
run_doc(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_doc(in->data, in->len, error);
}

static tracuu_extracted *
run_html(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_html(in->data, in->len, error);
}

static tracuu_extracted *
run_text(const tracuu_extract_input *in, GError **error)
{
    const char *charset = NULL;
    tracuu_extracted *doc;

    if (in->len > TRACUU_EXTRACT_MAX_TEXT) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "text of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT,
                    in->len, TRACUU_EXTRACT_MAX_TEXT);
        return NULL;
    }
    doc = tracuu_extracted_new("text", "text/plain");
    g_free(doc->text);
    doc->text = tracuu_text_decode(in->data, in->len, &charset);
    return doc;
}

static tracuu_extracted *
run_image(const tracuu_extract_input *in, GError **error)
{
    return tracuu_extract_image(in->data, in->len, in->mime, error);
}

static tracuu_extracted *
run_mbox(const tracuu_extract_input *in, GError **error)
{
    /* An mbox is read from its file message by message; one in memory goes through a file. */
    if (in->path != NULL)
        return tracuu_mail_read_mbox(in->path, in->attach, error);
    return tracuu_mail_read_mbox_buffer(in->data, in->len, in->attach, error);
}

static tracuu_extracted *
run_mail(const tracuu_extract_input *in, GError **error)
{
    return tracuu_mail_read_message(in->data, in->len, 0, in->attach, error);
}

/* --- The table ---------------------------------------------------------------------------- */

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * In the order the dispatcher tries them: the first entry whose content type is libmagic's
 * (a type ending in '/' names a family), or whose sniffer says yes, takes the file. An entry
 * without an extractor refuses what it takes with its error: UNSUPPORTED is a type tracuu does
 * not index (skipped), any other code a failure. Extensions are lower case, with the dot.
 */
const tracuu_format tracuu_formats[] = {
    {.name = "pdf",
     .mimes = LIST("application/pdf"),
     .extensions = LIST(".pdf"),
     .sniff = sniff_pdf,
     .extract = run_pdf,
     .by_name = TRUE},
    {.name = "docx",
     .mimes = LIST("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
     .extensions = LIST(".docx"),
     .sniff = sniff_docx,
     .extract = run_docx},
    {.name = "xlsx",
     .mimes = LIST("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
     .extensions = LIST(".xlsx"),
     .sniff = sniff_xlsx,
     .extract = run_xlsx},
    /* OpenDocument, the state's standard formats (Thông tư 39/2017/TT-BTTTT). */
    {.name = "odt",
     .mimes = LIST("application/vnd.oasis.opendocument.text"),
     .extensions = LIST(".odt"),
     .sniff = sniff_odt,
     .extract = run_odt},
    {.name = "ods",
     .mimes = LIST("application/vnd.oasis.opendocument.spreadsheet"),
     .extensions = LIST(".ods"),
     .sniff = sniff_ods,
     .extract = run_ods},
    /* Before "doc": a password-protected DOCX is a compound document, and says so. */
    {.name = "encrypted-office",
     .sniff = sniff_encrypted_office,
     .refusal = TRACUU_EXTRACT_ERROR_ENCRYPTED,
     .refusal_reason = "encrypted Office document: a password is needed to read it"},
    {.name = "doc",
     .mimes = LIST("application/msword"),
     .extensions = LIST(".doc"),
     .sniff = sniff_doc,
     .extract = run_doc},
    /* Before mail and text: an mbox and a message are text to libmagic. */
    {.name = "mbox",
     .mimes = LIST("application/mbox"),
     .extensions = LIST(".mbox"),
     .sniff = sniff_mbox,
     .extract = run_mbox},
    {.name = "mail",
     .mimes = LIST("message/rfc822", "message/news"),
     .extensions = LIST(".eml"),
     .sniff = sniff_mail,
     .extract = run_mail},
    {.name = "outlook-msg",
     .mimes = LIST("application/vnd.ms-outlook"),
     .extensions = LIST(".msg"),
     .refusal = TRACUU_EXTRACT_ERROR_UNSUPPORTED,
     .refusal_reason = "Outlook .msg files are not read: export them as .eml or mbox"},
    {.name = "html",
     .mimes = LIST("text/html", "application/xhtml+xml"),
     .extensions = LIST(".html", ".htm"),
     .extract = run_html},
    /* Before text: RTF is text to libmagic, but its control words would flood the index. */
    {.name = "rtf",
     .mimes = LIST("text/rtf", "application/rtf"),
     .extensions = LIST(".rtf"),
     .refusal = TRACUU_EXTRACT_ERROR_UNSUPPORTED},
    /*
     * Scanned letters as images, read by OCR. No extensions: with OCR off an image among the
     * documents is skipped, not a failure, and a name alone must not make it one.
     */
    {.name = "image",
     .mimes = LIST("image/png", "image/jpeg", "image/tiff"),
     .extract = run_image},
    {.name = "text",
     .mimes = LIST("text/", "application/json", "application/xml", "application/csv"),
     .extensions = LIST(".txt"),
     .sniff = reads_as_text,
     .extract = run_text},
};

const gsize tracuu_n_formats = G_N_ELEMENTS(tracuu_formats);

/* TRUE when @mime is one of @list (an entry ending in '/' matches the family), ignoring case. */
static gboolean
mime_in(const char *mime, const char *const *list)
{
    for (; list != NULL && *list != NULL; list++) {
        gsize n = strlen(*list);
        if ((*list)[n - 1] == '/' ? g_ascii_strncasecmp(mime, *list, n) == 0
                                  : g_ascii_strcasecmp(mime, *list) == 0)
            return TRUE;
    }
    return FALSE;
}

const tracuu_format *
tracuu_format_for_content(const tracuu_extract_input *in)
{
    for (gsize i = 0; i < tracuu_n_formats; i++) {
        const tracuu_format *f = &tracuu_formats[i];
        if (mime_in(in->mime, f->mimes) || (f->sniff != NULL && f->sniff(in)))
            return f;
    }
    return NULL;
}

const tracuu_format *
tracuu_format_for_mime(const char *mime)
{
    if (mime == NULL)
        return NULL;
    for (gsize i = 0; i < tracuu_n_formats; i++) {
        if (mime_in(mime, tracuu_formats[i].mimes))
            return &tracuu_formats[i];
    }
    return NULL;
}

const tracuu_format *
tracuu_format_for_name(const char *name)
{
    const char *dot;

    if (name == NULL)
        return NULL;
    dot = strrchr(name, '.');
    if (dot == NULL || strchr(dot, '/') != NULL)
        return NULL;
    for (gsize i = 0; i < tracuu_n_formats; i++) {
        for (const char *const *e = tracuu_formats[i].extensions; e != NULL && *e != NULL; e++) {
            if (g_ascii_strcasecmp(dot, *e) == 0)
                return &tracuu_formats[i];
        }
    }
    return NULL;
}

gboolean
tracuu_format_is_indexed(const tracuu_format *format)
{
    return format != NULL && format->extract != NULL;
}

const char *
tracuu_format_get_name(const tracuu_format *format)
{
    return format != NULL ? format->name : NULL;
}
