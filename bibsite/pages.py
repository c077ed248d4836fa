"""Pages: the list of every page with its ready-made template context, and rendering them with Jinja2.

Templates get plain values only; every URL, label and language tag is computed here, so the
templates hold no logic beyond loops and conditionals.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import posixpath
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import jinja2
import markdown
import yaml
from markupsafe import Markup

from . import citations, textnorm
from .cache import Cache
from .entities import KINDS as ENTITY_KINDS
from .progress import progress

UI_LANGS = ("zh", "en")
LANG_TAGS = {"zh": "zh-Hans", "en": "en", "vi": "vi"}
FOLDERS = {"abstract": "abstracts", "glossary": "glossary"}
# Keywords are shown as links of their own (record-extras.html), not among these fields.
FIELD_ORDER = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "url", "added")


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


def record_path(record: dict) -> str:
    """Return a record's page path relative to a UI language folder, e.g. abstracts/<id>.html."""
    return f"{FOLDERS[record['type']]}/{record['id']}.html"


def _rel(from_path: str, to_path: str) -> str:
    """Return the relative URL from the page at from_path to the site file at to_path.

    Both are clean site-relative paths (no '.', '..' or leading '/'), so plain string work gives what
    posixpath.relpath would, at a fraction of its cost over hundreds of thousands of links.
    """
    here = from_path.split("/")[:-1]
    there = to_path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


def _page(path: str, lang: str, kind: str, strings: dict, config: dict, title: str = "") -> dict:
    """Return the context shared by every page of the UI: language, switch, navigation, root."""
    other = "en" if lang == "zh" else "zh"
    inner = path.split("/", 1)[1]
    depth = path.count("/")
    root = "../" * depth
    alternates = []
    base = config.get("base_url", "")
    for code in UI_LANGS:
        target = f"{code}/{inner}"
        alternates.append({"hreflang": LANG_TAGS[code], "href": (base + target) if base else _rel(path, target)})
    page = {
        "kind": kind,
        "lang_tag": LANG_TAGS[lang],
        "other_lang_tag": LANG_TAGS[other],
        "other_lang_name": strings[lang]["other_lang_name"],
        "switch_label": strings[lang]["switch_label"],
        "switch_url": _rel(path, f"{other}/{inner}"),
        "alternates": alternates,
        "canonical": (base + path) if base else "",
        "meta": [],
        "description": "",
        # home and search carry their own large search box; a second one in the header would only confuse
        "header_search": kind not in ("home", "search"),
    }
    if base:
        page["meta"] += [
            {"attr": "property", "name": "og:title", "content": title or strings[lang]["site_title"]},
            {"attr": "property", "name": "og:type", "content": "article" if kind in ("abstract", "glossary") else "website"},
            {"attr": "property", "name": "og:url", "content": base + path},
            {"attr": "property", "name": "og:locale", "content": "zh_CN" if lang == "zh" else "en_US"},
            {"attr": "property", "name": "og:site_name", "content": strings[lang]["site_title"]},
        ]
    nav = [
        {"label": strings[lang]["nav_home"], "href": _rel(path, f"{lang}/index.html"), "current": kind == "home"},
        {"label": strings[lang]["nav_browse"], "href": _rel(path, f"{lang}/browse.html"), "current": kind == "browse"},
        {"label": strings[lang]["nav_entities"], "href": _rel(path, f"{lang}/entities.html"),
         "current": kind in ("entities", "entity")},
        {"label": strings[lang]["nav_search"], "href": _rel(path, f"{lang}/search.html"), "current": kind == "search"},
        {"label": strings[lang]["nav_about"], "href": _rel(path, f"{lang}/about.html"), "current": kind == "about"},
    ]
    zip_url = (base + config["zip_name"]) if base and config.get("zip_name") else ""
    contact = config.get("contact", "")
    contact_href = contact if contact.startswith(("http://", "https://")) else (f"mailto:{contact}" if "@" in contact else "")
    return {"lang": lang, "root": root, "page": page, "nav": nav, "strings": strings[lang],
            "site": {"zip_url": zip_url, "contact": contact, "contact_href": contact_href}}


def _item(record: dict, from_path: str, lang: str, strings: dict) -> dict:
    """Return the link view of a record (title, href, language) as seen from a page."""
    return {
        "id": record["id"],
        "title": record["display_title"],
        "href": _rel(from_path, f"{lang}/{record_path(record)}"),
        "lang_tag": LANG_TAGS[record["title_language"]],
        "lang_label": " / ".join(strings[lang][f"lang_{code}"] for code in record["languages"]),
        "added": record.get("added", ""),
        "truncated": record["truncated"],
    }


def _fields(record: dict, lang: str, strings: dict) -> list[dict]:
    """Return the bibliographic fields a record has, as label/value rows; URLs only when http(s)."""
    rows = []
    for field in FIELD_ORDER:
        value = record.get(field)
        if not value or (field == "title" and record["type"] == "glossary"):
            continue
        row = {"label": strings[lang][f"field_{field}"], "value": value, "href": "", "lang_tag": "", "parts": []}
        if isinstance(value, list):
            # each author or keyword carries its own language: a glossary entry's mix Chinese and Vietnamese
            row["value"] = "; ".join(value)
            row["parts"] = [{"text": item, "lang_tag": _word_lang(item, record)} for item in value]
        if field == "url" and str(value).startswith(("http://", "https://")):
            row["href"] = value
        if field == "doi":
            row["href"] = f"https://doi.org/{value}"
        if field == "title":
            row["lang_tag"] = LANG_TAGS[record["title_language"]]
        if field == "journal":
            row["lang_tag"] = _word_lang(value, record)
        rows.append(row)
    if record["type"] == "glossary":
        for field in ("date", "publisher"):
            if record.get(field):
                rows.append({"label": strings[lang][f"field_{field}"], "value": record[field], "href": "", "lang_tag": "",
                             "parts": []})
        if record.get("section"):
            for code, value in record["section"].items():
                rows.append({"label": strings[lang]["field_section"], "value": value, "href": "", "lang_tag": LANG_TAGS[code],
                             "parts": []})
    return rows


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


def _citations_view(cites: dict) -> dict:
    """Return the citation formats of a record, shown on its page (the collection has files of its own)."""
    texts = {"bibtex": cites.get("bibtex"), "ris": cites.get("ris"),
             "csl": json.dumps(cites["csl"], ensure_ascii=False, indent=2, sort_keys=True) if cites.get("csl") else ""}
    formats = [{"label": label, "text": texts[key]}
               for key, label in (("bibtex", "BibTeX"), ("ris", "RIS"), ("csl", "CSL-JSON")) if texts[key]]
    return {"gbt": cites.get("gbt", ""), "formats": formats}


def _record_view(record: dict, path: str, lang: str, strings: dict, config: dict, by_id: dict, entities: dict,
                 cites: dict) -> dict:
    """Return everything a record page shows, ready for the template."""
    base = config.get("base_url", "")
    view = {
        "id": record["id"],
        "title": record["display_title"],
        "title_derived": record["title_derived"],
        "lang_tag": LANG_TAGS[record["title_language"]],
        "lang_label": " / ".join(strings[lang][f"lang_{code}"] for code in record["languages"]),
        "truncated": record["truncated"],
        "fields": _fields(record, lang, strings),
        "blocks": [{"lang_tag": LANG_TAGS[b["lang"]], "paragraphs": _paragraphs(b["text"])} for b in record["blocks"]],
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
    view["citations"] = _citations_view(cites)
    if record["type"] == "glossary":
        columns = [{"lang": b["lang"], "lang_tag": LANG_TAGS[b["lang"]], "term": record["term"].get(b["lang"], ""),
                    "label": strings[lang][f"lang_{b['lang']}"]} for b in record["blocks"]]
        paras = [_paragraphs(b["text"]) for b in record["blocks"]]
        longest = max(len(p) for p in paras)
        view["rows"] = [[{"lang_tag": col["lang_tag"], "label": col["label"], "text": p[i] if i < len(p) else ""}
                         for col, p in zip(columns, paras)] for i in range(longest)]
        view["columns"] = columns
        view["terms"] = [{"lang_tag": LANG_TAGS[code], "text": text} for code, text in record["term"].items()]
        if record.get("abbreviation"):
            view["terms"].append({"lang_tag": "en", "text": record["abbreviation"]})
        view["breadcrumb"] = (record.get("breadcrumb") or {}).get("vi", "")
    return view


def _stats(records: list[dict], lang: str, strings: dict) -> dict:
    types = Counter(r["type"] for r in records)
    languages = Counter(code for r in records for code in r["languages"])
    return {
        "total": len(records),
        "by_type": [{"label": strings[lang][f"type_{t}"], "count": types[t]} for t in FOLDERS if types[t]],
        "by_language": [{"label": strings[lang][f"lang_{code}"], "count": languages[code]}
                        for code in LANG_TAGS if languages[code]],
    }


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
        bars.append({"label": label, "lang_tag": "zh-Hans" if textnorm.HAN_CHAR.search(label) else "en", "count": count,
                     "aria_label": strings[lang]["chart_bar"].format(name=_entity_label(entity, lang), count=count),
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


def _entity_pages(records, entities, lang, strings, config, item, shown) -> list[dict]:
    """Return the organisations index page and one page per entity for a UI language."""
    pages = []
    path = f"{lang}/entities.html"
    ctx = _page(path, lang, "entities", strings, config)
    counts = Counter(slug for r in records for slug in r.get("entities", []))
    ctx["groups"] = [{"key": kind, "label": strings[lang][f"kind_{kind}"],
                      "entities": [{"label": _entity_label(e, lang), "href": _rel(path, f"{lang}/entities/{e['slug']}.html"),
                                    "count": counts[e["slug"]], "lang_tag": LANG_TAGS[lang]}
                                   for e in sorted((e for e in entities if e["kind"] == kind),
                                                   key=lambda e: (-counts[e["slug"]], e["slug"]))]}
                     for kind in ENTITY_KINDS]
    pages.append({"path": path, "template": "entities.html", "context": ctx})
    by_entity: dict[str, list[dict]] = {}
    for record in records:
        for slug in dict.fromkeys(record.get("entities", [])):
            by_entity.setdefault(slug, []).append(record)
    for entity in entities:
        path = f"{lang}/entities/{entity['slug']}.html"
        mentioning = by_entity.get(entity["slug"], [])
        pages.append({"path": path, "template": "entity.html",
                      "inputs": _digest(lang, entity["slug"], *(shown[r["id"]] for r in mentioning)),
                      "build": (_entity_context, (entity, mentioning, path, lang, strings, config, item))})
    return pages


def _entity_context(entity, mentioning, path, lang, strings, config, item) -> dict:
    """Return the template context of an entity's page: its names, glossary entries and records."""
    name = _entity_label(entity, lang)
    ctx = _page(path, lang, "entity", strings, config, name)
    ctx["entity"] = {
        "name": name,
        "name_lang_tag": LANG_TAGS[lang] if entity["names"].get(lang) else "en",
        "kind_label": strings[lang][f"kind_{entity['kind']}"],
        "names": [{"label": strings[lang][f"lang_{code}"], "lang_tag": LANG_TAGS[code],
                   "names": " / ".join(entity["names"][code])} for code in LANG_TAGS if entity["names"].get(code)],
        "glossary": [item(r, path, lang) for r in mentioning if r["type"] == "glossary"],
        "count": sum(1 for r in mentioning if r["type"] != "glossary"),
        "entries": item.entries([r for r in mentioning if r["type"] != "glossary"], path, lang,
                                "entity", lambda i: i["lang_label"]),
        "search_href": _rel(path, f"{lang}/search.html") + "?q=" + quote(_short_or_name(entity)),
    }
    return ctx


def _browse_context(records, path, lang, strings, config, item) -> dict:
    """Return the template context of the browse page: every record, by type and language, by title."""
    ctx = _page(path, lang, "browse", strings, config)
    truncated = f" · {strings[lang]['truncated_short']}"
    groups = []
    for kind in FOLDERS:
        for code in LANG_TAGS:
            rows = [r for r in records if r["type"] == kind and r["main_language"] == code]
            if rows:
                rows.sort(key=lambda r: r["display_title"])
                groups.append({"key": f"{kind}-{code}",
                               "label": f"{strings[lang]['type_' + kind]} · {strings[lang]['lang_' + code]}",
                               "count": len(rows),
                               "entries": item.entries(rows, path, lang, "browse",
                                                       lambda i: i["lang_label"] + (truncated if i["truncated"] else ""))})
    ctx["groups"] = groups
    return ctx


class _Items:
    """The link views of records (_item) as listing pages show them, each made once per record,
    language and folder (the same view serves many pages), and the entries of long record lists."""

    def __init__(self, strings: dict, shown: dict[str, str]):
        self.strings, self.shown = strings, shown
        self.views: dict = {}

    def __call__(self, record: dict, from_path: str, lang: str) -> dict:
        key = (record["id"], lang, posixpath.dirname(from_path))
        if key not in self.views:
            self.views[key] = _item(record, from_path, lang, self.strings)
        return self.views[key]

    def entries(self, records: list[dict], from_path: str, lang: str, kind: str, meta) -> Markup:
        """Return the entries of a long list of records as seen from from_path (meta(view) gives an
        entry's meta line; kind names that choice), kept ones found by what the records show."""
        folder = posixpath.dirname(from_path)
        keyed = [(f"{kind}\0{lang}\0{folder}\0{self.shown[r['id']]}", r) for r in records]
        return _list_entries(keyed, lambda record: self(record, from_path, lang), meta)


def plan_listing_pages(records: list[dict], config: dict, strings: dict, about: dict,
                       entities: list[dict]) -> list[dict]:
    """Return the pages that list records, and the other pages of each UI language that are not a
    record's own (home, browse, about, organisations, search), in a stable order. None of them shows a
    record's keywords or similar records, so they can be written while those are being worked out.

    A page is {path, template, context}, or for browse and organisation pages {path, template,
    inputs, build}: the context is built (build[0](*build[1])) only if the page must be rendered, and
    inputs is a digest of everything it is built from besides what fingerprint() covers, so that a
    rebuild can tell which of them are unchanged without building them."""
    pages = []
    shown = _shown(records)
    item = _Items(strings, shown)

    by_recent = sorted(records, key=lambda r: (r.get("added", ""), r["id"]), reverse=True)
    for lang in UI_LANGS:
        path = f"{lang}/index.html"
        ctx = _page(path, lang, "home", strings, config)
        ctx.update(
            stats=_stats(records, lang, strings),
            recent=[item(r, path, lang) for r in by_recent[:8]],
            glossary=[item(r, path, lang) for r in records if r["type"] == "glossary"],
            entity_links=[{"label": strings[lang]["entities_heading"], "href": "entities.html"}],
            chart=_chart(records, entities, lang, strings, path),
        )
        pages.append({"path": path, "template": "home.html", "context": ctx})

        path = f"{lang}/browse.html"
        pages.append({"path": path, "template": "browse.html",
                      "inputs": _digest(lang, *(shown[r["id"]] for r in records)),
                      "build": (_browse_context, (records, path, lang, strings, config, item))})

        path = f"{lang}/about.html"
        ctx = _page(path, lang, "about", strings, config)
        ctx["about_html"] = about[lang]
        pages.append({"path": path, "template": "about.html", "context": ctx})

        pages.extend(_entity_pages(records, entities, lang, strings, config, item, shown))

        path = f"{lang}/search.html"
        pages.append({"path": path, "template": "search.html", "context": _page(path, lang, "search", strings, config)})
    return pages


def plan_record_pages(records: list[dict], config: dict, strings: dict, entities: list[dict]) -> list[dict]:
    """Return each record's page in each UI language, in a stable order: {path, template, inputs,
    build, record} (see plan_listing_pages)."""
    by_id = {r["id"]: r for r in records}
    shared = {"strings": strings, "config": config, "by_id": by_id, "entities": {e["slug"]: e for e in entities}}
    inputs = _record_inputs(records, by_id, _shown(records))
    return [{"path": f"{lang}/{record_path(record)}", "template": f"{record['type']}.html",
             "inputs": lang + inputs[record["id"]],
             "build": (_record_context, (record, f"{lang}/{record_path(record)}", lang, shared)), "record": record["id"]}
            for lang in UI_LANGS for record in records]


def _record_context(record: dict, path: str, lang: str, shared: dict) -> dict:
    """Return the template context of a record page."""
    strings, config = shared["strings"], shared["config"]
    made = shared.setdefault("citations", {})  # the zh and en pages of a record show the same ones
    if record["id"] not in made:
        made[record["id"]] = citations.formats(record, record["display_title"])
    cites = made[record["id"]]
    ctx = _page(path, lang, record["type"], strings, config, record["display_title"])
    ctx["record"] = _record_view(record, path, lang, strings, config, shared["by_id"], shared["entities"], cites)
    ctx["page"]["description"] = record["blocks"][0]["text"][:160]
    if config.get("base_url"):
        ctx["page"]["meta"].append({"attr": "property", "name": "og:description", "content": ctx["page"]["description"]})
    ctx["page"]["meta"] += [{"attr": "name", "name": name, "content": content}
                            for name, content in cites["highwire"]]
    return ctx


# Record fields a page never reads, or reads only through fields that are hashed (text and blocks through
# text_digest): leaving them out saves hashing them again.
_NOT_SHOWN = frozenset(("terms", "terms_key", "text", "blocks"))


def _shown(records: list[dict]) -> dict[str, str]:
    """Return {record id: what a link to it shows (and where listings group it), as text to hash}."""
    return {r["id"]: json.dumps([r["id"], r["type"], r["main_language"], r["display_title"], r["title_language"],
                                 r["languages"], r.get("added", ""), r["truncated"]], ensure_ascii=False)
            for r in records}


def _record_inputs(records: list[dict], by_id: dict, shown: dict[str, str]) -> dict[str, str]:
    """Return {record id: digest of the record and of what its page shows of its similar records}."""
    digests = {}
    for record in records:
        # Records are built in a fixed order (file order, then derived fields), so no key sorting.
        own = json.dumps({k: v for k, v in record.items() if k not in _NOT_SHOWN}, ensure_ascii=False, default=str)
        digests[record["id"]] = _digest(own, *(shown[other] for other in record.get("similar", []) if other in by_id))
    return digests


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def read_about(pages_dir: Path) -> dict:
    """Return the About page HTML per UI language, rendered from content/pages/about.<lang>.md."""
    md = markdown.Markdown(extensions=["extra", "sane_lists"])
    html = {}
    for lang in UI_LANGS:
        source = pages_dir / f"about.{lang}.md"
        # the maintainers' own Markdown: trusted, so its HTML is marked safe rather than escaped
        html[lang] = Markup(md.reset().convert(source.read_text(encoding="utf-8")) if source.exists() else "")
    return html


class _Environment(jinja2.Environment):
    """Jinja2 for plain-dict contexts: `item.title` looks the key up first, where Jinja would first
    try an attribute and fail (an exception per lookup, some 150 per page); anything else is as Jinja does it."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(templates_dir: Path) -> jinja2.Environment:
    """Return the Jinja2 environment: autoescaping on, undefined values are errors."""
    return _Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def render_root(env: jinja2.Environment, strings: dict, config: dict) -> str:
    """Return the site's root index.html: a bilingual door to both interfaces."""
    base = config.get("base_url", "")
    alternates = [{"hreflang": LANG_TAGS[c], "href": f"{base}{c}/index.html"} for c in UI_LANGS]
    # The door itself is the page for readers whose language is neither.
    alternates.append({"hreflang": "x-default", "href": base or "index.html"})
    return env.get_template("root.html").render(zh=strings["zh"], en=strings["en"], alternates=alternates, prefix="")


def render_not_found(env: jinja2.Environment, strings: dict, config: dict) -> str:
    """Return the bilingual 404 page; absolute links when a base URL is set (hosts serve it at any path)."""
    return env.get_template("404.html").render(zh=strings["zh"], en=strings["en"], prefix=config.get("base_url", ""))


def fingerprint(templates_dir: Path, strings: dict, config: dict, entities: list[dict]) -> str:
    """Return a hash of what every page depends on: the templates and strings files, the code that
    builds contexts, the settings and the entity table. A change to any of them re-renders all pages."""
    digest = hashlib.sha256()
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes())
    for module in (sys.modules[__name__], citations, textnorm):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(json.dumps([strings, config, entities], sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def _page_key(page: dict, fingerprint: str) -> str:
    if "inputs" in page:
        data = page["inputs"]
    else:
        # Contexts are built in a fixed order, so their JSON needs no key sorting to be stable.
        data = json.dumps(page["context"], ensure_ascii=False, default=str)
    return hashlib.sha256(f"{fingerprint}\0{page['template']}\0{data}".encode("utf-8")).hexdigest()


PARALLEL_FROM = 400  # below this many pages a second process costs more than it saves
_RENDER: dict = {}  # the job, set before forking so workers inherit it instead of receiving it


class _Entries:
    """The entries of the long record lists (browse and organisation pages, thousands of records each),
    rendered by the macro record_entry once per look (link, meta line, folder) and kept in .cache/
    between builds: a new record re-renders those pages, but not the entries of the records already there."""

    def __init__(self, env: jinja2.Environment, kept: dict[str, str]):
        self.macro = getattr(env.get_template("macros.html").module, "record_entry", None)
        if self.macro is None:
            raise jinja2.TemplateRuntimeError("templates/macros.html has no macro record_entry(item, meta), "
                                              "which the browse and organisation pages list records with")
        self.kept = kept  # rendered by earlier builds
        self.made: dict[str, str] = {}  # rendered by this process since the last drain()

    def html(self, keyed: list[tuple[str, object]], view, meta) -> Markup:
        """Return the entries of keyed, [(key, row)], as one piece of HTML: the entry kept under key,
        else the macro's of view(row) with the meta line meta(view(row)). A key must say everything
        an entry shows."""
        out = []
        for key, row in keyed:
            html = self.kept.get(key)
            if html is None:
                item = view(row)
                html = self.kept[key] = self.made[key] = str(self.macro(item, meta(item)))
            out.append(html)
        return Markup("\n    ".join(out))

    def drain(self) -> dict[str, str]:
        """Return the entries rendered since the last call (a worker hands them to the parent's cache)."""
        made, self.made = self.made, {}
        return made


def _list_entries(keyed: list[tuple[str, object]], view, meta) -> Markup:
    """Return the HTML of a long record list's entries (_Entries.html), from the job's kept entries."""
    if "entries" not in _RENDER:
        cache = _RENDER.get("entries_cache")
        _RENDER["entries"] = _Entries(_RENDER["env"], (cache.get("entries") if cache is not None else None) or {})
    return _RENDER["entries"].html(keyed, view, meta)


def _link_unchanged(index: int) -> tuple[str, list] | None:
    """Link page number index of the job from the previous site and return (path, manifest entry),
    or return None when the page must be rendered."""
    job = _RENDER
    page = job["pages"][index]
    key = _page_key(page, job["fingerprint"])
    old = job["manifest"].get(page["path"])
    source = os.path.join(job["previous_site"], page["path"])
    if old and old[0] == key and _stamp(source) == old[1:]:
        os.link(source, os.path.join(job["out_dir"], page["path"]))  # the same inode, so the same stamp next time
        return page["path"], old
    return None


def _render_one(index: int) -> tuple[str, list, dict]:
    """Render page number index of the job; return (path, manifest entry, list entries it rendered)."""
    job = _RENDER
    page = job["pages"][index]
    target = os.path.join(job["out_dir"], page["path"])
    context = page["context"] if "context" in page else page["build"][0](*page["build"][1])
    html = job["env"].get_template(page["template"]).render(**context).encode("utf-8")
    with open(target, "wb") as handle:
        handle.write(html)
    made = job["entries"].drain() if "entries" in job else {}
    return page["path"], [_page_key(page, job["fingerprint"]), *_stamp(target)], made


def _stamp(path: str) -> list[int]:
    """Return [size, modification time] of a file, or [] if it is missing: a page edited or damaged
    by hand since the last build has another stamp, and is rendered again rather than reused."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    return [info.st_size, info.st_mtime_ns]


def render_pages(pages: list[dict], env: jinja2.Environment, out_dir: Path, fingerprint: str,
                 previous_site: Path, manifest: dict, cache_dir: Path | None = None) -> tuple[int, dict]:
    """Write every planned page under out_dir; return (pages rendered anew, the new manifest).

    A page whose template input is unchanged since the last build (same key in the manifest) is
    linked from the previous site instead of rendered again, after checking that file's size and
    modification time, so an edited or damaged file there is never reused. When many pages must be
    rendered they are shared between two processes. With cache_dir, the entries of long record lists
    are kept there (_Entries).
    """
    entries_cache = Cache(cache_dir, "list-entries", fingerprint) if cache_dir is not None else None
    _RENDER.update(pages=pages, env=env, out_dir=str(out_dir), fingerprint=fingerprint,
                   previous_site=str(previous_site), manifest=manifest, entries_cache=entries_cache)
    for folder in sorted({posixpath.dirname(page["path"]) for page in pages}):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    try:
        done = {}
        for index in range(len(pages)):
            linked = _link_unchanged(index)
            if linked:
                done[index] = linked
        # A record's two pages go to the same process, one after the other: they share its citations.
        todo = sorted((index for index in range(len(pages)) if index not in done),
                      key=lambda index: (pages[index].get("record", ""), index))
        if len(todo) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            done.update((i, _render_one(i)) for i in progress(todo, "pages"))
        else:
            with multiprocessing.get_context("fork").Pool(2) as pool:
                rendered = progress(pool.imap(_render_one, todo, chunksize=32), "pages", total=len(todo))
                done.update(zip(todo, rendered))
    finally:
        entries = _RENDER.get("entries")
        _RENDER.clear()
    made = {key: html for result in done.values() if len(result) > 2 for key, html in result[2].items()}
    if entries_cache is not None and made:
        # Entries of lists not rendered this time stay: the next build may render those lists.
        kept = entries.kept if entries is not None else entries_cache.get("entries") or {}
        entries_cache.put("entries", {**kept, **made})
        entries_cache.save()
    return len(todo), {pages[i]["path"]: done[i][1] for i in range(len(pages))}
