/* tracuu-extract.h - text and fields out of PDF, mail, office, HTML and text files. */
#pragma once

#include <glib.h>

#include "tracuu-fields.h"

G_BEGIN_DECLS

/*
 * Extractors never crash on hostile input on purpose, but they run third-party parsers
 * (poppler, GMime, libxml2), so the indexer calls them in worker processes with CPU and memory
 * limits. Every function here works on one file or buffer and keeps no global state except
 * what tracuu_extract_init() sets up.
 */

#define TRACUU_EXTRACT_ERROR (tracuu_extract_error_quark())
GQuark tracuu_extract_error_quark(void);

typedef enum {
    TRACUU_EXTRACT_ERROR_IO,           /* cannot read the file */
    TRACUU_EXTRACT_ERROR_UNSUPPORTED,  /* a type tracuu does not index (images, binaries...) */
    TRACUU_EXTRACT_ERROR_ENCRYPTED,    /* a password-protected PDF */
    TRACUU_EXTRACT_ERROR_DAMAGED,      /* the file is broken beyond reading anything */
    TRACUU_EXTRACT_ERROR_NO_TEXT,      /* readable but without text: a scanned, image-only PDF */
    TRACUU_EXTRACT_ERROR_TOO_LARGE,    /* over the size limits */
    TRACUU_EXTRACT_ERROR_OCR_DEFERRED, /* only OCR gives text, and it is deferred
                                        * (tracuu_ocr_set_deferring) */
} tracuu_extract_error;

typedef struct tracuu_extracted tracuu_extracted;

/*
 * One document out of a file. A file may give several: an mbox gives one child per message,
 * a message one child per attachment (recursively: an attached message has its attachments).
 * Every string is valid UTF-8 (converted from whatever charset the source named or used) or
 * NULL when unknown. The text is what is indexed; fields are what is shown and filtered on.
 */
struct tracuu_extracted {
    char *kind;        /* the format's name (formats.c): "pdf", "docx", "odt", "mail"...; "attachment" */
    char *mime;        /* detected content type: "application/pdf", "message/rfc822"... */
    char *title;       /* PDF Title, office dc:title, HTML <title>, mail Subject */
    char *text;        /* the body text, never NULL (may be "") */
    GArray *pages;     /* PDF: guint64 byte offsets into text where each page starts; else NULL */
    gboolean ocr;      /* some of the text was read by OCR from page images (extract-ocr.h) */
    GArray *ocr_pages; /* guint64 1-based numbers of the pages read by OCR, ascending; or NULL */
    gboolean ocr_pending; /* PDF, while deferring: pages that need OCR were left out, to be
                           * read by OCR in a later pass (tracuu_ocr_set_deferring) */
    char *created;     /* ISO 8601 date of the document or message when known: "2008-12-03" */
    /* Mail (kind "mail"), decoded: RFC 2047/2231 words joined, charsets converted. */
    char *subject;
    GArray *from;      /* tracuu_mailbox, strings owned: the decoded From, parsed by GMime */
    GArray *to;        /* likewise To; NULL when the header is absent or has no address */
    GArray *cc;
    char *message_id;  /* without the angle brackets */
    char *in_reply_to; /* without the angle brackets */
    char *references;  /* space-separated message ids without angle brackets */
    /* Attachments (kind "attachment"). */
    char *attachment;  /* its file name, decoded */
    /* Where the original bytes are (the file endpoint of searchd, tracuu-schema-rules.h):
     * for a document inside a message, the path of its MIME part from the top message of the
     * file or of the mbox span ("2.1", "3.m.2": tracuu_mail_part_bytes()), NULL for none (an
     * entry of a zip has none); for a message of an mbox, its bytes in the file, after the
     * "From " line (span_offset -1 for a document that is not such a message). */
    char *part;
    gint64 span_offset, span_length;
    GPtrArray *children; /* tracuu_extracted *: messages of an mbox, attachments of a message */
    GPtrArray *warnings; /* char *: what could not be read of a damaged source ("part 3: ...") */
};

/* Sets up libmagic and GMime once per process. Returns FALSE with @error when it cannot. */
gboolean tracuu_extract_init(GError **error);

/*
 * Detects the type of the file at @path by its content (libmagic; a PDF named .txt is a PDF)
 * and extracts it. An mbox file gives a document of kind "mbox" whose children are the
 * messages. Returns NULL with @error set (TRACUU_EXTRACT_ERROR) when nothing can be indexed.
 * Caller frees with tracuu_extracted_free().
 */
tracuu_extracted *tracuu_extract_file(const char *path, GError **error);

/*
 * The same for bytes in memory (an attachment): @name is its file name or NULL, used only as a
 * hint when the content does not tell. @mime may name the declared type or be NULL.
 */
tracuu_extracted *tracuu_extract_buffer(const char *data, gsize len, const char *name,
                                        const char *mime, GError **error);

/*
 * The mailboxes of the address list @list (UTF-8, RFC 5322 syntax: "Name <a@b>, c@d", groups
 * flattened), parsed by GMime, as a GArray of tracuu_mailbox whose strings it owns (freed with
 * the array: g_array_unref()). NULL when @list is NULL or holds no mailbox.
 */
GArray *tracuu_extract_mailboxes(const char *list);

/*
 * The table of formats (indexer/formats.c): what tracuu reads, and what a file's name promises.
 * A format is an opaque pointer into a static table: never freed, valid for the process.
 */
typedef struct tracuu_format tracuu_format;

/*
 * The format whose extensions include the one @name ends with (".PDF" as ".pdf"), or NULL for
 * NULL, a name without extension or one the table does not know. Only a hint: content decides
 * how a file is read, the name how a file that cannot be read is reported.
 */
const tracuu_format *tracuu_format_for_name(const char *name);

/*
 * TRUE when tracuu extracts documents of @format (NULL: FALSE). A file named as such a format
 * that gives nothing is a failure; one named as a format tracuu does not index is skipped.
 */
gboolean tracuu_format_is_indexed(const tracuu_format *format);

/* The short name of @format ("pdf", "odt"...), a static string; NULL for NULL. */
const char *tracuu_format_get_name(const tracuu_format *format);

/* Frees @doc and its children; NULL accepted. */
void tracuu_extracted_free(tracuu_extracted *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_extracted, tracuu_extracted_free)

/*
 * Decodes legacy Vietnamese text to UTF-8: detects whether @data (@len bytes) is UTF-8,
 * windows-1258, TCVN3 (.VnTime fonts), VNI or VISCII and converts it. Sets *@charset (static
 * string, may be NULL) to what was detected. Never fails; returns a newly allocated string.
 */
char *tracuu_text_decode(const char *data, gsize len, const char **charset);

G_END_DECLS
