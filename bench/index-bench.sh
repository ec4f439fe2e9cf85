#!/usr/bin/env bash
# index-bench.sh - indexes one corpus with tracuu-indexer and with recollindex; prints the ratio.
#
# Usage: bench/index-bench.sh [BUILD_DIR] (default: build). Environment:
#   BENCH_PDFS, BENCH_MAILS   corpus size (default 500 and 500; the issue asks for >= 500 PDFs)
#   BENCH_CORPUS              folder to keep the corpus in between runs (default: a temp folder)
#   BENCH_JOBS                --jobs for tracuu-indexer (default: its own default, the cores)
#
# The corpus: PDFs rendered with the project's renderer (corpus/tracuu-corpus-pdf) from the
# texts of ../shared/data/vbpl/docs.jsonl, cut into short documents (a header block and about
# one page of text each, as most official letters are), and mails written with Python's email
# package from other parts of the same texts (one in five with a PDF attachment). recoll runs
# with a private configuration (RECOLL_CONFDIR in a temp folder) over the same folder; both start
# from an empty index. The recoll side uses Debian's recoll as installed (pdftotext for PDFs).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
indexer="$build/indexer/tracuu-indexer"
render="$build/corpus/tracuu-corpus-pdf"
shared=${TRACUU_SHARED_DATA:-../shared/data}
npdf=${BENCH_PDFS:-500}
nmail=${BENCH_MAILS:-500}
for p in "$indexer" "$render"; do
    [ -x "$p" ] || { echo "index-bench: $p is not built (meson compile -C $build)" >&2; exit 2; }
done
command -v recollindex >/dev/null || { echo "index-bench: recollindex not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/tracuu-index-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
corpus=${BENCH_CORPUS:-$work/corpus}

if [ ! -f "$corpus/.complete-$npdf-$nmail" ]; then
    rm -rf "$corpus"
    mkdir -p "$corpus/pdf-src" "$corpus/archive/van-ban" "$corpus/archive/thu"
    echo "index-bench: making $npdf PDFs and $nmail mails in $corpus" >&2
    /usr/bin/python3 - "$shared/vbpl/docs.jsonl" "$corpus" "$npdf" "$nmail" <<'PY'
import json, os, sys, email.message, email.utils, email.policy
src, out, npdf, nmail = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
docs = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
# Short documents: the header lines of each text and then successive slices of its body.
pieces = []
for d in docs:
    lines = [l.strip() for l in d["text"].split("\n") if l.strip()]
    head, body = lines[:6], lines[6:]
    chunk, size = [], 0
    for l in body:
        chunk.append(l); size += len(l)
        if size > 1200:
            pieces.append((d, head, chunk)); chunk, size = [], 0
    if chunk:
        pieces.append((d, head, chunk))
pieces.sort(key=lambda p: (len(p[2]) == 0, p[0]["id"]))
need = npdf + nmail
if len(pieces) < need:
    pieces = (pieces * (need // len(pieces) + 1))[:need]
for i in range(npdf):
    d, head, body = pieces[i * len(pieces) // need]
    with open(os.path.join(out, "pdf-src", "vb-%04d.txt" % i), "w", encoding="utf-8") as f:
        for j, l in enumerate(head):
            f.write(("@L " if j in (0, 3) else "@R " if j in (1, 2, 4) else "@C ") + l + "\n")
        f.write("\n".join(body) + "\n")
for i in range(nmail):
    d, head, body = pieces[(npdf + i) * len(pieces) // need]
    m = email.message.EmailMessage(policy=email.policy.SMTP)
    m["From"] = email.utils.formataddr(("Văn thư %d" % (i % 7), "vanthu%d@tinh.gov.vn" % (i % 7)))
    m["To"] = "Phòng Tổng hợp <tonghop@tinh.gov.vn>"
    m["Subject"] = ("V/v " + d["title"])[:120]
    m["Date"] = email.utils.format_datetime(
        email.utils.parsedate_to_datetime("Mon, 1 Mar 2021 08:00:00 +0700").replace(day=1 + i % 28))
    m["Message-ID"] = "<bench-%d@tinh.gov.vn>" % i
    m.set_content("Kính gửi Phòng Tổng hợp,\n\n" + "\n".join(head + body) + "\n")
    if i % 5 == 0:
        m.add_attachment(open(os.path.join(out, "pdf-src", "vb-%04d.txt" % (i % npdf)), "rb").read()
                         .decode("utf-8").replace("@L ", "").replace("@R ", "").replace("@C ", ""),
                         filename="phu-luc-%d.txt" % i)
    with open(os.path.join(out, "archive", "thu", "thu-%04d.eml" % i), "wb") as f:
        f.write(m.as_bytes())
PY
    for t in "$corpus"/pdf-src/*.txt; do
        b=$(basename "$t" .txt)
        "$render" "$t" "$corpus/archive/van-ban/$b.pdf"
    done
    touch "$corpus/.complete-$npdf-$nmail"
fi
archive="$corpus/archive"
echo "index-bench: corpus: $(find "$archive" -name '*.pdf' | wc -l) PDFs," \
    "$(find "$archive" -name '*.eml' | wc -l) mails, $(du -sh "$archive" | cut -f1)" >&2

# Warm the page cache for both alike.
cat "$archive"/*/* >/dev/null

jobs=()
[ -n "${BENCH_JOBS:-}" ] && jobs=(--jobs "$BENCH_JOBS")
mkdir -p "$work/recoll"
cat >"$work/recoll/recoll.conf" <<EOF
topdirs = $archive
loglevel = 1
idxflushmb = 50
EOF

# One Python runs the three commands in turn and measures each one's wall-clock time and the CPU
# time of it and its children (the indexer's workers, recoll's filters), which on a shared
# machine says more than the wall clock alone.
/usr/bin/python3 - "$work" "$indexer" "$archive" "${jobs[@]}" <<'PY'
import json, os, resource, subprocess, sys, time
import xapian
work, indexer, archive, jobs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

def run(cmd, env=None, out=subprocess.DEVNULL):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode not in (0, 1):
        sys.stderr.write("index-bench: %s exited with %d: %s\n" % (cmd[0], p.returncode,
                         p.stderr.decode(errors="replace")[-500:]))
    return wall, cpu, p

db = os.path.join(work, "tracuu-db")
t_wall, t_cpu, p = run([indexer, "--db", db, "--quiet", "--json"] + jobs + [archive],
                       out=subprocess.PIPE)
summary = json.loads(p.stdout)
u_wall, u_cpu, _ = run([indexer, "--db", db, "--quiet"] + jobs + [archive])
env = dict(os.environ, RECOLL_CONFDIR=os.path.join(work, "recoll"))
r_wall, r_cpu, _ = run(["recollindex", "-z"], env=env)
try:
    r_docs = xapian.Database(os.path.join(work, "recoll", "xapiandb")).get_doccount()
except Exception:
    r_docs = "?"
print("tracuu-indexer: %.2f s wall, %.2f s CPU (%d files, %d documents, %d failed)"
      % (t_wall, t_cpu, summary["seen"], summary["documents"], summary["failed"]))
print("recollindex:    %.2f s wall, %.2f s CPU (%s documents)" % (r_wall, r_cpu, r_docs))
print("ratio:          tracuu-indexer is %.2f times as fast as recollindex (target: 4);"
      " it uses %.2f times less CPU" % (r_wall / t_wall, r_cpu / t_cpu))
print("second run:     %.3f s, %.0f times faster than the first (target: 20)"
      % (u_wall, t_wall / u_wall))
print("load average:   %.2f %.2f %.2f (2 cores: above 2, other work shares the machine)"
      % os.getloadavg())
PY
