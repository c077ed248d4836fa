"""search_index/rules.json is the one definition of a Chinese character, language tags and Vietnamese
letters: Python reads it through search_index/rules.py, the browser builds the same regexes from it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from bibsite import citations, entities, jsonld, keywords, links, pages, textnorm
from search_index import rules
from search_index.analyze import normalise, runs

ROOT = Path(__file__).resolve().parent.parent
RULES_JSON = ROOT / "search_index" / "rules.json"

# Code points at and around every edge of the ranges, with what they are. The expectation is written
# here, not read from rules.json, so a careless edit of the ranges fails.
HAN = {
    0x3007: "〇, the ideographic zero", 0x3400: "first of Extension A", 0x4DBF: "last of Extension A",
    0x4E00: "一, first Unified Ideograph", 0x9FA5: "龥", 0x9FFF: "last of the Unified Ideographs block",
    0xF900: "first Compatibility Ideograph", 0xFA0E: "﨎, a unified ideograph in the compatibility block",
    0xFAFF: "end of the Compatibility block", 0x20000: "𠀀, first of Extension B", 0x2A6DF: "last of Extension B",
    0x2A700: "first of Extension C", 0x2B740: "first of Extension D", 0x2CEB0: "first of Extension F",
    0x2EBF0: "first of Extension I (Unicode 15.1)", 0x2F800: "first of the Compatibility Supplement",
    0x30000: "first of Extension G", 0x31350: "first of Extension H (Unicode 15)", 0x323AF: "last of Extension H",
    0x3FFFD: "end of plane 3",
}
NOT_HAN = {
    0x3005: "々, iteration mark", 0x3006: "〆", 0x3001: "、", 0x3002: "。", 0x3008: "〈", 0x2E80: "a CJK radical",
    0x2F00: "⼀, Kangxi radical", 0x31C0: "a CJK stroke", 0x33FF: "a squared ideograph sign", 0x4DC0: "䷀, hexagram",
    0xA000: "ꀀ, Yi", 0xF8FF: "private use", 0xFB00: "ﬀ ligature", 0xFF10: "０, full-width digit",
    0x3042: "あ", 0x30A2: "ア", 0xAC00: "가", 0x1F600: "😀", 0x1FFFF: "end of plane 1", 0x40000: "plane 4",
    0xFE00: "variation selector 1", 0xE0100: "variation selector 17", 0x41: "A", 0x30: "0", 0x20: "space",
}
CODE_POINTS = sorted({**HAN, **NOT_HAN})

# How the browser should read the ranges (search_index/js, for search-page.js too): one u-flag
# character class of \u{...} ranges, which handles astral code points as Python's re does.
JS_HAN = r"""
const fs = require("fs"), path = require("path");
const rules = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const han = new RegExp("[" + rules.han_ranges.map(([lo, hi]) =>
  "\\u{" + lo.toString(16) + "}-\\u{" + hi.toString(16) + "}").join("") + "]", "u");
const vietnamese = new RegExp("[" + rules.vietnamese_letters + "]", "u");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const analyzer = require(path.join(process.argv[2], "analyze.js")).createAnalyzer(rules, {});
process.stdout.write(JSON.stringify({
  han: input.chars.map(c => han.test(c)),
  runs: input.chars.map(c => analyzer.runs(c).map(r => r.kind)),
  vietnamese: input.names.map(n => vietnamese.test(n)),
}));
"""
NAMES = ["Tổ chức Hợp tác Thượng Hải", "Nga", "Ấn Độ", "détente", "rôle", "Việt Nam", "ASEAN", "Liên bang"]


def js(chars: list[str], names: list[str]) -> dict:
    """Return what node makes of chars and names with the regexes built from rules.json."""
    if not shutil.which("node"):
        pytest.fail("node is missing; the rules parity test needs it (apt-get install nodejs)")
    proc = subprocess.run(["node", "-e", JS_HAN, str(RULES_JSON), str(ROOT / "search_index" / "js")],
                          input=json.dumps({"chars": chars, "names": names}), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_python_reads_the_han_ranges_as_the_list_says():
    wrong = {f"U+{cp:04X} {what}": rules.is_han(chr(cp)) for cp, what in {**HAN, **NOT_HAN}.items()
             if rules.is_han(chr(cp)) != (cp in HAN)}
    assert wrong == {}
    for cp in CODE_POINTS:
        assert bool(rules.HAN_CHAR.fullmatch(chr(cp))) == rules.is_han(chr(cp)), f"U+{cp:04X}"


def test_javascript_reads_rules_json_as_python_does():
    chars = [chr(cp) for cp in CODE_POINTS]
    got = js(chars, NAMES)
    differ = [f"U+{cp:04X}" for cp, han in zip(CODE_POINTS, got["han"]) if han != rules.is_han(chr(cp))]
    assert differ == []
    # The query side's analyzer cuts a Han run exactly where the index side does.
    python_runs = [[kind for kind, _ in runs(normalise(c))] for c in chars]
    assert got["runs"] == python_runs
    vietnamese = re.compile(f"[{rules.VIETNAMESE}]")
    assert got["vietnamese"] == [bool(vietnamese.search(n)) for n in NAMES]
    assert got["vietnamese"][:4] == [True, False, True, False]


def test_every_python_rule_uses_the_one_definition():
    assert textnorm.HAN_CHAR is rules.HAN_CHAR
    assert entities.HAN_CHAR is keywords.HAN_CHAR is citations.HAN_CHAR is rules.HAN_CHAR
    assert links.LANG_TAGS is pages.LANG_TAGS is jsonld.LANG_TAGS is rules.LANG_TAGS
    # detect_language counts Chinese characters of every range, astral ones too.
    assert textnorm.detect_language("𠀀𠀁𪚥 〇 CJK") == "zh"
    assert textnorm.repair_pdf_spaces("𠀀 一") == "𠀀一"


def test_no_python_module_restates_the_ranges():
    """A character class of its own (\\u4e00-\\u9fff, \\p{Script=Han}) in the project's Python is a second
    definition that drifts from rules.json."""
    restated = re.compile(r"\\u(?:3400|4e00|4dbf|9fff|f900|faff)|\\U0002|Script=Han|[\u4e00\u3400]-", re.I)
    found = []
    for path in sorted([*(ROOT / "bibsite").rglob("*.py"), *(ROOT / "search_index").glob("*.py"), ROOT / "build.py"]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if restated.search(line) and path.name != "rules.py":
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_vietnamese_letters_leave_out_what_english_borrows():
    vietnamese = re.compile(f"[{rules.VIETNAMESE}]")
    assert not any(vietnamese.search(unicodedata.normalize("NFC", w)) for w in ["détente", "régime", "rôle", "fête"])
    assert all(vietnamese.search(w) for w in ["Thượng", "Đông", "Hải", "ưu"])
