"""Shared fixtures: a built copy of the seed site and real Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def copy_project(dest: Path) -> Path:
    """Return a fresh copy of the project's inputs (seeds, content, templates, code) under dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("seeds", "content", "templates", "bibsite", "search_index"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("build.py", "site.yaml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def run_build(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run build.py in project and return the finished process (text output captured)."""
    env = dict(os.environ, PYTHONPATH=str(project), NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, str(project / "build.py"), *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Path:
    """A copy of the project, built once per test session; tests must not modify it."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    run_build(project)
    return project


@pytest.fixture(scope="session")
def site_dir(built_project) -> Path:
    return built_project / "site"


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium; fails (never skips) under CI=true when it is missing."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs it with apt-get install chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (set CI=true to make this a failure)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """Records console errors, page errors, dialogs and requests that leave the allowed origin."""

    def __init__(self, page, allowed_prefix: str):
        self.page = page
        self.allowed_prefix = allowed_prefix
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        page.on("request", self._on_request)
        page.on("dialog", self._on_dialog)

    def _on_console(self, msg):
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def _on_request(self, request):
        url = request.url
        if not (url.startswith(self.allowed_prefix) or url.startswith("data:") or url.startswith("about:")):
            self.foreign_requests.append(url)

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self):
        assert self.console_errors == [], self.console_errors
        assert self.foreign_requests == [], self.foreign_requests
        assert self.dialogs == [], self.dialogs


@pytest.fixture
def new_page(browser):
    """Factory: open a page in a fresh context; returns (page, watch) for a site root URL prefix."""
    contexts = []

    def factory(allowed_prefix: str, **context_args):
        context = browser.new_context(**context_args)
        contexts.append(context)
        page = context.new_page()
        return page, PageWatch(page, allowed_prefix)

    yield factory
    for context in contexts:
        context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def http_site(site_dir):
    """Serve the built site on http://127.0.0.1:<free port>/ for the session; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# Maintainer's metadata written straight into three seed records (title words from the seeds), so that
# one author and one journal list several records with distinct years and dates added.
EXTRA_METADATA = {"year": (2010, 2020, 2015), "added": ("2026-10-01", "2026-11-25", "2026-09-15")}
EXTRA_AUTHOR, EXTRA_JOURNAL = "测试作者", "Journal of Test Studies"


@pytest.fixture(scope="session")
def metadata_project(tmp_path_factory) -> Path:
    """A copy of the project with the metadata fixtures imported (tests/fixtures/metadata) and three
    records given one author, one journal, years and dates added of their own; built once per session."""
    import yaml

    project = copy_project(tmp_path_factory.mktemp("metadata-site"))
    for path in (ROOT / "tests" / "fixtures" / "metadata").iterdir():
        shutil.copy2(path, project / "seeds" / "metadata" / path.name)
    run_build(project)  # imports the fixtures first, so that the records edited below are not theirs
    bare = [p for p in sorted((project / "content" / "abstracts").glob("*.yaml"))
            if "authors" not in yaml.safe_load(p.read_text(encoding="utf-8"))][:3]
    for index, path in enumerate(bare):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(authors=[EXTRA_AUTHOR], journal=EXTRA_JOURNAL, year=EXTRA_METADATA["year"][index],
                    added=EXTRA_METADATA["added"][index])
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_build(project)
    return project
