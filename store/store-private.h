/* store-private.h - what the store's C++ files share: Xapian errors as statuses and messages. */
#pragma once

#include <xapian.h>

#include <string>

#include "tracuu-store.h"

namespace tracuu_store_impl {

/* Describes a Xapian error with its errno text when it has one. */
std::string describe(const Xapian::Error &e);

/*
 * Maps the exception being handled to a status and message. Call only from inside a catch
 * block; it rethrows to dispatch on the type. @path is set when opening, so that a missing
 * path can be told from a folder that is not a database. May throw std::bad_alloc while
 * making the message; classify() below throws nothing.
 */
tracuu_store_status classify_current(std::string &msg, const char *path);

/* The same, throwing nothing: with no memory for the message, the status alone. */
tracuu_store_status classify(std::string &msg, const char *path) noexcept;

/* A malloc()ed, NUL-terminated copy of @s, for C callers to free(); throws std::bad_alloc. */
char *dup_string(const std::string &s);

/*
 * A backup's hold on the index folder: the file "tracuu-backup-hold.PID" (TRACUU_STORE_HOLD_PREFIX
 * and the pid of the backup) that a backup puts there when a writer committing often has made
 * its copy fail, and removes when it is done. A writer sees it before each commit and waits
 * (hold_wait()), so that the revision the backup reads stays whole: Xapian's reader survives
 * one commit, not two. A hold whose process is gone is stale and removed by the writer.
 */
#define TRACUU_STORE_HOLD_PREFIX "tracuu-backup-hold."

/* Waits while a live backup holds @dir, at most @max_seconds, polling @cancelled (may be NULL)
 * every 20 ms. Returns the seconds waited. Throws nothing. */
double hold_wait(const std::string &dir, bool (*cancelled)(void *), void *user_data,
                 unsigned max_seconds) noexcept;

} // namespace tracuu_store_impl
