"""Reading gettext catalogs (``.po`` and ``.mo``) without GNU gettext, to check they are complete
and that the compiled files match their sources."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    @property
    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid


def parse_po(text: str) -> list[Entry]:
    """The live entries of a ``.po`` file (obsolete ``#~`` ones are left out)."""
    entries: list[Entry] = []
    current = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, key, started
        if started:
            entries.append(current)
        current, key, started = Entry(), None, False

    for line in text.splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            current.comments.append(line)
        elif match := _KEYWORD.match(line):
            word, index, value = match.groups()
            if word == "msgctxt" or (word == "msgid" and key and key[0].startswith("msgstr")):
                finish()
            started = True
            key = (word.split("[")[0], int(index or 0))
            _append(current, key, _unescape(value))
        elif line.startswith('"') and key is not None:
            _append(current, key, _unescape(line[1:-1]))
    finish()
    return entries


def _append(entry: Entry, key: tuple[str, int], value: str) -> None:
    word, index = key
    if word == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + value
    elif word == "msgid":
        entry.msgid += value
    elif word == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + value
    else:
        entry.msgctxt = (entry.msgctxt or "") + value


def problems(po_path: Path) -> list[str]:
    """What keeps a catalog from being complete: untranslated or fuzzy entries, and a compiled
    ``.mo`` beside it that is missing or says something else than the ``.po``."""
    entries = parse_po(po_path.read_text(encoding="utf-8"))
    found = [f"fuzzy: {e.label}" for e in entries if "fuzzy" in e.flags]
    found += [f"untranslated: {e.label}" for e in entries if not e.is_header and not e.translated]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"{mo_path.name} is missing"]
    with mo_path.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for e in entries:
        if e.is_header or not e.translated or "fuzzy" in e.flags:
            continue
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural is None:
            expected[msgid] = e.msgstr[0]
        else:
            expected.update({(msgid, n): text for n, text in e.msgstr.items()})
    compiled = {k: v for k, v in compiled.items() if k != ""}
    if compiled != expected:
        stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
        stale += sorted(
            str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k]
        )
        found.append(f"{mo_path.name} is out of date with the .po ({', '.join(stale[:5])})")
    return found


def compile_mo(po_path: Path) -> None:
    """Write the ``.mo`` beside ``po_path`` as GNU msgfmt would, leaving out untranslated and
    fuzzy entries; the same ``.po`` always gives the same bytes."""
    messages: dict[bytes, bytes] = {}
    for e in parse_po(po_path.read_text(encoding="utf-8")):
        if "fuzzy" in e.flags and not e.is_header:
            continue
        if not e.is_header and not e.translated:
            continue
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is not None:
            msgid += "\x00" + e.msgid_plural
        text = "\x00".join(e.msgstr[n] for n in sorted(e.msgstr))
        messages[msgid.encode()] = text.encode()
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\x00"
        strs += messages[key] + b"\x00"
    count = len(keys)
    ids_start = 7 * 4 + count * 16
    strs_start = ids_start + len(ids)
    table_ids: list[int] = []
    table_strs: list[int] = []
    for id_at, id_len, str_at, str_len in offsets:
        table_ids += [id_len, ids_start + id_at]
        table_strs += [str_len, strs_start + str_at]
    header = [0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0]
    data = b"".join(n.to_bytes(4, "little") for n in header + table_ids + table_strs)
    po_path.with_suffix(".mo").write_bytes(data + ids + strs)
