"""The build's stages, in the order bibsite/cli.py:build() calls them; each takes plain data and returns new data.

    check inputs → config → entities and concepts → up to date? → load → import → analyse → weigh → plan pages
    → search index → write → zip → publish

What a stage hands on (no stage changes what an earlier one returned):

- the file record (load, import): the fields of a YAML file in content/ as the schema has them
  (bibsite/schema.py), plus "path", the file it was read from. "path", "source_file" and
  "source_line" say where a record came from (PROVENANCE) and are not published.
- the analysed record (analyse): the file record plus the derived fields bibsite/enrich.py adds
  (display_title, title_derived, title_language, main_language, languages, truncated) and the
  entities it mentions; under "build", what only the build reads (the text blocks per language and
  the text's digest). With it, each record's analysis (bibsite/analysis.py: search terms, keyword
  features), by id.
- the weighed record (weigh): the analysed record plus keywords (the maintainer's, else extracted),
  keywords_derived and similar (the ids of up to five similar records). data/records.json holds
  each weighed record without "build" and PROVENANCE: a field added by any stage is published. Its
  one change of shape: "authors" is a list of names there, their affiliations a list beside it.
- the page (plan pages): {path, template, context}, the context being everything the page shows
  (bibsite/pages.py); write renders a page only if a digest of it changed (bibsite/render.py).
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import search_index
from search_index import assets as search_assets
from search_index.analyze import analyze as search_terms

from search_index import expansions as search_expansions

from . import (analysis, citations, citefiles, coins, concepts, enrich, entities, feed, importer, opensearch, output, pages, parallel,
               records, render, schema, textfile)
from . import similar as similar_records
from . import uptodate
from .cache import Cache
from .config import load_config
from .errors import InputError
from .links import record_path
from .sitemap import robots_txt, sitemap_xml
from .strings import load_strings, read_about

PROVENANCE = ("path", "source_file", "source_line")  # where a record came from: not published


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


# --- inputs, config, entities, up to date ------------------------------------------------------

def check_inputs(project: Project) -> None:
    """Raise InputError at the first entry of seeds/, content/ or templates/ that is not a regular
    file or folder inside the project (a link out of it, a FIFO, a device, a dangling link...)."""
    textfile.check_tree(project.root, ("seeds", "content", "templates"))


def scratch_copy(project: Project, scratch: Path) -> Project:
    """Return the project with its cache folder moved to scratch, holding a copy of the caches that
    --check reads (records, seed entries): what it writes goes there, and .cache/ stays untouched."""
    copy = Project(project.root, project.zip_name)
    copy.cache = scratch
    for name in ("records", "seed-entries"):
        for path in project.cache.glob(f"{name}.*cache"):
            shutil.copyfile(path, scratch / path.name)
    return copy


def config(project: Project) -> dict:
    """Return the site configuration (content/site.yaml) with defaults filled in."""
    return load_config(project.content / "site.yaml", project.root, project.zip_name)


def load_entities(project: Project) -> list[dict]:
    """Return the entity table (content/entities.yaml), validated."""
    return entities.load_entities(project.content / "entities.yaml", project.root)


def writable(project: Project) -> None:
    """Raise an InputError naming the first folder a build must write in but cannot (the root, content/
    and its record folders, site/ and every folder in it, dist/), before anything is changed."""
    folders = [project.root, project.content, *(project.content / f for f in records.KINDS.values()), project.dist]
    if project.site.is_dir():
        folders += [project.site, *(Path(top) / name for top, names, _ in os.walk(project.site) for name in names)]
    for folder in folders:
        if folder.is_dir() and not os.access(folder, os.W_OK):
            raise InputError(os.path.relpath(folder, project.root) + "/", "is not writable",
                             "make it writable (chmod -R u+w, or build as its owner), then build again")


def load_concepts(project: Project) -> list[dict]:
    """Return the concept glossary (content/concepts.yaml; [] without one), validated."""
    return concepts.load_concepts(project.content / "concepts.yaml", project.root)


def input_hashes(project: Project) -> dict[str, bytes]:
    """Return {path: SHA-256} of every input file (uptodate.input_hashes), after bringing site/, the zip
    and content/ back to one published state (recover)."""
    recover(project)
    return uptodate.input_hashes(project.root, project.cache)


def up_to_date(project: Project, inputs: dict[str, bytes]) -> dict | None:
    """Return the last build's import report when nothing changed since it, else None."""
    return uptodate.up_to_date_report(project.last_build, inputs, project.site, project.zip_path)


# --- load and import -------------------------------------------------------------------------

def load_records(project: Project, hashes: dict[str, bytes] | None = None) -> list[dict]:
    """Return every validated file record of content/ (hashes: uptodate.input_hashes(), if known)."""
    return records.load_all(project.content, project.root, project.cache, hashes)


def import_seeds(project: Project, existing: list[dict], write: bool = True) -> dict:
    """Return what is new in seeds/ for content/ (or only what the seeds hold, for --check, when write
    is False); the new records are written by with_imported (staged) and publish."""
    if not write:
        candidates, duplicates = importer.read_seeds(project.seeds, project.root, warn, project.cache)
        known = {r["id"] for r in existing}
        fresh = [c for c in candidates if c["id"] not in known]
        plan = importer.plan_metadata(project.seeds, existing + fresh, project.root, importer.today())
        return {"new": fresh, "duplicates": duplicates,
                "unchanged": sum(1 for c in candidates if c["id"] in known), "orphans": [], "metadata": plan}
    return importer.import_seeds(project.seeds, project.content, existing, project.root, warn)


def imported_paths(project: Project, imported: dict) -> list[Path]:
    """Return the files of content/ the import's records are published as (new records, and records
    given metadata)."""
    return [project.content / records.KINDS[r["type"]] / f"{r['id']}.yaml" for r in imported_records(imported)]


def imported_records(imported: dict) -> list[dict]:
    """Return every record the import makes or changes: the new ones, and those seeds/metadata/ adds or fills."""
    found = imported.get("metadata", {})
    return imported["new"] + found.get("new", []) + found.get("updated", [])


def with_imported(project: Project, staged: Path, existing: list[dict],
                  imported: dict) -> tuple[list[dict], list[tuple[Path, Path]]]:
    """Return (the loaded file records plus the ones just imported or given metadata, read back from the
    files they are staged in beside the staged site, in id order; those files, as (staged, final), for
    publish). The records in content/ are untouched until publish, whether new or updated."""
    folder = output.staged_records_dir(staged)
    files = [(output.stage_file(folder / path.relative_to(project.content), records.dump(record)), path)
             for path, record in zip(imported_paths(project, imported), imported_records(imported))]
    added = records.load_added(files, project.root, project.cache)
    replaced = {r["id"] for r in added}
    return sorted([r for r in existing if r["id"] not in replaced] + added, key=lambda r: (r["type"], r["id"])), files


# --- analyse and weigh -----------------------------------------------------------------------

def analyse(project: Project, loaded: list[dict], entity_table: list[dict]) -> tuple[list[dict], dict[str, dict], int]:
    """Return (the analysed records, each one's analysis by id, how many were analysed anew: the
    others came from the cache)."""
    enriched = enrich.enrich_all(loaded, project.cache)
    analyses, analysed = analysis.analyse_all(enriched, entity_table, project.cache)
    return [{**record, "entities": analyses[record["id"]]["entities"]} for record in enriched], analyses, analysed


def weigh(records_: list[dict], analyses: dict[str, dict], entity_table: list[dict],
          concept_list: list[dict] = ()) -> list[dict]:
    """Return the weighed records: each with its keywords and similar records, weighed against the
    whole collection (the two are worked out at once). The concepts' Chinese names are words of the
    domain a keyword may be."""
    features = {(r["id"], lang): f for r in records_ for lang, f in analyses[r["id"]]["keywords"].items()}
    chosen, nearest = parallel.both(
        lambda: enrich.all_keywords(records_, features, entities.user_words(entity_table),
                                    concepts.chinese_names(concept_list)),
        lambda: similar_records.similar({r["id"]: analyses[r["id"]]["text"] for r in records_},
                                        {r["id"]: analyses[r["id"]]["entities"] for r in records_}, 5, 1.0))
    return [{**record, "keywords": chosen[record["id"]], "keywords_derived": not record.get("keywords"),
             "similar": nearest.get(record["id"], [])} for record in records_]


# --- pages, search index, write ----------------------------------------------------------------

def record_citations(weighed: list[dict]) -> dict[str, dict]:
    """Return {record id: its citation formats (citations.formats)}: the record pages and the
    collection's files show the same ones. (Not cached: making them all takes less time than
    reading them back.)"""
    return {record["id"]: citations.formats(record, record["display_title"]) for record in weighed}


def plan_pages(project: Project, weighed: list[dict], entity_table: list[dict], settings: dict) -> dict:
    """Return what the site is written from: {"pages": every page with its context (pages.plan_pages),
    "citations": by record id, "strings", "env"}."""
    strings = load_strings(project.templates, settings)
    env = render.environment(project.templates)
    cites = record_citations(weighed)
    with render.template_errors(project.root):
        planned = pages.plan_pages(weighed, settings, strings, read_about(project.content / "pages"), entity_table,
                                   cites, render.list_entry(env))
    return {"pages": planned, "citations": cites, "strings": strings, "env": env}


def facets(record: dict, organisations: set[str]) -> dict:
    """Return what a record is filtered by on the search page: year, authors, journal, organisations
    (slugs) and language; and "cite", "<export script holding its citations>#<id>" (citefiles.script_path),
    which the page hands to the export of a whole result set without loading any record's text (the
    page never counts or filters by it)."""
    return {"year": record.get("year"), "author": [person["name"] for person in schema.authors(record)],
            "journal": record.get("journal", ""), "org": [slug for slug in record.get("entities", []) if slug in organisations],
            "language": record["main_language"], "cite": citefiles.script_path(record["id"]) + "#" + record["id"]}


def search_docs(weighed: list[dict], analyses: dict[str, dict], keyword_terms: dict[str, list[str]],
                entity_table: list[dict]) -> list[dict]:
    """Return the records as the search index builder takes them, with the terms of each field,
    their facets and sort keys, in the order they were added (search_order)."""
    organisations = {entity["slug"] for entity in entity_table if entity.get("kind") == "organisation"}
    return [{
        "id": r["id"],
        "type": r["type"],
        "lang": r["main_language"],
        "langs": r["languages"],
        "title": r["display_title"],
        "blocks": r["build"]["blocks"],
        "keywords": r.get("keywords", []),
        "url": record_path(r),
        "entities": r.get("entities", []),
        "terms": {"title": analyses[r["id"]]["title"], "text": analyses[r["id"]]["text"],
                  "keywords": keyword_terms[r["id"]], **metadata_terms(r)},
        "facets": facets(r, organisations),
        # the shown results' COinS (no page URL: one index serves every interface language)
        "coins": coins.kev(r),
        "sort": {key: r[key] for key in search_assets.SORT_KEYS if r.get(key) is not None},
    } for r in sorted(weighed, key=search_order)]


def metadata_terms(record: dict) -> dict[str, list[str]]:
    """Return the search terms of a record's authors and journal (builder.FIELDS "authors", "journal"),
    analysed as its text is, so that an author's name or a journal's finds the record."""
    lang = record["main_language"]
    authors = [term for person in schema.authors(record) for term in search_terms(person["name"], lang)]
    return {"authors": authors, "journal": search_terms(record.get("journal") or "", lang)}


def expansions_table(weighed: list[dict], analyses: dict[str, dict], concept_list: list[dict],
                     entity_table: list[dict], min_count: int = 1) -> dict[str, list[list]]:
    """Return the search's translation table (search_index/expansions.py) for the collection's own
    words: the concepts first, then CC-CEDICT, for the terms of the records' texts used in at least
    min_count of them."""
    vocabulary = search_expansions.vocabulary((r["languages"], analyses[r["id"]]["text"]) for r in weighed)
    return search_expansions.expansions(vocabulary, concept_list, entities=entity_table, min_count=min_count)


def _min_count(weighed: list[dict]) -> int:
    """Return in how many records a word must be for its translations to ship: in a large collection a
    word of one record only adds a third to the index for little (README: the index's growth)."""
    return 2 if len(weighed) > 1000 else 1


def search_order(record: dict) -> tuple:
    """Return where a record goes in the search index: in the order records were added (date, then
    seed file and line; undated records last). Ties of score list the earlier record first."""
    return (record.get("added") or "~", record.get("source_file") or "~", record.get("source_line") or 0,
            record["type"], record["id"])


def write_search_index(project: Project, staged: Path, weighed: list[dict], analyses: dict[str, dict],
                       entity_table: list[dict], concept_list: list[dict] = ()) -> dict:
    """Write the search page's assets (search_index) into staged, with the translations of the
    collection's words (expansions_table); return their figures."""
    try:
        search_assets.lunr_path(project.root)
    except FileNotFoundError as error:
        raise InputError("node_modules/lunr/lunr.min.js", "is missing (the search page needs lunr.js)",
                         "run `npm ci` in the project folder (make site does)") from None
    keyword_terms = analysis.keyword_terms(weighed, entity_table, project.cache)
    try:
        return search_index.build_search_assets(search_docs(weighed, analyses, keyword_terms, entity_table),
                                                staged / "assets" / "search",
                                                user_words=entities.user_words(entity_table), entities=entity_table,
                                                expansions=expansions_table(weighed, analyses, list(concept_list),
                                                                            entity_table, min_count=_min_count(weighed)),
                                                root=project.root)
    except search_assets.SearchInputError as error:
        raise InputError("content/", str(error), "fix the record named") from None


def public_record(record: dict) -> dict:
    """Return a weighed record as data/records.json publishes it: without "build" and PROVENANCE, its
    authors written as a list of names, with "affiliations" beside it ("" where one is not known) when
    any is known."""
    public = {key: value for key, value in record.items() if key != "build" and key not in PROVENANCE}
    if record.get("authors"):
        people = schema.authors(record)
        public["authors"] = [person["name"] for person in people]
        if any(person["affiliation"] for person in people):
            public["affiliations"] = [person["affiliation"] for person in people]
    return public


def write_site(project: Project, staged: Path, weighed: list[dict], planned: dict, settings: dict) -> dict:
    """Write the pages, the assets, the data files and the root files into staged; return the
    figures for the summary line and the pages' manifest for publish."""
    output.copy_tree(project.templates / "assets", staged / "assets")
    fingerprint = render.fingerprint(project.templates)
    manifest = Cache(project.cache, "pages", fingerprint)
    previous = {page["path"]: manifest.get(page["path"]) for page in planned["pages"]}
    with render.template_errors(project.root):
        rendered, written = render.render_pages(planned["pages"], planned["env"], staged, fingerprint, project.site,
                                                {path: entry for path, entry in previous.items() if entry},
                                                project.root)
    for path, entry in written.items():
        manifest.put(path, entry)
    data = staged / "data"
    output.write_json(data / "records.json", [public_record(r) for r in weighed])
    cites = planned["citations"]
    (data / "bibliography.bib").write_text(citations.bibtex_file((r["id"], cites[r["id"]]["bibtex"]) for r in weighed),
                                           encoding="utf-8")
    (data / "bibliography.json").write_text(citations.csl_file(cites[r["id"]]["csl"] for r in weighed),
                                            encoding="utf-8")
    (data / "bibliography.ris").write_text(citefiles.ris_file((r["id"], cites[r["id"]]["ris"]) for r in weighed),
                                           encoding="utf-8")
    for relative, script in citefiles.export_scripts(cites).items():
        (staged / relative).parent.mkdir(parents=True, exist_ok=True)
        (staged / relative).write_text(script, encoding="utf-8")
    records_dir = staged / citefiles.RECORDS_DIR
    records_dir.mkdir(parents=True, exist_ok=True)
    for record in weighed:
        for name, text in citefiles.record_files(record["id"], cites[record["id"]]).items():
            (records_dir / name).write_text(text, encoding="utf-8")
    env, strings = planned["env"], planned["strings"]
    with render.template_errors(project.root):
        (staged / "index.html").write_text(render.render_root(env, strings, settings, len(weighed)), encoding="utf-8")
        (staged / "404.html").write_text(render.render_not_found(env, strings, settings), encoding="utf-8")
    (staged / "robots.txt").write_text(robots_txt(settings["base_url"]), encoding="utf-8")
    paths = [page["path"] for page in planned["pages"]]
    titles = [ui["site_title"] for ui in strings.values()]  # the first interface language's, and the last's
    if settings["base_url"]:
        tags = {code: ui["lang_tag"] for code, ui in strings.items()}
        (staged / "sitemap.xml").write_text(sitemap_xml(paths, settings["base_url"], tags), encoding="utf-8")
        (staged / opensearch.PATH).write_text(opensearch.description(settings["base_url"], titles[0], titles[-1]),
                                              encoding="utf-8")
    (staged / feed.FEED_PATH).write_text(feed.atom(weighed, record_path, titles[0], settings["base_url"],
                                                   subtitle=titles[-1], languages={code: ui["lang_tag"] for code, ui in strings.items()}), encoding="utf-8")
    return {"pages": len(paths) + 2, "rendered": rendered, "manifest": manifest}


# --- zip and publish -------------------------------------------------------------------------

def recover(project: Project) -> None:
    """Finish or undo what a killed or failed build left (output.recover), warning of leftovers that
    could not be removed."""
    for path in output.recover(project.site, project.zip_path,
                               [project.content / folder for folder in records.KINDS.values()]):
        warn(f"{os.path.relpath(path, project.root)}: left by an earlier build and cannot be removed — delete it")


@contextmanager
def staging(project: Project):
    """Yield a fresh folder the new site is written into; whatever publish did not take (the folder,
    the zip and records staged beside their places) is removed, however the build ends."""
    staged = output.staging_dir(project.site)
    try:
        yield staged
    finally:
        recover(project)


def write_zip(project: Project, staged: Path) -> Path:
    """Write the staged site as a zip beside the published one; return the unpublished file."""
    return output.write_zip(staged, project.zip_path, top="site", cache_dir=project.cache)


def publish(project: Project, staged: Path, staged_zip: Path, staged_records: list[tuple[Path, Path]],
            inputs: dict[str, bytes], imported: dict, written: dict) -> None:
    """Put the new site, zip and imported records in place of the old ones, as one step and only now
    that everything succeeded (output.swap_in; Ctrl-C is held off for its few renames), then record
    what was built from what (the pages' manifest, the up-to-date check's state). Those two are caches:
    a build that cannot write them has still published, and says so in a warning."""
    with output.signals_held():
        output.swap_in(staged, project.site, [(staged_zip, project.zip_path), *staged_records])
    try:
        saved = written["manifest"].save()
        uptodate.remember(project.last_build, inputs, project.root, imported_paths(project, imported),
                          project.site, project.zip_path, imported)
    except OSError:
        saved = False
    if not saved:
        warn(f"{os.path.relpath(project.cache, project.root)}/: cannot be written; the site was built and "
             "published, but the next build cannot reuse this one's work (make .cache/ writable)")


def human_size(size: int) -> str:
    """Return a byte count as a short human-readable size."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def site_size(site: Path) -> int:
    """Return the bytes of every file of the published site."""
    return sum(entry.stat().st_size for _, entry in output.walk_files(site))


class Timer:
    """Measures the build's wall time for the summary line."""

    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start
