"""Same names: every picker shows class and school and offers only the teacher's
own classes; a remark starts from a class and lists only that class's pupils."""

from django.urls import reverse

from gradebook.register.models import Remark
from tests.factories import (
    SchoolClassFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    make_pupil,
)


def test_a_teacher_in_two_schools_tells_the_two_8a_apart(world, login):
    a, b = world.a, world.b
    class_8a_a = SchoolClassFactory(school_year=a.year, name="8a", level=8)
    class_8a_b = SchoolClassFactory(school_year=b.year, name="8a", level=8)
    for school_class in (class_8a_a, class_8a_b):
        TeachingAssignmentFactory(
            school_class=school_class,
            teacher=a.teacher,
            subject=SubjectFactory(school=school_class.school_year.school, name="Fizyka"),
        )
    page = login(a.teacher).get(reverse("register:homework")).content.decode()
    assert f"8a ({a.school.short_name}) – Fizyka" in page
    assert f"8a ({b.school.short_name}) – Fizyka" in page
    assert f"5a ({a.school.short_name})" not in page  # class_b: not taught by this teacher


def test_a_remark_starts_from_a_class(world, login):
    a = world.a
    namesake = make_pupil(a.class_b, username="namesake")
    namesake.first_name, namesake.last_name = a.pupil.first_name, a.pupil.last_name
    namesake.save()
    client = login(a.teacher)
    choose = client.get(reverse("register:remark_new")).content.decode()
    assert f"4a ({a.school.short_name})" in choose
    assert f"5a ({a.school.short_name})" not in choose  # not the teacher's class
    assert f"4a ({world.b.school.short_name})" not in choose

    url = reverse("register:remark_new") + f"?class={a.class_a.pk}"
    form = client.get(url).content.decode()
    assert f'value="{a.pupil.pk}"' in form and f'value="{namesake.pk}"' not in form
    # a pupil of another class cannot be slipped in
    client.post(url, {"pupil": namesake.pk, "kind": "negative", "text": "x"})
    assert not Remark.objects.exists()
    client.post(url, {"pupil": a.pupil.pk, "kind": "positive", "text": "Brawo"})
    assert Remark.objects.get().school_class == a.class_a

    # a class the teacher does not teach is not theirs to write in
    foreign = reverse("register:remark_new") + f"?class={a.class_b.pk}"
    assert client.get(foreign).status_code == 404
