#!/usr/bin/python3
# xapian-plain.py - the reference index: a plain Xapian writer over searchd-bench.py's documents.
"""Indexes docs.jsonl as a plain Xapian application would, for size and speed comparisons.

One writer, Xapian's TermGenerator with positions on the title (prefix S, then unprefixed) and
the text, no accent folding, the id as a boolean Q term, the JSON line as the document data.
This is issue 15's reference ("a plain Xapian writer"); tracuu's index is compared with it
after both are compacted (docs/architecture.md, "Index size").
"""
import argparse
import json
import time

import xapian


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", required=True, help="docs.jsonl from searchd-bench.py")
    ap.add_argument("--db", required=True)
    args = ap.parse_args()
    db = xapian.WritableDatabase(args.db, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    n = 0
    t0 = time.time()
    with open(args.docs, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            doc = xapian.Document()
            tg.set_document(doc)
            tg.index_text(d.get("title", ""), 1, "S")
            tg.index_text(d.get("title", ""))
            tg.increase_termpos()
            tg.index_text(d["text"])
            doc.set_data(line)
            doc.add_boolean_term("Q" + d["id"])
            db.replace_document("Q" + d["id"], doc)
            n += 1
    db.commit()
    db.close()
    dt = time.time() - t0
    print("xapian-plain: %d documents in %.1f s, %.0f documents/s" % (n, dt, n / dt))


if __name__ == "__main__":
    main()
