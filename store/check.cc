/* check.cc - Xapian's consistency check and a one-revision walk over every document. */

/*
 * The contracts are at the prototypes in tracuu-store-check.h. Everything Xapian or the C++
 * runtime throws is caught at each entry point and turned into a status and a message.
 */

#include "tracuu-store-check.h"
#include "store-private.h"

#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

void
set_error(char **error, const std::string &msg) noexcept
{
    if (!error)
        return;
    try {
        *error = tracuu_store_impl::dup_string(msg);
    } catch (...) {
        *error = nullptr;
    }
}

} // namespace

extern "C" {

tracuu_store_status
tracuu_store_check_xapian(const char *path, uint64_t *n_errors, char **report, char **error)
{
    if (n_errors)
        *n_errors = 0;
    if (report)
        *report = nullptr;
    if (error)
        *error = nullptr;
    if (!path || !*path) {
        set_error(error, "no index path given");
        return TRACUU_STORE_INVALID;
    }
    if (tracuu_store_is_sharded_path(path)) {
        set_error(error, std::string(path) + " is a sharded index (a stub file): check each shard");
        return TRACUU_STORE_INVALID;
    }
    std::ostringstream out;
    try {
        /* Opening first tells a missing or foreign folder from a damaged index: check() itself
         * would only say that it found no tables. */
        {
            Xapian::Database probe(path);
        }
        size_t n = Xapian::Database::check(path, 0, &out);
        if (n_errors)
            *n_errors = n;
        if (report)
            *report = tracuu_store_impl::dup_string(out.str());
        return TRACUU_STORE_OK;
    } catch (...) {
        std::string msg;
        tracuu_store_status st = tracuu_store_impl::classify(msg, path);
        if (st == TRACUU_STORE_CORRUPT && n_errors)
            *n_errors = 1;
        set_error(error, msg);
        if (report && !*report) {
            try {
                *report = tracuu_store_impl::dup_string(out.str());
            } catch (...) {
            }
        }
        return st;
    }
}

tracuu_store_status
tracuu_store_each_doc(const char *path, const char *const *prefixes, tracuu_store_doc_func func,
                      void *user_data, uint64_t *revision, uint64_t *n_docs, char **error)
{
    if (error)
        *error = nullptr;
    if (revision)
        *revision = 0;
    if (n_docs)
        *n_docs = 0;
    if (!path || !*path || !func || !prefixes) {
        set_error(error, "no index path, callback or prefixes given");
        return TRACUU_STORE_INVALID;
    }
    if (tracuu_store_is_sharded_path(path)) {
        set_error(error, std::string(path) + " is a sharded index (a stub file): read each shard");
        return TRACUU_STORE_INVALID;
    }
    for (const char *const *p = prefixes; *p; p++)
        if (!**p) {
            set_error(error, "the prefix \"\" would list every term");
            return TRACUU_STORE_INVALID;
        }
    try {
        Xapian::Database db(path);
        if (revision)
            *revision = db.get_revision();
        if (n_docs)
            *n_docs = db.get_doccount();
        std::vector<std::string> terms;
        std::vector<const char *> ptrs;
        std::vector<size_t> lens;
        for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
            Xapian::docid id = *it;
            Xapian::Document doc = db.get_document(id);
            std::string data = doc.get_data();
            terms.clear();
            for (const char *const *p = prefixes; *p; p++) {
                Xapian::TermIterator t = doc.termlist_begin();
                t.skip_to(*p);
                for (; t != doc.termlist_end(); ++t) {
                    const std::string &term = *t;
                    if (term.compare(0, strlen(*p), *p) != 0)
                        break;
                    terms.push_back(term);
                }
            }
            ptrs.clear();
            lens.clear();
            for (const std::string &t : terms) {
                ptrs.push_back(t.c_str());
                lens.push_back(t.size());
            }
            if (!func(id, data.data(), data.size(), ptrs.data(), lens.data(), ptrs.size(),
                      user_data))
                break;
        }
        return TRACUU_STORE_OK;
    } catch (const Xapian::DatabaseModifiedError &e) {
        set_error(error, std::string(path) + ": a writer changed the index too much while it was "
                                             "read (" + tracuu_store_impl::describe(e) +
                             "): run again, or on a copy made with --backup");
        return TRACUU_STORE_ERROR;
    } catch (...) {
        std::string msg;
        tracuu_store_status st = tracuu_store_impl::classify(msg, path);
        set_error(error, msg);
        return st;
    }
}

} // extern "C"
