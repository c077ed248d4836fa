/* Browse page orders: re-orders each list's entries in place by the rank the build wrote on each
   (data-order-<key>, computed in bibsite/pages.py with bibsite/collation.py, so the order rule is
   defined once), from ?sort=<key> in the URL or a click on a sort link. Works from file://. */
(function () {
  "use strict";
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-sort]"));
  if (!links.length) return;
  var keys = links.map(function (a) { return a.getAttribute("data-sort"); });

  function rank(li, key) {
    var value = li.getAttribute("data-order-" + key);
    // entries without the key (no year, no date) go last, in title order
    return value === null ? Infinity : Number(value);
  }

  function apply(key) {
    Array.prototype.forEach.call(document.querySelectorAll("ol.record-list"), function (list) {
      var items = Array.prototype.slice.call(list.children);
      items.sort(function (a, b) {
        return (rank(a, key) - rank(b, key)) || (rank(a, "title") - rank(b, "title"));
      });
      items.forEach(function (li) { list.appendChild(li); });
    });
    links.forEach(function (a) {
      if (a.getAttribute("data-sort") === key) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }

  var wanted = new URLSearchParams(window.location.search).get("sort");
  if (wanted && keys.indexOf(wanted) >= 0) apply(wanted);

  links.forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var key = a.getAttribute("data-sort");
      apply(key);
      var params = new URLSearchParams(window.location.search);
      params.set("sort", key);
      try {
        window.history.replaceState(null, "", "?" + params.toString() + window.location.hash);
      } catch (error) {
        // a browser that refuses to rewrite a file:// URL still shows the order
      }
    });
  });
})();
