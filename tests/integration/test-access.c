/* test-access.c - tracuu-searchd with a configuration: who the caller is, on every channel. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-client.h"
#include "tracuu-test.h"

/*
 * Two indexes, built once in main() by the real tracuu-indexer: one from corpus/archive (its
 * mail gives participants through the worker), one --from-jsonl with labels and levels
 * (ACL_JSONL); each test starts its own daemon with its own configuration file in the
 * temporary folder.
 */

static struct {
    char *tmp;
    char *db;
    char *acl_db;
    char *client;
    char *searchd;
    GError *setup_error;
} F;

/* "test"'s SHA-256, for users whose token the tests do not use. */
#define OTHER_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* ---- processes ---- */

typedef struct {
    GPid pid;
    char *log;
    char *sock;
    int port;
} daemon_t;

static char *
read_log(const daemon_t *d)
{
    char *text = NULL;
    if (g_file_get_contents(d->log, &text, NULL, NULL))
        return text;
    return g_strdup("");
}

static gboolean
log_has(const daemon_t *d, const char *text, double seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    do {
        g_autofree char *log = read_log(d);
        if (strstr(log, text))
            return TRUE;
        g_usleep(20000);
    } while (g_get_monotonic_time() < end);
    return FALSE;
}

/*
 * Starts tracuu-searchd with the configuration @conf_text (written to NAME.conf; NULL: no
 * --config) and @extra arguments, and waits until it listens (or exits: then d->pid is 0 and
 * the exit status is returned). Returns -1 when it is up.
 */
static int
start(daemon_t *d, const char *name, const char *conf_text, const char *const *extra)
{
    memset(d, 0, sizeof *d);
    d->log = g_strdup_printf("%s/%s.log", F.tmp, name);
    d->sock = g_strdup_printf("%s/%s.sock", F.tmp, name);
    g_autofree char *conf = g_strdup_printf("%s/%s.conf", F.tmp, name);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, F.searchd);
    if (conf_text) {
        g_assert_true(g_file_set_contents(conf, conf_text, -1, NULL));
        g_ptr_array_add(argv, (char *)"--config");
        g_ptr_array_add(argv, conf);
    }
    g_ptr_array_add(argv, (char *)"--threads");
    g_ptr_array_add(argv, (char *)"2");
    for (gsize i = 0; extra && extra[i]; i++)
        g_ptr_array_add(argv, (char *)extra[i]);
    g_ptr_array_add(argv, NULL);
    int errfd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_async_with_pipes_and_fds(
        F.tmp, (const char *const *)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
        tracuu_test_die_with_parent, NULL, -1, -1, errfd, NULL, NULL, 0, &d->pid, NULL, NULL, NULL,
        &error));
    close(errfd);
    g_assert_no_error(error);
    gboolean want_tcp = conf_text && strstr(conf_text, "listen =") != NULL;
    for (gsize i = 0; extra && extra[i]; i++)
        want_tcp = want_tcp || strcmp(extra[i], "--listen") == 0;
    const char *ready = want_tcp ? "listening on tcp:" : "listening on unix:";
    for (int i = 0; i < 600; i++) {
        int st = tracuu_test_wait_exit(d->pid, 0.05);
        if (st >= 0) {
            d->pid = 0;
            return st;
        }
        g_autofree char *log = read_log(d);
        if (strstr(log, ready))
            break;
    }
    /* The port is the last number of the tcp line. */
    g_autofree char *log = read_log(d);
    char *tcp = strstr(log, "listening on tcp:");
    if (tcp) {
        tcp[strcspn(tcp, "\n")] = '\0';
        d->port = atoi(strrchr(tcp, ':') + 1);
    }
    return -1;
}

static void
stop(daemon_t *d)
{
    if (d->pid) {
        kill(d->pid, SIGTERM);
        g_assert_cmpint(tracuu_test_wait_exit(d->pid, 20), ==, 0);
    }
    g_free(d->log);
    g_free(d->sock);
}

/* ---- clients ---- */

/* The error code of the answer to @request, or "ok". */
static char *
ask_code(tracuu_test_client *c, const char *request)
{
    g_autoptr(JsonObject) o = tracuu_test_client_ask(c, request);
    if (json_object_get_boolean_member_with_default(o, "ok", FALSE))
        return g_strdup("ok");
    JsonObject *e = json_object_get_object_member(o, "error");
    return g_strdup(json_object_get_string_member(e, "code"));
}

static void
assert_code(tracuu_test_client *c, const char *request, const char *want)
{
    g_autofree char *got = ask_code(c, request);
    g_test_message("%s -> %s", request, got);
    g_assert_cmpstr(got, ==, want);
}

static char *
auth_request(const char *token)
{
    return g_strdup_printf("{\"op\":\"auth\",\"token\":\"%s\"}", token);
}

static void
require_setup(void)
{
    g_assert_no_error(F.setup_error);
}

/* ---- tests ---- */

/* TCP: nothing but ping and auth before a good token; a bad token changes nothing. */
static void
test_tcp_auth(void)
{
    require_setup();
    g_autofree char *token = NULL, *line = NULL;
    tracuu_test_new_token(F.searchd, "anh", &token, &line);
    g_autofree char *conf = g_strdup_printf("[index]\ndb = db\n[searchd]\nlisten = 127.0.0.1:0\n"
                                            "[user anh]\nlabels = so-tttt\n%s\n"
                                            "[user bao]\ntoken-sha256 = " OTHER_HASH "\n",
                                            line);
    daemon_t d;
    g_assert_cmpint(start(&d, "tcp", conf, NULL), ==, -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(d.port);
    assert_code(c, "{\"op\":\"ping\"}", "ok");
    assert_code(c, "{\"op\":\"search\",\"q\":\"văn bản\"}", "unauthorized");
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    assert_code(c, "{\"op\":\"get\",\"doc\":\"8df016f95ec26fbc\"}", "unauthorized");
    assert_code(c, "{\"op\":\"nonsense\"}", "unauthorized");
    assert_code(c, "{\"op\":\"auth\"}", "bad_request");
    g_autofree char *bad = auth_request("not-the-token");
    assert_code(c, bad, "unauthorized");
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    /* The right token: the answer names the user, with the id echoed. */
    g_autofree char *good = g_strdup_printf("{\"id\":5,\"op\":\"auth\",\"token\":\"%s\"}", token);
    g_autofree char *answer = tracuu_test_client_ask_line(c, good);
    g_assert_cmpstr(answer, ==, "{\"id\":5,\"ok\":true,\"user\":\"anh\"}");
    assert_code(c, "{\"op\":\"stats\"}", "ok");
    assert_code(c, "{\"op\":\"search\",\"q\":\"văn bản\"}", "ok");
    /* A later bad token takes the identity away again. */
    assert_code(c, bad, "unauthorized");
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    /* A token is per daemon, not per connection: a second connection uses it too. */
    g_autoptr(tracuu_test_client) c2 = tracuu_test_client_new_tcp(d.port);
    g_autofree char *plain = auth_request(token);
    g_autofree char *a2 = tracuu_test_client_ask_line(c2, plain);
    g_assert_cmpstr(a2, ==, "{\"ok\":true,\"user\":\"anh\"}");
    assert_code(c2, "{\"op\":\"get\",\"doc\":\"0000000000000000\"}", "not_found");

    /* Audit: the failure with the peer, the get with user and document; never a token. */
    g_assert_true(log_has(&d, "authentication failed", 5));
    g_assert_true(log_has(&d, "peer=127.0.0.1:", 5));
    g_assert_true(log_has(&d, "user=anh code=not_found audit=get doc=0000000000000000", 5));
    g_assert_true(log_has(&d, "authenticated as anh", 5));
    g_autofree char *log = read_log(&d);
    g_assert_null(strstr(log, token));
    g_assert_null(strstr(log, "not-the-token"));
    stop(&d);
}

/* Failed tokens from one peer are answered later and later; others are not held up. */
static void
test_failures_slowed(void)
{
    require_setup();
    static const char conf[] = "[index]\ndb = db\n[searchd]\nlisten = 127.0.0.1:0\n"
                               "[user bao]\ntoken-sha256 = " OTHER_HASH "\n";
    daemon_t d;
    g_assert_cmpint(start(&d, "slow", conf, NULL), ==, -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(d.port);
    g_autoptr(tracuu_test_client) other = tracuu_test_client_new_tcp(d.port);
    double took[5];
    for (int i = 0; i < 5; i++) {
        gint64 t0 = g_get_monotonic_time();
        if (i == 4) {
            /* While the fifth waits (2 s), another connection is answered at once. */
            const char *req = "{\"op\":\"auth\",\"token\":\"guess-4\"}\n";
            g_assert_cmpint(send(c->fd, req, strlen(req), MSG_NOSIGNAL), >, 0);
            g_usleep(100000);
            gint64 p0 = g_get_monotonic_time();
            assert_code(other, "{\"op\":\"ping\"}", "ok");
            g_assert_cmpint(g_get_monotonic_time() - p0, <, 500000);
            g_autofree char *a = tracuu_test_client_recv_line(c, 30000);
            g_assert_nonnull(strstr(a, "unauthorized"));
        } else {
            g_autofree char *req = g_strdup_printf("{\"op\":\"auth\",\"token\":\"guess-%d\"}", i);
            assert_code(c, req, "unauthorized");
        }
        took[i] = (double)(g_get_monotonic_time() - t0) / 1e6;
        g_test_message("failure %d answered after %.3f s", i + 1, took[i]);
    }
    g_assert_cmpfloat(took[0], <, 0.2);
    g_assert_cmpfloat(took[2], >=, 0.45);
    g_assert_cmpfloat(took[3], >=, 0.95);
    g_assert_cmpfloat(took[4], >=, 1.9);
    stop(&d);
}

/* The Unix socket knows its caller by uid; a caller whose uid no user names authenticates. */
static void
test_peer_cred(void)
{
    require_setup();
    g_autofree char *token = NULL, *line = NULL;
    tracuu_test_new_token(F.searchd, "khach", &token, &line);
    g_autofree char *mapped = g_strdup_printf(
        "[index]\ndb = db\n[user me]\nunix-uid = %u\nlabels = van-phong\n[user khach]\n%s\n",
        (unsigned)getuid(), line);
    daemon_t d;
    const char *sock_args[] = {"--socket", "mapped.sock", NULL};
    g_assert_cmpint(start(&d, "mapped", mapped, sock_args), ==, -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_wait_unix(d.sock);
    assert_code(c, "{\"op\":\"stats\"}", "ok");
    assert_code(c, "{\"op\":\"get\",\"doc\":\"0000000000000000\"}", "not_found");
    g_autofree char *uid_field = g_strdup_printf("peer=unix:uid=%u user=me", (unsigned)getuid());
    g_assert_true(log_has(&d, uid_field, 5));
    stop(&d);

    /* The same socket when our uid is not mapped: as on TCP. */
    g_autofree char *unmapped =
        g_strdup_printf("[index]\ndb = db\n[user other]\nunix-uid = %u\n[user khach]\n%s\n",
                        (unsigned)getuid() + 4242, line);
    const char *sock2[] = {"--socket", "unmapped.sock", NULL};
    g_assert_cmpint(start(&d, "unmapped", unmapped, sock2), ==, -1);
    g_autoptr(tracuu_test_client) u = tracuu_test_client_wait_unix(d.sock);
    assert_code(u, "{\"op\":\"ping\"}", "ok");
    assert_code(u, "{\"op\":\"stats\"}", "unauthorized");
    g_autofree char *good = auth_request(token);
    g_autofree char *answer = tracuu_test_client_ask_line(u, good);
    g_assert_cmpstr(answer, ==, "{\"ok\":true,\"user\":\"khach\"}");
    assert_code(u, "{\"op\":\"stats\"}", "ok");
    stop(&d);
}

/* No users: the local owner, as before issue 10, on the Unix socket and loopback TCP. */
static void
test_no_users(void)
{
    require_setup();
    daemon_t d;
    const char *args[] = {"--socket", "owner.sock", "--listen", "127.0.0.1:0", NULL};
    g_assert_cmpint(start(&d, "owner", "[index]\ndb = db\n", args), ==, -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_wait_unix(d.sock);
    assert_code(c, "{\"op\":\"stats\"}", "ok");
    g_autoptr(tracuu_test_client) t = tracuu_test_client_new_tcp(d.port);
    assert_code(t, "{\"op\":\"stats\"}", "ok");
    /* There is no token to give: auth fails, and the owner stays the owner. */
    assert_code(t, "{\"op\":\"auth\",\"token\":\"x\"}", "unauthorized");
    assert_code(t, "{\"op\":\"stats\"}", "ok");
    g_assert_true(log_has(&d, "anonymous-local-owner", 5));
    stop(&d);
}

static unsigned
mode_of(const char *path, gid_t *gid)
{
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);
    if (gid)
        *gid = st.st_gid;
    return st.st_mode & 07777;
}

/* 0600 without a group, 0660 and the group with one, whatever the umask; never o+rw. */
static void
test_socket_mode(void)
{
    require_setup();
    daemon_t d;
    mode_t old = umask(0);
    const char *args[] = {"--socket", "m1.sock", NULL};
    g_assert_cmpint(start(&d, "m1", "[index]\ndb = db\n", args), ==, -1);
    g_autoptr(tracuu_test_client) c1 = tracuu_test_client_wait_unix(d.sock);
    g_assert_cmpuint(mode_of(d.sock, NULL), ==, 0600);
    stop(&d);

    /* Our own primary group: the one group a test may give a file to without root. */
    gid_t want = getgid(), got = 0;
    struct group *gr = getgrgid(want);
    g_autofree char *name = g_strdup(gr ? gr->gr_name : NULL);
    g_autofree char *conf = g_strdup_printf("[index]\ndb = db\n[searchd]\nsocket = m2.sock\n"
                                            "socket-group = %s\n",
                                            name ? name : "");
    if (!name) {
        g_free(conf);
        conf = g_strdup_printf("[index]\ndb = db\n[searchd]\nsocket = m2.sock\n"
                               "socket-group = %u\n",
                               (unsigned)want);
    }
    g_assert_cmpint(start(&d, "m2", conf, NULL), ==, -1);
    g_autoptr(tracuu_test_client) c2 = tracuu_test_client_wait_unix(d.sock);
    g_assert_cmpuint(mode_of(d.sock, &got), ==, 0660);
    g_assert_cmpuint(got, ==, want);
    stop(&d);

    /* --socket-mode overrides, and a mode open to others is refused in the file too. */
    const char *mode_args[] = {"--socket-mode", "0640", NULL};
    g_assert_cmpint(start(&d, "m2", conf, mode_args), ==, -1);
    g_autoptr(tracuu_test_client) c3 = tracuu_test_client_wait_unix(d.sock);
    g_assert_cmpuint(mode_of(d.sock, NULL), ==, 0640);
    stop(&d);
    g_assert_cmpint(start(&d, "m3",
                          "[index]\ndb = db\n[searchd]\nsocket = m3.sock\nsocket-mode = 0666\n",
                          NULL),
                    ==, 1);
    g_autofree char *log = read_log(&d);
    g_assert_nonnull(strstr(log, "m3.conf:5:"));
    stop(&d);
    umask(old);
}

/* Without users, only loopback unless allow-remote; with users, auth makes it safe. */
static void
test_remote_listen(void)
{
    require_setup();
    daemon_t d;
    const char *any[] = {"--listen", "0.0.0.0:0", NULL};
    g_assert_cmpint(start(&d, "r1", "[index]\ndb = db\n", any), ==, 1);
    g_autofree char *log = read_log(&d);
    g_test_message("%s", log);
    g_assert_nonnull(strstr(log, "refusing to listen on 0.0.0.0:0"));
    g_assert_nonnull(strstr(log, "allow-remote"));
    stop(&d);

    g_assert_cmpint(start(&d, "r2", "[index]\ndb = db\n[searchd]\nallow-remote = true\n", any), ==,
                    -1);
    g_assert_cmpint(d.port, >, 0);
    stop(&d);

    g_assert_cmpint(
        start(&d, "r3", "[index]\ndb = db\n[user bao]\ntoken-sha256 = " OTHER_HASH "\n", any), ==,
        -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(d.port);
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    stop(&d);
}

typedef struct {
    const char *name;
    const char *conf;  /* "%s" is the test folder */
    const char *map;   /* written to NAME.map when not NULL */
    const char *where; /* in the message: "NAME.conf:LINE:" */
} bad_case;

static const bad_case bad_cases[] = {
    {"b1", "[index]\ndb = db\n[searchd]\nsockets = x\n", NULL, "b1.conf:4: unknown key"},
    {"b2", "[index]\ndb = db\n[user anh]\n[user anh]\n", NULL, "b2.conf:4: duplicate user"},
    {"b3", "[index]\ndb = db\n[access]\nmap = b3.map\n", "/srv/a a\n/srv/[b b\n",
     "b3.conf:4: map = "},
    {"b4", "[index]\ndb = db\n[access]\nmap = missing.map\n", NULL, "b4.conf:4: map = "},
    {"b5", "[index]\ndb = db\n\n[user a]\nclearance = high\n", NULL, "b5.conf:5:"},
};

/* A bad configuration stops the daemon at start, saying where. */
static void
test_bad_config(void)
{
    require_setup();
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const bad_case *b = &bad_cases[i];
        if (b->map) {
            g_autofree char *map = g_strdup_printf("%s/%s.map", F.tmp, b->name);
            g_assert_true(g_file_set_contents(map, b->map, -1, NULL));
        }
        daemon_t d;
        const char *args[] = {"--socket", "bad.sock", NULL};
        g_assert_cmpint(start(&d, b->name, b->conf, args), ==, 1);
        g_autofree char *log = read_log(&d);
        g_test_message("%s: %s", b->name, log);
        g_assert_nonnull(strstr(log, b->where));
        if (b->map)
            g_assert_nonnull(strstr(log, ".map:2: bad glob"));
        stop(&d);
    }
    /* An unreadable file: its name. */
    daemon_t d;
    g_autofree char *missing = g_strdup_printf("%s/none.conf", F.tmp);
    const char *args[] = {"--config", missing, "--socket", "bad.sock", NULL};
    g_assert_cmpint(start(&d, "b6", NULL, args), ==, 1);
    g_autofree char *log = read_log(&d);
    g_autofree char *want = g_strdup_printf("%s: cannot read", missing);
    g_assert_nonnull(strstr(log, want));
    stop(&d);
}

/* SIGHUP reads the file again: a replaced token no longer works on an open connection; a
 * bad file is logged and the one in use kept. */
static void
test_reload(void)
{
    require_setup();
    g_autofree char *t1 = NULL, *l1 = NULL, *t2 = NULL, *l2 = NULL;
    tracuu_test_new_token(F.searchd, "anh", &t1, &l1);
    tracuu_test_new_token(F.searchd, "anh", &t2, &l2);
    g_autofree char *conf1 =
        g_strdup_printf("[index]\ndb = db\n[searchd]\nlisten = 127.0.0.1:0\n[user anh]\n%s\n", l1);
    daemon_t d;
    g_assert_cmpint(start(&d, "hup", conf1, NULL), ==, -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(d.port);
    g_autofree char *a1 = auth_request(t1);
    assert_code(c, a1, "ok");
    assert_code(c, "{\"op\":\"stats\"}", "ok");

    /* A bad file: nothing changes. */
    g_autofree char *path = g_strdup_printf("%s/hup.conf", F.tmp);
    g_assert_true(g_file_set_contents(path, "[index]\ndb = db\n[user anh]\nbogus = 1\n", -1, NULL));
    kill(d.pid, SIGHUP);
    g_assert_true(log_has(&d, "configuration not reloaded", 10));
    g_assert_true(log_has(&d, "hup.conf:4: unknown key", 1));
    assert_code(c, "{\"op\":\"stats\"}", "ok");

    /* The token replaced: the connection that used the old one is out; the new one works. */
    g_autofree char *conf2 =
        g_strdup_printf("[index]\ndb = db\n[searchd]\nlisten = 127.0.0.1:0\n[user anh]\n%s\n", l2);
    g_assert_true(g_file_set_contents(path, conf2, -1, NULL));
    kill(d.pid, SIGHUP);
    g_assert_true(log_has(&d, "hup.conf reloaded: 1 users", 10));
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    assert_code(c, a1, "unauthorized");
    g_autofree char *a2 = auth_request(t2);
    assert_code(c, a2, "ok");
    assert_code(c, "{\"op\":\"stats\"}", "ok");
    stop(&d);
}

/* A listener beyond loopback is never left open to everyone by a reload that drops the users. */
static void
test_reload_keeps_remote_safe(void)
{
    require_setup();
    daemon_t d;
    const char *any[] = {"--listen", "0.0.0.0:0", NULL};
    g_assert_cmpint(
        start(&d, "hup2", "[index]\ndb = db\n[user bao]\ntoken-sha256 = " OTHER_HASH "\n", any), ==,
        -1);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(d.port);
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    g_autofree char *path = g_strdup_printf("%s/hup2.conf", F.tmp);
    g_assert_true(g_file_set_contents(path, "[index]\ndb = db\n", -1, NULL));
    kill(d.pid, SIGHUP);
    g_assert_true(log_has(&d, "configuration not reloaded", 10));
    g_assert_true(log_has(&d, "has no user and listens beyond loopback", 1));
    assert_code(c, "{\"op\":\"stats\"}", "unauthorized");
    stop(&d);
}

/* --new-token: a different token each time, and only for a valid user name. */
static void
test_new_token(void)
{
    require_setup();
    g_autofree char *t1 = NULL, *l1 = NULL, *t2 = NULL, *l2 = NULL;
    tracuu_test_new_token(F.searchd, "anh", &t1, &l1);
    tracuu_test_new_token(F.searchd, "anh", &t2, &l2);
    g_assert_cmpstr(t1, !=, t2);
    g_assert_cmpstr(l1, !=, l2);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, t1, -1);
    g_assert_nonnull(strstr(l1, sum));
    static const char *const bad[] = {"a b", "", "anonymous-local-owner", "x/y"};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *argv[] = {F.searchd, "--new-token", bad[i], NULL};
        g_autofree char *out = NULL, *err = NULL;
        int status = -1;
        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   &err, &status, NULL));
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
        g_assert_cmpstr(out, ==, "");
    }
}

/*
 * SIGTERM while many connections have requests in flight: the events of one epoll batch may
 * be for connections the signal's shutdown already freed (a use after free, seen under ASan,
 * before the loop checked each event's pointer against the live set). Exit 0, every round.
 */
static void
test_sigterm_with_traffic(void)
{
    require_setup();
    for (int round = 0; round < 8; round++) {
        daemon_t d;
        const char *args[] = {"--socket", "busy.sock", NULL};
        g_assert_cmpint(start(&d, "busy", "[index]\ndb = db\n", args), ==, -1);
        int fds[64];
        for (int i = 0; i < 64; i++)
            fds[i] = tracuu_test_connect_unix(d.sock);
        for (int i = 0; i < 64; i++)
            g_assert_cmpint(fds[i], >=, 0);
        g_usleep(100000); /* all accepted and idle */
        const char *req = "{\"op\":\"ping\"}\n";
        for (int i = 0; i < 32; i++)
            g_assert_cmpint(send(fds[i], req, strlen(req), MSG_NOSIGNAL), >, 0);
        kill(d.pid, SIGTERM);
        for (int i = 32; i < 64; i++)
            send(fds[i], req, strlen(req), MSG_NOSIGNAL);
        g_assert_cmpint(tracuu_test_wait_exit(d.pid, 30), ==, 0);
        d.pid = 0;
        for (int i = 0; i < 64; i++)
            close(fds[i]);
        stop(&d);
    }
}

/* ---- what each user sees ---- */

/*
 * Public, unit-only (two units), secret (mat, toi-mat) and mail documents. Every one has
 * "thông báo"; "phượng" is only in toimat (the word no one else may find, snippet or guess);
 * toimat cites pub's number, mat has a number of its own.
 */
static const char acl_jsonl[] =
    "{\"id\":\"pub\",\"number\":\"30/2020/NĐ-CP\",\"doc_type\":\"Nghị định\","
    "\"text\":\"Thông báo chung về công tác văn thư.\"}\n"
    "{\"id\":\"tttt\",\"access\":[\"so-tttt\"],\"doc_type\":\"Công văn\","
    "\"text\":\"Thông báo của Sở Thông tin và Truyền thông.\"}\n"
    "{\"id\":\"nv\",\"access\":[\"so-noi-vu\"],\"doc_type\":\"Công văn\","
    "\"text\":\"Thông báo của Sở Nội vụ.\"}\n"
    "{\"id\":\"mat\",\"access\":[\"so-tttt\"],\"secrecy\":\"mat\",\"number\":\"12/QĐ-STTTT\","
    "\"doc_type\":\"Quyết định\",\"text\":\"Thông báo mật về mạng.\"}\n"
    "{\"id\":\"toimat\",\"access\":[\"so-tttt\"],\"secrecy\":\"toi-mat\","
    "\"doc_type\":\"Tờ trình\",\"cites\":[\"30/2020/NĐ-CP\"],"
    "\"text\":\"Thông báo tối mật: chim phượng hoàng.\"}\n"
    "{\"id\":\"mail\",\"access\":[\"van-thu\"],\"from\":\"Vân <van@x.vn>\","
    "\"to\":\"Chi <Chi@X.vn>\",\"subject\":\"Thông báo họp\",\"text\":\"Thông báo họp tuần.\"}\n";

/* A bad label or level is a bad line with a clear reason, not a document. */
static const char acl_bad_jsonl[] =
    "{\"id\":\"b1\",\"access\":[\"So TTTT\"],\"text\":\"x\"}\n"
    "{\"id\":\"b2\",\"secrecy\":\"secret\",\"text\":\"x\"}\n";

static JsonObject *
ask_json(tracuu_test_client *c, const char *request)
{
    g_autofree char *answer = tracuu_test_client_ask_line(c, request);
    JsonNode *node = json_from_string(answer, NULL);
    g_assert_nonnull(node);
    JsonObject *o = json_object_ref(json_node_get_object(node));
    json_node_unref(node);
    return o;
}

static int
cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted ids of the hits of @resp, comma-separated; checks that the total and the
 * counts of every facet add up to them and that every hit has a snippet. */
static char *
visible_ids(JsonObject *resp)
{
    g_assert_true(json_object_get_boolean_member(resp, "ok"));
    JsonArray *hits = json_object_get_array_member(resp, "hits");
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        JsonObject *h = json_array_get_object_element(hits, i);
        g_ptr_array_add(ids, (gpointer)json_object_get_string_member(h, "id"));
        g_assert_cmpstr(json_object_get_string_member(h, "snippet"), !=, "");
    }
    g_ptr_array_sort(ids, cmp_strp);
    g_assert_cmpint(json_object_get_int_member(resp, "total"), ==, ids->len);
    JsonObject *facets = json_object_get_object_member(resp, "facets");
    GList *names = json_object_get_members(facets);
    for (GList *l = names; l != NULL; l = l->next) {
        JsonObject *counts = json_object_get_object_member(facets, l->data);
        GList *values = json_object_get_members(counts);
        gint64 sum = 0;
        for (GList *v = values; v != NULL; v = v->next)
            sum += json_object_get_int_member(counts, v->data);
        g_list_free(values);
        /* kind and doc_type: every document here has one of each but the mail's type. */
        if (strcmp(l->data, "kind") == 0)
            g_assert_cmpint(sum, ==, ids->len);
        else
            g_assert_cmpint(sum, <=, ids->len);
    }
    g_list_free(names);
    g_ptr_array_add(ids, NULL);
    return g_strjoinv(",", (char **)ids->pdata);
}

static char *
search_ids(tracuu_test_client *c, const char *q)
{
    g_autofree char *req = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":50,"
                                           "\"facets\":[\"kind\",\"doc_type\",\"year\"]}",
                                           q);
    g_autoptr(JsonObject) r = ask_json(c, req);
    return visible_ids(r);
}

/* The whole answer of a get, with the id replaced by X: what must not differ by id. */
static char *
get_shape(tracuu_test_client *c, const char *id)
{
    g_autofree char *req = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}", id);
    g_autofree char *answer = tracuu_test_client_ask_line(c, req);
    g_auto(GStrv) parts = g_strsplit(answer, id, -1);
    return g_strjoinv("X", parts);
}

static void
test_who_sees_what(void)
{
    require_setup();
    const char *users[] = {"anh", "binh", "chi", "root"};
    char *tokens[4], *lines[4];
    for (int i = 0; i < 4; i++)
        tracuu_test_new_token(F.searchd, users[i], &tokens[i], &lines[i]);
    g_autofree char *conf = g_strdup_printf(
        "[index]\ndb = acl-db\n[searchd]\nsocket = acl.sock\nlisten = 127.0.0.1:0\n"
        "[access]\ndefault = public\n"
        "[user anh]\nlabels = so-tttt\nclearance = mat\n%s\n"
        "[user binh]\nlabels = so-noi-vu\n%s\n"
        "[user chi]\nemails = chi@x.vn\n%s\n"
        "[user root]\nadmin = true\n%s\n",
        lines[0], lines[1], lines[2], lines[3]);
    daemon_t d;
    g_assert_cmpint(start(&d, "acl", conf, NULL), ==, -1);
    static const struct {
        const char *sees;      /* "thông báo": every document it may see */
        const char *phuong;    /* the word only in toimat */
        const char *cites_pub; /* cites:30/2020/NĐ-CP */
        const char *number_mat; /* number:12/QĐ-STTTT */
        gint64 docs;
    } want[] = {
        {"mat,pub,tttt", "", "", "mat", 3},  /* anh: a unit, cleared for mat */
        {"nv,pub", "", "", "", 2},           /* binh: the other unit */
        {"mail,pub", "", "", "", 2},         /* chi: a participant only */
        {"mail,mat,nv,pub,toimat,tttt", "toimat", "toimat", "mat", 6}, /* root: an admin */
    };
    tracuu_test_client *cs[4];
    for (int i = 0; i < 4; i++) {
        cs[i] = tracuu_test_client_new_tcp(d.port);
        g_autofree char *auth = auth_request(tokens[i]);
        assert_code(cs[i], auth, "ok");
    }
    g_autofree char *missing_shape = get_shape(cs[0], "no-such-doc");
    for (int i = 0; i < 4; i++) {
        g_test_message("user %s", users[i]);
        g_autofree char *sees = search_ids(cs[i], "thông báo");
        g_assert_cmpstr(sees, ==, want[i].sees);
        /* Accent-free too: the accent guess reads only visible hits. */
        g_autofree char *sees_folded = search_ids(cs[i], "thong bao");
        g_assert_cmpstr(sees_folded, ==, want[i].sees);
        g_autofree char *phuong = search_ids(cs[i], "phượng");
        g_assert_cmpstr(phuong, ==, want[i].phuong);
        g_autofree char *phuong_folded = search_ids(cs[i], "phuong hoang");
        g_assert_cmpstr(phuong_folded, ==, want[i].phuong);
        g_autofree char *cites = search_ids(cs[i], "cites:30/2020/NĐ-CP");
        g_assert_cmpstr(cites, ==, want[i].cites_pub);
        g_autofree char *number = search_ids(cs[i], "number:12/QĐ-STTTT");
        g_assert_cmpstr(number, ==, want[i].number_mat);
        g_autofree char *sorted = search_ids(cs[i], "thông báo sort:date");
        (void)sorted;
        /* Sorted by date, the same set. */
        g_autoptr(JsonObject) by_date = ask_json(
            cs[i], "{\"op\":\"search\",\"q\":\"thông báo\",\"sort\":\"-date\",\"limit\":50}");
        g_autofree char *by_date_ids = visible_ids(by_date);
        g_assert_cmpstr(by_date_ids, ==, want[i].sees);

        /* get: ids copied from the admin's answer are not found, exactly as a missing one. */
        g_auto(GStrv) visible = g_strsplit(want[i].sees, ",", -1);
        g_auto(GStrv) all = g_strsplit(want[3].sees, ",", -1);
        for (int k = 0; all[k] != NULL; k++) {
            g_autofree char *shape = get_shape(cs[i], all[k]);
            if (g_strv_contains((const char *const *)visible, all[k]))
                g_assert_true(g_str_has_prefix(shape, "{\"ok\":true"));
            else
                g_assert_cmpstr(shape, ==, missing_shape);
        }
        g_autoptr(JsonObject) st = ask_json(cs[i], "{\"op\":\"stats\"}");
        g_assert_cmpint(json_object_get_int_member(st, "docs"), ==, want[i].docs);
        JsonObject *kinds = json_object_get_object_member(st, "kinds");
        g_assert_cmpint(json_object_get_int_member(kinds, "json"), ==, want[i].docs);
    }
    /* Labels and level in hits and get, for those who see them. */
    g_autofree char *mat = tracuu_test_client_ask_line(cs[0], "{\"op\":\"get\",\"doc\":\"mat\"}");
    g_assert_nonnull(strstr(mat, "\"access\":[\"so-tttt\"]"));
    g_assert_nonnull(strstr(mat, "\"secrecy\":\"mat\""));
    g_autofree char *hit = tracuu_test_client_ask_line(cs[0], "{\"op\":\"search\",\"q\":\"mạng\"}");
    g_assert_nonnull(strstr(hit, "\"secrecy\":\"mat\""));

    /* The client sends the token first: from $TRACUU_TOKEN, --token-file and --token. */
    g_autofree char *tok_file = g_build_filename(F.tmp, "anh.token", NULL);
    g_autofree char *tok_text = g_strconcat(tokens[0], "\n", NULL);
    g_assert_true(g_file_set_contents(tok_file, tok_text, -1, NULL));
    g_autofree char *sock = g_strdup(d.sock);
    for (int way = 0; way < 4; way++) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_ptr_array_add(argv, F.client);
        g_ptr_array_add(argv, (char *)"search");
        g_ptr_array_add(argv, (char *)"--json");
        g_ptr_array_add(argv, (char *)"--socket");
        g_ptr_array_add(argv, sock);
        g_autofree char *tok_arg = g_strconcat("--token=", tokens[0], NULL);
        if (way == 1) {
            g_ptr_array_add(argv, (char *)"--token-file");
            g_ptr_array_add(argv, tok_file);
        } else if (way == 2) {
            g_ptr_array_add(argv, tok_arg);
        }
        g_ptr_array_add(argv, (char *)"thông");
        g_ptr_array_add(argv, NULL);
        g_auto(GStrv) env = g_get_environ();
        env = g_environ_unsetenv(env, "TRACUU_TOKEN");
        if (way == 0)
            env = g_environ_setenv(env, "TRACUU_TOKEN", tokens[0], TRUE);
        g_autofree char *out = NULL, *err = NULL;
        int status = -1;
        g_autoptr(GError) error = NULL;
        g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
        g_assert_no_error(error);
        g_test_message("client way %d: %s %s", way, out, err);
        if (way == 3) { /* no token: the uid names no user */
            g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
            g_assert_nonnull(strstr(out, "unauthorized"));
            continue;
        }
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_autoptr(JsonNode) n = json_from_string(out, NULL);
        g_assert_nonnull(n);
        g_autofree char *ids = visible_ids(json_node_get_object(n));
        g_assert_cmpstr(ids, ==, want[0].sees);
    }
    for (int i = 0; i < 4; i++) {
        tracuu_test_client_free(cs[i]);
        g_free(tokens[i]);
        g_free(lines[i]);
    }
    stop(&d);
}

/* Mail from the real indexer: a message's participants see it and everything it carries. */
static void
test_mail_participants(void)
{
    require_setup();
    g_autofree char *token = NULL, *line = NULL, *rtoken = NULL, *rline = NULL;
    tracuu_test_new_token(F.searchd, "lanh", &token, &line);
    tracuu_test_new_token(F.searchd, "root", &rtoken, &rline);
    g_autofree char *conf = g_strdup_printf(
        "[index]\ndb = db\n[searchd]\nlisten = 127.0.0.1:0\n[access]\ndefault = deny\n"
        "[user lanh]\nemails = lanhdao@nghean.gov.vn\n%s\n[user root]\nadmin = true\n%s\n",
        line, rline);
    daemon_t d;
    g_assert_cmpint(start(&d, "mail", conf, NULL), ==, -1);
    g_autoptr(tracuu_test_client) root = tracuu_test_client_new_tcp(d.port);
    g_autofree char *ra = auth_request(rtoken);
    assert_code(root, ra, "ok");
    g_autoptr(JsonObject) m =
        ask_json(root, "{\"op\":\"search\",\"q\":\"to:lanhdao@nghean.gov.vn\"}");
    g_autofree char *msg = visible_ids(m);
    g_assert_cmpuint(strlen(msg), ==, 16); /* one message, a file's id */
    /* Its attachments and theirs: a forwarded message and the document it carries. */
    g_autofree char *q = g_strdup_printf("{\"op\":\"search\",\"q\":\"id:%s OR parent:%s OR "
                                         "parent:%s/1\",\"limit\":50}",
                                         msg, msg, msg);
    g_autoptr(JsonObject) fam = ask_json(root, q);
    g_autofree char *family = visible_ids(fam);
    g_autofree char *want_family = g_strdup_printf("%s,%s/1,%s/1/1", msg, msg, msg);
    g_assert_cmpstr(family, ==, want_family);
    g_autoptr(tracuu_test_client) c = tracuu_test_client_new_tcp(d.port);
    g_autofree char *a = auth_request(token);
    assert_code(c, a, "ok");
    /* default = deny: nothing but that mail, whatever is asked. */
    g_autoptr(JsonObject) all = ask_json(c, "{\"op\":\"search\",\"q\":\"văn bản OR thư OR "
                                            "quyết định OR tờ trình\",\"limit\":50}");
    g_autofree char *seen = visible_ids(all);
    g_auto(GStrv) fam_ids = g_strsplit(family, ",", -1);
    g_auto(GStrv) seen_ids = g_strsplit(seen, ",", -1);
    g_assert_cmpuint(g_strv_length(seen_ids), >, 0);
    for (int i = 0; seen_ids[i] != NULL; i++)
        g_assert_true(g_strv_contains((const char *const *)fam_ids, seen_ids[i]));
    g_autoptr(JsonObject) st = ask_json(c, "{\"op\":\"stats\"}");
    g_assert_cmpint(json_object_get_int_member(st, "docs"), ==, 3);
    for (int i = 0; fam_ids[i] != NULL; i++) {
        g_autofree char *req = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}", fam_ids[i]);
        assert_code(c, req, "ok");
    }
    stop(&d);
}

/* ---- main ---- */

static gboolean
setup(GError **error)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    if (!build || !src) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "run through meson test");
        return FALSE;
    }
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    F.client = g_build_filename(build, "client", "tracuu", NULL);
    g_autofree char *indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.tmp = g_dir_make_tmp("tracuu-access-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.db = g_build_filename(F.tmp, "db", NULL);
    g_autofree char *archive = g_build_filename(src, "corpus", "archive", NULL);
    const char *argv[] = {indexer, "--db", F.db, "-q", archive, NULL};
    int status = -1;
    g_autofree char *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status,
                      error))
        return FALSE;
    int st = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (st != 0 && st != 1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer exited with %d: %s", st,
                    err ? err : "");
        return FALSE;
    }
    /* The labelled index; the bad lines are refused with a clear reason. */
    F.acl_db = g_build_filename(F.tmp, "acl-db", NULL);
    g_autofree char *jsonl = g_build_filename(F.tmp, "acl.jsonl", NULL);
    g_autofree char *all = g_strconcat(acl_jsonl, acl_bad_jsonl, NULL);
    if (!g_file_set_contents(jsonl, all, -1, error))
        return FALSE;
    const char *jargv[] = {indexer, "--db", F.acl_db, "--from-jsonl", jsonl, NULL};
    g_autofree char *jout = NULL, *jerr = NULL;
    if (!g_spawn_sync(NULL, (char **)jargv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &jout, &jerr,
                      &status, error))
        return FALSE;
    if (strstr(jout, "6 imported, 2 bad") == NULL ||
        strstr(jout, "line 7: cannot index document 1: document writer: document b1: access "
                     "label \"So TTTT\" is not valid") == NULL ||
        strstr(jout, "line 8: cannot index document 1: document writer: document b2: secrecy "
                     "\"secret\" is not a level") == NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "--from-jsonl: %s %s", jout, jerr);
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
    g_test_add_func("/access/tcp auth", test_tcp_auth);
    g_test_add_func("/access/failures slowed per peer", test_failures_slowed);
    g_test_add_func("/access/unix peer credentials", test_peer_cred);
    g_test_add_func("/access/no users: the local owner", test_no_users);
    g_test_add_func("/access/socket mode and group", test_socket_mode);
    g_test_add_func("/access/remote listen", test_remote_listen);
    g_test_add_func("/access/bad config stops the daemon", test_bad_config);
    g_test_add_func("/access/SIGHUP rereads the config", test_reload);
    g_test_add_func("/access/SIGHUP keeps a remote listener safe", test_reload_keeps_remote_safe);
    g_test_add_func("/access/new-token", test_new_token);
    g_test_add_func("/access/SIGTERM with traffic", test_sigterm_with_traffic);
    g_test_add_func("/access/who sees what", test_who_sees_what);
    g_test_add_func("/access/mail participants", test_mail_participants);
    int rc = g_test_run();
    if (F.tmp && rc == 0)
        tracuu_test_rm_rf(F.tmp);
    else if (F.tmp)
        g_printerr("# kept %s for a look\n", F.tmp);
    g_clear_error(&F.setup_error);
    return rc;
}
