"""Fast rebuilds: nothing to do when nothing changed, and one new abstract costs one analysis."""
from __future__ import annotations

import re

import pytest

from tests.conftest import copy_project, run_build

NEW_ABSTRACT = "\n\n新加坡与上海合作组织在反恐领域的合作日益深化,东盟地区论坛也为此提供了平台。  相似文献\n"


def analysis_entries(project) -> dict:
    """Return {cache entry name: modification time} of the per-record analysis cache."""
    return {p.name: p.stat().st_mtime_ns for p in (project / ".cache" / "analysis").rglob("*.json")}


def pages_rendered(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) pages \((\d+) rendered anew\)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("incremental"))
    run_build(project)
    return project


def test_a_rebuild_with_no_change_does_nothing(project):
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    out = run_build(project).stdout
    assert "nothing changed" in out
    assert {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()} == before


def test_a_hand_edited_site_file_is_rebuilt(project):
    page = project / "site" / "en" / "about.html"
    original = page.read_bytes()
    page.write_text("tampered", encoding="utf-8")
    out = run_build(project).stdout
    assert "nothing changed" not in out
    assert page.read_bytes() == original


def test_one_new_abstract_is_analysed_alone_and_gets_its_pages(project):
    entries = analysis_entries(project)
    seed = next((project / "seeds" / "abstracts").glob("*.txt"))
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ABSTRACT)
    out = run_build(project).stdout
    assert "import: 1 new" in out
    after = analysis_entries(project)
    added = sorted(set(after) - set(entries))
    assert len(added) == 1, added
    # The other records were not analysed again: their entries were neither rewritten nor dropped.
    assert {name: after.get(name) for name in entries} == entries
    total, rendered = pages_rendered(out)
    assert 0 < rendered < total
    new_ids = {p.stem for p in (project / "content" / "abstracts").glob("*.yaml")}
    assert all((project / "site" / lang / "abstracts" / f"{i}.html").exists() for i in new_ids for lang in ("zh", "en"))


def test_a_corrupt_cache_entry_is_recomputed_not_trusted(project):
    entry = next((project / ".cache" / "analysis").rglob("*.json"))
    entry.write_text('{"broken": ', encoding="utf-8")
    (project / "site" / "en" / "about.html").write_text("force a rebuild", encoding="utf-8")
    out = run_build(project).stdout
    assert "Done:" in out
    reference = copy_project(project.parent / "reference")
    run_build(reference)
    seed = next((reference / "seeds" / "abstracts").glob("*.txt"))
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ABSTRACT)
    run_build(reference)
    ours = (project / "site" / "data" / "records.json").read_text(encoding="utf-8")
    theirs = (reference / "site" / "data" / "records.json").read_text(encoding="utf-8")
    # Same records, same derived keywords, entities and similar lists: the damaged entry was redone.
    assert re.sub(r'"added": "[^"]*"', "", ours) == re.sub(r'"added": "[^"]*"', "", theirs)
