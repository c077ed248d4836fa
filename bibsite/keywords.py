"""Keywords per record: TF-IDF terms drawn from the record's own text, weighed against the corpus.

Chinese uses jieba.analyse's TF-IDF arithmetic (jieba's general-language IDF table), scaled by how rare the word
is in this corpus, so that words every abstract here uses (安全, 合作) give way to the specific ones.
English and Vietnamese use TF-IDF over this corpus alone: English words and repeated two-word phrases
("collective security"), Vietnamese phrases of two or three syllables (an ninh, lòng tin) and acronyms.
A maintainer's own `keywords` field always wins: see record_keywords().
"""
from __future__ import annotations

import heapq
import importlib.util
import re
from collections import Counter
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from . import tfidf
from .schema import LANGUAGES
from .textnorm import HAN_CHAR
from search_index.rules import HAN

DEFAULT_COUNT = 6

# Function words that jieba's IDF table does not push down far enough in academic abstracts.
ZH_STOP = frozenset("""
本文 文章 该文 笔者 通过 进行 以及 并且 而且 同时 因此 由于 对于 关于 其中 之间 方面 一定 一些 一个 这些
这种 这一 它们 其他 可能 需要 已经 不断 日益 越来越 成为 具有 存在 提出 认为 指出 表明 发现 分析 探讨 研究
当前 目前 近年来 以来 作为 随着 基础 重要 主要 进一步 不仅 而是 还是 如何 什么 为了 我们 他们 自身
""".split())

EN_STOP = frozenset("""
a about above across after again against all almost also although always among an and another any are
around as at be because been before being below between both but by can cannot could did do does doing
done down during each either else enough especially even ever every for from further had has have having
he her here hers him his how however i if in into is it its itself just least less like made make many
may me might more most much must my neither no nor not now of off often on once one only onto or other
others otherwise our ours out over own per perhaps rather same several shall she should since so some
such than that the their theirs them themselves then there therefore these they this those though
through throughout thus to too toward towards under until upon us very via was we well were what when
where whereas whether which while who whom whose why will with within without would yet you your
article paper study analysis analyze analyzes analyse analyses argue argues argued examine examines
explore explores explored aims aim attempt attempts conclude concludes concluded discuss discusses
investigate investigates show shows shown find finds found new first second final part way ways
order terms respect given based using used use also et al
""".split())

VI_STOP = frozenset("""
và của các những là được trong với cho về tại này đó đã có một để từ theo như không giữa nhau việc sự
cũng thì mà nên khi bằng trên dưới ra vào lại nhằm qua đến hoặc hay do vì nếu sau trước đây rằng
lần thứ năm tháng ngày nhất nhiều mỗi cùng đều rất ở sẽ còn vẫn chỉ
""".split())

_EN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-‐]*[A-Za-z]|[A-Za-z]")
_VI_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Clause breaks: a phrase never spans one.
_HAN_RUN = re.compile(f"[{HAN}]+")
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”«»、，。；：！？（）《》—–]|\s-\s")  # not ’: it is an apostrophe
_HAS_LETTER = re.compile(r"[^\W\d_]")


def text_features(text: str, lang: str, user_words=()) -> dict:
    """Return the costly, corpus-independent part of keyword extraction for one text (cacheable JSON).

    {"candidates": the distinct terms corpus_stats counts, and for Chinese "tags": [[words], [weights]]
    (jieba's TF-IDF of the words that may be keywords, heaviest first), for other languages
    "phrases": [[words, count, first position, shown form], ...]}.
    """
    if lang == "zh":
        words = _zh_words(text, tuple(user_words))  # one cut serves both
        tags = _zh_keyword_tags(words)
        return {"candidates": list(dict.fromkeys(w for w in words if _is_term(w))),
                "tags": [[word for word, _ in tags], [weight for _, weight in tags]]}
    counts, surfaces, first = _phrase_counts(text, lang)
    return {"candidates": [" ".join(key) for key in counts],
            "phrases": [[list(key), tf, first[key], _display(surfaces[key])] for key, tf in counts.items()]}


def corpus_stats(records, user_words=(), features: dict | None = None, domain_words=()) -> dict:
    """Return per-language document frequencies of candidate terms: {lang: {"docs": n, "df": {term: n}}}.

    records are schema records (abstracts with `language` and a text, glossary entries with a text per
    language). features maps (record id, lang) to text_features() computed earlier (e.g. cached). user_words (e.g. entities.user_words()) are taught to the Chinese tokenizer, and are
    kept in the result so that keywords() segments the same way.
    """
    stats: dict = {lang: {"docs": 0, "df": Counter()} for lang in LANGUAGES}
    stats["user_words"] = list(user_words)
    # Words of the domain that are not taught to the tokenizer (the concept glossary's): keywords may be them.
    stats["domain_words"] = list(domain_words)
    features = features or {}
    for record in records:
        for text, lang in _texts(record):
            stats[lang]["docs"] += 1
            known = features.get((record.get("id"), lang))
            candidates = known["candidates"] if known else _candidates(text, lang, stats["user_words"])
            stats[lang]["df"].update(set(candidates))
    for lang in LANGUAGES:
        df = stats[lang]["df"]
        stats[lang]["df"] = {term: df[term] for term in sorted(df)}  # sorting terms alone spares pair compares
    return stats


def keywords(text: str, lang: str, corpus_stats: dict | None = None, count: int = DEFAULT_COUNT,
             features: dict | None = None) -> list[str]:
    """Return up to count keywords of text, best first; the same text and stats always give the same list."""
    stats = corpus_stats or {}
    words = tuple(stats.get("user_words", ()))
    lang_stats = stats.get(lang) or {"docs": 0, "df": {}}
    n, df = lang_stats["docs"], lang_stats["df"]

    idf = _idf_table_for(n)

    # Ranking tuples: rounded score (negated), first position, words (then, for phrases, the form shown:
    # never compared, as no two rows have the same words). Ties go to the earlier word, then to the word
    # itself, and rounding keeps float noise from deciding, so the order never varies.
    if lang == "zh":
        if features:
            tags, weights = features["tags"]
        else:
            pairs = _zh_keyword_tags(_zh_words(text, words))
            tags, weights = [word for word, _ in pairs], [weight for _, weight in pairs]
        test = _ChineseTest(text, frozenset(words) | frozenset(stats.get("domain_words", ())))
        return [key[0] for _, _, key in _best_tags(tags, weights, df, idf, count, test.accepts)]

    if features and "phrases" in features:
        rows = features["phrases"]
    else:
        counts, forms, first_seen = _phrase_counts(text, lang)
        rows = [(key, tf, first_seen[key], _display(forms[key])) for key, tf in counts.items()]
    english = lang == "en"
    # A score depends on the count, the document frequency and the bonus alone: each is worked out once.
    known = _phrase_scores_for(n)
    scored = []
    for key, tf, position, shown in rows:
        phrase = english and len(key) > 1
        if phrase and tf < 2:
            continue  # an English phrase seen once is usually chance, not a term
        key = tuple(key)
        facts = (tf, df.get(" ".join(key), 0), len(key) if phrase else 1)
        negated = known.get(facts)
        if negated is None:
            score = tfidf.tf(tf) * idf[facts[1]]
            if phrase:
                # An English phrase says more than a word; a Vietnamese word is already two syllables or
                # more. (Elsewhere the bonus would be 1.0, which leaves a score as it is.)
                score *= len(key) ** 0.5
            negated = known[facts] = -round(score, 9)
        scored.append((negated, position, key, shown))
    scored.sort()
    accepts = (lambda entry: len(entry[2]) > 1 or _english_term(entry[2][0], entry[3])) if english else None
    return [shown for _, _, _, shown in _pick(scored, count, accepts)]


def _best_tags(tags: list[str], weights: list[float], df: dict, idf: dict, count: int,
               accepts=lambda tag: True) -> list[tuple]:
    """Return the ranking tuples _pick() would choose among the Chinese tags accepts() keeps, scoring only
    those that can matter.

    accepts(tag) is asked only of a tag about to be chosen, as it costs more than scoring: skipping a tag
    there is the same as leaving it out of the list, as neither its score nor its words count then.

    Why this is exact: tags come heaviest first and weights are never negative (jieba's TF-IDF; checked
    below, else every tag is scored); idf[d] <= idf[0] for every document frequency d >= 0, and float
    multiplication and round() are monotonic, so no tag from position m on scores more than
    round(weights[m] * idf[0], 9). Scored tags wait in a heap ordered by their ranking tuples, and the
    best of them is handed out only once weights[m] * idf[0] <= its score s for the first unscored
    tag m (then round(weights[m] * idf[0], 9) <= round(s, 9) = s, s being rounded already) or every
    tag is scored. Any unscored tag then scores less than s, or the same at a later position (the words
    are never reached: positions differ), so it ranks after: the heap hands out tags in the very order
    of sorting them all. The choice reads that order until it has count words, exactly as _pick()
    does over the sorted list, so it makes the same choices and stops at the same tag.
    """
    total = min(len(tags), len(weights))
    if count < 1 or weights != sorted(weights, reverse=True) or (weights and weights[-1] < 0):
        # count < 1 takes every tag that overlaps no other (see _pick): nothing can be left unscored.
        scored = [(-round(weight * idf[df.get(tag, 0)], 9), p, (tag,))
                  for p, (tag, weight) in enumerate(zip(tags, weights)) if accepts(tag)]
        return _pick(sorted(scored), count)
    ceiling = idf[0]
    waiting: list[tuple] = []
    chosen: list[tuple] = []
    m = 0
    while len(chosen) < count:
        while m < total and (not waiting or weights[m] * ceiling > -waiting[0][0]):
            heapq.heappush(waiting, (-round(weights[m] * idf[df.get(tags[m], 0)], 9), m, (tags[m],)))
            m += 1
        if not waiting:
            break
        entry = heapq.heappop(waiting)
        if not any(_overlaps(entry[2], other[2]) for other in chosen) and accepts(entry[2][0]):
            chosen.append(entry)
    return chosen


# --- what may be a keyword --------------------------------------------------------------------
# Keywords are links to a search: a noun or noun phrase of the dictionary or of the domain, never a
# verb or adjective (维护, 发挥, achieved, fruitful), a typo (影晌) or a piece of a longer word (冰上).

# jieba's part-of-speech tags (jieba/dict.txt) of words that are not nouns: verbs, adjectives, adverbs,
# idioms and set phrases (深入开展, 卓有成效), numbers, measure words, function words, time words.
_NOT_NOUN = frozenset("v vd vg vi vq a ad ag al d dg df i l m mg mq q p c u ud ug uj ul uv uz y e o z zg t tg".split())
# A two-character word jieba prefers over its two characters by less than this factor is as likely a
# mis-cut as a word: 上将 ("general") in 总体上将有利于 is 总体上 + 将.
_MISCUT_MARGIN = 4.0
_LONGEST_WORD = 8

# English words that are not terms on their own in academic prose (adjectives and vague nouns).
EN_GENERIC = frozenset("""
contemporary different distinctive various current recent previous particular specific certain
important significant major main key essential crucial central common general overall broad wide
landscape range level levels form forms question questions issue issues aspect aspects way ways role
roles nature context framework factor factors number kind kinds type types area areas field fields
extent basis degree process processes approach approaches means result results effect effects
""".split())
_ADJECTIVE_ENDINGS = ("ful", "ous", "less", "ly")


def _english_term(key: str, shown: str) -> bool:
    """Return whether one English word may be a keyword: an acronym, or not a generic word, adjective
    or verb form (achieved, promoting: an -ed or -ing form of a verb of the dictionary)."""
    if _acronym(shown):
        return True
    if key in EN_GENERIC or key.endswith(_ADJECTIVE_ENDINGS):
        return False
    if key.endswith(("ed", "ing")):
        from search_index.dictionary import english_verbs

        verbs = english_verbs()
        base = key[:-2] if key.endswith("ed") else key[:-3]
        candidates = {base, base + "e", base[:-1] if len(base) > 2 and base[-1] == base[-2] else base}
        return not candidates & verbs
    return True


class _ChineseTest:
    """Says which Chinese words of one text may be keywords (see _is_chinese_keyword); built per text,
    it reads the text's Han runs only when first asked."""

    def __init__(self, text: str, user_words):
        self.text = text
        self.user_words = user_words
        self._runs = None

    def runs(self) -> list[str]:
        # The text as written, not normalised (a third of the cost): a word of a traditional-character
        # text is then not found in it, and counts as no fragment.
        if self._runs is None:
            self._runs = _HAN_RUN.findall(self.text)
        return self._runs

    def accepts(self, word: str) -> bool:
        if not HAN_CHAR.search(word):
            return True  # SCO, NATO inside Chinese text: acronyms
        tables = _chinese_tables()
        domain = word in tables.domain or word in self.user_words
        if not domain:
            pos = tables.pos.get(word)
            if pos in _NOT_NOUN or (pos is None and word not in tables.dictionary):
                return False
            if len(word) == 2 and _miscut(word, tables):
                return False
        return not self.fragment(word, tables)

    def fragment(self, word: str, tables) -> bool:
        """Return whether every occurrence of word lies inside or across a longer word of the dictionary
        or domain (冰上 in 冰上丝绸之路)."""
        seen = False
        for run in self.runs():
            start = run.find(word)
            while start >= 0:
                seen = True
                if not self.covered(run, start, start + len(word), tables):
                    return False
                start = run.find(word, start + 1)
        return seen

    def covered(self, run: str, start: int, end: int, tables) -> bool:
        size = end - start
        for left in range(max(0, end - _LONGEST_WORD), end):
            for right in range(max(start + 1, left + size + 1), min(len(run), left + _LONGEST_WORD) + 1):
                longer = run[left:right]
                if longer in tables.lexicon or longer in self.user_words:
                    return True
        return False


def _miscut(word: str, tables) -> bool:
    freq, total = tables.freq, tables.total
    first, second = freq.get(word[0], 0), freq.get(word[1], 0)
    return freq.get(word, 0) * total < _MISCUT_MARGIN * first * second


class _Tables:
    """The word lists a Chinese keyword is checked against, loaded once per process."""

    def __init__(self):
        from search_index.analyze import HERE, plain_tokenizer
        from search_index.dictionary import dictionary
        import json

        tokenizer = plain_tokenizer()
        self.freq, self.total = tokenizer.FREQ, tokenizer.total
        self.pos = _jieba_pos()
        self.dictionary = dictionary()
        self.domain = frozenset(json.loads((HERE / "userdict.json").read_text(encoding="utf-8"))["words"])
        # Every word a longer word may be (one lookup, not three).
        self.lexicon = frozenset(self.pos) | frozenset(self.dictionary) | self.domain


@lru_cache(maxsize=1)
def _chinese_tables() -> _Tables:
    return _Tables()


@lru_cache(maxsize=1)
def _jieba_pos() -> dict[str, str]:
    """Return {word: part-of-speech tag} from jieba's dictionary (jieba/dict.txt: word, count, tag)."""
    from search_index.analyze import kept

    source = Path(importlib.util.find_spec("jieba").submodule_search_locations[0]) / "dict.txt"

    def read():
        table = {}
        for line in source.read_bytes().decode("utf-8").splitlines():
            parts = line.split(" ")
            if len(parts) == 3:
                table[parts[0]] = parts[2]
        return table
    return kept("jieba-pos", source, read)


def _pick(scored: list[tuple], count: int, accepts=None) -> list[tuple]:
    """Return the first count ranking tuples of sorted scored whose words overlap none picked before them
    (and that accepts(tuple), when given, keeps: asked last, as it costs most)."""
    chosen: list[tuple] = []
    for entry in scored:
        key = entry[2]
        if any(_overlaps(key, other[2]) for other in chosen):
            continue  # "collective security" already says "security"
        if accepts is not None and not accepts(entry):
            continue
        chosen.append(entry)
        if len(chosen) == count:
            break
    return chosen


def record_keywords(record: dict, corpus_stats: dict | None = None, count: int = DEFAULT_COUNT,
                    features: dict | None = None) -> list[str]:
    """Return the record's keywords: the maintainer's `keywords` field if it has one, else extracted ones."""
    if record.get("keywords"):
        return list(record["keywords"])
    features = features or {}
    out: list[str] = []
    for text, lang in _texts(record):
        known = features.get((record.get("id"), lang))
        out += [word for word in keywords(text, lang, corpus_stats, count, known) if word not in out]
    return out


# --- helpers ---------------------------------------------------------------------------------

def _texts(record: dict):
    """Yield (text, language) for each language version of a record's text."""
    text = record.get("text")
    if isinstance(text, dict):
        for lang in LANGUAGES:
            if text.get(lang):
                yield text[lang], lang
    elif text and record.get("language") in LANGUAGES:
        yield text, record["language"]


def _candidates(text: str, lang: str, user_words) -> list[str]:
    """Return the candidate terms of text as corpus_stats counts them (keys, not display forms)."""
    if lang == "zh":
        return [w for w in _zh_words(text, tuple(user_words)) if _is_term(w)]
    counts, _, _ = _phrase_counts(text, lang, forms=False)
    return [" ".join(key) for key in counts]


def _zh_words(text: str, user_words: tuple[str, ...]) -> list[str]:
    """Return the words of Chinese text as the search index cuts it (search_index.analyze.words: jieba's
    precise mode over each Han run, taught user_words), other words as the text writes them (SCO)."""
    from search_index.analyze import add_words, normalise, runs, words

    add_words(user_words)
    written = {}
    for kind, piece in runs(text):
        if kind == "word":
            written.setdefault(normalise(piece), piece)
    return [word if kind == "han" else written.get(word, word) for kind, word in words(text)]


def _zh_keyword_tags(words: list[str]) -> list[tuple[str, float]]:
    """Return the TF-IDF tags of cut text that may be keywords (no numbers, no function words)."""
    return [(word, weight) for word, weight in _zh_tags(words) if _is_term(word) and word not in ZH_STOP]


def _zh_tags(words: list[str]) -> list[tuple[str, float]]:
    """Return [(word, TF-IDF weight)] of cut text, heaviest first: jieba.analyse.extract_tags's
    arithmetic (its stop words, its IDF table, ties in order of first use) without importing
    jieba.analyse, which would also load jieba's part-of-speech tables."""
    idf, median = _idf_table()
    freq: dict[str, float] = {}
    for word in words:
        if len(word.strip()) < 2 or word.lower() in _JIEBA_STOP:
            continue
        freq[word] = freq.get(word, 0.0) + 1.0
    total = sum(freq.values())
    for word in freq:
        freq[word] *= idf.get(word, median) / total
    return sorted(freq.items(), key=itemgetter(1), reverse=True)


# jieba.analyse.tfidf.KeywordExtractor.STOP_WORDS
_JIEBA_STOP = frozenset(("the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as",
                         "on", "with", "can", "if", "from", "which", "you", "it", "this", "then", "at", "have",
                         "all", "not", "one", "has", "or"))


def warm_up() -> None:
    """Load the tables Chinese keyword extraction reads (jieba's IDF table) now, e.g. before forking workers."""
    _idf_table()


@lru_cache(maxsize=1)
def _idf_table() -> tuple[dict[str, float], float]:
    """Return jieba's general-language IDF table (jieba/analyse/idf.txt) and its median, as jieba reads them."""
    from search_index.analyze import kept

    source = Path(importlib.util.find_spec("jieba").submodule_search_locations[0]) / "analyse" / "idf.txt"

    def read():
        table = {}
        for line in source.read_bytes().decode("utf-8").splitlines():
            word, value = line.strip().split(" ")
            table[word] = float(value)
        return table, sorted(table.values())[len(table) // 2]
    return kept("jieba-idf", source, read)


def _is_term(word: str) -> bool:
    # Years, page numbers and punctuation are not keywords.
    return len(word.strip()) >= 2 and bool(_HAS_LETTER.search(word))


def _phrase_counts(text: str, lang: str, forms: bool = True):
    """Return (key -> count, key -> written forms, key -> first position) of words and phrases in text."""
    counts: Counter = Counter()
    surfaces: dict[tuple[str, ...], Counter] | None = {} if forms else None  # corpus counts need no forms
    first: dict[tuple[str, ...], int] = {}
    position = 0
    stop = VI_STOP if lang == "vi" else EN_STOP
    sizes = (2, 3, 4) if lang == "vi" else (1, 2)
    for clause in _CLAUSE.split(text):
        words = _VI_WORD.findall(clause) if lang == "vi" else _EN_WORD.findall(clause)
        lower = [w.lower() for w in words]
        keys = [_word_key(w, lang) for w in words]
        for i, word in enumerate(words):
            for size in sizes:
                if i + size > len(words) or lower[i] in stop or lower[i + size - 1] in stop:
                    continue
                if size == 1 and len(word) < 3 and not _acronym(word):
                    continue
                surface = " ".join(words[i:i + size]) if forms else None
                if forms and lang == "en":
                    surface = re.sub(r"['’]s$", "", surface)  # show NATO, not NATO's
                _add(tuple(keys[i:i + size]), surface, position + i, counts, surfaces, first)
            if lang == "vi" and _acronym(word):  # CICA, ASEAN: single syllables that are terms
                _add((keys[i],), word, position + i, counts, surfaces, first)
        position += len(words)
    if lang == "vi":
        # Syllable runs cut across words: "nghị thượng" only ever occurs inside "hội nghị thượng đỉnh".
        seen = dict(counts)
        for key in seen:
            for part in (key[:-1], key[1:]) if len(key) > 2 else ():
                if seen.get(part) == seen[key]:
                    counts.pop(part, None)
    return counts, surfaces, first


def _add(key, surface, position, counts, surfaces, first) -> None:
    counts[key] += 1
    if surfaces is not None:
        surfaces.setdefault(key, Counter())[surface] += 1
    first.setdefault(key, position)


def _display(forms: Counter) -> str:
    """Return the form to show: lower case if the text ever writes it so, else its most used form."""
    lower = [form for form in forms if form == form.lower()]
    # Counters keep first-seen order and max() keeps the first of equals: ties go to the earliest form.
    return lower[0] if lower else max(forms.items(), key=lambda kv: kv[1])[0]


def _word_key(word: str, lang: str) -> str:
    """Return the form a word is counted under: lower case; English plurals and possessives merged."""
    key = word.lower().replace("’", "'").replace("‐", "-")
    if lang != "en":
        return key
    if key.endswith("'s"):
        key = key[:-2]
    if len(key) > 4 and key.endswith("ies"):
        return key[:-3] + "y"
    if len(key) > 3 and key.endswith("s") and not key.endswith(("ss", "us", "is")):
        return key[:-1]
    return key


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Return whether one phrase contains the other as a run of words (for Chinese: as a substring)."""
    if len(a) == len(b):
        if len(a) == 1 and HAN_CHAR.search(a[0]):
            return a[0] in b[0] or b[0] in a[0]
        return a == b  # the only run of a's length in b is b itself
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return any(long[i:i + len(short)] == short for i in range(len(long) - len(short) + 1))


@lru_cache(maxsize=4)
def _idf_table_for(n: int) -> dict:
    """Return {df: tfidf.idf(n, df)}, filled in on first use: a corpus has few distinct document frequencies."""
    return _IdfTable(n)


@lru_cache(maxsize=4)
def _phrase_scores_for(n: int) -> dict:
    """Return a store for English and Vietnamese ranking scores in a corpus of n texts:
    (count, document frequency, words the bonus weighs, 1 for none) -> negated rounded score."""
    return {}


class _IdfTable(dict):
    """df -> tfidf.idf(n, df), each value computed once; reading it is a plain dict lookup."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def __missing__(self, df: int) -> float:
        value = self[df] = tfidf.idf(self.n, df)
        return value

