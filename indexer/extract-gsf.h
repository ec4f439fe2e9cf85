/* extract-gsf.h - zip archives and compound documents for the office extractors (libgsf). */
#pragma once

#include "extract-private.h"

#include <gsf/gsf-doc-meta-data.h>
#include <gsf/gsf-infile.h>
#include <gsf/gsf-input.h>

G_BEGIN_DECLS

/* libgsf 1.14 declares no cleanup functions of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsfInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsfInfile, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GsfDocMetaData, g_object_unref)

/*
 * Opens @len bytes at @data, which must stay valid while the result lives, as a zip archive.
 * NULL with DAMAGED when it is not one or its central directory is unreadable. Caller unrefs.
 */
GsfInfile *tracuu_zip_open(const char *data, gsize len, GError **error);

/*
 * Reads the entry @entry ("word/document.xml") of @zip, an archive of @archive_len bytes, for
 * a part that is text (XML): the bytes up to the first NUL, NUL-terminated, their length in
 * *@out_len; caller g_free()s. NULL with DAMAGED (missing, corrupt) or TOO_LARGE (over
 * @max_size, or a declared size the archive is too small to hold: a zip bomb).
 */
char *tracuu_zip_read(GsfInfile *zip, gsize archive_len, const char *entry, gsize max_size,
                      gsize *out_len, GError **error);

/* TRUE when @data is a zip archive holding an entry called @entry. */
gboolean tracuu_zip_has_entry(const char *data, gsize len, const char *entry);

/*
 * Opens @len bytes at @data (valid while the result lives) as a compound document (OLE2).
 * NULL with DAMAGED when it is not one. Caller unrefs.
 */
GsfInfile *tracuu_ole_open(const char *data, gsize len, GError **error);

/* The stream @name (top level) of @ole, or NULL. Caller unrefs. */
GsfInput *tracuu_ole_stream(GsfInfile *ole, const char *name);

/*
 * The bytes of stream @name of @ole, their length in *@out_len; caller g_free()s. NULL when
 * absent, over @max_size bytes or unreadable.
 */
guchar *tracuu_ole_read(GsfInfile *ole, const char *name, gsize max_size, gsize *out_len);

/* TRUE when @data is a compound document holding a stream named @name. */
gboolean tracuu_ole_has_stream(const char *data, gsize len, const char *name);

/*
 * The summary information property set of @ole (title, dates...), read by libgsf, which
 * converts its strings from the set's code page. NULL when absent or unreadable. Caller unrefs.
 */
GsfDocMetaData *tracuu_ole_read_summary(GsfInfile *ole);

G_END_DECLS
