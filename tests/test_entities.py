"""Tests for bibsite/entities.py: the entity table, its validation, and tagging in zh/en/vi."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bibsite import textnorm
from bibsite.entities import display_name, fold, load_entities, tag, user_words
from bibsite.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "content" / "entities.yaml"
SEEDS = ROOT / "seeds" / "abstracts" / "regional-security-abstracts.txt"
GLOSSARY = ROOT / "seeds" / "glossary" / "cica-china-org-cn-vi-zh.txt"


@pytest.fixture(scope="module")
def entities():
    return load_entities(TABLE)


def raw_seed_entries() -> list[str]:
    """The seed abstracts as written: blank-line separated, the trailing link text 相似文献 removed."""
    text = SEEDS.read_text(encoding="utf-8")
    return [re.sub(r"\s*相似文献\s*$", "", e.strip()) for e in re.split(r"\n\s*\n", text) if e.strip()]


def seed_sentence(containing: str) -> str:
    """The raw seed sentence (ended by ". " or 。) holding the given text; fails if the seeds lost it."""
    return _seed_piece(containing, r"(?<=\.)\s|(?<=。)")


def seed_clause(containing: str) -> str:
    """The raw Chinese seed clause (between 。 , . ; and the like) holding the given text."""
    return _seed_piece(containing, r"[。，,.;；:：]")


def _seed_piece(containing, separator):
    for entry in raw_seed_entries():
        for piece in re.split(separator, entry):
            if containing in piece:
                return piece
    raise AssertionError(f"no seed sentence contains {containing!r}")


# --- the table -------------------------------------------------------------------------------

def test_table_has_the_organisations_and_seed_countries(entities):
    by_slug = {e["slug"]: e for e in entities}
    for slug in ("sco", "csto", "cica", "asean", "nato", "eu", "cis", "un"):
        assert by_slug[slug]["kind"] == "organisation"
        assert by_slug[slug]["names"]["zh"] and by_slug[slug]["names"]["en"], slug
    for slug in ("china", "russia", "uzbekistan", "kazakhstan", "kyrgyzstan", "tajikistan", "belarus",
                 "armenia", "afghanistan", "india", "usa", "japan"):
        assert by_slug[slug]["kind"] == "country"
    assert all(set(e) == {"slug", "kind", "names", "joint"} for e in entities)
    assert all(set(e["names"]) == {"zh", "en", "vi"} for e in entities)


def test_first_name_is_the_display_name(entities):
    sco = next(e for e in entities if e["slug"] == "sco")
    assert display_name(sco, "zh") == "上海合作组织"
    assert display_name(sco, "en") == "Shanghai Cooperation Organization"
    assert display_name({"slug": "x", "names": {"zh": [], "en": [], "vi": []}}, "zh") == "x"


def test_every_name_in_the_table_tags_its_own_entity(entities):
    # Table-driven: a maintainer adding a name that the tagger cannot find fails here.
    for entity in entities:
        for lang, names in entity["names"].items():
            for name in names:
                assert entity["slug"] in tag(name, entities), (entity["slug"], lang, name)
                assert entity["slug"] in tag(f"… {name} …", entities), (entity["slug"], lang, name)


def test_vietnamese_names_match_without_diacritics_unless_one_word(entities):
    for entity in entities:
        for name in entity["names"]["vi"]:
            plain = fold(name)
            if plain == name:
                continue
            if len(re.split(r"[\s-]+", name)) > 1:
                assert entity["slug"] in tag(plain, entities), name
                assert entity["slug"] in tag(plain.lower(), entities), name
            else:
                assert entity["slug"] not in tag(plain, entities), name  # Mỹ is not "My"


def test_user_words_are_the_chinese_names_and_segment_whole(entities):
    import jieba

    words = user_words(entities)
    assert "上合组织" in words and "集安组织" in words and "中俄" in words
    assert all(re.search(r"[\u4e00-\u9fff]", w) for w in words)
    assert len(words) == len(set(words))
    tokenizer = jieba.Tokenizer()  # a private one: the global tokenizer belongs to the search index
    for word in words:
        tokenizer.add_word(word)
    assert "集安组织" in list(tokenizer.cut("近年来集安组织军事合作水平日益提高", HMM=False))


# --- tagging real seed sentences -------------------------------------------------------------

def test_pdf_gap_in_shang_he_is_removed_then_tagged(entities):
    raw = seed_clause("上 合组织为协调")
    assert "上 合组织" in raw  # the seed really has the stray space the import removes
    normalised = textnorm.repair_pdf_spaces(raw)
    assert "上合组织为协调中俄" in normalised
    assert tag(normalised, entities) == ["sco", "china", "russia", "central-asia"]  # the clause names 中亚地区
    # The tagger reads words as the search index cuts them, across such gaps, so raw text is tagged too.
    assert tag(raw, entities) == ["sco", "china", "russia", "central-asia"]


def test_british_spelling_organisation(entities):
    sentence = seed_sentence("Shanghai Cooperation Organisation")
    assert tag(sentence.replace("(SCO)", ""), entities) == ["sco", "asean", "central-asia", "southeast-asia"]
    assert tag("the shanghai cooperation organisation", entities) == ["sco"]
    assert tag("Shanghai Cooperation Organization", entities) == ["sco"]


def test_seed_csto_and_cis_in_one_phrase(entities):
    assert tag(textnorm.repair_pdf_spaces(seed_clause("独联体集体安全条约组织")), entities) == ["csto", "cis"]
    members = textnorm.repair_pdf_spaces(seed_sentence("七国总统签署"))  # one Chinese sentence: 。 ends it
    assert {"csto", "cis", "russia", "belarus", "armenia", "kazakhstan", "uzbekistan", "tajikistan",
            "kyrgyzstan"} <= set(tag(members, entities))
    english = seed_sentence("CIS Collective Security Treaty Organization")
    assert tag(english, entities) == ["sco", "csto", "cica", "cis", "eurasia"]


def test_longest_name_wins_and_words_are_whole(entities):
    assert tag("上海合作组织成立以来", entities) == ["sco"]
    assert tag("白俄罗斯总统", entities) == ["belarus"]  # not also Russia
    assert tag("印度尼西亚和印度洋", entities) == ["indonesia"]  # neither India
    assert tag("发展中国家的安全", entities) == []  # 中国 inside 发展中国家 is not China
    assert tag("其中美国的作用", entities) == ["usa"]
    assert tag(textnorm.repair_pdf_spaces(seed_clause("孟加拉湾战略地位")), entities) == ["bay-of-bengal"]  # not Bangladesh


def test_joint_names_tag_every_entity_they_name(entities):
    assert tag(textnorm.repair_pdf_spaces(seed_clause("而且可能加剧俄美")), entities) == ["russia", "usa", "central-asia"]
    assert tag("中俄两国", entities) == ["china", "russia"]


def test_english_acronyms_are_case_and_boundary_exact(entities):
    assert tag(seed_sentence("about Europe's security architecture"), entities) == ["nato", "balkans"]  # Europe is not EU
    assert tag("non-EU states and the EU's", entities) == ["eu"]
    assert tag("an un-cooperative cis-regulatory stance", entities) == []
    assert tag("a UN-led mission", entities) == ["un"]
    assert tag("us and my friends", entities) == []
    assert tag("the U.S. and the US", entities) == ["usa"]


def test_vietnamese_seed_with_and_without_diacritics(entities):
    text = GLOSSARY.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("Hội nghị về Phối hợp"))
    long_name = title.replace("(CICA)", "").strip()
    assert tag(long_name, entities) == ["cica"]
    assert tag(fold(long_name), entities) == ["cica"]
    sentence = next(line for line in text.splitlines() if "Ca-dắc-xtan" in line)
    assert {"kazakhstan", "un", "cica"} <= set(tag(sentence, entities))
    assert "kazakhstan" in tag(fold(sentence), entities)


def test_output_is_in_table_order_whatever_the_text_order(entities):
    order = [e["slug"] for e in entities]
    text = "NATO, ASEAN, 上合, CSTO, Russia, China"
    tags = tag(text, entities)
    assert tags == sorted(tags, key=order.index)
    assert tag("China, Russia, CSTO, 上合, ASEAN, NATO", entities) == tags


# --- validation ------------------------------------------------------------------------------

GOOD = """\
- slug: sco
  kind: organisation
  names:
    zh: [上海合作组织, 上合]
    en: [SCO]
"""


def load_text(tmp_path, text):
    path = tmp_path / "entities.yaml"
    path.write_text(text, encoding="utf-8")
    return load_entities(path)


def error_for(tmp_path, text) -> InputError:
    with pytest.raises(InputError) as info:
        load_text(tmp_path, text)
    error = info.value
    message = str(error)
    assert "\n" not in message and str(tmp_path / "entities.yaml") in message and " — " in message
    return error


def test_minimal_table_loads_with_fixed_keys(tmp_path):
    assert load_text(tmp_path, GOOD) == [{
        "slug": "sco", "kind": "organisation",
        "names": {"zh": ["上海合作组织", "上合"], "en": ["SCO"], "vi": []}, "joint": []}]


def test_names_are_read_as_text_not_yaml_types(tmp_path):
    # Unquoted NO (Norway's code) and 2014 would be a bool and an int to a plain YAML loader.
    entities = load_text(tmp_path, GOOD + "- slug: norway\n  kind: country\n  names:\n    en: [Norway, NO, 2014]\n")
    assert entities[1]["names"]["en"] == ["Norway", "NO", "2014"]


def test_unknown_key_names_its_line_and_suggests(tmp_path):
    error = error_for(tmp_path, GOOD + "  nmaes: {}\n")
    assert error.line == 6 and "did you mean 'names'" in str(error)


def test_unknown_language_is_rejected(tmp_path):
    error = error_for(tmp_path, GOOD + "    ru: [ШОС]\n")
    assert error.line == 6 and "'ru'" in str(error)


def test_missing_slug(tmp_path):
    error = error_for(tmp_path, GOOD + "- kind: country\n  names:\n    en: [Russia]\n")
    assert error.line == 6 and "no slug" in str(error)


def test_missing_names(tmp_path):
    error = error_for(tmp_path, GOOD + "- slug: russia\n  kind: country\n  names:\n    en: []\n")
    assert error.line == 9 and "no names" in str(error)


def test_bad_kind(tmp_path):
    error = error_for(tmp_path, GOOD.replace("organisation", "continent"))
    assert error.line == 2 and "organisation, country" in str(error)


def test_duplicate_slug_names_both_lines(tmp_path):
    error = error_for(tmp_path, GOOD + GOOD.replace("上海合作组织, 上合", "上海公约").replace("[SCO]", "[Shanghai]"))
    assert error.line == 6 and "first on line 1" in str(error)


def test_name_claimed_by_two_entities(tmp_path):
    other = "- slug: sco-bis\n  kind: organisation\n  names:\n    vi: [Tổ chức]\n    en: [sco]\n"
    error = error_for(tmp_path, GOOD + other)
    assert error.line == 10 and "'sco'" in str(error) and "already a name of 'sco'" in str(error)


def test_joint_name_listed_under_one_entity_only(tmp_path):
    error = error_for(tmp_path, GOOD + "  joint: [中俄]\n")
    assert error.line == 6 and "中俄" in str(error) and "every entity it names" in str(error)


def test_yaml_syntax_error_has_line(tmp_path):
    error = error_for(tmp_path, GOOD + "- slug: [unclosed\n")
    assert error.line is not None and error.line >= 6


def test_table_must_be_a_list(tmp_path):
    error = error_for(tmp_path, "slug: sco\n")
    assert "list of entities" in str(error)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_entities(tmp_path / "nope.yaml")


# --- regions and country pairs (issue 14) ----------------------------------------------------

@pytest.mark.parametrize("containing,expected,never", [
    ("南海地区不仅具有重要的战略地位", ["south-china-sea"], ["china"]),
    ("特别是马六甲海峡", ["strait-of-malacca"], ["china"]),
    ("中俄作为中亚地区的两大邻国", ["china", "russia", "central-asia"], []),
    ("阿富汗问题对中亚安全构成了直接威胁", ["afghanistan", "central-asia"], ["china"]),
    ("an emergent force in Central Asia", ["sco", "central-asia"], []),
    ("the 2004 tsunami in Southeast Asia", ["japan", "southeast-asia"], []),
    ("随着孟加拉湾战略地位的日益凸显", ["bay-of-bengal"], ["bangladesh"]),
])
def test_regions_tag_in_seed_sentences(entities, containing, expected, never):
    sentence = seed_sentence(containing)
    found = tag(sentence, entities)
    assert set(expected) <= set(found), (sentence, found)
    assert not set(never) & set(found), (sentence, found)


@pytest.mark.parametrize("text,expected", [
    ("South China Sea piracy", ["south-china-sea"]),
    ("piracy in the south china sea and the Strait of Malacca", ["south-china-sea", "strait-of-malacca"]),
    ("China and the South China Sea", ["china", "south-china-sea"]),
    ("中亚国家与上合组织", ["sco", "central-asia"]),
    ("中亚", ["central-asia"]),
    ("南中国海的航道安全", ["south-china-sea"]),
])
def test_longest_name_first_never_tags_the_country_inside_a_region(entities, text, expected):
    assert sorted(tag(text, entities)) == sorted(expected)


@pytest.mark.parametrize("text,expected", [
    ("中俄两国在上合组织框架内合作", {"china", "russia", "sco"}),
    ("俄美关系持续紧张", {"russia", "usa"}),
    ("中美战略竞争", {"china", "usa"}),
    ("中印边境冲突", {"china", "india"}),
    ("印巴冲突", {"india", "pakistan"}),
])
def test_country_pairs_tag_both_countries(entities, text, expected):
    assert set(tag(text, entities)) == expected


def test_every_region_is_in_the_table(entities):
    regions = {e["slug"] for e in entities if e["kind"] == "region"}
    assert {"south-china-sea", "central-asia", "strait-of-malacca"} <= regions
