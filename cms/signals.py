"""Keep editorial groups in step with portal roles and new school pages, the site
search's index in step with publishing, and the public pages' cache in step with
everything they show."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.models import RoleAssignment

from .models import EditorialGroup, NewsPageTag, SchoolPage
from .pagecache import content_bump
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


# The public pages' cache (issue 20, cms/pagecache.py): whatever a cached page shows.
# A page saved with only draft bookkeeping (a new revision, a lock) shows nothing new;
# publishing it sends page_published.
DRAFT_ONLY_FIELDS = frozenset(
    {
        "draft_title",
        "wagtail_admin_comments",
        "has_unpublished_changes",
        "latest_revision",
        "latest_revision_created_at",
        "locked",
        "locked_at",
        "locked_by",
        "live_revision",
    }
)


def page_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields and set(update_fields) <= DRAFT_ONLY_FIELDS):
        return
    content_bump()


def settings_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return
    content_bump()


def content_signals_connect() -> None:
    """Called from CmsConfig.ready(), when every page model is known."""
    from taggit.models import Tag

    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site, get_page_models

    from portal.models import MunicipalitySettings, School

    from .models import QuickLink, SchoolGalleryImage

    page_published.connect(content_bump, dispatch_uid="pagecache-published")
    page_unpublished.connect(content_bump, dispatch_uid="pagecache-unpublished")
    post_page_move.connect(content_bump, dispatch_uid="pagecache-moved")
    for model in get_page_models():
        post_save.connect(page_saved, sender=model, dispatch_uid=f"pagecache-{model._meta.label}")
    post_delete.connect(content_bump, sender=Page, dispatch_uid="pagecache-page-deleted")
    # Wagtail creates a site's settings row on its first read (`for_request`), in the
    # middle of a render and with the defaults that render already used: nothing shown
    # changes, and bumping there gave the next request another Last-Modified.
    post_save.connect(
        settings_saved, sender=MunicipalitySettings, dispatch_uid="pagecache-settings-saved"
    )
    post_delete.connect(
        content_bump, sender=MunicipalitySettings, dispatch_uid="pagecache-settings-deleted"
    )
    for model in (
        PageViewRestriction,
        Site,
        School,
        QuickLink,
        SchoolGalleryImage,
        NewsPageTag,
        Tag,
        get_image_model(),
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                content_bump,
                sender=model,
                dispatch_uid=f"pagecache-{model._meta.label}-{signal is post_save}",
            )
