import hashlib
import io

import pytest

from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from portal.demo import DEMO_ACCOUNTS
from portal.models import GuardianLink, Role, School, SchoolClass, User

pytestmark = pytest.mark.django_db(transaction=False)


def fingerprint():
    """A digest of every row of every project model (and wagtail pages), to prove a
    second seed changes nothing."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label not in {
            "portal",
            "gradebook",
            "register",
            "library",
            "circulation",
            "cms",
            "wagtailcore",
        }:
            continue
        # JSON serialisation: StreamField values repr with memory addresses.
        # roles_version is the roles cache's counter: every seed bumps it (its bulk
        # writes send no signals), which changes no data.
        fields = [f.name for f in model._meta.fields if f.name != "roles_version"]
        rows = serializers.serialize("json", model.objects.order_by("pk"), fields=fields)
        digest.update(f"{model._meta.label}:{rows}".encode())
    return digest.hexdigest()


def test_seed_demo_builds_the_gmina_and_is_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for username in DEMO_ACCOUNTS:
        assert username in text
        assert User.objects.get(username=username).check_password("demo")
    assert School.objects.count() == 3
    assert School.objects.filter(school_type=School.Type.PRIMARY).count() == 2
    for school in School.objects.all():
        year = school.current_year()
        assert year is not None and year.terms.count() == 2
        levels = set(SchoolClass.objects.filter(school_year=year).values_list("level", flat=True))
        assert levels == set(range(1, school.max_level + 1))
    sizes = [c.pupils_on(c.school_year.start).count() for c in SchoolClass.objects.all()]
    assert 20 <= sum(sizes) / len(sizes) <= 30

    parent = User.objects.get(username="demo-parent")
    children = User.objects.filter(guardian_links__guardian=parent)
    assert children.count() == 2
    classes = {c.enrolments.get().school_class_id for c in children}
    assert len(classes) == 2
    assert User.objects.get(username="demo-pupil") in children
    teacher = User.objects.get(username="demo-teacher")
    assert teacher.homeroom_classes.exists()
    assert teacher.role_assignments.filter(role=Role.TEACHER).count() == 2
    assert User.objects.get(username="demo-admin").is_superuser
    assert GuardianLink.objects.count() > 500

    before = fingerprint()
    call_command("seed_demo", stdout=io.StringIO())
    assert fingerprint() == before


def test_seed_demo_takes_a_password():
    call_command("seed_demo", "--password", "inne-haslo-1", stdout=io.StringIO())
    assert User.objects.get(username="demo-parent").check_password("inne-haslo-1")
