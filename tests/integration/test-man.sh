#!/usr/bin/env bash
# test-man.sh - each man page the build makes shows with man -l and no warning from groff (TAP).
# Skipped without man (package man-db) and groff (groff-base).
set -u
BUILD=${TRACUU_BUILD_ROOT:?run by meson test}
if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
    echo "1..0 # SKIP man or groff not installed (packages man-db, groff-base)"
    exit 0
fi
pages="tracuu.1 tracuu-indexer.1 tracuu-searchd.8 tracuu.conf.5"
echo "1..$(($(echo $pages | wc -w) * 2))"
n=0 failed=0
for p in $pages; do
    f=$BUILD/man/$p
    n=$((n + 1))
    # -ww: every groff warning; a page that does not parse or does not fit the width says so.
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >"$f.txt"); st=$?
    if [ $st -eq 0 ] && [ -z "$out" ] && [ -s "$f.txt" ]; then
        echo "ok $n - $p: man -l, no warning"
    else
        failed=$((failed + 1)); echo "not ok $n - $p: man -l"; printf '%s\n' "$out" | head -20 | sed 's/^/# /'
    fi
    n=$((n + 1))
    # The page is the whole document: its name line and its last section.
    name=${p%.*}
    if grep -q "^NAME" "$f.txt" && grep -Eq "^       $name +- " "$f.txt" && grep -q "^SEE ALSO" "$f.txt"; then
        echo "ok $n - $p: NAME ($name - ...) and SEE ALSO"
    else
        failed=$((failed + 1)); echo "not ok $n - $p: NAME or SEE ALSO missing"
    fi
    rm -f "$f.txt"
done
[ "$failed" -eq 0 ]
