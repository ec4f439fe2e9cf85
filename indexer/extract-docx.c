/* extract-docx.c - text and core properties out of DOCX files: a small zip reader and libxml2. */
#include "extract-formats.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <zlib.h>

/*
 * Zip limits. A DOCX is a zip of a few dozen entries; a hostile one may claim millions of
 * entries or inflate a few kilobytes into gigabytes, so the reader trusts no size it reads.
 */
#define ZIP_MAX_ENTRIES 65536
#define ZIP_MAX_XML ((gsize)128 * 1024 * 1024) /* inflated word/document.xml */
#define ZIP_MAX_CORE ((gsize)1024 * 1024)      /* inflated docProps/core.xml */
#define ZIP_MAX_RATIO 1000                     /* inflated bytes per compressed byte */

#define ZIP_EOCD_SIG 0x06054b50u
#define ZIP_CDIR_SIG 0x02014b50u
#define ZIP_LOCAL_SIG 0x04034b50u

static guint16
rd16(const guchar *p)
{
    return (guint16)(p[0] | (p[1] << 8));
}

static guint32
rd32(const guchar *p)
{
    return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

/* One central directory entry, its fields checked against the archive's bounds. */
typedef struct {
    guint16 method;
    guint32 csize;
    guint32 usize;
    guint32 local_offset;
} zip_entry;

/*
 * Finds the end of central directory record: the last 22 bytes unless a comment (up to 64 KiB)
 * follows it, so the search goes backwards over at most 65557 bytes.
 */
static gboolean
zip_find_cdir(const guchar *d, gsize len, gsize *cdir_off, gsize *cdir_size, guint *n_entries)
{
    gsize min_start;

    if (len < 22)
        return FALSE;
    min_start = len > 22 + 65535 ? len - 22 - 65535 : 0;
    for (gsize i = len - 22 + 1; i-- > min_start;) {
        if (rd32(d + i) != ZIP_EOCD_SIG)
            continue;
        *n_entries = rd16(d + i + 10);
        *cdir_size = rd32(d + i + 12);
        *cdir_off = rd32(d + i + 16);
        if (*cdir_off > i || *cdir_size > i - *cdir_off)
            continue; /* the signature inside a comment or data, or a lie */
        return TRUE;
    }
    return FALSE;
}

/* Looks up @name in the central directory. Returns FALSE when absent or out of bounds. */
static gboolean
zip_lookup(const guchar *d, gsize len, const char *name, zip_entry *out)
{
    gsize cdir_off, cdir_size, pos, end, name_len = strlen(name);
    guint n;

    if (!zip_find_cdir(d, len, &cdir_off, &cdir_size, &n))
        return FALSE;
    pos = cdir_off;
    end = cdir_off + cdir_size;
    for (guint i = 0; i < n && i < ZIP_MAX_ENTRIES; i++) {
        gsize fn_len, extra_len, comment_len;
        if (end - pos < 46 || rd32(d + pos) != ZIP_CDIR_SIG)
            return FALSE;
        fn_len = rd16(d + pos + 28);
        extra_len = rd16(d + pos + 30);
        comment_len = rd16(d + pos + 32);
        if (end - pos - 46 < fn_len + extra_len + comment_len)
            return FALSE;
        if (fn_len == name_len && memcmp(d + pos + 46, name, name_len) == 0) {
            out->method = rd16(d + pos + 10);
            out->csize = rd32(d + pos + 20);
            out->usize = rd32(d + pos + 24);
            out->local_offset = rd32(d + pos + 42);
            return TRUE;
        }
        pos += 46 + fn_len + extra_len + comment_len;
    }
    return FALSE;
}

gboolean
tracuu_extract_is_docx(const char *data, gsize len)
{
    zip_entry e;
    if (len < 4 || memcmp(data, "PK\x03\x04", 4) != 0)
        return FALSE;
    return zip_lookup((const guchar *)data, len, "word/document.xml", &e);
}

char *
tracuu_zip_read_entry(const char *data, gsize len, const char *entry, gsize max_size,
                      gsize *out_len, GError **error)
{
    const guchar *d = (const guchar *)data;
    zip_entry e;
    gsize data_off, limit;
    g_autofree char *out = NULL;
    z_stream zs;
    int zr;

    *out_len = 0;
    if (!zip_lookup(d, len, entry, &e)) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "zip archive has no readable entry %s", entry);
        return NULL;
    }
    if (e.local_offset > len || len - e.local_offset < 30 ||
        rd32(d + e.local_offset) != ZIP_LOCAL_SIG) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "zip entry %s: bad local header", entry);
        return NULL;
    }
    /* The local header's own name and extra lengths say where the data starts. */
    data_off =
        (gsize)e.local_offset + 30 + rd16(d + e.local_offset + 26) + rd16(d + e.local_offset + 28);
    if (data_off > len || len - data_off < e.csize) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "zip entry %s: data runs past the end of the archive", entry);
        return NULL;
    }
    if (e.usize > max_size) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                    "zip entry %s: %u bytes is over the limit of %" G_GSIZE_FORMAT, entry, e.usize,
                    max_size);
        return NULL;
    }

    if (e.method == 0) { /* stored */
        if (e.csize != e.usize) {
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                        "zip entry %s: stored sizes differ", entry);
            return NULL;
        }
        out = g_malloc((gsize)e.usize + 1);
        memcpy(out, d + data_off, e.usize);
        out[e.usize] = '\0';
        *out_len = e.usize;
        return g_steal_pointer(&out);
    }
    if (e.method != 8) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "zip entry %s: compression method %u", entry, e.method);
        return NULL;
    }

    /*
     * The declared size is only a hint: inflate into a buffer of that size and refuse anything
     * more, so a lying header cannot make us allocate or inflate past the limits.
     */
    limit = MIN(max_size, (gsize)e.csize * ZIP_MAX_RATIO + 4096);
    limit = MIN(limit, (gsize)e.usize);
    out = g_malloc(limit + 1);
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "zip entry %s: cannot start inflate", entry);
        return NULL;
    }
    zs.next_in = (Bytef *)(d + data_off);
    zs.avail_in = e.csize;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)limit;
    zr = inflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    inflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        gboolean full = zs.avail_out == 0 && (zr == Z_BUF_ERROR || zr == Z_OK);
        *out_len = 0;
        if (full && limit < (gsize)e.usize) {
            /* Stopped by our ratio limit: a zip bomb, or at least not a document. */
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                        "zip entry %s: inflates over %" G_GSIZE_FORMAT " bytes from %u", entry,
                        limit, e.csize);
        } else {
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                        "zip entry %s: %s", entry,
                        full ? "more data than its header declares"
                             : (zs.msg ? zs.msg : "compressed data cut short"));
        }
        return NULL;
    }
    out[*out_len] = '\0';
    return g_steal_pointer(&out);
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

/* Parses XML without network access or entity expansion (billion laughs, XXE). */
static xmlDoc *
parse_xml(const char *xml, gsize len, const char *name)
{
    if (len > G_MAXINT)
        return NULL;
    return xmlReadMemory(xml, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                             XML_PARSE_COMPACT);
}

/* The text content of the first child element of @root called @name in namespace @ns. */
static char *
child_text(xmlNode *root, const char *ns, const char *name)
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
static void
docx_core(tracuu_extracted *doc, const char *data, gsize len)
{
    g_autofree char *xml = NULL;
    g_autofree char *created = NULL;
    g_autofree char *title = NULL;
    GError *local = NULL;
    gsize xml_len;
    xmlDoc *core;

    xml = tracuu_zip_read_entry(data, len, "docProps/core.xml", ZIP_MAX_CORE, &xml_len, &local);
    if (xml == NULL) {
        g_clear_error(&local); /* core properties are optional */
        return;
    }
    core = parse_xml(xml, xml_len, "core.xml");
    if (core == NULL) {
        tracuu_extracted_warn(doc, "docProps/core.xml: not well-formed XML");
        return;
    }
    title = child_text(xmlDocGetRootElement(core), "http://purl.org/dc/elements/1.1/", "title");
    doc->title = tracuu_extract_clean_title(title);
    created = child_text(xmlDocGetRootElement(core), "http://purl.org/dc/terms/", "created");
    /* W3CDTF: keep the date part when it has the shape YYYY-MM-DD. */
    if (created != NULL && strlen(created) >= 10 && g_ascii_isdigit(created[0]) &&
        created[4] == '-' && created[7] == '-')
        doc->created = g_strndup(created, 10);
    xmlFreeDoc(core);
}

static const char *const note_parts[] = {"word/footnotes.xml", "word/endnotes.xml"};

tracuu_extracted *
tracuu_extract_docx(const char *data, gsize len, GError **error)
{
    g_autofree char *xml = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    g_autoptr(GString) text = NULL;
    gsize xml_len;
    xmlDoc *body;

    xml = tracuu_zip_read_entry(data, len, "word/document.xml", ZIP_MAX_XML, &xml_len, error);
    if (xml == NULL)
        return NULL;
    body = parse_xml(xml, xml_len, "document.xml");
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
        xml = tracuu_zip_read_entry(data, len, note_parts[i], ZIP_MAX_XML, &xml_len, &local);
        if (xml == NULL) {
            g_clear_error(&local);
            continue;
        }
        notes = parse_xml(xml, xml_len, note_parts[i]);
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
    docx_core(doc, data, len);
    g_free(doc->text);
    doc->text = g_utf8_make_valid(text->str, (gssize)text->len);
    return g_steal_pointer(&doc);
}
