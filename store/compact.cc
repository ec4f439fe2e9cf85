/* compact.cc - compacts a tracuu index beside itself and swaps the copy in, under the lock. */

/*
 * The steps and why they are safe are told at tracuu_store_compact() in
 * tracuu-store-compact.h. Everything Xapian or the C++ runtime throws is caught in that one
 * function and turned into a status and a message.
 */

#include "tracuu-store-compact.h"
#include "tracuu-store-backup.h"
#include "store-private.h"

#include <xapian.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <ctime>

namespace fs = std::filesystem;

namespace {

/* Put in the temporary folders: a folder beside the index that holds it is a leftover of a
 * compaction that died, and may be removed; one without it belongs to somebody else. */
constexpr const char marker_name[] = "tracuu-compact-leftover";

/* The metadata key the test hook "differ" changes in the copy. */
#define TRACUU_COMPACT_FAULT_KEY "tracuu.schema_version"

/* How many documents are compared, data included, between the index and its copy. */
constexpr unsigned checked_docs = 100;

/* A failure of ours, with its status; Xapian's own errors are classified in classify(). */
struct compact_error : std::runtime_error {
    tracuu_store_status status;
    compact_error(tracuu_store_status st, const std::string &msg)
        : std::runtime_error(msg), status(st)
    {
    }
};

/* Thrown when the copy gains too little to be worth a swap: not an error, the index stays. */
struct already_compact {
};

/* Thrown when the caller's @cancelled says to stop. */
struct cancelled_error : std::runtime_error {
    cancelled_error() : std::runtime_error("compaction interrupted") {}
};

[[noreturn]] void
throw_errno(const std::string &what, int err)
{
    throw compact_error(TRACUU_STORE_IO, what + ": " + strerror(err));
}

bool
fault(const char *name)
{
    const char *f = getenv("TRACUU_COMPACT_FAULT");
    return f && strcmp(f, name) == 0;
}

/* In the compaction process: sends Xapian's per-table progress to the parent, one line each. */
class pipe_compactor : public Xapian::Compactor
{
  public:
    explicit pipe_compactor(int fd) : fd_(fd) {}

    void
    set_status(const std::string &table, const std::string &status) override
    {
        send_line(fd_, "P" + table + "\t" + status);
    }

    static void
    send_line(int fd, std::string line)
    {
        for (char &c : line)
            if (c == '\n')
                c = ' ';
        line += '\n';
        const char *p = line.data();
        size_t left = line.size();
        while (left > 0) {
            ssize_t n = write(fd, p, left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return; /* the parent is gone: nobody to tell */
            p += n;
            left -= (size_t)n;
        }
    }

  private:
    int fd_;
};

/*
 * Maps the exception being handled to a status and message; call only from a catch block.
 * Our own failures carry their status; the rest is mapped as everywhere in the store.
 */
tracuu_store_status
classify(std::string &msg, const std::string &path) noexcept
{
    try {
        try {
            throw;
        } catch (const compact_error &e) {
            msg = e.what();
            return e.status;
        } catch (const cancelled_error &e) {
            msg = e.what();
            return TRACUU_STORE_ERROR;
        } catch (...) {
            return tracuu_store_impl::classify_current(msg, path.c_str());
        }
    } catch (...) {
        /* No memory for the message: the status alone. */
        return TRACUU_STORE_ERROR;
    }
}

/*
 * The child process of compact_in_child(): compacts @dir into @tmp and tells the parent how it
 * went on @fd ("O", or "E<status>\t<message>"). Never returns; _exit() skips the destructors
 * and the leak check, which would only see what Xapian lost in an error.
 */
[[noreturn]] void
child_compact(const std::string &dir, const std::string &tmp, int fd)
{
    std::string line = "O";
    try {
        Xapian::Database src(dir);
        /* The revision this reader holds, which is the one compacted: a backup records it. */
        pipe_compactor::send_line(fd, "R" + std::to_string(src.get_revision()));
        pipe_compactor compactor(fd);
        src.compact(tmp, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::DBCOMPACT_MULTIPASS, 0,
                    compactor);
    } catch (...) {
        std::string msg;
        tracuu_store_status st = classify(msg, dir);
        try {
            line = "E" + std::to_string((int)st) + "\t" + msg;
        } catch (...) {
            line = "E";
        }
    }
    pipe_compactor::send_line(fd, line);
    _exit(0);
}

/*
 * Runs Xapian's compaction of @dir into @tmp in a child process, and returns the revision of
 * @dir it compacted (the child reads one revision throughout), passing its progress to
 * @opts and polling @opts->cancelled about ten times a second. A child, because Xapian 1.4's
 * glass compaction leaks the tables it was writing when it fails midway (a full disk), and
 * cannot be stopped midway at all but by an exception from set_status() between tables, which
 * leaks the same way: killing a process stops it at once and loses nothing. The parent keeps
 * the lock meanwhile (the child shares its open file, and the lock is the parent's).
 */
Xapian::rev
compact_in_child(const std::string &dir, const std::string &tmp,
                 const tracuu_store_compact_options *opts)
{
    Xapian::rev revision = 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw_errno("cannot make a pipe", errno);
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        throw_errno("cannot start the compaction process", err);
    }
    if (pid == 0) {
        close(fds[0]);
        /* Past a file size limit (ulimit -f), a write fails with EFBIG, reported as such,
         * rather than killing the process. */
        signal(SIGXFSZ, SIG_IGN);
        child_compact(dir, tmp, fds[1]);
    }
    close(fds[1]);

    std::string buf, result;
    bool cancelled = false;
    auto cancel_now = [&] {
        return opts && opts->cancelled && opts->cancelled(opts->user_data);
    };
    while (!cancelled) {
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (cancel_now()) {
            cancelled = true;
            break;
        }
        if (r <= 0)
            continue; /* a timeout, or a signal: look at @cancelled again */
        char chunk[4096];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* the child is done (or dead) */
        buf.append(chunk, (size_t)n);
        size_t nl;
        while ((nl = buf.find('\n')) != std::string::npos) {
            std::string line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (line.size() > 0 && line[0] == 'P') {
                size_t tab = line.find('\t');
                std::string table = line.substr(1, tab == std::string::npos ? tab : tab - 1);
                std::string status = tab == std::string::npos ? "" : line.substr(tab + 1);
                if (opts && opts->progress)
                    opts->progress(table.c_str(), status.c_str(), opts->user_data);
                if (cancel_now()) {
                    cancelled = true;
                    break;
                }
            } else if (line.size() > 1 && line[0] == 'R') {
                revision = (Xapian::rev)strtoull(line.c_str() + 1, nullptr, 10);
            } else {
                result = line;
            }
        }
    }
    if (cancelled)
        kill(pid, SIGKILL);
    close(fds[0]);
    int wst = 0;
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
        ;
    if (cancelled)
        throw cancelled_error();
    if (result == "O")
        return revision;
    if (result.size() > 1 && result[0] == 'E') {
        size_t tab = result.find('\t');
        int st = atoi(result.c_str() + 1);
        std::string msg = tab == std::string::npos ? "" : result.substr(tab + 1);
        throw compact_error(st > 0 && st <= TRACUU_STORE_ERROR ? (tracuu_store_status)st
                                                               : TRACUU_STORE_ERROR,
                            msg);
    }
    if (WIFSIGNALED(wst))
        throw compact_error(TRACUU_STORE_ERROR, "the compaction process was killed by signal " +
                                                    std::to_string(WTERMSIG(wst)));
    throw compact_error(TRACUU_STORE_ERROR, "the compaction process ended without a word");
}

/* Bytes in the regular files of the folder @dir (a glass index has no sub-folders), but for
 * our marker. */
uint64_t
folder_size(const std::string &dir)
{
    uint64_t total = 0;
    for (const fs::directory_entry &e : fs::directory_iterator(dir)) {
        std::error_code ec;
        if (e.is_regular_file(ec) && e.path().filename() != marker_name) {
            uintmax_t n = e.file_size(ec);
            if (!ec)
                total += n;
        }
    }
    return total;
}

bool
exists(const std::string &path)
{
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

void
write_marker(const std::string &dir)
{
    std::string p = dir + "/" + marker_name;
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw_errno("cannot write " + p, errno);
    static const char text[] = "left by tracuu-indexer --compact; this folder may be removed\n";
    ssize_t n = write(fd, text, sizeof text - 1);
    int err = errno;
    close(fd);
    if (n != (ssize_t)(sizeof text - 1))
        throw_errno("cannot write " + p, n < 0 ? err : ENOSPC);
}

void
remove_marker(const std::string &dir)
{
    std::string p = dir + "/" + marker_name;
    if (unlink(p.c_str()) != 0 && errno != ENOENT)
        throw_errno("cannot remove " + p, errno);
}

/*
 * Makes sure nothing is at @path: a leftover of ours (a folder with the marker) is removed;
 * anything else is somebody's, and stops the compaction. Called with the index's lock held,
 * so no other compaction of this index can be using @path.
 */
void
clear_leftover(const std::string &path)
{
    if (!exists(path))
        return;
    struct stat st;
    bool ours = lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
                exists(path + "/" + marker_name);
    if (!ours)
        throw compact_error(TRACUU_STORE_IO,
                            path + " already exists and was not left by tracuu-indexer "
                                   "--compact: move it away and run again");
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec)
        throw compact_error(TRACUU_STORE_IO, "cannot remove the leftover " + path + ": " +
                                                 ec.message());
}

void
fsync_path(const std::string &path, int flags)
{
    int fd = open(path.c_str(), flags | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw_errno("cannot open " + path + " to sync it", errno);
    if (fsync(fd) != 0) {
        int err = errno;
        close(fd);
        throw_errno("cannot sync " + path, err);
    }
    close(fd);
}

/* Xapian syncs its tables; this covers the files it leaves to the file system, and the folder. */
void
sync_folder(const std::string &dir)
{
    for (const fs::directory_entry &e : fs::directory_iterator(dir))
        if (e.is_regular_file())
            fsync_path(e.path().string(), 0);
    fsync_path(dir, O_DIRECTORY);
}

/*
 * Gives the copy in @tmp the owner and mode of the index folder @st, so that whoever runs the
 * indexer on it (root compacting somebody's index, say) can still write it afterwards.
 */
void
match_owner(const std::string &tmp, const struct stat &st)
{
    if (chmod(tmp.c_str(), st.st_mode & 07777) != 0)
        throw_errno("cannot set the mode of " + tmp, errno);
    if (st.st_uid == geteuid() && st.st_gid == getegid())
        return;
    if (chown(tmp.c_str(), st.st_uid, st.st_gid) != 0)
        throw_errno("cannot give " + tmp + " the owner of the index", errno);
    for (const fs::directory_entry &e : fs::directory_iterator(tmp))
        if (chown(e.path().c_str(), st.st_uid, st.st_gid) != 0)
            throw_errno("cannot give " + e.path().string() + " the owner of the index", errno);
}

/* Checks that @copy holds what @orig holds; returns the number of metadata keys compared. */
uint64_t
verify(Xapian::Database &orig, Xapian::Database &copy)
{
    if (orig.get_doccount() != copy.get_doccount())
        throw compact_error(TRACUU_STORE_CORRUPT,
                            "the compacted copy has " + std::to_string(copy.get_doccount()) +
                                " documents, the index " + std::to_string(orig.get_doccount()));
    if (orig.get_lastdocid() != copy.get_lastdocid())
        throw compact_error(TRACUU_STORE_CORRUPT,
                            "the compacted copy numbers its documents differently");
    uint64_t keys = 0;
    Xapian::TermIterator a = orig.metadata_keys_begin(), b = copy.metadata_keys_begin();
    for (; a != orig.metadata_keys_end(); ++a, ++b, ++keys) {
        if (b == copy.metadata_keys_end() || *a != *b)
            throw compact_error(TRACUU_STORE_CORRUPT,
                                "the compacted copy lacks the metadata key " + *a);
        if (orig.get_metadata(*a) != copy.get_metadata(*b))
            throw compact_error(TRACUU_STORE_CORRUPT,
                                "the compacted copy changed the metadata key " + *a);
    }
    if (b != copy.metadata_keys_end())
        throw compact_error(TRACUU_STORE_CORRUPT,
                            "the compacted copy has an extra metadata key " + *b);
    Xapian::PostingIterator p = orig.postlist_begin(""), q = copy.postlist_begin("");
    for (unsigned i = 0; i < checked_docs && p != orig.postlist_end(""); ++i, ++p, ++q) {
        if (q == copy.postlist_end("") || *p != *q ||
            orig.get_document(*p).get_data() != copy.get_document(*q).get_data())
            throw compact_error(TRACUU_STORE_CORRUPT, "the compacted copy differs at document " +
                                                          std::to_string(*p));
    }
    return keys;
}

/*
 * Brings the copy in @tmp to revision @rev_before + 1, by empty commits that leave no trace.
 *
 * Why: Xapian numbers a compacted database's revisions from 1, and a reader's reopen() looks
 * only at the revision number: equal to its own, it keeps what it has open, i.e. the deleted
 * files of the old index. A tracuu-searchd worker that last answered at revision 1 of the
 * index compacted yesterday, idle while today's run committed revisions 2, 3..., would so stay
 * on yesterday's index after today's compaction, without today's documents. Numbers that go on
 * from the old index's are never equal to one a reader holds from an older index.
 * Cost: about 0.2 ms per revision, without syncing each (the folder is synced as a whole
 * before the swap): 30 ms for the 151 revisions of the 100,000-document benchmark index.
 */
void
continue_revisions(const std::string &tmp, Xapian::rev rev_before,
                   const tracuu_store_compact_options *opts)
{
    Xapian::WritableDatabase w(tmp, Xapian::DB_OPEN | Xapian::DB_NO_SYNC);
    if (w.get_revision() > rev_before)
        return;
    if (opts && opts->progress)
        opts->progress("revisions", "", opts->user_data);
    static const char key[] = "tracuu.compact-revision";
    for (unsigned n = 0; w.get_revision() <= rev_before; n++) {
        if (n % 1024 == 1023 && opts && opts->cancelled && opts->cancelled(opts->user_data))
            throw cancelled_error();
        w.set_metadata(key, "1");
        w.set_metadata(key, "");
        w.commit();
    }
    w.close();
}

/*
 * Puts the folder @tmp in place of @dir; returns where the old index now is (to be removed).
 * On failure @dir names the old index, as before.
 */
std::string
swap_in(const std::string &dir, const std::string &tmp, const std::string &aside)
{
    if (!fault("no-exchange") && !fault("mid-swap")) {
        if (renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0)
            return tmp;
        /* Only a file system without the exchange falls back to two renames. */
        if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
            throw_errno("cannot swap " + tmp + " and " + dir, errno);
    }
    /* Never removed, unlike @tmp: a compaction killed between the two renames below leaves the
     * only copy of the index there, with no index at @dir. */
    if (exists(aside))
        throw compact_error(TRACUU_STORE_IO,
                            aside + " exists: it may hold the index, left by a compaction that "
                                    "was killed midway; move it back to " + dir +
                                    " (if that is missing) or remove it");
    if (rename(dir.c_str(), aside.c_str()) != 0)
        throw_errno("cannot move " + dir + " aside to " + aside, errno);
    int err = fault("mid-swap") ? EIO : 0;
    if (err == 0 && rename(tmp.c_str(), dir.c_str()) != 0)
        err = errno;
    if (err != 0) {
        if (rename(aside.c_str(), dir.c_str()) != 0)
            throw compact_error(TRACUU_STORE_IO,
                                "cannot move the compacted copy " + tmp + " to " + dir + " (" +
                                    strerror(err) + "), nor the index back from " + aside +
                                    ": move " + aside + " back to " + dir + " by hand");
        throw_errno("cannot move the compacted copy " + tmp + " to " + dir, err);
    }
    return aside;
}


/* @path without its trailing slashes ("/" stays "/"). */
std::string
strip_slashes(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

/* The folder holding @path (for syncing it after a rename). */
std::string
parent_of(const std::string &path)
{
    size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

/* The real path of the index folder @path, which must exist and be a folder. */
/* These work on one Xapian database: a sharded index is handled shard by shard by the
 * caller (tracuu_store_shard_paths()). */
void
refuse_sharded(const std::string &dir)
{
    if (tracuu_store_is_sharded_path(dir.c_str()))
        throw compact_error(TRACUU_STORE_INVALID,
                            dir + " is a sharded index (it holds XAPIANDB): give one shard");
}

std::string
index_folder(const char *path)
{
    if (!path || !*path)
        throw compact_error(TRACUU_STORE_INVALID, "no index path given");
    char *real = realpath(path, nullptr);
    if (!real) {
        int err = errno;
        throw compact_error(err == ENOENT ? TRACUU_STORE_NOT_FOUND : TRACUU_STORE_IO,
                            std::string(path) + ": " + strerror(err));
    }
    std::string dir = real;
    free(real);
    struct stat st;
    if (stat(dir.c_str(), &st) != 0)
        throw_errno("cannot read " + dir, errno);
    if (!S_ISDIR(st.st_mode))
        throw compact_error(TRACUU_STORE_CORRUPT, dir + " is not an index folder");
    refuse_sharded(dir);
    return dir;
}

void
write_backup_file(const std::string &dir, Xapian::rev rev, const std::string &source,
                  uint64_t docs)
{
    char date[64];
    time_t now = time(nullptr);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string text = "revision " + std::to_string(rev) + "\ndate " + date + "\nsource " +
                       source + "\ndocuments " + std::to_string(docs) + "\n";
    std::string p = dir + "/" + TRACUU_STORE_BACKUP_FILE;
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw_errno("cannot write " + p, errno);
    ssize_t n = write(fd, text.data(), text.size());
    int err = errno;
    if (close(fd) != 0 && n >= 0) {
        n = -1;
        err = errno;
    }
    if (n != (ssize_t)text.size())
        throw_errno("cannot write " + p, n < 0 ? err : ENOSPC);
}

/* Turns a failure into a status and a message for the C caller, naming @what. */
tracuu_store_status
report_failure(const std::string &what, char **error) noexcept
{
    std::string msg;
    tracuu_store_status st = classify(msg, "");
    if (error) {
        try {
            *error = tracuu_store_impl::dup_string(what + ": " + msg);
        } catch (...) {
            *error = nullptr;
        }
    }
    return st;
}

} // namespace

extern "C" {

tracuu_store_status
tracuu_store_compact(const char *path, const tracuu_store_compact_options *opts,
                     tracuu_store_compact_stats *stats, char **error)
{
    auto t0 = std::chrono::steady_clock::now();
    if (error)
        *error = nullptr;
    if (stats)
        memset(stats, 0, sizeof *stats);

    tracuu_store_status st = TRACUU_STORE_OK;
    std::string msg, dir, tmp;
    tracuu_store_compact_stats out;
    memset(&out, 0, sizeof out);
    /* Declared out of the try so that on failure the temporary folder is removed while the
     * lock is still held: no other compaction can be making a folder of that name then. */
    std::unique_ptr<Xapian::WritableDatabase> lock_old, lock_new;
    bool tmp_ours = false, swapped = false, marked_old = false;
    std::string leftover;

    try {
        if (!path || !*path)
            throw compact_error(TRACUU_STORE_INVALID, "no index path given");
        /* The real path: a symbolic link to the index stays a link, to the new folder. */
        char *real = realpath(path, nullptr);
        if (!real) {
            int err = errno;
            throw compact_error(err == ENOENT ? TRACUU_STORE_NOT_FOUND : TRACUU_STORE_IO,
                                strerror(err));
        }
        dir = real;
        free(real);
        struct stat dst;
        if (stat(dir.c_str(), &dst) != 0)
            throw_errno("cannot read " + dir, errno);
        if (!S_ISDIR(dst.st_mode))
            throw compact_error(TRACUU_STORE_CORRUPT, dir + " is not an index folder");
        if (dir == "/")
            throw compact_error(TRACUU_STORE_INVALID, "cannot compact an index at /");
        refuse_sharded(dir);
        tmp = dir + ".compacting";
        std::string aside = dir + ".compacting-old";

        /* The lock first: from here on no other writer changes the index or its copy. */
        lock_old.reset(new Xapian::WritableDatabase(dir, Xapian::DB_OPEN));
        Xapian::Database src(dir);
        Xapian::rev rev_before = src.get_revision();
        out.size_before = folder_size(dir);
        out.doc_count = src.get_doccount();

        clear_leftover(tmp);
        if (mkdir(tmp.c_str(), 0700) != 0)
            throw_errno("cannot make the folder " + tmp, errno);
        tmp_ours = true;
        write_marker(tmp);

        compact_in_child(dir, tmp, opts);
        if (fault("differ")) {
            Xapian::WritableDatabase w(tmp, Xapian::DB_OPEN);
            w.set_metadata(TRACUU_COMPACT_FAULT_KEY, "changed");
            w.commit();
        }

        lock_new.reset(new Xapian::WritableDatabase(tmp, Xapian::DB_OPEN));
        out.metadata_keys = verify(src, *lock_new);
        /* Less than 1% (and 64 kB) is not worth a swap: the index was compacted already and
         * changed little since. (The three blocks, 24 kB, that continue_revisions() adds would
         * otherwise make every compaction of an unchanged index swap again.) */
        if (folder_size(tmp) + std::max<uint64_t>(out.size_before / 100, 64 * 1024) >
            out.size_before) {
            out.size_after = out.size_before;
            throw already_compact();
        }
        lock_new.reset();
        continue_revisions(tmp, rev_before, opts);
        lock_new.reset(new Xapian::WritableDatabase(tmp, Xapian::DB_OPEN));
        match_owner(tmp, dst);
        sync_folder(tmp);

        /* Both folders carry the marker across the swap (Xapian ignores files it does not
         * know), so that whichever is left beside the index by a kill at any moment is known
         * as ours next time. */
        write_marker(dir);
        marked_old = true;
        if (fault("before-swap"))
            throw compact_error(TRACUU_STORE_IO, "injected fault before the swap");
        if (fault("slow"))
            sleep(3);
        /* The last moment to give up: the swap is the point of no return. */
        if (opts && opts->cancelled && opts->cancelled(opts->user_data))
            throw cancelled_error();
        leftover = swap_in(dir, tmp, aside);
        swapped = true;
        tmp_ours = false;
        if (fault("slow"))
            sleep(3);
    } catch (const already_compact &) {
        /* Success without a swap: the copy is removed below as after a failure. */
    } catch (...) {
        st = classify(msg, dir.empty() && path ? std::string(path) : dir);
    }

    /* The swap is the point of no return: before it, undo; after it, only tidy up. */
    if (!swapped) {
        std::error_code ec;
        lock_new.reset();
        if (tmp_ours)
            fs::remove_all(tmp, ec);
        if (marked_old) {
            try {
                remove_marker(dir);
            } catch (...) {
                /* A stray marker file in the index folder harms nothing. */
            }
        }
        lock_old.reset();
    } else {
        std::error_code ec;
        /* Done: what fails from here on leaves a compacted index in place, so it is at most
         * reported, never undone. */
        try {
            remove_marker(dir);
            std::string parent = dir.substr(0, dir.rfind('/'));
            fsync_path(parent.empty() ? "/" : parent, O_DIRECTORY);
            out.size_after = folder_size(dir);
        } catch (...) {
        }
        out.replaced = true;
        try {
            lock_old->close();
        } catch (...) {
        }
        lock_old.reset();
        fs::remove_all(leftover, ec);
        if (ec) {
            try {
                msg = "the index is compacted, but its old copy could not be removed: " +
                      leftover + ": " + ec.message();
            } catch (...) {
            }
        }
        try {
            lock_new->close();
        } catch (...) {
        }
        lock_new.reset();
    }

    if (st == TRACUU_STORE_OK) {
        std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;
        out.seconds = elapsed.count();
        if (stats)
            *stats = out;
    }
    if (error && !msg.empty()) {
        try {
            std::string full = st == TRACUU_STORE_OK
                                   ? msg
                                   : "cannot compact the index " +
                                         std::string(path ? path : "(null)") + ": " + msg;
            *error = tracuu_store_impl::dup_string(full);
        } catch (...) {
            *error = nullptr;
        }
    }
    return st;
}

} // extern "C"

extern "C" {

namespace {

/*
 * The hold of a backup on the index folder (store-private.h): while it is taken, a writer's
 * commits wait, so that the revision being copied stays whole. Released when the copy is made,
 * and by the destructor on any failure; a backup killed leaves it to the writer, which sees
 * that its process is gone.
 */
class backup_hold
{
  public:
    backup_hold() = default;
    backup_hold(const backup_hold &) = delete;
    backup_hold &operator=(const backup_hold &) = delete;
    ~backup_hold() { release(); }

    void
    take(const std::string &dir)
    {
        if (!path_.empty())
            return;
        std::string path = dir + "/" TRACUU_STORE_HOLD_PREFIX + std::to_string(getpid());
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            throw_errno("cannot hold the index for the backup: " + path, errno);
        close(fd);
        path_ = path;
        /* A commit already past its look at the holds may still land: the copy then reads
         * the revision after it, which the writer's next commit, waiting, cannot take away. */
    }

    void
    release() noexcept
    {
        if (!path_.empty())
            unlink(path_.c_str());
        path_.clear();
    }

  private:
    std::string path_;
};

} // namespace

tracuu_store_status
tracuu_store_backup(const char *path, const char *dest, const tracuu_store_compact_options *opts,
                    tracuu_store_backup_stats *stats, char **error)
{
    auto t0 = std::chrono::steady_clock::now();
    if (error)
        *error = nullptr;
    if (stats)
        memset(stats, 0, sizeof *stats);
    std::string tmp, target;
    bool tmp_ours = false;
    try {
        std::string dir = index_folder(path);
        if (!dest || !*dest)
            throw compact_error(TRACUU_STORE_INVALID, "no backup folder given");
        target = strip_slashes(dest);
        struct stat dst;
        if (lstat(target.c_str(), &dst) == 0) {
            bool empty = S_ISDIR(dst.st_mode) && fs::is_empty(target);
            if (!empty)
                throw compact_error(TRACUU_STORE_IO,
                                    target + " already exists: a backup goes to a new folder "
                                             "(or an empty one)");
        }
        tmp = target + ".tmp";
        clear_leftover(tmp);
        tracuu_store_backup_stats out;
        memset(&out, 0, sizeof out);
        /* A writer that commits twice during the copy makes Xapian drop the revision being
         * read: the copy fails with DatabaseModifiedError and is started again, from then on
         * under a hold that makes the writer's commits wait for the copy. The first try goes
         * without, so that a quiet index is copied without stopping its writer at all. */
        backup_hold hold;
        for (int attempt = 1;; attempt++) {
            if (mkdir(tmp.c_str(), 0700) != 0)
                throw_errno("cannot make the folder " + tmp, errno);
            tmp_ours = true;
            write_marker(tmp);
            try {
                if (fault("modified") && attempt == 1)
                    throw compact_error(TRACUU_STORE_ERROR,
                                        "DatabaseModifiedError (injected)");
                out.revision = compact_in_child(dir, tmp, opts);
                break;
            } catch (const compact_error &e) {
                std::error_code ec;
                fs::remove_all(tmp, ec);
                tmp_ours = false;
                if (attempt >= 5 || strstr(e.what(), "DatabaseModifiedError") == nullptr)
                    throw;
                hold.take(dir);
                out.held = 1;
            }
        }
        hold.release();
        {
            Xapian::Database copy(tmp);
            out.doc_count = copy.get_doccount();
        }
        write_backup_file(tmp, out.revision, dir, out.doc_count);
        out.size = folder_size(tmp);
        sync_folder(tmp);
        if (lstat(target.c_str(), &dst) == 0 && rmdir(target.c_str()) != 0)
            throw_errno("cannot replace the empty folder " + target, errno);
        if (rename(tmp.c_str(), target.c_str()) != 0)
            throw_errno("cannot rename " + tmp + " to " + target, errno);
        tmp_ours = false;
        /* The marker goes only now: a backup killed before the rename leaves a "DEST.tmp" that
         * the next one knows as a leftover. */
        remove_marker(target);
        fsync_path(parent_of(target), O_DIRECTORY);
        std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;
        out.seconds = elapsed.count();
        if (stats)
            *stats = out;
        return TRACUU_STORE_OK;
    } catch (...) {
        tracuu_store_status st = report_failure(
            "cannot back up the index " + std::string(path ? path : "(null)"), error);
        if (tmp_ours) {
            std::error_code ec;
            fs::remove_all(tmp, ec);
        }
        return st;
    }
}

tracuu_store_status
tracuu_store_restore(const char *path, const char *src, const tracuu_store_compact_options *opts,
                     tracuu_store_backup_stats *stats, char **error)
{
    auto t0 = std::chrono::steady_clock::now();
    if (error)
        *error = nullptr;
    if (stats)
        memset(stats, 0, sizeof *stats);
    std::string tmp, dir, leftover;
    bool tmp_ours = false, marked_old = false;
    std::unique_ptr<Xapian::WritableDatabase> lock_old;
    tracuu_store_status st = TRACUU_STORE_OK;
    try {
        std::string from = index_folder(src);
        if (!path || !*path)
            throw compact_error(TRACUU_STORE_INVALID, "no index path given");
        bool had_index = exists(path);
        dir = had_index ? index_folder(path) : strip_slashes(path);
        if (dir == "/")
            throw compact_error(TRACUU_STORE_INVALID, "cannot restore an index at /");
        if (dir == from)
            throw compact_error(TRACUU_STORE_INVALID, "the backup is the index itself");
        struct stat dst;
        memset(&dst, 0, sizeof dst);
        Xapian::rev rev_before = 0;
        if (had_index) {
            if (stat(dir.c_str(), &dst) != 0)
                throw_errno("cannot read " + dir, errno);
            /* The lock first: from here on no indexer writes the index being replaced. An empty
             * folder (or one with only Xapian's lock file) has no revision to go past. */
            if (!fs::is_empty(dir)) {
                lock_old.reset(new Xapian::WritableDatabase(dir, Xapian::DB_OPEN));
                rev_before = lock_old->get_revision();
            }
        }
        tmp = dir + ".restoring";
        clear_leftover(tmp);
        if (mkdir(tmp.c_str(), 0700) != 0)
            throw_errno("cannot make the folder " + tmp, errno);
        tmp_ours = true;
        write_marker(tmp);
        compact_in_child(from, tmp, opts);
        std::error_code ec;
        fs::remove(tmp + "/" + TRACUU_STORE_BACKUP_FILE, ec);
        continue_revisions(tmp, rev_before, opts);
        {
            Xapian::Database copy(tmp);
            if (stats) {
                stats->revision = copy.get_revision();
                stats->doc_count = copy.get_doccount();
            }
        }
        if (had_index)
            match_owner(tmp, dst);
        sync_folder(tmp);
        if (opts && opts->cancelled && opts->cancelled(opts->user_data))
            throw cancelled_error();
        if (had_index) {
            write_marker(dir);
            marked_old = true;
            leftover = swap_in(dir, tmp, dir + ".restoring-old");
        } else {
            if (rename(tmp.c_str(), dir.c_str()) != 0)
                throw_errno("cannot rename " + tmp + " to " + dir, errno);
        }
        tmp_ours = false;
        marked_old = false;
        fsync_path(parent_of(dir), O_DIRECTORY);
    } catch (...) {
        st = report_failure("cannot restore " + std::string(src ? src : "(null)") + " to " +
                                std::string(path ? path : "(null)"),
                            error);
    }
    std::error_code ec;
    if (st != TRACUU_STORE_OK) {
        if (tmp_ours)
            fs::remove_all(tmp, ec);
        if (marked_old) {
            try {
                remove_marker(dir);
            } catch (...) {
            }
        }
        return st;
    }
    /* In place: what fails from here on is at most tidying. */
    try {
        remove_marker(dir);
        if (lock_old)
            lock_old->close();
    } catch (...) {
    }
    lock_old.reset();
    if (!leftover.empty())
        fs::remove_all(leftover, ec);
    if (stats) {
        try {
            stats->size = folder_size(dir);
        } catch (...) {
        }
        std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - t0;
        stats->seconds = elapsed.count();
    }
    return TRACUU_STORE_OK;
}

} // extern "C"
