"""Search for the bibliography site: lunr's BM25 over an index built here, queried in the browser.

The build counts terms (builder.py; lunr.py builds the same index as the reference the tests
compare with) and ships them in pieces a query loads as it needs them (FORMAT.md); the browser
(js/) scores queries straight from them with lunr's formula and lunr.js 2.3.9's stemmer and
TokenSet (wildcards). See js/engine.js for why it does not rebuild a whole lunr.Index at load.

Public interface (used by the site build):
  build_search_assets(docs, out_dir, user_words=(), entities=(), expansions=None) -> stats
                                             writes <site>/assets/search/ (FORMAT.md)
  analyze(text, lang) -> [term]              index-time terms of a text

A doc is a plain dict: {"id", "type": "abstract"|"glossary", "lang", "langs", "title",
"blocks": [{"lang", "text"}], "keywords", "url" (relative to the UI language folder), "entities"},
and optionally "terms": {"title", "text", "keywords": [term]} when the caller analysed it already
(the site build caches analysis per record); optionally "facets" ({name: text, number or a list
of them}) and "sort" ({key: text or number}), see FORMAT.md.
An entity is {"slug", "names": {"zh": [...], "en": [...], "vi": [...]}}; a query naming it in one
form also finds records naming it in another (unless the page's "exact names only" box is ticked).
"""
from .analyze import analyze
from .assets import build_search_assets

__all__ = ["analyze", "build_search_assets"]
