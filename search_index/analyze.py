"""Index-time text analysis: normalise, split into Han runs and words, segment, fold spellings, stem.

The rules live in rules.json, which search_index/js/analyze.js reads too; only the Chinese
segmentation differs between the halves (jieba here, a match over the index's own vocabulary in
the browser, see js/query.js), and tests/test_search_parity.py checks that they meet.
"""
from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from bibsite.files import write_atomic

from .rules import HAN, RULES, is_han
from .stemmer import stem
from .traditional import full_table

HERE = Path(__file__).resolve().parent
STOP_WORDS_EN = frozenset(RULES["stop_words_en"])
_FOLD: dict[str, str] = RULES["fold"]
_APOSTROPHES = frozenset(RULES["apostrophes"])
_SPELLING = RULES["spelling"]
_KEEP = frozenset(_SPELLING["keep"])

class _Segmenter:
    """The process's jieba, loaded on first use, and the words taught to it (one per process: jieba's
    dictionary is process-wide)."""

    def __init__(self):
        self.jieba = None
        self.user_words: set[str] = set()
        self.seen: set[str] = set()  # every word add_words was given, as given
        self.pending_words: list[str] = []  # taught before jieba was needed: added when it loads
        self.plain_dictionary: tuple[dict, int] | None = None  # jieba's own word frequencies, before any add_words
        self.dictionary_folder: Path | None = None  # where kept() keeps loaded data (keep_dictionary_in)


_STATE = _Segmenter()


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


class _FoldTable(dict):
    """str.translate table of fold_char, filled as characters are met."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def normalise(text: str) -> str:
    """Return text folded character by character (see fold_char); lengths may change."""
    return text.translate(_FOLD_TABLE)


_HAN_CLASS = f"[{HAN}]"
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


def _import_jieba():
    """Import jieba without pkg_resources, whose import alone takes a quarter of a second: jieba
    imports it only to open its own data files, and opens them from its folder when it is missing."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # makes `import pkg_resources` raise ImportError
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    return jieba


def _load_jieba():
    if _STATE.jieba is None:
        jieba = _import_jieba()
        jieba.setLogLevel(logging.WARNING)
        _initialize(jieba)
        _STATE.plain_dictionary = (dict(jieba.dt.FREQ), jieba.dt.total)
        _STATE.jieba = jieba
        pending = list(_STATE.pending_words)
        _STATE.pending_words.clear()
        _add_to_jieba(_new_words(json.loads((HERE / "userdict.json").read_text(encoding="utf-8"))["words"]))
        _add_to_jieba(pending)
    return _STATE.jieba


_KEPT_MAGIC = b"bibsite-kept-data\n"


def keep_dictionary_in(folder: Path) -> None:
    """Keep jieba's loaded dictionary (and other data read from jieba's files, see kept()) in folder,
    a build's cache folder: read back from there it loads in a third of the time (~0.3 s, not ~1 s)."""
    _STATE.dictionary_folder = Path(folder)


def kept(name: str, source: Path, compute: Callable[[], Any]) -> Any:
    """Return compute(), which reads the file source, or the copy of its result kept under the folder
    given to keep_dictionary_in() while source is unchanged (checked by hash, like the copy itself)."""
    folder = _STATE.dictionary_folder
    if folder is None:
        return compute()
    header = f"{name} {hashlib.sha256(source.read_bytes()).hexdigest()}".encode()
    path = folder / f"{name}.pickle"
    try:
        magic, stored_header, checksum, body = path.read_bytes().split(b"\n", 3)
        if magic + b"\n" == _KEPT_MAGIC and stored_header == header \
                and checksum == hashlib.sha256(body).hexdigest().encode():
            return pickle.loads(body)  # our own file, written below and checked above: safe to unpickle
    except (OSError, ValueError, pickle.UnpicklingError):
        pass
    value = compute()
    body = pickle.dumps(value, protocol=5)
    try:
        write_atomic(path, _KEPT_MAGIC + header + b"\n" + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    except OSError:
        pass  # only a cache: the next build computes again
    return value


def _initialize(jieba) -> None:
    """Load jieba's dictionary, from the copy kept by keep_dictionary_in() when there is one."""
    def load():
        jieba.initialize()
        return jieba.dt.FREQ, jieba.dt.total

    jieba.dt.FREQ, jieba.dt.total = kept("jieba-dictionary", Path(jieba.__file__).parent / "dict.txt", load)
    jieba.dt.initialized = True


def tokenizer():
    """Return the jieba tokenizer the index is cut with (domain dictionary and added words loaded)."""
    return _load_jieba().dt


def plain_tokenizer():
    """Return a new jieba tokenizer knowing only jieba's own dictionary (none of the added words),
    built from the dictionary already in memory rather than by loading it again (~1 s)."""
    jieba = _load_jieba()
    fresh = jieba.Tokenizer()
    fresh.FREQ, fresh.total = dict(_STATE.plain_dictionary[0]), _STATE.plain_dictionary[1]
    fresh.initialized = True
    return fresh


def warm_up() -> None:
    """Load jieba and the domain dictionary now (it takes ~1.5 s), not at the first analysed text."""
    _load_jieba()


def add_words(words: Iterable[str]) -> None:
    """Teach the segmenter names that must stay whole (entity names, the domain dictionary).

    jieba takes a second to load: until some text is cut, the words wait and jieba stays unloaded."""
    new = _new_words(words)
    if _STATE.jieba is None:
        _STATE.pending_words.extend(new)
    else:
        _add_to_jieba(new)


def _new_words(words: Iterable[str]) -> list[str]:
    """Return the normalised Chinese words of words not taught before, marking them as taught."""
    new = []
    for word in words:
        if word in _STATE.seen:
            continue  # taught before: the common case, as callers pass their whole list every time
        _STATE.seen.add(word)
        word = normalise(word.strip())
        if len(word) > 1 and all(is_han(ch) for ch in word) and word not in _STATE.user_words:
            _STATE.user_words.add(word)
            new.append(word)
    return new


def _add_to_jieba(words: list[str]) -> None:
    for word in words:
        _STATE.jieba.add_word(word, freq=max(_STATE.jieba.suggest_freq(word, False), 1000))
    if words:
        han_words.cache_clear()
        han_terms.cache_clear()


@lru_cache(maxsize=100_000)
def han_words(run: str) -> tuple[str, ...]:
    """Return jieba's words of one Han run (precise mode, HMM on): what han_terms, keyword extraction
    and entity tagging all start from, so that each run is cut once."""
    return tuple(_load_jieba().dt.cut(run, HMM=True))


@lru_cache(maxsize=100_000)
def han_terms(run: str) -> tuple[str, ...]:
    """Return the index terms of one Han run: jieba's search-mode words plus every dictionary sub-word.

    Search mode (jieba.cut_for_search) is each word preceded by its 2- and 3-character sub-words
    that are in the dictionary; longer ones (集体安全 inside 集体安全条约组织) are added here so that a
    query for any dictionary word finds the records holding it inside a longer word.
    """
    freq = _load_jieba().dt.FREQ
    terms = []
    for word in han_words(run):
        length = len(word)
        if length > 2:
            terms.extend(gram for gram in (word[i:i + 2] for i in range(length - 1)) if freq.get(gram))
        if length > 3:
            terms.extend(gram for gram in (word[i:i + 3] for i in range(length - 2)) if freq.get(gram))
        terms.append(word)
        for size in range(4, length):
            for start in range(length - size + 1):
                sub = word[start:start + size]
                if freq.get(sub):
                    terms.append(sub)
    return tuple(terms)


def words(text: str) -> list[tuple[str, str]]:
    """Return text's words before stemming, in order, as (kind, word): ("han", one of jieba's words of
    a Han run) or ("word", a normalised non-Han word)."""
    out: list[tuple[str, str]] = []
    for kind, piece in runs(normalise(text)):
        if kind == "han":
            out.extend(("han", word) for word in han_words(piece))
        else:
            out.append((kind, piece))
    return out


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
