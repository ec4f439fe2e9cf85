/* alqac-data.c - the ALQAC corpus indexed with the document writer, and its questions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alqac-data.h"
#include "tracuu-config.h"
#include "tracuu-docwriter.h"
#include "tracuu-schema.h"

char *
alqac_data_dir(const char *given)
{
    if (given != NULL)
        return g_strdup(given);
    if (g_getenv("TRACUU_SHARED_DATA") != NULL)
        return g_build_filename(g_getenv("TRACUU_SHARED_DATA"), "alqac", NULL);
    return g_build_filename(TRACUU_SOURCE_ROOT, "..", "shared", "data", "alqac", NULL);
}

JsonObject *
alqac_parse_line(const char *line)
{
    g_autoptr(JsonParser) p = json_parser_new();
    if (!json_parser_load_from_data(p, line, -1, NULL))
        return NULL;
    JsonNode *root = json_parser_get_root(p);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    return json_object_ref(json_node_get_object(root));
}

/* Every article of @corpus into a new index at @db, committed once, with the versions. */
static gboolean
build_index(const char *corpus, const char *db, GError **error)
{
    g_autofree char *contents = NULL;
    if (!g_file_get_contents(corpus, &contents, NULL, error))
        return FALSE;
    tracuu_store *store = NULL;
    char *msg = NULL;
    if (tracuu_store_open(db, TRACUU_STORE_CREATE, &store, &msg) != TRACUU_STORE_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s", msg ? msg : db);
        free(msg);
        return FALSE;
    }
    tracuu_tokenizer *tk = tracuu_tokenizer_new(error);
    gboolean ok = tk != NULL;
    g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
    int n = 0;
    for (int i = 0; ok && lines[i] != NULL; i++) {
        if (*lines[i] == '\0')
            continue;
        g_autoptr(JsonObject) o = alqac_parse_line(lines[i]);
        if (o == NULL) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s:%d: not JSON", corpus, i + 1);
            ok = FALSE;
            break;
        }
        tracuu_docfields f = {
            .id = json_object_get_string_member(o, "id"),
            .kind = "json",
            .path = corpus,
            .title = json_object_get_string_member(o, "title"),
            .text = json_object_get_string_member(o, "text"),
        };
        ok = tracuu_docwriter_add(store, tk, &f, error);
        n++;
    }
    if (ok) {
        g_autofree char *sv = g_strdup_printf("%d", TRACUU_SCHEMA_VERSION);
        g_autofree char *tv = g_strdup_printf("%d", TRACUU_TOKENIZER_VERSION);
        tracuu_store_set_metadata(store, TRACUU_META_SCHEMA_VERSION, sv, strlen(sv));
        tracuu_store_set_metadata(store, TRACUU_META_TOKENIZER_VERSION, tv, strlen(tv));
        if (tracuu_store_commit(store) != TRACUU_STORE_OK) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "commit: %s",
                        tracuu_store_get_error(store));
            ok = FALSE;
        }
    }
    tracuu_store_free(store);
    tracuu_tokenizer_free(tk);
    if (ok)
        fprintf(stderr, "alqac: indexed %d articles into %s\n", n, db);
    return ok;
}

char *
alqac_open_index(const char *data_dir, const char *index, gboolean rebuild, GError **error)
{
    g_autofree char *dir = index != NULL
                               ? g_strdup(index)
                               : g_build_filename(g_get_tmp_dir(), "tracuu-alqac-index", NULL);
    if (!rebuild && g_file_test(dir, G_FILE_TEST_IS_DIR))
        return g_steal_pointer(&dir);
    if (rebuild) {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot remove %s", dir);
            return NULL;
        }
    }
    g_autofree char *corpus = g_build_filename(data_dir, "corpus.jsonl", NULL);
    if (!build_index(corpus, dir, error))
        return NULL;
    return g_steal_pointer(&dir);
}

static void
query_clear(gpointer p)
{
    alqac_query *q = p;
    g_free(q->id);
    g_free(q->text);
    g_free(q->split);
}

GArray *
alqac_load_queries(const char *data_dir, GError **error)
{
    g_autofree char *path = g_build_filename(data_dir, "queries.jsonl", NULL);
    g_autofree char *qs = NULL;
    if (!g_file_get_contents(path, &qs, NULL, error))
        return NULL;
    g_auto(GStrv) lines = g_strsplit(qs, "\n", -1);
    GArray *queries = g_array_new(FALSE, TRUE, sizeof(alqac_query));
    g_array_set_clear_func(queries, query_clear);
    for (int i = 0; lines[i] != NULL; i++) {
        g_autoptr(JsonObject) o = *lines[i] ? alqac_parse_line(lines[i]) : NULL;
        if (o == NULL)
            continue;
        alqac_query q = {g_strdup(json_object_get_string_member(o, "id")),
                         g_strdup(json_object_get_string_member(o, "text")),
                         g_strdup(json_object_get_string_member(o, "split"))};
        g_array_append_val(queries, q);
    }
    return queries;
}

GHashTable *
alqac_load_qrels(const char *data_dir, GError **error)
{
    g_autofree char *path = g_build_filename(data_dir, "qrels.tsv", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, error))
        return NULL;
    GHashTable *qrels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)g_hash_table_unref);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", 3);
        if (g_strv_length(f) < 2)
            continue;
        GHashTable *rel = g_hash_table_lookup(qrels, f[0]);
        if (rel == NULL) {
            rel = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            g_hash_table_insert(qrels, g_strdup(f[0]), rel);
        }
        g_hash_table_add(rel, g_strdup(f[1]));
    }
    return qrels;
}
