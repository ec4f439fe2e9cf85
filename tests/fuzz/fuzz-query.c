/* fuzz-query.c - libFuzzer target: any bytes through the query parser and compiler. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine-private.h"
#include "tracuu-engine.h"

static tracuu_tokenizer *tk;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (tk == NULL) {
        tk = tracuu_tokenizer_new(NULL);
        if (tk == NULL)
            abort();
    }
    GError *error = NULL;
    size_t pos = 0;
    tracuu_qnode *ast = tracuu_query_parse((const char *)data, (gssize)size, &pos, &error);
    if (ast == NULL) {
        /* A refusal must say why and point inside the query. */
        if (error == NULL || error->domain != TRACUU_ENGINE_ERROR || pos > size + 3 * size)
            abort();
        g_error_free(error);
        return 0;
    }
    char *d = tracuu_qnode_describe(ast);
    if (!g_utf8_validate(d, -1, NULL))
        abort();
    g_free(d);
    tracuu_query_prepare(tk, ast);
    /* Every variant is compiled from the one prepared tree, which compiling leaves as it is:
     * the same compilation twice gives the same query. */
    char *first = NULL;
    for (int round = 0; round < 2; round++) {
        tracuu_compiled c;
        if (tracuu_query_compile(ast, NULL, size % 2 == 0, NULL, &c, &error)) {
            char *q = tracuu_query_describe(c.query);
            if (first == NULL)
                first = q;
            else if (strcmp(first, q) != 0)
                abort();
            else
                free(q);
            tracuu_compiled_clear(&c);
        } else {
            g_clear_error(&error);
        }
    }
    free(first);
    tracuu_qnode_free(ast);
    return 0;
}
