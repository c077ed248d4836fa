"""output.write_zip: the same bytes with or without the previous zip and its cache; unchanged files copied unread."""
from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from bibsite import offline, output


def make_site(folder: Path) -> Path:
    """Return a small site whose names sort differently by text and by path components (a-b/ vs a/)."""
    files = {
        "index.html": "<html>首页</html>\n" * 50,
        "a/b.html": "b" * 3000,
        "a-b/c.html": "c",
        "a.b": "",
        "data/records.json": '{"id": "0123456789"}\n' * 80_000,  # over a megabyte: a batch of its own
        "zh/abstracts/0123456789.html": "上海合作组织" * 400,
    }
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def publish_zip(site: Path, zip_path: Path, cache_dir: Path | None) -> bytes:
    """Write the zip of site as the build does (beside zip_path, then swapped in); return its bytes."""
    os.replace(output.write_zip(site, zip_path, top="site", cache_dir=cache_dir), zip_path)
    return zip_path.read_bytes()


def linked_copy(site: Path, target: Path) -> Path:
    """Return a copy of site made of hard links, as the next build stages unchanged pages."""
    shutil.copytree(site, target, copy_function=os.link)
    return target


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def test_files_under_lists_files_in_the_order_of_sorted_rglob(site):
    expected = [p.relative_to(site).as_posix() for p in sorted(site.rglob("*")) if p.is_file()]
    assert [name for name, _ in output.files_under(site)] == expected


def test_the_zip_holds_every_file_sorted_with_fixed_dates(site, tmp_path):
    data = publish_zip(site, tmp_path / "dist" / "site.zip", tmp_path / ".cache")
    with zipfile.ZipFile(tmp_path / "dist" / "site.zip") as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        # The README comes first (issue 16), then the site's files.
        assert names == ["README.txt"] + [f"site/{name}" for name, _ in output.files_under(site)]
        assert archive.read("README.txt") == offline.readme_bytes()
        for info in archive.infolist()[1:]:
            assert info.date_time == output.ZIP_DATE
            assert archive.read(info) == (site / info.filename.removeprefix("site/")).read_bytes()
    assert data


def test_a_warm_cache_and_a_previous_zip_give_the_same_bytes_as_a_fresh_zip(site, tmp_path):
    fresh = publish_zip(site, tmp_path / "fresh" / "site.zip", None)
    cache = tmp_path / ".cache"
    zip_path = tmp_path / "dist" / "site.zip"
    assert publish_zip(site, zip_path, cache) == fresh
    staged = linked_copy(site, tmp_path / "staged")
    assert publish_zip(staged, zip_path, cache) == fresh


def test_unchanged_linked_files_are_copied_from_the_previous_zip_without_being_read(site, tmp_path, monkeypatch):
    cache, zip_path = tmp_path / ".cache", tmp_path / "dist" / "site.zip"
    publish_zip(site, zip_path, cache)
    staged = linked_copy(site, tmp_path / "staged")
    (staged / "index.html").unlink()
    (staged / "index.html").write_text("<html>新的首页</html>\n", encoding="utf-8")  # a page rendered anew
    opened = []
    real_open = open

    def watching_open(path, *args, **kwargs):
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(output, "open", watching_open, raising=False)
    data = publish_zip(staged, zip_path, cache)
    monkeypatch.undo()
    read = sorted(os.path.relpath(p, staged) for p in opened if p.startswith(str(staged)))
    assert read == ["index.html"]
    assert data == publish_zip(staged, tmp_path / "fresh" / "site.zip", None)


def test_a_file_changed_in_place_is_read_again(site, tmp_path):
    cache, zip_path = tmp_path / ".cache", tmp_path / "dist" / "site.zip"
    publish_zip(site, zip_path, cache)
    page = site / "a" / "b.html"
    page.write_text("B" * 3000, encoding="utf-8")  # same size, same inode, new modification time
    info = page.stat()
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    publish_zip(site, zip_path, cache)
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.read("site/a/b.html") == b"B" * 3000


@pytest.mark.parametrize("damage", ["cache", "zip"])
def test_a_damaged_cache_or_previous_zip_only_costs_time(site, tmp_path, damage):
    cache, zip_path = tmp_path / ".cache", tmp_path / "dist" / "site.zip"
    fresh = publish_zip(site, zip_path, cache)
    target = next(cache.iterdir()) if damage == "cache" else zip_path
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    data[-3] ^= 0xFF
    target.write_bytes(bytes(data))
    staged = linked_copy(site, tmp_path / "staged")
    assert publish_zip(staged, zip_path, cache) == fresh


def test_a_zip_replaced_since_the_last_build_is_not_copied_from(site, tmp_path):
    cache, zip_path = tmp_path / ".cache", tmp_path / "dist" / "site.zip"
    fresh = publish_zip(site, zip_path, cache)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:  # same names, other bytes
        for name, _ in output.files_under(site):
            archive.writestr(f"site/{name}", "stale")
    staged = linked_copy(site, tmp_path / "staged")
    assert publish_zip(staged, zip_path, cache) == fresh


def test_the_central_directory_is_read_back_as_written(site, tmp_path):
    zip_path = tmp_path / "dist" / "site.zip"
    publish_zip(site, zip_path, None)
    with zipfile.ZipFile(zip_path) as archive:
        expected = {i.filename: (i.CRC, i.file_size, i.compress_size, i.header_offset) for i in archive.infolist()}
    assert output._previous_entries(zip_path) == expected
    zip_path.write_bytes(zip_path.read_bytes() + b"trailing comment-like bytes")
    assert output._previous_entries(zip_path) == {}
