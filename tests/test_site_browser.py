"""The built site from file:// in real Chromium: navigation, the language switch, lang on every text; the zip."""
from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bibsite import textnorm

UI_TAGS = {"zh": "zh-Hans", "en": "en", "vi": "vi"}
TEXT_TAGS = {"zh": "zh-Hans", "en": "en", "vi": "vi"}


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


# --- without a browser: the zip, and lang on every piece of text --------------------------------

def test_zip_holds_the_same_tree_as_site(site_dir):
    project = site_dir.parent
    zips = sorted((project / "dist").glob("*.zip"))
    assert len(zips) == 1, zips
    files = {p.relative_to(site_dir).as_posix(): p.read_bytes() for p in site_dir.rglob("*") if p.is_file()}
    with zipfile.ZipFile(zips[0]) as archive:
        entries = {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    # one top folder, the site, beside the offline README.txt that says to open site/index.html
    assert entries.pop("README.txt").decode("utf-8-sig").count("site/index.html") >= 1
    tops = {name.split("/", 1)[0] for name in entries}
    assert len(tops) == 1, f"the zip should hold one top folder beside README.txt, not {tops}"
    inside = {name.split("/", 1)[1]: data for name, data in entries.items()}
    assert sorted(inside) == sorted(files)
    assert [name for name in files if inside[name] != files[name]] == []


class _LangText(HTMLParser):
    """Collects (lang, own text) for every element that carries a lang attribute (nested langs excluded)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[list] = []  # [tag, lang or None, text parts]
        self.found: list[tuple[str, str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if tag in ("script", "style", "template"):
            self.skip += 1
        self.stack.append([tag, dict(attrs).get("lang"), []])

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        while self.stack:
            open_tag, lang, parts = self.stack.pop()
            if open_tag in ("script", "style", "template"):
                self.skip -= 1
            if lang is not None and open_tag != "html":
                self.found.append((open_tag, lang, " ".join("".join(parts).split())))
            elif lang is None and self.stack:
                self.stack[-1][2].extend(parts)  # text without its own lang belongs to the parent
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.stack and not self.skip:
            self.stack[-1][2].append(data)


def lang_texts(path: Path):
    parser = _LangText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


LETTERS = re.compile(f"[A-Za-z\u00c0-\u024f\u1e00-\u1eff{textnorm.HAN}]")
HAN = re.compile(f"[{textnorm.HAN}]")


def lang_problem(lang: str, text: str) -> str | None:
    """Return what is wrong with text carrying lang, or None: by script always, by language when long enough."""
    bare = re.sub(r"\([A-Z][A-Z0-9-]{1,15}\)", "", text)  # an abbreviation such as (CICA) is not a language
    han = len(HAN.findall(bare))
    latin = len(LETTERS.findall(bare)) - han
    if han and not latin and lang != "zh-Hans":
        return "Chinese text"
    if latin >= 3 and not han and lang == "zh-Hans":
        return "Latin-script text"
    if han + latin >= 30:  # long enough for the language detector to be trusted
        expected = TEXT_TAGS[textnorm.detect_language(text)]
        if lang != expected:
            return f"{expected} text"
    return None


def test_every_text_with_a_lang_is_in_that_language(site_dir):
    """Titles, abstracts, terms and fields say their own language, whatever the UI language is."""
    problems, checked = [], 0
    for page in sorted(site_dir.rglob("*.html")):
        for tag, lang, text in lang_texts(page):
            checked += 1
            problem = lang_problem(lang, text)
            if problem:
                problems.append(f"{page.relative_to(site_dir)}: <{tag} lang={lang}> holds {problem}: {text[:50]!r}")
    assert checked > 50
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("lang, text, wrong", [
    ("vi", "亚信会议 (CICA)", True),
    ("zh-Hans", "亚信会议 (CICA)", False),
    ("zh-Hans", "Shanghai Cooperation Organization", True),
    ("en", "Liên minh châu Âu", False),          # too short to tell English from Vietnamese: not judged
    ("en", "Tháng 10 năm 1992, tại Đại hội Liên Hợp Quốc lần thứ 47, Tổng thống đưa ra sáng kiến", True),
    ("vi", "Tháng 10 năm 1992, tại Đại hội Liên Hợp Quốc lần thứ 47, Tổng thống đưa ra sáng kiến", False),
    ("en", "亚信会议; 亚洲; 峰会; 倡议; 成员国; 纳扎尔巴耶夫; an ninh; Hội nghị; châu Á", True),
])
def test_the_lang_check_itself(lang, text, wrong):
    assert (lang_problem(lang, text) is not None) is wrong


def test_record_text_blocks_carry_their_language(site_dir):
    blocks = []
    for page in sorted(site_dir.rglob("*.html")):
        for tag in re.findall(r'<[a-z]+\b[^>]*\bclass="[^"]*\brecord-text\b[^"]*"[^>]*>', page.read_text(encoding="utf-8")):
            lang = re.search(r'\blang="([^"]*)"', tag)
            blocks.append(lang.group(1) if lang else None)
    assert blocks
    assert set(blocks) <= set(TEXT_TAGS.values())
    assert {"zh-Hans", "en", "vi"} <= set(blocks)


# --- in Chromium ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_navigate_switch_language_and_reach_the_glossary(site_dir, new_page):
    prefix = file_url(site_dir) + "/"
    page, watch = new_page(prefix)
    page.goto(file_url(site_dir / "index.html"))
    page.click('a[href="zh/index.html"]')
    assert page.url == prefix + "zh/index.html" and html_lang(page) == "zh-Hans"

    # Home → an abstract page.
    link = page.locator('main a[href^="abstracts/"]').first
    href = link.get_attribute("href")
    link.click()
    assert page.url == prefix + "zh/" + href and html_lang(page) == "zh-Hans"
    blocks = page.locator(".record-text")
    assert blocks.count() >= 1
    text_langs = [blocks.nth(i).get_attribute("lang") for i in range(blocks.count())]
    assert set(text_langs) <= set(TEXT_TAGS.values())
    for i in range(blocks.count()):
        text = blocks.nth(i).inner_text()
        assert TEXT_TAGS[textnorm.detect_language(text)] == text_langs[i]

    # The switch goes to the same page in the other UI language, and back.
    page.click("a.lang-switch[hreflang=en]")
    assert page.url == prefix + "en/" + href and html_lang(page) == "en"
    assert [page.locator(".record-text").nth(i).get_attribute("lang") for i in range(blocks.count())] == text_langs
    page.click("a.lang-switch[hreflang=vi]")
    assert page.url == prefix + "vi/" + href and html_lang(page) == "vi"
    page.click("a.lang-switch[hreflang=zh-Hans]")
    assert page.url == prefix + "zh/" + href and html_lang(page) == "zh-Hans"

    # Back home (English) → the glossary entry, which holds Vietnamese and Chinese text.
    page.goto(prefix + "en/index.html")
    glossary_link = page.locator('main a[href^="glossary/"]').first
    glossary_href = glossary_link.get_attribute("href")
    glossary_link.click()
    assert page.url == prefix + "en/" + glossary_href and html_lang(page) == "en"
    langs = page.eval_on_selector_all(".record-text[lang]", "els => els.map(e => e.lang)")
    assert {"vi", "zh-Hans"} <= set(langs)
    page.click("a.lang-switch[hreflang=zh-Hans]")
    assert page.url == prefix + "zh/" + glossary_href and html_lang(page) == "zh-Hans"
    watch.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("lang", list(UI_TAGS))
def test_every_kind_of_page_opens_cleanly_from_file(site_dir, new_page, lang):
    prefix = file_url(site_dir) + "/"
    page, watch = new_page(prefix)
    ui = site_dir / lang
    kinds = [ui / "index.html", ui / "browse.html", ui / "about.html",
             sorted((ui / "abstracts").glob("*.html"))[0], sorted((ui / "glossary").glob("*.html"))[0]]
    for path in kinds:
        page.goto(file_url(path))
        assert html_lang(page) == UI_TAGS[lang], path
        switches = page.locator("a.lang-switch")
        # every other interface, each once, at the same page
        assert switches.count() == len(UI_TAGS) - 1, path
        targets = {(path.parent / switches.nth(i).get_attribute("href")).resolve() for i in range(switches.count())}
        assert targets == {(site_dir / other / path.relative_to(ui)).resolve() for other in UI_TAGS if other != lang}, path
    watch.assert_clean()
