"""analysis: each record analysed once per text and per version of the code that analyses it."""
from __future__ import annotations

import re

import pytest

from bibsite import analysis, enrich, entities, records
from bibsite.cache import code_version
from conftest import ROOT, copy_project, run_build


def analysed_anew(out: str) -> int:
    return int(re.search(r"\((\d+) analysed anew\)", out).group(1))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("analysis") / "project")
    first = run_build(project)
    return project, analysed_anew(first.stdout)


@pytest.mark.parametrize("module", ["search_index/traditional.py", "search_index/stemmer.py", "bibsite/keywords.py",
                                    "bibsite/analysis.py"])
def test_editing_a_module_analysis_uses_analyses_everything_again(built, module):
    project, first = built
    assert first > 0
    path = project / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n# edited\n", encoding="utf-8")
        assert analysed_anew(run_build(project).stdout) == first
    finally:
        path.write_text(original, encoding="utf-8")
    # The cache keeps one version of the code: going back is another change.
    assert analysed_anew(run_build(project).stdout) == first


def test_a_content_edit_analyses_only_that_record(built):
    project, _ = built
    path = sorted((project / "content" / "abstracts").glob("*.yaml"))[0]
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace("text: ", "text: Edited. ", 1), encoding="utf-8")
        assert analysed_anew(run_build(project).stdout) == 1
    finally:
        path.write_text(original, encoding="utf-8")
        run_build(project)


def test_the_code_version_covers_the_modules_imported_and_the_packages():
    import sys

    import search_index.traditional  # noqa: F401 - analysis folds through it

    before = code_version()
    assert "search_index.traditional" in sys.modules
    assert code_version() == before  # stable while nothing changes
    assert code_version(sys.modules["bibsite.analysis"]) != before  # the explicit form hashes only what it is given


def test_analyse_all_takes_what_it_analysed_before_from_the_cache(tmp_path):
    table = entities.load_entities(ROOT / "content" / "entities.yaml")
    loaded = records.load_all(ROOT / "content", ROOT)[:3]
    enriched = [enrich.enrich(record) for record in loaded]
    first, anew = analysis.analyse_all(enriched, table, tmp_path)
    assert anew == 3 and set(first) == {r["id"] for r in loaded}
    again, anew = analysis.analyse_all(enriched, table, tmp_path)
    assert anew == 0 and again == first
    # Another entity table is another version: nothing is reused.
    _, anew = analysis.analyse_all(enriched, table[1:], tmp_path)
    assert anew == 3
    one = first[loaded[0]["id"]]
    assert set(one) == {"title", "text", "entities", "keywords"} and all(isinstance(n, int) for n in one["text"].values())
