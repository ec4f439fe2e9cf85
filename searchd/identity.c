/* identity.c - the caller's identity, copied out of the configuration for one connection. */
#include "identity.h"

/* The struct and the strings it points to, owned together. */
typedef struct {
    tracuu_identity pub;
    char *user;
    char **labels, **emails;
} identity;

static void
identity_clear(gpointer data)
{
    identity *id = data;
    g_free(id->user);
    g_strfreev(id->labels);
    g_strfreev(id->emails);
}

static tracuu_identity *
make(const char *user, const char *const *labels, const char *const *emails, tracuu_level clearance,
     gboolean admin, gboolean default_public, tracuu_identity_via via)
{
    identity *id = g_atomic_rc_box_new0(identity);
    id->user = g_strdup(user);
    id->labels = g_strdupv((char **)labels);
    id->emails = g_strdupv((char **)emails);
    id->pub.user = id->user;
    id->pub.labels = (const char *const *)id->labels;
    id->pub.emails = (const char *const *)id->emails;
    id->pub.clearance = clearance;
    id->pub.admin = admin;
    id->pub.default_public = default_public;
    id->pub.via = via;
    return &id->pub;
}

tracuu_identity *
tracuu_identity_new_local_owner(void)
{
    static const char *const none[] = {NULL};
    return make(TRACUU_IDENTITY_LOCAL_OWNER, none, none, TRACUU_LEVEL_TUYET_MAT, TRUE, TRUE,
                TRACUU_IDENTITY_VIA_LOCAL_OWNER);
}

tracuu_identity *
tracuu_identity_new_for_user(const tracuu_conf *conf, const tracuu_conf_user *user,
                             tracuu_identity_via via)
{
    return make(user->name, user->labels, user->emails, user->clearance, user->admin,
                tracuu_conf_get_default_public(conf), via);
}

tracuu_identity *
tracuu_identity_ref(tracuu_identity *identity)
{
    /* pub is the first member: the box starts at it. */
    return g_atomic_rc_box_acquire(identity);
}

void
tracuu_identity_unref(tracuu_identity *identity)
{
    if (identity)
        g_atomic_rc_box_release_full(identity, identity_clear);
}

tracuu_identity *
tracuu_identity_for_peer(const tracuu_conf *conf, gboolean has_uid, uid_t uid)
{
    if (tracuu_conf_get_n_users(conf) == 0)
        return tracuu_identity_new_local_owner();
    const tracuu_conf_user *u = has_uid ? tracuu_conf_find_user_by_uid(conf, uid) : NULL;
    return u ? tracuu_identity_new_for_user(conf, u, TRACUU_IDENTITY_VIA_PEER_CRED) : NULL;
}

tracuu_identity *
tracuu_identity_for_token_hash(const tracuu_conf *conf, const guint8 hash[TRACUU_TOKEN_HASH_LEN])
{
    const tracuu_conf_user *u = tracuu_conf_find_user_by_token_hash(conf, hash);
    return u ? tracuu_identity_new_for_user(conf, u, TRACUU_IDENTITY_VIA_TOKEN) : NULL;
}

const char *
tracuu_identity_get_log_name(const tracuu_identity *identity)
{
    return identity ? identity->user : "-";
}
