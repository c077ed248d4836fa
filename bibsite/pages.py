"""Page contexts: the list of every page of the site with its ready-made template context.

Templates get plain values only; every URL, label and language tag is computed here, so the
templates hold no logic beyond loops and conditionals. A page is {path, template, context}; the
context is all a page shows, so a page whose context is unchanged need not be rendered again
(bibsite/render.py).
"""
from __future__ import annotations

import json
import posixpath
from collections import Counter
from urllib.parse import quote

from markupsafe import Markup

from . import citefiles, coins, collation, feed, jsonld, names, opensearch, schema, textnorm
from . import entities as entities_mod
from .links import FOLDERS, LANG_TAGS, record_path
from .links import rel as _rel
from .strings import date as _date
from .strings import number as _number

# Keywords are shown as links of their own (record-extras.html), not among these fields.
FIELD_ORDER = ("title", "title_en", "authors", "genre", "journal", "journal_en", "year", "date", "volume", "issue",
               "pages", "doi", "url", "issn", "isbn", "publisher", "fund", "clc", "added")
# Fields whose label differs from field_<name> on an abstract's page.
_ABSTRACT_LABELS = {"publisher": "field_press"}


def _page(path: str, lang: str, kind: str, strings: dict, config: dict, title: str = "") -> dict:
    """Return the context shared by every page of the UI: language, switch, navigation, root."""
    inner = path.split("/", 1)[1]
    depth = path.count("/")
    root = "../" * depth
    alternates = []
    base = config.get("base_url", "")
    for code in strings:
        target = f"{code}/{inner}"
        alternates.append({"hreflang": strings[code]["lang_tag"], "href": (base + target) if base else _rel(path, target)})
    page = {
        "kind": kind,
        "lang_tag": strings[lang]["lang_tag"],
        # each other interface, named and offered in its own language
        "switches": [{"lang_tag": strings[code]["lang_tag"], "name": strings[code]["lang_name"],
                      "label": strings[code]["switch_here"], "href": _rel(path, f"{code}/{inner}")}
                     for code in strings if code != lang],
        "switch_label": strings[lang]["languages_label"],
        "alternates": alternates,
        "canonical": (base + path) if base else "",
        "meta": [],
        "description": "",
        # home and search carry their own large search box; a second one in the header would only confuse
        "header_search": kind not in ("home", "search"),
        "head_links": _head_links(path, lang, strings, base),
        "jsonld": "",  # the schema.org description of record pages and the home page (jsonld.py)
        "export_js": False,  # pages with export controls or copy buttons load assets/export.js
    }
    if base:
        page["meta"] += [
            {"attr": "property", "name": "og:title", "content": title or strings[lang]["site_title"]},
            {"attr": "property", "name": "og:type", "content": "article" if kind in ("abstract", "glossary") else "website"},
            {"attr": "property", "name": "og:url", "content": base + path},
            {"attr": "property", "name": "og:locale", "content": strings[lang]["og_locale"]},
            {"attr": "property", "name": "og:site_name", "content": strings[lang]["site_title"]},
        ]
    nav = [
        {"label": strings[lang]["nav_home"], "href": _rel(path, f"{lang}/index.html"), "current": kind == "home"},
        {"label": strings[lang]["nav_browse"], "href": _rel(path, f"{lang}/browse.html"), "current": kind == "browse"},
        # authors and journals are reached from the organisations page: the navigation stays short on a phone
        {"label": strings[lang]["nav_entities"], "href": _rel(path, f"{lang}/entities.html"),
         "current": kind in ("entities", "entity", "authors", "author", "journals", "journal")},
        {"label": strings[lang]["nav_search"], "href": _rel(path, f"{lang}/search.html"), "current": kind == "search"},
        {"label": strings[lang]["nav_about"], "href": _rel(path, f"{lang}/about.html"), "current": kind == "about"},
    ]
    zip_url = (base + config["zip_name"]) if base and config.get("zip_name") else ""
    contact = config.get("contact", "")
    contact_href = contact if contact.startswith(("http://", "https://")) else (f"mailto:{contact}" if "@" in contact else "")
    return {"lang": lang, "root": root, "page": page, "nav": nav, "strings": strings[lang],
            "site": {"zip_url": zip_url, "contact": contact, "contact_href": contact_href}}


def _head_links(path: str, lang: str, strings: dict, base: str) -> list[dict]:
    """Return the page head's links to the collection's Atom feed and (with base_url) its OpenSearch
    description, as {rel, type, href, title}."""
    title = strings[lang]["site_title"]
    links = [{"rel": "alternate", "type": feed.MEDIA_TYPE, "title": title,
              "href": (base + feed.FEED_PATH) if base else _rel(path, feed.FEED_PATH)}]
    search = opensearch.head_link(base, title)
    return links + ([search] if search else [])


def _item(record: dict, from_path: str, lang: str, strings: dict) -> dict:
    """Return the link view of a record (title, href, language) as seen from a page."""
    return {
        "id": record["id"],
        "title": record["display_title"],
        "href": _rel(from_path, f"{lang}/{record_path(record)}"),
        "lang_tag": LANG_TAGS[record["title_language"]],
        "lang_label": " / ".join(strings[lang][f"lang_{code}"] for code in record["languages"]),
        "added": _date(record.get("added", ""), lang, strings),
        "year": str(record.get("year") or ""),
        "truncated": record["truncated"],
    }


def _fields(record: dict, path: str, lang: str, strings: dict) -> list[dict]:
    """Return the bibliographic fields a record has, as label/value rows; URLs only when http(s);
    authors with their affiliations; authors and journal linked to their pages (names.py)."""
    rows = []
    glossary = record["type"] == "glossary"
    for field in FIELD_ORDER:
        value = record.get(field)
        if not value or (glossary and field in ("title", "date", "publisher")):
            continue
        if field == "added":
            value = _date(value, lang, strings)
        label = strings[lang][_ABSTRACT_LABELS.get(field, f"field_{field}")]
        row = {"label": label, "value": value, "href": "", "internal": False, "lang_tag": "", "parts": [], "authors": []}
        if field == "authors":
            row["value"] = "; ".join(author["name"] for author in schema.authors(record))
            row["authors"] = [{"name": a["name"], "affiliation": a["affiliation"], "lang_tag": _word_lang(a["name"], record),
                               "affiliation_lang_tag": _word_lang(a["affiliation"], record),
                               "href": _name_href(path, lang, "authors", a["name"])}
                              for a in schema.authors(record)]
        elif isinstance(value, list):
            # each keyword carries its own language: a glossary entry's mix Chinese and Vietnamese
            row["value"] = "; ".join(value)
            row["parts"] = [{"text": item, "lang_tag": _word_lang(item, record)} for item in value]
        if field == "genre":
            row["value"] = strings[lang][f"genre_{value}"]
        if field == "url" and str(value).startswith(("http://", "https://")):
            row["href"] = value
        if field == "doi":
            row["href"] = f"https://doi.org/{value}"
        if field == "journal":
            row["href"], row["internal"] = _name_href(path, lang, "journals", value), True
        if field == "title":
            row["lang_tag"] = LANG_TAGS[record["title_language"]]
        if field in ("title_en", "journal_en"):
            row["lang_tag"] = "en"
        if field in ("journal", "publisher", "fund"):
            row["lang_tag"] = _word_lang(value, record)
        rows.append(row)
    # a glossary entry's publisher and section are shown as its provenance (_provenance), not here
    if record["type"] == "glossary" and record.get("date"):
        rows.append({"label": strings[lang]["field_date"], "value": _date(record["date"], lang, strings), "href": "",
                     "internal": False, "lang_tag": "", "parts": [], "authors": []})
    return rows


def _name_href(path: str, lang: str, kind: str, name: str) -> str:
    """Return the link from path to the page of an author or journal (kind as names.KINDS), "" for no name."""
    name = names.clean(name)
    return _rel(path, f"{lang}/{kind}/{names.slug(name)}.html") if name else ""


def _word_lang(word: str, record: dict) -> str:
    """Return the language tag of a keyword or name: Chinese when it holds Han characters, else the
    record's Latin-script language (Vietnamese in a glossary entry, English otherwise)."""
    if textnorm.HAN_CHAR.search(word):
        return LANG_TAGS["zh"]
    return LANG_TAGS[next((code for code in record["languages"] if code != "zh"), "en")]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _entity_label(entity: dict, lang: str) -> str:
    """Return an entity's name in lang, with its short form when it has one (上海合作组织 · SCO)."""
    name = entity["names"].get(lang, [""])[0] or next(iter(v[0] for v in entity["names"].values() if v))
    short = [n for n in entity["names"].get("en", []) if n.isupper() and n != name]
    return f"{name} · {short[0]}" if short else name


def _entity_tag(entity: dict, lang: str) -> str:
    """Return the language tag of the name _entity_label shows for an entity in lang."""
    shown = lang if entity["names"].get(lang) else next(code for code, names in entity["names"].items() if names)
    return LANG_TAGS[shown]


def _export_view(lang: str, strings: dict, name: str) -> dict:
    """Return the labels of a list's export controls (export.js; data-export keys as citefiles.SUFFIXES)."""
    s = strings[lang]
    return {"label": s["export_label"], "select_all": s["export_select_all"], "done": s["export_done"],
            "failed": s["export_failed"], "name": name,
            "formats": [{"key": key, "label": label} for key, label in (("bibtex", "BibTeX"), ("ris", "RIS"), ("csl", "CSL-JSON"))]}


def _citations_view(cites: dict, record_id: str, path: str, lang: str, strings: dict) -> dict:
    """Return the citation formats of a record, shown on its page, each with the href of the record's
    own file in that format (citefiles; the collection has files of its own)."""
    texts = {"bibtex": cites.get("bibtex"), "ris": cites.get("ris"),
             "csl": json.dumps(cites["csl"], ensure_ascii=False, indent=2, sort_keys=True) if cites.get("csl") else ""}
    formats = [{"label": label, "text": texts[key], "href": _rel(path, citefiles.record_file_path(record_id, key)),
                "file": posixpath.basename(citefiles.record_file_path(record_id, key)),
                "copy_id": f"cite-{key}", "copy_label": f"{strings[lang]['copy']} {label}", "copied": strings[lang]["copied"]}
               for key, label in (("bibtex", "BibTeX"), ("ris", "RIS"), ("csl", "CSL-JSON")) if texts[key]]
    return {"gbt": cites.get("gbt", ""), "formats": formats}


def _record_view(record: dict, path: str, lang: str, strings: dict, config: dict, by_id: dict, entities: dict,
                 cites: dict) -> dict:
    """Return everything a record page shows, ready for the template."""
    base = config.get("base_url", "")
    english_first = lang == "en" and record.get("title_en") and record["title_language"] != "en"
    first = record["build"]["blocks"][0]
    # a derived title that is the whole first sentence is not shown again as the text's start
    first_text = (textnorm.after_derived_title(first["text"], record["display_title"], first["lang"])
                  if record["title_derived"] and not english_first else first["text"])
    blocks = record["build"]["blocks"]
    if lang == "en":
        blocks = sorted(blocks, key=lambda b: b["lang"] != "en")
    texts = [first_text if b is first else b["text"] for b in blocks]
    view = {
        "id": record["id"],
        "title": record["title_en"] if english_first else record["display_title"],
        "title_derived": record["title_derived"] and not english_first,
        "title_lang_tag": "en" if english_first else LANG_TAGS[record["title_language"]],
        # says whether the text below starts with the title's sentence or after it
        "title_note": strings[lang]["derived_title_cut" if first_text == first["text"] else "derived_title_note"],
        "lang_tag": LANG_TAGS[record["title_language"]],
        "lang_label": " / ".join(strings[lang][f"lang_{code}"] for code in record["languages"]),
        "truncated": record["truncated"],
        "fields": _fields(record, path, lang, strings),
        "blocks": [{"lang_tag": LANG_TAGS[b["lang"]], "paragraphs": _paragraphs(text)} for b, text in zip(blocks, texts)],
        "permalink": (base + path) if base else posixpath.basename(path),
        "permalink_text": (base + path) if base else path,
    }
    view["entities"] = [{"label": _entity_label(entities[slug], lang), "href": _rel(path, f"{lang}/entities/{slug}.html")}
                        for slug in record.get("entities", []) if slug in entities]
    view["keywords"] = [{"text": word, "href": _rel(path, f"{lang}/search.html") + "?q=" + quote(word),
                         "lang_tag": _word_lang(word, record)}
                        for word in record.get("keywords", [])]
    view["keywords_derived"] = record.get("keywords_derived", False)
    view["similar"] = [_item(by_id[other], path, lang, strings) for other in record.get("similar", []) if other in by_id]
    view["citations"] = _citations_view(cites, record["id"], path, lang, strings)
    if record["type"] == "glossary":
        # the interface's language in the first column, as in the heading
        blocks = sorted(blocks, key=lambda b: b["lang"] != lang)
        columns = [{"lang": b["lang"], "lang_tag": LANG_TAGS[b["lang"]], "term": record["term"].get(b["lang"], ""),
                    "label": strings[lang][f"lang_{b['lang']}"]} for b in blocks]
        paras = [_paragraphs(b["text"]) for b in blocks]
        longest = max(len(p) for p in paras)
        view["rows"] = [[{"lang_tag": col["lang_tag"], "label": col["label"], "text": p[i] if i < len(p) else ""}
                         for col, p in zip(columns, paras)] for i in range(longest)]
        view["columns"] = columns
        # the term in the interface's language first, then the others as the entry gives them
        order = sorted(record["term"], key=lambda code: code != lang)
        view["terms"] = [{"lang_tag": LANG_TAGS[code], "text": record["term"][code]} for code in order]
        if record.get("abbreviation"):
            view["terms"].append({"lang_tag": "en", "text": record["abbreviation"]})
        view["heading"] = view["terms"][0]["text"]
        view["provenance"] = _provenance(record, lang, strings)
    return view


def _provenance(record: dict, lang: str, strings: dict) -> dict:
    """Return where a glossary entry comes from (publisher, edition, section), shown as its source
    rather than as the page's navigation; linked when the entry has a URL."""
    edition = next(iter(record.get("breadcrumb") or record.get("section") or {}), "")
    crumbs = (record.get("breadcrumb") or {}).get(edition, "").split(" › ")[1:]  # the first crumb is the home page
    section = (record.get("section") or {}).get(edition) or " › ".join(crumbs)
    return {"text": strings[lang]["provenance"].format(publisher=record.get("publisher", ""),
                                                       edition=strings[lang][f"lang_{edition}"] if edition else ""),
            "section_label": strings[lang]["provenance_section"], "section": section,
            "section_lang": LANG_TAGS.get(edition, ""), "href": record.get("url", "")}


def _stats(records: list[dict], lang: str, strings: dict) -> dict:
    types = Counter(r["type"] for r in records)
    languages = Counter(code for r in records for code in r["languages"])
    return {
        "total": _number(len(records), lang, strings),
        "by_type": [{"label": strings[lang][f"type_{t}"], "count": _number(types[t], lang, strings)}
                    for t in FOLDERS if types[t]],
        "by_language": [{"label": strings[lang][f"lang_{code}"], "count": _number(languages[code], lang, strings)}
                        for code in LANG_TAGS if languages[code]],
    }


def _span(records: list[dict], lang: str, strings: dict) -> str:
    """Return what the collection holds, in a line: how many records, added between which dates, and
    published in which years once records have them."""
    added = sorted(r["added"] for r in records if r.get("added"))
    years = sorted(r["year"] for r in records if r.get("year"))
    if not added:
        return ""
    key = "collection_span" if added[0] != added[-1] else "collection_span_one_day"
    line = strings[lang][key].format(n=_number(len(records), lang, strings), first=_date(added[0], lang, strings),
                                     last=_date(added[-1], lang, strings))
    if years:
        line += strings[lang]["collection_years"].format(first=years[0], last=years[-1])
    return line


def _chart(records: list[dict], entities: list[dict], lang: str, strings: dict, path: str) -> dict:
    """Return the home page's bar chart of the organisations most written about, as SVG geometry."""
    counts = Counter(slug for r in records for slug in r.get("entities", []))
    top = [e for e in entities if e["kind"] == "organisation" and counts[e["slug"]]]
    top = sorted(top, key=lambda e: (-counts[e["slug"]], e["slug"]))[:8]
    if not top:
        return {}
    most = counts[top[0]["slug"]]
    labels = [entity["names"]["zh"][0] if lang == "zh" and entity["names"].get("zh") else _short_or_name(entity)
              for entity in top]
    # the label column is as wide as the longest label, so the chart stays narrow enough for a phone
    bar_left, bar_room, row = max(_label_width(label) for label in labels) + 14, 200, 28
    bars = []
    for index, (entity, label) in enumerate(zip(top, labels)):
        count = counts[entity["slug"]]
        width = max(2, round(bar_room * count / most))
        bars.append({"label": label, "lang_tag": LANG_TAGS["zh"] if textnorm.HAN_CHAR.search(label) else LANG_TAGS["en"], "count": count,
                     "aria_label": strings[lang]["chart_bar"].format(name=label, count=count),  # holds the visible text
                     "y": index * row, "text_y": index * row + 18, "width": width,
                     "count_x": bar_left + width + 6, "href": _rel(path, f"{lang}/entities/{entity['slug']}.html")})
    return {"bars": bars, "height": len(bars) * row, "bar_left": bar_left, "label_x": bar_left - 8,
            "width": bar_left + bar_room + 36, "title": strings[lang]["chart_label"]}


def _label_width(label: str, size: int = 14) -> int:
    """Return the estimated width in px of a chart label: a Han character is 1 em, anything else about 0.62 em."""
    return round(sum(size if textnorm.HAN_CHAR.match(ch) else size * 0.62 for ch in label))


def _short_or_name(entity: dict) -> str:
    """Return the short English form of an entity (SCO) or its first English name."""
    english = entity["names"].get("en") or next(iter(entity["names"].values()))
    short = [n for n in english if n.isupper()]
    return short[0] if short else english[0]


def _entity_pages(records, entities, lang, strings, config, item) -> list[dict]:
    """Return the organisations index page and one page per entity for a UI language."""
    pages = []
    path = f"{lang}/entities.html"
    ctx = _page(path, lang, "entities", strings, config)
    counts = Counter(slug for r in records for slug in r.get("entities", []))
    ctx["groups"] = [{"key": kind, "label": strings[lang][f"kind_{kind}"],
                      "entities": [{"label": _entity_label(e, lang), "href": _rel(path, f"{lang}/entities/{e['slug']}.html"),
                                    "count": _number(counts[e["slug"]], lang, strings), "lang_tag": _entity_tag(e, lang)}
                                   for e in sorted((e for e in entities if e["kind"] == kind and counts[e["slug"]]),
                                                   key=lambda e: (-counts[e["slug"]], e["slug"]))],
                      # entities no record names yet get no page: listed apart, without links
                      "empty": [{"label": _entity_label(e, lang), "lang_tag": _entity_tag(e, lang)}
                                for e in entities if e["kind"] == kind and not counts[e["slug"]]]}
                     for kind in entities_mod.KINDS if any(e["kind"] == kind for e in entities)]
    ctx["see_also"] = {"label": strings[lang]["see_also"], "links": _name_links(records, path, lang, strings)}
    pages.append({"path": path, "template": "entities.html", "context": ctx})
    by_entity: dict[str, list[dict]] = {}
    for record in records:
        for slug in dict.fromkeys(record.get("entities", [])):
            by_entity.setdefault(slug, []).append(record)
    for entity in (e for e in entities if counts[e["slug"]]):
        path = f"{lang}/entities/{entity['slug']}.html"
        mentioning = by_entity[entity["slug"]]
        named = entities_mod.relevance(entity, mentioning)
        # newest first where years are known, the rest after them by how often they name the entity
        mentioning = sorted(mentioning, key=lambda r: (-(r.get("year") or 0), [-n for n in named[r["id"]]], r["id"]))
        pages.append({"path": path, "template": "entity.html",
                      "context": _entity_context(entity, mentioning, path, lang, strings, config, item)})
    return pages


def _newest_first(record: dict) -> tuple:
    """Return the key that lists records newest first by year (those without one last), then by title."""
    return (-(record.get("year") or 0),) + _title_key(record)


def _name_pages(records, lang, strings, config, item) -> list[dict]:
    """Return, for authors and for journals (names.KINDS), an index page and one page per name with the
    records listed under it, newest first; nothing for a kind no record has."""
    pages = []
    singular = {"authors": "author", "journals": "journal"}
    for kind, groups in ((kind, names.grouped(records, kind)) for kind in names.KINDS):
        if not groups:
            continue
        path = f"{lang}/{kind}.html"
        ctx = _page(path, lang, kind, strings, config)
        ctx["listing"] = {"heading": strings[lang][f"{kind}_heading"], "names": [
            {"label": name, "lang_tag": _name_lang(name), "href": _rel(path, f"{lang}/{kind}/{names.slug(name)}.html"),
             "count": _number(len(listed), lang, strings)} for name, listed in groups.items()]}
        pages.append({"path": path, "template": "names.html", "context": ctx})
        for name, listed in groups.items():
            path = f"{lang}/{kind}/{names.slug(name)}.html"
            ctx = _page(path, lang, singular[kind], strings, config, name)
            ctx["named"] = {"name": name, "lang_tag": _name_lang(name), "kind_label": strings[lang][f"{singular[kind]}_label"],
                            "index_label": strings[lang][f"{kind}_heading"], "index_href": _rel(path, f"{lang}/{kind}.html"),
                            "heading": strings[lang][f"records_by_{singular[kind]}"],
                            "count": _number(len(listed), lang, strings),
                            # the year in each entry's meta line: the order the page lists them by
                            "entries": item.entries(sorted(listed, key=_newest_first), path, lang, "named",
                                                    lambda i: " · ".join(part for part in (i["year"], i["lang_label"]) if part))}
            ctx["export"] = _export_view(lang, strings, f"{singular[kind]}-{names.slug(name)}")
            ctx["page"]["export_js"] = True
            pages.append({"path": path, "template": "named.html", "context": ctx})
    return pages


def _name_links(records, path, lang, strings) -> list[dict]:
    """Return the links from path to the authors' and journals' index pages, with how many names each
    lists; none for a kind no record has."""
    counts = {kind: len({name for r in records for name in names.of_record(r, kind)}) for kind in names.KINDS}
    return [{"label": strings[lang][f"{kind}_heading"], "href": _rel(path, f"{lang}/{kind}.html"),
             "count": _number(counts[kind], lang, strings)} for kind in names.KINDS if counts[kind]]


def _name_lang(name: str) -> str:
    """Return the language tag of an author's or journal's name: Chinese when it holds Han characters."""
    return LANG_TAGS["zh"] if textnorm.HAN_CHAR.search(name) else LANG_TAGS["en"]


def _entity_context(entity, mentioning, path, lang, strings, config, item) -> dict:
    """Return the template context of an entity's page: its names, glossary entries and records."""
    name = _entity_label(entity, lang)
    ctx = _page(path, lang, "entity", strings, config, name)
    ctx["entity"] = {
        "name": name,
        "name_lang_tag": _entity_tag(entity, lang),
        "kind_label": strings[lang][f"kind_{entity['kind']}"],
        "names": [{"label": strings[lang][f"lang_{code}"], "lang_tag": LANG_TAGS[code],
                   "names": " / ".join(entity["names"][code])} for code in LANG_TAGS if entity["names"].get(code)],
        "glossary": [item(r, path, lang) for r in mentioning if r["type"] == "glossary"],
        "count": sum(1 for r in mentioning if r["type"] != "glossary"),
        "entries": item.entries([r for r in mentioning if r["type"] != "glossary"], path, lang,
                                "entity", lambda i: i["lang_label"]),
        "search_href": _rel(path, f"{lang}/search.html") + "?q=" + quote(_short_or_name(entity)),
    }
    ctx["export"] = _export_view(lang, strings, entity["slug"])
    ctx["page"]["export_js"] = ctx["entity"]["count"] > 0
    return ctx


def _browse_context(records, path, lang, strings, config, item) -> dict:
    """Return the template context of the browse page: every record, by type and language, by title."""
    ctx = _page(path, lang, "browse", strings, config)
    ctx["export"] = _export_view(lang, strings, "bibliography")
    ctx["page"]["export_js"] = True
    truncated = f" · {strings[lang]['truncated_short']}"
    orders = _browse_orders(records)
    keys = [key for key in ("title", "year", "added") if any(key in ranks for ranks in orders.values())]
    # the page lists by title; assets/sort.js re-orders it by the ranks each entry carries (?sort=)
    ctx["sort"] = {"label": strings[lang]["sort_label"],
                   "options": [{"key": key, "label": strings[lang][f"sort_{key}"], "href": f"?sort={key}",
                                "current": key == "title"} for key in keys] if len(keys) > 1 else []}
    groups = []
    for kind in FOLDERS:
        for code in LANG_TAGS:
            rows = [r for r in records if r["type"] == kind and r["main_language"] == code]
            if rows:
                rows.sort(key=_title_key)
                # a glossary entry is in two languages: its group is named by both
                shown = dict.fromkeys(c for r in rows for c in r["languages"]) if kind == "glossary" else [code]
                languages = " / ".join(strings[lang][f"lang_{c}"] for c in shown)
                groups.append({"key": f"{kind}-{code}",
                               "label": f"{strings[lang]['type_' + kind]} · {languages}",
                               "count": _number(len(rows), lang, strings),
                               "entries": item.entries(rows, path, lang, "browse",
                                                       lambda i: i["lang_label"] + (truncated if i["truncated"] else ""),
                                                       {r["id"]: [{"key": key, "rank": orders[r["id"]][key]} for key in keys
                                                                  if key in orders[r["id"]]] for r in rows} if ctx["sort"]["options"] else None)})
    ctx["groups"] = groups
    return ctx


def _title_key(record: dict) -> tuple:
    """Return the key of a record in a list by title: its title as readers of its language sort them
    (keys of different languages do not compare, so the language comes first)."""
    return record["main_language"], collation.sort_key(record["display_title"], record["main_language"]), record["id"]


def _browse_orders(records: list[dict]) -> dict[str, dict[str, int]]:
    """Return {record id: {order: rank}} for the browse page's orders: title, year (newest first, then
    title; only records with a year) and date added (newest first, then title)."""
    by_title = sorted(records, key=_title_key)
    by_added = sorted(by_title, key=lambda r: r.get("added", ""), reverse=True)  # stable: titles break ties
    ranks: dict[str, dict[str, int]] = {r["id"]: {"title": rank} for rank, r in enumerate(by_title)}
    for rank, record in enumerate(sorted(records, key=_newest_first)):
        if record.get("year"):
            ranks[record["id"]]["year"] = rank
    for rank, record in enumerate(by_added):
        if record.get("added"):
            ranks[record["id"]]["added"] = rank
    return ranks


class _Items:
    """The link views of records (_item) as listing pages show them, each made once per record,
    language and folder (the same view serves many pages), and the entries of long record lists,
    each rendered once per look by entry (render.list_entry: the macro record_entry). An entry carries
    its record's COinS (coins.py), so Zotero's connector offers to save the records a list shows."""

    def __init__(self, strings: dict, entry, base_url: str = ""):
        self.strings, self.entry, self.base_url = strings, entry, base_url
        self.views: dict = {}
        self.entries_made: dict = {}
        self.coins: dict = {}

    def __call__(self, record: dict, from_path: str, lang: str) -> dict:
        key = (record["id"], lang, posixpath.dirname(from_path))
        if key not in self.views:
            self.views[key] = _item(record, from_path, lang, self.strings)
        return self.views[key]

    def entries(self, records: list[dict], from_path: str, lang: str, kind: str, meta, orders: dict | None = None) -> Markup:
        """Return the entries of a long list of records as seen from from_path, as one piece of HTML
        (meta(view) gives an entry's meta line; kind names that choice; orders, {id: [{key, rank}]},
        the ranks an entry carries for re-ordering in the page)."""
        out = []
        for record in records:
            key = (kind, record["id"], lang, posixpath.dirname(from_path))
            html = self.entries_made.get(key)
            if html is None:
                item = dict(self(record, from_path, lang), coins=self._coins(record, lang),
                            cite_src=_rel(from_path, citefiles.script_path(record["id"])),
                            select_label=f"{self.strings[lang]['export_select']}: {record['display_title']}",
                            orders=(orders or {}).get(record["id"], []))
                html = self.entries_made[key] = str(self.entry(item, meta(item)))
            out.append(html)
        return Markup("\n    ".join(out))

    def _coins(self, record: dict, lang: str) -> Markup:
        """Return the record's COinS span (its page's absolute URL as an identifier when base_url is known)."""
        key = (record["id"], lang)
        if key not in self.coins:
            page_url = (self.base_url + f"{lang}/{record_path(record)}") if self.base_url else ""
            # coins.span escapes the title attribute itself.
            self.coins[key] = Markup(coins.span(record, page_url))
        return self.coins[key]


def plan_pages(records: list[dict], config: dict, strings: dict, about: dict, entities: list[dict],
               cites: dict[str, dict], entry) -> list[dict]:
    """Return every page of every interface language (strings' keys) but the root door and 404, as {path, template, context},
    in a stable order: the listing pages (home, browse, about, organisations, search), then each
    record's page. cites holds each record's citation formats (citations.formats); entry renders one
    entry of a long record list (render.list_entry)."""
    pages = []
    item = _Items(strings, entry, config.get("base_url", ""))

    # newest publications first once records have years, else the last added
    by_recent = sorted(records, key=lambda r: (r.get("year") or 0, r.get("added", ""), r["id"]), reverse=True)
    for lang in strings:
        path = f"{lang}/index.html"
        ctx = _page(path, lang, "home", strings, config)
        ctx.update(
            stats=_stats(records, lang, strings),
            recent=[item(r, path, lang) for r in by_recent[:8]],
            span=_span(records, lang, strings),
            glossary=[item(r, path, lang) for r in records if r["type"] == "glossary"],
            entity_links=[{"label": strings[lang]["entities_heading"], "href": "entities.html"}]
            + [{"label": link["label"], "href": link["href"]} for link in _name_links(records, path, lang, strings)],
            chart=_chart(records, entities, lang, strings, path),
            feed={"href": ctx["page"]["head_links"][0]["href"], "type": feed.MEDIA_TYPE},
        )
        ctx["page"]["jsonld"] = Markup(jsonld.script_text(jsonld.collection(
            strings[lang]["site_title"], strings[lang]["home_intro"], records, config.get("base_url", ""), "../data/")))
        pages.append({"path": path, "template": "home.html", "context": ctx})

        path = f"{lang}/browse.html"
        pages.append({"path": path, "template": "browse.html",
                      "context": _browse_context(records, path, lang, strings, config, item)})

        path = f"{lang}/about.html"
        ctx = _page(path, lang, "about", strings, config)
        # a language without its own About page shows the English one, marked as English
        ctx["about_lang_tag"] = strings[lang]["lang_tag"] if lang in about else LANG_TAGS["en"]
        ctx["about_html"] = about.get(lang, about.get("en", ""))
        pages.append({"path": path, "template": "about.html", "context": ctx})

        pages.extend(_entity_pages(records, entities, lang, strings, config, item))
        pages.extend(_name_pages(records, lang, strings, config, item))

        path = f"{lang}/search.html"
        ctx = _page(path, lang, "search", strings, config)
        ctx["export"] = _export_view(lang, strings, "search")  # search-page.js hands it the whole result set
        ctx["page"]["export_js"] = True
        pages.append({"path": path, "template": "search.html", "context": ctx})

    by_id = {r["id"]: r for r in records}
    shared = {"strings": strings, "config": config, "by_id": by_id, "entities": {e["slug"]: e for e in entities},
              "citations": cites}
    pages += [{"path": f"{lang}/{record_path(record)}", "template": f"{record['type']}.html",
               "context": _record_context(record, f"{lang}/{record_path(record)}", lang, shared)}
              for lang in strings for record in records]
    return pages


def _record_context(record: dict, path: str, lang: str, shared: dict) -> dict:
    """Return the template context of a record page."""
    strings, config = shared["strings"], shared["config"]
    cites = shared["citations"][record["id"]]
    ctx = _page(path, lang, record["type"], strings, config, record["display_title"])
    ctx["record"] = _record_view(record, path, lang, strings, config, shared["by_id"], shared["entities"], cites)
    ctx["page"]["export_js"] = bool(ctx["record"]["citations"]["formats"])  # its copy buttons
    ctx["page"]["description"] = record["build"]["blocks"][0]["text"][:160]
    if config.get("base_url"):
        ctx["page"]["meta"].append({"attr": "property", "name": "og:description", "content": ctx["page"]["description"]})
    ctx["page"]["meta"] += [{"attr": "name", "name": name, "content": content}
                            for name, content in cites["highwire"]]
    base = config.get("base_url", "")
    # script_text escapes <, > and &: the JSON cannot end the script element, so it is markup as it is.
    ctx["page"]["jsonld"] = Markup(jsonld.script_text(jsonld.record(
        record, (base + path) if base else "", (base + f"{lang}/index.html") if base else "", strings[lang]["site_title"])))
    return ctx
