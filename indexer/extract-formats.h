/* extract-formats.h - the per-format extractors that the dispatcher in extract.c calls. */
#pragma once

#include "extract-private.h"
#include "tracuu-tokenizer.h"

G_BEGIN_DECLS

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
 * DOCX (extract-docx.c): word/document.xml as text, docProps/core.xml for title and date.
 * Errors: DAMAGED (not a zip, no word/document.xml, bad XML), TOO_LARGE (zip bomb limits).
 */
tracuu_extracted *tracuu_extract_docx(const char *data, gsize len, GError **error);

/* TRUE when @data is a zip archive whose central directory names word/document.xml. */
gboolean tracuu_extract_is_docx(const char *data, gsize len);

/*
 * Word 97-2003 (extract-doc.c): the main text through the piece table, fields reduced to their
 * results, text typed in legacy Vietnamese fonts converted. A document of kind "doc".
 * Errors: DAMAGED, ENCRYPTED, UNSUPPORTED (Word 6/95), TOO_LARGE.
 */
tracuu_extracted *tracuu_extract_doc(const char *data, gsize len, GError **error);

/* TRUE when @data is a compound document (OLE2) holding a stream named @stream (ASCII). */
gboolean tracuu_extract_cfb_has_stream(const char *data, gsize len, const char *stream);

/*
 * HTML (extract-html.c): visible text with block elements as line breaks, <title> as title.
 * The charset is taken from <meta charset> or http-equiv, else detected like plain text.
 */
tracuu_extracted *tracuu_extract_html(const char *data, gsize len, GError **error);

/*
 * Reads one entry of a zip archive in memory (extract-docx.c). Returns the inflated bytes with
 * their length in *@out_len (NUL-terminated for convenience; caller g_free()s), or NULL with
 * @error (DAMAGED when missing or corrupt, TOO_LARGE over @max_size bytes).
 */
char *tracuu_zip_read_entry(const char *data, gsize len, const char *entry, gsize max_size,
                            gsize *out_len, GError **error);

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
char *tracuu_text_from_legacy_font(const char *utf8, gssize len, const char *charset);

/*
 * A title as shown to users: valid UTF-8, white space runs (layout spaces, line breaks) made
 * one space, trimmed. Returns NULL for NULL or a blank title; else a new string (g_free).
 */
char *tracuu_extract_clean_title(const char *raw);

G_END_DECLS
