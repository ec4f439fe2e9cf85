/* extract-doc.c - text out of Word 97-2003 .doc files: libgsf's compound file, piece table. */
#include "extract-formats.h"
#include "extract-gsf.h"

#include <gsf/gsf-doc-meta-data.h>
#include <gsf/gsf-meta-names.h>
#include <gsf/gsf-timestamp.h>
#include <string.h>

/*
 * Many official documents from before 2010 are .doc files. Their text is reachable without a
 * full Word parser: the compound file (read by libgsf) holds a WordDocument stream whose header
 * (the FIB)
 * points into a table stream at the piece table, which says where each run of characters lies
 * and whether it is stored in 8 bits (windows-1252) or UTF-16. Every offset and length read
 * from the file is checked against what is really there.
 */

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

/* State of the text filter: Word's control characters and fields. */
typedef struct {
    GString *out;
    guint field_depth;  /* inside how many fields */
    guint64 field_code; /* bit i: field at depth i is still in its code part */
} doc_text;

/*
 * Appends one character of the main text. Field codes (between 0x13 and 0x14) are
 * instructions such as HYPERLINK "..." and are dropped; field results are kept.
 */
static void
doc_put(doc_text *t, gunichar c)
{
    switch (c) {
    case 0x13: /* field begin */
        if (t->field_depth < 63)
            t->field_code |= (guint64)1 << t->field_depth;
        t->field_depth++;
        return;
    case 0x14: /* field separator: the result follows */
        if (t->field_depth > 0 && t->field_depth <= 63)
            t->field_code &= ~((guint64)1 << (t->field_depth - 1));
        return;
    case 0x15: /* field end */
        if (t->field_depth > 0) {
            t->field_depth--;
            if (t->field_depth < 63)
                t->field_code &= ~((guint64)1 << t->field_depth);
        }
        return;
    default:
        break;
    }
    if (t->field_code != 0)
        return;
    switch (c) {
    case 0x0D:
    case 0x0B:
    case 0x0C:
    case 0x0E:
        g_string_append_c(t->out, '\n');
        break;
    case 0x07: /* end of a table cell or row */
    case 0x09:
        g_string_append_c(t->out, '\t');
        break;
    case 0x1E: /* non-breaking hyphen */
        g_string_append_c(t->out, '-');
        break;
    case 0xA0:
        g_string_append_c(t->out, ' ');
        break;
    default:
        /* Pictures (0x01), footnote marks (0x02), drawn objects (0x08), soft hyphens. */
        if (c < 0x20 || c == 0x1F || c == 0xAD || (c >= 0xD800 && c <= 0xDFFF))
            break;
        g_string_append_unichar(t->out, c);
        break;
    }
}

/* The string value of property @name in @meta, or NULL. Borrowed from @meta. */
static const char *
meta_string(GsfDocMetaData *meta, const char *name)
{
    GsfDocProp *prop = gsf_doc_meta_data_lookup(meta, name);
    const GValue *v = prop != NULL ? gsf_doc_prop_get_val(prop) : NULL;
    return v != NULL && G_VALUE_HOLDS_STRING(v) ? g_value_get_string(v) : NULL;
}

/*
 * Title and creation date from the summary information property set, read by libgsf, which
 * converts the title from the set's code page. Optional: a missing or malformed one leaves them
 * NULL.
 */
static void
doc_summary(tracuu_extracted *doc, GsfInfile *ole)
{
    g_autoptr(GsfDocMetaData) meta = tracuu_ole_read_summary(ole);
    GsfDocProp *prop;
    const GValue *v;
    const char *title;

    if (meta == NULL)
        return;
    prop = gsf_doc_meta_data_lookup(meta, GSF_META_NAME_DATE_CREATED);
    v = prop != NULL ? gsf_doc_prop_get_val(prop) : NULL;
    if (v != NULL && G_VALUE_HOLDS(v, GSF_TIMESTAMP_TYPE)) {
        const GsfTimestamp *ts = g_value_get_boxed(v);
        GDateTime *dt =
            ts != NULL && ts->timet > 0 ? g_date_time_new_from_unix_utc(ts->timet) : NULL;
        if (dt != NULL) {
            if (g_date_time_get_year(dt) >= 1980)
                doc->created = g_date_time_format(dt, "%Y-%m-%d");
            g_date_time_unref(dt);
        }
    }
    title = meta_string(meta, GSF_META_NAME_TITLE);
    if (title != NULL && *title != '\0') {
        g_autofree char *bytes = NULL;
        g_autofree char *utf8 = NULL;
        gsize n = 0;
        prop = gsf_doc_meta_data_lookup(meta, GSF_META_NAME_CODEPAGE);
        v = prop != NULL ? gsf_doc_prop_get_val(prop) : NULL;
        /*
         * Titles typed in legacy Vietnamese fonts are the font's bytes under a Western code
         * page: back to those bytes, and through the legacy decoder.
         */
        if (v != NULL && G_VALUE_HOLDS_INT(v) &&
            (g_value_get_int(v) == 1252 || g_value_get_int(v) == 1258)) {
            bytes =
                g_convert(title, -1, g_value_get_int(v) == 1252 ? "WINDOWS-1252" : "WINDOWS-1258",
                          "UTF-8", NULL, &n, NULL);
        }
        utf8 = bytes != NULL ? tracuu_text_decode(bytes, n, NULL) : g_strdup(title);
        doc->title = tracuu_extract_clean_title(utf8);
    }
}

tracuu_extracted *
tracuu_extract_doc(const char *data, gsize len, GError **error)
{
    g_autofree guchar *word = NULL;
    g_autofree guchar *table = NULL;
    g_autoptr(GsfInfile) ole = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    gsize word_len = 0, table_len = 0, pos, n_pieces;
    guint16 flags, csw, cslw, cb_fclcb;
    guint32 fc_clx, lcb_clx, plc_len;
    const guchar *plc;
    doc_text t = {0};
    gsize bad_pieces = 0;
    guint64 keep[4][2], cp_end = 0;
    guint n_keep = 0;
    const char *legacy;

    ole = tracuu_ole_open(data, len, error);
    if (ole == NULL)
        return NULL;
    word = tracuu_ole_read(ole, "WordDocument", TRACUU_EXTRACT_MAX_FILE, &word_len);
    if (word == NULL || word_len < 0x22) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "Word document: no readable WordDocument stream");
        return NULL;
    }
    if (rd16(word) != 0xA5EC) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "Word document: bad FIB signature");
        return NULL;
    }
    if (rd16(word + 2) < 101) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "Word 6/95 document (FIB version %u)", rd16(word + 2));
        return NULL;
    }
    flags = rd16(word + 0x0A);
    if (flags & 0x0100) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_ENCRYPTED,
                    "encrypted Word document: a password is needed to read it");
        return NULL;
    }
    table = tracuu_ole_read(ole, (flags & 0x0200) ? "1Table" : "0Table", TRACUU_EXTRACT_MAX_FILE,
                            &table_len);
    if (table == NULL)
        goto damaged;

    /* The FIB: a fixed base, then counted arrays of 16-bit, 32-bit and (fc, lcb) pairs. */
    pos = 32;
    if (word_len < pos + 2)
        goto damaged;
    csw = rd16(word + pos);
    pos += 2 + (gsize)csw * 2;
    if (word_len < pos + 2)
        goto damaged;
    cslw = rd16(word + pos);
    if (cslw < 4 || word_len < pos + 2 + (gsize)cslw * 4)
        goto damaged;
    /*
     * The stories follow each other in character positions: main text, footnotes, headers,
     * (macros), comments, endnotes, text boxes, header text boxes. Kept: the main text,
     * footnotes, endnotes and text boxes (where many letters put their address block).
     */
    {
        guint64 at = 0;
        guint32 ccp[8];
        for (guint i = 0; i < 8; i++)
            ccp[i] = cslw > 3 + i ? rd32(word + pos + 2 + (3 + i) * 4) : 0;
        for (guint i = 0; i < 8; i++) {
            if (i == 0 || i == 1 || i == 5 || i == 6) {
                keep[n_keep][0] = at;
                keep[n_keep][1] = at + ccp[i];
                n_keep++;
            }
            at += ccp[i];
        }
        cp_end = at;
    }
    pos += 2 + (gsize)cslw * 4;
    if (word_len < pos + 2)
        goto damaged;
    cb_fclcb = rd16(word + pos);
    if (cb_fclcb < 34 || word_len < pos + 2 + (gsize)cb_fclcb * 8)
        goto damaged;
    fc_clx = rd32(word + pos + 2 + 33 * 8);
    lcb_clx = rd32(word + pos + 2 + 33 * 8 + 4);
    if (fc_clx > table_len || lcb_clx > table_len - fc_clx)
        goto damaged;

    /* The Clx: property runs (0x01) to skip, then the piece table (0x02). */
    pos = fc_clx;
    while (pos < (gsize)fc_clx + lcb_clx && table[pos] == 0x01) {
        if (pos + 3 > table_len)
            goto damaged;
        pos += 3 + rd16(table + pos + 1);
    }
    if (pos + 5 > table_len || table[pos] != 0x02)
        goto damaged;
    plc_len = rd32(table + pos + 1);
    plc = table + pos + 5;
    if (plc_len > table_len - pos - 5 || plc_len < 4 + 8)
        goto damaged;
    n_pieces = (plc_len - 4) / 12;

    t.out = g_string_new(NULL);
    for (gsize i = 0; i < n_pieces; i++) {
        guint32 cp0 = rd32(plc + 4 * i), cp1 = rd32(plc + 4 * (i + 1));
        const guchar *pcd = plc + 4 * (n_pieces + 1) + 8 * i;
        guint32 fc = rd32(pcd + 2);
        gboolean compressed = (fc & 0x40000000u) != 0;
        gsize n, start;

        if (cp0 >= cp_end)
            break;
        if (cp1 < cp0)
            continue;
        n = (gsize)(MIN((guint64)cp1, cp_end) - cp0);
        fc &= 0x3FFFFFFFu;
        start = compressed ? fc / 2 : fc;
        if (start > word_len || (compressed ? n : n * 2) > word_len - start) {
            bad_pieces++;
            continue;
        }
        for (gsize k = 0; k < n; k++) {
            guint64 cp = (guint64)cp0 + k;
            gboolean wanted = FALSE;
            gunichar ch;
            for (guint r = 0; r < n_keep && !wanted; r++) {
                wanted = cp >= keep[r][0] && cp < keep[r][1];
                /* A new story starts on a new line. */
                if (wanted && cp == keep[r][0] && cp > 0 && t.out->len > 0 &&
                    t.out->str[t.out->len - 1] != '\n')
                    g_string_append_c(t.out, '\n');
            }
            if (!wanted)
                continue;
            if (compressed) {
                /* windows-1252; a byte it leaves undefined stays itself, so that text in a
                 * legacy font (TCVN5712-1 has capitals there) still converts below. */
                guchar b = word[start + k];
                ch = tracuu_text_cp1252_char(b);
                if (ch == 0)
                    ch = b;
            } else {
                ch = rd16(word + start + 2 * k);
            }
            doc_put(&t, ch);
            /* Hostile piece tables may name the same bytes again and again: stop in time. */
            if ((k & 0xFFF) == 0 && t.out->len > TRACUU_EXTRACT_MAX_TEXT)
                break;
        }
        if (t.out->len > TRACUU_EXTRACT_MAX_TEXT) {
            g_string_free(t.out, TRUE);
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_TOO_LARGE,
                        "Word document text is over the limit");
            return NULL;
        }
    }

    doc = tracuu_extracted_new("doc", "application/msword");
    doc_summary(doc, ole);
    if (bad_pieces > 0)
        tracuu_extracted_warn(doc, "%" G_GSIZE_FORMAT " pieces of text lie outside the file",
                              bad_pieces);
    g_free(doc->text);
    doc->text = g_string_free(t.out, FALSE);
    /* Text typed in the legacy Vietnamese fonts is stored as the Latin-1 the font draws. */
    legacy = tracuu_text_legacy_font(doc->text, -1);
    if (legacy != NULL) {
        char *converted = tracuu_text_from_legacy_font(doc->text, -1, legacy);
        g_free(doc->text);
        doc->text = converted;
    }
    return g_steal_pointer(&doc);

damaged:
    g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                "Word document: damaged FIB or piece table");
    return NULL;
}
