/* legal-articles-eval.c - articles found by the structure parser against the vbpl texts. */
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tracuu-legal-structure.h"

/*
 * For each document of ../shared/data/vbpl/docs.jsonl (or the file given), the reference is
 * every line of its text that starts "Điều N." or "Điều Na." (or is "Điều N" alone, as a Nghị quyết
 * writes) outside a quoted provision (a line opening with a quote, up to the line that closes it,
 * belongs to the document being amended); the parser's articles are compared with it by number and
 * line start. Prints the totals as recall and precision, and each document that differs with
 * --verbose.
 *
 *   legal-articles-eval [--verbose] [--dump ID] [DOCS.jsonl]
 *
 * --dump ID prints the structure found in document ID, one unit a line, and nothing else.
 *
 * The reference is deliberately simpler than the parser (no heading continuation, no
 * reference-in-a-sentence test), so the two are independent where it matters: a heading the
 * parser misses or a reference it takes for a heading both show.
 */

/* The byte offsets of the reference headings of @text. */
static GArray *
reference_headings(const char *text)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(gsize));
    g_autoptr(GRegex) re = g_regex_new("^[ \\t]*(Điều|ĐIỀU)[ \\t]*[0-9]{1,4}[a-zđ]?([.:]|[ \\t]*$)",
                                       G_REGEX_MULTILINE, 0, NULL);
    g_autoptr(GRegex) opens = g_regex_new("^[ \\t]*[\"“]", 0, 0, NULL);
    gboolean in_quote = FALSE;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        gsize n = nl ? (gsize)(nl - p) : strlen(p);
        g_autofree char *l = g_strndup(p, n);
        if (in_quote) {
            if (strstr(l, "”") || strchr(l, '"'))
                in_quote = FALSE;
        } else if (g_regex_match(opens, l, 0, NULL)) {
            int open = 0;
            for (const char *q = l; *q; q++) {
                if (strncmp(q, "“", 3) == 0)
                    open++;
                else if (strncmp(q, "”", 3) == 0 && open > 0)
                    open--;
            }
            const char *first = strchr(l, '"');
            if (open > 0 || (first && !strchr(first + 1, '"')))
                in_quote = TRUE;
        } else if (g_regex_match(re, l, 0, NULL)) {
            gsize at = (gsize)(p - text) + strspn(l, " \t");
            g_array_append_val(out, at);
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return out;
}

static void
print_structure(const char *text)
{
    static const char *const names[] = {"part", "chapter", "section", "article", "clause", "point"};
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(text, -1);
    for (gsize u = 0; u < s->n_units; u++) {
        const tracuu_legal_unit *x = &s->units[u];
        int depth = 0;
        for (int p = x->parent; p >= 0; p = s->units[p].parent)
            depth++;
        printf("%*s%s %s [%zu,%zu) %s\n", depth * 2, "", names[x->level], x->number, x->start,
               x->end, x->title ? x->title : "");
    }
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    gboolean verbose = FALSE;
    const char *dump = NULL;
    const char *docs = "../shared/data/vbpl/docs.jsonl";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0)
            verbose = TRUE;
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump = argv[++i];
        else
            docs = argv[i];
    }
    g_autofree char *contents = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(docs, &contents, NULL, &error)) {
        fprintf(stderr, "legal-articles-eval: %s\n", error->message);
        return 1;
    }
    g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
    guint n_docs = 0, n_ref = 0, n_found = 0, n_match = 0, docs_exact = 0;
    for (int i = 0; lines[i]; i++) {
        if (!*lines[i])
            continue;
        g_autoptr(JsonParser) jp = json_parser_new();
        if (!json_parser_load_from_data(jp, lines[i], -1, NULL))
            continue;
        JsonObject *o = json_node_get_object(json_parser_get_root(jp));
        const char *text = json_object_get_string_member_with_default(o, "text", NULL);
        const char *id = json_object_get_string_member_with_default(o, "id", "?");
        if (!text)
            continue;
        if (dump) {
            if (strcmp(id, dump) == 0)
                print_structure(text);
            continue;
        }
        n_docs++;
        g_autoptr(GArray) ref = reference_headings(text);
        g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(text, -1);
        guint found = 0, match = 0;
        for (gsize u = 0; u < s->n_units; u++) {
            if (s->units[u].level != TRACUU_LEGAL_ARTICLE)
                continue;
            found++;
            gboolean hit = FALSE;
            for (guint r = 0; r < ref->len; r++)
                if (g_array_index(ref, gsize, r) == s->units[u].start)
                    hit = TRUE;
            if (hit)
                match++;
            else if (verbose)
                printf("%s: extra article %s at %zu: %.60s\n", id, s->units[u].number,
                       s->units[u].start, text + s->units[u].start);
        }
        if (verbose && match < ref->len)
            for (guint r = 0; r < ref->len; r++) {
                gsize at = g_array_index(ref, gsize, r);
                gboolean hit = FALSE;
                for (gsize u = 0; u < s->n_units; u++)
                    if (s->units[u].level == TRACUU_LEGAL_ARTICLE && s->units[u].start == at)
                        hit = TRUE;
                if (!hit)
                    printf("%s: missed at %zu: %.60s\n", id, at, text + at);
            }
        n_ref += ref->len;
        n_found += found;
        n_match += match;
        if (match == ref->len && found == ref->len)
            docs_exact++;
    }
    if (dump)
        return 0;
    printf("documents: %u (all articles exactly right: %u)\n", n_docs, docs_exact);
    printf("articles in the text: %u, found: %u, right: %u\n", n_ref, n_found, n_match);
    printf("recall: %.2f%%\n", n_ref ? 100.0 * n_match / n_ref : 100.0);
    printf("precision: %.2f%%\n", n_found ? 100.0 * n_match / n_found : 100.0);
    return 0;
}
