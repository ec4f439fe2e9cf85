/* extract-doc.c - text out of Word 97-2003 .doc files: compound file reader, piece table. */
#include "extract-formats.h"

#include <string.h>

/*
 * Many official documents from before 2010 are .doc files. Their text is reachable without a
 * full Word parser: the compound file (CFB) holds a WordDocument stream whose header (the FIB)
 * points into a table stream at the piece table, which says where each run of characters lies
 * and whether it is stored in 8 bits (windows-1252) or UTF-16. Every offset and length read
 * from the file is checked against what is really there.
 */

#define CFB_MAX_SECTORS (1u << 22) /* 2 GB of 512-byte sectors: beyond any file we accept */
#define CFB_END 0xFFFFFFFEu
#define CFB_FREE 0xFFFFFFFFu

typedef struct {
    const guchar *d;
    gsize len;
    guint shift;      /* sector size = 1 << shift */
    guint mini_shift; /* mini sector size */
    guint32 cutoff;   /* streams smaller than this live in the mini stream */
    guint32 *fat;
    gsize n_fat;
    guint32 *minifat;
    gsize n_minifat;
    guchar *ministream; /* the root entry's stream */
    gsize ministream_len;
    guchar *dir;
    gsize dir_len;
} cfb;

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

static void
cfb_clear(cfb *c)
{
    g_free(c->fat);
    g_free(c->minifat);
    g_free(c->ministream);
    g_free(c->dir);
}

/* The bytes of sector @s, or NULL when it lies outside the file. */
static const guchar *
cfb_sector(const cfb *c, guint32 s)
{
    gsize size = (gsize)1 << c->shift;
    gsize off = ((gsize)s + 1) << c->shift;
    if (s >= CFB_MAX_SECTORS || off > c->len || c->len - off < size)
        return NULL;
    return c->d + off;
}

/*
 * Follows a chain in @fat from @start and copies up to @want bytes of @unit-sized pieces read
 * by @get. A chain longer than the table (a cycle) or leaving the file is an error.
 */
static guchar *
chain_read(const cfb *c, const guint32 *fat, gsize n_fat, guint32 start, gsize want, gboolean mini,
           gsize *out_len)
{
    gsize unit = (gsize)1 << (mini ? c->mini_shift : c->shift);
    GByteArray *out = g_byte_array_new();
    guint32 s = start;
    gsize steps = 0;

    while (s != CFB_END && out->len < want) {
        const guchar *src;
        gsize n = MIN(unit, want - out->len);
        if (s >= n_fat || ++steps > n_fat)
            goto fail;
        if (mini) {
            gsize off = (gsize)s << c->mini_shift;
            if (off > c->ministream_len || c->ministream_len - off < n)
                goto fail;
            src = c->ministream + off;
        } else {
            src = cfb_sector(c, s);
            if (src == NULL)
                goto fail;
        }
        g_byte_array_append(out, src, (guint)n);
        s = fat[s];
    }
    if (want != G_MAXSIZE && out->len < want)
        goto fail;
    *out_len = out->len;
    return g_byte_array_free(out, FALSE);
fail:
    g_byte_array_free(out, TRUE);
    return NULL;
}

/* Reads the header, the FAT (through the DIFAT), the directory and the mini stream. */
static gboolean
cfb_open(cfb *c, const char *data, gsize len, GError **error)
{
    static const guchar magic[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    const guchar *h = (const guchar *)data;
    guint32 n_fat_sectors, dir_start, minifat_start, n_minifat_sectors, difat_start;
    gsize per_sector, filled = 0, n_file_sectors;
    guint32 *fat_sectors;
    gsize n_fat_list = 0;
    guint32 s;
    gsize steps = 0;
    guchar *raw;
    gsize raw_len;

    memset(c, 0, sizeof *c);
    c->d = h;
    c->len = len;
    if (len < 512 || memcmp(h, magic, 8) != 0) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "not a compound document");
        return FALSE;
    }
    c->shift = rd16(h + 0x1E);
    c->mini_shift = rd16(h + 0x20);
    if ((c->shift != 9 && c->shift != 12) || c->mini_shift != 6) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "compound document: bad sector sizes");
        return FALSE;
    }
    n_fat_sectors = rd32(h + 0x2C);
    dir_start = rd32(h + 0x30);
    c->cutoff = rd32(h + 0x38);
    minifat_start = rd32(h + 0x3C);
    n_minifat_sectors = rd32(h + 0x40);
    difat_start = rd32(h + 0x44);
    per_sector = ((gsize)1 << c->shift) / 4;
    n_file_sectors = len >> c->shift;
    if (n_fat_sectors > n_file_sectors || n_minifat_sectors > n_file_sectors) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "compound document: more table sectors than the file holds");
        return FALSE;
    }

    /* The sectors of the FAT: 109 in the header, the rest in the DIFAT chain. */
    fat_sectors = g_new(guint32, n_fat_sectors + 1);
    for (gsize i = 0; i < 109 && n_fat_list < n_fat_sectors; i++)
        fat_sectors[n_fat_list++] = rd32(h + 0x4C + 4 * i);
    s = difat_start;
    while (n_fat_list < n_fat_sectors && s != CFB_END && s != CFB_FREE) {
        const guchar *sec = cfb_sector(c, s);
        if (sec == NULL || ++steps > n_file_sectors)
            break;
        for (gsize i = 0; i + 1 < per_sector && n_fat_list < n_fat_sectors; i++)
            fat_sectors[n_fat_list++] = rd32(sec + 4 * i);
        s = rd32(sec + 4 * (per_sector - 1));
    }
    c->n_fat = n_fat_list * per_sector;
    c->fat = g_new(guint32, MAX(c->n_fat, (gsize)1));
    for (gsize i = 0; i < n_fat_list; i++) {
        const guchar *sec = cfb_sector(c, fat_sectors[i]);
        if (sec == NULL) {
            g_free(fat_sectors);
            g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                        "compound document: FAT sector outside the file");
            return FALSE;
        }
        for (gsize k = 0; k < per_sector; k++)
            c->fat[filled++] = rd32(sec + 4 * k);
    }
    g_free(fat_sectors);

    c->dir = chain_read(c, c->fat, c->n_fat, dir_start, G_MAXSIZE, FALSE, &c->dir_len);
    if (c->dir == NULL || c->dir_len < 128) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "compound document: unreadable directory");
        return FALSE;
    }
    if (n_minifat_sectors > 0) {
        raw = chain_read(c, c->fat, c->n_fat, minifat_start, G_MAXSIZE, FALSE, &raw_len);
        if (raw != NULL) {
            c->n_minifat = raw_len / 4;
            c->minifat = g_new(guint32, MAX(c->n_minifat, (gsize)1));
            for (gsize i = 0; i < c->n_minifat; i++)
                c->minifat[i] = rd32(raw + 4 * i);
            g_free(raw);
        }
    }
    /* Entry 0 is the root; its stream is the mini stream. */
    {
        guint32 root_start = rd32(c->dir + 0x74);
        guint64 root_size = rd32(c->dir + 0x78);
        if (root_size > 0 && root_size <= len)
            c->ministream = chain_read(c, c->fat, c->n_fat, root_start, (gsize)root_size, FALSE,
                                       &c->ministream_len);
    }
    return TRUE;
}

/* The stream called @name (ASCII) in the directory, or NULL. */
static guchar *
cfb_stream(const cfb *c, const char *name, gsize max, gsize *out_len)
{
    gsize n = strlen(name);
    for (gsize off = 0; off + 128 <= c->dir_len; off += 128) {
        const guchar *e = c->dir + off;
        guint16 name_bytes = rd16(e + 0x40);
        guint32 start, size;
        gboolean same = e[0x42] == 2 && name_bytes == (n + 1) * 2;
        for (gsize i = 0; same && i < n; i++)
            same = e[2 * i] == (guchar)name[i] && e[2 * i + 1] == 0;
        if (!same)
            continue;
        start = rd32(e + 0x74);
        size = rd32(e + 0x78);
        if (size > max || size > c->len)
            return NULL;
        if (size < c->cutoff) {
            if (c->minifat == NULL || c->ministream == NULL)
                return NULL;
            return chain_read(c, c->minifat, c->n_minifat, start, size, TRUE, out_len);
        }
        return chain_read(c, c->fat, c->n_fat, start, size, FALSE, out_len);
    }
    return NULL;
}

/* windows-1252 in 0x80-0x9F, for 8-bit pieces. */
/* clang-format off */
static const gunichar cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};
/* clang-format on */

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

/*
 * Title and creation date from the "\005SummaryInformation" property set. Optional: a missing
 * or malformed one leaves them NULL. Strings are in the set's code page (property 1).
 */
static void
doc_summary(tracuu_extracted *doc, const guchar *p, gsize len)
{
    guint32 set, n_props, codepage = 1252;
    const guchar *title = NULL;
    gsize title_len = 0;

    if (len < 48 || rd16(p) != 0xFFFE)
        return;
    set = rd32(p + 44);
    if (set > len || len - set < 8)
        return;
    n_props = rd32(p + set + 4);
    if (n_props > (len - set - 8) / 8)
        return;
    for (guint32 i = 0; i < n_props; i++) {
        guint32 id = rd32(p + set + 8 + 8 * i);
        guint32 off = rd32(p + set + 8 + 8 * i + 4);
        const guchar *v;
        gsize left;
        guint16 type;

        if (off > len - set || len - set - off < 8)
            continue;
        v = p + set + off;
        left = len - set - off;
        type = rd16(v);
        if (id == 1 && type == 0x02) {
            codepage = rd16(v + 4);
        } else if (id == 2 && type == 0x1E) {
            guint32 n = rd32(v + 4);
            if (n <= left - 8) {
                title = v + 8;
                title_len = n;
                while (title_len > 0 && title[title_len - 1] == '\0')
                    title_len--;
            }
        } else if (id == 12 && type == 0x40 && left >= 12) {
            /* FILETIME: 100 ns ticks since 1601-01-01 UTC. */
            guint64 ticks = (guint64)rd32(v + 4) | ((guint64)rd32(v + 8) << 32);
            gint64 unix_s = (gint64)(ticks / 10000000u) - G_GINT64_CONSTANT(11644473600);
            GDateTime *dt = ticks > 0 ? g_date_time_new_from_unix_utc(unix_s) : NULL;
            if (dt != NULL) {
                if (g_date_time_get_year(dt) >= 1980)
                    doc->created = g_date_time_format(dt, "%Y-%m-%d");
                g_date_time_unref(dt);
            }
        }
    }
    if (title != NULL && title_len > 0) {
        g_autofree char *utf8 = NULL;
        g_autofree char *cs = NULL;
        if (codepage == 65001 || g_utf8_validate((const char *)title, (gssize)title_len, NULL)) {
            utf8 = g_strndup((const char *)title, title_len);
        } else if (codepage == 1252 || codepage == 1258) {
            /* Titles typed in legacy Vietnamese fonts are bytes of those fonts. */
            utf8 = tracuu_text_decode((const char *)title, title_len, NULL);
        } else {
            cs = g_strdup_printf("CP%u", codepage);
            utf8 = g_convert_with_fallback((const char *)title, (gssize)title_len, "UTF-8", cs, "?",
                                           NULL, NULL, NULL);
        }
        doc->title = tracuu_extract_clean_title(utf8);
    }
}

gboolean
tracuu_extract_cfb_has_stream(const char *data, gsize len, const char *stream)
{
    gsize n = strlen(stream);
    gboolean found = FALSE;
    cfb c;

    if (cfb_open(&c, data, len, NULL)) {
        for (gsize off = 0; off + 128 <= c.dir_len && !found; off += 128) {
            const guchar *e = c.dir + off;
            gboolean same = e[0x42] == 2 && rd16(e + 0x40) == (n + 1) * 2 && n < 32;
            for (gsize i = 0; same && i < n; i++)
                same = e[2 * i] == (guchar)stream[i] && e[2 * i + 1] == 0;
            found = same;
        }
    }
    cfb_clear(&c);
    return found;
}

tracuu_extracted *
tracuu_extract_doc(const char *data, gsize len, GError **error)
{
    g_autofree guchar *word = NULL;
    g_autofree guchar *table = NULL;
    g_autofree guchar *summary = NULL;
    gsize summary_len = 0;
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
    cfb c;

    if (!cfb_open(&c, data, len, error)) {
        cfb_clear(&c);
        return NULL;
    }
    word = cfb_stream(&c, "WordDocument", TRACUU_EXTRACT_MAX_FILE, &word_len);
    if (word == NULL || word_len < 0x22) {
        cfb_clear(&c);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "Word document: no readable WordDocument stream");
        return NULL;
    }
    if (rd16(word) != 0xA5EC) {
        cfb_clear(&c);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_DAMAGED,
                    "Word document: bad FIB signature");
        return NULL;
    }
    if (rd16(word + 2) < 101) {
        cfb_clear(&c);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED,
                    "Word 6/95 document (FIB version %u)", rd16(word + 2));
        return NULL;
    }
    flags = rd16(word + 0x0A);
    if (flags & 0x0100) {
        cfb_clear(&c);
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_ENCRYPTED,
                    "encrypted Word document: a password is needed to read it");
        return NULL;
    }
    table =
        cfb_stream(&c, (flags & 0x0200) ? "1Table" : "0Table", TRACUU_EXTRACT_MAX_FILE, &table_len);
    summary = cfb_stream(&c, "\005SummaryInformation", 1024 * 1024, &summary_len);
    cfb_clear(&c);
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
                guchar b = word[start + k];
                ch = b >= 0x80 && b < 0xA0 ? cp1252_c1[b - 0x80] : b;
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
    if (summary != NULL)
        doc_summary(doc, summary, summary_len);
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
