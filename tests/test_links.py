"""Link check over the built site: every internal href/src resolves to a file, and every link is relative."""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

LINK_ATTRS = {"href", "src", "action", "poster", "data"}
EXTERNAL_OK = ("http://", "https://", "mailto:")


class _Links(HTMLParser):
    """Collects (tag, attribute, value, attributes) of every link-bearing attribute, and every id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str, dict]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and "name" in attributes:
            self.ids.add(attributes["name"])
        for name, value in attributes.items():
            if name in LINK_ATTRS:
                self.links.append((tag, name, value, attributes))
            if name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((tag, name, candidate.split()[0], attributes))

    handle_startendtag = handle_starttag


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check_site(site: Path) -> list[str]:
    """Return one problem line per broken, absolute or external link in the site's HTML and CSS."""
    problems = []
    pages = sorted(site.rglob("*.html"))
    parsed = {page: parse(page) for page in pages}
    for page, found in parsed.items():
        where = page.relative_to(site).as_posix()
        for tag, attr, value, attributes in found.links:
            value = value.strip()
            if attr == "data" and tag != "object":
                continue
            if value.startswith(EXTERNAL_OK):
                if tag in ("script", "img", "iframe", "source", "video", "audio", "object") or (
                        tag == "link" and attributes.get("rel", "") not in ("alternate", "canonical")):
                    problems.append(f"{where}: <{tag} {attr}> loads from another host: {value}")
                continue
            if value.startswith("//"):
                problems.append(f"{where}: <{tag} {attr}> is protocol-relative: {value}")
                continue
            if value.startswith("data:") and (tag == "img" or (tag == "link" and "icon" in attributes.get("rel", ""))):
                continue  # an inline image, e.g. the empty favicon that saves a request
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                problems.append(f"{where}: <{tag} {attr}> uses a scheme that is not allowed: {value}")
                continue
            if value.startswith("/"):
                problems.append(f"{where}: <{tag} {attr}> is absolute, not relative: {value}")
                continue
            parts = urlsplit(value)
            if not parts.path:
                # "#frag" or "?q=...": the page itself; a fragment must name an element on it.
                if parts.fragment and parts.fragment not in found.ids:
                    problems.append(f"{where}: <{tag} {attr}> points at a missing #{parts.fragment}")
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(where), unquote(parts.path)))
            if target.startswith("../") or target == "..":
                problems.append(f"{where}: <{tag} {attr}> leaves the site: {value}")
                continue
            if not (site / target).is_file():
                problems.append(f"{where}: <{tag} {attr}> {value} → {target} does not exist")
                continue
            if parts.fragment and target.endswith(".html"):
                ids = parsed.get(site / target)
                if ids is not None and unquote(parts.fragment) not in ids.ids:
                    problems.append(f"{where}: <{tag} {attr}> {value}: no #{parts.fragment} on {target}")
    for sheet in sorted(site.rglob("*.css")):
        where = sheet.relative_to(site).as_posix()
        for value in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", sheet.read_text(encoding="utf-8")):
            if value.startswith("data:"):
                continue
            if re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*:|/)", value):
                problems.append(f"{where}: url({value}) is not a relative link inside the site")
            elif not (sheet.parent / urlsplit(value).path).resolve().is_file():
                problems.append(f"{where}: url({value}) does not exist")
        for value in re.findall(r"@import\s+['\"]([^'\"]+)['\"]", sheet.read_text(encoding="utf-8")):
            problems.append(f"{where}: @import {value}: keep styles in one file")
    return problems


def test_every_internal_link_resolves_and_every_link_is_relative(site_dir):
    pages = list(site_dir.rglob("*.html"))
    assert len(pages) > 10, "the site is missing pages"
    assert check_site(site_dir) == []


def test_pages_link_to_each_other(site_dir):
    # The check above is only worth something if the pages really hold internal links.
    links = [value for page in site_dir.rglob("*.html") for _, _, value, _ in parse(page).links]
    assert sum(1 for v in links if not v.startswith(EXTERNAL_OK) and not v.startswith("#")) > 100


def test_every_record_page_exists_in_both_languages(site_dir):
    zh = {p.relative_to(site_dir / "zh").as_posix() for p in (site_dir / "zh").rglob("*.html")}
    en = {p.relative_to(site_dir / "en").as_posix() for p in (site_dir / "en").rglob("*.html")}
    assert zh == en and any(p.startswith("abstracts/") for p in zh)


def test_no_script_or_style_comes_from_another_host(site_dir):
    for page in site_dir.rglob("*.html"):
        for tag, attr, value, attributes in parse(page).links:
            if tag == "script" or (tag == "link" and "stylesheet" in attributes.get("rel", "")):
                assert not re.match(r"^([a-z]+:)?//", value), f"{page}: {value}"


# The checker itself must catch what it is meant to catch.

@pytest.mark.parametrize("html, problem", [
    ('<a href="missing.html">x</a>', "does not exist"),
    ('<a href="/en/index.html">x</a>', "is absolute"),
    ('<script src="https://cdn.example.org/x.js"></script>', "loads from another host"),
    ('<link rel="stylesheet" href="//cdn.example.org/x.css">', "protocol-relative"),
    ('<a href="javascript:alert(1)">x</a>', "scheme that is not allowed"),
    ('<a href="data:text/html,hi">x</a>', "scheme that is not allowed"),
    ('<a href="#nowhere">x</a>', "missing #nowhere"),
    ('<a href="../../outside.html">x</a>', "leaves the site"),
    ('<img src="img/none.png" alt="">', "does not exist"),
    ('<a href="other.html#gone">x</a>', "no #gone"),
])
def test_the_checker_finds_each_kind_of_bad_link(tmp_path, html, problem):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "other.html").write_text('<p id="here">x</p>', encoding="utf-8")
    (tmp_path / "en" / "page.html").write_text(f"<!DOCTYPE html><p id=top>{html}</p>", encoding="utf-8")
    problems = check_site(tmp_path)
    assert len(problems) == 1 and problem in problems[0], problems


def test_the_checker_accepts_queries_fragments_and_external_anchors(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "search.html").write_text('<p id="results">x</p>', encoding="utf-8")
    (tmp_path / "en" / "page.html").write_text(
        '<p id="top"><a href="search.html?q=%E4%B8%8A%E5%90%88">q</a><a href="search.html#results">r</a>'
        '<a href="#top">t</a><a href="?q=x">self</a><a href="https://doi.org/10.1/x">doi</a>'
        '<a href="mailto:a@example.org">m</a><link rel="alternate" hreflang="en" href="https://example.org/en/">'
        '<form action="search.html"></form><link rel="icon" href="data:,"></p>', encoding="utf-8")
    assert check_site(tmp_path) == []
