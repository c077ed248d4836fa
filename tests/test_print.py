"""Printing a record or glossary page in real Chromium: the text and its permalink, no site chrome."""
from __future__ import annotations

import pytest

from page_types import UI_LANGS, page_types

pytestmark = pytest.mark.browser

CHROME = (".site-header", "nav", ".site-search", ".site-footer", ".skip-link", ".lang-switch", ".similar")


@pytest.mark.parametrize("kind", ["abstract", "glossary"])
@pytest.mark.parametrize("lang", UI_LANGS)
def test_print_shows_the_record_and_its_permalink_only(site_dir, http_site, new_page, lang, kind):
    page, watch = new_page(http_site)
    page.goto(http_site + page_types(site_dir, lang)[kind])
    assert page.locator(".site-search").count() == 1  # on screen the header has its search box
    page.emulate_media(media="print")
    hidden = page.evaluate("""selectors => selectors.map(sel => Array.from(document.querySelectorAll(sel))
        .map(el => [sel, getComputedStyle(el).display, el.getClientRects().length]))""", list(CHROME))
    shown = [row for rows in hidden for row in rows if row[1] != "none" and row[2] > 0]
    assert shown == [], f"printed although it is navigation: {shown}"
    # nothing interactive for searching is left on paper
    assert page.evaluate("Array.from(document.querySelectorAll('input, button')).filter(e => e.getClientRects().length).length") == 0

    permalink = page.locator(".permalink")
    assert permalink.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.permalink')).display") != "none"
    href = permalink.locator("a").get_attribute("href")
    text = permalink.inner_text()
    assert href.split("/")[-1] in text, text  # the printed line names the page
    assert page.locator(".record-text").first.is_visible()
    # on paper the text is black on white whatever the reader's colour scheme
    assert page.evaluate("getComputedStyle(document.querySelector('.record-text p')).color") == "rgb(0, 0, 0)"
    watch.assert_clean()


def test_print_in_dark_mode_is_still_black_on_white(site_dir, http_site, new_page):
    page, _ = new_page(http_site, color_scheme="dark")
    page.goto(http_site + page_types(site_dir, "zh")["abstract"])
    page.emulate_media(media="print")
    colours = page.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
        getComputedStyle(document.querySelector('.record-text p')).color]""")
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]


def test_printed_pdf_of_a_glossary_entry_is_produced(site_dir, http_site, new_page, tmp_path):
    # Chromium's own print path (page.pdf) lays the parallel text out without errors
    page, _ = new_page(http_site)
    page.goto(http_site + page_types(site_dir, "en")["glossary"])
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
