/* schema.c - the field table and the rules both sides of the index apply (tracuu-schema-rules.h). */

#include "tracuu-schema-rules.h"

#include <stdlib.h>
#include <string.h>

#include "tracuu-tokenizer.h"

/* ---- The field table ---- */

#define COUNT_OFFSET_STRING(n) 0
#define COUNT_OFFSET_DATE(n) 0
#define COUNT_OFFSET_STRV(n) offsetof(tracuu_docfields, n_##n)
#define COUNT_OFFSET_MAILBOXES(n) offsetof(tracuu_docfields, n_##n)
#define COUNT_OFFSET_OFFSETS(n) offsetof(tracuu_docfields, n_##n)
#define COUNT_OFFSET_RELATIONS(n) offsetof(tracuu_docfields, n_##n)
#define COUNT_OFFSET_BOOL(n) 0

const tracuu_field_info tracuu_field_table[TRACUU_N_FIELDS] = {
#define FIELD_INFO(name, type, flags)                                                          \
    {#name, TRACUU_FIELD_##type, (flags), offsetof(tracuu_docfields, name),                    \
     COUNT_OFFSET_##type(name)},
    TRACUU_FIELDS(FIELD_INFO)
#undef FIELD_INFO
};

/* ---- Boolean terms ---- */

typedef enum {
    NORM_RAW,
    NORM_FOLD,
    NORM_DOCNUM,
    NORM_LOWER,
    NORM_LOWER_TRIM,
    NORM_ASCII_LOWER,
    NORM_ANGLE
} norm;

static const struct {
    const char *prefix;
    norm norm;
} terms[] = {
    [TRACUU_TERM_ID] = {TRACUU_PREFIX_ID, NORM_RAW},
    [TRACUU_TERM_FILE] = {TRACUU_PREFIX_FILE, NORM_RAW},
    [TRACUU_TERM_KIND] = {TRACUU_PREFIX_KIND, NORM_FOLD},
    [TRACUU_TERM_NUMBER] = {TRACUU_PREFIX_NUMBER, NORM_DOCNUM},
    [TRACUU_TERM_CITES] = {TRACUU_PREFIX_CITES, NORM_DOCNUM},
    [TRACUU_TERM_TYPE] = {TRACUU_PREFIX_TYPE, NORM_FOLD},
    [TRACUU_TERM_ISSUER] = {TRACUU_PREFIX_ISSUER, NORM_FOLD},
    [TRACUU_TERM_SIGNER] = {TRACUU_PREFIX_SIGNER, NORM_FOLD},
    [TRACUU_TERM_DATE] = {TRACUU_PREFIX_DATE, NORM_RAW},
    [TRACUU_TERM_YEAR] = {TRACUU_PREFIX_YEAR, NORM_RAW},
    [TRACUU_TERM_MONTH] = {TRACUU_PREFIX_MONTH, NORM_RAW},
    [TRACUU_TERM_FROM] = {TRACUU_PREFIX_FROM, NORM_LOWER},
    [TRACUU_TERM_TO] = {TRACUU_PREFIX_TO, NORM_LOWER},
    [TRACUU_TERM_MESSAGE_ID] = {TRACUU_PREFIX_MESSAGE_ID, NORM_ANGLE},
    [TRACUU_TERM_PARENT] = {TRACUU_PREFIX_PARENT, NORM_RAW},
    [TRACUU_TERM_MIME] = {TRACUU_PREFIX_MIME, NORM_ASCII_LOWER},
    [TRACUU_TERM_LABEL] = {TRACUU_PREFIX_LABEL, NORM_RAW},
    [TRACUU_TERM_LEVEL] = {TRACUU_PREFIX_LEVEL, NORM_RAW},
    [TRACUU_TERM_PARTICIPANT] = {TRACUU_PREFIX_PARTICIPANT, NORM_LOWER_TRIM},
    [TRACUU_TERM_ARTICLE] = {TRACUU_PREFIX_ARTICLE, NORM_FOLD},
};

/* '_' is read as a space (type:quyet_dinh, typed where a space would end the value). */
static char *
fold_value(const char *value)
{
    g_autofree char *v = g_strdup(value);
    g_strdelimit(v, "_", ' ');
    return tracuu_text_fold(v, -1);
}

static char *
normalise(norm how, const char *value)
{
    switch (how) {
    case NORM_RAW:
        return g_strdup(value);
    case NORM_FOLD:
        return fold_value(value);
    case NORM_DOCNUM: {
        char *folded = NULL;
        if (tracuu_docnum_normalize(value, -1, NULL, &folded))
            return folded;
        return fold_value(value);
    }
    case NORM_LOWER:
        return g_utf8_strdown(value, -1);
    case NORM_LOWER_TRIM:
        return g_strstrip(g_utf8_strdown(value, -1));
    case NORM_ASCII_LOWER:
        return g_strstrip(g_ascii_strdown(value, -1));
    case NORM_ANGLE: {
        char *v = g_strstrip(g_strdup(value));
        size_t n = strlen(v);
        if (n >= 2 && v[0] == '<' && v[n - 1] == '>') {
            memmove(v, v + 1, n - 2);
            v[n - 2] = '\0';
        }
        return v;
    }
    }
    return g_strdup(value);
}

char *
tracuu_schema_bool_term(tracuu_schema_term term, const char *value)
{
    g_return_val_if_fail((size_t)term < G_N_ELEMENTS(terms), NULL);
    if (value == NULL || *value == '\0')
        return NULL;
    g_autofree char *v = normalise(terms[term].norm, value);
    if (v == NULL || *v == '\0')
        return NULL;
    char *t = g_strconcat(terms[term].prefix, v, NULL);
    if (term != TRACUU_TERM_ID && strlen(t) > TRACUU_STORE_MAX_TERM)
        t[TRACUU_STORE_MAX_TERM] = '\0';
    return t;
}

/* ---- Relations ---- */

const char *const tracuu_schema_relation_kinds[] = {
    "based_on", "amends", "replaces", "repeals", "guides", "corrects", "suspends", "cites", NULL,
};

gboolean
tracuu_schema_relation_kind_is_valid(const char *kind)
{
    for (size_t i = 0; kind != NULL && tracuu_schema_relation_kinds[i] != NULL; i++)
        if (strcmp(kind, tracuu_schema_relation_kinds[i]) == 0)
            return TRUE;
    return FALSE;
}

char *
tracuu_schema_relation_term(const char *kind, const char *number)
{
    if (!tracuu_schema_relation_kind_is_valid(kind) || number == NULL || *number == '\0')
        return NULL;
    g_autofree char *v = normalise(NORM_DOCNUM, number);
    if (v == NULL || *v == '\0')
        return NULL;
    char *t = g_strconcat(TRACUU_PREFIX_RELATION, kind, ":", v, NULL);
    if (strlen(t) > TRACUU_STORE_MAX_TERM)
        t[TRACUU_STORE_MAX_TERM] = '\0';
    return t;
}

/* ---- Document types ---- */

/* Abbreviations of types in the ký hiệu (Phụ lục III of Nghị định 30/2020 and legal usage). */
static const struct {
    const char *abbr; /* compared exactly, after folding đ to d and upper-casing */
    const char *name;
} type_abbrs[] = {
    {"ND", "Nghị định"},
    {"QD", "Quyết định"},
    {"TT", "Thông tư"},
    {"TTLT", "Thông tư liên tịch"},
    {"CT", "Chỉ thị"},
    {"NQ", "Nghị quyết"},
    {"NQLT", "Nghị quyết liên tịch"},
    {"TB", "Thông báo"},
    {"QC", "Quy chế"},
    {"QYD", "Quy định"},
    {"TC", "Thông cáo"},
    {"HD", "Hướng dẫn"},
    {"CTR", "Chương trình"},
    {"KH", "Kế hoạch"},
    {"PA", "Phương án"},
    {"DA", "Đề án"},
    {"BC", "Báo cáo"},
    {"BB", "Biên bản"},
    {"TTR", "Tờ trình"},
    {"CD", "Công điện"},
    {"BGN", "Bản ghi nhớ"},
    {"BTT", "Bản thỏa thuận"},
    {"GUQ", "Giấy ủy quyền"},
    {"GM", "Giấy mời"},
    {"GGT", "Giấy giới thiệu"},
    {"GNP", "Giấy nghỉ phép"},
    {"PG", "Phiếu gửi"},
    {"PC", "Phiếu chuyển"},
    {"PB", "Phiếu báo"},
    {"CV", "Công văn"},
    {"L", "Lệnh"},
    {"PL", "Pháp lệnh"},
    {"VBHN", "Văn bản hợp nhất"},
};

/* A character without its diacritics, lowercase; đ and Đ give d. */
static gunichar
fold_char(gunichar c)
{
    if (c == 0x0110 || c == 0x0111)
        return 'd';
    gunichar buf[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    gsize n = g_unichar_fully_decompose(c, FALSE, buf, G_N_ELEMENTS(buf));
    if (n > 0)
        c = buf[0];
    return g_unichar_tolower(c);
}

const char *
tracuu_schema_doc_type_for_abbr(const char *abbr, gssize len)
{
    if (abbr == NULL)
        return NULL;
    size_t n_bytes = len < 0 ? strlen(abbr) : (size_t)len;
    char buf[16];
    size_t n = 0;
    const char *end = abbr + n_bytes;
    for (const char *p = abbr; p < end && n + 1 < sizeof buf; p = g_utf8_next_char(p)) {
        gunichar c = fold_char(g_utf8_get_char_validated(p, end - p));
        if (c >= 0x80)
            return NULL;
        buf[n++] = g_ascii_toupper((char)c);
    }
    buf[n] = '\0';
    for (size_t i = 0; i < G_N_ELEMENTS(type_abbrs); i++)
        if (strcmp(buf, type_abbrs[i].abbr) == 0)
            return type_abbrs[i].name;
    return NULL;
}

/* ---- Dates ---- */

gboolean
tracuu_schema_date_valid(int year, int month, int day)
{
    if (year < 1000 || year > 9999 || month < 0 || month > 12 || day < 0)
        return FALSE;
    if (day == 0)
        return TRUE;
    return month != 0 && g_date_valid_dmy((GDateDay)day, (GDateMonth)month, (GDateYear)year);
}

gboolean
tracuu_schema_date_parse(const char *s, gssize len, char out[9])
{
    out[0] = '\0';
    if (s == NULL)
        return FALSE;
    size_t n = len < 0 ? strlen(s) : (size_t)len;
    if (n != 4 && n != 7 && n != 10)
        return FALSE;
    int part[3] = {0, 0, 0};
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return FALSE;
            k++;
        } else if (g_ascii_isdigit(s[i])) {
            part[k] = part[k] * 10 + (s[i] - '0');
        } else {
            return FALSE;
        }
    }
    /* A month or day written as 00 is not "unknown": it is no date. */
    if ((n >= 7 && part[1] == 0) || (n == 10 && part[2] == 0) ||
        !tracuu_schema_date_valid(part[0], n >= 7 ? part[1] : 0, n == 10 ? part[2] : 0))
        return FALSE;
    if (n == 4)
        g_snprintf(out, 9, "%04d", part[0]);
    else if (n == 7)
        g_snprintf(out, 9, "%04d%02d", part[0], part[1]);
    else
        g_snprintf(out, 9, "%04d%02d%02d", part[0], part[1], part[2]);
    return TRUE;
}

/* ---- Titles ---- */

/* The first line of @text that has a letter in it, cut to a reasonable title length. */
static char *
first_line_title(const char *text)
{
    const char *p = text;
    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        gsize n = eol != NULL ? (gsize)(eol - p) : strlen(p);
        g_autofree char *line = g_strstrip(g_strndup(p, n));
        gboolean has_letter = FALSE;
        for (const char *q = line; *q != '\0'; q = g_utf8_next_char(q))
            if (g_unichar_isalpha(g_utf8_get_char(q))) {
                has_letter = TRUE;
                break;
            }
        if (has_letter) {
            if (g_utf8_strlen(line, -1) > 160) {
                char *cut = g_utf8_offset_to_pointer(line, 160);
                *cut = '\0';
            }
            return g_steal_pointer(&line);
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return NULL;
}

char *
tracuu_schema_title(const char *title, const char *subject, const char *attachment,
                    const char *text, const char *path, const char *id)
{
    const char *given[] = {title, subject, attachment};
    for (size_t i = 0; i < G_N_ELEMENTS(given); i++)
        if (given[i] != NULL && *given[i] != '\0')
            return g_strdup(given[i]);
    if (text != NULL) {
        char *line = first_line_title(text);
        if (line != NULL)
            return line;
    }
    if (path != NULL && *path != '\0') {
        const char *slash = strrchr(path, '/');
        if (slash == NULL || slash[1] != '\0')
            return g_strdup(slash != NULL ? slash + 1 : path);
    }
    return g_strdup(id != NULL ? id : "");
}

/* ---- Mailboxes ---- */

char *
tracuu_schema_mailboxes_format(const tracuu_mailbox *boxes, size_t n)
{
    if (boxes == NULL || n == 0)
        return NULL;
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < n; i++) {
        const char *name = boxes[i].name != NULL && *boxes[i].name ? boxes[i].name : NULL;
        const char *addr =
            boxes[i].address != NULL && *boxes[i].address ? boxes[i].address : NULL;
        if (name == NULL && addr == NULL)
            continue;
        if (out->len > 0)
            g_string_append(out, ", ");
        if (name != NULL) {
            /* Quoted only when the name would otherwise split or end the list. */
            if (strpbrk(name, ",;<>@:\\\"") != NULL) {
                g_string_append_c(out, '"');
                for (const char *p = name; *p; p++) {
                    if (*p == '"' || *p == '\\')
                        g_string_append_c(out, '\\');
                    g_string_append_c(out, *p);
                }
                g_string_append_c(out, '"');
            } else {
                g_string_append(out, name);
            }
        }
        if (addr != NULL)
            g_string_append_printf(out, name != NULL ? " <%s>" : "%s", addr);
    }
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

/* ---- Versions ---- */

static char *
get_meta(tracuu_store *store, const char *key, gboolean *ok)
{
    char *v = NULL;
    if (tracuu_store_get_metadata(store, key, &v, NULL) != TRACUU_STORE_OK) {
        free(v);
        *ok = FALSE;
        return NULL;
    }
    char *copy = g_strdup(v != NULL ? v : "");
    free(v);
    return copy;
}

tracuu_schema_index_state
tracuu_schema_index_check(tracuu_store *store, char **message)
{
    *message = NULL;
    gboolean ok = TRUE;
    g_autofree char *schema = get_meta(store, TRACUU_META_SCHEMA_VERSION, &ok);
    g_autofree char *tok = get_meta(store, TRACUU_META_TOKENIZER_VERSION, &ok);
    if (!ok) {
        *message = g_strdup(tracuu_store_get_error(store));
        return TRACUU_SCHEMA_INDEX_UNREADABLE;
    }
    if (*schema == '\0' && *tok == '\0')
        return TRACUU_SCHEMA_INDEX_UNVERSIONED;
    g_autofree char *want_schema = g_strdup_printf("%d", TRACUU_SCHEMA_VERSION);
    g_autofree char *want_tok = g_strdup_printf("%d", TRACUU_TOKENIZER_VERSION);
    if (strcmp(schema, want_schema) == 0 && strcmp(tok, want_tok) == 0)
        return TRACUU_SCHEMA_INDEX_CURRENT;
    *message = g_strdup_printf("built with schema version %s and tokenizer version %s; this "
                               "program uses schema %s and tokenizer %s",
                               *schema != '\0' ? schema : "(none)", *tok != '\0' ? tok : "(none)",
                               want_schema, want_tok);
    return TRACUU_SCHEMA_INDEX_OTHER;
}

gboolean
tracuu_schema_index_set_versions(tracuu_store *store)
{
    g_autofree char *schema = g_strdup_printf("%d", TRACUU_SCHEMA_VERSION);
    g_autofree char *tok = g_strdup_printf("%d", TRACUU_TOKENIZER_VERSION);
    return tracuu_store_set_metadata(store, TRACUU_META_SCHEMA_VERSION, schema, strlen(schema)) ==
               TRACUU_STORE_OK &&
           tracuu_store_set_metadata(store, TRACUU_META_TOKENIZER_VERSION, tok, strlen(tok)) ==
               TRACUU_STORE_OK;
}

char *
tracuu_schema_number_written(const char *s, gssize len)
{
    g_autofree char *valid = g_utf8_make_valid(s, len);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c))
            continue;
        if (tracuu_char_is_dash(c))
            g_string_append_c(out, '-');
        else
            g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

/* ---- Where the original bytes are ---- */

char *
tracuu_schema_source_format(const tracuu_schema_source *src)
{
    GString *out = g_string_new(NULL);
    g_autofree char *path = g_uri_escape_string(src->path != NULL ? src->path : "", "/", FALSE);
    g_string_append_printf(out, "size=%" G_GUINT64_FORMAT "&mtime=%" G_GINT64_FORMAT "&path=%s",
                           src->size, src->mtime_ns, path);
    if (src->offset >= 0)
        g_string_append_printf(out, "&offset=%" G_GINT64_FORMAT "&length=%" G_GINT64_FORMAT,
                               src->offset, src->length);
    if (src->part != NULL) {
        g_autofree char *part = g_uri_escape_string(src->part, ".", FALSE);
        g_string_append_printf(out, "&part=%s", part);
    }
    return g_string_free(out, FALSE);
}

void
tracuu_schema_source_free(tracuu_schema_source *src)
{
    if (src == NULL)
        return;
    g_free(src->path);
    g_free(src->part);
    g_free(src);
}

static gboolean
source_number(GHashTable *params, const char *name, gint64 *out)
{
    const char *v = g_hash_table_lookup(params, name);
    return v != NULL && g_ascii_string_to_signed(v, 10, 0, G_MAXINT64, out, NULL);
}

tracuu_schema_source *
tracuu_schema_source_parse(const char *text)
{
    if (text == NULL)
        return NULL;
    /* By hand, not g_uri_parse_params(), which wants UTF-8 values: a path may be any bytes.
     * g_uri_unescape_string() refuses an escaped NUL. */
    g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) pairs = g_strsplit(text, "&", -1);
    for (char **p = pairs; *p != NULL; p++) {
        const char *eq = strchr(*p, '=');
        if (eq == NULL)
            return NULL;
        char *value = g_uri_unescape_string(eq + 1, NULL);
        if (value == NULL)
            return NULL;
        g_hash_table_replace(params, g_strndup(*p, (gsize)(eq - *p)), value);
    }
    g_autoptr(tracuu_schema_source) src = g_new0(tracuu_schema_source, 1);
    gint64 size = 0;
    const char *path = g_hash_table_lookup(params, "path");
    if (path == NULL || path[0] != '/' || !source_number(params, "size", &size) ||
        !source_number(params, "mtime", &src->mtime_ns))
        return NULL;
    src->size = (guint64)size;
    src->path = g_strdup(path);
    src->offset = -1;
    if (g_hash_table_contains(params, "offset") &&
        (!source_number(params, "offset", &src->offset) ||
         !source_number(params, "length", &src->length)))
        return NULL;
    src->part = g_strdup(g_hash_table_lookup(params, "part"));
    return g_steal_pointer(&src);
}
