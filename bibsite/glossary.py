"""Reader for glossary entries as China.org.cn's Vietnamese edition publishes them.

The layout: a breadcrumb (`Trang chủ> Những khái niệm cơ bản`), the Vietnamese term with its
abbreviation in parentheses, the section in parentheses, `DD-MM-YYYY | source`, the term again, the
Vietnamese body, then the Chinese term on a line of its own and the Chinese body.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from . import textnorm
from .corpus import split_entries
from .errors import InputError
from .textfile import read_text

_TERM = re.compile(r"^(?P<term>.+?)\s*\((?P<abbr>[A-Z][A-Z0-9-]{1,15})\)$")
_SECTION = re.compile(r"^\((?P<section>[^()]+)\)$")
_DATELINE = re.compile(r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})\s*\|\s*(?P<publisher>.+)$")
_HAN_TERM = re.compile(f"^[{textnorm.HAN}·]{{2,20}}$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def read_glossary(path: Path, shown=None, root=None) -> dict:
    """Return one glossary record (per-language term, text and section) parsed from path; errors name it as shown."""
    shown = shown or path
    paragraphs = [(line, textnorm.repair_pdf_spaces(textnorm.join_lines(lines)))
                  for line, lines in split_entries(read_text(path, shown, root))]
    record: dict = {"type": "glossary", "term": {}, "text": {}}
    body: dict[str, list[str]] = {"vi": [], "zh": []}
    for line, para in paragraphs:
        term, section, dateline = _TERM.match(para), _SECTION.match(para), _DATELINE.match(para)
        if ">" in para and "breadcrumb" not in record and not record["term"]:
            crumbs = [c.strip() for c in para.split(">") if c.strip()]
            record["breadcrumb"] = {"vi": " › ".join(crumbs)}
        elif term and not body["vi"] and len(para) < 200:
            record.setdefault("abbreviation", term["abbr"])
            record["term"].setdefault("vi", term["term"])
        elif section and not body["vi"]:
            record["section"] = {"vi": section["section"].strip()}
        elif dateline and "date" not in record:
            record["date"] = f"{dateline['y']}-{int(dateline['m']):02d}-{int(dateline['d']):02d}"
            try:
                _dt.date.fromisoformat(record["date"])
            except ValueError:
                raise InputError(shown, f"date '{para.split('|')[0].strip()}' is not a real day",
                                 "write it as DD-MM-YYYY", line=line) from None
            record["publisher"] = dateline["publisher"].strip()
        elif _HAN_TERM.match(para) and "zh" not in record["term"]:
            record["term"]["zh"] = para
        else:
            language = textnorm.detect_language(para)
            if language == "zh" and "zh" not in record["term"] and not body["zh"]:
                raise InputError(shown, "Chinese text before the Chinese term",
                                 "put the Chinese term (e.g. 亚信会议) on its own line before the Chinese text",
                                 line=line)
            body["zh" if language == "zh" else "vi"].append(para)
    for language, paras in body.items():
        if paras:
            record["text"][language] = "\n\n".join(paras)
    if "vi" not in record["term"] or not record["text"]:
        raise InputError(shown, "no term line like 'Name (ABBR)' or no body text found",
                         "check the entry follows the China.org.cn layout described in README.md")
    record["id"] = _slug(record.get("abbreviation") or record["term"]["vi"])
    return record
