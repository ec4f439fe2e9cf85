/* metrics.h - request counters and latency histograms of tracuu-searchd, in Prometheus' text format. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * One tracuu_metrics per channel (the HTTP API, the socket): requests counted by two labels
 * (endpoint and status, op and code) and a histogram of their latency, written out as
 * PREFIX_requests_total{L1="..",L2=".."} and PREFIX_request_duration_seconds. The label values
 * are fixed tables given at creation, so that counting a request allocates nothing and takes
 * one short lock; a value not in its table is counted under the table's last one, the
 * catch-all ("other"). Counting and formatting may happen on any thread.
 */

typedef struct {
    const char *prefix; /* "tracuu_http": names the series */
    const char *what;   /* "HTTP requests": their HELP text */
    const char *label[2];
    const char *const *values[2]; /* each label's values; the last is the catch-all */
    guint n_values[2];
} tracuu_metrics_spec;

typedef struct tracuu_metrics tracuu_metrics;

/* A channel's counters, all zero. @spec is borrowed and must outlive them (a static table).
 * Caller frees with tracuu_metrics_free(). */
tracuu_metrics *tracuu_metrics_new(const tracuu_metrics_spec *spec);

/* NULL accepted. */
void tracuu_metrics_free(tracuu_metrics *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_metrics, tracuu_metrics_free)

/* The index of @value among label @label's values, or the catch-all's (the last) when it is
 * not one of them (NULL included). For tracuu_metrics_count(). */
guint tracuu_metrics_index(const tracuu_metrics *m, guint label, const char *value);

/* Counts one request answered, with the label indices @a and @b (out of range: the
 * catch-all) and the time since @t0 (g_get_monotonic_time()) as its latency. */
void tracuu_metrics_count(tracuu_metrics *m, guint a, guint b, gint64 t0);

/* The number of requests counted under @a and @b so far (for tests and logs). */
guint64 tracuu_metrics_get(tracuu_metrics *m, guint a, guint b);

/* Appends the counters and the histogram of @m to @out in the Prometheus text format. */
void tracuu_metrics_append(tracuu_metrics *m, GString *out);

/*
 * Appends the gauges of the index from @stats, a stats answer of the engine (as its caller
 * may see it): tracuu_documents, and tracuu_index_revision when @stats has the revision
 * (admins and the local owner only).
 */
void tracuu_metrics_append_index(JsonObject *stats, GString *out);

G_END_DECLS
