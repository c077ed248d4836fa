"""Whole builds over hostile input files: each is refused in one line naming it, nothing is published
from outside the project, and site/, the zip and content/ stay as they were."""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import run_build
from test_build_errors import (a_record, assert_one_line_error, leftovers, outputs, proj, project,  # noqa: F401
                               tree_hashes)

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA"


def outside_file(p) -> str:
    """Return the path of a file beside the project (outside it), holding SECRET."""
    path = p.parent / "id_ed25519"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return str(path)


def seed_link_out(p):
    (p / "seeds" / "abstracts" / "notes.txt").symlink_to(outside_file(p))
    return r"seeds/abstracts/notes\.txt: is a link to a file outside the project — .+"


def record_link_out(p):
    (p / "content" / "abstracts" / "0123456789.yaml").symlink_to(outside_file(p))
    return r"content/abstracts/0123456789\.yaml: is a link to a file outside the project — .+"


def seed_dev_zero(p):
    (p / "seeds" / "abstracts" / "z.txt").symlink_to("/dev/zero")
    return r"seeds/abstracts/z\.txt: is a link to a file outside the project — .+"


def seed_fifo(p):
    os.mkfifo(p / "seeds" / "abstracts" / "pipe.txt")
    return r"seeds/abstracts/pipe\.txt: is not a regular file .+ — .+"


def seed_loop(p):
    (p / "seeds" / "abstracts" / "a.txt").symlink_to("b.txt")
    (p / "seeds" / "abstracts" / "b.txt").symlink_to("a.txt")
    return r"seeds/abstracts/a\.txt: cannot be followed .+ — .+"


def seed_dangling(p):
    (p / "seeds" / "abstracts" / "gone.txt").symlink_to("nowhere.txt")
    return r"seeds/abstracts/gone\.txt: is a link to nothing .+ — .+"


def seed_folder(p):
    (p / "seeds" / "abstracts" / "x.txt").mkdir()
    return r"seeds/abstracts/x\.txt: is a folder, not a file — .+"


def record_folder(p):
    (p / "content" / "abstracts" / "x.yaml").mkdir()
    return r"content/abstracts/x\.yaml: is a folder, not a file — .+"


def template_link_out(p):
    path = p / "templates" / "about.html"
    path.unlink()
    path.symlink_to(outside_file(p))
    return r"templates/about\.html: is a link to a file outside the project — .+"


def strings_link_out(p):
    path = p / "templates" / "strings" / "en.yaml"
    path.unlink()
    path.symlink_to(outside_file(p))
    return r"templates/strings/en\.yaml: is a link to a file outside the project — .+"


def about_page_link_out(p):
    path = p / "content" / "pages" / "about.en.md"
    path.unlink()
    path.symlink_to(outside_file(p))
    return r"content/pages/about\.en\.md: is a link to a file outside the project — .+"


def entities_link_out(p):
    path = p / "content" / "entities.yaml"
    path.unlink()
    path.symlink_to(outside_file(p))
    return r"content/entities\.yaml: is a link to a file outside the project — .+"


def ellipsis_only_abstract(p):
    (p / "seeds" / "abstracts" / "x.txt").write_text("A new abstract on maritime security.  相似文献\n\n…\n",
                                                    encoding="utf-8")
    return r"seeds/abstracts/x\.txt:3: entry '…' has no letters.+ — .+"


def ellipsis_only_record(p):
    (p / "content" / "abstracts" / "0123456789.yaml").write_text(
        "id: '0123456789'\ntype: abstract\nlanguage: zh\ntext: \"…\"\n", encoding="utf-8")
    return r"content/abstracts/0123456789\.yaml:4:1: field 'text' has no letters .+ — .+"


def duplicate_text_key(p):
    path = a_record(p)
    path.write_text(path.read_text(encoding="utf-8") + "text: a second text\n", encoding="utf-8")
    line = path.read_text(encoding="utf-8").count("\n")
    return rf"content/abstracts/{path.stem}\.yaml:{line}:1: key 'text' appears twice .+ — .+"


def bidi_override_in_seed(p):
    (p / "seeds" / "abstracts" / "x.txt").write_text("Security \u202ein Central Asia.  相似文献\n", encoding="utf-8")
    return r"seeds/abstracts/x\.txt:1:10: holds the invisible character U\+202E .+ — .+"


def malformed_strings(p):
    path = p / "templates" / "strings" / "zh.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "nav_home: [\n", encoding="utf-8")
    return r"templates/strings/zh\.yaml:\d+:\d+: malformed YAML: .+ — .+"


def missing_string(p):
    for path in sorted((p / "templates" / "strings").glob("*.yaml")):  # from every file, so their keys agree
        path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").split("\n")
                                  if not line.strip().startswith("nav_home:")), encoding="utf-8")
    return r"templates/strings/zh\.yaml: string 'nav_home' is missing — .+"


def about_not_utf8(p):
    (p / "content" / "pages" / "about.en.md").write_bytes("# About\n\nGéopolitique\n".encode("cp1252"))
    return r"content/pages/about\.en\.md:3: is not UTF-8 text — .+"


def template_runtime_error(p):
    path = p / "templates" / "about.html"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, "{{ no_such_value.attribute }}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return r"templates/about\.html:4: template error: .+ — .+"


def glossary_seed_bad_date(p):
    path = p / "seeds" / "glossary" / "x.txt"
    path.write_text("Trang chủ> Những khái niệm cơ bản\n\nTổ chức Hợp tác Thượng Hải (SCX)\n\n(Khái niệm)\n\n"
                    "45-13-2018 | China.org.cn\n\nNội dung về tổ chức.\n", encoding="utf-8")
    return r"seeds/glossary/x\.txt:7: .*date.* — .+"


def entities_error(p):
    path = p / "content" / "entities.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- slug: [\n", encoding="utf-8")
    return r"content/entities\.yaml:\d+:\d+: malformed YAML: .+ — .+"


CASES = [seed_link_out, record_link_out, seed_dev_zero, seed_fifo, seed_loop, seed_dangling, seed_folder,
         record_folder, template_link_out, strings_link_out, about_page_link_out, entities_link_out,
         ellipsis_only_abstract, ellipsis_only_record, duplicate_text_key, bidi_override_in_seed,
         malformed_strings, missing_string, about_not_utf8, template_runtime_error, glossary_seed_bad_date,
         entities_error]


def published(p) -> str:
    """Return everything the build published, as text (to look for what must not be there)."""
    return "".join(path.read_bytes().decode("utf-8", "replace")
                   for folder in ("site", "dist") for path in sorted((p / folder).rglob("*")) if path.is_file())


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_bad_input_file_is_refused_in_one_line_and_changes_nothing(proj, case):
    pattern = case(proj)
    content_before = tree_hashes(proj / "content")
    outputs_before = outputs(proj)
    proc = run_build(proj, check=False)
    assert_one_line_error(proc, pattern)
    assert SECRET not in proc.stdout + proc.stderr
    assert tree_hashes(proj / "content") == content_before
    assert outputs(proj) == outputs_before
    assert SECRET not in published(proj)
    assert leftovers(proj) == []


def test_a_link_inside_the_project_is_followed(proj):
    extra = proj / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "more.txt").write_text("Linked abstract on Arctic security cooperation.  相似文献\n", encoding="utf-8")
    (proj / "seeds" / "abstracts" / "more.txt").symlink_to(extra / "more.txt")
    try:
        proc = run_build(proj)
        assert "import: 1 new" in proc.stdout
    finally:
        shutil.rmtree(extra)


def test_a_pages_cache_holding_null_is_ignored(proj):
    (proj / ".cache" / "pages.cache").write_text("null\n", encoding="utf-8")
    (proj / "seeds" / "abstracts" / "x.txt").write_text("An abstract on maritime security.  相似文献\n",
                                                        encoding="utf-8")
    proc = run_build(proj, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_writes_nothing_not_even_the_cache(proj):
    (proj / "seeds" / "abstracts" / "x.txt").write_text("An abstract on maritime security.  相似文献\n",
                                                        encoding="utf-8")
    shutil.rmtree(proj / ".cache")
    try:
        proc = run_build(proj, "--check")
        assert "nothing written" in proc.stdout
        assert not (proj / ".cache").exists()
    finally:
        run_build(proj)  # the module's later tests expect a warm cache
