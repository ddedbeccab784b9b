// The phone page's few behaviours that htmx does not cover. No framework, no inline script.
(function () {
  "use strict";

  // Everything this phone keeps for this workshop lives in localStorage under one prefix
  // (workshop code and participant), so a closed tab loses nothing and "Delete my data" can
  // forget all of it (forgotten.js).
  var live = document.getElementById("live");
  var PREFIX = (live && live.getAttribute("data-store")) || ("backcast:" + location.pathname + ":");
  var store = {
    get: function (key) { try { return localStorage.getItem(PREFIX + key); } catch (e) { return null; } },
    set: function (key, value) { try { localStorage.setItem(PREFIX + key, value); } catch (e) { /* full or off */ } },
    remove: function (key) { try { localStorage.removeItem(PREFIX + key); } catch (e) { /* off */ } }
  };

  // Drafts: what someone is typing survives a live swap of the view, a phase change, a reload and
  // a closed tab, until it is sent. Contributions are kept per phase, edits per item.
  var FIELDS = "form[data-draft] textarea, form[data-draft] input[name=year]";
  function draftKey(field) {
    return "draft:" + field.form.getAttribute("data-draft") + ":" + field.name;
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(FIELDS)) {
      store.set(draftKey(event.target), event.target.value);
    }
  });
  // The ticks in the list a contribution links to are part of the draft too: that list is
  // fetched again whenever the room adds to it.
  var TICKS = "form[data-draft] input[name=links]";
  function ticksKey(form) {
    return "draft:" + form.getAttribute("data-draft") + ":links";
  }
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches(TICKS)) { return; }
    var form = event.target.form;
    var ticked = Array.prototype.map.call(form.querySelectorAll(TICKS + ":checked"), function (box) {
      return box.value;
    });
    store.set(ticksKey(form), JSON.stringify(ticked));
  });
  function forgetDraft(form) {
    form.querySelectorAll("textarea, input[name=year]").forEach(function (field) {
      store.remove(draftKey(field));
    });
    store.remove(ticksKey(form));
  }
  function restore(root) {
    root.querySelectorAll(FIELDS).forEach(function (field) {
      var saved = store.get(draftKey(field));
      // Only into a field nobody has touched since the page showed it (an edit starts as the
      // stored text; a refused contribution comes back with what was typed).
      if (saved === null || saved === field.value || field.value !== field.defaultValue) { return; }
      field.value = saved;
      var fold = field.closest("details");
      if (fold) { fold.open = true; }  // an edit in progress is shown open
    });
    root.querySelectorAll(TICKS).forEach(function (box) {
      var saved = JSON.parse(store.get(ticksKey(box.form)) || "[]");
      if (saved.indexOf(box.value) !== -1) { box.checked = true; }
    });
    var filter = document.querySelector("input[data-filter=parents]");
    if (filter && filter.value) { filter.dispatchEvent(new Event("input", { bubbles: true })); }
  }
  // Text typed and not sent: a contribution with any text, an edit that differs from what is stored.
  function unsent(root) {
    var names = [];
    root.querySelectorAll("form[data-draft] textarea").forEach(function (field) {
      var edit = field.form.querySelector("input[name=client_key]") === null;
      var text = field.value.trim();
      if (text && (!edit || field.value !== field.defaultValue)) {
        names.push(field.form.getAttribute("data-draft"));
      }
    });
    return names;
  }
  // Closing or reloading the tab with unsent text asks first (the text is kept all the same).
  window.addEventListener("beforeunload", function (event) {
    if (unsent(document).length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // Drafts of other phases are named, so nobody thinks their text was lost when the phase moved on.
  function listDrafts() {
    var box = document.getElementById("drafts");
    if (!box) { return; }
    var open = document.querySelector("form[data-draft]:not([data-draft^=edit])");
    var shown = open && open.getAttribute("data-draft");
    box.textContent = "";
    ["vision", "milestone", "need", "measure"].forEach(function (kind) {
      var text = store.get("draft:" + kind + ":text");
      if (kind === shown || !text || !text.trim()) { return; }
      var line = document.createElement("p");
      line.textContent = box.getAttribute("data-words")
        .replace("{phase}", box.getAttribute("data-" + kind)).replace("{text}", text.trim());
      box.appendChild(line);
    });
    box.hidden = !box.children.length;
  }
  document.addEventListener("phone:fresh", listDrafts);
  document.addEventListener("htmx:afterSettle", listDrafts);
  document.addEventListener("DOMContentLoaded", listDrafts);
  // Right after the swap, before the page settles, so nothing shows the fresh list unticked.
  document.addEventListener("htmx:afterSwap", function () { restore(document); });
  document.addEventListener("DOMContentLoaded", function () { restore(document); });
  // Sent and accepted: forget the draft before the fresh, empty form is swapped in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status < 300 && form && form.matches && form.matches("form[data-draft]")) {
      forgetDraft(form);
    }
  });

  // The phone reaches the server's state by itself: heading and body come in one fetch and are
  // swapped together; a failed fetch is retried with back-off and jitter (80 phones on one Wi-Fi
  // must not retry in step), and every reconnect reconciles.
  var view = document.getElementById("view");
  var attempts = 0, loading = false, again = false, retry = null;
  function show(id, on) {
    var sign = document.getElementById(id);
    if (sign) { sign.hidden = !on; }
  }
  function phaseOf(html) {
    var found = /data-phase="([^"]*)"/.exec(html || "");
    return found && found[1];
  }
  function swapIn(html) {
    var parts = document.createElement("template");
    parts.innerHTML = html;
    var status = parts.content.querySelector("[data-part=status]");
    var body = parts.content.querySelector("[data-part=view]");
    if (!status || !body) { location.reload(); return; }  // no longer joined: the page says what next
    var typed = unsent(view);
    document.getElementById("status").innerHTML = status.innerHTML;
    view.innerHTML = body.innerHTML;
    view.setAttribute("data-phase", body.getAttribute("data-phase"));
    if (window.htmx) { window.htmx.process(view); }
    restore(document);
    // A form with unsent text that the new phase hides: say quietly that the text is kept.
    var hidden = typed.filter(function (name) {
      return !view.querySelector('form[data-draft="' + name + '"]');
    });
    show("kept", hidden.length > 0);
    document.dispatchEvent(new Event("phone:fresh"));  // countdown.js shows the timer at once
  }
  // `quiet`: swap only when the phase moved on (a check that must not disturb someone typing).
  function load(quiet) {
    if (!view) { return; }
    clearTimeout(retry);
    if (loading) { again = true; return; }
    loading = true;
    fetch(view.getAttribute("data-src"), { headers: { "HX-Request": "true" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        attempts = 0;
        show("catching-up", false);
        if (!(quiet === true && phaseOf(html) === view.getAttribute("data-phase"))) { swapIn(html); }
      })
      .catch(function () {
        attempts += 1;
        show("catching-up", true);
        retry = setTimeout(load, Math.min(15000, 500 * Math.pow(2, attempts - 1)) * (0.5 + Math.random()));
      })
      .then(function () {
        loading = false;
        if (again) { again = false; load(); }
      });
  }
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var target = event.target;
    // A phase change, or a status line of another phase than the body shows: fetch both.
    if (target.id === "phase-signal" ||
        (target.id === "status" && view && phaseOf(event.detail.data) !== view.getAttribute("data-phase"))) {
      event.preventDefault();
      load();
    }
  });
  // A personal list of another phase (fetched while the view was behind) is not mixed in either.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var phase = phaseOf(event.detail.xhr && event.detail.xhr.responseText);
    if (target && target.id === "personal" && view && phase && phase !== view.getAttribute("data-phase")) {
      event.detail.shouldSwap = false;
      load();
    }
  });
  // A quiet sign when the live connection drops; when it is back, fetch what was missed.
  var lost = false;
  document.addEventListener("htmx:sseError", function () {
    lost = true;
    show("connection", true);
  });
  document.addEventListener("htmx:sseOpen", function () {
    show("connection", false);
    // After a drop, reconcile; on the first opening, catch a change made before the stream was up.
    attempts = 0;
    load(!lost);
    lost = false;
  });
  window.addEventListener("online", function () { attempts = 0; load(); });

  // Offline taps. A rating or a dot count is an absolute value and a contribution carries its
  // client_key, so sending one again after an unanswered try changes nothing twice.
  var BOX = "outbox";
  var sending = false, resend = null, delay = 1000;
  function outbox() { return JSON.parse(store.get(BOX) || "[]"); }
  function keep(entries) { store.set(BOX, JSON.stringify(entries)); }
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function entryOf(form, body) {
    var fields = new URLSearchParams(body);
    var action = form.getAttribute("action");
    if (fields.has("criterion")) { return { key: action + "#" + fields.get("criterion"), url: action, body: body }; }
    if (fields.has("count")) { return { key: action, url: action, body: body, count: +fields.get("count") }; }
    // A contribution is one entry per client_key; an edit is one entry per item (the last wins).
    return { key: fields.get("client_key") || action, url: action, body: body, text: fields.get("text") };
  }
  function queue(form, body, busy) {
    var entry = entryOf(form, body);
    if (busy) { entry.busy = true; }
    var entries = outbox().filter(function (other) { return other.key !== entry.key; });
    entries.push(entry);
    keep(entries);
    var clientKey = form.querySelector("input[name=client_key]");
    if (entry.text !== undefined) { forgetDraft(form); }  // queued: the outbox holds it now
    if (entry.text !== undefined && clientKey) {  // the form is free for the next one, under a key of its own
      form.querySelectorAll("textarea, input[name=year]").forEach(function (field) { field.value = ""; });
      form.querySelectorAll("input[name=links]").forEach(function (box) { box.checked = false; });
      clientKey.value = newKey();
    }
    mark(entry);
    showOutbox();
  }
  function note(root, text, kind) {
    var old = root.querySelector(".pending-note");
    if (old) { old.remove(); }
    var line = document.createElement("p");
    line.className = "pending-note " + kind;
    line.textContent = text;
    root.appendChild(line);
  }
  // What a queued tap looks like on its card: the answer chosen, the dots moved, "will be sent".
  function mark(entry) {
    var forms = document.querySelectorAll('form[action="' + entry.url + '"]');
    var words = document.getElementById("outbox").getAttribute(entry.busy ? "data-busy" : "data-pending");
    var fields = new URLSearchParams(entry.body);
    forms.forEach(function (form) {
      if (fields.has("criterion") && form.querySelector('input[name=criterion][value="' + fields.get("criterion") + '"]')) {
        form.querySelectorAll("button[name=value]").forEach(function (button) {
          button.setAttribute("aria-pressed", String(button.value === fields.get("value")));
        });
        form.classList.remove("unset");
        note(form, words, "pending");
      }
    });
    if (entry.count !== undefined && forms.length) {
      var row = forms[0].closest(".dots-row");
      var shown = row.querySelector(".count");
      var left = document.querySelector(".dots-left");
      var remaining = +left.textContent - (entry.count - +shown.textContent);
      shown.textContent = entry.count;
      left.textContent = remaining;
      forms[0].querySelector("input[name=count]").value = entry.count - 1;
      forms[0].querySelector("button").disabled = entry.count <= 0;
      forms[1].querySelector("input[name=count]").value = entry.count + 1;
      document.querySelectorAll(".dots-row").forEach(function (other) {
        other.querySelectorAll("form")[1].querySelector("button").disabled = remaining <= 0;
      });
      note(row, words, "pending");
    }
  }
  // What the server refused of the last round of sending: said on its card, or in the list when
  // the card is gone; said again after every swap until the next round.
  var told = [];
  function showOutbox() {
    var box = document.getElementById("outbox");
    var list = box.querySelector("ul");
    list.textContent = "";
    function line(text, kind) {
      var item = document.createElement("li");
      item.className = kind;
      item.textContent = text;
      list.appendChild(item);
    }
    outbox().forEach(function (entry) {
      if (entry.text !== undefined) {
        line(entry.text + " – " + box.getAttribute(entry.busy ? "data-busy" : "data-pending"), "pending");
      }
    });
    told.forEach(function (refusal) {
      var form = refusal.text === undefined && document.querySelector('form[action="' + refusal.url + '"]');
      var card = form && (form.closest(".card") || form);
      if (card) { note(card, refusal.said, "error"); return; }
      var said = refusal.text === undefined ? refusal.said : refusal.text + " – " + refusal.said;
      line(box.getAttribute("data-refused") + " " + said, "error");
    });
    box.hidden = !list.children.length;
  }
  function refusalOf(html) {
    var parts = document.createElement("template");
    parts.innerHTML = html;
    var said = parts.content.querySelector("[role=alert]");
    return said ? said.textContent.trim() : "";
  }
  function flush() {
    var entries = outbox();
    if (sending || !entries.length) { return; }
    sending = true;
    clearTimeout(resend);
    told = [];
    (function next() {
      var entry = outbox()[0];
      if (!entry) {
        sending = false;
        delay = 1000;
        load();  // the fresh view shows what was accepted; remark() says what was not
        return;
      }
      fetch(entry.url, {
        method: "POST",
        body: entry.body,
        headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" }
      }).then(function (response) {
        if (response.status === 503) { throw new Busy(response); }
        if (response.status === 429 || response.status >= 500) { throw new Error(String(response.status)); }
        return response.text().then(function (html) {
          if (!response.ok) {
            told.push({ url: entry.url, text: entry.text, said: refusalOf(html) });
          }
          keep(outbox().filter(function (other) { return other.key !== entry.key || other.body !== entry.body; }));
          next();
        });
      }).catch(function (error) {
        sending = false;
        if (error instanceof Busy) {
          resend = setTimeout(flush, error.wait * (0.5 + Math.random()));
          return;
        }
        resend = setTimeout(flush, delay * (0.5 + Math.random()));
        delay = Math.min(30000, delay * 2);
      });
    })();
  }
  // A busy server answers 503 at once with Retry-After: the tap waits on its card and goes again
  // after about that long (spread out, so a room's phones do not come back in step).
  function Busy(response) {
    var seconds = parseFloat(response.getResponseHeader ? response.getResponseHeader("Retry-After")
      : response.headers.get("Retry-After"));
    this.wait = 1000 * (seconds > 0 ? seconds : 1);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    var config = event.detail.requestConfig;
    if (event.detail.xhr.status !== 503 || !form || !form.matches || !form.matches("#view form[method=post]") || !config) { return; }
    queue(form, new URLSearchParams(config.formData).toString(), true);
    clearTimeout(resend);
    resend = setTimeout(flush, new Busy(event.detail.xhr).wait * (0.5 + Math.random()));
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    var config = event.detail.requestConfig;
    if (!form || !form.matches || !form.matches("#view form[method=post]") || !config) { return; }
    queue(form, new URLSearchParams(config.formData).toString());
    resend = setTimeout(flush, delay);
  });
  // After a swap the cards show the server's state again; what is still queued is marked anew.
  function remark() { outbox().forEach(mark); showOutbox(); }
  document.addEventListener("htmx:afterSettle", remark);
  document.addEventListener("phone:fresh", remark);
  document.addEventListener("DOMContentLoaded", function () { remark(); flush(); });
  window.addEventListener("online", flush);
  document.addEventListener("htmx:sseOpen", flush);

  // Long parent lists: type to filter.
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-filter]")) { return; }
    var needle = box.value.trim().toLowerCase();
    document.querySelectorAll("#" + box.getAttribute("data-filter") + " label").forEach(function (label) {
      label.hidden = needle !== "" && label.textContent.toLowerCase().indexOf(needle) === -1;
    });
  });
})();
