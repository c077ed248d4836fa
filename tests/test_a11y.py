"""Accessibility in real Chromium: axe-core, every rule it ships (experimental ones too), on every page
type in every UI language, light and dark; the keyboard path (skip link, visible focus, search box and
results); the result count in role=status."""
from __future__ import annotations

import json
import re
import threading
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import _QuietHandler
from page_types import SEARCH_HIT, UI_LANGS, all_pages, name_page_types, page_types, settle

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# every rule, the experimental and otherwise disabled ones included
RUN_ALL = """() => axe.run(document, {resultTypes: ['violations'],
    rules: Object.fromEntries(axe.getRules().map(rule => [rule.ruleId, {enabled: true}]))})"""


def axe_violations(page) -> list[dict]:
    """Return axe-core's serious and critical violations on the page as it stands."""
    assert AXE.exists(), f"{AXE} is missing; run `npm ci` (axe-core is a devDependency)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN_ALL)
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Return the violations as short lines: rule, impact and the first few offending elements."""
    lines = []
    for v in violations:
        targets = [json.dumps(n["target"]) + " " + n.get("failureSummary", "").replace("\n", " ")[:160]
                   for n in v["nodes"][:4]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(targets))
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious_on_any_page(site_dir, http_site, new_page, scheme):
    page, watch = new_page(http_site, color_scheme=scheme)
    failures = []
    for lang, kind, path in all_pages(site_dir):
        page.goto(http_site + path)
        settle(page, kind)
        found = axe_violations(page)
        if found:
            failures.append(f"--- {path} ({kind}, {lang}, {scheme})\n{describe(found)}")
    assert not failures, "\n".join(failures)
    watch.assert_clean()


def test_axe_is_current_and_runs_its_experimental_rules(site_dir, http_site, new_page):
    # package.json pins the axe-core release; the one installed must be it, and its experimental rules must run
    pinned = json.loads((AXE.parent.parent.parent / "package.json").read_text())["devDependencies"]["axe-core"]
    page, _ = new_page(http_site)
    page.goto(http_site + "en/about.html")
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version") == pinned
    # label-content-name-mismatch is experimental: a link whose aria-label drops its visible text
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<a href=\"#\" aria-label=\"Other\">Visible words</a>')")
    result = page.evaluate(RUN_ALL)
    assert "label-content-name-mismatch" in {v["id"] for v in result["violations"]}


def test_axe_itself_reports_a_planted_violation(site_dir, http_site, new_page):
    # Guards the check above against passing because axe never ran: an unlabeled image is serious.
    page, _ = new_page(http_site)
    page.goto(http_site + "en/about.html")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"data:,\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {id: el.id, cls: el.className, tag: el.tagName, outline: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth), top: el.getBoundingClientRect().top,
                visible: el.getBoundingClientRect().height > 0};
    }""")


@pytest.mark.parametrize("lang", UI_LANGS)
def test_skip_link_is_first_visible_and_moves_focus_to_main(site_dir, http_site, new_page, lang):
    page, watch = new_page(http_site)
    for kind in ("home", "abstract", "glossary"):
        page.goto(http_site + page_types(site_dir, lang)[kind])
        page.keyboard.press("Tab")
        first = _focused(page)
        assert "skip-link" in first["cls"], (kind, first)
        assert first["top"] >= 0 and first["visible"], f"the focused skip link is off screen on {kind}: {first}"
        assert first["outline"] != "none" and first["outlineWidth"] >= 2, first
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", kind
        # the next Tab continues inside main, not back at the header
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('main').contains(document.activeElement)"), kind
    watch.assert_clean()


def test_every_focusable_thing_shows_a_focus_ring(site_dir, http_site, new_page):
    page, _ = new_page(http_site)
    page.goto(http_site + page_types(site_dir, "zh")["abstract"])
    seen, bare = 0, []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = _focused(page)
        if info["tag"] == "BODY":
            break
        seen += 1
        if info["outline"] == "none" or info["outlineWidth"] < 2:
            bare.append(info)
    assert seen > 10
    assert bare == []


@pytest.mark.parametrize("lang", UI_LANGS)
def test_keyboard_only_search_from_the_header(site_dir, http_site, new_page, lang):
    page, watch = new_page(http_site)
    page.goto(http_site + page_types(site_dir, lang)["about"])
    for _ in range(15):  # skip link, title, navigation, language switch, then the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-q":
            break
    assert page.evaluate("document.activeElement.id") == "site-q", "the header search box is not reachable by Tab"
    page.keyboard.type(SEARCH_HIT)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    settle(page, "search-hits")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    count = page.locator("#search-results .result-title").count()
    # the status names how many records were found; the first page may show fewer of them
    found = [int(n) for n in re.findall(r"\d+", status.inner_text().replace(",", "").replace(".", ""))]
    assert count >= 2 and found and max(found) >= count, status.inner_text()

    page.focus("#search-q")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert page.evaluate("document.activeElement.classList.contains('result-title')")
    assert _focused(page)["outline"] != "none"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") != first
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{lang}/**/*.html")
    assert "/search.html" not in page.url and page.url.endswith(first.split("/")[-1])
    watch.assert_clean()


def test_no_results_are_announced_in_the_status(site_dir, http_site, new_page):
    page, _ = new_page(http_site)
    for lang in UI_LANGS:
        page.goto(http_site + page_types(site_dir, lang)["search-none"])
        settle(page, "search-none")
        status = page.locator("#search-status[role=status]")
        assert status.count() == 1 and "0" in status.inner_text(), status.inner_text()
        # the other live region (the export controls' status) stays silent until something is exported
        others = page.locator("[role=status]:not(#search-status)")
        assert all(not others.nth(i).inner_text().strip() for i in range(others.count()))


# Every rendered text node (search results included) in another script than the UI's must sit inside an
# element whose lang says so: Han characters under zh-*, Vietnamese letters under vi.
MISMARKED = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const bad = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim(), el = node.parentElement;
        if (!text || el.closest('script, style, [hidden], noscript, pre')) continue;  // pre: citation formats
        const holder = el.closest('[lang]'), lang = holder ? holder.getAttribute('lang') : '';  // SVG has no .lang
        if (/[\u4e00-\u9fff]/.test(text) && !lang.startsWith('zh')) bad.push([lang, text.slice(0, 40)]);
        if (/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(text) && lang !== 'vi')
            bad.push([lang, text.slice(0, 40)]);
    }
    return bad;
}"""


def _mismarked(site_dir, http_site, new_page, lang, kinds) -> dict:
    page, _ = new_page(http_site)
    failures = {}
    for kind, path in page_types(site_dir, lang).items():
        if kind not in kinds:
            continue
        page.goto(http_site + path)
        settle(page, kind)
        assert page.evaluate("document.documentElement.lang") == {"zh": "zh-Hans", "en": "en", "vi": "vi"}[lang]
        bad = page.evaluate(MISMARKED)
        if bad:
            failures[kind] = bad
    return failures


@pytest.mark.parametrize("lang", UI_LANGS)
def test_every_text_block_has_its_language(site_dir, http_site, new_page, lang):
    kinds = {"home", "browse", "abstract", "glossary", "entity", "entities", "about", "search-none"}
    assert _mismarked(site_dir, http_site, new_page, lang, kinds) == {}


def test_search_results_mark_the_language_of_every_text(site_dir, http_site, new_page):
    assert _mismarked(site_dir, http_site, new_page, "en", {"search-hits"}) == {}


def test_axe_finds_nothing_serious_on_author_and_journal_pages(metadata_project, new_page):
    site = metadata_project / "site"
    # over http, as the other pages: from file:// axe-core cannot read the stylesheets it checks
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prefix = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        page, watch = new_page(prefix)
        failures, seen = [], set()
        for lang in UI_LANGS:
            kinds = name_page_types(site, lang)
            seen |= set(kinds)
            for kind, path in kinds.items():
                page.goto(prefix + path)
                found = axe_violations(page)
                if found:
                    failures.append(f"--- {path} ({kind}, {lang})\n{describe(found)}")
        assert seen == {"authors", "author", "journals", "journal"}
        assert not failures, "\n".join(failures)
        watch.assert_clean()
    finally:
        server.shutdown()
        server.server_close()
