/* identity.h - who is asking: the caller of a request, as tracuu-searchd established it. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "tracuu-conf.h"

G_BEGIN_DECLS

/*
 * Every request reaches the engine with the identity of its connection, or with none before
 * the caller has authenticated (tracuu-searchd then answers "unauthorized" itself, except to
 * ping and auth). What a document's visibility depends on is all here, copied from the
 * configuration, so that the engine builds its filter from this struct alone and a reload
 * that frees the old configuration cannot pull it away from a request under way.
 * docs/access-control.md describes the model.
 */

/* The user name of the identity tracuu-searchd gives when no user is configured. */
#define TRACUU_IDENTITY_LOCAL_OWNER "anonymous-local-owner"

typedef enum {
    TRACUU_IDENTITY_VIA_LOCAL_OWNER, /* no users configured: the archive's own person */
    TRACUU_IDENTITY_VIA_PEER_CRED,   /* Unix socket: SO_PEERCRED uid named by a user */
    TRACUU_IDENTITY_VIA_TOKEN,       /* {"op":"auth","token":...} with a user's token */
    TRACUU_IDENTITY_VIA_SESSION,     /* HTTP: the session cookie of a password login */
} tracuu_identity_via;

/* Read-only once made; shared between threads by reference counting. */
typedef struct {
    const char *user;          /* the [user NAME], or TRACUU_IDENTITY_LOCAL_OWNER */
    const char *const *labels; /* NULL-terminated, never NULL */
    tracuu_level clearance;    /* the highest level it may see */
    const char *const *emails; /* NULL-terminated, never NULL; ASCII lower case */
    gboolean admin;            /* sees every document (the local owner is one) */
    gboolean default_public;   /* [access] default: unlabelled documents are for everyone */
    tracuu_identity_via via;
} tracuu_identity;

/* The identity of the local owner: admin, cleared for every level. Caller unrefs. */
tracuu_identity *tracuu_identity_new_local_owner(void);

/* The identity of @user of @conf (copied: @conf may be freed after). Caller unrefs. */
tracuu_identity *tracuu_identity_new_for_user(const tracuu_conf *conf, const tracuu_conf_user *user,
                                              tracuu_identity_via via);

tracuu_identity *tracuu_identity_ref(tracuu_identity *identity);
void tracuu_identity_unref(tracuu_identity *identity); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_identity, tracuu_identity_unref)

/*
 * The identity a connection has before any auth request: with no user in @conf, the local
 * owner (whatever the channel: tracuu-searchd refuses to listen where that would be unsafe);
 * otherwise, on the Unix socket (@has_uid, the peer's @uid from SO_PEERCRED), the user whose
 * unix-uid or unix-user is @uid; otherwise NULL: the caller must authenticate.
 */
tracuu_identity *tracuu_identity_for_peer(const tracuu_conf *conf, gboolean has_uid, uid_t uid);

/* The identity of the user whose token hashes to @hash, or NULL (tracuu_conf_find_user_by_
 * token_hash: constant time). */
tracuu_identity *tracuu_identity_for_token_hash(const tracuu_conf *conf,
                                                const guint8 hash[TRACUU_TOKEN_HASH_LEN]);

/* The user name of @identity for logs: "-" for NULL (not authenticated). */
const char *tracuu_identity_get_log_name(const tracuu_identity *identity);

G_END_DECLS
