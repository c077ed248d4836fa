"""tests/fixtures/search-queries.yaml: the browser tests' query set is well formed, large enough, states
properties rather than record ids, and the build's translation table serves its concept queries."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bibsite.concepts import load_concepts
from bibsite.entities import load_entities, user_words
from bibsite.records import load_all
from search_index.analyze import add_words, analyze
from search_index.expansions import expansions, phrase

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "search-queries.yaml"
PROPERTIES = {"recall", "precision", "all_groups", "crosses", "no_glossary", "zero", "partial", "same_as",
              "marks", "also_searched", "top"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def queries():
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def test_queries_are_well_formed(queries):
    for query in queries:
        assert set(query) <= {"q", "ui", "tier", "exact", "expect"}, query
        assert query["ui"] in ("zh", "en") and query["tier"] in ("concept", "precision"), query
        assert query["expect"] and set(query["expect"]) <= PROPERTIES, query
        same = query["expect"].get("same_as")
        assert same is None or (isinstance(same, str) and same != query["q"]), query
        # Properties, never record ids (ten hexadecimal digits).
        assert not re.search(r"\b[0-9a-f]{10}\b", yaml.safe_dump(query)), query


def test_enough_queries_in_both_directions(queries):
    concept = [q for q in queries if q["tier"] == "concept"]
    to_chinese = [q for q in concept if not HAN.search(q["q"])]
    to_english = [q for q in concept if HAN.search(q["q"])]
    assert len(concept) >= 40 and len(to_chinese) >= 15 and len(to_english) >= 15
    precision = [q for q in queries if q["tier"] == "precision"]
    assert len(precision) >= 20
    assert {"sco", "Sco", "SCO"} <= {q["q"] for q in precision}
    assert any(q["expect"].get("zero") for q in precision)


def test_concept_queries_have_a_translation_where_the_collection_can_answer(queries, tmp_path):
    """Where a record in the other language holds a recall term, the query's words (longest key
    first, as the browser looks them up) expand to something in the index."""
    entities = load_entities(ROOT / "content" / "entities.yaml")
    add_words(user_words(entities))
    texts, vocabulary = [], {"zh": set(), "en": set(), "vi": set()}
    for record in load_all(ROOT / "content", ROOT, tmp_path):
        items = record["text"].items() if isinstance(record["text"], dict) else [(record["language"], record["text"])]
        for lang, text in items:
            vocabulary[lang].update(analyze(text, lang))
            texts.append((lang, text.lower()))
    table = expansions(vocabulary, load_concepts(ROOT / "content" / "concepts.yaml"), entities=entities)
    entity_names = {name.lower() for e in entities for names in e["names"].values() for name in names}
    checked = 0
    for query in (q for q in queries if q["tier"] == "concept"):
        lang = "zh" if HAN.search(query["q"]) else "en"
        other = "en" if lang == "zh" else "zh"
        recall = [term.lower() for term in query["expect"].get("recall", [])]
        if query["q"].lower() in entity_names or not any(l == other and any(t in text for t in recall)
                                                          for l, text in texts):
            continue
        terms, found, i = phrase(query["q"].strip('"'), lang).split(), [], 0
        while i < len(terms):
            end = next((j for j in range(len(terms), i, -1) if " ".join(terms[i:j]) in table), None)
            if end is None:
                i += 1
                continue
            found += [target for target, *_ in table[" ".join(terms[i:end])]]
            i = end
        assert found, query["q"]
        checked += 1
    assert checked >= 25
