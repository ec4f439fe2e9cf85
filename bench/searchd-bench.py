#!/usr/bin/python3
# searchd-bench.py - makes the searchd benchmark's documents, queries and SQLite FTS5 index.
"""Grows ../shared/data (vbpl full texts and ALQAC law articles) into N documents.

The texts are split into passages (paragraphs) and each document is a fresh combination of
3 to 8 passages under a real title, with a number, type and date, so that term statistics look
like a real archive rather than N copies of the same few hundred documents. Queries are runs of
2 to 4 consecutive words taken from the passages, with their accents, as a user would type them.

Writes into OUT: docs.jsonl (tracuu-indexer --from-jsonl input), queries.txt (one per line) and
fts5.db (the same documents in SQLite FTS5, tokenize="unicode61 remove_diacritics 2").
Files already there are kept, so that runs after the first start at once.
"""
import argparse
import json
import os
import random
import re
import sqlite3
import sys

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
TYPES = ["Nghị định", "Thông tư", "Quyết định", "Chỉ thị", "Công văn", "Nghị quyết", "Luật",
         "Thông báo", "Kế hoạch", "Báo cáo"]
SUFFIX = {"Nghị định": "NĐ-CP", "Thông tư": "TT-BTC", "Quyết định": "QĐ-TTg",
          "Chỉ thị": "CT-TTg", "Công văn": "UBND-VP", "Nghị quyết": "NQ-CP", "Luật": "QH15",
          "Thông báo": "TB-VPCP", "Kế hoạch": "KH-UBND", "Báo cáo": "BC-BNV"}


def load_passages(data):
    passages, titles = [], []
    with open(os.path.join(data, "vbpl", "docs.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            titles.append(d["title"])
            for p in d["text"].split("\n"):
                p = p.strip()
                if len(p) >= 60:
                    passages.append(p[:1500])
    with open(os.path.join(data, "alqac", "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            titles.append(d["title"])
            for p in d["text"].split("\n"):
                p = p.strip()
                if len(p) >= 60:
                    passages.append(p[:1500])
    return passages, titles


def make_docs(path, n, passages, titles, rng):
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        for i in range(n):
            doc_type = rng.choice(TYPES)
            year = rng.randint(2000, 2025)
            k = rng.randint(3, 8)
            text = "\n".join(rng.choice(passages) for _ in range(k))
            doc = {
                "id": "b%06d" % i,
                "title": rng.choice(titles),
                "doc_type": doc_type,
                "number": "%d/%d/%s" % (rng.randint(1, 2999), year, SUFFIX[doc_type]),
                "date": "%04d-%02d-%02d" % (year, rng.randint(1, 12), rng.randint(1, 28)),
                "text": text,
            }
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    os.replace(path + ".tmp", path)


def make_queries(path, count, passages, rng):
    queries = []
    while len(queries) < count:
        words = [w for w in WORD.findall(rng.choice(passages)) if len(w) >= 2]
        k = rng.randint(2, 4)
        if len(words) < k:
            continue
        start = rng.randrange(0, len(words) - k + 1)
        q = " ".join(w.lower() for w in words[start:start + k])
        queries.append(q)
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(queries) + "\n")


def make_fts5(path, docs):
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    db = sqlite3.connect(tmp)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute('CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, '
               'tokenize="unicode61 remove_diacritics 2")')
    with open(docs, encoding="utf-8") as f:
        batch = []
        for line in f:
            d = json.loads(line)
            batch.append((d["id"], d["title"], d["text"]))
            if len(batch) == 5000:
                db.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch)
                batch = []
        db.executemany("INSERT INTO docs VALUES (?, ?, ?)", batch)
    db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.commit()
    db.close()
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                   "shared", "data"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--no-fts5", action="store_true",
                    help="documents and queries only (bench/http-bench.sh has no FTS5)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    docs = os.path.join(args.out, "docs.jsonl")
    queries = os.path.join(args.out, "queries.txt")
    # The texts are read only when something is made from them, so that a run that finds the
    # documents and queries made times only the FTS5 build (bench/scale-bench.sh does that).
    if not os.path.exists(docs) or not os.path.exists(queries):
        passages, titles = load_passages(args.data)
    if not os.path.exists(docs):
        print("searchd-bench: writing %d documents from %d passages" % (args.docs, len(passages)),
              file=sys.stderr)
        make_docs(docs, args.docs, passages, titles, rng)
    if not os.path.exists(queries):
        make_queries(queries, args.queries, passages, random.Random(args.seed + 1))
    fts = os.path.join(args.out, "fts5.db")
    if not args.no_fts5 and not os.path.exists(fts):
        print("searchd-bench: building the FTS5 index", file=sys.stderr)
        make_fts5(fts, docs)


if __name__ == "__main__":
    main()
