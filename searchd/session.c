/* session.c - login sessions by the hash of their token, bounded, oldest out first. */
#include "session.h"

#include <string.h>

#include "tracuu-conf.h"

typedef struct {
    guint8 hash[TRACUU_TOKEN_HASH_LEN]; /* first: the key of the table points at it */
    guint8 stamp[TRACUU_SESSION_STAMP_LEN];
    char *user;
    gint64 expires; /* monotonic time, microseconds */
    GList *link;    /* in order, oldest first */
} session;

struct tracuu_session_table {
    GMutex lock;
    GHashTable *by_hash; /* hash (borrowed from the session) -> session * */
    GQueue order;        /* session *, by opening time: oldest at the head */
    guint max;
};

/* The token is random, so its hash's first bytes are as good a hash as any. */
static guint
hash_hash(gconstpointer key)
{
    guint h;
    memcpy(&h, key, sizeof h);
    return h;
}

static gboolean
hash_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, TRACUU_TOKEN_HASH_LEN) == 0;
}

static void
session_free(gpointer data)
{
    session *s = data;
    g_free(s->user);
    g_free(s);
}

tracuu_session_table *
tracuu_session_table_new(guint max_sessions)
{
    tracuu_session_table *t = g_new0(tracuu_session_table, 1);
    g_mutex_init(&t->lock);
    t->by_hash = g_hash_table_new_full(hash_hash, hash_equal, NULL, session_free);
    g_queue_init(&t->order);
    t->max = MAX(max_sessions, 1u);
    return t;
}

void
tracuu_session_table_free(tracuu_session_table *table)
{
    if (!table)
        return;
    g_queue_clear(&table->order);
    g_hash_table_unref(table->by_hash);
    g_mutex_clear(&table->lock);
    g_free(table);
}

/* Under the lock. */
static void
drop(tracuu_session_table *t, session *s)
{
    g_queue_delete_link(&t->order, s->link);
    g_hash_table_remove(t->by_hash, s->hash);
}

char *
tracuu_session_table_open(tracuu_session_table *table, const char *user,
                          const guint8 stamp[TRACUU_SESSION_STAMP_LEN], gint64 lifetime_us)
{
    char hex[2 * TRACUU_TOKEN_HASH_LEN + 1];
    /* tracuu_token_new(): 32 random bytes in URL-safe base64, the same as a bearer token. */
    char *token = tracuu_token_new(hex);
    session *s = g_new0(session, 1);
    tracuu_token_hash(token, strlen(token), s->hash);
    memcpy(s->stamp, stamp, TRACUU_SESSION_STAMP_LEN);
    s->user = g_strdup(user);
    gint64 now = g_get_monotonic_time();
    s->expires = now + MAX(lifetime_us, 1);

    g_mutex_lock(&table->lock);
    /* The oldest first: those expired (the lifetime may differ between sessions after a
     * reload, so the scan stops at the first live one rather than guessing), then, when still
     * full, the oldest live one. */
    session *head;
    while ((head = g_queue_peek_head(&table->order)) && head->expires <= now)
        drop(table, head);
    while (table->order.length >= table->max)
        drop(table, g_queue_peek_head(&table->order));
    g_queue_push_tail(&table->order, s);
    s->link = table->order.tail;
    g_hash_table_insert(table->by_hash, s->hash, s);
    g_mutex_unlock(&table->lock);
    return token;
}

char *
tracuu_session_table_lookup(tracuu_session_table *table, const char *token,
                            guint8 stamp[TRACUU_SESSION_STAMP_LEN])
{
    guint8 hash[TRACUU_TOKEN_HASH_LEN];
    tracuu_token_hash(token, strlen(token), hash);
    char *user = NULL;
    g_mutex_lock(&table->lock);
    session *s = g_hash_table_lookup(table->by_hash, hash);
    if (s && s->expires <= g_get_monotonic_time()) {
        drop(table, s);
    } else if (s) {
        user = g_strdup(s->user);
        memcpy(stamp, s->stamp, TRACUU_SESSION_STAMP_LEN);
    }
    g_mutex_unlock(&table->lock);
    return user;
}

gboolean
tracuu_session_table_close(tracuu_session_table *table, const char *token)
{
    guint8 hash[TRACUU_TOKEN_HASH_LEN];
    tracuu_token_hash(token, strlen(token), hash);
    g_mutex_lock(&table->lock);
    session *s = g_hash_table_lookup(table->by_hash, hash);
    if (s)
        drop(table, s);
    g_mutex_unlock(&table->lock);
    return s != NULL;
}

guint
tracuu_session_table_get_size(tracuu_session_table *table)
{
    g_mutex_lock(&table->lock);
    guint n = table->order.length;
    g_mutex_unlock(&table->lock);
    return n;
}

void
tracuu_session_stamp(const char *password, guint8 out[TRACUU_SESSION_STAMP_LEN])
{
    const char *p = password ? password : "";
    tracuu_token_hash(p, strlen(p), out);
}
