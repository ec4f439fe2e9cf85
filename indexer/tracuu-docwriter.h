/* tracuu-docwriter.h - one document's fields into the terms, values and data of the schema. */
#pragma once

#include <glib.h>

#include "tracuu-fields.h"
#include "tracuu-store.h"
#include "tracuu-tokenizer.h"

G_BEGIN_DECLS

/*
 * The only code that turns a document into index terms (store/tracuu-schema.h says what they
 * are), used by tracuu-indexer for files and --from-jsonl, and by tests and benchmarks that
 * build indexes. tracuu_docfields is made by the field table of store/tracuu-fields.h: all
 * fields are borrowed UTF-8 strings (or arrays) or NULL when unknown.
 */

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
