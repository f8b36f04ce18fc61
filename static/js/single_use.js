// Single-use links: the booking page keeps the tab's token in sessionStorage, so the booking
// form still carries it if the address lost it (a bookmark of the bare page, a reload); the
// confirmation page clears it. Without this file the token travels in the address and the form.
(function () {
  "use strict";
  var KEY = "workestra:single_use_token", PATH = "workestra:single_use_path";
  var store;
  try { store = window.sessionStorage; } catch (e) { return; }
  var marker = document.querySelector("[data-single-use]");
  if (!store || !marker) return;
  var token = marker.getAttribute("data-single-use");
  if (token === "done") {
    store.removeItem(KEY);
    store.removeItem(PATH);
    return;
  }
  if (token) {
    store.setItem(KEY, token);
    store.setItem(PATH, window.location.pathname);
    return;
  }
  token = store.getItem(KEY);
  if (!token || store.getItem(PATH) !== window.location.pathname) return;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "booking-form" || form.querySelector('[name="single_use"]')) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "single_use";
    input.value = token;
    form.appendChild(input);
  }, true);
})();
