/* test-activation.c - reading systemd's LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES. */
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>

#include "activation.h"

typedef struct {
    const char *what;
    const char *pid; /* "self" for this process */
    const char *fds, *names;
    int expect;               /* sockets, or -1 for an error */
    const char *expect_names; /* joined with ':' */
} parse_case;

static const parse_case parse_cases[] = {
    {"nothing passed", NULL, NULL, NULL, 0, NULL},
    {"LISTEN_FDS without LISTEN_PID", NULL, "1", NULL, 0, NULL},
    {"sockets for another process", "1", "2", "a:b", 0, NULL},
    {"LISTEN_PID not a number", "12x", "1", NULL, 0, NULL},
    {"one socket, no names", "self", "1", NULL, 1, "unknown"},
    {"two named sockets", "self", "2", "unix:http", 2, "unix:http"},
    {"an empty name", "self", "2", ":http", 2, ":http"},
    {"zero sockets", "self", "0", NULL, 0, NULL},
    {"LISTEN_FDS not a number", "self", "two", NULL, -1, NULL},
    {"too many sockets", "self", "9", NULL, -1, NULL},
    {"fewer names than sockets", "self", "2", "http", -1, NULL},
    {"more names than sockets", "self", "1", "unix:http", -1, NULL},
};

static void
test_parse(void)
{
    g_autofree char *self = g_strdup_printf("%d", (int)getpid());
    for (guint i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        const parse_case *c = &parse_cases[i];
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) names = NULL;
        const char *pid = c->pid && g_str_equal(c->pid, "self") ? self : c->pid;
        g_test_message("%s", c->what);
        int n = tracuu_activation_parse(pid, c->fds, c->names, getpid(), &names, &error);
        g_assert_cmpint(n, ==, c->expect);
        if (n < 0) {
            g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
            g_assert_null(names);
        } else if (n == 0) {
            g_assert_no_error(error);
            g_assert_null(names);
        } else {
            g_assert_no_error(error);
            g_autofree char *joined = g_strjoinv(":", names);
            g_assert_cmpstr(joined, ==, c->expect_names);
        }
    }
}

/* What tracuu_activation_take() leaves behind: nothing for a program started later to take,
 * whether the sockets were ours or not. */
static void
test_take_unsets(void)
{
    g_setenv("LISTEN_PID", "1", TRUE);
    g_setenv("LISTEN_FDS", "1", TRUE);
    g_setenv("LISTEN_FDNAMES", "http", TRUE);
    g_auto(GStrv) names = NULL;
    g_autoptr(GError) error = NULL;
    g_assert_cmpint(tracuu_activation_take(&names, &error), ==, 0);
    g_assert_no_error(error);
    g_assert_null(g_getenv("LISTEN_PID"));
    g_assert_null(g_getenv("LISTEN_FDS"));
    g_assert_null(g_getenv("LISTEN_FDNAMES"));
}

/* A descriptor that is not a listening socket (a pipe, here) is refused and named. */
static void
test_take_refuses_non_socket(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    int saved = dup(TRACUU_ACTIVATION_FDS_START);
    g_assert_cmpint(dup2(p[0], TRACUU_ACTIVATION_FDS_START), ==, TRACUU_ACTIVATION_FDS_START);
    g_autofree char *self = g_strdup_printf("%d", (int)getpid());
    g_setenv("LISTEN_PID", self, TRUE);
    g_setenv("LISTEN_FDS", "1", TRUE);
    g_setenv("LISTEN_FDNAMES", "unix", TRUE);
    g_auto(GStrv) names = NULL;
    g_autoptr(GError) error = NULL;
    int n = tracuu_activation_take(&names, &error);
    if (saved >= 0) {
        dup2(saved, TRACUU_ACTIVATION_FDS_START);
        close(saved);
    } else {
        close(TRACUU_ACTIVATION_FDS_START);
    }
    close(p[0]);
    close(p[1]);
    g_assert_cmpint(n, ==, -1);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull(strstr(error->message, "descriptor 3 (unix)"));
    g_assert_null(names);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/activation/parse", test_parse);
    g_test_add_func("/activation/take-unsets", test_take_unsets);
    g_test_add_func("/activation/take-refuses-non-socket", test_take_refuses_non_socket);
    return g_test_run();
}
