/* Asks the browser to fetch the search index's root while the reader types in the header's search
 * box, so the search page it leads to starts with index.js in the cache. Once per page; the form's
 * data-prefetch holds the root's address, relative to the page, as the build wrote it. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-prefetch]");
  if (!form) return;
  var done = false;
  form.addEventListener("focusin", function () {
    if (done) return;
    done = true;
    var link = document.createElement("link");
    link.rel = "prefetch";
    link.href = form.getAttribute("data-prefetch");
    document.head.appendChild(link);
  });
})();
