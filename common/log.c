/* log.c - GLib structured logging for the tracuu programs: journald or one line each. */
#include "tracuu-log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *log_program;
static gboolean log_journald;

static const char *
level_prefix(GLogLevelFlags level)
{
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return "critical: ";
    if (level & G_LOG_LEVEL_WARNING)
        return "warning: ";
    if (level & G_LOG_LEVEL_DEBUG)
        return "debug: ";
    return "";
}

static gboolean
debug_enabled(void)
{
    const char *d = g_getenv("G_MESSAGES_DEBUG");
    if (d == NULL)
        return FALSE;
    if (strcmp(d, "all") == 0)
        return TRUE;
    g_auto(GStrv) names = g_strsplit_set(d, " ,", -1);
    return g_strv_contains((const char *const *)names, log_program);
}

static GLogWriterOutput
write_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
    if ((level & G_LOG_LEVEL_DEBUG) && !debug_enabled())
        return G_LOG_WRITER_HANDLED;
    if (log_journald &&
        g_log_writer_journald(level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;

    const char *message = "";
    g_autoptr(GString) extra = g_string_new(NULL);
    for (gsize i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].key, "MESSAGE") == 0) {
            message = fields[i].value;
        } else if (g_str_has_prefix(fields[i].key, "TRACUU_") && fields[i].length < 0) {
            g_autofree char *key = g_ascii_strdown(fields[i].key + 7, -1);
            g_string_append_printf(extra, "%s%s=%s", extra->len ? " " : "", key,
                                   (const char *)fields[i].value);
        }
    }
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    /* One write per line, so that lines of different threads do not mix. */
    g_autofree char *line =
        g_strdup_printf("%s.%03ldZ %s: %s%s%s%s%s\n", stamp, ts.tv_nsec / 1000000,
                        log_program ? log_program : g_get_prgname(), level_prefix(level), message,
                        extra->len ? " [" : "", extra->str, extra->len ? "]" : "");
    fputs(line, stderr);
    fflush(stderr);
    return G_LOG_WRITER_HANDLED;
}

void
tracuu_log_init(const char *program)
{
    g_free(log_program);
    log_program = g_strdup(program);
    log_journald = g_log_writer_is_journald(fileno(stderr));
    g_log_set_writer_func(write_log, NULL, NULL);
}

void
tracuu_log_fields(GLogLevelFlags level, const GLogField *fields, gsize n_fields, const char *format,
                  ...)
{
    va_list ap;
    va_start(ap, format);
    g_autofree char *message = g_strdup_vprintf(format, ap);
    va_end(ap);
    const char *priority = (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) ? "2"
                           : (level & G_LOG_LEVEL_WARNING)                      ? "4"
                           : (level & G_LOG_LEVEL_DEBUG)                        ? "7"
                                                                                : "6";
    GLogField *all = g_newa(GLogField, n_fields + 4);
    gsize n = 0;
    all[n++] = (GLogField){"MESSAGE", message, -1};
    all[n++] = (GLogField){"PRIORITY", priority, -1};
    all[n++] = (GLogField){"GLIB_DOMAIN", log_program ? log_program : "tracuu", -1};
    all[n++] = (GLogField){"SYSLOG_IDENTIFIER", log_program ? log_program : "tracuu", -1};
    for (gsize i = 0; i < n_fields; i++)
        all[n++] = fields[i];
    g_log_structured_array(level & ~G_LOG_FLAG_FATAL, all, n);
}
