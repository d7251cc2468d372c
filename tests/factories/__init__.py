"""Factories for the core domain. Other apps add modules beside this one."""

import datetime

import factory

from django.utils import timezone

from portal.models import (
    Enrolment,
    GuardianLink,
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


def current_year_bounds():
    today = timezone.localdate()
    first = today.year if today.month >= 9 else today.year - 1
    return (
        datetime.date(first, 9, 1),
        datetime.date(first + 1, 1, 31),
        datetime.date(first + 1, 6, 26),
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="pl_PL")
    last_name = factory.Faker("last_name", locale="pl_PL")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Szkoła Podstawowa nr {n + 1}")
    short_name = factory.Sequence(lambda n: f"SP {n + 1}")
    slug = factory.Sequence(lambda n: f"sp{n + 1}")
    school_type = School.Type.PRIMARY
    rspo = factory.Sequence(lambda n: str(200000 + n))
    street = "ul. Szkolna 1"
    postal_code = "12-345"
    city = "Zielona Dolina"


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolYear
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    start = factory.LazyFunction(lambda: current_year_bounds()[0])
    end = factory.LazyFunction(lambda: current_year_bounds()[2])
    name = factory.LazyAttribute(lambda o: f"{o.start.year}/{o.start.year + 1}")
    is_current = True

    @factory.post_generation
    def terms(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            _start, term1_end, _end = current_year_bounds()
            if obj.start.year == _start.year:
                Term.objects.create(school_year=obj, number=1, start=obj.start, end=term1_end)
                Term.objects.create(
                    school_year=obj,
                    number=2,
                    start=term1_end + datetime.timedelta(days=1),
                    end=obj.end,
                )


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school_year = factory.SubFactory(SchoolYearFactory)
    level = 4
    name = factory.Sequence(lambda n: f"4{chr(97 + n % 26)}{n // 26 or ''}")


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Przedmiot {n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.TEACHER
    school = factory.SubFactory(SchoolFactory)


class TeachingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingGroup

    school_class = factory.SubFactory(SchoolClassFactory)
    name = factory.Sequence(lambda n: f"gr. {n}")


class TeachingAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingAssignment

    school_class = factory.SubFactory(SchoolClassFactory)
    subject = factory.LazyAttribute(
        lambda o: SubjectFactory(school=o.school_class.school_year.school)
    )
    teacher = factory.LazyAttribute(
        lambda o: RoleFactory(school=o.school_class.school_year.school, role=Role.TEACHER).user
    )


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    pupil = factory.SubFactory(UserFactory)
    school_class = factory.SubFactory(SchoolClassFactory)
    start_date = factory.LazyAttribute(lambda o: o.school_class.school_year.start)
    register_number = factory.Sequence(lambda n: n % 40 + 1)


class GuardianLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardianLink

    guardian = factory.SubFactory(UserFactory)
    pupil = factory.SubFactory(UserFactory)
    relation = GuardianLink.Relation.MOTHER


def make_teacher(school, **kwargs):
    return RoleFactory(school=school, role=Role.TEACHER, user=UserFactory(**kwargs)).user


def make_pupil(school_class, **kwargs):
    return EnrolmentFactory(school_class=school_class, pupil=UserFactory(**kwargs)).pupil
