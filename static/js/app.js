// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  function byId(id) { return document.getElementById(id); }
  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // Public page: swap the picker for another URL (zone change, first visit), keeping the address.
  function loadPicker(params, replace) {
    var url = window.location.pathname + "?" + params.toString();
    if (!window.htmx) { window.location.assign(url); return; }
    window.htmx.ajax("GET", url, { target: "#picker", swap: "outerHTML" }).then(function () {
      window.history[replace ? "replaceState" : "pushState"](null, "", url);
    });
  }

  // Show times in the visitor's zone on first load: one small swap of the picker, never over
  // anything the visitor has already typed.
  function detectZone() {
    var picker = document.querySelector("[data-detect-timezone]");
    var params = new URLSearchParams(window.location.search);
    var zone = browserZone(), select = byId("tz-select");
    if (!picker || params.has("tz") || !zone || hasTyped(picker)) return;
    if (select) {
      var option = select.querySelector('option[value="' + zone + '"]');
      if (!option) return;
      select.insertBefore(option, select.firstChild);  // the detected zone leads the list
      select.value = zone;
      select.setAttribute("data-applied", zone);
    }
    params.set("tz", zone);
    // The same swap also brings the clock the browser's own locale reads, if the server guessed
    // otherwise from the Accept-Language header.
    var clock = browserClock();
    if (clock && !params.has("clock") && clock !== picker.getAttribute("data-clock")) params.set("clock", clock);
    loadPicker(params, true);
  }
  function browserClock() {
    try {
      var cycle = new Intl.DateTimeFormat(navigator.language, { hour: "numeric" }).resolvedOptions().hourCycle;
      return cycle ? (cycle === "h11" || cycle === "h12" ? "12h" : "24h") : "";
    } catch (e) { return ""; }
  }

  function hasTyped(root) {
    return Array.prototype.some.call(root.querySelectorAll("input, textarea"), function (field) {
      return field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  // The zone picker: a search box filters the list; Enter (or a click) in it applies a zone.
  function setupZones() {
    var select = byId("tz-select"), search = byId("tz-search"), form = byId("tz-form");
    if (!select || !search) return;
    // The zone the picker shows now; the first-visit detection updates it too, so leaving the
    // list without choosing does not load the same zone again (and drop the visitor's focus).
    select.setAttribute("data-applied", select.value);
    search.parentNode.hidden = false;
    byId("tz-apply").hidden = true;  // a zone applies as soon as it is picked
    function apply(zone) {
      if (!zone || zone === select.getAttribute("data-applied")) return;
      select.setAttribute("data-applied", zone);
      select.value = zone;
      if (search.value) { search.value = ""; filter(); }
      var params = new URLSearchParams(window.location.search);
      params.set("tz", zone);
      params.delete("slot");
      loadPicker(params, false);
    }
    function filter() {
      var words = search.value.toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean), shown = 0;
      each(select.options, function (o) {
        var text = o.text.toLowerCase();
        o.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        if (!o.hidden) shown++;
      });
      if (words.length) select.size = Math.max(2, Math.min(shown, 8)); else select.removeAttribute("size");
      var count = byId("tz-count");
      count.textContent = words.length ? count.getAttribute("data-text").replace("N", shown) : "";
    }
    function first() { return Array.prototype.find.call(select.options, function (o) { return !o.hidden; }); }
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); var o = first(); if (o) apply(o.value); }
      if (e.key === "ArrowDown" && select.size > 1) { e.preventDefault(); if (first()) select.value = first().value; select.focus(); }
    });
    // A list opened by a search changes as arrows move through it: apply on Enter, click or leave.
    select.addEventListener("change", function () { if (!(select.size > 1)) apply(select.value); });
    select.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); apply(select.value); } });
    select.addEventListener("click", function () { if (select.size > 1) apply(select.value); });
    select.addEventListener("blur", function () { apply(select.value); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(select.value); });
  }

  // The calendar grid: one tab stop, arrow keys move between days, Enter or Space picks.
  var KEYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  function shift(iso, days) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }
  function setupGrid() {
    var grid = byId("calendar");
    if (!grid) return;
    var days = grid.querySelectorAll("[data-date]");
    rove(grid.querySelector("a.selected") || grid.querySelector("[aria-current=date]") ||
      grid.querySelector("a.day") || days[0]);
  }
  function rove(day) {
    each(byId("calendar").querySelectorAll("[data-date]"), function (d) { d.tabIndex = d === day ? 0 : -1; });
  }
  document.addEventListener("keydown", function (e) {
    var day = e.target.closest && e.target.closest("#calendar [data-date]");
    if (!day) return;
    var iso = day.getAttribute("data-date"), dow = (new Date(iso + "T00:00:00Z").getUTCDay() + 6) % 7;
    var step = KEYS[e.key] || (e.key === "Home" ? -dow : e.key === "End" ? 6 - dow : 0);
    if (e.key === " " || (e.key === "Enter" && day.tagName !== "A")) {
      e.preventDefault();
      if (day.tagName === "A") day.click();
      return;
    }
    if (!step) return;
    e.preventDefault();
    var target = shift(iso, step), next = byId("calendar").querySelector('[data-date="' + target + '"]');
    if (next) { rove(next); next.focus(); return; }
    var month = byId(step > 0 ? "month-next" : "month-prev");  // the day is in another month
    if (month) { focusNext = '[data-date="' + target + '"]'; month.click(); }
  });

  // After every swap of the picker: focus where the attendee's next step is, and say what changed.
  var focusNext = null, kept = null;
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (!focusNext) focusNext = elt && elt.getAttribute && elt.getAttribute("data-then");
  });
  // What has focus when the new picker lands (not when it was asked for) keeps it.
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement, date = active && active.getAttribute("data-date");
    kept = active && active.id ? "#" + active.id : date ? '[data-date="' + date + '"]' : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var picker = byId("picker");
    if (!picker) return;
    setupGrid();
    var status = byId("picker-status"), wanted = focusNext;
    focusNext = null;
    if (status) status.textContent = picker.getAttribute("data-announce") || "";
    if (wanted === "form") return focusForm();
    var target = (wanted && document.querySelector(wanted)) || (kept && picker.querySelector(kept));
    if (!target && wanted) target = byId("calendar").querySelector("[tabindex='0']");
    if (target && target.hasAttribute("data-date")) rove(target);
    if (target) target.focus();
  });

  function focusForm() {
    var form = byId("booking-form");
    if (!form) return;
    form.scrollIntoView({ block: "start", behavior: "instant" });
    var field = Array.prototype.find.call(form.querySelectorAll("input:not([type=hidden]), textarea, select"), function (f) {
      return f.type === "radio" || f.type === "checkbox" ? !form.querySelector('[name="' + f.name + '"]:checked') : !f.value;
    });
    (field || byId("booking-form-heading")).focus({ preventScroll: true });
  }

  // Settings and onboarding: preselect the browser's zone (and note it in a hidden field).
  function preselectZone() {
    var select = document.querySelector("[data-detect-timezone-select] select");
    var zone = browserZone();
    if (!select || !zone) return;
    var hidden = document.querySelector("[data-detect-timezone-select] input[name=detected_timezone]");
    if (hidden) hidden.value = zone;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; return; }
    }
  }

  // Workflow editor: a step shows only the fields of its chosen action, at once (without this
  // file the "Update fields" button asks the server for the same page).
  function showStepFields(select) {
    var step = select.closest("[data-step]");
    if (!step) return;
    Array.prototype.forEach.call(step.querySelectorAll("[data-actions]"), function (group) {
      group.hidden = group.getAttribute("data-actions").split(" ").indexOf(select.value) < 0;
    });
  }

  function enhanceSteps() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-step-update]"), function (button) {
      button.hidden = true;
    });
  }

  // The link editor: swap in the settings that apply to the chosen event type at once.
  function showKindParts(kind) {
    each(document.querySelectorAll("[data-kinds]"), function (part) {
      part.hidden = part.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
    });
  }
  function enhanceKinds() {
    each(document.querySelectorAll("[data-kind-refresh]"), function (p) { p.remove(); });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-kind-select] select")) showKindParts(target.value);
    if (target.matches && target.matches("select[data-autosubmit]")) target.form.submit();
    if (target.matches && target.matches("select[data-step-action]")) showStepFields(target);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // A form sent back with a problem: start at the first field the server refused.
  function focusRefused() {
    var field = document.querySelector("#booking-form [aria-invalid=true]");
    if (field) field.focus();
  }

  // Meeting poll: on a first visit, show the times in the browser's zone (a plain GET with ?tz=).
  function pollZone() {
    var page = document.querySelector("[data-poll-zone]");
    var zone = browserZone();
    if (!page || !zone || zone === page.getAttribute("data-poll-zone")) return;
    if (!document.querySelector('#tz-select option[value="' + zone + '"]')) return;
    var params = new URLSearchParams(window.location.search);
    params.set("tz", zone);
    window.location.replace(window.location.pathname + "?" + params.toString());
  }

  function init() { setupZones(); setupGrid(); detectZone(); preselectZone(); pollZone(); focusRefused(); enhanceSteps(); enhanceKinds(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
