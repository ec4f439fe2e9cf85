/* shards.c - an index of several shards: its layout, and one child indexer per shard. */
#include "indexer-private.h"

#include "tracuu-shard.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The layout (docs/tracuu-indexer.md): DIR/XAPIANDB is Xapian's stub file, one line a shard
 * ("auto shard-00"), which Xapian itself and the store open as one database. The hash shards
 * are named shard-00, shard-01, ... (two digits); a shard named by --shard NAME is any other
 * name. The stub is written after the folders it names exist, whole, under another name and
 * renamed, so that a reader never sees half of it.
 */

void
tracuu_shards_clear(tracuu_shards *s)
{
    if (s->names != NULL)
        g_ptr_array_free(s->names, TRUE);
    if (s->paths != NULL)
        g_ptr_array_free(s->paths, TRUE);
    memset(s, 0, sizeof *s);
}

static char *
hash_name(guint k)
{
    return g_strdup_printf("shard-%02u", k);
}

/* The number NN of a name "shard-NN" (two digits), or -1. */
static int
hash_number(const char *name)
{
    if (strncmp(name, "shard-", 6) != 0 || !g_ascii_isdigit(name[6]) || !g_ascii_isdigit(name[7]) ||
        name[8] != '\0')
        return -1;
    return (name[6] - '0') * 10 + (name[7] - '0');
}

static void
add_shard(tracuu_shards *s, const char *db, const char *name)
{
    g_ptr_array_add(s->names, g_strdup(name));
    g_ptr_array_add(s->paths,
                    g_path_is_absolute(name) ? g_strdup(name) : g_build_filename(db, name, NULL));
}

/*
 * Reads @db/XAPIANDB into @s: its local lines ("auto PATH", "glass PATH"; "remote" lines are
 * shards this program cannot write, and are left out). Returns 1 when read, 0 when there is
 * no stub (a plain index), -1 with *@why when it cannot be read or makes no sense.
 */
static int
read_stub(const char *db, tracuu_shards *s, char **why)
{
    g_autofree char *stub = g_build_filename(db, TRACUU_SHARDS_STUB, NULL);
    g_autofree char *text = NULL;
    GError *error = NULL;
    if (!g_file_test(stub, G_FILE_TEST_EXISTS))
        return 0;
    if (!g_file_get_contents(stub, &text, NULL, &error)) {
        *why = g_strdup(error->message);
        g_error_free(error);
        return -1;
    }
    s->names = g_ptr_array_new_with_free_func(g_free);
    s->paths = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint max_hash = 0;
    for (guint i = 0; lines[i] != NULL; i++) {
        char *line = g_strstrip(lines[i]);
        if (*line == '\0' || *line == '#')
            continue;
        char *sp = line + strcspn(line, " \t");
        char *path = sp + strspn(sp, " \t");
        *sp = '\0';
        if (strcmp(line, "remote") == 0)
            continue;
        if ((strcmp(line, "auto") != 0 && strcmp(line, "glass") != 0) || *path == '\0') {
            *why = g_strdup_printf("%s:%u: not a line \"auto PATH\", \"glass PATH\" or "
                                   "\"remote HOST:PORT\"",
                                   stub, i + 1);
            tracuu_shards_clear(s);
            return -1;
        }
        int nn = hash_number(path);
        if (nn >= 0 && (guint)nn + 1 > max_hash)
            max_hash = (guint)nn + 1;
        add_shard(s, db, path);
    }
    /* The hash shards are shard-00 to shard-(N-1), all of them: a gap would send the files
     * of the missing number nowhere. */
    for (guint k = 0; k < max_hash; k++) {
        g_autofree char *name = hash_name(k);
        gboolean listed = FALSE;
        for (guint i = 0; i < s->names->len && !listed; i++)
            listed = strcmp(s->names->pdata[i], name) == 0;
        if (!listed) {
            *why = g_strdup_printf("%s lists shard-%02u but not %s", stub, max_hash - 1, name);
            tracuu_shards_clear(s);
            return -1;
        }
    }
    s->n_hash = max_hash;
    return 1;
}

/*
 * Writes @db/XAPIANDB atomically: its text so far (none for a new index: a comment line), then
 * one "auto NAME" line for each name of @s from @first on. Lines it had are kept as they were.
 */
static gboolean
write_stub(const char *db, const tracuu_shards *s, guint first, char **why)
{
    g_autofree char *stub = g_build_filename(db, TRACUU_SHARDS_STUB, NULL);
    g_autofree char *old = NULL;
    GString *text = g_string_new(NULL);
    if (g_file_get_contents(stub, &old, NULL, NULL)) {
        g_string_append(text, old);
        if (text->len > 0 && text->str[text->len - 1] != '\n')
            g_string_append_c(text, '\n');
    } else {
        g_string_append(text, "# The shards of this tracuu index (a Xapian stub file).\n");
    }
    for (guint i = first; i < s->names->len; i++)
        g_string_append_printf(text, "auto %s\n", (const char *)s->names->pdata[i]);
    GError *error = NULL;
    gboolean ok = g_file_set_contents(stub, text->str, (gssize)text->len, &error);
    g_string_free(text, TRUE);
    if (!ok) {
        *why = g_strdup_printf("cannot write %s: %s", stub, error->message);
        g_error_free(error);
    }
    return ok;
}

/* A --shard NAME that can be a line of the stub and a folder of its own: no path, no blank. */
static gboolean
name_is_valid(const char *name)
{
    if (*name == '\0' || *name == '.' || strcmp(name, TRACUU_SHARDS_STUB) == 0 ||
        hash_number(name) >= 0)
        return FALSE;
    for (const char *c = name; *c != '\0'; c++)
        if (!g_ascii_isalnum(*c) && strchr("._-", *c) == NULL)
            return FALSE;
    return TRUE;
}

/*
 * TRUE when @db is missing, empty, or what a first run killed before its stub was written left:
 * empty folders of the names @s will list and the stub's temporary files.
 */
static gboolean
is_new_folder(const char *db, const tracuu_shards *s)
{
    GDir *dir = g_dir_open(db, 0, NULL);
    if (dir == NULL)
        return !g_file_test(db, G_FILE_TEST_EXISTS);
    gboolean fresh = TRUE;
    const char *e;
    while (fresh && (e = g_dir_read_name(dir)) != NULL) {
        if (g_str_has_prefix(e, TRACUU_SHARDS_STUB "."))
            continue;
        gboolean planned = FALSE;
        for (guint i = 0; i < s->names->len && !planned; i++)
            planned = strcmp(s->names->pdata[i], e) == 0;
        g_autofree char *path = g_build_filename(db, e, NULL);
        GDir *sub = planned ? g_dir_open(path, 0, NULL) : NULL;
        fresh = sub != NULL && g_dir_read_name(sub) == NULL;
        if (sub != NULL)
            g_dir_close(sub);
    }
    g_dir_close(dir);
    return fresh;
}

static int
make_folder(const char *path, char **message)
{
    if (g_mkdir_with_parents(path, 0755) == 0)
        return EXIT_ALL_OK;
    *message = g_strdup_printf("cannot make %s: %s", path, g_strerror(errno));
    return EXIT_INDEX;
}

int
tracuu_shards_prepare(const tracuu_indexer_options *opts, gboolean writing, tracuu_shards *s,
                      char **message)
{
    const char *db = opts->db;
    memset(s, 0, sizeof *s);
    if (opts->shard != NULL && !name_is_valid(opts->shard)) {
        *message = g_strdup_printf("--shard %s: a shard's name is letters, digits, '.', '_' and "
                                   "'-', not starting with '.', and not shard-NN (the names of "
                                   "the shards --shards makes)",
                                   opts->shard);
        return EXIT_USAGE;
    }
    char *why = NULL;
    int have = read_stub(db, s, &why);
    if (have < 0) {
        *message = g_strdup_printf("cannot read the shards of %s: %s", db, why);
        g_free(why);
        return EXIT_INDEX;
    }
    if (have > 0) {
        if (opts->shards > 0 && opts->shard == NULL && (guint)opts->shards != s->n_hash) {
            if (s->n_hash == 0)
                *message = g_strdup_printf("%s holds named shards only (made by --shard NAME): "
                                           "--shards %d cannot be used on it",
                                           db, opts->shards);
            else
                *message = g_strdup_printf("%s is an index of %u shards: --shards %d cannot change "
                                           "that (index into a new folder to have %d)",
                                           db, s->n_hash, opts->shards, opts->shards);
            tracuu_shards_clear(s);
            return EXIT_USAGE;
        }
        if (opts->shard == NULL)
            return EXIT_ALL_OK;
        for (guint i = 0; i < s->names->len; i++)
            if (strcmp(s->names->pdata[i], opts->shard) == 0)
                return EXIT_ALL_OK;
        if (!writing) {
            *message = g_strdup_printf("%s has no shard %s", db, opts->shard);
            tracuu_shards_clear(s);
            return EXIT_USAGE;
        }
        /* A new named shard: its folder, then its line. */
        add_shard(s, db, opts->shard);
        int rc = make_folder(s->paths->pdata[s->paths->len - 1], message);
        if (rc == EXIT_ALL_OK && !write_stub(db, s, s->names->len - 1, message))
            rc = EXIT_INDEX;
        if (rc != EXIT_ALL_OK)
            tracuu_shards_clear(s);
        return rc;
    }
    /* No stub: a plain index, or a new sharded one. */
    if (opts->shard == NULL && opts->shards <= 1)
        return EXIT_ALL_OK;
    if (!writing)
        return EXIT_ALL_OK; /* --check of a plain index: --shards has nothing to say */
    s->names = g_ptr_array_new_with_free_func(g_free);
    s->paths = g_ptr_array_new_with_free_func(g_free);
    if (opts->shard != NULL) {
        add_shard(s, db, opts->shard);
    } else {
        for (guint k = 0; k < (guint)opts->shards; k++) {
            g_autofree char *name = hash_name(k);
            add_shard(s, db, name);
        }
        s->n_hash = (guint)opts->shards;
    }
    if (!is_new_folder(db, s)) {
        *message = g_strdup_printf("%s holds an index that is not sharded (or other files): "
                                   "--shards and --shard make a sharded index in a new folder",
                                   db);
        tracuu_shards_clear(s);
        return EXIT_USAGE;
    }
    int rc = EXIT_ALL_OK;
    for (guint i = 0; i < s->paths->len && rc == EXIT_ALL_OK; i++)
        rc = make_folder(s->paths->pdata[i], message);
    if (rc == EXIT_ALL_OK && !write_stub(db, s, 0, message))
        rc = EXIT_INDEX;
    if (rc != EXIT_ALL_OK)
        tracuu_shards_clear(s);
    return rc;
}

gboolean
tracuu_shards_is_mine(const tracuu_indexer_options *opts, const char *key, size_t len)
{
    return opts->shard_n == 0 || tracuu_shard_of(key, len, opts->shard_n) == opts->shard_k;
}

gboolean
tracuu_shards_reports_shared(const tracuu_indexer_options *opts)
{
    return opts->shard_n == 0 || opts->shard_k == 0;
}

/* ---- the children, one a hash shard ---- */

typedef struct {
    pid_t pid;
    int fd;          /* the read end of its summary pipe; -1 at its end */
    GByteArray *buf; /* read, not yet a whole line */
    GByteArray *summary;
    guint done, total, relabelled; /* its last progress line */
    int status;                    /* as waitpid() gives it */
} child;

/* The whole lines of c->buf: progress lines update @c, the others are its summary. With @end,
 * what is left without a newline is summary too. */
static void
take_lines(child *c, gboolean end)
{
    guint start = 0;
    for (guint i = 0; i < c->buf->len; i++) {
        if (c->buf->data[i] != '\n')
            continue;
        const char *line = (const char *)c->buf->data + start;
        size_t len = i - start;
        size_t plen = strlen(TRACUU_SHARDS_PROGRESS);
        char copy[96];
        guint d, t, rl;
        if (len > plen && len < sizeof copy &&
            memcmp(line, TRACUU_SHARDS_PROGRESS " ", plen + 1) == 0) {
            memcpy(copy, line, len);
            copy[len] = '\0';
            if (sscanf(copy + plen, "%u %u %u", &d, &t, &rl) == 3) {
                c->done = d;
                c->total = t;
                c->relabelled = rl;
            }
        } else {
            g_byte_array_append(c->summary, (const guint8 *)line, (guint)len + 1);
        }
        start = i + 1;
    }
    g_byte_array_remove_range(c->buf, 0, start);
    if (end && c->buf->len > 0) {
        g_byte_array_append(c->summary, c->buf->data, c->buf->len);
        g_byte_array_set_size(c->buf, 0);
    }
}

/* The progress line of @r for all of @children. */
static void
show_progress(run *r, child *children, guint n, gboolean final)
{
    guint done = 0, total = 0, relabelled = 0;
    for (guint k = 0; k < n; k++) {
        done += children[k].done;
        total += children[k].total;
        relabelled += children[k].relabelled;
    }
    g_atomic_int_set(&r->rs.files_done, (gint)done);
    g_atomic_int_set(&r->rs.relabelled, (gint)relabelled);
    tracuu_report_progress(r, total, final);
}

/*
 * The command line of shard @k's child: @argv's words, then (before a "--", after which words
 * are PATHs) the options that make it a child, last so that they override what @argv says.
 */
static char **
child_argv(char **argv, const char *db, guint k, guint n, guint jobs, const char *ocr_cache)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(a, g_strdup(argv[0])); /* as ps shows it; the program is /proc/self/exe */
    guint i = 1;
    for (; argv[i] != NULL && strcmp(argv[i], "--") != 0; i++)
        g_ptr_array_add(a, g_strdup(argv[i]));
    g_ptr_array_add(a, g_strdup("--db"));
    g_ptr_array_add(a, g_strdup(db));
    g_ptr_array_add(a, g_strdup("--jobs"));
    g_ptr_array_add(a, g_strdup_printf("%u", jobs));
    g_ptr_array_add(a, g_strdup("--internal-shard"));
    g_ptr_array_add(a, g_strdup_printf("%u/%u", k, n));
    g_ptr_array_add(a, g_strdup("--internal-ocr-cache"));
    g_ptr_array_add(a, g_strdup(ocr_cache));
    g_ptr_array_add(a, g_strdup("--internal-summary-fd"));
    g_ptr_array_add(a, g_strdup("3"));
    for (; argv[i] != NULL; i++)
        g_ptr_array_add(a, g_strdup(argv[i]));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/* Starts @c with @args, its summary pipe on its fd 3. FALSE with *@why when it cannot. */
static gboolean
start_child(child *c, char **args, char **why)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        *why = g_strdup_printf("pipe: %s", g_strerror(errno));
        return FALSE;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        *why = g_strdup_printf("fork: %s", g_strerror(errno));
        close(p[0]);
        close(p[1]);
        return FALSE;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls until execv(). The child must not outlive this process,
         * even killed by SIGKILL: the kernel kills it then (kept across execv()); and if this
         * process died before prctl() took effect, the child goes at once. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        if (p[1] == 3)
            fcntl(3, F_SETFD, 0);
        else if (dup2(p[1], 3) < 0)
            _exit(127);
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(p[1]);
    c->pid = pid;
    c->fd = p[0];
    c->buf = g_byte_array_new();
    c->summary = g_byte_array_new();
    return TRUE;
}

/* SIGHUP in watch mode: each child reads its configuration again (watch.c). */
static volatile sig_atomic_t hup_received;

static void
on_hup(int sig)
{
    hup_received = sig;
}

/* Reads the children's summary pipes to their end, passing on SIGINT, SIGTERM and SIGHUP, and
 * shows the progress of all in @r's line. */
static void
read_children(run *r, child *children, guint n)
{
    /* SIGINT and SIGTERM are blocked but in ppoll(), so that one that comes between the test
     * of the flag and the wait is not left unpassed until a child ends. */
    sigset_t block, waiting;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &waiting);
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGHUP);
    sig_atomic_t passed = 0;
    for (;;) {
        if (hup_received) {
            hup_received = 0;
            for (guint k = 0; k < n; k++)
                if (children[k].pid > 0)
                    kill(children[k].pid, SIGHUP);
        }
        if (tracuu_indexer_interrupted != passed) {
            passed = tracuu_indexer_interrupted;
            for (guint k = 0; k < n; k++)
                if (children[k].pid > 0)
                    kill(children[k].pid, (int)passed);
        }
        struct pollfd pfd[TRACUU_SHARDS_MAX];
        guint map[TRACUU_SHARDS_MAX];
        nfds_t npfd = 0;
        for (guint k = 0; k < n; k++) {
            if (children[k].fd < 0)
                continue;
            pfd[npfd].fd = children[k].fd;
            pfd[npfd].events = POLLIN;
            map[npfd++] = k;
        }
        if (npfd == 0)
            break;
        if (ppoll(pfd, npfd, NULL, &waiting) < 0)
            continue; /* EINTR: a signal to pass on */
        for (nfds_t i = 0; i < npfd; i++) {
            if (pfd[i].revents == 0)
                continue;
            child *c = &children[map[i]];
            guint8 buf[8192];
            ssize_t got = read(c->fd, buf, sizeof buf);
            if (got > 0) {
                g_byte_array_append(c->buf, buf, (guint)got);
                take_lines(c, FALSE);
            } else if (got == 0 || errno != EINTR) {
                take_lines(c, TRUE);
                close(c->fd);
                c->fd = -1;
            }
        }
        show_progress(r, children, n, FALSE);
    }
    show_progress(r, children, n, TRUE);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
}

int
tracuu_shards_run(const tracuu_indexer_options *opts, const tracuu_shards *s, char **argv,
                  gboolean compact_only)
{
    guint n = s->n_hash;
    run r;
    tracuu_run_init(&r, opts);
    r.compact_only = compact_only;
    r.n_shards = n;
    r.per_shard = json_array_new();
    guint jobs = opts->jobs > 0 ? (guint)opts->jobs : g_get_num_processors();
    if (opts->watch) {
        /* Not the default, which would end this process, and so its children with it. */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_hup;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGHUP, &sa, NULL);
    }
    child *children = g_new0(child, n);
    int status = EXIT_ALL_OK;
    char *fatal = NULL;
    for (guint k = 0; k < n; k++) {
        children[k].fd = -1;
        /* --jobs shared out, at least one worker each. */
        guint j = MAX(1u, jobs / n + (k < jobs % n ? 1u : 0u));
        g_autofree char *name = hash_name(k);
        g_autofree char *path = g_build_filename(opts->db, name, NULL);
        g_auto(GStrv) args = child_argv(argv, path, k, n, j, opts->ocr_cache);
        char *why = NULL;
        if (!start_child(&children[k], args, &why)) {
            fatal = g_strdup_printf("cannot start the indexer of %s: %s", name, why);
            g_free(why);
            /* The children started stop as after SIGTERM and keep what they did. */
            tracuu_indexer_interrupted = SIGTERM;
            break;
        }
    }
    /* One progress line for all, as an ordinary run shows it. */
    r.progress = isatty(2) && !opts->quiet && !opts->watch && !compact_only;
    read_children(&r, children, n);
    gboolean usage_only = TRUE;
    for (guint k = 0; k < n; k++) {
        child *c = &children[k];
        if (c->pid <= 0)
            continue;
        while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
            ;
        g_autofree char *name = hash_name(k);
        int st = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : EXIT_INDEX;
        if (st > EXIT_INDEX)
            st = EXIT_INDEX; /* 127: it could not start; no status of ours is higher */
        if (WIFSIGNALED(c->status) && fatal == NULL)
            fatal = g_strdup_printf("%s: its indexer was killed by signal %d", name,
                                    WTERMSIG(c->status));
        else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 127 && fatal == NULL)
            fatal = g_strdup_printf("%s: its indexer could not start", name);
        status = MAX(status, st);
        g_autoptr(JsonParser) parser = json_parser_new();
        if (c->summary->len > 0 &&
            json_parser_load_from_data(parser, (const char *)c->summary->data,
                                       (gssize)c->summary->len, NULL) &&
            JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
            tracuu_report_merge(&r, name, json_node_get_object(json_parser_get_root(parser)));
            usage_only = FALSE;
        } else if (st != EXIT_USAGE) {
            usage_only = FALSE;
        }
        g_byte_array_unref(c->summary);
        g_byte_array_unref(c->buf);
    }
    g_free(children);
    if (fatal == NULL && r.shard_error != NULL)
        fatal = g_strdup(r.shard_error);
    if (fatal != NULL)
        status = MAX(status, EXIT_INDEX);
    /* A usage error of the children (each said it on standard error) is no run to summarise;
     * watch mode logs as it goes. */
    if (!usage_only && !opts->watch) {
        double elapsed = (double)(g_get_monotonic_time() - r.started) / G_USEC_PER_SEC;
        if (fatal != NULL)
            g_printerr("tracuu-indexer: %s\n", fatal);
        tracuu_report_summary(&r, elapsed, fatal, status);
    } else if (fatal != NULL) {
        g_printerr("tracuu-indexer: %s\n", fatal);
    }
    g_free(fatal);
    tracuu_run_clear(&r);
    return status;
}

/* ---- --check ---- */

int
tracuu_shards_check(const char *db, const tracuu_shards *s, gboolean progress)
{
    int status = EXIT_ALL_OK;
    guint64 total = 0;
    guint bad = 0;
    for (guint i = 0; i < s->paths->len; i++) {
        char *fatal = NULL;
        guint64 n = 0;
        int st = tracuu_care_check_report(s->paths->pdata[i], progress, TRUE, &n, &fatal);
        if (fatal != NULL) {
            g_print("check: %s: NOT sound (%s)\n", (const char *)s->paths->pdata[i], fatal);
            g_free(fatal);
        }
        total += n;
        bad += st != EXIT_ALL_OK;
        status = MAX(status, st);
    }
    g_print("check: %s: %s (%u shards, %u of them not sound, %" G_GUINT64_FORMAT " problems)\n", db,
            status == EXIT_ALL_OK ? "sound" : "NOT sound", s->paths->len, bad, total);
    return status;
}
