"""Shared helpers of the search tests (no tests here): seed records, built assets, node, expectations.

Expected results are computed from the record texts (e.g. "every record whose text contains
集安组织"), never from hard-coded record ids.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "search_index" / "js"
SEEDS = ROOT / "seeds"

# Loads the browser half into node exactly as the page does (same files, same globals), runs
# `body` with `input` (JSON on stdin) and prints what it returns as JSON.
NODE_PRELUDE = r"""
global.self = global; global.window = global;
const path = require("path");
const lunr = require(path.join(%(root)s, "node_modules", "lunr"));
global.lunr = lunr;
const BibAnalyze = require(path.join(%(js)s, "analyze.js"));
const BibQuery = require(path.join(%(js)s, "query.js"));
const BibEngine = require(path.join(%(js)s, "engine.js"));
const BibHighlight = require(path.join(%(js)s, "highlight.js"));
const fs = require("fs");
// Runs the root and every part script of a built index (the page loads parts on demand).
function loadAssets(dir) {
  self.__BIB_PARTS__ = {};
  delete require.cache[require.resolve(path.join(dir, "index.js"))];
  require(path.join(dir, "index.js"));
  for (const f of fs.readdirSync(dir)) {
    if (!/^(terms|text|facet|sort)-[\w]+\.js$/.test(f)) continue;
    delete require.cache[path.join(dir, f)];
    require(path.join(dir, f));
  }
  return self.__BIB_INDEX__;
}
// Returns the root of a built index, with no part loaded: parts come through load(names), which
// runs them and counts them (loaded), as the page's script tags do.
function lazyAssets(dir) {
  self.__BIB_PARTS__ = {};
  const loaded = [];
  delete require.cache[require.resolve(path.join(dir, "index.js"))];
  require(path.join(dir, "index.js"));
  const load = names => { names.forEach(n => { loaded.push(n); const f = path.join(dir, n); delete require.cache[require.resolve(f)]; require(f); });
                          return Promise.resolve(); };
  return {index: self.__BIB_INDEX__, load, loaded};
}
const input = JSON.parse(fs.readFileSync(0, "utf8"));
Promise.resolve((function () { %(body)s })()).then(output => process.stdout.write(JSON.stringify(output)),
  error => { console.error(error && error.stack || error); process.exit(1); });
"""


def node(body: str, data) -> object:
    """Return what the JS `body` returns when run in node with `input` = data (JSON both ways)."""
    if not shutil.which("node"):
        pytest.fail("node is missing; the parity tests need it (apt-get install nodejs)")
    script = NODE_PRELUDE % {"root": json.dumps(str(ROOT)), "js": json.dumps(str(JS_DIR)), "body": body}
    proc = subprocess.run(["node", "-e", script], input=json.dumps(data), capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"node failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def seed_docs() -> list[dict]:
    """Return the seed abstracts and the glossary entry as search docs, read straight from seeds/."""
    docs = []
    text = (SEEDS / "abstracts" / "regional-security-abstracts.txt").read_text(encoding="utf-8")
    for chunk in text.split("相似文献"):
        chunk = chunk.strip()
        if not chunk:
            continue
        han = len(re.findall(r"[\u4e00-\u9fff]", chunk))
        lang = "zh" if han > len(chunk) * 0.3 else "en"
        record_id = hashlib.sha1(chunk.encode("utf-8")).hexdigest()[:10]
        docs.append({
            "id": record_id, "type": "abstract", "lang": lang, "langs": [lang],
            "title": re.split(r"[.。!?？]", chunk)[0][:80],
            "blocks": [{"lang": lang, "text": chunk}], "keywords": [],
            "url": f"abstracts/{record_id}.html", "entities": [],
        })
    glossary = (SEEDS / "glossary" / "cica-china-org-cn-vi-zh.txt").read_text(encoding="utf-8")
    vi, zh = glossary.split("\n亚信会议\n", 1)
    docs.append({
        "id": "cica", "type": "glossary", "lang": "vi", "langs": ["vi", "zh"],
        "title": "Hội nghị về Phối hợp hành động và Các biện pháp xây dựng lòng tin ở châu Á (CICA)",
        "blocks": [{"lang": "vi", "text": vi.strip()}, {"lang": "zh", "text": "亚信会议\n" + zh.strip()}],
        "keywords": ["CICA", "亚信会议"], "url": "glossary/cica.html", "entities": ["cica"],
    })
    return docs


# A small entity table of our own (the build passes the real one from content/entities.yaml).
TEST_ENTITIES = [
    {"slug": "sco", "names": {"zh": ["上海合作组织", "上合组织", "上合"],
                              "en": ["Shanghai Cooperation Organization", "Shanghai Cooperation Organisation", "SCO"],
                              "vi": ["Tổ chức Hợp tác Thượng Hải"]}},
    {"slug": "csto", "names": {"zh": ["集体安全条约组织", "集安组织"],
                               "en": ["Collective Security Treaty Organization", "CSTO"]}},
    {"slug": "cica", "names": {"zh": ["亚信会议", "亚洲相互协作与信任措施会议"],
                               "en": ["Conference on Interaction and Confidence Building Measures in Asia", "CICA"]}},
]


def read_assets(assets: Path) -> tuple[dict, list[dict]]:
    """Return (root, records) from built assets; the root gains "terms" (the whole sorted vocabulary,
    from every shard), "parts" ({name: data} of every part script); records carry id, type, langs
    and full text."""
    def payload(path: Path):
        text = path.read_text(encoding="utf-8")
        inner = text[text.index("JSON.parse('") + len("JSON.parse('"):text.rindex("')")]
        return json.loads(_unescape_js(inner))
    data = payload(assets / "index.js")
    parts = {path.name[:-3]: payload(path) for path in assets.glob("*-*.js")
             if re.match(r"^(terms|text|facet|sort)-", path.name)}
    data["parts"] = parts
    data["terms"] = [t for n in range(len(data["shards"])) for t in parts[f"terms-{n}"]["terms"]]
    records = []
    size = data["fragment_size"]
    for ordinal, code in enumerate(data["kind"]):
        kind = data["kinds"][data["rules"]["postings_digits"].index(code)]
        row = parts[f"text-{ordinal // size}"][ordinal % size]  # assets.text_row
        before, after = data["url_patterns"].get(kind[0], ("", ""))
        records.append({"id": row[0], "type": kind[0], "lang": kind[1], "langs": kind[2], "title": row[1],
                        "url": row[2] or before + row[0] + after, "text": "\n".join([row[1]] + [b[1] for b in row[3]])})
    return data, records


def _unescape_js(inner: str) -> str:
    """Return the JSON text inside a single-quoted JS string literal written by assets.json_script."""
    return re.sub(r"\\(\\|'|u2028|u2029)", lambda m: {"\\": "\\", "'": "'", "u2028": "\u2028", "u2029": "\u2029"}[m.group(1)], inner)


def folded(text: str) -> str:
    """Return text as search compares it: folded (analyze.normalise), spaces between Han characters dropped."""
    from search_index.analyze import normalise

    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", normalise(text))


def containing(records: list[dict], *needles: str) -> set[str]:
    """Return ids of records whose folded text contains every needle (folded too)."""
    return {r["id"] for r in records if all(folded(n) in folded(r["text"]) for n in needles)}


def has_word(records: list[dict], pattern: str) -> set[str]:
    """Return ids of records whose folded text matches the regular expression pattern."""
    return {r["id"] for r in records if re.search(pattern, folded(r["text"]))}


@pytest.fixture(scope="session")
def seed_assets(tmp_path_factory) -> Path:
    """Search assets built from the seed files with our own small entity table."""
    from search_index import build_search_assets

    out = tmp_path_factory.mktemp("search-assets")
    build_search_assets(seed_docs(), out, entities=TEST_ENTITIES)
    return out


@pytest.fixture(scope="session")
def seed_records(seed_assets) -> list[dict]:
    return read_assets(seed_assets)[1]


# (query, what every result set must include, what it may include at most (None: anything)).
# Each is a function of the records so that expectations follow the corpus, not fixed ids.
def _case(query, must, allowed=None):
    return {"query": query, "must": must, "allowed": allowed}


QUERY_CASES = [
    # Chinese
    # an entity name also finds the entity's other names (TEST_ENTITIES), in any language
    _case("集安组织", lambda rs: containing(rs, "集安组织"), lambda rs: containing(rs, "集安组织") | containing(rs, "集体安全条约组织")
          | has_word(rs, r"\bcollective security treaty organi[sz]ation\b|\bcsto\b")),
    _case("马六甲", lambda rs: containing(rs, "马六甲"), lambda rs: containing(rs, "马六甲")),
    _case("上海合作組織", lambda rs: containing(rs, "上海合作组织")),
    _case("上合组织", lambda rs: containing(rs, "上合组织")),  # the corpus also writes it "上 合组织"
    _case("安全架构", lambda rs: containing(rs, "安全架构")),  # and "安 全架构"
    _case("亚信会议", lambda rs: containing(rs, "亚信会议")),
    _case("孟加拉湾", lambda rs: containing(rs, "孟加拉湾"), lambda rs: containing(rs, "孟加拉湾")),
    _case("乌兹别克斯坦", lambda rs: containing(rs, "乌兹别克斯坦"), lambda rs: containing(rs, "乌兹别克斯坦")),
    _case("六甲海", lambda rs: containing(rs, "六甲海"), lambda rs: containing(rs, "六甲海")),
    _case("上海*", lambda rs: containing(rs, "上海合作组织"), lambda rs: containing(rs, "上海")),
    _case("塔利班", lambda rs: containing(rs, "塔利班"), lambda rs: containing(rs, "塔利班")),
    # English
    _case("regional organisations", lambda rs: has_word(rs, r"\bregional\b") | has_word(rs, r"\borgani[sz]ations?\b")),
    _case("organisations", lambda rs: has_word(rs, r"\borgani[sz]ations?\b"), lambda rs: has_word(rs, r"\borgani[sz]")),
    _case("ways", lambda rs: has_word(rs, r"\bways?\b"), lambda rs: has_word(rs, r"\bways?\b")),
    _case("NATO:", lambda rs: has_word(rs, r"\bnato\b"), lambda rs: has_word(rs, r"\bnato\b")),
    _case("ASEAN", lambda rs: has_word(rs, r"\basean\b"), lambda rs: has_word(rs, r"\basean\b")),
    _case('"collective security"', lambda rs: has_word(rs, r"\bcollective security\b"),
          lambda rs: has_word(rs, r"\bcollective security\b")),
    _case("+collective -nato", lambda rs: has_word(rs, r"\bcollective\b") - has_word(rs, r"\bnato\b"),
          lambda rs: has_word(rs, r"\bcollectiv") - has_word(rs, r"\bnato\b")),
    _case("+security -asean", lambda rs: has_word(rs, r"\bsecurity\b") - has_word(rs, r"\basean\b"),
          lambda rs: has_word(rs, r"\bsecur") - has_word(rs, r"\basean\b")),
    _case("secur*", lambda rs: has_word(rs, r"\bsecurity\b"), lambda rs: has_word(rs, r"\bsecur")),
    _case("cooperation~2 ^3", lambda rs: has_word(rs, r"\bcooperation\b")),
    _case('"regional', lambda rs: has_word(rs, r"\bregional\b"), lambda rs: has_word(rs, r"\bregion")),
    _case("title:disasters", lambda rs: has_word(rs, r"\bdisasters?\b")),
    # Vietnamese (the glossary entry), with and without diacritics
    _case("hoi nghi", lambda rs: has_word(rs, r"\bhoi nghi\b"), lambda rs: has_word(rs, r"\bhoi\b") | has_word(rs, r"\bnghi\b")),
    _case("an ninh", lambda rs: has_word(rs, r"\ban ninh\b")),
    _case("Hội nghị", lambda rs: has_word(rs, r"\bhoi nghi\b")),
    _case("thuong hai", lambda rs: has_word(rs, r"\bthuong hai\b")),
    _case("lòng tin", lambda rs: has_word(rs, r"\blong tin\b")),
]

# Queries that must simply not throw or show an error (results may be anything).
ODD_QUERIES = ['"', '""', "+", "-", "*", "**", "NATO:", "a:b:c", "~", "^", "title:", "上海 *", "(", "[x]",
               "\\", "'", "+-nato", "--x", "“上合", "</script>", "{{ x }}", "  ", "上海*合作"]
