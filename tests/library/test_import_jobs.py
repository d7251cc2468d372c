"""An uploaded MARC import always ends in a final state the librarian sees:
done, or failed with its reason, also when the import hits an unexpected error
or its task worker dies half-way; the page stops refreshing then."""

import pytest
from django_tasks import TaskResultStatus

from django.urls import reverse

from library.importing import Importer
from library.models import ImportJob
from library.services import import_job_create
from library.tasks import run_marc_import

pytestmark = pytest.mark.django_db


def upload(world, marc_record, titles=("Lalka", "Faraon")):
    data = b"".join(marc_record(title).as_marc() for title in titles)
    return import_job_create(
        user=world.a.librarian, school=world.a.school, file_name="k.mrc", data=data
    )


def broken_importer(monkeypatch):
    def run(self, records):
        for _record in records:
            raise RuntimeError("dysk pełny")

    monkeypatch.setattr(Importer, "run", run)


def test_upload_counts_the_records_for_the_progress_bar(world, marc_record):
    assert upload(world, marc_record, ("A", "B", "C")).total == 3


def test_an_unexpected_error_fails_the_job_and_the_task(world, marc_record, monkeypatch):
    job = upload(world, marc_record)
    broken_importer(monkeypatch)
    result = run_marc_import.enqueue(job.pk)
    assert result.status == TaskResultStatus.FAILED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "RuntimeError" in job.message and "dysk pełny" in job.message
    assert job.finished_at is not None
    assert job.data, "the file is kept, so the import can be retried"


def test_the_page_follows_a_running_job_and_stops_on_a_final_state(world, login, marc_record):
    """While the job runs the page updates itself in place (data-follow, portal.js),
    with a pause button; no <meta refresh> (WCAG 2.2.1)."""
    job = upload(world, marc_record)
    client = login(world.a.librarian)
    url = reverse("library:import_detail", args=[job.pk])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed=1)
    running = client.get(url).text
    assert 'id="job-state" data-follow="3"' in running and "data-follow-pause" in running
    assert 'http-equiv="refresh"' not in running
    assert '<progress value="1" max="2"' in running
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, message="Przerwany")
    failed = client.get(url).text
    assert "data-follow" not in failed and "Przerwany" in failed


def test_a_librarian_of_one_school_finds_it_chosen_on_the_upload_form(world, login):
    page = login(world.a.librarian).get(reverse("library:import")).text
    select = page.split('name="school"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{world.a.school.pk}" selected>' in select
    assert '<option value=""' not in select, "no empty choice to trip over"
