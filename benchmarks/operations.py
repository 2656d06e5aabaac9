"""The operations around search at archive size: ours against Whoosh's own way.

    python benchmarks/operations.py --index DIR          # an index built by resosearch
    python benchmarks/operations.py --size 1000          # build one from the generated archive

``run.py`` times the query mix against the peers. Users also sort by date,
read facets and timelines, exclude words, look for paragraphs like a draft,
and list or look up resolutions. Each operation here is timed two ways on
the same index, in the same process, interleaved: ours (the public
``Index`` API) and Whoosh's own way of doing it on that index (its sorting
and grouping collectors, its matchers, its stored fields: what resosearch
did before it had its own), and both answers are checked to be the same (for ``similar``, its
candidates: the paragraphs it then compares with the draft).
The first call in the process is reported apart: ours reads a segment's
columns once and keeps them.

Then the command line: each of ``COMMANDS`` run as a new process, timed
whole (a user at a terminal pays start-up, opening and every first-call
cost each time).

Prints two markdown tables; ``--json`` writes the numbers too.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from whoosh import collectors, sorting
from whoosh import query as q

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from resosearch import build_index, open_index, rank  # noqa: E402
from resosearch.schema import PARAGRAPH, RESOLUTION  # noqa: E402
from resosearch.search import FACETS  # noqa: E402
from resosearch.similar import _candidate_query  # noqa: E402

WORD, COMMON = "triangulaire", "coopération"
# A phrase with slop, a negation alone, a filter alone.
BROWSING = ('"nations unies"~2', f"-{WORD}", "kind:operative")
DRAFT = "Prie le Secrétaire général de lui présenter un rapport sur la coopération Sud-Sud"


def _main(index, query: str):
    with index.matching(query, []) as (_searcher, _compiled, main, _filter):
        return main


def whoosh_by_date(index, query: str, newest_first: bool):
    main = _main(index, query)
    with index.reading() as searcher:
        sortedby = [sorting.FieldFacet("adopted", reverse=newest_first),
                    sorting.FieldFacet("number"), sorting.FieldFacet("order")]
        results = searcher.search(main, limit=10, sortedby=sortedby, terms=False)
        return len(results), [searcher.stored_fields(hit.docnum)["ref"] for hit in results]


def ours_by_date(index, query: str, newest_first: bool):
    found = index.search(query, sort="date" if newest_first else "oldest")
    return found.total, [hit.paragraph.ref for hit in found.hits]


def whoosh_facets(index, query: str):
    main = _main(index, query)
    with index.reading() as searcher:
        groupedby = {name: sorting.FieldFacet(field, maptype=sorting.Count)
                     for name, field in FACETS.items()}
        results = searcher.search(main, limit=1, groupedby=groupedby, terms=False)
        return {name: {k: v for k, v in results.groups(name).items() if k is not None}
                for name in FACETS}


def ours_facets(index, query: str):
    return dict(index.search(query).facets)  # each facet is counted when read: all of them


def whoosh_timeline(index, query: str):
    """Every match, then each one's columns (resosearch's timeline before it read columns once)."""
    main = _main(index, query)
    with index.reading() as searcher:
        docnums = list(searcher.search(main, limit=None, terms=False).docs())
        reader = searcher.reader()
        years = reader.column_reader("year")
        adopted = reader.column_reader("adopted")
        counts = Counter(years[d] for d in docnums if adopted[d])
    return len(docnums), sorted(counts.items())


def ours_timeline(index, query: str):
    found = index.timeline(query)
    return found.total, list(found.years)


def whoosh_negation(index, query: str):
    return whoosh_ranked(index, query, q.And([q.Term("doctype", PARAGRAPH), _main(index, query)]))


def whoosh_ranked(index, query: str, main=None):
    """The best 10 and the total through Whoosh's matchers, every match scored."""
    main = _main(index, query) if main is None else main
    with index.reading() as searcher:
        collector = collectors.TopCollector(10, usequality=False, replace=0)
        searcher.search_with_collector(main, collector)
        results = collector.results()
        return len(results), [searcher.stored_fields(hit.docnum)["ref"] for hit in results]


def ours_ranked(index, query: str):
    found = index.search(query)
    return found.total, [hit.paragraph.ref for hit in found.hits]


def whoosh_similar_candidates(index, draft: str):
    with index.reading() as searcher:
        main = _candidate_query(draft, searcher.reader())
        hits = searcher.search(main, limit=60, filter=q.Term("doctype", PARAGRAPH), terms=False)
        return sorted(hit.docnum for hit in hits)


def ours_similar_candidates(index, draft: str):
    with index.reading() as searcher:
        found = rank.best(searcher, _candidate_query(draft, searcher.reader()), None, 60)
        return sorted(docnum for _score, docnum in found[1])


def whoosh_numbers(index):
    with index.reading() as searcher:
        reader = searcher.reader()
        return sorted(searcher.stored_fields(n)["key"].rstrip("#")
                      for n in searcher.docs_for_query(q.Term("doctype", RESOLUTION))
                      if not reader.is_deleted(n))


def ours_numbers(index):
    return sorted(index.numbers())


OPERATIONS = [
    (f'sort="date" {COMMON}', lambda ix: ours_by_date(ix, COMMON, True),
     lambda ix: whoosh_by_date(ix, COMMON, True)),
    (f'sort="oldest" {WORD}', lambda ix: ours_by_date(ix, WORD, False),
     lambda ix: whoosh_by_date(ix, WORD, False)),
    (f"facets {WORD}", lambda ix: ours_facets(ix, WORD), lambda ix: whoosh_facets(ix, WORD)),
    (f"timeline {WORD}", lambda ix: ours_timeline(ix, WORD),
     lambda ix: whoosh_timeline(ix, WORD)),
    (f"{COMMON} -{WORD}", lambda ix: ours_ranked(ix, f"{COMMON} -{WORD}"),
     lambda ix: whoosh_negation(ix, f"{COMMON} -{WORD}")),
    *((query, lambda ix, query=query: ours_ranked(ix, query),
       lambda ix, query=query: whoosh_ranked(ix, query)) for query in BROWSING),
    ("similar: 60 candidates for a draft", lambda ix: ours_similar_candidates(ix, DRAFT),
     lambda ix: whoosh_similar_candidates(ix, DRAFT)),
    ("numbers()", ours_numbers, whoosh_numbers),
]


def measure(index_dir: Path, repeats: int) -> list[dict]:
    rows = []
    with open_index(index_dir) as index:
        index.search("assemblée")  # open the searcher, as a first query would
        for label, ours, whoosh in OPERATIONS:
            t0 = time.perf_counter()
            answer = ours(index)
            first = (time.perf_counter() - t0) * 1e3
            times: dict[str, list[float]] = {"ours": [], "whoosh": []}
            expected = None
            for _ in range(repeats):  # interleaved: the machine's noise hits both
                for name, fn in (("whoosh", whoosh), ("ours", ours)):
                    t0 = time.perf_counter()
                    result = fn(index)
                    times[name].append((time.perf_counter() - t0) * 1e3)
                    if name == "whoosh":
                        expected = result
            same = answer == expected
            rows.append({"operation": label, "ours_first_ms": first,
                         "ours_ms": statistics.median(times["ours"]),
                         "whoosh_ms": statistics.median(times["whoosh"]), "same_answer": same})
    return rows


# What a user types: each command a fresh process (start-up, open, search,
# print), as `resosearch` at a terminal. `--help` is the start-up alone.
COMMANDS = (
    ["--help"],
    ["search", COMMON + " " + WORD],
    ["search", COMMON + " " + WORD, "--sort", "date"],
    ["search", COMMON + " " + WORD, "--json"],
    ["search", '"nations unies"', "--kind", "operative"],
)


def command_line(index_dir: Path, repeats: int) -> list[dict]:
    """The wall time of each of COMMANDS (median of ``repeats``), run as a
    new process with this Python."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"), NO_COLOR="1")
    rows = []
    for args in COMMANDS:
        full = args if args == ["--help"] else [*args, "--index", str(index_dir), "--limit", "3"]
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "resosearch", *full], env=env,
                                  capture_output=True, text=True)
            times.append((time.perf_counter() - t0) * 1e3)
            if done.returncode:
                raise SystemExit(f"resosearch {shlex.join(args)} failed: {done.stderr.strip()}")
        rows.append({"command": "resosearch " + shlex.join(args), "ms": statistics.median(times)})
    return rows


def command_table(rows: list[dict]) -> str:
    lines = ["| command (a new process each time; `--index`, `--limit 3`) | ms |", "|---|---:|"]
    lines += [f"| `{row['command']}` | {row['ms']:.0f} |" for row in rows]
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    lines = ["| operation | ours first call ms | ours ms | Whoosh's way ms | Whoosh / ours | same answer |",
             "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        same = "yes" if row["same_answer"] else "**no**"
        lines.append(f"| {row['operation']} | {row['ours_first_ms']:.1f} | {row['ours_ms']:.1f} | "
                     f"{row['whoosh_ms']:.1f} | {row['whoosh_ms'] / row['ours_ms']:.1f} | {same} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="an index built by resosearch")
    ap.add_argument("--size", type=int, help="else: build one of this many generated resolutions")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write the numbers here too")
    args = ap.parse_args(argv)
    if (args.index is None) == (args.size is None):
        ap.error("give --index or --size")
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index
        if index_dir is None:
            sys.path.insert(0, str(HERE))
            import corpus

            folder = corpus.generate(args.size, Path(scratch) / "files", workers=1, quiet=True)
            files = [folder / meta["path"] for meta in corpus.read_manifest(folder, args.size)]
            index_dir = Path(scratch) / "index"
            build_index(files, index_dir)
        rows = measure(index_dir, args.repeats)
        commands = command_line(index_dir, args.repeats)
    print(table(rows))
    print()
    print(command_table(commands))
    if args.json:
        args.json.write_text(json.dumps({"operations": rows, "command_line": commands}, indent=1))
    return 0 if all(row["same_answer"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
