// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  // Public page: show times in the visitor's zone on first load. The picker is swapped in place
  // (no reload), and never over anything the visitor has already typed.
  function detectZone() {
    var picker = document.querySelector("[data-detect-timezone]");
    var params = new URLSearchParams(window.location.search);
    var zone = browserZone();
    if (!picker || params.has("tz") || !zone || hasTyped(picker)) return;
    var select = picker.querySelector("select[name=tz]");
    if (select && !Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) return;
    params.set("tz", zone);
    var url = window.location.pathname + "?" + params.toString();
    if (!window.htmx) { window.location.replace(url); return; }
    window.htmx.ajax("GET", url, { source: picker, target: picker, swap: "outerHTML" }).then(function () {
      window.history.replaceState(window.history.state, "", url);
    });
  }

  function hasTyped(root) {
    return Array.prototype.some.call(root.querySelectorAll("input, textarea"), function (field) {
      return field.type !== "hidden" && field.value !== field.defaultValue;
    });
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

  document.addEventListener("change", function (event) {
    var target = event.target;
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

  function init() { detectZone(); preselectZone(); enhanceSteps(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
