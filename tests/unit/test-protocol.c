/* test-protocol.c - unit tests of tracuu-searchd's line framing and request/response JSON. */
#include <math.h>
#include <string.h>

#include "protocol.h"

/* Feeds @chunks one after the other (as separate reads) and describes what came out:
 * "L<line>" per line, "T" per refusal, joined by "|". Lines are shown with NUL as "\\0". */
static char *
run_reader(gsize max, const char *const *chunks, const gsize *lens)
{
    g_autoptr(tracuu_protocol_reader) r = tracuu_protocol_reader_new(max);
    GString *out = g_string_new(NULL);

    for (gsize c = 0; chunks[c]; c++) {
        const char *data = chunks[c];
        gsize len = lens ? lens[c] : strlen(data);
        while (TRUE) {
            gsize used = 0, llen = 0;
            char *line = NULL;
            tracuu_protocol_status st =
                tracuu_protocol_reader_feed(r, data, len, &used, &line, &llen);
            g_assert_cmpuint(used, <=, len);
            g_assert_cmpuint(tracuu_protocol_reader_get_buffered(r), <=, (max ? max : TRACUU_PROTOCOL_MAX_LINE) + 1);
            data += used;
            len -= used;
            if (st == TRACUU_PROTOCOL_NEED_MORE) {
                g_assert_null(line);
                g_assert_cmpuint(len, ==, 0);
                break;
            }
            if (out->len)
                g_string_append_c(out, '|');
            if (st == TRACUU_PROTOCOL_LINE) {
                g_assert_nonnull(line);
                g_assert_cmpint(line[llen], ==, '\0');
                g_string_append_c(out, 'L');
                for (gsize i = 0; i < llen; i++) {
                    if (line[i] == '\0')
                        g_string_append(out, "\\0");
                    else
                        g_string_append_c(out, line[i]);
                }
                g_free(line);
            } else {
                g_assert_cmpint(st, ==, TRACUU_PROTOCOL_TOO_LONG);
                g_assert_null(line);
                g_string_append_c(out, 'T');
            }
        }
    }
    return g_string_free(out, FALSE);
}

typedef struct {
    const char *name;
    gsize max;
    const char *chunks[8];
    const char *expect;
} framing_case;

static const framing_case framing_cases[] = {
    {"one line", 0, {"{\"op\":\"ping\"}\n"}, "L{\"op\":\"ping\"}"},
    {"no newline yet", 0, {"{\"op\":\"ping\"}"}, ""},
    {"split across reads", 0, {"{\"op\"", ":\"pi", "ng\"}", "\n"}, "L{\"op\":\"ping\"}"},
    {"split byte by byte", 0, {"a", "b", "c", "\n", "d", "\n"}, "Labc|Ld"},
    {"several lines in one read", 0, {"a\nbb\nccc\n"}, "La|Lbb|Lccc"},
    {"lines and a partial one", 0, {"a\nb", "c\nd"}, "La|Lbc"},
    {"CRLF", 0, {"a\r\nb\r\n"}, "La|Lb"},
    {"CR split from LF", 0, {"a\r", "\nb\n"}, "La|Lb"},
    {"only one CR is stripped", 0, {"a\r\r\n"}, "La\r"},
    {"CR inside a line is kept", 0, {"a\rb\n"}, "La\rb"},
    {"empty lines skipped", 0, {"\n\n\r\na\n\n"}, "La"},
    {"blank lines skipped", 0, {"  \t \n", " \r\n", "x\n"}, "Lx"},
    {"blank line split across reads", 0, {"  ", " \n", "y\n"}, "Ly"},
    {"limit exactly", 4, {"abcd\n"}, "Labcd"},
    {"limit exactly with CRLF", 4, {"abcd\r\n"}, "Labcd"},
    {"limit exactly in pieces", 4, {"ab", "cd", "\r", "\n"}, "Labcd"},
    {"one over with newline", 4, {"abcde\nok\n"}, "T|Lok"},
    {"one over in pieces", 4, {"abc", "de", "\n", "ok\n"}, "T|Lok"},
    {"over, CR not at the end", 4, {"abcd\rx\nok\n"}, "T|Lok"},
    {"refused once, rest dropped", 4, {"abcdefgh", "ijklmnop", "qrstuvwx", "yz\nok\n"}, "T|Lok"},
    {"refused line then next in same read", 3, {"aaaaaaaaaa\nbbb\ncccc\nd\n"}, "T|Lbbb|T|Ld"},
    {"two refusals in a row", 2, {"xxxxx", "\n", "yyyyy\n", "zz\n"}, "T|T|Lzz"},
};

static void
test_framing(gconstpointer data)
{
    const framing_case *c = data;
    g_autofree char *got = run_reader(c->max, c->chunks, NULL);
    g_assert_cmpstr(got, ==, c->expect);
}

static void
test_framing_nul(void)
{
    /* A NUL byte does not end a line; the line comes back whole with its length. */
    const char *chunks[] = {"a\0b\nc\n", NULL};
    const gsize lens[] = {6};
    g_autofree char *got = run_reader(0, chunks, lens);
    g_assert_cmpstr(got, ==, "La\\0b|Lc");
}

/* The real limit: a line of exactly TRACUU_PROTOCOL_MAX_LINE bytes passes; one byte more is
 * refused, the reader never holding more than the limit, and the connection goes on. */
static void
test_framing_one_mib(void)
{
    const gsize max = TRACUU_PROTOCOL_MAX_LINE;
    for (int over = 0; over <= 1; over++) {
        g_autoptr(tracuu_protocol_reader) r = tracuu_protocol_reader_new(0);
        gsize n = max + over;
        char *big = g_malloc(n + 1);
        memset(big, 'x', n);
        big[n] = '\n';
        gsize off = 0, refused = 0, lines = 0, longest = 0;
        /* Fed in 64 KiB reads, as the daemon does. */
        while (off < n + 1) {
            gsize len = MIN(65536, n + 1 - off), used = 0, llen = 0;
            char *line = NULL;
            tracuu_protocol_status st =
                tracuu_protocol_reader_feed(r, big + off, len, &used, &line, &llen);
            g_assert_cmpuint(tracuu_protocol_reader_get_buffered(r), <=, max + 1);
            off += used;
            if (st == TRACUU_PROTOCOL_LINE) {
                lines++;
                longest = llen;
                g_free(line);
            } else if (st == TRACUU_PROTOCOL_TOO_LONG) {
                refused++;
            }
        }
        g_assert_cmpuint(lines, ==, over ? 0 : 1);
        g_assert_cmpuint(refused, ==, over ? 1 : 0);
        if (!over)
            g_assert_cmpuint(longest, ==, max);
        gsize used = 0;
        char *line = NULL;
        g_assert_cmpint(tracuu_protocol_reader_feed(r, "next\n", 5, &used, &line, NULL), ==,
                        TRACUU_PROTOCOL_LINE);
        g_assert_cmpstr(line, ==, "next");
        g_free(line);
        g_free(big);
    }
}

/* A 64 MiB line sent in one go is refused as soon as the limit is passed: the reader keeps
 * nothing of it, and consumes the whole read. */
static void
test_framing_huge_unbuffered(void)
{
    g_autoptr(tracuu_protocol_reader) r = tracuu_protocol_reader_new(1000);
    g_autofree char *chunk = g_malloc(1 << 20);
    memset(chunk, 'y', 1 << 20);
    gsize used = 0;
    char *line = NULL;
    g_assert_cmpint(tracuu_protocol_reader_feed(r, chunk, 1 << 20, &used, &line, NULL), ==,
                    TRACUU_PROTOCOL_TOO_LONG);
    g_assert_cmpuint(used, ==, 1 << 20);
    g_assert_cmpuint(tracuu_protocol_reader_get_buffered(r), ==, 0);
    for (int i = 0; i < 63; i++) {
        g_assert_cmpint(tracuu_protocol_reader_feed(r, chunk, 1 << 20, &used, &line, NULL), ==,
                        TRACUU_PROTOCOL_NEED_MORE);
        g_assert_cmpuint(tracuu_protocol_reader_get_buffered(r), ==, 0);
    }
    g_assert_cmpint(tracuu_protocol_reader_feed(r, "y\nz\n", 4, &used, &line, NULL), ==,
                    TRACUU_PROTOCOL_LINE);
    g_assert_cmpstr(line, ==, "z");
    g_free(line);
}

typedef struct {
    const char *name;
    const char *line;
    int error;               /* -1: accepted */
    const char *id;          /* the id read, as JSON, or NULL */
    const char *message_has; /* part of the error message */
} parse_case;

static const parse_case parse_cases[] = {
    {"ping", "{\"op\":\"ping\"}", -1, NULL, NULL},
    {"id number", "{\"id\":7,\"op\":\"ping\"}", -1, "7", NULL},
    {"id string", "{\"op\":\"get\",\"id\":\"abc\"}", -1, "\"abc\"", NULL},
    {"id object", "{\"op\":\"ping\",\"id\":{\"a\":[1,2]}}", -1, "{\"a\":[1,2]}", NULL},
    {"id null", "{\"op\":\"ping\",\"id\":null}", -1, "null", NULL},
    {"spaces around", "  { \"op\" : \"stats\" }  ", -1, NULL, NULL},
    {"malformed", "{\"op\":", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, "at byte 6: expected a value"},
    {"garbage", "hello", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, NULL},
    {"trailing comma", "{\"op\":\"ping\",}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, NULL},
    {"invalid UTF-8", "{\"op\":\"search\",\"q\":\"\xc3\x28\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON,
     NULL, "byte 20"},
    {"overlong UTF-8", "{\"op\":\"\xc0\xaf\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, "UTF-8"},
    {"array", "[1,2]", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, "array"},
    {"string", "\"ping\"", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, NULL},
    {"number", "42", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, NULL},
    {"no op", "{\"id\":3}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, "3", "op"},
    {"op not a string", "{\"id\":\"x\",\"op\":5}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, "\"x\"",
     "string"},
    {"op null", "{\"op\":null}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, NULL},
    {"Vietnamese", "{\"op\":\"search\",\"q\":\"thư điện tử\",\"id\":\"tìm\"}", -1, "\"tìm\"", NULL},

    /* A name given twice is refused, not served as the last one (json-glib keeps the last);
     * names are compared as they read, escapes decoded. The id is echoed unless it is the
     * name given twice. */
    {"two ops", "{\"op\":\"ping\",\"op\":\"search\"}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL,
     "duplicate key \"op\" at byte 13"},
    {"two ops, id echoed", "{\"id\":1,\"op\":\"search\",\"q\":\"x\",\"op\":\"get\"}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, "1", "duplicate key \"op\""},
    {"two ops, one escaped", "{\"op\":\"ping\",\"\\u006fp\":\"stats\"}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, "duplicate key \"op\""},
    {"two ids", "{\"id\":1,\"op\":\"ping\",\"id\":2}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL,
     "duplicate key \"id\""},
    {"any name twice", "{\"op\":\"search\",\"q\":\"a\",\"limit\":5,\"q\":\"b\"}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, "duplicate key \"q\""},
    {"twice in a filter",
     "{\"op\":\"search\",\"filters\":{\"type\":\"a\",\"type\":\"b\"},\"id\":3}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, "3", "duplicate key \"type\""},
    {"twice in the id", "{\"op\":\"ping\",\"id\":{\"a\":1,\"a\":2}}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, "duplicate key \"a\""},
    {"same name in other objects",
     "{\"op\":\"ping\",\"x\":{\"op\":1},\"y\":[{\"op\":2},{\"op\":3}]}", -1, NULL, NULL},
    {"Vietnamese name twice", "{\"op\":\"ping\",\"tìm\":1,\"t\\u00ecm\":2}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, "duplicate key \"tìm\""},

    /* Strings hold Unicode: a UTF-16 surrogate comes in a pair. */
    {"lone high surrogate", "{\"op\":\"search\",\"q\":\"\\ud800\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON,
     NULL, "at byte 20: lone UTF-16 surrogate \\ud800; JSON strings must be valid Unicode"},
    {"lone low surrogate", "{\"op\":\"search\",\"q\":\"a\\uDC00\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON,
     NULL, "at byte 21: lone UTF-16 surrogate \\uDC00"},
    {"high surrogate then a letter", "{\"op\":\"search\",\"q\":\"\\ud800\\u0041\"}",
     TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, "lone UTF-16 surrogate"},
    {"high surrogate at the end", "{\"op\":\"search\",\"q\":\"\\ud83d",
     TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, "lone UTF-16 surrogate"},
    {"surrogate pair", "{\"op\":\"search\",\"q\":\"\\ud83d\\ude00\",\"id\":\"\\u00e9\"}", -1,
     "\"é\"", NULL},
    {"NUL escaped", "{\"op\":\"search\",\"q\":\"a\\u0000b\",\"id\":4}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, "4", "\\u0000"},
    {"NUL in the id", "{\"op\":\"ping\",\"id\":\"a\\u0000b\"}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
     NULL, "\\u0000"},

    /* What json-glib takes but JSON is not. */
    {"comment", "{\"op\":\"ping\" /* hi */}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "at byte 13: expected \",\" or \"}\", found \"/\""},
    {"single quotes", "{'op':'ping'}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "at byte 1: expected a member name in double quotes"},
    {"two objects on a line", "{\"op\":\"ping\"}{\"op\":\"stats\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON,
     NULL, "one request per line"},
    {"text after", "{\"op\":\"ping\"} x", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, "at byte 14"},
    {"hexadecimal", "{\"op\":\"search\",\"limit\":0x10}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "found \"x10\""},
    {"leading zero", "{\"op\":\"search\",\"limit\":010}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "0 followed by digits"},
    {"leading point", "{\"op\":\"search\",\"limit\":.5}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "expected a value"},
    {"trailing point", "{\"op\":\"search\",\"limit\":1.}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "decimal point"},
    {"plus sign", "{\"op\":\"search\",\"limit\":+1}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "found \"+\""},
    {"lone minus", "{\"op\":\"search\",\"limit\":-}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "digit must follow \"-\""},
    {"empty exponent", "{\"op\":\"search\",\"limit\":1e}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "exponent"},
    {"NaN", "{\"op\":\"search\",\"limit\":NaN}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "found \"NaN\""},
    {"truncated true", "{\"op\":\"search\",\"x\":tru}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "found \"tru\""},
    {"unknown escape", "{\"op\":\"search\",\"q\":\"\\x41\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "unknown escape"},
    {"short \\u", "{\"op\":\"search\",\"q\":\"\\u12\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "four hexadecimal digits"},
    {"raw tab in a string", "{\"op\":\"search\",\"q\":\"a\tb\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON,
     NULL, "control character 0x09"},
    {"backslash at the end", "{\"op\":\"search\",\"q\":\"abc\\", TRACUU_PROTOCOL_ERROR_BAD_JSON,
     NULL, "at byte 19: a string that is never closed"},
    {"unclosed string", "{\"op\":\"search\",\"q\":\"abc", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "at byte 19: a string that is never closed"},
    {"empty", "", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL, "found the end of the line"},
    {"missing colon", "{\"op\" \"ping\"}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "at byte 6: expected \":\""},
    {"missing comma", "{\"op\":\"ping\" \"id\":1}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "at byte 13: expected \",\" or \"}\", found a string"},
    {"unclosed object", "{\"op\":\"ping\"", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "found the end of the line"},
    {"unclosed array", "{\"op\":\"ping\",\"id\":[1,2}", TRACUU_PROTOCOL_ERROR_BAD_JSON, NULL,
     "expected \",\" or \"]\", found \"}\""},

    /* Numbers json-glib would change: a wrapped integer, an infinite double. */
    {"integer over 64 bits", "{\"op\":\"search\",\"limit\":18446744073709551621,\"id\":\"n\"}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, "\"n\"", "the integer 18446744073709551621 does not fit"},
    {"id over 64 bits", "{\"op\":\"ping\",\"id\":9223372036854775808}",
     TRACUU_PROTOCOL_ERROR_BAD_REQUEST, NULL, "64 bits"},
    {"double out of range", "{\"op\":\"ping\",\"x\":1e400}", TRACUU_PROTOCOL_ERROR_BAD_REQUEST,
     NULL, "out of range"},
    {"extreme numbers that fit",
     "{\"op\":\"ping\",\"id\":[-9223372036854775808,9223372036854775807,1e-400,-0,1E+2,0.5e-3]}",
     -1, "[-9223372036854775808,9223372036854775807,0.0,0,100.0,0.0005]", NULL},
    {"all kinds of values", " {\"op\" : \"ping\" , \"id\" : [ true , false , null , { } , [ ] ] } ",
     -1, "[true,false,null,{},[]]", NULL},
};

static void
test_parse(gconstpointer data)
{
    const parse_case *c = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) id = NULL;
    g_autoptr(JsonObject) req =
        tracuu_protocol_parse_request(c->line, strlen(c->line), &id, &error);
    if (c->error < 0) {
        g_assert_no_error(error);
        g_assert_nonnull(req);
        g_assert_nonnull(json_object_get_string_member(req, "op"));
        /* Written back as the daemon writes, it reads as the same request. */
        g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), req);
        gsize len = 0;
        g_autofree char *again = tracuu_protocol_to_json(node, &len);
        g_autoptr(JsonNode) id2 = NULL;
        g_autoptr(JsonObject) req2 = tracuu_protocol_parse_request(again, len, &id2, &error);
        g_assert_no_error(error);
        g_autoptr(JsonNode) node2 = json_node_init_object(json_node_alloc(), req2);
        g_assert_true(json_node_equal(node, node2));
    } else {
        g_assert_null(req);
        g_assert_error(error, TRACUU_PROTOCOL_ERROR, c->error);
        g_test_message("%s", error->message);
        if (c->message_has)
            g_assert_nonnull(strstr(error->message, c->message_has));
    }
    if (c->id) {
        g_assert_nonnull(id);
        g_autofree char *s = tracuu_protocol_to_json(id, NULL);
        g_assert_cmpstr(s, ==, c->id);
    } else {
        g_assert_null(id);
    }
}

static void
test_parse_nul_and_depth(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) id = NULL;
    /* An embedded NUL is not valid in a request. */
    JsonObject *req = tracuu_protocol_parse_request("{\"op\":\"p\0\"}", 11, &id, &error);
    g_assert_null(req);
    g_assert_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON);
    g_clear_error(&error);

    /* Deep nesting is refused without recursing; inside a string it is only text. */
    gsize n = 100000;
    g_autofree char *deep = g_malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = 0;
    req = tracuu_protocol_parse_request(deep, n, &id, &error);
    g_assert_null(req);
    g_assert_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_JSON);
    g_assert_nonnull(strstr(error->message, "deep"));
    g_clear_error(&error);

    GString *s = g_string_new("{\"op\":\"search\",\"q\":\"");
    for (int i = 0; i < 1000; i++)
        g_string_append(s, "[{");
    g_string_append(s, "\\\"\"}");
    req = tracuu_protocol_parse_request(s->str, s->len, &id, &error);
    g_assert_no_error(error);
    g_assert_nonnull(req);
    json_object_unref(req);
    g_string_free(s, TRUE);
}

/*
 * Requests cut and changed byte by byte: whatever the scanner makes of them, it does not
 * crash (the sanitizer builds watch), refuses with a message, and what it accepts json-glib
 * reads too and writes back to the same request. A cheap fuzzer that runs on every build;
 * tests/fuzz/fuzz-protocol.c is the real one.
 */
static void
test_parse_mutations(void)
{
    static const char *const seeds[] = {
        "{\"op\":\"search\",\"q\":\"thư \\\"điện\\\" tử\\u00e9\\ud83d\\ude00\",\"limit\":5,"
        "\"filters\":{\"type\":[\"Thông tư\",2010],\"year\":-1.5e-3},\"id\":[null,true,{}]}",
        "{\"id\":{\"a\":[[[]]],\"b\":\"\\\\\"},\"op\":\"ping\",\"x\":0,\"y\":-0.0E+1}",
    };
    static const char alphabet[] = "{}[]\":,\\u0123456789abcdefeE+-. \ttrue\xc3\xa9";
    GRand *rand = g_rand_new_with_seed(13);
    guint accepted = 0;
    for (int round = 0; round < 20000; round++) {
        GString *s = g_string_new(seeds[round % G_N_ELEMENTS(seeds)]);
        int edits = g_rand_int_range(rand, 1, 4);
        for (int e = 0; e < edits; e++) {
            gsize at = (gsize)g_rand_int_range(rand, 0, (gint32)s->len + 1);
            char c = alphabet[g_rand_int_range(rand, 0, sizeof alphabet - 1)];
            switch (g_rand_int_range(rand, 0, 3)) {
            case 0:
                g_string_insert_c(s, (gssize)at, c);
                break;
            case 1:
                if (at < s->len)
                    g_string_erase(s, (gssize)at, 1);
                break;
            default:
                if (at < s->len)
                    s->str[at] = c;
            }
        }
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) id = NULL;
        g_autoptr(JsonObject) req = tracuu_protocol_parse_request(s->str, s->len, &id, &error);
        if (!req) {
            g_assert_nonnull(error);
            g_assert_cmpstr(error->message, !=, "");
        } else {
            accepted++;
            g_autoptr(JsonParser) p = json_parser_new();
            g_assert_true(json_parser_load_from_data(p, s->str, (gssize)s->len, NULL));
            g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), req);
            g_autofree char *again = tracuu_protocol_to_json(node, NULL);
            g_autoptr(JsonNode) id2 = NULL;
            g_autoptr(JsonObject) req2 =
                tracuu_protocol_parse_request(again, strlen(again), &id2, &error);
            g_assert_no_error(error);
            g_autoptr(JsonNode) node2 = json_node_init_object(json_node_alloc(), req2);
            g_assert_true(json_node_equal(node, node2));
        }
        g_string_free(s, TRUE);
    }
    g_rand_free(rand);
    g_test_message("%u of 20000 changed requests accepted", accepted);
    g_assert_cmpuint(accepted, >, 100);
}

static void
test_format(void)
{
    g_autoptr(JsonObject) resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_int_member(resp, "total", 3);
    g_autoptr(JsonNode) id = json_from_string("{\"n\":[1,\"a\\nb\"]}", NULL);
    gsize len = 0;

    g_autofree char *a = tracuu_protocol_format_response(id, resp, &len);
    g_assert_cmpstr(a, ==, "{\"id\":{\"n\":[1,\"a\\nb\"]},\"ok\":true,\"total\":3}\n");
    g_assert_cmpuint(len, ==, strlen(a));

    g_autofree char *b = tracuu_protocol_format_response(NULL, resp, NULL);
    g_assert_cmpstr(b, ==, "{\"ok\":true,\"total\":3}\n");

    g_autoptr(JsonObject) empty = json_object_new();
    g_autoptr(JsonNode) five = json_from_string("5", NULL);
    g_autofree char *c = tracuu_protocol_format_response(five, empty, NULL);
    g_assert_cmpstr(c, ==, "{\"id\":5}\n");

    g_autofree char *d = tracuu_protocol_format_error(five, "bad_json", "line 1: \"x\"\n", &len);
    g_assert_cmpstr(d, ==,
                    "{\"id\":5,\"ok\":false,\"error\":{\"code\":\"bad_json\",\"message\":"
                    "\"line 1: \\\"x\\\"\\n\"}}\n");
    g_assert_cmpuint(len, ==, strlen(d));

    /* A response is one line, always valid JSON, whatever the message held. */
    g_autofree char *e = tracuu_protocol_format_error(NULL, "bad_query", "bad \xff byte", NULL);
    g_assert_true(strchr(e, '\n') == e + strlen(e) - 1);
    g_autoptr(JsonNode) back = json_from_string(e, NULL);
    g_assert_nonnull(back);
    g_assert_false(json_object_get_boolean_member(json_node_get_object(back), "ok"));
    g_assert_false(json_object_has_member(json_node_get_object(back), "id"));
}

/* Numbers are written in the shortest form that reads back the same: the response a user
 * sees says 0.652, not json-glib's 0.65200000000000002, and took_ms has three decimals. */
static void
test_format_numbers(void)
{
    g_autoptr(JsonObject) resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_double_member(resp, "score", 0.652);
    json_object_set_double_member(resp, "took_ms", 0.65200000000000002);
    json_object_set_double_member(resp, "third", 1.0 / 3.0);
    json_object_set_double_member(resp, "twelve", 12.0);
    json_object_set_double_member(resp, "big", 1e20);
    json_object_set_double_member(resp, "negative zero", -0.0);
    json_object_set_double_member(resp, "not a number", NAN);
    json_object_set_double_member(resp, "infinite", INFINITY);
    json_object_set_int_member(resp, "int", -9223372036854775807 - 1);
    g_autofree char *line = tracuu_protocol_format_response(NULL, resp, NULL);
    g_assert_cmpstr(line, ==,
                    "{\"ok\":true,\"score\":0.652,\"took_ms\":0.652,\"third\":0.3333333333333333,"
                    "\"twelve\":12.0,\"big\":1e+20,\"negative zero\":-0.0,\"not a number\":null,"
                    "\"infinite\":null,\"int\":-9223372036854775808}\n");

    /* took_ms is a duration measured to the microsecond: three decimals, rounded. */
    static const struct {
        double ms;
        const char *text;
    } took[] = {{0.6524999, "0.652"},          {0.6525001, "0.653"},
                {3.4620000000000002, "3.462"}, {0.14299999999999999, "0.143"},
                {1234.0004, "1234.0"},         {0.0, "0.0"}};
    for (gsize i = 0; i < G_N_ELEMENTS(took); i++) {
        g_autoptr(JsonObject) t = json_object_new();
        json_object_set_double_member(t, "took_ms", took[i].ms);
        g_autofree char *got = tracuu_protocol_format_response(NULL, t, NULL);
        g_autofree char *want = g_strdup_printf("{\"took_ms\":%s}\n", took[i].text);
        g_assert_cmpstr(got, ==, want);
    }

    /* An id is echoed as it was sent, 0.1 included. */
    g_autoptr(JsonNode) id = json_from_string("[0.1,2.5e-7,100]", NULL);
    g_autoptr(JsonObject) empty = json_object_new();
    g_autofree char *echo = tracuu_protocol_format_response(id, empty, NULL);
    g_assert_cmpstr(echo, ==, "{\"id\":[0.1,2.5e-07,100]}\n");
}

/* Every double, written and read back, is the same double, in at most 17 digits. */
static void
test_format_double_round_trip(void)
{
    const double fixed[] = {0.1,
                            0.2,
                            0.3,
                            0.652,
                            1.0 / 3.0,
                            2.0 / 3.0,
                            1e-300,
                            5e-324,
                            1.7976931348623157e308,
                            123456789.123456789,
                            0.1 + 0.2,
                            12.7};
    GRand *rand = g_rand_new_with_seed(8);
    for (int i = 0; i < 100000; i++) {
        double d;
        if (i < (int)G_N_ELEMENTS(fixed)) {
            d = fixed[i];
        } else {
            /* Any bit pattern that is a finite double, and plain scores as well. */
            guint64 bits = ((guint64)g_rand_int(rand) << 32) | g_rand_int(rand);
            memcpy(&d, &bits, sizeof d);
            if (!isfinite(d) || i % 2)
                d = g_rand_double_range(rand, 0, 30);
        }
        char buf[TRACUU_PROTOCOL_DOUBLE_BUF];
        tracuu_protocol_format_double(d, buf);
        g_assert_true(g_ascii_strtod(buf, NULL) == d);
        g_assert_nonnull(strpbrk(buf, ".e"));
        /* Significant digits: from the first that is not 0 (a "12.0" adds one). */
        gsize digits = 0;
        for (const char *p = buf; *p && *p != 'e'; p++)
            digits += g_ascii_isdigit(*p) && (digits > 0 || *p != '0');
        g_assert_cmpuint(digits, <=, 18);
        /* And what the daemon writes, json-glib reads as that double. */
        g_autoptr(JsonNode) back = json_from_string(buf, NULL);
        g_assert_nonnull(back);
        g_assert_true(json_node_get_double(back) == d);
    }
    g_rand_free(rand);
    char buf[TRACUU_PROTOCOL_DOUBLE_BUF];
    tracuu_protocol_format_double(0.652, buf);
    g_assert_cmpstr(buf, ==, "0.652");
}

/* Apart from numbers, a response is written as json-glib writes it, so that nothing else
 * changes for a client; except the byte 0x1f, which json-glib leaves raw (not JSON). */
static void
test_format_like_json_glib(void)
{
    for (int c = 1; c < 0x100; c++) {
        char s[8];
        if (c < 0x80) {
            s[0] = (char)c;
            s[1] = 0;
        } else {
            s[g_unichar_to_utf8((gunichar)c * 37, s)] = 0;
        }
        g_autoptr(JsonNode) n = json_node_init_string(json_node_alloc(), s);
        g_autofree char *mine = tracuu_protocol_to_json(n, NULL);
        g_autofree char *theirs = json_to_string(n, FALSE);
        if (c == 0x1f)
            g_assert_cmpstr(mine, ==, "\"\\u001f\"");
        else
            g_assert_cmpstr(mine, ==, theirs);
    }
    g_autoptr(JsonNode) tree = json_from_string(
        "{\"b\":[1,true,null,\"x\\\"y\\\\z\",{},[],{\"c\":[-5,{\"d\":\"thư điện tử\"}]}],"
        "\"a\":false,\"e\":\"\\u2028\"}",
        NULL);
    g_assert_nonnull(tree);
    gsize len = 0;
    g_autofree char *mine = tracuu_protocol_to_json(tree, &len);
    g_autofree char *theirs = json_to_string(tree, FALSE);
    g_assert_cmpstr(mine, ==, theirs);
    g_assert_cmpuint(len, ==, strlen(mine));
}

static void
test_error_names(void)
{
    g_assert_cmpstr(tracuu_protocol_error_code_name(TRACUU_PROTOCOL_ERROR_BAD_JSON), ==,
                    "bad_json");
    g_assert_cmpstr(tracuu_protocol_error_code_name(TRACUU_PROTOCOL_ERROR_BAD_REQUEST), ==,
                    "bad_request");
    g_assert_cmpstr(tracuu_protocol_error_code_name(TRACUU_PROTOCOL_ERROR_LINE_TOO_LONG), ==,
                    "line_too_long");
}

/* ---- auth requests ---- */

typedef struct {
    const char *line;
    const char *token; /* NULL: refused as bad_request */
} auth_case;

static const auth_case auth_cases[] = {
    {"{\"op\":\"auth\",\"token\":\"abc\"}", "abc"},
    {"{\"id\":7,\"op\":\"auth\",\"token\":\"kQ3_uR8x-Z\"}", "kQ3_uR8x-Z"},
    {"{\"op\":\"auth\",\"token\":\"\\u0061b\"}", "ab"},
    {"{\"op\":\"auth\"}", NULL},
    {"{\"op\":\"auth\",\"token\":\"\"}", NULL},
    {"{\"op\":\"auth\",\"token\":12}", NULL},
    {"{\"op\":\"auth\",\"token\":null}", NULL},
    {"{\"op\":\"auth\",\"token\":[\"abc\"]}", NULL},
    {"{\"op\":\"auth\",\"tokn\":\"abc\"}", NULL},
    {"{\"op\":\"auth\",\"token\":\"abc\",\"user\":\"anh\"}", NULL},
};

static void
test_auth(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(auth_cases); i++) {
        const auth_case *c = &auth_cases[i];
        g_autoptr(JsonNode) id = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonObject) req = tracuu_protocol_parse_request(c->line, strlen(c->line), &id, &error);
        g_assert_no_error(error);
        g_assert_true(tracuu_protocol_is_auth(req));
        gsize len = 0;
        char *token = tracuu_protocol_parse_auth(req, &len, &error);
        g_test_message("%s: %s", c->line, token ? token : error->message);
        if (c->token) {
            g_assert_no_error(error);
            g_assert_cmpstr(token, ==, c->token);
            g_assert_cmpuint(len, ==, strlen(c->token));
            /* Every line that carries a token is one the log does not quote. */
            g_assert_true(tracuu_protocol_line_may_hold_token(c->line, strlen(c->line)));
        } else {
            g_assert_null(token);
            g_assert_error(error, TRACUU_PROTOCOL_ERROR, TRACUU_PROTOCOL_ERROR_BAD_REQUEST);
            if (strstr(c->line, "\"abc\""))
                g_assert_null(strstr(error->message, "abc"));
        }
        tracuu_protocol_token_free(token);
    }
    /* Not auth. */
    const char *ping = "{\"op\":\"ping\"}";
    g_autoptr(JsonNode) id = NULL;
    g_autoptr(JsonObject) req = tracuu_protocol_parse_request(ping, strlen(ping), &id, NULL);
    g_assert_false(tracuu_protocol_is_auth(req));
    g_assert_false(tracuu_protocol_line_may_hold_token(ping, strlen(ping)));
    /* A long token is refused, the limit itself accepted. */
    for (int extra = 0; extra <= 1; extra++) {
        g_autofree char *t = g_strnfill(TRACUU_PROTOCOL_MAX_TOKEN + extra, 'x');
        g_autofree char *line = g_strdup_printf("{\"op\":\"auth\",\"token\":\"%s\"}", t);
        g_autoptr(JsonNode) lid = NULL;
        g_autoptr(JsonObject) lreq = tracuu_protocol_parse_request(line, strlen(line), &lid, NULL);
        gsize len = 0;
        g_autoptr(GError) error = NULL;
        char *token = tracuu_protocol_parse_auth(lreq, &len, &error);
        g_assert_true((token != NULL) == (extra == 0));
        tracuu_protocol_token_free(token);
    }
    static const char *const secretish[] = {"{\"op\":\"AUTH\"", "{\"x\":\"\\u0074oken\"}",
                                            "{\"ToKeN\":1"};
    for (gsize i = 0; i < G_N_ELEMENTS(secretish); i++)
        g_assert_true(tracuu_protocol_line_may_hold_token(secretish[i], strlen(secretish[i])));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(framing_cases); i++) {
        g_autofree char *path = g_strdup_printf("/protocol/framing/%s", framing_cases[i].name);
        g_test_add_data_func(path, &framing_cases[i], test_framing);
    }
    g_test_add_func("/protocol/framing/NUL inside a line", test_framing_nul);
    g_test_add_func("/protocol/framing/1 MiB exactly and over", test_framing_one_mib);
    g_test_add_func("/protocol/framing/64 MiB line not buffered", test_framing_huge_unbuffered);
    for (gsize i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        g_autofree char *path = g_strdup_printf("/protocol/parse/%s", parse_cases[i].name);
        g_test_add_data_func(path, &parse_cases[i], test_parse);
    }
    g_test_add_func("/protocol/parse/NUL and nesting", test_parse_nul_and_depth);
    g_test_add_func("/protocol/parse/changed requests", test_parse_mutations);
    g_test_add_func("/protocol/format", test_format);
    g_test_add_func("/protocol/format/numbers", test_format_numbers);
    g_test_add_func("/protocol/format/double round trip", test_format_double_round_trip);
    g_test_add_func("/protocol/format/like json-glib", test_format_like_json_glib);
    g_test_add_func("/protocol/error names", test_error_names);
    g_test_add_func("/protocol/auth", test_auth);
    return g_test_run();
}
