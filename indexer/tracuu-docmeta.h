/* tracuu-docmeta.h - the metadata of a Vietnamese official document, read from its text. */
#pragma once

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
} tracuu_docmeta;

/*
 * Reads the metadata of @text (@len bytes, -1 for NUL-terminated, UTF-8). Never returns NULL.
 * Caller frees with tracuu_docmeta_free().
 */
tracuu_docmeta *tracuu_docmeta_extract(const char *text, gssize len);

void tracuu_docmeta_free(tracuu_docmeta *meta); /* NULL accepted */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_docmeta, tracuu_docmeta_free)

G_END_DECLS
