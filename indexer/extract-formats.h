/* extract-formats.h - the table of formats and the per-format extractors it names. */
#pragma once

#include "extract-private.h"
#include "tracuu-tokenizer.h"

G_BEGIN_DECLS

/* What the dispatcher knows of the bytes it hands on; every pointer but @data may be NULL. */
typedef struct {
    const char *data; /* @len bytes, valid during the call */
    gsize len;
    const char *mime;                /* the content type libmagic gave (never NULL) */
    const char *path;                /* the file the bytes came from: an mbox is read from it */
    const char *hint_name;           /* the file or attachment name: only a hint */
    const char *hint_mime;           /* the content type its sender declared: only a hint */
    tracuu_extract_buffer_fn attach; /* what extracts the files inside this one (attachments) */
} tracuu_extract_input;

/*
 * One format of the table in formats.c. A format takes a file when libmagic's content type is
 * in @mimes or when @sniff says yes; then @extract reads it, or, when @extract is NULL, the
 * file is refused with @refusal (UNSUPPORTED: skipped; anything else: failed) and
 * @refusal_reason. @by_name: bytes libmagic cannot place are parsed as this format when their
 * name or declared type says so, so that a damaged file is reported as damaged.
 */
struct tracuu_format {
    const char *name;              /* also the kind of the documents it gives */
    const char *const *mimes;      /* NULL-terminated; "text/" names a family; may be NULL */
    const char *const *extensions; /* NULL-terminated, lower case, ".pdf"; may be NULL */
    gboolean (*sniff)(const tracuu_extract_input *in);
    tracuu_extracted *(*extract)(const tracuu_extract_input *in, GError **error);
    tracuu_extract_error refusal;
    const char *refusal_reason;
    gboolean by_name;
};

/* The table, in the order the dispatcher tries it. */
extern const tracuu_format tracuu_formats[];
extern const gsize tracuu_n_formats;

/* The first format that takes the content of @in, or NULL when none does. */
const tracuu_format *tracuu_format_for_content(const tracuu_extract_input *in);

/* The format whose content types include @mime (a declared type), or NULL (also for NULL). */
const tracuu_format *tracuu_format_for_mime(const char *mime);

/* TRUE when @data opens like an mbox: a "From " separator line followed by a message. */
gboolean tracuu_format_looks_like_mbox(const char *data, gsize len);

/*
 * Limits shared by every format. A file over TRACUU_EXTRACT_MAX_FILE bytes, or text growing
 * over TRACUU_EXTRACT_MAX_TEXT bytes, fails with TRACUU_EXTRACT_ERROR_TOO_LARGE: the indexer
 * runs extractors with a memory limit, and a clear error beats a killed worker.
 */
#define TRACUU_EXTRACT_MAX_FILE ((gsize)256 * 1024 * 1024)
#define TRACUU_EXTRACT_MAX_TEXT ((gsize)64 * 1024 * 1024)

/*
 * PDF (extract-pdf.c) from @len bytes at @data, which must stay valid during the call. A
 * document of kind "pdf" with one entry in pages per page. Errors: ENCRYPTED, DAMAGED (with
 * poppler's message), NO_TEXT (image-only), TOO_LARGE. Caller frees the result.
 */
tracuu_extracted *tracuu_extract_pdf(const char *data, gsize len, GError **error);

/*
 * A scanned page as an image file (extract-image.c): PNG, JPEG or TIFF (every page of a
 * multi-page TIFF) read by OCR, a document of kind "image" with one entry in pages per page.
 * With OCR off (tracuu_ocr_get_options()) the file is refused as UNSUPPORTED (skipped).
 * Errors: DAMAGED (cannot be decoded), NO_TEXT (Tesseract cannot start), UNSUPPORTED (OCR
 * read no text: a photograph is skipped).
 */
tracuu_extracted *tracuu_extract_image(const char *data, gsize len, const char *mime,
                                       GError **error);

/*
 * DOCX (extract-docx.c): word/document.xml as text, docProps/core.xml for title and date.
 * Errors: DAMAGED (not a zip, no word/document.xml, bad XML), TOO_LARGE (zip bomb limits).
 */
tracuu_extracted *tracuu_extract_docx(const char *data, gsize len, GError **error);

/*
 * OpenDocument text and spreadsheet (extract-odf.c): content.xml in reading order (paragraphs
 * and headings a line each, table cells separated by tabs, rows a line each), meta.xml for
 * title and date. Kinds "odt" and "ods". Errors: DAMAGED (not a zip, no content.xml, bad XML),
 * TOO_LARGE.
 */
tracuu_extracted *tracuu_extract_odt(const char *data, gsize len, GError **error);
tracuu_extracted *tracuu_extract_ods(const char *data, gsize len, GError **error);

/*
 * Excel 2007+ (extract-xlsx.c): every sheet in workbook order, a row per line, cells separated
 * by tabs; docProps/core.xml for title and date. Kind "xlsx". Errors: DAMAGED (not a zip, no
 * readable xl/workbook.xml), TOO_LARGE.
 */
tracuu_extracted *tracuu_extract_xlsx(const char *data, gsize len, GError **error);

/* TRUE when @data is a zip archive whose central directory names word/document.xml. */
gboolean tracuu_extract_is_docx(const char *data, gsize len);

/*
 * Word 97-2003 (extract-doc.c): the main text through the piece table, fields reduced to their
 * results, text typed in legacy Vietnamese fonts converted. A document of kind "doc".
 * Errors: DAMAGED, ENCRYPTED, UNSUPPORTED (Word 6/95), TOO_LARGE.
 */
tracuu_extracted *tracuu_extract_doc(const char *data, gsize len, GError **error);

/*
 * HTML (extract-html.c): visible text with block elements as line breaks, <title> as title.
 * The charset is taken from <meta charset> or http-equiv, else detected like plain text.
 */
tracuu_extracted *tracuu_extract_html(const char *data, gsize len, GError **error);

/*
 * Text typed in a legacy Vietnamese font (.VnTime, VNI-Times) reaches us, from .doc and PDF
 * files, as the Latin-1 characters the font drew as Vietnamese letters: "B¸o c¸o" for "Báo
 * cáo". tracuu_text_legacy_font() names the legacy encoding ("TCVN3", "VNI", "VISCII",
 * "TCVN5712-1"; a static string) when @utf8 (@len bytes, -1: NUL-terminated) holds only
 * Latin-1 and windows-1252 punctuation, some of it 8-bit, and reads as Vietnamese in that
 * encoding; else NULL. tracuu_text_from_legacy_font() converts with the encoding so named, so
 * that the pages of one document are converted alike; it returns a new string (a copy when
 * there is nothing to convert).
 */
const char *tracuu_text_legacy_font(const char *utf8, gssize len);
/*
 * The character windows-1252 gives byte @b (glibc's iconv table, read once), or 0 for the five
 * bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D). Bytes below 0x80 and from 0xA0 are
 * themselves (ASCII, Latin-1).
 */
gunichar tracuu_text_cp1252_char(guchar b);
char *tracuu_text_from_legacy_font(const char *utf8, gssize len, const char *charset);

G_END_DECLS
