"""glossary: the China.org.cn Vietnamese/Chinese layout, on the real CICA seed and a fixture of our own."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bibsite import glossary, importer, schema, textnorm
from bibsite.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CICA = ROOT / "seeds" / "glossary" / "cica-china-org-cn-vi-zh.txt"
SCO = FIXTURES / "glossary-sco-vi-zh.txt"


@pytest.fixture(scope="module")
def cica():
    return glossary.read_glossary(CICA)


def test_cica_breadcrumb_term_section_date_and_source(cica):
    assert cica["type"] == "glossary"
    assert cica["id"] == "cica"
    assert cica["abbreviation"] == "CICA"
    assert cica["breadcrumb"] == {"vi": "Trang chủ › Những khái niệm cơ bản"}
    assert cica["term"]["vi"] == "Hội nghị về Phối hợp hành động và Các biện pháp xây dựng lòng tin ở châu Á"
    assert cica["term"]["zh"] == "亚信会议"
    assert cica["section"] == {"vi": "Những khái niệm cơ bản"}
    assert cica["date"] == "2017-04-19"          # from 19-04-2017
    assert cica["publisher"] == "China.org.cn"


def test_cica_bodies_are_the_source_paragraphs_in_their_language(cica):
    raw = CICA.read_text(encoding="utf-8-sig")
    paragraphs = [p.strip() for p in raw.split("\n\n") if p.strip()]
    zh_term_at = paragraphs.index("亚信会议")
    vi_body = [p for p in paragraphs[:zh_term_at] if len(p) > 200]
    zh_body = paragraphs[zh_term_at + 1:]
    assert cica["text"]["vi"] == "\n\n".join(textnorm.repair_pdf_spaces(p) for p in vi_body)
    assert cica["text"]["zh"] == "\n\n".join(textnorm.repair_pdf_spaces(p) for p in zh_body)
    assert textnorm.detect_language(cica["text"]["vi"]) == "vi"
    assert textnorm.detect_language(cica["text"]["zh"]) == "zh"
    # The term, dateline and section are metadata, not body text.
    assert "China.org.cn" not in cica["text"]["vi"].split("\n\n")[0][:40]
    assert not cica["text"]["vi"].startswith(cica["term"]["vi"])


def test_cica_validates_against_the_schema(cica):
    record = schema.validate({**cica, "source_file": "seeds/glossary/x.txt"}, "x")
    assert record["term"]["zh"] == "亚信会议"


def test_import_adds_the_english_name_kept_as_a_fact(tmp_path):
    candidates, _ = importer.read_seeds(ROOT / "seeds", ROOT, lambda m: None)
    cica = next(c for c in candidates if c["type"] == "glossary" and c["id"] == "cica")
    assert cica["term"]["en"] == importer.GLOSSARY_FACTS["cica"]["en"]
    assert cica["source_file"] == "seeds/glossary/cica-china-org-cn-vi-zh.txt"


def test_own_fixture_is_parsed_field_by_field():
    record = glossary.read_glossary(SCO)
    assert record["id"] == "sco"
    assert record["abbreviation"] == "SCO"
    assert record["breadcrumb"] == {"vi": "Trang chủ › Những khái niệm cơ bản"}
    assert record["term"] == {"vi": "Tổ chức Hợp tác Thượng Hải", "zh": "上海合作组织"}
    assert record["section"] == {"vi": "Những khái niệm cơ bản"}
    assert record["date"] == "2018-06-05"        # from 05-06-2018: day first
    assert record["publisher"] == "China.org.cn"
    vi = record["text"]["vi"].split("\n\n")
    zh = record["text"]["zh"].split("\n\n")
    assert len(vi) == 2 and vi[0].startswith("Tổ chức Hợp tác Thượng Hải được thành lập")
    assert len(zh) == 2 and zh[0].startswith("上海合作组织于2001年6月15日")
    assert zh[1] == "该组织以“上海精神”为基础,倡导共同安全与互利合作。"   # PDF space repaired, half-width comma kept


def test_glossary_reads_other_encodings_the_same(tmp_path):
    text = SCO.read_text(encoding="utf-8")
    path = tmp_path / "sco.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le"))
    assert glossary.read_glossary(path) == glossary.read_glossary(SCO)


def test_chinese_body_before_the_chinese_term_is_an_error_with_its_line(tmp_path):
    text = SCO.read_text(encoding="utf-8")
    broken = text.replace("上海合作组织\n\n", "", 1)
    path = tmp_path / "broken.txt"
    path.write_text(broken, encoding="utf-8")
    line = broken.split("\n").index(next(l for l in broken.split("\n") if l.startswith("上海合作组织于"))) + 1
    with pytest.raises(InputError) as caught:
        glossary.read_glossary(path)
    message = caught.value.one_line()
    assert message.startswith(f"{path}:{line}: Chinese text before the Chinese term — ")
    assert "term" in caught.value.fix


def test_entry_without_a_term_line_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "no-term.txt"
    path.write_text("Just a paragraph of Vietnamese text, không có thuật ngữ nào ở đây cả.\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        glossary.read_glossary(path)
    assert caught.value.one_line().startswith(f"{path}: ")
