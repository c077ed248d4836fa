"""Reading input files: only regular files inside the project, YAML scalars kept as written, duplicate
keys refused, seed encodings told apart, invisible characters and letterless entries refused."""
from __future__ import annotations

import os
import re

import pytest

from bibsite import corpus, records, schema, textfile, yamlfile
from bibsite.errors import InputError


def refused(call, *args, **kwargs) -> str:
    """Return the one-line message of the InputError call(*args) raises."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    message = caught.value.one_line()
    assert "\n" not in message and " — " in message, message
    return message


# --- what counts as an input file -----------------------------------------------------------------

@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (tmp_path / "secret").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n", encoding="utf-8")
    return root


def test_a_regular_file_inside_the_project_is_read(project):
    path = project / "seeds" / "a.txt"
    path.write_bytes("上海合作组织。\n".encode())
    assert textfile.read_bytes(path, "seeds/a.txt", project) == "上海合作组织。\n".encode()


def test_a_link_resolving_inside_the_project_is_read(project):
    (project / "seeds" / "real.txt").write_text("text\n", encoding="utf-8")
    (project / "seeds" / "link.txt").symlink_to("real.txt")
    assert textfile.read_text(project / "seeds" / "link.txt", "seeds/link.txt", project) == "text\n"


def test_a_link_out_of_the_project_is_refused_naming_it(project):
    link = project / "seeds" / "notes.txt"
    link.symlink_to(project.parent / "secret")
    message = refused(textfile.read_bytes, link, "seeds/notes.txt", project)
    assert message.startswith("seeds/notes.txt: is a link to a file outside the project — ")
    assert "BEGIN" not in message


@pytest.mark.parametrize("make, problem", [
    (lambda p: p.symlink_to("/dev/zero"), "is a link to a file outside the project"),
    (lambda p: os.mkfifo(p), "is not a regular file"),
    (lambda p: p.mkdir(), "is a folder, not a file"),
    (lambda p: p.symlink_to(p.parent / "missing.txt"), "is a link to nothing"),
    (lambda p: (p.symlink_to(p.parent / "loop-b"), (p.parent / "loop-b").symlink_to(p)), "cannot be followed"),
], ids=["dev-zero", "fifo", "folder", "dangling", "loop"])
def test_what_is_not_a_regular_file_inside_the_project_is_refused_at_once(project, make, problem):
    path = project / "seeds" / "x.txt"
    make(path)
    message = refused(textfile.read_bytes, path, "seeds/x.txt", project)
    assert message.startswith(f"seeds/x.txt: {problem}"), message


def test_a_device_is_refused_even_without_a_project_root():
    assert "is not a regular file" in refused(textfile.read_bytes, "/dev/zero", "z.txt")


def test_a_file_larger_than_the_cap_is_refused(project):
    path = project / "seeds" / "big.txt"
    path.write_bytes(b"a" * 101)
    assert "is 101 bytes, larger than the 100" in refused(textfile.read_bytes, path, "seeds/big.txt", project, limit=100)


def test_a_record_file_linked_from_outside_is_refused(tmp_path):
    root = tmp_path / "project"
    (root / "content" / "abstracts").mkdir(parents=True)
    outside = tmp_path / "0123456789.yaml"
    outside.write_text("id: '0123456789'\ntype: abstract\nlanguage: en\ntext: secret\n", encoding="utf-8")
    (root / "content" / "abstracts" / "0123456789.yaml").symlink_to(outside)
    message = refused(records.load_all, root / "content", root, tmp_path / "cache")
    assert message.startswith("content/abstracts/0123456789.yaml: is a link to a file outside the project")


# --- YAML ----------------------------------------------------------------------------------------

RECORD = "id: '0123456789'\ntype: abstract\nlanguage: en\n{extra}text: An abstract on regional security.\n"


@pytest.mark.parametrize("line, field, value", [
    ("year: 02014", "year", 2014),
    ("volume: 010", "volume", "010"),
    ("issue: 1:30", "issue", "1:30"),
    ("pages: 1.10", "pages", "1.10"),
    ("doi: 10.1000/0100", "doi", "10.1000/0100"),
    ("journal: NO", "journal", "NO"),
    ("title: 2014-01-01", "title", "2014-01-01"),
    ("truncated: true", "truncated", True),
    ("added: 2020-02-29", "added", "2020-02-29"),
])
def test_yaml_keeps_every_value_as_written_and_the_schema_converts(line, field, value):
    record = records.parse(RECORD.format(extra=line + "\n"), "content/abstracts/0123456789.yaml")
    assert record[field] == value


def test_a_number_like_doi_is_quoted_as_written_when_refused():
    message = refused(records.parse, RECORD.format(extra="doi: 10.1000\n"), "content/abstracts/0123456789.yaml")
    assert "'10.1000'" in message, message


def test_a_truncated_field_that_is_not_true_or_false_is_refused():
    message = refused(records.parse, RECORD.format(extra="truncated: yes\n"), "content/abstracts/0123456789.yaml")
    assert message.startswith("content/abstracts/0123456789.yaml:4:1: field 'truncated' should be true or false")


def test_a_duplicate_key_is_refused_with_file_line_and_key():
    text = RECORD.format(extra="text: the real abstract, lost to the second text below\n")
    message = refused(records.parse, text, "content/abstracts/0123456789.yaml")
    assert message.startswith("content/abstracts/0123456789.yaml:5:1: key 'text' appears twice"), message


def test_a_duplicate_key_is_refused_in_nested_mappings_too():
    message = refused(yamlfile.load, "zh:\n  nav_home: 首页\n  nav_home: 主页\n", "templates/strings.yaml")
    assert message.startswith("templates/strings.yaml:3:3: key 'nav_home' appears twice")


def test_yaml_syntax_errors_are_one_line_with_position():
    message = refused(yamlfile.load, "a: [1, 2\nb: c\n", "content/site.yaml")
    assert re.match(r"content/site\.yaml:\d+:\d+: malformed YAML: ", message), message


def test_python_tags_are_still_refused():
    assert "malformed YAML" in refused(yamlfile.load, "a: !!python/object/apply:os.system [ls]\n", "x.yaml")


def test_yaml_is_loaded_in_one_module_only():
    # One loader, one conversion of its errors: every reader of YAML goes through yamlfile.
    package = os.path.join(os.path.dirname(__file__), "..", "bibsite")
    loading = re.compile(r"yaml\.(safe_load|load|compose|full_load)\(|yaml\.YAMLError")
    users = sorted(name for name in os.listdir(package) if name.endswith(".py") and name != "yamlfile.py"
                   and loading.search(open(os.path.join(package, name), encoding="utf-8").read()))
    assert users == []


# --- the record schema ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["…", "....", "—— 123 ——"])
def test_a_record_whose_text_has_no_letters_is_refused_naming_the_field(text):
    raw = {"id": "0123456789", "type": "abstract", "language": "zh", "text": text}
    message = refused(schema.validate, raw, "content/abstracts/0123456789.yaml")
    assert message.startswith("content/abstracts/0123456789.yaml: field 'text' has no letters")


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x1b"])
def test_a_record_holding_bidi_overrides_or_control_characters_is_refused(char):
    raw = {"id": "0123456789", "type": "abstract", "language": "en", "text": "Security", "title": f"A{char}B"}
    message = refused(schema.validate, raw, "content/abstracts/0123456789.yaml")
    assert f"field 'title' holds the invisible character U+{ord(char):04X}" in message


# --- seed files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["…", "....", "。。。", "1995 — 2001"])
def test_a_seed_entry_with_no_letters_is_refused_with_file_and_line(tmp_path, entry):
    path = tmp_path / "x.txt"
    path.write_text(f"An abstract on maritime security.  相似文献\n\n{entry}\n", encoding="utf-8")
    message = refused(corpus.read_corpus, path, lambda message: None, "seeds/abstracts/x.txt")
    assert message.startswith("seeds/abstracts/x.txt:3: entry ") and "has no letters" in message


BIG5_TEXT = ("上海合作組織成立於2001年，是一個區域安全組織。中國與俄羅斯在中亞的合作日益緊密，"
             "對區域安全架構產生深遠影響。")
LATIN_TEXT = ("Géopolitique de l'Asie centrale : la Türkiye, l'OTSC et l'OCS – une « coopération » "
              "renforcée entre États voisins.")


def test_big5_is_not_read_as_gb18030(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes((BIG5_TEXT + "  相似文獻\n").encode("big5"))
    assert textfile.read_text(path) == BIG5_TEXT + "  相似文獻\n"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_windows_1252_and_latin_1_are_not_read_as_chinese(tmp_path, encoding):
    path = tmp_path / "latin.txt"
    path.write_bytes((LATIN_TEXT.replace("–", "-") + "\n").encode(encoding))
    assert textfile.read_text(path) == LATIN_TEXT.replace("–", "-") + "\n"


def test_the_maintainer_names_the_encoding_on_the_first_line(tmp_path):
    path = tmp_path / "short.txt"
    # Two characters that GB18030 and Big5 both decode: GB18030 would give い玐.
    path.write_bytes(b"# encoding: big5\n" + "中俄\n\n安全\n".encode("big5"))
    text = textfile.read_text(path)
    assert text == "\n中俄\n\n安全\n"  # the line is kept empty, so that line numbers stay


def test_what_the_detector_cannot_tell_apart_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes("中俄".encode("gb18030"))  # also Big5 (笢塘) and Windows-1252 (ÖÐ¶í)
    message = refused(textfile.read_text, path, "seeds/abstracts/x.txt")
    assert message.startswith("seeds/abstracts/x.txt:1: could be ") and "cannot be told apart" in message
    assert "'# encoding: " in message


def test_an_unknown_or_wrong_declared_encoding_is_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"# encoding: klingon\nabc\n")
    assert "names an unknown encoding 'klingon'" in refused(textfile.read_text, path, "seeds/abstracts/x.txt")
    path.write_bytes(b"# encoding: ascii\n" + "上海".encode("gb18030"))
    assert "is not ascii text" in refused(textfile.read_text, path, "seeds/abstracts/x.txt")


@pytest.mark.parametrize("char", ["\x1b", "\u202e", "\u2067", "\x85"])
def test_control_characters_and_bidi_overrides_in_seeds_are_refused_with_line_and_column(tmp_path, char):
    path = tmp_path / "x.txt"
    path.write_text(f"First entry.  相似文献\n\nSecond {char}entry.\n", encoding="utf-8")
    message = refused(textfile.read_text, path, "seeds/abstracts/x.txt")
    assert message.startswith(f"seeds/abstracts/x.txt:3:8: holds the invisible character U+{ord(char):04X}")


# --- template errors -----------------------------------------------------------------------------

def test_a_template_runtime_error_names_the_template_and_line(tmp_path):
    from bibsite import render

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("one\ntwo\n{{ missing.attribute }}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, render.template_errors(tmp_path):
        render.environment(tmp_path / "templates").get_template("page.html").render()
    assert caught.value.one_line().startswith("templates/page.html:3: template error: ")


def test_a_runtime_error_in_an_included_template_names_that_template(tmp_path):
    from bibsite import render

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("one\n{% include 'part.html' %}\n", encoding="utf-8")
    (tmp_path / "templates" / "part.html").write_text("a\nb\nc\n{{ missing.attribute }}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, render.template_errors(tmp_path):
        render.environment(tmp_path / "templates").get_template("page.html").render()
    assert caught.value.one_line().startswith("templates/part.html:4: template error: ")
