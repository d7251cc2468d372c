"""A class's record sheets (arkusze ocen) prepared by the task worker: the job
runs to one PDF with every pupil's sheet, a failing render ends it failed with
the reason, and only those who may open the class's sheets start it or take
its file away (both recorded)."""

import io

import pytest
from pypdf import PdfReader

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gradebook.yearend.export_jobs import class_sheets_job_create
from gradebook.yearend.models import RegisterExportJob
from gradebook.yearend.statutory import sheets
from portal.models import AuditEvent, ReadAccess, SchoolClass
from portal.services import PortalError

PUPILS = ("Adamska Anna", "Bąk Barbara", "Cis Cezary", "Dąb Dawid")


def start_url(side):
    return reverse("yearend:sheets_class_job_start", args=[side.class_a.pk])


def page_url(side):
    return reverse("yearend:sheets_class", args=[side.class_a.pk])


def file_url(side, job):
    return reverse("yearend:sheets_class_job_file", args=[side.class_a.pk, job.pk])


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Requests whose jobs the (immediate) task backend runs when they commit."""

    def post(client, url):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url)

    return post


def test_the_job_runs_to_one_pdf_with_every_pupil(ye, login, disk, run_jobs):
    a = ye.a
    client = login(a.admin)
    response = run_jobs(client, start_url(a))
    assert response.status_code == 302 and response["Location"].endswith("#sheet-jobs")
    job = RegisterExportJob.objects.get()
    assert job.fmt == "sheets-pdf" and job.school_class == a.class_a
    assert job.status == RegisterExportJob.Status.SUCCEEDED and job.message == ""
    assert (job.progress_done, job.progress_total) == (2, 2)
    page = client.get(page_url(a)).content.decode()
    assert file_url(a, job) in page and "gotowe" in page and "data-follow" not in page
    assert "Przygotuj arkusze klasy w tle" in page
    # on a phone the job list is cards: each cell says which column it is
    assert 'class="table-cards"' in page
    for column in ("Kto", "Status", "Postęp", "Plik"):
        assert f'data-label="{column}"' in page, column
    response = client.get(file_url(a, job))
    assert response["Content-Type"] == "application/pdf"
    assert "arkusze-ocen-4a-2026-2027.pdf" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    for name in PUPILS:
        assert name in text, name
    assert "Ek Ewa" not in text  # class 2a's pupil
    # recorded: who asked, who took the file away, whose data it showed
    assert AuditEvent.objects.filter(action="sheets_export.request", actor=a.admin).count() == 1
    assert AuditEvent.objects.filter(action="register_export.sheets-pdf", actor=a.admin).exists()
    read = set(
        ReadAccess.objects.filter(actor=a.admin, what="personal").values_list("pupil", flat=True)
    )
    assert read == {a.pupil.pk, a.honours.pk, a.failing.pk, a.unclassified.pk}


def test_the_homeroom_teacher_prepares_and_downloads_their_class(ye, login, disk, run_jobs):
    a = ye.a
    client = login(a.homeroom)
    assert run_jobs(client, start_url(a)).status_code == 302
    job = RegisterExportJob.objects.get()
    assert job.requested_by == a.homeroom and job.status == RegisterExportJob.Status.SUCCEEDED
    response = client.get(file_url(a, job))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # the admin sees the same job on the class's page
    assert file_url(a, job) in login(a.admin).get(page_url(a)).content.decode()


def test_a_failing_render_ends_the_job_failed_with_the_reason(
    ye, login, disk, run_jobs, monkeypatch
):
    def broken(school_class, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(sheets, "class_sheets_pdf", broken)
    a = ye.a
    client = login(a.admin)
    run_jobs(client, start_url(a))
    job = RegisterExportJob.objects.get()
    assert job.status == RegisterExportJob.Status.FAILED and not job.file
    assert job.finished_at is not None
    assert "font missing" in job.message and job.message.startswith("Eksport przerwano")
    assert (job.progress_done, job.progress_total) == (1, 2)  # it stopped rendering
    page = client.get(page_url(a)).content.decode()
    assert "font missing" in page and "data-follow" not in page
    assert client.get(file_url(a, job)).status_code == 404


def test_a_running_job_is_followed_and_shows_its_step(ye, login):
    a = ye.a
    job = class_sheets_job_create(user=a.admin, school_class=a.class_a)
    RegisterExportJob.objects.filter(pk=job.pk).update(
        status="running", progress_done=1, progress_total=2
    )
    page = login(a.admin).get(page_url(a)).content.decode()
    assert 'data-follow="5"' in page and "tworzenie pliku PDF" in page
    # asked again while it waits: the same job
    assert class_sheets_job_create(user=a.homeroom, school_class=a.class_a) == job


def test_a_class_without_pupils_is_refused(ye, login):
    a = ye.a
    empty = SchoolClass.objects.create(school_year=a.year, name="8c", level=8)
    with pytest.raises(PortalError) as refused:
        class_sheets_job_create(user=a.admin, school_class=empty)
    assert refused.value.code == "no_pupils"
    client = login(a.admin)
    page = client.get(reverse("yearend:sheets_class", args=[empty.pk])).content.decode()
    assert reverse("yearend:sheets_class_job_start", args=[empty.pk]) not in page
    response = client.post(reverse("yearend:sheets_class_job_start", args=[empty.pk]))
    assert response.status_code == 302 and not RegisterExportJob.objects.exists()
    assert "Klasa nie ma uczniów" in client.get(response["Location"]).content.decode()


def test_the_service_refuses_those_who_may_not_see_the_class(ye):
    for user in (ye.b.admin, ye.a.teacher, ye.b.homeroom, ye.a.guardian):
        with pytest.raises(PortalError) as refused:
            class_sheets_job_create(user=user, school_class=ye.a.class_a)
        assert refused.value.code == "not_allowed"
    assert not RegisterExportJob.objects.exists()


@pytest.mark.parametrize("who", ["other_admin", "other_homeroom", "teacher", "guardian", "pupil"])
def test_nobody_else_starts_or_downloads_it(ye, login, disk, who):
    a, b = ye.a, ye.b
    job = RegisterExportJob.objects.create(
        school=a.school, school_year=a.year, school_class=a.class_a, fmt="sheets-pdf",
        status="succeeded",
    )  # fmt: skip
    job.file.save("arkusze.pdf", io.BytesIO(b"%PDF-1.4 x"))
    user = {
        "other_admin": b.admin,
        "other_homeroom": b.homeroom,
        "teacher": a.teacher,
        "guardian": a.guardian,
        "pupil": a.pupil,
    }[who]
    client = login(user)
    assert client.post(start_url(a)).status_code == 404
    assert client.get(file_url(a, job)).status_code == 404
    assert RegisterExportJob.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="register_export.").exists()


def test_a_job_is_downloaded_only_through_its_own_class(ye, login, disk):
    a = ye.a
    a.class_2.homeroom_teacher = a.homeroom
    a.class_2.save()
    job = RegisterExportJob.objects.create(
        school=a.school, school_year=a.year, school_class=a.class_a, fmt="sheets-pdf",
        status="succeeded",
    )  # fmt: skip
    job.file.save("arkusze.pdf", io.BytesIO(b"%PDF-1.4 x"))
    client = login(a.admin)
    other_class = reverse("yearend:sheets_class_job_file", args=[a.class_2.pk, job.pk])
    assert client.get(other_class).status_code == 404
    # not through the whole-school export either (that download notes no reads)
    export_file = reverse("yearend:export_job_file", args=[a.school.pk, job.pk])
    assert client.get(export_file).status_code == 404
    export_page = client.get(reverse("yearend:export", args=[a.school.pk])).content.decode()
    assert export_file not in export_page


def test_the_class_page_query_count_does_not_grow_with_jobs(ye, login):
    a = ye.a
    client = login(a.admin)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(a)).status_code == 200
        return len(ctx.captured_queries)

    def add_job():
        RegisterExportJob.objects.create(
            school=a.school, school_year=a.year, school_class=a.class_a, fmt="sheets-pdf",
            status="failed", requested_by=a.homeroom,
        )  # fmt: skip

    add_job()
    queries()  # the first request of a session reads more
    before = queries()
    for _i in range(3):
        add_job()
    assert queries() == before


def test_the_background_work_page_names_the_task_by_all_it_runs():
    """The one export task runs XML/JSON, the registers' PDFs and the record
    sheets: its label on the background-work page names them all (in Polish)."""
    from django.utils import translation

    from gradebook.yearend import export_tasks
    from portal.background.taskinfo import task_label

    with translation.override("pl"):
        label = task_label(export_tasks.run_register_export.module_path)
    assert label == "Eksporty i wydruki dziennika (XML/JSON, PDF, arkusze ocen)"
