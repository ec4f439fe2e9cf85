/* fuzz-conf.c - libFuzzer target for the configuration file and access map parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tracuu-conf.h"

/*
 * The first byte chooses the parser: even, the configuration file; odd, the access map, and
 * then every line of the input is also looked up as a path (plus a few fixed ones), so that
 * the glob matcher runs on globs and paths of all shapes. The checks are the parsers'
 * promises: a refusal says where ("NAME:LINE: ..." or "NAME: ..."), an accepted map's lookup
 * answers one of its own rules, and a refused configuration returns nothing.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    gboolean map_mode = data[0] & 1;
    const char *text = (const char *)data + 1;
    gsize len = size - 1;
    GError *error = NULL;

    if (!map_mode) {
        tracuu_conf *conf = tracuu_conf_load_data(text, len, "f.conf", "/nonexistent", &error);
        if (!conf && (!error || !g_str_has_prefix(error->message, "f.conf:")))
            abort();
        if (conf) {
            for (guint i = 0; i < tracuu_conf_get_n_users(conf); i++) {
                const tracuu_conf_user *u = tracuu_conf_get_user(conf, i);
                if (!u->name || !u->labels || !u->emails ||
                    tracuu_conf_find_user(conf, u->name) != u)
                    abort();
                for (guint k = 0; u->labels[k]; k++)
                    if (!tracuu_label_is_valid(u->labels[k]))
                        abort();
            }
            tracuu_conf_free(conf);
        }
        g_clear_error(&error);
        return 0;
    }

    tracuu_access_map *map = tracuu_access_map_parse(text, len, "f.map", &error);
    if (!map) {
        if (!error || !g_str_has_prefix(error->message, "f.map:"))
            abort();
        g_clear_error(&error);
        return 0;
    }
    static const char *const fixed[] = {"/", "/srv/a/b.pdf", "/srv/Công văn/x.eml", ""};
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(paths, g_strdup(fixed[i]));
    char *copy = g_strndup(text, len);
    char **lines = g_strsplit(copy, "\n", 64);
    for (guint i = 0; lines[i]; i++)
        g_ptr_array_add(paths, g_strdup(lines[i]));
    g_strfreev(lines);
    g_free(copy);
    for (guint i = 0; i < paths->len; i++) {
        const tracuu_access_rule *r = tracuu_access_map_lookup(map, paths->pdata[i]);
        if (!r)
            continue;
        gboolean own = FALSE;
        for (guint k = 0; k < tracuu_access_map_get_n_rules(map) && !own; k++)
            own = tracuu_access_map_get_rule(map, k) == r;
        if (!own || r->level > TRACUU_LEVEL_TUYET_MAT || !r->labels)
            abort();
        if (tracuu_access_map_lookup(map, paths->pdata[i]) != r)
            abort();
    }
    g_ptr_array_unref(paths);
    tracuu_access_map_free(map);
    return 0;
}
