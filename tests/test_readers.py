"""What a reader sees in the built seed site: lists in pinyin order, no empty organisation pages, the
glossary headed in the interface's language, derived titles not repeated as the text's start."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypinyin import Style, lazy_pinyin

from page_types import UI_LANGS


class _Links(HTMLParser):
    """Collects (href, text) of every <a>, and the lang of each <span> directly inside the first <h1>."""

    def __init__(self):
        super().__init__()
        self.links: list[list[str]] = []
        self.h1_langs: list[str] = []
        self._in_a = False
        self._h1 = 0  # 0 before the first h1, 1 inside it, 2 after

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append([attrs.get("href", ""), ""])
            self._in_a = True
        elif tag == "h1" and self._h1 == 0:
            self._h1 = 1
        elif tag == "span" and self._h1 == 1:
            self.h1_langs.append(attrs.get("lang", ""))

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_a = False
        elif tag == "h1" and self._h1 == 1:
            self._h1 = 2

    def handle_data(self, data):
        if self._in_a:
            self.links[-1][1] += data


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _group_titles(html: str, key: str) -> list[str]:
    """Return the link texts of one browse group's list, in page order."""
    section = re.search(rf'<section aria-labelledby="group-{key}">(.*?)</section>', html, re.S)
    assert section, f"no browse group {key}"
    # an entry may hold a checkbox before its link (export.js)
    return re.findall(r'<li[^>]*>(?:(?!</li>).)*?<a [^>]*>([^<]*)</a>', section.group(1), re.S)


def test_chinese_browse_list_is_in_pinyin_order(site_dir):
    titles = _group_titles((site_dir / "zh" / "browse.html").read_text(encoding="utf-8"), "abstract-zh")
    han = [t for t in titles if re.match(r"[\u4e00-\u9fff]", t)]
    assert len(han) >= 5, titles
    # titles starting with digits or Latin letters come before those starting with Han characters
    first_han = titles.index(han[0])
    assert all(not re.match(r"[\u4e00-\u9fff]", t) for t in titles[:first_han])
    assert titles[first_han:] == han
    # Han titles by the pinyin of their first syllables, independently of the key the build uses
    syllables = [lazy_pinyin(t[:4], style=Style.TONE3, neutral_tone_with_five=True) for t in han]
    assert syllables == sorted(syllables), list(zip(han, syllables))
    # code-point order would differ on this corpus (上 U+4E0A comes before 阿 U+963F)
    assert han != sorted(han)


def test_english_browse_list_ignores_leading_articles(site_dir):
    titles = _group_titles((site_dir / "en" / "browse.html").read_text(encoding="utf-8"), "abstract-en")
    assert len(titles) >= 3
    keys = [re.sub(r"^(the|an|a)\s+", "", t.lower()) for t in titles]
    assert keys == sorted(keys), titles


@pytest.mark.parametrize("lang", UI_LANGS)
def test_no_link_leads_to_an_empty_entity_page(site_dir, lang):
    pages = [p for p in (site_dir / lang).rglob("*.html")]
    targets = set()
    for page in pages:
        for href, _ in parse(page).links:
            if "entities/" in href and not href.startswith(("http:", "https:")):
                target = (page.parent / href.split("?")[0].split("#")[0]).resolve()
                assert target.exists(), f"{page.relative_to(site_dir)} links to missing {href}"
                targets.add(target)
    assert targets
    for page in sorted((site_dir / lang / "entities").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert '<ol class="record-list">' in html or "<h2>" in html and "glossary/" in html, \
            f"{page.relative_to(site_dir)} lists no record"
    # entities no record names are listed apart, without links
    index = (site_dir / lang / "entities.html").read_text(encoding="utf-8")
    empty = re.findall(r'<p class="entity-empty">(.*?)</p>', index, re.S)
    if empty:
        assert all("<a " not in block for block in empty)


def test_chinese_glossary_page_is_headed_in_chinese(site_dir):
    for lang, prefix in (("zh", "zh"), ("en", "en")):
        found = parse(site_dir / lang / "glossary" / "cica.html").h1_langs
        assert found and found[0].startswith(prefix), (lang, found)
    html = (site_dir / "zh" / "glossary" / "cica.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert re.match(r"[\u4e00-\u9fff]", title), title
    # the source's own breadcrumb is provenance now, not the page's navigation
    assert "Trang chủ" not in html
    assert 'class="provenance"' in html


def test_browse_names_the_glossary_group_by_all_its_languages(site_dir):
    html = (site_dir / "zh" / "browse.html").read_text(encoding="utf-8")
    heading = re.search(r'<h2 id="group-glossary-[a-z]+">([^<]*)', html).group(1)
    assert "越南文" in heading and "中文" in heading, heading


@pytest.mark.parametrize("lang", UI_LANGS)
def test_a_derived_title_is_not_repeated_as_the_first_sentence(site_dir, lang):
    seen = 0
    for page in sorted((site_dir / lang / "abstracts").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        if 'class="derived-note"' not in html:
            continue
        title = re.search(r'<h1 id="record-title"[^>]*>([^<]*)</h1>', html).group(1).rstrip("…")
        first = re.search(r'<div class="record-text"[^>]*>\s*<p>([^<]*)', html).group(1)
        seen += 1
        if not re.search(r"…</h1>", html):
            # only a text that is nothing but its first sentence may start with its whole title
            assert not (first.startswith(title) and len(first) > len(title) + 2), page.name
    assert seen >= 3


@pytest.mark.parametrize("lang", UI_LANGS)
def test_about_is_written_for_readers(site_dir, lang):
    html = (site_dir / lang / "about.html").read_text(encoding="utf-8")
    prose = re.search(r'<article class="prose"[^>]*>(.*?)</article>', html, re.S).group(1)
    # no build instructions; sources, dates, search, citing, licence and contact each have a section
    assert "make site" not in prose and "seeds/" not in prose
    assert len(re.findall(r"<h2>", prose)) >= 6
    assert "china.org.cn" in prose.lower() and "bibliography.bib" in prose
