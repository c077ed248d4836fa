"""Times similar() alone on a corpus file (e.g. one written by ../shared/bench/synth_real.py).

    python -m tests.bench_similar CORPUS.txt            analyse once (kept in CORPUS.txt.analysed), then time
    python -m tests.bench_similar CORPUS.txt --exact    also check the lists against similar(..., exact=True)

Prints the seconds similar() takes and the peak memory it adds to the process (VmHWM after minus
VmRSS before: the analysed input is loaded first). Analysis is the build's own: search_index's terms
of each text, counted, and the entities it names.
"""
from __future__ import annotations

import argparse
import pickle
import time
from collections import Counter
from pathlib import Path

from bibsite import corpus, entities, similar

ROOT = Path(__file__).resolve().parent.parent


def analysed(path: Path) -> tuple[dict, dict]:
    """Return ({id: {term: count}}, {id: [entity slug]}) for the entries of a corpus file, analysed once."""
    kept = path.with_name(path.name + ".analysed")
    if kept.exists():
        return pickle.loads(kept.read_bytes())
    from search_index.analyze import add_words, analyze

    table = entities.load_entities(ROOT / "content" / "entities.yaml")
    add_words(entities.user_words(table))
    terms, found = {}, {}
    for number, lines in corpus.split_entries(path.read_text(encoding="utf-8")):
        entry = corpus.derive_entry(lines)
        if not entry["text"]:
            continue
        record_id = f"{number:08d}"
        terms[record_id] = dict(Counter(analyze(entry["text"], entry["language"])))
        found[record_id] = entities.tag(entry["text"], table)
    kept.write_bytes(pickle.dumps((terms, found)))
    return terms, found


def _status(field: str) -> int:
    """Return a field of /proc/self/status in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--exact", action="store_true", help="compare with the all-pairs lists")
    args = parser.parse_args()
    terms, found = analysed(args.corpus)
    before = _status("VmRSS")
    start = time.perf_counter()
    lists = similar.similar(terms, found, 5, 1.0)
    seconds = time.perf_counter() - start
    peak = _status("VmHWM") - before
    print(f"similar(): {len(terms)} records in {seconds:.2f} s, peak +{peak} MB")
    if args.exact:
        start = time.perf_counter()
        exact = similar.similar(terms, found, 5, 1.0, exact=True)
        seconds = time.perf_counter() - start
        differ = sum(lists[i] != exact[i] for i in lists)
        print(f"exact: {seconds:.2f} s; lists that differ: {differ} of {len(lists)}")


if __name__ == "__main__":
    main()
