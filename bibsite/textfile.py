"""Reading seed files as text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK; CRLF too."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from .errors import InputError

_FIX = "save it as UTF-8 text (UTF-16 with BOM and GB18030/GBK are read too)"


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    """Return True when decoded text holds control characters that no text file has."""
    return "\x00" in text or len(_CONTROL.findall(text)) > max(2, len(text) // 1000)


def decode(data: bytes, path) -> str:
    """Return data decoded as text with LF line endings, or raise InputError naming path."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise InputError(path, "is not a text file (binary or undecodable)", _FIX)


def read_text(path: Path, shown=None) -> str:
    """Return the text of a seed file, whatever its supported encoding; errors name it as shown (default: path)."""
    return decode(Path(path).read_bytes(), shown or path)
