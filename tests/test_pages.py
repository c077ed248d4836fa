"""pages and render: every page's context is plain data, and a page is rendered again exactly when what it shows changed."""
from __future__ import annotations

import copy
import json
import os

import pytest

from bibsite import citations, entities, names, pages, render
from bibsite.links import record_path
from bibsite.strings import load_strings
from conftest import ROOT

SETTINGS = {"base_url": "", "title": {}, "contact": "", "zip_name": "site.zip", "languages": ["zh", "en", "vi"]}


def record(n: int, similar=(), **fields) -> dict:
    """Return a weighed record, as the weigh stage hands it on."""
    text = f"Regional security text number {n}. Shanghai Cooperation Organization."
    return {"id": f"{n:010d}", "type": "abstract", "language": "en", "text": text, "added": f"2026-01-{n + 1:02d}",
            "display_title": f"Title {n}", "title_derived": False, "title_language": "en", "main_language": "en",
            "languages": ["en"], "truncated": False, "entities": ["sco"], "keywords": ["security"],
            "keywords_derived": True, "similar": [f"{m:010d}" for m in similar],
            "build": {"blocks": [{"lang": "en", "text": text}], "text_digest": str(n)}, **fields}


@pytest.fixture(scope="module")
def table():
    return entities.load_entities(ROOT / "content" / "entities.yaml")


def plan(records, table):
    strings = load_strings(ROOT / "templates", SETTINGS)
    env = render.environment(ROOT / "templates")
    cites = {r["id"]: citations.formats(r, r["display_title"]) for r in records}
    about = {"zh": "", "en": ""}
    return pages.plan_pages(records, SETTINGS, strings, about, table, cites, render.list_entry(env)), env


def collection():
    return [record(0, similar=[1]), record(1, similar=[0]), record(2)]


def test_every_page_is_a_path_a_template_and_plain_data(table):
    planned, _ = plan(collection(), table)
    paths = [page["path"] for page in planned]
    assert len(paths) == len(set(paths))
    for lang in SETTINGS["languages"]:
        assert f"{lang}/index.html" in paths and f"{lang}/browse.html" in paths
        assert all(f"{lang}/{record_path(r)}" in paths for r in collection())
    for page in planned:
        assert set(page) == {"path", "template", "context"}
        json.dumps(page["context"], ensure_ascii=False)  # nothing but plain values (and HTML strings)


def render_into(out, planned, env, previous_site, manifest):
    out.mkdir()
    return render.render_pages(planned, env, out, "fp", previous_site, manifest, ROOT)


def test_a_page_is_rendered_again_exactly_when_its_context_changed(tmp_path, table):
    records = collection()
    planned, env = plan(records, table)
    rendered, manifest = render_into(tmp_path / "one", planned, env, tmp_path / "none", {})
    assert rendered == len(planned)
    again, manifest2 = render_into(tmp_path / "two", planned, env, tmp_path / "one", manifest)
    assert again == 0 and manifest2 == manifest
    page = "en/abstracts/0000000002.html"
    assert os.stat(tmp_path / "two" / page).st_ino == os.stat(tmp_path / "one" / page).st_ino  # linked

    # Record 1 gets a new title: its own pages, the page of record 0 (which lists it as similar) and
    # the listings change; record 2's page does not. Nobody lists which fields a page shows.
    edited = copy.deepcopy(records)
    edited[1]["display_title"] = "A new title"
    replanned, env = plan(edited, table)
    before = {p["path"]: render.page_key(p, "fp") for p in planned}
    changed = {p["path"] for p in replanned if render.page_key(p, "fp") != before[p["path"]]}
    assert {"en/abstracts/0000000001.html", "en/abstracts/0000000000.html", "en/browse.html"} <= changed
    assert "en/abstracts/0000000002.html" not in changed
    rendered, _ = render_into(tmp_path / "three", replanned, env, tmp_path / "two", manifest2)
    assert rendered == len(changed)
    assert "A new title" in (tmp_path / "three" / "en/abstracts/0000000000.html").read_text(encoding="utf-8")


def test_a_field_new_to_a_record_re_renders_its_page(tmp_path, table):
    records = collection()
    planned, env = plan(records, table)
    _, manifest = render_into(tmp_path / "one", planned, env, tmp_path / "none", {})
    records[2]["journal"] = "Journal of Eurasian Studies"  # a field pages show, new to this record
    replanned, env = plan(records, table)
    rendered, _ = render_into(tmp_path / "two", replanned, env, tmp_path / "one", manifest)
    # its page in each interface language, and the lists whose entries carry its COinS (which send the
    # journal): browse and the pages of the entities it mentions, in each language
    lists = {"browse"} | {f"entities/{slug}" for slug in records[2].get("entities", [])}
    # and, as the collection's first journal, the journals' index and the journal's page, with the
    # links to that index on the home and organisations pages
    lists |= {"journals", f"journals/{names.slug('Journal of Eurasian Studies')}", "index", "entities"}
    languages = len(SETTINGS["languages"])
    assert rendered == languages + languages * len(lists)
    assert "Journal+of+Eurasian+Studies" in (tmp_path / "two" / "en/browse.html").read_text(encoding="utf-8")
    assert "Journal of Eurasian Studies" in (tmp_path / "two" / "en/abstracts/0000000002.html").read_text(encoding="utf-8")


def test_a_page_edited_by_hand_in_the_previous_site_is_rendered_again(tmp_path, table):
    planned, env = plan(collection(), table)
    _, manifest = render_into(tmp_path / "one", planned, env, tmp_path / "none", {})
    edited = tmp_path / "one" / "zh" / "browse.html"
    good = edited.read_text(encoding="utf-8")
    edited.write_text("damaged", encoding="utf-8")
    rendered, _ = render_into(tmp_path / "two", planned, env, tmp_path / "one", manifest)
    assert rendered == 1 and (tmp_path / "two" / "zh" / "browse.html").read_text(encoding="utf-8") == good


def test_a_template_error_names_the_template(tmp_path, table):
    import shutil

    from bibsite.errors import InputError

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "search.html").write_text("{% extends 'base.html' %}{% block content %}{{ nothing.here }}{% endblock %}\n",
                                           encoding="utf-8")
    planned, _ = plan(collection(), table)
    with pytest.raises(InputError) as caught:
        render.render_pages(planned, render.environment(templates), tmp_path / "out", "fp", tmp_path / "none", {},
                            tmp_path)
    assert caught.value.path == "templates/search.html" and caught.value.line == 1
    assert "template error" in caught.value.problem and "nothing" in caught.value.problem


def test_the_interface_languages_are_the_configured_ones(table):
    settings = {**SETTINGS, "languages": ["vi", "en"]}
    strings = load_strings(ROOT / "templates", settings)
    env = render.environment(ROOT / "templates")
    records = collection()
    cites = {r["id"]: citations.formats(r, r["display_title"]) for r in records}
    planned = pages.plan_pages(records, settings, strings, {}, table, cites, render.list_entry(env))
    assert {page["path"].split("/")[0] for page in planned} == {"vi", "en"}
    home = next(page for page in planned if page["path"] == "vi/index.html")["context"]["page"]
    assert [s["href"] for s in home["switches"]] == ["../en/index.html"]
    assert [a["hreflang"] for a in home["alternates"]] == ["vi", "en"]
