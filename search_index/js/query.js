/* Query syntax and query planning: what the user typed -> clauses of index terms.
 *
 * The query is parsed here rather than by lunr's QueryParser, so no input can throw: `+` / `-`
 * before a word make it required / excluded, `*` is a wildcard, "quoted text" is a phrase, and any
 * other punctuation (`:`, `~`, `^`, an unbalanced quote) is plain text. Chinese runs are segmented
 * against the index's own vocabulary (jieba does not run here and Intl.Segmenter disagrees with
 * it): a dynamic-programming maximal match over index terms, plus, for a run the index only holds
 * inside longer words (马六甲 in 马六甲海峡), the index terms that contain it.
 *
 * A plan is a list of clauses: {presence: "should"|"must"|"not", parts: [part], phrase: [key]|null,
 * stop, label, group}: group names the Chinese run a clause is one word of (a record holding some
 * words of a group counts only where none holds them all). A part is satisfied by a record when one of its alternatives (a list of terms that
 * must all be present) is; `literal: false` marks alternatives that come from entity expansion;
 * `fallback: word` an indexed word inside an unknown Chinese compound, searched in its place.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.BibQuery = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var LEADING = 1, TRAILING = 2;  // lunr.Query.wildcard values
  var MAX_PIECE = 12;
  var BOOST_SUBSTRING = 0.7, BOOST_EXPANDED = 0.5;
  // Common English endings the stemmer removes (organ|isation), for wildcards on stemmed words.
  var STEM_ENDINGS = ["e", "s", "es", "ed", "ing", "ings", "er", "ers", "al", "ally", "ly", "ness", "ment", "ments",
    "ation", "ations", "ational", "ize", "ized", "izes", "izing", "ization", "izations", "ise", "ised", "ising",
    "isation", "isations", "ism", "isms", "ist", "ists", "ity", "ities", "ive", "ous", "ence", "ance", "able",
    "ible", "ic", "ical", "ion", "ions", "ate", "ated", "ates", "y", "ies", "ful", "ary"];

  /* Returns [{presence, phrase: bool, text}] for a query string; never throws. */
  function parse(query, quotes) {
    var chars = Array.from(String(query || "").normalize("NFKC"));
    var items = [];
    var i = 0, n = chars.length;
    var isQuote = function (c) { return quotes.indexOf(c) >= 0; };
    var isSpace = function (c) { return /\s/u.test(c); };
    while (i < n) {
      if (isSpace(chars[i])) { i++; continue; }
      var presence = "should";
      if ((chars[i] === "+" || chars[i] === "-") && i + 1 < n && !isSpace(chars[i + 1])) {
        presence = chars[i] === "+" ? "must" : "not";
        i++;
      }
      if (isQuote(chars[i])) {
        var close = -1;
        for (var k = i + 1; k < n; k++) { if (isQuote(chars[k])) { close = k; break; } }
        if (close > i + 1) {
          items.push({ presence: presence, phrase: true, text: chars.slice(i + 1, close).join("") });
          i = close + 1;
          continue;
        }
        i++;  // an unbalanced or empty quote is punctuation
        if (close === i) i++;
      }
      var j = i;
      while (j < n && !isSpace(chars[j])) j++;
      if (j > i) items.push({ presence: presence, phrase: false, text: chars.slice(i, j).join("") });
      i = j;
    }
    return items;
  }

  function unique(list) {
    var seen = new Set(), out = [];
    list.forEach(function (x) { var k = JSON.stringify(x); if (!seen.has(k)) { seen.add(k); out.push(x); } });
    return out;
  }

  function term(t, boost, wildcard) {
    return { term: t, boost: boost || 1, wildcard: wildcard || 0 };
  }

  /* Returns the entity names as the planner compares them: {keyOf(text), isAcronym(text), byKey:
   * Map(key -> {entity, name, acronym}), hanNames: the all-Han names, longest first}. */
  function createEntityNames(analyzer, entities) {
    var entityByKey = new Map();
    var hanNames = [];

    /* Returns the key a name or query fragment is compared by: folded Han text, or word terms. */
    function keyOf(text) {
      return analyzer.runs(text).map(function (r) {
        return r.kind === "han" ? r.text : analyzer.wordTerm(r.text);
      }).join(" ");
    }

    // An all-capitals name (SCO, US) names the entity only when typed in capitals: "us" is a word.
    function isAcronym(text) {
      return /\p{Lu}/u.test(text) && text === text.toUpperCase();
    }

    (entities || []).forEach(function (entity) {
      entity.names.forEach(function (name) {
        var key = keyOf(name);
        if (!key) return;
        var acronym = isAcronym(name) && !/[\p{Lo}]/u.test(name);
        if (!entityByKey.has(key)) entityByKey.set(key, { entity: entity, name: name, acronym: acronym });
        else if (!acronym) entityByKey.get(key).acronym = false;
        if (analyzer.runs(name).every(function (r) { return r.kind === "han"; }) && key.indexOf(" ") < 0) {
          hanNames.push(key);
        }
      });
    });
    hanNames.sort(function (a, b) { return b.length - a.length || (a < b ? -1 : 1); });

    var maxWords = 1;
    entityByKey.forEach(function (_, key) { maxWords = Math.max(maxWords, key.split(" ").length); });
    return { keyOf: keyOf, isAcronym: isAcronym, byKey: entityByKey, hanNames: hanNames, maxWords: maxWords };
  }

  /* Returns the Chinese side of planning over the index vocabulary: {segment(run), containing(text),
   * hanPart(run), hanPieces(run)}. vocab: {has(term), containing(text)} (js/engine.js). */
  function createHanPlanner(vocab, names, rules) {
    var maxExpansions = rules.max_expansions || 200;
    var hanNames = names.hanNames;

    /* Returns the minimal-cost cut of a Han run into index terms (unknown characters stand alone). */
    function segment(run) {
      var chars = Array.from(run), n = chars.length;
      var cost = [0], back = [0];
      for (var i = 1; i <= n; i++) {
        cost[i] = Infinity;
        for (var j = Math.max(0, i - MAX_PIECE); j < i; j++) {
          var piece = chars.slice(j, i).join("");
          var c;
          if (vocab.has(piece)) c = i - j === 1 ? 1.5 : 1;
          else if (i - j === 1) c = 3;
          else continue;
          if (cost[j] + c < cost[i]) { cost[i] = cost[j] + c; back[i] = j; }
        }
      }
      var pieces = [];
      for (var e = n; e > 0; e = back[e]) pieces.unshift(chars.slice(back[e], e).join(""));
      return pieces;
    }

    function containing(text) {
      return Array.from(text).length >= 2 ? vocab.containing(text).slice(0, maxExpansions) : [];
    }

    /* Returns the literal alternatives for a Han run as one part: the run as a term, the terms that
     * contain it, and (when it is no single term) all of its segments together. */
    function hanPart(run) {
      var alts = [];
      var known = vocab.has(run);
      if (known) alts.push({ terms: [term(run)], literal: true });
      // A two-character index term is a dictionary word, which the index also holds wherever it
      // sits inside a longer word (analyze.han_terms); anything else may hide in longer terms.
      if (!known || Array.from(run).length > 2) {
        containing(run).forEach(function (t) { alts.push({ terms: [term(t, BOOST_SUBSTRING)], literal: true }); });
      }
      if (!known) {
        var pieces = segment(run);
        if (pieces.every(function (p) { return vocab.has(p); })) {
          alts.push({ terms: pieces.map(function (p) { return term(p); }), literal: true });
        }
      }
      return { alts: alts, stop: false, label: run };
    }

    /* Returns the parts of a Han run: entity names whole, the rest cut by segment(). */
    function hanPieces(run) {
      var out = [], rest = "";
      var flush = function () {
        if (!rest) return;
        var pieces = segment(rest);
        var allTerms = pieces.every(function (p) { return vocab.has(p) && Array.from(p).length > 1; });
        if (pieces.length > 1 && allTerms) {
          // Each word of the run is its own clause (so each carries its translations), one group:
          // a run the index holds as several words (地缘政治: 地缘 + 政治) means them all, and a record
          // holding some stands in only where none holds all (engine).
          var whole = containing(rest);
          pieces.forEach(function (p) {
            var part = hanPart(p);
            whole.forEach(function (t) { part.alts.push({ terms: [term(t, BOOST_SUBSTRING)], literal: true }); });
            part.group = rest;
            out.push({ part: part, kind: "han" });
          });
        } else if (pieces.length > 1 && containing(rest).length === 0) {
          // An unknown compound falls back to its parts that are indexed words of two or more
          // characters; a lone character (会 of 北极理事会) would match everywhere and mean nothing.
          // The run itself stays the first alternative: it matches no record, but its translations
          // (灾害风险管理 -> disaster risk management) are looked up by it (engine addCrossLingual).
          var whole = { alts: [{ terms: [term(rest)], literal: true }], stop: false, label: rest };
          pieces.forEach(function (p) {
            if (!vocab.has(p) || Array.from(p).length < 2) return;
            whole.alts.push({ terms: [term(p, BOOST_SUBSTRING)], literal: false, fallback: p });
          });
          out.push({ part: whole, kind: "han" });
        } else {
          out.push({ part: hanPart(rest), kind: "han" });
        }
        rest = "";
      };
      var i = 0;
      while (i < run.length) {
        var name = null;
        for (var k = 0; k < hanNames.length; k++) {
          if (run.startsWith(hanNames[k], i)) { name = hanNames[k]; break; }
        }
        if (name) {
          flush();
          out.push({ part: hanPart(name), kind: "entity", key: name });
          i += name.length;
        } else {
          rest += run.charAt(i);
          i++;
        }
      }
      flush();
      return out;
    }

    return { segment: segment, containing: containing, hanPart: hanPart, hanPieces: hanPieces };
  }

  /* Returns the entity expansion of planned parts: {entityAlts, expandEntities(parts, exact),
   * joinEntityNames(items)}: a name in one form also searches the entity's other names. */
  function createEntityExpansion(analyzer, vocab, names, han) {
    var keyOf = names.keyOf, isAcronym = names.isAcronym, entityByKey = names.byKey, segment = han.segment;
    // no name spans more query words than the longest name has: trying longer spans costs a long
    // query (a 500-character one) far more than it can find
    var maxWords = names.maxWords;

    /* Returns the alternatives naming an entity in every other form it has (for expansion). */
    function entityAlts(entity, literalKey) {
      var alts = [{ terms: [term("@" + entity.slug, BOOST_EXPANDED)], literal: false }], shown = [];
      entity.names.forEach(function (name) {
        var key = keyOf(name);
        if (!key || key === literalKey) return;
        var runs = analyzer.runs(name);
        var terms = [];
        runs.forEach(function (r) {
          if (r.kind === "han") {
            if (vocab.has(r.text)) terms.push(term(r.text, BOOST_EXPANDED));
            else segment(r.text).forEach(function (p) { terms.push(term(p, BOOST_EXPANDED)); });
          } else if (!analyzer.isStopWord(r.text)) {
            terms.push(term(analyzer.wordTerm(r.text), BOOST_EXPANDED));
          }
        });
        if (!terms.length) return;
        // A name of several terms would match them word by word (Thượng Hải, the city, inside a
        // text about CICA); such names reach their records through the entity tag term only.
        if (terms.length === 1) alts.push({ terms: terms, literal: false });
        if (shown.indexOf(name) < 0) shown.push(name);
      });
      return { alts: alts, shown: shown };
    }

    /* Replaces runs of consecutive word parts (and Han entity parts) naming an entity by one part
     * that also accepts the entity's other names. Returns the list of names it added. */
    function expandEntities(parts, exact) {
      var shown = [];
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].kind === "entity" || parts[i].kind === "word") {
          var found = null, span = 0;
          for (var len = Math.min(maxWords, parts.length - i); len >= 1; len--) {
            var slice = parts.slice(i, i + len);
            if (!slice.every(function (p) { return p.kind === "word" || (len === 1 && p.kind === "entity"); })) continue;
            var key = slice.map(function (p) { return p.key; }).join(" ");
            var entry = entityByKey.get(key);
            if (entry && entry.acronym && !slice.every(function (p) {
              return p.kind !== "word" || isAcronym(p.typed) || !analyzer.isStopWord(p.typed);
            })) continue;
            if (entry) { found = entry; span = len; break; }
          }
          if (!found) continue;
          var literalTerms = [];
          parts.slice(i, i + span).forEach(function (p) {
            // an entity name the index does not hold has no literal alternative
            if ((!p.part.stop || span === 1) && p.part.alts.length) literalTerms = literalTerms.concat(p.part.alts[0].terms);
          });
          var label = parts.slice(i, i + span).map(function (p) { return p.part.label; }).join(" ");
          var merged = { alts: span === 1 ? parts[i].part.alts.slice() : [{ terms: literalTerms, literal: true }],
                         stop: false, label: label };
          if (!exact) {
            var more = entityAlts(found.entity, keyOf(label));
            merged.alts = merged.alts.concat(more.alts);
            more.shown.forEach(function (s) { if (shown.indexOf(s) < 0) shown.push(s); });
          }
          parts.splice(i, span, { part: merged, kind: "done" });
        }
      }
      return shown;
    }

    /* Returns items with each run of plain words that together name an entity ("Shanghai Cooperation
     * Organisation", "Hội nghị về …") joined into one item, so that expandEntities sees the whole name;
     * the parser splits at spaces, and a name's words one by one name nothing. Longest name first. */
    function joinEntityNames(items) {
      var plain = function (it) { return !it.phrase && it.presence === "should" && it.text.indexOf("*") < 0; };
      var out = [];
      for (var i = 0; i < items.length; i++) {
        var span = 1;
        for (var len = Math.min(maxWords, items.length - i); len >= 2 && plain(items[i]); len--) {
          var slice = items.slice(i, i + len);
          if (slice.every(plain) && entityByKey.has(keyOf(slice.map(function (it) { return it.text; }).join(" ")))) {
            span = len;
            break;
          }
        }
        if (span === 1) { out.push(items[i]); continue; }
        out.push({ presence: "should", phrase: false,
                   text: items.slice(i, i + span).map(function (it) { return it.text; }).join(" ") });
        i += span - 1;
      }
      return out;
    }

    return { expandEntities: expandEntities, joinEntityNames: joinEntityNames };
  }

  /* Returns the planner bound to an analyzer, the index vocabulary and entities: {parse, segment,
   * plan, keyOf}. vocab: {has(term), containing(text) -> [terms that contain text, longer ones]} */
  function createPlanner(analyzer, vocab, entities, rules) {
    var names = createEntityNames(analyzer, entities);
    var han = createHanPlanner(vocab, names, rules);
    var expansion = createEntityExpansion(analyzer, vocab, names, han);
    var hanPieces = han.hanPieces, expandEntities = expansion.expandEntities, joinEntityNames = expansion.joinEntityNames;
    var keyOf = names.keyOf, segment = han.segment;

    /* Returns the index terms, shorter than prefix, that words starting with prefix are stemmed to:
     * the index holds "organ" for "organisations", so organi* and organis* must look for it too.
     * A term t = prefix minus a tail qualifies when t + some common ending that starts with the tail
     * stems back to t (organ + isation -> organ). */
    function stemsShorterThan(prefix) {
      var found = [];
      if (!/^[a-z]+$/.test(prefix)) return found;
      for (var k = prefix.length - 1; k >= 3; k--) {
        var t = prefix.slice(0, k), tail = prefix.slice(k);
        if (!vocab.has(t)) continue;
        if (STEM_ENDINGS.some(function (e) { return e.startsWith(tail) && analyzer.wordTerm(t + e) === t; })) found.push(t);
      }
      return found;
    }

    function wordPart(word) {
      return { alts: [{ terms: [term(analyzer.wordTerm(word))], literal: true }],
               stop: analyzer.isStopWord(word), label: word };
    }

    /* Returns the parts of one unquoted query item, in order, each tagged with how it was made. */
    function itemParts(text) {
      var parts = [];
      analyzer.runs(text).forEach(function (r) {
        var lead = text.charAt(r.start - 1) === "*", trail = text.charAt(r.end) === "*";
        if (lead || trail) {
          var flags = (lead ? LEADING : 0) | (trail ? TRAILING : 0);
          var alts = [{ terms: [term(r.text, 1, flags)], literal: true }];
          if (r.kind === "word") {
            var stemmed = analyzer.wordTerm(r.text);
            if (stemmed !== r.text) alts.push({ terms: [term(stemmed, 1, flags)], literal: true });
            if (flags === TRAILING) {
              stemsShorterThan(r.text).forEach(function (t) { alts.push({ terms: [term(t)], literal: true }); });
            }
          }
          parts.push({ part: { alts: alts, stop: false, label: (lead ? "*" : "") + r.text + (trail ? "*" : "") }, kind: "wild" });
        } else if (r.kind === "word") {
          parts.push({ part: wordPart(r.text), kind: "word", key: analyzer.wordTerm(r.text),
                       typed: text.slice(r.start, r.end) });
        } else {
          hanPieces(r.text).forEach(function (p) { parts.push(p); });
        }
      });
      return parts;
    }

    /* Returns the keys a phrase must show consecutively: word terms, and Han text char by char. */
    function phraseKeys(text) {
      var keys = [];
      analyzer.runs(text).forEach(function (r) {
        if (r.kind === "han") Array.from(r.text).forEach(function (c) { keys.push(c); });
        else keys.push(analyzer.wordTerm(r.text));
      });
      return keys;
    }

    /* Returns {clauses, expanded, matchAll} for a query string. */
    function plan(query, options) {
      options = options || {};
      var items = joinEntityNames(parse(query, rules.quotes));
      var clauses = [], expanded = [], matchAll = false;
      items.forEach(function (item) {
        if (item.phrase) {
          var pparts = itemParts(item.text.replace(/\*/g, " ")).map(function (p) { return p.part; });
          if (pparts.length) {
            clauses.push({ presence: item.presence, parts: pparts, phrase: phraseKeys(item.text),
                           stop: pparts.every(function (p) { return p.stop; }), label: "\u201c" + item.text + "\u201d" });
          }
          return;
        }
        if (/^\*+$/.test(item.text)) { if (item.presence !== "not") matchAll = true; return; }
        var parts = itemParts(item.text);
        expandEntities(parts, options.exact).forEach(function (s) { if (expanded.indexOf(s) < 0) expanded.push(s); });
        if (!parts.length) return;
        if (item.presence === "should") {
          parts.forEach(function (p) {
            clauses.push({ presence: "should", parts: [p.part], phrase: null, stop: p.part.stop, label: p.part.label,
                           group: p.part.group || null });
          });
        } else {
          clauses.push({ presence: item.presence, parts: parts.map(function (p) { return p.part; }), phrase: null,
                         stop: parts.every(function (p) { return p.part.stop; }), label: item.text });
        }
      });
      clauses.forEach(function (c) { c.parts.forEach(function (p) { p.alts = unique(p.alts); }); });
      return { clauses: clauses, expanded: expanded, matchAll: matchAll && clauses.length === 0 };
    }

    return { parse: function (q) { return parse(q, rules.quotes); }, segment: segment, plan: plan, keyOf: keyOf };
  }

  return { parse: parse, createPlanner: createPlanner, LEADING: LEADING, TRAILING: TRAILING };
});
