/* extract-html.c - visible text and title out of HTML pages with libxml2's HTML parser. */
#include "extract-formats.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>

/* Elements whose content is never shown as text. */
static const char *const skipped[] = {"script", "style", "noscript", "template", "head", "svg"};

/* Elements that start a new line: without them, words of adjacent blocks would run together. */
static const char *const blocks[] = {
    "p",       "div",     "br",     "li",      "ul",     "ol",         "tr",   "table",
    "h1",      "h2",      "h3",     "h4",      "h5",     "h6",         "pre",  "blockquote",
    "section", "article", "header", "footer",  "nav",    "aside",      "dd",   "dt",
    "dl",      "hr",      "form",   "address", "figure", "figcaption", "main", "caption",
    "thead",   "tbody",   "tfoot",  "title",
};

static gboolean
name_in(const xmlChar *name, const char *const *list, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        if (g_ascii_strcasecmp((const char *)name, list[i]) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Appends a newline unless the text already ends a line. */
static void
end_line(GString *out)
{
    if (out->len > 0 && out->str[out->len - 1] != '\n')
        g_string_append_c(out, '\n');
}

/*
 * Appends the text of @node to @out, collapsing runs of white space as a browser does.
 * Recursive, with a depth limit of its own: libxml2 already bounds nesting (256 by default),
 * but the walk should not depend on a parser option to stay within the stack.
 */
static void
collect(xmlNode *node, GString *out, guint depth)
{
    for (; node != NULL; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            const char *s = (const char *)node->content;
            gboolean space = out->len == 0 || g_ascii_isspace(out->str[out->len - 1]);
            for (; s != NULL && *s != '\0'; s++) {
                if (g_ascii_isspace(*s)) {
                    if (!space)
                        g_string_append_c(out, ' ');
                    space = TRUE;
                } else {
                    g_string_append_c(out, *s);
                    space = FALSE;
                }
            }
        } else if (node->type == XML_ELEMENT_NODE) {
            gboolean block;
            if (name_in(node->name, skipped, G_N_ELEMENTS(skipped)))
                continue;
            block = name_in(node->name, blocks, G_N_ELEMENTS(blocks));
            if (block)
                end_line(out);
            if (g_ascii_strcasecmp((const char *)node->name, "td") == 0 ||
                g_ascii_strcasecmp((const char *)node->name, "th") == 0)
                g_string_append_c(out, '\t');
            if (depth < 512)
                collect(node->children, out, depth + 1);
            if (block)
                end_line(out);
        }
    }
}

/* Finds the first element called @name under @node, depth first. */
static xmlNode *
find_element(xmlNode *node, const char *name, guint depth)
{
    for (; node != NULL && depth < 512; node = node->next) {
        xmlNode *found;
        if (node->type == XML_ELEMENT_NODE &&
            g_ascii_strcasecmp((const char *)node->name, name) == 0)
            return node;
        found = find_element(node->children, name, depth + 1);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/*
 * The charset a page declares in its first 4 KiB (<meta charset=...> or the http-equiv form),
 * or NULL. libxml2 honours these itself for the encodings iconv knows, but pages in legacy
 * Vietnamese fonts declare nothing and need tracuu_text_decode(), so the decision is ours.
 */
static char *
declared_charset(const char *data, gsize len)
{
    g_autofree char *head = g_ascii_strdown(data, (gssize)MIN(len, (gsize)4096));
    const char *p = strstr(head, "charset");
    const char *end;

    if (p == NULL)
        return NULL;
    p += strlen("charset");
    while (*p == ' ' || *p == '=' || *p == '"' || *p == '\'')
        p++;
    end = p;
    while (g_ascii_isalnum(*end) || *end == '-' || *end == '_' || *end == ':' || *end == '.')
        end++;
    return end > p ? g_strndup(p, (gsize)(end - p)) : NULL;
}

/* TRUE for the Western single-byte charsets that legacy Vietnamese pages declared. */
static gboolean
is_western(const char *charset)
{
    static const char *const names[] = {"iso-8859-1",   "iso8859-1", "latin1",   "latin-1",
                                        "windows-1252", "cp1252",    "us-ascii", "ascii"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_ascii_strcasecmp(charset, names[i]) == 0)
            return TRUE;
    }
    return FALSE;
}

tracuu_extracted *
tracuu_extract_html(const char *data, gsize len, GError **error)
{
    if (data == NULL) { /* an empty part has no data pointer */
        data = "";
        len = 0;
    }
    g_autofree char *charset = declared_charset(data, len);
    g_autofree char *utf8 = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    GString *out;
    htmlDocPtr html;
    xmlNode *root, *title;
    const char *detected = NULL;

    if (len > G_MAXINT) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "HTML of %" G_GSIZE_FORMAT " bytes is too large", len);
        return NULL;
    }
    /*
     * Everything is handed to libxml2 as UTF-8: converted with iconv from the declared charset
     * when it names one iconv knows, else detected (UTF-8, windows-1258, TCVN3, VNI, VISCII).
     */
    if (charset != NULL && is_western(charset)) {
        /*
         * Pages typed in the legacy Vietnamese fonts (.VnTime, VNI-Times) declare a Western
         * charset, as the bytes are shown through the font. Detection decides; when it finds
         * nothing Vietnamese the declared charset is used as it stands.
         */
        const char *found = NULL;
        char *guess = tracuu_text_decode(data, len, &found);
        if (found != NULL && strcmp(found, "windows-1258") != 0)
            utf8 = guess;
        else
            g_free(guess);
    }
    if (utf8 == NULL && charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
        g_ascii_strcasecmp(charset, "utf8") != 0) {
        utf8 = g_convert_with_fallback(data, (gssize)len, "UTF-8", charset, "?", NULL, NULL, NULL);
        if (utf8 != NULL) {
            /* windows-1258 writes tones as combining marks; the index wants them composed. */
            char *nfc = tracuu_text_nfc(utf8, -1);
            g_free(utf8);
            utf8 = nfc;
        }
    }
    if (utf8 == NULL)
        utf8 = tracuu_text_decode(data, len, &detected);

    html = htmlReadMemory(utf8, (int)strlen(utf8), NULL, "UTF-8",
                          HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                              HTML_PARSE_NOBLANKS);
    if (html == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "HTML cannot be parsed");
        return NULL;
    }
    doc = tracuu_extracted_new("html", "text/html");
    root = xmlDocGetRootElement(html);
    title = find_element(root, "title", 0);
    if (title != NULL) {
        g_autoptr(GString) t = g_string_new(NULL);
        collect(title->children, t, 0);
        doc->title = tracuu_extract_clean_title(t->str);
    }
    out = g_string_new(NULL);
    collect(root, out, 0);
    xmlFreeDoc(html);
    g_free(doc->text);
    doc->text = g_utf8_make_valid(out->str, (gssize)out->len);
    g_string_free(out, TRUE);
    return g_steal_pointer(&doc);
}
