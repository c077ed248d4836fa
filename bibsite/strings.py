"""The words of the interface: UI strings (templates/strings*.yaml) and the About page (content/pages/)."""
from __future__ import annotations

import os
from pathlib import Path

import markdown
from markupsafe import Markup

from . import textfile, yamlfile
from .errors import InputError
from .links import UI_LANGS


class Strings(dict):
    """The UI strings of one language: a key no strings file defines is an InputError naming the file."""

    def __init__(self, lang: str, shown: str):
        super().__init__()
        self._lang, self._file = lang, shown

    def __reduce__(self):
        return _strings, (self._lang, self._file, dict(self))

    def __missing__(self, key):
        raise InputError(self._file, f"string '{key}' is missing under '{self._lang}:'",
                         f"add '{key}: …' under '{self._lang}:' (the templates use it)")


def _strings(lang: str, shown: str, items: dict) -> Strings:
    strings = Strings(lang, shown)
    strings.update(items)
    return strings


def load_strings(templates_dir: Path, config: dict) -> dict:
    """Return the UI strings per language (Strings), merged from templates/strings*.yaml; the
    configured title wins."""
    root = templates_dir.parent
    strings: dict = {lang: Strings(lang, os.path.relpath(templates_dir / "strings.yaml", root)) for lang in UI_LANGS}
    for path in sorted(templates_dir.glob("strings*.yaml")):
        shown = os.path.relpath(path, root)
        data = yamlfile.load(textfile.read_utf8(path, shown, root), shown) or {}
        if not isinstance(data, dict) or not all(isinstance(data.get(lang, {}), dict) for lang in UI_LANGS):
            raise InputError(shown, "should hold 'zh:' and 'en:', each with 'key: text' lines under it",
                             "indent each string under its language")
        for lang in UI_LANGS:
            for key, value in (data.get(lang) or {}).items():
                if not isinstance(value, (str, dict)):
                    raise InputError(shown, f"string '{key}' under '{lang}:' is not text", "write it as plain text")
            strings[lang].update(data.get(lang) or {})
    for lang in UI_LANGS:
        if config.get("title", {}).get(lang):
            strings[lang]["site_title"] = config["title"][lang]
    return strings


def read_about(pages_dir: Path) -> dict:
    """Return the About page HTML per UI language, rendered from content/pages/about.<lang>.md."""
    md = markdown.Markdown(extensions=["extra", "sane_lists"])
    html = {}
    for lang in UI_LANGS:
        source = pages_dir / f"about.{lang}.md"
        root = pages_dir.parent.parent
        text = textfile.read_utf8(source, os.path.relpath(source, root), root) if os.path.lexists(source) else ""
        # the maintainers' own Markdown: trusted, so its HTML is marked safe rather than escaped
        html[lang] = Markup(md.reset().convert(text))
    return html
