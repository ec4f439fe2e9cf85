/* test-session.c - the login sessions: tokens kept as hashes, expiry, the bound, closing. */
#include <string.h>

#include "session.h"
#include "tracuu-test.h"

#define HOUR (G_USEC_PER_SEC * (gint64)3600)

static void
stamp_of(const char *password, guint8 out[TRACUU_SESSION_STAMP_LEN])
{
    tracuu_session_stamp(password, out);
}

/* A token opens its session, with its user and stamp; another token, or none, opens nothing. */
static void
test_open_lookup_close(void)
{
    g_autoptr(GRegex) re = g_regex_new("^[A-Za-z0-9_-]{43}$", 0, 0, NULL);
    tracuu_session_table *t = tracuu_session_table_new(10);
    guint8 st[TRACUU_SESSION_STAMP_LEN], got[TRACUU_SESSION_STAMP_LEN];
    stamp_of("$argon2id$x", st);
    g_autofree char *a = tracuu_session_table_open(t, "anh", st, HOUR);
    g_autofree char *b = tracuu_session_table_open(t, "binh", st, HOUR);
    g_assert_true(g_regex_match(re, a, 0, NULL));
    g_assert_cmpstr(a, !=, b);
    g_autofree char *ua = tracuu_session_table_lookup(t, a, got);
    g_assert_cmpstr(ua, ==, "anh");
    g_assert_cmpmem(got, sizeof got, st, sizeof st);
    g_autofree char *ub = tracuu_session_table_lookup(t, b, got);
    g_assert_cmpstr(ub, ==, "binh");
    g_assert_null(
        tracuu_session_table_lookup(t, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", got));
    g_assert_null(tracuu_session_table_lookup(t, "", got));
    g_assert_true(tracuu_session_table_close(t, a));
    g_assert_false(tracuu_session_table_close(t, a));
    g_assert_null(tracuu_session_table_lookup(t, a, got));
    g_autofree char *ub2 = tracuu_session_table_lookup(t, b, got);
    g_assert_cmpstr(ub2, ==, "binh");
    g_assert_cmpuint(tracuu_session_table_get_size(t), ==, 1);
    tracuu_session_table_free(t);
    tracuu_session_table_free(NULL);
}

/* Stamps differ with the password hash; a user without one has a stamp of its own. */
static void
test_stamps(void)
{
    guint8 a[TRACUU_SESSION_STAMP_LEN], b[TRACUU_SESSION_STAMP_LEN], c[TRACUU_SESSION_STAMP_LEN];
    stamp_of("$argon2id$one", a);
    stamp_of("$argon2id$two", b);
    stamp_of(NULL, c);
    g_assert_true(memcmp(a, b, sizeof a) != 0);
    g_assert_true(memcmp(a, c, sizeof a) != 0);
    stamp_of("$argon2id$one", b);
    g_assert_cmpmem(a, sizeof a, b, sizeof b);
}

/* A session ends at its time, and expired ones are purged when a new one opens. */
static void
test_expiry(void)
{
    tracuu_session_table *t = tracuu_session_table_new(10);
    guint8 st[TRACUU_SESSION_STAMP_LEN], got[TRACUU_SESSION_STAMP_LEN];
    stamp_of("x", st);
    g_autofree char *short1 = tracuu_session_table_open(t, "a", st, 20000);
    g_autofree char *short2 = tracuu_session_table_open(t, "b", st, 20000);
    g_autofree char *u = tracuu_session_table_lookup(t, short1, got);
    g_assert_cmpstr(u, ==, "a");
    g_usleep(50000);
    g_assert_null(tracuu_session_table_lookup(t, short1, got));
    g_assert_cmpuint(tracuu_session_table_get_size(t), ==, 1);
    g_autofree char *live = tracuu_session_table_open(t, "c", st, HOUR);
    g_assert_cmpuint(tracuu_session_table_get_size(t), ==, 1); /* short2 purged */
    g_assert_null(tracuu_session_table_lookup(t, short2, got));
    tracuu_session_table_free(t);
}

/* Past the bound, the oldest session goes first. */
static void
test_bound(void)
{
    tracuu_session_table *t = tracuu_session_table_new(3);
    guint8 st[TRACUU_SESSION_STAMP_LEN], got[TRACUU_SESSION_STAMP_LEN];
    stamp_of("x", st);
    char *tok[5];
    for (int i = 0; i < 5; i++) {
        g_autofree char *name = g_strdup_printf("u%d", i);
        tok[i] = tracuu_session_table_open(t, name, st, HOUR);
    }
    g_assert_cmpuint(tracuu_session_table_get_size(t), ==, 3);
    for (int i = 0; i < 5; i++) {
        g_autofree char *u = tracuu_session_table_lookup(t, tok[i], got);
        g_autofree char *want = i < 2 ? NULL : g_strdup_printf("u%d", i);
        g_assert_cmpstr(u, ==, want);
        g_free(tok[i]);
    }
    tracuu_session_table_free(t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/session/open, lookup, close", test_open_lookup_close);
    g_test_add_func("/session/stamps", test_stamps);
    g_test_add_func("/session/expiry", test_expiry);
    g_test_add_func("/session/bound", test_bound);
    return g_test_run();
}
