#!/bin/sh
# demo.sh - installs what is missing, builds, and shows tracuu at work on a sample.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/build.sh
echo '$ echo "Chỉ thị số 34/2008/CT-TTg về việc tăng cường sử dụng thư điện tử" | tracuu-tokenize'
echo "Chỉ thị số 34/2008/CT-TTg về việc tăng cường sử dụng thư điện tử" | build/tokenizer/tracuu-tokenize
