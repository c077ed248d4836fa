"""One organisation, every name: cross-lingual search and entity pages in the built site, from file://.

Expectations come from the build's own entity tags (data/records.json) and the entity table, never
from a list of seed ids: a query naming an entity in one language must return every record tagged
with that entity, whatever language the record is written in.
"""
from __future__ import annotations

import json
import re

import pytest
import yaml

pytestmark = pytest.mark.browser

QUERIES = [
    ("SCO", "sco"),                     # English acronym → the Chinese abstracts about 上海合作组织
    ("上合", "sco"),                     # Chinese short form → English abstracts too
    ("Shanghai Cooperation Organisation", "sco"),  # British spelling of the full name
    ("Tổ chức Hợp tác Thượng Hải", "sco"),  # the Vietnamese name, a run of words → every SCO record
    ("北约", "nato"),                    # Chinese name → the English NATO abstract
    ("集安组织", "csto"),
    ("CICA", "cica"),                   # → the Vietnamese/Chinese glossary entry and English abstract
    ("Ca-dắc-xtan", "kazakhstan"),      # Vietnamese country name → Chinese abstracts naming 哈萨克斯坦
]


@pytest.fixture(scope="module")
def records(site_dir):
    return json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def entity_table(built_project):
    return {e["slug"]: e for e in yaml.safe_load((built_project / "content" / "entities.yaml").read_text("utf-8"))}


@pytest.fixture(scope="module")
def search(browser, site_dir):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site_dir / "en" / "search.html").as_uri())
    page.wait_for_function("window.bibSearch && window.bibSearch.ready()")

    def run(query: str, exact: bool = False) -> list[str]:
        return page.evaluate("([q, exact]) => window.bibSearch.search(q, {exact}).then(rs => rs.map(r => r.record.id))",
                             [query, exact])

    yield run
    assert errors == []
    context.close()


@pytest.mark.parametrize("query,slug", QUERIES)
def test_a_name_in_any_language_finds_every_record_about_the_entity(search, records, query, slug):
    tagged = {r["id"] for r in records if slug in r.get("entities", [])}
    assert tagged, f"no record is tagged {slug}: the test would prove nothing"
    found = search(query)
    assert tagged <= set(found), f"{query!r} missed {sorted(tagged - set(found))}"


def test_undiacritised_vietnamese_finds_the_glossary_entry(search, records):
    """hoi nghi (typed without diacritics) finds the glossary entries whose Vietnamese says Hội nghị."""
    expected = {r["id"] for r in records if r["type"] == "glossary" and "Hội nghị" in r["text"].get("vi", "")}
    assert expected
    assert expected <= set(search("hoi nghi"))


def test_expansion_crosses_languages(search, records):
    """SCO (English) finds Chinese records that never write 'SCO'; 北约 finds English text."""
    by_id = {r["id"]: r for r in records}
    found = search("SCO")
    assert any(by_id[i].get("language") == "zh" and "SCO" not in by_id[i]["text"] for i in found)
    found = search("北约")
    assert any(by_id[i].get("language") == "en" and "北约" not in by_id[i]["text"] for i in found)


def test_records_with_the_literal_text_rank_first(search, records):
    by_id = {r["id"]: r for r in records}
    found = search("SCO")
    literal = [bool(re.search(r"\bSCO\b", str(by_id[i].get("text", "")))) for i in found]
    assert literal[: sum(literal)] == [True] * sum(literal), "a record without 'SCO' ranked above one with it"


def test_exact_names_only_turns_expansion_off(browser, site_dir, records):
    by_id = {r["id"]: r for r in records}
    page = browser.new_page()
    try:
        found = {}
        for exact in ("", "&exact=1"):
            page.goto((site_dir / "en" / "search.html").as_uri() + "?q=%E5%8C%97%E7%BA%A6" + exact)
            page.wait_for_function("document.getElementById('search-results').dataset.query === '北约'")
            found[exact] = page.eval_on_selector_all("[data-record-id]", "els => els.map(e => e.dataset.recordId)")
    finally:
        page.close()
    assert all("北约" in json.dumps(by_id[i], ensure_ascii=False) for i in found["&exact=1"])
    assert set(found["&exact=1"]) < set(found[""])


def test_entity_page_lists_its_names_glossary_and_records(site_dir, records, entity_table):
    page = (site_dir / "zh" / "entities" / "cica.html").read_text(encoding="utf-8")
    for names in entity_table["cica"]["names"].values():
        for name in names:
            assert name in page
    assert "../glossary/cica.html" in page
    for record in records:
        if "cica" in record.get("entities", []) and record["type"] == "abstract":
            assert f"../abstracts/{record['id']}.html" in page


def test_record_pages_link_their_entities(site_dir, records):
    for record in records:
        folder = "abstracts" if record["type"] == "abstract" else "glossary"
        html = (site_dir / "en" / folder / f"{record['id']}.html").read_text(encoding="utf-8")
        for slug in record.get("entities", []):
            assert f'href="../entities/{slug}.html"' in html
