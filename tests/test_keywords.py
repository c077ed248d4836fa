"""Tests for bibsite/keywords.py: extracted keywords in zh/en/vi, and the maintainer's field winning."""
from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from bibsite import textnorm
from bibsite.entities import load_entities, user_words
from bibsite.keywords import EN_STOP, _ChineseTest, corpus_stats, keywords, record_keywords

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "abstracts" / "regional-security-abstracts.txt"
GLOSSARY = ROOT / "seeds" / "glossary" / "cica-china-org-cn-vi-zh.txt"


def seed_records() -> list[dict]:
    """The seed abstracts as minimal schema records, plus the CICA glossary entry (vi and zh text)."""
    text = SEEDS.read_text(encoding="utf-8")
    entries = [textnorm.repair_pdf_spaces(re.sub(r"\s*相似文献\s*$", "", e.strip())) for e in re.split(r"\n\s*\n", text) if e.strip()]
    records = [{"id": f"{i:010x}", "type": "abstract", "text": entry,
                "language": "zh" if re.search(r"[\u4e00-\u9fff]", entry) else "en"} for i, entry in enumerate(entries)]
    glossary = GLOSSARY.read_text(encoding="utf-8")
    vi = glossary[glossary.index("Tháng 10"):glossary.index("亚信会议")].strip()
    zh = glossary[glossary.index("1992年10月"):].strip()
    records.append({"id": "cica", "type": "glossary", "term": {"zh": "亚信会议"}, "text": {"zh": zh, "vi": vi}})
    return records


@pytest.fixture(scope="module")
def records():
    return seed_records()


@pytest.fixture(scope="module")
def stats(records):
    return corpus_stats(records, user_words(load_entities(ROOT / "content" / "entities.yaml")))


def by_start(records, start):
    return next(r for r in records if isinstance(r["text"], str) and r["text"].startswith(start))


def test_stats_count_documents_per_language(records, stats):
    assert stats["zh"]["docs"] == 14 and stats["en"]["docs"] == 7 and stats["vi"]["docs"] == 1
    assert stats["en"]["df"]["collective security"] >= 2
    assert list(stats["en"]["df"]) == sorted(stats["en"]["df"])  # deterministic order


def test_chinese_keywords_use_entity_words_and_skip_numbers(records, stats):
    record = by_start(records, "2012年6月28日")
    words = keywords(record["text"], "zh", stats)
    assert 1 <= len(words) <= 6
    assert "集安组织" in words and "乌兹别克斯坦" in words  # whole names, thanks to the user words
    assert not any(re.fullmatch(r"[\d.年月日]+", w) for w in words)
    assert keywords(record["text"], "zh", stats) == words


def test_corpus_rarity_pushes_down_words_every_record_uses(stats, records):
    # 安全 is in nearly every Chinese seed; the corpus factor must rank it below the record's own topic.
    record = by_start(records, "南海地区")
    words = keywords(record["text"], "zh", stats)
    assert "海盗" in words
    assert "安全" not in words[:2]


def test_english_phrases_win_over_their_words(records, stats):
    record = by_start(records, "NATO's entry")
    words = keywords(record["text"], "en", stats)
    assert "collective security" in words and "collective defense" in words
    assert "NATO" in words  # acronyms keep their case; the possessive is dropped
    for phrase in [w for w in words if " " in w]:
        for word in phrase.split():
            assert word not in words  # "collective security" already says "security"
    assert not any(w.lower() in EN_STOP for w in words)


def test_english_phrase_seen_once_is_not_a_keyword():
    text = "Water security matters. Energy policy and water security and energy policy shape the region."
    words = keywords(text, "en", None, count=10)
    assert "water security" in words and "energy policy" in words
    assert "security matter" not in words and "policy shape" not in words


def test_corpus_idf_changes_the_ranking():
    common = "security. " * 3
    corpus = [{"id": str(i), "type": "abstract", "language": "en", "text": f"{common} topic{i} region"}
              for i in range(6)]
    target = {"id": "t", "type": "abstract", "language": "en", "text": common + "pipeline pipeline region"}
    stats = corpus_stats(corpus + [target])
    ranked = keywords(target["text"], "en", stats)
    assert ranked.index("pipeline") < ranked.index("security")
    assert keywords(target["text"], "en", None)[0] == "security"  # without a corpus, frequency decides


def test_vietnamese_phrases_and_acronyms(records, stats):
    glossary = records[-1]
    words = keywords(glossary["text"]["vi"], "vi", stats)
    assert "an ninh" in words and "CICA" in words
    assert all(len(w.split()) >= 2 or w.isupper() for w in words)


def test_maintainer_keywords_win(records, stats):
    record = dict(by_start(records, "NATO's entry"), keywords=["alliances", "Balkans"])
    assert record_keywords(record, stats) == ["alliances", "Balkans"]
    record.pop("keywords")
    assert record_keywords(record, stats) == keywords(record["text"], "en", stats)


def test_glossary_keywords_cover_each_language(records, stats):
    words = record_keywords(records[-1], stats)
    assert any(re.search(r"[\u4e00-\u9fff]", w) for w in words)
    assert "an ninh" in words
    assert len(words) == len(set(words))


def every_tag_scored(tags, weights, n, df, count):
    """Chinese keywords the long way: keep the tags that may be keywords, score them all, sort, then pick
    greedily (no pruning)."""
    def idf(d):
        return math.log((1 + n) / (1 + d)) + 1 if n else 1.0
    accepts = _ChineseTest("", frozenset()).accepts
    ranked = sorted((-round(w * idf(df.get(t, 0)), 9), p, t) for p, (t, w) in enumerate(zip(tags, weights))
                    if accepts(t))
    chosen = []
    for _, _, tag in ranked:
        han = re.search(r"[\u4e00-\u9fff]", tag)
        if any((tag in other or other in tag) if han else tag == other for other in chosen):
            continue
        chosen.append(tag)
        if len(chosen) == count:
            break
    return chosen


@pytest.mark.parametrize("seed", range(4))
def test_chinese_keywords_scoring_only_some_tags_equal_scoring_them_all(seed):
    # keywords() stops scoring tags once no later (lighter) tag can enter the list. Random tags with
    # shared substrings (安全, 安全合作), tied weights, and words missing from the corpus (they score
    # exactly the bound) must give what scoring every tag gives.
    rng = random.Random(seed)
    syllables = "安全合作组织上海中国亚信会议南海"  # many of their pairs and runs are words: 安全, 合作, 上海
    for _ in range(250):
        words = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(0, 60))]
        tags = list(dict.fromkeys(words + rng.sample(["SCO", "CICA", "ASEAN"], rng.randint(0, 2))))
        weights = sorted((rng.choice([0.05, 0.1, 0.2]) if rng.random() < 0.3 else rng.random() / 4 for _ in tags),
                         reverse=True)
        n = rng.choice([0, 1, 30, 3000])
        df = {t: rng.randint(1, max(n, 1)) for t in tags if rng.random() < 0.8}
        count = rng.choice([1, 3, 6, 6, 0])
        found = keywords("", "zh", {"zh": {"docs": n, "df": df}}, count, {"tags": [tags, weights]})
        assert found == every_tag_scored(tags, weights, n, df, count)


# --- keywords a reader can follow (issue 14) ---------------------------------------------------

def containing(records, piece):
    return next(r for r in records if isinstance(r["text"], str) and piece in r["text"])


@pytest.mark.parametrize("piece,never", [
    ("总体上将有利于", "上将"),        # a mis-cut: 总体上 + 将, not "general"
    ("影晌", "影晌"),                  # the source's typo for 影响: no dictionary word
    ("要维护南海地区的安全", "维护"),  # a generic verb
    ("发挥了积极作用", "发挥"),
    ("深入开展军事合作", "深入开展"),  # a set phrase, not a noun
])
def test_chinese_keywords_are_nouns_of_the_dictionary(records, stats, piece, never):
    record = containing(records, piece)
    words = keywords(record["text"], "zh", stats)
    assert never not in words, words
    assert len(words) == 6  # others take their place


@pytest.mark.parametrize("piece,never", [
    ("has achieved fruitful security cooperation", {"achieved", "fruitful"}),
    ("contemporary political landscape", {"contemporary", "landscape"}),
])
def test_english_keywords_are_no_generic_verbs_or_adjectives(records, stats, piece, never):
    record = containing(records, piece)
    words = keywords(record["text"], "en", stats)
    assert not never & set(words), words
    assert "SCO" in words  # acronyms stay


def test_no_keyword_is_a_piece_of_a_longer_domain_word(stats):
    text = ("中俄共建冰上丝绸之路。冰上丝绸之路连接北极航道与欧洲港口，冰上丝绸之路的航道安全"
            "需要沿岸国家合作，北极航道的开发也带来新的安全问题。")
    words = keywords(text, "zh", stats)
    assert "冰上" not in words and "冰上丝绸之路" in words, words  # a word of the domain dictionary
    # A domain word the tokenizer does not know (the concept glossary's) still makes its pieces fragments.
    text = "数字丝绸之路建设提速。数字丝绸之路推动沿线国家的网络基础设施合作，数字丝绸之路也带来网络安全问题。"
    assert "数字" in keywords(text, "zh", stats)
    assert "数字" not in keywords(text, "zh", {**stats, "domain_words": ["数字丝绸之路"]})


def test_the_nouns_stay(records, stats):
    assert {"海盗", "航道", "海峡"} <= set(keywords(containing(records, "海盗与恐怖分子")["text"], "zh", stats))
    assert "security cooperation" in keywords(containing(records, "fruitful security")["text"], "en", stats)
