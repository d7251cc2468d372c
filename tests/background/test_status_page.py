"""The background-work page: who sees it, what each sees of failed tasks, and
the retry button (permission-checked, audited)."""

import pytest

from django.urls import reverse

from cms.tasks import publish_scheduled
from library.models import ImportJob
from library.tasks import run_marc_import
from portal.models import AuditEvent, Role
from tests.factories import RoleFactory, UserFactory
from tests.factories.background import heartbeat, task_row

pytestmark = pytest.mark.django_db
STATUS = reverse("background:status")


@pytest.fixture
def municipal_admin(world):
    return RoleFactory(
        role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory(username="gmina")
    ).user


@pytest.fixture
def failures(world, db_tasks):
    """A failed MARC import in each school, and a portal-wide failed task."""
    jobs = {}
    for key in ("a", "b"):
        side = getattr(world, key)
        job = ImportJob.objects.create(
            school=side.school,
            user=side.librarian,
            file_name="k.mrc",
            data=b"x",
            fmt="marc",
            status=ImportJob.Status.FAILED,
            message="Import przerwany",
        )
        jobs[key] = job
        jobs[f"task_{key}"] = task_row(
            run_marc_import, job.pk, status="FAILED", error=f"RuntimeError: uczeń {key.upper()}"
        )
    jobs["portal"] = task_row(publish_scheduled, status="FAILED", error="ValueError: strona 7")
    return jobs


def test_who_may_open_the_page(world, login, municipal_admin, db_tasks):
    for user in (world.superuser, municipal_admin, world.a.admin):
        assert login(user).get(STATUS).status_code == 200
    for user in (world.a.teacher, world.a.librarian, world.officer, world.a.guardian):
        assert login(user).get(STATUS).status_code == 404


def test_workers_queues_and_the_oldest_waiting_task(world, login, db_tasks):
    heartbeat("w-alive", minutes_ago=0)
    heartbeat("w-lost", minutes_ago=20)
    task_row(run_marc_import, 1, minutes_ago=42)
    task_row(run_marc_import, 2, minutes_ago=3)
    task_row(publish_scheduled, minutes_ago=1)
    page = login(world.superuser).get(STATUS)
    context = page.context
    assert context["alive"] == 1 and context["waiting"] == 3
    assert context["oldest"].label == "Import MARC"
    assert 41 <= context["oldest_age"].total_seconds() / 60 <= 43
    marc = next(q for q in context["queues"] if q.label == "Import MARC")
    assert (marc.waiting, marc.running, marc.failed) == (2, 0, 0)
    states = {w.beat.worker_id: w.state for w in context["workers"]}
    assert states == {"w-alive": "alive", "w-lost": "lost"}
    assert "nie odpowiada" in page.text


def test_a_school_admin_sees_errors_of_their_own_school_only(world, login, failures):
    text = login(world.a.admin).get(STATUS).text
    assert "RuntimeError: uczeń A" in text
    assert "uczeń B" not in text and "strona 7" not in text
    assert "RuntimeError" in text and "ValueError" in text, "the class is shown to all"
    assert "Traceback" not in text and "x.py" not in text
    assert text.count(">Ponów</button>") == 1


def test_the_superuser_sees_every_error_and_the_traceback(world, login, failures):
    text = login(world.superuser).get(STATUS).text
    assert "uczeń A" in text and "uczeń B" in text and "strona 7" in text
    assert "x.py" in text
    assert text.count(">Ponów</button>") == 3


def test_municipal_admin_sees_messages_but_not_tracebacks(world, login, municipal_admin, failures):
    text = login(municipal_admin).get(STATUS).text
    assert "uczeń B" in text and "strona 7" in text and "x.py" not in text


def test_retry_puts_the_task_back_and_is_audited(world, login, failures):
    client = login(world.a.admin)
    task = failures["task_a"]
    response = client.post(reverse("background:retry", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "READY" and task.traceback == "" and task.finished_at is None
    job = failures["a"]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.message == ""
    event = AuditEvent.objects.get(action="task.retry")
    assert event.category == "tasks" and event.actor == world.a.admin
    assert event.school == world.a.school and "uczeń A" in event.reason
    # Twice: nothing more to retry, said so.
    again = client.post(reverse("background:retry", args=[task.pk]), follow=True)
    assert "nie zakończyło się błędem" in again.text
    assert AuditEvent.objects.filter(action="task.retry").count() == 1


def test_a_school_admin_cannot_retry_another_school_or_the_portal(world, login, failures):
    client = login(world.a.admin)
    for key in ("task_b", "portal"):
        response = client.post(reverse("background:retry", args=[failures[key].pk]))
        assert response.status_code == 404
        failures[key].refresh_from_db()
        assert failures[key].status == "FAILED"
    assert not AuditEvent.objects.filter(action="task.retry").exists()


def test_retry_is_a_post(world, login, failures):
    response = login(world.superuser).get(reverse("background:retry", args=[failures["portal"].pk]))
    assert response.status_code == 405
