/* extract-mail.h - mail messages and mbox files (extract-mail.c), GMime's side of extraction. */
#pragma once

#include "extract-private.h"

G_BEGIN_DECLS

/* Sets up GMime once per process; every function below calls it, so callers need not. */
void tracuu_mail_init(void);

/*
 * One RFC 822 message in memory: a document of kind "mail" whose children are its attachments
 * (kind "attachment"). Each attachment is read by @attach (for the indexer, the dispatcher's
 * tracuu_extract_buffer(), so a PDF attachment gets its text and pages); NULL keeps them with
 * empty text. Attached messages are read here, @depth counting the nesting so that runaway
 * recursion stops. A damaged message keeps what can be read, with warnings. NULL with @error
 * (DAMAGED: no mail header at all; TOO_LARGE: nested too deep). Caller frees the result.
 */
tracuu_extracted *tracuu_mail_read_message(const char *data, gsize len, guint depth,
                                           tracuu_extract_buffer_fn attach, GError **error);

/*
 * The mbox file at @path: a document of kind "mbox" (not indexed itself) whose children are
 * the messages in file order, read one at a time so that the file never sits in memory.
 * @attach as above. NULL with @error (IO, or DAMAGED when no message is found).
 */
tracuu_extracted *tracuu_mail_read_mbox(const char *path, tracuu_extract_buffer_fn attach,
                                        GError **error);

/* An mbox in memory (an attached one), through a temporary file for the mbox reader. */
tracuu_extracted *tracuu_mail_read_mbox_buffer(const char *data, gsize len,
                                               tracuu_extract_buffer_fn attach, GError **error);

/*
 * The decoded bytes (transfer encoding undone) of the part at @path (the part paths of
 * tracuu_extracted.part, described at path_child() in extract-mail.c) of the message in @data:
 * what the indexer read as that attachment, for tracuu-searchd's file endpoint. A path that ends
 * on an attached message (message/rfc822) gives that message. NULL with @error (DAMAGED) when
 * the message has no such part any more. Caller frees with g_bytes_unref(). Needs only GMime.
 */
GBytes *tracuu_mail_part_bytes(const char *data, gsize len, const char *path, GError **error);

G_END_DECLS
