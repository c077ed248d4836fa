"""Citation files made from each record's formats (citations.formats): the per-record files beside its
page, the collection's RIS file, and the scripts that hand citations to the browser export.

The export (templates/assets/export.js) must work from file://, where a page cannot fetch. So the
citations reach it as scripts, loaded with <script src>, which file:// allows: the records are grouped
by the first two characters of their id (256 groups of hex ids, about twenty records each at 5,000),
and each group's script adds its records' three formats to one global table. A list page names, on
each record's element, the script holding it (data-cite-src, from script_path), so the browser needs no
rule of its own: ticking two records loads at most two small scripts, exporting all of 5,000 loads 256.
"""
from __future__ import annotations

import json
import re

EXPORT_DIR = "data/cite"
# One copy of a record's files for every interface: its page in each language links the same three.
RECORDS_DIR = "data/records"
SUFFIXES = {"bibtex": ".bib", "ris": ".ris", "csl": ".json"}
GLOBAL = "bibCitations"  # the table the scripts fill and export.js reads: {id: {bibtex, ris, csl}}


def record_files(record_id: str, formats: dict) -> dict[str, str]:
    """Return {file name: text} of a record's own citation files, written beside its page:
    <id>.bib, <id>.ris and <id>.json (a CSL-JSON array of its one item, as Zotero imports it)."""
    return {f"{record_id}{SUFFIXES['bibtex']}": formats["bibtex"],
            f"{record_id}{SUFFIXES['ris']}": formats["ris"],
            f"{record_id}{SUFFIXES['csl']}": json.dumps([formats["csl"]], ensure_ascii=False, indent=2, sort_keys=True) + "\n"}


def record_file_path(record_id: str, key: str) -> str:
    """Return the path, under the site root, of a record's citation file in format key (SUFFIXES)."""
    return f"{RECORDS_DIR}/{record_id}{SUFFIXES[key]}"


def ris_file(entries) -> str:
    """Return one RIS file of (record id, RIS record) pairs, records in id order, a blank line between."""
    return "\n".join(text for _, text in sorted(entries, key=lambda entry: str(entry[0])))


def group(record_id: str) -> str:
    """Return the name of the export script group holding a record: its id's first two characters,
    lower-cased, anything but a-z and 0-9 as "_"."""
    return re.sub(r"[^0-9a-z]", "_", str(record_id).lower()[:2]) or "_"


def script_path(record_id: str) -> str:
    """Return the path, under the site root, of the export script holding a record's citations."""
    return f"{EXPORT_DIR}/{group(record_id)}.js"


def export_scripts(formats_by_id: dict[str, dict]) -> dict[str, str]:
    """Return {path under the site root: script text} of every export script, records in id order.
    Each script merges {id: {"bibtex", "ris", "csl"}} into window.bibCitations."""
    groups: dict[str, dict] = {}
    for record_id in sorted(formats_by_id):
        cited = formats_by_id[record_id]
        groups.setdefault(script_path(record_id), {})[record_id] = {
            "bibtex": cited["bibtex"], "ris": cited["ris"], "csl": cited["csl"]}
    return {path: _script(table) for path, table in sorted(groups.items())}


def _script(table: dict) -> str:
    # "<" escaped: a record's text holding </script> must not end the script when a page inlines one.
    data = json.dumps(table, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")
    return f"Object.assign((self.{GLOBAL} = self.{GLOBAL} || {{}}), {data});\n"
