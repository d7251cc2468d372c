"""A realistic, deterministic demo gmina for `manage.py seed_demo`.

Everything is keyed on stable usernames, slugs and names, so running the seed
twice changes nothing. Other apps add their data through `register_seeder`.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .models import (
    Enrolment,
    GuardianLink,
    MunicipalitySettings,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    TeachingGroup,
    Term,
    User,
)
from .permissions import roles_changed_for_everyone

FEMALE_NAMES = [
    "Zofia",
    "Zuzanna",
    "Julia",
    "Maja",
    "Hanna",
    "Lena",
    "Alicja",
    "Maria",
    "Oliwia",
    "Amelia",
    "Pola",
    "Wiktoria",
    "Emilia",
    "Natalia",
    "Antonina",
    "Laura",
    "Nadia",
    "Helena",
    "Gabriela",
    "Aleksandra",
    "Iga",
    "Łucja",
    "Jagoda",
    "Róża",
]
MALE_NAMES = [
    "Antoni",
    "Jan",
    "Aleksander",
    "Franciszek",
    "Nikodem",
    "Szymon",
    "Filip",
    "Jakub",
    "Stanisław",
    "Leon",
    "Mikołaj",
    "Ignacy",
    "Wojciech",
    "Kacper",
    "Tymon",
    "Marcel",
    "Adam",
    "Michał",
    "Piotr",
    "Bartosz",
    "Oskar",
    "Wiktor",
    "Kazimierz",
    "Józef",
]
ADULT_FEMALE = [
    "Anna",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Magdalena",
    "Joanna",
    "Monika",
    "Beata",
    "Dorota",
    "Renata",
    "Iwona",
    "Marta",
    "Elżbieta",
]
ADULT_MALE = [
    "Piotr",
    "Krzysztof",
    "Tomasz",
    "Paweł",
    "Marcin",
    "Michał",
    "Grzegorz",
    "Jacek",
    "Rafał",
    "Andrzej",
    "Łukasz",
    "Robert",
    "Dariusz",
    "Marek",
    "Sławomir",
]
SURNAMES = [
    ("Nowak", "Nowak"),
    ("Kowalski", "Kowalska"),
    ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"),
    ("Kowalczyk", "Kowalczyk"),
    ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"),
    ("Zieliński", "Zielińska"),
    ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"),
    ("Dąbrowski", "Dąbrowska"),
    ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"),
    ("Mazur", "Mazur"),
    ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"),
    ("Piotrowski", "Piotrowska"),
    ("Grabowski", "Grabowska"),
    ("Nowakowski", "Nowakowska"),
    ("Pawłowski", "Pawłowska"),
    ("Michalski", "Michalska"),
    ("Adamczyk", "Adamczyk"),
    ("Dudek", "Dudek"),
    ("Zając", "Zając"),
    ("Wieczorek", "Wieczorek"),
    ("Jabłoński", "Jabłońska"),
    ("Król", "Król"),
    ("Majewski", "Majewska"),
    ("Olszewski", "Olszewska"),
    ("Jaworski", "Jaworska"),
    ("Wróbel", "Wróbel"),
    ("Malinowski", "Malinowska"),
    ("Pawlak", "Pawlak"),
    ("Witkowski", "Witkowska"),
    ("Walczak", "Walczak"),
    ("Stępień", "Stępień"),
    ("Górski", "Górska"),
    ("Rutkowski", "Rutkowska"),
    ("Michalak", "Michalak"),
    ("Sikora", "Sikora"),
]

SCHOOLS = [
    {
        "slug": "sp1",
        "name": "Szkoła Podstawowa nr 1 im. Marii Konopnickiej w Zielonej Dolinie",
        "short_name": "SP 1",
        "school_type": School.Type.PRIMARY,
        "rspo": "100001",
        "street": "ul. Szkolna 1",
        "postal_code": "12-345",
        "city": "Zielona Dolina",
        "phone": "+48 12 345 67 01",
        "email": "sp1@zielonadolina.example.org",
        "headteacher": "mgr Elżbieta Zawadzka",
        "sections": {1: "ab", 4: "ab"},
    },
    {
        "slug": "sp2",
        "name": "Szkoła Podstawowa nr 2 im. Jana Pawła II w Zielonej Dolinie",
        "short_name": "SP 2",
        "school_type": School.Type.PRIMARY,
        "rspo": "100002",
        "street": "ul. Leśna 14",
        "postal_code": "12-346",
        "city": "Zielona Dolina",
        "phone": "+48 12 345 67 02",
        "email": "sp2@zielonadolina.example.org",
        "headteacher": "mgr Tadeusz Bąk",
        "sections": {},
    },
    {
        "slug": "lo1",
        "name": "I Liceum Ogólnokształcące im. Mikołaja Kopernika w Zielonej Dolinie",
        "short_name": "I LO",
        "school_type": School.Type.LYCEUM,
        "rspo": "100003",
        "street": "ul. Kopernika 5",
        "postal_code": "12-345",
        "city": "Zielona Dolina",
        "phone": "+48 12 345 67 03",
        "email": "lo1@zielonadolina.example.org",
        "headteacher": "dr Anna Sowa",
        "sections": {},
    },
]

PRIMARY_SUBJECTS = {
    "Edukacja wczesnoszkolna": (1, 3),
    "Język polski": (4, 8),
    "Matematyka": (4, 8),
    "Język angielski": (1, 8),
    "Przyroda": (4, 4),
    "Historia": (4, 8),
    "Biologia": (5, 8),
    "Geografia": (5, 8),
    "Fizyka": (7, 8),
    "Chemia": (7, 8),
    "Informatyka": (4, 8),
    "Technika": (4, 6),
    "Muzyka": (4, 7),
    "Plastyka": (4, 7),
    "Wychowanie fizyczne": (1, 8),
    "Religia": (1, 8),
}
LYCEUM_SUBJECTS = {
    "Język polski": (1, 4),
    "Matematyka": (1, 4),
    "Język angielski": (1, 4),
    "Język niemiecki": (1, 4),
    "Historia": (1, 4),
    "Wiedza o społeczeństwie": (1, 2),
    "Biologia": (1, 4),
    "Chemia": (1, 4),
    "Fizyka": (1, 4),
    "Geografia": (1, 4),
    "Informatyka": (1, 3),
    "Wychowanie fizyczne": (1, 4),
}
SHORT = {
    "Edukacja wczesnoszkolna": "EW",
    "Język polski": "POL",
    "Matematyka": "MAT",
    "Język angielski": "ANG",
    "Język niemiecki": "NIEM",
    "Przyroda": "PRZ",
    "Historia": "HIS",
    "Biologia": "BIO",
    "Geografia": "GEO",
    "Fizyka": "FIZ",
    "Chemia": "CHEM",
    "Informatyka": "INF",
    "Technika": "TECH",
    "Muzyka": "MUZ",
    "Plastyka": "PLA",
    "Wychowanie fizyczne": "WF",
    "Religia": "REL",
    "Wiedza o społeczeństwie": "WOS",
}

DEMO_ACCOUNTS = [
    "demo-admin",
    "demo-schooladmin",
    "demo-teacher",
    "demo-parent",
    "demo-pupil",
    "demo-librarian",
    "demo-officer",
    "demo-editor",
    "demo-dpo",
    "demo-gminaadmin",
]


@dataclass
class DemoContext:
    """What the core seed made, handed to the seeders of other apps."""

    rng: random.Random
    scale: int
    password_hash: str
    today: datetime.date
    schools: list[School] = field(default_factory=list)
    years: dict[int, SchoolYear] = field(default_factory=dict)
    accounts: dict[str, User] = field(default_factory=dict)
    log: Callable[[str], None] = print


_seeders: dict[str, tuple[int, Callable[[DemoContext], None]]] = {}


def register_seeder(name: str, func: Callable[[DemoContext], None], order: int = 100) -> None:
    """Apps add their demo data; each seeder must be idempotent too."""
    _seeders[name] = (order, func)


def pesel_for(birth: datetime.date, serial: int, female: bool) -> str:
    month = birth.month + (20 if birth.year >= 2000 else 0)
    digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial % 1000:03d}"
    sex = (serial // 1000) % 5 * 2 + (0 if female else 1)
    digits += str(sex)
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def school_year_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(start, end of term 1, end) of the school year that contains `today`."""
    first = today.year if today.month >= 9 else today.year - 1
    start = datetime.date(first, 9, 1)
    while start.weekday() >= 5:
        start += datetime.timedelta(days=1)
    end = datetime.date(first + 1, 6, 30)
    while end.weekday() != 4:  # the last Friday of June
        end -= datetime.timedelta(days=1)
    term1_end = datetime.date(first + 1, 1, 31)
    return start, term1_end, end


class Seeder:
    def __init__(
        self,
        *,
        scale: int = 1,
        password: str = "demo",
        log=print,
        today: datetime.date | None = None,
    ):
        self.ctx = DemoContext(
            rng=random.Random(20260901),
            scale=max(1, scale),
            password_hash=make_password(password),
            today=today or timezone.localdate(),
            log=log,
        )
        self.existing = set(User.objects.values_list("username", flat=True))
        self.pesel_serial = 0
        self.used_pesels: set[str] = set()

    # --- helpers -----------------------------------------------------------------------
    def user(self, username: str, **fields) -> User:
        """Get or create by username; never changes an existing account."""
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, password=self.ctx.password_hash, **fields)
            user.save()
            self.existing.add(username)
        return user

    def unique_pesel(self, birth: datetime.date, female: bool) -> str:
        while True:
            self.pesel_serial += 1
            pesel = pesel_for(birth, self.pesel_serial, female)
            if pesel not in self.used_pesels:
                self.used_pesels.add(pesel)
                return pesel

    def person_name(self, female: bool, adult: bool = False, surname: tuple | None = None):
        rng = self.ctx.rng
        first = rng.choice(
            (ADULT_FEMALE if female else ADULT_MALE)
            if adult
            else (FEMALE_NAMES if female else MALE_NAMES)
        )
        surname = surname or rng.choice(SURNAMES)
        return first, surname[1] if female else surname[0], surname

    # --- the seed ----------------------------------------------------------------------
    def run(self) -> DemoContext:
        with transaction.atomic():
            self.municipality()
            for spec in SCHOOLS:
                self.school(spec)
            self.accounts()
        for _order, func in sorted(_seeders.values(), key=lambda item: item[0]):
            with transaction.atomic():
                func(self.ctx)
        # Enrolments, guardian links and class handovers were partly written in bulk.
        roles_changed_for_everyone()
        return self.ctx

    def municipality(self):
        settings = MunicipalitySettings.load()
        if settings.name == "Gmina":
            settings.name = "Gmina Zielona Dolina"
            settings.teryt = "1201012"
            settings.office_name = "Wydział Oświaty Urzędu Gminy Zielona Dolina"
            settings.office_address = "ul. Rynek 1, 12-345 Zielona Dolina"
            settings.office_email = "oswiata@zielonadolina.example.org"
            settings.office_phone = "+48 12 345 60 00"
            settings.office_hours = "pon.–pt. 7:30–15:30"
            settings.save()

    def school(self, spec: dict):
        ctx = self.ctx
        fields = {k: v for k, v in spec.items() if k not in ("slug", "sections")}
        school, _created = School.objects.get_or_create(slug=spec["slug"], defaults=fields)
        ctx.schools.append(school)
        start, term1_end, end = school_year_bounds(ctx.today)
        name = f"{start.year}/{start.year + 1}"
        year = SchoolYear.objects.filter(school=school, name=name).first()
        if year is None:
            SchoolYear.objects.filter(school=school, is_current=True).update(is_current=False)
            year = SchoolYear.objects.create(
                school=school, name=name, start=start, end=end, is_current=True
            )
            Term.objects.create(school_year=year, number=1, start=start, end=term1_end)
            Term.objects.create(
                school_year=year, number=2, start=term1_end + datetime.timedelta(days=1), end=end
            )
        ctx.years[school.pk] = year

        catalogue = (
            PRIMARY_SUBJECTS if school.school_type == School.Type.PRIMARY else LYCEUM_SUBJECTS
        )
        subjects = {}
        for subject_name in catalogue:
            subjects[subject_name], _ = Subject.objects.get_or_create(
                school=school, name=subject_name, defaults={"short_name": SHORT[subject_name]}
            )

        # Teachers: one per subject group, a few teaching two subjects.
        teachers = []
        for n in range(1, 9 + 5 * ctx.scale):
            female = ctx.rng.random() < 0.75
            first, last, _s = self.person_name(female, adult=True)
            username = f"nauczyciel-{school.slug}-{n:02d}"
            teacher = self.user(
                username,
                first_name=first,
                last_name=last,
                email=f"{username}@zielonadolina.example.org",
            )
            RoleAssignment.objects.get_or_create(user=teacher, role=Role.TEACHER, school=school)
            teachers.append(teacher)

        levels = range(1, 9) if school.school_type == School.Type.PRIMARY else range(1, 5)
        teacher_cycle = 0
        for level in levels:
            letters = spec["sections"].get(level, "a")
            letters = "".join(chr(ord("a") + i) for i in range(len(letters) * ctx.scale))
            for letter in letters:
                class_name = f"{level}{letter}"
                homeroom = teachers[teacher_cycle % len(teachers)]
                teacher_cycle += 1
                school_class, _ = SchoolClass.objects.get_or_create(
                    school_year=year,
                    name=class_name,
                    defaults={"level": level, "homeroom_teacher": homeroom},
                )
                self.pupils(school, school_class, year)
                for index, (subject_name, (low, high)) in enumerate(catalogue.items()):
                    if not (low <= level <= high):
                        continue
                    if subject_name == "Edukacja wczesnoszkolna":
                        teacher = school_class.homeroom_teacher or homeroom
                    else:
                        teacher = teachers[(index * 3 + level) % len(teachers)]
                    if (
                        subject_name == "Język angielski"
                        and school.school_type != School.Type.PRIMARY
                    ):
                        self.language_groups(school_class, subjects[subject_name], teachers, index)
                        continue
                    if not TeachingAssignment.objects.filter(
                        school_class=school_class, subject=subjects[subject_name], group=None
                    ).exists():
                        TeachingAssignment.objects.create(
                            teacher=teacher,
                            school_class=school_class,
                            subject=subjects[subject_name],
                        )

    def language_groups(self, school_class, subject, teachers, index):
        pupils = list(
            school_class.enrolments.order_by("register_number").values_list("pupil_id", flat=True)
        )
        half = len(pupils) // 2
        for n, members in enumerate([pupils[:half], pupils[half:]], start=1):
            group, created = TeachingGroup.objects.get_or_create(
                school_class=school_class, name=f"gr. {n}"
            )
            if created:
                group.pupils.set(members)
            TeachingAssignment.objects.get_or_create(
                school_class=school_class,
                group=group,
                subject=subject,
                defaults={"teacher": teachers[(index + n) % len(teachers)]},
            )

    def pupils(self, school, school_class, year):
        ctx = self.ctx
        count = 22 + ctx.rng.randint(0, 6)
        birth_year = year.start.year - 6 - school_class.level
        if school.school_type != School.Type.PRIMARY:
            birth_year -= 8
        new_users, plans = [], []
        for number in range(1, count + 1):
            female = ctx.rng.random() < 0.5
            first, last, surname = self.person_name(female)
            birth = datetime.date(birth_year, ctx.rng.randint(1, 12), ctx.rng.randint(1, 28))
            username = f"uczen-{school.slug}-{school_class.name}-{number:02d}"
            guardians = []
            mother_first, _l, _s = self.person_name(True, adult=True)
            guardians.append(
                (
                    f"rodzic-{school.slug}-{school_class.name}-{number:02d}-m",
                    mother_first,
                    surname[1],
                    GuardianLink.Relation.MOTHER,
                )
            )
            if ctx.rng.random() < 0.7:
                father_first, _l, _s = self.person_name(False, adult=True)
                guardians.append(
                    (
                        f"rodzic-{school.slug}-{school_class.name}-{number:02d}-o",
                        father_first,
                        surname[0],
                        GuardianLink.Relation.FATHER,
                    )
                )
            pesel = self.unique_pesel(birth, female)
            if username not in self.existing:
                new_users.append(
                    User(
                        username=username,
                        first_name=first,
                        last_name=last,
                        password=ctx.password_hash,
                        date_of_birth=birth,
                        pesel=pesel,
                    )
                )
            for g_username, g_first, g_last, _rel in guardians:
                if g_username not in self.existing:
                    new_users.append(
                        User(
                            username=g_username,
                            first_name=g_first,
                            last_name=g_last,
                            password=ctx.password_hash,
                            email=f"{g_username}@example.org",
                        )
                    )
            plans.append((username, number, guardians))
        User.objects.bulk_create(new_users)
        self.existing.update(u.username for u in new_users)
        names = [p[0] for p in plans] + [g[0] for p in plans for g in p[2]]
        by_name = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
        enrolled = set(
            Enrolment.objects.filter(school_class=school_class).values_list("pupil_id", flat=True)
        )
        enrolments, links = [], []
        linked = set(
            GuardianLink.objects.filter(pupil_id__in=[by_name[p[0]] for p in plans]).values_list(
                "guardian_id", "pupil_id"
            )
        )
        for username, number, guardians in plans:
            pupil_id = by_name[username]
            if pupil_id not in enrolled:
                enrolments.append(
                    Enrolment(
                        pupil_id=pupil_id,
                        school_class=school_class,
                        start_date=year.start,
                        register_number=number,
                    )
                )
            for g_username, _f, _l, relation in guardians:
                if (by_name[g_username], pupil_id) not in linked:
                    links.append(
                        GuardianLink(
                            guardian_id=by_name[g_username], pupil_id=pupil_id, relation=relation
                        )
                    )
        Enrolment.objects.bulk_create(enrolments)
        GuardianLink.objects.bulk_create(links)

    def accounts(self):
        ctx = self.ctx
        sp1, sp2 = ctx.schools[0], ctx.schools[1]
        year = ctx.years[sp1.pk]
        acc = ctx.accounts

        acc["demo-admin"] = self.user(
            "demo-admin",
            first_name="Administrator",
            last_name="Systemu",
            is_demo=True,
            is_superuser=True,
            is_staff=True,
            email="admin@zielonadolina.example.org",
        )
        acc["demo-schooladmin"] = self.user(
            "demo-schooladmin",
            first_name="Elżbieta",
            last_name="Zawadzka",
            is_demo=True,
            email="sekretariat.sp1@zielonadolina.example.org",
        )
        RoleAssignment.objects.get_or_create(
            user=acc["demo-schooladmin"], role=Role.SCHOOL_ADMIN, school=sp1
        )
        # the secretariat families write to, and a head for the office's circulars
        for role in (Role.SECRETARY, Role.HEADTEACHER):
            RoleAssignment.objects.get_or_create(
                user=acc["demo-schooladmin"], role=role, school=sp1
            )

        teacher = self.user(
            "demo-teacher",
            first_name="Magdalena",
            last_name="Wrona",
            is_demo=True,
            email="m.wrona@zielonadolina.example.org",
        )
        acc["demo-teacher"] = teacher
        for school in (sp1, sp2):
            RoleAssignment.objects.get_or_create(user=teacher, role=Role.TEACHER, school=school)
        class_4a = SchoolClass.objects.get(school_year=year, name="4a")
        class_7a = SchoolClass.objects.get(school_year=year, name="7a")
        if class_4a.homeroom_teacher_id != teacher.pk:
            class_4a.homeroom_teacher = teacher
            class_4a.save(update_fields=["homeroom_teacher"])
        maths = Subject.objects.get(school=sp1, name="Matematyka")
        for school_class in SchoolClass.objects.filter(
            school_year=year, level__gte=4, name__endswith="a"
        ):
            assignment = TeachingAssignment.objects.filter(
                school_class=school_class, subject=maths, group=None
            ).first()
            if assignment and assignment.teacher_id != teacher.pk:
                assignment.teacher = teacher
                assignment.save(update_fields=["teacher"])
        sp2_year = ctx.years[sp2.pk]
        sp2_maths = Subject.objects.get(school=sp2, name="Matematyka")
        sp2_8a = SchoolClass.objects.get(school_year=sp2_year, name="8a")
        TeachingAssignment.objects.filter(
            school_class=sp2_8a, subject=sp2_maths, group=None
        ).exclude(teacher=teacher).update(teacher=teacher)

        pupil = self.user(
            "demo-pupil",
            first_name="Zosia",
            last_name="Malinowska",
            is_demo=True,
            date_of_birth=datetime.date(year.start.year - 10, 3, 14),
            pesel=pesel_for(datetime.date(year.start.year - 10, 3, 14), 999, True),
        )
        acc["demo-pupil"] = pupil
        sibling = self.user(
            "demo-pupil-brat",
            first_name="Kuba",
            last_name="Malinowski",
            is_demo=True,
            date_of_birth=datetime.date(year.start.year - 13, 6, 2),
            pesel=pesel_for(datetime.date(year.start.year - 13, 6, 2), 998, False),
        )
        for child, school_class, number in ((pupil, class_4a, 30), (sibling, class_7a, 30)):
            Enrolment.objects.get_or_create(
                pupil=child,
                school_class=school_class,
                defaults={"start_date": year.start, "register_number": number},
            )
        parent = self.user(
            "demo-parent",
            first_name="Joanna",
            last_name="Malinowska",
            is_demo=True,
            email="joanna.malinowska@example.org",
            phone="600100200",
        )
        acc["demo-parent"] = parent
        for child in (pupil, sibling):
            GuardianLink.objects.get_or_create(
                guardian=parent, pupil=child, defaults={"relation": GuardianLink.Relation.MOTHER}
            )

        acc["demo-librarian"] = self.user(
            "demo-librarian",
            first_name="Teresa",
            last_name="Książek",
            is_demo=True,
            email="biblioteka.sp1@zielonadolina.example.org",
        )
        RoleAssignment.objects.get_or_create(
            user=acc["demo-librarian"], role=Role.LIBRARIAN, school=sp1
        )
        acc["demo-officer"] = self.user(
            "demo-officer",
            first_name="Ryszard",
            last_name="Urzędowski",
            is_demo=True,
            email="r.urzedowski@zielonadolina.example.org",
        )
        RoleAssignment.objects.get_or_create(
            user=acc["demo-officer"], role=Role.OFFICER, school=None
        )
        acc["demo-editor"] = self.user(
            "demo-editor",
            first_name="Karolina",
            last_name="Redakcyjna",
            is_demo=True,
            email="redakcja@zielonadolina.example.org",
        )
        RoleAssignment.objects.get_or_create(user=acc["demo-editor"], role=Role.EDITOR, school=None)
        acc["demo-dpo"] = self.user(
            "demo-dpo",
            first_name="Iwona",
            last_name="Ochocka",
            is_demo=True,
            email="iod@zielonadolina.example.org",
        )
        RoleAssignment.objects.get_or_create(user=acc["demo-dpo"], role=Role.DPO, school=None)
        acc["demo-gminaadmin"] = self.user(
            "demo-gminaadmin",
            first_name="Marek",
            last_name="Gminny",
            is_demo=True,
            email="admin.gmina@zielonadolina.example.org",
        )
        RoleAssignment.objects.get_or_create(
            user=acc["demo-gminaadmin"], role=Role.MUNICIPAL_ADMIN, school=None
        )
