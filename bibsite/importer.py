"""The import stage: seeds/ → new YAML records in content/, never touching a record that exists;
exports in seeds/metadata/ fill the fields a record lacks (never one it has) and add the abstracts
not yet in the collection."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from . import corpus, metadata, schema, textnorm
from . import records as record_files
from .metadata import merge
from .cache import Cache, code_version
from .errors import InputError
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
        for entry in corpus.read_corpus(path, warn, shown, entry_cache, root):
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
        record = read_glossary(path, shown, root)
        record["term"] = {**GLOSSARY_FACTS.get(record["id"], {}), **record["term"]}
        record["source_file"] = shown
        if record["id"] in seen:
            duplicates.append(f"{shown} (same id '{record['id']}' as {seen[record['id']]})")
            continue
        seen[record["id"]] = shown
        candidates.append(record)
    entry_cache.save()
    return candidates, duplicates


def plan_metadata(seeds_dir: Path, records: list[dict], root: Path, added_on: str) -> dict:
    """Return what the exports in seeds/metadata/ do to records (each with its "path" when it has a
    file): {"matched": entries that found their record, "new": records made from the others,
    "updated": records given fields they lacked (with their "path"), "skipped": entries without an
    abstract and "ambiguous": entries with two candidates or a near-identical text (file:line and why), and
    "matched_ids"}.
    Entries are taken in file name and line order, so the first export to give a field gives it."""
    entries = metadata.read_folder(seeds_dir / "metadata", root)
    plan = {"matched": 0, "new": [], "updated": [], "skipped": [], "ambiguous": [], "matched_ids": set()}
    if not entries:
        return plan
    collection = merge.Collection(records)
    by_id = {record["id"]: record for record in records}
    before = dict(by_id)
    for entry in entries:
        where = f"{entry['file']}:{entry['line']}"
        if not entry.get("abstracts"):
            plan["skipped"].append(where)
            continue
        found = [(abstract, collection.find(abstract)) for abstract in entry["abstracts"]]
        exact = sorted({rid for _, (ids, _c, _n) in found for rid in ids})
        completes = sorted({rid for _, (_i, rid, _n) in found if rid})
        near = sorted({rid for _, (_i, _c, ids) in found for rid in ids})
        candidates = exact or completes
        if len(candidates) > 1:
            shown = ", ".join(by_id[rid].get("path") or rid for rid in candidates)
            plan["ambiguous"].append(f"{where} (its abstract matches {shown})")
            continue
        if candidates:
            record = by_id[candidates[0]]
            abstract = next(a for a, (ids, rid, _n) in found if candidates[0] in ids or rid == candidates[0])
            completed = not exact and record.get("truncated")
            if completed:  # the entry has the whole text of a truncated record
                record = {**record, "text": abstract, "truncated": False}
            path = record.get("path")
            filled = _checked(merge.fill(record, merge.offered(entry, record["language"], abstract)), entry)
            by_id[record["id"]] = {**filled, "path": path} if path else filled
            if completed:  # later exports of the same abstract now meet the whole text
                collection.add(filled)
            plan["matched"] += 1
            plan["matched_ids"].add(record["id"])
            continue
        if near:
            shown = ", ".join(by_id[rid].get("path") or rid for rid in near)
            plan["ambiguous"].append(f"{where} (its abstract is nearly but not exactly that of {shown})")
            continue
        text = merge.main_abstract(entry)
        language = textnorm.detect_language(text)
        record = {"id": textnorm.record_id(text), "type": "abstract", "language": language,
                  "truncated": textnorm.is_truncated(text), "added": added_on, "source_file": entry["file"],
                  "source_line": entry["line"], "text": text}
        record = _checked(merge.fill(record, merge.offered(entry, language, text)), entry)
        by_id[record["id"]] = record
        collection.add(record)
        plan["new"].append(record["id"])
    plan["new"] = [by_id[rid] for rid in plan["new"]]
    new_ids = {record["id"] for record in plan["new"]}
    plan["updated"] = [record for rid, record in by_id.items()
                       if rid in before and rid not in new_ids and record != before[rid]]
    return plan


def _checked(record: dict, entry: dict) -> dict:
    """Return record as the schema has it, or raise InputError naming the export entry that gave the bad value."""
    try:
        return schema.validate(record, entry["file"])
    except InputError as error:
        raise InputError(entry["file"], f"the entry here gives a record whose {error.problem}", error.fix,
                         line=entry["line"]) from None


def import_seeds(seeds_dir: Path, content_dir: Path, existing: list[dict], root: Path, warn) -> dict:
    """Write a YAML record for every seed entry not yet in content/, and the fields seeds/metadata/
    gives records; return what was new, skipped, orphaned, and what the metadata did."""
    candidates, duplicates = read_seeds(seeds_dir, root, warn)
    known = {record["id"] for record in existing}
    added_on = today()
    fresh = [candidate for candidate in candidates if candidate["id"] not in known]
    for candidate in fresh:
        candidate["added"] = added_on
    plan = plan_metadata(seeds_dir, existing + fresh, root, added_on)
    changed = {record["id"]: record for record in plan["updated"] + plan["new"]}
    writes = []
    for record in fresh + plan["new"] + [r for r in plan["updated"] if r["id"] in known]:
        record = changed.get(record["id"], record)
        folder = record_files.KINDS[record["type"]]
        path = content_dir / folder / f"{record['id']}.yaml"
        # Validate before writing so the import never leaves a record the build would refuse.
        plain = {key: value for key, value in record.items() if key != "path"}
        try:
            writes.append((path, schema.validate(plain, os.path.relpath(path, root))))
        except InputError as error:
            if record["id"] in known or not record.get("source_file"):
                raise
            # A new record's file does not exist yet: name the seed it came from.
            raise InputError(record["source_file"], error.problem, error.fix,
                             line=record.get("source_line")) from None
    for path, record in writes:
        record_files.write_atomic(path, record_files.dump(record))
    written = {record["id"]: record for _, record in writes}
    seed_ids = {c["id"] for c in candidates} | set(written) | {r["id"] for r in plan["updated"]}
    seed_ids |= plan["matched_ids"]
    orphans = [r["path"] for r in existing if r.get("source_file") and r["id"] not in seed_ids]
    return {
        "new": [written[c["id"]] for c in fresh],
        "duplicates": duplicates,
        "unchanged": sum(1 for c in candidates if c["id"] in known),
        "orphans": orphans,
        "metadata": {"matched": plan["matched"], "new": [written[r["id"]] for r in plan["new"]],
                     "updated": [written[r["id"]] for r in plan["updated"] if r["id"] in known],
                     "skipped": plan["skipped"], "ambiguous": plan["ambiguous"]},
    }
