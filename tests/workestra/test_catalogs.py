"""The translation catalogs: complete, free of fuzzy guesses, placeholders intact, and the
committed .mo files compiled from the .po files beside them."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from workestra.lib import catalogs
from workestra.management.commands.translations import catalog_paths

PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def test_every_offered_language_but_english_has_a_catalog():
    offered = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert {path.parent.parent.name for path in catalog_paths() if path.exists()} == offered
    assert offered == {"de", "fr", "es", "pt", "it", "nl", "ja"}


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.parent.parent.name)
def test_catalog_is_complete_and_compiled(path: Path):
    assert catalogs.problems(path) == []


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.parent.parent.name)
def test_translations_keep_every_placeholder(path: Path):
    for entry in catalogs.parse_po(path.read_text(encoding="utf-8")):
        if entry.is_header:
            continue
        source = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr.values():
            assert sorted(set(PLACEHOLDER.findall(text))) == sorted(set(source)), entry.msgid


PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: somewhere.py:1
msgid "Hello"
msgstr "Hallo"

msgctxt "date format"
msgid "l, j F Y"
msgstr "l, j. F Y"

msgid "%(n)s day"
msgid_plural "%(n)s days"
msgstr[0] "%(n)s Tag"
msgstr[1] "%(n)s Tage"

msgid "A \"quoted\" "
"two-line text"
msgstr "Ein \"zitierter\" "
"zweizeiliger Text"

#, fuzzy
msgid "Guess"
msgstr "Geraten"

msgid "Missing"
msgstr ""
"""


def test_compiled_catalog_holds_the_translated_entries_only(tmp_path: Path):
    po = tmp_path / "django.po"
    po.write_text(PO, encoding="utf-8")

    catalogs.compile_mo(po)

    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Hello") == "Hallo"
    assert compiled.pgettext("date format", "l, j F Y") == "l, j. F Y"
    assert compiled.ngettext("%(n)s day", "%(n)s days", 3) == "%(n)s Tage"
    assert compiled.gettext('A "quoted" two-line text') == 'Ein "zitierter" zweizeiliger Text'
    assert compiled.gettext("Guess") == "Guess"  # a fuzzy guess is no translation
    assert catalogs.problems(po) == ["fuzzy: Guess", "untranslated: Missing"]


def test_a_changed_po_shows_its_mo_is_out_of_date(tmp_path: Path):
    po = tmp_path / "django.po"
    po.write_text(PO.replace("#, fuzzy\n", ""))
    catalogs.compile_mo(po)
    assert catalogs.problems(po) == ["untranslated: Missing"]

    po.write_text(po.read_text().replace('msgstr "Hallo"', 'msgstr "Servus"'))

    assert catalogs.problems(po)[-1].startswith("django.mo is out of date with the .po (Hello")
