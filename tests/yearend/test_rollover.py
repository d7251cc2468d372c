"""The year rollover checked pupil by pupil, its one transaction, its refusals,
the wizard's pages, and the finished year's read-only state."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gradebook.register.models import TimetableEntry
from gradebook.yearend import rollover
from gradebook.yearend.models import PromotionDecision, PromotionOutcome
from portal.models import (
    AuditEvent,
    Enrolment,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TeachingGroup,
)
from portal.services import PortalError
from tests.conftest import build_school_world
from tests.factories import (
    EnrolmentFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
    UserFactory,
    make_pupil,
    make_teacher,
)

from .conftest import END_OF_YEAR

Out = PromotionOutcome
D = datetime.date


def decide(pupil, school_class, outcome, confirmed=True):
    return PromotionDecision.objects.create(
        pupil=pupil,
        school_class=school_class,
        proposed=outcome,
        outcome=outcome,
        homeroom_confirmed_at=timezone.now() if confirmed else None,
        admin_confirmed_at=timezone.now() if confirmed else None,
    )


def build_rollover(name):
    """School year 2026/2027 (1 Sep – 26 Jun): 4a, 4b, 5a and 8a with decided pupils,
    a pupil moved from 4b to 4a in January, a timetable and a language group."""
    s = build_school_world(name)
    s.class_4b = SchoolClassFactory(school_year=s.year, name="4b", level=4)
    s.class_8 = SchoolClassFactory(school_year=s.year, name="8a", level=8)
    s.class_b.homeroom_teacher = make_teacher(s.school, username=f"{name}-5a-homeroom")
    s.class_b.save()
    s.new_homeroom = make_teacher(s.school, username=f"{name}-new-homeroom")
    s.failing = make_pupil(s.class_a, username=f"{name}-failing", last_name="Cis")
    s.repeater_5 = make_pupil(s.class_b, username=f"{name}-repeat5", last_name="Dąb")
    s.graduate = make_pupil(s.class_8, username=f"{name}-graduate", last_name="Ek")
    s.undecided_8 = make_pupil(s.class_8, username=f"{name}-undecided8", last_name="Fik")
    s.mover = UserFactory(username=f"{name}-mover", last_name="Gil")
    EnrolmentFactory(pupil=s.mover, school_class=s.class_4b, end_date=D(2027, 1, 15))
    EnrolmentFactory(pupil=s.mover, school_class=s.class_a, start_date=D(2027, 1, 16))
    s.left_early = UserFactory(username=f"{name}-left", last_name="Hak")
    EnrolmentFactory(pupil=s.left_early, school_class=s.class_4b, end_date=D(2027, 3, 1))
    decide(s.pupil, s.class_a, Out.PROMOTED)
    decide(s.failing, s.class_a, Out.NOT_PROMOTED)
    decide(s.other_pupil, s.class_b, Out.PROMOTED_WITH_HONOURS)
    decide(s.repeater_5, s.class_b, Out.NOT_PROMOTED)
    decide(s.graduate, s.class_8, Out.GRADUATED)
    decide(s.mover, s.class_4b, Out.NOT_PROMOTED, confirmed=False)  # the earlier class
    decide(s.mover, s.class_a, Out.PROMOTED)
    s.group = TeachingGroup.objects.create(school_class=s.class_a, name="angielski 1")
    s.group.pupils.set([s.pupil, s.failing])
    s.group_assignment = TeachingAssignmentFactory(
        school_class=s.class_a, group=s.group, teacher=s.teacher
    )
    TimetableEntry.objects.create(assignment=s.assignment, weekday=0, number=1, room="12")
    TimetableEntry.objects.create(assignment=s.assignment, weekday=2, number=3, room="12")
    TimetableEntry.objects.create(assignment=s.group_assignment, weekday=1, number=2)
    return s


@pytest.fixture
def june():
    with time_machine.travel(END_OF_YEAR, tick=False):
        yield


@pytest.fixture
def ro(june, db):
    return SimpleNamespace(a=build_rollover("a"), b=build_rollover("b"))


def plan_of(side, homerooms=None):
    year_input = rollover.next_year_defaults(side.year)
    return year_input, rollover.rollover_plan(
        school=side.school, year_input=year_input, homerooms=homerooms
    )


def apply(side, homerooms=None, override=True, user=None):
    year_input, plan = plan_of(side, homerooms)
    return rollover.rollover_apply(
        school=side.school,
        user=user or side.admin,
        year_input=year_input,
        homerooms=homerooms,
        digest=plan.digest,
        override_undecided=override,
    )


def class_next_year(pupil, year):
    enrolment = Enrolment.objects.get(pupil=pupil, school_class__school_year=year)
    assert enrolment.start_date == year.start and enrolment.end_date is None
    return enrolment.school_class.name


# --- Dates ----------------------------------------------------------------------------------


def test_first_and_last_days_follow_the_regulation():
    assert rollover.first_school_day(2027) == D(2027, 9, 1)  # Wednesday
    assert rollover.first_school_day(2028) == D(2028, 9, 4)  # 1 Sep a Friday: Monday
    assert rollover.first_school_day(2029) == D(2029, 9, 3)  # a Saturday: Monday
    assert rollover.first_school_day(2030) == D(2030, 9, 2)  # a Sunday: Monday
    assert rollover.last_school_day(2028) == D(2028, 6, 30)  # the last Friday of June
    assert rollover.last_school_day(2027) == D(2027, 6, 25)


def test_next_year_is_proposed_from_this_one(ro):
    proposal = rollover.next_year_defaults(ro.a.year)
    assert proposal.name == "2027/2028"
    assert (proposal.start, proposal.end) == (D(2027, 9, 1), D(2028, 6, 30))
    assert [(t.number, t.start, t.end) for t in proposal.terms] == [
        (1, D(2027, 9, 1), D(2028, 1, 31)),
        (2, D(2028, 2, 1), D(2028, 6, 30)),
    ]


# --- The plan -------------------------------------------------------------------------------


def test_plan_pupil_by_pupil(ro):
    a = ro.a
    _input, plan = plan_of(a, {a.class_b.pk: a.new_homeroom.pk})
    moves = {m.pupil_id: m for m in plan.moves}
    assert (moves[a.pupil.pk].action, moves[a.pupil.pk].to_class) == ("promote", "5a")
    assert (moves[a.failing.pk].action, moves[a.failing.pk].to_class) == ("repeat", "4a")
    assert (moves[a.other_pupil.pk].to_class, moves[a.other_pupil.pk].outcome) == (
        "6a",
        Out.PROMOTED_WITH_HONOURS,
    )
    assert (moves[a.repeater_5.pk].action, moves[a.repeater_5.pk].to_class) == ("repeat", "5a")
    assert moves[a.graduate.pk].action == "leave"
    assert moves[a.graduate.pk].enrolment_ends == a.year.end
    # Moved from 4b to 4a in January: 4a counts, and its decision.
    assert (moves[a.mover.pk].from_class, moves[a.mover.pk].to_class) == ("4a", "5a")
    assert a.left_early.pk not in moves
    # No confirmed decision in the last class: leaves, listed as a warning, not blocking.
    assert moves[a.undecided_8.pk].action == "leave"
    assert [m.pupil_id for m in plan.undecided] == [a.undecided_8.pk]
    assert plan.blocking_undecided == ()
    classes = {c.name: c for c in plan.classes}
    assert sorted(classes) == ["4a", "5a", "5b", "6a"]
    assert classes["4a"].source_id is None  # no 3a this year: made for the repeater
    assert classes["5a"].source_id == a.class_a.pk
    assert classes["5a"].homeroom_id == a.homeroom.pk and not classes["5a"].homeroom_changed
    assert classes["6a"].homeroom_id == a.new_homeroom.pk and classes["6a"].homeroom_changed
    assert plan.leaving_classes == ("8a",)
    assert sum(x.timetable_entries for x in classes["5a"].assignments) == 3
    assert classes["5a"].groups == ("angielski 1",)
    assert not plan.errors


def test_a_pupil_without_a_decision_is_promoted_in_the_preview_and_blocks(ro):
    a = ro.a
    PromotionDecision.objects.filter(pupil=a.pupil).update(admin_confirmed_at=None)
    _input, plan = plan_of(a)
    move = next(m for m in plan.moves if m.pupil_id == a.pupil.pk)
    assert (move.action, move.to_class, move.confirmed) == ("promote", "5a", False)
    assert [m.pupil_id for m in plan.blocking_undecided] == [a.pupil.pk]


def test_preview_queries_do_not_grow_with_pupils(ro):
    a = ro.a
    year_input = rollover.next_year_defaults(a.year)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rollover.rollover_plan(school=a.school, year_input=year_input)
        return len(ctx)

    before = count()
    for i in range(6):
        extra = SchoolClassFactory(school_year=a.year, name=f"6{'bcdefg'[i]}", level=6)
        TeachingAssignmentFactory(school_class=extra)
        for j in range(3):
            decide(make_pupil(extra, username=f"extra-{i}-{j}"), extra, Out.PROMOTED)
    assert count() == before


# --- Applying it ----------------------------------------------------------------------------


def test_apply_pupil_by_pupil(ro):
    a = ro.a
    result = apply(a, {a.class_b.pk: a.new_homeroom.pk}, override=False)
    new = result.new_year
    old = SchoolYear.objects.get(pk=a.year.pk)
    assert new.is_current and new.name == "2027/2028" and new.closed_at is None
    assert not old.is_current and old.closed_at is not None and old.closed_by == a.admin
    assert list(new.terms.values_list("number", "start", "end")) == [
        (1, D(2027, 9, 1), D(2028, 1, 31)),
        (2, D(2028, 2, 1), D(2028, 6, 30)),
    ]
    assert class_next_year(a.pupil, new) == "5a"
    assert class_next_year(a.failing, new) == "4a"
    assert class_next_year(a.other_pupil, new) == "6a"
    assert class_next_year(a.repeater_5, new) == "5a"
    assert class_next_year(a.mover, new) == "5a"
    for leaver in (a.graduate, a.undecided_8):
        assert not Enrolment.objects.filter(pupil=leaver, school_class__school_year=new).exists()
        assert Enrolment.objects.get(pupil=leaver).end_date == old.end
    # Every enrolment of the old year ends on its last day at the latest.
    assert not Enrolment.objects.filter(school_class__school_year=old, end_date__isnull=True)
    assert Enrolment.objects.get(pupil=a.left_early).end_date == D(2027, 3, 1)
    assert Enrolment.objects.filter(pupil=a.mover, school_class=a.class_4b).get().end_date == D(
        2027, 1, 15
    )
    classes = {c.name: c for c in SchoolClass.objects.filter(school_year=new)}
    assert classes["5a"].homeroom_teacher == a.homeroom  # kept
    assert classes["6a"].homeroom_teacher == a.new_homeroom  # changed
    assert classes["4a"].homeroom_teacher is None
    copied = TeachingAssignment.objects.filter(school_class=classes["5a"])
    assert {(x.subject_id, x.teacher_id, bool(x.group_id)) for x in copied} == {
        (a.assignment.subject_id, a.teacher.pk, False),
        (a.group_assignment.subject_id, a.teacher.pk, True),
    }
    slots = TimetableEntry.objects.filter(assignment__school_class=classes["5a"])
    assert sorted(slots.values_list("weekday", "number", "room")) == [
        (0, 1, "12"),
        (1, 2, ""),
        (2, 3, "12"),
    ]
    group = TeachingGroup.objects.get(school_class=classes["5a"])
    assert list(group.pupils.all()) == [a.pupil]  # the repeater stays behind
    # The old year is untouched apart from the enrolments' end.
    assert TimetableEntry.objects.filter(assignment__school_class__school_year=old).count() == 3
    event = AuditEvent.objects.get(action="school_year.rollover")
    assert event.category == AuditEvent.Category.YEAR_END and event.actor == a.admin
    assert event.after["promoted"] == 3 and event.after["not_promoted"] == 2
    assert event.after["leaving"] == 2 and event.after["timetable_entries_copied"] == 3
    assert AuditEvent.objects.filter(action="school_year.close", target_id=old.pk).exists()
    # School B is untouched.
    assert SchoolYear.objects.filter(school=ro.b.school).count() == 1
    assert SchoolYear.objects.get(pk=ro.b.year.pk).is_current


def test_undecided_pupils_need_the_override_which_is_recorded(ro):
    a = ro.a
    PromotionDecision.objects.filter(pupil=a.pupil).delete()
    with pytest.raises(PortalError) as refused:
        apply(a, override=False)
    assert refused.value.code == "undecided"
    assert SchoolYear.objects.filter(school=a.school).count() == 1
    new = apply(a, override=True).new_year
    assert class_next_year(a.pupil, new) == "5a"
    event = AuditEvent.objects.get(action="school_year.rollover")
    assert event.after["undecided_promoted_by_override"] == [a.pupil.pk] and event.reason


def test_a_second_run_is_refused(ro):
    a = ro.a
    year_input, plan = plan_of(a)
    kwargs = {"school": a.school, "user": a.admin, "year_input": year_input, "homerooms": None}
    rollover.rollover_apply(**kwargs, digest=plan.digest)
    with pytest.raises(PortalError) as refused:
        rollover.rollover_apply(**kwargs, digest=plan.digest)
    assert refused.value.code == "plan_changed"
    # A fresh plan of the same year: the name and dates are taken.
    a.school.refresh_from_db()
    again = rollover.rollover_plan(school=a.school, year_input=year_input)
    assert again.errors
    with pytest.raises(PortalError) as refused:
        rollover.rollover_apply(**kwargs, digest=again.digest, override_undecided=True)
    assert refused.value.code == "invalid_plan"
    assert SchoolYear.objects.filter(school=a.school).count() == 2


def test_a_change_after_the_preview_is_refused(ro):
    a = ro.a
    year_input, plan = plan_of(a)
    PromotionDecision.objects.filter(pupil=a.pupil).update(outcome=Out.NOT_PROMOTED)
    with pytest.raises(PortalError) as refused:
        rollover.rollover_apply(
            school=a.school,
            user=a.admin,
            year_input=year_input,
            homerooms=None,
            digest=plan.digest,
        )
    assert refused.value.code == "plan_changed"
    assert SchoolYear.objects.filter(school=a.school).count() == 1


def test_an_error_rolls_everything_back(ro, monkeypatch):
    a = ro.a

    def broken(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: portal_schoolclass.school_year_id")

    monkeypatch.setattr(rollover, "_copy_teaching", broken)
    with pytest.raises(PortalError) as refused:
        apply(a)
    assert refused.value.code == "apply_failed"
    assert "nic nie zmieniono" in refused.value.message.lower()
    assert SchoolYear.objects.filter(school=a.school).count() == 1
    year = SchoolYear.objects.get(pk=a.year.pk)
    assert year.is_current and year.closed_at is None
    assert Enrolment.objects.filter(school_class__school_year=year, end_date__isnull=True).count()
    assert not AuditEvent.objects.filter(action="school_year.rollover").exists()


def test_only_the_school_s_year_end_runners_apply(ro):
    with pytest.raises(PortalError):
        apply(ro.a, user=ro.b.admin)
    with pytest.raises(PortalError):
        apply(ro.a, user=ro.a.teacher)
    assert SchoolYear.objects.filter(school=ro.a.school).count() == 1


# --- The wizard's pages ---------------------------------------------------------------------


def wizard_urls(side):
    pk = side.school.pk
    return {
        name: reverse(f"yearend_rollover:{name}", args=[pk])
        for name in ("year", "classes", "preview", "years")
    }


@pytest.mark.parametrize("who", ["other_admin", "teacher", "homeroom", "guardian", "pupil"])
def test_the_wizard_is_404_for_others(ro, login, who):
    user = {
        "other_admin": ro.b.admin,
        "teacher": ro.a.teacher,
        "homeroom": ro.a.homeroom,
        "guardian": ro.a.guardian,
        "pupil": ro.a.pupil,
    }[who]
    client = login(user)
    for url in wizard_urls(ro.a).values():
        assert client.get(url).status_code == 404, url
    pk = ro.a.school.pk
    assert client.post(reverse("yearend_rollover:apply", args=[pk])).status_code == 404
    close = reverse("yearend_rollover:reopen", args=[pk, ro.a.year.pk])
    assert client.post(close, {"reason": "x"}).status_code == 404
    assert SchoolYear.objects.filter(school=ro.a.school).count() == 1


def test_the_wizard_end_to_end_in_polish(ro, login):
    a = ro.a
    client = login(a.admin)
    urls = wizard_urls(a)
    page = client.get(urls["year"]).content.decode()
    assert "Następny rok szkolny" in page and 'value="2027/2028"' in page
    # Bad dates: a Polish message, nothing kept.
    response = client.post(
        urls["year"],
        {
            "name": "2027/2028",
            "start": "2027-09-01",
            "end": "2028-06-30",
            "term_1_start": "2027-09-01",
            "term_1_end": "2028-02-15",
            "term_2_start": "2028-02-01",
            "term_2_end": "2028-06-30",
        },
    )
    assert response.status_code == 200
    assert "musi zaczynać się po zakończeniu poprzedniego" in response.content.decode()
    response = client.post(
        urls["year"],
        {
            "name": "2027/2028",
            "start": "2027-09-01",
            "end": "2028-06-30",
            "term_1_start": "2027-09-01",
            "term_1_end": "2028-01-28",
            "term_2_start": "2028-01-31",
            "term_2_end": "2028-06-30",
        },
    )
    assert response.status_code == 302 and response["Location"] == urls["classes"]
    page = client.get(urls["classes"]).content.decode()
    assert "Wychowawca" in page and "Opuszcza szkołę" in page
    response = client.post(
        urls["classes"],
        {
            f"homeroom_{a.class_a.pk}": str(a.homeroom.pk),
            f"homeroom_{a.class_b.pk}": str(a.new_homeroom.pk),
            f"homeroom_{a.class_4b.pk}": "",
        },
    )
    assert response["Location"] == urls["preview"]
    page = client.get(urls["preview"]).content.decode()
    assert "Podgląd i zastosowanie" in page and "brak zatwierdzonej decyzji" in page
    assert a.undecided_8.sort_name in page
    # one overview row per class, each class's pupils folded under it
    assert "Uczniowie według klas" in page
    plan = rollover.rollover_plan(school=a.school, year_input=rollover.next_year_defaults(a.year))
    assert page.count('<details id="moves-') == len({m.from_class_id for m in plan.moves})
    digest = page.split('name="digest" value="')[1].split('"')[0]
    response = client.post(
        reverse("yearend_rollover:apply", args=[a.school.pk]), {"digest": digest}
    )
    assert response["Location"] == urls["years"]
    page = client.get(urls["years"]).content.decode()
    assert "Rok szkolny 2027/2028 rozpoczął się" in page
    new = SchoolYear.objects.get(school=a.school, is_current=True)
    assert new.terms.get(number=2).start == D(2028, 1, 31)
    assert SchoolClass.objects.get(school_year=new, name="6a").homeroom_teacher == a.new_homeroom


def test_a_bad_homeroom_choice_is_refused_in_polish(ro, login):
    a = ro.a
    client = login(a.admin)
    session = client.session
    session[f"yearend_rollover_{a.school.pk}"] = {
        "year": rollover.next_year_defaults(a.year).to_session()
    }
    session.save()
    url = wizard_urls(a)["classes"]
    response = client.post(url, {f"homeroom_{a.class_a.pk}": str(ro.b.teacher.pk)}, follow=True)
    assert "Wybierz nauczyciela tej szkoły" in response.content.decode()


def test_a_stale_preview_is_refused_in_polish(ro, login):
    a = ro.a
    client = login(a.admin)
    session = client.session
    session[f"yearend_rollover_{a.school.pk}"] = {
        "year": rollover.next_year_defaults(a.year).to_session()
    }
    session.save()
    response = client.post(
        reverse("yearend_rollover:apply", args=[a.school.pk]), {"digest": "stale"}, follow=True
    )
    assert "Od podglądu coś się zmieniło" in response.content.decode()
    assert SchoolYear.objects.filter(school=a.school).count() == 1


# --- The finished year ----------------------------------------------------------------------


def test_reopen_needs_a_reason_and_closing_again_is_recorded(ro, login):
    a = ro.a
    old = apply(a).new_year and SchoolYear.objects.get(pk=a.year.pk)
    client = login(a.admin)
    reopen = reverse("yearend_rollover:reopen", args=[a.school.pk, old.pk])
    page = client.post(reopen, {"reason": " "}, follow=True).content.decode()
    assert "Podaj powód ponownego otwarcia roku" in page
    old.refresh_from_db()
    assert old.closed_at is not None
    client.post(reopen, {"reason": "Poprawka oceny po egzaminie"})
    old.refresh_from_db()
    assert old.closed_at is None
    event = AuditEvent.objects.get(action="school_year.reopen")
    assert event.reason == "Poprawka oceny po egzaminie" and event.actor == a.admin
    client.post(reverse("yearend_rollover:close", args=[a.school.pk, old.pk]), {"reason": ""})
    old.refresh_from_db()
    assert old.closed_at is not None and old.closed_by == a.admin
    assert AuditEvent.objects.filter(action="school_year.close", target_id=old.pk).count() == 2


# --- Families keep their previous years -----------------------------------------------------


def test_families_read_the_previous_year_s_grades(ro, login):
    a = ro.a
    new = apply(a).new_year
    with time_machine.travel("2027-10-13 10:00:00+02:00", tick=False):
        client = login(a.guardian, mfa=False)
        url = reverse("gradebook:pupil", args=[a.pupil.pk])
        page = client.get(url).content.decode()
        assert "Klasa 5a" in page and "Pokazywany rok szkolny" in page
        old = Enrolment.objects.get(pupil=a.pupil, school_class__school_year=a.year)
        assert f"?klasa={old.pk}" in page and "2026/2027: klasa 4a" in page
        page = client.get(f"{url}?klasa={old.pk}").content.decode()
        assert "Klasa 4a" in page
        # The same for the pupil; another pupil's enrolment is not found.
        client = login(a.pupil, mfa=False)
        assert client.get(f"{url}?klasa={old.pk}").status_code == 200
        other = Enrolment.objects.get(pupil=a.other_pupil, school_class__school_year=new)
        assert client.get(f"{url}?klasa={other.pk}").status_code == 404


def test_a_liceum_s_fourth_class_completes_school(june, db):
    """A liceum has four classes: its 4a leaves (it was planned into a 5a before),
    and its 3a moves up to 4a; a technikum keeps its 4th class for a 5th."""
    from portal.models import School

    s = build_school_world("lo")
    s.school.school_type = School.Type.LYCEUM
    s.school.save()
    class_3 = SchoolClassFactory(school_year=s.year, name="3a", level=3)
    third = make_pupil(class_3, username="lo-third", last_name="Ryś")
    decide(s.pupil, s.class_a, Out.GRADUATED)
    decide(third, class_3, Out.PROMOTED)
    _input, plan = plan_of(s)
    moves = {m.pupil_id: m for m in plan.moves}
    assert moves[s.pupil.pk].action == "leave"
    assert (moves[third.pk].action, moves[third.pk].to_class) == ("promote", "4a")
    assert "4a" in plan.leaving_classes and "5a" not in {c.name for c in plan.classes}
    assert [School(school_type=t).max_level for t in School.Type.values] == [6, 8, 4, 5, 3]
