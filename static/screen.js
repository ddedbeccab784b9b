// A projector cannot scroll either: what does not fit is first drawn smaller, then shown page
// by page (every few seconds, or at once with → and ←), with "2 / 3" under each paged list.
(function () {
  "use strict";
  var MIN_ZOOM = 0.8;
  var PAGE_SECONDS = 12;
  var page = 0;

  function screenRoot() {
    return document.body.classList.contains("screen") ? document.getElementById("screen") : null;
  }

  function overflows() {
    return document.documentElement.scrollHeight > window.innerHeight;
  }

  // Each paged list remembers where its pages start, as indexes of its children. Pages are found
  // by trying: items are shown one by one until the screen would scroll. Lists further down wait
  // hidden meanwhile, so each list takes the room left above them.
  function splitIntoPages(list, later) {
    var items = Array.prototype.slice.call(list.children);
    var pager = document.createElement("p");
    pager.className = "screen-pager";
    pager.textContent = "1 / 1";
    list.after(pager);
    later.forEach(function (other) { other.hidden = true; });
    items.forEach(function (item) { item.hidden = true; });
    var starts = [0];
    items.forEach(function (item, index) {
      item.hidden = false;
      var start = starts[starts.length - 1];
      if (index > start && overflows()) {
        for (var shown = start; shown < index; shown++) items[shown].hidden = true;
        starts.push(index);
      }
    });
    later.forEach(function (other) { other.hidden = false; });
    if (starts.length === 1) {
      pager.remove();
      return null;
    }
    return { list: list, items: items, starts: starts, pager: pager };
  }

  var paged = [];

  function showPage(entry, number) {
    var count = entry.starts.length;
    var current = number % count;
    var from = entry.starts[current];
    var to = current + 1 < count ? entry.starts[current + 1] : entry.items.length;
    entry.items.forEach(function (item, index) {
      item.hidden = index < from || index >= to;
    });
    entry.pager.textContent = current + 1 + " / " + count;
  }

  function show() {
    paged.forEach(function (entry) { showPage(entry, page); });
  }

  function fit() {
    var root = screenRoot();
    if (!root) return;
    paged = [];
    root.querySelectorAll(".screen-pager").forEach(function (pager) { pager.remove(); });
    root.querySelectorAll("[data-paginate] > [hidden]").forEach(function (item) { item.hidden = false; });
    var zoom = 1;
    root.style.zoom = "1";
    while (overflows() && zoom > MIN_ZOOM) {
      zoom = Math.round((zoom - 0.05) * 100) / 100;
      root.style.zoom = String(zoom);
    }
    root.setAttribute("data-zoom", String(zoom));
    if (!overflows()) return;
    var lists = Array.prototype.slice.call(root.querySelectorAll("[data-paginate]"));
    lists.forEach(function (list, index) {
      var entry = splitIntoPages(list, lists.slice(index + 1));
      if (entry) {
        paged.push(entry);
        showPage(entry, 0);  // its first page stands while the next lists are measured
      }
    });
    show();
  }

  function turn(step) {
    if (!paged.length) return;
    page = Math.max(0, page + step);
    show();
  }

  setInterval(function () { turn(1); }, PAGE_SECONDS * 1000);
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === "PageDown") turn(1);
    if (event.key === "ArrowLeft" || event.key === "PageUp") turn(-1);
  });
  document.addEventListener("htmx:afterSettle", fit);
  window.addEventListener("resize", fit);
  document.addEventListener("DOMContentLoaded", fit);
  if (document.readyState !== "loading") fit();
})();
