/* tracuu-conf.h - the configuration file both tracuu programs read, and the access map. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/*
 * One INI file (GLib GKeyFile syntax: "[group]", "key = value", lists separated by ';', '#'
 * comments) holds what tracuu-searchd and tracuu-indexer share: the index, the sockets, the
 * access map and the users (docs/tracuu.conf.md lists every key). Every key is declared once in
 * a table in conf.c, which drives parsing and the checks; a key or group not in it is an error,
 * so that a typo is found at start and not after a leak. Every error message starts with
 * "FILE:LINE: " (GKeyFile gives no line numbers: conf.c reads the lines itself).
 * Command-line options override the file; that is the programs' business, not this module's.
 */

#define TRACUU_CONF_ERROR (tracuu_conf_error_quark())
GQuark tracuu_conf_error_quark(void);

typedef enum {
    TRACUU_CONF_ERROR_READ,      /* the file (or the access map it names) cannot be read */
    TRACUU_CONF_ERROR_SYNTAX,    /* a line that is not a group, a key = value or a comment */
    TRACUU_CONF_ERROR_UNKNOWN,   /* a group or key that no table entry declares */
    TRACUU_CONF_ERROR_VALUE,     /* a value of the wrong type or out of range, a bad glob */
    TRACUU_CONF_ERROR_DUPLICATE, /* a group, key, user, uid or token hash given twice */
} tracuu_conf_error;

/* ---- Secrecy levels ---- */

/* The secrecy levels of Vietnamese official documents, in order: a user cleared for a level
 * sees the documents of that level and below. */
typedef enum {
    TRACUU_LEVEL_NONE = 0,  /* "none": not secret */
    TRACUU_LEVEL_MAT,       /* "mat": MẬT */
    TRACUU_LEVEL_TOI_MAT,   /* "toi-mat": TỐI MẬT */
    TRACUU_LEVEL_TUYET_MAT, /* "tuyet-mat": TUYỆT MẬT */
} tracuu_level;

/* The configuration name of @level ("none", "mat", "toi-mat", "tuyet-mat"). Static string. */
const char *tracuu_level_name(tracuu_level level);

/* Reads a level name as tracuu_level_name() writes it. FALSE (and *@out untouched) when @s is
 * not one. */
gboolean tracuu_level_parse(const char *s, tracuu_level *out);

/*
 * Whether @s is a valid access label: 1 to 64 bytes of lower-case ASCII letters, digits, '-',
 * '_' and '.', starting with a letter or digit ("so-tttt", "van-phong"). Labels become index
 * terms in the indexer, so their alphabet is kept narrow and case-free.
 */
gboolean tracuu_label_is_valid(const char *s);

/* Whether @s may name a user ([user NAME], --new-token NAME): 1 to 64 of A-Z, a-z, 0-9, '-',
 * '_' and '.', and not "anonymous-local-owner", the name of the caller when no user is
 * configured. */
gboolean tracuu_conf_user_name_is_valid(const char *s);

/* ---- Tokens ---- */

/* A SHA-256 hash as stored in the configuration (token-sha256 = 64 hex digits). */
#define TRACUU_TOKEN_HASH_LEN 32

/*
 * A fresh random token (32 bytes from libsodium's randombytes_buf, written as 43 characters of
 * URL-safe base64 without padding), and in @hash_hex the 64 lower-case hex digits of its
 * SHA-256, for the configuration line. Caller frees the token with g_free() (it is the only
 * copy: nothing stores it). FALSE-free: aborts only if libsodium cannot initialise.
 */
char *tracuu_token_new(char hash_hex[2 * TRACUU_TOKEN_HASH_LEN + 1]);

/* The SHA-256 of the @len bytes of @token, as the configuration stores it. */
void tracuu_token_hash(const char *token, gsize len, guint8 out[TRACUU_TOKEN_HASH_LEN]);

/* ---- Passwords ---- */

/*
 * The Argon2id hash string of the @len bytes of @password ("$argon2id$v=19$m=...", salted at
 * random), for the password key of a [user NAME] group; NULL when libsodium cannot get the
 * memory. Caller frees with g_free().
 */
char *tracuu_password_hash(const char *password, gsize len);

/*
 * Whether @password (@len bytes) is the one @hash (as tracuu_password_hash() writes it) was
 * made from. Costs what hashing costs (tens of milliseconds, 64 MiB): never call it under a
 * lock. Thread-safe.
 */
gboolean tracuu_password_verify(const char *hash, const char *password, gsize len);

/* ---- Users ---- */

/* A [user NAME] group, read-only, owned by the tracuu_conf it came from. */
typedef struct {
    const char *name;
    const char *const *labels; /* NULL-terminated, never NULL; valid labels */
    tracuu_level clearance;    /* default TRACUU_LEVEL_NONE */
    const char *const *emails; /* NULL-terminated, never NULL; ASCII lower case */
    gboolean has_uid;          /* unix-uid given, or unix-user resolved when the file was read */
    uid_t uid;
    const char *unix_user; /* as written, or NULL */
    gboolean has_token;
    guint8 token_sha256[TRACUU_TOKEN_HASH_LEN];
    const char *password; /* the Argon2id hash string (crypto_pwhash_str), or NULL: no login */
    gboolean admin;       /* sees every document */
    guint line;           /* of its [user NAME] line */
} tracuu_conf_user;

/* ---- The configuration ---- */

typedef struct tracuu_conf tracuu_conf;

typedef struct tracuu_access_map tracuu_access_map;

/*
 * Reads the configuration file @path. Paths in it (the index, the socket, the access map) are
 * taken relative to the file's folder. When [access] map is set, the map is read too, so that
 * a bad glob stops a program at start like any other error. unix-user names are resolved to
 * uids now (an unknown user is an error). NULL with @error (TRACUU_CONF_ERROR, the message
 * starting "@path:LINE: ", or "@path: " when the file cannot be read at all).
 * Caller frees with tracuu_conf_free().
 */
tracuu_conf *tracuu_conf_load(const char *path, GError **error);

/*
 * The same from @len bytes of @data, named @name in messages; relative paths are taken from
 * @base_dir (NULL: the current folder). For tests and the fuzzer.
 */
tracuu_conf *tracuu_conf_load_data(const char *data, gsize len, const char *name,
                                   const char *base_dir, GError **error);

/* A configuration with nothing set: what a program without --config runs with. */
tracuu_conf *tracuu_conf_new_empty(void);

void tracuu_conf_free(tracuu_conf *conf); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_conf, tracuu_conf_free)

/* The file it was read from, or NULL for tracuu_conf_new_empty(). Borrowed. */
const char *tracuu_conf_get_path(const tracuu_conf *conf);

/*
 * Typed getters of the keys of the non-user groups ([index], [searchd], [access]), by group
 * and key name as docs/tracuu.conf.md lists them. Each returns FALSE (NULL for strings) when
 * the key is not set, so that the program applies its own default or its command line.
 * Asking for an undeclared key, or with the wrong type, is a programming error (critical,
 * FALSE). Path values are already made absolute. Strings are borrowed, valid as long as @conf.
 */
const char *tracuu_conf_get_string(const tracuu_conf *conf, const char *group, const char *key);
gboolean tracuu_conf_get_int(const tracuu_conf *conf, const char *group, const char *key,
                             gint64 *value);
gboolean tracuu_conf_get_double(const tracuu_conf *conf, const char *group, const char *key,
                                double *value);
gboolean tracuu_conf_get_bool(const tracuu_conf *conf, const char *group, const char *key,
                              gboolean *value);

/* The line where @group's @key was set, 0 when it is not. For messages about a value that is
 * valid in the file but refused by a program (a socket that cannot be created...). */
guint tracuu_conf_get_line(const tracuu_conf *conf, const char *group, const char *key);

/* [access] default: whether a document with no label is visible to every user (public, the
 * default) or to admins only (deny). */
gboolean tracuu_conf_get_default_public(const tracuu_conf *conf);

/* The access map named by [access] map, read with the configuration; NULL when none is set.
 * Borrowed, valid as long as @conf. */
const tracuu_access_map *tracuu_conf_get_access_map(const tracuu_conf *conf);

/* The users, in the order of the file. */
guint tracuu_conf_get_n_users(const tracuu_conf *conf);
const tracuu_conf_user *tracuu_conf_get_user(const tracuu_conf *conf, guint i);

/* The user named @name, or NULL. Borrowed. */
const tracuu_conf_user *tracuu_conf_find_user(const tracuu_conf *conf, const char *name);

/* The user whose unix-uid is @uid (or whose unix-user had it when the file was read), or
 * NULL. Borrowed. */
const tracuu_conf_user *tracuu_conf_find_user_by_uid(const tracuu_conf *conf, uid_t uid);

/*
 * The user whose token-sha256 is @hash, or NULL. Every user's hash is compared, in constant
 * time (sodium_memcmp) and without stopping at a match, so that the time taken says nothing
 * about how close a guess was or which user it hit. Borrowed.
 */
const tracuu_conf_user *
tracuu_conf_find_user_by_token_hash(const tracuu_conf *conf,
                                    const guint8 hash[TRACUU_TOKEN_HASH_LEN]);

/*
 * Reads an octal socket mode ("0660", "640"): digits 0-7 only, at most 0777, and neither read
 * nor write for other users (o+rw), since whoever can connect may read documents. FALSE when
 * @s is not such a mode. Shared by --socket-mode and [searchd] socket-mode.
 */
gboolean tracuu_conf_parse_socket_mode(const char *s, mode_t *out);

/* ---- The access map ---- */

/*
 * An access map gives the files under a path their access labels and secrecy level. One rule
 * per line:
 *     GLOB LABEL[;LABEL...] [LEVEL]
 * where LABEL may be "-" for a rule that gives no label (only a level, or an exception that
 * keeps a subtree public before a wider rule), LEVEL is a tracuu_level name, '#' starts a
 * comment (at the start of a line or after a space), and a GLOB holding spaces is written in
 * double quotes. The first rule that matches a file wins.
 *
 * A GLOB is matched against the file's absolute path, and it also matches every file below a
 * folder it matches, so "/srv/archive/so-tttt" covers that whole folder. In it: '*' is any
 * run of characters without '/', '**' any run including '/', a '**' followed by '/' also
 * matches no folder at all (so "/a", "**", "/b" written together match "/a/b"), '?' one
 * character (not '/'),
 * "[abc]", "[a-z]" and "[!a]" one character of (or not of) a set, and '\' takes the next
 * character literally. Characters are UTF-8 characters, and the glob and the path are both
 * compared in Unicode NFC, so a file name written in decomposed form (copied from a Mac)
 * matches a rule typed in composed form. A GLOB must start with '/' or '**'.
 */

/* One rule, read-only, owned by its map. */
typedef struct {
    const char *glob;          /* as written (NFC) */
    const char *const *labels; /* NULL-terminated, never NULL (empty for "-") */
    tracuu_level level;        /* TRACUU_LEVEL_NONE when the line gives none */
    guint line;
} tracuu_access_rule;

/* Reads the access map @path. NULL with @error (TRACUU_CONF_ERROR; "@path:LINE: ..." or
 * "@path: cannot read...") Caller frees with tracuu_access_map_free(). */
tracuu_access_map *tracuu_access_map_load(const char *path, GError **error);

/* The same from @len bytes of @data, named @name in messages. */
tracuu_access_map *tracuu_access_map_parse(const char *data, gsize len, const char *name,
                                           GError **error);

void tracuu_access_map_free(tracuu_access_map *map); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_access_map, tracuu_access_map_free)

/* The file it was read from (the @name given to tracuu_access_map_parse()). Borrowed. */
const char *tracuu_access_map_get_name(const tracuu_access_map *map);

/* Its rules, in the order of the file. */
guint tracuu_access_map_get_n_rules(const tracuu_access_map *map);
const tracuu_access_rule *tracuu_access_map_get_rule(const tracuu_access_map *map, guint i);

/*
 * The first rule of @map that matches the absolute path @path (any bytes; UTF-8 is compared in
 * NFC, other bytes as themselves), or NULL when none does: the file then has no label and
 * level TRACUU_LEVEL_NONE. What the indexer calls for every file; a mail message or an
 * attachment is looked up by the path of the file that holds it. Borrowed, valid as long as
 * @map. Thread-safe (the map is not changed by a lookup).
 */
const tracuu_access_rule *tracuu_access_map_lookup(const tracuu_access_map *map, const char *path);

G_END_DECLS
