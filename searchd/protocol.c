/* protocol.c - line framing and request/response JSON of tracuu-searchd, without any I/O. */
#include "protocol.h"

#include <errno.h>
#include <math.h> /* isfinite(), a macro: no libm */
#include <string.h>

/* JSON nested deeper than this is refused before json-glib sees it: its parser recurses once
 * per level, and a 1 MiB line of "[" would otherwise overflow a worker thread's stack. The
 * scanner below does not recurse. */
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

/* ---- Reading JSON strictly ---- */

/*
 * json-glib's parser is lenient where the protocol is not: it takes comments, single quotes,
 * hexadecimal and ".5"-like numbers, unknown escapes, raw control characters in strings and
 * text after the object (a second request on the line is dropped without a word); it keeps
 * the last of two members of one name; a 20-digit integer wraps around; "\u0000" cuts a
 * string short; and a lone UTF-16 surrogate gets "unterminated string constant". So a
 * request is first checked here against RFC 8259, in one pass without recursion (the depth
 * is bounded by MAX_DEPTH), and json-glib only builds the tree of what passed.
 *
 * Two kinds of refusal: text that is not JSON is bad_json; JSON that cannot be taken as it
 * was written (a name given twice, a NUL in a string, a number out of range) is bad_request,
 * and the request's "id" is still echoed when that is not what went wrong.
 */

typedef struct {
    const char *s;
    gsize n, i;
    int depth;
    char stack[MAX_DEPTH]; /* '{' or '[' of each open container */
    guint objects;         /* objects opened so far, to number them */
    guint object_of[MAX_DEPTH];
    GHashTable *names; /* "<object number>:<name>" of every member seen */
    GString *name;     /* the member name being read, unescaped */
    /* Inside the value of the top-level "id" member: a problem there, or a second "id",
     * means the id cannot be echoed. */
    gboolean in_id, id_unusable;
    GError *hard; /* not JSON */
    GError *soft; /* JSON, but not taken: the first such problem */
} scanner;

/* What is at byte @i, for a message: "the end of the line", a word, a string or the
 * character. */
static char *
found_at(const scanner *sc, gsize i)
{
    if (i >= sc->n)
        return g_strdup("the end of the line");
    const char *p = sc->s + i;
    if (g_ascii_isalpha(*p)) {
        gsize k = 0;
        while (i + k < sc->n && k < 16 && (g_ascii_isalnum(p[k]) || p[k] == '_'))
            k++;
        return g_strdup_printf("\"%.*s\"", (int)k, p);
    }
    if (*p == '"')
        return g_strdup("a string");
    if ((unsigned char)*p < 0x20)
        return g_strdup_printf("the control character 0x%02x", (unsigned char)*p);
    /* The text was checked to be UTF-8: show the whole character. */
    const char *next = g_utf8_next_char(p);
    return g_strdup_printf("\"%.*s\"", (int)(next - p), p);
}

static gboolean G_GNUC_PRINTF(3, 4)
hard_error(scanner *sc, gsize at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!sc->hard)
        sc->hard = g_error_new(TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                               "invalid JSON at byte %" G_GSIZE_FORMAT ": %s", at, what);
    return FALSE;
}

static void G_GNUC_PRINTF(3, 4)
soft_error(scanner *sc, gsize at, const char *fmt, ...)
{
    if (sc->in_id)
        sc->id_unusable = TRUE;
    if (sc->soft)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sc->soft = g_error_new(TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                           "%s at byte %" G_GSIZE_FORMAT, what, at);
}

static void
skip_space(scanner *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        sc->i++;
}

/* Four hex digits at @p (bytes left: @left), or -1. */
static int
hex4(const char *p, gsize left)
{
    int v = 0;
    if (left < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        int d = g_ascii_xdigit_value(p[k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string at sc->i (its opening quote); unescaped into @out when not NULL. */
static gboolean
scan_string(scanner *sc, GString *out)
{
    gsize start = sc->i++;
    while (sc->i < sc->n) {
        unsigned char c = (unsigned char)sc->s[sc->i];
        if (c == '"') {
            sc->i++;
            return TRUE;
        }
        if (c < 0x20)
            return hard_error(sc, sc->i,
                              "the control character 0x%02x must be escaped in a string (as "
                              "\\u%04x)",
                              c, c);
        if (c != '\\') {
            if (out)
                g_string_append_c(out, (char)c);
            sc->i++;
            continue;
        }
        gsize at = sc->i;
        if (at + 1 >= sc->n)
            break;
        char e = sc->s[at + 1];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *known = e ? strchr(from, e) : NULL;
        if (known) {
            if (out)
                g_string_append_c(out, to[known - from]);
            sc->i += 2;
            continue;
        }
        if (e != 'u') {
            g_autofree char *f = found_at(sc, at + 1);
            return hard_error(sc, at,
                              "unknown escape: a backslash is followed by one of \" \\ / b f n "
                              "r t u, not %s",
                              f);
        }
        int cp = hex4(sc->s + at + 2, sc->n - at - 2);
        if (cp < 0)
            return hard_error(sc, at, "\\u must be followed by four hexadecimal digits");
        gsize len = 6;
        if (cp >= 0xd800 && cp <= 0xdfff) {
            int low = -1;
            if (cp <= 0xdbff && at + 7 < sc->n && sc->s[at + 6] == '\\' && sc->s[at + 7] == 'u')
                low = hex4(sc->s + at + 8, sc->n - at - 8);
            if (low < 0xdc00 || low > 0xdfff)
                return hard_error(sc, at,
                                  "lone UTF-16 surrogate %.6s; JSON strings must be valid "
                                  "Unicode (a surrogate comes in a pair, \\ud800-\\udbff then "
                                  "\\udc00-\\udfff)",
                                  sc->s + at);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            len = 12;
        }
        if (cp == 0)
            soft_error(sc, at, "strings may not hold NUL (\\u0000)");
        if (out)
            g_string_append_unichar(out, (gunichar)cp);
        sc->i += len;
    }
    return hard_error(sc, start, "a string that is never closed");
}

static gboolean
scan_number(scanner *sc)
{
    gsize start = sc->i;
    const char *s = sc->s;
    gboolean integer = TRUE;

    if (s[sc->i] == '-')
        sc->i++;
    if (sc->i >= sc->n || !g_ascii_isdigit(s[sc->i]))
        return hard_error(sc, start, "a digit must follow \"-\"");
    if (s[sc->i] == '0' && sc->i + 1 < sc->n && g_ascii_isdigit(s[sc->i + 1]))
        return hard_error(sc, start, "a number may not start with 0 followed by digits");
    while (sc->i < sc->n && g_ascii_isdigit(s[sc->i]))
        sc->i++;
    if (sc->i < sc->n && s[sc->i] == '.') {
        integer = FALSE;
        sc->i++;
        if (sc->i >= sc->n || !g_ascii_isdigit(s[sc->i]))
            return hard_error(sc, sc->i, "a digit must follow the decimal point");
        while (sc->i < sc->n && g_ascii_isdigit(s[sc->i]))
            sc->i++;
    }
    if (sc->i < sc->n && (s[sc->i] == 'e' || s[sc->i] == 'E')) {
        integer = FALSE;
        sc->i++;
        if (sc->i < sc->n && (s[sc->i] == '+' || s[sc->i] == '-'))
            sc->i++;
        if (sc->i >= sc->n || !g_ascii_isdigit(s[sc->i]))
            return hard_error(sc, sc->i, "a digit must follow the exponent's \"e\"");
        while (sc->i < sc->n && g_ascii_isdigit(s[sc->i]))
            sc->i++;
    }
    /* json-glib would wrap a big integer around and make a big exponent infinite. */
    g_autofree char *text = g_strndup(s + start, sc->i - start);
    errno = 0;
    if (integer) {
        g_ascii_strtoll(text, NULL, 10);
        if (errno == ERANGE)
            soft_error(sc, start, "the integer %s does not fit in 64 bits", text);
    } else if (!isfinite(g_ascii_strtod(text, NULL))) {
        soft_error(sc, start, "the number %s is out of range", text);
    }
    return TRUE;
}

/* Checks the member name just read into sc->name, the first of the object at the top. */
static void
check_name(scanner *sc, gsize at)
{
    char *key = g_strdup_printf("%u:%s", sc->object_of[sc->depth - 1], sc->name->str);
    if (g_hash_table_add(sc->names, key))
        return;
    if (sc->depth == 1 && strcmp(sc->name->str, "id") == 0)
        sc->id_unusable = TRUE;
    /* A name may be long: the message shows its start. */
    glong chars = g_utf8_strlen(sc->name->str, -1);
    g_autofree char *shown = g_utf8_substring(sc->name->str, 0, MIN(chars, 64));
    soft_error(sc, at, "duplicate key \"%s%s\"", shown, chars > 64 ? "…" : "");
}

/* Opens an object or array at sc->i. */
static gboolean
open_container(scanner *sc, char c)
{
    if (sc->depth == MAX_DEPTH) {
        sc->hard =
            g_error_new(TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                        "JSON nested more than %d deep at byte %" G_GSIZE_FORMAT, MAX_DEPTH, sc->i);
        return FALSE;
    }
    sc->stack[sc->depth] = c;
    sc->object_of[sc->depth] = c == '{' ? ++sc->objects : 0;
    sc->depth++;
    sc->i++;
    return TRUE;
}

/*
 * Checks sc->s (sc->n bytes of valid UTF-8) as one JSON text, as a loop over three states
 * with the open containers on sc->stack. FALSE: sc->hard says why. TRUE: it is JSON, though
 * sc->soft may say why it cannot be taken.
 */
static gboolean
scan_json(scanner *sc)
{
    enum { WANT_VALUE, WANT_MEMBER, AFTER_VALUE } state = WANT_VALUE;

    skip_space(sc);
    for (;;) {
        gsize at = sc->i;
        char c = at < sc->n ? sc->s[at] : '\0';

        switch (state) {
        case WANT_VALUE:
            state = AFTER_VALUE;
            if (c == '{' || c == '[') {
                if (!open_container(sc, c))
                    return FALSE;
                skip_space(sc);
                if (sc->i < sc->n && sc->s[sc->i] == (c == '{' ? '}' : ']')) {
                    sc->i++;
                    sc->depth--;
                } else {
                    state = c == '{' ? WANT_MEMBER : WANT_VALUE;
                }
            } else if (c == '"') {
                if (!scan_string(sc, NULL))
                    return FALSE;
            } else if (c == '-' || g_ascii_isdigit(c)) {
                if (!scan_number(sc))
                    return FALSE;
            } else if (sc->n - at >= 4 && memcmp(sc->s + at, "true", 4) == 0) {
                sc->i += 4;
            } else if (sc->n - at >= 5 && memcmp(sc->s + at, "false", 5) == 0) {
                sc->i += 5;
            } else if (sc->n - at >= 4 && memcmp(sc->s + at, "null", 4) == 0) {
                sc->i += 4;
            } else {
                g_autofree char *f = found_at(sc, at);
                return hard_error(sc, at,
                                  "expected a value (an object, array, string, number, true, "
                                  "false or null), found %s",
                                  f);
            }
            break;

        case WANT_MEMBER: {
            /* "name": of a member of the object at the top; its value comes next. */
            if (c != '"') {
                g_autofree char *f = found_at(sc, at);
                return hard_error(sc, at, "expected a member name in double quotes, found %s", f);
            }
            g_string_truncate(sc->name, 0);
            if (!scan_string(sc, sc->name))
                return FALSE;
            check_name(sc, at);
            skip_space(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != ':') {
                g_autofree char *f = found_at(sc, sc->i);
                return hard_error(sc, sc->i, "expected \":\" after the member name, found %s", f);
            }
            sc->i++;
            skip_space(sc);
            if (sc->depth == 1 && strcmp(sc->name->str, "id") == 0)
                sc->in_id = TRUE;
            state = WANT_VALUE;
            break;
        }

        case AFTER_VALUE: {
            /* The next element or member, or the end of the innermost container. */
            if (sc->depth == 1)
                sc->in_id = FALSE;
            skip_space(sc);
            at = sc->i;
            c = at < sc->n ? sc->s[at] : '\0';
            if (sc->depth == 0) {
                if (at < sc->n) {
                    g_autofree char *f = found_at(sc, at);
                    return hard_error(sc, at,
                                      "one request per line: expected the end of the line "
                                      "after the request, found %s",
                                      f);
                }
                return TRUE;
            }
            char open = sc->stack[sc->depth - 1], close = open == '{' ? '}' : ']';
            if (c == close) {
                sc->i++;
                sc->depth--;
            } else if (c == ',') {
                sc->i++;
                skip_space(sc);
                state = open == '{' ? WANT_MEMBER : WANT_VALUE;
            } else {
                g_autofree char *f = found_at(sc, at);
                return hard_error(sc, at, "expected \",\" or \"%c\", found %s", close, f);
            }
            break;
        }
        }
    }
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
    scanner sc = {.s = line, .n = len};
    sc.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sc.name = g_string_new(NULL);
    gboolean is_json = scan_json(&sc);
    g_hash_table_unref(sc.names);
    g_string_free(sc.name, TRUE);
    g_autoptr(GError) soft = sc.soft;
    if (!is_json) {
        g_propagate_error(error, sc.hard);
        return NULL;
    }

    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) perr = NULL;
    if (!json_parser_load_from_data(parser, line, (gssize)len, &perr)) {
        /* Not expected after the scan: json-glib takes more than JSON, not less. */
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON,
                    "invalid JSON: %s", perr->message);
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
    if (idn && !sc.id_unusable)
        *id = json_node_copy(idn);
    if (soft) {
        g_propagate_error(error, g_steal_pointer(&soft));
        return NULL;
    }
    JsonNode *op = json_object_get_member(obj, "op");
    if (!op || !JSON_NODE_HOLDS_VALUE(op) || json_node_get_value_type(op) != G_TYPE_STRING) {
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                    op ? "\"op\" must be a string" : "missing \"op\"");
        return NULL;
    }
    return json_object_ref(obj);
}

/* ---- Authentication ---- */

gboolean
tracuu_protocol_is_auth(JsonObject *request)
{
    const char *op = json_object_get_string_member_with_default(request, "op", NULL);
    return op && strcmp(op, "auth") == 0;
}

char *
tracuu_protocol_parse_auth(JsonObject *request, gsize *len, GError **error)
{
    g_autoptr(GList) names = json_object_get_members(request);
    for (GList *l = names; l; l = l->next) {
        const char *m = l->data;
        if (strcmp(m, "op") != 0 && strcmp(m, "token") != 0 && strcmp(m, "id") != 0) {
            g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                        "auth takes \"token\" (and \"id\") only");
            return NULL;
        }
    }
    JsonNode *t = json_object_get_member(request, "token");
    if (!t || !JSON_NODE_HOLDS_VALUE(t) || json_node_get_value_type(t) != G_TYPE_STRING) {
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                    t ? "\"token\" must be a string" : "auth needs \"token\"");
        return NULL;
    }
    const char *token = json_node_get_string(t);
    gsize n = strlen(token);
    if (n == 0 || n > TRACUU_PROTOCOL_MAX_TOKEN) {
        g_set_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
                    "\"token\" must hold 1 to %d bytes", TRACUU_PROTOCOL_MAX_TOKEN);
        return NULL;
    }
    *len = n;
    return g_strndup(token, n);
}

void
tracuu_protocol_token_free(char *token)
{
    if (!token)
        return;
    /* A volatile pointer, so that the compiler does not drop the stores before free(). */
    volatile char *p = token;
    while (*p)
        *p++ = '\0';
    g_free(token);
}

gboolean
tracuu_protocol_line_may_hold_token(const char *line, gsize len)
{
    static const char *const words[] = {"auth", "token"};
    for (gsize i = 0; i < len; i++) {
        if (line[i] == '\\')
            return TRUE;
        for (guint w = 0; w < G_N_ELEMENTS(words); w++) {
            gsize wl = strlen(words[w]);
            if (i + wl <= len && g_ascii_strncasecmp(line + i, words[w], wl) == 0)
                return TRUE;
        }
    }
    return FALSE;
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
