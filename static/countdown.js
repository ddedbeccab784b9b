// Timers count down in the browser, on the projector, the console and the phones alike: the server
// only says when one ends (data-ends-at) and gives the wording around the time in the page's
// language (data-left: "noch {time} Min.", "{time} left").
(function () {
  "use strict";

  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach(function (timer) {
      var left = Math.max(0, Math.round((Date.parse(timer.getAttribute("data-ends-at")) - Date.now()) / 1000));
      var time = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      timer.textContent = (timer.getAttribute("data-left") || "{time}").replace("{time}", time);
      timer.classList.toggle("over", left === 0);
    });
  }

  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
  document.addEventListener("phone:fresh", tick);  // the phone swaps its view in itself (phone.js)
  document.addEventListener("DOMContentLoaded", tick);
})();
