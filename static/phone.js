// The phone page's few behaviours that htmx does not cover. No framework, no inline script.
(function () {
  "use strict";

  // Drafts: what someone is typing survives a live swap of the view (and a reload).
  var FIELDS = "form[data-draft] textarea, form[data-draft] input[name=year]";
  function draftKey(field) {
    return "draft:" + location.pathname + ":" + field.form.getAttribute("data-draft") + ":" + field.name;
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(FIELDS)) {
      sessionStorage.setItem(draftKey(event.target), event.target.value);
    }
  });
  // The ticks in the list a contribution links to are part of the draft too: that list is
  // fetched again whenever the room adds to it.
  var TICKS = "form[data-draft] input[name=links]";
  function ticksKey(form) {
    return "draft:" + location.pathname + ":" + form.getAttribute("data-draft") + ":links";
  }
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches(TICKS)) { return; }
    var form = event.target.form;
    var ticked = Array.prototype.map.call(form.querySelectorAll(TICKS + ":checked"), function (box) {
      return box.value;
    });
    sessionStorage.setItem(ticksKey(form), JSON.stringify(ticked));
  });
  function restore(root) {
    root.querySelectorAll(FIELDS).forEach(function (field) {
      var saved = sessionStorage.getItem(draftKey(field));
      if (saved !== null && !field.value) { field.value = saved; }
    });
    root.querySelectorAll(TICKS).forEach(function (box) {
      var saved = JSON.parse(sessionStorage.getItem(ticksKey(box.form)) || "[]");
      if (saved.indexOf(box.value) !== -1) { box.checked = true; }
    });
    var filter = document.querySelector("input[data-filter=parents]");
    if (filter && filter.value) { filter.dispatchEvent(new Event("input", { bubbles: true })); }
  }
  // Right after the swap, before the page settles, so nothing shows the fresh list unticked.
  document.addEventListener("htmx:afterSwap", function () { restore(document); });
  document.addEventListener("DOMContentLoaded", function () { restore(document); });
  // Sent and accepted: forget the draft before the fresh, empty form is swapped in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status < 300 && form && form.matches && form.matches("form[data-draft]")) {
      form.querySelectorAll("textarea, input[name=year]").forEach(function (field) {
        sessionStorage.removeItem(draftKey(field));
      });
      sessionStorage.removeItem(ticksKey(form));
    }
  });

  // A quiet sign when the live connection drops; when it is back, fetch what was missed.
  var lost = false;
  document.addEventListener("htmx:sseError", function () {
    lost = true;
    var sign = document.getElementById("connection");
    if (sign) { sign.hidden = false; }
  });
  document.addEventListener("htmx:sseOpen", function () {
    var sign = document.getElementById("connection");
    if (sign) { sign.hidden = true; }
    if (lost) {
      lost = false;
      var view = document.getElementById("view");
      if (view && window.htmx) { window.htmx.trigger(view, "reconnected"); }
    }
  });

  // Long parent lists: type to filter.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-filter]")) { return; }
    var needle = box.value.trim().toLowerCase();
    document.querySelectorAll("#" + box.getAttribute("data-filter") + " label").forEach(function (label) {
      label.hidden = needle !== "" && label.textContent.toLowerCase().indexOf(needle) === -1;
    });
  });

  // The timer counts down on the phone itself; the server only says when it ends, and gives the
  // wording around the time in the page's language ("noch {time} Min.", "{time} left").
  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach(function (timer) {
      var left = Math.max(0, Math.round((Date.parse(timer.getAttribute("data-ends-at")) - Date.now()) / 1000));
      var time = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      timer.textContent = (timer.getAttribute("data-left") || "{time}").replace("{time}", time);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
