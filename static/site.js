// Small enhancements. Every page works without them (the menus are <details>, the forms post, links link).
(function () {
  "use strict";
  // The error summary takes the focus after a failed post (its autofocus does it; this covers older browsers).
  var summary = document.querySelector(".error-summary");
  if (summary && (document.activeElement === document.body || document.activeElement === null)) summary.focus();

  // The catalogue's filters: closed on a phone (the events come first), open where there is room.
  var filters = document.querySelector("details.filter-box");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;

  // Dropdowns of the header (menu, account): one open at a time; Escape or a click outside closes them.
  var drops = Array.prototype.slice.call(document.querySelectorAll("details.dropdown"));
  drops.forEach(function (drop) {
    drop.addEventListener("toggle", function () {
      if (drop.open) drops.forEach(function (other) { if (other !== drop) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    drops.forEach(function (drop) { if (drop.open && !drop.contains(event.target)) drop.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    drops.forEach(function (drop) {
      if (drop.open) { drop.open = false; drop.querySelector("summary").focus(); }
    });
  });
})();
