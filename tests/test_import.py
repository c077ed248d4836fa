"""The import stage end to end: new seeds become records and pages; existing records are never touched."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from bibsite import corpus, importer, records, textnorm
from conftest import copy_project, run_build

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HANDWRITTEN = FIXTURES / "record-handwritten.yaml"
SEED = "seeds/abstracts/regional-security-abstracts.txt"

APPENDED_EN = "Appended abstract: maritime security cooperation in the Bay of Bengal has grown since 2015 (BIMSTEC)."
NEW_ZH_RAW = "新文件中的摘要:上 合组织在中亚的反恐合作.这一合作不断深化。"
NEW_ZH = "新文件中的摘要:上合组织在中亚的反恐合作.这一合作不断深化。"
NEW_VI = "Bài viết mới về hợp tác an ninh của các nước Đông Nam Á được đưa vào từ một tệp mới."


def hashes(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def seed_blocks(path: Path) -> list[tuple[int, str]]:
    return [(line, "\n".join(lines)) for line, lines in corpus.split_entries(path.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Make every kind of change a maintainer makes to a project copy, build, and build again."""
    project = copy_project(tmp_path_factory.mktemp("import") / "project")  # content/ holds the seeds' records
    seed = project / SEED
    blocks = seed_blocks(seed)
    ids = {textnorm.record_id(corpus.clean_entry(b.split("\n"))): (line, b) for line, b in blocks}
    abstract_ids = sorted(ids)
    edited_id, orphan_id = abstract_ids[0], abstract_ids[1]

    # A maintainer's edit: a title and a corrected text.
    edited = project / "content" / "abstracts" / f"{edited_id}.yaml"
    record = yaml.safe_load(edited.read_text(encoding="utf-8"))
    record["title"] = "A maintainer's own title"
    record["text"] = record["text"] + " (edited by the maintainer)"
    edited.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")

    # An entry removed from the seed file, two added at its end (one a duplicate of its first), one empty.
    kept = [b for line, b in blocks if line != ids[orphan_id][0]]
    first_text = blocks[0][1]
    appended = kept + [APPENDED_EN + "  相似文献", first_text, "  相似文献  "]
    seed.write_text("\n\n".join(appended) + "\n", encoding="utf-8")
    duplicate_line = sum(b.count("\n") + 2 for b in appended[:-2]) + 1
    empty_line = duplicate_line + first_text.count("\n") + 2

    # A new seed file, and a record written by hand.
    (project / "seeds" / "abstracts" / "added-later.txt").write_text(
        f"{NEW_ZH_RAW}  相似文献\n\n{NEW_VI}  相似文献\n", encoding="utf-8")
    hand = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8"))
    shutil.copy(HANDWRITTEN, project / "content" / "abstracts" / f"{hand['id']}.yaml")

    before = hashes(project / "content")
    first = run_build(project)
    after_first = hashes(project / "content")
    second = run_build(project)
    after_second = hashes(project / "content")
    return {
        "project": project, "edited_id": edited_id, "orphan_id": orphan_id, "hand": hand,
        "duplicate_line": duplicate_line, "empty_line": empty_line, "first_line": blocks[0][0],
        "before": before, "first": first, "after_first": after_first, "second": second, "after_second": after_second,
        "new_ids": {textnorm.record_id(t): t for t in (APPENDED_EN, NEW_ZH, NEW_VI)},
    }


def test_new_entries_in_a_seed_file_and_a_new_file_are_imported(scenario):
    project = scenario["project"]
    added = set(scenario["after_first"]) - set(scenario["before"])
    assert added == {f"abstracts/{i}.yaml" for i in scenario["new_ids"]}
    assert "import: 3 new, 1 duplicates skipped" in scenario["first"].stdout
    for record_id, text in scenario["new_ids"].items():
        record = records.load(project / "content" / "abstracts" / f"{record_id}.yaml")
        assert record["text"] == text
        assert record["type"] == "abstract" and record["added"]
        assert record["language"] == textnorm.detect_language(text)
        assert record["source_file"].startswith("seeds/abstracts/")
    vi = records.load(project / "content" / "abstracts" / f"{textnorm.record_id(NEW_VI)}.yaml")
    assert (vi["language"], vi["source_file"], vi["source_line"]) == ("vi", "seeds/abstracts/added-later.txt", 3)


def test_new_records_get_pages_in_both_ui_languages_after_one_build(scenario):
    site = scenario["project"] / "site"
    published = {r["id"]: r for r in json.loads((site / "data" / "records.json").read_text(encoding="utf-8"))}
    for record_id, text in {**scenario["new_ids"], scenario["hand"]["id"]: scenario["hand"]["text"]}.items():
        for lang in ("zh", "en"):
            page = site / lang / "abstracts" / f"{record_id}.html"
            assert page.exists(), page
            assert text.split()[0][:8] in page.read_text(encoding="utf-8")
            assert f"abstracts/{record_id}.html" in (site / lang / "browse.html").read_text(encoding="utf-8")
        assert record_id in published


def test_an_existing_record_is_never_overwritten(scenario):
    edited = f"abstracts/{scenario['edited_id']}.yaml"
    assert scenario["after_first"][edited] == scenario["before"][edited]
    for lang in ("zh", "en"):
        page = (scenario["project"] / "site" / lang / "abstracts" / f"{scenario['edited_id']}.html").read_text(encoding="utf-8")
        assert "A maintainer&#39;s own title" in page or "A maintainer's own title" in page
        assert "(edited by the maintainer)" in page


def test_no_existing_file_in_content_changed(scenario):
    unchanged = {k: v for k, v in scenario["after_first"].items() if k in scenario["before"]}
    assert unchanged == scenario["before"]


def test_rerunning_changes_nothing(scenario):
    assert scenario["after_second"] == scenario["after_first"]
    assert "import: 0 new" in scenario["second"].stdout


def test_a_record_whose_seed_entry_is_gone_is_kept_and_listed(scenario):
    orphan = f"content/abstracts/{scenario['orphan_id']}.yaml"
    assert f"abstracts/{scenario['orphan_id']}.yaml" in scenario["after_first"]
    assert f"kept, but its seed entry is gone: {orphan}" in scenario["first"].stdout
    assert f"kept, but its seed entry is gone: {orphan}" in scenario["second"].stdout
    assert (scenario["project"] / "site" / "en" / "abstracts" / f"{scenario['orphan_id']}.html").exists()
    # Hand-written and edited records are not orphans: they have no seed entry to lose, or still have it.
    assert scenario["hand"]["id"] not in scenario["first"].stdout
    assert f"gone: content/abstracts/{scenario['edited_id']}" not in scenario["first"].stdout


def test_duplicates_are_reported_with_file_and_line(scenario):
    line = f"  duplicate skipped: {SEED}:{scenario['duplicate_line']} (same text as {SEED}:{scenario['first_line']})"
    assert line in scenario["first"].stdout.splitlines()


def test_the_empty_entry_is_skipped_with_a_warning_naming_file_and_line(scenario):
    assert f"warning: {SEED}:{scenario['empty_line']}: empty entry skipped" in scenario["first"].stderr


def test_a_hand_written_record_is_published_like_an_imported_one(scenario):
    project, hand = scenario["project"], scenario["hand"]
    assert scenario["after_first"][f"abstracts/{hand['id']}.yaml"] == scenario["before"][f"abstracts/{hand['id']}.yaml"]
    page = (project / "site" / "en" / "abstracts" / f"{hand['id']}.html").read_text(encoding="utf-8")
    assert hand["title"] in page
    assert 'href="https://example.org/articles/bay-of-bengal?lang=en&amp;x=1"' in page
    published = next(r for r in json.loads((project / "site" / "data" / "records.json").read_text(encoding="utf-8"))
                     if r["id"] == hand["id"])
    assert published["title"] == hand["title"] and published["year"] == hand["year"]
    assert published["text"] == hand["text"].strip()


def test_import_function_never_overwrites_and_lists_orphans(tmp_path):
    seeds, content = tmp_path / "seeds", tmp_path / "content"
    (seeds / "abstracts").mkdir(parents=True)
    (seeds / "glossary").mkdir()
    (seeds / "abstracts" / "a.txt").write_text("First abstract text.  相似文献\n\nSecond abstract text.  相似文献\n",
                                               encoding="utf-8")
    result = importer.import_seeds(seeds, content, [], tmp_path, lambda m: None)
    assert len(result["new"]) == 2 and result["orphans"] == []
    assert not content.exists()  # the import writes nothing: the build's publish step does
    for record in result["new"]:  # as publish would
        records.write_atomic(content / "abstracts" / f"{record['id']}.yaml", records.dump(record))
    path = content / "abstracts" / f"{textnorm.record_id('First abstract text.')}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("First abstract text.", "First abstract, edited."),
                    encoding="utf-8")
    edited = path.read_bytes()
    (seeds / "abstracts" / "a.txt").write_text("First abstract text.  相似文献\n", encoding="utf-8")
    existing = records.load_all(content, tmp_path)
    result = importer.import_seeds(seeds, content, existing, tmp_path, lambda m: None)
    assert result["new"] == [] and result["unchanged"] == 1
    assert result["orphans"] == [f"content/abstracts/{textnorm.record_id('Second abstract text.')}.yaml"]
    assert path.read_bytes() == edited


# --- the cache of derived seed entries: the same candidates, duplicates and warnings as reading afresh ----------

QUIRKY_SEED = ("上 合组织在中亚.这一合作…  相似文献\n\n相似文献\n\n"
               "An English abstract about the CSTO...   相似文献 相似文献\n\n"
               "上 合组织在中亚.这一合作…  相似文献\n")


def read_with(seeds: Path, root: Path, cache_dir: Path) -> tuple:
    warnings = []
    candidates, duplicates = importer.read_seeds(seeds, root, warnings.append, cache_dir)
    return candidates, duplicates, warnings


def test_read_seeds_with_a_warm_cache_equals_reading_afresh(tmp_path):
    seeds = tmp_path / "seeds"
    (seeds / "abstracts").mkdir(parents=True)
    seed = seeds / "abstracts" / "a.txt"
    seed.write_text(QUIRKY_SEED, encoding="utf-8")
    cache = tmp_path / ".cache"
    first = read_with(seeds, tmp_path, cache)
    assert (cache / "seed-entries.cache").is_file()
    assert read_with(seeds, tmp_path, cache) == first == read_with(seeds, tmp_path, tmp_path / "empty")
    assert len(first[0]) == 2 and len(first[1]) == 1 and len(first[2]) == 1
    seed.write_text(QUIRKY_SEED.replace("CSTO...", "CSTO"), encoding="utf-8")  # an edited entry is derived anew
    edited = read_with(seeds, tmp_path, cache)
    assert edited == read_with(seeds, tmp_path, tmp_path / "empty-too")
    assert [c["truncated"] for c in edited[0]] == [True, False]


def test_a_corrupt_seed_cache_is_not_trusted(tmp_path):
    seeds = tmp_path / "seeds"
    (seeds / "abstracts").mkdir(parents=True)
    (seeds / "abstracts" / "a.txt").write_text(QUIRKY_SEED, encoding="utf-8")
    cache = tmp_path / ".cache"
    expected = read_with(seeds, tmp_path, cache)
    stored = cache / "seed-entries.cache"
    data = bytearray(stored.read_bytes())
    data[-10] ^= 0x01
    stored.write_bytes(bytes(data))
    assert read_with(seeds, tmp_path, cache) == expected
