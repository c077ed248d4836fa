"""The words of the interface: UI strings (templates/strings/<code>.yaml, one file per interface
language), the About pages (content/pages/), and numbers and dates as each language writes them."""
from __future__ import annotations

from pathlib import Path

import markdown
import yaml
from markupsafe import Markup

from .errors import InputError


def load_strings(templates_dir: Path, config: dict) -> dict:
    """Return {interface language: its strings} from templates/strings/<code>.yaml, one file per language
    of config["languages"], in that order; the configured title wins. Every file must have the same keys.

    The interface languages are this dict's keys: every later stage takes them from here."""
    strings: dict = {}
    for lang in config["languages"]:
        shown = f"{templates_dir.name}/strings/{lang}.yaml"
        path = templates_dir / "strings" / f"{lang}.yaml"
        if not path.exists():
            raise InputError(shown, f"missing: the interface language '{lang}' has no strings",
                             "copy templates/strings/en.yaml there and translate it, or take it out of languages")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(shown, f"malformed YAML: {getattr(exc, 'problem', exc)}", "fix the YAML syntax",
                             line=mark.line + 1 if mark else None) from None
        if strings:
            first, keys = next(iter(strings.items()))
            missing = _string_keys(keys) ^ _string_keys(data)
            if missing:
                key = sorted(missing)[0]
                where = "lacks" if key in _string_keys(keys) else "has the extra"
                raise InputError(shown, f"{where} key '{key}' ({first}.yaml has the same keys as every other)",
                                 f"make its keys those of templates/strings/{first}.yaml")
        strings[lang] = data
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
    for source in sorted(pages_dir.glob("about.*.md")):
        # the maintainers' own Markdown: trusted, so its HTML is marked safe rather than escaped
        html[source.name.split(".")[1]] = Markup(md.reset().convert(source.read_text(encoding="utf-8")))
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
