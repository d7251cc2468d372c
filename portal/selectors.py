"""Read-side queries of the core domain."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    Enrolment,
    GuardianLink,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    TeachingAssignment,
    User,
)


def current_class_of(pupil: User, day: datetime.date | None = None) -> SchoolClass | None:
    day = day or timezone.localdate()
    enrolment = (
        Enrolment.objects.active_on(day)
        .filter(pupil=pupil)
        .select_related("school_class__school_year__school", "school_class__homeroom_teacher")
        .order_by("-start_date")
        .first()
    )
    return enrolment.school_class if enrolment else None


def children_with_classes(
    guardian: User, day: datetime.date | None = None, enrolments: list | None = None
) -> list[dict]:
    """A guardian's children, each with their current class and school (2 queries; 1
    when the children's `enrolments` active on the day are given, newest first, with
    their classes: `portal.family.Family.enrolments`)."""
    day = day or timezone.localdate()
    links = GuardianLink.objects.filter(guardian=guardian).select_related("pupil")
    if enrolments is None:
        links = links.prefetch_related(
            Prefetch(
                "pupil__enrolments",
                queryset=Enrolment.objects.active_on(day)
                .select_related(
                    "school_class__school_year__school", "school_class__homeroom_teacher"
                )
                .order_by("-start_date", "-pk"),
                to_attr="active_enrolments",
            )
        )
    else:
        newest = {}
        for enrolment in enrolments:
            newest.setdefault(enrolment.pupil_id, enrolment)
    result = []
    for link in links.order_by("pupil__first_name"):
        if enrolments is None:
            active = link.pupil.active_enrolments
            enrolment = active[0] if active else None
        else:
            enrolment = newest.get(link.pupil_id)
        result.append(
            {
                "pupil": link.pupil,
                "relation": link.get_relation_display(),
                "school_class": enrolment.school_class if enrolment else None,
            }
        )
    return result


def teacher_assignments(teacher: User):
    return (
        TeachingAssignment.objects.current()
        .filter(teacher=teacher)
        .select_related("school_class__school_year__school", "subject", "group")
        .order_by(
            "school_class__school_year__school__name",
            "school_class__level",
            "school_class__name",
            "subject__name",
        )
    )


def active_pupil_count_subquery(day: datetime.date):
    return Coalesce(
        Subquery(
            Enrolment.objects.active_on(day)
            .filter(school_class=OuterRef("pk"))
            .values("school_class")
            .annotate(n=Count("pupil", distinct=True))
            .values("n")[:1]
        ),
        0,
    )


def with_pupil_counts(classes, day: datetime.date | None = None):
    """Classes with their homeroom teacher and the number of pupils on `day`."""
    day = day or timezone.localdate()
    return (
        classes.select_related("school_year__school", "homeroom_teacher")
        .annotate(pupil_count=active_pupil_count_subquery(day))
        .order_by("school_year__school__name", "level", "name")
    )


def school_overview(schools, day: datetime.date | None = None) -> list[dict]:
    """Per school: classes, pupils and teachers this year (a fixed number of queries)."""
    day = day or timezone.localdate()
    schools = list(schools)
    ids = [s.pk for s in schools]
    classes = (
        SchoolClass.objects.current()
        .filter(school_year__school_id__in=ids)
        .values("school_year__school_id")
        .annotate(n=Count("id"))
    )
    pupils = (
        Enrolment.objects.active_on(day)
        .filter(
            school_class__school_year__is_current=True, school_class__school_year__school_id__in=ids
        )
        .values("school_class__school_year__school_id")
        .annotate(n=Count("pupil", distinct=True))
    )
    teachers = (
        RoleAssignment.objects.filter(role=Role.TEACHER, school_id__in=ids)
        .values("school_id")
        .annotate(n=Count("user", distinct=True))
    )
    class_count = {r["school_year__school_id"]: r["n"] for r in classes}
    pupil_count = {r["school_class__school_year__school_id"]: r["n"] for r in pupils}
    teacher_count = {r["school_id"]: r["n"] for r in teachers}
    return [
        {
            "school": s,
            "classes": class_count.get(s.pk, 0),
            "pupils": pupil_count.get(s.pk, 0),
            "teachers": teacher_count.get(s.pk, 0),
        }
        for s in schools
    ]


def name_search(text: str, *, prefix: str = "", email: bool = False) -> Q:
    """Every word of `text` in the first name, last name or login (or e-mail)
    of the user at `prefix` ("pupil__", "person__" or "" for the user itself)."""
    fields = ["first_name", "last_name", "username", *(["email"] if email else [])]
    condition = Q()
    for word in text.split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{prefix}{field}__icontains": word})
        condition &= any_field
    return condition


def people_of_school(school: School, *, search: str = "", role: str = ""):
    """Everyone attached to a school: staff by role, pupils by enrolment, guardians
    through their children."""
    staff = Q(role_assignments__school=school)
    pupils = Q(enrolments__school_class__school_year__school=school)
    guardians = Q(children_links__pupil__enrolments__school_class__school_year__school=school)
    if role == "pupil":
        condition = pupils
    elif role == "guardian":
        condition = guardians
    elif role:
        condition = Q(role_assignments__school=school, role_assignments__role=role)
    else:
        condition = staff | pupils | guardians
    ids = User.objects.filter(condition).values("pk")
    people = User.objects.filter(pk__in=ids)
    if search:
        people = people.filter(name_search(search, email=True))
    return people.prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.filter(school=school))
    ).order_by("last_name", "first_name")
