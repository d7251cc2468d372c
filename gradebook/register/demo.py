"""Demo data of the class register for `seed_demo`: per school a weekly timetable,
free days, the current term's taken lessons (from its first day to today) with
topics and realistic attendance, excuses, remarks, homework, tests and
announcements. A school whose year already has a timetable is skipped, so the seed
is idempotent (lessons are no marker: on the first day of a year there are none yet)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from portal.models import (
    Enrolment,
    GuardianLink,
    Role,
    RoleAssignment,
    SchoolClass,
    TeachingAssignment,
    User,
)

from .models import (
    Announcement,
    Attendance,
    Excuse,
    FreeDay,
    Homework,
    Lesson,
    LessonHour,
    PlannedTest,
    RegisterSettings,
    Remark,
    TimetableEntry,
)

HOURS = {
    "Edukacja wczesnoszkolna": 10,
    "Język polski": 5,
    "Matematyka": 4,
    "Język angielski": 3,
    "Wychowanie fizyczne": 3,
}
TOPICS = {
    "Matematyka": [
        "Ułamki zwykłe – powtórzenie",
        "Dodawanie ułamków o różnych mianownikach",
        "Pole prostokąta i kwadratu",
        "Liczby ujemne na osi liczbowej",
        "Procenty w życiu codziennym",
        "Równania pierwszego stopnia",
    ],
    "Język polski": [
        "Czytanie ze zrozumieniem – opowiadanie",
        "Części mowy – rzeczownik",
        "Opis postaci – ćwiczenia",
        "Lektura: „W pustyni i w puszczy”",
        "Interpunkcja w zdaniu złożonym",
    ],
    "Język angielski": [
        "Present Simple – revision",
        "Vocabulary: food and drinks",
        "Reading: my daily routine",
        "Past Simple – regular verbs",
    ],
}
GENERIC_TOPICS = [
    "Wprowadzenie do nowego działu",
    "Ćwiczenia utrwalające",
    "Praca w grupach",
    "Powtórzenie wiadomości",
    "Omówienie pracy pisemnej",
    "Lekcja z prezentacją multimedialną",
]
REMARKS = {
    Remark.Kind.POSITIVE: [
        "Pomoc koledze w nauce matematyki.",
        "Bardzo dobre przygotowanie do konkursu.",
        "Aktywny udział w akcji charytatywnej.",
    ],
    Remark.Kind.NEGATIVE: [
        "Rozmowy podczas lekcji mimo upomnień.",
        "Brak stroju na wychowaniu fizycznym.",
        "Korzystanie z telefonu na lekcji.",
    ],
    Remark.Kind.NEUTRAL: ["Uczeń zmienił miejsce w sali na prośbę rodzica."],
}


DEMO_BELLS = [
    ((8, 0), (8, 45)),
    ((8, 55), (9, 40)),
    ((9, 50), (10, 35)),
    ((10, 45), (11, 30)),
    ((11, 50), (12, 35)),
    ((12, 45), (13, 30)),
    ((13, 40), (14, 25)),
    ((14, 35), (15, 20)),
]


def _weeks_back(today: datetime.date, weeks: int = 4) -> datetime.date:
    monday = today - datetime.timedelta(days=today.weekday())
    return monday - datetime.timedelta(weeks=weeks)


def _build_timetable(assignments, rng) -> list[TimetableEntry]:
    """Place each class's subjects in the week without double-booking a teacher."""
    busy: set[tuple[int, int, int]] = set()  # (teacher, weekday, number)
    entries = []
    by_class = defaultdict(lambda: defaultdict(list))
    for a in assignments:
        by_class[a.school_class_id][a.subject_id].append(a)
    for _class_id, subjects in by_class.items():
        class_busy: set[tuple[int, int]] = set()
        bundles = list(subjects.values())
        rng.shuffle(bundles)
        for bundle in bundles:
            hours = HOURS.get(bundle[0].subject.name, 2)
            placed = 0
            days = list(range(5))
            rng.shuffle(days)
            for _round in range(3):
                for weekday in days:
                    if placed >= hours:
                        break
                    for number in range(1, 9):
                        if (weekday, number) in class_busy:
                            continue
                        if any((a.teacher_id, weekday, number) in busy for a in bundle):
                            continue
                        class_busy.add((weekday, number))
                        for a in bundle:
                            busy.add((a.teacher_id, weekday, number))
                            entries.append(
                                TimetableEntry(assignment=a, weekday=weekday, number=number)
                            )
                        placed += 1
                        break
    return entries


def seed_register(ctx) -> None:
    today = ctx.today
    for school in ctx.schools:
        year = ctx.years.get(school.pk)
        if year is None:
            continue
        if TimetableEntry.objects.filter(assignment__school_class__school_year=year).exists():
            continue
        with transaction.atomic():
            _seed_school(ctx, school, year, today)


def _seed_school(ctx, school, year, today):
    rng = ctx.rng
    RegisterSettings.objects.get_or_create(school=school)
    # The usual Polish bell schedule: 45-minute lessons, a long break after the 4th.
    for number, (start, end) in enumerate(DEMO_BELLS, start=1):
        LessonHour.objects.get_or_create(
            school=school,
            number=number,
            defaults={"start": datetime.time(*start), "end": datetime.time(*end)},
        )
    for name, start, end in [
        ("Narodowe Święto Niepodległości", datetime.date(year.start.year, 11, 11), None),
        (
            "Zimowa przerwa świąteczna",
            datetime.date(year.start.year, 12, 23),
            datetime.date(year.start.year, 12, 31),
        ),
    ]:
        FreeDay.objects.get_or_create(
            school=school, name=name, defaults={"start": start, "end": end or start}
        )
    free = [(f.start, f.end) for f in FreeDay.objects.filter(school=school)]

    assignments = list(
        TeachingAssignment.objects.filter(school_class__school_year=year).select_related(
            "subject", "group"
        )
    )
    TimetableEntry.objects.bulk_create(_build_timetable(assignments, rng))
    entries = list(
        TimetableEntry.objects.filter(assignment__school_class__school_year=year).select_related(
            "assignment__subject"
        )
    )

    enrolments = defaultdict(list)
    for class_id, pupil_id in (
        Enrolment.objects.active_on(today)
        .filter(school_class__school_year=year)
        .values_list("school_class_id", "pupil_id")
    ):
        enrolments[class_id].append(pupil_id)
    group_members = defaultdict(set)
    for a in assignments:
        if a.group_id and a.group_id not in group_members:
            group_members[a.group_id] = set(a.group.pupils.values_list("pk", flat=True))
    # Each pupil has a propensity to miss whole days; a few miss a lot.
    propensity = {}
    for pupils in enrolments.values():
        for pupil_id in pupils:
            roll = rng.random()
            propensity[pupil_id] = 0.25 if roll < 0.03 else 0.08 if roll < 0.2 else 0.03

    term = year.term_on(today)
    start = term.start if term else max(_weeks_back(today), year.start)
    days = []
    day = start
    while day <= today:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in free):
            days.append(day)
        day += datetime.timedelta(days=1)

    # Whole days of absence per pupil.
    absent_days = {
        (pupil_id, d)
        for pupil_id, p in propensity.items()
        for d in days
        if d != today and rng.random() < p
    }

    lessons = []
    for d in days:
        for entry in entries:
            if entry.weekday != d.weekday():
                continue
            untaken = d == today or rng.random() < 0.02
            subject = entry.assignment.subject.name
            topic = "" if untaken else rng.choice(TOPICS.get(subject, GENERIC_TOPICS))
            lessons.append(
                Lesson(
                    assignment_id=entry.assignment_id,
                    date=d,
                    number=entry.number,
                    topic=topic,
                    attendance_taken=not untaken,
                )
            )
    lessons = [ls for ls in lessons if ls.topic]  # untaken lessons stay virtual
    Lesson.objects.bulk_create(lessons, batch_size=2000)
    lessons = list(
        Lesson.objects.filter(assignment__school_class__school_year=year).select_related(
            "assignment"
        )
    )
    recent = today - datetime.timedelta(days=7)
    rows = []
    s = Attendance.Status
    for lesson in lessons:
        pupils = enrolments.get(lesson.assignment.school_class_id, [])
        if lesson.assignment.group_id:
            pupils = [p for p in pupils if p in group_members[lesson.assignment.group_id]]
        for pupil_id in pupils:
            minutes = None
            if (pupil_id, lesson.date) in absent_days:
                status = s.UNEXCUSED if lesson.date >= recent or rng.random() < 0.15 else s.EXCUSED
            else:
                roll = rng.random()
                if roll < 0.02:
                    status, minutes = s.LATE, rng.choice([3, 5, 10, 15])
                elif roll < 0.025:
                    status = s.RELEASED
                elif roll < 0.03:
                    status = s.SCHOOL
                else:
                    status = s.PRESENT
            rows.append(
                Attendance(lesson=lesson, pupil_id=pupil_id, status=status, minutes_late=minutes)
            )
    Attendance.objects.bulk_create(rows, batch_size=5000)

    _seed_family(ctx, school, year, today)
    _seed_homework_tests(ctx, school, year, today, assignments)
    _seed_announcements(ctx, school, year)


def _seed_family(ctx, school, year, today):
    rng = ctx.rng
    classes = list(SchoolClass.objects.filter(school_year=year))
    teachers = {
        c.pk: list(
            TeachingAssignment.objects.filter(school_class=c).values_list("teacher_id", flat=True)
        )
        for c in classes
    }
    remarks = []
    for c in classes:
        pupils = list(Enrolment.objects.filter(school_class=c).values_list("pupil_id", flat=True))
        for pupil_id in rng.sample(pupils, min(4, len(pupils))):
            kind = rng.choice(list(REMARKS))
            remarks.append(
                Remark(
                    pupil_id=pupil_id,
                    school_class=c,
                    author_id=rng.choice(teachers[c.pk] or [c.homeroom_teacher_id]),
                    kind=kind,
                    text=rng.choice(REMARKS[kind]),
                )
            )
    Remark.objects.bulk_create([r for r in remarks if r.author_id])

    # Excuses: each guardian with unexcused absences of a child older than a few
    # days has sent one; some are decided.
    unexcused = defaultdict(list)
    for att in Attendance.objects.filter(
        lesson__assignment__school_class__school_year=year,
        status=Attendance.Status.UNEXCUSED,
        lesson__date__lt=today - datetime.timedelta(days=1),
    ).select_related("lesson__assignment__school_class"):
        unexcused[att.pupil_id].append(att)
    guardians = dict(
        GuardianLink.objects.filter(pupil_id__in=list(unexcused)).values_list(
            "pupil_id", "guardian_id"
        )
    )
    demo = ctx.accounts.get("demo-pupil")
    for pupil_id, rows in list(unexcused.items()):
        guardian_id = guardians.get(pupil_id)
        if not guardian_id or (rng.random() < 0.5 and not (demo and demo.pk == pupil_id)):
            continue
        school_class = rows[0].lesson.assignment.school_class
        roll = rng.random()
        status = (
            Excuse.Status.PENDING
            if roll < 0.6 or (demo and demo.pk == pupil_id)
            else Excuse.Status.ACCEPTED
            if roll < 0.9
            else Excuse.Status.REJECTED
        )
        excuse = Excuse.objects.create(
            pupil_id=pupil_id,
            school_class=school_class,
            submitted_by_id=guardian_id,
            reason=rng.choice(
                ["Choroba – przeziębienie.", "Wizyta u lekarza.", "Sprawy rodzinne."]
            ),
            status=status,
            decided_by_id=school_class.homeroom_teacher_id if status != "pending" else None,
            decided_at=timezone.now() if status != "pending" else None,
            decision_reason="Brak zaświadczenia." if status == "rejected" else "",
        )
        chosen = rows[: rng.randint(1, len(rows))]
        excuse.attendances.set(chosen)
        if status == Excuse.Status.ACCEPTED:
            Attendance.objects.filter(pk__in=[a.pk for a in chosen]).update(
                status=Attendance.Status.EXCUSED
            )


def _seed_homework_tests(ctx, school, year, today, assignments):
    rng = ctx.rng
    homework, tests = [], []
    per_class_tests = defaultdict(set)
    for a in assignments:
        if a.subject.name in ("Wychowanie fizyczne", "Religia"):
            continue
        for offset in (-3, 2, 6):
            if rng.random() < 0.5:
                homework.append(
                    Homework(
                        assignment=a,
                        due_date=today + datetime.timedelta(days=offset),
                        description=f"{a.subject.name}: ćwiczenia, str. {rng.randint(20, 120)}.",
                        created_by_id=a.teacher_id,
                    )
                )
        if a.subject.name in HOURS or rng.random() < 0.3:
            for _try in range(5):
                date = today + datetime.timedelta(days=rng.randint(8, 30))
                if date.weekday() >= 5 or date in per_class_tests[a.school_class_id]:
                    continue
                per_class_tests[a.school_class_id].add(date)
                tests.append(
                    PlannedTest(
                        assignment=a,
                        date=date,
                        kind=rng.choice([PlannedTest.Kind.TEST, PlannedTest.Kind.QUIZ]),
                        scope=f"{a.subject.name}: dział {rng.randint(1, 6)}",
                        created_by_id=a.teacher_id,
                    )
                )
                break
    Homework.objects.bulk_create(homework)
    PlannedTest.objects.bulk_create(tests)


def _seed_announcements(ctx, school, year):
    admin = (
        User.objects.filter(
            role_assignments__role=Role.SCHOOL_ADMIN, role_assignments__school=school
        )
        .order_by("pk")
        .first()
    )
    teacher = (
        RoleAssignment.objects.filter(role=Role.TEACHER, school=school)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    author_id = admin.pk if admin else teacher
    if not author_id:
        return
    A = Announcement.Audience
    Announcement.objects.bulk_create(
        [
            Announcement(
                school=school,
                author_id=author_id,
                audience=A.SCHOOL,
                title="Dzień otwarty szkoły",
                body="Zapraszamy całą społeczność szkolną na dzień otwarty w najbliższą sobotę.",
            ),
            Announcement(
                school=school,
                author_id=author_id,
                audience=A.GUARDIANS,
                title="Zebrania z rodzicami",
                body="Zebrania z wychowawcami odbędą się w przyszły wtorek o 17:00.",
            ),
            Announcement(
                school=school,
                author_id=author_id,
                audience=A.STAFF,
                title="Rada pedagogiczna",
                body="Rada pedagogiczna w czwartek po lekcjach w pokoju nauczycielskim.",
            ),
        ]
    )
    first = SchoolClass.objects.filter(school_year=year).order_by("level", "name").first()
    if first:
        class_note = Announcement.objects.create(
            school=school,
            author_id=first.homeroom_teacher_id or author_id,
            audience=A.CLASSES,
            title=f"Wycieczka klasy {first.name}",
            body="Wycieczka do muzeum w piątek; zbiórka o 8:00 przed szkołą.",
        )
        class_note.classes.set([first])
