/* extract-xlsx.c - text out of Excel 2007+ workbooks (XLSX): libgsf's zip and libxml2. */
#include "extract-formats.h"
#include "extract-office.h"

#include <string.h>

/*
 * A workbook is a zip: xl/workbook.xml lists the sheets in order, xl/_rels/workbook.xml.rels
 * says which part holds each, xl/sharedStrings.xml holds the strings cells refer to by number.
 * Each sheet gives its rows in order, a row per line, its cells separated by tabs so that the
 * words of adjacent cells never run together. Numbers are kept as written (a document number
 * in a cell is worth finding); formulas give their cached value.
 */

#define XLSX_MAX_XML ((gsize)128 * 1024 * 1024) /* an inflated sheet or string table */
#define XLSX_MAX_SHEETS 1024
#define XLSX_MAX_STRINGS (16u * 1024 * 1024)

#define MAIN_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG_REL_NS "http://schemas.openxmlformats.org/package/2006/relationships"

static gboolean
is_el(const xmlNode *node, const char *ns, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns != NULL &&
           strcmp((const char *)node->ns->href, ns) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/* The first child element of @node called @name in the main namespace, or NULL. */
static xmlNode *
child(xmlNode *node, const char *name)
{
    for (xmlNode *n = node ? node->children : NULL; n != NULL; n = n->next) {
        if (is_el(n, MAIN_NS, name))
            return n;
    }
    return NULL;
}

/* Appends the text of the t elements under @node (a string item: plain, or rich text runs),
 * leaving out phonetic guides (rPh), which repeat the text in another script. */
static void
append_t(xmlNode *node, GString *out, guint depth)
{
    for (xmlNode *n = node ? node->children : NULL; n != NULL && depth < 64; n = n->next) {
        if (is_el(n, MAIN_NS, "t")) {
            xmlChar *c = xmlNodeGetContent(n);
            if (c != NULL)
                g_string_append(out, (const char *)c);
            xmlFree(c);
        } else if (n->type == XML_ELEMENT_NODE && !is_el(n, MAIN_NS, "rPh")) {
            append_t(n, out, depth + 1);
        }
    }
}

/* The shared strings, in order; an absent table is an empty one. */
static GPtrArray *
read_strings(GsfInfile *zip, gsize len, tracuu_extracted *doc)
{
    GPtrArray *strings = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *xml = NULL;
    GError *local = NULL;
    gsize xml_len;
    xmlDoc *sst;

    xml = tracuu_zip_read(zip, len, "xl/sharedStrings.xml", XLSX_MAX_XML, &xml_len, &local);
    if (xml == NULL) {
        if (!g_error_matches(local, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED))
            tracuu_extracted_warn(doc, "xl/sharedStrings.xml: %s", local->message);
        g_clear_error(&local);
        return strings;
    }
    sst = tracuu_xml_parse(xml, xml_len, "sharedStrings.xml");
    if (sst == NULL) {
        tracuu_extracted_warn(doc, "xl/sharedStrings.xml: not well-formed XML");
        return strings;
    }
    for (xmlNode *si = xmlDocGetRootElement(sst)->children;
         si != NULL && strings->len < XLSX_MAX_STRINGS; si = si->next) {
        if (is_el(si, MAIN_NS, "si")) {
            GString *s = g_string_new(NULL);
            append_t(si, s, 0);
            g_ptr_array_add(strings, g_string_free(s, FALSE));
        }
    }
    xmlFreeDoc(sst);
    return strings;
}

/* The text of one cell: a shared string, an inline string, or its value as written. */
static void
append_cell(xmlNode *c, GPtrArray *strings, GString *out)
{
    xmlChar *type = xmlGetProp(c, (const xmlChar *)"t");
    xmlNode *v = child(c, "v");

    if (type != NULL && strcmp((const char *)type, "inlineStr") == 0) {
        append_t(child(c, "is"), out, 0);
    } else if (v != NULL) {
        xmlChar *value = xmlNodeGetContent(v);
        if (type != NULL && strcmp((const char *)type, "s") == 0) {
            guint64 i = value ? g_ascii_strtoull((const char *)value, NULL, 10) : G_MAXUINT64;
            if (i < strings->len)
                g_string_append(out, g_ptr_array_index(strings, i));
        } else if (value != NULL) {
            g_string_append(out, (const char *)value);
        }
        xmlFree(value);
    }
    xmlFree(type);
}

/* Appends the rows of the sheet part @part, a row per line, cells separated by tabs. */
static void
append_sheet(GsfInfile *zip, gsize len, const char *part, GPtrArray *strings, GString *out,
             tracuu_extracted *doc)
{
    g_autofree char *xml = NULL;
    GError *local = NULL;
    gsize xml_len;
    xmlDoc *sheet;
    xmlNode *data;

    xml = tracuu_zip_read(zip, len, part, XLSX_MAX_XML, &xml_len, &local);
    if (xml == NULL) {
        tracuu_extracted_warn(doc, "%s: %s", part, local->message);
        g_clear_error(&local);
        return;
    }
    sheet = tracuu_xml_parse(xml, xml_len, part);
    if (sheet == NULL) {
        tracuu_extracted_warn(doc, "%s: not well-formed XML", part);
        return;
    }
    data = child(xmlDocGetRootElement(sheet), "sheetData");
    for (xmlNode *row = data ? data->children : NULL;
         row != NULL && out->len <= TRACUU_EXTRACT_MAX_TEXT; row = row->next) {
        gsize start = out->len;
        if (!is_el(row, MAIN_NS, "row"))
            continue;
        for (xmlNode *c = row->children; c != NULL; c = c->next) {
            if (!is_el(c, MAIN_NS, "c"))
                continue;
            if (out->len > start)
                g_string_append_c(out, '\t');
            append_cell(c, strings, out);
        }
        while (out->len > start && out->str[out->len - 1] == '\t')
            g_string_truncate(out, out->len - 1);
        if (out->len > start)
            g_string_append_c(out, '\n');
    }
    xmlFreeDoc(sheet);
}

/*
 * The parts of the sheets in workbook order ("xl/worksheets/sheet1.xml"), through the
 * relationships of the workbook. NULL with @error when the workbook is unreadable.
 */
static GPtrArray *
sheet_parts(GsfInfile *zip, gsize len, GError **error)
{
    g_autofree char *wb_xml = NULL;
    g_autofree char *rels_xml = NULL;
    g_autoptr(GHashTable) targets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GPtrArray *parts;
    gsize n;
    xmlDoc *wb, *rels;
    xmlNode *sheets;

    wb_xml = tracuu_zip_read(zip, len, "xl/workbook.xml", XLSX_MAX_XML, &n, error);
    if (wb_xml == NULL)
        return NULL;
    wb = tracuu_xml_parse(wb_xml, n, "workbook.xml");
    if (wb == NULL) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "XLSX: xl/workbook.xml is not well-formed XML");
        return NULL;
    }
    rels_xml = tracuu_zip_read(zip, len, "xl/_rels/workbook.xml.rels", XLSX_MAX_XML, &n, NULL);
    rels = rels_xml != NULL ? tracuu_xml_parse(rels_xml, n, "workbook.xml.rels") : NULL;
    for (xmlNode *r = rels ? xmlDocGetRootElement(rels)->children : NULL; r != NULL; r = r->next) {
        if (!is_el(r, PKG_REL_NS, "Relationship"))
            continue;
        xmlChar *id = xmlGetProp(r, (const xmlChar *)"Id");
        xmlChar *target = xmlGetProp(r, (const xmlChar *)"Target");
        if (id != NULL && target != NULL)
            g_hash_table_replace(targets, g_strdup((const char *)id),
                                 g_strdup((const char *)target));
        xmlFree(id);
        xmlFree(target);
    }
    if (rels != NULL)
        xmlFreeDoc(rels);

    parts = g_ptr_array_new_with_free_func(g_free);
    sheets = child(xmlDocGetRootElement(wb), "sheets");
    for (xmlNode *s = sheets ? sheets->children : NULL; s != NULL && parts->len < XLSX_MAX_SHEETS;
         s = s->next) {
        if (!is_el(s, MAIN_NS, "sheet"))
            continue;
        xmlChar *id = xmlGetNsProp(s, (const xmlChar *)"id", (const xmlChar *)REL_NS);
        const char *target = id != NULL ? g_hash_table_lookup(targets, (const char *)id) : NULL;
        xmlFree(id);
        if (target == NULL || strstr(target, "..") != NULL)
            continue;
        /* Targets are relative to xl/, or absolute in the package. */
        g_ptr_array_add(parts,
                        target[0] == '/' ? g_strdup(target + 1) : g_strconcat("xl/", target, NULL));
    }
    xmlFreeDoc(wb);
    return parts;
}

tracuu_extracted *
tracuu_extract_xlsx(const char *data, gsize len, GError **error)
{
    g_autoptr(GsfInfile) zip = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    g_autoptr(GPtrArray) parts = NULL;
    g_autoptr(GPtrArray) strings = NULL;
    g_autoptr(GString) text = NULL;

    zip = tracuu_zip_open(data, len, error);
    if (zip == NULL)
        return NULL;
    parts = sheet_parts(zip, len, error);
    if (parts == NULL)
        return NULL;
    doc = tracuu_extracted_new("xlsx",
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    strings = read_strings(zip, len, doc);
    text = g_string_new(NULL);
    for (guint i = 0; i < parts->len; i++)
        append_sheet(zip, len, g_ptr_array_index(parts, i), strings, text, doc);
    if (text->len > TRACUU_EXTRACT_MAX_TEXT) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "XLSX text of over %" G_GSIZE_FORMAT " bytes is over the limit",
                    TRACUU_EXTRACT_MAX_TEXT);
        return NULL;
    }
    tracuu_ooxml_core(doc, zip, len);
    g_free(doc->text);
    doc->text = g_utf8_make_valid(text->str, (gssize)text->len);
    return g_steal_pointer(&doc);
}
