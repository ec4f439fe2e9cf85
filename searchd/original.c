/* original.c - a document's original bytes for the HTTP file endpoint, found from its source. */
#include "original.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract-mail.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"

/*
 * The source (tracuu_schema_source) comes from our own index and only the extraction worker
 * writes it, so its path is trusted as far as the indexer's walk was. It is opened without
 * O_NOFOLLOW, because --follow-symlinks indexes files through links and the daemon must reach
 * them as the indexer did; what guards against a path that now leads elsewhere (a link
 * swapped, a file replaced) is that the file opened must be a regular file of the size and
 * modification time (to the nanosecond) the indexer saw, else the answer is "gone".
 */

static const char fallback_keep[] = " .-_()+,=@!~#$&'[]{}^`";
/* RFC 5987 attr-char besides letters and digits. */
static const char attr_keep[] = "!#$&+-.^_`|~";

char *
tracuu_original_disposition(const char *name)
{
    g_autofree char *valid = g_utf8_make_valid(name != NULL && *name ? name : "file", -1);
    GString *ascii = g_string_new(NULL);
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        guchar c = (guchar)*p;
        gboolean keep = c < 0x80 && (g_ascii_isalnum(c) || (c != '\0' && strchr(fallback_keep, c)));
        g_string_append_c(ascii, keep ? (char)c : '_');
    }
    GString *pct = g_string_new(NULL);
    for (const guchar *p = (const guchar *)valid; *p; p++) {
        if (g_ascii_isalnum(*p) || strchr(attr_keep, *p))
            g_string_append_c(pct, (char)*p);
        else
            g_string_append_printf(pct, "%%%02X", *p);
    }
    char *out =
        g_strdup_printf("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii->str, pct->str);
    g_string_free(ascii, TRUE);
    g_string_free(pct, TRUE);
    return out;
}

/* @mime when it is a plain "type/subtype" of token characters, else the generic type. */
static char *
safe_content_type(const char *mime)
{
    static const char token[] = "!#$&^_.+-";
    gboolean ok = mime != NULL && *mime != '\0';
    int slashes = 0;
    for (const char *p = mime; ok && *p; p++) {
        if (*p == '/')
            slashes++;
        else if (!g_ascii_isalnum(*p) && strchr(token, *p) == NULL)
            ok = FALSE;
    }
    ok = ok && slashes == 1 && mime[0] != '/' && mime[strlen(mime) - 1] != '/';
    return g_ascii_strdown(ok ? mime : "application/octet-stream", -1);
}

static const char *
member(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

/* The number after the last ':' or '/' of @id ("1" when none). */
static const char *
last_number(const char *id)
{
    const char *sep = MAX(strrchr(id, ':'), strrchr(id, '/'));
    return sep != NULL && sep[1] != '\0' ? sep + 1 : "1";
}

/* The name a download gets: the attachment's file name, "message-N.eml" for an mbox message
 * or an attached message without one, the file's base name (a mail's with ".eml"). */
static char *
file_name(JsonObject *fields, const tracuu_schema_source *src, const char *content_type)
{
    const char *attachment = member(fields, "attachment");
    const char *id = member(fields, "id") != NULL ? member(fields, "id") : "";
    gboolean message = strcmp(content_type, "message/rfc822") == 0;
    if (attachment != NULL && *attachment != '\0')
        return g_strdup(attachment);
    if (src->part != NULL || src->offset >= 0)
        return message ? g_strdup_printf("message-%s.eml", last_number(id))
                       : g_strdup_printf("attachment-%s", last_number(id));
    const char *path = member(fields, "path") != NULL ? member(fields, "path") : src->path;
    g_autofree char *base = g_path_get_basename(path);
    if (message && !g_str_has_suffix(base, ".eml"))
        return g_strconcat(base, ".eml", NULL);
    return g_steal_pointer(&base);
}

static gboolean
read_at(int fd, guint64 offset, guint64 length, char *buf)
{
    guint64 got = 0;
    while (got < length) {
        ssize_t n = pread(fd, buf + got, length - got, (off_t)(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        got += (guint64)n;
    }
    return TRUE;
}

static void *
gone(GError **error, const char *message)
{
    g_set_error_literal(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_GONE, message);
    return NULL;
}

tracuu_original *
tracuu_original_open(JsonObject *fields, GError **error)
{
    g_autoptr(tracuu_schema_source) src = tracuu_schema_source_parse(member(fields, "source"));
    if (src == NULL) {
        g_set_error_literal(
            error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_NOT_FOUND,
            "file: this document has no original file of its own (imported from JSONL, an "
            "entry of an archive, or indexed before tracuu-indexer kept where originals are: "
            "run it with --rebuild)");
        return NULL;
    }
    int fd = open(src->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return gone(error, "file: the original file is no longer where it was indexed");
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (guint64)st.st_size != src->size ||
        tracuu_schema_source_mtime_ns(&st) != src->mtime_ns) {
        close(fd);
        return gone(error, "file: the original file has changed since it was indexed "
                           "(tracuu-indexer's next run reads it again)");
    }
    guint64 offset = src->offset >= 0 ? (guint64)src->offset : 0;
    guint64 length = src->offset >= 0 ? (guint64)src->length : src->size;
    if (offset > src->size || length > src->size - offset) {
        close(fd);
        return gone(error, "file: the message is no longer where it was indexed in its mbox");
    }
    g_autoptr(tracuu_original) o = g_new0(tracuu_original, 1);
    o->fd = fd;
    o->offset = offset;
    o->length = length;
    o->content_type = safe_content_type(member(fields, "mime"));
    if (src->part != NULL) {
        /* An attachment: its message is read and the part cut out, as the indexer read it. */
        if (length > TRACUU_ORIGINAL_MAX_MESSAGE)
            return gone(error, "file: the message that holds this attachment is too large to "
                               "cut it out");
        g_autofree char *buf = g_malloc(MAX(length, 1));
        if (!read_at(fd, offset, length, buf))
            return gone(error, "file: the original file could not be read");
        GError *local = NULL;
        o->bytes = tracuu_mail_part_bytes(buf, length, src->part, &local);
        if (o->bytes == NULL) {
            g_clear_error(&local);
            return gone(error, "file: the message no longer holds this attachment");
        }
        close(o->fd);
        o->fd = -1;
        o->offset = 0;
        o->length = g_bytes_get_size(o->bytes);
    }
    g_autofree char *name = file_name(fields, src, o->content_type);
    o->disposition = tracuu_original_disposition(name);
    return g_steal_pointer(&o);
}

void
tracuu_original_free(tracuu_original *o)
{
    if (o == NULL)
        return;
    if (o->fd >= 0)
        close(o->fd);
    if (o->bytes != NULL)
        g_bytes_unref(o->bytes);
    g_free(o->content_type);
    g_free(o->disposition);
    g_free(o);
}
