/* The search page: results as you type, filters, the URL, keyboard use, loading on demand.
 *
 * Record text is scraped and untrusted, so every piece of it reaches the page through textContent
 * or createTextNode, never innerHTML. The index is a script (fetch() of JSON is blocked on file://
 * pages) that only search.html names, in its head, async, so it loads while the page does and no
 * other page pays for it; record text comes in shards (docs-<n>.js) loaded for the results on
 * screen. Nothing is unpacked at load (js/engine.js decodes a term when a query needs it).
 */
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var DEBOUNCE_MS = 120;

  var page = document.getElementById("search-page");
  if (!page) return;
  var assets = page.getAttribute("data-assets") || "";
  var strings = JSON.parse(document.getElementById("search-strings").textContent);
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var typeSelect = document.getElementById("search-type");
  var langSelect = document.getElementById("search-lang");
  var exactBox = document.getElementById("search-exact");
  var status = document.getElementById("search-status");
  var expandedLine = document.getElementById("search-expanded");
  var noneBox = document.getElementById("search-none");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");

  var engine = null;
  var data = null;
  var current = null;   // the last search's outcome
  var shown = 0;
  var timer = null;
  var shardLoads = {};

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  /* Returns a promise for a script inserted into the page (the way to load data from file://). */
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function readParams() {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    typeSelect.value = ["abstract", "glossary"].indexOf(params.get("type")) >= 0 ? params.get("type") : "";
    langSelect.value = ["zh", "en", "vi"].indexOf(params.get("lang")) >= 0 ? params.get("lang") : "";
    exactBox.checked = params.get("exact") === "1";
  }

  // Keeps the query and filters in the address, so a search can be bookmarked and shared.
  function writeParams() {
    var params = new URLSearchParams();
    if (input.value) params.set("q", input.value);
    if (typeSelect.value) params.set("type", typeSelect.value);
    if (langSelect.value) params.set("lang", langSelect.value);
    if (exactBox.checked) params.set("exact", "1");
    var query = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    } catch (e) {
      // some browsers refuse history changes on file:// pages; the search still works
    }
  }

  function shardOf(ordinal) {
    return Math.floor(ordinal / data.shard_size);
  }

  function getDoc(ordinal) {
    var shards = self.__BIB_DOCS__;
    var shard = shards && shards[shardOf(ordinal)];
    return shard ? shard[ordinal % data.shard_size] : undefined;
  }

  /* Returns a promise that the record text of these ordinals is loaded. */
  function loadDocs(ordinals) {
    var wanted = {};
    ordinals.forEach(function (o) { wanted[shardOf(o)] = true; });
    return Promise.all(Object.keys(wanted).map(function (shard) {
      if (!shardLoads[shard]) shardLoads[shard] = loadScript(assets + "docs-" + shard + ".js");
      return shardLoads[shard];
    }));
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function appendPieces(node, pieces) {
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement("mark");
        mark.textContent = piece.text;
        node.appendChild(mark);
      } else {
        node.appendChild(document.createTextNode(piece.text));
      }
    });
  }

  function highlighted(text, terms) {
    var hits = BibHighlight.ranges(engine.analyzer, text, terms);
    return BibHighlight.snippet(text, hits, Math.max(text.length, 1));
  }

  /* Fills a result's snippet from the block holding most matches, once its text is loaded. */
  function fillSnippet(item, result) {
    var blocks = getDoc(result.record.ordinal);
    var snippet = item.querySelector(".result-snippet");
    if (!blocks || !snippet) return;
    var terms = engine.highlightTerms(current, result);
    var best = null, bestHits = null;
    blocks.forEach(function (block) {
      var hits = BibHighlight.ranges(engine.analyzer, block[1], terms);
      if (!best || hits.length > bestHits.length) { best = block; bestHits = hits; }
    });
    if (!best) return;
    clear(snippet);
    snippet.setAttribute("lang", langTag(best[0]));
    appendPieces(snippet, BibHighlight.snippet(best[1], bestHits, 220));
  }

  var HAN = /\p{Script=Han}/u;
  var VIETNAMESE = /[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]/u;

  /* Returns the BCP 47 tag screen readers and fonts expect for a record language code. */
  function langTag(code) {
    return code === "zh" ? "zh-Hans" : code;
  }

  /* Returns the language tag of an entity name shown in the "also searched" line. */
  function nameTag(name) {
    return HAN.test(name) ? "zh-Hans" : VIETNAMESE.test(name) ? "vi" : "en";
  }

  /* Fills the "also searched" line: the UI's sentence, each name in a span marked with its language. */
  function showExpanded(names) {
    clear(expandedLine);
    var parts = strings.also_searched.split("{names}");
    expandedLine.appendChild(document.createTextNode(parts[0]));
    names.forEach(function (name, i) {
      if (i) expandedLine.appendChild(document.createTextNode(", "));
      var span = document.createElement("span");
      span.setAttribute("lang", nameTag(name));
      span.textContent = name;
      expandedLine.appendChild(span);
    });
    expandedLine.appendChild(document.createTextNode(parts.slice(1).join("{names}")));
  }

  function renderItem(result) {
    var record = result.record;
    var item = document.createElement("li");
    item.className = "search-result";
    item.setAttribute("data-record-id", record.id);
    var link = document.createElement("a");
    link.className = "result-title";
    link.href = record.url;
    // A glossary entry's title is its Chinese term even when its first text is Vietnamese.
    link.setAttribute("lang", HAN.test(record.title) ? "zh-Hans" : langTag(record.lang));
    appendPieces(link, highlighted(record.title, engine.highlightTerms(current, result)));
    var heading = document.createElement("h2");
    heading.appendChild(link);
    item.appendChild(heading);
    var meta = document.createElement("p");
    meta.className = "result-meta";
    var langs = record.langs.map(function (l) { return strings["lang_" + l] || l; }).join(", ");
    meta.textContent = (strings["type_" + record.type] || record.type) + " · " + langs;
    item.appendChild(meta);
    var snippet = document.createElement("p");
    snippet.className = "result-snippet";
    item.appendChild(snippet);
    fillSnippet(item, result);
    return item;
  }

  function showMore() {
    var results = current.results;
    var upto = Math.min(results.length, shown + PAGE_SIZE);
    var batch = results.slice(shown, upto);
    var fragment = document.createDocumentFragment();
    var items = batch.map(function (result) {
      var item = renderItem(result);
      fragment.appendChild(item);
      return item;
    });
    list.appendChild(fragment);
    shown = upto;
    moreButton.hidden = shown >= results.length;
    var outcome = current;
    // Snippets need the record text: ask for it in a later task, so the titles show first and a
    // search superseded by more typing asks for nothing.
    setTimeout(function () {
      if (outcome !== current) return;
      loadDocs(batch.map(function (r) { return r.record.ordinal; })).then(function () {
        if (outcome !== current) return;
        items.forEach(function (item, i) { fillSnippet(item, batch[i]); });
      }, function () {});
    }, 0);
  }

  function renderNone() {
    clear(noneBox);
    var tips = [strings.none];
    if (typeSelect.value || langSelect.value) tips.push(strings.none_filters);
    if (exactBox.checked) tips.push(strings.none_exact);
    tips.push(strings.none_spelling);
    tips.forEach(function (tip) {
      var p = document.createElement("p");
      p.textContent = tip;
      noneBox.appendChild(p);
    });
    noneBox.hidden = false;
  }

  function render(outcome, query) {
    current = outcome;
    list.setAttribute("data-query", query);
    shown = 0;
    clear(list);
    noneBox.hidden = true;
    moreButton.hidden = true;
    var n = outcome.results.length;
    status.textContent = n === 1 ? strings.count_one : format(strings.count, { n: n });
    if (outcome.expanded.length) {
      showExpanded(outcome.expanded);
      expandedLine.hidden = false;
    } else {
      expandedLine.hidden = true;
    }
    if (!n) renderNone(); else showMore();
  }

  function search() {
    writeParams();
    if (!engine) return;
    var query = input.value;
    if (!query.trim()) {
      current = null;
      clear(list);
      list.setAttribute("data-query", query);
      noneBox.hidden = true;
      moreButton.hidden = true;
      expandedLine.hidden = true;
      status.textContent = strings.prompt;
      return;
    }
    var options = { type: typeSelect.value, lang: langSelect.value, exact: exactBox.checked, getDoc: getDoc };
    var outcome = engine.search(query, options);
    render(outcome, query);
    if (outcome.pending) {
      // a phrase can only be checked against record text: load the candidates' shards, then redo
      loadDocs(outcome.results.map(function (r) { return r.record.ordinal; })).then(function () {
        if (current === outcome) render(engine.search(query, options), query);
      }, function () {});
    }
  }

  function searchSoon() {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  }

  function resultLinks() {
    return Array.prototype.slice.call(list.querySelectorAll(".result-title"));
  }

  // Arrow keys move between the box and the results; Enter follows the focused link; Escape
  // returns to the box.
  function onKey(event) {
    var links = resultLinks();
    var at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      if (document.activeElement === input || at >= 0) {
        var next = links[at + 1];
        if (next) { next.focus(); event.preventDefault(); }
      }
    } else if (event.key === "ArrowUp" && at >= 0) {
      (at === 0 ? input : links[at - 1]).focus();
      event.preventDefault();
    } else if (event.key === "Escape" && at >= 0) {
      input.focus();
      event.preventDefault();
    }
  }

  readParams();
  status.textContent = strings.loading;
  page.setAttribute("aria-busy", "true");
  input.addEventListener("input", searchSoon);
  [typeSelect, langSelect, exactBox].forEach(function (el) { el.addEventListener("change", search); });
  form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); search(); });
  moreButton.addEventListener("click", function () { if (current) showMore(); });
  page.addEventListener("keydown", onKey);

  /* The benchmark's hook (tests/bench.py): ready() tells whether the index is loaded; search(q)
   * returns the results of q (no filters) synchronously once it is. */
  window.bibSearch = {
    ready: function () { return engine !== null; },
    search: function (q) { return engine ? engine.search(q, { getDoc: getDoc }).results : []; }
  };

  // performance marks name the loading steps for the benchmark and for DevTools
  function mark(name) {
    if (window.performance && performance.mark) performance.mark("bib:" + name);
  }

  /* Returns a promise that the index script has run. search.html starts it from the page head
   * (#search-index); it may have run, or failed, before this script: the window's load event,
   * which waits for it, tells which. */
  function indexLoaded() {
    var script = document.getElementById("search-index");
    if (!script) return loadScript(assets + "index.js");
    return new Promise(function (resolve, reject) {
      function settle() {
        if (self.__BIB_INDEX__) resolve(); else reject(new Error("could not load the index"));
      }
      if (self.__BIB_INDEX__ || document.readyState === "complete") { settle(); return; }
      script.addEventListener("load", settle);
      script.addEventListener("error", settle);
      window.addEventListener("load", settle);
    });
  }

  mark("start");
  indexLoaded().then(function () {
    mark("index-loaded");
    data = self.__BIB_INDEX__;
    engine = BibEngine.createEngine(data);
    mark("engine-ready");
    page.removeAttribute("aria-busy");
    page.setAttribute("data-ready", "true");
    search();
    mark("first-search");
    // the table behind Chinese substring matches, built while the reader looks at the first results
    var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); };
    idle(function () { engine.warm(); });
  }).catch(function () {
    page.removeAttribute("aria-busy");
    status.textContent = strings.load_failed;
  });
})();
