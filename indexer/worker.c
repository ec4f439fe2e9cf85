/* worker.c - extraction in tracuu-indexer's child processes, and their pipe protocol. */
#include "indexer-private.h"

#include "extract-private.h"
#include "tracuu-docmeta.h"
#include "tracuu-extract.h"

#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static void
add_field(GVariantBuilder *b, const char *name, const char *value)
{
    if (value != NULL && value[0] != '\0')
        g_variant_builder_add(b, "{s^ay}", name, value);
}

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

typedef struct {
    const char *file_key;
    const char *path_shown; /* UTF-8 */
    const char *basename;   /* UTF-8 */
    GVariantBuilder docs;
} flatten_ctx;

static void
emit_doc(flatten_ctx *ctx, const tracuu_extracted *ex, const char *id, const char *parent)
{
    g_autoptr(tracuu_docmeta) meta = tracuu_docmeta_extract(ex->text != NULL ? ex->text : "", -1);
    gboolean is_mail = g_strcmp0(ex->kind, "mail") == 0;

    GVariantBuilder fields;
    g_variant_builder_init(&fields, G_VARIANT_TYPE("a{say}"));
    add_field(&fields, "id", id);
    add_field(&fields, "file_key", ctx->file_key);
    add_field(&fields, "path", ctx->path_shown);
    add_field(&fields, "kind", ex->kind);
    add_field(&fields, "mime", ex->mime);

    /*
     * The title shown for a hit: a mail's subject; for a document, the trích yếu its header
     * gives (PDF Title fields are often "Microsoft Word - x.doc"), else the format's own title,
     * else what names the file, else its first line.
     */
    g_autofree char *fallback = NULL;
    const char *title = NULL;
    if (is_mail) {
        title = ex->subject != NULL ? ex->subject : ex->title;
    } else {
        title = meta->title != NULL ? meta->title : ex->title;
        if (title == NULL || title[0] == '\0')
            title = ex->attachment;
        if (title == NULL || title[0] == '\0')
            title = fallback = first_line_title(ex->text != NULL ? ex->text : "");
        if (title == NULL || title[0] == '\0')
            title = parent == NULL ? ctx->basename : NULL;
    }
    add_field(&fields, "title", title);
    g_variant_builder_add(&fields, "{s^ay}", "text", ex->text != NULL ? ex->text : "");
    add_field(&fields, "number", meta->number);
    add_field(&fields, "doc_type", meta->doc_type);
    add_field(&fields, "issuer", meta->issuer);
    /* A mail is dated by its Date header; a document by the date its header states. */
    const char *date = is_mail ? (ex->created != NULL ? ex->created : meta->date)
                               : (meta->date != NULL ? meta->date : ex->created);
    add_field(&fields, "date", date);
    add_field(&fields, "signer", meta->signer);
    add_field(&fields, "subject", ex->subject);
    add_field(&fields, "from", ex->from);
    add_field(&fields, "to", ex->to);
    add_field(&fields, "cc", ex->cc);
    add_field(&fields, "message_id", ex->message_id);
    add_field(&fields, "in_reply_to", ex->in_reply_to);
    add_field(&fields, "parent", parent);
    add_field(&fields, "attachment", ex->attachment);

    GVariantBuilder cites;
    g_variant_builder_init(&cites, G_VARIANT_TYPE("aay"));
    for (guint i = 0; meta->cites != NULL && i < meta->cites->len; i++)
        g_variant_builder_add(&cites, "^ay", (const char *)meta->cites->pdata[i]);

    GVariant *pages;
    if (ex->pages != NULL && ex->pages->len > 0)
        pages = g_variant_new_fixed_array(G_VARIANT_TYPE_UINT64, ex->pages->data, ex->pages->len,
                                          sizeof(guint64));
    else
        pages = g_variant_new_fixed_array(G_VARIANT_TYPE_UINT64, NULL, 0, sizeof(guint64));

    g_variant_builder_add(&ctx->docs, "(a{say}aay@at)", &fields, &cites, pages);
}

/* Documents out of @ex and its children, with the ids of store/tracuu-schema.h. */
static void
flatten(flatten_ctx *ctx, const tracuu_extracted *ex, const char *id, const char *parent,
        guint depth)
{
    gboolean is_mbox = g_strcmp0(ex->kind, "mbox") == 0;
    if (!is_mbox)
        emit_doc(ctx, ex, id, parent);
    if (ex->children == NULL || depth > 64)
        return;
    for (guint i = 0; i < ex->children->len; i++) {
        const tracuu_extracted *child = ex->children->pdata[i];
        g_autofree char *child_id = g_strdup_printf("%s%c%u", id, is_mbox ? ':' : '/', i + 1);
        flatten(ctx, child, child_id, is_mbox ? NULL : id, depth + 1);
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
                         g_variant_new_array(G_VARIANT_TYPE("(a{say}aayat)"), NULL, 0),
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
 * and what an interrupted run does. Several faults may be given, separated by commas (the
 * indexer itself reads "fork-delay:MS"; see tracuu-indexer.c). */
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

/* The result for the file at @path: its documents out of @ex, or the failure in @error. */
static GVariant *
make_result(const char *path, const tracuu_extracted *ex, GError *error)
{
    if (ex == NULL) {
        tracuu_result_status status = TRACUU_RESULT_FAILED;
        if (error != NULL && error->domain == TRACUU_EXTRACT_ERROR &&
            error->code == TRACUU_EXTRACT_ERROR_UNSUPPORTED)
            status = TRACUU_RESULT_UNSUPPORTED;
        return failure(status, error != NULL ? error->message : "extraction failed");
    }

    char key[41];
    tracuu_state_key(path, key);
    char file_id[17];
    memcpy(file_id, key, 16);
    file_id[16] = '\0';
    g_autofree char *shown = g_utf8_make_valid(path, -1);
    g_autofree char *base = g_path_get_basename(shown);
    flatten_ctx ctx;
    ctx.file_key = key;
    ctx.path_shown = shown;
    ctx.basename = base;
    g_variant_builder_init(&ctx.docs, G_VARIANT_TYPE(TRACUU_DOCS_TYPE));
    flatten(&ctx, ex, file_id, NULL, 0);
    GVariantBuilder warnings;
    g_variant_builder_init(&warnings, G_VARIANT_TYPE("aay"));
    add_warnings(&warnings, ex, 0);
    return g_variant_new("(y^ay" TRACUU_DOCS_TYPE "aay)", (guchar)TRACUU_RESULT_OK, "", &ctx.docs,
                         &warnings);
}

static GVariant *
process_job(GVariant *job)
{
    const char *path = NULL;
    gboolean maildir = FALSE;
    g_variant_get(job, "(^&ayb)", &path, &maildir);
    maybe_inject_fault(path);

    GError *error = NULL;
    g_autoptr(tracuu_extracted) ex =
        maildir ? extract_maildir_message(path, &error) : tracuu_extract_file(path, &error);
    GVariant *r = make_result(path, ex, error);
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
    GVariant *r = make_result("/self-test.txt", ex, error);
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
