"""seed_demo's circulation: loans (some overdue), holds, history; idempotent."""

import io

import pytest

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from library.circulation.models import Copy, Hold, Loan
from portal.models import User


def counts():
    return [Copy.objects.count(), Loan.objects.count(), Hold.objects.count()]


@pytest.mark.django_db
def test_demo_circulation(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    pupil = User.objects.get(username="demo-pupil")
    today = timezone.localdate()
    assert Loan.objects.overdue(today).filter(reader=pupil).exists()
    assert Loan.objects.filter(reader=pupil, returned_at__isnull=False).count() >= 5
    assert Hold.objects.filter(reader=pupil, status="waiting").exists()
    assert Hold.objects.filter(reader__username="demo-pupil-brat", status="ready").exists()
    parent = User.objects.get(username="demo-parent")
    client.force_login(parent)
    body = client.get(reverse("circulation:account_child", args=[pupil.pk])).content.decode()
    assert "po terminie" in body
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
