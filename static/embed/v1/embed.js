/*! Workestra embed v1: put a booking page on your own site. No dependencies.
 * Workestra.inline({url, parent, prefill, utm, onEvent})  the booking page inside `parent`
 * Workestra.popup({url, prefill, utm, onEvent})           the booking page in a modal dialog
 * Workestra.badge({url, text, ...})                        a floating button that opens the popup
 * Markup works too: <div data-workestra-inline="URL">, <a href="URL" data-workestra-popup>,
 * <a href="URL" data-workestra-badge>Book a call</a>. Events arrive as DOM CustomEvents
 * "workestra:<type>" (detail: the payload) on the container, and as onEvent(message).
 */
(function (window, document) {
  "use strict";
  if (window.Workestra && window.Workestra.version) return;
  var frames = [];

  function frameUrl(options) {
    var url = new URL(options.url, document.baseURI);
    var params = url.searchParams, prefill = options.prefill || {}, answers = prefill.answers || {};
    params.set("embed", "1");
    params.set("embed_origin", window.location.origin);
    if (prefill.name) params.set("name", prefill.name);
    if (prefill.email) params.set("email", prefill.email);
    Object.keys(answers).forEach(function (key) {
      if (/^a\d+$/.test(key)) params.set(key, answers[key]);
    });
    if (options.utm !== false) {
      new URLSearchParams(window.location.search).forEach(function (value, key) {
        if (key.indexOf("utm_") === 0 && !params.has(key)) params.set(key, value);
      });
    }
    return url;
  }

  function frame(options, container) {
    var url = frameUrl(options), iframe = document.createElement("iframe");
    iframe.src = url.toString();
    iframe.title = options.title || "Book a meeting";
    iframe.setAttribute("loading", "lazy");
    iframe.style.width = "100%";
    iframe.style.minHeight = "320px";
    iframe.style.height = (options.height || 700) + "px";
    iframe.style.border = "0";
    frames.push({ iframe: iframe, origin: url.origin, container: container, onEvent: options.onEvent });
    return iframe;
  }

  window.addEventListener("message", function (event) {
    var msg = event.data;
    if (!msg || msg.source !== "workestra" || msg.version !== 1 || typeof msg.type !== "string") return;
    frames.forEach(function (f) {
      if (event.source !== f.iframe.contentWindow || event.origin !== f.origin) return;
      var payload = msg.payload || {};
      if (msg.type === "page_height" && payload.height > 0) f.iframe.style.height = payload.height + "px";
      f.container.dispatchEvent(new CustomEvent("workestra:" + msg.type, { bubbles: true, detail: payload }));
      if (typeof f.onEvent === "function") f.onEvent({ source: msg.source, version: msg.version, type: msg.type, payload: payload });
    });
  });

  function element(value) {
    return typeof value === "string" ? document.querySelector(value) : value;
  }

  function inline(options) {
    var parent = element(options.parent);
    if (!parent) throw new Error("Workestra.inline: no parent element");
    var iframe = frame(options, parent);
    parent.appendChild(iframe);
    return iframe;
  }

  // A native modal <dialog>: focus stays inside it and Escape closes it; focus returns after.
  function popup(options) {
    var opener = document.activeElement, dialog = document.createElement("dialog");
    dialog.setAttribute("aria-label", options.title || "Book a meeting");
    var s = dialog.style;
    s.width = "min(960px, 100vw - 2rem)"; s.maxHeight = "calc(100vh - 2rem)"; s.padding = "0";
    s.border = "0"; s.borderRadius = "8px"; s.overflow = "auto";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = options.closeText || "Close";
    close.style.margin = "0.5rem"; close.style.float = "right";
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(close);
    var iframe = frame(options, dialog);
    dialog.appendChild(iframe);
    dialog.addEventListener("close", function () {
      frames = frames.filter(function (f) { return f.iframe !== iframe; });
      dialog.remove();
      if (opener && opener.focus) opener.focus();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    close.focus();
    return dialog;
  }

  function opens(button, options) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      popup(options);
    });
  }

  function badge(options) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = options.text || "Book a meeting";
    var s = button.style;
    s.position = "fixed"; s.right = "1rem"; s.bottom = "1rem"; s.zIndex = "2147483000";
    s.padding = "0.75rem 1.25rem"; s.borderRadius = "999px"; s.border = "0";
    s.background = options.color || "#1d4ed8"; s.color = options.textColor || "#fff";
    s.font = "600 1rem system-ui, sans-serif"; s.cursor = "pointer";
    opens(button, options);
    document.body.appendChild(button);
    return button;
  }

  function fromMarkup(el, attribute) {
    return {
      url: el.getAttribute(attribute) || el.getAttribute("href"),
      title: el.getAttribute("data-title") || undefined,
      text: el.getAttribute("data-text") || el.textContent.trim() || undefined,
      utm: el.getAttribute("data-utm") !== "false",
      prefill: { name: el.getAttribute("data-name") || "", email: el.getAttribute("data-email") || "" }
    };
  }

  function scan() {
    document.querySelectorAll("[data-workestra-inline]:not([data-workestra-ready])").forEach(function (el) {
      el.setAttribute("data-workestra-ready", "");
      var options = fromMarkup(el, "data-workestra-inline");
      options.parent = el;
      el.textContent = "";
      inline(options);
    });
    document.querySelectorAll("[data-workestra-popup]:not([data-workestra-ready])").forEach(function (el) {
      el.setAttribute("data-workestra-ready", "");
      opens(el, fromMarkup(el, "data-workestra-popup"));
    });
    document.querySelectorAll("[data-workestra-badge]:not([data-workestra-ready])").forEach(function (el) {
      el.setAttribute("data-workestra-ready", "");
      var options = fromMarkup(el, "data-workestra-badge");
      el.hidden = true;  // the link is the no-JavaScript fallback; the floating button replaces it
      badge(options);
    });
  }

  window.Workestra = { version: 1, inline: inline, popup: popup, badge: badge, scan: scan };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})(window, document);
