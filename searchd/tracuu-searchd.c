/* tracuu-searchd.c - the search daemon: sockets, connections, worker threads, signals. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>

#include <sodium.h>

#include "activation.h"
#include "auth-delay.h"
#include "engine-private.h"
#include "http.h"
#include "metrics.h"
#include "identity.h"
#include "protocol.h"
#include "tracuu-cli.h"
#include "tracuu-conf.h"
#include "tracuu-config.h"
#include "tracuu-engine.h"
#include "tracuu-log.h"

/*
 * One I/O thread runs an epoll loop over the listening sockets, the clients, a signalfd and an
 * eventfd; a pool of worker threads, each with its own engine (its own Xapian reader), parses
 * and answers requests. A connection has at most one request at a worker at a time, so its
 * answers come back in the order of its requests without any reordering; the others wait in
 * its queue. What a client costs is bounded: one partial line (the protocol's 1 MiB limit), a
 * short queue of requests (reading stops when it is full), and one answer being written (the
 * next request is not started while the client has not read the last answer). A client that
 * stops reading or goes quiet is dropped after the idle timeout.
 */

/* Reading from a client pauses while this many requests, or bytes of them, wait for a worker. */
#define MAX_QUEUED_REQUESTS 64
#define MAX_QUEUED_BYTES (4 * 1024 * 1024)
/* The next request of a client is started only when less than this is left to write to it. */
#define OUTPUT_SOFT_LIMIT (256 * 1024)
#define READ_CHUNK (64 * 1024)
/* How long a SIGTERM waits for requests under way before giving up on them, in seconds. */
#define SHUTDOWN_GRACE 10
/* An integer option not given on the command line (the configuration or the default applies). */
#define UNSET_INT INT_MIN

/* ---- Options: the table drives parsing and --help ---- */

typedef struct {
    char *config;
    char *db;
    char *socket_path;
    char *socket_mode_arg;
    mode_t socket_mode; /* from socket_mode_arg, [searchd] socket-mode or the default */
    char *socket_group;
    char *listen;
    char *http;
    gboolean allow_remote; /* [searchd] allow-remote: the configuration only */
    char *new_token;
    gboolean hash_password;
    char *tls_cert, *tls_key;
    char *question_words; /* a table file, "none", or NULL for the compiled-in one */
    int threads;
    int split;
    double timeout;
    int max_clients;
    int idle_timeout;
    int slow_ms;
    int max_output_mb;
    gboolean version;
} options;

/* Numbers are UNSET until the command line or the configuration sets them; int_defaults
 * gives the rest after both (apply_config). */
static options opt = {
    .threads = UNSET_INT,
    .split = UNSET_INT,
    .timeout = NAN,
    .max_clients = UNSET_INT,
    .idle_timeout = UNSET_INT,
    .slow_ms = UNSET_INT,
    .max_output_mb = UNSET_INT,
};

/* The integer options that [searchd] may set too, under the same name, with their defaults. */
static const struct {
    const char *key;
    int *value;
    int fallback;
} int_defaults[] = {
    {"threads", &opt.threads, 0},           {"split", &opt.split, 0},
    {"max-clients", &opt.max_clients, 1024}, {"idle-timeout", &opt.idle_timeout, 300},
    {"slow-ms", &opt.slow_ms, 200},         {"max-output-mb", &opt.max_output_mb, 64},
};

static const GOptionEntry option_table[] = {
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt.config,
     "Read the index, sockets and users from this file (docs/tracuu.conf.md); options given "
     "here override it; SIGHUP reads it again",
     "FILE"},
    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &opt.db,
     "The index to search (required, here or as [index] db)", "DIR"},
    {"socket", 's', 0, G_OPTION_ARG_FILENAME, &opt.socket_path,
     "Listen on this Unix socket (a stale socket file is replaced)", "PATH"},
    {"socket-mode", 0, 0, G_OPTION_ARG_STRING, &opt.socket_mode_arg,
     "Permissions of the socket file, in octal, whatever the umask (default 0600, or 0660 "
     "with --socket-group; other users never)",
     "MODE"},
    {"socket-group", 0, 0, G_OPTION_ARG_STRING, &opt.socket_group,
     "Give the socket file to this group (a name or a number), whose members may then connect",
     "GROUP"},
    {"listen", 'l', 0, G_OPTION_ARG_STRING, &opt.listen,
     "Also listen on TCP, e.g. 127.0.0.1:7700 (port 0: any free port, logged)", "HOST:PORT"},
    {"http", 0, 0, G_OPTION_ARG_STRING, &opt.http,
     "Also serve the HTTP JSON API (docs/http-api.md) on TCP, e.g. 127.0.0.1:8080 (port 0: "
     "any free port, logged); beyond loopback as for --listen",
     "HOST:PORT"},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt.tls_cert,
     "Serve --http over TLS with this PEM certificate (chain); needs --tls-key", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt.tls_key,
     "The PEM private key of --tls-cert (unencrypted; keep it readable by this user only)",
     "FILE"},
    {"question-words", 0, 0, G_OPTION_ARG_FILENAME, &opt.question_words,
     "Weigh the words of questions by this table (made by bench/question-words from judged "
     "questions; docs/ranking.md) instead of the compiled-in one, or not at all with \"none\"",
     "FILE|none"},
    {"threads", 't', 0, G_OPTION_ARG_INT, &opt.threads,
     "Worker threads, each with its own index reader (default: one per core)", "N"},
    {"split", 0, 0, G_OPTION_ARG_INT, &opt.split,
     "Search one request on up to N threads at once while other workers are idle (default: "
     "one per core; 1: never)",
     "N"},
    {"timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt.timeout,
     "Time limit of one query in seconds, 0 for none (default 5)", "SECONDS"},
    {"max-clients", 0, 0, G_OPTION_ARG_INT, &opt.max_clients,
     "Connections served at once; more are told \"busy\" and closed (default 1024)", "N"},
    {"idle-timeout", 0, 0, G_OPTION_ARG_INT, &opt.idle_timeout,
     "Close a connection that sends nothing and reads nothing for this long (default 300)",
     "SECONDS"},
    {"slow-ms", 0, 0, G_OPTION_ARG_INT, &opt.slow_ms,
     "Log requests that take longer than this (default 200)", "MS"},
    {"max-output-mb", 0, 0, G_OPTION_ARG_INT, &opt.max_output_mb,
     "Drop a client when this much output waits for it to read (default 64)", "MIB"},
    {"new-token", 0, 0, G_OPTION_ARG_STRING, &opt.new_token,
     "Print a fresh random token for user NAME, then the token-sha256 line for its [user NAME] "
     "group, and exit (the token is shown only this once)",
     "NAME"},
    {"hash-password", 0, 0, G_OPTION_ARG_NONE, &opt.hash_password,
     "Read a password line on standard input and print the password line of a [user NAME] "
     "group (an Argon2id hash), then exit",
     NULL},
    {"version", 'V', 0, G_OPTION_ARG_NONE, &opt.version, "Print the version and exit", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* ---- Logging: tracuu-log.h (journald under systemd, else one line per event) ---- */

/* A request as quoted in the log: short, one line, valid UTF-8, and never a token: an auth
 * request is not quoted, nor a line that did not parse (@parsed FALSE) and might be one. */
static char *
quote_for_log(const char *s, gsize len, gboolean parsed, gboolean is_auth)
{
    if (is_auth || (!parsed && tracuu_protocol_line_may_hold_token(s, len)))
        return g_strdup("(not quoted: it may hold a token)");
    gsize n = MIN(len, 200);
    g_autofree char *valid = g_utf8_make_valid(s, (gssize)n);
    for (char *p = valid; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    return g_strdup_printf("%s%s", valid, len > n ? "..." : "");
}

/* ---- Connections and jobs ---- */

typedef enum { SRC_LISTEN, SRC_SIGNAL, SRC_WAKE, SRC_CONN } source_kind;

typedef struct {
    source_kind kind;
    int fd;
} source;

typedef struct conn conn;

typedef struct {
    conn *c;
    char *line; /* the request, or NULL when the answer was known at once (resp set) */
    gsize len;
    char *resp; /* the answer line, "\n" included */
    gsize resp_len;
    tracuu_identity *identity; /* of the connection when the job went to a worker, or NULL */
    /* An auth request: the worker reads it, the I/O thread (which owns the configuration)
     * checks the token and answers. */
    char *token;
    gsize token_len;
    JsonNode *auth_id;
    gint64 release_at; /* a failed auth's answer is held back until then */
    gint64 t0;         /* when the request was read, for the metrics */
    guint op, code;    /* its op and the answer's code, as indices of socket_metrics_spec */
} job;

struct conn {
    source src; /* first, so that an epoll event's pointer can be read as a source */
    guint64 number;
    char *peer;     /* for logs: "host:port" or "unix:uid=N" */
    char *peer_key; /* whose failed auth requests are counted together: the host, a /64 */
    gboolean has_uid; /* a Unix socket peer, with its SO_PEERCRED uid */
    uid_t uid;
    tracuu_identity *identity; /* NULL: not authenticated */
    gboolean has_token_hash;   /* the identity came from a token: its hash, for reloads */
    guint8 token_hash[TRACUU_TOKEN_HASH_LEN];
    tracuu_protocol_reader *reader;
    GQueue queued; /* job *, not yet given to a worker */
    gsize queued_bytes;
    job *busy;    /* the job at a worker, if any */
    GString *out; /* answers not yet written; out_off bytes of it already were */
    gsize out_off;
    gint64 last_active;
    guint32 events; /* registered with epoll */
    gboolean eof;   /* the client will send nothing more */
    gboolean dead;  /* closed; freed when its job comes back */
};

typedef struct {
    int epfd;
    int wakefd;
    source sigsrc;
    source wakesrc;
    source *listeners[TRACUU_ACTIVATION_MAX_FDS]; /* ours (two at most) or systemd's */
    int n_listeners;
    gboolean remote; /* a TCP listener on an address other than loopback */
    tracuu_conf *conf;    /* the I/O thread's alone: workers get identities, not the conf */
    tracuu_auth_delay *failures; /* failed auth requests, the HTTP API's too */
    tracuu_http_server *http;    /* --http, or NULL */
    tracuu_metrics *metrics;     /* the socket's requests (the HTTP API counts its own) */
    GQueue held;          /* job *: failed auth answers held back */
    char *socket_path; /* to remove at exit, if we created it (not one systemd passed) */
    int passed_http_fd; /* a socket systemd passed for the HTTP API, or -1 */
    GHashTable *conns; /* conn * set */
    guint64 next_number;
    GAsyncQueue *work;
    GMutex done_lock;
    GQueue done;
    GThread **workers;
    int n_workers;
    gint busy;    /* requests at an engine, the HTTP API's included (atomic) */
    gint reloads; /* SIGHUPs taken (atomic): a worker whose count differs reopens its index */
    int cores;
    gboolean stopping;
    gint64 stop_deadline;
} server;

static job stop_job; /* given to each worker to tell it to return */

/* The socket's requests in /metrics, by op and by the answer's code ("ok" or the error's). */
static const char *const metric_ops[] = {"search", "get", "stats", "ping", "auth", "other"};
static const char *const metric_codes[] = {
    "ok",        "bad_json",     "bad_request", "line_too_long", "unknown_op", "bad_query",
    "not_found", "unauthorized", "timeout",     "index",         "internal",   "other"};
static const tracuu_metrics_spec socket_metrics_spec = {
    .prefix = "tracuu_socket",
    .what = "Socket requests",
    .label = {"op", "code"},
    .values = {metric_ops, metric_codes},
    .n_values = {G_N_ELEMENTS(metric_ops), G_N_ELEMENTS(metric_codes)},
};

/* Notes @j's op and answer code for the metrics, counted when the answer goes out. */
static void
job_note(server *srv, job *j, const char *op, const char *code)
{
    j->op = tracuu_metrics_index(srv->metrics, 0, op);
    j->code = tracuu_metrics_index(srv->metrics, 1, code);
}

/* Puts the answer of @j in @c's output, and counts it. */
static void
job_give(server *srv, conn *c, const job *j)
{
    g_string_append_len(c->out, j->resp, (gssize)j->resp_len);
    tracuu_metrics_count(srv->metrics, j->op, j->code, j->t0);
}

static void
job_free(job *j)
{
    g_free(j->line);
    g_free(j->resp);
    tracuu_identity_unref(j->identity);
    tracuu_protocol_token_free(j->token);
    if (j->auth_id)
        json_node_unref(j->auth_id);
    g_free(j);
}

/* ---- Workers ---- */

typedef struct {
    server *srv;
    int index;
} worker_arg;

/*
 * Whether a request may be split over several threads: only while no request waits and some
 * core has no request of its own, because under load the other requests use the cores and
 * splitting would only add the cost of merging.
 */
static gboolean
may_split(gpointer data)
{
    server *srv = data;
    return g_atomic_int_get(&srv->busy) < srv->cores && g_async_queue_length(srv->work) <= 0;
}

/* --question-words: read once at start, shared by every worker's engine (read only). */
static tracuu_question_words *question_words;

/*
 * Reads the table of --question-words, if one is named; FALSE with @error when it cannot be
 * read or parsed, so that the daemon refuses to start rather than rank without what it was told.
 */
static gboolean
read_question_words(GError **error)
{
    if (opt.question_words == NULL || strcmp(opt.question_words, "none") == 0)
        return TRUE;
    question_words = tracuu_question_words_load(opt.question_words, error);
    if (question_words == NULL)
        return FALSE;
    tracuu_log_info("question words: %u entries from %s",
                    tracuu_question_words_size(question_words), opt.question_words);
    return TRUE;
}

/* A worker's engine with the daemon's settings, or NULL with @error. */
static tracuu_engine *
open_engine(server *srv, GError **error)
{
    tracuu_engine *engine = tracuu_engine_open(opt.db, error);
    if (engine == NULL)
        return NULL;
    if (opt.question_words != NULL) {
        tracuu_rank_params rp;
        tracuu_rank_params_init(&rp);
        rp.question_words = question_words; /* NULL for "none" */
        tracuu_engine_set_rank_params(engine, &rp);
    }
    tracuu_engine_set_time_limit(engine, opt.timeout);
    g_autoptr(GError) split_error = NULL;
    if (opt.split > 1 &&
        !tracuu_engine_set_parallel(engine, (unsigned)opt.split, may_split, srv, &split_error))
        tracuu_log_warning("worker: searches will not be split: %s", split_error->message);
    return engine;
}

/*
 * The one place where a request reaches the engine, with the identity of its caller (never
 * NULL here: answer() refuses unauthenticated callers before), from which the engine builds
 * the visibility filter every document it reaches passes (docs/access-control.md).
 */
static JsonObject *
engine_handle_as(tracuu_engine *engine, const tracuu_identity *identity, JsonObject *req,
                 GError **error)
{
    g_assert(identity != NULL);
    return tracuu_engine_handle_as(engine, identity, req, error);
}

/* The "doc" of a get request, if it is a string (for the audit line). */
static const char *
doc_of(JsonObject *req)
{
    JsonNode *n = json_object_get_member(req, "doc");
    if (n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
        return json_node_get_string(n);
    return NULL;
}

static void
answer(server *srv, tracuu_engine **engine, job *j)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) id = NULL;
    gint64 t0 = g_get_monotonic_time();
    const char *code = NULL;
    const char *op = NULL;
    gboolean is_auth = FALSE;
    g_autofree char *doc = NULL;

    g_autoptr(JsonObject) req = tracuu_protocol_parse_request(j->line, j->len, &id, &error);
    if (!req) {
        code = tracuu_protocol_error_code_name(error->code);
    } else if ((is_auth = tracuu_protocol_is_auth(req))) {
        /* The token is wanted once, by the I/O thread; no other copy of it is kept. */
        j->token = tracuu_protocol_parse_auth(req, &j->token_len, &error);
        explicit_bzero(j->line, j->len);
        if (j->token) {
            j->auth_id = g_steal_pointer(&id);
            return;
        }
        code = tracuu_protocol_error_code_name(error->code);
    } else {
        op = json_object_get_string_member(req, "op");
        if (strcmp(op, "get") == 0)
            doc = g_strdup(doc_of(req));
        if (!j->identity && strcmp(op, "ping") != 0) {
            code = "unauthorized";
            g_set_error_literal(&error, TRACUU_ENGINE_ERROR, 0,
                                "authenticate first: {\"op\":\"auth\",\"token\":\"...\"}");
        } else {
            if (!*engine)
                *engine = open_engine(srv, &error);
            if (*engine) {
                g_autoptr(JsonObject) resp = j->identity
                                                 ? engine_handle_as(*engine, j->identity, req, &error)
                                                 : tracuu_engine_handle(*engine, req, &error);
                if (resp) {
                    j->resp = tracuu_protocol_format_response(id, resp, &j->resp_len);
                } else if (error && error->domain == TRACUU_ENGINE_ERROR) {
                    code = tracuu_engine_error_code_name(error->code);
                    /* An index that cannot be read may have been rebuilt: open it afresh next
                     * time rather than keep a reader on what is gone. */
                    if (error->code == TRACUU_ENGINE_ERROR_INDEX)
                        g_clear_pointer(engine, tracuu_engine_free);
                } else {
                    code = "internal";
                }
            } else {
                code = "index";
            }
        }
    }
    g_autofree char *number = g_strdup_printf("%" G_GUINT64_FORMAT, j->c->number);
    const char *user = tracuu_identity_get_log_name(j->identity);
    gboolean is_get = op && strcmp(op, "get") == 0;
    /* Audit: one line for every get and every refused request, with who asked, from where,
     * for what, and the outcome; fields for journalctl (TRACUU_USER=anh TRACUU_AUDIT=get). */
    if (!j->resp) {
        const char *msg = error ? error->message : "the request failed";
        j->resp = tracuu_protocol_format_error(id, code, msg, &j->resp_len);
        g_autofree char *q = quote_for_log(j->line, j->len, req != NULL, is_auth);
        const GLogField fields[] = {{"TRACUU_CLIENT", number, -1},
                                    {"TRACUU_PEER", j->c->peer, -1},
                                    {"TRACUU_USER", user, -1},
                                    {"TRACUU_CODE", code, -1},
                                    {"TRACUU_AUDIT", is_get ? "get" : "refused", -1},
                                    {"TRACUU_DOC", doc ? doc : "-", -1}};
        gsize n_fields = G_N_ELEMENTS(fields) - (is_get ? 0 : 1);
        tracuu_log_fields(G_LOG_LEVEL_INFO, fields, n_fields, "client %s: %s: %s; request: %s",
                          number, code, msg, q);
    } else if (is_get) {
        const GLogField fields[] = {{"TRACUU_CLIENT", number, -1},
                                    {"TRACUU_PEER", j->c->peer, -1},
                                    {"TRACUU_USER", user, -1},
                                    {"TRACUU_CODE", "ok", -1},
                                    {"TRACUU_AUDIT", "get", -1},
                                    {"TRACUU_DOC", doc ? doc : "-", -1}};
        tracuu_log_fields(G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS(fields), "client %s: get %s: ok",
                          number, doc ? doc : "-");
    }
    double ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    if (ms > opt.slow_ms) {
        g_autofree char *q = quote_for_log(j->line, j->len, req != NULL, is_auth);
        tracuu_log_info("slow request (%.1f ms) from client %" G_GUINT64_FORMAT ": %s", ms,
                        j->c->number, q);
    }
    job_note(srv, j, is_auth ? "auth" : op, code ? code : "ok");
}

/*
 * After a reload, a worker opens the index afresh before its next request. An engine follows
 * commits and a swapped folder by itself, but not files replaced inside the folder by an index
 * of the same revision (a copy, a restore), which only a new reader sees. If the index cannot
 * be opened now, the worker keeps the engine it has: a reload must not take the service down.
 */
static void
worker_reload(server *srv, int index, tracuu_engine **engine, gint reloads)
{
    g_autoptr(GError) error = NULL;
    tracuu_engine *fresh = open_engine(srv, &error);
    if (!fresh) {
        tracuu_log_warning("worker %d: cannot reopen the index: %s; keeping the reader it has",
                           index, error->message);
        return;
    }
    tracuu_engine_free(*engine);
    *engine = fresh;
    tracuu_log_info("worker %d: reopened the index (reload %d)", index, reloads);
}

static gpointer
worker_main(gpointer data)
{
    worker_arg *arg = data;
    server *srv = arg->srv;
    int index = arg->index;
    tracuu_engine *engine = NULL;
    g_autoptr(GError) error = NULL;
    gint reloads = g_atomic_int_get(&srv->reloads);

    engine = open_engine(srv, &error);
    if (!engine)
        tracuu_log_warning("worker %d: %s (will retry on each request)", index, error->message);
    g_free(arg);

    for (;;) {
        job *j = g_async_queue_pop(srv->work);
        if (j == &stop_job)
            break;
        gint now = g_atomic_int_get(&srv->reloads);
        if (now != reloads) {
            reloads = now;
            worker_reload(srv, index, &engine, now);
        }
        g_atomic_int_inc(&srv->busy);
        answer(srv, &engine, j);
        g_atomic_int_add(&srv->busy, -1);
        g_mutex_lock(&srv->done_lock);
        g_queue_push_tail(&srv->done, j);
        g_mutex_unlock(&srv->done_lock);
        guint64 one = 1;
        /* The eventfd counter cannot overflow here; a failed write only delays nothing since
         * the loop also wakes every second. */
        if (write(srv->wakefd, &one, sizeof one) < 0 && errno != EAGAIN)
            tracuu_log_warning("worker: cannot wake the I/O thread: %s", g_strerror(errno));
    }
    tracuu_engine_free(engine);
    return NULL;
}

/* ---- The I/O thread ---- */

static void
conn_set_events(server *srv, conn *c, guint32 events)
{
    if (c->dead || events == c->events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->src.fd, &ev) == 0)
        c->events = events;
}

static void
conn_free(conn *c)
{
    job *j;
    while ((j = g_queue_pop_head(&c->queued)))
        job_free(j);
    tracuu_protocol_reader_free(c->reader);
    if (c->out)
        g_string_free(c->out, TRUE);
    g_free(c->peer);
    g_free(c->peer_key);
    tracuu_identity_unref(c->identity);
    g_free(c);
}

static void
conn_close(server *srv, conn *c, const char *why)
{
    if (c->dead)
        return;
    if (why)
        tracuu_log_info("client %" G_GUINT64_FORMAT " (%s): closed: %s", c->number, c->peer, why);
    epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->src.fd, NULL);
    close(c->src.fd);
    c->src.fd = -1;
    c->dead = TRUE;
    g_hash_table_remove(srv->conns, c);
    /* A job at a worker still points at the connection: it is freed when the job returns. */
    if (!c->busy)
        conn_free(c);
}

static gsize
conn_unwritten(const conn *c)
{
    return c->out->len - c->out_off;
}

/* Writes what it can without blocking. Returns FALSE when the connection was closed. */
static gboolean
conn_flush(server *srv, conn *c)
{
    while (conn_unwritten(c) > 0) {
        ssize_t n = send(c->src.fd, c->out->str + c->out_off, conn_unwritten(c),
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            c->out_off += (gsize)n;
            c->last_active = g_get_monotonic_time();
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        conn_close(srv, c, n < 0 ? g_strerror(errno) : "write failed");
        return FALSE;
    }
    if (conn_unwritten(c) == 0) {
        g_string_truncate(c->out, 0);
        c->out_off = 0;
        /* An answer of many megabytes should not stay allocated on an idle connection. */
        if (c->out->allocated_len > 1024 * 1024) {
            g_string_free(c->out, TRUE);
            c->out = g_string_sized_new(4096);
        }
    } else if (conn_unwritten(c) > (gsize)opt.max_output_mb * 1024 * 1024) {
        conn_close(srv, c, "not reading its answers");
        return FALSE;
    }
    return TRUE;
}

/* Decides what to wait for on @c, starts its next request, and closes it when it is done.
 * Called after anything happened to the connection. */
static void
conn_update(server *srv, conn *c)
{
    if (c->dead)
        return;
    while (!c->busy && !g_queue_is_empty(&c->queued) && conn_unwritten(c) < OUTPUT_SOFT_LIMIT) {
        job *j = g_queue_pop_head(&c->queued);
        c->queued_bytes -= j->len;
        if (j->resp) {
            /* Answered at once (a line too long): it still takes its turn. */
            job_give(srv, c, j);
            job_free(j);
            continue;
        }
        c->busy = j;
        /* The identity the request is answered with: the connection's at its turn, since
         * requests of a connection are answered one after the other, auth included. */
        j->identity = c->identity ? tracuu_identity_ref(c->identity) : NULL;
        g_async_queue_push(srv->work, j);
    }
    if (!conn_flush(srv, c))
        return;
    gboolean idle = !c->busy && g_queue_is_empty(&c->queued) && conn_unwritten(c) == 0;
    if ((c->eof || srv->stopping) && idle) {
        conn_close(srv, c, NULL);
        return;
    }
    /* Level-triggered: ask only for what will be acted on, or the loop would spin. */
    guint32 ev = 0;
    if (!c->eof && !srv->stopping && g_queue_get_length(&c->queued) < MAX_QUEUED_REQUESTS &&
        c->queued_bytes < MAX_QUEUED_BYTES)
        ev |= EPOLLIN | EPOLLRDHUP;
    if (conn_unwritten(c) > 0)
        ev |= EPOLLOUT;
    conn_set_events(srv, c, ev);
}

static void
conn_queue(conn *c, char *line, gsize len, char *resp, gsize resp_len)
{
    job *j = g_new0(job, 1);
    j->c = c;
    j->t0 = g_get_monotonic_time();
    j->line = line;
    j->len = len;
    j->resp = resp;
    j->resp_len = resp_len;
    c->queued_bytes += len;
    g_queue_push_tail(&c->queued, j);
}

static void
conn_read(server *srv, conn *c)
{
    char buf[READ_CHUNK];

    while (!c->eof && g_queue_get_length(&c->queued) < MAX_QUEUED_REQUESTS &&
           c->queued_bytes < MAX_QUEUED_BYTES) {
        ssize_t n = recv(c->src.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            conn_close(srv, c, g_strerror(errno));
            return;
        }
        if (n == 0) {
            /* The client may have sent its last requests and shut down its side: they are
             * still answered before the connection is closed. */
            c->eof = TRUE;
            if (tracuu_protocol_reader_get_buffered(c->reader) > 0)
                tracuu_log_info("client %" G_GUINT64_FORMAT ": a last line without newline ignored",
                                c->number);
            break;
        }
        c->last_active = g_get_monotonic_time();
        const char *p = buf;
        gsize left = (gsize)n;
        while (left > 0) {
            gsize used = 0, len = 0;
            char *line = NULL;
            tracuu_protocol_status st =
                tracuu_protocol_reader_feed(c->reader, p, left, &used, &line, &len);
            p += used;
            left -= used;
            if (st == TRACUU_PROTOCOL_LINE) {
                conn_queue(c, line, len, NULL, 0);
            } else if (st == TRACUU_PROTOCOL_TOO_LONG) {
                gsize rlen = 0;
                g_autofree char *msg = g_strdup_printf(
                    "request line longer than %d bytes; it was skipped", TRACUU_PROTOCOL_MAX_LINE);
                char *resp = tracuu_protocol_format_error(
                    NULL, tracuu_protocol_error_code_name(TRACUU_PROTOCOL_ERROR_LINE_TOO_LONG), msg,
                    &rlen);
                tracuu_log_info("client %" G_GUINT64_FORMAT ": line_too_long", c->number);
                conn_queue(c, NULL, 0, resp, rlen);
                job_note(srv, g_queue_peek_tail(&c->queued), NULL, "line_too_long");
            }
        }
    }
}

static void
accept_clients(server *srv, source *l)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        int fd = accept4(l->fd, (struct sockaddr *)&sa, &salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                tracuu_log_warning("accept: %s", g_strerror(errno));
            return;
        }
        if (g_hash_table_size(srv->conns) >= (guint)opt.max_clients) {
            static const char busy[] =
                "{\"ok\":false,\"error\":{\"code\":\"busy\",\"message\":\"too many clients\"}}\n";
            /* Best effort: a new socket has room for one short line. */
            if (send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                (void)0;
            close(fd);
            tracuu_log_warning("refused a client: %d clients already", opt.max_clients);
            continue;
        }
        conn *c = g_new0(conn, 1);
        c->src.kind = SRC_CONN;
        c->src.fd = fd;
        c->number = ++srv->next_number;
        if (sa.ss_family == AF_INET || sa.ss_family == AF_INET6) {
            char host[NI_MAXHOST], port[NI_MAXSERV];
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (getnameinfo((struct sockaddr *)&sa, salen, host, sizeof host, port, sizeof port,
                            NI_NUMERICHOST | NI_NUMERICSERV) == 0)
                c->peer = g_strdup_printf("%s:%s", host, port);
        }
        if (sa.ss_family == AF_UNIX) {
            struct ucred cred;
            socklen_t credlen = sizeof cred;
            if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) == 0) {
                c->has_uid = TRUE;
                c->uid = cred.uid;
                c->peer = g_strdup_printf("unix:uid=%u", (unsigned)cred.uid);
            }
        }
        if (!c->peer)
            c->peer = g_strdup("unix");
        c->peer_key = tracuu_auth_delay_peer_key((struct sockaddr *)&sa, c->peer);
        c->identity = tracuu_identity_for_peer(srv->conf, c->has_uid, c->uid);
        c->reader = tracuu_protocol_reader_new(0);
        c->out = g_string_sized_new(4096);
        g_queue_init(&c->queued);
        c->last_active = g_get_monotonic_time();
        c->events = EPOLLIN | EPOLLRDHUP;
        struct epoll_event ev = {.events = c->events, .data.ptr = c};
        if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            tracuu_log_warning("epoll: %s", g_strerror(errno));
            close(fd);
            conn_free(c);
            continue;
        }
        g_hash_table_add(srv->conns, c);
    }
}

/* ---- Authentication (the I/O thread's: it owns the configuration) ---- */

static void
conn_set_identity(conn *c, tracuu_identity *identity)
{
    tracuu_identity_unref(c->identity);
    c->identity = identity;
}

/* The identity @c has under @conf: the token's user if it authenticated with one that is
 * still valid, else what its channel gives (identity.h). */
static tracuu_identity *
conn_resolve(server *srv, conn *c)
{
    tracuu_identity *id = NULL;
    if (c->has_token_hash)
        id = tracuu_identity_for_token_hash(srv->conf, c->token_hash);
    if (!id) {
        c->has_token_hash = FALSE;
        id = tracuu_identity_for_peer(srv->conf, c->has_uid, c->uid);
    }
    return id;
}

/* Answers the auth request of @j, which a worker read: checks its token, gives @c the
 * identity it names or takes the token's identity away, and on failure holds the answer
 * back as long as the peer's failures say. */
static void
finish_auth(server *srv, conn *c, job *j)
{
    guint8 hash[TRACUU_TOKEN_HASH_LEN];
    tracuu_token_hash(j->token, j->token_len, hash);
    g_clear_pointer(&j->token, tracuu_protocol_token_free);
    tracuu_identity *id = tracuu_identity_for_token_hash(srv->conf, hash);
    g_autofree char *number = g_strdup_printf("%" G_GUINT64_FORMAT, c->number);
    if (id) {
        c->has_token_hash = TRUE;
        memcpy(c->token_hash, hash, sizeof hash);
        conn_set_identity(c, id);
        g_autoptr(JsonObject) o = json_object_new();
        json_object_set_boolean_member(o, "ok", TRUE);
        json_object_set_string_member(o, "user", id->user);
        j->resp = tracuu_protocol_format_response(j->auth_id, o, &j->resp_len);
        job_note(srv, j, "auth", "ok");
        const GLogField fields[] = {{"TRACUU_CLIENT", number, -1},
                                    {"TRACUU_PEER", c->peer, -1},
                                    {"TRACUU_USER", id->user, -1},
                                    {"TRACUU_AUDIT", "auth", -1},
                                    {"TRACUU_CODE", "ok", -1}};
        tracuu_log_fields(G_LOG_LEVEL_INFO, fields, G_N_ELEMENTS(fields),
                          "client %s (%s): authenticated as %s", number, c->peer, id->user);
    } else {
        c->has_token_hash = FALSE;
        conn_set_identity(c, tracuu_identity_for_peer(srv->conf, c->has_uid, c->uid));
        guint count = 0;
        gint64 delay = tracuu_auth_delay_note_failure(srv->failures, c->peer_key, &count);
        j->release_at = g_get_monotonic_time() + delay * 1000;
        j->resp = tracuu_protocol_format_error(j->auth_id, "unauthorized",
                                               "unknown token", &j->resp_len);
        job_note(srv, j, "auth", "unauthorized");
        const GLogField fields[] = {{"TRACUU_CLIENT", number, -1},
                                    {"TRACUU_PEER", c->peer, -1},
                                    {"TRACUU_USER", "-", -1},
                                    {"TRACUU_AUDIT", "refused", -1},
                                    {"TRACUU_CODE", "unauthorized", -1}};
        tracuu_log_fields(G_LOG_LEVEL_WARNING, fields, G_N_ELEMENTS(fields),
                          "client %s (%s): authentication failed: unknown token (failure %u "
                          "from %s; answer held back %" G_GINT64_FORMAT " ms)",
                          number, c->peer, count, c->peer_key, delay);
    }
    sodium_memzero(hash, sizeof hash);
}

static void
collect_done(server *srv)
{
    guint64 n;
    if (read(srv->wakefd, &n, sizeof n) < 0 && errno != EAGAIN)
        tracuu_log_warning("eventfd: %s", g_strerror(errno));
    for (;;) {
        g_mutex_lock(&srv->done_lock);
        job *j = g_queue_pop_head(&srv->done);
        g_mutex_unlock(&srv->done_lock);
        if (!j)
            break;
        conn *c = j->c;
        c->busy = NULL;
        if (c->dead) {
            /* The client left while its request was being answered. */
            job_free(j);
            conn_free(c);
            continue;
        }
        if (j->token)
            finish_auth(srv, c, j);
        if (j->release_at > g_get_monotonic_time()) {
            /* Nothing else of this connection is started while its answer waits. */
            c->busy = j;
            g_queue_push_tail(&srv->held, j);
            continue;
        }
        job_give(srv, c, j);
        job_free(j);
        conn_update(srv, c);
    }
}

/* Gives out the held answers whose time has come (all of them when @all). */
static void
release_held(server *srv, gboolean all)
{
    gint64 now = g_get_monotonic_time();
    for (GList *l = srv->held.head; l;) {
        GList *next = l->next;
        job *j = l->data;
        if (all || j->release_at <= now) {
            g_queue_delete_link(&srv->held, l);
            conn *c = j->c;
            c->busy = NULL;
            if (c->dead) {
                job_free(j);
                conn_free(c);
            } else {
                job_give(srv, c, j);
                job_free(j);
                conn_update(srv, c);
            }
        }
        l = next;
    }
}

/* Milliseconds until the next held answer is due, at most @cap. */
static int
held_wait_ms(server *srv, int cap)
{
    gint64 now = g_get_monotonic_time();
    int ms = cap;
    for (GList *l = srv->held.head; l; l = l->next) {
        const job *j = l->data;
        gint64 left = (j->release_at - now + 999) / 1000;
        ms = (int)MAX(0, MIN((gint64)ms, left));
    }
    return ms;
}

static void
close_listeners(server *srv)
{
    for (int i = 0; i < srv->n_listeners; i++) {
        epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->listeners[i]->fd, NULL);
        close(srv->listeners[i]->fd);
        g_free(srv->listeners[i]);
    }
    srv->n_listeners = 0;
    if (srv->socket_path) {
        unlink(srv->socket_path);
        g_clear_pointer(&srv->socket_path, g_free);
    }
}

static void
begin_shutdown(server *srv, const char *why)
{
    if (srv->stopping) {
        /* A second signal: do not wait for the requests under way. */
        srv->stop_deadline = 0;
        return;
    }
    tracuu_log_info("%s: stopping (finishing the requests under way)", why);
    srv->stopping = TRUE;
    srv->stop_deadline = g_get_monotonic_time() + SHUTDOWN_GRACE * G_USEC_PER_SEC;
    close_listeners(srv);
    release_held(srv, TRUE);
    /* Requests not started are dropped; each connection closes once its answer is out. */
    GList *all = g_hash_table_get_keys(srv->conns);
    for (GList *l = all; l; l = l->next) {
        conn *c = l->data;
        job *j;
        while ((j = g_queue_pop_head(&c->queued)))
            job_free(j);
        c->queued_bytes = 0;
        conn_update(srv, c);
    }
    g_list_free(all);
}

/*
 * Reads the configuration file again (SIGHUP). A file that does not load is logged and the
 * configuration in use kept, as is one that would leave no user while a listener is open
 * beyond loopback without allow-remote (that would let everyone in as the owner). Otherwise
 * every connection's identity is worked out again under the new file: a user removed, a token
 * replaced or a uid no longer mapped takes effect on connections already open. Listeners and
 * threads are not changed by a reload.
 */
static void
reload_config(server *srv)
{
    g_autoptr(GError) error = NULL;
    tracuu_conf *conf = tracuu_conf_load(opt.config, &error);
    if (!conf) {
        tracuu_log_warning("SIGHUP: configuration not reloaded: %s; keeping the one in use",
                           error->message);
        return;
    }
    gboolean allow = FALSE;
    tracuu_conf_get_bool(conf, "searchd", "allow-remote", &allow);
    if (srv->remote && tracuu_conf_get_n_users(conf) == 0 && !allow) {
        tracuu_log_warning("SIGHUP: configuration not reloaded: %s has no user and listens "
                           "beyond loopback without allow-remote = true; keeping the one in use",
                           opt.config);
        tracuu_conf_free(conf);
        return;
    }
    /* The HTTP threads read the configuration too: they let go of the old one first. */
    if (srv->http)
        tracuu_http_server_set_conf(srv->http, conf);
    tracuu_conf_free(srv->conf);
    srv->conf = conf;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, srv->conns);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        conn *c = key;
        conn_set_identity(c, conn_resolve(srv, c));
    }
    tracuu_log_info("SIGHUP: configuration %s reloaded: %u users", opt.config,
                    tracuu_conf_get_n_users(conf));
}

/*
 * SIGHUP: read the configuration again (reload_config), and reopen the index. What is to be
 * reloaded is checked here first, so that a HUP sent while the index is missing or broken is
 * refused and logged while the workers go on with what they have; otherwise each worker opens
 * the index afresh before its next request (worker_reload).
 */
static void
reload(server *srv)
{
    g_autoptr(GError) error = NULL;

    if (srv->stopping)
        return;
    if (opt.config)
        reload_config(srv);
    tracuu_engine *probe = tracuu_engine_open(opt.db, &error);
    if (!probe) {
        tracuu_log_warning(
            "SIGHUP: not reloading: cannot open the index %s: %s; the workers keep the "
            "readers they have",
            opt.db, error->message);
        return;
    }
    tracuu_engine_free(probe);
    gint n = g_atomic_int_add(&srv->reloads, 1) + 1;
    tracuu_log_info("SIGHUP: reload %d: each worker reopens the index %s before its next request",
                    n, opt.db);
}

static void
check_timeouts(server *srv)
{
    gint64 now = g_get_monotonic_time();
    gint64 limit = (gint64)opt.idle_timeout * G_USEC_PER_SEC;
    tracuu_auth_delay_forget_old(srv->failures);
    if (opt.idle_timeout <= 0)
        return;
    GList *all = g_hash_table_get_keys(srv->conns);
    for (GList *l = all; l; l = l->next) {
        conn *c = l->data;
        /* A request at a worker is not the client's idleness; the time limit bounds it. */
        if (!c->busy && now - c->last_active > limit)
            conn_close(srv, c, conn_unwritten(c) ? "not reading its answers" : "idle");
    }
    g_list_free(all);
}

static gboolean
source_is_live(server *srv, const source *s)
{
    if (s == &srv->sigsrc || s == &srv->wakesrc)
        return TRUE;
    for (int i = 0; i < srv->n_listeners; i++)
        if (s == srv->listeners[i])
            return TRUE;
    return g_hash_table_contains(srv->conns, s);
}

static void
run_loop(server *srv)
{
    struct epoll_event evs[64];
    gint64 last_check = g_get_monotonic_time();

    for (;;) {
        if (srv->stopping &&
            (g_hash_table_size(srv->conns) == 0 || g_get_monotonic_time() >= srv->stop_deadline))
            break;
        int n = epoll_wait(srv->epfd, evs, G_N_ELEMENTS(evs), held_wait_ms(srv, 1000));
        if (n < 0 && errno != EINTR) {
            tracuu_log_warning("epoll_wait: %s", g_strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            source *s = evs[i].data.ptr;
            /* An event of this batch may be for a connection or a listener that an earlier
             * one freed (a SIGTERM closes idle connections and the listeners at once): its
             * pointer is checked against what is live before anything is read through it. */
            if (!source_is_live(srv, s))
                continue;
            switch (s->kind) {
            case SRC_LISTEN:
                if (!srv->stopping)
                    accept_clients(srv, s);
                break;
            case SRC_SIGNAL: {
                struct signalfd_siginfo si;
                if (read(s->fd, &si, sizeof si) != sizeof si)
                    break;
                if (si.ssi_signo == SIGHUP)
                    reload(srv);
                else
                    begin_shutdown(srv, strsignal((int)si.ssi_signo));
                break;
            }
            case SRC_WAKE:
                collect_done(srv);
                break;
            case SRC_CONN: {
                conn *c = (conn *)s;
                if (evs[i].events & (EPOLLIN | EPOLLRDHUP))
                    conn_read(srv, c);
                if (!g_hash_table_contains(srv->conns, c))
                    break;
                /* Both directions are gone: nothing more can be answered. */
                if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
                    conn_close(srv, c, NULL);
                    break;
                }
                conn_update(srv, c);
                break;
            }
            }
        }
        if (srv->held.length)
            release_held(srv, FALSE);
        if (g_get_monotonic_time() - last_check >= G_USEC_PER_SEC) {
            last_check = g_get_monotonic_time();
            check_timeouts(srv);
        }
    }
}

/* ---- Listening ---- */

static gboolean
add_listener(server *srv, int fd, GError **error)
{
    source *l = g_new0(source, 1);
    l->kind = SRC_LISTEN;
    l->fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "epoll: %s",
                    g_strerror(errno));
        g_free(l);
        close(fd);
        return FALSE;
    }
    srv->listeners[srv->n_listeners++] = l;
    return TRUE;
}

/* The gid of @group (a name or a number), or FALSE with @error. */
static gboolean
find_group(const char *group, gid_t *gid, GError **error)
{
    struct group gr, *found = NULL;
    char buf[16384];
    int rc = getgrnam_r(group, &gr, buf, sizeof buf, &found);
    if (rc == 0 && found) {
        *gid = found->gr_gid;
        return TRUE;
    }
    guint64 n = 0;
    if (g_ascii_string_to_unsigned(group, 10, 0, G_MAXUINT32 - 1, &n, NULL)) {
        *gid = (gid_t)n;
        return TRUE;
    }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "socket group %s: no such group%s%s",
                group, rc ? ": " : "", rc ? g_strerror(rc) : "");
    return FALSE;
}

static gboolean
listen_unix(server *srv, const char *path, mode_t mode, const char *group, GError **error)
{
    gid_t gid = (gid_t)-1;
    if (group && !find_group(group, &gid, error))
        return FALSE;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;

    if (strlen(path) >= sizeof sa.sun_path) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                    "socket path too long (at most %zu bytes): %s", sizeof sa.sun_path - 1, path);
        return FALSE;
    }
    strcpy(sa.sun_path, path);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                        "%s exists and is not a socket; not replacing it", path);
            return FALSE;
        }
        /* A socket file is either served by a live daemon or left over by a dead one. */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0) {
            close(probe);
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                        "another server is answering on %s; not starting", path);
            return FALSE;
        }
        if (probe >= 0)
            close(probe);
        if (unlink(path) < 0) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                        "cannot remove the stale socket %s: %s", path, g_strerror(errno));
            return FALSE;
        }
        tracuu_log_info("replaced the stale socket %s", path);
    }
    /* Whoever can connect may read documents, so the socket file is created with the mode
     * asked for, not with what the caller's umask leaves: bound under a umask that allows no
     * more than @mode, and no more than the owner while the file still has the group it was
     * born with (no moment with a wider mode or another group), then given @group, then set to
     * exactly @mode. The umask is the process's, which is safe here because no other thread
     * runs yet. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    mode_t old_umask = umask(~(group ? mode & 0700 : mode) & 0777);
    int bound = fd >= 0 ? bind(fd, (struct sockaddr *)&sa, sizeof sa) : -1;
    int e = errno;
    umask(old_umask);
    const char *failed = NULL;
    if (bound == 0 && group && chown(path, (uid_t)-1, gid) < 0)
        failed = "chown";
    else if (bound == 0 && chmod(path, mode) < 0)
        failed = "chmod";
    if (failed) {
        e = errno;
        unlink(path);
        bound = -1;
    }
    if (bound < 0 || listen(fd, 511) < 0) {
        e = bound < 0 ? e : errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "cannot listen on %s: %s%s%s",
                    path, failed ? failed : "", failed ? ": " : "", g_strerror(e));
        if (bound == 0)
            unlink(path);
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    srv->socket_path = g_strdup(path);
    if (!add_listener(srv, fd, error))
        return FALSE;
    if (group)
        tracuu_log_info("listening on unix:%s (mode %04o, group %s)", path, (unsigned)mode, group);
    else
        tracuu_log_info("listening on unix:%s (mode %04o)", path, (unsigned)mode);
    return TRUE;
}

static gboolean
is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return FALSE;
}

/*
 * Listens on TCP at @spec. Beyond loopback only when users are configured (each connection
 * then authenticates) or [searchd] allow-remote says so: with no user, whoever connects is
 * taken for the archive's owner and reads everything.
 */
static int
open_tcp(server *srv, const char *option, const char *spec, GError **error)
{
    g_autofree char *host = NULL;
    const char *colon = strrchr(spec, ':');

    if (!colon || colon[1] == '\0') {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "%s wants HOST:PORT, got \"%s\"", option, spec);
        return -1;
    }
    host = g_strndup(spec, (gsize)(colon - spec));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
    if (rc != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s %s: %s", option, spec,
                    gai_strerror(rc));
        return -1;
    }
    gboolean open_to_all = tracuu_conf_get_n_users(srv->conf) == 0 && !opt.allow_remote;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (!is_loopback(ai->ai_addr) && open_to_all) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                        "refusing to listen on %s: it is not a loopback address and no user is "
                        "configured, so whoever connects would read every document; listen on "
                        "127.0.0.1 or [::1], configure users, or set [searchd] allow-remote = "
                        "true in the configuration",
                        spec);
            freeaddrinfo(res);
            return -1;
        }
        if (!is_loopback(ai->ai_addr))
            srv->remote = TRUE;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 511) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot listen on %s: %s", spec,
                    g_strerror(err));
        return -1;
    }
    struct sockaddr_storage sa;
    socklen_t salen = sizeof sa;
    char h[NI_MAXHOST] = "?", p[NI_MAXSERV] = "?";
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) == 0)
        getnameinfo((struct sockaddr *)&sa, salen, h, sizeof h, p, sizeof p,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    tracuu_log_info("listening on %s:%s%s%s:%s", strcmp(option, "--http") == 0 ? "http" : "tcp",
                    strchr(h, ':') ? "[" : "", h, strchr(h, ':') ? "]" : "", p);
    return fd;
}

static gboolean
listen_tcp(server *srv, const char *spec, GError **error)
{
    int fd = open_tcp(srv, "--listen", spec, error);
    return fd >= 0 && add_listener(srv, fd, error);
}

/*
 * Socket activation: the @n sockets systemd passed (activation.h), named by
 * FileDescriptorName=. One named "http" serves the HTTP API (TCP only, one at most); any
 * other, whatever its name, serves the socket protocol, a Unix socket or TCP alike. A TCP
 * socket beyond loopback is refused as --listen refuses it, for the same reason.
 */
static gboolean
listen_passed(server *srv, int n, char **names, GError **error)
{
    gboolean open_to_all = tracuu_conf_get_n_users(srv->conf) == 0 && !opt.allow_remote;
    for (int i = 0; i < n; i++) {
        int fd = TRACUU_ACTIVATION_FDS_START + i;
        struct sockaddr_storage sa = {0};
        socklen_t salen = sizeof sa;
        if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                        "descriptor %d (%s) passed by systemd: %s", fd, names[i],
                        g_strerror(errno));
            return FALSE;
        }
        gboolean tcp = sa.ss_family == AF_INET || sa.ss_family == AF_INET6;
        gboolean http = strcmp(names[i], "http") == 0;
        char where[NI_MAXHOST + NI_MAXSERV + 112] = "?";
        if (sa.ss_family == AF_UNIX) {
            /* sa was zeroed and is longer than a sockaddr_un: the path ends with a NUL. */
            const char *path = ((const struct sockaddr_un *)&sa)->sun_path;
            g_snprintf(where, sizeof where, "unix:%s", path[0] ? path : "(abstract)");
        } else if (tcp) {
            char h[NI_MAXHOST] = "?", p[NI_MAXSERV] = "?";
            getnameinfo((struct sockaddr *)&sa, salen, h, sizeof h, p, sizeof p,
                        NI_NUMERICHOST | NI_NUMERICSERV);
            g_snprintf(where, sizeof where, "%s:%s%s%s:%s", http ? "http" : "tcp",
                       strchr(h, ':') ? "[" : "", h, strchr(h, ':') ? "]" : "", p);
        }
        if (!tcp && (http || sa.ss_family != AF_UNIX)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                        "descriptor %d (%s) passed by systemd is %s socket; %s", fd, names[i],
                        sa.ss_family == AF_UNIX ? "a Unix" : "neither a Unix nor a TCP",
                        http ? "the HTTP API is served on TCP only" : "it cannot be served");
            return FALSE;
        }
        if (tcp && !is_loopback((struct sockaddr *)&sa)) {
            if (open_to_all) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                            "refusing the socket %s passed by systemd: it is not a loopback "
                            "address and no user is configured, so whoever connects would read "
                            "every document; configure users, or set [searchd] allow-remote = "
                            "true in the configuration",
                            where);
                return FALSE;
            }
            srv->remote = TRUE;
        }
        if (http) {
            if (srv->passed_http_fd >= 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                            "systemd passed more than one socket named http; the HTTP API "
                            "serves one");
                return FALSE;
            }
            srv->passed_http_fd = fd;
        } else if (!add_listener(srv, fd, error)) {
            return FALSE;
        }
        tracuu_log_info("listening on %s (passed by systemd as %s)", where, names[i]);
    }
    return TRUE;
}

static tracuu_engine *
open_engine_for_http(gpointer data, GError **error)
{
    return open_engine(data, error);
}

/* The PEM texts of --tls-cert and --tls-key, read at start (before the index is opened, so
 * that a wrong path stops the daemon at once), or NULL without TLS. */
static char *tls_cert_pem, *tls_key_pem;

static gboolean
read_tls_files(GError **error)
{
    if (!opt.tls_cert && !opt.tls_key)
        return TRUE;
    if (!opt.tls_cert || !opt.tls_key) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "TLS wants both a certificate and its key: give --tls-cert and --tls-key "
                    "(or tls-cert and tls-key in [searchd]) together");
        return FALSE;
    }
    if (!opt.http) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "--tls-cert and --tls-key are for the HTTP API: give --http too");
        return FALSE;
    }
    const struct {
        const char *option, *path;
        char **out;
    } files[] = {{"--tls-cert", opt.tls_cert, &tls_cert_pem}, {"--tls-key", opt.tls_key, &tls_key_pem}};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autoptr(GError) read_error = NULL;
        if (!g_file_get_contents(files[i].path, files[i].out, NULL, &read_error)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", files[i].option,
                        files[i].path, read_error->message);
            return FALSE;
        }
        if (!strstr(*files[i].out, "-----BEGIN ")) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: not a PEM file",
                        files[i].option, files[i].path);
            return FALSE;
        }
    }
    return TRUE;
}

/* --http: the HTTP API on its own threads (http.h), beside the socket's workers. */
static gboolean
listen_http(server *srv, const char *spec, GError **error)
{
    int fd = srv->passed_http_fd >= 0 ? srv->passed_http_fd : open_tcp(srv, "--http", spec, error);
    srv->passed_http_fd = -1;
    if (fd < 0)
        return FALSE;
    const tracuu_http_options o = {
        .listen_fd = fd,
        .threads = (unsigned)opt.threads,
        .max_clients = (unsigned)opt.max_clients,
        .idle_timeout = (unsigned)MAX(opt.idle_timeout, 0),
        .slow_ms = opt.slow_ms,
        .open_engine = open_engine_for_http,
        .open_engine_data = srv,
        .reloads = &srv->reloads,
        .busy = &srv->busy,
        .failures = srv->failures,
        .conf = srv->conf,
        .tls_cert_pem = tls_cert_pem,
        .tls_key_pem = tls_key_pem,
        .socket_metrics = srv->metrics,
    };
    srv->http = tracuu_http_server_new(&o, error);
    return srv->http != NULL;
}

/* ---- main ---- */

/*
 * Fills in what the command line left unset from the configuration, then the defaults: the
 * command line wins, then the file, then the built-in value.
 */
static void
apply_config(const tracuu_conf *conf)
{
    static const struct {
        const char *group, *key;
        char **value;
    } strings[] = {
        {"index", "db", &opt.db},
        {"searchd", "socket", &opt.socket_path},
        {"searchd", "socket-group", &opt.socket_group},
        {"searchd", "listen", &opt.listen},
        {"searchd", "http", &opt.http},
        {"searchd", "tls-cert", &opt.tls_cert},
        {"searchd", "tls-key", &opt.tls_key},
        {"searchd", "question-words", &opt.question_words},
    };
    for (guint i = 0; i < G_N_ELEMENTS(strings); i++) {
        const char *v = tracuu_conf_get_string(conf, strings[i].group, strings[i].key);
        if (!*strings[i].value && v)
            *strings[i].value = g_strdup(v);
    }
    for (guint i = 0; i < G_N_ELEMENTS(int_defaults); i++) {
        gint64 v = 0;
        if (*int_defaults[i].value != UNSET_INT)
            continue;
        *int_defaults[i].value = tracuu_conf_get_int(conf, "searchd", int_defaults[i].key, &v)
                                     ? (int)v
                                     : int_defaults[i].fallback;
    }
    if (isnan(opt.timeout) && !tracuu_conf_get_double(conf, "searchd", "timeout", &opt.timeout))
        opt.timeout = 5.0;
    gint64 mode = 0;
    if (!opt.socket_mode_arg)
        opt.socket_mode = tracuu_conf_get_int(conf, "searchd", "socket-mode", &mode)
                              ? (mode_t)mode
                              : (opt.socket_group ? 0660 : 0600);
    opt.allow_remote = FALSE;
    tracuu_conf_get_bool(conf, "searchd", "allow-remote", &opt.allow_remote);
}

/* --new-token NAME: the token on the first line, the configuration line on the second, and
 * what to do with them on stderr, so that a script can take the two lines apart. */
static int
print_new_token(const char *name)
{
    if (!tracuu_conf_user_name_is_valid(name)) {
        fprintf(stderr,
                "tracuu-searchd: --new-token wants a user name of 1 to 64 of A-Z, a-z, 0-9, "
                "'-', '_' and '.', not \"%s\"\n",
                name);
        return 2;
    }
    char hex[2 * TRACUU_TOKEN_HASH_LEN + 1];
    char *token = tracuu_token_new(hex);
    printf("%s\ntoken-sha256 = %s\n", token, hex);
    fflush(stdout);
    fprintf(stderr,
            "tracuu-searchd: the first line is the token of user %s: give it to them; it is not "
            "stored anywhere and is shown only now. The second line goes into the group "
            "[user %s] of the configuration; then send tracuu-searchd a SIGHUP.\n",
            name, name);
    tracuu_protocol_token_free(token);
    return 0;
}

/*
 * --hash-password: one line from standard input (without its end of line), its Argon2id hash as
 * the configuration line on standard output. On a terminal the typing is not echoed; from a
 * pipe (a script, a test) the line is read as it comes.
 */
static int
print_password_hash(void)
{
    struct termios old, quiet;
    gboolean tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "Password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    /* sodium_malloc: guarded, locked memory, wiped when freed. */
    enum { MAX_PASSWORD = 4096 };
    char *buf = sodium_malloc(MAX_PASSWORD + 2);
    gboolean got = buf && fgets(buf, MAX_PASSWORD + 2, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    gsize len = got ? strlen(buf) : 0;
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    else if (len > MAX_PASSWORD)
        got = FALSE;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    if (!got || len == 0) {
        fprintf(stderr, "tracuu-searchd: --hash-password wants one non-empty line of at most %d "
                        "bytes on standard input\n",
                MAX_PASSWORD);
        sodium_free(buf);
        return 2;
    }
    g_autofree char *hash = tracuu_password_hash(buf, len);
    sodium_free(buf);
    if (!hash) {
        fprintf(stderr, "tracuu-searchd: cannot hash the password (out of memory)\n");
        return 1;
    }
    printf("password = %s\n", hash);
    fflush(stdout);
    return ferror(stdout) ? 1 : 0;
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx = g_option_context_new("- answer tracuu search requests");
    server srv = {.epfd = -1, .wakefd = -1, .passed_http_fd = -1};
    g_auto(GStrv) passed_names = NULL;
    int n_passed = 0;
    int status = 0;

    g_option_context_set_summary(
        ctx, "Serves newline-delimited JSON requests (docs/protocol.md) on a Unix socket and\n"
             "optionally TCP, or on the sockets systemd passes (socket activation: one named\n"
             "\"http\" serves the HTTP API, any other the protocol). Runs in the foreground and\n"
             "logs to stderr; SIGTERM stops it, SIGHUP reads the configuration again and\n"
             "reopens the index. Who may ask what: docs/access-control.md.");
    g_option_context_add_main_entries(ctx, option_table, NULL);
    tracuu_cli_init_locale();
    tracuu_log_init("tracuu-searchd");
    const GOptionEntry *const tables[] = {option_table, NULL};
    tracuu_cli_split_short_options(&argc, &argv, tables);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "tracuu-searchd: %s\nTry --help.\n", error->message);
        return 2;
    }
    if (opt.version) {
        printf("tracuu-searchd %s\n", TRACUU_VERSION);
        return 0;
    }
    if (opt.new_token && argc > 1) {
        fprintf(stderr, "tracuu-searchd: unexpected arguments\nTry --help.\n");
        return 2;
    }
    if (opt.new_token)
        return print_new_token(opt.new_token);
    if (opt.hash_password && argc > 1) {
        fprintf(stderr, "tracuu-searchd: unexpected arguments\nTry --help.\n");
        return 2;
    }
    if (opt.hash_password)
        return sodium_init() < 0 ? 1 : print_password_hash();
    if (opt.socket_mode_arg && !tracuu_conf_parse_socket_mode(opt.socket_mode_arg, &opt.socket_mode)) {
        fprintf(stderr,
                "tracuu-searchd: --socket-mode wants an octal mode up to 0777 that gives "
                "other users neither read nor write (such as 0600 or 0660), not \"%s\"\n",
                opt.socket_mode_arg);
        return 2;
    }
    /* A bad configuration stops the daemon before anything is opened: its message names the
     * file and the line. */
    srv.conf = opt.config ? tracuu_conf_load(opt.config, &error) : tracuu_conf_new_empty();
    if (!srv.conf) {
        tracuu_log_critical("%s", error->message);
        return 1;
    }
    apply_config(srv.conf);
    /* Sockets passed by systemd replace those the options and the configuration name, which
     * the socket unit has bound already (docs/tracuu-searchd.md, "Under systemd"). */
    n_passed = tracuu_activation_take(&passed_names, &error);
    if (n_passed < 0) {
        tracuu_log_critical("%s", error->message);
        tracuu_conf_free(srv.conf);
        return 1;
    }
    if (n_passed > 0 && (opt.socket_path || opt.listen || opt.http)) {
        tracuu_log_info("%d sockets passed by systemd: not opening --socket, --listen or --http",
                        n_passed);
        g_clear_pointer(&opt.socket_path, g_free);
        g_clear_pointer(&opt.listen, g_free);
        g_clear_pointer(&opt.http, g_free);
    }
    if (!opt.db || (!n_passed && !opt.socket_path && !opt.listen && !opt.http) || argc > 1) {
        fprintf(stderr, "tracuu-searchd: %s\nTry --help.\n",
                argc > 1 ? "unexpected arguments"
                         : "--db and one of --socket, --listen or --http are required (on the "
                           "command line or in the configuration) unless systemd passes "
                           "sockets");
        tracuu_conf_free(srv.conf);
        return 2;
    }
    if (opt.threads <= 0)
        opt.threads = (int)g_get_num_processors();
    if (opt.split <= 0)
        opt.split = (int)MIN(g_get_num_processors(), 16u);
    if (opt.split > 16) {
        fprintf(stderr, "tracuu-searchd: --split must be 1 to 16\n");
        tracuu_conf_free(srv.conf);
        return 2;
    }
    if (!read_tls_files(&error) || !read_question_words(&error)) {
        tracuu_log_critical("%s", error->message);
        tracuu_conf_free(srv.conf);
        return 1;
    }
    if (opt.max_clients <= 0 || opt.timeout < 0 || opt.max_output_mb <= 0) {
        fprintf(stderr, "tracuu-searchd: --max-clients, --timeout and --max-output-mb must be "
                        "positive\n");
        tracuu_conf_free(srv.conf);
        return 2;
    }

    /* Signals are taken from a signalfd by the loop, so no thread may receive them. They are
     * blocked before the index is opened, so that one sent meanwhile waits for the loop
     * instead of taking its default action. TERM and INT stop, HUP reloads (a supervisor's
     * reload or a log rotation must not stop the service). A write to a client that left
     * fails with EPIPE instead of raising SIGPIPE. Other signals keep their default action
     * (SIGQUIT dumps core; SIGUSR1, SIGUSR2 and SIGALRM end the process without removing the
     * socket file, which the next start replaces). */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* The index must be readable before clients are invited in. */
    tracuu_engine *probe = tracuu_engine_open(opt.db, &error);
    if (!probe) {
        tracuu_log_critical("cannot open the index %s: %s", opt.db, error->message);
        tracuu_conf_free(srv.conf);
        return 1;
    }
    tracuu_engine_free(probe);

    srv.epfd = epoll_create1(EPOLL_CLOEXEC);
    srv.sigsrc = (source){SRC_SIGNAL, signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)};
    srv.wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    srv.wakesrc = (source){SRC_WAKE, srv.wakefd};
    if (srv.epfd < 0 || srv.sigsrc.fd < 0 || srv.wakefd < 0) {
        tracuu_log_critical("cannot set up the event loop: %s", g_strerror(errno));
        tracuu_conf_free(srv.conf);
        return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &srv.sigsrc};
    epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.sigsrc.fd, &ev);
    ev.data.ptr = &srv.wakesrc;
    epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.wakefd, &ev);
    srv.conns = g_hash_table_new(NULL, NULL);
    srv.work = g_async_queue_new();
    g_mutex_init(&srv.done_lock);
    g_queue_init(&srv.done);
    g_queue_init(&srv.held);
    srv.failures = tracuu_auth_delay_new();
    srv.metrics = tracuu_metrics_new(&socket_metrics_spec);

    srv.cores = (int)g_get_num_processors();
    tracuu_log_info(
        "tracuu-searchd %s starting: index %s, %d worker threads, searches split over up "
        "to %d threads while workers are idle, time limit %g s",
        TRACUU_VERSION, opt.db, opt.threads, opt.split, opt.timeout);
    if (tracuu_conf_get_n_users(srv.conf) > 0)
        tracuu_log_info("configuration %s: %u users; callers not known by their uid "
                        "authenticate with a token",
                        opt.config, tracuu_conf_get_n_users(srv.conf));
    else
        tracuu_log_info("no users configured: every caller is the archive's owner "
                        "(" TRACUU_IDENTITY_LOCAL_OWNER ")");
    if ((n_passed > 0 && !listen_passed(&srv, n_passed, passed_names, &error)) ||
        (opt.socket_path &&
         !listen_unix(&srv, opt.socket_path, opt.socket_mode, opt.socket_group, &error)) ||
        (opt.listen && !listen_tcp(&srv, opt.listen, &error))) {
        tracuu_log_critical("%s", error->message);
        close_listeners(&srv);
        status = 1;
        goto out;
    }

    srv.n_workers = opt.threads;
    srv.workers = g_new0(GThread *, srv.n_workers);
    for (int i = 0; i < srv.n_workers; i++) {
        worker_arg *arg = g_new0(worker_arg, 1);
        arg->srv = &srv;
        arg->index = i;
        srv.workers[i] = g_thread_new("tracuu-worker", worker_main, arg);
    }

    if ((opt.http || srv.passed_http_fd >= 0) && !listen_http(&srv, opt.http, &error)) {
        tracuu_log_critical("%s", error->message);
        begin_shutdown(&srv, "the HTTP API cannot start");
        status = 1;
    } else {
        run_loop(&srv);
    }
    /* The HTTP API answers the requests it has in hand, then its threads stop. */
    g_clear_pointer(&srv.http, tracuu_http_server_free);

    /* Whatever is still connected (the grace period ran out) is closed now; the workers
     * finish the job in hand, then stop. */
    close_listeners(&srv);
    GList *all = g_hash_table_get_keys(srv.conns);
    for (GList *l = all; l; l = l->next)
        conn_close(&srv, l->data, "shutting down");
    g_list_free(all);
    for (int i = 0; i < srv.n_workers; i++)
        g_async_queue_push_front(srv.work, &stop_job);
    for (int i = 0; i < srv.n_workers; i++)
        g_thread_join(srv.workers[i]);
    /* Jobs still queued or done belong to closed connections. */
    job *j;
    while ((j = g_async_queue_try_pop(srv.work))) {
        if (j == &stop_job)
            continue;
        j->c->busy = NULL;
        conn_free(j->c);
        job_free(j);
    }
    while ((j = g_queue_pop_head(&srv.done))) {
        j->c->busy = NULL;
        conn_free(j->c);
        job_free(j);
    }
    while ((j = g_queue_pop_head(&srv.held))) {
        j->c->busy = NULL;
        conn_free(j->c);
        job_free(j);
    }
    g_free(srv.workers);
    tracuu_log_info("stopped");

out:
    g_hash_table_unref(srv.conns);
    g_async_queue_unref(srv.work);
    g_mutex_clear(&srv.done_lock);
    close(srv.sigsrc.fd);
    close(srv.wakefd);
    close(srv.epfd);
    g_free(opt.db);
    g_free(opt.socket_path);
    g_free(opt.socket_mode_arg);
    g_free(opt.listen);
    g_free(opt.http);
    g_free(opt.tls_cert);
    g_free(opt.tls_key);
    g_free(opt.question_words);
    tracuu_question_words_free(question_words);
    g_free(tls_cert_pem);
    if (tls_key_pem)
        sodium_memzero(tls_key_pem, strlen(tls_key_pem));
    g_free(tls_key_pem);
    g_free(opt.socket_group);
    g_free(opt.config);
    tracuu_auth_delay_free(srv.failures);
    tracuu_metrics_free(srv.metrics);
    tracuu_conf_free(srv.conf);
    return status;
}
