import { runInNewContext } from "node:vm";

import { createElement } from "react";
import TestRenderer, { act, type ReactTestRenderer } from "react-test-renderer";
import { afterEach, describe, expect, it, vi } from "vitest";

// React Native is not installed here: the WebView is a plain element whose props the tests read.
vi.mock("react-native-webview", () => ({
  WebView: (props: Record<string, unknown>) => createElement("WebView", props),
}));

const { BRIDGE_SCRIPT, WorkestraEmbed } = await import("../src/index");

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const BOOKING = "https://book.example.com/acme/intro-call/";
const BOOKED = { booking_id: "b_42", start: "2026-11-24T09:00:00Z", end: "2026-11-24T09:30:00Z", status: "pending" };

let renderer: ReactTestRenderer;
afterEach(() => act(() => renderer.unmount()));

function mount(props: Partial<Parameters<typeof WorkestraEmbed>[0]> = {}) {
  act(() => {
    renderer = TestRenderer.create(<WorkestraEmbed url={BOOKING} {...props} />);
  });
  return () => renderer.root.findByType("WebView" as never).props;
}

function message(type: string, payload: unknown, { url = `${BOOKING}?embed=1`, ...extra } = {}) {
  return { nativeEvent: { url, data: JSON.stringify({ source: "workestra", version: 1, type, payload, ...extra }) } };
}

describe("WorkestraEmbed (React Native)", () => {
  it("loads the embed URL with the prefill and UTM values, and injects the bridge", () => {
    const webView = mount({ prefill: { email: "ada@example.com" }, utm: { utm_source: "app", other: "x" } });

    const uri = new URL(webView().source.uri);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      embed: "1",
      embed_origin: "https://book.example.com",
      email: "ada@example.com",
      utm_source: "app",
    });
    expect(webView().injectedJavaScriptBeforeContentLoaded).toBe(BRIDGE_SCRIPT);
    expect(webView().accessibilityLabel).toBe("Book a meeting");
  });

  it("reports the booking page's events to the same callbacks as the web embed", () => {
    const onEvent = vi.fn();
    const onBookingCreated = vi.fn();
    const onSlotSelected = vi.fn();
    const webView = mount({ onEvent, onBookingCreated, onSlotSelected });

    act(() => webView().onMessage(message("slot_selected", { start: BOOKED.start, end: BOOKED.end })));
    act(() => webView().onMessage(message("booking_created", BOOKED)));

    expect(onSlotSelected).toHaveBeenCalledWith({ start: BOOKED.start, end: BOOKED.end });
    expect(onBookingCreated).toHaveBeenCalledExactlyOnceWith(BOOKED);
    expect(onEvent).toHaveBeenCalledTimes(2);
  });

  it("drops messages from pages on other origins, other formats and garbage", () => {
    const onEvent = vi.fn();
    const webView = mount({ onEvent });

    act(() => webView().onMessage(message("booking_created", BOOKED, { url: "https://evil.example/phish" })));
    act(() => webView().onMessage(message("booking_created", BOOKED, { version: 2 })));
    act(() => webView().onMessage(message("booking_created", { booking_id: 1 })));
    act(() => webView().onMessage({ nativeEvent: { url: BOOKING, data: "{not json" } }));
    act(() => webView().onMessage({ nativeEvent: { url: "about:blank", data: "{}" } }));

    expect(onEvent).not.toHaveBeenCalled();
  });

  it("takes the page's height only when asked to", () => {
    const fixed = mount({ style: { flex: 1 } });
    act(() => fixed().onMessage(message("page_height", { height: 640 })));
    expect(fixed().style).toEqual({ flex: 1 });
    act(() => renderer.unmount());

    const growing = mount({ autoResize: true, style: { flex: 1 } });
    act(() => growing().onMessage(message("page_height", { height: 640.2 })));
    expect(growing().style).toEqual([{ flex: 1 }, { height: 641 }]);
  });
});

describe("BRIDGE_SCRIPT", () => {
  const booked = { source: "workestra", version: 1, type: "booking_created", payload: BOOKED };

  function page() {
    const toApp: string[] = [];
    const toPage: unknown[] = [];
    const window: Record<string, unknown> & { postMessage: (message: unknown, origin: string) => void } = {
      postMessage: (message: unknown) => toPage.push(message),
      ReactNativeWebView: { postMessage: (text: string) => toApp.push(text) },
    };
    window.parent = window; // a WebView's page is the top window
    return { window, toApp, toPage };
  }

  it("gives the top window a parent that hands Workestra messages to the app as JSON", () => {
    const { window, toApp } = page();
    runInNewContext(BRIDGE_SCRIPT, { window });
    runInNewContext(BRIDGE_SCRIPT, { window }); // injected again: still one hop

    const parent = window.parent as typeof window;
    expect(parent).not.toBe(window);
    parent.postMessage(booked, "https://shop.example.org");
    parent.postMessage({ source: "analytics" }, "*");

    expect(toApp.map((text) => JSON.parse(text))).toEqual([booked]);
  });

  it("also catches the page posting to itself, and leaves other messages alone", () => {
    const { window, toApp, toPage } = page();
    runInNewContext(BRIDGE_SCRIPT, { window });

    window.postMessage(booked, "https://book.example.com");
    window.postMessage({ source: "analytics" }, "*");

    expect(toApp.map((text) => JSON.parse(text))).toEqual([booked]);
    expect(toPage).toEqual([{ source: "analytics" }]);
  });

  it("does nothing outside a React Native WebView", () => {
    const { window } = page();
    delete window.ReactNativeWebView;
    runInNewContext(BRIDGE_SCRIPT, { window });
    expect(window.parent).toBe(window);
  });
});
