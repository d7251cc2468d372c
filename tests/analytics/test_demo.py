"""The demo's figures: a demo seeded after term 1 shows the timetable's teachers
and lessons and the mid-year classification, not empty columns."""

import datetime
import io

import pytest
import time_machine

from django.core.management import call_command

from analytics.selectors import municipal_overview

pytestmark = pytest.mark.django_db


def test_a_demo_seeded_after_term_one_has_timetable_and_mid_year_figures():
    with time_machine.travel(datetime.datetime(2031, 2, 20, 10, tzinfo=datetime.UTC), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        schools = municipal_overview()["schools"]
    assert schools
    for row in schools:
        figures = row.figures
        assert figures["teachers"].shown > 0, row.school
        assert figures["weekly_lessons"].shown >= figures["teachers"].shown
        assert figures["lessons_per_teacher"].shown > 0
    averages = [row.figures["midyear_average"].shown for row in schools]
    assert any(averages), averages
    # The annual classification is months away: no data, not zeros.
    assert all(row.figures["annual_average"].value is None for row in schools)
