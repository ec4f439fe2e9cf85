/* tracuu-engine.h - answers protocol requests on an index: queries, ranking, snippets, facets. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "identity.h"

G_BEGIN_DECLS

/*
 * The engine does the work of a request; tracuu-searchd adds framing, connections and threads
 * around it, and the tracuu client with --db calls it directly, so both answer alike.
 * One engine per thread: it holds a Xapian reader and a tokenizer.
 */

#define TRACUU_ENGINE_ERROR (tracuu_engine_error_quark())
GQuark tracuu_engine_error_quark(void);

typedef enum {
    TRACUU_ENGINE_ERROR_BAD_REQUEST, /* "bad_request": a field missing or of the wrong type */
    TRACUU_ENGINE_ERROR_UNKNOWN_OP,  /* "unknown_op" */
    TRACUU_ENGINE_ERROR_BAD_QUERY,   /* "bad_query": the message says where */
    TRACUU_ENGINE_ERROR_NOT_FOUND,   /* "not_found": get of an unknown doc */
    TRACUU_ENGINE_ERROR_TIMEOUT,     /* "timeout": the query ran out of its time limit */
    TRACUU_ENGINE_ERROR_INDEX,       /* "index": the index cannot be opened or read */
    TRACUU_ENGINE_ERROR_GONE,        /* "gone": the original file of a document changed or
                                        vanished since it was indexed (HTTP file endpoint) */
} tracuu_engine_error;

/* The protocol's name of an error code: "bad_request", "unknown_op"... Static string. */
const char *tracuu_engine_error_code_name(tracuu_engine_error code);

typedef struct tracuu_engine tracuu_engine;

/*
 * Opens the index in @db_path for reading. Fails with TRACUU_ENGINE_ERROR_INDEX when it is
 * missing, damaged, or built with another schema or tokenizer version (the message says which
 * and how to rebuild). Caller frees with tracuu_engine_free().
 */
tracuu_engine *tracuu_engine_open(const char *db_path, GError **error);

void tracuu_engine_free(tracuu_engine *engine); /* NULL accepted */

/* Per-query time limit in seconds (0: none). */
void tracuu_engine_set_time_limit(tracuu_engine *engine, double seconds);

/*
 * Lets one search use up to @parts threads, each with its own reader of the index: the index
 * is cut by document number, the parts are searched at once and merged into the same hits,
 * totals and facets as one search would give. At each search, @allow(@user_data) (NULL:
 * always) says whether to split it; tracuu-searchd splits only while some of its workers are
 * idle, since under load the other requests keep the cores busy. @parts 1 (or 0) turns
 * splitting off. FALSE with @error (TRACUU_ENGINE_ERROR_INDEX) when a reader cannot be
 * opened; the engine then searches as before.
 */
gboolean tracuu_engine_set_parallel(tracuu_engine *engine, unsigned parts,
                                    gboolean (*allow)(gpointer user_data), gpointer user_data,
                                    GError **error);

/*
 * Handles one request (a parsed JSON object with "op": "search", "get", "stats", "ping"; see
 * docs/protocol.md) and returns the response object, with "ok": true and without "id" (the
 * caller echoes it). Returns NULL with @error set (TRACUU_ENGINE_ERROR) for a request that
 * fails; the engine stays usable. Sees what was committed to the index since the last request.
 * Caller frees with json_object_unref().
 */
JsonObject *tracuu_engine_handle(tracuu_engine *engine, JsonObject *request, GError **error);

/*
 * The same for the caller @identity (NULL: unrestricted, as tracuu_engine_handle(), for the
 * client's --db and programs that read their own index). Every document the request reaches
 * is first passed through the visibility filter of @identity (docs/access-control.md): hits,
 * totals, facets, snippets, the accent guess, split searches and stats count only visible
 * documents, and a get of an invisible document fails exactly as for an id that does not
 * exist (TRACUU_ENGINE_ERROR_NOT_FOUND, the same message). @identity is borrowed for the call.
 */
JsonObject *tracuu_engine_handle_as(tracuu_engine *engine, const tracuu_identity *identity,
                                    JsonObject *request, GError **error);

/*
 * The stored fields (tracuu-schema.h, "Document data"; without the text) of the document @id
 * as @identity may see it: found by the very search a get makes, through the same visibility
 * filter, so that an invisible document fails exactly as an id no document has
 * (TRACUU_ENGINE_ERROR_NOT_FOUND, "@op: no document with id ..."). @op names the request in
 * messages ("file"). For front ends that serve more of a document than its JSON (the HTTP
 * file endpoint reads "source"). Caller frees with json_object_unref().
 */
JsonObject *tracuu_engine_doc_fields_as(tracuu_engine *engine, const tracuu_identity *identity,
                                        const char *op, const char *id, GError **error);

G_END_DECLS
