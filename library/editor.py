"""The tagged MARC editor format: one field a line.

    LDR 00000nam a2200000 a 4500
    001 PL-123
    245 10 $aŻółw i zając /$cJan Brzechwa.

Indicators are two characters ("#" or "_" stands for blank); subfields start with
"$" and a code; a literal dollar sign is written {dollar}.
"""

from __future__ import annotations

import re

from pymarc import Field, Indicators, Leader, Subfield
from pymarc import Record as MarcRecord

from django.utils.translation import gettext as _

_LINE = re.compile(r"^(?P<tag>[0-9A-Za-z]{3})(?: (?P<rest>.*))?$")
_IND = set("0123456789abcdefghijklmnopqrstuvwxyz #_")


class EditorError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _esc(text: str) -> str:
    return text.replace("$", "{dollar}")


def to_text(record: MarcRecord) -> str:
    lines = [f"LDR {record.leader}"]
    for f in record.fields:
        if f.is_control_field():
            lines.append(f"{f.tag} {_esc(f.data or '')}")
        else:
            ind = "".join(
                i if i.strip() else "#" for i in (f.indicator1 or " ", f.indicator2 or " ")
            )
            subs = "".join(f"${s.code}{_esc(s.value)}" for s in f.subfields)
            lines.append(f"{f.tag} {ind} {subs}")
    return "\n".join(lines)


def from_text(text: str) -> MarcRecord:
    """Parse and validate; raises EditorError listing every problem by line."""
    errors: list[str] = []
    record = MarcRecord(force_utf8=True)
    leader = None
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line.startswith("LDR"):
            value = line[4:]
            if len(value) != 24:
                errors.append(_("Line %(n)s: the leader must have 24 characters.") % {"n": number})
            else:
                leader = value
            continue
        match = _LINE.match(line)
        if not match:
            errors.append(
                _("Line %(n)s: a field starts with a three-character tag.") % {"n": number}
            )
            continue
        tag, rest = match["tag"], match["rest"] or ""
        if tag < "010" and tag.isdigit():
            if not rest or "$" in rest:
                errors.append(
                    _("Line %(n)s: control field %(tag)s needs data and no subfields.")
                    % {"n": number, "tag": tag}
                )
                continue
            if tag == "008" and len(rest) != 40:
                errors.append(_("Line %(n)s: field 008 must have 40 characters.") % {"n": number})
                continue
            record.add_field(Field(tag=tag, data=rest.replace("{dollar}", "$")))
            continue
        if len(rest) < 3 or rest[2] != " " or not set(rest[:2]) <= _IND:
            errors.append(
                _("Line %(n)s: field %(tag)s needs two indicators, a space and subfields.")
                % {"n": number, "tag": tag}
            )
            continue
        ind = [" " if c in "#_" else c for c in rest[:2]]
        body = rest[3:]
        if not body.startswith("$"):
            errors.append(_("Line %(n)s: subfields start with $ and a code.") % {"n": number})
            continue
        subfields = []
        for chunk in body.split("$")[1:]:
            if not chunk or not re.match(r"[a-z0-9]", chunk[0]):
                errors.append(_("Line %(n)s: invalid subfield code.") % {"n": number})
                break
            value = chunk[1:].replace("{dollar}", "$")
            if not value.strip():
                errors.append(
                    _("Line %(n)s: subfield $%(code)s is empty.") % {"n": number, "code": chunk[0]}
                )
                break
            subfields.append(Subfield(code=chunk[0], value=value))
        else:
            record.add_field(Field(tag=tag, indicators=Indicators(*ind), subfields=subfields))
    if leader is None:
        errors.append(_("The leader (LDR) is missing."))
    else:
        record.leader = Leader(leader[:9] + "a" + leader[10:])
    if len(record.get_fields("245")) != 1:
        errors.append(_("A record needs exactly one title field (245)."))
    if errors:
        raise EditorError(errors)
    return record
