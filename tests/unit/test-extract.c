/* test-extract.c - unit tests of type detection, the extractors and legacy text decoding. */
#include "extract-formats.h"
#include "tracuu-extract.h"
#include "tracuu-test.h"

#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

/* --- Encoders written for the test, independently of text-decode.c ----------------------- */

/*
 * TCVN3 (ABC) from the published table, row by row in the order of the reference tables:
 * base letter, then acute, grave, hook above, tilde, dot below. 0 = the base is ASCII.
 */
typedef struct {
    const char *letters[6]; /* UTF-8, precomposed */
    guchar bytes[6];
} tcvn3_row;

static const tcvn3_row tcvn3_rows[] = {
    {{"a", "á", "à", "ả", "ã", "ạ"}, {'a', 0xB8, 0xB5, 0xB6, 0xB7, 0xB9}},
    {{"ă", "ắ", "ằ", "ẳ", "ẵ", "ặ"}, {0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6}},
    {{"â", "ấ", "ầ", "ẩ", "ẫ", "ậ"}, {0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB}},
    {{"e", "é", "è", "ẻ", "ẽ", "ẹ"}, {'e', 0xD0, 0xCC, 0xCE, 0xCF, 0xD1}},
    {{"ê", "ế", "ề", "ể", "ễ", "ệ"}, {0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6}},
    {{"i", "í", "ì", "ỉ", "ĩ", "ị"}, {'i', 0xDD, 0xD7, 0xD8, 0xDC, 0xDE}},
    {{"o", "ó", "ò", "ỏ", "õ", "ọ"}, {'o', 0xE3, 0xDF, 0xE1, 0xE2, 0xE4}},
    {{"ô", "ố", "ồ", "ổ", "ỗ", "ộ"}, {0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9}},
    {{"ơ", "ớ", "ờ", "ở", "ỡ", "ợ"}, {0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE}},
    {{"u", "ú", "ù", "ủ", "ũ", "ụ"}, {'u', 0xF3, 0xEF, 0xF1, 0xF2, 0xF4}},
    {{"ư", "ứ", "ừ", "ử", "ữ", "ự"}, {0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9}},
    {{"y", "ý", "ỳ", "ỷ", "ỹ", "ỵ"}, {'y', 0xFD, 0xFA, 0xFB, 0xFC, 0xFE}},
    {{"đ", "Đ", "Ă", "Â", "Ê", "Ô"}, {0xAE, 0xA7, 0xA1, 0xA2, 0xA3, 0xA4}},
    {{"Ơ", "Ư", NULL, NULL, NULL, NULL}, {0xA5, 0xA6, 0, 0, 0, 0}},
};

/* Encodes UTF-8 @s in TCVN3; fails the test on a letter TCVN3 cannot write. */
static GByteArray *
encode_tcvn3(const char *s)
{
    GByteArray *out = g_byte_array_new();
    for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
        gsize n = (gsize)(g_utf8_next_char(p) - p);
        gboolean found = FALSE;
        if (n == 1) {
            g_byte_array_append(out, (const guint8 *)p, 1);
            continue;
        }
        for (gsize r = 0; r < G_N_ELEMENTS(tcvn3_rows) && !found; r++) {
            for (gsize k = 0; k < 6 && !found; k++) {
                const char *l = tcvn3_rows[r].letters[k];
                if (l != NULL && strlen(l) == n && memcmp(l, p, n) == 0) {
                    g_byte_array_append(out, &tcvn3_rows[r].bytes[k], 1);
                    found = TRUE;
                }
            }
        }
        if (!found)
            g_error("TCVN3 cannot encode '%.*s'", (int)n, p);
    }
    return out;
}

/*
 * VNI from its published rules: a base letter then one mark byte. Here the letter is taken
 * apart with NFD and each part looked up, the opposite direction from the decoder.
 */
static GByteArray *
encode_vni(const char *s)
{
    GByteArray *out = g_byte_array_new();
    for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        gunichar lc = g_unichar_tolower(c);
        gboolean upper = lc != c;
        gunichar decomp[4] = {0};
        gunichar base, shape = 0, tone = 0;
        guchar mark = 0, letter = 0;
        gsize n;

        if (c < 0x80) {
            guint8 b = (guint8)c;
            g_byte_array_append(out, &b, 1);
            continue;
        }
        if (lc == 0x0111) { /* đ */
            letter = 0xF1;
            goto emit;
        }
        n = g_unichar_fully_decompose(lc, FALSE, decomp, 4);
        base = decomp[0];
        for (gsize i = 1; i < n; i++) {
            if (decomp[i] == 0x0302 || decomp[i] == 0x0306 || decomp[i] == 0x031B)
                shape = decomp[i];
            else
                tone = decomp[i];
        }
        if (shape == 0x031B) { /* horn: ơ and ư are one byte each */
            letter = base == 'o' ? 0xF4 : 0xF6;
        } else if (base == 'i' && tone != 0) {
            letter = tone == 0x0301   ? 0xED
                     : tone == 0x0300 ? 0xEC
                     : tone == 0x0309 ? 0xE6
                     : tone == 0x0303 ? 0xF3
                                      : 0xF2;
            tone = 0;
        } else if (base == 'y' && tone == 0x0323) {
            letter = 0xEE;
            tone = 0;
        }
        if (shape == 0x0302) {
            mark = tone == 0        ? 0xE2
                   : tone == 0x0301 ? 0xE1
                   : tone == 0x0300 ? 0xE0
                   : tone == 0x0309 ? 0xE5
                   : tone == 0x0303 ? 0xE3
                                    : 0xE4;
        } else if (shape == 0x0306) {
            mark = tone == 0        ? 0xEA
                   : tone == 0x0301 ? 0xE9
                   : tone == 0x0300 ? 0xE8
                   : tone == 0x0309 ? 0xFA
                   : tone == 0x0303 ? 0xFC
                                    : 0xEB;
        } else if (tone != 0) {
            mark = tone == 0x0301   ? 0xF9
                   : tone == 0x0300 ? 0xF8
                   : tone == 0x0309 ? 0xFB
                   : tone == 0x0303 ? 0xF5
                                    : 0xEF;
        }
        if (letter == 0) {
            guint8 b = (guint8)(upper ? g_ascii_toupper((char)base) : (char)base);
            g_assert_true(base < 0x80);
            g_byte_array_append(out, &b, 1);
        }
    emit:
        if (letter != 0) {
            guint8 b = upper ? letter - 0x20 : letter;
            g_byte_array_append(out, &b, 1);
        }
        if (mark != 0) {
            guint8 b = upper ? mark - 0x20 : mark;
            g_byte_array_append(out, &b, 1);
        }
    }
    return out;
}

static GByteArray *
encode_iconv(const char *s, const char *charset)
{
    gsize n = 0;
    g_autoptr(GError) error = NULL;
    char *bytes = g_convert(s, -1, charset, "UTF-8", NULL, &n, &error);
    g_assert_no_error(error);
    return g_byte_array_new_take((guint8 *)bytes, n);
}

/* --- tracuu_text_decode ------------------------------------------------------------------ */

typedef enum { ENC_UTF8, ENC_CP1258, ENC_TCVN3, ENC_VNI, ENC_VISCII, ENC_VN1 } test_encoding;

/* Real sentences from official documents. TCVN3 has no accented capitals, hence the care. */
static const char *const sentences[] = {
    "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015; theo đề nghị của Bộ trưởng "
    "Bộ Nội vụ, Chính phủ ban hành Nghị định về công tác văn thư.",
    "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng: nghị định này quy định về công tác văn "
    "thư và quản lý nhà nước về công tác văn thư.",
    "Kính gửi: các sở, ban, ngành thuộc thành phố; ủy ban nhân dân các quận, huyện, thị xã.",
    "Thông báo kết luận của chủ tịch về việc tăng cường giám sát trong phòng thi tốt nghiệp "
    "năm học 2013 - 2014, đề nghị các đơn vị thực hiện nghiêm túc.",
    "Người ký văn bản chịu trách nhiệm trước pháp luật về nội dung; giữ gìn bí mật nhà nước, "
    "khuyến khích ứng dụng công nghệ thông tin.",
};

typedef struct {
    test_encoding enc;
    const char *charset;          /* what tracuu_text_decode must report */
    gboolean capitals;            /* the encoding can write accented capitals */
    const char *sentence_charset; /* reported for the sentences, when not @charset */
} decode_case;

static const decode_case decode_cases[] = {
    {ENC_UTF8, "UTF-8", TRUE, NULL},
    {ENC_CP1258, "windows-1258", TRUE, NULL},
    {ENC_TCVN3, "TCVN3", FALSE, NULL},
    {ENC_VNI, "VNI", TRUE, NULL},
    {ENC_VISCII, "VISCII", TRUE, NULL},
    /* VN1 writes the sentences, which have no accented capitals, with TCVN3's bytes. */
    {ENC_VN1, "TCVN5712-1", TRUE, "TCVN3"},
};

static GByteArray *
encode(test_encoding enc, const char *s)
{
    switch (enc) {
    case ENC_UTF8:
        return g_byte_array_append(g_byte_array_new(), (const guint8 *)s, (guint)strlen(s));
    case ENC_CP1258:
        return encode_iconv(s, "WINDOWS-1258");
    case ENC_TCVN3:
        return encode_tcvn3(s);
    case ENC_VNI:
        return encode_vni(s);
    case ENC_VISCII:
        return encode_iconv(s, "VISCII");
    case ENC_VN1:
        return encode_iconv(s, "TCVN5712-1");
    }
    g_assert_not_reached();
}

static void
test_decode_sentences(void)
{
    for (gsize c = 0; c < G_N_ELEMENTS(decode_cases); c++) {
        for (gsize i = 0; i < G_N_ELEMENTS(sentences); i++) {
            g_autoptr(GByteArray) bytes = encode(decode_cases[c].enc, sentences[i]);
            const char *charset = NULL;
            g_autofree char *back =
                tracuu_text_decode((const char *)bytes->data, bytes->len, &charset);
            g_test_message("%s sentence %" G_GSIZE_FORMAT, decode_cases[c].charset, i);
            g_assert_cmpstr(charset, ==,
                            decode_cases[c].sentence_charset ? decode_cases[c].sentence_charset
                                                             : decode_cases[c].charset);
            g_assert_cmpstr(back, ==, sentences[i]);
        }
    }
}

/* Accented capitals, which TCVN3 cannot write, in the encodings that can. */
static void
test_decode_capitals(void)
{
    const char *title = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM - Độc lập - Tự do - Hạnh phúc";
    for (gsize c = 0; c < G_N_ELEMENTS(decode_cases); c++) {
        g_autoptr(GByteArray) bytes = NULL;
        g_autofree char *back = NULL;
        const char *charset = NULL;
        if (!decode_cases[c].capitals)
            continue;
        bytes = encode(decode_cases[c].enc, title);
        back = tracuu_text_decode((const char *)bytes->data, bytes->len, &charset);
        g_assert_cmpstr(charset, ==, decode_cases[c].charset);
        g_assert_cmpstr(back, ==, title);
    }
}

typedef struct {
    const char *bytes;
    gssize len; /* -1: strlen */
    const char *expect;
    const char *charset;
} decode_edge;

static void
test_decode_edges(void)
{
    static const decode_edge edges[] = {
        {"", 0, "", "UTF-8"},
        {"plain ASCII", -1, "plain ASCII", "UTF-8"},
        {"\xEF\xBB\xBFVi\xE1\xBB\x87t Nam", -1, "Việt Nam", "UTF-8"}, /* BOM dropped */
        /* Decomposed UTF-8 (e + combining marks) comes out composed. */
        {"Vie\xCC\xA3\xCC\x82t", -1, "Việt", "UTF-8"},
        /* Mostly UTF-8 with one stray byte: the UTF-8 reading wins and stays valid. */
        {"Vi\xE1\xBB\x87t Nam \xFF c\xC3\xB4ng v\xC4\x83n \xC4\x91\xE1\xBA\xBFn", -1,
         "Việt Nam \xEF\xBF\xBD công văn đến", "UTF-8"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(edges); i++) {
        gsize len = edges[i].len < 0 ? strlen(edges[i].bytes) : (gsize)edges[i].len;
        const char *charset = NULL;
        g_autofree char *out = tracuu_text_decode(edges[i].bytes, len, &charset);
        g_assert_true(g_utf8_validate(out, -1, NULL));
        g_assert_cmpstr(out, ==, edges[i].expect);
        g_assert_cmpstr(charset, ==, edges[i].charset);
    }
}

/* UTF-16 with a byte order mark, as Windows Notepad saves "Unicode" text. */
static void
test_decode_utf16(void)
{
    static const struct {
        const char *charset;
        const char *bom;
    } cases[] = {{"UTF-16LE", "\xFF\xFE"}, {"UTF-16BE", "\xFE\xFF"}};
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) body = encode_iconv(sentences[1], cases[i].charset);
        g_autoptr(GByteArray) bytes = g_byte_array_new();
        const char *charset = NULL;
        g_autofree char *back = NULL;
        g_byte_array_append(bytes, (const guint8 *)cases[i].bom, 2);
        g_byte_array_append(bytes, body->data, body->len);
        back = tracuu_text_decode((const char *)bytes->data, bytes->len, &charset);
        g_assert_cmpstr(charset, ==, cases[i].charset);
        g_assert_cmpstr(back, ==, sentences[1]);
    }
}

/* Every byte value in every position: the output is valid UTF-8 whatever the input. */
static void
test_decode_junk(void)
{
    guchar junk[4096];
    guint32 seed = 12345;
    for (int round = 0; round < 50; round++) {
        g_autofree char *out = NULL;
        for (gsize i = 0; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = (guchar)(seed >> 16);
        }
        out = tracuu_text_decode((const char *)junk, sizeof junk, NULL);
        g_assert_true(g_utf8_validate(out, -1, NULL));
    }
}

/* --- Files ------------------------------------------------------------------------------- */

static char *tmpdir;

#define NO_ERROR (-1)

typedef struct {
    const char *path; /* "shared:..." under TRACUU_SHARED_DATA, "src:..." under the source
                         root, "tmp:..." made by make_fixtures() */
    int error;        /* tracuu_extract_error or NO_ERROR */
    const char *kind;
    const char *mime;
    const char *title;   /* NULL: must be NULL */
    const char *created; /* NULL: not checked */
    guint pages;         /* 0: pages must be NULL */
    const char *fragments[4];
    guint children; /* number of children; 0: none */
} file_case;

static const file_case file_cases[] = {
    {"shared:samples/pdf/01_Cong_Van_Den_Bo_GDDT.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     NULL,
     "2026-08-14",
     1,
     {"Số: 2154/BGDĐT-CNTT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Kính gửi:"}},
    {"shared:samples/pdf/02_Quyet_Dinh_UBND_Ha_Noi.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     NULL,
     NULL,
     1,
     {"QUYẾT ĐỊNH", "Hà Nội"}},
    {"shared:samples/pdf/fax_document_test_01.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     "fax_document_test_01",
     "2026-07-20",
     2,
     {"Số: 125/CV-BT", "Công ty Cổ phần Công nghệ"}},
    {"shared:samples/legacy_doc/01_TB-BGH_22.1.2013_Tang_cuong_giam_sat_trong_phong_thi.pdf",
     TRACUU_EXTRACT_ERROR_NO_TEXT},
    /* The project's own PDFs in the layout of Nghị định 30 (corpus/generate.py), the same
       paths as the shared samples above: pango's subset fonts with ToUnicode maps. */
    {"src:corpus/archive/van-ban/nd-30-2020.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     "Nghị định 30/2020/NĐ-CP",
     "2020-03-05",
     2,
     {"Số: 30/2020/NĐ-CP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Điều 18. Văn bản điện tử."}},
    {"src:corpus/archive/van-ban/qd-2345-2009-hn.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     "Quyết định 2345/QĐ-UBND",
     "2009-06-15",
     1,
     {"QUYẾT ĐỊNH", "Hà Nội"}},
    /* ReportLab's Info when nobody gave a title (as in the shared samples): "(anonymous)". */
    {"src:tests/data/extract/anonymous-title.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     NULL,
     "2026-08-14",
     1,
     {"So: 2154/BGDDT-CNTT"}},
    /* A scan: one page that is an image and nothing else. */
    {"src:tests/data/extract/scan.pdf", TRACUU_EXTRACT_ERROR_NO_TEXT},
    {"src:tests/data/extract/memo.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     "Memo on the budget",
     "2008-12-03",
     1,
     {"Confidential memo 2024: budget plan"}},
    {"src:tests/data/extract/encrypted.pdf", TRACUU_EXTRACT_ERROR_ENCRYPTED},
    /* Typed in .VnTime: the PDF's text and title are TCVN3 bytes shown as Latin-1. */
    {"src:tests/data/extract/tcvn3-font.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     "Quyết định khen thưởng",
     NULL,
     2,
     {"Quyết định về việc khen thưởng cho các đơn vị\n",
      "Điều 2. Chánh văn phòng chịu trách nhiệm thi hành\n"}},
    /* "Microsoft Word - 15-QD-UBND.doc" names a file, not the document; only ModDate given. */
    {"src:tests/data/extract/word-title.pdf",
     NO_ERROR,
     "pdf",
     "application/pdf",
     NULL,
     "2011-09-07",
     1,
     {"Quyet dinh 15/QD-UBND"}},
    {"shared:samples/docx_laws/100_2015_QH13_296661.docx",
     NO_ERROR,
     "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     NULL,
     NULL,
     0,
     {"Điều 1. Nhiệm vụ của Bộ luật hình sự", "Số: 100/2015/QH13", "BỘ LUẬT\nHÌNH SỰ"}},
    {"shared:samples/docx_laws/145_2020_ND-CP_459400.docx",
     NO_ERROR,
     "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     /* The file's dc:title, left over from a template, its layout spaces made one. */
     "Số 215 + 216 Ngày 08 tháng 3 năm 2007",
     NULL,
     0,
     {"145/2020/NĐ-CP"}},
    /* A law as LibreOffice writes DOCX (make-office-files.py): its dc:title keeps the layout
       spaces of a template, made one here as in the shared Nghị định 145. */
    {"src:tests/data/extract/luat.docx",
     NO_ERROR,
     "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Số 01 + 02 Ngày 05 tháng 01 năm 2019",
     "2018-06-12",
     0,
     {"Luật số: 24/2018/QH14\n\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "LUẬT\nAN NINH MẠNG\n",
      "1.\tAn ninh mạng là", "Điều 3. Hiệu lực thi hành\n"}},
    /* Tabs, line breaks, paragraphs and table cells; title and date from core.xml. */
    {"src:tests/data/extract/small.docx",
     NO_ERROR,
     "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Quyết định",
     "2024-05-02",
     0,
     {"Số: 12/QĐ-UBND\tHà Nội\n", "\na\nb\n", "\nTheo Nghị định 30/2020/NĐ-CP.\n"}},
    /* Word 97-2003: 8-bit and UTF-16 pieces, cells as tabs. */
    /* Its title is stored in the VNI font's bytes: "KHOA LUA\xC4T" is "KHOA LUẬT". */
    {"shared:samples/legacy_doc/1_Mau_bien_ban.doc",
     NO_ERROR,
     "doc",
     "application/msword",
     "KHOA LUẬT:______________",
     "2013-04-04",
     0,
     {"BIÊN BẢN HỌP LỚP\nĐánh giá điểm rèn luyện sinh viên", "Cố vấn học tập:\t"}},
    {"shared:samples/legacy_doc/8.congvantuyentruyendaihoixic.doc",
     NO_ERROR,
     "doc",
     "application/msword",
     "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM",
     "2013-08-09",
     0,
     {"TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM", "Số: 172/CĐN-TGNC", "Hà Nội, ngày 9 tháng 8 năm 2013"}},
    {"shared:samples/legacy_doc/03TB_Ke_hoach_xet_tot_nghiep_dot_1-2014.doc",
     NO_ERROR,
     "doc",
     "application/msword",
     NULL,
     "2014-03-10",
     0,
     {"Số: 03/TB-ĐTĐH", "V/v xét tốt nghiệp đợt 1 năm 2014"}},
    /* Word 97 as LibreOffice writes it (make-office-files.py): UTF-16 text, header cells as
       tabs, a footnote after the main text, the page header left out; its title in code page
       65001, as the shared 8.congvantuyentruyendaihoixic.doc has it. */
    {"src:tests/data/extract/quyet-dinh.doc",
     NO_ERROR,
     "doc",
     "application/msword",
     "Quyết định thành lập Tổ công tác",
     "2013-04-04",
     0,
     {"Số: 15/QĐ-UBND\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n",
      "Căn cứ Nghị định số 30/2020/NĐ-CP của Chính phủ về công tác văn thư;\n",
      "Nơi nhận:\n- Như Điều 4;\n", "Nghị định về công tác văn thư, ban hành ngày 05 tháng 3"}},
    /* The same with its title in code page 1252 and typed in VNI, as in 1_Mau_bien_ban.doc. */
    {"src:tests/data/extract/vni-title.doc",
     NO_ERROR,
     "doc",
     "application/msword",
     "Quyết định thành lập Tổ công tác",
     "2013-04-04",
     0,
     {"Số: 15/QĐ-UBND\t"}},
    /* Made by make-small-doc.py: an 8-bit piece, a UTF-16 piece in the mini stream, a field. */
    {"src:tests/data/extract/small.doc",
     NO_ERROR,
     "doc",
     "application/msword",
     NULL,
     NULL,
     0,
     {"Quyet dinh\nSố: 12/QĐ-UBND\tHà Nội\t\tvbpl.vn\nChú thích: theo Luật 2015.\n"}},
    {"tmp:truncated.doc", TRACUU_EXTRACT_ERROR_DAMAGED},
    /* OpenDocument and XLSX made by make-open-formats.py: cells apart, rows and paragraphs a
       line each, footnotes after the text, comments and deleted revisions left out. */
    {"src:tests/data/extract/cong-van.odt",
     NO_ERROR,
     "odt",
     "application/vnd.oasis.opendocument.text",
     "Công văn về chuyển đổi số",
     "2021-03-12",
     0,
     {"ỦY BAN NHÂN DÂN TỈNH BẮC NINH\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
      "Số: 45/UBND-VX\tBắc Ninh, ngày 12 tháng 3 năm 2021\n"
      "V/v triển khai chuyển đổi số\nKính gửi:\tCác sở, ban, ngành   tỉnh.\n",
      "Căn cứ Thông tư 39/2017/TT-BTTTT, đề nghị các đơn vị thực hiện.\n",
      "Nơi nhận:\n- Như trên;\n"
      "Danh mục tiêu chuẩn kỹ thuật về ứng dụng công nghệ thông tin.\n"}},
    {"src:tests/data/extract/bang-luong.ods",
     NO_ERROR,
     "ods",
     "application/vnd.oasis.opendocument.spreadsheet",
     "Bảng lương tháng 3 năm 2021",
     "2021-03-31",
     0,
     {"Họ và tên\tChức vụ\tLương\nNguyễn Văn An\tTrưởng phòng\t12500000\n"
      "Trần Thị Bình\tChuyên viên phòng Tổ chức\t9800000\nQuyết định số 12/QĐ-UBND\n"}},
    {"src:tests/data/extract/danh-sach.xlsx",
     NO_ERROR,
     "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "Danh sách văn bản đến",
     "2021-04-15",
     0,
     {"STT\tĐơn vị\tSố văn bản\n1\tSở Thông tin và Truyền thông\t45/STTTT-CĐS\n"
      "2\tSở Nội vụ\t102/SNV-TCBC\n3\tVăn phòng UBND tỉnh\nTổng hợp đến ngày 15 tháng 4\n"}},
    /* Cut in half: the central directory is gone. The name promises ODT; it is damaged. */
    {"tmp:truncated.odt", TRACUU_EXTRACT_ERROR_DAMAGED},
    {"tmp:truncated.xlsx", TRACUU_EXTRACT_ERROR_DAMAGED},
    /* A password-protected DOCX is a compound file holding an EncryptedPackage stream. */
    {"src:tests/data/extract/encrypted.docx", TRACUU_EXTRACT_ERROR_ENCRYPTED},
    {"src:tests/data/extract/cp1258.html",
     NO_ERROR,
     "html",
     "text/html",
     "Thông báo về lịch nghỉ Tết",
     NULL,
     0,
     {"Cơ quan nghỉ Tết Nguyên đán từ ngày 25 tháng 01 năm 2025.",
      "Đề nghị các đơn vị\nbố trí trực ban.", "Số\t123/TB-VP"}},
    /* Made at test time. */
    {"tmp:pdf-named.txt",
     NO_ERROR,
     "pdf",
     "application/pdf",
     "Memo on the budget",
     NULL,
     1,
     {"budget plan"}},
    {"tmp:truncated.pdf", TRACUU_EXTRACT_ERROR_DAMAGED},
    {"tmp:junk.pdf", TRACUU_EXTRACT_ERROR_DAMAGED},
    {"tmp:empty.pdf", TRACUU_EXTRACT_ERROR_DAMAGED},
    {"tmp:empty.txt", TRACUU_EXTRACT_ERROR_NO_TEXT},
    {"tmp:missing.pdf", TRACUU_EXTRACT_ERROR_IO},
    {"tmp:tcvn3.txt",
     NO_ERROR,
     "text",
     "text/plain",
     NULL,
     NULL,
     0,
     {"Căn cứ Luật Tổ chức Chính phủ", "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng"}},
    {"tmp:vni.txt",
     NO_ERROR,
     "text",
     "text/plain",
     NULL,
     NULL,
     0,
     {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Nghị định về công tác văn thư"}},
    {"tmp:utf8.txt",
     NO_ERROR,
     "text",
     "text/plain",
     NULL,
     NULL,
     0,
     {"Kính gửi: các sở, ban, ngành"}},
    {"tmp:utf16.txt",
     NO_ERROR,
     "text",
     "text/plain",
     NULL,
     NULL,
     0,
     {"Thông báo kết luận của chủ tịch"}},
    {"tmp:image.png", TRACUU_EXTRACT_ERROR_UNSUPPORTED},
    {"tmp:bomb.docx", TRACUU_EXTRACT_ERROR_TOO_LARGE},
    /* Mail is recognised by content, whatever libmagic calls a Maildir file. */
    {"tmp:maildir-msg",
     NO_ERROR,
     "mail",
     "message/rfc822",
     "Lịch họp giao ban",
     NULL,
     0,
     {"Kính gửi các phòng"}},
    {"tmp:archive.mbox", NO_ERROR, "mbox", "application/mbox", NULL, NULL, 0, {NULL}, 2},
    {"tmp:junk.eml", TRACUU_EXTRACT_ERROR_UNSUPPORTED},
    {"tmp:no-body.docx", TRACUU_EXTRACT_ERROR_UNSUPPORTED}, /* a zip, but not a DOCX */
    {"tmp:truncated.docx", TRACUU_EXTRACT_ERROR_DAMAGED},
};

/*
 * The path of a case's file. A "shared:" file that is not there marks the test skipped, with
 * a message naming it, and gives NULL: the test returns.
 */
static char *
case_path(const char *spec)
{
    if (g_str_has_prefix(spec, "shared:"))
        return tracuu_test_shared_or_skip(spec + 7);
    if (g_str_has_prefix(spec, "src:"))
        return tracuu_test_source_path(spec + 4);
    g_assert_true(g_str_has_prefix(spec, "tmp:"));
    return g_build_filename(tmpdir, spec + 4, NULL);
}

static void
write_tmp(const char *name, const void *data, gsize len)
{
    g_autofree char *path = g_build_filename(tmpdir, name, NULL);
    g_autoptr(GError) error = NULL;
    g_file_set_contents(path, data, (gssize)len, &error);
    g_assert_no_error(error);
}

static void
put16(GByteArray *a, guint16 v)
{
    guint8 b[2] = {(guint8)v, (guint8)(v >> 8)};
    g_byte_array_append(a, b, 2);
}

static void
put32(GByteArray *a, guint32 v)
{
    guint8 b[4] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16), (guint8)(v >> 24)};
    g_byte_array_append(a, b, 4);
}

/*
 * A one-entry zip, stored (method 0) or claiming deflate (method 8) with the given sizes, so
 * the reader's limits can be tested without a real zip tool.
 */
static GByteArray *
make_zip(const char *name, guint16 method, const void *data, guint32 csize, guint32 usize)
{
    GByteArray *z = g_byte_array_new();
    guint16 nlen = (guint16)strlen(name);
    guint32 cdir, cdir_size;

    put32(z, 0x04034b50);
    put16(z, 20);
    put16(z, 0);
    put16(z, method);
    put32(z, 0);
    put32(z, 0);
    put32(z, csize);
    put32(z, usize);
    put16(z, nlen);
    put16(z, 0);
    g_byte_array_append(z, (const guint8 *)name, nlen);
    g_byte_array_append(z, data, csize);
    cdir = z->len;
    put32(z, 0x02014b50);
    put16(z, 20);
    put16(z, 20);
    put16(z, 0);
    put16(z, method);
    put32(z, 0);
    put32(z, 0);
    put32(z, csize);
    put32(z, usize);
    put16(z, nlen);
    put16(z, 0);
    put16(z, 0);
    put16(z, 0);
    put16(z, 0);
    put32(z, 0);
    put32(z, 0);
    g_byte_array_append(z, (const guint8 *)name, nlen);
    cdir_size = z->len - cdir;
    put32(z, 0x06054b50);
    put16(z, 0);
    put16(z, 0);
    put16(z, 1);
    put16(z, 1);
    put32(z, cdir_size);
    put32(z, cdir);
    put16(z, 0);
    return z;
}

static void
make_fixtures(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *memo_path = case_path("src:tests/data/extract/memo.pdf");
    g_autofree char *memo = NULL;
    g_autofree char *legacy_text = NULL;
    g_autofree char *docx_path = case_path("src:tests/data/extract/luat.docx");
    g_autofree char *docx = NULL;
    gsize docx_len;
    g_autoptr(GByteArray) tcvn3 = NULL;
    g_autoptr(GByteArray) vni = NULL;
    g_autoptr(GByteArray) bomb = NULL;
    g_autoptr(GByteArray) no_body = NULL;
    static const guchar png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0,
                                 0,    13,  'I', 'H', 'D',  'R',  0,    0,    0, 1,
                                 0,    0,   0,   1,   8,    2,    0,    0,    0};
    guchar junk[3000];
    guchar deflated[8] = {0x03, 0x00}; /* an empty final deflate block */
    gsize memo_len;
    g_autofree char *mbox = NULL;
    const char *maildir = "Return-Path: <vp@example.vn>\n"
                          "Delivered-To: phong-hc@example.vn\n"
                          "From: =?UTF-8?B?VsSDbiBwaMOybmc=?= <vp@example.vn>\n"
                          "To: phong-hc@example.vn\n"
                          "Subject: =?UTF-8?Q?L=E1=BB=8Bch_h=E1=BB=8Dp_giao_ban?=\n"
                          "Date: Mon, 3 Mar 2025 08:00:00 +0700\n"
                          "Message-ID: <hop-1@example.vn>\n"
                          "MIME-Version: 1.0\n"
                          "Content-Type: text/plain; charset=UTF-8\n"
                          "Content-Transfer-Encoding: 8bit\n"
                          "\n"
                          "Kính gửi các phòng.\n";

    tmpdir = g_dir_make_tmp("test-extract-XXXXXX", &error);
    g_assert_no_error(error);
    g_file_get_contents(memo_path, &memo, &memo_len, &error);
    g_assert_no_error(error);
    write_tmp("pdf-named.txt", memo, memo_len);
    write_tmp("truncated.pdf", memo, 40); /* header and the start of the first object */
    for (gsize i = 0; i < sizeof junk; i++)
        junk[i] = (guchar)((i * 7919u + 13u) ^ (i >> 3));
    write_tmp("junk.pdf", junk, sizeof junk);
    write_tmp("junk.eml", junk, sizeof junk);
    write_tmp("maildir-msg", maildir, strlen(maildir));
    mbox = g_strdup_printf("From vp@example.vn Mon Mar  3 08:00:00 2025\n%s\n"
                           "From vp@example.vn Mon Mar  3 09:00:00 2025\n%s\n",
                           maildir, maildir);
    write_tmp("archive.mbox", mbox, strlen(mbox));
    write_tmp("empty.pdf", "", 0);
    write_tmp("empty.txt", "", 0);
    write_tmp("image.png", png, sizeof png);
    write_tmp("utf8.txt", sentences[2], strlen(sentences[2]));
    {
        g_autoptr(GByteArray) u16 = encode_iconv(sentences[3], "UTF-16LE");
        g_byte_array_prepend(u16, (const guint8 *)"\xFF\xFE", 2);
        write_tmp("utf16.txt", u16->data, u16->len);
    }

    legacy_text = g_strjoin("\n", sentences[0], sentences[1], sentences[2], NULL);
    tcvn3 = encode_tcvn3(legacy_text);
    write_tmp("tcvn3.txt", tcvn3->data, tcvn3->len);
    g_free(legacy_text);
    legacy_text =
        g_strjoin("\n", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", sentences[0], sentences[3], NULL);
    vni = encode_vni(legacy_text);
    write_tmp("vni.txt", vni->data, vni->len);

    /* A DOCX whose document.xml claims 3 GB: refused before anything is inflated. */
    bomb = make_zip("word/document.xml", 8, deflated, 2, 3000000000u);
    write_tmp("bomb.docx", bomb->data, bomb->len);
    /* A zip that holds no document body is only a zip. */
    no_body = make_zip("[Content_Types].xml", 0, "<Types/>", 8, 8);
    write_tmp("no-body.docx", no_body->data, no_body->len);
    /* A real .doc cut after its header: the sectors it points to are gone. */
    {
        g_autofree char *doc_path = case_path("src:tests/data/extract/quyet-dinh.doc");
        g_autofree char *doc = NULL;
        gsize doc_len;
        g_file_get_contents(doc_path, &doc, &doc_len, &error);
        g_assert_no_error(error);
        write_tmp("truncated.doc", doc, MIN(doc_len, (gsize)1536));
    }
    /* Real ODT and XLSX files cut in half. */
    {
        static const char *const halves[][2] = {{"cong-van.odt", "truncated.odt"},
                                                {"danh-sach.xlsx", "truncated.xlsx"}};
        for (gsize i = 0; i < G_N_ELEMENTS(halves); i++) {
            g_autofree char *spec = g_strconcat("src:tests/data/extract/", halves[i][0], NULL);
            g_autofree char *src = case_path(spec);
            g_autofree char *bytes = NULL;
            gsize n;
            g_file_get_contents(src, &bytes, &n, &error);
            g_assert_no_error(error);
            write_tmp(halves[i][1], bytes, n / 2);
        }
    }
    /* A real DOCX cut in half: its central directory, at the end, is gone. */
    g_file_get_contents(docx_path, &docx, &docx_len, &error);
    g_assert_no_error(error);
    write_tmp("truncated.docx", docx, docx_len / 2);
}

static void
remove_fixtures(void)
{
    GDir *dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *p = g_build_filename(tmpdir, name, NULL);
        g_unlink(p);
    }
    if (dir != NULL)
        g_dir_close(dir);
    g_rmdir(tmpdir);
    g_clear_pointer(&tmpdir, g_free);
}

static void
check_doc(const file_case *fc, tracuu_extracted *doc)
{
    g_assert_cmpstr(doc->kind, ==, fc->kind);
    g_assert_cmpstr(doc->mime, ==, fc->mime);
    g_assert_cmpstr(doc->title, ==, fc->title);
    if (fc->created != NULL)
        g_assert_cmpstr(doc->created, ==, fc->created);
    g_assert_nonnull(doc->text);
    g_assert_true(g_utf8_validate(doc->text, -1, NULL));
    if (fc->pages == 0) {
        g_assert_null(doc->pages);
    } else {
        guint64 prev = 0;
        g_assert_nonnull(doc->pages);
        g_assert_cmpuint(doc->pages->len, ==, fc->pages);
        g_assert_cmpuint(g_array_index(doc->pages, guint64, 0), ==, 0);
        for (guint i = 0; i < doc->pages->len; i++) {
            guint64 off = g_array_index(doc->pages, guint64, i);
            g_assert_cmpuint(off, >=, prev);
            g_assert_cmpuint(off, <=, strlen(doc->text));
            prev = off;
        }
    }
    if (fc->children == 0)
        g_assert_true(doc->children == NULL || doc->children->len == 0);
    else
        g_assert_cmpuint(doc->children->len, ==, fc->children);
    for (gsize i = 0; i < G_N_ELEMENTS(fc->fragments) && fc->fragments[i] != NULL; i++) {
        if (strstr(doc->text, fc->fragments[i]) == NULL)
            g_error("%s: text lacks \"%s\"; it begins \"%.300s\"", fc->path, fc->fragments[i],
                    doc->text);
    }
}

static void
test_file(gconstpointer data)
{
    const file_case *fc = data;
    g_autofree char *path = case_path(fc->path);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;

    if (path == NULL)
        return;
    doc = tracuu_extract_file(path, &error);
    if (fc->error == NO_ERROR) {
        g_assert_no_error(error);
        check_doc(fc, doc);
    } else {
        g_assert_null(doc);
        g_assert_error(error, TRACUU_EXTRACT_ERROR, fc->error);
        g_assert_nonnull(error->message);
    }
}

/* Deleted revisions are not text the reader sees; a text box is read once, not twice. */
static void
test_docx_deleted(void)
{
    g_autofree char *path = case_path("src:tests/data/extract/small.docx");
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_file(path, &error);
    const char *box;
    g_assert_no_error(error);
    g_assert_null(strstr(doc->text, "bỏ đi"));
    box = strstr(doc->text, "Nơi nhận: như trên\n");
    g_assert_nonnull(box);
    g_assert_null(strstr(box + 1, "Nơi nhận"));
}

/* Page headers repeat on every page and say nothing of the content: not indexed. */
static void
test_doc_header_story(void)
{
    g_autofree char *path = case_path("src:tests/data/extract/small.doc");
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_file(path, &error);
    g_assert_no_error(error);
    g_assert_null(strstr(doc->text, "TIÊU ĐỀ TRANG"));
    g_assert_true(g_str_has_suffix(doc->text, "Chú thích: theo Luật 2015.\n"));
}

typedef struct {
    const char *path;      /* as in file_case */
    const char *starts[2]; /* how the text of each of its two pages begins */
} pages_case;

static const pages_case pages_cases[] = {
    /* Both pages open with the fax header line the sender's machine stamped on them. */
    {"shared:samples/pdf/fax_document_test_01.pdf", {"19:29 20/7/26", "19:29 20/7/26"}},
    /* The corpus's Nghị định 30: its second page begins in the middle of the articles. */
    {"src:corpus/archive/van-ban/nd-30-2020.pdf", {"CHÍNH PHỦ\nSố: 30/2020/NĐ-CP\n", "Điều 18."}},
};

/* The page offsets point at the start of each page's text. */
static void
test_pdf_pages(gconstpointer data)
{
    const pages_case *c = data;
    g_autofree char *path = case_path(c->path);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    guint64 second;

    if (path == NULL)
        return;
    doc = tracuu_extract_file(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(doc->pages->len, ==, 2);
    second = g_array_index(doc->pages, guint64, 1);
    g_assert_true(g_str_has_prefix(doc->text, c->starts[0]));
    g_assert_true(g_str_has_prefix(doc->text + second, c->starts[1]));
    g_assert_cmpint(doc->text[second - 1], ==, '\n');
}

/* After the conversion of a legacy font, each page offset still points at its page. */
static void
test_pdf_legacy_font_pages(void)
{
    g_autofree char *path = case_path("src:tests/data/extract/tcvn3-font.pdf");
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_file(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(doc->pages->len, ==, 2);
    g_assert_true(g_str_has_prefix(doc->text + g_array_index(doc->pages, guint64, 1), "Điều 2."));
}

/* Hyphens that are hyphens stay, in text converted from TCVN3. */
static void
test_legacy_font_hyphens(void)
{
    /* "Quyết định số 15/QĐ-UBND, Hà-Nội" in TCVN3, as a PDF shows it in Latin-1. */
    const char *latin = "Quy\xC3\x95t \xC2\xAE\xC3\x9Enh s\xC3\xA8 15/Q\xC2\xA7-UBND, "
                        "H\xC2\xB5-N\xC3\xA9i";
    const char *charset = tracuu_text_legacy_font(latin, -1);
    g_autofree char *out = NULL;
    g_assert_cmpstr(charset, ==, "TCVN3");
    out = tracuu_text_from_legacy_font(latin, -1, charset);
    g_assert_cmpstr(out, ==, "Quyết định số 15/QĐ-UBND, Hà-Nội");
}

/* Western text with a few Latin-1 signs is left as it is: no legacy font there. */
static void
test_legacy_font_western(void)
{
    static const char *const texts[] = {
        "Copyright © 2024 Acme®. All rights reserved.",
        "Café crème, déjà vu, naïve résumé – “quoted” … § 3 ½ °C",
        "Báo cáo", /* real Unicode Vietnamese */
        "plain ASCII only",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
        g_assert_null(tracuu_text_legacy_font(texts[i], -1));
}

/* A PDF with a text page and a page of drawing only: indexed, with a warning about the rest. */
static void
test_pdf_mixed(void)
{
    g_autofree char *path = case_path("src:tests/data/extract/mixed.pdf");
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_file(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(doc->pages->len, ==, 2);
    g_assert_cmpstr(doc->text, ==, "Quyet dinh so 12/QD-UBND\n");
    g_assert_cmpuint(g_array_index(doc->pages, guint64, 1), ==, strlen(doc->text));
    g_assert_nonnull(doc->warnings);
    g_assert_cmpuint(doc->warnings->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(doc->warnings, 0), ==,
                    "1 of 2 pages have no text layer (scanned images?)");
}

/* Raw deflate of @len bytes at @data, as zip stores it. */
static GByteArray *
deflate_raw(const guchar *data, gsize len)
{
    z_stream zs;
    GByteArray *out = g_byte_array_sized_new((guint)(len / 2 + 1024));
    memset(&zs, 0, sizeof zs);
    g_assert_cmpint(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), ==, Z_OK);
    g_byte_array_set_size(out, (guint)deflateBound(&zs, (uLong)len));
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out->data;
    zs.avail_out = out->len;
    g_assert_cmpint(deflate(&zs, Z_FINISH), ==, Z_STREAM_END);
    g_byte_array_set_size(out, (guint)zs.total_out);
    deflateEnd(&zs);
    return out;
}

/* The zip reader's limits, on archives that name word/document.xml. */
static void
test_zip_limits(void)
{
    static const struct {
        gsize real;      /* bytes of document.xml before compression */
        guint32 declare; /* size the headers claim */
        int error;
    } cases[] = {
        {2000, 2000, NO_ERROR},
        /* 20 MB of one byte: deflate packs it over 1000 to 1, which no document does. */
        {20000000, 20000000, TRACUU_EXTRACT_ERROR_TOO_LARGE},
        /* The header says less than the data holds. */
        {2000, 100, TRACUU_EXTRACT_ERROR_DAMAGED},
        /* The header says more than the data holds: the deflate stream ends where it ends. */
        {2000, 3000, NO_ERROR},
    };
    const char *head = "<w:document xmlns:w=\"http://schemas.openxmlformats.org/"
                       "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>";
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree guchar *xml = g_malloc(cases[i].real);
        g_autoptr(GByteArray) packed = NULL;
        g_autoptr(GByteArray) zip = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(tracuu_extracted) doc = NULL;
        const char *tail = "</w:t></w:r></w:p></w:body></w:document>";

        memset(xml, 'x', cases[i].real);
        memcpy(xml, head, strlen(head));
        memcpy(xml + cases[i].real - strlen(tail), tail, strlen(tail));
        packed = deflate_raw(xml, cases[i].real);
        zip = make_zip("word/document.xml", 8, packed->data, packed->len, cases[i].declare);
        g_test_message("zip case %" G_GSIZE_FORMAT, i);
        doc = tracuu_extract_buffer((const char *)zip->data, zip->len, "a.docx", NULL, &error);
        if (cases[i].error == NO_ERROR) {
            g_assert_no_error(error);
            g_assert_cmpstr(doc->kind, ==, "docx");
            g_assert_cmpuint(strlen(doc->text), ==,
                             cases[i].real - strlen(head) - strlen(tail) + 1);
        } else {
            g_assert_null(doc);
            g_assert_error(error, TRACUU_EXTRACT_ERROR, cases[i].error);
        }
    }
}

/* Junk under a mail name: the error says the content did not match the name. */
static void
test_junk_named(void)
{
    g_autofree char *path = case_path("tmp:junk.eml");
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = tracuu_extract_file(path, &error);
    g_assert_null(doc);
    g_assert_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==,
                    "content is not what the name .eml says: application/octet-stream");
}

static const char *const image_only_pdfs[] = {
    "shared:samples/legacy_doc/01_TB-BGH_22.1.2013_Tang_cuong_giam_sat_trong_phong_thi.pdf",
    "src:tests/data/extract/scan.pdf",
};

/* The image-only PDF's error names the reason a user can act on. */
static void
test_pdf_image_only_message(gconstpointer data)
{
    g_autofree char *path = case_path(data);
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;

    if (path == NULL)
        return;
    doc = tracuu_extract_file(path, &error);
    g_assert_null(doc);
    g_assert_error(error, TRACUU_EXTRACT_ERROR, TRACUU_EXTRACT_ERROR_NO_TEXT);
    g_assert_cmpstr(error->message, ==, "image-only PDF (1 page), needs OCR");
}

typedef struct {
    const char *file; /* fixture under tmpdir, or NULL for @bytes */
    const char *bytes;
    const char *name;
    const char *mime;
    int error;
    const char *kind;
} buffer_case;

static void
test_buffers(void)
{
    static const buffer_case cases[] = {
        {"pdf-named.txt", NULL, "attachment.bin", NULL, NO_ERROR, "pdf"},
        {"junk.pdf", NULL, "scan.pdf", NULL, TRACUU_EXTRACT_ERROR_DAMAGED, NULL},
        {"junk.pdf", NULL, NULL, "application/pdf", TRACUU_EXTRACT_ERROR_DAMAGED, NULL},
        {"junk.pdf", NULL, "data.bin", NULL, TRACUU_EXTRACT_ERROR_UNSUPPORTED, NULL},
        {"truncated.pdf", NULL, "a.pdf", NULL, TRACUU_EXTRACT_ERROR_DAMAGED, NULL},
        {NULL, "", "empty.pdf", NULL, TRACUU_EXTRACT_ERROR_DAMAGED, NULL},
        {NULL,
         "<html><head><title>T\xC3\xAAn</title></head><body><p>N\xE1\xBB\x99i dung</p>"
         "<script>hidden()</script></body></html>",
         "a.html", "text/html", NO_ERROR, "html"},
        {NULL, "Xin ch\xC3\xA0o", "note.txt", "text/plain", NO_ERROR, "text"},
        {"tcvn3.txt", NULL, "old.txt", NULL, NO_ERROR, "text"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *contents = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(tracuu_extracted) doc = NULL;
        gsize len;

        if (cases[i].file != NULL) {
            g_autofree char *path = g_build_filename(tmpdir, cases[i].file, NULL);
            g_file_get_contents(path, &contents, &len, &error);
            g_assert_no_error(error);
        } else {
            contents = g_strdup(cases[i].bytes);
            len = strlen(contents);
        }
        g_test_message("buffer %" G_GSIZE_FORMAT, i);
        doc = tracuu_extract_buffer(contents, len, cases[i].name, cases[i].mime, &error);
        if (cases[i].error == NO_ERROR) {
            g_assert_no_error(error);
            g_assert_cmpstr(doc->kind, ==, cases[i].kind);
            g_assert_true(g_utf8_validate(doc->text, -1, NULL));
        } else {
            g_assert_null(doc);
            g_assert_error(error, TRACUU_EXTRACT_ERROR, cases[i].error);
        }
    }
}

/* The HTML from a buffer: the script is not text, the title is the title. */
static void
test_html_buffer(void)
{
    const char *html = "<html><head><title>T\xC3\xAAn</title></head><body><p>N\xE1\xBB\x99i "
                       "dung</p><script>hidden()</script><p>hai</p></body></html>";
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc =
        tracuu_extract_buffer(html, strlen(html), "a.html", NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(doc->title, ==, "Tên");
    g_assert_cmpstr(doc->text, ==, "Nội dung\nhai\n");
}

/* A page typed in a VNI font declares Latin-1; the text is still Vietnamese. */
static void
test_html_legacy_font(void)
{
    g_autoptr(GByteArray) body = encode_vni("Quyết định về việc khen thưởng");
    g_autoptr(GByteArray) page = g_byte_array_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc = NULL;
    const char *head = "<html><head><meta charset=\"iso-8859-1\"><title>x</title></head>"
                       "<body><p><font face=\"VNI-Times\">";
    const char *tail = "</font></p><p>Caf\xE9</p></body></html>";

    g_byte_array_append(page, (const guint8 *)head, (guint)strlen(head));
    g_byte_array_append(page, body->data, body->len);
    g_byte_array_append(page, (const guint8 *)tail, (guint)strlen(tail));
    doc = tracuu_extract_buffer((const char *)page->data, page->len, "old.html", NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(doc->kind, ==, "html");
    g_assert_nonnull(strstr(doc->text, "Quyết định về việc khen thưởng"));
}

/* A Western page stays Western: its declared charset is used when nothing is Vietnamese. */
static void
test_html_western(void)
{
    const char *page = "<html><head><meta charset=\"windows-1252\"></head><body>"
                       "<p>Caf\xE9 cr\xE8me \x93quoted\x94 \xC3 la carte</p></body></html>";
    g_autoptr(GError) error = NULL;
    g_autoptr(tracuu_extracted) doc =
        tracuu_extract_buffer(page, strlen(page), "menu.html", "text/html", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(doc->text, ==, "Café crème “quoted” Ã la carte\n");
}

/* Every prefix of a real PDF: an error or a document, never a crash, always valid UTF-8. */
static void
test_pdf_prefixes(void)
{
    g_autofree char *path = case_path("src:tests/data/extract/memo.pdf");
    g_autofree char *data = NULL;
    g_autoptr(GError) error = NULL;
    gsize len;

    g_file_get_contents(path, &data, &len, &error);
    g_assert_no_error(error);
    for (gsize n = 0; n < len; n += 7) {
        g_autoptr(GError) e = NULL;
        g_autoptr(tracuu_extracted) doc = tracuu_extract_buffer(data, n, "memo.pdf", NULL, &e);
        g_assert_true((doc == NULL) != (e == NULL));
        if (doc != NULL)
            g_assert_true(g_utf8_validate(doc->text, -1, NULL));
        else
            g_assert_true(e->domain == TRACUU_EXTRACT_ERROR);
    }
}

static const char *const office_files[] = {
    "src:tests/data/extract/quyet-dinh.doc", "src:tests/data/extract/small.doc",
    "src:tests/data/extract/luat.docx",      "src:tests/data/extract/small.docx",
    "src:tests/data/extract/cong-van.odt",   "src:tests/data/extract/bang-luong.ods",
    "src:tests/data/extract/danh-sach.xlsx",
};

/*
 * Every prefix of a real office file, and the file with bytes overwritten at each step: an
 * error or a document, never a crash (nor a critical from libgsf, fatal under the tests).
 */
static void
test_office_damage(gconstpointer spec)
{
    g_autofree char *path = case_path(spec);
    g_autofree char *data = NULL;
    g_autoptr(GError) error = NULL;
    const char *name = strrchr(path, '/') + 1;
    gsize len;

    g_file_get_contents(path, &data, &len, &error);
    g_assert_no_error(error);
    for (gsize n = 0; n < len; n += 61) {
        g_autoptr(GError) e = NULL;
        g_autoptr(tracuu_extracted) doc = tracuu_extract_buffer(data, n, name, NULL, &e);
        g_assert_true((doc == NULL) != (e == NULL));
        if (doc != NULL)
            g_assert_true(g_utf8_validate(doc->text, -1, NULL));
        else
            g_assert_true(e->domain == TRACUU_EXTRACT_ERROR);
    }
    for (gsize at = 0; at + 4 < len; at += 37) {
        g_autofree char *bent = g_memdup2(data, len);
        g_autoptr(GError) e = NULL;
        g_autoptr(tracuu_extracted) doc = NULL;
        memset(bent + at, at & 1 ? 0xFF : 0x7F, 4);
        doc = tracuu_extract_buffer(bent, len, name, NULL, &e);
        g_assert_true((doc == NULL) != (e == NULL));
        if (doc != NULL)
            g_assert_true(g_utf8_validate(doc->text, -1, NULL));
    }
}

/* An empty MIME part reaches the HTML extractor with no data pointer at all. */
static void
test_html_null(void)
{
    GError *error = NULL;
    tracuu_extracted *doc = tracuu_extract_html(NULL, 0, &error);
    if (doc != NULL) {
        g_assert_no_error(error);
        g_assert_cmpstr(doc->text, ==, "");
        tracuu_extracted_free(doc);
    } else {
        g_assert_nonnull(error);
        g_clear_error(&error);
    }
}

/* The table of formats answers for names as the walker and the run summary ask it. */
static void
test_format_names(void)
{
    static const struct {
        const char *name;
        const char *format; /* NULL: unknown */
        gboolean indexed;
    } cases[] = {
        {"/a/b/LUAT.PDF", "pdf", TRUE},
        {"qd.doc", "doc", TRUE}, /* the two old lists disagreed on .doc */
        {"qd.docx", "docx", TRUE},
        {"thu.eml", "mail", TRUE},
        {"hop-thu.mbox", "mbox", TRUE},
        {"trang.htm", "html", TRUE},
        {"ghi-chu.txt", "text", TRUE},
        {"thu.msg", "outlook-msg", FALSE},
        {"cong-van.ODT", "odt", TRUE},
        {"bang.ods", "ods", TRUE},
        {"danh-sach.xlsx", "xlsx", TRUE},
        {"cu.rtf", "rtf", FALSE},
        {"anh.png", NULL, FALSE},
        {"khong-duoi", NULL, FALSE},
        {"/thu.muc.pdf/tep", NULL, FALSE}, /* a dot in a folder is not an extension */
        {NULL, NULL, FALSE},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const tracuu_format *f = tracuu_format_for_name(cases[i].name);
        g_assert_cmpstr(tracuu_format_get_name(f), ==, cases[i].format);
        g_assert_cmpint(tracuu_format_is_indexed(f), ==, cases[i].indexed);
    }
}

/*
 * Adds a test of the file @spec ("shared:a/b.pdf" becomes @prefix/shared/b.pdf), so that a
 * failure or a skip names the file.
 */
static void
add_case_test(const char *prefix, const char *spec, gconstpointer data, GTestDataFunc fn)
{
    const char *colon = strchr(spec, ':');
    g_autofree char *where = g_strndup(spec, (gsize)(colon - spec));
    g_autofree char *base = g_path_get_basename(colon + 1);
    g_autofree char *name = g_strdup_printf("%s/%s/%s", prefix, where, base);
    g_test_add_data_func(name, data, fn);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int status;

    g_test_init(&argc, &argv, NULL);
    if (!tracuu_extract_init(&error))
        g_error("tracuu_extract_init: %s", error->message);
    make_fixtures();
    g_test_add_func("/extract/decode/sentences", test_decode_sentences);
    g_test_add_func("/extract/decode/capitals", test_decode_capitals);
    g_test_add_func("/extract/decode/edges", test_decode_edges);
    g_test_add_func("/extract/decode/utf16", test_decode_utf16);
    g_test_add_func("/extract/decode/junk", test_decode_junk);
    for (gsize i = 0; i < G_N_ELEMENTS(file_cases); i++)
        add_case_test("/extract/file", file_cases[i].path, &file_cases[i], test_file);
    g_test_add_func("/extract/docx/deleted", test_docx_deleted);
    g_test_add_func("/extract/doc/header-story", test_doc_header_story);
    for (gsize i = 0; i < G_N_ELEMENTS(pages_cases); i++)
        add_case_test("/extract/pdf/pages", pages_cases[i].path, &pages_cases[i], test_pdf_pages);
    for (gsize i = 0; i < G_N_ELEMENTS(image_only_pdfs); i++)
        add_case_test("/extract/pdf/image-only", image_only_pdfs[i], image_only_pdfs[i],
                      test_pdf_image_only_message);
    g_test_add_func("/extract/pdf/mixed", test_pdf_mixed);
    g_test_add_func("/extract/pdf/legacy-font-pages", test_pdf_legacy_font_pages);
    g_test_add_func("/extract/decode/legacy-font-hyphens", test_legacy_font_hyphens);
    g_test_add_func("/extract/decode/legacy-font-western", test_legacy_font_western);
    g_test_add_func("/extract/junk-named", test_junk_named);
    g_test_add_func("/extract/format-names", test_format_names);
    g_test_add_func("/extract/zip/limits", test_zip_limits);
    g_test_add_func("/extract/pdf/prefixes", test_pdf_prefixes);
    for (gsize i = 0; i < G_N_ELEMENTS(office_files); i++)
        add_case_test("/extract/office/damage", office_files[i], office_files[i],
                      test_office_damage);
    g_test_add_func("/extract/buffers", test_buffers);
    g_test_add_func("/extract/html/buffer", test_html_buffer);
    g_test_add_func("/extract/html/legacy-font", test_html_legacy_font);
    g_test_add_func("/extract/html/western", test_html_western);
    g_test_add_func("/extract/html/null", test_html_null);
    status = g_test_run();
    remove_fixtures();
    return status;
}
