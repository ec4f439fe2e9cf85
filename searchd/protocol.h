/* protocol.h - tracuu-searchd's wire protocol: line framing and request/response JSON, no I/O. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The protocol is newline-delimited JSON (docs/protocol.md): one request object per line, one
 * response object per line, in order. This module does no I/O, so that the framing rules can be
 * tested and fuzzed byte by byte: the daemon reads whatever the socket gives it and feeds it
 * here, the way redis feeds a client's query buffer to its parser.
 */

/* The longest request line accepted, in bytes, not counting the "\n" (nor a "\r" before it). */
#define TRACUU_PROTOCOL_MAX_LINE (1024 * 1024)

#define TRACUU_PROTOCOL_ERROR (tracuu_protocol_error_quark())
GQuark tracuu_protocol_error_quark(void);

typedef enum {
    TRACUU_PROTOCOL_ERROR_BAD_JSON,      /* "bad_json": not JSON, or not UTF-8 */
    TRACUU_PROTOCOL_ERROR_BAD_REQUEST,   /* "bad_request": JSON, but not an object with "op" */
    TRACUU_PROTOCOL_ERROR_LINE_TOO_LONG, /* "line_too_long": over TRACUU_PROTOCOL_MAX_LINE */
} tracuu_protocol_error;

/* The protocol's name of @code ("bad_json"...). Static string. */
const char *tracuu_protocol_error_code_name(tracuu_protocol_error code);

/* ---- Framing ---- */

typedef enum {
    TRACUU_PROTOCOL_NEED_MORE, /* every byte given was consumed; no complete line yet */
    TRACUU_PROTOCOL_LINE,      /* one complete line is ready */
    TRACUU_PROTOCOL_TOO_LONG,  /* a line went over the limit: answer the error once */
} tracuu_protocol_status;

typedef struct tracuu_protocol_reader tracuu_protocol_reader;

/*
 * A per-connection line reader that keeps at most @max_line + 1 bytes of a partial line
 * (0: TRACUU_PROTOCOL_MAX_LINE). Caller frees with tracuu_protocol_reader_free().
 */
tracuu_protocol_reader *tracuu_protocol_reader_new(gsize max_line);

void tracuu_protocol_reader_free(tracuu_protocol_reader *reader); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_protocol_reader, tracuu_protocol_reader_free)

/*
 * Consumes bytes of @data (@len bytes) until it has something to say, and sets *@consumed to
 * how many it took; call again with the rest until it answers NEED_MORE.
 *
 * LINE: *@line is the line without its "\n" and without one "\r" before it, NUL-terminated
 * (it may contain other NULs: *@line_len is its length); the caller owns it (g_free).
 * Empty and blank lines are skipped, never returned: they are not requests.
 *
 * TOO_LONG: a line went over the limit. It is reported once, as soon as the limit is passed,
 * and the rest of it, up to and including its "\n", is then consumed and dropped without
 * being kept, however long it is. *@line is NULL.
 *
 * NEED_MORE: all of @data was consumed; a partial line, if any, is kept for the next call.
 */
tracuu_protocol_status tracuu_protocol_reader_feed(tracuu_protocol_reader *reader,
                                                   const char *data, gsize len, gsize *consumed,
                                                   char **line, gsize *line_len);

/* Bytes of a partial line held now (at most max_line + 1). */
gsize tracuu_protocol_reader_get_buffered(const tracuu_protocol_reader *reader);

/* ---- Requests and responses ---- */

/*
 * Parses one request line. Returns the request object (caller frees with json_object_unref())
 * or NULL with @error set: TRACUU_PROTOCOL_ERROR_BAD_JSON for invalid UTF-8 or JSON (the message
 * gives the line and column, or byte offset), TRACUU_PROTOCOL_ERROR_BAD_REQUEST for JSON that
 * is not an object or whose "op" is missing or not a string.
 *
 * *@id is set to a copy of the request's "id" member whenever it could be read, even when the
 * request is then refused (caller frees with json_node_unref()), otherwise to NULL.
 */
JsonObject *tracuu_protocol_parse_request(const char *line, gsize len, JsonNode **id,
                                          GError **error);

/* ---- Authentication ---- */

/* The longest token an auth request may carry, in bytes (those of --new-token have 43). */
#define TRACUU_PROTOCOL_MAX_TOKEN 1024

/* Whether @request (as parse_request returns it) is {"op": "auth", ...}. */
gboolean tracuu_protocol_is_auth(JsonObject *request);

/*
 * Reads the token of an auth request: {"op": "auth", "token": "...", "id": ...}. Returns a
 * copy of the token and sets *@len to its length, or NULL with TRACUU_PROTOCOL_ERROR_BAD_REQUEST
 * when "token" is missing, not a string, empty, longer than TRACUU_PROTOCOL_MAX_TOKEN, or
 * when the request has other members (a misspelt member must not pass unnoticed).
 * Caller frees with tracuu_protocol_token_free(), which wipes the bytes first. The message
 * never quotes the token.
 */
char *tracuu_protocol_parse_auth(JsonObject *request, gsize *len, GError **error);

/* Wipes and frees a token of tracuu_protocol_parse_auth(). NULL accepted. */
void tracuu_protocol_token_free(char *token);

/*
 * Whether a request line may hold a token, so that it must not be quoted in a log: it names
 * "auth" or "token" (in any case), or holds a backslash, with which JSON can spell either
 * without writing it. Meant for lines that did not parse, whose op is unknown.
 */
gboolean tracuu_protocol_line_may_hold_token(const char *line, gsize len);

/* ---- Writing JSON ---- */

/*
 * Responses are written by this module rather than by json-glib's generator, which prints
 * every double with 17 significant digits ("took_ms":0.65200000000000002), 1e20 as "1e+20.0"
 * and infinities as "inf.0" (not JSON), and leaves the byte 0x1f unescaped.
 */

/* Room for any double formatted by tracuu_protocol_format_double(), NUL included. */
#define TRACUU_PROTOCOL_DOUBLE_BUF 32

/*
 * Writes @d into @buf as JSON: the shortest of 15, 16 or 17 significant digits that reads back
 * as the same double ("0.652"), with ".0" when it would otherwise read as an integer ("12.0"),
 * and "null" for NaN and infinities, which JSON cannot hold.
 */
void tracuu_protocol_format_double(double d, char buf[TRACUU_PROTOCOL_DOUBLE_BUF]);

/*
 * Appends @node (borrowed; NULL is written as null) to @out as compact JSON on one line:
 * members in their order, strings escaped as json-glib escapes them, integers as they are,
 * doubles by tracuu_protocol_format_double(). What json_to_string(@node, FALSE) gives, but
 * with clean numbers; the tracuu client uses it too, so both print the same figures.
 */
void tracuu_protocol_append_json(GString *out, JsonNode *node);

/* tracuu_protocol_append_json() into a newly allocated string (g_free); *@len (if not NULL)
 * is set to its length. */
char *tracuu_protocol_to_json(JsonNode *node, gsize *len);

/*
 * Formats a response line: @response (borrowed) with "id": @id first when @id is not NULL,
 * then the members of @response, then "\n", written as tracuu_protocol_append_json() does,
 * except that a "took_ms" double member is rounded to three decimals (a duration measured to
 * the microsecond). Returns a newly allocated string (g_free) and sets *@len (if not NULL) to
 * its length.
 */
char *tracuu_protocol_format_response(JsonNode *id, JsonObject *response, gsize *len);

/*
 * Formats an error response line: {"id": @id, "ok": false, "error": {"code": @code,
 * "message": @message}} and "\n"; "id" only when @id is not NULL. Returns a newly allocated
 * string (g_free) and sets *@len (if not NULL) to its length.
 */
char *tracuu_protocol_format_error(JsonNode *id, const char *code, const char *message,
                                   gsize *len);

G_END_DECLS
