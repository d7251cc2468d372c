"""Who sees the municipal analytics: the education officer and superusers.
Nobody else, not even a school's admin (the figures compare schools)."""

import rules

from portal.permissions import user_roles


@rules.predicate
def can_view_analytics(user) -> bool:
    roles = user_roles(user)
    return roles.is_superuser or roles.is_officer


# Asking for a computation is part of reading the figures: same people.
can_compute_analytics = can_view_analytics

rules.add_perm("analytics.view_figures", can_view_analytics)
rules.add_perm("analytics.compute_figures", can_compute_analytics)
