/* test-shard.c - the hash that puts a document into a shard: fixed values, spread, edges. */
#include <glib.h>
#include <string.h>

#include "tracuu-shard.h"

typedef struct {
    const char *key;
    unsigned n;
    unsigned shard; /* FNV-1a 32 of key (published test vectors) modulo n */
} shard_case;

/* FNV-1a 32: "" is 0x811c9dc5, "a" 0xe40c292c, "foobar" 0xbf9cf968. The layout of an index
 * on disk depends on these: a change of hash would send documents to other shards. */
static const shard_case cases[] = {
    {"", 2, 0x811c9dc5u % 2},
    {"", 3, 0x811c9dc5u % 3},
    {"a", 2, 0xe40c292cu % 2},
    {"a", 7, 0xe40c292cu % 7},
    {"foobar", 2, 0xbf9cf968u % 2},
    {"foobar", 10, 0xbf9cf968u % 10},
    {"foobar", 1, 0},
    {"foobar", 0, 0},
};

static void
test_vectors(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpuint(tracuu_shard_of(cases[i].key, strlen(cases[i].key), cases[i].n), ==,
                         cases[i].shard);
}

/* The length counts, not a NUL: a key is bytes. */
static void
test_length(void)
{
    g_assert_cmpuint(tracuu_shard_of("aX", 1, 7), ==, 0xe40c292cu % 7);
}

/* SHA-1 keys spread over the shards: none of 3 gets less than a quarter of 3000 keys. */
static void
test_spread(void)
{
    guint count[3] = {0};
    for (guint i = 0; i < 3000; i++) {
        g_autofree char *s = g_strdup_printf("/srv/docs/%u.pdf", i);
        g_autofree char *key = g_compute_checksum_for_string(G_CHECKSUM_SHA1, s, -1);
        unsigned k = tracuu_shard_of(key, strlen(key), 3);
        g_assert_cmpuint(k, <, 3);
        count[k]++;
    }
    for (guint k = 0; k < 3; k++)
        g_assert_cmpuint(count[k], >, 750);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/shard/vectors", test_vectors);
    g_test_add_func("/shard/length", test_length);
    g_test_add_func("/shard/spread", test_spread);
    return g_test_run();
}
