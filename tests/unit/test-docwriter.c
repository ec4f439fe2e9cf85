/* test-docwriter.c - documents into terms, positions, values and data, checked in a real index. */

#include "tracuu-test.h"
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "tracuu-docwriter.h"
#include "tracuu-schema.h"
#include "tracuu-store.h"

/* ---- Sample documents: an official document, a mail and its attachment ---- */

static const char *const a1_cites[] = {"23/2008/QH12", "Luật Giao thông"};
static const guint64 a1_pages[] = {0, 40};
static const char *const a1_access[] = {"so-tttt", "van-phong"};
static const char *const t1_participants[] = {"vanthu@chinhphu.gov.vn", "Old@Case.VN "};
#define A1_TEXT                                                                                \
    "Căn cứ Luật Giao thông đường bộ số 23/2008/QH12.\n"                                     \
    "Thủ tướng Chính phủ chỉ thị các Bộ thực hiện"
#define A1_FILE_KEY "0123456789abcdef0123456789abcdef01234567"

static const tracuu_docfields doc_a1 = {
    .id = "a1",
    .file_key = A1_FILE_KEY,
    .path = "/archive/2008/ct34.pdf",
    .kind = "pdf",
    .mime = "Application/PDF",
    .title = "Chỉ thị về tăng cường an toàn",
    .text = A1_TEXT,
    .number = "34/2008/CT\xe2\x80\x93TTg", /* an en dash, as printed */
    .doc_type = "Chỉ thị",
    .issuer = "Thủ tướng Chính phủ",
    .date = "2008-12-03",
    .signer = "Nguyễn Tấn Dũng",
    .cites = a1_cites,
    .n_cites = 2,
    .pages = a1_pages,
    .n_pages = 2,
    .access = a1_access,
    .n_access = 2,
    .secrecy = "toi-mat",
};

static const tracuu_mailbox m1_from[] = {{"Văn thư, Chính phủ", "VanThu@ChinhPhu.gov.vn"}};
static const tracuu_mailbox m1_to[] = {{NULL, "a@b.vn"}, {"Trần Văn Bình", "tranb@x.vn"}};
static const tracuu_mailbox m1_cc[] = {{"Lê Cường", "lec@y.vn"}};

static const tracuu_docfields doc_m1 = {
    .id = "f00:1",
    .kind = "mail",
    .mime = "message/rfc822",
    .text = "Kính gửi các đơn vị",
    .date = "2024-05",
    .subject = "Về việc họp giao ban",
    .from = m1_from,
    .n_from = 1,
    .to = m1_to,
    .n_to = 2,
    .cc = m1_cc,
    .n_cc = 1,
    .message_id = "<ABC123@host.example>",
    .in_reply_to = "<XYZ@host.example>",
};

static const tracuu_docfields doc_t1 = {
    .id = "f00:1/1",
    .kind = "attachment",
    .text = "",
    .date = "2023",
    .parent = "f00:1",
    .attachment = "baocao.pdf",
    .participants = t1_participants,
    .n_participants = 2,
    .secrecy = "none",
};

/* ---- Fixture: the three documents in a temporary index ---- */

typedef struct {
    char *dir;
    tracuu_store *store;
    tracuu_tokenizer *tk;
} Fixture;

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    fx->dir = g_dir_make_tmp("tracuu-docwriter-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *path = g_build_filename(fx->dir, "index", NULL);
    char *msg = NULL;
    g_assert_cmpint(tracuu_store_open(path, TRACUU_STORE_CREATE, &fx->store, &msg), ==,
                    TRACUU_STORE_OK);
    fx->tk = tracuu_tokenizer_new(&error);
    g_assert_no_error(error);
    const tracuu_docfields *docs[] = {&doc_a1, &doc_m1, &doc_t1};
    for (gsize i = 0; i < G_N_ELEMENTS(docs); i++) {
        g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, docs[i], &error));
        g_assert_no_error(error);
    }
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    tracuu_store_free(fx->store);
    tracuu_tokenizer_free(fx->tk);
    tracuu_test_rm_rf(fx->dir);
    g_free(fx->dir);
}

/* The ids of the documents @q matches, sorted and joined by commas. */
static char *
ids_of(tracuu_store *store, tracuu_query *q)
{
    g_assert_nonnull(q);
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = 100;
    tracuu_results *r = NULL;
    tracuu_store_status st = tracuu_store_search(store, q, &opts, &r);
    if (st != TRACUU_STORE_OK)
        g_error("search: %s", tracuu_store_get_error(store));
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < r->n_hits; i++) {
        g_autoptr(JsonParser) p = json_parser_new();
        g_autoptr(GError) error = NULL;
        /* The fields JSON ends at the NUL before the text (store/tracuu-schema.h). */
        g_assert_true(json_parser_load_from_data(p, r->hits[i].data, (gssize)strlen(r->hits[i].data),
                                                 &error));
        JsonObject *o = json_node_get_object(json_parser_get_root(p));
        g_ptr_array_add(ids, g_strdup(json_object_get_string_member(o, "id")));
    }
    for (guint i = 1; i < ids->len; i++)
        for (guint j = i; j > 0 && strcmp(ids->pdata[j - 1], ids->pdata[j]) > 0; j--) {
            gpointer t = ids->pdata[j];
            ids->pdata[j] = ids->pdata[j - 1];
            ids->pdata[j - 1] = t;
        }
    g_ptr_array_add(ids, NULL);
    char *out = g_strjoinv(",", (char **)ids->pdata);
    tracuu_results_free(r);
    tracuu_query_free(q);
    return out;
}

static tracuu_query *
term(const char *t)
{
    return tracuu_query_new_term(t, strlen(t), 1, 0);
}

/* ---- Terms ---- */

static const struct {
    const char *term;
    const char *ids;
} term_cases[] = {
    /* Body: accented and folded. */
    {"đường", "a1"},
    {"Fduong", "a1"},
    {"duong", ""},
    {"Fgiao", "a1"},
    {"Fdon", "f00:1"},
    /* Pieces of a document number, at its position. */
    {"23/2008/qh12", "a1"},
    {"F23/2008/qh12", "a1"},
    {"Fqh12", "a1"},
    /* The title, in the body and as S/XS. */
    {"Ftang", "a1"},
    {"tăng", "a1"},
    {"Stăng", "a1"},
    {"XStang", "a1"},
    {"Sthủ", ""},
    /* Boolean terms. */
    {"Qa1", "a1"},
    {"Qf00:1", "f00:1"},
    {"Qf00:1/1", "f00:1/1"},
    {"XF" A1_FILE_KEY, "a1"},
    {"Kpdf", "a1"},
    {"Kmail", "f00:1"},
    {"Kattachment", "f00:1/1"},
    {"XN34/2008/ct-ttg", "a1"},
    {"XC23/2008/qh12", "a1"},
    {"XCluat giao thong", "a1"},
    {"XTchi thi", "a1"},
    {"XIthu tuong chinh phu", "a1"},
    {"XIWthu", "a1"},
    {"XIWchinh", "a1"},
    {"XGnguyen tan dung", "a1"},
    {"D20081203", "a1"},
    {"Y2008", "a1"},
    {"M200812", "a1"},
    {"Y2024", "f00:1"},
    {"M202405", "f00:1"},
    {"Y2023", "f00:1/1"},
    {"XCTapplication/pdf", "a1"},
    {"XCTmessage/rfc822", "f00:1"},
    /* Mail. */
    {"XUhop", "f00:1"},
    {"XUgiao", "f00:1"},
    {"Avanthu@chinhphu.gov.vn", "f00:1"},
    {"AWvan", "f00:1"},
    {"AWthu", "f00:1"},
    {"AWchinh", "f00:1"},
    {"AWvanthu", "f00:1"},
    {"XTOa@b.vn", "f00:1"},
    {"XTOtranb@x.vn", "f00:1"},
    {"XTOlec@y.vn", "f00:1"},
    {"XTOWtran", "f00:1"},
    {"XTOWbinh", "f00:1"},
    {"XTOWle", "f00:1"},
    {"XTOWcuong", "f00:1"},
    {"XMABC123@host.example", "f00:1"},
    {"XPf00:1", "f00:1/1"},
    /* Access: labels, or the unlabelled term; one level each; participants lowercase, from
     * the document's own addresses and its participants field. */
    {"XAso-tttt", "a1"},
    {"XAvan-phong", "a1"},
    {"XA-", "f00:1,f00:1/1"},
    {"XLtoi-mat", "a1"},
    {"XLnone", "f00:1,f00:1/1"},
    {"XVvanthu@chinhphu.gov.vn", "f00:1,f00:1/1"},
    {"XVa@b.vn", "f00:1"},
    {"XVlec@y.vn", "f00:1"},
    {"XVold@case.vn", "f00:1/1"},
};

static void
test_terms(Fixture *fx, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS(term_cases); i++) {
        g_autofree char *ids = ids_of(fx->store, term(term_cases[i].term));
        if (strcmp(ids, term_cases[i].ids) != 0)
            g_error("term %s: found in \"%s\", expected \"%s\"", term_cases[i].term, ids,
                    term_cases[i].ids);
    }
}

static bool
count_terms(const char *t, size_t len, uint64_t freq, void *user_data)
{
    GString *s = user_data;
    g_string_append_printf(s, "%s%.*s", s->len ? "," : "", (int)len, t);
    return true;
}

/* Prefix listings: exactly the terms the schema asks for, nothing stray. */
static void
test_term_lists(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *prefix;
        const char *terms;
    } cases[] = {
        {"D", "D20081203"},
        {"Y", "Y2008,Y2023,Y2024"},
        {"M", "M200812,M202405"},
        {"K", "Kattachment,Kmail,Kpdf"},
        {"XN", "XN34/2008/ct-ttg"},
        {"XP", "XPf00:1"},
        {"XM", "XMABC123@host.example"},
        {"XU", "XUban,XUgiao,XUhop,XUve,XUviec"},
        {"A", "AWchinh,AWchinhphu,AWgov,AWphu,AWthu,AWvan,AWvanthu,AWvn,Avanthu@chinhphu.gov.vn"},
        {"XS", "XSan,XSchi,XScuong,XStang,XSthi,XStoan,XSve"},
        {"XA", "XA-,XAso-tttt,XAvan-phong"},
        {"XL", "XLnone,XLtoi-mat"},
        {"XV", "XVa@b.vn,XVlec@y.vn,XVold@case.vn,XVtranb@x.vn,XVvanthu@chinhphu.gov.vn"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GString) s = g_string_new(NULL);
        g_assert_cmpint(tracuu_store_list_terms(fx->store, cases[i].prefix, count_terms, s), ==,
                        TRACUU_STORE_OK);
        g_assert_cmpstr(s->str, ==, cases[i].terms);
    }
}

/* ---- Positions ---- */

static tracuu_query *
phrase(tracuu_query_op op, uint32_t window, const char *a, const char *b)
{
    tracuu_query *subs[] = {term(a), term(b)};
    return tracuu_query_combine(op, subs, 2, window);
}

static void
test_positions(Fixture *fx, gconstpointer data)
{
    static const struct {
        tracuu_query_op op;
        uint32_t window;
        const char *a, *b;
        const char *ids;
    } cases[] = {
        {TRACUU_QUERY_PHRASE, 0, "Fduong", "Fbo", "a1"},
        /* Only folded terms have positions (tracuu-schema.h): accented and title terms
         * weigh, and a phrase of them matches nothing. */
        {TRACUU_QUERY_PHRASE, 0, "đường", "Fbo", ""},
        {TRACUU_QUERY_PHRASE, 0, "đường", "bộ", ""},
        {TRACUU_QUERY_PHRASE, 0, "Fbo", "Fduong", ""},
        {TRACUU_QUERY_PHRASE, 0, "Fso", "F23/2008/qh12", "a1"},
        {TRACUU_QUERY_PHRASE, 0, "Fso", "Fqh12", "a1"}, /* a piece at the number's place */
        {TRACUU_QUERY_PHRASE, 0, "F2008", "Fthu", "a1"},
        {TRACUU_QUERY_PHRASE, 0, "Fchi", "Fthi", "a1"},
        {TRACUU_QUERY_PHRASE, 0, "XSchi", "XSthi", ""},
        {TRACUU_QUERY_PHRASE, 0, "Stăng", "Scường", ""},
        {TRACUU_QUERY_PHRASE, 0, "Ftang", "Fcuong", "a1"}, /* the title's copy in the body */
        /* Text ends "thực hiện", title starts "Chỉ thị": the gap keeps them apart. */
        {TRACUU_QUERY_PHRASE, 0, "Fhien", "Fchi", ""},
        {TRACUU_QUERY_NEAR, 50, "Fhien", "Fve", ""}, /* "về": only in the title */
        {TRACUU_QUERY_NEAR, 150, "Fhien", "Fve", "a1"},
        {TRACUU_QUERY_PHRASE, 0, "XUhop", "XUgiao", "f00:1"},
        {TRACUU_QUERY_PHRASE, 0, "XUgiao", "XUhop", ""},
        {TRACUU_QUERY_NEAR, 50, "Fvi", "XUve", ""}, /* the subject is apart from the text */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *ids =
            ids_of(fx->store, phrase(cases[i].op, cases[i].window, cases[i].a, cases[i].b));
        if (strcmp(ids, cases[i].ids) != 0)
            g_error("%s %s %s: \"%s\", expected \"%s\"",
                    cases[i].op == TRACUU_QUERY_PHRASE ? "phrase" : "near", cases[i].a,
                    cases[i].b, ids, cases[i].ids);
    }
    /* The engine's exact phrase (compile.c, placed_query()): the folded phrase places the
     * words, the accented terms require them as typed. */
    static const struct {
        const char *a, *b;
        const char *ids;
    } exact[] = {{"đường", "bộ", "a1"}, {"đương", "bộ", ""}}; /* both fold to "duong" */
    for (gsize i = 0; i < G_N_ELEMENTS(exact); i++) {
        tracuu_query *chosen[] = {term(exact[i].a), term(exact[i].b)};
        tracuu_query *sides[] = {tracuu_query_combine(TRACUU_QUERY_AND, chosen, 2, 0),
                                 phrase(TRACUU_QUERY_PHRASE, 0, "Fduong", "Fbo")};
        g_autofree char *ids =
            ids_of(fx->store, tracuu_query_combine(TRACUU_QUERY_FILTER, sides, 2, 0));
        g_assert_cmpstr(ids, ==, exact[i].ids);
    }
}

/* ---- Values ---- */

static void
test_values(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *unique;
        unsigned slot;
        const char *value;
    } cases[] = {
        {"Qa1", TRACUU_SLOT_DATE, "20081203"},
        {"Qa1", TRACUU_SLOT_YEAR, "2008"},
        {"Qa1", TRACUU_SLOT_DOC_TYPE, "Chỉ thị"},
        {"Qa1", TRACUU_SLOT_ISSUER, "Thủ tướng Chính phủ"},
        {"Qa1", TRACUU_SLOT_KIND, "pdf"},
        {"Qa1", 5, ""}, /* the number's slot until schema 7: nothing reads it */
        {"Qf00:1", TRACUU_SLOT_DATE, "202405"},
        {"Qf00:1", TRACUU_SLOT_YEAR, "2024"},
        {"Qf00:1", TRACUU_SLOT_KIND, "mail"},
        {"Qf00:1", TRACUU_SLOT_DOC_TYPE, ""},
        {"Qf00:1/1", TRACUU_SLOT_DATE, "2023"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *data_ = NULL;
        uint32_t docid = 0;
        g_assert_cmpint(tracuu_store_get_data(fx->store, cases[i].unique, &data_, NULL, &docid),
                        ==, TRACUU_STORE_OK);
        free(data_);
        char *v = NULL;
        g_assert_cmpint(tracuu_store_get_value(fx->store, docid, cases[i].slot, &v, NULL), ==,
                        TRACUU_STORE_OK);
        g_assert_cmpstr(v, ==, cases[i].value);
        free(v);
    }
    /* Dates as values sort and filter: 2008 < 2023 < 2024-05, a year covers its dates. */
    tracuu_query *q = tracuu_query_new_value_range(TRACUU_SLOT_DATE, "2008", "20081299");
    g_autofree char *ids = ids_of(fx->store, q);
    g_assert_cmpstr(ids, ==, "a1");
    q = tracuu_query_new_value_range(TRACUU_SLOT_DATE, "2023", NULL);
    g_autofree char *ids2 = ids_of(fx->store, q);
    g_assert_cmpstr(ids2, ==, "f00:1,f00:1/1");
}

/* ---- Data ---- */

static JsonObject *
data_of(Fixture *fx, const char *unique, JsonParser *parser)
{
    char *d = NULL;
    size_t len = 0;
    g_assert_cmpint(tracuu_store_get_data(fx->store, unique, &d, &len, NULL), ==,
                    TRACUU_STORE_OK);
    /* The schema's layout: the fields as JSON, one NUL, the text. The text is put back as a
     * "text" member so that the cases below read every field the same way. */
    const char *nul = memchr(d, '\0', len);
    g_assert_nonnull(nul);
    g_autoptr(GError) error = NULL;
    g_assert_true(json_parser_load_from_data(parser, d, (gssize)(nul - d), &error));
    g_assert_no_error(error);
    JsonObject *o = json_node_get_object(json_parser_get_root(parser));
    g_assert_false(json_object_has_member(o, "text"));
    g_assert_cmpuint(strlen(nul + 1), ==, len - (size_t)(nul - d) - 1);
    json_object_set_string_member(o, "text", nul + 1);
    free(d);
    return o;
}

static void
test_data(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *unique;
        const char *member;
        const char *value; /* NULL: absent */
    } cases[] = {
        {"Qa1", "id", "a1"},
        {"Qa1", "path", "/archive/2008/ct34.pdf"},
        {"Qa1", "kind", "pdf"},
        {"Qa1", "mime", "Application/PDF"},
        {"Qa1", "title", "Chỉ thị về tăng cường an toàn"},
        {"Qa1", "number", "34/2008/CT\xe2\x80\x93TTg"},
        {"Qa1", "doc_type", "Chỉ thị"},
        {"Qa1", "issuer", "Thủ tướng Chính phủ"},
        {"Qa1", "date", "2008-12-03"},
        {"Qa1", "signer", "Nguyễn Tấn Dũng"},
        {"Qa1", "text", A1_TEXT},
        {"Qa1", "subject", NULL},
        {"Qa1", "from", NULL},
        {"Qf00:1", "subject", "Về việc họp giao ban"},
        {"Qf00:1", "from", "\"Văn thư, Chính phủ\" <VanThu@ChinhPhu.gov.vn>"},
        {"Qf00:1", "to", "a@b.vn, Trần Văn Bình <tranb@x.vn>"},
        {"Qf00:1", "cc", "Lê Cường <lec@y.vn>"},
        {"Qf00:1", "message_id", "<ABC123@host.example>"},
        {"Qf00:1", "in_reply_to", "<XYZ@host.example>"},
        {"Qf00:1", "date", "2024-05"},
        {"Qf00:1", "title", NULL},
        {"Qf00:1", "number", NULL},
        {"Qf00:1", "cites", NULL},
        {"Qf00:1", "pages", NULL},
        {"Qf00:1/1", "parent", "f00:1"},
        {"Qf00:1/1", "attachment", "baocao.pdf"},
        {"Qf00:1/1", "text", ""},
        {"Qf00:1/1", "path", NULL},
        {"Qa1", "secrecy", "toi-mat"},
        {"Qf00:1", "secrecy", NULL},
        {"Qf00:1/1", "secrecy", NULL}, /* "none" is stored as no level */
        {"Qf00:1", "access", NULL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o = data_of(fx, cases[i].unique, p);
        if (!cases[i].value) {
            if (json_object_has_member(o, cases[i].member))
                g_error("%s has %s", cases[i].unique, cases[i].member);
            continue;
        }
        g_assert_true(json_object_has_member(o, cases[i].member));
        g_assert_cmpstr(json_object_get_string_member(o, cases[i].member), ==, cases[i].value);
    }
    g_autoptr(JsonParser) p = json_parser_new();
    JsonObject *o = data_of(fx, "Qa1", p);
    JsonArray *cites = json_object_get_array_member(o, "cites");
    g_assert_cmpuint(json_array_get_length(cites), ==, 2);
    g_assert_cmpstr(json_array_get_string_element(cites, 0), ==, "23/2008/QH12");
    g_assert_cmpstr(json_array_get_string_element(cites, 1), ==, "Luật Giao thông");
    JsonArray *pages = json_object_get_array_member(o, "pages");
    g_assert_cmpuint(json_array_get_length(pages), ==, 2);
    g_assert_cmpint(json_array_get_int_element(pages, 0), ==, 0);
    g_assert_cmpint(json_array_get_int_element(pages, 1), ==, 40);
    JsonArray *access = json_object_get_array_member(o, "access");
    g_assert_cmpuint(json_array_get_length(access), ==, 2);
    g_assert_cmpstr(json_array_get_string_element(access, 0), ==, "so-tttt");
    g_assert_cmpstr(json_array_get_string_element(access, 1), ==, "van-phong");
}

/* ---- Replacing, errors ---- */

static void
test_replace(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    tracuu_docfields again = doc_a1;
    again.text = "Văn bản mới hoàn toàn";
    again.title = NULL;
    again.number = NULL;
    g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &again, &error));
    g_assert_no_error(error);
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
    g_assert_cmpuint(tracuu_store_get_doc_count(fx->store), ==, 3);
    static const struct {
        const char *term;
        uint64_t freq;
    } cases[] = {
        {"Fmoi", 1}, {"Fduong", 0}, {"XStang", 0}, {"XN34/2008/ct-ttg", 0}, {"Qa1", 1},
        {"Kpdf", 1},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, cases[i].term,
                                                    strlen(cases[i].term)),
                         ==, cases[i].freq);
}

/* ---- Article units ---- */

static const char *const law_access[] = {"phap-che"};

/* A law-like imported document: its articles become units that carry its access terms, and a
 * re-import with fewer articles leaves none of the old ones behind. */
static void
test_articles(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    tracuu_docfields law = {
        .id = "law-9",
        .kind = "json",
        .title = "Luật Lưu trữ",
        .number = "99/2099/QH99",
        .text = "Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\nLuật này quy định lưu trữ.\n"
                "Điều 2. Giải thích từ ngữ\n1. Tài liệu là văn bản.\nĐiều 3. Hiệu lực\nNgay.\n",
        .access = law_access,
        .n_access = 1,
        .secrecy = "mat",
    };
    g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &law, &error));
    g_assert_no_error(error);
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
    g_autofree char *units = ids_of(fx->store, term("Karticle"));
    g_assert_cmpstr(units, ==, "law-9#dieu-1,law-9#dieu-2,law-9#dieu-3");
    g_autofree char *two = ids_of(fx->store, term("XD2"));
    g_assert_cmpstr(two, ==, "law-9#dieu-2");
    /* Every unit has the document's access terms, number and parent. */
    static const char *const carried[] = {"XAphap-che", "XLmat", "XN99/2099/qh99", "XPlaw-9"};
    for (gsize i = 0; i < G_N_ELEMENTS(carried); i++)
        g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, carried[i], strlen(carried[i])), ==,
                         i == 3 ? 3 : 4);
    /* The heading is in the unit's title: "Điều 2. Giải thích từ ngữ". */
    g_autofree char *titled = ids_of(fx->store, term("XSgiai"));
    g_assert_cmpstr(titled, ==, "law-9#dieu-2");

    law.text = "Điều 1. Phạm vi điều chỉnh\nLuật này quy định lưu trữ.\n";
    g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &law, &error));
    g_assert_no_error(error);
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
    g_autofree char *left = ids_of(fx->store, term("Karticle"));
    g_assert_cmpstr(left, ==, "law-9#dieu-1");
    g_assert_cmpuint(tracuu_store_get_doc_count(fx->store), ==, 3 + 2);
}

static void
test_errors(Fixture *fx, gconstpointer data)
{
    g_autofree char *long_id = g_strnfill(300, 'x');
    static const char *const bad_label[] = {"so-tttt", "Van-Phong"};
    static const char *const empty_label[] = {""};
    static tracuu_docfields cases[9];
    cases[0] = doc_a1;
    cases[0].id = NULL;
    cases[1] = doc_a1;
    cases[1].id = "";
    cases[2] = doc_a1;
    cases[2].text = NULL;
    cases[3] = doc_a1;
    cases[3].id = long_id;
    cases[4] = doc_t1;
    cases[4].id = NULL;
    /* Labels and levels the visibility filter could not name are refused, not indexed. */
    cases[5] = doc_a1;
    cases[5].access = bad_label;
    cases[6] = doc_a1;
    cases[6].access = empty_label;
    cases[6].n_access = 1;
    cases[7] = doc_a1;
    cases[7].secrecy = "secret";
    cases[8] = doc_m1;
    cases[8].secrecy = "MAT";
    uint64_t before = tracuu_store_get_doc_count(fx->store);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        char *unique = (char *)"untouched";
        tracuu_store_doc *doc = tracuu_docwriter_build(fx->tk, &cases[i], &unique, &error);
        g_assert_null(doc);
        g_assert_null(unique);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
        if (i == 5)
            g_assert_nonnull(strstr(error->message, "access label \"Van-Phong\""));
        if (i == 7)
            g_assert_nonnull(strstr(error->message, "secrecy \"secret\" is not a level"));
        g_clear_error(&error);
        g_assert_false(tracuu_docwriter_add(fx->store, fx->tk, &cases[i], &error));
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
    g_assert_cmpuint(tracuu_store_get_doc_count(fx->store), ==, before);

    /* A store opened for reading refuses, and says so. */
    g_autofree char *path = g_build_filename(fx->dir, "index", NULL);
    tracuu_store *reader = NULL;
    g_assert_cmpint(tracuu_store_open(path, TRACUU_STORE_READ, &reader, NULL), ==,
                    TRACUU_STORE_OK);
    g_autoptr(GError) error = NULL;
    g_assert_false(tracuu_docwriter_add(reader, fx->tk, &doc_m1, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
    tracuu_store_free(reader);
}

/* Odd input must still give a storable document with valid JSON data. */
static void
test_odd_input(Fixture *fx, gconstpointer data)
{
    g_autofree char *huge_issuer = g_strnfill(400, 'a');
    static const struct {
        const char *text;
        const char *date;
        tracuu_mailbox from[3];
        size_t n_from;
        const char *issuer;
    } cases[] = {
        {"bad \xff\xfe bytes \xc3", "2008-13-01", {{"no address here", NULL}}, 1, NULL},
        {"", "not a date", {{NULL, "<>"}}, 1, ""},
        {"x", "2008-12-03-04", {{",,,", NULL}}, 1, NULL},
        {"y", "20081203", {{"\"unterminated", "a@b"}}, 1, NULL},
        {"z", "", {{NULL, "a@b"}, {NULL, "c@d"}, {"", "e@f"}}, 3, NULL}, /* huge issuer below */
        {"w", "2021-02-31", {{"bad \xff name", NULL}}, 1, NULL}, /* no such day: no date */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *id = g_strdup_printf("odd%" G_GSIZE_FORMAT, i);
        tracuu_docfields f = {
            .id = id,
            .text = cases[i].text,
            .date = cases[i].date,
            .from = cases[i].from,
            .n_from = cases[i].n_from,
            .issuer = i == 4 ? huge_issuer : cases[i].issuer,
            .title = cases[i].text,
        };
        g_autoptr(GError) error = NULL;
        g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &f, &error));
        g_assert_no_error(error);
        g_autofree char *q = g_strconcat("Q", id, NULL);
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o = data_of(fx, q, p);
        g_assert_cmpstr(json_object_get_string_member(o, "id"), ==, id);
        g_assert_true(g_utf8_validate(json_object_get_string_member(o, "text"), -1, NULL));
        if (json_object_has_member(o, "from"))
            g_assert_true(
                g_utf8_validate(json_object_get_string_member(o, "from"), -1, NULL));
    }
    /* Bad dates make no date terms or values. */
    g_autoptr(GString) s = g_string_new(NULL);
    g_assert_cmpint(tracuu_store_list_terms(fx->store, "Y", count_terms, s), ==,
                    TRACUU_STORE_OK);
    g_assert_cmpstr(s->str, ==, "Y2008,Y2023,Y2024");
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "Y2008", 5), ==, 2); /* a1, odd3 */
    /* Each of three mailboxes has its address term. */
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "Ae@f", 4), ==, 1);
    /* An over-long issuer is cut to a term Xapian takes, as searchd cuts its filter. */
    g_autofree char *want = g_strconcat("XI", huge_issuer, NULL);
    want[TRACUU_STORE_MAX_TERM] = '\0';
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, want, strlen(want)), ==, 1);
}

/* ---- Cites, taken from the body's document-number tokens ---- */

static const struct {
    const char *name;
    const char *number; /* the document's own, never among its cites */
    const char *text;
    const char *cites[8]; /* in order, NULL-terminated */
} cite_cases[] = {
    {"dedup-and-own", "25/2026/NĐ-CP",
     "CHÍNH PHỦ\nSố: 25/2026/NĐ-CP\nHà Nội, ngày 17 tháng 01 năm 2026\nNGHỊ ĐỊNH\nVề hóa chất\n"
     "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;\n"
     "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020;\n"
     "Nghị định số 30/2020/NĐ–CP (nhắc lại, gạch ngang khác) và 30/2020/nđ-cp;\n"
     "Nghị định 25/2026/NĐ-CP này (số của chính nó) thay thế Quyết định số 1115/QĐ-TTg.\n",
     {"63/2025/QH15", "30/2020/NĐ-CP", "1115/QĐ-TTg", NULL}},
    {"no-cites", NULL, "Văn bản này không nhắc tới văn bản nào. Năm 2025 có 365 ngày.\n", {NULL}},
    {"no-own-number", NULL,
     "Thực hiện Chỉ thị 34/2008/CT-TTg và Thông báo 64-TB/VPTW, Luật số 63/2025/QH15.\n",
     {"34/2008/CT-TTg", "64-TB/VPTW", "63/2025/QH15", NULL}},
    {"spaced-and-dashed", NULL, "Theo Quyết định 12 / 2020 / QĐ \xe2\x80\x93 UBND.\n",
     {"12/2020/QĐ-UBND", NULL}},
    /* A two-em dash is a dash of numbers for the tokenizer, so the cite writes it "-" too. */
    {"two-em-dash", NULL, "Theo Thông tư 05/2021/TT\xe2\xb8\xba" "BTC.\n", {"05/2021/TT-BTC", NULL}},
};

static void
test_cites(Fixture *fx, gconstpointer data)
{
    for (gsize i = 0; i < G_N_ELEMENTS(cite_cases); i++) {
        g_autofree char *id = g_strdup_printf("cite%" G_GSIZE_FORMAT, i);
        tracuu_docfields f = {.id = id, .text = cite_cases[i].text,
                              .number = cite_cases[i].number, .cites_from_text = true};
        g_autoptr(GError) error = NULL;
        g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &f, &error));
        g_assert_no_error(error);
        g_autofree char *q = g_strconcat("Q", id, NULL);
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o = data_of(fx, q, p);
        guint want = 0;
        while (cite_cases[i].cites[want])
            want++;
        JsonArray *got = json_object_has_member(o, "cites")
                             ? json_object_get_array_member(o, "cites")
                             : NULL;
        for (guint k = 0; got != NULL && k < json_array_get_length(got); k++)
            g_test_message("%s: cite %u: %s", cite_cases[i].name, k,
                           json_array_get_string_element(got, k));
        g_assert_cmpuint(got != NULL ? json_array_get_length(got) : 0, ==, want);
        for (guint k = 0; k < want; k++) {
            g_assert_cmpstr(json_array_get_string_element(got, k), ==, cite_cases[i].cites[k]);
            /* ...and each is an XC term, as cites:NUMBER looks for it. */
            g_autofree char *folded = NULL;
            g_assert_true(tracuu_docnum_normalize(cite_cases[i].cites[k], -1, NULL, &folded));
            g_autofree char *xc = g_strconcat(TRACUU_PREFIX_CITES, folded, NULL);
            g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
            g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, xc, strlen(xc)), >=, 1);
        }
    }
    /* Cites given win over the text's; without cites_from_text the text is not read for them. */
    tracuu_docfields given = {.id = "given", .text = cite_cases[2].text, .cites = a1_cites,
                              .n_cites = 1, .cites_from_text = true};
    tracuu_docfields none = {.id = "none", .text = cite_cases[2].text};
    g_autoptr(GError) error = NULL;
    g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &given, &error));
    g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &none, &error));
    g_assert_no_error(error);
    g_autoptr(JsonParser) p1 = json_parser_new();
    JsonArray *c1 = json_object_get_array_member(data_of(fx, "Qgiven", p1), "cites");
    g_assert_cmpuint(json_array_get_length(c1), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(c1, 0), ==, "23/2008/QH12");
    g_autoptr(JsonParser) p2 = json_parser_new();
    g_assert_false(json_object_has_member(data_of(fx, "Qnone", p2), "cites"));
}

/* The higher level wins; a name that is no level is kept so that the writer refuses it. */
static void
test_secrecy_max(void)
{
    static const struct {
        const char *a, *b, *max;
    } cases[] = {
        {NULL, NULL, NULL},        {"mat", NULL, "mat"},        {NULL, "toi-mat", "toi-mat"},
        {"mat", "toi-mat", "toi-mat"}, {"tuyet-mat", "mat", "tuyet-mat"}, {"none", "mat", "mat"},
        {"mat", "none", "mat"},    {"bogus", "mat", "bogus"},   {"tuyet-mat", "x", "x"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpstr(tracuu_docwriter_secrecy_max(cases[i].a, cases[i].b), ==, cases[i].max);
}

/* ---- Relabelling a stored document (tracuu_docwriter_relabel with tracuu_store_retag) ---- */

typedef struct {
    const char *const *labels;
    const char *level;
    GError *error;
} relabel_args;

static bool
relabel_cb(uint32_t docid, const char *data, size_t len, tracuu_store_doc *edit, void *user_data)
{
    relabel_args *a = user_data;
    return tracuu_docwriter_relabel(edit, data, len, a->labels, a->level, &a->error);
}

static void
test_relabel(Fixture *fx, gconstpointer data)
{
    /* a1 as the indexer makes it: printed "mat", raised to "toi-mat" by its rule. */
    tracuu_docfields f = doc_a1;
    f.stamp = "mat";
    g_autoptr(GError) error = NULL;
    g_assert_true(tracuu_docwriter_add(fx->store, fx->tk, &f, &error));
    g_assert_no_error(error);
    g_autoptr(JsonParser) p0 = json_parser_new();
    JsonObject *before = data_of(fx, "Qa1", p0);
    g_autofree char *text_before = g_strdup(json_object_get_string_member(before, "text"));
    g_autofree char *file_term = g_strconcat(TRACUU_PREFIX_FILE, A1_FILE_KEY, NULL);

    /* A new rule without a level: back to the stamp, never below it; one label. */
    static const char *const one[] = {"lanh-dao", NULL};
    relabel_args a = {.labels = one, .level = NULL};
    uint32_t n = 0;
    g_assert_cmpint(tracuu_store_retag(fx->store, file_term, tracuu_docwriter_relabel_prefixes,
                                       relabel_cb, &a, &n),
                    ==, TRACUU_STORE_OK);
    g_assert_no_error(a.error);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
    g_autoptr(JsonParser) p1 = json_parser_new();
    JsonObject *o = data_of(fx, "Qa1", p1);
    JsonArray *access = json_object_get_array_member(o, "access");
    g_assert_cmpuint(json_array_get_length(access), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(access, 0), ==, "lanh-dao");
    g_assert_cmpstr(json_object_get_string_member(o, "secrecy"), ==, "mat");
    g_assert_cmpstr(json_object_get_string_member(o, "stamp"), ==, "mat");
    g_assert_cmpstr(json_object_get_string_member(o, "number"), ==,
                    json_object_get_string_member(before, "number"));
    g_assert_cmpstr(json_object_get_string_member(o, "text"), ==, text_before);
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XAlanh-dao", 10), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XAso-tttt", 9), ==, 0);
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XLmat", 5), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XLtoi-mat", 9), ==, 0);

    /* No label and a level: the unlabelled term, "tuyet-mat"; "access" left out. */
    relabel_args b = {.labels = NULL, .level = "tuyet-mat"};
    g_assert_cmpint(tracuu_store_retag(fx->store, file_term, tracuu_docwriter_relabel_prefixes,
                                       relabel_cb, &b, &n),
                    ==, TRACUU_STORE_OK);
    g_assert_cmpint(tracuu_store_commit(fx->store), ==, TRACUU_STORE_OK);
    g_autoptr(JsonParser) p2 = json_parser_new();
    o = data_of(fx, "Qa1", p2);
    g_assert_false(json_object_has_member(o, "access"));
    g_assert_cmpstr(json_object_get_string_member(o, "secrecy"), ==, "tuyet-mat");
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XAlanh-dao", 10), ==, 0);
    /* m1 and t1 have no label either; a1 joins them. */
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, TRACUU_TERM_UNLABELLED,
                                                strlen(TRACUU_TERM_UNLABELLED)),
                     ==, 3);
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XLtuyet-mat", 11), ==, 1);
    g_assert_cmpuint(tracuu_store_get_term_freq(fx->store, "XLmat", 5), ==, 0);

    /* A bad label is refused as the writer refuses it, and nothing is changed. */
    static const char *const bad[] = {"Bad Label", NULL};
    relabel_args c = {.labels = bad, .level = NULL};
    g_assert_cmpint(tracuu_store_retag(fx->store, file_term, tracuu_docwriter_relabel_prefixes,
                                       relabel_cb, &c, &n),
                    ==, TRACUU_STORE_INVALID);
    g_assert_error(c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error(&c.error);

    /* Data that is not a document's: refused. */
    tracuu_store_doc *edit = tracuu_store_doc_new();
    g_assert_false(tracuu_docwriter_relabel(edit, "nope", 4, one, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    tracuu_store_doc_free(edit);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/docwriter/articles", test_articles);
    ADD("/docwriter/terms", test_terms);
    ADD("/docwriter/term-lists", test_term_lists);
    ADD("/docwriter/positions", test_positions);
    ADD("/docwriter/values", test_values);
    ADD("/docwriter/data", test_data);
    ADD("/docwriter/replace", test_replace);
    ADD("/docwriter/errors", test_errors);
    ADD("/docwriter/odd-input", test_odd_input);
    ADD("/docwriter/cites", test_cites);
    ADD("/docwriter/relabel", test_relabel);
#undef ADD
    g_test_add_func("/docwriter/secrecy-max", test_secrecy_max);
    return g_test_run();
}
