import { useCallback, useMemo, useRef, useState } from "react";
import { WebView, type WebViewMessageEvent, type WebViewProps } from "react-native-webview";

import {
  buildEmbedUrl,
  notify,
  originOf,
  parseMessage,
  type Prefill,
  type WorkestraEvent,
  type WorkestraEventCallbacks,
} from "@workestra/embed-core";

export type * from "@workestra/embed-core";
export { buildEmbedUrl, parseMessage } from "@workestra/embed-core";

/**
 * Runs in the booking page before its own scripts. In a WebView the page is the top window:
 * its script posts to `window.parent` only when that is another window, so `parent` becomes a
 * stand-in whose `postMessage` hands Workestra messages to the app as JSON. A page posting to
 * its own `window.postMessage` is caught too; every other message goes through untouched.
 */
export const BRIDGE_SCRIPT = `(function () {
  if (window.__workestraBridge || !window.ReactNativeWebView) return;
  window.__workestraBridge = true;
  function forward(message) {
    if (!message || message.source !== "workestra") return false;
    try {
      window.ReactNativeWebView.postMessage(JSON.stringify(message));
      return true;
    } catch (e) {
      return false;
    }
  }
  var post = window.postMessage;
  window.postMessage = function (message) {
    if (!forward(message)) return post.apply(window, arguments);
  };
  if (window.parent === window) {
    var app = { postMessage: function (message) { forward(message); } };
    try {
      Object.defineProperty(window, "parent", { value: app, configurable: true });
    } catch (e) {
      window.parent = app;
    }
  }
})();
true;`;

/** The event a WebView message carries, or null: the page's URL must be on the booking origin. */
export function parseWebViewMessage(event: WebViewMessageEvent, bookingUrl: string): WorkestraEvent | null {
  const { data, url } = event.nativeEvent ?? {};
  let origin: string;
  let parsed: unknown;
  try {
    origin = originOf(url);
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  return parseMessage({ origin, data: parsed }, bookingUrl);
}

export interface WorkestraEmbedProps extends WorkestraEventCallbacks {
  /** The booking page, e.g. `https://app.example.com/book/acme/intro-call/`. */
  url: string;
  prefill?: Prefill;
  /** UTM parameters to pass on (only `utm_*` keys are kept); an app has no page URL to copy them from. */
  utm?: Record<string, string>;
  /** Sent as `embed_origin`; defaults to the booking page's own origin. */
  parentOrigin?: string;
  /** The WebView's accessibility label. */
  title?: string;
  style?: WebViewProps["style"];
  /** Set the WebView's height to the page's (for a WebView inside a ScrollView). Off by default. */
  autoResize?: boolean;
  /** Any other WebView props. `source`, `onMessage` and the injected script are set by the component. */
  webViewProps?: Partial<WebViewProps>;
}

/** The booking page in a WebView, reporting the same events as the web embed. */
export function WorkestraEmbed({
  url,
  prefill,
  utm,
  parentOrigin,
  title = "Book a meeting",
  style,
  autoResize = false,
  webViewProps,
  ...callbacks
}: WorkestraEmbedProps) {
  const [height, setHeight] = useState<number | null>(null);
  const prefillKey = JSON.stringify(prefill ?? {});
  const utmKey = JSON.stringify(utm ?? {});
  const uri = useMemo(
    () => buildEmbedUrl(url, { prefill, utm, parentOrigin: parentOrigin ?? originOf(url) }),
    [url, prefillKey, utmKey, parentOrigin],
  );
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;
  const onMessage = useCallback(
    (message: WebViewMessageEvent) => {
      const event = parseWebViewMessage(message, uri);
      if (!event) return;
      if (event.type === "page_height" && autoResize) setHeight(Math.ceil(event.payload.height));
      notify(event, callbacksRef.current);
    },
    [uri, autoResize],
  );
  const sized = autoResize && height !== null ? [style, { height }] : style;
  return (
    <WebView
      {...webViewProps}
      source={{ uri }}
      style={sized}
      accessibilityLabel={title}
      injectedJavaScriptBeforeContentLoaded={BRIDGE_SCRIPT}
      onMessage={onMessage}
    />
  );
}
