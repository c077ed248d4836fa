#!/usr/bin/env python3
"""Build the bibliography site: seeds → content/ records → pages in each interface language, search index and zip.

    python build.py           import new seeds, build site/ and dist/<zip>
    python build.py --check   validate seeds and content/, write nothing
    python build.py --serve   preview on http://127.0.0.1:8000/, rebuilding on changes

The same as the `bibsite` command (bibsite/cli.py, where build() lists the stages in order), for
this repository's folder.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bibsite.cli import build, check, run  # noqa: F401 - build and check: the stages, for readers and tests


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run("serve" if args.serve else "check" if args.check else "build", args.root, args.port)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="validate seeds and content/ and write nothing")
    parser.add_argument("--serve", action="store_true", help="preview on http://127.0.0.1:PORT/, rebuilding on changes")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default 8000)")
    parser.add_argument("--root", default=Path(__file__).resolve().parent, type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    code = main()
    # Every file is written and closed by now: skip freeing the build's millions of objects one by one
    # at exit, which takes a few tenths of a second and leaves nothing behind that the system won't.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
