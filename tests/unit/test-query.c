/* test-query.c - the query language parser: text to AST, odd input, errors and their place. */
#include <stdlib.h>
#include <string.h>

#include "engine-private.h"
#include "tracuu-engine.h"

typedef struct {
    const char *query;
    const char *ast; /* the description, or NULL when it must fail */
    size_t error_pos; /* when it fails: the byte the error points at */
} parse_case;

static const parse_case cases[] = {
    /* Plain text is one run of words, whatever is in it. */
    {"thu dien tu", "(text:\"thu dien tu\")", 0},
    {"thư điện tử", "(text:\"thư điện tử\")", 0},
    {"", "()", 0},
    {"   ", "()", 0},
    {"Chỉ thị 34/2008/CT - TTg về thư", "(text:\"Chỉ thị 34/2008/CT - TTg về thư\")", 0},
    /* Phrases, exclusions, required words. */
    {"\"thư điện tử\" công vụ", "(phrase:\"thư điện tử\" text:\"công vụ\")", 0},
    {"thư -rác", "(text:\"thư\" -text:\"rác\")", 0},
    {"thư +rác", "(text:\"thư\" +text:\"rác\")", 0},
    {"-\"thư rác\" email", "(-phrase:\"thư rác\" text:\"email\")", 0},
    {"a NOT b", "(text:\"a\" -text:\"b\")", 0},
    /* OR binds tighter than side by side; AND makes both required. */
    {"thư OR email", "((OR text:\"thư\" text:\"email\"))", 0},
    {"a b OR c d", "(text:\"a\" (OR text:\"b\" text:\"c\") text:\"d\")", 0},
    {"a OR b OR c", "((OR text:\"a\" text:\"b\" text:\"c\"))", 0},
    {"a AND b", "(+(AND text:\"a\" text:\"b\"))", 0},
    {"(thư OR email) điện tử", "(((OR text:\"thư\" text:\"email\")) text:\"điện tử\")", 0},
    {"or and not", "(text:\"or and not\")", 0},
    /* NEAR binds tighter than AND and OR and joins words and phrases; "near" is a word. */
    {"a NEAR b", "(+(NEAR/10 text:\"a\" text:\"b\"))", 0},
    {"a NEAR/5 b", "(+(NEAR/5 text:\"a\" text:\"b\"))", 0},
    {"thư NEAR/3 \"công vụ\"", "(+(NEAR/3 text:\"thư\" phrase:\"công vụ\"))", 0},
    {"a NEAR b NEAR c", "(+(NEAR/10 text:\"a\" text:\"b\" text:\"c\"))", 0},
    {"a NEAR/3 b NEAR c", "(+(NEAR/3 text:\"a\" text:\"b\" text:\"c\"))", 0},
    {"a NEAR/2 b NEAR/7 c", "(+(NEAR/7 text:\"a\" text:\"b\" text:\"c\"))", 0},
    {"x a NEAR b y", "(text:\"x\" +(NEAR/10 text:\"a\" text:\"b\") text:\"y\")", 0},
    {"a NEAR b OR c", "((OR +(NEAR/10 text:\"a\" text:\"b\") text:\"c\"))", 0},
    {"a AND b NEAR c", "(+(AND text:\"a\" +(NEAR/10 text:\"b\" text:\"c\")))", 0},
    {"-a NEAR b", "(-(NEAR/10 text:\"a\" text:\"b\"))", 0},
    {"NOT a NEAR b", "(-(NEAR/10 text:\"a\" text:\"b\"))", 0},
    {"(a NEAR b) c", "((+(NEAR/10 text:\"a\" text:\"b\")) text:\"c\")", 0},
    {"a near b", "(text:\"a near b\")", 0},
    {"a Near b", "(text:\"a Near b\")", 0},
    {"a NEARBY b", "(text:\"a NEARBY b\")", 0},
    {"a NEAR/x b", "(text:\"a NEAR/x b\")", 0},
    {"a NEAR NEAR/4 b", "(+(NEAR/4 text:\"a\" text:\"b\"))", 0},
    {"a NEAR", "(text:\"a\")", 0},
    {"NEAR b", "(text:\"b\")", 0},
    {"a NEAR/3", "(text:\"a\")", 0},
    /* ...and nothing else: an error that says so, where. */
    {"(a b) NEAR c", NULL, 6},
    {"kind:pdf NEAR c", NULL, 9},
    {"a NEAR type:x", NULL, 7},
    {"a NEAR (b c)", NULL, 7},
    {"a NEAR -b", NULL, 7},
    {"a NEAR/0 b", NULL, 2},
    {"a NEAR/1001 b", NULL, 2},
    {"a NEAR/99999999999999999999 b", NULL, 2},
    /* Stray operators are punctuation. */
    {"OR OR", "()", 0},
    {"OR", "()", 0},
    {"a OR", "(text:\"a\")", 0},
    {"a OR OR b", "((OR text:\"a\" text:\"b\"))", 0},
    {"NOT", "()", 0},
    {"a AND", "(text:\"a\")", 0},
    /* Lone dashes and unbalanced quotes and parentheses are punctuation. */
    {"-", "(text:\"-\")", 0},
    {"a - b", "(text:\"a - b\")", 0},
    {"\"thư điện tử", "(text:\"thư điện tử\")", 0},
    {"a \"b", "(text:\"a \"b\")", 0},
    {"\"\"", "()", 0},
    {"(a b", "((text:\"a b\"))", 0},
    {"a b)", "(text:\"a b\")", 0},
    {"()", "()", 0},
    {")(", "()", 0},
    /* Fields and their Vietnamese aliases. */
    {"type:\"Quyết định\" thư", "(type:\"Quyết định\" text:\"thư\")", 0},
    {"loai:nghị_định", "(type:\"nghị_định\")", 0},
    {"so:34/2008/CT-TTg", "(number:\"34/2008/CT-TTg\")", 0},
    {"number:\"34/2008/CT - TTg\"", "(number:\"34/2008/CT - TTg\")", 0},
    {"coquan:\"Bộ Tài chính\"", "(issuer:\"Bộ Tài chính\")", 0},
    {"ISSUER:btc", "(issuer:\"btc\")", 0},
    {"kind:pdf", "(kind:\"pdf\")", 0},
    {"from:vanthu@chinhphu.gov.vn", "(from:\"vanthu@chinhphu.gov.vn\")", 0},
    {"to:\"Nguyễn Văn A\"", "(to:\"Nguyễn Văn A\")", 0},
    {"subject:\"họp giao ban\"", "(subject:\"họp giao ban\")", 0},
    {"cites:34/2008/CT-TTg", "(cites:\"34/2008/CT-TTg\")", 0},
    {"-kind:mail", "(-kind:\"mail\")", 0},
    {"(kind:pdf)", "((kind:\"pdf\"))", 0},
    {"kind:pdf OR kind:docx", "(+(OR kind:\"pdf\" kind:\"docx\"))", 0},
    /* Dates and years become ranges of "YYYYMMDD" prefixes. */
    {"date:2008-01-01..2009-12-31", "(date:20080101..20091231)", 0},
    {"date:2008", "(date:2008..20089999)", 0},
    {"date:2008-05", "(date:200805..20080599)", 0},
    {"ngay:3/12/2008", "(date:20081203..20081203)", 0},
    {"date:..2009", "(date:..20099999)", 0},
    {"date:2008..", "(date:2008..)", 0},
    {"year:2008", "(year:2008..20089999)", 0},
    {"nam:2008..2010", "(year:2008..20109999)", 0},
    /* Unknown fields and empty values are text. */
    {"foo:bar", "(text:\"foo:bar\")", 0},
    {"Điều 5: phạm vi", "(text:\"Điều 5: phạm vi\")", 0},
    {"Việt Nam: thủ đô", "(text:\"Việt Nam: thủ đô\")", 0},
    {"type:", "(text:\"type:\")", 0},
    {"type:\"\"", "(text:\"type:\"\"\")", 0},
    {":x", "(text:\":x\")", 0},
    /* Values that have a fixed form must have it: the error says where. */
    {"thư date:2008-13-45", NULL, 10},
    {"year:abc", NULL, 5},
    {"year:2008..20x0", NULL, 11},
    {"date:2008..bad", NULL, 11},
    {"date:2010..2008", NULL, 5},
    {"date:31/02/2008", NULL, 5},
    {"date:..", NULL, 5},
};

static void
test_parse_table(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const parse_case *c = &cases[i];
        g_autoptr(GError) error = NULL;
        size_t pos = 12345;
        g_autoptr(tracuu_qnode) ast = tracuu_query_parse(c->query, -1, &pos, &error);
        if (c->ast != NULL) {
            if (ast == NULL)
                g_error("case %zu: \"%s\" failed: %s", i, c->query, error->message);
            g_autofree char *got = tracuu_qnode_describe(ast);
            if (strcmp(got, c->ast) != 0)
                g_error("case %zu: \"%s\"\n  want %s\n  got  %s", i, c->query, c->ast, got);
        } else {
            if (ast != NULL) {
                g_autofree char *got = tracuu_qnode_describe(ast);
                g_error("case %zu: \"%s\" should fail, gave %s", i, c->query, got);
            }
            g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
            if (pos != c->error_pos)
                g_error("case %zu: \"%s\": error at %zu, want %zu (%s)", i, c->query, pos,
                        c->error_pos, error->message);
            g_autofree char *at = g_strdup_printf("at byte %zu", c->error_pos);
            g_assert_nonnull(strstr(error->message, at));
        }
    }
}

/* Parentheses nest up to the limit; deeper is refused at the first one too many. */
static void
test_depth(void)
{
    for (int depth = TRACUU_QUERY_MAX_DEPTH; depth <= TRACUU_QUERY_MAX_DEPTH + 1; depth++) {
        GString *q = g_string_new(NULL);
        for (int i = 0; i < depth; i++)
            g_string_append_c(q, '(');
        g_string_append(q, "thư");
        for (int i = 0; i < depth; i++)
            g_string_append_c(q, ')');
        g_autoptr(GError) error = NULL;
        size_t pos = 0;
        g_autoptr(tracuu_qnode) ast = tracuu_query_parse(q->str, (gssize)q->len, &pos, &error);
        if (depth <= TRACUU_QUERY_MAX_DEPTH) {
            g_assert_no_error(error);
            g_assert_nonnull(ast);
        } else {
            g_assert_null(ast);
            g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
            g_assert_cmpuint(pos, ==, TRACUU_QUERY_MAX_DEPTH);
            g_assert_nonnull(strstr(error->message, "nested"));
        }
        g_string_free(q, TRUE);
    }
    /* 100 000 open parentheses: an error, not a stack overflow. */
    char *deep = g_strnfill(100000, '(');
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_qnode) none = tracuu_query_parse(deep, -1, NULL, &error);
    g_assert_null(none);
    g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
    g_free(deep);
}

/* A 1 MB query is refused with a message that gives the size; just under the limit works. */
static void
test_long(void)
{
    char *huge = g_strnfill(1024 * 1024, 'a');
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_qnode) ast = tracuu_query_parse(huge, -1, NULL, &error);
    g_assert_null(ast);
    g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
    g_assert_nonnull(strstr(error->message, "1048576"));
    g_free(huge);

    /* Many short words under the byte limit: one text run, or refused for too many items. */
    GString *words = g_string_new(NULL);
    while (words->len + 6 < TRACUU_QUERY_MAX_BYTES)
        g_string_append(words, "thư ");
    g_autoptr(GError) e2 = NULL;
    g_autoptr(tracuu_qnode) ok = tracuu_query_parse(words->str, (gssize)words->len, NULL, &e2);
    g_assert_no_error(e2);
    g_assert_cmpuint(ok->children->len, ==, 1);
    g_string_free(words, TRUE);

    GString *items = g_string_new(NULL);
    while (items->len + 4 < TRACUU_QUERY_MAX_BYTES)
        g_string_append(items, "-a ");
    g_autoptr(GError) e3 = NULL;
    g_autoptr(tracuu_qnode) many = tracuu_query_parse(items->str, (gssize)items->len, NULL, &e3);
    g_assert_null(many);
    g_assert_error(e3, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
    g_string_free(items, TRUE);
}

/* Invalid UTF-8 and NUL bytes are replaced, never a failure; the result is valid UTF-8. */
static void
test_invalid_utf8(void)
{
    static const struct {
        const char *bytes;
        gssize len;
    } inputs[] = {
        {"th\xff\xfe dien", -1},
        {"\xc3", -1},
        {"\"\xe1\xba", -1},
        {"type:\xff", -1},
        {"a\0b", 3},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(tracuu_qnode) ast =
            tracuu_query_parse(inputs[i].bytes, inputs[i].len, NULL, &error);
        g_assert_no_error(error);
        g_assert_nonnull(ast);
        g_autofree char *d = tracuu_qnode_describe(ast);
        g_assert_true(g_utf8_validate(d, -1, NULL));
        g_assert_cmpuint(ast->children->len, ==, 1);
    }
}

/* The spans point into the query, so errors and highlights can point back at it. */
static void
test_spans(void)
{
    const char *q = "thư \"điện tử\" -rác type:pdf";
    g_autoptr(tracuu_qnode) ast = tracuu_query_parse(q, -1, NULL, NULL);
    g_assert_nonnull(ast);
    g_assert_cmpuint(ast->children->len, ==, 4);
    const size_t want[][2] = {{0, 4}, {5, 19}, {20, 25}, {26, 34}};
    for (guint i = 0; i < 4; i++) {
        tracuu_qnode *n = g_ptr_array_index(ast->children, i);
        g_assert_cmpuint(n->start, ==, want[i][0]);
        g_assert_cmpuint(n->end, ==, want[i][1]);
    }
}

/* The store query of @ast compiled with @relaxed and @restore, described (g_free()). */
static char *
compiled(const tracuu_qnode *ast, gboolean relaxed, GHashTable *restore)
{
    tracuu_compiled c;
    g_autoptr(GError) error = NULL;
    g_assert_true(tracuu_query_compile(ast, NULL, relaxed, restore, &c, &error));
    g_assert_no_error(error);
    char *q = tracuu_query_describe(c.query);
    char *d = g_strdup(q);
    free(q);
    tracuu_compiled_clear(&c);
    return d;
}

/*
 * A query is read by the tokenizer once, when it is prepared: one run per word run, phrase and
 * field value with words, however many variants are compiled from it (relaxed, with guessed
 * accents). Preparing again reads nothing, and a compilation leaves the tree as it found it:
 * the one after an accent guess is the one before it (the guess used to be written into the
 * tokens of the compilation that used it).
 */
static void
test_prepare_once(void)
{
    static const struct {
        const char *query;
        guint runs;
    } rows[] = {
        {"thu dien tu", 1},
        {"\"thư điện tử\" công vụ -rác", 3},
        {"thư NEAR/3 công", 2},
        {"(a OR b) AND c", 3},
        {"kind:pdf year:2008 type:\"quyết định\"", 0},
        {"issuer:\"Bộ Tài chính\" subject:\"giao ban\" thư", 3},
        {"from:vanthu@chinhphu.gov.vn to:\"Nguyễn Văn An\"", 1},
        {"", 0},
    };
    g_autoptr(GError) error = NULL;
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    g_assert_no_error(error);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(tracuu_qnode) ast = tracuu_query_parse(rows[i].query, -1, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(tracuu_query_prepare(tk, ast), ==, rows[i].runs);
        g_assert_cmpuint(tracuu_query_prepare(tk, ast), ==, 0);
        g_autofree char *before = compiled(ast, FALSE, NULL);
        g_autoptr(GHashTable) guess = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        for (guint k = 1; k <= 8; k++)
            g_hash_table_insert(guess, GUINT_TO_POINTER(k), g_strdup("thư"));
        g_autofree char *guessed = compiled(ast, FALSE, guess);
        g_autofree char *relaxed = compiled(ast, TRUE, guess);
        g_autofree char *after = compiled(ast, FALSE, NULL);
        g_test_message("%s: %s / guessed %s", rows[i].query, before, guessed);
        g_assert_cmpstr(after, ==, before);
        if (rows[i].runs > 0 && strcmp(rows[i].query, "thu dien tu") == 0)
            g_assert_cmpstr(guessed, !=, before); /* the guess was used */
    }
    tracuu_tokenizer_free(tk);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/query/parse-table", test_parse_table);
    g_test_add_func("/query/depth", test_depth);
    g_test_add_func("/query/long", test_long);
    g_test_add_func("/query/invalid-utf8", test_invalid_utf8);
    g_test_add_func("/query/spans", test_spans);
    g_test_add_func("/query/prepare-once", test_prepare_once);
    return g_test_run();
}
