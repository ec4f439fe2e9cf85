/* docwriter.c - one document's fields into the terms, values and data of the index schema. */

#include "tracuu-docwriter.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tracuu-schema.h"

/*
 * Positions left empty between the text, the title and the subject, so that a phrase or NEAR
 * query never matches across the end of one field and the start of the next.
 */
#define FIELD_GAP 100

/* ---- Terms ---- */

/*
 * Boolean terms made from metadata can be longer than Xapian takes. They are cut at
 * TRACUU_STORE_MAX_TERM bytes, as searchd cuts the terms of its filters, so that both sides
 * still make the same term.
 */
static void
add_bool(tracuu_store_doc *doc, const char *prefix, const char *value)
{
    if (!value || !*value)
        return;
    g_autofree char *t = g_strconcat(prefix, value, NULL);
    tracuu_store_doc_add_term(doc, t, MIN(strlen(t), (size_t)TRACUU_STORE_MAX_TERM), 0);
}

/* A boolean term of the folded form of @value (the schema's default normalisation). */
static void
add_bool_folded(tracuu_store_doc *doc, const char *prefix, const char *value)
{
    if (!value || !*value)
        return;
    g_autofree char *f = tracuu_text_fold(value, -1);
    add_bool(doc, prefix, f);
}

/* A document number in folded docnum form, or folded text when it does not parse as one. */
static void
add_docnum(tracuu_store_doc *doc, const char *prefix, const char *value)
{
    if (!value || !*value)
        return;
    g_autofree char *folded = NULL;
    if (tracuu_docnum_normalize(value, -1, NULL, &folded))
        add_bool(doc, prefix, folded);
    else
        add_bool_folded(doc, prefix, value);
}

/* What a tokenizer callback writes, and where. */
typedef struct {
    tracuu_store_doc *doc;
    const char *accented_prefix; /* NULL: no accented term */
    const char *folded_prefix;   /* NULL: no folded term */
    gboolean boolean;            /* wdf 0, no position: words of names */
    gboolean words_only;         /* skip the TRACUU_TOKEN_PART pieces */
    gboolean parts_only;         /* only the TRACUU_TOKEN_PART pieces */
    GString *buf;
} posting_ctx;

static void
put_term(posting_ctx *c, const char *prefix, const char *term, size_t len, uint32_t pos)
{
    g_string_assign(c->buf, prefix);
    g_string_append_len(c->buf, term, (gssize)len);
    if (c->boolean)
        tracuu_store_doc_add_term(c->doc, c->buf->str, MIN(c->buf->len,
                                  (gsize)TRACUU_STORE_MAX_TERM), 0);
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
    if (c->accented_prefix)
        put_term(c, c->accented_prefix, token->term, token->term_len, token->pos);
    if (c->folded_prefix)
        put_term(c, c->folded_prefix, token->folded, token->folded_len, token->pos);
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
    posting_ctx c = {.doc = doc, .folded_prefix = prefix, .boolean = TRUE,
                     .words_only = !pieces, .parts_only = pieces, .buf = buf};
    index_text(tk, &c, text, 1);
}

/* ---- Mail addresses ---- */

typedef struct {
    char *name;    /* display name without quotes, or NULL */
    char *address; /* lowercase, or NULL */
} mailbox;

static void
mailbox_clear(mailbox *m)
{
    g_free(m->name);
    g_free(m->address);
}

/* Parses one "Name <addr>", "addr" or "Name" entry. */
static void
parse_mailbox(const char *entry, mailbox *out)
{
    out->name = NULL;
    out->address = NULL;
    g_autofree char *e = g_strstrip(g_strdup(entry));
    const char *lt = strrchr(e, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    g_autofree char *name = NULL;
    if (lt && gt) {
        g_autofree char *addr = g_strstrip(g_strndup(lt + 1, (gsize)(gt - lt - 1)));
        if (*addr)
            out->address = g_utf8_strdown(addr, -1);
        name = g_strndup(e, (gsize)(lt - e));
    } else if (strchr(e, '@') && !strchr(e, ' ')) {
        out->address = g_utf8_strdown(e, -1);
    } else {
        name = g_strdup(e);
    }
    if (name) {
        g_strdelimit(name, "\"", ' ');
        g_strstrip(name);
        if (*name)
            out->name = g_steal_pointer(&name);
    }
}

/* Splits an address list at the commas that are outside quotes and angle brackets. */
static GArray *
parse_mailboxes(const char *list)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(mailbox));
    g_array_set_clear_func(out, (GDestroyNotify)mailbox_clear);
    if (!list)
        return out;
    gboolean quoted = FALSE, angle = FALSE;
    const char *start = list;
    for (const char *p = list;; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == '<' && !quoted)
            angle = TRUE;
        else if (*p == '>' && !quoted)
            angle = FALSE;
        if (*p == '\0' || ((*p == ',' || *p == ';') && !quoted && !angle)) {
            g_autofree char *entry = g_strndup(start, (gsize)(p - start));
            mailbox m;
            parse_mailbox(entry, &m);
            if (m.name || m.address)
                g_array_append_val(out, m);
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    return out;
}

/*
 * Address terms (@addr_prefix + lowercase address) and word terms (@word_prefix + folded word
 * of the name, and the pieces of the address, so that from:vanthu finds vanthu@...).
 */
static void
index_mailboxes(tracuu_tokenizer *tk, tracuu_store_doc *doc, GString *buf,
                const char *addr_prefix, const char *word_prefix, const char *list)
{
    g_autoptr(GArray) boxes = parse_mailboxes(list);
    for (guint i = 0; i < boxes->len; i++) {
        const mailbox *m = &g_array_index(boxes, mailbox, i);
        add_bool(doc, addr_prefix, m->address);
        index_words(tk, doc, buf, word_prefix, m->name, FALSE);
        index_words(tk, doc, buf, word_prefix, m->address, TRUE);
    }
}

/* ---- Dates ---- */

/*
 * "YYYY-MM-DD", "YYYY-MM" or "YYYY" (other separators are accepted) into its digits
 * "YYYYMMDD", "YYYYMM" or "YYYY". Returns NULL for anything else.
 */
static char *
compact_date(const char *date)
{
    if (!date)
        return NULL;
    g_autofree char *trimmed = g_strstrip(g_strdup(date));
    size_t tlen = strlen(trimmed);
    gboolean all_digits = tlen > 0;
    for (size_t i = 0; i < tlen; i++)
        all_digits = all_digits && g_ascii_isdigit(trimmed[i]);
    /* Already compact ("20081203"): put the separators back and check it the same way. */
    if (all_digits && (tlen == 6 || tlen == 8)) {
        g_autofree char *sep = tlen == 6 ? g_strdup_printf("%.4s-%.2s", trimmed, trimmed + 4)
                                         : g_strdup_printf("%.4s-%.2s-%.2s", trimmed,
                                                           trimmed + 4, trimmed + 6);
        return compact_date(sep);
    }
    char digits[9];
    int n = 0, groups = 0, in_group = 0;
    static const int group_len[] = {4, 2, 2};
    for (const char *p = date; *p; p++) {
        if (g_ascii_isdigit(*p)) {
            if (groups >= 3 || in_group >= group_len[groups] || n >= 8)
                return NULL;
            digits[n++] = *p;
            in_group++;
        } else if (*p == '-' || *p == '/' || *p == '.') {
            if (groups >= 3 || in_group != group_len[groups])
                return NULL;
            groups++;
            in_group = 0;
        } else if (*p != ' ') {
            return NULL;
        }
    }
    if (groups >= 3 || in_group != group_len[groups])
        return NULL;
    digits[n] = '\0';
    if (n >= 6) {
        int month = (digits[4] - '0') * 10 + (digits[5] - '0');
        if (month < 1 || month > 12)
            return NULL;
    }
    if (n == 8) {
        int day = (digits[6] - '0') * 10 + (digits[7] - '0');
        if (day < 1 || day > 31)
            return NULL;
    }
    return g_strdup(digits);
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
json_member(JsonBuilder *b, const char *name, const char *value)
{
    if (!value)
        return;
    json_builder_set_member_name(b, name);
    if (g_utf8_validate(value, -1, NULL)) {
        json_builder_add_string_value(b, value);
    } else {
        g_autofree char *valid = g_utf8_make_valid(value, -1);
        json_builder_add_string_value(b, valid);
    }
}

static char *
build_data(const tracuu_docfields *f, gsize *len)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_member(b, "id", f->id);
    json_member(b, "path", f->path);
    json_member(b, "kind", f->kind);
    json_member(b, "mime", f->mime);
    json_member(b, "title", f->title);
    json_member(b, "number", f->number);
    json_member(b, "doc_type", f->doc_type);
    json_member(b, "issuer", f->issuer);
    json_member(b, "date", f->date);
    json_member(b, "signer", f->signer);
    if (f->cites && f->n_cites > 0) {
        json_builder_set_member_name(b, "cites");
        json_builder_begin_array(b);
        for (gsize i = 0; i < f->n_cites; i++) {
            if (!f->cites[i])
                continue;
            if (g_utf8_validate(f->cites[i], -1, NULL)) {
                json_builder_add_string_value(b, f->cites[i]);
            } else {
                g_autofree char *valid = g_utf8_make_valid(f->cites[i], -1);
                json_builder_add_string_value(b, valid);
            }
        }
        json_builder_end_array(b);
    }
    json_member(b, "subject", f->subject);
    json_member(b, "from", f->from);
    json_member(b, "to", f->to);
    json_member(b, "cc", f->cc);
    json_member(b, "message_id", f->message_id);
    json_member(b, "in_reply_to", f->in_reply_to);
    json_member(b, "parent", f->parent);
    json_member(b, "attachment", f->attachment);
    if (f->pages && f->n_pages > 0) {
        json_builder_set_member_name(b, "pages");
        json_builder_begin_array(b);
        for (gsize i = 0; i < f->n_pages; i++)
            json_builder_add_int_value(b, (gint64)f->pages[i]);
        json_builder_end_array(b);
    }
    json_member(b, "text", f->text);
    json_builder_end_object(b);

    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    return json_generator_to_data(gen, len);
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

    /* Body: every token accented and folded at its position; then the title after a gap. */
    posting_ctx body = {.doc = doc, .accented_prefix = "", .folded_prefix = TRACUU_PREFIX_FOLDED,
                        .buf = buf};
    uint32_t next = index_text(tk, &body, fields->text, 1);
    if (fields->title && *fields->title) {
        uint32_t title_pos = next + FIELD_GAP;
        next = index_text(tk, &body, fields->title, title_pos);
        /* The title's own terms at the same positions as its copy in the body, so that a
         * phrase mixing S/XS and body terms can only match inside the title. */
        posting_ctx title = {.doc = doc, .accented_prefix = TRACUU_PREFIX_TITLE,
                             .folded_prefix = TRACUU_PREFIX_TITLE_FOLDED, .buf = buf};
        index_text(tk, &title, fields->title, title_pos);
    }
    if (fields->subject && *fields->subject) {
        posting_ctx subject = {.doc = doc, .folded_prefix = TRACUU_PREFIX_SUBJECT, .buf = buf};
        next = index_text(tk, &subject, fields->subject, next + FIELD_GAP);
    }

    /* Boolean terms. Ids, file keys and Message-IDs are kept as given: they are compared
     * exactly, and folding would lowercase them. */
    tracuu_store_doc_add_term(doc, q, strlen(q), 0);
    add_bool(doc, TRACUU_PREFIX_FILE, fields->file_key);
    add_bool_folded(doc, TRACUU_PREFIX_KIND, fields->kind);
    add_docnum(doc, TRACUU_PREFIX_NUMBER, fields->number);
    for (gsize i = 0; fields->cites && i < fields->n_cites; i++)
        add_docnum(doc, TRACUU_PREFIX_CITES, fields->cites[i]);
    add_bool_folded(doc, TRACUU_PREFIX_TYPE, fields->doc_type);
    add_bool_folded(doc, TRACUU_PREFIX_ISSUER, fields->issuer);
    index_words(tk, doc, buf, TRACUU_PREFIX_ISSUER_WORD, fields->issuer, FALSE);
    add_bool_folded(doc, TRACUU_PREFIX_SIGNER, fields->signer);

    g_autofree char *date = compact_date(fields->date);
    if (date) {
        add_bool(doc, TRACUU_PREFIX_DATE, strlen(date) == 8 ? date : NULL);
        g_autofree char *year = g_strndup(date, 4);
        add_bool(doc, TRACUU_PREFIX_YEAR, year);
        g_autofree char *month = strlen(date) >= 6 ? g_strndup(date, 6) : NULL;
        add_bool(doc, TRACUU_PREFIX_MONTH, month);
        tracuu_store_doc_set_value(doc, TRACUU_SLOT_DATE, date, strlen(date));
        tracuu_store_doc_set_value(doc, TRACUU_SLOT_YEAR, year, 4);
    }

    index_mailboxes(tk, doc, buf, TRACUU_PREFIX_FROM, TRACUU_PREFIX_FROM_WORD, fields->from);
    index_mailboxes(tk, doc, buf, TRACUU_PREFIX_TO, TRACUU_PREFIX_TO_WORD, fields->to);
    index_mailboxes(tk, doc, buf, TRACUU_PREFIX_TO, TRACUU_PREFIX_TO_WORD, fields->cc);
    if (fields->message_id) {
        g_autofree char *mid = g_strstrip(g_strdup(fields->message_id));
        size_t n = strlen(mid);
        if (n >= 2 && mid[0] == '<' && mid[n - 1] == '>') {
            mid[n - 1] = '\0';
            add_bool(doc, TRACUU_PREFIX_MESSAGE_ID, mid + 1);
        } else {
            add_bool(doc, TRACUU_PREFIX_MESSAGE_ID, mid);
        }
    }
    add_bool(doc, TRACUU_PREFIX_PARENT, fields->parent);
    if (fields->mime) {
        g_autofree char *mime = g_ascii_strdown(fields->mime, -1);
        add_bool(doc, TRACUU_PREFIX_MIME, g_strstrip(mime));
    }

    /* Values: display forms, for sorting and facets. */
    set_value(doc, TRACUU_SLOT_DOC_TYPE, fields->doc_type);
    set_value(doc, TRACUU_SLOT_ISSUER, fields->issuer);
    set_value(doc, TRACUU_SLOT_KIND, fields->kind);
    set_value(doc, TRACUU_SLOT_NUMBER, fields->number);

    gsize data_len = 0;
    g_autofree char *data = build_data(fields, &data_len);
    tracuu_store_doc_set_data(doc, data, data_len);

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

gboolean
tracuu_docwriter_add(tracuu_store *store, tracuu_tokenizer *tk, const tracuu_docfields *fields,
                     GError **error)
{
    g_autofree char *unique = NULL;
    tracuu_store_doc *doc = tracuu_docwriter_build(tk, fields, &unique, error);
    if (!doc)
        return FALSE;
    tracuu_store_status st = tracuu_store_replace(store, unique, doc, NULL);
    tracuu_store_doc_free(doc);
    if (st != TRACUU_STORE_OK) {
        g_set_error(error, G_IO_ERROR, io_error_of(st), "cannot store document %s: %s: %s",
                    fields->id, tracuu_store_status_name(st), tracuu_store_get_error(store));
        return FALSE;
    }
    return TRUE;
}
