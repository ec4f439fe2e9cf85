/* extract-private.h - what the extractors of each format share inside indexer/. */
#pragma once

#include "tracuu-extract.h"

G_BEGIN_DECLS

/* A new empty document of @kind and @mime (copied), with text "". Never NULL. */
tracuu_extracted *tracuu_extracted_new(const char *kind, const char *mime);

/* Appends a warning (printf-style) to @doc->warnings. */
void tracuu_extracted_warn(tracuu_extracted *doc, const char *format, ...) G_GNUC_PRINTF(2, 3);

/*
 * Mail (extract-mail.c). One RFC 822 message in memory: a document of kind "mail" whose
 * children are its attachments (kind "attachment", each extracted with tracuu_extract_buffer(),
 * so a PDF attachment gets its text and pages). @depth counts nesting (attached messages) and
 * stops runaway recursion. A damaged message keeps what can be read, with warnings.
 */
tracuu_extracted *tracuu_extract_mail_message(const char *data, gsize len, guint depth,
                                              GError **error);

/*
 * An mbox file: a document of kind "mbox" (not indexed itself) whose children are the
 * messages in file order, without loading the whole file into memory.
 */
tracuu_extracted *tracuu_extract_mbox_file(const char *path, GError **error);

/* An mbox in memory (an attached one): read through a temporary file. */
tracuu_extracted *tracuu_extract_mbox_buffer(const char *data, gsize len, GError **error);

/*
 * Decodes an RFC 2047 header value to UTF-8, including what GMime 3.2.13 loses (consecutive
 * base64 encoded-words after a padded one, jstedfast/gmime#133) and undeclared 8-bit bytes in
 * legacy Vietnamese charsets. Returns a newly allocated string (g_free).
 */
char *tracuu_mail_decode_header(const char *raw);

/* Internal limit on nesting of messages and multiparts. */
#define TRACUU_EXTRACT_MAX_DEPTH 32

G_END_DECLS
