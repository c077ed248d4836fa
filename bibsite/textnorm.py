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


_OPENERS = {"(": ")", "（": "）", "[": "]", "【": "】", "《": "》", "〈": "〉", "“": "”", "‘": "’", "「": "」", "『": "』"}
_CLOSERS = {close: open_ for open_, close in _OPENERS.items()}
# Where a long first sentence may be cut: after a clause or phrase mark, at bracket and quote depth 0.
_ZH_BREAKS = "，,：:；;"  # not —: 4—5日 is a range
_EN_BREAKS = ",;:—–"
# Words a shortened English title must not end on ("…, while the…"): they promise what was cut off.
_EN_DANGLING = frozenset("""a an the and or but nor so yet while whereas although though because since as if when
    where which who whom whose that than of in on at by for from to into onto with within without about between
    among through over under after before during against its their his her our this these those is are was were be
    been has have had not more most very such both either neither each""".split())


def _outside_brackets(text: str) -> list[bool]:
    """Return, for each position of text, whether a cut there falls outside every bracket and quote."""
    stack: list[str] = []
    outside = []
    straight_open = False
    for char in text:
        outside.append(not stack and not straight_open)
        if char in _OPENERS:
            stack.append(char)
        elif char in _CLOSERS and stack and stack[-1] == _CLOSERS[char]:
            stack.pop()
        elif char == '"':
            straight_open = not straight_open
    outside.append(not stack and not straight_open)
    return outside


def derive_title(text: str, language: str) -> str:
    """Return a display title made from the first sentence, cut when too long at a clause or phrase
    boundary outside brackets and quotes, never after a word that needs what follows ("while the")."""
    first = first_sentence(text)
    first = TRUNCATION.sub("", first)
    first = re.sub(r"[。．.！？!?；;，,：:、\s]+$", "", first)
    limit = TITLE_MAX.get(language, 110)
    if len(first) <= limit:
        return first
    outside = _outside_brackets(first)
    if language == "zh":
        # after a clause mark if one leaves a title of some length, else at the limit outside brackets
        # an enumeration comma (、) only when no clause mark will do: it cuts a list in two
        cuts = [i for i in range(limit * 2 // 5, limit + 1) if first[i - 1] in _ZH_BREAKS and outside[i]] or \
            [i for i in range(limit * 2 // 5, limit + 1) if first[i - 1] == "、" and outside[i]]
        cut = cuts[-1] if cuts else _cut_outside(first, outside, limit, lambda i: True)
        return first[:cut].rstrip(_ZH_BREAKS + "、 ") + "…"
    cuts = [i for i in range(limit // 2, limit + 1) if first[i - 1] in _EN_BREAKS and outside[i]]
    cut = cuts[-1] if cuts else _cut_outside(first, outside, limit, lambda i: first[i] == " ")
    words = first[:cut].rstrip(_EN_BREAKS + " ").split(" ")
    while len(words) > 3 and words[-1].strip(_EN_BREAKS).lower() in _EN_DANGLING:
        words.pop()
    return " ".join(words).rstrip(_EN_BREAKS + " ") + "…"


def after_derived_title(text: str, title: str, language: str) -> str:
    """Return text without its first sentence when title is that whole sentence (so the page does not
    show it twice, once as the heading and again as if new); else, or if nothing would remain, text."""
    first = first_sentence(text)
    if not first or title.endswith("…") or derive_title(first, language) != title:
        return text
    return text[text.index(first) + len(first):].strip() or text


def _cut_outside(text: str, outside: list[bool], limit: int, allowed) -> int:
    """Return where to cut text near limit: the last allowed place outside brackets and quotes in the
    second half of the limit, else the first one after it (a bracket is finished), else the last before."""
    for i in range(limit, limit // 2, -1):
        if outside[i] and allowed(i):
            return i
    for i in range(limit + 1, min(len(text), limit * 3 // 2)):
        if outside[i] and allowed(i):
            return i
    return next((i for i in range(limit // 2, 0, -1) if outside[i] and allowed(i)), limit)


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
