"""templates/assets/export.js in real Chromium, from file:// and http://127.0.0.1, on a small static
page written here (ticked records, select all shown, nothing ticked; copy buttons with the keyboard).
Every download is parsed with bibtexparser, rispy and json into exactly the records exported."""
from __future__ import annotations

import html
import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import bibtexparser
import pytest
import rispy
import yaml
from bibtexparser.bparser import BibTexParser

from bibsite import citations, citefiles
from bibsite.enrich import enrich

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "citations_records.yaml"
pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def fixture_records() -> list[dict]:
    full, hostile = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    bare = [{"id": f"{n:02x}ef1ce6b{n}", "type": "abstract", "language": "zh",
             "text": f"第{n}条摘要:上海合作组织的地区安全合作。"} for n in range(3)]
    return [enrich(r) for r in (full, hostile, *bare)]


def write_fixture_site(root: Path, records: list[dict]) -> dict:
    """Write a list page, a record page, export.js and the export scripts under root; return the formats."""
    formats = {r["id"]: citations.formats(r, r["display_title"]) for r in records}
    for path, text in citefiles.export_scripts(formats).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "templates" / "assets" / "export.js", root / "assets" / "export.js")
    rows = "\n".join(
        f'<li data-record="{html.escape(r["id"])}" data-cite-src="../{citefiles.script_path(r["id"])}"'
        f'{" hidden" if i == len(records) - 1 else ""}>'
        f'<input type="checkbox" id="pick-{i}" aria-label="选择"> <label for="pick-{i}">{html.escape(r["display_title"])}'
        f"</label></li>" for i, r in enumerate(records))
    (root / "zh").mkdir(exist_ok=True)
    (root / "zh" / "browse.html").write_text(f"""<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>浏览</title></head><body>
<section data-export-scope data-export-name="selection" data-export-done="已导出 {{count}} 条">
<label><input type="checkbox" data-export-select-all> 全选当前显示</label>
<button type="button" data-export="bibtex">BibTeX</button>
<button type="button" data-export="ris">RIS</button>
<button type="button" data-export="csl">CSL-JSON</button>
<p data-export-status role="status"></p>
<ul>{rows}</ul></section>
<script src="../assets/export.js"></script></body></html>""", encoding="utf-8")
    # A search page renders a page of results but knows its whole result set, and hands it over.
    result_set = json.dumps([{"id": r["id"], "src": "../" + citefiles.script_path(r["id"])} for r in records])
    (root / "zh" / "search.html").write_text(f"""<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>检索</title></head><body>
<section data-export-scope id="results" data-export-failed="导出失败">
<button type="button" data-export="ris">RIS</button><p data-export-status role="status"></p>
<ul>{rows.split("</li>")[0]}</li><li data-record="0000000000" data-cite-src="../data/cite/none.js">
<input type="checkbox" id="pick-missing" aria-label="选择"></li></ul></section>
<script src="../assets/export.js"></script>
<script>bibExport.setResultSet(document.getElementById("results"), {result_set});</script></body></html>""",
                                            encoding="utf-8")
    full = records[0]
    blocks = "\n".join(
        f'<pre id="cite-{key}">{html.escape(text)}</pre>'
        f'<button type="button" data-copy="cite-{key}" data-copied="已复制">复制 {key}</button>'
        for key, text in (("bibtex", formats[full["id"]]["bibtex"]), ("ris", formats[full["id"]]["ris"])))
    (root / "zh" / "record.html").write_text(f"""<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>记录</title></head><body><a href="browse.html">返回</a>{blocks}
<script src="../assets/export.js"></script></body></html>""", encoding="utf-8")
    return formats


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-site")
    records = fixture_records()
    formats = write_fixture_site(root, records)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"root": root, "records": records, "formats": formats,
           "http": f"http://127.0.0.1:{server.server_address[1]}/", "file": root.as_uri() + "/"}
    server.shutdown()


@pytest.fixture(params=["file", "http"])
def origin(request, fixture_site):
    return fixture_site[request.param]


def parse(kind: str, text: str) -> list[str]:
    """Return the record ids in an exported file, parsed by a real reader of its format."""
    if kind == "bibtex":
        parser = BibTexParser(common_strings=False)
        parser.ignore_nonstandard_types = False
        return [e["ID"] for e in bibtexparser.loads(text, parser=parser).entries]
    if kind == "ris":
        return [e["id"] for e in rispy.loads(text)]
    return [item["id"] for item in json.loads(text)]


def export(page, kind: str) -> tuple[str, str]:
    """Click the kind control; return (the downloaded file's suggested name, its text)."""
    with page.expect_download() as info:
        page.click(f'[data-export="{kind}"]')
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8")


def test_export_two_ticked_then_nothing_ticked(new_page, origin, fixture_site):
    page, watch = new_page(origin, accept_downloads=True)
    page.goto(origin + "zh/browse.html")
    records = fixture_site["records"]
    page.check("#pick-0")
    page.check("#pick-2")
    chosen = [records[0]["id"], records[2]["id"]]
    for kind, ext in (("bibtex", "bib"), ("ris", "ris"), ("csl", "json")):
        name, text = export(page, kind)
        assert name == f"selection.{ext}"
        assert parse(kind, text) == chosen
    page.wait_for_function("document.querySelector('[data-export-status]').textContent !== ''")
    _, bib = export(page, "bibtex")
    entry = bibtexparser.loads(bib).entries[0]
    assert (entry["journal"], entry["year"], entry["doi"]) == ("Journal of Eurasian Studies", "2012", records[0]["doi"])
    _, ris = export(page, "ris")
    assert rispy.loads(ris)[0]["authors"] == records[0]["authors"]
    _, csl = export(page, "csl")
    assert json.loads(csl)[0] == fixture_site["formats"][records[0]["id"]]["csl"]
    page.uncheck("#pick-0")
    page.uncheck("#pick-2")
    everyone = [r["id"] for r in records]  # the whole list, the hidden row included
    for kind in ("bibtex", "ris", "csl"):
        assert parse(kind, export(page, kind)[1]) == everyone
    assert page.text_content("[data-export-status]") == f"已导出 {len(records)} 条"
    watch.assert_clean()


def test_select_all_ticks_only_the_records_shown(new_page, origin, fixture_site):
    page, watch = new_page(origin, accept_downloads=True)
    page.goto(origin + "zh/browse.html")
    records = fixture_site["records"]
    page.check("[data-export-select-all]")
    assert not page.is_checked(f"#pick-{len(records) - 1}")  # hidden: not shown, not ticked
    assert parse("csl", export(page, "csl")[1]) == [r["id"] for r in records[:-1]]
    page.uncheck("#pick-1")
    assert page.evaluate("document.querySelector('[data-export-select-all]').indeterminate")
    assert parse("ris", export(page, "ris")[1]) == [r["id"] for i, r in enumerate(records[:-1]) if i != 1]
    watch.assert_clean()


def test_copy_buttons_work_from_the_keyboard_with_a_confirmation(new_page, origin, fixture_site):
    http = origin.startswith("http")
    page, watch = new_page(origin, **({"permissions": ["clipboard-read", "clipboard-write"]} if http else {}))
    page.goto(origin + "zh/record.html")
    page.keyboard.press("Tab")  # the back link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('data-copy')") == "cite-bibtex"
    page.keyboard.press("Enter")
    status = page.locator('[data-copy="cite-bibtex"] + [role="status"]')
    status.wait_for()
    page.wait_for_function("document.querySelector('[data-copy=\"cite-bibtex\"] + [role=status]').textContent !== ''")
    assert status.text_content() == "已复制" and status.is_visible()
    if http:  # the clipboard can be read back where the permission can be granted
        full = fixture_site["records"][0]
        assert page.evaluate("navigator.clipboard.readText()") == fixture_site["formats"][full["id"]]["bibtex"]
    watch.assert_clean()


def test_nothing_ticked_exports_the_whole_result_set_handed_over(new_page, origin, fixture_site):
    page, watch = new_page(origin, accept_downloads=True)
    page.goto(origin + "zh/search.html")
    assert page.locator("[data-record]").count() == 2  # one page of results shown, five in the set
    assert parse("ris", export(page, "ris")[1]) == [r["id"] for r in fixture_site["records"]]
    watch.assert_clean()


def test_a_record_whose_citations_cannot_load_fails_visibly_without_a_download(new_page, origin):
    page, _ = new_page(origin, accept_downloads=True)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(origin + "zh/search.html")
    page.check("#pick-missing")
    page.click('[data-export="ris"]')
    page.wait_for_function("document.querySelector('[data-export-status]').textContent !== ''")
    assert page.text_content("[data-export-status]") == "导出失败"
    assert downloads == []


def test_the_controls_pass_axe_after_an_export_and_a_copy(new_page, fixture_site):
    from test_a11y import axe_violations

    origin = fixture_site["http"]
    page, _ = new_page(origin, accept_downloads=True, permissions=["clipboard-read", "clipboard-write"])
    page.goto(origin + "zh/browse.html")
    page.check("#pick-0")
    export(page, "bibtex")
    assert axe_violations(page) == []
    page.goto(origin + "zh/record.html")
    page.click('[data-copy="cite-ris"]')
    page.locator('[data-copy="cite-ris"] + [role="status"]').wait_for()
    assert axe_violations(page) == []


def test_the_built_browse_page_exports_two_ticked_records_and_then_all(new_page, site_dir):
    prefix = site_dir.as_uri() + "/"
    page, watch = new_page(prefix, accept_downloads=True)
    page.goto(prefix + "en/browse.html")
    ids = page.eval_on_selector_all("[data-record]", "rows => rows.map(r => r.dataset.record)")
    assert len(ids) >= 3
    for record_id in ids[:2]:
        page.check(f'[data-record="{record_id}"] input[type="checkbox"]')
    for kind, ext in (("bibtex", "bib"), ("ris", "ris"), ("csl", "json")):
        name, text = export(page, kind)
        assert name == f"bibliography.{ext}" and parse(kind, text) == ids[:2]
    page.check("input[data-export-select-all]")
    page.uncheck("input[data-export-select-all]")
    assert sorted(parse("ris", export(page, "ris")[1])) == sorted(ids)
    page.wait_for_function("document.querySelector('[data-export-status]').textContent !== ''")
    assert page.text_content("[data-export-status]") == f"{len(ids)} records exported"
    watch.assert_clean()


def test_the_built_record_page_copies_its_bibtex_from_the_keyboard(new_page, site_dir):
    prefix = site_dir.as_uri() + "/"
    page, watch = new_page(prefix)
    records = json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))
    record_id = next(r["id"] for r in records if r["type"] == "abstract")
    page.goto(prefix + f"zh/abstracts/{record_id}.html")
    button = page.locator('button[data-copy="cite-bibtex"]')
    page.locator("details").first.evaluate("d => d.open = true")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('button[data-copy=\"cite-bibtex\"] + [role=status]')?.textContent === '已复制'")
    watch.assert_clean()
