#!/bin/sh
# watch-bench.sh - tracuu-indexer --watch: time from a file's creation to its first hit.
#
# Usage: sh bench/watch-bench.sh   (after building; environment knobs below)
#   BUILD=build                     the meson build folder with tracuu-indexer, tracuu-searchd
#   BENCH_DIR=/tmp/tracuu-watch-bench   where the documents, the index and the logs are kept
#   SINGLE=200   files dropped one by one (each waited for before the next)
#   BURST=10000  files created at once, as fast as the shell's python can write them
#
# One tracuu-indexer --watch follows BENCH_DIR/docs and one tracuu-searchd serves its index on
# a Unix socket; a python client asks the daemon (newline-delimited JSON, one connection) every
# 10 ms. Single files: each holds a word of its own, and its latency is from just before its
# open() to the first answer that finds it; p50, p99 and max over SINGLE files. Burst: all
# files hold one shared word; the k-th file to become searchable is set against the k-th file
# created (batches do not index in creation order), which gives p50 and p99 of the latency,
# and the time from the first creation to the last file found. The batches and commits the
# watcher logged are counted from its log. Latency is dominated by the watcher's wait for a
# quiet second (QUIET_USEC in indexer/watch.c) before a batch, by design.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WORK=${BENCH_DIR:-/tmp/tracuu-watch-bench}
SINGLE=${SINGLE:-200}
BURST=${BURST:-10000}
INDEXER=$BUILD/indexer/tracuu-indexer
SEARCHD=$BUILD/searchd/tracuu-searchd
for p in "$INDEXER" "$SEARCHD"; do
    [ -x "$p" ] || { echo "watch-bench: $p is not built (meson compile -C $BUILD)" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK/docs"
echo "Văn bản có từ trước: startbench." >"$WORK/docs/start.txt"
"$INDEXER" --db "$WORK/db" --watch -j 1 --batch 100000 "$WORK/docs" 2>"$WORK/watch.log" &
WPID=$!
DPID=
cleanup() {
    kill "$WPID" 2>/dev/null || true
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
i=0
until grep -q "scan of the roots" "$WORK/watch.log"; do
    i=$((i + 1)); [ $i -lt 600 ] || { echo "watch-bench: no first scan" >&2; exit 1; }
    sleep 0.1
done
"$SEARCHD" --db "$WORK/db" --socket "$WORK/searchd.sock" 2>"$WORK/searchd.log" &
DPID=$!
i=0
until [ -S "$WORK/searchd.sock" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { echo "watch-bench: no daemon" >&2; exit 1; }
    sleep 0.1
done

/usr/bin/python3 - "$WORK" "$SINGLE" "$BURST" <<'PY'
import json, os, socket, sys, time

work, single, burst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
docs = os.path.join(work, "docs")
s = socket.socket(socket.AF_UNIX)
s.connect(os.path.join(work, "searchd.sock"))
f = s.makefile("rwb")

def total(q):
    # A facet makes the total exact (without one a split search estimates it).
    f.write((json.dumps({"op": "search", "q": q, "limit": 0, "facets": ["kind"]}) + "\n")
            .encode())
    f.flush()
    o = json.loads(f.readline())
    assert o.get("ok"), o
    return o["total"]

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]

def batches():
    n = c = 0
    for line in open(os.path.join(work, "watch.log"), encoding="utf-8", errors="replace"):
        if "batch of " in line or "scan of the roots" in line:
            n += 1
            c += int(line.rsplit(" commits in ", 1)[0].rsplit(" ", 1)[1])
    return n, c

assert total("startbench") == 1
lat = []
for i in range(single):
    word = "w%05dsolo" % i
    t0 = time.monotonic()
    with open(os.path.join(docs, "s%05d.txt" % i), "w") as out:
        out.write("Công văn số %d về %s.\n" % (i, word))
    while total(word) != 1:
        if time.monotonic() - t0 > 60:
            sys.exit("watch-bench: %s not found after 60 s" % word)
        time.sleep(0.01)
    lat.append(time.monotonic() - t0)
b1, c1 = batches()
if single > 0:
  print("single files: %d, one by one" % single)
  print("  latency p50 %.0f ms, p99 %.0f ms, max %.0f ms" %
        (pct(lat, 50) * 1e3, pct(lat, 99) * 1e3, max(lat) * 1e3))
  print("  batches %d, commits %d (with the first scan)" % (b1, c1))

os.mkdir(os.path.join(docs, "burst"))
created = []
t0 = time.monotonic()
for i in range(burst):
    with open(os.path.join(docs, "burst", "b%05d.txt" % i), "w") as out:
        out.write("Thông báo số %d: burstbench.\n" % i)
    created.append(time.monotonic())
t_made = time.monotonic()
found = []  # (count, time) each time the count grows
n = 0
while n < burst:
    if time.monotonic() - t0 > 900:
        sys.exit("watch-bench: burst: %d of %d found after 900 s" % (n, burst))
    m = total("burstbench")
    if m > n:
        found.append((min(m, burst), time.monotonic()))
        n = m
    time.sleep(0.01)
t_all = time.monotonic()
lat = []
k = 0
for m, t in found:
    while k < m:
        lat.append(t - created[k])
        k += 1
b2, c2 = batches()
print("burst: %d files created in %.2f s" % (burst, t_made - t0))
print("  latency p50 %.0f ms, p99 %.0f ms; all searchable %.2f s after the first, "
      "%.2f s after the last was created" %
      (pct(lat, 50) * 1e3, pct(lat, 99) * 1e3, t_all - t0, t_all - t_made))
print("  batches %d, commits %d" % (b2 - b1, c2 - c1))
PY
