"""Named access rules of the notification centre."""

from __future__ import annotations

import rules

from portal.permissions import can_manage_school


@rules.predicate
def is_recipient(user, notification) -> bool:
    """Only its recipient opens, reads or marks a notification (others get 404)."""
    return bool(user.is_authenticated and notification.recipient_id == user.pk)


@rules.predicate
def can_edit_school_notification_settings(user, school) -> bool:
    """A school's administrators (and municipal administrators) decide whether
    pupils' notifications also go to guardians."""
    return bool(user.is_authenticated and can_manage_school(user, school))


rules.add_perm("notifications.open_notification", is_recipient)
rules.add_perm("notifications.edit_school_settings", can_edit_school_notification_settings)
