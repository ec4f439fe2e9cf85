/* tracuu-docmeta.h - the metadata of a Vietnamese official document, read from its text. */
#pragma once

#include "tracuu-fields.h"

#include <glib.h>

G_BEGIN_DECLS

/*
 * Reads the header of a document laid out as Nghị định 30/2020/NĐ-CP prescribes (issuer at
 * the top left, "Số: ...", place and date, type in capitals, trích yếu) and the signer (the
 * numbers the text cites are found by the document writer, as it tokenizes the text). Every
 * field is NULL when not found; nothing here fails. Values shown to people
 * (issuer, type, title, signer, place) are written as Phụ lục II of that decree capitalises
 * names and pass through tracuu_text_fix_tones(), so one body is one facet value whatever
 * tone placement or capitals its header used.
 */
/*
 * A relation read from the text (see docs/legal-tracing.md): what the document does to another
 * one, named by its number. kind is one of "based_on", "amends", "replaces", "repeals",
 * "guides", "corrects", "suspends", "cites". number is the display form, as the number field
 * is written ("13/2015/TT-BTC"); articles are the Điều numbers of the target the text names
 * ("5", "12a"), NULL-terminated, empty when none: a "repeals" or "replaces" without articles
 * is about the whole target. One relation per (kind, number); never the document's own number.
 */
typedef struct {
    char *kind;
    char *number;
    char **articles;
} tracuu_docmeta_relation;

typedef struct {
    char *number;    /* số ký hiệu as written, dashes made "-": "34/2008/CT-TTg" */
    char *doc_type;  /* "Nghị định", "Thông tư", "Quyết định", "Chỉ thị", "Công văn"... */
    char *issuer;    /* cơ quan ban hành: "Thủ tướng Chính phủ", "Bộ Tài chính" */
    char *date;      /* ngày ban hành, ISO: "2008-12-03" */
    char *place;     /* "Hà Nội" */
    char *title;     /* trích yếu: "Về việc tăng cường sử dụng hệ thống thư điện tử ..." */
    char *signer;    /* người ký: "Nguyễn Tấn Dũng" */
    char *secrecy;   /* the độ mật stamp, a level name of tracuu-conf.h: "mat" for a line
                        "MẬT" of its own in the header, "toi-mat", "tuyet-mat" */
    GPtrArray *relations;  /* of tracuu_docmeta_relation*, never NULL (may be empty); in the
                              order their targets first appear (title first) */
    char *effective_date;  /* ngày có hiệu lực, ISO "YYYY-MM-DD", or NULL */
    char *end_date;        /* the last day in force where the text says one, ISO, or NULL */
} tracuu_docmeta;

/*
 * Reads the metadata of @text (@len bytes, -1 for NUL-terminated, UTF-8). Never returns NULL.
 * Caller frees with tracuu_docmeta_free().
 */
tracuu_docmeta *tracuu_docmeta_extract(const char *text, gssize len);

void tracuu_docmeta_free(tracuu_docmeta *meta); /* NULL accepted */

/*
 * The relations of @meta as the document writer takes them (the field "relations" of
 * tracuu-fields.h): *@n entries that borrow @meta's strings, valid while @meta lives. Caller
 * frees the array (not the strings) with g_free(); NULL with *@n 0 when there are none.
 */
tracuu_relation *tracuu_docmeta_relations_fields(const tracuu_docmeta *meta, size_t *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_docmeta, tracuu_docmeta_free)

G_END_DECLS
