"""The statutory printouts: the class register (dziennik lekcyjny) for a month or
the year, the monthly attendance report, the whole school's registers as a ZIP
made in the background, PDF/A-3b with the XML embedded; who may print; bounded
queries of the data gathering."""

from __future__ import annotations

import datetime
import io
import zipfile
from types import SimpleNamespace

import pypdf
import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.models import TermGrade
from gradebook.register.models import Attendance, Lesson
from gradebook.yearend.models import RegisterExportJob
from gradebook.yearend.statutory.attendance_pdf import class_attendance_report
from gradebook.yearend.statutory.register_pdf import class_register_data, class_register_pdf
from portal.models import AuditEvent, Enrolment, Role, Term, User
from portal.pdfs import PdfAttachment
from tests.conftest import build_school_world
from tests.factories import RoleFactory, UserFactory
from tests.factories.gradebook import AssessmentFactory, grade_put
from tests.factories.register import RemarkFactory

TODAY = datetime.datetime(2027, 3, 17, 11, 0, tzinfo=datetime.UTC)  # a Wednesday, term 2
MARCH = datetime.date(2027, 3, 1)
S = Attendance.Status


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def lesson(side, day, number, topic):
    return Lesson.objects.create(
        assignment=side.assignment, date=day, number=number, topic=topic, attendance_taken=True
    )


@pytest.fixture
def reg(db):
    """School A's 4a: maths lessons in February and March with attendance, grades
    in both terms, a term grade, a remark; school B alongside."""
    a, b = build_school_world("a"), build_school_world("b")
    a.pupil.first_name, a.pupil.last_name = "Anna", "Adamska"
    a.pupil.save()
    a.teacher.first_name, a.teacher.last_name = "Tomasz", "Tablica"
    a.teacher.save()
    term1, term2 = Term.objects.filter(school_year=a.year).order_by("number")
    bolek = UserFactory(username="a-bolek", first_name="Bolesław", last_name="Bąk")
    Enrolment.objects.create(pupil=bolek, school_class=a.class_a, start_date=a.year.start)
    feb = lesson(a, datetime.date(2027, 2, 10), 2, "Ułamki zwykłe")
    mar1 = lesson(a, datetime.date(2027, 3, 3), 3, "Procenty w życiu codziennym")
    mar2 = lesson(a, datetime.date(2027, 3, 4), 1, "Diagramy procentowe")
    for les, marks in ((feb, (S.PRESENT, S.PRESENT)), (mar1, (S.UNEXCUSED, S.LATE)),
                       (mar2, (S.EXCUSED, S.SCHOOL))):  # fmt: skip
        Attendance.objects.create(lesson=les, pupil=a.pupil, status=marks[0])
        Attendance.objects.create(lesson=les, pupil=bolek, status=marks[1])
    test1 = AssessmentFactory(
        assignment=a.assignment, term=term1, name="Sprawdzian 1", date=datetime.date(2026, 11, 5)
    )
    grade_put(assessment=test1, pupil=a.pupil, user=a.teacher, text="4+")
    quiz = AssessmentFactory(
        assignment=a.assignment, term=term2, name="Kartkówka", date=datetime.date(2027, 3, 4)
    )
    grade_put(assessment=quiz, pupil=bolek, user=a.teacher, text="5-")
    TermGrade.objects.create(
        pupil=a.pupil, assignment=a.assignment, term=term1, kind="final", grade=4,
        teacher=a.teacher,
    )  # fmt: skip
    RemarkFactory(pupil=bolek, school_class=a.class_a, author=a.teacher, text="Pomaga innym.")
    return SimpleNamespace(a=a, b=b, bolek=bolek, term1=term1, term2=term2)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- the register ---------------------------------------------------------------------------


def test_the_year_register_holds_lessons_attendance_grades_and_remarks(reg):
    text = pdf_text(class_register_pdf(reg.a.class_a))
    for words in (
        "Dziennik lekcyjny",
        "klasa 4a",
        reg.a.year.name,
        reg.a.school.name,
        "Matematyka",
        "Ułamki zwykłe",
        "Procenty w życiu codziennym",
        "Tomasz Tablica",
        "Adamska Anna",
        "Bąk Bolesław",
        "Sprawdzian 1",
        "4+",
        "5-",
        "Pomaga innym.",
        "Luty 2027",
        "Marzec 2027",
        "strona 1 / ",
        "n nieobecny nieusprawiedliwiony",
    ):
        assert words in text, words
    assert "okres 1, ostateczna" in text  # the term grade's column


def test_the_attendance_grid_has_the_marks_of_each_pupil(reg):
    register = class_register_data(reg.a.class_a, month=MARCH)
    (part,) = register.subjects
    (grid,) = part.attendance
    assert grid.columns == ["03.03/3", "04.03/1"]
    assert {row.name: row.cells for row in grid.rows} == {
        "Adamska Anna": ["n", "u"],
        "Bąk Bolesław": ["s", "sz"],
    }
    assert {row.name: row.cells for row in part.grades.rows} == {
        "Adamska Anna": [""],
        "Bąk Bolesław": ["5-"],
    }


def test_a_month_holds_only_that_month(reg):
    text = pdf_text(class_register_pdf(reg.a.class_a, month=MARCH))
    assert "Procenty w życiu codziennym" in text and "Diagramy procentowe" in text
    assert "Marzec 2027" in text
    assert "Ułamki zwykłe" not in text  # February's lesson
    assert "Sprawdzian 1" not in text  # November's grades
    assert "Pomaga innym." in text  # written today, in March


def test_pdf_a_3b_with_the_xml_embedded(reg):
    xml = b'<?xml version="1.0"?><register/>'
    data = class_register_pdf(
        reg.a.class_a,
        month=MARCH,
        pdf_variant="pdf/a-3b",
        attachments=[PdfAttachment("dziennik-4a.xml", xml, "Dziennik w XML")],
    )
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.attachments["dziennik-4a.xml"] == [xml]
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root and "/AF" in root
    metadata = root["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in metadata and b'pdfaid:conformance="B"' in metadata
    # without the options: a plain PDF, nothing embedded
    plain = pypdf.PdfReader(io.BytesIO(class_register_pdf(reg.a.class_a, month=MARCH)))
    assert not plain.attachments and "/OutputIntents" not in plain.trailer["/Root"]


def count_queries(school_class, month=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        class_register_data(school_class, month=month)
        class_attendance_report(school_class, month=MARCH)
    return len(ctx.captured_queries)


def test_the_data_gathering_does_not_grow_with_pupils_lessons_or_grades(reg):
    a = reg.a
    small = count_queries(a.class_a), count_queries(a.class_a, MARCH)
    pupils = User.objects.bulk_create(
        User(username=f"bulk-{i}", first_name="Jan", last_name=f"Nowak {i:02}") for i in range(15)
    )
    Enrolment.objects.bulk_create(
        Enrolment(pupil=p, school_class=a.class_a, start_date=a.year.start) for p in pupils
    )
    lessons = Lesson.objects.bulk_create(
        Lesson(assignment=a.assignment, date=datetime.date(2027, 3, d), number=2, topic=f"T{d}")
        for d in range(8, 20)
    )
    Attendance.objects.bulk_create(
        Attendance(lesson=les, pupil=p, status=S.PRESENT) for les in lessons for p in pupils
    )
    column = AssessmentFactory(assignment=a.assignment, term=reg.term2, name="Odpowiedź")
    for p in pupils[:5]:
        grade_put(assessment=column, pupil=p, user=a.teacher, text="3")
        RemarkFactory(pupil=p, school_class=a.class_a, author=a.teacher)
    assert (count_queries(a.class_a), count_queries(a.class_a, MARCH)) == small


# --- the attendance report ------------------------------------------------------------------


def test_the_attendance_report_counts_per_pupil_and_per_day(reg):
    report = class_attendance_report(reg.a.class_a, month=MARCH)
    rows = {row.label: row for row in report.rows}
    anna, bolek = rows["Adamska Anna"], rows["Bąk Bolesław"]
    assert (anna.counts["n"], anna.counts["u"], anna.counts["p"]) == (1, 1, 0)
    assert anna.percent == 0.0
    assert (bolek.counts["s"], bolek.counts["sz"]) == (1, 1) and bolek.percent == 100.0
    assert [(d.label, d.percent) for d in report.days] == [
        (datetime.date(2027, 3, 3), 50.0),
        (datetime.date(2027, 3, 4), 50.0),
    ]
    assert report.total.percent == 50.0


def test_attendance_report_pdf_and_csv(reg, login):
    client = login(reg.a.homeroom)
    url = reverse("yearend:statutory_attendance", args=[reg.a.class_a.pk, "pdf"])
    response = client.get(url, {"month": "2027-03"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in ("Zestawienie frekwencji", "Adamska Anna", "Bąk Bolesław", "50,0", "strona 1 / 1"):
        assert words in text, words
    csv = client.get(
        reverse("yearend:statutory_attendance", args=[reg.a.class_a.pk, "csv"]),
        {"month": "2027-03"},
    )
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert "Adamska Anna;0;1;1;0;0;0;0" in body
    assert "04.03.2027" in body or "2027-03-04" in body
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {"statutory_print.attendance_pdf", "statutory_print.attendance_csv"}


# --- the page and who may print ------------------------------------------------------------


def test_the_homeroom_teacher_prints_their_class(reg, login):
    client = login(reg.a.homeroom)
    page = reverse("yearend:statutory", args=[reg.a.school.pk])
    assert client.get(reverse("yearend:statutory_index"))["Location"] == page
    response = client.get(page)
    html = response.content.decode()
    assert "Wydruki dziennika" in html
    # Only their own class is offered (read from the form, not the page text, which also
    # carries a random CSRF token that can contain "5a").
    offered = list(response.context["form"].fields["school_class"].queryset)
    assert offered == [reg.a.class_a]
    assert "batches" not in html  # the school batch is the admin's
    response = client.get(page, {"school_class": reg.a.class_a.pk, "month": "2027-03",
                                 "document": "register"})  # fmt: skip
    register_url = reverse("yearend:statutory_register", args=[reg.a.class_a.pk])
    assert response["Location"] == f"{register_url}?month=2027-03"
    pdf = client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf" and "attachment" in pdf["Content-Disposition"]
    event = AuditEvent.objects.get(action="statutory_print.register")
    assert (event.actor, event.target_id, event.reason) == (reg.a.homeroom, reg.a.class_a.pk,
                                                           "2027-03")  # fmt: skip


def test_bad_input_gives_a_polish_message(reg, login):
    client = login(reg.a.admin)
    page = reverse("yearend:statutory", args=[reg.a.school.pk])
    response = client.get(page, {"school_class": reg.a.class_a.pk, "month": "marzec",
                                 "document": "register"})  # fmt: skip
    assert response.status_code == 400
    assert "Podaj miesiąc" in response.content.decode()
    response = client.get(page, {"school_class": reg.a.class_a.pk, "month": "2031-03",
                                 "document": "register"})  # fmt: skip
    assert "Wybierz miesiąc roku szkolnego" in response.content.decode()
    response = client.get(page, {"school_class": reg.a.class_a.pk, "month": "",
                                 "document": "attendance-pdf"})  # fmt: skip
    assert "jednego miesiąca" in response.content.decode()
    response = client.get(page, {"school_class": reg.b.class_a.pk, "month": "",
                                 "document": "register"})  # fmt: skip
    assert response.status_code == 400  # another school's class is not a choice
    url = reverse("yearend:statutory_attendance", args=[reg.a.class_a.pk, "pdf"])
    response = client.get(url, follow=True)
    assert "jednego miesiąca" in response.content.decode()
    assert not AuditEvent.objects.filter(category="yearend").exists()


def _class_urls(side):
    return [
        reverse("yearend:statutory_register", args=[side.class_a.pk]),
        reverse("yearend:statutory_attendance", args=[side.class_a.pk, "pdf"]) + "?month=2027-03",
        reverse("yearend:statutory_attendance", args=[side.class_a.pk, "csv"]) + "?month=2027-03",
    ]


@pytest.mark.parametrize("who", ["admin", "headteacher", "homeroom"])
def test_those_who_may_print(reg, login, who):
    user = (
        RoleFactory(school=reg.a.school, role=Role.HEADTEACHER).user
        if who == "headteacher"
        else getattr(reg.a, who)
    )
    client = login(user)
    for url in _class_urls(reg.a):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["teacher", "pupil", "guardian", "other_admin", "other_homeroom"])
def test_others_get_404(reg, login, who):
    user = {"other_admin": reg.b.admin, "other_homeroom": reg.b.homeroom}.get(who) or getattr(
        reg.a, who
    )
    client = login(user)
    for url in _class_urls(reg.a):
        assert client.get(url).status_code == 404, url
    start = reverse("yearend:statutory_batch_start", args=[reg.a.school.pk, reg.a.year.pk])
    assert client.post(start).status_code == 404
    assert client.get(reverse("yearend:statutory", args=[reg.a.school.pk])).status_code == 404
    assert not RegisterExportJob.objects.exists()


def test_the_homeroom_teacher_of_another_class_gets_404(reg, login):
    reg.a.class_b.homeroom_teacher = reg.a.teacher
    reg.a.class_b.save()
    client = login(reg.a.teacher)
    for url in _class_urls(reg.a):
        assert client.get(url).status_code == 404, url
    start = reverse("yearend:statutory_batch_start", args=[reg.a.school.pk, reg.a.year.pk])
    assert client.post(start).status_code == 404


def test_the_export_page_links_the_printouts(reg, login):
    html = login(reg.a.admin).get(reverse("yearend:export", args=[reg.a.school.pk])).content
    assert reverse("yearend:statutory", args=[reg.a.school.pk]).encode() in html


def test_the_page_query_count_does_not_grow(reg, login):
    client = login(reg.a.admin)
    page = reverse("yearend:statutory", args=[reg.a.school.pk])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    def add_job():
        RegisterExportJob.objects.create(
            school=reg.a.school, school_year=reg.a.year, fmt="register-pdfs",
            requested_by=reg.a.admin,
        )  # fmt: skip

    add_job()
    queries()  # the first request of a session reads more (the session, the roles)
    before = queries()
    for _i in range(3):
        add_job()
    assert queries() == before


# --- the whole school's registers in the background -----------------------------------------


def test_the_school_batch_runs_to_a_zip_of_every_class(
    reg, login, disk, django_capture_on_commit_callbacks
):
    client = login(reg.a.admin)
    start = reverse("yearend:statutory_batch_start", args=[reg.a.school.pk, reg.a.year.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(start)
    assert response.status_code == 302
    job = RegisterExportJob.objects.get()
    assert job.fmt == "register-pdfs" and job.status == RegisterExportJob.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (2, 2)
    page = client.get(reverse("yearend:statutory", args=[reg.a.school.pk])).content.decode()
    assert "2 z 2 klas" in page
    file_url = reverse("yearend:export_job_file", args=[reg.a.school.pk, job.pk])
    assert file_url in page
    response = client.get(file_url)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    texts = [pdf_text(archive.read(n)) for n in names]
    assert "Ułamki zwykłe" in texts[0] and "klasa 4a" in texts[0]
    assert "klasa 5a" in texts[1]
    assert AuditEvent.objects.filter(action="register_export.register-pdfs").exists()
    assert login(reg.b.admin).get(file_url).status_code == 404


def test_a_failing_class_makes_the_job_failed_with_the_reason(
    reg, login, disk, monkeypatch, django_capture_on_commit_callbacks
):
    from gradebook.yearend.statutory import batch

    real = batch.class_register_pdf

    def broken(school_class, **kwargs):
        if school_class.name == "5a":
            raise RuntimeError("font missing")
        return real(school_class, **kwargs)

    monkeypatch.setattr(batch, "class_register_pdf", broken)
    client = login(reg.a.admin)
    start = reverse("yearend:statutory_batch_start", args=[reg.a.school.pk, reg.a.year.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start)
    job = RegisterExportJob.objects.get()
    assert job.status == RegisterExportJob.Status.FAILED and not job.file
    assert "5a" in job.message and "font missing" in job.message
    assert (job.progress_done, job.progress_total) == (1, 2)
    page = client.get(reverse("yearend:statutory", args=[reg.a.school.pk])).content.decode()
    assert "font missing" in page and "data-follow" not in page
