/* test-engine.c - the engine on a small real index: ranking facts, filters, facets, snippets. */
#include "tracuu-test.h"
#include <glib/gstdio.h>
#include <string.h>

#include "engine-private.h"
#include "suggest.h"
#include "tracuu-docwriter.h"
#include "tracuu-engine.h"
#include "tracuu-schema.h"

/* A dozen documents written for this test, shaped like the archive's: decrees, letters, mail. */
static const char ct34_text[] =
    "THỦ TƯỚNG CHÍNH PHỦ\nSố: 34/2008/CT-TTg\nHà Nội, ngày 03 tháng 12 năm 2008\n"
    "CHỈ THỊ\nVề việc tăng cường sử dụng hệ thống thư điện tử trong hoạt động của cơ quan "
    "nhà nước\n"
    /* page 2 starts here (offset computed in the test) */
    "Các bộ, cơ quan ngang bộ phải sử dụng thư điện tử trong công việc hằng ngày; "
    "mỗi cán bộ, công chức có một hộp thư điện tử công vụ.";
static const guint64 ct34_page2_marker = 1; /* the second page starts at "Các bộ" */

static const char *const cites34[] = {"34/2008/CT-TTg"};
static const char *const cites34b[] = {"34/2008/CT–TTg"};

typedef struct {
    tracuu_docfields f;
} test_doc;

static tracuu_docfields docs[] = {
    {.id = "ct34", .path = "/archive/ct34.pdf", .kind = "pdf", .title =
         "Về việc tăng cường sử dụng hệ thống thư điện tử trong hoạt động của cơ quan nhà nước",
     .text = ct34_text, .number = "34/2008/CT-TTg", .doc_type = "Chỉ thị",
     .issuer = "Thủ tướng Chính phủ", .date = "2008-12-03", .signer = "Nguyễn Tấn Dũng"},
    {.id = "qd1115", .path = "/archive/qd1115.pdf", .kind = "pdf",
     .title = "Ban hành kế hoạch triển khai Chỉ thị 34/2008/CT-TTg",
     .text = "BỘ THÔNG TIN VÀ TRUYỀN THÔNG\nSố: 1115/QĐ-BTTTT\nQUYẾT ĐỊNH\nCăn cứ Chỉ thị số "
             "34/2008/CT-TTg của Thủ tướng Chính phủ; ban hành kế hoạch triển khai.",
     .number = "1115/QĐ-BTTTT", .doc_type = "Quyết định",
     .issuer = "Bộ Thông tin và Truyền thông", .date = "2009-06-01", .cites = cites34,
     .n_cites = 1},
    {.id = "cv200", .path = "/archive/cv200.docx", .kind = "docx",
     .title = "Báo cáo tình hình thực hiện",
     .text = "BỘ NỘI VỤ\nSố: 200/BNV-VP\nV/v báo cáo tình hình thực hiện Chỉ thị 34/2008/CT–TTg "
             "của Thủ tướng.",
     .number = "200/BNV-VP", .doc_type = "Công văn", .issuer = "Bộ Nội vụ",
     .date = "2010-02-10", .cites = cites34b, .n_cites = 1},
    {.id = "tt-thue", .path = "/archive/tt-thue.pdf", .kind = "pdf",
     .title = "Hướng dẫn thu thuế điện tử",
     .text = "BỘ TÀI CHÍNH\nSố: 110/2015/TT-BTC\nTHÔNG TƯ\nHướng dẫn thu thuế điện tử và thu phí "
             "qua hệ thống điện tử; tổ chức thu nộp thuế bằng phương thức điện tử.",
     .number = "110/2015/TT-BTC", .doc_type = "Thông tư", .issuer = "Bộ Tài chính",
     .date = "2015-07-28"},
    {.id = "dan1", .path = "/archive/dan1.txt", .kind = "text", .title = "Ghi chép một",
     .text = "Đàn ông và phụ nữ bình đẳng trong gia đình."},
    {.id = "dan2", .path = "/archive/dan2.txt", .kind = "text", .title = "Ghi chép hai",
     .text = "Dân chủ ở cơ sở trong gia đình và làng xã."},
    {.id = "nd30", .path = "/archive/nd30.pdf", .kind = "pdf", .title = "Về công tác văn thư",
     .text = "CHÍNH PHỦ\nSố: 30/2020/NĐ-CP\nNGHỊ ĐỊNH\nVề công tác văn thư. Nghị định này quy "
             "định về công tác văn thư và quản lý nhà nước về công tác văn thư; thể thức "
             "<văn bản> & kỹ thuật trình bày.",
     .number = "30/2020/NĐ-CP", .doc_type = "Nghị định", .issuer = "Chính phủ",
     .date = "2020-03-05"},
    {.id = "tt01", .path = "/archive/tt01.pdf", .kind = "pdf",
     .title = "Hướng dẫn thể thức và kỹ thuật trình bày văn bản hành chính",
     .text = "BỘ NỘI VỤ\nSố: 01/2011/TT-BNV\nTHÔNG TƯ\nHướng dẫn thể thức và kỹ thuật trình bày "
             "văn bản hành chính.",
     .number = "01/2011/TT-BNV", .doc_type = "Thông tư", .issuer = "Bộ Nội vụ",
     .date = "2011-01-19"},
    {.id = "mbox1:1", .path = "/archive/mail.mbox", .kind = "mail",
     .title = "Họp giao ban tuần", .subject = "Họp giao ban tuần",
     .text = "Kính gửi các đơn vị, đề nghị dự họp giao ban vào sáng thứ Hai.",
     .from = &(const tracuu_mailbox){"Văn thư Chính phủ", "vanthu@chinhphu.gov.vn"},
     .n_from = 1, .to = &(const tracuu_mailbox){"Nguyễn Văn An", "an@mic.gov.vn"}, .n_to = 1,
     .message_id = "abc123@chinhphu.gov.vn",
     .date = "2024-03-05"},
    {.id = "mbox1:1/1", .path = "/archive/mail.mbox", .kind = "attachment",
     .title = "Báo cáo giao ban", .attachment = "baocao.pdf", .parent = "mbox1:1",
     .text = "Báo cáo kết quả công tác tuần và kế hoạch tuần tới.", .date = "2024-03-05"},
    {.id = "qd-hg", .path = "/archive/qd-hg.docx", .kind = "docx",
     .title = "Quy chế quản lý văn bản điện tử",
     .text = "ỦY BAN NHÂN DÂN TỈNH HÀ GIANG\nSố: 1234/QĐ-UBND\nQUYẾT ĐỊNH\nBan hành quy chế "
             "quản lý văn bản điện tử trên địa bàn tỉnh.",
     .number = "1234/QĐ-UBND", .doc_type = "Quyết định",
     .issuer = "Ủy ban nhân dân tỉnh Hà Giang", .date = "2019-11-20"},
    /* The same syllables, together in one and scattered in the other. */
    {.id = "near", .path = "/archive/near.txt", .kind = "text", .title = "Ghi chép ba",
     .text = "Hôm qua phòng hành chính đã gửi thư điện tử cho các phòng ban về lịch làm việc "
             "của tuần sau."},
    {.id = "far", .path = "/archive/far.txt", .kind = "text", .title = "Ghi chép bốn",
     /* Shorter, so that BM25 alone would put it first. */
     .text = "Hôm qua gửi thư cho phòng, điện cho ban về lịch tử tế."},
    {.id = "ma-tuy", .path = "/archive/ma-tuy.txt", .kind = "text",
     .title = "Luật Phòng, chống ma túy",
     .text = "Luật này quy định về phòng, chống ma túy; quản lý người sử dụng trái phép chất "
             "ma túy; cai nghiện ma túy.",
     .doc_type = "Luật", .issuer = "Quốc hội", .date = "2021-03-30"},
};

typedef struct {
    char *dir;
    tracuu_engine *engine;
} fixture;

/* Writes @n documents into a new index at @db, committed once, with the version metadata. */
static void
build_index(const char *db, tracuu_docfields *list, size_t n)
{
    g_autoptr(GError) error = NULL;
    tracuu_store *store = NULL;
    char *msg = NULL;
    g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_CREATE, &store, &msg), ==,
                    TRACUU_STORE_OK);
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    g_assert_no_error(error);
    /* The second page of ct34 starts at "Các bộ". */
    static guint64 pages[2];
    pages[0] = 0;
    pages[1] = (guint64)(strstr(ct34_text, "Các bộ") - ct34_text);
    docs[0].pages = pages;
    docs[0].n_pages = 2;
    (void)ct34_page2_marker;
    for (size_t i = 0; i < n; i++) {
        gboolean ok = tracuu_docwriter_add(store, tk, &list[i], &error);
        g_assert_no_error(error);
        g_assert_true(ok);
    }
    g_autofree char *sv = g_strdup_printf("%d", TRACUU_SCHEMA_VERSION);
    g_autofree char *tv = g_strdup_printf("%d", TRACUU_TOKENIZER_VERSION);
    tracuu_store_set_metadata(store, TRACUU_META_SCHEMA_VERSION, sv, strlen(sv));
    tracuu_store_set_metadata(store, TRACUU_META_TOKENIZER_VERSION, tv, strlen(tv));
    g_assert_cmpint(tracuu_store_commit(store), ==, TRACUU_STORE_OK);
    tracuu_store_free(store);
    tracuu_tokenizer_free(tk);
}

static void
fixture_setup(fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    fx->dir = g_dir_make_tmp("tracuu-engine-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *db = g_build_filename(fx->dir, "index", NULL);
    build_index(db, docs, G_N_ELEMENTS(docs));
    fx->engine = tracuu_engine_open(db, &error);
    g_assert_no_error(error);
    g_assert_nonnull(fx->engine);
}

static void
fixture_teardown(fixture *fx, gconstpointer data)
{
    tracuu_engine_free(fx->engine);
    if (g_getenv("TRACUU_TEST_KEEP") != NULL) {
        g_printerr("kept %s\n", fx->dir); /* to look at a failing index by hand */
        g_free(fx->dir);
        return;
    }
    tracuu_test_rm_rf(fx->dir);
    g_free(fx->dir);
}

/* Runs a request given as JSON text; returns the response or NULL with @error. */
static JsonObject *
run(fixture *fx, const char *json, GError **error)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    JsonObject *req = json_node_get_object(json_parser_get_root(p));
    return tracuu_engine_handle(fx->engine, req, error);
}

static JsonObject *
search(fixture *fx, const char *json)
{
    g_autoptr(GError) error = NULL;
    JsonObject *r = run(fx, json, &error);
    if (r == NULL)
        g_error("%s: %s", json, error->message);
    g_assert_true(json_object_get_boolean_member(r, "ok"));
    return r;
}

/* The ids of the hits, comma-separated, for compact assertions. */
static char *
hit_ids(JsonObject *r)
{
    JsonArray *hits = json_object_get_array_member(r, "hits");
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        if (i > 0)
            g_string_append_c(s, ',');
        g_string_append(s, json_object_get_string_member(json_array_get_object_element(hits, i),
                                                         "id"));
    }
    return g_string_free(s, FALSE);
}

static char *
ids_for(fixture *fx, const char *json)
{
    g_autoptr(JsonObject) r = search(fx, json);
    return hit_ids(r);
}

static const char *
first_id(JsonObject *r)
{
    JsonArray *hits = json_object_get_array_member(r, "hits");
    g_assert_cmpuint(json_array_get_length(hits), >, 0);
    return json_object_get_string_member(json_array_get_object_element(hits, 0), "id");
}

/*
 * Accent-free queries find the accented documents, and rank them as if typed with accents:
 * "thu dien tu" puts ct34 (thư điện tử) over tt-thue (thu thuế điện tử) only because the engine
 * guesses the accents from its best hits (this fails with restore_weight 0).
 */
static void
test_unaccented_finds(fixture *fx, gconstpointer data)
{
    static const char *const queries[] = {
        "{\"op\":\"search\",\"q\":\"thu dien tu\"}",
        "{\"op\":\"search\",\"q\":\"THU DIEN TU\"}",
        "{\"op\":\"search\",\"q\":\"thư điện tử\"}",
        "{\"op\":\"search\",\"q\":\"hop thu dien tu cong vu\"}",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autoptr(JsonObject) r = search(fx, queries[i]);
        g_assert_cmpstr(first_id(r), ==, "ct34");
        g_assert_cmpint(json_object_get_int_member(r, "total"), >=, 2);
    }
    /* Folded queries find every accent variant: "dan" finds both "đàn" and "dân". */
    g_autofree char *dan = ids_for(fx, "{\"op\":\"search\",\"q\":\"dan\"}");
    g_assert_nonnull(strstr(dan, "dan1"));
    g_assert_nonnull(strstr(dan, "dan2"));
}

/* A query typed with diacritics puts documents with exactly those diacritics first. */
static void
test_accent_first(fixture *fx, gconstpointer data)
{
    static const struct {
        const char *q, *first;
    } cases[] = {
        {"dân", "dan2"}, {"đàn", "dan1"}, {"Dân chủ", "dan2"}, {"đàn ông", "dan1"},
        {"thu thuế", "tt-thue"}, {"thư điện tử", "ct34"}, {"văn thư", "nd30"}, {"ma túy", "ma-tuy"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *req =
            g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\"}", cases[i].q);
        g_autoptr(JsonObject) r = search(fx, req);
        if (strcmp(first_id(r), cases[i].first) != 0) {
            g_autofree char *ids = hit_ids(r);
            g_error("%s: first %s, want %s (%s)", cases[i].q, first_id(r), cases[i].first, ids);
        }
    }
    /* And the exact form scores above the other accent, not merely ties. */
    g_autoptr(JsonObject) r = search(fx, "{\"op\":\"search\",\"q\":\"dân\"}");
    JsonArray *hits = json_object_get_array_member(r, "hits");
    g_assert_cmpuint(json_array_get_length(hits), >=, 2);
    double s0 = json_object_get_double_member(json_array_get_object_element(hits, 0), "score");
    double s1 = json_object_get_double_member(json_array_get_object_element(hits, 1), "score");
    g_assert_cmpfloat(s0, >, s1);
}

static guint
rank_of(JsonObject *r, const char *id)
{
    JsonArray *hits = json_object_get_array_member(r, "hits");
    for (guint i = 0; i < json_array_get_length(hits); i++)
        if (strcmp(json_object_get_string_member(json_array_get_object_element(hits, i), "id"),
                   id) == 0)
            return i;
    g_error("no hit %s", id);
    return G_MAXUINT;
}

/* Syllables that stand together as in the query rank above the same syllables apart. */
static void
test_proximity(fixture *fx, gconstpointer data)
{
    static const char *const queries[] = {"thu dien tu", "thư điện tử", "gui thu dien tu"};
    for (size_t i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autofree char *req =
            g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":50}", queries[i]);
        g_autoptr(JsonObject) r = search(fx, req);
        g_assert_cmpuint(rank_of(r, "near"), <, rank_of(r, "far"));
    }
}

/* The hits with their scores, for comparing two engines' answers exactly. */
static char *
hit_ids_scores(JsonObject *r)
{
    JsonArray *hits = json_object_get_array_member(r, "hits");
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        JsonObject *h = json_array_get_object_element(hits, i);
        g_string_append_printf(s, "%s%s=%.6f", i > 0 ? "," : "",
                               json_object_get_string_member(h, "id"),
                               json_object_get_double_member(h, "score"));
    }
    return g_string_free(s, FALSE);
}

/*
 * The pair bonuses re-rank the best hits of the query without them (two passes): when the pool
 * holds every match, hits, order, scores and totals are those of the one-pass search, pages
 * and accent guesses included. A second pass that scored without the bonuses, lost hits or
 * paged wrong would fail here ("far" outranks "near" without the bonus).
 */
static void
test_two_pass(fixture *fx, gconstpointer data)
{
    static const struct {
        const char *q;
        int offset, limit;
    } rows[] = {
        {"gui thu dien tu", 0, 10},  {"gửi thư điện tử", 0, 10}, {"thu dien tu", 0, 1},
        {"thư điện tử", 1, 2},       {"van ban dien tu", 0, 10}, {"cơ quan nhà nước", 0, 5},
        {"hop thu dien tu cong vu", 0, 10}, {"\"thu dien tu\" hom qua", 0, 10},
        {"34/2008/CT-TTg thư điện tử", 0, 10},
    };
    g_autofree char *db = g_build_filename(fx->dir, "index", NULL);
    g_autoptr(GError) error = NULL;
    tracuu_engine *one = tracuu_engine_open(db, &error);
    g_assert_no_error(error);
    tracuu_rank_params rp;
    tracuu_rank_params_init(&rp);
    g_assert_cmpuint(rp.rerank_pool, >=, G_N_ELEMENTS(docs)); /* else not comparable here */
    rp.rerank_pool = 0;
    tracuu_engine_set_rank_params(one, &rp);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "op");
        json_builder_add_string_value(b, "search");
        json_builder_set_member_name(b, "q");
        json_builder_add_string_value(b, rows[i].q);
        json_builder_set_member_name(b, "offset");
        json_builder_add_int_value(b, rows[i].offset);
        json_builder_set_member_name(b, "limit");
        json_builder_add_int_value(b, rows[i].limit);
        json_builder_end_object(b);
        g_autoptr(JsonNode) req = json_builder_get_root(b);
        g_autoptr(JsonObject) two_r = tracuu_engine_handle(fx->engine, json_node_get_object(req),
                                                           &error);
        g_assert_no_error(error);
        g_autoptr(JsonObject) one_r = tracuu_engine_handle(one, json_node_get_object(req),
                                                           &error);
        g_assert_no_error(error);
        g_autofree char *two_s = hit_ids_scores(two_r);
        g_autofree char *one_s = hit_ids_scores(one_r);
        g_test_message("%s: %s", rows[i].q, two_s);
        g_assert_cmpstr(two_s, ==, one_s);
        g_assert_cmpint(json_object_get_int_member(two_r, "total"), ==,
                        json_object_get_int_member(one_r, "total"));
    }
    /* And the bonus is there: "near" (the syllables together) over the shorter "far". */
    g_autoptr(JsonObject) r = search(fx, "{\"op\":\"search\",\"q\":\"gui thu dien tu\"}");
    g_assert_cmpuint(rank_of(r, "near"), <, rank_of(r, "far"));
    tracuu_engine_free(one);
}

/* An engine on the fixture's index with @rp, for comparing rankings. */
static tracuu_engine *
engine_with(fixture *fx, const tracuu_rank_params *rp)
{
    g_autofree char *db = g_build_filename(fx->dir, "index", NULL);
    g_autoptr(GError) error = NULL;
    tracuu_engine *e = tracuu_engine_open(db, &error);
    g_assert_no_error(error);
    tracuu_engine_set_rank_params(e, rp);
    return e;
}

static JsonObject *
search_with(tracuu_engine *e, const char *q, int limit)
{
    g_autoptr(JsonObject) req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", q);
    json_object_set_int_member(req, "limit", limit);
    g_autoptr(GError) error = NULL;
    JsonObject *r = tracuu_engine_handle(e, req, &error);
    g_assert_no_error(error);
    return r;
}

/*
 * The second pass scores only the pool: with a pool of one, the page of one is the best hit
 * without pair bonuses, scored with them. This fails if the engine silently ranked in one pass
 * (a pool it could not build, ids it could not read from the data). Sorted by date, there is
 * no pair bonus at all.
 */
static void
test_pool_used(fixture *fx, gconstpointer data)
{
    tracuu_rank_params rp;
    tracuu_rank_params_init(&rp);
    rp.rerank_pool = 1;
    tracuu_engine *two = engine_with(fx, &rp);
    rp.rerank_pool = 0;
    tracuu_engine *one = engine_with(fx, &rp);
    rp.bigram_weight = 0;
    rp.bigram_accent = 0;
    tracuu_engine *flat = engine_with(fx, &rp);
    /* "far" is shorter, so it wins without the bonuses; "near" has "thư điện tử" together. */
    static const struct {
        const char *q, *flat_first, *one_first;
    } rows[] = {
        {"gui thu dien tu", "far", "near"},
        {"gửi thư điện tử", "far", "near"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(JsonObject) t = search_with(two, rows[i].q, 1);
        g_autoptr(JsonObject) o = search_with(one, rows[i].q, 1);
        g_autoptr(JsonObject) f = search_with(flat, rows[i].q, 1);
        g_test_message("%s: two-pass %s, one pass %s, no bonus %s", rows[i].q, first_id(t),
                       first_id(o), first_id(f));
        g_assert_cmpstr(first_id(o), ==, rows[i].one_first);
        g_assert_cmpstr(first_id(f), ==, rows[i].flat_first);
        g_assert_cmpstr(first_id(t), ==, rows[i].flat_first);
        /* ...scored with its pair bonus ("gửi thư" stands in "far" too). */
        JsonObject *th = json_array_get_object_element(json_object_get_array_member(t, "hits"), 0);
        JsonObject *fh = json_array_get_object_element(json_object_get_array_member(f, "hits"), 0);
        g_assert_cmpfloat(json_object_get_double_member(th, "score"), >,
                          json_object_get_double_member(fh, "score"));
    }
    /* Sorted by date, weights only break ties: no pair bonus is computed (the scores are those
     * of the engine without bonuses), and the order is by date all the same. */
    g_autoptr(JsonObject) req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", "gửi thư điện tử");
    json_object_set_string_member(req, "sort", "-date");
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) d = tracuu_engine_handle(fx->engine, req, &error);
    g_assert_no_error(error);
    g_autoptr(JsonObject) df = tracuu_engine_handle(flat, req, &error);
    g_assert_no_error(error);
    g_autofree char *ds = hit_ids_scores(d);
    g_autofree char *dfs = hit_ids_scores(df);
    g_assert_cmpstr(ds, ==, dfs);
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(d, "hits")), >, 1);
    tracuu_engine_free(two);
    tracuu_engine_free(one);
    tracuu_engine_free(flat);
}

/* A document number in any dash style and case: that document first, citing ones next. */
static void
test_docnum(fixture *fx, gconstpointer data)
{
    static const char *const queries[] = {
        "34/2008/CT-TTg",
        "34/2008/ct-ttg",
        "34/2008/CT–TTg",
        "34/2008/CT — TTg",
        "34/2008/CT - TTg",
        "chỉ thị 34/2008/CT-TTg về thư điện tử",
        "tình hình thực hiện 34/2008/CT-TTg",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autofree char *req =
            g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":5}", queries[i]);
        g_autofree char *ids = ids_for(fx, req);
        if (!g_str_has_prefix(ids, "ct34,qd1115,cv200") &&
            !g_str_has_prefix(ids, "ct34,cv200,qd1115"))
            g_error("\"%s\": %s", queries[i], ids);
    }
    /* Paging through the tiers gives the same order. */
    g_autofree char *all = ids_for(fx, "{\"op\":\"search\",\"q\":\"34/2008/CT-TTg\"}");
    g_auto(GStrv) parts = g_strsplit(all, ",", -1);
    for (guint i = 0; parts[i] != NULL; i++) {
        g_autofree char *req = g_strdup_printf(
            "{\"op\":\"search\",\"q\":\"34/2008/CT-TTg\",\"offset\":%u,\"limit\":1}", i);
        g_autofree char *one = ids_for(fx, req);
        g_assert_cmpstr(one, ==, parts[i]);
    }
    /* The number as a filter and cites: as a filter. */
    g_autofree char *num = ids_for(fx, "{\"op\":\"search\",\"q\":\"so:34/2008/ct–ttg\"}");
    g_assert_cmpstr(num, ==, "ct34");
    g_autofree char *cites = ids_for(fx, "{\"op\":\"search\",\"q\":\"cites:34/2008/CT-TTg\","
                                         "\"sort\":\"date\"}");
    g_assert_cmpstr(cites, ==, "qd1115,cv200");
}

typedef struct {
    const char *request;
    const char *ids; /* exact hit ids, sorted by date */
} filter_case;

static void
test_filters(fixture *fx, gconstpointer data)
{
    static const filter_case cases[] = {
        {"\"q\":\"type:\\\"chỉ thị\\\"\"", "ct34"},
        {"\"q\":\"loai:quyet_dinh\"", "qd1115,qd-hg"},
        {"\"q\":\"type:QĐ\"", "qd1115,qd-hg"},
        {"\"q\":\"\",\"filters\":{\"type\":\"Quyết định\"}", "qd1115,qd-hg"},
        {"\"q\":\"\",\"filters\":{\"type\":[\"Quyết định\",\"Chỉ thị\"]}", "ct34,qd1115,qd-hg"},
        {"\"q\":\"coquan:\\\"bo noi vu\\\"\"", "cv200,tt01"},
        {"\"q\":\"issuer:\\\"nội vụ\\\"\"", "cv200,tt01"},
        {"\"q\":\"date:2009-01-01..2011-12-31\"", "qd1115,cv200,tt01"},
        {"\"q\":\"ngay:3/12/2008\"", "ct34"},
        {"\"q\":\"year:2024\"", "mbox1:1,mbox1:1/1"},
        {"\"q\":\"\",\"filters\":{\"year\":2015}", "tt-thue"},
        {"\"q\":\"nam:2019..2020\"", "qd-hg,nd30"},
        {"\"q\":\"kind:mail\"", "mbox1:1"},
        {"\"q\":\"kind:DOCX\"", "qd-hg,cv200"},
        {"\"q\":\"from:vanthu@chinhphu.gov.vn\"", "mbox1:1"},
        {"\"q\":\"to:\\\"Nguyễn Văn An\\\"\"", "mbox1:1"},
        {"\"q\":\"subject:\\\"giao ban\\\"\"", "mbox1:1"},
        {"\"q\":\"parent:mbox1:1\"", "mbox1:1/1"},
        {"\"q\":\"giao ban -kind:mail\"", "mbox1:1/1"},
        {"\"q\":\"văn bản -\\\"trình bày\\\"\"", "qd-hg"},
        {"\"q\":\"thể thức type:\\\"thông tư\\\"\"", "tt01"},
        {"\"q\":\"\\\"công tác văn thư\\\"\"", "nd30"},
        {"\"q\":\"\\\"cong tac van thu\\\"\"", "nd30"},
        {"\"q\":\"\\\"văn thư công tác\\\"\"", ""},
        {"\"q\":\"kind:pdf year:2008\"", "ct34"},
        /* Excluded words typed with diacritics are exact; without, any accent. */
        {"\"q\":\"điện tử -thư\"", "tt-thue,qd-hg"},
        {"\"q\":\"dien tu -thư\"", "tt-thue,qd-hg"},
        {"\"q\":\"dien tu -thu\"", "qd-hg"},
        /* ...also when the rest of the query has diacritics: "-dinh" excludes "ĐỊNH" (qd-hg,
         * qd1115, nd30); it used to exclude only a "dinh" written so. */
        {"\"q\":\"điện tử -dinh\"", "ct34,tt-thue,near,far"},
        {"\"q\":\"điện tử -định\"", "ct34,tt-thue,near,far"},
        {"\"q\":\"thư -dinh\"", "ct34,cv200,tt-thue,mbox1:1,near,far"},
        {"\"q\":\"thư -\\\"quyet dinh\\\"\"", "ct34,cv200,tt-thue,nd30,mbox1:1,near,far"},
        {"\"q\":\"thư -\\\"quyết dinh\\\"\"", "ct34,cv200,tt-thue,nd30,mbox1:1,near,far"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *req = g_strdup_printf(
            "{\"op\":\"search\",%s,\"sort\":\"date\",\"limit\":50}", cases[i].request);
        g_autoptr(JsonObject) r = search(fx, req);
        g_autofree char *ids = hit_ids(r);
        /* Same date: order by id is not promised, so compare as sets when dates tie. */
        if (strcmp(ids, cases[i].ids) != 0) {
            g_auto(GStrv) a = g_strsplit(ids, ",", -1);
            g_auto(GStrv) b = g_strsplit(cases[i].ids, ",", -1);
            gboolean same = g_strv_length(a) == g_strv_length(b);
            for (guint k = 0; same && b[k] != NULL; k++)
                same = g_strv_contains((const char *const *)a, b[k]);
            if (!same)
                g_error("case %zu %s: got %s, want %s", i, cases[i].request, ids, cases[i].ids);
        }
        g_auto(GStrv) want = g_strsplit(cases[i].ids, ",", -1);
        g_assert_cmpint(json_object_get_int_member(r, "total"), ==,
                        *cases[i].ids ? g_strv_length(want) : 0);
    }
}

static void
test_sort(fixture *fx, gconstpointer data)
{
    g_autofree char *asc =
        ids_for(fx, "{\"op\":\"search\",\"q\":\"type:\\\"thông tư\\\" OR type:\\\"nghị "
                    "định\\\"\",\"sort\":\"date\"}");
    g_assert_cmpstr(asc, ==, "tt01,tt-thue,nd30");
    g_autofree char *desc =
        ids_for(fx, "{\"op\":\"search\",\"q\":\"type:\\\"thông tư\\\" OR type:\\\"nghị "
                    "định\\\"\",\"sort\":\"-date\"}");
    g_assert_cmpstr(desc, ==, "nd30,tt-thue,tt01");
}

static void
test_facets(fixture *fx, gconstpointer data)
{
    g_autoptr(JsonObject) r = search(
        fx, "{\"op\":\"search\",\"q\":\"\",\"limit\":0,"
            "\"facets\":[\"doc_type\",\"kind\",\"year\",\"issuer\"]}");
    g_assert_cmpint(json_object_get_int_member(r, "total"), ==, G_N_ELEMENTS(docs));
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(r, "hits")), ==, 0);
    JsonObject *f = json_object_get_object_member(r, "facets");
    JsonObject *types = json_object_get_object_member(f, "doc_type");
    g_assert_cmpint(json_object_get_int_member(types, "Quyết định"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(types, "Thông tư"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(types, "Chỉ thị"), ==, 1);
    JsonObject *kinds = json_object_get_object_member(f, "kind");
    g_assert_cmpint(json_object_get_int_member(kinds, "pdf"), ==, 5);
    g_assert_cmpint(json_object_get_int_member(kinds, "mail"), ==, 1);
    JsonObject *years = json_object_get_object_member(f, "year");
    g_assert_cmpint(json_object_get_int_member(years, "2024"), ==, 2);
    JsonObject *issuers = json_object_get_object_member(f, "issuer");
    g_assert_cmpint(json_object_get_int_member(issuers, "Bộ Nội vụ"), ==, 2);

    /* Over the whole match set, not the page: limit 1 still counts both. */
    g_autoptr(JsonObject) r2 = search(
        fx, "{\"op\":\"search\",\"q\":\"văn bản\",\"limit\":1,\"facets\":[\"doc_type\"]}");
    JsonObject *t2 = json_object_get_object_member(
        json_object_get_object_member(r2, "facets"), "doc_type");
    g_assert_cmpint(json_object_get_int_member(t2, "Thông tư"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(t2, "Quyết định"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(t2, "Nghị định"), ==, 1);
}

/* Characters of a snippet's text, without the <mark> tags. */
static glong
text_chars(const char *snippet)
{
    g_autoptr(GRegex) tags = g_regex_new("</?mark>", 0, 0, NULL);
    g_autofree char *plain = g_regex_replace_literal(tags, snippet, -1, 0, "", 0, NULL);
    return g_utf8_strlen(plain, -1);
}

static JsonObject *
hit_of(JsonObject *r, const char *id)
{
    JsonArray *hits = json_object_get_array_member(r, "hits");
    for (guint i = 0; i < json_array_get_length(hits); i++) {
        JsonObject *h = json_array_get_object_element(hits, i);
        if (strcmp(json_object_get_string_member(h, "id"), id) == 0)
            return h;
    }
    g_error("no hit %s", id);
    return NULL;
}

static void
test_hits_and_snippets(fixture *fx, gconstpointer data)
{
    /* Folded matches are marked in the accented text; the page is that of the snippet's first
     * mark: the window, led into "hộp thư điện tử công vụ" on page 2, starts with the "thư"
     * that ends page 1. */
    g_autoptr(JsonObject) r = search(fx, "{\"op\":\"search\",\"q\":\"hop thu cong vu\"}");
    JsonObject *h = hit_of(r, "ct34");
    const char *snip = json_object_get_string_member(h, "snippet");
    g_assert_nonnull(strstr(snip, "<mark>hộp</mark> <mark>thư</mark> điện tử <mark>công</mark> "
                                  "<mark>vụ</mark>"));
    g_assert_true(g_str_has_prefix(strstr(snip, "<mark>"), "<mark>thư</mark> điện tử trong hoạt"));
    g_assert_cmpint(json_object_get_int_member(h, "page"), ==, 1);
    g_assert_cmpuint(text_chars(snip), <=, 200 + 2);
    g_assert_cmpstr(json_object_get_string_member(h, "path"), ==, "/archive/ct34.pdf");
    g_assert_cmpstr(json_object_get_string_member(h, "kind"), ==, "pdf");
    g_assert_cmpstr(json_object_get_string_member(h, "number"), ==, "34/2008/CT-TTg");
    g_assert_cmpstr(json_object_get_string_member(h, "doc_type"), ==, "Chỉ thị");
    g_assert_cmpstr(json_object_get_string_member(h, "issuer"), ==, "Thủ tướng Chính phủ");
    g_assert_cmpstr(json_object_get_string_member(h, "date"), ==, "2008-12-03");
    g_assert_cmpstr(json_object_get_string_member(h, "signer"), ==, "Nguyễn Tấn Dũng");
    g_assert_true(g_str_has_prefix(json_object_get_string_member(h, "title"), "Về việc"));
    g_assert_cmpfloat(json_object_get_double_member(h, "score"), >, 0);

    /* The snippet is HTML: text markup is escaped, only <mark> is ours. */
    g_autoptr(JsonObject) r2 = search(fx, "{\"op\":\"search\",\"q\":\"thể thức văn bản\"}");
    const char *s2 = json_object_get_string_member(hit_of(r2, "nd30"), "snippet");
    g_assert_nonnull(strstr(s2, "&lt;<mark>văn</mark> <mark>bản</mark>&gt; &amp;"));
    g_assert_null(strstr(s2, "<văn"));
    g_assert_false(json_object_has_member(hit_of(r2, "nd30"), "page"));

    /* Mail and attachment fields. */
    g_autoptr(JsonObject) r3 = search(fx, "{\"op\":\"search\",\"q\":\"giao ban\"}");
    JsonObject *m = hit_of(r3, "mbox1:1");
    g_assert_cmpstr(json_object_get_string_member(m, "subject"), ==, "Họp giao ban tuần");
    g_assert_nonnull(strstr(json_object_get_string_member(m, "from"), "vanthu@"));
    g_assert_nonnull(strstr(json_object_get_string_member(m, "to"), "an@mic.gov.vn"));
    g_assert_cmpstr(json_object_get_string_member(m, "message_id"), ==,
                    "abc123@chinhphu.gov.vn");
    JsonObject *a = hit_of(r3, "mbox1:1/1");
    g_assert_cmpstr(json_object_get_string_member(a, "parent"), ==, "mbox1:1");
    g_assert_cmpstr(json_object_get_string_member(a, "attachment"), ==, "baocao.pdf");
    g_assert_cmpstr(json_object_get_string_member(a, "kind"), ==, "attachment");
}

/* An engine on a new index of @n documents in a new folder (*@dir; remove with rm_rf). */
static tracuu_engine *
engine_on(tracuu_docfields *list, size_t n, char **dir)
{
    g_autoptr(GError) error = NULL;
    *dir = g_dir_make_tmp("tracuu-engine-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *db = g_build_filename(*dir, "index", NULL);
    build_index(db, list, n);
    tracuu_engine *e = tracuu_engine_open(db, &error);
    g_assert_no_error(error);
    return e;
}

/*
 * A hit's page is the page of the first match its snippet marks. The best window here starts
 * at "thư điện tử" on page 2, but the snippet shows some text before it, with the "thư" that
 * ends page 1 marked: the page used to be 2, the page of the window's best match, and a reader
 * looking for the first mark on page 2 would not find it.
 */
static void
test_page_of_first_mark(void)
{
    static const char text[] = "Mở đầu văn bản. Đây là lời nói về thư tay.\n"
                               "Các cơ quan dùng thư điện tử hằng ngày trong công việc, thay cho "
                               "giấy tờ in ra; mỗi đơn vị báo cáo kết quả hằng quý về việc này "
                               "cho cơ quan chủ quản theo mẫu chung đã ban hành kèm theo.";
    static guint64 pages[2];
    pages[0] = 0;
    pages[1] = (guint64)(strstr(text, "Các cơ quan") - text);
    tracuu_docfields list[] = {
        {.id = "paged", .path = "/archive/paged.pdf", .kind = "pdf", .title = "Hai trang",
         .text = text, .pages = pages, .n_pages = 2},
    };
    char *dir = NULL;
    tracuu_engine *e = engine_on(list, G_N_ELEMENTS(list), &dir);
    static const struct {
        const char *q;
        gint64 page;
    } rows[] = {
        {"thư điện tử", 1}, /* the "thư" of page 1 is in the snippet, marked */
        {"điện tử", 2},     /* page 1 has no match */
        {"tay", 1},
        {"mẫu chung", 2},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(JsonObject) r = search_with(e, rows[i].q, 10);
        JsonObject *h = hit_of(r, "paged");
        const char *snip = json_object_get_string_member(h, "snippet");
        g_test_message("%s: page %" G_GINT64_FORMAT ": %s", rows[i].q,
                       json_object_get_int_member(h, "page"), snip);
        g_assert_cmpint(json_object_get_int_member(h, "page"), ==, rows[i].page);
    }
    /* The snippet does show the mark of page 1 first. */
    g_autoptr(JsonObject) r = search_with(e, "thư điện tử", 10);
    const char *snip = json_object_get_string_member(hit_of(r, "paged"), "snippet");
    g_assert_nonnull(strstr(snip, "về <mark>thư</mark> tay"));
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
    g_free(dir);
}

/*
 * A query typed with diacritics marks what was typed: "thư điện tử" marked the "Thủ" of "Thủ
 * tướng" and the "tư" of "Thông tư" beside the "thư điện tử" the document has. Each query
 * word is decided per document: where the document has none of its typed forms, it was found
 * through the accent-free form, and its accent-free matches are marked ("thu" in tt-thue,
 * beside the exact "điện tử" of the same document). Typed without diacritics, every accent is
 * marked as before.
 */
static void
test_marks_as_typed(void)
{
    tracuu_docfields list[] = {
        {.id = "exact", .path = "/archive/exact.txt", .kind = "text", .title = "Một",
         .text = "Căn cứ Thông tư của Thủ tướng về thư điện tử công vụ."},
        {.id = "folded", .path = "/archive/folded.txt", .kind = "text", .title = "Hai",
         .text = "Hướng dẫn thu thuế điện tử và tư vấn thủ tục."},
        {.id = "mixed", .path = "/archive/mixed.txt", .kind = "text", .title = "Ba",
         .text = "Thư gửi Thủ tướng; thu chi bằng điện tử."},
    };
    char *dir = NULL;
    tracuu_engine *e = engine_on(list, G_N_ELEMENTS(list), &dir);
    static const struct {
        const char *q, *id, *snippet;
    } rows[] = {
        {"thư điện tử", "exact",
         "Căn cứ Thông tư của Thủ tướng về <mark>thư</mark> <mark>điện</mark> <mark>tử</mark> "
         "công vụ."},
        {"\"thư điện tử\"", "exact",
         "Căn cứ Thông tư của Thủ tướng về <mark>thư</mark> <mark>điện</mark> <mark>tử</mark> "
         "công vụ."},
        /* No "thư" here: found by "thu", whose matches are marked; "tử" is here as typed. */
        {"thư điện tử", "folded",
         "Hướng dẫn <mark>thu</mark> thuế <mark>điện</mark> <mark>tử</mark> và tư vấn "
         "<mark>thủ</mark> tục."},
        /* "Thư" is here (any case), so "Thủ" and "thu" are not marked. */
        {"thư điện tử", "mixed",
         "<mark>Thư</mark> gửi Thủ tướng; thu chi bằng <mark>điện</mark> <mark>tử</mark>."},
        /* Typed without diacritics: every accent. */
        {"thu dien tu", "exact",
         "Căn cứ Thông <mark>tư</mark> của <mark>Thủ</mark> tướng về <mark>thư</mark> "
         "<mark>điện</mark> <mark>tử</mark> công vụ."},
        {"thu dien tu", "mixed",
         "<mark>Thư</mark> gửi <mark>Thủ</mark> tướng; <mark>thu</mark> chi bằng "
         "<mark>điện</mark> <mark>tử</mark>."},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(JsonObject) r = search_with(e, rows[i].q, 10);
        const char *snip = json_object_get_string_member(hit_of(r, rows[i].id), "snippet");
        if (strcmp(snip, rows[i].snippet) != 0)
            g_error("%s in %s:\n  want %s\n  got  %s", rows[i].q, rows[i].id, rows[i].snippet,
                    snip);
    }
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
    g_free(dir);
}

static int cmp_strp(const void *a, const void *b);

/* The sorted ids of every hit of @q on @e. */
static char *
sorted_ids_on(tracuu_engine *e, const char *q)
{
    g_autoptr(JsonObject) r = search_with(e, q, 100);
    g_autofree char *ids = hit_ids(r);
    g_auto(GStrv) parts = g_strsplit(ids, ",", -1);
    guint n = g_strv_length(parts);
    qsort(parts, n, sizeof(char *), cmp_strp);
    return g_strjoinv(",", parts);
}

/*
 * a NEAR/n b: the words at most n positions apart, in any order (NEAR alone: 10). "apart" has
 * "thư" and "công" 3 apart, "close" 1, "far" 9, and "folded" has "thu" 3 before "công". A word
 * typed with diacritics matches as typed, one typed without in every accent; "near" in small
 * letters is a word; a phrase of several words cannot stand in NEAR and says so.
 */
static void
test_near(void)
{
    tracuu_docfields list[] = {
        {.id = "apart", .kind = "text", .text = "Hộp thư của mỗi công chức."},
        {.id = "close", .kind = "text", .text = "Thư công vụ gửi đi."},
        {.id = "far", .kind = "text", .text = "Thư gửi các đơn vị trong tỉnh và những công chức."},
        {.id = "folded", .kind = "text", .text = "Thu của mỗi công ty."},
        {.id = "english", .kind = "text", .text = "The office is near the school."},
    };
    char *dir = NULL;
    tracuu_engine *e = engine_on(list, G_N_ELEMENTS(list), &dir);
    static const struct {
        const char *q, *ids;
    } rows[] = {
        {"thư NEAR/5 công", "apart,close"},
        {"thư NEAR/3 công", "apart,close"},
        {"thư NEAR/2 công", "close"},
        {"công NEAR/5 thư", "apart,close"}, /* any order */
        {"thư NEAR công", "apart,close,far"},
        {"thư NEAR/8 công", "apart,close"},
        {"thư NEAR/9 công", "apart,close,far"},
        /* Typed without diacritics: every accent, "thu" too. */
        {"thu NEAR/5 cong", "apart,close,folded"},
        {"thu NEAR/2 cong", "close"},
        {"thu NEAR/5 công", "apart,close,folded"},
        {"\"thư\" NEAR/5 công", "apart,close"},
        /* A chain: all the words within n + 1 positions for three words, as in Xapian. */
        {"hộp NEAR/3 thư NEAR/3 công", "apart"},
        {"hộp NEAR/2 thư NEAR/2 công", ""},
        /* With other items; excluded as a whole. */
        {"công -thư NEAR/2 công", "apart,far,folded"},
        {"thư NEAR/2 công OR ty", "close,folded"},
        /* "near" in small letters is a word, as "or" is. */
        {"near school", "english"},
        /* No document has all three words: any of them, "near" too. */
        {"thư near công", "apart,close,english,far,folded"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *ids = sorted_ids_on(e, rows[i].q);
        if (strcmp(ids, rows[i].ids) != 0)
            g_error("%s: got \"%s\", want \"%s\"", rows[i].q, ids, rows[i].ids);
    }
    /* The words are marked as typed. */
    g_autoptr(JsonObject) r = search_with(e, "thư NEAR/5 công", 10);
    g_assert_cmpstr(json_object_get_string_member(hit_of(r, "apart"), "snippet"), ==,
                    "Hộp <mark>thư</mark> của mỗi <mark>công</mark> chức.");
    g_autoptr(JsonObject) rf = search_with(e, "thu NEAR/5 cong", 10);
    g_assert_cmpstr(json_object_get_string_member(hit_of(rf, "folded"), "snippet"), ==,
                    "<mark>Thu</mark> của mỗi <mark>công</mark> ty.");
    /* A phrase of several words cannot be placed: bad_query, where and why. */
    static const char *const refused[] = {"\"thư của\" NEAR công", "công NEAR thư-của"};
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        g_autoptr(JsonObject) req = json_object_new();
        json_object_set_string_member(req, "op", "search");
        json_object_set_string_member(req, "q", refused[i]);
        g_autoptr(GError) error = NULL;
        g_assert_null(tracuu_engine_handle(e, req, &error));
        g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
        g_test_message("%s: %s", refused[i], error->message);
        g_assert_nonnull(strstr(error->message, "NEAR joins single words"));
        g_assert_nonnull(strstr(error->message, i == 0 ? "at byte 0 is 2 words"
                                                       : "at byte 11 is 2 words"));
    }
    g_autoptr(JsonObject) ok = search_with(e, "thư", 10);
    g_assert_cmpint(json_object_get_int_member(ok, "total"), ==, 4);
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
    g_free(dir);
}

/* Snippet windows: the best window wins, long text is cut on characters with "…". */
static void
test_snippet_window(void)
{
    g_autoptr(GError) error = NULL;
    tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
    g_assert_no_error(error);
    GString *t = g_string_new(NULL);
    for (int i = 0; i < 40; i++)
        g_string_append(t, "Các cơ quan nhà nước thực hiện. ");
    g_string_append(t, "Sử dụng thư điện tử công vụ. ");
    for (int i = 0; i < 40; i++)
        g_string_append(t, "Điện thoại và thư tay vẫn dùng. ");
    g_autoptr(GHashTable) marks = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(marks, "thu");
    g_hash_table_add(marks, "dien");
    g_hash_table_add(marks, "tu");
    size_t at = 0;
    g_autofree char *s = tracuu_snippet_make(tk, t->str, t->len, marks, NULL, 200, &at);
    g_assert_nonnull(strstr(s, "<mark>thư</mark> <mark>điện</mark> <mark>tử</mark>"));
    g_assert_true(g_str_has_prefix(s, "… "));
    g_assert_true(g_str_has_suffix(s, "…"));
    g_assert_true(g_utf8_validate(s, -1, NULL));
    g_assert_cmpuint(at, >, 40 * 30);
    /* No match: the start of the text. */
    g_autoptr(GHashTable) none = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(none, "xyz");
    g_autofree char *s2 = tracuu_snippet_make(tk, t->str, t->len, none, NULL, 200, &at);
    g_assert_true(g_str_has_prefix(s2, "Các cơ quan"));
    g_assert_cmpuint(at, ==, 0);
    /* At most 200 characters of text, plus the "…" that says it goes on. */
    g_assert_cmpuint(text_chars(s2), <=, 200 + 2);
    g_assert_cmpuint(text_chars(s2), >=, 150);
    g_assert_cmpuint(text_chars(s), <=, 200 + 4);
    g_string_free(t, TRUE);
    tracuu_tokenizer_free(tk);
}

static void
test_get_stats_ping(fixture *fx, gconstpointer data)
{
    g_autoptr(JsonObject) g = search(fx, "{\"op\":\"get\",\"doc\":\"ct34\"}");
    JsonObject *doc = json_object_get_object_member(g, "doc");
    g_assert_cmpstr(json_object_get_string_member(doc, "text"), ==, ct34_text);
    g_assert_cmpstr(json_object_get_string_member(doc, "number"), ==, "34/2008/CT-TTg");

    g_autoptr(GError) error = NULL;
    g_assert_null(run(fx, "{\"op\":\"get\",\"doc\":\"nope\"}", &error));
    g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "nope"));

    g_autoptr(JsonObject) s = search(fx, "{\"op\":\"stats\"}");
    g_assert_cmpint(json_object_get_int_member(s, "docs"), ==, G_N_ELEMENTS(docs));
    JsonObject *kinds = json_object_get_object_member(s, "kinds");
    g_assert_cmpint(json_object_get_int_member(kinds, "pdf"), ==, 5);
    g_assert_cmpint(json_object_get_int_member(kinds, "attachment"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(s, "schema_version"), ==, TRACUU_SCHEMA_VERSION);
    g_assert_cmpint(json_object_get_int_member(s, "tokenizer_version"), ==,
                    TRACUU_TOKENIZER_VERSION);
    g_assert_cmpint(json_object_get_int_member(s, "revision"), >=, 1);
    g_assert_true(g_str_has_suffix(json_object_get_string_member(s, "index"), "index"));

    g_autoptr(JsonObject) p = search(fx, "{\"op\":\"ping\"}");
    g_assert_true(json_object_get_boolean_member(p, "ok"));
    g_assert_cmpuint(json_object_get_size(p), ==, 1);
}

typedef struct {
    const char *request;
    int code;
    const char *says; /* a piece of the message */
} error_case;

static void
test_errors(fixture *fx, gconstpointer data)
{
    static const error_case cases[] = {
        {"{}", TRACUU_ENGINE_ERROR_BAD_REQUEST, "op"},
        {"{\"op\":42}", TRACUU_ENGINE_ERROR_BAD_REQUEST, "op"},
        {"{\"op\":\"delete\"}", TRACUU_ENGINE_ERROR_UNKNOWN_OP, "delete"},
        {"{\"op\":\"search\",\"q\":7}", TRACUU_ENGINE_ERROR_BAD_REQUEST, "\"q\""},
        {"{\"op\":\"search\",\"q\":\"a\",\"limit\":-1}", TRACUU_ENGINE_ERROR_BAD_REQUEST, "limit"},
        {"{\"op\":\"search\",\"q\":\"a\",\"offset\":\"x\"}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "offset"},
        {"{\"op\":\"search\",\"q\":\"a\",\"sort\":\"size\"}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "size"},
        {"{\"op\":\"search\",\"q\":\"a\",\"facets\":[\"color\"]}",
         TRACUU_ENGINE_ERROR_BAD_REQUEST, "facets[0]"},
        {"{\"op\":\"search\",\"q\":\"a\",\"facets\":\"kind\"}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "facets"},
        {"{\"op\":\"search\",\"q\":\"a\",\"filters\":[]}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "filters"},
        {"{\"op\":\"search\",\"q\":\"a\",\"filters\":{\"color\":\"red\"}}",
         TRACUU_ENGINE_ERROR_BAD_REQUEST, "color"},
        {"{\"op\":\"search\",\"q\":\"a\",\"filters\":{\"date\":\"yesterday\"}}",
         TRACUU_ENGINE_ERROR_BAD_QUERY, "filters.date"},
        {"{\"op\":\"search\",\"q\":\"thư date:2008-02-30\"}", TRACUU_ENGINE_ERROR_BAD_QUERY,
         "at byte 10"},
        {"{\"op\":\"get\"}", TRACUU_ENGINE_ERROR_BAD_REQUEST, "doc"},
        /* Numbers out of range are refused with the range, not cut to it. */
        {"{\"op\":\"search\",\"q\":\"a\",\"limit\":1001}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "\"limit\" must be an integer from 0 to 1000"},
        {"{\"op\":\"search\",\"q\":\"a\",\"limit\":1000000000}",
         TRACUU_ENGINE_ERROR_BAD_REQUEST, "from 0 to 1000, not 1000000000"},
        {"{\"op\":\"search\",\"q\":\"a\",\"limit\":2.5}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "from 0 to 1000"},
        {"{\"op\":\"search\",\"q\":\"a\",\"offset\":2147483648}",
         TRACUU_ENGINE_ERROR_BAD_REQUEST, "\"offset\" must be an integer from 0 to 2147483647"},
        {"{\"op\":\"search\",\"q\":\"a\",\"offset\":-5}", TRACUU_ENGINE_ERROR_BAD_REQUEST,
         "from 0 to 2147483647"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        JsonObject *r = run(fx, cases[i].request, &error);
        if (r != NULL)
            g_error("%s should fail", cases[i].request);
        g_assert_error(error, TRACUU_ENGINE_ERROR, cases[i].code);
        if (strstr(error->message, cases[i].says) == NULL)
            g_error("%s: \"%s\" does not say %s", cases[i].request, error->message,
                    cases[i].says);
    }
    /* A request past its time limit fails with "timeout" and the next one works. */
    tracuu_engine_set_time_limit(fx->engine, 1e-7);
    g_autoptr(GError) terr = NULL;
    g_assert_null(run(fx, "{\"op\":\"search\",\"q\":\"thu dien tu\"}", &terr));
    g_assert_error(terr, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_TIMEOUT);
    tracuu_engine_set_time_limit(fx->engine, 10);

    /* The largest page and offset are served. */
    g_autoptr(JsonObject) big =
        search(fx, "{\"op\":\"search\",\"q\":\"\",\"offset\":2147483647,\"limit\":1000}");
    g_assert_cmpint(json_object_get_int_member(big, "total"), ==, G_N_ELEMENTS(docs));
    g_autoptr(JsonObject) page = search(fx, "{\"op\":\"search\",\"q\":\"\",\"limit\":1000}");
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(page, "hits")), ==,
                     G_N_ELEMENTS(docs));

    /* The engine stays usable after errors. */
    g_autoptr(JsonObject) ok = search(fx, "{\"op\":\"search\",\"q\":\"thư\"}");
    g_assert_cmpint(json_object_get_int_member(ok, "total"), >, 0);
    g_assert_cmpstr(tracuu_engine_error_code_name(TRACUU_ENGINE_ERROR_TIMEOUT), ==, "timeout");
}

/* Plain text never fails, whatever is pasted. */
static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, comma-separated ids of every hit of @q. */
static char *
sorted_ids(fixture *fx, const char *q)
{
    g_autofree char *req = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"limit\":100}", q);
    g_autofree char *ids = ids_for(fx, req);
    g_auto(GStrv) parts = g_strsplit(ids, ",", -1);
    guint n = g_strv_length(parts);
    qsort(parts, n, sizeof(char *), cmp_strp);
    return g_strjoinv(",", parts);
}

/*
 * An excluded word inside OR or AND excludes from the group ("a OR -b" is a without b), as in
 * Lucene; it used to be dropped, so that tt-thue (thuế) came back.
 */
static void
test_group_exclusion(fixture *fx, gconstpointer data)
{
    g_autofree char *plain = sorted_ids(fx, "điện tử");
    g_assert_nonnull(strstr(plain, "tt-thue"));
    g_autofree char *without = sorted_ids(fx, "điện tử -thuế");
    g_assert_null(strstr(without, "tt-thue"));
    g_assert_nonnull(strstr(without, "ct34"));
    /* (OR binds tighter than words side by side, so the words are grouped.) */
    static const char *const same[] = {"(điện tử) OR -thuế", "(điện tử) AND -thuế",
                                       "((điện tử) OR -thuế)", "-thuế OR (điện tử)"};
    for (size_t i = 0; i < G_N_ELEMENTS(same); i++) {
        g_autofree char *ids = sorted_ids(fx, same[i]);
        g_test_message("%s: %s", same[i], ids);
        g_assert_cmpstr(ids, ==, without);
    }
    g_autofree char *phrase = sorted_ids(fx, "\\\"điện tử\\\" OR -thuế");
    g_assert_cmpstr(phrase, ==, "ct34,near,qd-hg");
    /* Only exclusions in a group: everything without them. */
    g_autofree char *none = sorted_ids(fx, "(-thuế OR -thư)");
    g_assert_null(strstr(none, "tt-thue"));
    g_assert_null(strstr(none, "ct34"));
    g_assert_nonnull(strstr(none, "dan1"));
}

/*
 * An index replaced in its folder (compacted and swapped, restored, rebuilt) by one at the same
 * revision number: Xapian's reopen() compares only revisions, so a reader would go on
 * searching the old files. The engine notices the new folder and opens it, split helpers too.
 */
static void
test_replaced_index(fixture *fx, gconstpointer data)
{
    g_autofree char *db = g_build_filename(fx->dir, "index", NULL);
    g_autofree char *other = g_build_filename(fx->dir, "other", NULL);
    g_autofree char *old = g_build_filename(fx->dir, "old", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(tracuu_engine_set_parallel(fx->engine, 2, NULL, NULL, &error));
    g_autoptr(JsonObject) before = search_with(fx->engine, "thư điện tử", 10);
    g_assert_cmpint(json_object_get_int_member(before, "total"), >, 1);
    /* near, far and ma-tuy: a new index at revision 1 too. */
    build_index(other, &docs[G_N_ELEMENTS(docs) - 3], 3);
    g_assert_cmpint(g_rename(db, old), ==, 0);
    g_assert_cmpint(g_rename(other, db), ==, 0);
    uint64_t split = tracuu_engine_split_count(fx->engine);
    g_autoptr(JsonObject) all = search_with(fx->engine, "", 10);
    g_assert_cmpint(json_object_get_int_member(all, "total"), ==, 3);
    g_autofree char *ids = hit_ids(all);
    g_assert_cmpstr(ids, ==, "near,far,ma-tuy");
    g_autoptr(JsonObject) after = search_with(fx->engine, "chỉ thị", 10);
    g_assert_cmpint(json_object_get_int_member(after, "total"), ==, 0);
    g_autoptr(JsonObject) mt = search_with(fx->engine, "ma túy", 10);
    g_assert_cmpstr(first_id(mt), ==, "ma-tuy");
    /* ...searched in parts by new helpers on the new index. */
    g_assert_cmpuint(tracuu_engine_split_count(fx->engine), >, split);
    tracuu_test_rm_rf(old);
}

static void
test_odd_queries(fixture *fx, gconstpointer data)
{
    static const char *const queries[] = {
        "-", "\\\"", "OR OR", "((((", "))))", "a -", "foo:bar thư", "\\\"thư điện tử",
        "Điều 5: phạm vi điều chỉnh?", "NOT", "– — …", "???", "type:", "a AND OR b",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autofree char *req =
            g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\",\"facets\":[\"kind\"]}", queries[i]);
        g_autoptr(JsonObject) r = search(fx, req);
        g_assert_true(json_object_has_member(r, "total"));
    }
    g_autoptr(JsonObject) r = search(fx, "{\"op\":\"search\",\"q\":\"foo:bar thư\"}");
    g_assert_cmpint(json_object_get_int_member(r, "total"), >, 0);
}

/* A new commit is seen by the next request without reopening the engine. */
static void
test_sees_commits(fixture *fx, gconstpointer data)
{
    g_autoptr(JsonObject) before = search(fx, "{\"op\":\"search\",\"q\":\"voọc\"}");
    g_assert_cmpint(json_object_get_int_member(before, "total"), ==, 0);
    g_autofree char *db = g_build_filename(fx->dir, "index", NULL);
    tracuu_store *store = NULL;
    g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_WRITE, &store, NULL), ==,
                    TRACUU_STORE_OK);
    tracuu_tokenizer *tk = tracuu_tokenizer_new(NULL);
    tracuu_docfields f = {.id = "new", .kind = "text", .text = "Con voọc chà vá chân nâu."};
    g_assert_true(tracuu_docwriter_add(store, tk, &f, NULL));
    g_assert_cmpint(tracuu_store_commit(store), ==, TRACUU_STORE_OK);
    tracuu_store_free(store);
    tracuu_tokenizer_free(tk);
    g_autoptr(JsonObject) after = search(fx, "{\"op\":\"search\",\"q\":\"vooc cha va\"}");
    g_autofree char *ids = hit_ids(after);
    g_assert_cmpstr(ids, ==, "new");
}

static void
test_open_errors(void)
{
    g_autoptr(GError) error = NULL;
    g_assert_null(tracuu_engine_open("/nonexistent/tracuu-index", &error));
    g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX);
    g_assert_nonnull(strstr(error->message, "/nonexistent/tracuu-index"));

    /* An index of another schema version is refused with a way out. */
    g_autofree char *dir = g_dir_make_tmp("tracuu-engine-XXXXXX", NULL);
    g_autofree char *db = g_build_filename(dir, "index", NULL);
    tracuu_store *store = NULL;
    g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_CREATE, &store, NULL), ==,
                    TRACUU_STORE_OK);
    tracuu_store_set_metadata(store, TRACUU_META_SCHEMA_VERSION, "999", 3);
    tracuu_store_commit(store);
    tracuu_store_free(store);
    g_autoptr(GError) e2 = NULL;
    g_assert_null(tracuu_engine_open(db, &e2));
    g_assert_error(e2, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX);
    g_assert_nonnull(strstr(e2->message, "rebuild"));
    tracuu_test_rm_rf(dir);
}

static gboolean
never(gpointer data)
{
    (void)data;
    return FALSE;
}

/* A response as text without its timing, to compare two engines' answers whole. */
static char *
response_text(JsonObject *r)
{
    json_object_remove_member(r, "took_ms");
    g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), r);
    return json_to_string(n, FALSE);
}

/*
 * A search split over 2 or 3 parts of the index, each on its own thread and reader, answers
 * exactly what the one search answers: hits in the same order with the same scores, snippets,
 * totals and facets, pages too. "kind:pdf" ties every hit (no weight), so the merge must keep
 * Xapian's tie order (document number); sorted by date, by the date first (documents without
 * one tie too). The split count shows the split really ran, and an
 * @allow that says no keeps it off.
 */
static void
test_split(fixture *fx, gconstpointer data)
{
    static const char *const reqs[] = {
        "{\"op\":\"search\",\"q\":\"gửi thư điện tử\"}",
        "{\"op\":\"search\",\"q\":\"gui thu dien tu\"}",
        "{\"op\":\"search\",\"q\":\"thư điện tử\",\"offset\":1,\"limit\":2}",
        "{\"op\":\"search\",\"q\":\"van ban\",\"facets\":[\"doc_type\",\"kind\",\"year\","
        "\"issuer\"]}",
        "{\"op\":\"search\",\"q\":\"\",\"limit\":3,\"facets\":[\"kind\"]}",
        "{\"op\":\"search\",\"q\":\"văn bản\",\"offset\":2,\"limit\":0,\"facets\":[\"kind\"]}",
        "{\"op\":\"search\",\"q\":\"kind:pdf\",\"limit\":20}",
        "{\"op\":\"search\",\"q\":\"kind:pdf\",\"offset\":2,\"limit\":2}",
        "{\"op\":\"search\",\"q\":\"34/2008/CT-TTg thư điện tử\"}",
        "{\"op\":\"search\",\"q\":\"ct-ttg OR \\\"cơ quan nhà nước\\\" -thuế\"}",
        "{\"op\":\"search\",\"q\":\"cơ quan\",\"sort\":\"-date\"}",
        "{\"op\":\"search\",\"q\":\"\",\"sort\":\"date\",\"limit\":20}",
        "{\"op\":\"search\",\"q\":\"\",\"sort\":\"-date\",\"offset\":3,\"limit\":5}",
        "{\"op\":\"search\",\"q\":\"văn bản OR thư\",\"sort\":\"-date\",\"limit\":20}",
        "{\"op\":\"search\",\"q\":\"văn bản\",\"filters\":{\"year\":\"2024\"}}",
        "{\"op\":\"search\",\"q\":\"thư NEAR/3 công OR thu NEAR cong\"}",
        "{\"op\":\"search\",\"q\":\"dien tu -thu NEAR/1 dien\",\"sort\":\"-date\"}",
    };
    g_autofree char *db = g_build_filename(fx->dir, "index", NULL);
    g_autoptr(GError) error = NULL;
    for (unsigned parts = 2; parts <= 3; parts++) {
        tracuu_engine *split = tracuu_engine_open(db, &error);
        g_assert_no_error(error);
        g_assert_true(tracuu_engine_set_parallel(split, parts, NULL, NULL, &error));
        g_assert_no_error(error);
        for (size_t i = 0; i < G_N_ELEMENTS(reqs); i++) {
            g_autoptr(JsonParser) p = json_parser_new();
            g_assert_true(json_parser_load_from_data(p, reqs[i], -1, NULL));
            JsonObject *req = json_node_get_object(json_parser_get_root(p));
            uint64_t before = tracuu_engine_split_count(split);
            g_autoptr(JsonObject) a = tracuu_engine_handle(fx->engine, req, &error);
            g_assert_no_error(error);
            g_autoptr(JsonObject) b = tracuu_engine_handle(split, req, &error);
            g_assert_no_error(error);
            g_autofree char *as = response_text(a);
            g_autofree char *bs = response_text(b);
            g_test_message("%u parts: %s", parts, reqs[i]);
            g_assert_cmpstr(bs, ==, as);
            g_assert_cmpuint(tracuu_engine_split_count(split), >, before);
        }
        g_assert_true(tracuu_engine_set_parallel(split, parts, never, NULL, &error));
        uint64_t before = tracuu_engine_split_count(split);
        g_autoptr(JsonObject) r = search_with(split, "thư điện tử", 10);
        g_assert_cmpuint(tracuu_engine_split_count(split), ==, before);
        g_assert_cmpuint(json_array_get_length(json_object_get_array_member(r, "hits")), >, 0);
        tracuu_engine_free(split);
    }
}

/*
 * Document numbers freed by replaced documents (a folder watched while files are rewritten)
 * leave holes in the parts of a split search. Up to the exact count (ENGINE_EXACT_TOTAL) every
 * part counts all its matches, so the sum is exact wherever the holes are: at the start (early
 * files rewritten), spread, or at the end (the last ones rewritten). Once, each part stopped at
 * 1,000 and estimated, with a range that counted its holes as documents: 3006 for 3000.
 */
static void
test_split_holes(fixture *fx, gconstpointer data)
{
    static const struct {
        unsigned n_docs;    /* documents, each matching the query once */
        unsigned first, nr; /* replaced: nr documents from the first'th, */
        unsigned step;      /* every step'th */
        gboolean exact;     /* within the exact count: else each part's estimate is summed */
    } cases[] = {
        {3000, 0, 6, 1, TRUE},
        {3000, 0, 40, 75, TRUE},
        {3000, 2990, 10, 1, TRUE},
        {2400, 0, 300, 8, TRUE},
        /* Past the exact count over 2 parts (3 are within it): Xapian's estimate of each,
         * near when the holes are spread as the store's range assumes; it erred by every
         * hole (12120) when the range counted them as documents. */
        {12000, 0, 120, 100, FALSE},
    };
    g_autoptr(GError) error = NULL;
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autofree char *name = g_strdup_printf("holes%zu", c);
        g_autofree char *db = g_build_filename(fx->dir, name, NULL);
        unsigned n = cases[c].n_docs;
        g_autofree tracuu_docfields *list = g_new0(tracuu_docfields, n);
        g_autoptr(GPtrArray) strs = g_ptr_array_new_with_free_func(g_free);
        for (unsigned i = 0; i < n; i++) {
            char *id = g_strdup_printf("w%04u", i);
            char *text = g_strdup_printf("splitholes tệp số w%04ux", i);
            g_ptr_array_add(strs, id);
            g_ptr_array_add(strs, text);
            list[i] = (tracuu_docfields){.id = id, .path = id, .kind = "text", .text = text};
        }
        build_index(db, list, n);
        /* The rewritten files, deleted and added again as the indexer does for a changed
         * file: new document numbers at the end, holes where they were. */
        tracuu_store *store = NULL;
        char *msg = NULL;
        g_assert_cmpint(tracuu_store_open(db, TRACUU_STORE_WRITE, &store, &msg), ==,
                        TRACUU_STORE_OK);
        tracuu_tokenizer *tk = tracuu_tokenizer_new(&error);
        g_assert_no_error(error);
        for (unsigned k = 0; k < cases[c].nr; k++) {
            const tracuu_docfields *f = &list[cases[c].first + k * cases[c].step];
            g_autofree char *term = g_strconcat(TRACUU_PREFIX_ID, f->id, NULL);
            g_assert_cmpint(tracuu_store_delete(store, term), ==, TRACUU_STORE_OK);
            g_assert_true(tracuu_docwriter_add(store, tk, f, &error));
            g_assert_no_error(error);
        }
        g_assert_cmpint(tracuu_store_commit(store), ==, TRACUU_STORE_OK);
        g_assert_cmpuint(tracuu_store_get_last_docid(store), ==, n + cases[c].nr);
        tracuu_store_free(store);
        tracuu_tokenizer_free(tk);

        tracuu_engine *whole = tracuu_engine_open(db, &error);
        g_assert_no_error(error);
        g_autoptr(JsonObject) a = search_with(whole, "splitholes", 10);
        g_assert_cmpint(json_object_get_int_member(a, "total"), ==, n);
        for (unsigned parts = 2; parts <= 3; parts++) {
            tracuu_engine *split = tracuu_engine_open(db, &error);
            g_assert_no_error(error);
            g_assert_true(tracuu_engine_set_parallel(split, parts, NULL, NULL, &error));
            g_assert_no_error(error);
            uint64_t before = tracuu_engine_split_count(split);
            g_autoptr(JsonObject) b = search_with(split, "splitholes", 10);
            g_assert_cmpuint(tracuu_engine_split_count(split), >, before);
            gint64 total = json_object_get_int_member(b, "total");
            g_test_message("case %zu, %u parts: %" G_GINT64_FORMAT, c, parts, total);
            if (!cases[c].exact && total != n) {
                g_assert_cmpint(4 * ABS(total - (gint64)n), <, cases[c].nr);
                tracuu_engine_free(split);
                continue;
            }
            g_assert_cmpint(total, ==, n);
            g_autofree char *as = response_text(a);
            g_autofree char *bs = response_text(b);
            g_assert_cmpstr(bs, ==, as);
            tracuu_engine_free(split);
        }
        tracuu_engine_free(whole);
    }
}

/* Runs a search of @q with the filters of @filters_json (a JSON object) on @e. */
static char *
filtered_ids_on(tracuu_engine *e, const char *q, const char *filters_json)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, filters_json, -1, NULL));
    g_autoptr(JsonObject) req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", q);
    json_object_set_string_member(req, "sort", "date");
    json_object_set_member(req, "filters", json_node_copy(json_parser_get_root(p)));
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) r = tracuu_engine_handle(e, req, &error);
    g_assert_no_error(error);
    return hit_ids(r);
}

/*
 * The values of "filters" are taken as given, not printed into query text and parsed again:
 * there a quote had to become a space, so that the id `hs "A": 1` found nothing and the signer
 * `Trần Văn "Út"` found the other document, Trần Văn Út. (An issuer also matches by its words,
 * `Sở "A": B` as `Sở A B`, by design: issuer:"tài chính" finds "Bộ Tài chính".)
 */
static void
test_filter_values(void)
{
    tracuu_docfields list[] = {
        {.id = "hs \"A\": 1", .kind = "text", .text = "Hồ sơ một.", .date = "2020-01-01",
         .issuer = "Sở \"A\": B", .signer = "Trần Văn \"Út\"", .doc_type = "Tờ trình"},
        {.id = "hs A 1", .kind = "text", .text = "Hồ sơ hai.", .date = "2020-01-02",
         .issuer = "Sở A B", .signer = "Trần Văn Út", .doc_type = "Tờ trình"},
    };
    char *dir = NULL;
    tracuu_engine *e = engine_on(list, G_N_ELEMENTS(list), &dir);
    static const struct {
        const char *q, *filters, *ids;
    } rows[] = {
        {"", "{\"id\": \"hs \\\"A\\\": 1\"}", "hs \"A\": 1"},
        {"hồ sơ", "{\"id\": [\"hs \\\"A\\\": 1\", \"nope\"]}", "hs \"A\": 1"},
        {"", "{\"signer\": \"Trần Văn \\\"Út\\\"\"}", "hs \"A\": 1"},
        {"", "{\"signer\": \"Trần Văn Út\"}", "hs A 1"},
        {"", "{\"issuer\": \"Sở \\\"A\\\": B\"}", "hs \"A\": 1,hs A 1"},
        {"", "{\"signer\": \"  Trần Văn \\\"Út\\\" \", \"type\": \"tờ trình\"}", "hs \"A\": 1"},
        /* An empty value is no filter, alone or beside others. */
        {"", "{\"signer\": \"\"}", "hs \"A\": 1,hs A 1"},
        {"", "{\"id\": [\"\", \"hs A 1\"]}", "hs A 1"},
        /* A value that looks like query syntax is a value. */
        {"", "{\"id\": \"hs OR -x\"}", ""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *ids = filtered_ids_on(e, rows[i].q, rows[i].filters);
        g_test_message("%s: %s", rows[i].filters, ids);
        if (strcmp(ids, rows[i].ids) != 0)
            g_error("%s: got \"%s\", want \"%s\"", rows[i].filters, ids, rows[i].ids);
    }
    /* A date that cannot be read says so, and where in the value. */
    g_autoptr(JsonObject) req = json_object_new();
    json_object_set_string_member(req, "op", "search");
    json_object_set_string_member(req, "q", "");
    JsonObject *f = json_object_new();
    json_object_set_string_member(f, "date", "2008..2009-13");
    json_object_set_object_member(req, "filters", f);
    g_autoptr(GError) error = NULL;
    g_assert_null(tracuu_engine_handle(e, req, &error));
    g_assert_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "filters.date: date: wants"));
    g_assert_nonnull(strstr(error->message, "at byte 6"));
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
    g_free(dir);
}

/*
 * One search runs several variants of its query: without and with the pair bonuses, again with
 * the accents guessed for an accent-free query, and relaxed when all the words find nothing.
 * All are compiled from one tree read once: one tokenizer run per word run, phrase and field
 * value with words, for the whole request (it used to be from 2 to 16 runs).
 */
static void
test_tokenize_once(fixture *fx, gconstpointer data)
{
    static const struct {
        const char *request;
        guint runs;
        gint64 total; /* -1: any, more than 0 */
    } rows[] = {
        /* Accent guess and two passes. */
        {"{\"op\":\"search\",\"q\":\"thu dien tu\"}", 1, -1},
        {"{\"op\":\"search\",\"q\":\"gửi thư điện tử\"}", 1, -1},
        /* No document has "vooc": the hits are the relaxed retry's. */
        {"{\"op\":\"search\",\"q\":\"thu vooc\"}", 1, -1},
        {"{\"op\":\"search\",\"q\":\"thư voọc\"}", 1, -1},
        /* A document number (tiers), a phrase, an exclusion, a NEAR. */
        {"{\"op\":\"search\",\"q\":\"34/2008/CT-TTg \\\"thư điện tử\\\" -thuế\"}", 3, -1},
        {"{\"op\":\"search\",\"q\":\"thư NEAR/3 điện\"}", 2, -1},
        /* Filters given apart: the issuer's words are read once too. */
        {"{\"op\":\"search\",\"q\":\"van ban\",\"filters\":{\"issuer\":\"Bộ Nội vụ\","
         "\"kind\":[\"pdf\",\"docx\"]}}", 2, -1},
        {"{\"op\":\"search\",\"q\":\"\",\"filters\":{\"year\":2008}}", 0, 1},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        uint64_t before = tracuu_engine_query_tokenizer_runs(fx->engine);
        g_autoptr(JsonObject) r = search(fx, rows[i].request);
        uint64_t runs = tracuu_engine_query_tokenizer_runs(fx->engine) - before;
        gint64 total = json_object_get_int_member(r, "total");
        g_test_message("%s: %" G_GUINT64_FORMAT " runs, %" G_GINT64_FORMAT " hits",
                       rows[i].request, runs, total);
        g_assert_cmpuint(runs, ==, rows[i].runs);
        if (rows[i].total < 0)
            g_assert_cmpint(total, >, 0);
        else
            g_assert_cmpint(total, ==, rows[i].total);
    }
}

/* ---- Did you mean (suggest.c) ---- */

/* The "suggest" of a search for @q (a JSON string's contents), or NULL when it has none. */
static char *
suggest_of(tracuu_engine *e, const tracuu_identity *id, const char *q)
{
    g_autofree char *json = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\"}", q);
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) r =
        tracuu_engine_handle_as(e, id, json_node_get_object(json_parser_get_root(p)), &error);
    g_assert_no_error(error);
    if (!json_object_has_member(r, "suggest"))
        return NULL;
    return g_strdup(json_object_get_string_member(r, "suggest"));
}

/*
 * An accent-free query gets the accents the archive gives it; a misspelled word or number
 * that finds nothing gets the nearest one the archive has; what is typed around them (field
 * names, case) stays; a query that is right gets nothing.
 */
static void
test_suggest(fixture *fx, gconstpointer data)
{
    static const struct {
        const char *q, *want; /* NULL: no suggestion */
    } rows[] = {
        /* Accents, from the guess the ranking makes. */
        {"thu dien tu cong vu", "thư điện tử công vụ"},
        {"Thu dien tu", "Thư điện tử"},
        {"so:34/2008/CT-TTg thu dien tu", "so:34/2008/CT-TTg thư điện tử"},
        {"\\\"thu dien tu\\\" -thue", "\"thư điện tử\" -thue"},
        /* Typed right: nothing. */
        {"thư điện tử", NULL},
        {"ma túy", NULL},
        {"so:30/2020/NĐ-CP", NULL},
        /* A syllable misspelled, typed with or without diacritics. */
        {"công tác văn thưu", "công tác văn thư"},
        {"ma tuuy", "ma túy"},
        {"cong tac van thuu", "công tác văn thư"},
        {"công vuu", "công vụ"},
        /* A tone no word of the archive has, where nothing else matches. */
        {"văn thư điện tữ", "văn thư điện tử"},
        /* ... but found through its accent-free form, the query finds enough: nothing. */
        {"thư điện tữ", NULL},
        /* A document number with a wrong digit, or without its year. */
        {"so:30/2021/NĐ-CP", "so:30/2020/NĐ-CP"},
        {"30/2021/NĐ-CP", "30/2020/NĐ-CP"},
        {"so:30/NĐ-CP", "so:30/2020/NĐ-CP"},
        {"so:1115/qđ-btttt2", "so:1115/qđ-btttt"},
        /* The query finds enough (a long run needs any word): no correction is looked for. */
        {"hệ thống thư điện tử công vuu", NULL},
        {"he thong thu dien tu cong vuu", "hệ thống thư điện tử công vuu"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *got = suggest_of(fx->engine, NULL, rows[i].q);
        if (g_strcmp0(got, rows[i].want) != 0)
            g_error("%s: suggest \"%s\", not \"%s\"", rows[i].q, got ? got : "(none)",
                    rows[i].want ? rows[i].want : "(none)");
    }
    /* With suggest_absent, a word no document has is corrected there too; off, none at all. */
    tracuu_rank_params rp;
    tracuu_rank_params_init(&rp);
    rp.suggest_absent = TRUE;
    tracuu_engine *absent = engine_with(fx, &rp);
    g_autofree char *fixed = suggest_of(absent, NULL, "hệ thống thư điện tử công vuu");
    g_assert_cmpstr(fixed, ==, "hệ thống thư điện tử công vụ");
    g_autofree char *tone = suggest_of(absent, NULL, "thư điện tữ");
    g_assert_cmpstr(tone, ==, "thư điện tử");
    rp.suggest = FALSE;
    tracuu_engine_set_rank_params(absent, &rp);
    g_autofree char *off = suggest_of(absent, NULL, "thu dien tu cong vu");
    g_assert_null(off);
    tracuu_engine_free(absent);
}

/* One edit: changed, dropped, added, swapped; not none, not two. */
static void
test_one_edit(void)
{
    static const struct {
        const char *a, *b;
        gboolean one;
    } rows[] = {
        {"thư", "thu", TRUE},   {"thư", "thưu", TRUE}, {"thư", "th", TRUE},
        {"thư", "tưh", TRUE},   {"thư", "thư", FALSE}, {"thư", "tuh", FALSE},
        {"", "a", TRUE},        {"ab", "ba", TRUE},    {"abc", "cba", FALSE},
        {"công", "cgno", FALSE}, {"12/2020", "13/2020", TRUE}, {"a", "abc", FALSE},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        glong na = 0, nb = 0;
        g_autofree gunichar *a = g_utf8_to_ucs4(rows[i].a, -1, NULL, &na, NULL);
        g_autofree gunichar *b = g_utf8_to_ucs4(rows[i].b, -1, NULL, &nb, NULL);
        if (tracuu_suggest_one_edit(a, (size_t)na, b, (size_t)nb) != rows[i].one)
            g_error("%s / %s: one edit should be %d", rows[i].a, rows[i].b, rows[i].one);
        g_assert_true(tracuu_suggest_one_edit(b, (size_t)nb, a, (size_t)na) == rows[i].one);
    }
}

/* ---- Access: the visibility filter ---- */

static const char *const acl_tttt[] = {"so-tttt"};
static const char *const acl_nv[] = {"so-noi-vu"};
static const char *const acl_vt[] = {"van-thu"};
static const char *const acl_parts[] = {"a@x.vn", "b@x.vn"};
static const tracuu_mailbox acl_from = {"An", "A@X.vn"};
static const tracuu_mailbox acl_to = {"Bình", "b@x.vn"};

/* Every one holds "báo cáo"; "bí danh" is only in toimat, the accent-guess bait. */
static tracuu_docfields acl_docs[] = {
    {.id = "pub", .kind = "text", .text = "Báo cáo chung của văn phòng."},
    {.id = "tttt", .kind = "pdf", .text = "Báo cáo của sở thông tin.", .access = acl_tttt,
     .n_access = 1},
    {.id = "nv", .kind = "pdf", .text = "Báo cáo của sở nội vụ.", .access = acl_nv,
     .n_access = 1},
    {.id = "mat", .kind = "pdf", .text = "Báo cáo mật của sở.", .access = acl_tttt,
     .n_access = 1, .secrecy = "mat"},
    {.id = "toimat", .kind = "pdf", .text = "Báo cáo bí danh tối mật.", .access = acl_tttt,
     .n_access = 1, .secrecy = "toi-mat"},
    {.id = "mail", .kind = "mail", .text = "Báo cáo gửi qua thư.", .access = acl_vt,
     .n_access = 1, .from = &acl_from, .n_from = 1, .to = &acl_to, .n_to = 1},
    {.id = "mail/1", .kind = "attachment", .text = "Báo cáo đính kèm.", .access = acl_vt,
     .n_access = 1, .parent = "mail", .participants = acl_parts, .n_participants = 2,
     .secrecy = "mat"},
};

static const char acl_conf[] = "[access]\ndefault = public\n"
                               "[user anh]\nlabels = so-tttt\nclearance = mat\n"
                               "[user binh]\nlabels = so-noi-vu\n"
                               "[user chi]\nemails = b@x.vn\nclearance = mat\n"
                               "[user dung]\nemails = a@x.vn\n"
                               "[user nobody]\n"
                               "[user root]\nadmin = true\n";

static tracuu_identity *
acl_identity(const char *conf_text, const char *user)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_conf) conf =
        tracuu_conf_load_data(conf_text, strlen(conf_text), "test.conf", NULL, &error);
    g_assert_no_error(error);
    const tracuu_conf_user *u = tracuu_conf_find_user(conf, user);
    g_assert_nonnull(u);
    return tracuu_identity_new_for_user(conf, u, TRACUU_IDENTITY_VIA_TOKEN);
}

static JsonObject *
run_as(tracuu_engine *e, const tracuu_identity *id, const char *json, GError **error)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    return tracuu_engine_handle_as(e, id, json_node_get_object(json_parser_get_root(p)), error);
}

static int
cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted ids of a search's hits. */
static char *
acl_ids(tracuu_engine *e, const tracuu_identity *id, const char *q)
{
    g_autofree char *json = g_strdup_printf("{\"op\":\"search\",\"q\":\"%s\","
                                            "\"limit\":100,\"facets\":[\"kind\"]}", q);
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) r = run_as(e, id, json, &error);
    g_assert_no_error(error);
    JsonArray *hits = json_object_get_array_member(r, "hits");
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    for (guint i = 0; i < json_array_get_length(hits); i++)
        g_ptr_array_add(ids, (gpointer)json_object_get_string_member(
                                 json_array_get_object_element(hits, i), "id"));
    g_ptr_array_sort(ids, cmp_str_ptr);
    /* The total and the facet counts agree with the hits: nothing else is counted. */
    g_assert_cmpint(json_object_get_int_member(r, "total"), ==, ids->len);
    JsonObject *kinds = json_object_get_object_member(
        json_object_get_object_member(r, "facets"), "kind");
    gint64 sum = 0;
    GList *names = json_object_get_members(kinds);
    for (GList *l = names; l != NULL; l = l->next)
        sum += json_object_get_int_member(kinds, l->data);
    g_list_free(names);
    g_assert_cmpint(sum, ==, ids->len);
    g_ptr_array_add(ids, NULL);
    return g_strjoinv(",", (char **)ids->pdata);
}

/* An engine over acl_docs in a new temporary folder (*@dir, to remove and free). */
static tracuu_engine *
open_acl_engine(char **dir)
{
    g_autoptr(GError) error = NULL;
    *dir = g_dir_make_tmp("tracuu-engine-acl-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *db = g_build_filename(*dir, "index", NULL);
    build_index(db, acl_docs, G_N_ELEMENTS(acl_docs));
    tracuu_engine *e = tracuu_engine_open(db, &error);
    g_assert_no_error(error);
    return e;
}

static void
test_access(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL;
    tracuu_engine *e = open_acl_engine(&dir);
    g_autofree char *deny = g_strconcat("[access]\ndefault = deny\n",
                                        strstr(acl_conf, "[user anh]"), NULL);
    static const struct {
        const char *user;
        gboolean deny;
        const char *sees;
    } cases[] = {
        {"anh", FALSE, "mat,pub,tttt"},   /* a label, clearance mat: not toi-mat */
        {"binh", FALSE, "nv,pub"},        /* the other unit */
        {"chi", FALSE, "mail,mail/1,pub"}, /* a participant only, cleared for mat */
        {"dung", FALSE, "mail,pub"},      /* a participant not cleared: not the mat attachment */
        {"nobody", FALSE, "pub"},
        {"root", FALSE, "mail,mail/1,mat,nv,pub,toimat,tttt"},
        {"anh", TRUE, "mat,tttt"},        /* default = deny: no unlabelled document */
        {"nobody", TRUE, ""},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(tracuu_identity) id =
            acl_identity(cases[i].deny ? deny : acl_conf, cases[i].user);
        g_autofree char *sees = acl_ids(e, id, "báo cáo");
        if (strcmp(sees, cases[i].sees) != 0)
            g_error("%s%s sees \"%s\", not \"%s\"", cases[i].user,
                    cases[i].deny ? " (deny)" : "", sees, cases[i].sees);

        /* get: what it sees answers, the rest exactly as an id that does not exist. */
        g_auto(GStrv) visible = g_strsplit(cases[i].sees, ",", -1);
        for (gsize d = 0; d < G_N_ELEMENTS(acl_docs); d++) {
            g_autofree char *req = g_strdup_printf("{\"op\":\"get\",\"doc\":\"%s\"}",
                                                   acl_docs[d].id);
            g_autoptr(GError) gerr = NULL;
            g_autoptr(JsonObject) r = run_as(e, id, req, &gerr);
            if (g_strv_contains((const char *const *)visible, acl_docs[d].id)) {
                g_assert_no_error(gerr);
                g_assert_nonnull(r);
                continue;
            }
            g_assert_null(r);
            g_assert_error(gerr, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_NOT_FOUND);
            g_autofree char *want = g_strdup_printf("get: no document with id \"%s\"",
                                                    acl_docs[d].id);
            g_assert_cmpstr(gerr->message, ==, want);
        }

        /* stats: the documents and kinds it sees. */
        g_autoptr(JsonObject) st = run_as(e, id, "{\"op\":\"stats\"}", &error);
        g_assert_no_error(error);
        g_assert_cmpint(json_object_get_int_member(st, "docs"), ==,
                        *cases[i].sees ? g_strv_length(visible) : 0);
        gboolean admin = strcmp(cases[i].user, "root") == 0;
        g_assert_true(json_object_has_member(st, "revision") == admin);
        g_assert_true(json_object_has_member(st, "files") == admin);
    }

    /* A word only in toimat: nothing for anh, no guess of its accents from it. */
    g_autoptr(tracuu_identity) anh = acl_identity(acl_conf, "anh");
    g_autofree char *bait = acl_ids(e, anh, "bi danh");
    g_assert_cmpstr(bait, ==, "");
    g_autoptr(tracuu_identity) root = acl_identity(acl_conf, "root");
    g_autofree char *bait_root = acl_ids(e, root, "bi danh");
    g_assert_cmpstr(bait_root, ==, "toimat");
    /* NULL is unrestricted, as tracuu_engine_handle(). */
    g_autofree char *all = acl_ids(e, NULL, "báo cáo");
    g_assert_cmpstr(all, ==, "mail,mail/1,mat,nv,pub,toimat,tttt");

    /* The hit of a labelled document shows its labels and level. */
    g_autoptr(JsonObject) r = run_as(e, anh, "{\"op\":\"get\",\"doc\":\"mat\"}", &error);
    g_assert_no_error(error);
    JsonObject *doc = json_object_get_object_member(r, "doc");
    g_assert_cmpstr(json_object_get_string_member(doc, "secrecy"), ==, "mat");
    g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(doc, "access"), 0),
                    ==, "so-tttt");
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
}

/*
 * Suggestions come only from what the caller sees: "bí danh" is only in toimat, which anh may
 * not see; anh's misspelling of it gets no suggestion (nor any word of toimat), root's gets it.
 */
static void
test_suggest_access(void)
{
    g_autofree char *dir = NULL;
    tracuu_engine *e = open_acl_engine(&dir);
    g_autoptr(tracuu_identity) anh = acl_identity(acl_conf, "anh");
    g_autoptr(tracuu_identity) root = acl_identity(acl_conf, "root");
    static const struct {
        const char *q, *root, *anh;
    } rows[] = {
        {"bí danhh", "bí danh", NULL},
        {"bi danhh", "bí danh", NULL},
        {"danhh", "danh", NULL},
        /* What both see is suggested to both. */
        {"báo cáoo", "báo cáo", "báo cáo"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        /* anh asks first, so that nothing root's search read can be left over for it. */
        for (int who = 0; who < 2; who++) {
            g_autofree char *got = suggest_of(e, who == 0 ? anh : root, rows[i].q);
            const char *want = who == 0 ? rows[i].anh : rows[i].root;
            if (g_strcmp0(got, want) != 0)
                g_error("%s for %s: suggest \"%s\", not \"%s\"", rows[i].q,
                        who == 0 ? "anh" : "root", got ? got : "(none)", want ? want : "(none)");
        }
    }
    tracuu_engine_free(e);
    tracuu_test_rm_rf(dir);
}

/* The filter itself: none for admins and NULL, the terms of tracuu-schema.h otherwise. */
static void
test_visibility_filter(void)
{
    g_assert_null(tracuu_engine_visibility_filter(NULL));
    g_autoptr(tracuu_identity) root = acl_identity(acl_conf, "root");
    g_assert_null(tracuu_engine_visibility_filter(root));
    static const struct {
        const char *user;
        const char *const has[6];
        const char *const lacks[4];
    } cases[] = {
        {"anh", {"XAso-tttt", "XA-", "XLnone", "XLmat"}, {"XLtoi-mat", "XV"}},
        {"chi", {"XVb@x.vn", "XA-", "XLmat"}, {"XAso", "XLtoi-mat"}},
        {"binh", {"XAso-noi-vu", "XLnone"}, {"XLmat", "XV"}},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(tracuu_identity) id = acl_identity(acl_conf, cases[i].user);
        tracuu_query *q = tracuu_engine_visibility_filter(id);
        g_assert_nonnull(q);
        char *d = tracuu_query_describe(q);
        for (gsize k = 0; cases[i].has[k] != NULL; k++)
            if (strstr(d, cases[i].has[k]) == NULL)
                g_error("%s: %s lacks %s", cases[i].user, d, cases[i].has[k]);
        for (gsize k = 0; cases[i].lacks[k] != NULL; k++)
            if (strstr(d, cases[i].lacks[k]) != NULL)
                g_error("%s: %s has %s", cases[i].user, d, cases[i].lacks[k]);
        free(d);
        tracuu_query_free(q);
    }
    /* No label, no address, unlabelled documents denied: nothing at all, never no filter. */
    g_autofree char *deny = g_strconcat("[access]\ndefault = deny\n",
                                        strstr(acl_conf, "[user anh]"), NULL);
    g_autoptr(tracuu_identity) nobody = acl_identity(deny, "nobody");
    tracuu_query *q = tracuu_engine_visibility_filter(nobody);
    g_assert_nonnull(q);
    char *d = tracuu_query_describe(q);
    g_assert_null(strstr(d, "XA"));
    free(d);
    tracuu_query_free(q);
}


/*
 * The question words' table (searchd/question-words.c): a syllable's context with a
 * neighbour wins over the syllable alone, the lower of two contexts wins, keys are folded, an
 * unknown syllable keeps its weight, and a malformed line is refused with its number. The
 * compiled-in table parses and knows the commonest question words.
 */
static void
test_question_words_table(void)
{
    static const char table[] = "# comment\n"
                                "folded\t*\tnào\t*\t0.1\t140\t4\n"
                                "folded\t*\tbao\tnhieu\t0.7\n"
                                "folded\tla\tbao\t*\t0.5\n"
                                "folded\t*\tbao\t*\t0.9\n"
                                "folded\t*\tdung\t*\t0.2\n"
                                "exact\t*\tĐÚNG\t*\t0.3\n"
                                "exact\t*\tthế\tnào\t0.4\n";
    g_autoptr(GError) error = NULL;
    tracuu_question_words *qw = tracuu_question_words_parse(table, strlen(table), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(tracuu_question_words_size(qw), ==, 7);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, NULL, "nao", NULL), ==, 0.1);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, "the", "nao", NULL), ==, 0.1);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, NULL, "bao", "gom"), ==, 0.9);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, NULL, "bao", "nhieu"), ==, 0.7);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, "la", "bao", "nhieu"), ==, 0.5);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, NULL, "thu", NULL), ==, 1.0);
    g_assert_cmpfloat(tracuu_question_words_factor(NULL, FALSE, NULL, "nao", NULL), ==, 1.0);
    /* As written: "đúng" is not "dung", and the folded entries do not answer for it. */
    g_assert_cmpfloat(tracuu_question_words_factor(qw, TRUE, NULL, "đúng", NULL), ==, 0.3);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, TRUE, "nội", "dung", NULL), ==, 1.0);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, FALSE, "noi", "dung", NULL), ==, 0.2);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, TRUE, "như", "thế", "nào"), ==, 0.4);
    g_assert_cmpfloat(tracuu_question_words_factor(qw, TRUE, NULL, "nào", NULL), ==, 1.0);
    tracuu_question_words_free(qw);

    static const char *const bad[] = {"folded\t*\tnao\t*\n", "folded\t*\tnao\t*\t1.5\n",
                                      "folded\t*\tnao\t*\tx\n", "folded\tla\tnao\tco\t0.5\n",
                                      "folded\tok\t*\t*\t0.5\n", "typed\t*\tnao\t*\t0.5\n"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *text = g_strconcat("folded\t*\tgi\t*\t0.1\n", bad[i], NULL);
        g_autoptr(GError) err = NULL;
        g_assert_null(tracuu_question_words_parse(text, strlen(text), &err));
        g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL);
        g_assert_nonnull(strstr(err->message, "line 2"));
    }

    const tracuu_question_words *def = tracuu_question_words_default();
    g_assert_nonnull(def);
    g_assert_cmpuint(tracuu_question_words_size(def), >, 10);
    g_assert_cmpfloat(tracuu_question_words_factor(def, FALSE, "the", "nao", NULL), <, 0.5);
    g_assert_cmpfloat(tracuu_question_words_factor(def, TRUE, "thế", "nào", NULL), <, 0.5);
    g_assert_cmpfloat(tracuu_question_words_factor(def, TRUE, NULL, "hôn", "nhân"), ==, 1.0);
}

/*
 * In a question, the words that only make it a question weigh little: "qa" holds "thủ tục"
 * and the whole "như thế nào" and wins on BM25; "content" holds "gửi thư điện tử", what the
 * question asks about, and wins with the table. A few words typed are left alone (all of
 * them must match, and all of them weigh).
 */
static void
test_question_words_rank(void)
{
    tracuu_docfields list[] = {
        {.id = "qa", .path = "/a/qa.txt", .kind = "text", .title = "Hỏi đáp",
         .text = "Thủ tục như thế nào, như thế nào."},
        {.id = "content", .path = "/a/content.txt", .kind = "text", .title = "Công văn",
         .text = "Gửi thư điện tử cho cơ quan trong ngày làm việc theo quy định chung."},
        {.id = "f1", .path = "/a/f1.txt", .kind = "text", .title = "Báo cáo",
         .text = "Báo cáo kết quả công tác tuần."},
        {.id = "f2", .path = "/a/f2.txt", .kind = "text", .title = "Kế hoạch",
         .text = "Kế hoạch công tác tháng tới của văn phòng."},
        {.id = "f3", .path = "/a/f3.txt", .kind = "text", .title = "Giấy mời",
         .text = "Mời dự họp giao ban sáng thứ Hai."},
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("tracuu-qwords-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *db = g_build_filename(dir, "index", NULL);
    build_index(db, list, G_N_ELEMENTS(list));
    static const char table[] = "folded\t*\tnhu\t*\t0\nfolded\t*\tthe\t*\t0\n"
                                "folded\t*\tnao\t*\t0.1\nexact\t*\tnhư\t*\t0\n"
                                "exact\t*\tthế\t*\t0\nexact\t*\tnào\t*\t0.1\n";
    tracuu_question_words *qw = tracuu_question_words_parse(table, strlen(table), &error);
    g_assert_no_error(error);
    tracuu_rank_params rp;
    tracuu_rank_params_init(&rp);
    static const char *const qs[] = {"thủ tục gửi thư điện tử như thế nào",
                                     "thu tuc gui thu dien tu nhu the nao"};
    for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
        rp.question_words = NULL;
        tracuu_engine *plain = tracuu_engine_open(db, &error);
        g_assert_no_error(error);
        tracuu_engine_set_rank_params(plain, &rp);
        g_autoptr(JsonObject) r0 = search_with(plain, qs[i], 10);
        g_assert_cmpstr(first_id(r0), ==, "qa");
        tracuu_engine_free(plain);

        rp.question_words = qw;
        tracuu_engine *e = tracuu_engine_open(db, &error);
        g_assert_no_error(error);
        tracuu_engine_set_rank_params(e, &rp);
        g_autoptr(JsonObject) r1 = search_with(e, qs[i], 10);
        g_assert_cmpstr(first_id(r1), ==, "content");
        g_assert_cmpint(json_object_get_int_member(r1, "total"), ==,
                        json_object_get_int_member(r0, "total"));
        /* Three words typed: all needed, as without the table. */
        g_autoptr(JsonObject) r2 = search_with(e, "như thế nào", 10);
        g_assert_cmpint(json_object_get_int_member(r2, "total"), ==, 1);
        g_assert_cmpstr(first_id(r2), ==, "qa");
        tracuu_engine_free(e);
    }
    tracuu_question_words_free(qw);
    tracuu_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add("/engine/" path, fixture, NULL, fixture_setup, fn, \
                                 fixture_teardown)
    ADD("unaccented-finds", test_unaccented_finds);
    ADD("accent-first", test_accent_first);
    ADD("docnum", test_docnum);
    ADD("proximity", test_proximity);
    ADD("two-pass", test_two_pass);
    ADD("pool-used", test_pool_used);
    ADD("filters", test_filters);
    ADD("sort", test_sort);
    ADD("facets", test_facets);
    ADD("hits-and-snippets", test_hits_and_snippets);
    ADD("get-stats-ping", test_get_stats_ping);
    ADD("errors", test_errors);
    ADD("odd-queries", test_odd_queries);
    ADD("group-exclusion", test_group_exclusion);
    ADD("replaced-index", test_replaced_index);
    ADD("sees-commits", test_sees_commits);
    ADD("split", test_split);
    ADD("split-holes", test_split_holes);
    ADD("tokenize-once", test_tokenize_once);
    ADD("suggest", test_suggest);
    g_test_add_func("/engine/suggest-one-edit", test_one_edit);
    g_test_add_func("/engine/suggest-access", test_suggest_access);
    g_test_add_func("/engine/snippet-window", test_snippet_window);
    g_test_add_func("/engine/page-of-first-mark", test_page_of_first_mark);
    g_test_add_func("/engine/marks-as-typed", test_marks_as_typed);
    g_test_add_func("/engine/near", test_near);
    g_test_add_func("/engine/question-words-table", test_question_words_table);
    g_test_add_func("/engine/question-words-rank", test_question_words_rank);
    g_test_add_func("/engine/filter-values", test_filter_values);
    g_test_add_func("/engine/open-errors", test_open_errors);
    g_test_add_func("/engine/access", test_access);
    g_test_add_func("/engine/visibility-filter", test_visibility_filter);
    return g_test_run();
}
