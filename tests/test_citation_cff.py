"""CITATION.cff is valid Citation File Format 1.2.0 (cffconvert's schema), and the About pages carry the
"cite this collection" and licence sections, last, with their placeholders marked."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from cffconvert.citation import Citation

ROOT = Path(__file__).resolve().parent.parent


def test_citation_cff_is_valid_cff_1_2_0():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    citation = Citation(text)
    citation.validate()  # raises on anything the CFF 1.2.0 schema refuses
    data = yaml.safe_load(text)
    assert data["cff-version"] == "1.2.0" and data["type"] == "dataset"
    assert "Regional Security in Asia and Eurasia" in data["title"]


def test_the_validation_refuses_a_broken_file():
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    del data["authors"]
    with pytest.raises(Exception):
        Citation(yaml.safe_dump(data, allow_unicode=True)).validate()


@pytest.mark.parametrize("lang, heading", [("en", "## Cite this collection"), ("zh", "## 引用本文献库")])
def test_about_pages_end_with_the_cite_block(lang, heading):
    text = (ROOT / "content" / "pages" / f"about.{lang}.md").read_text(encoding="utf-8")
    begin, end = text.index("<!-- BEGIN cite-this-collection"), text.index("<!-- END cite-this-collection -->")
    assert begin < text.index(heading) < end
    assert text[end:].strip() == "<!-- END cite-this-collection -->"  # the block is last: merges stay easy
    block = text[begin:end]
    assert "CITATION.cff" in block and "@misc{" in block
    placeholder = "[to be filled in by the maintainers:" if lang == "en" else "【待维护者填写："
    assert block.count(placeholder) >= 4  # where collected, when, under which terms, the code's licence
    assert re.search(r"2026-11-21", block)  # the one date the records do know
