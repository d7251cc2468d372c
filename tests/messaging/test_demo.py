"""seed_demo's messages: the parent's and teacher's threads, a class message, a
reported message the school admins see; idempotent."""

import io

import pytest

from django.core.management import call_command
from django.urls import reverse

from messaging.models import Delivery, Message, Report, Thread
from messaging.selectors import unread_thread_count
from portal.models import User
from tests.conftest import enable_mfa


def counts():
    return [Thread.objects.count(), Message.objects.count(), Delivery.objects.count()]


@pytest.mark.django_db
def test_demo_messages(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    parent = User.objects.get(username="demo-parent")
    teacher = User.objects.get(username="demo-teacher")
    assert Thread.objects.filter(created_by=parent, participants__user=teacher).exists()
    assert Thread.objects.filter(created_by=teacher, subject__startswith="Zebranie").exists()
    assert Thread.objects.filter(about_pupil__username="demo-pupil").exists()
    assert unread_thread_count(parent) >= 2
    report = Report.objects.get()
    for admin in ("demo-schooladmin", "demo-admin"):
        client.force_login(enable_mfa(User.objects.get(username=admin)))
        page = client.get(reverse("messaging:reports")).content.decode()
        assert report.thread.subject in page
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
