/* engine.c - answers search, get, stats and ping requests on an index. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "engine-private.h"
#include "legal.h"
#include "rank.h"
#include "suggest.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"

#define ENGINE_MAX_LIMIT 1000
/* The store pages with 32-bit numbers; this keeps offset + limit within them. */
#define ENGINE_MAX_OFFSET (G_MAXUINT32 / 2)
#define ENGINE_SNIPPET_CHARS 200
#define ENGINE_FACET_LIMIT 100
#define ENGINE_EXACT_TOTAL 5000 /* totals are exact up to this many matches (protocol.md) */

struct tracuu_engine {
    char *path;
    tracuu_store *store;
    tracuu_split *split; /* helper readers and threads, or NULL */
    gboolean (*allow_split)(gpointer);
    gpointer allow_data;
    gboolean split_now;  /* this request's searches are split (set per request) */
    char *split_error;   /* message of the part that failed the last split search */
    dev_t dev;           /* the index folder opened, to notice when it is replaced */
    ino_t ino;
    tracuu_tokenizer *tk;
    double time_limit;
    unsigned remote_timeout_ms; /* for remote shards, from the time limit (0: the store's) */
    tracuu_rank_params rank;
    gboolean no_snippets;
    gint64 deadline; /* monotonic time the current request must end by, 0 for none */
    tracuu_query *visibility; /* the caller's filter for the current request, NULL for none */
    gboolean restricted;      /* the caller is not an admin: stats count what it sees */
    uint64_t query_runs; /* tokenizer runs on query text, for tests */
    char as_of[9];       /* "YYYYMMDD": the day statuses are computed for (per request) */
    tracuu_suggest_vocab *vocab; /* words and numbers for "did you mean", or NULL (suggest.c) */
};

/* ---- Access: who sees what, decided here and nowhere else ---- */

/* OR of the boolean terms made by @term's rule for each of @values, added to @subs. */
static void
add_terms(GPtrArray *subs, tracuu_schema_term term, const char *const *values)
{
    for (gsize i = 0; values != NULL && values[i] != NULL; i++) {
        g_autofree char *t = tracuu_schema_bool_term(term, values[i]);
        if (t != NULL)
            g_ptr_array_add(subs, tracuu_query_new_term(t, strlen(t), 1, 0));
    }
}

static tracuu_query *
or_of(GPtrArray *subs)
{
    if (subs->len == 0)
        return tracuu_query_new_match_nothing();
    return tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)subs->pdata, subs->len, 0);
}

tracuu_query *
tracuu_engine_visibility_filter(const tracuu_identity *identity)
{
    if (identity == NULL || identity->admin)
        return NULL;
    /* Who: a label the user holds, no label at all when unlabelled documents are public, or
     * the user's address among the mail participants. */
    g_autoptr(GPtrArray) who = g_ptr_array_new();
    add_terms(who, TRACUU_TERM_LABEL, identity->labels);
    if (identity->default_public)
        g_ptr_array_add(who, tracuu_query_new_term(TRACUU_TERM_UNLABELLED,
                                                   strlen(TRACUU_TERM_UNLABELLED), 1, 0));
    add_terms(who, TRACUU_TERM_PARTICIPANT, identity->emails);
    if (who->len == 0)
        return tracuu_query_new_match_nothing();
    /* What level: every level up to the clearance, named; a document has exactly one level
     * term, so one without (which the writer never makes) is seen by no one but admins. A
     * participant needs the clearance too: being sent a stamped letter is not a clearance,
     * and the archive would otherwise hand its secret attachments to anyone on the To line. */
    g_autoptr(GPtrArray) levels = g_ptr_array_new();
    for (int l = TRACUU_LEVEL_NONE; l <= (int)identity->clearance; l++) {
        const char *name[] = {tracuu_level_name((tracuu_level)l), NULL};
        add_terms(levels, TRACUU_TERM_LEVEL, name);
    }
    tracuu_query *both[2] = {or_of(who), or_of(levels)};
    return tracuu_query_scale(tracuu_query_combine(TRACUU_QUERY_AND, both, 2, 0), 0.0);
}

/*
 * @q as the caller may run it: restricted to the documents its identity sees. Every way the
 * engine reaches a document (searches, get, stats) goes through this. Sets *@owned to what
 * the caller frees; NULL (and @q NULL) only when the store cannot build the query.
 */
static const tracuu_query *
visible(tracuu_engine *e, const tracuu_query *q, tracuu_query **owned)
{
    *owned = NULL;
    if (e->visibility == NULL)
        return q;
    tracuu_query *subs[2] = {tracuu_query_copy(q), tracuu_query_copy(e->visibility)};
    *owned = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
    return *owned;
}

/*
 * One request may run several searches (accent guess, document-number tiers); they share its
 * time limit, so each gets what is left. Every search runs through the caller's visibility
 * filter, split ones too (the parts cut the filtered query). Returns the store's status.
 */
tracuu_store_status
tracuu_engine_search(tracuu_engine *e, const tracuu_query *q, const tracuu_search_options *opts,
                     tracuu_results **out)
{
    tracuu_search_options o = *opts;
    *out = NULL;
    if (e->deadline > 0) {
        gint64 left = e->deadline - g_get_monotonic_time();
        if (left <= 0)
            return TRACUU_STORE_TIMEOUT;
        o.time_limit = left / 1e6;
    }
    tracuu_query *owned = NULL;
    const tracuu_query *vq = visible(e, q, &owned);
    if (vq == NULL)
        return TRACUU_STORE_ERROR;
    tracuu_store_status st;
    if (e->split_now) {
        g_clear_pointer(&e->split_error, g_free);
        st = tracuu_split_search(e->split, e->store, vq, &o, out, &e->split_error);
    } else {
        st = tracuu_store_search(e->store, vq, &o, out);
    }
    tracuu_query_free(owned);
    return st;
}

/*
 * The device and inode of the folder at @path (0 and 0 when it cannot be read); for a folder
 * of shards, of its stub, so that a new stub renamed over XAPIANDB (a shard added) is taken
 * as a new index.
 */
static void
folder_ident(const char *path, dev_t *dev, ino_t *ino)
{
    GStatBuf st;
    g_autofree char *stub = g_build_filename(path, "XAPIANDB", NULL);
    if (g_file_test(stub, G_FILE_TEST_IS_REGULAR))
        path = stub;
    if (g_stat(path, &st) == 0) {
        *dev = st.st_dev;
        *ino = st.st_ino;
    } else {
        *dev = 0;
        *ino = 0;
    }
}

G_DEFINE_QUARK(tracuu-engine-error-quark, tracuu_engine_error)

const char *
tracuu_engine_error_code_name(tracuu_engine_error code)
{
    switch (code) {
    case TRACUU_ENGINE_ERROR_BAD_REQUEST: return "bad_request";
    case TRACUU_ENGINE_ERROR_UNKNOWN_OP: return "unknown_op";
    case TRACUU_ENGINE_ERROR_BAD_QUERY: return "bad_query";
    case TRACUU_ENGINE_ERROR_NOT_FOUND: return "not_found";
    case TRACUU_ENGINE_ERROR_TIMEOUT: return "timeout";
    case TRACUU_ENGINE_ERROR_INDEX: return "index";
    case TRACUU_ENGINE_ERROR_GONE: return "gone";
    }
    return "error";
}

/* Turns a store failure into an engine error; the message of the store says the details. */
uint64_t
tracuu_engine_term_freq(tracuu_engine *e, const char *term)
{
    return term != NULL ? tracuu_store_get_term_freq(e->store, term, strlen(term)) : 0;
}

void
tracuu_engine_store_error(tracuu_engine *e, tracuu_store_status st, GError **error,
                          const char *what)
{
    int code = st == TRACUU_STORE_TIMEOUT ? TRACUU_ENGINE_ERROR_TIMEOUT
                                          : TRACUU_ENGINE_ERROR_INDEX;
    if (st == TRACUU_STORE_TIMEOUT)
        g_set_error(error, TRACUU_ENGINE_ERROR, code,
                    "%s: the query ran out of its time limit of %g s", what, e->time_limit);
    else
        g_set_error(error, TRACUU_ENGINE_ERROR, code, "%s: %s: %s", what,
                    tracuu_store_status_name(st),
                    e->split_error != NULL && *e->split_error != '\0'
                        ? e->split_error
                        : tracuu_store_get_error(e->store));
}

static char *
get_meta(tracuu_store *store, const char *key)
{
    char *v = NULL;
    if (tracuu_store_get_metadata(store, key, &v, NULL) != TRACUU_STORE_OK) {
        free(v);
        return g_strdup("");
    }
    char *copy = g_strdup(v != NULL ? v : "");
    free(v);
    return copy;
}

/* An index made with another schema or tokenizer would be searched wrong, so it is refused;
 * one without versions (an empty or test index) is taken. */
static gboolean
check_versions(tracuu_engine *e, GError **error)
{
    g_autofree char *why = NULL;
    switch (tracuu_schema_index_check(e->store, &why)) {
    case TRACUU_SCHEMA_INDEX_CURRENT:
    case TRACUU_SCHEMA_INDEX_UNVERSIONED:
        return TRUE;
    case TRACUU_SCHEMA_INDEX_OTHER:
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                    "the index in %s was %s: rebuild it with tracuu-indexer --rebuild", e->path,
                    why);
        return FALSE;
    case TRACUU_SCHEMA_INDEX_UNREADABLE:
        break;
    }
    g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                "cannot read the versions of the index in %s: %s", e->path, why);
    return FALSE;
}

tracuu_engine *
tracuu_engine_open(const char *db_path, GError **error)
{
    g_return_val_if_fail(db_path != NULL, NULL);
    g_autoptr(GError) tk_error = NULL;
    tracuu_engine *e = g_new0(tracuu_engine, 1);
    e->path = g_strdup(db_path);
    /* Taken before the open: a swap in between only costs one more open later. */
    folder_ident(db_path, &e->dev, &e->ino);
    tracuu_rank_params_init(&e->rank);
    char *msg = NULL;
    tracuu_store_status st = tracuu_store_open(db_path, TRACUU_STORE_READ, &e->store, &msg);
    if (st != TRACUU_STORE_OK) {
        if (st == TRACUU_STORE_NOT_FOUND)
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                        "no index in %s (build one with tracuu-indexer): %s", db_path,
                        msg ? msg : "");
        else
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                        "cannot open the index in %s: %s: %s", db_path,
                        tracuu_store_status_name(st), msg ? msg : "");
        free(msg);
        tracuu_engine_free(e);
        return NULL;
    }
    free(msg);
    if (!check_versions(e, error)) {
        tracuu_engine_free(e);
        return NULL;
    }
    e->tk = tracuu_tokenizer_new(&tk_error);
    if (e->tk == NULL) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                    "cannot set up the tokenizer: %s", tk_error ? tk_error->message : "?");
        tracuu_engine_free(e);
        return NULL;
    }
    return e;
}

/*
 * Moves the engine to the index now in its folder. A reader's reopen() only compares revision
 * numbers, so an index replaced by another one (compacted and swapped, restored, rebuilt) with
 * a revision number the reader has seen would be taken for the old one, and the reader would
 * keep the deleted files. So when the folder itself is not the one opened, or the reader
 * cannot reopen (a swap caught half-way), a new reader is opened in place of the old one, and
 * new helpers for split searches. FALSE with @error when that fails.
 */
static gboolean
refresh_store(tracuu_engine *e, GError **error)
{
    dev_t dev;
    ino_t ino;
    folder_ident(e->path, &dev, &ino);
    gboolean replaced = dev != e->dev || ino != e->ino;
    if (!replaced && tracuu_store_reopen(e->store) == TRACUU_STORE_OK)
        return TRUE;
    if (!replaced)
        g_usleep(20000); /* a swap by two renames leaves a moment with no index */
    folder_ident(e->path, &dev, &ino);
    tracuu_store *fresh = NULL;
    char *msg = NULL;
    tracuu_store_status st = tracuu_store_open(e->path, TRACUU_STORE_READ, &fresh, &msg);
    if (st != TRACUU_STORE_OK) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                    "cannot open the index in %s again: %s: %s", e->path,
                    tracuu_store_status_name(st), msg ? msg : "");
        free(msg);
        return FALSE;
    }
    tracuu_store_free(e->store);
    e->store = fresh;
    tracuu_store_set_remote_timeouts(e->store, e->remote_timeout_ms, 0);
    e->dev = dev;
    e->ino = ino;
    if (!check_versions(e, error))
        return FALSE;
    if (e->split != NULL) {
        unsigned parts = tracuu_split_parts(e->split);
        g_clear_pointer(&e->split, tracuu_split_free);
        /* NULL: no splitting, as before; nor over shards (tracuu_engine_set_parallel()). */
        if (!tracuu_store_is_sharded(e->store))
            e->split = tracuu_split_new(e->path, parts, NULL);
    }
    return TRUE;
}

void
tracuu_engine_free(tracuu_engine *engine)
{
    if (engine == NULL)
        return;
    tracuu_split_free(engine->split);
    tracuu_suggest_vocab_free(engine->vocab);
    g_free(engine->split_error);
    tracuu_store_free(engine->store);
    tracuu_tokenizer_free(engine->tk);
    g_free(engine->path);
    g_free(engine);
}

void
tracuu_engine_set_time_limit(tracuu_engine *engine, double seconds)
{
    engine->time_limit = seconds > 0 ? seconds : 0;
    /* A remote shard that does not answer within half the request's time limit is left out
     * of the answer, so that a slow machine cannot hang the search: the search is then run
     * again over the others (and asking the slow one whether it is there takes as long). */
    engine->remote_timeout_ms =
        engine->time_limit > 0 ? (unsigned)MAX(engine->time_limit * 500.0, 100.0) : 0;
    tracuu_store_set_remote_timeouts(engine->store, engine->remote_timeout_ms, 0);
}

gboolean
tracuu_engine_is_sharded(tracuu_engine *e)
{
    return tracuu_store_is_sharded(e->store);
}

/*
 * Adds "partial": true and "shards_missing" to @resp when some shard of the index was left
 * out of this request's searches (a shard only drops out during a request, and comes back at
 * the start of a later one, so those missing now are the ones some search lacked).
 */
static void
add_shards_missing(tracuu_engine *e, JsonObject *resp)
{
    JsonArray *missing = NULL;
    size_t n = tracuu_store_get_shard_count(e->store);
    for (size_t i = 0; tracuu_store_is_sharded(e->store) && i < n; i++) {
        if (tracuu_store_shard_ok(e->store, i))
            continue;
        if (missing == NULL)
            missing = json_array_new();
        json_array_add_string_element(missing, tracuu_store_get_shard_name(e->store, i));
    }
    if (missing == NULL)
        return;
    json_object_set_boolean_member(resp, "partial", TRUE);
    json_object_set_array_member(resp, "shards_missing", missing);
}

gboolean
tracuu_engine_set_parallel(tracuu_engine *engine, unsigned parts,
                           gboolean (*allow)(gpointer user_data), gpointer user_data,
                           GError **error)
{
    g_clear_pointer(&engine->split, tracuu_split_free);
    engine->allow_split = allow;
    engine->allow_data = user_data;
    /* The parts are cut with a posting source of tracuu's own, which sees each shard's own
     * document numbers and which xapian-tcpsrv cannot run: a sharded index is searched whole. */
    if (parts <= 1 || tracuu_store_is_sharded(engine->store))
        return TRUE;
    engine->split = tracuu_split_new(engine->path, MIN(parts, 16u), error);
    return engine->split != NULL;
}

uint64_t
tracuu_engine_split_count(tracuu_engine *engine)
{
    return tracuu_split_count(engine->split);
}

uint64_t
tracuu_engine_query_tokenizer_runs(tracuu_engine *engine)
{
    return engine->query_runs;
}

void
tracuu_engine_set_snippets(tracuu_engine *engine, gboolean on)
{
    engine->no_snippets = !on;
}

void
tracuu_engine_set_rank_params(tracuu_engine *engine, const tracuu_rank_params *params)
{
    engine->rank = *params;
}

const tracuu_rank_params *
tracuu_engine_get_rank_params(tracuu_engine *e)
{
    return &e->rank;
}

tracuu_tokenizer *
tracuu_engine_get_tokenizer(tracuu_engine *e)
{
    return e->tk;
}

gboolean
tracuu_engine_is_restricted(tracuu_engine *e)
{
    return e->visibility != NULL;
}

/* ---- request fields ---- */

/*
 * An integer member in [0, @max], @def when absent. A number out of range is refused rather
 * than cut to the range: a client asking for a billion hits and getting a thousand would take
 * the page for the whole answer.
 */
static gboolean
get_uint(JsonObject *req, const char *op, const char *name, guint64 def, guint64 max,
         guint64 *out, GError **error)
{
    *out = def;
    JsonNode *n = json_object_get_member(req, name);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n))
        return TRUE;
    gboolean is_int = JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64;
    if (!is_int || json_node_get_int(n) < 0 || (guint64)json_node_get_int(n) > max) {
        if (is_int)
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                        "%s: \"%s\" must be an integer from 0 to %" G_GUINT64_FORMAT
                        ", not %" G_GINT64_FORMAT,
                        op, name, max, json_node_get_int(n));
        else
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                        "%s: \"%s\" must be an integer from 0 to %" G_GUINT64_FORMAT, op, name,
                        max);
        return FALSE;
    }
    *out = (guint64)json_node_get_int(n);
    return TRUE;
}

/* A string member, NULL when absent; FALSE when present with another type. */
static gboolean
get_string(JsonObject *req, const char *op, const char *name, const char **out, GError **error)
{
    *out = NULL;
    JsonNode *n = json_object_get_member(req, name);
    if (n == NULL || JSON_NODE_HOLDS_NULL(n))
        return TRUE;
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "%s: \"%s\" must be a string", op, name);
        return FALSE;
    }
    *out = json_node_get_string(n);
    return TRUE;
}

/*
 * The filter node of one value of filters.@key (a string or an integer), or NULL: with @error
 * when the value cannot be used, without when it is empty (no filter).
 */
static tracuu_qnode *
filter_node(tracuu_qfield field, const char *key, JsonNode *v, GError **error)
{
    g_autofree char *number = NULL;
    const char *value;
    if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING) {
        value = json_node_get_string(v);
    } else if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_INT64) {
        number = g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(v));
        value = number;
    } else {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "search: filters.%s must be a string, a number or an array of them", key);
        return NULL;
    }
    g_autoptr(GError) perr = NULL;
    tracuu_qnode *n = tracuu_qnode_new_filter(field, value, &perr);
    if (perr != NULL)
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                    "search: filters.%s: %s", key, perr->message);
    return n;
}

/*
 * "filters": {"type": "Quyết định", "year": 2008, "kind": ["pdf", "mail"]} means what the query
 * type:"Quyết định" year:2008 (kind:"pdf" OR kind:"mail") means; the filter nodes join the
 * query's top level. They are built from the values as given, so that a value holding a quote
 * or a colon (an issuer `Sở "A": B`, an imported id) filters by exactly that value: printed
 * into query text, its quotes had to become spaces.
 */
static gboolean
add_filters(JsonObject *req, tracuu_qnode *root, GError **error)
{
    JsonNode *fn = json_object_get_member(req, "filters");
    if (fn == NULL || JSON_NODE_HOLDS_NULL(fn))
        return TRUE;
    if (!JSON_NODE_HOLDS_OBJECT(fn)) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "search: \"filters\" must be an object");
        return FALSE;
    }
    JsonObject *filters = json_node_get_object(fn);
    g_autoptr(GList) keys = json_object_get_members(filters);
    for (GList *l = keys; l != NULL; l = l->next) {
        const char *key = l->data;
        tracuu_qfield field = tracuu_qfield_lookup(key, strlen(key));
        if (field == TRACUU_QFIELD_NONE) {
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                        "search: unknown filter \"%s\" (known: number, type, issuer, date, "
                        "year, kind, from, to, subject, cites, signer, id, parent, status, "
                        "amends... and amended_by...)",
                        key);
            return FALSE;
        }
        JsonNode *v = json_object_get_member(filters, key);
        g_autoptr(GPtrArray) any = g_ptr_array_new_with_free_func(
            (GDestroyNotify)tracuu_qnode_free);
        gboolean array = JSON_NODE_HOLDS_ARRAY(v);
        guint n = array ? json_array_get_length(json_node_get_array(v)) : 1;
        for (guint i = 0; i < n; i++) {
            JsonNode *el = array ? json_array_get_element(json_node_get_array(v), i) : v;
            g_autoptr(GError) ferr = NULL;
            tracuu_qnode *f = filter_node(field, key, el, &ferr);
            if (ferr != NULL) {
                g_propagate_error(error, g_steal_pointer(&ferr));
                return FALSE;
            }
            if (f != NULL)
                g_ptr_array_add(any, f);
        }
        if (any->len == 0)
            continue; /* only empty values: no filter */
        if (any->len == 1) {
            g_ptr_array_add(root->children, g_ptr_array_steal_index(any, 0));
            continue;
        }
        /* Alternatives: an OR of filters, itself a required filter. */
        tracuu_qnode *or = tracuu_qnode_new(TRACUU_QNODE_OR, TRACUU_QMODE_REQUIRED);
        while (any->len > 0)
            g_ptr_array_add(or->children, g_ptr_array_steal_index(any, 0));
        g_ptr_array_add(root->children, or);
    }
    return TRUE;
}

/* ---- hits ---- */

static const char *
obj_string(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

/*
 * The stored data of a document (store/tracuu-schema.h): its fields as a JSON object, one NUL
 * byte, its text. Only the fields are parsed; *@text (if not NULL) points at the text in
 * @data (NUL-terminated, as the store's copies are) and *@text_len is its length. NULL when
 * the fields are not a JSON object (not written by our document writer).
 */
static JsonObject *
parse_data(const char *data, size_t len, const char **text, size_t *text_len)
{
    if (text != NULL) {
        *text = "";
        *text_len = 0;
    }
    if (data == NULL)
        return NULL;
    const char *nul = memchr(data, '\0', len);
    size_t fields_len = nul != NULL ? (size_t)(nul - data) : len;
    g_autoptr(JsonParser) p = json_parser_new();
    if (!json_parser_load_from_data(p, data, (gssize)fields_len, NULL))
        return NULL;
    JsonNode *root = json_parser_get_root(p);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return NULL;
    if (text != NULL && nul != NULL) {
        *text = nul + 1;
        *text_len = len - fields_len - 1;
    }
    return json_object_ref(json_node_get_object(root));
}

JsonObject *
tracuu_engine_parse_data(const char *data, size_t len)
{
    return parse_data(data, len, NULL, NULL);
}

/* A title for every hit: the document's own, else the schema's fallback. Caller g_free()s. */
static char *
hit_title(JsonObject *d)
{
    return tracuu_schema_title(obj_string(d, "title"), obj_string(d, "subject"),
                               obj_string(d, "attachment"), NULL, obj_string(d, "path"),
                               obj_string(d, "id"));
}

/* The 1-based PDF page holding byte @at of the text, 0 when the document has no pages. */
static gint64
page_of(JsonObject *d, size_t at)
{
    JsonNode *n = json_object_get_member(d, "pages");
    if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n))
        return 0;
    JsonArray *a = json_node_get_array(n);
    gint64 page = 0;
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonNode *el = json_array_get_element(a, i);
        if (!JSON_NODE_HOLDS_VALUE(el))
            continue;
        gint64 off = json_node_get_int(el);
        if (off < 0 || (guint64)off > at)
            break;
        page = i + 1;
    }
    return page;
}

static JsonObject *
make_hit(tracuu_engine *e, const tracuu_hit *h, double score, const tracuu_compiled *c)
{
    JsonObject *hit = json_object_new();
    const char *text = NULL;
    size_t text_len = 0;
    g_autoptr(JsonObject) d = parse_data(h->data, h->data_len, &text, &text_len);
    if (d == NULL) {
        /* Not written by our docwriter; still a hit, with what is known. */
        g_autofree char *id = g_strdup_printf("#%u", h->docid);
        json_object_set_string_member(hit, "id", id);
        json_object_set_string_member(hit, "path", "");
        json_object_set_string_member(hit, "kind", "");
        json_object_set_string_member(hit, "title", "");
        json_object_set_double_member(hit, "score", score);
        json_object_set_string_member(hit, "snippet", "");
        return hit;
    }
    /* The members of a hit are the fields the table marks for it (store/tracuu-fields.h). */
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        if ((fi->flags & TRACUU_FIELD_HIT_ALWAYS) == TRACUU_FIELD_HIT_ALWAYS) {
            const char *v = obj_string(d, fi->name);
            json_object_set_string_member(hit, fi->name, v != NULL ? v : "");
        }
    }
    g_autofree char *title = hit_title(d);
    json_object_set_string_member(hit, "title", title);
    json_object_set_double_member(hit, "score", score);
    size_t at = 0;
    g_autofree char *snippet =
        e->no_snippets ? g_strdup("")
                       : tracuu_snippet_make(e->tk, text, text_len, c->marks, c->exact_marks,
                                             ENGINE_SNIPPET_CHARS, &at);
    json_object_set_string_member(hit, "snippet", snippet);
    for (size_t i = 0; i < TRACUU_N_FIELDS; i++) {
        const tracuu_field_info *fi = &tracuu_field_table[i];
        if ((fi->flags & TRACUU_FIELD_HIT_ALWAYS) == TRACUU_FIELD_HIT_ALWAYS ||
            !(fi->flags & TRACUU_FIELD_HIT))
            continue;
        JsonNode *n = json_object_get_member(d, fi->name);
        const char *v = obj_string(d, fi->name);
        /* Arrays, objects, booleans and numbers as stored; strings unless empty. */
        if (n != NULL && !JSON_NODE_HOLDS_NULL(n) && (v == NULL || *v != '\0'))
            json_object_set_member(hit, fi->name, json_node_copy(n));
    }
    gint64 page = page_of(d, at);
    if (page > 0)
        json_object_set_int_member(hit, "page", page);
    tracuu_legal_annotate(e, d, hit, e->as_of);
    return hit;
}

void
tracuu_engine_read_hit(const tracuu_hit *hit,
                       void (*read)(const char *text, size_t len, gpointer user_data),
                       gpointer user_data)
{
    const char *text = NULL;
    size_t text_len = 0;
    g_autoptr(JsonObject) d = parse_data(hit->data, hit->data_len, &text, &text_len);
    const char *title = d != NULL ? obj_string(d, "title") : NULL;
    if (title != NULL)
        read(title, strlen(title), user_data);
    if (d != NULL && text_len > 0)
        read(text, text_len, user_data);
}

/* ---- search ---- */

static const struct {
    const char *name;
    unsigned slot;
} facet_names[] = {
    {"doc_type", TRACUU_SLOT_DOC_TYPE},
    {"issuer", TRACUU_SLOT_ISSUER},
    {"year", TRACUU_SLOT_YEAR},
    {"kind", TRACUU_SLOT_KIND},
};

static gboolean
read_facets(JsonObject *req, GArray *slots, GPtrArray *names, gboolean *status, GError **error)
{
    JsonNode *n = json_object_get_member(req, "facets");
    if (n == NULL || JSON_NODE_HOLDS_NULL(n))
        return TRUE;
    if (!JSON_NODE_HOLDS_ARRAY(n)) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "search: \"facets\" must be an array of names");
        return FALSE;
    }
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonNode *el = json_array_get_element(a, i);
        const char *name = JSON_NODE_HOLDS_VALUE(el) &&
                                   json_node_get_value_type(el) == G_TYPE_STRING
                               ? json_node_get_string(el)
                               : NULL;
        gboolean found = FALSE;
        if (name != NULL && strcmp(name, "status") == 0) {
            *status = TRUE; /* computed at query time, not a value slot (legal.c) */
            continue;
        }
        for (size_t k = 0; name != NULL && k < G_N_ELEMENTS(facet_names); k++) {
            if (strcmp(name, facet_names[k].name) == 0) {
                found = TRUE;
                gboolean dup = FALSE;
                for (guint j = 0; j < names->len; j++)
                    dup = dup || strcmp(g_ptr_array_index(names, j), name) == 0;
                if (!dup) {
                    g_array_append_val(slots, facet_names[k].slot);
                    g_ptr_array_add(names, (gpointer)facet_names[k].name);
                }
            }
        }
        if (!found) {
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                        "search: facets[%u] must be one of doc_type, issuer, year, kind, status",
                        i);
            return FALSE;
        }
    }
    return TRUE;
}

static JsonObject *
facets_json(const tracuu_results *r, GPtrArray *names)
{
    JsonObject *facets = json_object_new();
    for (size_t i = 0; i < r->n_facets && i < names->len; i++) {
        JsonObject *counts = json_object_new();
        const tracuu_facet *f = &r->facets[i];
        for (size_t k = 0; k < f->n_values; k++) {
            if (f->values[k].value_len == 0)
                continue; /* documents without that field */
            json_object_set_int_member(counts, f->values[k].value, (gint64)f->values[k].count);
        }
        json_object_set_object_member(facets, g_ptr_array_index(names, i), counts);
    }
    return facets;
}

/* Runs @rk: hits of [offset, offset + limit) in the order rank.c gives, total and facets. */
static JsonObject *
search_once(tracuu_engine *e, const tracuu_ranked *rk, tracuu_search_options *opts,
            uint64_t offset, uint64_t limit, int sort_slot, GArray *slots, GPtrArray *facet_list,
            GError **error)
{
    /* Facets and the total come from one run over the whole query. */
    opts->facet_slots = (const unsigned *)slots->data;
    opts->n_facet_slots = slots->len;
    opts->facet_limit = ENGINE_FACET_LIMIT;
    tracuu_results *r = NULL;
    g_autoptr(GPtrArray) pages =
        g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_results_free);
    if (!tracuu_rank_run(e, rk, opts, offset, limit, sort_slot, &r, pages, error))
        return NULL;
    JsonArray *hits = json_array_new();
    for (size_t i = 0; i < r->n_hits; i++)
        json_array_add_object_element(hits, make_hit(e, &r->hits[i], r->hits[i].score, &rk->c));
    for (guint p = 0; p < pages->len; p++) {
        const tracuu_results *tr = g_ptr_array_index(pages, p);
        for (size_t i = 0; i < tr->n_hits; i++)
            json_array_add_object_element(
                hits, make_hit(e, &tr->hits[i], tr->hits[i].score, &rk->c));
    }
    JsonObject *resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_int_member(resp, "total", (gint64)r->total);
    json_object_set_array_member(resp, "hits", hits);
    json_object_set_object_member(resp, "facets", facets_json(r, facet_list));
    tracuu_results_free(r);
    return resp;
}

/*
 * The status facet: for each status, how many of the matches have it (over the caller's
 * documents, like every count). Statuses are computed at query time, so this is one count per
 * status of the match set filtered by tracuu_legal_status_query(); a status none has is left out.
 */
static void
status_counts(tracuu_engine *e, const tracuu_ranked *rk, JsonObject *facets)
{
    JsonObject *counts = json_object_new();
    for (size_t i = 0; tracuu_legal_statuses[i] != NULL; i++) {
        tracuu_query *base = rk->c.query != NULL    ? tracuu_query_copy(rk->c.query)
                             : rk->c.filter != NULL ? tracuu_query_copy(rk->c.filter)
                                                    : tracuu_query_new_match_all();
        tracuu_query *subs[2] = {base,
                                 tracuu_legal_status_query(e, tracuu_legal_statuses[i], e->as_of)};
        tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
        tracuu_search_options opts;
        tracuu_search_options_init(&opts);
        opts.limit = 0;
        opts.check_at_least = (uint32_t)MIN(tracuu_store_get_doc_count(e->store),
                                            (uint64_t)G_MAXUINT32);
        tracuu_results *r = NULL;
        tracuu_store_status st =
            q != NULL ? tracuu_engine_search(e, q, &opts, &r) : TRACUU_STORE_ERROR;
        if (st == TRACUU_STORE_OK && r->total > 0)
            json_object_set_int_member(counts, tracuu_legal_statuses[i], (gint64)r->total);
        tracuu_results_free(r);
        tracuu_query_free(q);
    }
    json_object_set_object_member(facets, "status", counts);
}

/*
 * prefer=in_force: the page of hits is cut from the matches in force at as_of (in the order
 * asked), followed by the others (in that order too); total and facets stay those of the whole
 * query (@resp has them). Done with the same tree and a status filter node, required for the
 * first group, excluded for the second.
 */
static gboolean
prefer_in_force(tracuu_engine *e, tracuu_qnode *ast, int relaxed, tracuu_search_options *opts,
                uint64_t offset, uint64_t limit, int sort_slot, JsonObject *resp, GError **error)
{
    tracuu_qnode *pref = tracuu_qnode_new(TRACUU_QNODE_FIELD, TRACUU_QMODE_REQUIRED);
    pref->field = TRACUU_QFIELD_STATUS;
    pref->text = g_strdup("in_force");
    pref->filter = tracuu_legal_status_query(e, "in_force", e->as_of);
    g_ptr_array_add(ast->children, pref);
    g_autoptr(GArray) none = g_array_new(FALSE, FALSE, sizeof(unsigned));
    g_autoptr(GPtrArray) no_names = g_ptr_array_new();
    JsonArray *hits = json_array_new();
    gboolean ok = TRUE;
    uint64_t first_total = 0;
    for (int group = 0; group < 2 && ok; group++) {
        pref->mode = group == 0 ? TRACUU_QMODE_REQUIRED : TRACUU_QMODE_EXCLUDED;
        uint64_t got = json_array_get_length(hits);
        uint64_t off = group == 0 ? offset : (offset > first_total ? offset - first_total : 0);
        uint64_t lim = limit > got ? limit - got : 0;
        tracuu_ranked rk;
        if (!tracuu_rank_compile(e, ast, relaxed, sort_slot, opts, &rk, error)) {
            ok = FALSE;
            break;
        }
        JsonObject *part =
            search_once(e, &rk, opts, off, MAX(lim, 1), sort_slot, none, no_names, error);
        tracuu_ranked_clear(&rk);
        if (part == NULL) {
            ok = FALSE;
            break;
        }
        if (group == 0)
            first_total = (uint64_t)json_object_get_int_member(part, "total");
        JsonArray *ph = json_object_get_array_member(part, "hits");
        for (guint i = 0; i < json_array_get_length(ph) && i < lim; i++)
            json_array_add_element(hits, json_node_copy(json_array_get_element(ph, i)));
        json_object_unref(part);
    }
    g_ptr_array_remove(ast->children, pref); /* the children array frees it */
    if (ok)
        json_object_set_array_member(resp, "hits", hits);
    else
        json_array_unref(hits);
    return ok;
}

static JsonObject *
handle_search(tracuu_engine *e, JsonObject *req, GError **error)
{
    const char *q = NULL, *sort = NULL;
    guint64 offset, limit;
    if (!get_string(req, "search", "q", &q, error) ||
        !get_string(req, "search", "sort", &sort, error) ||
        !get_uint(req, "search", "offset", 0, ENGINE_MAX_OFFSET, &offset, error) ||
        !get_uint(req, "search", "limit", 10, ENGINE_MAX_LIMIT, &limit, error))
        return NULL;
    int sort_slot = -1;
    gboolean descending = FALSE;
    if (sort == NULL || strcmp(sort, "relevance") == 0) {
    } else if (strcmp(sort, "date") == 0) {
        sort_slot = TRACUU_SLOT_DATE;
    } else if (strcmp(sort, "-date") == 0) {
        sort_slot = TRACUU_SLOT_DATE;
        descending = TRUE;
    } else {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "search: \"sort\" must be \"relevance\", \"date\" or \"-date\", not \"%s\"",
                    sort);
        return NULL;
    }
    g_autoptr(GArray) slots = g_array_new(FALSE, FALSE, sizeof(unsigned));
    g_autoptr(GPtrArray) facet_list = g_ptr_array_new();
    gboolean status_facet = FALSE;
    if (!read_facets(req, slots, facet_list, &status_facet, error))
        return NULL;
    const char *prefer = NULL;
    if (!get_string(req, "search", "prefer", &prefer, error))
        return NULL;
    if (prefer != NULL && *prefer != '\0' && strcmp(prefer, "in_force") != 0) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "search: \"prefer\" must be \"in_force\", not \"%s\"", prefer);
        return NULL;
    }

    gint64 t0 = g_get_monotonic_time();
    e->deadline = e->time_limit > 0 ? t0 + (gint64)(e->time_limit * 1e6) : 0;
    g_autoptr(tracuu_qnode) ast = tracuu_query_parse(q ? q : "", -1, NULL, error);
    if (ast == NULL)
        return NULL;
    if (!add_filters(req, ast, error))
        return NULL;
    if (!tracuu_legal_resolve(e, ast, e->as_of, error))
        return NULL;
    /* Read once: every variant below (both passes, the accent guess, the relaxed retry) is
     * compiled from this tree. */
    e->query_runs += tracuu_query_prepare(e->tk, ast);

    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.bm25_k1 = e->rank.bm25_k1;
    opts.bm25_b = e->rank.bm25_b;
    opts.time_limit = e->time_limit;
    opts.sort_slot = sort_slot;
    opts.sort_descending = descending;
    /* Facets need the whole match set; otherwise an exact count up to a few thousand and
     * an estimate past that let Xapian skip documents that cannot reach the page. */
    uint64_t ndocs = tracuu_store_get_doc_count(e->store);
    uint64_t at_least = slots->len > 0 ? ndocs : MAX(offset + limit, ENGINE_EXACT_TOTAL);
    opts.check_at_least = (uint32_t)MIN(at_least, (uint64_t)G_MAXUINT32);

    /* Short runs of words need all their words; when that finds nothing, any will do. */
    for (int relaxed = 0; relaxed < 2; relaxed++) {
        tracuu_ranked rk;
        if (!tracuu_rank_compile(e, ast, relaxed, sort_slot, &opts, &rk, error))
            return NULL;
        JsonObject *resp =
            search_once(e, &rk, &opts, offset, limit, sort_slot, slots, facet_list, error);
        if (resp != NULL && status_facet)
            status_counts(e, &rk, json_object_get_object_member(resp, "facets"));
        gboolean retry = resp != NULL && !relaxed && rk.c.relaxable &&
                         json_object_get_int_member(resp, "total") == 0;
        if (retry) {
            tracuu_ranked_clear(&rk);
            json_object_unref(resp);
            continue;
        }
        g_autofree char *suggest =
            resp == NULL ? NULL
                         : tracuu_suggest_make(e, e->store, &e->vocab, q, ast, &rk, relaxed,
                                               (uint64_t)json_object_get_int_member(resp, "total"));
        if (suggest != NULL)
            json_object_set_string_member(resp, "suggest", suggest);
        tracuu_ranked_clear(&rk);
        if (resp != NULL && prefer != NULL && *prefer != '\0' &&
            !prefer_in_force(e, ast, relaxed, &opts, offset, limit, sort_slot, resp, error))
            g_clear_pointer(&resp, json_object_unref);
        /* Whole microseconds over 1000: the nearest double to a figure of three decimals,
         * which is all a millisecond timing means (printing it short is the writer's part). */
        if (resp != NULL)
            json_object_set_double_member(resp, "took_ms",
                                          (double)(g_get_monotonic_time() - t0) / 1000.0);
        return resp;
    }
    return NULL;
}

/* ---- get, stats ---- */

/*
 * A get is a search for the id's term, so that it passes the caller's visibility filter like
 * every other way to a document: an invisible document is not found, with the very message of
 * an id that no document has.
 */
static JsonObject *
find_doc(tracuu_engine *e, const char *op, const char *id, char **text_out, GError **error)
{
    g_autofree char *term = g_strconcat(TRACUU_PREFIX_ID, id, NULL);
    tracuu_query *q = strlen(term) <= TRACUU_STORE_MAX_TERM
                          ? tracuu_query_new_term(term, strlen(term), 1, 0)
                          : tracuu_query_new_match_nothing();
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = 1;
    tracuu_results *r = NULL;
    tracuu_store_status st =
        q != NULL ? tracuu_engine_search(e, q, &opts, &r) : TRACUU_STORE_ERROR;
    tracuu_query_free(q);
    if (st == TRACUU_STORE_OK && r->n_hits == 0) {
        tracuu_results_free(r);
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_NOT_FOUND,
                    "%s: no document with id \"%s\"", op, id);
        return NULL;
    }
    if (st != TRACUU_STORE_OK) {
        tracuu_results_free(r);
        tracuu_engine_store_error(e, st, error, op);
        return NULL;
    }
    char *data = g_steal_pointer(&r->hits[0].data);
    size_t len = r->hits[0].data_len;
    tracuu_results_free(r);
    const char *text = NULL;
    size_t text_len = 0;
    JsonObject *doc = parse_data(data, len, &text, &text_len);
    if (doc == NULL) {
        free(data);
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                    "%s: the stored data of \"%s\" is not JSON", op, id);
        return NULL;
    }
    if (text_out != NULL)
        *text_out = g_strndup(text, text_len);
    free(data);
    return doc;
}

static JsonObject *
handle_get(tracuu_engine *e, JsonObject *req, GError **error)
{
    const char *id = NULL;
    if (!get_string(req, "get", "doc", &id, error))
        return NULL;
    if (id == NULL || *id == '\0') {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "get: \"doc\" (the id of a hit) is missing");
        return NULL;
    }
    g_autofree char *text = NULL;
    JsonObject *doc = find_doc(e, "get", id, &text, error);
    if (doc == NULL)
        return NULL;
    if (!json_object_has_member(doc, "title")) {
        g_autofree char *title = hit_title(doc);
        json_object_set_string_member(doc, "title", title);
    }
    json_object_set_string_member(doc, "text", text);
    tracuu_legal_annotate(e, doc, doc, e->as_of);
    JsonObject *resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_object_member(resp, "doc", doc);
    return resp;
}

/*
 * {"op":"trace","doc":ID,"depth":N}: the relations around a visible document, both ways, to
 * depth N (1 by default, cut to TRACUU_LEGAL_MAX_TRACE_DEPTH), at most
 * TRACUU_LEGAL_MAX_TRACE_NODES nodes. An unknown or hidden id is not_found, as for get.
 */
static JsonObject *
handle_trace(tracuu_engine *e, JsonObject *req, GError **error)
{
    const char *id = NULL;
    guint64 depth = 1;
    if (!get_string(req, "trace", "doc", &id, error) ||
        !get_uint(req, "trace", "depth", 1, G_MAXUINT32, &depth, error))
        return NULL;
    if (id == NULL || *id == '\0') {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "trace: \"doc\" (the id of a hit) is missing");
        return NULL;
    }
    g_autoptr(JsonObject) doc = find_doc(e, "trace", id, NULL, error);
    if (doc == NULL)
        return NULL;
    return tracuu_legal_trace(e, doc, (guint)MIN(depth, TRACUU_LEGAL_MAX_TRACE_DEPTH), e->as_of);
}

/*
 * The request's "as_of" ("YYYY-MM-DD", a full date) into e->as_of, else today (local time).
 */
static gboolean
read_as_of(tracuu_engine *e, JsonObject *req, const char *op, GError **error)
{
    const char *as_of = NULL;
    if (!get_string(req, op, "as_of", &as_of, error))
        return FALSE;
    if (as_of != NULL && *as_of != '\0') {
        char digits[9];
        if (!tracuu_schema_date_parse(as_of, -1, digits) || strlen(digits) != 8) {
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                        "%s: \"as_of\" must be a date YYYY-MM-DD, not \"%s\"", op, as_of);
            return FALSE;
        }
        memcpy(e->as_of, digits, 9);
        return TRUE;
    }
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *today = g_date_time_format(now, "%Y%m%d");
    g_strlcpy(e->as_of, today, sizeof e->as_of);
    return TRUE;
}

static bool
count_kind(const char *term, size_t len, uint64_t freq, void *user_data)
{
    JsonObject *kinds = user_data;
    g_autofree char *k = g_strndup(term + 1, len - 1);
    json_object_set_int_member(kinds, k, (gint64)freq);
    return true;
}

typedef struct {
    gint64 files, failed;
} file_counts;

static bool
count_file(const char *key, const char *value, size_t len, void *user_data)
{
    file_counts *fc = user_data;
    fc->files++;
    /* The status is all that is needed; a substring test spares parsing every entry. */
    if (g_strstr_len(value, (gssize)len, "\"failed\"") != NULL)
        fc->failed++;
    return true;
}

/*
 * The documents a restricted caller sees, and their kinds: one search over every document,
 * through the caller's filter, counting the kind slot (which holds what the K terms hold).
 */
static tracuu_store_status
count_visible(tracuu_engine *e, gint64 *docs, JsonObject *kinds)
{
    tracuu_query *all = tracuu_query_new_match_all();
    static const unsigned slot = TRACUU_SLOT_KIND;
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = 0;
    opts.facet_slots = &slot;
    opts.n_facet_slots = 1;
    opts.facet_limit = 0;
    opts.check_at_least = (uint32_t)MIN(tracuu_store_get_doc_count(e->store),
                                        (uint64_t)G_MAXUINT32);
    tracuu_results *r = NULL;
    tracuu_store_status st =
        all != NULL ? tracuu_engine_search(e, all, &opts, &r) : TRACUU_STORE_ERROR;
    tracuu_query_free(all);
    if (st == TRACUU_STORE_OK) {
        *docs = (gint64)r->total;
        for (size_t k = 0; r->n_facets > 0 && k < r->facets[0].n_values; k++) {
            const tracuu_facet_value *v = &r->facets[0].values[k];
            g_autofree char *term = tracuu_schema_bool_term(TRACUU_TERM_KIND, v->value);
            if (term != NULL)
                json_object_set_int_member(kinds, term + strlen(TRACUU_PREFIX_KIND),
                                           (gint64)v->count);
        }
    }
    tracuu_results_free(r);
    return st;
}

/*
 * The shards of a sharded index: name, whether it answers, and (for admins and unrestricted
 * callers, since a shard's count includes documents others cannot see) its documents.
 */
static JsonArray *
shard_stats(tracuu_engine *e)
{
    JsonArray *shards = json_array_new();
    for (size_t i = 0; i < tracuu_store_get_shard_count(e->store); i++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "name", tracuu_store_get_shard_name(e->store, i));
        if (!e->restricted)
            json_object_set_int_member(o, "documents",
                                       (gint64)tracuu_store_get_shard_doc_count(e->store, i));
        json_object_set_boolean_member(o, "ok", tracuu_store_shard_ok(e->store, i));
        json_array_add_object_element(shards, o);
    }
    return shards;
}

/*
 * Index-wide figures for admins and unrestricted callers; for everyone else only what their
 * filter lets through: the documents and kinds they can see. The file counts (failed files
 * have no document to filter by) and the revision (which moves when documents a caller cannot
 * see are indexed) describe the whole index, so they are given to admins alone.
 */
static JsonObject *
handle_stats(tracuu_engine *e, GError **error)
{
    JsonObject *kinds = json_object_new();
    gint64 docs = 0;
    file_counts fc = {0, 0};
    tracuu_store_status st;
    if (e->restricted) {
        st = count_visible(e, &docs, kinds);
    } else {
        docs = (gint64)tracuu_store_get_doc_count(e->store);
        st = tracuu_store_list_terms(e->store, TRACUU_PREFIX_KIND, count_kind, kinds);
        if (st == TRACUU_STORE_OK)
            st = tracuu_store_list_metadata(e->store, TRACUU_META_FILE_PREFIX, count_file, &fc);
    }
    if (st != TRACUU_STORE_OK) {
        json_object_unref(kinds);
        tracuu_engine_store_error(e, st, error, "stats");
        return NULL;
    }
    g_autofree char *schema = get_meta(e->store, TRACUU_META_SCHEMA_VERSION);
    g_autofree char *tokv = get_meta(e->store, TRACUU_META_TOKENIZER_VERSION);
    JsonObject *resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_int_member(resp, "docs", docs);
    json_object_set_object_member(resp, "kinds", kinds);
    if (!e->restricted) {
        json_object_set_int_member(resp, "files", fc.files);
        json_object_set_int_member(resp, "files_failed", fc.failed);
    }
    json_object_set_string_member(resp, "index", e->path);
    json_object_set_int_member(resp, "schema_version", *schema ? atoi(schema) : 0);
    json_object_set_int_member(resp, "tokenizer_version", *tokv ? atoi(tokv) : 0);
    if (!e->restricted)
        json_object_set_int_member(resp, "revision", (gint64)tracuu_store_get_revision(e->store));
    if (tracuu_store_is_sharded(e->store))
        json_object_set_array_member(resp, "shards", shard_stats(e));
    return resp;
}

static JsonObject *
handle_request(tracuu_engine *engine, JsonObject *request, GError **error);

JsonObject *
tracuu_engine_handle(tracuu_engine *engine, JsonObject *request, GError **error)
{
    return tracuu_engine_handle_as(engine, NULL, request, error);
}

/* Sets up one request of @identity: its filter (for this request only, so that no request
 * sees another caller's) and its deadline. FALSE with @error when the filter cannot be built;
 * request_end() follows in both cases. */
static gboolean
request_begin(tracuu_engine *engine, const tracuu_identity *identity, GError **error)
{
    engine->visibility = tracuu_engine_visibility_filter(identity);
    engine->restricted = identity != NULL && !identity->admin;
    engine->deadline = engine->time_limit > 0
                           ? g_get_monotonic_time() + (gint64)(engine->time_limit * 1e6)
                           : 0;
    if (engine->restricted && engine->visibility == NULL) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                    "request: cannot build the visibility filter of %s",
                    tracuu_identity_get_log_name(identity));
        return FALSE;
    }
    return TRUE;
}

static void
request_end(tracuu_engine *engine)
{
    g_clear_pointer(&engine->visibility, tracuu_query_free);
    engine->restricted = FALSE;
    engine->deadline = 0;
}

JsonObject *
tracuu_engine_handle_as(tracuu_engine *engine, const tracuu_identity *identity,
                        JsonObject *request, GError **error)
{
    g_return_val_if_fail(engine != NULL, NULL);
    JsonObject *resp = NULL;
    if (request_begin(engine, identity, error))
        resp = handle_request(engine, request, error);
    request_end(engine);
    return resp;
}

JsonObject *
tracuu_engine_doc_fields_as(tracuu_engine *engine, const tracuu_identity *identity,
                            const char *op, const char *id, GError **error)
{
    g_return_val_if_fail(engine != NULL && op != NULL && id != NULL, NULL);
    JsonObject *doc = NULL;
    if (request_begin(engine, identity, error) && refresh_store(engine, error))
        doc = find_doc(engine, op, id, NULL, error);
    request_end(engine);
    return doc;
}

static JsonObject *
handle_request(tracuu_engine *engine, JsonObject *request, GError **error)
{
    g_return_val_if_fail(engine != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (request == NULL) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "the request is not a JSON object");
        return NULL;
    }
    const char *op = NULL;
    if (!get_string(request, "request", "op", &op, error))
        return NULL;
    if (op == NULL) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                    "request: \"op\" is missing (search, get, trace, stats, ping or auth)");
        return NULL;
    }
    if (strcmp(op, "ping") == 0) {
        JsonObject *resp = json_object_new();
        json_object_set_boolean_member(resp, "ok", TRUE);
        return resp;
    }
    gboolean known = strcmp(op, "search") == 0 || strcmp(op, "get") == 0 ||
                     strcmp(op, "stats") == 0 || strcmp(op, "trace") == 0;
    if (!known) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_UNKNOWN_OP,
                    "request: unknown op \"%s\" (search, get, trace, stats, ping or auth)", op);
        return NULL;
    }
    /* See what the indexer committed since the last request; cheap when nothing changed. */
    if (!refresh_store(engine, error))
        return NULL;
    if (strcmp(op, "stats") != 0 && !read_as_of(engine, request, op, error))
        return NULL;
    if (strcmp(op, "trace") == 0)
        return handle_trace(engine, request, error);
    if (strcmp(op, "search") == 0) {
        engine->split_now = engine->split != NULL &&
                            (engine->allow_split == NULL ||
                             engine->allow_split(engine->allow_data)) &&
                            tracuu_split_sync(engine->split, engine->store);
        JsonObject *resp = handle_search(engine, request, error);
        if (resp != NULL)
            add_shards_missing(engine, resp);
        engine->split_now = FALSE;
        g_clear_pointer(&engine->split_error, g_free);
        return resp;
    }
    if (strcmp(op, "get") == 0)
        return handle_get(engine, request, error);
    return handle_stats(engine, error);
}
