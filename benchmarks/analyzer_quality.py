"""Retrieval quality and speed of the French analyzer against its peers.

Runs on the spf set (/work/shared/eval/spf, see its README): every page is
indexed, every question is run as an OR-query of its analyzed words, and the
page that answers it is looked for in the top 10. Printed side by side:

* resosearch — ``text_analyzer()`` on the stemmed field and
  ``exact_analyzer()`` on the exact field (the product's two fields), the
  question reduced by ``question_groups()`` (the product's free-text query
  helper), each position one OR of its alternatives, Whoosh BM25F;
* Whoosh ``StandardAnalyzer`` and ``LanguageAnalyzer("fr")``, BM25F defaults;
* tantivy: simple tokenizer, lowercase, French stop words, ascii fold,
  Snowball French, BM25;
* SQLite FTS5 with ``unicode61 remove_diacritics 2``, bm25().

Tuning (BM25F parameters, the exact-field weight, the question words, the
analyzer variants) was done on the odd-numbered questions only (q001, q003,
…; ``--tune`` prints the BM25F grid); the table reports the odd half, the
even half and all questions. Two ablation rows separate what the analyzer
does from what the query side and BM25F tuning do: our analyzer with the
peers' query side (every word, BM25F defaults), and Whoosh's
``LanguageAnalyzer("fr")`` with our query side and BM25F. The last column
runs the same questions typed without accents or capitals
(``unidecode(question).lower()``), as people type them.

Usage::

    /work/venv/bin/python benchmarks/analyzer_quality.py [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from unidecode import unidecode
from whoosh import fields, query
from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
from whoosh.index import create_in
from whoosh.scoring import BM25F

from resosearch.analysis import (
    clear_caches,
    exact_analyzer,
    query_groups,
    question_groups,
    strip_question_words,
    text_analyzer,
)

DATA = Path("/work/shared/eval/spf")
K = 10

# Chosen on the odd-numbered questions only (`--tune` prints that grid): a
# slower term-frequency saturation (K1) helps most; the exact field, added to
# the stemmed one, did not help and is left out (weight 0).
OUR_B = 0.9
OUR_K1 = 3.0
EXACT_WEIGHT = 0.0

Ranker = Callable[[str], list[str]]


def load(data: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    docs = {}
    with open(data / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[d["id"]] = d["text"]
    queries = {}
    with open(data / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            queries[d["id"]] = d["text"]
    qrels = {}
    with open(data / "qrels.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            qid, did = line.rstrip("\n").split("\t")
            qrels[qid] = did
    return docs, queries, qrels


def unique(seq):
    return list(dict.fromkeys(seq))


# -- engines -----------------------------------------------------------------


def whoosh_peer(docs: dict[str, str], analyzer, bm25=None, question_words=False) -> Ranker:
    """A Whoosh analyzer as is; ``bm25`` and ``question_words`` give it the
    tuning of ours (for the ablation rows)."""
    schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(analyzer=analyzer))
    ix = create_in(tempfile.mkdtemp(prefix="whoosh-spf-"), schema)
    with ix.writer() as w:
        for did, text in docs.items():
            w.add_document(id=did, text=text)
    searcher = ix.searcher(weighting=bm25 or BM25F())

    def rank(question: str) -> list[str]:
        if question_words:
            question = strip_question_words(question)
        terms = unique(t.text for t in analyzer(question, mode="query"))
        q = query.Or([query.Term("text", t) for t in terms])
        return [hit["id"] for hit in searcher.search(q, limit=K)]

    return rank


def resosearch_index(docs: dict[str, str]):
    """The product's two fields: stemmed ``text`` and ``exact``."""
    schema = fields.Schema(
        id=fields.ID(stored=True),
        text=fields.TEXT(analyzer=text_analyzer()),
        exact=fields.TEXT(analyzer=exact_analyzer()),
    )
    ix = create_in(tempfile.mkdtemp(prefix="whoosh-spf-"), schema)
    with ix.writer() as w:
        for did, text in docs.items():
            w.add_document(id=did, text=text, exact=text)
    return ix


def resosearch_engine(
    docs_or_index,
    b: float = OUR_B,
    k1: float = OUR_K1,
    exact_weight: float = EXACT_WEIGHT,
    question_words: bool = True,
) -> Ranker:
    ix = resosearch_index(docs_or_index) if isinstance(docs_or_index, dict) else docs_or_index
    searcher = ix.searcher(weighting=BM25F(B=b, K1=k1))

    def rank(question: str) -> list[str]:
        q = our_query(question, exact_weight, question_words)
        return [hit["id"] for hit in searcher.search(q, limit=K)]

    return rank


def our_query(
    question: str, exact_weight: float = EXACT_WEIGHT, question_words: bool = True
) -> query.Query:
    """Each position of the question: one disjunction of its alternative terms
    (scored by the best), the positions OR-ed."""
    parts: list[query.Query] = []
    groups = question_groups(question) if question_words else query_groups(question)
    for group in groups:
        alts = [query.Term("text", t) for t in group]
        parts.append(alts[0] if len(alts) == 1 else query.DisjunctionMax(alts))
    if exact_weight:
        words = unique(t.text for t in exact_analyzer()(question, mode="query"))
        parts.extend(query.Term("exact", w, boost=exact_weight) for w in words)
    return query.Or(parts)


def tantivy_engine(docs: dict[str, str]) -> Ranker:
    import tantivy

    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("french"))
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name="fr")
    schema = builder.build()
    tmp = tempfile.mkdtemp(prefix="tantivy-spf-")
    index = tantivy.Index(schema, path=tmp)
    index.register_tokenizer("fr", analyzer)
    writer = index.writer()
    for did, text in docs.items():
        writer.add_document(tantivy.Document(id=did, text=text))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def rank(question: str) -> list[str]:
        terms = unique(analyzer.analyze(question))
        q = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "text", t)) for t in terms]
        )
        hits = searcher.search(q, K).hits
        return [searcher.doc(addr)["id"][0] for _score, addr in hits]

    return rank


def fts5_engine(docs: dict[str, str]) -> Ranker:
    con = sqlite3.connect(":memory:")
    con.execute(
        "CREATE VIRTUAL TABLE pages USING fts5(id UNINDEXED, text,"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    con.executemany("INSERT INTO pages VALUES (?, ?)", docs.items())

    def rank(question: str) -> list[str]:
        words = unique(w.lower() for w in re.findall(r"\w+", question))
        match = " OR ".join('"' + w + '"' for w in words)
        rows = con.execute(
            "SELECT id FROM pages WHERE pages MATCH ? ORDER BY bm25(pages) LIMIT ?", (match, K)
        )
        return [r[0] for r in rows]

    return rank


# -- measures ----------------------------------------------------------------


def evaluate(rank: Ranker, queries: dict[str, str], qrels: dict[str, str]) -> dict[str, float]:
    rr: dict[str, float] = {}
    for qid, text in queries.items():
        ranked = rank(text)[:K]
        rr[qid] = 1.0 / (ranked.index(qrels[qid]) + 1) if qrels[qid] in ranked else 0.0

    def mean(ids: list[str], f) -> float:
        return sum(f(rr[i]) for i in ids) / len(ids) if ids else float("nan")

    ids = sorted(rr)
    odd = [i for i in ids if int(i[1:]) % 2 == 1]
    even = [i for i in ids if int(i[1:]) % 2 == 0]
    return {
        "odd": mean(odd, float),
        "even": mean(even, float),
        "all": mean(ids, float),
        "recall": mean(ids, lambda x: x > 0),
        "recall_odd": mean(odd, lambda x: x > 0),
    }


def throughput(analyzers: dict[str, object], texts: list[str], warm: int = 7) -> dict:
    """Tokens per second of CPU time (tokens = ``\\w+`` runs of the input, the
    same count for every analyzer): one pass from cold caches, then the best
    of ``warm`` passes, interleaved between analyzers so that a busy machine
    penalises them alike. Positions and character offsets are produced, as
    when indexing."""
    n_tokens = sum(len(re.findall(r"\w+", t)) for t in texts)

    def one_pass(analyzer) -> float:
        start = time.process_time()
        for text in texts:
            for _t in analyzer(text, positions=True, chars=True):
                pass
        return time.process_time() - start

    cold = {}
    for name, an in analyzers.items():
        clear_caches()  # ours; whoosh's LanguageAnalyzer starts with its own empty cache
        cold[name] = one_pass(an)
    best = dict.fromkeys(analyzers, float("inf"))
    for _ in range(warm):
        for name, an in analyzers.items():
            best[name] = min(best[name], one_pass(an))
    return {name: (n_tokens / cold[name], n_tokens / best[name]) for name in analyzers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--tune", action="store_true", help="grid on the odd questions only")
    args = parser.parse_args(argv)
    docs, queries, qrels = load(args.data)
    texts = list(docs.values())

    if args.tune:
        return tune(docs, queries, qrels)

    # Throughput first, from cold caches (each analyzer's own), then warm.
    speed = throughput(
        {
            "resosearch `text_analyzer()`": text_analyzer(),
            "resosearch `exact_analyzer()`": exact_analyzer(),
            'whoosh `LanguageAnalyzer("fr")`': LanguageAnalyzer("fr"),
        },
        texts,
    )

    tuned = BM25F(B=OUR_B, K1=OUR_K1)
    engines: list[tuple[str, Callable[[], Ranker]]] = [
        (
            f"**resosearch** `text_analyzer()`, question words dropped, BM25F B={OUR_B} K1={OUR_K1}",
            lambda: resosearch_engine(docs),
        ),
        ("whoosh `StandardAnalyzer`, BM25F", lambda: whoosh_peer(docs, StandardAnalyzer())),
        (
            'whoosh `LanguageAnalyzer("fr")`, BM25F',
            lambda: whoosh_peer(docs, LanguageAnalyzer("fr")),
        ),
        ("tantivy simple+lowercase+stop fr+ascii fold+Snowball fr", lambda: tantivy_engine(docs)),
        ("SQLite FTS5 `unicode61 remove_diacritics 2`", lambda: fts5_engine(docs)),
        (
            "*ablation:* resosearch `text_analyzer()` alone: every word, BM25F defaults",
            lambda: resosearch_engine(docs, 0.75, 1.2, 0.0, question_words=False),
        ),
        (
            '*ablation:* whoosh `LanguageAnalyzer("fr")` with our query side and BM25F',
            lambda: whoosh_peer(docs, LanguageAnalyzer("fr"), tuned, question_words=True),
        ),
    ]
    print(f"spf: {len(docs)} pages, {len(queries)} questions; MRR@{K} and Recall@{K}\n")
    # The same questions as people type them in a hurry: no accents, no
    # capitals (not used for tuning).
    plain = {qid: unidecode(text).lower() for qid, text in queries.items()}
    print(
        f"| engine and analysis | MRR@{K} odd | MRR@{K} even | MRR@{K} all | Recall@{K} all "
        f"| MRR@{K} all, typed without accents |"
    )
    print("|---|---|---|---|---|---|")
    for name, build in engines:
        try:
            rank = build()
        except ImportError as e:  # a peer of the `bench` extra is missing
            print(f"| {name} | n/a ({e.name} not installed) | | | | |")
            continue
        m = evaluate(rank, queries, qrels)
        u = evaluate(rank, plain, qrels)
        print(
            f"| {name} | {m['odd']:.3f} | {m['even']:.3f} | {m['all']:.3f} | {m['recall']:.3f} "
            f"| {u['all']:.3f} |"
        )
        sys.stdout.flush()

    print(f"\nAnalyzer throughput over the {len(texts)} pages, tokens per CPU second")
    print("(tokens = \\w+ runs of the input; positions and offsets produced)\n")
    print("| analyzer | first pass (cold caches) | best of 7 warm passes |")
    print("|---|---|---|")
    for name, (cold, warm) in speed.items():
        print(f"| {name} | {cold:,.0f} | {warm:,.0f} |")
    return 0


def tune(docs, queries, qrels) -> int:
    """The grid on the odd-numbered questions only; prints nothing of the even."""
    odd = {q: t for q, t in queries.items() if int(q[1:]) % 2 == 1}
    ix = resosearch_index(docs)
    print("| B | K1 | exact weight | MRR@10 odd | Recall@10 odd |")
    print("|---|---|---|---|---|")
    for b in (0.5, 0.75, 0.9):
        for k1 in (0.9, 1.2, 1.6, 2.0, 2.5, 3.0):
            for ew in (0.0, 0.3):
                m = evaluate(resosearch_engine(ix, b, k1, ew), odd, qrels)
                print(f"| {b} | {k1} | {ew} | {m['odd']:.3f} | {m['recall_odd']:.3f} |")
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
