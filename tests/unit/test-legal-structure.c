/* test-legal-structure.c - the structure parser on a fixture, on vbpl texts and on bad input. */
#include <locale.h>
#include <string.h>

#include "tracuu-legal-structure.h"
#include "tracuu-test.h"

/* Checks what every structure promises, whatever the text: ranges inside the text and in
   order, parents before their children and of an outer level, one-line valid UTF-8 strings. */
static void
check_invariants(const tracuu_legal_structure *s, gsize len)
{
    for (gsize i = 0; i < s->n_units; i++) {
        const tracuu_legal_unit *u = &s->units[i];
        g_assert_cmpuint(u->start, <=, u->end);
        g_assert_cmpuint(u->end, <=, len);
        if (i > 0)
            g_assert_cmpuint(s->units[i - 1].start, <, u->start);
        g_assert_cmpint(u->parent, <, (int)i);
        if (u->parent >= 0) {
            g_assert_cmpint(s->units[u->parent].level, <, u->level);
            g_assert_cmpuint(s->units[u->parent].end, >=, u->end);
        }
        g_assert_nonnull(u->number);
        g_assert_true(*u->number);
        g_assert_true(g_utf8_validate(u->number, -1, NULL));
        if (u->level <= TRACUU_LEGAL_ARTICLE) {
            g_assert_nonnull(u->title);
            g_assert_true(g_utf8_validate(u->title, -1, NULL));
            g_assert_null(strchr(u->title, '\n'));
        } else {
            g_assert_null(u->title);
        }
    }
}

/* The fixture tests/data/legal/luat-mau.txt, unit by unit. */
typedef struct {
    tracuu_legal_level level;
    const char *number;
    const char *title; /* NULL for clauses and points */
    int parent;
    guint block;
    const char *text_ends; /* the unit's text ends so */
} fixture_unit;

static const fixture_unit fixture_units[] = {
    {TRACUU_LEGAL_PART, "thứ nhất", "NHỮNG QUY ĐỊNH CHUNG", -1, 0, "năm 2100."},
    {TRACUU_LEGAL_CHAPTER, "I", "PHẠM VI ÁP DỤNG", 0, 0, "tài liệu mật."},
    /* "theo Điều 5 của Luật này" in running text is no heading. */
    {TRACUU_LEGAL_ARTICLE, "1", "Phạm vi điều chỉnh", 1, 0, "của Luật này."},
    /* A heading broken over lines by a PDF, with a page number between. */
    {TRACUU_LEGAL_ARTICLE, "2",
     "Giải thích từ ngữ và nguyên tắc áp dụng đối với các cơ quan lưu trữ", 1, 0, "tài liệu mật."},
    {TRACUU_LEGAL_CLAUSE, "1", NULL, 3, 0, "có giá trị."},
    {TRACUU_LEGAL_CLAUSE, "2", NULL, 3, 0, "tài liệu mật."},
    {TRACUU_LEGAL_POINT, "a", NULL, 5, 0, "trung ương;"},
    {TRACUU_LEGAL_POINT, "đ", NULL, 5, 0, "tài liệu mật."},
    /* A title on two lines in capitals. */
    {TRACUU_LEGAL_CHAPTER, "II", "QUẢN LÝ TÀI LIỆU LƯU TRỮ TRONG CƠ QUAN NHÀ NƯỚC", 0, 0,
     "năm 2100."},
    {TRACUU_LEGAL_SECTION, "1", "THU THẬP TÀI LIỆU", 8, 0, "năm 2100."},
    /* "quy định tại" / "Điều 7. ..." is a reference broken by a line end. */
    {TRACUU_LEGAL_ARTICLE, "5", "Thu thập tài liệu", 9, 0, "một điều."},
    {TRACUU_LEGAL_CLAUSE, "1", NULL, 10, 0, "một điều."},
    /* The quoted “Điều 3. ...” belongs to the amended text. */
    {TRACUU_LEGAL_ARTICLE, "12a", "Lưu trữ tài liệu điện tử", 9, 0, "của Điều 12a."},
    {TRACUU_LEGAL_CLAUSE, "2", NULL, 12, 0, "của Điều 12a."},
    /* Capitals and a colon; the signature block ends it. */
    {TRACUU_LEGAL_ARTICLE, "13", "Hiệu lực thi hành", 9, 0, "năm 2100."},
    /* Numbering starts again after the annex: a second text. */
    {TRACUU_LEGAL_ARTICLE, "1", "Một điều trong quy chế kèm theo", -1, 1, "kèm theo"},
};

static void
test_fixture(void)
{
    g_autofree char *path = tracuu_test_source_path("tests/data/legal/luat-mau.txt");
    g_autofree char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(text, (gssize)len);
    check_invariants(s, len);
    g_assert_cmpuint(s->n_units, ==, G_N_ELEMENTS(fixture_units));
    for (gsize i = 0; i < s->n_units; i++) {
        const tracuu_legal_unit *u = &s->units[i];
        const fixture_unit *want = &fixture_units[i];
        g_test_message("unit %zu: %s %s", i, u->number, u->title ? u->title : "");
        g_assert_cmpint(u->level, ==, want->level);
        g_assert_cmpstr(u->number, ==, want->number);
        g_assert_cmpstr(u->title, ==, want->title);
        g_assert_cmpint(u->parent, ==, want->parent);
        g_assert_cmpuint(u->block, ==, want->block);
        g_autofree char *body = g_strndup(text + u->start, u->end - u->start);
        g_assert_true(g_str_has_suffix(body, want->text_ends));
    }
    g_autofree char *label = tracuu_legal_structure_dup_label(s, 8);
    g_assert_cmpstr(label, ==, "Chương II. QUẢN LÝ TÀI LIỆU LƯU TRỮ TRONG CƠ QUAN NHÀ NƯỚC");
    g_assert_null(tracuu_legal_structure_dup_label(s, 2));
    g_assert_cmpint(tracuu_legal_structure_get_enclosing(s, 7, TRACUU_LEGAL_ARTICLE), ==, 3);
    g_assert_cmpint(tracuu_legal_structure_get_enclosing(s, 7, TRACUU_LEGAL_CHAPTER), ==, 1);
    g_assert_cmpint(tracuu_legal_structure_get_enclosing(s, 15, TRACUU_LEGAL_CHAPTER), ==, -1);
}

/* Small texts, one form each. */
typedef struct {
    const char *name;
    const char *text;
    const char *articles; /* "number:heading|..." of the articles found, "" for none */
} form_case;

static const form_case form_cases[] = {
    {"plain", "Điều 1. Phạm vi\nNội dung.\nĐiều 2. Đối tượng\n", "1:Phạm vi|2:Đối tượng"},
    {"no-space", "Điều1. Phạm vi\n", "1:Phạm vi"},
    {"eth", "Ðiều 3. Viết bằng chữ Eth\n", "3:Viết bằng chữ Eth"},
    {"crlf-nbsp", "\xC2\xA0 Điều 4.\xC2\xA0Hiệu lực\r\n", "4:Hiệu lực"},
    {"reference", "Điều 5 của Luật này quy định.\nTheo Điều 6. Nội dung.\n", ""},
    {"after-linking-word", "Điều 1. A\nNội dung thực hiện theo\nĐiều 2. của Luật này.\n", "1:A"},
    {"after-comma", "Điều 1. A\nNội dung khoản a,\nĐiều 2. B\n", "1:A|2:B"},
    {"five-digits", "Điều 12345. Không phải\n", ""},
    {"two-letters", "Điều 12ab. Không phải\n", ""},
    {"straight-quote", "Điều 1. A\n\"Điều 2. Trích\nvẫn trích\"\nĐiều 3. C\n", "1:A|3:C"},
    {"unclosed-quote", "Điều 1. A\n“Điều 2. Trích dẫn không đóng\nĐiều 3. C\n", "1:A"},
    {"empty", "", ""},
    /* A part's ordinal longer than a number may be: cut between characters (found by fuzzing). */
    {"long-ordinal", "Phần thứ ệệệệệệệệệệ\nĐiều 1. A\n", "1:A"},
};

static void
test_form(gconstpointer data)
{
    const form_case *c = data;
    gsize len = strlen(c->text);
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(c->text, (gssize)len);
    check_invariants(s, len);
    GString *got = g_string_new(NULL);
    for (gsize i = 0; i < s->n_units; i++)
        if (s->units[i].level == TRACUU_LEGAL_ARTICLE)
            g_string_append_printf(got, "%s%s:%s", got->len ? "|" : "", s->units[i].number,
                                   s->units[i].title);
    g_assert_cmpstr(got->str, ==, c->articles);
    g_string_free(got, TRUE);
}

/*
 * Each form of heading as vbpl writes it: an excerpt copied verbatim from the document @vbpl_id
 * (the test verbatim-in-vbpl checks that it still is), and every unit the parser finds in it,
 * "level:number:title<parent" ("clause:1<0"; a title only down to articles, a parent index
 * only where there is one). vbpl writes "Phần" only in the forms of annexes, never over
 * chapters: the two part cases show the heading's form alone.
 */
typedef struct {
    const char *name;
    const char *vbpl_id;
    const char *text;
    const char *units;
} excerpt_case;

static const excerpt_case excerpt_cases[] = {
    {"part-ordinal", "vbpl-doc_000079",
     "Phần thứ nhất\nTÀI LIỆU THẨM ĐỊNH VÀ TỔ CHỨC THẨM ĐỊNH\n",
     "part:thứ nhất:TÀI LIỆU THẨM ĐỊNH VÀ TỔ CHỨC THẨM ĐỊNH"},
    /* The title on the heading line; the line after, not in capitals, is no title. */
    {"part-roman-title", "vbpl-doc_000550",
     "PHẦN I. KHÁM PHÁT HIỆN BỆNH NGHỀ NGHIỆP\n(Do cơ sở khám bệnh nghề nghiệp thực hiện)\n",
     "part:I:KHÁM PHÁT HIỆN BỆNH NGHỀ NGHIỆP"},
    {"chapter", "vbpl-doc_000001",
     "Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n",
     "chapter:I:QUY ĐỊNH CHUNG|article:1:Phạm vi điều chỉnh<0"},
    {"chapter-capitals", "vbpl-doc_000124",
     "CHƯƠNG I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n",
     "chapter:I:QUY ĐỊNH CHUNG|article:1:Phạm vi điều chỉnh<0"},
    /* Chapter and section titles on their heading lines, without a dot. */
    {"chapter-section-one-line", "vbpl-doc_000308",
     "Chương II GIẤY PHÉP XÂY DỰNG VÀ QUẢN LÝ TRẬT TỰ XÂY DỰNG\nMục 1 QUY ĐỊNH CHUNG\nĐiều 16. "
     "Trình tự đầu tư xây dựng\n",
     "chapter:II:GIẤY PHÉP XÂY DỰNG VÀ QUẢN LÝ TRẬT TỰ XÂY DỰNG|section:1:QUY ĐỊNH "
     "CHUNG<0|article:16:Trình tự đầu tư xây dựng<1"},
    /* A section title holding ";". */
    {"chapter-section-article", "vbpl-doc_000001",
     "Chương II\nNHỮNG QUY ĐỊNH CỤ THỂ\nMục 1\nTIÊU CHÍ, QUY TRÌNH TUYỂN CHỌN; QUYỀN VÀ NGHĨA "
     "VỤ; TRÁCH NHIỆM; ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NHIỆM VỤ CỦA CHUYÊN GIA\nĐiều 3. Tiêu chí "
     "tuyển chọn chuyên gia\n",
     "chapter:II:NHỮNG QUY ĐỊNH CỤ THỂ|section:1:TIÊU CHÍ, QUY TRÌNH TUYỂN CHỌN; QUYỀN VÀ NGHĨA "
     "VỤ; TRÁCH NHIỆM; ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NHIỆM VỤ CỦA CHUYÊN GIA<0|article:3:Tiêu chí "
     "tuyển chọn chuyên gia<1"},
    {"section-dot", "vbpl-doc_000045",
     "Chương III\nXÁC MINH, GIẢI QUYẾT VỤ CHÁY\nMục 1. THỰC HIỆN NHIỆM VỤ TẠI HIỆN TRƯỜNG\nĐiều "
     "11. Trách nhiệm của các lực lượng thực hiện nhiệm vụ tại hiện trường\n",
     "chapter:III:XÁC MINH, GIẢI QUYẾT VỤ CHÁY|section:1:THỰC HIỆN NHIỆM VỤ TẠI HIỆN "
     "TRƯỜNG<0|article:11:Trách nhiệm của các lực lượng thực hiện nhiệm vụ tại hiện trường<1"},
    /* "Mục 1." alone on its line. */
    {"section-dot-alone", "vbpl-doc_000736",
     "Chương II\nQUY ĐỊNH CỤ THỂ\nMục 1.\nMẠNG CỤC BỘ NGÂN HÀNG NHÀ NƯỚC\nĐiều 8. Quy định về "
     "lắp đặt mới, nâng cấp và sửa chữa\n",
     "chapter:II:QUY ĐỊNH CỤ THỂ|section:1:MẠNG CỤC BỘ NGÂN HÀNG NHÀ NƯỚC<0|article:8:Quy định "
     "về lắp đặt mới, nâng cấp và sửa chữa<1"},
    {"section-capitals", "vbpl-doc_000012",
     "Chương IX\nTRÁCH NHIỆM CỦA CÁC BÊN LIÊN QUAN; TRÁCH NHIỆM CỦA CƠ QUAN, ĐƠN VỊ, CÁ NHÂN "
     "THAM GIA HOẠT ĐỘNG ĐẤU THẦU\nMỤC 1\nTRÁCH NHIỆM CỦA CÁC BÊN LIÊN QUAN THAM GIA HOẠT ĐỘNG "
     "ĐẤU THẦU\nĐiều 34. Trách nhiệm của người có thẩm quyền\n",
     "chapter:IX:TRÁCH NHIỆM CỦA CÁC BÊN LIÊN QUAN; TRÁCH NHIỆM CỦA CƠ QUAN, ĐƠN VỊ, CÁ NHÂN "
     "THAM GIA HOẠT ĐỘNG ĐẤU THẦU|section:1:TRÁCH NHIỆM CỦA CÁC BÊN LIÊN QUAN THAM GIA HOẠT ĐỘNG "
     "ĐẤU THẦU<0|article:34:Trách nhiệm của người có thẩm quyền<1"},
    /* Points up to "đ)", after "d)". */
    {"clause-points-to-eth", "vbpl-doc_000011",
     "Điều 32. Báo cáo quyết toán\n1. Báo cáo phải xác định đầy đủ, chính xác các nội dung sau:\n"
     "a) Chi tiết vốn đầu tư.\nb) Tổng chi phí đầu tư đề nghị quyết toán hoàn thành.\nc) Chi phí "
     "thiệt hại trong quá trình đầu tư.\nd) Chi phí được phép không tính vào giá trị tài sản.\n"
     "đ) Giá trị tài sản hình thành là kết quả của quá trình thực hiện dự án.\n",
     "article:32:Báo cáo quyết toán|clause:1<0|point:a<1|point:b<1|point:c<1|point:d<1|point:đ<1"},
    /* A Nghị quyết: "Điều 1" alone on its line, no heading. */
    {"article-alone", "vbpl-doc_000732",
     "Điều 1\nBan hành kèm theo Nghị quyết này Quy chế làm việc mẫu của Hội đồng Dân tộc và các "
     "Ủy ban của Quốc hội.\n",
     "article:1:"},
    /* A formula of a report form, outside any chapter. */
    {"not-a-section", "vbpl-doc_000192",
     "Mục I = mục 1 + mục 2 + mục 3 + mục 4;\nMục 1 =mục 1.1 + mục 1.2 + mục 1.3;\n",
     ""},
    /* "Chương V của Nghị định này ..." is a reference. */
    {"chapter-reference", "vbpl-doc_000109",
     "Chương V của Nghị định này hết hiệu lực theo quy định của Nghị định số 140/2025/NĐ-CP, "
     "Nghị định số 144/2025/NĐ-CP.\n",
     ""},
};

static const char *const level_names[] = {
    [TRACUU_LEGAL_PART] = "part",       [TRACUU_LEGAL_CHAPTER] = "chapter",
    [TRACUU_LEGAL_SECTION] = "section", [TRACUU_LEGAL_ARTICLE] = "article",
    [TRACUU_LEGAL_CLAUSE] = "clause",   [TRACUU_LEGAL_POINT] = "point",
};

static void
test_excerpt(gconstpointer data)
{
    const excerpt_case *c = data;
    gsize len = strlen(c->text);
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(c->text, (gssize)len);
    check_invariants(s, len);
    GString *got = g_string_new(NULL);
    for (gsize i = 0; i < s->n_units; i++) {
        const tracuu_legal_unit *u = &s->units[i];
        g_string_append_printf(got, "%s%s:%s", got->len ? "|" : "", level_names[u->level],
                               u->number);
        if (u->title)
            g_string_append_printf(got, ":%s", u->title);
        if (u->parent >= 0)
            g_string_append_printf(got, "<%d", u->parent);
    }
    g_assert_cmpstr(got->str, ==, c->units);
    g_string_free(got, TRUE);
}

/* Every excerpt said to be copied from a vbpl document still is, word for word. */
static void
test_verbatim(void)
{
    if (!tracuu_test_vbpl_texts())
        return; /* skipped: no shared data */
    for (gsize i = 0; i < G_N_ELEMENTS(excerpt_cases); i++)
        tracuu_test_assert_vbpl_excerpt(excerpt_cases[i].vbpl_id, excerpt_cases[i].text);
}

/* Real texts of ../shared/data/vbpl/docs.jsonl, one article each. */
typedef struct {
    const char *id;
    guint n_articles;
    const char *number;
    const char *heading;
    const char *chapter; /* label, NULL for none */
} vbpl_case;

static const vbpl_case vbpl_cases[] = {
    {"vbpl-doc_000001", 16, "1", "Phạm vi điều chỉnh", "Chương I. QUY ĐỊNH CHUNG"},
    {"vbpl-doc_000001", 16, "16", "Trách nhiệm thi hành", "Chương III. TỔ CHỨC THỰC HIỆN"},
    /* A chapter title over three lines; headings that name other articles. */
    {"vbpl-doc_000109", 43, "8", "Bổ sung Điều 18a",
     "Chương I. SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA NGHỊ ĐỊNH SỐ 96/2024/NĐ-CP NGÀY 24 THÁNG 7 NĂM "
     "2024 CỦA CHÍNH PHỦ QUY ĐỊNH CHI TIẾT MỘT SỐ ĐIỀU CỦA LUẬT KINH DOANH BẤT ĐỘNG SẢN"},
    /* A Nghị quyết: "Điều 1" alone on its line, no chapters. */
    {"vbpl-doc_000732", 3, "1", "", NULL},
    /* The clause before it ends with a comma. */
    {"vbpl-doc_000444", 11, "6", "Chế độ báo cáo thống kê ngành khoa học và công nghệ",
     "Chương II. HỆ THỐNG CHỈ TIÊU THỐNG KÊ CHẾ ĐỘ BÁO CÁO THỐNG KÊ VÀ ĐIỀU TRA THỐNG KÊ NGÀNH "
     "KHOA HỌC VÀ CÔNG NGHỆ"},
};

static void
test_vbpl(gconstpointer data)
{
    const vbpl_case *c = data;
    GHashTable *texts = tracuu_test_vbpl_texts();
    if (!texts)
        return; /* skipped: no shared data */
    const char *text = g_hash_table_lookup(texts, c->id);
    g_assert_nonnull(text);
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(text, -1);
    check_invariants(s, strlen(text));
    guint n = 0;
    gboolean seen = FALSE;
    for (gsize i = 0; i < s->n_units; i++) {
        const tracuu_legal_unit *u = &s->units[i];
        if (u->level != TRACUU_LEGAL_ARTICLE)
            continue;
        n++;
        if (strcmp(u->number, c->number) != 0 || u->block != 0)
            continue;
        seen = TRUE;
        g_assert_cmpstr(u->title, ==, c->heading);
        int ch = tracuu_legal_structure_get_enclosing(s, i, TRACUU_LEGAL_CHAPTER);
        g_autofree char *label = ch >= 0 ? tracuu_legal_structure_dup_label(s, (gsize)ch) : NULL;
        g_assert_cmpstr(label, ==, c->chapter);
        /* The article's text starts at its heading. */
        g_assert_true(g_str_has_prefix(text + u->start, "Điều"));
    }
    g_assert_true(seen);
    g_assert_cmpuint(n, ==, c->n_articles);
}

/* The recall and precision of bench/legal-articles-eval over all 287 vbpl texts. */
static double
eval_percent(const char *out, const char *name)
{
    g_autofree char *key = g_strdup_printf("%s: ", name);
    const char *p = strstr(out, key);
    return p ? g_ascii_strtod(p + strlen(key), NULL) : -1.0;
}

static void
test_vbpl_eval(void)
{
    g_autofree char *docs = tracuu_test_shared_or_skip("vbpl/docs.jsonl");
    if (!docs)
        return;
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    g_assert_nonnull(build);
    g_autofree char *eval = g_build_filename(build, "bench", "legal-articles-eval", NULL);
    const char *argv[] = {eval, docs, NULL};
    g_autofree char *out = NULL;
    int status = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                               &status, &error));
    g_assert_no_error(error);
    g_test_message("%s", out);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpfloat(eval_percent(out, "recall"), >=, 99.0);
    g_assert_cmpfloat(eval_percent(out, "precision"), >=, 99.0);
}

/* Bad input: invalid UTF-8, NUL bytes inside @len, a huge line, more units than the bound. */
static void
test_hostile(void)
{
    static const char bad[] =
        "Điều 1. A\xff\xfe tiêu đề\n\0Điều 2. \xc3\n1. x\na) y\nChương \xe2\x80";
    g_autoptr(tracuu_legal_structure) s = tracuu_legal_structure_parse(bad, sizeof bad - 1);
    check_invariants(s, sizeof bad - 1);
    g_assert_cmpuint(s->n_units, >=, 1);
    g_assert_cmpstr(s->units[0].title, ==, "A");

    GString *big = g_string_new(NULL);
    for (int i = 0; i < TRACUU_LEGAL_MAX_UNITS + 10; i++)
        g_string_append_printf(big, "Điều %d. X\n", i % 9999 + 1);
    g_autoptr(tracuu_legal_structure) many = tracuu_legal_structure_parse(big->str, -1);
    check_invariants(many, big->len);
    g_assert_cmpuint(many->n_units, ==, TRACUU_LEGAL_MAX_UNITS);
    g_assert_true(many->truncated);

    /* A heading of a megabyte is cut, and still valid UTF-8. */
    g_string_assign(big, "Điều 1. ");
    for (int i = 0; i < 300000; i++)
        g_string_append(big, "ệ ");
    g_autoptr(tracuu_legal_structure) longer = tracuu_legal_structure_parse(big->str, -1);
    check_invariants(longer, big->len);
    g_assert_cmpuint(strlen(longer->units[0].title), <=, 600);
    g_string_free(big, TRUE);

    g_autoptr(tracuu_legal_structure) none = tracuu_legal_structure_parse(NULL, 0);
    g_assert_cmpuint(none->n_units, ==, 0);
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/legal-structure/fixture", test_fixture);
    for (gsize i = 0; i < G_N_ELEMENTS(form_cases); i++) {
        g_autofree char *path = g_strdup_printf("/legal-structure/form/%s", form_cases[i].name);
        g_test_add_data_func(path, &form_cases[i], test_form);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(excerpt_cases); i++) {
        g_autofree char *path =
            g_strdup_printf("/legal-structure/excerpt/%s", excerpt_cases[i].name);
        g_test_add_data_func(path, &excerpt_cases[i], test_excerpt);
    }
    g_test_add_func("/legal-structure/verbatim-in-vbpl", test_verbatim);
    for (gsize i = 0; i < G_N_ELEMENTS(vbpl_cases); i++) {
        g_autofree char *path = g_strdup_printf("/legal-structure/vbpl/%s/dieu-%s",
                                                vbpl_cases[i].id, vbpl_cases[i].number);
        g_test_add_data_func(path, &vbpl_cases[i], test_vbpl);
    }
    g_test_add_func("/legal-structure/vbpl-eval", test_vbpl_eval);
    g_test_add_func("/legal-structure/hostile", test_hostile);
    return g_test_run();
}
