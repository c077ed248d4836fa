"""The text rules both halves share (rules.json), as Python reads them: the table itself and the regex
character classes built from its ranges. Every Python rule about Chinese characters, language tags or
Vietnamese letters comes from here; js/ reads the same file (shipped with the index)."""
from __future__ import annotations

import json
import re
from pathlib import Path

RULES: dict = json.loads((Path(__file__).resolve().parent / "rules.json").read_text(encoding="utf-8"))


def char_class(ranges) -> str:
    """Return the inside of a regex character class ([...]) that matches the code-point ranges [(lo, hi)]."""
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


# A Chinese character, for every rule of both halves (Han runs, language, entity names, PDF spaces):
# U+3007 〇 (the zero of 二〇二一年), U+3400-4DBF Extension A, U+4E00-9FFF the Unified Ideographs,
# U+F900-FAFF the Compatibility Ideographs, and planes 2 and 3 whole (U+20000-3FFFF: Extensions B to J,
# the Compatibility Supplement, and the room Unicode keeps there for more ideographs). Code-point
# ranges rather than \p{Script=Han}, so they mean the same whatever Unicode version Python or the
# browser knows; radicals (U+2E80-2FDF) and the iteration marks 々〆 are not letters of Chinese text.
HAN_RANGES: tuple[tuple[int, int], ...] = tuple((lo, hi) for lo, hi in RULES["han_ranges"])
HAN = char_class(HAN_RANGES)  # a Chinese character, inside [...]
HAN_CHAR = re.compile(f"[{HAN}]")
LANG_TAGS: dict[str, str] = RULES["lang_tags"]  # BCP 47 tag of a language code, for lang= and hreflang=
# Inside [...]: letters that occur in Vietnamese and (almost) never in English, French or pinyin-free
# Latin text; not é, è, â, ê, ô, which English borrows (détente, régime, rôle) and would be taken for
# Vietnamese. Python re and JS u-flag RegExp read the class alike.
VIETNAMESE = RULES["vietnamese_letters"]


def is_han(ch: str) -> bool:
    """Return True when ch is a Chinese character (rules.json han_ranges)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in HAN_RANGES)
