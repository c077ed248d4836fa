"""uptodate: the inputs fingerprint and output stamp are what hashing and stat-ing every file give, cache or not."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from bibsite import uptodate


def reference_fingerprint(root: Path) -> str:
    """The fingerprint as first written: every file of the input folders, whatever its type, but
    bytecode, read and hashed in sorted order."""
    digest = hashlib.sha256()
    paths = [root / name for name in uptodate.INPUT_FILES]
    for folder in uptodate.INPUT_DIRS:
        paths += [p for p in (root / folder).rglob("*")
                  if "__pycache__" not in p.relative_to(root).parts and p.suffix != ".pyc"]
    for path in sorted(paths):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def reference_stamp(site: Path, zip_path: Path) -> str:
    """The output stamp as first written: path, size and modification time of every file."""
    digest = hashlib.sha256()
    files = sorted(p for p in site.rglob("*") if p.is_file()) if site.is_dir() else []
    for path in [*files, zip_path] if zip_path.is_file() else files:
        info = path.stat()
        digest.update(f"{path.relative_to(site.parent).as_posix()}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@pytest.fixture
def no_racy_wait(monkeypatch):
    """Keep the hash of a file written a moment ago (the build waits a few seconds for that)."""
    monkeypatch.setattr(uptodate, "RACY_NS", 0)


@pytest.fixture
def project(tmp_path):
    files = {
        "build.py": "print('build')\n",
        "content/abstracts/0123456789.yaml": "id: 0123456789\n",
        "content/abstracts/.hidden.yaml": "id: hidden\n",
        "content/a-b/x.yaml": "x\n",
        "content/a/b.yaml": "b\n",
        "content/notes.bak": "read by nobody, but an input all the same\n",
        "templates/assets/favicon.ico": "icon\n",
        "seeds/abstracts/a.txt": "上合组织。  相似文献\n",
        "bibsite/__pycache__/x.py": "not an input\n",
        "bibsite/x.py": "X = 1\n",
        "templates/base.html": "<html></html>\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_files_changed_in_the_last_seconds_are_hashed_but_their_hashes_not_kept(project):
    cache = project / ".cache"
    assert uptodate.inputs_fingerprint(project, cache) == reference_fingerprint(project)
    assert not (cache / "input-hashes.cache").exists()


def test_the_fingerprint_is_the_hash_of_every_input_with_or_without_cached_hashes(project, no_racy_wait):
    cache = project / ".cache"
    expected = reference_fingerprint(project)
    assert uptodate.inputs_fingerprint(project, cache) == expected
    assert (cache / "input-hashes.cache").is_file()
    assert uptodate.inputs_fingerprint(project, cache) == expected


def test_an_edit_that_keeps_size_and_modification_time_still_changes_the_fingerprint(project, no_racy_wait):
    cache = project / ".cache"
    record = project / "content" / "abstracts" / "0123456789.yaml"
    before = uptodate.inputs_fingerprint(project, cache)
    assert uptodate.inputs_fingerprint(project, cache) == before
    stamp = record.stat()
    record.write_text("id: 9876543210\n", encoding="utf-8")  # same size
    os.utime(record, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the old modification time
    after = uptodate.inputs_fingerprint(project, cache)
    assert after != before and after == reference_fingerprint(project)


def test_a_damaged_hash_cache_is_not_trusted(project, no_racy_wait):
    cache = project / ".cache"
    expected = uptodate.inputs_fingerprint(project, cache)
    stored = cache / "input-hashes.cache"
    data = bytearray(stored.read_bytes())
    data[-5] ^= 0x01
    stored.write_bytes(bytes(data))
    assert uptodate.inputs_fingerprint(project, cache) == expected


def test_the_output_stamp_is_path_size_and_time_of_every_file(project):
    site, zip_path = project / "site", project / "dist" / "site.zip"
    assert uptodate.output_stamp(site, zip_path) == reference_stamp(site, zip_path)
    for name in ("index.html", "a-b/x.html", "a/b.html", "zh/abstracts/0123456789.html"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(name, encoding="utf-8")
    zip_path.parent.mkdir()
    zip_path.write_bytes(b"PK")
    assert uptodate.output_stamp(site, zip_path) == reference_stamp(site, zip_path)


def test_a_zipped_site_gives_the_reference_output_stamp(tmp_path):
    from bibsite import output

    site, zip_path = tmp_path / "site", tmp_path / "dist" / "site.zip"
    for name in ("index.html", "a-b/c.html", "a/b.html", "zh/abstracts/0123456789.html"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<p>{name}</p>\n", encoding="utf-8")
    zip_path.parent.mkdir()
    os.replace(output.write_zip(site, zip_path, top="site"), zip_path)
    assert uptodate.output_stamp(site, zip_path) == reference_stamp(site, zip_path)


@pytest.mark.parametrize("edited_during_the_build", [False, True])
def test_the_inputs_remembered_are_those_the_build_started_from_plus_what_it_wrote(project, edited_during_the_build):
    cache, record = project / ".cache", project / ".cache" / "last-build.json"
    site, zip_path = project / "site", project / "dist" / "site.zip"
    inputs = uptodate.input_hashes(project, cache)
    written = project / "content" / "abstracts" / "9876543210.yaml"  # what the import wrote
    written.write_text("id: 9876543210\n", encoding="utf-8")
    if edited_during_the_build:
        (project / "seeds" / "abstracts" / "a.txt").write_text("上合组织，改过。  相似文献\n", encoding="utf-8")
    (site / "index.html").parent.mkdir(parents=True)
    (site / "index.html").write_text("<html></html>\n", encoding="utf-8")
    zip_path.parent.mkdir()
    zip_path.write_bytes(b"zip")
    imported = {"new": [{}], "duplicates": [], "orphans": [], "unchanged": 0}
    uptodate.remember(record, inputs, project, [written], site, zip_path, imported)
    report = uptodate.up_to_date_report(record, uptodate.input_hashes(project, cache), site, zip_path)
    if edited_during_the_build:
        assert report is None  # the edit may not have been built: the next build does it
    else:
        assert report == {"new": [], "duplicates": [], "orphans": [], "unchanged": 1}


@pytest.mark.parametrize("name", ["templates/assets/fonts/new.woff2", "templates/assets/favicon.ico",
                                  "content/pages/logo.webp"])
def test_a_new_input_file_of_any_type_changes_the_fingerprint(project, name):
    before = uptodate.inputs_fingerprint(project, project / ".cache")
    (project / name).parent.mkdir(parents=True, exist_ok=True)
    (project / name).write_bytes(b"\x00new")
    after = uptodate.inputs_fingerprint(project, project / ".cache")
    assert after != before and after == reference_fingerprint(project)


def test_bytecode_is_not_an_input(project):
    before = uptodate.inputs_fingerprint(project, project / ".cache")
    (project / "bibsite" / "x.cpython-311.pyc").write_bytes(b"\x00")
    assert uptodate.inputs_fingerprint(project, project / ".cache") == before
