"""What Web Push holds about a person (their browsers' subscriptions), for the
portal's data-protection duties; registered in WebPushConfig.ready()."""

from django.utils.translation import gettext as _

from portal.privacy.export import fmt_dt, table

from .models import PushSubscription


def export_person(person) -> list[dict]:
    devices = PushSubscription.objects.filter(user=person).order_by("created_at", "pk")
    return [
        table(
            _("Devices with push notifications"),
            [_("Device"), _("Turned on"), _("Last delivered")],
            [[d.user_agent, fmt_dt(d.created_at), fmt_dt(d.last_success_at)] for d in devices],
        )
    ]


def anonymise_person(person) -> dict[str, int]:
    return {"push_subscriptions": PushSubscription.objects.filter(user=person).delete()[0]}
