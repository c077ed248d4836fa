#!/usr/bin/env python3
"""Build the bibliography site: seeds → content/ records → bilingual pages, search index and zip.

    python build.py           import new seeds, build site/ and dist/<zip>
    python build.py --check   validate seeds and content/, write nothing
    python build.py --serve   preview on http://127.0.0.1:8000/, rebuilding on changes
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

from bibsite import pipeline as stage
from bibsite.errors import InputError


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    project = stage.Project(args.root)
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


def build(project: stage.Project) -> int:
    """Import new seeds, then build site/ and the zip, publishing both only if everything succeeded."""
    timer = stage.Timer()
    stage.check_inputs(project)
    settings = stage.config(project)
    entity_table = stage.load_entities(project)
    concept_list = stage.load_concepts(project)
    inputs = stage.input_hashes(project)
    unchanged = stage.up_to_date(project, inputs)
    if unchanged is not None:
        report_import(unchanged)
        print(f"Done: nothing changed since the last build; site/ and {project.zip_path.name} are up to date "
              f"({timer.seconds():.1f} s)")
        return 0
    existing = stage.load_records(project, inputs)
    imported = stage.import_seeds(project, existing)
    report_import(imported)
    loaded = stage.with_imported(project, existing, imported)
    analysed, analyses, anew = stage.analyse(project, loaded, entity_table)
    weighed = stage.weigh(analysed, analyses, entity_table, concept_list)
    planned = stage.plan_pages(project, weighed, entity_table, settings)
    with stage.staging(project) as staged:
        stage.write_search_index(project, staged, weighed, analyses, entity_table)
        written = stage.write_site(project, staged, weighed, planned, settings)
        staged_zip = stage.write_zip(project, staged)
        stage.publish(project, staged, staged_zip, inputs, imported, written)
    print(f"Done: {len(weighed)} records ({anew} analysed anew), {written['pages']} pages "
          f"({written['rendered']} rendered anew), site {stage.human_size(stage.site_size(project.site))}, "
          f"zip {stage.human_size(project.zip_path.stat().st_size)} in {timer.seconds():.1f} s")
    return 0


def check(project: stage.Project) -> int:
    """Validate the settings, the entity table, content/ and the seeds; write nothing (not even .cache/)."""
    stage.check_inputs(project)
    stage.config(project)
    stage.load_entities(project)
    stage.load_concepts(project)
    with tempfile.TemporaryDirectory(prefix="bibsite-check-") as scratch:
        checking = stage.scratch_copy(project, Path(scratch))
        existing = stage.load_records(checking)
        imported = stage.import_seeds(checking, existing, write=False)
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
    found = imported.get("metadata")
    if found and (found["matched"] or found["new"] or found["skipped"] or found["ambiguous"]):
        print(f"metadata: {found['matched']} matched, {len(found['new'])} new, {len(found['skipped'])} skipped "
              f"(no abstract), {len(found['ambiguous'])} ambiguous")
        for where in found["skipped"]:
            print(f"  skipped (no abstract): {where}")
        for where in found["ambiguous"]:
            print(f"  ambiguous, left alone: {where}")


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
