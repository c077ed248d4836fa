"""Where pages live and how one links to another: the site's paths and relative URLs."""
from __future__ import annotations

from search_index.rules import LANG_TAGS  # the languages records are written in

# The interface languages are the configuration's (config["languages"]), each with its strings file:
# the keys of what strings.load_strings returns.
FOLDERS = {"abstract": "abstracts", "glossary": "glossary"}


def record_path(record: dict) -> str:
    """Return a record's page path relative to a UI language folder, e.g. abstracts/<id>.html."""
    return f"{FOLDERS[record['type']]}/{record['id']}.html"


def rel(from_path: str, to_path: str) -> str:
    """Return the relative URL from the page at from_path to the site file at to_path.

    Both are clean site-relative paths (no '.', '..' or leading '/'), so plain string work gives what
    posixpath.relpath would, at a fraction of its cost over hundreds of thousands of links.
    """
    here = from_path.split("/")[:-1]
    there = to_path.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])
