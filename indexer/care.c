/* care.c - looking after an index: --check, --backup, --restore, room to compact, disk full. */
#include "indexer-private.h"

#include "tracuu-schema-rules.h"
#include "tracuu-schema.h"
#include "tracuu-store-backup.h"
#include "tracuu-store-check.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#ifdef TRACUU_ASAN
/*
 * Xapian 1.4.22's own Database::check() (Debian 12's libxapian30) deletes one of its glass
 * objects through a pointer of another type (440 bytes allocated, 432 freed, all inside
 * libxapian: a bug of Xapian's, harmless with glibc's allocator), which AddressSanitizer
 * reports as new-delete-type-mismatch and aborts --check. That one kind of report is turned off
 * in the sanitizer build of this program; ASAN_OPTIONS can still turn it on.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "new_delete_type_mismatch=0";
}
#endif

/* More problems than this are counted, not listed: a damaged index can have millions. */
#define MAX_LISTED 200

/*
 * The relations between documents that --check follows: a stored field whose value is the id of
 * another document, which must be in the index. Legal relations (amends, replaces...) will be
 * rows of their own.
 */
static const struct {
    const char *field; /* the stored field holding the other end's id */
    const char *what;  /* how a problem names that end */
} relations[] = {
    {"parent", "parent message"},
};

typedef struct {
    guint32 docid;
    char *id;
    char *target;
    const char *what;
} pending_relation;

static void
pending_relation_free(pending_relation *p)
{
    g_free(p->id);
    g_free(p->target);
    g_free(p);
}

/* What one check gathers as it goes. */
typedef struct {
    GPtrArray *problems;  /* char *, at most MAX_LISTED */
    guint64 n_problems;   /* all of them */
    GHashTable *ids;      /* id -> docid (GUINT_TO_POINTER) */
    GHashTable *per_file; /* "XF" key -> guint count */
    GHashTable *file_path; /* "XF" key -> a stored path of one of its documents */
    GPtrArray *relations; /* pending_relation * */
    guint64 n_docs, total_docs;
    gboolean progress;
    gint64 last_progress;
    gboolean walked; /* every document was read */
} check_run;

static void G_GNUC_PRINTF(2, 3)
problem(check_run *c, const char *fmt, ...)
{
    c->n_problems++;
    if (c->problems->len >= MAX_LISTED)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(c->problems, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static bool
check_doc(uint32_t docid, const char *data, size_t len, const char *const *terms,
          const size_t *term_lens, size_t n_terms, void *user_data)
{
    check_run *c = user_data;
    c->n_docs++;
    if (c->progress && g_get_monotonic_time() - c->last_progress > G_USEC_PER_SEC / 4) {
        c->last_progress = g_get_monotonic_time();
        fprintf(stderr, "\r\033[Kchecking: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                        " documents",
                c->n_docs, c->total_docs);
        fflush(stderr);
    }
    const char *nul = memchr(data, '\0', len);
    if (nul == NULL) {
        problem(c, "document %u: its stored data has no NUL byte between the fields and the text",
                docid);
        return true;
    }
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    if (!json_parser_load_from_data(parser, data, nul - data, &err) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        problem(c, "document %u: its stored fields are not a JSON object (%s)", docid,
                err != NULL ? err->message : "another JSON value");
        return true;
    }
    JsonObject *fields = json_node_get_object(json_parser_get_root(parser));
    const char *id = json_object_get_string_member_with_default(fields, "id", NULL);
    if (id == NULL || *id == '\0') {
        problem(c, "document %u: its stored fields have no id", docid);
        return true;
    }
    guint n_q = 0;
    const char *file = NULL;
    size_t plen = strlen(TRACUU_PREFIX_ID), flen = strlen(TRACUU_PREFIX_FILE);
    for (size_t i = 0; i < n_terms; i++) {
        if (strncmp(terms[i], TRACUU_PREFIX_FILE, flen) == 0 && term_lens[i] == flen + 40) {
            file = terms[i] + flen;
        } else if (strncmp(terms[i], TRACUU_PREFIX_ID, plen) == 0) {
            n_q++;
            if (strcmp(terms[i] + plen, id) != 0)
                problem(c, "document %u: its id term %s does not match its stored id %s", docid,
                        terms[i], id);
        }
    }
    if (n_q == 0)
        problem(c, "document %u (id %s): no id term, so it cannot be replaced or removed", docid,
                id);
    gpointer other = g_hash_table_lookup(c->ids, id);
    if (other != NULL)
        problem(c, "documents %u and %u have the same id %s", GPOINTER_TO_UINT(other), docid, id);
    else
        g_hash_table_insert(c->ids, g_strdup(id), GUINT_TO_POINTER(docid));
    /* A file's state counts its whole documents; its article units come with them. */
    gboolean article = g_strcmp0(json_object_get_string_member_with_default(fields, "kind", NULL),
                                 TRACUU_KIND_ARTICLE) == 0;
    if (file != NULL && !article) {
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(c->per_file, file));
        if (n == 0) {
            const char *path = json_object_get_string_member_with_default(fields, "path", "");
            g_hash_table_insert(c->file_path, g_strdup(file), g_strdup(path));
        }
        g_hash_table_insert(c->per_file, g_strdup(file), GUINT_TO_POINTER(n + 1));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(relations); i++) {
        const char *target =
            json_object_get_string_member_with_default(fields, relations[i].field, NULL);
        if (target == NULL || *target == '\0')
            continue;
        pending_relation *p = g_new0(pending_relation, 1);
        p->docid = docid;
        p->id = g_strdup(id);
        p->target = g_strdup(target);
        p->what = relations[i].what;
        g_ptr_array_add(c->relations, p);
    }
    return true;
}

static bool
collect_states(const char *key, const char *value, size_t len, void *user_data)
{
    void **pair = user_data;
    GHashTable *states = pair[0];
    check_run *c = pair[1];
    const char *hex = key + strlen(TRACUU_META_FILE_PREFIX);
    tracuu_file_state *st = tracuu_state_parse(value, len);
    if (st == NULL || strlen(hex) != 40) {
        problem(c, "the file state %s does not parse", key);
        tracuu_file_state_free(st);
        return true;
    }
    g_hash_table_insert(states, g_strdup(hex), st);
    return true;
}

/* The per-file state against the documents that carry each file's "XF" term. */
static void
check_states(check_run *c, GHashTable *states)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, states);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        tracuu_file_state *st = v;
        guint have = GPOINTER_TO_UINT(g_hash_table_lookup(c->per_file, k));
        g_autofree char *shown = g_utf8_make_valid(st->path, -1);
        if (st->failed && have > 0)
            problem(c, "file %s: its state says it failed, yet %u documents of it are in the index",
                    shown, have);
        else if (!st->failed && have == 0 && st->ndocs > 0)
            problem(c, "file %s: its state names %u document%s, and none is in the index", shown,
                    st->ndocs, st->ndocs == 1 ? "" : "s");
        else if (!st->failed && have != st->ndocs)
            problem(c, "file %s: its state names %u documents, the index has %u", shown,
                    st->ndocs, have);
    }
    g_hash_table_iter_init(&it, c->per_file);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (g_hash_table_contains(states, k))
            continue;
        const char *path = g_hash_table_lookup(c->file_path, k);
        problem(c, "%u documents of the file %s have no file state (key %s): the next run cannot "
                   "tell whether they are current",
                GPOINTER_TO_UINT(v), path != NULL && *path ? path : "(no path stored)",
                (const char *)k);
    }
}

int
tracuu_care_check_report(const char *db, gboolean progress, gboolean print, guint64 *n_problems,
                         char **fatal)
{
    check_run c = {0};
    c.problems = g_ptr_array_new_with_free_func(g_free);
    c.ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c.per_file = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c.file_path = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    c.relations = g_ptr_array_new_with_free_func((GDestroyNotify)pending_relation_free);
    c.progress = progress;
    GHashTable *states = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)tracuu_file_state_free);
    int status = EXIT_ALL_OK;
    tracuu_store *store = NULL;
    uint64_t revision = 0, n_errors = 0;
    char *report = NULL, *err = NULL, *open_error = NULL, *why = NULL;

    /* Xapian's own check first: tracuu's reads below assume sound tables. */
    tracuu_store_status st = tracuu_store_check_xapian(db, &n_errors, &report, &err);
    if (st == TRACUU_STORE_NOT_FOUND || st == TRACUU_STORE_INVALID || st == TRACUU_STORE_IO) {
        *fatal = g_strdup_printf("cannot check %s: %s", db, err != NULL ? err : "unknown error");
        status = EXIT_INDEX;
        goto out;
    }
    if (st != TRACUU_STORE_OK) {
        problem(&c, "xapian: %s", err != NULL ? err : tracuu_store_status_name(st));
    } else if (n_errors > 0) {
        guint listed = 0;
        g_auto(GStrv) lines = g_strsplit(report != NULL ? report : "", "\n", -1);
        for (guint i = 0; lines[i] != NULL; i++)
            if (strstr(lines[i], "rror") != NULL) {
                problem(&c, "xapian: %s", g_strstrip(lines[i]));
                listed++;
            }
        if (listed == 0)
            problem(&c, "xapian: its check found %" G_GUINT64_FORMAT " errors in the tables",
                    (guint64)n_errors);
    }
    free(report);
    report = NULL;
    free(err);
    err = NULL;
    if (c.n_problems > 0)
        goto done; /* damaged tables: what they give cannot be judged */

    st = tracuu_store_open(db, TRACUU_STORE_READ, &store, &open_error);
    if (st != TRACUU_STORE_OK) {
        problem(&c, "cannot open the index: %s", open_error != NULL ? open_error : "");
        free(open_error);
        open_error = NULL;
        goto done;
    }
    c.total_docs = tracuu_store_get_doc_count(store);
    switch (tracuu_schema_index_check(store, &why)) {
    case TRACUU_SCHEMA_INDEX_CURRENT:
        break;
    case TRACUU_SCHEMA_INDEX_UNVERSIONED:
        if (c.total_docs > 0)
            problem(&c, "no schema or tokenizer version is recorded: the index was not made by "
                        "tracuu-indexer");
        break;
    case TRACUU_SCHEMA_INDEX_OTHER:
        problem(&c, "the index was %s: it must be rebuilt from the original files "
                    "(tracuu-indexer --rebuild with the same PATHs)",
                why);
        break;
    case TRACUU_SCHEMA_INDEX_UNREADABLE:
        problem(&c, "cannot read the versions: %s", why);
        break;
    }
    void *pair[2] = {states, &c};
    if (tracuu_store_list_metadata(store, TRACUU_META_FILE_PREFIX, collect_states, pair) !=
        TRACUU_STORE_OK)
        problem(&c, "cannot read the file states: %s", tracuu_store_get_error(store));
    tracuu_store_free(store);
    store = NULL;

    const char *const prefixes[] = {TRACUU_PREFIX_ID, TRACUU_PREFIX_FILE, NULL};
    st = tracuu_store_each_doc(db, prefixes, check_doc, &c, &revision, &c.total_docs, &err);
    if (progress) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (st != TRACUU_STORE_OK) {
        problem(&c, "cannot read every document: %s", err != NULL ? err : "");
        goto done;
    }
    c.walked = TRUE;
    check_states(&c, states);
    for (guint i = 0; i < c.relations->len; i++) {
        pending_relation *p = c.relations->pdata[i];
        if (!g_hash_table_contains(c.ids, p->target))
            problem(&c, "document %u (id %s): its %s %s is not in the index", p->docid, p->id,
                    p->what, p->target);
    }

done:
    if (print) {
        for (guint i = 0; i < c.problems->len; i++)
            g_print("%s\n", (const char *)c.problems->pdata[i]);
        if (c.n_problems > c.problems->len)
            g_print("... and %" G_GUINT64_FORMAT " more problems\n",
                    c.n_problems - c.problems->len);
        if (!c.walked)
            g_print("check: %s: NOT sound (its documents were not read)\n", db);
        else
            g_print("check: %s: %s (%" G_GUINT64_FORMAT " documents, %u file states, revision %"
                    G_GUINT64_FORMAT ")\n",
                    db, c.n_problems == 0 ? "sound" : "NOT sound", c.n_docs,
                    g_hash_table_size(states), (guint64)revision);
    }
    if (c.n_problems > 0)
        status = EXIT_SOME_FAILED;
out:
    if (n_problems != NULL)
        *n_problems = c.n_problems;
    free(err);
    free(report);
    g_free(why);
    tracuu_store_free(store);
    g_ptr_array_free(c.problems, TRUE);
    g_hash_table_destroy(c.ids);
    g_hash_table_destroy(c.per_file);
    g_hash_table_destroy(c.file_path);
    g_ptr_array_free(c.relations, TRUE);
    g_hash_table_destroy(states);
    return status;
}

int
tracuu_care_check(const char *db, gboolean progress)
{
    char *fatal = NULL;
    int status = tracuu_care_check_report(db, progress, TRUE, NULL, &fatal);
    if (fatal != NULL)
        g_printerr("tracuu-indexer: %s\n", fatal);
    g_free(fatal);
    return status;
}

bool
tracuu_indexer_cancelled(void *user_data)
{
    return tracuu_indexer_interrupted != 0;
}

int
tracuu_care_backup(const char *db, const char *dest, gboolean progress)
{
    tracuu_store_compact_options o = {0};
    o.cancelled = tracuu_indexer_cancelled;
    tracuu_store_backup_stats stats;
    char *msg = NULL;
    tracuu_store_status st = tracuu_store_backup(db, dest, &o, &stats, &msg);
    if (st != TRACUU_STORE_OK) {
        g_autofree char *fatal = tracuu_care_disk_full(
            g_strdup_printf("%s (%s)", msg != NULL ? msg : "unknown error",
                            tracuu_store_status_name(st)));
        g_printerr("tracuu-indexer: %s\n", fatal);
        free(msg);
        return tracuu_indexer_interrupted ? EXIT_SOME_FAILED : EXIT_INDEX;
    }
    g_autofree char *size = g_format_size(stats.size);
    g_print("backup: %s at revision %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
            " documents, %s) -> %s in %.1f s%s\n",
            db, stats.revision, stats.doc_count, size, dest, stats.seconds,
            stats.held ? "; a writer committing often was held until the copy was made" : "");
    /* The copy is checked as a restore would check it: a backup found bad today is worth more
     * than one found bad on the day it is needed. */
    char *fatal = NULL;
    int status = tracuu_care_check_report(dest, progress, TRUE, NULL, &fatal);
    if (fatal != NULL) {
        g_printerr("tracuu-indexer: the backup was made but cannot be checked: %s\n", fatal);
        g_free(fatal);
        return EXIT_INDEX;
    }
    if (status != EXIT_ALL_OK)
        g_printerr("tracuu-indexer: the backup %s is not sound (see above)\n", dest);
    return status;
}

int
tracuu_care_restore(const char *db, const char *src, gboolean progress)
{
    guint64 n = 0;
    char *fatal = NULL;
    /* A backup that is not sound would replace an index that may be: refuse it. */
    int status = tracuu_care_check_report(src, progress, TRUE, &n, &fatal);
    if (fatal != NULL || status != EXIT_ALL_OK) {
        g_printerr("tracuu-indexer: %s%s; nothing was restored, the index %s is as it was\n",
                   fatal != NULL ? fatal : "the backup is not sound: ",
                   fatal != NULL ? "" : src, db);
        g_free(fatal);
        return EXIT_INDEX;
    }
    tracuu_store_compact_options o = {0};
    o.cancelled = tracuu_indexer_cancelled;
    tracuu_store_backup_stats stats;
    char *msg = NULL;
    tracuu_store_status st = tracuu_store_restore(db, src, &o, &stats, &msg);
    if (st != TRACUU_STORE_OK) {
        g_autofree char *text = tracuu_care_disk_full(g_strdup_printf(
            "%s (%s); the index is as it was", msg != NULL ? msg : "unknown error",
            tracuu_store_status_name(st)));
        g_printerr("tracuu-indexer: %s\n", text);
        free(msg);
        return tracuu_indexer_interrupted ? EXIT_SOME_FAILED : EXIT_INDEX;
    }
    g_print("restored: %s -> %s (%" G_GUINT64_FORMAT " documents, now revision %" G_GUINT64_FORMAT
            ") in %.1f s\n",
            src, db, stats.doc_count, stats.revision, stats.seconds);
    return EXIT_ALL_OK;
}

/* Bytes in the regular files of the folder @dir (a glass index has no sub-folders). */
static guint64
folder_bytes(const char *dir)
{
    guint64 total = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return 0;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            total += (guint64)st.st_size;
    }
    g_dir_close(d);
    return total;
}

gboolean
tracuu_care_room_to_compact(const char *db, char **message)
{
    /* The copy is written beside the index, in its parent folder. */
    g_autofree char *base = g_strdup(db);
    for (size_t n = strlen(base); n > 1 && base[n - 1] == '/'; n--)
        base[n - 1] = '\0';
    g_autofree char *parent = g_path_get_dirname(base);
    struct statvfs vfs;
    if (statvfs(parent, &vfs) != 0)
        return TRUE; /* cannot tell: let the compaction find out, it fails safely */
    guint64 room = (guint64)vfs.f_bavail * (guint64)vfs.f_frsize;
    guint64 need = folder_bytes(base);
    if (room >= need)
        return TRUE;
    g_autofree char *n = g_format_size(need);
    g_autofree char *r = g_format_size(room);
    *message = g_strdup_printf("not enough room to compact: the copy needs up to %s (the size of "
                               "the index) in %s, which has %s free; the index is as it was",
                               n, parent, r);
    return FALSE;
}

char *
tracuu_care_disk_full(char *message)
{
    if (message == NULL || strstr(message, g_strerror(ENOSPC)) == NULL)
        return message;
    char *out = g_strdup_printf("disk full: %s; the index is as it was at the last commit; run "
                                "again when there is room",
                                message);
    g_free(message);
    return out;
}
