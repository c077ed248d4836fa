/* Where the matched words are in a record's original text, and which stretch of it to show.
 *
 * Matching runs on analysed terms (a stemmed word, a folded Han term) but the user sees the text as
 * it was written, so the analyzer's offsets map every hit back to the original characters.
 */
(function (root, factory) {
  if (typeof module === "object" && module.exports) {
    module.exports = factory();
  } else {
    root.BibHighlight = factory();
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /* Returns sorted, merged [start, end) ranges of text (UTF-16 offsets) that hold one of terms, or
   * one of the key sequences of terms.phrases, whole. */
  function ranges(analyzer, text, terms) {
    var found = [];
    var hanTerms = [];
    terms.forEach(function (t) { if (t && analyzer.isHan(Array.from(t)[0])) hanTerms.push(Array.from(t)); });
    var seq = [];  // phrase keys with their offsets: word terms, and Han text char by char
    analyzer.runs(text).forEach(function (r) {
      if (r.kind === "han") {
        Array.from(r.text).forEach(function (c, i) { seq.push([c, r.charStarts[i], r.charEnds[i]]); });
      } else {
        seq.push([analyzer.wordTerm(r.text), r.start, r.end]);
      }
    });
    (terms.phrases || []).forEach(function (keys) {
      outer: for (var s = 0; s + keys.length <= seq.length; s++) {
        for (var k = 0; k < keys.length; k++) { if (seq[s + k][0] !== keys[k]) continue outer; }
        found.push([seq[s][1], seq[s + keys.length - 1][2]]);
      }
    });
    analyzer.runs(text).forEach(function (r) {
      if (r.kind === "word") {
        if (terms.has(analyzer.wordTerm(r.text))) found.push([r.start, r.end]);
        return;
      }
      var chars = Array.from(r.text);
      hanTerms.forEach(function (t) {
        for (var i = 0; i + t.length <= chars.length; i++) {
          var k = 0;
          while (k < t.length && chars[i + k] === t[k]) k++;
          if (k === t.length) found.push([r.charStarts[i], r.charEnds[i + t.length - 1]]);
        }
      });
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    found.forEach(function (f) {
      var last = merged[merged.length - 1];
      if (last && f[0] <= last[1]) last[1] = Math.max(last[1], f[1]);
      else merged.push([f[0], f[1]]);
    });
    return merged;
  }

  // a Latin letter or digit, which a cut must not fall between (Han text has no spaces: cut anywhere)
  var WORD = /[\p{Script=Latin}\p{N}\p{M}]/u;

  function safeCut(text, i) {
    // never split a surrogate pair
    var c = text.charCodeAt(i);
    return c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
  }

  /* Returns [{text, mark}] pieces of a window of about `width` characters around the densest
   * stretch of hits, with an ellipsis where the text was cut. */
  function snippet(text, hits, width) {
    width = width || 200;
    var start = 0;
    if (text.length > width && hits.length) {
      var best = 0, bestCount = -1;
      for (var i = 0; i < hits.length; i++) {
        var count = 0;
        for (var j = i; j < hits.length && hits[j][1] <= hits[i][0] + width; j++) count++;
        if (count > bestCount) { bestCount = count; best = i; }
      }
      start = Math.max(0, Math.min(hits[best][0] - Math.floor(width / 5), text.length - width));
      // start after a space when one is near, so a Latin word is not cut in two
      var space = text.slice(start, hits[best][0]).search(/\s/);
      if (space >= 0 && space < 25) start += space + 1;
      else if (start > 0 && WORD.test(text.charAt(start - 1)) && WORD.test(text.charAt(start))) {
        // no space ahead before the hit: go back to the start of the word instead
        var before = text.slice(Math.max(0, start - 30), start).search(/\S*$/);
        start = Math.max(0, start - 30) + before;
      }
      start = safeCut(text, start);
    }
    var end = safeCut(text, Math.min(text.length, start + width));
    if (end < text.length && text.length - end < 10) end = text.length;
    // end at a space when the cut falls inside a Latin word ("collecti…"), keeping the hits shown
    if (end < text.length && WORD.test(text.charAt(end - 1)) && WORD.test(text.charAt(end))) {
      var lastHit = hits.length ? hits[hits.length - 1][1] : 0;
      var back = text.slice(Math.max(start, end - 30), end).search(/\s\S*$/);
      if (back >= 0) {
        var cut = Math.max(start, end - 30) + back;
        if (cut > start && (cut >= lastHit || lastHit > end)) end = cut;
      }
    }
    var pieces = [];
    if (start > 0) pieces.push({ text: "\u2026", mark: false });
    var pos = start;
    hits.forEach(function (h) {
      var a = Math.max(h[0], start), b = Math.min(h[1], end);
      if (b <= a || a < pos) return;
      if (a > pos) pieces.push({ text: text.slice(pos, a), mark: false });
      pieces.push({ text: text.slice(a, b), mark: true });
      pos = b;
    });
    if (pos < end) pieces.push({ text: text.slice(pos, end), mark: false });
    if (end < text.length) pieces.push({ text: "\u2026", mark: false });
    return pieces;
  }

  return { ranges: ranges, snippet: snippet };
});
