"""The words of the interface: UI strings (templates/strings/<code>.yaml, one file per interface
language), the About pages (content/pages/), and numbers and dates as each language writes them."""
from __future__ import annotations

import os
from pathlib import Path

import markdown
from markupsafe import Markup

from . import textfile, yamlfile
from .errors import InputError


class Strings(dict):
    """The UI strings of one language: a key no strings file defines is an InputError naming the file."""

    def __init__(self, lang: str, shown: str):
        super().__init__()
        self._lang, self._file = lang, shown

    def __reduce__(self):
        return _strings, (self._lang, self._file, dict(self))

    def __missing__(self, key):
        raise InputError(self._file, f"string '{key}' is missing",
                         f"add '{key}: …' to every file of templates/strings/ (the templates use it)")


def _strings(lang: str, shown: str, items: dict) -> Strings:
    strings = Strings(lang, shown)
    strings.update(items)
    return strings


def load_strings(templates_dir: Path, config: dict) -> dict:
    """Return {interface language: its strings (Strings)} from templates/strings/<code>.yaml, one file per
    language of config["languages"], in that order; the configured title wins. Every file must have the
    same keys.

    The interface languages are this dict's keys: every later stage takes them from here."""
    root = templates_dir.parent
    strings: dict = {}
    for lang in config["languages"]:
        path = templates_dir / "strings" / f"{lang}.yaml"
        shown = os.path.relpath(path, root)
        if not os.path.lexists(path):
            raise InputError(shown, f"missing: the interface language '{lang}' has no strings",
                             "copy templates/strings/en.yaml there and translate it, or take it out of languages")
        data = yamlfile.load(textfile.read_utf8(path, shown, root), shown) or {}
        if not isinstance(data, dict):
            raise InputError(shown, "should hold 'key: text' lines", "write one string per line as key: text")
        for key, value in data.items():
            if not isinstance(value, (str, dict)):
                raise InputError(shown, f"string '{key}' is not text", "write it as plain text")
        if strings:
            first, keys = next(iter(strings.items()))
            missing = _string_keys(keys) ^ _string_keys(data)
            if missing:
                key = sorted(missing)[0]
                where = "lacks" if key in _string_keys(keys) else "has the extra"
                raise InputError(shown, f"{where} key '{key}' ({first}.yaml has the same keys as every other)",
                                 f"make its keys those of templates/strings/{first}.yaml")
        strings[lang] = _strings(lang, shown, data)
    for lang in strings:
        if config.get("title", {}).get(lang):
            strings[lang]["site_title"] = config["title"][lang]
    return strings


def _string_keys(data: dict, prefix: str = "") -> set[str]:
    """Return the keys of a strings file, nested ones as search.title."""
    keys = set()
    for key, value in data.items():
        keys.update(_string_keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key})
    return keys


def read_about(pages_dir: Path) -> dict:
    """Return {language: About page HTML} for every content/pages/about.<lang>.md there is."""
    md = markdown.Markdown(extensions=["extra", "sane_lists"])
    html = {}
    root = pages_dir.parent.parent
    for source in sorted(pages_dir.glob("about.*.md")):
        text = textfile.read_utf8(source, os.path.relpath(source, root), root)
        # the maintainers' own Markdown: trusted, so its HTML is marked safe rather than escaped
        html[source.name.split(".")[1]] = Markup(md.reset().convert(text))
    return html


def number(value: int, lang: str, strings: dict) -> str:
    """Return an integer written as lang writes it (1,234 in zh and en, 1.234 in vi)."""
    return f"{value:,}".replace(",", strings[lang]["thousands_separator"])


def date(value: str, lang: str, strings: dict) -> str:
    """Return an ISO date (YYYY-MM-DD) written as lang writes it (21/11/2026 in vi); other text as it is."""
    parts = str(value).split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return str(value)
    return strings[lang]["date_format"].format(y=parts[0], m=parts[1], d=parts[2])
