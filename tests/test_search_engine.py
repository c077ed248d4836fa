"""The browser half run in node over the seed index: queries, syntax, ranking, entity expansion, speed-ups."""
from __future__ import annotations

from pathlib import Path

import pytest

from test_search_support import ODD_QUERIES, QUERY_CASES, node, seed_assets, seed_records  # noqa: F401

SEARCH = """
const engine = BibEngine.createEngine(loadAssets(input.assets));
return input.queries.map(q => {
  const r = engine.search(q.query, q.options || {});
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


def test_the_engine_leaves_lunr_as_shipped():
    """engine.js uses lunr through its API: loading it replaces no method of any lunr prototype."""
    body = """
    for (const k of Object.keys(require.cache)) if (/lunr|engine\\.js|query\\.js|analyze\\.js/.test(k)) delete require.cache[k];
    const fresh = require(path.join(input.root, "node_modules", "lunr"));
    const snapshot = [];
    for (const name of Object.keys(fresh)) {
      const proto = fresh[name] && fresh[name].prototype;
      if (proto) for (const k of Object.getOwnPropertyNames(proto)) snapshot.push([name, k, proto[k]]);
    }
    require(path.join(input.root, "search_index", "js", "engine.js"));
    return {methods: snapshot.length, changed: snapshot.filter(([n, k, f]) => fresh[n].prototype[k] !== f).map(([n, k]) => n + "." + k)};
    """
    out = node(body, {"root": str(Path(__file__).resolve().parent.parent)})
    assert out["methods"] > 50 and out["changed"] == []


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


# Random clause lists over the vocabulary (some twice, some wildcards, boosts as query.js gives
# them) plus a few broad wildcards; run by the page's scorer and by a real lunr.Index.
EQUIVALENCE = r"""
const data = loadAssets(input.assets);
const store = BibEngine.createStore(data);
const idx = BibEngine.buildIndex(store);
const scorer = BibEngine.createScorer(store);
const terms = Array.from({length: store.count}, (_, t) => store.term(t));
let seed = 12345;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const cut = (t, a, b) => Array.from(t).slice(a, b).join("");
const queries = input.extra.slice();
for (let i = 0; i < input.count; i++) {
  const specs = [];
  for (let j = 0, k = 1 + Math.floor(rand() * 6); j < k; j++) {
    const t = terms[Math.floor(rand() * terms.length)], r = rand(), n = Array.from(t).length;
    const [term, wildcard] = r < 0.15 ? [cut(t, 0, Math.ceil(n / 2)), 2] : r < 0.2 ? [cut(t, -2), 1]
      : r < 0.23 ? [cut(t, 1, 3) || t, 3] : [t, 0];
    specs.push({term, wildcard, boost: [1, 0.7, 0.5][Math.floor(rand() * 3)]});
    if (rand() < 0.2) specs.push({term: t, wildcard: 0, boost: 1});
  }
  queries.push(specs);
}
const differ = [];
let compared = 0;
for (const specs of queries) {
  const expected = idx.query(q => specs.forEach(s => q.term(s.term,
      {boost: s.boost, wildcard: s.wildcard, usePipeline: false, presence: lunr.Query.presence.OPTIONAL})));
  const got = scorer.run(specs), slot = new Map();
  for (let j = 0; j < got.count; j++) slot.set(String(got.docs[j]), j);
  if (slot.size !== expected.length) { differ.push([specs, "count", slot.size, expected.length]); continue; }
  for (const hit of expected) {
    const j = slot.get(hit.ref);
    const matched = new Set();
    specs.forEach((_, s) => {
      if (j !== undefined && (got.bits[j * got.words + (s >> 5)] >>> (s & 31)) & 1) {
        scorer.matchedTerms(got, s, +hit.ref).forEach(t => matched.add(t));
      }
    });
    const same = j !== undefined && got.scores[j] === hit.score &&
      JSON.stringify([...matched].sort()) === JSON.stringify(Object.keys(hit.matchData.metadata).sort());
    if (!same) { differ.push([specs, hit.ref, j === undefined ? null : got.scores[j], hit.score]); break; }
    compared++;
  }
}
return {queries: queries.length, compared, differ: differ.slice(0, 3)};
"""


def test_scorer_gives_lunr_index_query_scores_exactly(seed_assets):
    """The page scores from the postings; every score (===) and matched term must be lunr.Index.query's."""
    extra = [[{"term": "secur", "wildcard": 2, "boost": 1}], [{"term": "a", "wildcard": 2, "boost": 1}],
             [{"term": "组织", "wildcard": 1, "boost": 1}, {"term": "上海", "wildcard": 2, "boost": 0.5}],
             [{"term": "n", "wildcard": 3, "boost": 0.7}, {"term": "secur", "wildcard": 0, "boost": 1}],
             [{"term": "亚信会议", "wildcard": 0, "boost": 1}, {"term": "@cica", "wildcard": 0, "boost": 0.5},
              {"term": "cica", "wildcard": 0, "boost": 0.5}, {"term": "hoi", "wildcard": 0, "boost": 0.5}]]
    out = node(EQUIVALENCE, {"assets": str(seed_assets), "count": 400, "extra": extra})
    assert out["differ"] == []
    assert out["compared"] > 1000


def test_wildcard_on_a_stemmed_word_finds_its_stem(seed_assets, seed_records):
    from test_search_support import has_word

    organisations = has_word(seed_records, r"\borgani[sz]ations?\b")
    assert organisations
    out = node(SEARCH, {"assets": str(seed_assets), "queries": [{"query": q} for q in ("organ*", "organi*", "organis*", "organiz*")]})
    for query, result in zip(("organ*", "organi*", "organis*", "organiz*"), out):
        assert organisations <= set(result["ids"]), query


def test_acronym_names_expand_in_any_case_unless_they_are_words(seed_assets, tmp_path):
    """Issue 14: most people type lower case, so sco, Sco and SCO expand alike; an acronym whose
    lower case is an English stop word (US / us) expands only in capitals."""
    out = node(SEARCH, {"assets": str(seed_assets), "queries": [{"query": "SCO"}, {"query": "sco"}, {"query": "Sco"},
                                                                 {"query": "cica"}, {"query": "CICA"}]})
    assert "上海合作组织" in out[0]["expanded"]
    assert out[1]["expanded"] == out[0]["expanded"] == out[2]["expanded"]
    assert sorted(out[1]["ids"]) == sorted(out[0]["ids"]) == sorted(out[2]["ids"])
    assert "亚信会议" in out[4]["expanded"] and out[3]["expanded"] == out[4]["expanded"]
    from search_index import build_search_assets
    from test_search_support import seed_docs

    build_search_assets(seed_docs(), tmp_path, entities=[{"slug": "us", "names": {"zh": ["美国"], "en": ["US"]}}])
    out = node(SEARCH, {"assets": str(tmp_path), "queries": [{"query": "US"}, {"query": "us"}]})
    assert "美国" in out[0]["expanded"] and out[1]["expanded"] == []


def test_an_entity_name_the_index_lacks_does_not_break_the_query(tmp_path):
    """A Han entity name no record holds (欧盟 in a corpus without it) once threw in expandEntities."""
    from search_index import build_search_assets
    from test_search_support import seed_docs

    entities = [{"slug": "eu", "names": {"zh": ["欧盟"], "en": ["European Union", "EU"]}}]
    build_search_assets(seed_docs(), tmp_path, entities=entities)
    out = node(SEARCH, {"assets": str(tmp_path), "queries": [{"query": "欧盟"}, {"query": "欧盟 安全"}]})
    assert out[0]["ids"] == [] or isinstance(out[0]["ids"], list)
    assert out[1]["ids"], "the rest of the query still finds records"


def test_substring_terms_from_the_shards_equal_a_scan_of_the_vocabulary(seed_assets):
    """vocab.containing reads the bigram lists the builder put in the shards; they must give what a
    scan of the whole vocabulary gives, loaded whole or shard by shard."""
    from search_index.analyze import is_han
    from test_search_support import read_assets

    texts = ["合作", "安全", "组织", "上海合作", "六甲", "x", "安"]
    terms = read_assets(seed_assets)[0]["terms"]
    expected = [sorted((t for t in terms if len(t) >= 3 and is_han(t[0]) and t != text and text in t and len(text) >= 2),
                       key=lambda t: (len(t.encode("utf-16-le")), t.encode("utf-16-be"))) for text in texts]
    body = """
    const whole = BibEngine.createEngine(loadAssets(input.assets));
    const all = input.texts.map(t => whole.vocab.containing(t));
    const lazy = lazyAssets(input.assets), engine = BibEngine.createEngine(lazy.index);
    const shards = input.texts.map(t => { engine.store.missing.clear(); engine.vocab.containing(t);
                                          lazy.load(Array.from(engine.store.missing)); engine.store.missing.clear();
                                          return engine.vocab.containing(t); });
    return {all, shards};
    """
    out = node(body, {"assets": str(seed_assets), "texts": texts})
    assert out["all"] == expected and out["shards"] == expected
    assert any(len(found) > 3 for found in expected)


def test_rank_order_equals_a_comparator_sort():
    body = """
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const bad = [];
    for (let trial = 0; trial < 200; trial++) {
      const n = Math.floor(rand() * 300), keys = new Int32Array(n), scores = new Float64Array(n);
      for (let i = 0; i < n; i++) { keys[i] = Math.floor(rand() * 3) * 65536 + Math.floor(rand() * 3);
                                    scores[i] = rand() < 0.3 ? 0 : Math.floor(rand() * 20) / 7; }
      const expected = Array.from({length: n}, (_, i) => i)
        .sort((x, y) => keys[y] - keys[x] || scores[y] - scores[x] || x - y);
      const got = Array.from(BibEngine.rankOrder(n, keys, scores));
      if (JSON.stringify(got) !== JSON.stringify(expected)) bad.push(trial);
    }
    return bad;
    """
    assert node(body, {}) == []
