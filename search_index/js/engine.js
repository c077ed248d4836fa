/* The search engine in the browser: scores planned queries (js/query.js) with lunr's BM25, straight
 * from an index loaded by the piece (search_index/FORMAT.md).
 *
 * The root (window.__BIB_INDEX__) holds the collection's statistics and a table of term ranges;
 * each range's shard (terms-<n>.js), each text fragment (text-<n>.js) and each facet or sort column
 * registers itself in self.__BIB_PARTS__ when its script runs. search() never waits: whatever it
 * needed and did not find loaded it lists in `missing` (file names), and the caller loads those and
 * asks again (searchLoading does both). A search that missed nothing read exactly what the whole
 * index would have given it, so its scores are the single index's scores, bit for bit (tested).
 * createScorer gives what lunr.Index.query gives on the lunr.Index of the same counts (buildIndex).
 * lunr.js stems words (js/analyze.js) and expands wildcards (TokenSet), through its public API.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"), require("./analyze.js"), require("./query.js"));
  } else {
    root.BibEngine = factory(root.lunr, root.BibAnalyze, root.BibQuery);
  }
})(typeof self !== "undefined" ? self : this, function (lunr, BibAnalyze, BibQuery) {
  "use strict";

  var SEPARATOR = 32;  // builder.FIELD_SEPARATOR, a space
  // a translation counts less than an entity's other names (query.js BOOST_EXPANDED, 0.5)
  var BOOST_CROSS = 0.3;
  var VERIFY = 50;  // the results whose phrases are checked against their text: a page of them

  /* Returns the reader of the postings code (builder.encode_postings; its alphabet is rules.json's
   * postings_digits): decode(text, fieldCount) -> {docs, tfs, lens, starts} as typed arrays, field f's
   * entries in starts[f]..starts[f+1], each with its record ordinal, tf and the record's field length. */
  function createDecoder(digits) {
    var DIGIT = new Int8Array(128).fill(-1);
    for (var d = 0; d < digits.length; d++) DIGIT[digits.charCodeAt(d)] = d;
    return function decodePostings(text, fieldCount) {
      var docs = new Int32Array(text.length), tfs = new Int32Array(text.length), lens = new Int32Array(text.length);
      var starts = new Int32Array(fieldCount + 1);
      var n = 0, f = 0, ordinal = 0, value = 0, step = 0;  // step: 0 gap, 1 tf, 2 length
      for (var i = 0; i < text.length; i++) {
        var c = text.charCodeAt(i);
        if (c === SEPARATOR) { starts[++f] = n; ordinal = 0; continue; }
        var digit = DIGIT[c];
        if (digit < 32) { value = value * 32 + digit; continue; }
        value = value * 32 + digit - 32;
        if (step === 0) {
          ordinal += value >> 1;
          docs[n] = ordinal;
          tfs[n] = 1;
          step = value & 1 ? 1 : 2;
        } else if (step === 1) {
          tfs[n] = value;
          step = 2;
        } else {
          lens[n++] = value;
          step = 0;
        }
        value = 0;
      }
      while (f < fieldCount) starts[++f] = n;
      return { docs: docs.subarray(0, n), tfs: tfs.subarray(0, n), lens: lens.subarray(0, n), starts: starts };
    };
  }

  /* Returns the parts registry the scripts fill: part(name) -> data, or undefined until loaded. */
  function globalParts() {
    return function (name) {
      var parts = (typeof self !== "undefined" ? self : {}).__BIB_PARTS__;
      return parts ? parts[name] : undefined;
    };
  }

  /* Returns the index terms and their postings over the loaded shards, decoded and weighted one term
   * at a time, on first use. Every lookup that needs a shard not loaded yet answers as if the term
   * were absent and notes the shard's file in missing (a Set the caller empties between searches).
   * Terms are numbered by their place in the whole sorted vocabulary, as the single index numbers
   * them: a shard's first term has the ordinal the root's table gives. */
  function createStore(index, part) {
    part = part || globalParts();
    var fields = index.fields.map(function (f) { return f[0]; });
    var boosts = index.fields.map(function (f) { return f[1]; });
    var F = fields.length, n = index.size, k1 = index.k1, b = index.b, average = index.average;
    var table = index.shards, decode = createDecoder(index.rules.postings_digits);
    var missing = new Set(), entries = new Map();

    // JavaScript compares strings by UTF-16 code units, the order the builder sorts keys in.
    function lowerBound(list, key) {
      var lo = 0, hi = list.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (list[mid] < key) lo = mid + 1; else hi = mid;
      }
      return lo;
    }

    /* Returns the number of the shard whose range holds key: the last one starting at or before it. */
    function shardOf(key) {
      var lo = 0, hi = table.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (table[mid][0] <= key) lo = mid + 1; else hi = mid;
      }
      return lo - 1;
    }

    /* Returns shard i, or null (noting its file as missing) when it is not loaded. */
    function shard(i) {
      var s = part("terms-" + i);
      if (!s) { missing.add("terms-" + i + ".js"); return null; }
      return s;
    }

    function find(term) {
      var i = shardOf(term), s = shard(i);
      if (!s) return -1;
      var t = lowerBound(s.terms, term);
      return t < s.terms.length && s.terms[t] === term ? table[i][1] + t : -1;
    }

    // the shard holding term ordinal t (loaded: the ordinal was found in it)
    function shardOfOrdinal(t) {
      var lo = 0, hi = table.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (table[mid][1] <= t) lo = mid + 1; else hi = mid;
      }
      return lo - 1;  // an empty shard (bigram lists only) shares its offset with the next, so is never last
    }

    function locate(t) {
      var i = shardOfOrdinal(t);
      return { shard: part("terms-" + i), at: t - table[i][1] };
    }

    function term(t) {
      var place = locate(t);
      return place.shard.terms[place.at];
    }

    function entry(t) {
      var e = entries.get(t);
      if (e) return e;
      var place = locate(t);
      e = decode(place.shard.postings[place.at], F);
      var df = e.docs.length;  // lunr.idf counts a record once per field it appears in
      var idf = Math.log(1 + Math.abs((n - df + 0.5) / (df + 0.5)));
      var weights = new Float64Array(df), tfs = e.tfs, lens = e.lens;
      for (var f = 0; f < F; f++) {
        var avg = average[f], boost = boosts[f];
        for (var k = e.starts[f]; k < e.starts[f + 1]; k++) {
          // lunr.Builder's BM25 expression, term for term (the same double), rounded as it rounds
          var tf = tfs[k];
          var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (lens[k] / avg)) + tf) * boost;
          weights[k] = Math.round(score * 1000) / 1000;
        }
      }
      e.weights = weights;
      entries.set(t, e);
      return e;
    }

    /* Returns the ordinals of the terms starting with prefix, in order (all shards of its range). */
    function withPrefix(prefix) {
      var out = [], last = shardOf(prefix + "\uffff"), complete = true;
      for (var i = shardOf(prefix); i <= last; i++) {
        var s = shard(i);
        if (!s) { complete = false; continue; }
        for (var t = lowerBound(s.terms, prefix); t < s.terms.length && s.terms[t].startsWith(prefix); t++) out.push(table[i][1] + t);
      }
      return complete ? out : [];
    }

    /* Returns the ordinals of every term passing test, in order (a leading wildcard reads every shard). */
    function matching(test) {
      var out = [], complete = true;
      for (var i = 0; i < table.length; i++) {
        var s = shard(i);
        if (!s) { complete = false; continue; }
        for (var t = 0; t < s.terms.length; t++) { if (test(s.terms[t])) out.push(table[i][1] + t); }
      }
      return complete ? out : [];
    }

    /* Returns the index terms of 3+ characters, starting with a Han character, that hold the bigram
     * (assets.containing_table), from the bigram's shard. */
    function containing(bigram) {
      var s = shard(shardOf(bigram));
      return (s && s.containing[bigram]) || [];
    }

    /* Returns the cross-lingual expansions {key: [[target, weight]]} of keys starting with the term. */
    function expansions(first) {
      var s = shard(shardOf(first));
      return (s && s.expansions) || {};
    }

    return { fields: fields, size: n, count: index.terms, find: find, term: term, entry: entry, withPrefix: withPrefix,
             matching: matching, containing: containing, expansions: expansions, missing: missing, part: part };
  }

  /* Returns a lunr.Index equal to the one lunr.py builds from the same counts (builder.lunr_index),
   * from a store with every shard loaded: the single index the tests compare the page's scores with. */
  function buildIndex(store) {
    var fields = store.fields, n = store.size, count = store.count, terms = new Array(count);
    var vectors = fields.map(function () { var a = new Array(n); for (var r = 0; r < n; r++) a[r] = []; return a; });
    var invertedIndex = Object.create(null);
    for (var t = 0; t < count; t++) {
      var e = store.entry(t), posting = { _index: t };
      terms[t] = store.term(t);
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
    var F = store.fields.length, n = store.size;
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
      var matching;
      if (!(spec.wildcard & LEADING)) {
        matching = store.withPrefix(spec.term);
      } else {
        matching = store.matching(spec.wildcard & TRAILING ? function (w) { return w.indexOf(spec.term) >= 0; }
          : function (w) { return w.endsWith(spec.term); });
      }
      if (matching.length < 2) return matching;
      var ordinalOf = new Map();
      var words = matching.map(function (m) { var w = store.term(m); ordinalOf.set(w, m); return w; });
      var pattern = (spec.wildcard & LEADING ? "*" : "") + spec.term + (spec.wildcard & TRAILING ? "*" : "");
      return lunr.TokenSet.fromArray(words).intersect(lunr.TokenSet.fromString(pattern)).toArray()
        .map(function (w) { return ordinalOf.get(w); });
    }

    /* Returns {count, docs, scores, slotOf, bits, words, expansions} (expanded: specs.map(expand), when
     * the caller has it already): the count matching records
     * (docs[j], scores[j] for j < count), slotOf[ordinal] = j + 1 (0: no match), and bits[j * words
     * + (s >> 5)] telling which specs s record j matched. */
    function run(specs, expanded) {
      var expansions = expanded || specs.map(expand);
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
          if (lo < e.starts[f + 1] && e.docs[lo] === ordinal) { out.push(store.term(t)); return; }
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

  /* Returns {has, containing} over the index terms, as the planner asks (js/query.js): containing()
   * lists the longer Han terms that hold a text, shortest first, from the bigram lists the builder
   * ships in the shards. */
  function createVocab(store) {
    return {
      has: function (t) { return store.find(t) >= 0; },
      containing: function (text) {
        var chars = Array.from(text);
        if (chars.length < 2) return [];
        return store.containing(chars[0] + chars[1]).filter(function (t) { return t !== text && t.indexOf(text) >= 0; })
          .sort(function (x, y) { return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0); });
      }
    };
  }

  /* Returns the expansion key that spells a Chinese run the index does not cut (灾害风险管理: the
   * build keys it by jieba's cut, 灾害 风险管理), or null: keys start in the shard of their first
   * term, tried longest first. */
  function spelledKey(store, run) {
    var chars = Array.from(run);
    if (chars.length < 2 || !/^\p{Script=Han}+$/u.test(run)) return null;
    for (var n = chars.length - 1; n >= 1; n--) {
      var first = chars.slice(0, n).join(""), table = store.expansions(first);
      var keys = Object.keys(table).filter(function (k) { return k.startsWith(first + " ") && k.replace(/ /g, "") === run; });
      if (keys.length) return keys.sort()[0];
    }
    return null;
  }

  /* Returns the alternatives translating key (space-joined terms), each a phrase when it has
   * several terms, and notes them in used. */
  function targetAlts(table, key, used) {
    return table[key].map(function (target) {
      var targetTerms = target[0].split(" ");
      var alt = { terms: targetTerms.map(function (t) { return { term: t, boost: BOOST_CROSS * target[1], wildcard: 0 }; }),
                  literal: false };
      // a translation of several terms is a phrase (collect defens: not "collective security ... defense")
      if (targetTerms.length > 1) {
        alt.phrase = [];
        targetTerms.forEach(function (t) {
          if (/^\p{Script=Han}/u.test(t)) Array.from(t).forEach(function (c) { alt.phrase.push(c); });
          else alt.phrase.push(t);
        });
      }
      // the words the target was written as (multilateral for multilater), when the build knows them
      used.push(target.length > 2 ? [key, target[0], target[1], target[2]] : [key, target[0], target[1]]);
      return alt;
    });
  }

  // a Chinese run the index holds as several words (地缘政治): its translations join its part
  function compoundTranslations(store, clause, terms, used) {
    var words = terms.map(function (t) { return t.term; });
    if (!words.every(function (w) { return /^\p{Script=Han}+$/u.test(w); })) return;
    var key = words.join(" "), table = store.expansions(words[0]);
    if (!Object.prototype.hasOwnProperty.call(table, key)) {
      key = spelledKey(store, words.join(""));
      if (!key) return;
      table = store.expansions(key.split(" ")[0]);
    }
    clause.parts[0].alts = clause.parts[0].alts.concat(targetAlts(table, key, used));
  }

  // a quoted phrase of plain terms ("collective security"): it and its translations, each whole,
  // become the alternatives of one part, the phrase checked per alternative
  function phraseTranslations(store, clause, used) {
    var terms = [];
    if (!clause.parts.every(function (p) {
      var a = p.alts[0];
      if (p.alts.length !== 1 || !a.literal || a.terms.length !== 1 || a.terms[0].wildcard) return false;
      terms.push(a.terms[0]);
      return true;
    })) return;
    var key = terms.map(function (t) { return t.term; }).join(" "), table = store.expansions(terms[0].term);
    if (!Object.prototype.hasOwnProperty.call(table, key)) return;
    var own = { terms: terms, literal: true, phrase: clause.phrase };
    clause.parts = [{ alts: [own].concat(targetAlts(table, key, used)), stop: false, label: clause.label }];
    clause.phrase = null;
  }

  /* Adds the cross-lingual expansions of the query's terms to its clauses (issue 14): at each
   * "should" clause whose literal alternative is one term, the longest key of consecutive such terms
   * that the key's shard lists; each target becomes a non-literal alternative of every clause the key
   * spans (all its terms must match, its boost BOOST_CROSS times the target's weight), so a record
   * found only through it has no literal clause and ranks below every literal match. span: the most
   * terms a key has (the root's expansion_span). Returns the [key, target, weight, shown?] used. */
  function addCrossLingual(store, clauses, span) {
    var runs = [], used = [];
    if (!span) return used;
    clauses.forEach(function (c, i) {
      var alt = c.presence === "should" && c.parts.length === 1 && !c.phrase && c.parts[0].alts[0];
      var t = alt && alt.literal && alt.terms.length === 1 && !alt.terms[0].wildcard ? alt.terms[0].term : null;
      runs.push(t);
      if (!t && alt && alt.literal && alt.terms.length > 1) compoundTranslations(store, c, alt.terms, used);
      if (c.phrase && c.presence !== "not") phraseTranslations(store, c, used);
    });
    for (var i = 0; i < runs.length; i++) {
      if (runs[i] === null) continue;
      var table = store.expansions(runs[i]), best = 0;
      for (var j = i, key = runs[i]; j < runs.length && j < i + span && runs[j] !== null; j++, key += " " + runs[j]) {
        if (Object.prototype.hasOwnProperty.call(table, key)) best = j - i + 1;
      }
      key = best ? runs.slice(i, i + best).join(" ") : spelledKey(store, runs[i]);
      if (!key) continue;
      if (!best) { best = 1; table = store.expansions(key.split(" ")[0]); }
      targetAlts(table, key, used).forEach(function (alt) {
        for (var k = i; k < i + best; k++) clauses[k].parts[0].alts.push(alt);
      });
      i += best - 1;
    }
    return used;
  }

  /* Returns a record of the collection: type and languages from the root, id, title, url and text
   * blocks from its fragment once loaded (undefined until then). */
  function createRecords(index, part) {
    var size = index.fragment_size, patterns = index.url_patterns || {}, digits = index.rules.postings_digits;
    function Record(ordinal, kind) {
      this.ordinal = ordinal;
      this.type = kind[0];
      this.lang = kind[1];
      this.langs = kind[2];
    }
    Record.prototype.fragment = function () { return "text-" + Math.floor(this.ordinal / size); };
    Record.prototype.row = function () {
      var rows = part(this.fragment());
      return rows ? rows[this.ordinal % size] : undefined;
    };
    [["id", 0], ["title", 1], ["blocks", 3]].forEach(function (pair) {
      Object.defineProperty(Record.prototype, pair[0], { get: function () { var r = this.row(); return r && r[pair[1]]; } });
    });
    Object.defineProperty(Record.prototype, "url", { get: function () {
      var r = this.row();
      if (!r) return undefined;
      var pattern = patterns[this.type];
      return r[2] || pattern[0] + r[0] + pattern[1];
    } });
    var records = new Array(index.size);
    for (var o = 0; o < index.size; o++) records[o] = new Record(o, index.kinds[digits.indexOf(index.kind.charAt(o))]);
    return records;
  }

  /* Returns the engine over one index: its root (window.__BIB_INDEX__) and the parts registry
   * (part(name) -> data; by default self.__BIB_PARTS__, which the part scripts fill). */
  function createEngine(index, part) {
    part = part || globalParts();
    var analyzer = BibAnalyze.createAnalyzer(index.rules, index.ts);
    var store = createStore(index, part);
    var scorer = createScorer(store);
    var vocab = createVocab(store);
    var planner = BibQuery.createPlanner(analyzer, vocab, index.entities, index.rules);
    var records = createRecords(index, part);
    var maxQuery = index.rules.max_query, maxClauses = index.rules.max_clauses;

    function passesFilters(record, options, facets) {
      if (options.type && record.type !== options.type) return false;
      if (options.lang && record.langs.indexOf(options.lang) < 0) return false;
      for (var f = 0; f < facets.length; f++) {
        var row = facets[f].column.rows[record.ordinal], ok = false;
        for (var v = 0; v < row.length && !ok; v++) ok = facets[f].wanted.has(row[v]);
        if (!ok) return false;
      }
      return true;
    }

    /* Returns the part named, or null after noting its file as missing. */
    function need(name, missing) {
      var data = part(name);
      if (data === undefined) { missing.add(name + ".js"); return null; }
      return data;
    }

    /* Returns the facet filters of options.filters ({facet: [values]}) as [{column, wanted}]. */
    function facetFilters(filters, missing) {
      var out = [];
      Object.keys(filters || {}).sort().forEach(function (name) {
        var values = filters[name];
        if (index.facets.indexOf(name) < 0 || !values || !values.length) return;
        var column = need("facet-" + name, missing);
        if (!column) return;
        var wanted = new Set();
        values.forEach(function (v) {
          var at = column.values.indexOf(String(v));
          if (at >= 0) wanted.add(at);
        });
        out.push({ column: column, wanted: wanted });
      });
      return out;
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
        anyPhrases: parts.map(function (p) { return p.alts.map(function (a) { return a.phrase || null; }); }),
        literal: parts.map(function (p) { return p.alts.filter(function (a) { return a.literal; }).map(function (a) { return mask(a.terms); }); }),
        whole: parts.map(function (p) { return p.alts.filter(function (a) { return !a.fallback; }).map(function (a) { return mask(a.terms); }); }),
        fallbacks: parts.some(function (p) { return p.alts.some(function (a) { return a.fallback; }); })
      };
    }

    // whether row (bits[base .. base + words]) covers one of the masks (and, where phrases[i] is
    // given, check(phrases[i]) holds: the alternative's terms stand together in the text)
    function coversOne(masks, bits, base, words, phrases, check) {
      for (var i = 0; i < masks.length; i++) {
        var m = masks[i], w = 0;
        while (w < words && (bits[base + w] & m[w]) === m[w]) w++;
        if (w === words && (!phrases || !phrases[i] || check(phrases[i]))) return true;
      }
      return false;
    }

    function satisfied(compiled, literalOnly, bits, base, words, getTexts, state) {
      var parts = literalOnly ? compiled.literal : compiled.any;
      var check = function (keys) {
        var texts = getTexts();
        if (!texts) { state.pending = true; return true; }
        return hasPhrase(analyzer, texts, keys);
      };
      for (var i = 0; i < parts.length; i++) {
        if (!coversOne(parts[i], bits, base, words, literalOnly ? null : compiled.anyPhrases[i], check)) return false;
      }
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

    /* Returns {results, expanded, crossLingual, pending, clauses, missing, truncated, facets}:
     * results sorted best first (Result), or by options.sort ("newest" / "oldest": the root's sort
     * keys in order, then relevance); missing: the files this search needed and did not find loaded
     * (load them and search again; the results are empty until then); pending when some of the
     * first options.verify (50) results await their text for a phrase check (textNeeded: its
     * fragments; the results past those may hold records whose phrase is not checked yet); facets: {name: [[value, count], ...]} over the whole
     * result set, for each name of options.facets. Options: type, lang, exact, filters ({facet:
     * [values]}: a record passes with one of the values of every facet named), sort, facets. */
    function search(query, options) {
      options = options || {};
      store.missing.clear();
      var missing = store.missing, textNeeded = new Set(), verify = options.verify || VERIFY;
      var chars = Array.from(String(query || ""));
      var truncated = chars.length > maxQuery;
      if (truncated) query = chars.slice(0, maxQuery).join("");
      var facets = facetFilters(options.filters, missing);
      var filtered = Boolean(options.type || options.lang || facets.length);
      var p = planner.plan(query, { exact: options.exact });
      if (p.clauses.length > maxClauses) {  // each clause costs work on every candidate record
        p.clauses = p.clauses.slice(0, maxClauses);
        truncated = true;
      }
      var crossLingual = options.exact ? [] : addCrossLingual(store, p.clauses, index.expansion_span);
      var out = { results: [], expanded: p.expanded, crossLingual: crossLingual, pending: false, clauses: p.clauses, partial: null,
                  missing: [], truncated: truncated, facets: {}, textNeeded: [] };
      var specs = collectSpecs(p.clauses);
      var expanded = specs.map(scorer.expand);
      var sortKeys = sortColumns(options.sort, missing);
      var counted = (options.facets || []).filter(function (name) { return index.facets.indexOf(name) >= 0; })
        .map(function (name) { return { name: name, column: need("facet-" + name, missing) }; });
      if (missing.size) { out.missing = Array.from(missing).sort(); return out; }
      if (p.matchAll) {
        out.results = records.filter(function (r) { return passesFilters(r, options, facets); })
          .map(function (r) { return new Result(r, 0, 0, 0, null, -1); });
        return finish(out, sortKeys, counted);
      }
      var positives = p.clauses.filter(function (c) { return c.presence !== "not"; });
      var negatives = p.clauses.filter(function (c) { return c.presence === "not"; });
      var strong = positives.filter(function (c) { return !c.stop; });
      var needed = strong.length ? strong : positives;
      var hasPhrases = p.clauses.some(function (c) {
        return (c.phrase && c.phrase.length > 1) || c.parts.some(function (q) { return q.alts.some(function (a) { return a.phrase; }); });
      });
      var specs = collectSpecs(p.clauses);
      var hits = specs.length ? scorer.run(specs, expanded)
        : { count: 0, docs: [], scores: [], slotOf: new Int32Array(records.length), bits: [], words: 0, expansions: [] };
      var state = { pending: false }, noState = {};
      var words = Math.max(hits.words, 1), none = new Uint32Array(words);
      var compiledOf = function (c) { var k = compile(c, words); k.needed = needed.indexOf(c) >= 0; k.must = c.presence === "must"; return k; };
      var pos = positives.map(compiledOf), neg = negatives.map(compiledOf);
      // the groups of clauses that are the words of one Chinese run (js/query.js), by clause
      var groupNames = [], groupOf = pos.map(function (k) {
        var g = k.clause.group;
        if (!g) return -1;
        if (groupNames.indexOf(g) < 0) groupNames.push(g);
        return groupNames.indexOf(g);
      });
      var groupSize = groupNames.map(function (_, g) { return groupOf.filter(function (x) { return x === g; }).length; });
      var groupHeld = new Int32Array(groupNames.length);

      function textsOf(record) {
        return function () {
          var blocks = record.blocks;
          if (!blocks) return undefined;
          return [record.title].concat(blocks.map(function (b) { return b[1]; }));
        };
      }

      /* Returns -1 when a record whose row of spec bits is bits[base ..] is left out, else
       * coverage * 65536 + literal (see search's sort). */
      function outcome(bits, base, getTexts, rowState) {
        var c;
        for (c = 0; c < neg.length; c++) {
          var negState = { pending: false };  // an excluded phrase not checked yet excludes nothing yet
          if (satisfied(neg[c], false, bits, base, words, getTexts, negState) && !negState.pending) return -1;
          if (negState.pending) rowState.pending = true;
        }
        var coverage = 0, literal = 0, anyNeeded = false;
        rowState.whole = 0;
        rowState.short = 0;
        var held = groupHeld.fill(0);
        for (c = 0; c < pos.length; c++) {
          if (satisfied(pos[c], false, bits, base, words, getTexts, rowState)) {
            coverage++;
            if (groupOf[c] >= 0) held[groupOf[c]]++;
            if (pos[c].needed) anyNeeded = true;
            // a word inside an unknown compound counts only where no record holds the compound
            if (pos[c].fallbacks) {
              if (pos[c].whole.every(function (masks) { return coversOne(masks, bits, base, words); })) rowState.whole++;
              else rowState.short++;
            }
            if (satisfied(pos[c], true, bits, base, words, getTexts, noState)) literal++;
          } else if (pos[c].must) {
            return -1;
          }
        }
        for (c = 0; c < groupSize.length; c++) {
          if (held[c] === groupSize[c]) rowState.whole++;
          else if (held[c]) rowState.short++;
        }
        return pos.length && !anyNeeded ? -1 : coverage * 65536 + literal;
      }

      // Candidates in ordinal order; records with the same spec bits fare the same (phrases aside),
      // so each distinct row is judged once.
      var candidates = positives.length ? hits.docs.slice(0, hits.count).sort() : null;
      var total = candidates ? candidates.length : records.length;
      var keptOrdinal = new Int32Array(total), keptKey = new Int32Array(total), keptScore = new Float64Array(total);
      var keptPending = hasPhrases ? new Uint8Array(total) : null;
      var kept = 0, judged = new Map(), keptWhole = new Int32Array(total), keptShort = new Int32Array(total), rowState;
      for (var i = 0; i < total; i++) {
        var ordinal = candidates ? candidates[i] : i, record = records[ordinal];
        if (filtered && !passesFilters(record, options, facets)) continue;
        var j = hits.slotOf[ordinal] - 1;
        var bits = j >= 0 ? hits.bits : none, base = j >= 0 ? j * words : 0, key;
        if (hasPhrases) {
          rowState = { pending: false };
          key = outcome(bits, base, textsOf(record), rowState);
          if (key >= 0 && rowState.pending) keptPending[kept] = 1;
        } else {
            var row = words === 1 ? bits[base] : Array.prototype.join.call(bits.subarray(base, base + words));
          var known = judged.get(row);
          if (known === undefined) {
            var judgedState = {};
            judged.set(row, known = [outcome(bits, base, null, judgedState), judgedState.whole, judgedState.short]);
          }
          key = known[0];
          rowState = { whole: known[1], short: known[2] };
        }
        if (key < 0) continue;
        keptWhole[kept] = rowState.whole;
        keptShort[kept] = rowState.short;
        keptOrdinal[kept] = ordinal;
        keptKey[kept] = key;
        keptScore[kept++] = j >= 0 ? hits.scores[j] : 0;
      }
      // An unknown Chinese compound's words stand in for it only where no record holds it (or its
      // translation): 集体 is not 集体防御.
      var compounds = pos.filter(function (k) { return k.fallbacks; }).length + groupNames.length;
      var anyFull = compounds > 0 && keptWhole.subarray(0, kept).some(function (s) { return s >= compounds; });
      if (anyFull) {
        var full = 0;
        for (i = 0; i < kept; i++) {
          if (keptShort[i] > 0) continue;
          keptOrdinal[full] = keptOrdinal[i]; keptKey[full] = keptKey[i]; keptScore[full] = keptScore[i];
          if (keptPending) keptPending[full] = keptPending[i];
          full++;
        }
        kept = full;
      }
      // whole-query matches first: more clauses (a word or its translation), then more literal
      // clauses (so a translation never outranks the same words written), then score, then ordinal
      var rank = rankOrder(kept, keptKey, keptScore);
      out.results = new Array(kept);
      for (i = 0; i < kept; i++) {
        var r = rank[i], o = keptOrdinal[r];
        out.results[i] = new Result(records[o], keptScore[r], keptKey[r] >>> 16, keptKey[r] & 65535, hits, hits.slotOf[o] - 1);
        // Phrases are checked against record text, loaded for the first results only: a record not
        // checked yet ranks as if it held the phrase, so the checked ones above it are placed right.
        if (keptPending && keptPending[r] && i < verify) {
          textNeeded.add(records[o].fragment() + ".js");
          state.pending = true;
        }
      }
      out.pending = state.pending;
      out.textNeeded = Array.from(textNeeded).sort();
      out.partial = partialMatch(out.results, pos, words, groupOf, groupNames);
      return finish(out, sortKeys, counted);
    }

    /* Returns null, or {missing, shown} when the results hold only part of the query (the page
     * says "no record holds <missing>; showing records with <shown>"): an unknown Chinese compound
     * that no result holds whole (through a translation either), shown through its indexed words;
     * or a query of several words that no result holds all of, shown through those the best holds. */
    function partialMatch(results, pos, words, groupOf, groupNames) {
      if (!results.length) return null;
      var noTexts = function () { return undefined; };
      var rows = results.map(function (r) { return r.slot * words; }), bits = results[0].hits.bits;
      var holdsClause = function (k, base) { return satisfied(k, false, bits, base, words, noTexts, {}); };
      for (var g = 0; g < groupNames.length; g++) {
        var members = pos.filter(function (_, c) { return groupOf[c] === g; });
        if (rows.some(function (base) { return members.every(function (k) { return holdsClause(k, base); }); })) continue;
        return { missing: groupNames[g], shown: members.filter(function (k) {
          return rows.some(function (base) { return holdsClause(k, base); });
        }).map(function (k) { return k.clause.label; }) };
      }
      for (var c = 0; c < pos.length; c++) {
        var k = pos[c];
        if (!k.fallbacks) continue;
        var whole = rows.some(function (base) {
          return k.whole.every(function (masks) { return coversOne(masks, bits, base, words); });
        });
        if (whole) continue;
        var shown = [];
        k.clause.parts.forEach(function (p) {
          p.alts.forEach(function (a) {
            if (a.fallback && shown.indexOf(a.fallback) < 0
                && rows.some(function (base) { return a.terms.every(function (t) { return holds(results[0].hits, base / words, t); }); })) {
              shown.push(a.fallback);
            }
          });
        });
        return { missing: k.clause.label, shown: shown };
      }
      var counting = pos.filter(function (c) { return !c.clause.stop; });
      if (counting.length < 2 || rows.some(function (base) {
        return counting.every(function (k) { return holdsClause(k, base); });
      })) return null;
      var top = rows[0];
      var labels = counting.filter(function (c) { return satisfied(c, false, bits, top, words, noTexts, {}); })
        .map(function (c) { return c.clause.label; });
      return labels.length ? { missing: null, shown: labels } : null;
    }

    /* Returns the sort columns options.sort needs, each {values, sign}, or [] for relevance. */
    function sortColumns(sort, missing) {
      if (sort !== "newest" && sort !== "oldest") return [];
      return index.sorts.map(function (name) { return { values: need("sort-" + name, missing), sign: sort === "newest" ? -1 : 1 }; });
    }

    // out with its results in sortKeys order (stable: relevance breaks ties) and its facet counts
    function finish(out, sortKeys, counted) {
      if (sortKeys.length) {
        var position = new Map();
        out.results.forEach(function (r, i) { position.set(r, i); });
        out.results.sort(function (x, y) {
          for (var k = 0; k < sortKeys.length; k++) {
            var a = sortKeys[k].values[x.record.ordinal], b = sortKeys[k].values[y.record.ordinal];
            if (a === b) continue;
            if (a === null || a === undefined) return 1;  // records without the key go last either way
            if (b === null || b === undefined) return -1;
            return (a < b ? -1 : 1) * sortKeys[k].sign;
          }
          return position.get(x) - position.get(y);
        });
      }
      counted.forEach(function (facet) {
        var counts = new Map();
        out.results.forEach(function (r) {
          facet.column.rows[r.record.ordinal].forEach(function (v) { counts.set(v, (counts.get(v) || 0) + 1); });
        });
        out.facets[facet.name] = Array.from(counts.entries()).map(function (e) { return [facet.column.values[e[0]], e[1]]; })
          .sort(function (x, y) { return y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0); });
      });
      return out;
    }

    /* Returns a promise for search(query, options) once every file it needs is loaded: load(names)
     * returns a promise that those files (in this folder) have run. Phrases load the text of the first
     * results, round by round, until the first options.verify are checked. */
    function searchLoading(query, options, load) {
      function attempt(rounds) {
        var out = search(query, options);
        var wanted = out.missing.length ? out.missing : out.pending ? out.textNeeded : [];
        if (!wanted.length || rounds > 40) return Promise.resolve(out);
        return load(wanted).then(function () { return attempt(rounds + 1); });
      }
      return attempt(0);
    }

    /* Returns the text fragments (file names) holding the records of these results. */
    function fragmentsOf(results) {
      var names = new Set();
      results.forEach(function (r) { if (!r.record.row()) names.add(r.record.fragment() + ".js"); });
      return Array.from(names).sort();
    }

    /* Returns the set of index terms to highlight in a result: the terms of the alternatives
     * that it satisfied, not every term it holds (an expanded name's common words); its .phrases
     * lists the phrase keys (js/query.js phraseKeys) to highlight as whole phrases. */
    function highlightTerms(outcome, result) {
      var show = new Set();
      show.phrases = [];
      if (!result.hits) return show;
      outcome.clauses.forEach(function (c) {
        if (c.presence === "not") return;
        // a phrase is highlighted where its words stand together, never word by word
        if (c.phrase && c.phrase.length > 1) { show.phrases.push(c.phrase); return; }
        c.parts.forEach(function (p) {
          p.alts.forEach(function (a) {
            if (!a.terms.every(function (t) { return holds(result.hits, result.slot, t); })) return;
            if (a.phrase) { show.phrases.push(a.phrase); return; }
            a.terms.forEach(function (t) {
              if (!t.wildcard) show.add(t.term);
              else scorer.matchedTerms(result.hits, t.spec, result.record.ordinal).forEach(function (k) { show.add(k); });
            });
          });
        });
      });
      return show;
    }

    return { search: search, searchLoading: searchLoading, fragmentsOf: fragmentsOf, highlightTerms: highlightTerms,
             records: records, analyzer: analyzer, planner: planner, vocab: vocab, scorer: scorer, store: store };
  }

  return { createEngine: createEngine, buildIndex: buildIndex, createStore: createStore, createScorer: createScorer,
           createDecoder: createDecoder, rankOrder: rankOrder, hasPhrase: hasPhrase };
});
