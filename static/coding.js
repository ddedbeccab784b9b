// Keyboard for the coding page: 1–9 toggle the current contribution's themes, Enter saves it,
// j / → / ↓ and k / ← / ↑ move. Every one of these is also a plain form or link without it.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".coding-item"));
  if (!items.length) return;
  var listMode = document.querySelector(".coding-items").getAttribute("data-mode") === "list";
  var current = 0;

  function select(index) {
    if (index < 0 || index >= items.length) return;
    items[current].classList.remove("current");
    current = index;
    items[current].classList.add("current");
    items[current].focus({ preventScroll: true });
    items[current].scrollIntoView({ block: "nearest" });
  }

  function follow(rel) {
    var link = document.querySelector('a[rel="' + rel + '"]');
    if (link) window.location.href = link.href;
  }

  // Back from saving in the list, the saved contribution stays the current one.
  var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target && items.indexOf(target) >= 0) select(items.indexOf(target));

  items.forEach(function (item, index) {
    item.addEventListener("focusin", function () {
      if (index !== current) select(index);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var field = event.target;
    var typing = field.tagName === "TEXTAREA" || field.tagName === "SELECT" ||
      (field.tagName === "INPUT" && field.type !== "checkbox");
    if (typing) return;
    var key = event.key;
    var item = items[current];
    if (/^[1-9]$/.test(key)) {
      var box = item.querySelector('input[data-number="' + key + '"]');
      if (box) {
        box.checked = !box.checked;
        event.preventDefault();
      }
    } else if (key === "Enter" && field.tagName !== "BUTTON" && field.tagName !== "A") {
      var save = item.querySelector("button.save");
      if (save) {
        event.preventDefault();
        save.click();
      }
    } else if (key === "j" || key === "ArrowRight" || key === "ArrowDown") {
      event.preventDefault();
      if (listMode) select(current + 1); else follow("next");
    } else if (key === "k" || key === "ArrowLeft" || key === "ArrowUp") {
      event.preventDefault();
      if (listMode) select(current - 1); else follow("prev");
    }
  });
})();
