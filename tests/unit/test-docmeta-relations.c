/* test-docmeta-relations.c - relations and validity dates that docmeta reads from a text. */
#include <locale.h>
#include <string.h>

#include "tracuu-docmeta.h"
#include "tracuu-test.h"

/* A document: a header (so that the own number and signing date are known) and one body line
   taken from the vbpl texts. */
#define HEADER "BỘ TÀI CHÍNH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n" \
               "Số: 45/2025/TT-BTC\nHà Nội, ngày 10 tháng 11 năm 2025\nTHÔNG TƯ\n"

/*
 * A case is copied verbatim from the vbpl document @vbpl_id (the test verbatim-in-vbpl checks
 * that it still is), or is made up (NULL) where no vbpl sentence has the form, or where a
 * case tests what no real sentence shows (accents left out, a passive added).
 */
typedef struct {
    const char *name;
    const char *vbpl_id;  /* the document the body is copied from, NULL for a made-up body */
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
/* vbpl doc_000366: an amended article, then what the amended Thông tư itself guides. */
#define DOC366_HEADING                                                                         \
    "Điều 4. Sửa đổi khoản 2 Điều 23 của Thông tư số 01/2020/TT-BTP quy định chi tiết và hướng "  \
    "dẫn thi hành một số điều của Nghị định số 23/2015/NĐ-CP"
/* vbpl doc_000509: the amended Thông tư, then the one that amended it before ("tại"). */
#define DOC509_CLAUSE                                                                          \
    "7. Sửa đổi, bổ sung khoản 1, khoản 2 Điều 19 Thông tư số 38/2015/TT-BTC đã được sửa đổi, "   \
    "bổ sung tại khoản 8 Điều 1 Thông tư số 39/2018/TT-BTC như sau:"
/* vbpl doc_000160: a repealed decision that had corrected a Thông tư. */
#define DOC160_CLAUSE                                                                          \
    "2. Bãi bỏ Quyết định số 731/QĐ-BCT ngày 04 tháng 3 năm 2020 của Bộ trưởng Bộ Công Thương "  \
    "về việc đính chính Thông tư số 04/2020/TT-BCT ngày 22 tháng 01 năm 2020"

/* vbpl doc_000476: a repealed Thông tư whose name holds a decree's number. */
#define DOC476_CLAUSE                                                                          \
    "2. Thông tư số 28/2025/TT-BTC ngày 26 tháng 5 năm 2025 của Bộ Tài chính hướng dẫn mức chi "  \
    "tổ chức thực hiện công tác thi đua, khen thưởng tại điểm a khoản 1 Điều 52 Nghị định số "   \
    "98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số "    \
    "điều của Luật Thi đua, khen thưởng hết hiệu lực kể từ ngày Thông tư này có hiệu lực thi "    \
    "hành."
/* vbpl doc_000468: a repealed law after the laws that amended it. */
#define DOC468_CLAUSE                                                                          \
    "Luật Thi hành án dân sự số 26/2008/QH12 đã được sửa đổi, bổ sung một số điều theo Luật số "  \
    "64/2014/QH13, Luật số 23/2018/QH14, Luật số 67/2020/QH14, Luật số 03/2022/QH15, Luật số "    \
    "31/2024/QH15, Luật số 43/2024/QH15, Luật số 59/2024/QH15, Luật số 81/2025/QH15 và Luật số "  \
    "84/2025/QH15 (sau đây gọi là Luật Thi hành án dân sự số 26/2008/QH12) hết hiệu lực kể từ "   \
    "ngày Luật này có hiệu lực thi hành, trừ quy định tại khoản 1 Điều 116 của Luật này."

static const relation_case relation_cases[] = {
    {"based-on", "vbpl-doc_000128",
     "Căn cứ Nghị định số 85/2024/NĐ-CP ngày 10 tháng 7 năm 2024 của Chính phủ quy định chi tiết "
     "một số điều của Luật Giá;",
     "based_on", "85/2024/NĐ-CP", ""},
    /* The amending law of a basis is a basis too. */
    {"based-on-amended", "vbpl-doc_000011",
     "Căn cứ Luật Xây dựng số 50/2014/QH13 được sửa đổi, bổ sung bởi Luật số 62/2020/QH14;",
     "based_on", "62/2020/QH14", ""},
    {"replaces", "vbpl-doc_000050",
     "2. Thông tư này thay thế Thông tư số 295/2016/TT-BTC ngày 15 tháng 11 năm 2016 của Bộ "
     "trưởng Bộ Tài chính quy định mức thu, chế độ thu, nộp phí sử dụng kết cấu hạ tầng đường "
     "sắt.",
     "replaces", "295/2016/TT-BTC", ""},
    {"guides", "vbpl-doc_000013",
     "Hướng dẫn thực hiện một số nội dung tại Nghị định số 289/2025/NĐ-CP", "guides",
     "289/2025/NĐ-CP", ""},
    /* "quy định chi tiết" holds "định chỉ" (suspends) as whole words: the longer verb wins. */
    {"guides-detail", "vbpl-doc_000377",
     "Quy định chi tiết thi hành một số điều của Nghị định số 205/2025/NĐ-CP", "guides",
     "205/2025/NĐ-CP", ""},
    {"amends-article", "vbpl-doc_000475",
     "1. Sửa đổi, bổ sung Điều 2 Thông tư số 16/2025/TT-BXD về Hồ sơ trình phê duyệt như sau:",
     "amends", "16/2025/TT-BXD", "2"},
    /* (no vbpl sentence has this form: two articles in one clause) */
    {"amends-articles", NULL,
     "Sửa đổi, bổ sung Điều 5, Điều 7 của Thông tư số 13/2015/TT-BTC như sau:",
     "amends", "13/2015/TT-BTC", "5,7"},
    {"amends-khoan", "vbpl-doc_000276",
     "1. Sửa đổi, bổ sung khoản 1 Điều 6 Thông tư số 06/2017/TT-BVHTTDL như sau:", "amends",
     "06/2017/TT-BVHTTDL", "6"},
    {"amends-diem", "vbpl-doc_000276",
     "2. Sửa đổi, bổ sung điểm a khoản 2 Điều 6 Thông tư số 06/2017/TT-BVHTTDL như sau:",
     "amends", "06/2017/TT-BVHTTDL", "6"},
    {"amends-heading", "vbpl-doc_000366", DOC366_HEADING, "amends", "01/2020/TT-BTP", "23"},
    /* The verb after the amended number is that number's, not this document's. */
    {"amends-heading-then-guided", "vbpl-doc_000366", DOC366_HEADING, "cites", "23/2015/NĐ-CP",
     ""},
    {"repeals", "vbpl-doc_000013",
     "2. Bãi bỏ Điều 38 Thông tư số 47/2025/TT-BCT quy định về xây dựng, ban hành và tổ chức thi "
     "hành văn bản quy phạm pháp luật của Bộ Công Thương.",
     "repeals", "47/2025/TT-BCT", "38"},
    {"repeals-after", "vbpl-doc_000002",
     "2. Luật Hoạt động giám sát của Quốc hội và Hội đồng nhân dân số 87/2015/QH13 hết hiệu lực "
     "kể từ ngày Luật này có hiệu lực thi hành, trừ quy định tại khoản 2 Điều 45 của Luật này.",
     "repeals", "87/2015/QH13", ""},
    /* The repeal's words far after the number, past its date, issuer and name. */
    {"repeals-after-name", "vbpl-doc_000232",
     "2. Quyết định số 27/2018/QĐ-TTg ngày 06 tháng 7 năm 2018 của Thủ tướng Chính phủ ban hành "
     "Hệ thống ngành kinh tế Việt Nam hết hiệu lực kể từ ngày Quyết định này có hiệu lực.",
     "repeals", "27/2018/QĐ-TTg", ""},
    {"repeals-after-long-name", "vbpl-doc_000066",
     "3. Thông tư số 01/2024/TT-BNG ngày 15 tháng 7 năm 2024 của Bộ trưởng Bộ Ngoại giao về hướng "
     "dẫn thực hiện thi hành chi tiết một số điều của Luật Thi đua khen thưởng trong ngành Ngoại "
     "giao hết hiệu lực kể từ ngày Thông tư này có hiệu lực thi hành./.",
     "repeals", "01/2024/TT-BNG", ""},
    /* The repealed one is the subject, not the decree in its name. */
    {"repeals-after-other-number", "vbpl-doc_000476", DOC476_CLAUSE, "repeals", "28/2025/TT-BTC",
     ""},
    {"repeals-after-number-in-name", "vbpl-doc_000476", DOC476_CLAUSE, "cites", "98/2023/NĐ-CP",
     "52"},
    /* The repealed law, not the last of the laws that amended it. */
    {"repeals-after-amenders", "vbpl-doc_000468", DOC468_CLAUSE, "repeals", "26/2008/QH12", ""},
    {"repeals-after-amenders-last", "vbpl-doc_000468", DOC468_CLAUSE, "cites", "84/2025/QH15", ""},
    /* "hết hiệu lực" has its subject before it: a number after it is no repealed one. */
    {"ends-by-other", "vbpl-doc_000109",
     "Chương V của Nghị định này hết hiệu lực theo quy định của Nghị định số 140/2025/NĐ-CP, "
     "Nghị định số 144/2025/NĐ-CP.",
     "cites", "140/2025/NĐ-CP", ""},
    {"ends-except-other", "vbpl-doc_000066",
     "2. Thông tư này hết hiệu lực kể từ ngày 01/3/2027, trừ các trường hợp quy định tại khoản 1 "
     "Điều 60 Nghị định 152/2025/NĐ-CP quy định về phân cấp, phân quyền trong lĩnh vực thi đua, "
     "khen thưởng; hướng dẫn Luật Thi đua, khen thưởng.",
     "cites", "152/2025/NĐ-CP", "60"},
    {"repeals-corrector", "vbpl-doc_000160", DOC160_CLAUSE, "repeals", "731/QĐ-BCT", ""},
    {"repeals-corrector-corrected", "vbpl-doc_000160", DOC160_CLAUSE, "cites", "04/2020/TT-BCT",
     ""},
    /* (no vbpl sentence has this form: no vbpl document corrects another by number) */
    {"corrects", NULL, "Đính chính Nghị định số 05/2025/NĐ-CP như sau:", "corrects",
     "05/2025/NĐ-CP", ""},
    /* (no vbpl sentence has this form: vbpl names suspension only in a Căn cứ line) */
    {"suspends", NULL, "Đình chỉ thi hành Quyết định số 12/2025/QĐ-UBND.", "suspends",
     "12/2025/QĐ-UBND", ""},
    {"accent-free", NULL, "Sua doi, bo sung Dieu 4 Thong tu so 13/2015/TT-BTC.", "amends",
     "13/2015/TT-BTC", "4"},
    {"cites", "vbpl-doc_000457",
     "6. Hồ sơ đề nghị chấp thuận danh sách dự kiến nhân sự của tổ chức tài chính vi mô đã nộp "
     "đầy đủ cho Ngân hàng Nhà nước trước ngày Thông tư này có hiệu lực thi hành được tiếp tục "
     "xử lý theo quy định tại Thông tư số 33/2024/TT-NHNN.",
     "cites", "33/2024/TT-NHNN", ""},
    {"passive-tai-amended", "vbpl-doc_000509", DOC509_CLAUSE, "amends", "38/2015/TT-BTC", "19"},
    {"passive-tai", "vbpl-doc_000509", DOC509_CLAUSE, "cites", "39/2018/TT-BTC", "1"},
    /* A Căn cứ block: "Luật sửa đổi, bổ sung ..." is the name of a law. */
    {"named-amending-law", "vbpl-doc_000194",
     "Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính số 88/2025/QH15;",
     "cites", "88/2025/QH15", ""},
    /* The amended article was itself amended by another Thông tư. */
    {"passive-boi", "vbpl-doc_000142",
     "Điều 1. Sửa đổi, bổ sung khoản 8 Điều 25 được sửa đổi, bổ sung bởi khoản 1 Điều 2 Thông "
     "tư số 18/2025/TT-BTC",
     "cites", "18/2025/TT-BTC", "2"},
    /* Three amended Thông tư, each followed by the ones that amended it ("được sửa đổi, bổ sung
       bởi ..."); the second and third share the first one's verb. */
    {"coordinated-after-passive-second", "vbpl-doc_000142", DOC142_SENTENCE, "amends",
     "120/2020/TT-BTC", ""},
    {"coordinated-after-passive-third", "vbpl-doc_000142", DOC142_SENTENCE, "amends",
     "121/2020/TT-BTC", ""},
    {"coordinated-after-passive-agent", "vbpl-doc_000142", DOC142_SENTENCE, "cites",
     "18/2025/TT-BTC", ""},
    {"coordinated-after-passive-agent-again", "vbpl-doc_000142", DOC142_SENTENCE, "cites",
     "68/2024/TT-BTC", ""},
    /* vbpl doc_000028's Điều 10 with a passive added at the end (so made up): a passive in a
       later clause does not make the heading's last amender an object of "Sửa đổi". */
    {"passive-agent-before-next-line", NULL,
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
    const char *vbpl_id; /* as in relation_case */
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
    {"words", "vbpl-doc_000052",
     "Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2026.", "2026-01-01", NULL},
    {"signing", "vbpl-doc_000006", "1. Nghị định này có hiệu lực thi hành kể từ ngày ký ban hành.",
     "2025-11-10", NULL},
    {"signing-ky", "vbpl-doc_000012", "1. Thông tư này có hiệu lực thi hành kể từ ngày ký.",
     "2025-11-10", NULL},
    /* (no vbpl sentence has this form) */
    {"after-days", NULL, "Thông tư này có hiệu lực sau 45 ngày kể từ ngày ký.", "2025-12-25",
     NULL},
    /* A space after the first slash. */
    {"slashes", "vbpl-doc_000349", "1. Thông tư này có hiệu lực thi hành kể từ ngày 12/ 02/2026",
     "2026-02-12", NULL},
    {"accent-free", NULL, "Thong tu nay co hieu luc ke tu ngay 16 thang 02 nam 2026.", "2026-02-16",
     NULL},
    {"end-words", "vbpl-doc_000291",
     "1. Thông tư này có hiệu lực kể từ ngày 15 tháng 02 năm 2026 và hết hiệu lực kể từ ngày 01 "
     "tháng 3 năm 2027.",
     "2026-02-15", "2027-03-01"},
    {"end-self", "vbpl-doc_000066",
     "1. Thông tư này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2026.\n2. Thông tư này hết "
     "hiệu lực kể từ ngày 01/3/2027, trừ các trường hợp quy định tại khoản 1 Điều 60 Nghị định "
     "152/2025/NĐ-CP quy định về phân cấp, phân quyền trong lĩnh vực thi đua, khen thưởng; hướng "
     "dẫn Luật Thi đua, khen thưởng.",
     "2026-01-01", "2027-03-01"},
    /* Another law's article ends, not this law ("riêng quy định tại Điều 51 của Luật ..."). */
    {"end-other-law", "vbpl-doc_000025",
     "3. Luật Quản lý thuế số 38/2019/QH14 đã được sửa đổi, bổ sung một số điều theo Luật số "
     "56/2024/QH15 (sau đây gọi là Luật Quản lý thuế số 38/2019/QH14) hết hiệu lực thi hành kể "
     "từ ngày Luật này có hiệu lực thi hành, trừ quy định tại khoản 1 và khoản 3 Điều 53 của Luật "
     "này; riêng quy định tại Điều 51 của Luật Quản lý thuế số 38/2019/QH14 hết hiệu lực thi hành "
     "kể từ ngày 01 tháng 01 năm 2026.",
     NULL, NULL},
    /* (no vbpl sentence has this form) */
    {"until", NULL,
     "Thông tư này có hiệu lực từ ngày ký và có hiệu lực đến hết ngày 31 tháng 12 năm 2026.",
     "2025-11-10", "2026-12-31"},
    /* A fee's period, from the day the Thông tư is in force: not the Thông tư's end. */
    {"until-other", "vbpl-doc_000050",
     "a) Kể từ ngày Thông tư này có hiệu lực thi hành đến hết ngày 31 tháng 12 năm 2027, mức thu "
     "phí sử dụng kết cấu hạ tầng đường sắt quốc gia do Nhà nước đầu tư là 2% trên doanh thu kinh "
     "doanh vận tải đường sắt.",
     NULL, NULL},
    /* (no vbpl sentence has this form) */
    {"term", NULL, "Thông tư này có hiệu lực trong thời hạn 12 tháng kể từ ngày ký.", NULL,
     "2026-11-09"},
    /* An approval's term, not the Thông tư's. */
    {"term-other", "vbpl-doc_000352",
     "3. Văn bản chấp thuận của Ngân hàng Nhà nước, Cục Quản lý, giám sát tổ chức tín dụng có "
     "hiệu lực trong thời hạn 12 tháng kể từ ngày ký.",
     NULL, NULL},
    {"not-a-date", NULL, "Thông tư này có hiệu lực từ ngày 31 tháng 02 năm 2026.", NULL, NULL},
    /* "từ" without "ngày". */
    {"without-ngay", "vbpl-doc_000340",
     "1. Nghị định này có hiệu lực thi hành từ 01 tháng 01 năm 2026.",
     "2026-01-01", NULL, NULL},
    /* vbpl doc_000083, two of its sentences (so made up): "Các quyết định này" are the court's
       decisions, not the law. */
    {"other-kind-nay", NULL,
     "Các quyết định này có hiệu lực kể từ ngày ký ban hành và phải được gửi ngay cho Viện kiểm "
     "sát nhân dân cùng cấp.\nĐiều 47. Hiệu lực thi hành\n1. Luật này có hiệu lực thi hành từ "
     "ngày 01 tháng 7 năm 2026.\nLuật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam "
     "khóa XV, Kỳ họp thứ 10 thông qua ngày 26 tháng 11 năm 2025.",
     "2026-07-01", NULL, LAW_HEADER},
    /* Passed "tại Phiên họp thứ 49 ngày ...", the only date of the text. */
    {"passed-at-session", "vbpl-doc_000032",
     "Nghị quyết này có hiệu lực thi hành từ ngày thông qua./.\nNghị quyết này được Ủy ban "
     "Thường vụ Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XV thông qua tại Phiên "
     "họp thứ 49 ngày 26 tháng 9 năm 2025.",
     "2025-09-26", NULL, RESOLUTION_HEADER},
    /* The same, with the programme's table after the signature, more than the tail's 40 lines
       (made up around doc_000032's lines). */
    {"passed-before-appendix", NULL,
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

/* Every case said to be copied from a vbpl document still is, word for word. */
static void
test_verbatim(void)
{
    if (!tracuu_test_vbpl_texts())
        return; /* skipped: no shared data */
    guint n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(relation_cases); i++)
        if (relation_cases[i].vbpl_id) {
            tracuu_test_assert_vbpl_excerpt(relation_cases[i].vbpl_id, relation_cases[i].body);
            n++;
        }
    for (size_t i = 0; i < G_N_ELEMENTS(validity_cases); i++)
        if (validity_cases[i].vbpl_id) {
            tracuu_test_assert_vbpl_excerpt(validity_cases[i].vbpl_id, validity_cases[i].body);
            n++;
        }
    g_assert_cmpuint(n, >, 0);
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
    g_test_add_func("/docmeta-relations/verbatim-in-vbpl", test_verbatim);
    return g_test_run();
}
