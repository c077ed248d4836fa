"""Porter stemming exactly as lunr.js 2.3.9 does it, so the index meets the browser's queries.

lunr.py ships its own Porter implementation, which disagrees with lunr.js on about 2% of English
words (ways -> `wai` in Python, `way` in the browser). The index is built here and queried there,
so this module re-states lunr.js's algorithm step for step; tests/test_search_parity.py runs every
word of the corpus through both.
"""
from __future__ import annotations

import re
from functools import lru_cache

_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
    "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
    "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
    "iviti": "ive", "biliti": "ble", "logi": "log",
}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}

_c = "[^aeiou]"
_v = "[aeiouy]"
_C = _c + "[^aeiouy]*"
_V = _v + "[aeiou]*"
_MGR0 = re.compile("^(" + _C + ")?" + _V + _C)
_MEQ1 = re.compile("^(" + _C + ")?" + _V + _C + "(" + _V + ")?$")
_MGR1 = re.compile("^(" + _C + ")?" + _V + _C + _V + _C)
_S_V = re.compile("^(" + _C + ")?" + _v)

_RE_1A = re.compile(r"^(.+?)(ss|i)es$")
_RE2_1A = re.compile(r"^(.+?)([^s])s$")
_RE_1B = re.compile(r"^(.+?)eed$")
_RE2_1B = re.compile(r"^(.+?)(ed|ing)$")
_LAST = re.compile(r".$")
_RE2_1B_2 = re.compile(r"(at|bl|iz)$")
_RE3_1B_2 = re.compile(r"([^aeiouylsz])\1$")
_RE4_1B_2 = re.compile("^" + _C + _v + "[^aeiouwxy]$")
_RE_1C = re.compile(r"^(.+?[^aeiou])y$")
_RE_2 = re.compile(r"^(.+?)(" + "|".join(_STEP2) + ")$")
_RE_3 = re.compile(r"^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$")
_RE_4 = re.compile(r"^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$")
_RE2_4 = re.compile(r"^(.+?)(s|t)(ion)$")
_RE_5 = re.compile(r"^(.+?)e$")
_RE_5_1 = re.compile(r"ll$")
_RE3_5 = re.compile("^" + _C + _v + "[^aeiouwxy]$")


@lru_cache(maxsize=200_000)
def stem(w: str) -> str:
    """Return the lunr.js 2.3.9 Porter stem of w (a lowercase word)."""
    if len(w) < 3:
        return w
    firstch = w[0]
    if firstch == "y":
        w = "Y" + w[1:]

    # Step 1a (JS String.replace without /g replaces the first match only, hence count=1)
    if _RE_1A.search(w):
        w = _RE_1A.sub(r"\1\2", w, count=1)
    elif _RE2_1A.search(w):
        w = _RE2_1A.sub(r"\1\2", w, count=1)

    # Step 1b
    m = _RE_1B.search(w)
    if m:
        if _MGR0.search(m.group(1)):
            w = _LAST.sub("", w, count=1)
    else:
        m = _RE2_1B.search(w)
        if m:
            s = m.group(1)
            if _S_V.search(s):
                w = s
                if _RE2_1B_2.search(w):
                    w = w + "e"
                elif _RE3_1B_2.search(w):
                    w = _LAST.sub("", w, count=1)
                elif _RE4_1B_2.search(w):
                    w = w + "e"

    # Step 1c
    m = _RE_1C.search(w)
    if m:
        w = m.group(1) + "i"

    # Step 2
    m = _RE_2.search(w)
    if m and _MGR0.search(m.group(1)):
        w = m.group(1) + _STEP2[m.group(2)]

    # Step 3
    m = _RE_3.search(w)
    if m and _MGR0.search(m.group(1)):
        w = m.group(1) + _STEP3[m.group(2)]

    # Step 4
    m = _RE_4.search(w)
    if m:
        if _MGR1.search(m.group(1)):
            w = m.group(1)
    else:
        m = _RE2_4.search(w)
        if m:
            s = m.group(1) + m.group(2)
            if _MGR1.search(s):
                w = s

    # Step 5
    m = _RE_5.search(w)
    if m:
        s = m.group(1)
        if _MGR1.search(s) or (_MEQ1.search(s) and not _RE3_5.search(s)):
            w = s
    if _RE_5_1.search(w) and _MGR1.search(w):
        w = _LAST.sub("", w, count=1)

    if firstch == "y":
        w = "y" + w[1:]
    return w
