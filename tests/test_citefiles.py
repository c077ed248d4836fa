"""Tests for bibsite/citefiles.py: per-record files, the collection's RIS file, the export scripts."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import bibtexparser
import pytest
import rispy
import yaml

from bibsite import citations, citefiles
from bibsite.enrich import enrich

FIXTURE = Path(__file__).parent / "fixtures" / "citations_records.yaml"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def records():
    full, hostile = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    bare = {"id": "00ef1ce6b0", "type": "abstract", "language": "zh", "text": "上海合作组织。第二句。"}
    return [enrich(r) for r in (full, hostile, bare)]


@pytest.fixture(scope="module")
def formats(records):
    return {r["id"]: citations.formats(r, r["display_title"]) for r in records}


def test_record_files_are_the_records_formats_and_parse(records, formats):
    full = records[0]
    files = citefiles.record_files(full["id"], formats[full["id"]])
    assert sorted(files) == [f"{full['id']}.bib", f"{full['id']}.json", f"{full['id']}.ris"]
    entry = bibtexparser.loads(files[f"{full['id']}.bib"]).entries
    assert [e["ID"] for e in entry] == [full["id"]] and entry[0]["journal"] == full["journal"]
    ris = rispy.loads(files[f"{full['id']}.ris"])
    assert len(ris) == 1 and ris[0]["authors"] == full["authors"] and ris[0]["title"] == full["title"]
    assert json.loads(files[f"{full['id']}.json"]) == [formats[full["id"]]["csl"]]


def test_collection_ris_holds_every_record_in_id_order(records, formats):
    text = citefiles.ris_file((rid, cited["ris"]) for rid, cited in reversed(list(formats.items())))
    parsed = rispy.loads(text)
    assert [entry["id"] for entry in parsed] == sorted(formats)
    by_id = {entry["id"]: entry for entry in parsed}
    assert by_id["ffffffffff"]["title"] == records[1]["title"]  # hostile text survives whole
    assert by_id["00ef1ce6b0"]["type_of_reference"] == "GEN"


def test_groups_and_script_paths():
    assert citefiles.group("0a1b2c3d4e") == "0a"
    assert citefiles.group("CICA") == "ci" and citefiles.group("é-x") == "__" and citefiles.group("") == "_"
    assert citefiles.script_path("0a1b2c3d4e") == "data/cite/0a.js"


def test_export_scripts_define_the_table_in_javascript(formats, tmp_path):
    scripts = citefiles.export_scripts(formats)
    assert sorted(scripts) == sorted({citefiles.script_path(rid) for rid in formats})
    assert all("</" not in text for text in scripts.values())
    # Run them in Node as the browser would, one after another, and read the table back.
    program = "".join(scripts.values()) + "process.stdout.write(JSON.stringify(self.bibCitations));"
    out = subprocess.run(["node", "-e", "globalThis.self = globalThis;" + program], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    table = json.loads(out)
    assert table == {rid: {"bibtex": f["bibtex"], "ris": f["ris"], "csl": f["csl"]} for rid, f in formats.items()}
    assert citefiles.export_scripts(dict(reversed(list(formats.items())))) == scripts  # deterministic


def test_every_record_page_links_its_own_files_and_they_parse_into_that_record(site_dir):
    records = json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))
    abstracts = [r for r in records if r["type"] == "abstract"]
    assert abstracts
    for record in abstracts:
        for lang in ("zh", "en"):
            page = site_dir / lang / "abstracts" / f"{record['id']}.html"
            html = page.read_text(encoding="utf-8")
            for suffix in (".bib", ".ris", ".json"):
                href = f"../../data/records/{record['id']}{suffix}"
                assert f'href="{href}" download' in html, (page, suffix)
                assert (page.parent / href).resolve().is_file()
        folder = site_dir / "data" / "records"
        bib = bibtexparser.loads((folder / f"{record['id']}.bib").read_text(encoding="utf-8"))
        assert [entry["ID"] for entry in bib.entries] == [record["id"]]
        ris = rispy.loads((folder / f"{record['id']}.ris").read_text(encoding="utf-8"))
        assert len(ris) == 1 and ris[0].get("id") == record["id"]
        csl = json.loads((folder / f"{record['id']}.json").read_text(encoding="utf-8"))
        assert [item["id"] for item in csl] == [record["id"]]
    collection = rispy.loads((site_dir / "data" / "bibliography.ris").read_text(encoding="utf-8"))
    assert sorted(entry["id"] for entry in collection) == sorted(r["id"] for r in records)
