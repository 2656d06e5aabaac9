"""A reader process for the concurrency tests.

    python reader_worker.py INDEX_DIR STOP_FILE QUERY...

Searches the index continuously until STOP_FILE exists: mostly through one
long-lived Index (refreshed when the index changes), every fifth round
through a freshly opened one. Prints one JSON line per answer:
``[query, total, [[number, ref], ...]]``, or ``["error", message]``.
"""

from __future__ import annotations

import json
import os
import sys
import time

from resosearch.search import Index


def answer(index: Index, query: str) -> list:
    results = index.search(query, limit=1000)
    return [query, results.total, sorted([h.number, h.paragraph.ref] for h in results.hits)]


def main() -> int:
    folder, stop, *queries = sys.argv[1:]
    shared = Index(folder)
    rounds = 0
    while not os.path.exists(stop) or rounds < 1:
        rounds += 1
        for query in queries:
            try:
                if rounds % 5 == 0:
                    with Index(folder) as fresh:
                        line = answer(fresh, query)
                else:
                    line = answer(shared, query)
            except Exception as error:  # reported to the test, which fails on it
                line = ["error", f"{type(error).__name__}: {error}"]
            print(json.dumps(line, ensure_ascii=False), flush=True)
            time.sleep(0.02)  # leave the writers some CPU on a small machine
    shared.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
