/* shard.c - the stable hash that assigns a document to a shard of a sharded index. */
#include "tracuu-shard.h"

#include <stdint.h>

unsigned
tracuu_shard_of(const char *key, size_t len, unsigned n)
{
    if (n <= 1)
        return 0;
    uint32_t h = 2166136261u; /* FNV-1a's offset basis and prime, 32 bits */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 16777619u;
    }
    return h % n;
}
