/* The search engine in the browser: scores planned queries (js/query.js) straight from the compact
 * index script (window.__BIB_INDEX__) with lunr's BM25.
 *
 * Nothing is unpacked at load: a term's postings string is decoded and weighted the first time a
 * query needs it (createStore), and createScorer gives what lunr.Index.query would give on the
 * lunr.Index of the same counts (buildIndex, which equals lunr.py's; both equalities are tested).
 * lunr.js still stems words (js/analyze.js) and expands wildcards (TokenSet).
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

  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz()";  // builder.DIGITS
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS.charCodeAt(d)] = d;
  var SEPARATOR = 32;  // builder.FIELD_SEPARATOR, a space

  /* Returns one term's postings string (builder.encode_postings) as typed arrays: docs (record
   * ordinals, ascending within each field) and tfs, field f's entries in starts[f]..starts[f+1]. */
  function decodePostings(text, fieldCount) {
    var docs = new Int32Array(text.length), tfs = new Int32Array(text.length);
    var starts = new Int32Array(fieldCount + 1);
    var n = 0, f = 0, ordinal = 0, value = 0, wantTf = false;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c === SEPARATOR) { starts[++f] = n; ordinal = 0; continue; }
      var digit = DIGIT[c];
      if (digit < 32) { value = value * 32 + digit; continue; }
      value = value * 32 + digit - 32;
      if (wantTf) {
        tfs[n - 1] = value;
        wantTf = false;
      } else {
        ordinal += value >> 1;
        docs[n] = ordinal;
        tfs[n++] = 1;
        wantTf = (value & 1) === 1;
      }
      value = 0;
    }
    while (f < fieldCount) starts[++f] = n;
    return { docs: docs.subarray(0, n), tfs: tfs.subarray(0, n), starts: starts };
  }

  /* Returns the index terms and their postings, decoded and weighted one term at a time, on first
   * use: {terms, fields, size, find(term) -> t | -1, entry(t) -> {docs, starts, weights}}. */
  function createStore(data) {
    var fields = data.fields.map(function (f) { return f[0]; });
    var boosts = data.fields.map(function (f) { return f[1]; });
    var F = fields.length, n = data.records ? data.records.length : data.lengths.length / F;
    var lengths = data.lengths, terms = data.terms, k1 = data.k1, b = data.b;
    var average = fields.map(function (_, f) {
      var sum = 0;
      for (var r = 0; r < n; r++) sum += lengths[r * F + f];
      return n ? sum / n : 0;
    });
    var entries = new Array(terms.length);

    function entry(t) {
      var e = entries[t];
      if (e) return e;
      e = decodePostings(data.postings[t], F);
      var df = e.docs.length;  // lunr.idf counts a record once per field it appears in
      var idf = Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)));
      var weights = new Float64Array(df), docs = e.docs, tfs = e.tfs;
      for (var f = 0; f < F; f++) {
        var avg = average[f], boost = boosts[f];
        for (var k = e.starts[f]; k < e.starts[f + 1]; k++) {
          // lunr.Builder's BM25 expression, term for term (the same double), rounded as it rounds
          var tf = tfs[k];
          var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lengths[docs[k] * F + f] / avg)) + tf) * boost;
          weights[k] = Math.round(score * 1000) / 1000;
        }
      }
      e.weights = weights;
      return (entries[t] = e);
    }

    // JavaScript compares strings by UTF-16 code units, the order builder.compact sorts terms in.
    function lowerBound(term) {
      var lo = 0, hi = terms.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (terms[mid] < term) lo = mid + 1; else hi = mid;
      }
      return lo;
    }

    function find(term) {
      var t = lowerBound(term);
      return t < terms.length && terms[t] === term ? t : -1;
    }

    return { terms: terms, fields: fields, size: n, find: find, lowerBound: lowerBound, entry: entry };
  }

  /* Returns a lunr.Index equal to the one lunr.py builds from the same counts (builder.lunr_index).
   *
   * The page does not use it: createScorer computes the same scores from the postings without
   * building every record's field vectors up front. Tests build it to check both (lunr.py's index
   * equals this one; the scorer's results equal this one's Index.query). */
  function buildIndex(data) {
    var store = createStore(data);
    var fields = store.fields, n = store.size, terms = data.terms;
    var vectors = fields.map(function () { var a = new Array(n); for (var r = 0; r < n; r++) a[r] = []; return a; });
    var invertedIndex = Object.create(null);
    for (var t = 0; t < terms.length; t++) {
      var e = store.entry(t), posting = { _index: t };
      for (var f = 0; f < fields.length; f++) {
        var refs = {};
        for (var k = e.starts[f]; k < e.starts[f + 1]; k++) {
          vectors[f][e.docs[k]].push(t, e.weights[k]);  // in term order, as lunr.Vector requires
          refs[e.docs[k]] = {};
        }
        posting[fields[f]] = refs;
      }
      invertedIndex[terms[t]] = posting;
    }
    var fieldVectors = Object.create(null);
    fields.forEach(function (field, f) {
      for (var r = 0; r < n; r++) fieldVectors[field + "/" + r] = new lunr.Vector(vectors[f][r]);
    });
    return new lunr.Index({
      invertedIndex: invertedIndex,
      fieldVectors: fieldVectors,
      tokenSet: lunr.TokenSet.fromArray(terms),
      fields: fields,
      pipeline: new lunr.Pipeline()
    });
  }

  /* Returns the scorer: run(specs) gives what lunr.Index.query gives for OPTIONAL clauses
   * {term, boost, wildcard} (usePipeline false), computed straight from the postings.
   *
   * Why not lunr.Index.query: it needs every record's field vectors built at load (0.5 s at 5,000
   * records) and spends ~5 µs per matching (record, field) in objects (MatchData, FieldRef
   * strings), 15 ms for a common word. This computes the same numbers in the same floating-point
   * order: query weights summed in clause order, each field's dot product summed in term-index
   * order and divided by the query vector's magnitude, field scores added in the order lunr first
   * meets each (field, record). tests/test_search_engine.py compares it with lunr.Index.query.
   * lunr still expands wildcards (TokenSet) and stems words; lunr.py builds the reference index. */
  function createScorer(store) {
    var F = store.fields.length, n = store.size, terms = store.terms;
    var LEADING = BibQuery.LEADING, TRAILING = BibQuery.TRAILING;

    /* Returns the index terms (ordinals) a clause expands to, in the order lunr's TokenSet
     * intersection lists them. Only the vocabulary's matching terms go into the TokenSet: a trie of
     * the whole vocabulary takes longer to build than most queries take, and the intersection's
     * order over a subset of the terms is the same (tested against the whole-vocabulary lunr.Index). */
    function expand(spec) {
      if (!spec.wildcard) {
        var t = store.find(spec.term);
        return t < 0 ? [] : [t];
      }
      var matching = [], i;
      if (!(spec.wildcard & LEADING)) {
        for (i = store.lowerBound(spec.term); i < terms.length && terms[i].startsWith(spec.term); i++) matching.push(i);
      } else {
        var test = spec.wildcard & TRAILING ? function (w) { return w.indexOf(spec.term) >= 0; }
          : function (w) { return w.endsWith(spec.term); };
        for (i = 0; i < terms.length; i++) { if (test(terms[i])) matching.push(i); }
      }
      if (matching.length < 2) return matching;
      var ordinalOf = new Map();
      var words = matching.map(function (m) { ordinalOf.set(terms[m], m); return terms[m]; });
      var pattern = (spec.wildcard & LEADING ? "*" : "") + spec.term + (spec.wildcard & TRAILING ? "*" : "");
      return lunr.TokenSet.fromArray(words).intersect(lunr.TokenSet.fromString(pattern)).toArray()
        .map(function (w) { return ordinalOf.get(w); });
    }

    /* Returns {count, docs, scores, slotOf, bits, words, expansions}: the count matching records
     * (docs[j], scores[j] for j < count), slotOf[ordinal] = j + 1 (0: no match), and bits[j * words
     * + (s >> 5)] telling which specs s record j matched. */
    function run(specs) {
      var expansions = specs.map(expand);
      var queryWeight = new Map();
      expansions.forEach(function (ts, s) {
        ts.forEach(function (t) {
          var w = queryWeight.get(t);
          queryWeight.set(t, w === undefined ? specs[s].boost : w + specs[s].boost);
        });
      });
      var ordered = Array.from(queryWeight.keys()).sort(function (x, y) { return x - y; });
      var sumOfSquares = 0;
      ordered.forEach(function (t) { var w = queryWeight.get(t); sumOfSquares += w * w; });
      var magnitude = Math.sqrt(sumOfSquares);

      var words = (specs.length + 31) >> 5;
      var slotOf = new Int32Array(n), docs = new Int32Array(n), seen = new Uint8Array(n), order = new Uint32Array(n);
      var bits = new Uint32Array(n * words);
      var count = 0, s, x, f, k, e, doc, j;
      // lunr's order: clauses, their terms, fields, records
      for (s = 0; s < specs.length; s++) {
        var word = s >> 5, bit = 1 << (s & 31);
        for (x = 0; x < expansions[s].length; x++) {
          e = store.entry(expansions[s][x]);
          for (f = 0; f < F; f++) {
            for (k = e.starts[f]; k < e.starts[f + 1]; k++) {
              doc = e.docs[k];
              j = slotOf[doc] - 1;
              if (j < 0) { j = count++; slotOf[doc] = count; docs[j] = doc; }
              if (!(seen[j] & (1 << f))) { order[j] |= (f + 1) << (4 * popcount(seen[j])); seen[j] |= 1 << f; }
              bits[j * words + word] |= bit;
            }
          }
        }
      }
      var sums = new Float64Array(count * F);
      for (x = 0; x < ordered.length; x++) {
        var qw = queryWeight.get(ordered[x]);
        e = store.entry(ordered[x]);
        for (f = 0; f < F; f++) {
          for (k = e.starts[f]; k < e.starts[f + 1]; k++) sums[(slotOf[e.docs[k]] - 1) * F + f] += qw * e.weights[k];
        }
      }
      var scores = new Float64Array(count);
      for (j = 0; j < count; j++) {
        var score = 0;
        for (var o = order[j]; o; o >>>= 4) score += sums[j * F + (o & 15) - 1] / magnitude || 0;
        scores[j] = score;
      }
      return { count: count, docs: docs, scores: scores, slotOf: slotOf, bits: bits, words: words, expansions: expansions };
    }

    /* Returns the index terms of spec s that record ordinal holds (lunr's matchData keys). */
    function matchedTerms(hits, s, ordinal) {
      var out = [];
      hits.expansions[s].forEach(function (t) {
        var e = store.entry(t);
        for (var f = 0; f < F; f++) {
          var lo = e.starts[f], hi = e.starts[f + 1];
          while (lo < hi) {
            var mid = (lo + hi) >> 1;
            if (e.docs[mid] < ordinal) lo = mid + 1; else hi = mid;
          }
          if (lo < e.starts[f + 1] && e.docs[lo] === ordinal) { out.push(terms[t]); return; }
        }
      });
      return out;
    }

    return { run: run, expand: expand, matchedTerms: matchedTerms };
  }

  /* Returns the positions 0..count-1 ordered by keys (descending), then scores (descending), then
   * position: per distinct key, a native sort of the distinct scores and a stable counting sort
   * into them. On a page whose code has not warmed up yet this is several times faster than a
   * comparator sort (the first search of thousands of results). */
  function rankOrder(count, keys, scores) {
    var out = new Int32Array(count), filled = 0, i;
    var distinctKeys = Array.from(new Set(keys.subarray(0, count))).sort(function (x, y) { return y - x; });
    distinctKeys.forEach(function (key) {
      var members = [];
      for (i = 0; i < count; i++) { if (keys[i] === key) members.push(i); }
      var sorted = Float64Array.from(members, function (m) { return scores[m]; }).sort();
      var bucketOf = new Map(), starts = [];
      for (i = sorted.length - 1; i >= 0; i--) {
        if (!bucketOf.has(sorted[i])) { bucketOf.set(sorted[i], starts.length); starts.push(0); }
        starts[bucketOf.get(sorted[i])]++;
      }
      for (var b = 0, at = filled; b < starts.length; b++) { var size = starts[b]; starts[b] = at; at += size; }
      members.forEach(function (m) { out[starts[bucketOf.get(scores[m])]++] = m; });
      filled += members.length;
    });
    return out;
  }

  function popcount(v) {
    var c = 0;
    for (; v; v &= v - 1) c++;
    return c;
  }

  /* Returns {has, containing, warm} over the index terms; containing() finds longer Han terms that
   * hold a text, through a character-bigram table that warm() builds (the page calls it when idle,
   * it takes ~40 ms at 5,000 records); until then it scans the terms (~1 ms a call). */
  function createVocab(store, analyzer) {
    var bigrams = null;
    function warm() {
      if (bigrams) return;
      var table = new Map();
      store.terms.forEach(function (t) {
        if (t.length < 3 || !analyzer.isHan(t)) return;  // isHan reads the first character
        var chars = Array.from(t);
        if (chars.length < 3) return;
        var seen = new Set();
        for (var i = 0; i + 1 < chars.length; i++) {
          var bg = chars[i] + chars[i + 1];
          if (seen.has(bg)) continue;
          seen.add(bg);
          var list = table.get(bg);
          if (list) list.push(t); else table.set(bg, [t]);
        }
      });
      bigrams = table;
    }
    function longerHanTerms(text) {
      var first = Array.from(text).slice(0, 2).join("");
      if (bigrams) return bigrams.get(first) || [];
      return store.terms.filter(function (t) {
        return t.length >= 3 && t.indexOf(text) >= 0 && analyzer.isHan(t) && Array.from(t).length >= 3;
      });
    }
    return {
      has: function (t) { return store.find(t) >= 0; },
      containing: function (text) {
        if (Array.from(text).length < 2) return [];
        return longerHanTerms(text).filter(function (t) { return t !== text && t.indexOf(text) >= 0; })
          .sort(function (x, y) { return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0); });
      },
      warm: warm
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
    var store = createStore(data);
    var scorer = createScorer(store);
    var vocab = createVocab(store, analyzer);
    var planner = BibQuery.createPlanner(analyzer, vocab, data.entities, data.rules);
    var patterns = data.url_patterns || {};
    var records = data.records.map(function (r, ordinal) {  // assets.record_row
      var pattern = patterns[r[1]];
      return { ordinal: ordinal, id: r[0], type: r[1], lang: r[2], langs: r[4] || [r[2]], title: r[3],
               url: r.length > 5 ? r[5] : pattern[0] + r[0] + pattern[1] };
    });

    function passesFilters(record, options) {
      if (options.type && record.type !== options.type) return false;
      if (options.lang && record.langs.indexOf(options.lang) < 0) return false;
      return true;
    }

    /* Returns the distinct {term, wildcard, boost} of the plan (the highest boost of each) and
     * numbers every plan term with its one: t.spec. */
    function collectSpecs(clauses) {
      var byKey = new Map(), specs = [];
      clauses.forEach(function (c) {
        c.parts.forEach(function (p) {
          p.alts.forEach(function (a) {
            a.terms.forEach(function (t) {
              var key = t.wildcard + "\u0000" + t.term;
              var s = byKey.get(key);
              if (s === undefined) {
                byKey.set(key, s = specs.length);
                specs.push({ term: t.term, wildcard: t.wildcard, boost: t.boost });
              } else if (specs[s].boost < t.boost) {
                specs[s].boost = t.boost;
              }
              t.spec = s;
            });
          });
        });
      });
      return specs;
    }

    // whether the record in slot j (of hits) holds the term (any of a wildcard's terms)
    function holds(hits, j, t) {
      return j >= 0 && ((hits.bits[j * hits.words + (t.spec >> 5)] >>> (t.spec & 31)) & 1) === 1;
    }

    /* Returns a clause as bit masks over the specs: for each part that must be satisfied, the
     * masks of its alternatives (an alternative is satisfied when the record holds all its terms),
     * and of its literal alternatives only. */
    function compile(clause, words) {
      function mask(terms) {
        var m = new Uint32Array(words);
        terms.forEach(function (t) { m[t.spec >> 5] |= 1 << (t.spec & 31); });
        return m;
      }
      var parts = clause.stop ? clause.parts : clause.parts.filter(function (p) { return !p.stop; });
      return {
        clause: clause,
        phrase: clause.phrase && clause.phrase.length > 1 ? clause.phrase : null,
        any: parts.map(function (p) { return p.alts.map(function (a) { return mask(a.terms); }); }),
        literal: parts.map(function (p) { return p.alts.filter(function (a) { return a.literal; }).map(function (a) { return mask(a.terms); }); })
      };
    }

    // whether row (bits[base .. base + words]) covers one of the masks
    function coversOne(masks, bits, base, words) {
      for (var i = 0; i < masks.length; i++) {
        var m = masks[i], w = 0;
        while (w < words && (bits[base + w] & m[w]) === m[w]) w++;
        if (w === words) return true;
      }
      return false;
    }

    function satisfied(compiled, literalOnly, bits, base, words, getTexts, state) {
      var parts = literalOnly ? compiled.literal : compiled.any;
      for (var i = 0; i < parts.length; i++) { if (!coversOne(parts[i], bits, base, words)) return false; }
      if (compiled.phrase) {
        var texts = getTexts();
        if (!texts) { state.pending = true; return true; }
        return hasPhrase(analyzer, texts, compiled.phrase);
      }
      return true;
    }

    /* A result: {record, score, coverage, literal, matched}. matched (the index terms the record
     * holds, lunr's matchData keys) is worked out only when read. */
    function Result(record, score, coverage, literal, hits, slot) {
      this.record = record;
      this.score = score;
      this.coverage = coverage;
      this.literal = literal;
      this.hits = hits;
      this.slot = slot;
    }
    Object.defineProperty(Result.prototype, "matched", {
      get: function () {
        var matched = {};
        for (var s = 0; this.hits && s < this.hits.expansions.length; s++) {
          if (holds(this.hits, this.slot, { spec: s })) {
            scorer.matchedTerms(this.hits, s, this.record.ordinal).forEach(function (t) { matched[t] = true; });
          }
        }
        return matched;
      }
    });

    /* Returns {results, expanded, pending, clauses}: results sorted best first (Result); pending
     * when phrases await record text. */
    function search(query, options) {
      options = options || {};
      var getDoc = options.getDoc || function () { return undefined; };
      var p = planner.plan(query, { exact: options.exact });
      var out = { results: [], expanded: p.expanded, pending: false, clauses: p.clauses };
      if (p.matchAll) {
        out.results = records.filter(function (r) { return passesFilters(r, options); })
          .map(function (r) { return new Result(r, 0, 0, 0, null, -1); });
        return out;
      }
      var positives = p.clauses.filter(function (c) { return c.presence !== "not"; });
      var negatives = p.clauses.filter(function (c) { return c.presence === "not"; });
      var strong = positives.filter(function (c) { return !c.stop; });
      var needed = strong.length ? strong : positives;
      var hasPhrases = p.clauses.some(function (c) { return c.phrase && c.phrase.length > 1; });
      var specs = collectSpecs(p.clauses);
      var hits = specs.length ? scorer.run(specs)
        : { count: 0, docs: [], scores: [], slotOf: new Int32Array(records.length), bits: [], words: 0, expansions: [] };
      var state = { pending: false }, noState = {};
      var words = Math.max(hits.words, 1), none = new Uint32Array(words);
      var compiledOf = function (c) { var k = compile(c, words); k.needed = needed.indexOf(c) >= 0; k.must = c.presence === "must"; return k; };
      var pos = positives.map(compiledOf), neg = negatives.map(compiledOf);

      function textsOf(record) {
        return function () {
          var blocks = getDoc(record.ordinal);
          return blocks ? [record.title].concat(blocks.map(function (b) { return b[1]; })) : undefined;
        };
      }

      /* Returns -1 when a record whose row of spec bits is bits[base ..] is left out, else
       * literal * 65536 + coverage (see search's sort). */
      function outcome(bits, base, getTexts, rowState) {
        var c;
        for (c = 0; c < neg.length; c++) { if (satisfied(neg[c], false, bits, base, words, getTexts, noState)) return -1; }
        var coverage = 0, literal = 0, anyNeeded = false;
        for (c = 0; c < pos.length; c++) {
          if (satisfied(pos[c], false, bits, base, words, getTexts, rowState)) {
            coverage++;
            if (pos[c].needed) anyNeeded = true;
            if (satisfied(pos[c], true, bits, base, words, getTexts, noState)) literal++;
          } else if (pos[c].must) {
            return -1;
          }
        }
        return pos.length && !anyNeeded ? -1 : literal * 65536 + coverage;
      }

      // Candidates in ordinal order; records with the same spec bits fare the same (phrases aside),
      // so each distinct row is judged once.
      var candidates = positives.length ? hits.docs.slice(0, hits.count).sort() : null;
      var total = candidates ? candidates.length : records.length;
      var keptOrdinal = new Int32Array(total), keptKey = new Int32Array(total), keptScore = new Float64Array(total);
      var kept = 0, judged = new Map(), filtered = Boolean(options.type || options.lang);
      for (var i = 0; i < total; i++) {
        var ordinal = candidates ? candidates[i] : i, record = records[ordinal];
        if (filtered && !passesFilters(record, options)) continue;
        var j = hits.slotOf[ordinal] - 1;
        var bits = j >= 0 ? hits.bits : none, base = j >= 0 ? j * words : 0, key;
        if (hasPhrases) {
          var rowState = { pending: false };
          key = outcome(bits, base, textsOf(record), rowState);
          if (key >= 0 && rowState.pending) state.pending = true;
        } else {
          var row = words === 1 ? bits[base] : Array.prototype.join.call(bits.subarray(base, base + words));
          key = judged.get(row);
          if (key === undefined) judged.set(row, key = outcome(bits, base, null, noState));
        }
        if (key < 0) continue;
        keptOrdinal[kept] = ordinal;
        keptKey[kept] = key;
        keptScore[kept++] = j >= 0 ? hits.scores[j] : 0;
      }
      // whole-query matches first: more literal clauses, then more clauses, then score, then ordinal
      var rank = rankOrder(kept, keptKey, keptScore);
      out.results = new Array(kept);
      for (i = 0; i < kept; i++) {
        var r = rank[i], o = keptOrdinal[r];
        out.results[i] = new Result(records[o], keptScore[r], keptKey[r] & 65535, keptKey[r] >>> 16, hits, hits.slotOf[o] - 1);
      }
      out.pending = state.pending;
      return out;
    }

    /* Returns the set of index terms to highlight in a result: the terms of the alternatives
     * that it satisfied, not every term it holds (an expanded name's common words). */
    function highlightTerms(outcome, result) {
      var show = new Set();
      if (!result.hits) return show;
      outcome.clauses.forEach(function (c) {
        if (c.presence === "not") return;
        c.parts.forEach(function (p) {
          p.alts.forEach(function (a) {
            if (!a.terms.every(function (t) { return holds(result.hits, result.slot, t); })) return;
            a.terms.forEach(function (t) {
              if (!t.wildcard) show.add(t.term);
              else scorer.matchedTerms(result.hits, t.spec, result.record.ordinal).forEach(function (k) { show.add(k); });
            });
          });
        });
      });
      return show;
    }

    return { search: search, highlightTerms: highlightTerms, records: records, analyzer: analyzer,
             planner: planner, vocab: vocab, scorer: scorer, store: store, warm: vocab.warm };
  }

  return { createEngine: createEngine, buildIndex: buildIndex, createStore: createStore, createScorer: createScorer,
           decodePostings: decodePostings, rankOrder: rankOrder, fastIntersect: fastIntersect,
           originalIntersect: originalIntersect, fastDot: fastDot, originalDot: originalDot, hasPhrase: hasPhrase };
});
