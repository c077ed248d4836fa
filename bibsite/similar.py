"""Similar records ("相似文献"): for each record, the others closest to it by TF-IDF cosine over its
segmented terms, with shared entities (SCO, Russia, …) counted as features every language shares.

Pure Python. Term vectors are sparse dicts scored over an inverted index, so only pairs that share a
term are ever touched. Entities are handled apart: a few of them (China, the SCO) occur in most records
of this corpus, and pairing every record with every other that shares one would cost n² operations.
Records with the same entity set score the same against any record, so they are scored once per set.
"""
from __future__ import annotations

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
            entity_weight: float = 1.0, part: tuple[int, int] = (0, 1)) -> dict:
    """Return {id: [up to k other ids, most similar first]} for every id in records_terms.

    part (i, n) limits the answer to the i-th of n interleaved shares of the ids (in sorted order),
    so that n processes can share the work; each share's lists are what the whole run gives.

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
    entities = _entity_vectors(ids, records_entities if w2 > 0 else {})
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
    vectors = [entities[groups[key][0]] for key in keys]  # members share their entity vector
    by_entity: dict = defaultdict(list)
    for g, key in enumerate(keys):
        for slug in key[0]:
            by_entity[slug].append(g)
    ranked_groups: dict = {}

    result = {}
    for p in range(len(ids))[part[0]::part[1]]:
        doc_id = ids[p]
        scores: dict = {}
        get = scores.get
        for term, weight in terms[doc_id]:
            for other, other_weight in postings[term]:
                scores[other] = get(other, 0.0) + weight * other_weight
        scores.pop(p, None)

        g = group_of[p]
        if g not in ranked_groups:
            ranked = _rank_groups(g, keys, by_entity, vectors, w2)
            score_of = [0.0] * len(keys)  # by group: its entity score against group g
            for other_group, score in ranked:
                score_of[other_group] = score
            ranked_groups[g] = ([(other_group, -round(score, DIGITS)) for other_group, score in ranked], score_of)
        ranked, score_of = ranked_groups[g]
        scale = 1.0 / norms[p] if scores else 0.0
        totals = {o: s * scale / norms[o] + score_of[group_of[o]] for o, s in scores.items()}
        candidates = _shortlist(totals, k, ids)
        candidates += _entity_only(p, ranked, members, scores, k, ids)
        # Ranking tuples are distinct (one per record), so sorted()[:k] is heapq.nsmallest(k, ...).
        result[doc_id] = [o for score, _, o in sorted(candidates)[:k] if score < 0]
    return result


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


def _entity_vectors(ids, records_entities) -> dict:
    """Return id -> {slug: weight}: unit-length IDF weights of the record's entities.

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
    return vectors


def _groups(ids, entities, norm) -> dict:
    """Return (entity set, norm) -> member ids in id order: records that score alike on entities."""
    groups: dict = defaultdict(list)
    for doc_id in ids:  # ids are sorted, so members are too
        groups[(tuple(sorted(entities[doc_id])), norm[doc_id])].append(doc_id)
    return groups


def _rank_groups(g, keys, by_entity, vectors, w2) -> list:
    """Return [(group, entity score)] for groups sharing an entity with group g, best first.

    Groups are numbered by their place in keys, each (entity set, norm); vectors holds their entity vectors."""
    slugs, own_norm = keys[g]
    own = vectors[g]
    dots: dict = defaultdict(float)
    for slug in slugs:
        for other in by_entity[slug]:
            dots[other] += own[slug] * vectors[other][slug]
    ranked = [(other, w2 * dot / (own_norm * keys[other][1])) for other, dot in dots.items() if dot > 0]
    # Best first by raw score; groups that tie are merged in id order by _entity_only, not here.
    ranked.sort(key=itemgetter(1), reverse=True)
    return ranked


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
    term (term_scored: the places of those that share a term). ranked_groups: [(group, negated rounded
    entity score)], best first."""
    out = []
    for g, rounded in ranked_groups:
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
