"""Shared fixtures: a small two-school world with one of each role."""

import os
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator

from portal.models import Role
from tests.factories import (
    GuardianLinkFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolYearFactory,
    SubjectFactory,
    TeachingAssignmentFactory,
    UserFactory,
    make_pupil,
    make_teacher,
)


def build_school_world(name: str):
    school = SchoolFactory(short_name=name)
    year = SchoolYearFactory(school=school)
    class_a = SchoolClassFactory(school_year=year, name="4a", level=4)
    class_b = SchoolClassFactory(school_year=year, name="5a", level=5)
    teacher = make_teacher(school, username=f"{name}-teacher")
    homeroom = make_teacher(school, username=f"{name}-homeroom")
    class_a.homeroom_teacher = homeroom
    class_a.save()
    subject = SubjectFactory(school=school, name="Matematyka")
    assignment = TeachingAssignmentFactory(school_class=class_a, subject=subject, teacher=teacher)
    pupil = make_pupil(class_a, username=f"{name}-pupil")
    other_pupil = make_pupil(class_b, username=f"{name}-pupil-b")
    guardian = UserFactory(username=f"{name}-parent")
    GuardianLinkFactory(guardian=guardian, pupil=pupil)
    admin = RoleFactory(
        school=school, role=Role.SCHOOL_ADMIN, user=UserFactory(username=f"{name}-admin")
    ).user
    librarian = RoleFactory(
        school=school, role=Role.LIBRARIAN, user=UserFactory(username=f"{name}-librarian")
    ).user
    return SimpleNamespace(
        school=school,
        year=year,
        class_a=class_a,
        class_b=class_b,
        teacher=teacher,
        homeroom=homeroom,
        subject=subject,
        assignment=assignment,
        pupil=pupil,
        other_pupil=other_pupil,
        guardian=guardian,
        admin=admin,
        librarian=librarian,
    )


@pytest.fixture
def world(db):
    """Two schools, A and B, each with a teacher, homeroom teacher, pupils, a
    guardian, an admin and a librarian; plus a municipal officer and a superuser."""
    a = build_school_world("a")
    b = build_school_world("b")
    officer = RoleFactory(role=Role.OFFICER, school=None, user=UserFactory(username="officer")).user
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return SimpleNamespace(a=a, b=b, officer=officer, superuser=superuser)


def enable_mfa(user):
    """Give a user an (unusable) TOTP authenticator so the MFA gate lets them through."""
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    return user


@pytest.fixture
def disk(settings, tmp_path):
    """The default storage (MEDIA_ROOT) and the private one (PRIVATE_MEDIA_ROOT) on
    disk side by side, as in production, instead of the tests' in-memory storages."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT},
        },
    }
    return tmp_path


@pytest.fixture
def login(client):
    """Sign a user in (with MFA already set up, as staff would have)."""

    def _login(user, mfa=True):
        if mfa:
            enable_mfa(user)
        client.force_login(user)
        return client

    return _login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (CI=true) a browser test must run: a skip (Chromium missing) is a
    failure, so CI cannot pass without the flows people click through."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped in CI: {report.longrepr}"
