"""The offline zip's README.txt: first in the zip, both languages, naming site/index.html."""
from __future__ import annotations

import re
import zipfile

from bibsite import offline, output


def test_readme_is_bilingual_and_names_the_page_to_open():
    text = offline.readme_bytes().decode("utf-8-sig")
    assert text.count("site/index.html") == 2
    halves = text.split("\r\n\r\n", 1)
    assert re.search(r"[\u4e00-\u9fff]", text.split("Regional Security")[0])
    assert "Open site/index.html" in text and "打开 site/index.html" in text
    assert "\n" not in text.replace("\r\n", "") and len(halves) == 2


def test_readme_is_the_zips_first_entry(tmp_path):
    site = tmp_path / "site"
    (site / "zh").mkdir(parents=True)
    (site / "index.html").write_text("<html>door</html>", encoding="utf-8")
    (site / "zh" / "index.html").write_text("<html>zh</html>", encoding="utf-8")
    staged = output.write_zip(site, tmp_path / "dist" / "x.zip", top="site")
    with zipfile.ZipFile(staged) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["README.txt", "site/index.html", "site/zh/index.html"]
        assert archive.read("README.txt") == offline.readme_bytes()
        assert archive.getinfo("README.txt").date_time == output.ZIP_DATE
