"""The forms of routing forms: what a visitor answers (``/form/<id>``) and what a host edits
(the form's settings and one rule with its conditions and destination), all plain HTML forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from booking import routing
from booking.filters import check_day_order, day_bounds, day_field
from booking.models import BookingLink, Destination, RoutingForm, RoutingRule
from booking.questions import Kind, Question, answer_text, form_field
from booking.services.routing_edit import Route
from workestra.lib.fields import model_choice_field

HONEYPOT = "website_url"  # a name autofill leaves alone and bots fill in


class AnswerForm(forms.Form):
    """The visitor's name, email and answers; ``answers()`` keys them by question id."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        error_messages={"required": _("Enter your email address.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if q.kind != Kind.FILE]
        for question in self.questions:
            self.fields[question.key] = form_field(question)
        # Outside ``fields``: it is rendered hidden by hand and never validated.
        self.trap = str(self.data.get(HONEYPOT, "")) if self.is_bound else ""

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers hear a field's error with it, as well as its help.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_helptext"] if self.fields[name].help_text else []
                ids.append(f"{bound.auto_id}_error")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    @property
    def is_spam(self) -> bool:
        return bool(self.trap.strip())

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter your name."))
        return name

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip()

    def answers(self) -> dict[str, routing.Answer]:
        """Answers by question id: ticked checkboxes as a list, the rest as stored text."""
        found: dict[str, routing.Answer] = {}
        for q in self.questions:
            value = self.cleaned_data.get(q.key)
            if q.kind == Kind.CHECKBOXES:
                if value:
                    found[str(q.id)] = [str(v) for v in value]
            elif text := answer_text(q, value):
                found[str(q.id)] = text
        return found


class SettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingForm
        fields = ["name", "description", "is_active"]
        labels = {"name": "Name", "description": "Intro text", "is_active": "Accept responses"}
        help_texts = {"description": "Shown above the questions."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NewForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)


CONDITION_ROWS_SPARE = 2
OP_CHOICES = [("", "—"), *routing.OPERATORS.items()]


class RuleForm(forms.Form):
    """One rule (or the fallback): a label, condition rows and where it sends the visitor.

    Condition rows are ``c<i>_question``, ``c<i>_op``, ``c<i>_value``, ``c<i>_min``, ``c<i>_max``;
    a row without a question is ignored, so spare empty rows work without JavaScript."""

    label = forms.CharField(label="Label", max_length=200, required=False)
    destination = forms.ChoiceField(
        label="Send the visitor to",
        choices=Destination.choices,
        widget=forms.RadioSelect,
    )
    link = forms.ModelChoiceField(
        label="Booking link",
        queryset=BookingLink.objects.none(),
        required=False,
        help_text="The answers are passed on: question N pre-fills the link's question N (aN).",
    )
    message = forms.CharField(
        label="Message", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.CharField(
        label="Web address",
        max_length=2000,
        required=False,
        help_text="http:// or https:// only.",
        widget=forms.URLInput,
    )

    def __init__(
        self,
        *args: Any,
        form: RoutingForm,
        rule: RoutingRule | None,
        questions: list[Question],
        **kwargs: Any,
    ) -> None:
        self.rule = rule
        self.is_fallback = rule is not None and rule.is_fallback
        if "initial" not in kwargs:
            kwargs["initial"] = _initial(rule) if rule else {"destination": Destination.LINK}
        super().__init__(*args, **kwargs)
        link_field = self.fields["link"]
        assert isinstance(link_field, forms.ModelChoiceField)
        link_field.queryset = BookingLink.objects.live().filter(workspace_id=form.workspace_id)
        self.rows: list[int] = []
        if self.is_fallback:
            del self.fields["label"]
            return
        existing = len(rule.conditions) if rule is not None else 0
        count = min(existing + CONDITION_ROWS_SPARE, routing.MAX_CONDITIONS)
        if self.is_bound:
            count = min(max(count, _posted_rows(self.data)), routing.MAX_CONDITIONS)
        choices = [("", "—"), *((str(q.id), q.label) for q in questions)]
        for i in range(count):
            self._add_row(i, choices)

    def _add_row(self, i: int, choices: list[tuple[str, str]]) -> None:
        self.rows.append(i)
        self.fields[f"c{i}_question"] = forms.ChoiceField(
            label="Question", choices=choices, required=False
        )
        self.fields[f"c{i}_op"] = forms.ChoiceField(
            label="Test", choices=OP_CHOICES, required=False
        )
        self.fields[f"c{i}_value"] = forms.CharField(
            label="Value",
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="For “is one of”: one value per line.",
        )
        for bound in ("min", "max"):
            self.fields[f"c{i}_{bound}"] = forms.CharField(
                label="Lowest" if bound == "min" else "Highest",
                max_length=30,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def row_fields(self) -> list[list[forms.BoundField]]:
        names = ("question", "op", "value", "min", "max")
        return [[self[f"c{i}_{n}"] for n in names] for i in self.rows]

    def conditions(self) -> list[dict[str, Any]]:
        found = []
        for i in self.rows:
            question = self.cleaned_data.get(f"c{i}_question")
            if not question:
                continue
            op = self.cleaned_data.get(f"c{i}_op", "")
            value = self.cleaned_data.get(f"c{i}_value", "").strip()
            condition: dict[str, Any] = {"question": int(question), "op": op}
            if op == routing.ONE_OF:
                condition["values"] = [v.strip() for v in value.splitlines() if v.strip()]
            elif op == routing.BETWEEN:
                condition["min"] = self.cleaned_data.get(f"c{i}_min", "").strip() or None
                condition["max"] = self.cleaned_data.get(f"c{i}_max", "").strip() or None
            else:
                condition["value"] = value
            found.append(condition)
        return found

    def route(self) -> Route:
        data = self.cleaned_data
        return Route(
            destination=data["destination"],
            link=data.get("link"),
            message=data.get("message", ""),
            url=data.get("url", ""),
        )


def _posted_rows(data: Any) -> int:
    rows = [
        int(k[1:].split("_")[0]) for k in data if k[:1] == "c" and k[1:].split("_")[0].isdigit()
    ]
    return max(rows) + 1 if rows else 0


def _initial(rule: RoutingRule) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "label": rule.label,
        "destination": rule.destination,
        "link": rule.link_id,
        "message": rule.message,
        "url": rule.url,
    }
    for i, c in enumerate(rule.conditions):
        initial[f"c{i}_question"] = str(c.get("question", ""))
        initial[f"c{i}_op"] = c.get("op", "")
        if c.get("op") == routing.ONE_OF:
            initial[f"c{i}_value"] = "\n".join(c.get("values", []))
        else:
            initial[f"c{i}_value"] = c.get("value", "")
        initial[f"c{i}_min"] = c.get("min") or ""
        initial[f"c{i}_max"] = c.get("max") or ""
    return initial


class ResponseFilterForm(forms.Form):
    """The responses list's GET filters: one form of the workspace and a range of days in the
    host's zone. Another workspace's form is an invalid choice, never a leak."""

    form = forms.ModelChoiceField(
        label="Form",
        queryset=RoutingForm.objects.none(),
        required=False,
        empty_label="Every form",
        error_messages={"invalid_choice": "Choose a form from the list."},
    )
    start = day_field("From", "Enter the first day as a date, e.g. 2026-11-23.")
    end = day_field("To", "Enter the last day as a date, e.g. 2026-11-30.")

    def __init__(self, data: Any, *, workspace_id: int) -> None:
        super().__init__(data)
        model_choice_field(self, "form").queryset = RoutingForm.objects.filter(
            workspace_id=workspace_id
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_day_order(self, data, "The last day comes before the first; swap them.")
        return data

    def bounds(self, zone: str) -> tuple[datetime | None, datetime | None]:
        return day_bounds(self.cleaned_data, zone)
