"""What the grade book holds about a person, for the portal's data-protection
duties (export and anonymisation); registered in GradebookConfig.ready()."""

from django.utils.translation import gettext as _

from portal.privacy.export import fmt_dt, person_label, table

from .models import BehaviourGrade, Grade, RegisterVisit, TermGrade


def export_person(person) -> list[dict]:
    grades = Grade.objects.filter(pupil=person).select_related(
        "assessment__assignment__subject", "teacher"
    )
    term_grades = TermGrade.objects.filter(pupil=person).select_related(
        "assignment__subject", "term__school_year", "teacher"
    )
    behaviour = BehaviourGrade.objects.filter(pupil=person).select_related(
        "term__school_year", "teacher"
    )
    return [
        table(
            _("Grades"),
            [_("Date"), _("Subject"), _("Assessment"), _("Grade"), _("Teacher")],
            [
                [
                    fmt_dt(g.assessment.date),
                    g.assessment.assignment.subject.name,
                    g.assessment.name,
                    g.symbol,
                    person_label(g.teacher),
                ]
                for g in grades
            ],
        ),
        table(
            _("Term grades"),
            [_("Term"), _("Subject"), _("Kind"), _("Grade"), _("Teacher")],
            [
                [
                    str(t.term),
                    t.assignment.subject.name,
                    t.get_kind_display(),
                    t.grade or t.description,
                    person_label(t.teacher),
                ]
                for t in term_grades
            ],
        ),
        table(
            _("Behaviour grades"),
            [_("Term"), _("Kind"), _("Behaviour"), _("Homeroom teacher")],
            [
                [str(b.term), b.get_kind_display(), b.get_value_display(), person_label(b.teacher)]
                for b in behaviour
            ],
        ),
    ]


def anonymise_person(person) -> dict[str, int]:
    """Grades stay (archival register data); the person's visits go (their
    notifications are the notification centre's)."""
    return {
        "visits": RegisterVisit.objects.filter(user=person).delete()[0],
    }
