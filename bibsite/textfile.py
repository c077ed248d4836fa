"""Reading input files safely: regular files inside the project only, of bounded size, decoded as the text they hold.

Every file the build reads from seeds/, content/ and templates/ comes through here. A symbolic link
that leads out of the project (to a key in ~/.ssh, to /dev/zero), a FIFO, a device, a folder named
like a file, a dangling link or a loop of links is refused in one line naming it, before a byte is
read, so that nothing from outside the project is ever published and nothing blocks the build.

Seed files (read_text) come in whatever encoding their source used: UTF-8 (with or without BOM) and
UTF-16 with BOM are known by their bytes; anything else is told apart by charset-normalizer among the
legacy encodings the sources use (GB18030/GBK, Big5, Windows-1252/Latin-1), and refused when it
cannot tell which one it is. A first line `# encoding: big5` names the encoding instead. Records,
templates and the other files the maintainers write (read_utf8) are UTF-8.

Decoded seed text may not hold control characters (ESC, …) or the bidirectional-override characters
(U+202A–U+202E, U+2066–U+2069): they are refused with the file, line and column, not removed, because
a hidden override reorders what a reader sees and the maintainer should look at the source.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

import jinja2

from . import textnorm
from .errors import InputError

# No real input comes near this (the whole seed corpus is a few MB); it bounds what a mistake can cost.
MAX_BYTES = 64 * 1024 * 1024

# The legacy encodings charset-normalizer chooses among, as Chinese, Taiwanese and European sources use them.
LEGACY_ENCODINGS = ("gb18030", "big5", "cp1252")

_FIX = "save it as UTF-8 text (UTF-16 with BOM, GB18030/GBK, Big5 and Windows-1252 are read too)"
_DECLARED = re.compile(rb"^#\s*encoding:\s*([A-Za-z0-9_.-]+)[ \t]*\r?\n")
# Control characters but tab, line feed, form feed and carriage return; DEL and the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _refuse(shown, problem, fix="use a regular file inside the project (copy it in rather than linking it)"):
    return InputError(shown, problem, fix)


def read_bytes(path, shown=None, root=None, limit: int = MAX_BYTES) -> bytes:
    """Return the bytes of an input file, or raise InputError unless it is a regular file (inside
    root, when given, once every link is followed) of at most limit bytes."""
    shown = shown or path
    fd = _open_input(path, shown, root, limit)
    try:
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _refuse(shown, f"is larger than the {limit:,} bytes an input may be", "split it into smaller files")
    return data


def _open_input(path, shown, root, limit: int = MAX_BYTES) -> int:
    """Return a descriptor open for reading on path, or raise InputError as read_bytes says."""
    try:
        real = Path(path).resolve(strict=True)
    except FileNotFoundError:
        raise _refuse(shown, "is a link to nothing (a dangling symbolic link)" if os.path.islink(path)
                      else "does not exist", "restore it or remove the link") from None
    except (RuntimeError, OSError) as error:  # a loop of links: RuntimeError before Python 3.13, ELOOP after
        raise _refuse(shown, f"cannot be followed ({getattr(error, 'strerror', None) or error})",
                      "remove the loop of symbolic links") from None
    if root is not None and not real.is_relative_to(Path(root).resolve()):
        raise _refuse(shown, "is a link to a file outside the project")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise _refuse(shown, f"cannot be read ({error.strerror})", "check its permissions") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _refuse(shown, "is a folder, not a file", "rename the folder or move it elsewhere")
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(shown, "is not a regular file (a FIFO, a device or a socket)")
        if info.st_size > limit:
            raise _refuse(shown, f"is {info.st_size:,} bytes, larger than the {limit:,} an input may be",
                          "split it into smaller files")
    except BaseException:
        os.close(fd)
        raise
    return fd


# Suffixes of the files the build reads: a folder named like one is a mistake, not a folder to skip.
_READ_SUFFIXES = (".txt", ".yaml", ".yml", ".md", ".html")


def check_tree(root, folders) -> None:
    """Raise InputError at the first entry under root/folder (for each folder) that is not a regular
    file or a folder inside root: what read_bytes would refuse, found before the up-to-date check,
    which only looks at regular files, can call a build with such an entry "nothing changed"."""
    root = Path(root)
    for folder in folders:
        pending = [root / folder] if (root / folder).is_dir() else []
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name.endswith(_READ_SUFFIXES):
                            shown = os.path.relpath(entry.path, root)
                            raise _refuse(shown, "is a folder, not a file", "rename the folder or move it elsewhere")
                        pending.append(entry.path)
                    elif not entry.is_file(follow_symlinks=False):
                        _check_entry(entry.path, os.path.relpath(entry.path, root), root)


def _check_entry(path, shown, root) -> None:
    """Raise InputError unless path (a link, or no regular file) leads to a regular file or folder inside root."""
    if os.path.isdir(path) and Path(path).resolve().is_relative_to(Path(root).resolve()):
        return
    fd = _open_input(path, shown, root)
    os.close(fd)


def read_utf8(path, shown=None, root=None) -> str:
    """Return the text of a UTF-8 input file (BOM dropped, CRLF and CR read as LF), safely read
    (read_bytes); an undecodable file is an InputError naming it."""
    shown = shown or path
    data = read_bytes(path, shown, root)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise InputError(shown, "is not UTF-8 text", "save the file as UTF-8", line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(text: str) -> bool:
    """Return True when decoded text holds control characters that no text file has."""
    return "\x00" in text or len(_CONTROL.findall(text)) > max(2, len(text) // 1000)


def _declared(data: bytes, path) -> tuple[str | None, bytes]:
    """Return (the encoding a `# encoding: NAME` first line names, data with that line's bytes kept
    as an empty line so that line numbers stay), or (None, data)."""
    match = _DECLARED.match(data)
    if not match:
        return None, data
    name = match.group(1).decode("ascii")
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError(path, f"names an unknown encoding '{name}'",
                         "write e.g. '# encoding: big5', '# encoding: gb18030' or '# encoding: cp1252'",
                         line=1) from None
    return name, b"\n" + data[match.end():]


def _detect(data: bytes, path) -> str:
    """Return the legacy encoding charset-normalizer finds for data, or raise InputError when it finds
    none or cannot tell two apart."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)))
    if not matches:
        raise InputError(path, "is not a text file (binary or undecodable)", _FIX)
    best = matches[0]
    tied = [m for m in matches if m.chaos <= best.chaos and m.coherence >= best.coherence]
    # Too short a text to tell GB18030 from Big5 is read as GB18030, the collection's own (and
    # today's) encoding; any other tie (Chinese or Windows-1252?) is the maintainer's to settle.
    if {m.encoding for m in tied} == {"gb18030", "big5"}:
        return "gb18030"
    rivals = [m.encoding for m in tied if str(m) != str(best)]
    if rivals:
        raise InputError(path, f"could be {' or '.join([best.encoding, *rivals])}: the encoding cannot be told apart",
                         f"save it as UTF-8, or make its first line '# encoding: {best.encoding}'", line=1)
    return best.encoding


def decode(data: bytes, path) -> str:
    """Return the text of a seed file's bytes with LF line endings, or raise InputError naming path."""
    declared, data = _declared(data, path)
    if declared:
        encoding = declared
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    elif b"\x00" in data:
        raise InputError(path, "is not a text file (binary or undecodable)", _FIX)
    else:
        try:
            data.decode("utf-8")
            encoding = "utf-8"  # UTF-8 decodes almost nothing else without error: no guess needed
        except UnicodeDecodeError:
            encoding = _detect(data, path)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        if declared:
            raise InputError(path, f"is not {declared} text (byte {error.start})",
                             "name the encoding it is saved in, or save it as UTF-8", line=1) from None
        raise InputError(path, "is not a text file (binary or undecodable)", _FIX) from None
    if _looks_binary(text):
        raise InputError(path, "is not a text file (binary or undecodable)", _FIX)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    hidden = textnorm.INVISIBLE.search(text)
    if hidden:
        line = text.count("\n", 0, hidden.start()) + 1
        column = hidden.start() - (text.rfind("\n", 0, hidden.start()) + 1) + 1
        raise InputError(path, f"holds {textnorm.describe_invisible(hidden.group())}",
                         "delete it (it would be published hidden in the text)", line=line, column=column)
    return text


def read_text(path: Path, shown=None, root=None) -> str:
    """Return the text of a seed file, whatever its supported encoding, safely read (read_bytes);
    errors name it as shown (default: path)."""
    shown = shown or path
    return decode(read_bytes(path, shown, root), shown)


class TemplateLoader(jinja2.BaseLoader):
    """A Jinja2 loader for the templates folder that reads every template with read_utf8 (inside the
    project, a regular file, UTF-8) and gives its absolute path as the template's file name."""

    def __init__(self, templates_dir, root):
        self.templates_dir, self.root = Path(templates_dir), Path(root)

    def get_source(self, environment, template):
        """Return (text, file name, uptodate()) of a template, as Jinja2's loaders do."""
        parts = [part for part in template.split("/") if part not in ("", ".")]
        path = self.templates_dir.joinpath(*parts)
        if ".." in parts or not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        text = read_utf8(path, os.path.relpath(path, self.root), self.root)
        mtime = os.path.getmtime(path)
        return text, str(path), lambda: os.path.exists(path) and os.path.getmtime(path) == mtime
