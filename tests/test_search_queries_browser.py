"""Every query of tests/fixtures/search-queries.yaml, typed into the built site's search page in
Chromium from file://, and each of its expectations checked against the built records (records.json).

The expectations are properties of the results (see the fixture's header), so they hold for any
collection; "contains" is case-insensitive on a record's title, every text block and its keywords.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "search-queries.yaml"
QUERIES = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def query_id(query: dict) -> str:
    return f"{query['ui']}:{query['q']}{':exact' if query.get('exact') else ''}"


def haystack(record: dict) -> str:
    """Returns the record's title, text blocks and keywords, lower-cased, as one string."""
    text = record.get("text")
    blocks = list(text.values()) if isinstance(text, dict) else [text or ""]
    keywords = record.get("keywords") or []
    if isinstance(keywords, dict):
        keywords = [k for ks in keywords.values() for k in ks]
    titles = [str(record.get(k) or "") for k in ("title", "display_title", "title_derived")]
    return fold("\n".join(titles + [str(b) for b in blocks] + [str(k) for k in keywords]))


def fold(text: str) -> str:
    """Returns text lower-cased with hyphens as spaces, as the analyzer reads them (Confidence-Building)."""
    return text.lower().replace("-", " ")


def contains(record: dict, terms) -> bool:
    hay = haystack(record)
    return any(fold(str(t)) in hay for t in terms)


def languages(record: dict) -> set[str]:
    text = record.get("text")
    return set(text) if isinstance(text, dict) else {record.get("language")} | set(record.get("languages") or [])


@pytest.fixture(scope="module")
def records(site_dir):
    return {r["id"]: r for r in json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def run(browser, site_dir):
    """Returns run(query) -> {ids, marks, status, also, more_hidden}: the page's answer to a fixture query."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    answers = {}

    def answer(query: dict) -> dict:
        key = query_id(query)
        if key in answers:
            return answers[key]
        url = (site_dir / query["ui"] / "search.html").as_uri() + "?q=" + quote(query["q"])
        if query.get("exact"):
            url += "&exact=1"
        page.goto(url)
        page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=query["q"])
        page.wait_for_function("() => Array.from(document.querySelectorAll('[data-record-id] .result-snippet'))"
                               ".every(s => s.childNodes.length > 0)")
        shown = page.evaluate("""() => ({
            marks: Array.from(document.querySelectorAll('[data-record-id] mark')).map(m => m.textContent),
            status: document.getElementById('search-status').textContent,
            also: document.getElementById('search-expanded').hidden ? '' : document.getElementById('search-expanded').textContent,
            moreVisible: !!document.getElementById('search-more').offsetParent,
            shown: document.querySelectorAll('[data-record-id]').length})""")
        ids = page.evaluate("([q, exact]) => window.bibSearch.search(q, {exact}).then(rs => rs.map(r => r.record.id))",
                            [query["q"], bool(query.get("exact"))])
        answers[key] = dict(shown, ids=ids)
        return answers[key]

    yield answer
    context.close()
    assert errors == []


def check(query: dict, got: dict, records: dict, run) -> list[str]:
    """Returns the expectations of query that the page's answer breaks (empty when all hold)."""
    expect, ids, broken = query["expect"], got["ids"], []
    found = [records[i] for i in ids]
    if "recall" in expect:
        wanted = {i for i, r in records.items() if contains(r, expect["recall"])}
        if wanted - set(ids):
            broken.append(f"recall: missed {sorted(wanted - set(ids))}")
    if "precision" in expect:
        bad = [r["id"] for r in found if not contains(r, expect["precision"])]
        if bad:
            broken.append(f"precision: {bad} contain none of {expect['precision']}")
    if "top" in expect and (not found or not all(contains(found[0], group) for group in expect["top"])):
        broken.append(f"top: the first result {ids[:1]} contains none of {expect['top']}")
    if "all_groups" in expect:
        bad = [r["id"] for r in found if not all(contains(r, group) for group in expect["all_groups"])]
        if bad:
            broken.append(f"all_groups: {bad}")
    if "crosses" in expect:
        lang = expect["crosses"]
        terms = expect.get("recall", [])
        can = any(lang in languages(r) and contains(r, terms) for r in records.values())
        if can and not any(lang in languages(r) for r in found):
            broken.append(f"crosses: no result in {lang}")
    if expect.get("no_glossary") and any(r["type"] == "glossary" for r in found):
        broken.append("no_glossary: a glossary entry is among the results")
    if expect.get("zero") and ids:
        broken.append(f"zero: {len(ids)} results")
    if "partial" in expect and ids:
        if query["q"] not in got["status"] or not any(t in got["status"] for t in expect["partial"]):
            broken.append(f"partial: status {got['status']!r}")
    if "same_as" in expect:
        other = run(dict(query, q=expect["same_as"]))
        if set(other["ids"]) != set(ids):
            broken.append(f"same_as {expect['same_as']!r}: {sorted(set(ids) ^ set(other['ids']))} differ")
    if "marks" in expect:
        allowed = {m.lower() for m in expect["marks"]}
        bad = sorted({m for m in got["marks"] if m.lower() not in allowed})
        if bad:
            broken.append(f"marks: {bad}")
    if "also_searched" in expect and not any(t in got["also"] for t in expect["also_searched"]):
        broken.append(f"also_searched: {got['also']!r}")
    if got["moreVisible"] and got["shown"] >= len(ids):
        broken.append("'Show more results' shows with nothing more to show")
    return broken


@pytest.mark.parametrize("query", QUERIES, ids=query_id)
def test_fixture_query(query, run, records):
    got = run(query)
    broken = check(query, got, records, run)
    assert not broken, "; ".join(broken)


def test_a_query_with_nothing_more_hides_show_more(run):
    got = run({"q": "xyzzy", "ui": "en"})
    assert got["ids"] == [] and not got["moreVisible"]


def snippets(browser, site_dir, ui: str, query: str) -> list[dict]:
    """Returns the shown results of query on the ui search page: {id, lang, text} of each snippet."""
    page = browser.new_page()
    try:
        page.goto((site_dir / ui / "search.html").as_uri() + "?q=" + quote(query))
        page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=query)
        page.wait_for_function("() => Array.from(document.querySelectorAll('[data-record-id] .result-snippet'))"
                               ".every(s => s.childNodes.length > 0)")
        return page.eval_on_selector_all("[data-record-id]", """els => els.map(e => ({id: e.dataset.recordId,
            lang: e.querySelector('.result-snippet').getAttribute('lang'),
            text: e.querySelector('.result-snippet').textContent}))""")
    finally:
        page.close()


def test_the_snippet_comes_from_the_block_with_the_match_in_the_interface_language(browser, site_dir, records):
    """亚信 from the Chinese interface: a record whose Chinese and Vietnamese blocks both hold a match
    shows its Chinese block."""
    both = [r for r in records.values() if isinstance(r.get("text"), dict) and "zh" in r["text"] and len(r["text"]) > 1
            and "亚信" in r["text"]["zh"]]
    assert both, "no record with a Chinese block naming 亚信 beside another language: the test would prove nothing"
    shown = {s["id"]: s for s in snippets(browser, site_dir, "zh", "亚信")}
    for record in both:
        assert shown[record["id"]]["lang"].startswith("zh"), shown[record["id"]]


def test_english_snippets_are_cut_at_word_boundaries(browser, site_dir, records):
    checked = 0
    for shown in snippets(browser, site_dir, "en", "security"):
        record = records[shown["id"]]
        if record.get("language") != "en":
            continue
        text = record["text"] if isinstance(record["text"], str) else record["text"]["en"]
        inner = shown["text"].strip("\u2026")
        at = text.find(inner)
        assert at >= 0, inner[:60]
        before, after = text[at - 1:at] if at else "", text[at + len(inner):at + len(inner) + 1]
        assert not (before.isalpha() and inner[:1].isalpha()), f"cut inside a word: …{inner[:30]}"
        assert not (after.isalpha() and inner[-1:].isalpha()), f"cut inside a word: {inner[-30:]}…"
        checked += 1
    assert checked


def test_also_searched_shows_translations_as_words_not_index_stems(run):
    # 多边 translates to the stem multilater: the line shows the gloss the build took it from
    got = run({"q": "多边", "ui": "en"})
    words = re.findall(r"[A-Za-z]+", got["also"])
    assert any(w.startswith("multilateral") for w in words) and "multilater" not in words, got["also"]
    got = run({"q": "地震", "ui": "en"})
    words = re.findall(r"[A-Za-z]+", got["also"])
    assert words and "earthquak" not in words, got["also"]
