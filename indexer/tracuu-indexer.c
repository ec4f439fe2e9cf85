/* tracuu-indexer.c - files and JSON lines into the tracuu index, incrementally and safely. */
#include "indexer-private.h"

#include "tracuu-cli.h"
#include "tracuu-config.h"
#include "tracuu-docmeta.h"
#include "tracuu-docwriter.h"
#include "tracuu-extract.h"
#include "tracuu-schema-rules.h"
#include "tracuu-store-compact.h"
#include "tracuu-store.h"
#include "tracuu-tokenizer.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exit statuses, as documented in docs/tracuu-indexer.md. */
enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2, EXIT_INDEX = 3 };

/* Compiled with AddressSanitizer, a worker cannot run under an address-space limit: ASan
 * reserves terabytes of shadow memory up front. */
#if defined(__SANITIZE_ADDRESS__)
#define TRACUU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRACUU_ASAN 1
#endif
#endif

/* ---- options ---- */

static char *opt_db;
static char *opt_jsonl;
static int opt_jobs;
static gboolean opt_rebuild;
static gboolean opt_json;
static gboolean opt_quiet;
static gboolean opt_verbose;
static char **opt_excludes;
static gboolean opt_follow;
static int opt_timeout = 120;
static int opt_cpu_limit = 60;
static int opt_memory_mb = 2048;
static int opt_batch = 250;
static gboolean opt_worker;
static gboolean opt_self_test;
static gboolean opt_version;
static gboolean opt_compact;

static const GOptionEntry option_entries[] = {
    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &opt_db, "The index folder (created if missing)", "DIR"},
    {"from-jsonl", 0, 0, G_OPTION_ARG_FILENAME, &opt_jsonl,
     "Import documents from FILE, one JSON object per line (id, title, text, metadata)", "FILE"},
    {"jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs,
     "Extraction worker processes (default: number of cores)", "N"},
    {"rebuild", 0, 0, G_OPTION_ARG_NONE, &opt_rebuild,
     "Empty the index first (needed when it was built by another schema or tokenizer version)",
     NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print the summary as JSON", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
     "No progress; print the summary only when something failed", NULL},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
     "Name every file as it is indexed and show the extractors' own messages", NULL},
    {"exclude", 'x', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_excludes,
     "Skip files and folders whose name matches GLOB (a path if GLOB has a /); repeatable", "GLOB"},
    {"follow-symlinks", 'L', 0, G_OPTION_ARG_NONE, &opt_follow,
     "Follow symbolic links inside the given folders (cycles are detected)", NULL},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout,
     "Give up on a file after SECONDS of wall-clock time (default 120)", "SECONDS"},
    {"cpu-limit", 0, 0, G_OPTION_ARG_INT, &opt_cpu_limit,
     "Give up on a file after SECONDS of CPU time (default 60; 0: none)", "SECONDS"},
    {"memory-limit", 0, 0, G_OPTION_ARG_INT, &opt_memory_mb,
     "Address-space limit of each worker in MiB (default 2048; 0: none; one too low for a worker "
     "to start is refused)",
     "MIB"},
    {"batch", 0, 0, G_OPTION_ARG_INT, &opt_batch,
     "Commit at least every N documents (default 250; also every 5 seconds)", "N"},
    {"compact", 0, 0, G_OPTION_ARG_NONE, &opt_compact,
     "Compact the index after the run, or alone without PATHs (Xapian's advice after a bulk load)",
     NULL},
    {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL},
    {"internal-worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_worker, NULL, NULL},
    {"internal-self-test", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &opt_self_test, NULL, NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Set by SIGINT and SIGTERM: stop reading files, keep what is done, summarise. */
static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
    interrupted = sig;
}

/* ---- units of work: main thread -> builder threads -> writer thread ---- */

typedef enum { UNIT_FILE, UNIT_REMOVE, UNIT_JSONL } unit_kind;

typedef struct {
    unit_kind kind;
    guint64 seq;            /* the writer applies units in this order */
    tracuu_walk_file *file; /* UNIT_FILE: borrowed from the run's file list */
    char key[41];           /* UNIT_FILE, UNIT_REMOVE */
    char *path;             /* UNIT_REMOVE: the path as stored (raw bytes) */
    tracuu_result_status status;
    char *reason;     /* when failed */
    GVariant *docs;   /* TRACUU_DOCS_TYPE, to build; NULL when failed */
    guint line;       /* UNIT_JSONL: line number */
    gsize bytes;      /* serialized size of docs, for back-pressure */
    GPtrArray *terms; /* built: char * unique terms */
    GPtrArray *built; /* built: tracuu_store_doc * */
} unit;

static unit *stop_unit; /* a sentinel that ends the builder and writer threads */

static void
unit_free(unit *u)
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

typedef struct {
    char *path; /* UTF-8 for display (invalid bytes replaced) */
    char *reason;
} report_item;

static void
report_item_free(report_item *it)
{
    g_free(it->path);
    g_free(it->reason);
    g_free(it);
}

static void
report_add(GPtrArray *list, const char *path, const char *reason)
{
    report_item *it = g_new0(report_item, 1);
    it->path = g_utf8_make_valid(path, -1);
    it->reason = g_utf8_make_valid(reason != NULL ? reason : "unknown", -1);
    g_ptr_array_add(list, it);
}

typedef struct {
    /* Set before the threads start. */
    tracuu_store *store;
    guint n_builders;
    GAsyncQueue *build_q;
    GAsyncQueue *write_q;

    /* Counters written by the writer thread, read by the main thread for progress. */
    gint files_done;  /* atomic: file units applied */
    gint units_done;  /* atomic: units applied, for back-pressure */
    gsize bytes_done; /* atomic: serialized size of the units applied */
    gint fatal;       /* atomic: the index failed; stop */

    /* Owned by the writer thread until it is joined. */
    char *fatal_message;
    guint indexed, failed, skipped, removed, jsonl_imported;
    guint64 documents;      /* added in all, from files and JSON lines */
    guint64 file_documents; /* added from files */
    /* CPU seconds of each stage (--verbose prints them: where a run spends its time). */
    double cpu_apply, cpu_commit;
    double wall_commit;
    guint commits;
    gint64 cpu_build_ns; /* the builders add to it under build_lock */
    GMutex build_lock;
    GPtrArray *failures;  /* report_item * */
    GPtrArray *skips;     /* report_item * */
    GPtrArray *jsonl_bad; /* report_item *: path holds the line number */
} run_state;

/* CPU time of the calling thread, in seconds. */
static double
thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- builder threads: fields -> Xapian documents (tokenizing is the costly part) ---- */

/*
 * Builds one document of a unit from its fields on the pipe (a{sv}, worker.c). The cites of a
 * document are found by the writer in its text unless the unit gave them. @fill_meta (for
 * --from-jsonl) fills the metadata the line did not give from what docmeta reads in its text.
 */
static tracuu_store_doc *
build_doc(tracuu_tokenizer *tk, GVariant *dict, gboolean fill_meta, char **uterm, GError **error)
{
    tracuu_docfields f;
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    tracuu_pipe_fields_read(dict, &f, keep);
    if (f.text == NULL)
        f.text = "";
    f.cites_from_text = TRUE;

    g_autoptr(tracuu_docmeta) meta = NULL;
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
    }
    return tracuu_docwriter_build(tk, &f, uterm, error);
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
        char *uterm = NULL;
        tracuu_store_doc *d = build_doc(tk, doc, u->kind == UNIT_JSONL, &uterm, &error);
        if (d == NULL) {
            u->status = TRACUU_RESULT_FAILED;
            u->reason = g_strdup_printf("cannot index document %" G_GSIZE_FORMAT ": %s", i + 1,
                                        error != NULL ? error->message : "unknown error");
            g_clear_error(&error);
            g_ptr_array_set_size(u->terms, 0);
            g_ptr_array_set_size(u->built, 0);
            break;
        }
        g_ptr_array_add(u->terms, uterm);
        g_ptr_array_add(u->built, d);
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
        if (u == stop_unit)
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
    g_autofree char *json = tracuu_state_to_json(&st);
    g_autofree char *k = meta_key(u->key);
    if (tracuu_store_set_metadata(rs->store, k, json, strlen(json)) != TRACUU_STORE_OK) {
        set_fatal(rs, "cannot record a file's state");
        return FALSE;
    }
    return TRUE;
}

/* Applies one unit; returns the number of documents changed (for the commit policy). */
static guint
apply_unit(run_state *rs, unit *u)
{
    tracuu_store *s = rs->store;
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
            report_add(rs->jsonl_bad, line, u->reason);
            return 0;
        }
        tracuu_store_status st =
            tracuu_store_replace(s, u->terms->pdata[0], u->built->pdata[0], NULL);
        if (st == TRACUU_STORE_INVALID) {
            report_add(rs->jsonl_bad, line, tracuu_store_get_error(s));
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
    }
    if (!write_state(rs, u, ndocs))
        return 0;
    if (u->status == TRACUU_RESULT_OK) {
        rs->indexed++;
        rs->documents += ndocs;
        rs->file_documents += ndocs;
        if (opt_verbose && !opt_json)
            g_print("indexed: %s (%u documents)\n", u->file->path, ndocs);
    } else if (u->status == TRACUU_RESULT_UNSUPPORTED) {
        rs->skipped++;
        report_add(rs->skips, u->file->path, u->reason);
    } else {
        rs->failed++;
        report_add(rs->failures, u->file->path, u->reason);
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
        if (u == stop_unit) {
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
                unit_free(ready);
                next++;
                g_atomic_pointer_add(&rs->bytes_done, (gssize)bytes);
                g_atomic_int_inc(&rs->units_done);
            }
        }
        gint64 now = g_get_monotonic_time();
        if (pending > 0 && !g_atomic_int_get(&rs->fatal) &&
            (stop || pending >= (guint)opt_batch || now - last_commit > 5 * G_USEC_PER_SEC)) {
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
    }
    /* Units left here had a gap before them: only after a fatal error. */
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, waiting);
    while (g_hash_table_iter_next(&it, &k, &v))
        unit_free(v);
    g_hash_table_destroy(waiting);
    return NULL;
}

/* ---- workers: extraction in child processes ---- */

#define WORKER_DEPTH 2

typedef struct {
    pid_t pid;
    int to_fd;
    int from_fd;
    GByteArray *buf;
    /*
     * Jobs sent and not answered, oldest first: the worker works on jobs[0] and finds the next
     * one waiting in its pipe when it is done, instead of idling until the main thread sends
     * it (which, on a busy machine, can take a while). Results come back in this order.
     */
    guint jobs[WORKER_DEPTH];
    guint njobs;
    gint64 started; /* monotonic time jobs[0] began */
    gboolean killed_for_time;
} worker;

/* How workers are started; made before the first fork, as the child may only copy fds. */
typedef struct {
    char *argv[8];
    char argbuf[3][32];
    guint memory_mb;     /* RLIMIT_AS of the worker in MiB, 0 for none */
    int err_fd;          /* the worker's standard error; -1 for /dev/null */
    guint fork_delay_ms; /* test hook: the child waits this long after fork() */
} worker_exec;

/*
 * Test hook: "fork-delay:MS" among the faults of TRACUU_INDEXER_FAULT (see worker.c) makes each
 * worker for files wait MS milliseconds right after fork(), before anything else, as a child the
 * scheduler set aside would: a test kills the indexer then, and checks that the child does not
 * go on without it.
 */
static guint
fork_delay_ms(void)
{
    const char *faults = g_getenv("TRACUU_INDEXER_FAULT");
    if (faults == NULL)
        return 0;
    g_auto(GStrv) each = g_strsplit(faults, ",", -1);
    for (char **f = each; *f != NULL; f++)
        if (g_str_has_prefix(*f, "fork-delay:"))
            return (guint)g_ascii_strtoull(*f + strlen("fork-delay:"), NULL, 10);
    return 0;
}

/* @self_test: a worker that tests itself instead of reading jobs (see tracuu_worker_main()). */
static void
worker_exec_init(worker_exec *we, guint memory_mb, gboolean self_test)
{
    g_snprintf(we->argbuf[0], sizeof we->argbuf[0], "%d", opt_cpu_limit);
    we->argv[0] = (char *)"tracuu-indexer";
    we->argv[1] = (char *)"--internal-worker";
    we->argv[2] = (char *)"--cpu-limit";
    we->argv[3] = we->argbuf[0];
    we->argv[4] = self_test ? (char *)"--internal-self-test" : NULL;
    we->argv[5] = NULL;
    we->memory_mb = memory_mb;
    we->err_fd = opt_verbose ? 2 : -1;
    we->fork_delay_ms = self_test ? 0 : fork_delay_ms();
}

/*
 * Starts a worker: fork, then exec of this same program with --internal-worker, so the child
 * starts clean (the parent has threads and an open Xapian database) and gets its limits before
 * it runs any parser. Only async-signal-safe calls between fork and exec.
 */
static gboolean
worker_spawn(worker *w, worker_exec *we, GError **error)
{
    int jobs[2], results[2];
    if (pipe2(jobs, O_CLOEXEC) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "pipe: %s", g_strerror(errno));
        return FALSE;
    }
    if (pipe2(results, O_CLOEXEC) != 0) {
        int e = errno;
        close(jobs[0]);
        close(jobs[1]);
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "pipe: %s", g_strerror(e));
        return FALSE;
    }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(jobs[0]);
        close(jobs[1]);
        close(results[0]);
        close(results[1]);
        if (devnull >= 0)
            close(devnull);
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "fork: %s", g_strerror(e));
        return FALSE;
    }
    if (pid == 0) {
        if (we->fork_delay_ms > 0) {
            struct timespec ts = {we->fork_delay_ms / 1000,
                                  (long)(we->fork_delay_ms % 1000) * 1000000};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
                ;
        }
        /*
         * A worker must not outlive the indexer: killed (even by SIGKILL) or crashed, it takes
         * its workers with it. The kernel sends SIGKILL when the thread that forked ends (the
         * main thread, which lives as long as the process); the signal stays set across exec.
         * A parent that died before this line sends nothing, and the child would be left with
         * the jobs already in its pipe: then the parent is no longer the one saved before
         * fork(). And a worker whose pipe is closed ends at its next read.
         */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        /* Move the ends we keep out of the way of 0..4 first, then into place. */
        int in = fcntl(jobs[0], F_DUPFD, 10);
        int out = fcntl(results[1], F_DUPFD, 10);
        if (in < 0 || out < 0 || devnull < 0)
            _exit(127);
        dup2(devnull, 0);
        dup2(devnull, 1); /* a library that prints to stdout must not corrupt the protocol */
        if (we->err_fd != 2)
            dup2(we->err_fd >= 0 ? we->err_fd : devnull, 2);
        dup2(in, 3);
        dup2(out, 4);
        close_range(5, ~0U, 0);
        /* Ctrl-C reaches the whole process group: the parent decides what a worker's file
         * becomes, so a worker must not die of it and have its file recorded as failed. */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_DFL);
        /* A parser that crashes on a hostile file must not leave a core file per file. */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
#ifndef TRACUU_ASAN
        if (we->memory_mb > 0) {
            struct rlimit rl = {(rlim_t)we->memory_mb * 1024 * 1024,
                                (rlim_t)we->memory_mb * 1024 * 1024};
            setrlimit(RLIMIT_AS, &rl);
        }
#endif
        execv("/proc/self/exe", we->argv);
        _exit(127);
    }
    close(jobs[0]);
    close(results[1]);
    close(devnull);
    w->pid = pid;
    w->to_fd = jobs[1];
    w->from_fd = results[0];
    fcntl(w->from_fd, F_SETFL, fcntl(w->from_fd, F_GETFL) | O_NONBLOCK);
    w->buf = g_byte_array_new();
    w->njobs = 0;
    w->killed_for_time = FALSE;
    return TRUE;
}

/* Closes the pipes of @w and reaps it; returns the wait status. */
static int
worker_reap(worker *w, gboolean kill_it)
{
    if (kill_it)
        kill(w->pid, SIGKILL);
    if (w->to_fd >= 0)
        close(w->to_fd);
    if (w->from_fd >= 0)
        close(w->from_fd);
    w->to_fd = w->from_fd = -1;
    int status = 0;
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    w->pid = -1;
    g_clear_pointer(&w->buf, g_byte_array_unref);
    return status;
}

static char *
death_reason(const worker *w, int status)
{
    if (w->killed_for_time)
        return g_strdup_printf("timed out after %d s (extractor killed)", opt_timeout);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU)
            return g_strdup_printf("CPU time limit of %d s exceeded (signal %d)", opt_cpu_limit,
                                   sig);
        if (sig == SIGKILL)
            return g_strdup("extractor killed (signal 9: over its CPU or memory limit?)");
        return g_strdup_printf("extractor crashed (signal %d, %s)", sig, strsignal(sig));
    }
    /* 127: the child could not exec or the dynamic loader failed (the run checks at its start
     * that a worker can start, but the program may have been replaced since). */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return g_strdup("the extraction worker could not start (exit status 127)");
    if (WIFEXITED(status))
        return g_strdup_printf("extractor exited with status %d", WEXITSTATUS(status));
    return g_strdup("extractor stopped");
}

/*
 * Whether an extraction worker starts and works under an address-space limit of @memory_mb MiB
 * (0: none): one is started to test itself (see tracuu_worker_main()), and must send back the
 * result for its own small document, status OK, and exit with 0. FALSE when it does not, with
 * *@why (caller g_free()s) the last line it printed, or how it ended.
 */
static gboolean
worker_starts(guint memory_mb, char **why)
{
    *why = NULL;
    int errp[2];
    if (pipe2(errp, O_CLOEXEC) != 0) {
        *why = g_strdup_printf("pipe: %s", g_strerror(errno));
        return FALSE;
    }
    worker_exec we;
    worker_exec_init(&we, memory_mb, TRUE);
    we.err_fd = errp[1];
    worker w = {0};
    GError *error = NULL;
    gboolean spawned = worker_spawn(&w, &we, &error);
    close(errp[1]);
    if (!spawned) {
        *why = g_strdup(error->message);
        g_error_free(error);
        close(errp[0]);
        return FALSE;
    }
    /* Read both pipes to their end, which is the worker's; one that hangs is given up on. */
    GString *err = g_string_new(NULL);
    int fds[2] = {w.from_fd, errp[0]};
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    gboolean hung = FALSE;
    while (fds[0] >= 0 || fds[1] >= 0) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        int rc = left > 0 ? poll(p, 2, (int)left) : 0;
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            hung = TRUE;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i] < 0 || p[i].revents == 0)
                continue;
            char buf[4096];
            ssize_t n = read(fds[i], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0)
                fds[i] = -1;
            else if (i == 0)
                g_byte_array_append(w.buf, (const guint8 *)buf, (guint)n);
            else if (err->len < 65536)
                g_string_append_len(err, buf, n);
        }
    }
    close(errp[0]);
    gboolean bad = FALSE;
    GVariant *result = tracuu_frame_take(w.buf, TRACUU_RESULT_TYPE, &bad);
    guchar result_status = TRACUU_RESULT_FAILED;
    if (result != NULL) {
        g_variant_get_child(result, 0, "y", &result_status);
        g_variant_unref(result);
    }
    int status = worker_reap(&w, TRUE);
    gboolean ok =
        !hung && result_status == TRACUU_RESULT_OK && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        /* What it said last, without the name of the program, which the message gives. */
        g_auto(GStrv) lines = g_strsplit(err->str, "\n", -1);
        const char *last = NULL;
        for (char **l = lines; *l != NULL; l++)
            if (g_strstrip(*l)[0] != '\0')
                last = *l;
        static const char *const names[] = {"tracuu-indexer worker: ", "tracuu-indexer: "};
        for (size_t i = 0; last != NULL && i < G_N_ELEMENTS(names); i++)
            if (g_str_has_prefix(last, names[i]))
                last += strlen(names[i]);
        if (last != NULL)
            *why = g_utf8_make_valid(last, -1);
        else if (hung)
            *why = g_strdup("it did not end within 30 s");
        else if (WIFSIGNALED(status))
            *why = g_strdup_printf("killed by signal %d", WTERMSIG(status));
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            *why = g_strdup_printf("exit status %d", WEXITSTATUS(status));
        else
            *why = g_strdup("it could not read a small text file");
    }
    g_string_free(err, TRUE);
    return ok;
}

/*
 * The smallest memory limit in MiB (to 1 MiB) under which a worker starts here, searched above
 * @too_low, under which it does not; 0 when not even 1 TiB is enough.
 */
static guint
smallest_memory_limit(guint too_low)
{
    guint lo = too_low, hi = MAX(too_low * 2, 64u);
    char *why = NULL;
    while (!worker_starts(hi, &why)) {
        g_free(why);
        if (hi >= (1u << 20))
            return 0;
        lo = hi;
        hi *= 2;
    }
    g_free(why);
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (worker_starts(mid, &why))
            hi = mid;
        else
            lo = mid;
        g_free(why);
    }
    return hi;
}

/* The limit workers get: none under AddressSanitizer (see above). */
static guint
worker_memory_mb(void)
{
#ifdef TRACUU_ASAN
    return 0;
#else
    return (guint)opt_memory_mb;
#endif
}

/*
 * Checks that extraction workers can start and work, under --memory-limit: else every file
 * would fail, and be recorded so, and the next runs would not retry them. The run asks before
 * it writes anything and before it gives a worker its first file (a run with nothing to read
 * does not ask: the test takes a worker's start, about 15 ms, more than such a run in all).
 * FALSE with *@usage (the limit is too low: a usage error) or *@fatal (no worker works,
 * whatever the limit) set; caller frees.
 */
static gboolean
check_workers(char **usage, char **fatal)
{
    guint limit = worker_memory_mb();
    g_autofree char *why = NULL;
    if (worker_starts(limit, &why))
        return TRUE;
    g_autofree char *why_unlimited = NULL;
    if (limit == 0 || !worker_starts(0, &why_unlimited)) {
        *fatal = g_strdup_printf("cannot start an extraction worker: %s",
                                 limit == 0 ? why : why_unlimited);
        return FALSE;
    }
    guint least = smallest_memory_limit(limit);
    if (least == 0)
        *usage = g_strdup_printf("--memory-limit %u MiB is too low for an extraction worker to "
                                 "start (%s), and so is every limit up to 1 TiB: use 0 for none",
                                 limit, why);
    else
        *usage = g_strdup_printf("--memory-limit %u MiB is too low for an extraction worker to "
                                 "start (%s); the smallest that works here is about %u MiB "
                                 "(enough for a small text; large PDFs need more, the default is "
                                 "2048)",
                                 limit, why, least);
    return FALSE;
}

/* ---- the run ---- */

typedef struct {
    run_state rs;
    GPtrArray *files; /* tracuu_walk_file *: to extract */
    guint64 next_seq;
    gint pushed;        /* units pushed to the builders */
    gsize pushed_bytes; /* their serialized size */
    guint n_seen, n_unchanged;
    GPtrArray *walk_failures; /* report_item * */
    GPtrArray *walk_skips;    /* report_item * */
    GPtrArray *still_failed;  /* report_item *: failed before, unchanged since */
    guint jsonl_lines;
    gint64 started;
    gboolean progress;
    gint64 last_progress;
    /* --compact */
    gboolean compact_only;    /* no PATHs and no --from-jsonl: nothing but the compaction */
    gboolean compact_tried;   /* the summary has a compaction line */
    gboolean compacted;       /* and it worked */
    tracuu_store_compact_stats compact_stats;
    char *compact_note;       /* why it failed or was not done; or a warning after it worked */
} run;

static void
push_unit(run *r, unit *u)
{
    u->seq = r->next_seq++;
    u->bytes = u->docs != NULL ? g_variant_get_size(u->docs) : 0;
    r->pushed++;
    r->pushed_bytes += u->bytes;
    g_async_queue_push(r->rs.build_q, u);
}

/* Most units and bytes of text held between the workers and the writer. Room for a few hundred
 * documents lets extraction go on while the writer waits for a commit to reach the disk. */
#define MAX_IN_FLIGHT_UNITS 512
#define MAX_IN_FLIGHT_BYTES (256u * 1024 * 1024)

/* TRUE when the builders and the writer have enough work queued: hold extraction back. */
static gboolean
writer_is_behind(run *r)
{
    guint units = (guint)(r->pushed - g_atomic_int_get(&r->rs.units_done));
    gsize bytes = r->pushed_bytes - (gsize)g_atomic_pointer_get(&r->rs.bytes_done);
    return units >= MAX_IN_FLIGHT_UNITS || bytes >= MAX_IN_FLIGHT_BYTES;
}

static void
show_progress(run *r, guint total, gboolean final)
{
    if (!r->progress)
        return;
    gint64 now = g_get_monotonic_time();
    if (!final && now - r->last_progress < 250000)
        return;
    r->last_progress = now;
    guint done = (guint)g_atomic_int_get(&r->rs.files_done);
    double secs = (double)(now - r->started) / G_USEC_PER_SEC;
    double rate = secs > 0 ? done / secs : 0;
    char left[32] = "?";
    if (rate > 0) {
        guint s = (guint)((total - done) / rate);
        g_snprintf(left, sizeof left, "%u:%02u", s / 60, s % 60);
    }
    fprintf(stderr, "\r\033[Kindexing: %u/%u files, %.1f files/s, %s left", done, total, rate,
            left);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Hands the result @u of the oldest job of @w on to the builders. */
static void
finish_job(run *r, worker *w, unit *u)
{
    g_assert(w->njobs > 0);
    tracuu_walk_file *f = r->files->pdata[w->jobs[0]];
    if (u->status == TRACUU_RESULT_UNSUPPORTED && tracuu_format_is_indexed(f->named)) {
        /* An image among the documents is skipped; junk under a document's name is an input
         * that should have been indexed and could not be: a failure. */
        char *reason = g_strdup_printf("%s, though named %s", u->reason, strrchr(f->path, '.'));
        g_free(u->reason);
        u->reason = reason;
        u->status = TRACUU_RESULT_FAILED;
    }
    u->kind = UNIT_FILE;
    u->file = f;
    memcpy(u->key, f->key, 41);
    w->njobs--;
    memmove(w->jobs, w->jobs + 1, w->njobs * sizeof w->jobs[0]);
    w->started = g_get_monotonic_time();
    push_unit(r, u);
}

static unit *
unit_failed(tracuu_result_status status, char *reason)
{
    unit *u = g_new0(unit, 1);
    u->status = status;
    u->reason = reason;
    return u;
}

/*
 * @w is gone (already reaped, with @reason): its oldest job failed for that reason, and the
 * jobs queued behind it, which it never started, go back to @retry for another worker.
 */
static void
worker_lost(run *r, worker *w, char *reason, GArray *retry)
{
    if (w->njobs == 0) {
        g_free(reason);
        return;
    }
    finish_job(r, w, unit_failed(TRACUU_RESULT_FAILED, reason));
    for (guint i = 0; i < w->njobs; i++)
        g_array_append_val(retry, w->jobs[i]);
    w->njobs = 0;
}

/* Reads what @w sent and hands on every whole result. FALSE when the worker is gone. */
static gboolean
worker_read(run *r, worker *w, GArray *retry)
{
    gboolean eof = FALSE;
    for (;;) {
        guint8 chunk[65536];
        ssize_t n = read(w->from_fd, chunk, sizeof chunk);
        if (n > 0) {
            g_byte_array_append(w->buf, chunk, (guint)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        eof = TRUE; /* the worker died, perhaps after writing results: take those first */
        break;
    }
    for (;;) {
        gboolean bad = FALSE;
        GVariant *v = tracuu_frame_take(w->buf, TRACUU_RESULT_TYPE, &bad);
        if (bad) {
            worker_reap(w, TRUE);
            worker_lost(r, w, g_strdup("extractor sent a malformed result"), retry);
            return FALSE;
        }
        if (v == NULL)
            break;
        if (w->njobs == 0) {
            g_variant_unref(v); /* an answer to nothing: ignore it */
            continue;
        }
        guchar status;
        const char *reason;
        GVariant *docs;
        g_variant_get(v, "(y^&ay@" TRACUU_DOCS_TYPE "@aay)", &status, &reason, &docs, NULL);
        unit *u = g_new0(unit, 1);
        u->status = status <= TRACUU_RESULT_UNSUPPORTED ? status : TRACUU_RESULT_FAILED;
        if (u->status != TRACUU_RESULT_OK) {
            u->reason = g_strdup(reason[0] != '\0' ? reason : "extraction failed");
            g_variant_unref(docs);
        } else {
            u->docs = docs;
        }
        g_variant_unref(v);
        finish_job(r, w, u);
    }
    if (eof) {
        int status = worker_reap(w, TRUE);
        worker_lost(r, w, death_reason(w, status), retry);
        return FALSE;
    }
    return TRUE;
}

/* Sends job @job to @w. FALSE when the worker's pipe is closed (it died). */
static gboolean
worker_send(run *r, worker *w, guint job)
{
    tracuu_walk_file *f = r->files->pdata[job];
    GVariant *v = g_variant_ref_sink(g_variant_new("(^aybs)", f->path, f->maildir, f->key));
    gboolean ok = tracuu_frame_write(w->to_fd, v, NULL);
    g_variant_unref(v);
    if (ok) {
        if (w->njobs == 0)
            w->started = g_get_monotonic_time();
        w->jobs[w->njobs++] = job;
    }
    return ok;
}

/* Extracts every file of r->files with @n workers. Returns FALSE if no worker can start. */
static gboolean
extract_all(run *r, guint n, GError **error)
{
    if (r->files->len == 0)
        return TRUE;
    if (n > r->files->len)
        n = r->files->len;
    worker_exec we;
    worker_exec_init(&we, worker_memory_mb(), FALSE);
    worker *ws = g_new0(worker, n);
    for (guint i = 0; i < n; i++)
        ws[i].pid = -1;
    GArray *retry = g_array_new(FALSE, FALSE, sizeof(guint)); /* jobs of workers that died */
    guint next_job = 0, total = r->files->len;
    struct pollfd *pfd = g_new0(struct pollfd, n);
    gboolean ok = TRUE;
    for (;;) {
        if (g_atomic_int_get(&r->rs.fatal))
            break;
        if (interrupted) {
            /* Files being read are dropped unrecorded: the next run reads them. */
            for (guint i = 0; i < n; i++) {
                if (ws[i].pid > 0)
                    worker_reap(&ws[i], TRUE);
                ws[i].njobs = 0;
            }
            break;
        }
        gboolean busy = FALSE;
        for (guint i = 0; i < n; i++) {
            worker *w = &ws[i];
            gboolean more = retry->len > 0 || next_job < total;
            if (w->pid < 0 && more && !worker_spawn(w, &we, error)) {
                ok = FALSE;
                goto out;
            }
            while (w->pid > 0 && w->njobs < WORKER_DEPTH && !writer_is_behind(r) &&
                   (retry->len > 0 || next_job < total)) {
                guint job;
                if (retry->len > 0) {
                    job = g_array_index(retry, guint, retry->len - 1);
                    g_array_set_size(retry, retry->len - 1);
                } else {
                    job = next_job++;
                }
                if (!worker_send(r, w, job)) {
                    /* It died before it got this job: this one goes back to the queue, and
                     * reading its pipe (or its reaping here) settles the jobs it had. */
                    g_array_append_val(retry, job);
                    worker_read(r, w, retry);
                    if (w->pid > 0) {
                        int status = worker_reap(w, TRUE);
                        worker_lost(r, w, death_reason(w, status), retry);
                    }
                }
            }
            busy |= w->njobs > 0;
        }
        if (!busy && retry->len == 0 && next_job >= total)
            break;
        for (guint i = 0; i < n; i++) {
            pfd[i].fd = ws[i].njobs > 0 ? ws[i].from_fd : -1;
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        /* Held back by the writer, look again soon: it drains the queue quickly. */
        int rc = poll(pfd, n, writer_is_behind(r) ? 5 : 100);
        if (rc < 0 && errno != EINTR) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "poll: %s",
                        g_strerror(errno));
            ok = FALSE;
            goto out;
        }
        gint64 now = g_get_monotonic_time();
        for (guint i = 0; i < n; i++) {
            worker *w = &ws[i];
            if (w->pid > 0 && pfd[i].revents != 0)
                worker_read(r, w, retry);
            if (w->pid > 0 && w->njobs > 0 && opt_timeout > 0 &&
                now - w->started > (gint64)opt_timeout * G_USEC_PER_SEC) {
                w->killed_for_time = TRUE;
                int status = worker_reap(w, TRUE);
                worker_lost(r, w, death_reason(w, status), retry);
            }
        }
        show_progress(r, total, FALSE);
    }
out:
    for (guint i = 0; i < n; i++)
        if (ws[i].pid > 0)
            worker_reap(&ws[i], !ok);
    g_array_free(retry, TRUE);
    g_free(pfd);
    g_free(ws);
    return ok;
}

/* ---- --from-jsonl ---- */

/* The JSON type a --from-jsonl member of a field of type @t must have, for messages. */
static const char *
jsonl_type_name(tracuu_field_type t)
{
    switch (t) {
    case TRACUU_FIELD_STRV:
        return "an array of strings";
    case TRACUU_FIELD_DATE:
        return "a date YYYY-MM-DD (or YYYY-MM, YYYY)";
    case TRACUU_FIELD_MAILBOXES:
        return "a string of addresses (\"Name <a@b>, c@d\")";
    default:
        return "a string";
    }
}

static gboolean
json_is_string(JsonNode *n)
{
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

/*
 * One member of a --from-jsonl line into field @fi of @f, as its type says; FALSE when the
 * member has the wrong type or (a date) is not a real date. Arrays it makes go to @keep.
 */
static gboolean
jsonl_field(const tracuu_field_info *fi, JsonNode *n, tracuu_docfields *f, GPtrArray *keep)
{
    switch (fi->type) {
    case TRACUU_FIELD_STRING:
        if (!json_is_string(n))
            return FALSE;
        tracuu_field_set(f, fi, json_node_get_string(n), 1);
        return TRUE;
    case TRACUU_FIELD_DATE: {
        char digits[9];
        const char *v = json_is_string(n) ? json_node_get_string(n) : NULL;
        if (v == NULL || (*v != '\0' && !tracuu_schema_date_parse(v, -1, digits)))
            return FALSE;
        tracuu_field_set(f, fi, v, 1);
        return TRUE;
    }
    case TRACUU_FIELD_STRV: {
        if (!JSON_NODE_HOLDS_ARRAY(n))
            return FALSE;
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        const char **strv = g_new0(const char *, len + 1);
        g_ptr_array_add(keep, strv);
        for (guint i = 0; i < len; i++) {
            JsonNode *e = json_array_get_element(a, i);
            if (!json_is_string(e))
                return FALSE;
            strv[i] = json_node_get_string(e);
        }
        tracuu_field_set(f, fi, strv, len);
        return TRUE;
    }
    case TRACUU_FIELD_MAILBOXES: {
        if (!json_is_string(n))
            return FALSE;
        GArray *boxes = tracuu_extract_mailboxes(json_node_get_string(n));
        if (boxes != NULL) {
            g_ptr_array_add(keep, boxes);
            tracuu_field_set(f, fi, boxes->data, boxes->len);
        }
        return TRUE;
    }
    case TRACUU_FIELD_OFFSETS:
        return FALSE; /* no such field is taken from JSON lines */
    }
    return FALSE;
}

/*
 * One line of --from-jsonl into the fields of a document (the members the field table marks
 * TRACUU_FIELD_JSONL, kind "json"), in the pipe form; NULL with *@reason when it is bad.
 */
static GVariant *
jsonl_parse_line(const char *line, gsize len, char **reason)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, line, (gssize)len, &error)) {
        *reason = g_strdup_printf("not JSON: %s", error->message);
        g_error_free(error);
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        *reason = g_strdup("not a JSON object");
        return NULL;
    }
    JsonObject *o = json_node_get_object(root);
    tracuu_docfields f = {0};
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) boxes = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        if (!(fi->flags & TRACUU_FIELD_JSONL))
            continue;
        JsonNode *n = json_object_get_member(o, fi->name);
        gboolean absent = n == NULL || JSON_NODE_HOLDS_NULL(n);
        if (absent && !(fi->flags & TRACUU_FIELD_REQUIRED))
            continue;
        GPtrArray *into = fi->type == TRACUU_FIELD_MAILBOXES ? boxes : keep;
        if (absent || !jsonl_field(fi, n, &f, into)) {
            g_autofree char *given = absent ? NULL : json_to_string(n, FALSE);
            if (given != NULL && strlen(given) > 80)
                strcpy(given + 77, "...");
            *reason = g_strdup_printf("\"%s\" must be %s%s%s", fi->name,
                                      jsonl_type_name(fi->type), given != NULL ? ", not " : "",
                                      given != NULL ? given : "");
            return NULL;
        }
    }
    /* The id is compared exactly and names the document: an empty one is none. */
    if (*f.id == '\0') {
        *reason = g_strdup("\"id\" must be a non-empty string");
        return NULL;
    }
    tracuu_field_set(&f, &tracuu_field_table[TRACUU_FIELD_INDEX_kind], "json", 1);
    GVariant *doc = tracuu_pipe_fields(&f);
    return g_variant_ref_sink(g_variant_new_array(NULL, &doc, 1));
}

/* Reads @path and queues one unit per line. FALSE with @error when the file cannot be read. */
static gboolean
import_jsonl(run *r, const char *path, GError **error)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
    if (fp == NULL) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", path, g_strerror(e));
        return FALSE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    guint lineno = 0;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue; /* blank lines, as at the end of many files, are not documents */
        r->jsonl_lines++;
        unit *u = g_new0(unit, 1);
        u->kind = UNIT_JSONL;
        u->line = lineno;
        char *reason = NULL;
        u->docs = jsonl_parse_line(line, (gsize)n, &reason);
        if (u->docs == NULL) {
            u->status = TRACUU_RESULT_FAILED;
            u->reason = reason;
        }
        while (writer_is_behind(r) && !g_atomic_int_get(&r->rs.fatal) && !interrupted)
            g_usleep(2000);
        if (g_atomic_int_get(&r->rs.fatal) || interrupted) {
            unit_free(u);
            break;
        }
        push_unit(r, u);
    }
    gboolean ok = TRUE;
    if (ferror(fp)) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", path, g_strerror(e));
        ok = FALSE;
    }
    free(line);
    if (fp != stdin)
        fclose(fp);
    return ok;
}

/* ---- the index: opening, versions, state ---- */

static bool
collect_key(const char *key, const char *value, size_t len, void *user_data)
{
    g_ptr_array_add(user_data, g_strdup(key));
    return TRUE;
}

static bool
collect_term(const char *term, size_t len, uint64_t doc_freq, void *user_data)
{
    g_ptr_array_add(user_data, g_strndup(term, len));
    return TRUE;
}

/* Empties @store: every document (all carry a "Q" id term) and every metadata key. */
static gboolean
empty_index(tracuu_store *store, char **message)
{
    g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    if (tracuu_store_list_terms(store, TRACUU_PREFIX_ID, collect_term, terms) != TRACUU_STORE_OK ||
        tracuu_store_list_metadata(store, "", collect_key, keys) != TRACUU_STORE_OK)
        goto fail;
    for (guint i = 0; i < terms->len; i++)
        if (tracuu_store_delete(store, terms->pdata[i]) != TRACUU_STORE_OK)
            goto fail;
    for (guint i = 0; i < keys->len; i++)
        if (tracuu_store_set_metadata(store, keys->pdata[i], "", 0) != TRACUU_STORE_OK)
            goto fail;
    if (tracuu_store_commit(store) != TRACUU_STORE_OK)
        goto fail;
    return TRUE;
fail:
    *message = g_strdup_printf("cannot empty the index: %s", tracuu_store_get_error(store));
    return FALSE;
}

/*
 * Checks that @store was built by this schema and tokenizer (or is new, or --rebuild empties
 * it) and records the versions. FALSE with *@message when the index cannot be used.
 */
static gboolean
check_versions(tracuu_store *store, gboolean rebuild, char **message)
{
    g_autofree char *why = NULL;
    tracuu_schema_index_state state = tracuu_schema_index_check(store, &why);
    if (state == TRACUU_SCHEMA_INDEX_UNREADABLE) {
        *message = g_strdup_printf("cannot read the index metadata: %s", why);
        return FALSE;
    }
    gboolean fresh =
        state == TRACUU_SCHEMA_INDEX_UNVERSIONED && tracuu_store_get_doc_count(store) == 0;
    gboolean same = state == TRACUU_SCHEMA_INDEX_CURRENT;
    if (rebuild) {
        if (!empty_index(store, message))
            return FALSE;
    } else if (!fresh && !same) {
        if (state == TRACUU_SCHEMA_INDEX_UNVERSIONED)
            *message = g_strdup("the index was not made by tracuu-indexer (no schema version);"
                                " run again with --rebuild to replace its contents");
        else
            *message = g_strdup_printf("the index was %s: run again with --rebuild", why);
        return FALSE;
    }
    if (!same || rebuild) {
        if (!tracuu_schema_index_set_versions(store) ||
            tracuu_store_commit(store) != TRACUU_STORE_OK) {
            *message = g_strdup_printf("cannot write the index: %s", tracuu_store_get_error(store));
            return FALSE;
        }
    }
    return TRUE;
}

static bool
collect_state(const char *key, const char *value, size_t len, void *user_data)
{
    GHashTable *states = user_data;
    const char *hex = key + strlen(TRACUU_META_FILE_PREFIX);
    tracuu_file_state *st = tracuu_state_parse(value, len);
    if (st != NULL && strlen(hex) == 40)
        g_hash_table_insert(states, g_strdup(hex), st);
    else
        tracuu_file_state_free(st);
    return TRUE;
}

/* ---- summary ---- */

static void
json_add_items(JsonBuilder *b, const char *name, GPtrArray *items, const char *path_name)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (guint i = 0; i < items->len; i++) {
        report_item *it = items->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, path_name);
        if (strcmp(path_name, "line") == 0)
            json_builder_add_int_value(b, g_ascii_strtoll(it->path, NULL, 10));
        else
            json_builder_add_string_value(b, it->path);
        json_builder_set_member_name(b, "reason");
        json_builder_add_string_value(b, it->reason);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void
json_add_uint(JsonBuilder *b, const char *name, guint64 v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, (gint64)v);
}

static void
print_items_noted(GPtrArray *items, const char *label, const char *note)
{
    for (guint i = 0; i < items->len; i++) {
        report_item *it = items->pdata[i];
        g_print("  %s%s: %s%s\n", label, it->path, it->reason, note);
    }
}

static void
print_items(GPtrArray *items, const char *label)
{
    print_items_noted(items, label, "");
}

/* A size in GB, MB or kB (powers of 10, as df -H and GLib say), chosen by @ref. */
static char *
format_size_as(guint64 bytes, guint64 ref)
{
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}};
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
        if ((double)ref >= units[i].scale)
            return g_strdup_printf("%.1f %s", (double)bytes / units[i].scale, units[i].unit);
    return g_strdup_printf("%" G_GUINT64_FORMAT " bytes", bytes);
}

/* "1.0 GB -> 0.8 GB": both sizes in the unit of the larger, so that they compare at a glance. */
static char *
format_sizes(guint64 before, guint64 after)
{
    g_autofree char *a = format_size_as(before, MAX(before, after));
    g_autofree char *b = format_size_as(after, MAX(before, after));
    return g_strdup_printf("%s -> %s", a, b);
}

static void
json_add_compact(run *r, JsonBuilder *b)
{
    json_builder_set_member_name(b, "compact");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "done");
    json_builder_add_boolean_value(b, r->compacted);
    if (r->compacted) {
        json_builder_set_member_name(b, "replaced");
        json_builder_add_boolean_value(b, r->compact_stats.replaced);
        json_add_uint(b, "size_before", r->compact_stats.size_before);
        json_add_uint(b, "size_after", r->compact_stats.size_after);
        json_add_uint(b, "documents", r->compact_stats.doc_count);
        json_builder_set_member_name(b, "seconds");
        json_builder_add_double_value(b, r->compact_stats.seconds);
    }
    if (r->compact_note != NULL) {
        json_builder_set_member_name(b, r->compacted ? "warning" : "error");
        json_builder_add_string_value(b, r->compact_note);
    }
    json_builder_end_object(b);
}

static void
print_compact(run *r)
{
    double secs = r->compact_stats.seconds;
    if (r->compacted && !r->compact_stats.replaced) {
        g_autofree char *size =
            format_size_as(r->compact_stats.size_before, r->compact_stats.size_before);
        g_print("compacted:   no need, already compact (%s; checked in %.*f s)\n", size,
                secs >= 1 ? 1 : 2, secs);
    } else if (r->compacted) {
        g_autofree char *sizes =
            format_sizes(r->compact_stats.size_before, r->compact_stats.size_after);
        g_print("compacted:   %s in %.*f s\n", sizes, secs >= 1 ? 1 : 2, secs);
        if (r->compact_note != NULL)
            g_print("  warning: %s\n", r->compact_note);
    } else {
        g_print("compacted:   no: %s\n", r->compact_note);
    }
}

static int
compare_items(gconstpointer a, gconstpointer b)
{
    const report_item *x = *(report_item *const *)a, *y = *(report_item *const *)b;
    return strcmp(x->path, y->path);
}

static void
print_summary(run *r, double elapsed, const char *fatal, int status)
{
    run_state *rs = &r->rs;
    /* Workers finish in any order; the report does not. */
    g_ptr_array_sort(rs->failures, compare_items);
    g_ptr_array_sort(rs->skips, compare_items);
    g_ptr_array_sort(r->still_failed, compare_items);
    guint failed = rs->failed + r->walk_failures->len;
    guint skipped = rs->skipped + r->walk_skips->len;
    if (opt_json) {
        /* With --compact alone the file counters are there too, as 0: one shape to parse. */
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_uint(b, "seen", r->n_seen);
        json_add_uint(b, "indexed", rs->indexed);
        json_add_uint(b, "unchanged", r->n_unchanged);
        json_add_uint(b, "removed", rs->removed);
        json_add_uint(b, "failed", failed);
        json_add_uint(b, "still_failing", r->still_failed->len);
        json_add_uint(b, "skipped", skipped);
        json_add_uint(b, "documents", rs->documents);
        json_builder_set_member_name(b, "elapsed");
        json_builder_add_double_value(b, elapsed);
        g_autoptr(GPtrArray) all_failed = g_ptr_array_new();
        g_ptr_array_extend(all_failed, r->walk_failures, NULL, NULL);
        g_ptr_array_extend(all_failed, rs->failures, NULL, NULL);
        json_add_items(b, "failures", all_failed, "path");
        g_autoptr(GPtrArray) all_skipped = g_ptr_array_new();
        g_ptr_array_extend(all_skipped, r->walk_skips, NULL, NULL);
        g_ptr_array_extend(all_skipped, rs->skips, NULL, NULL);
        json_add_items(b, "skips", all_skipped, "path");
        json_add_items(b, "unchanged_failures", r->still_failed, "path");
        if (opt_jsonl != NULL) {
            json_builder_set_member_name(b, "jsonl");
            json_builder_begin_object(b);
            json_add_uint(b, "lines", r->jsonl_lines);
            json_add_uint(b, "imported", rs->jsonl_imported);
            json_add_uint(b, "bad", rs->jsonl_bad->len);
            json_add_items(b, "bad_lines", rs->jsonl_bad, "line");
            json_builder_end_object(b);
        }
        if (r->compact_tried)
            json_add_compact(r, b);
        if (fatal != NULL) {
            json_builder_set_member_name(b, "error");
            json_builder_add_string_value(b, fatal);
        }
        if (interrupted) {
            json_builder_set_member_name(b, "interrupted");
            json_builder_add_boolean_value(b, TRUE);
        }
        json_add_uint(b, "exit_status", (guint64)status);
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *text = json_to_string(root, TRUE);
        g_print("%s\n", text);
        return;
    }
    if (opt_quiet && status == EXIT_ALL_OK)
        return;
    if (r->compact_only) {
        if (r->compact_tried)
            print_compact(r);
        if (interrupted)
            g_print("interrupted: by signal %d; the index is as it was\n", (int)interrupted);
        g_print("elapsed:     %.2f s\n", elapsed);
        return;
    }
    g_print("files seen:  %u\n", r->n_seen);
    g_print("indexed:     %u (%" G_GUINT64_FORMAT " documents)\n", rs->indexed, rs->file_documents);
    g_print("unchanged:   %u\n", r->n_unchanged);
    g_print("removed:     %u\n", rs->removed);
    /* Files that failed before and were not retried make the exit status 1 as well: the line
     * that counts failures says so, lest "failed: 0" come with a status of 1. */
    guint still = r->still_failed->len;
    if (still > 0)
        g_print("failed:      %u, and %u still failing from %s (unchanged, not retried)\n", failed,
                still, still == 1 ? "an earlier run" : "earlier runs");
    else
        g_print("failed:      %u\n", failed);
    print_items(r->walk_failures, "");
    print_items(rs->failures, "");
    print_items_noted(r->still_failed, "", " (in an earlier run; unchanged since)");
    g_print("skipped:     %u\n", skipped);
    print_items(r->walk_skips, "");
    print_items(rs->skips, "");
    if (opt_jsonl != NULL) {
        g_print("json lines:  %u read, %u imported, %u bad\n", r->jsonl_lines, rs->jsonl_imported,
                rs->jsonl_bad->len);
        print_items(rs->jsonl_bad, "line ");
    }
    if (r->compact_tried)
        print_compact(r);
    if (interrupted)
        g_print("interrupted: by signal %d; what was done is kept, the next run does the rest\n",
                (int)interrupted);
    g_print("elapsed:     %.2f s\n", elapsed);
    if (opt_verbose) {
        struct rusage self, children;
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        g_print("commits:     %u, %.2f s in all\n", rs->commits, rs->wall_commit);
        g_print("cpu:         writer %.2f s adding + %.2f s committing, builders %.2f s, "
                "workers %.2f s, this process %.2f s\n",
                rs->cpu_apply, rs->cpu_commit, (double)rs->cpu_build_ns / 1e9,
                children.ru_utime.tv_sec + children.ru_stime.tv_sec +
                    (children.ru_utime.tv_usec + children.ru_stime.tv_usec) / 1e6,
                self.ru_utime.tv_sec + self.ru_stime.tv_sec +
                    (self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6);
    }
}

/* ---- --compact ---- */

static void
compact_progress(const char *table, const char *status, void *user_data)
{
    run *r = user_data;
    if (r->progress && status[0] == '\0') {
        fprintf(stderr, "\r\033[Kcompacting: the %s table", table);
        fflush(stderr);
    }
    /* Xapian says what each table saved ("Reduced by 56% ..."). */
    if (opt_verbose && !opt_json && status[0] != '\0')
        g_print("compacted %s: %s\n", table, status);
}

static bool
compact_cancelled(void *user_data)
{
    return interrupted != 0;
}

/*
 * Compacts the index in opt_db (see tracuu_store_compact()). Sets *@fatal when it failed: the
 * index is then as it was. Interrupted by SIGINT or SIGTERM, it stops and leaves the index as it
 * was too, and that is no failure of the index (the exit status says "interrupted").
 */
static void
compact_index(run *r, char **fatal)
{
    r->compact_tried = TRUE;
    if (interrupted) {
        r->compact_note = g_strdup("not done: the run was interrupted");
        return;
    }
    tracuu_store_compact_options o = {0};
    o.progress = compact_progress;
    o.cancelled = compact_cancelled;
    o.user_data = r;
    char *msg = NULL;
    tracuu_store_status st = tracuu_store_compact(opt_db, &o, &r->compact_stats, &msg);
    if (r->progress) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (st == TRACUU_STORE_OK) {
        r->compacted = TRUE;
        r->compact_note = g_strdup(msg); /* NULL, or the old copy that could not be removed */
    } else if (interrupted) {
        r->compact_note = g_strdup("interrupted; the index is as it was");
    } else {
        /* Unless there was no index to begin with, say that it is still there, unharmed. */
        gboolean kept = st != TRACUU_STORE_NOT_FOUND && st != TRACUU_STORE_INVALID;
        r->compact_note = g_strdup_printf("%s (%s)%s", msg != NULL ? msg : "unknown error",
                                          tracuu_store_status_name(st),
                                          kept ? "; the index is as it was" : "");
        *fatal = g_strdup_printf("compaction failed: %s", r->compact_note);
    }
    free(msg);
}

/*
 * The index moved aside by a compaction killed between its two renames (only on a file system
 * without an atomic exchange, see tracuu_store_compact()): a new, empty index made in its
 * place would hide it. Returns the message that says so, or NULL when all is as usual.
 */
static char *
index_moved_aside(const char *db)
{
    g_autofree char *base = g_strdup(db);
    for (size_t n = strlen(base); n > 1 && base[n - 1] == '/'; n--)
        base[n - 1] = '\0';
    g_autofree char *aside = g_strconcat(base, ".compacting-old", NULL);
    if (g_file_test(base, G_FILE_TEST_EXISTS) || !g_file_test(aside, G_FILE_TEST_IS_DIR))
        return NULL;
    return g_strdup_printf("there is no index in %s, but %s may hold it, moved aside by a "
                           "compaction that was killed: move it back to %s",
                           base, aside, base);
}

/* ---- main ---- */

static gboolean
folder_is_missing_or_empty(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    if (dir == NULL)
        return !g_file_test(path, G_FILE_TEST_EXISTS);
    gboolean empty = g_dir_read_name(dir) == NULL;
    g_dir_close(dir);
    return empty;
}

static int
usage_error(GOptionContext *ctx, const char *message)
{
    g_printerr("tracuu-indexer: %s\n", message);
    g_printerr("Try 'tracuu-indexer --help'.\n");
    g_option_context_free(ctx);
    return EXIT_USAGE;
}

static void
free_options(void)
{
    g_free(opt_db);
    g_free(opt_jsonl);
    g_strfreev(opt_excludes);
}

int
main(int argc, char **argv)
{
    stop_unit = (unit *)&stop_unit;
    GOptionContext *ctx = g_option_context_new("PATH... - index files and folders for tracuu");
    g_option_context_set_summary(
        ctx, "Walks PATHs (files, folders, Maildirs, mbox files) and indexes PDF, mail, DOCX,\n"
             "HTML and text into the tracuu index in --db. Runs are incremental: only new and\n"
             "changed files are read, and documents of files that are gone are removed.");
    g_option_context_set_description(
        ctx, "Exit status: 0 when every input was indexed, 1 when the run finished but some\n"
             "inputs failed (in this run, or in an earlier one and unchanged since: such files\n"
             "are not retried but still count until they change or are excluded), 2 for a\n"
             "usage error, 3 when the index cannot be used. See docs/tracuu-indexer.md.");
    g_option_context_add_main_entries(ctx, option_entries, NULL);
    tracuu_cli_init_locale();
    const GOptionEntry *const tables[] = {option_entries, NULL};
    tracuu_cli_split_short_options(&argc, &argv, tables);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        int rc = usage_error(ctx, error->message);
        g_error_free(error);
        free_options();
        return rc;
    }

    if (opt_worker) {
        g_option_context_free(ctx);
        free_options();
        return tracuu_worker_main(3, 4, opt_cpu_limit > 0 ? (guint)opt_cpu_limit : 0,
                                  opt_self_test);
    }
    if (opt_version) {
        g_print("tracuu-indexer %s (schema %d, tokenizer %d)%s\n", TRACUU_VERSION,
                TRACUU_SCHEMA_VERSION, TRACUU_TOKENIZER_VERSION,
#ifdef TRACUU_ASAN
                " built with AddressSanitizer: no --memory-limit"
#else
                ""
#endif
        );
        g_option_context_free(ctx);
        free_options();
        return EXIT_ALL_OK;
    }
    int rc = EXIT_ALL_OK;
    if (opt_db == NULL || opt_db[0] == '\0')
        rc = usage_error(ctx, "--db DIR is required");
    else if (argc < 2 && opt_jsonl == NULL && !opt_compact)
        rc = usage_error(ctx, "nothing to index: give PATHs or --from-jsonl FILE");
    else if (argc < 2 && opt_jsonl == NULL && opt_rebuild)
        rc = usage_error(ctx, "--rebuild needs PATHs or --from-jsonl FILE to index");
    else if (opt_jobs < 0 || opt_timeout < 0 || opt_cpu_limit < 0 || opt_memory_mb < 0 ||
             opt_batch < 0)
        rc = usage_error(ctx, "--jobs, --timeout, --cpu-limit, --memory-limit and --batch take "
                              "numbers of 0 or more");
    else if (opt_jsonl != NULL && strcmp(opt_jsonl, "-") != 0 &&
             !g_file_test(opt_jsonl, G_FILE_TEST_IS_REGULAR))
        rc = usage_error(ctx, "--from-jsonl: no such file");
    if (rc != EXIT_ALL_OK) {
        free_options();
        return rc;
    }
    g_option_context_free(ctx);
    if (opt_batch == 0)
        opt_batch = 250;
    guint jobs = opt_jobs > 0 ? (guint)opt_jobs : g_get_num_processors();
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt; /* no SA_RESTART: poll() returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    run r;
    memset(&r, 0, sizeof r);
    g_mutex_init(&r.rs.build_lock);
    r.started = g_get_monotonic_time();
    r.progress = isatty(2) && !opt_quiet;
    r.walk_failures = g_ptr_array_new_with_free_func((GDestroyNotify)report_item_free);
    r.walk_skips = g_ptr_array_new_with_free_func((GDestroyNotify)report_item_free);
    r.still_failed = g_ptr_array_new_with_free_func((GDestroyNotify)report_item_free);
    r.rs.failures = g_ptr_array_new_with_free_func((GDestroyNotify)report_item_free);
    r.rs.skips = g_ptr_array_new_with_free_func((GDestroyNotify)report_item_free);
    r.rs.jsonl_bad = g_ptr_array_new_with_free_func((GDestroyNotify)report_item_free);
    r.files = g_ptr_array_new();
    GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_walk_file_free);
    GPtrArray *problems = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_walk_problem_free);
    GPtrArray *roots = g_ptr_array_new_with_free_func(g_free);
    GHashTable *states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)tracuu_file_state_free);
    char *fatal = NULL;
    char *refused = NULL;             /* a usage error found after the options were read */
    gboolean workers_checked = FALSE; /* see check_workers() */
    GThread **builders = NULL;
    GThread *writer = NULL;
    gboolean builders_started = FALSE;

    /* --compact alone: no run, so nothing opens (or creates) the index but the compaction. */
    r.compact_only = opt_compact && argc < 2 && opt_jsonl == NULL;
    if ((fatal = index_moved_aside(opt_db)) != NULL || r.compact_only)
        goto out;
    /* The index first: a run that cannot write has nothing to do. Only PATHs need workers
     * (--from-jsonl is read in this process), whose check comes before anything is written:
     * here when the index is made (or made anew: a half-made one, or Xapian's lock file in a
     * folder still empty) or emptied (--rebuild), which a run with PATHs does only to read
     * files; else once it is known that there are files to read. */
    char *open_error = NULL;
    tracuu_store_status st = TRACUU_STORE_NOT_FOUND;
    if (!folder_is_missing_or_empty(opt_db))
        st = tracuu_store_open(opt_db, TRACUU_STORE_WRITE, &r.rs.store, NULL);
    if (argc >= 2 && (st != TRACUU_STORE_OK || opt_rebuild)) {
        workers_checked = TRUE;
        if (!check_workers(&refused, &fatal))
            goto out;
    }
    if (st != TRACUU_STORE_OK)
        st = tracuu_store_open(opt_db, TRACUU_STORE_CREATE, &r.rs.store, &open_error);
    if (st != TRACUU_STORE_OK) {
        fatal = g_strdup_printf("cannot open the index %s (%s)%s%s", opt_db,
                                tracuu_store_status_name(st), open_error != NULL ? ": " : "",
                                open_error != NULL ? open_error : "");
        free(open_error);
        goto out;
    }
    if (!check_versions(r.rs.store, opt_rebuild, &fatal))
        goto out;
    if (tracuu_store_list_metadata(r.rs.store, TRACUU_META_FILE_PREFIX, collect_state, states) !=
        TRACUU_STORE_OK) {
        fatal =
            g_strdup_printf("cannot read the index state: %s", tracuu_store_get_error(r.rs.store));
        goto out;
    }

    /* Walk, then compare with the state: what is new or changed goes to the workers. */
    tracuu_walk_options wopts = {0};
    wopts.follow_symlinks = opt_follow;
    wopts.excludes = opt_excludes;
    struct stat dbst;
    if (stat(opt_db, &dbst) == 0) {
        wopts.has_skip_dir = TRUE;
        wopts.skip_dev = dbst.st_dev;
        wopts.skip_ino = dbst.st_ino;
    }
    tracuu_walk_run((const char *const *)(argv + 1), &wopts, found, problems, roots);

    r.rs.write_q = g_async_queue_new();
    r.rs.build_q = g_async_queue_new();
    r.rs.n_builders = MAX(1u, MIN(jobs, 8u));
    writer = g_thread_new("writer", writer_thread, &r.rs);
    builders = g_new0(GThread *, r.rs.n_builders);
    for (guint i = 0; i < r.rs.n_builders; i++)
        builders[i] = g_thread_new("builder", builder_thread, &r.rs);

    for (guint i = 0; i < problems->len; i++) {
        tracuu_walk_problem *p = problems->pdata[i];
        report_add(p->failed ? r.walk_failures : r.walk_skips, p->path, p->reason);
        r.n_seen++;
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < found->len; i++) {
        tracuu_walk_file *f = found->pdata[i];
        if (g_hash_table_contains(seen, f->key))
            continue; /* given twice (a file and its folder) */
        g_hash_table_add(seen, f->key);
        r.n_seen++;
        tracuu_file_state *old = g_hash_table_lookup(states, f->key);
        if (old != NULL && old->mtime_ns == f->mtime_ns && old->size == f->size &&
            old->ino == f->ino) {
            r.n_unchanged++;
            if (old->failed && !old->unsupported)
                report_add(r.still_failed, f->path, old->reason);
            continue;
        }
        g_ptr_array_add(r.files, f);
    }
    if (r.files->len > 0 && !workers_checked && !check_workers(&refused, &fatal)) {
        g_hash_table_destroy(seen);
        goto out;
    }
    /* Files the index knows under the given roots that the walk did not see are gone. */
    GHashTableIter hit;
    gpointer hk, hv;
    g_hash_table_iter_init(&hit, states);
    while (g_hash_table_iter_next(&hit, &hk, &hv)) {
        tracuu_file_state *old = hv;
        if (g_hash_table_contains(seen, hk))
            continue;
        gboolean under = FALSE;
        for (guint i = 0; i < roots->len && !under; i++)
            under = tracuu_walk_path_is_under(old->path, roots->pdata[i]);
        if (!under)
            continue;
        /* A folder the walk could not read hides its files; it does not delete them. */
        gboolean hidden = FALSE;
        for (guint i = 0; i < problems->len && !hidden; i++) {
            tracuu_walk_problem *p = problems->pdata[i];
            hidden = p->failed && tracuu_walk_path_is_under(old->path, p->path);
        }
        if (hidden)
            continue;
        unit *u = g_new0(unit, 1);
        u->kind = UNIT_REMOVE;
        memcpy(u->key, hk, 41);
        u->path = g_strdup(old->path);
        push_unit(&r, u);
    }
    g_hash_table_destroy(seen);

    if (opt_jsonl != NULL && !import_jsonl(&r, opt_jsonl, &error)) {
        report_add(r.walk_failures, opt_jsonl, error->message);
        g_clear_error(&error);
    }
    if (!extract_all(&r, jobs, &error)) {
        fatal = g_strdup_printf("cannot run extraction workers: %s", error->message);
        g_clear_error(&error);
    }

out:
    if (builders != NULL) {
        for (guint i = 0; i < r.rs.n_builders; i++)
            g_async_queue_push(r.rs.build_q, stop_unit);
        for (guint i = 0; i < r.rs.n_builders; i++)
            g_thread_join(builders[i]);
        g_async_queue_push(r.rs.write_q, stop_unit);
        g_thread_join(writer);
        g_free(builders);
        builders_started = TRUE;
    }
    if (!r.compact_only)
        show_progress(&r, r.files->len, TRUE);
    if (fatal == NULL && r.rs.fatal_message != NULL)
        fatal = g_strdup(r.rs.fatal_message);
    if (fatal == NULL && r.rs.store != NULL && tracuu_store_commit(r.rs.store) != TRACUU_STORE_OK)
        fatal = g_strdup_printf("commit failed: %s", tracuu_store_get_error(r.rs.store));
    tracuu_store_free(r.rs.store);
    /* After the run, and after its writer let go of the index: the compaction takes the lock
     * again. Not after a failed run: its index may not be worth compacting. */
    if (opt_compact && fatal == NULL)
        compact_index(&r, &fatal);

    int status = EXIT_ALL_OK;
    if (refused != NULL)
        status = EXIT_USAGE;
    else if (fatal != NULL)
        status = EXIT_INDEX;
    else if (r.rs.failed > 0 || r.walk_failures->len > 0 || r.still_failed->len > 0 ||
             r.rs.jsonl_bad->len > 0 || interrupted)
        status = EXIT_SOME_FAILED;
    double elapsed = (double)(g_get_monotonic_time() - r.started) / G_USEC_PER_SEC;
    if (refused != NULL)
        g_printerr("tracuu-indexer: %s\nTry 'tracuu-indexer --help'.\n", refused);
    if (fatal != NULL)
        g_printerr("tracuu-indexer: %s\n", fatal);
    /* A run that could not even open the index has nothing to summarise, except for --json
     * readers, who get the error in the object they parse. A usage error is no run. */
    if (refused == NULL && (builders_started || opt_json || r.compact_tried))
        print_summary(&r, elapsed, fatal, status);

    g_free(fatal);
    g_free(refused);
    g_free(r.compact_note);
    g_free(r.rs.fatal_message);
    if (r.rs.build_q != NULL)
        g_async_queue_unref(r.rs.build_q);
    if (r.rs.write_q != NULL)
        g_async_queue_unref(r.rs.write_q);
    g_ptr_array_free(r.walk_failures, TRUE);
    g_ptr_array_free(r.walk_skips, TRUE);
    g_ptr_array_free(r.still_failed, TRUE);
    g_ptr_array_free(r.rs.failures, TRUE);
    g_ptr_array_free(r.rs.skips, TRUE);
    g_ptr_array_free(r.rs.jsonl_bad, TRUE);
    g_ptr_array_free(r.files, TRUE);
    g_ptr_array_free(found, TRUE);
    g_ptr_array_free(problems, TRUE);
    g_ptr_array_free(roots, TRUE);
    g_hash_table_destroy(states);
    g_mutex_clear(&r.rs.build_lock);
    free_options();
    return status;
}
