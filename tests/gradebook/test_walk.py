"""Every e-register URL of school A answers 404 to every role of school B (and to
the officer and librarian), for GET and for a crafted POST."""

import pytest

from django.urls import reverse

from gradebook.models import Grade, GradeHistory

FOREIGN = ["b.teacher", "b.homeroom", "b.admin", "b.guardian", "b.pupil", "a.librarian", "officer"]


def urls(a):
    return [
        reverse("gradebook:sheet", args=[a.assignment.pk]),
        reverse("gradebook:assessment_add", args=[a.assignment.pk]),
        reverse("gradebook:assessment_edit", args=[a.assignment.pk, a.assessment.pk]),
        reverse("gradebook:term_grades", args=[a.assignment.pk]),
        reverse("gradebook:history", args=[a.assignment.pk]),
        reverse("gradebook:class", args=[a.class_a.pk]),
        reverse("gradebook:behaviour", args=[a.class_a.pk]),
        reverse("gradebook:pupil", args=[a.pupil.pk]),
        reverse("gradebook:settings", args=[a.school.pk]),
        reverse("gradebook:term_status", args=[a.school.pk, a.term.pk]),
    ]


@pytest.mark.parametrize("who", FOREIGN)
def test_every_url_of_another_school_is_404(gb, login, who):
    user = gb
    for part in who.split("."):
        user = getattr(user, part)
    client = login(user)
    a = gb.a
    key = f"{a.assessment.pk}-{a.pupil.pk}"
    payload = {
        f"g-{key}": "5",
        f"o-{key}": "",
        f"final-{a.pupil.pk}": "5",
        "closed": "1",
        "name": "x",
    }
    for url in urls(a):
        if "okresy" not in url:
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(url, payload).status_code in (404, 405), (who, url)
    assert not Grade.objects.exists() and not GradeHistory.objects.exists()
