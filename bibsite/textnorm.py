"""Chinese-aware text rules: PDF space repair, sentences, derived titles, truncation, ids, language."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from search_index.rules import HAN, HAN_CHAR, VIETNAMESE

# HAN (inside [...]) and HAN_CHAR are what a Chinese character is for every rule of the project
# (search_index/rules.json). Add CJK punctuation and full-width forms, and you have the characters
# between which a PDF line break leaves a space that does not belong to the text.
CJK = f"{HAN}\u2e80-\u2eff\u3001-\u303f\uff00-\uffef"
_PDF_SPACE = re.compile(f"(?<=[{CJK}])[ \\t\\u3000\\u00a0]+(?=[{CJK}])")
_SPACES = re.compile(r"[ \t\u00a0]+")
# Letters are counted by runs ([…]+), which is much faster than one match per letter.
_HAN_RUN = re.compile(f"[{HAN}]+")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
_VI_RUN = re.compile(f"[{VIETNAMESE}]+")  # letters only Vietnamese uses (search_index/rules.py)
# A sentence ends at full-width 。！？；, at !?; and at a '.' that is followed by a CJK character,
# by space and a capital or CJK character, or by the end: so `资格.这一决定` splits but 3.5 does not.
_SENTENCE_END = re.compile(
    f"(?:[。！？；!?;]+|(?<![0-9A-Z])\\.(?=[{CJK}]|\\s+[A-Z{CJK}\"“(]|\\s*$))[”\"’)）]*"
)
TRUNCATION = re.compile(r"(?:\.{3,}|…+|。。。)\s*$")
_TRUNCATION_ENDS = ("...", "…", "。。。")  # what TRUNCATION finds, once trailing whitespace is stripped
TITLE_MAX = {"zh": 36, "en": 110, "vi": 110}


def join_lines(lines: list[str]) -> str:
    """Return lines joined into one paragraph: no space where a break fell between CJK characters."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if text and not (re.match(f"[{CJK}]", text[-1]) and re.match(f"[{CJK}]", line[0])):
            text += " "
        text += line
    return text


def repair_pdf_spaces(text: str) -> str:
    """Return text without the spaces PDF extraction left between two CJK characters."""
    text = _SPACES.sub(" ", text)
    return _PDF_SPACE.sub("", text).strip()


def split_sentences(text: str) -> list[str]:
    """Return the sentences of text, understanding full-width and half-width punctuation."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentence = text[start:match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def first_sentence(text: str) -> str:
    """Return split_sentences(text)[0] ("" for blank text) without splitting the rest of the text."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentence = text[start:match.end()].strip()
        if sentence:
            return sentence
        start = match.end()
    return text[start:].strip()


def is_truncated(text: str) -> bool:
    """Return True when the source cut the text off (it ends with ... or …): TRUNCATION.search(text),
    without trying the pattern at every position of the text."""
    return text.rstrip().endswith(_TRUNCATION_ENDS)


def derive_title(text: str, language: str) -> str:
    """Return a display title made from the first sentence, shortened to a readable length."""
    first = first_sentence(text)
    first = TRUNCATION.sub("", first)
    first = re.sub(r"[。．.！？!?；;，,：:、\s]+$", "", first)
    limit = TITLE_MAX.get(language, 110)
    if len(first) <= limit:
        return first
    if language == "zh":
        # Prefer a clause boundary (comma) so the title does not stop mid-word.
        cut = max(first.rfind(p, 0, limit) for p in "，,、：:")
        cut = cut if cut >= limit // 2 else limit
        return first[:cut].rstrip("，,、：: ") + "…"
    cut = first.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return first[:cut].rstrip(" ,;:") + "…"


def _count(runs: re.Pattern, text: str) -> int:
    """Return how many characters of text a pattern of the form [class]+ matches."""
    return sum(map(len, runs.findall(text)))


def detect_language(text: str) -> str:
    """Return 'zh', 'vi' or 'en': the main language of text, by its letters."""
    han = _count(_HAN_RUN, text)
    latin = _count(_LATIN_RUN, text)
    if han and han >= latin / 4:
        return "zh"
    vietnamese = _count(_VI_RUN, unicodedata.normalize("NFC", text))
    if latin and vietnamese >= max(3, latin * 0.03):
        return "vi"
    return "en"


# Characters no abstract holds and a reader cannot see: control characters (but tab, line feed, form
# feed, carriage return), DEL, the C1 controls, and the bidirectional embeddings, overrides and
# isolates, which reorder what is shown (a "Trojan Source" trick). Refused, not removed: the
# maintainer should look at the source they came from.
INVISIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def describe_invisible(char: str) -> str:
    """Return how an error names one of the INVISIBLE characters."""
    kind = "a bidirectional override" if "\u202a" <= char <= "\u2069" else "a control character"
    return f"the invisible character U+{ord(char):04X} ({kind})"


def has_letters(text: str) -> bool:
    """Return True when text holds at least one letter of any script (an abstract of only '…' or
    '....' has none, and no title can be made from it)."""
    return any(char.isalpha() for char in text)


def identity_text(text: str) -> str:
    """Return the normalised form of text that its id is derived from."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def record_id(text: str) -> str:
    """Return the stable 10-hex-digit id of a record with this text."""
    return hashlib.sha256(identity_text(text).encode("utf-8")).hexdigest()[:10]
