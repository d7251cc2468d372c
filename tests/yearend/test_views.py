"""The classification screens, their CSV and PDF: who may open them, what they
show, and a query count that does not grow with the school."""

import io

import pytest
from pypdf import PdfReader

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.models import TermGrade, TermStatus
from portal.models import Enrolment, Role, SchoolClass, User
from tests.factories import RoleFactory, SubjectFactory, TeachingAssignmentFactory, UserFactory

from .conftest import final


def urls(side):
    school, cls = side.school.pk, side.class_a.pk
    q = f"?term={side.term2.pk}"
    return {
        "school": reverse("yearend:school", args=[school]) + q,
        "school_csv": reverse("yearend:school_csv", args=[school]) + q,
        "school_pdf": reverse("yearend:school_pdf", args=[school]) + q,
        "class": reverse("yearend:class", args=[cls]) + q,
        "class_csv": reverse("yearend:class_csv", args=[cls]) + q,
        "class_pdf": reverse("yearend:class_pdf", args=[cls]) + q,
    }


SCHOOL_PAGES = ("school", "school_csv", "school_pdf")
CLASS_PAGES = ("class", "class_csv", "class_pdf")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", SCHOOL_PAGES + CLASS_PAGES),
        ("headteacher", SCHOOL_PAGES + CLASS_PAGES),
        ("homeroom", CLASS_PAGES),
        ("teacher", ()),
        ("guardian", ()),
        ("pupil", ()),
        ("librarian", ()),
        ("other_admin", ()),
        ("other_homeroom", ()),
    ],
)
def test_who_may_open_the_summaries(ye, login, fake_pdf, who, allowed):
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
        assert status == (200 if name in allowed else 404), (name, status)


def test_anonymous_is_sent_to_sign_in(ye, client):
    for url in urls(ye.a).values():
        response = client.get(url)
        assert response.status_code == 302 and "/konto/login/" in response["Location"]


def test_a_municipal_admin_sees_every_school(ye, login, fake_pdf):
    admin = RoleFactory(role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory()).user
    client = login(admin)
    for url in urls(ye.b).values():
        assert client.get(url).status_code == 200


def test_a_term_of_another_year_or_school_is_404(ye, login):
    client = login(ye.a.admin)
    url = reverse("yearend:class", args=[ye.a.class_a.pk]) + f"?term={ye.b.term2.pk}"
    assert client.get(url).status_code == 404
    url = reverse("yearend:school", args=[ye.a.school.pk]) + f"?term={ye.b.term2.pk}"
    assert client.get(url).status_code == 404


def test_class_page_shows_the_pupils_honours_and_risks(ye, login):
    client = login(ye.a.homeroom)
    html = client.get(urls(ye.a)["class"]).content.decode()
    for text in ("Adamska Anna", "Bąk Barbara", "Cis Cezary", "Dąb Dawid", "3,50", "5,00"):
        assert text in html, text
    assert "Zagrożeni niepromowaniem" in html
    assert "promowany z wyróżnieniem" in html
    assert 'class="table-wrap"' in html and 'scope="col"' in html


def test_class_page_defaults_to_the_current_term(ye, login):
    client = login(ye.a.homeroom)
    response = client.get(reverse("yearend:class", args=[ye.a.class_a.pk]))
    assert response.context["term"] == ye.a.term2


def test_school_page_links_each_class(ye, login):
    client = login(ye.a.headteacher)
    response = client.get(reverse("yearend:school", args=[ye.a.school.pk]))
    assert response.context["term"] == ye.a.term2
    html = response.content.decode()
    for cls in (ye.a.class_a, ye.a.class_b, ye.a.class_2):
        assert reverse("yearend:class", args=[cls.pk]) in html
    assert '<label for="id_term">' in html


def test_class_csv(ye, login):
    client = login(ye.a.admin)
    response = client.get(urls(ye.a)["class_csv"])
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[2].split(";")[:4] == ["Nr", "Uczeń", "Język polski", "Matematyka"]
    cezary = next(line for line in lines if line.startswith(tuple("0123456789")) and "Cis" in line)
    assert "Cis Cezary;3;1;2,00;poprawne" in cezary
    assert "niepromowany" in cezary
    dawid = next(line for line in lines if "Dąb" in line)
    # The term is open: a missing final grade is "not yet", not "unclassified".
    assert "Dąb Dawid;brak;" in dawid and "nieklasyfikowany" not in dawid
    assert "Bez oceny klasyfikacyjnej z" in lines[2]
    assert "Matematyka;4;0;1;1;0;1;1;0;3,00;1" in text

    TermStatus.objects.create(term=ye.a.term2, is_closed=True)
    text = client.get(urls(ye.a)["class_csv"]).content.decode("utf-8-sig")
    dawid = next(line for line in text.splitlines() if "Dąb" in line)
    assert "Dąb Dawid;nieklasyfikowany;" in dawid
    assert "Nieklasyfikowani z przedmiotu" in text


def test_open_term_explains_that_classification_is_in_progress(ye, login):
    client = login(ye.a.homeroom)
    html = client.get(urls(ye.a)["class"]).content.decode()
    assert "klasyfikacja trwa" in html and "Bez oceny klasyfikacyjnej" in html
    TermStatus.objects.create(term=ye.a.term2, is_closed=True)
    html = client.get(urls(ye.a)["class"]).content.decode()
    assert "klasyfikacja trwa" not in html and "Nieklasyfikowani" in html


def test_csv_is_formula_safe(ye, login):
    ye.a.failing.last_name = "=HYPERLINK(1)"
    ye.a.failing.save()
    client = login(ye.a.admin)
    text = client.get(urls(ye.a)["class_csv"]).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) Cezary" in text


def test_school_csv(ye, login):
    client = login(ye.a.admin)
    text = client.get(urls(ye.a)["school_csv"]).content.decode("utf-8-sig")
    assert "4a;" in text and "2a;" in text
    row = next(line for line in text.splitlines() if line.startswith("4a;"))
    assert row.split(";")[2:] == ["4", "3", "1", "1", "1", "2", "3,29", "50,0"]


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # one space for every run of blanks: a table cell may wrap its words
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_class_pdf_has_the_pupils_and_figures(ye, login):
    client = login(ye.a.headteacher)
    text = pdf_text(client.get(urls(ye.a)["class_pdf"]))
    for expected in ("Adamska Anna", "Bąk Barbara", "Cis Cezary", "Dąb Dawid", "3,50", "5,00"):
        assert expected in text, expected
    assert "promowany z wyróżnieniem" in text
    assert ye.a.school.name in text
    assert "strona 1 / " in text
    assert "Zestawienie wyników klasyfikacji" in text


def test_school_pdf_has_the_classes_and_totals(ye, login):
    client = login(ye.a.headteacher)
    text = pdf_text(client.get(urls(ye.a)["school_pdf"]))
    for expected in ("4a", "2a", "5a", "3,29", "50,0", ye.a.school.name):
        assert expected in text, expected


def test_the_homeroom_register_links_to_the_summary(ye, login):
    client = login(ye.a.homeroom)
    html = client.get(reverse("gradebook:class", args=[ye.a.class_a.pk])).content.decode()
    assert reverse("yearend:class", args=[ye.a.class_a.pk]) in html


def test_navigation_and_dashboard(ye, login):
    client = login(ye.a.headteacher)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("yearend:index") in html
    assert reverse("yearend:school", args=[ye.a.school.pk]) in html
    hub = client.get(reverse("yearend:index"))
    assert hub.status_code == 200
    html = hub.content.decode()
    assert "Koniec roku szkolnego" in html
    for url in (
        reverse("gradebook:term_status", args=[ye.a.school.pk, ye.a.term2.pk]),
        reverse("yearend:school", args=[ye.a.school.pk]),
        reverse("yearend:export", args=[ye.a.school.pk]),
        reverse("yearend:promotion_school", args=[ye.a.school.pk]),
        reverse("yearend:statutory", args=[ye.a.school.pk]),
        reverse("yearend:sheets_school", args=[ye.a.school.pk]),
        reverse("yearend_archive:school", args=[ye.a.school.pk]),
        reverse("yearend_rollover:year", args=[ye.a.school.pk]),
    ):
        assert url in html, url
    assert reverse("yearend:school", args=[ye.b.school.pk]) not in html
    # One entry in the navigation for the whole year end.
    nav = client.get(reverse("portal:dashboard")).content.decode()
    assert nav.count(reverse("yearend:index") + '"') >= 1
    assert reverse("yearend:export_index") not in nav
    # A homeroom teacher: their class's steps, no school's.
    html = login(ye.a.homeroom).get(reverse("yearend:index")).content.decode()
    assert reverse("yearend:class", args=[ye.a.class_a.pk]) in html
    assert reverse("yearend:promotion_class", args=[ye.a.class_a.pk]) in html
    assert reverse("yearend:sheets_class", args=[ye.a.class_a.pk]) in html
    assert reverse("yearend:school", args=[ye.a.school.pk]) not in html
    assert reverse("yearend_rollover:year", args=[ye.a.school.pk]) not in html
    client = login(ye.a.teacher)
    assert reverse("yearend:index") not in client.get(reverse("portal:dashboard")).content.decode()
    assert client.get(reverse("yearend:index")).status_code == 404


# --- Queries ----------------------------------------------------------------------------------


def grow(side, classes: int, pupils: int, subjects: int):
    """More classes, each with more pupils and subjects, all with final grades."""
    for i in range(classes):
        cls = SchoolClass.objects.create(school_year=side.year, name=f"6{chr(97 + i)}", level=6)
        users = User.objects.bulk_create(
            UserFactory.build(username=f"g-{side.school.pk}-{cls.pk}-{j}", password="x")
            for j in range(pupils)
        )
        Enrolment.objects.bulk_create(
            Enrolment(pupil=u, school_class=cls, start_date=side.year.start) for u in users
        )
        for k in range(subjects):
            subject = SubjectFactory(school=side.school, name=f"Przedmiot {k}")
            assignment = TeachingAssignmentFactory(school_class=cls, subject=subject)
            TermGrade.objects.bulk_create(
                TermGrade(
                    pupil=u,
                    assignment=assignment,
                    term=side.term2,
                    kind=TermGrade.Kind.FINAL,
                    grade=(j % 6) + 1,
                    teacher=assignment.teacher,
                )
                for j, u in enumerate(users)
            )
    # more pupils and subjects in the class page's own class too
    users = User.objects.bulk_create(
        UserFactory.build(username=f"h-{side.school.pk}-{classes}-{j}", password="x")
        for j in range(pupils)
    )
    Enrolment.objects.bulk_create(
        Enrolment(pupil=u, school_class=side.class_a, start_date=side.year.start) for u in users
    )
    for k in range(subjects):
        subject = SubjectFactory(school=side.school, name=f"Dodatkowy {classes}-{k}")
        assignment = TeachingAssignmentFactory(school_class=side.class_a, subject=subject)
        for u in users[:2]:
            final(u, assignment, side.term2, 4)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["school", "class", "school_csv", "class_csv"])
def test_query_count_does_not_grow(ye, login, page):
    a = ye.a
    client = login(a.admin)
    url = urls(a)[page]
    client.get(url)  # first use creates settings rows
    small = count_queries(client, url)
    grow(a, classes=3, pupils=5, subjects=3)
    assert count_queries(client, url) == small


def test_the_summaries_are_read_only(ye, login):
    client = login(ye.a.admin)
    for url in urls(ye.a).values():
        assert client.post(url).status_code == 405
