/* conf.c - the configuration file of the tracuu programs: one key table, errors with lines. */
#include "tracuu-conf.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <sodium.h>
#include <string.h>

G_DEFINE_QUARK(tracuu - conf - error - quark, tracuu_conf_error)

#define MAX_CONF_BYTES (4 * 1024 * 1024)
#define USER_GROUP "user"
/* The name tracuu-searchd gives the caller when no user is configured (identity.h). */
#define RESERVED_USER "anonymous-local-owner"

/* ---- Levels, labels, tokens ---- */

static const char *const level_names[] = {"none", "mat", "toi-mat", "tuyet-mat"};

const char *
tracuu_level_name(tracuu_level level)
{
    return (guint)level < G_N_ELEMENTS(level_names) ? level_names[level] : "none";
}

gboolean
tracuu_level_parse(const char *s, tracuu_level *out)
{
    for (guint i = 0; i < G_N_ELEMENTS(level_names); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (tracuu_level)i;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
tracuu_label_is_valid(const char *s)
{
    gsize n = strlen(s);
    if (n == 0 || n > 64 || !(g_ascii_islower(s[0]) || g_ascii_isdigit(s[0])))
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!(g_ascii_islower(s[i]) || g_ascii_isdigit(s[i]) || strchr("-_.", s[i])))
            return FALSE;
    return TRUE;
}

static void
sodium_ready(void)
{
    static gsize done;
    if (g_once_init_enter(&done)) {
        if (sodium_init() < 0)
            g_error("libsodium cannot initialise");
        g_once_init_leave(&done, 1);
    }
}

void
tracuu_token_hash(const char *token, gsize len, guint8 out[TRACUU_TOKEN_HASH_LEN])
{
    sodium_ready();
    crypto_hash_sha256(out, (const unsigned char *)token, len);
}

char *
tracuu_token_new(char hash_hex[2 * TRACUU_TOKEN_HASH_LEN + 1])
{
    guint8 raw[32], hash[TRACUU_TOKEN_HASH_LEN];
    sodium_ready();
    randombytes_buf(raw, sizeof raw);
    gsize cap = sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *token = g_malloc(cap);
    sodium_bin2base64(token, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    tracuu_token_hash(token, strlen(token), hash);
    sodium_bin2hex(hash_hex, 2 * TRACUU_TOKEN_HASH_LEN + 1, hash, sizeof hash);
    return token;
}

/*
 * The interactive limits (about 64 MiB and a few tenths of a second on today's machines,
 * libsodium's choice for logins) rather than the moderate or sensitive ones: a login waits for
 * one verification, and the HTTP server runs a few at once; a slower hash would let a handful
 * of login attempts take the machine's memory. Guessing stays costly offline all the same.
 */
char *
tracuu_password_hash(const char *password, gsize len)
{
    char out[crypto_pwhash_STRBYTES];
    sodium_ready();
    if (crypto_pwhash_argon2id_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return NULL;
    return g_strdup(out);
}

gboolean
tracuu_password_verify(const char *hash, const char *password, gsize len)
{
    sodium_ready();
    return crypto_pwhash_argon2id_str_verify(hash, password, len) == 0;
}

gboolean
tracuu_conf_parse_socket_mode(const char *s, mode_t *out)
{
    unsigned v = 0;
    if (!*s || strlen(s) > 4)
        return FALSE;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '7')
            return FALSE;
        v = v * 8 + (unsigned)(*p - '0');
    }
    if (v > 0777 || (v & 0006))
        return FALSE;
    *out = (mode_t)v;
    return TRUE;
}

/* ---- The key table ---- */

typedef enum {
    T_STRING,
    T_PATH, /* a string made absolute against the file's folder */
    T_BOOL,
    T_INT,
    T_DOUBLE,
    T_POSITIVE, /* a T_DOUBLE that must be more than 0 (min is ignored) */
    T_MODE,    /* an octal socket mode, stored as an int */
    T_DEFAULT, /* public | deny */
    T_LABELS,
    T_EMAILS,
    T_LEVEL,
    T_UNIX_USER,
    T_UID,
    T_HASH,
    T_PASSWORD, /* an Argon2id hash string, as crypto_pwhash_str() writes it */
} key_type;

typedef struct {
    const char *group; /* USER_GROUP for [user NAME] */
    const char *key;
    key_type type;
    gint64 min, max; /* T_INT, T_DOUBLE, T_UID */
} key_def;

/* Every key of the file, one line each: docs/tracuu.conf.md describes them in this order. */
static const key_def key_table[] = {
    {"index", "db", T_PATH, 0, 0},
    {"index", "ocr", T_STRING, 0, 0},
    {"index", "ocr-languages", T_STRING, 0, 0},
    {"index", "ocr-max-pages", T_INT, 0, 100000},
    {"searchd", "socket", T_PATH, 0, 0},
    {"searchd", "socket-mode", T_MODE, 0, 0},
    {"searchd", "socket-group", T_STRING, 0, 0},
    {"searchd", "listen", T_STRING, 0, 0},
    {"searchd", "http", T_STRING, 0, 0},
    {"searchd", "allow-remote", T_BOOL, 0, 0},
    {"searchd", "threads", T_INT, 0, 1024},
    {"searchd", "split", T_INT, 0, 16},
    {"searchd", "timeout", T_DOUBLE, 0, 86400},
    {"searchd", "max-clients", T_INT, 1, 1000000},
    {"searchd", "idle-timeout", T_INT, 0, 86400 * 365},
    {"searchd", "slow-ms", T_INT, 0, 86400000},
    {"searchd", "max-output-mb", T_INT, 1, 65536},
    {"searchd", "session-hours", T_POSITIVE, 0, 24 * 366},
    {"searchd", "tls-cert", T_PATH, 0, 0},
    {"searchd", "tls-key", T_PATH, 0, 0},
    {"searchd", "question-words", T_STRING, 0, 0},
    {"access", "default", T_DEFAULT, 0, 0},
    {"access", "map", T_PATH, 0, 0},
    {USER_GROUP, "labels", T_LABELS, 0, 0},
    {USER_GROUP, "clearance", T_LEVEL, 0, 0},
    {USER_GROUP, "emails", T_EMAILS, 0, 0},
    {USER_GROUP, "unix-user", T_UNIX_USER, 0, 0},
    {USER_GROUP, "unix-uid", T_UID, 0, 4294967294LL},
    {USER_GROUP, "token-sha256", T_HASH, 0, 0},
    {USER_GROUP, "password", T_PASSWORD, 0, 0},
    {USER_GROUP, "admin", T_BOOL, 0, 0},
};

static const key_def *
find_def(const char *group, const char *key)
{
    for (guint i = 0; i < G_N_ELEMENTS(key_table); i++)
        if (strcmp(key_table[i].group, group) == 0 && strcmp(key_table[i].key, key) == 0)
            return &key_table[i];
    return NULL;
}

static gboolean
is_plain_group(const char *g)
{
    for (guint i = 0; i < G_N_ELEMENTS(key_table); i++)
        if (strcmp(key_table[i].group, g) == 0 && strcmp(g, USER_GROUP) != 0)
            return TRUE;
    return FALSE;
}

/* ---- The configuration ---- */

typedef struct {
    const key_def *def;
    char *s;
    gint64 i;
    double d;
    gboolean b;
    guint line;
} value;

typedef struct {
    tracuu_conf_user pub; /* first: a conf_user * is a tracuu_conf_user * */
    char *name, *unix_user, *password;
    char **labels, **emails;
} conf_user;

struct tracuu_conf {
    char *path;
    GHashTable *values; /* "group\nkey" -> value * */
    GPtrArray *users;   /* conf_user * */
    tracuu_access_map *map;
};

static void
value_free(gpointer data)
{
    value *v = data;
    g_free(v->s);
    g_free(v);
}

static void
user_free(gpointer data)
{
    conf_user *u = data;
    g_free(u->name);
    g_free(u->unix_user);
    g_free(u->password);
    g_strfreev(u->labels);
    g_strfreev(u->emails);
    g_free(u);
}

tracuu_conf *
tracuu_conf_new_empty(void)
{
    tracuu_conf *conf = g_new0(tracuu_conf, 1);
    conf->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
    conf->users = g_ptr_array_new_with_free_func(user_free);
    return conf;
}

void
tracuu_conf_free(tracuu_conf *conf)
{
    if (!conf)
        return;
    g_free(conf->path);
    g_hash_table_unref(conf->values);
    g_ptr_array_unref(conf->users);
    tracuu_access_map_free(conf->map);
    g_free(conf);
}

/* ---- Reading: the line scan ---- */

/*
 * GKeyFile reads the values (escapes, lists, booleans) but gives no line numbers, merges
 * repeated groups and keeps the last of repeated keys without a word, and takes a '#' after a
 * value as part of it. So the lines are scanned here first: each is classified, checked
 * against the table, its line noted, and a cleaned copy (one line out for each line in, with
 * end-of-line comments removed) is what GKeyFile then reads.
 */

typedef struct {
    char *group; /* as written: "searchd", "user anh" */
    char *key;
    guint line;
} entry;

typedef struct {
    const char *name;
    GString *clean;
    GArray *entries;       /* entry */
    GHashTable *groups;    /* group -> line (GUINT_TO_POINTER) */
    GHashTable *seen;      /* "group\nkey" set */
    GPtrArray *user_order; /* group names of users, in order (borrowed from groups) */
} scan;

static void
entry_clear(gpointer data)
{
    entry *e = data;
    g_free(e->group);
    g_free(e->key);
}

static gboolean G_GNUC_PRINTF(5, 6)
    line_error(GError **error, int code, const char *name, guint line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, TRACUU_CONF_ERROR, code, "%s:%u: %s", name, line, msg);
    return FALSE;
}

gboolean
tracuu_conf_user_name_is_valid(const char *s)
{
    gsize n = strlen(s);
    if (n == 0 || n > 64 || strcmp(s, RESERVED_USER) == 0)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!(g_ascii_isalnum(s[i]) || strchr("-_.", s[i])))
            return FALSE;
    return TRUE;
}

/* The value part of a key line without an end-of-line comment: a '#' after a space or tab
 * starts one, "\#" is a '#' kept in the value. Trailing spaces are dropped. */
static char *
strip_comment(const char *v)
{
    GString *out = g_string_new(NULL);
    for (const char *p = v; *p; p++) {
        if (*p == '\\' && p[1] == '#') {
            g_string_append_c(out, '#');
            p++;
        } else if (*p == '\\' && p[1]) {
            g_string_append_c(out, *p++);
            g_string_append_c(out, *p);
        } else if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
            break;
        } else {
            g_string_append_c(out, *p);
        }
    }
    while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
        g_string_truncate(out, out->len - 1);
    return g_string_free(out, FALSE);
}

static gboolean
scan_line(scan *sc, char *text, guint line, char **group, GError **error)
{
    char *s = g_strstrip(text);
    if (*s == '\0' || *s == '#') {
        g_string_append_c(sc->clean, '\n');
        return TRUE;
    }
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close || close[1] != '\0')
            return line_error(error, TRACUU_CONF_ERROR_SYNTAX, sc->name, line,
                              "a group line is [NAME] alone on its line");
        g_autofree char *name = g_strndup(s + 1, (gsize)(close - s - 1));
        if (is_plain_group(name)) {
            /* fine */
        } else if (g_str_has_prefix(name, USER_GROUP " ")) {
            const char *user = name + strlen(USER_GROUP " ");
            if (!tracuu_conf_user_name_is_valid(user))
                return line_error(error, TRACUU_CONF_ERROR_VALUE, sc->name, line,
                                  "[user NAME]: NAME is 1 to 64 of A-Z, a-z, 0-9, '-', '_' and "
                                  "'.' (and not \"" RESERVED_USER "\"), not \"%s\"",
                                  user);
        } else {
            return line_error(error, TRACUU_CONF_ERROR_UNKNOWN, sc->name, line,
                              "unknown group [%s] (known: [index], [searchd], [access], "
                              "[user NAME])",
                              name);
        }
        gpointer before = g_hash_table_lookup(sc->groups, name);
        if (before)
            return line_error(error, TRACUU_CONF_ERROR_DUPLICATE, sc->name, line,
                              g_str_has_prefix(name, USER_GROUP " ")
                                  ? "duplicate user: [%s] is already at line %u"
                                  : "duplicate group: [%s] is already at line %u",
                              name, GPOINTER_TO_UINT(before));
        g_hash_table_insert(sc->groups, g_strdup(name), GUINT_TO_POINTER(line));
        if (g_str_has_prefix(name, USER_GROUP " "))
            g_ptr_array_add(sc->user_order, g_strdup(name));
        g_free(*group);
        *group = g_strdup(name);
        g_string_append_printf(sc->clean, "[%s]\n", name);
        return TRUE;
    }
    char *eq = strchr(s, '=');
    if (!eq)
        return line_error(error, TRACUU_CONF_ERROR_SYNTAX, sc->name, line,
                          "not a [group], a key = value or a # comment");
    *eq = '\0';
    char *key = g_strstrip(s);
    g_autofree char *val = strip_comment(g_strchug(eq + 1));
    if (!*group)
        return line_error(error, TRACUU_CONF_ERROR_SYNTAX, sc->name, line,
                          "key \"%s\" before any [group]", key);
    const char *kind = g_str_has_prefix(*group, USER_GROUP " ") ? USER_GROUP : *group;
    if (!find_def(kind, key)) {
        GString *known = g_string_new(NULL);
        for (guint i = 0; i < G_N_ELEMENTS(key_table); i++)
            if (strcmp(key_table[i].group, kind) == 0)
                g_string_append_printf(known, "%s%s", known->len ? ", " : "", key_table[i].key);
        line_error(error, TRACUU_CONF_ERROR_UNKNOWN, sc->name, line,
                   "unknown key \"%s\" in [%s] (known: %s)", key, *group, known->str);
        g_string_free(known, TRUE);
        return FALSE;
    }
    g_autofree char *id = g_strdup_printf("%s\n%s", *group, key);
    if (g_hash_table_contains(sc->seen, id))
        return line_error(error, TRACUU_CONF_ERROR_DUPLICATE, sc->name, line,
                          "duplicate key \"%s\" in [%s]", key, *group);
    g_hash_table_add(sc->seen, g_steal_pointer(&id));
    entry e = {g_strdup(*group), g_strdup(key), line};
    g_array_append_val(sc->entries, e);
    g_string_append_printf(sc->clean, "%s=%s\n", key, val);
    return TRUE;
}

/* ---- Reading: the values ---- */

static char *
get_nonempty(GKeyFile *kf, const entry *e, const char *name, GError **error)
{
    g_autoptr(GError) kf_error = NULL;
    char *s = g_key_file_get_string(kf, e->group, e->key, &kf_error);
    if (!s) {
        line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line, "%s: %s", e->key,
                   kf_error->message);
        return NULL;
    }
    if (!*s) {
        g_free(s);
        line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                   "%s: empty value (leave the key out to keep the default)", e->key);
        return NULL;
    }
    return s;
}

/* A ';'-separated list, each item stripped, empty items dropped (a trailing ';' is usual). */
static char **
get_list(GKeyFile *kf, const entry *e, const char *name, GError **error)
{
    g_autoptr(GError) kf_error = NULL;
    gsize n = 0;
    g_auto(GStrv) raw = g_key_file_get_string_list(kf, e->group, e->key, &n, &kf_error);
    if (!raw && kf_error) {
        line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line, "%s: %s", e->key,
                   kf_error->message);
        return NULL;
    }
    GPtrArray *out = g_ptr_array_new();
    for (gsize i = 0; raw && raw[i]; i++) {
        char *item = g_strstrip(g_strdup(raw[i]));
        if (*item)
            g_ptr_array_add(out, item);
        else
            g_free(item);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static gboolean
email_is_valid(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 254)
        return FALSE;
    for (const char *p = s; *p; p++)
        if ((guchar)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == '"')
            return FALSE;
    return TRUE;
}

static gboolean
parse_hash(const char *s, guint8 out[TRACUU_TOKEN_HASH_LEN])
{
    if (strlen(s) != 2 * TRACUU_TOKEN_HASH_LEN)
        return FALSE;
    for (guint i = 0; i < TRACUU_TOKEN_HASH_LEN; i++) {
        int hi = g_ascii_xdigit_value(s[2 * i]), lo = g_ascii_xdigit_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return FALSE;
        out[i] = (guint8)(hi * 16 + lo);
    }
    return TRUE;
}

/* Reads @e's value into @v (plain groups) or @u (a user). */
static gboolean
read_value(GKeyFile *kf, const char *name, const char *base_dir, const entry *e, const key_def *def,
           value *v, conf_user *u, GError **error)
{
    g_autofree char *s = NULL;
    if (def->type != T_LABELS && def->type != T_EMAILS) {
        s = get_nonempty(kf, e, name, error);
        if (!s)
            return FALSE;
    }
    switch (def->type) {
    case T_STRING:
        v->s = g_steal_pointer(&s);
        return TRUE;
    case T_PATH:
        v->s = g_canonicalize_filename(s, base_dir);
        return TRUE;
    case T_BOOL: {
        gboolean b;
        if (strcmp(s, "true") == 0)
            b = TRUE;
        else if (strcmp(s, "false") == 0)
            b = FALSE;
        else
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: true or false, not \"%s\"", e->key, s);
        if (u)
            u->pub.admin = b;
        else
            v->b = b;
        return TRUE;
    }
    case T_INT:
    case T_UID: {
        gint64 n = 0;
        g_autoptr(GError) num_error = NULL;
        if (!g_ascii_string_to_signed(s, 10, def->min, def->max, &n, &num_error))
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                              ", not \"%s\"",
                              e->key, def->min, def->max, s);
        if (u) {
            u->pub.has_uid = TRUE;
            u->pub.uid = (uid_t)n;
        } else {
            v->i = n;
        }
        return TRUE;
    }
    case T_DOUBLE:
    case T_POSITIVE: {
        char *end = NULL;
        errno = 0;
        double d = g_ascii_strtod(s, &end);
        gboolean low = def->type == T_POSITIVE ? d <= 0 : d < (double)def->min;
        if (errno || end == s || *end || !isfinite(d) || low || d > (double)def->max)
            return def->type == T_POSITIVE
                       ? line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                                    "%s: a number more than 0 and at most %" G_GINT64_FORMAT
                                    " (fractions allowed), not \"%s\"",
                                    e->key, def->max, s)
                       : line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                                    "%s: a number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                                    ", not \"%s\"",
                                    e->key, def->min, def->max, s);
        v->d = d;
        return TRUE;
    }
    case T_MODE: {
        mode_t m = 0;
        if (!tracuu_conf_parse_socket_mode(s, &m))
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: an octal mode up to 0777 that gives other users neither "
                              "read nor write (such as 0600 or 0660), not \"%s\"",
                              e->key, s);
        v->i = m;
        return TRUE;
    }
    case T_DEFAULT:
        if (strcmp(s, "public") != 0 && strcmp(s, "deny") != 0)
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: public or deny, not \"%s\"", e->key, s);
        v->b = strcmp(s, "public") == 0;
        return TRUE;
    case T_LEVEL:
        if (!tracuu_level_parse(s, &u->pub.clearance))
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: none, mat, toi-mat or tuyet-mat, not \"%s\"", e->key, s);
        return TRUE;
    case T_UNIX_USER: {
        struct passwd pw, *found = NULL;
        char buf[4096];
        int rc = getpwnam_r(s, &pw, buf, sizeof buf, &found);
        if (rc != 0 || !found)
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: no Unix user \"%s\"%s%s", e->key, s, rc ? ": " : "",
                              rc ? g_strerror(rc) : "");
        u->unix_user = g_steal_pointer(&s);
        u->pub.has_uid = TRUE;
        u->pub.uid = found->pw_uid;
        return TRUE;
    }
    case T_HASH:
        if (!parse_hash(s, u->pub.token_sha256))
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: 64 hex digits (the SHA-256 of the token, as "
                              "tracuu-searchd --new-token prints it)",
                              e->key);
        u->pub.has_token = TRUE;
        return TRUE;
    case T_PASSWORD:
        sodium_ready();
        /* needs_rehash() parses the whole string (version, m=, t=, p=, salt, hash) and answers
         * -1 for anything that is not an Argon2id hash; whether it would be rehashed with
         * today's limits does not matter here. Refused at load, so that a plain password or
         * a truncated paste is found at start and not at the first login. */
        if (!g_str_has_prefix(s, "$argon2id$") ||
            crypto_pwhash_argon2id_str_needs_rehash(s, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0 ||
            strlen(s) >= crypto_pwhash_STRBYTES)
            return line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                              "%s: an Argon2id hash ($argon2id$v=19$m=...), as tracuu-searchd "
                              "--hash-password prints it, not a password or anything else",
                              e->key);
        u->password = g_steal_pointer(&s);
        return TRUE;
    case T_LABELS:
    case T_EMAILS: {
        char **list = get_list(kf, e, name, error);
        if (!list)
            return FALSE;
        for (guint i = 0; list[i]; i++) {
            if (def->type == T_EMAILS) {
                char *lower = g_ascii_strdown(list[i], -1);
                g_free(list[i]);
                list[i] = lower;
            }
            gboolean ok =
                def->type == T_LABELS ? tracuu_label_is_valid(list[i]) : email_is_valid(list[i]);
            if (!ok) {
                line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                           def->type == T_LABELS
                               ? "%s: \"%s\" is not a label (1 to 64 of a-z, 0-9, '-', '_' "
                                 "and '.', starting with a letter or digit)"
                               : "%s: \"%s\" is not an e-mail address",
                           e->key, list[i]);
                g_strfreev(list);
                return FALSE;
            }
        }
        if (def->type == T_LABELS) {
            g_strfreev(u->labels);
            u->labels = list;
        } else {
            g_strfreev(u->emails);
            u->emails = list;
        }
        return TRUE;
    }
    }
    return FALSE;
}

static gboolean
check_users(tracuu_conf *conf, GHashTable *uid_lines, GError **error)
{
    for (guint i = 0; i < conf->users->len; i++) {
        const conf_user *u = g_ptr_array_index(conf->users, i);
        for (guint k = 0; k < i; k++) {
            const conf_user *o = g_ptr_array_index(conf->users, k);
            if (u->pub.has_uid && o->pub.has_uid && u->pub.uid == o->pub.uid)
                return line_error(error, TRACUU_CONF_ERROR_DUPLICATE, conf->path,
                                  GPOINTER_TO_UINT(g_hash_table_lookup(uid_lines, u)),
                                  "duplicate uid: users %s and %s are both uid %u", o->name,
                                  u->name, (unsigned)u->pub.uid);
            if (u->pub.has_token && o->pub.has_token &&
                memcmp(u->pub.token_sha256, o->pub.token_sha256, TRACUU_TOKEN_HASH_LEN) == 0)
                return line_error(error, TRACUU_CONF_ERROR_DUPLICATE, conf->path, u->pub.line,
                                  "duplicate token hash: users %s and %s have the same "
                                  "token-sha256 (give each user a token of their own)",
                                  o->name, u->name);
        }
    }
    return TRUE;
}

tracuu_conf *
tracuu_conf_load_data(const char *data, gsize len, const char *name, const char *base_dir,
                      GError **error)
{
    g_autoptr(tracuu_conf) conf = tracuu_conf_new_empty();
    conf->path = g_strdup(name);
    g_autofree char *cwd = g_get_current_dir();
    if (!base_dir)
        base_dir = cwd;

    scan sc = {name,
               g_string_new(NULL),
               g_array_new(FALSE, TRUE, sizeof(entry)),
               g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
               g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
               g_ptr_array_new_with_free_func(g_free)};
    g_array_set_clear_func(sc.entries, entry_clear);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GHashTable) uid_lines = g_hash_table_new(NULL, NULL);
    gboolean ok = TRUE;
    g_autofree char *group = NULL;

    guint line = 0;
    const char *p = data, *end = data + len;
    while (ok && p < end) {
        line++;
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        gsize n = (gsize)((nl ? nl : end) - p);
        if (memchr(p, '\0', n) || !g_utf8_validate(p, (gssize)n, NULL)) {
            ok = line_error(error, TRACUU_CONF_ERROR_SYNTAX, name, line, "not valid UTF-8 text");
            break;
        }
        g_autofree char *text = g_strndup(p, n);
        ok = scan_line(&sc, text, line, &group, error);
        p = nl ? nl + 1 : end;
    }
    if (ok) {
        g_autoptr(GError) kf_error = NULL;
        if (!g_key_file_load_from_data(kf, sc.clean->str, sc.clean->len, G_KEY_FILE_NONE,
                                       &kf_error)) {
            /* The scan accepts only lines GKeyFile reads, so this is not expected. */
            g_set_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_SYNTAX, "%s: %s", name,
                        kf_error->message);
            ok = FALSE;
        }
    }
    /* Users in the order of the file, each with its line. */
    for (guint i = 0; ok && i < sc.user_order->len; i++) {
        const char *g = sc.user_order->pdata[i];
        conf_user *u = g_new0(conf_user, 1);
        u->name = g_strdup(g + strlen(USER_GROUP " "));
        u->pub.line = GPOINTER_TO_UINT(g_hash_table_lookup(sc.groups, g));
        g_ptr_array_add(conf->users, u);
    }
    for (guint i = 0; ok && i < sc.entries->len; i++) {
        const entry *e = &g_array_index(sc.entries, entry, i);
        gboolean is_user = g_str_has_prefix(e->group, USER_GROUP " ");
        const key_def *def = find_def(is_user ? USER_GROUP : e->group, e->key);
        if (is_user) {
            conf_user *u =
                (conf_user *)tracuu_conf_find_user(conf, e->group + strlen(USER_GROUP " "));
            if ((def->type == T_UID && u->unix_user) ||
                (def->type == T_UNIX_USER && u->pub.has_uid)) {
                ok = line_error(error, TRACUU_CONF_ERROR_VALUE, name, e->line,
                                "give one of unix-user and unix-uid, not both");
                break;
            }
            ok = read_value(kf, name, base_dir, e, def, NULL, u, error);
            if (def->type == T_UID || def->type == T_UNIX_USER)
                g_hash_table_insert(uid_lines, u, GUINT_TO_POINTER(e->line));
        } else {
            value *v = g_new0(value, 1);
            v->def = def;
            v->line = e->line;
            ok = read_value(kf, name, base_dir, e, def, v, NULL, error);
            if (ok)
                g_hash_table_insert(conf->values, g_strdup_printf("%s\n%s", e->group, e->key), v);
            else
                value_free(v);
        }
    }
    for (guint i = 0; ok && i < conf->users->len; i++) {
        conf_user *u = g_ptr_array_index(conf->users, i);
        u->pub.name = u->name;
        u->pub.unix_user = u->unix_user;
        u->pub.password = u->password;
        if (!u->labels)
            u->labels = g_new0(char *, 1);
        if (!u->emails)
            u->emails = g_new0(char *, 1);
        u->pub.labels = (const char *const *)u->labels;
        u->pub.emails = (const char *const *)u->emails;
    }
    if (ok)
        ok = check_users(conf, uid_lines, error);
    const char *map = ok ? tracuu_conf_get_string(conf, "access", "map") : NULL;
    if (map) {
        g_autoptr(GError) map_error = NULL;
        conf->map = tracuu_access_map_load(map, &map_error);
        if (!conf->map) {
            ok = line_error(error, map_error->code, name,
                            tracuu_conf_get_line(conf, "access", "map"), "map = %s: %s", map,
                            map_error->message);
        }
    }

    g_string_free(sc.clean, TRUE);
    g_array_free(sc.entries, TRUE);
    g_hash_table_unref(sc.groups);
    g_hash_table_unref(sc.seen);
    g_ptr_array_unref(sc.user_order);
    return ok ? g_steal_pointer(&conf) : NULL;
}

tracuu_conf *
tracuu_conf_load(const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) read_error = NULL;
    if (!g_file_get_contents(path, &data, &len, &read_error)) {
        g_set_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_READ, "%s: cannot read: %s", path,
                    read_error->message);
        return NULL;
    }
    if (len > MAX_CONF_BYTES) {
        g_set_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_READ,
                    "%s: a configuration of more than %d MiB", path, MAX_CONF_BYTES >> 20);
        return NULL;
    }
    g_autofree char *abs = g_canonicalize_filename(path, NULL);
    g_autofree char *dir = g_path_get_dirname(abs);
    return tracuu_conf_load_data(data, len, path, dir, error);
}

/* ---- Getters ---- */

const char *
tracuu_conf_get_path(const tracuu_conf *conf)
{
    return conf->path;
}

/* The value of @group's @key if set, after checking that the key exists with one of the
 * types @a, @b. */
static const value *
lookup(const tracuu_conf *conf, const char *group, const char *key, key_type a, key_type b)
{
    const key_def *def = find_def(group, key);
    if (!def || strcmp(group, USER_GROUP) == 0 || (def->type != a && def->type != b)) {
        g_critical("tracuu_conf: no key %s of that type in [%s]", key, group);
        return NULL;
    }
    g_autofree char *id = g_strdup_printf("%s\n%s", group, key);
    return g_hash_table_lookup(conf->values, id);
}

const char *
tracuu_conf_get_string(const tracuu_conf *conf, const char *group, const char *key)
{
    const value *v = lookup(conf, group, key, T_STRING, T_PATH);
    return v ? v->s : NULL;
}

gboolean
tracuu_conf_get_int(const tracuu_conf *conf, const char *group, const char *key, gint64 *out)
{
    const value *v = lookup(conf, group, key, T_INT, T_MODE);
    if (v)
        *out = v->i;
    return v != NULL;
}

gboolean
tracuu_conf_get_double(const tracuu_conf *conf, const char *group, const char *key, double *out)
{
    const value *v = lookup(conf, group, key, T_DOUBLE, T_POSITIVE);
    if (v)
        *out = v->d;
    return v != NULL;
}

gboolean
tracuu_conf_get_bool(const tracuu_conf *conf, const char *group, const char *key, gboolean *out)
{
    const value *v = lookup(conf, group, key, T_BOOL, T_BOOL);
    if (v)
        *out = v->b;
    return v != NULL;
}

guint
tracuu_conf_get_line(const tracuu_conf *conf, const char *group, const char *key)
{
    g_autofree char *id = g_strdup_printf("%s\n%s", group, key);
    const value *v = g_hash_table_lookup(conf->values, id);
    return v ? v->line : 0;
}

gboolean
tracuu_conf_get_default_public(const tracuu_conf *conf)
{
    const value *v = lookup(conf, "access", "default", T_DEFAULT, T_DEFAULT);
    return v ? v->b : TRUE;
}

const tracuu_access_map *
tracuu_conf_get_access_map(const tracuu_conf *conf)
{
    return conf->map;
}

guint
tracuu_conf_get_n_users(const tracuu_conf *conf)
{
    return conf->users->len;
}

const tracuu_conf_user *
tracuu_conf_get_user(const tracuu_conf *conf, guint i)
{
    g_return_val_if_fail(i < conf->users->len, NULL);
    return g_ptr_array_index(conf->users, i);
}

const tracuu_conf_user *
tracuu_conf_find_user(const tracuu_conf *conf, const char *name)
{
    for (guint i = 0; i < conf->users->len; i++) {
        const conf_user *u = g_ptr_array_index(conf->users, i);
        if (strcmp(u->name, name) == 0)
            return &u->pub;
    }
    return NULL;
}

const tracuu_conf_user *
tracuu_conf_find_user_by_uid(const tracuu_conf *conf, uid_t uid)
{
    for (guint i = 0; i < conf->users->len; i++) {
        const conf_user *u = g_ptr_array_index(conf->users, i);
        if (u->pub.has_uid && u->pub.uid == uid)
            return &u->pub;
    }
    return NULL;
}

const tracuu_conf_user *
tracuu_conf_find_user_by_token_hash(const tracuu_conf *conf,
                                    const guint8 hash[TRACUU_TOKEN_HASH_LEN])
{
    const tracuu_conf_user *found = NULL;
    for (guint i = 0; i < conf->users->len; i++) {
        const conf_user *u = g_ptr_array_index(conf->users, i);
        /* No early exit and no branch on the bytes: sodium_memcmp takes the same time
         * whatever they hold. */
        gboolean same = sodium_memcmp(u->pub.token_sha256, hash, TRACUU_TOKEN_HASH_LEN) == 0;
        if (same && u->pub.has_token && !found)
            found = &u->pub;
    }
    return found;
}
