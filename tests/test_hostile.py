"""Hostile input: markup and template syntax in records are shown as text everywhere; huge records build."""
from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from bibsite import records, textnorm
from bibsite.errors import InputError
from conftest import copy_project, run_build

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}",
    "{% raw %}",
    "{% endraw %}",
    "{# not a comment #}",
    "</textarea></title><svg onload=alert(1)>",
    "&amp; &lt;b&gt;",
]
HOSTILE_SEED = ("Hostile seed abstract about regional security: " + " ".join(PAYLOADS)
                + " and the rest of the sentence. A second sentence follows.")
HOSTILE_ID = "bad0c0ffee"
HOSTILE_RECORD = {
    "id": HOSTILE_ID,
    "type": "abstract",
    "language": "en",
    "title": "Hand-written <b>title</b> {{ 7*7 }} <script>alert(1)</script>",
    "authors": ["<img src=x onerror=alert(1)>", "{{ config }}"],
    "journal": "<i>Journal</i> {% raw %}",
    "url": "https://example.org/search?q=<script>alert(1)</script>&x=\"y\"",
    "keywords": ["<script>alert(1)</script>", "{{ 7*7 }}"],
    "added": "2099-12-31",  # newest, so it is listed on the home page too
    "text": "Hand-written hostile abstract. " + " ".join(PAYLOADS) + "\n\nSecond paragraph " + PAYLOADS[0],
}
LONG_ID = "1009e1009e"
LONG_TEXT = "\n\n".join(
    (f"Paragraph {n} of a very long abstract on maritime security in the Indian Ocean region. " * 12).strip()
    for n in range(110))  # about 100 KB
LINE_TEXT = "中亚安全合作" * 20_000 + "结束。"  # one line of 120 000 characters without a break


class _Text(HTMLParser):
    """Collects the text a reader sees (not inside script/style), and every element's attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.data_blocks: list[str] = []  # <script type="application/ld+json">: data, never run
        self._in_script = 0
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in_script += 1
            self._in_data = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in_script -= 1
            self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data_blocks.append(data)
        else:
            (self.scripts if self._in_script else self.text).append(data)


def read_page(path: Path) -> _Text:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    seeds = project / "seeds" / "abstracts"
    (seeds / "hostile.txt").write_text(f"{HOSTILE_SEED}  相似文献\n\n{LINE_TEXT}  相似文献\n", encoding="utf-8")
    content = project / "content" / "abstracts"
    (content / f"{HOSTILE_ID}.yaml").write_text(yaml.safe_dump(HOSTILE_RECORD, allow_unicode=True), encoding="utf-8")
    (content / f"{LONG_ID}.yaml").write_text(yaml.safe_dump(
        {"id": LONG_ID, "type": "abstract", "language": "en", "text": LONG_TEXT}, allow_unicode=True), encoding="utf-8")
    started = time.monotonic()
    proc = run_build(project)
    seconds = time.monotonic() - started
    return {"project": project, "site": project / "site", "proc": proc, "seconds": seconds,
            "seed_id": textnorm.record_id(HOSTILE_SEED), "line_id": textnorm.record_id(LINE_TEXT)}


def pages_showing(site: Path, record_id: str) -> list[Path]:
    """The record's own pages in both UI languages, plus browse and home."""
    shown = []
    for lang in ("zh", "en"):
        shown += [site / lang / "abstracts" / f"{record_id}.html", site / lang / "browse.html"]
    return shown


def assert_inert(page: _Text, where: str):
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}=...> event handler"
            if name in ("href", "src", "action", "formaction"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:text/html")), f"{where}: {value}"
        assert tag not in ("svg", "iframe", "object", "embed") or "onload" not in attrs, where
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: injected <img>"
    assert all("alert(1)" not in script for script in page.scripts), f"{where}: payload inside a <script>"
    for block in page.data_blocks:  # a record's text may sit in its JSON-LD, as data that cannot end the script
        assert "<" not in block and json.loads(block), f"{where}: JSON-LD that could close its <script>"


@pytest.mark.parametrize("which", ["seed", "yaml"])
def test_payloads_are_shown_as_text_on_every_page(hostile, which):
    site = hostile["site"]
    record_id = hostile["seed_id"] if which == "seed" else HOSTILE_ID
    for path in pages_showing(site, record_id):
        page = read_page(path)
        where = path.relative_to(site).as_posix()
        assert_inert(page, where)
        seen = "".join(page.text)
        if "abstracts" in where:
            for payload in PAYLOADS:
                assert payload in seen, f"{where}: {payload!r} is not shown literally"
        else:
            assert "<script>alert(1)</script>" in seen or "{{ 7*7 }}" in seen, f"{where}: the record is not listed"


def test_the_hand_written_fields_are_text_and_the_url_links_only_as_https(hostile):
    site = hostile["site"]
    for lang in ("zh", "en"):
        path = site / lang / "abstracts" / f"{HOSTILE_ID}.html"
        page = read_page(path)
        seen = "".join(page.text)
        for value in [HOSTILE_RECORD["title"], HOSTILE_RECORD["journal"], *HOSTILE_RECORD["authors"],
                      *HOSTILE_RECORD["keywords"]]:
            assert value in seen, f"{lang}: {value!r}"
        links = [attrs.get("href", "") for tag, attrs in page.elements if tag == "a"]
        assert HOSTILE_RECORD["url"] in links
        assert all(not href.lower().startswith("javascript:") for href in links)
        html = path.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html and "<b>title</b>" not in html and "<i>Journal</i>" not in html


def test_the_home_page_lists_the_newest_hostile_record_as_text(hostile):
    for lang in ("zh", "en"):
        path = hostile["site"] / lang / "index.html"
        page = read_page(path)
        assert_inert(page, f"{lang}/index.html")
        assert HOSTILE_RECORD["title"] in "".join(page.text)
        assert "<b>title</b>" not in path.read_text(encoding="utf-8")


def test_records_json_holds_the_exact_text(hostile):
    data = json.loads((hostile["site"] / "data" / "records.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in data}
    assert by_id[hostile["seed_id"]]["text"] == HOSTILE_SEED
    assert by_id[HOSTILE_ID]["text"] == HOSTILE_RECORD["text"]
    assert by_id[HOSTILE_ID]["title"] == HOSTILE_RECORD["title"]
    assert by_id[LONG_ID]["text"] == LONG_TEXT
    assert by_id[hostile["line_id"]]["text"] == LINE_TEXT


def test_no_page_anywhere_carries_an_injected_element(hostile):
    site = hostile["site"]
    for path in sorted(site.rglob("*.html")):
        assert_inert(read_page(path), path.relative_to(site).as_posix())


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/x",
                                 "file:///etc/passwd"])
def test_a_url_that_is_not_http_is_refused_by_the_schema(url):
    text = yaml.safe_dump({**HOSTILE_RECORD, "url": url}, allow_unicode=True)
    with pytest.raises(InputError) as caught:
        records.parse(text, f"content/abstracts/{HOSTILE_ID}.yaml")
    assert "field 'url'" in caught.value.one_line()


def test_huge_records_build_and_render_in_bounded_time(hostile):
    site = hostile["site"]
    assert hostile["seconds"] < 120, f"the build took {hostile['seconds']:.0f} s"
    for lang in ("zh", "en"):
        long_page = (site / lang / "abstracts" / f"{LONG_ID}.html").read_text(encoding="utf-8")
        assert "Paragraph 109 of a very long abstract" in long_page     # nothing cut off
        assert long_page.count("<p>Paragraph ") >= 110
        line_page = (site / lang / "abstracts" / f"{hostile['line_id']}.html").read_text(encoding="utf-8")
        assert "中亚安全合作" * 1000 in line_page and "结束。" in line_page
    title = re.search(r"<h1[^>]*>(.*?)</h1>", line_page, re.S).group(1)
    assert len(title) <= 200, "a title derived from one huge line must be shortened"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_hostile_page_in_chromium_shows_text_and_runs_nothing(hostile, new_page, lang):
    site = hostile["site"]
    page, watch = new_page(site.resolve().as_uri() + "/")
    for record_id in (HOSTILE_ID, hostile["seed_id"]):
        page.goto((site / lang / "abstracts" / f"{record_id}.html").resolve().as_uri())
        shown = page.locator(".record-text").first.inner_text()
        for payload in PAYLOADS:
            assert payload in shown, payload
        assert page.locator("main img[src='x'], main svg[onload], main script").count() == 0
        assert page.evaluate("document.title").count("<script>") <= 1
    page.goto((site / lang / "browse.html").resolve().as_uri())
    page.goto((site / lang / "index.html").resolve().as_uri())
    watch.assert_clean()
