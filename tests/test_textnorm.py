"""textnorm: PDF space repair, sentences and derived titles, truncation, language, ids."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from bibsite import corpus, textnorm

ROOT = Path(__file__).resolve().parent.parent
SEED_FILES = sorted((ROOT / "seeds" / "abstracts").glob("*.txt"))
HAN = f"[{textnorm.HAN}]"


@pytest.mark.parametrize("broken, repaired", [
    ("上 合组织", "上合组织"),
    ("欧亚大陆腹地正 日益成为大国", "欧亚大陆腹地正日益成为大国"),
    ("地区合作与安 全架构", "地区合作与安全架构"),
    ("可能带来的负 面影响", "可能带来的负面影响"),
    ("竞技场。 中俄", "竞技场。中俄"),            # a break after full-width punctuation
    ("“上海 精神”", "“上海精神”"),
    ("上\u3000合", "上合"),                       # ideographic space
])
def test_pdf_spaces_between_chinese_characters_are_removed(broken, repaired):
    assert textnorm.repair_pdf_spaces(broken) == repaired


@pytest.mark.parametrize("text", [
    "进入21 世纪以来",                             # number then Chinese: kept as written
    "成立于 2001 年",
    "上海合作组织 (SCO) 成立",
    "the Shanghai Cooperation Organization has 6 members",
    "In 2001 the SCO was founded",
    "北约 NATO 东扩",
])
def test_spaces_around_latin_words_and_numbers_are_kept(text):
    assert textnorm.repair_pdf_spaces(text) == text


def test_runs_of_spaces_collapse_and_ends_are_trimmed():
    assert textnorm.repair_pdf_spaces("  two  spaces\there  ") == "two spaces here"


def test_join_lines_joins_chinese_without_space_and_latin_with_one():
    assert textnorm.join_lines(["作为地区合作与安", "全架构"]) == "作为地区合作与安全架构"
    assert textnorm.join_lines(["security", "cooperation"]) == "security cooperation"
    assert textnorm.join_lines(["进入21", "世纪"]) == "进入21 世纪"
    assert textnorm.join_lines(["a", "", "  b  "]) == "a b"


def test_half_width_punctuation_is_kept_by_repair():
    text = "资格.这一决定,与近年来:担心;近年"
    assert textnorm.repair_pdf_spaces(text) == text


def test_sentences_split_on_half_width_and_full_width_punctuation():
    text = "成员国资格.这一决定,与趋势相背离.导致3.5个原因:担心;近年。中俄合作!好吗？好"
    assert textnorm.split_sentences(text) == [
        "成员国资格.", "这一决定,与趋势相背离.", "导致3.5个原因:担心;", "近年。", "中俄合作!", "好吗？", "好",
    ]


def test_english_sentences_keep_decimals_and_abbreviated_capitals():
    text = "It covers 3.5 million km. The U.S. view differs. Why? Because."
    sentences = textnorm.split_sentences(text)
    assert sentences[0] == "It covers 3.5 million km."
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")
    assert sentences[-1] == "Because."


def test_sentences_rejoin_to_the_text():
    text = "第一句.第二句,还有。 Third one. 第四句"
    assert "".join(textnorm.split_sentences(text)).replace(" ", "") == text.replace(" ", "")


def test_derived_title_stops_at_a_half_width_period():
    text = "2012年6月28日,乌兹别克斯坦再次暂停集体安全条约组织成员国资格.这一决定,与近年来"
    assert textnorm.derive_title(text, "zh") == "2012年6月28日,乌兹别克斯坦再次暂停集体安全条约组织成员国资格"


def test_derived_title_stops_at_a_full_width_period():
    assert textnorm.derive_title("上海合作组织是典范。经过10年的发展", "zh") == "上海合作组织是典范"


def test_long_chinese_title_is_cut_at_a_clause_boundary_of_either_width():
    for comma in (",", "，"):
        first = f"上海合作组织自2001年6月成立以来{comma}在维护欧亚地区的安全与稳定、发展成员国各领域合作方面取得了显著成就"
        title = textnorm.derive_title(first + "。后文", "zh")
        assert title.endswith("…")
        assert len(title) <= textnorm.TITLE_MAX["zh"] + 1
        assert first.startswith(title[:-1])
        assert not title[:-1].endswith((",", "，", "、"))


def test_long_english_title_is_cut_at_a_word_boundary():
    first = "How are regional organizations responding to the emergence of non-traditional security challenges in Asia and elsewhere in the world"
    title = textnorm.derive_title(first + "? Next.", "en")
    assert title.endswith("…") and len(title) <= textnorm.TITLE_MAX["en"] + 1
    assert first.startswith(title[:-1]) and first[len(title) - 1] == " "


def test_derived_title_of_a_truncated_text_has_no_ellipsis_dots():
    assert textnorm.derive_title("阿富汗变局后中...", "zh") == "阿富汗变局后中"
    assert textnorm.derive_title("and this article finds…", "en") == "and this article finds"


@pytest.mark.parametrize("text, truncated", [
    ("阿富汗变局后中...", True),
    ("and this article finds…", True),
    ("and this article finds...  ", True),
    ("影响。。。", True),
    ("完整的句子.", False),
    ("A complete sentence.", False),
    ("a ... in the middle. End.", False),
])
def test_truncation_flag(text, truncated):
    assert textnorm.is_truncated(text) is truncated


@pytest.mark.parametrize("text, language", [
    ("上海合作组织是基于互信的边境会晤机制发展成为地区性国际组织的典范。", "zh"),
    ("进入21 世纪以来,中俄 (SCO) 合作", "zh"),
    ("International security cooperation usually takes one of two forms.", "en"),
    ("NATO's entry into the Balkan war raised salient questions.", "en"),
    ("Tháng 10 năm 1992, tại Đại hội Liên Hợp Quốc lần thứ 47, Tổng thống đưa ra sáng kiến.", "vi"),
    ("Hội nghị về Phối hợp hành động và Các biện pháp xây dựng lòng tin ở châu Á", "vi"),
])
def test_language_detection(text, language):
    assert textnorm.detect_language(text) == language


def test_language_detection_does_not_take_a_few_accents_for_vietnamese():
    assert textnorm.detect_language("The café and the naïve résumé of a regional security régime in Asia.") == "en"


def test_vietnamese_is_detected_in_decomposed_form_too():
    text = "Tổ chức Hợp tác Thượng Hải được thành lập năm 2001."
    assert textnorm.detect_language(unicodedata.normalize("NFD", text)) == "vi"


def test_record_id_is_stable_under_whitespace_and_normalisation():
    text = "Tổ chức Hợp tác Thượng Hải được thành lập."
    same = "  Tổ chức  Hợp tác\nThượng Hải được thành lập. "
    assert textnorm.record_id(text) == textnorm.record_id(same)
    assert textnorm.record_id(text) == textnorm.record_id(unicodedata.normalize("NFD", text))
    assert re.fullmatch(r"[0-9a-f]{10}", textnorm.record_id(text))
    assert textnorm.record_id(text) != textnorm.record_id(text.replace("lập", "lap"))


# The real seeds: the rules hold for every entry, with expectations computed from the raw text.

def _raw_entries():
    for path in SEED_FILES:
        for line, lines in corpus.split_entries(path.read_text(encoding="utf-8-sig")):
            raw = " ".join(lines)
            if re.sub(r"\s|相似文献", "", raw):
                yield path, line, raw


SEED_ENTRIES = list(_raw_entries())


@pytest.mark.parametrize("path, line, raw", SEED_ENTRIES, ids=[f"{p.name}:{n}" for p, n, _ in SEED_ENTRIES])
def test_seed_entry_is_repaired_and_otherwise_unchanged(path, line, raw):
    text = corpus.clean_entry(raw.split("\n"))
    # Only whitespace and the trailing marker differ from the source.
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", raw).removesuffix(corpus.SIMILAR_MARKER)
    assert not re.search(f"{HAN}\\s+{HAN}", text), "a PDF space between Chinese characters survived"
    # Every space the source has between a digit/Latin letter and anything else is still there.
    for match in re.finditer(r"[0-9A-Za-z] +[^\s]|[^\s] +[0-9A-Za-z]", raw.strip().removesuffix(corpus.SIMILAR_MARKER)):
        piece = re.sub(" +", " ", match.group())
        if corpus.SIMILAR_MARKER[0] not in piece:
            assert piece in text, piece


@pytest.mark.parametrize("text", ["", "   ", "一句。二句。", "  。。 First. Second!", "no end", "上合组织……\n\n", "。"])
def test_first_sentence_is_the_first_of_split_sentences(text):
    assert textnorm.first_sentence(text) == (textnorm.split_sentences(text) or [""])[0]


def _ends_inside_brackets(title: str) -> bool:
    """Return True when the title, ellipsis aside, stops inside a bracket or a quotation."""
    return not textnorm._outside_brackets(title.rstrip("…"))[-1]


TRICKY_FIRST_SENTENCES = [
    ("2009年2月4—5日,在莫斯科召开的独联体集体安全条约组织(简称集安组织)第一次会议上通过了关于建立集体快速反应部队的决定。", "zh"),
    ("《上海合作组织宪章》和《上海合作组织成员国长期睦邻友好合作条约》以及《上海合作组织反恐怖主义公约》规定的原则得到了落实。", "zh"),
    ("“一带一路”倡议提出以来，中国与中亚国家在“能源、交通、基础设施与数字经济等诸多领域”的合作不断深化并取得丰硕成果。", "zh"),
    ("The report (published by the International Institute for Strategic Studies in London and cited since then by many) finds that.", "en"),
    ('He said "regional organisations in Asia have long failed to build anything resembling a collective security arrangement" today.', "en"),
    ("The Association of Southeast Asian Nations (ASEAN) is an established player in Southeast Asia, while the security order is contested.", "en"),
    ("This article aims to explore the relationship between domestic economic and political conditions and the regional security order.", "en"),
]


@pytest.mark.parametrize("text, language", TRICKY_FIRST_SENTENCES)
def test_derived_title_never_ends_inside_brackets_or_after_a_dangling_word(text, language):
    title = textnorm.derive_title(text, language)
    assert title.endswith("…") and len(title) > 10, title
    assert not _ends_inside_brackets(title), title
    assert text.startswith(title[:-1]), title
    if language == "en":
        assert title[:-1].split()[-1].lower() not in textnorm._EN_DANGLING, title


def test_no_derived_title_of_the_seeds_ends_inside_brackets():
    from pathlib import Path

    import yaml

    titles = []
    for path in sorted((Path(__file__).resolve().parent.parent / "content" / "abstracts").glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not record.get("title"):
            titles.append(textnorm.derive_title(record["text"], record["language"]))
    assert len(titles) >= 5
    assert [t for t in titles if _ends_inside_brackets(t)] == []
    assert [t for t in titles if t.endswith("…") and t[:-1].split()[-1].lower() in textnorm._EN_DANGLING] == []
