/* test-conf.c - the configuration file and the access map: values, errors with lines, globs. */
#include <string.h>
#include <unistd.h>

#include "tracuu-conf.h"
#include "tracuu-test.h"

#define HASH_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" /* "test" */
#define HASH_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752" /* "test2" */

/* ---- configuration: errors ---- */

typedef struct {
    const char *text;
    int code;          /* -1: loads */
    const char *where; /* "t.conf:LINE:" expected at the start of the message */
    const char *says;  /* and this in it */
} conf_case;

static const conf_case conf_cases[] = {
    {"", -1, NULL, NULL},
    {"# only a comment\n\n", -1, NULL, NULL},
    {"[index]\ndb = /var/lib/tracuu/db\n", -1, NULL, NULL},
    {"[access]\ndefault = public          # documents with no label\n", -1, NULL, NULL},
    {"[user anh]\nlabels = so-tttt;van-phong\nclearance = mat\nemails = Anh@X.vn\n"
     "unix-uid = 1001\ntoken-sha256 = " HASH_A "\nadmin = false\n",
     -1, NULL, NULL},
    {"[index]\n\n[bogus]\n", TRACUU_CONF_ERROR_UNKNOWN, "t.conf:3:", "[bogus]"},
    {"[searchd]\nsocket = /run/x\nsockett = /run/y\n", TRACUU_CONF_ERROR_UNKNOWN,
     "t.conf:3:", "sockett"},
    {"[user anh]\nlabel = x\n", TRACUU_CONF_ERROR_UNKNOWN, "t.conf:2:", "label"},
    {"[user anh]\n[user bao]\n[user anh]\n", TRACUU_CONF_ERROR_DUPLICATE,
     "t.conf:3:", "duplicate user"},
    {"[searchd]\n[searchd]\n", TRACUU_CONF_ERROR_DUPLICATE, "t.conf:2:", "duplicate group"},
    {"[searchd]\nthreads = 2\nthreads = 3\n", TRACUU_CONF_ERROR_DUPLICATE,
     "t.conf:3:", "duplicate key"},
    {"[user a]\ntoken-sha256 = " HASH_A "\n[user b]\ntoken-sha256 = " HASH_B
     "\n[user c]\ntoken-sha256 = " HASH_A "\n",
     TRACUU_CONF_ERROR_DUPLICATE, "t.conf:5:", "duplicate token hash"},
    {"[user a]\nunix-uid = 7\n[user b]\n\nunix-uid = 7\n", TRACUU_CONF_ERROR_DUPLICATE,
     "t.conf:5:", "duplicate uid"},
    {"[user a]\nunix-uid = 0\n[user b]\nunix-user = root\n", TRACUU_CONF_ERROR_DUPLICATE,
     "t.conf:4:", "duplicate uid"},
    {"[user a]\nunix-user = no-such-user-here\n", TRACUU_CONF_ERROR_VALUE,
     "t.conf:2:", "no Unix user"},
    {"[user a]\nunix-user = root\nunix-uid = 0\n", TRACUU_CONF_ERROR_VALUE,
     "t.conf:3:", "not both"},
    {"[user a]\ntoken-sha256 = abc\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "64 hex"},
    {"[user a]\ntoken-sha256 = " HASH_A "0\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "64 hex"},
    {"[user a]\npassword = $argon2id$v=19$m=65536,t=2,p=1$ImqOnfF19nZZFl2gNp8ZQg$CM0O+6u4pSEk4f+L+QBjSpViggkQNr7foha0xDYavD4\n", -1, NULL, NULL},
    {"[user a]\npassword = hunter2\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "Argon2id"},
    {"[user a]\npassword = $2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW\n",
     TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "Argon2id"},
    {"[user a]\npassword = $argon2i$v=19$m=65536,t=2,p=1$ImqOnfF19nZZFl2gNp8ZQg$CM0O+6u4pSEk4f+L+"
     "QBjSpViggkQNr7foha0xDYavD4\n",
     TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "Argon2id"},
    {"[user a]\npassword = $argon2id$v=19$m=65536,t=2\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:",
     "Argon2id"},
    {"[searchd]\nsession-hours = 0.001\n", -1, NULL, NULL},
    {"[searchd]\nsession-hours = -1\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "more than 0"},
    {"[searchd]\nsession-hours = 0\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "more than 0"},
    {"[searchd]\nsession-hours = 9000\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "at most 8784"},
    {"[user a]\nclearance = secret\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "toi-mat"},
    {"[user a]\nlabels = ok;Bad Label\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "Bad Label"},
    {"[user a]\nemails = nobody\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "e-mail"},
    {"[user a]\nadmin = yes\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "true or false"},
    {"[user anonymous-local-owner]\n", TRACUU_CONF_ERROR_VALUE, "t.conf:1:", "NAME"},
    {"[user a b]\n", TRACUU_CONF_ERROR_VALUE, "t.conf:1:", "NAME"},
    {"[user ]\n", TRACUU_CONF_ERROR_VALUE, "t.conf:1:", "NAME"},
    {"[searchd]\nthreads = many\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "whole number"},
    {"[searchd]\nthreads = 99999\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "whole number"},
    {"[searchd]\ntimeout = nan\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "a number"},
    {"[searchd]\nsocket-mode = 0666\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "octal"},
    {"[searchd]\nallow-remote = 1\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "true or false"},
    {"[searchd]\nsocket =\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "empty"},
    {"[access]\ndefault = open\n", TRACUU_CONF_ERROR_VALUE, "t.conf:2:", "public or deny"},
    {"[access]\nmap = /nonexistent/access.map\n", TRACUU_CONF_ERROR_READ,
     "t.conf:2:", "cannot read"},
    {"db = x\n", TRACUU_CONF_ERROR_SYNTAX, "t.conf:1:", "before any [group]"},
    {"[index]\njust words\n", TRACUU_CONF_ERROR_SYNTAX, "t.conf:2:", "key = value"},
    {"[index] x\n", TRACUU_CONF_ERROR_SYNTAX, "t.conf:1:", "alone"},
    {"[index]\ndb = \xff\n", TRACUU_CONF_ERROR_SYNTAX, "t.conf:2:", "UTF-8"},
    {"[index]\ndb[vi] = x\n", TRACUU_CONF_ERROR_UNKNOWN, "t.conf:2:", "db[vi]"},
};

static void
test_conf_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(conf_cases); i++) {
        const conf_case *c = &conf_cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(tracuu_conf) conf =
            tracuu_conf_load_data(c->text, strlen(c->text), "t.conf", "/etc/tracuu", &error);
        g_autofree char *shown = g_strescape(error ? error->message : "loaded", "");
        g_test_message("case %zu: %s", i, shown);
        if (c->code < 0) {
            g_assert_no_error(error);
            g_assert_nonnull(conf);
            continue;
        }
        g_assert_null(conf);
        g_assert_error(error, TRACUU_CONF_ERROR, c->code);
        g_assert_true(g_str_has_prefix(error->message, c->where));
        g_assert_nonnull(strstr(error->message, c->says));
    }
}

/* ---- configuration: values ---- */

static void
test_conf_values(void)
{
    static const char text[] = "# a comment\n"
                               "[index]\n"
                               "db = db   # relative: from the file's folder\n"
                               "[searchd]\n"
                               "socket = /run/tracuu/tracuu.sock\n"
                               "socket-mode = 0660\n"
                               "listen = 127.0.0.1:7700\n"
                               "allow-remote = true\n"
                               "threads = 4\n"
                               "timeout = 2.5\n"
                               "[access]\n"
                               "default = deny\n"
                               "[user anh]\n"
                               "labels = so-tttt; van-phong;\n"
                               "clearance = toi-mat\n"
                               "emails = Anh@STTTT.QuangNam.gov.vn;anh2@x.vn\n"
                               "unix-uid = 1001\n"
                               "token-sha256 = " HASH_A "\n"
                               "[user bao]\n"
                               "admin = true\n"
                               "unix-user = root\n"
                               "socket-group = \\#hash\n";
    g_autoptr(GError) error = NULL;
    /* The last line is an unknown key for a user: checked first, then the same without it. */
    g_autoptr(tracuu_conf) bad =
        tracuu_conf_load_data(text, strlen(text), "t.conf", "/etc/tracuu", &error);
    g_assert_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_UNKNOWN);
    g_assert_true(g_str_has_prefix(error->message, "t.conf:22:"));
    g_clear_error(&error);
    gsize len = strlen(text) - strlen("socket-group = \\#hash\n");
    g_autoptr(tracuu_conf) conf = tracuu_conf_load_data(text, len, "t.conf", "/etc/tracuu", &error);
    g_assert_no_error(error);

    g_assert_cmpstr(tracuu_conf_get_string(conf, "index", "db"), ==, "/etc/tracuu/db");
    g_assert_cmpuint(tracuu_conf_get_line(conf, "index", "db"), ==, 3);
    g_assert_cmpstr(tracuu_conf_get_string(conf, "searchd", "listen"), ==, "127.0.0.1:7700");
    g_assert_null(tracuu_conf_get_string(conf, "searchd", "socket-group"));
    gint64 n = 0;
    g_assert_true(tracuu_conf_get_int(conf, "searchd", "socket-mode", &n));
    g_assert_cmpint(n, ==, 0660);
    g_assert_true(tracuu_conf_get_int(conf, "searchd", "threads", &n));
    g_assert_cmpint(n, ==, 4);
    g_assert_false(tracuu_conf_get_int(conf, "searchd", "split", &n));
    double d = 0;
    g_assert_true(tracuu_conf_get_double(conf, "searchd", "timeout", &d));
    g_assert_cmpfloat(d, ==, 2.5);
    gboolean b = FALSE;
    g_assert_true(tracuu_conf_get_bool(conf, "searchd", "allow-remote", &b));
    g_assert_true(b);
    g_assert_false(tracuu_conf_get_default_public(conf));
    g_assert_null(tracuu_conf_get_access_map(conf));

    g_assert_cmpuint(tracuu_conf_get_n_users(conf), ==, 2);
    const tracuu_conf_user *anh = tracuu_conf_get_user(conf, 0);
    g_assert_cmpstr(anh->name, ==, "anh");
    g_assert_cmpuint(anh->line, ==, 13);
    g_assert_cmpuint(g_strv_length((char **)anh->labels), ==, 2);
    g_assert_cmpstr(anh->labels[0], ==, "so-tttt");
    g_assert_cmpstr(anh->labels[1], ==, "van-phong");
    g_assert_cmpint(anh->clearance, ==, TRACUU_LEVEL_TOI_MAT);
    g_assert_cmpstr(anh->emails[0], ==, "anh@stttt.quangnam.gov.vn");
    g_assert_cmpstr(anh->emails[1], ==, "anh2@x.vn");
    g_assert_true(anh->has_uid);
    g_assert_cmpuint(anh->uid, ==, 1001);
    g_assert_false(anh->admin);
    g_assert_true(anh->has_token);

    const tracuu_conf_user *bao = tracuu_conf_find_user(conf, "bao");
    g_assert_nonnull(bao);
    g_assert_true(bao->admin);
    g_assert_true(bao->has_uid);
    g_assert_cmpuint(bao->uid, ==, 0);
    g_assert_cmpstr(bao->unix_user, ==, "root");
    g_assert_false(bao->has_token);
    g_assert_nonnull(bao->labels);
    g_assert_null(bao->labels[0]);
    g_assert_cmpint(bao->clearance, ==, TRACUU_LEVEL_NONE);

    g_assert_true(tracuu_conf_find_user_by_uid(conf, 1001) == anh);
    g_assert_true(tracuu_conf_find_user_by_uid(conf, 0) == bao);
    g_assert_null(tracuu_conf_find_user_by_uid(conf, 4242));

    guint8 h[TRACUU_TOKEN_HASH_LEN];
    tracuu_token_hash("test", 4, h);
    g_assert_true(tracuu_conf_find_user_by_token_hash(conf, h) == anh);
    tracuu_token_hash("tesu", 4, h);
    g_assert_null(tracuu_conf_find_user_by_token_hash(conf, h));
    /* bao has no token: its all-zero hash field must not match a hash of zeros. */
    memset(h, 0, sizeof h);
    g_assert_null(tracuu_conf_find_user_by_token_hash(conf, h));

    /* A '#' kept in a value with "\#". */
    static const char hashed[] = "[searchd]\nsocket-group = a\\#b # comment\n";
    g_autoptr(tracuu_conf) c2 =
        tracuu_conf_load_data(hashed, strlen(hashed), "t.conf", NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(tracuu_conf_get_string(c2, "searchd", "socket-group"), ==, "a#b");
}

static void
test_conf_files(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("tracuu-conf-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *conf_path = g_build_filename(dir, "tracuu.conf", NULL);
    g_autofree char *map_path = g_build_filename(dir, "access.map", NULL);

    /* An unreadable file names the file. */
    g_autoptr(tracuu_conf) none = tracuu_conf_load(conf_path, &error);
    g_assert_null(none);
    g_assert_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_READ);
    g_assert_true(g_str_has_prefix(error->message, conf_path));
    g_clear_error(&error);

    /* The map is found beside the file and read with it; a bad glob in it gives both lines. */
    g_assert_true(g_file_set_contents(conf_path, "[access]\n\nmap = access.map\n", -1, NULL));
    g_assert_true(g_file_set_contents(map_path, "# rules\n/srv/a a\n/srv/[b b\n", -1, NULL));
    g_autoptr(tracuu_conf) bad = tracuu_conf_load(conf_path, &error);
    g_assert_null(bad);
    g_assert_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_VALUE);
    g_autofree char *want =
        g_strdup_printf("%s:3: map = %s: %s:3: bad glob", conf_path, map_path, map_path);
    g_test_message("%s", error->message);
    g_assert_true(g_str_has_prefix(error->message, want));
    g_clear_error(&error);

    g_assert_true(g_file_set_contents(map_path, "/srv/a a;b mat\n", -1, NULL));
    g_autoptr(tracuu_conf) conf = tracuu_conf_load(conf_path, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(tracuu_conf_get_string(conf, "access", "map"), ==, map_path);
    const tracuu_access_map *map = tracuu_conf_get_access_map(conf);
    g_assert_nonnull(map);
    const tracuu_access_rule *r = tracuu_access_map_lookup(map, "/srv/a/x.pdf");
    g_assert_nonnull(r);
    g_assert_cmpint(r->level, ==, TRACUU_LEVEL_MAT);
    g_assert_cmpstr(r->labels[1], ==, "b");
    tracuu_test_rm_rf(dir);
}

/* The example in the tree is a configuration that loads (its access map aside, which is not
 * on this machine): every key in it is a real key with a valid value. */
static void
test_example_loads(void)
{
    g_autofree char *path = tracuu_test_source_path("docs/tracuu.conf.example");
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_conf) with_map =
        tracuu_conf_load_data(text, strlen(text), "example", "/etc/tracuu", &error);
    g_assert_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_READ);
    g_assert_nonnull(strstr(error->message, "map = /etc/tracuu/access.map"));
    g_clear_error(&error);
    char *map = strstr(text, "map = ");
    g_assert_nonnull(map);
    map[0] = '#';
    g_autoptr(tracuu_conf) conf =
        tracuu_conf_load_data(text, strlen(text), "example", "/etc/tracuu", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(tracuu_conf_get_n_users(conf), ==, 3);
    g_assert_cmpstr(tracuu_conf_get_string(conf, "index", "db"), ==, "/var/lib/tracuu/db");
    g_assert_true(tracuu_conf_find_user(conf, "quantri")->admin);
}

/* ---- tokens ---- */

static void
test_tokens(void)
{
    char hex[2 * TRACUU_TOKEN_HASH_LEN + 1];
    g_autofree char *t1 = tracuu_token_new(hex);
    g_autofree char *t2 = tracuu_token_new(hex);
    g_assert_cmpuint(strlen(t1), ==, 43);
    g_assert_cmpstr(t1, !=, t2);
    /* The hex printed is the SHA-256 of the token as typed, what sha256sum gives. */
    g_autofree char *want = g_compute_checksum_for_string(G_CHECKSUM_SHA256, t2, -1);
    g_assert_cmpstr(hex, ==, want);
    for (const char *p = t1; *p; p++)
        g_assert_true(g_ascii_isalnum(*p) || *p == '-' || *p == '_');
}

/* ---- access map: errors ---- */

static const conf_case map_cases[] = {
    {"", -1, NULL, NULL},
    {"# nothing\n\n   # indented comment\n", -1, NULL, NULL},
    {"/srv/a so-tttt\n", -1, NULL, NULL},
    {"/srv/a so-tttt;van-phong toi-mat # why\n", -1, NULL, NULL},
    {"\"/srv/Công văn đến\" van-phong\n", -1, NULL, NULL},
    {"/srv/Công\\ văn - mat\n", -1, NULL, NULL},
    {"**/*.eml mail\n", -1, NULL, NULL},
    {"/srv/a\n", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "labels missing"},
    {"/srv/a a mat extra\n", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "GLOB LABEL"},
    {"\n/srv/a a secret\n", TRACUU_CONF_ERROR_VALUE, "m:2:", "not a level"},
    {"/srv/a A\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "label"},
    {"/srv/a a;;b\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "empty label"},
    {"/srv/a a;\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "empty label"},
    {"srv/a a\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "absolute"},
    {"*/a a\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "absolute"},
    {"/srv/[ab a\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "'['"},
    {"/srv/[z-a] a\n", TRACUU_CONF_ERROR_VALUE, "m:1:", "range"},
    {"/srv/a\\ a\n", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "labels missing"},
    {"/srv/x\\", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "labels missing"},
    {"\"/srv/a a\n", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "quoted"},
    {"\"/srv/a\"b a\n", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "quoted"},
    {"/srv/\xc3 a\n", TRACUU_CONF_ERROR_SYNTAX, "m:1:", "UTF-8"},
};

/* A hash from tracuu_password_hash() is a password line the configuration takes, and it
 * verifies its password and no other. */
static void
test_passwords(void)
{
    g_autofree char *hash = tracuu_password_hash("mật khẩu", strlen("mật khẩu"));
    g_assert_nonnull(hash);
    g_assert_true(g_str_has_prefix(hash, "$argon2id$"));
    g_autofree char *text = g_strdup_printf("[user a]\npassword = %s\n[user b]\n", hash);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_conf) conf = tracuu_conf_load_data(text, strlen(text), "t.conf", NULL, &error);
    g_assert_no_error(error);
    const tracuu_conf_user *a = tracuu_conf_find_user(conf, "a");
    g_assert_cmpstr(a->password, ==, hash);
    g_assert_null(tracuu_conf_find_user(conf, "b")->password);
    g_assert_true(tracuu_password_verify(a->password, "mật khẩu", strlen("mật khẩu")));
    g_assert_false(tracuu_password_verify(a->password, "mat khau", strlen("mat khau")));
    /* Salted: the same password hashes differently each time. */
    g_autofree char *again = tracuu_password_hash("mật khẩu", strlen("mật khẩu"));
    g_assert_cmpstr(again, !=, hash);
}

static void
test_map_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(map_cases); i++) {
        const conf_case *c = &map_cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(tracuu_access_map) map =
            tracuu_access_map_parse(c->text, strlen(c->text), "m", &error);
        g_autofree char *shown = g_strescape(error ? error->message : "parsed", "");
        g_test_message("map case %zu: %s", i, shown);
        if (c->code < 0) {
            g_assert_no_error(error);
            g_assert_nonnull(map);
            continue;
        }
        g_assert_null(map);
        g_assert_error(error, TRACUU_CONF_ERROR, c->code);
        g_assert_true(g_str_has_prefix(error->message, c->where));
        g_assert_nonnull(strstr(error->message, c->says));
    }
}

/* ---- access map: lookups ---- */

typedef struct {
    const char *glob;
    const char *path;
    gboolean match;
} glob_case;

static const glob_case glob_cases[] = {
    {"/srv/a", "/srv/a", TRUE},
    {"/srv/a", "/srv/a/x.pdf", TRUE}, /* a folder covers what is below it */
    {"/srv/a", "/srv/a/b/c/x.pdf", TRUE},
    {"/srv/a/", "/srv/a/x.pdf", TRUE},
    {"/srv/a", "/srv/ab/x.pdf", FALSE},
    {"/srv/a", "/srv", FALSE},
    {"/srv/*/mat", "/srv/so-tttt/mat/x.pdf", TRUE},
    {"/srv/*/mat", "/srv/a/b/mat/x.pdf", FALSE}, /* '*' stops at '/' */
    {"/srv/**/mat", "/srv/a/b/mat/x.pdf", TRUE},
    {"/srv/**/mat", "/srv/mat/x.pdf", TRUE}, /* "**" then "/" may be no folder */
    {"/srv/**", "/srv/a/b", TRUE},
    {"/srv/**", "/srv", FALSE},
    {"**/*.eml", "/home/anh/mail/x.eml", TRUE},
    {"**/*.eml", "/home/anh/mail/x.pdf", FALSE},
    {"/srv/*.pdf", "/srv/a.pdf", TRUE},
    {"/srv/*.pdf", "/srv/.pdf", TRUE},
    {"/srv/*.pdf", "/srv/a.pdfx", FALSE},
    {"/srv/?.pdf", "/srv/đ.pdf", TRUE}, /* '?' is one character, not one byte */
    {"/srv/?.pdf", "/srv/ab.pdf", FALSE},
    {"/srv/?", "/srv/a/b", TRUE},
    {"/srv/[abc]x", "/srv/bx", TRUE},
    {"/srv/[!abc]x", "/srv/bx", FALSE},
    {"/srv/[!abc]x", "/srv/dx", TRUE},
    {"/srv/[a-c]x", "/srv/cx", TRUE},
    {"/srv/[]]x", "/srv/]x", TRUE},
    {"/srv/[đĐ]x", "/srv/Đx", TRUE},
    {"/srv/[!a]x", "/srv//x", FALSE}, /* a class never takes '/' */
    {"/srv/\\*", "/srv/*", TRUE},
    {"/srv/\\*", "/srv/a", FALSE},
    {"/srv/Công văn", "/srv/Công văn/x.pdf", TRUE},
    /* NFD path (a file copied from a Mac) against an NFC glob. */
    {"/srv/Công văn", "/srv/Co\xcc\x82ng va\xcc\x86n/x.pdf", TRUE},
    {"/srv/*", "/srv/\xff\xfe", TRUE},     /* invalid UTF-8: bytes, still matched by '*' */
    {"/srv/\xc3\xbf", "/srv/\xff", FALSE}, /* and never equal to a character */
    {"/srv/*a*a*a*a*a*a*a*a*b", "/srv/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     FALSE},
    {"/srv/**a**a**a**a**a**a**b",
     "/srv/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", FALSE},
};

static void
test_glob_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(glob_cases); i++) {
        const glob_case *c = &glob_cases[i];
        g_autofree char *text = g_strdup_printf("\"%s\" x\n", c->glob);
        g_autoptr(GError) error = NULL;
        g_autoptr(tracuu_access_map) map = tracuu_access_map_parse(text, strlen(text), "m", &error);
        g_assert_no_error(error);
        gboolean got = tracuu_access_map_lookup(map, c->path) != NULL;
        g_autofree char *shown = g_strescape(c->path, "");
        g_test_message("glob %zu: %s vs %s: %d", i, c->glob, shown, got);
        g_assert_cmpint(got, ==, c->match);
    }
}

static void
test_first_match_wins(void)
{
    static const char text[] = "# the exception first: a public corner of a unit's folder\n"
                               "/srv/so-tttt/cong-khai -\n"
                               "/srv/so-tttt/mat so-tttt;lanh-dao mat\n"
                               "/srv/so-tttt so-tttt\n"
                               "**/*.eml mail\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_access_map) map = tracuu_access_map_parse(text, strlen(text), "m", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(tracuu_access_map_get_n_rules(map), ==, 4);

    const tracuu_access_rule *r = tracuu_access_map_lookup(map, "/srv/so-tttt/cong-khai/a.pdf");
    g_assert_nonnull(r);
    g_assert_cmpuint(r->line, ==, 2);
    g_assert_null(r->labels[0]);
    g_assert_cmpint(r->level, ==, TRACUU_LEVEL_NONE);

    r = tracuu_access_map_lookup(map, "/srv/so-tttt/mat/b.pdf");
    g_assert_cmpuint(r->line, ==, 3);
    g_assert_cmpstr(r->labels[0], ==, "so-tttt");
    g_assert_cmpstr(r->labels[1], ==, "lanh-dao");
    g_assert_null(r->labels[2]);
    g_assert_cmpint(r->level, ==, TRACUU_LEVEL_MAT);

    r = tracuu_access_map_lookup(map, "/srv/so-tttt/mail.eml");
    g_assert_cmpuint(r->line, ==, 4); /* the folder's rule comes first */
    r = tracuu_access_map_lookup(map, "/srv/other/mail.eml");
    g_assert_cmpuint(r->line, ==, 5);
    g_assert_null(tracuu_access_map_lookup(map, "/srv/other/a.pdf"));
}

static void
test_levels(void)
{
    for (int l = TRACUU_LEVEL_NONE; l <= TRACUU_LEVEL_TUYET_MAT; l++) {
        tracuu_level back = TRACUU_LEVEL_NONE;
        g_assert_true(tracuu_level_parse(tracuu_level_name((tracuu_level)l), &back));
        g_assert_cmpint(back, ==, l);
    }
    g_assert_true(TRACUU_LEVEL_NONE < TRACUU_LEVEL_MAT && TRACUU_LEVEL_MAT < TRACUU_LEVEL_TOI_MAT &&
                  TRACUU_LEVEL_TOI_MAT < TRACUU_LEVEL_TUYET_MAT);
    tracuu_level x = TRACUU_LEVEL_MAT;
    g_assert_false(tracuu_level_parse("MAT", &x));
    g_assert_cmpint(x, ==, TRACUU_LEVEL_MAT);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/errors name file and line", test_conf_cases);
    g_test_add_func("/conf/values", test_conf_values);
    g_test_add_func("/conf/files and the access map", test_conf_files);
    g_test_add_func("/conf/tokens", test_tokens);
    g_test_add_func("/conf/passwords", test_passwords);
    g_test_add_func("/conf/the example loads", test_example_loads);
    g_test_add_func("/conf/levels", test_levels);
    g_test_add_func("/access-map/errors name file and line", test_map_cases);
    g_test_add_func("/access-map/globs", test_glob_cases);
    g_test_add_func("/access-map/first match wins", test_first_match_wins);
    return g_test_run();
}
