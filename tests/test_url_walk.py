"""Every URL pattern of the project, for every role, against its own school's
objects and another school's, by GET and by POST.

The table `URLS` says, for each URL name, how to fill its arguments from the
fixture objects of a school and which roles may use it. It is checked against
the URLconf: a pattern with no entry fails the test, so a new view cannot be
forgotten. Expected answers:

- anonymous on a private page: a redirect to the sign-in page;
- a role the entry allows: 200 or 302 (400 for a POST of a form it rejects);
- a role it does not allow, and any role on another school's object: 404, never
  403, so nothing of another school is disclosed;
- a method the view does not take: 405 (or 404 when the role is refused first);
- and a request of a user of school A never changes anything of school B.

Users of roles tied to a school belong to school A ("own"); roles over the whole
municipality use school A's objects as "own" too. Public pages allow everyone,
for every school.
"""

from __future__ import annotations

import datetime
import sys
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
import time_machine

from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from wagtail.models import PageViewRestriction

from gradebook.register.models import (
    Announcement,
    Attendance,
    CalendarToken,
    Excuse,
    Homework,
    PlannedTest,
)
from gradebook.selectors import current_term
from gradebook.yearend.models import RegisterExportJob, YearArchive
from intranet import services as intranet_services
from library.circulation.models import Stocktake
from library.models import ImportJob
from library.tasks import run_marc_import
from notifications.models import Notification
from portal.models import ImportConflict, ImportRun, Role, School, User
from portal.terminal import INFOMAT_COOKIE, infomat_token
from tests.conftest import enable_mfa
from tests.factories import RoleFactory, SubjectFactory, UserFactory
from tests.factories import intranet as intranet_factories
from tests.factories.background import task_row
from tests.factories.circulation import copy_create
from tests.factories.cms import build_site
from tests.factories.gradebook import AssessmentFactory
from tests.factories.library import reading_list_create, record_create, topic_create
from tests.factories.messaging import conversation
from tests.factories.register import LessonFactory, RemarkFactory, last_school_day
from webpush.models import PushSubscription

# Prefixes left out of the walk, each guarded by its own permission system.
SKIPPED_PREFIXES = {
    # Django's admin: is_staff and model permissions, for the operators only.
    "django-admin/": "django.contrib.admin",
    # Wagtail's admin: Wagtail's own page and collection permissions (tests/cms).
    "cms-admin/": "wagtail.admin",
    # allauth's sign-in, MFA and password screens: every user's own account.
    "konto/": "allauth",
    # Language switch: a redirect that reads nothing.
    "i18n/": "django.conf.urls.i18n",
    # Wagtail documents: Wagtail's collection view restrictions.
    "documents/": "wagtail.documents",
    # Static and uploaded files are served by the web server, not by Django.
    "static/": "static",
    "media/": "media",
}

ROLES = (
    "anonymous",
    "pupil",
    "guardian",
    "teacher",
    "homeroom",
    "school_admin",
    "librarian",
    "officer",
    "municipal_admin",
    "dpo",
    "editor",
    "superuser",
)
PUBLIC = frozenset(ROLES)
SIGNED_IN = PUBLIC - {"anonymous"}
FAMILY = frozenset({"pupil", "guardian"})
TEACHERS = frozenset({"teacher", "homeroom"})
SUPER = frozenset({"superuser"})
# Staff who reach the teacher's register screens (day, homework, tests, ...).
REGISTER_STAFF = TEACHERS | {"school_admin", "municipal_admin", "superuser"}
# Who manages a school: its admin, the municipal admin and superusers.
MANAGERS = frozenset({"school_admin", "municipal_admin", "superuser"})
MANAGE_EVERYWHERE = frozenset({"municipal_admin", "superuser"})
# Who runs a school's year end (its admins and headteachers, the municipal admin).
YEAR_END = MANAGERS
LIBRARIANS = frozenset({"librarian", "superuser"})
# The data protection officer sees every person of the gmina.
DPO = frozenset({"dpo", "superuser"})
AUDIT_READERS = frozenset({"dpo", "municipal_admin", "school_admin", "superuser"})
PRIVACY_PAGES = AUDIT_READERS
PUPIL_READERS = FAMILY | TEACHERS | {"school_admin", "superuser"}
# The intranet: the education office sends; school heads (headteachers, school admins)
# receive and answer; the noticeboard is for every staff role, school and municipal.
OFFICE = frozenset({"officer", "superuser"})
INTRANET_HEADS = OFFICE | {"school_admin"}
INTRANET_STAFF = TEACHERS | {
    "school_admin",
    "librarian",
    "officer",
    "municipal_admin",
    "dpo",
    "superuser",
}

# E-services: the family of the case, and who handles the walk's case (a notice for
# the homeroom teacher; the school's admin sees every case of the school).
ES_HANDLERS = frozenset({"homeroom", "school_admin", "municipal_admin", "superuser"})
ES_READERS = ES_HANDLERS | {"guardian"}


@dataclass(frozen=True)
class U:
    """How to request one URL pattern and who may use it."""

    roles: frozenset  # who may use it with their own school's objects
    kwargs: object = None  # side -> kwargs (dict) or args (list) of reverse()
    query: object = None  # side -> query string
    data: object = None  # side -> POST data
    methods: str = "GET POST"
    post_roles: frozenset | None = None  # who may POST (default: roles)
    everywhere: frozenset | None = None  # roles allowed on another school's objects too
    scoped: bool | None = None  # whether the "foreign" request names another school's object
    reset_session: bool = False  # the view signs out or changes the session
    sign_in: bool | None = None  # anonymous is sent to sign in (default: unless public)

    def allowed(self, role, side, method):
        roles = self.roles if method == "GET" or self.post_roles is None else self.post_roles
        if role not in roles:
            return False
        if side == "own" or not self.is_scoped:
            return True
        everywhere = self.everywhere
        if everywhere is None:
            everywhere = PUBLIC if self.roles == PUBLIC else SUPER
        return role in everywhere

    @property
    def is_scoped(self):
        if self.scoped is not None:
            return self.scoped
        return self.kwargs is not None or self.query is not None

    @property
    def private(self):
        return "anonymous" not in self.roles if self.sign_in is None else self.sign_in


def _q(**params):
    return lambda s: "?" + "&".join(f"{k}={v(s)}" for k, v in params.items())


# fmt: off
URLS: dict[str, U] = {
    # --- portal ----------------------------------------------------------------------------
    "robots.txt": U(PUBLIC, methods="GET"),
    "portal:dashboard": U(SIGNED_IN, methods="GET"),
    "portal:keepalive": U(SIGNED_IN, methods="POST"),
    # A signed link opened on the terminal itself; the walk's sign_in drops the marker.
    "portal:infomat_on": U(
        PUBLIC, lambda s: {"token": infomat_token("Walk")}, methods="GET", scoped=False,
        reset_session=True,
    ),
    "portal:infomat_off": U(
        PUBLIC, lambda s: {"token": infomat_token("Walk")}, methods="GET", scoped=False,
        reset_session=True,
    ),
    # Only an infomat's browser (the walk's clients are none) may reset itself.
    "portal:infomat_reset": U(frozenset(), methods="GET", sign_in=False),
    "analytics:overview": U(OFFICE, methods="GET"),
    "analytics:definitions": U(OFFICE, methods="GET"),
    "analytics:compute": U(OFFICE, methods="POST"),
    "analytics:measure": U(OFFICE, lambda s: {"key": "attendance"}, methods="GET", scoped=False),
    "analytics:compare": U(
        OFFICE, lambda s: {"school_type": s.school.school_type}, methods="GET", scoped=False
    ),
    "analytics:school": U(OFFICE, lambda s: {"pk": s.school.pk}, methods="GET", everywhere=OFFICE),
    "analytics:workbook": U(OFFICE, methods="GET"),
    "analytics:report_pdf": U(OFFICE, methods="GET"),
    "analytics:open_data": U(PUBLIC, methods="GET"),
    "analytics:open_data_csv": U(PUBLIC, methods="GET"),
    "portal:manage_home": U(MANAGERS, methods="GET"),
    "portal:manage_school": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"name": ""},
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_people": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_person_add": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"first_name": ""},
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_person": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "pk": s.pupil.pk},
        data=lambda s: {"first_name": ""}, everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_person_password": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "pk": s.other_pupil.pk},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_person_active": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "pk": s.other_pupil.pk},
        data=lambda s: {"active": "1"}, methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_import": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"kind": "pupils"},
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_import_run": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "pk": s.import_run.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_import_conflict": U(
        MANAGERS,
        lambda s: {"school_id": s.school.pk, "pk": s.import_run.pk, "conflict_id": s.conflict.pk},
        data=lambda s: {"decision": "reject"}, methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    # --- background work (the task worker's status page) ------------------------------------
    "background:status": U(MANAGERS, methods="GET"),
    "background:retry": U(
        MANAGERS, lambda s: {"task_id": s.failed_task.pk}, methods="POST",
        everywhere=MANAGE_EVERYWHERE,
    ),
    # --- data protection (RODO) -------------------------------------------------------------
    "portal:privacy_home": U(PRIVACY_PAGES, methods="GET"),
    "portal:privacy_people": U(DPO, methods="GET"),
    "portal:privacy_person": U(
        DPO, lambda s: {"pk": s.pupil.pk}, methods="GET", everywhere=DPO
    ),
    "portal:privacy_export_json": U(
        DPO, lambda s: {"pk": s.pupil.pk}, methods="GET", everywhere=DPO
    ),
    "portal:privacy_export_pdf": U(
        DPO, lambda s: {"pk": s.pupil.pk}, methods="GET", everywhere=DPO
    ),
    "portal:privacy_audit": U(AUDIT_READERS, methods="GET"),
    "portal:privacy_reads": U(frozenset({"dpo", "school_admin", "superuser"}), methods="GET"),
    "portal:privacy_anonymisation": U(DPO, methods="GET"),
    "portal:manage_import_sample": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "kind": "pupils"}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_list": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "section": "subjects"}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_add": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "section": "subjects"},
        data=lambda s: {"name": ""}, everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_edit": U(
        MANAGERS,
        lambda s: {"school_id": s.school.pk, "section": "subjects", "pk": s.subject.pk},
        data=lambda s: {"name": ""}, everywhere=MANAGE_EVERYWHERE,
    ),
    "portal:manage_delete": U(
        MANAGERS,
        lambda s: {"school_id": s.school.pk, "section": "subjects", "pk": s.spare_subject.pk},
        everywhere=MANAGE_EVERYWHERE,
    ),
    # --- gradebook -------------------------------------------------------------------------
    "gradebook:home": U(PUPIL_READERS),
    "gradebook:sheet": U(
        TEACHERS | {"school_admin", "superuser"}, lambda s: {"pk": s.assignment.pk},
        data=lambda s: {
            "term": s.term.pk,
            f"g-{s.assessment.pk}-{s.pupil.pk}": "5",
            f"o-{s.assessment.pk}-{s.pupil.pk}": "",
        },
        post_roles=frozenset({"teacher"}),
    ),
    "gradebook:assessment_add": U(
        frozenset({"teacher"}), lambda s: {"pk": s.assignment.pk}, data=lambda s: {"name": ""},
    ),
    "gradebook:assessment_edit": U(
        frozenset({"teacher"}), lambda s: {"pk": s.assignment.pk, "assessment_pk": s.assessment.pk},
        data=lambda s: {"name": ""},
    ),
    "gradebook:term_grades": U(
        TEACHERS | {"school_admin", "superuser"}, lambda s: {"pk": s.assignment.pk},
        data=lambda s: {"term": s.term.pk, f"proposed-{s.pupil.pk}": "4"},
        post_roles=frozenset({"teacher"}),
    ),
    "gradebook:term_grades_copy": U(
        frozenset({"teacher"}), lambda s: {"pk": s.assignment.pk},
        data=lambda s: {"term": s.term.pk}, methods="POST",
    ),
    "gradebook:history": U(
        frozenset({"teacher", "school_admin", "superuser"}), lambda s: {"pk": s.assignment.pk},
        query=_q(pupil=lambda s: s.pupil.pk),
    ),
    "gradebook:class": U(
        frozenset({"homeroom", "school_admin", "superuser"}), lambda s: {"pk": s.class_a.pk},
    ),
    "gradebook:behaviour": U(
        frozenset({"homeroom", "school_admin", "superuser"}), lambda s: {"pk": s.class_a.pk},
        data=lambda s: {"term": s.term.pk, f"proposed-{s.pupil.pk}": "x"},
        post_roles=frozenset({"homeroom"}),
    ),
    "gradebook:pupil": U(PUPIL_READERS, lambda s: {"pk": s.pupil.pk}),
    "gradebook:notifications": U(SIGNED_IN),  # redirects to notifications:list
    "gradebook:settings": U(
        MANAGERS, lambda s: {"pk": s.school.pk}, data=lambda s: {"save_settings": "1"},
        everywhere=MANAGE_EVERYWHERE,
    ),
    "gradebook:category_delete": U(
        MANAGERS, lambda s: {"pk": s.school.pk, "category_pk": s.assessment.category_id},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "gradebook:term_status": U(
        MANAGERS, lambda s: {"pk": s.school.pk, "term_pk": s.term.pk},
        data=lambda s: {"closed": "0"}, everywhere=MANAGE_EVERYWHERE,
    ),
    # --- year end ---------------------------------------------------------------------------
    "yearend:index": U(YEAR_END | {"homeroom"}, methods="GET"),
    **{
        name: U(YEAR_END, lambda s: {"school_pk": s.school.pk}, methods="GET",
                everywhere=MANAGE_EVERYWHERE)
        for name in ("yearend:school", "yearend:school_csv", "yearend:school_pdf")
    },
    **{
        name: U(YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk}, methods="GET",
                everywhere=MANAGE_EVERYWHERE)
        for name in ("yearend:class", "yearend:class_csv", "yearend:class_pdf")
    },
    # promotion decisions and exam retakes (gradebook/yearend/urls_promotion.py)
    "yearend:promotion_school": U(
        YEAR_END, lambda s: {"school_pk": s.school.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:promotion_class": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:promotion_decision": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk, "pupil_pk": s.pupil.pk},
        data=lambda s: {"outcome": "promoted"}, methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:promotion_confirm_homeroom": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk}, methods="POST",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:promotion_confirm_school": U(
        YEAR_END, lambda s: {"class_pk": s.class_a.pk}, methods="POST",
        data=lambda s: {"resolution_number": "1/2025"}, everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:promotion_retake": U(
        YEAR_END, lambda s: {"class_pk": s.class_a.pk, "pupil_pk": s.pupil.pk},
        everywhere=MANAGE_EVERYWHERE,
    ),
    # the pupils' record sheets (arkusze ocen)
    "yearend:sheets": U(YEAR_END | {"homeroom"}, methods="GET"),
    "yearend:sheets_school": U(
        YEAR_END, lambda s: {"school_pk": s.school.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    **{
        name: U(YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk}, methods="GET",
                everywhere=MANAGE_EVERYWHERE)
        for name in ("yearend:sheets_class", "yearend:sheets_class_pdf")
    },
    "yearend:sheets_class_job_start": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk}, methods="POST",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:sheets_class_job_file": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk, "job_pk": s.sheets_job.pk},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:sheets_pupil_pdf": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk, "pupil_pk": s.pupil.pk},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    # --- class register --------------------------------------------------------------------
    "register:day": U(REGISTER_STAFF),
    "register:missing": U(REGISTER_STAFF),
    "register:lesson_add": U(REGISTER_STAFF, data=lambda s: {"assignment": s.assignment.pk}),
    "register:lesson_history": U(
        frozenset({"teacher", "school_admin", "superuser"}), lambda s: {"pk": s.lesson.pk},
    ),
    "register:lesson": U(
        frozenset({"teacher", "school_admin", "superuser"}),
        lambda s: {
            "assignment_id": s.assignment.pk,
            "date": s.lesson.date.isoformat(),
            "number": s.lesson.number,
        },
        data=lambda s: {"topic": "Powtórka", f"s-{s.pupil.pk}": Attendance.Status.UNEXCUSED},
    ),
    "register:lesson_plan": U(FAMILY, query=_q(pupil=lambda s: s.pupil.pk)),
    "register:timetable": U(
        TEACHERS | {"school_admin", "superuser"}, lambda s: {"class_id": s.class_a.pk},
        data=lambda s: {"weekday": "9"}, post_roles=frozenset({"school_admin", "superuser"}),
    ),
    "register:settings": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"settings": "1"},
        everywhere=MANAGE_EVERYWHERE,
    ),
    "register:stats": U(
        TEACHERS | {"school_admin", "superuser"}, query=_q(**{"class": lambda s: s.class_a.pk}),
    ),
    "register:pupil_stats": U(PUPIL_READERS, query=_q(pupil=lambda s: s.pupil.pk)),
    "register:pupil_absences": U(PUPIL_READERS, query=_q(pupil=lambda s: s.pupil.pk)),
    "register:excuses": U(SIGNED_IN),
    "register:excuse_new": U(
        frozenset({"guardian"}), query=_q(pupil=lambda s: s.pupil.pk),
        data=lambda s: {"reason": "Choroba", "attendances": s.absence.pk},
    ),
    "register:excuse_decide": U(
        frozenset({"homeroom", "school_admin", "superuser"}), lambda s: {"pk": s.excuse.pk},
        data=lambda s: {"reason": ""}, methods="POST",
    ),
    "register:remarks": U(SIGNED_IN),
    "register:remark_new": U(
        REGISTER_STAFF, data=lambda s: {"pupil": s.pupil.pk, "kind": "positive", "text": "Brawo"},
    ),
    "register:remark_edit": U(
        frozenset({"teacher"}), lambda s: {"pk": s.remark.pk},
        data=lambda s: {"kind": "positive", "text": ""},
    ),
    "register:remark_ack": U(
        frozenset({"guardian"}), lambda s: {"pk": s.remark.pk}, methods="POST",
    ),
    "register:homework": U(REGISTER_STAFF, data=lambda s: {"assignment": s.assignment.pk}),
    "register:homework_file": U(PUPIL_READERS, lambda s: {"pk": s.homework.pk}),
    # Only the teacher of the class and subject; a POST of "delete" only asks first.
    "register:homework_edit": U(
        frozenset({"teacher"}), lambda s: {"pk": s.homework.pk}, data=lambda s: {"delete": "1"}
    ),
    "register:test_edit": U(
        frozenset({"teacher"}), lambda s: {"pk": s.planned_test.pk}, data=lambda s: {"delete": "1"}
    ),
    "register:tests": U(REGISTER_STAFF, data=lambda s: {"assignment": s.assignment.pk}),
    "register:announcements": U(SIGNED_IN),
    "register:announcement_new": U(
        TEACHERS | {"school_admin", "superuser"},
        data=lambda s: {"school": s.school.pk, "audience": "school", "title": ""},
    ),
    "register:announcement": U(
        PUPIL_READERS | {"librarian"}, lambda s: {"pk": s.announcement.pk},
    ),
    "register:week": U(FAMILY, query=_q(pupil=lambda s: s.pupil.pk)),
    # the secret token in the address is the only key of the feed
    "register:ical": U(PUBLIC, lambda s: {"token": s.calendar_token.token}),
    "register:calendar": U(FAMILY, data=lambda s: {"action": "revoke"}),
    # --- circulation -----------------------------------------------------------------------
    "circulation:desk_home": U(LIBRARIANS),
    "circulation:desk": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk},
        data=lambda s: {"action": "return", "back-barcode": s.copy.barcode},
    ),
    "circulation:overdue": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, query=_q(klasa=lambda s: s.class_a.pk),
    ),
    "circulation:overdue_remind": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"reader": s.pupil.pk},
        methods="POST",
    ),
    "circulation:class_cards": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, query=_q(klasa=lambda s: s.class_a.pk),
        methods="GET",
    ),
    "circulation:overdue_pdf": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, query=_q(klasa=lambda s: s.class_a.pk),
        methods="GET",
    ),
    "circulation:rules": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"action": "rule"},
    ),
    "circulation:readers": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, query=_q(q=lambda s: "a"),
    ),
    "circulation:reader_card": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk, "user_id": s.pupil.pk},
    ),
    # a pupil is a reader by role, not from outside the school: the refusal redirects
    "circulation:external_reader_end": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk, "user_id": s.pupil.pk},
        data=lambda s: {"reason": "koniec"}, methods="POST",
    ),
    "circulation:account": U(SIGNED_IN),
    "circulation:card": U(SIGNED_IN),
    "circulation:account_action": U(
        SIGNED_IN, lambda s: {"action": "renew_all"}, methods="POST", scoped=False,
    ),
    "circulation:account_child": U(FAMILY, lambda s: {"user_id": s.pupil.pk}),
    "circulation:card_child": U(FAMILY, lambda s: {"user_id": s.pupil.pk}),
    "circulation:account_child_action": U(
        FAMILY, lambda s: {"user_id": s.pupil.pk, "action": "renew_all"}, methods="POST",
    ),
    "circulation:copy": U(
        LIBRARIANS, lambda s: {"pk": s.copy.pk}, data=lambda s: {"kind": "lost", "note": ""},
    ),
    "circulation:copies_add": U(
        LIBRARIANS, lambda s: {"pk": s.record.pk}, data=lambda s: {"school": s.school.pk},
        methods="POST",
    ),
    # readers of the school's library: its pupils and staff (guardians are not)
    "circulation:hold_place": U(
        TEACHERS | {"pupil", "school_admin", "librarian"}, lambda s: {"pk": s.record.pk},
        data=lambda s: {"school": s.school.pk}, methods="POST",
    ),
    "circulation:stocktakes": U(
        LIBRARIANS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"name": "Spis"},
    ),
    "circulation:stocktake": U(
        LIBRARIANS, lambda s: {"pk": s.stocktake.pk}, data=lambda s: {"action": "scan"},
    ),
    "circulation:stocktake_protocol": U(
        LIBRARIANS, lambda s: {"pk": s.stocktake.pk}, methods="GET",
    ),
    "circulation:kiosk": U(PUBLIC, reset_session=True),
    "circulation:kiosk_end": U(PUBLIC, methods="POST", reset_session=True),
    "circulation:kiosk_leave": U(PUBLIC, methods="POST", reset_session=True),
    # --- e-services (the walk's case: the guardian's advance absence notice, handled
    # by the homeroom teacher, with an issued document and an attachment) ---------------
    "eservices:home": U(SIGNED_IN, methods="GET"),
    "eservices:submit": U(
        frozenset({"guardian"}), lambda s: {"pk": s.es_service.pk},
        data=lambda s: {"pupil": s.pupil.pk},
    ),
    "eservices:case": U(ES_READERS, lambda s: {"pk": s.es_case.pk}, methods="GET",
                        everywhere=MANAGE_EVERYWHERE),
    "eservices:reply": U(
        frozenset({"guardian"}), lambda s: {"pk": s.es_case.pk},
        data=lambda s: {"reply-text": "Odpowiedź"}, methods="POST",
    ),
    "eservices:transition": U(
        ES_HANDLERS, lambda s: {"pk": s.es_case.pk}, data=lambda s: {"step-to": "accepted"},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:message": U(
        ES_HANDLERS, lambda s: {"pk": s.es_case.pk},
        data=lambda s: {"msg-text": "Notatka", "msg-internal": "on"}, methods="POST",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:reassign": U(
        ES_HANDLERS, lambda s: {"pk": s.es_case.pk}, data=lambda s: {"to-handler": s.admin.pk},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:attachment": U(ES_READERS, lambda s: {"pk": s.es_attachment.pk}, methods="GET",
                              everywhere=MANAGE_EVERYWHERE),
    "eservices:document": U(ES_READERS, lambda s: {"pk": s.es_document.pk}, methods="GET",
                            everywhere=MANAGE_EVERYWHERE),
    "eservices:revoke": U(
        ES_HANDLERS, lambda s: {"pk": s.es_document.pk}, data=lambda s: {"revoke-reason": ""},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:queue": U(ES_HANDLERS | {"librarian"}, methods="GET"),
    "eservices:verify": U(PUBLIC, lambda s: {"code": s.es_document.code}, methods="GET"),
    "eservices:catalogue": U(
        MANAGERS, lambda s: {"school_id": s.school.pk},
        data=lambda s: {"service": s.es_service.pk, "enabled": "1"}, everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:service_add": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"service-name": ""},
        everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:service_edit": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "pk": s.es_service.pk},
        data=lambda s: {"service-name": ""}, everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:field_add": U(
        MANAGERS, lambda s: {"school_id": s.school.pk, "service_id": s.es_service.pk},
        data=lambda s: {"field-label": ""}, everywhere=MANAGE_EVERYWHERE,
    ),
    "eservices:field_edit": U(
        MANAGERS,
        lambda s: {"school_id": s.school.pk, "service_id": s.es_service.pk, "pk": s.es_field.pk},
        data=lambda s: {"field-label": ""}, everywhere=MANAGE_EVERYWHERE,
    ),
    # trips: the walk's museum trip of class 4a, organised by its teacher; only its
    # teachers see it (a school admin or superuser organises none: 404 everywhere else)
    "eservices:trips": U(TEACHERS, methods="GET"),
    "eservices:trip_add": U(TEACHERS, data=lambda s: {"trip-title": ""}),
    "eservices:trip": U(TEACHERS, lambda s: {"pk": s.es_trip.pk}, methods="GET",
                        everywhere=frozenset()),
    "eservices:trip_print": U(TEACHERS, lambda s: {"pk": s.es_trip.pk}, methods="GET",
                              everywhere=frozenset()),
    "eservices:trip_remind": U(TEACHERS, lambda s: {"pk": s.es_trip.pk}, methods="POST",
                               everywhere=frozenset()),
    "eservices:trip_edit": U(TEACHERS, lambda s: {"pk": s.es_trip.pk},
                             data=lambda s: {"trip-title": ""}, everywhere=frozenset()),
    "eservices:trip_add_pupils": U(TEACHERS, lambda s: {"pk": s.es_trip.pk},
                                   data=lambda s: {"pupils": []}, methods="POST",
                                   everywhere=frozenset()),
    "eservices:trip_cancel": U(TEACHERS, lambda s: {"pk": s.es_trip.pk},
                               data=lambda s: {"reason": ""}, methods="POST",
                               everywhere=frozenset()),
    "eservices:trip_answer": U(
        frozenset({"guardian"}), lambda s: {"pk": s.es_consent.pk},
        data=lambda s: {"answer": "consent", "note": ""}, methods="POST",
        everywhere=frozenset(),
    ),
    # --- messages (the walk's thread: the guardian wrote to the teacher, who reported it
    # to the school admin and answered) ----------------------------------------------------
    "messaging:inbox": U(SIGNED_IN, methods="GET"),
    "messaging:sent": U(SIGNED_IN, methods="GET"),
    "messaging:archive": U(SIGNED_IN, methods="GET"),
    "messaging:compose": U(
        SIGNED_IN,
        data=lambda s: {"to": f"user:{s.school.pk}:{s.teacher.pk}", "subject": "", "body": ""},
        scoped=False,
    ),
    "messaging:recipients": U(
        SIGNED_IN, query=_q(q=lambda s: s.teacher.last_name), methods="GET", scoped=False
    ),
    "messaging:thread": U(
        frozenset({"guardian", "teacher"}), lambda s: {"pk": s.msg["thread"].pk},
        data=lambda s: {"body": ""}, everywhere=frozenset(),
    ),
    "messaging:thread_archive": U(
        frozenset({"guardian", "teacher"}), lambda s: {"pk": s.msg["thread"].pk},
        data=lambda s: {"archived": "0"}, methods="POST", everywhere=frozenset(),
    ),
    # the reported message's file: its sender and recipient, the school admin handling it
    "messaging:attachment": U(
        frozenset({"guardian", "teacher", "school_admin", "superuser"}),
        lambda s: {"pk": s.msg["attachment"].pk}, methods="GET",
    ),
    "messaging:report": U(
        frozenset({"teacher"}), lambda s: {"pk": s.msg["message"].pk},
        data=lambda s: {"reason": ""}, everywhere=frozenset(),
    ),
    "messaging:retract": U(
        frozenset({"guardian"}), lambda s: {"pk": s.msg["message"].pk}, methods="POST",
        everywhere=frozenset(),
    ),
    "messaging:reports": U(frozenset({"school_admin", "superuser"}), methods="GET"),
    "messaging:report_detail": U(
        frozenset({"school_admin", "superuser"}), lambda s: {"pk": s.msg["report"].pk},
        data=lambda s: {"note": "Wyjaśnione"},
    ),
    "messaging:settings": U(
        frozenset({"school_admin"}), lambda s: {"school_id": s.school.pk},
        data=lambda s: {"retention_days": ""}, everywhere=frozenset(),
    ),
    # --- library ---------------------------------------------------------------------------
    "library:search": U(PUBLIC, query=_q(q=lambda s: "Tadeusz"), scoped=False),
    "library:results_export": U(
        PUBLIC, lambda s: {"fmt": "json"}, query=_q(q=lambda s: "Tadeusz"), scoped=False,
    ),
    "library:record_new": U(LIBRARIANS, data=lambda s: {"text": ""}),
    "library:record": U(PUBLIC, lambda s: {"pk": s.record.pk}),
    "library:record_export": U(PUBLIC, lambda s: {"pk": s.record.pk, "fmt": "json"}),
    "library:record_edit": U(
        LIBRARIANS, lambda s: {"pk": s.record.pk}, data=lambda s: {"text": ""},
    ),
    "library:record_history": U(LIBRARIANS, lambda s: {"pk": s.record.pk}),
    "library:record_form_new": U(LIBRARIANS, data=lambda s: {"title": ""}),
    "library:record_form_edit": U(
        LIBRARIANS, lambda s: {"pk": s.record.pk}, data=lambda s: {"title": ""}
    ),
    "library:record_to_list": U(
        LIBRARIANS, lambda s: {"pk": s.record.pk},
        data=lambda s: {"target": s.reading_list.pk, "note": ""}, methods="POST",
    ),
    "library:record_to_topic": U(
        LIBRARIANS, lambda s: {"pk": s.record.pk},
        data=lambda s: {"target": s.topic.pk, "note": ""}, methods="POST",
    ),
    "library:subjects": U(PUBLIC),
    "library:topics": U(PUBLIC),
    "library:topic_new": U(LIBRARIANS, data=lambda s: {"name": ""}),
    "library:topic": U(PUBLIC, lambda s: {"slug": s.topic.slug}),
    "library:lists": U(PUBLIC),
    "library:list_new": U(LIBRARIANS, data=lambda s: {"title": ""}),
    "library:new_rss": U(PUBLIC),
    # the lists of the walk are unpublished: their school's librarians only (a public
    # page: anonymous readers find no such list)
    "library:list": U(LIBRARIANS, lambda s: {"slug": s.reading_list.slug}, sign_in=False),
    "library:list_pdf": U(LIBRARIANS, lambda s: {"slug": s.reading_list.slug}, sign_in=False),
    "library:list_export": U(
        LIBRARIANS, lambda s: {"slug": s.reading_list.slug, "fmt": "json"}, sign_in=False,
    ),
    "library:list_remove": U(
        LIBRARIANS, lambda s: {"slug": s.reading_list.slug, "pk": s.record.pk}, methods="POST",
    ),
    "library:import": U(LIBRARIANS, data=lambda s: {"school": s.school.pk}),
    "library:import_detail": U(LIBRARIANS, lambda s: {"pk": s.import_job.pk}),
    # --- notification centre ----------------------------------------------------------------
    "notifications:list": U(SIGNED_IN),
    "notifications:mark_all_read": U(SIGNED_IN, methods="POST"),
    "notifications:preferences": U(SIGNED_IN, data=lambda s: {"email_mode": "bogus"}),
    "notifications:school_settings": U(
        MANAGERS, lambda s: {"school_id": s.school.pk}, data=lambda s: {"tell_guardians": "on"},
        everywhere=MANAGE_EVERYWHERE,
    ),
    # only its recipient opens a notification (the school's guardian here): 404 for
    # everyone else, superusers too
    "notifications:open": U(
        frozenset({"guardian"}), lambda s: {"pk": s.notification.pk}, everywhere=frozenset(),
    ),
    # --- cms (public pages, feeds; the page tree is served by Wagtail) ----------------------
    "cms:search": U(PUBLIC, query=_q(q=lambda s: "szkola"), scoped=False),
    "cms:infomat": U(PUBLIC),
    "cms:sitemap": U(PUBLIC),
    "cms:feed_rss": U(PUBLIC),
    "cms:feed_atom": U(PUBLIC),
    "cms:school_feed_rss": U(PUBLIC, lambda s: {"school_slug": s.school.slug}),
    "cms:school_feed_atom": U(PUBLIC, lambda s: {"school_slug": s.school.slug}),
    "cms:events_ical": U(PUBLIC),
    "cms:school_events_ical": U(PUBLIC, lambda s: {"school_slug": s.school.slug}),
    "wagtailcore_authenticate_with_password": U(
        PUBLIC,
        lambda s: {"page_view_restriction_id": s.restriction.pk, "page_id": s.restricted.pk},
        data=lambda s: {"password": "niepoprawne"},
    ),
    "wagtailcore_login": U(PUBLIC),
    "wagtail_serve": U(PUBLIC, lambda s: [f"{s.school.slug}/"]),
    # --- web push and the installable portal (webpush) ------------------------------------
    "webpush:manifest": U(PUBLIC, methods="GET"),
    "webpush:service_worker": U(PUBLIC, methods="GET"),
    "webpush:offline": U(PUBLIC, methods="GET"),
    "webpush:devices": U(SIGNED_IN, methods="GET"),
    # JSON from the page's script (the walk's form POST is refused with 400)
    "webpush:subscribe": U(SIGNED_IN, methods="POST"),
    "webpush:unsubscribe": U(SIGNED_IN, methods="POST"),
    # a device is its owner's alone (the walk's is the guardian's): not even a superuser
    "webpush:remove": U(
        frozenset({"guardian"}), lambda s: {"pk": s.push_subscription.pk}, methods="POST",
        everywhere=frozenset(),
    ),
    # --- year end: the register's XML/JSON export (school admins and headteachers) ----------
    "yearend:export_index": U(MANAGERS, methods="GET"),
    "yearend:export": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:export_class": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "class_pk": s.class_a.pk, "fmt": "xml"},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:export_school_start": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "year_pk": s.year.pk, "fmt": "xml"},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:export_job_file": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "job_pk": s.export_job.pk},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    # --- year end: the next school year (wizard) and finished years -------------------------
    "yearend_rollover:index": U(YEAR_END, methods="GET"),
    **{
        name: U(YEAR_END, lambda s: {"school_pk": s.school.pk}, everywhere=MANAGE_EVERYWHERE)
        for name in ("yearend_rollover:year", "yearend_rollover:classes")
    },
    **{
        name: U(YEAR_END, lambda s: {"school_pk": s.school.pk}, methods="GET",
                everywhere=MANAGE_EVERYWHERE)
        for name in ("yearend_rollover:preview", "yearend_rollover:years")
    },
    "yearend_rollover:apply": U(
        YEAR_END, lambda s: {"school_pk": s.school.pk}, methods="POST",
        everywhere=MANAGE_EVERYWHERE,
    ),
    # the walk's year is current: closing is refused, reopening too (it is not finished)
    **{
        name: U(YEAR_END, lambda s: {"school_pk": s.school.pk, "year_pk": s.year.pk},
                methods="POST", everywhere=MANAGE_EVERYWHERE)
        for name in ("yearend_rollover:close", "yearend_rollover:reopen")
    },
    # --- year end: the statutory printouts (the school's year-end staff; a homeroom teacher
    # for their own class) ---------------------------------------------------------------------
    "yearend:statutory_index": U(YEAR_END | {"homeroom"}, methods="GET"),
    "yearend:statutory": U(
        YEAR_END | {"homeroom"}, lambda s: {"school_pk": s.school.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:statutory_register": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:statutory_attendance": U(
        YEAR_END | {"homeroom"}, lambda s: {"class_pk": s.class_a.pk, "fmt": "csv"},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend:statutory_batch_start": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "year_pk": s.year.pk},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    # --- year end: the signed year-end archive (§ 22) ---------------------------------------
    "yearend_archive:index": U(MANAGERS, methods="GET"),
    "yearend_archive:school": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk}, methods="GET",
        everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend_archive:start": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "year_pk": s.year.pk},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend_archive:detail": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "archive_pk": s.year_archive.pk},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend_archive:zip": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "archive_pk": s.year_archive.pk},
        methods="GET", everywhere=MANAGE_EVERYWHERE,
    ),
    "yearend_archive:verify": U(
        MANAGERS, lambda s: {"school_pk": s.school.pk, "archive_pk": s.year_archive.pk},
        methods="POST", everywhere=MANAGE_EVERYWHERE,
    ),
    # --- intranet (the education office and its schools) ------------------------------------
    "intranet:home": U(INTRANET_STAFF, methods="GET"),
    "intranet:circulars": U(INTRANET_HEADS, methods="GET"),
    "intranet:circular_new": U(OFFICE, data=lambda s: {"subject": ""}),
    "intranet:circular": U(
        INTRANET_HEADS, lambda s: {"pk": s.circular.pk}, methods="GET", everywhere=OFFICE,
    ),
    "intranet:attachment": U(
        INTRANET_HEADS, lambda s: {"pk": s.circular_file.pk}, methods="GET", everywhere=OFFICE,
    ),
    "intranet:requests": U(INTRANET_HEADS, methods="GET"),
    "intranet:request_new": U(OFFICE, data=lambda s: {"title": ""}),
    "intranet:request": U(
        INTRANET_HEADS, lambda s: {"pk": s.data_request.pk}, methods="GET", everywhere=OFFICE,
    ),
    "intranet:request_close": U(
        OFFICE, lambda s: {"pk": s.data_request.pk}, methods="POST", everywhere=OFFICE,
    ),
    "intranet:request_export": U(
        OFFICE, lambda s: {"pk": s.data_request.pk, "fmt": "csv"}, methods="GET",
        everywhere=OFFICE,
    ),
    # only the school's own headteachers and admins answer (not the office, not superusers)
    "intranet:answer": U(
        frozenset({"school_admin"}), lambda s: {"pk": s.data_request.pk, "school_id": s.school.pk},
        data=lambda s: {"note": ""},
    ),
    "intranet:answer_file": U(
        INTRANET_HEADS, lambda s: {"pk": s.doc_request.pk, "school_id": s.school.pk},
        methods="GET", everywhere=OFFICE,
    ),
    "intranet:posts": U(INTRANET_STAFF, methods="GET"),
    "intranet:post_new": U(OFFICE, data=lambda s: {"title": ""}),
    "intranet:post": U(INTRANET_STAFF, lambda s: {"pk": s.post.pk}, methods="GET", scoped=False),
}
# fmt: on


def walk_patterns(patterns=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, names with their namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_patterns(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name or route


def walked_patterns():
    return [
        (route, name)
        for route, name in walk_patterns()
        if not any(route.startswith(p) for p in SKIPPED_PREFIXES)
    ]


def test_every_url_pattern_has_an_entry():
    names = [name for _route, name in walked_patterns()]
    missing = sorted(set(names) - set(URLS))
    assert not missing, f"URL patterns with no entry in tests/test_url_walk.py URLS: {missing}"
    stale = sorted(set(URLS) - set(names))
    assert not stale, f"entries for URL patterns that no longer exist: {stale}"


# --- The world of the walk ----------------------------------------------------------------


def _add_school_objects(side, site_section):
    day = last_school_day()
    side.term = current_term(side.year)
    side.assessment = AssessmentFactory(assignment=side.assignment, name="Sprawdzian 1")
    side.spare_subject = SubjectFactory(school=side.school, name="Plastyka")
    side.lesson = LessonFactory(assignment=side.assignment, date=day)
    side.absence = Attendance.objects.create(
        lesson=side.lesson, pupil=side.pupil, status=Attendance.Status.UNEXCUSED
    )
    side.excuse = Excuse.objects.create(
        pupil=side.pupil, school_class=side.class_a, submitted_by=side.guardian, reason="Choroba"
    )
    side.excuse.attendances.add(side.absence)
    side.remark = RemarkFactory(pupil=side.pupil, school_class=side.class_a, author=side.teacher)
    side.homework = Homework.objects.create(
        assignment=side.assignment,
        due_date=day + datetime.timedelta(days=7),
        description="Zadania 1–5",
        attachment=ContentFile(b"zadania", name="zadania.txt"),
        attachment_name="zadania.txt",
        created_by=side.teacher,
    )
    side.planned_test = PlannedTest.objects.create(
        assignment=side.assignment,
        date=day + datetime.timedelta(days=10),
        scope="Ułamki",
        created_by=side.teacher,
    )
    side.announcement = Announcement.objects.create(
        school=side.school,
        author=side.admin,
        audience=Announcement.Audience.SCHOOL,
        title="Dzień otwarty",
        body="Zapraszamy.",
    )
    # another pupil's feed: the walk's pupils revoke their own on the calendar page
    side.calendar_token = CalendarToken.objects.create(
        user=side.other_pupil, token=f"token-{side.school.pk}"
    )
    side.import_run = ImportRun.objects.create(
        school=side.school, kind=ImportRun.Kind.PUPILS, file_name="uczniowie.csv"
    )
    side.conflict = ImportConflict.objects.create(
        run=side.import_run,
        line=2,
        person=side.guardian,
        field="email",
        current_value=side.guardian.email,
        imported_value=f"nowy-{side.school.pk}@example.org",
    )
    side.record = record_create(f"Pan Tadeusz {side.school.short_name}", school=side.school)
    side.reading_list = reading_list_create(side.school, published=False)
    side.topic = topic_create(side.school)
    side.import_job = ImportJob.objects.create(
        school=side.school, user=side.librarian, file_name="k.mrc", data=b"", fmt="marc"
    )
    side.failed_task = task_row(
        run_marc_import, side.import_job.pk, status="FAILED", error="RuntimeError: przerwany"
    )
    side.copy = copy_create(side.record, side.school)
    side.export_job = RegisterExportJob.objects.create(
        school=side.school, school_year=side.year, fmt="xml", status="succeeded"
    )
    side.export_job.file.save("dziennik.xml", ContentFile(b"<register/>"))
    side.sheets_job = RegisterExportJob.objects.create(
        school=side.school,
        school_year=side.year,
        school_class=side.class_a,
        fmt="sheets-pdf",
        status="succeeded",
    )
    side.sheets_job.file.save("arkusze.pdf", ContentFile(b"%PDF-1.4 walk"))
    side.year_archive = YearArchive.objects.create(
        school=side.school,
        school_year=side.year,
        status="succeeded",
        folder=f"yearend/archives/{side.school.pk}/walk/",
    )
    side.msg = conversation(side)
    _add_eservices(side)
    side.stocktake = Stocktake.objects.create(
        school=side.school, name="Spis", started_by=side.librarian
    )
    side.push_subscription = PushSubscription.objects.create(
        user=side.guardian,
        endpoint=f"https://fcm.googleapis.com/fcm/send/walk-{side.school.pk}",
        p256dh="walk",
        auth="walk",
    )
    side.notification = Notification.objects.create(
        recipient=side.guardian,
        pupil=side.pupil,
        kind="remark",
        title="Uwaga",
        key=f"walk:{side.school.pk}",
        url=reverse("register:remarks"),
    )
    side.school_page = site_section["page"]
    side.restricted = site_section["news"]
    side.restriction = PageViewRestriction.objects.create(
        page=side.restricted, restriction_type=PageViewRestriction.PASSWORD, password="tajne"
    )


def _add_intranet_objects(side, officer):
    side.circular = intranet_factories.circular_create(
        officer, [side.school], files=[intranet_factories.pdf()]
    )
    side.circular_file = side.circular.attachments.get()
    side.data_request = intranet_factories.form_request_create(officer, [side.school])
    side.doc_request = intranet_factories.document_request_create(officer, [side.school])
    intranet_services.answer_save(
        data_request=side.doc_request,
        school_id=side.school.pk,
        user=side.admin,
        file=intranet_factories.pdf(),
    )
    side.post = intranet_factories.post_create(officer)


def _add_eservices(side):
    from eservices import services as es_services
    from eservices.builtins import builtins_ensure
    from eservices.models import (
        CaseAttachment,
        IssuedDocument,
        Service,
        ServiceKind,
        Trip,
        TripConsent,
    )

    builtins_ensure(side.school)
    Service.objects.filter(school=side.school).update(enabled=True)
    side.es_service = Service.objects.get(school=side.school, kind=ServiceKind.ADVANCE_ABSENCE)
    fields = {f.key: f.pk for f in side.es_service.fields.all()}
    side.es_field = side.es_service.fields.get(key="reason")
    side.es_case = es_services.case_submit(
        applicant=side.guardian,
        service=side.es_service,
        pupil=side.pupil,
        answers={fields["first_day"]: last_school_day(), fields["reason"]: "Lekarz"},
    )
    side.es_attachment = CaseAttachment.objects.create(
        case=side.es_case, name="skan.pdf", file=ContentFile(b"%PDF-1.4 skan", name="skan.pdf")
    )
    side.es_trip = es_services.trip_create(
        user=side.teacher,
        trip=Trip(
            school_class=side.class_a,
            title="Muzeum",
            starts_on=timezone.localdate() + datetime.timedelta(days=10),
            place="Kraków",
            consent_deadline=timezone.now() + datetime.timedelta(days=3),
        ),
    )
    side.es_consent = TripConsent.objects.get(trip=side.es_trip, pupil=side.pupil)
    side.es_document = IssuedDocument.objects.create(
        case=side.es_case,
        school=side.school,
        title="Zaświadczenie",
        issuer_name=side.school.name,
        pdf=ContentFile(b"%PDF-1.4 walk", name="z.pdf"),
    )


@pytest.fixture
def school_day():
    """A Wednesday of the second term: the walk's lessons, terms and due dates
    do not depend on the day the tests run."""
    with time_machine.travel("2026-03-18 10:00:00", tick=True):
        yield


@pytest.fixture
def walk_world(school_day, world):
    site = build_site(world)
    for key in ("a", "b"):
        _add_school_objects(getattr(world, key), site[key])
    world.municipal_admin = RoleFactory(
        role=Role.MUNICIPAL_ADMIN, school=None, user=UserFactory(username="gmina-admin")
    ).user
    world.dpo = RoleFactory(role=Role.DPO, school=None, user=UserFactory(username="iod")).user
    world.editor = RoleFactory(
        role=Role.EDITOR, school=world.a.school, user=UserFactory(username="a-editor")
    ).user
    for side in (world.a, world.b):
        _add_intranet_objects(side, world.officer)
    return world


def user_of(world, role):
    school_roles = {"school_admin": "admin", "homeroom": "homeroom"}
    if role == "anonymous":
        return None
    if role in ("officer", "municipal_admin", "dpo", "editor", "superuser"):
        return getattr(world, role)
    return getattr(world.a, school_roles.get(role, role))


# --- What school B holds, to prove a request of school A changed none of it ----------------

WALKED_APPS = {
    "portal",
    "gradebook",
    "register",
    "library",
    "circulation",
    "cms",
    "notifications",
    "messaging",
    "intranet",
    "webpush",
    "yearend",
    "eservices",
}


def _path_to_school(model, depth=5):
    """The shortest lookup from `model` to its School along foreign keys."""
    if model is School:
        return "pk"
    queue = [(model, "")]
    for _level in range(depth):
        next_queue = []
        for current, path in queue:
            for f in current._meta.get_fields():
                if not (f.many_to_one or f.one_to_one) or not f.concrete or not f.related_model:
                    continue
                lookup = f"{path}__{f.name}" if path else f.name
                if f.related_model is School:
                    return lookup
                next_queue.append((f.related_model, lookup))
        queue = next_queue
    return None


def school_snapshot(school, users):
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in WALKED_APPS:
            continue
        path = _path_to_school(model)
        if path is None:
            continue
        qs = model._default_manager.filter(**{path: school.pk}).order_by("pk").values()
        rows[model._meta.label] = [repr(sorted(r.items())) for r in qs]
    rows["users"] = [
        repr(sorted(r.items()))
        for r in User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk").values()
    ]
    return rows


# --- The walk -----------------------------------------------------------------------------


class _StubPDF:
    """Rendering PDFs is tested elsewhere; the walk needs only the access decision."""

    def __init__(self, *args, **kwargs):
        pass

    def write_pdf(self, *args, **kwargs):
        return b"%PDF-1.4 walk"


def _request(client, name, entry, side_objects, method):
    kwargs = entry.kwargs(side_objects) if entry.kwargs else None
    if isinstance(kwargs, list):
        url = reverse(name, args=kwargs)
    elif name == "robots.txt":
        url = "/robots.txt"
    else:
        url = reverse(name, kwargs=kwargs)
    if entry.query:
        url += entry.query(side_objects)
    if method == "GET":
        return url, client.get(url)
    data = entry.data(side_objects) if entry.data else {"x": "1"}
    return url, client.post(url, data)


def _problem(entry, role, side, method, response):
    status = response.status_code
    location = response.get("Location", "")
    to_login = status == 302 and "/konto/login/" in location
    if role == "anonymous" and entry.private:
        return None if to_login else f"expected a redirect to sign in, got {status}"
    allowed = entry.allowed(role, side, method)
    if method not in entry.methods:
        expected = {405} if allowed else {404, 405}
    elif allowed:
        expected = {200, 204, 302, 400} if method == "POST" else {200, 302}
        if to_login:
            return "sent to sign in although allowed"
    else:
        expected = {404}
    return None if status in expected else f"expected {sorted(expected)}, got {status}"


def walk(client, world, role):
    user = user_of(world, role)

    def sign_in():
        client.logout()
        client.cookies.pop(INFOMAT_COOKIE, None)
        if user is not None:
            enable_mfa(user)
            client.force_login(user)

    sign_in()
    sides = {"own": world.a, "foreign": world.b}
    problems, count = [], 0
    for name, entry in URLS.items():
        for method in ("GET", "POST"):
            for side in ("own", "foreign"):
                if side == "foreign" and not entry.is_scoped and entry.data is None:
                    continue  # the same request as "own"
                url, response = _request(client, name, entry, sides[side], method)
                count += 1
                problem = _problem(entry, role, side, method, response)
                if problem:
                    problems.append(f"{role} {method} {side} {name} {url}: {problem}")
                if entry.reset_session or not response.wsgi_request.user.is_authenticated:
                    sign_in()
    return problems, count


# Grouped in a few tests (not one per request) to keep the walk fast; each test
# builds its world once and walks every URL for its roles.
ROLE_GROUPS = [
    ("anonymous", "pupil", "guardian"),
    ("teacher", "homeroom"),
    ("school_admin", "librarian"),
    ("officer", "municipal_admin", "dpo"),
    ("editor", "superuser"),
]


@pytest.mark.parametrize("roles", ROLE_GROUPS, ids=["-".join(g) for g in ROLE_GROUPS])
def test_walk_every_url_for_every_role(client, walk_world, roles, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", SimpleNamespace(HTML=_StubPDF))
    world = walk_world
    b_users = [getattr(world.b, k) for k in ("pupil", "other_pupil", "guardian", "teacher")]
    b_users += [world.b.homeroom, world.b.admin, world.b.librarian]
    problems = []
    for role in roles:
        before = school_snapshot(world.b.school, b_users)
        found, count = walk(client, world, role)
        problems += found
        if role not in MANAGE_EVERYWHERE:
            after = school_snapshot(world.b.school, b_users)
            changed = [label for label in before if before[label] != after[label]]
            if changed:
                problems.append(f"{role} changed school B's {changed}")
    assert not problems, "\n".join(problems)


def test_walk_covers_every_role():
    assert sorted(r for group in ROLE_GROUPS for r in group) == sorted(ROLES)
