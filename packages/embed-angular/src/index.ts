import {
  Component,
  ElementRef,
  EventEmitter,
  HostListener,
  Input,
  Output,
  ViewChild,
  inject,
  signal,
  type OnChanges,
} from "@angular/core";
import { DomSanitizer, type SafeResourceUrl } from "@angular/platform-browser";

import {
  buildEmbedUrl,
  currentPageOrigin,
  currentPageUrl,
  notify,
  parseMessage,
  type BookingCreatedPayload,
  type DateSelectedPayload,
  type ErrorPayload,
  type PageHeightPayload,
  type Prefill,
  type SlotSelectedPayload,
  type WorkestraEvent,
} from "@workestra/embed-core";

export type * from "@workestra/embed-core";
export { buildEmbedUrl, parseMessage } from "@workestra/embed-core";

/** The booking page in an iframe that grows to fit its content and reports what happens in it. */
@Component({
  selector: "workestra-embed",
  standalone: true,
  template: `<iframe
    #frame
    [src]="safeSrc"
    [title]="title"
    [style.height.px]="height() ?? initialHeight"
    style="border: 0; width: 100%; display: block"
  ></iframe>`,
})
export class WorkestraEmbedComponent implements OnChanges {
  /** The booking page, e.g. `https://app.example.com/book/acme/intro-call/`. */
  @Input({ required: true }) url!: string;
  @Input() prefill?: Prefill;
  /** `true` (default) copies the `utm_*` parameters of this page's URL; an object sets them. */
  @Input() utm: boolean | Record<string, string> = true;
  /** Sent as `embed_origin`; defaults to this page's origin. */
  @Input() parentOrigin?: string;
  /** The iframe's accessible name. */
  @Input() title = "Book a meeting";
  /** The height before the page reports its own, in pixels. */
  @Input() initialHeight = 700;
  /** Follow the page's reported height (default true). */
  @Input() autoResize = true;

  /** Every event, discriminated by `type`. */
  @Output() readonly event = new EventEmitter<WorkestraEvent>();
  @Output() readonly pageHeight = new EventEmitter<PageHeightPayload>();
  @Output() readonly dateSelected = new EventEmitter<DateSelectedPayload>();
  @Output() readonly slotSelected = new EventEmitter<SlotSelectedPayload>();
  @Output() readonly bookingCreated = new EventEmitter<BookingCreatedPayload>();
  /** The booking page reported an error (named so it cannot be confused with the DOM's `error`). */
  @Output() readonly embedError = new EventEmitter<ErrorPayload>();

  @ViewChild("frame", { static: true }) frame?: ElementRef<HTMLIFrameElement>;

  /** The URL the iframe loads. */
  src = "";
  safeSrc?: SafeResourceUrl;
  readonly height = signal<number | null>(null);
  private readonly sanitizer = inject(DomSanitizer);

  ngOnChanges(): void {
    this.src = buildEmbedUrl(this.url, {
      prefill: this.prefill,
      utm: this.utm === true ? currentPageUrl() : this.utm || undefined,
      parentOrigin: this.parentOrigin ?? currentPageOrigin(),
    });
    // buildEmbedUrl accepts only http(s) URLs, so this is never a script URL.
    this.safeSrc = this.sanitizer.bypassSecurityTrustResourceUrl(this.src);
  }

  @HostListener("window:message", ["$event"])
  onMessage(message: MessageEvent): void {
    const frameWindow = this.frame?.nativeElement.contentWindow;
    if (!this.src || (frameWindow && message.source !== frameWindow)) return;
    const event = parseMessage(message, this.src);
    if (!event) return;
    if (event.type === "page_height" && this.autoResize) this.height.set(Math.ceil(event.payload.height));
    notify(event, {
      onEvent: (e) => this.event.emit(e),
      onPageHeight: (p) => this.pageHeight.emit(p),
      onDateSelected: (p) => this.dateSelected.emit(p),
      onSlotSelected: (p) => this.slotSelected.emit(p),
      onBookingCreated: (p) => this.bookingCreated.emit(p),
      onError: (p) => this.embedError.emit(p),
    });
  }
}
