/* tracuu-test-client.c - a line client for the tests that talk to tracuu-searchd on a socket. */
#include "tracuu-test-client.h"

#include "tracuu-test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
tracuu_test_connect_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    g_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

tracuu_test_client *
tracuu_test_client_new_fd(int fd)
{
    g_assert_cmpint(fd, >=, 0);
    tracuu_test_client *c = g_new0(tracuu_test_client, 1);
    c->fd = fd;
    c->in = g_string_new(NULL);
    return c;
}

tracuu_test_client *
tracuu_test_client_wait_unix(const char *path)
{
    int fd = -1;
    for (int i = 0; i < 200 && fd < 0; i++) {
        fd = tracuu_test_connect_unix(path);
        if (fd < 0)
            g_usleep(50000);
    }
    return tracuu_test_client_new_fd(fd);
}

tracuu_test_client *
tracuu_test_client_new_tcp(int port)
{
    g_assert_cmpint(port, >, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    return tracuu_test_client_new_fd(fd);
}

void
tracuu_test_client_free(tracuu_test_client *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    g_string_free(c->in, TRUE);
    g_free(c);
}

void
tracuu_test_client_send(tracuu_test_client *c, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(n, >, 0);
        data += n;
        len -= (gsize)n;
    }
}

char *
tracuu_test_client_recv_line(tracuu_test_client *c, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    for (;;) {
        char *nl = memchr(c->in->str, '\n', c->in->len);
        if (nl) {
            char *line = g_strndup(c->in->str, (gsize)(nl - c->in->str));
            g_string_erase(c->in, 0, (gssize)(nl - c->in->str) + 1);
            return line;
        }
        gint64 left = (end - g_get_monotonic_time()) / 1000;
        if (left <= 0)
            return NULL;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        char buf[65536];
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n <= 0)
            return NULL;
        g_string_append_len(c->in, buf, n);
    }
}

char *
tracuu_test_client_ask_line(tracuu_test_client *c, const char *request)
{
    g_autofree char *line = g_strconcat(request, "\n", NULL);
    tracuu_test_client_send(c, line, strlen(line));
    char *answer = tracuu_test_client_recv_line(c, 30000);
    g_assert_nonnull(answer);
    return answer;
}

JsonObject *
tracuu_test_client_ask(tracuu_test_client *c, const char *request)
{
    g_autofree char *answer = tracuu_test_client_ask_line(c, request);
    return tracuu_test_parse_object(answer);
}
