"""corpus: the abstract reader on its own fixture and on the real seeds; encodings; stable ids."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from bibsite import corpus, importer, textnorm
from bibsite.errors import InputError
from bibsite.textfile import decode, read_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
QUIRKS = FIXTURES / "corpus-quirks.txt"
SEED_FILES = sorted((ROOT / "seeds" / "abstracts").glob("*.txt"))
MARKER = corpus.SIMILAR_MARKER


def read(path, warnings=None):
    return corpus.read_corpus(path, (warnings if warnings is not None else []).append)


def by_line(entries):
    return {entry["line"]: entry for entry in entries}


# --- the fixture: one entry per quirk ------------------------------------------------------------

def test_marker_is_stripped_wherever_it_sits():
    entries = read(QUIRKS)
    assert entries, "fixture gave no entries"
    for entry in entries:
        assert MARKER not in entry["text"]
        assert entry["text"] == entry["text"].strip()
    lines = by_line(entries)
    assert lines[6]["text"].endswith("square kilometres.")  # marker on a line of its own
    assert lines[11]["text"].endswith("ở châu Á.")           # marker glued to the text


def test_pdf_spaces_are_repaired_across_and_within_lines():
    entry = by_line(read(QUIRKS))[3]
    assert "日益成为" in entry["text"] and "正 日" not in entry["text"]
    assert "安全架构" in entry["text"]                          # a line break fell inside 安|全
    assert "负面影响" in entry["text"]
    assert entry["text"].startswith("进入21 世纪")               # number + space + Chinese kept


def test_half_width_punctuation_and_typos_are_kept():
    entry = by_line(read(QUIRKS))[1]
    assert "资格.这一决定," in entry["text"]
    assert "消极影晌." in entry["text"]                          # the source's typo, kept
    assert "上合组织" in entry["text"]


def test_english_spacing_is_kept():
    entry = by_line(read(QUIRKS))[6]
    assert "in 2001, the Shanghai Cooperation Organization (SCO) has" in entry["text"]
    assert "3.5 million" in entry["text"]


@pytest.mark.parametrize("line, language, truncated", [
    (1, "zh", False), (3, "zh", False), (6, "en", False), (11, "vi", False),
    (13, "zh", True), (15, "en", True),
])
def test_language_and_truncation_per_entry(line, language, truncated):
    entry = by_line(read(QUIRKS))[line]
    assert (entry["language"], entry["truncated"]) == (language, truncated)


def test_truncated_text_keeps_its_ellipsis():
    lines = by_line(read(QUIRKS))
    assert lines[13]["text"].endswith("中...")
    assert lines[15]["text"].endswith("finds…")


def test_empty_entry_is_skipped_with_a_warning_naming_file_and_line():
    warnings = []
    entries = read(QUIRKS, warnings)
    assert 9 not in by_line(entries)
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{QUIRKS}:9: ")
    assert "empty entry" in warnings[0]


def test_line_numbers_point_at_the_first_line_of_each_entry():
    raw_lines = QUIRKS.read_text(encoding="utf-8").split("\n")
    for entry in read(QUIRKS):
        first = raw_lines[entry["line"] - 1]
        assert first.strip(), entry["line"]
        assert entry["line"] == 1 or not raw_lines[entry["line"] - 2].strip()
        assert entry["text"][:6] == textnorm.repair_pdf_spaces(first)[:6]


def test_duplicates_in_seeds_become_one_record_and_are_reported_with_file_and_line(tmp_path):
    seeds = tmp_path / "seeds"
    (seeds / "abstracts").mkdir(parents=True)
    (seeds / "glossary").mkdir()
    target = seeds / "abstracts" / "quirks.txt"
    target.write_bytes(QUIRKS.read_bytes())
    # The same entry again in another file, wrapped differently: still the same record.
    first = by_line(read(QUIRKS))[1]["text"]
    (seeds / "abstracts" / "z-more.txt").write_text(first[:20] + "\n" + first[20:] + "  相似文献\n", encoding="utf-8")
    candidates, duplicates = importer.read_seeds(seeds, tmp_path, lambda m: None)
    ids = [c["id"] for c in candidates]
    assert len(ids) == len(set(ids))
    assert textnorm.record_id(first) in ids
    # Line 1 and line 17 of the fixture hold the same abstract (17 without the PDF space).
    assert duplicates == [
        "seeds/abstracts/quirks.txt:17 (same text as seeds/abstracts/quirks.txt:1)",
        "seeds/abstracts/z-more.txt:1 (same text as seeds/abstracts/quirks.txt:1)",
    ]
    assert len(candidates) == len(read(QUIRKS)) - 1


# --- ids stay the same when entries move ---------------------------------------------------------

def _blocks(text):
    return ["\n".join(lines) for _, lines in corpus.split_entries(text)]


def _ids(path):
    return [textnorm.record_id(e["text"]) for e in read(path)]


def test_ids_are_stable_when_entries_are_reordered_or_added(tmp_path):
    original = _ids(QUIRKS)
    blocks = _blocks(QUIRKS.read_text(encoding="utf-8"))
    reordered = tmp_path / "reordered.txt"
    reordered.write_text("\n\n".join(reversed(blocks)) + "\n", encoding="utf-8")
    assert sorted(_ids(reordered)) == sorted(original)
    grown = tmp_path / "grown.txt"
    grown.write_text("一个新的摘要放在最前面。  相似文献\n\n" + "\n\n".join(blocks) + "\n\nA new last one.  相似文献\n",
                     encoding="utf-8")
    grown_ids = _ids(grown)
    assert grown_ids[1:-1] == original
    assert len(set(grown_ids)) == len(set(original)) + 2


def test_ids_are_derived_from_the_repaired_text_only():
    # The same abstract with and without PDF spaces is one record.
    a = corpus.clean_entry(["上 合组织 正 日益成为 安 全架构。  相似文献"])
    b = corpus.clean_entry(["上合组织正日益成为安全架构。 相似文献"])
    assert textnorm.record_id(a) == textnorm.record_id(b)


# --- encodings -----------------------------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "gb18030": lambda t: t.encode("gb18030"),
    "crlf-utf-8": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    "crlf-utf-16-bom": lambda t: codecs.BOM_UTF16_LE + t.replace("\n", "\r\n").encode("utf-16-le"),
}


@pytest.mark.parametrize("name", list(ENCODINGS))
def test_supported_encodings_read_the_same_entries(tmp_path, name):
    text = QUIRKS.read_text(encoding="utf-8")
    path = tmp_path / f"{name}.txt"
    path.write_bytes(ENCODINGS[name](text))
    assert read(path) == read(QUIRKS)


def test_gbk_file_is_read(tmp_path):
    # GBK has no Vietnamese letters: a Chinese-only corpus as legacy Windows editors save it.
    text = "乌兹别克斯坦再次暂停集体安全条约组织成员国资格.这一决定,与近年来上 合组织的趋势相背离.  相似文献\n\n" \
           "中俄在许多安全领域具有共同利益。  相似文献\n"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode("gbk"))
    entries = read(path)
    assert [e["text"] for e in entries] == [
        "乌兹别克斯坦再次暂停集体安全条约组织成员国资格.这一决定,与近年来上合组织的趋势相背离.",
        "中俄在许多安全领域具有共同利益。",
    ]
    assert [e["line"] for e in entries] == [1, 3]


def test_no_bom_or_carriage_return_survives_decoding():
    for name, encode in ENCODINGS.items():
        text = decode(encode("第一行\n第二行\n"), name)
        assert "\ufeff" not in text and "\r" not in text, name


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4,
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200),
    bytes(range(128, 256)) * 8,
    "utf-16 without a BOM".encode("utf-16-le"),
])
def test_binary_or_undecodable_is_refused_naming_the_file(tmp_path, data):
    path = tmp_path / "seed.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_text(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}: ")
    assert "\n" not in message and " — " in message


# --- the real seeds --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name for p in SEED_FILES])
def test_real_seed_file_reads_every_non_empty_entry(path):
    raw = read_text(path)
    blocks = corpus.split_entries(raw)
    expected = [(line, lines) for line, lines in blocks if re.sub(rf"\s|{MARKER}", "", "".join(lines))]
    warnings = []
    entries = read(path, warnings)
    assert [e["line"] for e in entries] == [line for line, _ in expected]
    assert len(warnings) == len(blocks) - len(expected)
    for entry, (_, lines) in zip(entries, expected):
        source = " ".join(lines).strip()
        assert MARKER not in entry["text"]
        # Nothing but whitespace and the marker changed: punctuation and typos are as written.
        assert re.sub(r"\s", "", entry["text"]) == re.sub(r"\s", "", source).removesuffix(MARKER)
        assert entry["truncated"] == bool(re.search(r"(\.\.\.|…)\s*$", source.removesuffix(MARKER).strip()))
        han = len(re.findall(f"[{textnorm.HAN}]", entry["text"]))
        assert (entry["language"] == "zh") == (han > 0 and han * 4 >= len(re.findall("[A-Za-z]", entry["text"])))


def test_real_seed_quirks_survive_reading():
    raw = "".join(read_text(p) for p in SEED_FILES)
    texts = "\n".join(e["text"] for p in SEED_FILES for e in read(p))
    # Each of these appears in the source (with or without PDF spaces) and is read repaired.
    for word in ("上合组织", "日益成为", "安全架构", "负面影响"):
        spaced = [f"{word[:i]} {word[i:]}" for i in range(1, len(word))]
        if word in raw or any(s in raw for s in spaced):
            assert word in texts, word
    if "影晌" in raw:
        assert "影晌" in texts
    for sample in re.findall(f"[{textnorm.HAN}][.,][{textnorm.HAN}]", raw):
        assert sample in texts
