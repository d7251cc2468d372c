"""Named access rules of Web Push. A subscription is its owner's alone: nobody
else sees or removes it (not even an admin; the owner's browser holds the keys),
so another user's subscription answers 404."""

from __future__ import annotations

import rules

from .models import PushSubscription


@rules.predicate
def can_manage_push(user) -> bool:
    """Every signed-in user may receive push on their own devices."""
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def owns_subscription(user, subscription: PushSubscription) -> bool:
    return can_manage_push(user) and subscription.user_id == user.pk


rules.add_perm("webpush.manage_push", can_manage_push)
rules.add_perm("webpush.remove_subscription", owns_subscription)


def own_subscriptions(user):
    """The subscriptions a view may look an id up in: the user's own only."""
    if not can_manage_push(user):
        return PushSubscription.objects.none()
    return PushSubscription.objects.filter(user=user)
