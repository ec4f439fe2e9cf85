#!/bin/sh
# scale-bench.sh - import speed, index size, memory and query latency of tracuu beside plain Xapian and FTS5.
#
# Usage: sh bench/scale-bench.sh   (after building; see bench/scale-bench.md)
#   DOCS=100000        documents (issue 15 asks for 100,000 and for 1,000,000)
#   SMALL=1            a quick run: DOCS=2000 and N=200 unless given
#   N=2000             search requests per latency line (after 300 warm-up requests)
#   BUILD=build        the meson build folder with tracuu-indexer, tracuu-searchd, searchd-bench
#   BENCH_DIR=/tmp/tracuu-scale-bench-DOCS   where the documents (kept for the next run) and the
#                      indexes (removed at the end unless KEEP=1) are written
#   PARTS="tracuu-1 tracuu-2 plain fts5"   which imports (and their query runs) to make; at
#                      1,000,000 documents PARTS=tracuu-2 measures the sharded import alone
#   PERF=1             also record tracuu-searchd with perf during one more 1-client run and write
#                      the top of its profile to BENCH_DIR/perf-report.txt
#
# On the same generated documents (bench/searchd-bench.py's), one after the other: tracuu-indexer
# --from-jsonl into one index and into 2 shards (--shards 2), the plain Xapian writer of
# bench/xapian-plain-index.py, and SQLite FTS5's bulk insert; each timed by bench/measure.py
# (wall, CPU, peak RSS of the parent and of its workers), each index measured before and after
# its compaction. Then tracuu-searchd on each tracuu index and FTS5 (searchd-bench fts5-serve)
# answer the same 2-4 word queries over a Unix socket, top 10 with total and snippets, at 1 and
# 8 clients. The last lines print the ratios beside issue 15's targets. A benchmark, not a test:
# nothing here runs under meson test.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ -n "${SMALL:-}" ]; then
    DOCS=${DOCS:-2000}
    N=${N:-200}
fi
DOCS=${DOCS:-100000}
N=${N:-2000}
PARTS=${PARTS:-tracuu-1 tracuu-2 plain fts5}
# want PART: whether PARTS names it.
want() {
    case " $PARTS " in
    *" $1 "*) return 0 ;;
    esac
    return 1
}
WORK=${BENCH_DIR:-/tmp/tracuu-scale-bench-$DOCS}
PY=/usr/bin/python3
INDEXER=$BUILD/indexer/tracuu-indexer
SEARCHD=$BUILD/searchd/tracuu-searchd
BENCH=$BUILD/bench/searchd-bench

fail() {
    echo "scale-bench: $*" >&2
    exit 2
}
for p in "$INDEXER" "$SEARCHD" "$BENCH"; do
    [ -x "$p" ] || fail "$p is not built (meson compile -C $BUILD; searchd-bench needs libsqlite3-dev)"
done
[ -x "$PY" ] || fail "$PY is missing (the plain Xapian writer needs Debian's python3-xapian)"
"$PY" -c 'import xapian, sqlite3' 2>/dev/null ||
    fail "$PY cannot import xapian and sqlite3 (apt-get install python3-xapian)"
command -v xapian-compact >/dev/null || fail "xapian-compact is missing (apt-get install xapian-tools)"
if [ "${PERF:-0}" = 1 ]; then
    command -v perf >/dev/null || fail "PERF=1 needs perf (apt-get install linux-perf)"
fi
case $DOCS in
'' | *[!0-9]*) fail "DOCS must be a number of documents, not '$DOCS'" ;;
esac

mkdir -p "$WORK"
INDEXES="$WORK/tracuu-1 $WORK/tracuu-2 $WORK/plain $WORK/plain-compact $WORK/fts5.db"
MEASURES=$WORK/measures.txt
RESULTS=$WORK/results.txt
server_pid=''
perf_pid=''
stop() {
    # $1: a pid or empty. wait gives the killed process's status, which set -e would take for a
    # failure, hence the || true.
    if [ -n "$1" ]; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    stop "$perf_pid"
    stop "$server_pid"
    perf_pid=''
    server_pid=''
    rm -f "$WORK"/*.sock
    if [ "${KEEP:-0}" != 1 ]; then
        # shellcheck disable=SC2086 # a list of paths without spaces of our own making
        rm -rf $INDEXES "$WORK/perf.data" "$WORK/perf.data.old"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2086
rm -rf $INDEXES
: >"$MEASURES"
: >"$RESULTS"

# The documents and queries (kept in WORK: the next run with the same DOCS starts at once).
"$PY" bench/searchd-bench.py --out "$WORK" --docs "$DOCS" --no-fts5
have=$(wc -l <"$WORK/docs.jsonl")
[ "$have" -eq "$DOCS" ] || fail "$WORK/docs.jsonl has $have documents, not $DOCS: remove it"

# measure LABEL CMD...: one MEASURE line into MEASURES; a failure is written down, not fatal.
measure() {
    label=$1
    shift
    echo "scale-bench: $label: $*" >&2
    "$PY" bench/measure.py "$label" "$@" >>"$MEASURES" ||
        echo "scale-bench: $label failed (exit status $?), see above" >&2
}
size() {
    echo "SIZE label=$1 bytes=$(du -sb "$2" | cut -f1)" >>"$MEASURES"
}
ok() {
    grep -q "^MEASURE label=$1 rc=0 " "$MEASURES"
}

if want tracuu-1; then
    measure tracuu-1 "$INDEXER" --db "$WORK/tracuu-1" --from-jsonl "$WORK/docs.jsonl" -q
    ok tracuu-1 || fail "tracuu-indexer could not import the documents: nothing to compare"
    size tracuu-1 "$WORK/tracuu-1"
    measure tracuu-1-compact "$INDEXER" --db "$WORK/tracuu-1" --compact -q
    size tracuu-1-compact "$WORK/tracuu-1"
fi

if ! want tracuu-2; then
    :
elif "$INDEXER" --help 2>&1 | grep -q -- '--shards'; then
    measure tracuu-2 "$INDEXER" --db "$WORK/tracuu-2" --shards 2 --from-jsonl "$WORK/docs.jsonl" -q
    if ok tracuu-2; then
        size tracuu-2 "$WORK/tracuu-2"
        measure tracuu-2-compact "$INDEXER" --db "$WORK/tracuu-2" --compact -q
        size tracuu-2-compact "$WORK/tracuu-2"
    fi
else
    echo "NA label=tracuu-2 why=tracuu-indexer_has_no_--shards" >>"$MEASURES"
fi

want plain && measure plain "$PY" bench/xapian-plain-index.py "$WORK/docs.jsonl" "$WORK/plain"
if ok plain; then
    size plain "$WORK/plain"
    measure plain-compact xapian-compact "$WORK/plain" "$WORK/plain-compact"
    size plain-compact "$WORK/plain-compact"
fi

# searchd-bench.py finds the documents and queries made and only builds fts5.db (bulk insert of
# 5,000 rows a statement, then FTS5's 'optimize', which is its compaction).
want fts5 && measure fts5 "$PY" bench/searchd-bench.py --out "$WORK" --docs "$DOCS"
if ok fts5; then
    size fts5 "$WORK/fts5.db"
fi

# serve LABEL CMD...: starts a server on WORK/LABEL.sock; false if it died or never listened.
serve() {
    label=$1
    shift
    rm -f "$WORK/$label.sock"
    "$@" 2>"$WORK/$label.log" &
    server_pid=$!
    for _ in $(seq 300); do
        [ -S "$WORK/$label.sock" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    stop "$server_pid"
    server_pid=
    why=$(tail -n 1 "$WORK/$label.log" | tr -c 'A-Za-z0-9.:/-' '_')
    echo "NA label=$label-query why=${why:-did_not_listen}" >>"$MEASURES"
    echo "scale-bench: $label did not start; see $WORK/$label.log" >&2
    return 1
}
# queries LABEL: warm-up, then N requests at 1 and at 8 clients, and the server's peak RSS.
# The server's CPU time per request (its user + system ticks over the line) is written beside
# each line: on a shared machine it moves much less than the latency does.
ticks() {
    awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}
queries() {
    sock=$WORK/$1.sock
    "$BENCH" load warmup "$sock" "$WORK/queries.txt" 2 300 >/dev/null
    for c in 1 8; do
        t0=$(ticks)
        "$BENCH" load "$1" "$sock" "$WORK/queries.txt" "$c" "$N" >>"$RESULTS" ||
            echo "scale-bench: $1 at $c clients had errors" >&2
        echo "CPU label=$1 conc=$c ticks=$(($(ticks) - t0)) hz=$(getconf CLK_TCK) n=$N" >>"$MEASURES"
    done
    kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
    echo "SERVER label=$1 hwm_kb=$kb" >>"$MEASURES"
}

for t in tracuu-1 tracuu-2; do
    ok "$t" || continue
    serve "$t" "$SEARCHD" --db "$WORK/$t" --socket "$WORK/$t.sock" --slow-ms 1000 || continue
    queries "$t"
    if [ "$t" = tracuu-1 ] && [ "${PERF:-0}" = 1 ]; then
        # One more 1-client run, the daemon sampled 199 times a second with DWARF call graphs
        # (libxapian has no frame pointers; its own threads, user and kernel time:
        # perf_event_paranoid 2 allows that without root).
        perf record -F 199 --call-graph dwarf,16384 -o "$WORK/perf.data" -p "$server_pid" \
            2>"$WORK/perf.log" &
        perf_pid=$!
        sleep 1
        "$BENCH" load perf "$WORK/$t.sock" "$WORK/queries.txt" 1 "$N" >"$WORK/perf-load.txt"
        kill -INT "$perf_pid" 2>/dev/null || true
        wait "$perf_pid" 2>/dev/null || true
        perf_pid=''
        # Where the time goes: by library, by function (self time) and by function with its
        # callees (children); the IPC columns (empty without hardware counters) and the
        # functions libxapian has no symbol for (hidden, shown as bare addresses) cut off.
        for how in "dso --no-children" "dso,symbol --no-children" "symbol --children"; do
            # shellcheck disable=SC2086 # $how is two words on purpose
            perf report -i "$WORK/perf.data" --stdio --sort $how --percent-limit 0.5 -g none \
                2>/dev/null | grep -v -e '^$' -e '\] 0x0000' | sed 's/ *-  *- *$//; s/ *$//'
        done >"$WORK/perf-report.txt" || true
        echo "scale-bench: profile in $WORK/perf-report.txt" >&2
    fi
    stop "$server_pid"
    server_pid=
done
if ok fts5 && serve fts5 "$BENCH" fts5-serve "$WORK/fts5.db" "$WORK/fts5.sock" and; then
    queries fts5
    stop "$server_pid"
    server_pid=
fi

"$PY" - "$MEASURES" "$RESULTS" "$DOCS" <<'EOF'
import os, sys
measures, results, docs = sys.argv[1], sys.argv[2], int(sys.argv[3])
m, size, na, server, q, cpu = {}, {}, {}, {}, {}, {}
for line in open(measures):
    kind, rest = line.split(" ", 1)
    kv = dict(p.split("=", 1) for p in rest.split())
    if kind == "MEASURE":
        m[kv["label"]] = kv
    elif kind == "SIZE":
        size[kv["label"]] = int(kv["bytes"]) / 1e6
    elif kind == "NA":
        na[kv["label"]] = kv["why"].replace("_", " ")
    elif kind == "CPU":
        cpu[(kv["label"], int(kv["conc"]))] = (int(kv["ticks"]) * 1000.0 / int(kv["hz"])
                                               / int(kv["n"]))
    elif kind == "SERVER":
        server[kv["label"]] = int(kv["hwm_kb"]) / 1024
for line in open(results):
    if line.startswith("RESULT "):
        parts = line.split()
        kv = dict(p.split("=") for p in parts[2:])
        q[(parts[1], int(kv["conc"]))] = kv

NAMES = [("tracuu-1", "tracuu, 1 index"), ("tracuu-2", "tracuu, 2 shards"),
         ("plain", "plain Xapian"), ("fts5", "SQLite FTS5")]
COMPACT = {"tracuu-1": "tracuu-1-compact", "tracuu-2": "tracuu-2-compact",
           "plain": "plain-compact"}
print("%d documents (%.0f MB of JSON lines); load average %.2f %.2f %.2f on %d cores"
      % ((docs, os.path.getsize(os.path.join(os.path.dirname(measures), "docs.jsonl")) / 1e6)
         + os.getloadavg() + (os.cpu_count(),)))
print("%-17s %8s %8s %7s %7s %5s | %9s %9s %6s | %8s %8s %7s" % (
    "import", "wall s", "docs/s", "CPU s", "d/CPU s", "load", "RSS max", "parent", "procs",
    "size MB", "compact", "comp. s"))
rate, cpu_rate = {}, {}
for key, name in NAMES:
    r = m.get(key)
    if r is None or r["rc"] != "0":
        why = na.get(key) or ("failed, exit status %s" % r["rc"] if r else "not run")
        print("%-17s not available (%s)" % (name, why))
        continue
    wall = float(r["wall_s"])
    rate[key] = docs / wall
    cpu_rate[key] = docs / max(float(r["cpu_s"]), 0.001)
    c = m.get(COMPACT.get(key, ""), {})
    after = size.get(COMPACT.get(key, ""))
    print("%-17s %8.1f %8.0f %7.1f %7.0f %5.1f | %7.0fMB %7.0fMB %6s | %8.1f %8s %7s" % (
        name, wall, rate[key], float(r["cpu_s"]), cpu_rate[key], float(r.get("load1", "nan")),
        int(r["maxrss_kb"]) / 1024,
        int(r["parent_kb"]) / 1024, r["procs"], size.get(key, float("nan")),
        "%.1f" % after if after is not None else "-",
        c.get("wall_s", "-")[:6] if c.get("rc") == "0" else ("failed" if c else "-")))
    if int(r["procs"]) > 1:
        print("%-17s %51s %7.0fMB (largest of its other processes)"
              % ("", "", int(r["child_kb"]) / 1024))
print("d/CPU s: documents per CPU second (fairer than docs/s on a loaded machine, but blind to"
      " the use of both cores);\nRSS max: the largest peak of any process of the run; parent: the"
      " command's own; load: the 1-minute load average\nas it ended; FTS5's size is after its"
      " 'optimize'.")

print()
print("%-17s %4s | %9s %9s %8s %9s %9s | %9s" % ("queries (socket)", "conc", "p50", "p99",
                                                "q/s", "took p50", "CPU/q", "server RSS"))
for key, name in NAMES:
    if key == "plain":
        continue
    rows = [(c, q.get((key, c))) for c in (1, 8)]
    if not any(r for _, r in rows):
        why = na.get(key + "-query") or na.get(key) or "not measured"
        print("%-17s not available (%s)" % (name, why))
        continue
    for c, r in rows:
        if r:
            print("%-17s %4d | %7.2fms %7.2fms %8.0f %7sms %7.2fms | %7.0fMB%s" % (
                name, c, float(r["p50_ms"]), float(r["p99_ms"]), float(r["qps"]),
                r.get("took_p50_ms", "-")[:5], cpu.get((key, c), float("nan")),
                server.get(key, float("nan")),
                "  errors: %s" % r["errors"] if r["errors"] != "0" else ""))
print("took p50: the servers' own time to answer, median; CPU/q: the server's CPU time (all its"
      " threads) per request.")

def verdict(ok):
    return "met" if ok else "NOT met"

print()
print("ratios and issue 15's targets:")
for key in ("tracuu-1", "tracuu-2"):
    if key in rate and "plain" in rate:
        x = rate[key] / rate["plain"]
        print("  import %-9s docs/s / plain Xapian's: %5.2f  (target >= 1.5: %s; per CPU"
              " second %.2f)" % (key, x, verdict(x >= 1.5), cpu_rate[key] / cpu_rate["plain"]))
for key in ("tracuu-1", "tracuu-2"):
    a, p = size.get(COMPACT[key]), size.get("plain-compact")
    if a and p:
        print("  size   %-9s after compact / plain's:  %5.2f  (target <= 1.5: %s; before"
              " compact %.2f)" % (key, a / p, verdict(a / p <= 1.5),
                                  size[key] / size["plain"]))
    if key in size and "fts5" in size:
        print("  size   %-9s after compact / FTS5's:   %5.2f" % (key, size.get(COMPACT[key],
              size[key]) / size["fts5"]))
for key in ("tracuu-1", "tracuu-2"):
    r = q.get((key, 1))
    if not r:
        continue
    p50, p99 = float(r["p50_ms"]), float(r["p99_ms"])
    print("  %-9s 1 client: p50 %.2f ms (today's 2.6 ms x %.2f; target < 1.5 ms: %s), "
          "p99 %.2f ms (today's 7.7 ms x %.2f; target < 5 ms: %s)"
          % (key, p50, p50 / 2.6, verdict(p50 < 1.5), p99, p99 / 7.7, verdict(p99 < 5)))
    if docs >= 1000000:
        print("  %-9s at %d documents: p99 %.2f ms (target < 50 ms: %s)"
              % (key, docs, p99, verdict(p99 < 50)))
    f = q.get(("fts5", 1))
    if f:
        print("  %-9s / FTS5 at 1 client: p50 x %.2f, p99 x %.2f" % (
            key, p50 / float(f["p50_ms"]), p99 / float(f["p99_ms"])))
if docs != 100000:
    print("  (the import, size and latency targets are set at 100,000 documents; this run has %d)"
          % docs)
EOF
