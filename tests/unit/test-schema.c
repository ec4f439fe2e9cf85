/* test-schema.c - the field table and the rules both sides of the index share (store/schema.c). */

#include "tracuu-test.h"
#include <glib.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "tracuu-docwriter.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"
#include "tracuu-store.h"

/* ---- Dates: one validator for --from-jsonl, the document writer and the query ---- */

static void
test_dates(void)
{
    static const struct {
        const char *in;
        const char *digits; /* NULL: refused */
    } cases[] = {
        {"2021-02-31", NULL},     /* no such day */
        {"2020-02-29", "20200229"}, /* a leap year */
        {"2021-02-29", NULL},
        {"1900-02-29", NULL},     /* centuries are not leap years... */
        {"2000-02-29", "20000229"}, /* ...unless divisible by 400 */
        {"2021-13-01", NULL},     /* no such month */
        {"2021-00-10", NULL},
        {"2021-04-31", NULL},
        {"2021-04-30", "20210430"},
        {"2021-12-31", "20211231"},
        {"2021-01-00", NULL},
        {"2021-12", "202112"},
        {"2021-00", NULL},
        {"2021", "2021"},
        {"0999", NULL},           /* years have four digits from 1000 */
        {"2021-1-01", NULL},      /* the schema's form only: two-digit month and day */
        {"2021/02/01", NULL},
        {"2021-02-01x", NULL},
        {" 2021-02-01", NULL},
        {"", NULL},
        {"abcd", NULL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char out[9];
        gboolean ok = tracuu_schema_date_parse(cases[i].in, -1, out);
        if (ok != (cases[i].digits != NULL))
            g_error("\"%s\": %s, expected %s", cases[i].in, ok ? "taken" : "refused",
                    cases[i].digits ? "taken" : "refused");
        g_assert_cmpstr(out, ==, cases[i].digits ? cases[i].digits : "");
    }
    /* A length cuts the input: "2020-02-29T10:00" read as its first ten bytes. */
    char out[9];
    g_assert_true(tracuu_schema_date_parse("2020-02-29T10:00", 10, out));
    g_assert_cmpstr(out, ==, "20200229");
    g_assert_false(tracuu_schema_date_parse(NULL, -1, out));

    g_assert_true(tracuu_schema_date_valid(2021, 2, 0));
    g_assert_true(tracuu_schema_date_valid(2021, 0, 0));
    g_assert_false(tracuu_schema_date_valid(2021, 0, 5)); /* a day needs a month */
    g_assert_false(tracuu_schema_date_valid(10000, 1, 1));
}

/* ---- Document types: one table for docmeta's ký hiệu and the type: filter ---- */

static void
test_doc_types(void)
{
    static const struct {
        const char *abbr;
        gssize len;
        const char *name; /* NULL: none */
    } cases[] = {
        {"QĐ", -1, "Quyết định"},   {"qđ", -1, "Quyết định"},   {"QD", -1, "Quyết định"},
        {"qd", -1, "Quyết định"},   {"NĐ", -1, "Nghị định"},    {"TTLT", -1, "Thông tư liên tịch"},
        {"ttlt", -1, "Thông tư liên tịch"},                     {"CT", -1, "Chỉ thị"},
        {"CTr", -1, "Chương trình"}, {"CV", -1, "Công văn"},    {"L", -1, "Lệnh"},
        {"PL", -1, "Pháp lệnh"},    {"VBHN", -1, "Văn bản hợp nhất"},
        {"NQLT", -1, "Nghị quyết liên tịch"},                   {"QYĐ", -1, "Quy định"},
        {"QĐ-TTg", 3, "Quyết định"}, /* a piece of a ký hiệu: "QĐ" is three bytes */
        {"QĐ-TTg", -1, NULL},       {"XYZ", -1, NULL},          {"", -1, NULL},
        {"quyet dinh", -1, NULL},   {"Thông", -1, NULL},        {"Ж", -1, NULL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpstr(tracuu_schema_doc_type_for_abbr(cases[i].abbr, cases[i].len), ==,
                        cases[i].name);
    g_assert_null(tracuu_schema_doc_type_for_abbr(NULL, -1));
}

/* ---- Boolean terms: the one function both the writer and the query compiler call ---- */

static void
test_bool_terms(void)
{
    g_autofree char *long_issuer = g_strnfill(400, 'a');
    g_autofree char *long_id = g_strnfill(400, 'b');
    static const struct {
        tracuu_schema_term term;
        const char *value;
        const char *want; /* NULL: no term */
    } cases[] = {
        {TRACUU_TERM_KIND, "pdf", "Kpdf"},
        {TRACUU_TERM_KIND, "PDF", "Kpdf"},
        {TRACUU_TERM_KIND, "Thư", "Kthu"}, /* folded, as the writer always did */
        {TRACUU_TERM_TYPE, "Quyết định", "XTquyet dinh"},
        {TRACUU_TERM_TYPE, "QUYẾT ĐỊNH", "XTquyet dinh"},
        {TRACUU_TERM_TYPE, "quyet_dinh", "XTquyet dinh"},
        {TRACUU_TERM_ISSUER, "Thủ tướng Chính phủ", "XIthu tuong chinh phu"},
        {TRACUU_TERM_SIGNER, "Nguyễn Tấn Dũng", "XGnguyen tan dung"},
        {TRACUU_TERM_NUMBER, "34/2008/CT\xe2\x80\x93TTg", "XN34/2008/ct-ttg"},
        {TRACUU_TERM_CITES, "34/2008/CT-TTg", "XC34/2008/ct-ttg"},
        {TRACUU_TERM_NUMBER, "Luật Giao thông", "XNluat giao thong"}, /* not a number */
        {TRACUU_TERM_FROM, "VanThu@ChinhPhu.gov.vn", "Avanthu@chinhphu.gov.vn"},
        {TRACUU_TERM_TO, "An@MIC.gov.vn", "XTOan@mic.gov.vn"},
        {TRACUU_TERM_MESSAGE_ID, " <ABC@host> ", "XMABC@host"}, /* not folded */
        {TRACUU_TERM_MESSAGE_ID, "ABC@host", "XMABC@host"},
        {TRACUU_TERM_MIME, " Application/PDF ", "XCTapplication/pdf"},
        {TRACUU_TERM_ID, "f00:1/1", "Qf00:1/1"},
        {TRACUU_TERM_PARENT, "F00:1", "XPF00:1"},
        {TRACUU_TERM_YEAR, "2008", "Y2008"},
        {TRACUU_TERM_KIND, "", NULL},
        {TRACUU_TERM_KIND, NULL, NULL},
        {TRACUU_TERM_MESSAGE_ID, "<>", NULL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *t = tracuu_schema_bool_term(cases[i].term, cases[i].value);
        g_assert_cmpstr(t, ==, cases[i].want);
    }
    /* Long values are cut where Xapian's limit is, except the unique id (the writer refuses). */
    g_autofree char *issuer = tracuu_schema_bool_term(TRACUU_TERM_ISSUER, long_issuer);
    g_assert_cmpuint(strlen(issuer), ==, TRACUU_STORE_MAX_TERM);
    g_autofree char *id = tracuu_schema_bool_term(TRACUU_TERM_ID, long_id);
    g_assert_cmpuint(strlen(id), ==, 401);
}

/* ---- Titles and mailboxes ---- */

static void
test_titles(void)
{
    static const struct {
        const char *title, *subject, *attachment, *text, *path, *id;
        const char *want;
    } cases[] = {
        {"Quyết định", "s", "a.pdf", "t", "/x/y.pdf", "id", "Quyết định"},
        {"", "Họp", "a.pdf", "t", "/x/y.pdf", "id", "Họp"},
        {NULL, NULL, "a.pdf", "t", "/x/y.pdf", "id", "a.pdf"},
        {NULL, NULL, NULL, "\n  123 \n  Dòng đầu  \nsau", "/x/y.pdf", "id", "Dòng đầu"},
        {NULL, NULL, NULL, "12 34\n", "/x/y.pdf", "id", "y.pdf"},
        {NULL, NULL, NULL, NULL, "y.pdf", "id", "y.pdf"},
        {NULL, NULL, NULL, NULL, "/x/", "id", "id"},
        {NULL, NULL, NULL, NULL, NULL, NULL, ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *t = tracuu_schema_title(cases[i].title, cases[i].subject,
                                                 cases[i].attachment, cases[i].text,
                                                 cases[i].path, cases[i].id);
        g_assert_cmpstr(t, ==, cases[i].want);
    }
    /* A first line is cut at 160 characters, not bytes. */
    g_autoptr(GString) line = g_string_new(NULL);
    for (int i = 0; i < 200; i++)
        g_string_append(line, "ệ");
    g_autofree char *t = tracuu_schema_title(NULL, NULL, NULL, line->str, NULL, NULL);
    g_assert_cmpint(g_utf8_strlen(t, -1), ==, 160);
}

static void
test_mailboxes(void)
{
    static const tracuu_mailbox boxes[] = {
        {"Văn thư, Chính phủ", "vanthu@chinhphu.gov.vn"},
        {NULL, "a@b.vn"},
        {"Trần \"B\"", NULL},
        {"", ""},
        {"Lê C", "c@d.vn"},
    };
    g_autofree char *s = tracuu_schema_mailboxes_format(boxes, G_N_ELEMENTS(boxes));
    g_assert_cmpstr(s, ==,
                    "\"Văn thư, Chính phủ\" <vanthu@chinhphu.gov.vn>, a@b.vn, \"Trần \\\"B\\\"\", "
                    "Lê C <c@d.vn>");
    g_assert_null(tracuu_schema_mailboxes_format(boxes, 0));
    g_assert_null(tracuu_schema_mailboxes_format(&boxes[3], 1));
}

/* ---- The field table ---- */

static void
test_field_table(void)
{
    /* The table and the struct it makes agree: names unique, arrays with counts. */
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    for (gsize i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        g_assert_false(g_hash_table_contains(names, fi->name));
        g_hash_table_add(names, (gpointer)fi->name);
        g_assert_cmpuint(fi->offset, <, sizeof(tracuu_docfields));
        if (tracuu_field_is_array(fi))
            g_assert_cmpuint(fi->count_offset, >, fi->offset);
    }
    g_assert_cmpstr(tracuu_field_table[TRACUU_FIELD_INDEX_date].name, ==, "date");
    g_assert_cmpint(tracuu_field_table[TRACUU_FIELD_INDEX_date].type, ==, TRACUU_FIELD_DATE);
    g_assert_cmpint(tracuu_field_table[TRACUU_FIELD_INDEX_cites].type, ==, TRACUU_FIELD_STRV);
    g_assert_cmpint(tracuu_field_table[TRACUU_FIELD_INDEX_from].type, ==,
                    TRACUU_FIELD_MAILBOXES);
    /* Get and set reach the struct's own members. */
    static const char *const cites[] = {"1/2020/QĐ-UBND", "2/2021/TT-BTC"};
    tracuu_docfields f = {0};
    tracuu_field_set(&f, &tracuu_field_table[TRACUU_FIELD_INDEX_title], "T", 1);
    tracuu_field_set(&f, &tracuu_field_table[TRACUU_FIELD_INDEX_cites], cites, 2);
    g_assert_cmpstr(f.title, ==, "T");
    g_assert_true(f.cites == cites);
    g_assert_cmpuint(f.n_cites, ==, 2);
    size_t n = 9;
    g_assert_null(tracuu_field_get(&f, &tracuu_field_table[TRACUU_FIELD_INDEX_issuer], &n));
    g_assert_cmpuint(n, ==, 0);
    g_assert_true(tracuu_field_get(&f, &tracuu_field_table[TRACUU_FIELD_INDEX_cites], &n) ==
                  cites);
    g_assert_cmpuint(n, ==, 2);
}

/* ---- Both sides: what the writer indexes, the query's filter finds ---- */

static const tracuu_docfields both_docs[] = {
    {.id = "cv1", .kind = "Thư", .text = "Thư mời họp", .doc_type = "Quyết định",
     .issuer = "Ủy ban nhân dân tỉnh Hà Giang", .date = "2021-03-02"},
    {.id = "l1", .kind = "pdf", .text = "Lệnh công bố luật", .doc_type = "Lệnh",
     .date = "2021-02-31"}, /* no such day: no date */
};

static char *
ids_of(tracuu_engine *e, const char *q)
{
    g_autofree char *json = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\"}", q);
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) r =
        tracuu_engine_handle(e, json_node_get_object(json_parser_get_root(p)), &error);
    if (r == NULL)
        g_error("%s: %s", q, error->message);
    JsonArray *hits = json_object_get_array_member(r, "hits");
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(hits); i++)
        g_string_append_printf(s, "%s%s", i > 0 ? "," : "",
                               json_object_get_string_member(
                                   json_array_get_object_element(hits, i), "id"));
    return g_string_free(s, FALSE);
}

static void
test_both_sides(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("tracuu-schema-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *db = g_build_filename(dir, "index", NULL);
    tracuu_store *store = NULL;
    g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_CREATE, &store, NULL), ==,
                    TRACUU_STORE_OK);
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    g_assert_no_error(error);
    for (gsize i = 0; i < G_N_ELEMENTS(both_docs); i++)
        g_assert_true(tracuu_docwriter_add(store, tk, &both_docs[i], &error));
    g_assert_true(tracuu_schema_index_set_versions(store));
    g_assert_cmpint(tracuu_store_commit(store), ==, TRACUU_STORE_OK);
    g_autofree char *why = NULL;
    g_assert_cmpint(tracuu_schema_index_check(store, &why), ==, TRACUU_SCHEMA_INDEX_CURRENT);
    g_assert_null(why);
    tracuu_store_free(store);
    tracuu_tokenizer_free(tk);

    tracuu_engine *e = tracuu_engine_open(db, &error);
    g_assert_no_error(error);
    static const struct {
        const char *q;
        const char *ids;
    } cases[] = {
        /* kind: was only ASCII-lowercased by the query while the writer folded it. */
        {"kind:thư", "cv1"}, {"kind:THƯ", "cv1"}, {"kind:thu", "cv1"}, {"kind:PDF", "l1"},
        /* type: abbreviations from the one table docmeta reads ký hiệu with. */
        {"type:QĐ", "cv1"}, {"type:qd", "cv1"}, {"type:L", "l1"}, {"type:lệnh", "l1"},
        {"type:quyet_dinh", "cv1"},
        {"issuer:\\\"ủy ban nhân dân tỉnh hà giang\\\"", "cv1"},
        {"year:2021", "cv1"}, /* 2021-02-31 made no date */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *ids = ids_of(e, cases[i].q);
        if (g_strcmp0(ids, cases[i].ids) != 0)
            g_error("%s: got \"%s\", expected \"%s\"", cases[i].q, ids, cases[i].ids);
    }
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
}

/* An index of another schema version is told apart from a current and an unversioned one. */
static void
test_versions(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("tracuu-schema-XXXXXX", &error);
    g_autofree char *db = g_build_filename(dir, "index", NULL);
    tracuu_store *store = NULL;
    g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_CREATE, &store, NULL), ==,
                    TRACUU_STORE_OK);
    g_autofree char *why = NULL;
    g_assert_cmpint(tracuu_schema_index_check(store, &why), ==, TRACUU_SCHEMA_INDEX_UNVERSIONED);
    g_assert_cmpint(tracuu_store_set_metadata(store, TRACUU_META_SCHEMA_VERSION, "1", 1), ==,
                    TRACUU_STORE_OK);
    g_assert_cmpint(tracuu_schema_index_check(store, &why), ==, TRACUU_SCHEMA_INDEX_OTHER);
    g_assert_nonnull(strstr(why, "schema version 1"));
    g_clear_pointer(&why, g_free);
    g_assert_true(tracuu_schema_index_set_versions(store));
    g_assert_cmpint(tracuu_schema_index_check(store, &why), ==, TRACUU_SCHEMA_INDEX_CURRENT);
    tracuu_store_free(store);
    tracuu_test_rm_rf(dir);
}

/* The written form of a number: what the header reader and the cites both show. */
static void
test_number_written(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"81 /2025/TT\u2013 NHNN", "81/2025/TT-NHNN"},
        {"34/2008/CT \u2014 TTg", "34/2008/CT-TTg"},
        {"12\u00a0/QĐ-UBND", "12/QĐ-UBND"},
        {"15/2020/NĐ-CP", "15/2020/NĐ-CP"},
        {"", ""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = tracuu_schema_number_written(cases[i].in, -1);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    /* Bytes that are not UTF-8 are replaced, not passed on. */
    g_autofree char *bad = tracuu_schema_number_written("1/QD-\xff", -1);
    g_assert_true(g_utf8_validate(bad, -1, NULL));
    g_autofree char *cut = tracuu_schema_number_written("34/2008/CT-TTg", 7);
    g_assert_cmpstr(cut, ==, "34/2008");
}

/* The relation term: kind and the target's folded docnum form; nothing for a bad kind. */
static void
test_relation_terms(void)
{
    static const struct {
        const char *kind, *number, *want;
    } cases[] = {
        {"amends", "13/2015/TT-BTC", "XRamends:13/2015/tt-btc"},
        {"replaces", "10/2010/NĐ-CP", "XRreplaces:10/2010/nd-cp"},
        {"based_on", "83/2015/QH13", "XRbased_on:83/2015/qh13"},
        {"cites", "13/2015/TT - BTC", "XRcites:13/2015/tt-btc"},
        {"hates", "13/2015/TT-BTC", NULL},
        {"Amends", "13/2015/TT-BTC", NULL},
        {"amends", "", NULL},
        {NULL, "13/2015/TT-BTC", NULL},
        {"amends", NULL, NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *t = tracuu_schema_relation_term(cases[i].kind, cases[i].number);
        g_assert_cmpstr(t, ==, cases[i].want);
    }
    for (size_t i = 0; tracuu_schema_relation_kinds[i] != NULL; i++)
        g_assert_true(tracuu_schema_relation_kind_is_valid(tracuu_schema_relation_kinds[i]));
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/schema/dates", test_dates);
    g_test_add_func("/schema/number-written", test_number_written);
    g_test_add_func("/schema/doc-types", test_doc_types);
    g_test_add_func("/schema/bool-terms", test_bool_terms);
    g_test_add_func("/schema/titles", test_titles);
    g_test_add_func("/schema/mailboxes", test_mailboxes);
    g_test_add_func("/schema/field-table", test_field_table);
    g_test_add_func("/schema/both-sides", test_both_sides);
    g_test_add_func("/schema/versions", test_versions);
    g_test_add_func("/schema/relation-terms", test_relation_terms);
    return g_test_run();
}
