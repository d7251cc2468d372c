"""Factories of the intranet: made through the services, as the office would."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from intranet import services
from intranet.models import DataRequest, RequestField


def headteacher(school, username: str):
    from portal.models import Role
    from tests.factories import RoleFactory, UserFactory

    return RoleFactory(
        role=Role.HEADTEACHER, school=school, user=UserFactory(username=username)
    ).user


def circular_create(officer, schools=None, *, subject="Okólnik", body="Treść", files=()):
    return services.circular_send(
        author=officer, subject=subject, body=body, schools=schools, files=list(files)
    )


def form_request_create(officer, schools=None, *, title="Liczebność oddziałów", days=7):
    return services.request_create(
        author=officer,
        title=title,
        description="Prosimy o dane.",
        kind=DataRequest.Kind.FORM,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        schools=schools,
        fields=[
            ("Liczba oddziałów", RequestField.Kind.NUMBER, True),
            ("Czy potrzebna sala?", RequestField.Kind.YES_NO, True),
            ("Uwagi", RequestField.Kind.TEXT, False),
        ],
    )


def document_request_create(officer, schools=None, *, title="Sprawozdanie", days=7):
    return services.request_create(
        author=officer,
        title=title,
        description="",
        kind=DataRequest.Kind.DOCUMENT,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        schools=schools,
    )


def form_values(data_request, classes="8", room=True, note="") -> dict:
    fields = list(data_request.fields.all())
    return {str(fields[0].pk): classes, str(fields[1].pk): room, str(fields[2].pk): note}


def pdf(name="sprawozdanie.pdf", content=b"%PDF-1.4 raport"):
    return ContentFile(content, name=name)


def post_create(officer, *, title="Szkolenie", expires_on=None, files=()):
    return services.post_create(
        author=officer, title=title, body="Zapraszamy.", expires_on=expires_on, files=list(files)
    )
