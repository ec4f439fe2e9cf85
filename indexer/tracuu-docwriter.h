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
 * when a required field is missing, an access label is not valid (tracuu_label_is_valid()) or
 * the secrecy is not a level name (tracuu_level_parse()); the message names the value.
 * Every document gets its access terms (store/tracuu-schema.h): its labels or the unlabelled
 * term, its level ("none" when @fields has no secrecy), and its participants' addresses.
 */
tracuu_store_doc *tracuu_docwriter_build(tracuu_tokenizer *tk, const tracuu_docfields *fields,
                                         char **unique_term, GError **error);

/*
 * Builds and stores it: replaces any document with the same id. Does not commit.
 * Returns FALSE with @error set when the store fails.
 */
gboolean tracuu_docwriter_add(tracuu_store *store, tracuu_tokenizer *tk,
                              const tracuu_docfields *fields, GError **error);

/*
 * The secrecy a document gets when two sources give one (each a level name of tracuu-conf.h,
 * NULL for none): the printed stamp docmeta reads, and a rule of the access map or a
 * --from-jsonl line. A rule may raise the printed level, never lower it, so the higher one
 * wins. A name that is not a level is returned as it is, so that the writer refuses the
 * document with that name in its message rather than index it at a guessed level. Returns
 * @a or @b (borrowed), or NULL when both are NULL.
 */
const char *tracuu_docwriter_secrecy_max(const char *a, const char *b);

G_END_DECLS
