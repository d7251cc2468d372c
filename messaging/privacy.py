"""What messages hold about a person, for the data-protection duties
(registered in MessagingConfig.ready())."""

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.privacy.export import fmt_dt, person_label, table

from .models import Delivery, Message, Participant, Report


def export_person(person) -> list[dict]:
    sent = Message.objects.filter(sender=person).select_related("thread").order_by("created_at")
    received = (
        Delivery.objects.filter(recipient=person)
        .select_related("message__sender", "thread")
        .order_by("message__created_at")
    )
    reports = Report.objects.filter(reporter=person).select_related("thread")
    return [
        table(
            _("Messages sent"),
            [_("Sent"), _("Subject"), _("Recipients"), _("Text")],
            [[fmt_dt(m.created_at), m.thread.subject, m.recipient_count, m.body] for m in sent],
        ),
        table(
            _("Messages received"),
            [_("Sent"), _("Subject"), _("Sender"), _("Read"), _("Text")],
            [
                [
                    fmt_dt(d.message.created_at),
                    d.thread.subject,
                    person_label(d.message.sender),
                    fmt_dt(d.read_at),
                    d.message.body,
                ]
                for d in received
            ],
        ),
        table(
            _("Messages reported"),
            [_("Reported"), _("Subject"), _("Reason")],
            [[fmt_dt(r.created_at), r.thread.subject, r.reason] for r in reports],
        ),
    ]


def anonymise_person(person) -> dict[str, int]:
    """The person's own texts are removed (the threads stay for the others,
    showing a removed message); their receipts, places in threads and reports
    are deleted."""
    texts = Message.objects.filter(sender=person).exclude(body="").update(body="", search_text="")
    return {
        "message_texts": texts,
        "message_receipts": Delivery.objects.filter(recipient=person).delete()[0],
        "message_threads": Participant.objects.filter(user=person).delete()[0],
        "message_reports": Report.objects.filter(Q(reporter=person)).update(
            reason="", reporter=None
        ),
    }
