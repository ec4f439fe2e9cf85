/* tracuu-schema-rules.h - the rules both sides of the index apply, each in one function. */
#pragma once

#include <glib.h>
#include <sys/stat.h>

#include "tracuu-fields.h"
#include "tracuu-schema.h"
#include "tracuu-store.h"

G_BEGIN_DECLS

/*
 * store/tracuu-schema.h says what an index holds; these functions are how a value becomes what
 * it holds, called by the writing side (indexer/docwriter.c, tracuu-indexer) and the reading
 * side (searchd) alike, so that the two cannot disagree. They live in schema_dep (store/schema.c,
 * GLib and the tokenizer's folding), not in the store, which has no policy and no GLib.
 */

/* The boolean terms whose value is normalised (the prefixes of tracuu-schema.h). */
typedef enum {
    TRACUU_TERM_ID,         /* "Q"   as given, never cut (the writer refuses a long one) */
    TRACUU_TERM_FILE,       /* "XF"  as given */
    TRACUU_TERM_KIND,       /* "K"   folded */
    TRACUU_TERM_NUMBER,     /* "XN"  folded docnum form, else folded */
    TRACUU_TERM_CITES,      /* "XC"  folded docnum form, else folded */
    TRACUU_TERM_TYPE,       /* "XT"  folded */
    TRACUU_TERM_ISSUER,     /* "XI"  folded */
    TRACUU_TERM_SIGNER,     /* "XG"  folded */
    TRACUU_TERM_DATE,       /* "D"   as given (YYYYMMDD) */
    TRACUU_TERM_YEAR,       /* "Y"   as given (YYYY) */
    TRACUU_TERM_MONTH,      /* "M"   as given (YYYYMM) */
    TRACUU_TERM_FROM,       /* "A"   lowercase */
    TRACUU_TERM_TO,         /* "XTO" lowercase */
    TRACUU_TERM_MESSAGE_ID, /* "XM"  as given, without one pair of <> around it */
    TRACUU_TERM_PARENT,     /* "XP"  as given */
    TRACUU_TERM_MIME,       /* "XCT" ASCII lowercase, spaces trimmed */
    TRACUU_TERM_LABEL,      /* "XA"  as given (a valid label) */
    TRACUU_TERM_LEVEL,      /* "XL"  as given (a level name) */
    TRACUU_TERM_PARTICIPANT, /* "XV" lowercase, spaces trimmed */
    TRACUU_TERM_ARTICLE,     /* "XD"  folded: an article unit's number, "XD12a" */
} tracuu_schema_term;

/*
 * The boolean term for @value: the prefix of @term and @value normalised as @term says
 * ("folded": '_' read as a space, then tracuu_text_fold()). A term longer than
 * TRACUU_STORE_MAX_TERM bytes is cut there, except TRACUU_TERM_ID. Returns NULL when @value is
 * NULL or normalises to nothing; caller frees with g_free().
 */
char *tracuu_schema_bool_term(tracuu_schema_term term, const char *value);

/*
 * The relation kinds a document can state of another (field "relations", issue 14), NULL
 * terminated: "based_on", "amends", "replaces", "repeals", "guides", "corrects", "suspends",
 * "cites". tracuu_schema_relation_kind_is_valid() is TRUE for exactly these.
 */
extern const char *const tracuu_schema_relation_kinds[];
gboolean tracuu_schema_relation_kind_is_valid(const char *kind);

/*
 * The term of "this document states relation @kind of the document numbered @number":
 * TRACUU_PREFIX_RELATION + kind + ":" + the folded docnum form of @number (else folded):
 * "XRamends:13/2015/tt-btc"; cut at TRACUU_STORE_MAX_TERM like any boolean term. NULL when
 * @kind is not a relation kind or @number is empty; caller frees with g_free().
 */
char *tracuu_schema_relation_term(const char *kind, const char *number);

/*
 * The document type that the abbreviation @abbr (@len bytes, -1 for NUL-terminated) names in a
 * ký hiệu or a type: filter: "QĐ", "qd" -> "Quyết định", "TTLT" -> "Thông tư liên tịch" (Phụ lục
 * III of Nghị định 30/2020 and legal usage). Compared after folding (đ to d, no diacritics) and
 * upper-casing. Returns a static string, or NULL when @abbr is none.
 */
const char *tracuu_schema_doc_type_for_abbr(const char *abbr, gssize len);

/*
 * TRUE when @year (1000..9999), @month (1..12, or 0 for unknown) and @day (1..its month's
 * length, or 0 for unknown) are a date the schema takes; a day needs a month.
 */
gboolean tracuu_schema_date_valid(int year, int month, int day);

/*
 * Reads the schema's date form, exactly "YYYY", "YYYY-MM" or "YYYY-MM-DD" (@len bytes, -1 for
 * NUL-terminated), a real date by tracuu_schema_date_valid() (not 2021-02-31), into its digits
 * "YYYY[MM[DD]]" in @out. Returns FALSE (and @out "") for anything else.
 */
gboolean tracuu_schema_date_parse(const char *s, gssize len, char out[9]);

/*
 * A document number as written, the way both the header reader and the cites show it: @s
 * (@len bytes, or -1 for NUL-terminated) made valid UTF-8, with white space dropped and every
 * kind of dash (tracuu_char_is_dash()) made "-": "81 /2025/TT– NHNN" gives
 * "81/2025/TT-NHNN". Caller g_free()s.
 */
char *tracuu_schema_number_written(const char *s, gssize len);

/*
 * The title shown for a document: @title when it has one, else its @subject, else the name of
 * its @attachment, else the first line of @text that has a letter (cut to 160 characters),
 * else the file name of @path, else @id, else "". Any argument may be NULL (the daemon passes
 * no text: the indexer already took the first line when it stored the title).
 * Caller frees with g_free().
 */
char *tracuu_schema_title(const char *title, const char *subject, const char *attachment,
                          const char *text, const char *path, const char *id);

/*
 * Mailboxes for display and the stored fields: "Name <address>, address, Name", a name
 * quoted when it holds a character that separates addresses. NULL when @n is 0; g_free().
 */
char *tracuu_schema_mailboxes_format(const tracuu_mailbox *boxes, size_t n);

/*
 * Where a document's original bytes are: the stored field "source", which only the indexer's
 * extraction worker writes (never --from-jsonl), read back by searchd's file endpoint.
 *   path        the absolute path as the indexer walked it (any bytes)
 *   size, mtime_ns  what stat() said of the file when it was read, to tell a changed file
 *   offset, length  for a message of an mbox, its bytes in the file (after its "From " line);
 *                   offset -1 for a whole file
 *   part        for a document inside a message, the MIME part path from that message's body
 *               (indexer/extract-mail.c, tracuu_mail_part_bytes()); NULL for none
 * As text: "size=N&mtime=NS&path=PCT[&offset=N&length=N][&part=P]", path percent-encoded
 * bytes, so that a path that is not UTF-8 survives the fields JSON.
 */
typedef struct {
    char *path;
    guint64 size;
    gint64 mtime_ns;
    gint64 offset, length;
    char *part;
} tracuu_schema_source;

/* The mtime_ns of a source from stat() or fstat(): both sides take it this way. */
static inline gint64
tracuu_schema_source_mtime_ns(const struct stat *st)
{
    return (gint64)st->st_mtim.tv_sec * 1000000000 + (gint64)st->st_mtim.tv_nsec;
}

/* @src as the stored text. Caller frees with g_free(). */
char *tracuu_schema_source_format(const tracuu_schema_source *src);

/* The source in @text, or NULL when it is not one (not written by this format). Caller frees
 * with tracuu_schema_source_free(). */
tracuu_schema_source *tracuu_schema_source_parse(const char *text);

/* Frees @src; NULL accepted. */
void tracuu_schema_source_free(tracuu_schema_source *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_schema_source, tracuu_schema_source_free)

/* The index's versions against this program's (TRACUU_SCHEMA_VERSION, tokenizer version). */
typedef enum {
    TRACUU_SCHEMA_INDEX_CURRENT,     /* made by this schema and tokenizer */
    TRACUU_SCHEMA_INDEX_UNVERSIONED, /* no versions recorded: new, or not made by the indexer */
    TRACUU_SCHEMA_INDEX_OTHER,       /* another schema or tokenizer: must be rebuilt */
    TRACUU_SCHEMA_INDEX_UNREADABLE,  /* the metadata cannot be read */
} tracuu_schema_index_state;

/*
 * Reads the versions recorded in @store. For OTHER sets *@message to "built with schema
 * version S and tokenizer version T; this program uses schema S' and tokenizer T'", for
 * UNREADABLE to the store's error; else NULL. Caller frees *@message with g_free().
 */
tracuu_schema_index_state tracuu_schema_index_check(tracuu_store *store, char **message);

/* Records this program's versions in @store (not committed). FALSE when the store fails. */
gboolean tracuu_schema_index_set_versions(tracuu_store *store);

G_END_DECLS
