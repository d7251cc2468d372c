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

from .models import GuardianLink, ImportRun, Role, School, SchoolClass, User
from .permissions import forget_roles
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

MAX_IMPORT_BYTES = 5 * 1024 * 1024

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


def decode_csv(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError("file_too_large", _("The file is larger than 5 MB."))
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("encoding", _("The file is neither UTF-8 nor Windows-1250 text."))


def read_rows(text: str, kind: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header columns found, and (line number, row) pairs with canonical keys."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
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
        raise PortalError("bad_pesel", _("PESEL “%(value)s” is not valid.") % {"value": value})
    return value


def _find_person(row: dict) -> User | None:
    """Match an existing person on PESEL, then login, then e-mail."""
    if row.get("pesel"):
        found = User.objects.filter(pesel=row["pesel"]).first()
        if found:
            return found
    if row.get("username"):
        found = User.objects.filter(username__iexact=row["username"]).first()
        if found:
            return found
    if row.get("email"):
        return User.objects.filter(email__iexact=row["email"]).first()
    return None


def _person_fields(row: dict) -> dict:
    fields = {"first_name": row["first_name"], "last_name": row["last_name"]}
    for name in ("email", "phone", "pesel"):
        if row.get(name):
            fields[name] = row[name]
    if row.get("date_of_birth"):
        fields["date_of_birth"] = parse_date(row["date_of_birth"], _("Date of birth"))
    elif row.get("pesel"):
        fields["date_of_birth"] = pesel_number.get_birth_date(row["pesel"])
    return fields


def _upsert_person(row: dict) -> tuple[User, str | None, bool]:
    """(person, initial password or None, created)."""
    if not row.get("first_name") or not row.get("last_name"):
        raise PortalError("missing_name", _("First name and last name are required."))
    row["pesel"] = _check_pesel(row.get("pesel", ""))
    fields = _person_fields(row)
    person = _find_person(row)
    if person is None:
        person, password = user_create(username=row.get("username", ""), **fields)
        return person, password, True
    user_update(user=person, **fields)
    return person, None, False


def _import_pupil(school: School, row: dict, classes: dict[str, SchoolClass]):
    school_class = classes.get(row["class"].lower().replace(" ", ""))
    if school_class is None:
        raise PortalError(
            "unknown_class",
            _("There is no class “%(name)s” in the current school year of this school.")
            % {"name": row["class"]},
        )
    number = row.get("register_number") or None
    if number is not None:
        if not number.isdigit():
            raise PortalError(
                "bad_number", _("Register number “%(value)s” is not a number.") % {"value": number}
            )
        number = int(number)
    start = parse_date(row.get("start_date", ""), _("Start date")) or default_enrolment_date(
        school_class.school_year
    )
    person, password, created = _upsert_person(row)
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


def _import_guardian(school: School, row: dict):
    pupil = None
    if row.get("pupil_pesel"):
        pupil = User.objects.filter(pesel=row["pupil_pesel"].replace(" ", "")).first()
    elif row.get("pupil_username"):
        pupil = User.objects.filter(username__iexact=row["pupil_username"]).first()
    else:
        raise PortalError("no_pupil", _("Give the pupil's PESEL or login to link the guardian to."))
    if (
        pupil is None
        or not pupil.enrolments.filter(school_class__school_year__school=school).exists()
    ):
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
    person, password, created = _upsert_person(row)
    guardian_link(guardian=person, pupil=pupil, relation=relation)
    return person, password, created


def _import_teacher(school: School, row: dict):
    names = [n for n in (_key(r) for r in row.get("roles", "").replace(",", ";").split(";")) if n]
    roles = set()
    for name in names or ["nauczyciel"]:
        if name not in STAFF_ROLE_NAMES:
            raise PortalError("bad_role", _("Unknown role “%(value)s”.") % {"value": name})
        roles.add(STAFF_ROLE_NAMES[name])
    person, password, created = _upsert_person(row)
    for role in roles:
        role_grant(user=person, role=role, school=school)
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
    run = ImportRun(school=school, kind=kind, file_name=file_name[:255], created_by=user)
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
                    person, password, created = _import_pupil(school, row, classes)
                elif kind == ImportRun.Kind.GUARDIANS:
                    person, password, created = _import_guardian(school, row)
                else:
                    person, password, created = _import_teacher(school, row)
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
            }
        )
    run.report = report
    run.save()
    return result


def sample_csv(kind: str) -> str:
    """An example file for the import page, in the secretariat format."""
    if kind == ImportRun.Kind.PUPILS:
        return (
            "Nazwisko;Imię;PESEL;Data urodzenia;Oddział;Nr w dzienniku;E-mail\n"
            "Kowalska;Zofia;16321512345;15.12.2016;4a;7;\n"
        )
    if kind == ImportRun.Kind.GUARDIANS:
        return (
            "Nazwisko;Imię;E-mail;Telefon;PESEL ucznia;Stopień pokrewieństwa\n"
            "Kowalska;Anna;anna.kowalska@example.pl;600100200;16321512345;matka\n"
        )
    return (
        "Nazwisko;Imię;E-mail;Telefon;Role\nNowak;Piotr;p.nowak@example.pl;600300400;nauczyciel\n"
    )
