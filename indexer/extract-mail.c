/* extract-mail.c - mail messages and mbox files into documents, with GMime 3. */
#include "extract-mail.h"
#include "extract-formats.h"
#include "mail-decode.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

/*
 * GMime parses the MIME structure and undoes transfer encodings; everything that turns bytes
 * into text is done here instead, because GMime 3.2.13 loses encoded-words (jstedfast/gmime#133)
 * and gives up on charsets it does not know, where an archive must keep every word it can.
 *
 * What a message gives: a document of kind "mail" whose text is its inline text/plain and
 * text/html parts (multipart/alternative: the text/plain one), and one child of kind
 * "attachment" per other part, extracted by the function the caller passed (the dispatcher's
 * tracuu_extract_buffer(), never called from here directly); attached messages
 * (message/rfc822, or a part named *.eml) are read here, recursively. An attachment that
 * cannot be extracted (an image, a damaged PDF) is still a child, with empty text and a
 * warning saying why: it stays listed under its message and findable by its file name.
 */

/* A header value longer than this is cut (with a warning): a 2 MB Subject is an attack. */
#define MAIL_HEADER_MAX (64 * 1024)
/* Warnings kept per document: a hostile message can make GMime complain thousands of times. */
#define MAIL_WARNINGS_MAX 32
/* Parts read per message: each becomes a document, and a message of 100,000 parts is a bomb. */
#define MAIL_PARTS_MAX 2000

/* --- Messages --- */

/* Warnings the GMime parser reports, kept until the document they belong to exists. */
typedef struct {
    GPtrArray *warnings; /* char * */
    guint dropped;
} parse_report;

/*
 * GMime's complaints about the structure of a message, in words a user can act on. Those about
 * headers (8-bit bytes, bad encoded-words, duplicates) are left out: the header decoder here
 * reads them anyway, so they are not damage.
 */
static const char *
parser_warning_text(GMimeParserWarning code)
{
    switch (code) {
    case GMIME_WARN_INVALID_CONTENT_TYPE:
        return "invalid Content-Type, read as application/octet-stream";
    case GMIME_WARN_MALFORMED_MULTIPART:
        return "multipart without any part";
    case GMIME_WARN_TRUNCATED_MESSAGE:
        return "message truncated";
    case GMIME_WARN_MALFORMED_MESSAGE:
        return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME:
        return "invalid header line";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        return "multipart without boundary";
    case GMIME_CRIT_NESTING_OVERFLOW:
        return "MIME parts nested too deep, the deepest were not parsed";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        return "part without headers or content";
    default:
        return NULL;
    }
}

static void
parser_warning_cb(gint64 offset, GMimeParserWarning code, const char *item, gpointer user_data)
{
    parse_report *report = user_data;
    const char *text = parser_warning_text(code);
    if (text == NULL)
        return;
    if (report->warnings->len >= MAIL_WARNINGS_MAX) {
        report->dropped++;
        return;
    }
    for (guint i = 0; i < report->warnings->len; i++) {
        /* One line per kind of damage: a 200-level nesting would repeat itself 200 times. */
        if (strstr(g_ptr_array_index(report->warnings, i), text) != NULL)
            return;
    }
    g_autofree char *shown = NULL;
    if (item != NULL)
        shown = g_utf8_make_valid(item, MIN(strlen(item), (gsize)60));
    g_autofree char *where =
        offset >= 0 ? g_strdup_printf("byte %" G_GINT64_FORMAT ": ", offset) : g_strdup("");
    g_ptr_array_add(report->warnings, shown ? g_strdup_printf("%s%s (%s)", where, text, shown)
                                            : g_strdup_printf("%s%s", where, text));
}

/* Moves the parser's warnings to @doc and empties @report for the next message. */
static void
parse_report_move(parse_report *report, tracuu_extracted *doc)
{
    for (guint i = 0; i < report->warnings->len; i++)
        tracuu_extracted_warn(doc, "%s", (const char *)g_ptr_array_index(report->warnings, i));
    if (report->dropped > 0)
        tracuu_extracted_warn(doc, "%u more parser warnings", report->dropped);
    g_ptr_array_set_size(report->warnings, 0);
    report->dropped = 0;
}

/* How a message is being read: shared by the walk over its parts. */
typedef struct {
    tracuu_extracted *doc; /* the message: body text goes to @text, attachments to children */
    GString *text;
    const char *fallback;            /* the body charset, for undeclared 8-bit bytes in headers */
    gboolean from_mbox;              /* undo mboxrd ">From " quoting in text bodies */
    tracuu_extract_buffer_fn attach; /* reads attachments; NULL: kept without text */
    guint parts;                     /* parts seen, to name them in warnings */
    gboolean deep_warned;
} mail_walk;

static tracuu_extracted *message_to_doc(GMimeMessage *message, guint depth, gboolean from_mbox,
                                        tracuu_extract_buffer_fn attach, const char *path);
static tracuu_extracted *read_message(const char *data, gsize len, guint depth,
                                      tracuu_extract_buffer_fn attach, const char *path,
                                      GError **error);

/*
 * Part paths (tracuu_extracted.part, tracuu_mail_part_bytes()): where a part is in the top
 * message of a file, as steps from its body separated by dots: a number is the n-th part (from
 * 1) of a multipart, "m" enters the message a part holds (message/rfc822, or an .eml sent as a
 * file) and goes on from that message's body. "" is the body itself. One grammar for both
 * sides, so that the daemon finds the very part the indexer read.
 */
static char *
path_child(const char *path, int n)
{
    return *path ? g_strdup_printf("%s.%d", path, n) : g_strdup_printf("%d", n);
}

static char *
path_enter(const char *path)
{
    return *path ? g_strconcat(path, ".m", NULL) : g_strdup("m");
}

/* The raw value of the first header @name of @object, or NULL. Borrowed from GMime. */
static const char *
raw_header(GMimeObject *object, const char *name)
{
    GMimeHeaderList *list = g_mime_object_get_header_list(object);
    GMimeHeader *header = list ? g_mime_header_list_get_header(list, name) : NULL;
    return header ? g_mime_header_get_raw_value(header) : NULL;
}

/* Decodes header @name of @object for @doc (warnings go there), or NULL when absent. */
static char *
header_get(GMimeObject *object, const char *name, const char *fallback, tracuu_extracted *doc)
{
    const char *raw = raw_header(object, name);
    if (raw == NULL)
        return NULL;
    gsize len = strlen(raw);
    if (len > MAIL_HEADER_MAX) {
        tracuu_extracted_warn(doc, "header %s: %" G_GSIZE_FORMAT " bytes, cut to %d", name, len,
                              MAIL_HEADER_MAX);
        len = MAIL_HEADER_MAX;
        /* Not in the middle of a UTF-8 character, which would end the value with U+FFFD. */
        while (len > 0 && ((guchar)raw[len] & 0xC0) == 0x80)
            len--;
    }
    char *value = tracuu_mail_header_decode(raw, len, fallback, (tracuu_mail_warn){doc, name});
    if (*value == '\0')
        g_clear_pointer(&value, g_free);
    return value;
}

static void
mailbox_clear(tracuu_mailbox *m)
{
    g_free((char *)m->name);
    g_free((char *)m->address);
}

static void
add_mailboxes(GArray *out, InternetAddressList *list, guint depth)
{
    int n = list != NULL ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (depth < 4)
                add_mailboxes(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                              depth + 1);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        const char *name = internet_address_get_name(ia);
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        tracuu_mailbox m = {0};
        if (name != NULL && *name != '\0')
            m.name = g_utf8_make_valid(name, -1);
        if (addr != NULL && *addr != '\0')
            m.address = g_utf8_make_valid(addr, -1);
        if (m.name != NULL || m.address != NULL)
            g_array_append_val(out, m);
    }
}

GArray *
tracuu_extract_mailboxes(const char *list)
{
    if (list == NULL || *list == '\0')
        return NULL;
    tracuu_mail_init();
    GArray *out = g_array_new(FALSE, TRUE, sizeof(tracuu_mailbox));
    g_array_set_clear_func(out, (GDestroyNotify)mailbox_clear);
    InternetAddressList *parsed = internet_address_list_parse(NULL, list);
    add_mailboxes(out, parsed, 0);
    if (parsed != NULL)
        g_object_unref(parsed);
    if (out->len == 0)
        g_clear_pointer(&out, g_array_unref);
    return out;
}

/* The mailboxes of a decoded address header (taken), or NULL. */
static GArray *
mailboxes_of(char *decoded)
{
    GArray *out = tracuu_extract_mailboxes(decoded);
    g_free(decoded);
    return out;
}

/*
 * Message ids out of a header value: "<a@b> <c@d>" gives "a@b c@d", at most @max of them
 * (0: all). A value without angle brackets is taken as one id. NULL when there is none.
 */
static char *
message_ids(const char *value, guint max)
{
    if (value == NULL)
        return NULL;
    GString *out = g_string_new(NULL);
    guint count = 0;
    const char *p = value;
    while ((p = strchr(p, '<')) != NULL && (max == 0 || count < max)) {
        const char *end = strchr(p + 1, '>');
        if (end == NULL)
            break;
        g_autofree char *id = g_strstrip(g_strndup(p + 1, end - p - 1));
        if (*id != '\0' && strchr(id, ' ') == NULL) {
            if (out->len > 0)
                g_string_append_c(out, ' ');
            g_string_append(out, id);
            count++;
        }
        p = end + 1;
    }
    if (out->len == 0 && strchr(value, '<') == NULL && strchr(value, ' ') == NULL)
        g_string_append(out, value);
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

/* "type/subtype" of @object in lower case (caller frees). */
static char *
content_type_of(GMimeObject *object)
{
    GMimeContentType *ct = g_mime_object_get_content_type(object);
    if (ct == NULL)
        return g_strdup("application/octet-stream");
    char *mime = g_mime_content_type_get_mime_type(ct);
    char *lower = g_ascii_strdown(mime, -1);
    g_free(mime);
    char *safe = tracuu_mail_ascii_safe(lower, 100);
    g_free(lower);
    return safe;
}

/* The charset parameter of @object's Content-Type, or NULL. Borrowed from GMime. */
static const char *
charset_of(GMimeObject *object)
{
    GMimeContentType *ct = g_mime_object_get_content_type(object);
    const char *charset = ct ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
    return charset && *charset ? charset : NULL;
}

/*
 * The charset of the first text part, which is what a mailer that wrote raw 8-bit headers
 * most likely used for them too. Looks at most a few levels down.
 */
static const char *
body_charset(GMimeObject *object, guint levels)
{
    if (object == NULL || levels == 0)
        return NULL;
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *mp = GMIME_MULTIPART(object);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++) {
            const char *c = body_charset(g_mime_multipart_get_part(mp, i), levels - 1);
            if (c != NULL)
                return c;
        }
        return NULL;
    }
    if (GMIME_IS_TEXT_PART(object))
        return charset_of(object);
    return NULL;
}

/* The decoded file name of a part: Content-Disposition filename, else Content-Type name. */
static char *
part_filename(GMimeObject *object, const char *fallback, tracuu_extracted *doc)
{
    tracuu_mail_warn warn = {doc, "Content-Disposition"};
    char *name = tracuu_mail_param_get(raw_header(object, "Content-Disposition"), "filename",
                                       fallback, warn);
    if (name == NULL) {
        warn.header = "Content-Type";
        name = tracuu_mail_param_get(raw_header(object, "Content-Type"), "name", fallback, warn);
    }
    if (name != NULL) {
        /* A name is shown and matched on, never used as a path: only its last component. */
        const char *slash = strrchr(name, '/');
        const char *backslash = strrchr(name, '\\');
        const char *base = MAX(slash, backslash);
        if (base != NULL && base[1] != '\0') {
            char *b = g_strdup(base + 1);
            g_free(name);
            name = b;
        }
    }
    return name;
}

/* The content of a leaf part with its transfer encoding undone. Caller frees. */
static GByteArray *
part_bytes(GMimePart *part)
{
    GMimeDataWrapper *wrapper = g_mime_part_get_content(part);
    GMimeStream *mem = g_mime_stream_mem_new();
    if (wrapper != NULL)
        g_mime_data_wrapper_write_to_stream(wrapper, mem);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    g_object_unref(mem);
    return bytes;
}

/* Undoes mboxrd quoting in place: a line ">>From x" was ">From x" in the message. */
static void
unquote_from_lines(char *s)
{
    gsize len = strlen(s);
    gsize w = 0;
    gboolean line_start = TRUE;
    for (gsize r = 0; r < len; r++) {
        if (line_start && s[r] == '>') {
            gsize k = r;
            while (k < len && s[k] == '>')
                k++;
            if (len - k >= 5 && memcmp(s + k, "From ", 5) == 0)
                r++; /* drop one '>' */
        }
        s[w++] = s[r];
        line_start = s[r] == '\n';
    }
    s[w] = '\0';
}

/* Appends a block of body text, separated from what is there by a blank line. */
static void
walk_append_text(mail_walk *walk, const char *text)
{
    if (*text == '\0')
        return;
    if (walk->text->len + strlen(text) > TRACUU_EXTRACT_MAX_TEXT) {
        tracuu_extracted_warn(walk->doc, "text over %" G_GSIZE_FORMAT " bytes, the rest is skipped",
                              TRACUU_EXTRACT_MAX_TEXT);
        return;
    }
    if (walk->text->len > 0)
        g_string_append(walk->text, "\n\n");
    g_string_append(walk->text, text);
}

/*
 * The text of a text/plain or text/html part: declared charset, then UTF-8, then windows-1258,
 * and HTML made text by the shared HTML extractor.
 */
static char *
text_part_text(mail_walk *walk, GMimeObject *object, gboolean html, guint part_no)
{
    g_autoptr(GByteArray) bytes = part_bytes(GMIME_PART(object));
    const char *declared = charset_of(object);
    if (bytes->len == 0)
        return g_strdup(""); /* and bytes->data is NULL, which no reader below accepts */
    if (html && declared == NULL) {
        /* Without a declared charset the page's own <meta charset> is the best witness. */
        GError *error = NULL;
        tracuu_extracted *h = tracuu_extract_html((const char *)bytes->data, bytes->len, &error);
        if (h == NULL) {
            tracuu_extracted_warn(walk->doc, "part %u: HTML not read: %s", part_no, error->message);
            g_error_free(error);
            return g_strdup("");
        }
        char *text = g_steal_pointer(&h->text);
        tracuu_extracted_free(h);
        return text;
    }
    const char *used = NULL;
    char *text =
        tracuu_mail_to_utf8((const char *)bytes->data, bytes->len, declared, NULL, TRUE, &used);
    if (declared != NULL && used != declared) {
        g_autofree char *shown = tracuu_mail_ascii_safe(declared, 40);
        tracuu_extracted_warn(walk->doc,
                              "part %u: charset \"%s\" did not read the text, read as %s", part_no,
                              shown, used ? used : "UTF-8 with bytes lost");
    }
    if (walk->from_mbox)
        unquote_from_lines(text);
    if (!html)
        return text;
    /*
     * The page is UTF-8 now; a <meta charset> it carries would make the HTML extractor convert
     * it a second time, so a UTF-8 declaration is put first, where the extractor looks.
     */
    g_autofree char *page = g_strconcat("<meta charset=\"utf-8\">", text, NULL);
    g_free(text);
    GError *error = NULL;
    tracuu_extracted *h = tracuu_extract_html(page, strlen(page), &error);
    if (h == NULL) {
        tracuu_extracted_warn(walk->doc, "part %u: HTML not read: %s", part_no, error->message);
        g_error_free(error);
        return g_strdup("");
    }
    text = g_steal_pointer(&h->text);
    tracuu_extracted_free(h);
    return text;
}

/*
 * The documents below @doc, an attachment that the dispatcher read from the part at @path: a
 * message it found by content (named neither .eml nor message/rfc822) has part paths from its
 * own body, which are made paths from the top message by putting "@path.m" before them. A
 * document without a part path (not cut out of a message) ends the walk: what is below it is
 * not reachable by a part path at all.
 */
static void
prefix_parts(tracuu_extracted *doc, const char *path, guint depth)
{
    for (guint i = 0; doc->children != NULL && depth < 64 && i < doc->children->len; i++) {
        tracuu_extracted *child = doc->children->pdata[i];
        if (child->part == NULL)
            continue;
        g_autofree char *inside = path_enter(path);
        char *full = *child->part ? g_strconcat(inside, ".", child->part, NULL) : g_strdup(inside);
        g_free(child->part);
        child->part = full;
        prefix_parts(child, path, depth + 1);
    }
}

/* Content types that say nothing about the content: what the extractor found is better. */
static gboolean
is_generic_type(const char *mime)
{
    return strcmp(mime, "application/octet-stream") == 0 ||
           strcmp(mime, "application/x-download") == 0 ||
           strcmp(mime, "application/force-download") == 0 ||
           strcmp(mime, "application/unknown") == 0 || strcmp(mime, "binary/octet-stream") == 0;
}

/*
 * Makes @child an attachment of the message being walked, with the part's content type @mime,
 * or the one the extractor detected when @mime is NULL or says only "application/octet-stream".
 * Takes @filename.
 */
static void
walk_add_attachment(mail_walk *walk, tracuu_extracted *child, const char *mime, char *filename,
                    const char *path)
{
    g_free(child->part);
    child->part = g_strdup(path);
    g_free(child->kind);
    child->kind = g_strdup("attachment");
    if (mime != NULL && (child->mime == NULL || !is_generic_type(mime))) {
        g_free(child->mime);
        child->mime = g_strdup(mime);
    }
    g_free(child->attachment);
    child->attachment = filename;
    if (walk->doc->children == NULL)
        walk->doc->children = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_extracted_free);
    g_ptr_array_add(walk->doc->children, child);
}

static gboolean
is_signature_type(const char *mime)
{
    return strcmp(mime, "application/pgp-signature") == 0 ||
           strcmp(mime, "application/pkcs7-signature") == 0 ||
           strcmp(mime, "application/x-pkcs7-signature") == 0;
}

/*
 * A leaf part: inline text/plain or text/html without a file name is body text; anything else
 * is an attachment. An attachment that cannot be extracted is kept as a child with empty text
 * and a warning, so that it is still listed (and found by its file name).
 */
static void
walk_leaf(mail_walk *walk, GMimeObject *object, guint depth, guint part_no, const char *path)
{
    g_autofree char *mime = content_type_of(object);
    if (is_signature_type(mime))
        return;
    char *filename = part_filename(object, walk->fallback, walk->doc);
    GMimeContentDisposition *disp = g_mime_object_get_content_disposition(object);
    gboolean attachment_disp = disp != NULL && g_mime_content_disposition_is_attachment(disp);
    gboolean plain = strcmp(mime, "text/plain") == 0;
    gboolean html = strcmp(mime, "text/html") == 0;

    if ((plain || html) && !attachment_disp && filename == NULL) {
        g_autofree char *text = text_part_text(walk, object, html, part_no);
        walk_append_text(walk, text);
        return;
    }

    tracuu_extracted *child = NULL;
    GError *error = NULL;
    gsize name_len = filename ? strlen(filename) : 0;
    gboolean eml = name_len > 4 && g_ascii_strcasecmp(filename + name_len - 4, ".eml") == 0;
    if (plain && !eml) {
        /* A text attachment: its declared charset is known here and lost in a plain buffer. */
        child = tracuu_extracted_new("attachment", mime);
        g_free(child->text);
        child->text = text_part_text(walk, object, FALSE, part_no);
    } else {
        g_autoptr(GByteArray) bytes = part_bytes(GMIME_PART(object));
        if (eml) { /* a message sent as a file: still a message, and still counted in depth */
            g_autofree char *inner = path_enter(path);
            child = read_message((const char *)bytes->data, bytes->len, depth + 1, walk->attach,
                                 inner, &error);
        } else if (walk->attach != NULL) {
            child = walk->attach((const char *)bytes->data, bytes->len, filename, mime, &error);
            if (child != NULL)
                prefix_parts(child, path, 0);
        } else {
            g_set_error(&error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                        "attachments are not read here");
        }
    }
    if (child == NULL) {
        child = tracuu_extracted_new("attachment", mime);
        tracuu_extracted_warn(child, "attachment %s (part %u): not extracted: %s",
                              filename ? filename : mime, part_no, error->message);
        g_error_free(error);
    }
    /* An .eml read as a message is message/rfc822 whatever the sender declared. */
    walk_add_attachment(walk, child, eml && child->mime ? NULL : mime, filename, path);
}

/* multipart/alternative: the text/plain version when there is one, else the last (richest);
 * its index in *@index. */
static GMimeObject *
choose_alternative(GMimeMultipart *mp, int *index)
{
    int n = g_mime_multipart_get_count(mp);
    GMimeObject *best = NULL;
    for (int i = 0; i < n; i++) {
        GMimeObject *part = g_mime_multipart_get_part(mp, i);
        g_autofree char *mime = content_type_of(part);
        *index = i;
        if (strcmp(mime, "text/plain") == 0)
            return part;
        best = part;
    }
    return best;
}

/*
 * Walks the parts under @object. @depth counts multiparts and messages from the top message
 * of the file; past TRACUU_EXTRACT_MAX_DEPTH the rest is skipped with a warning, so a hostile
 * nesting costs a bounded C stack whatever GMime accepted.
 */
static void
walk_part(mail_walk *walk, GMimeObject *object, guint depth, const char *path)
{
    guint part_no = ++walk->parts;
    if (object == NULL)
        return;
    if (part_no > MAIL_PARTS_MAX) {
        if (part_no == MAIL_PARTS_MAX + 1)
            tracuu_extracted_warn(walk->doc, "more than %d parts, the rest is skipped",
                                  MAIL_PARTS_MAX);
        return;
    }
    if (depth > TRACUU_EXTRACT_MAX_DEPTH) {
        if (!walk->deep_warned)
            tracuu_extracted_warn(walk->doc,
                                  "part %u: nested deeper than %d levels, the rest is skipped",
                                  part_no, TRACUU_EXTRACT_MAX_DEPTH);
        walk->deep_warned = TRUE;
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *mp = GMIME_MULTIPART(object);
        g_autofree char *mime = content_type_of(object);
        if (strcmp(mime, "multipart/alternative") == 0) {
            int index = 0;
            GMimeObject *chosen = choose_alternative(mp, &index);
            g_autofree char *sub = path_child(path, index + 1);
            walk_part(walk, chosen, depth + 1, sub);
            return;
        }
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++) {
            g_autofree char *sub = path_child(path, i + 1);
            walk_part(walk, g_mime_multipart_get_part(mp, i), depth + 1, sub);
        }
        return;
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        g_autofree char *mime = content_type_of(object);
        if (inner == NULL) {
            tracuu_extracted *child = tracuu_extracted_new("attachment", mime);
            tracuu_extracted_warn(child, "part %u: attached message is empty", part_no);
            walk_add_attachment(walk, child, mime, NULL, path);
            return;
        }
        g_autofree char *inside = path_enter(path);
        tracuu_extracted *child =
            message_to_doc(inner, depth + 1, walk->from_mbox, walk->attach, inside);
        walk_add_attachment(walk, child, mime, part_filename(object, walk->fallback, walk->doc),
                            path);
        return;
    }
    if (GMIME_IS_PART(object))
        walk_leaf(walk, object, depth, part_no, path);
}

/* Headers whose presence tells a mail message from arbitrary bytes. */
static const char *const mail_header_names[] = {
    "From",       "To",          "Cc",           "Subject",      "Date",
    "Message-Id", "Sender",      "Reply-To",     "In-Reply-To",  "References",
    "Received",   "Return-Path", "MIME-Version", "Content-Type", "Delivered-To",
};

static gboolean
has_mail_headers(GMimeMessage *message)
{
    GMimeObject *object = GMIME_OBJECT(message);
    for (gsize i = 0; i < G_N_ELEMENTS(mail_header_names); i++) {
        if (raw_header(object, mail_header_names[i]) != NULL)
            return TRUE;
    }
    /* GMime moves Content-* headers to the body part. */
    GMimeObject *body = g_mime_message_get_mime_part(message);
    return body != NULL && raw_header(body, "Content-Type") != NULL;
}

/* A document of kind "mail" for @message: headers, body text, attachments as children. */
/* @path: the part path of @message's body ("" for the top message). */
static tracuu_extracted *
message_to_doc(GMimeMessage *message, guint depth, gboolean from_mbox,
               tracuu_extract_buffer_fn attach, const char *path)
{
    GMimeObject *object = GMIME_OBJECT(message);
    GMimeObject *body = g_mime_message_get_mime_part(message);
    tracuu_extracted *doc = tracuu_extracted_new("mail", "message/rfc822");
    const char *fallback = body_charset(body, 4);

    doc->subject = header_get(object, "Subject", fallback, doc);
    doc->title = g_strdup(doc->subject);
    /* Decoded by our own header decoder (charset fallbacks), then parsed by GMime: the
     * mailboxes go on as name and address, never flattened to a string and parsed again. */
    doc->from = mailboxes_of(header_get(object, "From", fallback, doc));
    doc->to = mailboxes_of(header_get(object, "To", fallback, doc));
    doc->cc = mailboxes_of(header_get(object, "Cc", fallback, doc));
    g_autofree char *id = header_get(object, "Message-Id", NULL, doc);
    g_autofree char *reply = header_get(object, "In-Reply-To", NULL, doc);
    g_autofree char *refs = header_get(object, "References", NULL, doc);
    doc->message_id = message_ids(id, 1);
    doc->in_reply_to = message_ids(reply, 1);
    doc->references = message_ids(refs, 0);

    GDateTime *date = g_mime_message_get_date(message);
    if (date != NULL)
        doc->created = g_date_time_format(date, "%Y-%m-%d");
    else if (raw_header(object, "Date") != NULL)
        tracuu_extracted_warn(doc, "header Date: not a date");

    mail_walk walk = {
        .doc = doc,
        .text = g_string_new(NULL),
        .fallback = fallback,
        .from_mbox = from_mbox,
        .attach = attach,
    };
    walk_part(&walk, body, depth, path);
    g_free(doc->text);
    doc->text = g_strchomp(g_string_free(walk.text, FALSE));
    return doc;
}

/* A parser for @stream in @format, reporting its warnings to @report. */
static GMimeParser *
parser_new(GMimeStream *stream, GMimeFormat format, GMimeParserOptions **options,
           parse_report *report)
{
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, format);
    *options = g_mime_parser_options_new();
    g_mime_parser_options_set_warning_callback(*options, parser_warning_cb, report);
    report->warnings = g_ptr_array_new_with_free_func(g_free);
    report->dropped = 0;
    return parser;
}

/*
 * The message at @data with every header of its header block (first line and continuation
 * lines) cut to MAIL_HEADER_MAX bytes, or NULL when none is longer. GMime decodes Subject and
 * the address headers word by word while it parses, which takes seconds on a hostile 2 MB line,
 * so they are cut before it sees them. Adds a line to @notes per header cut.
 */
static GByteArray *
clip_long_headers(const char *data, gsize len, GPtrArray *notes)
{
    GByteArray *out = NULL;
    gsize copied = 0; /* data[0, copied) is in out already */
    gsize header_start = 0;
    gsize header_used = 0;
    gsize pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        gsize end = nl ? (gsize)(nl - data) + 1 : len;
        gsize line_len = end - pos;
        if (line_len == 1 || (line_len == 2 && data[pos] == '\r'))
            break; /* the blank line: the body is GMime's to read */
        if (data[pos] != ' ' && data[pos] != '\t') {
            header_start = pos;
            header_used = 0;
        }
        if (header_used + line_len <= MAIL_HEADER_MAX) {
            header_used += line_len;
            pos = end;
            continue;
        }
        gsize keep = header_used < MAIL_HEADER_MAX ? MAIL_HEADER_MAX - header_used : 0;
        while (keep > 0 && ((guchar)data[pos + keep] & 0xC0) == 0x80)
            keep--;
        if (out == NULL)
            out = g_byte_array_sized_new(len);
        g_byte_array_append(out, (const guint8 *)data + copied, pos + keep - copied);
        if (keep > 0)
            g_byte_array_append(out, (const guint8 *)"\n", 1);
        copied = end;
        if (header_used <= MAIL_HEADER_MAX) {
            gsize name_len = strcspn(data + header_start, ":\n");
            g_autofree char *name =
                tracuu_mail_ascii_safe(data + header_start, MIN(name_len, (gsize)40));
            g_ptr_array_add(
                notes, g_strdup_printf("header %s: over %d bytes, cut", name, MAIL_HEADER_MAX));
        }
        header_used = MAIL_HEADER_MAX + 1;
        pos = end;
    }
    if (out != NULL)
        g_byte_array_append(out, (const guint8 *)data + copied, len - copied);
    return out;
}

void
tracuu_mail_init(void)
{
    static gsize ready;
    if (g_once_init_enter(&ready)) {
        g_mime_init();
        g_once_init_leave(&ready, 1);
    }
}

tracuu_extracted *
tracuu_mail_read_message(const char *data, gsize len, guint depth, tracuu_extract_buffer_fn attach,
                         GError **error)
{
    return read_message(data, len, depth, attach, "", error);
}

/* tracuu_mail_read_message() for a message whose body has the part path @path. */
static tracuu_extracted *
read_message(const char *data, gsize len, guint depth, tracuu_extract_buffer_fn attach,
             const char *path, GError **error)
{
    if (depth > TRACUU_EXTRACT_MAX_DEPTH) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "messages nested deeper than %d levels", TRACUU_EXTRACT_MAX_DEPTH);
        return NULL;
    }
    tracuu_mail_init();
    if (data == NULL)
        len = 0;
    g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GByteArray) clipped = clip_long_headers(data, len, notes);
    if (clipped != NULL) {
        data = (const char *)clipped->data;
        len = clipped->len;
    }
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data ? data : "", len);
    GMimeParserOptions *options = NULL;
    parse_report report;
    GMimeParser *parser = parser_new(stream, GMIME_FORMAT_MESSAGE, &options, &report);
    for (guint i = 0; i < notes->len; i++)
        g_ptr_array_add(report.warnings, g_strdup(g_ptr_array_index(notes, i)));
    GMimeMessage *message = g_mime_parser_construct_message(parser, options);
    tracuu_extracted *doc = NULL;

    if (message == NULL || !has_mail_headers(message)) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "not a mail message: no mail header found");
    } else {
        doc = message_to_doc(message, depth, FALSE, attach, path);
        parse_report_move(&report, doc);
    }
    g_clear_object(&message);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(options);
    g_ptr_array_unref(report.warnings);
    return doc;
}

/*
 * The date of a "From sender Thu Mar  7 11:00:00 2024" line, "2024-03-07", or NULL: the
 * delivery date stands in for a message without a (readable) Date header.
 */
static char *
mbox_marker_date(const char *marker)
{
    if (marker == NULL || strncmp(marker, "From ", 5) != 0)
        return NULL;
    const char *p = marker + 5;
    while (*p == ' ')
        p++;
    while (*p && *p != ' ') /* the sender */
        p++;
    g_autofree char *line = g_strndup(p, strcspn(p, "\r\n"));
    GDateTime *date = g_mime_utils_header_decode_date(g_strstrip(line));
    if (date == NULL)
        return NULL;
    char *iso = g_date_time_format(date, "%Y-%m-%d");
    g_date_time_unref(date);
    return iso;
}

/* The offset of the next line starting with "From " at or after @from in @stream, or -1. */
static gint64
mbox_next_from(GMimeStream *stream, gint64 from)
{
    if (g_mime_stream_seek(stream, from, GMIME_STREAM_SEEK_SET) < 0)
        return -1;
    char buf[8192];
    /* The last bytes of the previous block, so that a match across blocks is seen. */
    char carry[6] = "\n";
    gsize carry_len = from == 0 ? 1 : 0;
    gint64 base = from - (gint64)carry_len; /* file offset of window[0] */
    for (;;) {
        gssize n = g_mime_stream_read(stream, buf, sizeof buf);
        if (n <= 0)
            return -1;
        char window[sizeof carry + sizeof buf];
        memcpy(window, carry, carry_len);
        memcpy(window + carry_len, buf, n);
        gsize len = carry_len + n;
        for (gsize i = 0; i + 6 <= len; i++) {
            if (window[i] == '\n' && memcmp(window + i + 1, "From ", 5) == 0)
                return base + (gint64)i + 1;
        }
        carry_len = MIN(len, (gsize)5);
        memcpy(carry, window + len - carry_len, carry_len);
        base += (gint64)(len - carry_len);
    }
}

/*
 * Text that GMime split off a message at a "From " line the mbox writer did not quote (mboxo
 * writers often do not): bytes @from to @to of @stream, appended to @prev, the message they
 * belong to, when that message is plain text. Leaves the stream where it was. TRUE when kept.
 */
static gboolean
mbox_append_fragment(tracuu_extracted *prev, gboolean prev_is_text, GMimeStream *stream,
                     gint64 from, gint64 to)
{
    if (prev == NULL || !prev_is_text || to <= from)
        return FALSE;
    gsize have = strlen(prev->text);
    if (have >= TRACUU_EXTRACT_MAX_TEXT)
        return FALSE;
    gsize want = MIN((gsize)(to - from), TRACUU_EXTRACT_MAX_TEXT - have);
    gint64 saved = g_mime_stream_tell(stream);
    if (g_mime_stream_seek(stream, from, GMIME_STREAM_SEEK_SET) < 0)
        return FALSE;
    g_autofree char *buf = g_malloc(want + 1);
    gsize got = 0;
    while (got < want) {
        gssize n = g_mime_stream_read(stream, buf + got, want - got);
        if (n <= 0)
            break;
        got += (gsize)n;
    }
    g_mime_stream_seek(stream, saved, GMIME_STREAM_SEEK_SET);
    char *text = tracuu_mail_to_utf8(buf, got, NULL, NULL, TRUE, NULL);
    unquote_from_lines(text);
    g_strchomp(text);
    char *joined = *prev->text ? g_strconcat(prev->text, "\n\n", text, NULL) : g_strdup(text);
    g_free(text);
    g_free(prev->text);
    prev->text = joined;
    tracuu_extracted_warn(prev,
                          "an unquoted \"From \" line at byte %" G_GINT64_FORMAT
                          ": the text after it is kept in this message",
                          from);
    /* The original of the message then runs on to the end of the fragment, as its text. */
    if (prev->span_offset >= 0 && to > prev->span_offset)
        prev->span_length = to - prev->span_offset;
    return TRUE;
}

tracuu_extracted *
tracuu_mail_read_mbox(const char *path, tracuu_extract_buffer_fn attach, GError **error)
{
    GError *local = NULL;
    tracuu_mail_init();
    GMimeStream *stream = g_mime_stream_fs_open(path, O_RDONLY, 0, &local);
    if (stream == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO, "%s: %s", path,
                    local->message);
        g_error_free(local);
        return NULL;
    }
    GMimeParserOptions *options = NULL;
    parse_report report;
    GMimeParser *parser = parser_new(stream, GMIME_FORMAT_MBOX, &options, &report);
    tracuu_extracted *mbox = tracuu_extracted_new("mbox", "application/mbox");
    mbox->children = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_extracted_free);
    guint number = 0;
    tracuu_extracted *prev = NULL; /* the last message kept, and whether it is plain text */
    gboolean prev_is_text = FALSE;

    /* One message at a time: a large mbox never sits in memory, only the text taken out. */
    while (!g_mime_parser_eos(parser)) {
        gint64 offset = g_mime_parser_tell(parser);
        GMimeMessage *message = g_mime_parser_construct_message(parser, options);
        if (message == NULL) {
            /*
             * GMime stays stuck on a message it cannot read; the messages after it are still
             * good, so parsing starts again at the next "From " line.
             */
            gint64 next = mbox_next_from(stream, MAX(offset, g_mime_parser_tell(parser)));
            if (next <= offset) {
                /* The last message: the rest of the file. */
                g_mime_stream_seek(stream, 0, GMIME_STREAM_SEEK_END);
                gint64 end = g_mime_stream_tell(stream);
                if (!mbox_append_fragment(prev, prev_is_text, stream, offset, end) && end > offset)
                    tracuu_extracted_warn(
                        mbox, "message %u (byte %" G_GINT64_FORMAT "): unreadable, skipped",
                        number + 1, offset);
                break;
            }
            if (!mbox_append_fragment(prev, prev_is_text, stream, offset, next)) {
                number++;
                tracuu_extracted_warn(mbox,
                                      "message %u (byte %" G_GINT64_FORMAT "): unreadable, skipped",
                                      number, offset);
            }
            g_ptr_array_set_size(report.warnings, 0);
            g_mime_stream_seek(stream, next, GMIME_STREAM_SEEK_SET);
            g_mime_parser_init_with_stream(parser, stream);
            g_mime_parser_set_format(parser, GMIME_FORMAT_MBOX);
            continue;
        }
        if (!has_mail_headers(message)) {
            if (!mbox_append_fragment(prev, prev_is_text, stream, offset,
                                      g_mime_parser_tell(parser))) {
                number++;
                tracuu_extracted_warn(mbox, "message %u: no mail header, skipped", number);
            }
            g_ptr_array_set_size(report.warnings, 0);
        } else {
            number++;
            tracuu_extracted *doc = message_to_doc(message, 0, TRUE, attach, "");
            /* The message's own bytes, without the "From " line that the mbox put before it:
             * what the file endpoint answers as message/rfc822. */
            doc->span_offset = g_mime_parser_get_headers_begin(parser);
            doc->span_length = g_mime_parser_tell(parser) - doc->span_offset;
            if (doc->created == NULL) {
                /* GMime gives a copy of the marker line: ours to free. */
                g_autofree char *marker = g_mime_parser_get_mbox_marker(parser);
                doc->created = mbox_marker_date(marker);
            }
            parse_report_move(&report, doc);
            g_ptr_array_add(mbox->children, doc);
            prev = doc;
            prev_is_text = GMIME_IS_TEXT_PART(g_mime_message_get_mime_part(message));
        }
        g_object_unref(message);
    }
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(options);
    g_ptr_array_unref(report.warnings);
    if (number == 0) {
        tracuu_extracted_free(mbox);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "%s: not an mbox: no \"From \" line starts a message", path);
        return NULL;
    }
    return mbox;
}

tracuu_extracted *
tracuu_mail_read_mbox_buffer(const char *data, gsize len, tracuu_extract_buffer_fn attach,
                             GError **error)
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
    doc = tracuu_mail_read_mbox(tmp, attach, error);
    g_unlink(tmp);
    return doc;
}

/* --- Parts for the file endpoint --- */

/* The message in @data, its long headers cut as the indexer cut them; NULL when GMime finds
 * none. Caller unrefs. */
static GMimeMessage *
parse_message_bytes(const char *data, gsize len)
{
    g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GByteArray) clipped = clip_long_headers(data, len, notes);
    if (clipped != NULL) {
        data = (const char *)clipped->data;
        len = clipped->len;
    }
    /* The stream copies the bytes, and the parts it makes hold the stream. */
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data != NULL ? data : "", len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    g_object_unref(stream);
    return message;
}

static GBytes *
bytes_take(GByteArray *a)
{
    return g_byte_array_free_to_bytes(a);
}

GBytes *
tracuu_mail_part_bytes(const char *data, gsize len, const char *path, GError **error)
{
    tracuu_mail_init();
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_object_unref);
    GMimeMessage *top = parse_message_bytes(data, len);
    if (top == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "not a mail message: no mail header found");
        return NULL;
    }
    g_ptr_array_add(keep, top);
    GMimeObject *object = g_mime_message_get_mime_part(top);
    g_auto(GStrv) steps = g_strsplit(path != NULL ? path : "", ".", -1);
    guint n_steps = g_strv_length(steps);
    if (path == NULL || n_steps > 4 * TRACUU_EXTRACT_MAX_DEPTH)
        object = NULL;
    for (guint i = 0; object != NULL && i < n_steps; i++) {
        const char *step = steps[i];
        if (strcmp(step, "m") == 0) {
            GMimeMessage *inner = NULL;
            if (GMIME_IS_MESSAGE_PART(object)) {
                inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
            } else if (GMIME_IS_PART(object)) {
                /* An .eml sent as a file: the indexer read it as the message it is. */
                g_autoptr(GByteArray) bytes = part_bytes(GMIME_PART(object));
                inner = parse_message_bytes((const char *)bytes->data, bytes->len);
                if (inner != NULL)
                    g_ptr_array_add(keep, inner);
            }
            object = inner != NULL ? g_mime_message_get_mime_part(inner) : NULL;
            continue;
        }
        guint64 n = 0;
        if (!GMIME_IS_MULTIPART(object) ||
            !g_ascii_string_to_unsigned(step, 10, 1, G_MAXINT, &n, NULL) ||
            (int)n > g_mime_multipart_get_count(GMIME_MULTIPART(object))) {
            object = NULL;
            break;
        }
        object = g_mime_multipart_get_part(GMIME_MULTIPART(object), (int)n - 1);
    }
    if (object != NULL && GMIME_IS_PART(object))
        return bytes_take(part_bytes(GMIME_PART(object)));
    if (object != NULL && GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        GMimeStream *mem = g_mime_stream_mem_new();
        if (inner != NULL)
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        g_object_unref(mem);
        return bytes_take(a);
    }
    g_autofree char *shown = tracuu_mail_ascii_safe(path != NULL ? path : "(none)", 60);
    g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                "the message has no attachment at part %s", shown);
    return NULL;
}
