/* access-map.c - the access map: globs over paths giving files their labels and secrecy level. */
#include "tracuu-conf.h"

#include <string.h>

/*
 * A glob is compiled into a short program of tokens and matched by simulating it as an NFA
 * over the path's characters: one set of live positions, advanced once per character. That
 * costs at most (path length x glob length) steps whatever the glob ("*a*a*a*a*b" included),
 * where the usual backtracking matcher can take exponential time, and a map is checked for
 * every file of the archive.
 */

#define MAX_GLOB_BYTES 4096
#define MAX_MAP_BYTES (64 * 1024 * 1024)

typedef enum {
    TOK_LIT,         /* one given character */
    TOK_ANY,         /* '?': one character but '/' */
    TOK_CLASS,       /* '[...]': one character (not '/') of a set, or not of it */
    TOK_STAR,        /* '*': any run without '/' */
    TOK_DSTAR,       /* '**': any run */
    TOK_DSTAR_SLASH, /* '**' then '/': nothing, or any run ending with '/' */
} tok_kind;

typedef struct {
    tok_kind kind;
    gunichar c;            /* TOK_LIT */
    gboolean negate;       /* TOK_CLASS */
    guint first, n_ranges; /* TOK_CLASS: ranges[first .. first + n_ranges) */
} tok;

typedef struct {
    gunichar lo, hi;
} range;

typedef struct {
    tracuu_access_rule pub;
    tok *toks;
    guint n_toks;
    range *ranges;
} rule;

struct tracuu_access_map {
    char *name;
    GPtrArray *rules; /* rule * */
};

static void
rule_free(gpointer data)
{
    rule *r = data;
    g_free((char *)r->pub.glob);
    g_strfreev((char **)r->pub.labels);
    g_free(r->toks);
    g_free(r->ranges);
    g_free(r);
}

void
tracuu_access_map_free(tracuu_access_map *map)
{
    if (!map)
        return;
    g_free(map->name);
    g_ptr_array_unref(map->rules);
    g_free(map);
}

const char *
tracuu_access_map_get_name(const tracuu_access_map *map)
{
    return map->name;
}

guint
tracuu_access_map_get_n_rules(const tracuu_access_map *map)
{
    return map->rules->len;
}

const tracuu_access_rule *
tracuu_access_map_get_rule(const tracuu_access_map *map, guint i)
{
    g_return_val_if_fail(i < map->rules->len, NULL);
    return &((rule *)g_ptr_array_index(map->rules, i))->pub;
}

/* ---- Compiling a glob ---- */

/* Compiles @glob (valid UTF-8, NFC) into @r. FALSE with *@why (static) when it is malformed. */
static gboolean
compile_glob(rule *r, const char *glob, const char **why)
{
    GArray *toks = g_array_new(FALSE, TRUE, sizeof(tok));
    GArray *ranges = g_array_new(FALSE, TRUE, sizeof(range));
    const char *p = glob;

    if (!(p[0] == '/' || (p[0] == '*' && p[1] == '*'))) {
        *why = "a glob is matched against absolute paths: it must start with '/' or '**'";
        goto fail;
    }
    while (*p) {
        tok t = {TOK_LIT, 0, FALSE, 0, 0};
        gunichar c = g_utf8_get_char(p);
        p = g_utf8_next_char(p);
        if (c == '\\') {
            if (!*p) {
                *why = "a '\\' at the end of the glob escapes nothing";
                goto fail;
            }
            t.c = g_utf8_get_char(p);
            p = g_utf8_next_char(p);
        } else if (c == '?') {
            t.kind = TOK_ANY;
        } else if (c == '*') {
            if (*p == '*') {
                while (*p == '*')
                    p++;
                t.kind = TOK_DSTAR;
                if (*p == '/') {
                    p++;
                    t.kind = TOK_DSTAR_SLASH;
                }
            } else {
                t.kind = TOK_STAR;
            }
        } else if (c == '[') {
            t.kind = TOK_CLASS;
            t.first = ranges->len;
            if (*p == '!' || *p == '^') {
                t.negate = TRUE;
                p++;
            }
            gboolean first = TRUE;
            for (;;) {
                if (!*p) {
                    *why = "a '[' without its ']'";
                    goto fail;
                }
                gunichar lo = g_utf8_get_char(p);
                if (lo == ']' && !first) {
                    p++;
                    break;
                }
                first = FALSE;
                p = g_utf8_next_char(p);
                if (lo == '\\') {
                    if (!*p) {
                        *why = "a '[' without its ']'";
                        goto fail;
                    }
                    lo = g_utf8_get_char(p);
                    p = g_utf8_next_char(p);
                }
                gunichar hi = lo;
                if (p[0] == '-' && p[1] && p[1] != ']') {
                    p++;
                    hi = g_utf8_get_char(p);
                    p = g_utf8_next_char(p);
                    if (hi == '\\') {
                        if (!*p) {
                            *why = "a '[' without its ']'";
                            goto fail;
                        }
                        hi = g_utf8_get_char(p);
                        p = g_utf8_next_char(p);
                    }
                    if (hi < lo) {
                        *why = "a range in [...] whose end comes before its start";
                        goto fail;
                    }
                }
                range rg = {lo, hi};
                g_array_append_val(ranges, rg);
            }
            t.n_ranges = ranges->len - t.first;
        } else {
            t.c = c;
        }
        g_array_append_val(toks, t);
    }
    /* A trailing '/' names the folder itself: "/srv/a/" is "/srv/a" (which covers its files). */
    while (toks->len > 1) {
        tok *last = &g_array_index(toks, tok, toks->len - 1);
        if (last->kind != TOK_LIT || last->c != '/')
            break;
        g_array_set_size(toks, toks->len - 1);
    }
    r->n_toks = toks->len;
    r->toks = (tok *)g_array_free(toks, FALSE);
    r->ranges = (range *)g_array_free(ranges, FALSE);
    return TRUE;
fail:
    g_array_free(toks, TRUE);
    g_array_free(ranges, TRUE);
    return FALSE;
}

/* ---- Matching ---- */

static gboolean
class_has(const rule *r, const tok *t, gunichar c)
{
    gboolean in = FALSE;
    for (guint i = 0; i < t->n_ranges && !in; i++)
        in = r->ranges[t->first + i].lo <= c && c <= r->ranges[t->first + i].hi;
    return in != t->negate;
}

/* Adds the positions reachable without reading a character: past each star (all match the
 * empty run). Edges only go forward, so one pass in order is enough. */
static void
closure(const rule *r, guint8 *set)
{
    for (guint i = 0; i < r->n_toks; i++)
        if (set[i] && r->toks[i].kind >= TOK_STAR)
            set[i + 1] = 1;
}

/* The next character of @s at *@i: a UTF-8 character, or for an invalid byte a value above
 * Unicode's range that no glob character equals (only stars and negated classes take it). */
static gunichar
next_char(const char *s, gsize len, gsize *i)
{
    gunichar c = g_utf8_get_char_validated(s + *i, (gssize)(len - *i));
    if (c == (gunichar)-1 || c == (gunichar)-2) {
        c = 0x110000u + (guchar)s[*i];
        (*i)++;
        return c;
    }
    *i = (gsize)(g_utf8_next_char(s + *i) - s);
    return c;
}

static gboolean
rule_matches(const rule *r, const char *path, gsize len)
{
    guint n = r->n_toks;
    guint8 *cur = g_alloca(n + 1), *next = g_alloca(n + 1);
    memset(cur, 0, n + 1);
    cur[0] = 1;
    closure(r, cur);
    gsize i = 0;
    while (i < len) {
        gunichar c = next_char(path, len, &i);
        /* A rule that matches a folder covers what is below it. */
        if (c == '/' && i > 1 && cur[n])
            return TRUE;
        memset(next, 0, n + 1);
        gboolean any = FALSE;
        for (guint k = 0; k < n; k++) {
            if (!cur[k])
                continue;
            const tok *t = &r->toks[k];
            switch (t->kind) {
            case TOK_LIT:
                if (c == t->c)
                    next[k + 1] = any = 1;
                break;
            case TOK_ANY:
                if (c != '/')
                    next[k + 1] = any = 1;
                break;
            case TOK_CLASS:
                if (c != '/' && class_has(r, t, c))
                    next[k + 1] = any = 1;
                break;
            case TOK_STAR:
                if (c != '/')
                    next[k] = any = 1;
                break;
            case TOK_DSTAR:
                next[k] = any = 1;
                break;
            case TOK_DSTAR_SLASH:
                next[k] = any = 1;
                if (c == '/')
                    next[k + 1] = 1;
                break;
            }
        }
        if (!any)
            return FALSE;
        closure(r, next);
        guint8 *swap = cur;
        cur = next;
        next = swap;
    }
    return cur[n] != 0;
}

const tracuu_access_rule *
tracuu_access_map_lookup(const tracuu_access_map *map, const char *path)
{
    g_return_val_if_fail(map != NULL && path != NULL, NULL);
    g_autofree char *nfc = NULL;
    const char *p = path;
    for (const char *q = path; *q; q++) {
        if ((guchar)*q >= 0x80) {
            if (g_utf8_validate(path, -1, NULL))
                nfc = g_utf8_normalize(path, -1, G_NORMALIZE_NFC);
            break;
        }
    }
    if (nfc)
        p = nfc;
    gsize len = strlen(p);
    for (guint i = 0; i < map->rules->len; i++) {
        const rule *r = g_ptr_array_index(map->rules, i);
        if (rule_matches(r, p, len))
            return &r->pub;
    }
    return NULL;
}

/* ---- Reading a map ---- */

static gboolean G_GNUC_PRINTF(5, 6)
    map_error(GError **error, int code, const char *name, guint line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, TRACUU_CONF_ERROR, code, "%s:%u: %s", name, line, msg);
    return FALSE;
}

/* The next word of *@p: a double-quoted glob, or a run of non-space characters in which '\'
 * keeps the next one (so "\ " is a space of a glob). Backslashes are kept: the glob reads
 * them. NULL at the end of the line or at a comment; *@bad set for an unclosed quote. */
static char *
next_word(const char **p, gboolean *bad)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || *s == '#') {
        *p = s;
        return NULL;
    }
    GString *w = g_string_new(NULL);
    if (*s == '"') {
        s++;
        while (*s && *s != '"') {
            if (*s == '\\' && s[1]) {
                /* \" is a quote of the glob: the glob itself reads the backslash. */
                g_string_append_c(w, *s++);
            }
            g_string_append_c(w, *s++);
        }
        if (*s != '"') {
            *bad = TRUE;
            g_string_free(w, TRUE);
            return NULL;
        }
        s++;
        if (*s && *s != ' ' && *s != '\t') {
            *bad = TRUE;
            g_string_free(w, TRUE);
            return NULL;
        }
    } else {
        while (*s && *s != ' ' && *s != '\t') {
            if (*s == '\\' && s[1])
                g_string_append_c(w, *s++);
            g_string_append_c(w, *s++);
        }
    }
    *p = s;
    return g_string_free(w, FALSE);
}

/* Reads "a;b;c" or "-" into a NULL-terminated vector of valid labels, without repeats. */
static char **
parse_labels(const char *s, const char **bad)
{
    GPtrArray *out = g_ptr_array_new();
    if (strcmp(s, "-") != 0) {
        g_auto(GStrv) parts = g_strsplit(s, ";", -1);
        for (guint i = 0; parts[i]; i++) {
            if (!tracuu_label_is_valid(parts[i])) {
                *bad = parts[i][0] ? "a label is 1 to 64 of a-z, 0-9, '-', '_' and '.', "
                                     "starting with a letter or digit"
                                   : "an empty label (two ';' in a row, or one at an end)";
                g_ptr_array_set_free_func(out, g_free);
                g_ptr_array_free(out, TRUE);
                return NULL;
            }
            gboolean seen = FALSE;
            for (guint k = 0; k < out->len && !seen; k++)
                seen = strcmp(out->pdata[k], parts[i]) == 0;
            if (!seen)
                g_ptr_array_add(out, g_strdup(parts[i]));
        }
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

/* Reads one line (NUL-terminated, without its newline) into @map. */
static gboolean
parse_line(tracuu_access_map *map, const char *text, guint line, GError **error)
{
    const char *p = text;
    gboolean bad = FALSE;
    g_autofree char *glob = next_word(&p, &bad);
    if (bad)
        return map_error(error, TRACUU_CONF_ERROR_SYNTAX, map->name, line,
                         "a quoted glob must end with '\"' followed by a space");
    if (!glob)
        return TRUE; /* blank or comment */
    g_autofree char *labels = next_word(&p, &bad);
    g_autofree char *level = labels ? next_word(&p, &bad) : NULL;
    g_autofree char *extra = level ? next_word(&p, &bad) : NULL;
    if (!labels)
        return map_error(error, TRACUU_CONF_ERROR_SYNTAX, map->name, line,
                         "a rule is GLOB LABEL[;LABEL...] [LEVEL] (\"-\" for no label): "
                         "labels missing after %s",
                         glob);
    if (extra || bad)
        return map_error(error, TRACUU_CONF_ERROR_SYNTAX, map->name, line,
                         "a rule is GLOB LABEL[;LABEL...] [LEVEL]; a glob holding spaces is "
                         "written in double quotes");
    if (strlen(glob) > MAX_GLOB_BYTES)
        return map_error(error, TRACUU_CONF_ERROR_VALUE, map->name, line,
                         "a glob of more than %d bytes", MAX_GLOB_BYTES);

    rule *r = g_new0(rule, 1);
    r->pub.line = line;
    r->pub.glob = g_utf8_normalize(glob, -1, G_NORMALIZE_NFC);
    const char *why = NULL;
    if (!compile_glob(r, r->pub.glob, &why)) {
        map_error(error, TRACUU_CONF_ERROR_VALUE, map->name, line, "bad glob %s: %s", glob, why);
        rule_free(r);
        return FALSE;
    }
    r->pub.labels = (const char *const *)parse_labels(labels, &why);
    if (!r->pub.labels) {
        map_error(error, TRACUU_CONF_ERROR_VALUE, map->name, line, "labels \"%s\": %s", labels,
                  why);
        rule_free(r);
        return FALSE;
    }
    if (level && !tracuu_level_parse(level, &r->pub.level)) {
        map_error(error, TRACUU_CONF_ERROR_VALUE, map->name, line,
                  "\"%s\" is not a level (none, mat, toi-mat, tuyet-mat)", level);
        rule_free(r);
        return FALSE;
    }
    g_ptr_array_add(map->rules, r);
    return TRUE;
}

tracuu_access_map *
tracuu_access_map_parse(const char *data, gsize len, const char *name, GError **error)
{
    g_autoptr(tracuu_access_map) map = g_new0(tracuu_access_map, 1);
    map->name = g_strdup(name);
    map->rules = g_ptr_array_new_with_free_func(rule_free);
    guint line = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        const char *stop = nl ? nl : end;
        gsize n = (gsize)(stop - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (memchr(p, '\0', n) || !g_utf8_validate(p, (gssize)n, NULL)) {
            map_error(error, TRACUU_CONF_ERROR_SYNTAX, map->name, line, "not valid UTF-8 text");
            return NULL;
        }
        g_autofree char *text = g_strndup(p, n);
        if (!parse_line(map, text, line, error))
            return NULL;
        p = nl ? nl + 1 : end;
    }
    return g_steal_pointer(&map);
}

tracuu_access_map *
tracuu_access_map_load(const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) read_error = NULL;
    if (!g_file_get_contents(path, &data, &len, &read_error)) {
        g_set_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_READ, "%s: cannot read: %s", path,
                    read_error->message);
        return NULL;
    }
    if (len > MAX_MAP_BYTES) {
        g_set_error(error, TRACUU_CONF_ERROR, TRACUU_CONF_ERROR_READ,
                    "%s: an access map of more than %d MiB", path, MAX_MAP_BYTES >> 20);
        return NULL;
    }
    return tracuu_access_map_parse(data, len, path, error);
}
