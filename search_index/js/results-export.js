/* Search results as a list the export (assets/export.js) and Zotero's connector can read: each
 * result row gets a checkbox, data-record and data-cite-src, and its COinS span; the page hands the
 * whole result set to the export, so that with nothing ticked every result is exported.
 *
 * Nothing here knows a rule of the build: a record's COinS title comes ready from its text fragment
 * (the row's fifth entry, bibsite/coins.py via the pipeline), and the script holding its citations
 * from the "cite" facet column (bibsite/citefiles.py's script_path), a path under the site root.
 */
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  var COLUMN = "facet-cite";

  /* Returns [citation script path, record id] of a record ordinal from the "cite" column
   * ("<path>#<id>"), or null when the column is not loaded. */
  function cite(ordinal) {
    var column = (self.__BIB_PARTS__ || {})[COLUMN];
    var row = column && column.rows[ordinal];
    if (!row || !row.length) return null;
    var value = column.values[row[0]], at = value.indexOf("#");
    return [value.slice(0, at), value.slice(at + 1)];
  }

  function citePath(ordinal) {
    var found = cite(ordinal);
    return found ? found[0] : "";
  }

  /* Adds a result row's checkbox, export attributes and COinS; root is the site root, relative to the page. */
  function decorate(item, result, strings, root) {
    var record = result.record, path = citePath(record.ordinal);
    item.setAttribute("data-record", record.id);
    if (path) item.setAttribute("data-cite-src", root + path);
    var tick = document.createElement("input");
    tick.type = "checkbox";
    tick.className = "result-select";
    tick.setAttribute("aria-label", format(strings.select_result, { title: record.title }));
    item.insertBefore(tick, item.firstChild);
    var row = record.row();
    if (row && row[4]) {
      var coins = document.createElement("span");
      coins.className = "Z3988";
      coins.title = row[4];
      item.appendChild(coins);
    }
  }

  /* Returns the index files the rows need besides their text: the "cite" column, when the index has one. */
  function parts() {
    var index = self.__BIB_INDEX__;
    return index && (index.facets || []).indexOf("cite") >= 0 ? [COLUMN + ".js"] : [];
  }

  /* Hands the export every result of the search (not only those on screen), once the "cite" column
   * is loaded (load(names) returns a promise that those index files ran); returns that promise. */
  function setResultSet(scope, results, root, load) {
    if (!self.bibExport || !parts().length) return Promise.resolve();
    return load(parts()).then(function () {
      self.bibExport.setResultSet(scope, results.map(function (r) {
        var found = cite(r.record.ordinal);
        return { id: found[1], src: root + found[0] };
      }));
      scope.setAttribute("data-result-set", String(results.length));
    });
  }

  window.BibResultsExport = { decorate: decorate, setResultSet: setResultSet, parts: parts };
})();
