/* pipeline.c - a run's units of work: fields into documents on builder threads, one writer. */
#include "indexer-private.h"

#include "tracuu-docmeta.h"
#include "tracuu-docwriter.h"
#include "tracuu-schema-rules.h"
#include "tracuu-store.h"
#include "tracuu-tokenizer.h"

#include <string.h>
#include <time.h>

/* A sentinel that ends the builder and writer threads. */
static char stop_mark;
#define STOP_UNIT ((unit *)&stop_mark)

void
tracuu_unit_free(unit *u)
{
    if (u == NULL)
        return;
    g_free(u->path);
    g_free(u->reason);
    if (u->docs != NULL)
        g_variant_unref(u->docs);
    if (u->terms != NULL)
        g_ptr_array_free(u->terms, TRUE);
    if (u->built != NULL)
        g_ptr_array_free(u->built, TRUE);
    g_free(u);
}

/* CPU time of the calling thread, in seconds. */
static double
thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- builder threads: fields -> Xapian documents (tokenizing is the costly part) ---- */

/* The level name a rule gives, NULL for none (or no rule). */
static const char *
rule_level(const tracuu_access_rule *rule)
{
    return rule != NULL && rule->level != TRACUU_LEVEL_NONE ? tracuu_level_name(rule->level) : NULL;
}

/*
 * Builds one document of a unit from its fields on the pipe (a{sv}, worker.c), and its article
 * units, appended to @terms and @built (tracuu_docwriter_build_all()). The cites of a
 * document are found by the writer in its text unless the unit gave them. @fill_meta (for
 * --from-jsonl) fills the metadata the line did not give from what docmeta reads in its text.
 * @file (NULL for --from-jsonl) is the file the document came from: its access-map rule gives
 * the document's labels and raises its printed stamp, here in the indexer's own process and
 * not in the worker, so that a relabel (apply_relabel()) makes the same fields without one.
 */
static gboolean
build_doc(tracuu_tokenizer *tk, GVariant *dict, gboolean fill_meta, const tracuu_walk_file *file,
          GPtrArray *terms, GPtrArray *built, GError **error)
{
    tracuu_docfields f;
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    tracuu_pipe_fields_read(dict, &f, keep);
    if (f.text == NULL)
        f.text = "";
    f.cites_from_text = TRUE;

    g_autoptr(tracuu_docmeta) meta = NULL;
    g_autofree tracuu_relation *relations = NULL;
    if (fill_meta) {
        meta = tracuu_docmeta_extract(f.text, -1);
        if (f.number == NULL)
            f.number = meta->number;
        if (f.doc_type == NULL)
            f.doc_type = meta->doc_type;
        if (f.issuer == NULL)
            f.issuer = meta->issuer;
        if (f.date == NULL)
            f.date = meta->date;
        if (f.signer == NULL)
            f.signer = meta->signer;
        if (f.title == NULL)
            f.title = meta->title;
        if (f.n_relations == 0)
            f.relations = relations = tracuu_docmeta_relations_fields(meta, &f.n_relations);
        if (f.effective_date == NULL)
            f.effective_date = meta->effective_date;
        if (f.end_date == NULL)
            f.end_date = meta->end_date;
        /* A stamp printed in the line's text raises the level the line gives, never lowers it. */
        f.stamp = meta->secrecy;
        f.secrecy = tracuu_docwriter_secrecy_max(f.secrecy, meta->secrecy);
    }
    if (file != NULL) {
        /* A mail message or an attachment has its file's rule: the unit is the whole file. */
        const tracuu_access_rule *rule = file->rule;
        f.access = rule != NULL ? rule->labels : NULL;
        f.n_access = f.access != NULL ? g_strv_length((char **)f.access) : 0;
        f.secrecy = tracuu_docwriter_secrecy_max(f.stamp, rule_level(rule));
    }
    /* The document and its article units, which carry its file key and access terms. */
    return tracuu_docwriter_build_all(tk, &f, terms, built, error);
}

static void
build_unit(tracuu_tokenizer *tk, unit *u)
{
    if (u->docs == NULL)
        return;
    u->terms = g_ptr_array_new_with_free_func(g_free);
    u->built = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_store_doc_free);
    gsize n = g_variant_n_children(u->docs);
    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) doc = g_variant_get_child_value(u->docs, i);
        GError *error = NULL;
        if (!build_doc(tk, doc, u->kind == UNIT_JSONL, u->kind == UNIT_FILE ? u->file : NULL,
                       u->terms, u->built, &error)) {
            u->status = TRACUU_RESULT_FAILED;
            u->reason = g_strdup_printf("cannot index document %" G_GSIZE_FORMAT ": %s", i + 1,
                                        error != NULL ? error->message : "unknown error");
            g_clear_error(&error);
            g_ptr_array_set_size(u->terms, 0);
            g_ptr_array_set_size(u->built, 0);
            u->n_whole = 0;
            break;
        }
        u->n_whole++;
    }
    /* The fields are no longer needed: free them early, the writer may queue many units. */
    g_clear_pointer(&u->docs, g_variant_unref);
}

static gpointer
builder_thread(gpointer data)
{
    run_state *rs = data;
    GError *error = NULL;
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    for (;;) {
        unit *u = g_async_queue_pop(rs->build_q);
        if (u == STOP_UNIT)
            break;
        if (tk == NULL) {
            u->status = TRACUU_RESULT_FAILED;
            g_free(u->reason);
            u->reason = g_strdup_printf("tokenizer: %s", error->message);
            g_clear_pointer(&u->docs, g_variant_unref);
        } else if (!g_atomic_int_get(&rs->fatal)) {
            double t0 = thread_cpu();
            build_unit(tk, u);
            double t1 = thread_cpu();
            g_mutex_lock(&rs->build_lock);
            rs->cpu_build_ns += (gint64)((t1 - t0) * 1e9);
            g_mutex_unlock(&rs->build_lock);
        }
        g_async_queue_push(rs->write_q, u);
    }
    g_clear_error(&error);
    tracuu_tokenizer_free(tk);
    return NULL;
}

/* ---- the writer thread: the one Xapian writer, in batched commits ---- */

static void
set_fatal(run_state *rs, const char *what)
{
    if (rs->fatal_message == NULL)
        rs->fatal_message = g_strdup_printf("%s: %s", what, tracuu_store_get_error(rs->store));
    g_atomic_int_set(&rs->fatal, 1);
}

static char *
file_term(const char *key)
{
    return g_strconcat(TRACUU_PREFIX_FILE, key, NULL);
}

static char *
meta_key(const char *key)
{
    return g_strconcat(TRACUU_META_FILE_PREFIX, key, NULL);
}

/* Writes the state of a file unit; FALSE on a store failure (made fatal). */
static gboolean
write_state(run_state *rs, const unit *u, guint ndocs)
{
    tracuu_file_state st = {0};
    st.path = u->file->path;
    st.mtime_ns = u->file->mtime_ns;
    st.size = u->file->size;
    st.ino = u->file->ino;
    st.failed = u->status != TRACUU_RESULT_OK;
    st.unsupported = u->status == TRACUU_RESULT_UNSUPPORTED;
    st.reason = u->reason;
    st.ndocs = ndocs;
    st.access = u->file->access;
    st.ocr_pending = u->status == TRACUU_RESULT_OK && u->ocr_pending;
    g_autofree char *json = tracuu_state_to_json(&st);
    g_autofree char *k = meta_key(u->key);
    if (tracuu_store_set_metadata(rs->store, k, json, strlen(json)) != TRACUU_STORE_OK) {
        set_fatal(rs, "cannot record a file's state");
        return FALSE;
    }
    return TRUE;
}

typedef struct {
    const tracuu_access_rule *rule;
    GError *error;
} relabel_ctx;

static bool
relabel_doc(uint32_t docid, const char *data, size_t len, tracuu_store_doc *edit, void *user_data)
{
    relabel_ctx *c = user_data;
    const char *const *labels = c->rule != NULL ? c->rule->labels : NULL;
    return tracuu_docwriter_relabel(edit, data, len, labels, rule_level(c->rule), &c->error);
}

/*
 * A file unchanged on disk whose rule now gives other labels or another level: its documents'
 * access terms and stored access and secrecy are rewritten in place, and its state records
 * the new rule result; both go in the same commit, so a kill between them cannot leave
 * documents relabelled under a state that would not say so (or the other way round).
 */
static guint
apply_relabel(run_state *rs, unit *u)
{
    g_autofree char *t = file_term(u->key);
    relabel_ctx c = {.rule = u->file->rule};
    uint32_t n = 0;
    tracuu_store_status st =
        tracuu_store_retag(rs->store, t, tracuu_docwriter_relabel_prefixes, relabel_doc, &c, &n);
    if (st != TRACUU_STORE_OK) {
        if (c.error != NULL && rs->fatal_message == NULL)
            rs->fatal_message =
                g_strdup_printf("cannot relabel %s: %s", u->file->path, c.error->message);
        g_clear_error(&c.error);
        set_fatal(rs, "cannot relabel a file's documents");
        return 0;
    }
    if (!write_state(rs, u, u->ndocs))
        return 0;
    g_atomic_int_inc(&rs->relabelled);
    rs->relabelled_documents += n;
    if (rs->opts->verbose && !rs->opts->json)
        g_print("relabelled: %s (%u documents, %s)\n", u->file->path, n, u->file->access);
    return n + 1;
}

/* Applies one unit; returns the number of documents changed (for the commit policy). */
static guint
apply_unit(run_state *rs, unit *u)
{
    tracuu_store *s = rs->store;
    if (u->kind == UNIT_RELABEL)
        return apply_relabel(rs, u);
    if (u->kind == UNIT_REMOVE) {
        g_autofree char *t = file_term(u->key);
        g_autofree char *k = meta_key(u->key);
        if (tracuu_store_delete(s, t) != TRACUU_STORE_OK ||
            tracuu_store_set_metadata(s, k, "", 0) != TRACUU_STORE_OK) {
            set_fatal(rs, "cannot remove a file's documents");
            return 0;
        }
        rs->removed++;
        return 1;
    }
    if (u->kind == UNIT_JSONL) {
        g_autofree char *line = g_strdup_printf("%u", u->line);
        if (u->status != TRACUU_RESULT_OK) {
            tracuu_report_add(rs->jsonl_bad, line, u->reason);
            return 0;
        }
        /* The line's old article units go before its new ones come (its id may have had
         * articles that its new text has not). */
        g_autofree char *children = tracuu_schema_bool_term(
            TRACUU_TERM_PARENT, (const char *)u->terms->pdata[0] + strlen(TRACUU_PREFIX_ID));
        tracuu_store_status st = TRACUU_STORE_OK;
        if (children != NULL)
            st = tracuu_store_delete(s, children);
        for (guint i = 0; st == TRACUU_STORE_OK && i < u->built->len; i++)
            st = tracuu_store_replace(s, u->terms->pdata[i], u->built->pdata[i], NULL);
        if (st == TRACUU_STORE_INVALID) {
            tracuu_report_add(rs->jsonl_bad, line, tracuu_store_get_error(s));
            return 0;
        }
        if (st != TRACUU_STORE_OK) {
            set_fatal(rs, "cannot add a document");
            return 0;
        }
        rs->jsonl_imported++;
        rs->documents++;
        return 1;
    }

    /* A file: its old documents go, its new ones and its state come, all in one commit. The
     * delete is done even without a state, as a kill may have left documents behind. */
    g_autofree char *t = file_term(u->key);
    if (tracuu_store_delete(s, t) != TRACUU_STORE_OK) {
        set_fatal(rs, "cannot delete a file's old documents");
        return 0;
    }
    guint ndocs = 0;
    if (u->status == TRACUU_RESULT_OK) {
        for (guint i = 0; i < u->built->len; i++) {
            tracuu_store_status st =
                tracuu_store_replace(s, u->terms->pdata[i], u->built->pdata[i], NULL);
            if (st == TRACUU_STORE_INVALID) {
                /* A document the index refuses: the file fails as a whole, without leftovers. */
                u->status = TRACUU_RESULT_FAILED;
                u->reason = g_strdup_printf("the index refused document %u: %s", i + 1,
                                            tracuu_store_get_error(s));
                if (tracuu_store_delete(s, t) != TRACUU_STORE_OK) {
                    set_fatal(rs, "cannot delete a file's documents");
                    return 0;
                }
                ndocs = 0;
                break;
            }
            if (st != TRACUU_STORE_OK) {
                set_fatal(rs, "cannot add a document");
                return 0;
            }
            ndocs++;
        }
        /* A file's count of documents is of whole documents, as before article units. */
        if (ndocs == u->built->len)
            ndocs = u->n_whole;
    }
    if (!write_state(rs, u, ndocs))
        return 0;
    if (u->status == TRACUU_RESULT_OK && u->ocr_pending) {
        /* Counted once, by the unit that comes with its OCR pages (or by the next run's). */
        if (rs->opts->verbose && !rs->opts->json)
            g_print("indexed, OCR pending: %s (%u documents)\n", u->file->path, ndocs);
        return ndocs + 1;
    }
    if (u->status == TRACUU_RESULT_OK) {
        rs->indexed++;
        rs->documents += ndocs;
        rs->file_documents += ndocs;
        if (rs->opts->verbose && !rs->opts->json)
            g_print("indexed: %s (%u documents)\n", u->file->path, ndocs);
    } else if (u->status == TRACUU_RESULT_UNSUPPORTED) {
        rs->skipped++;
        tracuu_report_add(rs->skips, u->file->path, u->reason);
    } else {
        rs->failed++;
        tracuu_report_add(rs->failures, u->file->path, u->reason);
    }
    g_atomic_int_inc(&rs->files_done);
    return ndocs + 1;
}

static gpointer
writer_thread(gpointer data)
{
    run_state *rs = data;
    GHashTable *waiting = g_hash_table_new(g_int64_hash, g_int64_equal);
    guint64 next = 0;
    guint pending = 0;
    gint64 last_commit = g_get_monotonic_time();
    gboolean stop = FALSE;
    while (!stop) {
        unit *u = g_async_queue_timeout_pop(rs->write_q, 500000);
        if (u == STOP_UNIT) {
            stop = TRUE;
        } else if (u != NULL) {
            /* Builders finish out of order; apply in the order the main thread decided, so
             * that two JSON lines with one id end as the later one. */
            g_hash_table_insert(waiting, &u->seq, u);
            unit *ready;
            while ((ready = g_hash_table_lookup(waiting, &next)) != NULL) {
                g_hash_table_remove(waiting, &next);
                if (!g_atomic_int_get(&rs->fatal)) {
                    double t0 = thread_cpu();
                    pending += apply_unit(rs, ready);
                    rs->cpu_apply += thread_cpu() - t0;
                }
                gsize bytes = ready->bytes;
                tracuu_unit_free(ready);
                next++;
                g_atomic_pointer_add(&rs->bytes_done, (gssize)bytes);
                g_atomic_int_inc(&rs->units_done);
            }
        }
        gint64 now = g_get_monotonic_time();
        gboolean flush = g_atomic_int_get(&rs->flush);
        if (pending > 0 && !g_atomic_int_get(&rs->fatal) &&
            (stop || flush || pending >= (guint)rs->opts->batch ||
             now - last_commit > 5 * G_USEC_PER_SEC)) {
            double t0 = thread_cpu();
            gint64 w0 = g_get_monotonic_time();
            if (tracuu_store_commit(rs->store) != TRACUU_STORE_OK)
                set_fatal(rs, "commit failed");
            rs->cpu_commit += thread_cpu() - t0;
            rs->wall_commit += (double)(g_get_monotonic_time() - w0) / G_USEC_PER_SEC;
            rs->commits++;
            pending = 0;
            last_commit = now;
        }
        /* The main thread waits on this count (tracuu_pipeline_is_committed); after a fatal
         * error nothing more is committed, and nothing is to be waited for. */
        if (pending == 0 || g_atomic_int_get(&rs->fatal)) {
            g_atomic_int_set(&rs->units_committed, g_atomic_int_get(&rs->units_done));
            if (flush)
                g_atomic_int_set(&rs->flush, 0);
        }
    }
    /* Units left here had a gap before them: only after a fatal error. */
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, waiting);
    while (g_hash_table_iter_next(&it, &k, &v))
        tracuu_unit_free(v);
    g_hash_table_destroy(waiting);
    return NULL;
}

/* ---- the main thread's side ---- */

void
tracuu_pipeline_start(run_state *rs, guint jobs)
{
    rs->write_q = g_async_queue_new();
    rs->build_q = g_async_queue_new();
    rs->n_builders = MAX(1u, MIN(jobs, 8u));
    rs->writer = g_thread_new("writer", writer_thread, rs);
    rs->builders = g_new0(GThread *, rs->n_builders);
    for (guint i = 0; i < rs->n_builders; i++)
        rs->builders[i] = g_thread_new("builder", builder_thread, rs);
}

gboolean
tracuu_pipeline_stop(run_state *rs)
{
    if (rs->builders == NULL)
        return FALSE;
    for (guint i = 0; i < rs->n_builders; i++)
        g_async_queue_push(rs->build_q, STOP_UNIT);
    for (guint i = 0; i < rs->n_builders; i++)
        g_thread_join(rs->builders[i]);
    g_async_queue_push(rs->write_q, STOP_UNIT);
    g_thread_join(rs->writer);
    g_clear_pointer(&rs->builders, g_free);
    rs->writer = NULL;
    return TRUE;
}

void
tracuu_pipeline_push(run *r, unit *u)
{
    u->seq = r->next_seq++;
    u->bytes = u->docs != NULL ? g_variant_get_size(u->docs) : 0;
    r->pushed++;
    r->pushed_bytes += u->bytes;
    g_async_queue_push(r->rs.build_q, u);
}

gboolean
tracuu_pipeline_is_committed(run *r)
{
    if (g_atomic_int_get(&r->rs.units_committed) == r->pushed)
        return TRUE;
    g_atomic_int_set(&r->rs.flush, 1);
    return FALSE;
}

/* Most units and bytes of text held between the workers and the writer. Room for a few hundred
 * documents lets extraction go on while the writer waits for a commit to reach the disk. */
#define MAX_IN_FLIGHT_UNITS 512
#define MAX_IN_FLIGHT_BYTES (256u * 1024 * 1024)

/* TRUE when the builders and the writer have enough work queued: hold extraction back. */
gboolean
tracuu_pipeline_is_behind(run *r)
{
    guint units = (guint)(r->pushed - g_atomic_int_get(&r->rs.units_done));
    gsize bytes = r->pushed_bytes - (gsize)g_atomic_pointer_get(&r->rs.bytes_done);
    return units >= MAX_IN_FLIGHT_UNITS || bytes >= MAX_IN_FLIGHT_BYTES;
}
