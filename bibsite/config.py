"""The site configuration (content/site.yaml): base URL, collection title, contact, interface languages."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

from . import textfile, yamlfile
from .errors import InputError

DEFAULTS = {"base_url": "", "title": {}, "contact": "", "languages": ["zh", "en"]}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def load_config(path: Path, root: Path, zip_name: str) -> dict:
    """Return the validated settings with defaults filled in; a missing file means all defaults."""
    shown = os.path.relpath(path, root)
    data = {}
    if os.path.lexists(path):
        data = yamlfile.load(textfile.read_utf8(path, shown, root), shown) or {}
    if not isinstance(data, dict):
        raise InputError(shown, "should hold 'key: value' settings", "see the comments in the default file")
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise InputError(shown, f"unknown setting '{sorted(unknown)[0]}'", f"known settings: {', '.join(DEFAULTS)}")
    config = {**DEFAULTS, **{k: v for k, v in data.items() if v is not None}, "zip_name": zip_name}
    base = str(config["base_url"] or "").strip()
    if base:
        if urlparse(base).scheme not in ("http", "https") or not urlparse(base).netloc:
            raise InputError(shown, f"base_url {base!r} is not an http(s) URL", "write e.g. https://example.org/bibliography/")
        base = base if base.endswith("/") else base + "/"
    config["base_url"] = base
    if not isinstance(config["title"], dict) or not all(isinstance(v, str) for v in config["title"].values()):
        raise InputError(shown, "title should map zh and en to text", "write 'title:' then 'zh: …' and 'en: …'")
    config["contact"] = str(config["contact"] or "").strip()
    languages = config["languages"]
    if (not isinstance(languages, list) or not languages or len(set(map(str, languages))) != len(languages)
            or not all(isinstance(code, str) and _LANGUAGE_CODE.fullmatch(code) for code in languages)):
        raise InputError(shown, f"languages should be a list of distinct language codes, not {languages!r}",
                         "write e.g. 'languages: [zh, en, vi]' (each needs templates/strings/<code>.yaml)")
    return config
