/* test-ocr.c - scanned PDFs and images read by OCR, cached by content, found by search. */
#include "tracuu-test-indexer.h"
#include "tracuu-test.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib/gstdio.h>
#include <leptonica/allheaders.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

/* The header of an official document, as a scan would show it. */
static const char *const header_lines[] = {
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
    "Số: 123/QĐ-UBND",
    "QUYẾT ĐỊNH",
    "Về việc phê duyệt kế hoạch trồng rừng",
    NULL,
};

typedef tracuu_test_docs fixture;

static gboolean
have_vie_data(void)
{
    static const char *const dirs[] = {"/usr/share/tesseract-ocr/5/tessdata",
                                       "/usr/share/tesseract-ocr/4.00/tessdata",
                                       "/usr/share/tessdata"};
    for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *p = g_build_filename(dirs[i], "vie.traineddata", NULL);
        if (g_file_test(p, G_FILE_TEST_EXISTS))
            return TRUE;
    }
    return FALSE;
}

static void
fixture_setup(fixture *f, gconstpointer data)
{
    tracuu_test_docs_init(f, "tracuu-ocr-XXXXXX");
}

static void
fixture_teardown(fixture *f, gconstpointer data)
{
    tracuu_test_docs_clear(f);
}

/*
 * @lines in black on white at 300 dpi, as a scanner gives them: an image, with no text layer
 * anywhere. Small (a band of the page), so that Tesseract reads it in a second or two.
 */
static cairo_surface_t *
render_lines(const char *const *lines)
{
    int n = 0;
    while (lines[n] != NULL)
        n++;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1800, 120 + 110 * n);
    cairo_t *cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 50); /* 12 pt at 300 dpi */
    for (int i = 0; i < n; i++) {
        cairo_move_to(cr, 100, 130 + 110 * i);
        cairo_show_text(cr, lines[i]);
    }
    cairo_destroy(cr);
    cairo_surface_flush(img);
    return img;
}

/* Puts @img on a PDF page of its own size at 300 dpi, as a picture. */
static void
pdf_image_page(cairo_surface_t *pdf, cairo_surface_t *img)
{
    double w = cairo_image_surface_get_width(img) * 72.0 / 300,
           h = cairo_image_surface_get_height(img) * 72.0 / 300;
    cairo_pdf_surface_set_size(pdf, w, h);
    cairo_t *cr = cairo_create(pdf);
    cairo_scale(cr, 72.0 / 300, 72.0 / 300);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    cairo_show_page(cr);
    cairo_destroy(cr);
}

/* A page with a real text layer (typed, not scanned). */
static void
pdf_text_page(cairo_surface_t *pdf, const char *const *lines)
{
    cairo_pdf_surface_set_size(pdf, 595, 300);
    cairo_t *cr = cairo_create(pdf);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    for (int i = 0; lines[i] != NULL; i++) {
        cairo_move_to(cr, 50, 50 + 20 * i);
        cairo_show_text(cr, lines[i]);
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
}

/* An image-only PDF of @lines at @path. */
static void
write_scan_pdf(const char *path, const char *const *lines)
{
    cairo_surface_t *img = render_lines(lines);
    cairo_surface_t *pdf = cairo_pdf_surface_create(path, 100, 100);
    pdf_image_page(pdf, img);
    cairo_surface_finish(pdf);
    g_assert_cmpint(cairo_surface_status(pdf), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(pdf);
    cairo_surface_destroy(img);
}

/* Writes @path: a PDF of one typed page of @lines. */
static void
write_typed_pdf(const char *path, const char *const *lines)
{
    cairo_surface_t *pdf = cairo_pdf_surface_create(path, 100, 100);
    pdf_text_page(pdf, lines);
    cairo_surface_finish(pdf);
    g_assert_cmpint(cairo_surface_status(pdf), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(pdf);
}

/* Runs the indexer with --json --verbose and @extra; *@ocr_pages: the pages Tesseract read. */
static JsonObject *
index_run(fixture *f, const char *const *extra, int *status, guint *ocr_pages)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, (gpointer) "--db");
    g_ptr_array_add(a, f->db);
    g_ptr_array_add(a, (gpointer) "--json");
    g_ptr_array_add(a, (gpointer) "--verbose");
    for (const char *const *e = extra; e != NULL && *e != NULL; e++)
        g_ptr_array_add(a, (gpointer)*e);
    g_ptr_array_add(a, f->docs);
    g_ptr_array_add(a, NULL);
    g_autofree char *out = NULL, *err = NULL;
    int st = tracuu_test_run_indexer((const char *const *)a->pdata, NULL, NULL, &out, &err);
    g_ptr_array_free(a, TRUE);
    if (status != NULL)
        *status = st;
    guint n = 0;
    for (const char *p = err; p != NULL && (p = strstr(p, "worker: OCR page ")) != NULL; p++)
        n++;
    if (ocr_pages != NULL)
        *ocr_pages = n;
    /* --verbose names each file before the JSON summary: the summary is the last object. */
    const char *brace = strstr(out, "\n{");
    return tracuu_test_parse_object(out[0] == '{' ? out : brace != NULL ? brace + 1 : out);
}

/* The hits of @query in the index, through the client straight on it. */
static JsonArray *
search(fixture *f, const char *query, JsonObject **answer)
{
    g_autofree char *client = g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "client", "tracuu",
                                               NULL);
    const char *argv[] = {client, "--db", f->db, "--json", "search", query, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    GError *error = NULL;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                 &error);
    g_assert_no_error(error);
    g_test_message("search %s: %s%s", query, out, err);
    *answer = tracuu_test_parse_object(out);
    return json_object_get_array_member(*answer, "hits");
}

/* The hit of @query whose path ends with @name, or NULL. Borrowed from *@answer. */
static JsonObject *
hit_for(fixture *f, const char *query, const char *name, JsonObject **answer)
{
    JsonArray *hits = search(f, query, answer);
    for (guint i = 0; hits != NULL && i < json_array_get_length(hits); i++) {
        JsonObject *h = json_array_get_object_element(hits, i);
        if (g_str_has_suffix(json_object_get_string_member(h, "path"), name))
            return h;
    }
    return NULL;
}

/*
 * The pages hit @h says OCR read, as "1,3" ("" when it has no ocr_pages); the test fails
 * unless "ocr" is the JSON boolean true exactly when ocr_pages is given. Caller frees.
 */
static char *
ocr_pages_of(JsonObject *h)
{
    JsonNode *ocr = json_object_get_member(h, "ocr");
    JsonNode *pages = json_object_get_member(h, "ocr_pages");
    if (pages == NULL) {
        g_assert_null(ocr);
        return g_strdup("");
    }
    g_assert_nonnull(ocr);
    g_assert_cmpint(json_node_get_value_type(ocr), ==, G_TYPE_BOOLEAN);
    g_assert_true(json_node_get_boolean(ocr));
    g_assert_true(JSON_NODE_HOLDS_ARRAY(pages));
    JsonArray *a = json_node_get_array(pages);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < json_array_get_length(a); i++)
        g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                               json_array_get_int_element(a, i));
    return g_string_free(s, FALSE);
}

/* Asserts that hit @h says OCR read the pages @want ("2,3"; "" for no OCR). */
#define ASSERT_OCR_PAGES(h, want)                                                              \
    do {                                                                                       \
        g_autofree char *got_ = ocr_pages_of(h);                                               \
        g_assert_cmpstr(got_, ==, (want));                                                     \
    } while (0)

/* The stored fields of document @id, through the client's get, as JSON. Caller unrefs. */
static JsonObject *
get_doc(fixture *f, const char *id)
{
    g_autofree char *client = g_build_filename(g_getenv("TRACUU_BUILD_ROOT"), "client", "tracuu",
                                               NULL);
    const char *argv[] = {client, "--db", f->db, "--json", "get", id, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    GError *error = NULL;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                 &error);
    g_assert_no_error(error);
    g_test_message("get %s: %s%s", id, out, err);
    JsonObject *answer = tracuu_test_parse_object(out);
    JsonObject *doc = json_object_get_object_member(answer, "doc");
    g_assert_nonnull(doc);
    json_object_ref(doc);
    json_object_unref(answer);
    return doc;
}

/* @img (cairo RGB24) as an 8-bit grey leptonica image, to write as JPEG or TIFF. */
static PIX *
pix_of(cairo_surface_t *img)
{
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *data = cairo_image_surface_get_data(img);
    PIX *pix = pixCreate(w, h, 8);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            guint32 px;
            memcpy(&px, data + (gsize)y * stride + (gsize)x * 4, sizeof px);
            pixSetPixel(pix, x, y, ((px >> 16 & 0xff) + (px >> 8 & 0xff) + (px & 0xff)) / 3);
        }
    return pix;
}

#define SKIP_WITHOUT_VIE()                                                                     \
    do {                                                                                       \
        if (!have_vie_data()) {                                                                \
            g_test_skip("needs Tesseract's Vietnamese data (tesseract-ocr-vie)");              \
            return;                                                                            \
        }                                                                                      \
    } while (0)

/*
 * An image-only PDF is read by OCR: found by a word of its image, marked ocr, its header read
 * by docmeta. A copy under another name is not read again (the cache is by content), and both
 * are found.
 */
static void
test_scan_pdf(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    g_autofree char *scan = g_build_filename(f->docs, "scan.pdf", NULL);
    write_scan_pdf(scan, header_lines);
    int status;
    guint pages;
    g_autoptr(JsonObject) s1 = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s1, "indexed"), ==, 1);
    g_assert_cmpuint(pages, ==, 1);

    g_autoptr(JsonObject) answer = NULL;
    JsonObject *h = hit_for(f, "trồng rừng", "/scan.pdf", &answer);
    g_assert_nonnull(h);
    ASSERT_OCR_PAGES(h, "1");
    g_assert_cmpstr(json_object_get_string_member_with_default(h, "number", NULL), ==,
                    "123/QĐ-UBND");
    g_assert_cmpstr(json_object_get_string_member_with_default(h, "doc_type", NULL), ==,
                    "Quyết định");
    /* get gives the same stored fields: a boolean and the page numbers. */
    g_autoptr(JsonObject) doc = get_doc(f, json_object_get_string_member(h, "id"));
    ASSERT_OCR_PAGES(doc, "1");
    g_assert_cmpint(json_object_get_int_member_with_default(h, "page", 0), ==, 1);

    /* The same bytes under another name: the cache answers, Tesseract is not called. */
    g_autofree char *copy = g_build_filename(f->docs, "ban-sao.pdf", NULL);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(scan, &bytes, &len, NULL));
    tracuu_test_write_file(f->docs, "ban-sao.pdf", bytes, (gssize)len);
    g_autoptr(JsonObject) s2 = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 1);
    g_assert_cmpuint(pages, ==, 0);
    g_autoptr(JsonObject) answer2 = NULL;
    JsonObject *h2 = hit_for(f, "trồng rừng", "/ban-sao.pdf", &answer2);
    g_assert_nonnull(h2);
    ASSERT_OCR_PAGES(h2, "1");

    /* The cache is beside the index, and never walked: a run over the folder that holds both
     * sees the two PDFs only. */
    g_autofree char *cache = g_strconcat(f->db, ".ocr-cache", NULL);
    g_assert_true(g_file_test(cache, G_FILE_TEST_IS_DIR));
    const char *args[] = {"--db", f->db, "--json", f->dir, NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, &out, NULL), ==, 0);
    g_autoptr(JsonObject) s3 = tracuu_test_parse_object(out);
    g_assert_cmpint(tracuu_test_int_member(s3, "seen"), ==, 2);
}

/* A typed cover letter and a scanned annex: both pages found, the annex on page 2. */
static void
test_mixed_pdf(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    static const char *const cover[] = {
        "CÔNG VĂN gửi kèm phụ lục",
        "Kính gửi các sở, ban, ngành: đề nghị nghiên cứu phụ lục đính kèm theo công văn này.",
        "Nơi nhận: như trên; lưu văn thư.", NULL};
    static const char *const annex[] = {"PHỤ LỤC", "Danh sách hồ chứa nước thủy lợi", NULL};
    g_autofree char *path = g_build_filename(f->docs, "mixed.pdf", NULL);
    cairo_surface_t *pdf = cairo_pdf_surface_create(path, 100, 100);
    pdf_text_page(pdf, cover);
    cairo_surface_t *img = render_lines(annex);
    pdf_image_page(pdf, img);
    cairo_surface_destroy(img);
    cairo_surface_finish(pdf);
    cairo_surface_destroy(pdf);

    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 1); /* the typed page keeps its text layer */
    g_autoptr(JsonObject) a1 = NULL, a2 = NULL;
    JsonObject *typed = hit_for(f, "nghiên cứu phụ lục", "/mixed.pdf", &a1);
    g_assert_nonnull(typed);
    g_assert_cmpint(json_object_get_int_member_with_default(typed, "page", 0), ==, 1);
    ASSERT_OCR_PAGES(typed, "2"); /* the document's pages: its cover is its text layer */
    JsonObject *scanned = hit_for(f, "hồ chứa", "/mixed.pdf", &a2);
    g_assert_nonnull(scanned);
    g_assert_cmpint(json_object_get_int_member_with_default(scanned, "page", 0), ==, 2);
    ASSERT_OCR_PAGES(scanned, "2");
}

/* Writes a mixed PDF at @path: the typed cover letter of @cover, then the scanned @annex. */
static void
write_mixed_pdf(const char *path, const char *const *cover, const char *const *annex)
{
    cairo_surface_t *pdf = cairo_pdf_surface_create(path, 100, 100);
    pdf_text_page(pdf, cover);
    cairo_surface_t *img = render_lines(annex);
    pdf_image_page(pdf, img);
    cairo_surface_destroy(img);
    cairo_surface_finish(pdf);
    g_assert_cmpint(cairo_surface_status(pdf), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(pdf);
}

/*
 * A mixed PDF's typed pages are searchable before its OCR: a run killed (SIGKILL, by the
 * worker's "kill-ocr:" test hook) once the OCR of its scanned page begins leaves the cover
 * letter found and the annex not; the next run, though the file did not change, reads the
 * annex, and counts the file once; the run after reads nothing.
 */
static void
test_mixed_killed_in_ocr(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    static const char *const cover[] = {
        "CÔNG VĂN gửi kèm phụ lục",
        "Kính gửi các sở, ban, ngành: đề nghị nghiên cứu phụ lục đính kèm theo công văn này.",
        "Nơi nhận: như trên; lưu văn thư.", NULL};
    static const char *const annex[] = {"PHỤ LỤC", "Danh sách hồ chứa nước thủy lợi", NULL};
    g_autofree char *path = g_build_filename(f->docs, "mixed.pdf", NULL);
    write_mixed_pdf(path, cover, annex);
    tracuu_test_write_file(f->docs, "note.txt", "Thông báo số 8/TB về họp giao ban.", -1);

    const char *argv[] = {tracuu_test_indexer_path(), "--db", f->db, "--json", f->docs, NULL};
    g_auto(GStrv) env =
        g_environ_setenv(g_get_environ(), "TRACUU_INDEXER_FAULT", "kill-ocr:mixed", TRUE);
    g_autofree char *out = NULL, *err = NULL;
    int wait = 0;
    GError *error = NULL;
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait, &error);
    g_assert_no_error(error);
    g_test_message("killed run: %s%s", out, err);
    g_assert_true(WIFSIGNALED(wait));
    g_assert_cmpint(WTERMSIG(wait), ==, SIGKILL);

    g_autoptr(JsonObject) a1 = NULL, a2 = NULL, a3 = NULL, a4 = NULL;
    JsonObject *typed = hit_for(f, "nghiên cứu phụ lục", "/mixed.pdf", &a1);
    g_assert_nonnull(typed);
    ASSERT_OCR_PAGES(typed, ""); /* nothing read by OCR yet */
    g_assert_null(hit_for(f, "hồ chứa", "/mixed.pdf", &a2));
    g_assert_nonnull(hit_for(f, "giao ban", "/note.txt", &a2));

    int status;
    guint pages;
    g_autoptr(JsonObject) s2 = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s2, "indexed"), ==, 1); /* once, not twice */
    JsonObject *scanned = hit_for(f, "hồ chứa", "/mixed.pdf", &a3);
    g_assert_nonnull(scanned);
    g_assert_cmpint(json_object_get_int_member_with_default(scanned, "page", 0), ==, 2);
    ASSERT_OCR_PAGES(scanned, "2");
    typed = hit_for(f, "nghiên cứu phụ lục", "/mixed.pdf", &a4);
    g_assert_nonnull(typed);
    ASSERT_OCR_PAGES(typed, "2");

    g_autoptr(JsonObject) s3 = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s3, "indexed"), ==, 0);
}

/*
 * Text first: a scan met first in the walk (a-scan.pdf) is read after the text files behind
 * it (b.txt, c.txt), so that they are searchable while OCR runs.
 */
static void
test_text_first(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    g_autofree char *scan = g_build_filename(f->docs, "a-scan.pdf", NULL);
    write_scan_pdf(scan, header_lines);
    tracuu_test_write_file(f->docs, "b.txt", "Công văn số 7/UBND về lịch trực.", -1);
    tracuu_test_write_file(f->docs, "c.txt", "Thông báo số 8/TB về họp giao ban.", -1);
    const char *args[] = {"--db", f->db, "--verbose", "--jobs", "1", f->docs, NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, NULL, NULL, &out, NULL), ==, 0);
    const char *a = strstr(out, "a-scan.pdf"), *b = strstr(out, "b.txt"),
               *c = strstr(out, "c.txt");
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_nonnull(c);
    g_assert_true(b < a);
    g_assert_true(c < a);
    g_autoptr(JsonObject) answer = NULL;
    g_assert_nonnull(hit_for(f, "trồng rừng", "/a-scan.pdf", &answer));
}

/* A short typed page (few letters, no image) is no scan: its text layer is kept, no OCR. */
static void
test_short_typed_page(fixture *f, gconstpointer data)
{
    static const char *const memo[] = {"Giấy mời họp ngày mai", NULL};
    g_autofree char *path = g_build_filename(f->docs, "memo.pdf", NULL);
    write_typed_pdf(path, memo);
    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 0);
    g_autoptr(JsonObject) answer = NULL;
    JsonObject *h = hit_for(f, "giấy mời", "/memo.pdf", &answer);
    g_assert_nonnull(h);
    ASSERT_OCR_PAGES(h, "");
}

/* A scanned letter saved as a PNG is a document; a blank image (a photo) is skipped. */
static void
test_png(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    cairo_surface_t *img = render_lines(header_lines);
    g_autofree char *path = g_build_filename(f->docs, "thu.png", NULL);
    g_assert_cmpint(cairo_surface_write_to_png(img, path), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(img);
    cairo_surface_t *blank = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, 200);
    g_autofree char *blank_path = g_build_filename(f->docs, "anh.png", NULL);
    g_assert_cmpint(cairo_surface_write_to_png(blank, blank_path), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(blank);

    int status;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, NULL);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s, "skipped"), ==, 1);
    g_autoptr(JsonObject) answer = NULL;
    JsonObject *h = hit_for(f, "trồng rừng", "/thu.png", &answer);
    g_assert_nonnull(h);
    g_assert_cmpstr(json_object_get_string_member(h, "kind"), ==, "image");
    ASSERT_OCR_PAGES(h, "1");
    g_assert_cmpstr(json_object_get_string_member_with_default(h, "number", NULL), ==,
                    "123/QĐ-UBND");
}

/* --ocr=never is the behaviour before OCR: the scan fails as "needs OCR", images are skipped. */
static void
test_never(fixture *f, gconstpointer data)
{
    g_autofree char *scan = g_build_filename(f->docs, "scan.pdf", NULL);
    write_scan_pdf(scan, header_lines);
    cairo_surface_t *img = render_lines(header_lines);
    g_autofree char *png = g_build_filename(f->docs, "thu.png", NULL);
    g_assert_cmpint(cairo_surface_write_to_png(img, png), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(img);
    const char *args[] = {"--ocr=never", NULL};
    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, args, &status, &pages);
    g_assert_cmpint(status, ==, 1);
    g_assert_cmpuint(pages, ==, 0);
    g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s, "skipped"), ==, 1);
    JsonObject *fail = json_array_get_object_element(json_object_get_array_member(s, "failures"), 0);
    g_assert_nonnull(strstr(json_object_get_string_member(fail, "reason"), "needs OCR"));
    g_autofree char *cache = g_strconcat(f->db, ".ocr-cache", NULL);
    g_assert_false(g_file_test(cache, G_FILE_TEST_EXISTS));
}

/* A bad --ocr value is a usage error, before anything is written. */
static void
test_bad_mode(fixture *f, gconstpointer data)
{
    const char *args[] = {"--ocr=sometimes", NULL};
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = {"--db", f->db, args[0], f->docs, NULL};
    int st = tracuu_test_run_indexer(argv, NULL, NULL, &out, &err);
    g_assert_cmpint(st, ==, 2);
    g_assert_nonnull(strstr(err, "not auto, always or never"));
    g_assert_false(g_file_test(f->db, G_FILE_TEST_EXISTS));
}

/* [index] ocr of the configuration: "never" holds as --ocr=never does; a bad value names its
 * line. */
static void
test_conf(fixture *f, gconstpointer data)
{
    g_autofree char *scan = g_build_filename(f->docs, "scan.pdf", NULL);
    write_scan_pdf(scan, header_lines);
    g_autofree char *never = g_strdup_printf("[index]\ndb = %s\nocr = never\n", f->db);
    tracuu_test_write_file(f->dir, "never.conf", never, -1);
    g_autofree char *never_path = g_build_filename(f->dir, "never.conf", NULL);
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = {"--config", never_path, "--json", f->docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(argv, NULL, NULL, &out, &err), ==, 1);
    g_assert_nonnull(strstr(out, "needs OCR"));

    g_autofree char *bad = g_strdup_printf("[index]\ndb = %s/other\nocr = yes\n", f->dir);
    tracuu_test_write_file(f->dir, "bad.conf", bad, -1);
    g_autofree char *bad_path = g_build_filename(f->dir, "bad.conf", NULL);
    g_autofree char *out2 = NULL, *err2 = NULL;
    const char *argv2[] = {"--config", bad_path, f->docs, NULL};
    g_assert_cmpint(tracuu_test_run_indexer(argv2, NULL, NULL, &out2, &err2), ==, 2);
    g_assert_nonnull(strstr(err2, "bad.conf:3: [index] ocr: \"yes\""));
}

/* --ocr-max-pages: the pages over the limit are not read; those under it are. */
static void
test_max_pages(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    static const char *const p2[] = {"Trang hai nói về cầu đường bộ", NULL};
    g_autofree char *path = g_build_filename(f->docs, "two.pdf", NULL);
    cairo_surface_t *pdf = cairo_pdf_surface_create(path, 100, 100);
    cairo_surface_t *i1 = render_lines(header_lines), *i2 = render_lines(p2);
    pdf_image_page(pdf, i1);
    pdf_image_page(pdf, i2);
    cairo_surface_destroy(i1);
    cairo_surface_destroy(i2);
    cairo_surface_finish(pdf);
    cairo_surface_destroy(pdf);
    const char *args[] = {"--ocr-max-pages", "1", NULL};
    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, args, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 1);
    g_autoptr(JsonObject) a1 = NULL, a2 = NULL;
    g_assert_nonnull(hit_for(f, "trồng rừng", "/two.pdf", &a1));
    g_assert_null(hit_for(f, "cầu đường", "/two.pdf", &a2));
}

/* The one real scan of the shared data: a signed notice of 2013, read well enough to find. */
static void
test_real_scan(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    g_autofree char *src = tracuu_test_shared_or_skip(
        "samples/legacy_doc/01_TB-BGH_22.1.2013_Tang_cuong_giam_sat_trong_phong_thi.pdf");
    if (src == NULL)
        return;
    g_autofree char *bytes = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(src, &bytes, &len, NULL));
    tracuu_test_write_file(f->docs, "tb.pdf", bytes, (gssize)len);
    int status;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, NULL);
    g_assert_cmpint(status, ==, 0);
    static const char *const queries[] = {"giám sát phòng thi", "mất cắp", "Ban giám hiệu",
                                          "sinh viên"};
    for (gsize i = 0; i < G_N_ELEMENTS(queries); i++) {
        g_autoptr(JsonObject) answer = NULL;
        JsonObject *h = hit_for(f, queries[i], "/tb.pdf", &answer);
        g_assert_nonnull(h);
        g_autofree char *read = ocr_pages_of(h);
        g_assert_true(g_str_has_prefix(read, "1")); /* the scan's first page and on */
        g_assert_cmpstr(json_object_get_string_member_with_default(h, "number", NULL), ==,
                        "01/TB-BGH");
    }
}

/* A scanned letter saved as a JPEG is read as a PNG is. */
static void
test_jpeg(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    cairo_surface_t *img = render_lines(header_lines);
    PIX *pix = pix_of(img);
    cairo_surface_destroy(img);
    g_autofree char *path = g_build_filename(f->docs, "thu.jpg", NULL);
    g_assert_cmpint(pixWrite(path, pix, IFF_JFIF_JPEG), ==, 0);
    pixDestroy(&pix);
    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 1);
    g_autoptr(JsonObject) answer = NULL;
    JsonObject *h = hit_for(f, "trồng rừng", "/thu.jpg", &answer);
    g_assert_nonnull(h);
    ASSERT_OCR_PAGES(h, "1");
    g_assert_cmpstr(json_object_get_string_member_with_default(h, "number", NULL), ==,
                    "123/QĐ-UBND");
}

/* A multi-page TIFF (a fax, a scanner's batch): each page is read, and found on its page. */
static void
test_tiff(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    static const char *const p1[] = {"Trang một nói về kênh mương nội đồng", NULL};
    static const char *const p2[] = {"Trang hai nói về cầu đường bộ", NULL};
    g_autofree char *path = g_build_filename(f->docs, "fax.tif", NULL);
    const char *const *lines[] = {p1, p2};
    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
        cairo_surface_t *img = render_lines(lines[i]);
        PIX *pix = pix_of(img);
        cairo_surface_destroy(img);
        g_assert_cmpint(pixWriteTiff(path, pix, IFF_TIFF_ZIP, i == 0 ? "w" : "a"), ==, 0);
        pixDestroy(&pix);
    }
    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 2);
    static const struct {
        const char *query;
        gint64 page;
    } cases[] = {{"kênh mương", 1}, {"cầu đường", 2}};
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(JsonObject) answer = NULL;
        JsonObject *h = hit_for(f, cases[i].query, "/fax.tif", &answer);
        g_assert_nonnull(h);
        g_assert_cmpint(json_object_get_int_member_with_default(h, "page", 0), ==, cases[i].page);
        ASSERT_OCR_PAGES(h, "1,2");
    }
}

/* --ocr=always reads a page that has a text layer too, and its text is what OCR read. */
static void
test_always(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    static const char *const typed[] = {
        "Kính gửi các sở, ban, ngành: đề nghị báo cáo tình hình phòng chống lụt bão.", NULL};
    g_autofree char *path = g_build_filename(f->docs, "typed.pdf", NULL);
    write_typed_pdf(path, typed);
    const char *args[] = {"--ocr=always", NULL};
    int status;
    guint pages;
    g_autoptr(JsonObject) s = index_run(f, args, &status, &pages);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpuint(pages, ==, 1);
    g_autoptr(JsonObject) answer = NULL;
    JsonObject *h = hit_for(f, "lụt bão", "/typed.pdf", &answer);
    g_assert_nonnull(h);
    ASSERT_OCR_PAGES(h, "1");
}

/*
 * Tesseract without its language data (TESSDATA_PREFIX at an empty folder): the scan fails
 * with a reason that says so, and the run goes on: the text file beside it is indexed.
 */
static void
test_no_language_data(fixture *f, gconstpointer data)
{
    g_autofree char *scan = g_build_filename(f->docs, "scan.pdf", NULL);
    write_scan_pdf(scan, header_lines);
    tracuu_test_write_file(f->docs, "b.txt", "Công văn số 7/UBND về lịch trực.", -1);
    g_autofree char *empty = g_build_filename(f->dir, "tessdata", NULL);
    g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
    g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "TESSDATA_PREFIX", empty, TRUE);
    const char *args[] = {"--db", f->db, "--json", f->docs, NULL};
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint(tracuu_test_run_indexer(args, env, NULL, &out, &err), ==, 1);
    g_autoptr(JsonObject) s = tracuu_test_parse_object(out);
    g_assert_cmpint(tracuu_test_int_member(s, "indexed"), ==, 1);
    g_assert_cmpint(tracuu_test_int_member(s, "failed"), ==, 1);
    JsonObject *fail = json_array_get_object_element(json_object_get_array_member(s, "failures"), 0);
    g_assert_true(g_str_has_suffix(json_object_get_string_member(fail, "path"), "/scan.pdf"));
    g_assert_nonnull(strstr(json_object_get_string_member(fail, "reason"),
                            "cannot load Tesseract's language data \"vie\""));
    g_autoptr(JsonObject) answer = NULL;
    g_assert_nonnull(hit_for(f, "lịch trực", "/b.txt", &answer));
}

/*
 * The secrecy stamp of a scanned page: docmeta reads "MẬT" in the OCR text of the header as in
 * any other text, so the document has stamp and secrecy "mat".
 */
static void
test_stamp(fixture *f, gconstpointer data)
{
    SKIP_WITHOUT_VIE();
    static const char *const lines[] = {
        "BỘ CÔNG AN", "Số: 12/QĐ-BCA", "MẬT", "QUYẾT ĐỊNH", "Về việc bảo vệ kho lưu trữ", NULL};
    g_autofree char *scan = g_build_filename(f->docs, "mat.pdf", NULL);
    write_scan_pdf(scan, lines);
    int status;
    g_autoptr(JsonObject) s = index_run(f, NULL, &status, NULL);
    g_assert_cmpint(status, ==, 0);
    g_autoptr(JsonObject) answer = NULL;
    JsonObject *h = hit_for(f, "kho lưu trữ", "/mat.pdf", &answer);
    g_assert_nonnull(h);
    ASSERT_OCR_PAGES(h, "1");
    g_assert_cmpstr(json_object_get_string_member_with_default(h, "secrecy", NULL), ==, "mat");
    g_autoptr(JsonObject) doc = get_doc(f, json_object_get_string_member(h, "id"));
    g_assert_cmpstr(json_object_get_string_member_with_default(doc, "stamp", NULL), ==, "mat");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/ocr/scan-pdf", test_scan_pdf);
    ADD("/ocr/mixed-pdf", test_mixed_pdf);
    ADD("/ocr/mixed-killed-in-ocr", test_mixed_killed_in_ocr);
    ADD("/ocr/short-typed-page", test_short_typed_page);
    ADD("/ocr/text-first", test_text_first);
    ADD("/ocr/png", test_png);
    ADD("/ocr/never", test_never);
    ADD("/ocr/bad-mode", test_bad_mode);
    ADD("/ocr/conf", test_conf);
    ADD("/ocr/max-pages", test_max_pages);
    ADD("/ocr/real-scan", test_real_scan);
    ADD("/ocr/jpeg", test_jpeg);
    ADD("/ocr/tiff", test_tiff);
    ADD("/ocr/always", test_always);
    ADD("/ocr/no-language-data", test_no_language_data);
    ADD("/ocr/stamp", test_stamp);
    int rc = g_test_run();
    /* Cairo's toy font API keeps fontconfig's configuration for the process: let it go, so
     * that LeakSanitizer sees only what is ours. */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
