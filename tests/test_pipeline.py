"""pipeline: each stage returns new data, and any error a stage meets, in a worker or not, is one line."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest

from bibsite import pipeline
from bibsite.errors import InputError
from conftest import ROOT, copy_project, run_build

# Runs the build with every parallel stage forking, and with one function failing in the child only.
HARNESS = """
import os, sys
sys.path.insert(0, {root!r})
from bibsite import errors, parallel
parallel.PARALLEL_FROM = 1
import importlib
target = importlib.import_module({module!r})
parent, original = os.getpid(), getattr(target, {name!r})
def failing(*args, **kwargs):
    if os.getpid() != parent:
        raise errors.InputError("content/abstracts/x.yaml", "failed in the worker", "see the test")
    return original(*args, **kwargs)
setattr(target, {name!r}, failing)
import build
sys.exit(build.main(["--root", {root!r}]))
"""


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project")


def outputs(project):
    return sorted(p.relative_to(project).as_posix() for folder in ("site", "dist")
                  if (project / folder).exists() for p in (project / folder).rglob("*"))


@pytest.mark.parametrize("module,name", [
    ("bibsite.analysis", "analyse"),          # parallel.map: analysing records
    ("bibsite.analysis", "_keyword_terms"),   # parallel.map: the search terms of keywords
    ("bibsite.enrich", "all_keywords"),       # parallel.both: keywords beside similar records
    ("bibsite.render", "page_key"),           # parallel.map: rendering pages
])
def test_an_error_in_any_worker_is_one_error_line(project, module, name):
    proc = subprocess.run([sys.executable, "-c", HARNESS.format(root=str(project), module=module, name=name)],
                          cwd=project, capture_output=True, text=True, timeout=300, env={**os.environ, "CI": "true"})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == ["error: content/abstracts/x.yaml: failed in the worker — see the test"]
    assert outputs(project) == [] and not any(p.name.startswith(".site.") for p in project.iterdir())


def test_a_missing_lunr_is_one_error_line_before_anything_is_written(project):
    run_build(project)
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*")}
    (project / "node_modules").unlink()
    (project / "content" / "pages" / "about.en.md").write_text("Changed.\n", encoding="utf-8")
    proc = run_build(project, check=False)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["error: node_modules/lunr/lunr.min.js: is missing (the search page needs "
                                        "lunr.js) — run `npm ci` in the project folder (make site does)"]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*")} == before


def test_a_record_the_search_index_refuses_is_an_input_error(tmp_path):
    record = {"id": "0123456789", "type": "abstract", "main_language": "en", "languages": ["en"],
              "display_title": "T", "build": {"blocks": [{"lang": "en", "text": "t"}], "text_digest": "d"},
              "keywords": ["k"], "entities": []}
    analyses = {"0123456789": {"title": ["t"], "text": {"t": 1}, "keywords": {}, "entities": []}}
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")  # lunr is looked for in the project
    project = pipeline.Project(tmp_path)
    with pytest.raises(InputError, match="appears twice"):
        pipeline.write_search_index(project, tmp_path / "staged", [record, copy.deepcopy(record)], analyses, [])


def test_stages_return_new_records_and_leave_their_input_alone(project):
    entity_table = pipeline.load_entities(pipeline.Project(project))
    loaded = pipeline.load_records(pipeline.Project(project))
    kept = copy.deepcopy(loaded)
    analysed, analyses, count = pipeline.analyse(pipeline.Project(project), loaded, entity_table)
    assert loaded == kept and count == len(loaded)
    analysed_copy = copy.deepcopy(analysed)
    weighed = pipeline.weigh(analysed, analyses, entity_table)
    assert analysed == analysed_copy
    assert all(set(w) - set(a) <= {"similar", "keywords_derived", "keywords"} for w, a in zip(weighed, analysed))
    # records.json: every field a stage added, nothing of "build" or of where a record came from
    public = pipeline.public_record(weighed[0])
    assert "build" not in public and not set(pipeline.PROVENANCE) & set(public)
    assert {"display_title", "entities", "keywords", "similar"} <= set(public)
    assert set(loaded[0]) - set(pipeline.PROVENANCE) <= set(public)
    json.dumps(public)


def test_the_summary_and_stages_in_the_readme_follow_build_main():
    """The README's "What `make site` does" names build()'s stages in the order build() calls them."""
    import re

    from conftest import ROOT

    source = (ROOT / "bibsite" / "cli.py").read_text(encoding="utf-8")  # build.py runs the same build()
    body = source[source.index("def build("):source.index("def check(")]
    called = list(dict.fromkeys(re.findall(r"stage\.(\w+)\(", body)))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What `make site` does"):]
    section = section[:section.index("\n## ", 5)]
    named = [name for name in re.findall(r"\*\*(\w+)\*\*", section)]
    assert [name for name in called if name in named] == named
    missing = [name for name in called if name not in named and name not in ("Timer", "human_size", "site_size")]
    assert missing == [], f"stages of build() the README does not name: {missing}"


def test_records_json_writes_authors_as_names_and_search_docs_carry_facets():
    """records.json: authors as names, affiliations beside them; each search doc: its facets, only
    organisations among its entities."""
    record = {"id": "x1", "type": "abstract", "path": "content/abstracts/x1.yaml", "language": "zh", "text": "正文",
              "authors": [{"name": "刘某", "affiliation": "北京大学"}, "王某"], "year": 2020, "journal": "国际问题研究",
              "display_title": "题", "main_language": "zh", "languages": ["zh"], "keywords": ["安全"],
              "entities": ["sco", "china"], "build": {"blocks": [{"lang": "zh", "text": "正文"}]}}
    public = pipeline.public_record(record)
    assert public["authors"] == ["刘某", "王某"] and public["affiliations"] == ["北京大学", ""]
    assert "build" not in public and "path" not in public and public["journal"] == "国际问题研究"
    no_affiliation = pipeline.public_record({**record, "authors": ["王某"]})
    assert no_affiliation["authors"] == ["王某"] and "affiliations" not in no_affiliation
    table = [{"slug": "sco", "kind": "organisation"}, {"slug": "china", "kind": "country"}]
    [doc] = pipeline.search_docs([record], {"x1": {"title": ["题"], "text": ["正文"]}}, {"x1": ["安全"]}, table)
    assert doc["facets"] == {"year": 2020, "author": ["刘某", "王某"], "journal": "国际问题研究", "org": ["sco"],
                             "language": "zh", "cite": "data/cite/x1.js#x1"}
    assert doc["terms"]["authors"] and doc["terms"]["journal"]  # an author's or a journal's name finds it
    assert doc["coins"].startswith("ctx_ver=Z39.88-2004&") and "rft.au=" in doc["coins"]
