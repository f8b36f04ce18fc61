// Inside another site's iframe: tell the parent page what happens here, with postMessage to its
// origin only (the server names it, and only when the link allows that site). Messages are
// {source: "workestra", version: 1, type, payload}; see "Embed" in the README.
(function () {
  "use strict";
  var script = document.currentScript;
  var parentOrigin = script && script.getAttribute("data-parent-origin");
  if (!parentOrigin || window.parent === window) return;
  var sent = {};

  function post(type, payload) {
    window.parent.postMessage({ source: "workestra", version: 1, type: type, payload: payload }, parentOrigin);
  }
  function utc(value) {
    var moment = new Date(value);
    return isNaN(moment.getTime()) ? "" : moment.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  function once(type, key, payload) {
    if (sent[type] === key) return;
    sent[type] = key;
    post(type, payload);
  }

  var lastHeight = 0;
  function sendHeight() {
    // The content's own height (scrollHeight never drops below the frame's), so the frame can shrink.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) { lastHeight = height; post("page_height", { height: height }); }
  }

  // Read the state the page was rendered with (after a load or an HTMX swap).
  function sendState() {
    var state = document.querySelector("[data-embed-state]");
    if (!state) return;
    var d = state.dataset;
    if (d.error) once("error", d.error, { message: d.error });
    if (d.date) once("date_selected", d.date, { date: d.date });
    if (d.slotStart) {
      var start = utc(d.slotStart);
      var end = utc(new Date(start).getTime() + Number(d.slotMinutes || 0) * 60000);
      once("slot_selected", start, { start: start, end: end });
    }
    if (d.bookingId) {
      once("booking_created", d.bookingId + d.bookingStatus, {
        booking_id: Number(d.bookingId), start: utc(d.bookingStart), end: utc(d.bookingEnd), status: d.bookingStatus
      });
    }
  }

  function start() {
    sendState();
    sendHeight();
    if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.body);
    else window.addEventListener("resize", sendHeight);
    document.body.addEventListener("htmx:afterSettle", function () { sendState(); sendHeight(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
