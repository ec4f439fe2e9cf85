/* cli.c - locale and GNU-style short options for the tracuu programs. */
#include "tracuu-cli.h"

#include <locale.h>
#include <string.h>

void
tracuu_cli_init_locale(void)
{
    setlocale(LC_ALL, "");
    const char *charset = NULL;
    if (!g_get_charset(&charset))
        setlocale(LC_CTYPE, "C.UTF-8");
}

/* The entry of @entries for short option @c, or NULL. */
static const GOptionEntry *
find_short(const GOptionEntry *const *entries, char c)
{
    for (guint t = 0; entries[t] != NULL; t++)
        for (const GOptionEntry *e = entries[t]; e->long_name != NULL; e++)
            if (e->short_name == c)
                return e;
    return NULL;
}

static gboolean
takes_value(const GOptionEntry *e)
{
    return e->arg != G_OPTION_ARG_NONE && !(e->flags & G_OPTION_FLAG_NO_ARG);
}

/* What the split made: kept reachable to the end, as GOption drops options from argv. */
static GPtrArray *made;

void
tracuu_cli_split_short_options(int *argc, char ***argv, const GOptionEntry *const *entries)
{
    if (made == NULL)
        made = g_ptr_array_new();
    GPtrArray *out = g_ptr_array_new();
    gboolean ended = FALSE;
    for (int i = 0; i < *argc; i++) {
        char *a = (*argv)[i];
        if (i == 0 || ended || a[0] != '-' || a[1] == '-' || a[1] == '\0') {
            if (a[0] == '-' && a[1] == '-' && a[2] == '\0')
                ended = TRUE;
            g_ptr_array_add(out, a);
            continue;
        }
        /* Check the whole word first: only a word made of known short options is split. */
        gboolean ok = TRUE, split = FALSE;
        for (const char *p = a + 1; *p != '\0' && ok; p++) {
            const GOptionEntry *e = find_short(entries, *p);
            if (e == NULL) {
                ok = FALSE;
            } else if (takes_value(e)) {
                split = p[1] != '\0' || p != a + 1;
                break;
            } else if (p != a + 1 || p[1] != '\0') {
                split = TRUE;
            }
        }
        if (!ok || !split) {
            g_ptr_array_add(out, a);
            continue;
        }
        for (const char *p = a + 1; *p != '\0'; p++) {
            const GOptionEntry *e = find_short(entries, *p);
            char *word = g_strdup_printf("-%c", *p);
            g_ptr_array_add(made, word);
            g_ptr_array_add(out, word);
            if (takes_value(e)) {
                if (p[1] != '\0') {
                    char *value = g_strdup(p + 1);
                    g_ptr_array_add(made, value);
                    g_ptr_array_add(out, value);
                }
                break;
            }
        }
    }
    *argc = (int)out->len;
    g_ptr_array_add(out, NULL);
    *argv = (char **)g_ptr_array_free(out, FALSE);
    g_ptr_array_add(made, *argv);
}
