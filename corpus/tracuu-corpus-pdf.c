/* tracuu-corpus-pdf.c - renders a laid-out text to an A4 PDF for the sample corpus and benchmarks. */

/*
 * The input is UTF-8 text, one paragraph per line, with a few line prefixes for the layout of
 * Vietnamese official documents (Nghị định 30/2020/NĐ-CP, Phụ lục I):
 *   "@L text"  left column of the header (issuer, "Số: ...")
 *   "@R text"  right column of the header (national motto, place and date)
 *              consecutive @L/@R lines form one two-column block, drawn side by side
 *   "@C text"  centred, bold (document type, trích yếu)
 *   "@I text"  centred, italic
 *   "@S text"  right-aligned block of the signature (capitals bold)
 *   "@PAGE"    page break
 *   other      a justified body paragraph ("" gives an empty line)
 * Page text is real text (pango fonts embedded), so poppler extracts it as a reader would.
 */

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN_L 70.0
#define MARGIN_R 50.0
#define MARGIN_T 55.0
#define MARGIN_B 60.0
#define FONT "DejaVu Serif"

typedef struct {
    cairo_surface_t *surface;
    cairo_t *cr;
    double y;
    int pages;
} renderer;

static void
new_page(renderer *r)
{
    cairo_show_page(r->cr);
    r->y = MARGIN_T;
    r->pages++;
}

static PangoLayout *
make_layout(renderer *r, const char *text, double width, PangoAlignment align, gboolean bold,
            gboolean italic, double size)
{
    PangoLayout *layout = pango_cairo_create_layout(r->cr);
    /* Points are PDF units: 72 dpi, not pango's default 96, so sizes read as in Word. */
    pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72.0);
    pango_layout_context_changed(layout);
    PangoFontDescription *font = pango_font_description_from_string(FONT);
    pango_font_description_set_size(font, (int)(size * PANGO_SCALE));
    if (bold)
        pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    if (italic)
        pango_font_description_set_style(font, PANGO_STYLE_ITALIC);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout, align);
    pango_layout_set_justify(layout, align == PANGO_ALIGN_LEFT && !bold && !italic);
    pango_layout_set_text(layout, text, -1);
    return layout;
}

/* Draws @layout at @x line by line, breaking pages between lines. */
static void
flow_layout(renderer *r, PangoLayout *layout, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(layout);
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double h = (double)logical.height / PANGO_SCALE;
        if (r->y + h > PAGE_H - MARGIN_B)
            new_page(r);
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        double baseline = (double)(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
        cairo_move_to(r->cr, x + (double)logical.x / PANGO_SCALE, r->y + baseline);
        pango_cairo_show_layout_line(r->cr, line);
        r->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

/* Draws a block of header lines in two columns side by side. */
static void
flush_columns(renderer *r, GString *left, GString *right)
{
    if (left->len == 0 && right->len == 0)
        return;
    double lw = 205.0, rw = PAGE_W - MARGIN_L - MARGIN_R - lw + 20.0;
    PangoLayout *l = make_layout(r, left->str, lw, PANGO_ALIGN_CENTER, TRUE, FALSE, 12.0);
    PangoLayout *rl = make_layout(r, right->str, rw, PANGO_ALIGN_CENTER, TRUE, FALSE, 12.0);
    int lh, rh;
    pango_layout_get_size(l, NULL, &lh);
    pango_layout_get_size(rl, NULL, &rh);
    double h = (double)MAX(lh, rh) / PANGO_SCALE;
    if (r->y + h > PAGE_H - MARGIN_B)
        new_page(r);
    cairo_move_to(r->cr, MARGIN_L - 20.0, r->y);
    pango_cairo_show_layout(r->cr, l);
    cairo_move_to(r->cr, MARGIN_L - 20.0 + lw + 5.0, r->y);
    pango_cairo_show_layout(r->cr, rl);
    r->y += h + 10.0;
    g_object_unref(l);
    g_object_unref(rl);
    g_string_truncate(left, 0);
    g_string_truncate(right, 0);
}

static void
append_line(GString *s, const char *text)
{
    if (s->len)
        g_string_append_c(s, '\n');
    g_string_append(s, text);
}

static int
render(const char *text, const char *out, const char *title, const char *date)
{
    renderer r = {0};
    r.surface = cairo_pdf_surface_create(out, PAGE_W, PAGE_H);
    if (cairo_surface_status(r.surface) != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "tracuu-corpus-pdf: cannot write %s: %s\n", out,
                cairo_status_to_string(cairo_surface_status(r.surface)));
        cairo_surface_destroy(r.surface);
        return 1;
    }
    if (title)
        cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_TITLE, title);
    /* A fixed date keeps the files reproducible: regenerating changes nothing. */
    cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                   date ? date : "2020-01-01T00:00:00");
    cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_CREATOR, "tracuu-corpus-pdf");
    r.cr = cairo_create(r.surface);
    r.y = MARGIN_T;
    r.pages = 1;
    cairo_set_source_rgb(r.cr, 0, 0, 0);

    double width = PAGE_W - MARGIN_L - MARGIN_R;
    g_autoptr(GString) left = g_string_new(NULL);
    g_autoptr(GString) right = g_string_new(NULL);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **p = lines; *p; p++) {
        char *line = *p;
        g_strchomp(line);
        if (g_str_has_prefix(line, "@L ") || strcmp(line, "@L") == 0) {
            append_line(left, line[2] ? line + 3 : "");
            continue;
        }
        if (g_str_has_prefix(line, "@R ") || strcmp(line, "@R") == 0) {
            append_line(right, line[2] ? line + 3 : "");
            continue;
        }
        flush_columns(&r, left, right);
        PangoLayout *layout = NULL;
        double x = MARGIN_L;
        if (strcmp(line, "@PAGE") == 0) {
            new_page(&r);
            continue;
        } else if (g_str_has_prefix(line, "@C ")) {
            layout = make_layout(&r, line + 3, width, PANGO_ALIGN_CENTER, TRUE, FALSE, 13.0);
            r.y += 4.0;
        } else if (g_str_has_prefix(line, "@I ")) {
            layout = make_layout(&r, line + 3, width, PANGO_ALIGN_CENTER, FALSE, TRUE, 13.0);
        } else if (g_str_has_prefix(line, "@S ")) {
            x = MARGIN_L + width / 2.0;
            layout = make_layout(&r, line + 3, width / 2.0, PANGO_ALIGN_CENTER, TRUE, FALSE, 12.0);
        } else {
            layout = make_layout(&r, line[0] ? line : " ", width, PANGO_ALIGN_LEFT, FALSE, FALSE,
                                 13.0);
        }
        flow_layout(&r, layout, x);
        r.y += 3.0;
        g_object_unref(layout);
    }
    flush_columns(&r, left, right);
    cairo_destroy(r.cr);
    cairo_surface_finish(r.surface);
    cairo_status_t st = cairo_surface_status(r.surface);
    cairo_surface_destroy(r.surface);
    if (st != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "tracuu-corpus-pdf: %s: %s\n", out, cairo_status_to_string(st));
        return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    g_autofree char *title = NULL;
    g_autofree char *date = NULL;
    gboolean list = FALSE;
    GOptionEntry entries[] = {
        {"title", 't', 0, G_OPTION_ARG_FILENAME, &title, "PDF document title", "TITLE"},
        {"date", 'd', 0, G_OPTION_ARG_FILENAME, &date, "PDF creation date (ISO 8601)", "DATE"},
        {"list", 'l', 0, G_OPTION_ARG_NONE, &list,
         "Read pairs 'INPUT<TAB>OUTPUT' from standard input and render each", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("INPUT.txt OUTPUT.pdf");
    g_option_context_set_summary(ctx, "Renders a laid-out UTF-8 text (see the source for the "
                                      "@L/@R/@C/@I/@S/@PAGE line prefixes) to an A4 PDF.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    /* Title and date are FILENAME options: taken as bytes (UTF-8), not converted from a C locale. */
    g_auto(GStrv) args = g_strdupv(argv);
    if (!g_option_context_parse_strv(ctx, &args, &error)) {
        fprintf(stderr, "tracuu-corpus-pdf: %s\n", error->message);
        return 2;
    }
    if (list) {
        /* Many files in one process: the benchmark renders hundreds, fontconfig loads once. */
        char buf[8192];
        int failed = 0;
        while (fgets(buf, sizeof buf, stdin)) {
            g_strchomp(buf);
            char *tab = strchr(buf, '\t');
            if (!tab)
                continue;
            *tab = '\0';
            g_autofree char *text = NULL;
            if (!g_file_get_contents(buf, &text, NULL, &error)) {
                fprintf(stderr, "tracuu-corpus-pdf: %s\n", error->message);
                g_clear_error(&error);
                failed = 1;
                continue;
            }
            failed |= render(text, tab + 1, NULL, NULL);
        }
        return failed;
    }
    if (g_strv_length(args) != 3) {
        fprintf(stderr, "usage: tracuu-corpus-pdf [--title T] [--date D] INPUT.txt OUTPUT.pdf\n");
        return 2;
    }
    g_autofree char *text = NULL;
    if (!g_file_get_contents(args[1], &text, NULL, &error)) {
        fprintf(stderr, "tracuu-corpus-pdf: %s\n", error->message);
        return 1;
    }
    return render(text, args[2], title, date);
}
