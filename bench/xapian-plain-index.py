#!/usr/bin/python3
# xapian-plain-index.py - the reference Xapian writer of the benchmarks: JSON lines into a plain index.
"""Indexes tracuu-indexer --from-jsonl's input with nothing but Xapian's own TermGenerator.

This is what "a plain Xapian indexer" means in issue 15 and bench/scale-bench.md: one writer,
one process, TermGenerator with positions on the title (also under the prefix S) and the text,
no stemmer, no folding of accents, no metadata terms beyond the document's id (a boolean Q term)
and the JSON line as document data (as tracuu keeps each document's fields and text). tracuu's import is measured against it, so it is kept as
simple as a first Xapian program would be, and not tuned.

Usage: /usr/bin/python3 bench/xapian-plain-index.py DOCS.jsonl DBDIR
Prints one line: "PLAIN docs=N seconds=S" (the time of the writing alone, Python start-up and
module loading left out).
"""
import json
import sys
import time

import xapian


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: xapian-plain-index.py DOCS.jsonl DBDIR")
    src, dbdir = sys.argv[1], sys.argv[2]
    t0 = time.monotonic()
    db = xapian.WritableDatabase(dbdir, xapian.DB_CREATE_OR_OPEN)
    tg = xapian.TermGenerator()
    n = 0
    with open(src, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            doc = xapian.Document()
            tg.set_document(doc)
            title = d.get("title", "")
            tg.index_text(title, 1, "S")
            tg.index_text(title)
            tg.increase_termpos()
            tg.index_text(d.get("text", ""))
            doc.add_boolean_term("Q" + d["id"])
            doc.set_data(line)
            db.replace_document("Q" + d["id"], doc)
            n += 1
    db.commit()
    db.close()
    print("PLAIN docs=%d seconds=%.3f" % (n, time.monotonic() - t0))


if __name__ == "__main__":
    main()
