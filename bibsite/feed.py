"""The Atom 1.0 feed (RFC 4287) of the collection's newest additions, site/feed.xml.

Entries are the records added last (their `added` date, then id, so the order is total and two builds
give the same bytes), newest first, ENTRIES of them. Each entry's id is a urn:uuid made from the record
id alone (UUID version 5), so it never changes when the site moves or base_url is set later, which is
what Atom asks of an id. The feed's `updated` is its newest entry's, never the clock's.

Links: with base_url they are absolute. Without it they are relative references, which Atom allows
(RFC 4287 §4.2.7.1: an IRI reference, resolved as RFC 3986 says, against xml:base or else the
document's own address), so a reader that opened site/feed.xml, from a host or from file://, resolves
`zh/abstracts/<id>.html` beside it. No rel="self" link is written then: it must be the feed's address,
which only base_url knows.
"""
from __future__ import annotations

import re
import uuid
from typing import Callable
from xml.sax.saxutils import escape as _escape, quoteattr

from .links import LANG_TAGS

ATOM_NS = "http://www.w3.org/2005/Atom"
ENTRIES = 50
SUMMARY_CHARS = 600
FEED_PATH = "feed.xml"
MEDIA_TYPE = "application/atom+xml"
# Any fixed UUID will do: it only keeps these ids apart from other urn:uuid ids made by name.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:regional-security-bibliography")
# Characters XML 1.0 forbids even escaped: one in a record's text would make the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def entry_id(record_id: str) -> str:
    """Return the stable Atom id of a record: urn:uuid:… derived from its id only."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, 'record/' + record_id)}"


def newest(records: list[dict], count: int = ENTRIES) -> list[dict]:
    """Return the count records added last, newest first (ties by id; records with no date last)."""
    dated = sorted((r for r in records if r.get("added")), key=lambda r: (str(r["added"]), r["id"]), reverse=True)
    undated = sorted((r for r in records if not r.get("added")), key=lambda r: r["id"])
    return (dated + undated)[:count]


def atom(records: list[dict], path_of: Callable[[dict], str], title: str, base_url: str = "",
         subtitle: str = "", count: int = ENTRIES, *, languages: dict[str, str]) -> str:
    """Return the Atom feed (UTF-8 XML text) of the newest records.

    Records are analysed ones (display_title, added; the text blocks under "build"). path_of(record) is a record page's path
    under a UI language folder (pages.record_path); entries link to the Chinese interface's page, with
    the English one as an alternate."""
    entries = newest(records, count)
    updated = _timestamp(entries[0].get("added")) if entries else "1970-01-01T00:00:00Z"
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<feed xmlns="{ATOM_NS}">',
             f"  <id>urn:uuid:{uuid.uuid5(_NAMESPACE, 'collection')}</id>",
             f"  <title>{escape(title)}</title>"]
    if subtitle:
        lines.append(f"  <subtitle>{escape(subtitle)}</subtitle>")
    lines.append(f"  <updated>{updated}</updated>")
    # The collection is the author of the feed: entries without authors of their own inherit it.
    lines.append(f"  <author><name>{escape(title)}</name></author>")
    lines.append(f'  <link rel="alternate" type="text/html" href={quoteattr(base_url + "index.html")}/>')
    if base_url:
        lines.append(f'  <link rel="self" type="application/atom+xml" href={quoteattr(base_url + FEED_PATH)}/>')
    lines.append('  <generator>regional-security-bibliography</generator>')
    for record in entries:
        lines += _entry(record, path_of, base_url, languages)
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _entry(record: dict, path_of: Callable[[dict], str], base_url: str, languages) -> list[str]:
    title_lang = LANG_TAGS.get(record.get("title_language", ""), record.get("title_language", ""))
    lang_attr = f" xml:lang={quoteattr(title_lang)}" if title_lang else ""
    out = ["  <entry>", f"    <id>{entry_id(record['id'])}</id>",
           f"    <title{lang_attr}>{escape(record['display_title'])}</title>",
           f"    <updated>{_timestamp(record.get('added'))}</updated>"]
    for name in _authors(record):
        out.append(f"    <author><name>{escape(name)}</name></author>")
    for lang, tag in languages.items():
        # Atom allows one alternate per (type, hreflang) pair: every interface language's page is one.
        href = quoteattr(base_url + f"{lang}/{path_of(record)}")
        out.append(f'    <link rel="alternate" type="text/html" hreflang="{tag}" href={href}/>')
    summary = _summary(record)
    if summary:
        out.append(f"    <summary>{escape(summary)}</summary>")
    out.append("  </entry>")
    return out


def _authors(record: dict) -> list[str]:
    """Return the record's author names (as written, or the name of an author given as a mapping)."""
    names = []
    for author in record.get("authors") or []:
        name = author.get("name", "") if isinstance(author, dict) else str(author)
        if name.strip():
            names.append(" ".join(name.split()))
    return names


def _summary(record: dict) -> str:
    """Return the start of the record's text (every language block), cut at SUMMARY_CHARS."""
    blocks = record.get("build", {}).get("blocks", [])
    text = " ".join(" ".join(block["text"].split()) for block in blocks)
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rstrip() + "…"


def escape(text: str) -> str:
    """Return text escaped for XML character data, without the characters XML cannot hold."""
    return _escape(_NOT_XML.sub("", text))


def _timestamp(added) -> str:
    """Return an RFC 3339 timestamp of a YYYY-MM-DD date (midnight UTC); the epoch for no date."""
    return f"{added}T00:00:00Z" if added else "1970-01-01T00:00:00Z"
