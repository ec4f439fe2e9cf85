/* metrics.c - request counters and latency histograms of tracuu-searchd, in Prometheus' text format. */
#include <string.h>

#include "metrics.h"
#include "protocol.h"

/* Upper bounds of the latency histogram's buckets, in seconds: Prometheus' defaults, with
 * finer ones below 5 ms, where most answers of an index on a local disk fall. */
static const double latency_bounds[] = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,     0.25,   0.5,   1,      2.5,   5,    10};
#define N_BOUNDS G_N_ELEMENTS(latency_bounds)

struct tracuu_metrics {
    const tracuu_metrics_spec *spec;
    GMutex lock;
    guint64 *requests;          /* [a * n_values[1] + b] */
    guint64 buckets[N_BOUNDS];  /* not cumulative: each its own range; above the last: none */
    guint64 count;
    double sum; /* seconds */
};

tracuu_metrics *
tracuu_metrics_new(const tracuu_metrics_spec *spec)
{
    g_return_val_if_fail(spec->n_values[0] > 0 && spec->n_values[1] > 0, NULL);
    tracuu_metrics *m = g_new0(tracuu_metrics, 1);
    m->spec = spec;
    g_mutex_init(&m->lock);
    m->requests = g_new0(guint64, (gsize)spec->n_values[0] * spec->n_values[1]);
    return m;
}

void
tracuu_metrics_free(tracuu_metrics *m)
{
    if (!m)
        return;
    g_mutex_clear(&m->lock);
    g_free(m->requests);
    g_free(m);
}

guint
tracuu_metrics_index(const tracuu_metrics *m, guint label, const char *value)
{
    guint n = m->spec->n_values[label];
    for (guint i = 0; value && i + 1 < n; i++)
        if (strcmp(m->spec->values[label][i], value) == 0)
            return i;
    return n - 1;
}

/* The cell of @a and @b, each out of range taken as its catch-all. */
static gsize
cell(const tracuu_metrics *m, guint a, guint b)
{
    a = MIN(a, m->spec->n_values[0] - 1);
    b = MIN(b, m->spec->n_values[1] - 1);
    return (gsize)a * m->spec->n_values[1] + b;
}

void
tracuu_metrics_count(tracuu_metrics *m, guint a, guint b, gint64 t0)
{
    double secs = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    guint bucket = 0;
    while (bucket < N_BOUNDS && secs > latency_bounds[bucket])
        bucket++;
    gsize i = cell(m, a, b);
    g_mutex_lock(&m->lock);
    m->requests[i]++;
    if (bucket < N_BOUNDS)
        m->buckets[bucket]++;
    m->count++;
    m->sum += secs;
    g_mutex_unlock(&m->lock);
}

guint64
tracuu_metrics_get(tracuu_metrics *m, guint a, guint b)
{
    g_mutex_lock(&m->lock);
    guint64 n = m->requests[cell(m, a, b)];
    g_mutex_unlock(&m->lock);
    return n;
}

void
tracuu_metrics_append(tracuu_metrics *m, GString *out)
{
    const tracuu_metrics_spec *s = m->spec;
    /* A copy taken under the lock, so that the (slower) formatting does not hold up counting. */
    gsize cells = (gsize)s->n_values[0] * s->n_values[1];
    g_autofree guint64 *requests = g_new(guint64, cells);
    guint64 buckets[N_BOUNDS];
    g_mutex_lock(&m->lock);
    memcpy(requests, m->requests, cells * sizeof *requests);
    memcpy(buckets, m->buckets, sizeof buckets);
    guint64 count = m->count;
    double sum = m->sum;
    g_mutex_unlock(&m->lock);

    g_string_append_printf(out,
                           "# HELP %s_requests_total %s answered, by %s and %s.\n"
                           "# TYPE %s_requests_total counter\n",
                           s->prefix, s->what, s->label[0], s->label[1], s->prefix);
    for (guint a = 0; a < s->n_values[0]; a++)
        for (guint b = 0; b < s->n_values[1]; b++)
            g_string_append_printf(out, "%s_requests_total{%s=\"%s\",%s=\"%s\"} %" G_GUINT64_FORMAT
                                        "\n",
                                   s->prefix, s->label[0], s->values[0][a], s->label[1],
                                   s->values[1][b], requests[(gsize)a * s->n_values[1] + b]);
    g_string_append_printf(out,
                           "# HELP %s_request_duration_seconds Time from a request's arrival to "
                           "its answer.\n# TYPE %s_request_duration_seconds histogram\n",
                           s->prefix, s->prefix);
    guint64 cumulative = 0;
    for (guint i = 0; i < N_BOUNDS; i++) {
        cumulative += buckets[i];
        char le[TRACUU_PROTOCOL_DOUBLE_BUF];
        tracuu_protocol_format_double(latency_bounds[i], le);
        g_string_append_printf(out,
                               "%s_request_duration_seconds_bucket{le=\"%s\"} %" G_GUINT64_FORMAT
                               "\n",
                               s->prefix, le, cumulative);
    }
    char sum_text[TRACUU_PROTOCOL_DOUBLE_BUF];
    tracuu_protocol_format_double(sum, sum_text);
    g_string_append_printf(out,
                           "%s_request_duration_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n"
                           "%s_request_duration_seconds_sum %s\n"
                           "%s_request_duration_seconds_count %" G_GUINT64_FORMAT "\n",
                           s->prefix, count, s->prefix, sum_text, s->prefix, count);
}

void
tracuu_metrics_append_index(JsonObject *stats, GString *out)
{
    g_string_append_printf(out,
                           "# HELP tracuu_documents Documents in the index that the caller may "
                           "see.\n# TYPE tracuu_documents gauge\ntracuu_documents %" G_GINT64_FORMAT
                           "\n",
                           json_object_get_int_member_with_default(stats, "docs", 0));
    /* The revision is the whole index's: stats gives it to admins only, and so do these. */
    if (json_object_has_member(stats, "revision"))
        g_string_append_printf(out,
                               "# HELP tracuu_index_revision The revision of the index read.\n"
                               "# TYPE tracuu_index_revision gauge\n"
                               "tracuu_index_revision %" G_GINT64_FORMAT "\n",
                               json_object_get_int_member(stats, "revision"));
}
