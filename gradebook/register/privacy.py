"""What the class register holds about a person, for the portal's
data-protection duties; registered in RegisterConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.privacy.export import fmt_dt, person_label, table

from .models import AnnouncementRead, Attendance, CalendarToken, Excuse, Remark


def export_person(person) -> list[dict]:
    attendance = (
        Attendance.objects.filter(pupil=person)
        .select_related("lesson__assignment__subject")
        .order_by("lesson__date", "lesson__number")
    )
    excuses = Excuse.objects.filter(Q(pupil=person) | Q(submitted_by=person)).select_related(
        "pupil", "submitted_by"
    )
    remarks = Remark.objects.filter(pupil=person).select_related("author")
    acknowledged = Remark.objects.filter(acknowledged_by=person).select_related("pupil")
    reads = AnnouncementRead.objects.filter(user=person).select_related("announcement")
    return [
        table(
            _("Attendance"),
            [_("Date"), _("Lesson"), _("Subject"), _("Status")],
            [
                [
                    fmt_dt(a.lesson.date),
                    a.lesson.number,
                    a.lesson.assignment.subject.name,
                    a.get_status_display(),
                ]
                for a in attendance
            ],
        ),
        table(
            _("Excuses"),
            [_("Submitted"), _("Pupil"), _("Submitted by"), _("Reason"), _("Status")],
            [
                [
                    fmt_dt(e.created_at),
                    person_label(e.pupil),
                    person_label(e.submitted_by),
                    e.reason,
                    e.get_status_display(),
                ]
                for e in excuses
            ],
        ),
        table(
            _("Remarks"),
            [_("When"), _("Kind"), _("Text"), _("Author"), _("Acknowledged")],
            [
                [
                    fmt_dt(r.created_at),
                    r.get_kind_display(),
                    r.text,
                    person_label(r.author),
                    fmt_dt(r.acknowledged_at),
                ]
                for r in remarks
            ],
        ),
        table(
            _("Remarks acknowledged"),
            [_("When"), _("Pupil"), _("Kind")],
            [
                [fmt_dt(r.acknowledged_at), person_label(r.pupil), r.get_kind_display()]
                for r in acknowledged
            ],
        ),
        table(
            _("Announcements read"),
            [_("Read at"), _("Announcement")],
            [[fmt_dt(r.read_at), r.announcement.title] for r in reads],
        ),
        table(
            _("Calendar feed"),
            [_("Created")],
            [[fmt_dt(t.created_at)] for t in CalendarToken.objects.filter(user=person)],
        ),
    ]


def anonymise_person(person) -> dict[str, int]:
    """Attendance, excuses and remarks stay (archival register data)."""
    return {
        "announcement_reads": AnnouncementRead.objects.filter(user=person).delete()[0],
        "calendar_feeds": CalendarToken.objects.filter(user=person).delete()[0],
    }
