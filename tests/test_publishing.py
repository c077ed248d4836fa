"""Publishing: with a base URL, sitemap.xml, canonical links, absolute hreflang alternates and Open Graph
tags; without one, a fully relative site. Both: robots.txt and a bilingual 404. Pages without search stay light."""
from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import copy_project, run_build

BASE = "https://example.org/bibliography/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UI_TAGS = {"zh": "zh-Hans", "en": "en", "vi": "vi"}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A project copy built with base_url set in content/site.yaml (and a two-paragraph glossary entry)."""
    project = copy_project(tmp_path_factory.mktemp("published"))
    site_yaml = project / "content" / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    assert 'base_url: ""' in text, "content/site.yaml no longer has the base_url line this test rewrites"
    site_yaml.write_text(text.replace('base_url: ""', f'base_url: "{BASE}"').replace('contact: ""', 'contact: "maintainers@example.org"'),
                         encoding="utf-8")
    shutil.copy(FIXTURES / "glossary-sco-vi-zh.txt", project / "seeds" / "glossary" / "sco-vi-zh.txt")
    run_build(project)
    return project / "site"


class _Head(HTMLParser):
    """Collects a page's <link>, <meta>, <a>, <script> and <img> attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.metas, self.anchors, self.scripts, self.sources = [], [], [], [], []
        self.html_lang = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang", "")
        elif tag == "link":
            self.links.append(a)
        elif tag == "meta":
            self.metas.append(a)
        elif tag == "a" and "href" in a:
            self.anchors.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if a.get("src"):
            self.sources.append(a["src"])


def parse(path: Path) -> _Head:
    head = _Head()
    head.feed(path.read_text(encoding="utf-8"))
    return head


def ui_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for lang in UI_TAGS for p in (site / lang).rglob("*.html"))


# --- with a base URL -------------------------------------------------------------------------------

def test_sitemap_lists_the_door_and_every_page_with_absolute_alternates(published):
    root = ET.parse(published / "sitemap.xml").getroot()
    urls = root.findall("s:url", NS)
    listed = [u.find("s:loc", NS).text for u in urls]
    assert sorted(listed) == sorted([BASE] + [BASE + path for path in ui_pages(published)])
    assert len(set(listed)) == len(listed)
    door = next(url for url in urls if url.find("s:loc", NS).text == BASE)
    assert {link.get("hreflang"): link.get("href") for link in door.findall("x:link", NS)} == \
        {**{tag: f"{BASE}{code}/index.html" for code, tag in UI_TAGS.items()}, "x-default": BASE}
    for url in urls:
        loc = url.find("s:loc", NS).text
        if loc == BASE:
            continue
        inner = loc[len(BASE):].split("/", 1)[1]
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)}
        assert alternates == {tag: f"{BASE}{lang}/{inner}" for lang, tag in UI_TAGS.items()}, loc
        assert all(link.get("rel") == "alternate" for link in url.findall("x:link", NS))


def test_every_page_has_canonical_alternates_and_open_graph(published):
    problems = []
    for path in ui_pages(published):
        head = parse(published / path)
        lang, inner = path.split("/", 1)
        canonical = [l["href"] for l in head.links if l.get("rel") == "canonical"]
        # the hreflang alternates (the feed's alternate link has a type and no hreflang)
        alternates = {l["hreflang"]: l["href"] for l in head.links if l.get("rel") == "alternate" and "hreflang" in l}
        og = {m["property"]: m["content"] for m in head.metas if m.get("property", "").startswith("og:")}
        if canonical != [BASE + path]:
            problems.append(f"{path}: canonical {canonical}")
        if alternates != {tag: f"{BASE}{code}/{inner}" for code, tag in UI_TAGS.items()}:
            problems.append(f"{path}: alternates {alternates}")
        if og.get("og:url") != BASE + path or not og.get("og:title") or not og.get("og:site_name"):
            problems.append(f"{path}: og {og}")
        if og.get("og:locale") != {"zh": "zh_CN", "en": "en_US", "vi": "vi_VN"}[lang]:
            problems.append(f"{path}: og:locale {og.get('og:locale')}")
        expected_type = "article" if inner.startswith(("abstracts/", "glossary/")) else "website"
        if og.get("og:type") != expected_type:
            problems.append(f"{path}: og:type {og.get('og:type')}")
    assert problems == []


def test_record_pages_share_a_description_and_print_an_absolute_permalink(published):
    page = published / "en" / "glossary" / "cica.html"
    head = parse(page)
    metas = {m.get("property") or m.get("name"): m.get("content") for m in head.metas}
    assert metas.get("description") and metas.get("og:description") == metas["description"]
    assert f'<a href="{BASE}en/glossary/cica.html">{BASE}en/glossary/cica.html</a>' in page.read_text(encoding="utf-8")


def test_robots_404_door_and_zip_link_are_absolute(published):
    assert (published / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"
    not_found = parse(published / "404.html")
    # a host serves 404.html at any depth, so its links and stylesheet must not be relative
    assert not_found.anchors and all(h.startswith(BASE) for h in not_found.anchors), not_found.anchors
    assert [l["href"] for l in not_found.links if l.get("rel") == "stylesheet"] == [BASE + "assets/style.css"]
    door = parse(published / "index.html")
    assert {l["hreflang"]: l["href"] for l in door.links if l.get("rel") == "alternate"} == \
        {**{tag: f"{BASE}{code}/index.html" for code, tag in UI_TAGS.items()}, "x-default": BASE}
    home = (published / "zh" / "index.html").read_text(encoding="utf-8")
    assert f'href="{BASE}regional-security-bibliography.zip"' in home
    assert 'href="mailto:maintainers@example.org"' in home


def test_feed_and_opensearch_are_written_and_linked_from_every_page_head(published):
    import feedparser
    parsed = feedparser.parse((published / "feed.xml").read_text(encoding="utf-8"))
    assert not parsed.bozo and parsed.entries, parsed.get("bozo_exception")
    assert all(e.link.startswith(BASE) for e in parsed.entries)
    described = ET.parse(published / "opensearch.xml").getroot()
    templates = [u.get("template") for u in described.iter("{http://a9.com/-/spec/opensearch/1.1/}Url")]
    assert f"{BASE}zh/search.html?q={{searchTerms}}" in templates
    for path in ui_pages(published):
        links = parse(published / path).links
        assert [l["href"] for l in links if l.get("type") == "application/atom+xml"] == [BASE + "feed.xml"], path
        assert [l["href"] for l in links if l.get("rel") == "search"
                and l.get("type") == "application/opensearchdescription+xml"] == [BASE + "opensearch.xml"], path
    for home in sorted(published.glob("*/index.html")):  # and a visible link in each home page's body
        assert f'<a href="{BASE}feed.xml" type="application/atom+xml">' in home.read_text(encoding="utf-8"), home


@pytest.mark.browser
def test_glossary_paragraphs_line_up_side_by_side(published, new_page):
    # the fixture entry has two paragraphs in each language: paragraph n of each starts on the same line
    prefix = published.as_uri() + "/"
    page, watch = new_page(prefix, viewport={"width": 1280, "height": 900})
    page.goto(prefix + "zh/glossary/sco.html")
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('.parallel-row')).map(row =>
        Array.from(row.querySelectorAll('[role=cell] p')).map(p => {
            const box = p.getBoundingClientRect();
            return [p.closest('[lang]').lang, Math.round(box.top), Math.round(box.left)];
        }))""")
    assert len(rows) == 2 and all(len(row) == 2 for row in rows), rows
    # the interface's language (Chinese here) in the first column
    for (zh_lang, zh_top, zh_left), (vi_lang, vi_top, vi_left) in rows:
        assert (zh_lang, vi_lang) == ("zh-Hans", "vi")
        assert vi_top == zh_top and zh_left < vi_left
    assert rows[1][0][1] > rows[0][0][1]
    page.set_viewport_size({"width": 360, "height": 800})
    order = page.evaluate("""() => Array.from(document.querySelectorAll('.parallel-row [role=cell] p'))
        .map(p => [p.closest('[lang]').lang, Math.round(p.getBoundingClientRect().top)])""")
    assert [lang for lang, _ in order] == ["zh-Hans", "vi", "zh-Hans", "vi"]
    assert [top for _, top in order] == sorted(top for _, top in order)  # one after the other, in pairs
    watch.assert_clean()


# --- without a base URL (the session's site) --------------------------------------------------------

def test_without_base_url_the_site_is_fully_relative(site_dir):
    assert not (site_dir / "sitemap.xml").exists()
    assert not (site_dir / "opensearch.xml").exists()
    assert (site_dir / "feed.xml").exists()
    assert (site_dir / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    problems = []
    for path in ui_pages(site_dir) + ["index.html", "404.html"]:
        head = parse(site_dir / path)
        if any(l.get("rel") == "canonical" for l in head.links):
            problems.append(f"{path}: canonical without a base URL")
        if any(m.get("property", "").startswith("og:") for m in head.metas):
            problems.append(f"{path}: og: tags without a base URL")
        for link in head.links:
            href = link.get("href", "")
            if link.get("rel") in ("alternate", "stylesheet") and (":" in href.split("/")[0] or href.startswith("/")):
                problems.append(f"{path}: {link.get('rel')} {href} is not relative")
            if link.get("rel") == "alternate":
                target = (site_dir / path).parent / href
                if not target.resolve().is_file():
                    problems.append(f"{path}: alternate {href} does not exist")
        for href in head.anchors + head.sources:
            if href.startswith("/") or href.startswith("file:"):
                problems.append(f"{path}: {href} is root- or file-absolute")
    assert problems == []


def test_bilingual_404_and_robots_are_always_there(site_dir):
    text = (site_dir / "404.html").read_text(encoding="utf-8")
    head = parse(site_dir / "404.html")
    assert '<section lang="zh-Hans">' in text and '<section lang="en">' in text
    assert "页面不存在" in text and "Page not found" in text
    assert {"zh/index.html", "en/index.html", "zh/search.html", "en/search.html"} <= set(head.anchors)
    assert {"name": "robots", "content": "noindex"} in head.metas


# --- weight: pages without search stay light ----------------------------------------------------------

class _RecordText(HTMLParser):
    """Sums the UTF-8 length of the text inside .record-text blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.size = 0, 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif "record-text" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.size += len(data.encode("utf-8"))


def test_pages_without_search_load_no_index_and_weigh_under_100_kb(site_dir):
    heavy, searchy = [], []
    for path in ui_pages(site_dir) + ["index.html", "404.html"]:
        if path.endswith("/search.html"):
            continue
        page = site_dir / path
        head = parse(page)
        loaded = [href for l in head.links if l.get("rel") == "stylesheet" for href in [l["href"]]] + head.scripts
        if any("search/" in src or "lunr" in src or "index.js" in src for src in head.scripts):
            searchy.append(f"{path}: {head.scripts}")
        total = page.stat().st_size + sum((page.parent / src).stat().st_size for src in loaded if "://" not in src)
        record = _RecordText()
        record.feed(page.read_text(encoding="utf-8"))
        if total - record.size >= 100 * 1024:
            heavy.append(f"{path}: {total - record.size} bytes besides the record text")
    assert searchy == []
    assert heavy == []


def test_the_search_page_is_the_one_that_loads_the_index(site_dir):
    scripts = parse(site_dir / "zh" / "search.html").scripts
    assert any("lunr" in src for src in scripts) and any("search-page" in src for src in scripts)
