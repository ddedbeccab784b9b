// After "Delete my data": the phone forgets what it kept for this workshop (drafts, unsent taps),
// for every participant it has been in this workshop. No inline script.
(function () {
  "use strict";
  var mark = document.getElementById("forgotten");
  var prefix = mark && mark.getAttribute("data-store");
  if (!prefix) { return; }
  try {
    var keys = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) { keys.push(key); }
    }
    keys.forEach(function (key) { localStorage.removeItem(key); });
  } catch (e) { /* storage switched off: nothing was kept */ }
})();
