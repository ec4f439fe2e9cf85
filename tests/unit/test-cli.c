/* test-cli.c - GNU-style short options and the UTF-8 locale of the tracuu programs. */
#include <locale.h>
#include <string.h>

#include "tracuu-cli.h"
#include "tracuu-log.h"

static int v_jobs;
static gboolean v_quiet, v_json;
static char *v_db;

static const GOptionEntry entries[] = {
    {"jobs", 'j', 0, G_OPTION_ARG_INT, &v_jobs, "jobs", "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &v_quiet, "quiet", NULL},
    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &v_db, "db", "DIR"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &v_json, "json", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct {
    const char *in;  /* the words after the program name, '|' between them */
    const char *out; /* what GOption is given */
} split_case;

static const split_case split_cases[] = {
    {"-j1", "-j|1"},
    {"-j|1", "-j|1"},
    {"-j12|--json", "-j|12|--json"},
    {"-qj2", "-q|-j|2"},
    {"-q", "-q"},
    {"-d/tmp/x|a", "-d|/tmp/x|a"},
    {"--jobs=3|-j", "--jobs=3|-j"},
    {"-x1", "-x1"},          /* not an option here: GOption says so */
    {"-jq", "-j|q"},         /* the value of -j is "q": GOption refuses it as a number */
    {"--|-j1", "--|-j1"},    /* after --, words are words */
    {"-", "-"},
    {"path|-j2|other", "path|-j|2|other"},
};

static void
test_split(void)
{
    const GOptionEntry *const tables[] = {entries, NULL};
    for (gsize i = 0; i < G_N_ELEMENTS(split_cases); i++) {
        g_auto(GStrv) words = g_strsplit(split_cases[i].in, "|", -1);
        GPtrArray *v = g_ptr_array_new();
        g_ptr_array_add(v, (char *)"prog");
        for (char **w = words; *w; w++)
            g_ptr_array_add(v, *w);
        int argc = (int)v->len;
        g_ptr_array_add(v, NULL);
        char **argv = (char **)v->pdata;
        tracuu_cli_split_short_options(&argc, &argv, tables);
        g_assert_cmpstr(argv[0], ==, "prog");
        g_autofree char *got = g_strjoinv("|", argv + 1);
        g_assert_cmpint(argc, ==, (int)g_strv_length(argv));
        g_assert_cmpstr(got, ==, split_cases[i].out);
        g_ptr_array_free(v, TRUE);
    }
}

/* The point of the split: GOption then reads -j1 as 1, where alone it dropped the 1. */
static void
test_parse(void)
{
    const GOptionEntry *const tables[] = {entries, NULL};
    char *words[] = {"prog", "-qj3", "--json", "path", NULL};
    int argc = 4;
    char **argv = words;
    tracuu_cli_split_short_options(&argc, &argv, tables);
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    v_jobs = 0;
    v_quiet = v_json = FALSE;
    g_assert_true(g_option_context_parse(ctx, &argc, &argv, &error));
    g_assert_no_error(error);
    g_assert_cmpint(v_jobs, ==, 3);
    g_assert_true(v_quiet);
    g_assert_true(v_json);
    g_assert_cmpint(argc, ==, 2);
    g_assert_cmpstr(argv[1], ==, "path");
}

/* Under LANG=C GLib would print Vietnamese letters as '?': the programs switch to UTF-8. */
static void
test_locale(void)
{
    g_setenv("LC_ALL", "C", TRUE);
    tracuu_cli_init_locale();
    const char *charset = NULL;
    g_assert_true(g_get_charset(&charset));
    g_autofree char *shown = g_locale_from_utf8("Số", -1, NULL, NULL, NULL);
    g_assert_cmpstr(shown, ==, "Số");
}

/* Off the journal, one line per message: stamp, program, level, message, TRACUU_* fields. */
static void
test_log_lines(void)
{
    if (g_test_subprocess()) {
        g_unsetenv("JOURNAL_STREAM");
        tracuu_log_init("tracuu-test");
        tracuu_log_info("listening on %s", "unix:/x");
        const GLogField f[] = {{"TRACUU_USER", "anh", -1}, {"TRACUU_PEER", "unix", -1}};
        tracuu_log_fields(G_LOG_LEVEL_WARNING, f, G_N_ELEMENTS(f), "refused %d", 3);
        g_debug("hidden unless G_MESSAGES_DEBUG says so");
        g_warning("a library's own warning goes the same way");
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("20*T*:*:*.*Z tracuu-test: listening on unix:/x\n"
                              "*Z tracuu-test: warning: refused 3 [user=anh peer=unix]\n"
                              "*Z tracuu-test: warning: a library's own warning goes the same way\n");
    g_test_trap_assert_stderr_unmatched("*hidden*");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cli/split", test_split);
    g_test_add_func("/cli/parse", test_parse);
    g_test_add_func("/cli/locale", test_locale);
    g_test_add_func("/log/lines", test_log_lines);
    return g_test_run();
}
