"""The Python half: analysis, the compact index (equal to lunr.py's), and the written assets."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_search_support import TEST_ENTITIES, node, read_assets, seed_assets, seed_docs  # noqa: F401

from search_index import analyze, build_search_assets
from search_index import assets as assets_module
from search_index.builder import analyse_all, lunr_index


def test_domain_names_stay_whole_and_sub_words_are_added():
    terms = analyze("独联体集体安全条约组织(简称集安组织)与亚信会议、上海合作组织", "zh")
    for whole in ("集安组织", "亚信会议", "上海合作组织", "集体安全条约组织"):
        assert whole in terms
    assert "集体安全" in terms, "a dictionary word inside a longer word is indexed too"
    assert "合作" in terms and "组织" in terms


def test_words_split_by_pdf_extraction_are_joined():
    assert "上合组织" in analyze("因此上 合组织为协调", "zh")
    assert "安全架构" in analyze("作为地区合作与安 全架构,", "zh")


def test_spellings_accents_and_traditional_characters_meet():
    assert analyze("organisations", "en") == analyze("organizations", "en")
    assert analyze("Hội nghị", "vi") == analyze("hoi nghi", "vi") == ["hoi", "nghi"]
    assert analyze("上海合作組織", "zh") == analyze("上海合作组织", "zh")
    assert analyze("NATO's", "en") == ["nato"]


def test_output_is_byte_identical_for_the_same_input(tmp_path):
    docs = seed_docs()
    first = build_search_assets(docs, tmp_path / "a", entities=TEST_ENTITIES)
    second = build_search_assets(docs, tmp_path / "b", entities=TEST_ENTITIES)
    assert first["files"] == second["files"]
    for name in first["files"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert first["terms"] > 1000 and first["index_bytes"] == (tmp_path / "a" / "index.js").stat().st_size
    assert "lunr.min.js" in first["files"] and "search-page.js" in first["files"]


def test_record_text_stays_out_of_the_index_file(seed_assets):
    index = (seed_assets / "index.js").read_text(encoding="utf-8")
    some_text = seed_docs()[0]["blocks"][0]["text"][20:60]
    assert some_text not in index
    assert some_text in (seed_assets / "text-0.js").read_text(encoding="utf-8")
    assert not any(some_text in p.read_text(encoding="utf-8") for p in seed_assets.glob("terms-*.js"))


def test_browser_rebuild_equals_the_lunr_py_index(seed_assets):
    """js/engine.js rebuilds field vectors from the compact postings; they must equal lunr.py's."""
    reference = lunr_index(analyse_all(seed_docs())).serialize()
    out = node("""const store = BibEngine.createStore(loadAssets(input.assets));
                  const idx = BibEngine.buildIndex(store);
                  const terms = Array.from({length: store.count}, (_, t) => store.term(t));
                  const v = {};
                  for (const ref of Object.keys(idx.fieldVectors)) {
                    const e = idx.fieldVectors[ref].elements, o = {};
                    for (let i = 0; i < e.length; i += 2) o[terms[e[i]]] = e[i + 1];
                    v[ref] = o;
                  }
                  return v;""", {"assets": str(seed_assets)})
    terms = [term for term, _ in reference["invertedIndex"]]
    index_of = {term: posting["_index"] for term, posting in reference["invertedIndex"]}
    by_index = {i: t for t, i in index_of.items()}
    assert len(terms) == len(read_assets(seed_assets)[0]["terms"])
    compared = 0
    for ref, elements in reference["fieldVectors"]:
        field, ordinal = ref.split("/")
        mine = out[f"{field}/{int(ordinal, 36)}"]
        theirs = {by_index[elements[i]]: elements[i + 1] for i in range(0, len(elements), 2)}
        assert mine.keys() == theirs.keys(), ref
        for term, weight in theirs.items():
            assert mine[term] == pytest.approx(weight, abs=0.0011), (ref, term)
            compared += 1
    assert compared > 2000


def test_missing_lunr_says_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.setattr(assets_module, "HERE", tmp_path / "search_index")
    with pytest.raises(FileNotFoundError, match=r"node_modules/lunr is missing — run `npm ci`"):
        build_search_assets(seed_docs(), tmp_path / "out")


def test_a_doc_without_a_required_field_is_named(tmp_path):
    doc = dict(seed_docs()[0])
    del doc["url"]
    with pytest.raises(ValueError, match=rf"\({doc['id']}\): field 'url' is missing"):
        build_search_assets([doc], tmp_path)


def test_traditional_table_ships_only_characters_that_matter(seed_assets):
    data, _ = read_assets(seed_assets)
    assert data["ts"]["組"] == "组" and data["ts"]["織"] == "织"
    assert len(data["ts"]) < 2000, "only traditional characters whose simplified form the index holds"
    assert json.loads(json.dumps(data["entities"]))[0]["slug"] == "cica"


def test_text_rows_leave_out_only_what_the_browser_can_work_out(tmp_path):
    from search_index.assets import text_row, url_patterns

    docs = [{"id": "a1", "type": "abstract", "lang": "en", "langs": ["en"], "title": "A", "url": "abstracts/a1.html", "blocks": []},
            {"id": "b2", "type": "abstract", "lang": "zh", "langs": ["zh", "en"], "title": "B", "url": "abstracts/b2.html",
             "blocks": [{"lang": "zh", "text": "安全"}, {"text": "security"}]},
            {"id": "c3", "type": "glossary", "lang": "vi", "title": "C", "url": "glossary/c3.html", "blocks": []},
            {"id": "d4", "type": "glossary", "lang": "vi", "title": "D", "url": "elsewhere/d.html", "blocks": []}]
    patterns = url_patterns(docs)
    assert patterns == {"abstract": ["abstracts/", ".html"]}
    assert [text_row(d, patterns) for d in docs] == [
        ["a1", "A", 0, []], ["b2", "B", 0, [["zh", "安全"], ["zh", "security"]]],
        ["c3", "C", "glossary/c3.html", []], ["d4", "D", "elsewhere/d.html", []]]
    build_search_assets(docs, tmp_path, fragment_size=3)
    out = node("""const e = BibEngine.createEngine(loadAssets(input.assets));
                  return e.records.map(r => [r.id, r.type, r.langs, r.url, r.title]);""", {"assets": str(tmp_path)})
    assert out == [[d["id"], d["type"], d.get("langs") or [d["lang"]], d["url"], d["title"]] for d in docs]


def read_rules():
    from search_index.analyze import RULES

    return {k: v for k, v in RULES.items() if k != "about"}
