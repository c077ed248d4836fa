"""The concept translation table (search_index/expansions.py) from the real CC-CEDICT and the glossary."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bibsite.concepts import load_concepts
from bibsite.entities import load_entities
from bibsite.errors import InputError
from search_index import dictionary as cedict
from search_index.analyze import analyze
from search_index.expansions import ENTITY_WEIGHT, GENERIC, expansions, phrase
from search_index.expansions import vocabulary as expansions_vocabulary

ROOT = Path(__file__).resolve().parent.parent

# Chinese word = its English translation, both as a reader would type them. The dictionary alone must
# link each pair both ways; the compounds are not dictionary words and are translated from their parts.
WORDS = """多边=multilateral 主权=sovereignty 莫斯科=Moscow 机制=mechanism 互信=mutual_trust 反恐=anti-terrorism
总统=president 恐怖主义=terrorism 外交=diplomacy 边境=border 能源=energy 海盗=pirate 冲突=conflict 制裁=sanctions
条约=treaty 协议=agreement 谈判=negotiation 贸易=trade 投资=investment 战略=strategy 地缘政治=geopolitics
全球化=globalization 一体化=integration 治理=governance 霸权=hegemony 核武器=nuclear_weapons 裁军=disarmament
难民=refugee 走私=smuggling 领土=territory 石油=petroleum 天然气=natural_gas 管道=pipeline 基础设施=infrastructure
宗教=religion 民主=democracy 选举=election 撤军=withdraw_troops 峰会=summit_meeting 灾害=disaster 风险=risk
海峡=strait 恐怖分子=terrorist 极端主义=extremism 分裂主义=separatism 塔利班=Taliban 政权=regime 地区=region
挑战=challenge 演习=exercise 海啸=tsunami 地震=earthquake 维和=peacekeeping"""
COMPOUNDS = """多边机制=multilateral_mechanism 地区稳定=regional_stability 安全合作=security_cooperation
能源安全=energy_security 反恐合作=anti-terrorism_cooperation 边境安全=border_security 公共产品=public_goods
灾害风险管理=disaster_risk_management 经济合作=economic_cooperation 军事合作=military_cooperation"""


def pairs(text):
    return [tuple(p.replace("_", " ").split("=")) for p in text.split()]


def vocabulary_of(pairs_, extra_zh=(), extra_en=()):
    return {"zh": [z for z, _ in pairs_] + list(extra_zh),
            "en": sorted({t for _, e in pairs_ for t in analyze(e, "en")} | set(extra_en))}


def targets(table, key):
    return [target for target, *_ in table.get(key, [])]


@pytest.fixture(scope="module")
def word_table():
    all_pairs = pairs(WORDS) + pairs(COMPOUNDS)
    return expansions(vocabulary_of(all_pairs))


@pytest.mark.parametrize("zh,en", pairs(WORDS) + pairs(COMPOUNDS))
def test_dictionary_links_both_ways(word_table, zh, en):
    key = phrase(en, "en")
    assert key in targets(word_table, zh), (zh, word_table.get(zh))
    assert zh in targets(word_table, key), (key, word_table.get(key))


def test_at_least_forty_pairs():
    assert len(pairs(WORDS) + pairs(COMPOUNDS)) >= 40


def test_compounds_are_not_dictionary_words():
    # Otherwise the compound test above would test the dictionary, not translation from parts.
    table = cedict.dictionary()
    assert [zh for zh, _ in pairs(COMPOUNDS) if zh in table] == []


def test_english_phrase_keys_are_whole_phrases(word_table):
    # "multilateral mechanism" is one key (the browser matches the longest first), not two words.
    assert targets(word_table, "multilater mechan") == ["多边机制"]
    assert "多边机制" not in targets(word_table, "mechan")


# --- the glossary --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def concepts():
    return load_concepts(ROOT / "content" / "concepts.yaml")


def test_glossary_concepts_link_every_name(concepts):
    vocabulary = {lang: sorted({t for c in concepts for n in c[lang] for t in phrase(n, lang).split()})
                  for lang in ("zh", "en", "vi")}
    table = expansions(vocabulary, concepts)
    checked = 0
    for concept in concepts:
        for zh in concept["zh"]:
            for en in concept["en"]:
                assert phrase(en, "en") in targets(table, phrase(zh, "zh")), (zh, en)
                assert phrase(zh, "zh") in targets(table, phrase(en, "en")), (en, zh)
                checked += 1
    assert checked >= 40


@pytest.mark.parametrize("en,zh", [("multilateral", "多边"), ("summit", "峰会"), ("withdrawal", "撤军"),
                                   ("sovereignty", "主权"), ("public goods", "公共产品"),
                                   ("multilateral mechanism", "多边机制"), ("regional stability", "地区稳定"),
                                   ("collective security", "集体安全"), ("counter-terrorism", "反恐"),
                                   ("confidence-building measures", "建立信任措施"),
                                   ("non-traditional security", "非传统安全"), ("Belt and Road", "一带一路")])
def test_issue_examples(concepts, en, zh):
    vocabulary = {"zh": phrase(zh, "zh").split(), "en": analyze(en, "en")}
    table = expansions(vocabulary, concepts)
    assert phrase(zh, "zh") in targets(table, phrase(en, "en"))
    assert phrase(en, "en") in targets(table, phrase(zh, "zh"))


def test_glossary_wins_over_dictionary():
    vocabulary = {"zh": ["机制"], "en": ["mechan", "system"]}
    assert targets(expansions(vocabulary), "机制") == ["mechan"]
    table = expansions(vocabulary, [{"zh": ["机制"], "en": ["system"], "vi": []}])
    assert targets(table, "机制") == ["system"]
    assert targets(table, "system") == ["机制"]


# --- what is dropped -----------------------------------------------------------------------------

def test_only_targets_in_the_index():
    assert targets(expansions({"zh": ["撤军"], "en": ["moscow"]}), "撤军") == []
    assert targets(expansions({"zh": ["撤军"], "en": ["withdraw", "troop"]}), "撤军") == ["withdraw troop"]
    # An English key needs no English record, but its Chinese target must be in the index.
    assert targets(expansions({"zh": [], "en": []}), "withdraw troop") == []


def test_stop_like_glosses_are_dropped():
    words = ["是", "个", "的", "了", "一个", "一些", "这个", "因为", "但是", "自己", "所以", "虽然", "如果"]
    en = sorted({t for w in words for sense in cedict.dictionary().get(w, []) for g in sense
                 for t in analyze(g, "en")})
    assert en, "the dictionary glosses these words"
    table = expansions({"zh": words, "en": en})
    assert {w: table[w] for w in words if w in table} == {}
    for key in ("be", "thing", "on", "one"):
        assert analyze(key, "en") == [] or analyze(key, "en")[0] not in table


@pytest.mark.parametrize("raw,proper,expected", [
    ("CL:個|个[ge4]", False, []),
    ("variant of 個|个[ge4]", False, []),
    ("old variant of 爲|为[wei4]", False, []),
    ("see also 南海區|南海区[Nan2 hai3 Qu1]", False, []),
    ("used in 自個兒|自个儿[zi4 ge3 r5]", False, []),
    ("surname Li", True, []),
    ("(literary) to go to", False, []),
    ("(classifier used before a noun that has no specific classifier)", False, []),
    ("to withdraw troops", False, ["withdraw troops"]),
    ("safe; secure", False, ["safe", "secure"]),
    ("Moscow, capital of Russia", True, ["Moscow"]),
    ("region; area (informal or geographical term)", False, ["region", "area"]),
])
def test_clean_sense(raw, proper, expected):
    assert cedict.clean_sense(raw, proper) == expected


def test_parse_line_reads_both_scripts():
    line = "機制 机制 [ji1 zhi4] /mechanism/CL:個|个[ge4]/\n"
    assert cedict.parse_line(line) == ("機制", "机制", "ji1 zhi4", ["mechanism", "CL:個|个[ge4]"])
    assert cedict.parse_line("# CC-CEDICT\n") is None


def test_dictionary_keys_are_simplified():
    table = cedict.dictionary()
    assert "机制" in table and "機制" not in table
    assert table["机制"][0] == ["mechanism"]  # 機制 before 機製 "machine-made"


def test_weights_stay_below_entity_names(word_table):
    weights = [w for row in word_table.values() for _, w, *_ in row]
    assert weights and all(0 < w < ENTITY_WEIGHT for w in weights)
    assert all(len(row) <= 3 for key, row in word_table.items())


def test_no_target_is_generic(word_table):
    for row in word_table.values():
        for target, *_ in row:
            assert target and not all(t in GENERIC for t in target.split())


def test_entity_names_are_left_to_the_entity_expansion():
    entities = load_entities(ROOT / "content" / "entities.yaml")
    table = expansions({"zh": ["阿富汗", "中俄"], "en": ["afghanistan", "china", "russia"]}, entities=entities)
    assert "阿富汗" not in table and "afghanistan" not in table and "中俄" not in table


def test_output_is_deterministic():
    all_pairs = pairs(WORDS) + pairs(COMPOUNDS)
    vocabulary = vocabulary_of(all_pairs)
    reversed_vocabulary = {lang: list(reversed(terms)) for lang, terms in vocabulary.items()}
    one = json.dumps(expansions(vocabulary), ensure_ascii=False)
    assert one == json.dumps(expansions(reversed_vocabulary), ensure_ascii=False)
    assert list(json.loads(one)) == sorted(json.loads(one))


def test_seed_collection_table_is_small(concepts, tmp_path):
    from bibsite.records import load_all

    vocabulary: dict[str, set] = {"zh": set(), "en": set(), "vi": set()}
    for record in load_all(ROOT / "content", ROOT, tmp_path):
        texts = record["text"].items() if isinstance(record["text"], dict) else [(record["language"], record["text"])]
        for lang, text in texts:
            vocabulary[lang].update(analyze(text, lang))
    table = expansions(vocabulary, concepts, entities=load_entities(ROOT / "content" / "entities.yaml"))
    raw = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()
    assert 100 < len(gzip.compress(raw)) < 30_000  # the seed site is 0.8 MB: a few per cent of it
    for key, row in table.items():
        for target, *_ in row:
            lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in target) else None
            assert all(t in (vocabulary["zh"] if lang else vocabulary["en"] | vocabulary["vi"])
                       for t in target.split()), (key, target)


# --- content/concepts.yaml errors ----------------------------------------------------------------

@pytest.mark.parametrize("text,line,words", [
    ("- zh: [多边]\n  eng: [multilateral]\n", 2, "did you mean 'en'"),
    ("- zh: [多边]\n", 1, "fewer than two languages"),
    ("- zh: [multilateral]\n  en: [multilateral]\n", 1, "not in the script"),
    ("- zh: [多边]\n  en: [多边]\n", 2, "not in the script"),
    ("- zh: [多边]\n  en: [multilateral]\n- zh: [多边]\n  en: [many-sided]\n", 3, "already in the concept on line 1"),
    ("- zh: [多边\n", None, "malformed YAML"),
    ("zh: 多边\n", 1, "should be a list of concepts"),
    ("- zh: {a: b}\n  en: [x]\n", 1, "should be a list of names"),
])
def test_broken_glossary_is_one_line_error(tmp_path, text, line, words):
    path = tmp_path / "concepts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_concepts(path)
    message = caught.value.one_line()
    assert "\n" not in message and words in message and " — " in message
    assert message.startswith(f"{path}:{line}:" if line else f"{path}:")


def test_missing_glossary_is_empty(tmp_path):
    assert load_concepts(tmp_path / "concepts.yaml") == []


def test_vocabulary_sorts_terms_by_script_and_counts_texts():
    texts = [(["zh"], ["多边", "多边", "sco"]), (["en"], ["multilater", "sco"]), (["zh", "vi"], ["多边", "da", "phuong"])]
    assert expansions_vocabulary(texts) == {"en": {"multilater": 1, "sco": 1}, "vi": {"da": 1, "phuong": 1},
                                            "zh": {"多边": 2}}


def test_chinese_names_of_the_glossary_are_domain_words(concepts):
    from bibsite.concepts import chinese_names

    names = chinese_names(concepts)
    assert "冰上丝绸之路" in names and "多边机制" in names and len(names) == len(set(names))


# --- in the build (bibsite/pipeline.py) --------------------------------------------------------

def test_pipeline_table_comes_from_the_records_texts_and_the_concepts():
    from bibsite import pipeline

    weighed = [{"id": "a", "languages": ["zh"]}, {"id": "b", "languages": ["en"]}, {"id": "c", "languages": ["en"]}]
    analyses = {"a": {"text": {"机制": 2, "撤军": 1}}, "b": {"text": {"system": 1, "mechan": 1}},
                "c": {"text": {"system": 3}}}
    concept = [{"zh": ["机制"], "en": ["system"], "vi": []}]
    table = pipeline.expansions_table(weighed, analyses, concept, [])
    assert targets(table, "机制") == ["system"]  # the concept, over the dictionary's mechan
    assert targets(table, "撤军") == []  # no English record says withdraw troops
    assert targets(pipeline.expansions_table(weighed, analyses, [], []), "机制") == ["mechan"]
    # min_count: 机制 is in one text only, so the dictionary does not translate it at 2
    assert "机制" not in pipeline.expansions_table(weighed, analyses, [], [], min_count=2)


def test_an_english_word_prefers_the_chinese_words_it_mainly_means():
    # 活力 is "energy; vitality; vigor; vital force": energy is a quarter of it, all of 精力 and half of 能源
    dictionary = {"活力": [["energy"], ["vitality"], ["vigor"], ["vital force"]],
                  "能源": [["energy sources", "energy"]], "精力": [["energy"]],
                  "治理": [["govern"], ["administer"], ["manage"], ["control"]]}
    vocabulary = {"zh": {"活力": 9, "能源": 3, "精力": 1, "治理": 2},
                  "en": {"energi": 5, "sourc": 1, "vital": 1, "vigor": 1, "govern": 1}}
    table = expansions(vocabulary, dictionary=dictionary)
    assert sorted(targets(table, "energi")) == ["精力", "能源"], table.get("energi")
    assert targets(table, "活力")[0] == "energi", "Chinese to English keeps the word's first sense"
    # with no word that mainly means it, a word's first gloss still finds it
    assert targets(table, "govern") == ["治理"], table.get("govern")
