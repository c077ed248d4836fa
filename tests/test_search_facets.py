"""The search page's facets, sort, COinS and export in Chromium, on a site built with the metadata
fixtures imported, from file:// and from http://127.0.0.1."""
from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import bibtexparser
import pytest
import rispy
from bibtexparser.bparser import BibTexParser

from conftest import copy_project, run_build

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "metadata"
QUERY = "上海合作组织"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def meta_site(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("facets") / "project")
    for path in FIXTURES.iterdir():
        shutil.copy2(path, project / "seeds" / "metadata" / path.name)
    run_build(project)
    site = project / "site"
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    records = {r["id"]: r for r in json.loads((site / "data" / "records.json").read_text(encoding="utf-8"))}
    yield {"site": site, "records": records, "http": f"http://127.0.0.1:{server.server_address[1]}/",
           "file": site.as_uri() + "/"}
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["file", "http"])
def origin(request, meta_site):
    return meta_site[request.param]


def _open(new_page, origin: str, query: str, **context):
    page, watch = new_page(origin, **context)
    page.goto(origin + "en/search.html?" + query)
    page.wait_for_selector("#search-page[data-ready]")
    q = parse_qs(query).get("q", [""])[0]
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=q)
    page.wait_for_selector("[data-export-scope][data-result-set]", state="attached")
    return page, watch


def _all_ids(page, query: str, options: dict | None = None) -> list[str]:
    return page.evaluate("([q, o]) => bibSearch.search(q, o).then(rs => rs.map(r => r.record.id))", [query, options or {}])


def _shown_counts(page, facet: str) -> dict[str, int]:
    return dict(page.eval_on_selector_all(
        f'.search-facet[data-facet="{facet}"] li',
        "lis => lis.map(li => [li.querySelector('.facet-value').textContent, Number(li.querySelector('.facet-count').dataset.count)])"))


def _expected(records: dict, ids: list[str], facet: str) -> Counter:
    counts: Counter = Counter()
    for rid in ids:
        r = records[rid]
        if facet == "author":
            values = r.get("authors") or []
        elif facet == "journal":
            values = [r["journal"]] if r.get("journal") else []
        else:
            values = [str(r["year"])] if r.get("year") else []
        counts.update(set(values))
    return counts


def test_facet_counts_are_those_of_the_whole_result_set(new_page, origin, meta_site):
    page, watch = _open(new_page, origin, "q=" + QUERY)
    ids = _all_ids(page, QUERY)
    records = meta_site["records"]
    page.click(".search-facets > summary") if not page.evaluate("document.getElementById('search-facets').open") else None
    for button in page.query_selector_all(".facet-more"):
        button.click()
    checked = 0
    for facet in ("year", "author", "journal"):
        expected = _expected(records, ids, facet)
        assert expected, f"the fixtures give no {facet} for {QUERY}"
        assert _shown_counts(page, facet) == dict(expected)
        checked += 1
    assert checked == 3
    watch.assert_clean()


def test_clicking_a_facet_filters_and_updates_the_url(new_page, origin, meta_site):
    page, watch = _open(new_page, origin, "q=" + QUERY)
    if not page.evaluate("document.getElementById('search-facets').open"):
        page.click(".search-facets > summary")
    records = meta_site["records"]
    ids = _all_ids(page, QUERY)
    author, count = _expected(records, ids, "author").most_common(1)[0]
    label = page.locator('.search-facet[data-facet="author"] label', has_text=author).first
    label.locator("input").check()
    page.wait_for_function("a => new URLSearchParams(location.search).getAll('author').includes(a)", arg=author)
    page.wait_for_function("n => Number(document.querySelector('[data-export-scope]').dataset.resultSet) === n", arg=count)
    want = {rid for rid in ids if author in (records[rid].get("authors") or [])}
    assert set(_all_ids(page, QUERY, {"filters": {"author": [author]}})) == want
    shown = page.eval_on_selector_all("[data-record-id]", "els => els.map(e => e.dataset.recordId)")
    assert set(shown) == want
    watch.assert_clean()


def test_sort_newest_orders_by_year(new_page, origin, meta_site):
    page, watch = _open(new_page, origin, "q=" + QUERY + "&sort=newest")
    assert page.input_value("#search-sort") == "newest"
    records = meta_site["records"]
    page.wait_for_function("document.querySelectorAll('[data-record-id]').length > 0")
    shown = page.eval_on_selector_all("[data-record-id]", "els => els.map(e => e.dataset.recordId)")
    years = [records[rid].get("year") for rid in shown]
    dated = [y for y in years if y is not None]
    assert len(set(dated)) >= 2
    assert dated == sorted(dated, reverse=True)
    assert years[:len(dated)] == dated  # undated records last
    page.select_option("#search-sort", "oldest")
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'oldest'")
    watch.assert_clean()


def _parse(kind: str, text: str) -> list[str]:
    if kind == "bibtex":
        parser = BibTexParser(common_strings=False)
        parser.ignore_nonstandard_types = False
        return [e["ID"] for e in bibtexparser.loads(text, parser=parser).entries]
    if kind == "ris":
        return [e["id"] for e in rispy.loads(text)]
    return [item["id"] for item in json.loads(text)]


def _export(page, kind: str) -> str:
    with page.expect_download() as info:
        page.click(f'[data-export="{kind}"]')
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_two_ticked_export_those_two_nothing_ticked_the_whole_result_set(new_page, origin):
    page, watch = _open(new_page, origin, "q=" + QUERY, accept_downloads=True)
    ids = _all_ids(page, QUERY)
    assert len(ids) > 2
    rows = page.query_selector_all("[data-record]")
    for row in rows[:2]:
        row.query_selector("input.result-select").check()
    chosen = [row.get_attribute("data-record") for row in rows[:2]]
    for kind in ("bibtex", "ris", "csl"):
        assert sorted(_parse(kind, _export(page, kind))) == sorted(chosen)
    for row in rows[:2]:
        row.query_selector("input.result-select").uncheck()
    for kind in ("bibtex", "ris", "csl"):
        assert sorted(_parse(kind, _export(page, kind))) == sorted(ids)
    watch.assert_clean()


def test_every_results_coins_parses_into_its_record(new_page, origin, meta_site):
    page, watch = _open(new_page, origin, "q=" + QUERY)
    records = meta_site["records"]
    spans = page.eval_on_selector_all("[data-record]", "els => els.map(e => [e.dataset.record, (e.querySelector('span.Z3988') || {}).title])")
    assert spans
    with_title = 0
    for rid, title in spans:
        assert title, rid
        kev = parse_qs(title)
        assert kev["ctx_ver"] == ["Z39.88-2004"]
        record = records[rid]
        if record.get("journal"):
            assert kev["rft.jtitle"] == [record["journal"]]
            assert kev.get("rft.au", []) == (record.get("authors") or [])
            if record.get("title"):
                assert kev["rft.atitle"] == [record["title"]]
                with_title += 1
        if record.get("year"):
            assert kev["rft.date"][0].startswith(str(record["year"]))
    assert with_title
    watch.assert_clean()


def test_the_seed_collection_shows_no_empty_facets(new_page, site_dir):
    base = site_dir.as_uri() + "/"
    page, watch = new_page(base)
    page.goto(base + "en/search.html?q=" + QUERY)
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=QUERY)
    facets = page.eval_on_selector_all(".search-facet", "els => els.map(e => e.dataset.facet)")
    assert "year" not in facets and "author" not in facets and "journal" not in facets
    assert "org" in facets
    watch.assert_clean()


@pytest.mark.parametrize("lang", ["zh", "en", "vi"])
def test_axe_finds_nothing_serious_with_the_facets_shown(new_page, meta_site, lang):
    from test_a11y import axe_violations, describe
    base = meta_site["http"]
    page, watch = new_page(base, viewport={"width": 1280, "height": 900})
    page.goto(base + f"{lang}/search.html?q={QUERY}")
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=QUERY)
    assert page.evaluate("document.getElementById('search-facets').open")  # a side column, open, at 1280 px
    facets, results = page.locator("#search-facets").bounding_box(), page.locator("#search-results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"] and facets["y"] < results["y"] + results["height"]
    for button in page.query_selector_all(".facet-more"):
        button.click()
    assert page.locator(".search-facet").count() >= 4
    found = axe_violations(page)
    assert not found, describe(found)
    watch.assert_clean()


def test_on_a_phone_the_facets_are_a_closed_block_above_the_results(new_page, meta_site):
    base = meta_site["file"]
    page, watch = new_page(base, viewport={"width": 390, "height": 800})
    page.goto(base + f"en/search.html?q={QUERY}")
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=QUERY)
    assert not page.evaluate("document.getElementById('search-facets').open")
    facets = page.locator("#search-facets").bounding_box()
    results = page.locator("#search-results").bounding_box()
    assert facets["y"] + facets["height"] <= results["y"]
    page.click(".search-facets > summary")
    assert page.locator('.search-facet[data-facet="author"]').is_visible()
    watch.assert_clean()


def test_an_authors_name_and_a_journals_find_their_records(new_page, meta_site):
    base = meta_site["file"]
    page, watch = new_page(base)
    page.goto(base + "zh/search.html")
    page.wait_for_selector("#search-page[data-ready]")
    records = meta_site["records"]
    authors = sorted({a for r in records.values() for a in r.get("authors") or []})
    journals = sorted({r["journal"] for r in records.values() if r.get("journal")})
    assert authors and journals
    for name in authors:
        want = {rid for rid, r in records.items() if name in (r.get("authors") or [])}
        got = set(_all_ids(page, name))
        assert want <= got, name
    for journal in journals:
        want = {rid for rid, r in records.items() if r.get("journal") == journal}
        assert want <= set(_all_ids(page, journal)), journal
    watch.assert_clean()


def test_a_title_word_ranks_above_the_same_word_in_an_abstract(tmp_path):
    from search_index.builder import FIELDS, analyse_all, count, lunr_index
    docs = [{"lang": "en", "title": "A note", "blocks": [{"text": "Water security in the Mekong basin."}]},
            {"lang": "en", "title": "Mekong", "blocks": [{"text": "Water security in the region."}]},
            {"lang": "en", "title": "A note", "blocks": [{"text": "Water."}], "authors": ["Mekong, Anna"]}]
    index = lunr_index(analyse_all(docs))
    ranked = [hit["ref"] for hit in index.search("mekong")]
    assert ranked[0] == "1" and set(ranked) == {"0", "1", "2"}
    assert ("authors", 2) in FIELDS and count(analyse_all(docs)).lengths[2][[n for n, _ in FIELDS].index("authors")] > 0
