"""Similar records ("相似文献"): for each record, the others closest to it by TF-IDF cosine over its
segmented terms, with shared entities (SCO, Russia, …) counted as features every language shares.

Pure Python, and exact: the lists are those of comparing every record with every other (tests prove
it against a brute-force cosine), found without doing so. Term vectors are sparse dicts scored over an
inverted index, so only pairs that share a term are ever touched. Entities are handled apart: a few of
them (China, the SCO) occur in most records, and pairing every record with every other that shares one
would cost n² operations. Records with the same entity set (and norm) score alike against any record, so
they form a group; the best entity-only matches of a group are looked for among the groups one step away
(one entity more, less or swapped), and further only when a bound says a group further away could still
enter the list (_EntityRanking). On the realistic corpus (tests/bench_similar.py, CPU seconds and
memory added) this takes 2.7 s and 47 MB at 5,000 abstracts, 16.5 s and 155 MB at 20,000, where ranking
every group against every other took 5.0 s and 337 MB, 40.3 s and 1.86 GB. What is left grows with the
term postings (a record's 30 strongest terms are shared by more records as the collection grows).
"""
from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from itertools import chain
from operator import itemgetter

from . import tfidf

# Per record, only the strongest terms take part: weak terms barely move a cosine, and it is a
# common term's posting list that makes an inverted index slow (its cost grows with df²).
MAX_TERMS = 30
# A term in more than this share of records (and in more than MIN_DF_CUT records) is left out: its
# low IDF barely moves a score, and its posting list would cost df² operations. Small corpora keep all.
MAX_DF = 0.02
MIN_DF_CUT = 100
# Scores are rounded before ranking so that float noise never decides a tie; ties go to the lower id.
DIGITS = 9


def similar(records_terms: dict, records_entities: dict | None = None, k: int = 5,
            entity_weight: float = 1.0) -> dict:
    """Return {id: [up to k other ids, most similar first]} for every id in records_terms.

    records_terms maps a record id to its segmented terms (repeats count), or to {term: count};
    records_entities maps an id
    to its entity slugs. Each record's vector is its unit TF-IDF term vector joined with its unit
    IDF-weighted entity vector scaled by entity_weight, and records are compared by cosine: an English and
    a Chinese abstract about the same organisation alone score entity_weight² / (1 + entity_weight²).
    Records sharing nothing with a record are never listed, even if fewer than k remain: padding with
    unrelated records would mislead readers. Ordering: score descending, then id ascending (compared as
    text), so the same input always gives the same output.
    """
    records_entities = records_entities or {}
    ids = sorted(records_terms, key=str)
    if k <= 0:
        return {doc_id: [] for doc_id in ids}
    terms = _term_vectors(ids, records_terms)
    w2 = entity_weight * entity_weight
    entities, entity_idf = _entity_vectors(ids, records_entities if w2 > 0 else {})
    # Cosine needs each whole vector's length; both parts are unit length (or empty) before scaling.
    norm = {i: math.sqrt((1.0 if terms[i] else 0.0) + (w2 if entities[i] else 0.0)) for i in ids}

    # From here on a record is named by its place in ids (id order): small ints hash fast and index lists.
    place = {doc_id: p for p, doc_id in enumerate(ids)}
    norms = [norm[doc_id] for doc_id in ids]
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for p, doc_id in enumerate(ids):
        for term, weight in terms[doc_id]:
            postings[term].append((p, weight))

    groups = _groups(ids, entities, norm)
    keys = list(groups)
    members = [[place[doc_id] for doc_id in groups[key]] for key in keys]
    group_of = [0] * len(ids)
    for g, places in enumerate(members):
        for p in places:
            group_of[p] = g
    ranking = _EntityRanking(keys, [entities[groups[key][0]] for key in keys], entity_idf, w2)

    # Records are scored group by group, so each group's entity scores are worked out once and dropped after.
    by_group: dict = defaultdict(list)
    for p in range(len(ids)):
        by_group[group_of[p]].append(p)
    lists = {}
    for g, places in by_group.items():
        against = ranking.against(g)
        near = ranking.near(g)
        for p in places:
            scores: dict = {}
            get = scores.get
            for term, weight in terms[ids[p]]:
                for other, other_weight in postings[term]:
                    scores[other] = get(other, 0.0) + weight * other_weight
            scores.pop(p, None)
            scale = 1.0 / norms[p] if scores else 0.0
            totals = {o: s * scale / norms[o] + against[group_of[o]] for o, s in scores.items()}
            candidates = _shortlist(totals, k, ids)
            candidates += ranking.entity_only(g, near, p, members, scores, k, ids)
            # Ranking tuples are distinct (one per record), so sorted()[:k] is heapq.nsmallest(k, ...).
            lists[p] = [o for score, _, o in sorted(candidates)[:k] if score < 0]
    return {ids[p]: lists[p] for p in range(len(ids))}


def _term_vectors(ids, records_terms) -> dict:
    """Return id -> [(term, weight)]: unit-length sublinear TF-IDF over the strongest MAX_TERMS terms."""
    n = len(ids)
    # A record's terms may come counted already ({term: count}); they are only read here.
    counts = {doc_id: terms if isinstance(terms, dict) else Counter(terms)
              for doc_id, terms in ((doc_id, records_terms[doc_id]) for doc_id in ids)}
    df = Counter(chain.from_iterable(counts.values()))
    blanks = {term for term in df if not (term and term.strip())}  # checked once per distinct term
    if blanks:
        for term in blanks:
            del df[term]
        counts = {doc_id: {t: c for t, c in count.items() if t not in blanks} for doc_id, count in counts.items()}
    max_df = max(MIN_DF_CUT, MAX_DF * n)
    # A corpus has few distinct counts and document frequencies: their logarithms are computed once,
    # and each term under the cut gets its IDF once, not once per record that uses it.
    tf_weight = _TfWeights()
    idf = {d: tfidf.idf(n, d) for d in set(df.values())}
    kept = {term: idf[d] for term, d in df.items() if d <= max_df}
    vectors = {}
    for doc_id in ids:
        count = counts[doc_id]
        # Most of a record's words are common ones above the cut: the set intersection drops them in C.
        ranked = sorted([(-(tf_weight[count[term]] * kept[term]), term) for term in kept.keys() & count.keys()])
        strongest = ranked[:MAX_TERMS]  # heaviest first, ties by term
        # Unit length as _unit() makes it: squares summed heaviest first.
        length = math.sqrt(sum([negated * negated for negated, _ in strongest]))
        vectors[doc_id] = sorted([(term, -negated / length) for negated, term in strongest]) if length else []
    return vectors


class _TfWeights(dict):
    """count -> 1 + log(count), each computed once, when first read."""

    def __missing__(self, count):
        value = self[count] = tfidf.tf(count)
        return value


def _entity_vectors(ids, records_entities) -> tuple[dict, dict]:
    """Return (id -> {slug: weight}, slug -> IDF): unit-length IDF weights of each record's entities.

    Records with the same entities share one vector (read, never changed)."""
    n = len(ids)
    sets = {doc_id: tuple(sorted(set(records_entities.get(doc_id) or ()))) for doc_id in ids}
    df = Counter(slug for slugs in sets.values() for slug in slugs)
    idf = {slug: tfidf.idf(n, d) for slug, d in df.items()}
    made: dict = {}
    vectors = {}
    for doc_id in ids:
        slugs = sets[doc_id]
        if slugs not in made:
            made[slugs] = _unit({slug: idf[slug] for slug in slugs})
        vectors[doc_id] = made[slugs]
    return vectors, idf


def _groups(ids, entities, norm) -> dict:
    """Return (entity set, norm) -> member ids in id order: records that score alike on entities."""
    groups: dict = defaultdict(list)
    for doc_id in ids:  # ids are sorted, so members are too
        groups[(tuple(sorted(entities[doc_id])), norm[doc_id])].append(doc_id)
    return groups


class _EntityRanking:
    """Entity scores between groups (records with the same entity set and norm, numbered by their place
    in keys), and each group's best-scoring others, looked for first among its neighbours.

    There are few entities (27 in the seed table) but, as a collection grows, ever more distinct sets
    of them: ranking every group against every other costs groups² (26% of a one-new rebuild at 20,000
    records). A group's best matches are the sets one step from its own (the same set, one entity less
    or more, or one swapped for another); every set further away scores at most a bound worked out from
    the IDFs (Cauchy-Schwarz), so when the k-th record found nearby beats it, the nearby list is the
    exact answer, and only when it does not are all groups ranked.
    """

    def __init__(self, keys, vectors, idf, w2):
        self.keys, self.vectors, self.w2 = keys, vectors, w2
        self.idf2 = {slug: value * value for slug, value in idf.items()}
        self.by_set: dict = defaultdict(list)  # entity set -> its groups (one per norm)
        # slug -> the groups whose set holds it, by the IDF² sum of their set (mass), and those masses
        self.by_entity: dict = defaultdict(list)
        mass = [sum(self.idf2[slug] for slug in slugs) for slugs, _ in keys]
        for g in sorted(range(len(keys)), key=lambda g: (mass[g], g)):
            self.by_set[keys[g][0]].append(g)
            for slug in keys[g][0]:
                self.by_entity[slug].append(g)
        self.masses = {slug: [mass[g] for g in groups] for slug, groups in self.by_entity.items()}
        self.all_slugs = sorted(self.idf2)
        self.least_norm = min((norm for slugs, norm in keys if slugs), default=1.0)
        self.fallbacks = 0  # records whose nearby list was not enough (read by tests/bench_similar.py)
        self._pool: tuple = (None, 0.0, [])  # (g, floor, _pool_above(g, floor)): records come group by group

    def score(self, g, h) -> float:
        """Return the entity part of the cosine between a record of group g and one of group h."""
        slugs, own_norm = self.keys[g]
        own, other = self.vectors[g], self.vectors[h]
        dot = 0.0
        for slug in slugs:  # summed in slug order, so score(g, h) is the same float however it is reached
            if slug in other:
                dot += own[slug] * other[slug]
        return self.w2 * dot / (own_norm * self.keys[h][1]) if dot > 0 else 0.0

    def against(self, g) -> dict:
        """Return group -> score(g, group), each computed when first read."""
        return _Scores(self, g)

    def near(self, g) -> tuple[list, float]:
        """Return ([(group, score)] best first for the groups one step from g's set, with a score > 0;
        the most any other group can score)."""
        slugs = self.keys[g][0]
        if not slugs:
            return [], 0.0
        own = set(slugs)
        others = [slug for slug in self.all_slugs if slug not in own]
        fewer = [tuple(s for s in slugs if s != gone) for gone in slugs]
        sets = {slugs, *fewer, *(tuple(sorted((*base, extra))) for base in [slugs, *fewer] for extra in others)}
        ranked = [(h, score) for near_set in sorted(sets) for h in self.by_set.get(near_set, ())
                  if (score := self.score(g, h)) > 0]
        ranked.sort(key=itemgetter(1), reverse=True)
        return ranked, self._bound(g, slugs, others)

    def _bound(self, g, slugs, others) -> float:
        """Return the most score(g, h) can be for a group h two or more steps away (two of g's entities
        missing, or two more): with I, A, B the IDF² sums of the shared, missing and extra entities, the
        cosine is I / sqrt((I + A)(I + B)), which falls as A or B grows, so the two least IDFs bound it."""
        own = sorted(self.idf2[slug] for slug in slugs)
        extra = sorted(self.idf2[slug] for slug in others)[:2]
        total = sum(own)
        cosines = [0.0]
        if len(own) >= 3:
            cosines.append(math.sqrt((total - own[0] - own[1]) / total))
        if len(extra) == 2:
            cosines.append(math.sqrt(total / (total + extra[0] + extra[1])))
        return self.w2 * max(cosines) / (self.keys[g][1] * self.least_norm)

    def entity_only(self, g, near, p, members, term_scored, k, ids) -> list:
        """Return ranking tuples for the best records that share entities with the record at place p
        (of group g) but no term (term_scored: the places of those that share a term); near is near(g)."""
        ranked, bound = near
        out = _entity_only(p, ranked, members, term_scored, k, ids)
        if bound == 0 or (len(out) >= k and -out[k - 1][0] > bound + 1e-9):
            return out  # no group further away can score more than the k-th found (after rounding)
        # A score 1e-9 under the k-th found rounds below it: such groups cannot enter the top k.
        floor = -out[k - 1][0] - 1e-9 if len(out) >= k else 0.0
        cached_g, cached_floor, pool = self._pool
        if cached_g != g or floor < cached_floor:
            pool = self._pool_above(g, floor)
            self._pool = (g, floor, pool)
        self.fallbacks += 1
        return _entity_only(p, pool, members, term_scored, k, ids)

    def _pool_above(self, g, floor) -> list:
        """Return [(group, score)] best first for every group that may score floor or more against g.

        A group h scores w2 I / sqrt(G H) / (norm_g norm_h), with G, H the IDF² sums of the two sets and
        I that of the entities they share; since I ≤ H, reaching floor needs I ≥ c² G, c = floor norm_g
        least_norm / w2. So h must share one of the entities left when g's commonest entities (lowest IDF)
        are set aside while their IDF² sum stays under c² G: rare entities, with short lists of groups."""
        slugs, own_norm = self.keys[g]
        total = sum(self.idf2[slug] for slug in slugs)
        c = floor * own_norm * self.least_norm / self.w2
        allowed = c * c * total * (1 - 1e-9)
        rarest_last = sorted(slugs, key=lambda slug: (self.idf2[slug], slug))
        kept, set_aside = [], 0.0
        for slug in rarest_last:
            if not kept and set_aside + self.idf2[slug] < allowed:
                set_aside += self.idf2[slug]
            else:
                kept.append(slug)
        # And since I ≤ min(G, H), its set's mass H lies between c² G and G / c².
        lowest, highest = c * c * total * (1 - 1e-9), total / (c * c) * (1 + 1e-9) if c > 0 else math.inf
        seen = set()
        for slug in kept:
            masses = self.masses[slug]
            seen.update(self.by_entity[slug][bisect.bisect_left(masses, lowest):bisect.bisect_right(masses, highest)])
        seen = sorted(seen)
        ranked = [(h, score) for h in seen if (score := self.score(g, h)) > 0]
        ranked.sort(key=itemgetter(1), reverse=True)
        return ranked


class _Scores(dict):
    """group -> _EntityRanking.score(g, group), filled in as groups are read."""

    def __init__(self, ranking, g):
        super().__init__()
        self.ranking, self.g = ranking, g

    def __missing__(self, h):
        value = self[h] = self.ranking.score(self.g, h)
        return value


def _shortlist(totals: dict, k: int, ids) -> list:
    """Return ranking tuples (-score, id text, id) for the records that may make the top k of totals
    (place in ids -> score)."""
    if len(totals) > k:
        # Cheap pass on raw floats first; the exact (rounded, id) ordering is only needed near the cut.
        values = sorted(totals.values())
        cut = values[-k] - 2 * 10 ** -DIGITS  # the k-th largest, as heapq.nlargest(k, ...)[-1] gives it
    else:
        cut = -math.inf  # every record may make the top k
    return [(-round(s, DIGITS), str(ids[o]), ids[o]) for o, s in totals.items() if s >= cut]


def _entity_only(p, ranked_groups, members, term_scored, k, ids) -> list:
    """Return ranking tuples for the best records that share entities with the record at place p but no
    term (term_scored: the places of those that share a term). ranked_groups: [(group, entity score)],
    best first."""
    out = []
    for g, score in ranked_groups:
        rounded = -round(score, DIGITS)
        if len(out) >= k and rounded > out[k - 1][0]:
            break  # groups come best first: nothing further can enter the top k
        taken = 0
        for other in members[g]:  # members in id order: the first few are the only ones that can win
            if other != p and other not in term_scored:
                out.append((rounded, str(ids[other]), ids[other]))
                taken += 1
                if taken == k:
                    break
        out.sort()
    return out


def _unit(weights: dict) -> dict:
    """Return weights scaled to Euclidean length 1 (empty stays empty)."""
    length = math.sqrt(sum(w * w for w in weights.values()))
    return {key: w / length for key, w in weights.items()} if length else {}
