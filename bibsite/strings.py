"""The words of the interface: UI strings (templates/strings*.yaml) and the About page (content/pages/)."""
from __future__ import annotations

from pathlib import Path

import markdown
import yaml
from markupsafe import Markup

from .links import UI_LANGS


def load_strings(templates_dir: Path, config: dict) -> dict:
    """Return the UI strings per language, merged from templates/strings*.yaml; the configured title wins."""
    strings: dict = {lang: {} for lang in UI_LANGS}
    for path in sorted(templates_dir.glob("strings*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for lang in UI_LANGS:
            strings[lang].update(data.get(lang, {}))
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
        # the maintainers' own Markdown: trusted, so its HTML is marked safe rather than escaped
        html[lang] = Markup(md.reset().convert(source.read_text(encoding="utf-8")) if source.exists() else "")
    return html
