"""Writing the site: a staging folder swapped in only on success, records.json, and a reproducible zip."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import struct
import zipfile
import zlib
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed so the same site gives the same zip bytes


def staging_dir(final: Path) -> Path:
    """Return a fresh empty folder beside final, where the new site is written before the swap."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{final.name}.building-", dir=final.parent))
    staged.chmod(0o755)
    return staged


def discard(staged: Path, zip_path: Path) -> None:
    """Remove what a build staged but did not publish (nothing, after a successful publish)."""
    shutil.rmtree(staged, ignore_errors=True)
    for half_written in zip_path.parent.glob(f".{zip_path.name}.*.tmp"):
        half_written.unlink(missing_ok=True)


def swap_in(staged: Path, final: Path) -> None:
    """Replace final with staged; the old tree is moved aside first and removed last."""
    old = final.with_name(f".{final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staged, final)
    shutil.rmtree(old, ignore_errors=True)


def recover(final: Path, zip_path: Path) -> None:
    """Put back the previous site if a build was killed between the two renames of swap_in, and
    clear what a killed build left half-written (staging folders, a temporary zip)."""
    old = final.with_name(f".{final.name}.old")
    if old.exists() and not final.exists():
        os.replace(old, final)
    for stale in final.parent.glob(f".{final.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for half_written in zip_path.parent.glob(f".{zip_path.name}.*.tmp"):
        half_written.unlink(missing_ok=True)


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


# The zip is written by hand rather than through zipfile so that an unchanged file's compressed bytes
# can be copied from the previous zip: a rebuild after one new abstract then deflates a few files, not
# the whole site. Every entry gets the same date and mode, in sorted order, so the bytes are reproducible.
_DOS_DATE = ((ZIP_DATE[0] - 1980) << 9) | (ZIP_DATE[1] << 5) | ZIP_DATE[2]
_DOS_TIME = (ZIP_DATE[3] << 11) | (ZIP_DATE[4] << 5) | (ZIP_DATE[5] // 2)
_UTF8 = 0x800
_LEVEL = 6


def _previous_entries(previous: Path | None) -> dict:
    """Return {name: ZipInfo} of the previous zip's deflated entries, or {} when there is none to reuse."""
    if previous is None or not previous.is_file():
        return {}
    try:
        with zipfile.ZipFile(previous) as archive:
            return {info.filename: info for info in archive.infolist() if info.compress_type == zipfile.ZIP_DEFLATED}
    except (zipfile.BadZipFile, OSError):
        return {}


def _raw_bytes(handle, info) -> bytes:
    """Return the compressed bytes of one entry of an open zip file, read from its local header."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    return handle.read(info.compress_size)


def write_zip(site: Path, zip_path: Path, top: str) -> Path:
    """Write site as a zip (under folder top, fixed dates and order) beside zip_path; return the unswapped file."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    previous = _previous_entries(zip_path)
    fd, tmp = tempfile.mkstemp(dir=zip_path.parent, prefix=f".{zip_path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        with open(tmp, "wb") as out, (open(zip_path, "rb") if previous else contextlib.nullcontext()) as old:
            central = []
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                name = f"{top}/{path.relative_to(site).as_posix()}"
                data = path.read_bytes()
                crc = zlib.crc32(data)
                known = previous.get(name)
                if known is not None and known.CRC == crc and known.file_size == len(data):
                    packed = _raw_bytes(old, known)
                else:
                    deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
                    packed = deflate.compress(data) + deflate.flush()
                encoded = name.encode("utf-8")
                offset = out.tell()
                out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, _UTF8, 8, _DOS_TIME, _DOS_DATE,
                                      crc, len(packed), len(data), len(encoded), 0))
                out.write(encoded)
                out.write(packed)
                central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, _UTF8, 8,
                                           _DOS_TIME, _DOS_DATE, crc, len(packed), len(data), len(encoded),
                                           0, 0, 0, 0, 0o100644 << 16, offset) + encoded)
            if len(central) > 0xFFFF or out.tell() > 0xFFFFFFFF:
                raise OSError("the site is too large for a zip without ZIP64 (65,535 files, 4 GB)")
            directory_offset = out.tell()
            for entry in central:
                out.write(entry)
            out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                                  out.tell() - directory_offset, directory_offset, 0))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def tree_size(folder: Path) -> int:
    """Return the total size in bytes of the files under folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
