"""Writing the site: a staging folder swapped in only on success, records.json, and a reproducible zip."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed so the same site gives the same zip bytes


def staging_dir(final: Path) -> Path:
    """Return a fresh empty folder beside final, where the new site is written before the swap."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
    staged.chmod(0o755)
    return staged


def discard(staged: Path, staged_zip: Path | None = None) -> None:
    """Remove what a build staged but did not publish (nothing, after a successful publish)."""
    shutil.rmtree(staged, ignore_errors=True)
    if staged_zip is not None:
        staged_zip.unlink(missing_ok=True)


def swap_in(staged: Path, final: Path) -> None:
    """Replace final with staged; the old tree is moved aside first and removed last."""
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staged, final)
    shutil.rmtree(old, ignore_errors=True)


def recover(final: Path) -> None:
    """Put back the previous site if a build was killed between the two renames of swap_in."""
    old = final.with_name(f".{final.name}.old")
    if old.exists() and not final.exists():
        os.replace(old, final)
    for stale in final.parent.glob(f".{final.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)


def write_json(path: Path, data) -> None:
    """Write data as deterministic UTF-8 JSON (sorted keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")


def read_json(path: Path, default):
    """Return the JSON stored at path, or default when it is missing or unreadable (caches only)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def copy_tree(source: Path, target: Path) -> None:
    """Copy the static assets folder into the site."""
    if source.exists():
        shutil.copytree(source, target, dirs_exist_ok=True)


def write_zip(site: Path, zip_path: Path, top: str) -> Path:
    """Write site as a zip (under folder top, fixed dates and order) beside zip_path; return the unswapped file."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    # A killed build leaves its half-written zip behind; one build runs at a time, so clear them.
    for stale in zip_path.parent.glob(f".{zip_path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=zip_path.parent, prefix=f".{zip_path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(f"{top}/{path.relative_to(site).as_posix()}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3
                archive.writestr(info, path.read_bytes())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def tree_size(folder: Path) -> int:
    """Return the total size in bytes of the files under folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
