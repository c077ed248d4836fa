"""Index-time text analysis: normalise, split into Han runs and words, segment, fold spellings, stem.

The rules live in rules.json, which search_index/js/analyze.js reads too; only the Chinese
segmentation differs between the halves (jieba here, a match over the index's own vocabulary in
the browser, see js/query.js), and tests/test_search_parity.py checks that they meet.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .stemmer import stem
from .traditional import full_table

HERE = Path(__file__).resolve().parent
RULES: dict = json.loads((HERE / "rules.json").read_text(encoding="utf-8"))
STOP_WORDS_EN = frozenset(RULES["stop_words_en"])
_HAN_RANGES = [tuple(r) for r in RULES["han_ranges"]]
_FOLD: dict[str, str] = RULES["fold"]
_APOSTROPHES = frozenset(RULES["apostrophes"])
_SPELLING = RULES["spelling"]
_KEEP = frozenset(_SPELLING["keep"])

_jieba = None
_user_words: set[str] = set()


def is_han(ch: str) -> bool:
    """Return True when ch is a CJK ideograph (the ranges in rules.json)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _HAN_RANGES)


def is_word_char(ch: str) -> bool:
    """Return True for letters and digits of any script (\\p{L}\\p{N} in the browser)."""
    return unicodedata.category(ch)[0] in ("L", "N")


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """Return ch compatibility-normalised, lowercased, stripped of accents and folded to simplified Chinese."""
    out = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.category(d)[0] == "M":
                continue
            d = _FOLD.get(d, d)
            out.append(full_table().get(d, d))
    return "".join(out)


def normalise(text: str) -> str:
    """Return text folded character by character (see fold_char); lengths may change."""
    return "".join(fold_char(ch) for ch in text)


def _char_class(ranges) -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


_HAN_CLASS = "[" + _char_class(_HAN_RANGES) + "]"
# A Han run may continue across plain whitespace; a word is letters/digits that are not Han
# ([^\W_] is \p{L}\p{N}, as js/analyze.js writes it).
_RUN = re.compile(
    f"(?P<han>{_HAN_CLASS}+(?:[ \\t\\n\\r\\f\\v]+{_HAN_CLASS}+)*)|(?P<word>(?:(?!{_HAN_CLASS})[^\\W_])+)"
)
_SPACE_RUN = re.compile("[ \\t\\n\\r\\f\\v]+")


def runs(normalised: str) -> Iterator[tuple[str, str]]:
    """Yield ("han", run) and ("word", word) pieces of already normalised text, in order.

    Whitespace between two Han characters is dropped (PDF extraction splits words: 上 合组织), and
    the "s" of a possessive ("NATO's") is not a word.
    """
    for m in _RUN.finditer(normalised):
        if m.lastgroup == "han":
            yield "han", _SPACE_RUN.sub("", m.group())
            continue
        word, i = m.group(), m.start()
        if word == "s" and i >= 2 and normalised[i - 1] in _APOSTROPHES and is_word_char(normalised[i - 2]):
            continue
        yield "word", word


def respell(word: str) -> str:
    """Return word with a British spelling rewritten to the American one (rules.json "spelling")."""
    if word in _KEEP:
        return word
    for old, new in _SPELLING["prefix"]:
        if word.startswith(old):
            return new + word[len(old):]
    for old, new in _SPELLING["suffix"]:
        if word.endswith(old) and len(word) - len(old) >= _SPELLING["min_stem"]:
            return word[: -len(old)] + new
    return word


@lru_cache(maxsize=200_000)
def word_term(word: str) -> str:
    """Return the index term for one normalised non-Han word: respelled and stemmed when plain ASCII letters."""
    if word.isascii() and word.isalpha():
        return stem(respell(word))
    return word


def _load_jieba():
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
        add_words(json.loads((HERE / "userdict.json").read_text(encoding="utf-8"))["words"])
    return _jieba


def tokenizer():
    """Return the jieba tokenizer the index is cut with (domain dictionary and added words loaded)."""
    return _load_jieba().dt


def warm_up() -> None:
    """Load jieba and the domain dictionary now (it takes ~1.5 s), not at the first analysed text."""
    _load_jieba()


def add_words(words: Iterable[str]) -> None:
    """Teach the segmenter names that must stay whole (entity names, the domain dictionary)."""
    jieba = _load_jieba()
    added = False
    for word in words:
        word = normalise(word.strip())
        if len(word) > 1 and all(is_han(ch) for ch in word) and word not in _user_words:
            _user_words.add(word)
            jieba.add_word(word, freq=max(jieba.suggest_freq(word, False), 1000))
            added = True
    if added:
        han_terms.cache_clear()


@lru_cache(maxsize=100_000)
def han_terms(run: str) -> tuple[str, ...]:
    """Return the index terms of one Han run: jieba's search-mode words plus every dictionary sub-word.

    cut_for_search only adds 2- and 3-character sub-words; longer ones (集体安全 inside
    集体安全条约组织) are added here so that a query for any dictionary word finds the records
    holding it inside a longer word.
    """
    jieba = _load_jieba()
    freq = jieba.dt.FREQ
    terms = []
    for word in jieba.cut_for_search(run, HMM=True):
        terms.append(word)
        for size in range(4, len(word)):
            for start in range(len(word) - size + 1):
                sub = word[start:start + size]
                if freq.get(sub):
                    terms.append(sub)
    return tuple(terms)


def analyze(text: str, lang: str) -> list[str]:
    """Return the index-time terms of text written in lang ("zh", "en", "vi"); English drops stop words."""
    terms: list[str] = []
    drop_stop_words = lang == "en"
    for kind, piece in runs(normalise(text)):
        if kind == "han":
            terms.extend(han_terms(piece))
        elif not (drop_stop_words and piece in STOP_WORDS_EN):
            terms.append(word_term(piece))
    return terms
