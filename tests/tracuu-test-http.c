/* tracuu-test-http.c - a small HTTP/1.1 client for the tests, over TCP or (Python's) TLS. */
#include "tracuu-test-http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "tracuu-test.h"

#define PYTHON "/usr/bin/python3"

void
tracuu_test_http_reply_free(tracuu_test_http_reply *r)
{
    if (!r)
        return;
    g_free(r->head);
    g_free(r->body);
    g_free(r);
}

int
tracuu_test_http_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((guint16)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* The answer in the @len bytes of @in; the body may hold NUL bytes (a PDF), and is followed
 * by one more NUL, for the tests that read it as a string. */
static tracuu_test_http_reply *
parse_reply(const char *in, gsize len)
{
    tracuu_test_http_reply *r = g_new0(tracuu_test_http_reply, 1);
    const char *end = memmem(in, len, "\r\n\r\n", 4);
    if (!end || len < 9 || memcmp(in, "HTTP/1.1 ", 9) != 0) {
        r->head = g_strdup("");
        r->body = g_strdup("");
        return r;
    }
    r->head = g_strndup(in, (gsize)(end - in));
    r->status = atoi(r->head + 9);
    r->body_len = len - (gsize)(end + 4 - in);
    r->body = g_malloc(r->body_len + 1);
    memcpy(r->body, end + 4, r->body_len);
    r->body[r->body_len] = '\0';
    return r;
}

tracuu_test_http_reply *
tracuu_test_http_exchange(int port, const char *raw, gsize len)
{
    int fd = tracuu_test_http_connect(port);
    while (len > 0) {
        ssize_t n = send(fd, raw, len, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may refuse and close before reading everything */
        raw += n;
        len -= (gsize)n;
    }
    g_autoptr(GString) in = g_string_new(NULL);
    char buf[65536];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        g_string_append_len(in, buf, n);
    close(fd);
    return parse_reply(in->str, in->len);
}

char *
tracuu_test_http_format(int port, const char *method, const char *target, const char *headers,
                        const char *body)
{
    GString *raw = g_string_new(NULL);
    g_string_append_printf(raw, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s",
                           method, target, port, headers ? headers : "");
    if (body)
        g_string_append_printf(raw, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    else
        g_string_append(raw, "\r\n");
    return g_string_free(raw, FALSE);
}

tracuu_test_http_reply *
tracuu_test_http_request(int port, const char *method, const char *target, const char *headers,
                         const char *body)
{
    g_autofree char *raw = tracuu_test_http_format(port, method, target, headers, body);
    return tracuu_test_http_exchange(port, raw, strlen(raw));
}

gboolean
tracuu_test_http_has_tls_client(void)
{
    return g_file_test(PYTHON, G_FILE_TEST_IS_EXECUTABLE);
}

tracuu_test_http_reply *
tracuu_test_http_exchange_tls(int port, const char *cafile, const char *raw, gsize len)
{
    /* Prints nothing when the handshake or the certificate check fails: status 0. */
    static const char script[] =
        "import socket, ssl, sys\n"
        "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
        "raw = sys.stdin.buffer.read()\n"
        "out = b''\n"
        "try:\n"
        "    with socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20) as s:\n"
        "        with ctx.wrap_socket(s, server_hostname='127.0.0.1') as t:\n"
        "            t.sendall(raw)\n"
        "            while True:\n"
        "                b = t.recv(65536)\n"
        "                if not b:\n"
        "                    break\n"
        "                out += b\n"
        "except (OSError, ssl.SSLError) as e:\n"
        "    print(e, file=sys.stderr)\n"
        "sys.stdout.buffer.write(out)\n";
    g_autofree char *port_s = g_strdup_printf("%d", port);
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) p =
        g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE,
                         &error, PYTHON, "-c", script, port_s, cafile, NULL);
    g_assert_no_error(error);
    g_autoptr(GBytes) input = g_bytes_new(raw, len);
    g_autoptr(GBytes) out = NULL, err = NULL;
    g_assert_true(g_subprocess_communicate(p, input, NULL, &out, &err, &error));
    g_assert_no_error(error);
    gsize elen = 0;
    const char *e = g_bytes_get_data(err, &elen);
    if (elen > 0)
        g_test_message("TLS client: %.*s", (int)elen, e);
    gsize olen = 0;
    const char *o = g_bytes_get_data(out, &olen);
    return parse_reply(o ? o : "", olen);
}

char *
tracuu_test_http_header(const tracuu_test_http_reply *r, const char *name)
{
    g_auto(GStrv) lines = g_strsplit(r->head, "\r\n", -1);
    gsize n = strlen(name);
    for (char **l = lines; *l; l++)
        if (g_ascii_strncasecmp(*l, name, n) == 0 && (*l)[n] == ':')
            return g_strstrip(g_strdup(*l + n + 1));
    return NULL;
}

JsonObject *
tracuu_test_http_body_object(const tracuu_test_http_reply *r)
{
    g_autoptr(JsonParser) p = json_parser_new();
    if (!json_parser_load_from_data(p, r->body, (gssize)r->body_len, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
        g_test_message("not a JSON object: %s", r->body);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)));
    return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

void
tracuu_test_http_assert_reply(const tracuu_test_http_reply *r, int status, const char *code)
{
    if (r->status != status)
        g_test_message("answer: %s\n%s", r->head, r->body);
    g_assert_cmpint(r->status, ==, status);
    g_assert_nonnull(strstr(r->head, "Content-Type: application/json"));
    g_autoptr(JsonObject) o = tracuu_test_http_body_object(r);
    g_assert_cmpint(json_object_get_boolean_member(o, "ok"), ==, code == NULL);
    if (code)
        g_assert_cmpstr(
            json_object_get_string_member(json_object_get_object_member(o, "error"), "code"), ==,
            code);
}

int
tracuu_test_http_daemon_start(tracuu_test_http_daemon *d, const char *searchd, const char *dir,
                              const char *name, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)searchd);
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    g_autofree char *logname = g_strdup_printf("%s.log", name);
    g_free(d->log);
    d->log = g_build_filename(dir, logname, NULL);
    int errfd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    g_assert_cmpint(errfd, >=, 0);
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_async_with_pipes_and_fds(
        dir, (const char *const *)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
        tracuu_test_die_with_parent, NULL, -1, -1, errfd, NULL, NULL, 0, &d->pid, NULL, NULL, NULL,
        &error));
    g_assert_no_error(error);
    close(errfd);
    static const char mark[] = "listening on http:127.0.0.1:";
    for (int i = 0; i < 500; i++) {
        g_autofree char *log = tracuu_test_http_daemon_log(d);
        const char *p = strstr(log, mark);
        if (p) {
            d->port = atoi(p + strlen(mark));
            static const char tcp_mark[] = "listening on tcp:127.0.0.1:";
            const char *t = strstr(log, tcp_mark);
            d->tcp_port = t ? atoi(t + strlen(tcp_mark)) : 0;
            return -1;
        }
        int st = tracuu_test_wait_exit(d->pid, 0.02);
        if (st >= 0) {
            d->pid = 0;
            return st;
        }
    }
    g_error("tracuu-searchd did not log its HTTP port (%s)", d->log);
    return -1;
}

char *
tracuu_test_http_daemon_log(const tracuu_test_http_daemon *d)
{
    char *log = NULL;
    if (!d->log || !g_file_get_contents(d->log, &log, NULL, NULL))
        return g_strdup("");
    return log;
}
