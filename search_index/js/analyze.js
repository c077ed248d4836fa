/* Query-side text analysis: the browser twin of search_index/analyze.py.
 *
 * Both halves read the same rules (search_index/rules.json, shipped inside the index script) and
 * must turn every word into the same term; tests/test_search_parity.py runs the corpus through
 * both. lunr.js's own trimmer and stop-word filter are not used: the trimmer's ASCII \W empties
 * Chinese tokens and cuts Vietnamese letters, and the stop words are Vietnamese syllables.
 * Stemming is lunr.stemmer itself, which search_index/stemmer.py reproduces.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory(require("lunr"));
  } else {
    root.BibAnalyze = factory(root.lunr);
  }
})(typeof self !== "undefined" ? self : this, function (lunr) {
  "use strict";

  var MARK = /\p{M}/u;
  var WORD = /[\p{L}\p{N}]/u;
  var SPACES = { " ": 1, "\t": 1, "\n": 1, "\r": 1, "\f": 1, "\v": 1 };
  var ASCII_ALPHA = /^[a-z]+$/;

  function createAnalyzer(rules, ts) {
    ts = ts || {};
    var hanRanges = rules.han_ranges;
    var foldMap = rules.fold;
    var apostrophes = rules.apostrophes;
    var stopWords = new Set(rules.stop_words_en);
    var spelling = rules.spelling;
    var keep = new Set(spelling.keep);
    var foldCache = new Map();
    var termCache = new Map();

    function isHan(ch) {
      var cp = ch.codePointAt(0);
      for (var i = 0; i < hanRanges.length; i++) {
        if (cp >= hanRanges[i][0] && cp <= hanRanges[i][1]) return true;
      }
      return false;
    }

    function isWordChar(ch) {
      return WORD.test(ch);
    }

    // Same steps as analyze.fold_char: NFKC, lowercase, drop combining marks, fold table, T->S.
    function foldChar(ch) {
      var hit = foldCache.get(ch);
      if (hit !== undefined) return hit;
      var out = "";
      for (var c of ch.normalize("NFKC").toLowerCase()) {
        for (var d of c.normalize("NFD")) {
          if (MARK.test(d)) continue;
          d = foldMap[d] || d;
          out += ts[d] || d;
        }
      }
      foldCache.set(ch, out);
      return out;
    }

    /* Returns {chars, start, end}: the folded text as an array of characters, and for each one the
     * UTF-16 offsets in the original text of the character it came from (for highlighting). */
    function normalise(text) {
      var chars = [], start = [], end = [];
      var offset = 0;
      for (var ch of text) {
        var folded = foldChar(ch);
        for (var f of folded) {
          chars.push(f);
          start.push(offset);
          end.push(offset + ch.length);
        }
        offset += ch.length;
      }
      return { chars: chars, start: start, end: end };
    }

    /* Returns the pieces of text as [{kind: "han"|"word", text, start, end, charStarts, charEnds}],
     * start/end being offsets in the original text; the same cuts as analyze.runs. */
    function runs(text) {
      var norm = normalise(text);
      var chars = norm.chars, n = chars.length, out = [];
      var i = 0;
      while (i < n) {
        var ch = chars[i];
        if (isHan(ch)) {
          var j = i, buf = [], starts = [], ends = [];
          while (j < n) {
            if (isHan(chars[j])) {
              buf.push(chars[j]); starts.push(norm.start[j]); ends.push(norm.end[j]);
              j++;
              continue;
            }
            var k = j;
            while (k < n && SPACES[chars[k]]) k++;
            if (k > j && k < n && isHan(chars[k])) { j = k; continue; }
            break;
          }
          out.push({ kind: "han", text: buf.join(""), start: starts[0], end: ends[ends.length - 1],
                     charStarts: starts, charEnds: ends });
          i = j;
        } else if (isWordChar(ch)) {
          var w = i;
          while (w < n && isWordChar(chars[w]) && !isHan(chars[w])) w++;
          var word = chars.slice(i, w).join("");
          var possessive = word === "s" && i >= 2 && apostrophes.indexOf(chars[i - 1]) >= 0 && isWordChar(chars[i - 2]);
          if (!possessive) out.push({ kind: "word", text: word, start: norm.start[i], end: norm.end[w - 1] });
          i = w;
        } else {
          i++;
        }
      }
      return out;
    }

    function respell(word) {
      if (keep.has(word)) return word;
      var i, rule;
      for (i = 0; i < spelling.prefix.length; i++) {
        rule = spelling.prefix[i];
        if (word.startsWith(rule[0])) return rule[1] + word.slice(rule[0].length);
      }
      for (i = 0; i < spelling.suffix.length; i++) {
        rule = spelling.suffix[i];
        if (word.endsWith(rule[0]) && word.length - rule[0].length >= spelling.min_stem) {
          return word.slice(0, word.length - rule[0].length) + rule[1];
        }
      }
      return word;
    }

    // Same as analyze.word_term: ASCII words are respelled and stemmed, others kept as they are.
    function wordTerm(word) {
      var hit = termCache.get(word);
      if (hit !== undefined) return hit;
      var term = ASCII_ALPHA.test(word) ? lunr.stemmer(new lunr.Token(respell(word))).toString() : word;
      termCache.set(word, term);
      return term;
    }

    function isStopWord(word) {
      return stopWords.has(word);
    }

    return {
      isHan: isHan,
      isWordChar: isWordChar,
      foldChar: foldChar,
      normalise: normalise,
      runs: runs,
      respell: respell,
      wordTerm: wordTerm,
      isStopWord: isStopWord
    };
  }

  return { createAnalyzer: createAnalyzer };
});
