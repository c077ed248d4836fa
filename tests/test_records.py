"""records and schema: YAML in and out, positions in errors, hand-written records like imported ones."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest
import yaml

from bibsite import enrich, records, schema
from bibsite.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HANDWRITTEN = FIXTURES / "record-handwritten.yaml"
SHOWN = "content/abstracts/x.yaml"

BASE = """id: 0123456789
type: abstract
language: zh
text: |-
  上海合作组织是基于互信的边境会晤机制发展成为地区性国际组织的典范。
"""


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        records.parse(text, SHOWN)
    assert "\n" not in caught.value.one_line()
    return caught.value


def test_a_minimal_record_parses():
    record = records.parse(BASE, SHOWN)
    assert record == {"id": "0123456789", "type": "abstract", "language": "zh",
                      "text": "上海合作组织是基于互信的边境会晤机制发展成为地区性国际组织的典范。"}


def test_malformed_yaml_names_line_and_column():
    text = BASE.replace("language: zh", "language: [zh")
    error = error_of(text)
    assert (error.line, error.column) is not None
    assert error.one_line().startswith(f"{SHOWN}:{error.line}:{error.column}: malformed YAML")
    assert error.line >= 3 and " — " in error.one_line()


def test_unquoted_colon_in_a_value_points_at_it():
    error = error_of(BASE.replace("type: abstract", "type: abstract\ntitle: Security: a view"))
    assert re.match(rf"{SHOWN}:3:1[0-9]: malformed YAML: ", error.one_line())


def test_missing_required_field_is_named():
    error = error_of(BASE.replace("language: zh\n", ""))
    assert error.one_line().startswith(f"{SHOWN}: field 'language' is missing")


@pytest.mark.parametrize("typo, known", [("titel", "title"), ("autors", "authors"), ("jornal", "journal"),
                                         ("keyword", "keywords")])
def test_unknown_field_suggests_the_close_known_one(typo, known):
    error = error_of(BASE.replace("type: abstract", f"type: abstract\n{typo}: x"))
    assert error.one_line() == f"{SHOWN}:3:1: field '{typo}' is not a known field — did you mean '{known}'?"


def test_unknown_field_far_from_any_lists_the_known_fields():
    error = error_of(BASE.replace("type: abstract", "type: abstract\nzzzz: x"))
    assert "known fields:" in error.one_line() and "title" in error.one_line()


def test_empty_text_is_refused_at_its_line():
    error = error_of(BASE.split("text:")[0] + 'text: ""\n')
    assert error.one_line().startswith(f"{SHOWN}:4:1: field 'text' is missing or empty")


@pytest.mark.parametrize("line, message", [
    ('year: "twenty"', "field 'year' should be a whole number"),
    ("year: twenty", "field 'year' should be a whole number"),
    ("year: 20", "field 'year' is 20"),
    ("truncated: maybe", "field 'truncated' should be true or false"),
    ("added: 2020-13-45", "field 'added' should be a date"),
    ("added: 2020-02-30", "field 'added' should be a date"),
    ("added: 02-01-2020", "field 'added' should be a date"),
    ("authors: {a: b}", "field 'authors' should be a list"),
    ("title: [a, b]", "field 'title' should be text"),
    ("url: javascript:alert(1)", "field 'url' is 'javascript:alert(1)'"),
    ("url: ftp://example.org/x", "field 'url' is 'ftp://example.org/x'"),
    ("url: www.example.org", "field 'url' is 'www.example.org'"),
    ("url: 'JavaScript:alert(1)'", "field 'url' is"),
])
def test_wrong_values_are_refused_naming_field_and_line(line, message):
    error = error_of(BASE.replace("type: abstract", f"type: abstract\n{line}"))
    assert error.one_line().startswith(f"{SHOWN}:3:1: {message}")
    assert " — " in error.one_line()


def test_wrong_type_and_bad_ids_are_refused():
    assert "field 'type'" in error_of(BASE.replace("type: abstract", "type: article")).one_line()
    assert "field 'id'" in error_of(BASE.replace("0123456789", "not-an-id")).one_line()
    assert "field 'language'" in error_of(BASE.replace("language: zh", "language: fr")).one_line()
    assert "is not a record" in error_of("- just\n- a list\n").one_line()


def test_year_given_as_quoted_digits_is_accepted():
    assert records.parse(BASE.replace("type: abstract", 'type: abstract\nyear: "2014"'), SHOWN)["year"] == 2014


def test_http_and_https_urls_are_accepted():
    for url in ("http://example.org/a", "https://example.org/a?b=c&d=<e>"):
        assert records.parse(BASE + f"url: '{url}'\n", SHOWN)["url"] == url


def test_dump_then_parse_round_trips_and_keeps_schema_order():
    record = records.parse(HANDWRITTEN.read_text(encoding="utf-8"), SHOWN)
    text = records.dump(record)
    assert records.parse(text, SHOWN) == record
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "-"))]
    assert keys == [k for k in schema.ABSTRACT_FIELDS if k in record]
    assert records.dump(records.parse(text, SHOWN)) == text


def test_dump_writes_long_and_multiline_text_as_block_scalars_in_plain_utf8():
    record = records.parse(BASE, SHOWN)
    record["text"] = "第一段。" * 40 + "\n\n第二段: 有冒号 # 和井号"
    text = records.dump(record)
    assert "text: |" in text and "第二段: 有冒号 # 和井号" in text and "\\u" not in text
    assert records.parse(text, SHOWN)["text"] == record["text"]


def test_write_atomic_leaves_only_the_file(tmp_path):
    target = tmp_path / "abstracts" / "0123456789.yaml"
    records.write_atomic(target, BASE)
    records.write_atomic(target, BASE + "year: 2014\n")
    assert target.read_text(encoding="utf-8").endswith("year: 2014\n")
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "abstracts" / "0123456789.yaml"
    records.write_atomic(target, BASE)

    with pytest.raises(TypeError):
        records.write_atomic(target, 12345)  # not text: the write fails midway
    assert target.read_text(encoding="utf-8") == BASE
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def _content(tmp_path) -> Path:
    content = tmp_path / "content"
    (content / "abstracts").mkdir(parents=True)
    (content / "glossary").mkdir()
    return content


def test_hand_written_record_loads_like_an_imported_one(tmp_path):
    content = _content(tmp_path)
    raw = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8"))
    (content / "abstracts" / f"{raw['id']}.yaml").write_bytes(HANDWRITTEN.read_bytes())
    imported = records.parse(BASE, SHOWN)
    (content / "abstracts" / "0123456789.yaml").write_text(records.dump(imported), encoding="utf-8")
    loaded = records.load_all(content, tmp_path)
    assert [r["id"] for r in loaded] == sorted([raw["id"], "0123456789"])
    hand = next(r for r in loaded if r["id"] == raw["id"])
    assert hand["path"] == f"content/abstracts/{raw['id']}.yaml"
    assert hand["added"] == "2020-01-02" and hand["year"] == 2019
    assert hand["authors"] == ["Example, Ann", "示例作者"]
    assert hand["text"] == raw["text"].strip()
    # Enrichment gives both the same derived fields; the maintainer's title wins over a derived one.
    rich_hand, rich_imported = enrich.enrich(hand), enrich.enrich(next(r for r in loaded if r["id"] == "0123456789"))
    assert set(rich_hand) - set(hand) == set(rich_imported) - set(imported) - {"path"}
    assert rich_hand["display_title"] == raw["title"] and rich_hand["title_derived"] is False
    assert rich_imported["title_derived"] is True


def test_a_record_file_with_a_bom_is_read(tmp_path):
    content = _content(tmp_path)
    (content / "abstracts" / "0123456789.yaml").write_bytes(codecs.BOM_UTF8 + BASE.encode("utf-8"))
    assert records.load_all(content, tmp_path)[0]["id"] == "0123456789"


def test_a_record_file_not_in_utf8_is_refused(tmp_path):
    content = _content(tmp_path)
    (content / "abstracts" / "0123456789.yaml").write_bytes(BASE.encode("gb18030"))
    with pytest.raises(InputError) as caught:
        records.load_all(content, tmp_path)
    assert caught.value.one_line().startswith("content/abstracts/0123456789.yaml: is not UTF-8")


def test_a_copied_record_names_the_copy_and_the_id_line(tmp_path):
    content = _content(tmp_path)
    (content / "abstracts" / "0123456789.yaml").write_text(BASE, encoding="utf-8")
    (content / "abstracts" / "0123456789 copy.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        records.load_all(content, tmp_path)
    assert caught.value.one_line().startswith("content/abstracts/0123456789 copy.yaml:1:1: id '0123456789'")


def test_the_same_id_in_two_folders_is_a_duplicate(tmp_path):
    content = _content(tmp_path)
    (content / "abstracts" / "abcdef0123.yaml").write_text(BASE.replace("0123456789", "abcdef0123"), encoding="utf-8")
    (content / "glossary" / "abcdef0123.yaml").write_text(
        "id: abcdef0123\ntype: glossary\nterm: {zh: 术语}\ntext: {zh: 正文。}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        records.load_all(content, tmp_path)
    message = caught.value.one_line()
    assert message.startswith("content/glossary/abcdef0123.yaml: duplicate id 'abcdef0123'")
    assert "content/abstracts/abcdef0123.yaml" in message


def test_a_record_in_the_wrong_folder_or_with_yml_is_refused(tmp_path):
    content = _content(tmp_path)
    (content / "glossary" / "0123456789.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        records.load_all(content, tmp_path)
    assert "wrong folder" in caught.value.one_line() and "content/abstracts/" in caught.value.one_line()
    (content / "glossary" / "0123456789.yaml").unlink()
    (content / "abstracts" / "0123456789.yml").write_text(BASE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        records.load_all(content, tmp_path)
    assert caught.value.one_line() == "content/abstracts/0123456789.yml: has the extension .yml — rename it to .yaml"


def test_glossary_records_validate_language_maps():
    text = "id: sco\ntype: glossary\nterm: {vi: Tổ chức, zh: 上合}\ntext: {fr: Bonjour}\n"
    with pytest.raises(InputError) as caught:
        records.parse(text, "content/glossary/sco.yaml")
    assert caught.value.one_line().startswith("content/glossary/sco.yaml:4:1: field 'text' has unknown language 'fr'")


def test_every_record_in_content_is_valid_and_round_trips():
    loaded = records.load_all(ROOT / "content", ROOT)
    assert loaded
    for record in loaded:
        path = ROOT / record["path"]
        stored = {k: v for k, v in record.items() if k != "path"}
        assert records.parse(records.dump(stored), record["path"]) == stored, path


# --- the cache of parsed records: what it returns is what parsing gives --------------------------------------

GLOSSARY = "id: sco\ntype: glossary\nterm: {zh: 上合, vi: Tổ chức}\ntext: {zh: 正文。}\nadded: 2020-01-02\n"


def _three_records(tmp_path) -> Path:
    content = _content(tmp_path)
    raw = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8"))
    (content / "abstracts" / f"{raw['id']}.yaml").write_bytes(HANDWRITTEN.read_bytes())
    (content / "abstracts" / "0123456789.yaml").write_bytes(codecs.BOM_UTF8 + BASE.replace("\n", "\r\n").encode())
    (content / "glossary" / "sco.yaml").write_text(GLOSSARY, encoding="utf-8")
    return content


def _error(content: Path, root: Path, cache_dir: Path) -> str:
    with pytest.raises(InputError) as caught:
        records.load_all(content, root, cache_dir)
    return caught.value.one_line()


def test_cached_records_equal_parsed_ones_key_order_and_types_included(tmp_path):
    content, cache = _three_records(tmp_path), tmp_path / ".cache"
    first = records.load_all(content, tmp_path, cache)
    assert (cache / "records.cache").is_file()
    second = records.load_all(content, tmp_path, cache)
    expected = records.load_all(content, tmp_path, tmp_path / "empty-cache")
    assert first == second == expected
    assert [list(r.items()) for r in second] == [list(r.items()) for r in expected]
    assert [type(v) for r in second for v in r.values()] == [type(v) for r in expected for v in r.values()]
    second[0]["text"] = "changed by a later stage"
    assert records.load_all(content, tmp_path, cache) == expected


def test_records_load_all_uses_the_project_cache_folder_by_default(tmp_path):
    content = _three_records(tmp_path)
    records.load_all(content, tmp_path)
    assert (tmp_path / ".cache" / "records.cache").is_file()


def test_a_changed_file_is_parsed_and_validated_again(tmp_path):
    content, cache = _three_records(tmp_path), tmp_path / ".cache"
    records.load_all(content, tmp_path, cache)
    record = content / "abstracts" / "0123456789.yaml"
    record.write_text(BASE.replace("language: zh", "language: en"), encoding="utf-8")
    assert next(r for r in records.load_all(content, tmp_path, cache) if r["id"] == "0123456789")["language"] == "en"
    record.write_text(BASE.replace("type: abstract", "type: abstract\ntitel: x"), encoding="utf-8")
    message = _error(content, tmp_path, cache)
    assert message == _error(content, tmp_path, tmp_path / "empty-cache")
    assert message.startswith("content/abstracts/0123456789.yaml:3:1: field 'titel' is not a known field")


def test_the_same_bytes_under_another_name_or_folder_are_checked_again(tmp_path):
    content, cache = _three_records(tmp_path), tmp_path / ".cache"
    records.load_all(content, tmp_path, cache)
    original = content / "abstracts" / "0123456789.yaml"
    copy = content / "abstracts" / "0123456789 copy.yaml"
    copy.write_bytes(original.read_bytes())
    assert _error(content, tmp_path, cache).startswith("content/abstracts/0123456789 copy.yaml:1:1: id '0123456789'")
    copy.unlink()
    original.rename(content / "glossary" / "0123456789.yaml")
    assert "wrong folder" in _error(content, tmp_path, cache)


def test_a_corrupt_or_foreign_records_cache_is_not_trusted(tmp_path):
    content, cache = _three_records(tmp_path), tmp_path / ".cache"
    expected = records.load_all(content, tmp_path, cache)
    stored = cache / "records.cache"
    data = bytearray(stored.read_bytes())
    data[-40] ^= 0x01  # one bit of a record's text
    stored.write_bytes(bytes(data))
    assert records.load_all(content, tmp_path, cache) == expected
    assert stored.read_bytes() != bytes(data)  # rewritten whole
    stored.write_bytes(b"\x00" * 100)
    assert records.load_all(content, tmp_path, cache) == expected
