"""The `bibsite` command: build, check or serve the project in the current folder (or --root).

    bibsite build     import new seeds, build site/ and dist/<zip>
    bibsite check     validate seeds and content/, write nothing
    bibsite serve     preview on http://127.0.0.1:8000/, rebuilding on changes
"""
from __future__ import annotations

import argparse
import errno
import gc
import os
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from . import pipeline as stage
from .errors import InputError
from .lock import build_lock

DISTRIBUTION = "regional-security-bibliography"


def build(project: stage.Project) -> int:
    """Import new seeds, then build site/ and the zip, publishing both (and the imported records) only
    if everything succeeded."""
    timer = stage.Timer()
    stage.check_inputs(project)
    stage.writable(project)
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
    with stage.staging(project) as staged:
        loaded, staged_records = stage.with_imported(project, staged, existing, imported)
        analysed, analyses, anew = stage.analyse(project, loaded, entity_table)
        weighed = stage.weigh(analysed, analyses, entity_table, concept_list)
        planned = stage.plan_pages(project, weighed, entity_table, settings)
        stage.write_search_index(project, staged, weighed, analyses, entity_table, concept_list)
        written = stage.write_site(project, staged, weighed, planned, settings)
        staged_zip = stage.write_zip(project, staged)
        stage.publish(project, staged, staged_zip, staged_records, inputs, imported, written)
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


def run(command: str, root: Path, port: int = 8000) -> int:
    """Return the exit status of one command ("build", "check" or "serve") on the project at root,
    any failure reported as one `error:` line (an interruption as one line, status 130)."""
    project = stage.Project(root)
    if command == "serve":
        from .serve import main as serve
        return serve(["--root", str(project.root), "--port", str(port)])
    # A build is a batch job that makes millions of objects and almost no reference cycles: the cyclic
    # garbage collector's repeated scans of them would cost seconds and free next to nothing.
    # (serve runs each build as a process of its own.)
    gc.disable()
    try:
        if command == "check":
            return check(project)
        with build_lock(project.root, stage.warn):
            return build(project)
    except InputError as error:
        print(f"error: {error.one_line()}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted, nothing changed", file=sys.stderr)
        return 130
    except OSError as error:
        print(f"error: {os_error_line(error, project.root)}", file=sys.stderr)
    return 1


def os_error_line(error: OSError, root: Path) -> str:
    """Return an OSError met while building as `PATH: what — what to do`."""
    where = error.filename if error.filename is not None else root
    shown = os.path.relpath(where, root) if os.path.isabs(where) else str(where)
    if error.errno == errno.ENOSPC:
        fix = "free some disk space, then build again (site/, the zip and content/ are as they were)"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "make it writable (or build as its owner), then build again (nothing was changed)"
    else:
        fix = "fix the cause above, then build again (site/, the zip and content/ are as they were)"
    return f"{shown}: {error.strerror or error} — {fix}"


def version() -> str:
    """Return the installed version of this package, or "unknown" when it runs from a bare checkout."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Return the exit status of `bibsite COMMAND [--root FOLDER] [--port N]`."""
    parser = argparse.ArgumentParser(prog="bibsite", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"bibsite {version()}")
    parser.add_argument("command", choices=("build", "check", "serve"))
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: the current folder)")
    parser.add_argument("--port", type=int, default=8000, help="port for serve (default 8000)")
    args = parser.parse_args(argv)
    return finish(run(args.command, args.root, args.port))


def finish(code: int) -> int:
    """Return code after flushing the output; a build leaves at once (see build.py)."""
    sys.stdout.flush()
    sys.stderr.flush()
    return code
