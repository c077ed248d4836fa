"""Collation: the order readers of each language expect a list of titles in, as sort keys.

Chinese sorts by pinyin (tone-numbered syllables, then the characters themselves, so homophones keep a
stable order); digits and Latin letters come before Han characters, as in CLDR's Chinese collation and
in Chinese library catalogues. As in CLDR's pinyin collation, each character is read by its most common
reading, whatever the word around it (重庆 sorts under zhong): reading words in context takes pypinyin's
phrase table, measured at 1 s to load and 7 s for 5,000 titles, against 0.2 s and 0.1 s this way. English sorts by title without a leading article, ignoring case and
accents. Vietnamese sorts by the Vietnamese alphabet (a ă â b c d đ e ê …), letters first, then tones.
Punctuation is ignored at the first level of every key; the text itself breaks the last ties.
"""
from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

# Rank classes of a character at the first level: a space sorts before any letter, so that word by word
# "an ninh" comes before "anh"; digits before letters, letters before Han syllables.
_SPACE, _DIGIT, _LETTER, _HAN = 0, 1, 2, 3

# The Vietnamese alphabet, with the Latin letters it lacks (f j w z) where Latin puts them, so loanwords
# and names still sort sensibly.
_VI_ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
                "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_VI_RANK = {letter: rank for rank, letter in enumerate(_VI_ALPHABET)}
# Tone marks in dictionary order: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_VI_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_VI_LETTER_MARKS = "\u0306\u0302\u031b"  # breve (ă), circumflex (â ê ô), horn (ơ ư): part of the letter

_EN_ARTICLE = re.compile(r"^(?:the|an|a)\s+(?=\w)", re.IGNORECASE)
_LEADING_PUNCT = re.compile(r"^[\W_]+")


def sort_key(text: str, language: str) -> tuple:
    """Return the key that sorts text as readers of language expect (zh, vi; anything else as English)."""
    if language == "zh":
        return chinese_key(text)
    if language == "vi":
        return vietnamese_key(text)
    return english_key(text)


def _latin_ranks(chunk: str) -> list[tuple[int, str]]:
    """Return the first-level ranks of a non-Han piece: spaces, digits and letters (without accents)."""
    ranks = []
    for char in unicodedata.normalize("NFKD", chunk).lower():
        if char.isspace():
            if ranks and ranks[-1][0] != _SPACE:
                ranks.append((_SPACE, ""))
        elif char.isdigit():
            ranks.append((_DIGIT, char))
        elif char.isalpha():
            ranks.append((_LETTER, "d" if char == "đ" else char))
    return ranks


@lru_cache(maxsize=1)
def _pinyin():
    """Return (pypinyin's table {code point: readings}, its tone-number converter), loaded on first use.

    pypinyin's documented switches keep it from loading (and copying) its phrase table, which only
    reading in context needs: that is 0.8 s of a build's start-up saved."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    from pypinyin.contrib.tone_convert import to_tone3
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict, to_tone3


@lru_cache(maxsize=None)
def _char_rank(char: str) -> tuple:
    """Return the first-level rank of one character: its most common reading in tone-numbered pinyin
    (zhong1) for a Han character, else what _latin_ranks makes of it (nothing for punctuation)."""
    table, to_tone3 = _pinyin()
    readings = table.get(ord(char))
    if readings:
        return ((_HAN, to_tone3(readings.split(",")[0], neutral_tone_with_five=True)),)
    return tuple(_latin_ranks(char))


def chinese_key(text: str) -> tuple:
    """Return (pinyin syllables with digits and Latin letters before them, the text): 中 after 上, 阿 first."""
    ranks: list[tuple[int, str]] = []
    for char in text:
        for rank in _char_rank(char):
            # runs of spaces count once, and never lead
            if rank[0] != _SPACE or (ranks and ranks[-1][0] != _SPACE):
                ranks.append(rank)
    return tuple(ranks), text


def english_key(text: str) -> tuple:
    """Return (the title without leading punctuation and article, casefolded, accents dropped; the text)."""
    plain = _EN_ARTICLE.sub("", _LEADING_PUNCT.sub("", text.strip()))
    folded = "".join(c for c in unicodedata.normalize("NFKD", plain.casefold()) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", "", folded).split()), text.casefold(), text


def vietnamese_key(text: str) -> tuple:
    """Return (letters in the Vietnamese alphabet's order, then the tone of each, then the text)."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFC", text.strip()).lower():
        if char.isspace():
            if letters and letters[-1][0] != _SPACE:
                letters.append((_SPACE, 0))
            continue
        parts = unicodedata.normalize("NFD", char)
        base = parts[0]
        marks = parts[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _VI_LETTER_MARKS))
        if letter in _VI_RANK:
            letters.append((_LETTER, _VI_RANK[letter]))
            tones.append(next((_VI_TONES[m] for m in marks if m in _VI_TONES), 0))
        elif base.isdigit():
            letters.append((_DIGIT, int(base)))
        elif base.isalpha():
            # a letter outside the Latin alphabet (a Han character in a Vietnamese title): after z
            letters.append((_LETTER, len(_VI_ALPHABET) + ord(base)))
    return tuple(letters), tuple(tones), text


def romanise(text: str) -> str:
    """Return text in plain Latin letters and digits: Han characters by their most common pinyin reading
    without tones (the reading chinese_key sorts by), other letters without accents, the rest as spaces."""
    out = []
    for char in text:
        ranks = _char_rank(char)
        if ranks and ranks[0][0] == _HAN:
            out.append(f" {ranks[0][1].rstrip('012345')} ")
        else:
            out.append("".join(value for _, value in ranks) if ranks else " ")
    return " ".join("".join(out).split())
