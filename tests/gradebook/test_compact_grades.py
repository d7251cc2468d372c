"""The compact grades table of parents and pupils (issue 14): one row per subject,
grades as chips that open to their details, the average and term grades at the
end; the default, with the card view one link away and remembered."""

import datetime
import re

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.conf import settings as django_settings
from django.urls import reverse

from gradebook.models import Assessment, TermGrade
from gradebook.pupil_render import FALLBACK_COLOUR, chip_colours, contrast_ratio
from gradebook.selectors import DEFAULT_CATEGORIES, term_shown
from portal.models import Subject, TeachingAssignment
from tests.factories.gradebook import AssessmentFactory, GradeCategoryFactory, grade_put
from tests.gradebook.test_queries import add_columns, count_queries, fill


def pupil_url(side, query=""):
    return reverse("gradebook:pupil", args=[side.pupil.pk]) + query


def chips(body: str) -> list[str]:
    return re.findall(r'<details class="chip[^"]*"', body)


def test_the_table_is_the_default_and_the_cards_stay_one_link_away(gb, login):
    a = gb.a
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="5")
    client = login(a.guardian)
    body = client.get(pupil_url(a)).content.decode()
    assert 'class="grades-table"' in body and "subject-card" not in body
    assert len(chips(body)) == 1
    assert 'href="?widok=karty"' in body

    body = client.get(pupil_url(a, "?widok=karty")).content.decode()
    assert "subject-card" in body and 'class="grades-table"' not in body
    # Remembered: the plain address keeps the cards until the parent switches back.
    body = client.get(pupil_url(a)).content.decode()
    assert "subject-card" in body
    body = client.get(pupil_url(a, "?widok=tabela")).content.decode()
    assert 'class="grades-table"' in body
    assert 'class="grades-table"' in client.get(pupil_url(a)).content.decode()


def test_an_unknown_layout_keeps_the_remembered_one(gb, login):
    client = login(gb.a.guardian)
    client.get(pupil_url(gb.a, "?widok=karty"))
    response = client.get(pupil_url(gb.a, "?widok=%3Cscript%3E"))
    assert response.status_code == 200
    assert "subject-card" in response.content.decode()


def test_each_role_sees_only_its_own_children_in_both_layouts(gb, login):
    a, b = gb.a, gb.b
    for query in ("", "?widok=karty", "?widok=tabela&okres=2"):
        for user, status in (
            (a.guardian, 200),
            (a.pupil, 200),
            (b.guardian, 404),
            (a.other_pupil, 404),
            (b.teacher, 404),
        ):
            assert login(user).get(pupil_url(a, query)).status_code == status, (user, query)


def test_a_chip_carries_its_category_weight_date_teacher_and_description(gb, login):
    a = gb.a
    category = GradeCategoryFactory(school=a.school, name="kartkówka", colour="#b54708")
    quiz = AssessmentFactory(
        assignment=a.assignment,
        category=category,
        name="Ułamki",
        weight=2,
        description="rozdział 3",
        date=a.term.start + datetime.timedelta(days=3),
    )
    grade_put(assessment=quiz, pupil=a.pupil, user=a.teacher, text="4+")
    body = login(a.guardian).get(pupil_url(a)).content.decode()
    chip = body[body.index('<details class="chip"') :]
    chip = chip[: chip.index("</details>")]
    # The face: the symbol on the category's colour with readable text, and the
    # category and date spoken, so colour is not the only carrier.
    assert 'style="background:#b54708;color:#ffffff' in chip
    assert '<span class="chip-symbol">4+</span>' in chip
    day = quiz.date.strftime("%d.%m.%Y")
    assert f'<span class="visually-hidden">, kartkówka, {day}</span></summary>' in chip
    details = chip[chip.index('<div class="chip-detail">') :]
    for fact in (
        "<dt>Kategoria</dt><dd>kartkówka</dd>",
        "<dt>Waga</dt><dd>2</dd>",
        f"<dt>Data</dt><dd>{day}</dd>",
        f"<dt>Nauczyciel</dt><dd>{a.teacher.get_full_name()}</dd>",
        "<dt>Opis</dt><dd>rozdział 3</dd>",
        "Ułamki",
    ):
        assert fact in details, fact


def test_marks_without_value_are_outlined_and_say_they_do_not_count(gb, login):
    a = gb.a
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="np")
    body = login(a.guardian).get(pupil_url(a)).content.decode()
    assert chips(body) == ['<details class="chip not-counted"']
    assert "<dt>Waga</dt><dd>nie liczy się do średniej</dd>" in body


def test_a_grade_new_since_the_last_visit_is_marked_in_words_too(gb, login):
    a = gb.a
    client = login(a.guardian)
    client.get(pupil_url(a))  # the first visit
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="5")
    body = client.get(pupil_url(a)).content.decode()
    assert chips(body) == ['<details class="chip is-new"']
    assert ", nowa ocena</span></summary>" in body
    assert chips(client.get(pupil_url(a)).content.decode()) == ['<details class="chip"']


def test_average_and_term_grades_end_the_row(gb, login):
    a = gb.a
    second = AssessmentFactory(assignment=a.assignment, category=a.assessment.category, weight=1)
    a.assessment.weight = 3
    a.assessment.save()
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="5")
    grade_put(assessment=second, pupil=a.pupil, user=a.teacher, text="3")
    TermGrade.objects.create(
        pupil=a.pupil,
        assignment=a.assignment,
        term=a.term,
        kind=TermGrade.Kind.PROPOSED,
        grade=5,
        teacher=a.teacher,
    )
    body = login(a.guardian).get(pupil_url(a, f"?okres={a.term.number}")).content.decode()
    row = body[body.index('<th scope="row"') :]
    row = row[: row.index("</tr>")]
    # (5·3 + 3·1) / 4 = 4.5, written the Polish way, then the proposed grade in words.
    assert ">4,50</td>" in row
    assert '<strong class="tg-digit">5</strong> <span class="tg-word">bardzo dobry</span>' in row
    headings = "Ocena śródroczna" if a.term.number == 1 else "Ocena roczna"
    assert headings in body


def test_the_last_term_shows_the_year_average_and_the_annual_grade(gb, login):
    a = gb.a
    last = a.year.terms.order_by("number").last()
    grade_put(
        assessment=AssessmentFactory(assignment=a.assignment, term=last, date=last.start),
        pupil=a.pupil,
        user=a.teacher,
        text="4",
    )
    body = login(a.guardian).get(pupil_url(a, f"?okres={last.number}")).content.decode()
    assert f"Oceny w okresie {last.number}" in body
    assert "Średnia roczna" in body and "Ocena roczna" in body
    assert "Przewidywana ocena roczna" in body
    assert "Ocena śródroczna" not in body


def test_without_a_choice_the_running_term_is_shown(gb):
    terms = list(gb.a.year.terms.order_by("number"))
    first, last = terms[0], terms[-1]
    assert term_shown(terms, None, today=first.start) == first
    assert term_shown(terms, None, today=last.end) == last
    assert term_shown(terms, None, today=first.start - datetime.timedelta(days=30)) == first
    assert term_shown(terms, None, today=last.end + datetime.timedelta(days=30)) == last
    assert term_shown(terms, 99, today=last.end) == last  # no such term: the running one
    with time_machine.travel(datetime.datetime.combine(last.start, datetime.time(12))):
        assert term_shown(terms, None) == last


def test_english_pages_are_english(gb, client, login):
    a = gb.a
    grade_put(assessment=a.assessment, pupil=a.pupil, user=a.teacher, text="5")
    login(a.guardian)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(pupil_url(a)).content.decode()
    assert "<dt>Weight of the grade</dt>" in body
    assert "Term average" in body and "Grades as cards" in body


def test_the_page_reads_in_the_same_number_of_queries_for_more_grades_and_subjects(gb, login):
    a = gb.a
    Assessment.objects.all().delete()
    client = login(a.guardian)
    url = pupil_url(a)
    client.get(url)  # the first visit of a session creates its rows

    def add_subjects(count, columns):
        made = []
        for i in range(count):
            name = f"Przedmiot {Subject.objects.count()} {i}"
            subject = Subject.objects.create(school=a.school, name=name)
            made.append(
                TeachingAssignment.objects.create(
                    school_class=a.class_a, subject=subject, teacher=a.teacher
                )
            )
        for assignment in made:
            add_columns(a, assignment, columns)
            fill(assignment, [a.pupil])

    add_subjects(2, 3)
    small = count_queries(client, url)
    add_subjects(12, 12)
    body = client.get(url).content.decode()
    assert len(chips(body)) == 2 * 3 + 12 * 12
    assert count_queries(client, url) == small


def test_the_default_categories_read_at_4_5_to_1_on_their_chips():
    for _name, _weight, colour in DEFAULT_CATEGORIES:
        background, text = chip_colours(colour)
        assert contrast_ratio(background, text) >= 4.5, colour


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}"))
def test_any_colour_a_school_picks_reads_at_4_5_to_1(colour):
    background, text = chip_colours(colour)
    assert background == colour
    assert contrast_ratio(background, text) >= 4.5


def test_a_malformed_colour_falls_back_to_grey():
    assert chip_colours("red; display:none")[0] == FALLBACK_COLOUR
    assert round(contrast_ratio("#ffffff", "#000000"), 1) == 21.0
