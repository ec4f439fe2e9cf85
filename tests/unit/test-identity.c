/* test-identity.c - the caller's identity as tracuu-searchd derives it from the configuration. */
#include <string.h>

#include "identity.h"

static tracuu_conf *
load(const char *text)
{
    g_autoptr(GError) error = NULL;
    tracuu_conf *conf = tracuu_conf_load_data(text, strlen(text), "t.conf", NULL, &error);
    g_assert_no_error(error);
    return conf;
}

static void
test_no_users(void)
{
    g_autoptr(tracuu_conf) conf = tracuu_conf_new_empty();
    /* Every channel: the daemon refuses to listen where that would be unsafe. */
    for (int has_uid = 0; has_uid <= 1; has_uid++) {
        g_autoptr(tracuu_identity) id = tracuu_identity_for_peer(conf, has_uid, 1234);
        g_assert_nonnull(id);
        g_assert_cmpstr(id->user, ==, TRACUU_IDENTITY_LOCAL_OWNER);
        g_assert_true(id->admin);
        g_assert_cmpint(id->clearance, ==, TRACUU_LEVEL_TUYET_MAT);
        g_assert_cmpint(id->via, ==, TRACUU_IDENTITY_VIA_LOCAL_OWNER);
        g_assert_null(id->labels[0]);
    }
    guint8 h[TRACUU_TOKEN_HASH_LEN] = {0};
    g_assert_null(tracuu_identity_for_token_hash(conf, h));
    g_assert_cmpstr(tracuu_identity_get_log_name(NULL), ==, "-");
}

static void
test_users(void)
{
    tracuu_conf *conf =
        load("[access]\ndefault = deny\n"
             "[user anh]\nlabels = so-tttt;van-phong\nclearance = mat\n"
             "emails = Anh@X.vn\nunix-uid = 1001\n"
             "token-sha256 = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
             "[user boss]\nadmin = true\nunix-uid = 1002\n");
    tracuu_identity *anh = tracuu_identity_for_peer(conf, TRUE, 1001);
    g_assert_nonnull(anh);
    g_assert_cmpint(anh->via, ==, TRACUU_IDENTITY_VIA_PEER_CRED);
    g_assert_null(tracuu_identity_for_peer(conf, TRUE, 1003));  /* unmapped: must auth */
    g_assert_null(tracuu_identity_for_peer(conf, FALSE, 1001)); /* TCP: no uid */
    guint8 h[TRACUU_TOKEN_HASH_LEN];
    tracuu_token_hash("test", 4, h);
    tracuu_identity *by_token = tracuu_identity_for_token_hash(conf, h);
    g_assert_nonnull(by_token);
    g_assert_cmpint(by_token->via, ==, TRACUU_IDENTITY_VIA_TOKEN);
    g_assert_cmpstr(by_token->user, ==, "anh");
    tracuu_identity *boss = tracuu_identity_for_peer(conf, TRUE, 1002);
    g_assert_true(boss->admin);

    /* The identity is a copy: it outlives the configuration (a reload frees the old one). */
    tracuu_identity *held = tracuu_identity_ref(anh);
    tracuu_conf_free(conf);
    tracuu_identity_unref(anh);
    g_assert_cmpstr(held->user, ==, "anh");
    g_assert_cmpstr(held->labels[0], ==, "so-tttt");
    g_assert_cmpstr(held->labels[1], ==, "van-phong");
    g_assert_null(held->labels[2]);
    g_assert_cmpstr(held->emails[0], ==, "anh@x.vn");
    g_assert_cmpint(held->clearance, ==, TRACUU_LEVEL_MAT);
    g_assert_false(held->admin);
    g_assert_false(held->default_public);
    g_assert_cmpstr(tracuu_identity_get_log_name(held), ==, "anh");
    tracuu_identity_unref(held);
    tracuu_identity_unref(by_token);
    tracuu_identity_unref(boss);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/identity/no users: the local owner", test_no_users);
    g_test_add_func("/identity/users by uid and token", test_users);
    return g_test_run();
}
