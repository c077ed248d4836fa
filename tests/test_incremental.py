"""Fast rebuilds: nothing to do when nothing changed, and one new abstract costs one analysis."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, copy_project, run_build

NEW_ABSTRACT = "\n\n新加坡与上海合作组织在反恐领域的合作日益深化,东盟地区论坛也为此提供了平台。  相似文献\n"


def pages_rendered(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) pages \((\d+) rendered anew\)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def records_analysed(output: str) -> tuple[int, int]:
    match = re.search(r"(\d+) records \((\d+) analysed anew\)", output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def test_the_first_build_analyses_every_record(project):
    records = list((project / "content").rglob("*.yaml"))
    reference = copy_project(project.parent / "first")
    total, analysed = records_analysed(run_build(reference).stdout)
    assert total == analysed == len([p for p in records if p.parent.name in ("abstracts", "glossary")])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("incremental"))
    run_build(project)
    return project


def test_a_rebuild_with_no_change_does_nothing(project):
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    out = run_build(project).stdout
    assert "nothing changed" in out
    assert {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()} == before


def test_a_hand_edited_site_file_is_rebuilt(project):
    page = project / "site" / "en" / "about.html"
    original = page.read_bytes()
    page.write_text("tampered", encoding="utf-8")
    out = run_build(project).stdout
    assert "nothing changed" not in out
    assert page.read_bytes() == original


def test_one_new_abstract_is_analysed_alone_and_gets_its_pages(project):
    before = len(list((project / "content" / "abstracts").glob("*.yaml")))
    seed = next((project / "seeds" / "abstracts").glob("*.txt"))
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ABSTRACT)
    out = run_build(project).stdout
    assert "import: 1 new" in out
    total, analysed = records_analysed(out)
    assert analysed == 1 and total > before
    total, rendered = pages_rendered(out)
    assert 0 < rendered < total
    new_ids = {p.stem for p in (project / "content" / "abstracts").glob("*.yaml")}
    assert all((project / "site" / lang / "abstracts" / f"{i}.html").exists() for i in new_ids for lang in ("zh", "en"))


def test_a_corrupt_cache_is_recomputed_not_trusted(project):
    cache = project / ".cache" / "analysis.cache"
    data = cache.read_bytes()
    cache.write_bytes(data[: len(data) // 2] + b"broken" + data[len(data) // 2 + 6:])
    (project / "site" / "en" / "about.html").write_text("force a rebuild", encoding="utf-8")
    out = run_build(project).stdout
    total, analysed = records_analysed(out)
    assert analysed == total
    reference = copy_project(project.parent / "reference")
    run_build(reference)
    seed = next((reference / "seeds" / "abstracts").glob("*.txt"))
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ABSTRACT)
    run_build(reference)
    ours = (project / "site" / "data" / "records.json").read_text(encoding="utf-8")
    theirs = (reference / "site" / "data" / "records.json").read_text(encoding="utf-8")
    # Same records, same derived keywords, entities and similar lists: the damaged entry was redone.
    assert re.sub(r'"added": "[^"]*"', "", ours) == re.sub(r'"added": "[^"]*"', "", theirs)


def test_long_list_entries_are_rendered_once_per_look(tmp_path):
    from bibsite import pages

    env = pages.environment(ROOT / "templates")
    items = [{"href": f"abstracts/{n}.html", "lang_tag": "en", "title": f"<b>Title {n}</b>"} for n in range(3)]

    kept: dict = {}

    def entries(meta):
        made = pages._Entries(env, kept)
        return made.html([(f"{item['href']} {meta(item)}", item) for item in items], lambda item: item, meta), made.drain()

    first, rendered = entries(lambda item: "English")
    assert len(rendered) == 3 and first.count("<li>") == 3 and "&lt;b&gt;Title 0" in first  # escaped
    again, rendered = entries(lambda item: "English")
    assert again == first and rendered == {}  # all three from the cache
    other, rendered = entries(lambda item: "英文")
    assert len(rendered) == 3 and "英文" in other


def _entries_page(items):
    from bibsite import pages

    return {"entries": pages._list_entries([(item["href"], item) for item in items], lambda item: item,
                                           lambda item: "meta")}


def test_long_list_entries_are_kept_between_builds(tmp_path):
    import shutil

    from bibsite import pages
    from bibsite.cache import Cache

    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "templates" / "macros.html", templates / "macros.html")
    (templates / "list.html").write_text("<ol>{{ entries }}</ol>\n", encoding="utf-8")
    env = pages.environment(templates)
    items = [{"href": f"abstracts/{n}.html", "lang_tag": "en", "title": f"Title {n}"} for n in range(3)]
    planned = [{"path": "en/list.html", "template": "list.html", "inputs": "x", "build": (_entries_page, (items,))}]
    cache_dir, site = tmp_path / ".cache", tmp_path / "site"

    def build(out: str) -> str:
        (tmp_path / out).mkdir()
        pages.render_pages(planned, env, tmp_path / out, "fingerprint", site, {}, cache_dir)
        return (tmp_path / out / "en" / "list.html").read_text(encoding="utf-8")

    first = build("one")
    cache = Cache(cache_dir, "list-entries", "fingerprint")
    kept = cache.get("entries")
    assert len(kept) == 3 and all(html in first for html in kept.values())
    key = next(key for key, html in kept.items() if "Title 1" in html)
    cache.put("entries", {**kept, key: "<li>as kept</li>"})
    cache.save()
    second = build("two")
    assert "<li>as kept</li>" in second and "Title 0" in second  # the next build takes its entries from .cache/
