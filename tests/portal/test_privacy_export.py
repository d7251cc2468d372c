"""The export of everything the portal holds about one person (RODO art. 15)."""

import datetime
import json
import warnings

import pytest
import time_machine

from django.urls import reverse
from django.utils import timezone

from gradebook.models import Grade
from gradebook.register.models import Announcement, AnnouncementRead, Excuse
from library.circulation.models import Loan
from notifications.models import Notification
from portal.models import AuditEvent, ReadAccess, Role
from portal.privacy.export import export_html, person_export
from tests.factories import RoleFactory, UserFactory
from tests.factories.circulation import card, copy_create, record_create
from tests.factories.gradebook import AssessmentFactory
from tests.factories.register import RemarkFactory

PARENT_PESEL = "85010212345"
CHILD_PESEL = "16230112344"
SIBLING_PESEL = "13260212341"
OTHER_PESEL = "16251512347"


def _valid(pesel):
    # Build a valid PESEL from the first ten digits (the fixtures only care that
    # each is distinct and passes validation).
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    total = sum(int(d) * w for d, w in zip(pesel[:10], weights, strict=True))
    return pesel[:10] + str((10 - total % 10) % 10)


@pytest.fixture
def family(world):
    """A parent (a.guardian) with two children in school A, each with data in
    every app, and another family in school B with data of its own."""
    a, b = world.a, world.b
    parent, child, sibling = a.guardian, a.pupil, a.other_pupil
    parent.pesel, parent.phone = _valid(PARENT_PESEL), "600100200"
    child.pesel, sibling.pesel = _valid(CHILD_PESEL), _valid(SIBLING_PESEL)
    b.pupil.pesel = _valid(OTHER_PESEL)
    for user in (parent, child, sibling, b.pupil):
        user.save()
    parent.children_links.create(pupil=sibling, relation="mother")

    assessment = AssessmentFactory(assignment=a.assignment, name="Ułamki zwykłe")
    Grade.objects.create(assessment=assessment, pupil=child, symbol="5", teacher=a.teacher)
    b_assessment = AssessmentFactory(assignment=b.assignment, name="Sprawdzian rodziny B")
    Grade.objects.create(assessment=b_assessment, pupil=b.pupil, symbol="2", teacher=b.teacher)
    Notification.objects.create(
        recipient=parent, pupil=child, kind="grade", key="g:1", title="Nowa ocena z matematyki"
    )
    Notification.objects.create(
        recipient=b.guardian, pupil=b.pupil, kind="grade", key="g:2", title="Wiadomość rodziny B"
    )
    RemarkFactory(
        pupil=child,
        school_class=a.class_a,
        author=a.homeroom,
        acknowledged_by=parent,
        acknowledged_at=timezone.now(),
        text="Uwaga o dziecku A",
    )
    RemarkFactory(pupil=b.pupil, school_class=b.class_a, author=b.homeroom, text="Uwaga rodziny B")
    Excuse.objects.create(
        pupil=child, school_class=a.class_a, submitted_by=parent, reason="Wizyta u lekarza"
    )
    Excuse.objects.create(
        pupil=b.pupil, school_class=b.class_a, submitted_by=b.guardian, reason="Powód rodziny B"
    )
    notice = Announcement.objects.create(
        school=a.school, author=a.admin, audience="guardians", title="Zebranie z rodzicami"
    )
    AnnouncementRead.objects.create(announcement=notice, user=parent)
    card(parent)
    copy = copy_create(record_create("Pan Tadeusz"), a.school)
    Loan.objects.create(
        copy=copy,
        school=a.school,
        reader=parent,
        checked_out_at=timezone.now(),
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    ReadAccess.objects.create(
        actor=a.teacher,
        actor_name="Nauczyciel Czytający",
        pupil=child,
        school=a.school,
        what=ReadAccess.What.GRADES,
    )
    return parent


@pytest.fixture
def dpo(world):
    return RoleFactory(role=Role.DPO, school=None, user=UserFactory(username="dpo")).user


def _tables(data):
    return {t["title"]: t for section in data["sections"] for t in section["tables"]}


def test_json_export_of_a_parent_holds_their_data_and_no_other_familys(
    world, family, dpo, login, client
):
    login(dpo)
    response = client.get(reverse("portal:privacy_export_json", args=[family.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    text = response.content.decode()
    tables = _tables(data)

    account = dict(tables["Konto"]["rows"])
    assert account["Login"] == family.username
    assert account["PESEL"] == family.pesel
    assert account["Telefon"] == "600100200"
    children = [row[0] for row in tables["Dzieci (powiązania opiekunów)"]["rows"]]
    assert sorted(children) == sorted(
        [world.a.pupil.get_full_name(), world.a.other_pupil.get_full_name()]
    )
    assert tables["Powiadomienia"]["rows"][0][1] == "Nowa ocena z matematyki"
    assert tables["Usprawiedliwienia"]["rows"][0][3] == "Wizyta u lekarza"
    assert tables["Przeczytane ogłoszenia"]["rows"][0][1] == "Zebranie z rodzicami"
    assert tables["Wypożyczenia"]["rows"][0][0] == "Pan Tadeusz"
    assert tables["Czytelnik"]["rows"][0][0] == card(family)
    # The parent's own data only: their children's grades are the children's.
    assert tables["Oceny"]["rows"] == []

    # PESEL appears once: in the person's own section; never the children's.
    assert text.count(family.pesel) == 1
    for pesel in (world.a.pupil.pesel, world.a.other_pupil.pesel, world.b.pupil.pesel):
        assert pesel not in text
    for foreign in (
        "rodziny B",
        world.b.pupil.last_name,
        world.b.guardian.username,
        world.b.pupil.email,
    ):
        assert foreign not in text


def test_export_of_a_pupil_holds_grades_remarks_and_who_read_them(
    world, family, dpo, login, client
):
    login(dpo)
    data = client.get(reverse("portal:privacy_export_json", args=[world.a.pupil.pk])).json()
    tables = _tables(data)
    assert tables["Oceny"]["rows"][0][2:4] == ["Ułamki zwykłe", "5"]
    assert tables["Uwagi"]["rows"][0][2] == "Uwaga o dziecku A"
    assert tables["Kto otwierał dane ucznia"]["rows"][0][1] == "Nauczyciel Czytający"
    text = json.dumps(data, ensure_ascii=False)
    assert world.a.guardian.pesel not in text
    assert "rodziny B" not in text


@time_machine.travel("2026-11-20 10:00", tick=False)
def test_each_export_is_recorded_in_the_audit_trail(world, family, dpo, login, client):
    login(dpo)
    client.get(reverse("portal:privacy_export_json", args=[family.pk]))
    event = AuditEvent.objects.get(category=AuditEvent.Category.PRIVACY, action="export")
    assert (event.actor, event.person, event.after) == (dpo, family, {"format": "json"})
    assert event.at == timezone.now()


@pytest.fixture
def weasyprint_loaded():
    # WeasyPrint warns at import where the system lacks libharfbuzz-subset; the
    # suite turns warnings into errors, and the warning is about the machine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import weasyprint  # noqa: F401, PLC0415


def test_pdf_export_opens_and_names_the_person(
    world, family, dpo, login, client, weasyprint_loaded
):
    login(dpo)
    response = client.get(reverse("portal:privacy_export_pdf", args=[family.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content.rstrip().endswith(b"%%EOF")

    # The page the PDF is printed from: the same sections, the same exclusions.
    page = export_html(person_export(person=family), person=family)
    assert family.get_full_name() in page
    assert "Pan Tadeusz" in page and "Wizyta u lekarza" in page
    assert page.count(family.pesel) == 1
    assert world.b.pupil.last_name not in page and world.a.pupil.pesel not in page
