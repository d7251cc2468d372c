"""What the school libraries hold about a reader, for the portal's
data-protection duties; registered in CirculationConfig.ready()."""

from django.utils.translation import gettext as _

from portal.privacy.export import fmt_dt, table

from .models import ExternalReader, Hold, Loan, ReaderProfile, SentNotification


def export_person(person) -> list[dict]:
    profiles = ReaderProfile.objects.filter(user=person)
    loans = Loan.objects.filter(reader=person).select_related("copy__record", "school")
    holds = Hold.objects.filter(reader=person).select_related("record", "school")
    memberships = ExternalReader.objects.filter(user=person).select_related("school")
    return [
        table(
            _("Reader"),
            [_("Library card number"), _("Keep loan history"), _("Reminders")],
            [
                [
                    p.card_number,
                    _("yes") if p.keep_history else _("no"),
                    ", ".join(
                        str(label)
                        for on, label in (
                            (p.notify_due_soon, _("due soon")),
                            (p.notify_overdue, _("overdue")),
                            (p.notify_hold_ready, _("hold ready")),
                        )
                        if on
                    ),
                ]
                for p in profiles
            ],
        ),
        table(
            _("Loans"),
            [_("Title"), _("Library"), _("Borrowed"), _("Due"), _("Returned")],
            [
                [
                    loan.copy.record.title,
                    str(loan.school),
                    fmt_dt(loan.checked_out_at),
                    fmt_dt(loan.due_on),
                    fmt_dt(loan.returned_at),
                ]
                for loan in loans
            ],
        ),
        table(
            _("Holds"),
            [_("Title"), _("Library"), _("Placed"), _("Status")],
            [
                [h.record.title, str(h.school), fmt_dt(h.placed_at), h.get_status_display()]
                for h in holds
            ],
        ),
        table(
            _("Reader from outside the school"),
            [_("Library"), _("Granted"), _("Case number"), _("Ended")],
            [
                [str(m.school), fmt_dt(m.granted_at), m.case_number, fmt_dt(m.ended_at)]
                for m in memberships
            ],
        ),
    ]


def anonymise_person(person) -> dict[str, int]:
    """The reader's card, holds, reminders and memberships as a reader from
    outside the school go; closed loans stay with the copies' history (under
    the pseudonym)."""
    return {
        "external_readers": ExternalReader.objects.filter(user=person).delete()[0],
        "reader_profiles": ReaderProfile.objects.filter(user=person).delete()[0],
        "holds": Hold.objects.filter(reader=person).delete()[0],
        "reminders": SentNotification.objects.filter(recipient=person).delete()[0],
    }


def readers_with_open_loans(user_ids) -> dict[int, str]:
    """A reader with a book still out is not anonymised until it comes back."""
    ids = Loan.objects.open().filter(reader_id__in=user_ids).values_list("reader_id", flat=True)
    return {pk: _("an open library loan") for pk in set(ids)}
