/* Export of ticked records (BibTeX, RIS, CSL-JSON) as a file download, and copy buttons for citations.
 *
 * Works from file:// and offline: citations are never fetched. Each record element names the script
 * that holds its citations (data-cite-src, written by bibsite/citefiles.py), which is loaded with a
 * <script> element when first needed and fills window.bibCitations = {id: {bibtex, ris, csl}}.
 *
 * Markup it reads (all events are delegated, so rows a search renders later work too):
 *   [data-export-scope]                     one list; its controls act on its records. Optional:
 *                                           data-export-name (file name without extension),
 *                                           data-export-done ("{count} exported"), data-export-failed
 *     [data-record="<id>"][data-cite-src]   a record, holding an <input type="checkbox">
 *     input[data-export-select-all]         ticks or clears every record shown
 *     [data-export="bibtex|ris|csl"]        downloads the ticked records, or all of them when none is
 *     [data-export-status]                  (optional) where the outcome is announced (role="status");
 *                                           it may carry the data-export-* messages instead of the scope
 *   button[data-copy="<element id>"]        copies that element's text; data-copied is the confirmation
 * A page whose whole result set is larger than what it renders (search) hands it over with
 * bibExport.setResultSet(scopeElement, [{id, src}, ...]).
 */
(function () {
  "use strict";

  var FORMATS = {
    bibtex: { ext: "bib", type: "application/x-bibtex", join: function (items) {
      return items.map(function (c) { return c.bibtex; }).join("\n");
    } },
    ris: { ext: "ris", type: "application/x-research-info-systems", join: function (items) {
      return items.map(function (c) { return c.ris; }).join("\n");
    } },
    csl: { ext: "json", type: "application/vnd.citationstyles.csl+json", join: function (items) {
      return JSON.stringify(items.map(function (c) { return c.csl; }), null, 2) + "\n";
    } }
  };
  var loading = {};  // script URL -> Promise, so each script is loaded once

  function table() {
    return self.bibCitations || (self.bibCitations = {});
  }

  function loadScript(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(); };
        script.onerror = function () { delete loading[src]; reject(new Error(src)); };
        document.head.appendChild(script);
      });
    }
    return loading[src];
  }

  function scopeOf(element) {
    return element.closest("[data-export-scope]") || document.body;
  }

  function recordsIn(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll("[data-record]"));
  }

  function boxOf(record) {
    return record.querySelector('input[type="checkbox"]');
  }

  function isShown(element) {
    return element.getClientRects().length > 0;
  }

  function entry(record) {
    // The script's URL is resolved against the page now, as the attribute was written relative to it.
    var src = record.getAttribute("data-cite-src");
    return { id: record.getAttribute("data-record"), src: src ? new URL(src, document.baseURI).href : "" };
  }

  /* Returns the records to export: the ticked ones, else the scope's whole result set. */
  function chosen(scope) {
    var records = recordsIn(scope);
    var ticked = records.filter(function (r) { var box = boxOf(r); return box && box.checked; });
    if (ticked.length) return ticked.map(entry);
    if (scope.bibExportResultSet) return scope.bibExportResultSet.slice();
    return records.map(entry);
  }

  /* Returns a message attribute of the scope, or of its status element (a page-wide scope is body). */
  function setting(scope, name) {
    var status = scope.querySelector("[data-export-status]");
    return scope.getAttribute(name) || (status && status.getAttribute(name)) || "";
  }

  function announce(scope, text) {
    var status = scope.querySelector("[data-export-status]");
    if (status) status.textContent = text;
  }

  function download(text, name, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function exportAs(control) {
    var scope = scopeOf(control);
    var format = FORMATS[control.getAttribute("data-export")];
    if (!format) return Promise.resolve();
    var wanted = chosen(scope);
    var sources = [];
    wanted.forEach(function (w) {
      if (!table()[w.id] && w.src && sources.indexOf(w.src) < 0) sources.push(w.src);
    });
    return Promise.all(sources.map(loadScript)).then(function () {
      var cites = wanted.map(function (w) { return table()[w.id]; }).filter(Boolean);
      if (cites.length < wanted.length) throw new Error("missing citations");
      var name = (setting(scope, "data-export-name") || "bibliography") + "." + format.ext;
      download(format.join(cites), name, format.type);
      announce(scope, (setting(scope, "data-export-done") || "{count}").replace("{count}", String(cites.length)));
    }).catch(function () {
      announce(scope, setting(scope, "data-export-failed") || "Export failed");
    });
  }

  function selectAll(box) {
    recordsIn(scopeOf(box)).forEach(function (record) {
      var own = boxOf(record);
      if (own && isShown(record)) own.checked = box.checked;
    });
  }

  function syncSelectAll(scope) {
    var all = scope.querySelector("input[data-export-select-all]");
    if (!all) return;
    var shown = recordsIn(scope).filter(isShown).map(boxOf).filter(Boolean);
    var ticked = shown.filter(function (b) { return b.checked; }).length;
    all.checked = shown.length > 0 && ticked === shown.length;
    all.indeterminate = ticked > 0 && ticked < shown.length;
  }

  function copyText(text) {
    if (navigator.clipboard && self.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(text); });
    }
    return copyBySelection(text);
  }

  function copyBySelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function copyStatus(button) {
    var next = button.nextElementSibling;
    if (next && next.getAttribute("role") === "status") return next;
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "copy-status";
    button.insertAdjacentElement("afterend", status);
    return status;
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) return Promise.resolve();
    var status = copyStatus(button);
    return copyText(target.textContent).then(function () {
      status.textContent = button.getAttribute("data-copied") || "Copied";
    }, function () {
      status.textContent = button.getAttribute("data-copy-failed") || "Copy failed";
    });
  }

  document.addEventListener("click", function (event) {
    var control = event.target.closest("[data-export]");
    if (control) {
      event.preventDefault();
      exportAs(control);
      return;
    }
    var button = event.target.closest("button[data-copy]");
    if (button) copy(button);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches("input[data-export-select-all]")) selectAll(box);
    else if (box.matches('[data-record] input[type="checkbox"]')) syncSelectAll(scopeOf(box));
  });

  self.bibExport = {
    setResultSet: function (scope, entries) {
      scope.bibExportResultSet = entries.map(function (e) {
        return { id: e.id, src: e.src ? new URL(e.src, document.baseURI).href : "" };
      });
    }
  };
})();
