"""Progress bars: on a terminal for long builds, never in CI logs or pipes."""
from __future__ import annotations

import io
import sys

from bibsite.progress import progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", _Terminal())
    items = [1, 2, 3]
    wrapped = progress(items, "pages")
    assert wrapped is not items
    assert list(wrapped) == items
    assert "pages" in sys.stderr.getvalue()


def test_ci_and_pipes_stay_quiet(monkeypatch):
    items = [1, 2, 3]
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setenv("CI", "true")
    assert progress(items, "pages") is items
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress(items, "pages") is items


def test_a_build_log_holds_no_bar(tmp_path):
    from tests.conftest import copy_project, run_build

    proc = run_build(copy_project(tmp_path / "project"))
    assert "Done:" in proc.stdout
    assert "\r" not in proc.stdout + proc.stderr
    assert "it/s" not in proc.stderr
