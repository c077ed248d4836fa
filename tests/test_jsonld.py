"""Tests for bibsite/jsonld.py: the JSON-LD parses, matches the record, and is valid schema.org.

Validation is done two ways, with no network:
- pyld expands each document with a schema.org context served by a local document loader. The context
  is written here from the table below (each term mapped to its https://schema.org/ IRI, no @vocab),
  so a property or type name schema.org lacks (a typo, an invented term) is dropped by expansion, and
  the test sees it vanish; expansion also rejects malformed JSON-LD (a bad @value object, @language).
- Each node's properties are checked against its schema.org type's expected properties (the
  properties schema.org lists for the type and its parents, the ones we use), and against the value
  types schema.org expects for the nesting (an issue inside a volume inside a periodical).
Bundling schema.org's own context file would be third-party data pasted in; this table is ours.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pyld import jsonld as pyld_jsonld

from bibsite import jsonld
from bibsite.enrich import enrich

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "citations_records.yaml"
SCHEMA = "https://schema.org/"

_THING = {"name", "url", "sameAs", "identifier", "description", "alternateName"}
_CREATIVE_WORK = _THING | {"author", "datePublished", "inLanguage", "abstract", "keywords", "isPartOf",
                           "publisher", "headline", "alternativeHeadline", "license", "dateModified",
                           "isAccessibleForFree", "encodingFormat"}
# schema.org type -> the properties it expects (its own and its parents'), limited to those we may write.
EXPECTED = {
    "ScholarlyArticle": _CREATIVE_WORK | {"pagination", "pageStart", "pageEnd"},
    "DefinedTerm": _THING | {"termCode", "inDefinedTermSet", "publisher", "datePublished"},
    "Dataset": _CREATIVE_WORK | {"distribution"},
    "DefinedTermSet": _CREATIVE_WORK,
    "DataDownload": _CREATIVE_WORK | {"contentUrl", "encodingFormat"},
    "Periodical": _CREATIVE_WORK | {"issn"},
    "PublicationVolume": _CREATIVE_WORK | {"volumeNumber"},
    "PublicationIssue": _CREATIVE_WORK | {"issueNumber"},
    "Person": _THING | {"affiliation"},
    "Organization": _THING,
    "PropertyValue": _THING | {"propertyID", "value"},
}
# What schema.org expects as the value of a nesting property, by the type holding it.
RANGES = {
    ("ScholarlyArticle", "isPartOf"): {"PublicationIssue", "PublicationVolume", "Periodical", "Dataset"},
    ("PublicationIssue", "isPartOf"): {"PublicationVolume", "Periodical"},
    ("PublicationVolume", "isPartOf"): {"Periodical"},
    ("ScholarlyArticle", "author"): {"Person", "Organization"},
    ("Person", "affiliation"): {"Organization"},
    ("DefinedTerm", "inDefinedTermSet"): {"DefinedTermSet"},
    ("Dataset", "distribution"): {"DataDownload"},
}
TERMS = sorted(set(EXPECTED) | {p for props in EXPECTED.values() for p in props})
CONTEXT = {"@context": {term: {"@id": SCHEMA + term, **({"@type": "@id"} if term in {"url", "sameAs", "contentUrl"}
                                                       else {})} for term in TERMS}}


def _loader(url, options=None):
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"no network: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


def expand(data: dict) -> list:
    return pyld_jsonld.expand(data, {"documentLoader": _loader})


def count_keys(node) -> int:
    """Return how many properties (keys that are not @-keywords) a compact or expanded tree holds."""
    if isinstance(node, list):
        return sum(count_keys(item) for item in node)
    if isinstance(node, dict):
        return sum((0 if key.startswith("@") else 1) + count_keys(value) for key, value in node.items())
    return 0


def check_nodes(node, holder_type=None, prop=None):
    """Assert every typed node uses only the properties its schema.org type expects, with expected ranges."""
    if isinstance(node, list):
        for item in node:
            check_nodes(item, holder_type, prop)
        return
    if not isinstance(node, dict) or "@value" in node:
        return
    kind = node.get("@type")
    assert kind in EXPECTED, f"unknown type {kind!r}"
    if (holder_type, prop) in RANGES:
        assert kind in RANGES[(holder_type, prop)], f"{holder_type}.{prop} holds a {kind}"
    unexpected = {key for key in node if not key.startswith("@")} - EXPECTED[kind]
    assert not unexpected, f"{kind} does not expect {unexpected}"
    for key, value in node.items():
        if not key.startswith("@"):
            check_nodes(value, kind, key)


def valid(data: dict) -> list:
    """Return the expanded document after asserting it is valid schema.org JSON-LD (see the docstring)."""
    text = jsonld.script_text(data)
    assert "<" not in text
    assert json.loads(text) == data  # what the page carries parses back into the same data
    assert data["@context"] == "https://schema.org"
    check_nodes({k: v for k, v in data.items() if k != "@context"})
    expanded = expand(data)
    assert len(expanded) == 1
    assert count_keys(expanded) == count_keys({k: v for k, v in data.items() if k != "@context"}), "a term was dropped"
    assert all(key.startswith(SCHEMA) or key.startswith("@") for key in expanded[0])
    return expanded


@pytest.fixture(scope="module")
def full():
    return enrich(yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))[0])


def test_journal_article_matches_its_metadata(full):
    page = "https://example.org/en/abstracts/0a1b2c3d4e.html"
    data = jsonld.record(full, page_url=page, collection_url="https://example.org/", collection_name="文献库")
    expanded = valid(data)[0]
    assert expanded["@type"] == [SCHEMA + "ScholarlyArticle"] and expanded["@id"] == page
    assert data["headline"] == data["name"] == full["title"]
    assert [a["name"] for a in data["author"]] == full["authors"]
    assert data["datePublished"] == "2012" and data["inLanguage"] == "en"
    assert data["abstract"] == " ".join(full["text"].split())
    assert (data["pageStart"], data["pageEnd"]) == ("101", "115")
    assert data["identifier"]["value"] == full["doi"]
    assert data["sameAs"] == [f"https://doi.org/{full['doi']}", full["url"]]
    issue, collection = data["isPartOf"]
    assert issue["issueNumber"] == "2" and issue["isPartOf"]["volumeNumber"] == "3"
    assert issue["isPartOf"]["isPartOf"] == {"@type": "Periodical", "name": full["journal"]}
    assert collection["@type"] == "Dataset" and collection["@id"] == "https://example.org/"
    assert data["keywords"] == full["keywords"]


def test_bare_record_has_no_name_and_no_derived_title():
    bare = enrich({"id": "00ef1ce6b0", "type": "abstract", "language": "zh", "added": "2026-11-21",
                   "text": "上海合作组织成立以来,在地区安全合作方面取得了丰硕成果。其次。"})
    data = jsonld.record(dict(bare, keywords=["上海合作组织"], keywords_derived=True))
    valid(data)
    assert set(data) == {"@context", "@type", "inLanguage", "abstract"}
    assert data["inLanguage"] == "zh-Hans" and data["abstract"] == bare["text"]
    assert bare["display_title"] not in json.dumps(data, ensure_ascii=False).replace(bare["text"], "")


def test_authors_with_affiliations_and_a_journal_without_volume(full):
    record = dict(full, authors=[{"name": "王小明", "affiliation": "北京大学"}, "Lee, Ann"], volume=None, issue=None,
                  issn="1879-3665")
    data = jsonld.record(record)
    valid(data)
    assert data["author"][0] == {"@type": "Person", "name": "王小明",
                                 "affiliation": {"@type": "Organization", "name": "北京大学"}}
    assert data["isPartOf"] == {"@type": "Periodical", "name": full["journal"], "issn": "1879-3665"}


def test_glossary_entry_is_a_defined_term():
    glossary = yaml.safe_load((ROOT / "content" / "glossary" / "cica.yaml").read_text(encoding="utf-8"))
    data = jsonld.record(glossary, collection_name="文献库")
    expanded = valid(data)[0]
    assert data["@type"] == "DefinedTerm" and data["termCode"] == "CICA"
    names = {n["@language"]: n["@value"] for n in data["name"]}
    assert names == {"zh-Hans": "亚信会议", "vi": glossary["term"]["vi"], "en": glossary["term"]["en"]}
    assert {d["@language"] for d in data["description"]} == {"vi", "zh-Hans"}
    languages = {v["@language"].lower() for v in expanded[SCHEMA + "name"]}
    assert languages == {"zh-hans", "vi", "en"}
    assert data["inDefinedTermSet"] == {"@type": "DefinedTermSet", "name": "文献库"}
    assert data["publisher"]["name"] == "China.org.cn" and data["datePublished"] == "2017-04-19"


def test_collection_is_a_dataset_with_its_citation_files(full):
    records = [full, {"id": "x", "type": "abstract", "language": "zh", "added": "2026-11-21", "text": "文"}]
    data = jsonld.collection("亚欧区域安全文献库", "Abstracts on regional security", records, data_path="../data/")
    valid(data)
    assert data["@type"] == "Dataset" and data["dateModified"] == "2026-11-21"
    assert data["inLanguage"] == ["en", "zh-Hans"]
    assert [d["contentUrl"] for d in data["distribution"]] == [
        "../data/bibliography.bib", "../data/bibliography.ris", "../data/bibliography.json"]
    hosted = jsonld.collection("T", "D", records, base_url="https://example.org/")
    valid(hosted)
    assert hosted["@id"] == "https://example.org/"
    assert hosted["distribution"][0]["contentUrl"] == "https://example.org/data/bibliography.bib"


def test_the_validation_catches_an_unknown_property(full):
    data = jsonld.record(full)
    with pytest.raises(AssertionError):
        valid(dict(data, pageCount="15"))  # schema.org's Book has numberOfPages; nothing has pageCount
    with pytest.raises(AssertionError):
        valid(dict(data, author=[{"@type": "Person", "nmae": "x"}]))


def test_script_text_cannot_close_its_script_element(full):
    text = jsonld.script_text(jsonld.record(dict(full, title="</script><script>alert(1)</script> & more")))
    assert "</script" not in text.lower() and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & more"


def test_expansion_drops_a_term_schema_org_lacks(full):
    data = dict(jsonld.record(full), pageCount="15")
    assert count_keys(expand(data)) == count_keys({k: v for k, v in data.items() if k != "@context"}) - 1


def _page_jsonld(page: Path) -> list[dict]:
    import re
    html = page.read_text(encoding="utf-8")
    return [json.loads(text) for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


def test_the_built_record_pages_and_home_pages_carry_valid_jsonld_of_their_record(site_dir):
    records = json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))
    for record in records:
        folder = "glossary" if record["type"] == "glossary" else "abstracts"
        for lang in ("zh", "en"):
            found = _page_jsonld(site_dir / lang / folder / f"{record['id']}.html")
            assert len(found) == 1, (lang, record["id"])
            data = found[0]
            valid(data)
            assert data["@type"] == ("DefinedTerm" if record["type"] == "glossary" else "ScholarlyArticle")
            if record["type"] == "abstract" and not record.get("title_derived"):
                assert data["name"] == record["title"]
            if record["type"] == "abstract" and record.get("authors"):
                assert [a["name"] for a in data["author"]] == [
                    a["name"] if isinstance(a, dict) else a for a in record["authors"]]
    for lang in ("zh", "en"):
        found = _page_jsonld(site_dir / lang / "index.html")
        assert len(found) == 1 and found[0]["@type"] == "Dataset"
        valid(found[0])
        for download in found[0]["distribution"]:
            assert (site_dir / lang / download["contentUrl"]).resolve().is_file(), download
