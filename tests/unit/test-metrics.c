/* test-metrics.c - the request counters and latency histogram behind /metrics (metrics.h). */
#include <string.h>

#include <glib.h>

#include "metrics.h"

static const char *const ops[] = {"search", "get", "other"};
static const char *const codes[] = {"ok", "not_found", "other"};
static const tracuu_metrics_spec spec = {
    .prefix = "tracuu_test",
    .what = "Test requests",
    .label = {"op", "code"},
    .values = {ops, codes},
    .n_values = {G_N_ELEMENTS(ops), G_N_ELEMENTS(codes)},
};

/* The value of the series @series (its whole name with labels) in @text, or -1. */
static gint64
series(const char *text, const char *name)
{
    g_autofree char *start = g_strdup_printf("\n%s ", name);
    const char *p = strstr(text, start);
    return p ? g_ascii_strtoll(p + strlen(start), NULL, 10) : -1;
}

static char *
format(tracuu_metrics *m)
{
    GString *out = g_string_new("\n");
    tracuu_metrics_append(m, out);
    return g_string_free(out, FALSE);
}

/* A value outside its table, NULL included, is counted under the catch-all. */
static void
test_index(void)
{
    g_autoptr(tracuu_metrics) m = tracuu_metrics_new(&spec);
    static const struct {
        guint label;
        const char *value;
        guint index;
    } cases[] = {
        {0, "search", 0}, {0, "get", 1},       {0, "other", 2}, {0, "auth", 2},
        {0, NULL, 2},     {1, "not_found", 1}, {1, "", 2},      {1, "ok", 0},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpuint(tracuu_metrics_index(m, cases[i].label, cases[i].value), ==,
                         cases[i].index);
}

/* Counts land in their own cell, out-of-range indices in the catch-all, and the text has
 * every cell, a cumulative histogram ending in +Inf = count, and the sum. */
static void
test_count_and_format(void)
{
    g_autoptr(tracuu_metrics) m = tracuu_metrics_new(&spec);
    gint64 now = g_get_monotonic_time();
    for (int i = 0; i < 3; i++)
        tracuu_metrics_count(m, 0, 0, now);
    tracuu_metrics_count(m, 1, 1, now - 30 * 1000);            /* 30 ms ago */
    tracuu_metrics_count(m, 99, 99, now - 20 * G_USEC_PER_SEC); /* beyond the last bucket */
    g_assert_cmpuint(tracuu_metrics_get(m, 0, 0), ==, 3);
    g_assert_cmpuint(tracuu_metrics_get(m, 2, 2), ==, 1);
    g_autofree char *text = format(m);
    g_assert_cmpint(series(text, "tracuu_test_requests_total{op=\"search\",code=\"ok\"}"), ==, 3);
    g_assert_cmpint(series(text, "tracuu_test_requests_total{op=\"get\",code=\"not_found\"}"), ==,
                    1);
    g_assert_cmpint(series(text, "tracuu_test_requests_total{op=\"other\",code=\"other\"}"), ==,
                    1);
    g_assert_cmpint(series(text, "tracuu_test_requests_total{op=\"get\",code=\"ok\"}"), ==, 0);
    g_assert_nonnull(strstr(text, "# TYPE tracuu_test_requests_total counter\n"));
    g_assert_nonnull(strstr(text, "# TYPE tracuu_test_request_duration_seconds histogram\n"));
    /* The three quick ones are under 25 ms; with the 30 ms one, under 50 ms; the 20 s one
     * only under +Inf. */
    g_assert_cmpint(series(text, "tracuu_test_request_duration_seconds_bucket{le=\"0.025\"}"), ==,
                    3);
    g_assert_cmpint(series(text, "tracuu_test_request_duration_seconds_bucket{le=\"0.05\"}"), ==,
                    4);
    g_assert_cmpint(series(text, "tracuu_test_request_duration_seconds_bucket{le=\"10.0\"}"), ==,
                    4);
    g_assert_cmpint(series(text, "tracuu_test_request_duration_seconds_bucket{le=\"+Inf\"}"), ==,
                    5);
    g_assert_cmpint(series(text, "tracuu_test_request_duration_seconds_count"), ==, 5);
    g_assert_cmpint(series(text, "tracuu_test_request_duration_seconds_sum"), >=, 20);
}

/* Many threads counting at once lose no request. */
static gpointer
count_many(gpointer data)
{
    for (int i = 0; i < 10000; i++)
        tracuu_metrics_count(data, 0, 1, g_get_monotonic_time());
    return NULL;
}

static void
test_threads(void)
{
    g_autoptr(tracuu_metrics) m = tracuu_metrics_new(&spec);
    GThread *t[4];
    for (gsize i = 0; i < G_N_ELEMENTS(t); i++)
        t[i] = g_thread_new("count", count_many, m);
    for (gsize i = 0; i < G_N_ELEMENTS(t); i++)
        g_thread_join(t[i]);
    g_assert_cmpuint(tracuu_metrics_get(m, 0, 1), ==, 40000);
}

/* The index gauges: documents always, the revision only when stats gives it. */
static void
test_index_gauges(void)
{
    g_autoptr(JsonObject) admin = json_object_new();
    json_object_set_int_member(admin, "docs", 42);
    json_object_set_int_member(admin, "revision", 7);
    g_autoptr(GString) out = g_string_new("\n");
    tracuu_metrics_append_index(admin, out);
    g_assert_cmpint(series(out->str, "tracuu_documents"), ==, 42);
    g_assert_cmpint(series(out->str, "tracuu_index_revision"), ==, 7);
    json_object_remove_member(admin, "revision");
    g_string_assign(out, "\n");
    tracuu_metrics_append_index(admin, out);
    g_assert_cmpint(series(out->str, "tracuu_index_revision"), ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/metrics/index", test_index);
    g_test_add_func("/metrics/count and format", test_count_and_format);
    g_test_add_func("/metrics/threads", test_threads);
    g_test_add_func("/metrics/index gauges", test_index_gauges);
    return g_test_run();
}
