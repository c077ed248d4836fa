"""YAML record files in content/: reading them with positions for errors, writing them readably and atomically.

Reading 5,000 records costs a second of YAML parsing, so load_all keeps every parsed record in the
cache (.cache/records.cache) under its file's path and the SHA-256 of its bytes: a file is parsed
and validated again as soon as one byte of it changes (or this code, PyYAML or Python does), and
what the cache returns is exactly what parsing the file would give.
"""
from __future__ import annotations

import hashlib
import io
import os
import sys
from pathlib import Path

import yaml

from . import files, schema, textfile, yamlfile
from .cache import Cache, code_version
from .errors import InputError

KINDS = {"abstract": "abstracts", "glossary": "glossary"}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """A dumper that writes long or multi-line text as block scalars and keeps key order."""


def _str_representer(dumper, value):
    style = "|" if ("\n" in value or len(value) > 100) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(record: dict) -> str:
    """Return the YAML text of a record, keys in schema order."""
    return yaml.dump(schema.ordered(record), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def write_atomic(path: Path, text: str) -> None:
    """Write text (UTF-8, LF line ends) to path so that readers see the old file or the whole new one, never a part."""
    files.write_atomic(path, bytes(text, "utf-8"))  # as text: a TypeError for anything else


def parse(text: str, path) -> dict:
    """Return the validated record in a YAML text, or raise InputError with file:line:column."""
    raw, node = yamlfile.load_with_node(text, path)
    return schema.validate(raw, path, yamlfile.key_positions(node))


def load(path: Path, display_path: str | None = None) -> dict:
    """Return the validated record stored in one YAML file."""
    shown = display_path or str(path)
    return _from_bytes(textfile.read_bytes(path, shown), Path(path), shown)


def _from_bytes(data: bytes, path: Path, shown: str) -> dict:
    """Return the validated record in the bytes of the YAML file at path (named shown in errors)."""
    try:
        # Decoded as Path.read_text would: BOM dropped, CRLF and CR read as LF.
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
    except UnicodeDecodeError:
        raise InputError(shown, "is not UTF-8 text", "save the record as UTF-8") from None
    raw, node = yamlfile.load_with_node(text, shown)
    record = schema.validate(raw, shown, yamlfile.key_positions(node))
    expected = path.stem
    if record["id"] != expected:
        line, column = yamlfile.key_positions(node).get("id", (None, None))
        raise InputError(shown, f"id '{record['id']}' does not match the file name '{expected}.yaml'",
                         f"rename the file to {record['id']}.yaml or restore the id", line=line, column=column)
    folder = KINDS[record["type"]]
    if path.parent.name != folder:
        raise InputError(shown, f"a {record['type']} record is in the wrong folder",
                         f"move it to content/{folder}/")
    return record


def _parser_version() -> str:
    """Return the version of everything that turns a record file into a record: this module, the
    schema, PyYAML (with or without libyaml)."""
    return f"{code_version(sys.modules[__name__], schema, yamlfile, textfile)}:{yaml.__version__}:{yaml.__with_libyaml__}"


def _load_cached(path: str, shown: str, cache: Cache, root: Path, known: bytes | None = None) -> dict:
    """Return the validated record in one YAML file, from cache when it holds one for these exact bytes
    (known: their SHA-256 if the caller has it, which saves reading the file on a hit)."""
    if known is not None:
        record = cache.get(f"{shown}\n{known.hex()}")
        if record is not None:
            return record
    data = textfile.read_bytes(path, shown, root)
    key = f"{shown}\n{hashlib.sha256(data).hexdigest()}"  # the bytes read, whatever known said
    record = cache.get(key)
    if record is None:
        record = _from_bytes(data, Path(path), shown)
        cache.put(key, record)
    return record


def _yaml_names(folder: Path) -> list[str]:
    """Return the sorted names in folder that end in .yaml (what folder.glob("*.yaml") finds)."""
    if not folder.is_dir():
        return []
    return sorted(name for name in os.listdir(folder) if name.endswith(".yaml"))


def load_added(paths: list[Path], root: Path, cache_dir: Path) -> list[dict]:
    """Return the validated records of files just written (by the import), with their "path", and
    keep them in the records cache beside the records load_all() read."""
    cache = Cache(cache_dir, "records", _parser_version())
    loaded = []
    for path in paths:
        shown = os.path.relpath(path, root)
        loaded.append({**_load_cached(str(path), shown, cache, root), "path": shown})
    cache.save(keep_unused=True)
    return loaded


def load_all(content_dir: Path, root: Path, cache_dir: Path | None = None,
             hashes: dict[str, bytes] | None = None) -> list[dict]:
    """Return every record under content/abstracts and content/glossary, validated, sorted by id.

    Parsed records are cached in cache_dir (by default root/.cache, the project's cache folder).
    hashes maps a file's path relative to root to the SHA-256 of its bytes when the caller knows it
    (uptodate.input_hashes): such a file is read only if the cache holds no record for those bytes."""
    hashes = hashes or {}
    cache = Cache(cache_dir if cache_dir is not None else root / ".cache", "records", _parser_version())
    records, seen = [], {}
    for folder in KINDS.values():
        directory = content_dir / folder
        shown_directory = os.path.relpath(directory, root)
        for name in _yaml_names(directory):
            shown = os.path.join(shown_directory, name)
            record = _load_cached(os.path.join(directory, name), shown, cache, root, hashes.get(shown))
            if record["id"] in seen:
                raise InputError(shown, f"duplicate id '{record['id']}' (also in {seen[record['id']]})",
                                 "keep one of the two files")
            seen[record["id"]] = shown
            records.append({**record, "path": shown})
    for path in sorted(set(content_dir.glob("*/*.yml"))):
        raise InputError(os.path.relpath(path, root), "has the extension .yml", "rename it to .yaml")
    cache.save()
    return sorted(records, key=lambda r: (r["type"], r["id"]))
