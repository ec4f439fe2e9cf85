/* ocr-eval.c - measures tracuu's OCR on vbpl documents rendered, rasterised, noised and skewed. */
#include "extract-ocr.h"
#include "tracuu-docmeta.h"

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Each document's text is laid out as the first page of an official document by the project's
 * renderer (corpus/tracuu-corpus-pdf: issuer and "Số:" in the left header column, the motto
 * and the date line in the right one, type and trích yếu centred, then the body), rendered by
 * poppler at each resolution with a skew of 0.5 to 1.5 degrees, given salt-and-pepper and
 * gaussian noise, and read by tracuu_ocr_file_read_pixels(), the indexer's own OCR path.
 *
 * The truth is the text layer of that first page (what poppler extracts from the PDF), so the
 * character error rate compares what is on the page with what Tesseract read, both in NFC
 * with every run of white space made one space. Docmeta's number, type and date read from the
 * OCR text are compared with docmeta on that same original text of the page (not on the whole
 * document: a law's date is in its last sentence, which the first page has not), and number
 * and type with the JSONL fields "so_hieu" and "doc_type" where they are given. "effective_date" is
 * not an issue date (see bench/README-docmeta.md), so the date has no JSONL truth.
 */

#define BODY_LINES 60     /* more than one page holds: the rest is cut by the page */
#define SALT_PEPPER 0.002 /* share of pixels made black or white */
#define GAUSS_SIGMA 12.0  /* gray levels */

typedef struct {
    int docs;
    GArray *cer;                        /* double, per document */
    int number_ok, type_ok, date_ok;    /* against docmeta of the original text */
    int number_ref, type_ref, date_ref; /* documents where the original text gives one */
    int number_json_ok, number_json, type_json_ok, type_json;
    double seconds;
} res_stat;

/* NFC, white space runs made one space, trimmed; as gunichars. */
static gunichar *
normalise(const char *s, glong *n)
{
    g_autofree char *nfc = g_utf8_normalize(s, -1, G_NORMALIZE_NFC);
    GString *out = g_string_new(NULL);
    gboolean space = FALSE;
    for (const char *p = nfc ? nfc : ""; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c)) {
            space = out->len > 0;
            continue;
        }
        if (space)
            g_string_append_c(out, ' ');
        space = FALSE;
        g_string_append_unichar(out, c);
    }
    gunichar *u = g_utf8_to_ucs4_fast(out->str, -1, n);
    g_string_free(out, TRUE);
    return u;
}

/* Levenshtein distance over code points, in two rows. */
static glong
levenshtein(const gunichar *a, glong na, const gunichar *b, glong nb)
{
    g_autofree glong *prev = g_new(glong, nb + 1);
    g_autofree glong *cur = g_new(glong, nb + 1);
    for (glong j = 0; j <= nb; j++)
        prev[j] = j;
    for (glong i = 1; i <= na; i++) {
        cur[0] = i;
        for (glong j = 1; j <= nb; j++) {
            glong sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            cur[j] = MIN(sub, MIN(prev[j], cur[j - 1]) + 1);
        }
        glong *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb];
}

/* Character error rate of @got against @want: edits over the length of @want. */
static double
cer(const char *want, const char *got)
{
    glong nw, ng;
    g_autofree gunichar *w = normalise(want, &nw);
    g_autofree gunichar *g = normalise(got, &ng);
    if (nw == 0)
        return ng == 0 ? 0.0 : 1.0;
    return (double)levenshtein(w, nw, g, ng) / (double)nw;
}

/* A number for comparison: lower case, no spaces, dashes made "-" (as docmeta-eval does). */
static char *
number_key(const char *s)
{
    GString *out = g_string_new(NULL);
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (g_unichar_isspace(c))
            continue;
        if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212)
            c = '-';
        g_string_append_unichar(out, g_unichar_tolower(c));
    }
    return g_string_free(out, FALSE);
}

static gboolean
same_number(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return FALSE;
    g_autofree char *ka = number_key(a);
    g_autofree char *kb = number_key(b);
    return strcmp(ka, kb) == 0;
}

static gboolean
same_folded(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return FALSE;
    g_autofree char *fa = g_utf8_casefold(a, -1);
    g_autofree char *fb = g_utf8_casefold(b, -1);
    g_autofree char *na = g_utf8_normalize(fa, -1, G_NORMALIZE_NFC);
    g_autofree char *nb = g_utf8_normalize(fb, -1, G_NORMALIZE_NFC);
    return g_strcmp0(na, nb) == 0;
}

static gboolean
is_date_line(const char *line)
{
    g_autofree char *f = g_utf8_casefold(line, -1);
    return strstr(f, "ngày") != NULL && strstr(f, "năm") != NULL && g_utf8_strlen(line, -1) < 80;
}

/* The document's text in the renderer's layout language (see corpus/tracuu-corpus-pdf.c). */
static char *
layout_markup(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", BODY_LINES + 1);
    guint n = MIN(g_strv_length(lines), BODY_LINES);
    guint motto = n;
    for (guint i = 0; i < MIN(n, 5u); i++) {
        g_autofree char *f = g_utf8_casefold(lines[i], -1);
        if (g_str_has_prefix(f, "cộng hòa") || g_str_has_prefix(f, "cộng hoà")) {
            motto = i;
            break;
        }
    }
    GString *out = g_string_new(NULL);
    guint i = 0;
    if (motto < n) {
        for (; i < motto; i++)
            g_string_append_printf(out, "@L %s\n", lines[i]);
        for (; i < n && i < motto + 2; i++)
            g_string_append_printf(out, "@R %s\n", lines[i]);
        for (; i < n && i < motto + 5; i++) {
            if (g_str_has_prefix(lines[i], "Số") && g_utf8_strlen(lines[i], -1) < 60)
                g_string_append_printf(out, "@L %s\n", lines[i]);
            else if (is_date_line(lines[i]))
                g_string_append_printf(out, "@R %s\n", lines[i]);
            else
                break;
        }
    }
    /* The type in capitals and the trích yếu under it are centred. */
    for (guint c = 0; i < n && c < 2; i++, c++)
        g_string_append_printf(out, "@C %s\n", lines[i]);
    for (; i < n; i++)
        g_string_append_printf(out, "%s\n", lines[i]);
    return g_string_free(out, FALSE);
}

/* Renders @markup with @renderer to a PDF in @dir; the PDF's bytes, or NULL with @error. */
static GBytes *
render_pdf(const char *renderer, const char *dir, const char *markup, GError **error)
{
    g_autofree char *in = g_build_filename(dir, "page.txt", NULL);
    g_autofree char *out = g_build_filename(dir, "page.pdf", NULL);
    if (!g_file_set_contents(in, markup, -1, error))
        return NULL;
    const char *argv[] = {renderer, in, out, NULL};
    int status = 0;
    g_autofree char *err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                      &status, error) ||
        !g_spawn_check_wait_status(status, error)) {
        g_prefix_error(error, "%s: %s", renderer, err ? err : "");
        return NULL;
    }
    char *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(out, &data, &len, error))
        return NULL;
    return g_bytes_new_take(data, len);
}

/*
 * The page drawn at @dpi, turned by @degrees about its centre, as gray pixels with noise
 * from @rng; g_free(). Poppler renders on cairo as the PDF extractor does.
 */
static guchar *
rasterise(PopplerPage *page, double dpi, double degrees, GRand *rng, int *width, int *height)
{
    double pw, ph;
    poppler_page_get_size(page, &pw, &ph);
    int w = (int)ceil(pw / 72 * dpi), h = (int)ceil(ph / 72 * dpi);
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_translate(cr, w / 2.0, h / 2.0);
    cairo_rotate(cr, degrees * G_PI / 180.0);
    cairo_translate(cr, -w / 2.0, -h / 2.0);
    cairo_scale(cr, dpi / 72, dpi / 72);
    poppler_page_render_for_printing(page, cr);
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    const guchar *src = cairo_image_surface_get_data(surface);
    int stride = cairo_image_surface_get_stride(surface);
    guchar *gray = g_malloc((gsize)w * h);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const guchar *p = src + (gsize)y * stride + 4 * x;
            /* A sum of 12 uniforms less 6 is close enough to a standard normal. */
            double z = -6.0;
            for (int k = 0; k < 12; k++)
                z += g_rand_double(rng);
            double v = (p[0] + p[1] + p[2]) / 3.0 + GAUSS_SIGMA * z;
            double sp = g_rand_double(rng);
            if (sp < SALT_PEPPER / 2)
                v = 0;
            else if (sp < SALT_PEPPER)
                v = 255;
            gray[(gsize)y * w + x] = (guchar)CLAMP(v, 0, 255);
        }
    }
    cairo_surface_destroy(surface);
    *width = w;
    *height = h;
    return gray;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "ok", "MISS", or "-" when the page's own text gives no @truth. */
static const char *
verdict(const char *truth, gboolean right)
{
    return truth == NULL ? "-" : right ? "ok" : "MISS";
}

static const char *
json_str(JsonObject *o, const char *name)
{
    if (!json_object_has_member(o, name))
        return NULL;
    const char *s = json_object_get_string_member(o, name);
    return s && *s ? s : NULL;
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    int n_docs = 100, seed = 13;
    gboolean verbose = FALSE;
    g_autofree char *renderer = NULL;
    g_autofree char *dpis = NULL;
    GOptionEntry entries[] = {
        {"docs", 'n', 0, G_OPTION_ARG_INT, &n_docs, "Documents to read (the first N; 100)", "N"},
        {"seed", 's', 0, G_OPTION_ARG_INT, &seed, "Seed of noise and skew (13)", "S"},
        {"dpi", 0, 0, G_OPTION_ARG_STRING, &dpis, "Resolutions (\"200,300\")", "LIST"},
        {"renderer", 0, 0, G_OPTION_ARG_FILENAME, &renderer,
         "tracuu-corpus-pdf (the build's corpus/tracuu-corpus-pdf)", "PATH"},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "A line per document", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DOCS.jsonl");
    g_option_context_set_summary(ctx, "OCR quality of tracuu on rendered, noised vbpl pages.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || n_docs < 1) {
        fprintf(stderr, "ocr-eval: %s\n", error ? error->message : "usage: ocr-eval DOCS.jsonl");
        return 2;
    }
    if (renderer == NULL) {
        g_autofree char *here = g_path_get_dirname(argv[0]);
        renderer = g_build_filename(here, "..", "corpus", "tracuu-corpus-pdf", NULL);
    }
    g_auto(GStrv) dpi_list = g_strsplit(dpis ? dpis : "200,300", ",", -1);
    guint n_res = g_strv_length(dpi_list);
    g_autofree res_stat *res = g_new0(res_stat, n_res);
    for (guint r = 0; r < n_res; r++) {
        res[r].cer = g_array_new(FALSE, FALSE, sizeof(double));
        if (atoi(dpi_list[r]) < 50) {
            fprintf(stderr, "ocr-eval: bad resolution \"%s\"\n", dpi_list[r]);
            return 2;
        }
    }

    tracuu_ocr_options opts = {.mode = TRACUU_OCR_ALWAYS, .languages = "vie"};
    tracuu_ocr_configure(&opts);
    g_autofree char *tmp = g_dir_make_tmp("ocr-eval-XXXXXX", &error);
    if (tmp == NULL) {
        fprintf(stderr, "ocr-eval: %s\n", error->message);
        return 1;
    }
    g_autoptr(GIOChannel) in = g_io_channel_new_file(argv[1], "r", &error);
    if (in == NULL) {
        fprintf(stderr, "ocr-eval: %s: %s\n", argv[1], error->message);
        return 1;
    }
    g_autoptr(GRand) rng = g_rand_new_with_seed((guint32)seed);
    int status = 0, done = 0;
    char *line = NULL;
    while (done < n_docs &&
           g_io_channel_read_line(in, &line, NULL, NULL, NULL) == G_IO_STATUS_NORMAL) {
        g_autofree char *owned = line;
        g_autoptr(JsonParser) parser = json_parser_new();
        if (!json_parser_load_from_data(parser, owned, -1, NULL) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
            continue;
        JsonObject *o = json_node_get_object(json_parser_get_root(parser));
        const char *id = json_str(o, "id"), *text = json_str(o, "text");
        if (id == NULL || text == NULL)
            continue;
        g_autofree char *markup = layout_markup(text);
        g_autoptr(GBytes) pdf = render_pdf(renderer, tmp, markup, &error);
        if (pdf == NULL) {
            fprintf(stderr, "ocr-eval: %s: %s\n", id, error->message);
            status = 1;
            break;
        }
        PopplerDocument *doc = poppler_document_new_from_bytes(pdf, NULL, &error);
        if (doc == NULL) {
            fprintf(stderr, "ocr-eval: %s: %s\n", id, error->message);
            status = 1;
            break;
        }
        PopplerPage *page = poppler_document_get_page(doc, 0);
        g_object_unref(doc);
        g_autofree char *truth = poppler_page_get_text(page);
        g_autoptr(tracuu_docmeta) ref = tracuu_docmeta_extract(truth, -1);
        const char *json_number = json_str(o, "so_hieu"), *json_type = json_str(o, "doc_type");
        done++;
        for (guint r = 0; r < n_res && status == 0; r++) {
            res_stat *s = &res[r];
            double degrees = (g_rand_boolean(rng) ? 1 : -1) * g_rand_double_range(rng, 0.5, 1.5);
            int w, h, dpi = atoi(dpi_list[r]);
            gint64 t0 = g_get_monotonic_time();
            g_autofree guchar *pixels = rasterise(page, dpi, degrees, rng, &w, &h);
            gsize len = 0;
            const char *data = g_bytes_get_data(pdf, &len);
            g_autoptr(tracuu_ocr_file) f = tracuu_ocr_file_new(data, len, 1);
            g_autofree char *got =
                tracuu_ocr_file_read_pixels(f, 0, pixels, w, h, 1, w, dpi, &error);
            s->seconds += (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
            if (got == NULL) {
                fprintf(stderr, "ocr-eval: %s: %s\n", id, error->message);
                status = 1;
                break;
            }
            g_autoptr(tracuu_docmeta) m = tracuu_docmeta_extract(got, -1);
            double e = cer(truth, got);
            g_array_append_val(s->cer, e);
            s->docs++;
            gboolean num = FALSE, type = FALSE, date = FALSE;
            if (ref->number) {
                s->number_ref++;
                num = same_number(ref->number, m->number);
                s->number_ok += num;
            }
            if (ref->doc_type) {
                s->type_ref++;
                type = same_folded(ref->doc_type, m->doc_type);
                s->type_ok += type;
            }
            if (ref->date) {
                s->date_ref++;
                date = g_strcmp0(ref->date, m->date) == 0;
                s->date_ok += date;
            }
            if (json_number) {
                s->number_json++;
                s->number_json_ok += same_number(json_number, m->number);
            }
            if (json_type) {
                s->type_json++;
                s->type_json_ok += same_folded(json_type, m->doc_type);
            }
            if (verbose)
                printf("%s\t%d dpi\tskew %+.2f\tCER %.4f\tnumber %s \"%s\"\ttype %s\tdate %s "
                       "\"%s\"\n",
                       id, dpi, degrees, e, verdict(ref->number, num), m->number ? m->number : "",
                       verdict(ref->doc_type, type), verdict(ref->date, date),
                       m->date ? m->date : "");
        }
        g_object_unref(page);
        if (status != 0)
            break;
    }
    g_autofree char *in_path = g_build_filename(tmp, "page.txt", NULL);
    g_autofree char *out_path = g_build_filename(tmp, "page.pdf", NULL);
    g_unlink(in_path);
    g_unlink(out_path);
    g_rmdir(tmp);

    printf("%-6s %5s %9s %10s %10s %10s %10s %12s %10s %8s\n", "dpi", "docs", "CER mean",
           "CER median", "number", "type", "date", "number/json", "type/json", "s/page");
    for (guint r = 0; r < n_res; r++) {
        res_stat *s = &res[r];
        double sum = 0, median = 0;
        for (guint i = 0; i < s->cer->len; i++)
            sum += g_array_index(s->cer, double, i);
        if (s->cer->len > 0) {
            g_array_sort(s->cer, cmp_double);
            guint k = s->cer->len;
            median = (g_array_index(s->cer, double, (k - 1) / 2) +
                      g_array_index(s->cer, double, k / 2)) /
                     2;
        }
#define SHARE(ok, n) ((n) ? 100.0 * (ok) / (n) : 0.0)
        printf("%-6s %5d %9.4f %10.4f %9.1f%% %9.1f%% %9.1f%% %11.1f%% %9.1f%% %8.2f\n",
               dpi_list[r], s->docs, s->docs ? sum / s->docs : 0, median,
               SHARE(s->number_ok, s->number_ref), SHARE(s->type_ok, s->type_ref),
               SHARE(s->date_ok, s->date_ref), SHARE(s->number_json_ok, s->number_json),
               SHARE(s->type_json_ok, s->type_json), s->docs ? s->seconds / s->docs : 0);
#undef SHARE
        g_array_free(s->cer, TRUE);
    }
    printf("number/type/date: against docmeta of the page's original text (%d/%d/%d give "
           "one); /json: against so_hieu and doc_type (%d/%d)\n",
           res[0].number_ref, res[0].type_ref, res[0].date_ref, res[0].number_json,
           res[0].type_json);
    return status;
}
