/* test-corpus.c - tracuu-indexer on corpus/archive gives the metadata corpus/expected.json lists. */

/*
 * One test case per expected document and per expected message, so that a regression names
 * the file and the field. The index is read with Debian's python3-xapian, not with tracuu's
 * own store, so what is checked is what Xapian really holds.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <string.h>

#include "tracuu-test.h"
#include "tracuu-tokenizer.h"

static const char dump_py[] =
    "import sys, json, xapian\n"
    "db = xapian.Database(sys.argv[1])\n"
    "docs = []\n"
    "for p in db.postlist(''):\n"
    "    fields, nul, text = db.get_document(p.docid).get_data().partition(b'\\0')\n"
    "    d = json.loads(fields.decode())\n"
    "    d['text_length'] = len(text.decode()) if nul else -1\n"
    "    docs.append(d)\n"
    "print(json.dumps(docs))\n";

static char *archive_dir;   /* absolute path of corpus/archive */
static JsonParser *expected; /* corpus/expected.json */
static JsonParser *indexed;  /* array of the data of every indexed document */
static JsonObject *summary;  /* tracuu-indexer --json summary */

static const char *
member(JsonObject *o, const char *name)
{
    if (o == NULL || !json_object_has_member(o, name))
        return NULL;
    JsonNode *n = json_object_get_member(o, name);
    return JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : NULL;
}

static JsonArray *
indexed_docs(void)
{
    return json_node_get_array(json_parser_get_root(indexed));
}

/* The indexed document from @path (relative to the archive) of @kind, or NULL. */
static JsonObject *
find_by_path(const char *path, const char *kind)
{
    g_autofree char *abs = g_build_filename(archive_dir, path, NULL);
    JsonArray *docs = indexed_docs();
    for (guint i = 0; i < json_array_get_length(docs); i++) {
        JsonObject *d = json_array_get_object_element(docs, i);
        if (g_strcmp0(member(d, "path"), abs) == 0 && g_strcmp0(member(d, "kind"), kind) == 0)
            return d;
    }
    return NULL;
}

static JsonObject *
find_by(const char *field, const char *value, const char *kind)
{
    JsonArray *docs = indexed_docs();
    for (guint i = 0; i < json_array_get_length(docs); i++) {
        JsonObject *d = json_array_get_object_element(docs, i);
        if (g_strcmp0(member(d, field), value) == 0 &&
            (kind == NULL || g_strcmp0(member(d, "kind"), kind) == 0))
            return d;
    }
    return NULL;
}

/* Documents whose parent is @parent_id, in id order. */
static GPtrArray *
children_of(const char *parent_id)
{
    GPtrArray *out = g_ptr_array_new();
    JsonArray *docs = indexed_docs();
    for (guint i = 0; i < json_array_get_length(docs); i++) {
        JsonObject *d = json_array_get_object_element(docs, i);
        if (g_strcmp0(member(d, "parent"), parent_id) == 0)
            g_ptr_array_add(out, d);
    }
    return out;
}

static void
check_field(JsonObject *want, JsonObject *got, const char *name, const char *where)
{
    const char *w = member(want, name);
    if (w == NULL)
        return;
    const char *g = member(got, name);
    if (g_strcmp0(w, g) != 0)
        g_test_message("%s: %s is \"%s\", expected \"%s\"", where, name, g ? g : "(none)", w);
    g_assert_cmpstr(g, ==, w);
}

static char *
docnum_key(const char *number)
{
    char *term = NULL;
    if (!tracuu_docnum_normalize(number, -1, NULL, &term))
        return g_strdup(number);
    return term;
}

/* The cites of @got, as a set of normal forms, equal those of @want. */
static void
check_cites(JsonObject *want, JsonObject *got, const char *where)
{
    if (!json_object_has_member(want, "cites"))
        return;
    JsonArray *w = json_object_get_array_member(want, "cites");
    JsonArray *g = json_object_has_member(got, "cites") ? json_object_get_array_member(got, "cites")
                                                        : NULL;
    g_autoptr(GHashTable) have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; g != NULL && i < json_array_get_length(g); i++)
        g_hash_table_add(have, docnum_key(json_array_get_string_element(g, i)));
    for (guint i = 0; i < json_array_get_length(w); i++) {
        g_autofree char *k = docnum_key(json_array_get_string_element(w, i));
        if (!g_hash_table_contains(have, k))
            g_test_message("%s: cites lacks %s", where, k);
        g_assert_true(g_hash_table_contains(have, k));
    }
    g_assert_cmpuint(g_hash_table_size(have), ==, json_array_get_length(w));
}

static void
test_document(gconstpointer data)
{
    JsonObject *want = (JsonObject *)data;
    const char *path = member(want, "path");
    JsonObject *got = find_by_path(path, member(want, "kind"));
    if (got == NULL)
        g_test_message("%s: not indexed as kind %s", path, member(want, "kind"));
    g_assert_nonnull(got);
    static const char *const fields[] = {"number", "doc_type", "date", "issuer", "title", "signer"};
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
        check_field(want, got, fields[i], path);
    check_cites(want, got, path);
    g_assert_cmpint(json_object_get_int_member(got, "text_length"), >, 300);
}

/* An attachment of @msg_id as @want describes it (recursively for attached messages). */
static void
check_attachments(JsonArray *wants, const char *parent_id, const char *where)
{
    g_autoptr(GPtrArray) kids = children_of(parent_id);
    g_assert_cmpuint(kids->len, ==, json_array_get_length(wants));
    for (guint i = 0; i < json_array_get_length(wants); i++) {
        JsonObject *want = json_array_get_object_element(wants, i);
        JsonObject *got = NULL;
        for (guint k = 0; k < kids->len && got == NULL; k++) {
            JsonObject *c = kids->pdata[k];
            const char *name = member(want, "name");
            if (name != NULL ? g_strcmp0(member(c, "attachment"), name) == 0
                             : g_strcmp0(member(c, "subject"), member(want, "subject")) == 0)
                got = c;
        }
        if (got == NULL)
            g_test_message("%s: no attachment %s", where, member(want, "name"));
        g_assert_nonnull(got);
        g_assert_cmpstr(member(got, "kind"), ==, "attachment");
        check_field(want, got, "mime", where);
        static const char *const fields[] = {"number", "doc_type", "date", "subject"};
        for (gsize f = 0; f < G_N_ELEMENTS(fields); f++)
            check_field(want, got, fields[f], where);
        if (json_object_has_member(want, "attachments"))
            check_attachments(json_object_get_array_member(want, "attachments"),
                              member(got, "id"), where);
    }
}

static void
test_message(gconstpointer data)
{
    JsonObject *want = (JsonObject *)data;
    const char *msgid = member(want, "message_id");
    JsonObject *got = find_by("message_id", msgid, "mail");
    if (got == NULL)
        g_test_message("message %s (%s) not indexed", msgid, member(want, "path"));
    g_assert_nonnull(got);
    g_autofree char *abs = g_build_filename(archive_dir, member(want, "path"), NULL);
    g_assert_cmpstr(member(got, "path"), ==, abs);
    check_field(want, got, "subject", msgid);
    check_field(want, got, "in_reply_to", msgid);
    g_assert_cmpstr(member(got, "title"), !=, NULL);
    /* From holds the decoded name and the address; the address is what is certain. */
    g_assert_nonnull(strstr(member(got, "from"), member(want, "from")));
    const char *date = member(got, "date");
    g_assert_nonnull(date);
    g_assert_true(g_str_has_prefix(date, member(want, "date")));
    check_attachments(json_object_get_array_member(want, "attachments"), member(got, "id"), msgid);
}

static void
test_summary(void)
{
    JsonArray *docs = json_node_get_array(
        json_object_get_member(json_parser_get_root(expected) ? json_node_get_object(
                                   json_parser_get_root(expected)) : NULL, "documents"));
    g_assert_cmpint(json_object_get_int_member(summary, "failed"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(summary, "indexed"), >=,
                    json_array_get_length(docs));
}

/* Runs the indexer and reads back the index. Returns FALSE when python3-xapian is missing. */
static gboolean
build_index(const char *tmp)
{
    const char *build = g_getenv("TRACUU_BUILD_ROOT");
    g_autofree char *indexer = g_build_filename(build, "indexer", "tracuu-indexer", NULL);
    g_autofree char *db = g_build_filename(tmp, "index", NULL);
    const char *argv[] = {indexer, "--json", "--db", db, archive_dir, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    GError *error = NULL;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                 &error);
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, NULL))
        g_printerr("# tracuu-indexer: %s\n", err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_autoptr(JsonParser) sp = json_parser_new();
    json_parser_load_from_data(sp, out, -1, &error);
    g_assert_no_error(error);
    summary = json_object_ref(json_node_get_object(json_parser_get_root(sp)));

    const char *py[] = {"/usr/bin/python3", "-c", dump_py, db, NULL};
    g_autofree char *dump = NULL, *perr = NULL;
    g_spawn_sync(NULL, (char **)py, NULL, G_SPAWN_DEFAULT, NULL, NULL, &dump, &perr, &status,
                 &error);
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_printerr("# python3-xapian: %s\n", perr);
        return FALSE;
    }
    indexed = json_parser_new();
    json_parser_load_from_data(indexed, dump, -1, &error);
    g_assert_no_error(error);
    return TRUE;
}

int
main(int argc, char **argv)
{
    /* Messages name Vietnamese values: print them as UTF-8 whatever the caller's locale. */
    setlocale(LC_ALL, "C.UTF-8");
    g_test_init(&argc, &argv, NULL);
    /* Every file and field is reported, not only the first that differs. */
    g_test_set_nonfatal_assertions();
    const char *src = g_getenv("TRACUU_SOURCE_ROOT");
    g_assert_nonnull(src);
    archive_dir = g_build_filename(src, "corpus", "archive", NULL);
    g_autofree char *exp_path = g_build_filename(src, "corpus", "expected.json", NULL);
    expected = json_parser_new();
    GError *error = NULL;
    json_parser_load_from_file(expected, exp_path, &error);
    g_assert_no_error(error);

    g_autofree char *tmp = g_dir_make_tmp("tracuu-corpus-XXXXXX", &error);
    g_assert_no_error(error);
    if (!build_index(tmp)) {
        g_printerr("# python3-xapian is missing: run scripts/deps.sh\n");
        return 1;
    }

    JsonObject *root = json_node_get_object(json_parser_get_root(expected));
    g_test_add_func("/corpus/summary", test_summary);
    JsonArray *docs = json_object_get_array_member(root, "documents");
    for (guint i = 0; i < json_array_get_length(docs); i++) {
        JsonObject *d = json_array_get_object_element(docs, i);
        g_autofree char *name = g_strdup_printf("/corpus/document/%s", member(d, "path"));
        g_test_add_data_func(name, d, test_document);
    }
    JsonArray *msgs = json_object_get_array_member(root, "messages");
    for (guint i = 0; i < json_array_get_length(msgs); i++) {
        JsonObject *m = json_array_get_object_element(msgs, i);
        g_autofree char *name = g_strdup_printf("/corpus/message/%s", member(m, "message_id"));
        g_test_add_data_func(name, m, test_message);
    }
    int rc = g_test_run();

    tracuu_test_rm_rf(tmp);
    g_free(archive_dir);
    g_object_unref(expected);
    g_clear_object(&indexed);
    json_object_unref(summary);
    return rc;
}
