"""Questions a host asks before a booking (and routing forms ask before routing).

Pure: no models. A question is stored as a dict (``Question.to_dict``) in a JSON list; its ``id``
is stable and never reused, and names the answer everywhere: ``a<id>`` in URLs and form posts,
``{{answer_<id>}}`` in templates, the API and exports.

- :class:`Question` and :func:`parse_questions` read and check a stored or submitted list;
- :func:`form_field` builds the Django field that asks it, :func:`answer_text` what is kept;
- :class:`QuestionDefinitionForm` is the form a host adds or edits one question with.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from booking.file_types import FILE_TYPES, sniff
from workestra.inputs import validate_date_range


class Kind(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    DROPDOWN = "dropdown", "Dropdown"
    RADIO = "radio", "Radio buttons"
    CHECKBOXES = "checkboxes", "Checkboxes"
    NUMBER = "number", "Number"
    PHONE = "phone", "Phone number"
    EMAIL = "email", "Email address"
    URL = "url", "Web address"
    DATE = "date", "Date"
    FILE = "file", "File upload"


CHOICE_KINDS = frozenset({Kind.DROPDOWN, Kind.RADIO, Kind.CHECKBOXES})
TEXT_KINDS = frozenset({Kind.SHORT_TEXT, Kind.LONG_TEXT})

MAX_QUESTIONS = 30
MAX_LABEL = 200
MAX_HELP = 500
MAX_OPTIONS = 50
MAX_OPTION = 200
#: The longest answer each text kind accepts (and the ceiling of its length limits).
TEXT_LIMITS = {Kind.SHORT_TEXT: 500, Kind.LONG_TEXT: 5000}
NUMBER_LIMIT = 10**12
MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MEGABYTE
#: The most a host may allow per file; the upload settings are sized for it.
MAX_FILE_BYTES = 25 * MEGABYTE
MAX_FILE_NAME = 120


@dataclass(frozen=True)
class Question:
    """One question. ``min_value``/``max_value`` bound a number, or a text answer's length;
    ``max_bytes`` and ``allowed_types`` (keys of ``FILE_TYPES``; empty = all) apply to files.

    Constructing one checks it: an invalid question raises ``ValidationError``."""

    id: int
    kind: str
    label: str
    help_text: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_bytes: int | None = None
    allowed_types: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check(self)

    @property
    def key(self) -> str:
        """The answer's name: ``a<id>``."""
        return f"a{self.id}"

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def file_limit(self) -> int:
        return self.max_bytes or DEFAULT_MAX_BYTES

    @property
    def file_types(self) -> tuple[str, ...]:
        return self.allowed_types or tuple(FILE_TYPES)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "help_text": self.help_text,
            "required": self.required,
        }
        if self.kind in CHOICE_KINDS:
            data["options"] = list(self.options)
        if self.kind in TEXT_KINDS or self.kind == Kind.NUMBER:
            data["min"] = self.min_value
            data["max"] = self.max_value
        if self.kind == Kind.FILE:
            data["max_bytes"] = self.max_bytes
            data["allowed_types"] = list(self.allowed_types)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Question:
        """A question from its stored or submitted dict; ``ValidationError`` when it is not one."""
        if not isinstance(data, dict):
            raise ValidationError("Each question must be an object.", code="invalid")
        try:
            return cls(
                id=_integer(data.get("id"), "The question's id") or 0,
                kind=_string(data.get("kind"), "The question's kind"),
                label=_string(data.get("label"), "The question's label"),
                help_text=_string(data.get("help_text", ""), "The help text"),
                required=_boolean(data.get("required", False)),
                options=tuple(_strings(data.get("options") or [], "Options")),
                min_value=_integer(data.get("min"), "The minimum"),
                max_value=_integer(data.get("max"), "The maximum"),
                max_bytes=_integer(data.get("max_bytes"), "The size limit"),
                allowed_types=tuple(_strings(data.get("allowed_types") or [], "File types")),
            )
        except TypeError:
            raise ValidationError("This question is not valid.", code="invalid") from None


def parse_questions(raw: Any) -> list[Question]:
    """The questions in a stored or submitted list, checked: at most ``MAX_QUESTIONS``, each
    valid, ids unique. Raises ``ValidationError``."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationError("Questions must be a list.", code="invalid")
    if len(raw) > MAX_QUESTIONS:
        raise ValidationError(too_many_message(), code="too_many")
    questions = [Question.from_dict(item) for item in raw]
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValidationError("Two questions have the same id.", code="duplicate")
    return questions


def too_many_message() -> str:
    return f"A form asks at most {MAX_QUESTIONS} questions."


def _check(q: Question) -> None:
    if not isinstance(q.id, int) or isinstance(q.id, bool) or not 0 < q.id < 1_000_000:
        raise ValidationError("A question's id is a whole number from 1.", code="invalid_id")
    if q.kind not in Kind.values:
        raise ValidationError("Choose a kind of question from the list.", code="invalid_kind")
    _check_label(q.label)
    if len(q.help_text) > MAX_HELP or "\x00" in q.help_text:
        raise ValidationError(f"Keep the help text to {MAX_HELP} characters.", code="help")
    if q.kind in CHOICE_KINDS:
        check_options(q.options)
    elif q.options:
        raise ValidationError("Only choice questions have options.", code="options")
    _check_range(q)
    _check_file(q)


def _check_label(label: str) -> None:
    if not label.strip():
        raise ValidationError("Give the question a label.", code="label")
    if len(label) > MAX_LABEL or "\x00" in label:
        raise ValidationError(f"Keep the label to {MAX_LABEL} characters.", code="label")


def check_options(options: tuple[str, ...]) -> None:
    """Raises ``ValidationError`` unless the options of a choice question are usable."""
    if not options:
        raise ValidationError("Give at least one option, one per line.", code="options")
    if len(options) > MAX_OPTIONS:
        raise ValidationError(f"Give at most {MAX_OPTIONS} options.", code="options")
    for option in options:
        if not option.strip() or len(option) > MAX_OPTION or "\x00" in option:
            raise ValidationError(
                f"Each option is 1 to {MAX_OPTION} characters: “{option[:40]}” is not.",
                code="options",
            )
    if len({o.casefold() for o in options}) != len(options):
        raise ValidationError("Each option must be different.", code="options")


def _check_range(q: Question) -> None:
    low, high = q.min_value, q.max_value
    if low is None and high is None:
        return
    if q.kind in TEXT_KINDS:
        ceiling = TEXT_LIMITS[Kind(q.kind)]
        for value in (low, high):
            if value is not None and not 0 <= value <= ceiling:
                raise ValidationError(
                    f"Length limits are from 0 to {ceiling} characters.",
                    code="range",
                )
    elif q.kind == Kind.NUMBER:
        for value in (low, high):
            if value is not None and abs(value) > NUMBER_LIMIT:
                raise ValidationError("That limit is too large.", code="range")
    else:
        raise ValidationError(
            "Only text and number questions have a minimum or maximum.", code="range"
        )
    if low is not None and high is not None and low > high:
        raise ValidationError("The minimum must not be above the maximum.", code="range")


def _check_file(q: Question) -> None:
    if q.kind != Kind.FILE:
        if q.max_bytes is not None or q.allowed_types:
            raise ValidationError("Only file questions have file limits.", code="file")
        return
    if q.max_bytes is not None and not 0 < q.max_bytes <= MAX_FILE_BYTES:
        raise ValidationError(
            f"The size limit is at most {MAX_FILE_BYTES // MEGABYTE} MB.",
            code="file",
        )
    unknown = [t for t in q.allowed_types if t not in FILE_TYPES]
    if unknown:
        raise ValidationError(f"Unknown file type: {unknown[0][:40]}.", code="file")


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text.", code="invalid")
    return value


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{what} must be a list.", code="invalid")
    return [_string(v, what) for v in value]


def _integer(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{what} must be a whole number.", code="invalid")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("“Required” must be true or false.", code="invalid")
    return value


# --- Asking a question ------------------------------------------------------------------------


class PhoneAnswerField(forms.CharField):
    """A phone number with its country code, kept in E.164."""

    def to_python(self, value: Any) -> str:
        raw = super().to_python(value)
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(
                _("Enter the phone number with its country code, e.g. +1 415 555 0100."),
                code="invalid",
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class FileAnswerField(forms.FileField):
    """An upload held to a size and to types read from its content (never its name)."""

    def __init__(self, *, max_bytes: int, types: tuple[str, ...], **kwargs: Any) -> None:
        self.max_bytes = max_bytes
        self.types = types
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> UploadedFile | None:
        upload = super().to_python(data)
        if not isinstance(upload, UploadedFile):
            return None
        if (upload.size or 0) > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(max)s MB.") % {"max": _megabytes(self.max_bytes)},
                code="too_big",
            )
        kind = sniff(upload)
        if kind is None or kind not in self.types:
            names = ", ".join(str(FILE_TYPES[t]) for t in self.types)
            raise ValidationError(
                _("This file's content is not one of the accepted types: %(types)s.")
                % {"types": names},
                code="file_type",
            )
        upload.content_kind = kind  # type: ignore[attr-defined]
        return upload


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g}"


def form_field(question: Question) -> forms.Field:
    """The field that asks ``question``, with its label, help, required flag and limits.
    Django adds ``aria-describedby`` (help) and ``aria-invalid`` (errors) when it renders."""
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question.help_text,
        "required": question.required,
    }
    builder = _BUILDERS[Kind(question.kind)]
    return builder(question, common)


def _text_field(q: Question, common: dict[str, Any]) -> forms.Field:
    ceiling = TEXT_LIMITS[Kind(q.kind)]
    long = q.kind == Kind.LONG_TEXT
    return forms.CharField(
        max_length=q.max_value if q.max_value is not None else ceiling,
        min_length=q.min_value or None,
        widget=forms.Textarea(attrs={"rows": 4}) if long else forms.TextInput,
        strip=True,
        **common,
    )


def _choice_field(q: Question, common: dict[str, Any]) -> forms.Field:
    choices = [(o, o) for o in q.options]
    invalid = {"invalid_choice": _("Choose one of the offered options.")}
    if q.kind == Kind.CHECKBOXES:
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={**invalid, "required": _("Choose at least one option.")},
            **common,
        )
    if q.kind == Kind.RADIO:
        return forms.ChoiceField(
            choices=choices, widget=forms.RadioSelect, error_messages=invalid, **common
        )
    return forms.ChoiceField(
        choices=[("", _("Choose…")), *choices], error_messages=invalid, **common
    )


def _number_field(q: Question, common: dict[str, Any]) -> forms.Field:
    return forms.DecimalField(
        min_value=q.min_value,
        max_value=q.max_value,
        max_digits=18,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any"}),
        **common,
    )


def _phone_field(q: Question, common: dict[str, Any]) -> forms.Field:
    return PhoneAnswerField(
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        **common,
    )


def _email_field(q: Question, common: dict[str, Any]) -> forms.Field:
    return forms.EmailField(max_length=254, **common)


def _url_field(q: Question, common: dict[str, Any]) -> forms.Field:
    return forms.URLField(max_length=2000, assume_scheme="https", **common)


def _date_field(q: Question, common: dict[str, Any]) -> forms.Field:
    return forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        validators=[validate_date_range],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        **common,
    )


def _file_field(q: Question, common: dict[str, Any]) -> forms.Field:
    accept = ",".join(_ACCEPT[t] for t in q.file_types)
    return FileAnswerField(
        max_bytes=q.file_limit,
        types=q.file_types,
        max_length=MAX_FILE_NAME * 2,
        allow_empty_file=False,
        widget=forms.FileInput(attrs={"accept": accept}),
        **common,
    )


_ACCEPT = {
    "pdf": ".pdf,application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "text": ".txt,text/plain",
    "docx": ".docx",
    "xlsx": ".xlsx",
}
_BUILDERS = {
    Kind.SHORT_TEXT: _text_field,
    Kind.LONG_TEXT: _text_field,
    Kind.DROPDOWN: _choice_field,
    Kind.RADIO: _choice_field,
    Kind.CHECKBOXES: _choice_field,
    Kind.NUMBER: _number_field,
    Kind.PHONE: _phone_field,
    Kind.EMAIL: _email_field,
    Kind.URL: _url_field,
    Kind.DATE: _date_field,
    Kind.FILE: _file_field,
}


def answer_text(question: Question, cleaned_value: Any) -> str:
    """What is stored and shown for an answer: options joined by ", ", a date as YYYY-MM-DD, a
    number without trailing zeros, a file as its (cleaned) name. Empty for no answer."""
    value = cleaned_value
    if value in (None, "", [], ()):
        return ""
    if question.kind == Kind.CHECKBOXES:
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UploadedFile):
        return file_display_name(value.name or "")
    # Browsers send line breaks as CRLF; keep one kind.
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def file_display_name(name: str) -> str:
    """An uploaded file's name as shown to the host: no folders, no control characters, short."""
    base = os.path.basename(name.replace("\\", "/"))
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(kept) > MAX_FILE_NAME:
        stem, ext = os.path.splitext(kept)
        kept = stem[: MAX_FILE_NAME - len(ext[:10])] + ext[:10]
    return kept or "file"


# --- Defining a question ------------------------------------------------------------------------


class QuestionDefinitionForm(forms.Form):
    """Add or edit one question. ``question(id)`` gives the checked :class:`Question`;
    ``initial_for(question)`` fills the form to edit one."""

    kind = forms.ChoiceField(label="Kind", choices=Kind.choices)
    label = forms.CharField(label="Question", max_length=MAX_LABEL)
    help_text = forms.CharField(
        label="Help text",
        max_length=MAX_HELP,
        required=False,
        help_text="Shown under the question.",
    )
    required = forms.BooleanField(label="Required", required=False)
    options = forms.CharField(
        label="Options",
        required=False,
        max_length=MAX_OPTIONS * (MAX_OPTION + 2),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For dropdown, radio buttons and checkboxes: one option per line.",
    )
    min_value = forms.IntegerField(
        label="Minimum",
        required=False,
        min_value=-NUMBER_LIMIT,
        max_value=NUMBER_LIMIT,
        help_text="For a number: the smallest accepted. For text: the fewest characters.",
    )
    max_value = forms.IntegerField(
        label="Maximum",
        required=False,
        min_value=-NUMBER_LIMIT,
        max_value=NUMBER_LIMIT,
        help_text="For a number: the largest accepted. For text: the most characters.",
    )
    max_megabytes = forms.IntegerField(
        label="Largest file (MB)",
        required=False,
        min_value=1,
        max_value=MAX_FILE_BYTES // MEGABYTE,
        help_text="For a file upload; 10 MB when empty.",
    )
    allowed_types = forms.MultipleChoiceField(
        label="Accepted file types",
        required=False,
        choices=list(FILE_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="For a file upload; all of them when none is ticked.",
    )

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {
            "kind": question.kind,
            "label": question.label,
            "help_text": question.help_text,
            "required": question.required,
            "options": "\n".join(question.options),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "max_megabytes": (question.max_bytes // MEGABYTE) if question.max_bytes else None,
            "allowed_types": list(question.allowed_types),
        }

    def clean_options(self) -> tuple[str, ...]:
        lines = (line.strip() for line in self.cleaned_data.get("options", "").splitlines())
        return tuple(line for line in lines if line)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self._build(1)
        except ValidationError as exc:
            self.add_error(_field_for(exc), exc)
        return data

    def _build(self, question_id: int) -> Question:
        data = self.cleaned_data
        kind = data["kind"]
        ranged = kind in TEXT_KINDS or kind == Kind.NUMBER
        is_file = kind == Kind.FILE
        megabytes = data.get("max_megabytes")
        return Question(
            id=question_id,
            kind=kind,
            label=data["label"].strip(),
            help_text=data.get("help_text", "").strip(),
            required=bool(data.get("required")),
            options=data["options"] if kind in CHOICE_KINDS else (),
            min_value=data.get("min_value") if ranged else None,
            max_value=data.get("max_value") if ranged else None,
            max_bytes=megabytes * MEGABYTE if is_file and megabytes else None,
            allowed_types=tuple(data.get("allowed_types") or ()) if is_file else (),
        )

    def question(self, question_id: int) -> Question:
        """The question defined by this (valid) form, with ``question_id``."""
        if not self.is_valid():
            raise ValueError("question() needs a valid form")
        return self._build(question_id)


_ERROR_FIELDS = {
    "label": "label",
    "help": "help_text",
    "options": "options",
    "range": "min_value",
    "file": "max_megabytes",
    "invalid_kind": "kind",
}


def _field_for(error: ValidationError) -> str | None:
    code = getattr(error, "code", None)
    return _ERROR_FIELDS.get(code or "")
