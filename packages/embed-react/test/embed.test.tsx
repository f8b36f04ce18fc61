import { act, cleanup, render, renderHook, screen } from "@testing-library/react";
import { useRef } from "react";
import { hydrateRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import { WorkestraEmbed, useWorkestraEvents } from "../src/index";

const BOOKING = "https://book.example.com/acme/intro-call/";
const ORIGIN = "https://book.example.com";
const BOOKED = { booking_id: 42, start: "2026-11-24T09:00:00Z", end: "2026-11-24T09:30:00Z", status: "confirmed" };

function post(type: string, payload: unknown, init: Partial<MessageEventInit> = {}, extra = {}) {
  act(() => {
    window.dispatchEvent(
      new MessageEvent("message", {
        origin: ORIGIN,
        data: { source: "workestra", version: 1, type, payload, ...extra },
        ...init,
      }),
    );
  });
}

const frame = () => screen.getByTitle("Book a meeting") as HTMLIFrameElement;
const fromFrame = () => ({ source: frame().contentWindow });

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

describe("WorkestraEmbed", () => {
  it("embeds the booking page with the parent origin, prefill and this page's UTM parameters", () => {
    window.history.replaceState(null, "", "/pricing?utm_source=newsletter&ref=nav");
    render(<WorkestraEmbed url={BOOKING} prefill={{ name: "Ada", email: "ada@example.com", answers: { 3: "Acme" } }} />);

    const src = new URL(frame().src);
    expect(src.origin + src.pathname).toBe(BOOKING);
    expect(Object.fromEntries(src.searchParams)).toEqual({
      embed: "1",
      embed_origin: window.location.origin,
      name: "Ada",
      email: "ada@example.com",
      a3: "Acme",
      utm_source: "newsletter",
    });
  });

  it("leaves the UTM parameters out when told to", () => {
    window.history.replaceState(null, "", "/?utm_source=newsletter");
    render(<WorkestraEmbed url={BOOKING} utm={false} />);
    expect(new URL(frame().src).searchParams.has("utm_source")).toBe(false);
  });

  it("grows to the height the booking page reports", () => {
    render(<WorkestraEmbed url={BOOKING} />);
    expect(frame().style.height).toBe("700px");

    post("page_height", { height: 1234.4 }, fromFrame());

    expect(frame().style.height).toBe("1235px");
  });

  it("reports a booking to onBookingCreated and every event to onEvent", () => {
    const onBookingCreated = vi.fn();
    const onEvent = vi.fn();
    render(<WorkestraEmbed url={BOOKING} onBookingCreated={onBookingCreated} onEvent={onEvent} />);

    post("date_selected", { date: "2026-11-24" }, fromFrame());
    post("booking_created", BOOKED, fromFrame());

    expect(onBookingCreated).toHaveBeenCalledExactlyOnceWith(BOOKED);
    expect(onEvent.mock.calls.map(([event]) => event.type)).toEqual(["date_selected", "booking_created"]);
  });

  it("ignores messages from another origin, another window or in another format", () => {
    const onEvent = vi.fn();
    render(<WorkestraEmbed url={BOOKING} onEvent={onEvent} />);

    post("booking_created", BOOKED, { ...fromFrame(), origin: "https://evil.example" });
    post("booking_created", BOOKED, { source: window });
    post("booking_created", BOOKED, fromFrame(), { version: 2 });
    post("booking_created", BOOKED, fromFrame(), { source: "someone-else" });
    post("page_height", { height: 99999 }, { ...fromFrame(), origin: "http://book.example.com" });

    expect(onEvent).not.toHaveBeenCalled();
    expect(frame().style.height).toBe("700px");
  });

  it("keeps its height when auto-resizing is off", () => {
    const onPageHeight = vi.fn();
    render(<WorkestraEmbed url={BOOKING} autoResize={false} onPageHeight={onPageHeight} />);

    post("page_height", { height: 300 }, fromFrame());

    expect(frame().style.height).toBe("700px");
    expect(onPageHeight).toHaveBeenCalledWith({ height: 300 });
  });

  it("leaves loading the booking page to the browser when rendered on a server", () => {
    const html = renderToString(<WorkestraEmbed url={BOOKING} />);
    expect(html).toContain('title="Book a meeting"');
    expect(html).not.toContain("src=");

    const container = document.createElement("div");
    container.innerHTML = html;
    document.body.append(container);
    let root: ReturnType<typeof hydrateRoot> | undefined;
    act(() => {
      root = hydrateRoot(container, <WorkestraEmbed url={BOOKING} />);
    });
    const src = new URL(container.querySelector("iframe")!.src);
    expect(src.searchParams.get("embed_origin")).toBe(window.location.origin);
    act(() => root?.unmount());
    container.remove();
  });

  it("refuses a booking URL that is not http(s)", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => render(<WorkestraEmbed url="javascript:alert(1)" />)).toThrow(/must be http\(s\)/);
  });
});

describe("useWorkestraEvents", () => {
  it("hands over events from the booking URL's origin only", () => {
    const handler = vi.fn();
    renderHook(() => useWorkestraEvents(BOOKING, handler));

    post("slot_selected", { start: BOOKED.start, end: BOOKED.end });
    post("slot_selected", { start: BOOKED.start, end: BOOKED.end }, { origin: "https://evil.example" });
    post("error", { message: "That time was just taken" });

    expect(handler.mock.calls.map(([event]) => event)).toEqual([
      { type: "slot_selected", payload: { start: BOOKED.start, end: BOOKED.end } },
      { type: "error", payload: { message: "That time was just taken" } },
    ]);
  });

  it("follows an iframe of your own and stops listening when unmounted", () => {
    const handler = vi.fn();
    function Page() {
      const ref = useRef<HTMLIFrameElement>(null);
      useWorkestraEvents(ref, handler);
      return <iframe ref={ref} src={`${BOOKING}?embed=1`} title="Book a meeting" />;
    }
    const { unmount } = render(<Page />);

    post("booking_created", BOOKED, fromFrame());
    const source = frame().contentWindow;
    unmount();
    post("booking_created", BOOKED, { source });

    expect(handler).toHaveBeenCalledExactlyOnceWith({ type: "booking_created", payload: BOOKED });
  });
});
