"""The search index updated from the last build's state equals the index counted afresh."""
from __future__ import annotations

import random

import pytest

from search_index import build_search_assets
from search_index.builder import analyse_all, compact, count, decode_postings, encode_postings
from search_index.incremental import state, update

VOCABULARY = [f"w{n}" for n in range(60)] + ["安全", "合作", "组织", "上海", "nato", "asean"]


def make_doc(rng: random.Random, number: int, version: int = 0) -> dict:
    text = [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 40))]
    return {
        "id": f"r{number:05d}", "type": "abstract", "lang": "zh", "langs": ["zh"], "title": f"title {number}",
        "blocks": [{"lang": "zh", "text": " ".join(text)}], "url": f"abstracts/r{number:05d}.html",
        "entities": rng.sample(["sco", "china", "russia", "asean"], rng.randint(0, 2)),
        "terms": {"title": [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 4))],
                  "text": dict(zip(text, range(1, 99))) if rng.random() < 0.5 else text,
                  "keywords": [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 6))]},
        "terms_key": f"{number}.{version}",
    }


def updated_and_counted(before: list[dict], after: list[dict]):
    kept = state(before, analyse_all(before), compact(count(analyse_all(before))))
    analysed = analyse_all(after)
    return update(kept, after, analysed), compact(count(analysed))


def test_postings_decode_to_what_was_encoded():
    rng = random.Random(1)
    for _ in range(500):
        fields = [sorted({rng.randrange(100_000): None for _ in range(rng.randint(0, 20))}) for _ in range(4)]
        fields = [[(ordinal, rng.choice((1, 1, 2, 7, 40_000))) for ordinal in field] for field in fields]
        while fields and not fields[-1]:
            fields.pop()
        assert decode_postings(encode_postings(fields))[:len(fields)] == fields


@pytest.mark.parametrize("seed", range(40))
def test_update_equals_a_fresh_count(seed):
    rng = random.Random(seed)
    before = [make_doc(rng, n) for n in range(60)]
    after = [dict(doc) for doc in before]
    for _ in range(rng.randint(1, 4)):  # new records, anywhere (ids keep the order)
        after.append(make_doc(rng, rng.randrange(100_000, 200_000)))
    for doc in rng.sample(after[:60], rng.randint(0, 8)):  # keywords weighed anew
        doc["terms"] = {**doc["terms"], "keywords": [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 6))]}
    if seed % 3 == 0:  # one inserted among the first: every record after it moves
        after.insert(55, make_doc(rng, 99_999))
    updated, counted = updated_and_counted(before, after)
    assert updated is not None, "a few new records and new keywords are updated in place"
    assert updated == counted


def test_a_term_no_record_has_any_more_leaves_the_index():
    rng = random.Random(7)
    before = [make_doc(rng, n) for n in range(30)]
    before[3]["terms"]["keywords"] = ["only-here"]
    after = [dict(doc) for doc in before]
    after[3] = {**after[3], "terms": {**after[3]["terms"], "keywords": ["w1"]}}
    updated, counted = updated_and_counted(before, after)
    assert "only-here" not in updated["terms"] and updated == counted


@pytest.mark.parametrize("change", ["text", "removed", "no key", "most moved"])
def test_what_cannot_be_updated_is_counted_afresh(change):
    rng = random.Random(3)
    before = [make_doc(rng, n) for n in range(40)]
    after = [dict(doc) for doc in before]
    if change == "text":  # its old terms are not kept
        after[5] = make_doc(rng, 5, version=1)
    elif change == "removed":
        del after[5]
    elif change == "no key":
        del after[5]["terms_key"]
    else:
        after.insert(0, make_doc(rng, 99_999))
    updated, _ = updated_and_counted(before, after)
    assert updated is None


def test_assets_from_an_update_are_byte_identical_to_a_fresh_build(tmp_path):
    rng = random.Random(11)
    before = [make_doc(rng, n) for n in range(50)]
    after = before + [make_doc(rng, 500)]
    kept = build_search_assets(before, tmp_path / "before")["state"]
    fresh = build_search_assets(after, tmp_path / "fresh")
    again = build_search_assets(after, tmp_path / "again", previous=kept)
    assert again["updated"] and not fresh["updated"]
    for name in fresh["files"]:
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
