"""`seed_demo` with the database task backend (as `make run` uses it) leaves no
task waiting, and the site search finds the demo news at once."""

import io

import pytest
from django_tasks_db.models import DBTaskResult

from django.core.management import call_command

from cms.models import NewsPage
from cms.selectors import site_search

pytestmark = pytest.mark.django_db


def test_seed_demo_runs_what_it_queued_and_the_search_finds_konkurs(db_tasks):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "background tasks run:" in out.getvalue()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    found = list(site_search("konkurs"))  # entries of the page index, with their page
    assert any(
        entry.page.specific_class is NewsPage and "konkurs" in entry.title.lower()
        for entry in found
    )
