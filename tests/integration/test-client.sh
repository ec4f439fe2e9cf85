#!/usr/bin/env bash
# test-client.sh - the tracuu client's output and exit codes, with --db and through a daemon (TAP).
set -u
# The client must not depend on the locale for UTF-8 arguments.
export LC_ALL=C
BUILD=${TRACUU_BUILD_ROOT:?run by meson test}
TRACUU=$BUILD/client/tracuu
SEARCHD=$BUILD/searchd/tracuu-searchd
INDEXER=$BUILD/indexer/tracuu-indexer
PY=/usr/bin/python3

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check NAME COMMAND...: passes when the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "output: $(head -c 600 "$tmp/out")" "stderr: $(head -c 600 "$tmp/err")"; fi; }

tmp=$(mktemp -d /tmp/tracuu-client-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

echo "1..70"

# An index of four known documents.
cat >"$tmp/docs.jsonl" <<'EOF'
{"id":"ct34","title":"Về việc tăng cường sử dụng hệ thống thư điện tử trong hoạt động của cơ quan nhà nước","number":"34/2008/CT-TTg","doc_type":"Chỉ thị","issuer":"Thủ tướng Chính phủ","date":"2008-12-03","text":"Chỉ thị về việc tăng cường sử dụng hệ thống thư điện tử trong hoạt động của cơ quan nhà nước. Các bộ, ngành sử dụng thư điện tử & hộp thư công vụ."}
{"id":"tt25","title":"Hướng dẫn sử dụng hệ thống thư điện tử công vụ","number":"25/2010/TT-BTTTT","doc_type":"Thông tư","issuer":"Bộ Thông tin và Truyền thông","date":"2010-11-15","text":"Thông tư hướng dẫn sử dụng thư điện tử công vụ. Căn cứ Chỉ thị số 34/2008/CT-TTg."}
{"id":"nd30","title":"Về công tác văn thư","number":"30/2020/NĐ-CP","doc_type":"Nghị định","issuer":"Chính phủ","date":"2020-03-05","text":"Nghị định quy định về công tác văn thư và thể thức văn bản hành chính."}
{"id":"cv3456","title":"V/v khắc phục hậu quả cơn bão số 3","number":"3456/UBND-NLN","doc_type":"Công văn","issuer":"UBND tỉnh Quảng Ninh","date":"2024-09-10","text":"Khắc phục hậu quả cơn bão số 3 (bão Yagi) và thư điện tử báo cáo."}
EOF
if "$INDEXER" --db "$tmp/db" --from-jsonl "$tmp/docs.jsonl" -q >"$tmp/out" 2>"$tmp/err"; then
    ok "index built with tracuu-indexer --from-jsonl"
else
    not_ok "index built with tracuu-indexer --from-jsonl" "$(cat "$tmp/err")"
fi

# Usage errors exit 2.
"$TRACUU" >"$tmp/out" 2>"$tmp/err"; st=$?
check "no command: exit 2" test $st -eq 2
"$TRACUU" frobnicate >"$tmp/out" 2>"$tmp/err"; st=$?
check "unknown command: exit 2 and says so" eval 'test $st -eq 2 && grep -q "unknown command" "$tmp/err"'
"$TRACUU" search --db "$tmp/db" >"$tmp/out" 2>"$tmp/err"; st=$?
check "search without a query: exit 2" eval 'test $st -eq 2 && grep -q "needs a query" "$tmp/err"'
"$TRACUU" search --db "$tmp/db" --socket "$tmp/s" thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "--db with --socket: exit 2" test $st -eq 2
"$TRACUU" search --db "$tmp/db" --limt 3 thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "misspelt long option: exit 2" eval 'test $st -eq 2 && grep -q -- "--limt" "$tmp/err"'
"$TRACUU" --help >"$tmp/out" 2>"$tmp/err"; st=$?
check "--help: exit 0, lists the commands" eval 'test $st -eq 0 && grep -q "search QUERY" "$tmp/out" && grep -q "stats" "$tmp/out"'
"$TRACUU" search --help >"$tmp/out" 2>"$tmp/err"; st=$?
check "search --help: exit 0, search's options, its Vietnamese intact under LC_ALL=C" eval \
    'test $st -eq 0 && grep -q "^  tracuu search \[OPTION…\] QUERY…$" "$tmp/out" &&
     grep -q -- "-n, --limit=N" "$tmp/out" && grep -q -- "--facets=NAMES" "$tmp/out" &&
     grep -q "\"thư -rác\" excludes" "$tmp/out"'
"$TRACUU" get -h >"$tmp/out" 2>"$tmp/err"; st=$?
check "get -h: exit 0, get's usage without search's options" eval \
    'test $st -eq 0 && grep -q "^  tracuu get \[OPTION…\] ID$" "$tmp/out" && ! grep -q -- "--limit" "$tmp/out"'

# Searching the index directly.
"$TRACUU" search --db "$tmp/db" 34/2008/CT-TTg >"$tmp/out" 2>"$tmp/err"; st=$?
check "search --db: exit 0" test $st -eq 0
check "first hit: number, type, date and title" eval \
    'sed -n 3p "$tmp/out" | grep -q "1\. Chỉ thị · 2008-12-03 · 34/2008/CT-TTg" &&
     sed -n 4p "$tmp/out" | grep -q "Về việc tăng cường sử dụng hệ thống thư điện tử"'
check "the citing document comes next" eval 'grep -q "2\. Thông tư · 2010-11-15 · 25/2010/TT-BTTTT" "$tmp/out"'
check "count line" eval 'head -1 "$tmp/out" | grep -Eq "^2 results \([0-9.]+ ms\), showing 1-2$"'

"$TRACUU" search --db "$tmp/db" thư điện tử >"$tmp/out" 2>"$tmp/err"
check "not a terminal: matches in [brackets], no escape codes" eval \
    'grep -q "\[thư\] \[điện\] \[tử\]" "$tmp/out" && ! grep -q $'"'"'\033'"'"' "$tmp/out"'
check "snippet HTML entities decoded" eval 'grep -q "\[thư\] \[điện\] \[tử\] & hộp" "$tmp/out" && ! grep -q "&amp;" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --color always thư điện tử >"$tmp/out" 2>"$tmp/err"
check "--color always: matches in inverse bold" eval 'grep -q $'"'"'\033\[1;7mthư\033\[0m'"'"' "$tmp/out"'

"$TRACUU" search --db "$tmp/db" --json thư điện tử >"$tmp/out" 2>"$tmp/err"; st=$?
check "--json: the protocol's answer" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert r[\"ok\"] and r[\"total\"]==3 and len(r[\"hits\"])==3
assert \"<mark>\" in r[\"hits\"][0][\"snippet\"]" "$tmp/out"'

"$TRACUU" search --db "$tmp/db" --limit 1 thư điện tử >"$tmp/out" 2>"$tmp/err"
check "--limit 1: one hit" eval 'test "$(grep -c "^ *[0-9]*\. " "$tmp/out")" -eq 1 && head -1 "$tmp/out" | grep -q "showing 1-1"'
"$TRACUU" search --db "$tmp/db" --sort -date --json thư >"$tmp/out" 2>"$tmp/err"
check "--sort -date: newest first" eval '$PY -c "
import json,sys; d=[h[\"date\"] for h in json.load(open(sys.argv[1]))[\"hits\"]]; assert d==sorted(d,reverse=True) and len(d)==4, d" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --json thư điện tử -công >"$tmp/out" 2>"$tmp/err"; st=$?
check "a word starting with - is a query word (exclusion)" eval '$PY -c "
import json,sys; r=json.load(open(sys.argv[1])); ids=[h[\"id\"] for h in r[\"hits\"]]; assert ids==[\"cv3456\"], ids" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --json --filters '{"type":"Thông tư"}' thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "--filters with Vietnamese, even under LANG=C" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert [h[\"id\"] for h in r[\"hits\"]]==[\"tt25\"]" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" xylophon >"$tmp/out" 2>"$tmp/err"; st=$?
check "no hits: exit 0, says 0 results" eval 'test $st -eq 0 && grep -q "^0 results" "$tmp/out"'
# Did you mean: the accents the archive gives, a number it has; none for a query typed right.
"$TRACUU" search --db "$tmp/db" thu dien tu cong vu >"$tmp/out" 2>"$tmp/err"; st=$?
check "accent-free query: the accented reading, under the count line" eval \
    'test $st -eq 0 && sed -n 2p "$tmp/out" | grep -qx "Did you mean: thư điện tử công vụ"'
"$TRACUU" search --db "$tmp/db" so:30/2021/NĐ-CP >"$tmp/out" 2>"$tmp/err"; st=$?
check "a number with a wrong digit: the archive's, the field name kept" eval \
    'test $st -eq 0 && grep -q "^0 results" "$tmp/out" && grep -qx "Did you mean: so:30/2020/NĐ-CP" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" thư điện tử công vụ >"$tmp/out" 2>"$tmp/err"; st=$?
check "typed right: no suggestion" eval 'test $st -eq 0 && ! grep -q "Did you mean" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" date:2008-13-45 >"$tmp/out" 2>"$tmp/err"; st=$?
check "bad query: exit 1 with the code" eval 'test $st -eq 1 && grep -q "bad_query" "$tmp/err"'
"$TRACUU" search --db "$tmp/nowhere" thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "missing index: exit 1" test $st -eq 1

"$TRACUU" get --db "$tmp/db" nd30 >"$tmp/out" 2>"$tmp/err"; st=$?
check "get: fields then text" eval 'test $st -eq 0 && grep -q "^number: 30/2020/NĐ-CP$" "$tmp/out" &&
    grep -q "^doc_type: Nghị định$" "$tmp/out" && tail -1 "$tmp/out" | grep -q "thể thức văn bản hành chính"'
"$TRACUU" get --db "$tmp/db" nosuch >"$tmp/out" 2>"$tmp/err"; st=$?
check "get of an unknown id: exit 1, not_found" eval 'test $st -eq 1 && grep -q "not_found" "$tmp/err"'
# get --article N: that article (a unit "ID#dieu-N") alone, from an index of one law.
printf '%s\n' '{"id":"lt","number":"99/2099/QH99","doc_type":"Luật","text":"LUẬT THỬ\nChương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\nLuật này quy định về thử nghiệm.\nĐiều 2. Đối tượng áp dụng\nLuật này áp dụng đối với cơ quan lưu trữ."}' >"$tmp/law.jsonl"
"$INDEXER" --db "$tmp/law-db" --from-jsonl "$tmp/law.jsonl" -q >"$tmp/out" 2>"$tmp/err"
"$TRACUU" get --db "$tmp/law-db" --article 2 lt >"$tmp/out" 2>"$tmp/err"; st=$?
check "get --article 2: that article alone" eval 'test $st -eq 0 && grep -q "^article: 2$" "$tmp/out" &&
    grep -q "^parent: lt$" "$tmp/out" && grep -q "cơ quan lưu trữ" "$tmp/out" && ! grep -q "thử nghiệm" "$tmp/out"'
"$TRACUU" get --db "$tmp/law-db" lt --article=9 >"$tmp/out" 2>"$tmp/err"; st=$?
check "get --article 9 (none): exit 1, not_found" eval 'test $st -eq 1 && grep -q "not_found" "$tmp/err"'
"$TRACUU" get --db "$tmp/law-db" --article "1#x" lt >"$tmp/out" 2>"$tmp/err"; st=$?
check "get --article with a #: exit 2" eval 'test $st -eq 2 && grep -q -- "--article" "$tmp/err"'
"$TRACUU" search --db "$tmp/law-db" --article 1 luật >"$tmp/out" 2>"$tmp/err"; st=$?
check "search --article: get's option refused" eval 'test $st -eq 2 && grep -q -- "--article" "$tmp/err"'
"$TRACUU" stats --db "$tmp/db" >"$tmp/out" 2>"$tmp/err"; st=$?
check "stats: document count" eval 'test $st -eq 0 && grep -q "^docs: 4$" "$tmp/out"'
"$TRACUU" --db "$tmp/db" stats >"$tmp/out" 2>"$tmp/err"; st=$?
check "options before the command" eval 'test $st -eq 0 && grep -q "^docs: 4$" "$tmp/out"'
"$TRACUU" --db "$tmp/db" --limit 1 search thư điện tử >"$tmp/out" 2>"$tmp/err"; st=$?
check "search options before the command" eval 'test $st -eq 0 && head -1 "$tmp/out" | grep -q "showing 1-1"'

# Option values in every form GOption reads, and attached to short options as GNU tools read
# them; "thư" matches the four documents. A word starting with '-' that is not options stays a
# query word (exclusion), also when it starts with an option's letter.
hits() { grep -c "^ *[0-9]*\. " "$tmp/out"; }
for form in "-n3" "-n 3" "--limit=3" "--limit 3"; do
    # shellcheck disable=SC2086 # the form is split on purpose
    "$TRACUU" search --db "$tmp/db" $form thư >"$tmp/out" 2>"$tmp/err"; st=$?
    check "$form: three hits" eval 'test $st -eq 0 && test "$(hits)" -eq 3 && head -1 "$tmp/out" | grep -q "showing 1-3$"'
done
"$TRACUU" search --db "$tmp/db" -n0 thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "-n0: the count, no hits" eval 'test $st -eq 0 && test "$(hits)" -eq 0 && grep -q "^4 results" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" -jn2 thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "-jn2: a flag and an attached value in one word" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert len(r[\"hits\"])==2, r" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" -jn 2 thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "-jn 2: a flag and a value in the next word" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert len(r[\"hits\"])==2, r" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" thư -n1 --offset=1 >"$tmp/out" 2>"$tmp/err"; st=$?
check "options after the query: -n1 --offset=1" eval 'test $st -eq 0 && test "$(hits)" -eq 1 && head -1 "$tmp/out" | grep -q "showing 2-2$"'
"$TRACUU" -n2 -d"$tmp/db" search thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "attached values before the command (-n2 -dDIR)" eval 'test $st -eq 0 && test "$(hits)" -eq 2'
"$TRACUU" search -d"$tmp/db" -j -f'{"type":"Thông tư"}' thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "-dDIR and -fJSON attached" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert [h[\"id\"] for h in r[\"hits\"]]==[\"tt25\"], r" "$tmp/out"'
"$TRACUU" get -jd"$tmp/db" nd30 >"$tmp/out" 2>"$tmp/err"; st=$?
check "get -jdDIR: a cluster for get" eval 'test $st -eq 0 && grep -q "\"number\":\"30/2020/NĐ-CP\"" "$tmp/out"'
"$TRACUU" get --db "$tmp/db" -n3 nd30 >"$tmp/out" 2>"$tmp/err"; st=$?
check "get -n3: search's option refused by name" eval 'test $st -eq 2 && grep -q -- "--limit" "$tmp/err"'
"$TRACUU" search --db "$tmp/db" -n=3 thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "-n=3: refused, says how to write it" eval 'test $st -eq 2 && grep -q -- "-n3" "$tmp/err"'
"$TRACUU" search --db "$tmp/db" --json=yes thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "--json=yes: refused, --json takes no value" eval 'test $st -eq 2 && grep -q -- "--json" "$tmp/err"'
"$TRACUU" search --db "$tmp/db" --json -- thư -n3 >"$tmp/out" 2>"$tmp/err"; st=$?
check "after --, -n3 is a query word" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert len(r[\"hits\"])==4, r" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --json thu -so -dinh >"$tmp/out" 2>"$tmp/err"; st=$?
check "-so and -dinh are exclusions, not -s and -d" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); ids=[h[\"id\"] for h in r[\"hits\"]]; assert ids==[\"ct34\"], ids" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --json thư -nghị -hướng >"$tmp/out" 2>"$tmp/err"; st=$?
check "-nghị and -hướng are exclusions, not -n and -h" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); ids=sorted(h[\"id\"] for h in r[\"hits\"]); assert ids==[\"ct34\",\"cv3456\"], ids" "$tmp/out"'

# Facets: counts after the hits, and in --json.
"$TRACUU" search --db "$tmp/db" --facets doc_type,year thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "--facets: counts by type and year after the hits" eval 'test $st -eq 0 &&
    grep -qx "loại văn bản (doc_type): Chỉ thị (1), Công văn (1), Nghị định (1), Thông tư (1)" "$tmp/out" &&
    grep -qx "năm (year): 2008 (1), 2010 (1), 2020 (1), 2024 (1)" "$tmp/out" &&
    test "$(grep -n "^loại văn bản" "$tmp/out" | cut -d: -f1)" -gt "$(grep -n "id: " "$tmp/out" | tail -1 | cut -d: -f1)"'
"$TRACUU" search --db "$tmp/db" -n0 --facets issuer --facets kind thư -số >"$tmp/out" 2>"$tmp/err"; st=$?
check "-n0 with two --facets: counts only" eval 'test $st -eq 0 && test "$(hits)" -eq 0 &&
    grep -qx "cơ quan ban hành (issuer): Chính phủ (1), Thủ tướng Chính phủ (1)" "$tmp/out" &&
    grep -qx "loại tệp (kind): json (2)" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --json --facets doc_type,kind thư điện tử >"$tmp/out" 2>"$tmp/err"; st=$?
check "--facets with --json: the protocol's facets" eval 'test $st -eq 0 && $PY -c "
import json,sys; f=json.load(open(sys.argv[1]))[\"facets\"]
assert f=={\"doc_type\":{\"Chỉ thị\":1,\"Công văn\":1,\"Thông tư\":1},\"kind\":{\"json\":3}}, f" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" --facets doc_type,yaer thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "an unknown facet: exit 1 with the engine's bad_request" eval \
    'test $st -eq 1 && grep -q "bad_request" "$tmp/err" && grep -q "facets\[1\]" "$tmp/err"'

# The PDF page of a hit: the number cited only on page 2 of this Nghị định.
if "$INDEXER" --db "$tmp/pdfdb" -q "${TRACUU_SOURCE_ROOT:?}/corpus/archive/van-ban/nd-30-2020.pdf" \
    >"$tmp/out" 2>"$tmp/err"; then
    ok "a two-page PDF indexed"
else
    not_ok "a two-page PDF indexed" "$(cat "$tmp/err")"
fi
"$TRACUU" search --db "$tmp/pdfdb" 110/2004/NĐ-CP >"$tmp/out" 2>"$tmp/err"; st=$?
check "a PDF hit shows its page: tr. 2" eval 'test $st -eq 0 && grep -q "^     id: [0-9a-f]*  .*nd-30-2020\.pdf  tr\. 2$" "$tmp/out"'
"$TRACUU" search --db "$tmp/db" thư >"$tmp/out" 2>"$tmp/err"
check "hits without pages show none" eval '! grep -q "tr\. " "$tmp/out"'

# Through a daemon: the same answers.
"$TRACUU" search --socket "$tmp/none.sock" thư >"$tmp/out" 2>"$tmp/err"; st=$?
check "no daemon: exit 1, says it cannot reach it" eval 'test $st -eq 1 && grep -q "cannot reach" "$tmp/err"'
# Document numbers in any dash style, case, width or look-alike letters find their document first
# (issue 8: "34/2008/ct - ttg" gave 23 hits without the Chỉ thị in the top 3).
first_id() { $PY -c "import json,sys; h=json.load(open(sys.argv[1]))['hits']; print(h[0]['id'] if h else '')" "$tmp/out"; }
for q in '34/2008/ct - ttg' '34-2008-CT-TTg' '３４／２００８／ＣＴ－ＴＴｇ' '25/2010/ТT-BTTTT'; do
    "$TRACUU" search --db "$tmp/db" --json "$q" >"$tmp/out" 2>"$tmp/err"
    want=ct34; case $q in 25*) want=tt25 ;; esac
    check "number written '$q' finds $want first" test "$(first_id)" = $want
done

"$SEARCHD" --db "$tmp/db" --socket "$tmp/s.sock" 2>"$tmp/searchd.log" &
pid=$!
for _ in $(seq 100); do [ -S "$tmp/s.sock" ] && break; sleep 0.1; done
"$TRACUU" ping --socket "$tmp/s.sock" >"$tmp/out" 2>"$tmp/err"; st=$?
check "ping through the daemon" eval 'test $st -eq 0 && grep -qx ok "$tmp/out"'
"$TRACUU" search --socket "$tmp/s.sock" --facets doc_type,year thư điện tử >"$tmp/out" 2>"$tmp/err"
"$TRACUU" search --db "$tmp/db" --facets doc_type,year thư điện tử >"$tmp/out2" 2>>"$tmp/err"
check "daemon and --db print the same hits and facets" eval 'grep -q "^năm (year): " "$tmp/out" && diff <(tail -n +2 "$tmp/out") <(tail -n +2 "$tmp/out2") >/dev/null'
TRACUU_SOCKET="$tmp/s.sock" "$TRACUU" get nd30 >"$tmp/out" 2>"$tmp/err"; st=$?
check "TRACUU_SOCKET names the daemon" eval 'test $st -eq 0 && grep -q "^number: 30/2020/NĐ-CP$" "$tmp/out"'
"$TRACUU" search --socket "$tmp/s.sock" --json cong tac van thuu >"$tmp/out" 2>"$tmp/err"; st=$?
check "through the daemon: a misspelled word corrected in \"suggest\"" eval 'test $st -eq 0 && $PY -c "
import json,sys; r=json.load(open(sys.argv[1])); assert r[\"suggest\"]==\"công tác văn thư\", r.get(\"suggest\")" "$tmp/out"'
"$TRACUU" get --socket "$tmp/s.sock" --json nosuch >"$tmp/out" 2>"$tmp/err"; st=$?
check "an error answer through the daemon: exit 1, JSON printed with --json" eval \
    'test $st -eq 1 && grep -q "\"code\":\"not_found\"" "$tmp/out"'

exit $((failed > 0))
