/* auth-delay.c - failed authentications counted per peer, shared by the socket and HTTP. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "auth-delay.h"

#define AUTH_DELAY_FIRST_MS 250
#define AUTH_DELAY_MAX_MS 10000
#define AUTH_FAILURE_MEMORY (15 * 60 * G_USEC_PER_SEC)
#define MAX_FAILING_PEERS 65536

typedef struct {
    guint count;
    gint64 last;
} failure;

struct tracuu_auth_delay {
    GMutex lock;
    GHashTable *failures; /* peer key -> failure * */
};

tracuu_auth_delay *
tracuu_auth_delay_new(void)
{
    tracuu_auth_delay *d = g_new0(tracuu_auth_delay, 1);
    g_mutex_init(&d->lock);
    d->failures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return d;
}

void
tracuu_auth_delay_free(tracuu_auth_delay *delay)
{
    if (!delay)
        return;
    g_hash_table_unref(delay->failures);
    g_mutex_clear(&delay->lock);
    g_free(delay);
}

static void
forget_old_locked(tracuu_auth_delay *d)
{
    gint64 now = g_get_monotonic_time();
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, d->failures);
    while (g_hash_table_iter_next(&it, NULL, &value))
        if (now - ((failure *)value)->last > AUTH_FAILURE_MEMORY)
            g_hash_table_iter_remove(&it);
}

void
tracuu_auth_delay_forget_old(tracuu_auth_delay *delay)
{
    g_mutex_lock(&delay->lock);
    forget_old_locked(delay);
    g_mutex_unlock(&delay->lock);
}

gint64
tracuu_auth_delay_note_failure(tracuu_auth_delay *delay, const char *key, guint *count)
{
    gint64 now = g_get_monotonic_time();
    gint64 ms = AUTH_DELAY_MAX_MS;
    g_mutex_lock(&delay->lock);
    failure *f = g_hash_table_lookup(delay->failures, key);
    if (!f) {
        if (g_hash_table_size(delay->failures) >= MAX_FAILING_PEERS)
            forget_old_locked(delay);
        /* So many peers failing at once is an attack from many addresses: each new one
         * waits the longest rather than the table growing without bound. */
        if (g_hash_table_size(delay->failures) >= MAX_FAILING_PEERS) {
            *count = 0;
            goto out;
        }
        f = g_new0(failure, 1);
        g_hash_table_insert(delay->failures, g_strdup(key), f);
    } else if (now - f->last > AUTH_FAILURE_MEMORY) {
        f->count = 0;
    }
    f->count++;
    f->last = now;
    *count = f->count;
    if (f->count < 2) {
        ms = 0;
    } else {
        guint doublings = MIN(f->count - 2, 16u);
        ms = MIN((gint64)AUTH_DELAY_FIRST_MS << doublings, (gint64)AUTH_DELAY_MAX_MS);
    }
out:
    g_mutex_unlock(&delay->lock);
    return ms;
}

char *
tracuu_auth_delay_peer_key(const struct sockaddr *sa, const char *fallback)
{
    char buf[INET6_ADDRSTRLEN];
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf))
            return g_strdup(buf);
    } else if (sa && sa->sa_family == AF_INET6) {
        struct in6_addr a = ((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&a)) {
            if (inet_ntop(AF_INET, &a.s6_addr[12], buf, sizeof buf))
                return g_strdup(buf);
        } else {
            memset(&a.s6_addr[8], 0, 8);
            if (inet_ntop(AF_INET6, &a, buf, sizeof buf))
                return g_strdup_printf("%s/64", buf);
        }
    }
    return g_strdup(fallback);
}
