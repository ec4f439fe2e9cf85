/* fuzz-protocol.c - libFuzzer target for tracuu-searchd's line framing and request parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

/*
 * The first byte chooses the line limit (small limits reach the too-long paths quickly) and
 * the second the size of the reads the input is cut into, so that lines are split across
 * reads in every way. Each line is parsed as a request and an answer is formatted for it, as
 * the daemon does. The checks are the reader's promises: it never keeps more than the limit,
 * never consumes more than it was given, and lines hold no newline; and the parser's: a
 * refusal has a message, and an accepted request written back is read as the same request.
 * An auth request is read for its token too: a token is never longer than the limit, and a
 * line that yields one is always one the daemon's log would not quote.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    gsize max = data[0] < 128 ? (gsize)data[0] + 1 : TRACUU_PROTOCOL_MAX_LINE;
    gsize chunk = (gsize)data[1] + 1;
    data += 2;
    size -= 2;

    tracuu_protocol_reader *r = tracuu_protocol_reader_new(max);
    gsize off = 0;
    while (off < size) {
        gsize len = MIN(chunk, size - off);
        const char *p = (const char *)data + off;
        while (len > 0) {
            gsize used = 0, llen = 0;
            char *line = NULL;
            tracuu_protocol_status st = tracuu_protocol_reader_feed(r, p, len, &used, &line, &llen);
            if (used > len || tracuu_protocol_reader_get_buffered(r) > max + 1)
                abort();
            p += used;
            len -= used;
            if (st == TRACUU_PROTOCOL_LINE) {
                if (llen > max || memchr(line, '\n', llen))
                    abort();
                JsonNode *id = NULL;
                GError *error = NULL;
                JsonObject *req = tracuu_protocol_parse_request(line, llen, &id, &error);
                if (req && tracuu_protocol_is_auth(req)) {
                    gsize tlen = 0;
                    GError *auth_error = NULL;
                    char *token = tracuu_protocol_parse_auth(req, &tlen, &auth_error);
                    if (token && (tlen == 0 || tlen > TRACUU_PROTOCOL_MAX_TOKEN ||
                                  !tracuu_protocol_line_may_hold_token(line, llen)))
                        abort();
                    if (!token && (!auth_error || !auth_error->message[0]))
                        abort();
                    tracuu_protocol_token_free(token);
                    g_clear_error(&auth_error);
                }
                if (req) {
                    /* What is accepted, written back, is accepted again as the same. */
                    JsonNode *node = json_node_init_object(json_node_alloc(), req);
                    gsize alen = 0;
                    char *again = tracuu_protocol_to_json(node, &alen);
                    JsonNode *id2 = NULL;
                    JsonObject *req2 = tracuu_protocol_parse_request(again, alen, &id2, NULL);
                    JsonNode *node2 = req2 ? json_node_init_object(json_node_alloc(), req2) : NULL;
                    if (!node2 || !json_node_equal(node, node2))
                        abort();
                    json_node_unref(node2);
                    json_object_unref(req2);
                    if (id2)
                        json_node_unref(id2);
                    g_free(again);
                    json_node_unref(node);
                } else if (!error || !error->message[0]) {
                    abort();
                }
                char *out = req ? tracuu_protocol_format_response(id, req, NULL)
                                : tracuu_protocol_format_error(
                                      id, tracuu_protocol_error_code_name(error->code),
                                      error->message, NULL);
                /* An answer is exactly one line. */
                if (strchr(out, '\n') != out + strlen(out) - 1)
                    abort();
                g_free(out);
                if (req)
                    json_object_unref(req);
                if (id)
                    json_node_unref(id);
                g_clear_error(&error);
                g_free(line);
            } else if (st == TRACUU_PROTOCOL_NEED_MORE) {
                if (len != 0)
                    abort();
            }
        }
        off += MIN(chunk, size - off);
    }
    tracuu_protocol_reader_free(r);
    return 0;
}
