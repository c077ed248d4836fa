"""Rendering planned pages with Jinja2, skipping those whose whole context is unchanged.

A page is {path, template, context} (bibsite/pages.py). Its key is a digest of the context, the
template's name and fingerprint() (every template and strings file, and the code): a page whose key
and file are what the last build left is hard-linked from the previous site instead of rendered, so
nothing about what a page shows has to be listed by hand.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
from contextlib import contextmanager
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import parallel, textfile
from .cache import code_version
from .errors import InputError
from .strings import number


class _Environment(jinja2.Environment):
    """Jinja2 for plain-dict contexts: `item.title` looks the key up first, where Jinja would first
    try an attribute and fail (an exception per lookup, some 150 per page); anything else is as Jinja does it.
    Dict subclasses count (the UI strings are strings.Strings, a dict that names its file when a key is missing)."""

    def getattr(self, obj, attribute):
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(templates_dir: Path) -> jinja2.Environment:
    """Return the Jinja2 environment: autoescaping on, undefined values are errors."""
    return _Environment(
        loader=textfile.TemplateLoader(templates_dir, templates_dir.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def _doors(strings: dict, prefix: str, total: int = 0) -> list[dict]:
    """Return each interface as the door and the 404 page offer it: its strings, tag and folder."""
    return [{"strings": strings[code], "lang_tag": strings[code]["lang_tag"], "code": code, "home": f"{prefix}{code}/",
             "total": number(total, code, strings)} for code in strings]


def render_root(env: jinja2.Environment, strings: dict, config: dict, total: int) -> str:
    """Return the site's root index.html: a door to every interface, each with a search box and the
    number of records (total)."""
    base = config.get("base_url", "")
    alternates = [{"hreflang": strings[c]["lang_tag"], "href": f"{base}{c}/index.html"} for c in strings]
    # The door itself is the page for readers whose language is none of them.
    alternates.append({"hreflang": "x-default", "href": base or "index.html"})
    return env.get_template("root.html").render(doors=_doors(strings, "", total), alternates=alternates, prefix="")


def render_not_found(env: jinja2.Environment, strings: dict, config: dict) -> str:
    """Return the 404 page in every interface language; absolute links when a base URL is set (hosts
    serve it at any path)."""
    prefix = config.get("base_url", "")
    return env.get_template("404.html").render(doors=_doors(strings, prefix), prefix=prefix)


def fingerprint(templates_dir: Path) -> str:
    """Return a hash of what every page depends on besides its context: the templates and strings
    files and the code. A change to any of them re-renders all pages."""
    digest = hashlib.sha256(code_version().encode())
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(templates_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def page_key(page: dict, fingerprint: str) -> str:
    """Return the digest of everything a page is rendered from."""
    # Contexts are built in a fixed order, so their JSON needs no key sorting to be stable.
    data = json.dumps(page["context"], ensure_ascii=False, default=str)
    return hashlib.sha256(f"{fingerprint}\0{page['template']}\0{data}".encode("utf-8")).hexdigest()


def list_entry(env: jinja2.Environment):
    """Return the macro record_entry(item, meta) of templates/macros.html, which long record lists
    (browse and organisation pages) render each entry with."""
    macro = getattr(env.get_template("macros.html").module, "record_entry", None)
    if macro is None:
        raise jinja2.TemplateRuntimeError("templates/macros.html has no macro record_entry(item, meta), "
                                          "which the browse and organisation pages list records with")
    return lambda item, meta: Markup(str(macro(item, meta)))


def _stamp(path: str) -> list[int]:
    """Return [size, modification time] of a file, or [] if it is missing: a page edited or damaged
    by hand since the last build has another stamp, and is rendered again rather than reused."""
    try:
        info = os.stat(path)
    except OSError:
        return []
    return [info.st_size, info.st_mtime_ns]


@contextmanager
def template_errors(root: Path):
    """Turn a Jinja2 error met inside the block into an InputError naming the template file (relative
    to the project's root) and line."""
    try:
        yield
    except jinja2.TemplateError as error:
        name, line = getattr(error, "filename", None) or getattr(error, "name", None), getattr(error, "lineno", None)
        if name is None:
            # An error met while rendering (an undefined value) names no template, but Jinja2 makes the
            # traceback's frames point into the templates: the innermost one is where it happened.
            frame = error.__traceback__
            while frame is not None:
                if frame.tb_frame.f_code.co_filename.endswith(".html"):
                    name, line = frame.tb_frame.f_code.co_filename, frame.tb_lineno
                frame = frame.tb_next
        if name is None:
            shown = "templates/"
        else:
            shown = os.path.relpath(name, root) if os.path.isabs(str(name)) else f"templates/{name}"
        raise InputError(shown, f"template error: {error.message or error}",
                         "fix the template (templates hold only loops, conditionals and values)",
                         line=line) from None


def render_pages(pages: list[dict], env: jinja2.Environment, out_dir: Path, fingerprint: str,
                 previous_site: Path, manifest: dict, root: Path) -> tuple[int, dict]:
    """Write every page under out_dir; return (pages rendered anew, {path: [key, size, mtime]}).

    manifest is what the last build returned: a page whose key is unchanged is linked from
    previous_site, after checking that file's size and modification time, so an edited or damaged
    file there is never reused. A template error names the template under root and its line."""
    for folder in sorted({posixpath.dirname(page["path"]) for page in pages}):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)

    def write(page: dict) -> tuple[bool, list]:
        key = page_key(page, fingerprint)
        old, target = manifest.get(page["path"]), os.path.join(out_dir, page["path"])
        source = os.path.join(previous_site, page["path"])
        if old and old[0] == key and _stamp(source) == old[1:]:
            os.link(source, target)  # the same inode, so the same stamp next time
            return False, old
        with template_errors(root):
            html = env.get_template(page["template"]).render(**page["context"]).encode("utf-8")
        with open(target, "wb") as handle:
            handle.write(html)
        return True, [key, *_stamp(target)]

    done = parallel.map(write, pages, "pages")
    return sum(rendered for rendered, _ in done), {page["path"]: entry for page, (_, entry) in zip(pages, done)}
