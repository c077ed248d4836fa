"""The metadata readers: every export format, in the shapes CNKI, Zotero, EndNote and NoteExpress write,
gives the same entries; a malformed file is refused with file, line, what and fix."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bibsite import metadata
from bibsite.errors import InputError
from bibsite.metadata import merge

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "metadata"
FILES = sorted(p.name for p in FIXTURES.iterdir())

# What the fixtures say about each work, keyed by its title; each format carries what it can.
EXPECTED = {
    "上海合作组织框架下的中俄中亚能源合作": {
        "genre": "article", "authors": ["刘某", "王某"], "year": 2013, "journals": ["俄罗斯东欧中亚研究"], "issue": "4",
        "pages": "45-53", "doi": "10.3969/j.issn.1009-721X.2013.04.006", "issn": "1009-721X",
        "fund": "国家社会科学基金项目(12CGJ015)", "clc": "D822.351.2",
        "keywords": ["上海合作组织", "中俄关系", "中亚", "能源合作"],
        "affiliations": ["北京大学国际关系学院", "中国社会科学院俄罗斯东欧中亚研究所"],
        "abstract_starts": "进入21世纪以来,世界大国对能源的争夺加剧",
    },
    "Comparing ASEAN and the SCO: Models of Regional Cooperation in Asia": {
        "genre": "article", "authors": ["Smith, Jane A.", "Nguyen, Van Minh"], "year": 2016, "journals": ["Asian Security"],
        "volume": "12", "issue": "2", "pages": "101-118", "doi": "10.1080/14799855.2016.1234567", "issn": "1479-9855",
        "keywords": ["ASEAN", "Shanghai Cooperation Organisation", "regionalism", "multilateralism"],
        "affiliations": ["Department of Political Science, University of Leeds", "Diplomatic Academy of Vietnam"],
        "abstract_starts": "The Association of Southeast Asian Nations (ASEAN) is an established player",
    },
    "论上海合作组织的反恐合作机制": {
        "genre": "thesis", "authors": ["赵某"], "year": 2015, "publisher": "华东政法大学",
        "abstract_starts": "上海合作组织成立以来,反恐合作始终是其核心议题",
    },
    "中亚安全与上海合作组织": {"genre": "book", "authors": ["孙某"], "year": 2010, "isbn": "978-7-5012-3800-1",
                          "publisher": "世界知识出版社"},
}
# Fields a program's export does not carry (Zotero keeps no affiliations and writes no tags to CSL JSON...).
NOT_CARRIED = {
    "cnki-endnote.txt": {"fund"},
    "cnki-refworks.txt": set(),
    "noteexpress.txt": {"clc"},
    "zotero.bib": {"affiliations", "fund", "clc"},
    "zotero.ris": {"affiliations", "fund", "clc"},
    "zotero.json": {"affiliations", "fund", "clc", "keywords"},
    "endnote.enw": {"fund", "clc"},
}


def entries_of(name: str) -> dict[str, dict]:
    return {entry["titles"][0]: entry for entry in metadata.read_file(FIXTURES / name, f"seeds/metadata/{name}")}


@pytest.mark.parametrize("name", FILES)
def test_every_format_gives_the_same_metadata(name):
    entries = entries_of(name)
    assert entries, name
    for title, expected in EXPECTED.items():
        if title not in entries:
            assert name == "endnote.enw"  # EndNote's own export holds the English article only
            continue
        entry = entries[title]
        assert [a["name"] for a in entry["authors"]] == expected["authors"], (name, title)
        for field in ("genre", "year", "journals", "volume", "issue", "pages", "doi", "issn", "isbn", "publisher",
                      "fund", "clc", "keywords"):
            if field in expected and field not in NOT_CARRIED[name]:
                assert entry.get(field) == expected[field], (name, title, field)
        if "affiliations" in expected and "affiliations" not in NOT_CARRIED[name]:
            assert [a.get("affiliation") for a in entry["authors"]] == expected["affiliations"], (name, title)
        if "abstract_starts" in expected:
            assert merge.match_key(entry["abstracts"][0]).startswith(merge.match_key(expected["abstract_starts"]))
        else:
            assert "abstracts" not in entry
        assert entry["file"] == f"seeds/metadata/{name}" and entry["line"] >= 1


def test_entries_know_their_line():
    lines = {name: [e["line"] for e in metadata.read_file(FIXTURES / name, name)] for name in FILES}
    for name, numbers in lines.items():
        text = codecs.decode((FIXTURES / name).read_bytes(), "utf-8-sig").replace("\r\n", "\n").split("\n")
        firsts = [text[n - 1] for n in numbers]
        starts = {"cnki-endnote.txt": "%0 ", "endnote.enw": "%0 ", "cnki-refworks.txt": "RT ",
                  "noteexpress.txt": "{Reference Type}", "zotero.bib": "@", "zotero.ris": "TY  - ", "zotero.json": "\t{"}
        assert all(line.startswith(starts[name]) for line in firsts), (name, firsts)


def test_cnki_endnote_shape_bom_crlf_institutions_and_clc():
    raw = (FIXTURES / "cnki-endnote.txt").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw  # the file really is as CNKI writes it
    entry = entries_of("cnki-endnote.txt")["上海合作组织框架下的中俄中亚能源合作"]
    assert entry["authors"][0] == {"name": "刘某", "affiliation": "北京大学国际关系学院"}
    assert entry["clc"] == "D822.351.2" and entry["titles"][0].endswith("合作")  # no \r left anywhere
    assert not any("\r" in str(value) or "\ufeff" in str(value) for value in entry.values())


def test_endnote_continuation_lines_and_repeated_keywords():
    raw = (FIXTURES / "endnote.enw").read_text(encoding="utf-8").splitlines()
    assert any(line and not line.startswith("%") for line in raw)  # the abstract is wrapped
    entry = entries_of("endnote.enw")["Comparing ASEAN and the SCO: Models of Regional Cooperation in Asia"]
    assert entry["abstracts"][0].endswith("continues to be durable and robust.")
    assert "  " not in entry["abstracts"][0] and "established player in Southeast Asia" in entry["abstracts"][0]
    assert entry["date"] == "2016-04-21" and entry["language"] == "en"


def test_tagged_text_in_gbk_with_a_continued_chinese_line(tmp_path):
    path = tmp_path / "cnki.txt"
    path.write_bytes("%0 Journal Article\r\n%A 刘某\r\n%T 标题\r\n%X 第一行摘要\r\n接着的第二行。\r\n%K 甲;乙；丙\r\n".encode("gb18030"))
    [entry] = metadata.read_file(path, "cnki.txt")
    assert entry["abstracts"] == ["第一行摘要接着的第二行。"] and entry["keywords"] == ["甲", "乙", "丙"]


def test_csl_names_joined_the_chinese_way():
    entry = entries_of("zotero.json")["上海合作组织框架下的中俄中亚能源合作"]
    assert [a["name"] for a in entry["authors"]] == ["刘某", "王某"]


BAD = [
    ("x.enw", "just a line\n%0 Journal Article\n%T t\n", "x.enw:1: does not start like a tagged export"),
    ("x.txt", "%0 Journal Article\n%T t\n\nstray words\n", "x.txt:4: line is not a EndNote field"),
    ("x.ris", "TY  - JOUR\nTI  - t\n", "x.ris:1: the entry starting at line 1 has no ER line"),
    ("x.ris", "TY  - JOUR\nTI  - t\nTY  - JOUR\nER  - \n", "x.ris:3: the entry starting at line 1 has no ER line before"),
    ("x.ris", "TY  - JOUR\nER  - \nnot a tag\n", "x.ris:3: line outside any entry"),
    ("x.bib", "@article{a,\n title = {open\n}\n\n@article{b, title={t}}\n", "x.bib:1: the braces of entry 'a' do not close"),
    ("x.bib", "@article{,\n title = {t}}\n", "x.bib:1: @article entry without a citation key"),
    ("x.json", '[\n {"title": "t",}\n]\n', "x.json:2:"),
    ("x.json", '"just text"', "x.json:1: is not a CSL-JSON list of items"),
]


@pytest.mark.parametrize("name, text, message", BAD)
def test_malformed_files_name_file_line_what_and_fix(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        metadata.read_file(path, name)
    line = caught.value.one_line()
    assert line.startswith(message), line
    assert " — " in line and "\n" not in line


def test_names_joined_in_one_field_and_keywords_one_per_line(tmp_path):
    path = tmp_path / "x.enw"
    path.write_text("%0 Journal Article\n%A 刘某;王某;\n%A 陈某，李某\n%A Smith, John\n%T t\n"
                    "%K ASEAN\nSCO\n%X <正>摘要的正文。\n", encoding="utf-8")
    [entry] = metadata.read_file(path, "x.enw")
    assert [a["name"] for a in entry["authors"]] == ["刘某", "王某", "陈某", "李某", "Smith, John"]
    assert entry["keywords"] == ["ASEAN", "SCO"] and entry["abstracts"] == ["摘要的正文。"]
    ris = tmp_path / "x.ris"
    ris.write_text("TY  - JOUR\nAU  - 刘某,王某\nAU  - 赵, 某\nKW  - 甲;乙\nER  - \n", encoding="utf-8")
    [entry] = metadata.read_file(ris, "x.ris")
    assert [a["name"] for a in entry["authors"]] == ["刘某", "王某", "赵某"] and entry["keywords"] == ["甲", "乙"]


def test_a_cn_serial_number_is_not_taken_for_a_clc_number(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("%0 Journal Article\n%T t\n%L 11-5481/D\n\n%0 Journal Article\n%T u\n%L TP391.1;D822\n", encoding="utf-8")
    first, second = metadata.read_file(path, "x.txt")
    assert "clc" not in first and second["clc"] == "TP391.1;D822"
