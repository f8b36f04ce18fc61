import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { buildEmbedUrl, notify, originOf, parseMessage } from "../dist/index.js";

const BOOKING = "https://book.example.com/acme/intro-call/";
const ORIGIN = "https://book.example.com";
const message = (type, payload, extra = {}) => ({
  origin: ORIGIN,
  data: { source: "workestra", version: 1, type, payload, ...extra },
});

describe("buildEmbedUrl", () => {
  it("marks the page as embedded and names the parent origin", () => {
    const url = new URL(buildEmbedUrl(BOOKING, { parentOrigin: "https://shop.example.org" }));
    assert.equal(url.origin + url.pathname, BOOKING);
    assert.equal(url.searchParams.get("embed"), "1");
    assert.equal(url.searchParams.get("embed_origin"), "https://shop.example.org");
  });

  it("passes the prefill as name, email and a<id>", () => {
    const url = new URL(
      buildEmbedUrl(BOOKING, {
        prefill: { name: "Ada Lovelace", email: "ada@example.com", answers: { 12: "Acme & Co", 7: ["a", "b"] } },
      }),
    );
    assert.equal(url.searchParams.get("name"), "Ada Lovelace");
    assert.equal(url.searchParams.get("email"), "ada@example.com");
    assert.equal(url.searchParams.get("a12"), "Acme & Co");
    assert.deepEqual(url.searchParams.getAll("a7"), ["a", "b"]);
  });

  it("takes question ids with or without the a", () => {
    const url = new URL(buildEmbedUrl(BOOKING, { prefill: { answers: { a5: "yes", 6: "no" } } }));
    assert.equal(url.searchParams.get("a5"), "yes");
    assert.equal(url.searchParams.get("a6"), "no");
    assert.equal(url.searchParams.has("aa5"), false);
  });

  it("keeps utm_* parameters the booking URL already has", () => {
    const url = new URL(buildEmbedUrl(`${BOOKING}?utm_source=partner`, { utm: "?utm_source=news&utm_medium=mail" }));
    assert.equal(url.searchParams.get("utm_source"), "partner");
    assert.equal(url.searchParams.get("utm_medium"), "mail");
  });

  it("copies only the utm_* parameters of the parent page", () => {
    const parent = "https://shop.example.org/pricing?utm_source=news&utm_campaign=fall&ref=x#top";
    const url = new URL(buildEmbedUrl(BOOKING, { utm: parent }));
    assert.equal(url.searchParams.get("utm_source"), "news");
    assert.equal(url.searchParams.get("utm_campaign"), "fall");
    assert.equal(url.searchParams.get("ref"), null);
  });

  it("takes utm values from an object, dropping other keys", () => {
    const url = new URL(buildEmbedUrl(BOOKING, { utm: { utm_medium: "ad", gclid: "1" } }));
    assert.equal(url.searchParams.get("utm_medium"), "ad");
    assert.equal(url.searchParams.get("gclid"), null);
  });

  it("keeps the booking URL's own query", () => {
    const url = new URL(buildEmbedUrl(`${BOOKING}?month=2026-12`));
    assert.equal(url.searchParams.get("month"), "2026-12");
    assert.equal(url.searchParams.get("embed"), "1");
  });

  it("refuses a URL that is not http(s)", () => {
    assert.throws(() => buildEmbedUrl("javascript:alert(1)"), /must be http\(s\)/);
    assert.throws(() => originOf("data:text/html,hi"), /must be http\(s\)/);
  });
});

describe("parseMessage", () => {
  it("returns each kind of event from the booking page's origin", () => {
    const booking = { booking_id: 42, start: "2026-11-24T09:00:00Z", end: "2026-11-24T09:30:00Z", status: "confirmed" };
    assert.deepEqual(parseMessage(message("page_height", { height: 812 }), BOOKING), {
      type: "page_height",
      payload: { height: 812 },
    });
    assert.deepEqual(parseMessage(message("date_selected", { date: "2026-11-24" }), BOOKING)?.payload, {
      date: "2026-11-24",
    });
    assert.deepEqual(
      parseMessage(message("slot_selected", { start: booking.start, end: booking.end }), ORIGIN)?.payload,
      { start: booking.start, end: booking.end },
    );
    assert.deepEqual(parseMessage(message("booking_created", booking), BOOKING)?.payload, booking);
    assert.deepEqual(parseMessage(message("error", { message: "Slot taken" }), BOOKING)?.payload, {
      message: "Slot taken",
    });
  });

  it("drops messages from any other origin", () => {
    const evil = { ...message("booking_created", { booking_id: "x", start: "a", end: "b", status: "c" }) };
    for (const origin of ["https://evil.example", "http://book.example.com", "https://book.example.com:8443", "null"]) {
      assert.equal(parseMessage({ ...evil, origin }, BOOKING), null, origin);
    }
  });

  it("drops messages with another source, version or an unknown type", () => {
    assert.equal(parseMessage(message("page_height", { height: 1 }, { source: "other" }), BOOKING), null);
    assert.equal(parseMessage(message("page_height", { height: 1 }, { version: 2 }), BOOKING), null);
    assert.equal(parseMessage(message("page_height", { height: 1 }, { version: "1" }), BOOKING), null);
    assert.equal(parseMessage(message("redirect", { to: "x" }), BOOKING), null);
    assert.equal(parseMessage(message("toString", {}), BOOKING), null);
    assert.equal(parseMessage({ origin: ORIGIN, data: "not an object" }, BOOKING), null);
    assert.equal(parseMessage({ origin: ORIGIN, data: null }, BOOKING), null);
  });

  it("drops payloads of the wrong shape and strips unknown fields", () => {
    assert.equal(parseMessage(message("page_height", { height: "812" }), BOOKING), null);
    assert.equal(parseMessage(message("page_height", { height: Number.NaN }), BOOKING), null);
    assert.equal(parseMessage(message("page_height", { height: -1 }), BOOKING), null);
    assert.equal(parseMessage(message("date_selected", { date: "24/11/2026" }), BOOKING), null);
    assert.equal(parseMessage(message("booking_created", { booking_id: 1, start: "a" }), BOOKING), null);
    assert.equal(parseMessage(message("error", null), BOOKING), null);
    assert.deepEqual(parseMessage(message("page_height", { height: 5, html: "<b>" }), BOOKING)?.payload, {
      height: 5,
    });
  });

  it("drops everything when the expected origin is not a usable URL", () => {
    assert.equal(parseMessage(message("page_height", { height: 1 }), "not a url"), null);
  });
});

describe("notify", () => {
  it("calls onEvent and then the callback for the event's type only", () => {
    const calls = [];
    const callbacks = {
      onEvent: (e) => calls.push(["event", e.type]),
      onBookingCreated: (p) => calls.push(["booking", p.booking_id]),
      onError: () => calls.push(["error"]),
    };
    notify({ type: "booking_created", payload: { booking_id: 9, start: "a", end: "b", status: "c" } }, callbacks);
    notify({ type: "page_height", payload: { height: 3 } }, callbacks);
    assert.deepEqual(calls, [["event", "booking_created"], ["booking", 9], ["event", "page_height"]]);
  });
});
