"""Which of the offered languages a person reads: parsing their choices, never guessing."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

#: The query parameter the language menu sends.
QUERY_PARAM = "lang"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` as one of ``settings.LANGUAGES`` (``de-AT`` is ``de``), or ``None``."""
    if not code or len(code) > 35:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def from_accept_language(header: str) -> str | None:
    """The first language of an ``Accept-Language`` header that we offer, by its weights."""
    for code, _weight in parse_accept_lang_header(header[:500]):
        if code == "*":
            return None
        if found := supported(code):
            return found
    return None
