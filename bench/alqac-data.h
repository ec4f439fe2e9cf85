/* alqac-data.h - the ALQAC data of ../shared/data/alqac for the evaluations in bench/. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A question of queries.jsonl. */
typedef struct {
    char *id, *text, *split;
} alqac_query;

/*
 * The folder of the ALQAC data: @given, else $TRACUU_SHARED_DATA/alqac, else
 * ../shared/data/alqac beside the source tree. Caller frees with g_free().
 */
char *alqac_data_dir(const char *given);

/* @line as a JSON object, or NULL when it is not one. Caller frees with json_object_unref(). */
JsonObject *alqac_parse_line(const char *line);

/*
 * The index of @data_dir's corpus.jsonl at @index (NULL: $TMPDIR/tracuu-alqac-index), built
 * with the document writer when it is missing or @rebuild. Returns its folder (g_free()), or
 * NULL with @error when the corpus cannot be read or indexed.
 */
char *alqac_open_index(const char *data_dir, const char *index, gboolean rebuild, GError **error);

/* The questions of @data_dir's queries.jsonl (alqac_query, cleared with the array), or NULL
 * with @error. Caller frees with g_array_unref(). */
GArray *alqac_load_queries(const char *data_dir, GError **error);

/*
 * The judgements of @data_dir's qrels.tsv: question id -> set (GHashTable of strings) of the
 * ids of its relevant articles, or NULL with @error. Caller frees with g_hash_table_unref().
 */
GHashTable *alqac_load_qrels(const char *data_dir, GError **error);

G_END_DECLS
