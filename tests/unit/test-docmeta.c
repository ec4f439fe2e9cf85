/* test-docmeta.c - unit tests of the header reader for Vietnamese official documents. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tracuu-docmeta.h"
#include "tracuu-test.h"
#include "tracuu-tokenizer.h"

/* ---------------------------------------------------------------------------------------- */
/* Header layouts: every field is checked; NULL means the field must be NULL. */

typedef struct {
    const char *name;
    const char *text;
    const char *number, *doc_type, *issuer, *date, *place, *title, *signer;
} header_case;

static const header_case header_cases[] = {
    {"nghi-dinh",
     "CHÍNH PHỦ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "---------------\nSố: 249/2025/NĐ-CP\nHà Nội, ngày 19 tháng 09 năm 2025\nNGHỊ ĐỊNH\n"
     "Quy định cơ chế, chính sách thu hút chuyên gia khoa học, công nghệ\n"
     "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;\n"
     "Chính phủ ban hành Nghị định quy định cơ chế, chính sách thu hút chuyên gia.\n"
     "Điều 1. Phạm vi điều chỉnh\nNghị định này quy định ...\n"
     "TM. CHÍNH PHỦ\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n(Đã ký)\nNguyễn Hòa Bình\n",
     "249/2025/NĐ-CP", "Nghị định", "Chính phủ", "2025-09-19", "Hà Nội",
     "Quy định cơ chế, chính sách thu hút chuyên gia khoa học, công nghệ", "Nguyễn Hòa Bình"},

    {"quyet-dinh-thu-tuong",
     "THỦ TƯỚNG CHÍNH PHỦ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\n---------------\nSố: 1115/QĐ-TTg\n"
     "Hà Nội, ngày 20 tháng 6 năm 2026\nQUYẾT ĐỊNH\nBan hành Kế hoạch triển khai thực hiện\n"
     "Thông báo 64-TB/VPTW của Văn phòng Trung ương Đảng\n_______\nTHỦ TƯỚNG CHÍNH PHỦ\n"
     "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;\n"
     "Theo đề nghị của Bộ trưởng Bộ Xây dựng;\nQUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo ...\n"
     "Nơi nhận:\n- Như Điều 3;\n- Lưu: VT, CN.\nKT. THỦ TƯỚNG\nPHÓ THỦ TƯỚNG\n\nTrần Hồng Hà\n",
     "1115/QĐ-TTg", "Quyết định", "Thủ tướng Chính phủ", "2026-06-20", "Hà Nội",
     "Ban hành Kế hoạch triển khai thực hiện Thông báo 64-TB/VPTW của Văn phòng Trung ương Đảng",
     "Trần Hồng Hà"},

    /* pdftotext -layout: the two header columns on the same lines, an en dash in the number,
       and the issuer never written in mixed case in the text. */
    {"thong-tu-side-by-side",
     "          BỘ TÀI CHÍNH                        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "            -------                                Độc lập - Tự do - Hạnh phúc\n"
     "                                                     ---------------\n"
     "     Số: 11/2026/TT–BTC                        Hà Nội, ngày 10 tháng 02 năm 2026\n"
     "\n"
     "                                    THÔNG TƯ\n"
     "        Quy định mức thu, chế độ thu, nộp phí thuộc lĩnh vực đường sắt\n"
     "\n"
     "   Căn cứ Luật Phí và lệ phí số 97/2015/QH13;\n"
     "   Điều 1. Phạm vi điều chỉnh\n"
     "                                                    KT. BỘ TRƯỞNG\n"
     "                                                    THỨ TRƯỞNG\n"
     "\n"
     "                                                   Cao Anh Tuấn\n",
     "11/2026/TT-BTC", "Thông tư", "Bộ Tài chính", "2026-02-10", "Hà Nội",
     "Quy định mức thu, chế độ thu, nộp phí thuộc lĩnh vực đường sắt", "Cao Anh Tuấn"},

    /* A Chỉ thị dated "ngày 3/12/2008". */
    {"chi-thi",
     "THỦ TƯỚNG CHÍNH PHỦ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Số: 34/2008/CT-TTg\nHà Nội, ngày 3/12/2008\nCHỈ THỊ\n"
     "Về việc tăng cường sử dụng hệ thống thư điện tử trong hoạt động của cơ quan nhà nước\n"
     "Thời gian qua, việc ứng dụng công nghệ thông tin ... Thủ tướng Chính phủ chỉ thị:\n"
     "1. Các Bộ, cơ quan ngang Bộ ...\nTHỦ TƯỚNG\nNguyễn Tấn Dũng\n",
     "34/2008/CT-TTg", "Chỉ thị", "Thủ tướng Chính phủ", "2008-12-03", "Hà Nội",
     "Về việc tăng cường sử dụng hệ thống thư điện tử trong hoạt động của cơ quan nhà nước",
     "Nguyễn Tấn Dũng"},

    /* A công văn: no type heading, recognised by its ký hiệu and its "V/v". */
    {"cong-van-vv",
     "           BỘ GIÁO DỤC VÀ ĐÀO TẠO                         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT "
     "NAM\n"
     "          CỤC CÔNG NGHỆ THÔNG TIN                                  Độc lập - Tự do - Hạnh "
     "phúc\n"
     "               Số: 2154/BGDĐT-CNTT                                Hà Nội, ngày 10 tháng 08 "
     "năm 2026\n"
     "\n"
     " V/v Hướng dẫn triển khai chuyển đổi số năm học 2026-2027\n"
     "\n"
     " Kính gửi: Các Sở Giáo dục và Đào tạo;\n"
     "     Thực hiện Quyết định số 749/QĐ-TTg, Cục Công nghệ thông tin hướng dẫn như sau:\n"
     "Nơi nhận:                                                     KT. CỤC TRƯỞNG\n"
     "- Như trên;                                                  PHÓ CỤC TRƯỞNG\n"
     "- Lưu: VT, CNTT.\n"
     "                                                                   Nguyễn Văn Phúc\n",
     "2154/BGDĐT-CNTT", "Công văn", "Cục Công nghệ thông tin", "2026-08-10", "Hà Nội",
     "V/v Hướng dẫn triển khai chuyển đổi số năm học 2026-2027", "Nguyễn Văn Phúc"},

    {"thong-bao",
     "VĂN PHÒNG CHÍNH PHỦ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\n---------------\nSố: 312/TB-VPCP\n"
     "Hà Nội, ngày 15 tháng 7 năm 2025\nTHÔNG BÁO\n"
     "Kết luận của Phó Thủ tướng tại cuộc họp về chuyển đổi số\n"
     "Ngày 10 tháng 7 năm 2025, Phó Thủ tướng đã chủ trì cuộc họp. Văn phòng Chính phủ thông báo:\n"
     "Nơi nhận:\n- Lưu: VT.\nKT. BỘ TRƯỞNG, CHỦ NHIỆM\nPHÓ CHỦ NHIỆM\nNguyễn Sỹ Hiệp\n",
     "312/TB-VPCP", "Thông báo", "Văn phòng Chính phủ", "2025-07-15", "Hà Nội",
     "Kết luận của Phó Thủ tướng tại cuộc họp về chuyển đổi số", "Nguyễn Sỹ Hiệp"},

    /* A resolution of the Standing Committee: "Nghị quyết số:", no date line, the name of the
       committee cut over two lines, a title in capitals and the authority line after it. */
    {"nghi-quyet",
     "ỦY BAN THƯỜNG VỤ\nQUỐC HỘI\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\n---------------\nNghị quyết số: 105/2025/UBTVQH15\n"
     "NGHỊ QUYẾT\nCHƯƠNG TRÌNH LẬP PHÁP NĂM 2026\nỦY BAN THƯỜNG VỤ QUỐC HỘI\n"
     "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n"
     "Ủy ban Thường vụ Quốc hội ban hành Nghị quyết.\n"
     "TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI\nCHỦ TỊCH\nTrần Thanh Mẫn\n",
     "105/2025/UBTVQH15", "Nghị quyết", "Ủy ban Thường vụ Quốc hội", NULL, NULL,
     "Chương trình lập pháp năm 2026", "Trần Thanh Mẫn"},

    /* A provincial decision signed for the committee by a vice-chairman. */
    {"ubnd-tinh",
     "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\n---------------\nSố: 25/2024/QĐ-UBND\n"
     "Nghệ An, ngày 29 tháng 02 năm 2024\nQUYẾT ĐỊNH\n"
     "Ban hành Quy định quản lý cụm công nghiệp trên địa bàn tỉnh Nghệ An\n"
     "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN\nCăn cứ Luật Tổ chức chính quyền địa phương;\n"
     "QUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này ... Ủy ban nhân dân tỉnh Nghệ An ...\n"
     "Nơi nhận:\n- Như Điều 3;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n"
     "\nLê Hồng Vinh\n",
     "25/2024/QĐ-UBND", "Quyết định", "Ủy ban nhân dân tỉnh Nghệ An", "2024-02-29", "Nghệ An",
     "Ban hành Quy định quản lý cụm công nghiệp trên địa bàn tỉnh Nghệ An", "Lê Hồng Vinh"},

    /* A law: "Luật số:", no date in the header, the date it was passed at the end. */
    {"luat",
     "QUỐC HỘI\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "---------------\nLuật số: 116/2025/QH15\nLUẬT\nAN NINH MẠNG\n"
     "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n"
     "Quốc hội ban hành Luật An ninh mạng.\nĐiều 1. Phạm vi điều chỉnh\n"
     "Luật này được Quốc hội khóa XV, kỳ họp thứ 10 thông qua ngày 10 tháng 12 năm 2025.\n"
     "CHỦ TỊCH QUỐC HỘI\nTrần Thanh Mẫn\n",
     "116/2025/QH15", "Luật", "Quốc hội", "2025-12-10", NULL, "An ninh mạng", "Trần Thanh Mẫn"},

    /* Poppler's reading order: the columns interleaved line by line. */
    {"interleaved-columns",
     "BỘ GIÁO DỤC VÀ ĐÀO TẠO\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCỤC CÔNG NGHỆ THÔNG TIN\n"
     "Độc lập - Tự do - Hạnh phúc\nSố: 2154/BGDĐT-CNTT\nHà Nội, ngày 10 tháng 08 năm 2026\n"
     "V/v: Hướng dẫn lưu trữ công văn\nKính gửi: Các Sở Giáo dục và Đào tạo.\n",
     "2154/BGDĐT-CNTT", "Công văn", "Cục Công nghệ thông tin", "2026-08-10", "Hà Nội",
     "V/v Hướng dẫn lưu trữ công văn", NULL},

    /* Poppler's order for a two-level issuer: the parent, the motto, the date, then the
       issuing unit and its number. */
    {"poppler-order-unit-after-date",
     "TẬP ĐOÀN BƯU CHÍNH VIỄN THÔNG VIỆT\nNAM\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 12 tháng 08 năm 2026\n"
     "BAN CÔNG NGHỆ THÔNG TIN\nSố: 145/TB-VNPT-IT\nTHÔNG BÁO\n"
     "Về việc nâng cấp hệ thống kết nối\n"
     "Kính gửi: Các Đơn vị thành viên.\nBan Công nghệ Thông tin thông báo như sau:\n"
     "TRƯỞNG BAN CÔNG NGHỆ THÔNG TIN\n[ KÝ BỞI CHỮ KÝ SỐ HỢP LỆ ]\nDương Thành Long\n",
     "145/TB-VNPT-IT", "Thông báo", "Ban Công nghệ Thông tin", "2026-08-12", "Hà Nội",
     "Về việc nâng cấp hệ thống kết nối", "Dương Thành Long"},

    /* Poppler ran the issuer's first line and the motto into one line. */
    {"poppler-merged-motto",
     "TRƯỜNG CAO ĐẲNG NGHỀ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCÔNG NGHỆ CAO HÀ NỘI\n"
     "Độc lập - Tự do - Hạnh phúc\nSố: 172/CĐN-TGNC\nHà Nội, ngày 05 tháng 9 năm 2023\n"
     "V/v tổ chức tuyển sinh và đào\ntạo năm học 2023 - 2024\n"
     "Kính gửi: Các phòng, khoa, trung tâm thuộc Trường.\n",
     "172/CĐN-TGNC", "Công văn", "Trường Cao đẳng nghề Công nghệ cao Hà Nội", "2023-09-05",
     "Hà Nội", "V/v tổ chức tuyển sinh và đào tạo năm học 2023 - 2024", NULL},

    /* The year of the date alone on the next line. */
    {"date-over-two-lines",
     "ỦY BAN NHÂN DÂN\nTỈNH THỪA THIÊN HUẾ\nSố: 87/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nThừa Thiên Huế, ngày 12 tháng 4 năm\n2021\nKẾ HOẠCH\n"
     "Chuyển đổi số tỉnh Thừa Thiên Huế năm 2021\n"
     "Thực hiện Quyết định số 749/QĐ-TTg, Ủy ban nhân dân tỉnh Thừa Thiên Huế ban hành Kế hoạch.\n",
     "87/KH-UBND", "Kế hoạch", "Ủy ban nhân dân tỉnh Thừa Thiên Huế", "2021-04-12",
     "Thừa Thiên Huế", "Chuyển đổi số tỉnh Thừa Thiên Huế năm 2021", NULL},

    /* In poppler's text the body follows the trích yếu with nothing between them: a line with
       a capital after a complete trích yếu is the body; one after a name cut in two is not. */
    {"body-right-after-title",
     "CHÍNH PHỦ\nSố: 36a/NQ-CP\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Hà Nội, ngày 14 tháng 10 năm 2015\nNGHỊ QUYẾT\nVề Chính phủ điện tử\n"
     "Sau 05 năm thực hiện Quyết định số 1605/QĐ-TTg ngày 27 tháng 8 năm\n"
     "2010 của Thủ tướng Chính phủ, việc ứng dụng công nghệ thông tin trong\nQUYẾT NGHỊ:\n",
     "36a/NQ-CP", "Nghị quyết", "Chính phủ", "2015-10-14", "Hà Nội", "Về Chính phủ điện tử", NULL},
    {"title-name-cut-over-lines",
     "BỘ XÂY DỰNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Số: 1234/QĐ-BXD\nHà Nội, ngày 15 tháng 8 năm 2025\nQUYẾT ĐỊNH\n"
     "Công bố vùng nước cảng biển thuộc địa phận tỉnh Gia\n"
     "Lai và khu vực quản lý của Cảng vụ Hàng hải Quy Nhơn\n"
     "Căn cứ Bộ luật Hàng hải Việt Nam;\nBộ trưởng Bộ Xây dựng ban hành Quyết định.\n",
     "1234/QĐ-BXD", "Quyết định", "Bộ Xây dựng", "2025-08-15", "Hà Nội",
     "Công bố vùng nước cảng biển thuộc địa phận tỉnh Gia Lai và khu vực quản lý của Cảng vụ "
     "Hàng hải Quy Nhơn",
     NULL},

    /* A joint circular is issued by every organ of its header. */
    {"joint-circular",
     "BỘ TƯ PHÁP - BỘ CÔNG AN - TÒA ÁN NHÂN DÂN TỐI CAO\nSố: 29/2025/TTLT-BTP-BCA-TANDTC\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Hà Nội, ngày 31 tháng 12 năm 2025\nTHÔNG TƯ LIÊN TỊCH\nQuy định về phối hợp trợ giúp pháp "
     "lý\n"
     "Căn cứ Luật Trợ giúp pháp lý số 11/2017/QH14;\n",
     "29/2025/TTLT-BTP-BCA-TANDTC", "Thông tư liên tịch",
     "Bộ Tư pháp - Bộ Công an - Tòa án nhân dân tối cao", "2025-12-31", "Hà Nội",
     "Quy định về phối hợp trợ giúp pháp lý", NULL},

    /* The date inside a trích yếu is not the date of the document; a number cut at its dash
       at the end of a line is joined back. */
    {"date-in-title-only",
     "CHÍNH PHỦ\nSố: 224/2025/NĐ-CP\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNGHỊ ĐỊNH\n"
     "Sửa đổi, bổ sung Điều 5 Nghị định số 22/2019/NĐ-\nCP ngày 25 tháng 02 năm 2019\n"
     "Căn cứ Luật Tổ chức Chính phủ;\n",
     "224/2025/NĐ-CP", "Nghị định", "Chính phủ", NULL, NULL,
     "Sửa đổi, bổ sung Điều 5 Nghị định số 22/2019/NĐ-CP ngày 25 tháng 02 năm 2019", NULL},

    /* 31 February does not exist: no date rather than a wrong one. */
    {"invalid-date",
     "BỘ Y TẾ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Số: 05/2024/TT-BYT\nHà Nội, ngày 31 tháng 02 năm 2024\nTHÔNG TƯ\nQuy định về dược liệu\n"
     "Căn cứ Luật Dược;\nBộ trưởng Bộ Y tế ban hành Thông tư.\n",
     "05/2024/TT-BYT", "Thông tư", "Bộ Y tế", NULL, NULL, "Quy định về dược liệu", NULL},

    /* A byte order mark before the issuer and a left-to-right mark before the place, as text
       saved from web pages has them. */
    {"invisible-format-characters",
     "\xef\xbb\xbf"
     "BỘ NỘI VỤ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "\xef\xbb\xbf"
     "Số: 26/2025/TT-BNV\n\xe2\x80\x8e"
     "Hà Nội, ngày 29 tháng 12 năm 2025\nTHÔNG TƯ\n"
     "Ban hành Danh mục vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn\n"
     "Căn cứ Bộ luật Lao động;\nBộ trưởng Bộ Nội vụ ban hành Thông tư.\n",
     "26/2025/TT-BNV", "Thông tư", "Bộ Nội vụ", "2025-12-29", "Hà Nội",
     "Ban hành Danh mục vùng có điều kiện kinh tế - xã hội đặc biệt khó khăn", NULL},

    /* Spaces inside the number, as the portal sometimes writes it. */
    {"number-with-spaces",
     "NGÂN HÀNG NHÀ NƯỚC\nVIỆT NAM\n-------\nSố: 81 /2025/TT- NHNN\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Hà Nội, ngày 31 tháng 12 năm 2025\nTHÔNG TƯ\nQuy định về hoạt động chiết khấu\n"
     "Căn cứ Luật Ngân hàng Nhà nước Việt Nam số 46/2010/QH12;\n",
     "81/2025/TT-NHNN", "Thông tư", "Ngân hàng Nhà nước Việt Nam", "2025-12-31", "Hà Nội",
     "Quy định về hoạt động chiết khấu", NULL},

    /* The signature where the body ends, then an appendix longer than the end that is read
       first, with a form signed by a placeholder. */
    {"signature-before-appendix",
     "BỘ TÀI CHÍNH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Số: 12/2025/TT-BTC\nHà Nội, ngày 05 tháng 3 năm 2025\nTHÔNG TƯ\n"
     "Quy định mẫu biên bản giao nhận tài sản\nCăn cứ Luật Ngân sách nhà nước;\n"
     "Bộ trưởng Bộ Tài chính ban hành Thông tư.\nĐiều 1. Ban hành kèm theo các mẫu.\n"
     "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n(Đã ký)\nCao Anh Tuấn\nPHỤ LỤC\nMẫu số 01\n"
     "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
     "21\n22\n23\n24\n25\n26\n27\n28\n29\n30\n31\n32\n33\n34\n35\n36\n37\n38\n39\n40\n"
     "Nơi nhận:\n- Như trên;\nTHỦ TRƯỞNG ĐƠN VỊ\n(ký tên, đóng dấu)\nNguyễn Văn A\n"
     "41\n42\n43\n44\n45\n46\n47\n48\n49\n50\n",
     "12/2025/TT-BTC", "Thông tư", "Bộ Tài chính", "2025-03-05", "Hà Nội",
     "Quy định mẫu biên bản giao nhận tài sản", "Cao Anh Tuấn"},

    /* Phụ lục II, III.1.a of Nghị định 30: the noun of an administrative unit is in lower case
       before the unit's name, even where the text writes "Thành phố Hà Nội". */
    {"issuer-city-noun-lowercase",
     "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\nSố: 2345/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 15 tháng 6 năm 2009\nQUYẾT ĐỊNH\n"
     "Ban hành Quy chế quản lý thư điện tử của\nThành phố Hà Nội\n"
     "Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân;\n",
     "2345/QĐ-UBND", "Quyết định", "Ủy ban nhân dân thành phố Hà Nội", "2009-06-15", "Hà Nội",
     "Ban hành Quy chế quản lý thư điện tử của Thành phố Hà Nội", NULL},

    /* III.1.c: "Thành phố Hồ Chí Minh" keeps its capital; "UBND" and "TP." are written out. */
    {"issuer-hcm-special-case",
     "UBND TP. HỒ CHÍ MINH\nSố: 18/CT-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nTP. Hồ Chí Minh, ngày 3 tháng 10 năm 2024\nCHỈ THỊ\n"
     "Về tăng cường công tác phòng cháy\nThực hiện chỉ đạo của thành phố hồ chí minh về an toàn.\n",
     "18/CT-UBND", "Chỉ thị", "Ủy ban nhân dân Thành phố Hồ Chí Minh", "2024-10-03",
     "TP. Hồ Chí Minh", "Về tăng cường công tác phòng cháy", NULL},

    /* III.1.b: a unit named by a number keeps its noun's capital, and the digit does not keep
       the line out of the issuer. */
    {"issuer-numbered-district",
     "ỦY BAN NHÂN DÂN\nQUẬN 1\nSố: 77/TB-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNgày 8 tháng 12 năm 2025\nTHÔNG BÁO\nLịch tiếp công dân\n"
     "Kính gửi: Các phường.\n",
     "77/TB-UBND", "Thông báo", "Ủy ban nhân dân Quận 1", "2025-12-08", NULL, "Lịch tiếp công dân",
     NULL},

    /* III.1.a with nothing in the text to copy: every syllable of the place takes a capital
       ("Hội đồng nhân dân tỉnh Sơn La" is the example of IV.1.a). */
    {"issuer-place-from-rule",
     "HỘI ĐỒNG NHÂN DÂN\nTỈNH SƠN LA\nSố: 12/NQ-HĐND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNgày 10 tháng 12 năm 2024\nNGHỊ QUYẾT\n"
     "Về kế hoạch đầu tư công năm 2025\nCăn cứ Luật Đầu tư công;\n",
     "12/NQ-HĐND", "Nghị quyết", "Hội đồng nhân dân tỉnh Sơn La", "2024-12-10", NULL,
     "Về kế hoạch đầu tư công năm 2025", NULL},

    /* IV.1.a: the words naming the type of an organ and its field take capitals where the
       text never writes the name. */
    {"issuer-school-type-and-field",
     "TRƯỜNG ĐẠI HỌC BÁCH KHOA HÀ NỘI\nSố: 58/TB-ĐHBK\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 14 tháng 8 năm 2026\nTHÔNG BÁO\n"
     "Về lịch nghỉ hè\nKính gửi: Các khoa, viện.\n",
     "58/TB-ĐHBK", "Thông báo", "Trường Đại học Bách khoa Hà Nội", "2026-08-14", "Hà Nội",
     "Về lịch nghỉ hè", NULL},

    /* More type words (Tổng Liên đoàn, Thông tấn xã) and the bodies of the State, named as
       Phụ lục II writes them where the text does not. */
    {"issuer-state-body",
     "ỦY BAN THƯỜNG VỤ\nQUỐC HỘI\nSố: 1021/NQ-UBTVQH15\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNgày 10 tháng 5 năm 2024\nNGHỊ QUYẾT\n"
     "Về thành lập thị xã\nCăn cứ Hiến pháp;\n",
     "1021/NQ-UBTVQH15", "Nghị quyết", "Ủy ban Thường vụ Quốc hội", "2024-05-10", NULL,
     "Về thành lập thị xã", NULL},
    {"issuer-union",
     "TỔNG LIÊN ĐOÀN LAO ĐỘNG\nVIỆT NAM\nSố: 45/HD-TLĐ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNgày 2 tháng 4 năm 2024\nHƯỚNG DẪN\nVề đại hội công đoàn\n"
     "Căn cứ Điều lệ;\n",
     "45/HD-TLĐ", "Hướng dẫn", "Tổng Liên đoàn Lao động Việt Nam", "2024-04-02", NULL,
     "Về đại hội công đoàn", NULL},
    {"issuer-news-agency",
     "THÔNG TẤN XÃ VIỆT NAM\nSố: 88/QĐ-TTX\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNgày 9 tháng 9 năm 2024\nQUYẾT ĐỊNH\nVề quy chế tin\n"
     "Căn cứ Nghị định;\n",
     "88/QĐ-TTX", "Quyết định", "Thông tấn xã Việt Nam", "2024-09-09", NULL, "Về quy chế tin",
     NULL},

    /* "xã hội" in a ministry's name is no commune: it keeps the capital the text gives it,
       with no capital put on "hội". */
    {"issuer-not-places",
     "BỘ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI\nSố: 05/2021/TT-BLĐTBXH\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Hà Nội, ngày 07 tháng 7 năm 2021\nTHÔNG TƯ\nQuy định quy chế tuyển sinh\n"
     "Căn cứ Luật Giáo dục nghề nghiệp;\n"
     "Bộ trưởng Bộ Lao động - Thương binh và Xã hội ban hành Thông tư.\n",
     "05/2021/TT-BLĐTBXH", "Thông tư", "Bộ Lao động - Thương binh và Xã hội", "2021-07-07",
     "Hà Nội", "Quy định quy chế tuyển sinh", NULL},

    /* Every value shown goes through tracuu_text_fix_tones(): "Uỷ", "Hoá", "Hoà" become "Ủy",
       "Hóa", "Hòa", so that a facet does not split on the tone placement a text uses. */
    {"tone-placement",
     "UỶ BAN NHÂN DÂN\nTỈNH THANH HOÁ\nSố: 05/CT-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nThanh Hoá, ngày 20 tháng 3 năm 2012\nCHỈ THỊ\n"
     "Về việc quản lý hoá chất\nNăm 2011, Uỷ ban nhân dân tỉnh Thanh Hoá đã chỉ đạo.\n"
     "TM. UỶ BAN NHÂN DÂN\nCHỦ TỊCH\nLê Thị Hoà\n",
     "05/CT-UBND", "Chỉ thị", "Ủy ban nhân dân tỉnh Thanh Hóa", "2012-03-20", "Thanh Hóa",
     "Về việc quản lý hóa chất", "Lê Thị Hòa"},

    /* Two-level headers: the issuing body is the lower line, qualified by the place of a
       provincial authority above it. As HTML tables come out: one tab before each column. */
    {"two-level-province-tabs",
     "\tUBND TỈNH QUẢNG NAM\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "\tSỞ THÔNG TIN VÀ TRUYỀN THÔNG\tĐộc lập - Tự do - Hạnh phúc\n"
     "\tSố: 45/BC-STTTT\tQuảng Nam, ngày 20 tháng 12 năm 2022\nBÁO CÁO\n"
     "Kết quả triển khai thư điện tử công vụ năm 2022\n"
     "Thực hiện Chỉ thị số 34/2008/CT-TTg, Sở Thông tin và Truyền thông báo cáo như sau:\n",
     "45/BC-STTTT", "Báo cáo", "Sở Thông tin và Truyền thông tỉnh Quảng Nam", "2022-12-20",
     "Quảng Nam", "Kết quả triển khai thư điện tử công vụ năm 2022", NULL},
    {"two-level-hcm",
     "UBND THÀNH PHỐ HỒ CHÍ MINH\nSỞ GIÁO DỤC VÀ ĐÀO TẠO\nSố: 12/GM-SGDĐT\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Thành phố Hồ Chí Minh, ngày 08 tháng 01 năm 2024\nGIẤY MỜI\n"
     "Dự Hội nghị tổng kết công tác chuyển đổi số\nKính gửi: Hiệu trưởng các trường.\n",
     "12/GM-SGDĐT", "Giấy mời", "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", "2024-01-08",
     "Thành phố Hồ Chí Minh", "Dự Hội nghị tổng kết công tác chuyển đổi số", NULL},
    {"two-level-department",
     "UBND TỈNH NGHỆ AN\nSỞ NỘI VỤ\nSố: 56/TTr-SNV\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNghệ An, ngày 10 tháng 7 năm 2023\nTỜ TRÌNH\n"
     "Về việc ban hành Quy chế công tác văn thư\nKính gửi: Ủy ban nhân dân tỉnh Nghệ An.\n"
     "Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét.\n",
     "56/TTr-SNV", "Tờ trình", "Sở Nội vụ tỉnh Nghệ An", "2023-07-10", "Nghệ An",
     "Về việc ban hành Quy chế công tác văn thư", NULL},
    /* A unit that names its place already is not named twice. */
    {"two-level-own-place",
     "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI\nSỞ Y TẾ HÀ NỘI\nSố: 310/SYT-NVY\n"
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
     "Hà Nội, ngày 02 tháng 02 năm 2024\nV/v phòng chống dịch bệnh mùa đông\n"
     "Kính gửi: Các bệnh viện.\n",
     "310/SYT-NVY", "Công văn", "Sở Y tế Hà Nội", "2024-02-02", "Hà Nội",
     "V/v phòng chống dịch bệnh mùa đông", NULL},
    /* A bare "VĂN PHÒNG" is the office of the body above it. */
    {"two-level-office",
     "UBND TỈNH NGHỆ AN\nVĂN PHÒNG\nSố: 1021/VP-TH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nNghệ An, ngày 04 tháng 3 năm 2024\n"
     "V/v lịch làm việc của lãnh đạo tỉnh\nKính gửi: Các sở, ban, ngành.\n",
     "1021/VP-TH", "Công văn", "Văn phòng Ủy ban nhân dân tỉnh Nghệ An", "2024-03-04", "Nghệ An",
     "V/v lịch làm việc của lãnh đạo tỉnh", NULL},
    /* Under a ministry the unit is named alone: "Tổng cục Thuế", not "... Bộ Tài chính"; and
       the type word is cased by the rule, where the text's "Cục Thuế các tỉnh" would give
       "Tổng Cục". */
    {"two-level-ministry",
     "BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ\nSố: 4521/TCT-CS\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Độc lập - Tự do - Hạnh phúc\nHà Nội, ngày 12 tháng 11 năm 2024\n"
     "V/v chính sách thuế giá trị gia tăng\nKính gửi: Cục Thuế các tỉnh.\n",
     "4521/TCT-CS", "Công văn", "Tổng cục Thuế", "2024-11-12", "Hà Nội",
     "V/v chính sách thuế giá trị gia tăng", NULL},

    /* Party documents (Phụ lục II, IV.1.b): the Central Committee's units are named as
       "Văn phòng Trung ương Đảng", "Ban Tuyên giáo Trung ương"; a provincial party committee
       by its place. The Party's motto takes the place of the Republic's. */
    {"party-central-office",
     "BAN CHẤP HÀNH TRUNG\nƯƠNG\nVĂN PHÒNG\n*\nSố 64-TB/VPTW\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Hà Nội, ngày 22 tháng 5 năm 2022\nTHÔNG BÁO\nKết luận của Thường trực Ban Bí thư\n"
     "Ngày 18 tháng 5 năm 2022, Thường trực Ban Bí thư đã làm việc.\n",
     "64-TB/VPTW", "Thông báo", "Văn phòng Trung ương Đảng", "2022-05-22", "Hà Nội",
     "Kết luận của Thường trực Ban Bí thư", NULL},
    {"party-central-department",
     "BAN CHẤP HÀNH TRUNG ƯƠNG\nBAN TUYÊN GIÁO\n*\nSố 125-HD/BTGTW\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Hà Nội, ngày 10 tháng 01 năm 2024\nHƯỚNG DẪN\nTuyên truyền kỷ niệm ngày thành lập Đảng\n"
     "Thực hiện Kế hoạch của Ban Bí thư, Ban Tuyên giáo hướng dẫn như sau:\n",
     "125-HD/BTGTW", "Hướng dẫn", "Ban Tuyên giáo Trung ương", "2024-01-10", "Hà Nội",
     "Tuyên truyền kỷ niệm ngày thành lập Đảng", NULL},
    {"party-provincial-committee",
     "ĐẢNG BỘ TỈNH QUẢNG NAM\nTỈNH ỦY\n*\nSố 05-CT/TU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Quảng Nam, ngày 15 tháng 3 năm 2023\nCHỈ THỊ\nVề tăng cường công tác dân vận\n"
     "Thời gian qua, công tác dân vận có chuyển biến.\n",
     "05-CT/TU", "Chỉ thị", "Tỉnh ủy Quảng Nam", "2023-03-15", "Quảng Nam",
     "Về tăng cường công tác dân vận", NULL},
    {"party-committee-department",
     "TỈNH ỦY QUẢNG NAM\nBAN TUYÊN GIÁO\n*\nSố 12-KH/BTGTU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Quảng Nam, ngày 20 tháng 4 năm 2023\nKẾ HOẠCH\nTuyên truyền các ngày lễ lớn\n"
     "Thực hiện Hướng dẫn của Ban Tuyên giáo Trung ương, Ban Tuyên giáo Tỉnh ủy ban hành:\n",
     "12-KH/BTGTU", "Kế hoạch", "Ban Tuyên giáo Tỉnh ủy Quảng Nam", "2023-04-20", "Quảng Nam",
     "Tuyên truyền các ngày lễ lớn", NULL},

    /* A commune's committee keeps its unit's noun; a body under the Central Committee with a
       name of its own is not made "... Trung ương". */
    {"party-commune-committee",
     "ĐẢNG BỘ XÃ ĐÔNG HÒA\nĐẢNG ỦY\n*\nSố 21-NQ/ĐU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Đông Hòa, ngày 02 tháng 01 năm 2024\nNGHỊ QUYẾT\nVề nhiệm vụ năm 2024\n"
     "Năm 2023, Đảng bộ xã đã lãnh đạo hoàn thành các chỉ tiêu.\n",
     "21-NQ/ĐU", "Nghị quyết", "Đảng ủy xã Đông Hòa", "2024-01-02", "Đông Hòa",
     "Về nhiệm vụ năm 2024", NULL},
    {"party-central-own-name",
     "BAN CHẤP HÀNH TRUNG ƯƠNG\nĐẢNG ỦY NGOÀI NƯỚC\n*\nSố 03-HD/ĐUNN\nĐẢNG CỘNG SẢN VIỆT NAM\n"
     "Hà Nội, ngày 12 tháng 3 năm 2024\nHƯỚNG DẪN\nVề công tác đảng viên ở nước ngoài\n"
     "Thực hiện Quy định của Ban Bí thư, Đảng ủy Ngoài nước hướng dẫn như sau:\n",
     "03-HD/ĐUNN", "Hướng dẫn", "Đảng ủy Ngoài nước", "2024-03-12", "Hà Nội",
     "Về công tác đảng viên ở nước ngoài", NULL},
    /* A committee named by its place, which the text never writes in mixed case. */
    {"party-committee-place-from-rule",
     "TỈNH ỦY BẮC NINH\n*\nSố 10-NQ/TU\nĐẢNG CỘNG SẢN VIỆT NAM\nNgày 5 tháng 6 năm 2023\n"
     "NGHỊ QUYẾT\nVề phát triển nông nghiệp\nThời gian qua, nông nghiệp phát triển khá.\n",
     "10-NQ/TU", "Nghị quyết", "Tỉnh ủy Bắc Ninh", "2023-06-05", NULL, "Về phát triển nông nghiệp",
     NULL},

    /* No header at all: nothing is made up. */
    {"no-header",
     "Hôm nay trời đẹp. Chúng tôi đi dạo quanh hồ Gươm và ăn kem Tràng Tiền.\n"
     "Số người đi dạo rất đông vào ngày cuối tuần.\n",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},

    {"empty", "", NULL, NULL, NULL, NULL, NULL, NULL, NULL},

    /* Garbage: invalid UTF-8, control bytes and lone "Số:". */
    {"garbage",
     "\xff\xfe\xc3\x28 Số: \x80\x81 ngày 99 tháng 99 năm 99999\n\x01\x02\x03 V/v \n"
     "QUYẾT\xe2\x82 ĐỊNH\n\n\n   \t\t Số:\nSố: abc/def\n",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Counts and reports a wrong field, so that one run shows every field that is off. */
static int
check_field(const char *case_name, const char *field, const char *want, const char *got)
{
    if (g_strcmp0(want, got) == 0)
        return 0;
    g_test_message("%s: %s: want \"%s\", got \"%s\"", case_name, field, want ? want : "(null)",
                   got ? got : "(null)");
    return 1;
}

static void
test_header(gconstpointer data)
{
    const header_case *c = data;
    g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(c->text, -1);
    g_assert_nonnull(m);
    int wrong = 0;
    wrong += check_field(c->name, "number", c->number, m->number);
    wrong += check_field(c->name, "doc_type", c->doc_type, m->doc_type);
    wrong += check_field(c->name, "issuer", c->issuer, m->issuer);
    wrong += check_field(c->name, "date", c->date, m->date);
    wrong += check_field(c->name, "place", c->place, m->place);
    wrong += check_field(c->name, "title", c->title, m->title);
    wrong += check_field(c->name, "signer", c->signer, m->signer);
    /* None of these headers is stamped: no level may be read from them. */
    wrong += check_field(c->name, "secrecy", NULL, m->secrecy);
    g_assert_cmpint(wrong, ==, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* The độ mật stamp: a capital line of its own in the header, nothing else. */

#define STAMP_ISSUER "BỘ CÔNG AN\n-------\n"
#define STAMP_MOTTO "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
#define STAMP_NUMBER "Số: 12/QĐ-BCA\nHà Nội, ngày 3 tháng 4 năm 2024\n"
#define STAMP_BODY "QUYẾT ĐỊNH\nVề việc bảo vệ bí mật nhà nước\nCăn cứ Luật Bảo vệ bí mật nhà nước;\n"

static const struct {
    const char *name;
    const char *text;
    const char *secrecy; /* NULL: none */
    const char *issuer;  /* the stamp is not taken for an issuer line */
} stamp_cases[] = {
    {"mat", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "MẬT\n" STAMP_BODY, "mat", "Bộ Công an"},
    {"toi-mat", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "TỐI MẬT\n" STAMP_BODY, "toi-mat",
     "Bộ Công an"},
    {"tuyet-mat", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "TUYỆT MẬT\n" STAMP_BODY, "tuyet-mat",
     "Bộ Công an"},
    /* At the very top, above the issuer, as some offices print it. */
    {"above-issuer", "MẬT\n" STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER STAMP_BODY, "mat",
     "Bộ Công an"},
    /* In a box: its lines come out as punctuation around the word. */
    {"boxed", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "| TỐI MẬT |\n" STAMP_BODY, "toi-mat",
     "Bộ Công an"},
    /* pdftotext -layout: the stamp in the left column beside the place and date. */
    {"layout", "BỘ CÔNG AN           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
               "-------              Độc lập - Tự do - Hạnh phúc\n"
               "Số: 12/QĐ-BCA        Hà Nội, ngày 3 tháng 4 năm 2024\n"
               "MẬT\n" STAMP_BODY, "mat", "Bộ Công an"},
    /* Two stamps (a copy restamped higher): the highest. */
    {"two", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "MẬT\nTUYỆT MẬT\n" STAMP_BODY, "tuyet-mat",
     "Bộ Công an"},
    /* False positives. The word in the body's sentences and the title. */
    {"in-body", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER STAMP_BODY "Điều 1. Tài liệu mật.\n",
     NULL, "Bộ Công an"},
    /* A "MẬT" line after the header, where the body has started. */
    {"after-header", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER STAMP_BODY "Điều 1.\nMẬT\n", NULL,
     "Bộ Công an"},
    /* "MẶT" is another word (face, side). */
    {"mat-other-word", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "MẶT\n" STAMP_BODY, NULL,
     "Bộ Công an"},
    /* Lower case: a wrapped sentence, not a stamp. */
    {"lower-case", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "mật\n" STAMP_BODY, NULL,
     "Bộ Công an"},
    /* A capital heading cut after "BÍ". */
    {"wrapped-title", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "QUYẾT ĐỊNH VỀ BẢO VỆ BÍ\nMẬT\n"
                      "Căn cứ Luật;\n", NULL, "Bộ Công an"},
    /* The word inside a capital line. */
    {"in-line", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "BÍ MẬT NHÀ NƯỚC\n" STAMP_BODY, NULL,
     "Bộ Công an"},
    {"unaccented", STAMP_ISSUER STAMP_MOTTO STAMP_NUMBER "MAT\n" STAMP_BODY, NULL,
     "Bộ Công an"},
};

static void
test_stamp(gconstpointer data)
{
    const guint i = GPOINTER_TO_UINT(data);
    g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(stamp_cases[i].text, -1);
    g_assert_cmpstr(m->secrecy, ==, stamp_cases[i].secrecy);
    g_assert_cmpstr(m->issuer, ==, stamp_cases[i].issuer);
    g_assert_cmpstr(m->number, ==, "12/QĐ-BCA");
}

/* NULL text, and text with a NUL inside when a length is given. */
static void
test_null_and_len(void)
{
    g_autoptr(tracuu_docmeta) a = tracuu_docmeta_extract(NULL, -1);
    g_assert_nonnull(a);
    g_assert_null(a->number);

    static const char text[] = "BỘ Y TẾ\nSố: 05/2024/TT-BYT\nTHÔNG TƯ\0Số: 99/2099/NĐ-CP\n";
    g_autoptr(tracuu_docmeta) b = tracuu_docmeta_extract(text, strlen(text));
    g_assert_cmpstr(b->number, ==, "05/2024/TT-BYT");
    g_autoptr(tracuu_docmeta) c = tracuu_docmeta_extract(text, 20);
    g_assert_null(c->number); /* cut before the number ends: "05" alone is not a number */
    tracuu_docmeta_free(NULL);
}

/* Cites are found by the document writer now: tests/unit/test-docwriter.c (/docwriter/cites). */

/* ---------------------------------------------------------------------------------------- */
/* The sample PDFs as pdftotext -layout gives them: both header columns on the same lines. */

typedef struct {
    const char *file; /* under the shared data's samples/pdf/, or "src:" under the source tree */
    const char *number, *doc_type, *issuer, *date, *place, *signer;
} pdf_case;

static const pdf_case pdf_cases[] = {
    /* The project's own, laid out as Nghị định 30 prescribes by corpus/generate.py. */
    {"src:corpus/archive/van-ban/cv-172-2023-cdn.pdf", "172/CĐN-TGNC", "Công văn",
     "Trường Cao đẳng nghề Công nghệ cao Hà Nội", "2023-09-05", "Hà Nội", "Trần Thị Thu Hà"},
    {"src:corpus/archive/van-ban/qd-2345-2009-hn.pdf", "2345/QĐ-UBND", "Quyết định",
     "Ủy ban nhân dân thành phố Hà Nội", "2009-06-15", "Hà Nội", "Nguyễn Văn Khôi"},
    {"src:corpus/archive/van-ban/tb-125-2019-vpcp.pdf", "125/TB-VPCP", "Thông báo",
     "Văn phòng Chính phủ", "2019-04-02", "Hà Nội", "Nguyễn Cao Lực"},
    {"src:corpus/archive/van-ban/nd-30-2020.pdf", "30/2020/NĐ-CP", "Nghị định", "Chính phủ",
     "2020-03-05", "Hà Nội", "Nguyễn Xuân Phúc"},
    /* The shared samples. */
    {"01_Cong_Van_Den_Bo_GDDT.pdf", "2154/BGDĐT-CNTT", "Công văn", "Cục Công nghệ thông tin",
     "2026-08-10", "Hà Nội", "Nguyễn Văn Phúc"},
    {"02_Quyet_Dinh_UBND_Ha_Noi.pdf", "890/QĐ-UBND", "Quyết định",
     "Ủy ban nhân dân thành phố Hà Nội", "2026-08-11", "Hà Nội", "Trần Sỹ Thanh"},
    {"03_Thong_Bao_Tap_Doan_VNPT.pdf", "145/TB-VNPT-IT", "Thông báo", "Ban Công nghệ Thông tin",
     "2026-08-12", "Hà Nội", "Dương Thành Long"},
    {"04_To_Trinh_Dai_Hoc_Quoc_Gia.pdf", "320/TTr-ĐHQGHN", "Tờ trình",
     "Trung tâm Thông tin - Thư viện", "2026-08-13", "Hà Nội", "Nguyễn Hoàng Hải"},
    /* The letter writes "Sự kiện" with a capital ("Lưu: VT, Sự kiện."), and so does the issuer. */
    {"05_Giay_Moi_Hoi_Thao_Cong_Nghe_ABC.pdf", "58/GM-ABCTECH", "Giấy mời", "Ban Tổ chức Sự kiện",
     "2026-08-14", "Hà Nội", "Nguyễn Minh Tuấn"},
    /* A fax: the issuer cut over two lines, "V/v" under the number, the date below it. Its
       signer "Trần Đình B" has a one-letter given name, which is read as a placeholder. */
    {"fax_document_test_01.pdf", "125/CV-BT", "Công văn", "Công ty Cổ phần Công nghệ Biztech",
     "2026-07-20", "TP. Hồ Chí Minh", NULL},
};

static void
test_pdf(gconstpointer data)
{
    const pdf_case *c = data;
    g_autofree char *tool = g_find_program_in_path("pdftotext");
    g_autofree char *rel = g_build_filename("samples", "pdf", c->file, NULL);
    g_autofree char *path = g_str_has_prefix(c->file, "src:") ? tracuu_test_source_path(c->file + 4)
                                                              : tracuu_test_shared_or_skip(rel);
    if (path == NULL)
        return;
    if (tool == NULL) {
        g_test_skip("needs pdftotext (Debian: poppler-utils)");
        return;
    }
    const char *argv[] = {tool, "-layout", "-enc", "UTF-8", path, "-", NULL};
    g_autofree char *out = NULL;
    int status = 0;
    g_autoptr(GError) error = NULL;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                 &status, &error);
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(out, -1);
    int wrong = 0;
    wrong += check_field(c->file, "number", c->number, m->number);
    wrong += check_field(c->file, "doc_type", c->doc_type, m->doc_type);
    wrong += check_field(c->file, "issuer", c->issuer, m->issuer);
    wrong += check_field(c->file, "date", c->date, m->date);
    wrong += check_field(c->file, "place", c->place, m->place);
    wrong += check_field(c->file, "signer", c->signer, m->signer);
    g_assert_cmpint(wrong, ==, 0);
    g_assert_nonnull(m->title);
}

/* ---------------------------------------------------------------------------------------- */
/* Real numbers and type names from the Official Gazette, in a synthetic header. */

typedef struct {
    int total, number_ok, type_ok, title_ok;
} gazette_counts;

/* Reads the Official Gazette sample and runs each row through a header written as Nghị định
   30 lays it out, with the type heading when @heading, else without it. */
static gboolean
run_gazette(gboolean heading, gazette_counts *n)
{
    g_autofree char *path = tracuu_test_shared_or_skip("samples/congbao_metadata.tsv");
    g_autofree char *data = NULL;
    if (path == NULL)
        return FALSE;
    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    static const char *const kinds[] = {
        "Thông tư",
        "Quyết định",
        "Nghị định",
        "Nghị quyết",
        "Thông tư liên tịch",
        "Luật",
        "Chỉ thị",
        "Lệnh",
        "Thông báo",
        "Pháp lệnh",
        "Công điện",
        "Hướng dẫn",
        "Kế hoạch",
        "Nghị quyết liên tịch",
        "Công văn",
    };
    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    int misses = 0;
    for (int i = 1; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(f) < 5 || !*f[3] || !*f[4])
            continue;
        const char *type = f[2], *number = f[3], *date = f[4];
        gboolean known = FALSE;
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
            known |= strcmp(kinds[k], type) == 0;
        /* Only numbers whose ký hiệu names the type can be typed without a heading. */
        if (!known || (!heading && !strstr(number, "/")))
            continue;
        if (!heading) {
            g_autofree char *upper = g_utf8_strup(number, -1);
            static const struct {
                const char *type, *abbr;
            } abbr[] = {{"Thông tư", "/TT-"},
                        {"Quyết định", "/QĐ-"},
                        {"Nghị định", "/NĐ-"},
                        {"Nghị quyết", "/NQ-"},
                        {"Chỉ thị", "/CT-"},
                        {"Lệnh", "/L-"},
                        {"Thông tư liên tịch", "/TTLT-"},
                        {"Công điện", "/CĐ-"}};
            gboolean has = FALSE;
            for (size_t k = 0; k < G_N_ELEMENTS(abbr); k++)
                has |= strcmp(abbr[k].type, type) == 0 && strstr(upper, abbr[k].abbr);
            if (!has)
                continue;
        }
        int d, mo, y;
        if (sscanf(date, "%d/%d/%d", &d, &mo, &y) != 3)
            continue;
        g_autofree char *heading_line = g_utf8_strup(type, -1);
        gboolean cv = strcmp(type, "Công văn") == 0;
        /* The trích yếu: the gazette title after its number ("Nghị định số 217/2026/NĐ-CP
           quy định chi tiết ..."). */
        const char *at = strstr(f[1], number);
        g_autofree char *subject = g_strstrip(g_strdup(at ? at + strlen(number) : ""));
        if (!*subject) {
            g_free(subject);
            subject = g_strdup("về việc công bố");
        }
        /* White space is layout, not content: runs of it are one space, as in a cell. */
        g_auto(GStrv) words = g_strsplit_set(subject, " \t\r\n", -1);
        GString *squeezed = g_string_new(cv ? "V/v" : NULL);
        for (guint w = 0; words[w]; w++) {
            if (!*words[w])
                continue;
            if (squeezed->len)
                g_string_append_c(squeezed, ' ');
            g_string_append(squeezed, words[w]);
        }
        /* docmeta gives text in NFC, without invisible format characters, and with the tone
           marks where tracuu_text_fix_tones() puts them ("thuỷ sản" is "thủy sản"); some
           gazette titles are decomposed, one has a soft hyphen. */
        g_autofree char *raw_title = g_string_free(squeezed, FALSE);
        g_autofree char *nfc_title = g_utf8_normalize(raw_title, -1, G_NORMALIZE_NFC);
        GString *visible = g_string_new(NULL);
        for (const char *q = nfc_title; *q; q = g_utf8_next_char(q))
            if (g_unichar_type(g_utf8_get_char(q)) != G_UNICODE_FORMAT)
                g_string_append_unichar(visible, g_utf8_get_char(q));
        g_autofree char *visible_title = g_string_free(visible, FALSE);
        g_autofree char *want_title = tracuu_text_fix_tones(visible_title, -1);
        g_autofree char *text = g_strdup_printf(
            "BỘ TƯ PHÁP\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Số: %s\nHà Nội, ngày %d tháng %d năm %d\n%s\n%s\nCăn cứ Luật;\n",
            number, d, mo, y, heading && !cv ? heading_line : "", want_title);
        g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(text, -1);
        g_autofree char *want_date = g_strdup_printf("%04d-%02d-%02d", y, mo, d);
        n->total++;
        gboolean number_ok = g_strcmp0(m->number, number) == 0;
        gboolean type_ok = g_strcmp0(m->doc_type, type) == 0;
        gboolean title_ok = heading && g_strcmp0(m->title, want_title) == 0;
        n->number_ok += number_ok;
        n->type_ok += type_ok;
        n->title_ok += title_ok;
        g_assert_cmpstr(m->date, ==, g_date_valid_dmy(d, mo, y) ? want_date : NULL);
        if ((!number_ok || !type_ok || (heading && !title_ok)) && misses++ < 20)
            g_test_message("gazette miss: %s %s -> %s %s | %s -> %s", type, number,
                           m->number ? m->number : "(null)", m->doc_type ? m->doc_type : "(null)",
                           want_title, m->title ? m->title : "(null)");
    }
    return TRUE;
}

static void
test_gazette(gconstpointer data)
{
    gboolean heading = GPOINTER_TO_INT(data);
    gazette_counts n = {0};
    if (!run_gazette(heading, &n))
        return; /* skipped */
    g_test_message("gazette (%s heading): %d rows, number %d, type %d, title %d",
                   heading ? "with" : "no", n.total, n.number_ok, n.type_ok, n.title_ok);
    g_assert_cmpint(n.total, >, 500);
    /* Numbers and trích yếu are copied as written: every one must come back. Types: all of
       them with the heading; from the ký hiệu alone, at least 99%. */
    g_assert_cmpint(n.number_ok, ==, n.total);
    if (heading) {
        g_assert_cmpint(n.title_ok, ==, n.total); /* every real trích yếu, as written */
        g_assert_cmpint(n.type_ok, ==, n.total);
    } else {
        /* Without a heading nothing marks where a trích yếu starts: only the type is read. */
        g_assert_cmpint(n.type_ok * 100, >=, n.total * 99);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The whole vbpl set, through bench/docmeta-eval (which holds the truth rules). */

static double
field_percent(const char *out, const char *field)
{
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        int right, total;
        char name[32];
        if (sscanf(lines[i], "%31s %d / %d", name, &right, &total) == 3 &&
            strcmp(name, field) == 0 && total > 0)
            return 100.0 * right / total;
    }
    return -1.0;
}

static void
test_vbpl(void)
{
    g_autofree char *docs = tracuu_test_shared_or_skip("vbpl/docs.jsonl");
    if (docs == NULL)
        return;
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    g_assert_nonnull(build);
    g_autofree char *eval = g_build_filename(build, "bench", "docmeta-eval", NULL);
    const char *argv[] = {eval, docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    g_autoptr(GError) error = NULL;
    gboolean ran = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                &status, &error);
    g_assert_no_error(error);
    g_assert_true(ran);
    g_test_message("%s", out);
    static const char *const gated[] = {"number", "type", "date"};
    for (size_t i = 0; i < G_N_ELEMENTS(gated); i++) {
        double pct = field_percent(out, gated[i]);
        g_test_message("vbpl %s: %.2f%%", gated[i], pct);
        g_assert_cmpfloat(pct, >=, 95.0);
    }
    g_assert_true(g_spawn_check_wait_status(status, NULL));
}

int
main(int argc, char **argv)
{
    /* Messages carry Vietnamese; without a UTF-8 locale GLib prints them as "?". */
    setlocale(LC_ALL, "C.UTF-8");
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(header_cases); i++) {
        g_autofree char *path = g_strdup_printf("/docmeta/header/%s", header_cases[i].name);
        g_test_add_data_func(path, &header_cases[i], test_header);
    }
    g_test_add_func("/docmeta/null-and-len", test_null_and_len);
    for (guint i = 0; i < G_N_ELEMENTS(stamp_cases); i++) {
        g_autofree char *path = g_strdup_printf("/docmeta/stamp/%s", stamp_cases[i].name);
        g_test_add_data_func(path, GUINT_TO_POINTER(i), test_stamp);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(pdf_cases); i++) {
        const char *file = pdf_cases[i].file;
        g_autofree char *base = g_path_get_basename(file);
        g_autofree char *path = g_str_has_prefix(file, "src:")
                                    ? g_strdup_printf("/docmeta/pdf/corpus/%s", base)
                                    : g_strdup_printf("/docmeta/pdf/%s", file);
        g_test_add_data_func(path, &pdf_cases[i], test_pdf);
    }
    g_test_add_data_func("/docmeta/gazette/heading", GINT_TO_POINTER(TRUE), test_gazette);
    g_test_add_data_func("/docmeta/gazette/ky-hieu", GINT_TO_POINTER(FALSE), test_gazette);
    g_test_add_func("/docmeta/vbpl", test_vbpl);
    return g_test_run();
}
