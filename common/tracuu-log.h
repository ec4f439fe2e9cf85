/* tracuu-log.h - GLib structured logging for the tracuu programs: journald or one line each. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Installs the log writer of a tracuu program named @program. Under systemd (stderr connected
 * to the journal, JOURNAL_STREAM) every message goes to journald with its fields (PRIORITY,
 * MESSAGE, TRACUU_* fields given by the caller, and SYSLOG_IDENTIFIER = @program), so that
 * `journalctl -u tracuu-searchd TRACUU_USER=anh` selects one user's lines. Otherwise each
 * message is one line on stderr, written at once so that threads do not mix:
 *   2026-12-03T10:00:00.123Z tracuu-searchd: listening on unix:/run/tracuu.sock
 * with "warning: " or "critical: " before messages of those levels, and the TRACUU_* fields
 * after the message as " [user=anh peer=unix]". Debug messages are shown only when
 * G_MESSAGES_DEBUG names @program or "all", as GLib's own writer does. Call once, early.
 */
void tracuu_log_init(const char *program);

/*
 * Logs a message at @level (G_LOG_LEVEL_INFO, _MESSAGE, _WARNING, _CRITICAL or _DEBUG; never
 * _ERROR, which would abort) with @n_fields extra fields (@fields may be NULL), whose keys
 * should be upper case and start with "TRACUU_" (journald's rules); values are strings.
 * printf-style; the message is formatted before it is handed on.
 */
void tracuu_log_fields(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                       const char *format, ...) G_GNUC_PRINTF(4, 5);

#define tracuu_log_info(...) tracuu_log_fields(G_LOG_LEVEL_INFO, NULL, 0, __VA_ARGS__)
#define tracuu_log_warning(...) tracuu_log_fields(G_LOG_LEVEL_WARNING, NULL, 0, __VA_ARGS__)
#define tracuu_log_critical(...) tracuu_log_fields(G_LOG_LEVEL_CRITICAL, NULL, 0, __VA_ARGS__)

G_END_DECLS
