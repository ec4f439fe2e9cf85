#!/bin/sh
# build.sh - configures (once) and builds tracuu into build/.
set -eu
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
    meson setup build >/dev/null
fi
meson compile -C build >/dev/null || meson compile -C build
