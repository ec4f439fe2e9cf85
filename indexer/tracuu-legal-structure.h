/* tracuu-legal-structure.h - the parts, chapters, articles, clauses and points of a legal text. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The levels of a legal text, outermost first, as the Luật Ban hành văn bản quy phạm pháp
   luật and Nghị định 30/2020/NĐ-CP lay them out. */
typedef enum {
    TRACUU_LEGAL_PART,    /* Phần:   "Phần thứ nhất", "PHẦN I" + title */
    TRACUU_LEGAL_CHAPTER, /* Chương: "Chương II" + title line */
    TRACUU_LEGAL_SECTION, /* Mục:    "Mục 1" + title line (inside a chapter) */
    TRACUU_LEGAL_ARTICLE, /* Điều:   "Điều 12. Heading" at a line start */
    TRACUU_LEGAL_CLAUSE,  /* Khoản:  "1." at a line start, inside an article */
    TRACUU_LEGAL_POINT,   /* Điểm:   "a)" at a line start, inside an article */
} tracuu_legal_level;

/*
 * One unit of the structure. Byte offsets are into the text given to the parser; a unit runs
 * from its marker ("Điều", "Chương", "1.", "a)") to the start of the next unit of the same or
 * an outer level, or to the end of the text. Strings are valid UTF-8 on one line.
 */
typedef struct {
    tracuu_legal_level level;
    char *number; /* as written, folded to ASCII case where it is a letter: "II", "12", "12a",
                     "1", "a", "đ"; "thứ nhất" for a part so written */
    char *title;  /* the heading or title, on one line (PDF line breaks joined), "" when the
                     text gives none; NULL for clauses and points */
    gsize start;  /* first byte of the marker */
    gsize end;    /* one past the last byte of the unit (trailing blank lines excluded) */
    int parent;   /* index of the enclosing unit in the structure's array, -1 for none */
    guint block;  /* 0 for the text itself; 1, 2... for each text attached after it whose
                     articles are numbered anew (a Quy chế "ban hành kèm theo" a Quyết
                     định): an article whose number does not follow the one before starts a
                     new block, so ("1", block 0) and ("1", block 1) are two articles */
} tracuu_legal_unit;

typedef struct {
    tracuu_legal_unit *units; /* in text order */
    gsize n_units;
    gboolean truncated; /* more units than TRACUU_LEGAL_MAX_UNITS: the rest were dropped */
} tracuu_legal_structure;

/* At most this many units are kept from one text (a bound against hostile input). */
#define TRACUU_LEGAL_MAX_UNITS 50000

/*
 * Finds the structure of @text (@len bytes, -1 for NUL-terminated; invalid UTF-8 is read as
 * far as it is valid per line, never past @len). Never returns NULL; a text without
 * structure gives zero units. Recognised and not taken for headings: references in running
 * text ("theo Điều 5 của Luật này", a line that starts "Điều 5 của ..."), articles quoted in
 * an amending text (“Điều 5. ...” until the closing quote), page numbers alone on a line. The
 * signature block ("Nơi nhận:") and annexes ("PHỤ LỤC", "Mẫu số") end the open units, so the
 * last article does not run into them.
 * Caller frees with tracuu_legal_structure_free().
 */
tracuu_legal_structure *tracuu_legal_structure_parse(const char *text, gssize len);

void tracuu_legal_structure_free(tracuu_legal_structure *s); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_legal_structure, tracuu_legal_structure_free)

/*
 * The label of the chapter unit @i as shown to people: "Chương II. QUY ĐỊNH CHUNG" (or
 * "Chương II" without a title). Returns NULL when @i is not a chapter. Caller frees with
 * g_free().
 */
char *tracuu_legal_structure_dup_label(const tracuu_legal_structure *s, gsize i);

/*
 * The index of the unit of @level that encloses unit @i (or @i itself if it is of @level), -1
 * when there is none.
 */
int tracuu_legal_structure_get_enclosing(const tracuu_legal_structure *s, gsize i,
                                         tracuu_legal_level level);

G_END_DECLS
