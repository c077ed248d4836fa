"""COinS (ContextObjects in Spans, OpenURL 1.0 / Z39.88-2004 KEV): one empty <span class="Z3988"> per
record on list pages and search results, which Zotero's connector reads to offer saving many at once.

A record with a journal is a journal article (the KEV journal format: atitle, jtitle, au, date, volume,
issue, spage, epage, issn, a DOI as rft_id=info:doi/…). Anything else is Dublin Core (the KEV dc format:
title, creator, date, publisher, language, description). Only real fields are written: a title the build
derived from the first sentence is never sent as a title (it would be saved as one); the abstract goes
into description instead, cut to a few hundred characters, since every one of a list page's records
carries its span and a percent-encoded Chinese character costs nine bytes (the whole abstract is on the
record's page and in its citation files).
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

from .citations import _page_range, real_fields

CTX_VER = "Z39.88-2004"
JOURNAL_FORMAT = "info:ofi/fmt:kev:mtx:journal"
DC_FORMAT = "info:ofi/fmt:kev:mtx:dc"
REFERRER = "info:sid/regional-security-bibliography"
DESCRIPTION_CHARS = 200


def pairs(record: dict, page_url: str = "", description_chars: int = DESCRIPTION_CHARS) -> list[tuple[str, str]]:
    """Return the record's ContextObject as (key, value) pairs in a fixed order (repeated keys for
    authors and identifiers). page_url, when absolute, is sent as an identifier of the record."""
    f = real_fields(record)
    out = [("ctx_ver", CTX_VER), ("rfr_id", REFERRER)]
    if "doi" in f:
        out.append(("rft_id", f"info:doi/{f['doi']}"))
    for url in (f.get("url"), page_url):
        if url and url.startswith(("http://", "https://")):
            out.append(("rft_id", url))
    date = f.get("date", f.get("year"))
    if "journal" in f:
        out += [("rft_val_fmt", JOURNAL_FORMAT), ("rft.genre", "article")]
        if "title" in f:
            out.append(("rft.atitle", f["title"]))
        out.append(("rft.jtitle", f["journal"]))
        out += [("rft.au", name) for name in f.get("authors", [])]
        out += [(key, f[name]) for name, key in (("volume", "rft.volume"), ("issue", "rft.issue")) if name in f]
        if date:
            out.append(("rft.date", date))
        if "pages" in f:
            first, last = _page_range(f["pages"])
            out.append(("rft.spage", first))
            if last:
                out.append(("rft.epage", last))
            out.append(("rft.pages", f["pages"]))
        if record.get("issn"):
            out.append(("rft.issn", str(record["issn"])))
    else:
        out.append(("rft_val_fmt", DC_FORMAT))
        title = f.get("title") or _glossary_term(record)
        if title:
            out.append(("rft.title", title))
        out += [("rft.creator", name) for name in f.get("authors", [])]
        if date:
            out.append(("rft.date", date))
        if "publisher" in f:
            out.append(("rft.publisher", f["publisher"]))
        out.append(("rft.type", "glossary entry" if record.get("type") == "glossary" else "text"))
    if "language" in f:
        out.append(("rft.language", f["language"]))
    if "abstract" in f and "journal" not in f:
        out.append(("rft.description", _cut(f["abstract"], description_chars)))
    return out


def kev(record: dict, page_url: str = "", description_chars: int = DESCRIPTION_CHARS) -> str:
    """Return the record's ContextObject as a KEV string (application/x-www-form-urlencoded, UTF-8)."""
    return urlencode(pairs(record, page_url, description_chars))


def span(record: dict, page_url: str = "", description_chars: int = DESCRIPTION_CHARS) -> str:
    """Return the record's COinS element, ready to put in HTML: <span class="Z3988" title="…"></span>."""
    return f'<span class="Z3988" title="{html.escape(kev(record, page_url, description_chars), quote=True)}"></span>'


def _glossary_term(record: dict) -> str:
    """Return a glossary entry's term (its real title): the Chinese and Vietnamese terms, with the
    abbreviation; "" for any other record."""
    term = record.get("term") if record.get("type") == "glossary" else None
    if not isinstance(term, dict):
        return ""
    names = [term[code] for code in ("zh", "vi", "en") if term.get(code)]
    if record.get("abbreviation"):
        names.append(record["abbreviation"])
    return " / ".join(" ".join(str(name).split()) for name in names)


def _cut(text: str, limit: int) -> str:
    """Return text, or its first limit characters and an ellipsis when it is longer."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
