"""Check the golden fixture's build against tests/golden/expected/, or regenerate it (--update)."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.golden import EXPECTED, build, differences, update


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/expected/ from a fresh build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        project = build(Path(workdir))
        if args.update:
            update(project)
            print(f"rewrote {EXPECTED}: review it with `git diff --stat tests/golden/`")
            return 0
        problems = differences(project)
    print("\n".join(problems) if problems else "the golden build matches tests/golden/expected/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
