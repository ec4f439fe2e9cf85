/* worker.c - extraction in tracuu-indexer's child processes, and their pipe protocol. */
#include "indexer-private.h"

#include "extract-ocr.h"
#include "extract-private.h"
#include "tracuu-docmeta.h"
#include "tracuu-docwriter.h"
#include "tracuu-extract.h"
#include "tracuu-schema-rules.h"

#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* ---- frames ---- */

static gboolean
write_all(int fd, const void *data, gsize len, GError **error)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "pipe: %s", g_strerror(e));
            return FALSE;
        }
        p += n;
        len -= (gsize)n;
    }
    return TRUE;
}

gboolean
tracuu_frame_write(int fd, GVariant *v, GError **error)
{
    gsize size = g_variant_get_size(v);
    if (size > TRACUU_FRAME_MAX) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                    "a result of %" G_GSIZE_FORMAT " bytes is over the limit", size);
        return FALSE;
    }
    guint32 len = GUINT32_TO_LE((guint32)size);
    if (!write_all(fd, &len, 4, error))
        return FALSE;
    /* g_variant_get_data() serializes in place once; the variant keeps the bytes. */
    return write_all(fd, g_variant_get_data(v), size, error);
}

GVariant *
tracuu_frame_take(GByteArray *buf, const char *type, gboolean *bad)
{
    *bad = FALSE;
    if (buf->len < 4)
        return NULL;
    guint32 len;
    memcpy(&len, buf->data, 4);
    len = GUINT32_FROM_LE(len);
    if (len > TRACUU_FRAME_MAX) {
        *bad = TRUE;
        return NULL;
    }
    if (buf->len - 4 < len)
        return NULL;
    GBytes *bytes = g_bytes_new(buf->data + 4, len);
    g_byte_array_remove_range(buf, 0, len + 4);
    GVariant *v = g_variant_new_from_bytes(G_VARIANT_TYPE(type), bytes, FALSE);
    g_bytes_unref(bytes);
    g_variant_ref_sink(v);
    /* Bytes from another process are checked once here, so readers can trust them. */
    if (!g_variant_is_normal_form(v)) {
        GVariant *n = g_variant_get_normal_form(v);
        g_variant_unref(v);
        v = n;
    }
    return v;
}

/* ---- the worker ---- */

static gboolean
read_all(int fd, void *data, gsize len)
{
    char *p = data;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        p += n;
        len -= (gsize)n;
    }
    return TRUE;
}

static GVariant *
read_job(int fd)
{
    guint32 len;
    if (!read_all(fd, &len, 4))
        return NULL;
    len = GUINT32_FROM_LE(len);
    if (len > 1024 * 1024)
        return NULL;
    GByteArray *buf = g_byte_array_sized_new(len + 4);
    guint32 le = GUINT32_TO_LE(len);
    g_byte_array_append(buf, (const guint8 *)&le, 4);
    g_byte_array_set_size(buf, len + 4);
    if (!read_all(fd, buf->data + 4, len)) {
        g_byte_array_unref(buf);
        return NULL;
    }
    gboolean bad;
    GVariant *v = tracuu_frame_take(buf, TRACUU_JOB_TYPE, &bad);
    g_byte_array_unref(buf);
    return v;
}

/* ---- fields on the pipe: driven by the field table (store/tracuu-fields.h) ---- */

static const char *const pipe_types[] = {
    [TRACUU_FIELD_STRING] = "ay",     [TRACUU_FIELD_DATE] = "ay",
    [TRACUU_FIELD_STRV] = "aay",      [TRACUU_FIELD_MAILBOXES] = "a(ayay)",
    [TRACUU_FIELD_OFFSETS] = "at",    [TRACUU_FIELD_RELATIONS] = "a(ayayaay)",
    [TRACUU_FIELD_BOOL] = "b",
};

static GVariant *
pipe_value(const tracuu_field_info *fi, const void *v, size_t n)
{
    switch (fi->type) {
    case TRACUU_FIELD_STRING:
    case TRACUU_FIELD_DATE:
        return g_variant_new_bytestring(v);
    case TRACUU_FIELD_STRV: {
        GVariantBuilder b;
        g_variant_builder_init(&b, G_VARIANT_TYPE("aay"));
        for (size_t i = 0; i < n; i++)
            if (((const char *const *)v)[i] != NULL)
                g_variant_builder_add(&b, "^ay", ((const char *const *)v)[i]);
        return g_variant_builder_end(&b);
    }
    case TRACUU_FIELD_MAILBOXES: {
        GVariantBuilder b;
        g_variant_builder_init(&b, G_VARIANT_TYPE("a(ayay)"));
        for (size_t i = 0; i < n; i++) {
            const tracuu_mailbox *m = &((const tracuu_mailbox *)v)[i];
            g_variant_builder_add(&b, "(^ay^ay)", m->name != NULL ? m->name : "",
                                  m->address != NULL ? m->address : "");
        }
        return g_variant_builder_end(&b);
    }
    case TRACUU_FIELD_OFFSETS:
        return g_variant_new_fixed_array(G_VARIANT_TYPE_UINT64, v, n, sizeof(guint64));
    case TRACUU_FIELD_RELATIONS: {
        GVariantBuilder b;
        g_variant_builder_init(&b, G_VARIANT_TYPE("a(ayayaay)"));
        for (size_t i = 0; i < n; i++) {
            const tracuu_relation *r = &((const tracuu_relation *)v)[i];
            GVariantBuilder arts;
            g_variant_builder_init(&arts, G_VARIANT_TYPE("aay"));
            for (size_t k = 0; k < r->n_articles; k++)
                if (r->articles[k] != NULL)
                    g_variant_builder_add(&arts, "^ay", r->articles[k]);
            g_variant_builder_add(&b, "(^ay^ayaay)", r->kind != NULL ? r->kind : "",
                                  r->number != NULL ? r->number : "", &arts);
        }
        return g_variant_builder_end(&b);
    }
    case TRACUU_FIELD_BOOL:
        return g_variant_new_boolean(TRUE);
    }
    g_assert_not_reached();
}

GVariant *
tracuu_pipe_fields(const tracuu_docfields *f)
{
    GVariantBuilder b;
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        size_t n = 0;
        const void *v = tracuu_field_get(f, fi, &n);
        if (v == NULL || n == 0)
            continue;
        if (!tracuu_field_is_array(fi) && fi->type != TRACUU_FIELD_BOOL &&
            *(const char *)v == '\0' && !(fi->flags & TRACUU_FIELD_REQUIRED))
            continue;
        g_variant_builder_add(&b, "{sv}", fi->name, pipe_value(fi, v, n));
    }
    return g_variant_builder_end(&b);
}

static const tracuu_field_info *
field_named(const char *name)
{
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++)
        if (strcmp(tracuu_field_table[i].name, name) == 0)
            return &tracuu_field_table[i];
    return NULL;
}

void
tracuu_pipe_fields_read(GVariant *dict, tracuu_docfields *f, GPtrArray *keep)
{
    memset(f, 0, sizeof *f);
    GVariantIter it;
    const char *name;
    GVariant *value;
    g_variant_iter_init(&it, dict);
    while (g_variant_iter_next(&it, "{&sv}", &name, &value)) {
        const tracuu_field_info *fi = field_named(name);
        if (fi == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE(pipe_types[fi->type]))) {
            g_variant_unref(value);
            continue;
        }
        /* @dict holds @value: what is borrowed from it stays valid while @dict lives. */
        switch (fi->type) {
        case TRACUU_FIELD_STRING:
        case TRACUU_FIELD_DATE:
            tracuu_field_set(f, fi, g_variant_get_bytestring(value), 1);
            break;
        case TRACUU_FIELD_STRV: {
            gsize n = 0;
            const char **strv = g_variant_get_bytestring_array(value, &n);
            g_ptr_array_add(keep, strv);
            tracuu_field_set(f, fi, strv, n);
            break;
        }
        case TRACUU_FIELD_MAILBOXES: {
            gsize n = g_variant_n_children(value);
            tracuu_mailbox *boxes = g_new0(tracuu_mailbox, MAX(n, 1));
            for (gsize i = 0; i < n; i++) {
                const char *nm, *addr;
                g_variant_get_child(value, i, "(^&ay^&ay)", &nm, &addr);
                boxes[i].name = *nm != '\0' ? nm : NULL;
                boxes[i].address = *addr != '\0' ? addr : NULL;
            }
            g_ptr_array_add(keep, boxes);
            tracuu_field_set(f, fi, boxes, n);
            break;
        }
        case TRACUU_FIELD_OFFSETS: {
            gsize n = 0;
            const guint64 *offsets = g_variant_get_fixed_array(value, &n, sizeof(guint64));
            tracuu_field_set(f, fi, offsets, n);
            break;
        }
        case TRACUU_FIELD_RELATIONS: {
            gsize n = g_variant_n_children(value);
            tracuu_relation *rels = g_new0(tracuu_relation, MAX(n, 1));
            for (gsize i = 0; i < n; i++) {
                g_autoptr(GVariant) arts = NULL;
                g_variant_get_child(value, i, "(^&ay^&ay@aay)", &rels[i].kind, &rels[i].number,
                                    &arts);
                gsize na = 0;
                const char **strv = g_variant_get_bytestring_array(arts, &na);
                g_ptr_array_add(keep, strv);
                rels[i].articles = strv;
                rels[i].n_articles = na;
            }
            g_ptr_array_add(keep, rels);
            tracuu_field_set(f, fi, rels, n);
            break;
        }
        case TRACUU_FIELD_BOOL:
            tracuu_field_set(f, fi, g_variant_get_boolean(value) ? fi->name : NULL, 1);
            break;
        }
        g_variant_unref(value);
    }
}

typedef struct {
    const char *file_key;
    const char *path_shown; /* UTF-8 */
    GVariantBuilder docs;
} flatten_ctx;

/*
 * Where the original bytes of @child of @ex are, given @loc, those of @ex (NULL: none), in
 * @out; NULL for none. The messages of an mbox that is the file itself have their span in it;
 * a document inside a message its part path from the top message (extract-mail.c), which a
 * document that came out of a zip lacks, and so do all below it.
 */
static const tracuu_schema_source *
child_source(const tracuu_extracted *ex, const tracuu_extracted *child,
             const tracuu_schema_source *loc, tracuu_schema_source *out)
{
    if (loc == NULL)
        return NULL;
    *out = *loc;
    if (g_strcmp0(ex->kind, "mbox") == 0) {
        if (loc->offset >= 0 || loc->part != NULL || child->span_offset < 0)
            return NULL; /* an attached mbox was read from a temporary copy */
        out->offset = child->span_offset;
        out->length = child->span_length;
        return out;
    }
    if (child->part == NULL)
        return NULL;
    out->part = child->part;
    return out;
}

static const tracuu_mailbox *
boxes_of(const GArray *a, size_t *n)
{
    *n = a != NULL ? a->len : 0;
    return a != NULL && a->len > 0 ? (const tracuu_mailbox *)(const void *)a->data : NULL;
}

/*
 * The participants of the documents inside @ex: @inherited (those of the messages around it)
 * and, for a message, the addresses of its own From, To and Cc, lowercase, each once.
 * Borrowed strings from @inherited and @ex, in a new array the caller unrefs.
 */
static GPtrArray *
participants_inside(const tracuu_extracted *ex, const GPtrArray *inherited, GPtrArray *keep)
{
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; inherited != NULL && i < inherited->len; i++)
        g_ptr_array_add(out, inherited->pdata[i]);
    const GArray *lists[] = {ex->from, ex->to, ex->cc};
    for (size_t k = 0; k < G_N_ELEMENTS(lists); k++) {
        for (guint i = 0; lists[k] != NULL && i < lists[k]->len; i++) {
            const tracuu_mailbox *m = &g_array_index(lists[k], tracuu_mailbox, i);
            if (m->address == NULL)
                continue;
            char *a = g_strstrip(g_utf8_strdown(m->address, -1));
            gboolean seen = *a == '\0';
            for (guint j = 0; !seen && j < out->len; j++)
                seen = strcmp(out->pdata[j], a) == 0;
            if (seen) {
                g_free(a);
                continue;
            }
            g_ptr_array_add(keep, a);
            g_ptr_array_add(out, a);
        }
    }
    return out;
}

/* @participants: of the messages around @ex (tracuu-fields.h), NULL for none. */
static void
emit_doc(flatten_ctx *ctx, const tracuu_extracted *ex, const char *id, const char *parent,
         const GPtrArray *participants, const tracuu_schema_source *loc)
{
    g_autoptr(tracuu_docmeta) meta = tracuu_docmeta_extract(ex->text != NULL ? ex->text : "", -1);
    gboolean is_mail = g_strcmp0(ex->kind, "mail") == 0;

    tracuu_docfields f = {0};
    f.id = id;
    f.file_key = ctx->file_key;
    f.path = ctx->path_shown;
    f.kind = ex->kind;
    f.mime = ex->mime;
    f.text = ex->text != NULL ? ex->text : "";

    /*
     * The title shown for a hit: a mail's subject; for a document, the trích yếu its header
     * gives (PDF Title fields are often "Microsoft Word - x.doc"), else the format's own title,
     * else the schema's fallback (the attachment's name, the first line, the file's name).
     */
    g_autofree char *title = NULL;
    if (is_mail)
        f.title = ex->subject != NULL ? ex->subject : ex->title;
    else
        f.title = title = tracuu_schema_title(meta->title != NULL ? meta->title : ex->title,
                                              NULL, ex->attachment, f.text,
                                              parent == NULL ? ctx->path_shown : NULL, NULL);
    f.number = meta->number;
    f.doc_type = meta->doc_type;
    f.issuer = meta->issuer;
    /* A mail is dated by its Date header; a document by the date its header states. */
    f.date = is_mail ? (ex->created != NULL ? ex->created : meta->date)
                     : (meta->date != NULL ? meta->date : ex->created);
    f.signer = meta->signer;
    g_autofree tracuu_relation *relations = tracuu_docmeta_relations_fields(meta, &f.n_relations);
    f.relations = relations;
    f.effective_date = meta->effective_date;
    f.end_date = meta->end_date;
    f.subject = ex->subject;
    f.from = boxes_of(ex->from, &f.n_from);
    f.to = boxes_of(ex->to, &f.n_to);
    f.cc = boxes_of(ex->cc, &f.n_cc);
    f.message_id = ex->message_id;
    f.in_reply_to = ex->in_reply_to;
    f.parent = parent;
    f.attachment = ex->attachment;
    /* The printed stamp only: the labels and the level the access map gives the file are
     * set by tracuu-indexer's own process (pipeline.c), so that a relabel needs no worker. */
    f.stamp = meta->secrecy;
    f.ocr = ex->ocr;
    if (participants != NULL && participants->len > 0) {
        f.participants = (const char *const *)participants->pdata;
        f.n_participants = participants->len;
    }
    if (ex->pages != NULL && ex->pages->len > 0) {
        f.pages = (const uint64_t *)(const void *)ex->pages->data;
        f.n_pages = ex->pages->len;
    }
    if (ex->ocr_pages != NULL && ex->ocr_pages->len > 0) {
        f.ocr_pages = (const uint64_t *)(const void *)ex->ocr_pages->data;
        f.n_ocr_pages = ex->ocr_pages->len;
    }
    g_autofree char *source = loc != NULL ? tracuu_schema_source_format(loc) : NULL;
    f.source = source;
    /* No cites: the document writer finds them as it tokenizes the text (cites_from_text,
     * which the parent sets for the documents of files). */
    g_variant_builder_add_value(&ctx->docs, tracuu_pipe_fields(&f));
}

/*
 * Documents out of @ex and its children, with the ids of store/tracuu-schema.h. A message's
 * participants go down to its attachments (and theirs), so that whoever may see a message
 * sees what came with it; the messages of an mbox are each their own.
 */
static void
flatten(flatten_ctx *ctx, const tracuu_extracted *ex, const char *id, const char *parent,
        const GPtrArray *participants, guint depth, const tracuu_schema_source *loc)
{
    gboolean is_mbox = g_strcmp0(ex->kind, "mbox") == 0;
    if (!is_mbox)
        emit_doc(ctx, ex, id, parent, participants, loc);
    if (ex->children == NULL || depth > 64)
        return;
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) inside = is_mbox ? NULL : participants_inside(ex, participants, keep);
    for (guint i = 0; i < ex->children->len; i++) {
        const tracuu_extracted *child = ex->children->pdata[i];
        g_autofree char *child_id = g_strdup_printf("%s%c%u", id, is_mbox ? ':' : '/', i + 1);
        tracuu_schema_source child_loc;
        flatten(ctx, child, child_id, is_mbox ? NULL : id, inside, depth + 1,
                child_source(ex, child, loc, &child_loc));
    }
}

static void
add_warnings(GVariantBuilder *b, const tracuu_extracted *ex, guint depth)
{
    for (guint i = 0; ex->warnings != NULL && i < ex->warnings->len; i++)
        g_variant_builder_add(b, "^ay", (const char *)ex->warnings->pdata[i]);
    for (guint i = 0; ex->children != NULL && depth < 64 && i < ex->children->len; i++)
        add_warnings(b, ex->children->pdata[i], depth + 1);
}

static GVariant *
failure(tracuu_result_status status, const char *reason)
{
    return g_variant_new("(y^ay@" TRACUU_DOCS_TYPE "@aay)", (guchar)status, reason,
                         g_variant_new_array(G_VARIANT_TYPE("a{sv}"), NULL, 0),
                         g_variant_new_array(G_VARIANT_TYPE_BYTESTRING, NULL, 0));
}

static tracuu_extracted *
extract_maildir_message(const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    GError *io = NULL;
    if (!g_file_get_contents(path, &data, &len, &io)) {
        g_set_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_IO, "%s", io->message);
        g_error_free(io);
        return NULL;
    }
    return tracuu_extract_mail_message(data, len, 0, error);
}

/* Test hook: TRACUU_INDEXER_FAULT="crash:NAME", "hang:NAME", "spin:NAME", "alloc:NAME" or
 * "slow:NAME" makes the worker crash, block, spin, take 1 GiB or sleep 20 ms on files whose path
 * contains NAME, so that tests can check that one file costs only itself, that the limits hold
 * and what an interrupted run does; "kill-ocr:NAME" kills the indexer (SIGKILL) when such a
 * file is sent to be read with OCR, as a kill -9 during the OCR phase would. Several faults may be
 * given, separated by commas (the indexer itself reads "fork-delay:MS"; see tracuu-indexer.c). */
static void
inject_fault(const char *fault, const char *path)
{
    const char *colon = strchr(fault, ':');
    if (colon == NULL || colon[1] == '\0' || strstr(path, colon + 1) == NULL)
        return;
    if (g_str_has_prefix(fault, "crash:")) {
        raise(SIGSEGV);
    } else if (g_str_has_prefix(fault, "hang:")) {
        for (;;)
            pause();
    } else if (g_str_has_prefix(fault, "spin:")) {
        volatile guint64 x = 0;
        for (;;)
            x++;
    } else if (g_str_has_prefix(fault, "kill-ocr:")) {
        if (!tracuu_ocr_is_deferring())
            kill(getppid(), SIGKILL);
    } else if (g_str_has_prefix(fault, "slow:")) {
        g_usleep(20000); /* a slow file, so that a test can interrupt a run in its middle */
    } else if (g_str_has_prefix(fault, "alloc:")) {
        /* 1 GiB touched in 64 MiB blocks, kept to the end of the file: a parser gone wild. */
        static char *blocks[16];
        for (int i = 0; i < 16; i++) {
            blocks[i] = malloc((size_t)64 << 20);
            if (blocks[i] == NULL)
                abort(); /* as g_malloc() would */
            memset(blocks[i], 1, (size_t)64 << 20);
        }
        for (int i = 0; i < 16; i++)
            free(blocks[i]);
    }
}

static void
maybe_inject_fault(const char *path)
{
    const char *faults = g_getenv("TRACUU_INDEXER_FAULT");
    if (faults == NULL)
        return;
    g_auto(GStrv) each = g_strsplit(faults, ",", -1);
    for (char **f = each; *f != NULL; f++)
        inject_fault(*f, path);
}

/* The result for the file at @path (whose state key is @key, the hex SHA-1 of @path): its
 * documents out of @ex, or the failure in @error. @st: the file's stat before it was read,
 * for the documents' source (NULL: they have none). */
static GVariant *
make_result(const char *path, const char *key, const struct stat *st, const tracuu_extracted *ex,
            GError *error)
{
    if (ex == NULL) {
        tracuu_result_status status = TRACUU_RESULT_FAILED;
        if (g_error_matches(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_OCR_DEFERRED))
            status = TRACUU_RESULT_OCR_DEFERRED;
        if (error != NULL && error->domain == TRACUU_EXTRACT_ERROR &&
            error->code == TRACUU_EXTRACT_ERROR_UNSUPPORTED)
            status = TRACUU_RESULT_UNSUPPORTED;
        return failure(status, error != NULL ? error->message : "extraction failed");
    }

    char file_id[17];
    memcpy(file_id, key, 16);
    file_id[16] = '\0';
    g_autofree char *shown = g_utf8_make_valid(path, -1);
    flatten_ctx ctx = {0};
    ctx.file_key = key;
    ctx.path_shown = shown;
    g_variant_builder_init(&ctx.docs, G_VARIANT_TYPE(TRACUU_DOCS_TYPE));
    tracuu_schema_source loc = {(char *)path, 0, 0, -1, 0, NULL};
    if (st != NULL) {
        loc.size = (guint64)st->st_size;
        loc.mtime_ns = tracuu_schema_source_mtime_ns(st);
    }
    flatten(&ctx, ex, file_id, NULL, NULL, 0, st != NULL ? &loc : NULL);
    GVariantBuilder warnings;
    g_variant_builder_init(&warnings, G_VARIANT_TYPE("aay"));
    add_warnings(&warnings, ex, 0);
    /* Its scanned pages are read when it is sent again: its typed pages go in now. */
    tracuu_result_status status = ex->ocr_pending ? TRACUU_RESULT_OCR_PENDING : TRACUU_RESULT_OK;
    return g_variant_new("(y^ay" TRACUU_DOCS_TYPE "aay)", (guchar)status, "", &ctx.docs, &warnings);
}

/* What the OCR page callback needs: the file being read, the pipe, the CPU budget. */
static struct {
    int out_fd;
    guint cpu_limit;
    const char *path; /* the job's path, while it is read */
} ocr_ctx = {-1, 0, NULL};

static GVariant *
process_job(GVariant *job)
{
    const char *path = NULL;
    const char *key = NULL;
    gboolean maildir = FALSE, defer_ocr = FALSE;
    g_variant_get(job, "(^&ayb&sb)", &path, &maildir, &key, &defer_ocr);
    tracuu_ocr_set_deferring(defer_ocr);
    maybe_inject_fault(path);
    ocr_ctx.path = path;

    GError *error = NULL;
    /* Before reading: a file that changes while it is read is then told changed. */
    struct stat st;
    gboolean have_stat = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    g_autoptr(tracuu_extracted) ex =
        maildir ? extract_maildir_message(path, &error) : tracuu_extract_file(path, &error);
    GVariant *r = make_result(path, key, have_stat ? &st : NULL, ex, error);
    g_clear_error(&error);
    return r;
}

/*
 * What a worker does with a small document of its own when asked to test itself: the whole
 * way of a file (libmagic, the text decoder, the metadata reader, the result), so that the
 * parent learns whether a worker can work under its limits before it gives one a real file.
 */
static GVariant *
self_test_result(void)
{
    static const char sample[] = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM\n"
                                 "Số: 1/TB-UBND\n"
                                 "Quảng Nam, ngày 2 tháng 3 năm 2021\n"
                                 "THÔNG BÁO\n"
                                 "Về việc thử khởi động của tiến trình trích xuất\n";
    GError *error = NULL;
    g_autoptr(tracuu_extracted) ex =
        tracuu_extract_buffer(sample, sizeof sample - 1, "self-test.txt", "text/plain", &error);
    char key[41];
    tracuu_state_key("/self-test.txt", key);
    GVariant *r = make_result("/self-test.txt", key, NULL, ex, error);
    g_clear_error(&error);
    return r;
}

/* Gives the coming file @cpu_limit seconds of CPU on top of what this worker used so far. */
static void
set_cpu_limit(guint cpu_limit)
{
    if (cpu_limit == 0)
        return;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return;
    rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1);
    struct rlimit rl;
    if (getrlimit(RLIMIT_CPU, &rl) != 0)
        return;
    rl.rlim_cur = used + cpu_limit;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
        rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_CPU, &rl);
}


static void
ocr_page_started(void *data, guint page, guint n_pages)
{
    (void)data;
    set_cpu_limit(ocr_ctx.cpu_limit);
    GVariant *v = g_variant_ref_sink(failure(TRACUU_RESULT_PROGRESS, ""));
    /* A lost pipe is found by the next result's write; this one is only a hint. */
    tracuu_frame_write(ocr_ctx.out_fd, v, NULL);
    g_variant_unref(v);
    /* The one line per page read by OCR (not from the cache) that --verbose shows (a worker's
     * standard error is /dev/null otherwise): how long a run will take, and, for the tests,
     * proof that a cached file is not read again. */
    g_printerr("tracuu-indexer worker: OCR page %u of %u: %s\n", page + 1, n_pages,
                   ocr_ctx.path != NULL ? ocr_ctx.path : "?");
}

void
tracuu_worker_setup_ocr(const tracuu_indexer_options *opts, int out_fd, guint cpu_limit)
{
    tracuu_ocr_options o = {0};
    if (opts->ocr == NULL || !tracuu_ocr_mode_parse(opts->ocr, &o.mode))
        o.mode = TRACUU_OCR_NEVER;
    o.languages = opts->ocr_languages;
    o.max_pages = opts->ocr_max_pages > 0 ? (guint)opts->ocr_max_pages : 0;
    o.cache_dir = opts->ocr_cache;
    o.page_started = ocr_page_started;
    ocr_ctx.out_fd = out_fd;
    ocr_ctx.cpu_limit = cpu_limit;
    tracuu_ocr_configure(&o);
}

int
tracuu_worker_main(int in_fd, int out_fd, guint cpu_limit, gboolean self_test)
{
    GError *error = NULL;
    if (!tracuu_extract_init(&error)) {
        g_printerr("tracuu-indexer worker: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    if (self_test) {
        GVariant *result = g_variant_ref_sink(self_test_result());
        gboolean ok = tracuu_frame_write(out_fd, result, &error);
        g_variant_unref(result);
        if (!ok)
            g_printerr("tracuu-indexer worker: %s\n", error->message);
        g_clear_error(&error);
        return ok ? 0 : 1;
    }
    for (;;) {
        GVariant *job = read_job(in_fd);
        if (job == NULL)
            break; /* the parent closed the pipe: the run is over */
        set_cpu_limit(cpu_limit);
        GVariant *result = g_variant_ref_sink(process_job(job));
        g_variant_unref(job);
        gboolean ok = tracuu_frame_write(out_fd, result, &error);
        g_variant_unref(result);
        if (!ok) {
            g_clear_error(&error);
            return 1;
        }
    }
    return 0;
}
