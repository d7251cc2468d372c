"""A new grade column left with an empty weight takes its category's default
(the form used to fill in 1), every column change is in the audit trail, and
migration 0004 repairs the columns that got 1 that way, saying what it did."""

import importlib

import pytest
from bs4 import BeautifulSoup

from django.apps import apps
from django.urls import reverse

from gradebook.models import GradeCategory
from portal.models import AuditEvent
from tests.factories.gradebook import AssessmentFactory

pytestmark = pytest.mark.django_db

repair = importlib.import_module("gradebook.migrations.0004_repair_default_weights").repair


def test_the_new_column_form_leaves_the_weight_empty_and_names_the_defaults(gb, login):
    url = reverse("gradebook:assessment_add", args=[gb.a.assignment.pk])
    page = BeautifulSoup(login(gb.a.teacher).get(url).content, "html.parser")
    box = page.find("input", attrs={"name": "weight"})
    assert box.get("value") in (None, ""), "an empty box means the category's default"
    assert "sprawdzian 3" in page.text


def test_a_column_saved_as_the_form_comes_gets_the_categorys_weight(gb, login):
    a = gb.a
    client = login(a.teacher)
    url = reverse("gradebook:assessment_add", args=[a.assignment.pk])
    page = BeautifulSoup(client.get(url).content, "html.parser")
    form = page.find("main").find("form", method="post")
    data = {
        i["name"]: i.get("value", "")
        for i in form.find_all("input")
        if i.get("name") and i.get("type") != "checkbox"
    }
    data.update(name="Test z ułamków", category=a.assessment.category.pk, term=a.term.pk)
    assert client.post(url, data).status_code == 302
    assert a.assignment.assessments.get(name="Test z ułamków").weight == 3


def test_an_edited_column_keeps_its_weight_and_the_change_is_audited(gb, login):
    a = gb.a
    column = a.assessment
    url = reverse("gradebook:assessment_edit", args=[a.assignment.pk, column.pk])
    page = BeautifulSoup(login(a.teacher).get(url).content, "html.parser")
    assert page.find("input", attrs={"name": "weight"})["value"] == str(column.weight)
    data = {
        "name": "Sprawdzian z działu 1",
        "category": column.category_id,
        "weight": "5",
        "date": column.date.isoformat(),
        "term": column.term_id,
        "counts_to_average": "on",
    }
    assert login(a.teacher).post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="assessment.update", target_id=column.pk)
    assert event.actor == a.teacher and event.school_id == a.school.pk
    assert event.before == {"name": "Sprawdzian 1", "weight": 3}
    assert event.after == {"name": "Sprawdzian z działu 1", "weight": 5}
    assert event.category == AuditEvent.Category.GRADEBOOK


def test_deleting_a_column_is_audited(gb, login):
    a = gb.a
    url = reverse("gradebook:assessment_edit", args=[a.assignment.pk, a.assessment.pk])
    client = login(a.teacher)
    asked = client.post(url, {"delete": "1"})
    assert asked.status_code == 200 and "Usunąć na stałe?" in asked.content.decode()
    assert not AuditEvent.objects.filter(action="assessment.delete").exists()
    assert client.post(url, {"delete": "1", "confirm": "1"}).status_code == 302
    event = AuditEvent.objects.get(action="assessment.delete")
    assert event.before["name"] == "Sprawdzian 1" and event.before["weight"] == 3


def test_migration_repairs_columns_left_at_one_and_reports_them(gb, capsys):
    a = gb.a
    quiz = GradeCategory.objects.create(school=a.school, name="kartkówka", weight=2)
    ones = GradeCategory.objects.create(school=a.school, name="aktywność", weight=1)
    wrong = AssessmentFactory(assignment=a.assignment, category=quiz, weight=1, name="K1")
    meant = AssessmentFactory(assignment=a.assignment, category=ones, weight=1, name="A1")
    kept = AssessmentFactory(assignment=a.assignment, category=quiz, weight=4, name="K2")

    repair(apps, None)

    for column in (wrong, meant, kept):
        column.refresh_from_db()
    assert (wrong.weight, meant.weight, kept.weight) == (2, 1, 4)
    assert gb.a.assessment.weight == 3
    out = capsys.readouterr().out
    assert f"column {wrong.pk} “K1”" in out and "weight 1 → 2" in out
    assert "1 column(s) repaired" in out
    event = AuditEvent.objects.get(action="assessment.update", target_id=wrong.pk)
    assert (event.before, event.after) == ({"weight": 1}, {"weight": 2})
    assert event.school_id == a.school.pk and "0004" in event.reason
