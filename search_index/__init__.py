"""Search for the bibliography site: a lunr index built here with lunr.py, queried by lunr.js.

Public interface (used by the site build):
  build_search_assets(docs, out_dir, user_words=(), entities=()) -> stats   writes <site>/assets/search/
  analyze(text, lang) -> [term]                                              index-time terms of a text

A doc is a plain dict: {"id", "type": "abstract"|"glossary", "lang", "langs", "title",
"blocks": [{"lang", "text"}], "keywords", "url" (relative to the UI language folder), "entities"}.
An entity is {"slug", "names": {"zh": [...], "en": [...], "vi": [...]}}; a query naming it in one
form also finds records naming it in another (unless the page's "exact names only" box is ticked).
"""
from .analyze import analyze
from .assets import build_search_assets

__all__ = ["analyze", "build_search_assets"]
