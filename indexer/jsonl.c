/* jsonl.c - --from-jsonl: one JSON object per line into the fields of a document. */
#include "indexer-private.h"

#include "tracuu-extract.h"
#include "tracuu-schema-rules.h"

#include <errno.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The JSON type a --from-jsonl member of a field of type @t must have, for messages. */
static const char *
jsonl_type_name(tracuu_field_type t)
{
    switch (t) {
    case TRACUU_FIELD_STRV:
        return "an array of strings";
    case TRACUU_FIELD_DATE:
        return "a date YYYY-MM-DD (or YYYY-MM, YYYY)";
    case TRACUU_FIELD_MAILBOXES:
        return "a string of addresses (\"Name <a@b>, c@d\")";
    case TRACUU_FIELD_RELATIONS:
        return "an array of {\"kind\": \"amends\"|\"replaces\"|\"repeals\"|\"guides\"|"
               "\"based_on\"|\"corrects\"|\"suspends\"|\"cites\", \"number\": string, "
               "\"articles\": [string]}";
    default:
        return "a string";
    }
}

static gboolean
json_is_string(JsonNode *n)
{
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING;
}

/*
 * One member of a --from-jsonl line into field @fi of @f, as its type says; FALSE when the
 * member has the wrong type or (a date) is not a real date. Arrays it makes go to @keep.
 */
static gboolean
jsonl_field(const tracuu_field_info *fi, JsonNode *n, tracuu_docfields *f, GPtrArray *keep)
{
    switch (fi->type) {
    case TRACUU_FIELD_STRING:
        if (!json_is_string(n))
            return FALSE;
        tracuu_field_set(f, fi, json_node_get_string(n), 1);
        return TRUE;
    case TRACUU_FIELD_DATE: {
        char digits[9];
        const char *v = json_is_string(n) ? json_node_get_string(n) : NULL;
        if (v == NULL || (*v != '\0' && !tracuu_schema_date_parse(v, -1, digits)))
            return FALSE;
        tracuu_field_set(f, fi, v, 1);
        return TRUE;
    }
    case TRACUU_FIELD_STRV: {
        if (!JSON_NODE_HOLDS_ARRAY(n))
            return FALSE;
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        const char **strv = g_new0(const char *, len + 1);
        g_ptr_array_add(keep, strv);
        for (guint i = 0; i < len; i++) {
            JsonNode *e = json_array_get_element(a, i);
            if (!json_is_string(e))
                return FALSE;
            strv[i] = json_node_get_string(e);
        }
        tracuu_field_set(f, fi, strv, len);
        return TRUE;
    }
    case TRACUU_FIELD_MAILBOXES: {
        if (!json_is_string(n))
            return FALSE;
        GArray *boxes = tracuu_extract_mailboxes(json_node_get_string(n));
        if (boxes != NULL) {
            g_ptr_array_add(keep, boxes);
            tracuu_field_set(f, fi, boxes->data, boxes->len);
        }
        return TRUE;
    }
    case TRACUU_FIELD_RELATIONS: {
        if (!JSON_NODE_HOLDS_ARRAY(n))
            return FALSE;
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        tracuu_relation *rels = g_new0(tracuu_relation, MAX(len, 1));
        g_ptr_array_add(keep, rels);
        for (guint i = 0; i < len; i++) {
            JsonNode *e = json_array_get_element(a, i);
            if (!JSON_NODE_HOLDS_OBJECT(e))
                return FALSE;
            JsonObject *o = json_node_get_object(e);
            JsonNode *kind = json_object_get_member(o, "kind");
            JsonNode *number = json_object_get_member(o, "number");
            JsonNode *arts = json_object_get_member(o, "articles");
            if (!json_is_string(kind) ||
                !tracuu_schema_relation_kind_is_valid(json_node_get_string(kind)) ||
                !json_is_string(number) || *json_node_get_string(number) == '\0')
                return FALSE;
            rels[i].kind = json_node_get_string(kind);
            rels[i].number = json_node_get_string(number);
            if (arts == NULL || JSON_NODE_HOLDS_NULL(arts))
                continue;
            if (!JSON_NODE_HOLDS_ARRAY(arts))
                return FALSE;
            JsonArray *aa = json_node_get_array(arts);
            guint na = json_array_get_length(aa);
            const char **strv = g_new0(const char *, na + 1);
            g_ptr_array_add(keep, strv);
            for (guint k = 0; k < na; k++) {
                JsonNode *ae = json_array_get_element(aa, k);
                if (!json_is_string(ae))
                    return FALSE;
                strv[k] = json_node_get_string(ae);
            }
            rels[i].articles = strv;
            rels[i].n_articles = na;
        }
        tracuu_field_set(f, fi, rels, len);
        return TRUE;
    }
    case TRACUU_FIELD_OFFSETS:
    case TRACUU_FIELD_BOOL:
        return FALSE; /* no such field is taken from JSON lines */
    }
    return FALSE;
}

/*
 * One line of --from-jsonl into the fields of a document (the members the field table marks
 * TRACUU_FIELD_JSONL, kind "json"), in the pipe form, with its id in *@id (g_free); NULL with
 * *@reason when it is bad.
 */
static GVariant *
jsonl_parse_line(const char *line, gsize len, char **id, char **reason)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *error = NULL;
    if (!json_parser_load_from_data(parser, line, (gssize)len, &error)) {
        *reason = g_strdup_printf("not JSON: %s", error->message);
        g_error_free(error);
        return NULL;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        *reason = g_strdup("not a JSON object");
        return NULL;
    }
    JsonObject *o = json_node_get_object(root);
    tracuu_docfields f = {0};
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) boxes = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        if (!(fi->flags & TRACUU_FIELD_JSONL))
            continue;
        JsonNode *n = json_object_get_member(o, fi->name);
        gboolean absent = n == NULL || JSON_NODE_HOLDS_NULL(n);
        if (absent && !(fi->flags & TRACUU_FIELD_REQUIRED))
            continue;
        GPtrArray *into = fi->type == TRACUU_FIELD_MAILBOXES ? boxes : keep;
        if (absent || !jsonl_field(fi, n, &f, into)) {
            g_autofree char *given = absent ? NULL : json_to_string(n, FALSE);
            if (given != NULL && strlen(given) > 80)
                strcpy(given + 77, "...");
            *reason = g_strdup_printf("\"%s\" must be %s%s%s", fi->name, jsonl_type_name(fi->type),
                                      given != NULL ? ", not " : "", given != NULL ? given : "");
            return NULL;
        }
    }
    /* The id is compared exactly and names the document: an empty one is none. */
    if (*f.id == '\0') {
        *reason = g_strdup("\"id\" must be a non-empty string");
        return NULL;
    }
    tracuu_field_set(&f, &tracuu_field_table[TRACUU_FIELD_INDEX_kind], "json", 1);
    *id = g_strdup(f.id);
    GVariant *doc = tracuu_pipe_fields(&f);
    return g_variant_ref_sink(g_variant_new_array(NULL, &doc, 1));
}

/* Reads @path and queues one unit per line. FALSE with @error when the file cannot be read. */
gboolean
tracuu_jsonl_import(run *r, const char *path, GError **error)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
    if (fp == NULL) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", path, g_strerror(e));
        return FALSE;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    guint lineno = 0;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue; /* blank lines, as at the end of many files, are not documents */
        unit *u = g_new0(unit, 1);
        u->kind = UNIT_JSONL;
        u->line = lineno;
        char *reason = NULL;
        g_autofree char *id = NULL;
        u->docs = jsonl_parse_line(line, (gsize)n, &id, &reason);
        if (u->docs == NULL) {
            u->status = TRACUU_RESULT_FAILED;
            u->reason = reason;
        }
        /* Of a run over shards, a line is its id's shard's, and a bad one the first shard's. */
        if (u->docs != NULL ? !tracuu_shards_is_mine(r->rs.opts, id, strlen(id))
                            : !tracuu_shards_reports_shared(r->rs.opts)) {
            tracuu_unit_free(u);
            continue;
        }
        r->jsonl_lines++;
        while (tracuu_pipeline_is_behind(r) && !g_atomic_int_get(&r->rs.fatal) &&
               !tracuu_indexer_interrupted)
            g_usleep(2000);
        if (g_atomic_int_get(&r->rs.fatal) || tracuu_indexer_interrupted) {
            tracuu_unit_free(u);
            break;
        }
        tracuu_pipeline_push(r, u);
    }
    gboolean ok = TRUE;
    if (ferror(fp)) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", path, g_strerror(e));
        ok = FALSE;
    }
    free(line);
    if (fp != stdin)
        fclose(fp);
    return ok;
}
