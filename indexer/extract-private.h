/* extract-private.h - what the extractors of each format share inside indexer/. */
#pragma once

#include "tracuu-extract.h"

G_BEGIN_DECLS

/* A new empty document of @kind and @mime (copied), with text "". Never NULL. */
tracuu_extracted *tracuu_extracted_new(const char *kind, const char *mime);

/* Appends a warning (printf-style) to @doc->warnings. */
void tracuu_extracted_warn(tracuu_extracted *doc, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Records that the text of page @index (0-based) of @doc was read by OCR: doc->ocr, and the
 * page's number in doc->ocr_pages. Pages are recorded in ascending order. */
void tracuu_extracted_add_ocr_page(tracuu_extracted *doc, guint index);

/*
 * A title as shown to users: valid UTF-8, white space runs (layout spaces, line breaks) made
 * one space, trimmed. Returns NULL for NULL or a blank title; else a new string (g_free).
 */
char *tracuu_extract_clean_title(const char *raw);

/*
 * An extractor of bytes in memory, as tracuu_extract_buffer(): how an extractor that finds
 * files inside a file (mail attachments) has them read without calling back into the
 * dispatcher that called it.
 */
typedef tracuu_extracted *(*tracuu_extract_buffer_fn)(const char *data, gsize len, const char *name,
                                                      const char *mime, GError **error);

/*
 * Mail through the dispatcher (extract.c): tracuu_mail_read_message() and
 * tracuu_mail_read_mbox() (extract-mail.h) with tracuu_extract_buffer() for the attachments.
 * @depth counts nesting (attached messages) and stops runaway recursion.
 */
tracuu_extracted *tracuu_extract_mail_message(const char *data, gsize len, guint depth,
                                              GError **error);
tracuu_extracted *tracuu_extract_mbox_file(const char *path, GError **error);

/* Internal limit on nesting of messages and multiparts. */
#define TRACUU_EXTRACT_MAX_DEPTH 32

G_END_DECLS
