"""Reproducible output: the same inputs give the same bytes, whatever the folder, the clock or the previous build."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import copy_project, run_build

# A clock far from now: if any page or the zip carried the build time, this build would differ.
FAKE_CLOCK = '''
import datetime as _dt
import time as _time

FIXED = 4087060245.0  # 2099-07-04 05:10:45 UTC
_real_localtime, _real_gmtime, _real_strftime, _real_ctime = _time.localtime, _time.gmtime, _time.strftime, _time.ctime
_time.time = lambda: FIXED
_time.time_ns = lambda: int(FIXED * 1e9)
_time.localtime = lambda secs=None: _real_localtime(FIXED if secs is None else secs)
_time.gmtime = lambda secs=None: _real_gmtime(FIXED if secs is None else secs)
_time.ctime = lambda secs=None: _real_ctime(FIXED if secs is None else secs)
_time.strftime = lambda fmt, t=None: _real_strftime(fmt, _real_localtime(FIXED) if t is None else t)


class _FixedDateTime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls.fromtimestamp(FIXED, tz)

    @classmethod
    def utcnow(cls):
        return cls.utcfromtimestamp(FIXED)

    @classmethod
    def today(cls):
        return cls.fromtimestamp(FIXED)


class _FixedDate(_dt.date):
    @classmethod
    def today(cls):
        return cls.fromtimestamp(FIXED)


_dt.datetime = _FixedDateTime
_dt.date = _FixedDate
'''


def hashes(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def outputs(project: Path) -> dict:
    return {"site": hashes(project / "site"), "dist": hashes(project / "dist")}


def run_build_with_fake_clock(project: Path, clock_dir: Path) -> None:
    (clock_dir / "sitecustomize.py").write_text(FAKE_CLOCK, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(clock_dir), str(project)]))
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run([sys.executable, str(project / "build.py")], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The same project built twice in one folder and once, under a clock in 2099, in another."""
    base = tmp_path_factory.mktemp("reproducible")
    first = copy_project(base / "first")
    run_build(first)
    once = outputs(first)
    run_build(first)
    twice = outputs(first)
    # The same inputs and code as the first copy (the code may be edited while tests run), no outputs.
    other = base / "elsewhere" / "with a space" / "项目"
    shutil.copytree(first, other, symlinks=True, ignore=shutil.ignore_patterns("site", "dist", ".cache", "__pycache__"))
    clock = base / "clock"
    clock.mkdir()
    run_build_with_fake_clock(other, clock)
    return {"first": first, "once": once, "twice": twice, "other": other, "elsewhere": outputs(other)}


def differing(a: dict, b: dict) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def test_building_twice_gives_identical_bytes(builds):
    assert builds["once"]["site"], "no site built"
    assert differing(builds["once"]["site"], builds["twice"]["site"]) == []
    assert builds["once"]["dist"] == builds["twice"]["dist"]


def test_another_folder_and_another_clock_give_identical_bytes(builds):
    assert differing(builds["once"]["site"], builds["elsewhere"]["site"]) == []
    assert builds["once"]["dist"] == builds["elsewhere"]["dist"]


def test_no_build_clock_or_local_path_in_any_file(builds):
    other = builds["other"]
    needles = [b"2099", b"4087060", str(other).encode("utf-8"), str(builds["first"]).encode("utf-8"),
               os.path.expanduser("~").encode("utf-8") + b"/"]
    for path in sorted((other / "site").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{path.relative_to(other)} holds {needle!r}"


def test_zip_entries_have_fixed_dates_sorted_names_and_plain_modes(builds):
    zip_path = next((builds["first"] / "dist").glob("*.zip"))
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
        assert infos, "empty zip"
        names = [i.filename for i in infos]
        assert names == sorted(names, key=lambda name: name.split("/"))   # folder by folder, as Path sorts
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}
        assert archive.testzip() is None


def test_the_data_files_are_written_with_sorted_keys(builds):
    import json

    data = (builds["first"] / "site" / "data" / "records.json").read_text(encoding="utf-8")
    records = json.loads(data)
    # One record per line, keys sorted: a change to a record is a change to its line.
    assert data == "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records) + "\n]\n"
    assert [r["id"] for r in records] == [r["id"] for r in sorted(records, key=lambda r: (r["type"], r["id"]))]


NEW_ABSTRACT = "\n\n上海合作组织与东盟在非传统安全领域的合作:一项比较研究。  相似文献\n"


@pytest.fixture(scope="module")
def incremental_and_cold(tmp_path_factory):
    """A project built, then rebuilt with warm caches after a new abstract and an edit of the About page,
    and a copy of its inputs then built from scratch (no site, zip or cache)."""
    first = copy_project(tmp_path_factory.mktemp("incremental") / "project")
    run_build(first)
    seed = next((first / "seeds" / "abstracts").glob("*.txt"))
    with seed.open("a", encoding="utf-8") as handle:
        handle.write(NEW_ABSTRACT)
    about = first / "content" / "pages" / "about.en.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    out = run_build(first).stdout
    assert "import: 1 new" in out
    cold = tmp_path_factory.mktemp("cold") / "project"
    shutil.copytree(first, cold, symlinks=True, ignore=shutil.ignore_patterns("site", "dist", ".cache", "__pycache__"))
    run_build(cold)
    return {"incremental": outputs(first), "cold": outputs(cold)}


def test_a_rebuild_with_warm_caches_gives_the_bytes_of_a_build_from_scratch(incremental_and_cold):
    warm, cold = incremental_and_cold["incremental"], incremental_and_cold["cold"]
    assert differing(warm["site"], cold["site"]) == []
    assert warm["dist"] == cold["dist"]
