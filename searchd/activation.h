/* activation.h - the listening sockets systemd passes to tracuu-searchd (sd_listen_fds(3)). */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/* The first socket systemd passes (SD_LISTEN_FDS_START); the others follow it. */
#define TRACUU_ACTIVATION_FDS_START 3
/* More sockets than this are refused: the daemon has room for as many listeners and no more. */
#define TRACUU_ACTIVATION_MAX_FDS 8

/*
 * Reads the socket-activation protocol of systemd from the values of LISTEN_PID, LISTEN_FDS
 * and LISTEN_FDNAMES (each NULL when unset), for the process @self. The sockets are meant for
 * this process only when LISTEN_PID is @self: otherwise (or when LISTEN_PID or LISTEN_FDS is
 * unset) they were meant for a parent and none is ours, which is no error.
 *
 * Returns the number of sockets passed (descriptors TRACUU_ACTIVATION_FDS_START onwards), 0 for
 * none, or -1 with @error (G_IO_ERROR_INVALID_ARGUMENT) when LISTEN_FDS is not a number from 0
 * to TRACUU_ACTIVATION_MAX_FDS or LISTEN_FDNAMES does not name as many sockets. @names gets one
 * name per socket ("unknown" when LISTEN_FDNAMES is unset, as systemd says) in a
 * NULL-terminated vector the caller frees with g_strfreev(), or NULL when none is returned.
 */
int tracuu_activation_parse(const char *listen_pid, const char *listen_fds,
                            const char *listen_fdnames, pid_t self, char ***names, GError **error);

/*
 * Takes the sockets passed to this process: parses the environment (as above), unsets
 * LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES so that nothing started later takes them for its
 * own, and checks that each descriptor is a listening stream socket (systemd's Accept=no),
 * which it makes non-blocking and close-on-exec. Returns the number of sockets, 0 for none, or
 * -1 with @error (the socket at fault named by its number and name); @names as above.
 */
int tracuu_activation_take(char ***names, GError **error);

G_END_DECLS
