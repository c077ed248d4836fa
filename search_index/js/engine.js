/* The search engine in the browser: rebuilds the lunr.Index from the compact index script and runs
 * planned queries (js/query.js) against it.
 *
 * The index is rebuilt with `new lunr.Index(...)`, not lunr.Index.load, and its pipeline is empty:
 * a serialised pipeline names functions the browser would have to register, and terms arrive
 * analysed anyway. Field vectors are recomputed from term frequencies with lunr's own BM25 formula
 * (same k1, b and boosts as search_index/builder.py), which keeps the download small.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"), require("./analyze.js"), require("./query.js"));
  } else {
    root.BibEngine = factory(root.lunr, root.BibAnalyze, root.BibQuery);
  }
})(typeof self !== "undefined" ? self : this, function (lunr, BibAnalyze, BibQuery) {
  "use strict";

  /* lunr's TokenSet.intersect compares every query edge with every index edge; with a Chinese
   * vocabulary the trie's root has tens of thousands of edges, so each query term cost
   * milliseconds. Looking non-wildcard edges up directly gives the same set (tested in
   * tests/test_search_engine.py) in microseconds. */
  var originalIntersect = lunr.TokenSet.prototype.intersect;
  function fastIntersect(b) {
    var output = new lunr.TokenSet();
    var stack = [{ qNode: b, output: output, node: this }];
    while (stack.length) {
      var frame = stack.pop();
      var qEdges = Object.keys(frame.qNode.edges);
      for (var q = 0; q < qEdges.length; q++) {
        var qEdge = qEdges[q];
        var nEdges = qEdge === "*" ? Object.keys(frame.node.edges)
          : (Object.prototype.hasOwnProperty.call(frame.node.edges, qEdge) ? [qEdge] : []);
        for (var n = 0; n < nEdges.length; n++) {
          var nEdge = nEdges[n];
          var node = frame.node.edges[nEdge], qNode = frame.qNode.edges[qEdge];
          var final = node.final && qNode.final, next;
          if (nEdge in frame.output.edges) {
            next = frame.output.edges[nEdge];
            next.final = next.final || final;
          } else {
            next = new lunr.TokenSet();
            next.final = final;
            frame.output.edges[nEdge] = next;
          }
          stack.push({ qNode: qNode, output: next, node: node });
        }
      }
    }
    return output;
  }
  lunr.TokenSet.prototype.intersect = fastIntersect;

  /* lunr scores each matching record with queryVector.dot(recordVector), walking both sorted
   * arrays; a record's vector holds hundreds of terms and the query's a handful, so walking the
   * short one and binary-searching the long one is much cheaper. Products are added in the same
   * index order, so the sum is bit-for-bit the same (tested). */
  var originalDot = lunr.Vector.prototype.dot;
  function fastDot(otherVector) {
    var a = this.elements, b = otherVector.elements;
    if (a.length * 8 > b.length && b.length * 8 > a.length) return originalDot.call(this, otherVector);
    var small = a.length <= b.length ? a : b, large = small === a ? b : a;
    var dotProduct = 0, lo = 0, hi = large.length >> 1;
    for (var i = 0; i < small.length; i += 2) {
      var key = small[i], l = lo, h = hi;
      while (l < h) {
        var mid = (l + h) >> 1;
        if (large[mid * 2] < key) l = mid + 1; else h = mid;
      }
      if (l < hi && large[l * 2] === key) dotProduct += a === small ? small[i + 1] * large[l * 2 + 1] : large[l * 2 + 1] * small[i + 1];
      lo = l;
    }
    return dotProduct;
  }
  lunr.Vector.prototype.dot = fastDot;

  /* Returns a lunr.Index equal to the one lunr.py builds from the same counts (builder.lunr_index).
   *
   * Field vectors are computed up front from the integer postings. The inverted index's posting
   * objects ({field: {ref: metadata}}) are only made when lunr first looks a term up: making all of
   * them at 5,000 records took over a second, most of it spent in sparse-key objects. */
  function buildIndex(data) {
    var fields = data.fields.map(function (f) { return f[0]; });
    var boosts = data.fields.map(function (f) { return f[1]; });
    var n = data.lengths.length, k1 = data.k1, b = data.b;
    var avg = fields.map(function (_, f) {
      var sum = 0;
      for (var r = 0; r < n; r++) sum += data.lengths[r][f];
      return n ? sum / n : 0;
    });
    var termIndex = Object.create(null);
    // One flat [termIndex, weight, ...] array per field and record, filled in term order so each
    // is already sorted as lunr.Vector requires.
    var vectors = fields.map(function () { var a = new Array(n); for (var r = 0; r < n; r++) a[r] = []; return a; });
    var f, i, v, ordinal, tf;
    for (var t = 0; t < data.terms.length; t++) {
      termIndex[data.terms[t]] = t;
      var lists = data.postings[t];
      var df = 0;
      for (f = 0; f < fields.length; f++) {
        for (i = 0; i < lists[f].length; i++) { df++; if (lists[f][i] & 1) i++; }
      }
      // lunr.idf, which counts a record once per field it appears in
      var idf = Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)));
      for (f = 0; f < fields.length; f++) {
        var list = lists[f], vf = vectors[f];
        ordinal = 0;
        for (i = 0; i < list.length; i++) {
          v = list[i];
          ordinal += v >> 1;
          tf = (v & 1) ? list[++i] : 1;
          var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (data.lengths[ordinal][f] / avg[f])) + tf) * boosts[f];
          vf[ordinal].push(t, Math.round(score * 1000) / 1000);
        }
      }
    }
    var fieldVectors = Object.create(null);
    fields.forEach(function (field, f) {
      for (var r = 0; r < n; r++) fieldVectors[field + "/" + r] = new lunr.Vector(vectors[f][r]);
    });
    var noMetadata = {};  // lunr copies metadata out of postings and never writes to it
    function posting(t) {
      var out = { _index: t };
      for (var f = 0; f < fields.length; f++) {
        var refs = {}, list = data.postings[t][f], ordinal = 0;
        for (var i = 0; i < list.length; i++) {
          ordinal += list[i] >> 1;
          if (list[i] & 1) i++;
          refs[ordinal] = noMetadata;
        }
        out[fields[f]] = refs;
      }
      return out;
    }
    var made = Object.create(null);
    var invertedIndex = new Proxy(made, {
      get: function (target, term) {
        if (typeof term !== "string") return undefined;
        if (term in target) return target[term];
        var t = termIndex[term];
        return t === undefined ? undefined : (target[term] = posting(t));
      },
      has: function (target, term) { return typeof term === "string" && term in termIndex; }
    });
    var index = new lunr.Index({
      invertedIndex: invertedIndex,
      fieldVectors: fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(data.terms),
      fields: fields,
      pipeline: new lunr.Pipeline()
    });
    index.termIndex = termIndex;
    return index;
  }

  /* Returns {has, containing} over the index terms; containing() finds longer Han terms that
   * hold a text, through a character-bigram table built on first use. */
  function createVocab(data, analyzer, termIndex) {
    var bigrams = null;
    function buildBigrams() {
      bigrams = new Map();
      data.terms.forEach(function (t) {
        var chars = Array.from(t);
        if (chars.length < 3 || !analyzer.isHan(chars[0])) return;
        var seen = new Set();
        for (var i = 0; i + 1 < chars.length; i++) {
          var bg = chars[i] + chars[i + 1];
          if (seen.has(bg)) continue;
          seen.add(bg);
          if (!bigrams.has(bg)) bigrams.set(bg, []);
          bigrams.get(bg).push(t);
        }
      });
    }
    return {
      has: function (t) { return t in termIndex; },
      containing: function (text) {
        var chars = Array.from(text);
        if (chars.length < 2) return [];
        if (!bigrams) buildBigrams();
        var candidates = bigrams.get(chars[0] + chars[1]) || [];
        return candidates.filter(function (t) { return t !== text && t.indexOf(text) >= 0; })
          .sort(function (x, y) { return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0); });
      }
    };
  }

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* Returns a predicate telling whether a record's matched terms (lunr's matchData.metadata, an
   * object keyed by index term) satisfy one term spec. */
  function termTest(spec) {
    if (!spec.wildcard) return function (matched) { return spec.term in matched; };
    var re = new RegExp("^" + (spec.wildcard & BibQuery.LEADING ? ".*" : "") + escapeRegExp(spec.term) +
                        (spec.wildcard & BibQuery.TRAILING ? ".*" : "") + "$", "u");
    return function (matched) {
      for (var t in matched) { if (re.test(t)) return true; }
      return false;
    };
  }

  /* Returns true when keys occur consecutively among the phrase keys of the record's text. */
  function hasPhrase(analyzer, texts, keys) {
    for (var i = 0; i < texts.length; i++) {
      var seq = [];
      analyzer.runs(texts[i]).forEach(function (r) {
        if (r.kind === "han") Array.from(r.text).forEach(function (c) { seq.push(c); });
        else seq.push(analyzer.wordTerm(r.text));
      });
      outer: for (var s = 0; s + keys.length <= seq.length; s++) {
        for (var k = 0; k < keys.length; k++) { if (seq[s + k] !== keys[k]) continue outer; }
        return true;
      }
    }
    return false;
  }

  /* Returns the engine for one loaded index script (window.__BIB_INDEX__). */
  function createEngine(data) {
    var analyzer = BibAnalyze.createAnalyzer(data.rules, data.ts);
    var index = buildIndex(data);
    var vocab = createVocab(data, analyzer, index.termIndex);
    var planner = BibQuery.createPlanner(analyzer, vocab, data.entities, data.rules);
    var records = data.records.map(function (r, ordinal) {
      return { ordinal: ordinal, id: r[0], type: r[1], lang: r[2], langs: r[3], title: r[4], url: r[5] };
    });

    function passesFilters(record, options) {
      if (options.type && record.type !== options.type) return false;
      if (options.lang && record.langs.indexOf(options.lang) < 0) return false;
      return true;
    }

    function runLunr(specs) {
      if (!specs.length) return [];
      return index.query(function (q) {
        specs.forEach(function (s) {
          q.term(s.term, { boost: s.boost, wildcard: s.wildcard || lunr.Query.wildcard.NONE,
                           usePipeline: false, presence: lunr.Query.presence.OPTIONAL });
        });
      });
    }

    function collectSpecs(clauses) {
      var byKey = new Map();
      clauses.forEach(function (c) {
        c.parts.forEach(function (p) {
          p.alts.forEach(function (a) {
            a.terms.forEach(function (t) {
              var key = t.wildcard + "\u0000" + t.term;
              var seen = byKey.get(key);
              if (!seen || seen.boost < t.boost) byKey.set(key, t);
              t.test = t.test || termTest(t);
            });
          });
        });
      });
      return Array.from(byKey.values());
    }

    function satisfied(clause, matched, literalOnly, getTexts, state) {
      var parts = clause.need || (clause.need = clause.stop ? clause.parts : clause.parts.filter(function (p) { return !p.stop; }));
      var ok = true;
      for (var i = 0; ok && i < parts.length; i++) {
        var alts = parts[i].alts, any = false;
        for (var j = 0; !any && j < alts.length; j++) {
          if (literalOnly && !alts[j].literal) continue;
          var terms = alts[j].terms, all = true;
          for (var k = 0; all && k < terms.length; k++) all = terms[k].test(matched);
          any = all;
        }
        ok = any;
      }
      if (ok && clause.phrase && clause.phrase.length > 1) {
        var texts = getTexts();
        if (!texts) { state.pending = true; return true; }
        ok = hasPhrase(analyzer, texts, clause.phrase);
      }
      return ok;
    }

    /* Returns {results, expanded, pending}: results sorted best first, each {record, score,
     * coverage, literal, matched (lunr's matched terms, for highlighting)}; pending when phrases
     * await record text. */
    function search(query, options) {
      options = options || {};
      var getDoc = options.getDoc || function () { return undefined; };
      var p = planner.plan(query, { exact: options.exact });
      var out = { results: [], expanded: p.expanded, pending: false, clauses: p.clauses };
      if (p.matchAll) {
        out.results = records.filter(function (r) { return passesFilters(r, options); })
          .map(function (r) { return { record: r, score: 0, coverage: 0, literal: 0, matched: {} }; });
        return out;
      }
      var positives = p.clauses.filter(function (c) { return c.presence !== "not"; });
      var negatives = p.clauses.filter(function (c) { return c.presence === "not"; });
      var strong = positives.filter(function (c) { return !c.stop; });
      var needed = strong.length ? strong : positives;
      var hasPhrases = p.clauses.some(function (c) { return c.phrase && c.phrase.length > 1; });
      var hits = runLunr(collectSpecs(p.clauses));
      var state = { pending: false };
      var byOrdinal = new Map();
      hits.forEach(function (h) { byOrdinal.set(Number(h.ref), h); });

      function textsOf(record) {
        return function () {
          var blocks = getDoc(record.ordinal);
          return blocks ? [record.title].concat(blocks.map(function (b) { return b[1]; })) : undefined;
        };
      }

      var candidates = positives.length ? Array.from(byOrdinal.keys()).map(function (o) { return records[o]; }) : records;
      candidates.forEach(function (record) {
        if (!passesFilters(record, options)) return;
        var hit = byOrdinal.get(record.ordinal);
        var matched = hit ? hit.matchData.metadata : {};
        var getTexts = hasPhrases ? textsOf(record) : null;
        var rowState = { pending: false };
        if (negatives.some(function (c) { return satisfied(c, matched, false, getTexts, {}); })) return;
        if (!positives.every(function (c) { return c.presence !== "must" || satisfied(c, matched, false, getTexts, rowState); })) return;
        var coverage = 0, literal = 0, anyNeeded = false;
        positives.forEach(function (c) {
          if (satisfied(c, matched, false, getTexts, rowState)) {
            coverage++;
            if (needed.indexOf(c) >= 0) anyNeeded = true;
            if (satisfied(c, matched, true, getTexts, {})) literal++;
          }
        });
        if (positives.length && !anyNeeded) return;
        if (rowState.pending) state.pending = true;
        out.results.push({ record: record, score: hit ? hit.score : 0, coverage: coverage, literal: literal, matched: matched });
      });
      out.results.sort(function (x, y) {
        return y.literal - x.literal || y.coverage - x.coverage || y.score - x.score || x.record.ordinal - y.record.ordinal;
      });
      out.pending = state.pending;
      return out;
    }

    /* Returns the set of index terms to highlight in a result: the terms of the alternatives
     * that it satisfied, not every term lunr matched (an expanded name's common words). */
    function highlightTerms(outcome, result) {
      var show = new Set();
      var matched = result.matched;
      outcome.clauses.forEach(function (c) {
        if (c.presence === "not") return;
        c.parts.forEach(function (p) {
          p.alts.forEach(function (a) {
            if (!a.terms.every(function (t) { return t.test(matched); })) return;
            a.terms.forEach(function (t) {
              if (!t.wildcard) { show.add(t.term); return; }
              for (var k in matched) { if (t.test({ [k]: true })) show.add(k); }
            });
          });
        });
      });
      return show;
    }

    return { search: search, highlightTerms: highlightTerms, records: records, analyzer: analyzer,
             planner: planner, index: index, vocab: vocab };
  }

  return { createEngine: createEngine, buildIndex: buildIndex, fastIntersect: fastIntersect,
           originalIntersect: originalIntersect, fastDot: fastDot, originalDot: originalDot, hasPhrase: hasPhrase };
});
