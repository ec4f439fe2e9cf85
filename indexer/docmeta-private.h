/* docmeta-private.h - internals shared by the files of the docmeta reader (docmeta*.c). */
#pragma once

#include "tracuu-docmeta.h"

#include <glib.h>

/*
 * The header of a document in the layout of Nghị định 30/2020/NĐ-CP comes to us in two shapes:
 * one field per line (HTML, DOCX, poppler's reading order), or the two header columns side by
 * side on the same lines (pdftotext -layout). Both are turned into one list of "cells": a cell is
 * a line, or a piece of a line cut at a wide run of spaces. Every rule works on cells, so
 * the same rules read both shapes.
 */
typedef struct {
    char *text;            /* trimmed, NUL-terminated */
    int line;              /* index of its line among the lines scanned */
    int col;               /* column (characters) where it starts in its line */
    gboolean blank_before; /* an empty line comes before its line */
} cell;

/* ---- docmeta.c: characters, strings, document types and dates ---- */

/* Whether @s has an ASCII digit. */
gboolean docmeta_has_digit(const char *s);

/* Whether the folded text @folded starts with the word or words @prefix. */
gboolean docmeta_has_prefix_word(const char *folded, const char *prefix);

/* TRUE if @s has at least two letters and no lower-case letter ("BỘ TÀI CHÍNH"). */
gboolean docmeta_is_upper_text(const char *s);

/* A rule drawn under a header block: "-------", "_____", "*******", "———". */
gboolean docmeta_is_separator(const char *s);

/* Copies @s with every white space run made one space and the ends trimmed. */
char *docmeta_squeeze_spaces(const char *s, gssize len);

/* The type whose name starts @folded ("luat so: ..."), or NULL. */
const char *docmeta_type_for_prefix(const char *folded);

/*
 * If @c is a place-and-date cell ("Hà Nội, ngày 19 tháng 09 năm 2025", "Ngày 8 tháng 12 năm
 * 2025", "TP. Hồ Chí Minh, ngày 3/12/2008"), returns the ISO date and sets *@place (NULL when no
 * place is written). Text before the place is allowed when pdftotext put "Số: ..." on the same
 * line. A date inside a trích yếu ("... Nghị định số 22/2019/NĐ-CP ngày 25 tháng 02 năm 2019")
 * has neither a comma before "ngày" nor "ngày" first, so it is not taken.
 */
char *docmeta_parse_date_cell(const char *c, char **place);

/* ---- docmeta-issuer.c: the issuer (cơ quan ban hành) and the names of organs ---- */

/*
 * Finds @needle in @text written in mixed case ("Bộ Tài chính" for "BỘ TÀI CHÍNH"), comparing
 * letters case-insensitively and any white space run with any other, at word boundaries.
 * Returns a copy of the text found, or NULL.
 */
char *docmeta_find_mixed_case(const char *text, size_t len, const char *needle,
                              gboolean initial_upper);

/* Part of the national motto: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (always in capitals, which
   keeps "Cộng hòa Xã hội chủ nghĩa Việt Nam" in a trích yếu out), "Độc lập - Tự do - Hạnh
   phúc". Found inside a cell too, for lines where the issuer and the motto run together. */
gboolean docmeta_is_motto(const char *text, const char *folded);

/* Splits every capital cell that runs into the motto ("X CỘNG HÒA XÃ HỘI ...") in two. */
void docmeta_split_motto_cells(GArray *cells);

/* Whether the folded text @folded starts with the name of a kind of organ ("bo ", "uy ban"). */
gboolean docmeta_starts_organ(const char *folded);

/*
 * Like case_organ_name(), for a header line that may name several organs ("BỘ TƯ PHÁP - BỘ CÔNG
 * AN - ..."): each is cased on its own. A dash inside one name ("TRUNG TÂM THÔNG TIN - THƯ
 * VIỆN") is not a list, since "THƯ VIỆN" starts no organ.
 */
char *docmeta_case_organs(const char *text, size_t len, const char *upper);

/*
 * The display name of the organ @upper on the header line under @parent_upper, whose own
 * display name is @parent (both NULL at the top). The issuing body is the lower line; the line
 * above adds to its name only where the lower line alone does not say which body it is:
 * - under a provincial or district authority, the place: "Sở Nội vụ tỉnh Nghệ An", unless the
 *   lower line names one ("Sở Y tế Hà Nội");
 * - under the Party's Central Committee (@party: the header has the Party's motto), "Trung
 *   ương": "Ban Tuyên giáo Trung ương", and "Văn phòng Trung ương Đảng" (Phụ lục II, IV.1.b);
 * - under "ĐẢNG BỘ TỈNH X", the committee's place: "Tỉnh ủy X", "Đảng ủy xã Y";
 * - under a party committee, the committee: "Ban Tuyên giáo Tỉnh ủy Quảng Nam";
 * - a bare "VĂN PHÒNG" is the office of its parent: "Văn phòng Bộ Tài chính".
 * Any other unit is named alone: "BỘ TÀI CHÍNH / TỔNG CỤC THUẾ" is "Tổng cục Thuế".
 * Caller frees.
 */
char *docmeta_qualify_organ(const char *text, size_t len, const char *parent_upper,
                            const char *parent, const char *upper, gboolean party);

/* Whether the word @w is @lower, whatever its case. */
gboolean docmeta_word_is(const char *w, const char *lower);

/* ---- docmeta-title.c: the trích yếu ---- */

/* If @c starts with "V/v" (về việc), returns where the subject starts after it, else NULL. */
const char *docmeta_after_vv(const char *c);

/*
 * Joins the trích yếu that starts at cell @i: the cells that follow in the header until the
 * body, an authority line, a rule, a blank line or a change from capitals to mixed case.
 * @first is where the first cell's text starts (after "V/v" for a công văn).
 */
char *docmeta_collect_title(GArray *cells, guint i, guint end, const char *first, gboolean vv,
                            const char *text, size_t len);

/* The authority line between the trích yếu and "Căn cứ" ("CHỦ TỊCH ỦY BAN NHÂN DÂN ...",
   "ỦY BAN THƯỜNG VỤ QUỐC HỘI", "BỘ TRƯỞNG BỘ TÀI CHÍNH"). */
gboolean docmeta_is_authority(const char *folded);

/* Cells that open the body, so the header (and the trích yếu) ends before them. A body
   sentence starts with a capital; "thực hiện Quy chế ..." in lower case is a trích yếu. */
gboolean docmeta_starts_body(const char *text, const char *folded);

/* ---- docmeta-signer.c: the signer (người ký) ---- */

/* The last person's name in the cells @tail (the last lines) under a signing title a few cells
   above it, or NULL. Caller frees. */
char *docmeta_find_signer(GArray *tail);

/*
 * When the end of the text is an appendix (tables, forms), the signature sits where the body
 * ends. Looks through the whole text for the first person's name within four short lines under
 * a line that only a signature block has.
 */
char *docmeta_find_signer_anywhere(const char *text, size_t len);

/* ---- docmeta-relations.c: relations and validity dates read from the body ---- */

/*
 * Fills meta->relations, meta->effective_date and meta->end_date from @text (@len bytes of
 * valid UTF-8), after the header has been read (the own number, the signing date and the
 * trích yếu are used). Linear in @len, with a bounded number of targets.
 */
void docmeta_read_relations(tracuu_docmeta *meta, const char *text, size_t len);

/* Frees a tracuu_docmeta_relation (for the GPtrArray). */
void docmeta_relation_free(gpointer data);
