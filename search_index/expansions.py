"""The translation table the browser expands queries with: concepts across Chinese and English
(and Vietnamese, for the glossary's own concepts), computed at build time from the concept glossary
(content/concepts.yaml) and the CC-CEDICT dictionary (search_index/dictionary.py).

The table maps a key, a space-joined sequence of analysed index terms in one language (`multilater`,
`multilater mechan`, `多边`), to targets in another language, each [target, weight]: a target is a
space-joined sequence of analysed terms that must all match, and the weight (0 < w < 1) multiplies
its boost. The browser looks up its query's terms longest key first.

What makes it trustworthy:
- the glossary wins: a key it names takes its targets only, never the dictionary's;
- a target is kept only when all of its terms are in the index, so the browser gets only what it can use;
- rare senses (after the first few), stop-like glosses ("to be", classifiers, particles, generic
  words such as "thing" or "do") and single characters are dropped;
- a key gets at most MAX_TARGETS translations, the most specific (earliest sense, most used word) first,
  and every weight is below ENTITY_WEIGHT, so translations never outrank an entity's own names or a
  literal match;
- Chinese compounds the dictionary lacks are translated from their parts (多边机制 = 多边 + 机制),
  keeping only translations whose words the English records use, and those translations are keys too
  ("multilateral mechanism" → 多边机制).
"""
from __future__ import annotations

import re
from itertools import product
from typing import Iterable, Mapping

from .analyze import STOP_WORDS_EN, analyze, han_words, is_han, normalise, runs, word_term
from .rules import HAN

# Weights. An entity's other names count ENTITY_WEIGHT in the browser (see js/query.js): every
# translation stays below it, a maintainer's glossary pair above the dictionary's.
ENTITY_WEIGHT = 0.6
GLOSSARY_WEIGHT = 0.5
DICTIONARY_WEIGHTS = (0.4, 0.3, 0.2)  # by the rank of the sense among the word's kept senses
COMPOUND_WEIGHTS = (0.3, 0.2, 0.15)
MAX_TARGETS = 2
MAX_PHRASE = 3  # stems in a dictionary translation: longer glosses describe rather than translate
MAX_PARTS = 3  # parts a compound is translated from
REVERSE_SENSES = 2  # an English word finds the Chinese words whose first or second sense it is
# An English word prefers the Chinese words of which it is at least this share of the glosses: 活力
# ("energy; vitality; vigor; vital force") gives way to 能源 ("energy sources; energy") for "energy".
MAIN_SHARE = 1 / 3

# A Chinese word of two or more characters (a single character is too ambiguous to translate).
_HAN_WORD = re.compile(f"[{HAN}]{{2,}}")

# Glosses that say nothing on their own (after stemming): as a key they would expand every query
# using them, as a target they would match every record.
GENERIC = frozenset(analyze("""
be is have do make get go come take give put say see look use thing things matter way kind type sort
part place time person people one some all each every other various certain general very much many
more most also still again just only even etc et cetera large big small bad new old high low main
important great basic real actual whole entire same different special common usual normal ordinary
carry conduct proceed achieve display exhibit express aspect side face point situation condition
state things issue problem question case fact form item number amount level degree area field
therefore although though thus hence however moreover furthermore besides meanwhile whereas otherwise
few little stuff oneself itself someone something somebody anything everything nothing probably necessarily
""", "en"))


def phrase(name: str, lang: str) -> str:
    """Return name as a space-joined sequence of analysed terms as a query would hold them: a Chinese
    word whole (jieba's precise cut, 多边合作), English stemmed without stop words, Vietnamese folded."""
    if lang != "zh":
        return " ".join(analyze(name, lang))
    terms: list[str] = []
    for kind, piece in runs(normalise(name)):
        terms.extend(han_words(piece) if kind == "han" else (word_term(piece),))
    return " ".join(terms)


def vocabulary(texts: Iterable[tuple[Iterable[str], Iterable[str]]]) -> dict[str, dict[str, int]]:
    """Return {language: {term: number of texts holding it}} of (languages, analysed terms) pairs, one
    pair per record (e.g. a record's "languages" and its analysis's text terms): a Chinese term goes to
    zh, any other to the record's other language(s), so a glossary entry's Vietnamese is not English."""
    out: dict[str, dict[str, int]] = {}
    for languages, terms in texts:
        languages = list(languages)
        others = [lang for lang in languages if lang != "zh"]
        for term in set(terms):
            for lang in (("zh",) if any(is_han(c) for c in term) else others):
                slot = out.setdefault(lang, {})
                slot[term] = slot.get(term, 0) + 1
    return {lang: dict(sorted(terms.items())) for lang, terms in sorted(out.items())}


def expansions(vocabulary: Mapping[str, Iterable[str]], concepts: Iterable[dict] = (),
               dictionary: Mapping[str, list[list[str]]] | None = None,
               entities: Iterable[dict] = (), min_count: int = 1) -> dict[str, list[list]]:
    """Return {key: [[target, weight], ...]}, keys sorted, targets heaviest first, for an index whose
    analysed terms per language are vocabulary ({"zh": terms, "en": terms, ...}; a mapping of term to
    document count makes the most used of equal translations come first).

    concepts are content/concepts.yaml's (bibsite/concepts.py); dictionary maps a simplified word to its
    senses, each a list of English glosses (search_index/dictionary.py; the installed CC-CEDICT by default);
    entities' names are left to the entity expansion the browser already does: neither keys nor targets.
    min_count: the dictionary translates only Chinese words used in at least that many texts (the
    glossary's pairs are always kept); 2 halves the table of a large collection, see the README.
    """
    if dictionary is None:
        from .dictionary import dictionary as installed
        dictionary = installed()
    vocab = {lang: _counts(terms) for lang, terms in vocabulary.items()}
    zh_vocab, en_vocab = vocab.get("zh", {}), vocab.get("en", {})
    names = _entity_names(entities)

    table: dict[str, dict[str, float]] = {}
    shown: dict[str, str] = {}  # a target as a reader writes it (multilateral, not multilater)
    owned = _glossary(concepts, vocab, names, table, shown)

    # Chinese → English, and English → Chinese from the same translations.
    reverse: dict[str, list[tuple]] = {}
    for word in sorted(zh_vocab):
        if zh_vocab[word] < min_count or not _HAN_WORD.fullmatch(word) or word in names:
            continue
        found = _translations(word, dictionary, en_vocab)
        if word not in owned:
            kept = [(target, weight) for target, weight, _, _ in found if _all_in(target, en_vocab)]
            _add(table, word, kept[:MAX_TARGETS])
        for target, _, _, text in found:
            shown.setdefault(target, text)
        for target, weight, compound, _ in found:
            rank = _rank(weight, compound)
            if rank >= REVERSE_SENSES or target in owned or target in names or len(target) < 3 \
                    or (compound and not _all_in(target, en_vocab)):
                continue
            main = compound or _share(target, dictionary[word]) >= MAIN_SHARE
            reverse.setdefault(target, []).append((rank, -zh_vocab[word], len(word), word, weight, main))
    _outside(dictionary, zh_vocab, en_vocab, owned | names, min_count, table, shown)
    for key, candidates in reverse.items():
        # A word whose first sense this is beats one for which it is a secondary sense (weav → 组织).
        best = min(rank for rank, *_ in candidates)
        candidates = [c for c in candidates if c[0] == best]
        # A word of which this is only one gloss among many (活力 for energy) gives way to one it mainly means.
        if any(c[-1] for c in candidates):
            candidates = [c for c in candidates if c[-1]]
        chosen = sorted(candidates)[:MAX_TARGETS]
        _add(table, key, [(word, weight) for _, _, _, word, weight, _ in chosen])
    return {key: [_row(target, weight, shown) for target, weight in sorted(targets.items(), key=lambda kv: (-kv[1], kv[0]))]
            for key, targets in sorted(table.items()) if targets}


def _row(target: str, weight: float, shown: Mapping[str, str]) -> list:
    """Return [target, weight], with a third entry, the words the target was written as, when they
    differ from its analysed terms (the browser's "also searched" line shows them)."""
    text = shown.get(target, "")
    return [target, weight, text] if text and text != target else [target, weight]


def _outside(dictionary, zh_vocab, en_vocab, skip, min_count, table, shown) -> None:
    """Add Chinese words that no Chinese record uses but whose first sense an English record does
    (海啸 → tsunami): a reader asks in Chinese for what only English records hold. Only a one-word
    sense the English records use min_count times or more, and for each such English word only the
    most used Chinese word (jieba's counts) whose first sense it is, so the table stays small."""
    from .analyze import tokenizer

    counts = tokenizer().FREQ
    best: dict[str, tuple[int, str]] = {}
    for word in sorted(dictionary):
        if word in zh_vocab or word in skip or not _HAN_WORD.fullmatch(word):
            continue
        first = [g for g in dictionary[word][0] if g.isalpha()]
        # One plain word: its term is its stem (what analyze() would give, a hundred times faster).
        target = word_term(first[0].lower()) if first and first[0].lower() not in STOP_WORDS_EN else ""
        if target in GENERIC:
            continue
        if target and en_vocab.get(target, 0) >= min_count:
            candidate = (counts.get(word, 0), word)
            if candidate[0] and candidate > best.get(target, (0, "")):
                best[target] = candidate
    for target, (_, word) in best.items():
        _add(table, word, [(target, DICTIONARY_WEIGHTS[1])])
        shown.setdefault(target, next(g for g in dictionary[word][0] if g.isalpha()).lower())


def _share(target: str, senses) -> float:
    """Return the share of a word's meaningful glosses (all senses) that say target."""
    said = [_gloss_phrase(g) for sense in senses for g in sense]
    said = [t for t in said if t]
    return said.count(target) / len(said) if said else 0.0


def _rank(weight: float, compound: bool) -> int:
    """Return the rank of a translation's sense from its weight (0: the word's first sense)."""
    return (COMPOUND_WEIGHTS if compound else DICTIONARY_WEIGHTS).index(weight)


def _counts(terms) -> dict[str, int]:
    if isinstance(terms, Mapping):
        return {term: int(count) for term, count in terms.items()}
    return {term: 1 for term in terms}


def _entity_names(entities) -> set[str]:
    """Return every entity name as a key would spell it, Chinese and English."""
    out: set[str] = set()
    for entity in entities:
        for lang, names in entity.get("names", {}).items():
            for name in names:
                han = any(is_han(c) for c in name)
                out.add(phrase(name, "zh" if han else lang))
                if han:
                    out.add(normalise(name))  # whole, as the build's segmenter (taught the names) cuts it
        for name in entity.get("joint", ()):
            out.update((phrase(name, "zh"), normalise(name)))
    out.discard("")
    return out


def _all_in(target: str, vocab: Mapping[str, int]) -> bool:
    return bool(target) and all(term in vocab for term in target.split(" "))


def _add(table: dict, key: str, targets: Iterable[tuple[str, float]]) -> None:
    slot = table.setdefault(key, {})
    for target, weight in targets:
        if target != key and weight > slot.get(target, 0.0):
            slot[target] = weight


def _glossary(concepts, vocab, names, table, shown) -> set[str]:
    """Add the glossary's pairs to table; return the keys it owns (the dictionary adds nothing to them)."""
    owned: set[str] = set()
    for concept in concepts:
        spelled = {lang: [p for p in dict.fromkeys(phrase(n, lang) for n in concept.get(lang, ())) if p]
                   for lang in vocab}
        for lang in vocab:
            for name in concept.get(lang, ()):
                if phrase(name, lang):
                    shown.setdefault(phrase(name, lang), name)
        for lang, keys in spelled.items():
            # A Chinese name the index also holds whole (a longer word cut elsewhere) is a key both ways.
            joined = [k.replace(" ", "") for k in keys if lang == "zh" and " " in k and k.replace(" ", "") in vocab[lang]]
            for key in keys + joined:
                if key in names:
                    continue
                owned.add(key)
                targets = [(target, GLOSSARY_WEIGHT) for other, phrases in spelled.items() if other != lang
                           for target in phrases if _all_in(target, vocab[other])]
                _add(table, key, targets)  # a maintainer's pairs are never cut
    return owned


def _translations(word: str, dictionary, en_vocab) -> list[tuple[str, float, bool, str]]:
    """Return [(English phrase, weight, from parts?, the gloss as written)] for a Chinese word, most
    specific first: its dictionary senses, else (a compound the dictionary lacks) the translations of
    its parts."""
    out: list[tuple[str, float, bool, str]] = []
    rank = 0
    senses = dictionary.get(word, ())
    if senses and not any(_gloss_phrase(g) for g in senses[0]):
        return []  # a function word (因为 "because; owing to"): its other senses are rare ones
    for sense in senses:
        written = {}
        for gloss in sense:
            written.setdefault(_gloss_phrase(gloss), gloss)
        fresh = [t for t in written if t and t not in (o[0] for o in out)]
        out.extend((target, DICTIONARY_WEIGHTS[rank], False, written[target]) for target in fresh)
        rank += bool(fresh)  # near-synonyms of one sense (能源: energy sources; energy) rank alike
        if rank == len(DICTIONARY_WEIGHTS):
            break
    if out or word in dictionary:
        return out
    return [(target, COMPOUND_WEIGHTS[rank], True, text)
            for rank, (target, text) in enumerate(_compound(word, dictionary, en_vocab))]


def _gloss_phrase(gloss: str) -> str:
    """Return a gloss as analysed English terms, or "" when it is stop-like or too long to be a term."""
    words = gloss.split()
    if len(words) > 1 and words[0].lower() in STOP_WORDS_EN:
        return ""  # a function phrase (因此 "as a result", 进行 "in progress"), not the word's meaning
    terms = analyze(gloss, "en")
    if not terms or len(terms) > MAX_PHRASE or all(t in GENERIC for t in terms):
        return ""
    return " ".join(terms)


def _compound(word: str, dictionary, en_vocab) -> list[tuple[str, str]]:
    """Return up to MAX_TARGETS (English phrase, as written) for a compound made of dictionary words, each
    word in the English records: the split into fewest parts (longest part first), its parts' senses in order."""
    split = _split(word, dictionary)
    if not split:
        return []
    options = []
    for part in split:
        written = {}
        for sense in dictionary[part][:len(DICTIONARY_WEIGHTS)]:
            for gloss in sense:
                if _gloss_phrase(gloss):
                    written.setdefault(_gloss_phrase(gloss), gloss)
        options.append(list(written.items()))
    ranked = sorted(product(*(enumerate(o) for o in options)), key=lambda combo: sum(rank for rank, _ in combo))
    out: list[tuple[str, str]] = []
    for combo in ranked:
        target = " ".join(gloss for _, (gloss, _) in combo)
        if len(target.split(" ")) <= MAX_PHRASE + 1 and _all_in(target, en_vocab) and target not in (o[0] for o in out):
            out.append((target, " ".join(text for _, (_, text) in combo)))
            if len(out) == MAX_TARGETS:
                break
    return out


def _split(word: str, dictionary) -> list[str]:
    """Return word as the fewest dictionary words of two or more characters (leftmost longest), or []."""
    best: dict[int, list[str]] = {0: []}
    for end in range(2, len(word) + 1):
        for start in range(end - 2, -1, -1):
            if start in best and (end - start) < len(word) and word[start:end] in dictionary \
                    and len(best[start]) < MAX_PARTS:
                candidate = best[start] + [word[start:end]]
                if end not in best or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best.get(len(word), [])
