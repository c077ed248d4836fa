"""The golden test: a small fixture project built from scratch gives, file by file, the expected tree.

When a change to the output is intended: `.venv/bin/python -m tests.golden --update`, then review
the diff of tests/golden/expected/ (see tests/golden/__init__.py).
"""
from __future__ import annotations

from tests.golden import build, differences


def test_the_fixture_project_builds_to_the_expected_tree(tmp_path):
    problems = differences(build(tmp_path))
    assert not problems, ("the build's output differs from tests/golden/expected/ (if intended, run "
                          "`.venv/bin/python -m tests.golden --update` and review the diff):\n\n" + "\n\n".join(problems))
