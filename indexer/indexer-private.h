/* indexer-private.h - what the files of the tracuu-indexer program share. */
#pragma once

#include "tracuu-extract.h"

#include <glib.h>
#include <sys/types.h>

#include "tracuu-fields.h"

G_BEGIN_DECLS

/* ---- walk.c: finding the files under the paths given on the command line ---- */

/* A regular file found by the walk. */
typedef struct {
    char *path;      /* absolute, as raw bytes (file names need not be UTF-8) */
    char key[41];    /* hex SHA-1 of path: the schema's "XF" key and the state key */
    gint64 mtime_ns; /* modification time, nanoseconds since the epoch */
    guint64 size;
    guint64 ino;
    gboolean maildir; /* a message in the cur/ or new/ folder of a Maildir */
    const tracuu_format *named; /* the format its name promises (formats.c), or NULL */
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
} tracuu_file_state;

/*
 * The JSON value of the schema's "file:<key>" metadata for @state: path (UTF-8; non-UTF-8
 * bytes are replaced, the exact bytes go to "path_b64"), mtime (seconds), mtime_ns, size, ino,
 * status ("ok" or "failed"), reason, ndocs, and "unsupported": true when so. Caller g_free()s.
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
 *   job:    (path, maildir, key): key is the file's hex SHA-1 (tracuu_walk_file.key), computed
 *           once by the walk and handed on
 *   result: (status, reason, docs, warnings), status one of tracuu_result_status;
 *           each doc is a dictionary of its fields by the names of store/tracuu-fields.h,
 *           each value of the pipe type its field type says there (tracuu_pipe_fields()).
 */
#define TRACUU_JOB_TYPE "(aybs)"
#define TRACUU_DOCS_TYPE "aa{sv}"
#define TRACUU_RESULT_TYPE "(yay" TRACUU_DOCS_TYPE "aay)"

/* Largest frame either side accepts: a guard against a confused peer, not a content limit. */
#define TRACUU_FRAME_MAX (1024u * 1024u * 1024u)

typedef enum {
    TRACUU_RESULT_OK = 0,
    TRACUU_RESULT_FAILED = 1,
    TRACUU_RESULT_UNSUPPORTED = 2, /* a type tracuu does not index */
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

G_END_DECLS
