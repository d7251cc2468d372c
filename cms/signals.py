"""Keep editorial groups in step with portal roles and new school pages."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.models import RoleAssignment

from .models import EditorialGroup, SchoolPage
from .services import ROLE_KINDS, editor_groups_sync, school_section_ensure


@receiver([post_save, post_delete], sender=RoleAssignment)
def role_changed(sender, instance, **kwargs):
    if instance.role in ROLE_KINDS:
        user = instance.user
        transaction.on_commit(lambda: editor_groups_sync(user=user))


@receiver(post_save, sender=SchoolPage)
def school_page_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not instance.school_id:
        return
    if not EditorialGroup.objects.filter(school_id=instance.school_id).exists():
        school_section_ensure(instance)
