"""Forms for the host's link settings and the attendee's booking request (page and API alike)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from availability.selectors import schedules_of
from booking import locations
from booking.answer_fields import add_question_fields, cleaned_answers, describe_errors
from booking.link_hosts_form import HostRow, add_host_fields, clean_hosts, host_rows
from booking.link_locations_form import (
    LocationRow,
    add_location_fields,
    clean_locations,
    location_rows,
)
from booking.link_parts import Part, form_parts
from booking.models import MAX_CTAS, MAX_DURATION, MAX_GUESTS, BookingLink
from booking.services import link_save
from booking.variables import VALID_NAMES, is_known
from crm.models import Stage
from workestra.inputs import AwareDateTimeField, text_problem
from workestra.lib.fields import model_choice_field
from workestra.models import Team, User, Workspace
from workestra.timezones import is_valid_timezone, timezone_names
from workflows import render

#: The calendar providers that make a meeting link with the event.
MEETING_PROVIDERS = (BookingLink.CalendarProvider.GOOGLE, BookingLink.CalendarProvider.MICROSOFT)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MESSAGE = "Use lowercase letters, numbers and single dashes only."
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_DURATION_CHOICES = 10
_http_url = URLValidator(schemes=["http", "https"])


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timezone_names()]


def _validate_http_url(value: str, *, placeholders: bool = False) -> None:
    probe = re.sub(r"\{\{\s*\w+\s*\}\}", "x", value) if placeholders else value
    try:
        _http_url(probe)
    except ValidationError:
        raise ValidationError("Enter a full web address starting with https://.") from None


def free_slug(title: str, live: QuerySet[BookingLink] | None = None) -> str:
    """A slug made from ``title`` that no live link uses."""
    live = BookingLink.objects.live() if live is None else live
    # slugify() keeps underscores, which SLUG_RE (and so the edit form) rejects.
    base = re.sub(r"[^a-z0-9]+", "-", slugify(title))[:90].strip("-") or "meeting"
    slug, n = base, 2
    while live.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class BookingLinkForm(forms.ModelForm):
    """Create or edit a link. Durations and CTAs are edited as plain text fields so the form works
    without JavaScript; the hours come from a schedule (``/calendar/schedules``)."""

    durations_text = forms.CharField(
        label="Available durations",
        required=False,
        max_length=100,
        help_text="Optional: minutes an attendee may choose from, e.g. 30, 45, 60.",
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        help_text="The zone times are shown in when the event time zone is locked.",
    )

    class Meta:
        model = BookingLink
        fields = [
            "title",
            "description",
            "slug",
            "kind",
            "team",
            "capacity",
            "rotation",
            "rotation_period",
            "rotation_counts_no_shows",
            "rotation_counts_cancellations",
            "rotation_max_lead",
            "duration",
            "slot_interval",
            "daily_cap",
            "weekly_cap",
            "monthly_cap",
            "buffer_before",
            "buffer_after",
            "min_notice_hours",
            "max_days_ahead",
            "schedule",
            "timezone",
            "create_deal",
            "deal_stage",
            "deal_value",
            "calendar_provider",
            "auto_meeting_link",
            "notification_mode",
            "use_no_reply",
            "phone_mode",
            "allow_guests",
            "lock_timezone",
            "language",
            "redirect_url",
            "is_active",
            "require_email_verification",
        ]
        labels = {
            "schedule": "Schedule",
            "calendar_provider": "Calendar provider",
            "duration": "Duration (minutes)",
            "kind": "Event type",
            "capacity": "Seats per slot (group)",
            "rotation": "Round-robin assignment",
            "rotation_period": "Count bookings per",
            "rotation_counts_no_shows": "No-shows count towards a host's share",
            "rotation_counts_cancellations": "Cancellations count towards a host's share",
            "rotation_max_lead": "Maximum lead (bookings)",
            "slot_interval": "Start times every (minutes)",
            "daily_cap": "Daily cap",
            "weekly_cap": "Weekly cap",
            "monthly_cap": "Monthly cap",
            "buffer_before": "Buffer before (minutes)",
            "buffer_after": "Buffer after (minutes)",
            "min_notice_hours": "Minimum notice (hours)",
            "is_active": "Active",
            "redirect_url": "Post-booking redirect URL",
            "use_no_reply": "Use no-reply email",
            "allow_guests": "Allow invitee guests",
            "lock_timezone": "Lock event time zone",
            "phone_mode": "Ask for phone number",
            "create_deal": "Auto-create deal",
            "deal_stage": "Default deal stage",
            "deal_value": "Default deal value",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "calendar_provider": "Each host's confirmed events go into their calendar of this "
            "provider (connect it under Integrations). Busy time is read from every calendar a "
            "host checks for conflicts, whatever this says."
        }
        # Django's slug message says underscores are allowed; ours are not.
        error_messages = {"slug": {"invalid": SLUG_MESSAGE}}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Lowercase letters, numbers and dashes. Blank: from title."
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [("", "The attendee's browser language"), *settings.LANGUAGES]
        model_choice_field(self, "team").queryset = Team.objects.filter(workspace=workspace)
        model_choice_field(self, "deal_stage").queryset = Stage.objects.filter(
            workspace=workspace
        ).select_related("pipeline")
        schedule = model_choice_field(self, "schedule")
        schedule.queryset = schedules_of(workspace.pk, self.instance.owner_id)
        schedule.empty_label = "The owner's default schedule"
        schedule.help_text = (
            "When the link offers times. On a team link, hosts who choose no schedule of their "
            "own use this one; with the default, each uses their own default schedule."
        )
        for n in range(1, MAX_CTAS + 1):
            cta = self.instance.ctas[n - 1] if len(self.instance.ctas) >= n else {}
            self.fields[f"cta_label_{n}"] = forms.CharField(
                label=f"Button {n} label",
                required=False,
                max_length=60,
                initial=cta.get("label", ""),
            )
            self.fields[f"cta_url_{n}"] = forms.CharField(
                label=f"Button {n} URL", required=False, max_length=2000, initial=cta.get("url", "")
            )
        self.members = list(
            User.objects.filter(memberships__workspace=workspace).order_by("name", "email")
        )
        add_host_fields(self, self.members, self.instance, workspace_id=workspace.pk)
        add_location_fields(self, self.instance)
        if self.instance.pk:
            self.initial["durations_text"] = ", ".join(
                str(d) for d in self.instance.duration_choices[1:]
            )

    def parts(self) -> dict[str, Part]:
        return form_parts(self)

    def show_without_checking(self) -> None:
        """Render the submitted values as typed, with no errors: the page only redraws (for a
        new event type), nothing is saved."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def host_rows(self) -> list[HostRow]:
        return host_rows(self, self.members)

    def location_rows(self) -> list[LocationRow]:
        return location_rows(self)

    def cta_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"cta_label_{n}"], self[f"cta_url_{n}"]) for n in range(1, MAX_CTAS + 1)]

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip()
        if slug and not SLUG_RE.match(slug):
            raise ValidationError(SLUG_MESSAGE)
        return slug

    def clean_durations_text(self) -> list[int]:
        text = self.cleaned_data.get("durations_text") or ""
        values: list[int] = []
        for part in (p.strip() for p in re.split(r"[,\s]+", text) if p.strip()):
            # isdigit() alone lets "²" through to int(), which raises.
            if not (part.isascii() and part.isdigit()) or not 5 <= int(part) <= MAX_DURATION:
                raise ValidationError(
                    f"“{part[:10]}” is not a duration from 5 to {MAX_DURATION} minutes."
                )
            values.append(int(part))
        if len(set(values)) > MAX_DURATION_CHOICES:
            raise ValidationError(f"Offer at most {MAX_DURATION_CHOICES} durations.")
        return sorted(set(values))

    def clean_redirect_url(self) -> str:
        url = (self.cleaned_data.get("redirect_url") or "").strip()
        if url:
            _validate_http_url(url, placeholders=True)
            if "{{" in urlsplit(url).netloc:
                # Attendee-controlled values (UTM, answers) must not choose the destination site.
                raise ValidationError("Placeholders can only go in the path or query of the URL.")
            unknown = render.unknown_message(url, is_known, VALID_NAMES)
            if unknown:
                raise ValidationError(unknown)
        return url

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["hosts"] = clean_hosts(self, data, self.members)
        if data.get("kind") == BookingLink.Kind.GROUP and (data.get("capacity") or 0) < 2:
            self.add_error("capacity", "A group link needs room for at least 2 attendees.")
        data["ctas"] = self._clean_ctas(data)
        data["locations"] = clean_locations(self, data)
        if data.get("create_deal") and not data.get("deal_stage"):
            self.add_error("deal_stage", "Pick the stage new deals land in.")
        if data.get("auto_meeting_link") and data.get("calendar_provider") not in MEETING_PROVIDERS:
            self.add_error(
                "auto_meeting_link",
                "Meeting links come from Google Meet or Microsoft Teams: pick Google Calendar "
                "or Microsoft 365 as the calendar provider.",
            )
        if "slug" in data and not self.errors.get("title"):
            data["slug"] = self._unique_slug(data.get("slug") or "", data.get("title") or "")
        return data

    def _clean_ctas(self, data: dict[str, Any]) -> list[dict[str, str]]:
        ctas = []
        for n in range(1, MAX_CTAS + 1):
            label = (data.get(f"cta_label_{n}") or "").strip()
            url = (data.get(f"cta_url_{n}") or "").strip()
            if not label and not url:
                continue
            if not label:
                self.add_error(f"cta_label_{n}", "Give the button a label.")
            try:
                _validate_http_url(url)
            except ValidationError as exc:
                self.add_error(f"cta_url_{n}", exc)
            ctas.append({"label": label, "url": url})
        return ctas

    def _unique_slug(self, wanted: str, title: str) -> str:
        live = BookingLink.objects.live()
        if self.instance.pk:
            live = live.exclude(pk=self.instance.pk)
        if wanted:
            if live.filter(slug=wanted).exists():
                self.add_error("slug", "Another link already uses this slug.")
            return wanted
        return free_slug(title, live)

    def save(self, commit: bool = True) -> BookingLink:
        """The link with the submitted settings; stored (with its hosts, in one transaction)
        only when ``commit``. Views build it with ``commit=False`` and call ``link_save``."""
        link: BookingLink = super().save(commit=False)
        link.workspace = self.workspace
        link.slug = self.cleaned_data["slug"]
        link.durations = self.cleaned_data["durations_text"]
        link.ctas = self.cleaned_data["ctas"]
        link.locations = self.cleaned_data["locations"]
        if commit:
            link_save(link=link, hosts=self.cleaned_data["hosts"])
        return link


class BookingRequestForm(forms.Form):
    """What an attendee submits, from the public page or the JSON API. The link's questions are
    fields named ``a<id>``; other pre-meeting answers and UTM values come as dicts beside the
    fields. Cleaned into ``answers`` (with ``answer_labels`` and file ``uploads``) and ``utm``."""

    start = AwareDateTimeField(
        error_messages={"required": _("Pick a time."), "invalid": _("Pick a time from the list.")},
    )
    duration = forms.IntegerField(required=False)
    timezone = forms.CharField(max_length=64)
    name = forms.CharField(max_length=200, error_messages={"required": _("Enter your name.")})
    email = forms.EmailField(
        max_length=254, error_messages={"required": _("Enter your email address.")}
    )
    phone = forms.CharField(max_length=32, required=False)
    guests = forms.CharField(
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("one email per line")}),
    )

    def __init__(
        self,
        *args: Any,
        link: BookingLink,
        answers: dict[str, Any] | None = None,
        utm: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.link = link
        self.raw_answers = answers or {}
        self.raw_utm = utm or {}
        self.offered = locations.link_locations(link.locations)
        calls = [loc for loc in self.offered if loc.needs_phone]
        self.fields["phone"].required = link.phone_mode == BookingLink.PhoneMode.REQUIRED or (
            bool(calls) and len(self.offered) == 1
        )
        if link.phone_mode == BookingLink.PhoneMode.HIDDEN and not calls:
            del self.fields["phone"]
        if not link.allow_guests:
            del self.fields["guests"]
        if self.offered:
            self.fields["location"] = forms.ChoiceField(
                label=_("Where"),
                choices=[(loc.kind, loc.public_label) for loc in self.offered],
                required=len(self.offered) > 1,
                widget=forms.RadioSelect if len(self.offered) > 1 else forms.HiddenInput,
                error_messages={
                    "required": _("Choose where to meet."),
                    "invalid_choice": _("Choose one of the offered locations."),
                },
            )
        self.questions = add_question_fields(self, link)

    @property
    def attendee_fields(self) -> list[forms.BoundField]:
        """The visible fields about the attendee: not the picked time, nor the questions."""
        skip = {"start", "duration", "timezone", "location", *(q.key for q in self.questions)}
        return [f for f in self.visible_fields() if f.name not in skip]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[q.key] for q in self.questions]

    @property
    def asks_for_files(self) -> bool:
        return any(q.kind == "file" for q in self.questions)

    def full_clean(self) -> None:
        super().full_clean()
        describe_errors(self, self.questions)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        chosen = data.get("location") or (self.offered[0].kind if len(self.offered) == 1 else "")
        data["location"] = chosen
        needs_phone = chosen == locations.Kind.PHONE_HOST
        if (
            needs_phone
            and "phone" in self.fields
            and not data.get("phone")
            and "phone" not in self.errors
        ):
            self.add_error("phone", _("Enter your phone number so the host can call you."))
        for key, clean_values, raw in (
            ("answers", clean_answers, self.raw_answers),
            ("utm", clean_utm, self.raw_utm),
        ):
            try:
                data[key] = clean_values(raw)
            except ValidationError as exc:
                self.add_error(None, exc)
        if not self.errors:
            data.update(cleaned_answers(self, self.questions, data["answers"]))
        return data

    def clean_start(self) -> datetime:
        start: datetime = self.cleaned_data["start"]
        if start.second or start.microsecond:
            raise ValidationError(_("Pick a time from the list."))
        return start

    def clean_duration(self) -> int:
        duration = self.cleaned_data.get("duration") or self.link.duration
        if duration not in self.link.duration_choices:
            offered = ", ".join(str(d) for d in self.link.duration_choices)
            raise ValidationError(
                _("Pick one of the offered lengths: %(offered)s minutes.") % {"offered": offered}
            )
        return duration

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        if not is_valid_timezone(zone):
            raise ValidationError(_("Pick a time zone from the list."))
        return zone

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter your name."))
        return name

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def clean_phone(self) -> str:
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(
                _("Enter the phone number with its country code, e.g. +1 415 555 0100.")
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_guests(self) -> list[str]:
        raw = self.cleaned_data.get("guests") or ""
        guests: list[str] = []
        for item in (g.strip() for g in re.split(r"[\s,;]+", raw) if g.strip()):
            try:
                validate_email(item)
            except ValidationError:
                raise ValidationError(
                    _("“%(item)s” is not an email address.") % {"item": item[:60]}
                ) from None
            if item.lower() not in (g.lower() for g in guests):
                guests.append(item)
        if len(guests) > MAX_GUESTS:
            raise ValidationError(_("Invite at most %(max)s guests.") % {"max": MAX_GUESTS})
        return guests


def clean_utm(values: dict[str, Any]) -> dict[str, str]:
    """The UTM parameters worth keeping: known keys, short string values.

    Raises ``ValidationError`` for a value that cannot be stored."""
    utm = {k: str(values[k])[:200] for k in UTM_KEYS if values.get(k)}
    _refuse_unstorable(utm, label="{key}")
    return utm


def clean_answers(values: dict[str, Any]) -> dict[str, str]:
    """Pre-meeting answers keyed ``a<id>``: at most 50, each at most 5,000 characters.

    Raises ``ValidationError`` for an answer that cannot be stored."""
    answers = {}
    for key, value in list(values.items())[:50]:
        if re.fullmatch(r"a\d{1,6}", str(key)) and value not in (None, ""):
            answers[str(key)] = str(value)[:5000]
    _refuse_unstorable(answers, label=gettext("Answer {key}"))
    return answers


def _refuse_unstorable(values: dict[str, str], *, label: str) -> None:
    for key, value in values.items():
        problem = text_problem(value)
        if problem:
            raise ValidationError(f"{label.format(key=key)}: {problem}")
