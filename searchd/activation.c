/* activation.c - the listening sockets systemd passes to tracuu-searchd (sd_listen_fds(3)). */
#include "activation.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

/*
 * The protocol is small enough to read here rather than link libsystemd for it: a daemon that
 * runs without systemd (by hand, under another supervisor) then needs nothing of it.
 */

int
tracuu_activation_parse(const char *listen_pid, const char *listen_fds, const char *listen_fdnames,
                        pid_t self, char ***names, GError **error)
{
    guint64 pid = 0, n = 0;

    *names = NULL;
    if (!listen_pid || !listen_fds)
        return 0;
    /* A LISTEN_PID that is not a number cannot be ours: sockets for someone else. */
    if (!g_ascii_string_to_unsigned(listen_pid, 10, 1, G_MAXINT32, &pid, NULL) ||
        (pid_t)pid != self)
        return 0;
    if (!g_ascii_string_to_unsigned(listen_fds, 10, 0, TRACUU_ACTIVATION_MAX_FDS, &n, NULL)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "LISTEN_FDS=%s from systemd: not a number of sockets from 0 to %d", listen_fds,
                    TRACUU_ACTIVATION_MAX_FDS);
        return -1;
    }
    if (n == 0)
        return 0;
    g_auto(GStrv) v = NULL;
    if (listen_fdnames) {
        v = g_strsplit(listen_fdnames, ":", -1);
        if (g_strv_length(v) != n) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "LISTEN_FDNAMES=%s from systemd names %u sockets, LISTEN_FDS says %u",
                        listen_fdnames, g_strv_length(v), (unsigned)n);
            return -1;
        }
    } else {
        v = g_new0(char *, n + 1);
        for (guint64 i = 0; i < n; i++)
            v[i] = g_strdup("unknown");
    }
    *names = g_steal_pointer(&v);
    return (int)n;
}

int
tracuu_activation_take(char ***names, GError **error)
{
    int n = tracuu_activation_parse(g_getenv("LISTEN_PID"), g_getenv("LISTEN_FDS"),
                                    g_getenv("LISTEN_FDNAMES"), getpid(), names, error);
    g_unsetenv("LISTEN_PID");
    g_unsetenv("LISTEN_FDS");
    g_unsetenv("LISTEN_FDNAMES");
    for (int i = 0; i < n; i++) {
        int fd = TRACUU_ACTIVATION_FDS_START + i;
        int type = 0, listening = 0;
        socklen_t len = sizeof type, len2 = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len2) < 0 ||
            type != SOCK_STREAM || !listening) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "descriptor %d (%s) passed by systemd is not a listening stream socket "
                        "(ListenStream= with Accept=no)",
                        fd, (*names)[i]);
            g_clear_pointer(names, g_strfreev);
            return -1;
        }
        int fl = fcntl(fd, F_GETFL);
        int fdfl = fcntl(fd, F_GETFD);
        if (fl < 0 || fdfl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
            fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) {
            int e = errno;
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e),
                        "descriptor %d (%s) passed by systemd: %s", fd, (*names)[i], g_strerror(e));
            g_clear_pointer(names, g_strfreev);
            return -1;
        }
    }
    return n;
}
