"""Tests for bibsite/citations.py: every format parses with a real reader and holds only real fields."""
from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import pytest
import yaml
from bibtexparser.bparser import BibTexParser

from bibsite.citations import bibtex, collection_bibtex, collection_csl, csl_json, gbt7714, highwire, ris

ROOT = Path(__file__).resolve().parent.parent
# bibtexparser 1.4 calls pyparsing names that pyparsing 3.3 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FIXTURE = Path(__file__).parent / "fixtures" / "citations_records.yaml"
SEEDS = ROOT / "seeds" / "abstracts" / "regional-security-abstracts.txt"


@pytest.fixture(scope="module")
def fixture_records():
    full, hostile = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return full, hostile


@pytest.fixture(scope="module")
def seed_records():
    """The seed abstracts as the import makes them: no title, author, year or journal."""
    text = SEEDS.read_text(encoding="utf-8")
    entries = [re.sub(r"\s*相似文献\s*$", "", e.strip()) for e in re.split(r"\n\s*\n", text) if e.strip()]
    return [{"id": f"{i:010x}", "type": "abstract", "text": entry,
             "language": "zh" if re.search(r"[\u4e00-\u9fff]", entry) else "en"} for i, entry in enumerate(entries)]


def display_title(record) -> str:
    """Stand-in for the lead's derived title: the first 30 characters of the text."""
    return " ".join(record["text"].split())[:30] + "…"


def parse_bibtex(text: str):
    parser = BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    return bibtexparser.loads(text, parser=parser)


def unescape(value: str) -> str:
    """Undo citations' BibTeX escaping, to show nothing was lost."""
    for escaped, plain in ((r"\textbackslash{}", "\\"), (r"\textbraceleft{}", "{"), (r"\textbraceright{}", "}"),
                           (r"\textasciitilde{}", "~"), (r"\textasciicircum{}", "^")):
        value = value.replace(escaped, plain)
    return re.sub(r"\\([%&#_$])", r"\1", value)


# --- seeds: only the fields they have --------------------------------------------------------

def test_seed_bibtex_has_only_title_language_abstract(seed_records):
    database = parse_bibtex(collection_bibtex((r, display_title(r)) for r in seed_records))
    assert len(database.entries) == len(seed_records)
    for entry, record in zip(database.entries, sorted(seed_records, key=lambda r: r["id"])):
        assert entry["ID"] == record["id"] and entry["ENTRYTYPE"] == "misc"
        assert set(entry) == {"ID", "ENTRYTYPE", "title", "language", "abstract"}
        assert entry["language"] == record["language"]
        assert unescape(entry["abstract"]) == " ".join(record["text"].split())


def test_seed_entries_omit_missing_fields_in_every_format(seed_records):
    record = seed_records[0]
    title = display_title(record)
    assert set(csl_json(record, title)) == {"id", "type", "title", "language", "abstract"}
    assert csl_json(record, title)["type"] == "article"
    tags = [line[:2] for line in ris(record, title).splitlines()]
    assert tags == ["TY", "ID", "TI", "LA", "AB", "ER"]
    assert [name for name, _ in highwire(record, title)] == ["citation_title", "citation_language", "citation_abstract"]
    assert gbt7714(record, title) == f"{title}[Z]."
    assert "author" not in bibtex(record, title) and "year" not in bibtex(record, title)


def test_maintainer_title_wins_over_display_title(seed_records):
    record = dict(seed_records[0], title="A maintainer's title")
    assert csl_json(record, "derived")["title"] == "A maintainer's title"
    assert csl_json(seed_records[0], "derived")["title"] == "derived"


# --- a complete record -----------------------------------------------------------------------

def test_full_record_bibtex(fixture_records):
    full, _ = fixture_records
    entry = parse_bibtex(bibtex(full, "ignored")).entries[0]
    assert entry["ENTRYTYPE"] == "article" and entry["ID"] == "0a1b2c3d4e"
    assert entry["title"] == "The {SCO} and Regional Security in Central Asia"  # acronym kept upper-case
    assert entry["author"] == "Smith, John Paul and 王小明 and Lee, Ann and {Ministry of Peace and Order}"
    assert (entry["year"], entry["journal"], entry["volume"], entry["number"], entry["pages"]) == \
        ("2012", "Journal of Eurasian Studies", "3", "2", "101--115")
    assert entry["doi"] == "10.1016/j.euras.2012.03.001"
    assert entry["url"] == full["url"]  # verbatim: & is not escaped in a URL
    assert entry["keywords"] == "SCO, collective security"


def test_full_record_ris(fixture_records):
    full, _ = fixture_records
    lines = ris(full, "ignored").splitlines()
    assert lines[0] == "TY  - JOUR" and lines[-1] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    assert [line for line in lines if line.startswith("AU")] == [
        "AU  - Smith, John Paul", "AU  - 王小明", "AU  - Lee, Ann", "AU  - Ministry of Peace and Order"]
    assert "SP  - 101" in lines and "EP  - 115" in lines and "KW  - collective security" in lines
    assert "AB  - Since its establishment, the Shanghai Cooperation Organization has achieved fruitful " \
           "security cooperation." in lines


def test_full_record_gbt7714(fixture_records):
    full, _ = fixture_records
    assert gbt7714(full, "ignored") == (
        "SMITH J P, 王小明, LEE A, et al. The SCO and Regional Security in Central Asia[J/OL]. "
        "Journal of Eurasian Studies, 2012, 3(2): 101-115. "
        "https://example.org/articles/101?lang=en&format=html. DOI:10.1016/j.euras.2012.03.001.")
    chinese = dict(full, language="zh", url=None)
    assert gbt7714(chinese, "x").startswith("SMITH J P, 王小明, LEE A, 等. ")
    assert "[J]." in gbt7714(chinese, "x")


def test_full_record_highwire(fixture_records):
    full, _ = fixture_records
    tags = highwire(full, "ignored")
    assert ("citation_journal_title", "Journal of Eurasian Studies") in tags
    assert [c for n, c in tags if n == "citation_author"] == full["authors"]
    assert ("citation_firstpage", "101") in tags and ("citation_lastpage", "115") in tags
    assert ("citation_publication_date", "2012") in tags and ("citation_doi", full["doi"]) in tags
    assert all(name.startswith("citation_") for name, _ in tags)
    abstracts = [c for n, c in tags if n == "citation_abstract"]
    assert len(abstracts) == 1 and abstracts[0].split()[:3] == full["text"].split()[:3]


# --- hostile text ----------------------------------------------------------------------------

def test_hostile_record_cannot_break_the_bibtex_file(fixture_records, seed_records):
    full, hostile = fixture_records
    pairs = [(r, display_title(r)) for r in seed_records[:3]] + [(hostile, "x"), (full, "y")]
    text = collection_bibtex(pairs)
    assert text.count("{") == text.count("}")
    database = parse_bibtex(text)
    assert sorted(e["ID"] for e in database.entries) == sorted(r["id"] for r, _ in pairs)  # nothing injected
    entry = database.entries_dict["ffffffffff"]
    assert unescape(entry["title"]) == hostile["title"]
    assert unescape(entry["abstract"]) == " ".join(hostile["text"].split())
    assert unescape(entry["journal"]) == hostile["journal"]
    assert "{" not in entry["url"] and "}" not in entry["url"]


def test_hostile_record_ris_stays_one_tag_per_line(fixture_records):
    _, hostile = fixture_records
    lines = ris(hostile, "x").splitlines()
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    assert sum(line.startswith("ER") for line in lines) == 1


# --- CSL-JSON through citeproc-py ------------------------------------------------------------

def render(csl_text: str) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(csl_text)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)  # bundled with citeproc-py
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_csl_collection_renders_with_citeproc(fixture_records, seed_records):
    full, hostile = fixture_records
    pairs = [(r, display_title(r)) for r in seed_records] + [(full, "x"), (hostile, "y")]
    rendered = render(collection_csl(pairs))
    assert len(rendered) == len(pairs)
    text = "\n".join(rendered)
    assert "Smith, J.P." in text and "The SCO and Regional Security in Central Asia" in text
    assert "Journal of Eurasian Studies, 3(2), pp. 101–115" in text
    for record, title in pairs[:3]:
        assert title in text


def test_csl_collection_is_deterministic_json(fixture_records, seed_records):
    full, hostile = fixture_records
    pairs = [(r, display_title(r)) for r in seed_records] + [(full, "x"), (hostile, "y")]
    text = collection_csl(pairs)
    assert collection_csl(list(reversed(pairs))) == text
    items = json.loads(text)
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)
    # one item per line, keys sorted
    assert "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False, sort_keys=True) for i in items) + "\n]\n" == text
    by_id = {i["id"]: i for i in items}
    assert by_id["0a1b2c3d4e"]["author"][0] == {"family": "Smith", "given": "John Paul"}
    assert by_id["0a1b2c3d4e"]["author"][1] == {"literal": "王小明"}  # not split into guessed parts
    assert by_id["0a1b2c3d4e"]["issued"] == {"date-parts": [[2012]]}
    assert "issued" not in by_id["ffffffffff"] and "author" not in by_id[seed_records[0]["id"]]


# --- glossary entries ------------------------------------------------------------------------

GLOSSARY_ENTRY = {
    "id": "cica", "type": "glossary", "abbreviation": "CICA", "date": "2017-04-19", "publisher": "China.org.cn",
    "term": {"zh": "亚信会议", "vi": "Hội nghị về Phối hợp hành động và Các biện pháp xây dựng lòng tin ở châu Á"},
    "text": {"zh": "1992年10月……", "vi": "Tháng 10 năm 1992……"},
}


def test_glossary_entry_cites_its_publisher_and_date_but_no_abstract():
    title = "亚信会议 (CICA)"
    entry = parse_bibtex(bibtex(GLOSSARY_ENTRY, title)).entries[0]
    assert set(entry) == {"ID", "ENTRYTYPE", "title", "year", "date", "publisher"}
    assert (entry["year"], entry["date"], entry["publisher"]) == ("2017", "2017-04-19", "China.org.cn")
    item = csl_json(GLOSSARY_ENTRY, title)
    assert item["issued"] == {"date-parts": [[2017, 4, 19]]} and "abstract" not in item and "language" not in item
    assert gbt7714(GLOSSARY_ENTRY, title) == "亚信会议 (CICA)[Z]. China.org.cn, 2017."
    online = dict(GLOSSARY_ENTRY, url="http://www.china.org.cn/vietnamese/2017-04/19/content_40650563.htm")
    assert gbt7714(online, title) == f"China.org.cn. 亚信会议 (CICA)[EB/OL]. (2017-04-19). {online['url']}."
    assert ("citation_publication_date", "2017/04/19") in highwire(online, title)
    assert "DA  - 2017/04/19" in ris(online, title).splitlines()
    assert any("China.org.cn" in line for line in render(collection_csl([(online, title)])))


# --- real metadata: GB/T 7714-2015's own examples, genres, what is never exported ---------------

def _article(**fields) -> dict:
    return {"id": "0123456789", "type": "abstract", "language": "zh", "text": "摘要。", **fields}


# (record fields, the reference as GB/T 7714-2015 §8 prints it, without its [n] number)
GBT_EXAMPLES = [
    (dict(title="韩国图书馆法", authors=["李炳穆"], journal="图书情报工作", year=2008, volume="52", issue="6", pages="6-12"),
     "李炳穆. 韩国图书馆法[J]. 图书情报工作, 2008, 52(6): 6-12."),
    (dict(title="蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口", authors=["袁训来", "陈哲", "肖书海", "周传明"],
          journal="科学通报", year=2012, volume="55", issue="34", pages="3219"),
     "袁训来, 陈哲, 肖书海, 等. 蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口[J]. 科学通报, 2012, 55(34): 3219."),
    (dict(title="Shaking without quaking", authors=["Kanamori, Hiroo"], journal="Science", year=1998, volume="279",
          issue="5359", pages="2063", language="en"),
     "KANAMORI H. Shaking without quaking[J]. Science, 1998, 279(5359): 2063."),
    (dict(title="人类活动影响下海河流域典型区水循环变化分析", authors=["马欢"], genre="thesis", publisher="北京: 清华大学",
          year=2011),
     "马欢. 人类活动影响下海河流域典型区水循环变化分析[D]. 北京: 清华大学, 2011."),
    (dict(title="出版集团研究", authors=["余敏"], genre="book", publisher="北京: 中国书籍出版社", year=2001, pages="179-193"),
     "余敏. 出版集团研究[M]. 北京: 中国书籍出版社, 2001: 179-193."),
]


@pytest.mark.parametrize("fields, expected", GBT_EXAMPLES)
def test_gbt7714_matches_the_standards_examples(fields, expected):
    assert gbt7714(_article(**fields), "unused") == expected


def test_gbt7714_issue_without_a_volume_follows_the_year():
    record = _article(title="题名", authors=["刘某", "王某"], journal="国际问题研究", year=2022, issue="3", pages="15-28+122")
    assert gbt7714(record, "x") == "刘某, 王某. 题名[J]. 国际问题研究, 2022(3): 15-28+122."


def test_a_derived_title_is_never_exported_as_the_title():
    record = _article(title_derived=True)
    assert "title" not in parse_bibtex(bibtex(record, "首句")).entries[0]
    assert "title" not in csl_json(record, "首句")
    assert not any(line.startswith("TI  -") for line in ris(record, "首句").splitlines())
    assert "citation_title" not in dict(highwire(record, "首句"))
    assert csl_json(_article(title="真标题", title_derived=False), "x")["title"] == "真标题"


def test_extracted_keywords_are_not_exported_but_source_ones_are():
    derived = _article(keywords=["提取的词"], keywords_derived=True)
    assert "keywords" not in parse_bibtex(bibtex(derived, "t")).entries[0] and "KW  -" not in ris(derived, "t")
    source = _article(keywords=["上海合作组织"], keywords_derived=False)
    assert "KW  - 上海合作组织" in ris(source, "t").splitlines()


def test_genres_give_their_entry_types_and_affiliations_travel():
    thesis = _article(title="论文", genre="thesis", publisher="华东政法大学", year=2015,
                      authors=[{"name": "赵某", "affiliation": "华东政法大学国际法学院"}])
    entry = parse_bibtex(bibtex(thesis, "t")).entries[0]
    assert entry["ENTRYTYPE"] == "phdthesis" and entry["school"] == "华东政法大学" and entry["author"] == "赵某"
    assert ris(thesis, "t").startswith("TY  - THES\n") and "AD  - 华东政法大学国际法学院" in ris(thesis, "t")
    assert csl_json(thesis, "t")["type"] == "thesis"
    tags = highwire(thesis, "t")
    assert tags.index(("citation_author_institution", "华东政法大学国际法学院")) == tags.index(("citation_author", "赵某")) + 1
    assert ("citation_dissertation_institution", "华东政法大学") in tags
    book = _article(title="书", genre="book", isbn="978-7-5012-3800-1")
    assert parse_bibtex(bibtex(book, "t")).entries[0]["isbn"] == "978-7-5012-3800-1"
    assert csl_json(book, "t")["ISBN"] == "978-7-5012-3800-1"
