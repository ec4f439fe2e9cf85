/* test-http.c - tracuu-searchd's HTTP API (--http) on 127.0.0.1, beside its socket. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-http.h"
#include "tracuu-test.h"

/*
 * One index, built by the real tracuu-indexer from corpus/archive plus a few labelled
 * documents from --from-jsonl, and two daemons over it: "open" without users (the local owner,
 * loopback only) with a socket and --http, and "users" with a configuration that names users
 * by token and sets http in [searchd]. The tests speak HTTP/1.1 with a small client of their own
 * over a plain socket, so that they can also send what no well-behaved client would.
 */

typedef struct {
    GPid pid;
    int port;
    char *log;
    char *sock; /* "open" only */
} daemon_t;

static struct {
    char *tmp, *db, *searchd, *indexer;
    daemon_t open, users;
    char *token;                 /* of user anh (labels so-tttt) on "users" */
    char *conf_path, *conf_line; /* the configuration of "users", anh's token-sha256 line */
    GError *setup_error;
} F;

/* Labelled documents: anh (so-tttt) sees "tttt" and the public "pub", never "nv". */
static const char acl_jsonl[] =
    "{\"id\":\"pub\",\"doc_type\":\"Công văn\",\"text\":\"Thông báo chung kiwiquaz.\"}\n"
    "{\"id\":\"tttt\",\"access\":[\"so-tttt\"],\"doc_type\":\"Công văn\","
    "\"text\":\"Thông báo của Sở Thông tin kiwiquaz.\"}\n"
    "{\"id\":\"nv\",\"access\":[\"so-noi-vu\"],\"doc_type\":\"Công văn\","
    "\"text\":\"Thông báo của Sở Nội vụ kiwiquaz.\"}\n";

/* ---- processes ---- */

static int
run_sync(const char *const *argv, char **out_out, char **err_out)
{
    int status = -1;
    g_autoptr(GError) error = NULL;
    char *out = NULL, *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                      &error))
        return -1;
    if (out_out)
        *out_out = out;
    else
        g_free(out);
    if (err_out)
        *err_out = err;
    else
        g_free(err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * Starts tracuu-searchd with @args (NULL-terminated), stderr into @d->log, and waits until it
 * logs its HTTP port. Returns -1 when it runs, else its exit status (it stopped at once).
 */
static int
start(daemon_t *d, const char *name, const char *const *args)
{
    tracuu_test_http_daemon h = {0};
    int st = tracuu_test_http_daemon_start(&h, F.searchd, F.tmp, name, args);
    d->pid = h.pid;
    d->port = h.port;
    d->log = h.log;
    return st;
}

static char *
read_log(const daemon_t *d)
{
    const tracuu_test_http_daemon h = {.pid = d->pid, .port = d->port, .log = d->log};
    return tracuu_test_http_daemon_log(&h);
}

/* ---- the HTTP client of the test library (tracuu-test-http.h), under short names ---- */

typedef tracuu_test_http_reply reply;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(reply, tracuu_test_http_reply_free)
#define connect_port tracuu_test_http_connect
#define exchange tracuu_test_http_exchange
#define body_object tracuu_test_http_body_object
#define assert_reply tracuu_test_http_assert_reply

static void
send_all(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the server may refuse and close before reading everything */
        data += n;
        len -= (gsize)n;
    }
}

/* @method @target with @headers (each ending in "\r\n", or NULL), without a body. */
static reply *
request(int port, const char *method, const char *target, const char *headers)
{
    return tracuu_test_http_request(port, method, target, headers, NULL);
}

static reply *
get(int port, const char *target)
{
    return request(port, "GET", target, NULL);
}

static reply *
get_as(int port, const char *target, const char *token)
{
    g_autofree char *h = g_strdup_printf("Authorization: Bearer %s\r\n", token);
    return request(port, "GET", target, h);
}

/* One request line on the Unix socket of "open", its answer line ("\n" included). */
static char *
socket_ask(const char *line)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    g_strlcpy(sa.sun_path, F.open.sock, sizeof sa.sun_path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    send_all(fd, line, strlen(line));
    send_all(fd, "\n", 1);
    shutdown(fd, SHUT_WR);
    g_autoptr(GString) in = g_string_new(NULL);
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        g_string_append_len(in, buf, n);
    close(fd);
    return g_string_free(g_steal_pointer(&in), FALSE);
}

/* @json with its "took_ms" value (a measured time) replaced by 0. */
static char *
without_took(const char *json)
{
    g_autoptr(GRegex) re = g_regex_new("\"took_ms\":[0-9.e+-]+", 0, 0, NULL);
    return g_regex_replace_literal(re, json, -1, 0, "\"took_ms\":0", 0, NULL);
}

static void
require_setup(void)
{
    g_assert_no_error(F.setup_error);
}

/* ---- tests ---- */

static void
test_healthz_and_stats(void)
{
    require_setup();
    g_autoptr(reply) h = get(F.open.port, "/healthz");
    assert_reply(h, 200, NULL);
    g_assert_cmpstr(h->body, ==, "{\"ok\":true}\n");
    g_autoptr(reply) s = get(F.open.port, "/api/stats");
    assert_reply(s, 200, NULL);
    g_autoptr(JsonObject) o = body_object(s);
    g_assert_cmpint(json_object_get_int_member(o, "docs"), >, 40);
    g_autofree char *line = socket_ask("{\"op\":\"stats\"}");
    g_assert_cmpstr(s->body, ==, line);
    /* HEAD: the same status and headers, no body. */
    g_autoptr(reply) head = request(F.open.port, "HEAD", "/api/stats", NULL);
    g_assert_cmpint(head->status, ==, 200);
    g_assert_cmpuint(head->body_len, ==, 0);
}

/* The same search on both channels answers the same bytes (but for the time it took). */
static void
test_search_same_as_socket(void)
{
    require_setup();
    static const struct {
        const char *target, *line;
    } cases[] = {
        {"/api/search?q=th%C6%B0%20%C4%91i%E1%BB%87n%20t%E1%BB%AD&limit=3"
         "&facets=doc_type,issuer,year,kind",
         "{\"op\":\"search\",\"q\":\"thư điện tử\",\"limit\":3,"
         "\"facets\":[\"doc_type\",\"issuer\",\"year\",\"kind\"]}"},
        {"/api/search?q=quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh&kind=pdf&kind=mail&sort=-date&offset=1"
         "&limit=5",
         "{\"op\":\"search\",\"q\":\"quyết định\",\"sort\":\"-date\",\"offset\":1,\"limit\":5,"
         "\"filters\":{\"kind\":[\"pdf\",\"mail\"]}}"},
        {"/api/search?q=&year=2010&facets=kind",
         "{\"op\":\"search\",\"q\":\"\",\"filters\":{\"year\":\"2010\"},\"facets\":[\"kind\"]}"},
        {"/api/search?q=th%C6%B0&type=Th%C3%B4ng+t%C6%B0",
         "{\"op\":\"search\",\"q\":\"thư\",\"filters\":{\"type\":\"Thông tư\"}}"},
        /* With a "did you mean" (suggest.c): the same on both channels too. */
        {"/api/search?q=thu+dien+tu", "{\"op\":\"search\",\"q\":\"thu dien tu\"}"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(reply) r = get(F.open.port, cases[i].target);
        assert_reply(r, 200, NULL);
        g_autoptr(JsonObject) o = body_object(r);
        g_assert_cmpint(json_object_get_int_member(o, "total"), >, 0);
        g_autofree char *line = socket_ask(cases[i].line);
        g_autofree char *a = without_took(r->body), *b = without_took(line);
        g_assert_cmpstr(a, ==, b);
        if (strstr(cases[i].target, "dien") != NULL)
            g_assert_cmpstr(json_object_get_string_member_with_default(o, "suggest", ""), ==,
                            "thư điện tử");
    }
}

static void
test_doc(void)
{
    require_setup();
    g_autoptr(reply) s = get(F.open.port, "/api/search?q=th%C6%B0&limit=1");
    g_autoptr(JsonObject) o = body_object(s);
    JsonObject *hit = json_array_get_object_element(json_object_get_array_member(o, "hits"), 0);
    const char *id = json_object_get_string_member(hit, "id");
    g_autofree char *target = g_strdup_printf("/api/doc/%s", id);
    g_autoptr(reply) d = get(F.open.port, target);
    assert_reply(d, 200, NULL);
    g_autofree char *line = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}", id);
    g_autofree char *want = socket_ask(line);
    g_assert_cmpstr(d->body, ==, want);
    g_assert_nonnull(strstr(d->body, "\"text\":"));
}

static void
test_errors(void)
{
    require_setup();
    static const struct {
        const char *method, *target;
        int status;
        const char *code;
    } cases[] = {
        {"GET", "/api/doc/0123456789abcdef", 404, "not_found"},
        {"GET", "/api/doc/..%2F..%2Fetc%2Fpasswd", 404, "not_found"},
        {"GET", "/api/doc/../../etc/passwd", 404, "not_found"},
        {"GET", "/api/doc/", 404, "not_found"},
        {"GET", "/nope", 404, "not_found"},
        {"GET", "/api/search?q=date%3A2008-13-45", 400, "bad_query"},
        {"GET", "/api/search?offset=-1", 400, "bad_request"},
        {"GET", "/api/search?limit=ten", 400, "bad_request"},
        {"GET", "/api/search?limit=5000", 400, "bad_request"},
        {"GET", "/api/search?sort=size", 400, "bad_request"},
        {"GET", "/api/search?colour=red", 400, "bad_request"},
        {"GET", "/api/search?facets=colour", 400, "bad_request"},
        {"GET", "/api/search?q=a&q=b", 400, "bad_request"},
        {"GET", "/api/search?q=%FF%FE", 400, "bad_request"},
        {"GET", "/api/search?q=a%00b", 400, "bad_request"},
        {"POST", "/api/search", 405, "method_not_allowed"},
        {"DELETE", "/api/doc/x", 405, "method_not_allowed"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s %s", cases[i].method, cases[i].target);
        g_autoptr(reply) r = request(F.open.port, cases[i].method, cases[i].target, NULL);
        assert_reply(r, cases[i].status, cases[i].code);
    }
    /* The socket's message for the same mistake. */
    g_autoptr(reply) r = get(F.open.port, "/api/search?limit=ten");
    g_autofree char *line = socket_ask("{\"op\":\"search\",\"limit\":\"ten\"}");
    g_assert_cmpstr(r->body, ==, line);
    g_autoptr(reply) post = request(F.open.port, "POST", "/api/search", "Content-Length: 3\r\n");
    g_assert_nonnull(strstr(post->head, "Allow: GET, HEAD"));
}

static void
test_hostile(void)
{
    require_setup();
    /* A 100 KB query string: 413, not served. */
    g_autoptr(GString) t = g_string_new("/api/search?q=");
    for (int i = 0; i < 100 * 1024; i++)
        g_string_append_c(t, 'a');
    g_autoptr(reply) big = get(F.open.port, t->str);
    assert_reply(big, 413, "too_large");
    /* A 1 MB header: libmicrohttpd refuses it (without reading it all into memory). */
    g_autoptr(GString) h = g_string_new("X-Junk: ");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(h, 'x');
    g_string_append(h, "\r\n");
    g_autoptr(reply) longh = request(F.open.port, "GET", "/healthz", h->str);
    g_assert_true(longh->status == 0 || longh->status == 431 || longh->status == 413 ||
                  longh->status == 414);
    /* Garbage, answered with an error and a close; then requests cut short by a client
     * that goes away. */
    static const char *const junk[] = {"\x01\x02\xff\xfe\r\n\r\n", "GET\r\n\r\n",
                                       "GET /healthz HTTP/9.9\r\n\r\n"};
    for (gsize i = 0; i < G_N_ELEMENTS(junk); i++) {
        g_autoptr(reply) r = exchange(F.open.port, junk[i], strlen(junk[i]));
        g_assert_cmpint(r->status, !=, 200);
    }
    static const char *const cut[] = {"GET /api/sea", "GET /api/search?q=a HTTP/1.1\r\nHost:"};
    for (gsize i = 0; i < G_N_ELEMENTS(cut); i++) {
        int fd = connect_port(F.open.port);
        send_all(fd, cut[i], strlen(cut[i]));
        close(fd);
    }
    /* Still serving, still alive. */
    g_autoptr(reply) ok = get(F.open.port, "/healthz");
    assert_reply(ok, 200, NULL);
    g_assert_cmpint(tracuu_test_wait_exit(F.open.pid, 0), ==, -1);
}

/* Keep-alive: two requests on one connection get two answers. */
static void
test_keep_alive(void)
{
    require_setup();
    static const char two[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /api/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    g_autoptr(reply) r = exchange(F.open.port, two, sizeof two - 1);
    g_assert_cmpint(r->status, ==, 200);
    g_assert_nonnull(strstr(r->body, "HTTP/1.1 200"));
    g_assert_nonnull(strstr(r->body, "\"docs\":"));
}

static void
test_users(void)
{
    require_setup();
    int port = F.users.port;
    /* /healthz answers anyone, as ping does; the rest wants a token. */
    g_autoptr(reply) h = get(port, "/healthz");
    assert_reply(h, 200, NULL);
    g_autoptr(reply) none = get(port, "/api/search?q=kiwiquaz");
    assert_reply(none, 401, "unauthorized");
    g_assert_nonnull(strstr(none->head, "WWW-Authenticate: Bearer"));
    g_autoptr(reply) none_doc = get(port, "/api/doc/pub");
    assert_reply(none_doc, 401, "unauthorized");
    g_autoptr(reply) basic = request(port, "GET", "/api/stats", "Authorization: Basic YTpi\r\n");
    assert_reply(basic, 401, "unauthorized");

    /* anh sees pub and tttt, not nv: not in hits, and its id answers as a missing one. */
    g_autoptr(reply) s = get_as(port, "/api/search?q=kiwiquaz&facets=doc_type", F.token);
    assert_reply(s, 200, NULL);
    g_autoptr(JsonObject) o = body_object(s);
    g_assert_cmpint(json_object_get_int_member(o, "total"), ==, 2);
    g_assert_null(strstr(s->body, "\"nv\""));
    g_autoptr(reply) seen = get_as(port, "/api/doc/tttt", F.token);
    assert_reply(seen, 200, NULL);
    g_autoptr(reply) hidden = get_as(port, "/api/doc/nv", F.token);
    g_autoptr(reply) missing = get_as(port, "/api/doc/nw", F.token);
    assert_reply(hidden, 404, "not_found");
    assert_reply(missing, 404, "not_found");
    g_auto(GStrv) hp = g_strsplit(hidden->body, "nv", -1);
    g_auto(GStrv) mp = g_strsplit(missing->body, "nw", -1);
    g_autofree char *hj = g_strjoinv("X", hp), *mj = g_strjoinv("X", mp);
    g_assert_cmpstr(hj, ==, mj);
    g_autofree char *log = read_log(&F.users);
    g_assert_nonnull(strstr(log, "user=anh code=not_found audit=get doc=nv"));
}

/* The value of the metric line that starts with @series, or -1. */
static gint64
metric(const char *text, const char *series)
{
    g_autofree char *start = g_strdup_printf("\n%s ", series);
    const char *p = strstr(text, start);
    return p ? g_ascii_strtoll(p + strlen(start), NULL, 10) : -1;
}

/* /metrics counts the requests by endpoint and status, and their latency. */
static void
test_metrics(void)
{
    require_setup();
    static const char ok_search[] =
        "tracuu_http_requests_total{endpoint=\"search\",status=\"200\"}";
    static const char bad_doc[] = "tracuu_http_requests_total{endpoint=\"doc\",status=\"404\"}";
    static const char put[] = "tracuu_http_requests_total{endpoint=\"stats\",status=\"405\"}";
    static const char all[] = "tracuu_http_request_duration_seconds_count";
    g_autoptr(reply) before = get(F.open.port, "/metrics");
    g_assert_cmpint(before->status, ==, 200);
    g_assert_nonnull(strstr(before->head, "Content-Type: text/plain; version=0.0.4"));
    g_autoptr(reply) a = get(F.open.port, "/api/search?q=th%C6%B0");
    g_autoptr(reply) b = get(F.open.port, "/api/search?q=v%C4%83n+b%E1%BA%A3n");
    g_autoptr(reply) c = get(F.open.port, "/api/doc/0000");
    g_autoptr(reply) d = request(F.open.port, "PUT", "/api/stats", NULL);
    g_autoptr(reply) after = get(F.open.port, "/metrics");
    g_assert_cmpint(metric(after->body, ok_search) - metric(before->body, ok_search), ==, 2);
    g_assert_cmpint(metric(after->body, bad_doc) - metric(before->body, bad_doc), ==, 1);
    g_assert_cmpint(metric(after->body, put) - metric(before->body, put), ==, 1);
    /* The four, and the first /metrics itself. */
    g_assert_cmpint(metric(after->body, all) - metric(before->body, all), ==, 5);
    g_assert_cmpint(metric(after->body, "tracuu_http_request_duration_seconds_bucket{le=\"+Inf\"}"),
                    ==, metric(after->body, all));
    g_assert_cmpint(metric(after->body, "tracuu_documents"), >, 40);
    g_assert_cmpint(metric(after->body, "tracuu_index_revision"), >, 0);
    /* With users, it wants a token like the rest, and counts what the caller sees. */
    g_autoptr(reply) anon = get(F.users.port, "/metrics");
    assert_reply(anon, 401, "unauthorized");
    g_autoptr(reply) anh = get_as(F.users.port, "/metrics", F.token);
    g_assert_cmpint(anh->status, ==, 200);
    g_assert_cmpint(metric(anh->body, "tracuu_documents"), <,
                    metric(after->body, "tracuu_documents"));
    g_assert_cmpint(metric(anh->body, "tracuu_index_revision"), ==, -1);
}

/* /metrics counts the socket's requests too, by op and code, apart from the HTTP API's. */
static void
test_socket_metrics(void)
{
    require_setup();
    static const char ok_search[] = "tracuu_socket_requests_total{op=\"search\",code=\"ok\"}";
    static const char bad_query[] =
        "tracuu_socket_requests_total{op=\"search\",code=\"bad_query\"}";
    static const char missing[] = "tracuu_socket_requests_total{op=\"get\",code=\"not_found\"}";
    static const char bad_json[] = "tracuu_socket_requests_total{op=\"other\",code=\"bad_json\"}";
    static const char all[] = "tracuu_socket_request_duration_seconds_count";
    static const char http_all[] = "tracuu_http_request_duration_seconds_count";
    g_autoptr(reply) before = get(F.open.port, "/metrics");
    g_assert_cmpint(before->status, ==, 200);
    g_assert_cmpint(metric(before->body, all), >=, 0);
    enum { N = 7 };
    for (int i = 0; i < N; i++) {
        g_autofree char *line = g_strdup_printf("{\"op\":\"search\",\"q\":\"thông tư %d\"}", i);
        g_autofree char *ans = socket_ask(line);
        g_assert_nonnull(strstr(ans, "\"ok\":true"));
    }
    g_free(socket_ask("{\"op\":\"search\",\"q\":\"date:2008-13-45\"}"));
    g_free(socket_ask("{\"op\":\"get\",\"doc\":\"0000\"}"));
    g_free(socket_ask("{\"op\":"));
    g_autoptr(reply) after = get(F.open.port, "/metrics");
    g_assert_cmpint(metric(after->body, ok_search) - metric(before->body, ok_search), ==, N);
    g_assert_cmpint(metric(after->body, bad_query) - metric(before->body, bad_query), ==, 1);
    g_assert_cmpint(metric(after->body, missing) - metric(before->body, missing), ==, 1);
    g_assert_cmpint(metric(after->body, bad_json) - metric(before->body, bad_json), ==, 1);
    g_assert_cmpint(metric(after->body, all) - metric(before->body, all), ==, N + 3);
    g_assert_cmpint(
        metric(after->body, "tracuu_socket_request_duration_seconds_bucket{le=\"+Inf\"}"), ==,
        metric(after->body, all));
    /* The socket's requests are not the HTTP API's: only the first /metrics was added there. */
    g_assert_cmpint(metric(after->body, http_all) - metric(before->body, http_all), ==, 1);
}

/* A wrong token is 401, and a peer that keeps failing waits longer and longer. */
static void
test_bad_token_slowed(void)
{
    require_setup();
    gint64 took[3];
    for (int i = 0; i < 3; i++) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(reply) r = get_as(F.users.port, "/api/stats", "not-a-token-of-anyone");
        took[i] = (g_get_monotonic_time() - t0) / 1000;
        assert_reply(r, 401, "unauthorized");
    }
    g_test_message("failed auths took %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   " ms",
                   took[0], took[1], took[2]);
    g_assert_cmpint(took[1], >=, 200);
    g_assert_cmpint(took[2], >=, 450);
    /* Others (here: the same peer with a good token) are served meanwhile and at once. */
    g_autoptr(reply) ok = get_as(F.users.port, "/api/stats", F.token);
    assert_reply(ok, 200, NULL);
}

/* A SIGHUP that rereads the configuration applies to the next HTTP request: a token
 * removed no longer opens anything, a token added does. */
static void
test_reload(void)
{
    require_setup();
    const char *argv[] = {F.searchd, "--new-token", "binh", NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(run_sync(argv, &out, NULL), ==, 0);
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    g_autofree char *conf =
        g_strdup_printf("[index]\ndb = db\n[searchd]\nhttp = 127.0.0.1:0\nthreads = 2\n"
                        "[access]\ndefault = public\n[user binh]\nlabels = so-noi-vu\n%s\n",
                        lines[1]);
    g_assert_true(g_file_set_contents(F.conf_path, conf, -1, NULL));
    kill(F.users.pid, SIGHUP);
    for (int i = 0; i < 250; i++) {
        g_autofree char *log = read_log(&F.users);
        if (strstr(log, "reloaded"))
            break;
        g_usleep(20000);
    }
    g_autoptr(reply) binh = get_as(F.users.port, "/api/doc/nv", lines[0]);
    assert_reply(binh, 200, NULL);
    g_autoptr(reply) anh = get_as(F.users.port, "/api/doc/tttt", F.token);
    assert_reply(anh, 401, "unauthorized");
}

/* Without users, --http beyond loopback is refused, as --listen is. */
static void
test_remote_refused(void)
{
    require_setup();
    daemon_t d = {0};
    const char *args[] = {"--db", F.db, "--http", "0.0.0.0:0", NULL};
    g_assert_cmpint(start(&d, "remote", args), ==, 1);
    g_autofree char *log = read_log(&d);
    g_assert_nonnull(strstr(log, "refusing to listen on 0.0.0.0:0"));
    g_free(d.log);
}

static void
test_sigterm(void)
{
    require_setup();
    daemon_t *all[] = {&F.open, &F.users};
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++) {
        kill(all[i]->pid, SIGTERM);
        g_assert_cmpint(tracuu_test_wait_exit(all[i]->pid, 20), ==, 0);
        all[i]->pid = 0;
        g_autofree char *log = read_log(all[i]);
        g_assert_nonnull(strstr(log, "stopped"));
    }
    /* The port is closed with it. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((guint16)F.open.port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof sa), !=, 0);
    close(fd);
}

/* ---- setup ---- */

static gboolean
setup(GError **error)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    if (!build || !src) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "TRACUU_BUILD_ROOT and TRACUU_SOURCE_ROOT must be set (meson test does)");
        return FALSE;
    }
    F.indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    F.tmp = g_dir_make_tmp("tracuu-http-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.db = g_build_filename(F.tmp, "db", NULL);
    g_autofree char *archive = g_build_filename(src, "corpus", "archive", NULL);
    g_autofree char *jsonl = g_build_filename(F.tmp, "acl.jsonl", NULL);
    if (!g_file_set_contents(jsonl, acl_jsonl, -1, error))
        return FALSE;
    const char *idx1[] = {F.indexer, "--db", F.db, "-q", archive, NULL};
    const char *idx2[] = {F.indexer, "--db", F.db, "--from-jsonl", jsonl, "-q", NULL};
    g_autofree char *err1 = NULL, *err2 = NULL;
    int st1 = run_sync(idx1, NULL, &err1);
    int st2 = run_sync(idx2, NULL, &err2);
    /* 1: indexed, but some files failed (the corpus holds a few on purpose). */
    if ((st1 != 0 && st1 != 1) || st2 != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer: %d %s / %d %s", st1,
                    err1 ? err1 : "", st2, err2 ? err2 : "");
        return FALSE;
    }

    F.open.sock = g_build_filename(F.tmp, "open.sock", NULL);
    const char *open_args[] = {"--db",        F.db,        "--socket", F.open.sock, "--http",
                               "127.0.0.1:0", "--threads", "2",        NULL};
    if (start(&F.open, "open", open_args) != -1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the open daemon did not start");
        return FALSE;
    }

    const char *argv[] = {F.searchd, "--new-token", "anh", NULL};
    g_autofree char *out = NULL;
    if (run_sync(argv, &out, NULL) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "--new-token failed");
        return FALSE;
    }
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    F.token = g_strdup(lines[0]);
    /* default = public: the unlabelled "pub" is for everyone. */
    g_autofree char *conf2 = g_strdup_printf("[index]\ndb = db\n[searchd]\nhttp = 127.0.0.1:0\n"
                                             "threads = 2\n[access]\ndefault = public\n"
                                             "[user anh]\nlabels = so-tttt\n%s\n",
                                             lines[1]);
    F.conf_path = g_build_filename(F.tmp, "users.conf", NULL);
    F.conf_line = g_strdup(lines[1]);
    if (!g_file_set_contents(F.conf_path, conf2, -1, error))
        return FALSE;
    const char *users_args[] = {"--config", F.conf_path, NULL};
    if (start(&F.users, "users", users_args) != -1) {
        g_autofree char *log = read_log(&F.users);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the users daemon did not start: %s",
                    log);
        return FALSE;
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    setup(&F.setup_error);

    g_test_add_func("/http/healthz and stats", test_healthz_and_stats);
    g_test_add_func("/http/search same as the socket", test_search_same_as_socket);
    g_test_add_func("/http/doc", test_doc);
    g_test_add_func("/http/errors", test_errors);
    g_test_add_func("/http/hostile", test_hostile);
    g_test_add_func("/http/keep-alive", test_keep_alive);
    g_test_add_func("/http/users and invisible documents", test_users);
    g_test_add_func("/http/metrics", test_metrics);
    g_test_add_func("/http/metrics of the socket", test_socket_metrics);
    g_test_add_func("/http/bad token slowed", test_bad_token_slowed);
    g_test_add_func("/http/SIGHUP rereads the users", test_reload);
    g_test_add_func("/http/remote refused without users", test_remote_refused);
    g_test_add_func("/http/SIGTERM", test_sigterm);
    int rc = g_test_run();

    daemon_t *all[] = {&F.open, &F.users};
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++)
        if (all[i]->pid) {
            kill(all[i]->pid, SIGKILL);
            tracuu_test_wait_exit(all[i]->pid, 5);
        }
    if (F.tmp && rc == 0) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", F.tmp);
        if (system(cmd) != 0)
            g_printerr("# could not remove %s\n", F.tmp);
    } else if (F.tmp) {
        g_printerr("# kept %s for a look\n", F.tmp);
    }
    g_clear_error(&F.setup_error);
    g_free(F.conf_path);
    g_free(F.conf_line);
    return rc;
}
