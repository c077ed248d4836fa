"""Both halves analyse text identically: Python (index) and JS (query), run on the same strings."""
from __future__ import annotations

import itertools

from test_search_support import node, seed_assets, seed_docs  # noqa: F401

from search_index.analyze import fold_char, normalise, runs, word_term
from search_index.stemmer import stem
from search_index.traditional import full_table

JS_RUNS = """
const a = BibAnalyze.createAnalyzer(input.rules, input.ts);
return input.texts.map(t => a.runs(t).map(r => [r.kind, r.kind === "han" ? r.text : a.wordTerm(r.text)]));
"""

TRICKY = [
    "NATO's entry, the alliance’s role; it's", "Hội nghị Thượng đỉnh CICA tại Thượng Hải, Đại hội", "Ca-dắc-xtan",
    "organisations ORGANIZATIONS organised defence centre behaviour labour neighbouring analyse", "ways they try cries",
    "上 合组织 安 全架构 21 世纪", "ＡＳＥＡＮ（东盟）２０２１年", "Łódź Straße Ærø œuvre", "naïve café résumé",
    "x_y a-b a/b", "𠀀𠀁 ext-B", "ǅ İstanbul ΣΑΣ", "yearly yes yield", "",
]


def _python_runs(text):
    return [[kind, piece if kind == "han" else word_term(piece)] for kind, piece in runs(normalise(text))]


def _rules_and_ts(seed_assets):
    from test_search_support import read_assets

    data, _ = read_assets(seed_assets)
    return data["rules"], data["ts"]


def test_every_text_of_the_corpus_gives_the_same_runs_and_terms(seed_assets):
    rules, ts = _rules_and_ts(seed_assets)
    texts = [b["text"] for d in seed_docs() for b in d["blocks"]] + [d["title"] for d in seed_docs()] + TRICKY
    js = node(JS_RUNS, {"rules": rules, "ts": ts, "texts": texts})
    for text, got in zip(texts, js):
        expected = _python_runs(text)
        assert got == expected, f"JS and Python disagree on {text[:60]!r}"


def test_stemmer_matches_lunr_js_on_every_word_and_its_inflections():
    """search_index.stemmer must equal lunr.stemmer; lunr.py's own stemmer differs (ways -> wai)."""
    words = set()
    for doc in seed_docs():
        for block in doc["blocks"]:
            for kind, piece in runs(normalise(block["text"])):
                if kind == "word" and piece.isascii() and piece.isalpha():
                    words.add(piece)
    suffixes = ["", "s", "es", "ed", "ing", "ly", "ness", "ation", "ational", "izer", "ization", "ful", "ity",
                "ive", "ement", "ence", "ance", "able", "ible", "ism", "ize", "y", "ies", "eed", "ll"]
    words |= {w + s for w, s in itertools.product(sorted(words), suffixes)}
    words |= {"ways", "they", "try", "yes", "by", "say", "sky", "agreed", "feed", "hopping", "filing", "falling",
              "conditional", "relational", "hopeful", "goodness", "electrical", "adjustment", "controll", "roll"}
    words = sorted(words)
    js = node("return input.map(w => lunr.stemmer(new lunr.Token(w)).toString());", words)
    differ = [(w, stem(w), j) for w, j in zip(words, js) if stem(w) != j]
    assert len(words) > 5000
    assert differ == []


def test_character_folding_matches_for_every_character_of_the_corpus(seed_assets):
    rules, ts = _rules_and_ts(seed_assets)
    chars = sorted({ch for d in seed_docs() for b in d["blocks"] for ch in b["text"]})
    # traditional forms of the corpus's simplified characters, which the shipped table must fold
    simplified = set(chars)
    chars += sorted(t for t, s in full_table().items() if s in simplified)
    js = node("""const a = BibAnalyze.createAnalyzer(input.rules, input.ts);
                 return input.chars.map(c => a.foldChar(c));""", {"rules": rules, "ts": ts, "chars": chars})
    differ = [(c, fold_char(c), j) for c, j in zip(chars, js) if fold_char(c) != j]
    assert differ == []
    assert "組" in chars and js[chars.index("組")] == "组"


def test_every_chinese_index_term_is_met_whole_by_query_segmentation(seed_assets):
    from test_search_support import read_assets

    data, _ = read_assets(seed_assets)
    han_terms = [t for t in data["terms"] if "\u4e00" <= t[0] <= "\u9fff"]
    out = node("""const e = BibEngine.createEngine(loadAssets(input.assets));
                  return input.terms.filter(t => JSON.stringify(e.planner.segment(t)) !== JSON.stringify([t]));""",
               {"assets": str(seed_assets), "terms": han_terms})
    assert len(han_terms) > 500
    assert out == []


def test_vietnamese_keeps_english_stop_words_and_english_drops_them():
    from search_index import analyze

    assert analyze("an ninh to do so", "vi") == ["an", "ninh", "to", "do", "so"]
    assert analyze("an ninh to do so", "en") == ["ninh"]


def test_the_browser_finds_the_translations_the_build_keys_for_every_fixture_query(site_dir):
    """Translations (issue 14): for every query of tests/fixtures/search-queries.yaml, the browser uses
    each translation the build's table holds for the query as the build analyses it (expansions.phrase,
    longest key first); for queries without Chinese, exactly those. A query naming an entity is left
    out: the name searches the entity's other names, never its words' translations."""
    from pathlib import Path

    import yaml

    from test_search_support import read_assets
    from search_index.expansions import phrase

    assets = site_dir / "assets" / "search"
    data, _ = read_assets(assets)
    table = {}
    for name, part in data["parts"].items():
        if name.startswith("terms-"):
            table.update(part.get("expansions") or {})
    assert table, "the built index ships no translations: the test would prove nothing"
    fixture = Path(__file__).resolve().parent / "fixtures" / "search-queries.yaml"
    queries = [q["q"] for q in yaml.safe_load(fixture.read_text(encoding="utf-8")) if not q.get("exact")]
    used = node("""const e = BibEngine.createEngine(loadAssets(input.assets));
                   return input.queries.map(q => { const o = e.search(q, {});
                     return o.expanded.length ? null : o.crossLingual.map(u => u[0] + "=" + u[1]); });""",
                {"assets": str(assets), "queries": queries})
    checked = 0
    for query, got in zip(queries, used):
        if got is None:
            continue
        han = any("\u4e00" <= c <= "\u9fff" for c in query)
        terms, expected, i = phrase(query.strip('"'), "zh" if han else "en").split(), set(), 0
        while i < len(terms):
            end = next((j for j in range(len(terms), i, -1) if " ".join(terms[i:j]) in table), None)
            if end is None:
                i += 1
                continue
            expected |= {" ".join(terms[i:end]) + "=" + target for target, *_ in table[" ".join(terms[i:end])]}
            i = end
        checked += bool(expected)
        if han:
            assert expected <= set(got), (query, sorted(expected - set(got)))
        else:
            assert expected == set(got), (query, sorted(expected ^ set(got)))
    assert checked >= 30
