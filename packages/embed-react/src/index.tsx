import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type CSSProperties,
  type RefObject,
} from "react";

import {
  buildEmbedUrl,
  currentPageOrigin,
  currentPageUrl,
  notify,
  parseMessage,
  type Prefill,
  type WorkestraEvent,
  type WorkestraEventCallbacks,
} from "@workestra/embed-core";

export type * from "@workestra/embed-core";
export { buildEmbedUrl, parseMessage } from "@workestra/embed-core";

type IframeRef = RefObject<HTMLIFrameElement | null>;

/**
 * Calls `handler` for each event the embedded booking page posts. `target` is the iframe (its
 * `src` gives the trusted origin, and only messages from its own window count) or the booking
 * URL itself. Messages from any other origin, or not in the Workestra format, are ignored.
 */
export function useWorkestraEvents(
  target: IframeRef | string,
  handler: (event: WorkestraEvent) => void,
): void {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    if (typeof window === "undefined") return undefined;
    const listener = (message: MessageEvent) => {
      const frame = typeof target === "string" ? null : target.current;
      const url = typeof target === "string" ? target : frame?.src;
      if (!url) return;
      if (frame?.contentWindow && message.source !== frame.contentWindow) return;
      const event = parseMessage(message, url);
      if (event) handlerRef.current(event);
    };
    window.addEventListener("message", listener);
    return () => window.removeEventListener("message", listener);
  }, [target]);
}

const unchanging = () => () => {};

/** This page's URL in the browser; nothing while rendering on a server or hydrating its HTML. */
function usePageUrl(): string | undefined {
  return useSyncExternalStore(unchanging, currentPageUrl, () => undefined);
}

export interface WorkestraEmbedProps extends WorkestraEventCallbacks {
  /** The booking page, e.g. `https://app.example.com/book/acme/intro-call/`. */
  url: string;
  prefill?: Prefill;
  /** `true` (default) copies the `utm_*` parameters of this page's URL; an object sets them. */
  utm?: boolean | Record<string, string>;
  /** Sent as `embed_origin`; defaults to this page's origin. */
  parentOrigin?: string;
  /** The iframe's accessible name. */
  title?: string;
  className?: string;
  style?: CSSProperties;
  /** The height before the page reports its own, in pixels. */
  initialHeight?: number;
  /** Follow the page's reported height (default true). */
  autoResize?: boolean;
}

/** The booking page in an iframe that grows to fit its content and reports what happens in it. */
export function WorkestraEmbed({
  url,
  prefill,
  utm = true,
  parentOrigin,
  title = "Book a meeting",
  className,
  style,
  initialHeight = 700,
  autoResize = true,
  ...callbacks
}: WorkestraEmbedProps) {
  const frame = useRef<HTMLIFrameElement | null>(null);
  const [height, setHeight] = useState(initialHeight);
  const prefillKey = JSON.stringify(prefill ?? {});
  const utmKey = JSON.stringify(utm);
  // On a server the iframe has no src: the booking page loads once, in the browser, where this
  // page's origin and UTM parameters are known.
  const pageUrl = usePageUrl();
  const src = useMemo(
    () =>
      pageUrl === undefined
        ? undefined
        : buildEmbedUrl(url, {
            prefill,
            utm: utm === true ? pageUrl : utm || undefined,
            parentOrigin: parentOrigin ?? currentPageOrigin(),
          }),
    // The objects are compared by value so an inline `prefill={{...}}` does not reload the page.
    [pageUrl, url, prefillKey, utmKey, parentOrigin],
  );
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;
  const autoResizeRef = useRef(autoResize);
  autoResizeRef.current = autoResize;
  const onMessage = useCallback((event: WorkestraEvent) => {
    if (event.type === "page_height" && autoResizeRef.current) setHeight(Math.ceil(event.payload.height));
    notify(event, callbacksRef.current);
  }, []);
  useWorkestraEvents(frame, onMessage);
  return (
    <iframe
      ref={frame}
      src={src}
      title={title}
      className={className}
      style={{ border: 0, width: "100%", display: "block", height, ...style }}
    />
  );
}
