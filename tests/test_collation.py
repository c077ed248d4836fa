"""Collation keys: pinyin for Chinese, articles ignored in English, the Vietnamese alphabet and its tones."""
from __future__ import annotations

import re

import pytest

from bibsite import collation


def ordered(words, language):
    return sorted(words, key=lambda w: collation.sort_key(w, language))


def test_chinese_sorts_by_pinyin_with_digits_and_latin_first():
    words = ["阿富汗问题", "金砖国家", "南海", "中国", "上海合作组织", "2012年", "2009年", "SCO研究", "近年来"]
    assert ordered(words, "zh") == ["2009年", "2012年", "SCO研究", "阿富汗问题", "金砖国家", "近年来", "南海",
                                    "上海合作组织", "中国"]


def test_chinese_reads_each_character_by_its_common_reading_and_tones_before_characters():
    # as CLDR's pinyin collation does: 重 is zhòng wherever it stands, 长 cháng
    assert ordered(["中国", "重庆", "长城"], "zh") == ["长城", "中国", "重庆"]
    # same syllables with the same tones (近 and 进 are both jìn): the characters decide, so always the same
    assert ordered(["进一", "近一"], "zh") == ordered(["近一", "进一"], "zh")
    # tone 1 before tone 4, a shorter syllable sequence before its continuation
    assert ordered(["近", "金"], "zh") == ["金", "近"]
    assert ordered(["上海合作组织", "上海"], "zh") == ["上海", "上海合作组织"]


def test_chinese_ignores_leading_quotes():
    assert ordered(["“一带一路”倡议", "中亚", "阿富汗"], "zh") == ["阿富汗", "“一带一路”倡议", "中亚"]


def test_english_ignores_articles_case_and_punctuation():
    words = ["The Shanghai Cooperation Organisation", "an ASEAN view", "A study", "Zebra", "apple", "“Quoted” title",
             "Theory of alliances", "Anarchy"]
    assert ordered(words, "en") == ["Anarchy", "apple", "an ASEAN view", "“Quoted” title",
                                    "The Shanghai Cooperation Organisation", "A study", "Theory of alliances", "Zebra"]


def test_vietnamese_alphabet_and_tones():
    words = ["đa", "da", "ăn", "anh", "ân", "an ninh", "e", "ê", "bạ", "bá", "ba", "bà", "bả", "bã", "Hội nghị", "hỏi"]
    assert ordered(words, "vi") == ["an ninh", "anh", "ăn", "ân", "ba", "bà", "bả", "bã", "bá", "bạ", "da", "đa",
                                    "e", "ê", "hỏi", "Hội nghị"]


def test_vietnamese_is_the_same_in_composed_and_decomposed_form():
    import unicodedata

    word = "Hội nghị về Tương tác"
    assert collation.sort_key(unicodedata.normalize("NFD", word), "vi")[:2] == collation.sort_key(word, "vi")[:2]


@pytest.mark.parametrize("language", ["zh", "en", "vi"])
def test_keys_are_total_on_mixed_and_empty_text(language):
    words = ["", " ", "123", "ABC", "中文", "Tiếng Việt", "“”", "a", "The"]
    assert len(ordered(words, language)) == len(words)
