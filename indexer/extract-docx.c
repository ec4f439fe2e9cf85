/* extract-docx.c - text and core properties out of DOCX files: libgsf's zip and libxml2. */
#include "extract-formats.h"
#include "extract-office.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

/*
 * Limits on what is inflated. A DOCX is a zip of a few dozen entries; a hostile one may inflate
 * a few kilobytes into gigabytes, which extract-gsf.c refuses before inflating anything.
 */
#define ZIP_MAX_XML ((gsize)128 * 1024 * 1024) /* inflated word/document.xml */

gboolean
tracuu_extract_is_docx(const char *data, gsize len)
{
    return tracuu_zip_has_entry(data, len, "word/document.xml");
}

/* The WordprocessingML namespace: only its elements carry document text. */
#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define MC_NS "http://schemas.openxmlformats.org/markup-compatibility/2006"

static gboolean
is_w(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
           strcmp((const char *)node->ns->href, W_NS) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/* Appends the text under @node: w:t runs, w:tab as tab, w:br/w:cr as newline, w:p as a line. */
static void
docx_collect(xmlNode *node, GString *out, guint depth)
{
    for (; node != NULL; node = node->next) {
        if (node->type != XML_ELEMENT_NODE)
            continue;
        if (is_w(node, "t")) {
            for (xmlNode *c = node->children; c != NULL; c = c->next) {
                if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                    c->content != NULL)
                    g_string_append(out, (const char *)c->content);
            }
        } else if (is_w(node, "tab")) {
            g_string_append_c(out, '\t');
        } else if (is_w(node, "br") || is_w(node, "cr")) {
            g_string_append_c(out, '\n');
        } else if (is_w(node, "noBreakHyphen")) {
            /* "số 12/2020/NĐ-CP" keeps its hyphen when Word was told not to break there. */
            g_string_append_c(out, '-');
        } else if (is_w(node, "delText") || is_w(node, "instrText")) {
            /* Deleted revisions and field codes are not what the reader sees. */
        } else if (node->ns != NULL && strcmp((const char *)node->name, "Fallback") == 0 &&
                   strcmp((const char *)node->ns->href, MC_NS) == 0) {
            /* A text box is written twice, as a drawing (mc:Choice) and as VML for old Word
             * (mc:Fallback); reading both would double its words. */
        } else {
            if (depth < 256)
                docx_collect(node->children, out, depth + 1);
            if (is_w(node, "p") || is_w(node, "tc"))
                g_string_append_c(out, is_w(node, "p") ? '\n' : '\t');
        }
    }
}

static const char *const note_parts[] = {"word/footnotes.xml", "word/endnotes.xml"};

tracuu_extracted *
tracuu_extract_docx(const char *data, gsize len, GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    g_autoptr(GString) text = NULL;
    g_autoptr(GsfInfile) zip = NULL;
    gsize xml_len;
    xmlDoc *body;

    zip = tracuu_zip_open(data, len, error);
    if (zip == NULL)
        return NULL;
    xml = tracuu_zip_read(zip, len, "word/document.xml", ZIP_MAX_XML, &xml_len, error);
    if (xml == NULL)
        return NULL;
    body = tracuu_xml_parse(xml, xml_len, "document.xml");
    if (body == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "DOCX: word/document.xml is not well-formed XML");
        return NULL;
    }
    text = g_string_new(NULL);
    docx_collect(xmlDocGetRootElement(body), text, 0);
    xmlFreeDoc(body);
    g_clear_pointer(&xml, g_free);
    /* Footnotes and endnotes of legal texts carry citations worth finding; optional parts. */
    for (gsize i = 0; i < G_N_ELEMENTS(note_parts); i++) {
        GError *local = NULL;
        xmlDoc *notes;
        xml = tracuu_zip_read(zip, len, note_parts[i], ZIP_MAX_XML, &xml_len, &local);
        if (xml == NULL) {
            g_clear_error(&local);
            continue;
        }
        notes = tracuu_xml_parse(xml, xml_len, note_parts[i]);
        if (notes != NULL) {
            docx_collect(xmlDocGetRootElement(notes), text, 0);
            xmlFreeDoc(notes);
        }
        g_clear_pointer(&xml, g_free);
    }
    if (text->len > TRACUU_EXTRACT_MAX_TEXT) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "DOCX text of %" G_GSIZE_FORMAT " bytes is over the limit", text->len);
        return NULL;
    }

    doc = tracuu_extracted_new("docx",
                               "application/vnd.openxmlformats-officedocument.wordprocessingml."
                               "document");
    tracuu_ooxml_core(doc, zip, len);
    g_free(doc->text);
    doc->text = g_utf8_make_valid(text->str, (gssize)text->len);
    return g_steal_pointer(&doc);
}
