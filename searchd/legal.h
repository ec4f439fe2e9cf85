/* legal.h - relations and validity at query time (legal.c), over the caller's visible set. */
#pragma once

#include <json-glib/json-glib.h>

#include "engine-private.h"
#include "tracuu-store.h"

struct tracuu_engine;

/* The stored fields of a document's data (@len bytes), or NULL when they are not JSON
 * (engine.c). Caller unrefs. */
JsonObject *tracuu_engine_parse_data(const char *data, size_t len);

/* Caps, so that one request reads a bounded number of documents (docs/legal-tracing.md). */
#define TRACUU_LEGAL_MAX_RELATED 200      /* documents stating relations of one document */
#define TRACUU_LEGAL_MAX_STATING 10000    /* documents read to answer one status: filter */
#define TRACUU_LEGAL_MAX_TRACE_DEPTH 5    /* a trace's depth is cut to this */
#define TRACUU_LEGAL_MAX_TRACE_NODES 200  /* a trace stops adding nodes here ("truncated") */

/* The status values, NULL-terminated, and a test for one. */
extern const char *const tracuu_legal_statuses[];
gboolean tracuu_legal_is_status(const char *s);

/* "amends" -> "amended_by" (the reverse query field and related_by kind) and back; NULL when
 * none. based_on's reverse is "basis_of", cites' "cited_by". Static strings. */
const char *tracuu_legal_reverse_name(const char *kind);
const char *tracuu_legal_forward_kind(const char *reverse);

/* TRUE when the fields @d say the document is in force at @as_of ("YYYYMMDD") by its own
 * dates: effective_date (else date) not after it, no end_date at or before it. */
gboolean tracuu_legal_in_force_by_dates(JsonObject *d, const char *as_of);

/*
 * Adds to @out what @d (a document's stored fields) gains at query time: relations (each with
 * "doc" when its target is a visible whole document), related_by, status, status_because, as
 * of @as_of ("YYYYMMDD"). Reads only documents @e's caller sees.
 */
void tracuu_legal_annotate(struct tracuu_engine *e, JsonObject *d, JsonObject *out,
                           const char *as_of);

/* The weightless query of the documents with @status (a tracuu_legal_statuses value) at
 * @as_of, as tracuu_legal_annotate() computes it, over the caller's visible documents. */
tracuu_query *tracuu_legal_status_query(struct tracuu_engine *e, const char *status,
                                        const char *as_of);

/* Fills the filter of each status: and reverse field node under @n (before
 * tracuu_query_prepare()); FALSE with @error (BAD_QUERY) for an unknown status. */
gboolean tracuu_legal_resolve(struct tracuu_engine *e, tracuu_qnode *n, const char *as_of,
                              GError **error);

/* The trace answer around @start (stored fields of a visible document) to @depth (at most
 * TRACUU_LEGAL_MAX_TRACE_DEPTH, the caller cuts it). Caller unrefs. */
JsonObject *tracuu_legal_trace(struct tracuu_engine *e, JsonObject *start, guint depth,
                               const char *as_of);
