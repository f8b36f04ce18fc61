"""Keep the translation catalogs in ``locale/`` in step with the code.

``translations`` extracts every marked string into each language's ``.po`` (makemessages, GNU
gettext needed), compiles the ``.mo`` files and lists what is still to translate: new strings
are empty, changed ones come back marked fuzzy with the old text as a hint. Translate those in
the ``.po`` files, delete the fuzzy marks, then run ``translations --compile`` (no gettext
needed). ``translations --check`` only reports, exiting non-zero while anything is left.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workestra.lib import catalogs, languages

# Source strings are in English, so English has no catalog of its own.
IGNORED = [".venv/*", "venv/*", "staticfiles/*", "tests/*", "node_modules/*"]


def catalog_paths() -> list[Path]:
    locale = Path(settings.LOCALE_PATHS[0])
    return [locale / code / "LC_MESSAGES" / "django.po" for code in translated_codes()]


def translated_codes() -> list[str]:
    return [code for code in languages.codes() if code != "en"]


class Command(BaseCommand):
    help = "Extract, compile and check the translation catalogs of the attendee pages and emails."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", action="store_true", help="Only report what is missing.")
        mode.add_argument("--compile", action="store_true", help="Compile without extracting.")

    def handle(self, *args: Any, check: bool, compile: bool, **options: Any) -> None:
        if not check:
            if not compile:
                call_command(
                    "makemessages",
                    locale=translated_codes(),
                    ignore_patterns=IGNORED,
                    no_obsolete=True,
                    verbosity=0,
                )
            self._compile()
        left = {path: catalogs.problems(path) for path in catalog_paths()}
        for path, found in left.items():
            for problem in found:
                self.stdout.write(f"{path.parent.parent.name}: {problem}")
        if any(left.values()):
            raise CommandError("Some catalogs are incomplete; see above.")
        self.stdout.write(f"All {len(left)} catalogs are complete and compiled.")

    def _compile(self) -> None:
        for path in catalog_paths():
            catalogs.compile_mo(path)
