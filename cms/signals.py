"""Keep editorial groups in step with portal roles and new school pages, and
the site search's index in step with publishing."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.models import RoleAssignment

from .models import EditorialGroup, SchoolPage
from .search_index import page_index_remove, page_index_update
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


# The site search's index (issue 17). Within the publishing transaction, so the
# index never lags behind what readers see; a deleted page's entry goes with it
# (the foreign key cascades).
@receiver(page_published)
def page_published_indexed(sender, instance, **kwargs):
    page_index_update(pages=[instance])


@receiver(page_unpublished)
def page_unpublished_unindexed(sender, instance, **kwargs):
    page_index_remove(page_ids=[instance.pk])


@receiver(post_page_move)
def page_moved_reindexed(sender, instance, **kwargs):
    """A move can put a page and everything under it into another school's section."""
    moved = Page.objects.get(pk=instance.pk)
    page_index_update(pages=moved.get_descendants(inclusive=True).live().specific())
