"""The grade sheet on a phone: `?pupil=` shows one pupil's cells and `?column=` one
column for the class as a vertical form, with the sheet's permissions and the same
save service; the full sheet has one history link per pupil/column, not per cell."""

import pytest

from django.urls import reverse

from gradebook.models import Grade, GradeHistory
from tests.factories import make_pupil
from tests.factories.gradebook import AssessmentFactory

from .test_views import put, sheet_url


def entry_url(side, **mode):
    query = "&".join(f"{k}={v}" for k, v in mode.items())
    return f"{sheet_url(side)}?term={side.term.pk}&{query}"


@pytest.fixture
def class_of_two(gb):
    a = gb.a
    a.second = make_pupil(a.class_a, username="a-pupil-2")
    a.column2 = AssessmentFactory(assignment=a.assignment, name="Kartkówka 2")
    return gb


def test_pupil_mode_shows_only_that_pupils_cells(class_of_two, login):
    a = class_of_two.a
    body = login(a.teacher).get(entry_url(a, pupil=a.pupil.pk)).content.decode()
    assert f'name="g-{a.assessment.pk}-{a.pupil.pk}"' in body
    assert f'name="g-{a.column2.pk}-{a.pupil.pk}"' in body
    assert f'-{a.second.pk}"' not in body.split('class="entry-list"')[1].split("</ul>")[0]
    assert 'enterkeyhint="done"' in body
    # The next pupil is one tap away; the pupil's history is one link.
    assert f"pupil={a.second.pk}" in body
    assert reverse("gradebook:history", args=[a.assignment.pk]) + f"?pupil={a.pupil.pk}" in body


def test_column_mode_lists_the_class_for_one_column(class_of_two, login):
    a = class_of_two.a
    body = login(a.teacher).get(entry_url(a, column=a.column2.pk)).content.decode()
    listing = body.split('class="entry-list"')[1].split("</ul>")[0]
    assert f'name="g-{a.column2.pk}-{a.pupil.pk}"' in listing
    assert f'name="g-{a.column2.pk}-{a.second.pk}"' in listing
    assert f'name="g-{a.assessment.pk}-' not in listing
    assert reverse("gradebook:assessment_edit", args=[a.assignment.pk, a.column2.pk]) in body
    assert f"?assessment={a.column2.pk}" in body


def test_a_save_from_an_entry_mode_uses_the_service_and_returns_to_it(class_of_two, login):
    a = class_of_two.a
    client = login(a.teacher)
    url = entry_url(a, column=a.column2.pk)
    form = client.get(url).content.decode()
    action = form.split('class="entry-form"')[0].rsplit('action="', 1)[1].split('"')[0]
    assert "#" not in action and f"column={a.column2.pk}" in action
    response = client.post(
        action.replace("&amp;", "&"),
        {
            "term": a.term.pk,
            f"g-{a.column2.pk}-{a.pupil.pk}": "5",
            f"o-{a.column2.pk}-{a.pupil.pk}": "",
            f"g-{a.column2.pk}-{a.second.pk}": "3+",
            f"o-{a.column2.pk}-{a.second.pk}": "",
        },
    )
    assert response.status_code == 302
    assert f"column={a.column2.pk}" in response.url
    assert sorted(Grade.objects.values_list("symbol", flat=True)) == ["3+", "5"]
    assert GradeHistory.objects.count() == 2


def test_a_refused_cell_in_an_entry_mode_keeps_what_was_typed(class_of_two, login):
    a = class_of_two.a
    response = login(a.teacher).post(
        entry_url(a, pupil=a.pupil.pk),
        {
            "term": a.term.pk,
            f"g-{a.assessment.pk}-{a.pupil.pk}": "4",
            f"o-{a.assessment.pk}-{a.pupil.pk}": "",
            f"g-{a.column2.pk}-{a.pupil.pk}": "9",
            f"o-{a.column2.pk}-{a.pupil.pk}": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="9"' in body and 'value="4"' in body
    assert f'aria-describedby="err-g-{a.column2.pk}-{a.pupil.pk}"' in body
    assert f'id="err-g-{a.column2.pk}-{a.pupil.pk}"' in body
    assert not Grade.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "inputs"),
    [
        ("a.teacher", 200, True),
        ("a.homeroom", 200, False),
        ("a.admin", 200, False),
        ("b.teacher", 404, False),
        ("b.admin", 404, False),
        ("a.guardian", 404, False),
        ("a.pupil", 404, False),
        ("officer", 404, False),
    ],
)
@pytest.mark.parametrize("mode", ["pupil", "column"])
def test_entry_modes_have_the_sheets_permissions(gb, login, who, status, inputs, mode):
    user = gb
    for part in who.split("."):
        user = getattr(user, part)
    put(gb.a, "5")
    target = gb.a.pupil.pk if mode == "pupil" else gb.a.assessment.pk
    response = login(user).get(entry_url(gb.a, **{mode: target}))
    assert response.status_code == status
    if status == 200:
        assert ('class="grade-input entry-input"' in response.content.decode()) is inputs
        assert b"entry-value" in response.content or b'value="5"' in response.content


def test_readers_cannot_save_through_an_entry_mode(gb, login):
    a = gb.a
    data = {
        "term": a.term.pk,
        f"g-{a.assessment.pk}-{a.pupil.pk}": "5",
        f"o-{a.assessment.pk}-{a.pupil.pk}": "",
    }
    assert login(a.admin).post(entry_url(a, pupil=a.pupil.pk), data).status_code == 404
    assert not Grade.objects.exists()


def test_a_pupil_or_column_outside_the_sheet_is_404_and_junk_is_400(gb, login):
    a, b = gb.a, gb.b
    client = login(a.teacher)
    assert client.get(entry_url(a, pupil=a.other_pupil.pk)).status_code == 404  # class 5a
    assert client.get(entry_url(a, pupil=b.pupil.pk)).status_code == 404
    assert client.get(entry_url(a, column=b.assessment.pk)).status_code == 404
    assert client.get(entry_url(a, pupil="abc")).status_code == 400
    assert client.get(entry_url(a, pupil=a.pupil.pk, column=a.assessment.pk)).status_code == 400


def test_the_sheet_links_each_pupil_and_column_and_not_each_cells_history(gb, login):
    a = gb.a
    put(a, "5")
    body = login(a.teacher).get(sheet_url(a)).content.decode()
    assert "history-link" not in body
    assert f"pupil={a.pupil.pk}" in body and f"column={a.assessment.pk}" in body
    assert "data-grade-sheet" in body and "save-bar" in body
    action = body.split("data-sheet-form")[0].rsplit('action="', 1)[1].split('"')[0]
    assert action.startswith(sheet_url(a)) and "#" not in action


def test_entry_modes_read_in_a_bounded_number_of_queries(class_of_two, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = class_of_two.a
    client = login(a.teacher)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [entry_url(a, pupil=a.pupil.pk), entry_url(a, column=a.column2.pk)]
    count(urls[0])  # the client's first request also reads its session and roles
    small = [count(u) for u in urls]
    for i in range(5):
        make_pupil(a.class_a, username=f"a-more-{i}")
        AssessmentFactory(assignment=a.assignment, name=f"K{i}", category=a.column2.category)
    put(a, "4")
    assert [count(u) for u in urls] == small
