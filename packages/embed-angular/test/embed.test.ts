import { Component, provideZonelessChangeDetection } from "@angular/core";
import { TestBed, type ComponentFixture } from "@angular/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { WorkestraEmbedComponent, type BookingCreatedPayload, type WorkestraEvent } from "../dist/index.js";

const BOOKING = "https://book.example.com/acme/intro-call/";
const ORIGIN = "https://book.example.com";
const BOOKED = { booking_id: 42, start: "2026-11-24T09:00:00Z", end: "2026-11-24T09:30:00Z", status: "confirmed" };

@Component({
  standalone: true,
  imports: [WorkestraEmbedComponent],
  template: `<workestra-embed
    [url]="url"
    [prefill]="prefill"
    (bookingCreated)="booked.push($event)"
    (event)="events.push($event)"
  />`,
})
class HostPage {
  url = BOOKING;
  prefill = { name: "Ada", answers: { 3: "Acme" } };
  booked: BookingCreatedPayload[] = [];
  events: WorkestraEvent[] = [];
}

let fixture: ComponentFixture<HostPage>;
const frame = () => fixture.nativeElement.querySelector("iframe") as HTMLIFrameElement;

async function post(type: string, payload: unknown, init: Partial<MessageEventInit> = {}, extra = {}) {
  window.dispatchEvent(
    new MessageEvent("message", {
      origin: ORIGIN,
      source: frame().contentWindow,
      data: { source: "workestra", version: 1, type, payload, ...extra },
      ...init,
    }),
  );
  await fixture.whenStable();
}

beforeEach(async () => {
  window.history.replaceState(null, "", "/pricing?utm_campaign=fall&ref=nav");
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
  fixture = TestBed.createComponent(HostPage);
  await fixture.whenStable();
});

afterEach(() => {
  fixture?.destroy();
  TestBed.resetTestingModule();
  window.history.replaceState(null, "", "/");
});

describe("<workestra-embed>", () => {
  it("embeds the booking page with the parent origin, prefill and this page's UTM parameters", () => {
    expect(frame().title).toBe("Book a meeting");
    const src = new URL(frame().src);
    expect(src.origin + src.pathname).toBe(BOOKING);
    expect(Object.fromEntries(src.searchParams)).toEqual({
      embed: "1",
      embed_origin: window.location.origin,
      name: "Ada",
      a3: "Acme",
      utm_campaign: "fall",
    });
  });

  it("grows to the height the booking page reports", async () => {
    expect(frame().style.height).toBe("700px");
    await post("page_height", { height: 980.5 });
    expect(frame().style.height).toBe("981px");
  });

  it("emits (bookingCreated) and (event) for the booking page's events", async () => {
    await post("slot_selected", { start: BOOKED.start, end: BOOKED.end });
    await post("booking_created", BOOKED);

    expect(fixture.componentInstance.booked).toEqual([BOOKED]);
    expect(fixture.componentInstance.events.map((e) => e.type)).toEqual(["slot_selected", "booking_created"]);
  });

  it("ignores messages from another origin, another window or in another format", async () => {
    await post("booking_created", BOOKED, { origin: "https://evil.example" });
    await post("booking_created", BOOKED, { source: window });
    await post("booking_created", BOOKED, {}, { version: 2 });
    await post("page_height", { height: 5000 }, { origin: "http://book.example.com" });

    expect(fixture.componentInstance.events).toEqual([]);
    expect(frame().style.height).toBe("700px");
  });

  it("reloads the page when the URL changes", async () => {
    fixture.componentInstance.url = "https://other.example.com/acme/demo/";
    fixture.changeDetectorRef.markForCheck();
    await fixture.whenStable();

    expect(new URL(frame().src).origin).toBe("https://other.example.com");
    await post("booking_created", BOOKED);
    expect(fixture.componentInstance.booked).toEqual([]);
  });
});
