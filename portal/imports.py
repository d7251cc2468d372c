"""Bulk import of pupils, guardians and teachers from the CSV files that school
secretariat software exports (semicolon-separated, UTF-8 or Windows-1250, Polish
headers). Each row is imported in its own transaction: a bad row is reported with
its line number and reason and never stops the import or half-creates a person.
Re-importing the same file updates people instead of duplicating them."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from stdnum.pl import pesel as pesel_number

from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .exports import csv_text
from .models import (
    AuditEvent,
    GuardianLink,
    ImportConflict,
    ImportRun,
    Role,
    School,
    SchoolClass,
    User,
)
from .permissions import current_pupils_manageable, forget_roles, people_manageable
from .services import (
    PortalError,
    ascii_fold,
    default_enrolment_date,
    enrolment_create,
    guardian_link,
    role_grant,
    user_create,
    user_update,
)

# Fields an import never changes on its own: a difference becomes an
# ImportConflict for a person to accept or reject (a changed e-mail or login
# would hand the account to whoever wrote the file).
GUARDED_FIELDS = ("username", "email", "pesel")

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_REGISTER_NUMBER = 32767  # Enrolment.register_number, a PositiveSmallIntegerField

# Canonical column -> accepted headers (compared case- and accent-insensitively).
COLUMNS = {
    "last_name": ["nazwisko", "last name", "surname"],
    "first_name": ["imie", "first name", "imie ucznia"],
    "second_name": ["drugie imie", "second name"],
    "pesel": ["pesel"],
    "date_of_birth": ["data urodzenia", "date of birth"],
    "class": ["oddzial", "klasa", "class"],
    "register_number": ["nr w dzienniku", "numer w dzienniku", "register number", "nr"],
    "email": ["e-mail", "email", "adres e-mail", "adres email"],
    "phone": ["telefon", "phone", "nr telefonu"],
    "username": ["login", "username", "nazwa uzytkownika"],
    "start_date": ["data przyjecia", "data zapisu", "start date"],
    "pupil_pesel": ["pesel ucznia", "pupil pesel"],
    "pupil_username": ["login ucznia", "pupil username"],
    "relation": ["stopien pokrewienstwa", "pokrewienstwo", "relacja", "relation"],
    "roles": ["role", "rola", "roles", "funkcja"],
}
REQUIRED = {
    ImportRun.Kind.PUPILS: ["last_name", "first_name", "class"],
    ImportRun.Kind.GUARDIANS: ["last_name", "first_name"],
    ImportRun.Kind.TEACHERS: ["last_name", "first_name"],
}
RELATIONS = {
    "matka": GuardianLink.Relation.MOTHER,
    "mother": GuardianLink.Relation.MOTHER,
    "ojciec": GuardianLink.Relation.FATHER,
    "father": GuardianLink.Relation.FATHER,
    "opiekun": GuardianLink.Relation.GUARDIAN,
    "opiekun prawny": GuardianLink.Relation.GUARDIAN,
    "opiekunka": GuardianLink.Relation.GUARDIAN,
    "guardian": GuardianLink.Relation.GUARDIAN,
    "": GuardianLink.Relation.GUARDIAN,
}
STAFF_ROLE_NAMES = {
    "nauczyciel": Role.TEACHER,
    "nauczycielka": Role.TEACHER,
    "teacher": Role.TEACHER,
    "bibliotekarz": Role.LIBRARIAN,
    "bibliotekarka": Role.LIBRARIAN,
    "librarian": Role.LIBRARIAN,
    "dyrektor": Role.SCHOOL_ADMIN,
    "wicedyrektor": Role.SCHOOL_ADMIN,
    "sekretariat": Role.SCHOOL_ADMIN,
    "administrator": Role.SCHOOL_ADMIN,
    "school admin": Role.SCHOOL_ADMIN,
    "pedagog": Role.PEDAGOGUE,
    "pedagożka": Role.PEDAGOGUE,
    "pedagogue": Role.PEDAGOGUE,
    "redaktor": Role.EDITOR,
    "editor": Role.EDITOR,
}


def _key(header: str) -> str:
    return " ".join(ascii_fold(header or "").lower().replace("_", " ").split())


HEADER_LOOKUP = {
    _key(alias): canonical for canonical, aliases in COLUMNS.items() for alias in aliases
}


class ImportFileError(PortalError):
    """The file as a whole cannot be read (encoding, no header, missing columns)."""


@dataclass
class ImportResult:
    run: ImportRun
    credentials: list[dict] = field(default_factory=list)  # shown once, never stored


@dataclass
class ImportContext:
    """What every row of one import needs: where, by whom, and the run that
    history rows point to."""

    school: School
    actor: User | None
    run: ImportRun
    classes: dict[str, SchoolClass] = field(default_factory=dict)
    conflicts_by_line: dict[int, int] = field(default_factory=dict)

    def manageable(self):
        return people_manageable(self.school, self.actor)

    def reason(self, line: int) -> str:
        return _("import #%(run)s, line %(line)s") % {"run": self.run.pk, "line": line}


def decode_csv(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError("file_too_large", _("The file is larger than 5 MB."))
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("encoding", _("The file is neither UTF-8 nor Windows-1250 text."))


class SecretariatDialect(csv.excel):
    """What the secretariat's programs write when the sniffer cannot tell: the
    Polish Excel's semicolons (a subclass: `csv.excel` itself stays as it is)."""

    delimiter = ";"


def read_rows(text: str, kind: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header columns found, and (line number, row) pairs with canonical keys."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = SecretariatDialect
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("empty", _("The file is empty.")) from None
    columns = [HEADER_LOOKUP.get(_key(h)) for h in header]
    missing = [c for c in REQUIRED[kind] if c not in columns]
    if missing:
        names = ", ".join(COLUMNS[c][0].capitalize() for c in missing)
        raise ImportFileError(
            "missing_columns",
            _("The header lacks the required columns: %(names)s.") % {"names": names},
        )
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = {}
        for column, value in zip(columns, values, strict=False):
            if column:
                row[column] = value.strip()
        rows.append((reader.line_num, row))
    return [c for c in columns if c], rows


def parse_date(value: str, label: str) -> datetime.date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise PortalError(
        "bad_date",
        _("%(label)s “%(value)s” is not a date (use DD.MM.YYYY).")
        % {"label": label, "value": value},
    )


def _check_pesel(value: str) -> str:
    value = value.replace(" ", "")
    if value and not pesel_number.is_valid(value):
        # The report names the line; it does not repeat the number.
        raise PortalError("bad_pesel", _("The PESEL in this row is not valid."))
    return value


def _find_person(ctx: ImportContext, row: dict) -> User | None:
    """The existing person a row names by PESEL, login or e-mail, looked up in
    the whole municipality so that a person of another school is recognised and
    refused, never matched."""
    keys = [
        ("pesel", User.objects.filter(pesel=row["pesel"]) if row.get("pesel") else None),
        (
            "username",
            User.objects.filter(username__iexact=row["username"]) if row.get("username") else None,
        ),
        ("email", User.objects.filter(email__iexact=row["email"]) if row.get("email") else None),
    ]
    found = {}
    for key, queryset in keys:
        if queryset is not None:
            person = queryset.first()
            if person is not None:
                found.setdefault(person.pk, (key, person))
    if not found:
        return None
    if len(found) > 1:
        raise PortalError(
            "ambiguous_person",
            _(
                "The PESEL, login and e-mail in this row belong to different people; "
                "correct the row."
            ),
        )
    _key_name, person = next(iter(found.values()))
    if not ctx.manageable().filter(pk=person.pk).exists():
        raise PortalError(
            "foreign_person",
            _("The person belongs to another school — report it to the municipal administrator."),
        )
    return person


def _person_fields(row: dict) -> dict:
    fields = {"first_name": row["first_name"], "last_name": row["last_name"]}
    for name in ("email", "phone", "pesel"):
        if row.get(name):
            fields[name] = row[name]
    if row.get("username"):
        fields["username"] = row["username"]
    if row.get("date_of_birth"):
        fields["date_of_birth"] = parse_date(row["date_of_birth"], _("Date of birth"))
    elif row.get("pesel"):
        fields["date_of_birth"] = pesel_number.get_birth_date(row["pesel"])
    return fields


def _guarded_difference(person: User, name: str, value: str) -> bool:
    current = getattr(person, name) or ""
    if not current:
        return False  # filling an empty field changes nothing that exists
    if name in ("username", "email"):
        return current.lower() != value.lower()
    return current != value


def _upsert_person(ctx: ImportContext, row: dict, line: int) -> tuple[User, str | None, bool]:
    """(person, initial password or None, created). Guarded fields that differ
    are not changed: each becomes an open ImportConflict."""
    if not row.get("first_name") or not row.get("last_name"):
        raise PortalError("missing_name", _("First name and last name are required."))
    row["pesel"] = _check_pesel(row.get("pesel", ""))
    fields = _person_fields(row)
    person = _find_person(ctx, row)
    if person is None:
        person, password = user_create(actor=ctx.actor, school=ctx.school, **fields)
        return person, password, True
    for name in GUARDED_FIELDS:
        value = fields.get(name)
        if value and _guarded_difference(person, name, value):
            del fields[name]
            ImportConflict.objects.create(
                run=ctx.run,
                line=line,
                person=person,
                field=name,
                current_value=getattr(person, name),
                imported_value=value,
            )
            ctx.conflicts_by_line[line] = ctx.conflicts_by_line.get(line, 0) + 1
        elif name == "username":
            fields.pop(name, None)  # same login, perhaps in other letter case
    user_update(user=person, actor=ctx.actor, school=ctx.school, reason=ctx.reason(line), **fields)
    return person, None, False


def _import_pupil(ctx: ImportContext, row: dict, line: int):
    school_class = ctx.classes.get(row["class"].lower().replace(" ", ""))
    if school_class is None:
        raise PortalError(
            "unknown_class",
            _("There is no class “%(name)s” in the current school year of this school.")
            % {"name": row["class"]},
        )
    number = row.get("register_number") or None
    if number is not None:
        # ASCII digits: "²" passes str.isdigit() and fails int(); and no more than the
        # column holds (PostgreSQL's smallint refuses 40000, SQLite would keep it).
        if not (number.isascii() and number.isdigit()) or int(number) > MAX_REGISTER_NUMBER:
            raise PortalError(
                "bad_number", _("Register number “%(value)s” is not a number.") % {"value": number}
            )
        number = int(number)
    start = parse_date(row.get("start_date", ""), _("Start date")) or default_enrolment_date(
        school_class.school_year
    )
    person, password, created = _upsert_person(ctx, row, line)
    if not created and person.role_assignments.exists():
        raise PortalError(
            "not_a_pupil",
            _("%(name)s already has a staff account; a pupil needs an account of their own.")
            % {"name": person},
        )
    enrolment_create(
        pupil=person, school_class=school_class, start_date=start, register_number=number
    )
    return person, password, created


def _import_guardian(ctx: ImportContext, row: dict, line: int):
    pupils = current_pupils_manageable(ctx.school, ctx.actor)
    if row.get("pupil_pesel"):
        pupil = pupils.filter(pesel=row["pupil_pesel"].replace(" ", "")).first()
    elif row.get("pupil_username"):
        pupil = pupils.filter(username__iexact=row["pupil_username"]).first()
    else:
        raise PortalError("no_pupil", _("Give the pupil's PESEL or login to link the guardian to."))
    if pupil is None:
        raise PortalError(
            "unknown_pupil",
            _("No pupil of this school matches the given PESEL or login; import the pupils first."),
        )
    relation = RELATIONS.get(_key(row.get("relation", "")))
    if relation is None:
        raise PortalError(
            "bad_relation",
            _("Unknown relation “%(value)s” (use matka, ojciec or opiekun prawny).")
            % {"value": row["relation"]},
        )
    person, password, created = _upsert_person(ctx, row, line)
    guardian_link(
        guardian=person, pupil=pupil, relation=relation, actor=ctx.actor, school=ctx.school
    )
    return person, password, created


def _import_teacher(ctx: ImportContext, row: dict, line: int):
    names = [n for n in (_key(r) for r in row.get("roles", "").replace(",", ";").split(";")) if n]
    roles = set()
    for name in names or ["nauczyciel"]:
        if name not in STAFF_ROLE_NAMES:
            raise PortalError("bad_role", _("Unknown role “%(value)s”.") % {"value": name})
        roles.add(STAFF_ROLE_NAMES[name])
    person, password, created = _upsert_person(ctx, row, line)
    for role in roles:
        role_grant(user=person, role=role, school=ctx.school, actor=ctx.actor)
    forget_roles(person)
    return person, password, created


def people_import(
    *, school: School, kind: str, data: bytes, file_name: str, user: User | None
) -> ImportResult:
    """Import a secretariat CSV. Raises ImportFileError only when the file as a
    whole cannot be read; every row ends in the report."""
    text = decode_csv(data)
    _columns, rows = read_rows(text, kind)
    classes = {}
    if kind == ImportRun.Kind.PUPILS:
        classes = {
            c.name.lower().replace(" ", ""): c
            for c in SchoolClass.objects.filter(
                school_year__school=school, school_year__is_current=True
            ).select_related("school_year")
        }
    run = ImportRun.objects.create(
        school=school, kind=kind, file_name=file_name[:255], created_by=user
    )
    ctx = ImportContext(school=school, actor=user, run=run, classes=classes)
    result = ImportResult(run=run)
    report = []
    for line, row in rows:
        name = f"{row.get('last_name', '')} {row.get('first_name', '')}".strip()
        try:
            missing = [c for c in REQUIRED[kind] if not row.get(c)]
            if missing:
                raise PortalError(
                    "missing_value",
                    _("Empty required column: %(names)s.")
                    % {"names": ", ".join(COLUMNS[c][0].capitalize() for c in missing)},
                )
            with transaction.atomic():
                if kind == ImportRun.Kind.PUPILS:
                    person, password, created = _import_pupil(ctx, row, line)
                elif kind == ImportRun.Kind.GUARDIANS:
                    person, password, created = _import_guardian(ctx, row, line)
                else:
                    person, password, created = _import_teacher(ctx, row, line)
        except PortalError as exc:
            run.rejected_count += 1
            report.append(
                {
                    "line": line,
                    "name": name,
                    "status": "rejected",
                    "code": exc.code,
                    "message": exc.message,
                }
            )
            continue
        if created:
            run.created_count += 1
            result.credentials.append(
                {
                    "line": line,
                    "name": str(person),
                    "username": person.username,
                    "password": password,
                }
            )
        else:
            run.updated_count += 1
        report.append(
            {
                "line": line,
                "name": name,
                "status": "created" if created else "updated",
                "username": person.username,
                "message": "",
                "conflicts": ctx.conflicts_by_line.get(line, 0),
            }
        )
    run.report = report
    run.save()
    audit_record(
        actor=user,
        category=AuditEvent.Category.IMPORT,
        action="import.run",
        target=run,
        school=school,
        after={
            "kind": kind,
            "file": run.file_name,
            "created": run.created_count,
            "updated": run.updated_count,
            "rejected": run.rejected_count,
        },
    )
    return result


# The secretariat format: semicolons, one row a line.
SAMPLE_CSV_FORMAT = {"delimiter": ";", "lineterminator": "\n"}


def sample_rows(kind: str) -> list[list[str]]:
    """An example file for the import page, in the secretariat format: header and one row."""
    if kind == ImportRun.Kind.PUPILS:
        return [
            ["Nazwisko", "Imię", "PESEL", "Data urodzenia", "Oddział", "Nr w dzienniku", "E-mail"],
            ["Kowalska", "Zofia", "16321512346", "15.12.2016", "4a", "7", ""],
        ]
    if kind == ImportRun.Kind.GUARDIANS:
        return [
            ["Nazwisko", "Imię", "E-mail", "Telefon", "PESEL ucznia", "Stopień pokrewieństwa"],
            ["Kowalska", "Anna", "anna.kowalska@example.pl", "600100200", "16321512346", "matka"],
        ]
    return [
        ["Nazwisko", "Imię", "E-mail", "Telefon", "Role"],
        ["Nowak", "Piotr", "p.nowak@example.pl", "600300400", "nauczyciel"],
    ]


def sample_csv(kind: str) -> str:
    return csv_text(sample_rows(kind), **SAMPLE_CSV_FORMAT)
