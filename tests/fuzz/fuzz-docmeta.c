/* fuzz-docmeta.c - libFuzzer target: any bytes through the header reader of official documents. */
#include "tracuu-docmeta.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field is NULL or a non-empty, valid UTF-8 value on one line: what the indexer stores and
   shows. Anything else aborts, which libFuzzer reports. */
static void
check_value(const char *s)
{
    if (!s)
        return;
    if (!*s || !g_utf8_validate(s, -1, NULL) || strchr(s, '\n') || strchr(s, '\r'))
        abort();
}

/* The date is ISO 8601 and a real day ("2008-12-03"), never "2024-02-31". */
static void
check_date(const char *s)
{
    if (!s)
        return;
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tracuu_docmeta *m = tracuu_docmeta_extract((const char *)data, (gssize)size);
    if (!m)
        abort();
    check_value(m->number);
    check_value(m->doc_type);
    check_value(m->issuer);
    check_value(m->place);
    check_value(m->title);
    check_value(m->signer);
    check_date(m->date);
    /* A number has a digit and a separator: "34/2008/CT-TTg", "64-TB/VPTW". */
    if (m->number && (!g_ascii_isdigit(m->number[0]) || !strpbrk(m->number, "/-")))
        abort();
    check_date(m->effective_date);
    check_date(m->end_date);
    if (!m->relations)
        abort();
    for (guint i = 0; i < m->relations->len; i++) {
        const tracuu_docmeta_relation *r = g_ptr_array_index(m->relations, i);
        check_value(r->kind);
        check_value(r->number);
        if (!r->kind || !r->number || !r->articles || !g_ascii_isdigit(r->number[0]))
            abort();
        for (char **a = r->articles; *a; a++)
            check_value(*a);
    }
    tracuu_docmeta_free(m);
    return 0;
}
