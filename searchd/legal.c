/* legal.c - relations between documents and their validity, computed over what the caller sees. */
#include <stdio.h>
#include <string.h>

#include "engine-private.h"
#include "legal.h"
#include "rank.h"
#include "tracuu-engine.h"
#include "tracuu-schema-rules.h"

/*
 * Everything here reads the index through tracuu_engine_search(), which applies the caller's
 * visibility filter: a document the caller cannot see is never read, so it cannot show in a
 * status, a because, a related_by, a relation's "doc", a trace or a count. Only whole
 * documents state relations and are their targets here: an article unit (term "Karticle")
 * repeats its document's number and is left out of every lookup.
 */

/* The kinds that end a document (whole) or part of it (with articles, or amends). */
static gboolean
kind_ends(const char *kind)
{
    return strcmp(kind, "replaces") == 0 || strcmp(kind, "repeals") == 0;
}

static gboolean
kind_changes(const char *kind)
{
    return kind_ends(kind) || strcmp(kind, "amends") == 0;
}

/* Forward kind -> reverse name (query field and related_by kind). */
static const struct {
    const char *kind;
    const char *reverse;
} reverse_names[] = {
    {"amends", "amended_by"},     {"replaces", "replaced_by"}, {"repeals", "repealed_by"},
    {"guides", "guided_by"},      {"based_on", "basis_of"},    {"corrects", "corrected_by"},
    {"suspends", "suspended_by"}, {"cites", "cited_by"},
};

const char *
tracuu_legal_reverse_name(const char *kind)
{
    for (size_t i = 0; i < G_N_ELEMENTS(reverse_names); i++)
        if (strcmp(reverse_names[i].kind, kind) == 0)
            return reverse_names[i].reverse;
    return NULL;
}

const char *
tracuu_legal_forward_kind(const char *reverse)
{
    for (size_t i = 0; i < G_N_ELEMENTS(reverse_names); i++)
        if (strcmp(reverse_names[i].reverse, reverse) == 0)
            return reverse_names[i].kind;
    return NULL;
}

const char *const tracuu_legal_statuses[] = {"not_yet_in_force", "in_force", "partly_expired",
                                             "expired", NULL};

/* ---- lookups ---- */

static tracuu_query *
term_query(const char *t)
{
    if (t == NULL || strlen(t) > TRACUU_STORE_MAX_TERM)
        return tracuu_query_new_match_nothing();
    return tracuu_query_new_term(t, strlen(t), 1, 0);
}

static tracuu_query *
whole_only(tracuu_query *q)
{
    g_autofree char *art = tracuu_schema_bool_term(TRACUU_TERM_KIND, "article");
    tracuu_query *subs[2] = {q, term_query(art)};
    return tracuu_query_combine(TRACUU_QUERY_AND_NOT, subs, 2, 0);
}

/*
 * The stored fields of the visible whole documents matching @q (taken), at most @limit, in
 * docid order (stable). NULL when the store fails (the callers then show less, never more).
 */
static GPtrArray *
find(tracuu_engine *e, tracuu_query *q, guint limit)
{
    tracuu_query *w = whole_only(q);
    tracuu_search_options opts;
    tracuu_search_options_init(&opts);
    opts.limit = limit;
    opts.sort_slot = -1;
    tracuu_results *r = NULL;
    tracuu_store_status st = w != NULL ? tracuu_engine_search(e, w, &opts, &r) : TRACUU_STORE_ERROR;
    tracuu_query_free(w);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    if (st != TRACUU_STORE_OK && st != TRACUU_STORE_TIMEOUT) {
        tracuu_results_free(r);
        return out;
    }
    for (size_t i = 0; r != NULL && i < r->n_hits; i++) {
        JsonObject *d = tracuu_engine_parse_data(r->hits[i].data, r->hits[i].data_len);
        if (d != NULL)
            g_ptr_array_add(out, d);
    }
    tracuu_results_free(r);
    return out;
}

static const char *
str_member(JsonObject *o, const char *name)
{
    JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static JsonArray *
relations_of(JsonObject *d)
{
    JsonNode *n = json_object_get_member(d, "relations");
    return n != NULL && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static guint
n_articles(JsonObject *rel)
{
    JsonNode *n = json_object_get_member(rel, "articles");
    return n != NULL && JSON_NODE_HOLDS_ARRAY(n) ? json_array_get_length(json_node_get_array(n))
                                                : 0;
}

/* "2026-12-04" -> "20261204" (also "2026-12", "2026"); NULL for none. */
static char *
compact(const char *date)
{
    if (date == NULL || *date == '\0')
        return NULL;
    GString *s = g_string_new(NULL);
    for (const char *p = date; *p; p++)
        if (g_ascii_isdigit(*p))
            g_string_append_c(s, *p);
    return g_string_free(s, FALSE);
}

/* The visible whole document numbered @number (first by docid), or NULL. */
static JsonObject *
doc_numbered(tracuu_engine *e, const char *number)
{
    g_autofree char *t = tracuu_schema_bool_term(TRACUU_TERM_NUMBER, number);
    /* Most numbers a document names are not in the archive: no search for those. */
    if (t == NULL || tracuu_engine_term_freq(e, t) == 0)
        return NULL;
    g_autoptr(GPtrArray) ds = find(e, term_query(t), 1);
    return ds->len > 0 ? json_object_ref(g_ptr_array_index(ds, 0)) : NULL;
}

/* The folded normal form of @number, to compare a relation's target with a document. */
static char *
folded_number(const char *number)
{
    return tracuu_schema_bool_term(TRACUU_TERM_NUMBER, number);
}

/* TRUE when the relation @rel names the same number as @folded (folded_number()). */
static gboolean
targets(JsonObject *rel, const char *folded)
{
    g_autofree char *f = folded_number(str_member(rel, "number"));
    return f != NULL && folded != NULL && strcmp(f, folded) == 0;
}

/*
 * In force at @as_of by its own dates: its effective date (else its date) is not after it,
 * and no end date is at or before it. A document without dates counts as in force.
 */
gboolean
tracuu_legal_in_force_by_dates(JsonObject *d, const char *as_of)
{
    g_autofree char *eff = compact(str_member(d, "effective_date"));
    if (eff == NULL)
        eff = compact(str_member(d, "date"));
    g_autofree char *end = compact(str_member(d, "end_date"));
    if (eff != NULL && strcmp(eff, as_of) > 0)
        return FALSE;
    return end == NULL || strcmp(end, as_of) > 0;
}

/* The visible whole documents that state a relation of any kind of @number. */
static GPtrArray *
stating_docs(tracuu_engine *e, const char *number)
{
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    for (size_t i = 0; tracuu_schema_relation_kinds[i] != NULL; i++) {
        g_autofree char *t = tracuu_schema_relation_term(tracuu_schema_relation_kinds[i], number);
        /* Most documents are the target of no relation: no search when no term is there. */
        if (t != NULL && tracuu_engine_term_freq(e, t) > 0)
            g_ptr_array_add(subs, term_query(t));
    }
    if (subs->len == 0)
        return g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    tracuu_query *q =
        tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)subs->pdata, subs->len, 0);
    return find(e, q, TRACUU_LEGAL_MAX_RELATED);
}

/* ---- status ---- */

/* The status of @d at @as_of from its dates and @stating (stating_docs() of its number); the
 * ids that caused it into @because. status_query() is the same rule as a query: keep them
 * together. */
static const char *
status_of(JsonObject *d, const char *as_of, GPtrArray *stating, JsonArray *because)
{
    g_autofree char *eff = compact(str_member(d, "effective_date"));
    g_autofree char *end = compact(str_member(d, "end_date"));
    if (eff != NULL && strcmp(eff, as_of) > 0)
        return "not_yet_in_force";
    if (end != NULL && strcmp(end, as_of) <= 0)
        return "expired";
    g_autofree char *own = folded_number(str_member(d, "number"));
    const char *id = str_member(d, "id");
    gboolean whole = FALSE, part = FALSE;
    g_autoptr(GPtrArray) whole_ids = g_ptr_array_new();
    g_autoptr(GPtrArray) part_ids = g_ptr_array_new();
    for (guint i = 0; own != NULL && i < stating->len; i++) {
        JsonObject *s = g_ptr_array_index(stating, i);
        const char *sid = str_member(s, "id");
        if (sid == NULL || (id != NULL && strcmp(sid, id) == 0) ||
            !tracuu_legal_in_force_by_dates(s, as_of))
            continue;
        JsonArray *rels = relations_of(s);
        gboolean w = FALSE, p = FALSE;
        for (guint k = 0; rels != NULL && k < json_array_get_length(rels); k++) {
            JsonObject *rel = json_array_get_object_element(rels, k);
            const char *kind = rel != NULL ? str_member(rel, "kind") : NULL;
            if (kind == NULL || !kind_changes(kind) || !targets(rel, own))
                continue;
            if (kind_ends(kind) && n_articles(rel) == 0)
                w = TRUE;
            else
                p = TRUE;
        }
        if (w)
            g_ptr_array_add(whole_ids, (gpointer)sid);
        else if (p)
            g_ptr_array_add(part_ids, (gpointer)sid);
        whole = whole || w;
        part = part || p;
    }
    GPtrArray *ids = whole ? whole_ids : part_ids;
    for (guint i = 0; i < ids->len; i++)
        json_array_add_string_element(because, g_ptr_array_index(ids, i));
    return whole ? "expired" : part ? "partly_expired" : "in_force";
}

void
tracuu_legal_annotate(tracuu_engine *e, JsonObject *d, JsonObject *out, const char *as_of)
{
    const char *number = str_member(d, "number");
    const char *id = str_member(d, "id");
    g_autoptr(GPtrArray) stating =
        number != NULL ? stating_docs(e, number)
                       : g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    /* relations, each with the id of its target when the caller sees it */
    JsonArray *rels = relations_of(d);
    if (rels != NULL) {
        JsonArray *shown = json_array_new();
        for (guint k = 0; k < json_array_get_length(rels); k++) {
            JsonObject *rel = json_array_get_object_element(rels, k);
            if (rel == NULL)
                continue;
            JsonObject *copy = json_object_new();
            GList *members = json_object_get_members(rel);
            for (GList *l = members; l != NULL; l = l->next)
                json_object_set_member(copy, l->data,
                                       json_node_copy(json_object_get_member(rel, l->data)));
            g_list_free(members);
            g_autoptr(JsonObject) target = doc_numbered(e, str_member(rel, "number"));
            const char *tid = target != NULL ? str_member(target, "id") : NULL;
            if (tid != NULL)
                json_object_set_string_member(copy, "doc", tid);
            json_array_add_object_element(shown, copy);
        }
        json_object_set_array_member(out, "relations", shown);
    }
    /* related_by: what the visible documents state of this one */
    g_autofree char *own = folded_number(number);
    JsonArray *by = json_array_new();
    for (guint i = 0; own != NULL && i < stating->len; i++) {
        JsonObject *s = g_ptr_array_index(stating, i);
        const char *sid = str_member(s, "id");
        JsonArray *srels = relations_of(s);
        if (sid == NULL || (id != NULL && strcmp(sid, id) == 0))
            continue;
        for (guint k = 0; srels != NULL && k < json_array_get_length(srels); k++) {
            JsonObject *rel = json_array_get_object_element(srels, k);
            const char *kind = rel != NULL ? str_member(rel, "kind") : NULL;
            const char *rev = kind != NULL ? tracuu_legal_reverse_name(kind) : NULL;
            if (rev == NULL || !targets(rel, own))
                continue;
            JsonObject *r = json_object_new();
            json_object_set_string_member(r, "kind", rev);
            json_object_set_string_member(r, "doc", sid);
            const char *snum = str_member(s, "number");
            if (snum != NULL)
                json_object_set_string_member(r, "number", snum);
            JsonNode *arts = json_object_get_member(rel, "articles");
            if (arts != NULL && n_articles(rel) > 0)
                json_object_set_member(r, "articles", json_node_copy(arts));
            json_array_add_object_element(by, r);
        }
    }
    json_object_set_array_member(out, "related_by", by);
    JsonArray *because = json_array_new();
    json_object_set_string_member(out, "status", status_of(d, as_of, stating, because));
    json_object_set_array_member(out, "status_because", because);
}

/* ---- status as a query ---- */

static tracuu_query *
or_terms(GHashTable *terms)
{
    if (g_hash_table_size(terms) == 0)
        return tracuu_query_new_match_nothing();
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, terms);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(subs, term_query(key));
    return tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)subs->pdata, subs->len, 0);
}

static tracuu_query *
combine2(tracuu_query_op op, tracuu_query *a, tracuu_query *b)
{
    tracuu_query *subs[2] = {a, b};
    return tracuu_query_combine(op, subs, 2, 0);
}

/* The day after @as_of ("YYYYMMDD"), for "effective after as_of". */
static char *
day_after(const char *as_of)
{
    int y = 0, m = 0, d = 0;
    if (sscanf(as_of, "%4d%2d%2d", &y, &m, &d) != 3 || !g_date_valid_dmy(d, m, y))
        return g_strdup("99999999");
    GDate *g = g_date_new_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
    g_date_add_days(g, 1);
    char *s = g_strdup_printf("%04d%02d%02d", g_date_get_year(g), g_date_get_month(g),
                              g_date_get_day(g));
    g_date_free(g);
    return s;
}

tracuu_query *
tracuu_legal_status_query(tracuu_engine *e, const char *status, const char *as_of)
{
    /* The targets of the relations that end or change documents, stated by visible whole
     * documents in force at @as_of; the same rule as status_of(), in the same order. */
    g_autoptr(GHashTable) whole = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) part = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) subs = g_ptr_array_new();
    const char *changing[] = {"replaces", "repeals", "amends"};
    for (size_t i = 0; i < G_N_ELEMENTS(changing); i++) {
        g_autofree char *prefix = g_strconcat(TRACUU_PREFIX_RELATION, changing[i], ":", NULL);
        g_ptr_array_add(subs, tracuu_query_new_wildcard(prefix, 0));
    }
    tracuu_query *any =
        tracuu_query_combine(TRACUU_QUERY_OR, (tracuu_query **)subs->pdata, subs->len, 0);
    g_autoptr(GPtrArray) stating = find(e, any, TRACUU_LEGAL_MAX_STATING);
    for (guint i = 0; i < stating->len; i++) {
        JsonObject *s = g_ptr_array_index(stating, i);
        if (!tracuu_legal_in_force_by_dates(s, as_of))
            continue;
        g_autofree char *sown = folded_number(str_member(s, "number"));
        JsonArray *rels = relations_of(s);
        for (guint k = 0; rels != NULL && k < json_array_get_length(rels); k++) {
            JsonObject *rel = json_array_get_object_element(rels, k);
            const char *kind = rel != NULL ? str_member(rel, "kind") : NULL;
            char *t = kind != NULL && kind_changes(kind) ? folded_number(str_member(rel, "number"))
                                                         : NULL;
            if (t == NULL || (sown != NULL && strcmp(t, sown) == 0)) {
                g_free(t);
                continue;
            }
            g_hash_table_add(kind_ends(kind) && n_articles(rel) == 0 ? whole : part, t);
        }
    }
    g_autofree char *after = day_after(as_of);
    tracuu_query *ny = tracuu_query_new_value_range(TRACUU_SLOT_EFFECTIVE, after, NULL);
    if (strcmp(status, "not_yet_in_force") == 0)
        return ny;
    tracuu_query *exp = combine2(
        TRACUU_QUERY_AND_NOT,
        combine2(TRACUU_QUERY_OR, tracuu_query_new_value_range(TRACUU_SLOT_END, NULL, as_of),
                 or_terms(whole)),
        tracuu_query_copy(ny));
    if (strcmp(status, "expired") == 0) {
        tracuu_query_free(ny);
        return exp;
    }
    tracuu_query *not_part = combine2(TRACUU_QUERY_OR, ny, exp);
    tracuu_query *partly =
        combine2(TRACUU_QUERY_AND_NOT, or_terms(part), tracuu_query_copy(not_part));
    if (strcmp(status, "partly_expired") == 0) {
        tracuu_query_free(not_part);
        return partly;
    }
    return combine2(TRACUU_QUERY_AND_NOT, tracuu_query_new_match_all(),
                    combine2(TRACUU_QUERY_OR, not_part, partly));
}

gboolean
tracuu_legal_is_status(const char *s)
{
    for (size_t i = 0; s != NULL && tracuu_legal_statuses[i] != NULL; i++)
        if (strcmp(s, tracuu_legal_statuses[i]) == 0)
            return TRUE;
    return FALSE;
}

/* The targets of @kind stated by the visible whole documents numbered (or with the id) @v. */
static tracuu_query *
reverse_query(tracuu_engine *e, const char *kind, const char *v)
{
    g_autofree char *nt = tracuu_schema_bool_term(TRACUU_TERM_NUMBER, v);
    g_autofree char *it = tracuu_schema_bool_term(TRACUU_TERM_ID, v);
    g_autoptr(GPtrArray) ds = find(e, combine2(TRACUU_QUERY_OR, term_query(nt), term_query(it)),
                                   TRACUU_LEGAL_MAX_RELATED);
    g_autoptr(GHashTable) ts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < ds->len; i++) {
        JsonArray *rels = relations_of(g_ptr_array_index(ds, i));
        for (guint k = 0; rels != NULL && k < json_array_get_length(rels); k++) {
            JsonObject *rel = json_array_get_object_element(rels, k);
            const char *rk = rel != NULL ? str_member(rel, "kind") : NULL;
            char *t = rk != NULL && strcmp(rk, kind) == 0 ? folded_number(str_member(rel, "number"))
                                                          : NULL;
            if (t != NULL)
                g_hash_table_add(ts, t);
        }
    }
    return or_terms(ts);
}

gboolean
tracuu_legal_resolve(tracuu_engine *e, tracuu_qnode *n, const char *as_of, GError **error)
{
    if (n == NULL)
        return TRUE;
    if (n->kind == TRACUU_QNODE_FIELD && n->filter == NULL) {
        const char *name = tracuu_qfield_name(n->field);
        const char *fwd = tracuu_legal_forward_kind(name);
        if (n->field == TRACUU_QFIELD_STATUS) {
            g_autofree char *v = g_ascii_strdown(n->text != NULL ? n->text : "", -1);
            if (!tracuu_legal_is_status(v)) {
                g_set_error(error, TRACUU_ENGINE_ERROR, TRACUU_ENGINE_ERROR_BAD_QUERY,
                            "status:%s: the status is one of not_yet_in_force, in_force, "
                            "partly_expired, expired",
                            n->text != NULL ? n->text : "");
                return FALSE;
            }
            n->filter = tracuu_legal_status_query(e, v, as_of);
        } else if (fwd != NULL) {
            n->filter = reverse_query(e, fwd, n->text != NULL ? n->text : "");
        }
    }
    for (guint i = 0; n->children != NULL && i < n->children->len; i++)
        if (!tracuu_legal_resolve(e, g_ptr_array_index(n->children, i), as_of, error))
            return FALSE;
    return TRUE;
}

/* ---- trace ---- */

typedef struct {
    tracuu_engine *e;
    const char *as_of;
    GHashTable *nodes; /* key ("id:" or "number:" folded) -> JsonObject node */
    GPtrArray *order;  /* JsonObject nodes in order found */
    GHashTable *edges; /* "from\tkind\tto" seen */
    JsonArray *edge_list;
    gboolean truncated;
} trace_ctx;

/* Adds the node of document @d; returns its id (borrowed from the node). */
static const char *
node_doc(trace_ctx *t, JsonObject *d, gboolean *is_new)
{
    const char *id = str_member(d, "id");
    g_autofree char *key = g_strconcat("id:", id, NULL);
    JsonObject *node = g_hash_table_lookup(t->nodes, key);
    *is_new = node == NULL;
    if (node == NULL) {
        if (g_hash_table_size(t->nodes) >= TRACUU_LEGAL_MAX_TRACE_NODES) {
            t->truncated = TRUE;
            return NULL;
        }
        node = json_object_new();
        json_object_set_string_member(node, "id", id);
        const char *fields[] = {"number", "title", "doc_type", "date", "effective_date"};
        for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
            const char *v = str_member(d, fields[i]);
            if (v != NULL)
                json_object_set_string_member(node, fields[i], v);
        }
        json_object_set_boolean_member(node, "in_archive", TRUE);
        g_hash_table_insert(t->nodes, g_strdup(key), node);
        g_ptr_array_add(t->order, node);
    }
    return str_member(node, "id");
}

static void
node_number(trace_ctx *t, const char *number)
{
    g_autofree char *f = folded_number(number);
    g_autofree char *key = g_strconcat("number:", f != NULL ? f : number, NULL);
    if (g_hash_table_contains(t->nodes, key))
        return;
    if (g_hash_table_size(t->nodes) >= TRACUU_LEGAL_MAX_TRACE_NODES) {
        t->truncated = TRUE;
        return;
    }
    JsonObject *node = json_object_new();
    json_object_set_string_member(node, "number", number);
    json_object_set_boolean_member(node, "in_archive", FALSE);
    g_hash_table_insert(t->nodes, g_strdup(key), node);
    g_ptr_array_add(t->order, node);
}

static void
edge(trace_ctx *t, const char *from, const char *to, JsonObject *rel)
{
    const char *kind = str_member(rel, "kind");
    g_autofree char *key = g_strdup_printf("%s\t%s\t%s", from, kind, to);
    if (!g_hash_table_add(t->edges, g_steal_pointer(&key)))
        return;
    JsonObject *ed = json_object_new();
    json_object_set_string_member(ed, "from", from);
    json_object_set_string_member(ed, "to", to);
    json_object_set_string_member(ed, "kind", kind);
    JsonNode *arts = json_object_get_member(rel, "articles");
    if (arts != NULL && JSON_NODE_HOLDS_ARRAY(arts))
        json_object_set_member(ed, "articles", json_node_copy(arts));
    else
        json_object_set_array_member(ed, "articles", json_array_new());
    json_array_add_object_element(t->edge_list, ed);
}

/* Visits @d (a node already added) and queues the documents at its ends in @next. */
static void
visit(trace_ctx *t, JsonObject *d, GPtrArray *next)
{
    const char *id = str_member(d, "id");
    JsonArray *rels = relations_of(d);
    for (guint k = 0; rels != NULL && k < json_array_get_length(rels); k++) {
        JsonObject *rel = json_array_get_object_element(rels, k);
        const char *num = rel != NULL ? str_member(rel, "number") : NULL;
        if (num == NULL || str_member(rel, "kind") == NULL)
            continue;
        JsonObject *target = doc_numbered(t->e, num);
        if (target != NULL) {
            gboolean is_new = FALSE;
            const char *tid = node_doc(t, target, &is_new);
            if (tid != NULL) {
                edge(t, id, tid, rel);
                if (is_new)
                    g_ptr_array_add(next, json_object_ref(target));
            }
            json_object_unref(target);
        } else {
            node_number(t, num);
            if (!t->truncated)
                edge(t, id, num, rel);
        }
    }
    const char *number = str_member(d, "number");
    if (number == NULL)
        return;
    g_autofree char *own = folded_number(number);
    g_autoptr(GPtrArray) stating = stating_docs(t->e, number);
    for (guint i = 0; i < stating->len; i++) {
        JsonObject *s = g_ptr_array_index(stating, i);
        gboolean is_new = FALSE;
        const char *sid = node_doc(t, s, &is_new);
        if (sid == NULL)
            continue;
        JsonArray *srels = relations_of(s);
        for (guint k = 0; srels != NULL && k < json_array_get_length(srels); k++) {
            JsonObject *rel = json_array_get_object_element(srels, k);
            if (rel != NULL && str_member(rel, "kind") != NULL && targets(rel, own))
                edge(t, sid, id, rel);
        }
        if (is_new)
            g_ptr_array_add(next, json_object_ref(s));
    }
}

JsonObject *
tracuu_legal_trace(tracuu_engine *e, JsonObject *start, guint depth, const char *as_of)
{
    trace_ctx t = {.e = e,
                   .as_of = as_of,
                   .nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify)json_object_unref),
                   .order = g_ptr_array_new(),
                   .edges = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                   .edge_list = json_array_new()};
    gboolean is_new = FALSE;
    node_doc(&t, start, &is_new);
    GPtrArray *level = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
    g_ptr_array_add(level, json_object_ref(start));
    for (guint d = 0; d < depth && level->len > 0 && !t.truncated; d++) {
        GPtrArray *next = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);
        for (guint i = 0; i < level->len; i++)
            visit(&t, g_ptr_array_index(level, i), next);
        g_ptr_array_unref(level);
        level = next;
    }
    g_ptr_array_unref(level);
    JsonArray *nodes = json_array_new();
    for (guint i = 0; i < t.order->len; i++)
        json_array_add_object_element(nodes, json_object_ref(g_ptr_array_index(t.order, i)));
    JsonObject *resp = json_object_new();
    json_object_set_boolean_member(resp, "ok", TRUE);
    json_object_set_array_member(resp, "nodes", nodes);
    json_object_set_array_member(resp, "edges", t.edge_list);
    json_object_set_boolean_member(resp, "truncated", t.truncated);
    g_ptr_array_unref(t.order);
    g_hash_table_unref(t.nodes);
    g_hash_table_unref(t.edges);
    return resp;
}
