/* extract-office.h - what the zip-based office extractors (DOCX, XLSX, ODT, ODS) share. */
#pragma once

#include "extract-gsf.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

/*
 * Parses @len bytes of XML named @name (for messages) without network access or entity
 * expansion (billion laughs, XXE). NULL when not well-formed. Caller frees with xmlFreeDoc().
 */
xmlDoc *tracuu_xml_parse(const char *xml, gsize len, const char *name);

/*
 * The trimmed text content of the first child element of @parent (may be NULL) called @name in
 * namespace @ns, or NULL when absent or blank. Caller g_free()s.
 */
char *tracuu_xml_child_text(xmlNode *parent, const char *ns, const char *name);

/*
 * Sets @doc's title and created date from docProps/core.xml (OOXML) or meta.xml (ODF) of @zip
 * (an archive of @len bytes) when present; both are optional, a broken one is only a warning.
 */
void tracuu_ooxml_core(tracuu_extracted *doc, GsfInfile *zip, gsize len);
void tracuu_odf_meta(tracuu_extracted *doc, GsfInfile *zip, gsize len);

/* TRUE when the zip archive at @data names itself @mime in its "mimetype" entry (ODF). */
gboolean tracuu_odf_has_mimetype(const char *data, gsize len, const char *mime);

G_END_DECLS
