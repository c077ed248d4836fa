"""The OpenSearch 1.1 description (site/opensearch.xml), which lets a browser search the collection
from its address bar, and the <link rel="search"> that announces it in page heads.

Only with base_url: the description's URL template must be absolute (a browser stores it away from
the page), so a site opened from file:// or with no known address has neither.
"""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
PATH = "opensearch.xml"
MEDIA_TYPE = "application/opensearchdescription+xml"
_SHORT_NAME_CHARS = 16  # the specification's limit for ShortName
_LANGUAGE = {"zh": "zh-CN", "en": "en"}


def description(base_url: str, short_name: str, long_description: str, lang: str = "zh") -> str:
    """Return the OpenSearch description (UTF-8 XML) searching the lang interface's search page;
    "" without base_url."""
    if not base_url:
        return ""
    template = f"{base_url}{lang}/search.html?q={{searchTerms}}"
    return "\n".join([
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<OpenSearchDescription xmlns="{OPENSEARCH_NS}">',
        f"  <ShortName>{escape(short_name[:_SHORT_NAME_CHARS])}</ShortName>",
        f"  <Description>{escape(long_description)}</Description>",
        f'  <Url type="text/html" method="get" template={quoteattr(template)}/>',
        f'  <Url type="{MEDIA_TYPE}" rel="self" template={quoteattr(base_url + PATH)}/>',
        f"  <Language>{_LANGUAGE.get(lang, lang)}</Language>",
        "  <InputEncoding>UTF-8</InputEncoding>",
        "  <OutputEncoding>UTF-8</OutputEncoding>",
        "</OpenSearchDescription>",
    ]) + "\n"


def head_link(base_url: str, title: str) -> dict:
    """Return the attributes of the page heads' <link rel="search"> (rel, type, href, title); {} without base_url."""
    if not base_url:
        return {}
    return {"rel": "search", "type": MEDIA_TYPE, "href": base_url + PATH, "title": title}
