"""The build's stages as importable functions, each taking and returning plain data.

build.py calls them in order: config → load_entities → start_analyser → load_records → import_seeds →
analyse_records → write_listing_pages (while enrich.CollectionWork finds keywords and similar records) →
add_keywords → write_search_index (started meanwhile) → add_similar → write_site (record pages,
records.json, while another process writes the citations) → write_zip → publish.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import analysis, citations, enrich, entities, importer, output, pages, records
from .background import Background
from .cache import Cache, cached_map, code_version
from .config import load_config
from .errors import InputError
from .sitemap import robots_txt, sitemap_xml


@dataclass
class Project:
    """Where a project's inputs and outputs live."""

    root: Path
    seeds: Path = field(init=False)
    content: Path = field(init=False)
    templates: Path = field(init=False)
    site: Path = field(init=False)
    dist: Path = field(init=False)
    cache: Path = field(init=False)
    zip_name: str = "regional-security-bibliography.zip"

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.seeds = self.root / "seeds"
        self.content = self.root / "content"
        self.templates = self.root / "templates"
        self.site = self.root / "site"
        self.dist = self.root / "dist"
        self.cache = self.root / ".cache"

    @property
    def last_build(self) -> Path:
        return self.cache / "last-build.json"

    @property
    def zip_path(self) -> Path:
        return self.dist / self.zip_name


def warn(message: str) -> None:
    """Print a warning line for the maintainer."""
    print(f"warning: {message}", file=sys.stderr)


def load_records(project: Project, hashes: dict[str, bytes] | None = None) -> list[dict]:
    """Return every validated record of content/ (hashes: uptodate.input_hashes(), if known)."""
    return records.load_all(project.content, project.root, project.cache, hashes)


def import_seeds(project: Project, existing: list[dict], write: bool = True) -> dict:
    """Import what is new in seeds/ into content/ (or only read the seeds when write is False)."""
    if not write:
        candidates, duplicates = importer.read_seeds(project.seeds, project.root, warn)
        known = {r["id"] for r in existing}
        return {"new": [c for c in candidates if c["id"] not in known], "duplicates": duplicates,
                "unchanged": sum(1 for c in candidates if c["id"] in known), "orphans": []}
    return importer.import_seeds(project.seeds, project.content, existing, project.root, warn)


def load_entities(project: Project) -> list[dict]:
    """Return the entity table (content/entities.yaml), validated."""
    return entities.load_entities(project.content / "entities.yaml")


def imported_paths(project: Project, imported: dict) -> list[Path]:
    """Return the files of content/ the import wrote."""
    return [project.content / records.KINDS[r["type"]] / f"{r['id']}.yaml" for r in imported["new"]]


def with_imported(project: Project, existing: list[dict], imported: dict) -> list[dict]:
    """Return the loaded records plus the ones just imported, read back from their files, in id order."""
    added = records.load_added(imported_paths(project, imported), project.root, project.cache)
    return sorted(existing + added, key=lambda r: (r["type"], r["id"]))


def start_analyser(project: Project, entity_table: list[dict]) -> analysis.Analyser:
    """Start the processes that segment text, now, so that they load jieba while the build checks
    its inputs and reads records and seeds: two for a first build (everything to analyse), else one."""
    first_build = not (project.cache / "analysis.cache").exists()
    return analysis.Analyser(entity_table, project.cache, processes=2 if first_build else 1)


def analyse_records(loaded: list[dict], entity_table: list[dict], project: Project,
                    analyser: analysis.Analyser) -> tuple[list[dict], dict[str, dict], int]:
    """Return the records with their derived build fields (titles, languages, entities), their text
    analyses by id, and how many records had to be analysed anew (the others came from the cache)."""
    records = enrich.enrich_all(loaded, project.cache)
    version = analysis.fingerprint(entity_table)
    analyses, analysed = analysis.analyse_all(records, analyser, project.cache, version)
    for record in records:
        record["entities"] = analyses[record["id"]]["entities"]
        # Changes whenever the terms of its title, text or entities may: what the search index's update reads.
        record["terms_key"] = f"{version}\n{analysis.analysis_key(record)}"
    return records, analyses, analysed


def add_keywords(records: list[dict], chosen: dict[str, list[str]], analyses: dict[str, dict],
                 project: Project, analyser: analysis.Analyser, entity_table: list[dict]) -> None:
    """Add each record's keywords (chosen: enrich.CollectionWork.keywords()) and the search terms of
    each field (under "terms")."""
    for record in records:
        record["keywords_derived"] = not record.get("keywords")
        record["keywords"] = chosen[record["id"]]
    keyword_terms = analysis.keyword_terms(records, analyser, project.cache, analysis.fingerprint(entity_table))
    for record in records:
        record["terms"] = {"title": analyses[record["id"]]["title"], "text": analyses[record["id"]]["text"],
                           "keywords": keyword_terms[record["id"]]}


def add_similar(records: list[dict], nearest: dict[str, list[str]]) -> None:
    """Add each record's similar records (nearest: enrich.CollectionWork.similar())."""
    for record in records:
        record["similar"] = nearest.get(record["id"], [])


def config(project: Project) -> dict:
    """Return the site configuration (content/site.yaml) with defaults filled in."""
    return load_config(project.content / "site.yaml", project.root, project.zip_name)


def public_record(record: dict) -> dict:
    """Return the fields of a record published in data/records.json."""
    hidden = {"path", "blocks", "source_file", "source_line", "terms", "terms_key", "text_digest"}
    return {key: value for key, value in record.items() if key not in hidden}


def search_docs(enriched: list[dict]) -> list[dict]:
    """Return the records as the search index builder takes them, with the terms of each field, in
    the order they were added (search_order)."""
    return [{
        "id": r["id"],
        "type": r["type"],
        "lang": r["main_language"],
        "langs": r["languages"],
        "title": r["display_title"],
        "blocks": r["blocks"],
        "keywords": r.get("keywords", []),
        "url": pages.record_path(r),
        "entities": r.get("entities", []),
        "terms": r["terms"],
        "terms_key": r["terms_key"],
    } for r in sorted(enriched, key=search_order)]


def search_order(record: dict) -> tuple:
    """Return where a record goes in the search index: in the order records were added (date, then
    seed file and line; undated records last), so that new records come last and the last build's
    index is updated rather than counted afresh (search_index/incremental.py). Ties of score list
    the earlier record first."""
    return (record.get("added") or "~", record.get("source_file") or "~", record.get("source_line") or 0,
            record["type"], record["id"])


def write_listing_pages(project: Project, enriched: list[dict], entity_table: list[dict], settings: dict,
                        staged: Path) -> dict:
    """Write the pages that show no record's keywords or similar records (home, browse, organisations,
    about, search) into staged, while those are being worked out; return what write_site goes on with."""
    strings = pages.load_strings(project.templates, settings)
    listed = {"strings": strings, "env": pages.environment(project.templates),
              "fingerprint": pages.fingerprint(project.templates, strings, settings, entity_table),
              "previous": output.read_json(project.cache / "pages-manifest.json", default={})}
    planned = pages.plan_listing_pages(enriched, settings, strings, pages.read_about(project.content / "pages"),
                                       entity_table)
    rendered, manifest = render(project, planned, listed, staged)
    return {**listed, "paths": [page["path"] for page in planned], "rendered": rendered, "manifest": manifest}


def write_site(project: Project, enriched: list[dict], entity_table: list[dict], settings: dict, staged: Path,
               listed: dict, search_job: Background) -> dict:
    """Write the rest of the site into staged (listed: what write_listing_pages returned; search_job:
    the Background job writing the search index, started once keywords were known); return the
    figures for the summary line."""
    # The assets and the citation files are written by another process meanwhile.
    with Background(write_data, project, enriched, staged) as data_job:
        planned = pages.plan_record_pages(enriched, settings, listed["strings"], entity_table)
        rendered, manifest = render(project, planned, listed, staged)
        output.write_json(staged / "data" / "records.json", [public_record(r) for r in enriched])
        env, strings = listed["env"], listed["strings"]
        (staged / "index.html").write_text(pages.render_root(env, strings, settings), encoding="utf-8")
        (staged / "404.html").write_text(pages.render_not_found(env, strings, settings), encoding="utf-8")
        (staged / "robots.txt").write_text(robots_txt(settings["base_url"]), encoding="utf-8")
        paths = listed["paths"] + [page["path"] for page in planned]
        if settings["base_url"]:
            (staged / "sitemap.xml").write_text(sitemap_xml(paths, settings["base_url"]), encoding="utf-8")
        ready = {"data/records.json": output.deflated(staged / "data" / "records.json"), **data_job.result()}
        stats = search_job.result()
    return {"pages": len(paths) + 2, "rendered": listed["rendered"] + rendered,
            "index_bytes": stats.get("index_bytes", 0), "manifest": {**listed["manifest"], **manifest},
            "ready": {**ready, **stats.get("ready", {})}}


def render(project: Project, planned: list[dict], listed: dict, staged: Path) -> tuple[int, dict]:
    """Render (or link from the previous site) the planned pages into staged; return pages.render_pages's
    (pages rendered anew, their manifest entries). A template error names the template and line."""
    try:
        return pages.render_pages(planned, listed["env"], staged, listed["fingerprint"], project.site,
                                  listed["previous"], project.cache)
    except jinja2.TemplateError as error:
        raise template_error(error, project) from None


def write_data(project: Project, enriched: list[dict], staged: Path) -> dict:
    """Write the assets and the collection's citations into staged; return the two citation files
    deflated for the zip (output.write_zip's ready=), which this process has time for."""
    output.copy_tree(project.templates / "assets", staged / "assets")
    write_citations(enriched, staged / "data", Cache(project.cache, "citations", code_version(citations)))
    return {name: output.deflated(staged / name) for name in ("data/bibliography.bib", "data/bibliography.json")}


def write_search_index(enriched: list[dict], entity_table: list[dict], staged: Path, cache_dir: Path) -> dict:
    """Write the search page's assets (search_index, counted afresh) into staged; return their figures,
    and index.js deflated for the zip."""
    import search_index
    figures = search_index.build_search_assets(search_docs(enriched), staged / "assets" / "search",
                                               user_words=entities.user_words(entity_table), entities=entity_table)
    figures["ready"] = {"assets/search/index.js": output.deflated(staged / "assets" / "search" / "index.js")}
    return figures


def template_error(error, project: Project) -> InputError:
    """Return a Jinja2 error as an InputError naming the template file and line."""
    name = getattr(error, "filename", None) or getattr(error, "name", None) or "templates/"
    shown = os.path.relpath(name, project.root) if os.path.isabs(str(name)) else f"templates/{name}"
    return InputError(shown, f"template error: {error.message or error}",
                      "fix the template (templates hold only loops, conditionals and values)",
                      line=getattr(error, "lineno", None))


def write_citations(enriched: list[dict], data_dir: Path, cache: Cache) -> None:
    """Write the whole collection's citations (data/bibliography.bib and .json), each record's taken
    from cache when it holds them; record pages make their own (pages.py)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    formats = cached_map(enriched, lambda r: citations.formats(r, r["display_title"]), cache,
                         key=lambda r: citations.formats_key(r, r["display_title"], r["text_digest"]))
    cache.save()
    bib = citations.bibtex_file((record["id"], cited["bibtex"]) for record, cited in zip(enriched, formats))
    (data_dir / "bibliography.bib").write_text(bib, encoding="utf-8")
    csl = citations.csl_file(cited["csl"] for cited in formats)
    (data_dir / "bibliography.json").write_text(csl, encoding="utf-8")


def publish(project: Project, staged: Path, staged_zip: Path, figures: dict) -> None:
    """Swap the new site and zip in place of the old ones, only now that everything succeeded."""
    output.swap_in(staged, project.site)
    os.replace(staged_zip, project.zip_path)
    output.write_json(project.cache / "pages-manifest.json", figures["manifest"])


def human_size(size: int) -> str:
    """Return a byte count as a short human-readable size."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class Timer:
    """Measures the build's wall time for the summary line."""

    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start

