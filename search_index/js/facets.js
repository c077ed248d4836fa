/* The search page's facets: year (or decade), author, journal, organisation and language, each value
 * with its count over the whole result set (the engine counts them: options.facets, FORMAT.md), each
 * a checkbox that adds or removes a filter of the URL (year=, author=, journal=, org=, lang=).
 *
 * Values are record text (authors, journals), so they reach the page through textContent only.
 * At 64rem and wider the block is a side column, open; narrower it sits above the results, closed
 * until asked for (a <details>), so a phone shows the results first.
 */
(function () {
  "use strict";

  // facet name in the index -> URL parameter; "language" is the page's existing lang= filter
  var FACETS = [["year", "year"], ["author", "author"], ["journal", "journal"], ["org", "org"], ["language", "lang"]];
  var TOP = 8;           // values shown before "show all"
  var DECADES_FROM = 12; // more distinct years than this are shown as decades
  var WIDE = "(min-width: 64rem)";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  /* Returns year counts as decades when there are many years: [[label, count, [years]], ...], the
   * latest first; otherwise the years themselves, the latest first. */
  function yearRows(counts) {
    var years = counts.slice().sort(function (x, y) { return Number(y[0]) - Number(x[0]); });
    if (years.length <= DECADES_FROM) return years.map(function (c) { return [c[0], c[1], [c[0]]]; });
    var decades = [], at = {};
    years.forEach(function (c) {
      var start = Math.floor(Number(c[0]) / 10) * 10;
      if (!(start in at)) { at[start] = decades.length; decades.push([start + "–" + (start + 9), 0, []]); }
      var row = decades[at[start]];
      row[1] += c[1];
      row[2].push(c[0]);
    });
    return decades;
  }

  /* Returns the facet block's controller: update(counts, filters, lang) redraws it for a search's
   * counts ({facet: [[value, count], ...]}) and the filters in force; onChange(param, values) is
   * called when a value is ticked or cleared. label(facet, value) gives a value's shown text and
   * its language tag ([text, tag]). */
  function create(box, groups, strings, label, onChange) {
    var expanded = {};
    box.open = window.matchMedia ? window.matchMedia(WIDE).matches : true;

    function selected(param, filters, lang) {
      return param === "lang" ? (lang ? [lang] : []) : (filters[param] || []);
    }

    function group(name, param, counts, chosen) {
      var rows = name === "year" ? yearRows(counts) : counts.map(function (c) { return [c[0], c[1], [c[0]]]; });
      // a value filtered by stays listed (with 0) so that it can be cleared
      chosen.forEach(function (value) {
        var held = rows.some(function (row) { return row[2].indexOf(value) >= 0; });
        if (!held) rows.push([value, 0, [value]]);
      });
      if (!rows.length) return null;
      var fieldset = document.createElement("fieldset");
      fieldset.className = "search-facet";
      fieldset.setAttribute("data-facet", name);
      var legend = document.createElement("legend");
      legend.textContent = strings["facet_" + name] || name;
      fieldset.appendChild(legend);
      var list = document.createElement("ul");
      var open = expanded[name] || rows.length <= TOP + 1;
      rows.forEach(function (row, i) {
        var values = row[2];
        var item = document.createElement("li");
        if (!open && i >= TOP && !values.some(function (v) { return chosen.indexOf(v) >= 0; })) item.hidden = true;
        var boxLabel = document.createElement("label");
        var tick = document.createElement("input");
        tick.type = "checkbox";
        tick.value = values.join("\n");
        tick.checked = values.every(function (v) { return chosen.indexOf(v) >= 0; });
        tick.addEventListener("change", function () {
          var rest = chosen.filter(function (v) { return values.indexOf(v) < 0; });
          if (param === "lang") onChange(param, tick.checked ? [values[0]] : []);
          else onChange(param, tick.checked ? rest.concat(values) : rest);
        });
        boxLabel.appendChild(tick);
        var shown = name === "year" ? [row[0], ""] : label(name, row[0]);
        var text = document.createElement("span");
        text.className = "facet-value";
        text.textContent = shown[0];
        if (shown[1]) text.setAttribute("lang", shown[1]);
        boxLabel.appendChild(document.createTextNode(" "));
        boxLabel.appendChild(text);
        var count = document.createElement("span");
        count.className = "facet-count";
        count.setAttribute("data-count", String(row[1]));
        count.textContent = " " + format(strings.facet_count, { count: row[1] });
        boxLabel.appendChild(count);
        item.appendChild(boxLabel);
        list.appendChild(item);
      });
      fieldset.appendChild(list);
      if (rows.length > TOP + 1) {
        var more = document.createElement("button");
        more.type = "button";
        more.className = "facet-more";
        more.setAttribute("aria-expanded", open ? "true" : "false");
        more.textContent = open ? strings.facet_fewer : format(strings.facet_more, { n: rows.length });
        more.addEventListener("click", function () {
          expanded[name] = !open;
          var replacement = group(name, param, counts, chosen);
          fieldset.parentNode.replaceChild(replacement, fieldset);
          replacement.querySelector(".facet-more").focus();
        });
        fieldset.appendChild(more);
      }
      return fieldset;
    }

    function update(counts, filters, lang) {
      while (groups.firstChild) groups.removeChild(groups.firstChild);
      FACETS.forEach(function (pair) {
        var made = group(pair[0], pair[1], (counts || {})[pair[0]] || [], selected(pair[1], filters || {}, lang));
        if (made) groups.appendChild(made);
      });
      box.hidden = !groups.firstChild;
    }

    return { update: update };
  }

  window.BibFacets = {
    NAMES: FACETS.map(function (pair) { return pair[0]; }),
    create: create,
    yearRows: yearRows
  };
})();
