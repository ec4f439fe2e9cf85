/* tracuu-indexer.c - files and JSON lines into the tracuu index, incrementally and safely. */
#include "indexer-private.h"
#include "watch.h"

#include "extract-ocr.h"

#include "tracuu-cli.h"
#include "tracuu-config.h"
#include "tracuu-log.h"
#include "tracuu-schema-rules.h"
#include "tracuu-store-compact.h"
#include "tracuu-store.h"
#include "tracuu-tokenizer.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- options ---- */

/* The options of this process, filled by the table below; main() hands them down. */
static tracuu_indexer_options options = {
    .timeout = 120,
    .cpu_limit = 60,
    .memory_mb = 2048,
    .batch = 250,
    .ocr_max_pages = -1, /* not given: [index] ocr-max-pages, else 50 */
    .summary_fd = -1,
};

static const GOptionEntry option_entries[] = {
    {"db", 'd', 0, G_OPTION_ARG_FILENAME, &options.db, "The index folder (created if missing)",
     "DIR"},
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &options.config,
     "Read [index] db and [access] map from FILE (see docs/tracuu.conf.md); options override it",
     "FILE"},
    {"access-map", 0, 0, G_OPTION_ARG_FILENAME, &options.access_map,
     "Give files the access labels and level of the first rule of FILE matching their path "
     "(docs/access-control.md); overrides [access] map",
     "FILE"},
    {"from-jsonl", 0, 0, G_OPTION_ARG_FILENAME, &options.jsonl,
     "Import documents from FILE, one JSON object per line (id, title, text, metadata)", "FILE"},
    {"jobs", 'j', 0, G_OPTION_ARG_INT, &options.jobs,
     "Extraction worker processes (default: number of cores)", "N"},
    {"rebuild", 0, 0, G_OPTION_ARG_NONE, &options.rebuild,
     "Empty the index first (needed when it was built by another schema or tokenizer version)",
     NULL},
    {"json", 0, 0, G_OPTION_ARG_NONE, &options.json, "Print the summary as JSON", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &options.quiet,
     "No progress; print the summary only when something failed", NULL},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose,
     "Name every file as it is indexed and show the extractors' own messages", NULL},
    {"exclude", 'x', 0, G_OPTION_ARG_FILENAME_ARRAY, &options.excludes,
     "Skip files and folders whose name matches GLOB (a path if GLOB has a /); repeatable", "GLOB"},
    {"follow-symlinks", 'L', 0, G_OPTION_ARG_NONE, &options.follow,
     "Follow symbolic links inside the given folders (cycles are detected)", NULL},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout,
     "Give up on a file after SECONDS of wall-clock time (default 120)", "SECONDS"},
    {"cpu-limit", 0, 0, G_OPTION_ARG_INT, &options.cpu_limit,
     "Give up on a file after SECONDS of CPU time (default 60; 0: none)", "SECONDS"},
    {"memory-limit", 0, 0, G_OPTION_ARG_INT, &options.memory_mb,
     "Address-space limit of each worker in MiB (default 2048; 0: none; one too low for a worker "
     "to start is refused)",
     "MIB"},
    {"batch", 0, 0, G_OPTION_ARG_INT, &options.batch,
     "Commit at least every N documents (default 250; also every 5 seconds)", "N"},
    {"compact", 0, 0, G_OPTION_ARG_NONE, &options.compact,
     "Compact the index after the run, or alone without PATHs (Xapian's advice after a bulk load)",
     NULL},
    {"watch", 0, 0, G_OPTION_ARG_NONE, &options.watch,
     "Index the PATHs, then follow them with inotify and index what changes, until SIGTERM",
     NULL},
    {"shards", 0, 0, G_OPTION_ARG_INT, &options.shards,
     "Make a new index of N shards written in parallel (N >= 2; later runs keep N); each file "
     "goes to the shard its key hashes to",
     "N"},
    {"shard", 0, 0, G_OPTION_ARG_STRING, &options.shard,
     "Write this run into the shard NAME of a sharded index (made and listed if new), for a "
     "province or a year",
     "NAME"},
    {"internal-shard", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &options.internal_shard, NULL,
     NULL},
    {"internal-summary-fd", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &options.summary_fd, NULL,
     NULL},
    {"ocr", 0, 0, G_OPTION_ARG_STRING, &options.ocr,
     "Read scanned pages and images with Tesseract: auto (pages without text, the default), "
     "always (every page) or never",
     "MODE"},
    {"ocr-languages", 0, 0, G_OPTION_ARG_STRING, &options.ocr_languages,
     "Tesseract's languages, as vie;eng or vie+eng (default vie)", "LANGS"},
    {"ocr-max-pages", 0, 0, G_OPTION_ARG_INT, &options.ocr_max_pages,
     "Read at most N pages of a file by OCR (default 50; 0: no limit)", "N"},
    {"internal-ocr-cache", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &options.ocr_cache,
     NULL, NULL},
    {"check", 0, 0, G_OPTION_ARG_NONE, &options.check,
     "Check the index (Xapian's tables, versions, documents, file states, relations); exit 0 "
     "only when it is sound",
     NULL},
    {"backup", 0, 0, G_OPTION_ARG_FILENAME, &options.backup,
     "Copy the index at one revision into the new folder DEST while it is in use, then check "
     "the copy",
     "DEST"},
    {"restore", 0, 0, G_OPTION_ARG_FILENAME, &options.restore,
     "Check the backup SRC and put a copy of it in place of the index, atomically", "SRC"},
    {"version", 0, 0, G_OPTION_ARG_NONE, &options.version, "Print the version and exit", NULL},
    {"internal-worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &options.worker, NULL, NULL},
    {"internal-self-test", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &options.self_test, NULL,
     NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

volatile sig_atomic_t tracuu_indexer_interrupted;

static void
on_interrupt(int sig)
{
    tracuu_indexer_interrupted = sig;
}

/* ---- the index: opening, versions, state ---- */

static bool
collect_key(const char *key, const char *value, size_t len, void *user_data)
{
    g_ptr_array_add(user_data, g_strdup(key));
    return TRUE;
}

static bool
collect_term(const char *term, size_t len, uint64_t doc_freq, void *user_data)
{
    g_ptr_array_add(user_data, g_strndup(term, len));
    return TRUE;
}

/* Empties @store: every document (all carry a "Q" id term) and every metadata key. */
static gboolean
empty_index(tracuu_store *store, char **message)
{
    g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    if (tracuu_store_list_terms(store, TRACUU_PREFIX_ID, collect_term, terms) != TRACUU_STORE_OK ||
        tracuu_store_list_metadata(store, "", collect_key, keys) != TRACUU_STORE_OK)
        goto fail;
    for (guint i = 0; i < terms->len; i++)
        if (tracuu_store_delete(store, terms->pdata[i]) != TRACUU_STORE_OK)
            goto fail;
    for (guint i = 0; i < keys->len; i++)
        if (tracuu_store_set_metadata(store, keys->pdata[i], "", 0) != TRACUU_STORE_OK)
            goto fail;
    if (tracuu_store_commit(store) != TRACUU_STORE_OK)
        goto fail;
    return TRUE;
fail:
    *message = g_strdup_printf("cannot empty the index: %s", tracuu_store_get_error(store));
    return FALSE;
}

/*
 * Checks that @store was built by this schema and tokenizer (or is new, or --rebuild empties
 * it) and records the versions. FALSE with *@message when the index cannot be used.
 */
static gboolean
check_versions(tracuu_store *store, gboolean rebuild, char **message)
{
    g_autofree char *why = NULL;
    tracuu_schema_index_state state = tracuu_schema_index_check(store, &why);
    if (state == TRACUU_SCHEMA_INDEX_UNREADABLE) {
        *message = g_strdup_printf("cannot read the index metadata: %s", why);
        return FALSE;
    }
    gboolean fresh =
        state == TRACUU_SCHEMA_INDEX_UNVERSIONED && tracuu_store_get_doc_count(store) == 0;
    gboolean same = state == TRACUU_SCHEMA_INDEX_CURRENT;
    if (rebuild) {
        if (!empty_index(store, message))
            return FALSE;
    } else if (!fresh && !same) {
        if (state == TRACUU_SCHEMA_INDEX_UNVERSIONED)
            *message = g_strdup("the index was not made by tracuu-indexer (no schema version);"
                                " run again with --rebuild to replace its contents");
        else
            *message = g_strdup_printf("the index was %s: it needs a full rebuild from the "
                                       "original files: run again with --rebuild and the same "
                                       "PATHs",
                                       why);
        return FALSE;
    }
    if (!same || rebuild) {
        if (!tracuu_schema_index_set_versions(store) ||
            tracuu_store_commit(store) != TRACUU_STORE_OK) {
            *message = g_strdup_printf("cannot write the index: %s", tracuu_store_get_error(store));
            return FALSE;
        }
    }
    return TRUE;
}

static bool
collect_state(const char *key, const char *value, size_t len, void *user_data)
{
    GHashTable *states = user_data;
    const char *hex = key + strlen(TRACUU_META_FILE_PREFIX);
    tracuu_file_state *st = tracuu_state_parse(value, len);
    if (st != NULL && strlen(hex) == 40)
        g_hash_table_insert(states, g_strdup(hex), st);
    else
        tracuu_file_state_free(st);
    return TRUE;
}

/* ---- --compact ---- */

static void
compact_progress(const char *table, const char *status, void *user_data)
{
    run *r = user_data;
    /* Not a shard's child: the compactions of all the shards would share one line. */
    if (r->progress && status[0] == '\0' && r->rs.opts->summary_fd < 0) {
        fprintf(stderr, "\r\033[Kcompacting: the %s table", table);
        fflush(stderr);
    }
    /* Xapian says what each table saved ("Reduced by 56% ..."). */
    if (r->rs.opts->verbose && !r->rs.opts->json && status[0] != '\0')
        g_print("compacted %s: %s\n", table, status);
}

/*
 * Compacts the index in --db (see tracuu_store_compact()). Sets *@fatal when it failed: the
 * index is then as it was. Interrupted by SIGINT or SIGTERM, it stops and leaves the index as it
 * was too, and that is no failure of the index (the exit status says "interrupted").
 */
static void
compact_index(run *r, char **fatal)
{
    r->compact_tried = TRUE;
    if (tracuu_indexer_interrupted) {
        r->compact_note = g_strdup("not done: the run was interrupted");
        return;
    }
    char *no_room = NULL;
    if (!tracuu_care_room_to_compact(r->rs.opts->db, &no_room)) {
        r->compact_note = no_room;
        *fatal = g_strdup_printf("compaction refused: %s", no_room);
        return;
    }
    tracuu_store_compact_options o = {0};
    o.progress = compact_progress;
    o.cancelled = tracuu_indexer_cancelled;
    o.user_data = r;
    char *msg = NULL;
    tracuu_store_status st = tracuu_store_compact(r->rs.opts->db, &o, &r->compact_stats, &msg);
    if (r->progress) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (st == TRACUU_STORE_OK) {
        r->compacted = TRUE;
        r->compact_note = g_strdup(msg); /* NULL, or the old copy that could not be removed */
    } else if (tracuu_indexer_interrupted) {
        r->compact_note = g_strdup("interrupted; the index is as it was");
    } else {
        /* Unless there was no index to begin with, say that it is still there, unharmed. */
        gboolean kept = st != TRACUU_STORE_NOT_FOUND && st != TRACUU_STORE_INVALID;
        r->compact_note =
            g_strdup_printf("%s (%s)%s", msg != NULL ? msg : "unknown error",
                            tracuu_store_status_name(st), kept ? "; the index is as it was" : "");
        *fatal = g_strdup_printf("compaction failed: %s", r->compact_note);
    }
    free(msg);
}

/*
 * The index moved aside by a compaction killed between its two renames (only on a file system
 * without an atomic exchange, see tracuu_store_compact()): a new, empty index made in its
 * place would hide it. Returns the message that says so, or NULL when all is as usual.
 */
static char *
index_moved_aside(const char *db)
{
    g_autofree char *base = g_strdup(db);
    for (size_t n = strlen(base); n > 1 && base[n - 1] == '/'; n--)
        base[n - 1] = '\0';
    g_autofree char *aside = g_strconcat(base, ".compacting-old", NULL);
    if (g_file_test(base, G_FILE_TEST_EXISTS) || !g_file_test(aside, G_FILE_TEST_IS_DIR))
        return NULL;
    return g_strdup_printf("there is no index in %s, but %s may hold it, moved aside by a "
                           "compaction that was killed: move it back to %s",
                           base, aside, base);
}

/* ---- --watch: each batch is an ordinary run (index_run()) ---- */

static int index_run(tracuu_indexer_options *opts, const tracuu_access_map *map, guint jobs,
                     const char *const *paths, const char *const *watch_roots,
                     tracuu_watch_stats *stats);

/* What the batches of watch mode need, and the configuration SIGHUP replaces. */
typedef struct {
    tracuu_indexer_options *opts;
    guint jobs;
    tracuu_conf *conf;
    tracuu_access_map *own_map;
    const tracuu_access_map *map;
    const char *const *roots; /* as given */
} watch_ctx;

static int
watch_batch(const char *const *changed, const char *const *abs_roots, tracuu_watch_stats *stats,
            void *user_data)
{
    watch_ctx *w = user_data;
    int status = changed == NULL ? index_run(w->opts, w->map, w->jobs, w->roots, NULL, stats)
                                 : index_run(w->opts, w->map, w->jobs, changed, abs_roots, stats);
    /* --rebuild empties the index once, before the first run, not before every batch. */
    if (!stats->locked)
        w->opts->rebuild = FALSE;
    return status;
}

/* SIGHUP: the configuration file and the access map again; the index folder stays. */
static gboolean
watch_reload(void *user_data)
{
    watch_ctx *w = user_data;
    GError *error = NULL;
    tracuu_conf *conf = NULL;
    tracuu_access_map *own_map = NULL;
    if (w->opts->config != NULL && (conf = tracuu_conf_load(w->opts->config, &error)) == NULL)
        goto fail;
    if (w->opts->access_map != NULL &&
        (own_map = tracuu_access_map_load(w->opts->access_map, &error)) == NULL)
        goto fail;
    const char *db = conf != NULL ? tracuu_conf_get_string(conf, "index", "db") : NULL;
    if (db != NULL && g_strcmp0(db, w->opts->db) != 0)
        tracuu_log_warning("[index] db changed in %s: restart to use it", w->opts->config);
    if (conf != NULL) {
        tracuu_conf_free(w->conf);
        w->conf = conf;
    }
    if (own_map != NULL) {
        tracuu_access_map_free(w->own_map);
        w->own_map = own_map;
    }
    w->map = w->own_map != NULL ? w->own_map
                                : (w->conf != NULL ? tracuu_conf_get_access_map(w->conf) : NULL);
    return TRUE;
fail:
    tracuu_log_warning("%s (the configuration in use is kept)", error->message);
    g_error_free(error);
    tracuu_conf_free(conf);
    return FALSE;
}

/* ---- main ---- */

static gboolean
folder_is_missing_or_empty(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    if (dir == NULL)
        return !g_file_test(path, G_FILE_TEST_EXISTS);
    gboolean empty = g_dir_read_name(dir) == NULL;
    g_dir_close(dir);
    return empty;
}

static int
usage_error(GOptionContext *ctx, const char *message)
{
    g_printerr("tracuu-indexer: %s\n", message);
    g_printerr("Try 'tracuu-indexer --help'.\n");
    g_option_context_free(ctx);
    return EXIT_USAGE;
}

static void
free_options(tracuu_indexer_options *opts)
{
    g_free(opts->db);
    g_free(opts->config);
    g_free(opts->access_map);
    g_free(opts->jsonl);
    g_free(opts->backup);
    g_free(opts->restore);
    g_strfreev(opts->excludes);
    g_free(opts->ocr);
    g_free(opts->ocr_languages);
    g_free(opts->ocr_cache);
    g_free(opts->shard);
    g_free(opts->internal_shard);
    g_free(opts->top_db);
}

/*
 * The OCR options of the run: the command line over [index] ocr, ocr-languages and
 * ocr-max-pages of @conf (may be NULL) over the defaults (auto, vie, 50). FALSE with *@why
 * (g_free) for a bad value.
 */
static gboolean
resolve_ocr_options(tracuu_indexer_options *opts, const tracuu_conf *conf, char **why)
{
    const char *mode = opts->ocr;
    if (mode == NULL && conf != NULL)
        mode = tracuu_conf_get_string(conf, "index", "ocr");
    tracuu_ocr_mode m;
    if (mode != NULL && !tracuu_ocr_mode_parse(mode, &m)) {
        if (opts->ocr == NULL)
            *why = g_strdup_printf("%s:%u: [index] ocr: \"%s\" is not auto, always or never",
                                   tracuu_conf_get_path(conf),
                                   tracuu_conf_get_line(conf, "index", "ocr"), mode);
        else
            *why = g_strdup_printf("--ocr: \"%s\" is not auto, always or never", mode);
        return FALSE;
    }
    g_autofree char *m_copy = g_strdup(mode != NULL ? mode : "auto");
    g_free(opts->ocr);
    opts->ocr = g_steal_pointer(&m_copy);
    const char *langs = opts->ocr_languages;
    if (langs == NULL && conf != NULL)
        langs = tracuu_conf_get_string(conf, "index", "ocr-languages");
    char *l = tracuu_ocr_languages_from_list(langs);
    g_free(opts->ocr_languages);
    opts->ocr_languages = l;
    gint64 max = 50;
    if (opts->ocr_max_pages >= 0)
        max = opts->ocr_max_pages;
    else if (opts->ocr_max_pages == -1 && conf != NULL)
        tracuu_conf_get_int(conf, "index", "ocr-max-pages", &max);
    else if (opts->ocr_max_pages < -1) {
        *why = g_strdup("--ocr-max-pages takes a number of 0 or more");
        return FALSE;
    }
    opts->ocr_max_pages = (int)max;
    return TRUE;
}

int
main(int argc, char **argv)
{
    tracuu_indexer_options *opts = &options;
    /* The command line as given, for the children of a run over shards (shards.c). */
    g_auto(GStrv) given = g_strdupv(argv);
    GOptionContext *ctx = g_option_context_new("PATH... - index files and folders for tracuu");
    g_option_context_set_summary(
        ctx, "Walks PATHs (files, folders, Maildirs, mbox files) and indexes PDF, mail, DOCX,\n"
             "Word 97 .doc, ODT, ODS, XLSX, HTML and text into the tracuu index in --db. Runs\n"
             "are incremental: only new and changed files are read, and documents of files\n"
             "that are gone are removed.");
    g_option_context_set_description(
        ctx, "Exit status: 0 when every input was indexed, 1 when the run finished but some\n"
             "inputs failed (in this run, or in an earlier one and unchanged since: such files\n"
             "are not retried but still count until they change or are excluded), 2 for a\n"
             "usage error, 3 when the index cannot be used. See docs/tracuu-indexer.md.");
    g_option_context_add_main_entries(ctx, option_entries, NULL);
    tracuu_cli_init_locale();
    const GOptionEntry *const tables[] = {option_entries, NULL};
    tracuu_cli_split_short_options(&argc, &argv, tables);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        int rc = usage_error(ctx, error->message);
        g_error_free(error);
        free_options(opts);
        return rc;
    }

    if (opts->worker) {
        g_option_context_free(ctx);
        if (!opts->self_test)
            tracuu_worker_setup_ocr(opts, 4, opts->cpu_limit > 0 ? (guint)opts->cpu_limit : 0);
        free_options(opts);
        return tracuu_worker_main(3, 4, opts->cpu_limit > 0 ? (guint)opts->cpu_limit : 0,
                                  opts->self_test);
    }
    if (opts->version) {
        g_print("tracuu-indexer %s (schema %d, tokenizer %d)%s\n", TRACUU_VERSION,
                TRACUU_SCHEMA_VERSION, TRACUU_TOKENIZER_VERSION,
#ifdef TRACUU_ASAN
                " built with AddressSanitizer: no --memory-limit"
#else
                ""
#endif
        );
        g_option_context_free(ctx);
        free_options(opts);
        return EXIT_ALL_OK;
    }
    /* The configuration and the access map before anything else: a bad line stops the run
     * with its file and line before the index is opened, let alone changed. */
    g_autoptr(tracuu_conf) conf = NULL;
    g_autoptr(tracuu_access_map) own_map = NULL;
    const tracuu_access_map *map = NULL;
    if (opts->config != NULL) {
        conf = tracuu_conf_load(opts->config, &error);
        if (conf == NULL) {
            g_printerr("tracuu-indexer: %s\n", error->message);
            g_error_free(error);
            g_option_context_free(ctx);
            free_options(opts);
            return EXIT_USAGE;
        }
        const char *db = tracuu_conf_get_string(conf, "index", "db");
        if (opts->db == NULL && db != NULL)
            opts->db = g_strdup(db);
        map = tracuu_conf_get_access_map(conf);
    }
    if (opts->access_map != NULL) {
        own_map = tracuu_access_map_load(opts->access_map, &error);
        if (own_map == NULL) {
            g_printerr("tracuu-indexer: %s\n", error->message);
            g_error_free(error);
            g_option_context_free(ctx);
            free_options(opts);
            return EXIT_USAGE;
        }
        map = own_map;
    }
    int rc = EXIT_ALL_OK;
    int n_care = (opts->check ? 1 : 0) + (opts->backup != NULL) + (opts->restore != NULL);
    g_autofree char *ocr_why = NULL;
    if (!resolve_ocr_options(opts, conf, &ocr_why))
        rc = usage_error(ctx, ocr_why);
    else if (opts->db == NULL || opts->db[0] == '\0')
        rc = usage_error(ctx, "--db DIR (or [index] db in --config FILE) is required");
    else if (n_care > 1)
        rc = usage_error(ctx, "--check, --backup and --restore go one at a time");
    else if (n_care == 1 && (argc >= 2 || opts->jsonl != NULL || opts->compact ||
                             opts->rebuild || opts->watch))
        rc = usage_error(ctx, "--check, --backup and --restore take no PATHs, --from-jsonl, "
                              "--compact, --rebuild or --watch");
    else if (n_care == 0 && argc < 2 && opts->jsonl == NULL && !opts->compact)
        rc = usage_error(ctx, "nothing to index: give PATHs or --from-jsonl FILE");
    else if (argc < 2 && opts->jsonl == NULL && opts->rebuild)
        rc = usage_error(ctx, "--rebuild needs PATHs or --from-jsonl FILE to index");
    else if (opts->jobs < 0 || opts->timeout < 0 || opts->cpu_limit < 0 || opts->memory_mb < 0 ||
             opts->batch < 0)
        rc = usage_error(ctx, "--jobs, --timeout, --cpu-limit, --memory-limit and --batch take "
                              "numbers of 0 or more");
    else if (opts->watch && (argc < 2 || opts->jsonl != NULL || opts->compact || opts->json))
        rc = usage_error(ctx, "--watch needs PATHs, and takes no --from-jsonl, --compact or --json");
    else if (opts->jsonl != NULL && strcmp(opts->jsonl, "-") != 0 &&
             !g_file_test(opts->jsonl, G_FILE_TEST_IS_REGULAR))
        rc = usage_error(ctx, "--from-jsonl: no such file");
    else if (opts->shards < 0 || opts->shards > TRACUU_SHARDS_MAX)
        rc = usage_error(ctx, "--shards takes a number from 1 to 99");
    else if (opts->shards > 0 && opts->shard != NULL)
        rc = usage_error(ctx, "--shards N and --shard NAME go one at a time");
    if (rc != EXIT_ALL_OK) {
        free_options(opts);
        return rc;
    }
    g_option_context_free(ctx);
    /* A sharded index (shards.c): its layout first, made on first use. A child of a run over
     * the shards writes its own shard, whose folder is in the sharded one. */
    tracuu_shards shards = {0};
    gboolean over_shards = FALSE; /* --check, or a run of one child a hash shard */
    g_autofree char *refused = NULL;
    if (opts->internal_shard != NULL) {
        unsigned k = 0, n = 0;
        char end;
        if (sscanf(opts->internal_shard, "%u/%u%c", &k, &n, &end) != 2 || n < 2 || k >= n)
            refused = g_strdup("--internal-shard takes K/N");
        opts->shard_k = k;
        opts->shard_n = n;
        opts->top_db = g_path_get_dirname(opts->db);
    } else {
        gboolean writing = n_care == 0 && (argc >= 2 || opts->jsonl != NULL);
        char *why = NULL;
        rc = tracuu_shards_prepare(opts, writing, &shards, &why);
        if (rc == EXIT_INDEX) {
            g_printerr("tracuu-indexer: %s\n", why);
            g_free(why);
            free_options(opts);
            return rc;
        }
        refused = why;
        if (rc == EXIT_ALL_OK && shards.names != NULL && opts->shard != NULL) {
            opts->top_db = opts->db;
            opts->db = g_build_filename(opts->top_db, opts->shard, NULL);
        } else if (rc == EXIT_ALL_OK && shards.names != NULL) {
            over_shards = TRUE;
            if (opts->backup != NULL || opts->restore != NULL)
                refused = g_strdup_printf("%s is a sharded index: --backup and --restore work "
                                          "on one shard at a time (--db %s/shard-00 ...)",
                                          opts->db, opts->db);
            else if (!opts->check && shards.n_hash == 0)
                refused =
                    g_strdup_printf("%s holds named shards only: give --shard NAME", opts->db);
            else if (opts->jsonl != NULL && strcmp(opts->jsonl, "-") == 0)
                refused = g_strdup("--from-jsonl - (standard input) cannot be shared out over "
                                   "shards: give a file");
        }
    }
    if (refused != NULL) {
        g_printerr("tracuu-indexer: %s\nTry 'tracuu-indexer --help'.\n", refused);
        tracuu_shards_clear(&shards);
        free_options(opts);
        return EXIT_USAGE;
    }
    if (n_care == 1) {
        signal(SIGPIPE, SIG_IGN);
        signal(SIGINT, on_interrupt);
        signal(SIGTERM, on_interrupt);
        gboolean progress = isatty(2) && !opts->quiet;
        if (opts->check && over_shards)
            rc = tracuu_shards_check(opts->db, &shards, progress);
        else if (opts->check)
            rc = tracuu_care_check(opts->db, progress);
        else if (opts->backup != NULL)
            rc = tracuu_care_backup(opts->db, opts->backup, progress);
        else
            rc = tracuu_care_restore(opts->db, opts->restore, progress);
        tracuu_shards_clear(&shards);
        free_options(opts);
        return rc;
    }
    if (opts->batch == 0)
        opts->batch = 250;
    /* Beside the index, not inside: --compact makes a new index folder and removes the old
     * one file by file, which a folder of its own would stop. The walk leaves it out (below).
     * One for a sharded index, beside its folder; its shards' children are given it. */
    if (opts->internal_shard == NULL || opts->ocr_cache == NULL) {
        g_free(opts->ocr_cache);
        opts->ocr_cache =
            g_strconcat(opts->top_db != NULL ? opts->top_db : opts->db, ".ocr-cache", NULL);
    }
    /* Tesseract's OpenMP threads fight over 2 cores with the other workers: one file a worker,
     * one thread a file. libgomp reads this when it is loaded, so it is set here for the
     * workers this process starts (a worker's own setenv would come too late). */
    g_setenv("OMP_THREAD_LIMIT", "1", TRUE);
    guint jobs = opts->jobs > 0 ? (guint)opts->jobs : g_get_num_processors();
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt; /* no SA_RESTART: poll() returns at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (over_shards) {
        rc = tracuu_shards_run(opts, &shards, given,
                               opts->compact && argc < 2 && opts->jsonl == NULL);
    } else if (opts->watch) {
        /* Each shard's child logs as itself: "tracuu-indexer shard-01: batch of ...". */
        g_autofree char *who = opts->shard_n > 0
                                   ? g_strdup_printf("tracuu-indexer shard-%02u", opts->shard_k)
                                   : g_strdup("tracuu-indexer");
        tracuu_log_init(who);
        watch_ctx w = {opts, jobs, g_steal_pointer(&conf), g_steal_pointer(&own_map), map,
                       (const char *const *)(argv + 1)};
        rc = tracuu_watch_main(opts, w.roots, watch_batch, watch_reload, &w);
        tracuu_conf_free(w.conf);
        tracuu_access_map_free(w.own_map);
    } else {
        rc = index_run(opts, map, jobs, (const char *const *)(argv + 1), NULL, NULL);
    }
    tracuu_shards_clear(&shards);
    free_options(opts);
    return rc;
}

/*
 * One run over @paths: walk, compare with the index's state, extract, write, commit, summarise.
 * Ordinary runs give the PATHs of the command line and @watch_roots NULL. Watch mode gives the
 * paths that changed below its roots (@watch_roots): each is walked as the walk of its root
 * would meet it (tracuu_walk_below()), and one that is gone removes the documents of what the
 * index knew at or under it. @stats (may be NULL) gets the counts of the run for watch mode's
 * log. Returns the exit status of the run.
 */
static int
index_run(tracuu_indexer_options *opts, const tracuu_access_map *map, guint jobs,
          const char *const *paths, const char *const *watch_roots, tracuu_watch_stats *stats)
{
    GError *error = NULL;
    /* As main()'s: 1 + the number of PATHs, which the checks below compare with 2. */
    int argc = 1 + (int)g_strv_length((char **)paths);
    tracuu_store_status st = TRACUU_STORE_NOT_FOUND;
    run r;
    tracuu_run_init(&r, opts);
    r.rs.map = map;
    /* A shard's child tells its parent, which shows one progress line for all. */
    r.progress = isatty(2) && !opts->quiet && !opts->watch;
    GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_walk_file_free);
    GPtrArray *problems = g_ptr_array_new_with_free_func((GDestroyNotify)tracuu_walk_problem_free);
    GPtrArray *roots = g_ptr_array_new_with_free_func(g_free);
    GHashTable *states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)tracuu_file_state_free);
    char *fatal = NULL;
    char *refused = NULL;             /* a usage error found after the options were read */
    gboolean workers_checked = FALSE; /* see tracuu_pool_check_workers() */
    gboolean builders_started = FALSE;

    /* --compact alone: no run, so nothing opens (or creates) the index but the compaction. */
    r.compact_only = opts->compact && argc < 2 && opts->jsonl == NULL;
    if ((fatal = index_moved_aside(opts->db)) != NULL || r.compact_only)
        goto out;
    /* The index first: a run that cannot write has nothing to do. Only PATHs need workers
     * (--from-jsonl is read in this process), whose check comes before anything is written:
     * here when the index is made (or made anew: a half-made one, or Xapian's lock file in a
     * folder still empty) or emptied (--rebuild), which a run with PATHs does only to read
     * files; else once it is known that there are files to read. */
    char *open_error = NULL;
    if (!folder_is_missing_or_empty(opts->db))
        st = tracuu_store_open(opts->db, TRACUU_STORE_WRITE, &r.rs.store, NULL);
    if (argc >= 2 && (st != TRACUU_STORE_OK || opts->rebuild)) {
        workers_checked = TRUE;
        if (!tracuu_pool_check_workers(opts, &refused, &fatal))
            goto out;
    }
    if (st != TRACUU_STORE_OK)
        st = tracuu_store_open(opts->db, TRACUU_STORE_CREATE, &r.rs.store, &open_error);
    if (st != TRACUU_STORE_OK) {
        fatal = g_strdup_printf("cannot open the index %s (%s)%s%s", opts->db,
                                tracuu_store_status_name(st), open_error != NULL ? ": " : "",
                                open_error != NULL ? open_error : "");
        free(open_error);
        goto out;
    }
    /* A commit that waits for a backup's copy stops waiting at SIGINT or SIGTERM. */
    tracuu_store_set_cancel(r.rs.store, tracuu_indexer_cancelled, NULL);
    if (!check_versions(r.rs.store, opts->rebuild, &fatal))
        goto out;
    if (tracuu_store_list_metadata(r.rs.store, TRACUU_META_FILE_PREFIX, collect_state, states) !=
        TRACUU_STORE_OK) {
        fatal =
            g_strdup_printf("cannot read the index state: %s", tracuu_store_get_error(r.rs.store));
        goto out;
    }

    /* Walk, then compare with the state: what is new or changed goes to the workers. */
    tracuu_walk_options wopts = {0};
    wopts.follow_symlinks = opts->follow;
    /* The OCR cache is never a document, whatever folder is walked: an exclude of its whole
     * path, its glob characters escaped for fnmatch(). */
    GPtrArray *excludes = g_ptr_array_new_with_free_func(g_free);
    for (char **e = opts->excludes; e != NULL && *e != NULL; e++)
        g_ptr_array_add(excludes, g_strdup(*e));
    /* Of a shard, the sharded folder: the walk keeps out of every shard and their cache. */
    const char *top = opts->top_db != NULL ? opts->top_db : opts->db;
    char *cache_abs = realpath(top, NULL);
    if (cache_abs != NULL) {
        char *c = g_strconcat(cache_abs, ".ocr-cache", NULL);
        free(cache_abs);
        cache_abs = c;
    } else {
        cache_abs = g_canonicalize_filename(opts->ocr_cache, NULL);
    }
    GString *glob = g_string_new(NULL);
    for (const char *c = cache_abs; *c != '\0'; c++) {
        if (strchr("*?[]\\", *c) != NULL)
            g_string_append_c(glob, '\\');
        g_string_append_c(glob, *c);
    }
    g_ptr_array_add(excludes, g_string_free(glob, FALSE));
    g_ptr_array_add(excludes, NULL);
    g_free(cache_abs);
    wopts.excludes = (char **)excludes->pdata;
    struct stat dbst;
    if (stat(top, &dbst) == 0) {
        wopts.has_skip_dir = TRUE;
        wopts.skip_dev = dbst.st_dev;
        wopts.skip_ino = dbst.st_ino;
    }
    if (watch_roots == NULL)
        tracuu_walk_run(paths, &wopts, found, problems, roots);
    else
        tracuu_walk_below(watch_roots, paths, &wopts, found, problems, roots);
    g_ptr_array_free(excludes, TRUE);

    tracuu_pipeline_start(&r.rs, jobs);

    /* Of a run over shards, the first shard's child reports what every one of them met. */
    for (guint i = 0; i < problems->len && tracuu_shards_reports_shared(opts); i++) {
        tracuu_walk_problem *p = problems->pdata[i];
        tracuu_report_add(p->failed ? r.walk_failures : r.walk_skips, p->path, p->reason);
        r.n_seen++;
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < found->len; i++) {
        tracuu_walk_file *f = found->pdata[i];
        if (g_hash_table_contains(seen, f->key))
            continue; /* given twice (a file and its folder) */
        /* Another shard's file: its state, and its removal when it is gone, are that shard's. */
        if (!tracuu_shards_is_mine(opts, f->key, 40))
            continue;
        g_hash_table_add(seen, f->key);
        r.n_seen++;
        /* The map is read again on every run: a file's rule is looked up whether or not it
         * changed, and a file that did not change but now gets another rule is relabelled. */
        f->rule = map != NULL ? tracuu_access_map_lookup(map, f->path) : NULL;
        f->access = tracuu_state_access(f->rule);
        tracuu_file_state *old = g_hash_table_lookup(states, f->key);
        /* The path too: a Maildir message renamed for a flag keeps its key (walk.c) and its
         * inode, but its documents must name the file by its new name. A file indexed without
         * its OCR pages (a run killed in its OCR phase) is read again. */
        if (old != NULL && old->mtime_ns == f->mtime_ns && old->size == f->size &&
            old->ino == f->ino && strcmp(old->path, f->path) == 0 && !old->ocr_pending) {
            r.n_unchanged++;
            if (old->failed && !old->unsupported)
                tracuu_report_add(r.still_failed, f->path, old->reason);
            /* A failed file has no documents to relabel; it gets its rule when it changes. */
            if (!old->failed && g_strcmp0(old->access, f->access) != 0) {
                unit *u = g_new0(unit, 1);
                u->kind = UNIT_RELABEL;
                u->file = f;
                memcpy(u->key, f->key, 41);
                u->ndocs = old->ndocs;
                u->reason = g_strdup(old->reason);
                tracuu_pipeline_push(&r, u);
            }
            continue;
        }
        g_ptr_array_add(r.files, f);
    }
    if (r.files->len > 0 && !workers_checked &&
        !tracuu_pool_check_workers(opts, &refused, &fatal)) {
        g_hash_table_destroy(seen);
        goto out;
    }
    /* Files the index knows under the given roots that the walk did not see are gone. */
    GHashTableIter hit;
    gpointer hk, hv;
    g_hash_table_iter_init(&hit, states);
    while (g_hash_table_iter_next(&hit, &hk, &hv)) {
        tracuu_file_state *old = hv;
        if (g_hash_table_contains(seen, hk))
            continue;
        gboolean under = FALSE;
        for (guint i = 0; i < roots->len && !under; i++)
            under = tracuu_walk_path_is_under(old->path, roots->pdata[i]);
        if (!under)
            continue;
        /* A folder the walk could not read hides its files; it does not delete them. */
        gboolean hidden = FALSE;
        for (guint i = 0; i < problems->len && !hidden; i++) {
            tracuu_walk_problem *p = problems->pdata[i];
            hidden = p->failed && tracuu_walk_path_is_under(old->path, p->path);
        }
        if (hidden)
            continue;
        unit *u = g_new0(unit, 1);
        u->kind = UNIT_REMOVE;
        memcpy(u->key, hk, 41);
        u->path = g_strdup(old->path);
        tracuu_pipeline_push(&r, u);
    }
    g_hash_table_destroy(seen);

    if (opts->jsonl != NULL && !tracuu_jsonl_import(&r, opts->jsonl, &error)) {
        tracuu_report_add(r.walk_failures, opts->jsonl, error->message);
        g_clear_error(&error);
    }
    if (!tracuu_pool_extract_all(&r, jobs, &error)) {
        fatal = g_strdup_printf("cannot run extraction workers: %s", error->message);
        g_clear_error(&error);
    }

out:
    builders_started = tracuu_pipeline_stop(&r.rs);
    if (!r.compact_only)
        tracuu_report_progress(&r, r.files->len, TRUE);
    if (fatal == NULL && r.rs.fatal_message != NULL)
        fatal = g_strdup(r.rs.fatal_message);
    if (fatal == NULL && r.rs.store != NULL && tracuu_store_commit(r.rs.store) != TRACUU_STORE_OK)
        fatal = g_strdup_printf("commit failed: %s", tracuu_store_get_error(r.rs.store));
    r.rs.held_seconds = tracuu_store_get_held_seconds(r.rs.store);
    tracuu_store_free(r.rs.store);
    /* After the run, and after its writer let go of the index: the compaction takes the lock
     * again. Not after a failed run: its index may not be worth compacting. */
    if (opts->compact && fatal == NULL)
        compact_index(&r, &fatal);

    int status = EXIT_ALL_OK;
    if (refused != NULL)
        status = EXIT_USAGE;
    else if (fatal != NULL)
        status = EXIT_INDEX;
    else if (r.rs.failed > 0 || r.walk_failures->len > 0 || r.still_failed->len > 0 ||
             r.rs.jsonl_bad->len > 0 || tracuu_indexer_interrupted)
        status = EXIT_SOME_FAILED;
    double elapsed = (double)(g_get_monotonic_time() - r.started) / G_USEC_PER_SEC;
    /* A full disk is said plainly, with what it means: the last commit stands. */
    fatal = tracuu_care_disk_full(fatal);
    if (refused != NULL)
        g_printerr("tracuu-indexer: %s\nTry 'tracuu-indexer --help'.\n", refused);
    if (fatal != NULL && stats != NULL)
        tracuu_log_warning("%s", fatal);
    else if (fatal != NULL && opts->summary_fd < 0) /* a shard's: its parent says it */
        g_printerr("tracuu-indexer: %s\n", fatal);
    /* A run that could not even open the index has nothing to summarise, except for --json
     * readers, who get the error in the object they parse. A usage error is no run. */
    if (stats != NULL) {
        stats->seen = r.n_seen;
        stats->indexed = r.rs.indexed;
        stats->removed = r.rs.removed;
        stats->failed = r.rs.failed + r.walk_failures->len;
        stats->documents = r.rs.file_documents;
        stats->commits = r.rs.commits;
        stats->locked = st == TRACUU_STORE_LOCKED;
        stats->elapsed = elapsed;
        for (guint i = 0; i < r.rs.failures->len; i++) {
            report_item *it = r.rs.failures->pdata[i];
            tracuu_log_warning("failed: %s: %s", it->path, it->reason);
        }
    } else if (refused == NULL &&
               (builders_started || opts->json || r.compact_tried || opts->summary_fd >= 0)) {
        tracuu_report_summary(&r, elapsed, fatal, status);
    }

    g_free(fatal);
    g_free(refused);
    tracuu_run_clear(&r);
    g_ptr_array_free(found, TRUE);
    g_ptr_array_free(problems, TRUE);
    g_ptr_array_free(roots, TRUE);
    g_hash_table_destroy(states);
    return status;
}
