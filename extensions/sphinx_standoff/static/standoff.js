/* sphinx-standoff: the register's filter (by kind of disagreement and by source). Without JavaScript every
   entry is shown; with it, the form hides the entries that do not match and says how many are shown. */
(function () {
  "use strict";
  function setup(form) {
    var entries = Array.prototype.slice.call(document.querySelectorAll("article.standoff-entry"));
    var count = form.querySelector(".standoff-filter-count");
    function apply() {
      var kind = form.elements.kind.value;
      var source = form.elements.source.value;
      var shown = 0;
      entries.forEach(function (entry) {
        var sources = (entry.getAttribute("data-sources") || "").split(" ");
        var visible = (!kind || entry.getAttribute("data-kind") === kind) &&
          (!source || sources.indexOf(source) !== -1);
        entry.hidden = !visible;
        if (visible) { shown += 1; }
      });
      document.querySelectorAll("section.standoff-register-group").forEach(function (group) {
        group.hidden = !group.querySelector("article.standoff-entry:not([hidden])");
      });
      if (count) { count.textContent = shown + " of " + entries.length + " entries shown"; }
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }
  function init() {
    document.querySelectorAll("form.standoff-filter").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
