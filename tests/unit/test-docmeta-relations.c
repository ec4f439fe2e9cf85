/* test-docmeta-relations.c - relations and validity dates that docmeta reads from a text. */
#include <locale.h>
#include <string.h>

#include "tracuu-docmeta.h"
#include "tracuu-test.h"

/* A document: a header (so that the own number and signing date are known) and one body line
   taken from the vbpl texts. */
#define HEADER "BỘ TÀI CHÍNH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" \
               "Số: 45/2025/TT-BTC\nHà Nội, ngày 10 tháng 11 năm 2025\nTHÔNG TƯ\n"

typedef struct {
    const char *name;
    const char *body;
    const char *kind;     /* expected kind of @number */
    const char *number;   /* display form */
    const char *articles; /* comma-separated, "" for none */
} relation_case;

#define DOC142_SENTENCE                                                                        \
    "Bộ trưởng Bộ Tài chính ban hành Thông tư sửa đổi, bổ sung một số điều của Thông tư số "      \
    "96/2020/TT-BTC ngày 16 tháng 11 năm 2020 của Bộ trưởng Bộ Tài chính hướng dẫn công bố thông " \
    "tin trên thị trường chứng khoán được sửa đổi, bổ sung bởi Thông tư số 68/2024/TT-BTC và "     \
    "Thông tư số 18/2025/TT-BTC, Thông tư số 120/2020/TT-BTC ngày 31 tháng 12 năm 2020 của Bộ "    \
    "trưởng Bộ Tài chính quy định giao dịch cổ phiếu niêm yết, đăng ký giao dịch và chứng chỉ "   \
    "quỹ, trái phiếu doanh nghiệp, chứng quyền có bảo đảm niêm yết trên hệ thống giao dịch chứng " \
    "khoán được sửa đổi, bổ sung bởi Thông tư số 68/2024/TT-BTC, Thông tư số 121/2020/TT-BTC "     \
    "ngày 31 tháng 12 năm 2020 của Bộ trưởng Bộ Tài chính quy định về hoạt động của công ty "      \
    "chứng khoán được sửa đổi, bổ sung bởi Thông tư số 68/2024/TT-BTC."

static const relation_case relation_cases[] = {
    {"based-on", "Căn cứ Nghị định số 29/2025/NĐ-CP ngày 24 tháng 02 năm 2025 của Chính phủ;",
     "based_on", "29/2025/NĐ-CP", ""},
    {"replaces", "Thông tư này thay thế Thông tư số 29/2023/TT-BGDĐT ngày 29 tháng 12 năm 2023.",
     "replaces", "29/2023/TT-BGDĐT", ""},
    {"guides", "Thông tư hướng dẫn thực hiện một số nội dung tại Nghị định số 289/2025/NĐ-CP.",
     "guides", "289/2025/NĐ-CP", ""},
    {"amends-articles", "Sửa đổi, bổ sung Điều 5, Điều 7 của Thông tư số 13/2015/TT-BTC như sau:",
     "amends", "13/2015/TT-BTC", "5,7"},
    {"amends-khoan", "Sửa đổi khoản 2 Điều 3 Thông tư số 13/2015/TT-BTC.", "amends",
     "13/2015/TT-BTC", "3"},
    {"repeals", "Bãi bỏ Điều 12 Thông tư số 18/2024/TT-NHNN.", "repeals", "18/2024/TT-NHNN", "12"},
    {"repeals-after", "2. Thông tư số 18/2024/TT-NHNN hết hiệu lực kể từ ngày Thông tư này có hiệu lực.",
     "repeals", "18/2024/TT-NHNN", ""},
    {"corrects", "Đính chính Nghị định số 05/2025/NĐ-CP như sau:", "corrects", "05/2025/NĐ-CP", ""},
    {"suspends", "Đình chỉ thi hành Quyết định số 12/2025/QĐ-UBND.", "suspends", "12/2025/QĐ-UBND",
     ""},
    {"accent-free", "Sua doi, bo sung Dieu 4 Thong tu so 13/2015/TT-BTC.", "amends",
     "13/2015/TT-BTC", "4"},
    {"cites", "Theo quy định tại Thông tư số 13/2015/TT-BTC.", "cites", "13/2015/TT-BTC", ""},
    {"passive-cites",
     "Thông tư hướng dẫn Nghị định số 05/2011/NĐ-CP được sửa đổi, bổ sung tại Nghị định số "
     "127/2024/NĐ-CP.",
     "cites", "127/2024/NĐ-CP", ""},
    /* vbpl doc_000194, a Căn cứ block: "Luật sửa đổi, bổ sung ..." is the name of a law. */
    {"named-amending-law",
     "Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính số 88/2025/QH15;",
     "cites", "88/2025/QH15", ""},
    /* vbpl doc_000142: the amended article was itself amended by another Thông tư. */
    {"passive-boi",
     "Điều 1. Sửa đổi, bổ sung khoản 8 Điều 25 được sửa đổi, bổ sung bởi khoản 1 Điều 2 Thông "
     "tư số 18/2025/TT-BTC",
     "cites", "18/2025/TT-BTC", "2"},
    /* vbpl doc_000142, verbatim: three amended Thông tư, each followed by the ones that amended
       it ("được sửa đổi, bổ sung bởi ..."); the second and third share the first one's verb. */
    {"coordinated-after-passive-second", DOC142_SENTENCE, "amends", "120/2020/TT-BTC", ""},
    {"coordinated-after-passive-third", DOC142_SENTENCE, "amends", "121/2020/TT-BTC", ""},
    {"coordinated-after-passive-agent", DOC142_SENTENCE, "cites", "18/2025/TT-BTC", ""},
    {"coordinated-after-passive-agent-again", DOC142_SENTENCE, "cites", "68/2024/TT-BTC", ""},
    /* vbpl doc_000028's Điều 10 (the passive at the end is added): a passive in a later clause
       does not make the heading's last amender an object of "Sửa đổi". */
    {"passive-agent-before-next-line",
     "Điều 10. Sửa đổi, bổ sung một số điều của Nghị định số 71/2024/NĐ-CP ngày 27 tháng 6 năm "
     "2024 của Chính phủ quy định về giá đất (được sửa đổi, bổ sung tại Nghị định số "
     "151/2025/NĐ-CP, Nghị định số 226/2025/NĐ-CP)\n1. Sửa đổi, bổ sung một số khoản của Điều 13 "
     "như sau:\na) Sửa đổi, bổ sung khoản 1 như sau:\n“1. Cơ quan có chức năng quản lý đất đai "
     "cấp tỉnh tổ chức lập dự án xây dựng bảng giá đất, trong đó xác định nội dung, tiến độ, dự "
     "toán kinh phí thực hiện và các nội dung liên quan.”; được sửa đổi, bổ sung bởi Nghị định",
     "cites", "226/2025/NĐ-CP", ""},
};

static const tracuu_docmeta_relation *
find(const tracuu_docmeta *m, const char *number)
{
    for (guint i = 0; i < m->relations->len; i++) {
        const tracuu_docmeta_relation *r = g_ptr_array_index(m->relations, i);
        if (strcmp(r->number, number) == 0)
            return r;
    }
    return NULL;
}

static void
test_relation(gconstpointer data)
{
    const relation_case *c = data;
    g_autofree char *text = g_strconcat(HEADER, c->body, "\n", NULL);
    g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(text, -1);
    const tracuu_docmeta_relation *r = find(m, c->number);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->kind, ==, c->kind);
    g_autofree char *arts = g_strjoinv(",", r->articles);
    g_assert_cmpstr(arts, ==, c->articles);
    /* Never the document's own number. */
    g_assert_null(find(m, "45/2025/TT-BTC"));
}

typedef struct {
    const char *name;
    const char *body;
    const char *effective;
    const char *end;
    const char *header; /* NULL: HEADER */
} validity_case;

/* Headers without a date: a law and a resolution say when they were passed at the end. */
#define LAW_HEADER "QUỐC HỘI\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" \
                   "Luật số: 101/2025/QH15\nLUẬT\nCHUYỂN GIAO NGƯỜI ĐANG CHẤP HÀNH ÁN PHẠT TÙ\n"
/* Five lines of doc_000032's programme table. */
#define APPENDIX                                                                               \
    "II.\nTrình Quốc hội xem xét, thông qua tại Kỳ họp thứ 2, Quốc hội khóa XVI\n(dự kiến tháng "  \
    "10/2026)\n1.\nBộ luật Hàng hải Việt Nam (sửa đổi)\n"
#define RESOLUTION_HEADER                                                                      \
    "ỦY BAN THƯỜNG VỤ QUỐC HỘI\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh "     \
    "phúc\nNghị quyết số: 105/2025/UBTVQH15\nNGHỊ QUYẾT\nCHƯƠNG TRÌNH LẬP PHÁP NĂM 2026\n"

static const validity_case validity_cases[] = {
    {"words", "Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2026.", "2026-01-01",
     NULL},
    {"signing", "1. Nghị định này có hiệu lực thi hành kể từ ngày ký ban hành.", "2025-11-10", NULL},
    {"after-days", "Thông tư này có hiệu lực sau 45 ngày kể từ ngày ký.", "2025-12-25", NULL},
    {"slashes", "Thông tư này có hiệu lực từ ngày 15/02/2026.", "2026-02-15", NULL},
    {"old-tones", "Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 3 năm 2026.",
     "2026-03-01", NULL},
    {"accent-free", "Thong tu nay co hieu luc ke tu ngay 16 thang 02 nam 2026.", "2026-02-16", NULL},
    {"end-self", "Thông tư này có hiệu lực từ ngày 01/01/2026.\n2. Thông tư này hết hiệu lực kể từ "
                 "ngày 01/3/2027, trừ các trường hợp quy định tại khoản 3.",
     "2026-01-01", "2027-03-01"},
    {"until", "Quyết định này có hiệu lực từ ngày ký và có hiệu lực đến hết ngày 31 tháng 12 năm "
              "2026.",
     "2025-11-10", "2026-12-31"},
    {"not-a-date", "Thông tư này có hiệu lực từ ngày 31 tháng 02 năm 2026.", NULL, NULL},
    /* vbpl doc_000340: "từ" without "ngày". */
    {"without-ngay", "1. Nghị định này có hiệu lực thi hành từ 01 tháng 01 năm 2026.",
     "2026-01-01", NULL, NULL},
    /* vbpl doc_000083: "Các quyết định này" are the court's decisions, not the law. */
    {"other-kind-nay",
     "Các quyết định này có hiệu lực kể từ ngày ký ban hành và phải được gửi ngay cho Viện kiểm "
     "sát nhân dân cùng cấp.\nĐiều 47. Hiệu lực thi hành\n1. Luật này có hiệu lực thi hành từ "
     "ngày 01 tháng 7 năm 2026.\nLuật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam "
     "khóa XV, Kỳ họp thứ 10 thông qua ngày 26 tháng 11 năm 2025.",
     "2026-07-01", NULL, LAW_HEADER},
    /* vbpl doc_000032: passed "tại Phiên họp thứ 49 ngày ...", the only date of the text. */
    {"passed-at-session",
     "Nghị quyết này có hiệu lực thi hành từ ngày thông qua./.\nNghị quyết này được Ủy ban "
     "Thường vụ Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XV thông qua tại Phiên "
     "họp thứ 49 ngày 26 tháng 9 năm 2025.",
     "2025-09-26", NULL, RESOLUTION_HEADER},
    /* The same, with the programme's table after the signature, more than the tail's 40 lines. */
    {"passed-before-appendix",
     "Nghị quyết này có hiệu lực thi hành từ ngày thông qua./.\nNghị quyết này được Ủy ban "
     "Thường vụ Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XV thông qua tại Phiên "
     "họp thứ 49 ngày 26 tháng 9 năm 2025.\nTM. ỦY BAN THƯỜNG VỤ QUỐC HỘI\nPHỤ LỤC\n" APPENDIX
         APPENDIX APPENDIX APPENDIX APPENDIX APPENDIX APPENDIX APPENDIX APPENDIX APPENDIX,
     "2025-09-26", NULL, RESOLUTION_HEADER},
};

static void
test_validity(gconstpointer data)
{
    const validity_case *c = data;
    g_autofree char *text = g_strconcat(c->header ? c->header : HEADER, c->body, "\n", NULL);
    g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(text, -1);
    g_assert_cmpstr(m->effective_date, ==, c->effective);
    g_assert_cmpstr(m->end_date, ==, c->end);
}

/* A long hostile text: many numbers and verbs; bounded and no crash. */
static void
test_long(void)
{
    GString *s = g_string_new(HEADER);
    for (int i = 0; i < 5000; i++)
        g_string_append_printf(s, "sửa đổi Điều %d, %d Thông tư số %d/2015/TT-BTC ", i, i + 1, i);
    g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(s->str, (gssize)s->len);
    g_assert_cmpuint(m->relations->len, >, 0);
    g_assert_cmpuint(m->relations->len, <=, 4000);
    g_string_free(s, TRUE);
    g_autoptr(tracuu_docmeta) empty = tracuu_docmeta_extract(NULL, 0);
    g_assert_nonnull(empty->relations);
    g_assert_cmpuint(empty->relations->len, ==, 0);
}

/* Every vbpl document: relations are well formed (the gates are in bench/legal-eval). */
static void
test_vbpl(void)
{
    g_autofree char *docs = tracuu_test_shared_or_skip("vbpl/docs.jsonl");
    if (docs == NULL)
        return;
    g_autofree char *data = NULL;
    g_assert_true(g_file_get_contents(docs, &data, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    guint with_date = 0, n = 0;
    for (int i = 0; lines[i]; i++) {
        const char *t = strstr(lines[i], "\"text\": \"");
        if (!t)
            continue;
        n++;
        g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(lines[i], -1);
        with_date += m->effective_date != NULL;
        for (guint r = 0; r < m->relations->len; r++) {
            const tracuu_docmeta_relation *x = g_ptr_array_index(m->relations, r);
            g_assert_nonnull(x->number);
            g_assert_nonnull(x->articles);
            g_assert_true(g_ascii_isdigit(x->number[0]));
        }
    }
    g_assert_cmpuint(n, >, 0);
    g_test_message("%u of %u with an effective date", with_date, n);
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(relation_cases); i++) {
        g_autofree char *p = g_strdup_printf("/docmeta-relations/kind/%s", relation_cases[i].name);
        g_test_add_data_func(p, &relation_cases[i], test_relation);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(validity_cases); i++) {
        g_autofree char *p = g_strdup_printf("/docmeta-relations/validity/%s", validity_cases[i].name);
        g_test_add_data_func(p, &validity_cases[i], test_validity);
    }
    g_test_add_func("/docmeta-relations/long", test_long);
    g_test_add_func("/docmeta-relations/vbpl", test_vbpl);
    return g_test_run();
}
