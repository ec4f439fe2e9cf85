/* tracuu-cli.h - what every tracuu program does with its command line before GOption reads it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Sets the locale from the environment, and makes its character type UTF-8 when the
 * environment's is not (LANG unset, C or POSIX under cron and systemd): tracuu's messages,
 * --help and file names are Vietnamese UTF-8, and GLib converts what it prints to the locale's
 * charset, which turns every letter with a diacritic (and GOption's quotes) into '?'.
 */
void tracuu_cli_init_locale(void);

/*
 * Rewrites *@argv so that GOption reads short options as GNU tools do: an option that takes a
 * value may have it attached ("-j1", "-n3"), and options that take none may be clustered with
 * one that does at the end ("-qj2"). GOption alone reads "-j1" as "-j" followed by the next
 * word, silently dropping the "1". Such words are split into "-j" "1" ("-q" "-j" "2"); a word
 * whose letters are not all short options of @entries (any number of NULL-terminated tables)
 * is left as it is, so GOption reports it. Nothing after "--" is touched.
 * The new vector replaces *@argv and *@argc; its strings live until the process ends (the old
 * vector is not freed: GOption and main() may still hold its strings).
 */
void tracuu_cli_split_short_options(int *argc, char ***argv, const GOptionEntry *const *entries);

G_END_DECLS
