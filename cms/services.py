"""Writes of the public portal: the page tree's skeleton, the editorial groups
with their page permissions and moderation workflows, and the sync of portal
roles (EDITOR / MODERATOR) into those groups."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from portal.errors import ServiceError
from portal.models import Role, RoleAssignment, School, User
from portal.permissions import forget_roles

from .models import EditorialGroup, HomePage, SchoolPage

PAGE_PERMISSIONS = {
    EditorialGroup.Kind.EDITORS: ["add_page", "change_page"],
    EditorialGroup.Kind.MODERATORS: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ],
}
# Editors upload and change media in their section's collection and may choose
# any image or document of the portal.
OWN_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
]
CHOOSE_PERMISSIONS = [("wagtailimages", "choose_image"), ("wagtaildocs", "choose_document")]
ROLE_KINDS = {
    Role.EDITOR: EditorialGroup.Kind.EDITORS,
    Role.MODERATOR: EditorialGroup.Kind.MODERATORS,
}


class CmsError(ServiceError):
    """A refused CMS operation (portal.errors.ServiceError)."""


def _group_name(kind: str, school: School | None) -> str:
    label = _("Editors") if kind == EditorialGroup.Kind.EDITORS else _("Moderators")
    return f"{label}: {school.short_name if school else _('whole portal')}"


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _collection_permission(group, collection, app_label, codename):
    GroupCollectionPermission.objects.get_or_create(
        group=group,
        collection=collection,
        permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
    )


def section_collection(school: School | None) -> Collection:
    """The media collection of a section: the root one for the whole portal,
    a child named after the school for a school."""
    root = Collection.get_first_root_node()
    if school is None:
        return root
    existing = root.get_children().filter(name=school.short_name).first()
    return existing or root.add_child(name=school.short_name)


@transaction.atomic
def editorial_group_ensure(*, kind: str, school: School | None, page: Page) -> Group:
    """The group of editors or moderators of `page`'s section, with its page,
    collection and admin permissions (created or completed)."""
    link = EditorialGroup.objects.filter(kind=kind, school=school).select_related("group").first()
    if link is None:
        group, _created = Group.objects.get_or_create(name=_group_name(kind, school))
        link = EditorialGroup(group=group, kind=kind, school=school)
        link.full_clean()
        link.save()
    group = link.group
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in PAGE_PERMISSIONS[kind]:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(codename)
        )
    root = Collection.get_first_root_node()
    own = section_collection(school)
    for app_label, codename in OWN_COLLECTION_PERMISSIONS:
        _collection_permission(group, own, app_label, codename)
    for app_label, codename in CHOOSE_PERMISSIONS:
        _collection_permission(group, root, app_label, codename)
    return group


@transaction.atomic
def workflow_ensure(*, page: Page, school: School | None, moderator_groups: list[Group]):
    """A one-step moderation workflow on `page`'s section: an editor submits,
    a moderator approves (it goes live) or rejects with a comment."""
    name = _("Moderation: %(section)s") % {
        "section": school.short_name if school else _("whole portal")
    }
    workflow, _created = Workflow.objects.get_or_create(name=name, defaults={"active": True})
    task, _created = GroupApprovalTask.objects.get_or_create(
        name=_("Approval by a moderator: %(section)s")
        % {"section": school.short_name if school else _("whole portal")}
    )
    task.groups.add(*moderator_groups)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def home_page_ensure(*, title: str = "Portal Oświatowy") -> HomePage:
    """Make a HomePage the root of the default site, replacing Wagtail's
    welcome page (only when that page is a plain, childless Page)."""
    home = HomePage.objects.first()
    root = Page.get_first_root_node()
    if home is None:
        for page in root.get_children():
            if page.content_type.model_class() is Page and page.is_leaf():
                page.delete()
        root.refresh_from_db()
        home = HomePage(title=title, slug="portal", seo_title=title)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = title
        site.save()
    return home


@transaction.atomic
def sections_ensure() -> None:
    """Groups, page permissions and workflows for the portal and every school page."""
    home = HomePage.objects.first()
    if home is None:
        raise CmsError("no_home", _("The portal has no home page yet."))
    municipal_moderators = editorial_group_ensure(
        kind=EditorialGroup.Kind.MODERATORS, school=None, page=home
    )
    editorial_group_ensure(kind=EditorialGroup.Kind.EDITORS, school=None, page=home)
    workflow_ensure(page=home, school=None, moderator_groups=[municipal_moderators])
    for school_page in SchoolPage.objects.select_related("school"):
        school_section_ensure(school_page, municipal_moderators=municipal_moderators)


def school_section_ensure(school_page: SchoolPage, *, municipal_moderators: Group | None = None):
    school = school_page.school
    editorial_group_ensure(kind=EditorialGroup.Kind.EDITORS, school=school, page=school_page)
    moderators = editorial_group_ensure(
        kind=EditorialGroup.Kind.MODERATORS, school=school, page=school_page
    )
    groups = [moderators]
    if municipal_moderators is None:
        link = EditorialGroup.objects.filter(
            kind=EditorialGroup.Kind.MODERATORS, school=None
        ).first()
        municipal_moderators = link.group if link else None
    if municipal_moderators is not None:
        groups.append(municipal_moderators)
    workflow_ensure(page=school_page, school=school, moderator_groups=groups)


@transaction.atomic
def editor_groups_sync(*, user: User) -> set[int]:
    """Put `user` into exactly the editorial groups their portal roles call for.
    Roles with no school are municipal (whole portal); roles with a school are
    per school. Returns the ids of the user's editorial groups."""
    grants = RoleAssignment.objects.filter(user=user, role__in=list(ROLE_KINDS)).values_list(
        "role", "school_id"
    )
    links = {(link.kind, link.school_id): link.group_id for link in EditorialGroup.objects.all()}
    wanted = {
        links[(ROLE_KINDS[role], school_id)]
        for role, school_id in grants
        if (ROLE_KINDS[role], school_id) in links
    }
    managed = set(links.values())
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    forget_roles(user)
    return wanted


def editor_groups_sync_all() -> int:
    """Sync every user who holds, or held, an editorial role."""
    users = User.objects.filter(role_assignments__role__in=list(ROLE_KINDS)) | User.objects.filter(
        groups__editorial__isnull=False
    )
    count = 0
    for user in users.distinct():
        editor_groups_sync(user=user)
        count += 1
    return count
