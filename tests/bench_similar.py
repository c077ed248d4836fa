"""Times similar() alone on a corpus file (e.g. one written by ../shared/bench/synth_real.py).

    python -m tests.bench_similar CORPUS.txt                  analyse once (kept in CORPUS.txt.analysed), then time
    python -m tests.bench_similar CORPUS.txt --save OUT       also keep the lists (pickle)
    python -m tests.bench_similar CORPUS.txt --compare OUT    and count the lists that differ from those

Prints the seconds similar() takes (wall and CPU: on a shared machine CPU time is the steadier one) and
the peak memory it adds to the process (VmHWM after minus VmRSS before: the analysed input is loaded
first). --similar PATH times another copy of bibsite/similar.py (e.g. `git show main:bibsite/similar.py`). Analysis is the build's own: search_index's terms
of each text, counted, and the entities it names.
"""
from __future__ import annotations

import argparse
import importlib.util
import pickle
import sys
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
    parser.add_argument("--save", type=Path, help="write the lists to this file (pickle)")
    parser.add_argument("--compare", type=Path, help="count the lists that differ from those saved here")
    parser.add_argument("--similar", type=Path, help="time this copy of similar.py instead")
    args = parser.parse_args()
    module = similar
    if args.similar:
        spec = importlib.util.spec_from_file_location("bibsite.similar_under_test", args.similar)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    terms, found = analysed(args.corpus)
    before = _status("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    lists = module.similar(terms, found, 5, 1.0)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _status("VmHWM") - before
    print(f"similar(): {len(terms)} records in {seconds:.2f} s ({cpu:.2f} s CPU), peak +{peak} MB")
    if args.save:
        args.save.write_bytes(pickle.dumps(lists))
    if args.compare:
        other = pickle.loads(args.compare.read_bytes())
        differ = sum(lists[i] != other.get(i) for i in lists) + len(other.keys() - lists.keys())
        print(f"lists that differ from {args.compare}: {differ} of {len(lists)}")


if __name__ == "__main__":
    main()
