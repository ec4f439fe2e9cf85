#!/bin/sh
# test.sh - installs what is missing, builds into build/ and runs the whole test suite.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/build.sh
exec meson test -C build --print-errorlogs --num-processes 2 "$@"
