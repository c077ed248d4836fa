"""serve: the local preview builds, serves on 127.0.0.1, rebuilds on change, survives a broken build."""
from __future__ import annotations

import io
import socket
import time
import urllib.error
import urllib.request

import pytest

from bibsite import serve
from conftest import copy_project

DEADLINE = 60  # seconds for one rebuild to show; a build takes a few


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_for(condition, what: str, timeout: float = DEADLINE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("serve") / "project")
    out = io.StringIO()
    running = serve.Preview(project, port=0, interval=0.2, out=out).start()
    yield running, project, out
    running.stop()


def test_preview_builds_first_and_serves_the_site_on_localhost_only(preview):
    running, project, out = preview
    assert running.builds == 1 and running.last.returncode == 0, running.last.stderr
    assert running.server.server_address[0] == "127.0.0.1"
    status, html = fetch(running.url + "zh/index.html")
    assert status == 200 and '<html lang="zh-Hans">' in html
    assert fetch(running.url + "en/browse.html")[0] == 200
    assert "serving" in out.getvalue()


def test_an_edit_to_content_triggers_a_rebuild_that_is_served(preview):
    running, project, out = preview
    record = sorted((project / "content" / "abstracts").glob("*.yaml"))[0]
    page = f"{running.url}en/abstracts/{record.stem}.html"
    before = running.builds
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("type: abstract\n", "type: abstract\ntitle: Rebuilt by the preview watcher\n", 1),
                      encoding="utf-8")
    wait_for(lambda: running.builds > before, "a rebuild")
    wait_for(lambda: "Rebuilt by the preview watcher" in fetch(page)[1], "the edited title on the served page")
    assert running.last.returncode == 0


def test_a_broken_input_prints_one_line_and_keeps_serving_the_previous_site(preview):
    running, project, out = preview
    record = sorted((project / "content" / "abstracts").glob("*.yaml"))[1]
    page = f"{running.url}zh/abstracts/{record.stem}.html"
    status, served = fetch(page)
    assert status == 200
    good = record.read_text(encoding="utf-8")
    before = running.builds
    record.write_text(good.replace("type: abstract\n", "type: abstract\ntitel: typo\n", 1), encoding="utf-8")
    wait_for(lambda: running.builds > before, "the failing rebuild")
    assert running.last.returncode != 0
    log = out.getvalue()
    assert f"error: content/abstracts/{record.name}:" in log and "did you mean 'title'?" in log
    assert "Traceback" not in log
    assert fetch(page) == (200, served)
    # Fixing the file brings the next build back.
    before = running.builds
    record.write_text(good, encoding="utf-8")
    wait_for(lambda: running.builds > before and running.last.returncode == 0, "the repaired build")


def test_a_new_seed_entry_is_imported_and_the_import_does_not_loop(preview):
    running, project, out = preview
    seed = project / "seeds" / "abstracts" / "preview-added.txt"
    before = running.builds
    seed.write_text("The preview imported this abstract about Central Asian water security.  相似文献\n",
                    encoding="utf-8")
    wait_for(lambda: running.builds > before and running.last.returncode == 0, "the import build")
    assert "import: 1 new" in running.last.stdout
    settled = running.builds
    time.sleep(1.0)  # five polls: the records the build wrote must not count as a change
    assert running.builds == settled


def test_snapshot_sees_edits_and_ignores_temp_files(tmp_path):
    (tmp_path / "content").mkdir()
    first = serve.snapshot(tmp_path)
    (tmp_path / "content" / ".x.yaml.123.tmp").write_text("x")
    (tmp_path / "content" / "notes.txt~").write_text("x")
    assert serve.snapshot(tmp_path) == first
    (tmp_path / "content" / "a.yaml").write_text("x")
    assert "content/a.yaml" in serve.snapshot(tmp_path)


def test_main_reports_a_busy_port_in_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.main(["--port", str(port), "--root", "/nonexistent"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: 127.0.0.1:{port}: ") and "\n" not in err
