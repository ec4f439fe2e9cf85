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
 * Builds the document as tracuu_docwriter_build() does, and after it one article unit for each
 * article (Điều) its text has (store/tracuu-schema.h, "Article units"; none for a document of
 * kind "article"). Appends each "Q" term (char *, g_free) to @terms and each document
 * (tracuu_store_doc_free()) to @docs, the whole document first. Returns FALSE with @error set
 * as tracuu_docwriter_build() does, appending nothing.
 */
gboolean tracuu_docwriter_build_all(tracuu_tokenizer *tk, const tracuu_docfields *fields,
                                    GPtrArray *terms, GPtrArray *docs, GError **error);

/*
 * Builds and stores it with its article units (tracuu_docwriter_build_all()): replaces any
 * document with the same id and, for a document without a file key, first deletes the units
 * it had ("XP" + id; a file's old units go with the file's "XF" term). Does not commit.
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

/*
 * Relabelling a stored document without its file (tracuu_store_retag()): the prefixes of the
 * terms a relabel replaces (labels and the level; not the participants, which come from the
 * mail itself), NULL-terminated.
 */
extern const char *const tracuu_docwriter_relabel_prefixes[];

/*
 * For the stored document data @data (@len bytes, as tracuu_docwriter_build() made it): sets on
 * @edit the data with the stored fields access = @labels (NULL-terminated, NULL or empty for
 * none) and secrecy = the higher of the stored stamp and @level (a level name, NULL for none),
 * the text unchanged, and adds the label and level terms those fields make. FALSE with @error
 * when the data holds no fields object (G_IO_ERROR_INVALID_DATA) or a label or level is not
 * valid (G_IO_ERROR_INVALID_ARGUMENT, as tracuu_docwriter_build()).
 */
gboolean tracuu_docwriter_relabel(tracuu_store_doc *edit, const char *data, gsize len,
                                  const char *const *labels, const char *level, GError **error);

G_END_DECLS
