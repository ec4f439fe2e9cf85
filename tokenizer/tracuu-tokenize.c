/* tracuu-tokenize.c - the tokenizer as a program: UTF-8 text in, one JSON object per token out. */
#include "tracuu-cli.h"
#include "tracuu-config.h"
#include "tracuu-tokenizer.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
put_json_string(GString *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    g_string_append_c(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)c);
        } else if (c < 0x20) {
            g_string_append(out, "\\u00");
            g_string_append_c(out, hex[c >> 4]);
            g_string_append_c(out, hex[c & 15]);
        } else {
            g_string_append_c(out, (char)c); /* terms are valid UTF-8 */
        }
    }
    g_string_append_c(out, '"');
}

typedef struct {
    GString *line;
    guint64 count;
    gboolean write_error;
} output;

static gboolean
print_token(const tracuu_token *t, gpointer user_data)
{
    output *o = user_data;
    GString *l = o->line;
    g_string_truncate(l, 0);
    g_string_append(l, "{\"term\":");
    put_json_string(l, t->term, t->term_len);
    g_string_append(l, ",\"folded\":");
    put_json_string(l, t->folded, t->folded_len);
    g_string_append_printf(l, ",\"kind\":\"%s\",\"pos\":%u,\"start\":%zu,\"end\":%zu",
                           tracuu_token_kind_name(t->kind), t->pos, t->start, t->end);
    if (t->flags & TRACUU_TOKEN_PART)
        g_string_append(l, ",\"part\":true");
    g_string_append(l, "}\n");
    if (fwrite(l->str, 1, l->len, stdout) != l->len) {
        o->write_error = TRUE;
        return FALSE;
    }
    o->count++;
    return TRUE;
}

static gboolean
count_token(const tracuu_token *t, gpointer user_data)
{
    output *o = user_data;
    o->count++;
    return TRUE;
}

/* Reads all of standard input; returns it (caller frees) or NULL with errno set. */
static char *
read_all(int fd, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = g_malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = g_realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            g_free(buf);
            errno = e;
            return NULL;
        }
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

int
main(int argc, char **argv)
{
    tracuu_cli_init_locale(); /* for --help and messages only: the input is UTF-8 anyway */
    gboolean count_only = FALSE, version = FALSE;
    gint first_pos = 0;
    GOptionEntry entries[] = {
        {"count", 'c', 0, G_OPTION_ARG_NONE, &count_only,
         "Print only the number of tokens (document-number, e-mail and URL pieces included)", NULL},
        {"first-pos", 'p', 0, G_OPTION_ARG_INT, &first_pos, "Position of the first token (0)", "N"},
        {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("< TEXT");
    g_option_context_set_summary(
        ctx,
        "Reads UTF-8 text on standard input and writes the tokens tracuu indexes and searches,\n"
        "one JSON object per line, for example, for \"Theo 34/2008/CT-TTg\":\n"
        "  "
        "{\"term\":\"theo\",\"folded\":\"theo\",\"kind\":\"word\",\"pos\":0,\"start\":0,\"end\":4}"
        "\n"
        "  "
        "{\"term\":\"34/2008/ct-ttg\",\"folded\":\"34/2008/ct-ttg\",\"kind\":\"docnum\",\"pos\":1,"
        "\"start\":5,\"end\":19}\n"
        "  {\"term\":\"34\",\"folded\":\"34\",\"kind\":\"number\",\"pos\":1,\"start\":5,\"end\":7,"
        "\"part\":true}\n"
        "  ...\n"
        "term: normalised (NFC, one tone-mark placement, case-folded);\n"
        "folded: the term without diacritics, with d for d-stroke;\n"
        "kind: word, number, docnum, email or url; pos: position (the pieces of a document\n"
        "number, e-mail or URL follow it at its position, with \"part\":true);\n"
        "start, end: byte offsets into the input.\n"
        "Invalid UTF-8 is replaced, never an error.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    const GOptionEntry *const tables[] = {entries, NULL};
    tracuu_cli_split_short_options(&argc, &argv, tables);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "tracuu-tokenize: %s (try --help)\n", error->message);
        return 2;
    }
    if (version) {
        printf("tracuu-tokenize %s (tokenizer version %d)\n", TRACUU_VERSION,
               TRACUU_TOKENIZER_VERSION);
        return 0;
    }
    if (argc > 1 || first_pos < 0) {
        fprintf(stderr, "tracuu-tokenize: reads standard input only (try --help)\n");
        return 2;
    }

    size_t len = 0;
    char *text = read_all(STDIN_FILENO, &len);
    if (!text) {
        fprintf(stderr, "tracuu-tokenize: cannot read standard input: %s\n", g_strerror(errno));
        return 1;
    }
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    if (!tk) {
        fprintf(stderr, "tracuu-tokenize: %s\n", error->message);
        g_free(text);
        return 1;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    output o = {g_string_sized_new(256), 0, FALSE};
    tracuu_tokenizer_run(tk, text, len, (uint32_t)first_pos, count_only ? count_token : print_token,
                         &o);
    if (count_only)
        printf("%" G_GUINT64_FORMAT "\n", o.count);
    int status = 0;
    if (o.write_error || fflush(stdout) != 0) {
        fprintf(stderr, "tracuu-tokenize: cannot write: %s\n", g_strerror(errno));
        status = 1;
    }
    g_string_free(o.line, TRUE);
    tracuu_tokenizer_free(tk);
    g_free(text);
    return status;
}
