"""Tests for bibsite/similar.py: similar-record lists over the seeds and synthetic corpora.

Run as a script to time a synthetic corpus: python -m tests.test_similar 5000
"""
from __future__ import annotations

import bisect
import itertools
import math
import random
import re
import sys
import time
from pathlib import Path

import pytest

from bibsite import similar as similar_module
from bibsite import textnorm
from bibsite.entities import load_entities, tag
from bibsite.similar import similar

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "abstracts" / "regional-security-abstracts.txt"
HAN = re.compile(r"[\u4e00-\u9fff]")


def tokenize(text: str, lang: str) -> list[str]:
    """Stand-in for search_index.analyze: jieba search-mode for Chinese, lower-case words otherwise."""
    if lang == "zh":
        import jieba

        return [t for t in jieba.cut_for_search(text) if t.strip() and re.search(r"\w", t)]
    return re.findall(r"[a-z0-9]+", text.lower())


def seed_records(tokenizer=tokenize):
    """Return (terms, entities, language) dicts keyed by a made-up id, one per seed abstract."""
    entities = load_entities(ROOT / "content" / "entities.yaml")
    text = SEEDS.read_text(encoding="utf-8")
    entries = [textnorm.repair_pdf_spaces(re.sub(r"\s*相似文献\s*$", "", e.strip())) for e in re.split(r"\n\s*\n", text) if e.strip()]
    terms, tags, langs = {}, {}, {}
    for number, entry in enumerate(entries):
        record_id = f"{number:04d}seed"
        langs[record_id] = "zh" if HAN.search(entry) else "en"
        terms[record_id] = tokenizer(entry, langs[record_id])
        tags[record_id] = tag(entry, entities)
    return terms, tags, langs


def synthetic(n: int, seed: int = 1, vocab: int = 20000, length: int = 150):
    """Return (terms, entities) for n records: Zipf-distributed words, 50 topics, 0-3 of 30 entities."""
    rng = random.Random(seed)
    cumulative = list(itertools.accumulate(1 / (rank ** 1.07) for rank in range(1, vocab + 1)))
    terms, entities = {}, {}
    for i in range(n):
        record_id = f"{i:010x}"
        topic = rng.randrange(50)
        words = [f"w{bisect.bisect(cumulative, rng.random() * cumulative[-1])}" for _ in range(length)]
        words += [f"t{topic}-{rng.randrange(30)}" for _ in range(20)]
        terms[record_id] = words
        entities[record_id] = rng.sample([f"e{j}" for j in range(30)], rng.randrange(4))
    return terms, entities


def check_lists(result, ids, k):
    """Properties every result must have, whatever the input."""
    assert set(result) == set(ids)
    for record_id, others in result.items():
        assert record_id not in others
        assert len(others) <= k
        assert len(set(others)) == len(others)
        assert set(others) <= set(ids)


# --- seeds -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds():
    return seed_records()


def test_seed_lists_are_stable_and_never_list_the_record_itself(seeds):
    terms, tags, _ = seeds
    first = similar(terms, tags)
    check_lists(first, terms, 5)
    assert similar(terms, tags) == first
    # Input order must not matter: the build may read files in any order.
    shuffled = list(terms)
    random.Random(7).shuffle(shuffled)
    assert similar({i: terms[i] for i in shuffled}, {i: tags[i] for i in reversed(shuffled)}) == first
    assert sum(len(v) == 5 for v in first.values()) >= len(first) - 2  # the seeds are closely related


def test_english_sco_abstract_finds_chinese_sco_abstracts_through_entities(seeds):
    terms, tags, langs = seeds
    english_sco = [i for i in terms if langs[i] == "en" and tags[i] == ["sco", "china", "russia"]]
    assert len(english_sco) == 1
    with_entities = similar(terms, tags)[english_sco[0]]
    assert any(langs[o] == "zh" and "sco" in tags[o] for o in with_entities)
    # Without entities the two languages share no term, so the bridge is the entity feature.
    without = similar(terms, {})[english_sco[0]]
    assert all(langs[o] == "en" for o in without)


def test_k_limits_and_zero_k(seeds):
    terms, tags, _ = seeds
    check_lists(similar(terms, tags, k=2), terms, 2)
    assert all(v == [] for v in similar(terms, tags, k=0).values())


# --- exact behaviour -------------------------------------------------------------------------

def test_ties_go_to_the_lower_id_and_unrelated_records_are_not_listed():
    terms = {"c": ["x", "y"], "a": ["x", "y"], "b": ["x", "y"], "d": ["x", "y"], "z": ["q"], "e": []}
    result = similar(terms, {}, k=2)
    assert result["c"] == ["a", "b"]
    assert result["a"] == ["b", "c"]
    assert result["z"] == [] and result["e"] == []


def test_entity_only_similarity_has_the_documented_score():
    # Two records sharing one entity and no term: cosine = w² / (1 + w²).
    terms = {"en1": ["alpha"], "zh1": ["贝塔"], "en2": ["alpha"]}
    entities = {"en1": ["sco"], "zh1": ["sco"], "en2": []}
    assert similar(terms, entities)["en1"] == ["en2", "zh1"]  # term cosine 1.0/√2 beats 0.5
    assert similar(terms, entities, entity_weight=2.0)["en1"] == ["zh1", "en2"]  # 0.8 beats 1/√5


def reference(terms, entities, k, weight):
    """Brute-force O(n²) cosine over full vectors: what similar() computes, without its shortcuts."""
    ids = sorted(terms)
    n = len(ids)
    df = {}
    for i in ids:
        for t in set(terms[i]):
            df[t] = df.get(t, 0) + 1
    edf = {}
    for i in ids:
        for e in set(entities.get(i, [])):
            edf[e] = edf.get(e, 0) + 1

    def unit(v):
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {key: x / norm for key, x in v.items()} if norm else {}

    vectors = {}
    for i in ids:
        counts = {t: terms[i].count(t) for t in set(terms[i])}
        tv = unit({t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in counts.items()})
        ev = unit({e: math.log((1 + n) / (1 + edf[e])) + 1 for e in set(entities.get(i, []))})
        v = {("t", t): x for t, x in tv.items()}
        v.update({("e", e): x * weight for e, x in ev.items()})
        vectors[i] = unit(v)
    out = {}
    for i in ids:
        scored = []
        for j in ids:
            s = round(sum(x * vectors[j].get(key, 0.0) for key, x in vectors[i].items()), 9)
            if j != i and s > 0:
                scored.append((-s, j))
        out[i] = [j for _, j in sorted(scored)[:k]]
    return out


@pytest.mark.parametrize("weight", [0.5, 1.0, 2.0])
def test_matches_brute_force_cosine_when_nothing_is_pruned(monkeypatch, weight):
    monkeypatch.setattr(similar_module, "MAX_TERMS", 10**6)
    monkeypatch.setattr(similar_module, "MAX_DF", 1.0)
    rng = random.Random(int(weight * 10))
    terms = {f"r{i:03d}": [f"w{rng.randrange(40)}" for _ in range(rng.randrange(0, 12))] for i in range(80)}
    entities = {i: rng.sample(["sco", "csto", "china", "russia"], rng.randrange(3)) for i in terms}
    assert similar(terms, entities, k=5, entity_weight=weight) == reference(terms, entities, 5, weight)


def test_synthetic_corpus_properties_and_stability():
    terms, entities = synthetic(600, seed=3)
    first = similar(terms, entities)
    check_lists(first, terms, 5)
    assert similar(dict(reversed(list(terms.items()))), entities) == first
    assert sum(len(v) == 5 for v in first.values()) > 590


def main(n: int) -> None:
    terms, entities = synthetic(n)
    start = time.perf_counter()
    result = similar(terms, entities)
    elapsed = time.perf_counter() - start
    check_lists(result, terms, 5)
    print(f"similar(): {n} synthetic records in {elapsed:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)


@pytest.mark.parametrize("seed", range(3))
def test_entity_matches_found_nearby_equal_ranking_every_group(monkeypatch, seed):
    """Entity-only matches are looked for among the sets one step from a record's own, then among the
    groups that share its rarer entities; either way the lists must be the all-pairs ones. Few words and
    many entity sets make both paths run."""
    monkeypatch.setattr(similar_module, "MAX_TERMS", 10**6)
    monkeypatch.setattr(similar_module, "MAX_DF", 1.0)
    pools = []
    pool_above = similar_module._EntityRanking._pool_above
    monkeypatch.setattr(similar_module._EntityRanking, "_pool_above",
                        lambda self, g, floor: pools.append(floor) or pool_above(self, g, floor))
    rng = random.Random(seed)
    slugs = [f"e{j:02d}" for j in range(14)]
    terms = {f"r{i:03d}": [f"w{rng.randrange(300)}" for _ in range(rng.randrange(0, 4))] for i in range(260)}
    entities = {i: rng.sample(slugs, rng.choice([0, 1, 2, 3, 3, 4, 5, 7])) for i in terms}
    for weight in (0.7, 1.0):
        assert similar(terms, entities, k=5, entity_weight=weight) == reference(terms, entities, 5, weight)
    assert any(floor > 0 for floor in pools) and any(floor == 0 for floor in pools)  # both fallbacks ran
