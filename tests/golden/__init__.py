"""The golden test's fixture project (tests/golden/project/) and its expected output (tests/golden/expected/).

The fixture is five abstracts (three Chinese, two English) and the glossary fixture, built with the
project's own code and templates. expected/ holds every file the build generates; a file the build
only copies (the assets, the search page's scripts, lunr.js) is listed in expected/copied.txt with
the source it must equal, so that no third-party or duplicated file is kept here. When a change to
the output is intended, regenerate the expected tree and review its diff:

    .venv/bin/python -m tests.golden --update
"""
from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURE = HERE / "project"
EXPECTED = HERE / "expected"
EPOCH = "1767225600"  # 2026-01-01: the import date of every record


def build(workdir: Path) -> Path:
    """Return the folder of a fresh project made of the fixture and the project's code, built."""
    project = workdir / "golden-project"
    shutil.copytree(FIXTURE, project)
    for name in ("bibsite", "search_index", "templates"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("build.py", "package.json", "package-lock.json", "pyproject.toml"):
        shutil.copy2(ROOT / name, project / name)
    (project / "node_modules").symlink_to(ROOT / "node_modules")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "CI": "true"}
    proc = subprocess.run([sys.executable, "build.py"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"the golden build failed:\n{proc.stdout}\n{proc.stderr}")
    return project


def _copied_from(relative: str) -> str | None:
    """Return the source (relative to the project root) that a site file is a copy of, if any."""
    candidates = [f"templates/assets/{relative[len('assets/'):]}"] if relative.startswith("assets/") else []
    if relative.startswith("assets/search/"):
        name = relative[len("assets/search/"):]
        candidates += [f"search_index/js/{name}", f"node_modules/lunr/{name}"]
    for source in candidates:
        if (ROOT / source).is_file():
            return source
    return None


def snapshot(project: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """Return ({site file: bytes} of the generated files, {site file: source} of the copied ones),
    the zip included as its SHA-256."""
    site = project / "site"
    generated, copied = {}, {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        relative = path.relative_to(site).as_posix()
        source = _copied_from(relative)
        if source is not None and (ROOT / source).read_bytes() == path.read_bytes():
            copied[relative] = source
        else:
            generated[relative] = path.read_bytes()
    zip_bytes = next((project / "dist").glob("*.zip")).read_bytes()
    generated["../zip.sha256"] = (hashlib.sha256(zip_bytes).hexdigest() + "\n").encode()
    return generated, copied


def expected() -> tuple[dict[str, bytes], dict[str, str]]:
    """Return what snapshot() gave when the expected tree was last regenerated."""
    generated = {path.relative_to(EXPECTED / "site").as_posix(): path.read_bytes()
                 for path in sorted((EXPECTED / "site").rglob("*")) if path.is_file()}
    generated["../zip.sha256"] = (EXPECTED / "zip.sha256").read_bytes()
    copied = dict(line.split("\t") for line in (EXPECTED / "copied.txt").read_text(encoding="utf-8").splitlines())
    return generated, copied


def differences(project: Path) -> list[str]:
    """Return a readable line (or a short diff) per file that differs from the expected tree."""
    (got, got_copied), (want, want_copied) = snapshot(project), expected()
    problems = [f"new file {name} (not in tests/golden/expected/)" for name in sorted(set(got) - set(want))]
    problems += [f"missing file {name}" for name in sorted(set(want) - set(got))]
    for name in sorted(set(got) & set(want)):
        if got[name] != want[name]:
            try:
                diff = difflib.unified_diff(want[name].decode().splitlines(), got[name].decode().splitlines(),
                                            f"expected/{name}", f"built/{name}", lineterm="", n=1)
                problems.append("\n".join(list(diff)[:40]))
            except UnicodeDecodeError:
                problems.append(f"{name} differs")
    if got_copied != want_copied:
        problems.append(f"copied files differ: expected {want_copied}, built {got_copied}")
    return problems


def update(project: Path) -> None:
    """Replace the expected tree with the output of project."""
    generated, copied = snapshot(project)
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in generated.items():
        target = EXPECTED / "zip.sha256" if name == "../zip.sha256" else EXPECTED / "site" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (EXPECTED / "copied.txt").write_text("".join(f"{name}\t{source}\n" for name, source in sorted(copied.items())),
                                         encoding="utf-8")
