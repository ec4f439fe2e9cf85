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

} // namespace tracuu_store_impl
