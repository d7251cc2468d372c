"""Trend, comparison and school pages, their charts and exports, the council's
PDF and the public open data: who sees them and that no pupil is named."""

import csv
import datetime
import io
import re
import sys
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.measures import MEASURES
from analytics.services import analytics_compute
from portal.models import Role
from tests.conftest import enable_mfa
from tests.factories import RoleFactory, SchoolClassFactory, TeachingAssignmentFactory

from .conftest import S, build_school, column, final, grade, lesson, mark, slot
from .test_views import _grow


def officer_urls(small):
    school = small.school
    return [
        (reverse("analytics:measure", args=["attendance"]), "attendance"),
        (
            reverse("analytics:measure", args=["guardians_signed_in"]) + f"?szkola={school.pk}",
            "guardians_signed_in",
        ),
        (reverse("analytics:measure", args=["pupils"]), "pupils"),
        (reverse("analytics:compare", args=[school.school_type]), "attendance"),
        (
            reverse("analytics:compare", args=[school.school_type]) + "?miara=grade_average",
            "grade_average",
        ),
        (reverse("analytics:school", args=[school.pk]), "failing"),
        (reverse("analytics:measure", args=["teachers"]), "teachers"),
        (reverse("analytics:measure", args=["annual_average"]), "annual_average"),
        (
            reverse("analytics:compare", args=[school.school_type]) + "?miara=lessons_per_teacher",
            "lessons_per_teacher",
        ),
        (reverse("analytics:school", args=[school.pk]), "annual_unclassified"),
    ]


@pytest.fixture
def officer(client, small):
    # Teachers are counted from the timetable, never named.
    small.teacher.first_name, small.teacher.last_name = "Teodozja", "Belferska"
    small.teacher.save()
    slot(small.assignment, 0, 1)
    for pupil in small.pupils:
        final(small.assignment, pupil, 4)
    analytics_compute(full=True)
    client.force_login(enable_mfa(small.officer))
    return client


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response


def test_only_the_officer_sees_the_pages_and_everyone_the_open_data(small, client, fake_pdf):
    admin = RoleFactory(role=Role.SCHOOL_ADMIN, school=small.school).user
    client.force_login(enable_mfa(admin))
    for url in [
        *[url for url, _key in officer_urls(small)],
        reverse("analytics:workbook"),
        reverse("analytics:report_pdf"),
    ]:
        get(client, url, 404)
    client.logout()
    get(client, reverse("analytics:open_data"))
    get(client, reverse("analytics:open_data_csv"))
    assert get(client, officer_urls(small)[0][0], 302)


def test_every_figure_page_states_definition_source_and_date_and_no_names(small, officer, fake_pdf):
    bodies = []
    for url, key in officer_urls(small):
        html = get(officer, url).content.decode()
        assert str(MEASURES[key].definition)[:30] in html
        assert str(MEASURES[key].source) in html
        assert re.search(r"Obliczono|Computed", html)
        bodies.append(html)
    school = reverse("analytics:school", args=[small.school.pk])
    for query in ("?eksport=xlsx", "?eksport=csv&tabela=" + f"school-{small.school.pk}-classes"):
        bodies.append(_file_text(get(officer, school + query)))
    bodies.append(_file_text(get(officer, reverse("analytics:workbook"))))
    bodies.append(get(officer, reverse("analytics:open_data")).content.decode())
    bodies.append(get(officer, reverse("analytics:open_data_csv")).content.decode())
    response = get(officer, reverse("analytics:report_pdf"))
    assert response["Content-Type"] == "application/pdf"
    bodies.append(fake_pdf_html(fake_pdf))
    for body in bodies:
        for person in [*small.pupils, small.teacher]:
            assert person.last_name not in body and person.username not in body
            assert person.first_name not in body


def fake_pdf_html(fake):
    return fake.last_html


@pytest.fixture
def fake_pdf(monkeypatch):
    fake = SimpleNamespace(last_html="")

    class HTML:
        def __init__(self, string, base_url):
            fake.last_html = string

        def write_pdf(self, **options):
            return b"%PDF-1.4 fake"

    fake.HTML = HTML
    monkeypatch.setitem(sys.modules, "weasyprint", fake)
    return fake


def _file_text(response) -> str:
    if response["Content-Type"].startswith("text/csv"):
        return response.content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(response.content))
    return "\n".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
    )


def test_a_chart_is_accessible_svg_with_its_data_table(small, officer):
    html = get(officer, reverse("analytics:measure", args=["attendance"])).content.decode()
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "<pattern" in svg and "url(#chart-" in svg
    assert "66,7" in svg  # the value written at its bar
    assert "<details>" in html and "<table" in html[html.index("<details>") :]
    assert "<script" not in svg
    # the portal's CSP drops an inline <style>: the chart's fonts are attributes
    assert "<style" not in svg and 'font-family="sans-serif" font-size="14"' in svg


def test_a_long_bar_label_is_cut_to_fit_left_of_the_bars():
    from analytics.charts import LABEL_WIDTH, _short, _text_width

    assert _short("Matematyka") == "Matematyka"
    cut = _short("Edukacja wczesnoszkolna i wychowanie fizyczne")
    assert cut.endswith("…") and cut.startswith("Edukacja")
    assert _text_width(cut) <= LABEL_WIDTH - 8


def test_exports_of_a_table_as_csv_and_xlsx(small, officer):
    url = reverse("analytics:measure", args=["attendance"])
    response = get(officer, url + "?eksport=csv&tabela=attendance-months")
    assert response["Content-Disposition"] == 'attachment; filename="attendance-months.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1:] == ["2030/2031", "2029/2030"]
    assert ["Październik", "66,7", ""] in rows
    book = load_workbook(io.BytesIO(get(officer, url + "?eksport=xlsx").content))
    assert len(book.sheetnames) == 2
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert ("Październik", 66.7, None) in values
    assert any(str(MEASURES["attendance"].definition)[:30] in str(r[0]) for r in values)
    get(officer, url + "?eksport=csv", 404)  # a CSV is of one table
    workbook = load_workbook(io.BytesIO(get(officer, reverse("analytics:workbook")).content))
    assert len(workbook.sheetnames) >= 1 + 2 * 6 + 3


def test_hidden_figures_are_a_star_in_the_open_data(small, client):
    tiny = build_school("SP 3", pupils=3)
    day = lesson(tiny.assignment, small.school_class.school_year.start.replace(day=8, month=10))
    for pupil in tiny.pupils:
        mark(day, pupil, S.UNEXCUSED)
    analytics_compute(full=True)
    text = get(client, reverse("analytics:open_data_csv")).content.decode()
    assert text.startswith("# ") and "CC BY 4.0" in text.splitlines()[0]
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[2]
    tiny_row = next(r for r in rows if r[0] == "Szkoła SP 3")
    assert tiny_row[header.index(str(MEASURES["attendance"].label))] == "*"
    sp1 = next(r for r in rows if r[0] == "Szkoła SP 1")
    assert sp1[header.index(str(MEASURES["attendance"].label))] == "66.7"


def test_the_school_page_takes_the_same_queries_however_much_data(small, officer):
    url = reverse("analytics:school", args=[small.school.pk])
    get(officer, url)
    with CaptureQueriesContext(connection) as few:
        get(officer, url)
    for name in ("4b", "4c"):
        school_class = SchoolClassFactory(school_year=small.year, name=name, level=4)
        assignment = TeachingAssignmentFactory(school_class=school_class)
        lesson(assignment, datetime.date(2030, 10, 7))
        test = column(assignment, datetime.date(2030, 10, 9), 1)
        grade(test, small.pupils[0], "3")
    _grow(1)
    analytics_compute(full=True)
    with CaptureQueriesContext(connection) as many:
        html = get(officer, url).content.decode()
    assert "4c" in html
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("wanted", ["abc", "-1", "1.5", "²", "999999"])
def test_a_school_that_is_not_one_is_404_not_an_error(small, officer, wanted):
    url = reverse("analytics:measure", args=["attendance"])
    assert officer.get(url, {"szkola": wanted}).status_code == 404
