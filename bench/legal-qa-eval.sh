#!/bin/sh
# legal-qa-eval.sh - articles found for the 10 questions of samples/docx_laws/legal_QA.json.
#
# Usage: sh bench/legal-qa-eval.sh [--data DIR] [--build DIR] [--verbose] [--db-direct]
#                                  [--client-arg ARG]... [--searchd-arg ARG]...
#   --data DIR         the shared data folder (default ../shared/data from the repository root;
#                      a relative DIR is read from the current folder)
#   --build DIR        the meson build folder (default build, from the repository root)
#   --verbose          also print the ten best hits of each question, both ways
#   --db-direct        search the index with `tracuu --db` instead of through tracuu-searchd
#   --client-arg ARG   one more option for `tracuu search` (repeatable), e.g. --sort=-date
#   --searchd-arg ARG  one more option for tracuu-searchd (repeatable), e.g. --split=1
#
# The DOCX laws of DATA/samples/docx_laws are indexed with tracuu-indexer into a temporary
# index (each Điều becomes an article unit of its own, kind `article`), one tracuu-searchd
# serves it on a Unix socket, and each question is asked with `tracuu search --json -n 10`,
# restricted to article units (`unit:article`), as written and with every diacritic removed
# (NFD, combining marks dropped, đ to d). A hit is the relevant one when it is an article unit
# whose `article` is the question's N (gid `dieu_N`) and whose `path` (its document's file) is
# the question's `file` plus `.docx`. One relevant item a question, so nDCG@10 is
# 1/log2(rank + 1), MRR@10 1/rank and Recall@10 0 or 1, each averaged over the questions.
# The ranking's weights (tracuu_rank_params) are not options of the client or the daemon; the
# extra arguments are passed as they are, for filters, sorting or the daemon's --split.
set -eu
CALLER=$(pwd)
cd "$(dirname "$0")/.."
DATA=../shared/data
BUILD=build
VERBOSE=0
DIRECT=0
CLIENT_ARGS=
SEARCHD_ARGS=
nl='
'
while [ $# -gt 0 ]; do
    case $1 in
    --data) [ $# -ge 2 ] || { echo "legal-qa-eval: --data needs a folder" >&2; exit 2; }
        DATA=$2; shift 2; case $DATA in /*) ;; *) DATA=$CALLER/$DATA ;; esac ;;
    --data=*) DATA=${1#--data=}; shift; case $DATA in /*) ;; *) DATA=$CALLER/$DATA ;; esac ;;
    --build) [ $# -ge 2 ] || { echo "legal-qa-eval: --build needs a folder" >&2; exit 2; }
        BUILD=$2; shift 2 ;;
    --build=*) BUILD=${1#--build=}; shift ;;
    --verbose|-v) VERBOSE=1; shift ;;
    --db-direct) DIRECT=1; shift ;;
    --client-arg) [ $# -ge 2 ] || { echo "legal-qa-eval: --client-arg needs a value" >&2; exit 2; }
        CLIENT_ARGS=$CLIENT_ARGS$2$nl; shift 2 ;;
    --client-arg=*) CLIENT_ARGS=$CLIENT_ARGS${1#--client-arg=}$nl; shift ;;
    --searchd-arg) [ $# -ge 2 ] || { echo "legal-qa-eval: --searchd-arg needs a value" >&2; exit 2; }
        SEARCHD_ARGS=$SEARCHD_ARGS$2$nl; shift 2 ;;
    --searchd-arg=*) SEARCHD_ARGS=$SEARCHD_ARGS${1#--searchd-arg=}$nl; shift ;;
    -h|--help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "legal-qa-eval: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

LAWS=$DATA/samples/docx_laws
QA=$LAWS/legal_QA.json
if [ ! -d "$DATA" ]; then
    echo "legal-qa-eval: data folder $DATA not found from $(pwd) (give it with --data DIR)" >&2
    exit 1
fi
if [ ! -f "$QA" ]; then
    echo "legal-qa-eval: $QA not found: $DATA is not the shared data folder (--data DIR)" >&2
    exit 1
fi
set -- "$LAWS"/*.docx
[ -f "$1" ] || { echo "legal-qa-eval: no .docx file in $LAWS" >&2; exit 1; }
INDEXER=$BUILD/indexer/tracuu-indexer
SEARCHD=$BUILD/searchd/tracuu-searchd
CLIENT=$BUILD/client/tracuu
for p in "$INDEXER" "$SEARCHD" "$CLIENT"; do
    [ -x "$p" ] || { echo "legal-qa-eval: $p is not built (ninja -C $BUILD)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tracuu-legal-qa.XXXXXX")
DPID=
cleanup() {
    if [ -n "$DPID" ]; then
        kill "$DPID" 2>/dev/null || true
        wait "$DPID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "$INDEXER" --db "$WORK/db" "$@" >"$WORK/indexer.out" 2>"$WORK/indexer.log"; then
    cat "$WORK/indexer.out" "$WORK/indexer.log" >&2
    echo "legal-qa-eval: tracuu-indexer failed" >&2
    exit 1
fi

if [ "$DIRECT" = 1 ]; then
    WHERE="--db=$WORK/db"
else
    SOCK=$WORK/searchd.sock
    # The extra daemon arguments are one a line; a value with a newline is not expected.
    old_ifs=$IFS; IFS=$nl
    # shellcheck disable=SC2086
    "$SEARCHD" --db "$WORK/db" --socket "$SOCK" $SEARCHD_ARGS 2>"$WORK/searchd.log" &
    DPID=$!
    IFS=$old_ifs
    i=0
    until [ -S "$SOCK" ] && "$CLIENT" ping --socket "$SOCK" >/dev/null 2>&1; do
        if ! kill -0 "$DPID" 2>/dev/null; then
            cat "$WORK/searchd.log" >&2
            DPID=
            echo "legal-qa-eval: tracuu-searchd did not start" >&2
            exit 1
        fi
        i=$((i + 1))
        [ $i -lt 300 ] || { echo "legal-qa-eval: tracuu-searchd does not answer" >&2; exit 1; }
        sleep 0.1
    done
    WHERE="--socket=$SOCK"
fi

/usr/bin/python3 - "$QA" "$CLIENT" "$WHERE" "$VERBOSE" "$CLIENT_ARGS" <<'PY'
import json, math, os, subprocess, sys, unicodedata

qa_path, client, where, verbose, client_args = sys.argv[1:6]
verbose = verbose == "1"
extra = [a for a in client_args.split("\n") if a]
K = 10

def fold(s):
    """NFD, combining marks dropped, đ/Đ to d/D, then NFC again."""
    s = s.replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", s)

def client_json(args):
    cmd = [client] + args[:1] + [where, "--json"] + args[1:]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("legal-qa-eval: %s failed: %s" % (" ".join(cmd), r.stderr.decode().strip()))
    answer = json.loads(r.stdout)
    if not answer.get("ok"):
        sys.exit("legal-qa-eval: engine error on %s: %s" % (" ".join(cmd), answer))
    return answer

def search(q, limit=K, options=()):
    return client_json(["search", "--limit", str(limit)] + list(options) + ["--", q])

def hit_file(h):
    base = os.path.basename(h.get("path", ""))
    return base[:-5] if base.endswith(".docx") else base

def relevant(h, want_file, want_article):
    return (h.get("kind") == "article" and h.get("article") == want_article
            and hit_file(h) == want_file)

questions = json.load(open(qa_path, encoding="utf-8"))["questions"]
stats = client_json(["stats"])
print("index: %d files, %d units, %d of them articles (%d files failed)" % (
    stats["files"], stats["docs"], stats["kinds"].get("article", 0), stats["files_failed"]))
modes = [("as written", lambda q: q), ("no diacritics", fold)]
ranks = {m: [] for m, _ in modes}
rows = []
for n, item in enumerate(questions, 1):
    gid = item["gid"]
    if not gid.startswith("dieu_"):
        sys.exit("legal-qa-eval: question %d: gid %r is not dieu_N" % (n, gid))
    want_article, want_file = gid[len("dieu_"):], item["file"]
    row = []
    for m, f in modes:
        q = "unit:article " + f(item["question"])
        hits = search(q, options=extra)["hits"]
        rank = next((i for i, h in enumerate(hits[:K], 1)
                     if relevant(h, want_file, want_article)), None)
        ranks[m].append(rank)
        row.append(rank)
        if verbose:
            print("%2d %s: %s" % (n, m, q))
            for i, h in enumerate(hits[:K], 1):
                mark = "*" if relevant(h, want_file, want_article) else " "
                print("   %s%2d %-22s Điều %-4s %7.2f  %s" % (
                    mark, i, hit_file(h), h.get("article", "?"), h.get("score", 0.0),
                    (h.get("heading") or h.get("title", ""))[:70]))
    rows.append((n, want_file, want_article, row, item["question"]))
    if verbose:
        for (m, f), rank in zip(modes, row):
            if rank is None:
                deep = search("unit:article " + f(item["question"]), limit=100, options=extra)
                at = next((i for i, h in enumerate(deep["hits"], 1)
                           if relevant(h, want_file, want_article)), None)
                print("   %s: Điều %s is %s" % (m, want_article, "not in the best 100"
                                               if at is None else "at rank %d" % at))
        print()

# The relevant article must exist as an article unit, or no ranking can find it.
units = {}
for n, want_file, want_article, _, _ in rows:
    hits = search("unit:article dieu:%s" % want_article, limit=100)["hits"]
    units[n] = any(relevant(h, want_file, want_article) for h in hits)

fmt = lambda r: "-" if r is None else str(r)
print("%2s  %-22s %5s  %10s  %13s  %s" % ("#", "file", "Điều", "as written", "no diacritics",
                                          "question"))
for n, want_file, want_article, row, question in rows:
    note = "" if units[n] else "  [Điều %s is not an article unit]" % want_article
    print("%2d  %-22s %5s  %10s  %13s  %s%s" % (n, want_file, want_article, fmt(row[0]),
                                                fmt(row[1]), question, note))
print()
print("%-14s %8s %7s %10s" % ("", "nDCG@10", "MRR@10", "Recall@10"))
for m, _ in modes:
    rs = ranks[m]
    ndcg = sum(1 / math.log2(r + 1) for r in rs if r) / len(rs)
    mrr = sum(1 / r for r in rs if r) / len(rs)
    rec = sum(1 for r in rs if r) / len(rs)
    print("%-14s %8.3f %7.3f %10.3f" % (m, ndcg, mrr, rec))
PY
