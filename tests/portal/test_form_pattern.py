"""One form pattern for the whole portal (portal/forms/field.html through
FORM_RENDERER, the error summary in base.html): required fields are marked, every
id an input's aria-describedby names exists, and a failed submit answers with an
error summary linked to the fields and a title starting "Błąd:"."""

import re

from django.urls import reverse


def html_ids(html):
    return set(re.findall(r'\sid="([^"]+)"', html))


def described_by_ids(html):
    return {
        ref for value in re.findall(r'aria-describedby="([^"]+)"', html) for ref in value.split()
    }


def test_a_failed_submit_shows_a_linked_summary_and_an_error_title(world, login):
    client = login(world.a.admin)
    url = reverse("portal:manage_add", args=[world.a.school.pk, "subjects"])
    response = client.post(url, {"name": ""}, HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()

    assert response.status_code == 400  # the form again, with what was typed
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.S).group(1)
    assert title.startswith("Błąd: ")
    summary = re.search(
        r'<div class="error-summary" tabindex="-1" data-error-summary>(.*?)</div>', html, re.S
    )
    assert summary, "no error summary"
    links = re.findall(r'<a href="#([^"]+)">', summary.group(1))
    assert "id_name" in links
    assert 'aria-invalid="true"' in html
    missing = described_by_ids(html) - html_ids(html)
    assert not missing, missing


def test_a_page_without_errors_has_no_summary_and_a_plain_title(world, login):
    client = login(world.a.admin)
    html = client.get(
        reverse("portal:manage_add", args=[world.a.school.pk, "subjects"])
    ).content.decode()
    assert "data-error-summary" not in html
    assert "<title>Błąd" not in html
    # Required fields carry a visible marker and the note explains it.
    assert 'class="required-mark" aria-hidden="true">*</span>' in html
    assert "Pola oznaczone * są wymagane." in html


def test_sign_in_names_existing_ids_and_autocompletes_a_username(client, db):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert not described_by_ids(html) - html_ids(html)
    login_input = re.search(r'<input[^>]*name="login"[^>]*>', html).group(0)
    assert 'autocomplete="username"' in login_input
    password = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'autocomplete="current-password"' in password
    assert html.count('class="required-mark" aria-hidden="true">*</span>') == 2
    assert "required" in login_input and "required" in password


def test_a_failed_sign_in_announces_the_error_in_the_title(client, world):
    response = client.post(
        reverse("account_login"),
        {"login": world.a.teacher.username, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    html = response.content.decode()
    assert re.search(r"<title>\s*Błąd: ", html)
    assert "data-error-summary" in html


def test_a_form_sent_without_its_csrf_token_gets_the_portals_page_in_polish(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "x"}, HTTP_ACCEPT_LANGUAGE="pl")
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="pl">' in html
    assert "Formularz wygasł" in html


def test_a_refusal_shown_as_an_error_message_also_starts_the_title_with_error(world, login):
    client = login(world.a.librarian)
    url = reverse("circulation:stocktakes", args=[world.a.school.pk])
    assert client.post(url, {"name": "Regał A"}).status_code == 302  # one is open now
    assert not re.search(r"<title>\s*Błąd", client.get(url).content.decode())
    html = client.post(url, {"name": "Drugie"}, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert re.search(r"<title>\s*Błąd: ", html)
    assert "message-error" in html  # the message itself is still listed


def test_ones_own_library_account_has_one_address(world, login):
    client = login(world.a.pupil, mfa=False)
    response = client.get(reverse("circulation:account_child", args=[world.a.pupil.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("circulation:account")
