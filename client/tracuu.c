/* tracuu.c - the tracuu command-line client: search, get and stats through searchd or an index. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "protocol.h"
#include "tracuu-config.h"
#include "tracuu-engine.h"

/* Exit statuses: a search that finds nothing still succeeded. */
enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

/* The longest answer read from the daemon; a get of a huge document stays under it. */
#define MAX_ANSWER (512 * 1024 * 1024)

static char *opt_socket;
static char *opt_db;
static gboolean opt_json;
static int opt_limit = 10;
static int opt_offset;
static char *opt_sort;
static char *opt_filters;
static char *opt_color;
static char **opt_facets;
static char *opt_token;
static char *opt_token_file;

/* String options are G_OPTION_ARG_FILENAME: kept as the bytes given (UTF-8 on any sane
 * system), where G_OPTION_ARG_STRING would convert from the locale's charset and refuse any
 * Vietnamese under LANG=C. */
static const GOptionEntry common_options[] = {
    {"socket", 's', 0, G_OPTION_ARG_FILENAME, &opt_socket,
     "Ask the tracuu-searchd on this socket (default: $TRACUU_SOCKET, else ./tracuu.sock)",
     "PATH"},
    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &opt_db,
     "Search this index directly, without a daemon", "DIR"},
    {"token-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_token_file,
     "Authenticate with the token in this file (first line; default: $TRACUU_TOKEN)", "FILE"},
    {"token", 0, 0, G_OPTION_ARG_FILENAME, &opt_token,
     "Authenticate with this token (visible to other users in ps: prefer --token-file or "
     "$TRACUU_TOKEN)",
     "TOKEN"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json, "Print the protocol's JSON answer", NULL},
    {"color", 0, 0, G_OPTION_ARG_FILENAME, &opt_color,
     "Highlight matches: auto (on a terminal), always or never", "WHEN"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static int opt_depth = 1;

static const GOptionEntry trace_options[] = {
    {"depth", 0, 0, G_OPTION_ARG_INT, &opt_depth, "Follow relations N steps (default 1, at most 5)",
     "N"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static char *opt_article;

static const GOptionEntry get_options[] = {
    {"article", 0, 0, G_OPTION_ARG_FILENAME, &opt_article,
     "Show only that article (Điều N, as written: 12, 12a) of the document", "N"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const GOptionEntry search_options[] = {
    {"limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit, "Show at most N hits (default 10)", "N"},
    {"offset", 0, 0, G_OPTION_ARG_INT, &opt_offset, "Skip the first N hits", "N"},
    {"sort", 0, 0, G_OPTION_ARG_FILENAME, &opt_sort, "relevance (default), date or -date", "S"},
    {"filters", 'f', 0, G_OPTION_ARG_FILENAME, &opt_filters,
     "Filters as a JSON object, as in the protocol", "JSON"},
    {"facets", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_facets,
     "Count the matches by doc_type, issuer, year or kind (comma-separated, repeatable)",
     "NAMES"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* ---- Getting an answer ---- */

static gboolean
send_all(int fd, const char *buf, gsize len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        buf += n;
        len -= (gsize)n;
    }
    return TRUE;
}

/* Reads one answer line from @fd (g_free, without its newline), or NULL with @error. */
static char *
read_line(int fd, const char *path, GError **error)
{
    GString *in = g_string_new(NULL);
    char buf[65536];
    for (;;) {
        /* One byte past a line is never read: the next answer stays in the socket. */
        ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, n < 0 ? g_file_error_from_errno(e) : G_FILE_ERROR_IO,
                        "%s: %s", path,
                        n < 0 ? g_strerror(e) : "the daemon closed the connection early");
            g_string_free(in, TRUE);
            return NULL;
        }
        char *nl = memchr(buf, '\n', (gsize)n);
        gsize take = nl != NULL ? (gsize)(nl - buf) + 1 : (gsize)n;
        ssize_t got;
        do
            got = recv(fd, buf, take, 0);
        while (got < 0 && errno == EINTR);
        if (got != (ssize_t)take) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: short read", path);
            g_string_free(in, TRUE);
            return NULL;
        }
        g_string_append_len(in, buf, nl != NULL ? (gssize)take - 1 : (gssize)take);
        if (nl != NULL)
            break;
        if (in->len > MAX_ANSWER) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "answer too long");
            g_string_free(in, TRUE);
            return NULL;
        }
    }
    return g_string_free(in, FALSE);
}

/* Whether the answer line @line says "ok": true (a JSON object). */
static gboolean
answer_is_ok(const char *line)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, line, -1, NULL))
        return FALSE;
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return FALSE;
    JsonObject *o = json_node_get_object(root);
    return json_object_has_member(o, "ok") && json_object_get_boolean_member(o, "ok");
}

/*
 * Sends @line to the daemon on @path and returns its answer line (g_free), or NULL. With
 * @auth (an auth request line), that goes first, and a refusal is the answer.
 */
static char *
ask_daemon(const char *path, const char *auth, gsize auth_len, const char *line, gsize len,
           GError **error)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    if (strlen(path) >= sizeof sa.sun_path) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG, "socket path too long: %s",
                    path);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    "cannot reach tracuu-searchd on %s: %s (start it, or use --db DIR)", path,
                    g_strerror(e));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (auth != NULL) {
        if (!send_all(fd, auth, auth_len)) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                        "cannot send to %s: %s", path, g_strerror(e));
            close(fd);
            return NULL;
        }
        char *answer = read_line(fd, path, error);
        if (answer == NULL || !answer_is_ok(answer)) {
            close(fd);
            return answer;
        }
        g_free(answer);
    }
    if (!send_all(fd, line, len)) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot send to %s: %s",
                    path, g_strerror(e));
        close(fd);
        return NULL;
    }
    char *answer = read_line(fd, path, error);
    close(fd);
    return answer;
}

/*
 * The token to authenticate with: --token-file's first line, else --token, else
 * $TRACUU_TOKEN; NULL for none (the daemon then knows the caller by its uid, or not at all).
 * FALSE with @error when the file cannot be read.
 */
static gboolean
get_token(char **token, GError **error)
{
    *token = NULL;
    if (opt_token_file != NULL) {
        g_autofree char *text = NULL;
        if (!g_file_get_contents(opt_token_file, &text, NULL, error))
            return FALSE;
        text[strcspn(text, "\r\n")] = '\0';
        *token = g_strdup(g_strstrip(text));
        explicit_bzero(text, strlen(text));
    } else if (opt_token != NULL) {
        *token = g_strdup(opt_token);
    } else if (g_getenv("TRACUU_TOKEN") != NULL && *g_getenv("TRACUU_TOKEN") != '\0') {
        *token = g_strdup(g_getenv("TRACUU_TOKEN"));
    }
    if (*token != NULL && **token == '\0')
        g_clear_pointer(token, g_free);
    return TRUE;
}

/* Answers @request (consumed) through the daemon or the index: returns the answer object, which
 * may be an error answer ("ok": false), or NULL with @error when there is no answer at all. */
static JsonObject *ask(JsonObject *request, GError **error);
static const char *str_member(JsonObject *o, const char *name);

/* The id to trace from @arg: the first visible whole document numbered @arg, else @arg itself
 * taken as an id (the daemon then says not_found if there is none). Caller frees. */
static char *
trace_start(const char *arg)
{
    JsonObject *req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", "");
    json_object_set_int_member(req, "limit", 1);
    JsonObject *filters = json_object_new();
    json_object_set_string_member(filters, "number", arg);
    json_object_set_object_member(req, "filters", filters);
    g_autoptr(JsonObject) resp = ask(req, NULL);
    JsonNode *hits = resp != NULL ? json_object_get_member(resp, "hits") : NULL;
    if (hits != NULL && JSON_NODE_HOLDS_ARRAY(hits) &&
        json_array_get_length(json_node_get_array(hits)) > 0) {
        JsonObject *h = json_array_get_object_element(json_node_get_array(hits), 0);
        const char *id = h != NULL && json_object_has_member(h, "id")
                             ? json_object_get_string_member(h, "id")
                             : NULL;
        if (id != NULL)
            return g_strdup(id);
    }
    return g_strdup(arg);
}

/* One line per edge: "FROM (number) --kind [Điều 5, 7]--> TO (number)"; then the nodes not in
 * the archive. */
static void
print_trace(JsonObject *resp)
{
    g_autoptr(GHashTable) numbers = g_hash_table_new(g_str_hash, g_str_equal);
    JsonArray *nodes = json_object_get_array_member(resp, "nodes");
    for (guint i = 0; nodes != NULL && i < json_array_get_length(nodes); i++) {
        JsonObject *n = json_array_get_object_element(nodes, i);
        const char *id = str_member(n, "id"), *num = str_member(n, "number");
        if (id != NULL && num != NULL)
            g_hash_table_insert(numbers, (gpointer)id, (gpointer)num);
    }
    JsonArray *edges = json_object_get_array_member(resp, "edges");
    for (guint i = 0; edges != NULL && i < json_array_get_length(edges); i++) {
        JsonObject *e = json_array_get_object_element(edges, i);
        const char *from = str_member(e, "from"), *to = str_member(e, "to");
        const char *fnum = g_hash_table_lookup(numbers, from);
        const char *tnum = g_hash_table_lookup(numbers, to);
        g_autoptr(GString) arts = g_string_new(NULL);
        JsonArray *a = json_object_get_array_member(e, "articles");
        for (guint k = 0; a != NULL && k < json_array_get_length(a); k++)
            g_string_append_printf(arts, "%s%s", k ? ", " : " [Điều ",
                                   json_array_get_string_element(a, k));
        if (arts->len > 0)
            g_string_append_c(arts, ']');
        printf("%s%s%s%s --%s%s--> %s%s%s%s\n", from, fnum ? " (" : "", fnum ? fnum : "",
               fnum ? ")" : "", str_member(e, "kind"), arts->str, to, tnum ? " (" : "",
               tnum ? tnum : "", tnum ? ")" : "");
    }
    if (json_object_get_boolean_member_with_default(resp, "truncated", FALSE))
        printf("(more: the trace stopped at its node limit)\n");
}

static JsonObject *
ask(JsonObject *request, GError **error)
{
    g_autoptr(JsonObject) req = request;
    gsize len = 0;

    if (opt_db) {
        /* Directly: the same engine the daemon runs, so the answer is the same. */
        g_autoptr(GError) err = NULL;
        tracuu_engine *engine = tracuu_engine_open(opt_db, error);
        if (!engine)
            return NULL;
        /* The daemon's default time limit, so that both answer alike (the engine also takes
         * another, much slower, path without one: 8x on 100,000 documents). */
        tracuu_engine_set_time_limit(engine, 5.0);
        JsonObject *resp = tracuu_engine_handle(engine, req, &err);
        tracuu_engine_free(engine);
        if (resp)
            return resp;
        JsonObject *fail = json_object_new();
        JsonObject *e = json_object_new();
        json_object_set_boolean_member(fail, "ok", FALSE);
        json_object_set_string_member(e, "code",
                                      err->domain == TRACUU_ENGINE_ERROR
                                          ? tracuu_engine_error_code_name(err->code)
                                          : "internal");
        json_object_set_string_member(e, "message", err->message);
        json_object_set_object_member(fail, "error", e);
        return fail;
    }
    g_autofree char *line = tracuu_protocol_format_response(NULL, req, &len);
    const char *path = opt_socket ? opt_socket : g_getenv("TRACUU_SOCKET");
    if (!path || !*path)
        path = "tracuu.sock";
    g_autofree char *token = NULL;
    if (!get_token(&token, error))
        return NULL;
    g_autofree char *auth = NULL;
    gsize auth_len = 0;
    if (token != NULL) {
        g_autoptr(JsonObject) a = json_object_new();
        json_object_set_string_member(a, "op", "auth");
        json_object_set_string_member(a, "token", token);
        auth = tracuu_protocol_format_response(NULL, a, &auth_len);
        explicit_bzero(token, strlen(token));
    }
    g_autofree char *answer = ask_daemon(path, auth, auth_len, line, len, error);
    if (auth != NULL)
        explicit_bzero(auth, auth_len);
    if (!answer)
        return NULL;
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, answer, -1, error))
        return NULL;
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the daemon's answer is not an object");
        return NULL;
    }
    return json_object_ref(json_node_get_object(root));
}

/* ---- Printing ---- */

static gboolean use_color;

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define MARK "\033[1;7m"
#define RESET "\033[0m"

/* Prints a snippet: HTML entities decoded, <mark> shown as inverse on a terminal and as
 * [brackets] elsewhere, other tags dropped. */
static void
print_snippet(GString *out, const char *s)
{
    static const struct {
        const char *entity;
        char c;
    } entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
                    {"&#39;", '\''}, {"&#x27;", '\''}, {"&apos;", '\''}};

    while (*s) {
        if (g_str_has_prefix(s, "<mark>")) {
            g_string_append(out, use_color ? MARK : "[");
            s += 6;
        } else if (g_str_has_prefix(s, "</mark>")) {
            g_string_append(out, use_color ? RESET : "]");
            s += 7;
        } else if (*s == '<' && strchr(s, '>')) {
            s = strchr(s, '>') + 1;
        } else if (*s == '&') {
            gsize i;
            for (i = 0; i < G_N_ELEMENTS(entities); i++) {
                if (g_str_has_prefix(s, entities[i].entity)) {
                    g_string_append_c(out, entities[i].c);
                    s += strlen(entities[i].entity);
                    break;
                }
            }
            if (i == G_N_ELEMENTS(entities))
                g_string_append_c(out, *s++);
        } else if (*s == '\n' || *s == '\r' || *s == '\t') {
            g_string_append_c(out, ' ');
            s++;
        } else {
            g_string_append_c(out, *s++);
        }
    }
}

static const char *
str_member(JsonObject *o, const char *name)
{
    JsonNode *n = o ? json_object_get_member(o, name) : NULL;
    if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    const char *s = json_node_get_string(n);
    return s && *s ? s : NULL;
}

/* A JSON value as a line of text: strings as they are, arrays joined, others as JSON. */
static char *
value_text(JsonNode *n)
{
    if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
        return g_strdup(json_node_get_string(n));
    if (JSON_NODE_HOLDS_ARRAY(n)) {
        GString *s = g_string_new(NULL);
        JsonArray *a = json_node_get_array(n);
        for (guint i = 0; i < json_array_get_length(a); i++) {
            g_autofree char *v = value_text(json_array_get_element(a, i));
            if (i)
                g_string_append(s, ", ");
            g_string_append(s, v);
        }
        return g_string_free(s, FALSE);
    }
    return tracuu_protocol_to_json(n, NULL) /* numbers without float noise */;
}

/* What a facet counts, in words, before its field name; a facet not listed shows its name only. */
static const struct {
    const char *name;
    const char *label;
} facet_labels[] = {
    {"doc_type", "loại văn bản"},
    {"issuer", "cơ quan ban hành"},
    {"year", "năm"},
    {"kind", "loại tệp"},
};

/* The width of a printed facet line before it wraps, the project's column limit. */
#define FACET_WIDTH 100

typedef struct {
    const char *value;
    gint64 count;
} facet_value;

/* Most documents first, then by value, so that the order does not depend on the answer's. */
static int
facet_value_order(const void *a, const void *b)
{
    const facet_value *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

/*
 * Prints the counts of the "facets" object of an answer, one facet a line in the order asked:
 * "loại văn bản (doc_type): Quyết định (5), Công văn (3)", most documents first, wrapped at
 * FACET_WIDTH with an indent.
 */
static void
print_facets(GString *out, JsonObject *facets)
{
    g_autoptr(GList) names = json_object_get_members(facets);
    if (names)
        g_string_append(out, "\n");
    for (GList *l = names; l; l = l->next) {
        const char *name = l->data;
        JsonNode *n = json_object_get_member(facets, name);
        if (!JSON_NODE_HOLDS_OBJECT(n))
            continue;
        JsonObject *counts = json_node_get_object(n);
        g_autoptr(GArray) values = g_array_new(FALSE, FALSE, sizeof(facet_value));
        g_autoptr(GList) keys = json_object_get_members(counts);
        for (GList *k = keys; k; k = k->next) {
            facet_value v = {k->data, json_object_get_int_member(counts, k->data)};
            g_array_append_val(values, v);
        }
        g_array_sort(values, facet_value_order);

        const char *label = NULL;
        for (gsize i = 0; i < G_N_ELEMENTS(facet_labels); i++)
            if (!strcmp(facet_labels[i].name, name))
                label = facet_labels[i].label;
        g_autofree char *head =
            label ? g_strdup_printf("%s (%s):", label, name) : g_strdup_printf("%s:", name);
        g_string_append_printf(out, "%s%s%s", use_color ? BOLD : "", head, use_color ? RESET : "");
        glong width = g_utf8_strlen(head, -1);
        if (values->len == 0)
            g_string_append(out, " (none)");
        for (guint i = 0; i < values->len; i++) {
            const facet_value *v = &g_array_index(values, facet_value, i);
            g_autofree char *item = g_strdup_printf("%s (%" G_GINT64_FORMAT ")%s", v->value,
                                                    v->count, i + 1 < values->len ? "," : "");
            glong w = g_utf8_strlen(item, -1);
            if (i > 0 && width + 1 + w > FACET_WIDTH) {
                g_string_append(out, "\n   ");
                width = 3;
            }
            g_string_append_printf(out, " %s", item);
            width += 1 + w;
        }
        g_string_append(out, "\n");
    }
}

static void
print_search(JsonObject *resp)
{
    g_autoptr(GString) out = g_string_new(NULL);
    gint64 total = json_object_get_int_member_with_default(resp, "total", 0);
    double took = json_object_get_double_member_with_default(resp, "took_ms", 0);
    JsonArray *hits = json_object_has_member(resp, "hits") &&
                              JSON_NODE_HOLDS_ARRAY(json_object_get_member(resp, "hits"))
                          ? json_object_get_array_member(resp, "hits")
                          : NULL;
    guint n = hits ? json_array_get_length(hits) : 0;

    g_string_append_printf(out, "%" G_GINT64_FORMAT " %s (%.1f ms)", total,
                           total == 1 ? "result" : "results", took);
    if (n)
        g_string_append_printf(out, ", showing %d-%u", opt_offset + 1, opt_offset + n);
    g_string_append(out, "\n");
    /* The engine's "did you mean" (docs/protocol.md), to run as a query of its own. */
    const char *suggest = str_member(resp, "suggest");
    if (suggest != NULL)
        g_string_append_printf(out, "Did you mean: %s\n", suggest);
    for (guint i = 0; i < n; i++) {
        JsonNode *hn = json_array_get_element(hits, i);
        if (!JSON_NODE_HOLDS_OBJECT(hn))
            continue;
        JsonObject *h = json_node_get_object(hn);
        /* Fields a hit may carry at its top level or in a "doc"/"fields" object. */
        JsonObject *d = h;
        if (json_object_has_member(h, "fields") &&
            JSON_NODE_HOLDS_OBJECT(json_object_get_member(h, "fields")))
            d = json_object_get_object_member(h, "fields");
        const char *type = str_member(d, "doc_type");
        const char *kind = str_member(d, "kind");
        const char *date = str_member(d, "date");
        const char *number = str_member(d, "number");
        const char *title = str_member(d, "title");
        const char *subject = str_member(d, "subject");
        const char *id = str_member(h, "id") ? str_member(h, "id") : str_member(d, "id");
        const char *path = str_member(d, "path");
        const char *snippet = str_member(h, "snippet");

        g_string_append_printf(out, "\n%3u. ", opt_offset + i + 1);
        gboolean sep = FALSE;
        const char *head[] = {type ? type : kind, date, number};
        for (gsize k = 0; k < G_N_ELEMENTS(head); k++) {
            if (!head[k])
                continue;
            if (sep)
                g_string_append(out, " · ");
            g_string_append(out, head[k]);
            sep = TRUE;
        }
        g_string_append(out, "\n     ");
        if (use_color)
            g_string_append(out, BOLD);
        g_string_append(out, title ? title : subject ? subject : path ? path : id ? id : "");
        if (use_color)
            g_string_append(out, RESET);
        g_string_append(out, "\n");
        if (snippet) {
            g_string_append(out, "     ");
            print_snippet(out, snippet);
            g_string_append(out, "\n");
        }
        if (use_color)
            g_string_append(out, DIM);
        g_string_append_printf(out, "     id: %s", id ? id : "?");
        if (path)
            g_string_append_printf(out, "  %s", path);
        /* The PDF page of the snippet, "trang" as a citation shortens it. */
        gint64 page = json_object_get_int_member_with_default(h, "page", 0);
        if (page > 0)
            g_string_append_printf(out, "  tr. %" G_GINT64_FORMAT, page);
        if (use_color)
            g_string_append(out, RESET);
        g_string_append(out, "\n");
    }
    JsonNode *facets = json_object_get_member(resp, "facets");
    if (facets && JSON_NODE_HOLDS_OBJECT(facets))
        print_facets(out, json_node_get_object(facets));
    fputs(out->str, stdout);
}

/* Prints the members of @o as "name: value" lines, nested objects as "a.b", except @skip. */
static void
print_fields(GString *out, const char *prefix, JsonObject *o, const char *const *skip)
{
    g_autoptr(GList) names = json_object_get_members(o);
    for (GList *l = names; l; l = l->next) {
        const char *name = l->data;
        if (skip && g_strv_contains(skip, name))
            continue;
        JsonNode *n = json_object_get_member(o, name);
        g_autofree char *full = prefix ? g_strdup_printf("%s.%s", prefix, name) : g_strdup(name);
        if (JSON_NODE_HOLDS_OBJECT(n)) {
            print_fields(out, full, json_node_get_object(n), NULL);
            continue;
        }
        g_autofree char *v = value_text(n);
        g_string_append_printf(out, "%s%s:%s %s\n", use_color ? BOLD : "", full,
                               use_color ? RESET : "", v);
    }
}

static void
print_get(JsonObject *resp)
{
    static const char *const skip_doc[] = {"text", "pages", NULL};
    static const char *const skip_top[] = {"ok", "took_ms", "text", "pages", NULL};
    g_autoptr(GString) out = g_string_new(NULL);
    JsonObject *doc = resp;

    /* The fields may come in a "doc" object or beside "ok". */
    if (json_object_has_member(resp, "doc") &&
        JSON_NODE_HOLDS_OBJECT(json_object_get_member(resp, "doc")))
        doc = json_object_get_object_member(resp, "doc");
    print_fields(out, NULL, doc, doc == resp ? skip_top : skip_doc);
    const char *text = str_member(doc, "text");
    if (text)
        g_string_append_printf(out, "\n%s\n", text);
    fputs(out->str, stdout);
}

static void
print_stats(JsonObject *resp)
{
    static const char *const skip[] = {"ok", NULL};
    g_autoptr(GString) out = g_string_new(NULL);
    print_fields(out, NULL, resp, skip);
    fputs(out->str, stdout);
}

/* ---- main ---- */

/* ---- Reading the command line ---- */

/* GOption's own help options: flags that the scanner below must know like the others. */
static const GOptionEntry help_options[] = {
    {"help", 'h', 0, G_OPTION_ARG_NONE, NULL, NULL, NULL},
    {"help", '?', 0, G_OPTION_ARG_NONE, NULL, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Every option of every command. A word is read alike whatever the command, so that options
 * may come before it; the command's own GOption context then refuses an option it does not
 * take ("tracuu get -n3 ID": "Unknown option --limit"). */
static const GOptionEntry *const all_options[] = {common_options, search_options, trace_options,
                                                   get_options, help_options};

static const GOptionEntry *
find_short_option(char c)
{
    for (gsize t = 0; t < G_N_ELEMENTS(all_options); t++)
        for (const GOptionEntry *e = all_options[t]; e->long_name; e++)
            if (e->short_name == c)
                return e;
    return NULL;
}

static const GOptionEntry *
find_long_option(const char *name, size_t len)
{
    for (gsize t = 0; t < G_N_ELEMENTS(all_options); t++)
        for (const GOptionEntry *e = all_options[t]; e->long_name; e++)
            if (strlen(e->long_name) == len && !strncmp(e->long_name, name, len))
                return e;
    return NULL;
}

static gboolean
takes_value(const GOptionEntry *e)
{
    return e->arg != G_OPTION_ARG_NONE;
}

/*
 * Whether @value, written in one word with short option @e ("-n3"), is meant as its value.
 * A query word may start with '-' and any letter ("-nam", "-số", "-dinh" exclude a word), so
 * such a word is an option only when the rest looks like what the option takes, by its
 * metavar: a whole number for N, a path starting with '/' or '.' for PATH and DIR, an object
 * for JSON. Anything else is a query word. A value of another kind is taken as it comes, as
 * GNU tools do: give a new short option with a value its metavar here.
 */
static gboolean
attached_value_fits(const GOptionEntry *e, const char *value)
{
    const char *kind = e->arg_description ? e->arg_description : "";

    if (!strcmp(kind, "N")) {
        const char *p = value + (*value == '-'); /* refused later as negative, not a word */
        if (!*p)
            return FALSE;
        for (; *p; p++)
            if (!g_ascii_isdigit(*p))
                return FALSE;
        return TRUE;
    }
    if (!strcmp(kind, "PATH") || !strcmp(kind, "DIR"))
        return value[0] == '/' || value[0] == '.';
    if (!strcmp(kind, "JSON"))
        return value[0] == '{';
    return TRUE;
}

/* Adds option @e to @options in its long form, with @value when it has one ("--limit=3"). */
static void
add_option(GPtrArray *options, const GOptionEntry *e, const char *value)
{
    g_ptr_array_add(options, value ? g_strdup_printf("--%s=%s", e->long_name, value)
                                   : g_strdup_printf("--%s", e->long_name));
}

enum { SHORT_OPTIONS, QUERY_WORD, BAD_OPTIONS };

/*
 * Reads word @i of @argv ("-jn3") as a cluster of short options: flags, then at most one
 * option with a value, which takes the rest of the word or, when the word ends there, the next
 * word (moving *@i on). Adds them to @options and answers SHORT_OPTIONS; answers QUERY_WORD,
 * adding nothing, when a letter is no option or an attached value does not fit
 * (attached_value_fits()); BAD_OPTIONS with @error for "-n=3".
 */
static int
read_short_options(int argc, char **argv, int *i, GPtrArray *options, GError **error)
{
    const char *word = argv[*i];
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);
    int next = *i;

    for (const char *p = word + 1; *p; p++) {
        const GOptionEntry *e = find_short_option(*p);
        if (!e)
            return QUERY_WORD;
        if (!takes_value(e)) {
            add_option(found, e, NULL);
            continue;
        }
        const char *value = p + 1;
        if (*value == '=') {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s: write -%c%s, -%c %s or --%s=%s", word, *p, value + 1, *p, value + 1,
                        e->long_name, value + 1);
            return BAD_OPTIONS;
        }
        if (*value) {
            if (!attached_value_fits(e, value))
                return QUERY_WORD;
            add_option(found, e, value);
        } else if (next + 1 < argc) {
            add_option(found, e, argv[++next]);
        } else {
            /* No value at all: GOption says "Missing argument for -n". */
            g_ptr_array_add(found, g_strdup_printf("-%c", *p));
        }
        break;
    }
    for (guint k = 0; k < found->len; k++)
        g_ptr_array_add(options, g_strdup(found->pdata[k]));
    *i = next;
    return SHORT_OPTIONS;
}

/*
 * Splits @argv into options and words as GNU getopt reads them: "--name=value",
 * "--name value", "-n value", "-nvalue" and clusters ("-jn3", "-jn 3"), anywhere among the
 * words, until "--", after which every word is a word. Each option goes to @options (g_free)
 * in its long form with its value ("--limit=3"), so that GOption, which would read "-n3" as
 * -n taking the next word, is given options only; the words (the command, then its
 * arguments, borrowed from @argv) go to @words, query words starting with '-' among them.
 * An unknown long option is handed on for GOption to refuse. Returns FALSE with @error for a
 * word that is options but cannot be read ("-n=3", "--json=yes"); the rest is still split.
 */
static gboolean
split_command_line(int argc, char **argv, GPtrArray *options, GPtrArray *words, GError **error)
{
    gboolean ended = FALSE;
    gboolean ok = TRUE;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (ended || a[0] != '-' || a[1] == '\0') {
            g_ptr_array_add(words, argv[i]);
        } else if (!strcmp(a, "--")) {
            ended = TRUE;
        } else if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            const GOptionEntry *e = find_long_option(name, eq ? (size_t)(eq - name) : strlen(name));
            if (e && eq && !takes_value(e)) {
                if (ok)
                    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                "%s: --%s takes no value", a, e->long_name);
                ok = FALSE;
            } else if (e && !eq && takes_value(e) && i + 1 < argc) {
                add_option(options, e, argv[++i]);
            } else {
                g_ptr_array_add(options, g_strdup(a));
            }
        } else {
            GError *err = NULL;
            switch (read_short_options(argc, argv, &i, options, &err)) {
            case QUERY_WORD:
                g_ptr_array_add(words, argv[i]);
                break;
            case BAD_OPTIONS:
                if (ok)
                    g_propagate_error(error, err);
                else
                    g_error_free(err);
                ok = FALSE;
                break;
            default:
                break;
            }
        }
    }
    return ok;
}

static int
usage(GOptionContext *ctx, const char *msg)
{
    if (msg)
        fprintf(stderr, "tracuu: %s\n", msg);
    g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
    fputs(help, stderr);
    return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    static const char *const commands =
        "Commands:\n"
        "  search QUERY...   search; prints number, type, date, title and snippet of each hit,\n"
        "                    its id, path and PDF page (tr. N), then the counts of --facets\n"
        "  get ID            prints a document's fields, then its text (--article N: that\n"
        "                    article alone)\n"
        "  trace NUMBER|ID   prints the documents related to one (amends, replaces...), both\n"
        "                    ways, to --depth steps: one line per relation\n"
        "  stats             prints what the index holds\n"
        "  ping              checks that the daemon answers\n"
        "\n"
        "Options may come before or after the command and its words. A short option takes its\n"
        "value from the next word or from the same one: -n 5 or -n5, -jn5; -d DIR or -d./DIR\n"
        "(a path attached to -s or -d starts with '.' or '/'); -f JSON or -f{...}. A word that\n"
        "starts with '-' and is not options is a query word: \"thư -rác\" excludes \"rác\", and\n"
        "so do -số and -nam. After \"--\", every word is a query word (-- -n5).\n"
        "\n"
        "Exit status: 0 when the request was answered (even with no hits), 1 on an error,\n"
        "2 on a usage error.";
    g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    g_autoptr(GError) bad_words = NULL;
    gboolean read = split_command_line(argc, argv, options, words, &bad_words);
    /* The command is the first word; the others are its arguments. */
    const char *cmd = words->len ? words->pdata[0] : NULL;
    int n_args = words->len ? (int)words->len - 1 : 0;
    g_ptr_array_add(words, NULL);
    char **args = (char **)words->pdata + (cmd ? 1 : 0);
    gboolean asked_help = FALSE, asked_version = FALSE;
    for (guint i = 0; i < options->len; i++) {
        asked_help = asked_help || !strcmp(options->pdata[i], "--help") ||
                     !strcmp(options->pdata[i], "--help-all");
        asked_version = asked_version || !strcmp(options->pdata[i], "--version");
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx = NULL;

    if ((!cmd && asked_version) || (cmd && !strcmp(cmd, "-V"))) {
        printf("tracuu %s\n", TRACUU_VERSION);
        return EXIT_OK;
    }
    gboolean known = cmd && (!strcmp(cmd, "search") || !strcmp(cmd, "get") ||
                             !strcmp(cmd, "trace") || !strcmp(cmd, "stats") ||
                             !strcmp(cmd, "ping"));
    /* GOption's usage line is "PRGNAME [OPTION…] PARAMETERS": the command goes in the name. */
    g_autofree char *prgname = known ? g_strdup_printf("tracuu %s", cmd) : g_strdup("tracuu");
    g_set_prgname(prgname);
    ctx = g_option_context_new(!known                   ? "COMMAND [ARGUMENT…]"
                               : !strcmp(cmd, "search") ? "QUERY…"
                               : !strcmp(cmd, "get")    ? "ID"
                               : !strcmp(cmd, "trace")  ? "NUMBER|ID"
                                                        : NULL);
    g_option_context_set_summary(ctx, "Searches a tracuu archive of official documents.");
    g_option_context_set_description(ctx, commands);
    g_option_context_add_main_entries(ctx, common_options, NULL);
    if (known && !strcmp(cmd, "search"))
        g_option_context_add_main_entries(ctx, search_options, NULL);
    if (known && !strcmp(cmd, "trace"))
        g_option_context_add_main_entries(ctx, trace_options, NULL);
    if (known && !strcmp(cmd, "get"))
        g_option_context_add_main_entries(ctx, get_options, NULL);
    /* The help is printed here, not by GOption, which would convert its UTF-8 to the locale's
     * charset (the client sets no locale: "thư" would be "th?"). */
    if (asked_help || (cmd && !strcmp(cmd, "help"))) {
        g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
        fputs(help, stdout);
        return EXIT_OK;
    }
    if (!known)
        return usage(ctx, cmd ? "unknown command" : "a command is needed");
    if (!read)
        return usage(ctx, bad_words->message);
    /* GOption is given the options alone, each in one word: the words never reach it. */
    int opt_argc = (int)options->len + 1;
    g_autofree char **opt_argv = g_new0(char *, options->len + 2);
    opt_argv[0] = argv[0];
    if (options->len)
        memcpy(opt_argv + 1, options->pdata, options->len * sizeof *opt_argv);
    char **opt_argv_left = opt_argv;
    if (!g_option_context_parse(ctx, &opt_argc, &opt_argv_left, &error))
        return usage(ctx, error->message);

    if (opt_socket && opt_db)
        return usage(ctx, "--socket and --db are exclusive");
    if (opt_token && opt_token_file)
        return usage(ctx, "--token and --token-file are exclusive");
    if ((opt_token || opt_token_file) && opt_db)
        return usage(ctx, "--db reads the index itself, unrestricted: no token to give");
    /* The token given on the command line is wiped from it, which shortens (but cannot
     * close) the time other users see it in ps: the docs say to use the file or the
     * environment. */
    for (int i = 1; opt_token != NULL && i < argc; i++) {
        char *v = g_str_has_prefix(argv[i], "--token=") ? argv[i] + strlen("--token=")
                  : strcmp(argv[i], opt_token) == 0     ? argv[i]
                                                        : NULL;
        if (v != NULL)
            explicit_bzero(v, strlen(v));
    }
    if (opt_limit < 0 || opt_offset < 0)
        return usage(ctx, "--limit and --offset cannot be negative");
    if (!opt_color || !strcmp(opt_color, "auto"))
        use_color = isatty(STDOUT_FILENO) && !g_getenv("NO_COLOR");
    else if (!strcmp(opt_color, "always"))
        use_color = TRUE;
    else if (!strcmp(opt_color, "never"))
        use_color = FALSE;
    else
        return usage(ctx, "--color is auto, always or never");

    JsonObject *req = json_object_new();
    json_object_set_string_member(req, "op", cmd);
    if (!strcmp(cmd, "search")) {
        if (n_args < 1) {
            json_object_unref(req);
            return usage(ctx, "search needs a query");
        }
        g_autofree char *q = g_strjoinv(" ", args);
        json_object_set_string_member(req, "q", q);
        json_object_set_int_member(req, "limit", opt_limit);
        if (opt_offset)
            json_object_set_int_member(req, "offset", opt_offset);
        if (opt_sort)
            json_object_set_string_member(req, "sort", opt_sort);
        if (opt_filters) {
            g_autoptr(JsonNode) f = json_from_string(opt_filters, &error);
            if (!f || !JSON_NODE_HOLDS_OBJECT(f)) {
                json_object_unref(req);
                return usage(ctx, "--filters wants a JSON object");
            }
            json_object_set_member(req, "filters", json_node_copy(f));
        }
        if (opt_facets) {
            /* The names go as they are: the engine refuses one it does not know. */
            JsonArray *names = json_array_new();
            for (char **f = opt_facets; *f; f++) {
                g_auto(GStrv) parts = g_strsplit(*f, ",", -1);
                for (char **p = parts; *p; p++)
                    json_array_add_string_element(names, g_strstrip(*p));
            }
            json_object_set_array_member(req, "facets", names);
        }
    } else if (!strcmp(cmd, "get")) {
        if (n_args != 1) {
            json_object_unref(req);
            return usage(ctx, "get needs one document id");
        }
        if (opt_article != NULL) {
            /* An article is a unit of its own, "<document id>#dieu-<N>" (docs/protocol.md). */
            if (*opt_article == '\0' || strpbrk(opt_article, "#/ \t\"\\") != NULL ||
                strchr(args[0], '#') != NULL) {
                json_object_unref(req);
                return usage(ctx, "--article wants an article number (12, 12a) of a document id");
            }
            g_autofree char *id = g_strdup_printf("%s#dieu-%s", args[0], opt_article);
            json_object_set_string_member(req, "doc", id);
        } else {
            json_object_set_string_member(req, "doc", args[0]);
        }
    } else if (!strcmp(cmd, "trace")) {
        if (n_args != 1) {
            json_object_unref(req);
            return usage(ctx, "trace needs one document number or id");
        }
        if (opt_depth < 0)
            return usage(ctx, "--depth cannot be negative");
        g_autofree char *id = trace_start(args[0]);
        json_object_set_string_member(req, "doc", id);
        json_object_set_int_member(req, "depth", opt_depth);
    } else if (n_args != 0) {
        json_object_unref(req);
        return usage(ctx, "unexpected arguments");
    }

    g_autoptr(JsonObject) resp = ask(req, &error);
    int status = EXIT_OK;
    if (!resp) {
        fprintf(stderr, "tracuu: %s\n", error->message);
        status = EXIT_ERROR;
    } else if (!json_object_get_boolean_member_with_default(resp, "ok", FALSE)) {
        JsonObject *e = json_object_has_member(resp, "error") &&
                                JSON_NODE_HOLDS_OBJECT(json_object_get_member(resp, "error"))
                            ? json_object_get_object_member(resp, "error")
                            : NULL;
        if (opt_json) {
            g_autofree char *s = tracuu_protocol_format_response(NULL, resp, NULL);
            fputs(s, stdout);
        }
        fprintf(stderr, "tracuu: %s: %s\n", str_member(e, "code") ? str_member(e, "code") : "error",
                str_member(e, "message") ? str_member(e, "message") : "the request failed");
        status = EXIT_ERROR;
    } else if (opt_json) {
        g_autofree char *s = tracuu_protocol_format_response(NULL, resp, NULL);
        fputs(s, stdout);
    } else if (!strcmp(cmd, "search")) {
        print_search(resp);
    } else if (!strcmp(cmd, "get")) {
        print_get(resp);
    } else if (!strcmp(cmd, "trace")) {
        print_trace(resp);
    } else if (!strcmp(cmd, "stats")) {
        print_stats(resp);
    } else {
        printf("ok\n");
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        status = EXIT_ERROR;
    g_free(opt_socket);
    g_free(opt_db);
    g_free(opt_sort);
    g_free(opt_filters);
    g_free(opt_color);
    g_free(opt_article);
    g_strfreev(opt_facets);
    return status;
}
