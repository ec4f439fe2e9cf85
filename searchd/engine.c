/* engine.c - answers search, get, stats and ping requests on an index. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "engine-private.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"

#define ENGINE_MAX_LIMIT 1000
/* The store pages with 32-bit numbers; this keeps offset + limit within them. */
#define ENGINE_MAX_OFFSET (G_MAXUINT32 / 2)
#define ENGINE_SNIPPET_CHARS 200
#define ENGINE_FACET_LIMIT 100
#define ENGINE_EXACT_TOTAL 1000 /* totals are exact up to this many matches */
/* Documents with the number asked for, and documents citing it, ranked ahead of the rest. */
#define ENGINE_TIER_MAX 10000
/* Pages ending past this hit are ranked in one pass (see ranked_search()). */
#define ENGINE_RERANK_MAX 2000

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
    tracuu_rank_params rank;
    gboolean no_snippets;
    gint64 deadline; /* monotonic time the current request must end by, 0 for none */
};

/*
 * One request may run several searches (accent guess, document-number tiers); they share its
 * time limit, so each gets what is left. Returns the store's status for a search.
 */
static tracuu_store_status
timed_search(tracuu_engine *e, const tracuu_query *q, const tracuu_search_options *opts,
             tracuu_results **out)
{
    tracuu_search_options o = *opts;
    if (e->deadline > 0) {
        gint64 left = e->deadline - g_get_monotonic_time();
        if (left <= 0) {
            *out = NULL;
            return TRACUU_STORE_TIMEOUT;
        }
        o.time_limit = left / 1e6;
    }
    if (e->split_now) {
        g_clear_pointer(&e->split_error, g_free);
        return tracuu_split_search(e->split, e->store, q, &o, out, &e->split_error);
    }
    return tracuu_store_search(e->store, q, &o, out);
}

/* The documents of @r's hits, weightless. */
static tracuu_query *
pool_filter(const tracuu_results *r)
{
    g_autofree uint32_t *ids = g_new(uint32_t, MAX(r->n_hits, 1));
    for (size_t i = 0; i < r->n_hits; i++)
        ids[i] = r->hits[i].docid;
    return tracuu_query_new_docids(ids, r->n_hits);
}

/*
 * Runs @full ranked by relevance, in two passes when @base (the same match without the
 * adjacent-pair bonuses) is given. The pair bonuses are positional checks, and a common pair
 * ("quy định") would be checked in most of the archive; so @base, whose terms Xapian can prune
 * by weight, finds the total, the facets and the best rerank_pool (or offset + limit)
 * hits, and @full then scores only those documents, which gives them exactly the weights the
 * one-pass search would have. A hit that only the pair bonus would lift into the page from
 * beyond the pool is missed: docs/ranking.md measures what that costs.
 */
static tracuu_store_status
ranked_search(tracuu_engine *e, const tracuu_query *full, const tracuu_query *base,
              const tracuu_search_options *opts, tracuu_results **out)
{
    if (base == NULL || opts->sort_slot >= 0)
        return timed_search(e, full, opts, out);
    if (opts->limit == 0) /* totals and facets only: weights do not matter */
        return timed_search(e, base, opts, out);
    uint64_t want = (uint64_t)opts->offset + opts->limit;
    if (want > ENGINE_RERANK_MAX) /* pass one would copy the data of every hit up to the page */
        return timed_search(e, full, opts, out);
    tracuu_search_options o1 = *opts;
    o1.offset = 0;
    o1.limit = (uint32_t)MIN(MAX(want, (uint64_t)e->rank.rerank_pool), (uint64_t)G_MAXUINT32);
    o1.no_data = TRUE; /* pass two reads the data of the page's hits only */
    tracuu_results *r1 = NULL;
    tracuu_store_status st = timed_search(e, base, &o1, &r1);
    if (st != TRACUU_STORE_OK || r1->n_hits == 0) {
        if (st == TRACUU_STORE_OK) {
            *out = r1;
            return st;
        }
        tracuu_results_free(r1);
        *out = NULL;
        return st;
    }
    tracuu_query *pool = pool_filter(r1);
    if (pool == NULL) {
        tracuu_results_free(r1);
        return timed_search(e, full, opts, out);
    }
    tracuu_query *subs[2] = {tracuu_query_copy(full), pool};
    tracuu_query *q2 = tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
    tracuu_search_options o2 = *opts;
    o2.facet_slots = NULL;
    o2.n_facet_slots = 0;
    o2.check_at_least = (uint32_t)r1->n_hits;
    tracuu_results *r2 = NULL;
    st = q2 != NULL ? timed_search(e, q2, &o2, &r2) : TRACUU_STORE_ERROR;
    tracuu_query_free(q2);
    if (st == TRACUU_STORE_OK && r2->total_lower != r1->n_hits) {
        /* Every document of the pool matches @full too (the same match, more weight); if
         * not, a writer changed them between the passes: rank in one pass. */
        tracuu_results_free(r2);
        tracuu_results_free(r1);
        return timed_search(e, full, opts, out);
    }
    if (st != TRACUU_STORE_OK) {
        tracuu_results_free(r2);
        tracuu_results_free(r1);
        *out = NULL;
        return st;
    }
    /* The total and facets of pass one, the hits of pass two. */
    tracuu_hit *hits = r1->hits;
    size_t n_hits = r1->n_hits;
    r1->hits = r2->hits;
    r1->n_hits = r2->n_hits;
    r2->hits = hits;
    r2->n_hits = n_hits;
    tracuu_results_free(r2);
    *out = r1;
    return TRACUU_STORE_OK;
}

/* The device and inode of the folder at @path (0 and 0 when it cannot be read). */
static void
folder_ident(const char *path, dev_t *dev, ino_t *ino)
{
    GStatBuf st;
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
    }
    return "error";
}

/* Turns a store failure into an engine error; the message of the store says the details. */
static void
store_error(tracuu_engine *e, tracuu_store_status st, GError **error, const char *what)
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
    e->dev = dev;
    e->ino = ino;
    if (!check_versions(e, error))
        return FALSE;
    if (e->split != NULL) {
        unsigned parts = tracuu_split_parts(e->split);
        g_clear_pointer(&e->split, tracuu_split_free);
        e->split = tracuu_split_new(e->path, parts, NULL); /* NULL: no splitting, as before */
    }
    return TRUE;
}

void
tracuu_engine_free(tracuu_engine *engine)
{
    if (engine == NULL)
        return;
    tracuu_split_free(engine->split);
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
}

gboolean
tracuu_engine_set_parallel(tracuu_engine *engine, unsigned parts,
                           gboolean (*allow)(gpointer user_data), gpointer user_data,
                           GError **error)
{
    g_clear_pointer(&engine->split, tracuu_split_free);
    engine->allow_split = allow;
    engine->allow_data = user_data;
    if (parts <= 1)
        return TRUE;
    engine->split = tracuu_split_new(engine->path, MIN(parts, 16u), error);
    return engine->split != NULL;
}

uint64_t
tracuu_engine_split_count(tracuu_engine *engine)
{
    return tracuu_split_count(engine->split);
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

/* One filter value as query text: quotes would end the value early, so they become spaces. */
static gboolean
filter_value_text(JsonNode *v, const char *key, GString *out, GError **error)
{
    if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING) {
        g_autofree char *s = g_strdup(json_node_get_string(v));
        g_strdelimit(s, "\"", ' ');
        g_string_append_printf(out, "%s:\"%s\"", key, s);
        return TRUE;
    }
    if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_INT64) {
        g_string_append_printf(out, "%s:%" G_GINT64_FORMAT, key, json_node_get_int(v));
        return TRUE;
    }
    g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                "search: filters.%s must be a string, a number or an array of them", key);
    return FALSE;
}

/*
 * "filters": {"type": "Quyết định", "year": 2008, "kind": ["pdf", "mail"]} is read by the
 * query parser as type:"Quyết định" year:2008 (kind:"pdf" OR kind:"mail"), so both ways of
 * asking mean the same; the filter nodes join the query's top level.
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
        gboolean known = tracuu_qfield_lookup(key, strlen(key)) != TRACUU_QFIELD_NONE;
        if (!known) {
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_REQUEST,
                        "search: unknown filter \"%s\" (known: number, type, issuer, date, "
                        "year, kind, from, to, subject, cites, signer, id, parent)",
                        key);
            return FALSE;
        }
        JsonNode *v = json_object_get_member(filters, key);
        g_autoptr(GString) text = g_string_new(NULL);
        if (JSON_NODE_HOLDS_ARRAY(v)) {
            JsonArray *a = json_node_get_array(v);
            if (json_array_get_length(a) == 0)
                continue;
            for (guint i = 0; i < json_array_get_length(a); i++) {
                if (i > 0)
                    g_string_append(text, " OR ");
                if (!filter_value_text(json_array_get_element(a, i), key, text, error))
                    return FALSE;
            }
        } else if (!filter_value_text(v, key, text, error)) {
            return FALSE;
        }
        g_autoptr(GError) perr = NULL;
        g_autoptr(tracuu_qnode) f = tracuu_query_parse(text->str, (gssize)text->len, NULL, &perr);
        if (f == NULL) {
            g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                        "search: filters.%s: %s", key, perr->message);
            return FALSE;
        }
        for (guint i = 0; i < f->children->len; i++) {
            tracuu_qnode *ch = g_ptr_array_index(f->children, i);
            if (ch->kind != TRACUU_QNODE_FIELD && ch->kind != TRACUU_QNODE_OR)
                continue; /* an empty value: no filter */
            ch->mode = TRACUU_QMODE_REQUIRED;
            g_ptr_array_add(root->children, g_ptr_array_steal_index(f->children, i));
            i--;
        }
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
        if (n != NULL && (v == NULL ? !JSON_NODE_HOLDS_VALUE(n) : *v != '\0'))
            json_object_set_member(hit, fi->name, json_node_copy(n));
    }
    gint64 page = page_of(d, at);
    if (page > 0)
        json_object_set_int_member(hit, "page", page);
    return hit;
}

/* ---- accents for accent-free queries ---- */

/*
 * A query typed without diacritics matches every accent of its syllables; the best hits show
 * which accents its words have in the archive. Each adjacent pair of query words is looked up
 * in the text of the first hits: the accented pair seen most often there is the guess for both
 * words (a lone word takes its most frequent form). The guessed forms then weigh like typed
 * accents, a little less (restore_weight), so "thu dien tu" ranks like "thư điện tử" when the
 * archive says that is what is meant.
 */
typedef struct {
    GHashTable *wanted;  /* folded forms of the query words */
    GHashTable *pairs;   /* "fa\tfb" of adjacent query words -> (GHashTable "ta\ttb" -> count) */
    GHashTable *singles; /* folded -> (GHashTable term -> count) */
    char *prev_term, *prev_folded;
    uint32_t prev_pos;
    gboolean have_prev;
} guess_ctx;

static void
bump(GHashTable *outer, const char *key, const char *inner_key)
{
    GHashTable *inner = g_hash_table_lookup(outer, key);
    if (inner == NULL) {
        inner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(outer, g_strdup(key), inner);
    }
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(inner, inner_key));
    g_hash_table_insert(inner, g_strdup(inner_key), GUINT_TO_POINTER(n + 1));
}

static gboolean
guess_token(const tracuu_token *t, gpointer user_data)
{
    guess_ctx *g = user_data;
    if (t->flags & TRACUU_TOKEN_PART)
        return TRUE;
    if (t->kind != TRACUU_TOKEN_WORD || !g_hash_table_contains(g->wanted, t->folded)) {
        g->have_prev = FALSE;
        return TRUE;
    }
    bump(g->singles, t->folded, t->term);
    if (g->have_prev && g->prev_pos + 1 == t->pos) {
        g_autofree char *key = g_strconcat(g->prev_folded, "\t", t->folded, NULL);
        if (g_hash_table_contains(g->pairs, key)) {
            g_autofree char *val = g_strconcat(g->prev_term, "\t", t->term, NULL);
            bump(g->pairs, key, val);
        }
    }
    g_free(g->prev_term);
    g_free(g->prev_folded);
    g->prev_term = g_strdup(t->term);
    g->prev_folded = g_strdup(t->folded);
    g->prev_pos = t->pos;
    g->have_prev = TRUE;
    return TRUE;
}

/* Adds the counts of @pair_key whose side @side (0 left, 1 right) is @term. */
static guint
pair_votes(guess_ctx *g, const char *pair_key, int side, const char *term)
{
    GHashTable *inner = g_hash_table_lookup(g->pairs, pair_key);
    if (inner == NULL)
        return 0;
    guint votes = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inner);
    size_t tl = strlen(term);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const char *tab = strchr(k, '\t');
        const char *part = side == 0 ? k : tab + 1;
        size_t pl = side == 0 ? (size_t)(tab - (const char *)k) : strlen(part);
        if (pl == tl && memcmp(part, term, tl) == 0)
            votes += GPOINTER_TO_UINT(v);
    }
    return votes;
}

static GHashTable *
guess_accents(tracuu_engine *e, const tracuu_compiled *c, const tracuu_query *base_query,
              const tracuu_search_options *base)
{
    GArray *words = c->words;
    tracuu_search_options o = *base;
    o.offset = 0;
    o.limit = e->rank.restore_docs;
    o.facet_slots = NULL;
    o.n_facet_slots = 0;
    o.sort_slot = -1;
    o.check_at_least = 0;
    tracuu_results *r = NULL;
    /* The hits without the pair bonuses are enough to read accents from (ALQAC: the same
     * nDCG@10 within 0.003), and they cost one search instead of two. */
    const tracuu_query *q = base_query != NULL ? base_query : c->query;
    if (timed_search(e, q, &o, &r) != TRACUU_STORE_OK || r->n_hits == 0) {
        tracuu_results_free(r);
        return NULL;
    }
    guess_ctx g = {
        .wanted = g_hash_table_new(g_str_hash, g_str_equal),
        .pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_hash_table_unref),
        .singles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_hash_table_unref),
    };
    for (guint i = 0; i < words->len; i++) {
        const tracuu_qword *w = &g_array_index(words, tracuu_qword, i);
        g_hash_table_add(g.wanted, w->folded);
        if (i > 0 && w->after_word) {
            const tracuu_qword *p = &g_array_index(words, tracuu_qword, i - 1);
            g_autofree char *key = g_strconcat(p->folded, "\t", w->folded, NULL);
            if (!g_hash_table_contains(g.pairs, key))
                g_hash_table_insert(g.pairs, g_steal_pointer(&key),
                                    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL));
        }
    }
    for (size_t h = 0; h < r->n_hits; h++) {
        const char *text = NULL;
        size_t text_len = 0;
        g_autoptr(JsonObject) d =
            parse_data(r->hits[h].data, r->hits[h].data_len, &text, &text_len);
        const char *title = d != NULL ? obj_string(d, "title") : NULL;
        const char *parts[2] = {title, d != NULL ? text : NULL};
        size_t lens[2] = {title != NULL ? strlen(title) : 0, text_len};
        for (int k = 0; k < 2; k++) {
            if (parts[k] == NULL)
                continue;
            g.have_prev = FALSE;
            tracuu_tokenizer_run(e->tk, parts[k], MIN(lens[k], (size_t)65536), 0, guess_token,
                                 &g);
        }
    }
    tracuu_results_free(r);

    GHashTable *restore = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    for (guint i = 0; i < words->len; i++) {
        const tracuu_qword *w = &g_array_index(words, tracuu_qword, i);
        GHashTable *forms = g_hash_table_lookup(g.singles, w->folded);
        if (forms == NULL)
            continue;
        g_autofree char *left = NULL, *right = NULL;
        if (w->after_word)
            left = g_strconcat(g_array_index(words, tracuu_qword, i - 1).folded, "\t",
                               w->folded, NULL);
        if (i + 1 < words->len && g_array_index(words, tracuu_qword, i + 1).after_word)
            right = g_strconcat(w->folded, "\t",
                                g_array_index(words, tracuu_qword, i + 1).folded, NULL);
        /* Pairs decide; the form's own count only breaks ties (and decides lone words). */
        const char *best = NULL;
        double best_score = 0;
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, forms);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            double score = 0.01 * GPOINTER_TO_UINT(v);
            if (left != NULL)
                score += pair_votes(&g, left, 1, k);
            if (right != NULL)
                score += pair_votes(&g, right, 0, k);
            if (score > best_score || (score == best_score && best != NULL && strcmp(k, best) < 0)) {
                best_score = score;
                best = k;
            }
        }
        if (best != NULL)
            g_hash_table_insert(restore, GUINT_TO_POINTER(w->index + 1), g_strdup(best));
    }
    g_free(g.prev_term);
    g_free(g.prev_folded);
    g_hash_table_unref(g.wanted);
    g_hash_table_unref(g.pairs);
    g_hash_table_unref(g.singles);
    return restore;
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
read_facets(JsonObject *req, GArray *slots, GPtrArray *names, GError **error)
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
                        "search: facets[%u] must be one of doc_type, issuer, year, kind", i);
            return FALSE;
        }
    }
    return TRUE;
}

static tracuu_query *
filtered(tracuu_query *q, const tracuu_query *filter)
{
    if (filter == NULL)
        return q;
    tracuu_query *subs[2] = {q, tracuu_query_copy(filter)};
    return tracuu_query_combine(TRACUU_QUERY_FILTER, subs, 2, 0);
}

/* Documents indexed by any of @terms (prefix + each docnum), as a weightless query. */
static tracuu_query *
docnum_terms(GPtrArray *docnums, const char *prefix)
{
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    for (guint i = 0; i < docnums->len; i++) {
        g_autofree char *t = g_strconcat(prefix, (char *)g_ptr_array_index(docnums, i), NULL);
        g_ptr_array_add(subs, tracuu_query_new_term(t, MIN(strlen(t), (size_t)TRACUU_STORE_MAX_TERM), 1, 0));
    }
    tracuu_query *q = tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)subs->pdata,
                                           subs->len, 0);
    g_ptr_array_set_size(subs, 0);
    return q;
}

/*
 * A document number in the query ranks that document first and the documents citing it next:
 * three tiers, each ordered by the query's weight, paged as one list.
 * Tier 1: documents with the number, whether or not the text matches (AND_MAYBE).
 * Tier 2: documents citing it, not in tier 1. Tier 3: the rest of the match.
 */
static void
make_tiers(const tracuu_compiled *c, const tracuu_query *query, tracuu_query *tiers[3])
{
    tracuu_query *xn = docnum_terms(c->docnums, TRACUU_PREFIX_NUMBER);
    tracuu_query *xc = docnum_terms(c->docnums, TRACUU_PREFIX_CITES);
    tracuu_query *s1[2] = {tracuu_query_copy(xn), tracuu_query_copy(query)};
    tiers[0] = filtered(tracuu_query_combine(TRACUU_QUERY_AND_MAYBE, s1, 2, 0), c->filter);
    tracuu_query *n2[2] = {tracuu_query_copy(xc), tracuu_query_copy(xn)};
    tracuu_query *s2[2] = {tracuu_query_combine(TRACUU_QUERY_AND_NOT, n2, 2, 0),
                           tracuu_query_copy(query)};
    tiers[1] = filtered(tracuu_query_combine(TRACUU_QUERY_AND_MAYBE, s2, 2, 0), c->filter);
    tracuu_query *either[2] = {xn, xc};
    tracuu_query *s3[2] = {tracuu_query_copy(query),
                           tracuu_query_combine(TRACUU_QUERY_OR, either, 2, 0)};
    tiers[2] = tracuu_query_combine(TRACUU_QUERY_AND_NOT, s3, 2, 0);
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

/* Runs compiled query @c: hits of [offset, offset + limit), total and facets. */
static JsonObject *
search_once(tracuu_engine *e, const tracuu_compiled *c, const tracuu_query *base,
            tracuu_search_options *opts,
            uint64_t offset, uint64_t limit, int sort_slot, GArray *slots, GPtrArray *facet_list,
            GError **error)
{
    JsonObject *resp = NULL;
    JsonArray *hits = json_array_new();
    uint64_t total = 0;
    tracuu_results *r = NULL;
    tracuu_store_status st = TRACUU_STORE_OK;

    /* Facets and the total come from one run over the whole query. */
    opts->offset = (uint32_t)offset;
    opts->limit = (uint32_t)limit;
    opts->facet_slots = (const unsigned *)slots->data;
    opts->n_facet_slots = slots->len;
    opts->facet_limit = ENGINE_FACET_LIMIT;
    gboolean tiered = c->docnums->len > 0 && sort_slot < 0;
    if (tiered)
        opts->limit = 0; /* hits come from the tiers below */
    tracuu_query *whole = c->query;
    if (tiered) {
        /* The whole match includes the numbered and citing documents even if no word matches;
         * it gives no hits here, so no pair bonus is needed for it. */
        tracuu_query *subs[3] = {tracuu_query_copy(base != NULL ? base : c->query),
                                 filtered(docnum_terms(c->docnums, TRACUU_PREFIX_NUMBER), c->filter),
                                 filtered(docnum_terms(c->docnums, TRACUU_PREFIX_CITES), c->filter)};
        whole = tracuu_query_combine(TRACUU_QUERY_OR, subs, 3, 0);
    }
    st = ranked_search(e, whole, tiered ? NULL : base, opts, &r);
    if (whole != c->query)
        tracuu_query_free(whole);
    if (st != TRACUU_STORE_OK) {
        store_error(e, st, error, "search");
        goto out;
    }
    total = r->total;
    JsonObject *facets = facets_json(r, facet_list);
    if (!tiered) {
        for (size_t i = 0; i < r->n_hits; i++)
            json_array_add_object_element(hits, make_hit(e, &r->hits[i], r->hits[i].score, c));
    } else {
        tracuu_query *tiers[3], *base_tiers[3] = {NULL, NULL, NULL};
        make_tiers(c, c->query, tiers);
        if (base != NULL)
            make_tiers(c, base, base_tiers);
        uint64_t skip = offset, want = limit;
        for (int t = 0; t < 3 && st == TRACUU_STORE_OK; t++) {
            tracuu_search_options to = *opts;
            to.facet_slots = NULL;
            to.n_facet_slots = 0;
            to.offset = (uint32_t)skip;
            to.limit = (uint32_t)want;
            to.check_at_least = t < 2 ? ENGINE_TIER_MAX : opts->check_at_least;
            tracuu_results *tr = NULL;
            st = ranked_search(e, tiers[t], base_tiers[t], &to, &tr);
            if (st != TRACUU_STORE_OK) {
                store_error(e, st, error, "search");
                tracuu_results_free(tr);
                break;
            }
            for (size_t i = 0; i < tr->n_hits; i++)
                json_array_add_object_element(
                    hits, make_hit(e, &tr->hits[i], tr->hits[i].score, c));
            want -= MIN(want, tr->n_hits);
            skip -= MIN(skip, tr->total);
            tracuu_results_free(tr);
        }
        for (int t = 0; t < 3; t++) {
            tracuu_query_free(tiers[t]);
            tracuu_query_free(base_tiers[t]);
        }
        if (st != TRACUU_STORE_OK) {
            json_object_unref(facets);
            goto out;
        }
    }
    resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_int_member(resp, "total", (gint64)total);
        json_object_set_array_member(resp, "hits", json_array_ref(hits));
    json_object_set_object_member(resp, "facets", facets);
out:
    json_array_unref(hits);
    tracuu_results_free(r);
    return resp;
}

/*
 * Compiles @ast into @c and, when its ranking holds adjacent-pair bonuses and the order is by
 * relevance, sets *@base to the same query without them (for ranked_search(); caller frees
 * with tracuu_query_free()), else to NULL. Sorted by a value, @c has no pair bonuses (unless
 * rerank_pool is 0, the one-pass engine). FALSE with @error when the query cannot be built.
 */
static gboolean
compile_ranked(tracuu_engine *e, const tracuu_qnode *ast, gboolean relaxed, GHashTable *restore,
               int sort_slot, tracuu_compiled *c, tracuu_query **base, GError **error)
{
    *base = NULL;
    tracuu_rank_params flat = e->rank;
    flat.bigram_weight = 0;
    flat.bigram_accent = 0;
    /* Sorted by date, weights only order documents of the same date; the pair bonuses would
     * cost their positional checks in every match for that. */
    const tracuu_rank_params *rp = sort_slot >= 0 && e->rank.rerank_pool > 0 ? &flat : &e->rank;
    if (!tracuu_query_compile(e->tk, ast, rp, relaxed, restore, c, error))
        return FALSE;
    if (!c->has_pairs || sort_slot >= 0 || e->rank.rerank_pool == 0)
        return TRUE;
    tracuu_compiled b;
    if (!tracuu_query_compile(e->tk, ast, &flat, relaxed, restore, &b, NULL))
        return TRUE; /* one pass, as before */
    *base = b.query;
    b.query = NULL;
    tracuu_compiled_clear(&b);
    return TRUE;
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
    if (!read_facets(req, slots, facet_list, error))
        return NULL;

    gint64 t0 = g_get_monotonic_time();
    e->deadline = e->time_limit > 0 ? t0 + (gint64)(e->time_limit * 1e6) : 0;
    g_autoptr(tracuu_qnode) ast = tracuu_query_parse(q ? q : "", -1, NULL, error);
    if (ast == NULL)
        return NULL;
    if (!add_filters(req, ast, error))
        return NULL;

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
        tracuu_compiled c;
        tracuu_query *base = NULL;
        if (!compile_ranked(e, ast, relaxed, NULL, sort_slot, &c, &base, error))
            return NULL;
        if (!c.accented && c.words->len > 0 && e->rank.restore_weight > 0 &&
            e->rank.restore_docs > 0 && sort_slot < 0) {
            g_autoptr(GHashTable) guess = guess_accents(e, &c, base, &opts);
            if (guess != NULL && g_hash_table_size(guess) > 0) {
                tracuu_compiled_clear(&c);
                tracuu_query_free(base);
                base = NULL;
                if (!compile_ranked(e, ast, relaxed, guess, sort_slot, &c, &base, error))
                    return NULL;
            }
        }
        JsonObject *resp = search_once(e, &c, base, &opts, offset, limit, sort_slot, slots,
                                       facet_list, error);
        gboolean retry = resp != NULL && !relaxed && c.relaxable &&
                         json_object_get_int_member(resp, "total") == 0;
        tracuu_compiled_clear(&c);
        tracuu_query_free(base);
        if (retry) {
            json_object_unref(resp);
            continue;
        }
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
    g_autofree char *term = g_strconcat(TRACUU_PREFIX_ID, id, NULL);
    char *data = NULL;
    size_t len = 0;
    tracuu_store_status st = tracuu_store_get_data(e->store, term, &data, &len, NULL);
    if (st == TRACUU_STORE_NOT_FOUND) {
        free(data);
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_NOT_FOUND,
                    "get: no document with id \"%s\"", id);
        return NULL;
    }
    if (st != TRACUU_STORE_OK) {
        free(data);
        store_error(e, st, error, "get");
        return NULL;
    }
    const char *text = NULL;
    size_t text_len = 0;
    JsonObject *doc = parse_data(data, len, &text, &text_len);
    if (doc == NULL) {
        free(data);
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_INDEX,
                    "get: the stored data of \"%s\" is not JSON", id);
        return NULL;
    }
    if (!json_object_has_member(doc, "title")) {
        g_autofree char *title = hit_title(doc);
        json_object_set_string_member(doc, "title", title);
    }
    json_object_set_string_member(doc, "text", text);
    free(data);
    JsonObject *resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_object_member(resp, "doc", doc);
    return resp;
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

static JsonObject *
handle_stats(tracuu_engine *e, GError **error)
{
    JsonObject *kinds = json_object_new();
    tracuu_store_status st = tracuu_store_list_terms(e->store, TRACUU_PREFIX_KIND, count_kind,
                                                     kinds);
    file_counts fc = {0, 0};
    if (st == TRACUU_STORE_OK)
        st = tracuu_store_list_metadata(e->store, TRACUU_META_FILE_PREFIX, count_file, &fc);
    if (st != TRACUU_STORE_OK) {
        json_object_unref(kinds);
        store_error(e, st, error, "stats");
        return NULL;
    }
    g_autofree char *schema = get_meta(e->store, TRACUU_META_SCHEMA_VERSION);
    g_autofree char *tokv = get_meta(e->store, TRACUU_META_TOKENIZER_VERSION);
    JsonObject *resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_int_member(resp, "docs", (gint64)tracuu_store_get_doc_count(e->store));
    json_object_set_object_member(resp, "kinds", kinds);
    json_object_set_int_member(resp, "files", fc.files);
    json_object_set_int_member(resp, "files_failed", fc.failed);
    json_object_set_string_member(resp, "index", e->path);
    json_object_set_int_member(resp, "schema_version", *schema ? atoi(schema) : 0);
    json_object_set_int_member(resp, "tokenizer_version", *tokv ? atoi(tokv) : 0);
    json_object_set_int_member(resp, "revision", (gint64)tracuu_store_get_revision(e->store));
    return resp;
}

JsonObject *
tracuu_engine_handle(tracuu_engine *engine, JsonObject *request, GError **error)
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
                    "request: \"op\" is missing (search, get, stats or ping)");
        return NULL;
    }
    if (strcmp(op, "ping") == 0) {
        JsonObject *resp = json_object_new();
        json_object_set_boolean_member(resp, "ok", TRUE);
        return resp;
    }
    gboolean known = strcmp(op, "search") == 0 || strcmp(op, "get") == 0 ||
                     strcmp(op, "stats") == 0;
    if (!known) {
        g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_UNKNOWN_OP,
                    "request: unknown op \"%s\" (search, get, stats or ping)", op);
        return NULL;
    }
    /* See what the indexer committed since the last request; cheap when nothing changed. */
    if (!refresh_store(engine, error))
        return NULL;
    if (strcmp(op, "search") == 0) {
        engine->split_now = engine->split != NULL &&
                            (engine->allow_split == NULL ||
                             engine->allow_split(engine->allow_data)) &&
                            tracuu_split_sync(engine->split, engine->store);
        JsonObject *resp = handle_search(engine, request, error);
        engine->split_now = FALSE;
        g_clear_pointer(&engine->split_error, g_free);
        return resp;
    }
    if (strcmp(op, "get") == 0)
        return handle_get(engine, request, error);
    return handle_stats(engine, error);
}
