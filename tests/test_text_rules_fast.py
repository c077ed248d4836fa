"""The text rules written for speed (no regex tried at every position) agree with their plain regex definitions."""
from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

from bibsite import corpus, textnorm

ROOT = Path(__file__).resolve().parent.parent
MARKER_AT_END = re.compile(rf"(?:\s*{corpus.SIMILAR_MARKER})+\s*$")
# Pieces that make the edge cases likely: markers, bits of markers, every kind of whitespace, dots, ellipses.
PIECES = ["相似文献", "相似", "文献", " ", "  ", "\n", "\t", "\u3000", "\u00a0", "\x1c", "\u2028", ".", "...",
          "…", "。", "。。。", "中", "上合", "a", "Bay", "ă", "đ", "Tổ", "e\u0301", "Á", "2014", "…x", ". "]


def random_texts(count: int, seed: int = 1):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))


def reference_language(text: str) -> str:
    """detect_language as first written: one regex match per letter."""
    han = len(re.findall(f"[{textnorm.HAN}]", text))
    latin = len(re.findall(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]", text))
    if han and han >= latin / 4:
        return "zh"
    vietnamese = len(re.findall("[ăđĩũơưĂĐĨŨƠƯ\u1ea0-\u1ef9]", unicodedata.normalize("NFC", text)))
    if latin and vietnamese >= max(3, latin * 0.03):
        return "vi"
    return "en"


def disagreements(text: str) -> list[str]:
    """Return the names of the fast rules that disagree with their definition on text."""
    found = []
    if corpus.strip_markers(text) != MARKER_AT_END.sub("", text):
        found.append("strip_markers")
    if textnorm.is_truncated(text) != bool(textnorm.TRUNCATION.search(text)):
        found.append("is_truncated")
    if textnorm.detect_language(text) != reference_language(text):
        found.append("detect_language")
    return found


def test_fast_rules_agree_with_the_regex_definitions_on_random_text():
    wrong = {text: disagreements(text) for text in random_texts(5000)}
    assert {text: rules for text, rules in wrong.items() if rules} == {}


def test_fast_rules_agree_on_every_entry_of_the_seeds():
    wrong = {}
    for path in sorted((ROOT / "seeds" / "abstracts").glob("*.txt")):
        for _, lines in corpus.split_entries(path.read_text(encoding="utf-8-sig")):
            for text in (textnorm.join_lines(lines), corpus.clean_entry(lines)):
                if disagreements(text):
                    wrong[text] = disagreements(text)
    assert wrong == {}
