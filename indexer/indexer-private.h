/* indexer-private.h - what the files of the tracuu-indexer program share. */
#pragma once

#include "tracuu-extract.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/types.h>

#include "tracuu-conf.h"
#include "tracuu-fields.h"
#include "tracuu-store-compact.h"
#include "tracuu-store.h"

G_BEGIN_DECLS

/* ---- walk.c: finding the files under the paths given on the command line ---- */

/* A regular file found by the walk. */
typedef struct {
    char *path;      /* absolute, as raw bytes (file names need not be UTF-8) */
    char key[41];    /* hex SHA-1 of path (of a Maildir message: of its identity, see
                      * tracuu_walk_maildir_identity()): the schema's "XF" key, the state key */
    gint64 mtime_ns; /* modification time, nanoseconds since the epoch */
    guint64 size;
    guint64 ino;
    gboolean maildir; /* a message in the cur/ or new/ folder of a Maildir */
    const tracuu_format *named; /* the format its name promises (formats.c), or NULL */
    /* Set by the run after the walk: the access map's rule for it (NULL: none, or no map) and
     * what that rule gives, as the state records it (tracuu_state_access()). */
    const tracuu_access_rule *rule;
    char *access;
} tracuu_walk_file;

/* Something the walk met and did not hand on: skipped (a FIFO...) or failed (cannot stat). */
typedef struct {
    char *path;   /* raw bytes */
    char *reason; /* UTF-8 */
    gboolean failed;
} tracuu_walk_problem;

typedef struct {
    gboolean follow_symlinks; /* follow symbolic links below the roots (cycles are detected) */
    char **excludes;          /* NULL-terminated fnmatch() globs, or NULL */
    gboolean has_skip_dir;    /* never descend into this folder: the index itself */
    dev_t skip_dev;
    ino_t skip_ino;
} tracuu_walk_options;

/*
 * Walks @roots (files or folders, NULL-terminated) and appends every regular file found to
 * @files (tracuu_walk_file *, free with tracuu_walk_file_free()), everything else it met that
 * is not a folder to @problems (tracuu_walk_problem *, free with tracuu_walk_problem_free()),
 * and the absolute path of every root that exists to @roots_out (char *, g_free). Roots are
 * made absolute with realpath(); symbolic links given as roots are followed, as find -H does.
 * Never fails as a whole: what cannot be read is a problem of its own.
 */
void tracuu_walk_run(const char *const *roots, const tracuu_walk_options *opts, GPtrArray *files,
                     GPtrArray *problems, GPtrArray *roots_out);

void tracuu_walk_file_free(tracuu_walk_file *file);
void tracuu_walk_problem_free(tracuu_walk_problem *problem);

/*
 * Walks @paths (absolute, NULL-terminated), each below one of @roots (absolute, as
 * tracuu_walk_run() made them; a path below none is ignored), as the walk of its root would
 * meet it: not when an excluded folder or a Maildir's tmp/ is on the way, and a Maildir's
 * messages as messages. A path that no longer exists is no problem. Every path below a root is
 * appended to @paths_out (char *, g_free) whether or not it exists, so that what the index knew
 * there and the walk did not find is removed. For watch mode (watch.c), which knows which paths
 * changed; the lists are as for tracuu_walk_run().
 */
void tracuu_walk_below(const char *const *roots, const char *const *paths,
                       const tracuu_walk_options *opts, GPtrArray *files, GPtrArray *problems,
                       GPtrArray *paths_out);

/*
 * The path a Maildir message (in cur/ or new/) is known by whatever its name of the moment:
 * the same folder's cur/ and the unique part of the name, without the info after ":2," (the
 * flags). "M/new/1700.M1P1.host" and "M/cur/1700.M1P1.host:2,S" both give
 * "M/cur/1700.M1P1.host". Another path is given back as it is. Caller g_free()s.
 */
char *tracuu_walk_maildir_identity(const char *path);

/* TRUE when @dir (absolute) is a Maildir: it has cur/, new/ and tmp/ folders. */
gboolean tracuu_walk_is_maildir(const char *dir);

/* TRUE when an --exclude glob of @opts leaves out @path (absolute) by its name or path. */
gboolean tracuu_walk_is_excluded(const tracuu_walk_options *opts, const char *path);

/* TRUE when @path is @root or lies below it (byte-wise, on "/" boundaries). */
gboolean tracuu_walk_path_is_under(const char *path, const char *root);

/* ---- state.c: what the index remembers about each source file ---- */

/* Sets @out (41 bytes) to the hex SHA-1 of @path. */
void tracuu_state_key(const char *path, char out[41]);

typedef struct {
    char *path; /* raw bytes, as the file was found */
    gint64 mtime_ns;
    guint64 size;
    guint64 ino;
    gboolean failed;
    gboolean unsupported; /* failed because tracuu does not index its type: not an error */
    char *reason;         /* UTF-8 or NULL */
    guint ndocs;
    char *access; /* the rule result its documents got (tracuu_state_access()); NULL if unknown */
    gboolean ocr_pending; /* indexed without the pages OCR is to read: read again, changed or not */
} tracuu_file_state;

/*
 * What the access map rule @rule (NULL: none) gives a file's documents, as one string to record
 * in its state and compare on the next run: "LABEL;LABEL|LEVEL" ("so-tttt;van-phong|mat",
 * "|none" for no rule or a rule of "-" without a level). Two rules that give the same labels
 * and level give the same string, so editing the map elsewhere relabels nothing. g_free().
 */
char *tracuu_state_access(const tracuu_access_rule *rule);

/*
 * The JSON value of the schema's "file:<key>" metadata for @state: path (UTF-8; non-UTF-8
 * bytes are replaced, the exact bytes go to "path_b64"), mtime (seconds), mtime_ns, size, ino,
 * status ("ok" or "failed"), reason, ndocs, access (when set), "unsupported": true and
 * "ocr_pending": true when so. Caller g_free()s.
 */
char *tracuu_state_to_json(const tracuu_file_state *state);

/* Parses a value written by tracuu_state_to_json(); NULL when it is not one. */
tracuu_file_state *tracuu_state_parse(const char *json, gsize len);

void tracuu_file_state_free(tracuu_file_state *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_file_state, tracuu_file_state_free)

/* ---- worker.c: extraction in child processes, and the pipe protocol to them ---- */

/*
 * The protocol is a stream of frames: a 4-byte little-endian length, then a serialized
 * GVariant. Parent to worker: TRACUU_JOB_TYPE, one per file. Worker to parent:
 * TRACUU_RESULT_TYPE, one per job, in order. Every string is a bytestring ("ay") because paths
 * need not be UTF-8.
 *   job:    (path, maildir, key, defer_ocr): key is the file's hex SHA-1
 *           (tracuu_walk_file.key), computed once by the walk and handed on; with defer_ocr a
 *           file whose text only OCR gives answers TRACUU_RESULT_OCR_DEFERRED at once, and a
 *           PDF with typed pages and pages for OCR answers TRACUU_RESULT_OCR_PENDING with the
 *           documents of its typed pages; both are sent again without it after every other file
 *   result: (status, reason, docs, warnings), status one of tracuu_result_status;
 *           each doc is a dictionary of its fields by the names of store/tracuu-fields.h,
 *           each value of the pipe type its field type says there (tracuu_pipe_fields()).
 */
#define TRACUU_JOB_TYPE "(aybsb)"
#define TRACUU_DOCS_TYPE "aa{sv}"
#define TRACUU_RESULT_TYPE "(yay" TRACUU_DOCS_TYPE "aay)"

/* Largest frame either side accepts: a guard against a confused peer, not a content limit. */
#define TRACUU_FRAME_MAX (1024u * 1024u * 1024u)

typedef enum {
    TRACUU_RESULT_OK = 0,
    TRACUU_RESULT_FAILED = 1,
    TRACUU_RESULT_UNSUPPORTED = 2,  /* a type tracuu does not index */
    TRACUU_RESULT_PROGRESS = 3,     /* not a result: the worker starts an OCR page of the file */
    TRACUU_RESULT_OCR_DEFERRED = 4, /* not a result: the file needs OCR; send it again last */
    TRACUU_RESULT_OCR_PENDING = 5,  /* OK without its OCR pages: index it, send it again last */
} tracuu_result_status;

/*
 * The pipe form of @f (a{sv}, floating): every field of the table that has a value, empty
 * strings left out except for the required fields.
 */
GVariant *tracuu_pipe_fields(const tracuu_docfields *f);

/*
 * Fills @f (zeroed first) from @dict, a{sv} as tracuu_pipe_fields() makes it. Strings and
 * offsets are borrowed from @dict; the arrays of pointers it needs are added to @keep (free
 * them with it, after @f is used). Names it does not know and values of the wrong type (a
 * confused worker) are left out.
 */
void tracuu_pipe_fields_read(GVariant *dict, tracuu_docfields *f, GPtrArray *keep);

/* Writes @v as one frame on @fd (blocking). FALSE with @error when the pipe fails. */
gboolean tracuu_frame_write(int fd, GVariant *v, GError **error);

/*
 * If @buf starts with a whole frame, removes it from @buf and returns it as a GVariant of
 * @type (floating reference already sunk: caller unrefs), with *@bad FALSE. Returns NULL with
 * *@bad FALSE when more bytes are needed, and NULL with *@bad TRUE when the frame is not valid.
 */
GVariant *tracuu_frame_take(GByteArray *buf, const char *type, gboolean *bad);

/*
 * The worker process: reads jobs on @in_fd, extracts, reads the metadata, and writes results
 * on @out_fd until @in_fd closes. @cpu_limit (seconds, 0 for none) bounds the CPU time of each
 * file through RLIMIT_CPU (SIGXCPU ends the worker; the parent reports it and starts another).
 * With @self_test it reads no job: it writes the result for a small text of its own (status
 * OK, one document) and returns, which tells the parent that a worker can start and work under
 * the limits it was given. Returns the process exit status.
 */
int tracuu_worker_main(int in_fd, int out_fd, guint cpu_limit, gboolean self_test);


/* ---- tracuu-indexer.c: the options of a run, its exit statuses, its interruption ---- */

/* Exit statuses, as documented in docs/tracuu-indexer.md. */
enum { EXIT_ALL_OK = 0, EXIT_SOME_FAILED = 1, EXIT_USAGE = 2, EXIT_INDEX = 3 };

/* Compiled with AddressSanitizer, a worker cannot run under an address-space limit: ASan
 * reserves terabytes of shadow memory up front. */
#if defined(__SANITIZE_ADDRESS__)
#define TRACUU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRACUU_ASAN 1
#endif
#endif

/* The command line, as main() parsed it (see its option table for what each one means). */
typedef struct {
    char *db;         /* --db, or [index] db of --config */
    char *config;     /* --config, or NULL */
    char *access_map; /* --access-map, or NULL ([access] map of --config then applies) */
    char *jsonl; /* --from-jsonl, or NULL */
    int jobs;    /* --jobs; 0: number of cores */
    gboolean rebuild;
    gboolean json;
    gboolean quiet;
    gboolean verbose;
    char **excludes; /* --exclude globs, or NULL */
    gboolean follow;
    int timeout;     /* --timeout, seconds of wall-clock time per file */
    int cpu_limit;   /* --cpu-limit, seconds; 0: none */
    int memory_mb;   /* --memory-limit, MiB; 0: none */
    int batch;       /* --batch, documents per commit at least (0 is made 250) */
    gboolean worker; /* --internal-worker */
    gboolean self_test;
    gboolean version;
    gboolean compact;
    gboolean watch; /* --watch: batches of changed paths after the first run (watch.c) */
    char *ocr;           /* --ocr: "auto" (default), "always" or "never"; or [index] ocr */
    char *ocr_languages; /* --ocr-languages, Tesseract's "vie+eng"; or [index] ocr-languages */
    int ocr_max_pages;   /* --ocr-max-pages, per file; 0: no limit; or [index] ocr-max-pages */
    char *ocr_cache;     /* the OCR cache folder: DIR.ocr-cache (for the workers: given) */
    gboolean check;  /* --check */
    char *backup;    /* --backup DEST, or NULL */
    char *restore;   /* --restore SRC, or NULL */
    int shards;      /* --shards N; 0: not given (shards.c) */
    char *shard;     /* --shard NAME: this run writes into the named shard of db, or NULL */
    /* A child of a run over the hash shards (shards.c): --internal-shard K/N, parsed into
     * shard_k and shard_n (0: not a child, every file is this process's), and
     * --internal-summary-fd, where its JSON summary goes (-1: none, standard output as usual). */
    char *internal_shard;
    guint shard_k, shard_n;
    int summary_fd;
    char *top_db; /* the sharded folder when db is one of its shards (its walk skips it all) */
} tracuu_indexer_options;

/*
 * Sets up OCR in a worker from @opts (extract-ocr.h): mode, languages, page limit, cache. Each
 * page that Tesseract reads gives the file @cpu_limit more seconds of CPU and tells the parent,
 * with a TRACUU_RESULT_PROGRESS frame on @out_fd, to start the file's wall-clock time again:
 * an OCR'd file has --timeout and --cpu-limit per page, up to --ocr-max-pages pages.
 */
void tracuu_worker_setup_ocr(const tracuu_indexer_options *opts, int out_fd, guint cpu_limit);

/* Set by SIGINT and SIGTERM to the signal: stop reading files, keep what is done, summarise. */
extern volatile sig_atomic_t tracuu_indexer_interrupted;

/* Whether SIGINT or SIGTERM came (tracuu_indexer_interrupted): the callback that stops what the
 * store does at length (a compaction, a commit waiting for a backup). */
bool tracuu_indexer_cancelled(void *user_data);

/* ---- units of work: main thread -> builder threads -> writer thread (pipeline.c) ---- */

/* UNIT_RELABEL: a file unchanged on disk whose access-map rule gives something else now: its
 * documents get the new labels and level in place, without extraction (tracuu_store_retag()). */
typedef enum { UNIT_FILE, UNIT_REMOVE, UNIT_JSONL, UNIT_RELABEL } unit_kind;

typedef struct {
    unit_kind kind;
    guint64 seq;            /* the writer applies units in this order */
    tracuu_walk_file *file; /* UNIT_FILE, UNIT_RELABEL: borrowed from the run's file list */
    char key[41];           /* UNIT_FILE, UNIT_REMOVE */
    char *path;             /* UNIT_REMOVE: the path as stored (raw bytes) */
    tracuu_result_status status;
    gboolean ocr_pending; /* UNIT_FILE, status OK: its OCR pages come in a later unit */
    char *reason;     /* when failed */
    GVariant *docs;   /* TRACUU_DOCS_TYPE, to build; NULL when failed */
    guint line;       /* UNIT_JSONL: line number */
    guint ndocs;      /* UNIT_RELABEL: the documents the state says the file has */
    gsize bytes;      /* serialized size of docs, for back-pressure */
    GPtrArray *terms; /* built: char * unique terms */
    GPtrArray *built; /* built: tracuu_store_doc * */
    guint n_whole;    /* built: how many of them are whole documents, not article units */
} unit;

/* Frees @u and what it holds; NULL accepted. */
void tracuu_unit_free(unit *u);

/* One line of the summary's lists: a file (or a JSON line) and what became of it. */
typedef struct {
    char *path; /* UTF-8 for display (invalid bytes replaced) */
    char *reason;
} report_item;

typedef struct {
    /* Set before the threads start. */
    const tracuu_indexer_options *opts;
    tracuu_store *store;
    const tracuu_access_map *map; /* NULL: no access map (no labels, levels as printed) */
    guint n_builders;
    GAsyncQueue *build_q;
    GAsyncQueue *write_q;
    GThread *writer;    /* NULL until tracuu_pipeline_start() */
    GThread **builders; /* n_builders of them */

    /* Counters written by the writer thread, read by the main thread for progress. */
    gint files_done;  /* atomic: file units applied */
    gint units_done;  /* atomic: units applied, for back-pressure */
    gsize bytes_done; /* atomic: serialized size of the units applied */
    gint fatal;       /* atomic: the index failed; stop */
    gint relabelled;  /* atomic: files relabelled (UNIT_RELABEL applied with documents) */
    gint units_committed; /* atomic: of units_done, those whose changes are committed */
    gint flush;           /* atomic: set by the main thread: commit what is applied now */

    /* Owned by the writer thread until it is joined. */
    char *fatal_message;
    guint indexed, failed, skipped, removed, jsonl_imported;
    guint64 documents;      /* added in all, from files and JSON lines */
    guint64 file_documents; /* added from files */
    guint64 relabelled_documents;
    /* CPU seconds of each stage (--verbose prints them: where a run spends its time). */
    double cpu_apply, cpu_commit;
    double wall_commit;
    double held_seconds; /* of the commits waiting for a backup's copy (tracuu_store_commit()) */
    guint commits;
    gint64 cpu_build_ns; /* the builders add to it under build_lock */
    GMutex build_lock;
    GPtrArray *failures;  /* report_item * */
    GPtrArray *skips;     /* report_item * */
    GPtrArray *jsonl_bad; /* report_item *: path holds the line number */
} run_state;

/* A run: what the main thread knows, and the state it shares with the threads in rs. */
typedef struct {
    run_state rs;
    GPtrArray *files; /* tracuu_walk_file *: to extract */
    GArray *ocr_later; /* guint indexes into files: deferred for OCR (pool.c, during extraction) */
    GArray *ocr_now;   /* gboolean per file: sent again to be read with OCR */
    guint64 next_seq;
    gint pushed;        /* units pushed to the builders */
    gsize pushed_bytes; /* their serialized size */
    guint n_seen, n_unchanged;
    GPtrArray *walk_failures; /* report_item * */
    GPtrArray *walk_skips;    /* report_item * */
    GPtrArray *still_failed;  /* report_item *: failed before, unchanged since */
    guint jsonl_lines;
    gint64 started;
    gboolean progress;
    gint64 last_progress;
    /* --compact */
    gboolean compact_only;  /* no PATHs and no --from-jsonl: nothing but the compaction */
    gboolean compact_tried; /* the summary has a compaction line */
    gboolean compacted;     /* and it worked */
    tracuu_store_compact_stats compact_stats;
    char *compact_note; /* why it failed or was not done; or a warning after it worked */
    /* The parent of a run over shards (shards.c): how many, each one's summary line. */
    guint n_shards;
    JsonArray *per_shard; /* JSON objects, one a shard, as the summary shows them */
    char *shard_error;    /* the first error a shard's child gave, "shard-01: ..." */
} run;

/*
 * Starts the writer thread and MAX(1, MIN(@jobs, 8)) builder threads. rs->opts, rs->store and
 * the report lists of @rs must be set before. Units then go in with tracuu_pipeline_push().
 */
void tracuu_pipeline_start(run_state *rs, guint jobs);

/*
 * Lets the builders and the writer finish what was pushed and joins them. Returns FALSE when
 * tracuu_pipeline_start() was never called (nothing to stop), TRUE otherwise.
 */
gboolean tracuu_pipeline_stop(run_state *rs);

/* Queues @u (the pipeline takes it) for the builders, in the order the writer applies. */
void tracuu_pipeline_push(run *r, unit *u);

/* TRUE when the builders and the writer have enough work queued: hold extraction back. */
gboolean tracuu_pipeline_is_behind(run *r);

/*
 * TRUE when every unit pushed is applied and committed; else FALSE, and the writer commits
 * what it has applied without waiting for a full batch. The OCR phase (pool.c) waits for it,
 * so that the text of every file read before is searchable while OCR runs, and kept if the
 * run is killed then.
 */
gboolean tracuu_pipeline_is_committed(run *r);

/* ---- pool.c: the extraction workers, their limits and their self-test ---- */

/*
 * Checks that extraction workers can start and work, under --memory-limit: else every file
 * would fail, and be recorded so, and the next runs would not retry them. The run asks before
 * it writes anything and before it gives a worker its first file (a run with nothing to read
 * does not ask: the test takes a worker's start, about 15 ms, more than such a run in all).
 * FALSE with *@usage (the limit is too low: a usage error) or *@fatal (no worker works,
 * whatever the limit) set; caller frees.
 */
gboolean tracuu_pool_check_workers(const tracuu_indexer_options *opts, char **usage, char **fatal);

/*
 * Extracts every file of r->files with @n workers (fewer when there are fewer files) and hands
 * each result to the pipeline. Returns FALSE with @error if a worker cannot be started or the
 * pool cannot wait on them.
 */
gboolean tracuu_pool_extract_all(run *r, guint n, GError **error);

/* ---- jsonl.c: --from-jsonl ---- */

/*
 * Reads @path ("-" for standard input) and pushes one unit per line that is not blank (a bad
 * line is a failed unit, reported by its number). FALSE with @error when the file cannot be read.
 */
gboolean tracuu_jsonl_import(run *r, const char *path, GError **error);

/* ---- report.c: progress and the summary ---- */

/* Sets up @r (zeroed first) for a run with @opts: its report lists and its start time. */
void tracuu_run_init(run *r, const tracuu_indexer_options *opts);

/* Frees what tracuu_run_init() and the run put in @r (not rs.store). */
void tracuu_run_clear(run *r);

/*
 * Adds the summary of one shard's child (@summary, the JSON object its tracuu_report_summary()
 * wrote on its --internal-summary-fd) to @r, the run of the parent over every shard: counts are
 * summed, lists joined, a compaction's sizes summed, and @shard's own line kept for the
 * per-shard part of the summary. The first child's error is kept in r->shard_error.
 */
void tracuu_report_merge(run *r, const char *shard, JsonObject *summary);

/* Adds @path (raw bytes) and @reason (NULL: "unknown") to @list of report_item *. */
void tracuu_report_add(GPtrArray *list, const char *path, const char *reason);
void tracuu_report_item_free(report_item *it);

/* The progress line on standard error (when r->progress), at most four times a second unless
 * @final, which ends it. */
void tracuu_report_progress(run *r, guint total, gboolean final);

/* Prints the summary of @r (text, or JSON with --json), which ended with @fatal (NULL: none)
 * and exit @status after @elapsed seconds. */
void tracuu_report_summary(run *r, double elapsed, const char *fatal, int status);

/* ---- care.c: --check, --backup, --restore, room to compact, disk full ---- */

/*
 * Checks the index in @db: Xapian's own check of its tables, then the schema and tokenizer
 * versions, every document's stored data (fields JSON, NUL, text) and id term, the per-file
 * states against the documents that carry each file's term, and the relations between
 * documents (an attachment's parent). With @print, each problem is one line on standard output,
 * then a summary line; with @progress, a progress line on standard error. Sets *@n_problems (if
 * not NULL). Returns EXIT_ALL_OK for a sound index, EXIT_SOME_FAILED when problems were found,
 * EXIT_INDEX with *@fatal (g_free()) when there is no index to check.
 */
int tracuu_care_check_report(const char *db, gboolean progress, gboolean print,
                             guint64 *n_problems, char **fatal);

/* --check, --backup DEST, --restore SRC: each prints what it did and returns the exit status. */
int tracuu_care_check(const char *db, gboolean progress);
int tracuu_care_backup(const char *db, const char *dest, gboolean progress);
int tracuu_care_restore(const char *db, const char *src, gboolean progress);

/*
 * TRUE when the file system of @db's parent folder has room for a compacted copy (up to the
 * index's size); else FALSE with *@message (g_free()) saying how much is needed and free.
 */
gboolean tracuu_care_room_to_compact(const char *db, char **message);

/*
 * Takes @message (g_free()d) and gives it back, or, when it tells of a full disk (ENOSPC), a
 * new one that says so plainly: what was committed is kept and a rerun finishes the work.
 */
char *tracuu_care_disk_full(char *message);

/* ---- shards.c: an index of several shards, --shards N and --shard NAME ---- */

/* The stub file of a sharded index, in its folder (docs/tracuu-indexer.md). */
#define TRACUU_SHARDS_STUB "XAPIANDB"
/* A shard's child writes, on its --internal-summary-fd, lines "progress DONE TOTAL RELABELLED"
 * as its progress goes (when it would show a progress line), then its JSON summary on one line. */
#define TRACUU_SHARDS_PROGRESS "progress"
/* At most this many hash shards: their names have two digits, shard-00 to shard-98. */
#define TRACUU_SHARDS_MAX 99

/* The local shards of a sharded folder, as its stub file lists them. */
typedef struct {
    GPtrArray *names; /* char *: each line's path, as written (relative to the folder or not);
                       * NULL for an index that is not sharded */
    GPtrArray *paths; /* char *: the same, as paths to open */
    guint n_hash;     /* shard-00 ... shard-(n_hash - 1) are listed: the shards hashed into */
} tracuu_shards;

void tracuu_shards_clear(tracuu_shards *s);

/*
 * Reads the layout of the index folder @db for a run: a plain index (s->names NULL) or the
 * shards of @db/XAPIANDB. With @writing, makes what --shards N (opts->shards) or --shard NAME
 * (opts->shard) ask for on a new folder (the shard folders, then the stub file, atomically) or,
 * for a NAME not yet listed, the shard and its line. Returns EXIT_ALL_OK, or EXIT_USAGE (a
 * --shards that does not match the index, a plain index given --shards...) or EXIT_INDEX (the
 * stub cannot be read or written) with *@message (g_free).
 */
int tracuu_shards_prepare(const tracuu_indexer_options *opts, gboolean writing, tracuu_shards *s,
                          char **message);

/* TRUE when the file or JSON line known by @key (@len bytes) is this process's to index: it is
 * no child of a run over shards, or the key hashes to its shard (tracuu_shard_of()). */
gboolean tracuu_shards_is_mine(const tracuu_indexer_options *opts, const char *key, size_t len);

/* TRUE when this process reports what every shard's child would see alike (the walk's
 * problems, bad JSON lines): it is no child, or the child of shard 0. */
gboolean tracuu_shards_reports_shared(const tracuu_indexer_options *opts);

/*
 * The run over the hash shards of @s: one child tracuu-indexer a shard, in parallel, each given
 * @argv (main()'s, as the command line gave it) with --db the shard, its part of --jobs and
 * --internal-shard K/N; SIGINT and SIGTERM are passed on to them, and the children die with
 * this process. Prints one summary of all (tracuu_report_merge()) and returns the worst exit
 * status of the children.
 */
int tracuu_shards_run(const tracuu_indexer_options *opts, const tracuu_shards *s, char **argv,
                      gboolean compact_only);

/* --check of each shard of @s in turn, then a line for the whole index; the worst status. */
int tracuu_shards_check(const char *db, const tracuu_shards *s, gboolean progress);

G_END_DECLS
