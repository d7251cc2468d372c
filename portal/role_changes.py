"""Every write that can change a user's roles bumps their `roles_version`.

`permissions.user_roles` keeps each user's roles in a cache under the user's
`roles_version`; a stale entry would let a revoked teacher, school admin or
guardian keep their access, so whatever the roles are computed from reports its
changes here:

- role assignments (the user), guardian links (the guardian), teaching assignments
  (old and new teacher), classes (old and new homeroom teacher), enrolments (the
  pupil), second factors (the user): saved or deleted, one by one or through a
  queryset's `delete()` (which sends these signals once receivers exist);
- the Wagtail admin permission: group membership, a user's or a group's
  permissions, a group deleted;
- a school year becoming current or not: everyone (`roles_changed_for_everyone`).

Bulk writes that send no signals (`bulk_create`, `QuerySet.update`) call
`roles_changed` / `roles_changed_for_everyone` themselves (the year-end rollover,
the demo seed). Connected in PortalConfig.ready()."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import (
    Enrolment,
    GuardianLink,
    RoleAssignment,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    User,
)
from .permissions import roles_changed, roles_changed_for_everyone

# The user foreign keys each model's rows give roles to.
ROLE_SOURCES = {
    RoleAssignment: ("user",),
    GuardianLink: ("guardian",),
    TeachingAssignment: ("teacher",),
    SchoolClass: ("homeroom_teacher",),
    Enrolment: ("pupil",),
    Authenticator: ("user",),
}
_BEFORE = "_portal_roles_before"


def _people(instance, fields) -> list:
    """The users `instance` gives roles to: the loaded instances where the row holds
    them (so that the caller's own object sees the change), else the ids."""
    people = []
    for name in fields:
        field = instance._meta.get_field(name)
        loaded = field.get_cached_value(instance, None) if field.is_cached(instance) else None
        people.append(loaded if loaded is not None else getattr(instance, field.attname))
    return people


def _remember_before(sender, instance, raw=False, **kwargs):
    """On an update, who held the row before (a class handed to another teacher)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = [sender._meta.get_field(name).attname for name in ROLE_SOURCES[sender]]
    row = sender._base_manager.filter(pk=instance.pk).values_list(*fields).first()
    setattr(instance, _BEFORE, list(row or ()))


def _changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, _BEFORE, [])
    if hasattr(instance, _BEFORE):
        delattr(instance, _BEFORE)
    roles_changed(*_people(instance, ROLE_SOURCES[sender]), *before)


for _model in ROLE_SOURCES:
    _name = _model.__name__
    pre_save.connect(_remember_before, sender=_model, dispatch_uid=f"roles-before-{_name}")
    post_save.connect(_changed, sender=_model, dispatch_uid=f"roles-saved-{_name}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"roles-deleted-{_name}")


@receiver(pre_save, sender=SchoolYear, dispatch_uid="roles-year-before")
def _year_before(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    was = sender._base_manager.filter(pk=instance.pk).values_list("is_current", flat=True).first()
    setattr(instance, _BEFORE, was)


@receiver(post_save, sender=SchoolYear, dispatch_uid="roles-year-saved")
def _year_saved(sender, instance, raw=False, **kwargs):
    """Classes taught, homerooms and enrolments count in the current year only."""
    was = getattr(instance, _BEFORE, instance.is_current)
    if hasattr(instance, _BEFORE):
        delattr(instance, _BEFORE)
    if not raw and was != instance.is_current:
        roles_changed_for_everyone()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="roles-user-groups")
@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="roles-user-perms")
def _memberships_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, User):
        roles_changed(instance)
    elif action == "pre_clear":  # group.user_set.clear()
        roles_changed(*instance.user_set.values_list("pk", flat=True))
    else:  # group.user_set.add(...) / remove(...)
        roles_changed(*(pk_set or ()))


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="roles-group-perms")
def _group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if isinstance(instance, Group):
        groups = [instance]
    else:  # permission.group_set.add(...)
        groups = Group.objects.filter(pk__in=pk_set or ())
    roles_changed(*User.objects.filter(groups__in=groups).values_list("pk", flat=True))


@receiver(pre_delete, sender=Group, dispatch_uid="roles-group-deleted")
def _group_deleted(sender, instance, **kwargs):
    roles_changed(*instance.user_set.values_list("pk", flat=True))
