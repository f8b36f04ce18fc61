/**
 * The message protocol between an embedded Workestra booking page and the page around it.
 *
 * The booking page posts `{source: "workestra", version: 1, type, payload}` to its parent;
 * `parseMessage` accepts only those, only from the booking page's own origin.
 */

export const MESSAGE_SOURCE = "workestra";
export const PROTOCOL_VERSION = 1;

export interface PageHeightPayload {
  height: number;
}
export interface DateSelectedPayload {
  /** The chosen day, `YYYY-MM-DD`. */
  date: string;
}
export interface SlotSelectedPayload {
  /** ISO 8601, UTC. */
  start: string;
  /** ISO 8601, UTC. */
  end: string;
}
export interface BookingCreatedPayload {
  booking_id: string | number;
  /** ISO 8601, UTC. */
  start: string;
  /** ISO 8601, UTC. */
  end: string;
  status: string;
}
export interface ErrorPayload {
  message: string;
}

export interface PayloadByType {
  page_height: PageHeightPayload;
  date_selected: DateSelectedPayload;
  slot_selected: SlotSelectedPayload;
  booking_created: BookingCreatedPayload;
  error: ErrorPayload;
}

export type WorkestraEventType = keyof PayloadByType;

/** One event from the booking page, discriminated by `type`. */
export type WorkestraEvent = {
  [T in WorkestraEventType]: { type: T; payload: PayloadByType[T] };
}[WorkestraEventType];

/** Per-event callbacks shared by the React, Angular and React Native wrappers. */
export interface WorkestraEventCallbacks {
  onEvent?: (event: WorkestraEvent) => void;
  onPageHeight?: (payload: PageHeightPayload) => void;
  onDateSelected?: (payload: DateSelectedPayload) => void;
  onSlotSelected?: (payload: SlotSelectedPayload) => void;
  onBookingCreated?: (payload: BookingCreatedPayload) => void;
  onError?: (payload: ErrorPayload) => void;
}

/**
 * Values the booking form starts with. `answers` are keyed by question id, with or without the
 * `a`: `{12: "Acme"}` and `{a12: "Acme"}` both send `a12=Acme`.
 */
export interface Prefill {
  name?: string;
  email?: string;
  answers?: Record<string | number, string | number | ReadonlyArray<string | number>>;
}

export interface EmbedUrlOptions {
  prefill?: Prefill;
  /**
   * UTM parameters to pass through: an object (only `utm_*` keys are kept), or a URL or query
   * string to copy the `utm_*` parameters from (usually the parent page's `location.href`).
   * Those already in the booking URL are kept.
   */
  utm?: Record<string, string> | string;
  /** The origin of the page the booking page is embedded in; sent as `embed_origin`. */
  parentOrigin?: string;
}

/** The origin of an absolute http(s) URL (or one relative to `base`); throws on anything else. */
export function originOf(url: string, base?: string): string {
  const parsed = new URL(url, base);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TypeError(`Workestra embed: the booking URL must be http(s), got "${parsed.protocol}"`);
  }
  return parsed.origin;
}

/** The booking page URL with `embed=1`, the parent origin, the prefill and the UTM parameters. */
export function buildEmbedUrl(url: string, options: EmbedUrlOptions = {}, base?: string): string {
  originOf(url, base);
  const result = new URL(url, base);
  const params = result.searchParams;
  params.set("embed", "1");
  if (options.parentOrigin) params.set("embed_origin", options.parentOrigin);
  const { prefill = {} } = options;
  if (prefill.name) params.set("name", prefill.name);
  if (prefill.email) params.set("email", prefill.email);
  for (const [id, value] of Object.entries(prefill.answers ?? {})) {
    const key = /^a\d+$/.test(id) ? id : `a${id}`;
    params.delete(key);
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  for (const [key, value] of utmPairs(options.utm)) if (!params.has(key)) params.set(key, value);
  return result.toString();
}

function utmPairs(utm: EmbedUrlOptions["utm"]): Array<[string, string]> {
  if (!utm) return [];
  let pairs: Array<[string, string]>;
  if (typeof utm === "string") {
    const query = utm.includes("?") ? utm.slice(utm.indexOf("?")) : utm;
    pairs = [...new URLSearchParams(query.split("#")[0]).entries()];
  } else {
    pairs = Object.entries(utm).filter(([, value]) => typeof value === "string");
  }
  return pairs.filter(([key, value]) => /^utm_[a-z0-9_]+$/i.test(key) && value !== "");
}

/** The parts of a `MessageEvent` the parser reads. */
export interface MessageLike {
  origin: string;
  data: unknown;
}

type Guard<T> = (payload: Record<string, unknown>) => T | null;

const isString = (value: unknown): value is string => typeof value === "string";
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const GUARDS: { [T in WorkestraEventType]: Guard<PayloadByType[T]> } = {
  page_height: ({ height }) =>
    typeof height === "number" && Number.isFinite(height) && height >= 0 ? { height } : null,
  date_selected: ({ date }) => (isString(date) && DAY.test(date) ? { date } : null),
  slot_selected: ({ start, end }) => (isString(start) && isString(end) ? { start, end } : null),
  booking_created: ({ booking_id, start, end, status }) =>
    (isString(booking_id) || typeof booking_id === "number") &&
    isString(start) &&
    isString(end) &&
    isString(status)
      ? { booking_id, start, end, status }
      : null,
  error: ({ message }) => (isString(message) ? { message } : null),
};

/**
 * The event a message carries, or null when it is not one: wrong origin, wrong source or
 * version, unknown type, or a payload of the wrong shape. `expectedOrigin` may be the booking
 * URL itself; only its origin is compared.
 */
export function parseMessage(event: MessageLike, expectedOrigin: string): WorkestraEvent | null {
  let origin: string;
  try {
    origin = originOf(expectedOrigin);
  } catch {
    return null;
  }
  if (!event || event.origin !== origin) return null;
  const data = event.data as Record<string, unknown> | null;
  if (!data || typeof data !== "object") return null;
  if (data.source !== MESSAGE_SOURCE || data.version !== PROTOCOL_VERSION) return null;
  const type = data.type as WorkestraEventType;
  if (typeof type !== "string" || !Object.prototype.hasOwnProperty.call(GUARDS, type)) return null;
  const payload = data.payload;
  if (!payload || typeof payload !== "object") return null;
  const parsed = GUARDS[type](payload as Record<string, unknown>);
  return parsed ? ({ type, payload: parsed } as WorkestraEvent) : null;
}

/** Call `onEvent`, then the callback for the event's type. */
export function notify(event: WorkestraEvent, callbacks: WorkestraEventCallbacks): void {
  callbacks.onEvent?.(event);
  switch (event.type) {
    case "page_height":
      return callbacks.onPageHeight?.(event.payload);
    case "date_selected":
      return callbacks.onDateSelected?.(event.payload);
    case "slot_selected":
      return callbacks.onSlotSelected?.(event.payload);
    case "booking_created":
      return callbacks.onBookingCreated?.(event.payload);
    case "error":
      return callbacks.onError?.(event.payload);
  }
}

/** The `utm_*` source for the current page, or nothing outside a browser. */
export function currentPageUrl(): string | undefined {
  const location = (globalThis as { location?: { href?: string } }).location;
  return location?.href;
}

/** The current page's origin, or nothing outside a browser (or on an opaque origin). */
export function currentPageOrigin(): string | undefined {
  const location = (globalThis as { location?: { origin?: string } }).location;
  const origin = location?.origin;
  return origin && origin !== "null" ? origin : undefined;
}
