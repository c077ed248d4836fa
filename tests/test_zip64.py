"""Sites of more than 65,535 files are zipped as ZIP64, which unzip and Python's zipfile both read."""
from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from bibsite import output

FILES = 100_000


@pytest.fixture(scope="module")
def big_zip(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("big") / "site"
    for folder in range(FILES // 1000):
        (site / f"d{folder:03d}").mkdir(parents=True)
        for n in range(1000):
            (site / f"d{folder:03d}" / f"{n:04d}.html").write_bytes(b"%d\n" % (folder * 1000 + n))
    zip_path = site.parent / "dist" / "big.zip"
    output.write_zip(site, zip_path, top="site").rename(zip_path)
    return zip_path


def test_python_zipfile_reads_every_entry(big_zip):
    with zipfile.ZipFile(big_zip) as archive:
        names = archive.namelist()
        assert len(names) == FILES + 1  # the site's files after the offline README.txt
        assert names[:2] == ["README.txt", "site/d000/0000.html"] and names[-1] == "site/d099/0999.html"
        assert archive.testzip() is None
        assert archive.read("site/d099/0999.html") == b"99999\n"


def test_unzip_tests_the_whole_zip(big_zip):
    unzip = shutil.which("unzip")
    assert unzip, "install Debian's unzip (apt-get install -y unzip)"
    proc = subprocess.run([unzip, "-tq", str(big_zip)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"No errors detected in compressed data of {big_zip}" in proc.stdout


def test_a_small_site_keeps_the_plain_zip_layout(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_bytes(b"a\n")
    zip_path = output.write_zip(site, tmp_path / "small.zip", top="site")
    data = zip_path.read_bytes()
    assert b"PK\x06\x06" not in data and b"PK\x06\x07" not in data
    assert data[-22:-18] == b"PK\x05\x06"


def test_large_offsets_move_to_a_zip64_extra_field():
    record = output._central_header(b"x", 0, 10, 10, 0x1_0000_0000)
    assert record[-12:] == b"\x01\x00\x08\x00" + (0x1_0000_0000).to_bytes(8, "little")
    assert record[42:46] == b"\xff\xff\xff\xff"
    assert output._central_header(b"x", 0, 10, 10, 5)[30:32] == b"\x00\x00"
