"""Importing seeds/metadata/: each rule on small collections, then the fixtures built end to end."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from bibsite import citefiles, importer, records, textnorm
from bibsite.metadata import merge
from conftest import copy_project, run_build
from test_search_support import read_assets

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "metadata"
TEXT_A = "上海合作组织是欧亚地区重要的多边安全组织,在传统安全威胁并未消失的形势下,上合还要面对全球化进程带来的新挑战。"
TEXT_B = "The Association of Southeast Asian Nations is an established player in Southeast Asia, while the SCO is emergent."
TRUNCATED = "阿富汗与中亚有着非常密切的历史文化联系,同时阿富汗问题对中亚安全构成了直接威胁.随着2021年美国仓促撤军..."
WHOLE = "阿富汗与中亚有着非常密切的历史文化联系，同时阿富汗问题对中亚安全构成了直接威胁。随着2021年美国仓促撤军，塔利班重新夺取政权。"


def record(text: str, **fields) -> dict:
    """Return an abstract record as content/ holds it."""
    rid = textnorm.record_id(text)
    return {"id": rid, "type": "abstract", "language": textnorm.detect_language(text),
            "truncated": textnorm.is_truncated(text), "text": text, "path": f"content/abstracts/{rid}.yaml", **fields}


def ris_entry(abstract: str | None, title: str = "一个标题", **tags) -> str:
    """Return one RIS entry with an abstract (or none), a title, two authors and the tags given."""
    lines = ["TY  - JOUR", f"TI  - {title}", "AU  - 刘某", "AU  - 王某", "T2  - 国际问题研究", "PY  - 2014"]
    lines += [f"{tag}  - {value}" for tag, value in tags.items()]
    if abstract is not None:
        lines.append(f"AB  - {abstract}")
    return "\n".join(lines + ["ER  - ", ""])


def plan(tmp_path: Path, collection: list[dict], *entries: str) -> dict:
    folder = tmp_path / "seeds" / "metadata"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "export.ris").write_text("\n".join(entries), encoding="utf-8")
    return importer.plan_metadata(tmp_path / "seeds", collection, tmp_path, "2026-12-04")


def test_same_text_after_normalising_fills_the_empty_fields(tmp_path):
    existing = record(TEXT_A)
    # Full-width punctuation, a PDF line-break space and another width of digits: the same abstract.
    written = TEXT_A.replace(",", "，").replace("多边安全", "多边 安全").replace("。", "。 ")
    result = plan(tmp_path, [existing], ris_entry(written, DO="10.1000/xyz", KW="上合组织"))
    assert result["matched"] == 1 and not result["new"] and not result["ambiguous"]
    [updated] = result["updated"]
    assert updated["id"] == existing["id"] and updated["text"] == TEXT_A  # the record keeps its own text
    assert updated["title"] == "一个标题" and updated["authors"] == ["刘某", "王某"] and updated["year"] == 2014
    assert updated["journal"] == "国际问题研究" and updated["doi"] == "10.1000/xyz" and updated["keywords"] == ["上合组织"]


def test_a_maintainers_field_is_never_overwritten(tmp_path):
    existing = record(TEXT_A, title="维护者的标题", authors=["赵某"], year=2011)
    result = plan(tmp_path, [existing], ris_entry(TEXT_A, VL="7"))
    [updated] = result["updated"]
    assert updated["title"] == "维护者的标题" and updated["authors"] == ["赵某"] and updated["year"] == 2011
    assert updated["volume"] == "7" and updated["journal"] == "国际问题研究"  # only what it lacked


def test_a_truncated_record_is_completed_and_no_longer_truncated(tmp_path):
    existing = record(TRUNCATED)
    assert existing["truncated"]
    result = plan(tmp_path, [existing], ris_entry(WHOLE), ris_entry(WHOLE.replace("，", ","), title="其他"))
    assert result["matched"] == 2 and not result["new"] and not result["ambiguous"]
    [updated] = result["updated"]
    assert updated["id"] == existing["id"] and updated["text"] == WHOLE and updated["truncated"] is False
    assert updated["title"] == "一个标题"  # the first export's, the second one's not taken over it


def test_an_abstract_not_in_the_collection_becomes_one_new_record(tmp_path):
    result = plan(tmp_path, [record(TEXT_A)], ris_entry(TEXT_B, title="An English title"),
                  ris_entry(TEXT_B.replace(",", "，"), title="Another export of it"))
    [new] = result["new"]
    assert new["text"] == TEXT_B and new["id"] == textnorm.record_id(TEXT_B) and new["language"] == "en"
    assert new["title"] == "An English title" and new["source_file"] == "seeds/metadata/export.ris"
    assert new["source_line"] == 1 and new["added"] == "2026-12-04"
    assert result["matched"] == 1 and not result["updated"]  # the second export met the new record


def test_an_entry_without_an_abstract_is_skipped(tmp_path):
    result = plan(tmp_path, [record(TEXT_A)], ris_entry(TEXT_A), ris_entry(None, title="只有标题"))
    assert result["skipped"] == ["seeds/metadata/export.ris:10"] and result["matched"] == 1


def test_two_candidate_records_are_ambiguous_and_left_alone(tmp_path):
    one, other = record(TEXT_A), record(TEXT_A.replace(",", "，"))  # one text written two ways
    result = plan(tmp_path, [one, other], ris_entry(TEXT_A))
    assert not result["updated"] and not result["new"] and result["matched"] == 0
    [note] = result["ambiguous"]
    assert note.startswith("seeds/metadata/export.ris:1 ") and one["path"] in note and other["path"] in note


def test_a_near_identical_text_is_ambiguous_not_new(tmp_path):
    existing = record(TEXT_A)
    result = plan(tmp_path, [existing], ris_entry(TEXT_A.replace("重要的", "重大的")))
    assert not result["new"] and not result["updated"]
    [note] = result["ambiguous"]
    assert "nearly" in note and existing["path"] in note


def test_two_truncated_records_beginning_alike_are_ambiguous(tmp_path):
    short = record(TRUNCATED)
    shorter = record(TRUNCATED.replace("随着2021年美国仓促撤军...", "随着2021年..."))
    result = plan(tmp_path, [short, shorter], ris_entry(WHOLE))
    assert len(result["ambiguous"]) == 1 and not result["updated"]


def test_an_english_abstract_beside_the_chinese_one_fills_abstract_en(tmp_path):
    existing = record(TEXT_A)
    folder = tmp_path / "seeds" / "metadata"
    folder.mkdir(parents=True)
    (folder / "ne.txt").write_text(f"{{Reference Type}}: Journal Article\n{{Title}}: 标题\n"
                                   f"{{Translated Title}}: A Title\n{{Abstract}}: {TEXT_A}\n"
                                   f"{{Translated Abstract}}: {TEXT_B}\n", encoding="utf-8")
    result = importer.plan_metadata(tmp_path / "seeds", [existing], tmp_path, "2026-12-04")
    [updated] = result["updated"]
    assert updated["abstract_en"] == TEXT_B and updated["title_en"] == "A Title" and updated["title"] == "标题"


def test_match_key_ignores_only_form():
    assert merge.match_key("上 合组织，２０２１年 “安全”。") == merge.match_key('上合组织,2021年"安全".')
    assert merge.match_key("上合组织的安全") != merge.match_key("上合组织的发展")


# --- end to end: the fixtures dropped into a copy of the project --------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("metadata") / "project")
    before = {p.name: p.read_bytes() for p in (project / "content" / "abstracts").glob("*.yaml")}
    # A maintainer's own title on one record the exports also describe.
    own = project / "content" / "abstracts" / "620d4506a9.yaml"
    data = yaml.safe_load(own.read_text(encoding="utf-8"))
    data["title"] = "维护者写的标题"
    data["abstract_en"] = "In June 2012 Uzbekistan suspended its membership of the CSTO again."
    own.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for path in FIXTURES.iterdir():
        shutil.copy2(path, project / "seeds" / "metadata" / path.name)
    first = run_build(project)
    content = {p.name: p.read_bytes() for p in (project / "content" / "abstracts").glob("*.yaml")}
    return {"project": project, "before": before, "first": first, "content": content}


def load(project: Path, rid: str) -> dict:
    return records.load(project / "content" / "abstracts" / f"{rid}.yaml")


def test_both_abstracts_shown_english_first_in_the_english_interface(imported):
    site = imported["project"] / "site"
    for lang, first in (("zh", 'lang="zh-Hans"'), ("en", 'lang="en"')):
        html = (site / lang / "abstracts" / "620d4506a9.html").read_text(encoding="utf-8")
        blocks = [part.split(">", 1)[0] for part in html.split('<div class="record-text" ')[1:]]
        assert len(blocks) == 2 and blocks[0] == first, (lang, blocks)
        assert "In June 2012 Uzbekistan suspended" in html and "乌兹别克斯坦再次暂停" in html


def test_build_reports_one_summary_line_then_each_skipped_entry(imported):
    out = imported["first"].stdout.splitlines()
    summary = [line for line in out if line.startswith("metadata:")]
    assert summary == ["metadata: 30 matched, 1 new, 6 skipped (no abstract), 0 ambiguous"]
    skipped = [line for line in out if line.startswith("  skipped (no abstract):")]
    assert "  skipped (no abstract): seeds/metadata/cnki-endnote.txt:78" in skipped and len(skipped) == 6


def test_fields_land_on_the_right_records(imported):
    project = imported["project"]
    energy = load(project, "00ef1ce6b0")
    assert energy["title"] == "上海合作组织框架下的中俄中亚能源合作"
    assert energy["title_en"].startswith("Sino-Russian Energy Cooperation")
    assert energy["authors"][0] == {"name": "刘某", "affiliation": "北京大学国际关系学院"}
    assert (energy["year"], energy["journal"], energy["issue"], energy["pages"]) == (2013, "俄罗斯东欧中亚研究", "4", "45-53")
    assert energy["clc"] == "D822.351.2" and energy["fund"].startswith("国家社会科学基金") and energy["genre"] == "article"
    afghan = load(project, "4dfe848ff0")
    assert afghan["truncated"] is False and afghan["text"].endswith("共同维护地区的和平与稳定.")
    english = load(project, "3a45c56c51")
    assert english["authors"][0]["name"] == "Smith, Jane A." and english["volume"] == "12"
    assert load(project, "620d4506a9")["title"] == "维护者写的标题"  # the maintainer's, not the exports'
    untouched = [name for name, data in imported["before"].items()
                 if name not in ("00ef1ce6b0.yaml", "4dfe848ff0.yaml", "3a45c56c51.yaml", "620d4506a9.yaml")]
    assert all(imported["content"][name] == imported["before"][name] for name in untouched)
    new = [name for name in imported["content"] if name not in imported["before"]]
    assert len(new) == 1 and load(project, new[0][:-5])["genre"] == "thesis"


def test_running_again_changes_nothing(imported):
    project = imported["project"]
    (project / "content" / "site.yaml").touch()
    (project / "templates" / "base.html").write_text((project / "templates" / "base.html").read_text() + "\n")
    again = run_build(project)
    assert "metadata: 31 matched, 0 new, 6 skipped (no abstract), 0 ambiguous" in again.stdout
    assert "seed entry is gone" not in again.stdout
    assert {p.name: p.read_bytes() for p in (project / "content" / "abstracts").glob("*.yaml")} == imported["content"]


def test_pages_records_json_and_citations_carry_the_fields(imported):
    site = imported["project"] / "site"
    zh = (site / "zh" / "abstracts" / "00ef1ce6b0.html").read_text(encoding="utf-8")
    en = (site / "en" / "abstracts" / "00ef1ce6b0.html").read_text(encoding="utf-8")
    for html in (zh, en):
        assert "刘某" in html and "北京大学国际关系学院" in html and "D822.351.2" in html and "国家社会科学基金" in html
        assert 'href="https://doi.org/10.3969/j.issn.1009-721X.2013.04.006"' in html
        assert '<meta name="citation_author_institution" content="北京大学国际关系学院">' in html
    assert '<h1 id="record-title" lang="en">Sino-Russian Energy Cooperation' in en
    assert '<h1 id="record-title" lang="zh-Hans">上海合作组织框架下的中俄中亚能源合作' in zh
    assert "刘某, 王某. 上海合作组织框架下的中俄中亚能源合作[J/OL]. 俄罗斯东欧中亚研究, 2013(4): 45-53." in zh
    assert 'class="notice truncated"' not in (site / "zh" / "abstracts" / "4dfe848ff0.html").read_text(encoding="utf-8")
    data = json.loads((site / "data" / "records.json").read_text(encoding="utf-8"))
    rows = {row["id"]: row for row in data}
    assert rows["00ef1ce6b0"]["authors"] == ["刘某", "王某"] and rows["00ef1ce6b0"]["year"] == 2013
    assert rows["00ef1ce6b0"]["affiliations"][0] == "北京大学国际关系学院"
    assert rows["00ef1ce6b0"]["keywords"] == ["上海合作组织", "中俄关系", "中亚", "能源合作"]
    bib = (site / "data" / "bibliography.bib").read_text(encoding="utf-8")
    assert "author = {刘某 and 王某}" in bib and "doi = {10.3969/j.issn.1009-721X.2013.04.006}" in bib


def test_the_site_index_carries_every_records_facets_and_sort_keys(imported):
    """The search index of the imported site: pipeline.search_docs' facets and sort keys reach the facet and sort files, record by record."""
    site_dir = imported["project"] / "site"
    root, records = read_assets(site_dir / "assets" / "search")
    published = {r["id"]: r for r in json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))}
    # "cite" is no facet: each record's export script and id, for the search page's export (FORMAT.md)
    assert set(root["facets"]) == {"author", "journal", "language", "org", "year", "cite"}
    assert "year" in root["sorts"] and "added" in root["sorts"]
    parts = root["parts"]

    def values(facet: str, ordinal: int) -> list[str]:
        column = parts[f"facet-{facet}"]
        return [column["values"][v] for v in column["rows"][ordinal]]

    dated = with_journal = 0
    for ordinal, shown in enumerate(records):
        record = published[shown["id"]]
        assert values("language", ordinal) == [record["main_language"]]
        assert values("year", ordinal) == ([str(record["year"])] if record.get("year") else [])
        assert values("journal", ordinal) == ([record["journal"]] if record.get("journal") else [])
        assert values("author", ordinal) == list(dict.fromkeys(record.get("authors", [])))
        assert set(values("org", ordinal)) <= set(record.get("entities", []))
        assert values("cite", ordinal) == [citefiles.script_path(record["id"]) + "#" + record["id"]]
        assert parts["sort-year"][ordinal] == record.get("year")
        assert parts["sort-added"][ordinal] == record.get("added")
        dated += bool(record.get("year"))
        with_journal += bool(record.get("journal"))
    assert dated and with_journal and any(parts["facet-org"]["rows"])


def test_a_malformed_export_stops_the_build_with_one_line_and_changes_nothing(tmp_path):
    project = copy_project(tmp_path / "project")
    shutil.copy2(FIXTURES / "zotero.ris", project / "seeds" / "metadata" / "a-good.ris")
    (project / "seeds" / "metadata" / "b-bad.ris").write_text("TY  - JOUR\nTI  - 标题\nAB  - 摘要\n", encoding="utf-8")
    before = {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).digest()
              for p in (project / "content").rglob("*") if p.is_file()}
    failed = run_build(project, check=False)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stderr.strip() == ("error: seeds/metadata/b-bad.ris:1: the entry starting at line 1 has no ER line "
                                     "— end every entry with a line 'ER - '")
    after = {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).digest()
             for p in (project / "content").rglob("*") if p.is_file()}
    assert after == before and not (project / "site").exists()


def test_a_value_the_schema_refuses_is_reported_at_its_export_entry(tmp_path):
    with pytest.raises(importer.InputError) as caught:
        plan(tmp_path, [record(TEXT_A)], ris_entry(TEXT_B), ris_entry(TEXT_A, UR="ftp://example.org/x"))
    assert caught.value.one_line().startswith("seeds/metadata/export.ris:10: the entry here gives a record whose "
                                              "field 'url' is 'ftp://example.org/x' — only http")


def test_a_cut_off_export_matches_without_changing_the_text(tmp_path):
    whole = record(WHOLE)
    result = plan(tmp_path, [whole], ris_entry(WHOLE[:40] + "..."))
    assert result["matched"] == 1 and not result["new"] and result["updated"][0]["text"] == WHOLE
    cut = record(TRUNCATED)
    result = plan(tmp_path, [cut], ris_entry(TRUNCATED.rstrip(".")))  # the same cut text, without its ...
    assert result["matched"] == 1 and result["updated"][0]["text"] == TRUNCATED and result["updated"][0]["truncated"]
