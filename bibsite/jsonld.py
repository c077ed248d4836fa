"""schema.org JSON-LD for page heads: a ScholarlyArticle per abstract, a DefinedTerm per glossary
entry, and a Dataset for the collection on the home page.

Only real fields are written (citations.real_fields): an abstract whose title the build derived has
no `name` or `headline`, since search engines would show it as the title; its text is the `abstract`.
The journal is nested the way schema.org's periodical guide does (ScholarlyArticle isPartOf
PublicationIssue isPartOf PublicationVolume isPartOf Periodical), leaving out the levels a record lacks.
"""
from __future__ import annotations

import json

from search_index.rules import LANG_TAGS

from .citations import _page_range, real_fields

CONTEXT = "https://schema.org"
# The collection's citation files, as (file under data/, media type, label).
DOWNLOADS = (("bibliography.bib", "application/x-bibtex", "BibTeX"),
             ("bibliography.ris", "application/x-research-info-systems", "RIS"),
             ("bibliography.json", "application/vnd.citationstyles.csl+json", "CSL-JSON"))


def record(rec: dict, page_url: str = "", collection_url: str = "", collection_name: str = "") -> dict:
    """Return the JSON-LD of one record's page: a DefinedTerm for a glossary entry, else a ScholarlyArticle.
    page_url and collection_url are absolute (base_url known) or "" (left out)."""
    data = _glossary(rec) if rec.get("type") == "glossary" else _article(rec)
    data = {"@context": CONTEXT, **data}
    if page_url:
        data["@id"] = page_url
        data["url"] = page_url
    if collection_name:
        glossary = data["@type"] == "DefinedTerm"
        # A term belongs to a term set; an article is part of the collection's Dataset.
        part = {"@type": "DefinedTermSet" if glossary else "Dataset", "name": collection_name}
        if collection_url:
            part["@id" if not glossary else "url"] = collection_url
            part.setdefault("url", collection_url)
        key = "inDefinedTermSet" if glossary else "isPartOf"
        # An article in a journal is part of both: its issue (or volume, or periodical) and the collection.
        data[key] = [data[key], part] if key in data else part
    return data


def _article(rec: dict) -> dict:
    f = real_fields(rec)
    data: dict = {"@type": "ScholarlyArticle"}
    if "title" in f:
        data["name"] = data["headline"] = f["title"]
    if rec.get("title_en"):
        data["alternativeHeadline"] = {"@value": " ".join(str(rec["title_en"]).split()), "@language": "en"}
    authors = [_person(author) for author in rec.get("authors") or []]
    if any(authors):
        data["author"] = [a for a in authors if a]
    if "date" in f or "year" in f:
        data["datePublished"] = f.get("date", f.get("year"))
    if "language" in f:
        data["inLanguage"] = LANG_TAGS.get(f["language"], f["language"])
    if "abstract" in f:
        data["abstract"] = f["abstract"]
    if "keywords" in f:
        data["keywords"] = f["keywords"]
    if "pages" in f:
        first, last = _page_range(f["pages"])
        data["pagination"] = f["pages"]
        data["pageStart"] = first
        if last:
            data["pageEnd"] = last
    same = []
    if "doi" in f:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": f["doi"]}
        same.append(f"https://doi.org/{f['doi']}")
    if "url" in f and f["url"].startswith(("http://", "https://")):
        same.append(f["url"])
    if same:
        data["sameAs"] = same
    if "publisher" in f:
        data["publisher"] = {"@type": "Organization", "name": f["publisher"]}
    container = _periodical(f, rec)
    if container:
        data["isPartOf"] = container
    return data


def _periodical(f: dict, rec: dict) -> dict:
    """Return the journal as nested Periodical / PublicationVolume / PublicationIssue; {} with no journal."""
    if "journal" not in f:
        return {}
    part: dict = {"@type": "Periodical", "name": f["journal"]}
    if rec.get("issn"):
        part["issn"] = str(rec["issn"])
    if "volume" in f:
        part = {"@type": "PublicationVolume", "volumeNumber": f["volume"], "isPartOf": part}
    if "issue" in f:
        part = {"@type": "PublicationIssue", "issueNumber": f["issue"], "isPartOf": part}
    return part


def _person(author) -> dict:
    """Return a schema.org Person of an author written as text or as {name, affiliation}; {} if nameless."""
    name = author.get("name", "") if isinstance(author, dict) else str(author)
    name = " ".join(name.split())
    if not name:
        return {}
    person = {"@type": "Person", "name": name}
    if isinstance(author, dict) and author.get("affiliation"):
        person["affiliation"] = {"@type": "Organization", "name": " ".join(str(author["affiliation"]).split())}
    return person


def _glossary(rec: dict) -> dict:
    terms = rec.get("term") or {}
    data: dict = {"@type": "DefinedTerm",
                  "name": [{"@value": " ".join(str(text).split()), "@language": LANG_TAGS.get(code, code)}
                           for code, text in sorted(terms.items()) if text]}
    if rec.get("abbreviation"):
        data["termCode"] = rec["abbreviation"]
    texts = rec.get("text") if isinstance(rec.get("text"), dict) else {}
    if texts:
        data["description"] = [{"@value": " ".join(str(text).split()), "@language": LANG_TAGS.get(code, code)}
                               for code, text in sorted(texts.items()) if text]
    if rec.get("publisher"):
        data["publisher"] = {"@type": "Organization", "name": rec["publisher"]}
    if rec.get("date"):
        data["datePublished"] = str(rec["date"])
    if rec.get("url"):
        data["sameAs"] = rec["url"]
    return data


def collection(name: str, description: str, records: list[dict], base_url: str = "", data_path: str = "data/",
               license_url: str = "") -> dict:
    """Return the JSON-LD of the home page: the collection as a schema.org Dataset, with its citation
    files as distributions. data_path is the data folder as seen from the page (relative without
    base_url, where schema.org's contentUrl is then a relative URL, resolved against the page)."""
    present = sorted({r.get("language") for r in records if r.get("language")} |
                     {code for r in records if isinstance(r.get("text"), dict) for code in r["text"]})
    data: dict = {"@context": CONTEXT, "@type": "Dataset", "name": name, "description": description,
                  "inLanguage": [LANG_TAGS.get(code, code) for code in present] or None,
                  "isAccessibleForFree": True}
    if base_url:
        data["@id"] = data["url"] = base_url
    added = sorted(str(r["added"]) for r in records if r.get("added"))
    if added:
        data["dateModified"] = added[-1]
    if license_url:
        data["license"] = license_url
    data["distribution"] = [{"@type": "DataDownload", "name": label, "encodingFormat": media,
                             "contentUrl": (base_url + "data/" + file) if base_url else data_path + file}
                            for file, media, label in DOWNLOADS]
    return {key: value for key, value in data.items() if value is not None}


def script_text(data: dict) -> str:
    """Return data as the text of a <script type="application/ld+json">: JSON with <, > and & escaped,
    so no text in a record can close the script element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
