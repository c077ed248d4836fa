"""Author and journal pages (bibsite/names.py): slugs, what each page lists and in which order, the links
from record pages, none of it without metadata; the browse page's orders in Chromium from file://."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypinyin import lazy_pinyin

from bibsite import names
from conftest import EXTRA_AUTHOR, EXTRA_JOURNAL, EXTRA_METADATA
from page_types import UI_LANGS


class _Page(HTMLParser):
    """The hrefs of a page and the data-record ids of its list entries, in document order."""

    def __init__(self, text: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.entries: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "li" and attrs.get("data-record"):
            self.entries.append(attrs["data-record"])


def parse(path: Path) -> _Page:
    return _Page(path.read_text(encoding="utf-8"))


def load_records(site: Path) -> list[dict]:
    return json.loads((site / "data" / "records.json").read_text(encoding="utf-8"))


def expected(records: list[dict], field: str) -> dict[str, set[str]]:
    """Return {name: ids of the records with it} for authors or journal, read from records.json."""
    found: dict[str, set[str]] = {}
    for record in records:
        values = record.get(field) or []
        for name in [values] if isinstance(values, str) else values:
            found.setdefault(name, set()).add(record["id"])
    return found


def test_slugs_are_readable_stable_and_distinct_for_names_that_read_alike():
    pairs = [("王伟", "汪伟"), ("Müller, K.", "Muller, K."), ("李某", "李 某 ")]
    for one, other in pairs[:2]:
        assert names.slug(one) != names.slug(other)
        assert names.slug(one).split("-")[:-1] == names.slug(other).split("-")[:-1]  # same readable part
    assert names.slug("李某") == names.slug(" 李某") and names.slug("王伟") == names.slug("王伟")
    assert names.slug("王伟").startswith("wang-wei-") and names.slug("Smith, Jane A.").startswith("smith-jane-a-")
    for name in ("国际问题研究", "Nguyễn Văn Minh", "《俄罗斯学刊》", "???"):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", names.slug(name)), name
    assert names.slug("Nguyễn Văn Minh").startswith("nguyen-van-minh-")


@pytest.mark.parametrize("kind,field", [("authors", "authors"), ("journals", "journal")])
def test_each_name_page_lists_exactly_its_records_newest_first(metadata_project, kind, field):
    site = metadata_project / "site"
    records = load_records(site)
    by_id = {r["id"]: r for r in records}
    wanted = expected(records, field)
    assert len(wanted) >= 3
    for lang in UI_LANGS:
        index = parse(site / lang / f"{kind}.html")
        linked = [href for href in index.hrefs if href.startswith(f"{kind}/")]
        assert sorted(linked) == sorted(f"{kind}/{names.slug(name)}.html" for name in wanted)
        for name, ids in wanted.items():
            listed = parse(site / lang / kind / f"{names.slug(name)}.html").entries
            assert sorted(listed) == sorted(ids), (lang, name)
            years = [by_id[rid].get("year") or 0 for rid in listed]
            assert years == sorted(years, reverse=True), (lang, name, years)
    shown = EXTRA_AUTHOR if kind == "authors" else EXTRA_JOURNAL
    listed = parse(site / "en" / kind / f"{names.slug(shown)}.html").entries
    assert [by_id[rid]["year"] for rid in listed] == sorted(EXTRA_METADATA["year"], reverse=True)


def test_the_indexes_are_in_collation_order_latin_names_before_chinese_by_pinyin(metadata_project):
    page = (metadata_project / "site" / "zh" / "authors.html").read_text(encoding="utf-8")
    shown = re.findall(r'<a href="authors/[^"]+" lang="[^"]+">([^<]+)</a> <span class="count">\((\d+)\)', page)
    labels = [label for label, _ in shown]
    han = [label for label in labels if re.match(r"[\u4e00-\u9fff]", label)]
    assert han and labels[-len(han):] == han  # Latin-script names first
    readings = [lazy_pinyin(label[0])[0] for label in han]
    assert readings == sorted(readings)
    records = load_records(metadata_project / "site")
    assert {label: int(count) for label, count in shown} == {name: len(ids) for name, ids in expected(records, "authors").items()}


def test_every_record_page_links_each_of_its_authors_and_its_journal(metadata_project):
    site = metadata_project / "site"
    records = [r for r in load_records(site) if r.get("authors") or r.get("journal")]
    assert len(records) >= 5
    for lang in UI_LANGS:
        for record in records:
            page = site / lang / "abstracts" / f"{record['id']}.html"
            hrefs = parse(page).hrefs
            targets = [("authors", name) for name in record.get("authors", [])]
            targets += [("journals", record["journal"])] if record.get("journal") else []
            for kind, name in targets:
                href = f"../{kind}/{names.slug(name)}.html"
                assert href in hrefs, (lang, record["id"], name)
                assert record["id"] in parse((page.parent / href).resolve()).entries


def test_no_author_or_journal_page_or_link_without_metadata(site_dir):
    assert not any(r.get("authors") or r.get("journal") for r in load_records(site_dir))
    for lang in UI_LANGS:
        for kind in names.KINDS:
            assert not (site_dir / lang / kind).exists() and not (site_dir / lang / f"{kind}.html").exists()
    for page in site_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'href="[^"]*(authors|journals)(/[^"]*)?\.html"', text), page


# --- the browse page's orders, in Chromium from file:// ---------------------------------------------

LISTS = "lists => lists.map(list => Array.from(list.children, li => li.dataset.record))"


def browse_orders(page) -> list[list[str]]:
    return page.eval_on_selector_all("ol.record-list", LISTS)


def current(page) -> list[str]:
    return page.eval_on_selector_all('a[data-sort][aria-current="true"]', "links => links.map(a => a.dataset.sort)")


@pytest.mark.browser
def test_browse_sorts_by_year_title_and_date_added_from_file_urls(metadata_project, new_page):
    site = metadata_project / "site"
    by_id = {r["id"]: r for r in load_records(site)}
    prefix = site.as_uri() + "/"
    page, watch = new_page(prefix)
    for lang in UI_LANGS:
        page.goto(prefix + f"{lang}/browse.html")
        by_title = browse_orders(page)
        assert current(page) == ["title"] and sum(map(len, by_title)) == len(by_id)
        zh = next(ids for ids in by_title if by_id[ids[0]]["main_language"] == "zh" and by_id[ids[0]]["type"] == "abstract")
        # pinyin order, read with pypinyin rather than the build's own keys: titles that start with Han
        first = [by_id[rid]["display_title"][0] for rid in zh if re.match(r"[\u4e00-\u9fff]", by_id[rid]["display_title"])]
        assert len(first) >= 5 and [lazy_pinyin(c)[0] for c in first] == sorted(lazy_pinyin(c)[0] for c in first)

        page.goto(prefix + f"{lang}/browse.html?sort=year")
        assert current(page) == ["year"]
        for ids in browse_orders(page):
            years = [by_id[rid].get("year") or 0 for rid in ids]
            assert years == sorted(years, reverse=True)
        assert any(by_id[rid].get("year") for rid in zh)

        page.goto(prefix + f"{lang}/browse.html?sort=added")
        assert current(page) == ["added"]
        for ids in browse_orders(page):
            added = [by_id[rid].get("added", "") for rid in ids]
            assert added == sorted(added, reverse=True)
            ties = [rid for rid in ids if by_id[rid].get("added") == by_id[ids[-1]].get("added")]
            assert ties == [rid for rid in next(t for t in by_title if ids[0] in t) if rid in ties]  # title breaks ties
        assert browse_orders(page) != by_title

        # from the keyboard: the title link, focused and activated, restores the title order in the URL too
        page.focus('a[data-sort="title"]')
        page.keyboard.press("Enter")
        assert browse_orders(page) == by_title and current(page) == ["title"]
        assert page.evaluate("location.search") == "?sort=title" and page.evaluate("location.protocol") == "file:"
    watch.assert_clean()


@pytest.mark.browser
def test_name_pages_and_browse_controls_fit_a_phone(metadata_project, new_page):
    site = metadata_project / "site"
    prefix = site.as_uri() + "/"
    page, watch = new_page(prefix, viewport={"width": 360, "height": 740})
    for lang in UI_LANGS:
        paths = [f"{lang}/browse.html", f"{lang}/authors.html", f"{lang}/journals.html",
                 f"{lang}/authors/{names.slug(EXTRA_AUTHOR)}.html", f"{lang}/journals/{names.slug(EXTRA_JOURNAL)}.html"]
        for path in paths:
            page.goto(prefix + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    watch.assert_clean()
