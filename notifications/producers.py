"""What each kind of event tells whom. Services call `announce(event, ids)`
inside their transaction; once it commits, the `produce` task turns the ids
into notifications (`services.notify`) and hands them to delivery.

Every builder is idempotent through its event keys: a retried task makes
nothing twice. Keys of term grades and test changes are those the e-register
used before the notification centre, so copied rows are not told again."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Kind
from .recipients import family_of

Builder = Callable[..., Iterator[dict]]
_builders: dict[str, Builder] = {}


def builder(event: str):
    def register(func: Builder) -> Builder:
        _builders[event] = func
        return func

    return register


def announce(event: str, ids, **extra) -> None:
    """Queue the notifications of `event` for these object ids, after commit."""
    from .tasks import produce

    ids = sorted({int(i) for i in ids})
    if event not in _builders or not (ids or extra):
        return
    transaction.on_commit(lambda: produce.enqueue(event, ids, extra))


def build(event: str, ids: list[int], extra: dict | None = None) -> Iterator[dict]:
    return _builders[event](ids, **(extra or {}))


def _school_of_assignment(assignment) -> int:
    return assignment.school_class.school_year.school_id


def _week_url(pupil_id: int, day: datetime.date, anchor: str) -> str:
    return f"{reverse('register:week')}?pupil={pupil_id}&week={day:%Y-%m-%d}#{anchor}"


def _for_family(pupil_id, school_id, recipients_by_pupil, **fields) -> Iterator[dict]:
    recipients = recipients_by_pupil.get(pupil_id) or []
    if recipients:
        yield {"recipients": recipients, "pupil": pupil_id, **fields}


# --- Grades ------------------------------------------------------------------------------


def grade_url(grade) -> str:
    """The pupil's grades page, opened at this grade (its details and history)."""
    term = grade.assessment.term
    base = reverse("gradebook:pupil", args=[grade.pupil_id])
    return f"{base}?widok=tabela&okres={term.number}#ocena-{grade.pk}"


@builder("grades")
def _grades(ids: list[int]) -> Iterator[dict]:
    """New or changed grades. One teacher's grades of one subject on one day
    fold into one growing item per recipient while unread ("5 new grades")."""
    from gradebook.models import Grade

    grades = list(
        Grade.objects.filter(pk__in=ids)
        .select_related(
            "pupil",
            "assessment__term",
            "assessment__assignment__subject",
            "assessment__assignment__school_class__school_year",
        )
        .order_by("pk")
    )
    by_school: dict[int, set[int]] = defaultdict(set)
    for g in grades:
        by_school[_school_of_assignment(g.assessment.assignment)].add(g.pupil_id)
    families = {}
    for school_id, pupil_ids in by_school.items():
        for pupil_id, recipients in family_of(pupil_ids, school_id).items():
            families[(school_id, pupil_id)] = recipients
    today = timezone.localdate()
    for g in grades:
        assignment = g.assessment.assignment
        subject = assignment.subject.name
        school_id = _school_of_assignment(assignment)
        recipients = families.get((school_id, g.pupil_id)) or []
        if not recipients:
            continue

        def grouped(count, subject=subject):
            return ngettext(
                "%(subject)s: %(count)s new grade",
                "%(subject)s: %(count)s new grades",
                count,
            ) % {"subject": subject, "count": count}

        yield {
            "recipients": recipients,
            "pupil": g.pupil_id,
            "kind": Kind.GRADE,
            "title": _("New grade: %(subject)s %(grade)s")
            % {"subject": subject, "grade": g.symbol},
            "body": _("%(pupil)s – %(assessment)s")
            % {"pupil": g.pupil.get_full_name(), "assessment": g.assessment.name},
            "url": grade_url(g),
            "key": f"grade:{g.pk}:{g.symbol}",
            "group_key": f"grades:{assignment.pk}:{today:%Y%m%d}",
            "group_title": grouped,
        }


@builder("term_grades")
def _term_grades(ids: list[int]) -> Iterator[dict]:
    from gradebook.models import TermGrade
    from gradebook.scale import grade_word

    grades = TermGrade.objects.filter(pk__in=ids).select_related(
        "pupil", "assignment__subject", "assignment__school_class__school_year", "term"
    )
    for tg in grades.order_by("pk"):
        if tg.kind == TermGrade.Kind.PROPOSED:
            label = _("proposed grade")
        elif tg.term.number == 1:
            label = _("mid-year grade")
        else:
            label = _("annual grade")
        value = f"{tg.grade} ({grade_word(tg.grade)})" if tg.grade else _("descriptive assessment")
        title = _("%(pupil)s – %(subject)s: %(label)s %(value)s") % {
            "pupil": tg.pupil.get_full_name(),
            "subject": tg.assignment.subject.name,
            "label": label,
            "value": value,
        }
        # Stable across processes (str hash() is salted per process).
        digest = hashlib.sha1(tg.description.encode()).hexdigest()[:12]
        school_id = _school_of_assignment(tg.assignment)
        url = reverse("gradebook:pupil", args=[tg.pupil_id])
        url += f"?widok=tabela&okres={tg.term.number}"
        yield from _for_family(
            tg.pupil_id,
            school_id,
            family_of([tg.pupil_id], school_id),
            kind=Kind.TERM_GRADE,
            title=title,
            url=url,
            key=f"term:{tg.pk}:{tg.grade or ''}:{digest}",
        )


# --- Class register ----------------------------------------------------------------------


@builder("attendance")
def _attendance(ids: list[int]) -> Iterator[dict]:
    """Absences and lateness (not presence) recorded or changed."""
    from gradebook.register.models import Attendance

    S = Attendance.Status
    rows = list(
        Attendance.objects.filter(pk__in=ids, status__in=[S.UNEXCUSED, S.LATE])
        .select_related(
            "pupil", "lesson__assignment__subject", "lesson__assignment__school_class__school_year"
        )
        .order_by("pk")
    )
    if not rows:
        return
    school_id = _school_of_assignment(rows[0].lesson.assignment)
    families = family_of([r.pupil_id for r in rows], school_id)
    for row in rows:
        lesson = row.lesson
        words = {
            "pupil": row.pupil.get_full_name(),
            "subject": lesson.assignment.subject.name,
            "date": date_format(lesson.date, "SHORT_DATE_FORMAT"),
            "number": lesson.number,
        }
        if row.status == S.LATE:
            title = _("Late: %(pupil)s, %(subject)s on %(date)s (lesson %(number)s)") % words
        else:
            title = _("Absent: %(pupil)s, %(subject)s on %(date)s (lesson %(number)s)") % words
        yield from _for_family(
            row.pupil_id,
            school_id,
            families,
            kind=Kind.ATTENDANCE,
            title=title,
            url=_week_url(
                row.pupil_id, lesson.date, f"lekcja-{lesson.date:%Y-%m-%d}-{lesson.number}"
            ),
            key=f"attendance:{row.pk}:{row.status}",
        )


@builder("remark")
def _remarks(ids: list[int]) -> Iterator[dict]:
    from gradebook.register.models import Remark

    for remark in Remark.objects.filter(pk__in=ids).select_related(
        "pupil", "school_class__school_year"
    ):
        school_id = remark.school_class.school_year.school_id
        yield from _for_family(
            remark.pupil_id,
            school_id,
            family_of([remark.pupil_id], school_id),
            kind=Kind.REMARK,
            title=_("%(kind)s remark: %(pupil)s")
            % {"kind": remark.get_kind_display(), "pupil": remark.pupil.get_full_name()},
            body=remark.text[:500],
            url=f"{reverse('register:remarks')}?pupil={remark.pupil_id}#uwaga-{remark.pk}",
            key=f"remark:{remark.pk}",
        )


@builder("excuse")
def _excuses(ids: list[int]) -> Iterator[dict]:
    from gradebook.register.models import Excuse

    decided = Excuse.objects.filter(pk__in=ids).exclude(status=Excuse.Status.PENDING)
    for excuse in decided.select_related("pupil", "school_class__school_year"):
        school_id = excuse.school_class.school_year.school_id
        if excuse.status == Excuse.Status.ACCEPTED:
            title = _("Excuse accepted: %(pupil)s")
        else:
            title = _("Excuse rejected: %(pupil)s")
        yield from _for_family(
            excuse.pupil_id,
            school_id,
            family_of([excuse.pupil_id], school_id),
            kind=Kind.EXCUSE,
            title=title % {"pupil": excuse.pupil.get_full_name()},
            body=excuse.decision_reason[:500],
            url=f"{reverse('register:excuses')}#usprawiedliwienie-{excuse.pk}",
            key=f"excuse:{excuse.pk}:{excuse.status}",
        )


def _class_families(assignment, day) -> tuple[int, dict[int, list[int]]]:
    school_id = _school_of_assignment(assignment)
    pupils = list(assignment.pupils_on(day).values_list("pk", flat=True))
    return school_id, family_of(pupils, school_id)


@builder("homework")
def _homework(ids: list[int]) -> Iterator[dict]:
    from gradebook.register.models import Homework

    items = Homework.objects.filter(pk__in=ids).select_related(
        "assignment__subject", "assignment__school_class__school_year"
    )
    for hw in items:
        school_id, families = _class_families(hw.assignment, timezone.localdate())
        for pupil_id in families:
            yield from _for_family(
                pupil_id,
                school_id,
                families,
                kind=Kind.HOMEWORK,
                title=_("Homework in %(subject)s for %(date)s")
                % {
                    "subject": hw.assignment.subject.name,
                    "date": date_format(hw.due_date, "SHORT_DATE_FORMAT"),
                },
                body=hw.description[:500],
                url=_week_url(pupil_id, hw.due_date, f"zadanie-{hw.pk}"),
                key=f"homework:{hw.pk}",
            )


@builder("test")
def _tests(ids: list[int]) -> Iterator[dict]:
    from gradebook.register.models import PlannedTest

    items = PlannedTest.objects.filter(pk__in=ids).select_related(
        "assignment__subject", "assignment__school_class__school_year"
    )
    for test in items:
        school_id, families = _class_families(test.assignment, test.date)
        for pupil_id in families:
            yield from _for_family(
                pupil_id,
                school_id,
                families,
                kind=Kind.TEST,
                title=_("%(kind)s in %(subject)s on %(date)s")
                % {
                    "kind": test.get_kind_display(),
                    "subject": test.assignment.subject.name,
                    "date": date_format(test.date, "SHORT_DATE_FORMAT"),
                },
                body=test.scope[:500],
                url=_week_url(pupil_id, test.date, f"sprawdzian-{test.pk}"),
                key=f"test-new:{test.pk}",
            )


@builder("test_change")
def _test_change(ids: list[int], what: str = "", old: str = "", new: str = "") -> Iterator[dict]:
    """A planned test moved (or is off: `new` empty)."""
    from portal.models import TeachingAssignment

    assignment = (
        TeachingAssignment.objects.filter(pk__in=ids)
        .select_related("school_class__school_year")
        .first()
    )
    if assignment is None:
        return
    old_day = datetime.date.fromisoformat(old)
    new_day = datetime.date.fromisoformat(new) if new else None
    key = hashlib.sha1(f"{assignment.pk}|{what}|{old}|{new}".encode()).hexdigest()[:20]
    short = "SHORT_DATE_FORMAT"
    if new_day is None:
        title = _("%(what)s planned for %(old)s is off.") % {
            "what": what,
            "old": date_format(old_day, short),
        }
    else:
        title = _("%(what)s moved from %(old)s to %(new)s.") % {
            "what": what,
            "old": date_format(old_day, short),
            "new": date_format(new_day, short),
        }
    school_id, families = _class_families(assignment, min(old_day, new_day or old_day))
    for pupil_id in families:
        yield from _for_family(
            pupil_id,
            school_id,
            families,
            kind=Kind.TEST,
            title=title,
            url=_week_url(pupil_id, new_day or old_day, "testy"),
            key=f"test:{key}:{pupil_id}",
        )


@builder("announcement")
def _announcements(ids: list[int]) -> Iterator[dict]:
    """The announcement's audience: pupils and (by the setting) guardians of the
    school or of the chosen classes, the school's guardians, or its staff."""
    from gradebook.register.models import Announcement
    from portal.models import Enrolment, GuardianLink, RoleAssignment

    today = timezone.localdate()
    A = Announcement.Audience
    for item in Announcement.objects.filter(pk__in=ids).prefetch_related("classes"):
        if item.audience == A.STAFF:
            recipients = set(
                RoleAssignment.objects.filter(school_id=item.school_id).values_list(
                    "user_id", flat=True
                )
            )
        else:
            enrolments = Enrolment.objects.active_on(today).filter(
                school_class__school_year__school_id=item.school_id,
                school_class__school_year__is_current=True,
            )
            if item.audience == A.CLASSES:
                enrolments = enrolments.filter(school_class__in=item.classes.all())
            pupils = set(enrolments.values_list("pupil_id", flat=True))
            if item.audience == A.GUARDIANS:
                recipients = set(
                    GuardianLink.objects.filter(
                        pupil_id__in=pupils, guardian__is_active=True
                    ).values_list("guardian_id", flat=True)
                )
            else:
                recipients = {
                    u for ids_ in family_of(pupils, item.school_id).values() for u in ids_
                }
        recipients.discard(item.author_id)
        if recipients:
            yield {
                "recipients": sorted(recipients),
                "kind": Kind.ANNOUNCEMENT,
                "title": _("Announcement: %(title)s") % {"title": item.title},
                "body": item.body[:500],
                "url": reverse("register:announcement", args=[item.pk]),
                "key": f"announcement:{item.pk}",
            }


# --- Library -----------------------------------------------------------------------------


@builder("library")
def _library(ids: list[int], events: list | None = None) -> Iterator[dict]:
    """Library reminders: `events` are [kind, key, reader_id, school_id, title,
    text] as the daily circulation run found them."""
    for _kind, key, reader_id, school_id, title, text in events or []:
        recipients = family_of([reader_id], school_id).get(reader_id) or []
        common = {"kind": Kind.LIBRARY, "title": title, "body": text, "key": f"library:{key}"}
        if reader_id in recipients:  # the reader's own account page
            yield {"recipients": [reader_id], "url": reverse("circulation:account"), **common}
        guardians = [r for r in recipients if r != reader_id]
        if guardians:  # the child's account as their guardians see it
            url = reverse("circulation:account_child", args=[reader_id])
            yield {"recipients": guardians, "pupil": reader_id, "url": url, **common}
