"""The entity table (content/entities.yaml): organisations, countries and regions, their names in zh/en/vi,
and the tagger that finds which of them a text mentions, whatever the language or short form.

An entity is a plain dict with fixed keys:
    {"slug": "sco", "kind": "organisation",
     "names": {"zh": [...], "en": [...], "vi": [...]},   # first name per language = display name
     "joint": [...]}                                     # compounds such as 中俄 (China + Russia)
"""
from __future__ import annotations

import difflib
import functools
import os
import re
import unicodedata
from pathlib import Path

import yaml

from . import textfile, yamlfile
from .errors import InputError
from .schema import LANGUAGES, SLUG_PATTERN
from .textnorm import HAN_CHAR

KINDS = ("organisation", "country", "region")
ENTITY_KEYS = ("slug", "kind", "names", "joint")
# Apostrophes and dashes that writers use interchangeably inside names.
_APOSTROPHES = "'\u2019\u02bc"
_DASHES = "-\u2010\u2011\u2013"
_SEPARATOR = "[\\s\\-\u2010\u2011\u2013]+"


# --- loading ---------------------------------------------------------------------------------

def load_entities(path, project_root=None) -> list[dict]:
    """Return the entities of a YAML entity table in file order, or raise InputError at file:line
    (naming the file relative to project_root, when given, which it must lie inside)."""
    path = Path(path)
    shown = os.path.relpath(path, project_root) if project_root is not None else path
    if not os.path.lexists(path):
        raise InputError(shown, "entity table not found", "create it, or restore content/entities.yaml from git")
    root = yamlfile.compose(textfile.read_utf8(path, shown, project_root), shown)
    path = shown
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise InputError(path, "should be a list of entities", "start each entity with '- slug: …'", _line(root))
    read = [_Reader(path).entity(node) for node in root.value]
    _check_unique(path, read)
    return [entity for entity, _ in read]


def _line(node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Reads entity nodes of one file; every error it raises names that file and the node's line."""

    def __init__(self, path):
        self.path = path

    def fail(self, problem, fix, node):
        raise InputError(self.path, problem, fix, _line(node))

    def entity(self, node) -> tuple[dict, dict]:
        """Return (entity, lines): lines maps "slug" and each (field, name) to the line it is on."""
        if not isinstance(node, yaml.MappingNode):
            self.fail("entity is not a 'key: value' block", "write slug:, kind: and names: under '- '", node)
        fields = self.mapping(node, ENTITY_KEYS, "entity")
        if "slug" not in fields:
            self.fail("entity has no slug", "add 'slug: …' (lowercase letters, digits, '-')", node)
        slug = self.scalar(fields["slug"], "slug")
        if not SLUG_PATTERN.match(slug):
            self.fail(f"slug {slug!r} is not a lowercase slug", "use a-z, 0-9 and '-', e.g. 'sco'", fields["slug"])
        if "kind" not in fields:
            self.fail(f"entity '{slug}' has no kind", f"add 'kind:' with one of: {', '.join(KINDS)}", node)
        kind = self.scalar(fields["kind"], "kind")
        if kind not in KINDS:
            self.fail(f"entity '{slug}' has kind {kind!r}", f"use one of: {', '.join(KINDS)}", fields["kind"])
        if "names" not in fields:
            self.fail(f"entity '{slug}' has no names", "add 'names:' with zh:, en: and/or vi: lists", node)
        if not isinstance(fields["names"], yaml.MappingNode):
            self.fail(f"entity '{slug}': names should map languages to lists", "write e.g. 'zh: [上合组织, 上合]'",
                      fields["names"])
        by_lang = self.mapping(fields["names"], LANGUAGES, "language")
        names = {lang: self.strings(by_lang[lang], f"names.{lang}") if lang in by_lang else [] for lang in LANGUAGES}
        if not any(names.values()):
            self.fail(f"entity '{slug}' has no names", "give at least one name under zh:, en: or vi:", fields["names"])
        joint = self.strings(fields["joint"], "joint") if "joint" in fields else []
        lines = {"slug": _line(fields["slug"])}
        lines.update({(lang, name): line for lang in LANGUAGES for name, line in names[lang]})
        lines.update({("joint", name): line for name, line in joint})
        entity = {"slug": slug, "kind": kind, "names": {lang: [n for n, _ in names[lang]] for lang in LANGUAGES},
                  "joint": [n for n, _ in joint]}
        return entity, lines

    def mapping(self, node, allowed, what) -> dict:
        """Return key -> value node, rejecting unknown keys (yamlfile refuses repeated ones)."""
        out = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, what)
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"known {what} keys: {', '.join(allowed)}"
                self.fail(f"unknown {what} key {key!r}", hint, key_node)
            out[key] = value_node
        return out

    def scalar(self, node, field) -> str:
        # Every scalar is read as text: YAML would otherwise turn a name like NO or 2014 into a bool or int.
        if not isinstance(node, yaml.ScalarNode):
            self.fail(f"'{field}' should be a single value", "write it on one line after the colon", node)
        return node.value.strip()

    def strings(self, node, field) -> list[tuple[str, int]]:
        """Return the (name, line) pairs of a list node (or of a single name), skipping empty items."""
        if isinstance(node, yaml.ScalarNode):
            items = [] if node.tag == "tag:yaml.org,2002:null" else [node]
        elif isinstance(node, yaml.SequenceNode):
            items = node.value
        else:
            self.fail(f"'{field}' should be a list of names", "write [name, short form] or one '- name' per line", node)
        pairs = [(self.scalar(item, field), _line(item)) for item in items]
        return [(name, line) for name, line in pairs if name]


def _check_unique(path, read):
    """Raise InputError if a slug repeats, a name points to two entities, or a joint name is misused."""
    slug_lines: dict[str, int] = {}
    owner: dict[str, str] = {}
    joint_owners: dict[str, list[tuple[str, int]]] = {}
    for entity, lines in read:
        slug = entity["slug"]
        if slug in slug_lines:
            raise InputError(path, f"slug '{slug}' is used twice (first on line {slug_lines[slug]})",
                             "give each entity its own slug, or merge the two entries", lines["slug"])
        slug_lines[slug] = lines["slug"]
        for lang in LANGUAGES:
            for name in entity["names"][lang]:
                key = _name_key(name)
                if owner.setdefault(key, slug) != slug:
                    raise InputError(path, f"name {name!r} of '{slug}' is already a name of '{owner[key]}'",
                                     "a name may point to one entity only; remove it from one of them "
                                     "(for compounds such as 中俄 use 'joint:')", lines[(lang, name)])
        for name in entity["joint"]:
            if not HAN_CHAR.search(name):
                raise InputError(path, f"joint name {name!r} of '{slug}' is not Chinese",
                                 "joint: is for Chinese compounds such as 中俄; list other names under names:",
                                 lines[("joint", name)])
            joint_owners.setdefault(name, []).append((slug, lines[("joint", name)]))
    for name, listed in joint_owners.items():
        if _name_key(name) in owner:
            raise InputError(path, f"joint name {name!r} is also a name of '{owner[_name_key(name)]}'",
                             "keep it under joint: only", listed[0][1])
        if len({slug for slug, _ in listed}) < 2:
            raise InputError(path, f"joint name {name!r} is listed under '{listed[0][0]}' only",
                             "list a compound under every entity it names, or move it to names:", listed[0][1])


def _name_key(name: str) -> str:
    """Return the form two names are compared in: folded, case-free, one apostrophe, dashes as spaces, -ization."""
    folded = fold(name).casefold()
    for dash in _DASHES:
        folded = folded.replace(dash, " ")
    for apostrophe in _APOSTROPHES:
        folded = folded.replace(apostrophe, "'")
    return re.sub(r"isation\b", "ization", " ".join(folded.split()))


# --- names -----------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Return text without diacritics (NFD, combining marks dropped, đ→d), as typed on a plain keyboard."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def user_words(entities) -> list[str]:
    """Return the Chinese names and compounds of all entities, for jieba.add_word, in table order."""
    words: list[str] = []
    for entity in entities:
        for name in [*entity["names"]["zh"], *entity.get("joint", [])]:
            if HAN_CHAR.search(name) and name not in words:
                words.append(name)
    return words


def display_name(entity: dict, lang: str) -> str:
    """Return the entity's name to show in lang, falling back to en, zh, vi, then the slug."""
    for candidate in (lang, "en", "zh", "vi"):
        if entity["names"].get(candidate):
            return entity["names"][candidate][0]
    return entity["slug"]


# --- tagging ---------------------------------------------------------------------------------

def tag(text: str, entities) -> list[str]:
    """Return the slugs of the entities text mentions, in table order, each once."""
    matcher = _matcher(entities)
    found: set[str] = set()
    if matcher.latin is not None:
        for match in matcher.latin.finditer(unicodedata.normalize("NFC", text)):
            found.update(matcher.latin_slugs[_name_key(match.group())])
    if matcher.han_names and matcher.han_probe.search(text):
        found.update(_han_matches(text, matcher))
    return [slug for slug in matcher.order if slug in found]


class _Matcher:
    """Compiled form of one entity table: a Latin-script regex and a Chinese word table."""

    def __init__(self, entities):
        from search_index.analyze import normalise

        self.order = [e["slug"] for e in entities]
        latin: dict[str, set[str]] = {}
        # Chinese names are matched against words of normalised text (simplified, no PDF gaps).
        self.han_names: dict[str, set[str]] = {}
        for entity in entities:
            for lang in LANGUAGES:
                for name in entity["names"][lang]:
                    if HAN_CHAR.search(name):
                        self.han_names.setdefault(normalise(name), set()).add(entity["slug"])
                    else:
                        latin.setdefault(name, set()).add(entity["slug"])
            for name in entity.get("joint", []):
                self.han_names.setdefault(normalise(name), set()).add(entity["slug"])
        # Longest first, so "Conference on … Measures in Asia" wins over its shorter variant.
        ordered = sorted(latin, key=lambda n: (-len(n), n))
        self.latin_slugs: dict[str, set[str]] = {}
        for name in ordered:
            self.latin_slugs.setdefault(_name_key(name), set()).update(latin[name])
        # One alternation with the word boundaries outside it: a boundary per alternative is ~25x slower.
        self.latin = re.compile(
            r"(?<!\w)(?:" + "|".join(_latin_pattern(name) for name in ordered) + r")(?!\w)") if ordered else None
        self.han_probe = re.compile("|".join(map(re.escape, sorted(self.han_names, key=lambda n: (-len(n), n))))) \
            if self.han_names else None
        self.han_span = max((len(n) for n in self.han_names), default=0)
        self._tokenizer = None
        self._split: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        """Return word as tokens names can be matched against: itself, unless it holds a name without
        being one, then its words by the private tokenizer (what a name-only dictionary makes of it)."""
        if word in self.han_names or not self.han_probe.search(word):
            return (word,)
        if word not in self._split:
            tokens = []
            for token in self.tokenizer().cut(word, HMM=False):
                tokens.extend(self.leading_name(token))
            self._split[word] = tuple(tokens)
        return self._split[word]

    def leading_name(self, token: str) -> tuple[str, ...]:
        """Return token as (name, rest) when it is a name followed by a word of two or more characters
        (中亚国家 = 中亚 + 国家, which jieba's dictionary keeps whole), else as itself; a name inside
        a word (中国 in 发展中国家) is never split out."""
        freq = self.tokenizer().FREQ
        for size in range(min(self.han_span, len(token) - 2), 1, -1):
            head, rest = token[:size], token[size:]
            if head in self.han_names and freq.get(rest):
                return head, rest
        return (token,)

    def tokenizer(self):
        """Return a private jieba tokenizer knowing every Chinese name (the global one is not ours to change)."""
        if self._tokenizer is None:
            from search_index.analyze import plain_tokenizer

            tokenizer = plain_tokenizer()
            for name in sorted(self.han_names):
                tokenizer.add_word(name)
            self._tokenizer = tokenizer
        return self._tokenizer


def _latin_pattern(name: str) -> str:
    """Return the regex for one Latin-script name: case rule by acronym, diacritics optional, no boundaries."""
    acronym = not any(c.islower() for c in name)
    words = re.split(_SEPARATOR, name.strip())
    # Without diacritics a one-word Vietnamese name (Mỹ) would become an English word (my).
    optional_marks = len(words) > 1
    parts = []
    for word in words:
        chars = []
        for c in word:
            plain = fold(c)
            if c in _APOSTROPHES:
                chars.append(f"[{_APOSTROPHES}]")
            elif optional_marks and plain != c:
                chars.append(f"[{re.escape(c)}{re.escape(plain)}]")
            else:
                chars.append(re.escape(c))
        part = "".join(chars)
        # British and American spellings of "organisation" are the same name.
        part = re.sub(r"i(?:s|z)ation", "i[sz]ation", part, flags=re.I) if not acronym else part
        parts.append(part)
    body = _SEPARATOR.join(parts)
    return body if acronym else f"(?i:{body})"


def _han_matches(text: str, matcher: _Matcher) -> set[str]:
    """Return slugs of Chinese names found as whole words (or runs of words), longest first.

    The words are the search index's own (search_index.analyze.words: each Han run of the normalised
    text cut once, and shared with indexing and keyword extraction); a word that holds a name inside
    it (独联体集体安全条约组织, a domain compound) is cut again with jieba's own dictionary and the names."""
    from search_index.analyze import normalise, runs, han_words

    found: set[str] = set()
    for kind, run in runs(normalise(text)):
        if kind == "han" and matcher.han_probe.search(run):
            tokens: list[str] = []
            for word in han_words(run):
                tokens.extend(matcher.split(word))
            _match_tokens(tokens, matcher, found)
    return found


def _match_tokens(tokens: list[str], matcher: _Matcher, found: set[str]) -> None:
    """Add to found the slugs of names made of whole tokens, scanning left to right, longest first."""
    i = 0
    while i < len(tokens):
        # Candidates are runs of whole tokens starting at i, no longer than the longest name.
        runs, length, j = [], 0, i
        while j < len(tokens) and length + len(tokens[j]) <= matcher.han_span:
            length += len(tokens[j])
            j += 1
            runs.append(j)
        for end in reversed(runs):
            names = matcher.han_names.get("".join(tokens[i:end]))
            if names:
                found.update(names)
                i = end
                break
        else:
            i += 1


def _matcher(entities) -> _Matcher:
    """Return the compiled form of the entity table, compiled once per table (the fields _Matcher reads)."""
    return _compiled(tuple((e["slug"], tuple(tuple(e["names"][lang]) for lang in LANGUAGES),
                            tuple(e.get("joint", ()))) for e in entities))


@functools.lru_cache(maxsize=1)  # one table per build; don't keep old tables alive
def _compiled(table: tuple) -> _Matcher:
    """Return a _Matcher for a table as _matcher keys it: (slug, names per language, joint names)."""
    return _Matcher([{"slug": slug, "names": dict(zip(LANGUAGES, names)), "joint": list(joint)}
                     for slug, names, joint in table])


# --- relevance -------------------------------------------------------------------------------

def relevance(entity: dict, records: list[dict]) -> dict[str, tuple[int, int]]:
    """Return {record id: (times the entity is named in its given title, times in its text)}: the
    order of the records on the entity's page before they have years (the most named first)."""
    names = [name for lang in LANGUAGES for name in entity["names"].get(lang, [])] + list(entity.get("joint", []))
    # Longest first, so 上合 inside 上合组织 is one mention, not two; names in capitals keep their case.
    names = sorted(set(names), key=lambda n: (-len(n), n))
    pattern = re.compile("|".join(re.escape(n) if not any(c.islower() for c in n) else f"(?i:{re.escape(n)})"
                                  for n in names)) if names else None
    if pattern is None:
        return {r["id"]: (0, 0) for r in records}
    return {r["id"]: (len(pattern.findall(r["title"] if isinstance(r.get("title"), str) else "")),
                      len(pattern.findall("\n".join(block["text"] for block in r["build"]["blocks"]))))
            for r in records}
