/* tracuu-shard.h - which shard of a sharded tracuu index a document belongs to. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The shard, 0 to @n - 1, of the document source known by @key (@len bytes, need not be
 * NUL-terminated): FNV-1a (32 bits) of the bytes, modulo @n. The key is the file's key as the
 * per-file state knows it (the hex SHA-1 the walk makes), so that a mail and its attachments
 * and all article units of a document stay in one shard; for a --from-jsonl line it is the
 * document's "id". The hash is part of the index layout: changing it would move documents to
 * other shards on the next run. @n of 0 or 1 gives 0.
 */
unsigned tracuu_shard_of(const char *key, size_t len, unsigned n);

#ifdef __cplusplus
}
#endif
