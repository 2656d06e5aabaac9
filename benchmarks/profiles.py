"""Where the time goes for the two targets still missed (issue 7): build and p95.

    python benchmarks/profiles.py --index DIR --queries FILE   # a built index and its query mix
    python benchmarks/profiles.py --size 200                   # generate, build, then the same

Writes to ``--out`` (default benchmarks/results/profiles):

* ``build.txt``: one building process's work (parse the first ``--files``
  files of the archive, index them, write the segment) timed per paragraph
  in its three stages, then profiled with pyinstrument.
* ``queries.txt``: every query of the mix timed once, as run.py does; the
  ``--slowest`` slowest are then profiled with pyinstrument, together.
* ``bounds.md``: for each query of the ``and`` class, how much block-max
  skipping could save. A match can only be skipped when the sum of the
  bounds of the blocks holding it (each term's best score in that block) is
  below the score it must beat: the ``window``-th best (an ``and`` query is
  reranked for proximity, so its best 50 are needed). Also the cost of
  decoding one block of 128 postings, measured on the query's terms.

pyinstrument comes with the ``bench`` extra; without it the timings and
bounds are still written, the profiles are not.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import sys
import tempfile
import time
from bisect import bisect_left
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from whoosh import query as q  # noqa: E402

from resosearch import build_index, open_index  # noqa: E402
from resosearch.bulk import BulkWriter  # noqa: E402
from resosearch.models import Resolution  # noqa: E402
from resosearch.parallel import index_share  # noqa: E402
from resosearch.postings import LeafMatcher, blocks  # noqa: E402
from resosearch.rank import _scores  # noqa: E402
from resosearch.schema import build_schema, documents  # noqa: E402
from resosearch.scoring import Leaf, TermScoring  # noqa: E402
from resosearch.search import RERANK_WINDOW  # noqa: E402
from resosearch.sources import parse_one  # noqa: E402

# Without a query file (--size): a few queries of the slow classes.
EXAMPLE_QUERIES = [
    {"class": "and", "ours": "développement rapport"},
    {"class": "and", "ours": "coopération nations"},
    {"class": "field", "ours": "kind:operative coopération"},
    {"class": "phrase_stop", "ours": '"pays en développement"'},
]


def _profiler():
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    return Profiler(interval=0.0005)


def _profile_text(profiler) -> str:
    if profiler is None:
        return "(pyinstrument is not installed: pip install -e '.[bench]')\n"
    return profiler.output_text(unicode=True, color=False, show_all=False)


def build_stages(files: list[Path]) -> tuple[dict, str]:
    """One building process's work on ``files``, stage by stage (ms per
    paragraph), then again under the profiler (as a building process runs
    it: resosearch.parallel.index_share)."""
    with tempfile.TemporaryDirectory() as scratch:
        t0 = time.perf_counter()
        parsed = [item for item in map(parse_one, files) if isinstance(item, Resolution)]
        t1 = time.perf_counter()
        writer = BulkWriter(Path(scratch) / "timed", build_schema())
        for resolution in parsed:
            writer.add_documents(documents(resolution))
        t2 = time.perf_counter()
        writer.finish()
        t3 = time.perf_counter()
        paragraphs = sum(len(r.paragraphs) for r in parsed)
        per = 1e3 / max(paragraphs, 1)
        stages = {"files": len(files), "paragraphs": paragraphs,
                  "parse_ms": (t1 - t0) * per, "index_ms": (t2 - t1) * per,
                  "write_ms": (t3 - t2) * per, "total_ms": (t3 - t0) * per}
        profiler = _profiler()
        if profiler is not None:
            profiler.start()
            index_share(Path(scratch) / "profiled", files, lambda _path, _skipped: None)
            profiler.stop()
    return stages, _profile_text(profiler)


def query_times(index, queries: list[dict]) -> list[tuple[float, dict]]:
    """Each query once, in order, after run.py's warm-up: (ms, query)."""
    for word in ("assemblée", "programme", "conseil"):
        index.search(word)
    timed = []
    for spec in queries:
        t0 = time.perf_counter()
        index.search(spec["ours"], limit=10)
        timed.append(((time.perf_counter() - t0) * 1e3, spec))
    return timed


def profile_queries(index, specs: list[dict], rounds: int = 3) -> str:
    profiler = _profiler()
    if profiler is None:
        return _profile_text(None)
    profiler.start()
    for _ in range(rounds):
        for spec in specs:
            index.search(spec["ours"], limit=10)
    profiler.stop()
    return _profile_text(profiler)


def skippable(index, text: str, window: int) -> dict:
    """How many matches of ``text`` block-max bounds could leave unscored,
    summed over the segments, and what decoding a block costs."""
    row = {"query": text, "matches": 0, "reachable": 0, "blocks": 0, "decode_us": 0.0}
    with index.matching(text, []) as (searcher, _compiled, main, _filter):
        terms = [leaf for leaf in main.leaves() if type(leaf) is q.Term]
        decode_s = 0.0
        for leaf, _offset in searcher.leaf_searchers():
            part = Leaf(leaf, searcher)
            deleted = part.reader.deleted_docs_set
            scores = {d: s for d, s in _scores(part, main).items() if d not in deleted}
            if not scores:
                continue
            floor = heapq.nlargest(window, scores.values())[-1]
            bound = dict.fromkeys(scores, 0.0)
            for term in terms:
                scoring = TermScoring.of(part, term)
                if scoring is None:
                    continue
                if not isinstance(scoring.matcher, LeafMatcher):
                    # Postings kept in the term info (a term in one or two
                    # documents): their own scores are their bounds.
                    for ids, weights, _values in blocks(scoring.matcher):
                        for docnum, score in zip(ids, scoring.scores(ids, weights), strict=True):
                            if docnum in bound:
                                bound[docnum] += score
                    continue
                layout = scoring.matcher.block_frontiers()
                lasts = [last for _position, last, _edge in layout]
                bounds = [scoring.bound(edge) for _position, _last, edge in layout]
                gc.disable()  # a collection of the dictionaries above is not decoding
                t0 = time.perf_counter()
                decoded = [(ids, list(weights)) for ids, weights in
                           map(scoring.matcher.read_block_at, [p for p, _l, _e in layout])]
                decode_s += time.perf_counter() - t0
                gc.enable()
                row["blocks"] += len(layout)
                for ids, _weights in decoded:
                    for docnum in bound.keys() & set(ids):
                        bound[docnum] += bounds[bisect_left(lasts, docnum)]
            row["matches"] += len(scores)
            row["reachable"] += sum(1 for value in bound.values() if value >= floor)
        row["decode_us"] = decode_s * 1e6 / max(row["blocks"], 1)
    return row


def bounds_table(rows: list[dict], window: int) -> str:
    lines = [f"Matches an `and` query's best {window} could be among, by block-max bounds "
             "(the sum of the bounds of the blocks holding a match reaches the "
             f"{window}th best score): those must be scored; the rest could be skipped.",
             "",
             "| query | matches | could reach the best | share | blocks of its terms | µs to decode a block |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        share = row["reachable"] / row["matches"] if row["matches"] else 0.0
        lines.append(f"| {row['query']} | {row['matches']} | {row['reachable']} | {share:.1%} | "
                     f"{row['blocks']} | {row['decode_us']:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="an index built by resosearch")
    ap.add_argument("--queries", type=Path, help="run.py's queries.json for that index")
    ap.add_argument("--size", type=int, help="else: build an index of this many generated resolutions")
    ap.add_argument("--files", type=int, default=300, help="archive files for the build profile")
    ap.add_argument("--slowest", type=int, default=15, help="queries profiled")
    ap.add_argument("--data-dir", type=Path, default=corpus.DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "profiles")
    args = ap.parse_args(argv)
    if (args.index is None) == (args.size is None):
        ap.error("give --index or --size")
    args.out.mkdir(parents=True, exist_ok=True)
    folder = corpus.generate(max(args.files, args.size or 0), args.data_dir, workers=1 if args.size else None,
                             quiet=True)
    files = [folder / meta["path"] for meta in corpus.read_manifest(folder, max(args.files, args.size or 0))]

    stages, profile = build_stages(files[:args.files])
    (args.out / "build.txt").write_text(
        f"One building process, {stages['files']} files, {stages['paragraphs']} paragraphs: "
        f"{stages['total_ms']:.3f} ms a paragraph (parse {stages['parse_ms']:.3f}, "
        f"index {stages['index_ms']:.3f}, write {stages['write_ms']:.3f})\n\n{profile}",
        encoding="utf-8")
    print(json.dumps(stages))

    queries = json.loads(args.queries.read_text()) if args.queries else EXAMPLE_QUERIES
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index
        if index_dir is None:
            index_dir = Path(scratch) / "index"
            build_index(files[:args.size], index_dir)
        with open_index(index_dir) as index:
            timed = sorted(query_times(index, queries), key=lambda pair: -pair[0])
            slow = [spec for _ms, spec in timed[:args.slowest]]
            listing = "\n".join(f"{ms:8.1f} ms  {spec['class']:<12} {spec['ours']}"
                                for ms, spec in timed[:args.slowest])
            (args.out / "queries.txt").write_text(
                f"The {len(slow)} slowest of {len(timed)} queries, each timed once:\n{listing}\n\n"
                f"Profiled together, three rounds:\n\n{profile_queries(index, slow)}",
                encoding="utf-8")
            print(listing)
            rows = [skippable(index, spec["ours"], RERANK_WINDOW)
                    for spec in queries if spec["class"] == "and"]
    table = bounds_table(rows, RERANK_WINDOW)
    (args.out / "bounds.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
