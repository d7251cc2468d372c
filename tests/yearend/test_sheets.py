"""The pupils' record sheets (arkusze ocen): what the PDF says of a pupil across
their years in the school, one document for a class with each pupil's pages
counted from 1, who may open them, the read audit, and a reading whose query
count does not grow with the class."""

import datetime
import io

import pytest
from pypdf import PdfReader

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.yearend.models import PromotionDecision, PromotionOutcome
from gradebook.yearend.statutory import sheets
from portal.models import Enrolment, ReadAccess, Role, SchoolClass, SchoolYear, Term, User
from tests.factories import (
    EnrolmentFactory,
    RoleFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    UserFactory,
)

from .conftest import behaviour, final


class SimpleYear:
    def __init__(self, year, term, school_class):
        self.year, self.term, self.school_class = year, term, school_class


def past_year(side, start: int, name: str, level: int) -> SimpleYear:
    """A finished school year of the side's school with one class and its two terms."""
    year = SchoolYear.objects.create(
        school=side.school,
        name=f"{start}/{start + 1}",
        start=datetime.date(start, 9, 1),
        end=datetime.date(start + 1, 6, 26),
    )
    Term.objects.create(
        school_year=year, number=1, start=year.start, end=datetime.date(start + 1, 1, 31)
    )
    last = Term.objects.create(
        school_year=year, number=2, start=datetime.date(start + 1, 2, 1), end=year.end
    )
    cls = SchoolClass.objects.create(school_year=year, name=name, level=level)
    return SimpleYear(year, last, cls)


@pytest.fixture
def history(ye):
    """Anna Adamska of ye.a: class 2a in 2024/2025 and 3a in 2025/2026 (described
    in words), now 4a with grades; her personal data and the council's decision."""
    a = ye.a
    anna = a.pupil
    anna.pesel = "15281212345"[:11]
    anna.date_of_birth = datetime.date(2016, 3, 14)
    anna.save()
    a.guardian.first_name, a.guardian.last_name = "Maria", "Adamska"
    a.guardian.save()
    a.y2 = past_year(a, 2024, "2a", 2)
    a.y3 = past_year(a, 2025, "3a", 3)
    for y, text, value in (
        (a.y2, "Pięknie czyta i liczy do stu.", "bardzo_dobre"),
        (a.y3, "Pisze bezbłędnie krótkie teksty.", "wzorowe"),
    ):
        EnrolmentFactory(pupil=anna, school_class=y.school_class, register_number=1)
        edu = TeachingAssignmentFactory(
            school_class=y.school_class,
            subject=SubjectFactory(school=a.school, name=f"Edukacja {y.school_class.name}"),
        )
        final(anna, edu, y.term, description=text)
        behaviour(anna, y.school_class, y.term, value)
        PromotionDecision.objects.create(
            pupil=anna,
            school_class=y.school_class,
            outcome=PromotionOutcome.PROMOTED,
            resolution_number=f"{y.year.end.year}/7",
            resolution_date=datetime.date(y.year.end.year, 6, 20),
        )
    PromotionDecision.objects.create(
        pupil=anna,
        school_class=a.class_a,
        outcome=PromotionOutcome.PROMOTED,
        resolution_number="2027/15",
        resolution_date=datetime.date(2027, 6, 22),
        note="Laureatka konkursu matematycznego.",
    )
    PromotionDecision.objects.create(
        pupil=a.honours,
        school_class=a.class_a,
        outcome=PromotionOutcome.PROMOTED_WITH_HONOURS,
        resolution_number="2027/15",
        resolution_date=datetime.date(2027, 6, 22),
    )
    return a


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_a_pupils_sheet_holds_every_year(history):
    a = history
    text = " ".join(pdf_pages(sheets.pupil_sheet_pdf(a.pupil, a.school)))
    for expected in (
        "Arkusz ocen ucznia",
        "Adamska Anna",
        "14 marca 2016",
        a.pupil.pesel,
        "Maria Adamska (matka)",
        a.school.name,
        # the oldest year first, described in words
        "2024/2025, klasa 2a",
        "Pięknie czyta i liczy do stu.",
        "bardzo dobre",
        "2025/7",
        "2025/2026, klasa 3a",
        "Pisze bezbłędnie krótkie teksty.",
        "wzorowe",
        # this year: grades in words, average, behaviour, decision and resolution
        "2026/2027, klasa 4a",
        "Matematyka – – dobry",
        "Język polski – – dostateczny",
        "3,50",
        "promowany",
        "uchwała nr 2027/15 z 22.06.2027",
        "Laureatka konkursu matematycznego.",
        "strona 1",
    ):
        assert expected in text, expected
    assert text.index("2024/2025") < text.index("2025/2026") < text.index("2026/2027")
    # an unconfirmed decision says so
    assert "niezatwierdzona" in text


def test_the_class_pdf_is_one_document_with_a_section_per_pupil(history):
    a = history
    # the factory's register numbers wrap at 40 and depend on what ran before;
    # the class keeps its sheets in register-number order, so number them here
    pupils = ("Adamska Anna", "Bąk Barbara", "Cis Cezary", "Dąb Dawid")
    for number, enrolment in enumerate(
        sorted(
            Enrolment.objects.filter(school_class=a.class_a).select_related("pupil"),
            key=lambda e: (e.pupil.last_name, e.pupil.first_name),
        ),
        start=1,
    ):
        enrolment.register_number = number
        enrolment.save(update_fields=["register_number"])
    pages = pdf_pages(sheets.class_sheets_pdf(a.class_a))
    starts = [p for p in pages if "Arkusz ocen ucznia" in p]
    assert len(starts) == len(pupils)
    for page, name in zip(starts, pupils, strict=True):
        assert name in page
        # each pupil's pages are counted from 1 again
        assert page.endswith("strona 1"), page[-40:]
    text = " ".join(pages)
    # Barbara's honours, Cezary's failing grade, Dawid's missing grade
    assert "promowany z wyróżnieniem" in text
    assert "Wyróżnienie (średnia 5,00)." in text
    assert "niedostateczny" in text
    assert "Brak klasyfikacji z: Język polski." in text
    # the class of 2a (another class of the year) is not in it
    assert "Ek Ewa" not in text


def test_descriptive_classes_show_the_assessment_not_grades(ye):
    a = ye.a
    text = " ".join(pdf_pages(sheets.class_sheets_pdf(a.class_2)))
    assert "Czyta płynnie i ze zrozumieniem." in text
    assert "Średnia ocen rocznych ocena opisowa" in text
    assert "dobry" not in text and "dostateczny" not in text


def test_a_pupil_who_moved_mid_year_is_kept_by_the_new_class(history):
    a = history
    moved = a.failing
    enrolment = Enrolment.objects.get(pupil=moved, school_class=a.class_a)
    enrolment.end_date = datetime.date(2027, 3, 31)
    enrolment.save()
    EnrolmentFactory(pupil=moved, school_class=a.class_b, start_date=datetime.date(2027, 4, 1))
    assert moved.pk not in [e.pupil_id for e in sheets.class_sheet_pupils(a.class_a)]
    assert moved.pk in [e.pupil_id for e in sheets.class_sheet_pupils(a.class_b)]
    [sheet] = sheets.sheets_for([moved], a.school)
    assert [y.school_class.name for y in sheet.years] == ["4a", "5a"]
    assert sheet.years[0].left_early and not sheet.years[0].subjects[0].unclassified
    assert sheet.years[1].joined_late
    text = " ".join(pdf_pages(sheets.pupil_sheet_pdf(moved, a.school)))
    assert "W klasie do 31.03.2027." in text
    assert "W klasie od 01.04.2027." in text


# --- Queries ------------------------------------------------------------------------------


def grow_class(side, pupils: int) -> SchoolClass:
    """A class of `pupils` pupils with three years of history, grades in three subjects."""
    cls = SchoolClass.objects.create(school_year=side.year, name="6z", level=6)
    older = [past_year(side, 2024, "4z", 4), past_year(side, 2025, "5z", 5)]
    users = User.objects.bulk_create(
        UserFactory.build(username=f"s-{side.school.pk}-{pupils}-{j}", password="x")
        for j in range(pupils)
    )
    for y, school_class, term in [
        *[(o.year, o.school_class, o.term) for o in older],
        (side.year, cls, side.term2),
    ]:
        Enrolment.objects.bulk_create(
            Enrolment(pupil=u, school_class=school_class, start_date=y.start) for u in users
        )
        for k in range(3):
            subject = SubjectFactory(school=side.school, name=f"P{k} {school_class.name}")
            assignment = TeachingAssignmentFactory(school_class=school_class, subject=subject)
            for j, u in enumerate(users):
                final(u, assignment, term, (j + k) % 6 + 1)
        for u in users:
            behaviour(u, school_class, term, "dobre")
            PromotionDecision.objects.create(
                pupil=u, school_class=school_class, outcome="promoted", resolution_number="1"
            )
    return cls


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def read_class(cls):
    pupils = [e.pupil for e in sheets.class_sheet_pupils(cls)]
    result = sheets.sheets_for(pupils, cls.school_year.school)
    # touch everything the template reads
    for sheet in result:
        for y in sheet.years:
            _ = (y.notes, y.school_class.homeroom_teacher, y.decision, y.subjects, sheet.guardians)
    return result


def test_the_reading_does_not_grow_with_the_class(ye):
    small = grow_class(ye.a, 3)
    large = grow_class(ye.b, 30)
    assert len(read_class(large)) == 30
    assert len(read_class(large)[0].years) == 3
    assert queries_of(lambda: read_class(small)) == queries_of(lambda: read_class(large))


# --- Screens and permissions ---------------------------------------------------------------


def urls(side):
    cls = side.class_a.pk
    return {
        "index": reverse("yearend:sheets"),
        "school": reverse("yearend:sheets_school", args=[side.school.pk]),
        "class": reverse("yearend:sheets_class", args=[cls]),
        "class_pdf": reverse("yearend:sheets_class_pdf", args=[cls]),
        "pupil_pdf": reverse("yearend:sheets_pupil_pdf", args=[cls, side.pupil.pk]),
    }


ALL = ("index", "school", "class", "class_pdf", "pupil_pdf")
CLASS = ("index", "class", "class_pdf", "pupil_pdf")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", ALL),
        ("headteacher", ALL),
        ("homeroom", CLASS),
        ("teacher", ()),
        ("guardian", ()),
        ("pupil", ()),
        ("librarian", ()),
        ("other_admin", ("index",)),
        ("other_homeroom", ("index",)),
    ],
)
def test_who_may_open_the_sheets(ye, login, fake_pdf, who, allowed):
    a, b = ye.a, ye.b
    user = {
        "admin": a.admin,
        "headteacher": a.headteacher,
        "homeroom": a.homeroom,
        "teacher": a.teacher,
        "guardian": a.guardian,
        "pupil": a.pupil,
        "librarian": a.librarian,
        "other_admin": b.admin,
        "other_homeroom": b.homeroom,
    }[who]
    client = login(user)
    for name, url in urls(a).items():
        status = client.get(url).status_code
        assert status in ((200, 302) if name in allowed else (404,)), (name, status)


def test_anonymous_is_sent_to_sign_in(ye, client):
    for url in urls(ye.a).values():
        response = client.get(url)
        assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_a_pupil_of_another_class_is_404(ye, login, fake_pdf):
    client = login(ye.a.homeroom)
    for pupil in (ye.a.other_pupil, ye.b.pupil, ye.a.small):
        url = reverse("yearend:sheets_pupil_pdf", args=[ye.a.class_a.pk, pupil.pk])
        assert client.get(url).status_code == 404


def test_opening_a_sheet_is_in_the_read_audit(ye, login, fake_pdf):
    client = login(ye.a.homeroom)
    response = client.get(urls(ye.a)["pupil_pdf"])
    assert response["Content-Type"] == "application/pdf"
    reads = set(
        ReadAccess.objects.filter(actor=ye.a.homeroom).values_list("pupil_id", "what", "school_id")
    )
    assert reads == {
        (ye.a.pupil.pk, "personal", ye.a.school.pk),
        (ye.a.pupil.pk, "grades", ye.a.school.pk),
    }
    client.get(urls(ye.a)["class_pdf"])
    read = set(
        ReadAccess.objects.filter(actor=ye.a.homeroom, what="personal").values_list(
            "pupil_id", flat=True
        )
    )
    assert read == {ye.a.pupil.pk, ye.a.honours.pk, ye.a.failing.pk, ye.a.unclassified.pk}


def test_pages_are_polish_and_link_the_pdfs(history, login):
    a = history
    client = login(a.headteacher)
    response = client.get(reverse("yearend:sheets"))
    assert response["Location"] == reverse("yearend:sheets_school", args=[a.school.pk])
    html = client.get(urls(a)["school"]).content.decode()
    assert "Arkusze ocen" in html and "Rok szkolny 2024/2025" in html
    assert html.index("2026/2027") < html.index("2024/2025")
    for cls in (a.class_a, a.y2.school_class, a.y3.school_class):
        assert reverse("yearend:sheets_class_pdf", args=[cls.pk]) in html
    html = client.get(urls(a)["class"]).content.decode()
    assert urls(a)["pupil_pdf"] in html and "Adamska Anna" in html
    assert "Record sheet" not in html and 'scope="col"' in html
    # the classification page of the class links to its sheets
    html = client.get(reverse("yearend:class", args=[a.class_a.pk])).content.decode()
    assert urls(a)["class"] in html


def test_the_homeroom_teacher_sees_their_class_on_the_index(ye, login):
    client = login(ye.a.homeroom)
    html = client.get(reverse("yearend:sheets")).content.decode()
    assert reverse("yearend:sheets_class", args=[ye.a.class_a.pk]) in html


def test_a_real_pdf_from_the_view(history, login):
    client = login(history.admin)
    response = client.get(urls(history)["pupil_pdf"])
    assert response["Content-Type"] == "application/pdf"
    assert "Adamska Anna" in " ".join(pdf_pages(response.content))


@pytest.mark.parametrize("page", ["school", "class"])
def test_page_queries_do_not_grow(ye, login, page):
    client = login(ye.a.admin)
    url = urls(ye.a)[page]
    client.get(url)  # first use creates settings rows

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):
        EnrolmentFactory(school_class=ye.a.class_a)
        SchoolClass.objects.create(school_year=ye.a.year, name=f"7{chr(97 + i)}", level=7)
    past_year(ye.a, 2025, "3a", 3)
    assert count() == before


def test_a_municipal_admin_sees_every_school(ye, login, fake_pdf):
    admin = RoleFactory(role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory()).user
    client = login(admin)
    for name in ("school", "class", "class_pdf", "pupil_pdf"):
        assert client.get(urls(ye.b)[name]).status_code == 200
