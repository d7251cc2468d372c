import sys
from types import SimpleNamespace

import pytest

from eservices.builtins import builtins_ensure
from eservices.models import Service, ServiceKind
from portal.models import Role
from tests.factories import RoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _school_day(on_a_school_day):
    """Cases are filed on school days; every test here runs on one."""
    return on_a_school_day


@pytest.fixture
def es(world):
    """Both schools' built-ins switched on, and a secretary in each school."""
    for side in (world.a, world.b):
        builtins_ensure(side.school)
        Service.objects.filter(school=side.school).update(enabled=True)
        side.secretary = RoleFactory(
            school=side.school,
            role=Role.SECRETARY,
            user=UserFactory(username=f"{side.school.short_name}-sekretariat"),
        ).user
        side.service = {s.kind: s for s in Service.objects.filter(school=side.school)}
    return world


def service_of(side, kind: str) -> Service:
    return Service.objects.get(school=side.school, kind=kind)


def file_certificate(side, **kwargs):
    from eservices import services

    service = service_of(side, ServiceKind.ATTENDANCE_CERTIFICATE)
    field = service.fields.get(key="purpose")
    return services.case_submit(
        applicant=side.guardian,
        service=service,
        pupil=side.pupil,
        answers={field.pk: kwargs.pop("purpose", "do MOPS")},
        **kwargs,
    )


@pytest.fixture
def html_pdf(monkeypatch):
    """WeasyPrint stood in for, keeping the HTML it was given."""
    seen = []

    class Fake:
        def __init__(self, string, base_url):
            seen.append(string)

        def write_pdf(self, **options):
            return b"%PDF-1.4 fake"

    monkeypatch.setitem(sys.modules, "weasyprint", SimpleNamespace(HTML=Fake))
    return seen
