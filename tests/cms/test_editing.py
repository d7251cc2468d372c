"""Editors per school, the municipal editor, the moderation workflow and
scheduled publishing."""

import datetime

import pytest

from django.contrib.auth.models import Group
from django.utils import timezone

from wagtail.models import TaskState, WorkflowState

from cms import tasks
from cms.dashboard import editor_panel
from cms.models import EditorialGroup, NewsPage
from cms.services import editor_groups_sync, editor_groups_sync_all
from portal.models import Role, RoleAssignment
from tests.factories.cms import make_news

pytestmark = pytest.mark.django_db


def perms(user, page):
    user = type(user).objects.get(pk=user.pk)  # fresh permission caches
    return page.permissions_for_user(user)


class TestGroupsFromRoles:
    def test_roles_put_users_into_section_groups(self, editors, world):
        def groups(user):
            return set(
                EditorialGroup.objects.filter(group__user=user).values_list("kind", "school")
            )

        assert groups(editors.a) == {("editors", world.a.school.pk)}
        assert groups(editors.municipal) == {("editors", None)}
        assert groups(editors.moderator_b) == {("moderators", world.b.school.pk)}
        assert type(editors.a).objects.get(pk=editors.a.pk).has_perm("wagtailadmin.access_admin")

    def test_losing_the_role_removes_the_group(self, editors, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            RoleAssignment.objects.filter(user=editors.a).delete()
        assert not EditorialGroup.objects.filter(group__user=editors.a).exists()
        assert (
            not type(editors.a).objects.get(pk=editors.a.pk).has_perm("wagtailadmin.access_admin")
        )

    def test_sync_leaves_other_groups_alone(self, editors):
        other = Group.objects.create(name="Inna grupa")
        editors.a.groups.add(other)
        editor_groups_sync(user=editors.a)
        assert editors.a.groups.filter(pk=other.pk).exists()
        assert editor_groups_sync_all() >= 6

    def test_other_roles_get_nothing(self, world, site):
        assert editor_groups_sync(user=world.a.teacher) == set()


class TestPagePermissions:
    def test_school_editor_edits_only_their_school(self, editors, site):
        news_a = make_news(site.a["news"], "A")
        news_b = make_news(site.b["news"], "B")
        assert perms(editors.a, news_a).can_edit()
        assert perms(editors.a, site.a["page"]).can_add_subpage()
        assert not perms(editors.a, news_b).can_edit()
        assert not perms(editors.a, site.b["news"]).can_add_subpage()
        assert not perms(editors.a, site.home).can_edit()
        assert not perms(editors.a, site.news).can_add_subpage()

    def test_editors_cannot_publish_moderators_can(self, editors, site):
        news_a = make_news(site.a["news"], "A")
        assert not perms(editors.a, news_a).can_publish()
        assert not perms(editors.municipal, news_a).can_publish()
        assert perms(editors.moderator_a, news_a).can_publish()
        assert not perms(editors.moderator_b, news_a).can_publish()
        assert perms(editors.moderator, news_a).can_publish()

    def test_municipal_editor_edits_the_whole_portal(self, editors, site):
        for page in (site.home, site.news, site.a["page"], make_news(site.b["news"], "B")):
            assert perms(editors.municipal, page).can_edit()

    def test_admin_edit_view_refuses_another_schools_page(self, editors, site, login):
        news_b = make_news(site.b["news"], "B")
        news_a = make_news(site.a["news"], "A")
        client = login(editors.a)
        assert client.get(f"/cms-admin/pages/{news_a.pk}/edit/").status_code == 200
        response = client.get(f"/cms-admin/pages/{news_b.pk}/edit/")
        assert response.status_code in (302, 403)
        response = client.post(
            f"/cms-admin/pages/add/cms/newspage/{site.b['news'].pk}/",
            {"title": "Podrzucone", "slug": "podrzucone", "lead": "x"},
        )
        assert response.status_code in (302, 403)
        assert not NewsPage.objects.filter(slug="podrzucone").exists()
        response = client.post(
            f"/cms-admin/pages/{news_b.pk}/edit/",
            {"title": "Przejęte", "slug": news_b.slug, "lead": "x", "body-count": "0"},
        )
        assert response.status_code in (302, 403)
        news_b.refresh_from_db()
        assert news_b.title == "B" and not news_b.has_unpublished_changes


class TestWorkflow:
    def submit(self, page, user):
        page.save_revision(user=user)
        workflow = page.get_workflow()
        assert workflow is not None
        return workflow.start(page, user)

    def test_editor_submits_moderator_approves(self, editors, site):
        page = make_news(site.a["news"], "Do moderacji")
        page.unpublish()
        page.refresh_from_db()
        state = self.submit(page, editors.a)
        assert state.status == WorkflowState.STATUS_IN_PROGRESS
        task_state = state.current_task_state.specific
        task = task_state.task.specific
        assert task.get_actions(page, editors.moderator_a)
        assert task.get_actions(page, editors.moderator)  # municipal moderators too
        assert task.get_actions(page, editors.moderator_b) == []
        assert task.get_actions(page, editors.a) == []
        panel = editor_panel(type("R", (), {"user": editors.moderator_a})())
        assert [item["page"].pk for item in panel["to_review"]] == [page.pk]
        task.on_action(task_state, editors.moderator_a, "approve", comment="Dobre")
        page.refresh_from_db()
        assert page.live
        state.refresh_from_db()
        assert state.status == WorkflowState.STATUS_APPROVED

    def test_moderator_rejects_with_a_comment(self, editors, site):
        page = make_news(site.a["news"], "Do poprawy")
        page.unpublish()
        state = self.submit(page, editors.a)
        task_state = state.current_task_state.specific
        task_state.task.specific.on_action(
            task_state, editors.moderator_a, "reject", comment="Popraw datę"
        )
        page.refresh_from_db()
        assert not page.live
        task_state.refresh_from_db()
        assert task_state.status == TaskState.STATUS_REJECTED
        assert task_state.get_comment() == "Popraw datę"
        state.refresh_from_db()
        assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
        panel = editor_panel(type("R", (), {"user": editors.a})())
        assert [item["page"].pk for item in panel["submitted"]] == [page.pk]

    def test_editor_submits_through_the_admin(self, editors, site, login):
        page = make_news(site.a["news"], "Przez panel")
        client = login(editors.a)
        response = client.post(
            f"/cms-admin/pages/{page.pk}/edit/",
            {
                "title": "Przez panel – poprawione",
                "slug": page.slug,
                "lead": "Nowy lead",
                "body-count": "0",
                "tags": "",
                "action-submit": "Submit",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        page.refresh_from_db()
        assert page.title == "Przez panel"  # still the live version until approved
        assert page.has_unpublished_changes
        assert WorkflowState.objects.active().filter(requested_by=editors.a).exists()


def test_dashboard_panel_only_for_editors(editors, world):
    assert editor_panel(type("R", (), {"user": world.a.teacher})()) is None
    panel = editor_panel(type("R", (), {"user": editors.a})())
    assert panel is not None and panel["to_review"] == []


def test_scheduled_page_goes_live_when_the_task_runs(site):
    page = make_news(site.news, "Zaplanowana")
    page.unpublish()
    revision = page.save_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save()
    page.refresh_from_db()
    assert not page.live
    tasks.publish_scheduled.enqueue()
    page.refresh_from_db()
    assert page.live


def test_dashboard_lists_for_a_municipal_editor(editors, site, client, login):
    RoleAssignment.objects.filter(user=editors.municipal, role=Role.EDITOR).exists()
    response = login(editors.municipal).get("/panel/")
    assert response.status_code == 200
    assert (
        "Portal editing" in response.content.decode() or "Redagowanie" in response.content.decode()
    )


def test_school_editor_adds_news_in_their_section_and_submits(editors, site, world, login):
    client = login(editors.a)
    response = client.post(
        f"/cms-admin/pages/add/cms/newspage/{site.a['news'].pk}/",
        {
            "title": "Nowa wiadomość z A",
            "slug": "nowa-wiadomosc-z-a",
            "lead": "Krótko",
            "body-count": "0",
            "tags": "sport",
            "action-submit": "Submit",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    page = NewsPage.objects.get(slug="nowa-wiadomosc-z-a")
    assert not page.live
    assert page.school == world.a.school
    state = WorkflowState.objects.active().get(requested_by=editors.a)
    assert state.current_task_state.task.specific.get_actions(page, editors.moderator_a)


class TestRepeatingPublishing:
    @pytest.fixture
    def db_backend(self, settings):
        # django_tasks resets its backends when the setting changes.
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def test_command_starts_one_chain_only(self, db, db_backend):
        from io import StringIO

        from django_tasks_db.models import DBTaskResult

        from django.core.management import call_command

        call_command("cms_schedule_publishing", stdout=StringIO())
        call_command("cms_schedule_publishing", stdout=StringIO())
        assert DBTaskResult.objects.filter(task_path="cms.tasks.publish_scheduled").count() == 1

    def test_each_run_enqueues_the_next(self, db, db_backend):
        from django_tasks_db.models import DBTaskResult

        tasks.publish_scheduled.call(repeat_minutes=5)
        waiting = DBTaskResult.objects.get(task_path="cms.tasks.publish_scheduled")
        assert waiting.run_after > timezone.now()

    def test_immediate_backend_does_not_loop(self, db):
        assert tasks.schedule_publishing(repeat_minutes=5) is False


def test_school_editors_change_only_their_sections_media(editors, world):
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    from cms.services import section_collection
    from tests.factories.cms import make_image

    image_a = make_image("a")
    image_a.collection = section_collection(world.a.school)
    image_a.save()
    image_b = make_image("b")
    image_b.collection = section_collection(world.b.school)
    image_b.save()

    permission_policy = policy_registry.get_by_type(get_image_model())

    def can(user, action, image):
        fresh = type(user).objects.get(pk=user.pk)
        return permission_policy.user_has_permission_for_instance(fresh, action, image)

    assert can(editors.a, "change", image_a)
    assert not can(editors.a, "change", image_b)
    assert can(editors.a, "choose", image_b)
    assert can(editors.municipal, "change", image_b)
