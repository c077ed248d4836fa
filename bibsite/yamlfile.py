"""The one place YAML is read: every scalar kept as written, duplicate keys refused, errors as one InputError.

YAML 1.1's implicit typing changes values (`year: 02014` is octal 1036, `issue: 1:30` is sexagesimal 90,
`doi: 10.1000` is the float 10.1), so this loader resolves no scalar type at all: a plain scalar is text,
except an empty one or `~`/`null`, which mean "no value". What a field holds (a year, true/false, a
date) is the record schema's business (schema.py), which converts the text and names the field when it
cannot. Records, the entity table, site.yaml and the UI strings are all read here.
"""
from __future__ import annotations

import re

import yaml

from .errors import InputError

# libyaml's parser when PyYAML was built with it: ten times faster on thousands of records. The
# resolver and constructor below are PyYAML's Python classes either way, so both behave the same.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NULL = "tag:yaml.org,2002:null"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")

_SYNTAX_FIX = "fix the YAML syntax there (indent text under 'text: |', quote values containing ': ')"


class Loader(_BaseLoader):
    """The safe loader with no implicit types but null: every other plain scalar stays text, as written."""

    yaml_implicit_resolvers: dict = {}


Loader.add_implicit_resolver(NULL, _NULL, ["~", "n", "N", ""])


def _error(exc: yaml.YAMLError, shown):
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return InputError(shown, f"malformed YAML: {problem}", _SYNTAX_FIX,
                      line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)


def _check_duplicates(node, shown) -> None:
    """Raise InputError at the second of two equal keys in any mapping under node (the first would be lost)."""
    pending = [node]
    while pending:
        node = pending.pop()
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise InputError(shown, f"key '{key.value}' appears twice in the same mapping",
                                         "keep one of the two (the other's value would be lost)",
                                         line=key.start_mark.line + 1, column=key.start_mark.column + 1)
                    seen.add(key.value)
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def compose(text: str, shown):
    """Return the node tree of a YAML text (None when it is empty), or raise InputError naming shown:line:column."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _error(exc, shown) from None
    finally:
        loader.dispose()
    if node is not None:
        _check_duplicates(node, shown)
    return node


def load_with_node(text: str, shown) -> tuple[object, object]:
    """Return (the data of a YAML text, its node tree); every scalar is text or None. Errors as compose()."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_duplicates(node, shown)
        return loader.construct_document(node), node
    except yaml.YAMLError as exc:
        raise _error(exc, shown) from None
    finally:
        loader.dispose()


def load(text: str, shown):
    """Return the data of a YAML text (mappings, lists, text and None only), or raise InputError naming shown."""
    return load_with_node(text, shown)[0]


def key_positions(node) -> dict:
    """Return {key: (line, column)} (1-based) for the top-level keys of a YAML mapping node."""
    positions = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            positions[str(key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
    return positions
