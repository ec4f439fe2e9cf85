/* tracuu-fields.h - the one list of a document's fields, and the struct it makes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Every field a document can have is one line of TRACUU_FIELDS below, and that line drives
 * every place that lists fields:
 *   - the tracuu_docfields struct the document writer takes (indexer/tracuu-docwriter.h);
 *   - the worker's pipe format (indexer/worker.c): a dictionary of the fields by name, each
 *     value of the GVariant type its field type says;
 *   - --from-jsonl import (indexer/tracuu-indexer.c): the members a line may give;
 *   - the stored data (indexer/docwriter.c): the fields JSON of store/tracuu-schema.h;
 *   - a hit's JSON (searchd/engine.c): the members copied from the stored fields into a hit.
 *
 * Adding a field: add its line here (name, type, flags), find its value (an extractor, docmeta
 * or the worker sets it in the struct), and, if it is searched, make its terms in
 * indexer/docwriter.c and its filter in searchd/compile.c through tracuu_schema_bool_term().
 * Nothing else lists fields. A change that alters what an index holds bumps
 * TRACUU_SCHEMA_VERSION (store/tracuu-schema.h). docs/architecture.md has a worked example.
 *
 * Field types and the C members they make (all borrowed, NULL / 0 when unknown):
 *   STRING     const char *NAME;                                  pipe "ay", JSON string
 *   DATE       const char *NAME; "YYYY-MM-DD", "YYYY-MM" or "YYYY", checked by
 *              tracuu_schema_date_parse() on import             pipe "ay", JSON string
 *   STRV       const char *const *NAME; size_t n_NAME;            pipe "aay", JSON [string]
 *   MAILBOXES  const tracuu_mailbox *NAME; size_t n_NAME;         pipe "a(ayay)", JSON string
 *              ("Name <address>, ..." for display, tracuu_schema_mailboxes_format())
 *   OFFSETS    const uint64_t *NAME; size_t n_NAME;               pipe "at", JSON [number]
 *   RELATIONS  const tracuu_relation *NAME; size_t n_NAME;        pipe "a(ayayaay)", JSON
 *              [{"kind":"amends","number":"13/2015/TT-BTC","articles":["5","7"]}]
 *              (kind is one of tracuu_schema_relation_kinds, tracuu-schema-rules.h; a
 *              relation with another kind or no number is refused on import)
 *   BOOL       bool NAME; absent when false                       pipe "b", JSON true
 *              (tracuu_field_get() gives a pointer to it when true, else NULL;
 *              tracuu_field_set() sets it true for a non-NULL value)
 * Strings are UTF-8 (the pipe carries bytes; non-UTF-8 is repaired when written as JSON).
 *
 * Flags:
 *   TRACUU_FIELD_REQUIRED    the document writer refuses a document without it
 *   TRACUU_FIELD_JSONL       a --from-jsonl line may give it (by its name)
 *   TRACUU_FIELD_STORED      kept in the stored fields JSON (and so shown by "get")
 *   TRACUU_FIELD_HIT         copied from the stored fields into each hit when present
 *   TRACUU_FIELD_HIT_ALWAYS  in each hit, "" when absent (implies HIT)
 * Access (docs/access-control.md): "access" holds the document's labels (each valid by
 * tracuu_label_is_valid()), "secrecy" its level by name ("mat", "toi-mat", "tuyet-mat"; absent
 * or "none" for none), "participants" the addresses of the mail messages that hold it (an
 * attachment's are its message's); the writer refuses a bad label or level. "stamp" is the
 * level printed on the document as docmeta read it (absent for none), kept apart from
 * "secrecy" so that a relabel can give max(stamp, rule) again without reading the file.
 * "source" says where the original bytes are (tracuu_schema_source in tracuu-schema-rules.h);
 * only the extraction worker sets it, so that an imported line cannot name a file to serve.
 * Every field crosses the worker pipe. The text is stored, but apart from the fields JSON
 * (see "Document data" in tracuu-schema.h), so it has no STORED flag.
 */
#define TRACUU_FIELDS(X)                                                                       \
    X(id, STRING, TRACUU_FIELD_REQUIRED | TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED |          \
                      TRACUU_FIELD_HIT_ALWAYS)                                                 \
    X(file_key, STRING, 0) /* 40 hex SHA-1 of the source file's absolute path ("XF") */        \
    X(path, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT_ALWAYS)       \
    X(kind, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT_ALWAYS) /* "pdf", "mail"... */     \
    X(mime, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED)                                 \
    X(title, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED) /* hit: title fallback */      \
    X(text, STRING, TRACUU_FIELD_REQUIRED | TRACUU_FIELD_JSONL) /* may be "" */               \
    X(number, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)            \
    X(doc_type, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)          \
    X(issuer, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)            \
    X(date, DATE, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)                \
    X(signer, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)            \
    X(cites, STRV, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED) /* display numbers */            \
    X(subject, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)           \
    X(from, MAILBOXES, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)           \
    X(to, MAILBOXES, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)             \
    X(cc, MAILBOXES, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED)                                \
    X(message_id, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)        \
    X(in_reply_to, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED)                          \
    X(parent, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* id of the message */        \
    X(attachment, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* its file name */        \
    X(pages, OFFSETS, TRACUU_FIELD_STORED) /* PDF page start offsets into text */           \
    X(ocr, BOOL, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* some text read by OCR */          \
    X(ocr_pages, OFFSETS, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* 1-based, read by OCR */ \
    X(access, STRV, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* labels */  \
    X(secrecy, STRING, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* level */\
    X(stamp, STRING, TRACUU_FIELD_STORED) /* printed level, before the access map raised it */ \
    X(participants, STRV, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED) /* enclosing mail's */  \
    X(source, STRING, TRACUU_FIELD_STORED) /* original bytes: tracuu_schema_source, no JSONL */\
    /* Legal tracing (issue 14, relations-graph): what the document states of others and   */ \
    /* its validity dates; status is computed from them at query time (searchd).           */ \
    X(relations, RELATIONS, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)    \
    X(effective_date, DATE, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED | TRACUU_FIELD_HIT)    \
    X(end_date, DATE, TRACUU_FIELD_JSONL | TRACUU_FIELD_STORED)                                \
    /* Article units (tracuu-schema.h "Article units"), written by the document writer. */     \
    X(article, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* "12", "12a" */              \
    X(heading, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* "Phạm vi điều chỉnh" */     \
    X(chapter, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* "Chương II. ..." */         \
    X(doc_title, STRING, TRACUU_FIELD_STORED | TRACUU_FIELD_HIT) /* the parent's title */

typedef enum {
    TRACUU_FIELD_STRING,
    TRACUU_FIELD_DATE,
    TRACUU_FIELD_STRV,
    TRACUU_FIELD_MAILBOXES,
    TRACUU_FIELD_OFFSETS,
    TRACUU_FIELD_RELATIONS,
    TRACUU_FIELD_BOOL,
} tracuu_field_type;

enum {
    TRACUU_FIELD_REQUIRED = 1 << 0,
    TRACUU_FIELD_JSONL = 1 << 1,
    TRACUU_FIELD_STORED = 1 << 2,
    TRACUU_FIELD_HIT = 1 << 3,
    TRACUU_FIELD_HIT_ALWAYS = 1 << 4 | 1 << 3,
};

/* One mailbox of an address field. Either may be NULL, not both. */
typedef struct {
    const char *name;    /* display name, decoded, without quotes */
    const char *address; /* "vanthu@chinhphu.gov.vn" as written */
} tracuu_mailbox;

/* One relation a document states of another (field type RELATIONS). A "replaces" or
 * "repeals" with no articles concerns the whole target. */
typedef struct {
    const char *kind;               /* "amends", "replaces", ... (tracuu_schema_relation_kinds) */
    const char *number;             /* the target's display number: "13/2015/TT-BTC" */
    const char *const *articles;    /* Điều numbers as written: "5", "12a"; may be NULL */
    size_t n_articles;
} tracuu_relation;

#define TRACUU_FIELD_MEMBER_STRING(n) const char *n;
#define TRACUU_FIELD_MEMBER_DATE(n) const char *n;
#define TRACUU_FIELD_MEMBER_STRV(n)                                                            \
    const char *const *n;                                                                      \
    size_t n_##n;
#define TRACUU_FIELD_MEMBER_MAILBOXES(n)                                                       \
    const tracuu_mailbox *n;                                                                   \
    size_t n_##n;
#define TRACUU_FIELD_MEMBER_RELATIONS(n)                                                       \
    const tracuu_relation *n;                                                                  \
    size_t n_##n;
#define TRACUU_FIELD_MEMBER_OFFSETS(n)                                                         \
    const uint64_t *n;                                                                         \
    size_t n_##n;
#define TRACUU_FIELD_MEMBER_BOOL(n) bool n;

/*
 * A document's fields as the document writer takes them (see TRACUU_FIELDS), all borrowed.
 * The members after the table are instructions to the writer, not fields.
 */
typedef struct {
#define TRACUU_FIELD_X(name, type, flags) TRACUU_FIELD_MEMBER_##type(name)
    TRACUU_FIELDS(TRACUU_FIELD_X)
#undef TRACUU_FIELD_X
    /* TRUE: the cites are the document numbers the text mentions (other than the document's
     * own number), found while the writer tokenizes the text, unless cites are given. */
    bool cites_from_text;
} tracuu_docfields;

/* The index of each field in tracuu_field_table: TRACUU_FIELD_INDEX_title... */
enum {
#define TRACUU_FIELD_X(name, type, flags) TRACUU_FIELD_INDEX_##name,
    TRACUU_FIELDS(TRACUU_FIELD_X)
#undef TRACUU_FIELD_X
    TRACUU_N_FIELDS
};

/* What code that walks the fields needs to know of one (see tracuu_field_table). */
typedef struct {
    const char *name;
    tracuu_field_type type;
    unsigned flags;
    size_t offset;       /* of the member in tracuu_docfields */
    size_t count_offset; /* of n_NAME for the array types, else 0 */
} tracuu_field_info;

/* The table in TRACUU_FIELDS order (defined in store/schema.c). */
extern const tracuu_field_info tracuu_field_table[TRACUU_N_FIELDS];

/* TRUE for the types with a count member. */
static inline bool
tracuu_field_is_array(const tracuu_field_info *fi)
{
    return fi->type == TRACUU_FIELD_STRV || fi->type == TRACUU_FIELD_MAILBOXES ||
           fi->type == TRACUU_FIELD_OFFSETS || fi->type == TRACUU_FIELD_RELATIONS;
}

/* The value of field @fi of @f: the pointer member, and its count in *@n (1 or 0 for the
 * string types, as it is NULL or not); for a BOOL, a pointer to its member when true. */
static inline const void *
tracuu_field_get(const tracuu_docfields *f, const tracuu_field_info *fi, size_t *n)
{
    const void *v;
    const char *base = (const char *)f;
    if (fi->type == TRACUU_FIELD_BOOL) {
        v = *(const bool *)(const void *)(base + fi->offset) ? base + fi->offset : NULL;
        *n = v != NULL ? 1 : 0;
        return v;
    }
    memcpy(&v, base + fi->offset, sizeof v);
    if (tracuu_field_is_array(fi))
        memcpy(n, base + fi->count_offset, sizeof *n);
    else
        *n = v != NULL ? 1 : 0;
    return v;
}

/* Sets field @fi of @f to @v (borrowed), with @n elements for the array types; a BOOL to
 * true for any non-NULL @v. */
static inline void
tracuu_field_set(tracuu_docfields *f, const tracuu_field_info *fi, const void *v, size_t n)
{
    char *base = (char *)f;
    if (fi->type == TRACUU_FIELD_BOOL) {
        *(bool *)(void *)(base + fi->offset) = v != NULL;
        return;
    }
    memcpy(base + fi->offset, &v, sizeof v);
    if (tracuu_field_is_array(fi))
        memcpy(base + fi->count_offset, &n, sizeof n);
}
