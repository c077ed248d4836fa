"""Fast rebuilds: nothing to do when nothing changed, and one new abstract costs one analysis."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, copy_project, run_build

NEW_ABSTRACT = "\n\n新加坡与上海合作组织在反恐领域的合作日益深化,东盟地区论坛也为此提供了平台。  相似文献\n"


def pages_rendered(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) pages \((\d+) rendered anew\)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def records_analysed(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) records \((\d+) analysed anew\)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def test_the_first_build_analyses_every_record(project):
    records = list((project / "content").rglob("*.yaml"))
    reference = copy_project(project.parent / "first")
    total, analysed = records_analysed(run_build(reference).stdout)
    assert total == analysed == len([p for p in records if p.parent.name in ("abstracts", "glossary")])


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
    before = len(list((project / "content" / "abstracts").glob("*.yaml")))
    seed = next((project / "seeds" / "abstracts").glob("*.txt"))
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ABSTRACT)
    out = run_build(project).stdout
    assert "import: 1 new" in out
    total, analysed = records_analysed(out)
    assert analysed == 1 and total > before
    total, rendered = pages_rendered(out)
    assert 0 < rendered < total
    new_ids = {p.stem for p in (project / "content" / "abstracts").glob("*.yaml")}
    assert all((project / "site" / lang / "abstracts" / f"{i}.html").exists() for i in new_ids for lang in ("zh", "en"))


def test_a_corrupt_cache_is_recomputed_not_trusted(project):
    cache = project / ".cache" / "analysis.cache"
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2] + b"broken" + data[len(data) // 2 + 6:])
    (project / "site" / "en" / "about.html").write_text("force a rebuild", encoding="utf-8")
    out = run_build(project).stdout
    total, analysed = records_analysed(out)
    assert analysed == total
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
