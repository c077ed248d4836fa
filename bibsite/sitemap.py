"""Files for hosts and crawlers: sitemap.xml (with hreflang alternates) and robots.txt."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr



def sitemap_xml(page_paths: list[str], base_url: str, lang_tags: dict[str, str]) -> str:
    """Return a sitemap listing the door (the site's root, the x-default of the interfaces' home
    pages) and every interface page as an absolute URL with its language alternates; lang_tags is
    {interface folder: its language tag}."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
             f"  <url><loc>{escape(base_url)}</loc>"]
    for lang, tag in lang_tags.items():
        lines.append(f'    <xhtml:link rel="alternate" hreflang="{tag}" href={quoteattr(f"{base_url}{lang}/index.html")}/>')
    lines += [f'    <xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(base_url)}/>', "  </url>"]
    for path in sorted(page_paths):
        inner = path.split("/", 1)[1]
        lines.append(f"  <url><loc>{escape(base_url + path)}</loc>")
        for lang, tag in lang_tags.items():
            href = quoteattr(f"{base_url}{lang}/{inner}")
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{tag}" href={href}/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(base_url: str) -> str:
    """Return robots.txt: everything may be crawled; the sitemap is named when there is a base URL."""
    text = "User-agent: *\nAllow: /\n"
    if base_url:
        text += f"Sitemap: {base_url}sitemap.xml\n"
    return text
