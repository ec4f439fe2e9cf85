/* report.c - what a run tells: the progress line and the summary, as text or JSON. */
#include "indexer-private.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

void
tracuu_report_item_free(report_item *it)
{
    g_free(it->path);
    g_free(it->reason);
    g_free(it);
}

void
tracuu_report_add(GPtrArray *list, const char *path, const char *reason)
{
    report_item *it = g_new0(report_item, 1);
    it->path = g_utf8_make_valid(path, -1);
    it->reason = g_utf8_make_valid(reason != NULL ? reason : "unknown", -1);
    g_ptr_array_add(list, it);
}

static GPtrArray *
new_items(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_report_item_free);
}

void
tracuu_run_init(run *r, const tracuu_indexer_options *opts)
{
    memset(r, 0, sizeof *r);
    r->rs.opts = opts;
    g_mutex_init(&r->rs.build_lock);
    r->started = g_get_monotonic_time();
    r->walk_failures = new_items();
    r->walk_skips = new_items();
    r->still_failed = new_items();
    r->rs.failures = new_items();
    r->rs.skips = new_items();
    r->rs.jsonl_bad = new_items();
    r->files = g_ptr_array_new();
}

void
tracuu_run_clear(run *r)
{
    g_free(r->compact_note);
    g_free(r->shard_error);
    if (r->per_shard != NULL)
        json_array_unref(r->per_shard);
    g_free(r->rs.fatal_message);
    if (r->rs.build_q != NULL)
        g_async_queue_unref(r->rs.build_q);
    if (r->rs.write_q != NULL)
        g_async_queue_unref(r->rs.write_q);
    g_ptr_array_free(r->walk_failures, TRUE);
    g_ptr_array_free(r->walk_skips, TRUE);
    g_ptr_array_free(r->still_failed, TRUE);
    g_ptr_array_free(r->rs.failures, TRUE);
    g_ptr_array_free(r->rs.skips, TRUE);
    g_ptr_array_free(r->rs.jsonl_bad, TRUE);
    g_ptr_array_free(r->files, TRUE);
    g_mutex_clear(&r->rs.build_lock);
}

void
tracuu_report_progress(run *r, guint total, gboolean final)
{
    if (!r->progress)
        return;
    gint64 now = g_get_monotonic_time();
    if (!final && now - r->last_progress < 250000)
        return;
    r->last_progress = now;
    guint done = (guint)g_atomic_int_get(&r->rs.files_done);
    guint relabelled = (guint)g_atomic_int_get(&r->rs.relabelled);
    if (r->rs.opts->summary_fd >= 0) {
        /* A shard's child: its parent shows one line for all (tracuu_shards_run()). */
        char line[96];
        int n = g_snprintf(line, sizeof line, TRACUU_SHARDS_PROGRESS " %u %u %u\n", done, total,
                           relabelled);
        if (write(r->rs.opts->summary_fd, line, (size_t)n) < 0)
            r->progress = FALSE; /* the parent is gone */
        return;
    }
    double secs = (double)(now - r->started) / G_USEC_PER_SEC;
    double rate = secs > 0 ? done / secs : 0;
    char left[32] = "?";
    if (rate > 0) {
        guint s = (guint)((total - done) / rate);
        g_snprintf(left, sizeof left, "%u:%02u", s / 60, s % 60);
    }
    fprintf(stderr, "\r\033[Kindexing: %u/%u files, %.1f files/s, %s left", done, total, rate,
            left);
    if (relabelled > 0)
        fprintf(stderr, ", %u relabelled", relabelled);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

static void
json_add_items(JsonBuilder *b, const char *name, GPtrArray *items, const char *path_name)
{
    json_builder_set_member_name(b, name);
    json_builder_begin_array(b);
    for (guint i = 0; i < items->len; i++) {
        report_item *it = items->pdata[i];
        json_builder_begin_object(b);
        json_builder_set_member_name(b, path_name);
        if (strcmp(path_name, "line") == 0)
            json_builder_add_int_value(b, g_ascii_strtoll(it->path, NULL, 10));
        else
            json_builder_add_string_value(b, it->path);
        json_builder_set_member_name(b, "reason");
        json_builder_add_string_value(b, it->reason);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void
json_add_uint(JsonBuilder *b, const char *name, guint64 v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, (gint64)v);
}

static void
print_items_noted(GPtrArray *items, const char *label, const char *note)
{
    for (guint i = 0; i < items->len; i++) {
        report_item *it = items->pdata[i];
        g_print("  %s%s: %s%s\n", label, it->path, it->reason, note);
    }
}

static void
print_items(GPtrArray *items, const char *label)
{
    print_items_noted(items, label, "");
}

/* "1.1 GB -> 845.2 MB": the sizes before and after, each as g_format_size() writes it. */
static char *
format_sizes(guint64 before, guint64 after)
{
    g_autofree char *a = g_format_size(before);
    g_autofree char *b = g_format_size(after);
    return g_strdup_printf("%s -> %s", a, b);
}

static void
json_add_compact(run *r, JsonBuilder *b)
{
    json_builder_set_member_name(b, "compact");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "done");
    json_builder_add_boolean_value(b, r->compacted);
    if (r->compacted) {
        json_builder_set_member_name(b, "replaced");
        json_builder_add_boolean_value(b, r->compact_stats.replaced);
        json_add_uint(b, "size_before", r->compact_stats.size_before);
        json_add_uint(b, "size_after", r->compact_stats.size_after);
        json_add_uint(b, "documents", r->compact_stats.doc_count);
        json_builder_set_member_name(b, "seconds");
        json_builder_add_double_value(b, r->compact_stats.seconds);
    }
    if (r->compact_note != NULL) {
        json_builder_set_member_name(b, r->compacted ? "warning" : "error");
        json_builder_add_string_value(b, r->compact_note);
    }
    json_builder_end_object(b);
}

static void
print_compact(run *r)
{
    double secs = r->compact_stats.seconds;
    if (r->compacted && !r->compact_stats.replaced) {
        g_autofree char *size = g_format_size(r->compact_stats.size_before);
        g_print("compacted:   no need, already compact (%s; checked in %.*f s)\n", size,
                secs >= 1 ? 1 : 2, secs);
    } else if (r->compacted) {
        g_autofree char *sizes =
            format_sizes(r->compact_stats.size_before, r->compact_stats.size_after);
        g_print("compacted:   %s in %.*f s\n", sizes, secs >= 1 ? 1 : 2, secs);
        if (r->compact_note != NULL)
            g_print("  warning: %s\n", r->compact_note);
    } else {
        g_print("compacted:   no: %s\n", r->compact_note);
    }
}

/* The object (or array) member @name of @o, or NULL: this json-glib has no _with_default. */
static JsonObject *
object_member(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *
array_member(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    return n != NULL && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

/* One line a shard under a "shards:" line, from the objects tracuu_report_merge() kept. */
static void
print_shards(run *r)
{
    if (r->n_shards == 0)
        return;
    g_print("shards:      %u\n", r->n_shards);
    for (guint i = 0; i < json_array_get_length(r->per_shard); i++) {
        JsonObject *o = json_array_get_object_element(r->per_shard, i);
        g_autoptr(GString) line = g_string_new(NULL);
        g_string_append_printf(line, "  %s: ", json_object_get_string_member(o, "shard"));
        /* --compact alone has no files to count. */
        if (!r->compact_only)
            g_string_append_printf(
                line,
                "%" G_GINT64_FORMAT " seen, %" G_GINT64_FORMAT " indexed, %" G_GINT64_FORMAT
                " removed, %" G_GINT64_FORMAT " failed, %" G_GINT64_FORMAT " documents added; ",
                json_object_get_int_member(o, "seen"), json_object_get_int_member(o, "indexed"),
                json_object_get_int_member(o, "removed"), json_object_get_int_member(o, "failed"),
                json_object_get_int_member(o, "documents"));
        JsonObject *c = object_member(o, "compact");
        if (c != NULL && json_object_get_boolean_member_with_default(c, "done", FALSE)) {
            g_autofree char *sizes =
                format_sizes((guint64)json_object_get_int_member_with_default(c, "size_before", 0),
                             (guint64)json_object_get_int_member_with_default(c, "size_after", 0));
            gboolean replaced = json_object_get_boolean_member_with_default(c, "replaced", FALSE);
            g_string_append_printf(line, replaced ? "compacted %s" : "already compact (%s)", sizes);
        } else if (c != NULL) {
            g_string_append_printf(line, "not compacted: %s",
                                   json_object_get_string_member_with_default(c, "error", "?"));
        }
        const char *error = json_object_get_string_member_with_default(o, "error", NULL);
        if (error != NULL)
            g_string_append_printf(line, "%serror: %s", c != NULL ? "; " : "", error);
        /* No "; " left hanging at the end. */
        if (g_str_has_suffix(line->str, "; "))
            g_string_truncate(line, line->len - 2);
        g_print("%s\n", line->str);
    }
}

static guint64
member_uint(JsonObject *o, const char *name)
{
    gint64 v = json_object_get_int_member_with_default(o, name, 0);
    return v > 0 ? (guint64)v : 0;
}

/* The items of the array @name of @o ({path|line, reason}) into @list. */
static void
merge_items(GPtrArray *list, JsonObject *o, const char *name, const char *path_name)
{
    JsonArray *a = array_member(o, name);
    for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
        JsonObject *it = json_array_get_object_element(a, i);
        if (it == NULL)
            continue;
        g_autofree char *line = NULL;
        const char *path;
        if (strcmp(path_name, "line") == 0)
            path = line = g_strdup_printf("%" G_GINT64_FORMAT,
                                          json_object_get_int_member_with_default(it, "line", 0));
        else
            path = json_object_get_string_member_with_default(it, path_name, "?");
        tracuu_report_add(list, path,
                          json_object_get_string_member_with_default(it, "reason", NULL));
    }
}

void
tracuu_report_merge(run *r, const char *shard, JsonObject *o)
{
    run_state *rs = &r->rs;
    r->n_seen += (guint)member_uint(o, "seen");
    rs->indexed += (guint)member_uint(o, "indexed");
    r->n_unchanged += (guint)member_uint(o, "unchanged");
    rs->removed += (guint)member_uint(o, "removed");
    g_atomic_int_add(&rs->relabelled, (gint)member_uint(o, "relabelled"));
    rs->relabelled_documents += member_uint(o, "relabelled_documents");
    rs->documents += member_uint(o, "documents");
    rs->file_documents += member_uint(o, "file_documents");
    rs->commits += (guint)member_uint(o, "commits");
    /* The child's failed and skipped counts take in its walk's; so do its lists. */
    rs->failed += (guint)member_uint(o, "failed");
    rs->skipped += (guint)member_uint(o, "skipped");
    merge_items(rs->failures, o, "failures", "path");
    merge_items(rs->skips, o, "skips", "path");
    merge_items(r->still_failed, o, "unchanged_failures", "path");
    JsonObject *j = object_member(o, "jsonl");
    if (j != NULL) {
        r->jsonl_lines += (guint)member_uint(j, "lines");
        rs->jsonl_imported += (guint)member_uint(j, "imported");
        merge_items(rs->jsonl_bad, j, "bad_lines", "line");
    }
    JsonObject *c = object_member(o, "compact");
    if (c != NULL) {
        gboolean done = json_object_get_boolean_member_with_default(c, "done", FALSE);
        r->compacted = r->compact_tried ? r->compacted && done : done;
        r->compact_tried = TRUE;
        tracuu_store_compact_stats *cs = &r->compact_stats;
        cs->replaced =
            cs->replaced || json_object_get_boolean_member_with_default(c, "replaced", FALSE);
        cs->size_before += member_uint(c, "size_before");
        cs->size_after += member_uint(c, "size_after");
        cs->doc_count += member_uint(c, "documents");
        /* The shards are compacted side by side: the whole took as long as the longest. */
        cs->seconds = MAX(cs->seconds, json_object_get_double_member_with_default(c, "seconds", 0));
        const char *note = json_object_get_string_member_with_default(
            c, "error", json_object_get_string_member_with_default(c, "warning", NULL));
        if (note != NULL && r->compact_note == NULL)
            r->compact_note = g_strdup_printf("%s: %s", shard, note);
    }
    const char *error = json_object_get_string_member_with_default(o, "error", NULL);
    if (error != NULL && r->shard_error == NULL)
        r->shard_error = g_strdup_printf("%s: %s", shard, error);
    gint64 sig = json_object_get_int_member_with_default(o, "signal", 0);
    if (sig > 0 && !tracuu_indexer_interrupted)
        tracuu_indexer_interrupted = (sig_atomic_t)sig;
    /* The shard's own line. */
    if (r->per_shard == NULL)
        r->per_shard = json_array_new();
    JsonObject *line = json_object_new();
    json_object_set_string_member(line, "shard", shard);
    const char *const counts[] = {"seen",   "indexed",   "unchanged",  "removed",
                                  "failed", "documents", "exit_status"};
    for (gsize i = 0; i < G_N_ELEMENTS(counts); i++)
        json_object_set_int_member(line, counts[i], (gint64)member_uint(o, counts[i]));
    if (c != NULL)
        json_object_set_object_member(line, "compact", json_object_ref(c));
    if (error != NULL)
        json_object_set_string_member(line, "error", error);
    json_array_add_object_element(r->per_shard, line);
}

static int
compare_items(gconstpointer a, gconstpointer b)
{
    const report_item *x = *(report_item *const *)a, *y = *(report_item *const *)b;
    return strcmp(x->path, y->path);
}

void
tracuu_report_summary(run *r, double elapsed, const char *fatal, int status)
{
    run_state *rs = &r->rs;
    const tracuu_indexer_options *opts = rs->opts;
    /* Workers finish in any order; the report does not. */
    g_ptr_array_sort(rs->failures, compare_items);
    g_ptr_array_sort(rs->skips, compare_items);
    g_ptr_array_sort(r->still_failed, compare_items);
    guint failed = rs->failed + r->walk_failures->len;
    guint skipped = rs->skipped + r->walk_skips->len;
    /* A shard's child writes its summary for the parent to merge (tracuu_report_merge()). */
    gboolean for_parent = opts->summary_fd >= 0;
    if (opts->json || for_parent) {
        /* With --compact alone the file counters are there too, as 0: one shape to parse. */
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_add_uint(b, "seen", r->n_seen);
        json_add_uint(b, "indexed", rs->indexed);
        json_add_uint(b, "unchanged", r->n_unchanged);
        json_add_uint(b, "removed", rs->removed);
        json_add_uint(b, "relabelled", (guint)g_atomic_int_get(&rs->relabelled));
        json_add_uint(b, "relabelled_documents", rs->relabelled_documents);
        json_add_uint(b, "failed", failed);
        json_add_uint(b, "still_failing", r->still_failed->len);
        json_add_uint(b, "skipped", skipped);
        json_add_uint(b, "documents", rs->documents);
        json_builder_set_member_name(b, "backup_wait");
        json_builder_add_double_value(b, rs->held_seconds);
        json_builder_set_member_name(b, "elapsed");
        json_builder_add_double_value(b, elapsed);
        g_autoptr(GPtrArray) all_failed = g_ptr_array_new();
        g_ptr_array_extend(all_failed, r->walk_failures, NULL, NULL);
        g_ptr_array_extend(all_failed, rs->failures, NULL, NULL);
        json_add_items(b, "failures", all_failed, "path");
        g_autoptr(GPtrArray) all_skipped = g_ptr_array_new();
        g_ptr_array_extend(all_skipped, r->walk_skips, NULL, NULL);
        g_ptr_array_extend(all_skipped, rs->skips, NULL, NULL);
        json_add_items(b, "skips", all_skipped, "path");
        json_add_items(b, "unchanged_failures", r->still_failed, "path");
        if (opts->jsonl != NULL) {
            json_builder_set_member_name(b, "jsonl");
            json_builder_begin_object(b);
            json_add_uint(b, "lines", r->jsonl_lines);
            json_add_uint(b, "imported", rs->jsonl_imported);
            json_add_uint(b, "bad", rs->jsonl_bad->len);
            json_add_items(b, "bad_lines", rs->jsonl_bad, "line");
            json_builder_end_object(b);
        }
        if (r->compact_tried)
            json_add_compact(r, b);
        if (r->n_shards > 0) {
            json_add_uint(b, "shards", r->n_shards);
            json_builder_set_member_name(b, "per_shard");
            json_builder_add_value(b, json_node_init_array(json_node_alloc(), r->per_shard));
        }
        if (for_parent) {
            /* What the parent's text summary needs beside the members above. */
            json_add_uint(b, "file_documents", rs->file_documents);
            json_add_uint(b, "commits", rs->commits);
            json_add_uint(b, "signal", (guint64)tracuu_indexer_interrupted);
        }
        if (fatal != NULL) {
            json_builder_set_member_name(b, "error");
            json_builder_add_string_value(b, fatal);
        }
        if (tracuu_indexer_interrupted) {
            json_builder_set_member_name(b, "interrupted");
            json_builder_add_boolean_value(b, TRUE);
        }
        json_add_uint(b, "exit_status", (guint64)status);
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *text = json_to_string(root, !for_parent);
        if (!for_parent) {
            g_print("%s\n", text);
            return;
        }
        /* A parent that is gone reads nothing: there is nobody to tell. */
        g_autofree char *line = g_strconcat(text, "\n", NULL);
        for (size_t done = 0, len = strlen(line); done < len;) {
            ssize_t n = write(opts->summary_fd, line + done, len - done);
            if (n <= 0)
                break;
            done += (size_t)n;
        }
        return;
    }
    if (opts->quiet && status == EXIT_ALL_OK)
        return;
    if (r->compact_only) {
        if (r->compact_tried)
            print_compact(r);
        print_shards(r);
        if (tracuu_indexer_interrupted)
            g_print("interrupted: by signal %d; the index is as it was\n",
                    (int)tracuu_indexer_interrupted);
        g_print("elapsed:     %.2f s\n", elapsed);
        return;
    }
    g_print("files seen:  %u\n", r->n_seen);
    g_print("indexed:     %u (%" G_GUINT64_FORMAT " documents)\n", rs->indexed, rs->file_documents);
    g_print("unchanged:   %u\n", r->n_unchanged);
    g_print("removed:     %u\n", rs->removed);
    g_print("relabelled:  %u (%" G_GUINT64_FORMAT " documents; unchanged files, not read again)\n",
            (guint)g_atomic_int_get(&rs->relabelled), rs->relabelled_documents);
    /* Files that failed before and were not retried make the exit status 1 as well: the line
     * that counts failures says so, lest "failed: 0" come with a status of 1. */
    guint still = r->still_failed->len;
    if (still > 0)
        g_print("failed:      %u, and %u still failing from %s (unchanged, not retried)\n", failed,
                still, still == 1 ? "an earlier run" : "earlier runs");
    else
        g_print("failed:      %u\n", failed);
    print_items(r->walk_failures, "");
    print_items(rs->failures, "");
    print_items_noted(r->still_failed, "", " (in an earlier run; unchanged since)");
    g_print("skipped:     %u\n", skipped);
    print_items(r->walk_skips, "");
    print_items(rs->skips, "");
    if (opts->jsonl != NULL) {
        g_print("json lines:  %u read, %u imported, %u bad\n", r->jsonl_lines, rs->jsonl_imported,
                rs->jsonl_bad->len);
        print_items(rs->jsonl_bad, "line ");
    }
    if (r->compact_tried)
        print_compact(r);
    print_shards(r);
    if (rs->held_seconds >= 0.01)
        g_print("backup wait: %.2f s (commits waited for a backup's copy)\n", rs->held_seconds);
    if (tracuu_indexer_interrupted)
        g_print("interrupted: by signal %d; what was done is kept, the next run does the rest\n",
                (int)tracuu_indexer_interrupted);
    g_print("elapsed:     %.2f s\n", elapsed);
    if (opts->verbose) {
        struct rusage self, children;
        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        g_print("commits:     %u, %.2f s in all\n", rs->commits, rs->wall_commit);
        g_print("cpu:         writer %.2f s adding + %.2f s committing, builders %.2f s, "
                "workers %.2f s, this process %.2f s\n",
                rs->cpu_apply, rs->cpu_commit, (double)rs->cpu_build_ns / 1e9,
                children.ru_utime.tv_sec + children.ru_stime.tv_sec +
                    (children.ru_utime.tv_usec + children.ru_stime.tv_usec) / 1e6,
                self.ru_utime.tv_sec + self.ru_stime.tv_sec +
                    (self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6);
    }
}
