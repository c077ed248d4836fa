"""The browser half run in node over the seed index: queries, syntax, ranking, entity expansion, speed-ups."""
from __future__ import annotations

import pytest

from test_search_support import ODD_QUERIES, QUERY_CASES, node, seed_assets, seed_records  # noqa: F401

SEARCH = """
const engine = BibEngine.createEngine(loadAssets(input.assets));
const getDoc = o => self.__BIB_DOCS__[Math.floor(o / self.__BIB_INDEX__.shard_size)][o % self.__BIB_INDEX__.shard_size];
return input.queries.map(q => {
  const r = engine.search(q.query, Object.assign({getDoc}, q.options || {}));
  return {ids: r.results.map(x => x.record.id), literal: r.results.map(x => x.literal), expanded: r.expanded};
});
"""


@pytest.fixture(scope="module")
def case_results(seed_assets):
    return node(SEARCH, {"assets": str(seed_assets), "queries": [{"query": c["query"]} for c in QUERY_CASES]})


@pytest.mark.parametrize("case", QUERY_CASES, ids=[c["query"] for c in QUERY_CASES])
def test_query_finds_the_records_its_text_promises(case, case_results, seed_records):
    got = set(case_results[QUERY_CASES.index(case)]["ids"])
    must = case["must"](seed_records)
    assert must, f"{case['query']!r}: the corpus has no record to find; the case proves nothing"
    assert must <= got, f"{case['query']!r} missed {sorted(must - got)}"
    if case["allowed"]:
        allowed = case["allowed"](seed_records)
        assert got <= allowed, f"{case['query']!r} also returned {sorted(got - allowed)}"


def test_odd_syntax_never_throws(seed_assets):
    out = node(SEARCH, {"assets": str(seed_assets), "queries": [{"query": q} for q in ODD_QUERIES]})
    assert len(out) == len(ODD_QUERIES)


def test_whole_query_ranks_above_part_of_it(seed_assets, seed_records):
    from test_search_support import has_word

    both = has_word(seed_records, r"\bregional\b") & has_word(seed_records, r"\borgani[sz]ations?\b")
    either = has_word(seed_records, r"\bregional\b") | has_word(seed_records, r"\borgani[sz]ations?\b")
    assert both and either - both, "the corpus must hold records with both words and with one"
    ids = node(SEARCH, {"assets": str(seed_assets), "queries": [{"query": "regional organizations"}]})[0]["ids"]
    assert set(ids[:len(both)]) == both


def test_entity_expansion_literal_first_and_exact_turns_it_off(seed_assets, seed_records):
    from test_search_support import containing, has_word

    literal = has_word(seed_records, r"\bsco\b")
    other = containing(seed_records, "上海合作组织") - literal
    assert literal and other
    expanded, exact = node(SEARCH, {"assets": str(seed_assets), "queries": [
        {"query": "SCO"}, {"query": "SCO", "options": {"exact": True}}]})
    assert other <= set(expanded["ids"]), "a query for SCO must also find records that say 上海合作组织"
    assert set(expanded["ids"][:len(literal)]) == literal, "records with the literal query text rank first"
    assert "上海合作组织" in expanded["expanded"]
    assert set(exact["ids"]) == literal and exact["expanded"] == []


def test_traditional_entity_name_expands_too(seed_assets, seed_records):
    from test_search_support import containing

    out = node(SEARCH, {"assets": str(seed_assets), "queries": [{"query": "集安組織"}]})[0]
    assert containing(seed_records, "集体安全条约组织") <= set(out["ids"])
    assert "CSTO" in out["expanded"]


def test_filters_by_type_and_language(seed_assets, seed_records):
    out = node(SEARCH, {"assets": str(seed_assets), "queries": [
        {"query": "亚信会议", "options": {"type": "glossary"}},
        {"query": "亚信会议", "options": {"type": "abstract"}},
        {"query": "security", "options": {"lang": "zh"}}]})
    kinds = {r["id"]: r for r in seed_records}
    assert out[0]["ids"] and all(kinds[i]["type"] == "glossary" for i in out[0]["ids"])
    assert all(kinds[i]["type"] == "abstract" for i in out[1]["ids"])
    assert all("zh" in kinds[i]["langs"] for i in out[2]["ids"])


def test_fast_intersect_and_dot_give_lunr_results(seed_assets):
    """Our TokenSet.intersect and Vector.dot overrides must return what lunr's own do."""
    body = """
    const engine = BibEngine.createEngine(loadAssets(input.assets));
    const idx = engine.index;
    const terms = self.__BIB_INDEX__.terms;
    const patterns = terms.filter((_, i) => i % 7 === 0).concat(["上海*", "*组织", "secur*", "*tion", "s*y", "*", "zzz", "安全"]);
    const run = () => patterns.map(p => JSON.stringify(idx.query(q => q.term(p, {usePipeline: false}))
        .map(r => [r.ref, r.score, Object.keys(r.matchData.metadata).sort()])));
    const fast = run();
    lunr.TokenSet.prototype.intersect = BibEngine.originalIntersect;
    lunr.Vector.prototype.dot = BibEngine.originalDot;
    const slow = run();
    lunr.TokenSet.prototype.intersect = BibEngine.fastIntersect;
    lunr.Vector.prototype.dot = BibEngine.fastDot;
    return {n: patterns.length, differ: patterns.filter((p, i) => fast[i] !== slow[i]), nonEmpty: fast.filter(f => f !== "[]").length};
    """
    out = node(body, {"assets": str(seed_assets)})
    assert out["differ"] == []
    assert out["nonEmpty"] > out["n"] // 2


def test_segmentation_keeps_index_words_whole_and_cuts_phrases(seed_assets):
    body = """
    const engine = BibEngine.createEngine(loadAssets(input.assets));
    return input.runs.map(r => engine.planner.segment(r));
    """
    out = node(body, {"assets": str(seed_assets), "runs": ["上海合作组织", "中亚地区安全", "集安组织决策程序"]})
    assert out[0] == ["上海合作组织"]
    assert "".join(out[1]) == "中亚地区安全" and len(out[1]) >= 2
    assert out[2][0] == "集安组织"


def test_highlight_maps_terms_back_to_original_text(seed_assets):
    body = """
    const engine = BibEngine.createEngine(loadAssets(input.assets));
    return input.cases.map(c => BibHighlight.ranges(engine.analyzer, c[0], new Set(c[1])).map(r => c[0].slice(r[0], r[1])));
    """
    out = node(body, {"assets": str(seed_assets), "cases": [
        ["Regional Organisations and NATO's role", ["region", "organ", "nato"]],
        ["上 合组织与上海合作組織", ["上合组织", "上海合作组织"]],
        ["Hội nghị về an ninh", ["hoi", "nghi"]]]})
    assert out[0] == ["Regional", "Organisations", "NATO"]
    assert out[1] == ["上 合组织", "上海合作組織"]
    assert out[2] == ["Hội", "nghị"]
