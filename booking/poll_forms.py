"""The forms of meeting polls: the host's new poll, and an invitee's vote."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from booking.poll_models import MAX_POLL_DURATION, MAX_TIMES, PollTime, PollVote
from booking.services.polls import POLL_GRID_MINUTES
from workestra.inputs import date_in_range, validate_date_range
from workestra.lib.fields import model_choice_field
from workestra.models import User

MAX_INVITEES = 100
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


class PollForm(forms.Form):
    """Times and the expiry are wall-clock times in the host's own zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    duration = forms.IntegerField(
        label=_("Length (minutes)"), min_value=5, max_value=MAX_POLL_DURATION, initial=30
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=500,
        required=False,
        help_text=_("An address or a meeting link, shown to everyone invited."),
    )
    co_hosts = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Other hosts"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone chosen must be free at each proposed time."),
    )
    times = forms.CharField(
        label=_("Proposed times"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2026-11-24 10:00"}),
        help_text=_("One start time per line, like 2026-11-24 10:00, at most 40."),
        error_messages={"required": _("Propose at least one time.")},
    )
    invitees = forms.CharField(
        label=_("Invitees' emails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: we email them the poll link. You can also share the link."),
    )
    expires_at = forms.DateTimeField(
        label=_("Voting closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[validate_date_range],
        error_messages={
            "required": _("When does voting close?"),
            "invalid": _("Enter a date and time."),
        },
    )
    hide_tally = forms.BooleanField(label=_("Hide the tally from invitees"), required=False)

    def __init__(self, *args: Any, colleagues: QuerySet[User], zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(zone)
        model_choice_field(self, "co_hosts").queryset = colleagues
        self.fields["times"].help_text = gettext(
            "One start time per line, like 2026-11-24 10:00, at most %(max)s, in %(zone)s. "
            "Start on the %(grid)s-minute mark."
        ) % {"max": MAX_TIMES, "zone": zone, "grid": POLL_GRID_MINUTES}

    def clean_times(self) -> list[datetime]:
        lines = [line.strip() for line in self.cleaned_data["times"].splitlines() if line.strip()]
        if len(lines) > MAX_TIMES:
            raise ValidationError(
                gettext("Propose at most %(max)s times; you proposed %(count)s.")
                % {"max": MAX_TIMES, "count": len(lines)}
            )
        starts = []
        for number, line in enumerate(lines, 1):
            moment = _parse(line)
            if moment is None:
                raise ValidationError(
                    gettext('Line %(n)s: "%(text)s" is not a time like 2026-11-24 10:00.')
                    % {"n": number, "text": line[:40]}
                )
            if moment.minute % POLL_GRID_MINUTES:
                raise ValidationError(
                    gettext("Line %(n)s: start on the %(grid)s-minute mark.")
                    % {"n": number, "grid": POLL_GRID_MINUTES}
                )
            starts.append(moment.replace(tzinfo=self.zone))
        if not starts:
            raise ValidationError(gettext("Propose at least one time."))
        return starts

    def clean_invitees(self) -> list[str]:
        emails = [e for e in re.split(r"[\s,;]+", self.cleaned_data["invitees"]) if e]
        if len(emails) > MAX_INVITEES:
            raise ValidationError(
                gettext("Invite at most %(max)s people here; share the link with the rest.")
                % {"max": MAX_INVITEES}
            )
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    gettext('"%(email)s" is not an email address.') % {"email": email[:80]}
                ) from None
        return list(dict.fromkeys(e.lower() for e in emails))

    def clean_expires_at(self) -> datetime:
        value: datetime = self.cleaned_data["expires_at"]
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)


def _parse(text: str) -> datetime | None:
    for fmt in TIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)  # noqa: DTZ007 (wall clock, zone set after)
        except ValueError:
            continue
        return moment if date_in_range(moment) else None
    return None


def default_expiry(now: datetime, zone: str) -> str:
    """A week from now on the host's clock, as a datetime-local input reads it."""
    return (now + timedelta(days=7)).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


class VoteForm(forms.Form):
    """Name, email and one radio group per proposed time (``time-<id>``)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Enter your name.")},
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("Voting again with the same email updates your answers."),
        error_messages={
            "required": _("Enter your email."),
            "invalid": _("Enter a valid email address."),
        },
    )

    def __init__(self, *args: Any, labelled_times: list[tuple[PollTime, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for time, label in labelled_times:
            self.fields[f"time-{time.pk}"] = forms.ChoiceField(
                label=label,
                choices=PollVote.Answer.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Answer yes, if need be or no for this time."),
                    "invalid_choice": _("Answer yes, if need be or no for this time."),
                },
            )

    def time_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("time-")]

    def answers(self) -> dict[int, str]:
        return {
            int(name.removeprefix("time-")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("time-")
        }
