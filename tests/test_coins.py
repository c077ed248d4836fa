"""Tests for bibsite/coins.py: each span's title parses back (parse_qs) into the record's real fields."""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml

from bibsite import coins
from bibsite.enrich import enrich

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "citations_records.yaml"


@pytest.fixture(scope="module")
def full_and_hostile():
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bare():
    """A record as the import makes it: language, date added and text, no metadata."""
    return enrich({"id": "00ef1ce6b0", "type": "abstract", "language": "zh", "added": "2026-11-21",
                   "text": "上海合作组织成立以来,在地区安全合作方面取得了丰硕成果。这是第二句。" * 20})


@pytest.fixture(scope="module")
def glossary():
    return yaml.safe_load((ROOT / "content" / "glossary" / "cica.yaml").read_text(encoding="utf-8"))


class _Spans(HTMLParser):
    def __init__(self):
        super().__init__()
        self.titles = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and attrs.get("class") == "Z3988":
            self.titles.append(attrs["title"])


def parsed_span(markup: str) -> dict:
    """Return the ContextObject of the one COinS span in markup, read as an HTML parser and Zotero do."""
    reader = _Spans()
    reader.feed(markup)
    assert len(reader.titles) == 1
    return parse_qs(reader.titles[0], keep_blank_values=True, strict_parsing=True)


def test_journal_article_parses_into_its_fields(full_and_hostile):
    full, _ = full_and_hostile
    co = parsed_span(coins.span(full, page_url="https://example.org/zh/abstracts/0a1b2c3d4e.html"))
    assert co["ctx_ver"] == ["Z39.88-2004"]
    assert co["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:journal"]
    assert co["rft.genre"] == ["article"]
    assert co["rft.atitle"] == [full["title"]]
    assert co["rft.jtitle"] == [full["journal"]]
    assert co["rft.au"] == full["authors"]  # every author, in order
    assert co["rft.date"] == ["2012"]
    assert (co["rft.volume"], co["rft.issue"]) == (["3"], ["2"])
    assert (co["rft.spage"], co["rft.epage"]) == (["101"], ["115"])
    assert co["rft_id"] == [f"info:doi/{full['doi']}", full["url"],
                            "https://example.org/zh/abstracts/0a1b2c3d4e.html"]
    assert "rft.title" not in co and "rft.description" not in co


def test_record_without_metadata_is_dublin_core_and_never_sends_its_derived_title(bare):
    assert bare["title_derived"]
    co = parsed_span(coins.span(bare))
    assert co["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:dc"]
    assert not {"rft.title", "rft.atitle", "rft.jtitle", "rft.au", "rft.creator", "rft.date"} & set(co)
    assert bare["display_title"].rstrip("…") not in " ".join(v for key in co for v in co[key] if key != "rft.description")
    description = co["rft.description"][0]
    assert len(description) == coins.DESCRIPTION_CHARS + 1 and description.endswith("…")
    assert " ".join(bare["text"].split()).startswith(description[:-1])
    assert co["rft.language"] == ["zh"]
    assert "rft_id" not in co  # no page URL without base_url, no DOI, no URL


def test_short_abstract_is_sent_whole_and_relative_page_urls_are_not_identifiers(bare):
    record = dict(bare, text="A short English abstract.", language="en")
    co = parsed_span(coins.span(record, page_url="abstracts/00ef1ce6b0.html"))
    assert co["rft.description"] == ["A short English abstract."]
    assert "rft_id" not in co


def test_glossary_entry_is_titled_by_its_term(glossary):
    co = parsed_span(coins.span(glossary))
    assert co["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:dc"]
    assert co["rft.title"] == ["亚信会议 / " + glossary["term"]["vi"] + " / " + glossary["term"]["en"] + " / CICA"]
    assert co["rft.publisher"] == ["China.org.cn"] and co["rft.date"] == ["2017-04-19"]
    assert "rft.description" not in co  # its two-language text is not an abstract


def test_hostile_fields_stay_inside_the_attribute(full_and_hostile):
    _, hostile = full_and_hostile
    markup = coins.span(hostile)
    assert markup.count("<") == 2 and markup.count('"') == 4  # the span's own tags and quotes only
    co = parsed_span(markup)
    assert co["rft.atitle"] == [hostile["title"]]
    assert co["rft.au"] == hostile["authors"]
    assert co["rft.jtitle"] == [hostile["journal"]]


def test_span_is_deterministic_and_ordered(full_and_hostile):
    full, _ = full_and_hostile
    assert coins.span(full) == coins.span(dict(full))
    keys = [key for key, _ in coins.pairs(full)]
    assert keys[:2] == ["ctx_ver", "rfr_id"] and keys.index("rft_val_fmt") < keys.index("rft.atitle")
    assert html.unescape(re.search(r'title="([^"]*)"', coins.span(full)).group(1)) == coins.kev(full)


class _Entries(HTMLParser):
    """Collects, per <li> of a record list, the href of its link and the titles of its COinS spans."""

    def __init__(self):
        super().__init__()
        self.entries, self.open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol" and "record-list" in (attrs.get("class") or ""):
            self.open = False
        elif tag == "li" and self.open is not None:
            self.open = {"hrefs": [], "coins": []}
            self.entries.append(self.open)
        elif tag == "a" and self.open:
            self.open["hrefs"].append(attrs["href"])
        elif tag == "span" and attrs.get("class") == "Z3988" and self.open:
            self.open["coins"].append(attrs["title"])

    def handle_endtag(self, tag):
        if tag == "ol":
            self.open = None


def test_every_browse_and_entity_list_entry_carries_the_coins_of_its_record(site_dir):
    import json
    records = {r["id"]: r for r in json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))}
    pages = [site_dir / lang / "browse.html" for lang in ("zh", "en")]
    pages += sorted((site_dir / "zh" / "entities").glob("*.html"))
    seen = 0
    for page in pages:
        reader = _Entries()
        reader.feed(page.read_text(encoding="utf-8"))
        for entry in reader.entries:
            assert len(entry["hrefs"]) == 1 and len(entry["coins"]) == 1, (page, entry)
            record = records[entry["hrefs"][0].rsplit("/", 1)[1].removesuffix(".html")]
            co = parse_qs(entry["coins"][0], keep_blank_values=True, strict_parsing=True)
            assert co["ctx_ver"] == ["Z39.88-2004"]
            assert co == parse_qs(coins.kev(record), keep_blank_values=True, strict_parsing=True)
            seen += 1
    assert seen >= len(records)  # browse lists every record
