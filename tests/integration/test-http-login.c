/* test-http-login.c - people's identity over HTTP: passwords, session cookies, TLS. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "tracuu-test-http.h"
#include "tracuu-test.h"

/*
 * One index of three labelled documents (from --from-jsonl) and two daemons over it: "plain"
 * with --http and a configuration of two users with passwords (anh: so-tttt, binh:
 * so-noi-vu), hashed by tracuu-searchd --hash-password itself; and "tls", the same over TLS
 * with the self-signed pair of tests/data/tls. The tests rewrite the configuration of "plain"
 * and send it a SIGHUP to remove a user, change a password or shorten the sessions.
 */

typedef struct {
    GPid pid;
    int port;
    char *log;
} daemon_t;

typedef tracuu_test_http_reply reply;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(reply, tracuu_test_http_reply_free)

static struct {
    char *tmp, *db, *searchd, *conf_path, *cert, *key;
    char *anh_line, *binh_line, *anh_other_line; /* password = ... lines */
    daemon_t plain, tls;
    int reloads; /* SIGHUPs "plain" has taken */
    GError *setup_error;
} F;

static const char acl_jsonl[] =
    "{\"id\":\"pub\",\"doc_type\":\"Công văn\",\"text\":\"Thông báo chung kiwiquaz.\"}\n"
    "{\"id\":\"tttt\",\"access\":[\"so-tttt\"],\"doc_type\":\"Công văn\","
    "\"text\":\"Thông báo của Sở Thông tin kiwiquaz.\"}\n"
    "{\"id\":\"nv\",\"access\":[\"so-noi-vu\"],\"doc_type\":\"Công văn\","
    "\"text\":\"Thông báo của Sở Nội vụ kiwiquaz.\"}\n";

#define FORM "Content-Type: application/x-www-form-urlencoded\r\n"

/* ---- processes ---- */

/* Runs tracuu-searchd with @args and @input on its standard input; its output in *@out. */
static int
run_searchd(const char *const *args, const char *input, char **out, char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, F.searchd);
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) p =
        g_subprocess_newv((const char *const *)argv->pdata,
                          G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_PIPE,
                          &error);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_communicate_utf8(p, input, NULL, out, err, &error));
    g_assert_no_error(error);
    return g_subprocess_get_if_exited(p) ? g_subprocess_get_exit_status(p) : 128;
}

/* The "password = ..." line of @password, from --hash-password. */
static char *
hash_line(const char *password)
{
    const char *args[] = {"--hash-password", NULL};
    g_autofree char *in = g_strdup_printf("%s\n", password);
    char *out = NULL;
    g_autofree char *err = NULL;
    g_assert_cmpint(run_searchd(args, in, &out, &err), ==, 0);
    return g_strchomp(out);
}

/* Starts tracuu-searchd with @args and waits until it logs its HTTP port; -1 when it runs,
 * else its exit status. */
static int
start(daemon_t *d, const char *name, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, F.searchd);
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    g_autofree char *logname = g_strdup_printf("%s.log", name);
    d->log = g_build_filename(F.tmp, logname, NULL);
    int errfd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_async_with_pipes_and_fds(
        F.tmp, (const char *const *)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
        tracuu_test_die_with_parent, NULL, -1, -1, errfd, NULL, NULL, 0, &d->pid, NULL, NULL, NULL,
        &error));
    g_assert_no_error(error);
    close(errfd);
    static const char mark[] = "listening on http:127.0.0.1:";
    for (int i = 0; i < 500; i++) {
        g_autofree char *log = NULL;
        g_file_get_contents(d->log, &log, NULL, NULL);
        const char *p = log ? strstr(log, mark) : NULL;
        if (p) {
            d->port = atoi(p + strlen(mark));
            return -1;
        }
        int st = tracuu_test_wait_exit(d->pid, 0.02);
        if (st >= 0) {
            d->pid = 0;
            return st;
        }
    }
    g_error("tracuu-searchd did not log its HTTP port");
    return -1;
}

static char *
read_log(const daemon_t *d)
{
    char *log = NULL;
    g_file_get_contents(d->log, &log, NULL, NULL);
    return log ? log : g_strdup("");
}

static guint
count_in(const char *text, const char *what)
{
    guint n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* The configuration of "plain": anh with @anh_line, binh when @with_binh, and @extra lines in
 * [searchd]. */
static char *
conf_text(const char *anh_line, gboolean with_binh, const char *extra)
{
    return g_strdup_printf("[index]\ndb = db\n[searchd]\nhttp = 127.0.0.1:0\nthreads = 2\n%s"
                           "[access]\ndefault = public\n"
                           "[user anh]\nlabels = so-tttt\n%s\n%s%s%s",
                           extra, anh_line, with_binh ? "[user binh]\nlabels = so-noi-vu\n" : "",
                           with_binh ? F.binh_line : "", with_binh ? "\n" : "");
}

/* Rewrites the configuration of "plain" and waits until its SIGHUP has been taken. */
static void
reload_plain(const char *anh_line, gboolean with_binh, const char *extra)
{
    g_autofree char *text = conf_text(anh_line, with_binh, extra);
    g_assert_true(g_file_set_contents(F.conf_path, text, -1, NULL));
    kill(F.plain.pid, SIGHUP);
    F.reloads++;
    for (int i = 0; i < 500; i++) {
        g_autofree char *log = read_log(&F.plain);
        if (count_in(log, "reloaded:") >= (guint)F.reloads)
            return;
        g_usleep(20000);
    }
    g_error("no reload logged");
}

/* ---- the client side ---- */

static reply *
post_login(int port, const char *user, const char *password)
{
    g_autofree char *body = g_strdup_printf("user=%s&password=%s", user, password);
    return tracuu_test_http_request(port, "POST", "/api/login", FORM, body);
}

/* The cookie pair "tracuu_session=..." of a login answer, or NULL. */
static char *
session_of(const reply *r)
{
    g_autofree char *c = tracuu_test_http_header(r, "Set-Cookie");
    if (!c)
        return NULL;
    char *semi = strchr(c, ';');
    return semi ? g_strndup(c, (gsize)(semi - c)) : NULL;
}

/* Logs @user in on "plain" and returns the cookie pair; the test fails unless it works. */
static char *
login_ok(const char *user, const char *password)
{
    g_autoptr(reply) r = post_login(F.plain.port, user, password);
    tracuu_test_http_assert_reply(r, 200, NULL);
    char *c = session_of(r);
    g_assert_nonnull(c);
    return c;
}

static reply *
get_with_cookie(int port, const char *target, const char *cookie)
{
    g_autofree char *h = g_strdup_printf("Cookie: %s\r\n", cookie);
    return tracuu_test_http_request(port, "GET", target, h, NULL);
}

static void
require_setup(void)
{
    g_assert_no_error(F.setup_error);
}

/* ---- tests ---- */

/* The line --hash-password prints is one the configuration takes (setup used it) and that
 * opens a login with that password; an empty input is refused. */
static void
test_hash_password(void)
{
    require_setup();
    g_autoptr(GRegex) re = g_regex_new(
        "^password = \\$argon2id\\$v=19\\$m=65536,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$",
        0, 0, NULL);
    g_assert_true(g_regex_match(re, F.anh_line, 0, NULL));
    g_autofree char *again = hash_line("anh-mật-khẩu");
    g_assert_true(g_regex_match(re, again, 0, NULL));
    g_assert_cmpstr(again, !=, F.anh_line); /* salted */
    const char *args[] = {"--hash-password", NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(run_searchd(args, "", &out, &err), ==, 2);
    g_assert_cmpstr(out, ==, "");
    g_assert_nonnull(strstr(err, "one non-empty line"));
    /* A plain password in the configuration stops the daemon at start, naming the line. */
    g_autofree char *bad = g_build_filename(F.tmp, "bad.conf", NULL);
    g_assert_true(g_file_set_contents(
        bad, "[index]\ndb = db\n[searchd]\nhttp = 127.0.0.1:0\n[user anh]\npassword = hunter2\n",
        -1, NULL));
    daemon_t d = {0};
    const char *bad_args[] = {"--config", bad, NULL};
    g_assert_cmpint(start(&d, "bad", bad_args), ==, 1);
    g_autofree char *log = read_log(&d);
    g_autofree char *where = g_strdup_printf("%s:6: password:", bad);
    g_assert_nonnull(strstr(log, where));
    g_free(d.log);
}

/* A login sets the cookie with exactly the contract's attributes, and the cookie opens the
 * API as that user: anh's labels, never binh's document. */
static void
test_login_and_search(void)
{
    require_setup();
    int port = F.plain.port;
    g_autoptr(reply) anon = tracuu_test_http_request(port, "GET", "/api/whoami", NULL, NULL);
    tracuu_test_http_assert_reply(anon, 200, NULL);
    g_assert_cmpstr(anon->body, ==, "{\"ok\":true,\"user\":null,\"login_required\":true}\n");
    g_autoptr(reply) r = post_login(port, "anh", "anh-m%E1%BA%ADt-kh%E1%BA%A9u");
    tracuu_test_http_assert_reply(r, 200, NULL);
    g_assert_cmpstr(r->body, ==, "{\"ok\":true,\"user\":\"anh\"}\n");
    g_autofree char *set = tracuu_test_http_header(r, "Set-Cookie");
    g_autoptr(GRegex) re = g_regex_new("^tracuu_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; "
                                       "SameSite=Strict; Max-Age=28800$",
                                       0, 0, NULL);
    g_test_message("Set-Cookie: %s", set);
    g_assert_true(g_regex_match(re, set, 0, NULL));
    g_autofree char *cookie = session_of(r);

    g_autoptr(reply) s = get_with_cookie(port, "/api/search?q=kiwiquaz", cookie);
    tracuu_test_http_assert_reply(s, 200, NULL);
    g_autoptr(JsonObject) o = tracuu_test_http_body_object(s);
    g_assert_cmpint(json_object_get_int_member(o, "total"), ==, 2);
    g_assert_nonnull(strstr(s->body, "\"tttt\""));
    g_assert_null(strstr(s->body, "\"nv\""));
    g_autoptr(reply) hidden = get_with_cookie(port, "/api/doc/nv", cookie);
    tracuu_test_http_assert_reply(hidden, 404, "not_found");
    g_autoptr(reply) me = get_with_cookie(port, "/api/whoami", cookie);
    g_assert_cmpstr(me->body, ==, "{\"ok\":true,\"user\":\"anh\",\"login_required\":true}\n");
    /* Without the cookie, nothing; with a cookie nobody was given, nothing either. */
    g_autoptr(reply) none =
        tracuu_test_http_request(port, "GET", "/api/search?q=kiwiquaz", NULL, NULL);
    tracuu_test_http_assert_reply(none, 401, "unauthorized");
    g_autoptr(reply) forged =
        get_with_cookie(port, "/api/search?q=kiwiquaz",
                        "tracuu_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    tracuu_test_http_assert_reply(forged, 401, "unauthorized");
    /* The bearer header comes first: a bad one is refused even beside a good cookie. */
    g_autofree char *both = g_strdup_printf("Cookie: %s\r\nAuthorization: Bearer nope\r\n", cookie);
    g_autoptr(reply) b = tracuu_test_http_request(port, "GET", "/api/stats", both, NULL);
    tracuu_test_http_assert_reply(b, 401, "unauthorized");
    g_autofree char *log = read_log(&F.plain);
    g_assert_nonnull(strstr(log, "logged in as anh"));
    g_assert_null(strstr(log, "anh-m")); /* no password in the log */
}

/* A wrong password (or user) is 401, slowed down per peer like a bad token, and audited. */
static void
test_wrong_password(void)
{
    require_setup();
    static const char *const tries[][2] = {
        {"anh", "wrong"}, {"anh", "binh-password"}, {"nobody", "anh-m%E1%BA%ADt-kh%E1%BA%A9u"}};
    gint64 took[G_N_ELEMENTS(tries)];
    for (gsize i = 0; i < G_N_ELEMENTS(tries); i++) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(reply) r = post_login(F.plain.port, tries[i][0], tries[i][1]);
        took[i] = (g_get_monotonic_time() - t0) / 1000;
        tracuu_test_http_assert_reply(r, 401, "unauthorized");
        g_assert_null(tracuu_test_http_header(r, "Set-Cookie"));
    }
    g_test_message("failed logins took %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ", %" G_GINT64_FORMAT " ms",
                   took[0], took[1], took[2]);
    g_assert_cmpint(took[1], >=, 200);
    g_assert_cmpint(took[2], >=, 450);
    g_autofree char *log = read_log(&F.plain);
    g_assert_nonnull(strstr(log, "authentication failed: wrong user name or password"));
    /* Someone else's login is not held back meanwhile... and the right password still opens. */
    g_autofree char *c = login_ok("binh", "binh-password");
    g_assert_nonnull(c);
}

/* Logging out drops the session on the server: the same cookie opens nothing after. */
static void
test_logout(void)
{
    require_setup();
    g_autofree char *cookie = login_ok("anh", "anh-m%E1%BA%ADt-kh%E1%BA%A9u");
    g_autoptr(reply) ok = get_with_cookie(F.plain.port, "/api/doc/tttt", cookie);
    tracuu_test_http_assert_reply(ok, 200, NULL);
    g_autofree char *h = g_strdup_printf("Cookie: %s\r\n" FORM, cookie);
    g_autoptr(reply) out = tracuu_test_http_request(F.plain.port, "POST", "/api/logout", h, "");
    tracuu_test_http_assert_reply(out, 200, NULL);
    g_assert_cmpstr(out->body, ==, "{\"ok\":true}\n");
    g_autofree char *gone = tracuu_test_http_header(out, "Set-Cookie");
    g_assert_cmpstr(gone, ==, "tracuu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    g_autoptr(reply) after = get_with_cookie(F.plain.port, "/api/doc/tttt", cookie);
    tracuu_test_http_assert_reply(after, 401, "unauthorized");
    g_autoptr(reply) me = get_with_cookie(F.plain.port, "/api/whoami", cookie);
    g_assert_nonnull(strstr(me->body, "\"user\":null"));
}

/* A session ends at its time: session-hours = 0.0005 (1.8 s), read at a reload. */
static void
test_expiry(void)
{
    require_setup();
    reload_plain(F.anh_line, TRUE, "session-hours = 0.0005\n");
    g_autoptr(reply) r = post_login(F.plain.port, "anh", "anh-m%E1%BA%ADt-kh%E1%BA%A9u");
    tracuu_test_http_assert_reply(r, 200, NULL);
    g_autofree char *set = tracuu_test_http_header(r, "Set-Cookie");
    g_assert_true(g_str_has_suffix(set, "; Max-Age=1"));
    g_autofree char *cookie = session_of(r);
    g_autoptr(reply) now = get_with_cookie(F.plain.port, "/api/doc/tttt", cookie);
    tracuu_test_http_assert_reply(now, 200, NULL);
    g_usleep(2500 * 1000);
    g_autoptr(reply) later = get_with_cookie(F.plain.port, "/api/doc/tttt", cookie);
    tracuu_test_http_assert_reply(later, 401, "unauthorized");
    reload_plain(F.anh_line, TRUE, "");
}

/* A reload that removes a user, or changes a password, closes their sessions; the others go
 * on. */
static void
test_reload_closes_sessions(void)
{
    require_setup();
    g_autofree char *anh = login_ok("anh", "anh-m%E1%BA%ADt-kh%E1%BA%A9u");
    g_autofree char *binh = login_ok("binh", "binh-password");
    reload_plain(F.anh_line, FALSE, "");
    g_autoptr(reply) b = get_with_cookie(F.plain.port, "/api/doc/nv", binh);
    tracuu_test_http_assert_reply(b, 401, "unauthorized");
    g_autoptr(reply) a = get_with_cookie(F.plain.port, "/api/doc/tttt", anh);
    tracuu_test_http_assert_reply(a, 200, NULL);
    /* binh back with the same line: the closed session stays closed. */
    reload_plain(F.anh_line, TRUE, "");
    g_autoptr(reply) b2 = get_with_cookie(F.plain.port, "/api/doc/nv", binh);
    tracuu_test_http_assert_reply(b2, 401, "unauthorized");
    /* anh's password changed: her session ends, the new password opens, the old does not. */
    reload_plain(F.anh_other_line, TRUE, "");
    g_autoptr(reply) a2 = get_with_cookie(F.plain.port, "/api/doc/tttt", anh);
    tracuu_test_http_assert_reply(a2, 401, "unauthorized");
    g_autofree char *anh2 = login_ok("anh", "new-password");
    g_autoptr(reply) old = post_login(F.plain.port, "anh", "anh-m%E1%BA%ADt-kh%E1%BA%A9u");
    tracuu_test_http_assert_reply(old, 401, "unauthorized");
    reload_plain(F.anh_line, TRUE, "");
}

/* The methods, the form's size and its origin. */
static void
test_post_rules(void)
{
    require_setup();
    int port = F.plain.port;
    g_autoptr(reply) search = tracuu_test_http_request(port, "POST", "/api/search", FORM, "q=a");
    tracuu_test_http_assert_reply(search, 405, "method_not_allowed");
    g_autoptr(reply) get_login = tracuu_test_http_request(port, "GET", "/api/login", NULL, NULL);
    tracuu_test_http_assert_reply(get_login, 405, "method_not_allowed");
    g_autofree char *allow = tracuu_test_http_header(get_login, "Allow");
    g_assert_cmpstr(allow, ==, "POST");

    /* Too large: announced, and sent in chunks without a length. */
    g_autoptr(GString) big = g_string_new("user=anh&password=");
    for (int i = 0; i < 5000; i++)
        g_string_append_c(big, 'a');
    g_autoptr(reply) large = tracuu_test_http_request(port, "POST", "/api/login", FORM, big->str);
    tracuu_test_http_assert_reply(large, 413, "too_large");
    g_autofree char *chunked = g_strdup_printf(
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n" FORM
        "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
        port, big->len, big->str);
    g_autoptr(reply) large2 = tracuu_test_http_exchange(port, chunked, strlen(chunked));
    tracuu_test_http_assert_reply(large2, 413, "too_large");

    /* Forged from elsewhere: another Origin, or not a form. */
    static const char body[] = "user=anh&password=anh-m%E1%BA%ADt-kh%E1%BA%A9u";
    g_autoptr(reply) cross = tracuu_test_http_request(port, "POST", "/api/login",
                                                      FORM "Origin: http://evil.example\r\n", body);
    tracuu_test_http_assert_reply(cross, 403, "forbidden");
    g_autoptr(reply) json = tracuu_test_http_request(port, "POST", "/api/login",
                                                     "Content-Type: application/json\r\n", body);
    tracuu_test_http_assert_reply(json, 403, "forbidden");
    g_autoptr(reply) none = tracuu_test_http_request(port, "POST", "/api/login", NULL, body);
    tracuu_test_http_assert_reply(none, 403, "forbidden");
    /* The page's own Origin is fine. */
    g_autofree char *same = g_strdup_printf(FORM "Origin: http://127.0.0.1:%d\r\n", port);
    g_autoptr(reply) ok = tracuu_test_http_request(port, "POST", "/api/login", same, body);
    tracuu_test_http_assert_reply(ok, 200, NULL);
    /* A form without the fields. */
    g_autoptr(reply) bad = tracuu_test_http_request(port, "POST", "/api/login", FORM, "user=anh");
    tracuu_test_http_assert_reply(bad, 400, "bad_request");
    g_assert_cmpint(tracuu_test_wait_exit(F.plain.pid, 0), ==, -1);
}

/* Under TLS: the cookie is Secure, a plain HTTP client gets nothing, and the daemon goes on. */
static void
test_tls(void)
{
    require_setup();
    if (!tracuu_test_http_has_tls_client()) {
        g_test_skip("needs /usr/bin/python3 (its ssl module) as the TLS client");
        return;
    }
    int port = F.tls.port;
    static const char body[] = "user=anh&password=anh-m%E1%BA%ADt-kh%E1%BA%A9u";
    g_autofree char *raw = tracuu_test_http_format(port, "POST", "/api/login", FORM, body);
    g_autoptr(reply) r = tracuu_test_http_exchange_tls(port, F.cert, raw, strlen(raw));
    tracuu_test_http_assert_reply(r, 200, NULL);
    g_autofree char *set = tracuu_test_http_header(r, "Set-Cookie");
    g_assert_true(g_str_has_suffix(set, "; Max-Age=28800; Secure"));
    g_autofree char *cookie = session_of(r);
    g_autofree char *h = g_strdup_printf("Cookie: %s\r\n", cookie);
    g_autofree char *get = tracuu_test_http_format(port, "GET", "/api/doc/tttt", h, NULL);
    g_autoptr(reply) d = tracuu_test_http_exchange_tls(port, F.cert, get, strlen(get));
    tracuu_test_http_assert_reply(d, 200, NULL);
    /* Over TLS the page's Origin is https. */
    g_autofree char *wrong = g_strdup_printf(FORM "Origin: http://127.0.0.1:%d\r\n", port);
    g_autofree char *raw2 = tracuu_test_http_format(port, "POST", "/api/login", wrong, body);
    g_autoptr(reply) w = tracuu_test_http_exchange_tls(port, F.cert, raw2, strlen(raw2));
    tracuu_test_http_assert_reply(w, 403, "forbidden");

    g_autoptr(reply) plain = tracuu_test_http_request(port, "GET", "/healthz", NULL, NULL);
    g_assert_cmpint(plain->status, ==, 0);
    g_autofree char *hz = tracuu_test_http_format(port, "GET", "/healthz", NULL, NULL);
    g_autoptr(reply) after = tracuu_test_http_exchange_tls(port, F.cert, hz, strlen(hz));
    tracuu_test_http_assert_reply(after, 200, NULL);
    g_assert_cmpint(tracuu_test_wait_exit(F.tls.pid, 0), ==, -1);
}

/* TLS wants both files, readable, at start. */
static void
test_tls_errors(void)
{
    require_setup();
    g_autofree char *missing = g_build_filename(F.tmp, "no-such-cert.pem", NULL);
    static const struct {
        int which; /* 0: cert only, 1: missing cert, 2: key as the cert */
        const char *says;
    } cases[] = {
        {0, "give --tls-cert and --tls-key"},
        {1, "no-such-cert.pem"},
        {2, "cannot start the HTTP server over TLS"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *args0[] = {"--config", F.conf_path, "--tls-cert", F.cert, NULL};
        const char *args1[] = {"--config",  F.conf_path, "--tls-cert", missing,
                               "--tls-key", F.key,       NULL};
        const char *args2[] = {"--config",  F.conf_path, "--tls-cert", F.key,
                               "--tls-key", F.key,       NULL};
        const char *const *args[] = {args0, args1, args2};
        daemon_t d = {0};
        int st = start(&d, "tls-bad", args[cases[i].which]);
        /* A certificate that GnuTLS refuses is found once the port is open (and logged). */
        if (st == -1)
            st = tracuu_test_wait_exit(d.pid, 20);
        g_assert_cmpint(st, ==, 1);
        g_autofree char *log = read_log(&d);
        g_test_message("%s", log);
        g_assert_nonnull(strstr(log, cases[i].says));
        g_free(d.log);
    }
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
    g_autofree char *indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    F.searchd = g_build_filename(build, "searchd", "tracuu-searchd", NULL);
    F.cert = g_build_filename(src, "tests", "data", "tls", "cert.pem", NULL);
    F.key = g_build_filename(src, "tests", "data", "tls", "key.pem", NULL);
    F.tmp = g_dir_make_tmp("tracuu-http-login-XXXXXX", error);
    if (!F.tmp)
        return FALSE;
    F.db = g_build_filename(F.tmp, "db", NULL);
    g_autofree char *jsonl = g_build_filename(F.tmp, "acl.jsonl", NULL);
    if (!g_file_set_contents(jsonl, acl_jsonl, -1, error))
        return FALSE;
    const char *idx[] = {indexer, "--db", F.db, "--from-jsonl", jsonl, "-q", NULL};
    g_autofree char *err = NULL;
    int status = -1;
    if (!g_spawn_sync(NULL, (char **)idx, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status,
                      error))
        return FALSE;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "tracuu-indexer: %s", err);
        return FALSE;
    }
    F.anh_line = hash_line("anh-mật-khẩu");
    F.binh_line = hash_line("binh-password");
    F.anh_other_line = hash_line("new-password");
    F.conf_path = g_build_filename(F.tmp, "users.conf", NULL);
    g_autofree char *text = conf_text(F.anh_line, TRUE, "");
    if (!g_file_set_contents(F.conf_path, text, -1, error))
        return FALSE;
    const char *plain_args[] = {"--config", F.conf_path, NULL};
    const char *tls_args[] = {"--config",  F.conf_path, "--tls-cert", F.cert,
                              "--tls-key", F.key,       NULL};
    if (start(&F.plain, "plain", plain_args) != -1 || start(&F.tls, "tls", tls_args) != -1) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "a daemon did not start (logs in %s)",
                    F.tmp);
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

    g_test_add_func("/http-login/hash-password", test_hash_password);
    g_test_add_func("/http-login/login sets the cookie, which opens the API",
                    test_login_and_search);
    g_test_add_func("/http-login/wrong password slowed", test_wrong_password);
    g_test_add_func("/http-login/logout", test_logout);
    g_test_add_func("/http-login/sessions expire", test_expiry);
    g_test_add_func("/http-login/SIGHUP closes sessions", test_reload_closes_sessions);
    g_test_add_func("/http-login/POST rules", test_post_rules);
    g_test_add_func("/http-login/TLS", test_tls);
    g_test_add_func("/http-login/TLS errors", test_tls_errors);
    int rc = g_test_run();

    daemon_t *all[] = {&F.plain, &F.tls};
    for (gsize i = 0; i < G_N_ELEMENTS(all); i++)
        if (all[i]->pid) {
            kill(all[i]->pid, SIGTERM);
            tracuu_test_wait_exit(all[i]->pid, 10);
        }
    if (F.tmp && rc == 0)
        tracuu_test_rm_rf(F.tmp);
    else if (F.tmp)
        g_printerr("# kept %s for a look\n", F.tmp);
    g_clear_error(&F.setup_error);
    return rc;
}
