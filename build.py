#!/usr/bin/env python3
"""Build the bibliography site: seeds → content/ records → bilingual pages, search index and zip.

    python build.py           import new seeds, build site/ and dist/<zip>
    python build.py --check   validate seeds and content/, write nothing
    python build.py --serve   preview on http://127.0.0.1:8000/, rebuilding on changes
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import tempfile
from pathlib import Path

from bibsite import output
from bibsite.analysis import Analyser
from bibsite.background import Background
from bibsite.enrich import CollectionWork
from bibsite.errors import InputError
from bibsite.pipeline import (Project, Timer, add_keywords, add_similar, analyse_records, check_inputs, config, human_size,
                              import_seeds, imported_paths, load_entities, load_records, publish, start_analyser,
                              scratch_copy, with_imported, write_listing_pages, write_search_index, write_site)
from bibsite.uptodate import input_hashes, remember, up_to_date_report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    project = Project(args.root)
    if args.serve:
        from bibsite.serve import serve
        return serve(project.root, args.port)
    # A build is a batch job that makes millions of objects and almost no reference cycles: the cyclic
    # garbage collector's repeated scans of them would cost seconds and free next to nothing.
    # (--serve runs each build as a process of its own.)
    gc.disable()
    try:
        return check(project) if args.check else build(project)
    except InputError as error:
        print(f"error: {error.one_line()}", file=sys.stderr)
        return 1


def build(project: Project) -> int:
    """Import new seeds, then build site/ and the zip, publishing both only if everything succeeded."""
    timer = Timer()
    output.recover(project.site, project.zip_path)
    check_inputs(project)
    entity_table = load_entities(project)
    # The analyser starts loading jieba now, in its own process; a build with nothing to do stops it.
    with start_analyser(project, entity_table) as analyser:
        inputs = input_hashes(project.root, project.cache)
        unchanged = up_to_date_report(project.last_build, inputs, project.site, project.zip_path)
        if unchanged is not None:
            report_import(unchanged)
            print(f"Done: nothing changed since the last build; site/ and {project.zip_path.name} are up to date "
                  f"({timer.seconds():.1f} s)")
            return 0
        settings = config(project)
        staged = output.staging_dir(project.site)
        try:
            records, analysed, imported, figures = make_site(project, staged, settings, entity_table, inputs, analyser)
            analyser.close()
            listing: list = []
            staged_zip = output.write_zip(staged, project.zip_path, top="site", cache_dir=project.cache,
                                          ready=figures["ready"], listing=listing)
            publish(project, staged, staged_zip, figures)
            remember(project.last_build, inputs, project.root, imported_paths(project, imported), project.site,
                     project.zip_path, imported, listing)
        finally:
            output.discard(staged, project.zip_path)
    print(f"Done: {len(records)} records ({analysed} analysed anew), {figures['pages']} pages ({figures['rendered']} rendered anew), "
          f"site {human_size(sum(size for _, size, _ in listing))}, zip {human_size(project.zip_path.stat().st_size)} "
          f"in {timer.seconds():.1f} s")
    return 0


def make_site(project: Project, staged: Path, settings: dict, entity_table: list[dict], inputs: dict[str, bytes],
              analyser: Analyser) -> tuple[list[dict], int, dict, dict]:
    """Import new seeds and write the whole site into staged; return (records, how many were analysed
    anew, the import's report, write_site's figures)."""
    # Each `jobs.enter_context` starts work in other processes, stopped if the build fails.
    with contextlib.ExitStack() as jobs:
        existing = load_records(project, inputs)  # meanwhile, the analyser loads jieba
        imported = import_seeds(project, existing)
        report_import(imported)
        records, analyses, analysed = analyse_records(with_imported(project, existing, imported), entity_table,
                                                      project, analyser)
        work = jobs.enter_context(CollectionWork(records, entity_table, analyses))  # keywords, similar records
        listed = write_listing_pages(project, records, entity_table, settings, staged)  # meanwhile
        add_keywords(records, work.keywords(), analyses, project, analyser, entity_table)
        search_job = jobs.enter_context(Background(write_search_index, records, entity_table, staged,
                                                   project.cache))  # while similar records are found
        add_similar(records, work.similar())
        figures = write_site(project, records, entity_table, settings, staged, listed, search_job)
    return records, analysed, imported, figures


def check(project: Project) -> int:
    """Validate the settings, the entity table, content/ and the seeds; write nothing (not even .cache/)."""
    check_inputs(project)
    config(project)
    load_entities(project)
    with tempfile.TemporaryDirectory(prefix="bibsite-check-") as scratch:
        checking = scratch_copy(project, Path(scratch))
        existing = load_records(checking)
        imported = import_seeds(checking, existing, write=False)
    report_import(imported)
    print(f"check: {len(existing) + len(imported['new'])} records valid; nothing written")
    return 0


def report_import(imported: dict) -> None:
    """Print the import's one-line summary, then the duplicates and orphaned records it found."""
    print(f"import: {len(imported['new'])} new, {len(imported['duplicates'])} duplicates skipped, "
          f"{imported['unchanged']} unchanged")
    for duplicate in imported["duplicates"]:
        print(f"  duplicate skipped: {duplicate}")
    for orphan in imported["orphans"]:
        print(f"  kept, but its seed entry is gone: {orphan} (delete it if it should go)")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="validate seeds and content/ and write nothing")
    parser.add_argument("--serve", action="store_true", help="preview on http://127.0.0.1:PORT/, rebuilding on changes")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    parser.add_argument("--root", default=Path(__file__).resolve().parent, type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    code = main()
    # Every file is written and closed by now: skip freeing the build's millions of objects one by one
    # at exit, which takes a few tenths of a second and leaves nothing behind that the system won't.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
