"""Tests for bibsite/feed.py (Atom) and bibsite/opensearch.py: parsed by feedparser and by the standard
library's XML parser, newest first, stable ids, links with and without base_url."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import feedparser
import pytest

from bibsite import feed, opensearch
from bibsite.enrich import enrich

LANGUAGES = {"zh": "zh-Hans", "en": "en"}  # the interface languages the feed links each entry in, with their tags

ATOM = "{http://www.w3.org/2005/Atom}"
OS = "{http://a9.com/-/spec/opensearch/1.1/}"
BASE = "https://example.org/bib/"


def path_of(record):
    return f"{'glossary' if record['type'] == 'glossary' else 'abstracts'}/{record['id']}.html"


def make_records(count: int) -> list[dict]:
    """count abstracts added on distinct days (in shuffled id order), every third with authors."""
    records = []
    for n in range(count):
        record = {"id": f"{(n * 7919) % 1000:03d}{n:07x}", "type": "abstract", "language": "en",
                  "added": f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}",
                  "text": f"Abstract number {n} on collective security & the <SCO>.\x0b Second\x00 sentence."}
        if n % 3 == 0:
            record["authors"] = ["Smith, Ann", "王小明"]
            record["title"] = f"Title {n} & <more>"
        records.append(enrich(record))
    return records


@pytest.fixture(scope="module")
def records():
    return make_records(60) + [enrich({"id": "undated00", "type": "abstract", "language": "zh",
                                        "text": "没有日期的记录。"})]


def test_feed_is_well_formed_atom_with_the_newest_first(records):
    text = feed.atom(records, path_of, "亚欧区域安全文献库", subtitle="Newest additions", languages=LANGUAGES)
    root = ET.fromstring(text.encode("utf-8"))  # well-formed, or this raises
    assert root.tag == f"{ATOM}feed"
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == feed.ENTRIES
    expected = sorted(records[:60], key=lambda r: r["added"], reverse=True)[:feed.ENTRIES]
    assert [e.id for e in parsed.entries] == [feed.entry_id(r["id"]) for r in expected]
    dates = [e.updated for e in parsed.entries]
    assert dates == sorted(dates, reverse=True) and dates[0] == f"{expected[0]['added']}T00:00:00Z"
    assert parsed.feed.updated == dates[0]  # the newest entry's date, not the clock's
    assert parsed.feed.title == "亚欧区域安全文献库"


def test_entries_carry_title_authors_links_and_summary(records):
    parsed = feedparser.parse(feed.atom(records, path_of, "T", languages=LANGUAGES))
    by_id = {feed.entry_id(r["id"]): r for r in records}
    for entry in parsed.entries:
        record = by_id[entry.id]
        assert entry.title == record["display_title"]
        assert [a.name for a in entry.get("authors", []) if a.get("name") != "T"] == record.get("authors", [])
        assert entry.summary == " ".join(record["text"].replace("\x00", "").split())
        links = {link.hreflang: link.href for link in entry.links if link.rel == "alternate"}
        assert links == {"zh-Hans": f"zh/{path_of(record)}", "en": f"en/{path_of(record)}"}


def test_without_base_url_links_are_relative_and_resolve_beside_the_feed(records):
    text = feed.atom(records, path_of, "T", languages=LANGUAGES)
    root = ET.fromstring(text.encode("utf-8"))
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert hrefs and not any(h.startswith(("http:", "https:", "/")) for h in hrefs)
    assert not [link for link in root.iter(f"{ATOM}link") if link.get("rel") == "self"]
    first = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert urljoin("file:///home/me/site/feed.xml", first).startswith("file:///home/me/site/zh/abstracts/")


def test_with_base_url_links_are_absolute_and_the_feed_names_itself(records):
    parsed = feedparser.parse(feed.atom(records, path_of, "T", base_url=BASE, languages=LANGUAGES))
    assert not parsed.bozo
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [BASE + "feed.xml"]
    assert all(link.href.startswith(BASE) for e in parsed.entries for link in e.links)


def test_ids_are_stable_and_independent_of_base_url(records):
    plain = feedparser.parse(feed.atom(records, path_of, "T", languages=LANGUAGES))
    hosted = feedparser.parse(feed.atom(records, path_of, "Other", base_url=BASE, languages=LANGUAGES))
    assert [e.id for e in plain.entries] == [e.id for e in hosted.entries]
    assert plain.feed.id == hosted.feed.id and plain.feed.id.startswith("urn:uuid:")
    assert len({e.id for e in plain.entries}) == len(plain.entries)
    assert feed.entry_id("00ef1ce6b0") == feed.entry_id("00ef1ce6b0") != feed.entry_id("00ef1ce6b1")


def test_feed_is_deterministic_and_order_of_input_does_not_matter(records):
    assert feed.atom(records, path_of, "T", languages=LANGUAGES) == feed.atom(list(reversed(records)), path_of, "T", languages=LANGUAGES)


def test_a_small_collection_lists_every_record_undated_last():
    few = make_records(3) + [enrich({"id": "undated00", "type": "abstract", "language": "zh", "text": "无日期。"})]
    parsed = feedparser.parse(feed.atom(few, path_of, "T", languages=LANGUAGES))
    assert [e.id for e in parsed.entries][-1] == feed.entry_id("undated00")
    assert len(parsed.entries) == 4


def test_long_text_is_cut_in_the_summary():
    record = enrich({"id": "a" * 10, "type": "abstract", "language": "zh", "added": "2026-01-01",
                     "text": "安全合作。" * 400})
    summary = feedparser.parse(feed.atom([record], path_of, "T", languages=LANGUAGES)).entries[0].summary
    assert len(summary) == feed.SUMMARY_CHARS + 1 and summary.endswith("…")


def test_opensearch_description_only_with_base_url():
    assert opensearch.description("", "文献库", "检索") == ""
    assert opensearch.head_link("", "文献库") == {}
    text = opensearch.description(BASE, "区域安全文献库 Regional Security", "检索亚欧区域安全文献 & more")
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{OS}OpenSearchDescription"
    assert len(root.find(f"{OS}ShortName").text) <= 16
    assert root.find(f"{OS}Description").text == "检索亚欧区域安全文献 & more"
    urls = {u.get("type"): u.get("template") for u in root.iter(f"{OS}Url")}
    assert urls["text/html"] == BASE + "zh/search.html?q={searchTerms}"
    assert urls[opensearch.MEDIA_TYPE] == BASE + "opensearch.xml"
    assert root.find(f"{OS}InputEncoding").text == "UTF-8"
    assert opensearch.head_link(BASE, "文献库") == {
        "rel": "search", "type": "application/opensearchdescription+xml", "href": BASE + "opensearch.xml",
        "title": "文献库"}
