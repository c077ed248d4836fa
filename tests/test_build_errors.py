"""Bad input gives one clear line naming the file, a non-zero exit, and loses nothing (site/, zip, content/)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, run_build

BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def tree_hashes(folder: Path) -> dict:
    """Return {relative path: sha256} of every file under folder (empty when it is missing)."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def outputs(project: Path) -> dict:
    return {"site": tree_hashes(project / "site"), "dist": tree_hashes(project / "dist")}


def leftovers(project: Path) -> list[str]:
    """Return staging folders and temporary files a build should never leave behind."""
    found = [p.name for p in project.iterdir() if p.name.startswith((".site.", ".dist."))]
    found += [p.name for p in (project / "dist").iterdir() if p.name.endswith(".tmp") or p.name.startswith(".")]
    found += [p.relative_to(project).as_posix() for p in (project / "content").rglob("*.tmp")]
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project copy built once; every test restores content/ and seeds/ after itself."""
    root = copy_project(tmp_path_factory.mktemp("errors") / "project")
    run_build(root)
    assert outputs(root)["site"] and outputs(root)["dist"]
    return root


@pytest.fixture
def proj(project, tmp_path):
    """The built project; afterwards its inputs and outputs are put back as they were, leftovers removed."""
    backup = tmp_path / "backup"
    for name in ("content", "seeds", "templates", "site", "dist"):
        shutil.copytree(project / name, backup / name)
    yield project
    for path in project.iterdir():
        if path.name.startswith(".site."):
            shutil.rmtree(path)
    for name in ("content", "seeds", "templates", "site", "dist"):
        shutil.rmtree(project / name, ignore_errors=True)
        shutil.copytree(backup / name, project / name)


def a_record(project: Path, n: int = 0) -> Path:
    return sorted((project / "content" / "abstracts").glob("*.yaml"))[n]


def insert_after_type(path: Path, line: str) -> None:
    """Put line right after 'type: abstract' (line 2 of an imported record), so it is line 3."""
    text = path.read_text(encoding="utf-8")
    assert text.split("\n")[1] == "type: abstract", "imported records start with id, type"
    path.write_text(text.replace("type: abstract\n", f"type: abstract\n{line}\n", 1), encoding="utf-8")


def edit_field(path: Path, field: str, value) -> None:
    """Replace one top-level field's value, keeping the rest (and the field's line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out, skipping = [], False
    for line in lines:
        if skipping and (line.startswith(" ") or line == ""):
            continue
        skipping = False
        if line.startswith(f"{field}:"):
            out.append(f"{field}: {value}")
            skipping = True
            continue
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def line_of(path: Path, prefix: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if line.startswith(prefix))


# Each case breaks the project copy and returns a regex the one error line must match.

def malformed_yaml(p):
    path = a_record(p)
    insert_after_type(path, "title: Security: a view of the region")
    return rf"content/abstracts/{path.stem}\.yaml:3:\d+: malformed YAML: .+ — .+"


def malformed_yaml_bad_indent(p):
    path = a_record(p)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("text: |-\n  ", "text: |-\n", 1).replace("text: |\n  ", "text: |\n", 1), encoding="utf-8")
    return rf"content/abstracts/{path.stem}\.yaml:\d+:\d+: malformed YAML: .+ — .+"


def missing_required_field(p):
    path = a_record(p)
    lines = [l for l in path.read_text(encoding="utf-8").split("\n") if not l.startswith("language:")]
    path.write_text("\n".join(lines), encoding="utf-8")
    return rf"content/abstracts/{path.stem}\.yaml: field 'language' is missing or empty — .+"


def unknown_field(p):
    path = a_record(p)
    insert_after_type(path, "titel: A maintainer's title")
    return rf"content/abstracts/{path.stem}\.yaml:3:1: field 'titel' is not a known field — did you mean 'title'\?"


def copied_record(p):
    path = a_record(p)
    copy = path.with_name("ffffffffff.yaml")
    shutil.copy2(path, copy)
    return rf"content/abstracts/ffffffffff\.yaml:1:1: id '{path.stem}' does not match the file name .+ — .+"


def duplicate_id(p):
    path = a_record(p)
    (p / "content" / "glossary" / f"{path.stem}.yaml").write_text(
        f"id: '{path.stem}'\ntype: glossary\nterm: {{zh: 术语}}\ntext: {{zh: 正文。}}\n", encoding="utf-8")
    return rf"content/glossary/{path.stem}\.yaml: duplicate id '{path.stem}' \(also in content/abstracts/{path.stem}\.yaml\) — .+"


def empty_text(p):
    path = a_record(p)
    edit_field(path, "text", '""')
    return rf"content/abstracts/{path.stem}\.yaml:{line_of(path, 'text:')}:1: field 'text' is missing or empty — .+"


def wrong_type(p):
    path = a_record(p)
    insert_after_type(path, 'year: "twenty"')
    return rf"content/abstracts/{path.stem}\.yaml:3:1: field 'year' should be a whole number, not 'twenty' — .+"


def invalid_date(p):
    path = a_record(p)
    edit_field(path, "added", "2020-13-45")
    return rf"content/abstracts/{path.stem}\.yaml:{line_of(path, 'added:')}:1: field 'added' should be a date.* — .+"


def non_http_url(p):
    path = a_record(p)
    insert_after_type(path, "url: javascript:alert(1)")
    return rf"content/abstracts/{path.stem}\.yaml:3:1: field 'url' is 'javascript:alert\(1\)' — only http:// or https:// .+"


def binary_seed(p):
    (p / "seeds" / "abstracts" / "scan.txt").write_bytes(BINARY)
    return r"seeds/abstracts/scan\.txt: is not a text file .+ — .+"


def binary_seed_beside_new_entries(p):
    # A good new seed file sorts before the bad one: nothing of it may be imported either.
    (p / "seeds" / "abstracts" / "a-new.txt").write_text("A new abstract on maritime security.  相似文献\n", encoding="utf-8")
    (p / "seeds" / "abstracts" / "b-scan.txt").write_bytes(BINARY)
    return r"seeds/abstracts/b-scan\.txt: is not a text file .+ — .+"


def bad_glossary_seed(p):
    path = p / "seeds" / "glossary" / "broken.txt"
    path.write_text("Trang chủ> Những khái niệm cơ bản\n\nTổ chức Hợp tác Thượng Hải (SCO)\n\n"
                    "05-06-2018 | China.org.cn\n\n上海合作组织于2001年6月15日在上海成立。\n", encoding="utf-8")
    return r"seeds/glossary/broken\.txt:7: Chinese text before the Chinese term — .+"


def yml_extension(p):
    path = a_record(p)
    path.rename(path.with_suffix(".yml"))
    return rf"content/abstracts/{path.stem}\.yml: has the extension \.yml — rename it to \.yaml"


def broken_concepts(p):
    (p / "content" / "concepts.yaml").write_text("- zh: [多边]\n  en: [multilateral]\n- zh: [峰会\n", encoding="utf-8")
    return r"content/concepts\.yaml:\d+:\d+: malformed YAML: .+ — .+"


def concept_in_an_unknown_language(p):
    (p / "content" / "concepts.yaml").write_text("- zh: [多边]\n  fr: [multilatéral]\n", encoding="utf-8")
    return r"content/concepts\.yaml:2(:\d+)?: .+ — .+"


CASES = [malformed_yaml, malformed_yaml_bad_indent, missing_required_field, unknown_field, copied_record,
         duplicate_id, empty_text, wrong_type, invalid_date, non_http_url, binary_seed,
         binary_seed_beside_new_entries, bad_glossary_seed, yml_extension, broken_concepts,
         concept_in_an_unknown_language]


def assert_one_line_error(proc, pattern: str) -> str:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    message = errors[0].removeprefix("error: ")
    assert re.fullmatch(pattern, message), f"{message!r} does not match {pattern!r}"
    return message


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_fails_with_one_line_and_loses_nothing(proj, case):
    pattern = case(proj)
    content_before = tree_hashes(proj / "content")
    outputs_before = outputs(proj)
    proc = run_build(proj, check=False)
    assert_one_line_error(proc, pattern)
    assert tree_hashes(proj / "content") == content_before
    assert outputs(proj) == outputs_before
    assert leftovers(proj) == []


@pytest.mark.parametrize("case", [unknown_field, binary_seed, empty_text], ids=lambda c: c.__name__)
def test_check_reports_the_same_error_and_writes_nothing(proj, case):
    pattern = case(proj)
    content_before = tree_hashes(proj / "content")
    outputs_before = outputs(proj)
    checked = run_build(proj, "--check", check=False)
    message = assert_one_line_error(checked, pattern)
    built = run_build(proj, check=False)
    assert assert_one_line_error(built, pattern) == message
    assert tree_hashes(proj / "content") == content_before
    assert outputs(proj) == outputs_before


def test_check_with_new_seeds_pending_writes_nothing(proj):
    seeds = proj / "seeds" / "abstracts"
    (seeds / "pending.txt").write_text(
        "A pending abstract about border security in Central Asia.  相似文献\n\n"
        "待导入的摘要:中亚边境安全合作.  相似文献\n\n"
        "A pending abstract about border security in Central Asia.  相似文献\n", encoding="utf-8")
    existing = len(list((proj / "content").glob("*/*.yaml")))
    content_before = tree_hashes(proj / "content")
    outputs_before = outputs(proj)
    proc = run_build(proj, "--check")
    assert f"check: {existing + 2} records valid; nothing written" in proc.stdout
    assert "import: 2 new, 1 duplicates skipped" in proc.stdout
    assert "seeds/abstracts/pending.txt:5 (same text as seeds/abstracts/pending.txt:1)" in proc.stdout
    assert tree_hashes(proj / "content") == content_before
    assert outputs(proj) == outputs_before
    assert leftovers(proj) == []


def test_errors_and_warnings_never_print_a_traceback_for_an_empty_entry(proj):
    seeds = proj / "seeds" / "abstracts"
    (seeds / "with-empty.txt").write_text("相似文献\n\n  相似文献  \n", encoding="utf-8")
    proc = run_build(proj, "--check")
    warnings = [l for l in proc.stderr.splitlines() if l.startswith("warning:")]
    assert warnings == [
        "warning: seeds/abstracts/with-empty.txt:1: empty entry skipped (only the 相似文献 marker) — delete it or add the abstract",
        "warning: seeds/abstracts/with-empty.txt:3: empty entry skipped (only the 相似文献 marker) — delete it or add the abstract",
    ]



# --- atomic builds: a failure midway or a killed build never costs the published site ---------------

CRASHING_BUILD = """
import runpy, sys
from bibsite import output

STAGE = sys.argv[1]
real = getattr(output, STAGE)


def half_then_fail(*args, **kwargs):
    real(*args, **kwargs)  # e.g. the new zip is written beside the old one, then the build dies
    raise OSError("simulated crash in " + STAGE)


setattr(output, STAGE, half_then_fail)
sys.argv = ["build.py"]
runpy.run_path("build.py", run_name="__main__")
"""


def run_crashing_build(project: Path, stage: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run the project's build with one stage replaced by one that does part of its work and raises."""
    script = tmp_path / "crashing_build.py"
    script.write_text(CRASHING_BUILD, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(project))
    return subprocess.run([sys.executable, str(script), stage], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def assert_published_intact(project: Path, before: dict):
    assert outputs(project) == before
    assert leftovers(project) == []


def test_a_broken_template_leaves_the_previous_site_and_zip(proj):
    # Fails while rendering, after other pages are written to the staging folder.
    name, broken = "abstract.html", "{{ no_such_variable.field }}"
    template = proj / "templates" / name
    good = template.read_text(encoding="utf-8")
    before = outputs(proj)
    try:
        template.write_text(good.replace("{% block content %}", "{% block content %}" + broken, 1), encoding="utf-8")
        proc = run_build(proj, check=False)
        assert proc.returncode != 0
        assert_published_intact(proj, before)
    finally:
        template.write_text(good, encoding="utf-8")


@pytest.mark.parametrize("stage", ["write_zip"])
def test_a_stage_raising_midway_leaves_the_previous_site_and_zip(proj, stage, tmp_path):
    before = outputs(proj)
    about = proj / "content" / "pages" / "about.en.md"
    good = about.read_text(encoding="utf-8")
    about.write_text(good + "\nA change, so that the build has something to do.\n", encoding="utf-8")
    try:
        proc = run_crashing_build(proj, stage, tmp_path)
        assert proc.returncode != 0 and f"simulated crash in {stage}" in proc.stderr, proc.stderr
        assert_published_intact(proj, before)
    finally:
        about.write_text(good, encoding="utf-8")


def test_a_killed_build_is_recovered_on_the_next_run(proj):
    before = outputs(proj)
    zip_name = next(name for name in before["dist"] if name.endswith(".zip"))
    # Killed between the two renames of the swap, with a staging folder and a half-written zip about.
    (proj / "site").rename(proj / ".site.old")
    (proj / ".site.building-killed").mkdir()
    (proj / ".site.building-killed" / "index.html").write_text("half", encoding="utf-8")
    (proj / "dist" / f".{zip_name}.killed.tmp").write_bytes(b"PK half")
    # Even a build that then fails on bad input puts the previous site back first.
    insert_after_type(a_record(proj), "titel: x")
    proc = run_build(proj, check=False)
    assert proc.returncode != 0
    assert outputs(proj)["site"] == before["site"]
    assert not (proj / ".site.old").exists() and not (proj / ".site.building-killed").exists()


def test_a_killed_build_leaves_nothing_behind_after_the_next_good_build(proj):
    before = outputs(proj)
    zip_name = next(name for name in before["dist"] if name.endswith(".zip"))
    (proj / "site").rename(proj / ".site.old")
    (proj / ".site.building-killed").mkdir()
    (proj / "dist" / f".{zip_name}.killed.tmp").write_bytes(b"PK half")
    run_build(proj)
    assert outputs(proj) == before
    assert leftovers(proj) == []


def test_an_input_error_survives_the_trip_back_from_a_worker_process():
    import pickle

    from bibsite.errors import InputError

    error = InputError("content/abstracts/x.yaml", "field 'year' is not a number", "write e.g. 2014", line=3, column=7)
    again = pickle.loads(pickle.dumps(error))
    assert again.one_line() == error.one_line() == str(again)
    assert (again.path, again.line, again.column) == ("content/abstracts/x.yaml", 3, 7)
