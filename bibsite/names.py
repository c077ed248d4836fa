"""Authors and journals: the names records are listed under, each with a page of its own and a slug.

A slug is the name in plain Latin letters (pinyin for Chinese, via collation.romanise) for a reader,
then a hash of the exact name, so that two names that romanise alike (王伟, 汪伟; Müller, Muller) never
share a page and a name keeps its slug whatever else the collection holds.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from . import collation, schema

KINDS = ("authors", "journals")
_SLUG_WORDS = 40  # characters of the readable part: enough to recognise a name in a URL


def clean(name: str) -> str:
    """Return a name as it identifies a page: NFC, runs of space as one, trimmed."""
    return " ".join(unicodedata.normalize("NFC", str(name)).split())


def slug(name: str) -> str:
    """Return the page slug of a name: romanised words joined by '-', then 8 hex digits of its hash."""
    readable = re.sub(r"[^a-z0-9]+", "-", collation.romanise(name).lower()).strip("-")[:_SLUG_WORDS].strip("-")
    digest = hashlib.sha1(clean(name).encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}" if readable else digest


def of_record(record: dict, kind: str) -> list[str]:
    """Return the names a record is listed under for kind (its authors in order, or its journal), each once."""
    if kind == "authors":
        names = [clean(author["name"]) for author in schema.authors(record)]
    else:
        names = [clean(record["journal"])] if record.get("journal") else []
    return list(dict.fromkeys(name for name in names if name))


def sort_key(name: str) -> tuple:
    """Return the key of a name in an index: Latin-script names first, then Chinese ones by pinyin."""
    return collation.sort_key(name, "zh"), name


def grouped(records: list[dict], kind: str) -> dict[str, list[dict]]:
    """Return {name: the records listed under it} for kind, names in index order, records as given."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        for name in of_record(record, kind):
            groups.setdefault(name, []).append(record)
    return {name: groups[name] for name in sorted(groups, key=sort_key)}
