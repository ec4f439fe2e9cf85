/* auth-delay.h - failed authentications counted per peer, and how long to hold each answer back. */
#pragma once

#include <glib.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/*
 * A token guessed over and over must cost its guesser time: the answer to a peer's second
 * failure is held back 250 ms, then twice as long each time up to 10 s; a peer is forgotten
 * 15 minutes after its last failure. The socket's auth requests and the HTTP API's bearer
 * tokens count in the same table, so that switching channel does not reset the count. Only the
 * failing request waits: the caller holds its answer back without blocking anyone else.
 * Thread-safe: the socket's I/O thread and the HTTP threads share one table.
 */

typedef struct tracuu_auth_delay tracuu_auth_delay;

/* Caller frees with tracuu_auth_delay_free(). */
tracuu_auth_delay *tracuu_auth_delay_new(void);
void tracuu_auth_delay_free(tracuu_auth_delay *delay); /* NULL accepted */

/*
 * Counts a failed authentication from @key (tracuu_auth_delay_peer_key()) and returns how long
 * to hold its answer back, in milliseconds; *@count is set to the peer's failures so far (0
 * when the table is full, in which case every new peer waits the longest).
 */
gint64 tracuu_auth_delay_note_failure(tracuu_auth_delay *delay, const char *key, guint *count);

/* Forgets the peers whose last failure is older than the memory. */
void tracuu_auth_delay_forget_old(tracuu_auth_delay *delay);

/*
 * Whose failures count together: the host on IPv4 (an IPv4-mapped IPv6 address too), the /64
 * on IPv6, where one machine commonly has a whole /64 to pick addresses from; @fallback (the
 * uid on a Unix socket) for other families. Caller frees with g_free().
 */
char *tracuu_auth_delay_peer_key(const struct sockaddr *sa, const char *fallback);

G_END_DECLS
