"""Shared fixtures: a small two-school world with one of each role."""

import os
import sys
from types import SimpleNamespace

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from hypothesis import HealthCheck, settings

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

# Property tests are checked for what they find, not for how fast the machine is:
# under a loaded CI machine Hypothesis's 200 ms deadline and its "too slow" health
# check failed a pure-arithmetic property (rules.grades_average) for no fault of it.
settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("portal")


@pytest.fixture(autouse=True)
def _empty_roles_cache():
    """Each test starts with no cached roles: on SQLite a rolled-back test's user
    ids come back in the next test, and frozen clocks give equal join dates."""
    from django.core.cache import caches

    caches["roles"].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Polish). The language middleware
    activates the request's language for the thread and leaves it there (the next
    request sets its own), so a test whose client chose English would otherwise
    hand English to whichever test the worker runs next."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and on PostgreSQL, before they are dropped,
    any session a test left behind (a server or worker thread that outlived its
    test) is named on stderr and ended: otherwise DROP DATABASE fails after a run
    whose every test passed."""
    yield
    import sys

    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=False):
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid, application_name, state, left(query, 200), "
                    "pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                for pid, application, state, query, _ in cursor.fetchall():
                    print(
                        f"\nended a database session a test left open: pid {pid} "
                        f"({application or 'no name'}, {state}): {query}",
                        file=sys.stderr,
                    )
            connection.close()


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


# --- The clock ----------------------------------------------------------------------
# The suite must pass on any date. `--clock` (or PORTAL_TEST_CLOCK) moves "now" for
# the whole run, ticking, so CI can run it on the dates that used to break tests:
#   summer      15 July, 10:00 Warsaw (between school years)
#   september   1 September, 08:00 Warsaw (the first day of a school year)
#   new-year    31 December, 23:30 UTC (already 1 January in Warsaw)
# each the next such day from the real today (a date in the past would make the
# browser drop cookies the live server sets), or an ISO date-time with an offset.
# Tests that mean a particular date travel there themselves (time_machine.travel).
# A date-time without a zone means UTC, as with freezegun before.
time_machine.naive_mode = time_machine.NaiveMode.UTC

NAMED_CLOCKS = {
    "summer": (7, 15, 8, 0),
    "september": (9, 1, 6, 0),
    "new-year": (12, 31, 23, 30),
}


def clock_destination(value: str):
    import datetime

    if value in NAMED_CLOCKS:
        month, day, hour, minute = NAMED_CLOCKS[value]
        now = datetime.datetime.now(datetime.UTC)
        for year in (now.year, now.year + 1):
            moment = datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)
            if moment > now:
                return moment
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError("--clock needs a time zone offset, e.g. 2027-07-15T10:00+02:00")
    return moment


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("PORTAL_TEST_CLOCK", ""),
        help="run the suite with 'now' moved to: summer, september, new-year or an "
        "ISO date-time with offset (also PORTAL_TEST_CLOCK)",
    )


_clock_traveller = None


def pytest_configure(config):
    global _clock_traveller
    config.addinivalue_line(
        "markers", "accessibility: the WCAG crawl of tests/browser/test_accessibility.py"
    )
    value = config.getoption("--clock")
    if value:
        _clock_traveller = time_machine.travel(clock_destination(value), tick=True)
        _clock_traveller.start()


def pytest_unconfigure(config):
    if _clock_traveller is not None:
        _clock_traveller.stop()


def pytest_report_header(config):
    value = config.getoption("--clock")
    if value:
        import datetime

        now = datetime.datetime.now(datetime.UTC)
        return f"clock: {value} -> now is {now.isoformat(timespec='minutes')} UTC"
    return None


def a_school_day():
    """A Wednesday in mid-October, 10:15 in Warsaw: in the first term, away from
    holidays. Next year's, so that it is never in the past for a real browser (which
    would drop the cookies the live server sets)."""
    import datetime
    import zoneinfo

    day = datetime.date(datetime.date.today().year + 1, 10, 14)
    day += datetime.timedelta(days=(2 - day.weekday()) % 7)
    return datetime.datetime.combine(
        day, datetime.time(10, 15), tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw")
    )


@pytest.fixture
def on_a_school_day():
    """For tests that mean 'today is an ordinary school day'."""
    with time_machine.travel(a_school_day(), tick=True) as traveller:
        yield traveller


@pytest.fixture
def fake_pdf(monkeypatch):
    """WeasyPrint stood in for, where a test needs the access decision or the
    reading, not a real PDF (rendering is tested on its own)."""

    class Fake:
        def __init__(self, string, base_url):
            self.string = string

        def write_pdf(self):
            return b"%PDF-1.4 fake"

    monkeypatch.setitem(sys.modules, "weasyprint", SimpleNamespace(HTML=Fake))
