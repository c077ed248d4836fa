"""The search page in real Chromium, on the built site, from file:// and from http://127.0.0.1."""
from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from page_types import UI_LANGS
from test_search_support import QUERY_CASES, ODD_QUERIES, containing, read_assets, seed_docs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_records(site_dir):
    return read_assets(site_dir / "assets" / "search")[1]


def _open(new_page, base: str, path: str):
    page, watch = new_page(base)
    page.goto(base + path)
    page.wait_for_selector("#search-page[data-ready]")
    return page, watch


def _search(page, query: str) -> list[str]:
    """Type query into the box and return the record ids shown, once the page shows that query."""
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")  # submit searches at once instead of after the typing pause
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=query)
    return page.eval_on_selector_all("[data-record-id]", "els => els.map(e => e.dataset.recordId)")


def _check_cases(page, records):
    failures = []
    for case in QUERY_CASES:
        got = set(_search(page, case["query"]))
        must = case["must"](records)
        if not must:
            failures.append(f"{case['query']!r}: nothing in the corpus to find")
        if not must <= got:
            failures.append(f"{case['query']!r} missed {sorted(must - got)}")
        if case["allowed"] and not got <= case["allowed"](records):
            failures.append(f"{case['query']!r} also returned {sorted(got - case['allowed'](records))}")
    return failures


@pytest.fixture(params=["file", "http"])
def base_url(request, site_dir):
    if request.param == "file":
        return site_dir.as_uri() + "/"
    return request.getfixturevalue("http_site")


def test_every_query_finds_its_records_and_nothing_leaves_the_site(new_page, base_url, site_records):
    # exact=1: the site's full entity table would otherwise (rightly) widen the precision checks
    page, watch = _open(new_page, base_url, "zh/search.html?exact=1")
    assert _check_cases(page, site_records) == []
    for query in ODD_QUERIES:
        _search(page, query)
    watch.assert_clean()


def test_results_link_to_the_record_page_in_the_ui_language(new_page, base_url, site_records):
    for lang in UI_LANGS:
        page, watch = _open(new_page, base_url, f"{lang}/search.html")
        ids = _search(page, "亚信会议")
        assert ids
        first = page.locator("[data-record-id] a.result-title").first
        first.click()
        page.wait_for_load_state()
        assert f"/{lang}/" in page.url and page.url.split("#")[0].endswith(".html")
        assert ids[0] in page.url
        watch.assert_clean()


def test_result_shows_title_language_and_highlighted_snippet(new_page, site_dir):
    page, watch = _open(new_page, site_dir.as_uri() + "/", "en/search.html?q=" + quote("上海合作組織"))
    page.wait_for_selector("[data-record-id] .result-snippet mark")
    item = page.locator("[data-record-id]").first
    assert item.locator(".result-title").inner_text().strip()
    assert "Chinese" in item.locator(".result-meta").inner_text()
    marks = page.eval_on_selector_all(".result-snippet mark", "els => els.map(e => e.textContent)")
    assert "上海合作组织" in marks, "the original (simplified) text is highlighted for a traditional query"
    assert page.get_attribute("#search-status", "role") == "status"
    assert page.inner_text("#search-status").split()[0].isdigit()
    watch.assert_clean()


def test_query_and_filters_live_in_the_url(new_page, http_site, site_records):
    page, watch = _open(new_page, http_site, "zh/search.html?q=" + quote("亚信会议") + "&type=glossary&lang=vi")
    assert page.input_value("#search-q") == "亚信会议"
    assert page.input_value("#search-type") == "glossary" and page.input_value("#search-lang") == "vi"
    ids = page.eval_on_selector_all("[data-record-id]", "els => els.map(e => e.dataset.recordId)")
    by_id = {r["id"]: r for r in site_records}
    assert ids and all(by_id[i]["type"] == "glossary" and "vi" in by_id[i]["langs"] for i in ids)
    page.select_option("#search-type", "abstract")
    _search(page, "马六甲")
    assert "q=%E9%A9%AC%E5%85%AD%E7%94%B2" in page.url and "type=abstract" in page.url and "lang=vi" in page.url
    watch.assert_clean()


@pytest.mark.parametrize("path, box", [("en/about.html", "#site-q"), ("en/index.html", "#home-q")])
def test_search_forms_on_other_pages_submit_to_search(new_page, site_dir, path, box):
    """The header form (every page but home and search) and the home page's own form."""
    base = site_dir.as_uri() + "/"
    page, watch = new_page(base)
    page.goto(base + path)
    page.fill(box, "hoi nghi")
    page.press(box, "Enter")
    page.wait_for_selector("#search-page[data-ready]")
    page.wait_for_selector("[data-record-id]")
    assert page.input_value("#search-q") == "hoi nghi"
    watch.assert_clean()


def test_entity_expansion_is_shown_and_exact_turns_it_off(new_page, site_dir, site_records):
    page, watch = _open(new_page, site_dir.as_uri() + "/", "zh/search.html")
    ids = _search(page, "SCO")
    assert containing(site_records, "上海合作组织") <= set(ids)
    assert page.is_visible("#search-expanded") and "上海合作组织" in page.inner_text("#search-expanded")
    page.check("#search-exact")
    page.wait_for_function("() => !document.getElementById('search-expanded').offsetParent")
    exact_ids = page.eval_on_selector_all("[data-record-id]", "els => els.map(e => e.dataset.recordId)")
    assert set(exact_ids) < set(ids)
    watch.assert_clean()


def test_keyboard_reaches_and_opens_results(new_page, site_dir):
    page, watch = _open(new_page, site_dir.as_uri() + "/", "zh/search.html")
    ids = _search(page, "集安组织")
    page.focus("#search-q")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('[data-record-id]').dataset.recordId") == ids[0]
    if len(ids) > 1:
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.closest('[data-record-id]').dataset.recordId") == ids[1]
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{ids[0]}.html")
    watch.assert_clean()


def test_no_results_suggests_what_to_change(new_page, site_dir):
    page, watch = _open(new_page, site_dir.as_uri() + "/", "en/search.html?lang=vi&exact=1")
    assert _search(page, "NATO") == []
    text = page.inner_text("#search-none")
    assert "No results" in text and "filter" in text and "Exact words only" in text and "spelling" in text
    assert page.inner_text("#search-status").startswith("0")
    # hidden wins over button{display:inline-block}: nothing more to show, no button (issue 14)
    assert not page.is_visible("#search-more")
    watch.assert_clean()


def test_only_the_search_page_loads_lunr_and_the_index(new_page, http_site):
    page, watch = new_page(http_site)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(http_site + "zh/index.html")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if "/assets/search/" in u]
    page.goto(http_site + "zh/search.html")
    page.wait_for_selector("#search-page[data-ready]")
    names = {u.rsplit("/", 1)[1] for u in requested if "/assets/search/" in u}
    assert {"lunr.min.js", "index.js"} <= names
    assert not any(n.startswith(("text-", "terms-")) for n in names), "a page without a query loads only the root"
    watch.assert_clean()


def test_page_shows_loading_state_and_stays_responsive(new_page, http_site):
    page, watch = new_page(http_site)
    held = []
    page.route("**/assets/search/index.js", lambda route: held.append(route))
    page.goto(http_site + "en/search.html?q=ASEAN", wait_until="domcontentloaded")
    page.wait_for_function("() => document.getElementById('search-status').textContent.length > 0")
    page.wait_for_timeout(200)
    assert held, "the index is requested at once"
    assert "Loading" in page.inner_text("#search-status")
    assert page.get_attribute("#search-page", "aria-busy") == "true"
    page.fill("#search-q", "ASEAN way")  # typing while the index loads must not break anything
    held[0].continue_()
    page.wait_for_selector("#search-page[data-ready]")
    page.wait_for_selector("[data-record-id]")
    assert page.input_value("#search-q") == "ASEAN way"
    page.wait_for_function("() => document.getElementById('search-results').dataset.query === 'ASEAN way'")
    assert page.locator("#search-results").get_attribute("data-first-query") == "ASEAN way"
    watch.assert_clean()


def test_untrusted_record_text_is_shown_literally(new_page, site_dir, tmp_path):
    """Abstracts are scraped: markup and template syntax in them must show as text, never run."""
    from search_index import build_search_assets

    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    evil = {"id": "0123456789", "type": "abstract", "lang": "en", "langs": ["en"],
            "title": "<img src=x onerror=alert(1)> {{ 7*7 }} security",
            "blocks": [{"lang": "en", "text": "Security <script>alert('x')</script> {{ config }} & <b>bold</b>"}],
            "keywords": [], "url": "abstracts/0123456789.html", "entities": []}
    build_search_assets(seed_docs() + [evil], site / "assets" / "search")
    base = site.as_uri() + "/"
    page, watch = _open(new_page, base, "en/search.html")
    _search(page, "security")
    item = page.locator('[data-record-id="0123456789"]')
    page.wait_for_selector('[data-record-id="0123456789"] .result-snippet mark')
    assert "<img src=x onerror=alert(1)> {{ 7*7 }}" in item.locator(".result-title").inner_text()
    assert "<script>alert('x')</script> {{ config }}" in item.locator(".result-snippet").inner_text()
    assert page.locator("[data-record-id] script, [data-record-id] img, [data-record-id] b").count() == 0
    watch.assert_clean()


def test_browser_analyzer_agrees_with_python(new_page, site_dir):
    from test_search_parity import TRICKY, _python_runs

    page, watch = _open(new_page, site_dir.as_uri() + "/", "zh/search.html")
    texts = TRICKY + [b["text"] for d in seed_docs()[:6] for b in d["blocks"]]
    got = page.evaluate("""texts => { const a = BibAnalyze.createAnalyzer(self.__BIB_INDEX__.rules, self.__BIB_INDEX__.ts);
        return texts.map(t => a.runs(t).map(r => [r.kind, r.kind === "han" ? r.text : a.wordTerm(r.text)])); }""", texts)
    assert got == [_python_runs(t) for t in texts]
    watch.assert_clean()


def test_benchmark_hook_searches_once_ready(new_page, site_dir, site_records):
    """window.bibSearch (tests/bench.py uses it): ready() and search(q) -> a promise for the results."""
    page, watch = new_page(site_dir.as_uri() + "/")
    page.goto(site_dir.as_uri() + "/zh/search.html")
    page.wait_for_function("window.bibSearch && window.bibSearch.ready()")
    ids = page.evaluate("q => window.bibSearch.search(q).then(rs => rs.map(r => r.record.id))", "马六甲")
    assert set(ids) == containing(site_records, "马六甲")
    assert page.evaluate("window.bibSearch.search('\"').then(rs => rs.length >= 0)")
    watch.assert_clean()


def test_an_index_that_fails_to_load_says_so(new_page, http_site):
    page, _ = new_page(http_site)
    page.route("**/assets/search/index.js", lambda route: route.abort())
    page.goto(http_site + "en/search.html?q=ASEAN")
    page.wait_for_function("() => !document.getElementById('search-page').hasAttribute('aria-busy')")
    assert "could not be loaded" in page.inner_text("#search-status")
    assert page.evaluate("window.bibSearch.ready()") is False


def test_a_long_query_is_cut_with_a_note(new_page, site_dir):
    """A shared link may carry thousands of characters: the page searches the beginning and says so."""
    page, watch = _open(new_page, site_dir.as_uri() + "/", "en/search.html?q=" + "security%20" * 100)
    page.wait_for_function("() => document.getElementById('search-results').dataset.query !== undefined")
    assert "too long" in page.inner_text("#search-status")
    assert page.locator("[data-record-id]").count() > 0
    _search(page, "security")
    assert "too long" not in page.inner_text("#search-status")
    watch.assert_clean()


def test_focusing_the_header_search_box_prefetches_the_index_root_once(new_page, base_url):
    page, watch = new_page(base_url)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/assets/search/index.js") else None)
    page.goto(base_url + "en/about.html")
    page.wait_for_load_state("load")
    assert asked == [] and page.locator("link[rel=prefetch]").count() == 0, "nothing before the box has focus"
    for _ in range(2):  # focus, leave, focus again: one prefetch
        page.focus("#site-q")
        page.focus("main")
    page.wait_for_timeout(300)
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('link[rel=prefetch]')).map(l => l.href)")
    assert hrefs == [base_url + "assets/search/index.js"], hrefs
    assert asked == [base_url + "assets/search/index.js"], asked
    watch.assert_clean()
