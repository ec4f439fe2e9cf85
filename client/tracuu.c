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

/* String options are G_OPTION_ARG_FILENAME: kept as the bytes given (UTF-8 on any sane
 * system), where G_OPTION_ARG_STRING would convert from the locale's charset and refuse any
 * Vietnamese under LANG=C. */
static const GOptionEntry common_options[] = {
    {"socket", 's', 0, G_OPTION_ARG_FILENAME, &opt_socket,
     "Ask the tracuu-searchd on this socket (default: $TRACUU_SOCKET, else ./tracuu.sock)",
     "PATH"},
    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &opt_db,
     "Search this index directly, without a daemon", "DIR"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json, "Print the protocol's JSON answer", NULL},
    {"color", 0, 0, G_OPTION_ARG_FILENAME, &opt_color,
     "Highlight matches: auto (on a terminal), always or never", "WHEN"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const GOptionEntry search_options[] = {
    {"limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit, "Show at most N hits (default 10)", "N"},
    {"offset", 0, 0, G_OPTION_ARG_INT, &opt_offset, "Skip the first N hits", "N"},
    {"sort", 0, 0, G_OPTION_ARG_FILENAME, &opt_sort, "relevance (default), date or -date", "S"},
    {"filters", 'f', 0, G_OPTION_ARG_FILENAME, &opt_filters,
     "Filters as a JSON object, as in the protocol", "JSON"},
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

/* Sends @line to the daemon on @path and returns its answer line (g_free), or NULL. */
static char *
ask_daemon(const char *path, const char *line, gsize len, GError **error)
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
    if (!send_all(fd, line, len)) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot send to %s: %s",
                    path, g_strerror(e));
        close(fd);
        return NULL;
    }
    GString *in = g_string_new(NULL);
    char buf[65536];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, n < 0 ? g_file_error_from_errno(e) : G_FILE_ERROR_IO,
                        "%s: %s", path,
                        n < 0 ? g_strerror(e) : "the daemon closed the connection early");
            g_string_free(in, TRUE);
            close(fd);
            return NULL;
        }
        g_string_append_len(in, buf, n);
        char *nl = memchr(in->str + in->len - n, '\n', (gsize)n);
        if (nl) {
            g_string_truncate(in, (gsize)(nl - in->str));
            break;
        }
        if (in->len > MAX_ANSWER) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "answer too long");
            g_string_free(in, TRUE);
            close(fd);
            return NULL;
        }
    }
    close(fd);
    return g_string_free(in, FALSE);
}

/* Answers @request (consumed) through the daemon or the index: returns the answer object, which
 * may be an error answer ("ok": false), or NULL with @error when there is no answer at all. */
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
    g_autofree char *answer = ask_daemon(path, line, len, error);
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
    return json_to_string(n, FALSE);
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
        if (use_color)
            g_string_append(out, RESET);
        g_string_append(out, "\n");
    }
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

/* Query words may start with '-' ("-công" excludes a word), which GOption would read as a
 * cluster of short options. Such words get a \x01 in front while options are parsed, so that
 * they are left in place as arguments, and lose it afterwards. Only the exact short options
 * and long ones stay options; the value after an option that takes one is left alone. */
static void
protect_query_words(int argc, char **argv)
{
    static const char *const with_value[] = {"-s", "--socket", "-d", "--db", "--color", "-n",
                                             "--limit", "--offset", "--sort", "-f", "--filters",
                                             NULL};
    static const char *const flags[] = {"-j", "-h", "-?", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            return;
        if (g_strv_contains(with_value, a)) {
            i++;
            continue;
        }
        if (a[0] != '-' || a[1] == '\0' || a[1] == '-' || g_strv_contains(flags, a))
            continue;
        if (a[1] && a[2] == '\0' && strchr("sdnf", a[1]))
            continue;
        argv[i] = g_strconcat("\x01", a, NULL); /* lives as long as the process */
    }
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

/*
 * Options may come before the command ("tracuu --db DIR search ...", as git and notmuch allow):
 * moves the command word to argv[1], keeping everything else in order. The command is the first
 * word that is neither an option nor the value of one.
 */
static void
command_first(int argc, char **argv)
{
    static const char *const with_value[] = {"-s",    "--socket", "-d",       "--db",
                                             "-n",    "--limit",  "--offset", "--sort",
                                             "-f",    "--filters", "--color", NULL};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return;
        if (argv[i][0] == '-') {
            if (g_strv_contains(with_value, argv[i]))
                i++;
            continue;
        }
        char *cmd = argv[i];
        memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof *argv);
        argv[1] = cmd;
        return;
    }
}

int
main(int argc, char **argv)
{
    static const char *const commands =
        "Commands:\n"
        "  search QUERY...   search; prints number, type, date, title and snippet of each hit\n"
        "  get ID            prints a document's fields, then its text\n"
        "  stats             prints what the index holds\n"
        "  ping              checks that the daemon answers\n"
        "\n"
        "Exit status: 0 when the request was answered (even with no hits), 1 on an error,\n"
        "2 on a usage error. Put query words that start with '-' after \"--\".";
    command_first(argc, argv);
    const char *cmd = argc > 1 ? argv[1] : NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx = NULL;

    if (cmd && (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))) {
        printf("tracuu %s\n", TRACUU_VERSION);
        return EXIT_OK;
    }
    gboolean known = cmd && (!strcmp(cmd, "search") || !strcmp(cmd, "get") ||
                             !strcmp(cmd, "stats") || !strcmp(cmd, "ping"));
    g_autofree char *param = g_strdup_printf(
        "%s", !known ? "COMMAND [OPTION...]"
              : !strcmp(cmd, "search") ? "search [OPTION...] QUERY..."
              : !strcmp(cmd, "get")    ? "get [OPTION...] ID"
                                       : cmd);
    g_set_prgname("tracuu");
    ctx = g_option_context_new(param);
    g_option_context_set_summary(ctx, "Searches a tracuu archive of official documents.");
    g_option_context_set_description(ctx, commands);
    g_option_context_add_main_entries(ctx, common_options, NULL);
    if (known && !strcmp(cmd, "search"))
        g_option_context_add_main_entries(ctx, search_options, NULL);
    if (!known) {
        if (cmd && (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))) {
            g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
            fputs(help, stdout);
            return EXIT_OK;
        }
        return usage(ctx, cmd ? "unknown command" : "a command is needed");
    }
    /* The command word is not an option: parse what follows it. */
    argv[1] = argv[0];
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;
    protect_query_words(sub_argc, sub_argv);
    /* A query word may start with '-' (exclusion): unknown short options are left in place
     * as words, while an unknown long option is still a usage error (likely a typo). */
    g_option_context_set_ignore_unknown_options(ctx, TRUE);
    if (!g_option_context_parse(ctx, &sub_argc, &sub_argv, &error))
        return usage(ctx, error->message);
    gboolean ended = FALSE;
    int kept = 1;
    for (int i = 1; i < sub_argc; i++) {
        if (!ended && !strcmp(sub_argv[i], "--")) {
            ended = TRUE;
            continue;
        }
        if (!ended && g_str_has_prefix(sub_argv[i], "--")) {
            g_autofree char *msg = g_strdup_printf("unknown option %s", sub_argv[i]);
            return usage(ctx, msg);
        }
        if (sub_argv[i][0] == '\x01')
            sub_argv[i]++;
        sub_argv[kept++] = sub_argv[i];
    }
    sub_argc = kept;
    sub_argv[kept] = NULL;

    if (opt_socket && opt_db)
        return usage(ctx, "--socket and --db are exclusive");
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
        if (sub_argc < 2) {
            json_object_unref(req);
            return usage(ctx, "search needs a query");
        }
        g_autofree char *q = g_strjoinv(" ", sub_argv + 1);
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
    } else if (!strcmp(cmd, "get")) {
        if (sub_argc != 2) {
            json_object_unref(req);
            return usage(ctx, "get needs one document id");
        }
        json_object_set_string_member(req, "doc", sub_argv[1]);
    } else if (sub_argc != 1) {
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
    return status;
}
