/* extract-office.c - what the zip-based office formats share: safe XML, titles and dates. */
#include "extract-office.h"

#include <string.h>

#define ZIP_MAX_META ((gsize)1024 * 1024) /* inflated docProps/core.xml or meta.xml */

/* Parses XML without network access or entity expansion (billion laughs, XXE). */
xmlDoc *
tracuu_xml_parse(const char *xml, gsize len, const char *name)
{
    if (len > G_MAXINT)
        return NULL;
    return xmlReadMemory(xml, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                             XML_PARSE_COMPACT);
}

/* The text content of the first child element of @root called @name in namespace @ns. */
char *
tracuu_xml_child_text(xmlNode *root, const char *ns, const char *name)
{
    for (xmlNode *n = root ? root->children : NULL; n != NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
            strcmp((const char *)n->ns->href, ns) == 0 &&
            strcmp((const char *)n->name, name) == 0) {
            xmlChar *c = xmlNodeGetContent(n);
            char *s = c ? g_strstrip(g_strdup((const char *)c)) : NULL;
            xmlFree(c);
            if (s != NULL && *s == '\0')
                g_clear_pointer(&s, g_free);
            return s;
        }
    }
    return NULL;
}

/* Title and creation date from docProps/core.xml; a missing or broken one is only a warning. */
void
tracuu_ooxml_core(tracuu_extracted *doc, GsfInfile *zip, gsize len)
{
    g_autofree char *xml = NULL;
    g_autofree char *created = NULL;
    g_autofree char *title = NULL;
    GError *local = NULL;
    gsize xml_len;
    xmlDoc *core;

    xml = tracuu_zip_read(zip, len, "docProps/core.xml", ZIP_MAX_META, &xml_len, &local);
    if (xml == NULL) {
        g_clear_error(&local); /* core properties are optional */
        return;
    }
    core = tracuu_xml_parse(xml, xml_len, "core.xml");
    if (core == NULL) {
        tracuu_extracted_warn(doc, "docProps/core.xml: not well-formed XML");
        return;
    }
    title = tracuu_xml_child_text(xmlDocGetRootElement(core), "http://purl.org/dc/elements/1.1/",
                                  "title");
    doc->title = tracuu_extract_clean_title(title);
    created =
        tracuu_xml_child_text(xmlDocGetRootElement(core), "http://purl.org/dc/terms/", "created");
    /* W3CDTF: keep the date part when it has the shape YYYY-MM-DD. */
    if (created != NULL && strlen(created) >= 10 && g_ascii_isdigit(created[0]) &&
        created[4] == '-' && created[7] == '-')
        doc->created = g_strndup(created, 10);
    xmlFreeDoc(core);
}

#define ODF_OFFICE_NS "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define ODF_META_NS "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"

void
tracuu_odf_meta(tracuu_extracted *doc, GsfInfile *zip, gsize len)
{
    g_autofree char *xml = NULL;
    g_autofree char *title = NULL;
    g_autofree char *created = NULL;
    GError *local = NULL;
    gsize xml_len;
    xmlDoc *meta;
    xmlNode *root, *m = NULL;

    xml = tracuu_zip_read(zip, len, "meta.xml", ZIP_MAX_META, &xml_len, &local);
    if (xml == NULL) {
        g_clear_error(&local); /* meta.xml is optional */
        return;
    }
    meta = tracuu_xml_parse(xml, xml_len, "meta.xml");
    if (meta == NULL) {
        tracuu_extracted_warn(doc, "meta.xml: not well-formed XML");
        return;
    }
    /* office:document-meta / office:meta / dc:title, meta:creation-date */
    root = xmlDocGetRootElement(meta);
    for (xmlNode *n = root ? root->children : NULL; n != NULL && m == NULL; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
            strcmp((const char *)n->ns->href, ODF_OFFICE_NS) == 0 &&
            strcmp((const char *)n->name, "meta") == 0)
            m = n;
    }
    title = tracuu_xml_child_text(m, "http://purl.org/dc/elements/1.1/", "title");
    doc->title = tracuu_extract_clean_title(title);
    created = tracuu_xml_child_text(m, ODF_META_NS, "creation-date");
    if (created != NULL && strlen(created) >= 10 && g_ascii_isdigit(created[0]) &&
        created[4] == '-' && created[7] == '-')
        doc->created = g_strndup(created, 10);
    xmlFreeDoc(meta);
}

gboolean
tracuu_odf_has_mimetype(const char *data, gsize len, const char *mime)
{
    g_autoptr(GsfInfile) zip = NULL;
    g_autofree char *got = NULL;
    gsize got_len = 0;

    if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0)
        return FALSE;
    zip = tracuu_zip_open(data, len, NULL);
    if (zip != NULL)
        got = tracuu_zip_read(zip, len, "mimetype", 256, &got_len, NULL);
    return got != NULL && strcmp(g_strstrip(got), mime) == 0;
}
