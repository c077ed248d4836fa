"""Collation: the order readers of each language expect a list of titles in, as sort keys.

Chinese sorts by pinyin (tone-numbered syllables, then the characters themselves, so homophones keep a
stable order); digits and Latin letters come before Han characters, as in CLDR's Chinese collation and
in Chinese library catalogues. English sorts by title without a leading article, ignoring case and
accents. Vietnamese sorts by the Vietnamese alphabet (a ă â b c d đ e ê …), letters first, then tones.
Punctuation is ignored at the first level of every key; the text itself breaks the last ties.
"""
from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_NON_HAN = "\x00"  # marks the pieces pypinyin hands back unconverted (digits, Latin, punctuation)

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


def chinese_key(text: str) -> tuple:
    """Return (pinyin syllables with digits and Latin letters before them, the text): 中 after 上, 阿 first."""
    ranks: list[tuple[int, str]] = []
    for piece in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: [_NON_HAN + s]):
        if piece.startswith(_NON_HAN):
            ranks.extend(_latin_ranks(piece[1:]))
        else:
            ranks.append((_HAN, piece))
    while ranks and ranks[0][0] == _SPACE:
        ranks.pop(0)
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
