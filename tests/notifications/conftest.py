import sys
import types

import pytest


@pytest.fixture(autouse=True)
def _school_day(on_a_school_day):
    """Register events happen on school days (tests/conftest.py, `a_school_day`)."""
    return on_a_school_day


@pytest.fixture
def pushes(monkeypatch):
    """A stand-in for the Web Push app: records what would be pushed to whom and
    says each user has one device."""
    sent: list[tuple[int, dict]] = []

    def push_to_user(*, user_id, payload):
        sent.append((user_id, payload))
        return 1

    module = types.ModuleType("webpush.services")
    module.push_to_user = push_to_user
    monkeypatch.setitem(sys.modules, "webpush.services", module)
    return sent


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a service as a request would: its on-commit work (the producing and
    delivering tasks, immediate backend) runs after it."""

    def _run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return _run
