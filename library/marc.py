"""Reading, converting and describing MARC 21 records with pymarc.

Readers yield `Parsed` items one input record at a time, each with its position
and either a pymarc Record or the reason it could not be read, so one bad record
never stops a file. Binary input is split on the record terminator (0x1D) and
each record decoded on its own: pymarc's MARCReader loses its place after a
record with a wrong length, splitting does not.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import operator
import re
import warnings as pywarnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from xml.sax.handler import feature_external_ges, feature_external_pes, feature_namespaces

import pymarc
from defusedxml.sax import make_parser
from pymarc import Field, Indicators, Leader, Record, Subfield  # noqa: F401 (re-exported)
from pymarc.marcxml import XmlHandler

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .languages import thesaurus_language

RECORD_TERMINATOR = b"\x1d"
FORMATS = ("marc", "marcxml", "json")
CHUNK = 1 << 20


class MarcFileError(Exception):
    """The file as a whole could not be read (not one record: the file)."""


class RecordError(ValueError):
    """One record cannot be read; the message says why, for a librarian."""


# pymarc's exceptions, by class name, in words a librarian can act on.
PYMARC_REASONS = {
    "BaseAddressInvalid": gettext_lazy(
        "the base address in the leader points past the end of the record"
    ),
    "BaseAddressNotFound": gettext_lazy("the leader gives no base address of the fields' data"),
    "NoFieldsFound": gettext_lazy("the record has no fields"),
    "RecordDirectoryInvalid": gettext_lazy(
        "the record's directory (its list of fields) is damaged"
    ),
    "RecordLeaderInvalid": gettext_lazy("the record's leader cannot be read"),
    "RecordLengthInvalid": gettext_lazy("the record length in the leader is not a number"),
    "FieldNotFound": gettext_lazy("a field listed in the directory is missing"),
}


def reason_of(exc: Exception) -> str:
    """Why a record could not be read, in the librarian's language."""
    if isinstance(exc, RecordError):
        return str(exc)
    name = type(exc).__name__
    if name in PYMARC_REASONS:
        return str(PYMARC_REASONS[name])
    if isinstance(exc, ValueError) and "invalid literal for int()" in str(exc):
        return _("the record's directory is damaged: a field's length or position is not a number")
    if isinstance(exc, UnicodeError):
        return _("the record's text cannot be read in the encoding its leader declares")
    return _("the record cannot be read (%(detail)s)") % {"detail": f"{name}: {exc}"[:200]}


def _first_byte(line: str) -> str:
    """The character code in pymarc's MARC-8 complaint ("0xca"), else the line."""
    found = re.search(r"0x[0-9a-fA-F]+", line)
    return found.group(0) if found else line[:120]


def _pymarc_warning(message: str) -> str:
    if "non-ASCII subfield code" in message:
        return _("a subfield code is not an ASCII letter or digit; the subfield is kept as read")
    return _("warning while reading: %(detail)s") % {"detail": message[:200]}


@dataclass
class Parsed:
    position: int  # 1-based position of the record in the file
    record: Record | None = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def guess_format(name: str, head: bytes) -> str:
    name = (name or "").lower()
    stripped = head.lstrip()
    if name.endswith((".xml", ".marcxml")) or stripped.startswith(b"<"):
        return "marcxml"
    if name.endswith(".json") or stripped[:1] in (b"[", b"{"):
        return "json"
    return "marc"


def read_records(stream, fmt: str) -> Iterable[Parsed]:
    if fmt == "marc":
        return read_binary(stream)
    if fmt == "marcxml":
        return read_marcxml(stream)
    if fmt == "json":
        return read_json(stream)
    raise MarcFileError(_("unknown format %(fmt)s") % {"fmt": repr(fmt)})


_XML_RECORD = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?record[\s>/]")


def count_records(data: bytes, fmt: str) -> int | None:
    """About how many records a file holds, without parsing it (the progress of
    an import): record terminators, <record> tags, or MARC-in-JSON leaders."""
    if fmt == "marc":
        rest = data.rsplit(RECORD_TERMINATOR, 1)[-1]
        return data.count(RECORD_TERMINATOR) + (1 if rest.strip(b"\r\n\t \x1a\x00") else 0)
    if fmt == "marcxml":
        return len(_XML_RECORD.findall(data))
    if fmt == "json":
        return data.count(b'"leader"') or None
    return None


# --- Binary MARC 21 -------------------------------------------------------------------


def split_binary(stream) -> Iterator[bytes]:
    """Raw records split on 0x1D, read in chunks so large files stream."""
    rest = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        parts = (rest + chunk).split(RECORD_TERMINATOR)
        rest = parts.pop()
        for part in parts:
            yield part + RECORD_TERMINATOR
    if rest.strip(b"\r\n\t \x1a\x00"):
        yield rest


def _control_field(tag: str, data: str) -> Field:
    field = Field.__new__(Field)
    field.tag, field.data, field._indicators, field.subfields = tag, data, None, []
    field.control_field = True
    return field


def _data_field(tag: str, indicators: Indicators, subfields: list[Subfield]) -> Field:
    field = Field.__new__(Field)
    field.tag, field.data, field._indicators, field.subfields = tag, None, indicators, subfields
    field.control_field = False
    return field


_new_subfield = tuple.__new__  # Subfield is a NamedTuple: skip its Python-level __new__
_CODES = [chr(i) for i in range(128)]  # a subfield code's byte -> its one-letter str
_INDICATORS: dict[bytes, Indicators] = {}  # the few indicator pairs, each made once


def _indicators(data: bytes) -> Indicators | None:
    """The Indicators of a field's two bytes (shared: a tuple cannot change), or
    None when they are not two ASCII characters."""
    indicators = _INDICATORS.get(data)
    if indicators is None:
        if len(data) != 2 or not data.isascii():
            return None
        indicators = _INDICATORS[data] = _new_subfield(Indicators, (chr(data[0]), chr(data[1])))
    return indicators


def _decode_utf8(raw: bytes) -> Record | None:
    """The common case of decode_binary without pymarc's per-subfield overhead:
    a well-formed UTF-8 record gives the same Record as pymarc's decode_marc.
    Anything irregular (MARC-8, bad indicators or subfield codes, invalid
    UTF-8, a broken directory) returns None and goes through pymarc, which
    reports it."""
    try:
        leader = raw[:24].decode("ascii")
        if len(leader) != 24 or leader[9] != "a":
            return None
        base = int(raw[12:17])
        if base <= 24 or base >= len(raw) or len(raw) < int(leader[:5]):
            return None
        directory = raw[24 : base - 1].decode("ascii")
        if not directory or len(directory) % 12:
            return None
        fields = []
        append = fields.append
        for i in range(0, len(directory), 12):
            tag = directory[i : i + 3]
            start = base + int(directory[i + 7 : i + 12])  # offset
            data = raw[start : start + int(directory[i + 3 : i + 7]) - 1]  # length
            if tag < "010" and tag.isdigit():
                append(_control_field(tag, data.decode("utf-8")))
                continue
            if not tag.isdigit() and tag != tag.strip():
                return None
            parts = data.split(b"\x1f")
            indicators = _indicators(parts[0])
            if indicators is None:
                return None
            subfields = []
            for part in parts[1:]:
                if not part:
                    continue
                code = part[0]
                if code > 0x7F:
                    return None
                subfields.append(_new_subfield(Subfield, (_CODES[code], part[1:].decode("utf-8"))))
            append(_data_field(tag, indicators, subfields))
    except (ValueError, IndexError):
        return None
    record = Record()
    record.leader = Leader(leader)
    record.fields = fields
    return record


def decode_binary(raw: bytes) -> tuple[Record, list[str]]:
    """One binary record to a UTF-8 pymarc Record, with any warnings. MARC-8
    records (leader/09 blank) are converted to Unicode and marked as UTF-8."""
    warnings: list[str] = []
    raw = raw.lstrip(b"\r\n\t \x00")
    if not raw.endswith(RECORD_TERMINATOR):
        raise RecordError(_("the record has no end mark (0x1D): the file may be cut short"))
    if len(raw) < 25 or not raw[:5].isdigit():
        raise RecordError(_("the leader is not valid: it does not start with the record length"))
    declared = int(raw[:5])
    if declared != len(raw):
        warnings.append(
            _(
                "the leader gives a length of %(declared)s bytes but the record has %(actual)s; "
                "the real length was used"
            )
            % {"declared": declared, "actual": len(raw)}
        )
        raw = b"%05d" % len(raw) + raw[5:]
    marc8 = raw[9:10] == b" "
    record = None if marc8 else _decode_utf8(raw)
    if record is not None:
        # U+FFFD can only be in the title if its UTF-8 bytes are in the record
        if b"\xef\xbf\xbd" in raw:
            warnings += _title_warnings(record)
        return record, warnings
    noise = io.StringIO()
    with contextlib.redirect_stderr(noise), pywarnings.catch_warnings(record=True) as caught:
        pywarnings.simplefilter("always")
        try:
            record = Record(data=raw, to_unicode=True, force_utf8=False, utf8_handling="strict")
        except UnicodeDecodeError as exc:
            if marc8:
                raise RecordError(
                    _(
                        "the leader says MARC-8 but the text is not MARC-8 (perhaps UTF-8 "
                        "with a blank leader position 09)"
                    )
                ) from exc
            warnings.append(_("bytes that are not valid UTF-8 were replaced with “�”"))
            record = Record(data=raw, to_unicode=True, utf8_handling="replace")
        except pymarc.exceptions.PymarcException as exc:
            raise RecordError(reason_of(exc)) from exc
    for message in caught:
        warnings.append(_pymarc_warning(str(message.message)))
    lines = [line for line in noise.getvalue().splitlines() if line.strip()]
    if lines:
        warnings.append(
            _("%(n)s characters could not be converted from MARC-8, e.g. %(example)s")
            % {"n": len(lines), "example": _first_byte(lines[0])}
        )
    if marc8:
        warnings.append(_("converted from MARC-8 to UTF-8"))
        record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    return record, warnings + _title_warnings(record)


def _title_warnings(record: Record) -> list[str]:
    if "\ufffd" in str(record.title or ""):
        return [_("the title holds characters that could not be decoded (“�”)")]
    return []


def parse_binary(position: int, raw: bytes) -> Parsed:
    """One raw record of a binary file, decoded or with the reason it cannot be."""
    try:
        record, warnings = decode_binary(raw)
    except Exception as exc:  # each record on its own: report and go on
        return Parsed(position, error=reason_of(exc))
    return Parsed(position, record=record, warnings=warnings)


class BinaryRecords:
    """The records of a binary MARC stream (the first `limit` of them when given).
    Iterating decodes them here, one Parsed item at a time; the importer may
    instead take them undecoded (`raw`) and decode them in worker processes."""

    def __init__(self, stream, limit: int | None = None):
        self.stream = stream
        self.limit = limit

    def raw(self) -> Iterator[tuple[int, bytes]]:
        """(position, bytes) of each record, unread."""
        records = enumerate(split_binary(self.stream), start=1)
        return records if self.limit is None else itertools.islice(records, self.limit)

    def __iter__(self) -> Iterator[Parsed]:
        for position, raw in self.raw():
            yield parse_binary(position, raw)


def read_binary(stream, limit: int | None = None) -> BinaryRecords:
    return BinaryRecords(stream, limit)


# --- MARCXML --------------------------------------------------------------------------


class _CollectingHandler(XmlHandler):
    def __init__(self):
        super().__init__(strict=False, normalize_form="NFC")
        self.parsed: list[Parsed] = []
        self._position = 0
        self._broken = ""

    def startElementNS(self, name, qname, attrs):
        if name[1] == "record":
            self._position += 1
            self._broken = ""
        try:
            super().startElementNS(name, qname, attrs)
        except Exception as exc:
            self._broken = self._broken or reason_of(exc)
            self._field = None

    def endElementNS(self, name, qname):
        try:
            super().endElementNS(name, qname)
        except Exception as exc:
            self._broken = self._broken or reason_of(exc)
            if name[1] == "record":
                self._record = None
                self.process_record(None)

    def process_record(self, record):
        if self._broken or record is None:
            self.parsed.append(
                Parsed(self._position, error=self._broken or _("the record is damaged"))
            )
            return
        self.parsed.append(Parsed(self._position, record=record))


def read_marcxml(stream) -> Iterator[Parsed]:
    """MARCXML through defusedxml: DTDs with entities (XXE, entity expansion
    bombs) and external references are refused before anything is expanded."""
    handler = _CollectingHandler()
    parser = make_parser()
    parser.setFeature(feature_namespaces, 1)
    parser.setFeature(feature_external_ges, 0)
    parser.setFeature(feature_external_pes, 0)
    parser.setContentHandler(handler)
    try:
        parser.parse(stream)
    except Exception as exc:
        raise MarcFileError(
            _("the XML file is refused or unreadable: %(detail)s")
            % {"detail": f"{type(exc).__name__}: {exc}"}
        ) from exc
    for item in handler.parsed:
        if item.record is not None:
            problem = validate(item.record)
            if problem:
                item.error, item.record = problem, None
        yield item


# --- MARC-in-JSON ---------------------------------------------------------------------


def record_from_dict(data: dict) -> Record:
    """A MARC-in-JSON object to a pymarc Record (strict about the shape)."""
    if not isinstance(data, dict) or "fields" not in data:
        raise RecordError(_("not a MARC-in-JSON record: it has no “fields”"))
    record = Record()
    record.leader = Leader(str(data.get("leader") or "00000nam a2200000 a 4500"))
    for entry in data["fields"]:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise RecordError(_("a field is not an object with one key, its tag"))
        tag, value = next(iter(entry.items()))
        if isinstance(value, dict):
            subfields = []
            for sub in value.get("subfields", []):
                for code, text in sub.items():
                    subfields.append(Subfield(code=str(code), value=str(text)))
            ind = Indicators(str(value.get("ind1", " "))[:1], str(value.get("ind2", " "))[:1])
            record.add_field(Field(tag=str(tag), indicators=ind, subfields=subfields))
        else:
            record.add_field(Field(tag=str(tag), data=str(value)))
    return record


def read_json(stream) -> Iterator[Parsed]:
    raw = stream.read()
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8-sig")
    try:
        data = json.loads(raw, strict=False)
    except ValueError as exc:
        raise MarcFileError(
            _("the JSON file cannot be read: %(detail)s") % {"detail": exc}
        ) from exc
    items = data if isinstance(data, list) else [data]
    for position, item in enumerate(items, start=1):
        try:
            record = record_from_dict(item)
        except Exception as exc:
            yield Parsed(position, error=reason_of(exc))
            continue
        problem = validate(record)
        if problem:
            yield Parsed(position, error=problem)
        else:
            yield Parsed(position, record=record)


# --- Validation and conversion ---------------------------------------------------------

_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


_VALID_TAGS: set[str] = set()  # the tags _TAG accepted: a few hundred


def validate(record: Record) -> str:
    """The reason a record cannot be catalogued, or "" when it can."""
    if len(str(record.leader)) != 24:
        return _("the leader must have 24 characters")
    title = False
    for f in record.fields:
        tag = f.tag
        if tag not in _VALID_TAGS:
            if not _TAG.match(tag or ""):
                return _("invalid tag %(tag)s") % {"tag": repr(tag)}
            _VALID_TAGS.add(tag)
        title = title or tag == "245"
    if not title:
        return _("no title (field 245)")
    return ""


def to_dict(record: Record) -> dict:
    """MARC-in-JSON, the same dict as pymarc's Record.as_dict (written out: it
    runs once per imported record)."""
    fields = []
    for f in record.fields:
        if f.control_field:
            fields.append({f.tag: f.data})
        else:
            ind = f.indicators
            fields.append(
                {
                    f.tag: {
                        "ind1": ind[0],
                        "ind2": ind[1],
                        "subfields": [{code: value} for code, value in f.subfields],
                    }
                }
            )
    return {"leader": str(record.leader), "fields": fields}


def from_stored(data: dict) -> Record:
    return record_from_dict(data)


def to_binary(records: Iterable[Record]) -> bytes:
    out = io.BytesIO()
    for record in records:
        record.force_utf8 = True
        out.write(record.as_marc())
    return out.getvalue()


def to_marcxml(records: Iterable[Record]) -> bytes:
    out = io.BytesIO()
    writer = pymarc.XMLWriter(out)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return out.getvalue()


def to_json(records: Iterable[Record]) -> str:
    return json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=1)


# --- Description: the fields the catalogue needs ------------------------------------------

_TRAIL = " /:;,.=+"
MATERIAL = {
    "am": "book",
    "ac": "book",
    "ad": "book",
    "aa": "article",
    "ab": "article",
    "as": "serial",
    "ai": "serial",
    "t": "manuscript",
    "c": "music",
    "d": "music",
    "e": "map",
    "f": "map",
    "g": "video",
    "i": "audio",
    "j": "audio",
    "k": "picture",
    "m": "electronic",
    "o": "kit",
    "p": "mixed",
    "r": "object",
}


_INITIAL = re.compile(r"\b\w\.$")  # "Kowalski, J." keeps its full stop


def clean(text: str | None) -> str:
    text = (text or "").strip()
    while text and text[-1] in _TRAIL:
        if text[-1] == "." and _INITIAL.search(text):
            break
        text = text[:-1].rstrip()
    return text


def _sub(field: Field, *codes: str, sep: str = " ") -> str:
    """The field's subfields of `codes`, each cleaned, joined and cleaned again
    (one value: itself, cleaning twice changes nothing)."""
    values = [clean(v) for code, v in field.subfields if code in codes and v and not v.isspace()]
    if len(values) == 1:
        return values[0]
    return clean(sep.join(values))


_ISBN = re.compile(r"[0-9][0-9\- ]{8,16}[0-9Xx]")


def _ean_check(digits: str) -> str:
    # weights 3, 1, 3 ... from the right, C-level sums (this runs for every ISBN
    # of an import)
    return str((10 - 3 * sum(map(int, digits[::-2])) - sum(map(int, digits[-2::-2]))) % 10)


def isbn_digits(value: str) -> str:
    """The 10 or 13 characters of an ISBN-like string, check digit unchecked
    ("83-01-00000-2" -> "8301000002"); "" when it does not look like an ISBN.
    A record keeps an ISBN with a wrong check digit findable by these."""
    match = _ISBN.search(value or "")
    if not match:
        return ""
    compact = match.group(0).replace("-", "").replace(" ", "").upper()
    return compact if len(compact) in (10, 13) and compact[:-1].isdigit() else ""


def normalise_isbn(value: str) -> str:
    """ISBN-13 digits for a valid ISBN-10/13 ("83-01-00000-1" -> "978830100..."),
    else "". The same checks as python-stdnum's isbn.validate + to_isbn13,
    written out because they run for every ISBN of an import."""
    match = _ISBN.search(value or "")
    if not match:
        return ""
    compact = match.group(0).replace("-", "").replace(" ", "").upper()
    if len(compact) == 9:
        compact = "0" + compact
    body, check = compact[:-1], compact[-1]
    if not body.isdigit():
        return ""
    if len(compact) == 10:
        total = sum(map(operator.mul, range(1, 10), map(int, body))) % 11
        if ("X" if total == 10 else str(total)) != check:
            return ""
        return "978" + body + _ean_check("978" + body)
    if len(compact) == 13:
        if not check.isdigit() or _ean_check(body) != check or compact[:3] not in ("978", "979"):
            return ""
        return compact
    return ""


def description_warnings(desc: dict) -> list[str]:
    """What a librarian should fix in a record that can still be catalogued."""
    return [
        _(
            "ISBN %(isbn)s has a wrong check digit: check it against the book. The record "
            "keeps it and is found by it, but it is not used to match editions."
        )
        % {"isbn": digits}
        for digits in desc["isbns_invalid"]
    ]


SUBJECT_TAGS = ("600", "610", "611", "630", "648", "650", "651", "658")


def subject_heading(f: Field) -> str:
    """A 6XX field as the heading the catalogue shows ("Cats -- Juvenile fiction")."""
    head = _sub(f, "a", "b", "c", "d", "t") if f.tag in ("600", "610", "611") else _sub(f, "a")
    parts = [head] + [c for v in f.get_subfields("v", "x", "y", "z") if (c := clean(v))]
    return " -- ".join(p for p in parts if p)


def subject_languages(record: Record) -> dict[str, str]:
    """Each subject heading and genre term with the BCP 47 tag of its thesaurus'
    language ("" when the thesaurus does not say: second indicator 4, an unknown $2)."""
    langs: dict[str, str] = {}
    for f in record.get_fields(*SUBJECT_TAGS):
        heading = subject_heading(f)
        if heading and heading not in langs:
            ind2 = f.indicators[1] if f.indicators else " "
            langs[heading] = thesaurus_language(ind2, f.get("2") or "")
    for f in record.get_fields("655"):  # genre/form terms: LCGFT ("Picture books") and others
        genre = _sub(f, "a")
        if genre and genre not in langs:
            ind2 = f.indicators[1] if f.indicators else " "
            langs[genre] = thesaurus_language(ind2, f.get("2") or "")
    return langs


def describe(record: Record) -> dict:
    """The extracted fields of a bibliographic record."""
    leader = str(record.leader)
    by_tag: dict[str, list[Field]] = {}
    for f in record.fields:
        by_tag.setdefault(f.tag, []).append(f)

    def get_fields(*tags: str) -> list[Field]:
        # record.get_fields from an index built once; the fields of several tags
        # in the record's order, read from it only when two of them are there
        if len(tags) == 1:
            return by_tag.get(tags[0], [])
        present = [tag for tag in tags if tag in by_tag]
        if len(present) < 2:
            return by_tag[present[0]] if present else []
        return [f for f in record.fields if f.tag in tags]

    f008 = by_tag["008"][0].data if get_fields("008") else ""
    t245 = get_fields("245")
    title = _sub(t245[0], "a", "b", "n", "p") if t245 else ""
    responsibility = _sub(t245[0], "c") if t245 else ""
    names = []
    main_author = ""
    for f in get_fields("100", "110", "111", "700", "710", "711"):
        name = _sub(f, "a", "b") if f.tag != "111" else _sub(f, "a")
        dates = clean(f.get("d") or "")
        if name:
            names.append(f"{name} ({dates})" if dates else name)
            if f.tag in ("100", "110", "111") and not main_author:
                main_author = name
    pub = (get_fields("264") or get_fields("260") or [None])[0]
    publisher = _sub(pub, "b") if pub else ""
    place = _sub(pub, "a") if pub else ""
    year = None
    if len(f008) >= 11 and f008[7:11].isdigit():
        year = int(f008[7:11])
    elif pub:
        m = re.search(r"(1[5-9]|20)\d\d", " ".join(pub.get_subfields("c")))
        year = int(m.group(0)) if m else None
    language = f008[35:38].strip().lower() if len(f008) >= 38 else ""
    if not language or language in ("|||", "   "):
        lang_fields = get_fields("041")
        language = (lang_fields[0].get("a") or "")[:3].lower() if lang_fields else ""
    isbn_raw = [v for f in get_fields("020") for v in f.get_subfields("a")]
    isbns = []
    isbns_invalid = []  # ISBN-like, wrong check digit: a warning, still findable
    for v in isbn_raw:
        n = normalise_isbn(v)
        if n and n not in isbns:
            isbns.append(n)
        elif not n and (digits := isbn_digits(v)) and digits not in isbns_invalid:
            isbns_invalid.append(digits)
    subjects = []
    for f in get_fields(*SUBJECT_TAGS):
        heading = subject_heading(f)
        if heading and heading not in subjects:
            subjects.append(heading)
    genres = []
    for f in get_fields("655", "380"):
        g = _sub(f, "a")
        if g and g not in genres:
            genres.append(g)
    series = []
    for f in get_fields("490", "830", "440"):
        s = _sub(f, "a", "v", sep=" ; ")
        if s and s not in series:
            series.append(s)
    host = get_fields("773")
    host_title = _sub(host[0], "t", "a", sep=". ") if host else ""
    host_related = _sub(host[0], "g") if host else ""
    host_control = clean(host[0].get("w") or "") if host else ""

    def first(tag: str, *codes: str) -> str:
        for f in get_fields(tag):
            value = _sub(f, *codes)
            if value:
                return value
        return ""

    kind = leader[6:8]
    material = MATERIAL.get(kind) or MATERIAL.get(kind[:1]) or "book"
    return {
        "control_number": (by_tag["001"][0].data.strip() if get_fields("001") else "")[:64],
        "control_source": (by_tag["003"][0].data.strip() if get_fields("003") else "")[:64],
        "system_numbers": [
            clean(v)[:120] for f in get_fields("035") for v in f.get_subfields("a") if v
        ],
        "title": title[:1000] or "[bez tytułu]",
        "responsibility": responsibility[:1000],
        "main_author": main_author[:300],
        "names": names,
        "edition": first("250", "a", "b")[:300],
        "publisher": publisher[:300],
        "place": place[:300],
        "year": year if year and 1000 <= year <= 2100 else None,
        "extent": first("300", "a", "b", "c")[:300],
        "isbns": isbns,
        "isbns_invalid": isbns_invalid,
        "language": language[:3],
        "series": series,
        "subjects": subjects,
        "genres": genres,
        "ukd": first("080", "a")[:100],
        "ddc": first("082", "a")[:100],
        "summary": first("520", "a", "b"),
        "audience": first("521", "a")[:300],
        "host_title": host_title[:500],
        "host_related": host_related[:300],
        "host_control": host_control[:64],
        "material": material,
    }
