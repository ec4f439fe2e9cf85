/* fuzz-mail.c - libFuzzer target for the mail extractor and the header decoder. */
#include "extract-private.h"
#include "mail-decode.h"

/*
 * tests/fuzz/meson.build compiles only this file with -fsanitize=fuzzer; the extract library
 * is built without coverage, so libFuzzer would mutate blind (71 edges: this file's). Compiling
 * the mail extractor in here gives it the coverage instrumentation. The linker then takes
 * tracuu_extract_mail_message and the rest from this object and never pulls extract-mail.o out
 * of the archive, so nothing is defined twice.
 */
#include "../../indexer/extract-mail.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The contract of tracuu_extracted: every string valid UTF-8, text never NULL. */
static void
check(const tracuu_extracted *doc)
{
    const char *fields[] = {doc->kind,       doc->mime,        doc->title,      doc->text,
                            doc->created,    doc->subject,     doc->message_id,
                            doc->in_reply_to, doc->references, doc->attachment};
    if (doc->text == NULL)
        abort();
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (fields[i] != NULL && !g_utf8_validate(fields[i], -1, NULL))
            abort();
    }
    const GArray *lists[] = {doc->from, doc->to, doc->cc};
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        for (guint k = 0; lists[i] != NULL && k < lists[i]->len; k++) {
            const tracuu_mailbox *m = &g_array_index(lists[i], tracuu_mailbox, k);
            if ((m->name == NULL && m->address == NULL) ||
                (m->name != NULL && !g_utf8_validate(m->name, -1, NULL)) ||
                (m->address != NULL && !g_utf8_validate(m->address, -1, NULL)))
                abort();
        }
    }
    for (guint i = 0; doc->warnings && i < doc->warnings->len; i++) {
        if (!g_utf8_validate(g_ptr_array_index(doc->warnings, i), -1, NULL))
            abort();
    }
    for (guint i = 0; doc->children && i < doc->children->len; i++)
        check(g_ptr_array_index(doc->children, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gboolean ready;
    if (!ready) {
        if (!tracuu_extract_init(NULL))
            abort();
        ready = TRUE;
    }

    GError *error = NULL;
    tracuu_extracted *doc = tracuu_extract_mail_message((const char *)data, size, 0, &error);
    if (doc == NULL) {
        if (error == NULL || error->domain != TRACUU_EXTRACT_ERROR)
            abort(); /* a failure must say why */
        g_clear_error(&error);
    } else {
        if (error != NULL)
            abort();
        check(doc);
        tracuu_extracted_free(doc);
    }

    /* Bytes that start like an mbox go through the mbox reader too, from a file as it reads. */
    if (size > 5 && memcmp(data, "From ", 5) == 0) {
        static char *mbox_path;
        if (mbox_path == NULL) {
            int fd = g_file_open_tmp("fuzz-mail-XXXXXX.mbox", &mbox_path, NULL);
            if (fd < 0)
                abort();
            close(fd);
        }
        if (!g_file_set_contents(mbox_path, (const char *)data, (gssize)size, NULL))
            abort();
        tracuu_extracted *mbox = tracuu_extract_mbox_file(mbox_path, &error);
        unlink(mbox_path); /* no file left behind; the next input writes it again */
        if (mbox == NULL) {
            if (error == NULL || error->domain != TRACUU_EXTRACT_ERROR)
                abort();
            g_clear_error(&error);
        } else {
            check(mbox);
            tracuu_extracted_free(mbox);
        }
    }

    /* The header decoder alone, on the same bytes as one header value. */
    char *raw = g_strndup((const char *)data, MIN(size, (size_t)4096));
    char *decoded = tracuu_mail_decode_header(raw);
    if (decoded == NULL || !g_utf8_validate(decoded, -1, NULL))
        abort();
    g_free(decoded);
    g_free(raw);
    return 0;
}
