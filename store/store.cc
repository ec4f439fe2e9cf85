/* store.cc - C API over Xapian for the tracuu archive. */

/*
 * Everything Xapian throws is caught here and turned into a tracuu_store_status plus a message
 * kept on the handle, because the callers are C and an exception crossing into C is undefined
 * behaviour. The code adds no policy: it stores and queries exactly what it is handed.
 */

#include "store-private.h"
#include "tracuu-store.h"

#include <xapian.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

/*
 * One line of a stub file: a local database or a remote one served by xapian-tcpsrv. While it
 * cannot be reached it is left out of the combined database, an empty one standing in its
 * place so that the document numbers of the others do not move (Xapian numbers the documents
 * of n databases by interleaving: shard i's document d is (d - 1) * n + i + 1).
 */
struct shard {
    std::string name;    /* as the stub writes it: the path, or HOST:PORT */
    std::string path;    /* local: resolved against the stub's folder; "" for a remote one */
    std::string backend; /* local: "auto" or "glass" */
    std::string host;
    unsigned port = 0;
    Xapian::Database db;
    bool ok = false;
    std::chrono::steady_clock::time_point next_try{};
};

struct tracuu_store {
    /* Only one of the two is open; db() picks it. A WritableDatabase is also a Database, but
     * keeping both named makes it plain which calls need a writer. */
    Xapian::Database rdb;
    Xapian::WritableDatabase wdb;
    bool writable = false;
    std::string path;
    std::string error;
    /* The test hook TRACUU_STORE_FAULT=enospc-after:N (read once, at open for writing): the
     * (N+1)-th document replaced fails as a full disk does. Its batches then run in a Xapian
     * transaction, so that the failure can drop what was not committed, as Xapian itself does
     * when a real write fails; after it every commit fails too, and closing drops the rest. */
    long long fault_after = -1;
    unsigned long long n_replaced = 0;
    bool faulted = false;
    /* Opened from a stub file: rdb is the union of these, in the stub's order. */
    bool sharded = false;
    std::vector<shard> shards;
    Xapian::Database empty; /* stands in for a missing shard */
    unsigned remote_timeout_ms = TRACUU_STORE_REMOTE_TIMEOUT_MS;
    unsigned connect_timeout_ms = TRACUU_STORE_CONNECT_TIMEOUT_MS;
    /* Polled while a commit waits for a backup's hold (tracuu_store_set_cancel()). */
    bool (*cancelled)(void *) = nullptr;
    void *cancelled_data = nullptr;
    double held_seconds = 0;

    Xapian::Database &db() { return writable ? static_cast<Xapian::Database &>(wdb) : rdb; }
};

struct tracuu_store_doc {
    Xapian::Document doc;
    /* The builders return void, so a bad term or slot is remembered here and reported by
     * tracuu_store_replace(), which then stores nothing. */
    tracuu_store_status bad = TRACUU_STORE_OK;
    std::string bad_message;
    /* Whether tracuu_store_doc_set_data() was called: tracuu_store_retag() keeps the old data
     * of a document whose edit set none. */
    bool has_data = false;
};

struct tracuu_query {
    Xapian::Query q;
};

namespace {

/* How many times a read is retried after DatabaseModifiedError (a writer committed so many
 * revisions while we read that the blocks we were reading are gone). */
constexpr int modified_retries = 5;

bool
path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/*
 * Whether @path holds a glass database whose creation never finished: Xapian writes the tables
 * first and the revision file "iamglass" last (and replaces it atomically at every commit), so
 * tables without it mean a writer was killed while creating the database, before anything was
 * committed. Xapian refuses to open or create over that; CREATE starts it afresh instead. If
 * another writer is creating it right now, it holds the lock and the open fails as LOCKED.
 */
bool
half_created(const std::string &path)
{
    return !path_exists((path + "/iamglass").c_str()) &&
           path_exists((path + "/postlist.glass").c_str());
}

char *
dup_bytes(const char *s, size_t len)
{
    char *out = static_cast<char *>(malloc(len + 1));
    if (!out)
        throw std::bad_alloc();
    if (len)
        memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

/* How long a shard that failed is left alone before it is tried again. */
constexpr auto shard_retry = std::chrono::seconds(3);

/*
 * The stub file @path stands for, or "" when it is not a sharded index: a folder holding
 * XAPIANDB, or a file that is not a single-file Xapian database (those begin with a magic
 * "\x0f\x0dXapian").
 */
std::string
stub_file(const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return "";
    if (S_ISDIR(st.st_mode)) {
        std::string stub = std::string(path) + "/XAPIANDB";
        return stat(stub.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? stub : "";
    }
    if (!S_ISREG(st.st_mode))
        return "";
    char head[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return path; /* unreadable: parsing it says why */
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 8 && memcmp(head, "\x0f\x0dXapian", 8) == 0)
        return "";
    return path;
}

/*
 * Reads the stub file @stub (Xapian 1.4's syntax: "auto PATH", "glass PATH", "remote
 * HOST:PORT", blank lines and "#" comments) into shards not yet opened. Relative paths are
 * taken against the stub's folder, as Xapian does. Throws DatabaseOpeningError naming the
 * line of anything else, or when there is no line at all.
 */
std::vector<shard>
parse_stub(const std::string &stub)
{
    FILE *f = fopen(stub.c_str(), "r");
    if (!f)
        throw Xapian::DatabaseOpeningError("cannot read the stub file " + stub, errno);
    std::unique_ptr<FILE, int (*)(FILE *)> closer(f, fclose);
    std::string dir = std::filesystem::path(stub).parent_path().string();
    std::vector<shard> out;
    char buf[4096];
    for (unsigned line = 1; fgets(buf, sizeof buf, f); line++) {
        std::string l(buf);
        while (!l.empty() &&
               (l.back() == '\n' || l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
            l.pop_back();
        size_t b = l.find_first_not_of(" \t");
        if (b == std::string::npos || l[b] == '#')
            continue;
        l.erase(0, b);
        size_t sp = l.find_first_of(" \t");
        std::string kind = l.substr(0, sp);
        std::string arg;
        if (sp != std::string::npos) {
            size_t a = l.find_first_not_of(" \t", sp);
            if (a != std::string::npos)
                arg = l.substr(a);
        }
        auto bad = [&](const std::string &why) {
            return Xapian::DatabaseOpeningError(stub + " line " + std::to_string(line) + ": " +
                                                why);
        };
        if (arg.empty())
            throw bad("\"" + kind + "\" needs a path or HOST:PORT");
        shard s;
        s.name = arg;
        if (kind == "auto" || kind == "glass") {
            s.backend = kind;
            s.path = arg[0] == '/' || dir.empty() ? arg : dir + "/" + arg;
        } else if (kind == "remote") {
            size_t colon = arg.rfind(':');
            if (colon == 0 || colon == std::string::npos)
                throw bad("remote shards are HOST:PORT (a remote program is not supported)");
            char *end = nullptr;
            unsigned long port = strtoul(arg.c_str() + colon + 1, &end, 10);
            if (end == arg.c_str() + colon + 1 || *end || port == 0 || port > 65535)
                throw bad("bad port in \"" + arg + "\"");
            s.host = arg.substr(0, colon);
            s.port = (unsigned)port;
        } else {
            throw bad("unknown kind \"" + kind + "\" (auto, glass or remote)");
        }
        out.push_back(std::move(s));
    }
    if (out.empty())
        throw Xapian::DatabaseOpeningError("the stub file " + stub + " names no database");
    return out;
}

/* Opens @s; a failure leaves it missing until its next try and sets @st and @msg. */
void
open_shard(tracuu_store *store, shard &s, tracuu_store_status *st, std::string *msg)
{
    try {
        if (!s.host.empty())
            s.db = Xapian::Remote::open(s.host, s.port, store->remote_timeout_ms,
                                        store->connect_timeout_ms);
        else if (s.backend == "glass")
            s.db = Xapian::Database(s.path, Xapian::DB_BACKEND_GLASS);
        else
            s.db = Xapian::Database(s.path);
        s.ok = true;
    } catch (...) {
        s.ok = false;
        s.db = Xapian::Database();
        s.next_try = std::chrono::steady_clock::now() + shard_retry;
        std::string m;
        tracuu_store_status cst =
            tracuu_store_impl::classify(m, s.host.empty() ? s.path.c_str() : nullptr);
        if (st)
            *st = cst;
        if (msg)
            *msg = s.name + ": " + m;
    }
}

/*
 * An empty database, to stand in for a missing shard. Xapian 1.4 marks its in-memory backend
 * deprecated (for data: it is slow on many documents), but an empty one is what is wanted here
 * and no other backend makes one without a folder.
 */
Xapian::Database
empty_database()
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    return Xapian::InMemory::open();
#pragma GCC diagnostic pop
}

/* Makes the store's database the union of its shards, an empty one in place of each missing
 * shard. */
void
combine(tracuu_store *store)
{
    Xapian::Database all;
    for (shard &s : store->shards)
        all.add_database(s.ok ? s.db : store->empty);
    store->rdb = all;
}

void
mark_missing(tracuu_store *store, shard &s)
{
    s.ok = false;
    s.db = Xapian::Database();
    s.next_try = std::chrono::steady_clock::now() + shard_retry;
    combine(store);
}

/*
 * After a search over @store failed with a NetworkError, finds the remote shards that do not
 * answer (Xapian does not say which one failed): each is asked for its statistics, and one
 * that does not answer is connected again, since xapian-tcpsrv closes connections left idle
 * (--idle-timeout); one that cannot be connected, or does not answer in time, is left out
 * until its next try. When each answers, the failure was a timeout that left a connection out
 * of step: every remote shard is connected again.
 */
void
leave_out_failed(tracuu_store *store)
{
    bool found = false;
    for (shard &s : store->shards) {
        if (!s.ok || s.host.empty())
            continue;
        try {
            s.db.reopen(); /* a remote reopen asks the server for its statistics */
        } catch (const Xapian::NetworkTimeoutError &) {
            /* Slow rather than gone: asking it again would cost another time limit. */
            mark_missing(store, s);
            found = true;
        } catch (const Xapian::Error &) {
            open_shard(store, s, nullptr, nullptr);
            found = true;
        }
    }
    if (!found)
        for (shard &s : store->shards)
            if (s.ok && !s.host.empty())
                open_shard(store, s, nullptr, nullptr);
    combine(store);
}

/* Calls @f on each shard that is open, leaving out those that fail with a NetworkError. */
template <typename F>
void
each_shard(tracuu_store *store, F f)
{
    for (shard &s : store->shards) {
        if (!s.ok)
            continue;
        try {
            f(s);
        } catch (const Xapian::NetworkError &) {
            mark_missing(store, s);
        }
    }
}

} // namespace

namespace tracuu_store_impl {

std::string
describe(const Xapian::Error &e)
{
    std::string msg = e.get_type();
    msg += ": ";
    msg += e.get_msg();
    const char *err = e.get_error_string();
    if (err && *err) {
        msg += " (";
        msg += err;
        msg += ")";
    }
    return msg;
}

tracuu_store_status
classify_current(std::string &msg, const char *path)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        msg = describe(e);
        return TRACUU_STORE_LOCKED;
    } catch (const Xapian::DatabaseCorruptError &e) {
        msg = describe(e);
        return TRACUU_STORE_CORRUPT;
    } catch (const Xapian::DatabaseVersionError &e) {
        msg = describe(e);
        return TRACUU_STORE_CORRUPT;
    } catch (const Xapian::DatabaseOpeningError &e) {
        /* DatabaseNotFoundError derives from it. Xapian says "not found" both for a missing
         * path and for a folder it does not recognise; only the first is NOT_FOUND. */
        msg = describe(e);
        if (path && !path_exists(path))
            return TRACUU_STORE_NOT_FOUND;
        if (e.get_error_string() && strstr(e.get_error_string(), "Permission denied"))
            return TRACUU_STORE_IO;
        return TRACUU_STORE_CORRUPT;
    } catch (const Xapian::DatabaseCreateError &e) {
        msg = describe(e);
        return TRACUU_STORE_IO;
    } catch (const Xapian::DocNotFoundError &e) {
        msg = describe(e);
        return TRACUU_STORE_NOT_FOUND;
    } catch (const Xapian::InvalidArgumentError &e) {
        msg = describe(e);
        return TRACUU_STORE_INVALID;
    } catch (const Xapian::UnimplementedError &e) {
        /* Xapian throws this for query shapes it cannot run (a phrase over an AND, for
         * instance): a bad query, from the caller's point of view. */
        msg = describe(e);
        return TRACUU_STORE_INVALID;
    } catch (const Xapian::WildcardError &e) {
        msg = describe(e);
        return TRACUU_STORE_INVALID;
    } catch (const Xapian::DatabaseError &e) {
        msg = describe(e);
        /* Other database errors with an errno come from the file system. */
        const char *err = e.get_error_string();
        return err && *err ? TRACUU_STORE_IO : TRACUU_STORE_ERROR;
    } catch (const Xapian::Error &e) {
        msg = describe(e);
        return TRACUU_STORE_ERROR;
    } catch (const std::bad_alloc &) {
        msg = "out of memory";
        return TRACUU_STORE_ERROR;
    } catch (const std::filesystem::filesystem_error &e) {
        msg = e.what();
        return TRACUU_STORE_IO;
    } catch (const std::exception &e) {
        msg = e.what();
        return TRACUU_STORE_ERROR;
    } catch (...) {
        msg = "unknown C++ exception";
        return TRACUU_STORE_ERROR;
    }
}

tracuu_store_status
classify(std::string &msg, const char *path) noexcept
{
    try {
        return classify_current(msg, path);
    } catch (...) {
        return TRACUU_STORE_ERROR;
    }
}

char *
dup_string(const std::string &s)
{
    return dup_bytes(s.data(), s.size());
}

namespace {

/* Whether a live process holds @dir: removes the holds of processes that are gone. */
bool
held(const std::string &dir)
{
    DIR *d = opendir(dir.c_str());
    if (!d)
        return false;
    bool live = false;
    const size_t n = sizeof TRACUU_STORE_HOLD_PREFIX - 1;
    while (struct dirent *e = readdir(d)) {
        if (strncmp(e->d_name, TRACUU_STORE_HOLD_PREFIX, n) != 0)
            continue;
        char *end = nullptr;
        long pid = strtol(e->d_name + n, &end, 10);
        if (pid > 0 && *end == '\0' && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
            live = true;
            continue;
        }
        /* Its backup was killed (or the name is not one a backup writes). */
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
    return live;
}

} // namespace

double
hold_wait(const std::string &dir, bool (*cancelled)(void *), void *user_data,
          unsigned max_seconds) noexcept
{
    auto t0 = std::chrono::steady_clock::now();
    double waited = 0;
    try {
        while (held(dir)) {
            if (waited >= max_seconds || (cancelled && cancelled(user_data)))
                break;
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, nullptr);
            waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
    } catch (...) {
    }
    return waited;
}

} // namespace tracuu_store_impl

namespace {

using tracuu_store_impl::classify;
using tracuu_store_impl::describe;
using tracuu_store_impl::dup_string;

/* Records the exception being handled on @store. Call only from a catch block. */
tracuu_store_status
fail(tracuu_store *store)
{
    std::string msg;
    tracuu_store_status st = classify(msg, nullptr);
    try {
        store->error = std::move(msg);
    } catch (...) {
        /* Nothing more can be said without memory. */
    }
    return st;
}

tracuu_store_status
fail_with(tracuu_store *store, tracuu_store_status st, const char *msg)
{
    try {
        store->error = msg;
    } catch (...) {
    }
    return st;
}

void
clear_error(tracuu_store *store)
{
    store->error.clear();
}

/*
 * Runs the read @f, reopening the database and trying again when a writer has moved on so far
 * that the revision being read is gone. The last attempt lets the exception through.
 */
template <typename F>
auto
with_retry(tracuu_store *store, F f) -> decltype(f())
{
    for (int attempt = 1;; ++attempt) {
        try {
            return f();
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= modified_retries)
                throw;
            store->db().reopen();
        }
    }
}

/*
 * Runs the search @f as with_retry() does and, when a shard of a sharded store fails with a
 * NetworkError, leaves out the shards that do not answer and runs it again over the others.
 * leave_out_failed() finds every failed shard at once, so two more runs are enough (the
 * second for a connection that was only out of step).
 */
template <typename F>
auto
with_shards(tracuu_store *store, F f) -> decltype(f())
{
    for (int tries = 0;; tries++) {
        try {
            return with_retry(store, f);
        } catch (const Xapian::NetworkError &) {
            if (!store->sharded || tries >= 2)
                throw;
            leave_out_failed(store);
            bool any = false;
            for (const shard &s : store->shards)
                any = any || s.ok;
            if (!any)
                throw;
        }
    }
}

/*
 * The getters that answer a number: @f read with retries, or 0 on failure with the error
 * kept on the handle (the caller tells "none" from a failure by tracuu_store_get_error()).
 */
template <typename F>
auto
read_number(tracuu_store *store, F f) -> decltype(f())
{
    clear_error(store);
    try {
        return with_retry(store, f);
    } catch (...) {
        fail(store);
        return 0;
    }
}

bool
check_writable(tracuu_store *store, tracuu_store_status *st)
{
    if (!store->writable) {
        *st = fail_with(store, TRACUU_STORE_READ_ONLY, "the store was opened for reading");
        return false;
    }
    return true;
}

void
mark_bad(tracuu_store_doc *doc, tracuu_store_status st, std::string msg)
{
    if (doc->bad != TRACUU_STORE_OK)
        return; /* the first problem is the one worth reporting */
    doc->bad = st;
    try {
        doc->bad_message = std::move(msg);
    } catch (...) {
    }
}

/* Checks a term before it goes into a document, so that a bad one fails the replace whole. */
bool
term_ok(tracuu_store_doc *doc, const char *term, size_t len)
{
    if (!term || len == 0) {
        mark_bad(doc, TRACUU_STORE_INVALID, "empty term");
        return false;
    }
    if (len > TRACUU_STORE_MAX_TERM) {
        std::string msg;
        try {
            msg = "term too long (" + std::to_string(len) + " bytes, the limit is " +
                  std::to_string(TRACUU_STORE_MAX_TERM) + "): " + std::string(term, 40) + "...";
        } catch (...) {
            /* The status alone says enough without memory for the message. */
        }
        mark_bad(doc, TRACUU_STORE_INVALID, std::move(msg));
        return false;
    }
    return true;
}

/*
 * Weightless posting sources over document numbers, for FILTER: a range (one part of the index
 * for one thread) or a sorted list (the documents a first pass found). They can be serialised,
 * so that tracuu_query_clone() can rebuild a query holding them.
 */
class DocidRangeSource : public Xapian::PostingSource {
    Xapian::docid first_, last_, end_ = 0, cur_ = 0;
    Xapian::doccount size_ = 0;          /* document numbers in the range */
    Xapian::doccount min_ = 0, est_ = 0; /* documents among them, at least and about */

  public:
    DocidRangeSource(Xapian::docid first, Xapian::docid last) : first_(first), last_(last) {}
    PostingSource *clone() const override { return new DocidRangeSource(first_, last_); }
    std::string name() const override { return "tracuu.DocidRange"; }
    std::string serialise() const override
    {
        return std::to_string(first_) + " " + std::to_string(last_);
    }
    PostingSource *unserialise(const std::string &s) const override
    {
        unsigned long f = 0, l = 0;
        if (std::sscanf(s.c_str(), "%lu %lu", &f, &l) != 2 || f == 0 || f > l)
            throw Xapian::SerialisationError("bad docid range: " + s);
        return new DocidRangeSource((Xapian::docid)f, (Xapian::docid)l);
    }
    /*
     * Xapian estimates a FILTER by this range from these figures when the match stops early
     * (past check_at_least), so they must count documents, not document numbers: a document
     * deleted, or replaced by one added at the end, leaves a hole. Where the holes are is not
     * known without walking the range, so the estimate assumes them spread evenly; each
     * range's share is cut at floor(docid * doccount / lastdocid), so that the estimates of
     * ranges that tile 1..lastdocid add up to exactly doccount, as the whole index's does.
     * There are lastdocid - doccount holes in all, so the range has at least size minus
     * that many documents, and at most size.
     */
    void init(const Xapian::Database &db) override
    {
        Xapian::docid lastdocid = db.get_lastdocid();
        Xapian::doccount count = db.get_doccount();
        end_ = std::min(last_, lastdocid);
        cur_ = 0;
        size_ = end_ >= first_ ? end_ - first_ + 1 : 0;
        Xapian::doccount holes = lastdocid - count;
        min_ = size_ > holes ? size_ - holes : 0;
        auto share = [&](Xapian::docid d) {
            return (Xapian::doccount)((uint64_t)d * count / std::max(lastdocid, 1u));
        };
        est_ = size_ > 0 ? share(end_) - share(first_ - 1) : 0;
        est_ = std::min(std::max(est_, min_), size_);
        set_maxweight(0);
    }
    Xapian::doccount get_termfreq_min() const override { return min_; }
    Xapian::doccount get_termfreq_est() const override { return est_; }
    Xapian::doccount get_termfreq_max() const override { return size_; }
    void next(double) override { cur_ = cur_ == 0 ? first_ : cur_ + 1; }
    void skip_to(Xapian::docid did, double) override
    {
        if (cur_ == 0)
            cur_ = first_;
        if (did > cur_)
            cur_ = did;
    }
    bool at_end() const override { return cur_ > end_ || size_ == 0; }
    Xapian::docid get_docid() const override { return cur_; }
    std::string get_description() const override
    {
        return "DocidRange(" + std::to_string(first_) + ".." + std::to_string(last_) + ")";
    }
};

class DocidListSource : public Xapian::PostingSource {
    std::vector<Xapian::docid> ids_; /* sorted, unique */
    size_t i_ = 0;
    bool started_ = false;

  public:
    explicit DocidListSource(std::vector<Xapian::docid> ids) : ids_(std::move(ids)) {}
    PostingSource *clone() const override { return new DocidListSource(ids_); }
    std::string name() const override { return "tracuu.DocidList"; }
    std::string serialise() const override
    {
        std::string s;
        for (Xapian::docid d : ids_)
            s += std::to_string(d) + " ";
        return s;
    }
    PostingSource *unserialise(const std::string &s) const override
    {
        std::vector<Xapian::docid> ids;
        const char *p = s.c_str();
        while (*p) {
            char *end = nullptr;
            unsigned long d = std::strtoul(p, &end, 10);
            if (end == p || d == 0 || *end != ' ')
                throw Xapian::SerialisationError("bad docid list");
            ids.push_back((Xapian::docid)d);
            p = end + 1;
        }
        return new DocidListSource(std::move(ids));
    }
    void init(const Xapian::Database &) override
    {
        i_ = 0;
        started_ = false;
        set_maxweight(0);
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return (Xapian::doccount)ids_.size(); }
    Xapian::doccount get_termfreq_max() const override { return (Xapian::doccount)ids_.size(); }
    void next(double) override
    {
        if (started_)
            i_++;
        started_ = true;
    }
    void skip_to(Xapian::docid did, double) override
    {
        started_ = true;
        if (i_ < ids_.size() && ids_[i_] < did)
            i_ = std::lower_bound(ids_.begin() + i_, ids_.end(), did) - ids_.begin();
    }
    bool at_end() const override { return i_ >= ids_.size(); }
    Xapian::docid get_docid() const override { return ids_[i_]; }
    std::string get_description() const override
    {
        return "DocidList(" + std::to_string(ids_.size()) + " documents)";
    }
};

const Xapian::Registry &
registry()
{
    /* Built once, then only read (Registry lookups are const), so threads may share it. */
    static const Xapian::Registry reg = [] {
        Xapian::Registry r;
        DocidRangeSource range(1, 1);
        DocidListSource list({});
        r.register_posting_source(range);
        r.register_posting_source(list);
        return r;
    }();
    return reg;
}

tracuu_query *
wrap(Xapian::Query q)
{
    tracuu_query *out = new (std::nothrow) tracuu_query;
    if (out)
        out->q = std::move(q);
    return out;
}

Xapian::Query::op
xapian_op(tracuu_query_op op, bool *ok)
{
    *ok = true;
    switch (op) {
    case TRACUU_QUERY_AND:
        return Xapian::Query::OP_AND;
    case TRACUU_QUERY_OR:
        return Xapian::Query::OP_OR;
    case TRACUU_QUERY_AND_NOT:
        return Xapian::Query::OP_AND_NOT;
    case TRACUU_QUERY_AND_MAYBE:
        return Xapian::Query::OP_AND_MAYBE;
    case TRACUU_QUERY_FILTER:
        return Xapian::Query::OP_FILTER;
    case TRACUU_QUERY_PHRASE:
        return Xapian::Query::OP_PHRASE;
    case TRACUU_QUERY_NEAR:
        return Xapian::Query::OP_NEAR;
    case TRACUU_QUERY_SYNONYM:
        return Xapian::Query::OP_SYNONYM;
    case TRACUU_QUERY_MAX:
        return Xapian::Query::OP_MAX;
    }
    *ok = false;
    return Xapian::Query::OP_AND;
}

void
free_results(tracuu_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_hits; i++) {
        free(r->hits[i].data);
        free(r->hits[i].sort_key);
    }
    free(r->hits);
    for (size_t i = 0; i < r->n_facets; i++) {
        for (size_t j = 0; j < r->facets[i].n_values; j++)
            free(r->facets[i].values[j].value);
        free(r->facets[i].values);
    }
    free(r->facets);
    free(r);
}

/* Frees the results on every early exit (an exception) of tracuu_store_search(). */
struct results_guard {
    tracuu_results *r = nullptr;
    ~results_guard() { free_results(r); }
    tracuu_results *release()
    {
        tracuu_results *out = r;
        r = nullptr;
        return out;
    }
};

void *
checked_calloc(size_t n, size_t size)
{
    if (n == 0)
        return nullptr;
    void *p = calloc(n, size);
    if (!p)
        throw std::bad_alloc();
    return p;
}

} // namespace

extern "C" {

const char *
tracuu_store_status_name(tracuu_store_status status)
{
    switch (status) {
    case TRACUU_STORE_OK:
        return "ok";
    case TRACUU_STORE_NOT_FOUND:
        return "not found";
    case TRACUU_STORE_LOCKED:
        return "locked";
    case TRACUU_STORE_CORRUPT:
        return "corrupt";
    case TRACUU_STORE_INVALID:
        return "invalid";
    case TRACUU_STORE_READ_ONLY:
        return "read only";
    case TRACUU_STORE_IO:
        return "i/o error";
    case TRACUU_STORE_TIMEOUT:
        return "timeout";
    case TRACUU_STORE_ERROR:
        return "error";
    }
    return "unknown status";
}

tracuu_store_status
tracuu_store_open(const char *path, tracuu_store_mode mode, tracuu_store **out, char **error)
{
    *out = nullptr;
    if (error)
        *error = nullptr;
    std::unique_ptr<tracuu_store> store;
    std::string msg;
    tracuu_store_status st;
    try {
        if (!path || !*path) {
            st = TRACUU_STORE_INVALID;
            msg = "no database path given";
        } else {
            store.reset(new tracuu_store);
            store->path = path;
            std::string stub = stub_file(path);
            if (!stub.empty() && mode != TRACUU_STORE_READ)
                throw Xapian::InvalidArgumentError(
                    "a sharded index is written shard by shard, not as one (" + stub + ")");
            switch (mode) {
            case TRACUU_STORE_READ:
                if (stub.empty()) {
                    store->rdb = Xapian::Database(path);
                    break;
                }
                {
                    store->sharded = true;
                    store->shards = parse_stub(stub);
                    store->empty = empty_database();
                    bool any = false;
                    tracuu_store_status first_st = TRACUU_STORE_NOT_FOUND;
                    std::string first_msg;
                    for (shard &sh : store->shards) {
                        tracuu_store_status sst = TRACUU_STORE_OK;
                        std::string smsg;
                        open_shard(store.get(), sh, &sst, &smsg);
                        any = any || sh.ok;
                        if (!sh.ok && first_msg.empty()) {
                            first_st = sst;
                            first_msg = smsg;
                        }
                    }
                    if (!any) {
                        st = first_st;
                        msg = "no shard can be opened; " + first_msg;
                        goto failed;
                    }
                    combine(store.get());
                }
                break;
            case TRACUU_STORE_WRITE:
                store->wdb = Xapian::WritableDatabase(path, Xapian::DB_OPEN);
                store->writable = true;
                break;
            case TRACUU_STORE_CREATE:
                /* Xapian makes only the last folder; "creating it if missing" means the
                 * whole path, as mkdir -p. A failure here shows as Xapian's error below. */
                if (!path_exists(path)) {
                    std::error_code ec;
                    std::filesystem::create_directories(store->path, ec);
                }
                store->wdb = Xapian::WritableDatabase(
                    path, (half_created(store->path) ? Xapian::DB_CREATE_OR_OVERWRITE
                                                     : Xapian::DB_CREATE_OR_OPEN) |
                              Xapian::DB_BACKEND_GLASS);
                store->writable = true;
                break;
            default:
                throw Xapian::InvalidArgumentError("unknown open mode");
            }
            if (store->writable) {
                const char *f = getenv("TRACUU_STORE_FAULT");
                if (f && strncmp(f, "enospc-after:", 13) == 0) {
                    store->fault_after = atoll(f + 13);
                    store->wdb.begin_transaction(true);
                }
            }
            *out = store.release();
            return TRACUU_STORE_OK;
        }
    } catch (...) {
        st = classify(msg, path);
    }
failed:
    if (error) {
        try {
            std::string full = std::string("cannot open index ") + (path ? path : "(null)") +
                               ": " + msg;
            *error = dup_string(full);
        } catch (...) {
            *error = nullptr;
        }
    }
    return st;
}

void
tracuu_store_free(tracuu_store *store)
{
    if (!store)
        return;
    try {
        /* close() commits pending changes of a writer, as the destructor would; doing it here
         * keeps any exception inside this try. */
        store->db().close();
    } catch (...) {
    }
    try {
        delete store;
    } catch (...) {
    }
}

const char *
tracuu_store_get_error(const tracuu_store *store)
{
    return store ? store->error.c_str() : "no store";
}

tracuu_store_status
tracuu_store_commit(tracuu_store *store)
{
    clear_error(store);
    tracuu_store_status st;
    if (!check_writable(store, &st))
        return st;
    try {
        if (store->fault_after >= 0) {
            if (store->faulted)
                throw Xapian::DatabaseError("Error writing block (injected)", ENOSPC);
            store->wdb.commit_transaction();
            store->wdb.begin_transaction(true);
            return TRACUU_STORE_OK;
        }
        store->held_seconds += tracuu_store_impl::hold_wait(
            store->path, store->cancelled, store->cancelled_data, TRACUU_STORE_HOLD_MAX_SECONDS);
        store->wdb.commit();
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

void
tracuu_store_set_cancel(tracuu_store *store, bool (*cancelled)(void *user_data), void *user_data)
{
    if (!store)
        return;
    store->cancelled = cancelled;
    store->cancelled_data = user_data;
}

double
tracuu_store_get_held_seconds(const tracuu_store *store)
{
    return store ? store->held_seconds : 0;
}

tracuu_store_status
tracuu_store_reopen(tracuu_store *store)
{
    clear_error(store);
    try {
        if (!store->sharded) {
            store->db().reopen();
            return TRACUU_STORE_OK;
        }
        /* Each shard moves to its own latest revision; the missing ones are tried again once
         * their pause is over. */
        bool changed = false;
        auto now = std::chrono::steady_clock::now();
        for (shard &s : store->shards) {
            if (s.ok) {
                try {
                    s.db.reopen();
                } catch (const Xapian::DatabaseModifiedError &) {
                    throw;
                } catch (const Xapian::Error &) {
                    /* A server closes a connection left idle: connect again at once. */
                    open_shard(store, s, nullptr, nullptr);
                    changed = true;
                }
            } else if (now >= s.next_try) {
                open_shard(store, s, nullptr, nullptr);
                changed = changed || s.ok;
            }
        }
        if (changed)
            combine(store);
        for (const shard &s : store->shards)
            if (s.ok)
                return TRACUU_STORE_OK;
        return fail_with(store, TRACUU_STORE_ERROR, "no shard of the index answers");
    } catch (...) {
        return fail(store);
    }
}

bool
tracuu_store_is_sharded_path(const char *path)
{
    try {
        return !stub_file(path).empty();
    } catch (...) {
        return false;
    }
}

char **
tracuu_store_shard_paths(const char *path, size_t *n)
{
    if (n)
        *n = 0;
    char **out = nullptr;
    size_t k = 0;
    try {
        std::string stub = stub_file(path);
        if (stub.empty())
            return nullptr;
        std::vector<shard> shards = parse_stub(stub);
        out = static_cast<char **>(calloc(shards.size() + 1, sizeof(char *)));
        if (!out)
            return nullptr;
        for (const shard &s : shards)
            if (s.host.empty())
                out[k++] = dup_string(s.path);
        if (n)
            *n = k;
        return out;
    } catch (...) {
        for (size_t i = 0; out && i < k; i++)
            free(out[i]);
        free(out);
        return nullptr;
    }
}

bool
tracuu_store_is_sharded(tracuu_store *store)
{
    return store && store->sharded;
}

size_t
tracuu_store_get_shard_count(tracuu_store *store)
{
    return store->sharded ? store->shards.size() : 1;
}

const char *
tracuu_store_get_shard_name(tracuu_store *store, size_t i)
{
    if (!store->sharded)
        return i == 0 ? store->path.c_str() : nullptr;
    return i < store->shards.size() ? store->shards[i].name.c_str() : nullptr;
}

bool
tracuu_store_shard_ok(tracuu_store *store, size_t i)
{
    if (!store->sharded)
        return i == 0;
    return i < store->shards.size() && store->shards[i].ok;
}

uint64_t
tracuu_store_get_shard_doc_count(tracuu_store *store, size_t i)
{
    if (!store->sharded)
        return i == 0 ? tracuu_store_get_doc_count(store) : 0;
    clear_error(store);
    if (i >= store->shards.size() || !store->shards[i].ok)
        return 0;
    try {
        return store->shards[i].db.get_doccount();
    } catch (...) {
        fail(store);
        return 0;
    }
}

void
tracuu_store_set_remote_timeouts(tracuu_store *store, unsigned timeout_ms,
                                 unsigned connect_timeout_ms)
{
    unsigned t = timeout_ms ? timeout_ms : store->remote_timeout_ms;
    unsigned c = connect_timeout_ms ? connect_timeout_ms : store->connect_timeout_ms;
    if (t == store->remote_timeout_ms && c == store->connect_timeout_ms)
        return;
    store->remote_timeout_ms = t;
    store->connect_timeout_ms = c;
    try {
        bool changed = false;
        for (shard &s : store->shards) {
            if (s.ok && !s.host.empty()) {
                open_shard(store, s, nullptr, nullptr);
                changed = true;
            }
        }
        if (changed)
            combine(store);
    } catch (...) {
        /* combine() only fails without memory; the old union stays. */
    }
}

uint64_t
tracuu_store_get_doc_count(tracuu_store *store)
{
    return read_number(store, [&] { return (uint64_t)store->db().get_doccount(); });
}

uint64_t
tracuu_store_get_revision(tracuu_store *store)
{
    return read_number(store, [&] {
        if (!store->sharded)
            return (uint64_t)store->db().get_revision();
        /* Xapian gives no revision for a union of databases. */
        uint64_t sum = 0;
        each_shard(store, [&](shard &s) { sum += s.db.get_revision(); });
        return sum;
    });
}

uint32_t
tracuu_store_get_last_docid(tracuu_store *store)
{
    return read_number(store, [&] { return (uint32_t)store->db().get_lastdocid(); });
}

uint64_t
tracuu_store_get_term_freq(tracuu_store *store, const char *term, size_t len)
{
    clear_error(store);
    if (!term || len == 0)
        return 0; /* Xapian would answer with the document count for the empty term */
    try {
        std::string t(term, len);
        return with_retry(store, [&] { return (uint64_t)store->db().get_termfreq(t); });
    } catch (...) {
        fail(store);
        return 0;
    }
}

tracuu_store_status
tracuu_store_get_metadata(tracuu_store *store, const char *key, char **value, size_t *len)
{
    clear_error(store);
    *value = nullptr;
    if (len)
        *len = 0;
    try {
        std::string v = with_retry(store, [&] {
            if (!store->sharded)
                return store->db().get_metadata(key);
            /* Xapian would read the first database of the union only. */
            std::string found;
            each_shard(store, [&](shard &s) {
                if (found.empty())
                    found = s.db.get_metadata(key);
            });
            return found;
        });
        *value = dup_string(v);
        if (len)
            *len = v.size();
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

tracuu_store_status
tracuu_store_set_metadata(tracuu_store *store, const char *key, const char *value, size_t len)
{
    clear_error(store);
    tracuu_store_status st;
    if (!check_writable(store, &st))
        return st;
    try {
        store->wdb.set_metadata(key, std::string(value ? value : "", value ? len : 0));
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

/*
 * Both listings stream (an index has millions of terms, too many to copy first). If a writer
 * discards the revision being read midway, the retry reopens and goes on after the last entry
 * given, so @func sees each entry once.
 */
tracuu_store_status
tracuu_store_list_metadata(tracuu_store *store, const char *prefix,
                           tracuu_store_metadata_func func, void *user_data)
{
    clear_error(store);
    try {
        std::string p = prefix ? prefix : "";
        /* One database's keys; a sharded store lists each shard's in turn, since Xapian
         * would list those of the first database of the union only. */
        bool stop = false;
        auto list = [&](Xapian::Database &db) {
            std::string last;
            bool started = false;
            with_retry(store, [&] {
                Xapian::TermIterator it = db.metadata_keys_begin(p), end = db.metadata_keys_end(p);
                if (started) {
                    it.skip_to(last);
                    if (it != end && *it == last)
                        ++it;
                }
                for (; it != end && !stop; ++it) {
                    std::string key = *it;
                    std::string value = db.get_metadata(key);
                    last = key;
                    started = true;
                    stop = !func(key.c_str(), value.c_str(), value.size(), user_data);
                }
                return 0;
            });
        };
        if (!store->sharded)
            list(store->db());
        else
            each_shard(store, [&](shard &s) {
                if (!stop)
                    list(s.db);
            });
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

tracuu_store_status
tracuu_store_list_terms(tracuu_store *store, const char *prefix, tracuu_store_term_func func,
                        void *user_data)
{
    clear_error(store);
    try {
        std::string p = prefix ? prefix : "";
        std::string last;
        bool started = false, stop = false;
        with_retry(store, [&] {
            Xapian::Database &db = store->db();
            Xapian::TermIterator it = db.allterms_begin(p), end = db.allterms_end(p);
            if (started) {
                it.skip_to(last);
                if (it != end && *it == last)
                    ++it;
            }
            for (; it != end && !stop; ++it) {
                Xapian::doccount freq = it.get_termfreq();
                /* A writer lists terms whose documents were all deleted since the commit. */
                if (freq == 0)
                    continue;
                std::string term = *it;
                last = term;
                started = true;
                stop = !func(term.c_str(), term.size(), freq, user_data);
            }
            return 0;
        });
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

/* ---- Documents ---- */

tracuu_store_doc *
tracuu_store_doc_new(void)
{
    /* The contract promises non-NULL: without memory for a few pointers there is nothing
     * sensible left to do. */
    tracuu_store_doc *doc = new (std::nothrow) tracuu_store_doc;
    if (!doc)
        abort();
    return doc;
}

void
tracuu_store_doc_free(tracuu_store_doc *doc)
{
    delete doc;
}

void
tracuu_store_doc_add_posting(tracuu_store_doc *doc, const char *term, size_t len, uint32_t pos,
                             uint32_t wdf_inc)
{
    if (!term_ok(doc, term, len))
        return;
    try {
        doc->doc.add_posting(std::string(term, len), pos ? pos : 1, wdf_inc);
    } catch (...) {
        std::string msg;
        tracuu_store_status st = classify(msg, nullptr);
        mark_bad(doc, st, std::move(msg));
    }
}

void
tracuu_store_doc_add_term(tracuu_store_doc *doc, const char *term, size_t len, uint32_t wdf_inc)
{
    if (!term_ok(doc, term, len))
        return;
    try {
        doc->doc.add_term(std::string(term, len), wdf_inc);
    } catch (...) {
        std::string msg;
        tracuu_store_status st = classify(msg, nullptr);
        mark_bad(doc, st, std::move(msg));
    }
}

void
tracuu_store_doc_set_value(tracuu_store_doc *doc, unsigned slot, const char *value, size_t len)
{
    try {
        if (slot == Xapian::BAD_VALUENO)
            throw Xapian::InvalidArgumentError("bad value slot");
        doc->doc.add_value(slot, std::string(value ? value : "", value ? len : 0));
    } catch (...) {
        std::string msg;
        tracuu_store_status st = classify(msg, nullptr);
        mark_bad(doc, st, std::move(msg));
    }
}

void
tracuu_store_doc_set_data(tracuu_store_doc *doc, const char *data, size_t len)
{
    try {
        doc->doc.set_data(std::string(data ? data : "", data ? len : 0));
        doc->has_data = true;
    } catch (...) {
        std::string msg;
        tracuu_store_status st = classify(msg, nullptr);
        mark_bad(doc, st, std::move(msg));
    }
}

tracuu_store_status
tracuu_store_replace(tracuu_store *store, const char *unique_term, const tracuu_store_doc *doc,
                     uint32_t *docid)
{
    clear_error(store);
    if (docid)
        *docid = 0;
    tracuu_store_status st;
    if (!check_writable(store, &st))
        return st;
    if (!unique_term || !*unique_term)
        return fail_with(store, TRACUU_STORE_INVALID, "empty unique term");
    if (strlen(unique_term) > TRACUU_STORE_MAX_TERM)
        return fail_with(store, TRACUU_STORE_INVALID, "unique term too long");
    if (doc->bad != TRACUU_STORE_OK)
        return fail_with(store, doc->bad, doc->bad_message.c_str());
    try {
        if (store->fault_after >= 0 &&
            (store->faulted || ++store->n_replaced > (unsigned long long)store->fault_after)) {
            if (!store->faulted) {
                store->wdb.cancel_transaction();
                store->wdb.begin_transaction(true);
                store->faulted = true;
            }
            throw Xapian::DatabaseError("Error writing block (injected)", ENOSPC);
        }
        Xapian::docid id = store->wdb.replace_document(unique_term, doc->doc);
        if (docid)
            *docid = id;
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

tracuu_store_status
tracuu_store_delete(tracuu_store *store, const char *term)
{
    clear_error(store);
    tracuu_store_status st;
    if (!check_writable(store, &st))
        return st;
    if (!term || !*term)
        return fail_with(store, TRACUU_STORE_INVALID, "empty term");
    try {
        store->wdb.delete_document(term);
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

tracuu_store_status
tracuu_store_get_data(tracuu_store *store, const char *term, char **data, size_t *len,
                      uint32_t *docid)
{
    clear_error(store);
    *data = nullptr;
    if (len)
        *len = 0;
    if (docid)
        *docid = 0;
    if (!term || !*term)
        return fail_with(store, TRACUU_STORE_INVALID, "empty term");
    try {
        std::pair<Xapian::docid, std::string> found = with_retry(store, [&] {
            Xapian::Database &db = store->db();
            Xapian::PostingIterator it = db.postlist_begin(term);
            if (it == db.postlist_end(term))
                return std::pair<Xapian::docid, std::string>(0, std::string());
            Xapian::docid id = *it;
            return std::make_pair(id, db.get_document(id).get_data());
        });
        if (found.first == 0)
            return fail_with(store, TRACUU_STORE_NOT_FOUND,
                             (std::string("no document with term ") + term).c_str());
        *data = dup_string(found.second);
        if (len)
            *len = found.second.size();
        if (docid)
            *docid = found.first;
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

tracuu_store_status
tracuu_store_get_data_by_id(tracuu_store *store, uint32_t docid, char **data, size_t *len)
{
    clear_error(store);
    *data = nullptr;
    if (len)
        *len = 0;
    if (docid == 0)
        return fail_with(store, TRACUU_STORE_NOT_FOUND, "document 0 does not exist");
    try {
        std::string d =
            with_retry(store, [&] { return store->db().get_document(docid).get_data(); });
        *data = dup_string(d);
        if (len)
            *len = d.size();
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

tracuu_store_status
tracuu_store_get_value(tracuu_store *store, uint32_t docid, unsigned slot, char **value,
                       size_t *len)
{
    clear_error(store);
    *value = nullptr;
    if (len)
        *len = 0;
    if (docid == 0)
        return fail_with(store, TRACUU_STORE_NOT_FOUND, "document 0 does not exist");
    if (slot == Xapian::BAD_VALUENO)
        return fail_with(store, TRACUU_STORE_INVALID, "bad value slot");
    try {
        std::string v =
            with_retry(store, [&] { return store->db().get_document(docid).get_value(slot); });
        *value = dup_string(v);
        if (len)
            *len = v.size();
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

namespace
{

/* Whether @term is of @prefix as tracuu_store_retag() means it: the prefix, then a byte that
 * cannot start another prefix (an upper-case letter would). */
bool
of_prefix(const std::string &term, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 0 || term.compare(0, n, prefix) != 0)
        return false;
    return term.size() == n || !(term[n] >= 'A' && term[n] <= 'Z');
}

} // namespace

tracuu_store_status
tracuu_store_retag(tracuu_store *store, const char *filter_term, const char *const *drop_prefixes,
                   tracuu_store_retag_func func, void *user_data, uint32_t *n_changed)
{
    clear_error(store);
    if (n_changed)
        *n_changed = 0;
    tracuu_store_status st;
    if (!check_writable(store, &st))
        return st;
    if (!filter_term || !*filter_term || !func)
        return fail_with(store, TRACUU_STORE_INVALID, "empty filter term or no callback");
    try {
        /* The numbers first: the posting list is not walked while it is being changed. */
        std::vector<Xapian::docid> ids;
        for (Xapian::PostingIterator it = store->wdb.postlist_begin(filter_term);
             it != store->wdb.postlist_end(filter_term); ++it)
            ids.push_back(*it);
        for (Xapian::docid id : ids) {
            Xapian::Document doc = store->wdb.get_document(id);
            std::vector<std::string> drop;
            for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
                const std::string &term = *t;
                for (size_t i = 0; drop_prefixes && drop_prefixes[i]; i++) {
                    if (of_prefix(term, drop_prefixes[i])) {
                        drop.push_back(term);
                        break;
                    }
                }
            }
            for (const std::string &term : drop)
                doc.remove_term(term);
            std::string data = doc.get_data();
            std::unique_ptr<tracuu_store_doc> edit(new tracuu_store_doc);
            if (!func(id, data.data(), data.size(), edit.get(), user_data))
                return fail_with(store, TRACUU_STORE_INVALID,
                                 ("the caller refused document " + std::to_string(id)).c_str());
            if (edit->bad != TRACUU_STORE_OK)
                return fail_with(store, edit->bad, edit->bad_message.c_str());
            for (Xapian::TermIterator t = edit->doc.termlist_begin(); t != edit->doc.termlist_end();
                 ++t)
                doc.add_term(*t, t.get_wdf());
            if (edit->has_data)
                doc.set_data(edit->doc.get_data());
            store->wdb.replace_document(id, doc);
            if (n_changed)
                ++*n_changed;
        }
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

/* ---- Queries ---- */

tracuu_query *
tracuu_query_new_term(const char *term, size_t len, uint32_t wqf, uint32_t pos)
{
    /* An empty term would make Xapian's MatchAll, which no caller asking for a term means. */
    if (!term || len == 0)
        return nullptr;
    try {
        return wrap(Xapian::Query(std::string(term, len), wqf, pos));
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_new_match_all(void)
{
    try {
        return wrap(Xapian::Query::MatchAll);
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_new_match_nothing(void)
{
    try {
        return wrap(Xapian::Query::MatchNothing);
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_new_wildcard(const char *prefix, uint32_t max_terms)
{
    if (!prefix)
        return nullptr;
    try {
        /* Past the limit, keep the most frequent expansions rather than failing the search:
         * a short prefix typed by a user should still find something. */
        /* 0 is "no limit" to Xapian, except that with MOST_FREQUENT it keeps none. */
        int mode = max_terms ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                             : Xapian::Query::WILDCARD_LIMIT_ERROR;
        return wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_terms, mode));
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_new_value_range(unsigned slot, const char *lo, const char *hi)
{
    if (slot == Xapian::BAD_VALUENO)
        return nullptr;
    /* An empty lower end is no end: every value is >= "". */
    if (lo && !*lo)
        lo = nullptr;
    try {
        if (lo && hi)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi));
        if (hi)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi));
        if (lo)
            return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo));
        /* Both ends open. Xapian turns ">= empty" into MatchAll, which would also match
         * documents without a value; "\0" is the least non-empty value, so ">= \0" keeps the
         * rule that a range matches only documents with a value in @slot. */
        return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, std::string(1, '\0')));
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_combine(tracuu_query_op op, tracuu_query **subs, size_t n, uint32_t window)
{
    tracuu_query *out = nullptr;
    bool ok = true;
    Xapian::Query::op xop = xapian_op(op, &ok);
    if (n > 0 && !subs)
        ok = false;
    for (size_t i = 0; ok && i < n; i++)
        if (!subs[i])
            ok = false; /* a failed constructor upstream: fail the whole tree */
    if (ok) {
        try {
            std::vector<Xapian::Query> v;
            v.reserve(n);
            for (size_t i = 0; i < n; i++)
                v.push_back(subs[i]->q);
            out = wrap(Xapian::Query(xop, v.begin(), v.end(), window));
        } catch (...) {
            out = nullptr;
        }
    }
    for (size_t i = 0; i < n && subs; i++) {
        delete subs[i];
        subs[i] = nullptr;
    }
    return out;
}

tracuu_query *
tracuu_query_scale(tracuu_query *q, double factor)
{
    if (!q)
        return nullptr;
    tracuu_query *out = nullptr;
    try {
        out = wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
    } catch (...) {
        out = nullptr;
    }
    delete q;
    return out;
}

tracuu_query *
tracuu_query_copy(const tracuu_query *q)
{
    if (!q)
        return nullptr;
    try {
        return wrap(q->q);
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_clone(const tracuu_query *q)
{
    if (!q)
        return nullptr;
    try {
        return wrap(Xapian::Query::unserialise(q->q.serialise(), registry()));
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_new_docid_range(uint32_t first, uint32_t last)
{
    if (first == 0 || first > last)
        return nullptr;
    try {
        return wrap(Xapian::Query((new DocidRangeSource(first, last))->release()));
    } catch (...) {
        return nullptr;
    }
}

tracuu_query *
tracuu_query_new_docids(const uint32_t *docids, size_t n)
{
    if (!docids || n == 0)
        return nullptr;
    try {
        std::vector<Xapian::docid> ids(docids, docids + n);
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        if (ids.front() == 0)
            return nullptr;
        return wrap(Xapian::Query((new DocidListSource(std::move(ids)))->release()));
    } catch (...) {
        return nullptr;
    }
}

char *
tracuu_query_describe(const tracuu_query *q)
{
    try {
        return dup_string(q ? q->q.get_description() : std::string("(null query)"));
    } catch (...) {
        return nullptr;
    }
}

void
tracuu_query_free(tracuu_query *q)
{
    delete q;
}

/* ---- Search ---- */

void
tracuu_search_options_init(tracuu_search_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->offset = 0;
    opts->limit = 10;
    opts->sort_slot = -1;
    opts->facet_slots = nullptr;
    opts->n_facet_slots = 0;
}

tracuu_store_status
tracuu_store_search(tracuu_store *store, const tracuu_query *query,
                    const tracuu_search_options *opts, tracuu_results **out)
{
    clear_error(store);
    *out = nullptr;
    if (!query)
        return fail_with(store, TRACUU_STORE_INVALID, "no query");
    tracuu_search_options defaults;
    if (!opts) {
        tracuu_search_options_init(&defaults);
        opts = &defaults;
    }
    if (opts->n_facet_slots > 0 && !opts->facet_slots)
        return fail_with(store, TRACUU_STORE_INVALID, "facet slots missing");
    if (opts->time_limit < 0)
        return fail_with(store, TRACUU_STORE_INVALID, "negative time limit");
    try {
        results_guard guard;
        bool timed_out = false;
        /* A remote shard that fails midway is left out and the search run again. */
        with_shards(store, [&] {
            free_results(guard.r);
            guard.r = nullptr;
            timed_out = false;

            /* Declared before the Enquire, which holds plain pointers to them, so that they
             * outlive it. */
            std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
            Xapian::Enquire enq(store->db());
            enq.set_query(query->q);
            if (opts->bm25_k1 != 0 || opts->bm25_b != 0)
                /* Xapian's defaults for the others: k2 0, k3 1, min_normlen 0.5. */
                enq.set_weighting_scheme(Xapian::BM25Weight(opts->bm25_k1, 0, 1, opts->bm25_b,
                                                            0.5));
            if (opts->sort_slot >= 0)
                enq.set_sort_by_value_then_relevance((Xapian::valueno)opts->sort_slot,
                                                     opts->sort_descending);

            for (size_t i = 0; i < opts->n_facet_slots; i++) {
                spies.emplace_back(new Xapian::ValueCountMatchSpy(opts->facet_slots[i]));
                enq.add_matchspy(spies.back().get());
            }
            if (opts->time_limit > 0)
                enq.set_time_limit(opts->time_limit);

            auto t0 = std::chrono::steady_clock::now();
            Xapian::MSet mset = enq.get_mset(opts->offset, opts->limit, opts->check_at_least);
            std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;

            tracuu_results *r =
                static_cast<tracuu_results *>(checked_calloc(1, sizeof(tracuu_results)));
            guard.r = r;
            r->total = mset.get_matches_estimated();
            r->total_lower = mset.get_matches_lower_bound();
            r->total_upper = mset.get_matches_upper_bound();

            r->hits = static_cast<tracuu_hit *>(checked_calloc(mset.size(), sizeof(tracuu_hit)));
            for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
                tracuu_hit *h = &r->hits[r->n_hits];
                h->docid = *it;
                h->score = it.get_weight();
                h->rank = it.get_rank();
                if (!opts->no_data) {
                    std::string d = it.get_document().get_data();
                    h->data = dup_string(d);
                    h->data_len = d.size();
                }
                if (opts->sort_slot >= 0) {
                    /* So that sorted results of several searches can be merged. */
                    std::string k = it.get_sort_key();
                    h->sort_key = dup_string(k);
                    h->sort_key_len = k.size();
                }
                r->n_hits++;
            }

            r->facets = static_cast<tracuu_facet *>(
                checked_calloc(opts->n_facet_slots, sizeof(tracuu_facet)));
            Xapian::doccount seen = spies.empty() ? 0 : spies[0]->get_total();
            for (size_t i = 0; i < spies.size(); i++) {
                tracuu_facet *f = &r->facets[i];
                f->slot = opts->facet_slots[i];
                r->n_facets++;
                std::vector<std::pair<std::string, Xapian::doccount>> vals;
                for (Xapian::TermIterator v = spies[i]->values_begin();
                     v != spies[i]->values_end(); ++v)
                    vals.emplace_back(*v, v.get_termfreq());
                std::sort(vals.begin(), vals.end(), [](const auto &a, const auto &b) {
                    return a.second != b.second ? a.second > b.second : a.first < b.first;
                });
                if (opts->facet_limit && vals.size() > opts->facet_limit)
                    vals.resize(opts->facet_limit);
                f->values = static_cast<tracuu_facet_value *>(
                    checked_calloc(vals.size(), sizeof(tracuu_facet_value)));
                for (const auto &v : vals) {
                    tracuu_facet_value *fv = &f->values[f->n_values];
                    fv->value = dup_string(v.first);
                    fv->value_len = v.first.size();
                    fv->count = v.second;
                    f->n_values++;
                }
            }

            /* Xapian's time limit only switches check_at_least off when it expires and does
             * not say whether it did. It can only have expired if the match took that long;
             * it cut something only if the totals or the facets are then not exact. */
            if (opts->time_limit > 0 && elapsed.count() >= opts->time_limit) {
                bool inexact = mset.get_matches_lower_bound() != mset.get_matches_upper_bound();
                if (!spies.empty() && seen < mset.get_matches_lower_bound())
                    inexact = true;
                timed_out = inexact;
            }
            return 0;
        });
        *out = guard.release();
        if (timed_out)
            return fail_with(store, TRACUU_STORE_TIMEOUT,
                             "the time limit cut the match: totals and facets are estimates");
        return TRACUU_STORE_OK;
    } catch (...) {
        return fail(store);
    }
}

void
tracuu_results_free(tracuu_results *results)
{
    free_results(results);
}

} // extern "C"
