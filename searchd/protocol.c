/* protocol.c - line framing and request/response JSON of tracuu-searchd, without any I/O. */
#include "protocol.h"

#include <math.h> /* isfinite(), a macro: no libm */
#include <stdio.h>
#include <string.h>

/* JSON nested deeper than this is refused before json-glib sees it: its parser recurses once
 * per level, and a 1 MiB line of "[" would otherwise overflow a worker thread's stack. */
#define MAX_DEPTH 128

G_DEFINE_QUARK(tracuu-protocol-error-quark, tracuu_protocol_error)

const char *
tracuu_protocol_error_code_name(tracuu_protocol_error code)
{
    switch (code) {
    case TRACUU_PROTOCOL_ERROR_BAD_JSON:
        return "bad_json";
    case TRACUU_PROTOCOL_ERROR_BAD_REQUEST:
        return "bad_request";
    case TRACUU_PROTOCOL_ERROR_LINE_TOO_LONG:
        return "line_too_long";
    }
    return "error";
}

struct tracuu_protocol_reader {
    char *buf;   /* the partial line so far; never more than max + 1 bytes */
    gsize len;
    gsize cap;
    gsize max;
    gboolean discarding; /* inside a line already refused as too long: drop until "\n" */
};

tracuu_protocol_reader *
tracuu_protocol_reader_new(gsize max_line)
{
    tracuu_protocol_reader *r = g_new0(tracuu_protocol_reader, 1);
    r->max = max_line ? max_line : TRACUU_PROTOCOL_MAX_LINE;
    return r;
}

void
tracuu_protocol_reader_free(tracuu_protocol_reader *reader)
{
    if (!reader)
        return;
    g_free(reader->buf);
    g_free(reader);
}

gsize
tracuu_protocol_reader_get_buffered(const tracuu_protocol_reader *reader)
{
    return reader->len;
}

static void
buf_append(tracuu_protocol_reader *r, const char *data, gsize n)
{
    if (r->len + n + 1 > r->cap) {
        gsize cap = MAX(r->cap, 256);
        while (cap < r->len + n + 1)
            cap *= 2;
        /* The limit bounds the buffer whatever the growth policy says. */
        cap = MIN(cap, r->max + 2);
        r->buf = g_realloc(r->buf, cap);
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
}

static void
buf_drop(tracuu_protocol_reader *r)
{
    /* A connection that once sent a big line should not keep a big buffer while idle. */
    if (r->cap > 64 * 1024) {
        g_clear_pointer(&r->buf, g_free);
        r->cap = 0;
    }
    r->len = 0;
}

static gboolean
is_blank(const char *s, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return FALSE;
    return TRUE;
}

tracuu_protocol_status
tracuu_protocol_reader_feed(tracuu_protocol_reader *r, const char *data, gsize len,
                            gsize *consumed, char **line, gsize *line_len)
{
    gsize i = 0;

    *line = NULL;
    if (line_len)
        *line_len = 0;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        gsize end = nl ? (gsize)(nl - data) : len;
        gsize n = end - i;

        if (r->discarding) {
            i = nl ? end + 1 : len;
            if (nl)
                r->discarding = FALSE;
            continue;
        }
        if (!nl) {
            if (r->len + n > r->max + 1) {
                /* Over the limit with no end in sight: refuse now, keep none of it. */
                buf_drop(r);
                r->discarding = TRUE;
                *consumed = len;
                return TRACUU_PROTOCOL_TOO_LONG;
            }
            buf_append(r, data + i, n);
            i = len;
            break;
        }
        /* A complete line: the buffered part plus data[i, end). */
        gsize total = r->len + n;
        char last = n ? data[end - 1] : (r->len ? r->buf[r->len - 1] : 0);
        gsize content = total - (total && last == '\r' ? 1 : 0);
        if (content > r->max) {
            buf_drop(r);
            *consumed = end + 1;
            return TRACUU_PROTOCOL_TOO_LONG;
        }
        i = end + 1;
        char *out;
        if (r->len == 0) {
            if (is_blank(data + end - n, n))
                continue;
            out = g_malloc(content + 1);
            memcpy(out, data + end - n, content);
        } else {
            buf_append(r, data + end - n, n);
            if (is_blank(r->buf, r->len)) {
                buf_drop(r);
                continue;
            }
            out = r->buf;
            r->buf = NULL;
            r->cap = 0;
            r->len = 0;
        }
        out[content] = '\0';
        *line = out;
        if (line_len)
            *line_len = content;
        *consumed = i;
        return TRACUU_PROTOCOL_LINE;
    }
    *consumed = len;
    return TRACUU_PROTOCOL_NEED_MORE;
}

/* Returns the byte offset where nesting first goes deeper than MAX_DEPTH, or -1. */
static gssize
too_deep_at(const char *s, gsize n)
{
    int depth = 0;
    gboolean in_string = FALSE, escaped = FALSE;

    for (gsize i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (escaped)
                escaped = FALSE;
            else if (c == '\\')
                escaped = TRUE;
            else if (c == '"')
                in_string = FALSE;
        } else if (c == '"') {
            in_string = TRUE;
        } else if (c == '[' || c == '{') {
            if (++depth > MAX_DEPTH)
                return (gssize)i;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return -1;
}

JsonObject *
tracuu_protocol_parse_request(const char *line, gsize len, JsonNode **id, GError **error)
{
    const char *bad = NULL;

    *id = NULL;
    if (!g_utf8_validate(line, (gssize)len, &bad)) {
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                    "invalid UTF-8 at byte %" G_GSIZE_FORMAT, (gsize)(bad - line));
        return NULL;
    }
    gssize deep = too_deep_at(line, len);
    if (deep >= 0) {
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                    "JSON nested more than %d deep at byte %" G_GSSIZE_FORMAT, MAX_DEPTH, deep);
        return NULL;
    }

    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) perr = NULL;
    if (!json_parser_load_from_data(parser, line, (gssize)len, &perr)) {
        /* json-glib says where as "<data>:1:17: Parse error: ..."; a request is one line, so
         * the column is what a client needs. */
        unsigned lineno = 0, col = 0;
        int skip = 0;
        if (sscanf(perr->message, "<data>:%u:%u: %n", &lineno, &col, &skip) == 2 && skip > 0) {
            const char *rest = perr->message + skip;
            if (g_str_has_prefix(rest, "Parse error: "))
                rest += strlen("Parse error: ");
            g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                        "invalid JSON at column %u: %s", col, rest);
        } else {
            g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                        "invalid JSON: %s", perr->message);
        }
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        const char *what = "nothing";
        if (root && JSON_NODE_HOLDS_ARRAY(root))
            what = "an array";
        else if (root && JSON_NODE_HOLDS_NULL(root))
            what = "null";
        else if (root && json_node_get_value_type(root) == G_TYPE_STRING)
            what = "a string";
        else if (root)
            what = "a number or boolean";
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                    "a request is a JSON object, not %s", what);
        return NULL;
    }
    JsonObject *obj = json_node_get_object(root);
    JsonNode *idn = json_object_get_member(obj, "id");
    if (idn)
        *id = json_node_copy(idn);
    JsonNode *op = json_object_get_member(obj, "op");
    if (!op || !JSON_NODE_HOLDS_VALUE(op) || json_node_get_value_type(op) != G_TYPE_STRING) {
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                    op ? "\"op\" must be a string" : "missing \"op\"");
        return NULL;
    }
    return json_object_ref(obj);
}

/* ---- Writing JSON ---- */

void
tracuu_protocol_format_double(double d, char buf[TRACUU_PROTOCOL_DOUBLE_BUF])
{
    if (!isfinite(d)) {
        g_strlcpy(buf, "null", TRACUU_PROTOCOL_DOUBLE_BUF);
        return;
    }
    /* The shortest of 15, 16 or 17 significant digits that reads back as the same double:
     * 17 always does, but also shows the binary approximation ("0.65200000000000002"). */
    static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
        g_ascii_formatd(buf, TRACUU_PROTOCOL_DOUBLE_BUF, formats[i], d);
        if (g_ascii_strtod(buf, NULL) == d)
            break;
    }
    /* A double stays a double for the reader: "12.0", not "12". */
    if (!strpbrk(buf, ".eE"))
        g_strlcat(buf, ".0", TRACUU_PROTOCOL_DOUBLE_BUF);
}

static void
append_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                g_string_append_printf(out, "\\u%04x", c);
            else
                g_string_append_c(out, (char)c);
        }
    }
    g_string_append_c(out, '"');
}

static void
append_node(GString *out, JsonNode *node)
{
    char num[TRACUU_PROTOCOL_DOUBLE_BUF];

    if (!node) {
        g_string_append(out, "null");
        return;
    }
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT: {
        JsonObject *o = json_node_get_object(node);
        JsonObjectIter it;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;
        if (!o) {
            g_string_append(out, "null");
            break;
        }
        g_string_append_c(out, '{');
        json_object_iter_init_ordered(&it, o);
        while (json_object_iter_next_ordered(&it, &name, &member)) {
            if (!first)
                g_string_append_c(out, ',');
            first = FALSE;
            append_string(out, name);
            g_string_append_c(out, ':');
            append_node(out, member);
        }
        g_string_append_c(out, '}');
        break;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *a = json_node_get_array(node);
        guint n = a ? json_array_get_length(a) : 0;
        if (!a) {
            g_string_append(out, "null");
            break;
        }
        g_string_append_c(out, '[');
        for (guint i = 0; i < n; i++) {
            if (i)
                g_string_append_c(out, ',');
            append_node(out, json_array_get_element(a, i));
        }
        g_string_append_c(out, ']');
        break;
    }
    case JSON_NODE_VALUE:
        switch (json_node_get_value_type(node)) {
        case G_TYPE_INT64:
            g_string_append_printf(out, "%" G_GINT64_FORMAT, json_node_get_int(node));
            break;
        case G_TYPE_DOUBLE:
            tracuu_protocol_format_double(json_node_get_double(node), num);
            g_string_append(out, num);
            break;
        case G_TYPE_BOOLEAN:
            g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
            break;
        case G_TYPE_STRING:
            append_string(out, json_node_get_string(node) ? json_node_get_string(node) : "");
            break;
        default:
            g_string_append(out, "null");
        }
        break;
    case JSON_NODE_NULL:
        g_string_append(out, "null");
        break;
    }
}

void
tracuu_protocol_append_json(GString *out, JsonNode *node)
{
    append_node(out, node);
}

char *
tracuu_protocol_to_json(JsonNode *node, gsize *len)
{
    GString *out = g_string_new(NULL);
    append_node(out, node);
    if (len)
        *len = out->len;
    return g_string_free(out, FALSE);
}

/* @ms rounded to three decimals, as a duration measured to the microsecond is. */
static double
round_to_microseconds(double ms)
{
    if (!(ms > -1e12 && ms < 1e12)) /* not a duration; NaN too */
        return ms;
    double us = ms * 1000.0;
    return (double)(gint64)(us + (us < 0 ? -0.5 : 0.5)) / 1000.0;
}

char *
tracuu_protocol_format_response(JsonNode *id, JsonObject *response, gsize *len)
{
    GString *out = g_string_sized_new(256);
    JsonObjectIter it;
    const char *name;
    JsonNode *member;
    gboolean first = TRUE;

    /* The id goes first so that a reader can match answers without parsing the whole line. */
    g_string_append_c(out, '{');
    if (id) {
        g_string_append(out, "\"id\":");
        append_node(out, id);
        first = FALSE;
    }
    json_object_iter_init_ordered(&it, response);
    while (json_object_iter_next_ordered(&it, &name, &member)) {
        if (!first)
            g_string_append_c(out, ',');
        first = FALSE;
        append_string(out, name);
        g_string_append_c(out, ':');
        if (strcmp(name, "took_ms") == 0 && JSON_NODE_HOLDS_VALUE(member) &&
            json_node_get_value_type(member) == G_TYPE_DOUBLE) {
            /* A duration is measured to the microsecond: more decimals are noise. */
            char num[TRACUU_PROTOCOL_DOUBLE_BUF];
            tracuu_protocol_format_double(round_to_microseconds(json_node_get_double(member)), num);
            g_string_append(out, num);
        } else {
            append_node(out, member);
        }
    }
    g_string_append(out, "}\n");
    if (len)
        *len = out->len;
    return g_string_free(out, FALSE);
}

char *
tracuu_protocol_format_error(JsonNode *id, const char *code, const char *message, gsize *len)
{
    g_autoptr(JsonObject) resp = json_object_new();
    JsonObject *err = json_object_new();

    json_object_set_boolean_member(resp, "ok", FALSE);
    json_object_set_string_member(err, "code", code);
    /* A message may quote the request; keep the line valid UTF-8 whatever it quotes. */
    g_autofree char *msg = g_utf8_make_valid(message ? message : "", -1);
    json_object_set_string_member(err, "message", msg);
    json_object_set_object_member(resp, "error", err);
    return tracuu_protocol_format_response(id, resp, len);
}
