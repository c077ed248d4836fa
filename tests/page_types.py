"""One page of each kind the site has, per UI language: what the a11y, responsive and print tests visit."""
from __future__ import annotations

from pathlib import Path

import yaml

# the interface languages the project's content/site.yaml configures, so the tests visit every one
UI_LANGS = tuple(yaml.safe_load((Path(__file__).resolve().parent.parent / "content" / "site.yaml")
                                .read_text(encoding="utf-8"))["languages"])
SEARCH_HIT = "上合组织"
SEARCH_MISS = "zzzzqqq"


def longest_abstract(site_dir: Path, lang: str) -> str:
    """Return the file name of the abstract page with the most text: the one most likely to overflow."""
    pages = sorted((site_dir / lang / "abstracts").glob("*.html"))
    return max(pages, key=lambda p: (p.stat().st_size, p.name)).name


def page_types(site_dir: Path, lang: str) -> dict[str, str]:
    """Return {kind: path relative to the site root} for every page type in one UI language."""
    return {
        "home": f"{lang}/index.html",
        "browse": f"{lang}/browse.html",
        "abstract": f"{lang}/abstracts/{longest_abstract(site_dir, lang)}",
        "glossary": f"{lang}/glossary/cica.html",
        "entity": f"{lang}/entities/sco.html",
        "region": f"{lang}/entities/central-asia.html",  # an entity of kind region
        "entities": f"{lang}/entities.html",
        "about": f"{lang}/about.html",
        "search-hits": f"{lang}/search.html?q={SEARCH_HIT}",
        "search-none": f"{lang}/search.html?q={SEARCH_MISS}",
    }


def name_page_types(site_dir: Path, lang: str) -> dict[str, str]:
    """Return {kind: path} for the author and journal pages of a site built with metadata (none without):
    each index and the page of the name with the most records."""
    found = {}
    for kind, one in (("authors", "author"), ("journals", "journal")):
        pages = sorted((site_dir / lang / kind).glob("*.html"))
        if pages:
            found[kind] = f"{lang}/{kind}.html"
            found[one] = f"{lang}/{kind}/" + max(pages, key=lambda p: (p.stat().st_size, p.name)).name
    return found


def all_pages(site_dir: Path) -> list[tuple[str, str, str]]:
    """Return (lang, kind, path) for every page type in every UI language, plus the door and the 404."""
    rows = [(lang, kind, path) for lang in UI_LANGS for kind, path in page_types(site_dir, lang).items()]
    return rows + [("both", "door", "index.html"), ("both", "404", "404.html")]


def settle(page, kind: str) -> None:
    """Wait until a page has drawn what a reader would see (the search page its results)."""
    if kind.startswith("search"):
        page.wait_for_selector("#search-page[data-ready]")
        page.wait_for_function("document.getElementById('search-status').textContent.trim() !== ''")
        if kind == "search-hits":
            page.wait_for_selector("#search-results li")
        else:
            page.wait_for_selector("#search-none:not([hidden])")
