"""The concept glossary (content/concepts.yaml): the collection's own terms in zh / en / vi, which the
search expands across languages and which win over the dictionary (search_index/expansions.py).

A concept is a plain dict {"zh": [...], "en": [...], "vi": [...]} (every language present, maybe empty).
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import yaml

from . import textfile, yamlfile
from .errors import InputError
from .schema import LANGUAGES
from .textnorm import HAN_CHAR

EXAMPLE = "e.g. '- zh: [集体安全]' then '  en: [collective security]'"


def load_concepts(path, project_root=None) -> list[dict]:
    """Return the concepts of a YAML concept glossary in file order ([] if the file does not exist),
    or raise InputError naming the file (relative to project_root, when given), line and fix."""
    path = Path(path)
    shown = os.path.relpath(path, project_root) if project_root is not None else path
    if not os.path.lexists(path):
        return []  # optional: without it the dictionary alone translates
    # Composed, not loaded: nodes keep their lines for errors, and every name stays text (NO, 2014).
    root = yamlfile.compose(textfile.read_utf8(path, shown, project_root), shown)
    path = shown
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise InputError(path, "should be a list of concepts", f"start each concept with '- ', {EXAMPLE}", _line(root))
    concepts = [_concept(path, node) for node in root.value]
    _check_unique(path, concepts)
    return [concept for concept, _ in concepts]


def _line(node) -> int:
    return node.start_mark.line + 1


def _concept(path, node) -> tuple[dict, dict]:
    """Return (concept, {(lang, name): line}) of one list item."""
    if not isinstance(node, yaml.MappingNode):
        raise InputError(path, "concept is not a 'language: names' block", EXAMPLE, _line(node))
    concept = {lang: [] for lang in LANGUAGES}
    lines: dict = {}
    seen = set()
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
        if key not in LANGUAGES:
            close = difflib.get_close_matches(key, list(LANGUAGES), n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else f"use the languages {', '.join(LANGUAGES)}"
            raise InputError(path, f"unknown language {key!r}", hint, _line(key_node))
        if key in seen:
            raise InputError(path, f"language {key!r} appears twice in one concept", "merge the two lists",
                             _line(key_node))
        seen.add(key)
        if isinstance(value_node, yaml.ScalarNode):
            items = [] if value_node.tag == "tag:yaml.org,2002:null" else [value_node]
        elif isinstance(value_node, yaml.SequenceNode):
            items = value_node.value
        else:
            raise InputError(path, f"'{key}' should be a list of names", "write [name, other name]", _line(value_node))
        for item in items:
            if not isinstance(item, yaml.ScalarNode):
                raise InputError(path, f"a name under '{key}' is not plain text", "write each name as text",
                                 _line(item))
            name = " ".join(item.value.split())
            if not name:
                continue
            if (key == "zh") != bool(HAN_CHAR.search(name)):
                fix = "write Chinese names under zh:" if key != "zh" else "write Chinese characters under zh:"
                raise InputError(path, f"name {name!r} is not in the script of '{key}'", fix, _line(item))
            if name not in concept[key]:
                concept[key].append(name)
                lines[(key, name)] = _line(item)
    if sum(1 for lang in LANGUAGES if concept[lang]) < 2:
        raise InputError(path, "concept has names in fewer than two languages",
                         "add its name in another language (zh, en, vi), or remove it", _line(node))
    return concept, lines


def _check_unique(path, concepts) -> None:
    """Raise InputError if a name belongs to two concepts (a query for it would not know which)."""
    owner: dict[tuple[str, str], int] = {}
    for number, (concept, lines) in enumerate(concepts):
        for lang in LANGUAGES:
            for name in concept[lang]:
                key = (lang, name.casefold())
                if owner.setdefault(key, number) != number:
                    first = lines_of(concepts[owner[key]][1], lang, name)
                    raise InputError(path, f"name {name!r} is already in the concept on line {first}",
                                     "list a name under one concept only; merge the two concepts", lines[(lang, name)])


def lines_of(lines: dict, lang: str, name: str) -> int:
    """Return the line of name in a concept's line table, compared case-free."""
    return next(line for (l, n), line in lines.items() if l == lang and n.casefold() == name.casefold())


def chinese_names(concepts) -> list[str]:
    """Return the Chinese names of all concepts in file order, each once: words of the domain that a
    keyword may be (keywords.corpus_stats(domain_words=...)) and whose pieces never are."""
    return list(dict.fromkeys(name for concept in concepts for name in concept.get("zh", ())))
