/* session.h - the login sessions of the HTTP API: random cookies, kept only as their hashes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A person who logs in on the page gets a session: a random token (32 bytes of randombytes_buf,
 * 43 characters of URL-safe base64) sent once, in the Set-Cookie of the login answer, and kept
 * here only as its SHA-256, so that a dump of the daemon's memory does not hand out live
 * cookies. A session names its user and a stamp (the SHA-256 of the user's password hash when
 * the session was made): the HTTP server looks the user up in the configuration of the moment
 * at each request, so that a user removed, or whose password changed, at a reload loses every
 * session at once. The table is bounded: past its size, the oldest session is dropped; expired
 * ones are purged as new ones come. Thread-safe (one mutex; nothing slow is done under it).
 */

typedef struct tracuu_session_table tracuu_session_table;

/* The size of a session's stamp, in bytes. */
#define TRACUU_SESSION_STAMP_LEN 32

/* A table of at most @max_sessions (at least 1). Caller frees with tracuu_session_table_free(). */
tracuu_session_table *tracuu_session_table_new(guint max_sessions);
void tracuu_session_table_free(tracuu_session_table *table); /* NULL accepted */

/*
 * Opens a session for @user that lasts @lifetime_us microseconds from now, with @stamp (what
 * the caller compares at each request). Returns the token for the cookie: the only copy, the
 * table keeps its hash. Caller frees with g_free().
 */
char *tracuu_session_table_open(tracuu_session_table *table, const char *user,
                                const guint8 stamp[TRACUU_SESSION_STAMP_LEN], gint64 lifetime_us);

/*
 * The user of the live session whose token is @token, or NULL (unknown, expired: an expired one
 * is dropped now). When found, its stamp is copied into @stamp. Caller frees with g_free().
 */
char *tracuu_session_table_lookup(tracuu_session_table *table, const char *token,
                                  guint8 stamp[TRACUU_SESSION_STAMP_LEN]);

/* Drops the session of @token; FALSE when there was none. */
gboolean tracuu_session_table_close(tracuu_session_table *table, const char *token);

/* The sessions held (expired ones not yet purged included). */
guint tracuu_session_table_get_size(tracuu_session_table *table);

/* The stamp of a user's password hash string @password (NULL: a user without one). */
void tracuu_session_stamp(const char *password, guint8 out[TRACUU_SESSION_STAMP_LEN]);

G_END_DECLS
