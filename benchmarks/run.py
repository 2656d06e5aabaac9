"""Benchmark resosearch against its peers at the size of the General Assembly archive.

    nice python benchmarks/run.py                          # 1,000, 5,000 and 22,000 resolutions
    python benchmarks/run.py --max-size 5000               # cap the sizes for a quick run
    python benchmarks/run.py --sizes 200 --engines ours,sqlite --queries-per-class 5

Same documents, same queries, same run, for every engine:

* ``ours``: ``resosearch.build_index(files, dir)`` on the generated files (it
  parses them itself), ``open_index`` once, ``Index.search(q, limit=10)`` per
  query.
* ``whoosh``: naive Whoosh as tutorials write it: one document per paragraph,
  ``TEXT(analyzer=StemmingAnalyzer())`` (English stemmer and stop words),
  ``ix.writer()`` with defaults, and a searcher opened per query
  (``with ix.searcher() as s``); queries through ``QueryParser("text")`` with
  the ``FuzzyTermPlugin`` added so that ``word~`` works.
* ``tantivy``: tantivy-py with the closest analyzer it offers: simple tokenizer,
  remove_long(40), lowercase, ascii_fold, French stop words, French Snowball
  stemmer (a ``TextAnalyzerBuilder`` registered as "fr"); default writer
  (``index.writer()``: 128 MB heap, a thread per core); one searcher.
* ``sqlite``: SQLite FTS5, ``tokenize='unicode61 remove_diacritics 2'`` (no
  stemming), one transaction, ``optimize`` at the end, ``ORDER BY rank``
  (bm25).

The peers index the *parsed* paragraphs (``resosearch.parse_file``, parsed
once, timed separately as ``parse_s``) with the fields text, resolution
number, ref, session, year, kind and verb (the verb's first word, lower
case), so every query class can be written for them. Each engine's answer
is the same task: the 10 best paragraphs with their stored fields, and the
total number of matches (for SQLite a second ``count(*)`` statement).

Query classes, drawn with a fixed seed from the generated text (``--queries-per-class``
each), and how they are written per engine (ours / whoosh / tantivy / sqlite):

==============  ===========================  =============================================
class           ours (and whoosh)            tantivy / sqlite
==============  ===========================  =============================================
rare            ``word`` (df 1..5)           parse_query / ``text : "word"``
common          ``word`` (top 100 by df)     same
and             ``w1 w2 [w3]`` (one para.)   parse_query(conjunction) / ``"w1" AND "w2"``
phrase          ``"w1 w2 w3"`` (no stop w.)  parse_query ``"…"`` / ``text : "…"``
phrase_stop     ``"mise en œuvre de la"``    same (tantivy drops its stop words, keeps gaps)
prefix          ``coopé*`` (5 letters)       regex_query ``coope.*`` on folded terms /
                                             ``text : "coopé" *``
fuzzy           ``wrod~`` (1 substitution)   fuzzy_term_query(stem, distance 1) / n/a:
                                             FTS5 has no fuzzy matching
field           ``session:68 word``,         Must(term_query) + word /
                ``year:``, ``kind:``, ``verb:``  ``text : "word" AND session : "68"``
symbol          ``64/222``                   ``resolution:"64/222"`` OR phrase "64 222" /
                                             ``resolution : "64 222" OR text : "64 222"``
==============  ===========================  =============================================

For whoosh the fielded classes use its fields (``session:68 word``) and the
symbol ``resolution:"64/222" OR "64 222"``.

Metrics (per engine and size):

* build_s: wall time of the build in a fresh child process (for ours,
  parsing included; for the peers, from the pre-parsed paragraphs, parsing
  excluded; ``parse_s`` is the parse time of the corpus in one process so
  that "build + parse" can be compared); para_per_s = paragraphs / build_s.
* index_mb and index_ratio: bytes on disk of the index folder against the raw
  text (the bytes of the generated files).
* peak_rss_mb: peak of the summed RSS of the build process and all its
  children, sampled every 50 ms with psutil (the tree listed every 0.5 s).
* open_ms: in a fresh process, after the imports, the time to open the index
  (median of ``--cold-runs``); import_ms and first_query_ms (a common word) beside.
  The OS page cache is warm (the index was just written); we don't drop it.
* latency: in one fresh process, index opened once, 3 warm-up queries not
  in the set, then every query once, in a seeded shuffled order; p50/p95/p99
  over the mix, and per class.

Writes ``--out``/results.json, results.md and plot.png (default benchmarks/out).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

ENGINES = ("ours", "whoosh", "tantivy", "sqlite")
CLASSES = ("rare", "common", "and", "phrase", "phrase_stop", "prefix", "fuzzy", "field", "symbol")
DOCS_VERSION = 1

STOP = set(
    """
    a à au aux avec ce ces cet cette d dans de des du elle elles en est et il ils la le
    les leur leurs l lui mais même n ne ni nos notre nous on ont ou où par pas pour qu que
    qui s sa se ses si son sont sur ta te tes toi ton tous tout toute toutes un une vos
    votre vous y été être afin ainsi dont entre lors
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    import unicodedata

    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


# ---------------------------------------------------------------------------
# Documents: the parsed paragraphs of the first N generated files


def _parse_one(path: str) -> list[dict]:
    from resosearch import parse_file

    res = parse_file(path)
    out = []
    for p in res.paragraphs:
        out.append(
            {
                "resolution": res.number,
                "ref": p.ref,
                "session": res.session,
                "year": res.year or (1945 + res.session),
                "kind": p.kind,
                "verb": (p.verb or "").split(" ")[0].lower(),
                "text": p.text,
            }
        )
    return out


def load_docs(folder: Path, files: list[Path], n: int, workers: int, log) -> tuple[Path, float]:
    """Parse the files once (cached as JSONL); return the path and the parse time (one process)."""
    path = folder / f"docs-{n}.jsonl"
    meta_path = folder / f"docs-{n}.json"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == DOCS_VERSION:
            return path, meta["parse_s"]
    # Parse time measured in one process on a sample, scaled: the peers' builds
    # are compared with ours on "parse + index".
    t0 = time.perf_counter()
    sample = files[: min(len(files), 500)]
    for f in sample:
        _parse_one(str(f))
    parse_s = (time.perf_counter() - t0) * len(files) / len(sample)
    log(f"  parse: {parse_s:.1f} s for {len(files)} files (one process, from {len(sample)})")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        if workers > 1 and len(files) > 200:
            with Pool(workers) as pool:
                for paras in pool.imap(_parse_one, [str(f) for f in files], chunksize=32):
                    for p in paras:
                        fh.write(json.dumps(p, ensure_ascii=False) + "\n")
        else:
            for f in files:
                for p in _parse_one(str(f)):
                    fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    tmp.replace(path)
    meta_path.write_text(json.dumps({"version": DOCS_VERSION, "parse_s": parse_s}))
    return path, parse_s


def read_docs(path: Path):
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


# ---------------------------------------------------------------------------
# Queries


def make_queries(docs_path: Path, per_class: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    docs = list(read_docs(docs_path))
    df: Counter[str] = Counter()
    tokens_per_doc = []
    for d in docs:
        words = [w.lower() for w in _WORD.findall(d["text"])]
        tokens_per_doc.append(words)
        df.update(set(words))
    n_docs = len(docs)
    # Sorted: ``df`` follows set order, which changes from one process to
    # the next (string hashing is randomised), and so would the mix.
    content = sorted(w for w in df if w not in STOP and len(w) >= 3)
    rare = [w for w in content if df[w] <= 5]
    common = [w for w, _ in sorted(((w, df[w]) for w in content), key=lambda x: -x[1])[:100]]
    mid = sorted(w for w in content if 5 < df[w] <= max(6, n_docs // 20))
    numbers = {d["resolution"] for d in docs}
    out: list[dict] = []

    def add(cls: str, spec: dict) -> None:
        spec["class"] = cls
        spec["ours"] = ours_syntax(spec)
        out.append(spec)

    def pick_doc_words(min_len: int = 4) -> tuple[dict, list[str]]:
        for _ in range(1000):
            i = rng.randrange(n_docs)
            ws = [w for w in dict.fromkeys(tokens_per_doc[i]) if w not in STOP and len(w) >= min_len]
            if len(ws) >= 3:
                return docs[i], ws
        raise RuntimeError("no paragraph with enough words")

    for _ in range(per_class):
        add("rare", {"words": [rng.choice(rare or content)]})
        add("common", {"words": [rng.choice(common)]})
        _, ws = pick_doc_words()
        add("and", {"words": rng.sample(ws, rng.choice((2, 3)))})
    # Phrases: consecutive purely alphabetic tokens from real text.
    def phrase(with_stop: bool) -> list[str]:
        for _ in range(5000):
            d = docs[rng.randrange(n_docs)]
            toks = d["text"].split()
            if len(toks) < 6:
                continue
            k = rng.choice((3, 4, 5)) if with_stop else rng.choice((2, 3))
            i = rng.randrange(0, len(toks) - k)
            seg = toks[i : i + k]
            if not all(re.fullmatch(r"[^\W\d_]+", t) for t in seg):
                continue
            low = [t.lower() for t in seg]
            stops = [t in STOP for t in low]
            if with_stop and (not any(stops[1:-1]) or stops[0] or stops[-1]):
                continue
            if not with_stop and any(stops):
                continue
            return low
        raise RuntimeError("no phrase found")

    for _ in range(per_class):
        add("phrase", {"phrase": phrase(False)})
        add("phrase_stop", {"phrase": phrase(True)})
        long_words = [w for w in (mid or content) if len(w) >= 8 and w.isalpha()]
        add("prefix", {"prefix": rng.choice(long_words)[:5]})
        w = rng.choice([w for w in (mid or content) if len(w) >= 6])
        pos = rng.randrange(2, len(w) - 1)
        letters = "aeioursnt"
        typo = w[:pos] + rng.choice([c for c in letters if c != w[pos]]) + w[pos + 1 :]
        add("fuzzy", {"fuzzy": typo, "source": w})
        d, ws = pick_doc_words()
        field = rng.choice(("session", "year", "kind", "verb"))
        if field == "verb" and not d["verb"]:
            field = "kind"
        value = {"session": d["session"], "year": d["year"], "kind": d["kind"], "verb": d["verb"]}[field]
        add("field", {"field": field, "value": value, "words": [rng.choice(ws)]})
    cited = []
    for d in docs:
        cited.extend(s for s in re.findall(r"\b\d{1,2}/\d{1,3}\b", d["text"]) if s in numbers)
    cited = sorted(set(cited)) or sorted(numbers)
    for _ in range(per_class):
        add("symbol", {"symbol": rng.choice(cited)})
    rng.shuffle(out)
    return out


def ours_syntax(spec: dict) -> str:
    cls = spec["class"]
    if cls in ("rare", "common", "and"):
        return " ".join(spec["words"])
    if cls.startswith("phrase"):
        return '"' + " ".join(spec["phrase"]) + '"'
    if cls == "prefix":
        return spec["prefix"] + "*"
    if cls == "fuzzy":
        return spec["fuzzy"] + "~"
    if cls == "field":
        return f"{spec['field']}:{spec['value']} {spec['words'][0]}"
    if cls == "symbol":
        return spec["symbol"]
    raise ValueError(cls)


# ---------------------------------------------------------------------------
# Engines. Each: build(docs_path, files, index_dir, workers), open(index_dir),
# query(spec) -> engine query, search(handle, query) -> (total, hits).


class Ours:
    name = "ours"

    def build(self, docs_path, files, index_dir, workers):
        import inspect

        import resosearch

        build_index = getattr(resosearch, "build_index", None)
        if build_index is None:
            from resosearch.build import build_index
        kwargs = {}
        if workers and "workers" in inspect.signature(build_index).parameters:
            kwargs["workers"] = workers
        report = build_index([str(f) for f in files], str(index_dir), **kwargs)
        return {"paragraphs": report.paragraphs, "resolutions": report.resolutions,
                "skipped": len(report.skipped), "workers": kwargs.get("workers", 1)}

    def open(self, index_dir):
        import resosearch

        open_index = getattr(resosearch, "open_index", None)
        if open_index is None:
            from resosearch.search import open_index
        return open_index(str(index_dir))

    def query(self, spec):
        return spec["ours"]

    def search(self, ix, q):
        res = ix.search(q, limit=10)
        return res.total, [(h.resolution if hasattr(h, "resolution") else None, getattr(h, "ref", None)) for h in res.hits]


class NaiveWhoosh:
    name = "whoosh"

    def schema(self):
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.fields import ID, TEXT, Schema

        return Schema(
            text=TEXT(analyzer=StemmingAnalyzer(), stored=True),
            resolution=ID(stored=True),
            ref=ID(stored=True),
            session=ID,
            year=ID,
            kind=ID,
            verb=ID,
        )

    def build(self, docs_path, files, index_dir, workers):
        from whoosh import index

        ix = index.create_in(str(index_dir), self.schema())
        writer = ix.writer()
        n = 0
        for d in read_docs(docs_path):
            writer.add_document(
                text=d["text"], resolution=d["resolution"], ref=d["ref"], session=str(d["session"]),
                year=str(d["year"]), kind=d["kind"], verb=d["verb"],
            )
            n += 1
        writer.commit()
        return {"paragraphs": n}

    def open(self, index_dir):
        from whoosh import index
        from whoosh.qparser import FuzzyTermPlugin, QueryParser

        ix = index.open_dir(str(index_dir))
        parser = QueryParser("text", ix.schema)
        parser.add_plugin(FuzzyTermPlugin())
        return ix, parser

    def query(self, spec):
        cls = spec["class"]
        if cls == "symbol":
            return f'resolution:"{spec["symbol"]}" OR "{spec["symbol"].replace("/", " ")}"'
        return spec["ours"]

    def search(self, handle, q):
        ix, parser = handle
        with ix.searcher() as searcher:
            results = searcher.search(parser.parse(q), limit=10)
            hits = [(h["resolution"], h["ref"]) for h in results]
            return len(results), hits


class Tantivy:
    name = "tantivy"

    @staticmethod
    def analyzer():
        import tantivy as tv

        return (
            tv.TextAnalyzerBuilder(tv.Tokenizer.simple())
            .filter(tv.Filter.remove_long(40))
            .filter(tv.Filter.lowercase())
            .filter(tv.Filter.ascii_fold())
            .filter(tv.Filter.stopword("french"))
            .filter(tv.Filter.stemmer("french"))
            .build()
        )

    def schema(self):
        import tantivy as tv

        sb = tv.SchemaBuilder()
        sb.add_text_field("text", stored=True, tokenizer_name="fr")
        sb.add_text_field("resolution", stored=True, tokenizer_name="raw")
        sb.add_text_field("ref", stored=True, tokenizer_name="raw")
        sb.add_integer_field("session", indexed=True)
        sb.add_integer_field("year", indexed=True)
        sb.add_text_field("kind", tokenizer_name="raw")
        sb.add_text_field("verb", tokenizer_name="raw")
        return sb.build()

    def build(self, docs_path, files, index_dir, workers):
        import tantivy as tv

        ix = tv.Index(self.schema(), path=str(index_dir))
        ix.register_tokenizer("fr", self.analyzer())
        writer = ix.writer()
        n = 0
        for d in read_docs(docs_path):
            writer.add_document(tv.Document(
                text=d["text"], resolution=d["resolution"], ref=d["ref"], session=d["session"],
                year=d["year"], kind=d["kind"], verb=d["verb"],
            ))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return {"paragraphs": n}

    def open(self, index_dir):
        import tantivy as tv

        ix = tv.Index.open(str(index_dir))
        analyzer = self.analyzer()
        ix.register_tokenizer("fr", analyzer)
        return ix, ix.searcher(), analyzer, ix.schema

    def query(self, spec):
        return spec  # built at search time: it needs the open index

    def _build_query(self, handle, spec):
        import tantivy as tv

        ix, _, analyzer, schema = handle
        cls = spec["class"]
        if cls in ("rare", "common", "and", "phrase", "phrase_stop"):
            return ix.parse_query(spec["ours"], ["text"], conjunction_by_default=True)
        if cls == "prefix":
            return tv.Query.regex_query(schema, "text", re.escape(fold(spec["prefix"])) + ".*")
        if cls == "fuzzy":
            terms = [t for t in analyzer.analyze(spec["fuzzy"])] or [fold(spec["fuzzy"])]
            return tv.Query.fuzzy_term_query(schema, "text", terms[0], distance=1)
        if cls == "field":
            f, v = spec["field"], spec["value"]
            filt = tv.Query.term_query(schema, f, int(v) if f in ("session", "year") else str(v))
            word = ix.parse_query(spec["words"][0], ["text"], conjunction_by_default=True)
            return tv.Query.boolean_query([(tv.Occur.Must, filt), (tv.Occur.Must, word)])
        if cls == "symbol":
            sym = spec["symbol"]
            return tv.Query.boolean_query([
                (tv.Occur.Should, tv.Query.term_query(schema, "resolution", sym)),
                (tv.Occur.Should, tv.Query.phrase_query(schema, "text", sym.split("/"))),
            ])
        raise ValueError(cls)

    def search(self, handle, spec):
        _, searcher, _, _ = handle
        q = self._build_query(handle, spec)
        result = searcher.search(q, 10)
        hits = []
        for _score, addr in result.hits:
            doc = searcher.doc(addr)
            hits.append((doc["resolution"][0], doc["ref"][0]))
        return result.count, hits


class Sqlite:
    name = "sqlite"

    def build(self, docs_path, files, index_dir, workers):
        import sqlite3

        Path(index_dir).mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(Path(index_dir) / "fts.db"))
        db.execute(
            "CREATE VIRTUAL TABLE p USING fts5(text, resolution, session, year, kind, verb, "
            "ref UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
        )
        n = 0
        with db:
            batch = []
            for d in read_docs(docs_path):
                batch.append((d["text"], d["resolution"], str(d["session"]), str(d["year"]),
                              d["kind"], d["verb"], d["ref"]))
                if len(batch) >= 5000:
                    db.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
                    n += len(batch)
                    batch = []
            db.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            n += len(batch)
        db.execute("INSERT INTO p(p) VALUES('optimize')")
        db.commit()
        db.close()
        return {"paragraphs": n}

    def open(self, index_dir):
        import sqlite3

        return sqlite3.connect(str(Path(index_dir) / "fts.db"))

    @staticmethod
    def _q(word: str) -> str:
        return '"' + word.replace('"', '""') + '"'

    def query(self, spec):
        cls = spec["class"]
        q = self._q
        if cls in ("rare", "common", "and"):
            return "text : (" + " AND ".join(q(w) for w in spec["words"]) + ")"
        if cls.startswith("phrase"):
            return "text : " + q(" ".join(spec["phrase"]))
        if cls == "prefix":
            return "text : " + q(spec["prefix"]) + " *"
        if cls == "fuzzy":
            return None  # FTS5 has no fuzzy matching
        if cls == "field":
            return f"text : {q(spec['words'][0])} AND {spec['field']} : {q(str(spec['value']))}"
        if cls == "symbol":
            s = q(spec["symbol"].replace("/", " "))
            return f"resolution : {s} OR text : {s}"
        raise ValueError(cls)

    def search(self, db, q):
        if q is None:
            return None, []
        rows = db.execute(
            "SELECT resolution, ref FROM p WHERE p MATCH ? ORDER BY rank LIMIT 10", (q,)
        ).fetchall()
        total = db.execute("SELECT count(*) FROM p WHERE p MATCH ?", (q,)).fetchone()[0]
        return total, rows


ENGINE_CLASSES = {"ours": Ours, "whoosh": NaiveWhoosh, "tantivy": Tantivy, "sqlite": Sqlite}


def available(name: str) -> bool:
    try:
        if name == "tantivy":
            import tantivy  # noqa: F401
        elif name == "ours":
            import resosearch

            if not hasattr(resosearch, "build_index"):
                import resosearch.build  # noqa: F401
        elif name == "whoosh":
            import whoosh  # noqa: F401
        return True
    except ImportError:
        return False


# ---------------------------------------------------------------------------
# Child processes


def child_main(argv: list[str]) -> int:
    task = json.loads(argv[0])
    kind = task["task"]
    if kind == "open":
        t0 = time.perf_counter()
        engine = ENGINE_CLASSES[task["engine"]]()
        if task["engine"] == "ours":
            import resosearch  # noqa: F401
        elif task["engine"] == "whoosh":
            import whoosh.index  # noqa: F401
            import whoosh.qparser  # noqa: F401
        elif task["engine"] == "tantivy":
            import tantivy  # noqa: F401
        else:
            import sqlite3  # noqa: F401
        t1 = time.perf_counter()
        handle = engine.open(task["index"])
        t2 = time.perf_counter()
        engine.search(handle, engine.query(task["probe"]))
        t3 = time.perf_counter()
        print(json.dumps({"import_ms": (t1 - t0) * 1e3, "open_ms": (t2 - t1) * 1e3,
                          "first_query_ms": (t3 - t2) * 1e3}))
        return 0
    engine = ENGINE_CLASSES[task["engine"]]()
    if kind == "build":
        files = [Path(f) for f in task["files"]] if task.get("files") else []
        if task.get("files_list"):
            files = [Path(line) for line in Path(task["files_list"]).read_text().splitlines()]
        t0 = time.perf_counter()
        info = engine.build(task["docs"], files, task["index"], task.get("workers"))
        info["seconds"] = time.perf_counter() - t0
        # No ru_maxrss here: Linux carries the parent's high-water mark over
        # fork + exec, so it would report the runner's own RSS; the parent
        # samples the process tree with psutil instead.
        print(json.dumps(info))
        return 0
    if kind == "latency":
        queries = json.loads(Path(task["queries"]).read_text())
        handle = engine.open(task["index"])
        for probe in task["warmup"]:
            engine.search(handle, engine.query(probe))
        out = []
        for spec in queries:
            q = engine.query(spec)
            if q is None and engine.name == "sqlite":
                out.append({"class": spec["class"], "ms": None, "total": None, "error": "unsupported"})
                continue
            t0 = time.perf_counter()
            try:
                total, hits = engine.search(handle, q)
                err = None
            except Exception as error:  # noqa: BLE001 - a failing query is a result too
                total, hits, err = None, [], f"{type(error).__name__}: {error}"
            ms = (time.perf_counter() - t0) * 1e3
            out.append({"class": spec["class"], "ms": None if err else ms, "total": total,
                        "hits": len(hits), "error": err})
        print(json.dumps(out))
        return 0
    raise SystemExit(f"unknown task {kind}")


# The build's memory is sampled every RSS_SAMPLE_S; its process tree is
# listed again every TREE_SCAN_S. Listing it (psutil's children(recursive=True)
# reads every process of the machine) costs about 2 ms: done at each of the
# 20-ms samples it once took, it used 9% of a core, taken from the 2-core
# build it was measuring.
RSS_SAMPLE_S = 0.05
TREE_SCAN_S = 0.5


def run_child(task: dict, poll_rss: bool = False) -> tuple[object, float]:
    """Run a child task; return its JSON answer and the peak RSS (MB) of its process tree."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "_child", json.dumps(task)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = _peak_rss(proc) if poll_rss else 0.0
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{task['engine']} {task['task']} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), peak


def _peak_rss(proc: subprocess.Popen) -> float:
    """The peak summed RSS (MB) of ``proc`` and its children, until it ends."""
    import psutil

    peak, children, next_scan = 0.0, [], 0.0
    try:
        ps = psutil.Process(proc.pid)
        while proc.poll() is None:
            now = time.monotonic()
            if now >= next_scan:
                children, next_scan = ps.children(recursive=True), now + TREE_SCAN_S
            rss = ps.memory_info().rss
            for child in children:
                with contextlib.suppress(psutil.Error):  # ended since the last scan
                    rss += child.memory_info().rss
            peak = max(peak, rss / 2**20)
            time.sleep(RSS_SAMPLE_S)
    except psutil.Error:  # the child itself ended
        pass
    return peak


# ---------------------------------------------------------------------------
# Measuring


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100 * len(v) + 0.5)) - 1))  # nearest rank
    return v[k]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "mean": statistics.fmean(values) if values else None,
        "max": max(values) if values else None,
    }


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def measure_size(n: int, args, log) -> dict:
    folder = corpus.generate(n, args.data_dir, args.seed, args.gen_workers, quiet=True)
    entries = corpus.read_manifest(folder, n)
    files = [folder / e["path"] for e in entries]
    raw_bytes = sum(e["bytes"] for e in entries)
    work = Path(args.data_dir) / f"bench-s{args.seed}-n{n}"
    work.mkdir(parents=True, exist_ok=True)
    files_list = work / "files.txt"
    files_list.write_text("\n".join(str(f) for f in files))
    docs_path, parse_s = load_docs(work, files, n, args.gen_workers or 2, log)
    n_docs = sum(1 for _ in read_docs(docs_path))
    text_bytes = sum(len(d["text"].encode("utf-8")) for d in read_docs(docs_path))
    queries = make_queries(docs_path, args.queries_per_class, args.seed)
    qpath = work / "queries.json"
    qpath.write_text(json.dumps(queries, ensure_ascii=False, indent=0))
    probe = {"class": "common", "words": ["résolution"], "ours": "résolution"}
    warmup = [
        {"class": "common", "words": [w], "ours": w} for w in ("assemblée", "programme", "conseil")
    ]
    result = {
        "resolutions": n,
        "paragraphs": n_docs,
        "raw_bytes": raw_bytes,
        "text_bytes": text_bytes,
        "parse_s": parse_s,
        "queries": len(queries),
        "queries_per_class": args.queries_per_class,
        "engines": {},
    }
    for name in args.engines:
        if not available(name):
            log(f"  {name}: not importable, skipped")
            continue
        index_dir = work / f"index-{name}"
        if index_dir.exists():
            shutil.rmtree(index_dir)
        if name != "ours":
            index_dir.mkdir(parents=True)
        log(f"  {name}: build …")
        er: dict = {}
        try:
            info, peak = run_child(
                {"task": "build", "engine": name, "docs": str(docs_path), "files_list": str(files_list),
                 "index": str(index_dir), "workers": args.workers},
                poll_rss=True,
            )
            er["build_s"] = info["seconds"]
            er["paragraphs_indexed"] = info.get("paragraphs")
            er["para_per_s"] = n_docs / info["seconds"] if info["seconds"] else None
            er["build_info"] = info
            er["peak_rss_mb"] = peak
            er["index_bytes"] = dir_bytes(index_dir)
            er["index_ratio"] = er["index_bytes"] / raw_bytes
            log(f"    {info['seconds']:.1f} s, {er['para_per_s']:.0f} para/s, peak {peak:.0f} MB, "
                f"index {er['index_bytes'] / 2**20:.1f} MB ({er['index_ratio']:.2f}x raw)")
            opens = []
            for _ in range(args.cold_runs):
                o, _ = run_child({"task": "open", "engine": name, "index": str(index_dir), "probe": probe})
                opens.append(o)
            er["cold_open"] = {
                k: statistics.median(o[k] for o in opens) for k in ("import_ms", "open_ms", "first_query_ms")
            }
            log(f"    open {er['cold_open']['open_ms']:.1f} ms (import {er['cold_open']['import_ms']:.0f} ms,"
                f" first query {er['cold_open']['first_query_ms']:.1f} ms)")
            lat, _ = run_child({"task": "latency", "engine": name, "index": str(index_dir),
                                "queries": str(qpath), "warmup": warmup})
            times = [r["ms"] for r in lat if r["ms"] is not None]
            er["latency"] = summary(times)
            by_class = {}
            for cls in CLASSES:
                rows = [r for r in lat if r["class"] == cls]
                ms = [r["ms"] for r in rows if r["ms"] is not None]
                s = summary(ms)
                s["mean_total"] = statistics.fmean(r["total"] for r in rows if r["total"] is not None) if ms else None
                s["errors"] = sum(1 for r in rows if r.get("error") and r["error"] != "unsupported")
                s["unsupported"] = sum(1 for r in rows if r.get("error") == "unsupported")
                by_class[cls] = s
            er["by_class"] = by_class
            er["query_errors"] = [r["error"] for r in lat if r.get("error") and r["error"] != "unsupported"][:5]
            la = er["latency"]
            log(f"    latency p50 {fmt(la['p50'])} p95 {fmt(la['p95'])} p99 {fmt(la['p99'])} ms")
        except Exception as error:  # noqa: BLE001 - one engine failing must not lose the others
            er["error"] = str(error)[-2000:]
            log(f"    FAILED: {str(error)[-500:]}")
        result["engines"][name] = er
        if not args.keep_indexes and index_dir.exists():
            shutil.rmtree(index_dir)
    return result


def fmt(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}f}"


# ---------------------------------------------------------------------------
# Reporting


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    versions = {}
    for mod in ("whoosh", "tantivy", "resosearch"):
        try:
            m = __import__(mod)
            versions[mod] = getattr(m, "__version__", None) or ".".join(map(str, getattr(m, "versionstring", lambda: "")() or ""))
        except Exception:  # noqa: BLE001
            versions[mod] = None
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    info["versions"] = versions
    return info


def markdown(results: dict) -> str:
    lines = []
    m = results["machine"]
    lines.append(
        f"Machine: {m.get('cpu', '?')}, {m['cpus']} cores, {m.get('memory_gb', '?')} GB, "
        f"Python {m['python']}, SQLite {m['versions'].get('sqlite')}; run {results['started']}."
    )
    lines.append("")
    for size in results["sizes"]:
        lines.append(
            f"### {size['resolutions']:,} resolutions, {size['paragraphs']:,} paragraphs "
            f"(raw text {size['raw_bytes'] / 2**20:.0f} MB; parse {size['parse_s']:.1f} s in one process; "
            f"{size['queries']} queries)"
        )
        lines.append("")
        lines.append("| engine | build s | para/s | index MB | × raw | peak RSS MB | open ms | p50 ms | p95 ms | p99 ms |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, er in size["engines"].items():
            if "error" in er and "latency" not in er:
                lines.append(f"| {name} | failed: {er['error'][:80].splitlines()[0]} |||||||||")
                continue
            la = er.get("latency", {})
            lines.append(
                f"| {name} | {fmt(er.get('build_s'))} | {fmt(er.get('para_per_s'), 0)} | "
                f"{fmt(er.get('index_bytes', 0) / 2**20)} | {fmt(er.get('index_ratio'), 2)} | "
                f"{fmt(er.get('peak_rss_mb'), 0)} | {fmt(er.get('cold_open', {}).get('open_ms'))} | "
                f"{fmt(la.get('p50'), 2)} | {fmt(la.get('p95'), 2)} | {fmt(la.get('p99'), 2)} |"
            )
        lines.append("")
        names = list(size["engines"])
        lines.append("Per query class, p50 / p95 ms (mean number of matches):")
        lines.append("")
        header = "| class | " + " | ".join(names) + " |"
        extra = []
        if "ours" in names and "tantivy" in names:
            extra.append("ours/tantivy p95")
        if "ours" in names and "whoosh" in names:
            extra.append("ours/whoosh p95")
        lines.append(header[:-1] + "".join(f"| {e} " for e in extra) + "|")
        lines.append("|---|" + "---:|" * (len(names) + len(extra)))
        for cls in CLASSES:
            cells = []
            for name in names:
                s = size["engines"][name].get("by_class", {}).get(cls)
                if not s or s["p50"] is None:
                    cells.append("n/a" if s and s.get("unsupported") else "–")
                else:
                    cells.append(f"{s['p50']:.2f} / {s['p95']:.2f} ({s['mean_total']:.0f})")
            for e in extra:
                other = e.split("/")[1].split()[0]
                a = size["engines"]["ours"].get("by_class", {}).get(cls, {})
                b = size["engines"][other].get("by_class", {}).get(cls, {})
                if a.get("p95") and b.get("p95"):
                    cells.append(f"{a['p95'] / b['p95']:.2f}")
                else:
                    cells.append("–")
            lines.append(f"| {cls} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    engines = sorted({e for s in results["sizes"] for e in s["engines"]})
    for name in engines:
        xs, p50, p95, rate, ratio = [], [], [], [], []
        for s in results["sizes"]:
            er = s["engines"].get(name)
            if not er or "latency" not in er:
                continue
            xs.append(s["paragraphs"])
            p50.append(er["latency"]["p50"])
            p95.append(er["latency"]["p95"])
            rate.append(er["para_per_s"])
            ratio.append(er["index_ratio"])
        if not xs:
            continue
        line = axes[0].plot(xs, p95, marker="o", label=f"{name} p95")[0]
        axes[0].plot(xs, p50, marker=".", linestyle="--", color=line.get_color(), label=f"{name} p50")
        axes[1].plot(xs, rate, marker="o", label=name, color=line.get_color())
        axes[2].plot(xs, ratio, marker="o", label=name, color=line.get_color())
    for ax, title, ylabel in (
        (axes[0], "Query latency over the mix (limit=10)", "ms"),
        (axes[1], "Build rate", "paragraphs / s"),
        (axes[2], "Index size / raw text", "ratio"),
    ):
        ax.set_xscale("log")
        # The measured sizes as the only labels (a log axis's minor labels overlap).
        sizes = [s["paragraphs"] for s in results["sizes"]]
        ax.set_xticks(sizes, [f"{x:,}" for x in sizes])
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        if ax is not axes[2]:
            ax.set_yscale("log")
        ax.set_xlabel("paragraphs in the corpus")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_child":
        return child_main(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,22000", help="numbers of resolutions, comma-separated")
    ap.add_argument("--max-size", type=int, default=None, help="drop the sizes above this")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--queries-per-class", type=int, default=20)
    ap.add_argument("--data-dir", type=Path, default=corpus.DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--workers", type=int, default=None, help="passed to build_index(workers=) if it takes it")
    ap.add_argument("--gen-workers", type=int, default=None, help="processes to generate and parse the corpus")
    ap.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--keep-indexes", action="store_true")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.max_size:
        sizes = [s for s in sizes if s <= args.max_size] or [args.max_size]
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for e in args.engines:
        if e not in ENGINES:
            ap.error(f"unknown engine {e!r}; choose among {', '.join(ENGINES)}")

    def log(msg: str) -> None:
        if not args.quiet:
            print(msg, file=sys.stderr, flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "config": {"sizes": sizes, "engines": args.engines, "queries_per_class": args.queries_per_class,
                   "seed": args.seed, "workers": args.workers, "classes": list(CLASSES)},
        "sizes": [],
    }
    log(f"generating the archive ({max(sizes)} files) …")
    corpus.generate(max(sizes), args.data_dir, args.seed, args.gen_workers, quiet=args.quiet)
    for n in sizes:
        log(f"size {n}:")
        results["sizes"].append(measure_size(n, args, log))
        (args.out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
        (args.out / "results.md").write_text(markdown(results))
    table = markdown(results)
    print(table)
    if not args.no_plot:
        try:
            plot(results, args.out / "plot.png")
        except ImportError:
            log("matplotlib missing: no plot")
    return 0


if __name__ == "__main__":
    sys.exit(main())
