"""Interface strings: one file per language with the same keys, and a new interface language is a
strings file and a line of configuration, nothing more."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bibsite.strings import _string_keys
from conftest import copy_project, run_build

ROOT = Path(__file__).resolve().parent.parent
STRINGS = ROOT / "templates" / "strings"


def configured_languages(project: Path = ROOT) -> list[str]:
    return yaml.safe_load((project / "content" / "site.yaml").read_text(encoding="utf-8"))["languages"]


def test_every_language_file_has_exactly_the_keys_of_the_others():
    files = sorted(STRINGS.glob("*.yaml"))
    assert {p.stem for p in files} >= set(configured_languages()) and len(files) >= 3
    keys = {p.stem: _string_keys(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in files}
    first = files[0].stem
    for lang, found in keys.items():
        assert found == keys[first], f"{lang}.yaml: missing {sorted(keys[first] - found)}, extra {sorted(found - keys[first])}"


def test_every_placeholder_of_a_string_is_in_each_translation():
    data = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(STRINGS.glob("*.yaml"))}

    def flat(d, prefix=""):
        for key, value in d.items():
            yield from flat(value, f"{prefix}{key}.") if isinstance(value, dict) else [(prefix + key, str(value))]

    tables = {lang: dict(flat(d)) for lang, d in data.items()}
    for key, text in tables["en"].items():
        wanted = set(re.findall(r"\{\w+\}", text))
        for lang, table in tables.items():
            assert set(re.findall(r"\{\w+\}", table[key])) == wanted, (lang, key, table[key])


def test_vietnamese_strings_are_vietnamese():
    # not an English copy: most strings that say something differ from English and use Vietnamese letters
    vi = yaml.safe_load((STRINGS / "vi.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((STRINGS / "en.yaml").read_text(encoding="utf-8"))
    prose = [k for k, v in en.items() if isinstance(v, str) and len(v) > 12 and " " in v]
    same = [k for k in prose if vi[k] == en[k]]
    assert len(prose) > 30 and same == []
    marked = [k for k in prose if re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", vi[k], re.I)]
    assert len(marked) >= 0.8 * len(prose)


@pytest.fixture(scope="module")
def fourth(tmp_path_factory) -> Path:
    """A copy of the project with a throwaway fourth interface language, 'xx': a strings file and a
    line of configuration, nothing else."""
    project = copy_project(tmp_path_factory.mktemp("fourth"))
    text = (project / "templates" / "strings" / "en.yaml").read_text(encoding="utf-8")
    (project / "templates" / "strings" / "xx.yaml").write_text(
        text.replace("lang_name: English", "lang_name: Xx-language").replace("lang_tag: en", "lang_tag: en-x-test"),
        encoding="utf-8")
    config = project / "content" / "site.yaml"
    config.write_text(re.sub(r"^languages: .*$", "languages: [zh, en, vi, xx]", config.read_text(encoding="utf-8"),
                             flags=re.M), encoding="utf-8")
    run_build(project)
    return project / "site"


def test_a_fourth_language_gets_every_page_and_is_offered_everywhere(fourth):
    for lang in ("zh", "en", "vi"):
        pages = sorted(p.relative_to(fourth / lang).as_posix() for p in (fourth / lang).rglob("*.html"))
        assert pages == sorted(p.relative_to(fourth / "xx").as_posix() for p in (fourth / "xx").rglob("*.html"))
    home = (fourth / "xx" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en-x-test">' in home
    assert home.count('class="lang-switch"') == 3
    zh_home = (fourth / "zh" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="en-x-test" href="../xx/index.html"' in zh_home and ">Xx-language</a>" in zh_home
    door = (fourth / "index.html").read_text(encoding="utf-8")
    assert 'href="xx/index.html"' in door and 'action="xx/search.html"' in door


def test_a_language_without_its_strings_file_is_refused(tmp_path):
    project = copy_project(tmp_path / "p")
    config = project / "content" / "site.yaml"
    config.write_text(re.sub(r"^languages: .*$", "languages: [zh, en, yy]", config.read_text(encoding="utf-8"),
                             flags=re.M), encoding="utf-8")
    proc = run_build(project, check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "error: templates/strings/yy.yaml: missing" in proc.stderr + proc.stdout
    assert not (project / "site").exists()


def test_a_strings_file_lacking_a_key_is_refused(tmp_path):
    project = copy_project(tmp_path / "p")
    path = project / "templates" / "strings" / "vi.yaml"
    path.write_text(re.sub(r"^nav_about: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    proc = run_build(project, check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "templates/strings/vi.yaml: lacks key 'nav_about'" in proc.stderr + proc.stdout
