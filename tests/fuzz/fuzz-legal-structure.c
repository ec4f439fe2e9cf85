/* fuzz-legal-structure.c - libFuzzer target: any bytes through the legal structure parser. */
#include "tracuu-legal-structure.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What every structure promises (tracuu-legal-structure.h); anything else aborts. */
static void
check(const tracuu_legal_structure *s, size_t size)
{
    if (s->n_units > TRACUU_LEGAL_MAX_UNITS)
        abort();
    for (gsize i = 0; i < s->n_units; i++) {
        const tracuu_legal_unit *u = &s->units[i];
        if (u->start > u->end || u->end > size || u->parent >= (int)i)
            abort();
        if (u->parent >= 0 && s->units[u->parent].level >= u->level)
            abort();
        if (!u->number || !*u->number || !g_utf8_validate(u->number, -1, NULL))
            abort();
        if ((u->level <= TRACUU_LEGAL_ARTICLE) != (u->title != NULL))
            abort();
        if (u->title && (!g_utf8_validate(u->title, -1, NULL) || strchr(u->title, '\n')))
            abort();
        g_free(tracuu_legal_structure_dup_label(s, i));
        (void)tracuu_legal_structure_get_enclosing(s, i, TRACUU_LEGAL_CHAPTER);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tracuu_legal_structure *s = tracuu_legal_structure_parse((const char *)data, (gssize)size);
    if (!s)
        abort();
    check(s, size);
    tracuu_legal_structure_free(s);
    return 0;
}
