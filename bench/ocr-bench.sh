#!/bin/sh
# ocr-bench.sh - OCR quality of tracuu on the vbpl texts rendered to pages (see ocr-bench.md).
# Usage: bench/ocr-bench.sh [BUILD] [ocr-eval options...]   (BUILD: build/ by default)
# One Tesseract thread (OMP_THREAD_LIMIT=1), as the indexer's workers run it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ $# -gt 0 ] && shift
data=${TRACUU_SHARED_DATA:-$root/../shared/data}/vbpl/docs.jsonl
if [ ! -r "$data" ]; then
    echo "ocr-bench: no $data (set TRACUU_SHARED_DATA to the shared data folder)" >&2
    exit 1
fi
meson compile -C "$build" bench/ocr-eval corpus/tracuu-corpus-pdf >/dev/null
start=$(date +%s)
OMP_THREAD_LIMIT=1 "$build/bench/ocr-eval" "$@" "$data"
echo "ocr-bench: $(($(date +%s) - start)) s"
