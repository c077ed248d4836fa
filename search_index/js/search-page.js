/* The search page: results as you type, filters, the URL, keyboard use, loading on demand.
 *
 * Record text is scraped and untrusted, so every piece of it reaches the page through textContent
 * or createTextNode, never innerHTML. The index comes in pieces, each a script (fetch() is blocked
 * on file:// pages; search_index/FORMAT.md): search.html names only the small root (index.js), in
 * its head; a query loads the term shards it touches (js/engine.js says which), and the results on
 * screen load the text fragments holding their titles and snippets. Every piece loaded stays
 * loaded for the rest of the visit.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 50;
  var FIRST_CHUNK = 10;
  var REST_DELAY_MS = 150;
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
  var sortSelect = document.getElementById("search-sort");
  var exportScope = page.querySelector("[data-export-scope]");
  var root = page.getAttribute("data-root") || "";
  var facetsUI = BibFacets.create(document.getElementById("search-facets"), document.getElementById("search-facet-groups"),
                                  strings, facetLabel, onFacet);

  var engine = null;
  var current = null;   // the last search's outcome
  var shown = 0;
  var timer = null;
  var loads = {};       // file name -> promise that its script ran
  var asked = 0;        // numbers searches, so that a slow one superseded by more typing shows nothing
  var rules = null;

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

  /* Returns a promise that these files of the index folder have run, each loaded once a visit. */
  function loadParts(names) {
    return Promise.all(names.map(function (name) {
      if (!loads[name]) {
        loads[name] = loadScript(assets + name);
        loads[name].catch(function () { delete loads[name]; });  // a failed piece may be tried again
      }
      return loads[name];
    }));
  }

  // Facet filters (year=, author=, journal=, org=, repeatable) and the order (sort=): the URL sets
  // and keeps them, the facets (js/facets.js) and the sort select change them.
  var FACET_PARAMS = ["year", "author", "journal", "org"];
  var SORTS = ["relevance", "newest", "oldest"];
  var facetFilters = {};
  var sortOrder = "relevance";

  function readParams() {
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";
    typeSelect.value = ["abstract", "glossary"].indexOf(params.get("type")) >= 0 ? params.get("type") : "";
    langSelect.value = ["zh", "en", "vi"].indexOf(params.get("lang")) >= 0 ? params.get("lang") : "";
    exactBox.checked = params.get("exact") === "1";
    facetFilters = {};
    FACET_PARAMS.forEach(function (name) {
      var values = params.getAll(name).filter(Boolean);
      if (values.length) facetFilters[name] = values;
    });
    sortOrder = SORTS.indexOf(params.get("sort")) >= 0 ? params.get("sort") : "relevance";
    sortSelect.value = sortOrder;
  }

  /* Returns a facet value's shown text and language tag: an organisation's first name, a language's name. */
  function facetLabel(name, value) {
    if (name === "language") return [strings["lang_" + value] || value, ""];
    if (name === "org") {
      var entity = (self.__BIB_INDEX__.entities || []).filter(function (e) { return e.slug === value; })[0];
      var shown = entity ? entity.names[0] : value;
      return [shown, nameTag(shown)];
    }
    return [value, nameTag(value)];
  }

  function onFacet(param, values) {
    if (param === "lang") langSelect.value = values[0] || "";
    else if (values.length) facetFilters[param] = values;
    else delete facetFilters[param];
    search();
  }

  // Keeps the query and filters in the address, so a search can be bookmarked and shared.
  function writeParams() {
    var params = new URLSearchParams();
    if (input.value) params.set("q", input.value);
    if (typeSelect.value) params.set("type", typeSelect.value);
    if (langSelect.value) params.set("lang", langSelect.value);
    if (exactBox.checked) params.set("exact", "1");
    FACET_PARAMS.forEach(function (name) {
      (facetFilters[name] || []).forEach(function (value) { params.append(name, value); });
    });
    if (sortOrder !== "relevance") params.set("sort", sortOrder);
    var query = params.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    } catch (e) {
      // some browsers refuse history changes on file:// pages; the search still works
    }
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
    var blocks = result.record.blocks;
    var snippet = item.querySelector(".result-snippet");
    if (!blocks || !snippet) return;
    var terms = engine.highlightTerms(current, result);
    // the block that holds a match, in the interface's language when more than one does, else
    // the block holding most matches
    var ui = document.documentElement.lang, best = null, bestHits = null, bestOwn = false;
    blocks.forEach(function (block) {
      var hits = BibHighlight.ranges(engine.analyzer, block[1], terms);
      var own = hits.length > 0 && langTag(block[0]) === ui;
      if (!best || (own && !bestOwn) || (own === bestOwn && hits.length > bestHits.length)) {
        best = block; bestHits = hits; bestOwn = own;
      }
    });
    if (!best) return;
    clear(snippet);
    snippet.setAttribute("lang", langTag(best[0]));
    appendPieces(snippet, BibHighlight.snippet(best[1], bestHits, 220));
  }

  /* Returns the BCP 47 tag screen readers and fonts expect for a record language code
   * (rules.json's lang_tags, which the Python pages use too). */
  function langTag(code) {
    return rules.lang_tags[code] || code;
  }

  // whether a text holds a Chinese character (rules.json's han_ranges, via the analyzer)
  function hasHan(text) {
    return Array.from(text).some(function (ch) { return engine.analyzer.isHan(ch); });
  }

  /* Returns the language tag of an entity name shown in the "also searched" line. */
  function nameTag(name) {
    return hasHan(name) ? langTag("zh") : new RegExp("[" + rules.vietnamese_letters + "]", "u").test(name) ? langTag("vi") : langTag("en");
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
    link.setAttribute("lang", hasHan(record.title) ? langTag("zh") : langTag(record.lang));
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
    BibResultsExport.decorate(item, result, strings, root);
    return item;
  }

  /* Shows the next page of results, each once the text fragment holding its title and snippet is
   * loaded: the first FIRST_CHUNK as soon as theirs are (most of a first page's wait is fifty small
   * scripts), then the rest. Returns a promise that all are shown (or that a newer search made them
   * moot); onFirst runs when the first are. */
  var rendering = Promise.resolve(), renderingFor = null;
  function showMore(onFirst) {
    var outcome = current, results = outcome.results;
    // pages of one search show in order; a new search need not wait for the last one's pages
    if (renderingFor !== outcome) { rendering = Promise.resolve(); renderingFor = outcome; }
    var batch = results.slice(shown, Math.min(results.length, shown + PAGE_SIZE));
    shown += batch.length;
    moreButton.hidden = shown >= results.length;
    var chunks = [batch.slice(0, FIRST_CHUNK), batch.slice(FIRST_CHUNK)];
    // The rest is asked for a moment after the first are shown, if no newer search came: scripts load
    // one after another, and the rest of a page superseded by more typing would hold up the next
    // query's shards.
    chunks.forEach(function (chunk, c) {
      rendering = rendering.then(function () {
        if (c === 0) return loadParts(engine.fragmentsOf(chunk).concat(BibResultsExport.parts()));
        return new Promise(function (resolve) { setTimeout(resolve, REST_DELAY_MS); }).then(function () {
          return outcome === current ? loadParts(engine.fragmentsOf(chunk).concat(BibResultsExport.parts())) : null;
        });
      }).then(function () {
        if (outcome !== current) return;
        var fragment = document.createDocumentFragment();
        chunk.forEach(function (result) { fragment.appendChild(renderItem(result)); });
        list.appendChild(fragment);
        if (c === 0 && onFirst) onFirst();
      }, function () {
        if (outcome === current) status.textContent = strings.load_failed;
      });
    });
    return rendering;
  }

  function renderNone() {
    clear(noneBox);
    var tips = [strings.none];
    if (typeSelect.value || langSelect.value || Object.keys(facetFilters).length) tips.push(strings.none_filters);
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
    outcome.query = query;
    shown = 0;
    clear(list);
    noneBox.hidden = true;
    moreButton.hidden = true;
    var n = outcome.results.length;
    facetsUI.update(outcome.facets, facetFilters, langSelect.value);
    BibResultsExport.setResultSet(exportScope, outcome.results, root, loadParts);
    status.textContent = (n === 1 ? strings.count_one : format(strings.count, { n: n }))
      + (outcome.truncated ? " " + format(strings.query_cut, { n: rules.max_query }) : "")
      + (outcome.partial ? " " + format(strings.partial, { query: outcome.partial.missing || query.trim(),
                                                             parts: outcome.partial.shown.join(", ") }) : "");
    // the other names of an entity, then the translations that were searched too, as written
    var also = outcome.expanded.slice();
    (outcome.crossLingual || []).forEach(function (used) {
      var shown = used[3] || used[1];
      if (also.indexOf(shown) < 0) also.push(shown);
    });
    if (also.length) {
      showExpanded(also);
      expandedLine.hidden = false;
    } else {
      expandedLine.hidden = true;
    }
    // the list says which query its first results (data-first-query) and its whole first page
    // (data-query) show, once they are on screen: the benchmark and the tests wait for them
    var first = function () { if (current === outcome) list.setAttribute("data-first-query", query); };
    var shownAll = n ? showMore(first) : Promise.resolve(renderNone()).then(first);
    return shownAll.then(function () { if (current === outcome) list.setAttribute("data-query", query); });
  }

  function options() {
    return { type: typeSelect.value, lang: langSelect.value, exact: exactBox.checked, filters: facetFilters, sort: sortOrder,
             facets: BibFacets.NAMES };
  }

  /* Searches what the box holds; returns a promise that its results are shown. */
  function search() {
    writeParams();
    if (!engine) return Promise.resolve();
    var query = input.value, ticket = ++asked;
    if (!query.trim()) {
      current = null;
      clear(list);
      list.setAttribute("data-query", query);
      list.setAttribute("data-first-query", query);
      noneBox.hidden = true;
      moreButton.hidden = true;
      expandedLine.hidden = true;
      facetsUI.update({}, facetFilters, langSelect.value);
      status.textContent = strings.prompt;
      return Promise.resolve();
    }
    return engine.searchLoading(query, options(), loadParts).then(function (outcome) {
      if (ticket === asked) return render(outcome, query);
    }, function () {
      if (ticket === asked) status.textContent = strings.load_failed;
    });
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
  sortSelect.addEventListener("change", function () { sortOrder = sortSelect.value; search(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); search(); });
  // The next page's phrases are checked too (js/engine.js checks the first `verify` results): search
  // again with a longer page; the results already shown stay where they are.
  moreButton.addEventListener("click", function () {
    var before = current;
    if (!before) return;
    engine.searchLoading(before.query, Object.assign(options(), { verify: shown + PAGE_SIZE }), loadParts).then(function (outcome) {
      if (current !== before) return;
      outcome.query = before.query;
      current = outcome;
      showMore();
    });
  });
  page.addEventListener("keydown", onKey);

  /* The benchmark's and the tests' hook (tests/bench.py): ready() tells whether the root is loaded;
   * search(q, options) returns a promise for the results of q, each record's text fragment loaded. */
  window.bibSearch = {
    ready: function () { return engine !== null; },
    search: function (q, opts) {
      if (!engine) return Promise.resolve([]);
      return engine.searchLoading(q, opts || {}, loadParts).then(function (outcome) {
        return loadParts(engine.fragmentsOf(outcome.results)).then(function () { return outcome.results; });
      });
    },
    loaded: function () { return Object.keys(loads).sort(); }
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
    engine = BibEngine.createEngine(self.__BIB_INDEX__);
    rules = self.__BIB_INDEX__.rules;
    mark("engine-ready");
    page.removeAttribute("aria-busy");
    page.setAttribute("data-ready", "true");
    search().then(function () { mark("first-search"); });
  }).catch(function () {
    page.removeAttribute("aria-busy");
    status.textContent = strings.load_failed;
  });
})();
