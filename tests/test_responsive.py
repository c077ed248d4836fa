"""Layout in real Chromium from 360 px to 1440 px: no page scrolls sideways, the glossary reads as a
parallel text, and screenshots of the main pages (light and dark) for a person to look at."""
from __future__ import annotations

from pathlib import Path

import pytest

from page_types import UI_LANGS, all_pages, page_types, settle

pytestmark = pytest.mark.browser

WIDTHS = (360, 1440)
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(site_dir, http_site, new_page, width):
    page, watch = new_page(http_site, viewport={"width": width, "height": 800})
    wide = []
    for lang, kind, path in all_pages(site_dir):
        page.goto(http_site + path)
        settle(page, kind)
        sizes = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if sizes[0] > sizes[1]:
            culprits = page.evaluate("""w => Array.from(document.querySelectorAll('body *'))
                .filter(el => el.getBoundingClientRect().right > w + 1)
                .slice(0, 3).map(el => el.tagName + '.' + el.className)""", sizes[1])
            wide.append(f"{path} ({kind}, {lang}): {sizes[0]} > {sizes[1]} px, e.g. {culprits}")
    assert wide == []
    watch.assert_clean()


def _parallel_cells(page) -> list[list[dict]]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.parallel-row')).map(row =>
        Array.from(row.querySelectorAll('[role=cell]')).map(cell => {
            const box = cell.getBoundingClientRect();
            return {lang: cell.lang, top: Math.round(box.top), left: Math.round(box.left), bottom: Math.round(box.bottom)};
        }))""")


@pytest.mark.parametrize("lang", UI_LANGS)
def test_glossary_is_side_by_side_when_wide_and_stacked_when_narrow(site_dir, http_site, new_page, lang):
    path = page_types(site_dir, lang)["glossary"]
    page, _ = new_page(http_site, viewport={"width": 1440, "height": 900})
    page.goto(http_site + path)
    rows = _parallel_cells(page)
    # the interface's language in the first column (Vietnamese then Chinese in the English interface)
    expected = {"zh": ["zh-Hans", "vi"]}.get(lang, ["vi", "zh-Hans"])
    assert rows and all([c["lang"] for c in row] == expected for row in rows), rows  # two-paragraph alignment: test_publishing
    for first, second in rows:
        assert first["top"] == second["top"] and first["left"] < second["left"], (first, second)  # paragraph n beside paragraph n
    assert page.locator(".parallel-head").is_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    rows = _parallel_cells(page)
    for first, second in rows:
        assert first["left"] == second["left"] and second["top"] >= first["bottom"] - 1, (first, second)  # one after the other
    # narrow: the column headings are hidden, so each stacked cell names its language itself
    labels = page.evaluate("""() => Array.from(document.querySelectorAll('.parallel-row [role=cell]'))
        .map(cell => getComputedStyle(cell, '::before').content)""")
    assert all(label not in ("none", "normal", '""') for label in labels[:2]), labels


def test_record_text_is_the_largest_text_on_its_page(site_dir, http_site, new_page):
    # the abstract itself is set larger than everything around it but the heading, and in a readable measure
    page, _ = new_page(http_site, viewport={"width": 1440, "height": 900})
    for lang in UI_LANGS:
        page.goto(http_site + page_types(site_dir, lang)["abstract"])
        sizes = page.evaluate("""() => {
            const px = el => parseFloat(getComputedStyle(el).fontSize);
            const text = document.querySelector('.record-text p');
            const others = Array.from(document.querySelectorAll('main p, main li, main dd, main dt'))
                .filter(el => !el.closest('.record-text'));
            return {text: px(text), others: Math.max(...others.map(px)), width: text.getBoundingClientRect().width,
                    line: parseFloat(getComputedStyle(text).lineHeight) / px(text)};
        }""")
        assert sizes["text"] > sizes["others"], sizes
        assert sizes["line"] >= 1.7, sizes
        assert sizes["width"] <= 46 * sizes["text"], sizes  # about 40 Chinese characters to a line


def test_chinese_is_never_set_in_faux_italics(site_dir, http_site, new_page):
    page, _ = new_page(http_site)
    page.goto(http_site + page_types(site_dir, "zh")["abstract"])
    styles = page.evaluate("""() => {
        const probe = document.createElement('div');
        probe.lang = 'zh-Hans';
        probe.innerHTML = '<em>强调</em><i>术语</i><cite>引文</cite><address>地址</address>';
        document.querySelector('main').appendChild(probe);
        return Array.from(probe.children).map(el => getComputedStyle(el).fontStyle);
    }""")
    assert styles == ["normal"] * 4


SHOT_WIDTHS = (390, 1280)  # a phone and a laptop, as readers tried the site (issue 18)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", SHOT_WIDTHS)
def test_screenshots_for_a_person_to_look_at(site_dir, http_site, new_page, width, scheme):
    """Every page type in every interface language, for whoever changes a template to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, watch = new_page(http_site, viewport={"width": width, "height": 900}, color_scheme=scheme)
    for lang in UI_LANGS:
        for kind, path in page_types(site_dir, lang).items():
            page.goto(http_site + path)
            settle(page, kind)
            target = SHOTS / f"{kind}-{lang}-{width}-{scheme}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 5000, target
    watch.assert_clean()
