/* tracuu-docwriter.h - one document's fields into the terms, values and data of the schema. */
#pragma once

#include <glib.h>

#include "tracuu-store.h"
#include "tracuu-tokenizer.h"

G_BEGIN_DECLS

/*
 * The only code that turns a document into index terms (store/tracuu-schema.h says what they
 * are), used by tracuu-indexer for files and --from-jsonl, and by tests and benchmarks that
 * build indexes. All fields are borrowed UTF-8 strings or NULL when unknown.
 */
typedef struct {
    const char *id;          /* required: the unique id (schema: "Q" term) */
    const char *file_key;    /* 40 hex SHA-1 of the source file's absolute path, or NULL */
    const char *path;
    const char *kind;        /* "pdf", "mail", "attachment", "docx", "html", "text", "json" */
    const char *mime;
    const char *title;
    const char *text;        /* required, may be "" */
    const char *number;      /* display form: "34/2008/CT-TTg" */
    const char *doc_type;
    const char *issuer;
    const char *date;        /* "YYYY-MM-DD" (or "YYYY-MM", "YYYY") */
    const char *signer;
    const char *const *cites; /* display forms */
    gsize n_cites;
    const guint64 *pages;    /* PDF page start offsets into text */
    gsize n_pages;
    const char *subject;
    const char *from;
    const char *to;
    const char *cc;
    const char *message_id;
    const char *in_reply_to;
    const char *parent;
    const char *attachment;
} tracuu_docfields;

/*
 * Builds the Xapian document for @fields with @tk (terms, positions, values, JSON data).
 * Returns the document (free with tracuu_store_doc_free()) and sets *@unique_term to the
 * "Q" term to store it under (g_free). Returns NULL with @error set (G_IO_ERROR_INVALID_ARGUMENT)
 * when a required field is missing.
 */
tracuu_store_doc *tracuu_docwriter_build(tracuu_tokenizer *tk, const tracuu_docfields *fields,
                                         char **unique_term, GError **error);

/*
 * Builds and stores it: replaces any document with the same id. Does not commit.
 * Returns FALSE with @error set when the store fails.
 */
gboolean tracuu_docwriter_add(tracuu_store *store, tracuu_tokenizer *tk,
                              const tracuu_docfields *fields, GError **error);

G_END_DECLS
