/* engine-private.h - internals shared by the engine's files: query AST, compiler, ranking knobs. */
#pragma once

#include <glib.h>

#include "identity.h"
#include "tracuu-store.h"
#include "tracuu-tokenizer.h"

G_BEGIN_DECLS

/* Hard limits, so that no query can make the engine spend unbounded time or memory. */
#define TRACUU_QUERY_MAX_BYTES 16384 /* longer queries are refused (bad_query) */
#define TRACUU_QUERY_MAX_DEPTH 32    /* parentheses nested deeper are refused */
#define TRACUU_QUERY_MAX_NODES 1024  /* items (words runs, phrases, filters...) in a query */
#define TRACUU_QUERY_MAX_TOKENS 256  /* syllables of one text run used for ranking */
#define TRACUU_QUERY_NEAR_DEFAULT 10 /* a NEAR b: within 10 words, as in Xapian and Omega */
#define TRACUU_QUERY_NEAR_MAX 1000   /* a NEAR/n b: n from 1 to this */

typedef enum {
    TRACUU_QNODE_TEXT = 0, /* a run of plain words: text is the raw span of the query */
    TRACUU_QNODE_PHRASE,   /* "quoted words": text is what stands between the quotes */
    TRACUU_QNODE_FIELD,    /* field:value */
    TRACUU_QNODE_SEQ,      /* items side by side (and parentheses): see the modes */
    TRACUU_QNODE_OR,       /* a OR b OR c */
    TRACUU_QNODE_AND,      /* a AND b */
    TRACUU_QNODE_NEAR,     /* a NEAR b NEAR/n c: children are TEXT (one word) or PHRASE */
} tracuu_qnode_kind;

/* How an item counts among its siblings in a SEQ. */
typedef enum {
    TRACUU_QMODE_OPTIONAL = 0, /* plain words: add weight, not required */
    TRACUU_QMODE_REQUIRED,     /* +word, "phrase", field filters, AND operands */
    TRACUU_QMODE_EXCLUDED,     /* -word, NOT word */
} tracuu_qmode;

typedef enum {
    TRACUU_QFIELD_NONE = 0,
    TRACUU_QFIELD_NUMBER,  /* number:, so:    "XN" docnum */
    TRACUU_QFIELD_TYPE,    /* type:, loai:    "XT" folded */
    TRACUU_QFIELD_ISSUER,  /* issuer:, coquan: "XI" folded, or all "XIW" words */
    TRACUU_QFIELD_DATE,    /* date:, ngay:    TRACUU_SLOT_DATE range */
    TRACUU_QFIELD_YEAR,    /* year:, nam:     "Y" term or a date range */
    TRACUU_QFIELD_KIND,    /* kind:           "K" lowercase */
    TRACUU_QFIELD_FROM,    /* from:           "A" address or "AW" words */
    TRACUU_QFIELD_TO,      /* to:             "XTO" address or "XTOW" words */
    TRACUU_QFIELD_SUBJECT, /* subject:        "XU" words, as a phrase */
    TRACUU_QFIELD_CITES,   /* cites:          "XC" docnum */
    TRACUU_QFIELD_SIGNER,  /* signer:, nguoiky: "XG" folded */
    TRACUU_QFIELD_ID,      /* id:             "Q" id */
    TRACUU_QFIELD_PARENT,  /* parent:         "XP" id */
    /* Relations the document states (issue 14): "XR" kind:docnum, the kind being the
     * field's name (tracuu_qfield_name()), so these names are tracuu_schema_relation_kinds. */
    TRACUU_QFIELD_AMENDS,   /* amends:   */
    TRACUU_QFIELD_REPLACES, /* replaces: */
    TRACUU_QFIELD_REPEALS,  /* repeals:  */
    TRACUU_QFIELD_GUIDES,   /* guides:   */
    TRACUU_QFIELD_BASED_ON, /* based_on: */
    TRACUU_QFIELD_CORRECTS, /* corrects: */
    TRACUU_QFIELD_SUSPENDS, /* suspends: */
    /* Resolved by the engine before compiling (searchd/legal.c), over the caller's documents:
     * the targets of the relations the documents numbered (or with the id) VALUE state. */
    TRACUU_QFIELD_AMENDED_BY,
    TRACUU_QFIELD_REPLACED_BY,
    TRACUU_QFIELD_REPEALED_BY,
    TRACUU_QFIELD_GUIDED_BY,
    TRACUU_QFIELD_BASIS_OF,
    TRACUU_QFIELD_CORRECTED_BY,
    TRACUU_QFIELD_SUSPENDED_BY,
    TRACUU_QFIELD_CITED_BY,
    TRACUU_QFIELD_STATUS, /* status: one of the status values, as of the request's as_of */
    TRACUU_QFIELD_ARTICLE, /* dieu:, article: "XD" folded article number */
    TRACUU_QFIELD_UNIT,    /* unit:article    "Karticle"; unit:document: all but Karticle */
} tracuu_qfield;

/*
 * A token of a query's words, as the tokenizer gave it. The pieces of a document number or an
 * address (TRACUU_TOKEN_PART) are left out: they are searchable in the index, but in a query
 * the whole token is what the user meant, and the pieces would only add noise.
 */
typedef struct {
    char *term;        /* normalised, with its diacritics; a document number's normal form */
    char *folded;      /* without diacritics, đ as d: the "F" term; for kind DOCNUM, the form
                          the "XN" and "XC" terms and the document-number tiers use */
    tracuu_token_kind kind;
    uint32_t pos;      /* position in the node's text, from 0 */
    gboolean accented; /* @term differs from @folded: typed with a diacritic or đ */
    size_t start, end; /* byte span in the node's text (for suggestions, suggest.c) */
} tracuu_qtoken;

typedef struct tracuu_qnode tracuu_qnode;
struct tracuu_qnode {
    tracuu_qnode_kind kind;
    tracuu_qmode mode;
    tracuu_qfield field; /* FIELD */
    char *text;          /* TEXT, PHRASE: the words; FIELD: the value as written */
    char *lo, *hi;       /* FIELD date/year ranges: "YYYY[MM[DD]]" ends, NULL when open */
    size_t start, end;   /* byte span in the (UTF-8-repaired) query */
    unsigned distance;   /* NEAR: the words may stand at most this many positions apart */
    GPtrArray *children; /* SEQ, OR, AND, NEAR: tracuu_qnode *, owned */
    /* Set by tracuu_query_prepare(), so that compiling reads them instead of tokenizing: */
    gboolean prepared;    /* the root: prepared, the whole tree */
    GArray *tokens;       /* TEXT, PHRASE: tracuu_qtoken, at most TRACUU_QUERY_MAX_TOKENS */
    gboolean accented;    /* TEXT, PHRASE: a token of the text (a piece too) has a diacritic */
    tracuu_query *filter; /* FIELD: the weightless store query of the filter, owned */
};

/*
 * Parses @len bytes of @query (-1: NUL-terminated; any bytes: invalid UTF-8 is replaced first)
 * into an AST whose root is a SEQ. Plain text never fails: unknown "word:", a lone '-', stray
 * operators, unbalanced quotes and parentheses are read as ordinary text or ignored. Fails with
 * TRACUU_ENGINE_ERROR_BAD_QUERY for a query over the limits above, a field value that cannot
 * be read (date:2008-13-45, year:abc), or a NEAR that joins something other than words and
 * phrases or has a distance out of range (NEAR/0); then *@error_pos (if not NULL) gets the byte
 * offset of the problem, and the message says it. Caller frees the result with
 * tracuu_qnode_free().
 */
tracuu_qnode *tracuu_query_parse(const char *query, gssize len, size_t *error_pos,
                                 GError **error);

void tracuu_qnode_free(tracuu_qnode *node); /* NULL accepted */

/* An empty node of @kind (a SEQ, OR, AND or NEAR has no children yet). Caller frees it. */
tracuu_qnode *tracuu_qnode_new(tracuu_qnode_kind kind, tracuu_qmode mode);

/*
 * A required filter node for @field (not NONE) with @value exactly as given, which is not
 * query text: quotes, colons and parentheses are part of it (the "filters" of a search request
 * come this way, not printed into query text and parsed again). White space at the ends is
 * trimmed; an empty value returns NULL without @error (no filter). A date or year that cannot
 * be read returns NULL with @error (TRACUU_ENGINE_ERROR_BAD_QUERY) saying at which byte of
 * the value. Caller frees with tracuu_qnode_free().
 */
tracuu_qnode *tracuu_qnode_new_filter(tracuu_qfield field, const char *value, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tracuu_qnode, tracuu_qnode_free)

/*
 * A one-line description of @node for tests and logs, e.g.
 * (text:"thu dien tu" -phrase:"a b" +type:"quyet dinh" (OR text:"x" text:"y")
 * +(NEAR/10 text:"a" phrase:"b")).
 * Caller frees with g_free().
 */
char *tracuu_qnode_describe(const tracuu_qnode *node);

/* The field named by the @n bytes at @name (any ASCII case, aliases too), or NONE. */
tracuu_qfield tracuu_qfield_lookup(const char *name, size_t n);

/* The canonical (English) name of @field: "number", "type"... */
const char *tracuu_qfield_name(tracuu_qfield field);

/*
 * How much each syllable of a question carries its content (question-words.c): a factor on
 * its weights, by the syllable and its neighbours, learned from training questions.
 */
typedef struct tracuu_question_words tracuu_question_words;

/* The table of @len bytes of @text (the format of question-words.c), or NULL with @error. */
tracuu_question_words *tracuu_question_words_parse(const char *text, gsize len, GError **error);
/* The table in the file @path, or NULL with @error naming it. */
tracuu_question_words *tracuu_question_words_load(const char *path, GError **error);
void tracuu_question_words_free(tracuu_question_words *qw);
/* Its number of entries (0 for NULL). */
guint tracuu_question_words_size(const tracuu_question_words *qw);
/*
 * The factor of @syllable between @left and @right (NULL: none), all terms as the tokenizer
 * makes them (@exact) or folded; 1 when the table does not know it or @qw is NULL.
 */
double tracuu_question_words_factor(const tracuu_question_words *qw, gboolean exact,
                                    const char *left, const char *syllable, const char *right);
/* The compiled-in table (searchd/question-words.tsv), made once; never freed. */
const tracuu_question_words *tracuu_question_words_default(void);

/* Ranking knobs, so that the evaluation can tune them; see docs/ranking.md. */
typedef struct {
    double accent_weight;  /* weight of the accented term beside the folded one */
    double folded_weight;  /* weight of the folded "F" term */
    double folded_accented; /* factor on it when the query is typed with diacritics */
    double title_weight;   /* weight of title terms (S / XS) */
    double bigram_weight;  /* weight of adjacent-syllable pairs (phrase of two) */
    double bigram_accent;  /* extra weight for pairs written with the same diacritics */
    double phrase_weight;  /* weight of a quoted phrase's own match */
    double bm25_k1, bm25_b;
    double restore_weight;  /* weight of a guessed accent, for accent-free queries (0: off) */
    unsigned restore_docs;  /* best hits read to guess the accents of an accent-free query */
    unsigned rerank_pool;   /* best hits, by the query without pair bonuses, that the pair
                               bonuses re-rank (at least offset + limit; 0: one pass) */
    unsigned all_words_max; /* runs of at most this many syllables need them all (AND); longer
                               runs (pasted sentences) need any (OR). 0: always OR */
    gboolean suggest;       /* answers carry "did you mean" (suggest.c); the bench turns it off
                               to measure what it costs */
    gboolean suggest_absent; /* a word no document has is corrected even where the query finds
                                enough (callers who see everything); off: only where it finds
                                little, as docs/protocol.md says */
    const tracuu_question_words *question_words; /* factors on the syllables of runs longer
                                                    than all_words_max (NULL: none); not owned */
} tracuu_rank_params;

/* Fills @params with the tuned defaults (rank.c, where a new weight gets its default). */
void tracuu_rank_params_init(tracuu_rank_params *params);

/* Sets the ranking knobs of @engine (for the evaluation in bench/). */
struct tracuu_engine;
void tracuu_engine_set_rank_params(struct tracuu_engine *engine,
                                   const tracuu_rank_params *params);

/* Whether hits get a snippet (default TRUE); the evaluation turns them off to measure ranking. */
void tracuu_engine_set_snippets(struct tracuu_engine *engine, gboolean on);

/* A positive word of the query, in query order, for guessing accents. */
typedef struct {
    char *folded;
    guint index;       /* the key for the @restore table of tracuu_query_compile() */
    uint32_t pos;
    gboolean after_word; /* the word before it stands right next to it */
    const tracuu_qnode *node; /* the TEXT or PHRASE it was typed in (borrowed from the AST) */
    guint token;              /* its index in @node's tokens */
} tracuu_qword;

/* What the compiler gives back: the query and what the snippets and docnum ranking need. */
typedef struct {
    tracuu_query *query;    /* the whole ranked query with filters, or NULL for "no text" */
    tracuu_query *filter;   /* what the top-level filters and exclusions allow, weightless
                               (NULL when the query has neither) */
    GPtrArray *docnums;     /* char *: folded docnum forms found in the text (for tiers) */
    GHashTable *marks;      /* char *: folded forms of the query words, to mark in snippets */
    GHashTable *exact_marks; /* char * folded form -> GPtrArray of char *: the forms typed of
                                the query words marked as typed (see tracuu_snippet_make()) */
    gboolean has_text;      /* some positive text was given (else: browse by filters) */
    gboolean accented;      /* the query was typed with diacritics */
    GArray *words;          /* tracuu_qword: the positive words (for guessing accents) */
    gboolean relaxable;     /* some run needed all its words: compiling with @relaxed may find
                               more when this finds nothing */
    gboolean has_pairs;     /* @query holds adjacent-pair bonuses (positional checks), so the
                               engine ranks in two passes (see docs/ranking.md) */
} tracuu_compiled;

/*
 * Tokenizes @root once with @tk, for every compilation of it: each word run and phrase gets
 * its tokens, each field filter its store query (the tokens of an issuer's or a subject's
 * words are read here too). Call it once per query, after the last node is added (filters)
 * and before tracuu_query_compile(), which never tokenizes. Returns the number of tokenizer
 * runs it made (one per node with text to read), which the engine counts for its tests.
 */
guint tracuu_query_prepare(tracuu_tokenizer *tk, tracuu_qnode *root);

/*
 * Turns @ast, prepared by tracuu_query_prepare(), into store queries with @params (NULL:
 * defaults); @relaxed makes every run of plain words need any of its words rather than all of
 * them. @restore (or NULL) maps GUINT_TO_POINTER(word index + 1) to the accented form guessed
 * for that word of an accent-free query (see tracuu_qword), which then counts like a typed
 * accent with restore_weight. Every variant the engine runs (exact and folded passes, accent
 * guess, relaxed retry) is compiled from the same prepared tree, so none tokenizes again.
 * Returns FALSE with @error (TRACUU_ENGINE_ERROR_BAD_QUERY) when the store cannot build a
 * query or a NEAR joins a phrase. On success the caller clears @out with
 * tracuu_compiled_clear().
 */
gboolean tracuu_query_compile(const tracuu_qnode *ast, const tracuu_rank_params *params,
                              gboolean relaxed, GHashTable *restore, tracuu_compiled *out,
                              GError **error);

void tracuu_compiled_clear(tracuu_compiled *c);

/*
 * Makes a snippet of @text (@len bytes): the window of at most @max_chars characters holding the most
 * distinct query words of @marks (their folded forms), HTML-escaped, matches wrapped in
 * <mark>...</mark>, cut on UTF-8 boundaries, "…" where text was cut. Sets *@at (if not NULL) to
 * the byte offset in @text of the first match the snippet marks (for the page number, so that
 * the page is where the reader finds the first mark), or of the snippet's start when it marks
 * none. With no match, returns the start of the text. A token matches when its folded form is
 * in @marks; but for a folded form in @exact (NULL: none; see tracuu_compiled.exact_marks), only
 * tokens written as one of its forms match, unless the text lacks some of those forms: a query
 * word typed with diacritics is marked as typed where the text has it so, and in every accent
 * where it has not (the document was found through the accent-free form). Caller frees with
 * g_free().
 */
char *tracuu_snippet_make(tracuu_tokenizer *tk, const char *text, size_t len, GHashTable *marks,
                          GHashTable *exact, size_t max_chars, size_t *at);

/*
 * Searches over parts of the index at once (split.c): @parts - 1 helper threads, each with its
 * own reader of the index at @db_path; the caller's reader searches the first part. Caller
 * frees with tracuu_split_free(). NULL with @error (TRACUU_ENGINE_ERROR_INDEX) when a reader
 * cannot be opened. @parts is 2 to 16.
 */
typedef struct tracuu_split tracuu_split;
tracuu_split *tracuu_split_new(const char *db_path, unsigned parts, GError **error);
void tracuu_split_free(tracuu_split *s); /* NULL accepted */
unsigned tracuu_split_parts(const tracuu_split *s); /* 1 for NULL */
uint64_t tracuu_split_count(const tracuu_split *s); /* searches split so far (0 for NULL) */

/* Searches @engine split so far (tests check that splitting really happened). */
uint64_t tracuu_engine_split_count(struct tracuu_engine *engine);

/* Tokenizer runs @engine made on query text so far (tests check that a query is read once). */
uint64_t tracuu_engine_query_tokenizer_runs(struct tracuu_engine *engine);

/*
 * The visibility filter of @identity, the one place where who sees what is decided
 * (docs/access-control.md): NULL (no filter) for NULL or an admin; otherwise the weightless
 * query of the documents whose level term (XL) is at most the clearance AND that have a
 * label the user holds (XA), or the unlabelled term (XA-) when default_public, or one of the
 * user's addresses as a participant (XV). A user with none of these gets a query that
 * matches nothing, never NULL. Caller frees with tracuu_query_free().
 */
tracuu_query *tracuu_engine_visibility_filter(const tracuu_identity *identity);

/*
 * Moves the helpers' readers to the revision of @main (reopening @main too when an indexer
 * committed meanwhile). FALSE when they cannot be brought to one revision: the caller then
 * searches without splitting, since parts at different revisions would weigh differently.
 */
gboolean tracuu_split_sync(tracuu_split *s, tracuu_store *main);

/*
 * Runs @query like tracuu_store_search(@main, ...) with @opts, cut into parts by document
 * number and searched at once, the caller's thread searching the first part on @main. The
 * result is the one search's: the same hits in the same order (weight, then document number),
 * with data unless @opts->no_data; totals and facet counts are sums of the parts. Sorted by
 * a value, hits are merged by it first, as Xapian orders them. Indexes with fewer documents
 * than parts run as one search on @main.
 * On failure returns the status of the part that failed and sets *@error to its message
 * (g_free()); *@out is then NULL. @opts->time_limit applies to each part.
 */
tracuu_store_status tracuu_split_search(tracuu_split *s, tracuu_store *main,
                                        const tracuu_query *query,
                                        const tracuu_search_options *opts,
                                        tracuu_results **out, char **error);

G_END_DECLS
