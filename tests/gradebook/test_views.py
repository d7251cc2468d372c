import pytest

from django.urls import reverse

from gradebook import services
from gradebook.models import BehaviourGrade, Grade, TermGrade
from gradebook.selectors import sheet_day
from gradebook.services import CellInput
from notifications.models import Notification


def sheet_url(side):
    return reverse("gradebook:sheet", args=[side.assignment.pk])


def put(side, symbol, pupil=None):
    services.sheet_save(
        assignment=side.assignment,
        user=side.teacher,
        cells=[CellInput(side.assessment.pk, (pupil or side.pupil).pk, symbol, "")],
        day=sheet_day(side.term),
    )


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
        ("a.librarian", 404, False),
        ("officer", 404, False),
    ],
)
def test_sheet_access_per_role(gb, login, who, status, inputs):
    user = gb
    for part in who.split("."):
        user = getattr(user, part)
    put(gb.a, "5")
    response = login(user).get(sheet_url(gb.a))
    assert response.status_code == status
    if status == 200:
        assert (b'class="grade-input"' in response.content) is inputs
        assert b">5<" in response.content or b'value="5"' in response.content


def post_cell(client, side, text, original=""):
    key = f"{side.assessment.pk}-{side.pupil.pk}"
    data = {f"g-{key}": text, f"o-{key}": original, "term": side.term.pk}
    return client.post(sheet_url(side), data)


def test_teacher_saves_a_column_in_one_request(gb, login):
    a = gb.a
    assert post_cell(login(a.teacher), a, "4+").status_code == 302
    assert Grade.objects.get().symbol == "4+"


def test_invalid_symbol_keeps_typed_values_and_names_the_cell(gb, login):
    a = gb.a
    response = post_cell(login(a.teacher), a, "9")
    assert response.status_code == 400
    body = response.content.decode()
    assert a.pupil.last_name in body and "Sprawdzian 1" in body
    assert 'value="9"' in body and 'aria-invalid="true"' in body
    assert not Grade.objects.exists()


def test_concurrent_edit_is_shown(gb, login):
    a = gb.a
    put(a, "3")
    response = post_cell(login(a.teacher), a, "5")
    assert response.status_code == 400
    body = response.content.decode()
    assert "meanwhile" in body or "w międzyczasie" in body
    assert Grade.objects.get().symbol == "3"


@pytest.mark.parametrize("target", ["foreign_assessment", "foreign_pupil"])
def test_crafted_post_with_foreign_ids_is_404(gb, login, target):
    a, b = gb.a, gb.b
    aid, pid = a.assessment.pk, a.pupil.pk
    if target == "foreign_assessment":
        aid = b.assessment.pk
    else:
        pid = b.pupil.pk
    response = login(a.teacher).post(sheet_url(a), {f"g-{aid}-{pid}": "5", f"o-{aid}-{pid}": ""})
    assert response.status_code == 404
    assert not Grade.objects.exists()


def test_reader_cannot_post(gb, login):
    a = gb.a
    key = f"{a.assessment.pk}-{a.pupil.pk}"
    for user in (a.homeroom, a.admin):
        assert login(user).post(sheet_url(a), {f"g-{key}": "5", f"o-{key}": ""}).status_code == 404
    assert login(gb.b.teacher).post(sheet_url(a), {f"g-{key}": "5"}).status_code == 404
    assert not Grade.objects.exists()


def test_history_visible_to_teacher_and_admin_only(gb, login):
    a = gb.a
    put(a, "2")
    url = reverse("gradebook:history", args=[a.assignment.pk])
    for user, status in ((a.teacher, 200), (a.admin, 200), (a.homeroom, 404), (gb.b.admin, 404)):
        assert login(user).get(url).status_code == status
    body = login(a.teacher).get(url).content.decode()
    assert a.teacher.get_full_name() in body and ">2<" in body


def test_assessment_create_and_foreign_category(gb, login):
    a = gb.a
    client = login(a.teacher)
    url = reverse("gradebook:assessment_add", args=[a.assignment.pk])
    assert client.get(url).status_code == 200
    category = a.assessment.category
    data = {
        "name": "Kartkówka",
        "category": category.pk,
        "weight": "",
        "date": a.term.start.isoformat(),
        "term": a.term.pk,
        "counts_to_average": "on",
    }
    assert client.post(url, data).status_code == 302
    assert a.assignment.assessments.get(name="Kartkówka").weight == category.weight
    data["category"] = gb.b.assessment.category.pk
    assert client.post(url, data).status_code == 200  # not a valid choice
    assert login(gb.b.teacher).get(url).status_code == 404


def test_pupil_view_access(gb, login):
    a, b = gb.a, gb.b
    url = reverse("gradebook:pupil", args=[a.pupil.pk])
    for user, status in (
        (a.guardian, 200),
        (a.pupil, 200),
        (a.teacher, 200),
        (a.homeroom, 200),
        (a.admin, 200),
        (b.guardian, 404),
        (a.other_pupil, 404),
        (b.teacher, 404),
        (b.admin, 404),
    ):
        assert login(user).get(url).status_code == status, user


def test_a_linked_child_without_any_enrolment_is_not_shown(gb, login):
    """The child comes from the guardian's family, but the register's permission
    still decides: no enrolment whose period the guardian may see, no page."""
    from portal.models import Enrolment
    from tests.factories import GuardianLinkFactory, UserFactory

    a = gb.a
    child = UserFactory()
    GuardianLinkFactory(guardian=a.guardian, pupil=child)
    assert not Enrolment.objects.filter(pupil=child).exists()
    client = login(a.guardian)
    assert client.get(reverse("gradebook:pupil", args=[child.pk])).status_code == 404
    assert client.get(reverse("gradebook:pupil", args=[a.pupil.pk])).status_code == 200


def test_parent_sees_grades_with_new_since_last_visit(gb, login):
    a = gb.a
    client = login(a.guardian)
    url = reverse("gradebook:pupil", args=[a.pupil.pk]) + "?widok=karty"  # the card view
    client.get(url)  # first visit
    put(a, "5")
    body = client.get(url).content.decode()
    assert "grade-chip is-new" in body and "Sprawdzian 1" in body
    body = client.get(url).content.decode()
    assert "grade-chip is-new" not in body


def test_parent_of_two_children_switches(gb, login):
    from tests.factories import GuardianLinkFactory

    a = gb.a
    GuardianLinkFactory(guardian=a.guardian, pupil=a.other_pupil)
    body = login(a.guardian).get(reverse("gradebook:pupil", args=[a.pupil.pk])).content.decode()
    assert reverse("gradebook:pupil", args=[a.other_pupil.pk]) in body


def test_term_grades_page_and_notification(gb, login, django_capture_on_commit_callbacks):
    a = gb.a
    url = reverse("gradebook:term_grades", args=[a.assignment.pk])
    client = login(a.teacher)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"term": a.term.pk, f"proposed-{a.pupil.pk}": "4"})
    assert response.status_code == 302
    assert TermGrade.objects.get().grade == 4
    assert Notification.objects.filter(recipient=a.guardian).count() == 1
    old = login(a.guardian).get(reverse("gradebook:notifications"))
    assert old.status_code == 302 and old.url == reverse("notifications:list")
    body = login(a.guardian).get(reverse("notifications:list")).content.decode()
    assert a.pupil.get_full_name() in body
    assert login(gb.b.teacher).post(url, {f"proposed-{a.pupil.pk}": "4"}).status_code == 404
    assert client.post(url, {f"proposed-{gb.b.pupil.pk}": "4"}).status_code == 404


def test_behaviour_by_homeroom_teacher(gb, login):
    a = gb.a
    url = reverse("gradebook:behaviour", args=[a.class_a.pk])
    response = login(a.homeroom).post(url, {"term": a.term.pk, f"final-{a.pupil.pk}": "wzorowe"})
    assert response.status_code == 302
    assert BehaviourGrade.objects.get().value == "wzorowe"
    assert login(a.admin).get(url).status_code == 200
    assert login(a.admin).post(url, {f"final-{a.pupil.pk}": "naganne"}).status_code == 404
    assert login(a.teacher).get(url).status_code == 404
    assert login(gb.b.admin).get(url).status_code == 404
    assert login(a.homeroom).post(url, {f"final-{gb.b.pupil.pk}": "dobre"}).status_code == 404


def test_class_register_for_homeroom_and_admin(gb, login):
    a = gb.a
    url = reverse("gradebook:class", args=[a.class_a.pk])
    for user, status in ((a.homeroom, 200), (a.admin, 200), (a.teacher, 404), (gb.b.admin, 404)):
        assert login(user).get(url).status_code == status


def test_school_settings_and_closing_terms(gb, login):
    a = gb.a
    url = reverse("gradebook:settings", args=[a.school.pk])
    assert login(a.teacher).get(url).status_code == 404
    assert login(gb.b.admin).get(url).status_code == 404
    client = login(a.admin)
    assert client.get(url).status_code == 200
    close = reverse("gradebook:term_status", args=[a.school.pk, a.term.pk])
    # The pupils have no term grades yet: closing asks to accept the gaps.
    assert client.post(close, {"closed": "1"}).status_code == 400
    assert client.post(close, {"closed": "1", "accept_gaps": "1"}).status_code == 302
    key = f"{a.assessment.pk}-{a.pupil.pk}"
    response = login(a.teacher).post(sheet_url(a), {f"g-{key}": "5", f"o-{key}": ""})
    assert response.status_code == 400 and b'class="grade-input"' not in response.content
    assert not Grade.objects.exists()
    foreign = reverse("gradebook:term_status", args=[gb.b.school.pk, gb.b.term.pk])
    assert client.post(foreign, {"closed": "1"}).status_code == 404


def test_settings_form_switches_convention(gb, login):
    a = gb.a
    url = reverse("gradebook:settings", args=[a.school.pk])
    data = {
        "s-symbols": ["1", "2", "3", "4", "4+", "5", "6", "np"],
        "s-convention": "033",
        "s-plus_value": "0.5",
        "s-minus_value": "0.25",
        "s-improvement_replaces": "on",
        "s-threshold_6": "5.5",
        "s-threshold_5": "4.6",
        "s-threshold_4": "3.6",
        "s-threshold_3": "2.6",
        "s-threshold_2": "1.6",
        "save_settings": "1",
    }
    assert login(a.admin).post(url, data).status_code == 302
    from gradebook.selectors import grading_settings

    settings = grading_settings(a.school)
    assert str(settings.plus_value) == "0.33" and "4+" in settings.symbols


def test_home_and_dashboard(gb, login):
    a = gb.a
    put(a, "5")
    assert login(a.teacher).get(reverse("gradebook:home")).status_code == 200
    assert login(a.guardian).get(reverse("gradebook:home")).status_code == 302
    body = login(a.guardian).get(reverse("portal:dashboard")).content.decode()
    assert "Matematyka" in body
    body = login(a.teacher).get(reverse("portal:dashboard")).content.decode()
    assert sheet_url(a) in body
    assert login(a.librarian).get(reverse("gradebook:home")).status_code == 404


def test_sheet_lists_the_class_on_the_chosen_day(gb, login):
    import datetime

    from portal.models import Enrolment

    a = gb.a
    leaver = Enrolment.objects.get(pupil=a.pupil)
    leaver.end_date = a.term.start + datetime.timedelta(days=5)
    leaver.save()
    client = login(a.teacher)
    early = (a.term.start + datetime.timedelta(days=1)).isoformat()
    late = (a.term.start + datetime.timedelta(days=20)).isoformat()
    assert a.pupil.last_name in client.get(sheet_url(a), {"day": early}).content.decode()
    assert a.pupil.last_name not in client.get(sheet_url(a), {"day": late}).content.decode()
    key = f"{a.assessment.pk}-{a.pupil.pk}"
    data = {f"g-{key}": "5", f"o-{key}": "", "term": a.term.pk, "day": late}
    assert client.post(sheet_url(a), data).status_code == 404  # not in the class then
    data["day"] = early
    assert client.post(sheet_url(a), data).status_code == 302


def test_class_summary_shows_every_subject_average(gb, login, django_assert_max_num_queries):
    a = gb.a
    put(a, "4")
    client = login(a.homeroom)
    url = reverse("gradebook:class", args=[a.class_a.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        body = client.get(url).content.decode()
    assert "4.00" in body or "4,00" in body
    assert reverse("gradebook:pupil", args=[a.pupil.pk]) in body
    assert login(a.pupil).get(reverse("gradebook:pupil", args=[a.pupil.pk])).status_code == 200
