/* extract-odf.c - text out of OpenDocument text (ODT) and spreadsheets (ODS): libgsf, libxml2. */
#include "extract-formats.h"
#include "extract-office.h"

#include <string.h>

/*
 * ODT and ODS are the formats Vietnamese state bodies must be able to read and write (Thông tư
 * 39/2017/TT-BTTTT). Both are a zip whose content.xml holds the body: paragraphs and headings
 * (text:p, text:h) for a text, tables of rows and cells for a spreadsheet, and tables in texts
 * too. The text is read in document order, a paragraph per line, the cells of a row separated
 * by tabs so that the words of adjacent cells never run together, a row per line.
 */

#define ODF_MAX_XML ((gsize)128 * 1024 * 1024) /* inflated content.xml */

#define TEXT_NS "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define TABLE_NS "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define OFFICE_NS "urn:oasis:names:tc:opendocument:xmlns:office:1.0"

/* Longest run of spaces one text:s may ask for: a hostile c="2000000000" is not honoured. */
#define ODF_MAX_SPACES 64

static gboolean
is_el(const xmlNode *node, const char *ns, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
           strcmp((const char *)node->ns->href, ns) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/* Drops the spaces and tabs at the end of @out, down to @floor bytes. */
static void
trim_end(GString *out, gsize floor)
{
    while (out->len > floor && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
        g_string_truncate(out, out->len - 1);
}

/*
 * Appends the text under @node to @out. @in_cell: inside a table cell, where a paragraph ends
 * with a space rather than a line, so that the row stays on one line. The bodies of footnotes
 * go to @notes, to follow the main text as in DOCX, rather than into the middle of a sentence.
 */
static void
odf_collect(xmlNode *node, GString *out, GString *notes, gboolean in_cell, guint depth)
{
    for (; node != NULL && out->len <= TRACUU_EXTRACT_MAX_TEXT; node = node->next) {
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            if (node->content != NULL)
                g_string_append(out, (const char *)node->content);
            continue;
        }
        if (node->type != XML_ELEMENT_NODE || depth >= 256)
            continue;
        if (is_el(node, TEXT_NS, "s")) {
            xmlChar *c = xmlGetNsProp(node, (const xmlChar *)"c", (const xmlChar *)TEXT_NS);
            guint64 n = c != NULL ? g_ascii_strtoull((const char *)c, NULL, 10) : 1;
            xmlFree(c);
            for (guint64 i = 0; i < MAX(n, 1) && i < ODF_MAX_SPACES; i++)
                g_string_append_c(out, ' ');
        } else if (is_el(node, TEXT_NS, "tab")) {
            g_string_append_c(out, '\t');
        } else if (is_el(node, TEXT_NS, "line-break")) {
            g_string_append_c(out, in_cell ? ' ' : '\n');
        } else if (is_el(node, TEXT_NS, "note-citation") ||
                   is_el(node, TEXT_NS, "tracked-changes") ||
                   is_el(node, OFFICE_NS, "annotation") || is_el(node, TEXT_NS, "sequence-decls") ||
                   is_el(node, TABLE_NS, "covered-table-cell")) {
            /* A footnote's number, deleted revisions, comments: not what the reader reads. */
        } else if (is_el(node, TEXT_NS, "note-body")) {
            odf_collect(node->children, notes, notes, FALSE, depth + 1);
        } else if (is_el(node, TABLE_NS, "table-row")) {
            gsize start = out->len;
            odf_collect(node->children, out, notes, FALSE, depth + 1);
            trim_end(out, start);
            if (out->len > start)
                g_string_append_c(out, '\n');
        } else if (is_el(node, TABLE_NS, "table-cell")) {
            /* Repeated empty cells (number-columns-repeated) are written once: tabs at the end
             * of the row are trimmed, so a sheet's thousands of empty columns cost nothing. */
            gsize start = out->len;
            odf_collect(node->children, out, notes, TRUE, depth + 1);
            trim_end(out, start);
            g_string_append_c(out, '\t');
        } else if (is_el(node, TEXT_NS, "p") || is_el(node, TEXT_NS, "h")) {
            odf_collect(node->children, out, notes, in_cell, depth + 1);
            g_string_append_c(out, in_cell ? ' ' : '\n');
        } else {
            odf_collect(node->children, out, notes, in_cell, depth + 1);
        }
    }
}

/* An ODF document of @kind whose zip names itself @mime. */
static tracuu_extracted *
extract_odf(const char *data, gsize len, const char *kind, const char *mime, GError **error)
{
    g_autoptr(GsfInfile) zip = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    g_autoptr(GString) text = NULL;
    g_autoptr(GString) notes = NULL;
    g_autofree char *xml = NULL;
    gsize xml_len;
    xmlDoc *content;
    xmlNode *root, *body = NULL;

    zip = tracuu_zip_open(data, len, error);
    if (zip == NULL)
        return NULL;
    xml = tracuu_zip_read(zip, len, "content.xml", ODF_MAX_XML, &xml_len, error);
    if (xml == NULL)
        return NULL;
    content = tracuu_xml_parse(xml, xml_len, "content.xml");
    if (content == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "%s: content.xml is not well-formed XML", kind);
        return NULL;
    }
    /* office:document-content / office:body: styles and font declarations are not text. */
    root = xmlDocGetRootElement(content);
    for (xmlNode *n = root ? root->children : NULL; n != NULL && body == NULL; n = n->next) {
        if (is_el(n, OFFICE_NS, "body"))
            body = n;
    }
    text = g_string_new(NULL);
    notes = g_string_new(NULL);
    if (body != NULL)
        odf_collect(body->children, text, notes, FALSE, 0);
    g_string_append_len(text, notes->str, (gssize)notes->len);
    xmlFreeDoc(content);
    if (text->len > TRACUU_EXTRACT_MAX_TEXT) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "%s text of over %" G_GSIZE_FORMAT " bytes is over the limit", kind,
                    TRACUU_EXTRACT_MAX_TEXT);
        return NULL;
    }
    doc = tracuu_extracted_new(kind, mime);
    tracuu_odf_meta(doc, zip, len);
    g_free(doc->text);
    doc->text = g_utf8_make_valid(text->str, (gssize)text->len);
    return g_steal_pointer(&doc);
}

tracuu_extracted *
tracuu_extract_odt(const char *data, gsize len, GError **error)
{
    return extract_odf(data, len, "odt", "application/vnd.oasis.opendocument.text", error);
}

tracuu_extracted *
tracuu_extract_ods(const char *data, gsize len, GError **error)
{
    return extract_odf(data, len, "ods", "application/vnd.oasis.opendocument.spreadsheet", error);
}
