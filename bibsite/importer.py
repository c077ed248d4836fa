"""The import stage: seeds/ → the new YAML records for content/ (written by the publish step), never a record that exists."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from . import corpus, schema, textnorm
from . import records as record_files
from .cache import Cache, code_version
from .glossary import read_glossary

GLOSSARY_FACTS = {
    # English names added by hand as facts; the seed pages carry only Vietnamese and Chinese.
    "cica": {"en": "Conference on Interaction and Confidence-Building Measures in Asia"},
}


def today() -> str:
    """Return the import date: SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch else _dt.datetime.now(_dt.timezone.utc)
    return moment.date().isoformat()


def read_seeds(seeds_dir: Path, root: Path, warn, cache_dir: Path | None = None) -> tuple[list[dict], list[str]]:
    """Return (candidate records from every seed file, duplicate notes), records in file and line order.

    What each corpus entry's text, language and truncation are is cached in cache_dir (by default
    root/.cache, the project's cache folder), by the entry's lines."""
    entry_cache = Cache(cache_dir if cache_dir is not None else root / ".cache", "seed-entries",
                        code_version(corpus, textnorm))
    candidates, seen, duplicates = [], {}, []
    for path in sorted((seeds_dir / "abstracts").glob("*.txt")):
        shown = os.path.relpath(path, root)
        for entry in corpus.read_corpus(path, warn, shown, entry_cache):
            where = f"{shown}:{entry['line']}"
            record = {
                "id": textnorm.record_id(entry["text"]),
                "type": "abstract",
                "language": entry["language"],
                "truncated": entry["truncated"],
                "source_file": shown,
                "source_line": entry["line"],
                "text": entry["text"],
            }
            if record["id"] in seen:
                duplicates.append(f"{where} (same text as {seen[record['id']]})")
                continue
            seen[record["id"]] = where
            candidates.append(record)
    for path in sorted((seeds_dir / "glossary").glob("*.txt")):
        shown = os.path.relpath(path, root)
        record = read_glossary(path, shown)
        record["term"] = {**GLOSSARY_FACTS.get(record["id"], {}), **record["term"]}
        record["source_file"] = shown
        if record["id"] in seen:
            duplicates.append(f"{shown} (same id '{record['id']}' as {seen[record['id']]})")
            continue
        seen[record["id"]] = shown
        candidates.append(record)
    entry_cache.save()
    return candidates, duplicates


def import_seeds(seeds_dir: Path, content_dir: Path, existing: list[dict], root: Path, warn) -> dict:
    """Return what is new (a validated record for every seed entry not yet in content/), skipped and
    orphaned; nothing is written here: the build stages the new records and publishes them with the site."""
    candidates, duplicates = read_seeds(seeds_dir, root, warn)
    known = {record["id"] for record in existing}
    added_on = today()
    new = []
    for candidate in candidates:
        if candidate["id"] in known:
            continue
        candidate["added"] = added_on
        folder = record_files.KINDS[candidate["type"]]
        path = content_dir / folder / f"{candidate['id']}.yaml"
        # Validated here so that a record the build would refuse is never staged.
        record = schema.validate(candidate, os.path.relpath(path, root))
        new.append((path, record))
    seed_ids = {c["id"] for c in candidates} | {record["id"] for _, record in new}
    orphans = [r["path"] for r in existing if r.get("source_file") and r["id"] not in seed_ids]
    return {
        "new": [record for _, record in new],
        "duplicates": duplicates,
        "unchanged": sum(1 for c in candidates if c["id"] in known),
        "orphans": orphans,
    }
