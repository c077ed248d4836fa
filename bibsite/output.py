"""Writing the site: a staging folder swapped in only on success, records.json, and a reproducible zip."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import struct
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

from . import offline, parallel
from .cache import Cache, code_version

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
    """Write data as deterministic UTF-8 JSON (sorted keys): a list one item per line (json_lines),
    anything else on one line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json_lines(data) if isinstance(data, list) else json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def json_lines(items: list) -> str:
    """Return a JSON array with one item per line (keys sorted): a change to one record is a change
    to one line, and each line is encoded by json's C encoder, which indent= would turn off."""
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items) + "\n]\n"


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
_BATCH_FILES, _BATCH_BYTES = 64, 1 << 20  # a task for a thread: this many files, or fewer up to this size
_COPY_CHUNK = 8 << 20  # bytes copied from the previous zip at a time


def walk_files(folder: Path):
    """Yield (path relative to folder, with '/', DirEntry) of every file under folder, in no order;
    symbolic links to folders are not followed, as in folder.rglob("*")."""
    pending = [("", os.fspath(folder))]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    yield prefix + entry.name, entry


def files_under(folder: Path) -> list[tuple[str, os.DirEntry]]:
    """Return walk_files(folder) in the order sorted(folder.rglob("*")) gives (by path components),
    without building a Path per file."""
    return sorted(walk_files(folder), key=lambda pair: pair[0].split("/"))


def _previous_entries(previous: Path) -> dict[str, tuple[int, int, int, int]]:
    """Return {name: (crc, size, compressed size, local header offset)} of the deflated entries of a
    zip this module wrote, read from its central directory; {} when there is none or it is another kind
    of zip (a comment, ZIP64): then nothing is reused and everything is deflated again."""
    try:
        with open(previous, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            handle.seek(max(0, end - 22))
            tail = handle.read(22)
            if len(tail) < 22 or tail[:4] != b"PK\x05\x06":
                return {}
            count, length, start = struct.unpack("<10xHII2x", tail)
            if count == 0xFFFF:  # a ZIP64 zip: its real figures are elsewhere
                return {}
            handle.seek(start)
            directory = handle.read(length)
    except OSError:
        return {}
    entries, position = {}, 0
    try:
        for _ in range(count):
            if directory[position:position + 4] != b"PK\x01\x02":
                return {}
            (flags, method, crc, packed_size, size, name_length, extra_length, comment_length,
             offset) = struct.unpack_from("<8xHH4xIIIHHH8xI", directory, position)
            name = directory[position + 46:position + 46 + name_length].decode("utf-8")
            position += 46 + name_length + extra_length + comment_length
            if method == zipfile.ZIP_DEFLATED and flags & _UTF8:
                entries[name] = (crc, size, packed_size, offset)
    except (struct.error, UnicodeDecodeError):
        return {}
    return entries


def _stat_key(info: os.stat_result) -> str:
    """Return what identifies one version of a file without reading it: device, inode, size, mtime.
    Unchanged pages are hard links to the previous site's files, so they keep all four."""
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}"


def _vouched_entries(zip_path: Path, cache: Cache | None) -> dict:
    """Return the previous zip's entries (see _previous_entries) when the cache says this code wrote
    that very file (same inode, size and modification time), else {}: a zip replaced or edited since
    is never copied from, and each entry it holds is laid out exactly as write_zip lays it out."""
    try:
        info = zip_path.stat()
    except OSError:
        return {}
    if cache is None or cache.get(f"zip\n{_stat_key(info)}") is None:
        return {}
    return _previous_entries(zip_path)


def _deflate(data: bytes) -> bytes:
    deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    return deflate.compress(data) + deflate.flush()


def _pack(job: tuple) -> tuple:
    """Return ("copy", crc, size) when the previous zip holds a file's bytes (same crc and size),
    else ("new", crc, size, deflated bytes)."""
    path, known, _size = job
    with open(path, "rb") as handle:
        data = handle.read()
    crc, size = zlib.crc32(data), len(data)
    if known is not None and known[:2] == (crc, size):
        return "copy", crc, size
    return "new", crc, size, _deflate(data)


def _batches(jobs: list[tuple]) -> list[list[tuple]]:
    """Return jobs cut into consecutive batches of a few small files or one large one, so that the
    largest files (records.json, the bibliographies) are deflated side by side."""
    batches, total = [], 0
    for job in jobs:
        size = job[2]
        if not batches or len(batches[-1]) == _BATCH_FILES or total + size > _BATCH_BYTES:
            batches.append([])
            total = 0
        batches[-1].append(job)
        total += size
    return batches


def _packed_in_order(pool, jobs: list[tuple]):
    """Yield _pack's result for every job, in order, computed by the pool's threads in batches."""
    for results in pool.map(lambda batch: [_pack(job) for job in batch], _batches(jobs)):
        yield from results


class _ZipBody:
    """The entries of the zip being written: new ones appended, and runs of entries that lie one after
    the other in the previous zip copied from it in a few large reads."""

    def __init__(self, out, old):
        self.out, self.old = out, old
        self.offset = 0  # where the next entry starts
        self.run = None  # [start, end) of the previous zip not copied yet

    def copy(self, start: int, length: int) -> None:
        """Append length bytes that start at start in the previous zip."""
        if self.run and self.run[1] == start:
            self.run[1] += length
        else:
            self.flush()
            self.run = [start, start + length]
        self.offset += length

    def append(self, data: bytes) -> None:
        """Append new bytes."""
        self.flush()
        self.out.write(data)
        self.offset += len(data)

    def flush(self) -> None:
        """Copy the pending run of the previous zip."""
        if self.run:
            for position in range(self.run[0], self.run[1], _COPY_CHUNK):
                wanted = min(_COPY_CHUNK, self.run[1] - position)
                data = os.pread(self.old.fileno(), wanted, position)
                if len(data) != wanted:
                    raise OSError("the previous zip is shorter than its directory says")
                self.out.write(data)
            self.run = None


def _local_header(name: bytes, crc: int, packed_size: int, size: int) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, _UTF8, 8, _DOS_TIME, _DOS_DATE,
                       crc, packed_size, size, len(name), 0) + name


_LIMIT32 = 0xFFFFFFFF


def _central_header(name: bytes, crc: int, packed_size: int, size: int, offset: int) -> bytes:
    """Return an entry's central directory record; a size or offset too large for 32 bits moves to a
    ZIP64 extra field (the record then says version 4.5), so an entry that fits is as it always was."""
    large = [value for value in (size, packed_size, offset) if value > _LIMIT32]
    extra = struct.pack("<HH", 0x0001, 8 * len(large)) + struct.pack(f"<{len(large)}Q", *large) if large else b""
    version = 45 if large else 20
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | version, version, _UTF8, 8, _DOS_TIME,
                       _DOS_DATE, crc, min(packed_size, _LIMIT32), min(size, _LIMIT32), len(name), len(extra),
                       0, 0, 0, 0o100644 << 16, min(offset, _LIMIT32)) + name + extra


def _end_records(count: int, directory_size: int, directory_offset: int) -> bytes:
    """Return the records that end the zip: the end of central directory record, preceded by a ZIP64
    end record and its locator when the entry count or the directory's size or place does not fit it."""
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                      min(directory_size, _LIMIT32), min(directory_offset, _LIMIT32), 0)
    if count < 0xFFFF and directory_size < _LIMIT32 and directory_offset < _LIMIT32:
        return end
    zip64_end = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (3 << 8) | 45, 45, 0, 0, count, count,
                            directory_size, directory_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, directory_offset + directory_size, 1)
    return zip64_end + locator + end


def _new_entry(body: _ZipBody, name: str, data: bytes) -> bytes:
    """Append an entry that is no file of the site (the README); return its central directory record."""
    crc, packed, offset = zlib.crc32(data), _deflate(data), body.offset
    body.append(_local_header(name.encode("utf-8"), crc, len(packed), len(data)) + packed)
    return _central_header(name.encode("utf-8"), crc, len(packed), len(data), offset)


def _plan(site: Path, top: str, previous: dict, cache: Cache | None) -> tuple[list[tuple], list[tuple]]:
    """Return (the zip's files, as (name, previous entry, cache key, unchanged?), in order; the jobs
    for the threads, as (path, previous entry, size)): every file but those unchanged since the
    previous zip, known by their stat without being read."""
    files, jobs = [], []
    for relative, entry in files_under(site):
        name, info = f"{top}/{relative}", entry.stat()
        key = f"file\n{_stat_key(info)}"
        known_crc = cache.get(key) if cache is not None else None
        known = previous.get(name)
        unchanged = known_crc is not None and known is not None and known[:2] == (known_crc, info.st_size)
        files.append((name.encode("utf-8"), known, key, unchanged))
        if not unchanged:
            jobs.append((entry.path, known, info.st_size))
    return files, jobs


def _write_entries(body: _ZipBody, files: list[tuple], packed, cache: Cache | None) -> list[bytes]:
    """Write every file's entry, copied or new (packed yields the jobs' results in order); return the
    central directory records, and keep each file's crc in cache."""
    central = []
    for name, known, key, unchanged in files:
        kind, crc, size, *deflated = ("copy", *known[:2]) if unchanged else next(packed)
        if cache is not None and not unchanged:
            cache.put(key, crc)
        offset = body.offset
        if kind == "copy":
            packed_size = known[2]
            body.copy(known[3], 30 + len(name) + packed_size)
        else:
            packed_size = len(deflated[0])
            body.append(_local_header(name, crc, packed_size, size) + deflated[0])
        central.append(_central_header(name, crc, packed_size, size, offset))
    body.flush()
    return central


def write_zip(site: Path, zip_path: Path, top: str, cache_dir: Path | None = None) -> Path:
    """Write site as a zip (under folder top, fixed dates and order) beside zip_path; return the unswapped file.

    With cache_dir, the zip is written faster and to the same bytes. The cache holds the crc of every
    file zipped, by its stat, and the stat of the zip written; when zip_path is still that zip, a file
    it holds with the same crc and size has its entry copied from it, and a file whose stat is
    unchanged (a page hard-linked from the previous site) is not even read."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    cache = Cache(cache_dir, "zip", version=code_version(sys.modules[__name__])) if cache_dir is not None else None
    previous = _vouched_entries(zip_path, cache)
    files, jobs = _plan(site, top, previous, cache)
    fd, tmp = tempfile.mkstemp(dir=zip_path.parent, prefix=f".{zip_path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        with (open(tmp, "wb") as out, (open(zip_path, "rb") if previous else contextlib.nullcontext()) as old,
              parallel.threads() as pool):
            body = _ZipBody(out, old)
            central = [_new_entry(body, offline.README_NAME, offline.readme_bytes())]
            central += _write_entries(body, files, _packed_in_order(pool, jobs), cache)
            directory = b"".join(central)
            out.write(directory + _end_records(len(central), len(directory), body.offset))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if cache is not None:
        cache.put(f"zip\n{_stat_key(os.stat(tmp))}", True)
        cache.save()
    return Path(tmp)
