/* docwriter.c - one document's fields into the terms, values and data of the index schema. */

#include "tracuu-docwriter.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tracuu-conf.h"
#include "tracuu-legal-structure.h"
#include "tracuu-schema-rules.h"

/*
 * Positions left empty between the text, the title and the subject, so that a phrase or NEAR
 * query never matches across the end of one field and the start of the next.
 */
#define FIELD_GAP 100

/* ---- Terms ---- */

/* The boolean term of @value made by the schema's rule for @term (tracuu-schema-rules.h), the
 * same function searchd makes its filters with. */
static void
add_bool(tracuu_store_doc *doc, tracuu_schema_term term, const char *value)
{
    g_autofree char *t = tracuu_schema_bool_term(term, value);
    if (t != NULL)
        tracuu_store_doc_add_term(doc, t, strlen(t), 0);
}

/*
 * The numbers a text cites, as its body is tokenized: every document number token (not its
 * pieces), as written with white space dropped and dashes made "-", each normal form once,
 * the document's own number never.
 */
typedef struct {
    const char *text;
    GPtrArray *found; /* char * */
    GHashTable *seen; /* normal forms given, and the document's own */
} cite_collector;

static void
collect_cite(cite_collector *cc, const tracuu_token *tok)
{
    if (g_hash_table_contains(cc->seen, tok->term))
        return;
    g_hash_table_add(cc->seen, g_strndup(tok->term, tok->term_len));
    g_ptr_array_add(cc->found, tracuu_schema_number_written(cc->text + tok->start,
                                                            (gssize)(tok->end - tok->start)));
}

/* What a tokenizer callback writes, and where. */
typedef struct {
    tracuu_store_doc *doc;
    const char *accented_prefix; /* NULL: no accented term */
    const char *folded_prefix;   /* NULL: no folded term */
    gboolean boolean;            /* wdf 0, no position: words of names */
    gboolean accented_placed;    /* the accented term gets the token's position */
    gboolean folded_placed;      /* the folded term gets the token's position */
    gboolean words_only;         /* skip the TRACUU_TOKEN_PART pieces */
    gboolean parts_only;         /* only the TRACUU_TOKEN_PART pieces */
    cite_collector *cites;       /* the body: numbers it cites, or NULL */
    GString *buf;
} posting_ctx;

/* @pos 0: the term without a position (wdf 1, or 0 for a boolean context). */
static void
put_term(posting_ctx *c, const char *prefix, const char *term, size_t len, uint32_t pos)
{
    g_string_assign(c->buf, prefix);
    g_string_append_len(c->buf, term, (gssize)len);
    if (c->boolean)
        tracuu_store_doc_add_term(c->doc, c->buf->str,
                                  MIN(c->buf->len, (gsize)TRACUU_STORE_MAX_TERM), 0);
    else if (pos == 0)
        tracuu_store_doc_add_term(c->doc, c->buf->str, c->buf->len, 1);
    else
        tracuu_store_doc_add_posting(c->doc, c->buf->str, c->buf->len, pos, 1);
}

static gboolean
on_token(const tracuu_token *token, gpointer user_data)
{
    posting_ctx *c = user_data;
    gboolean part = (token->flags & TRACUU_TOKEN_PART) != 0;
    if ((c->words_only && part) || (c->parts_only && !part))
        return TRUE;
    if (c->cites != NULL && token->kind == TRACUU_TOKEN_DOCNUM && !part)
        collect_cite(c->cites, token);
    if (c->accented_prefix)
        put_term(c, c->accented_prefix, token->term, token->term_len,
                 c->accented_placed ? token->pos : 0);
    if (c->folded_prefix)
        put_term(c, c->folded_prefix, token->folded, token->folded_len,
                 c->folded_placed ? token->pos : 0);
    return TRUE;
}

/* Tokenizes @text into @doc from @first_pos; returns the position after its last token. */
static uint32_t
index_text(tracuu_tokenizer *tk, posting_ctx *c, const char *text, uint32_t first_pos)
{
    if (!text || !*text)
        return first_pos;
    return tracuu_tokenizer_run(tk, text, strlen(text), first_pos, on_token, c);
}

/*
 * Words of @text as boolean terms @prefix + folded word: the whole tokens, or with @pieces
 * only the pieces of e-mail addresses, numbers and URLs ("vanthu", "chinhphu", "gov", "vn").
 */
static void
index_words(tracuu_tokenizer *tk, tracuu_store_doc *doc, GString *buf, const char *prefix,
            const char *text, gboolean pieces)
{
    posting_ctx c = {.doc = doc,
                     .folded_prefix = prefix,
                     .boolean = TRUE,
                     .words_only = !pieces,
                     .parts_only = pieces,
                     .buf = buf};
    index_text(tk, &c, text, 1);
}

/* ---- Mail addresses ---- */

/*
 * Address terms (@addr_term: lowercase address) and word terms (@word_prefix + folded word
 * of the name, and the pieces of the address, so that from:vanthu finds vanthu@...).
 */
static void
index_mailboxes(tracuu_tokenizer *tk, tracuu_store_doc *doc, GString *buf,
                tracuu_schema_term addr_term, const char *word_prefix, const tracuu_mailbox *boxes,
                size_t n)
{
    for (size_t i = 0; boxes != NULL && i < n; i++) {
        const tracuu_mailbox *m = &boxes[i];
        g_autofree char *address = m->address != NULL ? g_strstrip(g_strdup(m->address)) : NULL;
        add_bool(doc, addr_term, address);
        index_words(tk, doc, buf, word_prefix, m->name, FALSE);
        index_words(tk, doc, buf, word_prefix, address, TRUE);
    }
}

/* ---- Access ---- */

const char *
tracuu_docwriter_secrecy_max(const char *a, const char *b)
{
    tracuu_level la = TRACUU_LEVEL_NONE, lb = TRACUU_LEVEL_NONE;
    if (a != NULL && !tracuu_level_parse(a, &la))
        return a;
    if (b != NULL && !tracuu_level_parse(b, &lb))
        return b;
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    return lb > la ? b : a;
}

/* Refuses labels and levels that would make terms the visibility filter cannot name. */
static gboolean
check_access(const tracuu_docfields *f, GError **error)
{
    for (size_t i = 0; f->access != NULL && i < f->n_access; i++) {
        if (f->access[i] == NULL || !tracuu_label_is_valid(f->access[i])) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "document writer: document %s: access label \"%s\" is not valid "
                        "(1 to 64 of a-z, 0-9, '-', '_', '.', starting with a letter or digit)",
                        f->id, f->access[i] != NULL ? f->access[i] : "(null)");
            return FALSE;
        }
    }
    tracuu_level level;
    if (f->secrecy != NULL && !tracuu_level_parse(f->secrecy, &level)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "document writer: document %s: secrecy \"%s\" is not a level (none, mat, "
                    "toi-mat, tuyet-mat)",
                    f->id, f->secrecy);
        return FALSE;
    }
    return TRUE;
}

/*
 * The terms searchd's visibility filter is made of: each label, or the unlabelled term; the
 * level (one term always, so that a document is never visible for lack of a term); every
 * participant's address.
 */
static void
add_label_terms(tracuu_store_doc *doc, const char *const *labels, size_t n, const char *secrecy)
{
    size_t added = 0;
    for (size_t i = 0; labels != NULL && i < n; i++, added++)
        add_bool(doc, TRACUU_TERM_LABEL, labels[i]);
    if (added == 0)
        tracuu_store_doc_add_term(doc, TRACUU_TERM_UNLABELLED, strlen(TRACUU_TERM_UNLABELLED), 0);
    add_bool(doc, TRACUU_TERM_LEVEL, secrecy != NULL ? secrecy : "none");
}

static void
index_access(tracuu_store_doc *doc, const tracuu_docfields *f)
{
    add_label_terms(doc, f->access, f->n_access, f->secrecy);
    for (size_t i = 0; f->participants != NULL && i < f->n_participants; i++)
        add_bool(doc, TRACUU_TERM_PARTICIPANT, f->participants[i]);
    const tracuu_mailbox *boxes[] = {f->from, f->to, f->cc};
    size_t counts[] = {f->n_from, f->n_to, f->n_cc};
    for (size_t k = 0; k < G_N_ELEMENTS(boxes); k++)
        for (size_t i = 0; boxes[k] != NULL && i < counts[k]; i++)
            add_bool(doc, TRACUU_TERM_PARTICIPANT, boxes[k][i].address);
}

/* ---- Dates ---- */

/*
 * The digits "YYYYMMDD", "YYYYMM" or "YYYY" of a date in the schema's form, also written with
 * "/" or "." or without separators ("20081203"), spaces around ignored; NULL when it is not a
 * real date (tracuu_schema_date_parse() decides, as it does for --from-jsonl and the query).
 */
static char *
compact_date(const char *date)
{
    if (date == NULL)
        return NULL;
    g_autofree char *d = g_strstrip(g_strdup(date));
    size_t n = strlen(d);
    gboolean all_digits = n > 0;
    for (size_t i = 0; i < n; i++)
        all_digits = all_digits && g_ascii_isdigit(d[i]);
    if (all_digits && (n == 6 || n == 8)) {
        char *sep = n == 6 ? g_strdup_printf("%.4s-%.2s", d, d + 4)
                           : g_strdup_printf("%.4s-%.2s-%.2s", d, d + 4, d + 6);
        g_free(d);
        d = sep;
    }
    g_strdelimit(d, "/.", '-');
    char out[9];
    if (!tracuu_schema_date_parse(d, -1, out))
        return NULL;
    return g_strdup(out);
}

/* ---- Values ---- */

static void
set_value(tracuu_store_doc *doc, unsigned slot, const char *value)
{
    if (!value)
        return;
    g_autofree char *v = g_strstrip(g_strdup(value));
    if (*v)
        tracuu_store_doc_set_value(doc, slot, v, strlen(v));
}

/* ---- Data ---- */

/* JSON strings must be UTF-8; extractors should give it, but a bad byte must not break the
 * whole document's data. */
static void
json_string(JsonBuilder *b, const char *value)
{
    if (g_utf8_validate(value, -1, NULL)) {
        json_builder_add_string_value(b, value);
    } else {
        g_autofree char *valid = g_utf8_make_valid(value, -1);
        json_builder_add_string_value(b, valid);
    }
}

/* One field of the table into the fields JSON, as its type says (tracuu-fields.h). */
static void
json_field(JsonBuilder *b, const tracuu_field_info *fi, const void *v, size_t n)
{
    if (v == NULL || n == 0)
        return;
    switch (fi->type) {
    case TRACUU_FIELD_STRING:
    case TRACUU_FIELD_DATE:
        json_builder_set_member_name(b, fi->name);
        json_string(b, v);
        break;
    case TRACUU_FIELD_STRV: {
        const char *const *strv = v;
        json_builder_set_member_name(b, fi->name);
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++)
            if (strv[i] != NULL)
                json_string(b, strv[i]);
        json_builder_end_array(b);
        break;
    }
    case TRACUU_FIELD_MAILBOXES: {
        g_autofree char *shown = tracuu_schema_mailboxes_format(v, n);
        if (shown != NULL) {
            json_builder_set_member_name(b, fi->name);
            json_string(b, shown);
        }
        break;
    }
    case TRACUU_FIELD_RELATIONS: {
        const tracuu_relation *rels = v;
        json_builder_set_member_name(b, fi->name);
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++) {
            json_builder_begin_object(b);
            json_builder_set_member_name(b, "kind");
            json_string(b, rels[i].kind != NULL ? rels[i].kind : "");
            json_builder_set_member_name(b, "number");
            json_string(b, rels[i].number != NULL ? rels[i].number : "");
            if (rels[i].n_articles > 0) {
                json_builder_set_member_name(b, "articles");
                json_builder_begin_array(b);
                for (size_t k = 0; k < rels[i].n_articles; k++)
                    if (rels[i].articles[k] != NULL)
                        json_string(b, rels[i].articles[k]);
                json_builder_end_array(b);
            }
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        break;
    }
    case TRACUU_FIELD_OFFSETS: {
        const uint64_t *offsets = v;
        json_builder_set_member_name(b, fi->name);
        json_builder_begin_array(b);
        for (size_t i = 0; i < n; i++)
            json_builder_add_int_value(b, (gint64)offsets[i]);
        json_builder_end_array(b);
        break;
    }
    case TRACUU_FIELD_BOOL:
        json_builder_set_member_name(b, fi->name);
        json_builder_add_boolean_value(b, TRUE);
        break;
    }
}

/*
 * The document data of the schema: the STORED fields as a JSON object, one NUL byte, then the
 * text as it is (UTF-8 made valid), so that a hit reads its fields without parsing the text.
 */
static char *
build_data(const tracuu_docfields *f, gsize *len)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        if (!(fi->flags & TRACUU_FIELD_STORED))
            continue;
        size_t n = 0;
        const void *v = tracuu_field_get(f, fi, &n);
        json_field(b, fi, v, n);
    }
    json_builder_end_object(b);

    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    gsize fields_len = 0;
    g_autofree char *fields = json_generator_to_data(gen, &fields_len);
    const char *text = f->text != NULL ? f->text : "";
    g_autofree char *valid = g_utf8_validate(text, -1, NULL) ? NULL : g_utf8_make_valid(text, -1);
    if (valid != NULL)
        text = valid;
    gsize text_len = strlen(text);
    *len = fields_len + 1 + text_len;
    char *data = g_malloc(*len + 1);
    memcpy(data, fields, fields_len);
    data[fields_len] = '\0';
    memcpy(data + fields_len + 1, text, text_len + 1);
    return data;
}

/* ---- Public ---- */

tracuu_store_doc *
tracuu_docwriter_build(tracuu_tokenizer *tk, const tracuu_docfields *fields, char **unique_term,
                       GError **error)
{
    g_return_val_if_fail(unique_term != NULL, NULL);
    *unique_term = NULL;
    if (!tk || !fields) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "document writer: no tokenizer or no fields");
        return NULL;
    }
    if (!fields->id || !*fields->id) {
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "document writer: the document has no id");
        return NULL;
    }
    if (!fields->text) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "document writer: document %s has no text", fields->id);
        return NULL;
    }
    if (!check_access(fields, error))
        return NULL;
    g_autofree char *q = g_strconcat(TRACUU_PREFIX_ID, fields->id, NULL);
    /* A cut unique term could make two documents one; refuse it instead. */
    if (strlen(q) > TRACUU_STORE_MAX_TERM) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "document writer: id too long (%zu bytes, at most %d)", strlen(fields->id),
                    TRACUU_STORE_MAX_TERM - 1);
        return NULL;
    }

    tracuu_store_doc *doc = tracuu_store_doc_new();
    g_autoptr(GString) buf = g_string_sized_new(64);

    /* Body: every token accented and folded, the folded form at its position (the only
     * positions of the text, tracuu-schema.h); then the title after a gap. The numbers the
     * text cites are read from the body's own tokens, not a second pass. */
    cite_collector cc = {.text = fields->text,
                         .found = g_ptr_array_new_with_free_func(g_free),
                         .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    char *own = NULL;
    if (fields->number != NULL && tracuu_docnum_normalize(fields->number, -1, &own, NULL))
        g_hash_table_add(cc.seen, own);
    gboolean find_cites = fields->cites_from_text && fields->n_cites == 0;
    posting_ctx body = {.doc = doc,
                        .accented_prefix = "",
                        .folded_prefix = TRACUU_PREFIX_FOLDED,
                        .folded_placed = TRUE,
                        .cites = find_cites ? &cc : NULL,
                        .buf = buf};
    uint32_t next = index_text(tk, &body, fields->text, 1);
    body.cites = NULL;
    tracuu_docfields with_cites = *fields;
    if (find_cites) {
        with_cites.cites = (const char *const *)cc.found->pdata;
        with_cites.n_cites = cc.found->len;
    }
    /* No level is level none: stored as absent, so that "get" shows a level only when
     * there is one. */
    if (with_cites.secrecy != NULL && strcmp(with_cites.secrecy, "none") == 0)
        with_cites.secrecy = NULL;
    fields = &with_cites;
    if (fields->title && *fields->title) {
        uint32_t title_pos = next + FIELD_GAP;
        next = index_text(tk, &body, fields->title, title_pos);
        /* The title's own terms only weigh (no query looks for a phrase of them): the
         * phrases of a title are those of its copy in the body. */
        posting_ctx title = {.doc = doc,
                             .accented_prefix = TRACUU_PREFIX_TITLE,
                             .folded_prefix = TRACUU_PREFIX_TITLE_FOLDED,
                             .buf = buf};
        index_text(tk, &title, fields->title, title_pos);
    }
    if (fields->subject && *fields->subject) {
        posting_ctx subject = {.doc = doc,
                               .folded_prefix = TRACUU_PREFIX_SUBJECT,
                               .folded_placed = TRUE,
                               .buf = buf};
        next = index_text(tk, &subject, fields->subject, next + FIELD_GAP);
    }

    /* Boolean terms, each made by the schema's rule for it (tracuu_schema_bool_term()). */
    tracuu_store_doc_add_term(doc, q, strlen(q), 0);
    add_bool(doc, TRACUU_TERM_FILE, fields->file_key);
    add_bool(doc, TRACUU_TERM_KIND, fields->kind);
    add_bool(doc, TRACUU_TERM_NUMBER, fields->number);
    for (gsize i = 0; fields->cites && i < fields->n_cites; i++)
        add_bool(doc, TRACUU_TERM_CITES, fields->cites[i]);
    /* Relations: "XR" kind:target, and the target as a citation too (tracuu-schema.h). */
    for (gsize i = 0; fields->relations && i < fields->n_relations; i++) {
        const tracuu_relation *rel = &fields->relations[i];
        g_autofree char *t = tracuu_schema_relation_term(rel->kind, rel->number);
        if (t != NULL)
            tracuu_store_doc_add_term(doc, t, strlen(t), 0);
        add_bool(doc, TRACUU_TERM_CITES, rel->number);
    }
    add_bool(doc, TRACUU_TERM_TYPE, fields->doc_type);
    add_bool(doc, TRACUU_TERM_ISSUER, fields->issuer);
    index_words(tk, doc, buf, TRACUU_PREFIX_ISSUER_WORD, fields->issuer, FALSE);
    add_bool(doc, TRACUU_TERM_SIGNER, fields->signer);

    g_autofree char *date = compact_date(fields->date);
    if (date) {
        add_bool(doc, TRACUU_TERM_DATE, strlen(date) == 8 ? date : NULL);
        g_autofree char *year = g_strndup(date, 4);
        add_bool(doc, TRACUU_TERM_YEAR, year);
        g_autofree char *month = strlen(date) >= 6 ? g_strndup(date, 6) : NULL;
        add_bool(doc, TRACUU_TERM_MONTH, month);
        tracuu_store_doc_set_value(doc, TRACUU_SLOT_DATE, date, strlen(date));
        tracuu_store_doc_set_value(doc, TRACUU_SLOT_YEAR, year, 4);
    }
    g_autofree char *effective = compact_date(fields->effective_date);
    if (effective)
        tracuu_store_doc_set_value(doc, TRACUU_SLOT_EFFECTIVE, effective, strlen(effective));
    g_autofree char *end = compact_date(fields->end_date);
    if (end)
        tracuu_store_doc_set_value(doc, TRACUU_SLOT_END, end, strlen(end));

    index_mailboxes(tk, doc, buf, TRACUU_TERM_FROM, TRACUU_PREFIX_FROM_WORD, fields->from,
                    fields->n_from);
    index_mailboxes(tk, doc, buf, TRACUU_TERM_TO, TRACUU_PREFIX_TO_WORD, fields->to, fields->n_to);
    index_mailboxes(tk, doc, buf, TRACUU_TERM_TO, TRACUU_PREFIX_TO_WORD, fields->cc, fields->n_cc);
    add_bool(doc, TRACUU_TERM_MESSAGE_ID, fields->message_id);
    add_bool(doc, TRACUU_TERM_PARENT, fields->parent);
    add_bool(doc, TRACUU_TERM_MIME, fields->mime);
    add_bool(doc, TRACUU_TERM_ARTICLE, fields->article);
    index_access(doc, fields);

    /* Values: display forms, for sorting and facets. */
    set_value(doc, TRACUU_SLOT_DOC_TYPE, fields->doc_type);
    set_value(doc, TRACUU_SLOT_ISSUER, fields->issuer);
    set_value(doc, TRACUU_SLOT_KIND, fields->kind);

    gsize data_len = 0;
    g_autofree char *data = build_data(fields, &data_len);
    tracuu_store_doc_set_data(doc, data, data_len);
    g_ptr_array_unref(cc.found);
    g_hash_table_unref(cc.seen);

    *unique_term = g_steal_pointer(&q);
    return doc;
}

static GIOErrorEnum
io_error_of(tracuu_store_status st)
{
    switch (st) {
    case TRACUU_STORE_INVALID:
        return G_IO_ERROR_INVALID_ARGUMENT;
    case TRACUU_STORE_LOCKED:
        return G_IO_ERROR_BUSY;
    case TRACUU_STORE_READ_ONLY:
        return G_IO_ERROR_READ_ONLY;
    case TRACUU_STORE_NOT_FOUND:
        return G_IO_ERROR_NOT_FOUND;
    case TRACUU_STORE_TIMEOUT:
        return G_IO_ERROR_TIMED_OUT;
    default:
        return G_IO_ERROR_FAILED;
    }
}

/* ---- Article units ---- */

/* The fields of article unit @i of @s, from the whole document's @f; strings it makes go to
 * @keep. */
static void
article_fields(const tracuu_docfields *f, const tracuu_legal_structure *s, gsize i, GPtrArray *keep,
               tracuu_docfields *out)
{
    const tracuu_legal_unit *u = &s->units[i];
    *out = (tracuu_docfields){0};
    char *id = u->block == 0 ? g_strdup_printf("%s#dieu-%s", f->id, u->number)
                             : g_strdup_printf("%s#dieu-%s-%u", f->id, u->number, u->block + 1);
    char *text = g_strndup(f->text + u->start, u->end - u->start);
    char *title = *u->title ? g_strdup_printf("Điều %s. %s", u->number, u->title)
                            : g_strdup_printf("Điều %s", u->number);
    int ch = tracuu_legal_structure_get_enclosing(s, i, TRACUU_LEGAL_CHAPTER);
    char *chapter = ch >= 0 ? tracuu_legal_structure_dup_label(s, (gsize)ch) : NULL;
    g_ptr_array_add(keep, id);
    g_ptr_array_add(keep, text);
    g_ptr_array_add(keep, title);
    if (chapter)
        g_ptr_array_add(keep, chapter);
    out->id = id;
    out->kind = TRACUU_KIND_ARTICLE;
    out->parent = f->id;
    out->text = text;
    out->title = title;
    out->article = u->number;
    out->heading = u->title;
    out->chapter = chapter;
    out->doc_title = f->title;
    out->cites_from_text = TRUE;
    /* What the parent's hits show and what access and deletion by file need. */
    out->file_key = f->file_key;
    out->path = f->path;
    out->mime = f->mime;
    out->number = f->number;
    out->doc_type = f->doc_type;
    out->issuer = f->issuer;
    out->date = f->date;
    out->signer = f->signer;
    out->access = f->access;
    out->n_access = f->n_access;
    out->secrecy = f->secrecy;
    out->stamp = f->stamp;
    out->participants = f->participants;
    out->n_participants = f->n_participants;
    /* The participants a mail's own addresses give: an article of a message is seen by them. */
    out->from = f->from;
    out->n_from = f->n_from;
    out->to = f->to;
    out->n_to = f->n_to;
    out->cc = f->cc;
    out->n_cc = f->n_cc;
}

gboolean
tracuu_docwriter_build_all(tracuu_tokenizer *tk, const tracuu_docfields *fields, GPtrArray *terms,
                           GPtrArray *docs, GError **error)
{
    char *unique = NULL;
    tracuu_store_doc *doc = tracuu_docwriter_build(tk, fields, &unique, error);
    if (!doc)
        return FALSE;
    guint first = terms->len;
    g_ptr_array_add(terms, unique);
    g_ptr_array_add(docs, doc);
    if (fields->kind && strcmp(fields->kind, TRACUU_KIND_ARTICLE) == 0)
        return TRUE;
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(fields->text, -1);
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    for (gsize i = 0; i < s->n_units; i++) {
        if (s->units[i].level != TRACUU_LEGAL_ARTICLE)
            continue;
        tracuu_docfields af;
        g_ptr_array_set_size(keep, 0);
        article_fields(fields, s, i, keep, &af);
        char *t = NULL;
        tracuu_store_doc *d = tracuu_docwriter_build(tk, &af, &t, error);
        if (!d) {
            /* Nothing appended: the caller's arrays are as they were. */
            g_ptr_array_remove_range(terms, first, terms->len - first);
            g_ptr_array_remove_range(docs, first, docs->len - first);
            return FALSE;
        }
        g_ptr_array_add(terms, t);
        g_ptr_array_add(docs, d);
    }
    return TRUE;
}

gboolean
tracuu_docwriter_add(tracuu_store *store, tracuu_tokenizer *tk, const tracuu_docfields *fields,
                     GError **error)
{
    g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) docs =
        g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_store_doc_free);
    if (!tracuu_docwriter_build_all(tk, fields, terms, docs, error))
        return FALSE;
    g_autofree char *children = tracuu_schema_bool_term(TRACUU_TERM_PARENT, fields->id);
    tracuu_store_status st = TRACUU_STORE_OK;
    /* A document from a file loses its old units with the file (XF); one without a file (an
     * imported line) has no children but its units, found by XP. */
    if (children && !fields->file_key &&
        (!fields->kind || strcmp(fields->kind, TRACUU_KIND_ARTICLE) != 0))
        st = tracuu_store_delete(store, children);
    for (guint i = 0; st == TRACUU_STORE_OK && i < terms->len; i++)
        st = tracuu_store_replace(store, terms->pdata[i], docs->pdata[i], NULL);
    if (st != TRACUU_STORE_OK) {
        g_set_error(error, G_IO_ERROR, io_error_of(st), "cannot store document %s: %s: %s",
                    fields->id, tracuu_store_status_name(st), tracuu_store_get_error(store));
        return FALSE;
    }
    return TRUE;
}

/* ---- Relabelling ---- */

const char *const tracuu_docwriter_relabel_prefixes[] = {TRACUU_PREFIX_LABEL, TRACUU_PREFIX_LEVEL,
                                                         NULL};

gboolean
tracuu_docwriter_relabel(tracuu_store_doc *edit, const char *data, gsize len,
                         const char *const *labels, const char *level, GError **error)
{
    const char *nul = memchr(data, '\0', len);
    gsize fields_len = nul != NULL ? (gsize)(nul - data) : len;
    g_autoptr(JsonParser) parser = json_parser_new();
    JsonNode *root = NULL;
    if (json_parser_load_from_data(parser, data, (gssize)fields_len, NULL))
        root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "document writer: a stored document's fields are not a JSON object");
        return FALSE;
    }
    JsonObject *old = json_node_get_object(root);
    const char *id = json_object_get_string_member_with_default(old, "id", "?");
    const char *stamp = json_object_get_string_member_with_default(old, "stamp", NULL);
    const char *secrecy = tracuu_docwriter_secrecy_max(stamp, level);
    size_t n = labels != NULL ? g_strv_length((char **)labels) : 0;
    /* The same checks as a document built anew. */
    tracuu_docfields f = {0};
    f.id = id;
    f.access = labels;
    f.n_access = n;
    f.secrecy = secrecy;
    if (!check_access(&f, error))
        return FALSE;
    if (secrecy != NULL && strcmp(secrecy, "none") == 0)
        secrecy = NULL;

    /* The stored fields again in the table's order, as build_data() writes them. */
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        if (!(fi->flags & TRACUU_FIELD_STORED))
            continue;
        if (i == TRACUU_FIELD_INDEX_access) {
            json_field(b, fi, labels, n);
        } else if (i == TRACUU_FIELD_INDEX_secrecy) {
            json_field(b, fi, secrecy, secrecy != NULL);
        } else if (json_object_has_member(old, fi->name)) {
            json_builder_set_member_name(b, fi->name);
            json_builder_add_value(b, json_node_copy(json_object_get_member(old, fi->name)));
        }
    }
    json_builder_end_object(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) out = json_builder_get_root(b);
    json_generator_set_root(gen, out);
    gsize new_len = 0;
    g_autofree char *fields = json_generator_to_data(gen, &new_len);
    gsize text_len = nul != NULL ? len - fields_len - 1 : 0;
    g_autofree char *buf = g_malloc(new_len + 1 + text_len + 1);
    memcpy(buf, fields, new_len);
    buf[new_len] = '\0';
    if (text_len > 0)
        memcpy(buf + new_len + 1, nul + 1, text_len);
    buf[new_len + 1 + text_len] = '\0';
    tracuu_store_doc_set_data(edit, buf, new_len + 1 + text_len);
    add_label_terms(edit, labels, n, secrecy);
    return TRUE;
}
