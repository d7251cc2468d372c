"""The setup command and the demo seed: idempotent, real-looking content."""

import random
from io import StringIO

import pytest

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import Page, Revision, Site

from cms.demo import CmsSeeder, demo_image
from cms.models import ContactFormPage, EditorialGroup, EventPage, HomePage, NewsPage, SchoolPage
from portal.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_cms_setup_is_idempotent(world):
    call_command("cms_setup", stdout=StringIO())
    call_command("cms_setup", stdout=StringIO())
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert EditorialGroup.objects.filter(school=None).count() == 2


def test_demo_images_are_deterministic():
    assert demo_image("Tytuł", 3).getvalue() == demo_image("Tytuł", 3).getvalue()


def test_demo_tree_is_complete_and_idempotent(world):
    ctx = DemoContext(
        rng=random.Random(1),
        scale=1,
        password_hash="!",
        today=timezone.localdate(),
        schools=[world.a.school, world.b.school],
        log=lambda message: None,
    )
    CmsSeeder(ctx).run()
    counts = (Page.objects.count(), Revision.objects.count())
    assert NewsPage.objects.live().count() == 20
    waiting = NewsPage.objects.get(slug="wyniki-konkursu-plastycznego")
    assert not waiting.live and waiting.workflow_in_progress
    scheduled = NewsPage.objects.get(slug="ferie-zimowe-w-szkole")
    assert not scheduled.live and scheduled.get_latest_revision().approved_go_live_at
    assert NewsPage.objects.filter(school=world.a.school).exists()
    assert not NewsPage.objects.live().filter(image__isnull=True).exists()
    assert SchoolPage.objects.count() == 2
    assert EventPage.objects.count() >= 6
    assert ContactFormPage.objects.live().exists()
    assert ctx.accounts["redaktor-sp1"].groups.filter(editorial__school=world.a.school).exists()
    CmsSeeder(ctx).run()
    assert (Page.objects.count(), Revision.objects.count()) == counts
