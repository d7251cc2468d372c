"""The web layer's headers: Content-Security-Policy, private pages never cached,
the admin's framing, idle sign-out of staff, and links an editor may publish."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.middleware import IDLE_SESSION_KEY
from portal.validators import validate_link
from tests.conftest import enable_mfa
from tests.factories.cms import build_site

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- Content-Security-Policy ------------------------------------------------------------


def test_public_page_has_a_strict_policy_with_the_nonce_of_its_inline_script(client, world):
    site = build_site(world)
    response = client.get(site["home"].url)
    assert response.status_code == 200
    policy = directives(response)
    script_src = policy["script-src"]
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = next(v for v in script_src if v.startswith("'nonce-"))[len("'nonce-") : -1]
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


def test_each_request_gets_its_own_nonce(client, world):
    site = build_site(world)
    first = directives(client.get(site["home"].url))["script-src"]
    second = directives(client.get(site["home"].url))["script-src"]
    assert first != second


def test_private_page_has_the_strict_policy_too(client, world):
    client.force_login(world.a.guardian)
    response = client.get(reverse("gradebook:pupil", args=[world.a.pupil.pk]))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in directives(response)["script-src"]


def test_the_admin_has_its_own_policy_and_may_frame_its_preview(client, world):
    superuser = enable_mfa(world.superuser)
    client.force_login(superuser)
    response = client.get("/cms-admin/")
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_no_template_has_inline_event_handlers_or_javascript_urls():
    """CSP blocks them in the browser; this finds them before a user does."""
    offenders = []
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
    for folder in ("templates", "portal", "gradebook", "library", "cms"):
        for path in (ROOT / folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if handler.search(text) or "javascript:" in text.lower():
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_inline_scripts_carry_the_nonce():
    offenders = []
    for folder in ("templates", "portal", "gradebook", "library", "cms"):
        for path in (ROOT / folder).rglob("*.html"):
            if path.name.endswith("_pdf.html"):
                continue  # rendered by WeasyPrint, never by a browser
            for tag in re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8")):
                if "src=" not in tag and "csp_nonce" not in tag:
                    offenders.append(f"{path.relative_to(ROOT)}: {tag}")
    assert offenders == []


# --- Links an editor may publish --------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(document.cookie)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "/\\evil.example/",
        "https://",
        "mailto:not an address",
        "tel:call-me",
    ],
)
def test_unsafe_or_broken_links_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_link(value)
    assert error.value.code == "invalid_link"


@pytest.mark.parametrize(
    "value",
    [
        "/biblioteka/",
        "#kontakt",
        "https://bip.gmina.example/oswiata",
        "http://example.org",
        "mailto:oswiata@gmina.example",
        "tel:+48 12 345 67 89",
    ],
)
def test_ordinary_links_are_accepted(value):
    validate_link(value)


def test_a_quick_link_to_javascript_cannot_be_saved(world):
    site = build_site(world)
    home = site["home"]
    from cms.models import QuickLink

    link = QuickLink(page=home, title="Oceny", url="javascript:fetch('/dziennik/')")
    with pytest.raises(ValidationError) as error:
        link.full_clean()
    assert "url" in error.value.message_dict


def test_the_migration_removes_unsafe_quick_links_saved_before(world):
    import importlib

    from django.apps import apps

    from cms.models import QuickLink

    site = build_site(world)
    good = QuickLink.objects.create(page=site["home"], title="Biblioteka", url="/biblioteka/")
    bad = QuickLink.objects.create(page=site["home"], title="Oceny", url="javascript:alert(1)")
    migration = importlib.import_module("cms.migrations.0002_quick_link_safe_addresses")
    migration.remove_unsafe_links(apps, None)
    assert QuickLink.objects.filter(pk=good.pk).exists()
    assert not QuickLink.objects.filter(pk=bad.pk).exists()


# --- Private pages are never cached ---------------------------------------------------


def private_pages(world):
    return [
        reverse("gradebook:pupil", args=[world.a.pupil.pk]),
        reverse("register:remarks"),
        reverse("register:week"),
        reverse("register:pupil_stats") + f"?pupil={world.a.pupil.pk}",
        reverse("circulation:account"),
        reverse("portal:dashboard"),
    ]


def test_every_page_of_a_signed_in_user_says_private_no_store(client, world):
    client.force_login(world.a.guardian)
    for url in private_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_public_pages_stay_cacheable_for_visitors(client, world):
    site = build_site(world)
    response = client.get(site["home"].url)
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_marked_cacheable_is_not_made_private(client, world):
    build_site(world)
    client.force_login(world.a.guardian)
    response = client.get(reverse("cms:feed_rss"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_site_pages_may_not_be_framed_and_send_the_other_headers(client, world):
    site = build_site(world)
    response = client.get(site["home"].url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# --- Idle sign-out of staff -------------------------------------------------------------

START = datetime.datetime(2026, 10, 14, 9, 0, tzinfo=datetime.UTC)


def test_staff_are_signed_out_after_thirty_idle_minutes(client, world):
    teacher = enable_mfa(world.a.teacher)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(teacher)
        assert client.get(reverse("portal:dashboard")).status_code == 200
        clock.shift(datetime.timedelta(minutes=20))
        assert client.get(reverse("portal:dashboard")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("portal:dashboard")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("gradebook:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "bez aktywności" in page
    assert "_auth_user_id" not in client.session


def test_the_stay_signed_in_button_keeps_the_session(client, world):
    teacher = enable_mfa(world.a.teacher)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(teacher)
        client.get(reverse("portal:dashboard"))
        clock.shift(datetime.timedelta(minutes=28))
        assert client.post(reverse("portal:keepalive")).status_code == 204
        clock.shift(datetime.timedelta(minutes=28))
        assert client.get(reverse("portal:dashboard")).status_code == 200
        assert client.session[IDLE_SESSION_KEY] == int(START.timestamp()) + 56 * 60


def test_what_the_browser_fetches_by_itself_does_not_keep_staff_signed_in(client, world):
    """The service worker's script is checked for updates on every page and the
    manifest is fetched without the person doing anything: neither is activity."""
    teacher = enable_mfa(world.a.teacher)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(teacher)
        client.get(reverse("portal:dashboard"))
        for minutes, dest, url in (
            (20, "serviceworker", reverse("webpush:service_worker")),
            (5, "manifest", reverse("webpush:manifest")),
        ):
            clock.shift(datetime.timedelta(minutes=minutes))
            client.get(url, headers={"Sec-Fetch-Dest": dest})
            assert client.session[IDLE_SESSION_KEY] == int(START.timestamp())
        clock.shift(datetime.timedelta(minutes=10))  # 35 minutes without activity
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_pages_carry_the_idle_notice_and_families_pages_do_not(client, world):
    teacher = enable_mfa(world.a.teacher)
    client.force_login(teacher)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-idle-timeout="1800"' in html
    assert 'id="idle-warning"' in html and "Pozostań zalogowany" in html
    client.force_login(world.a.guardian)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "data-idle-timeout" not in html


def test_families_are_not_signed_out_for_being_idle(client, world):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(world.a.guardian)
        client.get(reverse("portal:dashboard"))
        clock.shift(datetime.timedelta(hours=2))
        assert client.get(reverse("portal:dashboard")).status_code == 200


def test_the_idle_limit_is_configurable(client, world, settings):
    settings.STAFF_IDLE_TIMEOUT = 5 * 60
    teacher = enable_mfa(world.a.teacher)
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(teacher)
        client.get(reverse("portal:dashboard"))
        clock.shift(datetime.timedelta(minutes=6))
        assert client.get(reverse("portal:dashboard")).status_code == 302
