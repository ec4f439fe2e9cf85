/* state.c - the per-file state tracuu-indexer keeps in the index metadata. */
#include "indexer-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

void
tracuu_state_key(const char *path, char out[41])
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sum, (const guchar *)path, strlen(path));
    g_strlcpy(out, g_checksum_get_string(sum), 41);
    g_checksum_free(sum);
}

void
tracuu_file_state_free(tracuu_file_state *state)
{
    if (state == NULL)
        return;
    g_free(state->path);
    g_free(state->reason);
    g_free(state->access);
    g_free(state);
}

char *
tracuu_state_access(const tracuu_access_rule *rule)
{
    if (rule == NULL)
        return g_strdup("|none");
    g_autofree char *labels = g_strjoinv(";", (char **)rule->labels);
    return g_strconcat(labels, "|", tracuu_level_name(rule->level), NULL);
}

char *
tracuu_state_to_json(const tracuu_file_state *state)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    const char *path = state->path != NULL ? state->path : "";
    json_builder_set_member_name(b, "path");
    if (g_utf8_validate(path, -1, NULL)) {
        json_builder_add_string_value(b, path);
    } else {
        /* JSON holds UTF-8 only: show a readable path, keep the exact bytes beside it. */
        g_autofree char *shown = g_utf8_make_valid(path, -1);
        g_autofree char *raw = g_base64_encode((const guchar *)path, strlen(path));
        json_builder_add_string_value(b, shown);
        json_builder_set_member_name(b, "path_b64");
        json_builder_add_string_value(b, raw);
    }
    json_builder_set_member_name(b, "mtime");
    json_builder_add_int_value(b, state->mtime_ns / G_GINT64_CONSTANT(1000000000));
    json_builder_set_member_name(b, "mtime_ns");
    json_builder_add_int_value(b, state->mtime_ns);
    json_builder_set_member_name(b, "size");
    json_builder_add_int_value(b, (gint64)state->size);
    json_builder_set_member_name(b, "ino");
    json_builder_add_int_value(b, (gint64)state->ino);
    json_builder_set_member_name(b, "status");
    json_builder_add_string_value(b, state->failed ? "failed" : "ok");
    if (state->reason != NULL) {
        g_autofree char *reason = g_utf8_make_valid(state->reason, -1);
        json_builder_set_member_name(b, "reason");
        json_builder_add_string_value(b, reason);
    }
    json_builder_set_member_name(b, "ndocs");
    json_builder_add_int_value(b, state->ndocs);
    if (state->access != NULL) {
        json_builder_set_member_name(b, "access");
        json_builder_add_string_value(b, state->access);
    }
    if (state->unsupported) {
        json_builder_set_member_name(b, "unsupported");
        json_builder_add_boolean_value(b, TRUE);
    }
    if (state->ocr_pending) {
        json_builder_set_member_name(b, "ocr_pending");
        json_builder_add_boolean_value(b, TRUE);
    }
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    return json_to_string(root, FALSE);
}

tracuu_file_state *
tracuu_state_parse(const char *json, gsize len)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, json, (gssize)len, NULL))
        return NULL;
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    JsonObject *o = json_node_get_object(root);
    if (!json_object_has_member(o, "path") || !json_object_has_member(o, "status"))
        return NULL;
    tracuu_file_state *st = g_new0(tracuu_file_state, 1);
    const char *b64 = json_object_get_string_member_with_default(o, "path_b64", NULL);
    if (b64 != NULL) {
        gsize n = 0;
        guchar *raw = g_base64_decode(b64, &n);
        st->path = g_strndup((const char *)raw, n);
        g_free(raw);
    } else {
        st->path = g_strdup(json_object_get_string_member_with_default(o, "path", ""));
    }
    gint64 sec = json_object_get_int_member_with_default(o, "mtime", 0);
    st->mtime_ns =
        json_object_get_int_member_with_default(o, "mtime_ns", sec * G_GINT64_CONSTANT(1000000000));
    st->size = (guint64)json_object_get_int_member_with_default(o, "size", 0);
    st->ino = (guint64)json_object_get_int_member_with_default(o, "ino", 0);
    st->failed = g_strcmp0(json_object_get_string_member_with_default(o, "status", ""), "ok") != 0;
    st->unsupported = json_object_get_boolean_member_with_default(o, "unsupported", FALSE);
    st->ocr_pending = json_object_get_boolean_member_with_default(o, "ocr_pending", FALSE);
    st->reason = g_strdup(json_object_get_string_member_with_default(o, "reason", NULL));
    st->ndocs = (guint)json_object_get_int_member_with_default(o, "ndocs", 0);
    st->access = g_strdup(json_object_get_string_member_with_default(o, "access", NULL));
    return st;
}
