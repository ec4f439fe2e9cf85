/* fuzz-tokenizer.c - libFuzzer target: any bytes through the tokenizer and the normalisers. */
#include "tracuu-tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Checks the contract every caller relies on; a broken one aborts, which libFuzzer reports. */
typedef struct {
    const char *text;
    size_t len;
    uint32_t pos;
    gboolean any;
} check_ctx;

/*
 * A document number found in running text is the same number when its text is given alone
 * (a number: filter, a metadata value): the normaliser is told the whole text is a number, so
 * it accepts at least what running text does, and must make the same term of it.
 */
static void
check_docnum(const check_ctx *c, const tracuu_token *t)
{
    char *term = NULL, *folded = NULL;
    if (!tracuu_docnum_normalize(c->text + t->start, (gssize)(t->end - t->start), &term,
                                 &folded) ||
        strcmp(term, t->term) != 0 || strcmp(folded, t->folded) != 0)
        abort();
    g_free(term);
    g_free(folded);
}

static gboolean
check_token(const tracuu_token *t, gpointer user_data)
{
    check_ctx *c = user_data;
    if (t->term_len == 0 || t->term_len > TRACUU_TOKENIZER_MAX_TERM ||
        t->folded_len > TRACUU_TOKENIZER_MAX_TERM || strlen(t->term) != t->term_len ||
        strlen(t->folded) != t->folded_len ||
        !g_utf8_validate(t->term, (gssize)t->term_len, NULL) ||
        !g_utf8_validate(t->folded, (gssize)t->folded_len, NULL) || t->start >= t->end ||
        t->end > c->len)
        abort();
    if (t->flags & TRACUU_TOKEN_PART) {
        if (!c->any || t->pos != c->pos)
            abort();
    } else {
        if (c->any && t->pos != c->pos + 1)
            abort();
        c->pos = t->pos;
        if (t->kind == TRACUU_TOKEN_DOCNUM)
            check_docnum(c, t);
    }
    c->any = TRUE;
    return TRUE;
}

/* Stops after a number of tokens, to check what the run returns when told to stop. */
typedef struct {
    unsigned left;
    uint32_t next_pos;
} stop_ctx;

static gboolean
stop_token(const tracuu_token *t, gpointer user_data)
{
    stop_ctx *c = user_data;
    c->next_pos = t->pos + 1; /* a part shares its token's position, already counted */
    return --c->left > 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tracuu_tokenizer *tk;
    if (!tk)
        tk = tracuu_tokenizer_new(NULL);
    if (!tk)
        abort();
    check_ctx c = {(const char *)data, size, 0, FALSE};
    uint32_t end = tracuu_tokenizer_run(tk, (const char *)data, size, 0, check_token, &c);
    if (end != (c.any ? c.pos + 1 : 0))
        abort();
    if (size > 0) {
        stop_ctx st = {1u + data[0] % 8u, 1000};
        uint32_t e = tracuu_tokenizer_run(tk, (const char *)data, size, 1000, stop_token, &st);
        if (e != st.next_pos || e > 1000 + (c.any ? c.pos + 1 : 0))
            abort();
    }

    char *n = tracuu_text_normalize((const char *)data, (gssize)size);
    char *f = tracuu_text_fold((const char *)data, (gssize)size);
    if (!g_utf8_validate(n, -1, NULL) || !g_utf8_validate(f, -1, NULL))
        abort();
    g_free(n);
    g_free(f);

    char *term = NULL, *folded = NULL;
    if (tracuu_docnum_normalize((const char *)data, (gssize)size, &term, &folded)) {
        if (!term || !folded || !*term || strlen(term) > TRACUU_TOKENIZER_MAX_TERM)
            abort();
    } else if (term || folded) {
        abort();
    }
    g_free(term);
    g_free(folded);
    return 0;
}
