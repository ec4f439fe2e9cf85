/* original.h - a document's original bytes for the HTTP file endpoint (original.c). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Past this, an attachment's message is not read into memory to cut the attachment out. */
#define TRACUU_ORIGINAL_MAX_MESSAGE (256u * 1024 * 1024)

/*
 * What to answer for one document: either @length bytes of the open file @fd from @offset
 * (a whole file, or the span of an mbox message: streamed, never read into memory), or
 * @bytes (an attachment cut out of its message). Strings are safe for a header.
 */
typedef struct {
    int fd; /* -1 when @bytes holds the content */
    guint64 offset, length;
    GBytes *bytes;
    char *content_type; /* "application/pdf", "message/rfc822"... */
    char *disposition;  /* the whole Content-Disposition value */
} tracuu_original;

/*
 * The original of the document whose stored fields are @fields (tracuu_engine_doc_fields_as(),
 * already through the caller's visibility filter). Errors (TRACUU_ENGINE_ERROR): NOT_FOUND when
 * the document has no source of its own (imported with --from-jsonl, an entry of an archive,
 * or indexed before sources were stored); GONE when its file vanished or changed (size or
 * mtime) since it was indexed, or the message no longer holds the part; TOO_LARGE is not an
 * engine code, so a message over TRACUU_ORIGINAL_MAX_MESSAGE is GONE with its own message
 * too. Caller frees with tracuu_original_free() (which closes @fd if still open).
 */
tracuu_original *tracuu_original_open(JsonObject *fields, GError **error);

void tracuu_original_free(tracuu_original *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_original, tracuu_original_free)

/*
 * The Content-Disposition value for the file name @name (UTF-8): attachment;
 * filename="ASCII fallback"; filename*=UTF-8''percent-encoded (RFC 6266, RFC 5987). The fallback
 * keeps letters, digits and " .-_()+,=@!~#$&'[]{}^`", one "_" for each other character (quotes,
 * backslashes, "%", "/", controls, non-ASCII), so that no user agent can read it two ways.
 * Caller frees with g_free().
 */
char *tracuu_original_disposition(const char *name);

G_END_DECLS
