/* pool.c - the extraction workers: started, limited, tested, fed with files and reaped. */
#include "indexer-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
    char *argv[16];
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
worker_exec_init(worker_exec *we, const tracuu_indexer_options *opts, guint memory_mb,
                 gboolean self_test)
{
    g_snprintf(we->argbuf[0], sizeof we->argbuf[0], "%d", opts->cpu_limit);
    we->argv[0] = (char *)"tracuu-indexer";
    we->argv[1] = (char *)"--internal-worker";
    we->argv[2] = (char *)"--cpu-limit";
    we->argv[3] = we->argbuf[0];
    int n = 4;
    if (self_test) {
        we->argv[n++] = (char *)"--internal-self-test";
    } else if (opts->ocr != NULL) {
        /* The run's OCR options, resolved from the command line and the configuration. */
        g_snprintf(we->argbuf[1], sizeof we->argbuf[1], "%d", opts->ocr_max_pages);
        we->argv[n++] = (char *)"--ocr";
        we->argv[n++] = opts->ocr;
        we->argv[n++] = (char *)"--ocr-languages";
        we->argv[n++] = opts->ocr_languages;
        we->argv[n++] = (char *)"--ocr-max-pages";
        we->argv[n++] = we->argbuf[1];
        if (opts->ocr_cache != NULL) {
            we->argv[n++] = (char *)"--internal-ocr-cache";
            we->argv[n++] = opts->ocr_cache;
        }
    }
    we->argv[n] = NULL;
    we->memory_mb = memory_mb;
    we->err_fd = opts->verbose ? 2 : -1;
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
death_reason(const worker *w, const tracuu_indexer_options *opts, int status)
{
    if (w->killed_for_time)
        return g_strdup_printf("timed out after %d s (extractor killed)", opts->timeout);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU)
            return g_strdup_printf("CPU time limit of %d s exceeded (signal %d)", opts->cpu_limit,
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
worker_starts(const tracuu_indexer_options *opts, guint memory_mb, char **why)
{
    *why = NULL;
    int errp[2];
    if (pipe2(errp, O_CLOEXEC) != 0) {
        *why = g_strdup_printf("pipe: %s", g_strerror(errno));
        return FALSE;
    }
    worker_exec we;
    worker_exec_init(&we, opts, memory_mb, TRUE);
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
smallest_memory_limit(const tracuu_indexer_options *opts, guint too_low)
{
    guint lo = too_low, hi = MAX(too_low * 2, 64u);
    char *why = NULL;
    while (!worker_starts(opts, hi, &why)) {
        g_free(why);
        if (hi >= (1u << 20))
            return 0;
        lo = hi;
        hi *= 2;
    }
    g_free(why);
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (worker_starts(opts, mid, &why))
            hi = mid;
        else
            lo = mid;
        g_free(why);
    }
    return hi;
}

/* The limit workers get: none under AddressSanitizer (see above). */
static guint
worker_memory_mb(const tracuu_indexer_options *opts)
{
#ifdef TRACUU_ASAN
    (void)opts;
    return 0;
#else
    return (guint)opts->memory_mb;
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
gboolean
tracuu_pool_check_workers(const tracuu_indexer_options *opts, char **usage, char **fatal)
{
    guint limit = worker_memory_mb(opts);
    g_autofree char *why = NULL;
    if (worker_starts(opts, limit, &why))
        return TRUE;
    g_autofree char *why_unlimited = NULL;
    if (limit == 0 || !worker_starts(opts, 0, &why_unlimited)) {
        *fatal = g_strdup_printf("cannot start an extraction worker: %s",
                                 limit == 0 ? why : why_unlimited);
        return FALSE;
    }
    guint least = smallest_memory_limit(opts, limit);
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
    /* A file read with OCR is committed as it comes: its pages took seconds each. */
    if (g_array_index(r->ocr_now, gboolean, w->jobs[0]))
        g_atomic_int_set(&r->rs.flush, 1);
    u->kind = UNIT_FILE;
    u->file = f;
    memcpy(u->key, f->key, 41);
    w->njobs--;
    memmove(w->jobs, w->jobs + 1, w->njobs * sizeof w->jobs[0]);
    w->started = g_get_monotonic_time();
    tracuu_pipeline_push(r, u);
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
        if (status == TRACUU_RESULT_OCR_DEFERRED) {
            /* Read again after every other file, with OCR then (tracuu_pool_extract_all). */
            guint job = w->jobs[0];
            g_array_append_val(r->ocr_later, job);
            w->njobs--;
            memmove(w->jobs, w->jobs + 1, w->njobs * sizeof w->jobs[0]);
            w->started = g_get_monotonic_time();
            g_variant_unref(docs);
            g_variant_unref(v);
            continue;
        }
        if (status == TRACUU_RESULT_PROGRESS) {
            /* An OCR page begins: each page has the whole --timeout (worker.c). */
            w->started = g_get_monotonic_time();
            g_variant_unref(docs);
            g_variant_unref(v);
            continue;
        }
        unit *u = g_new0(unit, 1);
        if (status == TRACUU_RESULT_OCR_PENDING) {
            /* Its typed pages go in now; read again, with OCR, after every other file. */
            g_array_append_val(r->ocr_later, w->jobs[0]);
            u->ocr_pending = TRUE;
            status = TRACUU_RESULT_OK;
        }
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
        worker_lost(r, w, death_reason(w, r->rs.opts, status), retry);
        return FALSE;
    }
    return TRUE;
}

/* Sends job @job to @w. FALSE when the worker's pipe is closed (it died). */
static gboolean
worker_send(run *r, worker *w, guint job)
{
    tracuu_walk_file *f = r->files->pdata[job];
    /* A file is deferred once: sent again, it is read with OCR. */
    gboolean defer = !g_array_index(r->ocr_now, gboolean, job);
    GVariant *v =
        g_variant_ref_sink(g_variant_new("(^aybsb)", f->path, f->maildir, f->key, defer));
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
gboolean
tracuu_pool_extract_all(run *r, guint n, GError **error)
{
    if (r->files->len == 0)
        return TRUE;
    if (n > r->files->len)
        n = r->files->len;
    worker_exec we;
    worker_exec_init(&we, r->rs.opts, worker_memory_mb(r->rs.opts), FALSE);
    worker *ws = g_new0(worker, n);
    for (guint i = 0; i < n; i++)
        ws[i].pid = -1;
    GArray *retry = g_array_new(FALSE, FALSE, sizeof(guint)); /* jobs of workers that died */
    /* Files that need OCR, in the order they were met, read after all the others. */
    r->ocr_later = g_array_new(FALSE, FALSE, sizeof(guint));
    r->ocr_now = g_array_new(FALSE, TRUE, sizeof(gboolean));
    guint next_job = 0, total = r->files->len;
    g_array_set_size(r->ocr_now, total);
    struct pollfd *pfd = g_new0(struct pollfd, n);
    gboolean ok = TRUE, ocr_phase = FALSE;
    for (;;) {
        if (g_atomic_int_get(&r->rs.fatal))
            break;
        if (tracuu_indexer_interrupted) {
            /* Files being read are dropped unrecorded: the next run reads them. */
            for (guint i = 0; i < n; i++) {
                if (ws[i].pid > 0)
                    worker_reap(&ws[i], TRUE);
                ws[i].njobs = 0;
            }
            break;
        }
        gboolean busy = FALSE, idle = TRUE;
        for (guint i = 0; i < n; i++)
            idle &= ws[i].njobs == 0;
        for (guint i = 0; i < n; i++) {
            worker *w = &ws[i];
            gboolean more = retry->len > 0 || next_job < total || r->ocr_later->len > 0;
            if (w->pid < 0 && more && !worker_spawn(w, &we, error)) {
                ok = FALSE;
                goto out;
            }
            /* The OCR phase begins once every file was read a first time and what that gave
             * is committed: searchable while OCR runs, and kept if the run is killed then. */
            if (!ocr_phase && idle && retry->len == 0 && next_job >= total && r->ocr_later->len > 0)
                ocr_phase = tracuu_pipeline_is_committed(r);
            while (w->pid > 0 && w->njobs < WORKER_DEPTH && !tracuu_pipeline_is_behind(r) &&
                   (retry->len > 0 || next_job < total || (r->ocr_later->len > 0 && ocr_phase))) {
                guint job;
                if (retry->len > 0) {
                    job = g_array_index(retry, guint, retry->len - 1);
                    g_array_set_size(retry, retry->len - 1);
                } else if (next_job < total) {
                    job = next_job++;
                } else {
                    job = g_array_index(r->ocr_later, guint, 0);
                    g_array_remove_index(r->ocr_later, 0);
                    g_array_index(r->ocr_now, gboolean, job) = TRUE;
                }
                if (!worker_send(r, w, job)) {
                    /* It died before it got this job: this one goes back to the queue, and
                     * reading its pipe (or its reaping here) settles the jobs it had. */
                    g_array_append_val(retry, job);
                    worker_read(r, w, retry);
                    if (w->pid > 0) {
                        int status = worker_reap(w, TRUE);
                        worker_lost(r, w, death_reason(w, r->rs.opts, status), retry);
                    }
                }
            }
            busy |= w->njobs > 0;
        }
        if (!busy && retry->len == 0 && next_job >= total && r->ocr_later->len == 0)
            break;
        for (guint i = 0; i < n; i++) {
            pfd[i].fd = ws[i].njobs > 0 ? ws[i].from_fd : -1;
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        /* Held back by the writer, look again soon: it drains the queue quickly. */
        int rc = poll(pfd, n, tracuu_pipeline_is_behind(r) ? 5 : 100);
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
            if (w->pid > 0 && w->njobs > 0 && r->rs.opts->timeout > 0 &&
                now - w->started > (gint64)r->rs.opts->timeout * G_USEC_PER_SEC) {
                w->killed_for_time = TRUE;
                int status = worker_reap(w, TRUE);
                worker_lost(r, w, death_reason(w, r->rs.opts, status), retry);
            }
        }
        tracuu_report_progress(r, total, FALSE);
    }
out:
    for (guint i = 0; i < n; i++)
        if (ws[i].pid > 0)
            worker_reap(&ws[i], !ok);
    g_array_free(retry, TRUE);
    g_clear_pointer(&r->ocr_later, g_array_unref);
    g_clear_pointer(&r->ocr_now, g_array_unref);
    g_free(pfd);
    g_free(ws);
    return ok;
}
