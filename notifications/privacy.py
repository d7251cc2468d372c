"""What the notification centre holds about a person, for the data-protection
duties; registered in NotificationsConfig.ready()."""

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.privacy.export import fmt_dt, table

from .models import Digest, GroupedEvent, Notification, Preferences


def export_person(person) -> list[dict]:
    rows = Notification.objects.filter(recipient=person).order_by("created_at", "pk")
    return [
        table(
            _("Notifications"),
            [_("When"), _("Text"), _("Kind"), _("Read")],
            [
                [fmt_dt(n.created_at), n.title, n.get_kind_display(), fmt_dt(n.read_at)]
                for n in rows
            ],
        )
    ]


def anonymise_person(person) -> dict[str, int]:
    """The person's notifications (to them, or about them as a pupil) go."""
    return {
        "notifications": Notification.objects.filter(Q(recipient=person) | Q(pupil=person))
        .delete()[1]
        .get("notifications.Notification", 0),
        "digests": Digest.objects.filter(recipient=person).delete()[0],
        "folded": GroupedEvent.objects.filter(recipient=person).delete()[0],
        "preferences": Preferences.objects.filter(user=person).delete()[0],
    }
